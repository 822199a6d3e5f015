//! The baud-rate CDR alone (hdl/src/cdr.rs), exported on its own ports (`rst`, `cfg_*`,
//! `symbol$j`, `err$j` in; `phase`, `lock`, `freq` out), driven directly with symbol and
//! error streams the receive top cannot produce (there, err is tied to the decision and
//! the FFE output): the cycle model (`cporx_model::CdrModel`), rust-hdl's simulator
//! and Verilator agree on every output every cycle, reset cycles and power-up included.
//!
//! * `cdr_model_rust_hdl_and_verilator_agree`: proptest over one exported CDR per lane
//!   count (1, 2, 4, 8, 16; the largest gains as reset values at 1 and 16): streams of constant
//!   maximal error (+255, -255) under random symbols, errors alternating between the
//!   extremes under one symbol, the period-4 pattern of extreme errors and symbols whose
//!   detector output is the largest |z| = 1530 on every sample, of one sign (the
//!   frequency register saturates), independent random symbols and errors, errors at a
//!   lock threshold and +-1 beyond it (lock decisions both ways); run-time writes of every
//!   CDR register (gains 0 and max, control bits, lock threshold and count, phase loads)
//!   and of other addresses; mid-stream resets; cases from power-up. Cases span several
//!   256-UI lock windows so that lock decisions and false-lock kicks happen.
//!   `CPORX_CDR_CASES` cases (default 400); every case in full through Verilator and the
//!   model, the first `RUST_HDL_CYCLES` cycles through rust-hdl.
//! * `cdr_frequency_saturates_and_agrees`: deterministic: the largest |z| with the
//!   largest gains, both signs, drives `freq` to both bounds on every design.
//! * `cdr_impulse_latency_is_lat_cdr`: an error impulse on every lane of every design,
//!   against the same run without it, on Verilator: `phase` and `freq` first change
//!   LAT_CDR - 1 cycles after the impulse's cycle.
//! * `cdr_lock_window_edges_on_the_rtl`: the lock detector's window edges
//!   (docs/numerics.md, "Lock detector and kick: timing") measured on Verilator.
//! * `cdr_exports_lint_clean`: Verilator `-Wall` with the project's waivers.

mod common;

use common::*;
use cporx_cosim::verilator_block::VerilatedBlock;
use cporx_hdl::cdr::Cdr;
use cporx_model::CdrModel;
use cporx_spec::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Mutex, OnceLock};

const RUST_HDL_CYCLES: usize = 1200;
/// Slots 0..=3 are the control inputs; lane j's symbol is slot 4 + j, its error 4 + P + j.
const SYM0: usize = 4;
/// Output slots.
const PHASE: usize = 0;
const LOCK: usize = 1;
const FREQ: usize = 2;

fn inputs(p: &RxParams) -> PortList {
    let mut v = ctrl_inputs();
    v.extend(lane_ports(&[("symbol", 2), ("err", ERR_BITS)], p.lanes));
    v
}

fn outputs() -> PortList {
    vec![
        ("phase".into(), PI_BITS),
        ("lock".into(), 1),
        ("freq".into(), FREQ_BITS),
    ]
}

impl SlotBlock for Cdr {
    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }
    fn apply(&mut self, s: &[u64]) {
        let lanes = self.symbol.len();
        self.rst.next = s[0] != 0;
        self.cfg_we.next = s[1] != 0;
        self.cfg_addr.next = pat(s[2]);
        self.cfg_data.next = pat(s[3]);
        for j in 0..lanes {
            self.symbol[j].next = pat(s[SYM0 + j]);
            self.err[j].next = pat(s[SYM0 + lanes + j]);
        }
    }
    fn read(&self) -> Slots {
        vec![
            self.phase.val().index() as u64,
            self.lock.val() as u64,
            self.freq.val().index() as u64,
        ]
    }
}

fn run_model(p: &RxParams, stim: &[Slots]) -> Vec<Slots> {
    let mut m = CdrModel::new(p).unwrap();
    let lanes = p.lanes;
    stim.iter()
        .map(|s| {
            let sym: Vec<u8> = (0..lanes).map(|j| s[SYM0 + j] as u8).collect();
            let err: Vec<i32> = (0..lanes)
                .map(|j| sx(s[SYM0 + lanes + j], ERR_BITS))
                .collect();
            m.step(&rx_in_of(s), &sym, &err);
            vec![
                m.pi_code() as u64,
                m.lock as u64,
                to_raw(m.freq, FREQ_BITS) as u64,
            ]
        })
        .collect()
}

fn cycle(rst: bool, we: bool, addr: u32, data: i32, sym: &[u8], err: &[i32]) -> Slots {
    let mut s = ctrl_slots(rst, we, addr, data);
    s.extend(sym.iter().map(|&v| v as u64));
    s.extend(err.iter().map(|&e| to_raw(e, ERR_BITS) as u64));
    s
}

/// One CDR per lane count: at 1 and 16 lanes with the largest gains (kick on, lock
/// threshold 0, the last PI code) as reset values, at 2, 4 and 8 with random ones (fixed
/// seed: cached builds). Cases load random values over the bus too.
fn pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xCD12);
    LEGAL_LANES
        .iter()
        .map(|&lanes| {
            if lanes == 1 || lanes == MAX_LANES {
                hot(lanes)
            } else {
                cporx_verif::strategy::random_params(&mut rng, 3, lanes)
            }
        })
        .collect()
}

fn hot(lanes: usize) -> RxParams {
    let mut hot = RxParams::default().with_lanes(lanes).unwrap();
    hot.cdr = CdrParams {
        kp: (1 << KP_BITS) - 1,
        ki: (1 << KI_BITS) - 1,
        enable: true,
        integral: true,
        kick: true,
        lock_thr: 0,
        lock_max: 0,
        reset_phase: (1 << PI_BITS) - 1,
        freq_limit: (1 << FREQ_LIM_BITS) - 1,
    };
    hot
}

fn sims() -> &'static [Mutex<VerilatedBlock>] {
    static SIMS: OnceLock<Vec<Mutex<VerilatedBlock>>> = OnceLock::new();
    SIMS.get_or_init(|| {
        // one Verilator build for the whole pool
        let designs: Vec<(String, PortList, PortList)> = pool()
            .iter()
            .map(|p| {
                (
                    cporx_hdl::export::cdr_verilog(p).unwrap(),
                    inputs(p),
                    outputs(),
                )
            })
            .collect();
        verilate_group(&designs)
            .into_iter()
            .map(Mutex::new)
            .collect()
    })
}

/// Sample k of the period-4 pattern with detector output z = e[k] A(a[k-1]) - e[k-1] A(a[k])
/// = +6e on every sample (-6e if `negative`): with v the sign of A(a[k]) and u that of
/// e[k], u[k] v[k-1] = 1 and u[k-1] v[k] = -1 for all k, i.e. v = +,+,-,- and u[k] = v[k-1].
fn max_z(k: usize, e: i32, negative: bool) -> (u8, i32) {
    let v = [1, 1, -1, -1];
    let sym = if v[k % 4] > 0 { 3 } else { 0 };
    let u = v[(k + 3) % 4];
    (sym, if negative { -u * e } else { u * e })
}

/// One stretch of the symbol and error streams, in UI (serial samples).
#[derive(Clone, Debug)]
enum Seg {
    /// constant error under random symbols (seeded), e.g. +255 / -255
    ConstErr(i32, u64, usize),
    /// error alternating +e, -e under one symbol: |z| = 2 e |A(s)|, alternating in sign
    Alternate(i32, u8, usize),
    /// the pattern whose detector output is +-6e on every sample ([`max_z`]): with e = 255,
    /// z = +-1530, the largest, of one sign (the frequency register saturates)
    MaxZ(i32, bool, usize),
    /// independent random symbols and errors over the whole range, weighted to the ends
    Random(u64, usize),
    /// errors within +-(t+1) of zero around a lock threshold t: lock decisions both ways
    NearThreshold(u32, u64, usize),
}

#[derive(Clone, Debug)]
struct Case {
    pool_index: usize,
    power_up: bool,
    /// the CDR registers loaded after the reset (None: the reset values)
    load: Option<CdrParams>,
    segs: Vec<Seg>,
    writes: Vec<(u16, u32, i32)>,
    resets: Vec<u16>,
}

fn cdr_params() -> impl Strategy<Value = CdrParams> {
    any::<u64>().prop_map(|seed| {
        cporx_verif::strategy::random_cdr(&mut rand::rngs::StdRng::seed_from_u64(seed))
    })
}

fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    let n = || 1usize..900;
    let seg = prop_oneof![
        2 => (prop_oneof![Just(255), Just(-255), -255i32..=255], any::<u64>(), n())
            .prop_map(|(e, s, n)| Seg::ConstErr(e, s, n)),
        1 => (prop_oneof![Just(255), 0i32..=255], 0u8..4, n())
            .prop_map(|(e, s, n)| Seg::Alternate(e, s, n)),
        1 => (prop_oneof![Just(255), 0i32..=255], any::<bool>(), n())
            .prop_map(|(e, f, n)| Seg::MaxZ(e, f, n)),
        2 => (any::<u64>(), n()).prop_map(|(s, n)| Seg::Random(s, n)),
        1 => (prop_oneof![Just(0u32), Just(255), 0u32..=255], any::<u64>(), n())
            .prop_map(|(t, s, n)| Seg::NearThreshold(t, s, n)),
    ];
    let data = prop_oneof![2 => Just(-128), 2 => Just(127), 1 => Just(0), 1 => Just(-1), 4 => -128i32..=127];
    (
        0..pool_len,
        prop_oneof![5 => Just(false), 1 => Just(true)],
        prop::option::weighted(0.6, cdr_params()),
        prop::collection::vec(seg, 1..6),
        prop::collection::vec(
            (
                0u16..1000,
                prop_oneof![4 => CFG_KP..=CFG_PHASE, 1 => Just(CFG_FREQ_LIM), 1 => 0u32..(1 << CFG_ADDR_BITS)],
                data,
            ),
            0..6,
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
        let mut syms: Vec<u8> = vec![];
        let mut errs: Vec<i32> = vec![];
        for s in &self.segs {
            match *s {
                Seg::ConstErr(e, seed, n) => {
                    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                    for _ in 0..n {
                        syms.push(rng.gen_range(0..4));
                        errs.push(e);
                    }
                }
                Seg::Alternate(e, sym, n) => {
                    for k in 0..n {
                        syms.push(sym);
                        errs.push(if k % 2 == 0 { e } else { -e });
                    }
                }
                Seg::MaxZ(e, negative, n) => {
                    for k in 0..n {
                        let (sy, er) = max_z(k, e, negative);
                        syms.push(sy);
                        errs.push(er);
                    }
                }
                Seg::Random(seed, n) => {
                    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                    for _ in 0..n {
                        syms.push(rng.gen_range(0..4));
                        errs.push(match rng.gen_range(0..6) {
                            0 => 255,
                            1 => -255,
                            _ => rng.gen_range(-255..=255),
                        });
                    }
                }
                Seg::NearThreshold(t, seed, n) => {
                    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                    let t = t as i32;
                    for _ in 0..n {
                        syms.push(rng.gen_range(0..4));
                        let e = match rng.gen_range(0..8) {
                            0 => t + 1,
                            1 => -t - 1,
                            2 => -t,
                            _ => t,
                        };
                        errs.push(e.clamp(-255, 255));
                    }
                }
            }
        }
        let blocks = syms.len().div_ceil(lanes);
        syms.resize(blocks * lanes, 0);
        errs.resize(blocks * lanes, 0);
        let mut stim = vec![];
        let zeros = (vec![0u8; lanes], vec![0i32; lanes]);
        if !self.power_up {
            stim.push(cycle(true, false, 0, 0, &zeros.0, &zeros.1));
        }
        if let Some(c) = &self.load {
            for (a, d) in c
                .cfg_writes()
                .into_iter()
                .chain([(CFG_PHASE, c.reset_phase as i32)])
            {
                stim.push(cycle(false, true, a, d, &zeros.0, &zeros.1));
            }
        }
        let at = |f: u16| f as usize * blocks / 1000;
        for c in 0..blocks {
            let w = self.writes.iter().find(|w| at(w.0) == c);
            let (we, a, d) = w.map_or((false, 0, 0), |w| (true, w.1, w.2));
            let rst = self.resets.iter().any(|&r| at(r) == c);
            let r = c * lanes..(c + 1) * lanes;
            stim.push(cycle(rst, we, a, d, &syms[r.clone()], &errs[r]));
        }
        stim
    }
}

#[test]
fn cdr_model_rust_hdl_and_verilator_agree() {
    let t0 = std::time::Instant::now();
    let pool = pool();
    let sims = sims();
    let built = t0.elapsed();
    let n_cases = cases("CPORX_CDR_CASES", 400);
    // cases, cycles, rust-hdl cycles, (lock rises, freq at a bound, phase codes seen)
    let stats = std::cell::Cell::new((0usize, 0usize, 0usize, 0usize, 0usize));
    let mut phases = std::collections::BTreeSet::new();
    let phases_cell = std::cell::RefCell::new(&mut phases);
    let mut runner = TestRunner::new(Config {
        cases: n_cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/regressions/cdr.txt",
        ))),
        max_shrink_iters: 1000,
        ..Config::default()
    });
    let result = runner.run(&case(pool.len()), |c| {
        let p = &pool[c.pool_index];
        let stim = c.stimulus(p);
        let outs = outputs();
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
        let n = stim.len().min(RUST_HDL_CYCLES);
        let rh = run_rust_hdl(Cdr::new(p).unwrap(), &stim[..n]);
        compare(&outs, &model[..n], &rh, "rust-hdl").map_err(fail)?;
        let (k, cy, rc, locks, sat) = stats.get();
        let rises = model
            .windows(2)
            .filter(|w| w[0][LOCK] == 0 && w[1][LOCK] == 1)
            .count();
        // freq at one of the range register's bounds, -(L+1) 2^11 or (L+1) 2^11 - 1
        let unit = 1i32 << FREQ_LIM_SHIFT;
        let at_bound = model
            .iter()
            .map(|o| sx(o[FREQ], FREQ_BITS))
            .filter(|&f| (f < 0 && f % unit == 0) || (f > 0 && (f + 1) % unit == 0))
            .count();
        phases_cell
            .borrow_mut()
            .extend(model.iter().map(|o| o[PHASE]));
        stats.set((
            k + 1,
            cy + stim.len(),
            rc + n,
            locks + rises,
            sat + at_bound,
        ));
        Ok(())
    });
    let (k, cy, rc, locks, sat) = stats.get();
    println!(
        "cdr: {k} cases over {} designs (lanes {:?}): model and Verilator {cy} cycles, rust-hdl {rc} cycles; {locks} lock rises, {sat} cycles with freq at a bound, {} PI codes seen; total {:.1} s (builds {:.1} s)",
        pool.len(),
        pool.iter().map(|p| p.lanes).collect::<Vec<_>>(),
        phases.len(),
        t0.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    if let Err(e) = result {
        panic!("cdr equivalence failed: {e}");
    }
    assert!(k >= n_cases as usize && locks > 0 && sat > 0 && phases.len() == 1 << PI_BITS);
}

/// The largest increment of one sign drives freq to the frequency range's bound
/// (`freq_bounds`) and no further, at the register's extremes L = 0 and 255, the default
/// and one between, written over the bus, on every pool design.
#[test]
fn cdr_frequency_saturates_and_agrees() {
    for (p, vl) in pool().iter().zip(sims()) {
        let lanes = p.lanes;
        for (flip, lim) in [
            (false, 255),
            (true, 255),
            (false, 0),
            (true, 0),
            (true, 26),
            (false, 101),
        ] {
            let (fmin, fmax) = freq_bounds(lim);
            let zeros = (vec![0u8; lanes], vec![0i32; lanes]);
            let mut stim = vec![cycle(true, false, 0, 0, &zeros.0, &zeros.1)];
            let lim_code = sext(lim, CFG_DATA_BITS);
            for (a, d) in [
                (CFG_KP, 15),
                (CFG_KI, 7),
                (CFG_CDR_CTRL, 3),
                (CFG_FREQ_LIM, lim_code),
            ] {
                stim.push(cycle(false, true, a, d, &zeros.0, &zeros.1));
            }
            // z = +-1530 on every sample: the largest increment, of one sign
            let mut k = 0usize;
            for _ in 0..(1600 / lanes).max(100) {
                let (mut s, mut e) = (vec![], vec![]);
                for _ in 0..lanes {
                    let (sy, er) = max_z(k, 255, flip);
                    s.push(sy);
                    e.push(er);
                    k += 1;
                }
                stim.push(cycle(false, false, 0, 0, &s, &e));
            }
            let model = run_model(p, &stim);
            let f: Vec<i32> = model.iter().map(|o| sx(o[FREQ], FREQ_BITS)).collect();
            let bound = if flip { fmin } else { fmax };
            assert_eq!(
                f[f.len() - 1],
                bound,
                "lanes={lanes} negative={flip} range {lim}: freq must saturate at its bound"
            );
            assert!(
                f.iter().all(|&v| v >= fmin && v <= fmax),
                "range {lim}: freq left its range"
            );
            compare(
                &outputs(),
                &model,
                &vl.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .run(&stim)
                    .unwrap(),
                "verilator",
            )
            .unwrap();
            let n = stim.len().min(600);
            compare(
                &outputs(),
                &model[..n],
                &run_rust_hdl(Cdr::new(p).unwrap(), &stim[..n]),
                "rust-hdl",
            )
            .unwrap();
        }
    }
}

/// Reset, then load kp = 15, ki = 7, loop and integral path on, kick off; `extra` cycles
/// of zero error under the serial symbol stream n mod 4 follow.
fn latency_base(lanes: usize, extra: usize) -> (Vec<Slots>, Vec<u8>) {
    let zeros = (vec![0u8; lanes], vec![0i32; lanes]);
    let mut base = vec![cycle(true, false, 0, 0, &zeros.0, &zeros.1)];
    for (a, d) in [
        (CFG_KP, 15),
        (CFG_KI, 7),
        (CFG_CDR_CTRL, 3),
        (CFG_PHASE, 40),
    ] {
        base.push(cycle(false, true, a, d, &zeros.0, &zeros.1));
    }
    let mut n = 0usize;
    let mut all = vec![];
    for _ in 0..extra {
        let s: Vec<u8> = (0..lanes)
            .map(|_| {
                n += 1;
                (n % 4) as u8
            })
            .collect();
        all.extend_from_slice(&s);
        base.push(cycle(false, false, 0, 0, &s, &zeros.1));
    }
    (base, all)
}

#[test]
fn cdr_impulse_latency_is_lat_cdr() {
    let mut measured = vec![];
    for (p, vl) in pool().iter().zip(sims()) {
        let lanes = p.lanes;
        // with zero error the detector output is 0: phase and freq hold. An error of
        // +-255 on one sample gives z = e A(a[n-1]) (and -e A(a[n+1]) on the next sample);
        // with the symbols n mod 4, A(a[n-1]) != A(a[n+1]), so the clock's sum is not 0.
        let (base, _) = latency_base(lanes, 20);
        let at = base.len() - 12;
        let quiet = vl
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&base)
            .unwrap();
        assert!(quiet[5..]
            .windows(2)
            .all(|w| w[0][PHASE] == w[1][PHASE] && w[0][FREQ] == w[1][FREQ]));
        for j in 0..lanes {
            for e in [255, -255] {
                let mut stim = base.clone();
                stim[at][SYM0 + lanes + j] = to_raw(e, ERR_BITS) as u64;
                let got = vl
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .run(&stim)
                    .unwrap();
                let d = differences(&quiet, &got);
                let first = |k: usize| d.iter().find(|x| x.1 == k).map(|x| x.0);
                let (ph, fr) = (first(PHASE).unwrap(), first(FREQ).unwrap());
                assert_eq!(
                    (latency(at, ph), latency(at, fr)),
                    (LAT_CDR, LAT_CDR),
                    "lanes={lanes} e={e} on lane {j}: phase, freq"
                );
                measured.push(latency(at, ph));
                assert_eq!(run_model(p, &stim), got);
            }
        }
    }
    println!(
        "cdr: impulse latency {} cycles (phase and freq) on all {} impulses (LAT_CDR = {LAT_CDR})",
        measured[0],
        measured.len()
    );
}

/// docs/numerics.md: window w is edges wW .. wW+W-1 (W = 256/P clocks from the reset),
/// counts the detector inputs of edges wW-3 .. wW+W-4 and its decision moves `lock` at
/// edge (w+1)W. One bad sample (|err| = 11 > lock_thr = 10, lock_max 0) at the last
/// input clock of window 0 or the first of window 1, on every lane, on the RTL.
#[test]
fn cdr_lock_window_edges_on_the_rtl() {
    for (p, vl) in pool().iter().zip(sims()) {
        let lanes = p.lanes;
        let w = (1 << LOCK_WIN_LOG2) / lanes;
        let zeros = (vec![0u8; lanes], vec![0i32; lanes]);
        // edges are counted from the first edge after the reset: writes take edges 0..2
        let mut base = vec![cycle(true, false, 0, 0, &zeros.0, &zeros.1)];
        for (a, d) in [(CFG_CDR_CTRL, 0), (CFG_LOCK_THR, 10), (CFG_LOCK_MAX, 0)] {
            base.push(cycle(false, true, a, d, &zeros.0, &zeros.1));
        }
        base.extend(
            std::iter::repeat(cycle(false, false, 0, 0, &zeros.0, &zeros.1)).take(3 * w + 4),
        );
        let lock_at = |o: &[Slots], edge: usize| o[edge + 1][LOCK] == 1; // output after edge
        let quiet = vl
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .run(&base)
            .unwrap();
        assert!(!lock_at(&quiet, w - 1) && lock_at(&quiet, w) && lock_at(&quiet, 2 * w));
        for j in 0..lanes {
            for (edge, window) in [(w - 4, 0), (w - 3, 1), (2 * w - 4, 1), (2 * w - 3, 2)] {
                let mut stim = base.clone();
                stim[edge + 1][SYM0 + lanes + j] = to_raw(-11, ERR_BITS) as u64;
                let got = vl
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .run(&stim)
                    .unwrap();
                let decided: Vec<bool> = (1..=3).map(|k| lock_at(&got, k * w)).collect();
                let mut want = vec![true; 3];
                want[window] = false;
                assert_eq!(
                    decided, want,
                    "lanes={lanes} lane {j}: bad input at edge {edge}"
                );
                assert_eq!(run_model(p, &stim), got);
            }
        }
    }
}

#[test]
fn cdr_exports_lint_clean() {
    for p in pool() {
        lint(
            &format!("cdr_p{}_kp{}", p.lanes, p.cdr.kp),
            &cporx_hdl::export::cdr_verilog(&p).unwrap(),
        );
    }
}

#[test]
fn max_z_pattern_gives_the_largest_detector_output() {
    use cporx_model::cdr::ted;
    for negative in [false, true] {
        let v: Vec<(u8, i32)> = (0..12).map(|k| max_z(k, 255, negative)).collect();
        for k in 1..v.len() {
            let z = ted(v[k].1, v[k].0, v[k - 1].1, v[k - 1].0);
            assert_eq!(z, if negative { -1530 } else { 1530 }, "k={k}");
        }
    }
}
