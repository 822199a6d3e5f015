//! Receive top model: the bit-exact, cycle-accurate model of FFE -> slicer -> CDR, with the
//! ports and cycle convention of `cporx_spec::ports`, P lanes per clock.
//!
//! Each block samples its upstream registers as they were before the edge: the CDR steps on
//! the slicer's outputs, the slicer on the FFE's output registers, then the FFE on the new
//! ADC block. `run_symbols` and `step_data` are data-only fast paths (no reset, no write)
//! with the same arithmetic (test `fast_path_matches_step`).
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate` in each block's `new`):
//! `lanes` P in {1, 2, 4, 8, 16}; `dfe_taps` 0 or 1 (1: the DFE decides in place of the
//! slicer, `dfe_reset` its tap's reset value); FFE `n_taps` N in 2 ..= 16 and `reset_coefs` (N Q2.6
//! codes, -128 ..= 127); slicer `thresholds` (3 Q7.1 codes, -128 ..= 127, non-decreasing)
//! and `targets` (4 Q7.1 codes, -128 ..= 127); CDR `cdr` (`kp` 0 ..= 15, `ki` 0 ..= 7,
//! `enable`, `integral`, `kick`, `lock_thr` 0 ..= 255, `lock_max` 0 ..= 255, `reset_phase`
//! 0 ..= 127).
//!
//! **Ports**: `RxTopModel::step(&RxIn) -> RxOut` is one cycle (apply the inputs, clock once,
//! read the outputs after the edge); `run(&[RxIn])` a stimulus; `outputs()` the registers
//! now. `RxIn`: `rst`, `cfg_we`, `cfg_addr`, `cfg_data`, `adc[0..P]`; `RxOut`: per lane `y`,
//! `symbol`, `gray`, `err`, shared `phase` (PI code), `lock`, `freq`; lanes >= P are zero.
//! `step_data(adc)` returns the PI code after the edge.
//!
//! **Formats**: those of the blocks (docs/numerics.md, "Formats"): ADC Q6.0, y Q7.1, err
//! Q8.1, freq signed 20 bits, phase a 7-bit PI code.
//!
//! **Latency**: FFE 6 (`LAT_FFE`) + slicer 1 (`LAT_SLICER`) = 7 (`LAT_TOP`) to the
//! decision, plus CDR 4 (`LAT_CDR`) = 11 to the phase code.
//!
//! **Reset**: `rst` resets every block in the same cycle (configuration registers to
//! `RxParams`, data registers to 0, the CDR phase to `reset_phase << 20`). Power-up
//! (`new`): every register 0, as the RTL's.
//!
//! See also: RTL `hdl/src/rx_top.rs` (`RxTop`), untimed references the three in series
//! (`cporx_model::reference`), spec docs/numerics.md "Samples per clock (lanes)",
//! "Configuration bus", "Reset and power-up", "Latency and cycle convention" and
//! `spec/src/rx_top.rs`, `spec/src/ports.rs`, tests `verif/tests/rx_top.rs` (and
//! `verif/tests/equivalence.rs`, `verif/tests/power_up.rs`).

use super::{AdaptModel, CdrModel, DfeTap, FfeModel, SlicerModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct RxTopModel {
    lanes: usize,
    pub ffe: FfeModel,
    /// the slicer's level and output registers; with the DFE built (`RxParams::dfe_taps`
    /// = 1) the DFE decides into them (`dfe`)
    pub slicer: SlicerModel,
    /// the DFE's tap (and its accumulator), when `RxParams::dfe_taps` = 1
    pub dfe: Option<DfeTap>,
    pub cdr: CdrModel,
    /// the adaptation (LMS, levels, AGC, their registers), when `RxParams::adapt` is `Some`
    pub adapt: Option<AdaptModel>,
    /// the read-back register (`rd_data`)
    pub rd: u32,
}

impl RxTopModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        Ok(RxTopModel {
            lanes: p.lanes,
            ffe: FfeModel::new(p)?,
            slicer: SlicerModel::new(p)?,
            dfe: DfeTap::new(p)?,
            cdr: CdrModel::new(p)?,
            adapt: AdaptModel::new(p)?,
            rd: 0,
        })
    }

    /// The 8-bit pattern of the register at `addr` now (docs/numerics.md, "Configuration
    /// bus": read-back): coefficients, thresholds, targets, the CDR's registers (29 reads
    /// the PI code), the adaptation's and the AGC's; `CFG_GAIN` reads GAIN_UNITY without
    /// the AGC; 0 at unused addresses.
    pub fn read_reg(&self, addr: u32) -> u32 {
        let raw = |v: i32| to_raw(v, CFG_DATA_BITS);
        let a = addr;
        if (a as usize) < self.ffe.n_taps() {
            return raw(self.ffe.c[a as usize].to_bits() as i32);
        }
        if (CFG_THRESH_BASE..CFG_THRESH_BASE + 3).contains(&a) {
            return raw(self.slicer.thr[(a - CFG_THRESH_BASE) as usize]);
        }
        if (CFG_TARGET_BASE..CFG_TARGET_BASE + 4).contains(&a) {
            return raw(self.slicer.tgt[(a - CFG_TARGET_BASE) as usize]);
        }
        let c = &self.cdr;
        match a {
            CFG_KP => c.kp,
            CFG_KI => c.ki,
            CFG_CDR_CTRL => c.ctrl,
            CFG_LOCK_THR => c.lock_thr,
            CFG_LOCK_MAX => c.lock_max,
            CFG_FREQ_LIM => c.freq_lim,
            CFG_PHASE => c.pi_code() as u32,
            CFG_DFE => self.dfe.as_ref().map_or(0, |d| to_raw(d.d, DFE_BITS)),
            _ => match &self.adapt {
                Some(m) => m.read(a).unwrap_or(0),
                None if a == CFG_GAIN => GAIN_UNITY,
                None => 0,
            },
        }
    }

    /// The gain code on the `gain` output.
    #[inline]
    pub fn gain(&self) -> u32 {
        self.adapt.as_ref().map_or(GAIN_UNITY, |a| a.agc.gain)
    }

    /// Samples per clock.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// The FFE output registers before an edge, as Q7.1 codes.
    #[inline(always)]
    fn y_codes(&self) -> [i32; MAX_LANES] {
        let mut y = [0; MAX_LANES];
        for (j, v) in y[..self.lanes].iter_mut().enumerate() {
            *v = self.ffe.y_code(j);
        }
        y
    }

    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn) -> RxOut {
        // Each block samples its upstream registers as they were before this edge.
        let (sym, err) = (self.slicer.symbol, self.slicer.err);
        self.rd = if i.rst { 0 } else { self.read_reg(i.cfg_addr) };
        let (ffe_in, slicer_in) = match &mut self.adapt {
            None => (*i, *i),
            Some(a) => a.step(i, sym[0], err[0]),
        };
        self.cdr.step(i, &sym, &err);
        let y_before = self.y_codes();
        match &mut self.dfe {
            None => self.slicer.step(&slicer_in, &y_before),
            Some(d) => d.step(&mut self.slicer, &slicer_in, &y_before),
        }
        self.ffe.step(&ffe_in);
        self.outputs()
    }

    #[inline]
    pub fn outputs(&self) -> RxOut {
        let mut o = RxOut {
            lane: [LaneOut::default(); MAX_LANES],
            phase: self.cdr.pi_code(),
            lock: self.cdr.lock,
            freq: self.cdr.freq,
            gain: self.gain() as u8,
            rd_data: self.rd as u8,
        };
        for j in 0..self.lanes {
            o.lane[j] = LaneOut {
                y: self.ffe.y_code(j),
                symbol: self.slicer.symbol[j],
                gray: self.slicer.gray[j],
                err: self.slicer.err[j],
            };
        }
        o
    }

    /// A data-only cycle (no reset, no write) of the whole top, for the closed loop: `adc`
    /// holds the P lanes' codes; returns the PI code after the edge (the decided symbols
    /// are in `self.slicer.symbol[..P]`). Same arithmetic as `step`.
    #[inline(always)]
    pub fn step_data(&mut self, adc: &[i32]) -> u8 {
        if self.adapt.is_some() || self.dfe.is_some() {
            let mut i = RxIn::default();
            i.adc[..adc.len()].copy_from_slice(adc);
            return self.step(&i).phase;
        }
        let (sym, err) = (self.slicer.symbol, self.slicer.err);
        // a data cycle reads address 0: coefficient 0
        self.rd = to_raw(self.ffe.c[0].to_bits() as i32, CFG_DATA_BITS);
        self.cdr.step_data(&sym, &err);
        let y_before = self.y_codes();
        self.slicer.step_data(&y_before);
        self.ffe.step_data(adc);
        self.cdr.pi_code()
    }

    pub fn run(&mut self, stim: &[RxIn]) -> Vec<RxOut> {
        stim.iter().map(|i| self.step(i)).collect()
    }

    /// Data-only fast path (no reset, no configuration writes): decide a stream of ADC
    /// codes, P per clock (`adc.len()` a multiple of P), writing the decided symbols into
    /// `symbols` in stream order. Same arithmetic as `step`.
    pub fn run_symbols(&mut self, adc: &[i8], symbols: &mut [u8]) {
        let p = self.lanes;
        let mut blk = [0i32; MAX_LANES];
        for (x, s) in adc.chunks_exact(p).zip(symbols.chunks_exact_mut(p)) {
            for j in 0..p {
                blk[j] = x[j] as i32;
            }
            self.step_data(&blk[..p]);
            s.copy_from_slice(&self.slicer.symbol[..p]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fast_path_matches_step() {
        let p = RxParams {
            n_taps: 5,
            reset_coefs: vec![-128, 127, -7, 64, 3],
            ..Default::default()
        };
        let mut x = 99u32;
        let adc: Vec<i8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                ((x >> 24) % 64) as i8 - 32
            })
            .collect();
        let mut a = RxTopModel::new(&p).unwrap();
        let mut b = a.clone();
        a.step(&RxIn::reset());
        b.step(&RxIn::reset());
        let mut fast = vec![0u8; adc.len()];
        a.run_symbols(&adc, &mut fast);
        let slow: Vec<u8> = adc
            .iter()
            .map(|&v| b.step(&RxIn::sample(v as i32)).lane[0].symbol)
            .collect();
        assert_eq!(fast, slow);
        assert_eq!(a.outputs(), b.outputs());
        assert!((0..4).all(|s| fast.contains(&s)));
    }
}
