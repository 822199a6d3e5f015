//! Sign-sign LMS coefficient adaptation: formats, step, decimation, alignment and latency
//! (docs/numerics.md, "LMS (sign-sign coefficient adaptation)"). RTL `hdl/src/lms.rs`,
//! model `sim/model/src/lms.rs`, test `verif/tests/lms.rs`.

use crate::*;

/// Fraction bits of a tap accumulator below the coefficient LSB: each accumulator is
/// Q2.(COEF_FRAC + LMS_FRAC), `LMS_ACC_BITS` wide, and the coefficient is its rounded top
/// COEF_BITS bits. 15 makes every 4-bit step code legal (see `LMS_MU_BITS`).
pub const LMS_FRAC: usize = 15;
/// Tap accumulator width: COEF_BITS + LMS_FRAC (23). Saturates at
/// [-128 * 2^LMS_FRAC, 127 * 2^LMS_FRAC], so its rounded code always fits Q2.6.
pub const LMS_ACC_BITS: usize = COEF_BITS + LMS_FRAC;
/// Step code width: `mu` in 0 ..= 15 (every code legal); one update moves an accumulator by
/// 2^(LMS_FRAC - mu) accumulator LSBs, i.e. 2^-mu coefficient LSBs.
pub const LMS_MU_BITS: usize = 4;
/// The error the LMS takes at clock edge c is lane 0's slicer error register, which
/// belongs to sample (c - LMS_ERR_DELAY) P (lane 0 of the block captured LAT_TOP edges
/// earlier): one update per clock, from lane 0 (the decimation rule).
pub const LMS_ERR_DELAY: usize = LAT_TOP;
/// The LMS's sign delay line: the signs (zero flag and sign bit) of the newest
/// LMS_LINE samples, sample s at distance d from the newest at index d; tap k of the
/// update at an edge reads distance LMS_ERR_DELAY * P - 1 + k.
pub const LMS_LINE: usize = LMS_ERR_DELAY * MAX_LANES + MAX_TAPS - 1;
/// The line's bus width (LMS_LINE rounded up to a power of two).
pub const LMS_LINE_BITS: usize = 128;
/// Latency: an error at the LMS input at edge c moves the accumulators at edge c; the
/// write port (registers, computed from the accumulators before an edge) carries tap rr's
/// new code from edge c + 1 on, when it visits rr: 2 at the earliest. The port visits the
/// taps in turn (tap rr at edge c, then rr + 1 mod N), so a tap reaches the FFE at most
/// N + 1 clocks after its accumulator moved (plus the FFE's write register).
pub const LAT_LMS: usize = 2;

const _: () = assert!(LMS_LINE <= LMS_LINE_BITS);
const _: () = assert!((1 << LMS_MU_BITS) - 1 == LMS_FRAC);
// accumulator +- the largest step stays inside LMS_ACC_BITS + 1 bits before saturation
const _: () = assert!((127i64 << LMS_FRAC) + (1i64 << LMS_FRAC) <= 1i64 << (LMS_ACC_BITS - 1));
