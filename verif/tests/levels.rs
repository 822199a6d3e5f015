//! The slicer-level adaptation alone (hdl/src/levels.rs), exported on its own ports
//! (`rst`, `cfg_*`, `symbol`, `err`, `enable`, `mu` in; `wr_we`, `wr_addr`, `wr_data` out):
//! the block model (`cporx_model::LevelsModel`), rust-hdl's simulator and Verilator agree
//! on every output every cycle, reset cycles and power-up included. (The model equals the
//! untimed `reference::levels_ref`: sim/model/tests/reference.rs.)
//!
//! * `levels_model_rust_hdl_and_verilator_agree`: proptest over exported blocks with
//!   reset targets at the extremes and in order: stretches of one symbol and one error
//!   (a level runs into a bound at the large steps), random stretches with errors at
//!   -256 / 255 / 0, step codes 0 ..= 15, enable toggles, bus writes of targets (and of
//!   other addresses), mid-stream resets, cases from power-up. `CPORX_LEVELS_CASES` cases
//!   (default 200); rust-hdl takes every 4th case.
//! * `levels_saturate_at_both_bounds_on_the_rtl`: errors of 255 on symbol 3 and -256 on
//!   symbol 0 at mu = 0 drive those targets to 127 and -128 on Verilator, and hold them;
//!   the thresholds written are the midpoints.
//! * `levels_impulse_latency_is_lat_levels`: one nonzero error against the run with none.
//! * `levels_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::levels::Levels;
use cporx_model::levels::{LevelsIn, LevelsModel};
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Slots 0..=3 are the control inputs, then symbol, err, enable, mu.
const SYM: usize = 4;

fn inputs() -> PortList {
    let mut v = ctrl_inputs();
    v.push(("symbol".into(), 2));
    v.push(("err".into(), ERR_BITS));
    v.push(("enable".into(), 1));
    v.push(("mu".into(), LEV_MU_BITS));
    v
}

fn outputs() -> PortList {
    vec![
        ("wr_we".into(), 1),
        ("wr_addr".into(), CFG_ADDR_BITS),
        ("wr_data".into(), CFG_DATA_BITS),
    ]
}

impl SlotBlock for Levels {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        self.symbol.next = pat(s[SYM]);
        self.err.next = pat(s[SYM + 1]);
        self.enable.next = s[SYM + 2] != 0;
        self.mu.next = pat(s[SYM + 3]);
    }
    fn read(&self) -> Slots {
        vec![
            self.wr_we.val() as u64,
            self.wr_addr.val().index() as u64,
            self.wr_data.val().index() as u64,
        ]
    }
}

#[allow(clippy::too_many_arguments)]
fn cycle(
    rst: bool,
    we: bool,
    addr: u32,
    data: i32,
    symbol: u8,
    err: i32,
    enable: bool,
    mu: u32,
) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.push(symbol as u64);
    s.push(to_raw(err, ERR_BITS) as u64);
    s.push(enable as u64);
    s.push(mu as u64);
    s
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = LevelsModel::new(p).unwrap();
    stim.iter()
        .map(|s| {
            let r = rx_in_of(s);
            let o = m.step(&LevelsIn {
                rst: r.rst,
                cfg_we: r.cfg_we,
                cfg_addr: r.cfg_addr,
                cfg_data: r.cfg_data,
                symbol: s[SYM] as u8,
                err: sx(s[SYM + 1], ERR_BITS),
                enable: s[SYM + 2] != 0,
                mu: s[SYM + 3] as u32,
            });
            vec![
                o.wr_we as u64,
                o.wr_addr as u64,
                to_raw(o.wr_data, CFG_DATA_BITS) as u64,
            ]
        })
        .collect()
}

/// The default levels, and targets at the extremes (the block reads no other field).
fn pool() -> Vec<RxParams> {
    let mut extreme = RxParams::default();
    extreme.targets = [-128, -1, 0, 127];
    vec![RxParams::default(), extreme]
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        pool()
            .iter()
            .map(|p| {
                let v = cporx_hdl::export::levels_verilog(p).unwrap();
                Mutex::new(verilate(&v, &inputs(), &outputs()))
            })
            .collect()
    })
}

fn sim(i: usize) -> MutexGuard<'static, VerilatedBlock> {
    sims()[i].lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// (seed, cycles, held (symbol, error))
    segs: Vec<(u64, usize, Option<(u8, i32)>)>,
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
    ctrl: Vec<(u16, bool, u32)>,
}

fn extreme_err() -> impl Strategy<Value = i32> {
    prop_oneof![2 => Just(-256), 2 => Just(255), 1 => Just(0), 3 => -256i32..=255]
}
fn code() -> impl Strategy<Value = i32> {
    prop_oneof![1 => Just(-128), 1 => Just(127), 3 => -128i32..=127]
}

fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    (
        0..pool_len,
        prop_oneof![5 => Just(false), 1 => Just(true)],
        prop::collection::vec(
            (
                any::<u64>(),
                10usize..200,
                prop::option::weighted(0.4, (0u8..4, extreme_err())),
            ),
            1..5,
        ),
        prop::collection::vec(
            (
                0u16..1000,
                prop_oneof![3 => 16u32..24, 1 => 0u32..32],
                code(),
            ),
            0..6,
        ),
        prop::collection::vec(0u16..1000, 0..2),
        prop::collection::vec(
            (
                0u16..1000,
                prop::bool::weighted(0.85),
                prop_oneof![3 => 0u32..4, 1 => 0u32..16],
            ),
            1..5,
        ),
    )
        .prop_map(|(pool_index, power_up, segs, writes, resets, ctrl)| Case {
            pool_index,
            power_up,
            segs,
            writes,
            resets,
            ctrl,
        })
}

fn stimulus(c: &Case) -> Vec<Slots> {
    let total: usize = c.segs.iter().map(|s| s.1).sum();
    let at = |f: u16| (f as usize * total) / 1000;
    let mut stim = Vec::with_capacity(total + 1);
    if !c.power_up {
        stim.push(cycle(true, false, 0, 0, 0, 0, false, 0));
    }
    let (mut enable, mut mu) = (true, 0u32);
    let mut n = 0usize;
    for &(seed, len, held) in &c.segs {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        for _ in 0..len {
            for &(f, e, m) in &c.ctrl {
                if at(f) == n {
                    (enable, mu) = (e, m);
                }
            }
            let (symbol, err) = held.unwrap_or_else(|| {
                (
                    rng.gen_range(0..4),
                    match rng.gen_range(0..6) {
                        0 => -256,
                        1 => 255,
                        2 => 0,
                        _ => rng.gen_range(-256..=255),
                    },
                )
            });
            let w = c.writes.iter().find(|w| at(w.0) == n);
            let rst = c.resets.iter().any(|&r| at(r) == n);
            let (we, addr, data) = w.map(|w| (true, w.1, w.2)).unwrap_or((false, 0, 0));
            stim.push(cycle(rst, we, addr, data, symbol, err, enable, mu));
            n += 1;
        }
    }
    stim
}

fn check(c: &Case, with_rust_hdl: bool) -> Result<(), TestCaseError> {
    let p = &pool()[c.pool_index];
    let stim = stimulus(c);
    let want = run_model(p, &stim);
    let got = sim(c.pool_index)
        .run(&stim)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    compare(&outputs(), &want, &got, "verilator").map_err(TestCaseError::fail)?;
    if with_rust_hdl {
        let r = run_rust_hdl(Levels::new(p).unwrap(), &stim);
        compare(&outputs(), &want, &r, "rust-hdl").map_err(TestCaseError::fail)?;
    }
    Ok(())
}

#[test]
fn levels_model_rust_hdl_and_verilator_agree() {
    let n = pool().len();
    let mut runner = TestRunner::new(Config {
        cases: cases("CPORX_LEVELS_CASES", 200),
        failure_persistence: None,
        ..Config::default()
    });
    let count = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&case(n), |c| {
            let k = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            check(&c, k % 4 == 0)
        })
        .unwrap();
}

/// The last value written to each slicer register address (16 ..= 23) over a run.
fn written(out: &[Slots]) -> [i32; 8] {
    let mut v = [i32::MIN; 8];
    for o in out {
        if o[0] == 1 {
            v[o[1] as usize - CFG_THRESH_BASE as usize] = sx(o[2], CFG_DATA_BITS);
        }
    }
    v
}

#[test]
fn levels_saturate_at_both_bounds_on_the_rtl() {
    let p = &pool()[0];
    let mut stim = vec![cycle(true, false, 0, 0, 0, 0, false, 0)];
    for _ in 0..20 {
        stim.push(cycle(false, false, 0, 0, 3, 255, true, 0));
    }
    for _ in 0..20 {
        stim.push(cycle(false, false, 0, 0, 0, -256, true, 0));
    }
    let got = sim(0).run(&stim).unwrap();
    compare(&outputs(), &run_model(p, &stim), &got, "verilator").unwrap();
    let w = written(&got[got.len() - 7..]);
    // targets at 20 ..= 23 (index 4 ..= 7), thresholds at 16 ..= 18 (index 0 ..= 2)
    assert_eq!(
        &w[4..8],
        &[-128, -16, 16, 127],
        "targets 0 and 3 at the bounds, held"
    );
    assert_eq!(
        &w[0..3],
        &[(-128 - 16 + 1) >> 1, 0, (16 + 127 + 1) >> 1],
        "thresholds: midpoints, rounded up (143 / 2 = 71.5 -> 72)"
    );
}

#[test]
fn levels_impulse_latency_is_lat_levels() {
    let run = |err_at: Option<usize>| -> Vec<Slots> {
        let mut stim = vec![cycle(true, false, 0, 0, 0, 0, false, 0)];
        for c in 1..60 {
            let e = if err_at == Some(c) { 100 } else { 0 };
            // symbol 0, the error at the edge before the port visits target 0 (the port
            // shows target q = (c - 1) mod 7 at edge c, from the levels before the edge)
            stim.push(cycle(false, false, 0, 0, 0, e, true, 0));
        }
        stim
    };
    let at = 7 * 5;
    let mut s = sim(0);
    let d = differences(&s.run(&run(None)).unwrap(), &s.run(&run(Some(at))).unwrap());
    let first = d.first().expect("an error moves the write port").0;
    assert_eq!(
        latency(at, first),
        LAT_LEVELS,
        "first difference after cycle {first}"
    );
}

#[test]
fn levels_exports_lint_clean() {
    for (i, p) in pool().iter().enumerate() {
        lint(
            &format!("levels_{i}"),
            &cporx_hdl::export::levels_verilog(p).unwrap(),
        );
    }
}
