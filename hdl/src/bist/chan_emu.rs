//! Digital channel emulator: PAM-4 symbols in, noisy ISI-distorted ADC codes out, P lanes.
//!
//! Per symbol `s[n]` (lane 0 the oldest of a clock; the history runs across clocks):
//!
//! ```text
//! adc[n] = sat6( floor( (sum_{k=0}^{3} h_k * A(s[n-k]) + 2 + noise[n]) / 4 ) )
//! ```
//!
//! * A(s) = 2s - 3 in {-3, -1, 1, 3}; h_k signed 8-bit (-128 ..= 127), h_0 on the newest
//!   symbol; no multiplier: each tap selects one of four elaboration-time constants
//!   h_k * A (the +2 of round-half-up folded into tap 0's constants).
//! * The sum is exact in 12 bits (|sum h A| <= 1536, noise -512 ..= 508); sat6 saturates
//!   to -32 ..= 31 (never wraps).
//! * `noise[n]` = 0 if `noise_amp` = 0, else floor(g / 2^(8 - noise_amp)), g = sum of four
//!   signed bytes of the lane's LFSR output (approximately Gaussian, sigma 147.8; sigma in
//!   ADC codes 36.95 * 2^(noise_amp - 8)). One 39-bit LFSR per lane (x^39 + x^35 + 1,
//!   period 2^39 - 1, its own seed), advanced 32 bits per clock: `N = S[31:0] ^ S[35:4]`,
//!   `S' = {N, S[38:32]}`. LFSRs are the only wrapping state.
//!
//! Pipeline:
//! 1. input register `sym_r`, history of the previous clock's last three symbols
//! 2. tap terms (4:1 constant select), noise byte pair sums `u01`, `u23`; LFSR step
//! 3. `a` = t0 + t1, `b` = t2 + t3, `nz` = scaled noise
//! 4. `acc` = a + b + nz (12 bits)
//! 5. `adc` = sat6(acc >> 2)
//!
//! No adder has more than two operands of 12 bits between registers except stage 4 (three),
//! so the block is meant to close timing well above 200 MHz on ECP5 (not measured on its own:
//! docs/bist.md). The LFSR reseed is driven by a one-bit `seeded` flag, not a 39-bit zero
//! test (a maximal-length LFSR is 0 only at power-up; ECP5 timing).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate`; `ChanEmu::new(&taps,
//! noise_amp, &lane_seeds)` checks its arguments): `taps` 1 ..= 4 entries (`MAX_CHAN_TAPS`),
//! each -128 ..= 127 (missing taps are 0); `noise_amp` 0 ..= 8 (`NOISE_AMP_MAX`; 0 = off);
//! `noise_seed`, any value, through `lane_seeds()`: one nonzero 39-bit seed per lane; the
//! lane count P = `lane_seeds.len()` = `lanes`, in {1, 2, 4, 8, 16}.
//!
//! **Ports**
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `symbol$0 .. symbol$(P-1)` (2 bits): PAM-4 levels 0..=3
//! * out `adc$0 .. adc$(P-1)`: 6-bit two's-complement ADC codes, registered
//!
//! **Formats**: symbols PAM-4 levels 0 ..= 3; taps signed 8-bit; tap terms, sums and noise
//! signed, exact in 12 bits (`CHAN_SHIFT` = 2: /4 with round half up); ADC codes signed
//! 6-bit, -32 ..= 31, saturating.
//!
//! **Latency**: 5 cycles (`cporx_spec::bist::LAT_CHAN`): a symbol applied in cycle c is in
//! the `adc` read after cycle c + 4.
//!
//! **Reset**: every register 0 (the symbol history reads as level 0), except each LFSR,
//! which loads its seed (also when it holds 0, its power-up state, so an unreset block
//! still produces noise). Power-up: every register 0.
//!
//! See also: model `sim/model/src/bist/chan_emu.rs` (`ChanEmuModel`), spec docs/bist.md
//! "2. Channel emulator" and `spec/src/bist.rs`, tests `hdl/tests/bist_chan_emu.rs`.

use super::{check_lanes, check_range, many};
use crate::{ext_mask, konst};
use cporx_spec::ParamError;
use rust_hdl::prelude::*;

/// Taps per lane.
pub const TAPS: usize = 4;
/// Noise LFSR width.
pub const LFSR_BITS: usize = 39;

/// One tap of one lane: selects h_k * A(s) from four constants and registers it.
#[derive(LogicBlock)]
pub struct ChanTap {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s: Signal<In, Bits<2>>,
    pub t: Signal<Out, Bits<10>>,
    t_r: DFF<Bits<10>>,
    term: Vec<Constant<Bits<10>>>,
    lvl: Vec<Constant<Bits<2>>>,
    zero: Constant<Bits<10>>,
}

impl ChanTap {
    fn new(h: i32, bias: i32) -> Self {
        ChanTap {
            clock: Default::default(),
            rst: Default::default(),
            s: Default::default(),
            t: Default::default(),
            t_r: Default::default(),
            term: (0..4)
                .map(|s| konst(((h * (2 * s - 3) + bias) as u64) & 0x3ff))
                .collect(),
            lvl: (0..4).map(konst).collect(),
            zero: konst(0),
        }
    }
}

impl Logic for ChanTap {
    #[hdl_gen]
    fn update(&mut self) {
        self.t_r.clock.next = self.clock.val();
        self.t_r.d.next = self.term[0].val();
        for j in 0..4 {
            if self.s.val() == self.lvl[j].val() {
                self.t_r.d.next = self.term[j].val();
            }
        }
        if self.rst.val() {
            self.t_r.d.next = self.zero.val();
        }
        self.t.next = self.t_r.q.val();
    }
}

/// One lane: four taps, its noise LFSR and the adder/saturation pipeline.
#[derive(LogicBlock)]
pub struct ChanLane {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// s[n], s[n-1], s[n-2], s[n-3] as seen after the input register
    pub s0: Signal<In, Bits<2>>,
    pub s1: Signal<In, Bits<2>>,
    pub s2: Signal<In, Bits<2>>,
    pub s3: Signal<In, Bits<2>>,
    pub adc: Signal<Out, Bits<6>>,
    tap: Vec<ChanTap>,
    lfsr: DFF<Bits<LFSR_BITS>>,
    /// the LFSR holds its seed or a successor (0 only at power-up: a maximal-length LFSR
    /// never reaches 0 from a non-zero state), so "lfsr == 0" is "not seeded yet": one
    /// flip-flop instead of a 39-bit zero test in the reseed path (ECP5 timing)
    seeded: DFF<Bit>,
    u01: DFF<Bits<9>>,
    u23: DFF<Bits<9>>,
    a_r: DFF<Bits<11>>,
    b_r: DFF<Bits<11>>,
    nz_r: DFF<Bits<12>>,
    acc_r: DFF<Bits<12>>,
    adc_r: DFF<Bits<6>>,
    // locals
    nb: Signal<Local, Bits<32>>,
    nb39: Signal<Local, Bits<LFSR_BITS>>,
    ub: Vec<Signal<Local, Bits<8>>>,
    ue: Vec<Signal<Local, Bits<9>>>,
    t11: Vec<Signal<Local, Bits<11>>>,
    u10: Vec<Signal<Local, Bits<10>>>,
    g: Signal<Local, Bits<10>>,
    g12: Signal<Local, Bits<12>>,
    a12: Signal<Local, Bits<12>>,
    b12: Signal<Local, Bits<12>>,
    q12: Signal<Local, Bits<12>>,
    top: Signal<Local, Bits<7>>,
    // constants
    seed: Constant<Bits<LFSR_BITS>>,
    sh32: Constant<Bits<6>>,
    sh7: Constant<Bits<6>>,
    bit0_39: Constant<Bits<6>>,
    bit4_39: Constant<Bits<6>>,
    byte_off: Vec<Constant<Bits<5>>>,
    msb8: Constant<Bits<3>>,
    msb9: Constant<Bits<4>>,
    msb10: Constant<Bits<4>>,
    msb11: Constant<Bits<4>>,
    msb12: Constant<Bits<4>>,
    ext8_9: Constant<Bits<9>>,
    ext9_10: Constant<Bits<10>>,
    ext10_11: Constant<Bits<11>>,
    ext10_12: Constant<Bits<12>>,
    ext11_12: Constant<Bits<12>>,
    /// noise on (noise_amp > 0), the right shift 8 - noise_amp and the sign fill it needs
    noise_on: Constant<Bit>,
    nshift: Constant<Bits<4>>,
    nfill: Constant<Bits<12>>,
    sh2: Constant<Bits<4>>,
    fill2: Constant<Bits<12>>,
    top_lo: Constant<Bits<4>>,
    zero4: Constant<Bits<4>>,
    adc_max: Constant<Bits<6>>,
    adc_min: Constant<Bits<6>>,
    zero6: Constant<Bits<6>>,
    zero9: Constant<Bits<9>>,
    zero11: Constant<Bits<11>>,
    zero12: Constant<Bits<12>>,
}

impl ChanLane {
    fn new(taps: &[i32; TAPS], noise_amp: u32, seed: u64) -> Self {
        let nshift = if noise_amp == 0 {
            0
        } else {
            8 - noise_amp as usize
        };
        ChanLane {
            clock: Default::default(),
            rst: Default::default(),
            s0: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            s3: Default::default(),
            adc: Default::default(),
            tap: (0..TAPS)
                .map(|k| ChanTap::new(taps[k], if k == 0 { 2 } else { 0 }))
                .collect(),
            lfsr: Default::default(),
            seeded: Default::default(),
            u01: Default::default(),
            u23: Default::default(),
            a_r: Default::default(),
            b_r: Default::default(),
            nz_r: Default::default(),
            acc_r: Default::default(),
            adc_r: Default::default(),
            nb: Default::default(),
            nb39: Default::default(),
            ub: many(4),
            ue: many(4),
            t11: many(4),
            u10: many(2),
            g: Default::default(),
            g12: Default::default(),
            a12: Default::default(),
            b12: Default::default(),
            q12: Default::default(),
            top: Default::default(),
            seed: konst(seed),
            sh32: konst(32),
            sh7: konst(7),
            bit0_39: konst(0),
            bit4_39: konst(4),
            byte_off: (0..4).map(|m| konst(8 * m)).collect(),
            msb8: konst(7),
            msb9: konst(8),
            msb10: konst(9),
            msb11: konst(10),
            msb12: konst(11),
            ext8_9: konst(ext_mask(8, 9)),
            ext9_10: konst(ext_mask(9, 10)),
            ext10_11: konst(ext_mask(10, 11)),
            ext10_12: konst(ext_mask(10, 12)),
            ext11_12: konst(ext_mask(11, 12)),
            noise_on: Constant::new(noise_amp > 0),
            nshift: konst(nshift as u64),
            nfill: konst(ext_mask(12 - nshift, 12)),
            sh2: konst(2),
            fill2: konst(ext_mask(10, 12)),
            top_lo: konst(5),
            zero4: konst(0),
            adc_max: konst(31),
            adc_min: konst(0x20),
            zero6: konst(0),
            zero9: konst(0),
            zero11: konst(0),
            zero12: konst(0),
        }
    }
}

impl Logic for ChanLane {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..4 {
            self.tap[k].clock.next = self.clock.val();
            self.tap[k].rst.next = self.rst.val();
        }
        self.tap[0].s.next = self.s0.val();
        self.tap[1].s.next = self.s1.val();
        self.tap[2].s.next = self.s2.val();
        self.tap[3].s.next = self.s3.val();
        self.lfsr.clock.next = self.clock.val();
        self.seeded.clock.next = self.clock.val();
        self.seeded.d.next = true;
        self.u01.clock.next = self.clock.val();
        self.u23.clock.next = self.clock.val();
        self.a_r.clock.next = self.clock.val();
        self.b_r.clock.next = self.clock.val();
        self.nz_r.clock.next = self.clock.val();
        self.acc_r.clock.next = self.clock.val();
        self.adc_r.clock.next = self.clock.val();

        // stage 2: noise LFSR, 32 bits per clock, and the byte pair sums
        self.nb.next = self.lfsr.q.val().get_bits::<32>(self.bit0_39.val().index())
            ^ self.lfsr.q.val().get_bits::<32>(self.bit4_39.val().index());
        self.nb39.next = bit_cast::<LFSR_BITS, 32>(self.nb.val());
        self.lfsr.d.next =
            (self.lfsr.q.val() >> self.sh32.val()) | (self.nb39.val() << self.sh7.val());
        if self.rst.val() || !self.seeded.q.val() {
            self.lfsr.d.next = self.seed.val();
        }
        for m in 0..4 {
            self.ub[m].next = self.nb.val().get_bits::<8>(self.byte_off[m].val().index());
        }
        // sign-extend the four bytes to 9 bits (written out: bit_cast cannot take a loop index)
        self.ue[0].next = bit_cast::<9, 8>(self.ub[0].val());
        if self.ub[0].val().get_bit(self.msb8.val().index()) {
            self.ue[0].next = bit_cast::<9, 8>(self.ub[0].val()) | self.ext8_9.val();
        }
        self.ue[1].next = bit_cast::<9, 8>(self.ub[1].val());
        if self.ub[1].val().get_bit(self.msb8.val().index()) {
            self.ue[1].next = bit_cast::<9, 8>(self.ub[1].val()) | self.ext8_9.val();
        }
        self.ue[2].next = bit_cast::<9, 8>(self.ub[2].val());
        if self.ub[2].val().get_bit(self.msb8.val().index()) {
            self.ue[2].next = bit_cast::<9, 8>(self.ub[2].val()) | self.ext8_9.val();
        }
        self.ue[3].next = bit_cast::<9, 8>(self.ub[3].val());
        if self.ub[3].val().get_bit(self.msb8.val().index()) {
            self.ue[3].next = bit_cast::<9, 8>(self.ub[3].val()) | self.ext8_9.val();
        }
        self.u01.d.next = self.ue[0].val() + self.ue[1].val();
        self.u23.d.next = self.ue[2].val() + self.ue[3].val();

        // stage 3: tap pair sums and the scaled noise
        self.t11[0].next = bit_cast::<11, 10>(self.tap[0].t.val());
        if self.tap[0].t.val().get_bit(self.msb10.val().index()) {
            self.t11[0].next = bit_cast::<11, 10>(self.tap[0].t.val()) | self.ext10_11.val();
        }
        self.t11[1].next = bit_cast::<11, 10>(self.tap[1].t.val());
        if self.tap[1].t.val().get_bit(self.msb10.val().index()) {
            self.t11[1].next = bit_cast::<11, 10>(self.tap[1].t.val()) | self.ext10_11.val();
        }
        self.t11[2].next = bit_cast::<11, 10>(self.tap[2].t.val());
        if self.tap[2].t.val().get_bit(self.msb10.val().index()) {
            self.t11[2].next = bit_cast::<11, 10>(self.tap[2].t.val()) | self.ext10_11.val();
        }
        self.t11[3].next = bit_cast::<11, 10>(self.tap[3].t.val());
        if self.tap[3].t.val().get_bit(self.msb10.val().index()) {
            self.t11[3].next = bit_cast::<11, 10>(self.tap[3].t.val()) | self.ext10_11.val();
        }
        self.a_r.d.next = self.t11[0].val() + self.t11[1].val();
        self.b_r.d.next = self.t11[2].val() + self.t11[3].val();
        self.u10[0].next = bit_cast::<10, 9>(self.u01.q.val());
        if self.u01.q.val().get_bit(self.msb9.val().index()) {
            self.u10[0].next = bit_cast::<10, 9>(self.u01.q.val()) | self.ext9_10.val();
        }
        self.u10[1].next = bit_cast::<10, 9>(self.u23.q.val());
        if self.u23.q.val().get_bit(self.msb9.val().index()) {
            self.u10[1].next = bit_cast::<10, 9>(self.u23.q.val()) | self.ext9_10.val();
        }
        self.g.next = self.u10[0].val() + self.u10[1].val();
        self.g12.next = bit_cast::<12, 10>(self.g.val());
        if self.g.val().get_bit(self.msb10.val().index()) {
            self.g12.next = bit_cast::<12, 10>(self.g.val()) | self.ext10_12.val();
        }
        // arithmetic right shift: logical shift, then the sign fill of the vacated bits
        self.nz_r.d.next = self.zero12.val();
        if self.noise_on.val() {
            self.nz_r.d.next = self.g12.val() >> self.nshift.val();
            if self.g.val().get_bit(self.msb10.val().index()) {
                self.nz_r.d.next = (self.g12.val() >> self.nshift.val()) | self.nfill.val();
            }
        }

        // stage 4: the full sum
        self.a12.next = bit_cast::<12, 11>(self.a_r.q.val());
        if self.a_r.q.val().get_bit(self.msb11.val().index()) {
            self.a12.next = bit_cast::<12, 11>(self.a_r.q.val()) | self.ext11_12.val();
        }
        self.b12.next = bit_cast::<12, 11>(self.b_r.q.val());
        if self.b_r.q.val().get_bit(self.msb11.val().index()) {
            self.b12.next = bit_cast::<12, 11>(self.b_r.q.val()) | self.ext11_12.val();
        }
        self.acc_r.d.next = self.a12.val() + self.b12.val() + self.nz_r.q.val();

        // stage 5: floor(acc / 4), saturated to 6 bits: q fits iff q[11:5] are all equal
        self.q12.next = self.acc_r.q.val() >> self.sh2.val();
        if self.acc_r.q.val().get_bit(self.msb12.val().index()) {
            self.q12.next = (self.acc_r.q.val() >> self.sh2.val()) | self.fill2.val();
        }
        self.top.next = self.q12.val().get_bits::<7>(self.top_lo.val().index());
        if !self.acc_r.q.val().get_bit(self.msb12.val().index()) && self.top.val().any() {
            self.adc_r.d.next = self.adc_max.val();
        } else if self.acc_r.q.val().get_bit(self.msb12.val().index()) && !self.top.val().all() {
            self.adc_r.d.next = self.adc_min.val();
        } else {
            self.adc_r.d.next = self.q12.val().get_bits::<6>(self.zero4.val().index());
        }

        if self.rst.val() {
            self.u01.d.next = self.zero9.val();
            self.u23.d.next = self.zero9.val();
            self.a_r.d.next = self.zero11.val();
            self.b_r.d.next = self.zero11.val();
            self.nz_r.d.next = self.zero12.val();
            self.acc_r.d.next = self.zero12.val();
            self.adc_r.d.next = self.zero6.val();
        }
        self.adc.next = self.adc_r.q.val();
    }
}

#[derive(LogicBlock)]
pub struct ChanEmu {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub symbol: Vec<Signal<In, Bits<2>>>,
    pub adc: Vec<Signal<Out, Bits<6>>>,
    lane: Vec<ChanLane>,
    sym_r: Vec<DFF<Bits<2>>>,
    hist: Vec<DFF<Bits<2>>>,
    d1: Signal<Local, Bits<2>>,
    d2: Signal<Local, Bits<2>>,
    d3: Signal<Local, Bits<2>>,
    zero2: Constant<Bits<2>>,
}

impl ChanEmu {
    /// `taps`: 1 ..= 4 signed 8-bit channel taps (h_0 on the newest symbol; missing taps
    /// are 0); `noise_amp` 0 ..= 8; one nonzero 39-bit LFSR seed per lane (the lane count
    /// is `lane_seeds.len()`: 1, 2, 4, 8 or 16). cporx-model: `BistParams::taps`,
    /// `noise_amp`, `lane_seeds()`.
    pub fn new(taps: &[i32], noise_amp: u32, lane_seeds: &[u64]) -> Result<Self, ParamError> {
        check_lanes(lane_seeds.len())?;
        if taps.is_empty() || taps.len() > TAPS {
            return Err(ParamError::WrongLength {
                name: "bist.taps".into(),
                got: taps.len(),
                want: TAPS,
                why: "1 ..= 4 channel taps",
            });
        }
        let mut h = [0; TAPS];
        for (k, &t) in taps.iter().enumerate() {
            check_range(
                &format!("bist.taps[{k}]"),
                t as i64,
                -128,
                127,
                " (signed 8-bit)",
            )?;
            h[k] = t;
        }
        check_range("bist.noise_amp", noise_amp as i64, 0, 8, " (0 = off)")?;
        for &s in lane_seeds {
            check_range(
                "noise LFSR seed",
                s as i64,
                1,
                (1 << LFSR_BITS) - 1,
                " (39-bit, nonzero)",
            )?;
        }
        let lanes = lane_seeds.len();
        Ok(ChanEmu {
            clock: Default::default(),
            rst: Default::default(),
            symbol: many(lanes),
            adc: many(lanes),
            lane: lane_seeds
                .iter()
                .map(|&s| ChanLane::new(&h, noise_amp, s))
                .collect(),
            sym_r: many(lanes),
            hist: many(3),
            d1: Default::default(),
            d2: Default::default(),
            d3: Default::default(),
            zero2: konst(0),
        })
    }

    pub fn lanes(&self) -> usize {
        self.lane.len()
    }
}

impl Logic for ChanEmu {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..self.lane.len() {
            self.lane[i].clock.next = self.clock.val();
            self.lane[i].rst.next = self.rst.val();
            self.sym_r[i].clock.next = self.clock.val();
            self.sym_r[i].d.next = self.symbol[i].val();
        }
        for j in 0..3 {
            self.hist[j].clock.next = self.clock.val();
        }
        // symbol history across lanes and clocks: d1, d2, d3 walk along the lanes, oldest
        // first, starting from the previous clock's last three symbols
        self.d1.next = self.hist[0].q.val();
        self.d2.next = self.hist[1].q.val();
        self.d3.next = self.hist[2].q.val();
        for i in 0..self.lane.len() {
            self.lane[i].s0.next = self.sym_r[i].q.val();
            self.lane[i].s1.next = self.d1.val();
            self.lane[i].s2.next = self.d2.val();
            self.lane[i].s3.next = self.d3.val();
            self.d3.next = self.d2.val();
            self.d2.next = self.d1.val();
            self.d1.next = self.sym_r[i].q.val();
        }
        self.hist[0].d.next = self.d1.val();
        self.hist[1].d.next = self.d2.val();
        self.hist[2].d.next = self.d3.val();
        if self.rst.val() {
            for i in 0..self.lane.len() {
                self.sym_r[i].d.next = self.zero2.val();
            }
            for j in 0..3 {
                self.hist[j].d.next = self.zero2.val();
            }
        }
        for i in 0..self.lane.len() {
            self.adc[i].next = self.lane[i].adc.val();
        }
    }
}
