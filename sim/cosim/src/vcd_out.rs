//! VCD of the reference model, written with the `vcd` crate.
//!
//! Timeline (the same as the Verilator harness's `--trace` dump): timescale 1 ns, one
//! clock cycle = 10 ns; cycle i applies its inputs with `clock` low at t = 10 i and
//! clocks at t = 10 i + 5, where the registered outputs change.
//! Scopes and names follow the exported Verilog: `top` (ports), `top.ffe` (`adc$j`, `y$j`)
//! with `top.ffe.lane$j.group$g.mul$i` (`p`), `top.slicer` (`y$j`, `symbol$j`, `gray$j`,
//! `err$j`; `top.dfe` in a design with the DFE) and `top.cdr` (`symbol$j`, `err$j`, `phase`, `lock`, `freq`), so GTKWave shows
//! the model and the RTL under the same names.
//! [`read_vcd`] reads any VCD (ours or Verilator's) back into per-signal value lists.

use cporx_model::RxTopModel;
use cporx_spec::*;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use vcd::{IdCode, TimescaleUnit, Value};

struct Sig {
    id: IdCode,
    width: u32,
    last: Option<u64>,
    get: Probe,
}

/// Where a traced signal's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Probe {
    Clock,
    Rst,
    CfgWe,
    CfgAddr,
    CfgData,
    Adc(usize),
    Y(usize),
    Symbol(usize),
    Gray(usize),
    Err(usize),
    /// lane j, tap k product register
    Prod(usize, usize),
    Phase,
    Lock,
    Freq,
    Gain,
    RdData,
}

/// One traced signal of [`trace_table`]: where it sits, what it is called, how wide it
/// is and whether its bits are a two's-complement number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSig {
    /// Scope path from the root, outermost first: `["top"]`, `["top", "ffe"]`,
    /// `["top", "ffe", "lane$0", "group$0", "mul$1"]`.
    pub scope: Vec<String>,
    /// The signal's name in its scope (`clock`, `y$0`, `p`).
    pub name: String,
    /// Width in bits.
    pub width: usize,
    /// How its bits read as a number (GTKWave's format for it, [`crate::gtkw`]).
    pub radix: Radix,
    probe: Probe,
}

/// How a traced signal's bits read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    /// A 1-bit signal.
    Bit,
    /// A bit pattern or register address/data: hexadecimal.
    Hex,
    /// An unsigned number (the PI code `phase`, the gain code): decimal.
    Unsigned,
    /// A two's-complement number (ADC codes, `y`, `err`, the FFE products, `freq`).
    Signed,
}

impl TraceSig {
    /// The block the signal belongs to: the scope below `top` (`ffe`, `slicer`, `cdr`),
    /// or `top` for the top's own ports.
    pub fn block(&self) -> &str {
        self.scope.get(1).unwrap_or(&self.scope[0])
    }
    /// A display name for a signal whose own name says too little: the FFE products,
    /// all `p`, as `p lane 0 tap 2` (no dots: GTKWave shortens at them).
    pub fn alias(&self) -> Option<String> {
        match self.probe {
            Probe::Prod(j, k) => Some(format!("p lane {j} tap {k}")),
            _ => None,
        }
    }
    /// The full dotted path (`top.ffe.y$0`), as [`read_vcd`] names it.
    pub fn path(&self) -> String {
        format!("{}.{}", self.scope.join("."), self.name)
    }
}

/// Every signal the model's VCD traces, in declaration order, for the receive top of `p`
/// (its taps, lanes, and the slicer's block: `top.slicer`, or `top.dfe` in a design with
/// the DFE, as the RTL names the instance). The one table of the VCD's scopes and names: the VCD
/// writer ([`ModelVcd`]) declares exactly these, and the GTKWave save file
/// ([`crate::gtkw`]) lists exactly these. Scopes and names follow the exported Verilog,
/// so Verilator's trace of the RTL holds the same signals below its `TOP` scope.
pub fn trace_table(p: &RxParams) -> Vec<TraceSig> {
    let (n_taps, lanes) = (p.n_taps, p.lanes);
    let mut t = Vec::new();
    let mut add = |scope: &[String], width: usize, name: &str, probe: Probe| {
        let radix = match probe {
            _ if width == 1 => Radix::Bit,
            Probe::Adc(_) | Probe::Y(_) | Probe::Err(_) | Probe::Prod(..) | Probe::Freq => {
                Radix::Signed
            }
            Probe::Phase | Probe::Gain | Probe::Symbol(_) => Radix::Unsigned,
            _ => Radix::Hex,
        };
        t.push(TraceSig {
            scope: scope.to_vec(),
            name: name.to_string(),
            width,
            radix,
            probe,
        });
    };
    // per-lane signals, named as rust-hdl exports vector ports: `name$j`
    let lane = |n: &str, j: usize| format!("{n}${j}");
    let s = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let top = s(&["top"]);
    add(&top, 1, "clock", Probe::Clock);
    add(&top, 1, "rst", Probe::Rst);
    add(&top, 1, "cfg_we", Probe::CfgWe);
    add(&top, CFG_ADDR_BITS, "cfg_addr", Probe::CfgAddr);
    add(&top, CFG_DATA_BITS, "cfg_data", Probe::CfgData);
    for j in 0..lanes {
        add(&top, ADC_BITS, &lane("adc", j), Probe::Adc(j));
        add(&top, Y_BITS, &lane("y", j), Probe::Y(j));
        add(&top, 2, &lane("symbol", j), Probe::Symbol(j));
        add(&top, 2, &lane("gray", j), Probe::Gray(j));
        add(&top, ERR_BITS, &lane("err", j), Probe::Err(j));
    }
    add(&top, PI_BITS, "phase", Probe::Phase);
    add(&top, 1, "lock", Probe::Lock);
    add(&top, FREQ_BITS, "freq", Probe::Freq);
    add(&top, GAIN_BITS, "gain", Probe::Gain);
    add(&top, CFG_DATA_BITS, "rd_data", Probe::RdData);
    let ffe = s(&["top", "ffe"]);
    for j in 0..lanes {
        add(&ffe, ADC_BITS, &lane("adc", j), Probe::Adc(j));
        add(&ffe, Y_BITS, &lane("y", j), Probe::Y(j));
    }
    // the multipliers sit in adder groups of FFE_GROUP per lane, as in the RTL:
    // top.ffe.lane$j.group$g.mul$i
    for j in 0..lanes {
        for k in 0..n_taps {
            let mut sc = ffe.clone();
            sc.extend([
                lane("lane", j),
                lane("group", k / FFE_GROUP),
                lane("mul", k % FFE_GROUP),
            ]);
            add(&sc, ACC_BITS, "p", Probe::Prod(j, k));
        }
    }
    let slicer = s(&["top", if p.dfe_taps > 0 { "dfe" } else { "slicer" }]);
    for j in 0..lanes {
        add(&slicer, Y_BITS, &lane("y", j), Probe::Y(j));
        add(&slicer, 2, &lane("symbol", j), Probe::Symbol(j));
        add(&slicer, 2, &lane("gray", j), Probe::Gray(j));
        add(&slicer, ERR_BITS, &lane("err", j), Probe::Err(j));
    }
    let cdr = s(&["top", "cdr"]);
    for j in 0..lanes {
        add(&cdr, 2, &lane("symbol", j), Probe::Symbol(j));
        add(&cdr, ERR_BITS, &lane("err", j), Probe::Err(j));
    }
    add(&cdr, PI_BITS, "phase", Probe::Phase);
    add(&cdr, 1, "lock", Probe::Lock);
    add(&cdr, FREQ_BITS, "freq", Probe::Freq);
    t
}

pub struct ModelVcd<W: Write> {
    w: vcd::Writer<W>,
    sigs: Vec<Sig>,
    cycle: u64,
    /// the model's outputs at power-up, before the first edge (`RxTopModel::outputs` of a
    /// new model): every register 0, so 0 but the gain code, which is the constant
    /// GAIN_UNITY in a design without the AGC and its register (0) in one with it
    power_up: RxOut,
}

impl<W: Write> ModelVcd<W> {
    /// A VCD writer for the receive top of `p` (its taps, lanes, and the slicer's block:
    /// `top.slicer`, or `top.dfe` in a design with the DFE, as the RTL names the instance)
    /// whose outputs at power-up (before the first edge) are `power_up`
    /// (`RxTopModel::outputs` of the new model).
    /// Declares the signals of [`trace_table`], in its order, opening and closing scopes
    /// as the table's scope paths change.
    pub fn new(out: W, p: &RxParams, power_up: &RxOut) -> std::io::Result<Self> {
        let mut w = vcd::Writer::new(out);
        w.version("cporx reference model")?;
        w.timescale(1, TimescaleUnit::NS)?;
        let mut sigs = Vec::new();
        let mut open: Vec<String> = Vec::new();
        for t in trace_table(p) {
            let common = open
                .iter()
                .zip(&t.scope)
                .take_while(|(a, b)| a == b)
                .count();
            while open.len() > common {
                w.upscope()?;
                open.pop();
            }
            for sc in &t.scope[common..] {
                w.add_module(sc)?;
                open.push(sc.clone());
            }
            let id = w.add_wire(t.width as u32, &t.name)?;
            sigs.push(Sig {
                id,
                width: t.width as u32,
                last: None,
                get: t.probe,
            });
        }
        for _ in open {
            w.upscope()?;
        }
        w.enddefinitions()?;
        Ok(ModelVcd {
            w,
            sigs,
            cycle: 0,
            power_up: *power_up,
        })
    }

    /// Number of traced signals.
    pub fn signals(&self) -> usize {
        self.sigs.len()
    }

    fn set(&mut self, k: usize, v: i64) -> std::io::Result<()> {
        let s = &mut self.sigs[k];
        let raw = (v as u64)
            & if s.width >= 64 {
                u64::MAX
            } else {
                (1u64 << s.width) - 1
            };
        if s.last == Some(raw) {
            return Ok(());
        }
        s.last = Some(raw);
        if s.width == 1 {
            self.w.change_scalar(s.id, raw == 1)
        } else {
            let width = s.width;
            self.w.change_vector(
                s.id,
                (0..width).rev().map(|b| {
                    if raw >> b & 1 == 1 {
                        Value::V1
                    } else {
                        Value::V0
                    }
                }),
            )
        }
    }

    /// A traced output's value at power-up (0 for the inputs and the products).
    fn power_up_value(&self, get: Probe) -> i64 {
        let o = &self.power_up;
        match get {
            Probe::Y(j) => o.lane[j].y as i64,
            Probe::Symbol(j) => o.lane[j].symbol as i64,
            Probe::Gray(j) => o.lane[j].gray as i64,
            Probe::Err(j) => o.lane[j].err as i64,
            Probe::Phase => o.phase as i64,
            Probe::Lock => o.lock as i64,
            Probe::Freq => o.freq as i64,
            Probe::Gain => o.gain as i64,
            Probe::RdData => o.rd_data as i64,
            _ => 0,
        }
    }

    /// Record one cycle: `i` applied with the clock low, then the state after the edge.
    pub fn cycle(&mut self, i: &RxIn, m: &RxTopModel) -> std::io::Result<()> {
        let t = self.cycle * 10;
        self.w.timestamp(t)?;
        let o = m.outputs();
        for k in 0..self.sigs.len() {
            // inputs change with the clock low; before the first edge the outputs are the
            // power-up ones (every register 0, docs/numerics.md; the products too)
            let v = match self.sigs[k].get {
                Probe::Clock => Some(0),
                Probe::Rst => Some(i.rst as i64),
                Probe::CfgWe => Some(i.cfg_we as i64),
                Probe::CfgAddr => Some(i.cfg_addr as i64),
                Probe::CfgData => Some(i.cfg_data as i64),
                Probe::Adc(j) => Some(i.adc[j] as i64),
                _ if self.cycle == 0 => Some(self.power_up_value(self.sigs[k].get)),
                _ => None,
            };
            if let Some(v) = v {
                self.set(k, v)?;
            }
        }
        self.w.timestamp(t + 5)?;
        for k in 0..self.sigs.len() {
            let v = match self.sigs[k].get {
                Probe::Clock => 1,
                Probe::Y(j) => o.lane[j].y as i64,
                Probe::Symbol(j) => o.lane[j].symbol as i64,
                Probe::Gray(j) => o.lane[j].gray as i64,
                Probe::Err(j) => o.lane[j].err as i64,
                Probe::Prod(j, t) => m.ffe.tap_p(j, t) as i64,
                Probe::Phase => o.phase as i64,
                Probe::Lock => o.lock as i64,
                Probe::Freq => o.freq as i64,
                Probe::Gain => o.gain as i64,
                Probe::RdData => o.rd_data as i64,
                _ => continue,
            };
            self.set(k, v)?;
        }
        self.cycle += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.w.timestamp(self.cycle * 10)?;
        self.w.flush()
    }
}

/// Run the model over `stim` from power-up, writing a VCD to `out`. Returns the outputs.
pub fn run_model_with_vcd<W: Write>(
    p: &RxParams,
    stim: &[RxIn],
    out: W,
) -> std::io::Result<Vec<RxOut>> {
    let mut m =
        RxTopModel::new(p).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut v = ModelVcd::new(out, p, &m.outputs())?;
    let mut res = Vec::with_capacity(stim.len());
    for i in stim {
        res.push(m.step(i));
        v.cycle(i, &m)?;
    }
    v.finish()?;
    Ok(res)
}

/// A VCD read back: full dotted path -> (time, value) changes, values as raw bit patterns
/// (x and z read as 0).
pub type Waves = BTreeMap<String, Vec<(u64, u64)>>;

pub fn read_vcd<R: BufRead>(r: R) -> std::io::Result<Waves> {
    let mut p = vcd::Parser::new(r);
    let header = p.parse_header()?;
    let mut ids: BTreeMap<IdCode, Vec<String>> = BTreeMap::new();
    fn walk(items: &[vcd::ScopeItem], path: &str, ids: &mut BTreeMap<IdCode, Vec<String>>) {
        for it in items {
            match it {
                vcd::ScopeItem::Scope(s) => {
                    walk(&s.items, &format!("{path}{}.", s.identifier), ids)
                }
                vcd::ScopeItem::Var(v) => ids
                    .entry(v.code)
                    .or_default()
                    .push(format!("{path}{}", v.reference)),
                _ => {}
            }
        }
    }
    walk(&header.items, "", &mut ids);
    let mut waves: Waves = BTreeMap::new();
    let mut t = 0u64;
    let bits = |vals: &[Value]| {
        vals.iter()
            .fold(0u64, |a, v| a << 1 | (*v == Value::V1) as u64)
    };
    for cmd in p {
        let (id, v) = match cmd? {
            vcd::Command::Timestamp(ts) => {
                t = ts;
                continue;
            }
            vcd::Command::ChangeScalar(id, v) => (id, (v == Value::V1) as u64),
            vcd::Command::ChangeVector(id, v) => (id, bits(&Vec::<Value>::from(v))),
            _ => continue,
        };
        if let Some(names) = ids.get(&id) {
            for n in names {
                waves.entry(n.clone()).or_default().push((t, v));
            }
        }
    }
    Ok(waves)
}

/// The value of a signal at time `t` (the last change at or before `t`).
pub fn value_at(changes: &[(u64, u64)], t: u64) -> Option<u64> {
    let k = changes.partition_point(|&(ct, _)| ct <= t);
    if k == 0 {
        None
    } else {
        Some(changes[k - 1].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gain code before the first edge: the constant GAIN_UNITY without the AGC, the
    /// gain register's power-up 0 with it (as the RTL: verif/cocotb's VCD check); after a
    /// reset both show the reset gain.
    #[test]
    fn power_up_gain_is_the_designs() {
        let fixed = RxParams::default();
        let agc = RxParams {
            adapt: Some(AdaptParams::default()),
            ..RxParams::default()
        };
        for (p, before) in [(&fixed, GAIN_UNITY as u64), (&agc, 0)] {
            let mut buf = Vec::new();
            run_model_with_vcd(p, &[RxIn::reset(), RxIn::default()], &mut buf).unwrap();
            let w = read_vcd(std::io::BufReader::new(&buf[..])).unwrap();
            let g = &w["top.gain"];
            assert_eq!(
                value_at(g, 0),
                Some(before),
                "adapt {:?}",
                p.adapt.is_some()
            );
            let after = RxTopModel::new(p)
                .map(|mut m| m.step(&RxIn::reset()).gain)
                .unwrap();
            assert_eq!(value_at(g, 5), Some(after as u64));
        }
    }

    /// The slicer's scope is the RTL's instance: `top.slicer`, or `top.dfe` with the DFE.
    #[test]
    fn slicer_scope_follows_the_design() {
        let dfe = RxParams {
            dfe_taps: 1,
            ..RxParams::default()
        };
        for (p, scope, other) in [
            (&RxParams::default(), "slicer", "dfe"),
            (&dfe, "dfe", "slicer"),
        ] {
            let mut buf = Vec::new();
            run_model_with_vcd(p, &[RxIn::reset()], &mut buf).unwrap();
            let w = read_vcd(std::io::BufReader::new(&buf[..])).unwrap();
            for n in ["y$0", "symbol$0", "gray$0", "err$0"] {
                assert!(
                    w.contains_key(&format!("top.{scope}.{n}")),
                    "top.{scope}.{n}"
                );
                assert!(
                    !w.contains_key(&format!("top.{other}.{n}")),
                    "top.{other}.{n}"
                );
            }
        }
    }
}
