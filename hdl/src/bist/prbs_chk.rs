//! PRBS13Q checker: self-synchronizing, P received symbols per clock, counting bit errors,
//! symbol errors and checked symbols.
//!
//! Each received level becomes its IEEE 802.3 Gray bit pair (first bit the MSB); every bit
//! `b[t]` is compared with `b[t-1] ^ b[t-2] ^ b[t-12] ^ b[t-13]` computed from the
//! *received* bits (x^13 + x^12 + x^2 + x + 1). A mismatch is a bit error, a symbol with any
//! mismatch a symbol error. No seed and no phase search: any phase of the sequence is
//! accepted. One channel bit error is counted as itself plus up to 4 more (each later bit
//! that uses it as a tap: t+1, t+2, t+12, t+13), so a clean channel error costs 5 counted bit
//! errors (standard for a self-synchronizing checker; docs/bist.md).
//!
//! Sync: lane i of a clock is checked iff `valid` was high for it and `fill + i >= 7`, with
//! `fill` (0..=7) the number of consecutive valid symbols before the clock (saturating at
//! 7; 0 after reset and after any clock with `valid` low): the first 7 valid symbols
//! (`CHK_FILL`: 14 bits, >= the 13 of history needed) only load the history. The history is
//! a shift register (no arithmetic) and shifts in every symbol, valid or not; only the
//! counting is gated.
//!
//! Pipeline: 1. input registers; 2. history shift (2P bits), per-lane mismatch pair and
//! checked flag, `fill`, `synced`; 3a. sums per group of CHK_GROUP = 4 lanes; 3b. per-clock
//! sums (6 bits each); 4. 32-bit saturating counters (a 33-bit add, all ones on carry out).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate`; `PrbsChk::new(lanes)`
//! checks its one argument with `check_lanes`): `lanes` P in {1, 2, 4, 8, 16}.
//!
//! **Ports**
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `symbol$0 .. symbol$(P-1)` (2 bits): received levels 0..=3, lane 0 the oldest
//! * in  `valid`: the symbols of this clock are real (e.g. the receiver's CDR lock); while
//!   low nothing is counted and the sync restarts
//! * out `bit_errs`, `sym_errs`, `symbols` (32 bits each): bit errors, symbol errors and
//!   checked symbols since reset, SATURATING at 2^32 - 1
//! * out `synced`: the history holds 7 consecutive valid symbols, so symbols are checked
//!
//! **Formats**: symbols PAM-4 levels 0 ..= 3; per-clock sums unsigned 6 bits (bit errors
//! 0 ..= 2P, symbol errors and checked symbols 0 ..= P); counters unsigned 32 bits,
//! saturating.
//!
//! **Latency**: 5 cycles to the counters (`cporx_spec::bist::LAT_CHK`: a symbol applied in
//! cycle c is in the counters read after cycle c + 4), 2 to `synced`.
//!
//! **Reset**: every register resets to 0 (counters, history, `fill`, `synced`). Power-up:
//! every register 0.
//!
//! See also: model `sim/model/src/bist/prbs_chk.rs` (`PrbsChkModel`), reference-based
//! checker `cporx_link::loop_checker::Prbs13qChecker` (counts true errors), spec docs/bist.md
//! "3. PRBS13Q checker" and `spec/src/bist.rs`, tests `hdl/tests/bist_prbs_chk.rs`.

use super::{check_lanes, many, PRBS13_TAPMASK};
use crate::konst;
use cporx_spec::bist::CHK_GROUP;
use cporx_spec::ParamError;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct PrbsChk {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub valid: Signal<In, Bit>,
    pub symbol: Vec<Signal<In, Bits<2>>>,
    pub bit_errs: Signal<Out, Bits<32>>,
    pub sym_errs: Signal<Out, Bits<32>>,
    pub symbols: Signal<Out, Bits<32>>,
    pub synced: Signal<Out, Bit>,
    // stage 1
    sym_r: Vec<DFF<Bits<2>>>,
    val_r: DFF<Bit>,
    // stage 2
    hist: DFF<Bits<13>>,
    fill: DFF<Bits<3>>,
    synced_r: DFF<Bit>,
    emis: Vec<DFF<Bits<2>>>,
    chk: Vec<DFF<Bit>>,
    // stage 3
    // stage 3a: per-group (4 lanes) sums, registered at a group's last lane (0 elsewhere)
    gb: Vec<DFF<Bits<6>>>,
    gs: Vec<DFF<Bits<6>>>,
    gn: Vec<DFF<Bits<6>>>,
    gfirst: Vec<Constant<Bit>>,
    glast: Vec<Constant<Bit>>,
    // stage 3b: the clock's sums
    inc_b: DFF<Bits<6>>,
    inc_s: DFF<Bits<6>>,
    inc_n: DFF<Bits<6>>,
    // stage 4
    cnt_b: DFF<Bits<32>>,
    cnt_s: DFF<Bits<32>>,
    cnt_n: DFF<Bits<32>>,
    // locals
    w: Signal<Local, Bits<13>>,
    mb: Signal<Local, Bit>,
    lb: Signal<Local, Bit>,
    em: Signal<Local, Bit>,
    el: Signal<Local, Bit>,
    ck: Signal<Local, Bit>,
    fill6: Signal<Local, Bits<6>>,
    fi: Signal<Local, Bits<6>>,
    fsum: Signal<Local, Bits<6>>,
    fill_n: Signal<Local, Bits<3>>,
    sb: Signal<Local, Bits<6>>,
    ss: Signal<Local, Bits<6>>,
    sn: Signal<Local, Bits<6>>,
    tb: Signal<Local, Bits<6>>,
    ts: Signal<Local, Bits<6>>,
    tn: Signal<Local, Bits<6>>,
    s33b: Signal<Local, Bits<33>>,
    s33s: Signal<Local, Bits<33>>,
    s33n: Signal<Local, Bits<33>>,
    // constants
    tapmask: Constant<Bits<13>>,
    one13: Constant<Bits<13>>,
    sh1: Constant<Bits<4>>,
    lane_k: Vec<Constant<Bits<6>>>,
    lanes_k: Constant<Bits<6>>,
    fill_max6: Constant<Bits<6>>,
    fill_max: Constant<Bits<3>>,
    zero_idx6: Constant<Bits<3>>,
    bit1: Constant<Bits<1>>,
    bit0: Constant<Bits<1>>,
    pair: Vec<Constant<Bits<2>>>,
    one6: Constant<Bits<6>>,
    two6: Constant<Bits<6>>,
    zero6: Constant<Bits<6>>,
    zero3: Constant<Bits<3>>,
    zero13: Constant<Bits<13>>,
    carry: Constant<Bits<6>>,
    low32: Constant<Bits<6>>,
    ones32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
}

impl PrbsChk {
    /// A checker for `lanes` symbols per clock (1, 2, 4, 8 or 16).
    pub fn new(lanes: usize) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
        Ok(PrbsChk {
            clock: Default::default(),
            rst: Default::default(),
            valid: Default::default(),
            symbol: many(lanes),
            bit_errs: Default::default(),
            sym_errs: Default::default(),
            symbols: Default::default(),
            synced: Default::default(),
            sym_r: many(lanes),
            val_r: Default::default(),
            hist: Default::default(),
            fill: Default::default(),
            synced_r: Default::default(),
            emis: many(lanes),
            chk: many(lanes),
            gb: many(lanes),
            gs: many(lanes),
            gn: many(lanes),
            gfirst: (0..lanes)
                .map(|i| Constant::new(i % CHK_GROUP == 0))
                .collect(),
            glast: (0..lanes)
                .map(|i| Constant::new(i % CHK_GROUP == CHK_GROUP - 1 || i == lanes - 1))
                .collect(),
            inc_b: Default::default(),
            inc_s: Default::default(),
            inc_n: Default::default(),
            cnt_b: Default::default(),
            cnt_s: Default::default(),
            cnt_n: Default::default(),
            w: Default::default(),
            mb: Default::default(),
            lb: Default::default(),
            em: Default::default(),
            el: Default::default(),
            ck: Default::default(),
            fill6: Default::default(),
            fi: Default::default(),
            fsum: Default::default(),
            fill_n: Default::default(),
            sb: Default::default(),
            ss: Default::default(),
            sn: Default::default(),
            tb: Default::default(),
            ts: Default::default(),
            tn: Default::default(),
            s33b: Default::default(),
            s33s: Default::default(),
            s33n: Default::default(),
            tapmask: konst(PRBS13_TAPMASK),
            one13: konst(1),
            sh1: konst(1),
            lane_k: (0..lanes as u64).map(konst).collect(),
            lanes_k: konst(lanes as u64),
            fill_max6: konst(7),
            fill_max: konst(7),
            zero_idx6: konst(0),
            bit1: konst(1),
            bit0: konst(0),
            pair: (0..4).map(konst).collect(),
            one6: konst(1),
            two6: konst(2),
            zero6: konst(0),
            zero3: konst(0),
            zero13: konst(0),
            carry: konst(32),
            low32: konst(0),
            ones32: konst(0xffff_ffff),
            zero32: konst(0),
        })
    }

    pub fn lanes(&self) -> usize {
        self.sym_r.len()
    }
}

impl Logic for PrbsChk {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..self.sym_r.len() {
            self.sym_r[i].clock.next = self.clock.val();
            self.emis[i].clock.next = self.clock.val();
            self.chk[i].clock.next = self.clock.val();
        }
        self.val_r.clock.next = self.clock.val();
        self.hist.clock.next = self.clock.val();
        self.fill.clock.next = self.clock.val();
        self.synced_r.clock.next = self.clock.val();
        self.inc_b.clock.next = self.clock.val();
        self.inc_s.clock.next = self.clock.val();
        self.inc_n.clock.next = self.clock.val();
        self.cnt_b.clock.next = self.clock.val();
        self.cnt_s.clock.next = self.clock.val();
        self.cnt_n.clock.next = self.clock.val();

        // stage 1
        for i in 0..self.sym_r.len() {
            self.sym_r[i].d.next = self.symbol[i].val();
        }
        self.val_r.d.next = self.valid.val();

        // stage 2: predict each bit from the 13 received before it
        self.fill6.next = bit_cast::<6, 3>(self.fill.q.val());
        self.w.next = self.hist.q.val();
        for i in 0..self.sym_r.len() {
            // Gray bits of the level: msb = level[1], lsb = level[1] ^ level[0]
            self.mb.next = self.sym_r[i].q.val().get_bit(self.bit1.val().index());
            self.lb.next = self.sym_r[i].q.val().get_bit(self.bit1.val().index())
                ^ self.sym_r[i].q.val().get_bit(self.bit0.val().index());
            self.em.next = self.mb.val() ^ (self.w.val() & self.tapmask.val()).xor();
            if self.mb.val() {
                self.w.next = (self.w.val() << self.sh1.val()) | self.one13.val();
            } else {
                self.w.next = self.w.val() << self.sh1.val();
            }
            self.el.next = self.lb.val() ^ (self.w.val() & self.tapmask.val()).xor();
            if self.lb.val() {
                self.w.next = (self.w.val() << self.sh1.val()) | self.one13.val();
            } else {
                self.w.next = self.w.val() << self.sh1.val();
            }
            self.fi.next = self.fill6.val() + self.lane_k[i].val();
            self.ck.next = self.val_r.q.val() && (self.fi.val() >= self.fill_max6.val());
            self.chk[i].d.next = self.ck.val();
            self.emis[i].d.next = self.pair[0].val();
            if self.ck.val() {
                if self.em.val() && self.el.val() {
                    self.emis[i].d.next = self.pair[3].val();
                } else if self.em.val() {
                    self.emis[i].d.next = self.pair[2].val();
                } else if self.el.val() {
                    self.emis[i].d.next = self.pair[1].val();
                }
            }
        }
        self.hist.d.next = self.w.val();
        self.fsum.next = self.fill6.val() + self.lanes_k.val();
        self.fill_n.next = self.zero3.val();
        if self.val_r.q.val() {
            if self.fsum.val() >= self.fill_max6.val() {
                self.fill_n.next = self.fill_max.val();
            } else {
                self.fill_n.next = self.fsum.val().get_bits::<3>(self.zero_idx6.val().index());
            }
        }
        self.fill.d.next = self.fill_n.val();
        self.synced_r.d.next = self.fill_n.val() == self.fill_max.val();

        // stage 3a: per-group sums (running along the lanes, restarted at a group's first
        // lane, registered at its last); 3b: the clock's sums of the group registers
        self.sb.next = self.zero6.val();
        self.ss.next = self.zero6.val();
        self.sn.next = self.zero6.val();
        self.tb.next = self.zero6.val();
        self.ts.next = self.zero6.val();
        self.tn.next = self.zero6.val();
        for i in 0..self.sym_r.len() {
            self.gb[i].clock.next = self.clock.val();
            self.gs[i].clock.next = self.clock.val();
            self.gn[i].clock.next = self.clock.val();
            self.tb.next = self.tb.val() + self.gb[i].q.val();
            self.ts.next = self.ts.val() + self.gs[i].q.val();
            self.tn.next = self.tn.val() + self.gn[i].q.val();
            if self.gfirst[i].val() {
                self.sb.next = self.zero6.val();
                self.ss.next = self.zero6.val();
                self.sn.next = self.zero6.val();
            }
            if self.emis[i].q.val() == self.pair[3].val() {
                self.sb.next = self.sb.val() + self.two6.val();
            } else if self.emis[i].q.val().any() {
                self.sb.next = self.sb.val() + self.one6.val();
            }
            if self.emis[i].q.val().any() {
                self.ss.next = self.ss.val() + self.one6.val();
            }
            if self.chk[i].q.val() {
                self.sn.next = self.sn.val() + self.one6.val();
            }
            self.gb[i].d.next = self.zero6.val();
            self.gs[i].d.next = self.zero6.val();
            self.gn[i].d.next = self.zero6.val();
            if self.glast[i].val() {
                self.gb[i].d.next = self.sb.val();
                self.gs[i].d.next = self.ss.val();
                self.gn[i].d.next = self.sn.val();
            }
            if self.rst.val() {
                self.gb[i].d.next = self.zero6.val();
                self.gs[i].d.next = self.zero6.val();
                self.gn[i].d.next = self.zero6.val();
            }
        }
        self.inc_b.d.next = self.tb.val();
        self.inc_s.d.next = self.ts.val();
        self.inc_n.d.next = self.tn.val();

        // stage 4: saturating 32-bit counters (33-bit sum, all ones on carry out)
        self.s33b.next =
            bit_cast::<33, 32>(self.cnt_b.q.val()) + bit_cast::<33, 6>(self.inc_b.q.val());
        self.s33s.next =
            bit_cast::<33, 32>(self.cnt_s.q.val()) + bit_cast::<33, 6>(self.inc_s.q.val());
        self.s33n.next =
            bit_cast::<33, 32>(self.cnt_n.q.val()) + bit_cast::<33, 6>(self.inc_n.q.val());
        self.cnt_b.d.next = self.s33b.val().get_bits::<32>(self.low32.val().index());
        if self.s33b.val().get_bit(self.carry.val().index()) {
            self.cnt_b.d.next = self.ones32.val();
        }
        self.cnt_s.d.next = self.s33s.val().get_bits::<32>(self.low32.val().index());
        if self.s33s.val().get_bit(self.carry.val().index()) {
            self.cnt_s.d.next = self.ones32.val();
        }
        self.cnt_n.d.next = self.s33n.val().get_bits::<32>(self.low32.val().index());
        if self.s33n.val().get_bit(self.carry.val().index()) {
            self.cnt_n.d.next = self.ones32.val();
        }

        if self.rst.val() {
            for i in 0..self.sym_r.len() {
                self.sym_r[i].d.next = self.pair[0].val();
                self.emis[i].d.next = self.pair[0].val();
                self.chk[i].d.next = false;
            }
            self.val_r.d.next = false;
            self.hist.d.next = self.zero13.val();
            self.fill.d.next = self.zero3.val();
            self.synced_r.d.next = false;
            self.inc_b.d.next = self.zero6.val();
            self.inc_s.d.next = self.zero6.val();
            self.inc_n.d.next = self.zero6.val();
            self.cnt_b.d.next = self.zero32.val();
            self.cnt_s.d.next = self.zero32.val();
            self.cnt_n.d.next = self.zero32.val();
        }
        self.bit_errs.next = self.cnt_b.q.val();
        self.sym_errs.next = self.cnt_s.q.val();
        self.symbols.next = self.cnt_n.q.val();
        self.synced.next = self.synced_r.q.val();
    }
}
