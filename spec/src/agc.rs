//! Gain control (AGC) and the variable-gain amplifier it drives: the gain code's format
//! and table, the loop's statistic, step, update rate, registers and latency
//! (docs/numerics.md, "AGC (gain control)"). RTL `hdl/src/agc.rs`, model
//! `sim/model/src/agc.rs`, test `verif/tests/agc.rs`; the amplifier itself is analog and
//! lives in the AFE model (`sim/link/src/afe.rs`, `Afe::set_gain_code`).

use crate::*;

/// Gain code width: codes 0 ..= 31, unsigned, on the top's `gain` output.
pub const GAIN_BITS: usize = 5;
/// The largest gain code.
pub const GAIN_MAX: u32 = (1 << GAIN_BITS) - 1;
/// The code of 0 dB (the AFE's nominal scale: a peak-1 pulse's main cursor at 8 ADC codes
/// per level unit with `full_scale` 4).
pub const GAIN_UNITY: u32 = 20;
/// Step of the amplifier, dB per code.
pub const GAIN_STEP_DB: f64 = 0.5;

/// The amplifier's gain in dB for a code (clamped to 0 ..= GAIN_MAX, as the port is 5
/// bits): `(code - GAIN_UNITY) * GAIN_STEP_DB`, -10 dB ..= +5.5 dB.
pub fn gain_db(code: u32) -> f64 {
    (code.min(GAIN_MAX) as f64 - GAIN_UNITY as f64) * GAIN_STEP_DB
}

/// The amplifier's linear voltage gain for a code: 10^(gain_db / 20).
pub fn gain_linear(code: u32) -> f64 {
    10f64.powf(gain_db(code) / 20.0)
}

/// Width of the AGC's accumulator (signed). Each clock adds one term per lane: |x| - T in
/// the mean mode (|d| <= 63), 2^K - 1 or -1 in the tail mode (K <= 15), so at most
/// 16 (2^15 - 1) in magnitude, and the accumulator is cleared whenever it reaches +-2^W
/// (W <= AGC_WINDOW_MAX), so it never needs to saturate: |acc| < 2^15 + 2^19 < 2^20.
pub const AGC_ACC_BITS: usize = 21;
/// Tail-mode exponent width: K in the window register's bits 7:4. K = 0 is the mean mode
/// (drive mean |x| to T); K >= 1 the tail mode (drive the fraction of samples with
/// |x| >= T to 2^-K).
pub const AGC_TAIL_BITS: usize = 4;
/// Target register width: T in ADC codes (unsigned): the mean |x| the loop drives to (mean
/// mode), or the code whose tail it holds (tail mode).
pub const AGC_TARGET_BITS: usize = 6;
/// Window register width: W; the gain steps once the accumulated deviation reaches 2^W.
pub const AGC_WINDOW_BITS: usize = 4;
pub const AGC_WINDOW_MAX: u32 = (1 << AGC_WINDOW_BITS) - 1;
/// AGC target register: bits 5:0 T (unsigned ADC codes).
pub const CFG_AGC_TARGET: u32 = 32;
/// AGC window register: bits 3:0 W, bits 7:4 K (0: mean mode; 1 ..= 15: tail mode).
pub const CFG_AGC_WINDOW: u32 = 33;
/// Gain code register: a write sets the code (bits 4:0) and clears the accumulator; a
/// read gives the code the amplifier has now.
pub const CFG_GAIN: u32 = 34;
/// Latency: the block of ADC codes captured at edge c moves the accumulator at edge c, and
/// the gain code it causes is on `gain` after that edge; the AFE applies the code on
/// `gain` after cycle n to the samples of cycle n + 1, as it does the PI code.
pub const LAT_AGC: usize = 1;

const _: () = assert!(AGC_ACC_BITS <= 32);
const _: () =
    assert!((1i64 << AGC_WINDOW_MAX) + 16 * ((1i64 << 15) - 1) < 1i64 << (AGC_ACC_BITS - 1));
const _: () = assert!(AGC_WINDOW_BITS + AGC_TAIL_BITS == CFG_DATA_BITS);
const _: () = assert!(GAIN_UNITY <= GAIN_MAX && GAIN_BITS < CFG_DATA_BITS);
const _: () = assert!(CFG_GAIN < (1 << CFG_ADDR_BITS));

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn gain_table() {
        assert_eq!(gain_db(GAIN_UNITY), 0.0);
        assert_eq!(gain_db(0), -10.0);
        assert_eq!(gain_db(GAIN_MAX), 5.5);
        assert!((gain_linear(GAIN_UNITY - 12) - 0.5).abs() < 0.002);
        assert_eq!(gain_db(99), gain_db(GAIN_MAX));
    }
}
