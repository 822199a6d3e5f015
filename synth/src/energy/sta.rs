//! OpenSTA's `report_power` on the cell netlist with the measured activities.
//!
//! The found `sta` ([`find_sta`]) reads the liberty and the netlist written with plain
//! port names, a clock on `clock` at the configuration's clock period, input delays 0
//! against it and a stated input transition on every input, the wire capacitance of
//! every net as `set_load` on the net ([`StaInputs::wire_pf`]), no load on the outputs.
//! Activities: `sta::set_power_input_port_activity` on every input port bit but the
//! clock, and `sta::set_power_pin_activity` on every pin of every cell but the clock pins
//! (the 2019 build's `set_power_activity -pins` calls an undefined `get_pins_error`);
//! a pin's activity is its net's toggles per clock cycle, the duty 0.5 (duty only steers
//! OpenSTA's own propagation, which setting every pin overrides). That build drops
//! activities set before its first `report_power`, so the script calls it once first.
//! The clock pins get the clock's own activity (two transitions per period).
//!
//! Output: per cell, internal, switching and leakage power (W), from `report_power
//! -instances`, and the design's total (which also holds the switching power of the nets
//! the input ports drive: no cell drives them).

use super::activity::Toggles;
use super::netlist::{plain_name, Conn, Dir, Netlist};
use crate::SynthError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Overrides the lookup of OpenSTA's `sta`.
pub const STA_ENV: &str = "CPORX_STA";
/// Overrides the lookup of the liberty.
pub const LIBERTY_ENV: &str = "CPORX_LIBERTY";
/// Where `scripts/setup-tools.sh` unpacks Debian's opensta (under the checkout).
pub const STA_REL: &str = ".tools/opensta/usr/bin/sta";
/// Where it puts the OSU 0.18 um liberty.
pub const LIBERTY_REL: &str = ".tools/osu018/osu018_stdcells.lib";

const SETUP_HINT: &str = "run `scripts/setup-tools.sh` (unpacks Debian's opensta \
    0~20191111gitc018cb2+dfsg-1 and qflow-tech-osu018 1.3.17+dfsg.1-3 into .tools/, no root)";

/// OpenSTA: `$CPORX_STA`, `.tools/opensta/usr/bin/sta` of the checkout, `sta` on PATH.
pub fn find_sta() -> Result<PathBuf, SynthError> {
    cporx_spec::paths::find("OpenSTA (sta)", None, Some(STA_ENV), STA_REL)
        .or_else(|e| cporx_spec::paths::on_path("sta").ok_or(e))
        .map_err(|looked| SynthError::ToolNotFound {
            tool: "OpenSTA (sta)",
            looked: format!("{looked}; and `sta` on PATH"),
            install: SETUP_HINT.to_string(),
        })
}

/// The liberty: `$CPORX_LIBERTY`, else `.tools/osu018/osu018_stdcells.lib` of the checkout.
pub fn find_liberty(flag: Option<&Path>) -> Result<PathBuf, SynthError> {
    cporx_spec::paths::find(
        "the OSU 0.18 um liberty (osu018_stdcells.lib)",
        Some(("--liberty", flag)),
        Some(LIBERTY_ENV),
        LIBERTY_REL,
    )
    .map_err(|looked| SynthError::ToolNotFound {
        tool: "the standard-cell liberty",
        looked,
        install: SETUP_HINT.to_string(),
    })
}

/// What OpenSTA is given besides the netlist.
#[derive(Clone, Debug)]
pub struct StaInputs {
    pub clock_period_ns: f64,
    /// transition time of every input (and of the ideal clock), ns
    pub input_transition_ns: f64,
    /// wire capacitance per net, pF (`set_load` on the net)
    pub wire_pf: Vec<f64>,
}

/// Power of one cell, W.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CellPower {
    pub internal: f64,
    pub switching: f64,
    pub leakage: f64,
}

impl CellPower {
    pub fn total(&self) -> f64 {
        self.internal + self.switching + self.leakage
    }
    pub fn add(&mut self, o: &CellPower) {
        self.internal += o.internal;
        self.switching += o.switching;
        self.leakage += o.leakage;
    }
}

#[derive(Clone, Debug)]
pub struct StaPower {
    /// per cell of the netlist
    pub cells: Vec<CellPower>,
    /// the design total OpenSTA printed
    pub total: CellPower,
    pub seconds: f64,
}

/// The clock port's net.
pub fn clock_net(n: &Netlist) -> Option<usize> {
    n.ports
        .iter()
        .find(|p| p.name == "clock" && p.dir == Dir::Input)
        .and_then(|p| match p.bits.first() {
            Some(Conn::Net(k)) => Some(*k),
            _ => None,
        })
}

/// The Tcl script (run in a folder holding `cells.lib` and `sta.v`).
pub fn script(n: &Netlist, t: &Toggles, inp: &StaInputs) -> String {
    let names = n.written_net_names(&plain_name);
    let clk = clock_net(n);
    let mut s = String::from("read_liberty cells.lib\nread_verilog sta.v\n");
    s += &format!("link_design {}\n", n.top);
    s += &format!(
        "create_clock -name clk -period {} [get_ports clock]\n",
        inp.clock_period_ns
    );
    let inputs: Vec<String> = n
        .ports
        .iter()
        .filter(|p| p.dir == Dir::Input && p.name != "clock")
        .map(|p| plain_name(&p.name))
        .collect();
    if !inputs.is_empty() {
        s += &format!(
            "set_input_delay 0 -clock clk [get_ports {{{}}}]\n",
            inputs.join(" ")
        );
    }
    s += &format!(
        "set_input_transition {} [all_inputs]\n",
        inp.input_transition_ns
    );
    for (k, &c) in inp.wire_pf.iter().enumerate() {
        if c > 0.0 {
            s += &format!("set_load {c:.6e} [get_nets {{{}}}]\n", names[k]);
        }
    }
    s += "report_power > /dev/null\n";
    for (pi, p) in n
        .ports
        .iter()
        .enumerate()
        .filter(|(_, p)| p.dir == Dir::Input && p.name != "clock")
    {
        for (bi, c) in p.bits.iter().enumerate() {
            let a = match c {
                Conn::Net(k) => t.activity(*k),
                Conn::Const(_) => 0.0,
            };
            let name = n.port_bit_name(pi, bi, &plain_name);
            s +=
                &format!("sta::set_power_input_port_activity [get_ports {{{name}}}] {a:.8e} 0.5\n");
        }
    }
    for (k, c) in n.cells.iter().enumerate() {
        for (pin, conn) in &c.pins {
            let a = match conn {
                Conn::Net(m) if Some(*m) == clk => continue,
                Conn::Net(m) => t.activity(*m),
                Conn::Const(_) => 0.0,
            };
            s += &format!("sta::set_power_pin_activity [get_pins {{c{k}/{pin}}}] {a:.8e} 0.5\n");
        }
    }
    s += "puts \"== total\"\nreport_power -digits 8\n";
    s += "puts \"== instances\"\nreport_power -instances [get_cells *] -digits 8\n";
    s
}

/// The environment the Debian build of `sta` needs when it is the one unpacked under
/// `.tools/opensta` (its shared libraries and Tcl's library folder).
fn sta_command(sta: &Path) -> Command {
    let mut c = Command::new(sta);
    // .../opensta/usr/bin/sta -> .../opensta
    if let Some(root) = sta
        .parent()
        .and_then(|b| b.parent())
        .and_then(|u| u.parent())
    {
        let tcl = root.join("usr/share/tcltk/tcl8.6");
        if tcl.is_dir() {
            let mut ld = format!(
                "{}:{}",
                root.join("usr/lib/x86_64-linux-gnu").display(),
                root.join("lib/x86_64-linux-gnu").display()
            );
            if let Some(old) = std::env::var_os("LD_LIBRARY_PATH").filter(|v| !v.is_empty()) {
                ld = format!("{ld}:{}", old.to_string_lossy());
            }
            c.env("LD_LIBRARY_PATH", ld).env("TCL_LIBRARY", tcl);
        }
    }
    c
}

/// Run OpenSTA in `dir` on `n` with activities `t`; `liberty` is copied in.
pub fn report_power(
    n: &Netlist,
    t: &Toggles,
    inp: &StaInputs,
    liberty: &Path,
    dir: &Path,
) -> Result<StaPower, SynthError> {
    let sta = find_sta()?;
    std::fs::create_dir_all(dir).map_err(|e| SynthError::io(dir, e))?;
    let w = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| SynthError::io(&p, e))
    };
    std::fs::copy(liberty, dir.join("cells.lib")).map_err(|e| SynthError::io(liberty, e))?;
    w("sta.v", &n.to_verilog(&plain_name))?;
    w("power.tcl", &script(n, t, inp))?;
    let log = dir.join("sta.log");
    let t0 = std::time::Instant::now();
    let out = sta_command(&sta)
        .current_dir(dir)
        .args(["-no_init", "-no_splash", "-exit", "power.tcl"])
        .output()
        .map_err(|e| SynthError::io(&sta, e))?;
    let seconds = t0.elapsed().as_secs_f64();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    std::fs::write(&log, &text).map_err(|e| SynthError::io(&log, e))?;
    let fail = |why: String| SynthError::ToolFailed {
        tool: "OpenSTA (sta)",
        status: why,
        log: log.clone(),
        tail: crate::tools::log_tail(&log, 20),
    };
    if !out.status.success() {
        return Err(fail(out.status.to_string()));
    }
    if let Some(l) = text.lines().find(|l| l.starts_with("Error")) {
        return Err(fail(format!("reported `{l}`")));
    }
    parse_report(&text, n.cells.len())
        .map_err(fail)
        .map(|(cells, total)| StaPower {
            cells,
            total,
            seconds,
        })
}

/// Parse the script's output: the `Total` row after `== total`, and one row per cell
/// (`internal switching leakage total c<k>`) after `== instances`.
pub fn parse_report(text: &str, n_cells: usize) -> Result<(Vec<CellPower>, CellPower), String> {
    let (before, inst) = text
        .split_once("== instances")
        .ok_or("no per-instance report")?;
    let tot = before.split_once("== total").ok_or("no total report")?.1;
    let nums = |l: &str| -> Vec<f64> {
        l.split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok())
            .collect()
    };
    let total_line = tot
        .lines()
        .find(|l| l.trim_start().starts_with("Total"))
        .ok_or("no Total row")?;
    let v = nums(total_line);
    if v.len() < 4 {
        return Err(format!("unreadable Total row `{total_line}`"));
    }
    let total = CellPower {
        internal: v[0],
        switching: v[1],
        leakage: v[2],
    };
    let mut cells = vec![None; n_cells];
    for l in inst.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() != 5 {
            continue;
        }
        let Some(k) = w[4].strip_prefix('c').and_then(|k| k.parse::<usize>().ok()) else {
            continue;
        };
        let v: Vec<f64> = w[..4].iter().filter_map(|x| x.parse().ok()).collect();
        if v.len() != 4 || k >= n_cells {
            continue;
        }
        cells[k] = Some(CellPower {
            internal: v[0],
            switching: v[1],
            leakage: v[2],
        });
    }
    let missing = cells.iter().filter(|c| c.is_none()).count();
    if missing > 0 {
        return Err(format!(
            "{missing} of {n_cells} cells missing from the per-instance report"
        ));
    }
    Ok((cells.into_iter().map(|c| c.unwrap()).collect(), total))
}
