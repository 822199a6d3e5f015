//! Pseudo-random binary sequences and the PAM-4 PRBS13Q source.
//!
//! Generators are Fibonacci LFSRs with the ITU-T O.150 / IEEE 802.3 polynomials:
//!
//! | name | polynomial | period |
//! |---|---|---|
//! | PRBS7  | x^7 + x^6 + 1 | 127 |
//! | PRBS9  | x^9 + x^5 + 1 | 511 |
//! | PRBS13 | x^13 + x^12 + x^2 + x + 1 (IEEE 802.3 clause 94/120) | 8191 |
//! | PRBS15 | x^15 + x^14 + 1 | 32767 |
//! | PRBS31 | x^31 + x^28 + 1 | 2^31 - 1 |
//!
//! The output bit is the feedback bit (not inverted; O.150 inverts PRBS15/31 on the line:
//! apply `!` if you need that). PRBS13Q (IEEE 802.3 120.5.11.2.1) takes PRBS13 bits in
//! pairs, the first bit of a pair as the MSB, and Gray-codes each pair to a level 0..3.
//! Since 8191 is odd, PRBS13Q repeats every 8191 symbols (two passes of the bit sequence).

use cporx_spec::symbol_of_gray;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrbsKind {
    Prbs7,
    Prbs9,
    Prbs13,
    Prbs15,
    Prbs31,
}

impl PrbsKind {
    pub const ALL: [PrbsKind; 5] = [
        PrbsKind::Prbs7,
        PrbsKind::Prbs9,
        PrbsKind::Prbs13,
        PrbsKind::Prbs15,
        PrbsKind::Prbs31,
    ];
    /// Register length n.
    pub fn order(self) -> u32 {
        match self {
            PrbsKind::Prbs7 => 7,
            PrbsKind::Prbs9 => 9,
            PrbsKind::Prbs13 => 13,
            PrbsKind::Prbs15 => 15,
            PrbsKind::Prbs31 => 31,
        }
    }
    /// Exponents of the polynomial's non-constant terms.
    pub fn taps(self) -> &'static [u32] {
        match self {
            PrbsKind::Prbs7 => &[7, 6],
            PrbsKind::Prbs9 => &[9, 5],
            PrbsKind::Prbs13 => &[13, 12, 2, 1],
            PrbsKind::Prbs15 => &[15, 14],
            PrbsKind::Prbs31 => &[31, 28],
        }
    }
    pub fn period(self) -> u64 {
        (1u64 << self.order()) - 1
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| format!("{k:?}").eq_ignore_ascii_case(s))
    }
}

#[derive(Clone, Debug)]
pub struct Prbs {
    kind: PrbsKind,
    state: u32,
    mask: u32,
    tapmask: u32,
}

impl Prbs {
    /// A generator with every register bit set (the usual all-ones seed).
    pub fn new(kind: PrbsKind) -> Self {
        Self::with_seed(kind, u32::MAX).expect("all-ones seed is legal")
    }
    /// A generator from `seed` (its low n bits); `None` if those are all zero (the LFSR
    /// would stay at zero forever).
    pub fn with_seed(kind: PrbsKind, seed: u32) -> Option<Self> {
        let n = kind.order();
        let mask = if n == 32 { u32::MAX } else { (1u32 << n) - 1 };
        let state = seed & mask;
        if state == 0 {
            return None;
        }
        let tapmask = kind.taps().iter().fold(0u32, |m, &e| m | 1 << (e - 1));
        Some(Prbs {
            kind,
            state,
            mask,
            tapmask,
        })
    }
    pub fn kind(&self) -> PrbsKind {
        self.kind
    }
    #[inline]
    pub fn next_bit(&mut self) -> u8 {
        let fb = (self.state & self.tapmask).count_ones() & 1;
        self.state = ((self.state << 1) | fb) & self.mask;
        fb as u8
    }
}

impl Iterator for Prbs {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        Some(self.next_bit())
    }
}

/// PRBS13Q: PAM-4 symbols 0..3 from Gray-coded pairs of PRBS13 bits.
#[derive(Clone, Debug)]
pub struct Prbs13q {
    bits: Prbs,
}

impl Default for Prbs13q {
    fn default() -> Self {
        Self::new()
    }
}

impl Prbs13q {
    pub const PERIOD: usize = 8191;
    pub fn new() -> Self {
        Prbs13q {
            bits: Prbs::new(PrbsKind::Prbs13),
        }
    }
    #[inline]
    pub fn next_symbol(&mut self) -> u8 {
        let msb = self.bits.next_bit();
        let lsb = self.bits.next_bit();
        symbol_of_gray(msb << 1 | lsb)
    }
}

impl Iterator for Prbs13q {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        Some(self.next_symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period_and_ones(kind: PrbsKind) -> (u64, u64) {
        let mut g = Prbs::new(kind);
        let start = g.state;
        let mut ones = 0u64;
        let mut n = 0u64;
        loop {
            ones += g.next_bit() as u64;
            n += 1;
            if g.state == start {
                return (n, ones);
            }
        }
    }

    #[test]
    fn periods_and_balance_of_short_prbs() {
        for kind in [
            PrbsKind::Prbs7,
            PrbsKind::Prbs9,
            PrbsKind::Prbs13,
            PrbsKind::Prbs15,
        ] {
            let (n, ones) = period_and_ones(kind);
            assert_eq!(n, kind.period(), "{kind:?} period");
            assert_eq!(ones, 1 << (kind.order() - 1), "{kind:?} ones per period");
        }
    }

    #[test]
    fn prbs31_period_and_balance() {
        // 2^31 - 1 steps: a few seconds with optimisation; the balance proves maximal length
        // together with the period.
        let (n, ones) = period_and_ones(PrbsKind::Prbs31);
        assert_eq!(n, PrbsKind::Prbs31.period());
        assert_eq!(ones, 1 << 30);
    }

    #[test]
    fn outputs_obey_the_polynomial_recurrence() {
        // x^n + ... + 1  <=>  b[t] = XOR over taps e of b[t - e]
        for kind in PrbsKind::ALL {
            let v: Vec<u8> = Prbs::new(kind).take(2000).collect();
            for t in 64..v.len() {
                let x = kind.taps().iter().fold(0, |a, &e| a ^ v[t - e as usize]);
                assert_eq!(v[t], x, "{kind:?} at {t}");
            }
        }
    }

    #[test]
    fn prbs13q_period_and_levels() {
        let v: Vec<u8> = Prbs13q::new().take(3 * Prbs13q::PERIOD).collect();
        assert_eq!(
            &v[..Prbs13q::PERIOD],
            &v[Prbs13q::PERIOD..2 * Prbs13q::PERIOD]
        );
        // no shorter period
        for p in 1..Prbs13q::PERIOD {
            if Prbs13q::PERIOD % p == 0 {
                assert_ne!(
                    &v[..Prbs13q::PERIOD - p],
                    &v[p..Prbs13q::PERIOD],
                    "period {p}"
                );
            }
        }
        let mut counts = [0usize; 4];
        for &s in &v[..Prbs13q::PERIOD] {
            counts[s as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 1900), "{counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), 8191);
    }

    #[test]
    fn zero_seed_rejected() {
        assert!(Prbs::with_seed(PrbsKind::Prbs9, 0).is_none());
        assert!(Prbs::with_seed(PrbsKind::Prbs9, 1 << 9).is_none());
    }
}
