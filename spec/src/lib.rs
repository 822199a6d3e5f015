//! cporx-spec: the one place where every number format, latency and parameter of the
//! receive datapath is written down in code. `docs/numerics.md` is the prose version of
//! this file; the reference model (`cporx-sim`), the rust-hdl generator (`cporx-hdl`) and
//! the harnesses all read their numbers from here, so a change here changes all of them.
//!
//! Conventions (see docs/numerics.md for the full text):
//! * `Qm.f` means a two's-complement signed number of `m+f` bits, `f` of them fractional.
//! * Every datapath value crosses module ports as a raw two's-complement bit pattern
//!   (`Bits<N>` in rust-hdl); this crate gives the helpers to go between those patterns
//!   and `i32`.

pub mod bist;
pub mod params;
pub mod paths;
pub mod ports;

pub use params::{CdrParams, ParamError, RxParams};
pub use ports::{LaneOut, RxIn, RxOut};

/// ADC sample width (signed integer codes, Q6.0): -32 ..= 31.
pub const ADC_BITS: usize = 6;
/// FFE coefficient width (Q2.6: 8 bits, 6 fractional): -2.0 ..= +1.984375.
pub const COEF_BITS: usize = 8;
/// Fractional bits of an FFE coefficient.
pub const COEF_FRAC: usize = 6;
/// Width a product is carried at. ADC_BITS + COEF_BITS = 14 bits hold every product
/// exactly; the RTL sums three partial products in 16 bits.
pub const PROD_BITS: usize = 16;
/// Accumulator width: products are sign-extended to 20 bits and summed (in groups of
/// FFE_GROUP, then the group sums). The largest possible sum,
/// MAX_TAPS * 2^(ADC_BITS-1) * 2^(COEF_BITS-1) = 2^16, plus the rounding constant, needs
/// 18 bits, so the accumulator can never overflow for any legal parameter set. (It was 32
/// bits until the ECP5 timing work: the wider carry chains cost Fmax for nothing.)
pub const ACC_BITS: usize = 20;
/// Taps per first-stage adder group of the FFE's pipelined sum (2: one adder per group
/// stage, plus the rounding constant in group 0; it was 4 before the 200 MHz timing work).
pub const FFE_GROUP: usize = 2;
/// FFE output / slicer input width (Q7.1 in ADC LSBs: 8 bits, 1 fractional): -64.0 ..= 63.5.
pub const Y_BITS: usize = 8;
/// Fractional bits of the FFE output.
pub const Y_FRAC: usize = 1;
/// Right shift from the accumulator (COEF_FRAC fractional bits) to the output (Y_FRAC).
pub const Y_SHIFT: usize = COEF_FRAC - Y_FRAC;
/// Rounding constant added before the shift: round half up (toward +infinity).
pub const Y_ROUND: i64 = 1 << (Y_SHIFT - 1);
/// Saturation bounds of the FFE output code.
pub const Y_MAX: i32 = (1 << (Y_BITS - 1)) - 1;
pub const Y_MIN: i32 = -(1 << (Y_BITS - 1));
/// Slicer error width: y - target, both Q7.1, is exact in Q8.1 (9 bits); never saturates.
pub const ERR_BITS: usize = Y_BITS + 1;
/// Threshold and target codes share the FFE output format (Q7.1).
pub const LEVEL_BITS: usize = Y_BITS;

/// Lanes: the datapath takes a block of `lanes` consecutive samples per clock (P in the
/// docs); lane 0 is the oldest sample of the block. Legal values are the powers of two up to
/// MAX_LANES.
pub const MAX_LANES: usize = 16;
pub const MAX_LANES_LOG2: usize = 4;
pub const LEGAL_LANES: [usize; 5] = [1, 2, 4, 8, 16];
const _: () = assert!(MAX_LANES == 1 << MAX_LANES_LOG2);

/// FFE sample history: the FFE keeps the newest `lanes + n_taps - 1` samples in one
/// register bus of ADC codes (sample s, s = 0 the newest, at bits ADC_BITS*s ..); its
/// width is fixed at the largest legal set, the unused high bits stay zero.
pub const HIST_SAMPLES: usize = MAX_LANES + MAX_TAPS - 1;
pub const HIST_BITS: usize = HIST_SAMPLES * ADC_BITS;
/// The FFE multiplies without a multiplier: the coefficient bank keeps c, 3c and -c of
/// every coefficient (MULT_FIELD bits each, exact: -384 ..= 381), computed when the
/// coefficient is written; a product c*x picks one multiple per 2-bit digit of x
/// (x = d0 + 4 d1 + 16 d2, d0, d1 in 0..3, d2 in -2..1) and adds the three.
pub const MULT_FIELD: usize = 10;
/// One coefficient bus per multiple (c, 3c, -c): coefficient k at bits MULT_FIELD*k ..
pub const COEF_BUS_BITS: usize = MAX_TAPS * MULT_FIELD;

/// Tap count limits.
pub const MIN_TAPS: usize = 2;
pub const MAX_TAPS: usize = 16;

/// Configuration bus: 5-bit address, 8-bit data (every configurable register is 8 bits).
pub const CFG_ADDR_BITS: usize = 5;
pub const CFG_DATA_BITS: usize = 8;
/// Address of coefficient k is `CFG_COEF_BASE + k` (k < n_taps).
pub const CFG_COEF_BASE: u32 = 0;
/// Address of threshold j (j = 0, 1, 2) is `CFG_THRESH_BASE + j`.
pub const CFG_THRESH_BASE: u32 = 16;
/// Address of target level j (j = 0..3) is `CFG_TARGET_BASE + j`.
pub const CFG_TARGET_BASE: u32 = 20;

/// Latency in clock cycles from an ADC sample on `adc` to the first output that depends on it.
/// FFE: history register, partial-product register, product register, group-sum
/// register, accumulator register, output register (round and saturate).
pub const LAT_FFE: usize = 6;
/// Slicer: one output register.
pub const LAT_SLICER: usize = 1;
/// Receive top (FFE then slicer): the symbol decided from sample x[n] appears on the
/// outputs after clock edge n + LAT_TOP - 1 (i.e. `LAT_TOP` cycles after the edge that
/// captured x[n] on the ADC port, counting that edge).
pub const LAT_TOP: usize = LAT_FFE + LAT_SLICER;

// ---- CDR (baud-rate clock recovery; hdl/src/cdr.rs, sim/model/src/cdr.rs) ----

/// Timing-error detector output z (Mueller-Muller on the slicer error, see docs/numerics.md):
/// z = e[k]*A(a[k-1]) - e[k-1]*A(a[k]) with e in Q8.1 (|e| <= 255) and A in {-3,-1,1,3},
/// so |z| <= 2 * 3 * 255 = 1530: exact in 12 bits (Q11.1).
pub const TED_BITS: usize = 12;
/// The CDR's detector register holds sums of TED_GROUP consecutive lanes' detector outputs
/// (one group at lanes <= TED_GROUP); the loop filter adds the groups. Every detector sum
/// is carried at TED_SUM_BITS = TED_BITS + log2(MAX_LANES), exact for any legal lane count
/// (|sum| <= 16 * 1530 < 2^15).
pub const TED_GROUP: usize = 4;
pub const TED_SUM_BITS: usize = TED_BITS + MAX_LANES_LOG2;
/// Phase-interpolator code width: 2^PI_BITS steps per UI (default 7: 128 steps), wrapping.
pub const PI_BITS: usize = 7;
/// Fractional bits of the phase accumulator below the PI code.
pub const PHASE_FRAC: usize = 20;
/// Phase accumulator width; the PI code is its top PI_BITS bits. The phase is modular
/// (one full turn = one UI), so this accumulator wraps by design: the only wrap in the datapath.
pub const PHASE_BITS: usize = PI_BITS + PHASE_FRAC;
/// Integral-path (frequency) register: signed, units of phase-accumulator LSBs per UI,
/// saturating at +-2^(FREQ_BITS-1): +-0.5 PI step per UI, +-3906 ppm at 128 steps per UI.
pub const FREQ_BITS: usize = 20;
/// Integral increment `zsum << ki`: exact in INC_BITS (|16 * 1530 << 7| < 2^23), added to the
/// frequency register in INC_BITS + 1 and saturated to FREQ_BITS.
pub const INC_BITS: usize = FREQ_BITS + MAX_LANES_LOG2;
/// Proportional gain shift kp (4 bits, 0..=15): phase += z << kp, i.e. Kp = 2^(kp - PHASE_FRAC) PI steps per z LSB.
pub const KP_BITS: usize = 4;
/// Integral gain shift ki (3 bits, 0..=7): freq += z << ki, i.e. Ki = 2^(ki - PHASE_FRAC) PI steps/UI per z LSB.
pub const KI_BITS: usize = 3;
/// Lock detector window: 2^LOCK_WIN_LOG2 UI (2^LOCK_WIN_LOG2 / lanes clocks).
pub const LOCK_WIN_LOG2: usize = 8;
/// Bad-sample counter width (counts 0 ..= 2^LOCK_WIN_LOG2).
pub const LOCK_CNT_BITS: usize = LOCK_WIN_LOG2 + 1;
/// False-lock escape: after this many consecutive 256-UI windows without lock (loop and
/// kick enabled), the phase jumps by half a UI. A decision-directed Mueller-Muller
/// detector has false stable points about half a UI from the eye centre (measured S-curve
/// in docs/numerics.md); half a UI from one of them is inside the true pull-in range.
pub const KICK_WINDOWS: usize = 4;
/// Width of the unlocked-window counter.
pub const KICK_CNT_BITS: usize = 2;
const _: () = assert!(KICK_WINDOWS == 1 << KICK_CNT_BITS);
/// CDR configuration registers on the shared bus.
pub const CFG_KP: u32 = 24;
pub const CFG_KI: u32 = 25;
/// Control bits: bit 0 loop enable (0 = open loop: phase and frequency hold), bit 1
/// integral-path enable, bit 2 false-lock escape (kick) enable.
pub const CFG_CDR_CTRL: u32 = 26;
/// Lock detector: a sample is bad when |err| > lock_thr (unsigned, Q8.1 magnitude).
pub const CFG_LOCK_THR: u32 = 27;
/// Lock detector: a window with at most lock_max bad samples asserts `lock`.
pub const CFG_LOCK_MAX: u32 = 28;
/// Writing here loads the PI code (cfg_data bits PI_BITS-1:0) and clears the fractional phase.
pub const CFG_PHASE: u32 = 29;
/// CDR latency: two detector registers (D1: +-e, +-3e and the decision; D2: z),
/// loop-filter registers (`pf = (z << kp) + freq`, `inc = z << ki`), then the phase
/// register. The phase code moves LAT_CDR cycles after
/// the slicer output it came from, so from an ADC sample to the phase code it reacts to is
/// LAT_TOP + LAT_CDR cycles.
pub const LAT_CDR: usize = 4;

const _: () = assert!(ADC_BITS + COEF_BITS <= PROD_BITS);
const _: () = assert!(ADC_BITS == 6 && COEF_BITS + 2 <= MULT_FIELD);
const _: () =
    assert!(((MAX_TAPS as i64) << (ADC_BITS + COEF_BITS - 2)) + Y_ROUND < (1i64 << (ACC_BITS - 1)));
const _: () = assert!(Y_BITS == CFG_DATA_BITS && COEF_BITS == CFG_DATA_BITS);
const _: () = assert!(MAX_TAPS <= CFG_THRESH_BASE as usize);
const _: () = assert!(PI_BITS < CFG_DATA_BITS && CFG_PHASE < (1 << CFG_ADDR_BITS));
// the largest integral increment, MAX_LANES * 1530 << 7, fits the increment register
const _: () =
    assert!(((MAX_LANES as i64 * 1530) << ((1 << KI_BITS) - 1)) < (1i64 << (INC_BITS - 1)));
const _: () = assert!((MAX_LANES as i64 * 1530) < (1i64 << (TED_SUM_BITS - 1)));
const _: () = assert!(MAX_LANES <= 1 << LOCK_WIN_LOG2 && LOCK_CNT_BITS > MAX_LANES_LOG2);

/// Sign-extend the low `bits` bits of `raw` to an i32.
#[inline]
pub fn sext(raw: u32, bits: usize) -> i32 {
    let shift = 32 - bits as u32;
    ((raw << shift) as i32) >> shift
}

/// The low `bits` bits of the two's-complement pattern of `v`.
#[inline]
pub fn to_raw(v: i32, bits: usize) -> u32 {
    if bits >= 32 {
        v as u32
    } else {
        (v as u32) & ((1u32 << bits) - 1)
    }
}

/// Inclusive range of a signed `bits`-bit code.
pub const fn signed_range(bits: usize) -> (i32, i32) {
    (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
}

/// PAM-4 Gray code of a symbol (IEEE 802.3 clause 120 mapping):
/// level 0 <- bits 00, 1 <- 01, 2 <- 11, 3 <- 10. Returns (msb, lsb) packed as `msb<<1 | lsb`.
#[inline]
pub const fn gray_bits(symbol: u8) -> u8 {
    (symbol & 3) ^ ((symbol & 3) >> 1)
}

/// Inverse of [`gray_bits`].
#[inline]
pub const fn symbol_of_gray(bits: u8) -> u8 {
    let b = bits & 3;
    b ^ (b >> 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn gray_round_trip_and_mapping() {
        assert_eq!([0, 1, 2, 3].map(gray_bits), [0b00, 0b01, 0b11, 0b10]);
        for s in 0..4 {
            assert_eq!(symbol_of_gray(gray_bits(s)), s);
        }
    }
    #[test]
    fn sext_extremes() {
        assert_eq!(sext(0b100000, 6), -32);
        assert_eq!(sext(0b011111, 6), 31);
        assert_eq!(to_raw(-32, 6), 0b100000);
        assert_eq!(to_raw(-1, 9), 0x1ff);
        assert_eq!(signed_range(8), (-128, 127));
    }
}
