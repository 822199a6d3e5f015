//! The sign-sign LMS alone (hdl/src/lms.rs), exported on its own ports (`rst`, `cfg_*`,
//! `adc$j`, `err`, `enable`, `mu`, `freeze` in; `wr_we`, `wr_addr`, `wr_data` out): the
//! block model (`cporx_model::LmsModel`), rust-hdl's simulator and Verilator agree on every
//! output every cycle, reset cycles and power-up included. (The model equals the untimed
//! `reference::lms_ref`: sim/model/tests/reference.rs.)
//!
//! * `lms_model_rust_hdl_and_verilator_agree`: proptest over a pool of exported blocks
//!   (P = 1, 2, 4, 8, 16, tap counts 2 ..= 16, random reset codes at the extremes):
//!   stretches of constant signs long enough to drive taps into both saturation bounds
//!   at the large steps, random stretches with errors at -256 / 255 / 0 and samples at
//!   -32 / 31 / 0, step codes 0 ..= 15, freezes, enable toggles, bus writes of
//!   coefficients (and of other addresses), mid-stream resets, cases from power-up.
//!   `CPORX_LMS_CASES` cases (default 120); rust-hdl takes every 4th case.
//! * `lms_saturates_at_both_bounds_on_the_rtl`: constant sign products at mu = 0 drive
//!   every tap to -128 and then to 127 on Verilator, and the codes stay there (no wrap).
//! * `lms_impulse_latency_is_lat_lms`: one nonzero error against the run with none: the
//!   write port first differs LAT_LMS - 1 cycles after the error's cycle (the port reads
//!   the accumulators before an edge).
//! * `lms_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::lms::Lms;
use cporx_model::lms::{LmsIn, LmsModel};
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, OnceLock};

/// Slots 0..=3 are the control inputs, then lane j's adc at ADC0 + j, then err, enable,
/// mu, freeze.
const ADC0: usize = 4;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.extend(lane_ports(&[("adc", ADC_BITS)], p.lanes));
    v.push(("err".into(), ERR_BITS));
    v.push(("enable".into(), 1));
    v.push(("mu".into(), LMS_MU_BITS));
    v.push(("freeze".into(), MAX_TAPS));
    v
}

fn outputs() -> PortList {
    vec![
        ("wr_we".into(), 1),
        ("wr_addr".into(), CFG_ADDR_BITS),
        ("wr_data".into(), CFG_DATA_BITS),
    ]
}

impl SlotBlock for Lms {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        let p = self.adc.len();
        for (j, x) in self.adc.iter_mut().enumerate() {
            x.next = pat(s[ADC0 + j]);
        }
        self.err.next = pat(s[ADC0 + p]);
        self.enable.next = s[ADC0 + p + 1] != 0;
        self.mu.next = pat(s[ADC0 + p + 2]);
        self.freeze.next = pat(s[ADC0 + p + 3]);
    }
    fn read(&self) -> Slots {
        vec![
            self.wr_we.val() as u64,
            self.wr_addr.val().index() as u64,
            self.wr_data.val().index() as u64,
        ]
    }
}

/// One cycle's slots.
#[allow(clippy::too_many_arguments)]
fn cycle(
    rst: bool,
    we: bool,
    addr: u32,
    data: i32,
    adc: &[i32],
    err: i32,
    enable: bool,
    mu: u32,
    freeze: u16,
) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.extend(adc.iter().map(|&v| to_raw(v, ADC_BITS) as u64));
    s.push(to_raw(err, ERR_BITS) as u64);
    s.push(enable as u64);
    s.push(mu as u64);
    s.push(freeze as u64);
    s
}

fn lms_in_of(p: &RxParams, s: &[u64]) -> LmsIn {
    let r = rx_in_of(s);
    let mut adc = [0; MAX_LANES];
    for (j, a) in adc.iter_mut().enumerate().take(p.lanes) {
        *a = sx(s[ADC0 + j], ADC_BITS);
    }
    LmsIn {
        rst: r.rst,
        cfg_we: r.cfg_we,
        cfg_addr: r.cfg_addr,
        cfg_data: r.cfg_data,
        adc,
        err: sx(s[ADC0 + p.lanes], ERR_BITS),
        enable: s[ADC0 + p.lanes + 1] != 0,
        mu: s[ADC0 + p.lanes + 2] as u32,
        freeze: s[ADC0 + p.lanes + 3] as u16,
    }
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = LmsModel::new(p).unwrap();
    stim.iter()
        .map(|s| {
            let o = m.step(&lms_in_of(p, s));
            vec![
                o.wr_we as u64,
                o.wr_addr as u64,
                to_raw(o.wr_data, CFG_DATA_BITS) as u64,
            ]
        })
        .collect()
}

/// One block per lane count and a spread of tap counts, reset codes at the extremes
/// (fixed seed: cached builds).
fn pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x1A5);
    [(1, 2), (1, 16), (2, 5), (4, 7), (8, 3), (16, 16)]
        .iter()
        .map(|&(lanes, n)| {
            let mut p = cporx_verif::strategy::random_params(&mut rng, n, lanes);
            for (k, c) in p.reset_coefs.iter_mut().enumerate() {
                *c = match k % 4 {
                    0 => -128,
                    1 => 127,
                    _ => rng.gen_range(-128..=127),
                };
            }
            p
        })
        .collect()
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        pool()
            .iter()
            .map(|p| {
                let v = cporx_hdl::export::lms_verilog(p).unwrap();
                Mutex::new(verilate(&v, &inputs(p), &outputs()))
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// (seed, cycles, held signs): random stretches, or stretches of one sample and one
    /// error (constant sign products: the taps run into a bound)
    segs: Vec<(u64, usize, Option<(i32, i32)>)>,
    /// (cycle fraction 0..1000, address, data) bus writes
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
    /// (cycle fraction, enable, mu, freeze) control changes
    ctrl: Vec<(u16, bool, u32, u16)>,
}

fn extreme_sample() -> impl Strategy<Value = i32> {
    prop_oneof![2 => Just(-32), 2 => Just(31), 1 => Just(0), 3 => -32i32..=31]
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
                20usize..400,
                prop::option::weighted(0.4, (extreme_sample(), extreme_err())),
            ),
            1..5,
        ),
        prop::collection::vec((0u16..1000, 0u32..32, code()), 0..6),
        prop::collection::vec(0u16..1000, 0..2),
        prop::collection::vec(
            (
                0u16..1000,
                prop::bool::weighted(0.85),
                prop_oneof![3 => 0u32..3, 1 => 0u32..16],
                prop_oneof![3 => Just(0u16), 1 => any::<u16>()],
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

fn stimulus(p: &RxParams, c: &Case) -> Vec<Slots> {
    let lanes = p.lanes;
    let total: usize = c.segs.iter().map(|s| s.1).sum();
    let at = |f: u16| (f as usize * total) / 1000;
    let mut stim = Vec::with_capacity(total + 1);
    if !c.power_up {
        stim.push(cycle(true, false, 0, 0, &vec![0; lanes], 0, false, 0, 0));
    }
    let (mut enable, mut mu, mut freeze) = (true, 0u32, 0u16);
    let mut n = 0usize;
    for &(seed, len, held) in &c.segs {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        for _ in 0..len {
            for &(f, e, m, z) in &c.ctrl {
                if at(f) == n {
                    (enable, mu, freeze) = (e, m, z);
                }
            }
            let (adc, err): (Vec<i32>, i32) = match held {
                Some((x, e)) => (vec![x; lanes], e),
                None => (
                    (0..lanes)
                        .map(|_| match rng.gen_range(0..6) {
                            0 => -32,
                            1 => 31,
                            2 => 0,
                            _ => rng.gen_range(-32..=31),
                        })
                        .collect(),
                    match rng.gen_range(0..6) {
                        0 => -256,
                        1 => 255,
                        2 => 0,
                        _ => rng.gen_range(-256..=255),
                    },
                ),
            };
            let w = c.writes.iter().find(|w| at(w.0) == n);
            let rst = c.resets.iter().any(|&r| at(r) == n);
            let (we, addr, data) = w.map(|w| (true, w.1, w.2)).unwrap_or((false, 0, 0));
            stim.push(cycle(rst, we, addr, data, &adc, err, enable, mu, freeze));
            n += 1;
        }
    }
    stim
}

fn check(c: &Case, with_rust_hdl: bool) -> Result<(), TestCaseError> {
    let p = &pool()[c.pool_index];
    let stim = stimulus(p, c);
    let want = run_model(p, &stim);
    let got = sims()[c.pool_index]
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .run(&stim)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    compare(&outputs(), &want, &got, "verilator").map_err(TestCaseError::fail)?;
    if with_rust_hdl {
        let r = run_rust_hdl(Lms::new(p).unwrap(), &stim);
        compare(&outputs(), &want, &r, "rust-hdl").map_err(TestCaseError::fail)?;
    }
    Ok(())
}

#[test]
fn lms_model_rust_hdl_and_verilator_agree() {
    let n = pool().len();
    let mut runner = TestRunner::new(Config {
        cases: cases("CPORX_LMS_CASES", 120),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/regressions/lms.txt",
        ))),
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

/// Codes seen on the write port for every tap over a run.
fn codes_seen(out: &[Slots], n_taps: usize) -> Vec<i32> {
    let mut last = vec![i32::MIN; n_taps];
    for o in out {
        if o[0] == 1 {
            last[o[1] as usize] = sx(o[2], CFG_DATA_BITS);
        }
    }
    last
}

#[test]
fn lms_saturates_at_both_bounds_on_the_rtl() {
    for (i, p) in pool().iter().enumerate() {
        let lanes = p.lanes;
        let mut stim = vec![cycle(true, false, 0, 0, &vec![0; lanes], 0, false, 0, 0)];
        // sgn(e) sgn(x) = +1: every tap steps down one LSB a clock (mu = 0)
        for _ in 0..600 {
            stim.push(cycle(false, false, 0, 0, &vec![31; lanes], 255, true, 0, 0));
        }
        let down = stim.len();
        // then -1: every tap steps up
        for _ in 0..600 {
            stim.push(cycle(
                false,
                false,
                0,
                0,
                &vec![-32; lanes],
                255,
                true,
                0,
                0,
            ));
        }
        let got = sims()[i]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&stim)
            .unwrap();
        compare(&outputs(), &run_model(p, &stim), &got, "verilator").unwrap();
        assert_eq!(
            codes_seen(&got[down - 2 * p.n_taps..down], p.n_taps),
            vec![-128; p.n_taps],
            "P = {lanes}, N = {}: every tap at -128 after 600 steps down, and held",
            p.n_taps
        );
        assert_eq!(
            codes_seen(&got[got.len() - 2 * p.n_taps..], p.n_taps),
            vec![127; p.n_taps],
            "P = {lanes}, N = {}: every tap at 127 after 600 steps up, and held",
            p.n_taps
        );
    }
}

#[test]
fn lms_impulse_latency_is_lat_lms() {
    for (i, p) in pool().iter().enumerate() {
        let lanes = p.lanes;
        // every tap written to 0 over the bus (away from both bounds, so every tap moves)
        let quiet = |err_at: Option<usize>| -> Vec<Slots> {
            let mut stim = vec![cycle(true, false, 0, 0, &vec![0; lanes], 0, false, 0, 0)];
            for k in 0..p.n_taps {
                stim.push(cycle(
                    false,
                    true,
                    k as u32,
                    0,
                    &vec![9; lanes],
                    0,
                    false,
                    0,
                    0,
                ));
            }
            for c in stim.len()..200 {
                let e = if err_at == Some(c) { 200 } else { 0 };
                stim.push(cycle(false, false, 0, 0, &vec![9; lanes], e, true, 0, 0));
            }
            stim
        };
        let at = 150; // the sign line is full of nonzero samples by then
        let mut sim = sims()[i].lock().unwrap_or_else(|e| e.into_inner());
        let a = sim.run(&quiet(None)).unwrap();
        let b = sim.run(&quiet(Some(at))).unwrap();
        let d = differences(&a, &b);
        let first = d.first().expect("an error changes the write port").0;
        // every tap moved at the error's edge; the port shows it from the next edge on
        assert_eq!(
            latency(at, first),
            LAT_LMS,
            "P = {lanes}, N = {}: first difference after cycle {first}",
            p.n_taps
        );
    }
}

#[test]
fn lms_exports_lint_clean() {
    for p in pool() {
        lint(
            &format!("lms_p{}_n{}", p.lanes, p.n_taps),
            &cporx_hdl::export::lms_verilog(&p).unwrap(),
        );
    }
}
