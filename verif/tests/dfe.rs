//! The 1-tap PAM-4 DFE alone (hdl/src/dfe.rs), exported on its own ports (`rst`, `cfg_*`,
//! `y$j` in; `symbol$j`, `gray$j`, `err$j`, `rd` out): the block model
//! (`cporx_model::DfeModel`), rust-hdl's simulator and Verilator agree on every output
//! every cycle, reset cycles and power-up included.
//!
//! * `dfe_model_rust_hdl_and_verilator_agree`: proptest over exported DFEs at P = 1, 4, 16,
//!   each with and without the tap's adaptation (random reset levels, reset taps -128, 127
//!   and random): y over the whole Q7.1 range weighted toward -128, 127 and toward the
//!   shifted thresholds `t_j + d (2 s' - 3)` and their neighbours (every decision edge of
//!   every previous decision), held runs, bus writes of d (extremes -128, 127 weighted),
//!   of thresholds (unordered too) and targets at the extremes, of the adaptation's
//!   enable and step registers, of other addresses, read-back of every address,
//!   mid-stream resets, cases from power-up. `CPORX_DFE_CASES` cases (default 300), each
//!   through all three (rust-hdl on every 2nd case at 16 lanes).
//! * `dfe_extremes_agree`: deterministic: d at -128 and 127 with thresholds and targets at
//!   both ends and y at both ends: the errors saturate at -256 and 255 (seen), on
//!   Verilator and rust-hdl as in the model.
//! * `dfe_impulse_latency_is_lat_dfe`: a y impulse on every lane of every design with
//!   d = 0 changes exactly that lane's outputs, LAT_DFE - 1 cycles after the impulse's
//!   cycle; with d = 40 it also changes the later decisions it feeds back into (the
//!   ripple), first in the same cycle.
//! * `dfe_opens_an_eye_a_slicer_closes`: y_n = L[s_n] + h1 (2 s_{n-1} - 3) with h1 = 12
//!   (the outer ISI 36 exceeds the half level spacing 16): on Verilator, at P = 1, 4 and
//!   16, the DFE with d = h1 decides every symbol right, with d = 0 (the plain slicer's
//!   rule) it makes many errors; with the adaptation on from d = 8 (step code 6) it also
//!   decides every symbol right and its d ends at h1 +- 1.
//! * `dfe_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::dfe::Dfe;
use cporx_model::DfeModel;
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Slots 0..=3 are the control inputs; lane j's y is slot Y0 + j.
const Y0: usize = 4;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.extend(lane_ports(&[("y", Y_BITS)], p.lanes));
    // the read-back address: the bus's (in the top the write inputs may be the levels')
    v.push(("rd_addr".into(), CFG_ADDR_BITS));
    v
}

fn outputs(p: &RxParams) -> PortList {
    let mut v = lane_ports(&[("symbol", 2), ("gray", 2), ("err", ERR_BITS)], p.lanes);
    v.push(("rd".into(), CFG_DATA_BITS));
    v
}

impl SlotBlock for Dfe {
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
        self.rd_addr.next = pat(s[Y0 + self.y.len()]);
    }
    fn read(&self) -> Slots {
        let mut v: Slots = self.symbol.iter().map(|x| x.val().index() as u64).collect();
        v.extend(self.gray.iter().map(|x| x.val().index() as u64));
        v.extend(self.err.iter().map(|x| x.val().index() as u64));
        v.push(self.rd.val().index() as u64);
        v
    }
}

fn run_model_with(p: &RxParams, stim: &[Slots]) -> (Vec<Slots>, DfeModel) {
    let mut m = DfeModel::new(p).unwrap();
    let lanes = p.lanes;
    let out = stim
        .iter()
        .map(|s| {
            let y: Vec<i32> = (0..lanes).map(|j| sx(s[Y0 + j], Y_BITS)).collect();
            let i = rx_in_of(s);
            m.step(&i, &y);
            let sl = &m.slicer;
            let mut v: Slots = sl.symbol[..lanes].iter().map(|&x| x as u64).collect();
            v.extend(sl.gray[..lanes].iter().map(|&x| x as u64));
            v.extend(sl.err[..lanes].iter().map(|&e| to_raw(e, ERR_BITS) as u64));
            v.push(m.read(i.cfg_addr) as u64);
            v
        })
        .collect();
    (out, m)
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    run_model_with(p, stim).0
}

fn cycle(rst: bool, we: bool, addr: u32, data: i32, y: &[i32]) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.extend(y.iter().map(|&v| to_raw(v, Y_BITS) as u64));
    s.push(addr as u64);
    s
}

/// DFEs at P = 1, 4, 16, each without and with the tap's adaptation (random legal reset
/// levels and adaptation registers; reset taps 127, -128 and random; fixed seed: cached
/// builds).
fn pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xDFE);
    let mut v = vec![];
    for (k, lanes) in [1, 4, 16].into_iter().enumerate() {
        for adapt in [false, true] {
            let mut p = cporx_verif::strategy::random_params(&mut rng, 3, lanes);
            p.dfe_taps = 1;
            p.dfe_reset = match (k + adapt as usize) % 3 {
                0 => 127,
                1 => -128,
                _ => rng.gen_range(-128..=127),
            };
            if adapt {
                p.adapt = Some(cporx_verif::strategy::random_adapt(&mut rng, 3));
            }
            p.validate().unwrap();
            v.push(p);
        }
    }
    v
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        let designs: Vec<(String, PortList, PortList)> = pool()
            .iter()
            .map(|p| {
                (
                    cporx_hdl::export::dfe_verilog(p).unwrap(),
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

fn sim(k: usize) -> MutexGuard<'static, VerilatedBlock> {
    sims()[k].lock().unwrap_or_else(|e| e.into_inner())
}

/// A level (or tap) code weighted toward the extremes.
fn level() -> impl Strategy<Value = i32> {
    prop_oneof![2 => Just(-128), 2 => Just(127), 1 => Just(0), 4 => -128i32..=127]
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// run-time thresholds, targets and tap written after the reset (None: the reset values)
    load: Option<([i32; 3], [i32; 4], i32)>,
    /// (seed, cycles, held value) of the stretches
    segs: Vec<(u64, usize, Option<i32>)>,
    /// (cycle fraction 0..1000, address, data) writes during the stream
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
    /// the addresses the cycles without a write read back, in turn
    reads: Vec<u32>,
}

fn addr() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => Just(CFG_DFE),
        2 => CFG_THRESH_BASE..CFG_THRESH_BASE + 3,
        2 => CFG_TARGET_BASE..CFG_TARGET_BASE + 4,
        2 => prop::sample::select(vec![CFG_ADAPT, CFG_ADAPT_MU]),
        1 => 0u32..(1 << CFG_ADDR_BITS),
    ]
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
                level(),
            ),
        ),
        prop::collection::vec(
            (
                any::<u64>(),
                1usize..120,
                prop::option::weighted(0.2, level()),
            ),
            1..6,
        ),
        prop::collection::vec((0u16..1000, addr(), level()), 0..10),
        prop::collection::vec(0u16..1000, 0..2),
        prop::collection::vec(addr(), 1..6),
    )
        .prop_map(
            |(pool_index, power_up, load, segs, writes, resets, reads)| Case {
                pool_index,
                power_up,
                load,
                segs,
                writes,
                resets,
                reads,
            },
        )
}

impl Case {
    fn stimulus(&self, p: &RxParams) -> Vec<Slots> {
        let lanes = p.lanes;
        let zero = vec![0; lanes];
        let mut stim = vec![];
        if !self.power_up {
            stim.push(cycle(true, false, 0, 0, &zero));
        }
        // the levels and tap in force while the stream runs (for drawing y near the edges)
        let (thr, d) = match self.load {
            Some((t, _, d)) => (t, d),
            None if self.power_up => ([0; 3], 0),
            None => (p.thresholds, p.dfe_reset),
        };
        if let Some((t, g, d)) = self.load {
            let mut w = RxParams::cfg_writes(&[], &t, &g);
            w.push((CFG_DFE, d));
            for (a, v) in w {
                stim.push(cycle(false, true, a, v, &zero));
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
                                // a shifted threshold or a neighbour: a decision edge of
                                // one of the four previous decisions
                                2..=5 => (thr[rng.gen_range(0..3)]
                                    + dfe_feedback(d, rng.gen_range(0..4))
                                    + rng.gen_range(-1..=1))
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
            let (we, a, v) = w.map_or((false, self.reads[c % self.reads.len()], 0), |w| {
                (true, w.1, w.2)
            });
            let rst = self.resets.iter().any(|&r| at(r) == c);
            stim.push(cycle(rst, we, a, v, b));
        }
        stim
    }
}

#[test]
fn dfe_model_rust_hdl_and_verilator_agree() {
    let t0 = std::time::Instant::now();
    let pool = pool();
    sims();
    let built = t0.elapsed();
    let n_cases = cases("CPORX_DFE_CASES", 300);
    // (cases, cycles, rust-hdl cycles, decisions per symbol, saturated errors)
    let stats = std::cell::Cell::new((0usize, 0usize, 0usize, [0usize; 4], 0usize));
    let mut runner = TestRunner::new(Config {
        cases: n_cases,
        failure_persistence: None,
        max_shrink_iters: 1000,
        ..Config::default()
    });
    let result = runner.run(&case(pool.len()), |c| {
        let p = &pool[c.pool_index];
        let stim = c.stimulus(p);
        let outs = outputs(p);
        let fail = |m: String| {
            TestCaseError::fail(format!(
                "pool[{}] lanes={} adapt={}{}: {m}",
                c.pool_index,
                p.lanes,
                p.adapt.is_some(),
                if c.power_up { ", from power-up" } else { "" }
            ))
        };
        let model = run_model(p, &stim);
        let vl = sim(c.pool_index)
            .run(&stim)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare(&outs, &model, &vl, "verilator").map_err(fail)?;
        let (k, cy, rcy, mut sym, mut sat) = stats.get();
        let mut rh_cycles = 0;
        if p.lanes < 16 || k % 2 == 0 {
            let rh = run_rust_hdl(Dfe::new(p).unwrap(), &stim);
            compare(&outs, &model, &rh, "rust-hdl").map_err(fail)?;
            rh_cycles = stim.len();
        }
        for o in &model {
            for j in 0..p.lanes {
                sym[o[j] as usize] += 1;
                let e = sx(o[2 * p.lanes + j], ERR_BITS);
                sat += (e == DFE_ERR_MIN || e == DFE_ERR_MAX) as usize;
            }
        }
        stats.set((k + 1, cy + stim.len(), rcy + rh_cycles, sym, sat));
        Ok(())
    });
    let (k, cy, rcy, sym, sat) = stats.get();
    println!(
        "dfe: {k} cases over {} designs (lanes {:?}, with and without adaptation), {cy} cycles through model and Verilator, {rcy} through rust-hdl; decisions per symbol {sym:?}, {sat} saturated errors; total {:.1} s (builds {:.1} s)",
        pool.len(),
        pool.iter().map(|p| p.lanes).collect::<Vec<_>>(),
        t0.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    if let Err(e) = result {
        panic!("dfe equivalence failed: {e}");
    }
    assert!(k >= n_cases as usize && sym.iter().all(|&n| n > 0) && sat > 0);
}

#[test]
fn dfe_extremes_agree() {
    for (k, p) in pool().iter().enumerate() {
        let lanes = p.lanes;
        let zero = vec![0; lanes];
        let mut stim = vec![cycle(true, false, 0, 0, &zero)];
        // the tap held still: adaptation off
        stim.push(cycle(false, true, CFG_ADAPT, 0, &zero));
        for d in [127, -128] {
            for (thr, tgt) in [
                ([127, 127, 127], [127, 0, 0, -128]),
                ([-128, -128, -128], [127, 0, 0, -128]),
                ([-128, 0, 127], [-128, 127, -128, 127]),
                ([127, 0, -128], [127, -128, 127, -128]),
            ] {
                let mut w = RxParams::cfg_writes(&[], &thr, &tgt);
                w.push((CFG_DFE, d));
                for (a, v) in w {
                    stim.push(cycle(false, true, a, v, &zero));
                }
                for y in [-128, 127, -1, 0, 126, -127, 127, 127, -128, -128] {
                    stim.push(cycle(false, false, CFG_DFE, 0, &vec![y; lanes]));
                }
                let alt: Vec<i32> = (0..lanes)
                    .map(|j| if j % 2 == 0 { 127 } else { -128 })
                    .collect();
                stim.push(cycle(false, false, CFG_DFE, 0, &alt));
                stim.push(cycle(false, false, CFG_DFE, 0, &alt));
            }
        }
        let model = run_model(p, &stim);
        let mut seen = std::collections::BTreeSet::new();
        for o in &model {
            for j in 0..lanes {
                seen.insert(sx(o[2 * lanes + j], ERR_BITS));
            }
        }
        assert!(
            seen.contains(&DFE_ERR_MAX) && seen.contains(&DFE_ERR_MIN),
            "{seen:?}"
        );
        let outs = outputs(p);
        compare(&outs, &model, &sim(k).run(&stim).unwrap(), "verilator").unwrap();
        compare(
            &outs,
            &model,
            &run_rust_hdl(Dfe::new(p).unwrap(), &stim),
            "rust-hdl",
        )
        .unwrap();
    }
}

#[test]
fn dfe_impulse_latency_is_lat_dfe() {
    let mut measured = vec![];
    for (k, p) in pool().iter().enumerate() {
        let lanes = p.lanes;
        let zero = vec![0; lanes];
        for d in [0, 40] {
            let mut base = vec![cycle(true, false, 0, 0, &zero)];
            base.push(cycle(false, true, CFG_ADAPT, 0, &zero));
            let mut w = RxParams::cfg_writes(&[], &[-32, 0, 32], &[-48, -16, 16, 48]);
            w.push((CFG_DFE, d));
            for (a, v) in w {
                base.push(cycle(false, true, a, v, &zero));
            }
            // y = 1: symbol 2 whatever the previous decision at d = 0 (and at d = 40 an
            // alternating pattern of its own)
            let quiet_y = vec![1; lanes];
            base.extend(std::iter::repeat(cycle(false, false, 0, 0, &quiet_y)).take(4));
            let at = base.len();
            base.extend(std::iter::repeat(cycle(false, false, 0, 0, &quiet_y)).take(6));
            let quiet = sim(k).run(&base).unwrap();
            for j in 0..lanes {
                for y in [127, -128] {
                    let mut stim = base.clone();
                    stim[at][Y0 + j] = to_raw(y, Y_BITS) as u64;
                    let got = sim(k).run(&stim).unwrap();
                    let diff = differences(&quiet, &got);
                    let c = at + LAT_DFE - 1;
                    assert!(!diff.is_empty(), "lanes={lanes} d={d}: no effect");
                    let lat = latency(at, diff[0].0);
                    assert_eq!(lat, LAT_DFE, "lanes={lanes} d={d} lane {j}");
                    if d == 0 {
                        assert_eq!(
                            diff,
                            vec![(c, j), (c, lanes + j), (c, 2 * lanes + j)],
                            "lanes={lanes} y={y} on lane {j}: symbol, gray and err of that lane only"
                        );
                        assert_eq!(got[c][j], if y > 0 { 3 } else { 0 });
                    } else {
                        // the impulse's decision feeds the next UIs': at cycle c lane j
                        // and (through the ripple) later lanes only, never the read-back
                        let at_c: Vec<usize> = diff
                            .iter()
                            .filter(|x| x.0 == c)
                            .map(|x| {
                                assert!(x.1 < 3 * lanes, "rd changed");
                                x.1 % lanes
                            })
                            .collect();
                        assert!(
                            at_c.contains(&j) && at_c.iter().all(|&l| l >= j),
                            "lanes={lanes} d={d} lane {j}: {at_c:?}"
                        );
                    }
                    measured.push(lat);
                    assert_eq!(run_model(p, &stim), got);
                }
            }
        }
    }
    println!(
        "dfe: impulse latency {} cycle(s) on all {} impulses (LAT_DFE = {LAT_DFE})",
        measured[0],
        measured.len()
    );
    assert!(measured.iter().all(|&l| l == LAT_DFE));
}

#[test]
fn dfe_opens_an_eye_a_slicer_closes() {
    const H1: i32 = 12;
    let tgt = [-48, -16, 16, 48];
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xE1E);
    let n = 4096;
    let syms: Vec<usize> = (0..n).map(|_| rng.gen_range(0..4)).collect();
    // the previous symbol of the first is 0: a block of y = -128 before the stream
    // decides 0 on every lane whatever the tap (|fb| <= 36 here)
    let ys: Vec<i32> = (0..n)
        .map(|k| {
            let prev = if k == 0 { 0 } else { syms[k - 1] as i32 };
            tgt[syms[k]] + H1 * (2 * prev - 3)
        })
        .collect();
    let mut lines = vec![];
    // the pool's adaptive designs (P = 1, 4, 16): levels and tap written over the bus
    for (k, p) in pool().iter().enumerate().filter(|(_, p)| p.adapt.is_some()) {
        let lanes = p.lanes;
        let zero = vec![0; lanes];
        let run = |d: i32, adapt: bool| -> (usize, i32) {
            let mut stim = vec![cycle(true, false, 0, 0, &zero)];
            // the tap's adaptation on (CFG_ADAPT bit 3 alone: the block sees only that
            // bit) at step code 6, or off
            let ctrl = if adapt { 1 << DFE_ENABLE_BIT } else { 0 };
            let mut w = vec![(CFG_ADAPT, ctrl as i32), (CFG_ADAPT_MU, 6), (CFG_DFE, d)];
            w.extend(RxParams::cfg_writes(&[], &[-32, 0, 32], &tgt));
            for (a, v) in w {
                stim.push(cycle(false, true, a, v, &zero));
            }
            stim.push(cycle(false, false, 0, 0, &vec![-128; lanes]));
            let start = stim.len();
            for b in ys.chunks(lanes) {
                stim.push(cycle(false, false, CFG_DFE, 0, b));
            }
            let got = sim(k).run(&stim).unwrap();
            assert_eq!(
                run_model(p, &stim),
                got,
                "P={lanes} d={d} adapt={adapt}: model"
            );
            let errs = (0..n)
                .filter(|&i| got[start + i / lanes][i % lanes] as usize != syms[i])
                .count();
            (errs, sx(got.last().unwrap()[3 * lanes], CFG_DATA_BITS))
        };
        let (e_dfe, _) = run(H1, false);
        let (e_plain, _) = run(0, false);
        let (e_adapt, d_end) = run(H1 - 4, true);
        lines.push(format!(
            "P={lanes}: d = h1: {e_dfe} symbol errors, d = 0: {e_plain}, adapting from d = {}: {e_adapt} (d ends at {d_end})",
            H1 - 4
        ));
        assert_eq!(
            e_dfe, 0,
            "P={lanes}: the DFE with d = h1 decides every symbol"
        );
        assert!(
            e_plain > n / 10,
            "P={lanes}: d = 0 must fail on this channel ({e_plain} errors)"
        );
        assert_eq!(e_adapt, 0, "P={lanes}: the adapting DFE");
        assert!((d_end - H1).abs() <= 1, "P={lanes}: d ends at {d_end}");
    }
    println!(
        "dfe: eye with h1 = {H1} over {n} symbols (Verilator = model): {}",
        lines.join("; ")
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn dfe_exports_lint_clean() {
    for p in pool() {
        lint(
            &format!("dfe_p{}_adapt{}", p.lanes, p.adapt.is_some()),
            &cporx_hdl::export::dfe_verilog(&p).unwrap(),
        );
    }
}

/// The receive top with the DFE (the equivalence pool's designs, so the Verilator builds
/// are shared): `CFG_DFE` reads back on `rd_data` (a write, the adapted tap), and without
/// the DFE address 35 ignores writes and reads 0. (`cporx_verif::compare` leaves
/// `rd_data` and `gain` out: they are compared here field by field, every cycle.)
#[test]
fn dfe_top_reads_back_the_tap() {
    use cporx_cosim::verilator::VerilatedRx;
    let pool = cporx_verif::strategy::param_pool();
    let with = pool
        .iter()
        .find(|p| p.dfe_taps == 1 && p.lanes == 4 && p.adapt.is_some())
        .unwrap();
    let without = pool
        .iter()
        .find(|p| p.dfe_taps == 0 && p.lanes == 4)
        .unwrap();
    for p in [with, without] {
        let mut stim = vec![RxIn::reset(), RxIn::write(CFG_ADAPT, 0, 0)];
        stim.push(RxIn::write(CFG_DFE, -77, 0));
        let read = |a: u32| RxIn {
            cfg_addr: a,
            ..RxIn::block(&[5, -9, 20, -31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        };
        stim.extend((0..8).map(|_| read(CFG_DFE)));
        // the tap adapting (CFG_ADAPT bit 3, step code 0) while it is read
        stim.push(RxIn::write(CFG_ADAPT, 1 << DFE_ENABLE_BIT, 0));
        stim.push(RxIn::write(CFG_ADAPT_MU, 0, 0));
        stim.extend((0..200).map(|k| read(if k % 3 == 0 { CFG_DFE } else { CFG_ADAPT })));
        let model = cporx_verif::run_model(p, &stim);
        let v = cporx_hdl::export::rx_top_verilog(p).unwrap();
        let vl = VerilatedRx::build(&v, false).unwrap().run(&stim).unwrap();
        let rh = cporx_verif::run_rust_hdl(p, &stim[..60]);
        cporx_verif::compare(&model, &vl, "verilator").unwrap();
        for (c, o) in model.iter().enumerate() {
            assert_eq!(
                (o.rd_data, o.gain),
                (vl[c].rd_data, vl[c].gain),
                "cycle {c}: rd_data, gain (verilator)"
            );
            if c < rh.len() {
                assert_eq!(o, &rh[c], "cycle {c} (rust-hdl)");
            }
        }
        // rd_data after cycle c shows the register at cycle c's address before edge c
        let want = if p.dfe_taps == 1 { 256 - 77 } else { 0 };
        assert_eq!(model[4].rd_data as u32, want, "dfe_taps = {}", p.dfe_taps);
        let taps: std::collections::BTreeSet<u8> =
            model[13..].iter().step_by(3).map(|o| o.rd_data).collect();
        if p.dfe_taps == 1 {
            assert!(taps.len() > 1, "the adapted tap moves: {taps:?}");
        } else {
            assert_eq!(taps.into_iter().collect::<Vec<_>>(), vec![0]);
        }
    }
}
