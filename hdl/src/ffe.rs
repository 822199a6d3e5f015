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
//! in 16; accumulator 32 bits (cannot overflow); round half up; saturate, never wrap.
//! Latency: 3 cycles (delay line, product register, output register). Tap 0 multiplies the
//! newest sample, so with the main cursor at tap 1, tap 0 is the pre-cursor.
//! Reset: delay line, products and y to 0; coefficients to `RxParams::reset_coefs`.

use crate::konst;
use cporx_spec::*;
use rust_hdl::prelude::*;

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
    sgn_adc16: Constant<Bits<16>>,
    sgn_coef16: Constant<Bits<16>>,
    sgn_prod32: Constant<Bits<ACC_BITS>>,
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
            sgn_adc16: konst(1 << (ADC_BITS - 1)),
            sgn_coef16: konst(1 << (COEF_BITS - 1)),
            sgn_prod32: konst(1 << (PROD_BITS - 1)),
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
        // sign-extend both operands to 16 bits (zext, then (v ^ S) - S), multiply 16x16 into an explicit 32-bit
        // local, keep the low 16 bits (the exact product: it fits in 14)
        self.x16.next = (bit_cast::<16, ADC_BITS>(self.x_r.q.val()) ^ self.sgn_adc16.val())
            - self.sgn_adc16.val();
        self.c16.next = (bit_cast::<16, COEF_BITS>(self.c_r.q.val()) ^ self.sgn_coef16.val())
            - self.sgn_coef16.val();
        self.full.next = self.x16.val() * self.c16.val();
        self.p_r.d.next = bit_cast::<PROD_BITS, 32>(self.full.val());
        if self.rst.val() {
            self.x_r.d.next = self.zero_adc.val();
            self.c_r.d.next = self.c_rst.val();
            self.p_r.d.next = self.zero_prod.val();
        }
        self.x_out.next = self.x_r.q.val();
        self.p.next = (bit_cast::<ACC_BITS, PROD_BITS>(self.p_r.q.val()) ^ self.sgn_prod32.val())
            - self.sgn_prod32.val();
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
    tap: Vec<FfeTap>,
    y_reg: DFF<Bits<Y_BITS>>,
    acc: Signal<Local, Bits<ACC_BITS>>,
    acc_f: Signal<Local, Bits<ACC_BITS>>,
    sgn_acc: Constant<Bits<ACC_BITS>>,
    rnd: Constant<Bits<ACC_BITS>>,
    sat_hi_f: Constant<Bits<ACC_BITS>>,
    sat_lo_f: Constant<Bits<ACC_BITS>>,
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
        let sign_acc = 1u64 << (ACC_BITS - 1);
        let acc_mask = (1u64 << ACC_BITS) - 1;
        // Saturation points on the rounded accumulator (before the shift), sign-flipped for
        // the unsigned compare: acc >= (Y_MAX+1) << Y_SHIFT saturates high,
        // acc < Y_MIN << Y_SHIFT saturates low.
        let hi = (((Y_MAX as i64 + 1) << Y_SHIFT) as u64 & acc_mask) ^ sign_acc;
        let lo = (((Y_MIN as i64) << Y_SHIFT) as u64 & acc_mask) ^ sign_acc;
        Ffe {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            adc: Default::default(),
            y: Default::default(),
            tap: (0..p.n_taps)
                .map(|k| FfeTap::new(CFG_COEF_BASE + k as u32, p.reset_coefs[k]))
                .collect(),
            y_reg: Default::default(),
            acc: Default::default(),
            acc_f: Default::default(),
            sgn_acc: konst(sign_acc),
            rnd: konst(Y_ROUND as u64),
            sat_hi_f: konst(hi),
            sat_lo_f: konst(lo),
            y_max: konst(to_raw(Y_MAX, Y_BITS) as u64),
            y_min: konst(to_raw(Y_MIN, Y_BITS) as u64),
            y_shift: konst(Y_SHIFT as u64),
            zero_y: konst(0),
        }
    }

    pub fn n_taps(&self) -> usize {
        self.tap.len()
    }
}

impl Logic for Ffe {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..self.tap.len() {
            self.tap[k].clock.next = self.clock.val();
            self.tap[k].rst.next = self.rst.val();
            self.tap[k].cfg_we.next = self.cfg_we.val();
            self.tap[k].cfg_addr.next = self.cfg_addr.val();
            self.tap[k].cfg_data.next = self.cfg_data.val();
        }
        self.tap[0].x_in.next = self.adc.val();
        for k in 1..self.tap.len() {
            self.tap[k].x_in.next = self.tap[k - 1].x_out.val();
        }
        self.y_reg.clock.next = self.clock.val();
        // sum, round half up, saturate
        self.acc.next = self.rnd.val();
        for k in 0..self.tap.len() {
            self.acc.next = self.acc.val() + self.tap[k].p.val();
        }
        self.acc_f.next = self.acc.val() ^ self.sgn_acc.val();
        if self.acc_f.val() >= self.sat_hi_f.val() {
            self.y_reg.d.next = self.y_max.val();
        } else if self.acc_f.val() < self.sat_lo_f.val() {
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
