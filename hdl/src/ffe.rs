//! FFE: an N-tap feed-forward equalizer over the ADC sample stream.
//!
//! y[n] = sat_Y( (sum_k c_k * x[n-k] + 2^(Y_SHIFT-1)) >> Y_SHIFT )
//!
//! Ports
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[4:0]`, `cfg_data[7:0]`: write coefficient k at address k
//! * in  `adc[5:0]`: ADC code, Q6.0
//! * out `y[7:0]`: equalized sample, Q7.1, saturated to -128 ..= 127 codes
//!
//! Number formats (docs/numerics.md): coefficients Q2.6; products exact in 14 bits, carried
//! in 16; group sums and accumulator 20 bits (cannot overflow); round half up; saturate,
//! never wrap.
//! Latency: 4 cycles (delay line, product register, group-sum register, output register):
//! the adder tree is pipelined as sums of FFE_GROUP = 4 taps, then the sum of the groups.
//! Tap 0 multiplies the newest sample, so with the main cursor at tap 1, tap 0 is the
//! pre-cursor.
//! Reset: delay line, products, group sums and y to 0; coefficients to
//! `RxParams::reset_coefs`.

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// Accumulator bits that must all equal the sign for the shifted sum to fit Q7.1.
const SAT_BITS: usize = ACC_BITS - Y_SHIFT - Y_BITS + 1;
// The accumulator's bit-index constants are 5 bits wide.
const _: () = assert!(ACC_BITS > 16 && ACC_BITS <= 32);

// The sign-bit index constants below are 3 and 4 bits wide; they must index these widths.
const _: () = assert!(ADC_BITS <= 8 && COEF_BITS <= 8 && PROD_BITS <= 16 && PROD_BITS > 8);

/// One FFE tap: its delay-line register, its coefficient register and its product
/// register. The tap is a sub-block (not a loop body in `Ffe`) because rust-hdl's
/// `bit_cast` cannot take a loop index inside `#[hdl_gen]`.
#[derive(LogicBlock)]
pub struct FfeTap {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// sample from the previous tap (or the ADC for tap 0)
    pub x_in: Signal<In, Bits<ADC_BITS>>,
    /// this tap's delayed sample, to the next tap
    pub x_out: Signal<Out, Bits<ADC_BITS>>,
    /// registered product c_k * x[n-k], sign-extended to the accumulator width
    pub p: Signal<Out, Bits<ACC_BITS>>,
    x_r: DFF<Bits<ADC_BITS>>,
    c_r: DFF<Bits<COEF_BITS>>,
    p_r: DFF<Bits<PROD_BITS>>,
    x16: Signal<Local, Bits<16>>,
    c16: Signal<Local, Bits<16>>,
    full: Signal<Local, Bits<32>>,
    adr: Constant<Bits<CFG_ADDR_BITS>>,
    c_rst: Constant<Bits<COEF_BITS>>,
    ext_adc16: Constant<Bits<16>>,
    ext_coef16: Constant<Bits<16>>,
    ext_prod32: Constant<Bits<ACC_BITS>>,
    // bit indices, sized to the index width Verilog expects (clog2 of the source width)
    msb_adc: Constant<Bits<3>>,
    msb_coef: Constant<Bits<3>>,
    msb_prod: Constant<Bits<4>>,
    zero_adc: Constant<Bits<ADC_BITS>>,
    zero_prod: Constant<Bits<PROD_BITS>>,
}

impl FfeTap {
    fn new(addr: u32, reset_coef: i32) -> Self {
        FfeTap {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            x_in: Default::default(),
            x_out: Default::default(),
            p: Default::default(),
            x_r: Default::default(),
            c_r: Default::default(),
            p_r: Default::default(),
            x16: Default::default(),
            c16: Default::default(),
            full: Default::default(),
            adr: konst(addr as u64),
            c_rst: konst(to_raw(reset_coef, COEF_BITS) as u64),
            ext_adc16: konst(ext_mask(ADC_BITS, 16)),
            ext_coef16: konst(ext_mask(COEF_BITS, 16)),
            ext_prod32: konst(ext_mask(PROD_BITS, ACC_BITS)),
            msb_adc: konst(ADC_BITS as u64 - 1),
            msb_coef: konst(COEF_BITS as u64 - 1),
            msb_prod: konst(PROD_BITS as u64 - 1),
            zero_adc: konst(0),
            zero_prod: konst(0),
        }
    }
}

impl Logic for FfeTap {
    #[hdl_gen]
    fn update(&mut self) {
        self.x_r.clock.next = self.clock.val();
        self.c_r.clock.next = self.clock.val();
        self.p_r.clock.next = self.clock.val();
        self.x_r.d.next = self.x_in.val();
        self.c_r.d.next = self.c_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            self.c_r.d.next = self.cfg_data.val();
        }
        // sign-extend both operands to 16 bits (zext, then set the high bits when the sign
        // bit is set: wiring and a mux, no adder), multiply 16x16 into an explicit 32-bit
        // local, keep the low 16 bits (the exact product: it fits in 14)
        self.x16.next = bit_cast::<16, ADC_BITS>(self.x_r.q.val());
        if self.x_r.q.val().get_bit(self.msb_adc.val().index()) {
            self.x16.next = bit_cast::<16, ADC_BITS>(self.x_r.q.val()) | self.ext_adc16.val();
        }
        self.c16.next = bit_cast::<16, COEF_BITS>(self.c_r.q.val());
        if self.c_r.q.val().get_bit(self.msb_coef.val().index()) {
            self.c16.next = bit_cast::<16, COEF_BITS>(self.c_r.q.val()) | self.ext_coef16.val();
        }
        self.full.next = self.x16.val() * self.c16.val();
        self.p_r.d.next = bit_cast::<PROD_BITS, 32>(self.full.val());
        if self.rst.val() {
            self.x_r.d.next = self.zero_adc.val();
            self.c_r.d.next = self.c_rst.val();
            self.p_r.d.next = self.zero_prod.val();
        }
        self.x_out.next = self.x_r.q.val();
        self.p.next = bit_cast::<ACC_BITS, PROD_BITS>(self.p_r.q.val());
        if self.p_r.q.val().get_bit(self.msb_prod.val().index()) {
            self.p.next = bit_cast::<ACC_BITS, PROD_BITS>(self.p_r.q.val()) | self.ext_prod32.val();
        }
    }
}

/// A group of up to FFE_GROUP consecutive taps and its registered partial sum: the first
/// stage of the FFE's pipelined adder tree. A sub-block (not a nested loop in `Ffe`)
/// because rust-hdl's `#[hdl_gen]` loops cannot nest over a computed range.
#[derive(LogicBlock)]
pub struct FfeGroup {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// sample from the previous group (or the ADC for group 0)
    pub x_in: Signal<In, Bits<ADC_BITS>>,
    /// the last tap's delayed sample, to the next group
    pub x_out: Signal<Out, Bits<ADC_BITS>>,
    /// registered sum of this group's products (exact, ACC_BITS two's complement)
    pub s: Signal<Out, Bits<ACC_BITS>>,
    tap: Vec<FfeTap>,
    s_r: DFF<Bits<ACC_BITS>>,
    gacc: Signal<Local, Bits<ACC_BITS>>,
    /// added into the sum: the rounding constant for group 0, zero for the others
    bias: Constant<Bits<ACC_BITS>>,
    zero_acc: Constant<Bits<ACC_BITS>>,
}

impl FfeGroup {
    fn new(first_tap: usize, reset_coefs: &[i32], bias: u64) -> Self {
        FfeGroup {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            x_in: Default::default(),
            x_out: Default::default(),
            s: Default::default(),
            tap: reset_coefs
                .iter()
                .enumerate()
                .map(|(k, &c)| FfeTap::new(CFG_COEF_BASE + (first_tap + k) as u32, c))
                .collect(),
            s_r: Default::default(),
            gacc: Default::default(),
            bias: konst(bias),
            zero_acc: konst(0),
        }
    }
}

impl Logic for FfeGroup {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..self.tap.len() {
            self.tap[k].clock.next = self.clock.val();
            self.tap[k].rst.next = self.rst.val();
            self.tap[k].cfg_we.next = self.cfg_we.val();
            self.tap[k].cfg_addr.next = self.cfg_addr.val();
            self.tap[k].cfg_data.next = self.cfg_data.val();
        }
        self.tap[0].x_in.next = self.x_in.val();
        for k in 1..self.tap.len() {
            self.tap[k].x_in.next = self.tap[k - 1].x_out.val();
        }
        // the last tap's sample (the last assignment wins; rust-hdl's Verilog export
        // evaluates an index only from loop variables, so no `len() - 1` index)
        for k in 0..self.tap.len() {
            self.x_out.next = self.tap[k].x_out.val();
        }
        self.s_r.clock.next = self.clock.val();
        self.gacc.next = self.bias.val();
        for k in 0..self.tap.len() {
            self.gacc.next = self.gacc.val() + self.tap[k].p.val();
        }
        self.s_r.d.next = self.gacc.val();
        if self.rst.val() {
            self.s_r.d.next = self.zero_acc.val();
        }
        self.s.next = self.s_r.q.val();
    }
}

#[derive(LogicBlock)]
pub struct Ffe {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    pub adc: Signal<In, Bits<ADC_BITS>>,
    pub y: Signal<Out, Bits<Y_BITS>>,
    group: Vec<FfeGroup>,
    y_reg: DFF<Bits<Y_BITS>>,
    acc: Signal<Local, Bits<ACC_BITS>>,
    top: Signal<Local, Bits<SAT_BITS>>,
    zero_acc: Constant<Bits<ACC_BITS>>,
    sat_lo_bit: Constant<Bits<5>>,
    acc_msb: Constant<Bits<5>>,
    y_max: Constant<Bits<Y_BITS>>,
    y_min: Constant<Bits<Y_BITS>>,
    y_shift: Constant<Bits<5>>,
    zero_y: Constant<Bits<Y_BITS>>,
}

impl Ffe {
    /// Build the FFE for a validated parameter set (panics on an illegal one: callers
    /// validate first; `RxTop::new` does).
    pub fn new(p: &RxParams) -> Self {
        p.validate().expect("Ffe::new needs validated RxParams");
        Ffe {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            adc: Default::default(),
            y: Default::default(),
            group: p
                .reset_coefs
                .chunks(FFE_GROUP)
                .enumerate()
                // the rounding constant rides in group 0's sum: no adder for it in stage 2
                .map(|(j, c)| {
                    FfeGroup::new(j * FFE_GROUP, c, if j == 0 { Y_ROUND as u64 } else { 0 })
                })
                .collect(),
            y_reg: Default::default(),
            acc: Default::default(),
            top: Default::default(),
            zero_acc: konst(0),
            sat_lo_bit: konst((Y_SHIFT + Y_BITS - 1) as u64),
            acc_msb: konst(ACC_BITS as u64 - 1),
            y_max: konst(to_raw(Y_MAX, Y_BITS) as u64),
            y_min: konst(to_raw(Y_MIN, Y_BITS) as u64),
            y_shift: konst(Y_SHIFT as u64),
            zero_y: konst(0),
        }
    }

    pub fn n_taps(&self) -> usize {
        self.group.iter().map(|g| g.tap.len()).sum()
    }
}

impl Logic for Ffe {
    #[hdl_gen]
    fn update(&mut self) {
        for j in 0..self.group.len() {
            self.group[j].clock.next = self.clock.val();
            self.group[j].rst.next = self.rst.val();
            self.group[j].cfg_we.next = self.cfg_we.val();
            self.group[j].cfg_addr.next = self.cfg_addr.val();
            self.group[j].cfg_data.next = self.cfg_data.val();
        }
        self.group[0].x_in.next = self.adc.val();
        for j in 1..self.group.len() {
            self.group[j].x_in.next = self.group[j - 1].x_out.val();
        }
        self.y_reg.clock.next = self.clock.val();
        // second adder stage: the group sums (rounding constant included in group 0), then
        // saturate. q = acc >> Y_SHIFT fits Q7.1 exactly when acc's bits from
        // Y_SHIFT + Y_BITS - 1 up are all equal: an AND/OR reduction, no comparator.
        self.acc.next = self.zero_acc.val();
        for j in 0..self.group.len() {
            self.acc.next = self.acc.val() + self.group[j].s.val();
        }
        self.top.next = self
            .acc
            .val()
            .get_bits::<SAT_BITS>(self.sat_lo_bit.val().index());
        if !self.acc.val().get_bit(self.acc_msb.val().index()) && self.top.val().any() {
            self.y_reg.d.next = self.y_max.val();
        } else if self.acc.val().get_bit(self.acc_msb.val().index()) && !self.top.val().all() {
            self.y_reg.d.next = self.y_min.val();
        } else {
            self.y_reg.d.next = self
                .acc
                .val()
                .get_bits::<Y_BITS>(self.y_shift.val().index());
        }
        if self.rst.val() {
            self.y_reg.d.next = self.zero_y.val();
        }
        self.y.next = self.y_reg.q.val();
    }
}
