//! The study's adaptive column (`study::adaptive`): the link it runs has the study's noise
//! and the adaptive receiver from reset; the rule (95 % upper bound below the target) and
//! the cell text; a search on the ideal hop.

use cporx_link::pulse::{pulse_response, PulseOpts};
use cporx_link::study::{self, adaptive, Case, StudyOpts};
use cporx_spec::*;

fn ideal() -> Case {
    let h = study::ideal_response(53.125e9);
    let p = pulse_response(&h, &PulseOpts::for_baud(53.125e9)).unwrap();
    Case::new("ideal", p, None).unwrap()
}

#[test]
fn the_link_has_the_studys_noise_and_starts_from_reset() {
    let case = ideal();
    let o = StudyOpts {
        snr_db: 27.0,
        ..Default::default()
    };
    for dfe in [false, true] {
        let c = adaptive::link_config(&case, &o, 5, dfe, 200_000, 7).unwrap();
        // the same noise sigma, in the normalized pulse's level units
        let s = c.afe.noise_sigma();
        assert!((s - case.noise_sigma(&o)).abs() < 1e-12 * s, "{s}");
        // the launch SNR after the loss: 27 dB + 20 log10(peak)
        let want = 27.0 + 20.0 * case.pulse.peak().abs().log10();
        assert!((c.afe.snr_db.unwrap() - want).abs() < 1e-9);
        assert_eq!(c.rx.reset_coefs, vec![0, 64, 0, 0, 0]);
        assert_eq!(c.rx.thresholds, [-32, 0, 32]);
        let ad = c.rx.adapt.as_ref().unwrap();
        assert!(ad.lms_enable && ad.levels_enable && ad.agc_enable && c.readback);
        assert_eq!(c.rx.dfe_taps, dfe as usize);
        assert_eq!(ad.freeze(), if dfe { adaptive::DFE_FREEZE } else { 0x11 });
        assert_eq!(c.afe.ppm, 0.0);
    }
}

#[test]
fn the_ui_count_must_be_able_to_show_the_target() {
    // zero errors in 2 (ui - 50000) bits: the 95 % Wilson bound 3.84 / (bits + 3.84)
    assert!(adaptive::measurable(adaptive::ADAPTIVE_UI, 1e-6));
    assert!(!adaptive::measurable(1_000_000, 1e-6));
    assert!(adaptive::measurable(1_000_000, 1e-5));
    assert!(!adaptive::measurable(adaptive::ADAPTIVE_UI, 1e-7));
    // a search that cannot show the target runs nothing and says not measured
    let case = ideal();
    let o = StudyOpts {
        target_ber: 1e-9,
        ..Default::default()
    };
    let s = adaptive::search(&case, &o, false, 200_000, 1, &mut |_| {
        panic!("no run when the target cannot be shown")
    })
    .unwrap();
    assert!(s.trials.is_empty() && s.reached().is_none());
    let t = s.describe(&o);
    assert!(
        t.starts_with("not measured (200000 UI cannot show 1e-9"),
        "{t}"
    );
}

#[test]
fn the_ideal_hop_reaches_1e_5_at_the_fewest_taps() {
    // a short run at a loose target: 1e6 UI show 1e-5 with zero errors (bound ~2e-6)
    let case = ideal();
    let o = StudyOpts {
        target_ber: 1e-5,
        ..Default::default()
    };
    let mut seen = vec![];
    let s = adaptive::search(&case, &o, false, 1_000_000, 1, &mut |n| seen.push(n)).unwrap();
    let t = s.reached().expect("the ideal hop reaches 1e-5");
    assert_eq!(seen.first(), Some(&MIN_TAPS));
    assert_eq!(seen.last(), Some(&t.n_taps));
    let b = t.ber.unwrap();
    assert!(b.trials > 1_500_000, "{b:?}");
    assert!(b.ci95().unwrap().1 < 1e-5);
    assert!(!t.false_lock && t.freq_ppm.abs() < adaptive::FALSE_LOCK_PPM);
    let cell = s.describe(&o);
    assert!(
        cell.starts_with(&format!("{} taps: ", t.n_taps)) && cell.contains("bit errors in"),
        "{cell}"
    );
    // the rule: a point estimate below the target is not enough when the bound is above
    let few = adaptive::search(
        &case,
        &StudyOpts {
            target_ber: 4e-6,
            ..Default::default()
        },
        false,
        1_000_000,
        1,
        &mut |_| {},
    )
    .unwrap();
    for t in &few.trials {
        if let Some(b) = t.ber {
            assert_eq!(t.reached, b.ci95().unwrap().1 < 4e-6 && !t.false_lock);
        }
    }
}
