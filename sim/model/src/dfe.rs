//! DFE model: the bit-exact, cycle-accurate model of the loop-unrolled 1-tap PAM-4 DFE
//! that replaces the slicer when `RxParams::dfe_taps` = 1.
//!
//! ```text
//! fb(s')  = d (2 s' - 3)                                  (exact; s' the previous UI's decision)
//! symbol  = 3 if y >= t2 + fb(s'), else 2 if y >= t1 + fb(s'), else 1 if y >= t0 + fb(s'), else 0
//! err     = sat(y - fb(s') - L[symbol], -256, 255)        (Q8.1; saturated, never wrapped)
//! s' of lane 0 = lane P-1's symbol register (the previous clock); of lane j > 0 = lane j-1's
//!   decision of this clock
//! with the adaptation (RxParams::adapt), from lane 0's decision of this edge:
//!   acc <- sext(cfg_data) << F                                   if the bus writes CFG_DFE
//!   acc <- clamp(acc + sgn(e) sgn(2 s' - 3) 2^(F - mu), -128 2^F, 127 2^F)   else if en
//!   d   <- (acc + 2^(F-1)) >> F                                  (the accumulator after the edge)
//! without it: d <- cfg_data when the bus writes CFG_DFE
//! ```
//!
//! The decision and error are those of the plain slicer on `y - fb(s')`, compared exactly
//! (the shifted thresholds `t_j + fb(s')` are never saturated). The block's level
//! registers, output registers and write handling are a [`SlicerModel`]'s (`thr`, `tgt`,
//! `symbol`, `gray`, `err`), so the receive top keeps them in its `slicer` field whichever
//! decision rule it builds; [`DfeTap`] holds the rest (the tap, its accumulator) and does
//! the DFE's edge on that slicer state. [`DfeModel`] is the block alone (both together).
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): those of the slicer
//! (`lanes`, `thresholds`, `targets`), `dfe_reset` (-128 ..= 127), and `adapt` (`Some`: the
//! tap adapts).
//! **Ports**: [`DfeModel::step`]`(&RxIn, y)`: one edge with the bus and `y[0..P]` (the
//! FFE output registers before the edge); outputs the registers
//! `slicer.symbol/gray/err[j]`, `tap.d`. The adaptation's enable `en` (`CFG_ADAPT` bit 3)
//! and step code `mu` (`CFG_ADAPT_MU` 3:0) are the block's copies of those bits, written
//! by the same bus writes, reset to `AdaptParams::dfe_enable` and `lms_mu`.
//! **Formats**: d signed 8 bits (Q7.1 units); accumulator Q7.(1 + 15), 23 bits,
//! saturating; err Q8.1, -256 ..= 255 (saturated).
//! **Latency**: 1 (`LAT_DFE`) from y; a write of d, of a threshold or of a target, and a
//! tap update, at edge c is used by the decisions of edge c + 2 (the offsets register,
//! `pd`, `pthr`, `ptgt`, holds the values of edge c + 1's start).
//! **Reset**: the slicer's, and d to `dfe_reset`, the accumulator to `dfe_reset << F`, the
//! offsets register to the reset tap and levels.
//! Power-up (`new`): every register 0.
//!
//! See also: RTL `hdl/src/dfe.rs`, spec docs/numerics.md "DFE (decision feedback)" and
//! `spec/src/dfe.rs`, tests `verif/tests/dfe.rs`.

use crate::slicer::{decide, SlicerModel};
use cporx_spec::*;

/// The DFE's tap state (beside the slicer's registers it shares).
#[derive(Clone, Debug)]
pub struct DfeTap {
    lanes: usize,
    reset_d: i32,
    adapt: bool,
    /// the tap d, -128 ..= 127
    pub d: i32,
    /// the tap's accumulator (with the adaptation; d is its rounded top bits), in
    /// -128 2^F ..= 127 2^F
    pub acc: i32,
    reset_ctl: (bool, u32),
    /// the adaptation's enable (`CFG_ADAPT` bit 3) and step code (`CFG_ADAPT_MU` 3:0):
    /// the block's copies, written by the same bus writes as the adaptation's registers
    pub en: bool,
    pub mu: u32,
    /// lane 0's previous decision for the decision registered at the last edge (the tap
    /// update's input with that decision's error, one edge later: pipelined)
    pub sp_q: u8,
    /// the offsets register: the tap and levels the decisions of the next edge use (the
    /// RTL registers the shifted levels `t_j + fb(s')`, `L_k + fb(s')` computed from them)
    pub pd: i32,
    pub pthr: [i32; 3],
    pub ptgt: [i32; 4],
    reset_levels: ([i32; 3], [i32; 4]),
}

/// One lane's decision and saturated error for the previous decision `sp`.
#[inline]
pub fn dfe_decide(y: i32, sp: u8, d: i32, thr: &[i32; 3], tgt: &[i32; 4]) -> (u8, i32) {
    let fb = dfe_feedback(d, sp);
    let t = [thr[0] + fb, thr[1] + fb, thr[2] + fb];
    let s = decide(y, &t);
    let e = (y - fb - tgt[s as usize]).clamp(DFE_ERR_MIN, DFE_ERR_MAX);
    (s, e)
}

impl DfeTap {
    /// `None` when `p.dfe_taps` is 0 (the plain slicer).
    pub fn new(p: &RxParams) -> Result<Option<Self>, ParamError> {
        p.validate()?;
        if p.dfe_taps == 0 {
            return Ok(None);
        }
        Ok(Some(DfeTap {
            lanes: p.lanes,
            reset_d: p.dfe_reset,
            adapt: p.adapt.is_some(),
            d: 0,
            acc: 0,
            reset_ctl: p
                .adapt
                .as_ref()
                .map_or((false, 0), |a| (a.dfe_enable, a.lms_mu)),
            en: false,
            mu: 0,
            sp_q: 0,
            pd: 0,
            pthr: [0; 3],
            ptgt: [0; 4],
            reset_levels: (p.thresholds, p.targets),
        }))
    }

    /// A data-only edge (no reset, no write) on the slicer state `s`.
    #[inline]
    pub fn step_data(&mut self, s: &mut SlicerModel, y: &[i32]) {
        // the update's inputs: the decision registered at the previous edge (lane 0's
        // error register) and its previous decision
        let (e0, sp0) = (s.err[0], self.sp_q);
        let mut sp = s.symbol[self.lanes - 1];
        self.sp_q = sp;
        for (j, &yj) in y[..self.lanes].iter().enumerate() {
            let (sym, e) = dfe_decide(yj, sp, self.pd, &self.pthr, &self.ptgt);
            s.symbol[j] = sym;
            s.gray[j] = gray_bits(sym);
            s.err[j] = e;
            sp = sym;
        }
        // the offsets register takes the tap and levels as they are before this edge
        (self.pd, self.pthr, self.ptgt) = (self.d, s.thr, s.tgt);
        if self.adapt && self.en && e0 != 0 {
            let step = 1i32 << (DFE_FRAC as u32 - self.mu);
            // d descends |e|: e = y - d a - L, de/dd = -a, so d += sgn(e) sgn(a)
            let up = (e0 > 0) == (sp0 >= 2);
            let v = if up { self.acc + step } else { self.acc - step };
            self.acc = v.clamp(-128 << DFE_FRAC, 127 << DFE_FRAC);
            self.d = (self.acc + (1 << (DFE_FRAC - 1))) >> DFE_FRAC;
        }
    }

    /// One clock edge on the slicer state `s` (its levels, its output registers): `y` the
    /// P lanes' inputs before the edge.
    pub fn step(&mut self, s: &mut SlicerModel, i: &RxIn, y: &[i32]) {
        if i.rst {
            s.step(i, y); // the slicer's reset: levels, outputs
            self.d = self.reset_d;
            self.acc = self.reset_d << DFE_FRAC;
            (self.en, self.mu) = self.reset_ctl;
            self.sp_q = 0;
            (self.pd, self.pthr, self.ptgt) =
                (self.reset_d, self.reset_levels.0, self.reset_levels.1);
            return;
        }
        self.step_data(s, y);
        if i.cfg_we {
            let a = i.cfg_addr;
            if (CFG_THRESH_BASE..CFG_THRESH_BASE + 3).contains(&a) {
                s.thr[(a - CFG_THRESH_BASE) as usize] = i.cfg_data;
            } else if (CFG_TARGET_BASE..CFG_TARGET_BASE + 4).contains(&a) {
                s.tgt[(a - CFG_TARGET_BASE) as usize] = i.cfg_data;
            } else if a == CFG_DFE {
                self.d = i.cfg_data;
                self.acc = i.cfg_data << DFE_FRAC;
            } else if a == CFG_ADAPT {
                self.en = to_raw(i.cfg_data, CFG_DATA_BITS) >> DFE_ENABLE_BIT & 1 == 1;
            } else if a == CFG_ADAPT_MU {
                self.mu = to_raw(i.cfg_data, CFG_DATA_BITS) & 15;
            }
        }
    }

    /// The read-back of `CFG_DFE` (d's 8-bit pattern); `None` elsewhere.
    pub fn read(&self, addr: u32) -> Option<u32> {
        (addr == CFG_DFE).then(|| to_raw(self.d, DFE_BITS))
    }
}

/// The DFE block alone: its level and output registers (a slicer's) and its tap.
#[derive(Clone, Debug)]
pub struct DfeModel {
    pub slicer: SlicerModel,
    pub tap: DfeTap,
}

impl DfeModel {
    /// The block for `p`; `p.dfe_taps` must be 1 (an error naming the field otherwise).
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        let tap = DfeTap::new(p)?.ok_or_else(|| ParamError::OutOfRange {
            name: "dfe_taps".into(),
            value: 0,
            lo: 1,
            hi: 1,
            unit: " (the DFE block needs dfe_taps = 1)",
        })?;
        Ok(DfeModel {
            slicer: SlicerModel::new(p)?,
            tap,
        })
    }

    /// One clock edge (see [`DfeTap::step`]).
    pub fn step(&mut self, i: &RxIn, y: &[i32]) {
        self.tap.step(&mut self.slicer, i, y);
    }

    /// The read-back (`rd`) of the block: thresholds, targets, d; 0 elsewhere.
    pub fn read(&self, addr: u32) -> u32 {
        let s = &self.slicer;
        if (CFG_THRESH_BASE..CFG_THRESH_BASE + 3).contains(&addr) {
            return to_raw(s.thr[(addr - CFG_THRESH_BASE) as usize], LEVEL_BITS);
        }
        if (CFG_TARGET_BASE..CFG_TARGET_BASE + 4).contains(&addr) {
            return to_raw(s.tgt[(addr - CFG_TARGET_BASE) as usize], LEVEL_BITS);
        }
        self.tap.read(addr).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dfe(lanes: usize, adapt: bool) -> DfeModel {
        let p = RxParams {
            lanes,
            dfe_taps: 1,
            adapt: adapt.then(AdaptParams::default),
            ..Default::default()
        };
        let mut m = DfeModel::new(&p).unwrap();
        m.step(&RxIn::reset(), &[0; 16]);
        m
    }

    #[test]
    fn feedback_shifts_the_decision_and_saturates_the_error() {
        let mut m = dfe(1, false);
        // write d = 127 (this edge still decides with d = 0: y = 0 -> symbol 2)
        m.step(
            &RxIn {
                cfg_we: true,
                cfg_addr: CFG_DFE,
                cfg_data: 127,
                ..Default::default()
            },
            &[0],
        );
        assert_eq!(m.read(CFG_DFE), 127);
        // the offsets register takes d = 127 at the next edge, which still decides with
        // d = 0: y = 0 -> symbol 2
        m.step(&RxIn::default(), &[0]);
        assert_eq!(m.slicer.symbol[0], 2);
        // this edge decides with d = 127 and the previous symbol 2
        m.step(&RxIn::default(), &[127]);
        // previous 2: fb = 127, 127 - 127 = 0 -> symbol 2, err -16
        assert_eq!((m.slicer.symbol[0], m.slicer.err[0]), (2, -16));
        m.step(&RxIn::default(), &[127]);
        // previous 2 again
        assert_eq!((m.slicer.symbol[0], m.slicer.err[0]), (2, -16));
        m.step(&RxIn::default(), &[-128]);
        // previous 2: y - fb = -255 -> symbol 0, err = -255 + 48 = -207
        assert_eq!((m.slicer.symbol[0], m.slicer.err[0]), (0, -207));
        m.step(&RxIn::default(), &[127]);
        // previous 0: fb = -381, y - fb = 508 -> 3, err = 460 saturates to 255
        assert_eq!((m.slicer.symbol[0], m.slicer.err[0]), (3, 255));
        m.step(&RxIn::default(), &[-128]);
        // previous 3: fb = 381, y - fb = -509 -> 0, err = -461 saturates to -256
        assert_eq!((m.slicer.symbol[0], m.slicer.err[0]), (0, -256));
    }

    #[test]
    fn lanes_ripple_the_previous_decision() {
        let ys: Vec<i32> = (0..64).map(|k| ((k * 37 + 11) % 256) - 128).collect();
        let mut one = dfe(1, false);
        let mut four = dfe(4, false);
        for m in [&mut one, &mut four] {
            m.step(
                &RxIn {
                    cfg_we: true,
                    cfg_addr: CFG_DFE,
                    cfg_data: -40,
                    ..Default::default()
                },
                &[0; 4],
            );
            // the edge after the write still decides with d = 0 (the offsets register)
            m.step(&RxIn::default(), &[0; 4]);
        }
        // one lane: its symbol register is the decision of y = 0 at d = 0 (symbol 2);
        // four lanes: lane 3's register likewise
        let mut s1 = vec![];
        for &y in &ys {
            one.step(&RxIn::default(), &[y]);
            s1.push((one.slicer.symbol[0], one.slicer.err[0]));
        }
        let mut s4 = vec![];
        for b in ys.chunks(4) {
            four.step(&RxIn::default(), b);
            for j in 0..4 {
                s4.push((four.slicer.symbol[j], four.slicer.err[j]));
            }
        }
        assert_eq!(s1, s4);
    }

    #[test]
    fn the_tap_adapts_toward_the_isi_and_saturates() {
        const H: i32 = 5;
        // y = L[s] + H (2 s' - 3), the eye still open at d = 0 (3H < 16): d settles near H.
        // (A decision-directed loop from d = 0 can stall where the eye at d = 0 is
        // closed: here H = 8 stalls at step code 6, d = 0; H = 10, 12 settle at 2 and 5 at
        // step code 4. Start it from a written d near the answer then.)
        let tgt = [-48, -16, 16, 48];
        let mut m = dfe(1, true);
        let mut prev = 0usize;
        let mut x = 5u32;
        for _ in 0..20000 {
            x = x.wrapping_mul(1664525).wrapping_add(1013904223);
            let s = (x >> 30) as usize;
            let y = tgt[s] + H * (2 * prev as i32 - 3);
            m.step(&RxIn::default(), &[y.clamp(-128, 127)]);
            prev = s;
        }
        assert!((m.tap.d - H).abs() <= 1, "h = {H}: d = {}", m.tap.d);
        // pushed past either bound it saturates (never wraps): d at the bound, target 2
        // set so that y - fb(2) - L2 keeps one sign while every decision stays 2
        for (d, y, l2, bound) in [(127, 127, -128, 127), (-128, -128, 127, -128)] {
            let mut m = dfe(1, true);
            let w = |a: u32, v: i32| RxIn {
                cfg_we: true,
                cfg_addr: a,
                cfg_data: v,
                ..Default::default()
            };
            m.step(&w(CFG_TARGET_BASE + 2, l2), &[0]);
            m.step(&w(CFG_DFE, d), &[0]);
            // the offsets register takes the written d one edge later: that edge still
            // decides with d = 0 (and its error pushes the pipelined update against the
            // bound too); then, from a previous decision 2, every decision stays 2
            m.slicer.symbol[0] = 2;
            m.step(&RxIn::default(), &[y]);
            m.slicer.symbol[0] = 2;
            for k in 0..100 {
                m.step(&RxIn::default(), &[y]);
                assert_eq!(m.slicer.symbol[0], 2, "edge {k}");
                assert_eq!((m.tap.d, m.tap.acc), (bound, bound << DFE_FRAC), "edge {k}");
            }
        }
    }
}
