//! Switching activity per net, from Verilator's toggle coverage of the netlist.
//!
//! The netlist written by [`super::netlist::Netlist::to_verilog`] is built with
//! `--coverage-toggle` (cporx_cosim's `VerilatedLib::build_toggle_counting`), the cell
//! models inside `/* verilator coverage_off */`, so the counted signals are exactly the
//! top module's nets (`n<k>`) and port bits. Each has two points, `NAME:0->1` and
//! `NAME:1->0`; a net's toggles are their sum over the counted cycles, its activity the
//! toggles per clock cycle (OpenSTA's `activity`: transitions per clock period).

use super::netlist::{Conn, Netlist};
use crate::SynthError;
use std::collections::HashMap;

/// Toggles per net over `cycles` clock cycles.
#[derive(Clone, Debug)]
pub struct Toggles {
    pub cycles: u64,
    /// per net of the netlist
    pub per_net: Vec<u64>,
}

impl Toggles {
    /// Transitions per clock cycle of net `n`.
    pub fn activity(&self, n: usize) -> f64 {
        self.per_net[n] as f64 / self.cycles as f64
    }
    pub fn total(&self) -> u64 {
        self.per_net.iter().sum()
    }
}

/// A port name as Verilator's coverage prints it: characters other than letters, digits
/// and `_` as `__0` and two hex digits (`adc$0` -> `adc__0240`).
pub fn verilator_name(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            o.push(c);
        } else {
            o += &format!("__0{:02x}", c as u32);
        }
    }
    o
}

/// The fields of one coverage point (`\x01key\x02value` pairs).
fn fields(s: &str) -> HashMap<&str, &str> {
    s.split('\x01')
        .filter_map(|kv| kv.split_once('\x02'))
        .collect()
}

/// Read Verilator's coverage file `text` (from `path`, for errors) into toggles per net of
/// `netlist` over `cycles` cycles. Every net must have both of its points (a net without
/// them would silently count as idle): the error names the first that has not.
pub fn read_coverage(
    text: &str,
    path: &str,
    netlist: &Netlist,
    cycles: u64,
) -> Result<Toggles, SynthError> {
    if cycles == 0 {
        return Err(SynthError::Energy(format!(
            "{path}: toggles over 0 cycles: no activity measured"
        )));
    }
    // the names the Verilator netlist gives each net (port names unescaped)
    let names = netlist.written_net_names(&verilator_name);
    let by_name: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(n, s)| (s.as_str(), n))
        .collect();
    let mut per_net = vec![0u64; netlist.n_nets];
    let mut seen = vec![0u8; netlist.n_nets];
    let top_scope = format!("TOP.{}", netlist.top);
    for (ln, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("C '") else {
            continue;
        };
        let Some((body, count)) = rest.rsplit_once("' ") else {
            return Err(SynthError::Energy(format!(
                "{path}:{}: unreadable coverage point",
                ln + 1
            )));
        };
        let f = fields(body);
        if f.get("page").is_some_and(|p| !p.starts_with("v_toggle")) {
            continue;
        }
        if f.get("h").is_some_and(|h| *h != top_scope) {
            continue;
        }
        let Some(o) = f.get("o") else { continue };
        let Some((name, dir)) = o.rsplit_once(':') else {
            continue;
        };
        if dir != "0->1" && dir != "1->0" {
            continue;
        }
        let c: u64 = count
            .trim()
            .parse()
            .map_err(|_| SynthError::Energy(format!("{path}:{}: bad count `{count}`", ln + 1)))?;
        if let Some(&n) = by_name.get(name) {
            per_net[n] += c;
            seen[n] |= if dir == "0->1" { 1 } else { 2 };
        }
    }
    // nets that are only constants never appear; every real net must
    let touched = touched_nets(netlist);
    if let Some(n) = (0..netlist.n_nets).find(|&n| seen[n] != 3 && touched[n]) {
        return Err(SynthError::Energy(format!(
            "{path}: no toggle coverage for net {} ({}): was the netlist built with --coverage-toggle?",
            names[n],
            netlist.net_names[n]
        )));
    }
    Ok(Toggles { cycles, per_net })
}

/// Which nets touch a cell pin.
fn touched_nets(netlist: &Netlist) -> Vec<bool> {
    let mut t = vec![false; netlist.n_nets];
    for c in &netlist.cells {
        for (_, p) in &c.pins {
            if let Conn::Net(n) = p {
                t[*n] = true;
            }
        }
    }
    t
}
