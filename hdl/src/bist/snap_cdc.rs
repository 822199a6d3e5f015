//! Snapshot clock-domain crossing: the checker's counters and the lock flag (fast domain,
//! `clock`) copied into the report domain (`clock_s`, slower) through a two-phase (toggle)
//! handshake, so that every bit the report domain registers comes from a register
//! that is stable while it is read.
//!
//! ```text
//! report domain: req (toggle) --2 FF--> fast domain: on a new req, hold <= inputs, ack <= req
//! fast domain:   ack          --2 FF--> report domain: when ack == req, out <= hold, req <= !req
//! ```
//!
//! `hold` changes only in the fast clock that sees a new `req`; the report domain reads it
//! only once the matching `ack` has come back through its synchronizer, and toggles `req`
//! in the same edge, so the next change of `hold` comes at least two fast clocks after that
//! read. Nothing but the two one-bit toggles crosses unsynchronized; the 97-bit `hold` ->
//! `out` path is a quasi-static transfer (the usual handshake CDC). The copy refreshes
//! continuously, one round trip (about 3 report clocks + 3 fast clocks) per copy.
//!
//! **Parameters**: none.
//!
//! **Ports**
//! * in  `clock` (fast), `bit_errs`, `sym_errs`, `symbols` (32 bits each), `lock`
//! * in  `clock_s` (report domain)
//! * out `bit_errs_s`, `sym_errs_s`, `symbols_s`, `lock_s`: registers in the `clock_s`
//!   domain, a copy of the inputs as they were one round trip ago or less
//!
//! **Formats**: the inputs' (unsigned 32-bit counters, one flag), unchanged.
//!
//! **Latency**: from an input change to the outputs at most two round trips: about
//! 6 `clock_s` + 6 `clock` edges.
//!
//! **Reset**: none (the handshake free-runs from power-up, every register 0; the copied
//! values follow the counters' own reset).
//!
//! See also: the board top `board.rs` (its only user), test `hdl/tests/bist_snap_cdc.rs`
//! (two unrelated clocks in rust-hdl's simulator: every copy equals an input value the
//! fast domain held, and the copy follows).

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct SnapCdc {
    pub clock: Signal<In, Clock>,
    pub clock_s: Signal<In, Clock>,
    pub bit_errs: Signal<In, Bits<32>>,
    pub sym_errs: Signal<In, Bits<32>>,
    pub symbols: Signal<In, Bits<32>>,
    pub lock: Signal<In, Bit>,
    pub bit_errs_s: Signal<Out, Bits<32>>,
    pub sym_errs_s: Signal<Out, Bits<32>>,
    pub symbols_s: Signal<Out, Bits<32>>,
    pub lock_s: Signal<Out, Bit>,
    // fast domain
    req1: DFF<Bit>,
    req2: DFF<Bit>,
    ack: DFF<Bit>,
    h_be: DFF<Bits<32>>,
    h_se: DFF<Bits<32>>,
    h_n: DFF<Bits<32>>,
    h_l: DFF<Bit>,
    // report domain
    req: DFF<Bit>,
    ack1: DFF<Bit>,
    ack2: DFF<Bit>,
    o_be: DFF<Bits<32>>,
    o_se: DFF<Bits<32>>,
    o_n: DFF<Bits<32>>,
    o_l: DFF<Bit>,
}

impl Logic for SnapCdc {
    #[hdl_gen]
    fn update(&mut self) {
        // fast domain
        self.req1.clock.next = self.clock.val();
        self.req2.clock.next = self.clock.val();
        self.ack.clock.next = self.clock.val();
        self.h_be.clock.next = self.clock.val();
        self.h_se.clock.next = self.clock.val();
        self.h_n.clock.next = self.clock.val();
        self.h_l.clock.next = self.clock.val();
        self.req1.d.next = self.req.q.val();
        self.req2.d.next = self.req1.q.val();
        self.ack.d.next = self.ack.q.val();
        self.h_be.d.next = self.h_be.q.val();
        self.h_se.d.next = self.h_se.q.val();
        self.h_n.d.next = self.h_n.q.val();
        self.h_l.d.next = self.h_l.q.val();
        if self.req2.q.val() != self.ack.q.val() {
            self.h_be.d.next = self.bit_errs.val();
            self.h_se.d.next = self.sym_errs.val();
            self.h_n.d.next = self.symbols.val();
            self.h_l.d.next = self.lock.val();
            self.ack.d.next = self.req2.q.val();
        }
        // report domain
        self.req.clock.next = self.clock_s.val();
        self.ack1.clock.next = self.clock_s.val();
        self.ack2.clock.next = self.clock_s.val();
        self.o_be.clock.next = self.clock_s.val();
        self.o_se.clock.next = self.clock_s.val();
        self.o_n.clock.next = self.clock_s.val();
        self.o_l.clock.next = self.clock_s.val();
        self.ack1.d.next = self.ack.q.val();
        self.ack2.d.next = self.ack1.q.val();
        self.req.d.next = self.req.q.val();
        self.o_be.d.next = self.o_be.q.val();
        self.o_se.d.next = self.o_se.q.val();
        self.o_n.d.next = self.o_n.q.val();
        self.o_l.d.next = self.o_l.q.val();
        if self.ack2.q.val() == self.req.q.val() {
            self.o_be.d.next = self.h_be.q.val();
            self.o_se.d.next = self.h_se.q.val();
            self.o_n.d.next = self.h_n.q.val();
            self.o_l.d.next = self.h_l.q.val();
            self.req.d.next = !self.req.q.val();
        }
        self.bit_errs_s.next = self.o_be.q.val();
        self.sym_errs_s.next = self.o_se.q.val();
        self.symbols_s.next = self.o_n.q.val();
        self.lock_s.next = self.o_l.q.val();
    }
}
