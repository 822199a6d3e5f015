//! PRBS13Q generator: P PAM-4 test symbols per clock (IEEE 802.3 120.5.11.2.1).
//!
//! PRBS13 (x^13 + x^12 + x^2 + x + 1, all-ones seed, output bit = feedback bit) taken in
//! bit pairs, the first bit of a pair the MSB, Gray-coded to a PAM-4 level (00 -> 0,
//! 01 -> 1, 11 -> 2, 10 -> 3). The output is exactly the sequence of cporx-model's
//! `prbs::Prbs13q::new()`, lane 0 the first (oldest) symbol of each clock. The 13-bit LFSR
//! advances 2P bits per clock. The recurrence is linear over GF(2), so each of the clock's
//! 2P new bits and each bit of the next state is the XOR of a fixed subset of the 13
//! current state bits ([`step_masks`]: A^2P, computed when the block is constructed and
//! held as `Constant` masks): every bit is the parity of (state AND mask), an XOR tree of
//! at most 13 inputs at every P rather than a chain of 2P shift/XOR steps (ECP5 timing).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate`; `PrbsGen::new(lanes)`
//! checks its one argument with `check_lanes`): `lanes` P in {1, 2, 4, 8, 16}.
//!
//! **Ports**
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `inject`: error injection; at each rising edge of `inject` (high now, low at the
//!   previous clock edge) lane 0's symbol has its level LSB flipped (0<->1, 2<->3: exactly
//!   one Gray bit, the pair's second). The LFSR is unaffected: one symbol error, one bit
//!   error. `inject` must be synchronous to `clock` (a board button needs a synchronizer and
//!   a debouncer in front of it).
//! * out `symbol$0 .. symbol$(P-1)` (2 bits each, level 0..=3), registered
//!
//! **Formats**: symbols are PAM-4 levels 0 ..= 3 (not Gray bits); the LFSR state is 13 bits
//! (`PRBS13_TAPMASK`, bit 0 the newest bit).
//!
//! **Latency**: 1 cycle (`cporx_spec::bist::LAT_GEN`): the symbols read after edge n were
//! computed from the state before edge n.
//!
//! **Reset**: reset (and power-up): symbols 0. At an edge with `rst` high, or with the LFSR
//! at 0 (its power-up state, which would lock it), the LFSR loads 0x1FFF and the symbols
//! are 0; the first clock after reset then outputs symbols 0 .. P-1 of the sequence. The
//! LFSR is the only wrapping state. The inject edge register samples `inject` at every edge
//! (also in reset, so holding `inject` high through a reset injects nothing). Power-up:
//! every register 0.
//!
//! See also: model `sim/model/src/bist/prbs_gen.rs` (`PrbsGenModel`), reference
//! `cporx_model::prbs::Prbs13q`, spec docs/bist.md "1. PRBS13Q generator" and
//! `spec/src/bist.rs`, tests `hdl/tests/bist_prbs_gen.rs`.

use super::{check_lanes, many, PRBS13_TAPMASK};
use crate::konst;
use cporx_spec::ParamError;
use rust_hdl::prelude::*;

/// Width of the PRBS13 state.
const LFSR_BITS: usize = 13;

/// The PRBS13 recurrence advanced `steps` bits, as GF(2) masks over the current state
/// (bit 0 the newest bit): `.0[j]` selects the state bits whose XOR is new bit j (j = 0
/// the first), `.1[m]` those whose XOR is bit m of the state after the `steps` steps. One
/// step is `b = parity(s & PRBS13_TAPMASK)`, `s' = {s[11:0], b}`; being linear, every
/// later bit is a fixed XOR of the 13 current ones (row m of A^steps).
pub fn step_masks(steps: usize) -> (Vec<u64>, [u64; LFSR_BITS]) {
    // state bit m as a mask over the initial state: initially bit m itself
    let mut st: [u64; LFSR_BITS] = std::array::from_fn(|m| 1 << m);
    let mut bits = Vec::with_capacity(steps);
    for _ in 0..steps {
        let fb = (0..LFSR_BITS)
            .filter(|&m| PRBS13_TAPMASK >> m & 1 == 1)
            .fold(0, |acc, m| acc ^ st[m]);
        st.copy_within(0..LFSR_BITS - 1, 1);
        st[0] = fb;
        bits.push(fb);
    }
    (bits, st)
}

#[derive(LogicBlock)]
pub struct PrbsGen {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub inject: Signal<In, Bit>,
    pub symbol: Vec<Signal<Out, Bits<2>>>,
    lfsr: DFF<Bits<13>>,
    sym_r: Vec<DFF<Bits<2>>>,
    inj_r: DFF<Bit>,
    // locals
    st: Signal<Local, Bits<13>>,
    mb: Signal<Local, Bit>,
    lb: Signal<Local, Bit>,
    sym_c: Vec<Signal<Local, Bits<2>>>,
    // constants
    seed: Constant<Bits<13>>,
    /// lane i's Gray bits (`step_masks(2P)`: new bits 2i and 2i + 1) as masks of the state
    msb_mask: Vec<Constant<Bits<13>>>,
    lsb_mask: Vec<Constant<Bits<13>>>,
    /// the next state's bits, bit 12 first (`step_masks(2P)`, state masks reversed)
    next_mask: Vec<Constant<Bits<13>>>,
    one13: Constant<Bits<13>>,
    zero13: Constant<Bits<13>>,
    sh1: Constant<Bits<4>>,
    lvl: Vec<Constant<Bits<2>>>,
}

impl PrbsGen {
    /// A generator for `lanes` symbols per clock (1, 2, 4, 8 or 16).
    pub fn new(lanes: usize) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
        let (bits, next) = step_masks(2 * lanes);
        Ok(PrbsGen {
            clock: Default::default(),
            rst: Default::default(),
            inject: Default::default(),
            symbol: many(lanes),
            lfsr: Default::default(),
            sym_r: many(lanes),
            inj_r: Default::default(),
            st: Default::default(),
            mb: Default::default(),
            lb: Default::default(),
            sym_c: many(lanes),
            seed: konst(0x1fff),
            msb_mask: (0..lanes).map(|i| konst(bits[2 * i])).collect(),
            lsb_mask: (0..lanes).map(|i| konst(bits[2 * i + 1])).collect(),
            next_mask: next.iter().rev().map(|&m| konst(m)).collect(),
            one13: konst(1),
            zero13: konst(0),
            sh1: konst(1),
            lvl: (0..4).map(konst).collect(),
        })
    }

    pub fn lanes(&self) -> usize {
        self.sym_r.len()
    }
}

impl Logic for PrbsGen {
    #[hdl_gen]
    fn update(&mut self) {
        self.lfsr.clock.next = self.clock.val();
        self.inj_r.clock.next = self.clock.val();
        for i in 0..self.sym_r.len() {
            self.sym_r[i].clock.next = self.clock.val();
        }
        // the next state: 13 parities of the current one, bit 12 shifted in first (the
        // shifts are wiring: each bit lands in its place)
        self.st.next = self.zero13.val();
        for m in 0..self.next_mask.len() {
            if (self.lfsr.q.val() & self.next_mask[m].val()).xor() {
                self.st.next = (self.st.val() << self.sh1.val()) | self.one13.val();
            } else {
                self.st.next = self.st.val() << self.sh1.val();
            }
        }
        // each lane's Gray pair: two parities of the current state
        for i in 0..self.sym_r.len() {
            self.mb.next = (self.lfsr.q.val() & self.msb_mask[i].val()).xor();
            self.lb.next = (self.lfsr.q.val() & self.lsb_mask[i].val()).xor();
            // inverse Gray: level = {msb, msb ^ lsb}
            if self.mb.val() {
                if self.lb.val() {
                    self.sym_c[i].next = self.lvl[2].val();
                } else {
                    self.sym_c[i].next = self.lvl[3].val();
                }
            } else if self.lb.val() {
                self.sym_c[i].next = self.lvl[1].val();
            } else {
                self.sym_c[i].next = self.lvl[0].val();
            }
            self.sym_r[i].d.next = self.sym_c[i].val();
        }
        self.lfsr.d.next = self.st.val();
        if self.inject.val() && !self.inj_r.q.val() {
            self.sym_r[0].d.next = self.sym_c[0].val() ^ self.lvl[1].val();
        }
        self.inj_r.d.next = self.inject.val();
        if self.rst.val() || (self.lfsr.q.val() == self.zero13.val()) {
            self.lfsr.d.next = self.seed.val();
            for i in 0..self.sym_r.len() {
                self.sym_r[i].d.next = self.lvl[0].val();
            }
        }
        for i in 0..self.sym_r.len() {
            self.symbol[i].next = self.sym_r[i].q.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One recurrence step, bit 0 the newest bit; returns the new bit.
    fn step(s: &mut u64) -> u64 {
        let b = (*s & PRBS13_TAPMASK).count_ones() as u64 & 1;
        *s = (*s << 1 | b) & 0x1fff;
        b
    }

    fn parity(x: u64) -> u64 {
        x.count_ones() as u64 & 1
    }

    #[test]
    fn step_masks_equal_stepping_every_state() {
        for lanes in [1, 2, 4, 8, 16] {
            let (bits, next) = step_masks(2 * lanes);
            assert_eq!(bits.len(), 2 * lanes);
            for s0 in 0..1u64 << LFSR_BITS {
                let mut s = s0;
                for (j, &m) in bits.iter().enumerate() {
                    assert_eq!(
                        step(&mut s),
                        parity(s0 & m),
                        "P={lanes} state {s0:#x} bit {j}"
                    );
                }
                for (m, &mask) in next.iter().enumerate() {
                    assert_eq!(
                        s >> m & 1,
                        parity(s0 & mask),
                        "P={lanes} state {s0:#x} bit {m}"
                    );
                }
            }
        }
    }
}
