//! PRBS13Q generator: P PAM-4 test symbols per clock (IEEE 802.3 120.5.11.2.1).
//!
//! PRBS13 (x^13 + x^12 + x^2 + x + 1, all-ones seed, output bit = feedback bit) taken in
//! bit pairs, the first bit of a pair the MSB, Gray-coded to a PAM-4 level (00 -> 0,
//! 01 -> 1, 11 -> 2, 10 -> 3). The output is exactly the sequence of cporx-model's
//! `prbs::Prbs13q::new()`, lane 0 the first (oldest) symbol of each clock. The 13-bit LFSR
//! advances 2P bits per clock, unrolled combinationally (a chain of 2P shift/XOR steps).
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
    tapmask: Constant<Bits<13>>,
    one13: Constant<Bits<13>>,
    zero13: Constant<Bits<13>>,
    sh1: Constant<Bits<4>>,
    lvl: Vec<Constant<Bits<2>>>,
}

impl PrbsGen {
    /// A generator for `lanes` symbols per clock (1, 2, 4, 8 or 16).
    pub fn new(lanes: usize) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
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
            tapmask: konst(PRBS13_TAPMASK),
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
        // 2P unrolled LFSR steps; each step's new bit is the feedback bit
        self.st.next = self.lfsr.q.val();
        for i in 0..self.sym_r.len() {
            self.mb.next = (self.st.val() & self.tapmask.val()).xor();
            if self.mb.val() {
                self.st.next = (self.st.val() << self.sh1.val()) | self.one13.val();
            } else {
                self.st.next = self.st.val() << self.sh1.val();
            }
            self.lb.next = (self.st.val() & self.tapmask.val()).xor();
            if self.lb.val() {
                self.st.next = (self.st.val() << self.sh1.val()) | self.one13.val();
            } else {
                self.st.next = self.st.val() << self.sh1.val();
            }
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
