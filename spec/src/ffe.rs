//! FFE formats, sizes and latency (docs/numerics.md, "FFE"): the ADC samples it takes, its
//! Q2.6 coefficients, its products and accumulator, its Q7.1 output, its sample history and
//! multiple banks, its tap-count limits, coefficient addresses and pipeline latency.
//! RTL `hdl/src/ffe.rs`, model `sim/model/src/ffe.rs`, test `verif/tests/ffe.rs`.

use crate::*;

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
/// FFE latency in clock cycles from an ADC sample on `adc` to the first output that
/// depends on it: history register, partial-product register, product register, group-sum
/// register, accumulator register, output register (round and saturate).
pub const LAT_FFE: usize = 6;
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

/// Address of coefficient k is `CFG_COEF_BASE + k` (k < n_taps).
pub const CFG_COEF_BASE: u32 = 0;
const _: () = assert!(ADC_BITS + COEF_BITS <= PROD_BITS);
const _: () = assert!(ADC_BITS == 6 && COEF_BITS + 2 <= MULT_FIELD);
const _: () =
    assert!(((MAX_TAPS as i64) << (ADC_BITS + COEF_BITS - 2)) + Y_ROUND < (1i64 << (ACC_BITS - 1)));
