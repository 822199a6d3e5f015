//! The DFE in the statistical eye against the bit-exact Monte-Carlo (the model's DFE,
//! `montecarlo` with `RxParams::dfe_taps` = 1), on channels with a large first
//! post-cursor: a synthetic one (h(1) = 0.5, where error propagation is large) and the
//! measured 14 dB C2M host channel (h(1) = 0.36 of the peak) with the study's jointly
//! solved FFE + DFE designs. And the study's DFE column on it.

use cporx_link::montecarlo::{self, McConfig};
use cporx_link::pulse::{pulse_response, PulseOpts};
use cporx_link::stateye::{self, EyeSetup};
use cporx_link::study::{self, Case, StudyOpts};
use cporx_link::touchstone;
use cporx_spec::*;
use std::path::PathBuf;

fn channels() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/channels")
}

fn c2m() -> Case {
    let f = channels().join("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p");
    let ts = touchstone::read(&f).unwrap();
    let (map, _) = ts.detect_port_map().unwrap();
    let p = pulse_response(&ts.sdd21(&map).unwrap(), &PulseOpts::default()).unwrap();
    Case::new("c2m", p, None).unwrap()
}

/// The Monte-Carlo of an eye setup: its cursors, noise, full scale and ADC, the receive top
/// with its taps, thresholds and (when `setup.dfe` != 0) the DFE with that fixed tap.
fn mc_of(setup: &EyeSetup, symbols: u64, seed: u64) -> McConfig {
    let mut rx = RxParams::with_taps(setup.coefs.len(), setup.main_tap).unwrap();
    rx.reset_coefs = setup.coefs.clone();
    rx.thresholds = setup.thresholds;
    if setup.dfe != 0 {
        rx.dfe_taps = 1;
        rx.dfe_reset = setup.dfe;
    }
    McConfig {
        cursors: setup.cursors.clone(),
        noise_sigma: setup.noise_sigma,
        full_scale: setup.full_scale,
        adc_bits: setup.adc_bits,
        rx: rx.with_lanes(16).unwrap(),
        main_tap: setup.main_tap,
        symbols,
        max_errors: 0,
        seed,
        threads: 0,
    }
}

/// |log10(stat / mc)| and the MC count's 99.9 % interval.
fn compare(what: &str, stat: &stateye::EyeResult, r: &montecarlo::McResult) -> (f64, f64, f64) {
    let (lo, hi) = stateye::binomial_ci(r.bit_errors, 2 * r.symbols, 0.999);
    println!(
        "{what}: Monte-Carlo BER {:.3e} [{lo:.3e}, {hi:.3e}] ({} bit errors in {} symbols), statistical {:.3e} (no propagation {:.3e}), ratio {:.3}",
        r.ber(),
        r.bit_errors,
        r.symbols,
        stat.ber,
        stat.ber_no_propagation,
        stat.ber / r.ber()
    );
    ((stat.ber / r.ber()).log10().abs(), lo, hi)
}

#[test]
fn error_propagation_on_a_large_post_cursor_matches_monte_carlo() {
    // h = [1, 0.5], a one-tap FFE (16 Q7.1 codes a level unit), d = 8 cancels the
    // post-cursor exactly. A wrong previous decision (one level off) shifts the next
    // sample by 2 d = 16 codes, a whole level: the next decision errs with probability
    // near 1/2, so the BER is about twice the no-propagation one.
    // Full scale 6 (5.33 ADC codes a level unit) keeps the largest sample, 4.5 level units,
    // inside the ADC; the main tap 96 makes 16 Q7.1 codes a level unit.
    for (sigma, symbols) in [(0.32, 4_000_000u64), (0.26, 20_000_000)] {
        let st = EyeSetup {
            cursors: vec![(0, 1.0), (1, 0.5)],
            slopes: vec![],
            noise_sigma: sigma,
            rj_rms_ui: 0.0,
            full_scale: 6.0,
            adc_bits: 6,
            coefs: vec![96, 0],
            main_tap: 0,
            thresholds: [-32, 0, 32],
            dfe: 8,
        };
        let s = stateye::ber(&st);
        let r = montecarlo::run(&mc_of(&st, symbols, 3), &|_| {}).unwrap();
        let (q, lo, hi) = compare(&format!("h [1, 0.5], sigma {sigma}"), &s, &r);
        assert!(r.bit_errors >= 300, "too few errors: {}", r.bit_errors);
        // the propagation is real and large here: the correct-decision figure misses it
        assert!(
            s.ber > 1.5 * s.ber_no_propagation,
            "{} vs {}",
            s.ber,
            s.ber_no_propagation
        );
        assert!(
            s.ber_no_propagation < lo,
            "no-propagation BER inside the MC interval"
        );
        // the Markov chain gets it within 15 %
        assert!(q <= 0.06, "ratio off by 10^{q}");
        assert!(s.ber >= lo / 1.1 && s.ber <= hi * 1.1);
        // the transition rows are a distribution
        for row in s.transitions {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}

#[test]
fn the_studys_dfe_designs_on_c2m_match_monte_carlo() {
    // 5 FFE taps + the DFE (taps and DFE tap solved jointly, quantized: the DFE tap is
    // 5 Q7.1 codes against a main cursor of ~12 codes a level unit at 33 dB, i.e. it takes
    // the 0.36 post-cursor off the FFE), at two launch SNRs; the statistical BER (Markov
    // chain) within 25 % of the Monte-Carlo.
    let case = c2m();
    for (snr, symbols) in [(26.0, 4_000_000u64), (28.0, 40_000_000)] {
        let o = StudyOpts {
            snr_db: snr,
            ..Default::default()
        };
        let d = study::best_design_with(&case, &o, 5, ADC_BITS as u32, true).unwrap();
        let ffe = study::best_design(&case, &o, 5, ADC_BITS as u32).unwrap();
        let tap = d.dfe.expect("a DFE design");
        assert_eq!(d.setup.dfe, tap);
        let g0 = d.stat.main;
        assert!(
            tap as f64 > 0.25 * g0,
            "the DFE takes the large first post-cursor: tap {tap}, main {g0:.1}"
        );
        // the DFE helps on this channel
        assert!(
            d.stat.ber < ffe.stat.ber,
            "{} vs {}",
            d.stat.ber,
            ffe.stat.ber
        );
        let mut c = d.mc_config(&case, &o, symbols, 9);
        c.max_errors = 1000;
        assert_eq!((c.rx.dfe_taps, c.rx.dfe_reset), (1, tap));
        let r = montecarlo::run(&c, &|_| {}).unwrap();
        let (q, lo, hi) = compare(
            &format!("C2M {snr} dB, taps {:?} + DFE {tap}", d.codes),
            &d.stat,
            &r,
        );
        assert!(r.bit_errors >= 100, "too few errors at {snr} dB");
        assert!(q <= 0.1, "{snr} dB: ratio off by 10^{q}");
        assert!(d.stat.ber >= lo / 1.15 && d.stat.ber <= hi * 1.15);
    }
}

#[test]
fn a_dfe_tap_of_zero_is_the_slicer_and_the_tap_is_range_checked() {
    let case = c2m();
    let o = StudyOpts::default();
    let d = study::best_design(&case, &o, 4, ADC_BITS as u32).unwrap();
    assert_eq!(d.setup.dfe, 0);
    assert_eq!(d.stat.ber, d.stat.ber_no_propagation);
    let mut st = d.setup.clone();
    st.dfe = 128;
    let e = st.validate().unwrap_err();
    assert!(
        e.contains("DFE tap 128") && e.contains("-128 ..= 127"),
        "{e}"
    );
}

#[test]
fn the_dfe_column_on_c2m() {
    // at 32 dB launch SNR (the FFE alone needs more taps than at the study's 33 dB): the
    // DFE never needs more taps, and at the FFE's count its BER is lower
    let case = c2m();
    let o = StudyOpts {
        snr_db: 32.0,
        ..Default::default()
    };
    let ffe = study::tap_search(&case, &o);
    let dfe = study::tap_search_with(&case, &o, true);
    let (nf, nd) = (
        ffe.fewest.as_ref().unwrap().n_taps,
        dfe.fewest.as_ref().unwrap().n_taps,
    );
    println!(
        "C2M 32 dB: FFE {}, with DFE {}",
        ffe.describe(&o),
        dfe.describe(&o)
    );
    assert!(nd <= nf, "{nd} taps with the DFE, {nf} without");
    let at = |dfe| {
        study::best_design_with(&case, &o, nf, ADC_BITS as u32, dfe)
            .unwrap()
            .stat
            .ber
    };
    assert!(at(true) < at(false) / 2.0, "{} vs {}", at(true), at(false));
    assert!(dfe.describe(&o).contains("DFE tap"));
}

#[test]
fn the_joint_ffe_dfe_solution_is_the_minimum() {
    // the MSE without the symbol the DFE cancels (m = main + 1), 5 E[a^2] sum over the
    // other symbols of (g_m - delta_main)^2 plus the noise, is smallest at the solution:
    // every tap moved either way by 1e-3 raises it; and it is below the FFE-only MSE
    let case = c2m();
    let cur = case.norm.cursors(0.0);
    let h = |k: i64| cur.iter().find(|c| c.0 as i64 == k).map_or(0.0, |c| c.1);
    let var = 1e-3;
    let mse = |c: &[f64], main: usize, skip: Option<i64>| {
        let mut s = 0.0;
        for m in -20i64..60 {
            if Some(m) == skip {
                continue;
            }
            let g: f64 = c
                .iter()
                .enumerate()
                .map(|(k, ck)| ck * h(m - k as i64))
                .sum();
            let want = if m == main as i64 { 1.0 } else { 0.0 };
            s += 5.0 * (g - want).powi(2);
        }
        s + var * c.iter().map(|v| v * v).sum::<f64>()
    };
    for (n, main) in [(3, 1), (5, 1), (6, 2)] {
        let c = cporx_link::taps::solve_mmse_dfe(&cur, n, main, var).unwrap();
        let f = cporx_link::taps::solve_mmse(&cur, n, main, var).unwrap();
        let skip = Some(main as i64 + 1);
        let m0 = mse(&c, main, skip);
        for k in 0..n {
            for dv in [-1e-3, 1e-3] {
                let mut c2 = c.clone();
                c2[k] += dv;
                assert!(mse(&c2, main, skip) > m0, "{n} taps: tap {k} {dv:+}");
            }
        }
        assert!(m0 < mse(&f, main, None), "{n} taps");
        assert!(m0 <= mse(&f, main, skip) + 1e-12, "{n} taps");
    }
}

#[test]
fn the_links_converged_dfe_point_has_a_comparable_statistical_ber() {
    // The closed loop with the DFE (its tap adapting from 0, AGC and levels adapting), the
    // FFE fixed at the joint FFE + DFE MMSE taps (the LMS off: with it on the FFE's taps
    // keep moving beside the DFE's, so the loop's convergence is never told). The
    // converged point's statistical eye (`closed_loop::converged_eye`) decides as the DFE,
    // with the read-back tap; it agrees with the BER counted after convergence within 2x.
    use cporx_link::afe::AfeConfig;
    use cporx_link::closed_loop::{self, LinkConfig};
    let case = c2m();
    let mut afe = AfeConfig::new(case.norm.clone());
    afe.snr_db = Some(20.0);
    let n = 5;
    let t = cporx_link::taps::solve_mmse_dfe(&case.norm.cursors(0.0), n, 1, 5.0 / 100.0).unwrap();
    let cps = cporx_link::taps::coef_scale(afe.full_scale);
    let mut c = LinkConfig::new(afe, n, 1_000_000).unwrap();
    c.rx.reset_coefs = t.iter().map(|v| (v * cps).round() as i32).collect();
    let mut ad = AdaptParams::default();
    ad.lms_enable = false;
    c.rx.adapt = Some(ad);
    c.rx.dfe_taps = 1;
    c.readback = true;
    c.writes = vec![(CFG_PHASE, closed_loop::seeded_phase(1) as i32)];
    let r = closed_loop::run_link_model(&c).unwrap();
    let rb = r.readback.as_ref().unwrap();
    let d = rb.dfe.expect("the DFE tap is read back");
    let k = r.after_converged.as_ref().expect("converged");
    assert!(r.unmeasured_after_converged(&c).is_none());
    let e = closed_loop::converged_eye(&c, &r).unwrap();
    assert_eq!(e.dfe, d);
    let stat = stateye::ber(&e);
    let mut plain = e.clone();
    plain.dfe = 0;
    let b = k.ber();
    println!(
        "C2M 20 dB, taps {:?}, DFE tap {d}: measured {}, statistical {:.3e} (no propagation {:.3e}; as a plain slicer {:.3e}), {:+.1} ppm",
        rb.taps,
        b.describe("bit errors", ""),
        stat.ber,
        stat.ber_no_propagation,
        stateye::ber(&plain).ber,
        r.freq_ppm()
    );
    assert!(d >= 2, "the DFE tap adapts towards the post-cursor: {d}");
    assert!(b.events >= 50, "{b:?}");
    let q = b.value().unwrap() / stat.ber;
    assert!((0.5..=2.0).contains(&q), "measured / statistical = {q}");
}
