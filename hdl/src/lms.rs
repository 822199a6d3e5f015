//! LMS: sign-sign adaptation of the FFE coefficients from the slicer error, one update
//! per clock, with its own write port into the FFE's coefficient registers.
//!
//! ```text
//! at clock edge c (not reset), s = (c - LMS_ERR_DELAY) P  (lane 0 of an earlier block)
//!   acc_k <- sext(cfg_data) << F                         if the bus writes coefficient k
//!   acc_k <- sat(acc_k - sgn(e[s]) sgn(x[s-k]) 2^(F-mu))  else if enable and not freeze_k
//!   wr_we <- enable, wr_addr <- rr, rr <- rr+1 mod N,
//!   wr_data <- round(acc_rr before this edge), or the code the bus writes to tap rr now
//! round(a) = (a + 2^(F-1)) >> F   (half up),  sgn(0) = 0,  F = LMS_FRAC
//! ```
//!
//! Structure: a sign line (two 128-bit registers, zero flags and sign bits of the newest
//! LMS_LINE samples; each clock the older entries move up by P and the new block enters at
//! the bottom, lane j at P-1-j); one `LmsTap` per tap (accumulator register, its sign
//! product from the error's sign and its line entry at the constant distance
//! `LMS_ERR_DELAY * P - 1 + k`, a power-of-two step, saturation by signed compare, rounding
//! to its code); the round-robin pointer and the registered write port. No multiplier:
//! the update adds or subtracts `1 << (F - mu)`.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): `lanes` P in
//! {1, 2, 4, 8, 16}; `n_taps` N in 2 ..= 16; `reset_coefs` (N codes, -128 ..= 127): the
//! accumulators' reset values (each `<< F`).
//! **Ports**:
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: snooped; a write of coefficient k
//!   (address k < N) loads accumulator k
//! * in  `adc$j[5:0]`: the P ADC codes the FFE takes this clock, Q6.0
//! * in  `err[8:0]`: lane 0's slicer error register, Q8.1
//! * in  `enable`, `mu[3:0]` (0 ..= 15), `freeze[15:0]` (bit k holds tap k)
//! * out `wr_we`, `wr_addr[4:0]`, `wr_data[7:0]`: one coefficient write per clock
//! **Formats**: accumulators Q2.21 (`LMS_ACC_BITS` = 23), saturated to [-128, 127] * 2^F,
//! never wrapping; the update is computed in 24 bits; step 2^-mu coefficient LSBs.
//! **Latency**: `LAT_LMS` = 2 to the accumulators and the write port; tap k is written
//! every N clocks.
//! **Reset**: accumulators to `reset_coefs << F`; sign line, pointer and write port to 0.
//! Power-up: every register 0.
//!
//! See also: model `sim/model/src/lms.rs` (`LmsModel`), untimed reference
//! `cporx_model::reference::lms_ref`, spec docs/numerics.md "LMS (sign-sign coefficient
//! adaptation)" and `spec/src/lms.rs`, tests `verif/tests/lms.rs`.

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// The update's width: the accumulator plus one bit, so acc +- step cannot wrap.
const WIDE: usize = LMS_ACC_BITS + 1;
const _: () = assert!(WIDE <= 32 && LMS_LINE_BITS == 128 && MAX_TAPS <= 16);

/// One lane's entry of the new block: its zero flag and sign bit at line position P-1-j.
#[derive(LogicBlock)]
pub struct LmsLane {
    pub adc: Signal<In, Bits<ADC_BITS>>,
    /// 1 at this lane's position when the sample is nonzero
    pub nz: Signal<Out, Bits<LMS_LINE_BITS>>,
    /// 1 at this lane's position when the sample is negative
    pub neg: Signal<Out, Bits<LMS_LINE_BITS>>,
    at: Constant<Bits<LMS_LINE_BITS>>,
    zero: Constant<Bits<LMS_LINE_BITS>>,
    zero_x: Constant<Bits<ADC_BITS>>,
    msb: Constant<Bits<3>>,
}

impl LmsLane {
    fn new(pos: usize) -> Self {
        let at = Bits::<LMS_LINE_BITS>::default().replace_bit(pos, true);
        LmsLane {
            adc: Default::default(),
            nz: Default::default(),
            neg: Default::default(),
            at: Constant::new(at),
            zero: Constant::new(Bits::<LMS_LINE_BITS>::default()),
            zero_x: konst(0),
            msb: konst(ADC_BITS as u64 - 1),
        }
    }
}

impl Logic for LmsLane {
    #[hdl_gen]
    fn update(&mut self) {
        self.nz.next = self.zero.val();
        self.neg.next = self.zero.val();
        if self.adc.val() != self.zero_x.val() {
            self.nz.next = self.at.val();
        }
        if self.adc.val().get_bit(self.msb.val().index()) {
            self.neg.next = self.at.val();
        }
    }
}

/// One tap: its accumulator, update, saturation and rounded code. `code` is the code of
/// the accumulator before this edge (or the bus's code written now), `sel` that code when the
/// pointer selects this tap and 0 otherwise (ORed into the write port).
#[derive(LogicBlock)]
pub struct LmsTap {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    pub enable: Signal<In, Bit>,
    pub mu: Signal<In, Bits<LMS_MU_BITS>>,
    pub freeze: Signal<In, Bits<MAX_TAPS>>,
    /// the error's sign: nonzero, negative
    pub e_nz: Signal<In, Bit>,
    pub e_neg: Signal<In, Bit>,
    pub nz_line: Signal<In, Bits<LMS_LINE_BITS>>,
    pub neg_line: Signal<In, Bits<LMS_LINE_BITS>>,
    pub rr: Signal<In, Bits<4>>,
    pub sel: Signal<Out, Bits<COEF_BITS>>,
    acc_r: DFF<Bits<LMS_ACC_BITS>>,
    next: Signal<Local, Bits<LMS_ACC_BITS>>,
    wide: Signal<Local, Bits<WIDE>>,
    step: Signal<Local, Bits<WIDE>>,
    sum: Signal<Local, Bits<WIDE>>,
    half_bit: Signal<Local, Bits<COEF_BITS>>,
    code: Signal<Local, Bits<COEF_BITS>>,
    x_nz: Signal<Local, Bit>,
    x_neg: Signal<Local, Bit>,
    adr: Constant<Bits<CFG_ADDR_BITS>>,
    idx: Constant<Bits<4>>,
    line_at: Constant<Bits<7>>,
    acc_msb: Constant<Bits<5>>,
    ext_wide: Constant<Bits<WIDE>>,
    one_wide: Constant<Bits<WIDE>>,
    frac: Constant<Bits<LMS_MU_BITS>>,
    frac_sh: Constant<Bits<5>>,
    sign_wide: Constant<Bits<WIDE>>,
    hi_wide: Constant<Bits<WIDE>>,
    lo_wide: Constant<Bits<WIDE>>,
    hi: Constant<Bits<LMS_ACC_BITS>>,
    lo: Constant<Bits<LMS_ACC_BITS>>,
    half_at: Constant<Bits<5>>,
    reset_acc: Constant<Bits<LMS_ACC_BITS>>,
    zero_code: Constant<Bits<COEF_BITS>>,
}

impl LmsTap {
    fn new(k: usize, lanes: usize, reset_coef: i32) -> Self {
        let raw = |v: i64, bits: usize| (v as u64) & ((1u64 << bits) - 1);
        LmsTap {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            enable: Default::default(),
            mu: Default::default(),
            freeze: Default::default(),
            e_nz: Default::default(),
            e_neg: Default::default(),
            nz_line: Default::default(),
            neg_line: Default::default(),
            rr: Default::default(),
            sel: Default::default(),
            acc_r: Default::default(),
            next: Default::default(),
            wide: Default::default(),
            step: Default::default(),
            sum: Default::default(),
            half_bit: Default::default(),
            code: Default::default(),
            x_nz: Default::default(),
            x_neg: Default::default(),
            adr: konst((CFG_COEF_BASE as usize + k) as u64),
            idx: konst(k as u64),
            line_at: konst((LMS_ERR_DELAY * lanes - 1 + k) as u64),
            acc_msb: konst(LMS_ACC_BITS as u64 - 1),
            ext_wide: konst(ext_mask(LMS_ACC_BITS, WIDE)),
            one_wide: konst(1),
            frac: konst(LMS_FRAC as u64),
            frac_sh: konst(LMS_FRAC as u64),
            sign_wide: konst(1u64 << (WIDE - 1)),
            hi_wide: konst(raw(127i64 << LMS_FRAC, WIDE)),
            lo_wide: konst(raw(-128i64 << LMS_FRAC, WIDE)),
            hi: konst(raw(127i64 << LMS_FRAC, LMS_ACC_BITS)),
            lo: konst(raw(-128i64 << LMS_FRAC, LMS_ACC_BITS)),
            half_at: konst(LMS_FRAC as u64 - 1),
            reset_acc: konst(raw((reset_coef as i64) << LMS_FRAC, LMS_ACC_BITS)),
            zero_code: konst(0),
        }
    }
}

impl Logic for LmsTap {
    #[hdl_gen]
    fn update(&mut self) {
        self.acc_r.clock.next = self.clock.val();
        self.x_nz.next = self.nz_line.val().get_bit(self.line_at.val().index());
        self.x_neg.next = self.neg_line.val().get_bit(self.line_at.val().index());
        // acc +- 2^(F - mu) in WIDE bits (sign-extended accumulator)
        self.wide.next = bit_cast::<WIDE, LMS_ACC_BITS>(self.acc_r.q.val());
        if self.acc_r.q.val().get_bit(self.acc_msb.val().index()) {
            self.wide.next =
                bit_cast::<WIDE, LMS_ACC_BITS>(self.acc_r.q.val()) | self.ext_wide.val();
        }
        self.step.next = self.one_wide.val() << (self.frac.val() - self.mu.val());
        // sgn(e) sgn(x) = +1 (signs equal): subtract the step; -1: add it
        self.sum.next = self.wide.val() - self.step.val();
        if self.e_neg.val() != self.x_neg.val() {
            self.sum.next = self.wide.val() + self.step.val();
        }
        self.next.next = self.acc_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            // code << F: the 8-bit pattern in the top bits is its two's complement
            self.next.next =
                bit_cast::<LMS_ACC_BITS, CFG_DATA_BITS>(self.cfg_data.val()) << self.frac_sh.val();
        } else if self.enable.val()
            && !self.freeze.val().get_bit(self.idx.val().index())
            && self.e_nz.val()
            && self.x_nz.val()
        {
            // saturate by signed compare: a >s b  <=>  (a ^ S) >u (b ^ S)
            if (self.sum.val() ^ self.sign_wide.val()) > (self.hi_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.hi.val();
            } else if (self.sum.val() ^ self.sign_wide.val())
                < (self.lo_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.lo.val();
            } else {
                self.next.next = self.sum.val().get_bits::<LMS_ACC_BITS>(0);
            }
        }
        if self.rst.val() {
            self.next.next = self.reset_acc.val();
        }
        self.acc_r.d.next = self.next.val();
        // round half up: (a + 2^(F-1)) >> F = (a >> F) + a[F-1]; cannot overflow (at the
        // top code 127 the accumulator is exactly 127 2^F, so a[F-1] = 0)
        // From the register, not from this edge's update: the write port's path starts at
        // a register (a bus write to this tap at this edge: its code)
        self.half_bit.next =
            bit_cast::<COEF_BITS, 1>(self.acc_r.q.val().get_bits::<1>(self.half_at.val().index()));
        self.code.next = self
            .acc_r
            .q
            .val()
            .get_bits::<COEF_BITS>(self.frac_sh.val().index())
            + self.half_bit.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            self.code.next = self.cfg_data.val();
        }
        self.sel.next = self.zero_code.val();
        if self.rr.val() == self.idx.val() {
            self.sel.next = self.code.val();
        }
    }
}

/// The LMS block (see the module documentation).
#[derive(LogicBlock)]
pub struct Lms {
    /// the one clock; every register updates on its rising edge
    pub clock: Signal<In, Clock>,
    /// synchronous reset, active high; has priority over bus writes and updates
    pub rst: Signal<In, Bit>,
    /// configuration write enable (snooped: a coefficient write loads its accumulator)
    pub cfg_we: Signal<In, Bit>,
    /// configuration register address, 0 ..= 63; coefficient k is at k
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// configuration data: the coefficient's Q2.6 code
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane j's ADC code this clock, Q6.0 (-32 ..= 31); lane 0 the oldest
    pub adc: Vec<Signal<In, Bits<ADC_BITS>>>,
    /// lane 0's slicer error register, Q8.1 (-256 ..= 255)
    pub err: Signal<In, Bits<ERR_BITS>>,
    /// update the accumulators and drive the write port
    pub enable: Signal<In, Bit>,
    /// step code 0 ..= 15: 2^-mu coefficient LSBs per update
    pub mu: Signal<In, Bits<LMS_MU_BITS>>,
    /// bit k holds tap k's accumulator (bus writes still load it)
    pub freeze: Signal<In, Bits<MAX_TAPS>>,
    /// write port: a coefficient write this clock (registered `enable`)
    pub wr_we: Signal<Out, Bit>,
    /// write port: the coefficient's address, 0 ..= N-1 in turn
    pub wr_addr: Signal<Out, Bits<CFG_ADDR_BITS>>,
    /// write port: the coefficient's Q2.6 code
    pub wr_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    lane: Vec<LmsLane>,
    tap: Vec<LmsTap>,
    nz_r: DFF<Bits<LMS_LINE_BITS>>,
    neg_r: DFF<Bits<LMS_LINE_BITS>>,
    rr_r: DFF<Bits<4>>,
    we_r: DFF<Bit>,
    addr_r: DFF<Bits<CFG_ADDR_BITS>>,
    data_r: DFF<Bits<CFG_DATA_BITS>>,
    nz_blk: Signal<Local, Bits<LMS_LINE_BITS>>,
    neg_blk: Signal<Local, Bits<LMS_LINE_BITS>>,
    data: Signal<Local, Bits<CFG_DATA_BITS>>,
    e_nz: Signal<Local, Bit>,
    e_neg: Signal<Local, Bit>,
    shift: Constant<Bits<5>>,
    last: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    zero4: Constant<Bits<4>>,
    zero_line: Constant<Bits<LMS_LINE_BITS>>,
    zero_err: Constant<Bits<ERR_BITS>>,
    err_msb: Constant<Bits<4>>,
    zero_addr: Constant<Bits<CFG_ADDR_BITS>>,
    zero_data: Constant<Bits<CFG_DATA_BITS>>,
}

impl Lms {
    /// Build the block for `p`; an illegal parameter set is an error naming the field and
    /// its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(Lms {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            adc: (0..p.lanes).map(|_| Default::default()).collect(),
            err: Default::default(),
            enable: Default::default(),
            mu: Default::default(),
            freeze: Default::default(),
            wr_we: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            lane: (0..p.lanes)
                .map(|j| LmsLane::new(p.lanes - 1 - j))
                .collect(),
            tap: p
                .reset_coefs
                .iter()
                .enumerate()
                .map(|(k, &c)| LmsTap::new(k, p.lanes, c))
                .collect(),
            nz_r: Default::default(),
            neg_r: Default::default(),
            rr_r: Default::default(),
            we_r: Default::default(),
            addr_r: Default::default(),
            data_r: Default::default(),
            nz_blk: Default::default(),
            neg_blk: Default::default(),
            data: Default::default(),
            e_nz: Default::default(),
            e_neg: Default::default(),
            shift: konst(p.lanes as u64),
            last: konst(p.n_taps as u64 - 1),
            one4: konst(1),
            zero4: konst(0),
            zero_line: Constant::new(Bits::<LMS_LINE_BITS>::default()),
            zero_err: konst(0),
            err_msb: konst(ERR_BITS as u64 - 1),
            zero_addr: konst(0),
            zero_data: konst(0),
        })
    }

    pub fn n_taps(&self) -> usize {
        self.tap.len()
    }

    pub fn lanes(&self) -> usize {
        self.lane.len()
    }
}

impl Logic for Lms {
    #[hdl_gen]
    fn update(&mut self) {
        self.nz_r.clock.next = self.clock.val();
        self.neg_r.clock.next = self.clock.val();
        self.rr_r.clock.next = self.clock.val();
        self.we_r.clock.next = self.clock.val();
        self.addr_r.clock.next = self.clock.val();
        self.data_r.clock.next = self.clock.val();
        self.e_nz.next = self.err.val() != self.zero_err.val();
        self.e_neg.next = self.err.val().get_bit(self.err_msb.val().index());
        // the new block's signs
        self.nz_blk.next = self.zero_line.val();
        self.neg_blk.next = self.zero_line.val();
        for j in 0..self.lane.len() {
            self.lane[j].adc.next = self.adc[j].val();
            self.nz_blk.next = self.nz_blk.val() | self.lane[j].nz.val();
            self.neg_blk.next = self.neg_blk.val() | self.lane[j].neg.val();
        }
        // the taps, and the selected tap's new code for the write port
        self.data.next = self.zero_data.val();
        for k in 0..self.tap.len() {
            self.tap[k].clock.next = self.clock.val();
            self.tap[k].rst.next = self.rst.val();
            self.tap[k].cfg_we.next = self.cfg_we.val();
            self.tap[k].cfg_addr.next = self.cfg_addr.val();
            self.tap[k].cfg_data.next = self.cfg_data.val();
            self.tap[k].enable.next = self.enable.val();
            self.tap[k].mu.next = self.mu.val();
            self.tap[k].freeze.next = self.freeze.val();
            self.tap[k].e_nz.next = self.e_nz.val();
            self.tap[k].e_neg.next = self.e_neg.val();
            self.tap[k].nz_line.next = self.nz_r.q.val();
            self.tap[k].neg_line.next = self.neg_r.q.val();
            self.tap[k].rr.next = self.rr_r.q.val();
            self.data.next = self.data.val() | self.tap[k].sel.val();
        }
        // the sign line moves up by one block
        self.nz_r.d.next = (self.nz_r.q.val() << self.shift.val()) | self.nz_blk.val();
        self.neg_r.d.next = (self.neg_r.q.val() << self.shift.val()) | self.neg_blk.val();
        // the write port and its pointer
        self.rr_r.d.next = self.rr_r.q.val() + self.one4.val();
        if self.rr_r.q.val() == self.last.val() {
            self.rr_r.d.next = self.zero4.val();
        }
        self.we_r.d.next = self.enable.val();
        self.addr_r.d.next = bit_cast::<CFG_ADDR_BITS, 4>(self.rr_r.q.val());
        self.data_r.d.next = self.data.val();
        if self.rst.val() {
            self.nz_r.d.next = self.zero_line.val();
            self.neg_r.d.next = self.zero_line.val();
            self.rr_r.d.next = self.zero4.val();
            self.we_r.d.next = false;
            self.addr_r.d.next = self.zero_addr.val();
            self.data_r.d.next = self.zero_data.val();
        }
        self.wr_we.next = self.we_r.q.val();
        self.wr_addr.next = self.addr_r.q.val();
        self.wr_data.next = self.data_r.q.val();
    }
}
