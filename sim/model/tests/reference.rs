//! The cycle-accurate model (`RxTopModel`), shifted by the spec's latencies, equals the
//! untimed references of `cporx_model::reference` (written from docs/numerics.md
//! alone) at every lane count: FFE and slicer at P = 1, 2, 4, 8, 16 with configuration
//! writes after the reset and mid-stream, the serial CDR loop at P = 1 (at P > 1 the
//! spec's CDR is the decimated loop, a different loop by design).
//!
//! Cycle indexing: stimulus cycle 0 is the reset, the outputs `out[i]` are read after cycle
//! i. The stream `x[m]` starts at cycle 1: sample m is lane `m mod P` of cycle
//! `1 + m / P` (lane 0 the oldest). Timing from the spec:
//! * a block entering in cycle c has its FFE outputs after cycle `c + LAT_FFE - 1` and its
//!   decisions after cycle `c + LAT_TOP - 1` (the FFE registers read 0 before that);
//! * a coefficient written in cycle c applies from the partial products registered at the
//!   next edge, i.e. to the blocks entering in cycle c and later;
//! * a threshold or target written in cycle c applies from the decision of cycle c + 1;
//! * the CDR's edge e is cycle e + 1 (the reset cycle's edge is edge -1).

use cporx_model::reference::{cdr_ref, ffe_y, slicer_ref, CdrRefOut};
use cporx_model::RxTopModel;
use cporx_spec::*;
use proptest::prelude::*;

fn sample() -> impl Strategy<Value = i32> {
    prop_oneof![1 => Just(-32), 1 => Just(31), 6 => -32..=31i32]
}
fn coef() -> impl Strategy<Value = i32> {
    prop_oneof![1 => Just(-128), 1 => Just(127), 1 => Just(0), 6 => -128..=127i32]
}
fn level() -> impl Strategy<Value = i32> {
    prop_oneof![1 => Just(-128), 1 => Just(127), 6 => -128..=127i32]
}
/// The frequency range: its extremes (L = 0 saturates at once) and the rest.
fn flim() -> impl Strategy<Value = u32> {
    prop_oneof![1 => Just(0u32), 1 => Just(255u32), 4 => 0u32..256]
}
/// A configuration write to the FFE or slicer (or an ignored address among them).
fn write() -> impl Strategy<Value = (u32, i32)> {
    (0u32..24, level())
}

#[derive(Clone, Debug)]
struct Case {
    params: RxParams,
    /// (cycle, address, data): cycles >= 1
    writes: Vec<(usize, u32, i32)>,
    samples: Vec<i32>,
}

fn case(lanes: usize, n_samples: usize, cdr: bool) -> impl Strategy<Value = Case> {
    let taps = MIN_TAPS..=MAX_TAPS;
    (
        taps.prop_flat_map(|n| prop::collection::vec(coef(), n)),
        prop::array::uniform3(level()),
        prop::array::uniform4(level()),
        prop::collection::vec(write(), 0..8),
        prop::collection::vec((1usize..n_samples / lanes, write()), 0..6),
        prop::collection::vec(sample(), n_samples),
        (
            0u32..16,
            0u32..8,
            0u32..8,
            0u32..256,
            0u32..256,
            0u32..128,
            flim(),
        ),
    )
        .prop_map(move |(coefs, mut thr, tgt, init, mid, samples, c)| {
            thr.sort();
            let mut params = RxParams {
                lanes,
                n_taps: coefs.len(),
                reset_coefs: coefs,
                thresholds: thr,
                targets: tgt,
                ..Default::default()
            };
            if cdr {
                let (kp, ki, ctrl, lock_thr, lock_max, reset_phase, freq_limit) = c;
                params.cdr = CdrParams {
                    kp,
                    ki,
                    enable: ctrl & 1 != 0,
                    integral: ctrl & 2 != 0,
                    kick: ctrl & 4 != 0,
                    lock_thr,
                    lock_max,
                    reset_phase,
                    freq_limit,
                };
            }
            params.validate().unwrap();
            // writes in the cycles right after the reset (the configuration), then mid-stream
            let mut writes: Vec<(usize, u32, i32)> = init
                .iter()
                .enumerate()
                .map(|(i, &(a, d))| (1 + i, a, d))
                .collect();
            for (c, (a, d)) in mid {
                if !writes.iter().any(|w| w.0 == c) {
                    writes.push((c, a, d));
                }
            }
            writes.sort();
            Case {
                params,
                writes,
                samples,
            }
        })
}

/// Run the model: reset, then one block of the stream per cycle, with the writes.
fn run_model(c: &Case) -> Vec<RxOut> {
    let p = c.params.lanes;
    let mut m = RxTopModel::new(&c.params).unwrap();
    let mut stim = vec![RxIn::reset()];
    for (b, blk) in c.samples.chunks(p).enumerate() {
        let cycle = b + 1;
        let mut i = RxIn::block(blk);
        if let Some(&(_, a, d)) = c.writes.iter().find(|w| w.0 == cycle) {
            i.cfg_we = true;
            i.cfg_addr = a;
            i.cfg_data = d;
        }
        i.validate(cycle).unwrap();
        stim.push(i);
    }
    m.run(&stim)
}

/// The expected per-lane outputs of every cycle, from the references and the spec's timing.
fn expected(c: &Case) -> Vec<Vec<LaneOut>> {
    let p = c.params.lanes;
    let n = c.params.n_taps;
    let cycles = 1 + c.samples.len() / p;
    // coefficients in effect for the block entering in cycle b: the writes of cycles <= b
    let mut coefs_of = vec![c.params.reset_coefs.clone(); cycles];
    // thresholds and targets in effect for the decision of cycle i: writes of cycles < i
    let mut levels_of = vec![(c.params.thresholds, c.params.targets); cycles];
    for &(wc, a, d) in &c.writes {
        for b in wc..cycles {
            if (a as usize) < n {
                coefs_of[b][a as usize] = d;
            }
        }
        for i in wc + 1..cycles {
            let (thr, tgt) = &mut levels_of[i];
            match a {
                16..=18 => thr[(a - 16) as usize] = d,
                20..=23 => tgt[(a - 20) as usize] = d,
                _ => {}
            }
        }
    }
    // y of every cycle: block b = i - (LAT_FFE - 1) if b >= 1, else 0
    let y_of = |i: usize, j: usize| -> i32 {
        match i.checked_sub(LAT_FFE - 1) {
            Some(b) if b >= 1 => ffe_y(&coefs_of[b], &c.samples, (b - 1) * p + j),
            _ => 0,
        }
    };
    (0..cycles)
        .map(|i| {
            (0..p)
                .map(|j| {
                    let y = y_of(i, j);
                    if i == 0 {
                        return LaneOut::default(); // the reset clears the slicer
                    }
                    let (thr, tgt) = &levels_of[i];
                    let (symbol, gray, err) = slicer_ref(y_of(i - LAT_SLICER, j), thr, tgt);
                    LaneOut {
                        y,
                        symbol,
                        gray,
                        err,
                    }
                })
                .collect()
        })
        .collect()
}

fn check_lanes(c: &Case) -> Result<Vec<RxOut>, TestCaseError> {
    let out = run_model(c);
    let want = expected(c);
    prop_assert_eq!(out.len(), want.len());
    for (i, (o, w)) in out.iter().zip(&want).enumerate() {
        for (j, w) in w.iter().enumerate() {
            prop_assert_eq!(
                &o.lane[j],
                w,
                "cycle {} lane {} (sample {} for y)",
                i,
                j,
                (i as i64 - LAT_FFE as i64) * c.params.lanes as i64 + j as i64
            );
        }
    }
    Ok(out)
}

const N_SAMPLES: usize = 1024;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ffe_and_slicer_equal_the_references_1_lane(c in case(1, N_SAMPLES, false)) {
        check_lanes(&c)?;
    }
    #[test]
    fn ffe_and_slicer_equal_the_references_2_lanes(c in case(2, N_SAMPLES, false)) {
        check_lanes(&c)?;
    }
    #[test]
    fn ffe_and_slicer_equal_the_references_4_lanes(c in case(4, N_SAMPLES, false)) {
        check_lanes(&c)?;
    }
    #[test]
    fn ffe_and_slicer_equal_the_references_8_lanes(c in case(8, N_SAMPLES, false)) {
        check_lanes(&c)?;
    }
    #[test]
    fn ffe_and_slicer_equal_the_references_16_lanes(c in case(16, N_SAMPLES, false)) {
        check_lanes(&c)?;
    }

    /// The serial CDR loop at one lane, on the reference slicer outputs (five windows, so
    /// lock decisions and kicks happen), with random gains, control and lock settings.
    #[test]
    fn cdr_equals_the_serial_reference_1_lane(c in case(1, 2400, true)) {
        let out = check_lanes(&c)?;
        let want = expected(&c);
        // slicer output after edge e = cycle e + 1
        let sym: Vec<u8> = want[1..].iter().map(|l| l[0].symbol).collect();
        let err: Vec<i32> = want[1..].iter().map(|l| l[0].err).collect();
        let r = cdr_ref(&c.params.cdr, &sym, &err);
        for (e, w) in r.iter().enumerate() {
            let o = &out[e + 1];
            let got = CdrRefOut { phase: o.phase, lock: o.lock, freq: o.freq };
            prop_assert_eq!(got, *w, "edge {} (cycle {})", e, e + 1);
        }
    }
}

/// Directed: the rounding ties and saturation points of the FFE's four lines.
#[test]
fn ffe_reference_ties_and_saturation() {
    // 1 * 16 (0.25 in Q.6) rounds up to +0.5 (code 1); -16 to 0; -17 to -1
    assert_eq!(ffe_y(&[16, 0], &[1], 0), 1);
    assert_eq!(ffe_y(&[-16, 0], &[1], 0), 0);
    assert_eq!(ffe_y(&[-17, 0], &[1], 0), -1);
    // the largest sums saturate
    assert_eq!(ffe_y(&[-128; 16], &[-32; 16], 15), 127);
    assert_eq!(ffe_y(&[127; 16], &[-32; 16], 15), -128);
    // history before the first sample is 0
    assert_eq!(ffe_y(&[0, 64], &[5], 0), 0);
    assert_eq!(
        slicer_ref(-128, &[127, 127, 127], &[127, 0, 0, 0]),
        (0, 0, -255)
    );
    assert_eq!(
        slicer_ref(127, &[-128, -128, -128], &[0, 0, 0, -128]),
        (3, 0b10, 255)
    );
}

/// A CDR run that does lock and kick (default gains, P = 1), so the property's
/// comparison of `lock` and the kick is not vacuous on random data alone.
#[test]
fn cdr_reference_locks_and_kicks() {
    // constant err 0 then constant bad err: lock at edge 256, then unlocked windows
    let cdr = CdrParams {
        kp: 0,
        integral: false,
        lock_thr: 10,
        lock_max: 3,
        ..Default::default()
    };
    let mut err = vec![0; 300];
    err.extend(vec![100; 2000]);
    let sym = vec![0u8; err.len()];
    let r = cdr_ref(&cdr, &sym, &err);
    assert!(!r[255].lock && r[256].lock);
    // after the first lock no kick; a fresh reset with bad data kicks at edge 1025
    let r = cdr_ref(&cdr, &vec![0; 1100], &vec![100; 1100]);
    assert!(!r[1024].lock);
    assert_eq!(r[1025].phase, r[1024].phase ^ 64);
    // and the model agrees on both
    for errs in [err.clone(), vec![100; 1100]] {
        let mut m = cporx_model::CdrModel::new(&RxParams {
            cdr: cdr.clone(),
            ..Default::default()
        })
        .unwrap();
        m.step(&RxIn::reset(), &[0], &[0]);
        let want = cdr_ref(&cdr, &vec![0; errs.len()], &errs);
        // slicer output after edge e is the CDR's input at edge e + 1
        let mut prev = (0u8, 0i32);
        for (e, &x) in errs.iter().enumerate() {
            m.step(&RxIn::default(), &[prev.0], &[prev.1]);
            prev = (0, x);
            let got = CdrRefOut {
                phase: m.pi_code(),
                lock: m.lock,
                freq: m.freq,
            };
            assert_eq!(got, want[e], "edge {e}");
        }
    }
}

// ---- LMS: the block model against `lms_ref` on the same edges ----

use cporx_model::lms::{LmsIn, LmsModel};
use cporx_model::reference::lms_ref;

/// One LMS edge: errors and samples with their extremes (and zeros, sgn(0) = 0), the
/// step codes biased to the large steps that reach saturation, random freezes, bus
/// writes (any address: coefficients of missing taps and other blocks' registers are
/// ignored) and rare resets.
fn lms_edge(lanes: usize) -> impl Strategy<Value = LmsIn> {
    let err = prop_oneof![1 => Just(-256), 1 => Just(255), 2 => Just(0), 6 => -256..=255i32];
    let mu = prop_oneof![3 => 0u32..4, 1 => 0u32..16];
    (
        prop::collection::vec(sample(), lanes),
        err,
        prop::bool::weighted(0.9),
        mu,
        prop_oneof![4 => Just(0u16), 1 => any::<u16>()],
        prop::bool::weighted(0.05),
        (0u32..32, coef()),
        prop::bool::weighted(0.01),
    )
        .prop_map(move |(x, err, enable, mu, freeze, we, (addr, data), rst)| {
            let mut adc = [0; MAX_LANES];
            adc[..x.len()].copy_from_slice(&x);
            LmsIn {
                rst,
                cfg_we: we,
                cfg_addr: addr,
                cfg_data: data,
                adc,
                err,
                enable,
                mu,
                freeze,
            }
        })
}

fn lms_case(lanes: usize) -> impl Strategy<Value = (Vec<i32>, bool, Vec<LmsIn>)> {
    (
        (MIN_TAPS..=MAX_TAPS).prop_flat_map(|n| prop::collection::vec(coef(), n)),
        any::<bool>(),
        prop::collection::vec(lms_edge(lanes), 50..400),
    )
}

fn check_lms(lanes: usize, coefs: Vec<i32>, from_reset: bool, mut edges: Vec<LmsIn>) {
    if from_reset {
        edges[0].rst = true;
    }
    let mut p = RxParams::default();
    p.lanes = lanes;
    p.n_taps = coefs.len();
    p.reset_coefs = coefs.clone();
    let mut m = LmsModel::new(&p).unwrap();
    let want = lms_ref(lanes, &coefs, &edges);
    for (c, (i, w)) in edges.iter().zip(&want).enumerate() {
        let o = m.step(i);
        assert_eq!(
            (o.wr_we, o.wr_addr, o.wr_data),
            *w,
            "edge {c} of {} (P = {lanes}, N = {}): model against lms_ref",
            edges.len(),
            coefs.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn lms_equals_the_reference_1_lane((c, r, e) in lms_case(1)) { check_lms(1, c, r, e) }
    #[test]
    fn lms_equals_the_reference_2_lanes((c, r, e) in lms_case(2)) { check_lms(2, c, r, e) }
    #[test]
    fn lms_equals_the_reference_4_lanes((c, r, e) in lms_case(4)) { check_lms(4, c, r, e) }
    #[test]
    fn lms_equals_the_reference_8_lanes((c, r, e) in lms_case(8)) { check_lms(8, c, r, e) }
    #[test]
    fn lms_equals_the_reference_16_lanes((c, r, e) in lms_case(16)) { check_lms(16, c, r, e) }
}

// ---- Levels: the block model against `levels_ref` ----

use cporx_model::levels::{LevelsIn, LevelsModel};
use cporx_model::reference::levels_ref;

fn levels_edge() -> impl Strategy<Value = LevelsIn> {
    let err = prop_oneof![1 => Just(-256), 1 => Just(255), 2 => Just(0), 6 => -256..=255i32];
    (
        0u8..4,
        err,
        prop::bool::weighted(0.9),
        prop_oneof![3 => 0u32..4, 1 => 0u32..16],
        prop::bool::weighted(0.05),
        (0u32..32, coef()),
        prop::bool::weighted(0.01),
    )
        .prop_map(
            |(symbol, err, enable, mu, we, (addr, data), rst)| LevelsIn {
                rst,
                cfg_we: we,
                cfg_addr: addr,
                cfg_data: data,
                symbol,
                err,
                enable,
                mu,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn levels_equal_the_reference(
        tgt in prop::array::uniform4(level()),
        from_reset in any::<bool>(),
        mut edges in prop::collection::vec(levels_edge(), 20..300),
    ) {
        if from_reset {
            edges[0].rst = true;
        }
        let mut p = RxParams::default();
        p.targets = tgt;
        let mut m = LevelsModel::new(&p).unwrap();
        let want = levels_ref(&tgt, &edges);
        for (c, (i, w)) in edges.iter().zip(&want).enumerate() {
            let o = m.step(i);
            prop_assert_eq!((o.wr_we, o.wr_addr, o.wr_data), *w, "edge {}", c);
        }
    }
}
