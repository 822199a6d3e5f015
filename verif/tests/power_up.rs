//! Power-up before the first reset (docs/numerics.md, "Reset and power-up"): every
//! register, configuration registers included, is 0 before the first edge, and that
//! all-zero state means what the spec says: the lock detector's threshold and bound are 0
//! (a window of samples with |err| <= 0 locks), the loop is disabled (ctrl 0), the PI code
//! is 0, and lock window 0 starts at the first edge. The model, rust-hdl's simulator and
//! Verilator run from power-up with no reset and must agree on every output of every
//! cycle. (The equivalence strategy also draws cases without a leading reset; these are
//! the deterministic ones, including the one a model written from the spec alone found.)
//! A second test drives the CDR's lock and kick edges, which the spec states exactly, at
//! the receive top.

use cporx_cosim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::*;

/// Compare the model against Verilator over all of `stim` and against rust-hdl over its
/// first `rh` cycles; every run starts from power-up.
fn agree(p: &RxParams, vl: &mut VerilatedRx, stim: &[RxIn], rh: usize) -> Vec<RxOut> {
    let model = run_model(p, stim);
    if let Err(m) = compare(&model, &vl.run(stim).unwrap(), "verilator") {
        panic!("lanes={}: {m}", p.lanes);
    }
    let n = rh.min(stim.len());
    if let Err(m) = compare(&model[..n], &run_rust_hdl(p, &stim[..n]), "rust-hdl") {
        panic!("lanes={}: {m}", p.lanes);
    }
    model
}

fn lock_rises(out: &[RxOut]) -> Option<usize> {
    out.iter().position(|o| o.lock)
}

#[test]
fn power_up_without_reset_agrees() {
    for lanes in [1, 4] {
        let p = RxParams::default().with_lanes(lanes).unwrap();
        let v = cporx_hdl::export::rx_top_verilog(&p).unwrap();
        let mut vl = VerilatedRx::build(&v, false).unwrap();
        let win = (1 << LOCK_WIN_LOG2) / lanes;

        // (1) ADC 0, no reset, no write: every register stays 0 except the lock path. With
        // lock_thr = lock_max = 0 and every err 0 (coefficients, thresholds and targets
        // are 0: y = 0, symbol 3, err = 0 - 0), window 0 (edges 0 .. win-1, from the first
        // edge) has no bad sample: lock rises 2 cycles after its last clock.
        let stim = vec![RxIn::default(); 4000 / lanes];
        let out = agree(&p, &mut vl, &stim, 1200 / lanes);
        assert_eq!(
            lock_rises(&out),
            Some(win),
            "lanes={lanes}: lock from cycle {win}"
        );
        assert!(out[win..]
            .iter()
            .all(|o| o.lock && o.phase == 0 && o.freq == 0));

        // (2) The loop enabled from power-up (ctrl 7: enable, integral, kick) and a phase
        // load (which arms the kick) without a reset, then a stream: lock_thr and lock_max
        // keep their power-up 0. Any disagreement on the lock decisions shows in the
        // phase (a kick after 4 unlocked windows).
        let mut x = 0x1234_5678u32;
        let mut stim = vec![
            RxIn::write(CFG_CDR_CTRL, 7, 0),
            RxIn::write(CFG_KP, 13, 0),
            RxIn::write(CFG_PHASE, 40, 0),
        ];
        for k in 0..6000 / lanes {
            let mut adc = [0; MAX_LANES];
            for a in &mut adc[..lanes] {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                // zeros first (every err 0: lock), then random codes
                *a = if k < 1500 / lanes {
                    0
                } else {
                    ((x >> 26) as i32) - 32
                };
            }
            stim.push(RxIn::block(&adc));
        }
        // the coefficients, thresholds and targets written late (after the lock), still
        // without a reset, so the detector sees nonzero errors
        stim[1600 / lanes] = RxIn::write(CFG_COEF_BASE + 1, 64, 5);
        stim[1601 / lanes] = RxIn::write(CFG_TARGET_BASE + 3, 48, 5);
        let out = agree(&p, &mut vl, &stim, 1500 / lanes);
        assert_eq!(
            lock_rises(&out),
            Some(win),
            "lanes={lanes}: window 0 starts at the first edge"
        );

        // (3) Power-up, then a reset later: both agree before and after it.
        let mut stim = vec![RxIn::default(); 300];
        stim.push(RxIn::reset());
        stim.extend(std::iter::repeat(RxIn::sample(9)).take(700));
        agree(&p, &mut vl, &stim, 1000);
        println!(
            "power-up, {lanes} lane(s): model, Verilator and rust-hdl agree from power-up without reset (lock at cycle {win})"
        );
    }
}

/// The CDR's lock and kick edges (docs/numerics.md, "Lock detector and kick: timing"),
/// directed at the receive top after a reset: writes of `ctrl` and phase loads at the
/// decision edge, an edge before it and at the kick edge, and the loop disabled across a
/// kick. The model tests (`kick_timing_and_sampling`) pin the rules; here the model,
/// Verilator and rust-hdl must agree on them.
#[test]
fn lock_and_kick_edges_agree() {
    for lanes in [1, 4] {
        let p = RxParams::default().with_lanes(lanes).unwrap();
        let v = cporx_hdl::export::rx_top_verilog(&p).unwrap();
        let mut vl = VerilatedRx::build(&v, false).unwrap();
        let w = (1 << LOCK_WIN_LOG2) / lanes;
        // ADC 0 on every lane: y = 0, symbol 2, err = -16, |err| > lock_thr = 12 in every
        // sample: no window locks; ADC 8: y = 16 = L2, err 0: every window locks
        let cyc = |adc: i32, wr: Option<(u32, i32)>| {
            let mut i = RxIn::block(&[adc; MAX_LANES][..lanes]);
            if let Some((a, d)) = wr {
                (i.cfg_we, i.cfg_addr, i.cfg_data) = (true, a, d);
            }
            i
        };
        // stimulus: reset (edge -1), then edge e in cycle e + 1
        let run = |writes: &[(usize, u32, i32)], adc: &dyn Fn(usize) -> i32| {
            let mut s = vec![RxIn::reset()];
            for e in 0..9 * w {
                let wr = writes.iter().find(|x| x.0 == e).map(|x| (x.1, x.2));
                s.push(cyc(adc(e), wr));
            }
            s
        };
        let kick_edge = 4 * w + 1;
        let kicked = |out: &[RxOut], e: usize| out[e + 1].phase == (out[e].phase + 64) % 128;
        let zeros = |_: usize| 0;
        for (writes, kick) in [
            (vec![], true),
            (vec![(4 * w, CFG_CDR_CTRL, 3)], true),
            (vec![(4 * w - 1, CFG_CDR_CTRL, 3)], false),
            (
                vec![(4 * w, CFG_CDR_CTRL, 4), (4 * w + 9, CFG_CDR_CTRL, 7)],
                false,
            ),
            (vec![(kick_edge, CFG_PHASE, 9)], false),
            (vec![(3 * w, CFG_PHASE, 9)], true),
        ] {
            let stim = run(&writes, &zeros);
            let out = agree(&p, &mut vl, &stim, stim.len());
            assert!(out.iter().all(|o| !o.lock));
            assert_eq!(
                kicked(&out, kick_edge),
                kick,
                "lanes={lanes} writes {writes:?}"
            );
        }
        // lock in window 0 (lock_max 100 covers the bad samples while the pipeline fills
        // after the reset), a phase load at its decision edge (edge w), then no lock: the
        // load left the CDR acquiring, so the 4th unlocked window (decided at 5w) kicks;
        // without the load, lock ended acquisition and nothing kicks
        let lock_then_zeros = |e: usize| if e < w - 8 { 8 } else { 0 };
        let lmax = (0, CFG_LOCK_MAX, 100);
        for (writes, kick) in [(vec![lmax, (w, CFG_PHASE, 20)], true), (vec![lmax], false)] {
            let stim = run(&writes, &lock_then_zeros);
            let out = agree(&p, &mut vl, &stim, stim.len());
            assert!(out[w + 1].lock && !out[w].lock);
            assert_eq!(
                kicked(&out, 5 * w + 1),
                kick,
                "lanes={lanes} writes {writes:?}"
            );
        }
    }
}
