//! Tests of the snapshot clock-domain crossing (hdl/src/bist/snap_cdc.rs) in rust-hdl's
//! simulator with two unrelated clocks (periods 3 and 11 or 7 and 5 time steps, so every
//! phase relation occurs): the fast domain's counters change every fast edge, with all
//! four values tied to one count so that a torn copy (fields from different fast
//! cycles) shows; every copy the slow domain holds is one whole fast-domain state, copies
//! never go back, and they follow the input within a bounded lag (two handshake round
//! trips); the copy is refreshed all along. A Verilator `-Wall` lint of the block.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, SnapCdc};
use rust_hdl::prelude::*;

/// The four inputs of fast count `n` (all different functions of n).
fn fields(n: u64) -> (u64, u64, u64, bool) {
    (
        n & 0xffff_ffff,
        (n * 3 + 7) & 0xffff_ffff,
        (n ^ 0x5a5a_5a5a) & 0xffff_ffff,
        n % 3 == 1,
    )
}

/// Run `steps` time steps with the fast clock's period `pf` and the slow one's `ps` (time
/// steps, even, each a half high); returns (fast edges seen, slow-domain copies: (fast
/// count at the slow edge, the copy's count)).
fn run(pf: usize, ps: usize, steps: usize) -> (u64, Vec<(u64, u64)>) {
    let mut t = SnapCdc::default();
    t.connect_all();
    let mut n = 0u64; // the fast domain's count (what the inputs show)
    let mut copies = vec![];
    let (mut fast_hi, mut slow_hi) = (false, false);
    for step in 0..steps {
        let f = (step % pf) < pf / 2;
        let s = (step % ps) < ps / 2;
        let fast_rise = f && !fast_hi;
        let slow_rise = s && !slow_hi;
        (fast_hi, slow_hi) = (f, s);
        t.clock.next = Clock { clk: f };
        t.clock_s.next = Clock { clk: s };
        assert!(simulate(&mut t, 1000), "settles");
        if fast_rise {
            // a new input value after each fast edge (as a counter register would)
            n += 1;
            let (be, se, sy, l) = fields(n);
            t.bit_errs.next = common::bits::<32>(be);
            t.sym_errs.next = common::bits::<32>(se);
            t.symbols.next = common::bits::<32>(sy);
            t.lock.next = l;
            assert!(simulate(&mut t, 1000), "settles");
        }
        if slow_rise {
            let got = (
                t.bit_errs_s.val().index() as u64,
                t.sym_errs_s.val().index() as u64,
                t.symbols_s.val().index() as u64,
                t.lock_s.val(),
            );
            let m = got.0;
            // power-up zeros until the first copy lands
            if got != (0, 0, 0, false) {
                assert_eq!(got, fields(m), "torn copy at step {step}: {got:?}");
            }
            copies.push((n, m));
        }
    }
    (n, copies)
}

#[test]
fn copies_are_whole_monotonic_and_follow() {
    for (pf, ps) in [(4, 12), (6, 22), (14, 10), (2, 18)] {
        let (n, copies) = run(pf, ps, 20_000);
        assert!(n > 500, "{n}");
        let mut last = 0;
        let mut distinct = 0;
        // the lag bound: two round trips, each 2 + 1 slow edges and 2 + 1 fast edges,
        // in fast edges: 2 * 3 * (1 + ps / pf) + a margin of 4
        let bound = (2 * 3 * (1 + ps.div_ceil(pf)) + 4) as u64;
        for (k, &(now, m)) in copies.iter().enumerate() {
            assert!(
                m >= last,
                "({pf}, {ps}) copy {k} went back: {m} after {last}"
            );
            if m != last {
                distinct += 1;
            }
            last = m;
            if k > 20 {
                assert!(
                    m > 0 && now - m <= bound,
                    "({pf}, {ps}) copy {k}: {m} lags {now} by more than {bound}"
                );
            }
        }
        // refreshed all along: a new copy every few slow edges
        assert!(
            distinct * 8 > copies.len(),
            "({pf}, {ps}): {distinct} of {}",
            copies.len()
        );
    }
}

#[test]
fn lint_clean() {
    lint("snap_cdc", verilog_of(SnapCdc::default()));
}
