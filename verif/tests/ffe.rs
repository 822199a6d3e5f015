//! The FFE alone (hdl/src/ffe.rs), exported on its own ports (`rst`, `cfg_*`, `adc$j` in,
//! `y$j` out): the cycle model (`cporx_model::FfeModel`), rust-hdl's simulator and
//! Verilator agree on every output every cycle, reset cycles and power-up included.
//!
//! * `ffe_model_rust_hdl_and_verilator_agree`: proptest over a pool of exported FFEs
//!   (lane counts 1, 2, 4, 8, 16; tap counts 2 ..= 16, both ends in), random reset
//!   coefficients, ADC streams weighted toward -32 and 31 (runs, full-scale swings),
//!   coefficient writes at -128 and 127 in the middle of the stream (single taps and
//!   every tap in a burst), writes to other addresses (ignored), mid-stream resets, and
//!   cases from power-up. `CPORX_FFE_CASES` cases (default 160); every case goes through
//!   Verilator in full and through rust-hdl for its first `RUST_HDL_CYCLES` cycles.
//! * `ffe_extremes_agree_and_saturate`: deterministic: every coefficient at -128 and at
//!   127 against samples held at -32 and 31, swinging between them, with mid-stream
//!   writes flipping the coefficients; every lane must reach both output bounds.
//! * `ffe_impulse_latency_is_lat_ffe`: an ADC impulse on every lane of every pool design,
//!   against the same run without it, on Verilator: the outputs that change must be
//!   exactly lane (j + k) mod P after cycle c + floor((j + k) / P) + LAT_FFE - 1 for tap
//!   k (docs/numerics.md, "Latency and cycle convention"), so the first change measures
//!   LAT_FFE.
//! * `ffe_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::ffe::Ffe;
use cporx_model::FfeModel;
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, OnceLock};

/// rust-hdl's simulator runs the first this-many cycles of each case (it is ~1000x slower
/// than Verilator on the 16-lane FFEs).
const RUST_HDL_CYCLES: usize = 300;
/// Slots 0..=3 are the control inputs; lane j's ADC code is slot ADC0 + j.
const ADC0: usize = 4;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.extend(lane_ports(&[("adc", ADC_BITS)], p.lanes));
    v
}

fn outputs(p: &RxParams) -> PortList {
    lane_ports(&[("y", Y_BITS)], p.lanes)
}

impl SlotBlock for Ffe {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        for (j, a) in self.adc.iter_mut().enumerate() {
            a.next = pat(s[ADC0 + j]);
        }
    }
    fn read(&self) -> Slots {
        self.y.iter().map(|y| y.val().index() as u64).collect()
    }
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = FfeModel::new(p).unwrap();
    stim.iter()
        .map(|s| {
            let mut i = rx_in_of(s);
            for j in 0..p.lanes {
                i.adc[j] = sx(s[ADC0 + j], ADC_BITS);
            }
            m.step(&i);
            (0..p.lanes)
                .map(|j| to_raw(m.y_code(j), Y_BITS) as u64)
                .collect()
        })
        .collect()
}

/// One cycle: control fields and the P lanes' ADC codes.
fn cycle(rst: bool, we: bool, addr: u32, data: i32, adc: &[i32]) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.extend(adc.iter().map(|&a| to_raw(a, ADC_BITS) as u64));
    s
}

/// The exported FFEs: lane counts 1 .. 16 and tap counts 2 .. 16 (both ends of each),
/// taps fewer and more than lanes, random reset coefficients (fixed seed: cached builds).
fn pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xFFE0);
    [
        (1, MIN_TAPS),
        (1, MAX_TAPS),
        (2, 7),
        (4, 16),
        (8, 3),
        (16, MIN_TAPS),
    ]
    .iter()
    .map(|&(lanes, n)| {
        let mut p = cporx_verif::strategy::random_params(&mut rng, n, lanes);
        // one extreme coefficient of each sign in every reset bank
        p.reset_coefs[0] = -128;
        p.reset_coefs[n - 1] = 127;
        p
    })
    .collect()
}

/// A code of `bits` bits weighted toward its extremes.
fn weighted(rng: &mut impl Rng, nbits: usize) -> i32 {
    let (lo, hi) = signed_range(nbits);
    match rng.gen_range(0..10) {
        0 | 1 => lo,
        2 | 3 => hi,
        4 => 0,
        _ => rng.gen_range(lo..=hi),
    }
}

/// One stretch of the ADC stream, in cycles (P samples each).
#[derive(Clone, Debug)]
enum Seg {
    /// random codes weighted toward -32 and 31 (seeded)
    Random(u64, usize),
    /// one code held on every lane
    Hold(i32, usize),
    /// the serial stream alternating 31, -32 (lanes disagree at P > 1)
    Swing(usize),
}

/// A control event at a cycle fraction (0..1000) of the stream.
#[derive(Clone, Debug)]
enum Ctl {
    /// one write: address (any of the 32), data code
    Write(u16, u32, i32),
    /// every tap written with this code, one tap per cycle
    Burst(u16, i32),
    Reset(u16),
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// coefficients loaded over the bus after the reset (None: keep the reset bank)
    load: Option<Vec<i32>>,
    segs: Vec<Seg>,
    ctl: Vec<Ctl>,
}

fn coef_code() -> impl Strategy<Value = i32> {
    prop_oneof![3 => Just(-128), 3 => Just(127), 1 => Just(0), 4 => -128i32..=127]
}

fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    let seg = prop_oneof![
        3 => (any::<u64>(), 1usize..120).prop_map(|(s, n)| Seg::Random(s, n)),
        2 => (prop_oneof![Just(-32), Just(31), Just(0), -32i32..=31], 1usize..60)
            .prop_map(|(v, n)| Seg::Hold(v, n)),
        1 => (1usize..60).prop_map(Seg::Swing),
    ];
    let ctl = prop_oneof![
        4 => (0u16..1000, prop_oneof![3 => 0u32..16, 1 => 0u32..32], coef_code())
            .prop_map(|(f, a, d)| Ctl::Write(f, a, d)),
        2 => (0u16..1000, prop_oneof![Just(-128), Just(127), -128i32..=127])
            .prop_map(|(f, d)| Ctl::Burst(f, d)),
        1 => (0u16..1000).prop_map(Ctl::Reset),
    ];
    (
        0..pool_len,
        prop_oneof![5 => Just(false), 1 => Just(true)],
        prop::option::weighted(0.7, prop::collection::vec(coef_code(), MAX_TAPS)),
        prop::collection::vec(seg, 1..8),
        prop::collection::vec(ctl, 0..8),
    )
        .prop_map(|(pool_index, power_up, load, segs, ctl)| Case {
            pool_index,
            power_up,
            load,
            segs,
            ctl,
        })
}

impl Case {
    fn stimulus(&self, p: &RxParams) -> Vec<Slots> {
        let lanes = p.lanes;
        // the ADC blocks, one per cycle
        let mut blocks: Vec<Vec<i32>> = vec![];
        for s in &self.segs {
            match *s {
                Seg::Random(seed, n) => {
                    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                    for _ in 0..n {
                        blocks.push((0..lanes).map(|_| weighted(&mut rng, ADC_BITS)).collect());
                    }
                }
                Seg::Hold(v, n) => blocks.extend(std::iter::repeat(vec![v; lanes]).take(n)),
                Seg::Swing(n) => {
                    for c in 0..n {
                        blocks.push(
                            (0..lanes)
                                .map(|j| if (c * lanes + j) % 2 == 0 { 31 } else { -32 })
                                .collect(),
                        );
                    }
                }
            }
        }
        let mut stim = vec![];
        if !self.power_up {
            stim.push(cycle(true, false, 0, 0, &blocks[0]));
        }
        if let Some(c) = &self.load {
            for (k, &d) in c[..p.n_taps].iter().enumerate() {
                stim.push(cycle(
                    false,
                    true,
                    CFG_COEF_BASE + k as u32,
                    d,
                    &blocks[k % blocks.len()],
                ));
            }
        }
        let n = blocks.len();
        let at = |f: u16| f as usize * n / 1000;
        // pending writes: (cycle, addr, data), a burst spread over consecutive cycles
        let mut writes: Vec<(usize, u32, i32)> = vec![];
        let mut resets = vec![];
        for c in &self.ctl {
            match *c {
                Ctl::Write(f, a, d) => writes.push((at(f), a, d)),
                Ctl::Burst(f, d) => {
                    for k in 0..p.n_taps {
                        writes.push((at(f) + k, CFG_COEF_BASE + k as u32, d));
                    }
                }
                Ctl::Reset(f) => resets.push(at(f)),
            }
        }
        for (c, b) in blocks.iter().enumerate() {
            let w = writes.iter().find(|w| w.0 == c);
            let (we, a, d) = w.map_or((false, 0, 0), |w| (true, w.1, w.2));
            stim.push(cycle(resets.contains(&c), we, a, d, b));
        }
        stim
    }
}

/// The pool's Verilator builds, once per test binary (the tests share them).
fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        // one Verilator build for the whole pool
        let designs: Vec<(String, PortList, PortList)> = pool()
            .iter()
            .map(|p| {
                (
                    cporx_hdl::export::ffe_verilog(p).unwrap(),
                    inputs(p),
                    outputs(p),
                )
            })
            .collect();
        verilate_group(&designs)
            .into_iter()
            .map(Mutex::new)
            .collect()
    })
}

#[test]
fn ffe_model_rust_hdl_and_verilator_agree() {
    let t0 = std::time::Instant::now();
    let pool = pool();
    let sims = sims();
    let built = t0.elapsed();
    let n_cases = cases("CPORX_FFE_CASES", 160);
    let stats = std::cell::Cell::new((0usize, 0usize, 0usize, 0usize));
    let mut runner = TestRunner::new(Config {
        cases: n_cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/regressions/ffe.txt",
        ))),
        max_shrink_iters: 1000,
        ..Config::default()
    });
    let result = runner.run(&case(pool.len()), |c| {
        let p = &pool[c.pool_index];
        let stim = c.stimulus(p);
        let outs = outputs(p);
        let fail = |m: String| {
            TestCaseError::fail(format!(
                "pool[{}] lanes={} n_taps={}{}: {m}",
                c.pool_index,
                p.lanes,
                p.n_taps,
                if c.power_up { ", from power-up" } else { "" }
            ))
        };
        let model = run_model(p, &stim);
        let vl = sims[c.pool_index]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&stim)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare(&outs, &model, &vl, "verilator").map_err(fail)?;
        let n = stim.len().min(RUST_HDL_CYCLES);
        let rh = run_rust_hdl(Ffe::new(p).unwrap(), &stim[..n]);
        compare(&outs, &model[..n], &rh, "rust-hdl").map_err(fail)?;
        let (a, b, d, e) = stats.get();
        let sat = model
            .iter()
            .flatten()
            .filter(|&&y| y == to_raw(Y_MAX, Y_BITS) as u64 || y == to_raw(Y_MIN, Y_BITS) as u64)
            .count();
        stats.set((a + 1, b + stim.len(), d + n, e + sat));
        Ok(())
    });
    let (k, vc, rc, sat) = stats.get();
    println!(
        "ffe: {k} cases over {} designs ((lanes, n_taps) {:?}): Verilator and model {vc} cycles, rust-hdl {rc} cycles, {sat} saturated outputs; builds {:.1} s, total {:.1} s",
        pool.len(),
        pool.iter().map(|p| (p.lanes, p.n_taps)).collect::<Vec<_>>(),
        built.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("ffe equivalence failed: {e}");
    }
    assert!(k >= n_cases as usize && sat > 0);
}

#[test]
fn ffe_extremes_agree_and_saturate() {
    let pool = pool();
    let sims = sims();
    for (p, vl) in pool.iter().zip(sims) {
        let lanes = p.lanes;
        let mut stim = vec![cycle(true, false, 0, 0, &vec![0; lanes])];
        let write_all = |stim: &mut Vec<Slots>, c: i32, x: i32| {
            for k in 0..p.n_taps {
                stim.push(cycle(
                    false,
                    true,
                    CFG_COEF_BASE + k as u32,
                    c,
                    &vec![x; lanes],
                ));
            }
        };
        let alt: Vec<i32> = (0..lanes)
            .map(|j| if j % 2 == 0 { 31 } else { -32 })
            .collect();
        for coef in [-128, 127] {
            write_all(&mut stim, coef, 0);
            for x in [31, -32, 31, 0, -32] {
                stim.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![x; lanes])).take(12));
            }
            stim.extend(std::iter::repeat(cycle(false, false, 0, 0, &alt)).take(12));
            // the coefficients flip sign while the samples stay at full scale
            write_all(&mut stim, -1 - coef, 31);
            stim.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![31; lanes])).take(12));
            write_all(&mut stim, coef, -32);
            stim.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![-32; lanes])).take(12));
        }
        // alternating coefficient signs against an alternating stream: the largest |sum|
        for k in 0..p.n_taps {
            let c = if k % 2 == 0 { 127 } else { -128 };
            stim.push(cycle(false, true, CFG_COEF_BASE + k as u32, c, &alt));
        }
        stim.extend(std::iter::repeat(cycle(false, false, 0, 0, &alt)).take(12));
        let model = run_model(p, &stim);
        for j in 0..lanes {
            let ys: Vec<i32> = model.iter().map(|o| sx(o[j], Y_BITS)).collect();
            assert!(
                ys.contains(&Y_MAX) && ys.contains(&Y_MIN),
                "lanes={lanes} n_taps={} lane {j}: both bounds: {ys:?}",
                p.n_taps
            );
        }
        let outs = outputs(p);
        compare(
            &outs,
            &model,
            &vl.lock()
                .unwrap_or_else(|e| e.into_inner())
                .run(&stim)
                .unwrap(),
            "verilator",
        )
        .unwrap();
        compare(
            &outs,
            &model,
            &run_rust_hdl(Ffe::new(p).unwrap(), &stim),
            "rust-hdl",
        )
        .unwrap();
    }
}

#[test]
fn ffe_impulse_latency_is_lat_ffe() {
    let pool = pool();
    let sims = sims();
    let mut measured = vec![];
    for (p, vl) in pool.iter().zip(sims) {
        let (lanes, n) = (p.lanes, p.n_taps);
        // every tap 1.0: tap k of the impulse is y = 2 * x (Q7.1) on its own output
        let mut base = vec![cycle(true, false, 0, 0, &vec![0; lanes])];
        for k in 0..n {
            base.push(cycle(
                false,
                true,
                CFG_COEF_BASE + k as u32,
                64,
                &vec![0; lanes],
            ));
        }
        base.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![0; lanes])).take(8));
        let at = base.len();
        base.extend(
            std::iter::repeat(cycle(false, false, 0, 0, &vec![0; lanes])).take(LAT_FFE + n + 4),
        );
        let quiet = vl
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&base)
            .unwrap();
        for j in 0..lanes {
            for x in [31, -32] {
                let mut stim = base.clone();
                stim[at][ADC0 + j] = to_raw(x, ADC_BITS) as u64;
                let got = vl
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .run(&stim)
                    .unwrap();
                let mut want: Vec<(usize, usize)> = (0..n)
                    .map(|k| (at + (j + k) / lanes + LAT_FFE - 1, (j + k) % lanes))
                    .collect();
                want.sort();
                let d = differences(&quiet, &got);
                assert_eq!(d, want, "lanes={lanes} n_taps={n} impulse {x} on lane {j}");
                for &(c, l) in &d {
                    assert_eq!(sx(got[c][l], Y_BITS), 2 * x, "tap output value");
                }
                let lat = latency(at, d[0].0);
                assert_eq!(lat, LAT_FFE, "lanes={lanes} n_taps={n} lane {j}");
                measured.push(lat);
                // the model agrees on the impulse run
                assert_eq!(run_model(p, &stim), got);
            }
        }
    }
    println!(
        "ffe: impulse latency {} cycles on all {} impulses (LAT_FFE = {LAT_FFE})",
        measured[0],
        measured.len()
    );
}

#[test]
fn ffe_exports_lint_clean() {
    for p in pool() {
        lint(
            &format!("ffe_p{}_n{}", p.lanes, p.n_taps),
            &cporx_hdl::export::ffe_verilog(&p).unwrap(),
        );
    }
    // and at the largest legal design
    let p = RxParams::with_taps(MAX_TAPS, 0)
        .unwrap()
        .with_lanes(MAX_LANES)
        .unwrap();
    lint("ffe_p16_n16", &cporx_hdl::export::ffe_verilog(&p).unwrap());
}
