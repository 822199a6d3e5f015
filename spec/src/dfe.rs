//! The 1-tap PAM-4 decision-feedback equalizer (DFE) option of the slicer: the tap's
//! format and register, the loop-unrolled feedback's widths, the saturated error, the
//! tap's sign-sign adaptation and the latency (docs/numerics.md, "DFE (decision
//! feedback)"). Built when `RxParams::dfe_taps` = 1. RTL `hdl/src/dfe.rs`, model
//! `sim/model/src/dfe.rs`, test `verif/tests/dfe.rs`.

use crate::*;

/// Legal values of `RxParams::dfe_taps`: 0 (the plain slicer) or 1.
pub const MAX_DFE_TAPS: usize = 1;
/// The DFE tap `d`: signed 8 bits in units of y's LSB (Q7.1 codes), -128 ..= 127.
pub const DFE_BITS: usize = 8;
/// The feedback `fb(s') = d (2 s' - 3)` (-3d, -d, d, 3d: |fb| <= 384) and the compared
/// thresholds and targets shifted by it, `t_j + fb(s')`, `L_k + fb(s')`
/// (-512 ..= 511): exact in 10 bits, never saturated.
pub const DFE_FB_BITS: usize = 10;
/// `y - fb(s') - L[symbol]` before saturation: -128 - 511 ..= 127 + 512, exact in 11 bits;
/// then saturated to the error's 9 bits, -256 ..= 255 (never wrapped).
pub const DFE_WIDE_BITS: usize = 11;
/// Saturation bounds of the DFE's error (Q8.1 codes).
pub const DFE_ERR_MIN: i32 = -256;
pub const DFE_ERR_MAX: i32 = 255;
/// Address of the DFE tap register (a write sets `d`, and with the adaptation loads its
/// accumulator; a read gives `d` now). Without the DFE built the address is ignored and
/// reads 0.
pub const CFG_DFE: u32 = 35;
/// Fraction bits of the tap's accumulator below d's LSB (the LMS's: `LMS_FRAC`), so the
/// step code means the same: 2^-mu LSBs of d per update.
pub const DFE_FRAC: usize = LMS_FRAC;
/// The accumulator's width: DFE_BITS + DFE_FRAC (23), saturating at
/// [-128, 127] * 2^DFE_FRAC, never wrapping.
pub const DFE_ACC_BITS: usize = DFE_BITS + DFE_FRAC;
/// `CFG_ADAPT` bit of the tap's adaptation enable.
pub const DFE_ENABLE_BIT: u32 = 3;
/// Latency: the DFE is the slicer's one register stage (`LAT_SLICER`).
pub const LAT_DFE: usize = LAT_SLICER;

const _: () = assert!(CFG_DFE < (1 << CFG_ADDR_BITS) && CFG_DFE > CFG_GAIN);
const _: () = assert!(DFE_BITS == CFG_DATA_BITS);
// the shifted levels: 127 + 3 * 128 = 511, -128 - 3 * 128 = -512
const _: () = assert!(127 + 3 * 128 < 1 << (DFE_FB_BITS - 1));
const _: () = assert!(127 + 512 < 1 << (DFE_WIDE_BITS - 1));
const _: () = assert!(DFE_ACC_BITS + 1 <= 32);
// the CDR's detector widths (spec/src/cdr.rs, derived there for |e| <= 255) still hold for
// the DFE's error, which reaches -256: |z| <= 2 * 3 * 256 = 1536, the clock's sum
// 16 * 1536 = 24576, its increment 24576 << 7
const _: () = assert!(2 * 3 * 256 < 1 << (TED_BITS - 1));
const _: () = assert!((MAX_LANES as i64 * 1536) < (1i64 << (TED_SUM_BITS - 1)));
const _: () =
    assert!(((MAX_LANES as i64 * 1536) << ((1 << KI_BITS) - 1)) < (1i64 << (INC_BITS - 1)));

/// The feedback of the previous decision `sp` (0 ..= 3) for the tap `d`: `d (2 sp - 3)`.
#[inline]
pub const fn dfe_feedback(d: i32, sp: u8) -> i32 {
    d * (2 * (sp as i32 & 3) - 3)
}
