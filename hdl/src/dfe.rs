//! DFE: the loop-unrolled 1-tap PAM-4 decision-feedback equalizer that replaces the slicer
//! when `RxParams::dfe_taps` = 1 (docs/numerics.md, "DFE (decision feedback)").
//!
//! ```text
//! fb(s')  = d (2 s' - 3)                                  (-3d, -d, d, 3d; exact, 10 bits)
//! symbol  = 3 if y >= t2 + fb(s'), else 2 if y >= t1 + fb(s'), else 1 if y >= t0 + fb(s'), else 0
//! err     = sat(y - fb(s') - L[symbol], -256, 255)        (11 bits exact, then saturated)
//! ```
//!
//! **Loop unrolling.** The shifted thresholds `t_j + fb(s')` and targets `L_k + fb(s')` of
//! the four possible previous decisions s' are formed once for all lanes (`DfeOff`, one
//! per s', 10 bits exact: never saturated), from the registers alone. Each lane
//! (`DfeLane`) decides its y against all four sets at once (`DfeCand`: the slicer's
//! priority compares, the error, its saturation), so the previous decision only
//! *selects*: lane 0's s' is lane P-1's symbol register (the previous clock), lane j's is
//! lane j-1's selected decision of this clock. The critical loop is that ripple of P 4:1
//! selects (2 bits each) through the lanes of one clock, closed by lane P-1's register.
//!
//! **The tap.** `d` is an 8-bit register (Q7.1 units: y's LSB) at `CFG_DFE` (35). With the
//! adaptation built (`RxParams::adapt`) a `DfeLms` keeps its accumulator (Q7.(1 + 15), 23
//! bits, saturating) and updates it from lane 0's decision registered at the previous
//! edge (its error register and a register of its previous decision, `spq_r`: the update
//! is pipelined, so the tap's loop does not run through this edge's decision):
//! `acc += sgn(e) sgn(2 s' - 3) 2^(F - mu)` when enabled (`CFG_ADAPT` bit 3) and e != 0; a bus write of
//! `CFG_DFE` loads `acc = data << F`; d takes the rounded (half up) accumulator after the
//! edge. Without it, d is the bus's alone.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): those of the slicer
//! (`lanes`, `thresholds`, `targets`), `dfe_reset` (-128 ..= 127), `adapt` (`Some`: the
//! tap adapts; the reset values of its enable and step from `AdaptParams::dfe_enable`,
//! `lms_mu`).
//! **Ports**: the slicer's (`clock`, `rst`, `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`,
//! `y$j[7:0]` in; `symbol$j[1:0]`, `gray$j[1:0]`, `err$j[8:0]`, `rd[7:0]` out). The
//! adaptation's enable (`CFG_ADAPT` bit 3) and step code (`CFG_ADAPT_MU` 3:0) are copied
//! from the bus into the block (`DfeLms`'s `en_r`, `mu_r`, same reset values, same
//! writes, so always equal to the adaptation's registers): an output of the adaptation
//! would be an unused port of every adaptive top without the DFE, and rust-hdl cannot
//! wire a vector port of a vector sub-block (`adapt[a].x[k]`).
//! **Formats**: y, levels Q7.1; d signed 8 bits; err Q8.1 saturated to -256 ..= 255.
//! **Latency**: 1 (`LAT_DFE`): one output register per lane; a new d, threshold or target
//! (written, or d updated, at edge c) reaches the offsets register at c + 1 and the
//! decisions at c + 2 (the shifted levels are registered: `DfeOff`).
//! **Reset**: the slicer's, d to `dfe_reset`, the accumulator to `dfe_reset << F`, the
//! registered previous decision to 0.
//! Power-up: every register 0.
//!
//! See also: model `sim/model/src/dfe.rs` (`DfeModel`), spec `spec/src/dfe.rs`, tests
//! `verif/tests/dfe.rs`.

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

const FB: usize = DFE_FB_BITS;

/// `n` default values (ports, registers).
fn v<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}
const WD: usize = DFE_WIDE_BITS;
/// The accumulator's update width (one bit above it: acc +- step cannot wrap).
const AW: usize = DFE_ACC_BITS + 1;

/// The thresholds and targets shifted by the feedback of one previous decision:
/// `ta_j = (t_j + fb) ^ S` (sign-flipped for unsigned compares), `ga_k = L_k + fb`; 10 bits,
/// exact.
#[derive(LogicBlock)]
pub struct DfeOff {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub t0: Signal<In, Bits<LEVEL_BITS>>,
    pub t1: Signal<In, Bits<LEVEL_BITS>>,
    pub t2: Signal<In, Bits<LEVEL_BITS>>,
    pub g0: Signal<In, Bits<LEVEL_BITS>>,
    pub g1: Signal<In, Bits<LEVEL_BITS>>,
    pub g2: Signal<In, Bits<LEVEL_BITS>>,
    pub g3: Signal<In, Bits<LEVEL_BITS>>,
    pub fb: Signal<In, Bits<FB>>,
    pub ta0: Signal<Out, Bits<FB>>,
    pub ta1: Signal<Out, Bits<FB>>,
    pub ta2: Signal<Out, Bits<FB>>,
    pub ga0: Signal<Out, Bits<FB>>,
    pub ga1: Signal<Out, Bits<FB>>,
    pub ga2: Signal<Out, Bits<FB>>,
    pub ga3: Signal<Out, Bits<FB>>,
    w0: Signal<Local, Bits<FB>>,
    w1: Signal<Local, Bits<FB>>,
    w2: Signal<Local, Bits<FB>>,
    v0: Signal<Local, Bits<FB>>,
    v1: Signal<Local, Bits<FB>>,
    v2: Signal<Local, Bits<FB>>,
    v3: Signal<Local, Bits<FB>>,
    /// the shifted levels, registered (raw two's complement; power-up 0)
    ta_r: [DFF<Bits<FB>>; 3],
    ga_r: [DFF<Bits<FB>>; 4],
    /// their reset values: the reset levels shifted by the reset tap's feedback
    ta_rst: [Constant<Bits<FB>>; 3],
    ga_rst: [Constant<Bits<FB>>; 4],
    ext: Constant<Bits<FB>>,
    sgn: Constant<Bits<FB>>,
    msb: Constant<Bits<3>>,
}

impl DfeOff {
    /// The offsets of previous decision `s` (`fb = d (2 s - 3)`), reset to those of the
    /// reset tap and levels of `p`.
    fn new(p: &RxParams, s: usize) -> Self {
        let fb = p.dfe_reset as i64 * (2 * s as i64 - 3);
        let raw = |v: i64| konst((v as u64) & ((1u64 << FB) - 1));
        let t = p.thresholds;
        let g = p.targets;
        DfeOff {
            clock: Default::default(),
            rst: Default::default(),
            ta_r: Default::default(),
            ga_r: Default::default(),
            ta_rst: [0, 1, 2].map(|j| raw(t[j] as i64 + fb)),
            ga_rst: [0, 1, 2, 3].map(|k| raw(g[k] as i64 + fb)),
            t0: Default::default(),
            t1: Default::default(),
            t2: Default::default(),
            g0: Default::default(),
            g1: Default::default(),
            g2: Default::default(),
            g3: Default::default(),
            fb: Default::default(),
            ta0: Default::default(),
            ta1: Default::default(),
            ta2: Default::default(),
            ga0: Default::default(),
            ga1: Default::default(),
            ga2: Default::default(),
            ga3: Default::default(),
            w0: Default::default(),
            w1: Default::default(),
            w2: Default::default(),
            v0: Default::default(),
            v1: Default::default(),
            v2: Default::default(),
            v3: Default::default(),
            ext: konst(ext_mask(LEVEL_BITS, FB)),
            sgn: konst(1 << (FB - 1)),
            msb: konst(LEVEL_BITS as u64 - 1),
        }
    }
}

impl Logic for DfeOff {
    #[hdl_gen]
    fn update(&mut self) {
        // sign extension to 10 bits: zext | (msb ? E : 0)
        self.w0.next = bit_cast::<FB, LEVEL_BITS>(self.t0.val());
        if self.t0.val().get_bit(self.msb.val().index()) {
            self.w0.next = bit_cast::<FB, LEVEL_BITS>(self.t0.val()) | self.ext.val();
        }
        self.w1.next = bit_cast::<FB, LEVEL_BITS>(self.t1.val());
        if self.t1.val().get_bit(self.msb.val().index()) {
            self.w1.next = bit_cast::<FB, LEVEL_BITS>(self.t1.val()) | self.ext.val();
        }
        self.w2.next = bit_cast::<FB, LEVEL_BITS>(self.t2.val());
        if self.t2.val().get_bit(self.msb.val().index()) {
            self.w2.next = bit_cast::<FB, LEVEL_BITS>(self.t2.val()) | self.ext.val();
        }
        self.v0.next = bit_cast::<FB, LEVEL_BITS>(self.g0.val());
        if self.g0.val().get_bit(self.msb.val().index()) {
            self.v0.next = bit_cast::<FB, LEVEL_BITS>(self.g0.val()) | self.ext.val();
        }
        self.v1.next = bit_cast::<FB, LEVEL_BITS>(self.g1.val());
        if self.g1.val().get_bit(self.msb.val().index()) {
            self.v1.next = bit_cast::<FB, LEVEL_BITS>(self.g1.val()) | self.ext.val();
        }
        self.v2.next = bit_cast::<FB, LEVEL_BITS>(self.g2.val());
        if self.g2.val().get_bit(self.msb.val().index()) {
            self.v2.next = bit_cast::<FB, LEVEL_BITS>(self.g2.val()) | self.ext.val();
        }
        self.v3.next = bit_cast::<FB, LEVEL_BITS>(self.g3.val());
        if self.g3.val().get_bit(self.msb.val().index()) {
            self.v3.next = bit_cast::<FB, LEVEL_BITS>(self.g3.val()) | self.ext.val();
        }
        // |level| <= 128 and |fb| <= 384: the sums fit 10 bits exactly (no wrap); they are
        // registered, so the decisions compare against registers (a write of d or of a
        // level reaches the decisions one edge later than the plain slicer's)
        for j in 0..3 {
            self.ta_r[j].clock.next = self.clock.val();
        }
        for k in 0..4 {
            self.ga_r[k].clock.next = self.clock.val();
        }
        self.ta_r[0].d.next = self.w0.val() + self.fb.val();
        self.ta_r[1].d.next = self.w1.val() + self.fb.val();
        self.ta_r[2].d.next = self.w2.val() + self.fb.val();
        self.ga_r[0].d.next = self.v0.val() + self.fb.val();
        self.ga_r[1].d.next = self.v1.val() + self.fb.val();
        self.ga_r[2].d.next = self.v2.val() + self.fb.val();
        self.ga_r[3].d.next = self.v3.val() + self.fb.val();
        if self.rst.val() {
            for j in 0..3 {
                self.ta_r[j].d.next = self.ta_rst[j].val();
            }
            for k in 0..4 {
                self.ga_r[k].d.next = self.ga_rst[k].val();
            }
        }
        self.ta0.next = self.ta_r[0].q.val() ^ self.sgn.val();
        self.ta1.next = self.ta_r[1].q.val() ^ self.sgn.val();
        self.ta2.next = self.ta_r[2].q.val() ^ self.sgn.val();
        self.ga0.next = self.ga_r[0].q.val();
        self.ga1.next = self.ga_r[1].q.val();
        self.ga2.next = self.ga_r[2].q.val();
        self.ga3.next = self.ga_r[3].q.val();
    }
}

/// One lane's decision for one previous decision: the slicer's priority compares against
/// the shifted thresholds, and the saturated error against the shifted target.
#[derive(LogicBlock)]
pub struct DfeCand {
    /// y sign-extended to 10 bits and sign-flipped
    pub y_f: Signal<In, Bits<FB>>,
    /// y sign-extended to 11 bits
    pub y_w: Signal<In, Bits<WD>>,
    pub t0: Signal<In, Bits<FB>>,
    pub t1: Signal<In, Bits<FB>>,
    pub t2: Signal<In, Bits<FB>>,
    pub g0: Signal<In, Bits<FB>>,
    pub g1: Signal<In, Bits<FB>>,
    pub g2: Signal<In, Bits<FB>>,
    pub g3: Signal<In, Bits<FB>>,
    pub sym: Signal<Out, Bits<2>>,
    pub err: Signal<Out, Bits<ERR_BITS>>,
    g: Signal<Local, Bits<FB>>,
    g_w: Signal<Local, Bits<WD>>,
    diff: Signal<Local, Bits<WD>>,
    top3: Signal<Local, Bits<3>>,
    sym_k: Vec<Constant<Bits<2>>>,
    ext: Constant<Bits<WD>>,
    msb_g: Constant<Bits<4>>,
    msb_w: Constant<Bits<4>>,
    at8: Constant<Bits<4>>,
    zero3: Constant<Bits<3>>,
    ones3: Constant<Bits<3>>,
    e_max: Constant<Bits<ERR_BITS>>,
    e_min: Constant<Bits<ERR_BITS>>,
}

impl DfeCand {
    fn new() -> Self {
        DfeCand {
            y_f: Default::default(),
            y_w: Default::default(),
            t0: Default::default(),
            t1: Default::default(),
            t2: Default::default(),
            g0: Default::default(),
            g1: Default::default(),
            g2: Default::default(),
            g3: Default::default(),
            sym: Default::default(),
            err: Default::default(),
            g: Default::default(),
            g_w: Default::default(),
            diff: Default::default(),
            top3: Default::default(),
            sym_k: (0..4).map(|s| konst(s)).collect(),
            ext: konst(ext_mask(FB, WD)),
            msb_g: konst(FB as u64 - 1),
            msb_w: konst(WD as u64 - 1),
            at8: konst(ERR_BITS as u64 - 1),
            zero3: konst(0),
            ones3: konst(7),
            e_max: konst(to_raw(DFE_ERR_MAX, ERR_BITS) as u64),
            e_min: konst(to_raw(DFE_ERR_MIN, ERR_BITS) as u64),
        }
    }
}

impl Logic for DfeCand {
    #[hdl_gen]
    fn update(&mut self) {
        if self.y_f.val() >= self.t2.val() {
            self.sym.next = self.sym_k[3].val();
            self.g.next = self.g3.val();
        } else if self.y_f.val() >= self.t1.val() {
            self.sym.next = self.sym_k[2].val();
            self.g.next = self.g2.val();
        } else if self.y_f.val() >= self.t0.val() {
            self.sym.next = self.sym_k[1].val();
            self.g.next = self.g1.val();
        } else {
            self.sym.next = self.sym_k[0].val();
            self.g.next = self.g0.val();
        }
        // y - (L + fb) exact in 11 bits
        self.g_w.next = bit_cast::<WD, FB>(self.g.val());
        if self.g.val().get_bit(self.msb_g.val().index()) {
            self.g_w.next = bit_cast::<WD, FB>(self.g.val()) | self.ext.val();
        }
        self.diff.next = self.y_w.val() - self.g_w.val();
        // saturate to 9 bits: in range when bits 10:8 are all equal
        self.top3.next = self.diff.val().get_bits::<3>(self.at8.val().index());
        self.err.next = self.diff.val().get_bits::<ERR_BITS>(0);
        if (self.top3.val() != self.zero3.val()) && (self.top3.val() != self.ones3.val()) {
            if self.diff.val().get_bit(self.msb_w.val().index()) {
                self.err.next = self.e_min.val();
            } else {
                self.err.next = self.e_max.val();
            }
        }
    }
}

/// One lane: the four candidate decisions, the select by the previous decision `sp`.
#[derive(LogicBlock)]
pub struct DfeLane {
    pub y: Signal<In, Bits<Y_BITS>>,
    /// the shifted thresholds (sign-flipped) and targets of previous decision s': `t<j>s<s'>`,
    /// `g<k>s<s'>` (rust-hdl cannot index a sub-block's vector port)
    pub t0s0: Signal<In, Bits<FB>>,
    pub t1s0: Signal<In, Bits<FB>>,
    pub t2s0: Signal<In, Bits<FB>>,
    pub g0s0: Signal<In, Bits<FB>>,
    pub g1s0: Signal<In, Bits<FB>>,
    pub g2s0: Signal<In, Bits<FB>>,
    pub g3s0: Signal<In, Bits<FB>>,
    pub t0s1: Signal<In, Bits<FB>>,
    pub t1s1: Signal<In, Bits<FB>>,
    pub t2s1: Signal<In, Bits<FB>>,
    pub g0s1: Signal<In, Bits<FB>>,
    pub g1s1: Signal<In, Bits<FB>>,
    pub g2s1: Signal<In, Bits<FB>>,
    pub g3s1: Signal<In, Bits<FB>>,
    pub t0s2: Signal<In, Bits<FB>>,
    pub t1s2: Signal<In, Bits<FB>>,
    pub t2s2: Signal<In, Bits<FB>>,
    pub g0s2: Signal<In, Bits<FB>>,
    pub g1s2: Signal<In, Bits<FB>>,
    pub g2s2: Signal<In, Bits<FB>>,
    pub g3s2: Signal<In, Bits<FB>>,
    pub t0s3: Signal<In, Bits<FB>>,
    pub t1s3: Signal<In, Bits<FB>>,
    pub t2s3: Signal<In, Bits<FB>>,
    pub g0s3: Signal<In, Bits<FB>>,
    pub g1s3: Signal<In, Bits<FB>>,
    pub g2s3: Signal<In, Bits<FB>>,
    pub g3s3: Signal<In, Bits<FB>>,
    /// the previous UI's decision
    pub sp: Signal<In, Bits<2>>,
    /// this lane's decision, its Gray bits and saturated error (combinational)
    pub dec: Signal<Out, Bits<2>>,
    pub gray: Signal<Out, Bits<2>>,
    pub e_now: Signal<Out, Bits<ERR_BITS>>,
    cand: Vec<DfeCand>,
    y_f: Signal<Local, Bits<FB>>,
    y_w: Signal<Local, Bits<WD>>,
    sym_k: Vec<Constant<Bits<2>>>,
    gray_k: Vec<Constant<Bits<2>>>,
    ext_f: Constant<Bits<FB>>,
    ext_w: Constant<Bits<WD>>,
    sgn_f: Constant<Bits<FB>>,
    msb: Constant<Bits<3>>,
}

impl DfeLane {
    fn new() -> Self {
        DfeLane {
            y: Default::default(),
            t0s0: Default::default(),
            t1s0: Default::default(),
            t2s0: Default::default(),
            g0s0: Default::default(),
            g1s0: Default::default(),
            g2s0: Default::default(),
            g3s0: Default::default(),
            t0s1: Default::default(),
            t1s1: Default::default(),
            t2s1: Default::default(),
            g0s1: Default::default(),
            g1s1: Default::default(),
            g2s1: Default::default(),
            g3s1: Default::default(),
            t0s2: Default::default(),
            t1s2: Default::default(),
            t2s2: Default::default(),
            g0s2: Default::default(),
            g1s2: Default::default(),
            g2s2: Default::default(),
            g3s2: Default::default(),
            t0s3: Default::default(),
            t1s3: Default::default(),
            t2s3: Default::default(),
            g0s3: Default::default(),
            g1s3: Default::default(),
            g2s3: Default::default(),
            g3s3: Default::default(),
            sp: Default::default(),
            dec: Default::default(),
            gray: Default::default(),
            e_now: Default::default(),
            cand: (0..4).map(|_| DfeCand::new()).collect(),
            y_f: Default::default(),
            y_w: Default::default(),
            sym_k: (0..4).map(|s| konst(s)).collect(),
            gray_k: (0..4u8).map(|s| konst(gray_bits(s) as u64)).collect(),
            ext_f: konst(ext_mask(Y_BITS, FB)),
            ext_w: konst(ext_mask(Y_BITS, WD)),
            sgn_f: konst(1 << (FB - 1)),
            msb: konst(Y_BITS as u64 - 1),
        }
    }
}

impl Logic for DfeLane {
    #[hdl_gen]
    fn update(&mut self) {
        self.y_f.next = bit_cast::<FB, Y_BITS>(self.y.val()) ^ self.sgn_f.val();
        self.y_w.next = bit_cast::<WD, Y_BITS>(self.y.val());
        if self.y.val().get_bit(self.msb.val().index()) {
            self.y_f.next =
                (bit_cast::<FB, Y_BITS>(self.y.val()) | self.ext_f.val()) ^ self.sgn_f.val();
            self.y_w.next = bit_cast::<WD, Y_BITS>(self.y.val()) | self.ext_w.val();
        }
        for s in 0..4 {
            self.cand[s].y_f.next = self.y_f.val();
            self.cand[s].y_w.next = self.y_w.val();
        }
        self.cand[0].t0.next = self.t0s0.val();
        self.cand[0].t1.next = self.t1s0.val();
        self.cand[0].t2.next = self.t2s0.val();
        self.cand[0].g0.next = self.g0s0.val();
        self.cand[0].g1.next = self.g1s0.val();
        self.cand[0].g2.next = self.g2s0.val();
        self.cand[0].g3.next = self.g3s0.val();
        self.cand[1].t0.next = self.t0s1.val();
        self.cand[1].t1.next = self.t1s1.val();
        self.cand[1].t2.next = self.t2s1.val();
        self.cand[1].g0.next = self.g0s1.val();
        self.cand[1].g1.next = self.g1s1.val();
        self.cand[1].g2.next = self.g2s1.val();
        self.cand[1].g3.next = self.g3s1.val();
        self.cand[2].t0.next = self.t0s2.val();
        self.cand[2].t1.next = self.t1s2.val();
        self.cand[2].t2.next = self.t2s2.val();
        self.cand[2].g0.next = self.g0s2.val();
        self.cand[2].g1.next = self.g1s2.val();
        self.cand[2].g2.next = self.g2s2.val();
        self.cand[2].g3.next = self.g3s2.val();
        self.cand[3].t0.next = self.t0s3.val();
        self.cand[3].t1.next = self.t1s3.val();
        self.cand[3].t2.next = self.t2s3.val();
        self.cand[3].g0.next = self.g0s3.val();
        self.cand[3].g1.next = self.g1s3.val();
        self.cand[3].g2.next = self.g2s3.val();
        self.cand[3].g3.next = self.g3s3.val();
        // the previous decision selects (the 4:1 select of the ripple)
        self.dec.next = self.cand[0].sym.val();
        self.e_now.next = self.cand[0].err.val();
        for s in 0..4 {
            if self.sp.val() == self.sym_k[s].val() {
                self.dec.next = self.cand[s].sym.val();
                self.e_now.next = self.cand[s].err.val();
            }
        }
        self.gray.next = self.gray_k[0].val();
        for s in 0..4 {
            if self.dec.val() == self.sym_k[s].val() {
                self.gray.next = self.gray_k[s].val();
            }
        }
    }
}

/// The tap's sign-sign adaptation: the accumulator, its update and saturation, and the
/// rounded code `d` takes at this edge.
#[derive(LogicBlock)]
pub struct DfeLms {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane 0's saturated error of the decision registered at the previous edge
    pub e: Signal<In, Bits<ERR_BITS>>,
    /// that decision's previous decision (2 s' - 3 > 0 when it is 2 or 3)
    pub sp: Signal<In, Bits<2>>,
    /// round(acc after this edge)
    pub code: Signal<Out, Bits<DFE_BITS>>,
    acc_r: DFF<Bits<DFE_ACC_BITS>>,
    /// copies of `CFG_ADAPT` bit 3 and `CFG_ADAPT_MU` 3:0 (the adaptation's registers)
    en_r: DFF<Bit>,
    mu_r: DFF<Bits<LMS_MU_BITS>>,
    next: Signal<Local, Bits<DFE_ACC_BITS>>,
    wide: Signal<Local, Bits<AW>>,
    step: Signal<Local, Bits<AW>>,
    sum: Signal<Local, Bits<AW>>,
    half_bit: Signal<Local, Bits<DFE_BITS>>,
    adr: Constant<Bits<CFG_ADDR_BITS>>,
    acc_msb: Constant<Bits<5>>,
    e_msb: Constant<Bits<4>>,
    ext_wide: Constant<Bits<AW>>,
    one_wide: Constant<Bits<AW>>,
    frac: Constant<Bits<LMS_MU_BITS>>,
    frac_sh: Constant<Bits<5>>,
    sign_wide: Constant<Bits<AW>>,
    hi_wide: Constant<Bits<AW>>,
    lo_wide: Constant<Bits<AW>>,
    hi: Constant<Bits<DFE_ACC_BITS>>,
    lo: Constant<Bits<DFE_ACC_BITS>>,
    half_at: Constant<Bits<5>>,
    reset_acc: Constant<Bits<DFE_ACC_BITS>>,
    zero_e: Constant<Bits<ERR_BITS>>,
    two: Constant<Bits<2>>,
    a_ctrl: Constant<Bits<CFG_ADDR_BITS>>,
    a_mu: Constant<Bits<CFG_ADDR_BITS>>,
    en_at: Constant<Bits<3>>,
    rst_en: Constant<Bit>,
    rst_mu: Constant<Bits<LMS_MU_BITS>>,
}

impl DfeLms {
    fn new(reset_d: i32, ad: &AdaptParams) -> Self {
        let raw = |v: i64, bits: usize| (v as u64) & ((1u64 << bits) - 1);
        DfeLms {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            e: Default::default(),
            sp: Default::default(),
            code: Default::default(),
            acc_r: Default::default(),
            en_r: Default::default(),
            mu_r: Default::default(),
            next: Default::default(),
            wide: Default::default(),
            step: Default::default(),
            sum: Default::default(),
            half_bit: Default::default(),
            adr: konst(CFG_DFE as u64),
            acc_msb: konst(DFE_ACC_BITS as u64 - 1),
            e_msb: konst(ERR_BITS as u64 - 1),
            ext_wide: konst(ext_mask(DFE_ACC_BITS, AW)),
            one_wide: konst(1),
            frac: konst(DFE_FRAC as u64),
            frac_sh: konst(DFE_FRAC as u64),
            sign_wide: konst(1u64 << (AW - 1)),
            hi_wide: konst(raw(127i64 << DFE_FRAC, AW)),
            lo_wide: konst(raw(-128i64 << DFE_FRAC, AW)),
            hi: konst(raw(127i64 << DFE_FRAC, DFE_ACC_BITS)),
            lo: konst(raw(-128i64 << DFE_FRAC, DFE_ACC_BITS)),
            half_at: konst(DFE_FRAC as u64 - 1),
            reset_acc: konst(raw((reset_d as i64) << DFE_FRAC, DFE_ACC_BITS)),
            zero_e: konst(0),
            two: konst(2),
            a_ctrl: konst(CFG_ADAPT as u64),
            a_mu: konst(CFG_ADAPT_MU as u64),
            en_at: konst(DFE_ENABLE_BIT as u64),
            rst_en: Constant::new(ad.dfe_enable),
            rst_mu: konst(ad.lms_mu as u64),
        }
    }
}

impl Logic for DfeLms {
    #[hdl_gen]
    fn update(&mut self) {
        self.acc_r.clock.next = self.clock.val();
        self.en_r.clock.next = self.clock.val();
        self.mu_r.clock.next = self.clock.val();
        // the enable and step code, as the adaptation's registers hold them
        self.en_r.d.next = self.en_r.q.val();
        self.mu_r.d.next = self.mu_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.a_ctrl.val()) {
            self.en_r.d.next = self.cfg_data.val().get_bit(self.en_at.val().index());
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.a_mu.val()) {
            self.mu_r.d.next = self.cfg_data.val().get_bits::<LMS_MU_BITS>(0);
        }
        if self.rst.val() {
            self.en_r.d.next = self.rst_en.val();
            self.mu_r.d.next = self.rst_mu.val();
        }
        self.wide.next = bit_cast::<AW, DFE_ACC_BITS>(self.acc_r.q.val());
        if self.acc_r.q.val().get_bit(self.acc_msb.val().index()) {
            self.wide.next = bit_cast::<AW, DFE_ACC_BITS>(self.acc_r.q.val()) | self.ext_wide.val();
        }
        self.step.next = self.one_wide.val() << (self.frac.val() - self.mu_r.q.val());
        // sgn(e) sgn(2 s' - 3) = +1 (e > 0 with s' >= 2, or e < 0 with s' <= 1): step up
        self.sum.next = self.wide.val() - self.step.val();
        if self.e.val().get_bit(self.e_msb.val().index()) != (self.sp.val() >= self.two.val()) {
            self.sum.next = self.wide.val() + self.step.val();
        }
        self.next.next = self.acc_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            self.next.next =
                bit_cast::<DFE_ACC_BITS, CFG_DATA_BITS>(self.cfg_data.val()) << self.frac_sh.val();
        } else if self.en_r.q.val() && (self.e.val() != self.zero_e.val()) {
            // saturate by signed compare: a >s b  <=>  (a ^ S) >u (b ^ S)
            if (self.sum.val() ^ self.sign_wide.val()) > (self.hi_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.hi.val();
            } else if (self.sum.val() ^ self.sign_wide.val())
                < (self.lo_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.lo.val();
            } else {
                self.next.next = self.sum.val().get_bits::<DFE_ACC_BITS>(0);
            }
        }
        if self.rst.val() {
            self.next.next = self.reset_acc.val();
        }
        self.acc_r.d.next = self.next.val();
        // round half up: (a >> F) + a[F-1]; no overflow (at 127 2^F the bit F-1 is 0)
        self.half_bit.next =
            bit_cast::<DFE_BITS, 1>(self.next.val().get_bits::<1>(self.half_at.val().index()));
        self.code.next = self
            .next
            .val()
            .get_bits::<DFE_BITS>(self.frac_sh.val().index())
            + self.half_bit.val();
    }
}

/// The DFE block (see the module documentation).
#[derive(LogicBlock)]
pub struct Dfe {
    /// the one clock; every register updates on its rising edge
    pub clock: Signal<In, Clock>,
    /// synchronous reset, active high; has priority over configuration writes
    pub rst: Signal<In, Bit>,
    /// configuration write enable; the write lands at this cycle's edge
    pub cfg_we: Signal<In, Bit>,
    /// configuration register address, 0 ..= 63
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// configuration data
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane j's FFE output to decide, Q7.1
    pub y: Vec<Signal<In, Bits<Y_BITS>>>,
    /// lane j's decided PAM-4 symbol 0 ..= 3
    pub symbol: Vec<Signal<Out, Bits<2>>>,
    /// lane j's Gray bits of the symbol
    pub gray: Vec<Signal<Out, Bits<2>>>,
    /// lane j's error y - fb(s') - targets[symbol], Q8.1, saturated to -256 ..= 255
    pub err: Vec<Signal<Out, Bits<ERR_BITS>>>,
    /// the read-back address: the bus's `cfg_addr` (the write inputs may carry the levels')
    pub rd_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// read-back: a threshold, a target or d at `rd_addr`, 0 elsewhere (combinational)
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    lane: Vec<DfeLane>,
    off: Vec<DfeOff>,
    lms: Vec<DfeLms>,
    thr: Vec<DFF<Bits<LEVEL_BITS>>>,
    tgt: Vec<DFF<Bits<LEVEL_BITS>>>,
    d_r: DFF<Bits<DFE_BITS>>,
    /// lane 0's previous decision for the decision registered at this edge: with
    /// `err_r[0]` the tap update's inputs one edge later (the update is pipelined)
    spq_r: Vec<DFF<Bits<2>>>,
    sym_r: Vec<DFF<Bits<2>>>,
    gray_r: Vec<DFF<Bits<2>>>,
    err_r: Vec<DFF<Bits<ERR_BITS>>>,
    d10: Signal<Local, Bits<FB>>,
    d3: Signal<Local, Bits<FB>>,
    sp_last: Signal<Local, Bits<2>>,
    thr_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    tgt_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    thr_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    tgt_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    d_adr: Constant<Bits<CFG_ADDR_BITS>>,
    d_rst: Constant<Bits<DFE_BITS>>,
    ext_d: Constant<Bits<FB>>,
    zero_fb: Constant<Bits<FB>>,
    one_fb: Constant<Bits<FB>>,
    msb_d: Constant<Bits<3>>,
    zero2: Constant<Bits<2>>,
    zero_err: Constant<Bits<ERR_BITS>>,
    zero_rd: Constant<Bits<CFG_DATA_BITS>>,
}

impl Dfe {
    /// Build the block for `p`; an illegal parameter set, or `dfe_taps` = 0, is an error
    /// naming the field and its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        if p.dfe_taps != 1 {
            return Err(ParamError::OutOfRange {
                name: "dfe_taps".into(),
                value: p.dfe_taps as i64,
                lo: 1,
                hi: 1,
                unit: " (the DFE block needs dfe_taps = 1)",
            });
        }
        let lvl = |v: i32| konst::<LEVEL_BITS>(to_raw(v, LEVEL_BITS) as u64);
        Ok(Dfe {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            y: v(p.lanes),
            symbol: v(p.lanes),
            gray: v(p.lanes),
            err: v(p.lanes),
            rd_addr: Default::default(),
            rd: Default::default(),
            lane: (0..p.lanes).map(|_| DfeLane::new()).collect(),
            off: (0..4).map(|s| DfeOff::new(p, s)).collect(),
            lms: p
                .adapt
                .iter()
                .map(|ad| DfeLms::new(p.dfe_reset, ad))
                .collect(),
            thr: v(3),
            tgt: v(4),
            d_r: Default::default(),
            spq_r: p.adapt.iter().map(|_| Default::default()).collect(),
            sym_r: v(p.lanes),
            gray_r: v(p.lanes),
            err_r: v(p.lanes),
            d10: Default::default(),
            d3: Default::default(),
            sp_last: Default::default(),
            thr_rst: p.thresholds.iter().map(|&t| lvl(t)).collect(),
            tgt_rst: p.targets.iter().map(|&t| lvl(t)).collect(),
            thr_adr: (0..3).map(|j| konst(CFG_THRESH_BASE as u64 + j)).collect(),
            tgt_adr: (0..4).map(|j| konst(CFG_TARGET_BASE as u64 + j)).collect(),
            d_adr: konst(CFG_DFE as u64),
            d_rst: konst(to_raw(p.dfe_reset, DFE_BITS) as u64),
            ext_d: konst(ext_mask(DFE_BITS, FB)),
            zero_fb: konst(0),
            one_fb: konst(1),
            msb_d: konst(DFE_BITS as u64 - 1),
            zero2: konst(0),
            zero_err: konst(0),
            zero_rd: konst(0),
        })
    }
}

impl Logic for Dfe {
    #[hdl_gen]
    fn update(&mut self) {
        self.d_r.clock.next = self.clock.val();
        // the level registers and the read-back (the slicer's)
        self.rd.next = self.zero_rd.val();
        for i in 0..3 {
            if self.rd_addr.val() == self.thr_adr[i].val() {
                self.rd.next = self.thr[i].q.val();
            }
            self.thr[i].clock.next = self.clock.val();
            self.thr[i].d.next = self.thr[i].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.thr_adr[i].val()) {
                self.thr[i].d.next = self.cfg_data.val();
            }
            if self.rst.val() {
                self.thr[i].d.next = self.thr_rst[i].val();
            }
        }
        for i in 0..4 {
            if self.rd_addr.val() == self.tgt_adr[i].val() {
                self.rd.next = self.tgt[i].q.val();
            }
            self.tgt[i].clock.next = self.clock.val();
            self.tgt[i].d.next = self.tgt[i].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.tgt_adr[i].val()) {
                self.tgt[i].d.next = self.cfg_data.val();
            }
            if self.rst.val() {
                self.tgt[i].d.next = self.tgt_rst[i].val();
            }
        }
        if self.rd_addr.val() == self.d_adr.val() {
            self.rd.next = self.d_r.q.val();
        }
        // the feedback of each previous decision: -3d, -d, d, 3d (10 bits, exact)
        self.d10.next = bit_cast::<FB, DFE_BITS>(self.d_r.q.val());
        if self.d_r.q.val().get_bit(self.msb_d.val().index()) {
            self.d10.next = bit_cast::<FB, DFE_BITS>(self.d_r.q.val()) | self.ext_d.val();
        }
        self.d3.next = self.d10.val() + (self.d10.val() << self.one_fb.val());
        self.off[0].fb.next = self.zero_fb.val() - self.d3.val();
        self.off[1].fb.next = self.zero_fb.val() - self.d10.val();
        self.off[2].fb.next = self.d10.val();
        self.off[3].fb.next = self.d3.val();
        for s in 0..4 {
            self.off[s].clock.next = self.clock.val();
            self.off[s].rst.next = self.rst.val();
            self.off[s].t0.next = self.thr[0].q.val();
            self.off[s].t1.next = self.thr[1].q.val();
            self.off[s].t2.next = self.thr[2].q.val();
            self.off[s].g0.next = self.tgt[0].q.val();
            self.off[s].g1.next = self.tgt[1].q.val();
            self.off[s].g2.next = self.tgt[2].q.val();
            self.off[s].g3.next = self.tgt[3].q.val();
        }
        // lane P-1's symbol register: lane 0's previous decision (the last assignment
        // wins: rust-hdl's export evaluates an index only from loop variables)
        self.sp_last.next = self.zero2.val();
        for j in 0..self.lane.len() {
            self.sp_last.next = self.sym_r[j].q.val();
        }
        self.lane[0].sp.next = self.sp_last.val();
        // the ripple: lane j's previous decision is lane j-1's selected one
        for j in 1..self.lane.len() {
            self.lane[j].sp.next = self.lane[j - 1].dec.val();
        }
        for j in 0..self.lane.len() {
            self.lane[j].y.next = self.y[j].val();
            self.lane[j].t0s0.next = self.off[0].ta0.val();
            self.lane[j].t0s1.next = self.off[1].ta0.val();
            self.lane[j].t0s2.next = self.off[2].ta0.val();
            self.lane[j].t0s3.next = self.off[3].ta0.val();
            self.lane[j].t1s0.next = self.off[0].ta1.val();
            self.lane[j].t1s1.next = self.off[1].ta1.val();
            self.lane[j].t1s2.next = self.off[2].ta1.val();
            self.lane[j].t1s3.next = self.off[3].ta1.val();
            self.lane[j].t2s0.next = self.off[0].ta2.val();
            self.lane[j].t2s1.next = self.off[1].ta2.val();
            self.lane[j].t2s2.next = self.off[2].ta2.val();
            self.lane[j].t2s3.next = self.off[3].ta2.val();
            self.lane[j].g0s0.next = self.off[0].ga0.val();
            self.lane[j].g0s1.next = self.off[1].ga0.val();
            self.lane[j].g0s2.next = self.off[2].ga0.val();
            self.lane[j].g0s3.next = self.off[3].ga0.val();
            self.lane[j].g1s0.next = self.off[0].ga1.val();
            self.lane[j].g1s1.next = self.off[1].ga1.val();
            self.lane[j].g1s2.next = self.off[2].ga1.val();
            self.lane[j].g1s3.next = self.off[3].ga1.val();
            self.lane[j].g2s0.next = self.off[0].ga2.val();
            self.lane[j].g2s1.next = self.off[1].ga2.val();
            self.lane[j].g2s2.next = self.off[2].ga2.val();
            self.lane[j].g2s3.next = self.off[3].ga2.val();
            self.lane[j].g3s0.next = self.off[0].ga3.val();
            self.lane[j].g3s1.next = self.off[1].ga3.val();
            self.lane[j].g3s2.next = self.off[2].ga3.val();
            self.lane[j].g3s3.next = self.off[3].ga3.val();
            // the output registers
            self.sym_r[j].clock.next = self.clock.val();
            self.gray_r[j].clock.next = self.clock.val();
            self.err_r[j].clock.next = self.clock.val();
            self.sym_r[j].d.next = self.lane[j].dec.val();
            self.gray_r[j].d.next = self.lane[j].gray.val();
            self.err_r[j].d.next = self.lane[j].e_now.val();
            if self.rst.val() {
                self.sym_r[j].d.next = self.zero2.val();
                self.gray_r[j].d.next = self.zero2.val();
                self.err_r[j].d.next = self.zero_err.val();
            }
            self.symbol[j].next = self.sym_r[j].q.val();
            self.gray[j].next = self.gray_r[j].q.val();
            self.err[j].next = self.err_r[j].q.val();
        }
        // the tap: the bus's, or with the adaptation the accumulator's rounded code
        self.d_r.d.next = self.d_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.d_adr.val()) {
            self.d_r.d.next = self.cfg_data.val();
        }
        for a in 0..self.lms.len() {
            self.lms[a].clock.next = self.clock.val();
            self.lms[a].rst.next = self.rst.val();
            self.lms[a].cfg_we.next = self.cfg_we.val();
            self.lms[a].cfg_addr.next = self.cfg_addr.val();
            self.lms[a].cfg_data.next = self.cfg_data.val();
            // the registered decision's error and previous decision: the update path
            // starts at registers, off the decision loop
            self.lms[a].e.next = self.err_r[0].q.val();
            self.lms[a].sp.next = self.spq_r[a].q.val();
            self.spq_r[a].clock.next = self.clock.val();
            self.spq_r[a].d.next = self.sp_last.val();
            if self.rst.val() {
                self.spq_r[a].d.next = self.zero2.val();
            }
            self.d_r.d.next = self.lms[a].code.val();
        }
        if self.rst.val() {
            self.d_r.d.next = self.d_rst.val();
        }
    }
}
