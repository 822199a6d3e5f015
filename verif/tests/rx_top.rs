//! The receive top (hdl/src/rx_top.rs) as a block: its latencies measured on the RTL, and
//! the top exported on its own named ports through the generic block harness. The top's
//! property-based equivalence (model vs rust-hdl vs Verilator over the pool of exported
//! designs, power-up cases included) is the top-level pool in equivalence.rs; the blocks'
//! own extremes are in ffe.rs, slicer.rs and cdr.rs.
//!
//! * `rx_top_impulse_latency_matches_the_spec`: an ADC impulse on every lane of a top at
//!   every lane count, against the same run without it, on Verilator: `y` first changes
//!   LAT_FFE - 1 cycles after the impulse's cycle, `symbol`/`gray`/`err` LAT_TOP - 1
//!   cycles after it (on the impulse's lane only), and the PI code LAT_TOP + LAT_CDR - 1
//!   cycles after it (docs/numerics.md, "Latency and cycle convention").
//! * `rx_top_on_named_ports_agrees_with_the_packed_harness_and_the_model`: the top built
//!   with cporx_cosim::verilator_block (every port by name) and with the packed-word
//!   harness (cporx_cosim::verilator) give the same outputs as the model and rust-hdl on
//!   random cases of the equivalence strategy.

mod common;

use common::*;
use cporx_cosim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::strategy::{case, param_pool};
use cporx_verif::{run_model, run_rust_hdl};

/// One pool design per lane count (the pool's Verilator builds are shared with
/// equivalence.rs: same Verilog, same harness, same cache entry).
fn one_per_lane_count() -> Vec<RxParams> {
    let pool = param_pool();
    LEGAL_LANES
        .iter()
        .map(|&l| {
            pool.iter()
                .find(|p| p.lanes == l)
                .unwrap_or_else(|| panic!("the pool has a {l}-lane design"))
                .clone()
        })
        .collect()
}

/// Which outputs of two runs differ first: (y, decision, phase) cycles, per lane for the
/// first two.
struct FirstChange {
    y: Vec<Option<usize>>,
    decision: Vec<Option<usize>>,
    phase: Option<usize>,
}

fn first_change(a: &[RxOut], b: &[RxOut], lanes: usize) -> FirstChange {
    let find = |f: &dyn Fn(&RxOut) -> (i32, u8, u8, i32, u8)| {
        a.iter().zip(b).position(|(x, y)| f(x) != f(y))
    };
    FirstChange {
        y: (0..lanes)
            .map(|j| find(&|o: &RxOut| (o.lane[j].y, 0, 0, 0, 0)))
            .collect(),
        decision: (0..lanes)
            .map(|j| find(&|o: &RxOut| (0, o.lane[j].symbol, o.lane[j].gray, o.lane[j].err, 0)))
            .collect(),
        phase: find(&|o: &RxOut| (0, 0, 0, 0, o.phase)),
    }
}

#[test]
fn rx_top_impulse_latency_matches_the_spec() {
    let mut seen = std::collections::BTreeSet::new();
    for p in one_per_lane_count() {
        let lanes = p.lanes;
        let v = cporx_hdl::export::rx_top_verilog(&p).unwrap();
        let mut vl = VerilatedRx::build(&v, false).unwrap_or_else(|e| panic!("{e}"));
        // tap 0 at 1.0, the others 0 (no extra delay from a later main cursor); default
        // levels; kp = 15 so that one decision moves the PI code; loop on, no integral
        // path, no kick
        let mut coefs = vec![0; p.n_taps];
        coefs[0] = 64;
        let mut base = vec![RxIn::reset()];
        for (a, d) in RxParams::cfg_writes(&coefs, &[-32, 0, 32], &[-48, -16, 16, 48])
            .into_iter()
            .chain([(CFG_KP, 15), (CFG_CDR_CTRL, 1), (CFG_PHASE, 64)])
        {
            base.push(RxIn::write(a, d, 0));
        }
        base.extend(std::iter::repeat(RxIn::default()).take(12));
        let at = base.len();
        base.extend(std::iter::repeat(RxIn::default()).take(LAT_TOP + LAT_CDR + 8));
        let quiet = vl.run(&base).unwrap();
        assert_eq!(run_model(&p, &base), quiet);
        for j in 0..lanes {
            let mut stim = base.clone();
            stim[at].adc[j] = 31;
            let got = vl.run(&stim).unwrap();
            let f = first_change(&quiet, &got, lanes);
            for l in 0..lanes {
                let (y, d) = if l == j {
                    (Some(at + LAT_FFE - 1), Some(at + LAT_TOP - 1))
                } else {
                    (None, None)
                };
                assert_eq!(
                    (f.y[l], f.decision[l]),
                    (y, d),
                    "lanes={lanes} impulse on lane {j}, lane {l}"
                );
            }
            seen.insert(("y", latency(at, f.y[j].unwrap())));
            seen.insert(("symbol", latency(at, f.decision[j].unwrap())));
            // y = 62 -> symbol 3, err 14 against the quiet y = 0 -> symbol 2, err -16: the
            // detector gives +62 for sample n and -62 for sample n + 1, which cancel when
            // both are in one clock; from the last lane, n + 1 is in the next clock
            if j == lanes - 1 {
                let ph = f.phase.expect("the PI code moves");
                assert_eq!(
                    latency(at, ph),
                    LAT_TOP + LAT_CDR,
                    "lanes={lanes}: phase code"
                );
                seen.insert(("phase", latency(at, ph)));
            }
            assert_eq!(run_model(&p, &stim), got);
        }
    }
    let want: std::collections::BTreeSet<_> = [
        ("y", LAT_FFE),
        ("symbol", LAT_TOP),
        ("phase", LAT_TOP + LAT_CDR),
    ]
    .into();
    assert_eq!(seen, want);
    println!("rx_top: measured latencies {seen:?} (LAT_FFE = {LAT_FFE}, LAT_TOP = {LAT_TOP}, LAT_TOP + LAT_CDR = {})", LAT_TOP + LAT_CDR);
}

#[test]
fn rx_top_on_named_ports_agrees_with_the_packed_harness_and_the_model() {
    use proptest::strategy::{Strategy, ValueTree};
    let pool = param_pool();
    // a 4-lane design: the FFE's taps cross the block boundary, the CDR sums lane groups
    let p = pool.iter().find(|p| p.lanes == 4).unwrap().clone();
    let lanes = p.lanes;
    let mut ins = ctrl_inputs();
    ins.extend(lane_ports(&[("adc", ADC_BITS)], lanes));
    let mut outs = lane_ports(
        &[("y", Y_BITS), ("symbol", 2), ("gray", 2), ("err", ERR_BITS)],
        lanes,
    );
    outs.extend([
        ("phase".into(), PI_BITS),
        ("lock".into(), 1),
        ("freq".into(), FREQ_BITS),
    ]);
    let v = cporx_hdl::export::rx_top_verilog(&p).unwrap();
    let mut named = verilate(&v, &ins, &outs);
    let mut packed = VerilatedRx::build(&v, false).unwrap();
    let slots_in = |i: &RxIn| {
        let mut s = ctrl_slots(i.rst, i.cfg_we, i.cfg_addr, i.cfg_data);
        s.extend((0..lanes).map(|j| to_raw(i.adc[j], ADC_BITS) as u64));
        s
    };
    let slots_out = |o: &RxOut| {
        let mut s: Slots = vec![];
        s.extend((0..lanes).map(|j| to_raw(o.lane[j].y, Y_BITS) as u64));
        s.extend((0..lanes).map(|j| o.lane[j].symbol as u64));
        s.extend((0..lanes).map(|j| o.lane[j].gray as u64));
        s.extend((0..lanes).map(|j| to_raw(o.lane[j].err, ERR_BITS) as u64));
        s.extend([
            o.phase as u64,
            o.lock as u64,
            to_raw(o.freq, FREQ_BITS) as u64,
        ]);
        s
    };
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut cycles = 0;
    for k in 0..12 {
        let c = case(1).new_tree(&mut runner).unwrap().current();
        let stim = c.stimulus(&p);
        cycles += stim.len();
        let model: Vec<Slots> = run_model(&p, &stim).iter().map(slots_out).collect();
        let s: Vec<Slots> = stim.iter().map(slots_in).collect();
        compare(
            &outs,
            &model,
            &named.run(&s).unwrap(),
            "verilator (named ports)",
        )
        .unwrap_or_else(|m| panic!("case {k}: {m}"));
        let pk: Vec<Slots> = packed.run(&stim).unwrap().iter().map(slots_out).collect();
        compare(&outs, &model, &pk, "verilator (packed)")
            .unwrap_or_else(|m| panic!("case {k}: {m}"));
        let n = stim.len().min(500);
        let rh: Vec<Slots> = run_rust_hdl(&p, &stim[..n]).iter().map(slots_out).collect();
        compare(&outs, &model[..n], &rh, "rust-hdl").unwrap_or_else(|m| panic!("case {k}: {m}"));
    }
    println!(
        "rx_top: 12 cases, {cycles} cycles, named-port and packed harnesses agree with the model"
    );
}
