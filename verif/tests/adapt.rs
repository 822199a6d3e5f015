//! The receive top with the adaptation built (`RxParams::adapt`: hdl/src/adapt.rs, the
//! LMS and the slicer levels): the model, rust-hdl's simulator and Verilator agree on
//! every output every cycle while both loops adapt, on ADC streams recorded from closed
//! loops on the built-in channels (the loops then have something to converge to), with
//! the adaptation registers rewritten mid-stream; and the loops do move the taps and
//! levels (a run whose outputs equal the non-adapting run's would prove nothing).
//! The random-parameter pool (verif/tests/equivalence.rs) covers random streams, register
//! values, resets and power-up on adaptive designs too.

use cporx_cosim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::strategy::{param_pool, recorded_adc};
use cporx_verif::{compare, run_model, run_rust_hdl};

/// A design with the default adaptation (for the lint test).
fn design(lanes: usize, n_taps: usize) -> RxParams {
    let mut p = RxParams::with_taps(n_taps, 1)
        .unwrap()
        .with_lanes(lanes)
        .unwrap();
    p.adapt = Some(AdaptParams::default());
    p.validate().unwrap();
    p
}

/// Reset, then over the bus: pass-through taps (main at tap 1), the default levels and
/// CDR registers, both loops on (the default steps, the main tap held); then the recorded stream
/// P samples a clock, with step and freeze rewrites.
fn stimulus(p: &RxParams, adc: &[i32]) -> Vec<RxIn> {
    let mut s = vec![RxIn::reset()];
    let d = RxParams::with_taps(p.n_taps, 1).unwrap();
    let ad = AdaptParams::default();
    for (a, v) in RxParams::cfg_writes(&d.reset_coefs, &d.thresholds, &d.targets)
        .into_iter()
        .chain(CdrParams::default().cfg_writes())
        .chain([
            (CFG_ADAPT, ad.ctrl() as i32),
            (CFG_ADAPT_MU, sext(ad.mu(), CFG_DATA_BITS)),
            (CFG_LMS_FREEZE, ad.freeze() as i32),
        ])
    {
        s.push(RxIn::write(a, v, 0));
    }
    let n = adc.len() / p.lanes;
    for k in 0..n {
        let mut i = RxIn::default();
        i.adc[..p.lanes].copy_from_slice(&adc[k * p.lanes..(k + 1) * p.lanes]);
        if k == n / 3 {
            // larger steps for a while
            (i.cfg_we, i.cfg_addr, i.cfg_data) = (true, CFG_ADAPT_MU, 0x22);
        }
        if k == n / 2 {
            // main tap free, post-cursor held
            (i.cfg_we, i.cfg_addr, i.cfg_data) = (true, CFG_LMS_FREEZE, 0x41);
        }
        s.push(i);
    }
    s
}

/// The pool's adaptive designs (built for tests/equivalence.rs too: one build each).
#[test]
fn adapting_top_model_rust_hdl_and_verilator_agree() {
    let pool: Vec<RxParams> = param_pool()
        .into_iter()
        .filter(|p| p.adapt.is_some())
        .collect();
    assert!(pool.len() >= 3, "the pool has adaptive designs");
    for (k, p) in pool.iter().enumerate() {
        let (lanes, n_taps, channel) = (p.lanes, p.n_taps, k);
        let adc = recorded_adc(channel, 100.0, 7, 20_000 * lanes.min(4));
        let stim = stimulus(p, &adc);
        let model = run_model(p, &stim);
        let v = cporx_hdl::export::rx_top_verilog(p).unwrap();
        let mut vl = VerilatedRx::build(&v, false).unwrap();
        compare(&model, &vl.run(&stim).unwrap(), "verilator")
            .unwrap_or_else(|m| panic!("P = {lanes}, N = {n_taps}: {m}"));
        let n = stim.len().min(1500);
        compare(&model[..n], &run_rust_hdl(p, &stim[..n]), "rust-hdl")
            .unwrap_or_else(|m| panic!("P = {lanes}, N = {n_taps}: {m}"));
        // the loops moved something: the same stream without adaptation differs
        let mut fixed = p.clone();
        fixed.adapt = None;
        assert_ne!(
            model,
            run_model(&fixed, &stim),
            "P = {lanes}: adaptation changed nothing"
        );
    }
}

#[test]
fn adapting_tops_lint_clean() {
    for (lanes, n_taps) in [(1, 2), (2, 16), (8, 3), (16, 16)] {
        let v = cporx_hdl::export::rx_top_verilog(&design(lanes, n_taps)).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/cporx-test/lint-adapt");
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join(format!("rx_adapt_p{lanes}_n{n_taps}.v"));
        std::fs::write(&f, v).unwrap();
        cporx_cosim::verilator::lint(&f)
            .unwrap_or_else(|e| panic!("P = {lanes}, N = {n_taps}: {e}"));
    }
}
