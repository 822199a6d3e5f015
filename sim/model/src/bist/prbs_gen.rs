//! PRBS13Q generator model: the bit-exact, cycle-accurate model of the P-lane PRBS13Q
//! generator.
//!
//! Produces P PAM-4 symbols per clock: exactly the sequence of
//! [`crate::prbs::Prbs13q::new`] (PRBS13, x^13 + x^12 + x^2 + x + 1, all-ones seed, bits in
//! pairs, first bit the MSB, IEEE 802.3 Gray code), lane 0 the first (oldest) symbol of
//! each clock. The 13-bit LFSR advances 2P bits per clock.
//!
//! Per clock edge:
//! * `rst` or LFSR state 0 (the power-up state, which would lock a LFSR at zero): state <-
//!   0x1FFF (the all-ones seed), symbols <- 0. So the first clock after reset outputs
//!   symbols 0..P-1 of the sequence; without a reset the first edge after power-up acts as
//!   one.
//! * otherwise: the symbols are the next 2P sequence bits as P Gray pairs; if `inject`
//!   rose (high now, low at the previous edge) lane 0's level LSB is flipped: levels 0<->1,
//!   2<->3, which is exactly one flipped Gray bit (the pair's second bit). The LFSR is not
//!   affected: one injected symbol error, one bit error.
//! * the inject edge detector's register samples `inject` at every edge (also in reset).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate` in `PrbsGenModel::new`;
//! `with_lanes(lanes)` checks its one argument): `lanes` P in {1, 2, 4, 8, 16}, the only
//! one it uses.
//!
//! **Ports**: `PrbsGenModel::step(rst, inject)` is one clock edge and returns the output
//! register after it, `symbol[0..P]` (levels 0..=3).
//!
//! **Formats**: symbols are PAM-4 levels 0 ..= 3; `state` is the 13-bit LFSR
//! (`PRBS13_TAPMASK`, bit 0 the newest bit).
//!
//! **Latency**: 1 cycle (`cporx_spec::bist::LAT_GEN`): the symbols read after edge n were
//! computed from the state before edge n.
//!
//! **Reset**: as above (state 0x1FFF, symbols 0). Power-up (`new`): every register 0.
//!
//! See also: RTL `hdl/src/bist/prbs_gen.rs` (`PrbsGen`), reference
//! [`crate::prbs::Prbs13q`], spec docs/bist.md "1. PRBS13Q generator" and
//! `spec/src/bist.rs`, tests `hdl/tests/bist_prbs_gen.rs`.

use super::{check_lanes, BistParams, PRBS13_MASK, PRBS13_TAPMASK};
use cporx_spec::{symbol_of_gray, ParamError};

/// The PRBS13 seed (all ones), as in [`crate::prbs::Prbs::new`].
pub const PRBS13_SEED: u32 = PRBS13_MASK;

#[derive(Clone, Debug)]
pub struct PrbsGenModel {
    lanes: usize,
    /// LFSR state, bit 0 the newest bit.
    pub state: u32,
    inject_prev: bool,
    /// The output register.
    pub symbol: Vec<u8>,
}

/// One PRBS13 step on a state with bit 0 the newest bit; returns the new bit.
#[inline]
pub fn prbs13_step(state: &mut u32) -> u8 {
    let fb = ((*state & PRBS13_TAPMASK).count_ones() & 1) as u8;
    *state = ((*state << 1) | fb as u32) & PRBS13_MASK;
    fb
}

impl PrbsGenModel {
    pub fn new(p: &BistParams) -> Result<Self, ParamError> {
        p.validate()?;
        Self::with_lanes(p.lanes)
    }

    /// The model for `lanes` symbols per clock (the only parameter it uses).
    pub fn with_lanes(lanes: usize) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
        Ok(PrbsGenModel {
            lanes,
            state: 0,
            inject_prev: false,
            symbol: vec![0; lanes],
        })
    }

    /// One clock edge; returns the output register after it.
    pub fn step(&mut self, rst: bool, inject: bool) -> &[u8] {
        if rst || self.state == 0 {
            self.state = PRBS13_SEED;
            self.symbol.iter_mut().for_each(|s| *s = 0);
        } else {
            for i in 0..self.lanes {
                let m = prbs13_step(&mut self.state);
                let l = prbs13_step(&mut self.state);
                self.symbol[i] = symbol_of_gray(m << 1 | l);
            }
            if inject && !self.inject_prev {
                self.symbol[0] ^= 1;
            }
        }
        self.inject_prev = inject;
        &self.symbol
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prbs::Prbs13q;

    #[test]
    fn model_matches_prbs13q_and_injects_one_bit_error() {
        for lanes in super::super::LANES {
            let mut m = PrbsGenModel::with_lanes(lanes).unwrap();
            m.step(true, false);
            let mut r = Prbs13q::new();
            for c in 0..3000 {
                let inj = c == 100;
                let out = m.step(false, inj).to_vec();
                for (i, &s) in out.iter().enumerate() {
                    let want = r.next_symbol();
                    if inj && i == 0 {
                        assert_eq!(s, want ^ 1);
                        let d = cporx_spec::gray_bits(s) ^ cporx_spec::gray_bits(want);
                        assert_eq!(d.count_ones(), 1);
                    } else {
                        assert_eq!(s, want, "lanes {lanes} cycle {c} lane {i}");
                    }
                }
            }
        }
    }
}
