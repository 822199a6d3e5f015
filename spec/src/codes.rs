//! Raw two's-complement patterns: every datapath value crosses module ports as a raw bit
//! pattern (`Bits<N>` in rust-hdl); these go between those patterns and `i32`.

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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sext_extremes() {
        assert_eq!(sext(0b100000, 6), -32);
        assert_eq!(sext(0b011111, 6), 31);
        assert_eq!(to_raw(-32, 6), 0b100000);
        assert_eq!(to_raw(-1, 9), 0x1ff);
        assert_eq!(signed_range(8), (-128, 127));
    }
}
