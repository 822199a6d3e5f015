//! Slicer formats, addresses and latency (docs/numerics.md, "Slicer"): Q7.1 thresholds and
//! targets, the Q8.1 error, the PAM-4 Gray mapping of a decision.
//! RTL `hdl/src/slicer.rs`, model `sim/model/src/slicer.rs`, test `verif/tests/slicer.rs`.

use crate::*;

/// Slicer error width: y - target, both Q7.1, is exact in Q8.1 (9 bits); never saturates.
pub const ERR_BITS: usize = Y_BITS + 1;
/// Threshold and target codes share the FFE output format (Q7.1).
pub const LEVEL_BITS: usize = Y_BITS;

/// Address of threshold j (j = 0, 1, 2) is `CFG_THRESH_BASE + j`.
pub const CFG_THRESH_BASE: u32 = 16;
/// Address of target level j (j = 0..3) is `CFG_TARGET_BASE + j`.
pub const CFG_TARGET_BASE: u32 = 20;

/// Slicer: one output register.
pub const LAT_SLICER: usize = 1;
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
}
