//! The PAM-4 slicer alone (hdl/src/slicer.rs), exported on its own ports (`rst`, `cfg_*`,
//! `y$j` in; `symbol$j`, `gray$j`, `err$j` out): the cycle model
//! (`cporx_model::SlicerModel`), rust-hdl's simulator and Verilator agree on every
//! output every cycle, reset cycles and power-up included.
//!
//! * `slicer_model_rust_hdl_and_verilator_agree`: proptest over one exported slicer per
//!   lane count (1, 2, 4, 8, 16; random reset levels): input streams over the whole Q7.1
//!   range weighted toward -128 and 127 and toward the thresholds and their neighbours
//!   (the decision edges), held runs, run-time writes of thresholds (unordered ones
//!   included: the priority rule must still hold) and targets at -128 / 127 (errors of
//!   +-255), writes to other addresses, mid-stream resets, cases from power-up.
//!   `CPORX_SLICER_CASES` cases (default 500), every case in full through all three.
//! * `slicer_extremes_agree`: deterministic: y at -128 and 127 against targets at the
//!   opposite extreme (err = -255 and +255), thresholds at both ends, every lane.
//! * `slicer_impulse_latency_is_lat_slicer`: a y impulse on every lane of every design,
//!   against the run without it, on Verilator: exactly that lane's `symbol`, `gray` and
//!   `err` change, LAT_SLICER - 1 cycles after the impulse's cycle.
//! * `slicer_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::slicer::Slicer;
use cporx_model::SlicerModel;
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, OnceLock};

/// Slots 0..=3 are the control inputs; lane j's y is slot Y0 + j.
const Y0: usize = 4;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.extend(lane_ports(&[("y", Y_BITS)], p.lanes));
    v
}

fn outputs(p: &RxParams) -> PortList {
    lane_ports(&[("symbol", 2), ("gray", 2), ("err", ERR_BITS)], p.lanes)
}

impl SlotBlock for Slicer {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        for (j, y) in self.y.iter_mut().enumerate() {
            y.next = pat(s[Y0 + j]);
        }
    }
    fn read(&self) -> Slots {
        let mut v: Slots = self.symbol.iter().map(|x| x.val().index() as u64).collect();
        v.extend(self.gray.iter().map(|x| x.val().index() as u64));
        v.extend(self.err.iter().map(|x| x.val().index() as u64));
        v
    }
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = SlicerModel::new(p).unwrap();
    let lanes = p.lanes;
    stim.iter()
        .map(|s| {
            let y: Vec<i32> = (0..lanes).map(|j| sx(s[Y0 + j], Y_BITS)).collect();
            m.step(&rx_in_of(s), &y);
            let mut v: Slots = m.symbol[..lanes].iter().map(|&x| x as u64).collect();
            v.extend(m.gray[..lanes].iter().map(|&x| x as u64));
            v.extend(m.err[..lanes].iter().map(|&e| to_raw(e, ERR_BITS) as u64));
            v
        })
        .collect()
}

fn cycle(rst: bool, we: bool, addr: u32, data: i32, y: &[i32]) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.extend(y.iter().map(|&v| to_raw(v, Y_BITS) as u64));
    s
}

/// One slicer per lane count, random legal reset levels (fixed seed: cached builds).
fn pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x511CE);
    LEGAL_LANES
        .iter()
        .map(|&lanes| cporx_verif::strategy::random_params(&mut rng, 3, lanes))
        .collect()
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        // one Verilator build for the whole pool
        let designs: Vec<(String, PortList, PortList)> = pool()
            .iter()
            .map(|p| {
                (
                    cporx_hdl::export::slicer_verilog(p).unwrap(),
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

/// A level code weighted toward the extremes.
fn level() -> impl Strategy<Value = i32> {
    prop_oneof![2 => Just(-128), 2 => Just(127), 1 => Just(0), 4 => -128i32..=127]
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// run-time thresholds and targets written after the reset (None: the reset values);
    /// thresholds not sorted: unordered sets are legal at run time
    load: Option<([i32; 3], [i32; 4])>,
    /// (seed, cycles) of random stretches, and (value, cycles) of held runs
    segs: Vec<(u64, usize, Option<i32>)>,
    /// (cycle fraction 0..1000, address, data) writes during the stream
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
}

fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    (
        0..pool_len,
        prop_oneof![5 => Just(false), 1 => Just(true)],
        prop::option::weighted(
            0.7,
            (
                prop::array::uniform3(level()),
                prop::array::uniform4(level()),
            ),
        ),
        prop::collection::vec(
            (
                any::<u64>(),
                1usize..150,
                prop::option::weighted(0.3, level()),
            ),
            1..6,
        ),
        prop::collection::vec(
            (
                0u16..1000,
                prop_oneof![
                    3 => CFG_THRESH_BASE..CFG_THRESH_BASE + 3,
                    3 => CFG_TARGET_BASE..CFG_TARGET_BASE + 4,
                    1 => 0u32..32,
                ],
                level(),
            ),
            0..8,
        ),
        prop::collection::vec(0u16..1000, 0..2),
    )
        .prop_map(|(pool_index, power_up, load, segs, writes, resets)| Case {
            pool_index,
            power_up,
            load,
            segs,
            writes,
            resets,
        })
}

impl Case {
    fn stimulus(&self, p: &RxParams) -> Vec<Slots> {
        let lanes = p.lanes;
        let mut stim = vec![];
        if !self.power_up {
            stim.push(cycle(true, false, 0, 0, &vec![0; lanes]));
        }
        // the thresholds in force while the stream runs (for drawing y near the edges)
        let mut thr = self.load.map_or(p.thresholds, |l| l.0);
        thr.sort();
        if let Some((t, g)) = self.load {
            let w = RxParams::cfg_writes(&[], &t, &g);
            for (a, d) in w {
                stim.push(cycle(false, true, a, d, &vec![0; lanes]));
            }
        }
        let mut blocks: Vec<Vec<i32>> = vec![];
        for &(seed, n, hold) in &self.segs {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            for _ in 0..n {
                blocks.push(
                    (0..lanes)
                        .map(|_| match hold {
                            Some(v) => v,
                            None => match rng.gen_range(0..8) {
                                0 => -128,
                                1 => 127,
                                // a threshold or one of its neighbours: the decision edge
                                2..=4 => (thr[rng.gen_range(0..3)] + rng.gen_range(-1..=1))
                                    .clamp(-128, 127),
                                _ => rng.gen_range(-128..=127),
                            },
                        })
                        .collect(),
                );
            }
        }
        let n = blocks.len();
        let at = |f: u16| f as usize * n / 1000;
        for (c, b) in blocks.iter().enumerate() {
            let w = self.writes.iter().find(|w| at(w.0) == c);
            let (we, a, d) = w.map_or((false, 0, 0), |w| (true, w.1, w.2));
            let rst = self.resets.iter().any(|&r| at(r) == c);
            stim.push(cycle(rst, we, a, d, b));
        }
        stim
    }
}

#[test]
fn slicer_model_rust_hdl_and_verilator_agree() {
    let t0 = std::time::Instant::now();
    let pool = pool();
    let sims = sims();
    let built = t0.elapsed();
    let n_cases = cases("CPORX_SLICER_CASES", 500);
    let stats = std::cell::Cell::new((0usize, 0usize, [0usize; 4]));
    let mut runner = TestRunner::new(Config {
        cases: n_cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/regressions/slicer.txt",
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
                "pool[{}] lanes={}{}: {m}",
                c.pool_index,
                p.lanes,
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
        let rh = run_rust_hdl(Slicer::new(p).unwrap(), &stim);
        compare(&outs, &model, &rh, "rust-hdl").map_err(fail)?;
        let (k, cy, mut sym) = stats.get();
        for o in &model {
            for s in &o[..p.lanes] {
                sym[*s as usize] += 1;
            }
        }
        stats.set((k + 1, cy + stim.len(), sym));
        Ok(())
    });
    let (k, cy, sym) = stats.get();
    println!(
        "slicer: {k} cases over {} designs (lanes {:?}), {cy} cycles through model, rust-hdl and Verilator; decisions per symbol {sym:?}; total {:.1} s (builds {:.1} s)",
        pool.len(),
        pool.iter().map(|p| p.lanes).collect::<Vec<_>>(),
        t0.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    if let Err(e) = result {
        panic!("slicer equivalence failed: {e}");
    }
    assert!(k >= n_cases as usize && sym.iter().all(|&n| n > 0));
}

#[test]
fn slicer_extremes_agree() {
    for (p, vl) in pool().iter().zip(sims()) {
        let lanes = p.lanes;
        let mut stim = vec![cycle(true, false, 0, 0, &vec![0; lanes])];
        let mut seen = std::collections::BTreeSet::new();
        for (thr, tgt) in [
            ([127, 127, 127], [127, 0, 0, 0]),
            ([-128, -128, -128], [0, 0, 0, -128]),
            ([-128, 0, 127], [127, 127, -128, -128]),
            ([127, 0, -128], [-128, 127, -128, 127]),
        ] {
            for (a, d) in RxParams::cfg_writes(&[], &thr, &tgt) {
                stim.push(cycle(false, true, a, d, &vec![0; lanes]));
            }
            for y in [-128, 127, -1, 0, 126, -127] {
                stim.push(cycle(false, false, 0, 0, &vec![y; lanes]));
            }
            let alt: Vec<i32> = (0..lanes)
                .map(|j| if j % 2 == 0 { 127 } else { -128 })
                .collect();
            stim.push(cycle(false, false, 0, 0, &alt));
        }
        let model = run_model(p, &stim);
        for o in &model {
            for j in 0..lanes {
                seen.insert(sx(o[2 * lanes + j], ERR_BITS));
            }
        }
        assert!(seen.contains(&255) && seen.contains(&-255), "{seen:?}");
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
            &run_rust_hdl(Slicer::new(p).unwrap(), &stim),
            "rust-hdl",
        )
        .unwrap();
    }
}

#[test]
fn slicer_impulse_latency_is_lat_slicer() {
    let mut measured = vec![];
    for (p, vl) in pool().iter().zip(sims()) {
        let lanes = p.lanes;
        let mut base = vec![cycle(true, false, 0, 0, &vec![0; lanes])];
        for (a, d) in RxParams::cfg_writes(&[], &[-32, 0, 32], &[-48, -16, 16, 48]) {
            base.push(cycle(false, true, a, d, &vec![0; lanes]));
        }
        base.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![0; lanes])).take(4));
        let at = base.len();
        base.extend(std::iter::repeat(cycle(false, false, 0, 0, &vec![0; lanes])).take(6));
        let quiet = vl
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&base)
            .unwrap();
        for j in 0..lanes {
            for y in [127, -128] {
                let mut stim = base.clone();
                stim[at][Y0 + j] = to_raw(y, Y_BITS) as u64;
                let got = vl
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .run(&stim)
                    .unwrap();
                let d = differences(&quiet, &got);
                let c = at + LAT_SLICER - 1;
                assert_eq!(
                    d,
                    vec![(c, j), (c, lanes + j), (c, 2 * lanes + j)],
                    "lanes={lanes} y={y} on lane {j}: symbol, gray and err of that lane only"
                );
                assert_eq!(got[c][j], if y > 0 { 3 } else { 0 });
                let lat = latency(at, d[0].0);
                assert_eq!(lat, LAT_SLICER);
                measured.push(lat);
                assert_eq!(run_model(p, &stim), got);
            }
        }
    }
    println!(
        "slicer: impulse latency {} cycle(s) on all {} impulses (LAT_SLICER = {LAT_SLICER})",
        measured[0],
        measured.len()
    );
}

#[test]
fn slicer_exports_lint_clean() {
    for p in pool() {
        lint(
            &format!("slicer_p{}", p.lanes),
            &cporx_hdl::export::slicer_verilog(&p).unwrap(),
        );
    }
}
