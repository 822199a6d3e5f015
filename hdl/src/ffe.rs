//! FFE: an N-tap feed-forward equalizer over the ADC sample stream, P samples per clock.
//!
//! ```text
//! acc[n] = sum_{k=0}^{N-1} c_k * x[n-k]                 (exact)
//! y[n]   = sat_Y( (acc[n] + 2^(Y_SHIFT-1)) >> Y_SHIFT )  for every sample n
//! ```
//!
//! Tap 0 multiplies the newest sample (with the default 3 taps and the main cursor at tap 1,
//! tap 0 is the pre-cursor and tap 2 the post-cursor). Lane j of a clock computes exactly the
//! one-lane FIR of its sample.
//!
//! Structure: a history register keeps the newest P + N - 1 samples (one bus, sample s at
//! bits 6s.., s = 0 the newest), so lane j's taps reach back across the block boundary:
//! lane j, tap k multiplies sample s = P - 1 - j + k. A coefficient bank holds the N
//! coefficients once for all lanes, each with its multiples 3c and -c (computed when it is
//! written, so all three change at the same edge). Each lane has N multipliers (`FfeMul`: no
//! hardware multiplier; each 2-bit digit of the sample, x = d0 + 4 d1 + 16 d2, selects a
//! multiple, registered, and the three are added into the product register), adder groups of
//! FFE_GROUP = 2 taps (registered partial sums; the rounding constant rides in group 0) and
//! an output stage (sum of groups into the accumulator register, then round, saturate,
//! register). With P = 1 the history register is the classic delay line. (Why no DSP block:
//! Yosys maps a product onto an ECP5 MULT18X18D without its pipeline registers, and that path
//! alone took 7 ns; the digit selects and two short adds close at 200 MHz.)
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `Ffe::new` calls on the
//! whole set): `lanes` P in {1, 2, 4, 8, 16}; `n_taps` N in 2 ..= 16 (`MIN_TAPS ..=
//! MAX_TAPS`); `reset_coefs`, exactly N Q2.6 codes, each -128 ..= 127.
//!
//! **Ports** (P = `RxParams::lanes`; lane 0 is the oldest sample of a clock's block)
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: write coefficient k at address k
//!   (`CFG_COEF_BASE + k`, k < N); other addresses are not the FFE's. A write lands at the
//!   edge of its cycle and is first used by the partial products registered at the next edge.
//! * in  `adc$j[5:0]`: lane j's ADC code, Q6.0
//! * out `y$j[7:0]`: lane j's equalized sample, Q7.1, saturated to -128 ..= 127 codes
//!
//! **Formats** (docs/numerics.md, "Formats"): ADC codes Q6.0 (-32 ..= 31); coefficients Q2.6
//! (-2.0 ..= +1.984375); the multiples c, 3c, -c 10 bits (`MULT_FIELD`), exact; products
//! exact in 14 bits, carried in 16 (`PROD_BITS`); group sums and accumulator 20 bits
//! (`ACC_BITS`; at most 16 x 4096 = 2^16 plus the rounding constant, so they cannot
//! overflow); y Q7.1: round half up (add `Y_ROUND` = 16, keep bits `[12:5]`), saturate,
//! never wrap (the saturation test is an AND/OR reduction of bits `[19:12]`, no comparator).
//!
//! **Latency**: 6 cycles (`cporx_spec::LAT_FFE`: history register, partial-product register,
//! product register, group-sum register, accumulator register, output register), for every
//! P. If lane j of `adc` carries `x[n]` in cycle c, the output that uses it on tap k is on lane
//! (j + k) mod P of `y` after cycle c + floor((j + k) / P) + 5.
//!
//! **Reset**: synchronous `rst` has priority over configuration writes: history, partial
//! products, products, group sums, accumulator and y to 0; coefficients (with their
//! multiples 3c and -c) to `RxParams::reset_coefs` (docs/numerics.md, "Reset and
//! power-up"). Power-up: every register 0, coefficients included (so y = 0 whatever the ADC
//! until a reset or a write).
//!
//! See also: model `sim/model/src/ffe.rs` (`FfeModel`, `round_saturate`), untimed reference
//! `cporx_model::reference::ffe_ref` (`ffe_y`), spec docs/numerics.md "FFE" and
//! `spec/src/ffe.rs`, tests `verif/tests/ffe.rs` (and `sim/model/tests/reference.rs`).

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// Accumulator bits that must all equal the sign for the shifted sum to fit Q7.1.
const SAT_BITS: usize = ACC_BITS - Y_SHIFT - Y_BITS + 1;
// The accumulator's bit-index constants are 5 bits wide.
const _: () = assert!(ACC_BITS > 16 && ACC_BITS <= 32);
// The sign-bit index constants below are 3 and 4 bits wide; they must index these widths.
const _: () = assert!(ADC_BITS <= 8 && COEF_BITS <= 8 && PROD_BITS <= 16 && PROD_BITS > 8);
// Bus offsets are 8-bit constants (history 186 bits, coefficient buses 160 bits).
const _: () = assert!(HIST_BITS <= 256 && HIST_BITS > 128);
const _: () = assert!(COEF_BUS_BITS <= 256 && COEF_BUS_BITS > 128);

/// One coefficient register with its configuration-bus decode, and its multiples 3c and
/// -c (registered with it: a write computes them from `cfg_data`). Drives its field of the
/// three coefficient buses (a sub-block because rust-hdl's `bit_cast` cannot take a loop
/// index).
#[derive(LogicBlock)]
pub struct FfeCoef {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// c, 3c and -c (MULT_FIELD bits, two's complement) at their bus positions, zero
    /// elsewhere, ORed into the buses
    pub bus1: Signal<Out, Bits<COEF_BUS_BITS>>,
    pub bus3: Signal<Out, Bits<COEF_BUS_BITS>>,
    pub busn: Signal<Out, Bits<COEF_BUS_BITS>>,
    /// the read-back address (the bus's `cfg_addr`; `cfg_addr` may be a write port's)
    pub rd_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// read-back: the coefficient's code when `rd_addr` is its address, 0 elsewhere
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    c1_r: DFF<Bits<MULT_FIELD>>,
    c3_r: DFF<Bits<MULT_FIELD>>,
    cn_r: DFF<Bits<MULT_FIELD>>,
    d: Signal<Local, Bits<MULT_FIELD>>,
    adr: Constant<Bits<CFG_ADDR_BITS>>,
    rst1: Constant<Bits<MULT_FIELD>>,
    rst3: Constant<Bits<MULT_FIELD>>,
    rstn: Constant<Bits<MULT_FIELD>>,
    ext_coef: Constant<Bits<MULT_FIELD>>,
    msb_coef: Constant<Bits<3>>,
    one_sh: Constant<Bits<2>>,
    zero: Constant<Bits<MULT_FIELD>>,
    zero_d: Constant<Bits<CFG_DATA_BITS>>,
    off: Constant<Bits<8>>,
}

impl FfeCoef {
    fn new(k: usize, reset_coef: i32) -> Self {
        let f = |v: i32| konst::<MULT_FIELD>(to_raw(v, MULT_FIELD) as u64);
        FfeCoef {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            bus1: Default::default(),
            bus3: Default::default(),
            busn: Default::default(),
            rd_addr: Default::default(),
            rd: Default::default(),
            c1_r: Default::default(),
            c3_r: Default::default(),
            cn_r: Default::default(),
            d: Default::default(),
            adr: konst((CFG_COEF_BASE as usize + k) as u64),
            rst1: f(reset_coef),
            rst3: f(3 * reset_coef),
            rstn: f(-reset_coef),
            ext_coef: konst(ext_mask(COEF_BITS, MULT_FIELD)),
            msb_coef: konst(COEF_BITS as u64 - 1),
            one_sh: konst(1),
            zero: konst(0),
            zero_d: konst(0),
            off: konst((MULT_FIELD * k) as u64),
        }
    }
}

impl Logic for FfeCoef {
    #[hdl_gen]
    fn update(&mut self) {
        self.c1_r.clock.next = self.clock.val();
        self.c3_r.clock.next = self.clock.val();
        self.cn_r.clock.next = self.clock.val();
        self.c1_r.d.next = self.c1_r.q.val();
        self.c3_r.d.next = self.c3_r.q.val();
        self.cn_r.d.next = self.cn_r.q.val();
        // the written code, sign-extended to the field width
        self.d.next = bit_cast::<MULT_FIELD, COEF_BITS>(self.cfg_data.val());
        if self.cfg_data.val().get_bit(self.msb_coef.val().index()) {
            self.d.next =
                bit_cast::<MULT_FIELD, COEF_BITS>(self.cfg_data.val()) | self.ext_coef.val();
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            self.c1_r.d.next = self.d.val();
            self.c3_r.d.next = self.d.val() + (self.d.val() << self.one_sh.val());
            self.cn_r.d.next = self.zero.val() - self.d.val();
        }
        if self.rst.val() {
            self.c1_r.d.next = self.rst1.val();
            self.c3_r.d.next = self.rst3.val();
            self.cn_r.d.next = self.rstn.val();
        }
        self.rd.next = self.zero_d.val();
        if self.rd_addr.val() == self.adr.val() {
            self.rd.next = self.c1_r.q.val().get_bits::<CFG_DATA_BITS>(0);
        }
        self.bus1.next = bit_cast::<COEF_BUS_BITS, MULT_FIELD>(self.c1_r.q.val()) << self.off.val();
        self.bus3.next = bit_cast::<COEF_BUS_BITS, MULT_FIELD>(self.c3_r.q.val()) << self.off.val();
        self.busn.next = bit_cast::<COEF_BUS_BITS, MULT_FIELD>(self.cn_r.q.val()) << self.off.val();
    }
}

/// One multiplier: lane j, tap k. Takes sample P-1-j+k from the history bus and the
/// multiples of coefficient k from the coefficient buses (constant offsets: wiring).
/// Stage 1: each 2-bit digit of the sample selects a multiple, x = d0 + 4 d1 + 16 d2:
/// d0, d1 in {0, 1, 2, 3} pick 0, c, 2c, 3c; the signed top digit d2 in {-2, -1, 0, 1}
/// picks -2c, -c, 0, c (registered, MULT_FIELD bits each). Stage 2: the product
/// pp0 + 4 pp1 + 16 pp2, exact in PROD_BITS (registered).
#[derive(LogicBlock)]
pub struct FfeMul {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// the history register (all lanes' samples)
    pub hist: Signal<In, Bits<HIST_BITS>>,
    /// the coefficient buses: c, 3c, -c
    pub coefs1: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefs3: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefsn: Signal<In, Bits<COEF_BUS_BITS>>,
    /// registered product c_k * x, sign-extended to the accumulator width
    pub p: Signal<Out, Bits<ACC_BITS>>,
    pp0_r: DFF<Bits<MULT_FIELD>>,
    pp1_r: DFF<Bits<MULT_FIELD>>,
    pp2_r: DFF<Bits<MULT_FIELD>>,
    p_r: DFF<Bits<PROD_BITS>>,
    x: Signal<Local, Bits<ADC_BITS>>,
    c1: Signal<Local, Bits<MULT_FIELD>>,
    c2: Signal<Local, Bits<MULT_FIELD>>,
    c3: Signal<Local, Bits<MULT_FIELD>>,
    cn: Signal<Local, Bits<MULT_FIELD>>,
    cn2: Signal<Local, Bits<MULT_FIELD>>,
    d0: Signal<Local, Bits<2>>,
    d1: Signal<Local, Bits<2>>,
    d2: Signal<Local, Bits<2>>,
    e0: Signal<Local, Bits<PROD_BITS>>,
    e1: Signal<Local, Bits<PROD_BITS>>,
    e2: Signal<Local, Bits<PROD_BITS>>,
    x_off: Constant<Bits<8>>,
    c_off: Constant<Bits<8>>,
    ext_f: Constant<Bits<PROD_BITS>>,
    ext_prod: Constant<Bits<ACC_BITS>>,
    // bit indices, sized to the index width Verilog expects (clog2 of the source width)
    msb_f: Constant<Bits<4>>,
    msb_prod: Constant<Bits<4>>,
    lo1: Constant<Bits<3>>,
    lo2: Constant<Bits<3>>,
    sh1: Constant<Bits<2>>,
    sh2: Constant<Bits<3>>,
    sh4: Constant<Bits<3>>,
    k1: Constant<Bits<2>>,
    k2: Constant<Bits<2>>,
    k3: Constant<Bits<2>>,
    zero_f: Constant<Bits<MULT_FIELD>>,
    zero_prod: Constant<Bits<PROD_BITS>>,
}

impl FfeMul {
    fn new(sample: usize, tap: usize) -> Self {
        FfeMul {
            clock: Default::default(),
            rst: Default::default(),
            hist: Default::default(),
            coefs1: Default::default(),
            coefs3: Default::default(),
            coefsn: Default::default(),
            p: Default::default(),
            pp0_r: Default::default(),
            pp1_r: Default::default(),
            pp2_r: Default::default(),
            p_r: Default::default(),
            x: Default::default(),
            c1: Default::default(),
            c2: Default::default(),
            c3: Default::default(),
            cn: Default::default(),
            cn2: Default::default(),
            d0: Default::default(),
            d1: Default::default(),
            d2: Default::default(),
            e0: Default::default(),
            e1: Default::default(),
            e2: Default::default(),
            x_off: konst((ADC_BITS * sample) as u64),
            c_off: konst((MULT_FIELD * tap) as u64),
            ext_f: konst(ext_mask(MULT_FIELD, PROD_BITS)),
            ext_prod: konst(ext_mask(PROD_BITS, ACC_BITS)),
            msb_f: konst(MULT_FIELD as u64 - 1),
            msb_prod: konst(PROD_BITS as u64 - 1),
            lo1: konst(2),
            lo2: konst(4),
            sh1: konst(1),
            sh2: konst(2),
            sh4: konst(4),
            k1: konst(1),
            k2: konst(2),
            k3: konst(3),
            zero_f: konst(0),
            zero_prod: konst(0),
        }
    }
}

impl Logic for FfeMul {
    #[hdl_gen]
    fn update(&mut self) {
        self.pp0_r.clock.next = self.clock.val();
        self.pp1_r.clock.next = self.clock.val();
        self.pp2_r.clock.next = self.clock.val();
        self.p_r.clock.next = self.clock.val();
        self.x.next = self
            .hist
            .val()
            .get_bits::<ADC_BITS>(self.x_off.val().index());
        self.c1.next = self
            .coefs1
            .val()
            .get_bits::<MULT_FIELD>(self.c_off.val().index());
        self.c3.next = self
            .coefs3
            .val()
            .get_bits::<MULT_FIELD>(self.c_off.val().index());
        self.cn.next = self
            .coefsn
            .val()
            .get_bits::<MULT_FIELD>(self.c_off.val().index());
        self.c2.next = self.c1.val() << self.sh1.val();
        self.cn2.next = self.cn.val() << self.sh1.val();
        self.d0.next = self.x.val().get_bits::<2>(0);
        self.d1.next = self.x.val().get_bits::<2>(self.lo1.val().index());
        self.d2.next = self.x.val().get_bits::<2>(self.lo2.val().index());
        // stage 1: one multiple per digit (muxes of registered multiples)
        self.pp0_r.d.next = self.zero_f.val();
        if self.d0.val() == self.k1.val() {
            self.pp0_r.d.next = self.c1.val();
        } else if self.d0.val() == self.k2.val() {
            self.pp0_r.d.next = self.c2.val();
        } else if self.d0.val() == self.k3.val() {
            self.pp0_r.d.next = self.c3.val();
        }
        self.pp1_r.d.next = self.zero_f.val();
        if self.d1.val() == self.k1.val() {
            self.pp1_r.d.next = self.c1.val();
        } else if self.d1.val() == self.k2.val() {
            self.pp1_r.d.next = self.c2.val();
        } else if self.d1.val() == self.k3.val() {
            self.pp1_r.d.next = self.c3.val();
        }
        // top digit, signed: 01 -> c, 10 -> -2c, 11 -> -c
        self.pp2_r.d.next = self.zero_f.val();
        if self.d2.val() == self.k1.val() {
            self.pp2_r.d.next = self.c1.val();
        } else if self.d2.val() == self.k2.val() {
            self.pp2_r.d.next = self.cn2.val();
        } else if self.d2.val() == self.k3.val() {
            self.pp2_r.d.next = self.cn.val();
        }
        // stage 2: sign-extend, weight and add (exact in PROD_BITS)
        self.e0.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp0_r.q.val());
        if self.pp0_r.q.val().get_bit(self.msb_f.val().index()) {
            self.e0.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp0_r.q.val()) | self.ext_f.val();
        }
        self.e1.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp1_r.q.val());
        if self.pp1_r.q.val().get_bit(self.msb_f.val().index()) {
            self.e1.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp1_r.q.val()) | self.ext_f.val();
        }
        self.e2.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp2_r.q.val());
        if self.pp2_r.q.val().get_bit(self.msb_f.val().index()) {
            self.e2.next = bit_cast::<PROD_BITS, MULT_FIELD>(self.pp2_r.q.val()) | self.ext_f.val();
        }
        self.p_r.d.next =
            self.e0.val() + (self.e1.val() << self.sh2.val()) + (self.e2.val() << self.sh4.val());
        if self.rst.val() {
            self.pp0_r.d.next = self.zero_f.val();
            self.pp1_r.d.next = self.zero_f.val();
            self.pp2_r.d.next = self.zero_f.val();
            self.p_r.d.next = self.zero_prod.val();
        }
        self.p.next = bit_cast::<ACC_BITS, PROD_BITS>(self.p_r.q.val());
        if self.p_r.q.val().get_bit(self.msb_prod.val().index()) {
            self.p.next = bit_cast::<ACC_BITS, PROD_BITS>(self.p_r.q.val()) | self.ext_prod.val();
        }
    }
}

/// A group of up to FFE_GROUP consecutive taps of one lane and its registered partial sum:
/// the first stage of the pipelined adder tree. A sub-block (not a nested loop) because
/// rust-hdl's `#[hdl_gen]` loops cannot nest over a computed range.
#[derive(LogicBlock)]
pub struct FfeGroup {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub hist: Signal<In, Bits<HIST_BITS>>,
    pub coefs1: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefs3: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefsn: Signal<In, Bits<COEF_BUS_BITS>>,
    /// registered sum of this group's products (exact, ACC_BITS two's complement)
    pub s: Signal<Out, Bits<ACC_BITS>>,
    mul: Vec<FfeMul>,
    s_r: DFF<Bits<ACC_BITS>>,
    gacc: Signal<Local, Bits<ACC_BITS>>,
    /// added into the sum: the rounding constant for group 0, zero for the others
    bias: Constant<Bits<ACC_BITS>>,
    zero_acc: Constant<Bits<ACC_BITS>>,
}

impl FfeGroup {
    /// Taps `first_tap ..< first_tap + count` of the lane whose tap 0 reads sample `s0`.
    fn new(s0: usize, first_tap: usize, count: usize, bias: u64) -> Self {
        FfeGroup {
            clock: Default::default(),
            rst: Default::default(),
            hist: Default::default(),
            coefs1: Default::default(),
            coefs3: Default::default(),
            coefsn: Default::default(),
            s: Default::default(),
            mul: (first_tap..first_tap + count)
                .map(|k| FfeMul::new(s0 + k, k))
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
        for k in 0..self.mul.len() {
            self.mul[k].clock.next = self.clock.val();
            self.mul[k].rst.next = self.rst.val();
            self.mul[k].hist.next = self.hist.val();
            self.mul[k].coefs1.next = self.coefs1.val();
            self.mul[k].coefs3.next = self.coefs3.val();
            self.mul[k].coefsn.next = self.coefsn.val();
        }
        self.s_r.clock.next = self.clock.val();
        self.gacc.next = self.bias.val();
        for k in 0..self.mul.len() {
            self.gacc.next = self.gacc.val() + self.mul[k].p.val();
        }
        self.s_r.d.next = self.gacc.val();
        if self.rst.val() {
            self.s_r.d.next = self.zero_acc.val();
        }
        self.s.next = self.s_r.q.val();
    }
}

/// One lane: its adder groups, then the sum of the groups (registered), rounding (folded
/// into group 0) and saturation into the output register. Also places the lane's new ADC sample at its
/// history-bus position (sample P-1-j).
#[derive(LogicBlock)]
pub struct FfeLane {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub hist: Signal<In, Bits<HIST_BITS>>,
    pub coefs1: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefs3: Signal<In, Bits<COEF_BUS_BITS>>,
    pub coefsn: Signal<In, Bits<COEF_BUS_BITS>>,
    /// this lane's new ADC sample
    pub adc: Signal<In, Bits<ADC_BITS>>,
    /// the sample at its history position, ORed into the new history
    pub x_bus: Signal<Out, Bits<HIST_BITS>>,
    pub y: Signal<Out, Bits<Y_BITS>>,
    group: Vec<FfeGroup>,
    y_reg: DFF<Bits<Y_BITS>>,
    acc_r: DFF<Bits<ACC_BITS>>,
    gsum: Signal<Local, Bits<ACC_BITS>>,
    acc: Signal<Local, Bits<ACC_BITS>>,
    top: Signal<Local, Bits<SAT_BITS>>,
    new_off: Constant<Bits<8>>,
    zero_acc: Constant<Bits<ACC_BITS>>,
    sat_lo_bit: Constant<Bits<5>>,
    acc_msb: Constant<Bits<5>>,
    y_max: Constant<Bits<Y_BITS>>,
    y_min: Constant<Bits<Y_BITS>>,
    y_shift: Constant<Bits<5>>,
    zero_y: Constant<Bits<Y_BITS>>,
}

impl FfeLane {
    fn new(lanes: usize, j: usize, n_taps: usize) -> Self {
        let s0 = lanes - 1 - j;
        FfeLane {
            clock: Default::default(),
            rst: Default::default(),
            hist: Default::default(),
            coefs1: Default::default(),
            coefs3: Default::default(),
            coefsn: Default::default(),
            adc: Default::default(),
            x_bus: Default::default(),
            y: Default::default(),
            group: (0..n_taps.div_ceil(FFE_GROUP))
                // the rounding constant rides in group 0's sum: no adder for it in stage 3
                .map(|g| {
                    let first = g * FFE_GROUP;
                    let count = FFE_GROUP.min(n_taps - first);
                    let bias = if g == 0 { Y_ROUND as u64 } else { 0 };
                    FfeGroup::new(s0, first, count, bias)
                })
                .collect(),
            y_reg: Default::default(),
            acc_r: Default::default(),
            gsum: Default::default(),
            acc: Default::default(),
            top: Default::default(),
            new_off: konst((ADC_BITS * s0) as u64),
            zero_acc: konst(0),
            sat_lo_bit: konst((Y_SHIFT + Y_BITS - 1) as u64),
            acc_msb: konst(ACC_BITS as u64 - 1),
            y_max: konst(to_raw(Y_MAX, Y_BITS) as u64),
            y_min: konst(to_raw(Y_MIN, Y_BITS) as u64),
            y_shift: konst(Y_SHIFT as u64),
            zero_y: konst(0),
        }
    }
}

impl Logic for FfeLane {
    #[hdl_gen]
    fn update(&mut self) {
        for g in 0..self.group.len() {
            self.group[g].clock.next = self.clock.val();
            self.group[g].rst.next = self.rst.val();
            self.group[g].hist.next = self.hist.val();
            self.group[g].coefs1.next = self.coefs1.val();
            self.group[g].coefs3.next = self.coefs3.val();
            self.group[g].coefsn.next = self.coefsn.val();
        }
        self.x_bus.next = bit_cast::<HIST_BITS, ADC_BITS>(self.adc.val()) << self.new_off.val();
        self.y_reg.clock.next = self.clock.val();
        self.acc_r.clock.next = self.clock.val();
        // second adder stage: the group sums (rounding constant included in group 0),
        // registered; then saturate. q = acc >> Y_SHIFT fits Q7.1 exactly when acc's bits
        // from Y_SHIFT + Y_BITS - 1 up are all equal: an AND/OR reduction, no comparator.
        // (summed in a Local: a DFF's `d` is an input whose `val()` in rust-hdl's simulator
        // is the settled value, not the one just assigned, unlike Verilog)
        self.gsum.next = self.zero_acc.val();
        for g in 0..self.group.len() {
            self.gsum.next = self.gsum.val() + self.group[g].s.val();
        }
        self.acc_r.d.next = self.gsum.val();
        self.acc.next = self.acc_r.q.val();
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
            self.acc_r.d.next = self.zero_acc.val();
            self.y_reg.d.next = self.zero_y.val();
        }
        self.y.next = self.y_reg.q.val();
    }
}

#[derive(LogicBlock)]
pub struct Ffe {
    /// the one clock; every register updates on its rising edge
    pub clock: Signal<In, Clock>,
    /// synchronous reset, active high; has priority over configuration writes (docs/numerics.md, "Reset and power-up")
    pub rst: Signal<In, Bit>,
    /// configuration write enable; the write lands at this cycle's edge
    pub cfg_we: Signal<In, Bit>,
    /// configuration register address, 0 ..= 63 (docs/numerics.md, "Configuration bus")
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// configuration data, the register's 8-bit pattern (two's complement or unsigned by address)
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane j's ADC code, Q6.0 (-32 ..= 31); lane 0 is the oldest sample of the clock
    pub adc: Vec<Signal<In, Bits<ADC_BITS>>>,
    /// lane j's FFE output, Q7.1 (-64.0 ..= 63.5), rounded half up and saturated
    pub y: Vec<Signal<Out, Bits<Y_BITS>>>,
    /// this clock's ADC block as placed on the history bus (lane j at sample P-1-j), for the
    /// adaptation: one port when `RxParams::adapt` is `Some`, none otherwise
    pub blk_out: Vec<Signal<Out, Bits<HIST_BITS>>>,
    /// the read-back address: the bus's `cfg_addr` (the write inputs may carry the LMS's)
    pub rd_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// read-back: coefficient k's code when `rd_addr` = k, 0 elsewhere (combinational)
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    coef: Vec<FfeCoef>,
    lane: Vec<FfeLane>,
    hist_r: DFF<Bits<HIST_BITS>>,
    coefs1: Signal<Local, Bits<COEF_BUS_BITS>>,
    coefs3: Signal<Local, Bits<COEF_BUS_BITS>>,
    coefsn: Signal<Local, Bits<COEF_BUS_BITS>>,
    blk: Signal<Local, Bits<HIST_BITS>>,
    blk_shift: Constant<Bits<8>>,
    hist_mask: Constant<Bits<HIST_BITS>>,
    zero_hist: Constant<Bits<HIST_BITS>>,
    zero_coefs: Constant<Bits<COEF_BUS_BITS>>,
    zero_rd: Constant<Bits<CFG_DATA_BITS>>,
}

impl Ffe {
    /// Build the block for `p`; an illegal parameter set is an error naming the field and
    /// its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(Self::build(p))
    }

    /// The block for a validated `p`.
    fn build(p: &RxParams) -> Self {
        let kept = ADC_BITS * (p.lanes + p.n_taps - 1);
        let mut mask = Bits::<HIST_BITS>::default();
        for b in 0..kept {
            mask = mask.replace_bit(b, true);
        }
        Ffe {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            adc: (0..p.lanes).map(|_| Default::default()).collect(),
            y: (0..p.lanes).map(|_| Default::default()).collect(),
            blk_out: (0..p.adapt.is_some() as usize)
                .map(|_| Default::default())
                .collect(),
            rd_addr: Default::default(),
            rd: Default::default(),
            coef: p
                .reset_coefs
                .iter()
                .enumerate()
                .map(|(k, &c)| FfeCoef::new(k, c))
                .collect(),
            lane: (0..p.lanes)
                .map(|j| FfeLane::new(p.lanes, j, p.n_taps))
                .collect(),
            hist_r: Default::default(),
            coefs1: Default::default(),
            coefs3: Default::default(),
            coefsn: Default::default(),
            blk: Default::default(),
            blk_shift: konst((ADC_BITS * p.lanes) as u64),
            hist_mask: Constant::new(mask),
            zero_hist: Constant::new(Bits::<HIST_BITS>::default()),
            zero_coefs: Constant::new(Bits::<COEF_BUS_BITS>::default()),
            zero_rd: konst(0),
        }
    }

    pub fn n_taps(&self) -> usize {
        self.coef.len()
    }

    pub fn lanes(&self) -> usize {
        self.lane.len()
    }
}

impl Logic for Ffe {
    #[hdl_gen]
    fn update(&mut self) {
        // the coefficient bank and its bus
        self.coefs1.next = self.zero_coefs.val();
        self.coefs3.next = self.zero_coefs.val();
        self.coefsn.next = self.zero_coefs.val();
        self.rd.next = self.zero_rd.val();
        for k in 0..self.coef.len() {
            self.coef[k].clock.next = self.clock.val();
            self.coef[k].rst.next = self.rst.val();
            self.coef[k].cfg_we.next = self.cfg_we.val();
            self.coef[k].cfg_addr.next = self.cfg_addr.val();
            self.coef[k].cfg_data.next = self.cfg_data.val();
            self.coef[k].rd_addr.next = self.rd_addr.val();
            self.coefs1.next = self.coefs1.val() | self.coef[k].bus1.val();
            self.coefs3.next = self.coefs3.val() | self.coef[k].bus3.val();
            self.coefsn.next = self.coefsn.val() | self.coef[k].busn.val();
            self.rd.next = self.rd.val() | self.coef[k].rd.val();
        }
        // the lanes, and the new block for the history register
        self.blk.next = self.zero_hist.val();
        for j in 0..self.lane.len() {
            self.lane[j].clock.next = self.clock.val();
            self.lane[j].rst.next = self.rst.val();
            self.lane[j].hist.next = self.hist_r.q.val();
            self.lane[j].coefs1.next = self.coefs1.val();
            self.lane[j].coefs3.next = self.coefs3.val();
            self.lane[j].coefsn.next = self.coefsn.val();
            self.lane[j].adc.next = self.adc[j].val();
            self.blk.next = self.blk.val() | self.lane[j].x_bus.val();
            self.y[j].next = self.lane[j].y.val();
        }
        for b in 0..self.blk_out.len() {
            self.blk_out[b].next = self.blk.val();
        }
        // history: the older samples move up by one block, the new block enters at the
        // bottom; samples older than the last tap of lane 0 are dropped (mask)
        self.hist_r.clock.next = self.clock.val();
        self.hist_r.d.next =
            ((self.hist_r.q.val() << self.blk_shift.val()) | self.blk.val()) & self.hist_mask.val();
        if self.rst.val() {
            self.hist_r.d.next = self.zero_hist.val();
        }
    }
}
