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
#[derive(Clone, Copy)]
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
    pub fn new(out: W, p: &RxParams, power_up: &RxOut) -> std::io::Result<Self> {
        let (n_taps, lanes) = (p.n_taps, p.lanes);
        let mut w = vcd::Writer::new(out);
        w.version("cporx reference model")?;
        w.timescale(1, TimescaleUnit::NS)?;
        let mut sigs = Vec::new();
        let mut add =
            |w: &mut vcd::Writer<W>, width: usize, name: &str, get: Probe| -> std::io::Result<()> {
                let id = w.add_wire(width as u32, name)?;
                sigs.push(Sig {
                    id,
                    width: width as u32,
                    last: None,
                    get,
                });
                Ok(())
            };
        // per-lane signals, named as rust-hdl exports vector ports: `name$j`
        let lane = |n: &str, j: usize| format!("{n}${j}");
        w.add_module("top")?;
        add(&mut w, 1, "clock", Probe::Clock)?;
        add(&mut w, 1, "rst", Probe::Rst)?;
        add(&mut w, 1, "cfg_we", Probe::CfgWe)?;
        add(&mut w, CFG_ADDR_BITS, "cfg_addr", Probe::CfgAddr)?;
        add(&mut w, CFG_DATA_BITS, "cfg_data", Probe::CfgData)?;
        for j in 0..lanes {
            add(&mut w, ADC_BITS, &lane("adc", j), Probe::Adc(j))?;
            add(&mut w, Y_BITS, &lane("y", j), Probe::Y(j))?;
            add(&mut w, 2, &lane("symbol", j), Probe::Symbol(j))?;
            add(&mut w, 2, &lane("gray", j), Probe::Gray(j))?;
            add(&mut w, ERR_BITS, &lane("err", j), Probe::Err(j))?;
        }
        add(&mut w, PI_BITS, "phase", Probe::Phase)?;
        add(&mut w, 1, "lock", Probe::Lock)?;
        add(&mut w, FREQ_BITS, "freq", Probe::Freq)?;
        add(&mut w, GAIN_BITS, "gain", Probe::Gain)?;
        add(&mut w, CFG_DATA_BITS, "rd_data", Probe::RdData)?;
        w.add_module("ffe")?;
        for j in 0..lanes {
            add(&mut w, ADC_BITS, &lane("adc", j), Probe::Adc(j))?;
            add(&mut w, Y_BITS, &lane("y", j), Probe::Y(j))?;
        }
        // the multipliers sit in adder groups of FFE_GROUP per lane, as in the RTL:
        // top.ffe.lane$j.group$g.mul$i
        for j in 0..lanes {
            w.add_module(&lane("lane", j))?;
            for k in 0..n_taps {
                if k % FFE_GROUP == 0 {
                    w.add_module(&lane("group", k / FFE_GROUP))?;
                }
                w.add_module(&lane("mul", k % FFE_GROUP))?;
                add(&mut w, ACC_BITS, "p", Probe::Prod(j, k))?;
                w.upscope()?;
                if k % FFE_GROUP == FFE_GROUP - 1 || k == n_taps - 1 {
                    w.upscope()?;
                }
            }
            w.upscope()?;
        }
        w.upscope()?;
        w.add_module(if p.dfe_taps > 0 { "dfe" } else { "slicer" })?;
        for j in 0..lanes {
            add(&mut w, Y_BITS, &lane("y", j), Probe::Y(j))?;
            add(&mut w, 2, &lane("symbol", j), Probe::Symbol(j))?;
            add(&mut w, 2, &lane("gray", j), Probe::Gray(j))?;
            add(&mut w, ERR_BITS, &lane("err", j), Probe::Err(j))?;
        }
        w.upscope()?;
        w.add_module("cdr")?;
        for j in 0..lanes {
            add(&mut w, 2, &lane("symbol", j), Probe::Symbol(j))?;
            add(&mut w, ERR_BITS, &lane("err", j), Probe::Err(j))?;
        }
        add(&mut w, PI_BITS, "phase", Probe::Phase)?;
        add(&mut w, 1, "lock", Probe::Lock)?;
        add(&mut w, FREQ_BITS, "freq", Probe::Freq)?;
        w.upscope()?;
        w.upscope()?;
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
