//! The gain control alone (hdl/src/agc.rs), exported on its own ports (`rst`, `cfg_*`,
//! `enable`, `adc$j` in; `gain`, `rd` out): the block model (`cporx_model::AgcModel`),
//! rust-hdl's simulator and Verilator agree on every output every cycle, reset cycles and
//! power-up included.
//!
//! * `agc_model_rust_hdl_and_verilator_agree`: proptest over exported blocks at P = 1, 4,
//!   16 with targets, windows and reset gains at the extremes, in the mean mode and the
//!   tail mode (K = 3 and K = 15, the largest terms): stretches of one held ADC
//!   code (-32, 31, 0 drive the gain into both bounds), random stretches, enable toggles,
//!   bus writes of the AGC's registers (and of other addresses), read addresses on every
//!   cycle, mid-stream resets, cases from power-up. `CPORX_AGC_CASES` cases (default
//!   150); rust-hdl takes every 4th case.
//! * `agc_steps_toward_the_target_on_the_rtl`: too loud steps the gain down, too quiet up,
//!   one code per 2^W of summed deviation, saturating at 0 and 31, on Verilator.
//! * `agc_impulse_latency_is_lat_agc`: one loud block against the run without it.
//! * `agc_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::agc::Agc;
use cporx_model::agc::{AgcIn, AgcModel};
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Slots 0..=3 are the control inputs, then enable, then lane j's adc at ADC0 + j.
const EN: usize = 4;
const ADC0: usize = 5;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.push(("enable".into(), 1));
    v.extend(lane_ports(&[("adc", ADC_BITS)], p.lanes));
    v
}

fn outputs() -> PortList {
    vec![("gain".into(), GAIN_BITS), ("rd".into(), CFG_DATA_BITS)]
}

impl SlotBlock for Agc {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        self.enable.next = s[EN] != 0;
        for (j, x) in self.adc.iter_mut().enumerate() {
            x.next = pat(s[ADC0 + j]);
        }
    }
    fn read(&self) -> Slots {
        vec![self.gain.val().index() as u64, self.rd.val().index() as u64]
    }
}

fn cycle(rst: bool, we: bool, addr: u32, data: i32, enable: bool, adc: &[i32]) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.push(enable as u64);
    s.extend(adc.iter().map(|&v| to_raw(v, ADC_BITS) as u64));
    s
}

/// The model's outputs after each cycle; `rd` is combinational in the block (the top
/// registers it), so it is the register at this cycle's address after the edge.
fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = AgcModel::new(p).unwrap().unwrap();
    stim.iter()
        .map(|s| {
            let r = rx_in_of(s);
            let mut adc = [0; MAX_LANES];
            for (j, a) in adc.iter_mut().enumerate().take(p.lanes) {
                *a = sx(s[ADC0 + j], ADC_BITS);
            }
            m.step(&AgcIn {
                rst: r.rst,
                cfg_we: r.cfg_we,
                cfg_addr: r.cfg_addr,
                cfg_data: r.cfg_data,
                adc,
                enable: s[EN] != 0,
            });
            vec![m.gain as u64, m.read(r.cfg_addr).unwrap_or(0) as u64]
        })
        .collect()
}

/// P = 1, 4, 16 with the defaults and with the extremes of target, window and reset gain
/// (the block reads no other field).
fn pool() -> Vec<RxParams> {
    let with = |lanes: usize, target: u32, window: u32, gain: u32, tail: u32| {
        let p = RxParams {
            adapt: Some(AdaptParams {
                agc_target: target,
                agc_window: window,
                reset_gain: gain,
                agc_tail: tail,
                ..AdaptParams::default()
            }),
            ..RxParams::default()
        };
        p.with_lanes(lanes).unwrap()
    };
    vec![
        with(1, 16, 10, GAIN_UNITY, 0),
        with(1, 31, 0, GAIN_MAX, 0),
        with(4, 1, 3, 0, 0),
        with(16, 16, AGC_WINDOW_MAX, 3, 0),
        with(1, 31, 4, GAIN_UNITY, 3),
        with(16, 24, AGC_WINDOW_MAX, GAIN_MAX, 15),
    ]
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        pool()
            .iter()
            .map(|p| {
                let v = cporx_hdl::export::agc_verilog(p).unwrap();
                Mutex::new(verilate(&v, &inputs(p), &outputs()))
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
    /// (seed, cycles, a held ADC code)
    segs: Vec<(u64, usize, Option<i32>)>,
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
    enables: Vec<(u16, bool)>,
    reads: Vec<u32>,
}

fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    let held = prop_oneof![Just(-32), Just(31), Just(0), -32i32..=31];
    (
        0..pool_len,
        prop_oneof![5 => Just(false), 1 => Just(true)],
        prop::collection::vec(
            (
                any::<u64>(),
                10usize..300,
                prop::option::weighted(0.5, held),
            ),
            1..5,
        ),
        prop::collection::vec(
            (
                0u16..1000,
                prop_oneof![3 => CFG_AGC_TARGET..=CFG_GAIN, 1 => 0u32..64],
                prop_oneof![1 => Just(-128), 1 => Just(127), 3 => -128i32..=127],
            ),
            0..6,
        ),
        prop::collection::vec(0u16..1000, 0..2),
        prop::collection::vec((0u16..1000, prop::bool::weighted(0.85)), 1..4),
        prop::collection::vec(
            prop_oneof![3 => CFG_AGC_TARGET..=CFG_GAIN, 1 => 0u32..64],
            1..6,
        ),
    )
        .prop_map(
            |(pool_index, power_up, segs, writes, resets, enables, reads)| Case {
                pool_index,
                power_up,
                segs,
                writes,
                resets,
                enables,
                reads,
            },
        )
}

fn stimulus(c: &Case, lanes: usize) -> Vec<Slots> {
    let total: usize = c.segs.iter().map(|s| s.1).sum();
    let at = |f: u16| (f as usize * total) / 1000;
    let mut stim = Vec::with_capacity(total + 1);
    if !c.power_up {
        stim.push(cycle(true, false, 0, 0, false, &vec![0; lanes]));
    }
    let mut enable = true;
    let mut n = 0usize;
    for &(seed, len, held) in &c.segs {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        for _ in 0..len {
            for &(f, e) in &c.enables {
                if at(f) == n {
                    enable = e;
                }
            }
            let adc: Vec<i32> = (0..lanes)
                .map(|_| held.unwrap_or_else(|| rng.gen_range(-32..=31)))
                .collect();
            let w = c.writes.iter().find(|w| at(w.0) == n);
            let rst = c.resets.iter().any(|&r| at(r) == n);
            let read = c.reads[n % c.reads.len()];
            let (we, addr, data) = w.map(|w| (true, w.1, w.2)).unwrap_or((false, read, 0));
            stim.push(cycle(rst, we, addr, data, enable, &adc));
            n += 1;
        }
    }
    stim
}

fn check(c: &Case, with_rust_hdl: bool) -> Result<(), TestCaseError> {
    let p = &pool()[c.pool_index];
    let stim = stimulus(c, p.lanes);
    let want = run_model(p, &stim);
    let got = sim(c.pool_index)
        .run(&stim)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    compare(&outputs(), &want, &got, "verilator").map_err(TestCaseError::fail)?;
    if with_rust_hdl {
        let a = Agc::new(p).unwrap().unwrap();
        let r = run_rust_hdl(a, &stim);
        compare(&outputs(), &want, &r, "rust-hdl").map_err(TestCaseError::fail)?;
    }
    Ok(())
}

#[test]
fn agc_model_rust_hdl_and_verilator_agree() {
    let n = pool().len();
    let mut runner = TestRunner::new(Config {
        cases: cases("CPORX_AGC_CASES", 150),
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

#[test]
fn agc_steps_toward_the_target_on_the_rtl() {
    let p = &pool()[0]; // T 16, W 10, from GAIN_UNITY
    let mut stim = vec![cycle(true, false, 0, 0, false, &[0])];
    // |x| = 32: 16 codes too loud a clock, one step down per 64 clocks
    for _ in 0..64 * 3 {
        stim.push(cycle(false, false, CFG_GAIN, 0, true, &[-32]));
    }
    for _ in 0..64 * 30 {
        stim.push(cycle(false, false, CFG_GAIN, 0, true, &[31]));
    }
    // |x| = 0: 16 codes too quiet, one step up per 64 clocks
    for _ in 0..64 * 40 {
        stim.push(cycle(false, false, CFG_GAIN, 0, true, &[0]));
    }
    let got = sim(0).run(&stim).unwrap();
    compare(&outputs(), &run_model(p, &stim), &got, "verilator").unwrap();
    let g = |n: usize| got[n][0] as u32;
    assert_eq!(g(63), GAIN_UNITY, "63 clocks of 16 codes stay below 2^10");
    assert_eq!(g(64), GAIN_UNITY - 1, "the 64th reaches it: one step down");
    assert_eq!(g(64 * 3), GAIN_UNITY - 3);
    assert_eq!(g(64 * 33), 0, "saturates at code 0 (too loud ever after)");
    assert_eq!(
        g(stim.len() - 1),
        GAIN_MAX,
        "saturates at the top when too quiet"
    );
    assert!(
        got[1..].iter().all(|o| o[1] == o[0]),
        "rd at CFG_GAIN reads the gain"
    );
}

#[test]
fn agc_impulse_latency_is_lat_agc() {
    let run = |loud_at: Option<usize>| -> Vec<Slots> {
        let mut stim = vec![cycle(true, false, 0, 0, false, &[0])];
        // W = 10 at the default; write W = 0 so one block steps the gain
        stim.push(cycle(false, true, CFG_AGC_WINDOW, 0, false, &[0]));
        for c in 2..40 {
            let x = if loud_at == Some(c) { -32 } else { 16 };
            stim.push(cycle(false, false, 0, 0, true, &[x]));
        }
        stim
    };
    let at = 20;
    let mut s = sim(0);
    let d = differences(&s.run(&run(None)).unwrap(), &s.run(&run(Some(at))).unwrap());
    let first = d.first().expect("a loud block moves the gain").0;
    assert_eq!(
        latency(at, first),
        LAT_AGC,
        "first difference after cycle {first}"
    );
}

#[test]
fn agc_exports_lint_clean() {
    for (i, p) in pool().iter().enumerate() {
        lint(
            &format!("agc_{i}"),
            &cporx_hdl::export::agc_verilog(p).unwrap(),
        );
    }
}
