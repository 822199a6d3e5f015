//! VCD of the reference model, written with the `vcd` crate.
//!
//! Timeline (the same as the Verilator harness's `--trace` dump): timescale 1 ns, one
//! clock cycle = 10 ns; cycle i applies its inputs with `clock` low at t = 10 i and
//! clocks at t = 10 i + 5, where the registered outputs change.
//! Scopes and names follow the exported Verilog: `top` (ports), `top.ffe`
//! (`adc`, `y`) with `top.ffe.group$j.tap$i` (`x_out`, `p`), `top.slicer` (`y`, `symbol`,
//! `gray`, `err`) and `top.cdr` (`phase`, `lock`, `freq`), so GTKWave shows the model and the RTL under the same names.
//! [`read_vcd`] reads any VCD (ours or Verilator's) back into per-signal value lists.

use crate::model::RxModel;
use cporx_spec::*;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use vcd::{IdCode, TimescaleUnit, Value};

struct Sig {
    id: IdCode,
    width: u32,
    last: Option<u64>,
}

pub struct ModelVcd<W: Write> {
    w: vcd::Writer<W>,
    sigs: Vec<Sig>,
    n_taps: usize,
    cycle: u64,
}

// indices into `sigs`
const CLOCK: usize = 0;
const RST: usize = 1;
const CFG_WE: usize = 2;
const CFG_ADDR: usize = 3;
const CFG_DATA: usize = 4;
const ADC: usize = 5;
const Y: usize = 6;
const SYMBOL: usize = 7;
const GRAY: usize = 8;
const ERR: usize = 9;
const FFE_ADC: usize = 10;
const FFE_Y: usize = 11;
const TAPS: usize = 12; // x_out, p for each tap, then the slicer's four
const SL_Y: usize = 0; // offsets from TAPS + 2 * n_taps
const SL_SYMBOL: usize = 1;
const SL_GRAY: usize = 2;
const SL_ERR: usize = 3;

impl<W: Write> ModelVcd<W> {
    pub fn new(out: W, n_taps: usize) -> std::io::Result<Self> {
        let mut w = vcd::Writer::new(out);
        w.version("cporx reference model")?;
        w.timescale(1, TimescaleUnit::NS)?;
        let mut sigs = Vec::new();
        let mut add = |w: &mut vcd::Writer<W>, width: usize, name: &str| -> std::io::Result<()> {
            let id = w.add_wire(width as u32, name)?;
            sigs.push(Sig {
                id,
                width: width as u32,
                last: None,
            });
            Ok(())
        };
        w.add_module("top")?;
        for (n, b) in [
            ("clock", 1),
            ("rst", 1),
            ("cfg_we", 1),
            ("cfg_addr", CFG_ADDR_BITS),
            ("cfg_data", CFG_DATA_BITS),
            ("adc", ADC_BITS),
            ("y", Y_BITS),
            ("symbol", 2),
            ("gray", 2),
            ("err", ERR_BITS),
        ] {
            add(&mut w, b, n)?;
        }
        w.add_module("ffe")?;
        add(&mut w, ADC_BITS, "adc")?;
        add(&mut w, Y_BITS, "y")?;
        // taps sit in adder groups of FFE_GROUP, as in the RTL: top.ffe.group$j.tap$i
        for k in 0..n_taps {
            if k % FFE_GROUP == 0 {
                w.add_module(&format!("group${}", k / FFE_GROUP))?;
            }
            w.add_module(&format!("tap${}", k % FFE_GROUP))?;
            add(&mut w, ADC_BITS, "x_out")?;
            add(&mut w, ACC_BITS, "p")?;
            w.upscope()?;
            if k % FFE_GROUP == FFE_GROUP - 1 || k == n_taps - 1 {
                w.upscope()?;
            }
        }
        w.upscope()?;
        w.add_module("slicer")?;
        add(&mut w, Y_BITS, "y")?;
        add(&mut w, 2, "symbol")?;
        add(&mut w, 2, "gray")?;
        add(&mut w, ERR_BITS, "err")?;
        w.upscope()?;
        w.add_module("cdr")?;
        add(&mut w, PI_BITS, "phase")?;
        add(&mut w, 1, "lock")?;
        add(&mut w, FREQ_BITS, "freq")?;
        w.upscope()?;
        // the top's CDR ports last, so the fixed indices above stay put
        add(&mut w, PI_BITS, "phase")?;
        add(&mut w, 1, "lock")?;
        add(&mut w, FREQ_BITS, "freq")?;
        w.upscope()?;
        w.enddefinitions()?;
        Ok(ModelVcd {
            w,
            sigs,
            n_taps,
            cycle: 0,
        })
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

    /// Record one cycle: `i` applied with the clock low, then the state after the edge.
    pub fn cycle(&mut self, i: &RxIn, m: &RxModel) -> std::io::Result<()> {
        let t = self.cycle * 10;
        self.w.timestamp(t)?;
        self.set(CLOCK, 0)?;
        self.set(RST, i.rst as i64)?;
        self.set(CFG_WE, i.cfg_we as i64)?;
        self.set(CFG_ADDR, i.cfg_addr as i64)?;
        self.set(CFG_DATA, i.cfg_data as i64)?;
        self.set(ADC, i.adc as i64)?;
        self.set(FFE_ADC, i.adc as i64)?;
        if self.cycle == 0 {
            // power-up: every register (and so every output) starts at 0 (docs/numerics.md)
            for k in Y..self.sigs.len() {
                if k != FFE_ADC {
                    self.set(k, 0)?;
                }
            }
        }
        self.w.timestamp(t + 5)?;
        self.set(CLOCK, 1)?;
        let o = m.outputs();
        self.set(Y, o.y as i64)?;
        self.set(SYMBOL, o.symbol as i64)?;
        self.set(GRAY, o.gray as i64)?;
        self.set(ERR, o.err as i64)?;
        self.set(FFE_Y, o.y as i64)?;
        let sl = TAPS + 2 * self.n_taps;
        self.set(sl + SL_Y, o.y as i64)?;
        self.set(sl + SL_SYMBOL, o.symbol as i64)?;
        self.set(sl + SL_GRAY, o.gray as i64)?;
        self.set(sl + SL_ERR, o.err as i64)?;
        for k in 0..self.n_taps {
            self.set(TAPS + 2 * k, m.ffe.x[k].to_bits() as i64)?;
            self.set(TAPS + 2 * k + 1, m.ffe.tap_p(k) as i64)?;
        }
        // cdr scope, then the top's CDR ports
        let cdr = sl + 4;
        for base in [cdr, cdr + 3] {
            self.set(base, o.phase as i64)?;
            self.set(base + 1, o.lock as i64)?;
            self.set(base + 2, o.freq as i64)?;
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
        RxModel::new(p).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut v = ModelVcd::new(out, p.n_taps)?;
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
