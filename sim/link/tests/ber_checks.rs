//! BER cross-checks that do not trust our own statistics:
//!
//! 1. Monte-Carlo symbol error rate on an ideal channel against the closed-form PAM-4
//!    AWGN formula, within the Monte-Carlo count's 99.9 % confidence interval.
//! 2. Monte-Carlo (bit-exact model) against the statistical eye on a measured channel,
//!    from BER 1e-4 down to 1e-6.

use cporx_link::montecarlo::{self, McConfig};
use cporx_link::pulse::{pulse_response, PulseOpts};
use cporx_link::stateye::{self, q_func};
use cporx_link::study::{self, Case, StudyOpts};
use cporx_link::touchstone;
use cporx_spec::*;
use std::path::PathBuf;

fn channels() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/channels")
}

/// The closed-form PAM-4 SER in white Gaussian noise for decision boundaries `b` (level
/// units; levels -3, -1, 1, 3 equiprobable): sum over levels of the Gaussian tails beyond
/// the level's boundaries. With b = (-2, 0, 2) this is the textbook 1.5 Q(1/sigma).
fn pam4_ser(sigma: f64, b: [f64; 3]) -> f64 {
    let lv = [-3.0, -1.0, 1.0, 3.0];
    let mut s = 0.0;
    for (i, a) in lv.iter().enumerate() {
        if i > 0 {
            s += q_func((a - b[i - 1]) / sigma);
        }
        if i < 3 {
            s += q_func((b[i] - a) / sigma);
        }
    }
    s / 4.0
}

#[test]
fn ideal_channel_ser_matches_the_closed_form() {
    // Receiver: 6-bit ADC at full scale 4 (8 codes per level unit), unit FFE (c = 64, so
    // y = 2x), thresholds -32, 0, 32. The decision "y >= t" is "x >= t/2", and the ADC's
    // round-half-away-from-zero puts that at v >= (t/2 - 1/2)/8 for t > 0 and
    // v > (t/2 - 1/2)/8 otherwise: the boundaries sit 1/16 of a level unit below the
    // textbook ones. The closed form is evaluated at those boundaries (the textbook
    // 1.5 Q(1/sigma) is printed beside it; it differs by 5-20 % at these SNRs).
    let b = [-2.0625, -0.0625, 1.9375];
    assert!((pam4_ser(0.3, [-2.0, 0.0, 2.0]) - 1.5 * q_func(1.0 / 0.3)).abs() < 1e-15);
    for (snr, symbols) in [(16.0, 4_000_000u64), (18.0, 10_000_000), (20.0, 40_000_000)] {
        let sigma = (5.0 / 10f64.powf(snr / 10.0)).sqrt();
        let c = McConfig::ideal_channel(sigma, symbols, 11);
        assert_eq!(c.rx.thresholds, [-32, 0, 32]);
        let r = montecarlo::run(&c, &|_| {}).unwrap();
        let (lo, hi) = stateye::binomial_ci(r.symbol_errors, r.symbols, 0.999);
        let theory = pam4_ser(sigma, b);
        println!(
            "SNR {snr} dB: Monte-Carlo SER {:.4e} [{lo:.4e}, {hi:.4e}] ({} errors in {}), closed form {theory:.4e}, textbook {:.4e}",
            r.ser(),
            r.symbol_errors,
            r.symbols,
            1.5 * q_func(1.0 / sigma)
        );
        assert!(r.symbol_errors >= 100, "too few errors to test at {snr} dB");
        assert!(
            (lo..=hi).contains(&theory),
            "SNR {snr} dB: closed form {theory:.4e} outside the Monte-Carlo 99.9% interval [{lo:.4e}, {hi:.4e}]"
        );
    }
}

#[test]
fn monte_carlo_and_statistical_eye_agree_from_1e4_to_1e6() {
    // The measured 14 dB C2M host channel, 3-tap FFE (MMSE, quantized), the study's AGC
    // and launch-SNR conventions. Tolerance: the statistical BER is within 25 % of the
    // Monte-Carlo BER (|log10 ratio| <= 0.1) and inside the Monte-Carlo count's 99.9 %
    // interval widened by 15 % on each side. Measured: ratios 0.85 .. 1.02 (400 bit errors each).
    let f = channels().join("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p");
    let ts = touchstone::read(&f).unwrap();
    let (map, _) = ts.detect_port_map().unwrap();
    let p = pulse_response(&ts.sdd21(&map).unwrap(), &PulseOpts::default()).unwrap();
    let case = Case::new("c2m", p, None).unwrap();
    let mut reached = vec![];
    for (snr, symbols) in [
        (30.0, 4_000_000u64),
        (33.0, 20_000_000),
        (37.5, 300_000_000),
    ] {
        let o = StudyOpts {
            snr_db: snr,
            ..Default::default()
        };
        let d = study::best_design(&case, &o, 3, ADC_BITS as u32).unwrap();
        let mut c = d.mc_config(&case, &o, symbols, 5);
        c.max_errors = 400;
        let r = montecarlo::run(&c, &|_| {}).unwrap();
        let (lo, hi) = stateye::binomial_ci(r.bit_errors, 2 * r.symbols, 0.999);
        let stat = d.stat.ber;
        println!(
            "launch SNR {snr} dB, taps {:?}: Monte-Carlo BER {:.3e} [{lo:.3e}, {hi:.3e}] ({} bit errors, {} symbols), statistical {stat:.3e}, ratio {:.3}",
            d.codes,
            r.ber(),
            r.bit_errors,
            r.symbols,
            stat / r.ber()
        );
        assert!(r.bit_errors >= 100, "too few errors at {snr} dB");
        assert!(
            (stat / r.ber()).log10().abs() <= 0.1,
            "SNR {snr}: statistical {stat:.3e} vs Monte-Carlo {:.3e}",
            r.ber()
        );
        assert!(stat >= lo / 1.15 && stat <= hi * 1.15);
        reached.push(r.ber());
    }
    // the points span the range where both methods reach
    assert!(reached[0] > 1e-4 && reached[2] < 2e-6, "{reached:?}");
}

#[test]
fn the_studys_fewest_bits_hold_under_monte_carlo() {
    // The study picks the fewest ADC bits by statistical eye, where the coarse ADC's
    // quantization is modelled (bounded uniform errors), not simulated. Check both sides
    // of each decision with the bit-exact Monte-Carlo at the study's default 33 dB: one bit
    // fewer misses 1e-6 (the MC's whole 99.9 % interval above it), the chosen count reaches
    // it (the interval's top below it). Measured: TEC 3 taps 4 bits 4.9e-5, 5 bits 1e-8;
    // C2M 6 taps 5 bits 1.6e-5, 6 bits 2.4e-7.
    let o = StudyOpts {
        snr_db: 33.0,
        ..Default::default()
    };
    for (file, want_taps, want_bits) in [
        ("TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p", 3, 5),
        ("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p", 6, 6),
    ] {
        let ts = touchstone::read(&channels().join(file)).unwrap();
        let (map, _) = ts.detect_port_map().unwrap();
        let p = pulse_response(&ts.sdd21(&map).unwrap(), &PulseOpts::default()).unwrap();
        let case = Case::new(file, p, None).unwrap();
        let taps = study::fewest_taps(&case, &o).unwrap();
        assert_eq!(taps.n_taps, want_taps, "{file}");
        let d = study::fewest_bits(&case, &o, taps.n_taps).unwrap();
        assert_eq!(d.adc_bits, want_bits, "{file}");
        let fewer = study::best_design(&case, &o, d.n_taps, d.adc_bits - 1).unwrap();
        assert!(fewer.stat.ber > o.target_ber);
        for (design, reaches) in [(&d, true), (&fewer, false)] {
            let mut c = design.mc_config(&case, &o, 50_000_000, 3);
            c.max_errors = 300;
            let r = montecarlo::run(&c, &|_| {}).unwrap();
            let (lo, hi) = stateye::binomial_ci(r.bit_errors, 2 * r.symbols, 0.999);
            println!(
                "{file}: {} taps, {} bits: Monte-Carlo BER {:.2e} [{lo:.1e}, {hi:.1e}], statistical {:.2e}",
                design.n_taps,
                design.adc_bits,
                r.ber(),
                design.stat.ber
            );
            if reaches {
                assert!(
                    hi < o.target_ber,
                    "{file}: {} bits should reach 1e-6",
                    design.adc_bits
                );
            } else {
                assert!(
                    lo > o.target_ber,
                    "{file}: {} bits should miss 1e-6",
                    design.adc_bits
                );
            }
        }
    }
}
