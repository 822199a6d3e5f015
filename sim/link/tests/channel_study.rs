//! The study's tap search on channels it cannot open (issue 11, class 3): a channel that
//! needs only more SNR and one that no FFE up to 16 taps opens read differently (before,
//! both read `none up to 16`), and a closed 3-tap eye is marked so its codes and LMS are
//! not taken at face value.

use cporx_link::pulse::{self, load_channel, ChannelLoad, PulseOpts};
use cporx_link::study::{self, Case, Limit, StudyOpts};
use cporx_link::touchstone::FreqResponse;
use cporx_spec::ADC_BITS;
use num_complex::Complex64;
use std::path::Path;

const C2M: &str = "C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p";

fn opts(snr_db: f64) -> StudyOpts {
    StudyOpts {
        snr_db,
        ..Default::default()
    }
}

fn c2m() -> Case {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/channels")
        .join(C2M);
    let l = load_channel(&p, &ChannelLoad::new(53.125e9)).unwrap();
    Case::new("c2m", l.pulse, None).unwrap()
}

/// A pure skin-effect channel, `il` dB at 26.5625 GHz (its own causal phase), DC to 50 GHz.
fn skin(il: f64) -> Case {
    let f: Vec<f64> = (0..=5000).map(|i| i as f64 * 1e7).collect();
    let db_per_neper = 20.0 / std::f64::consts::LN_10;
    let c = il / (db_per_neper * 26.5625e9f64.sqrt() * std::f64::consts::FRAC_1_SQRT_2);
    let h = f
        .iter()
        .map(|&x| (-c * Complex64::new(0.0, x).sqrt()).exp())
        .collect();
    let p = pulse::pulse_response(&FreqResponse { f_hz: f, h }, &PulseOpts::default()).unwrap();
    Case::new("skin", p, None).unwrap()
}

#[test]
fn more_snr_or_more_equalizer() {
    // the 14 dB C2M host channel at 20 dB: more SNR would do
    let case = c2m();
    let o = opts(20.0);
    let s = study::tap_search(&case, &o);
    assert!(s.fewest.is_none());
    assert_eq!(s.limit(), Some(Limit::Snr));
    let need = s.snr_needed_db.unwrap();
    assert!(need > 20.0 && need < 33.0, "{need}");
    let text = s.describe(&o);
    assert!(
        text.starts_with("none up to 16: best ")
            && text.ends_with(&format!("needs {need:.1} dB launch SNR at 16 taps")),
        "{text}"
    );
    // and at that SNR 16 taps do reach the target
    let d = study::best_design(&case, &opts(need), 16, ADC_BITS as u32).unwrap();
    assert!(d.stat.ber <= o.target_ber, "{}", d.stat.ber);
    // 30 dB of pure skin effect: no SNR up to 80 dB opens it with 16 taps
    let case = skin(30.0);
    let o = opts(33.0);
    let s = study::tap_search(&case, &o);
    assert_eq!(s.limit(), Some(Limit::Equalizer));
    let text = s.describe(&o);
    assert!(
        text.contains(
            "no launch SNR up to 80 dB reaches 1e-6: needs more equalization than a 16-tap FFE"
        ),
        "{text}"
    );
    let best = s.best.as_ref().unwrap();
    assert!(text.contains(&format!(
        "best {:.1e} ({} taps)",
        best.stat.ber, best.n_taps
    )));
    // a reachable channel: the fewest taps, as before
    let s = study::tap_search(&c2m(), &opts(33.0));
    assert_eq!(s.limit(), None);
    assert_eq!(s.describe(&opts(33.0)), "6 (main 2)");
}

#[test]
fn a_closed_three_tap_eye_is_marked() {
    let case = c2m();
    let closed = study::best_design(&case, &opts(20.0), 3, ADC_BITS as u32).unwrap();
    assert!(closed.stat.ber > study::EYE_OPEN_BER && !closed.eye_open());
    let open = study::best_design(&case, &opts(33.0), 3, ADC_BITS as u32).unwrap();
    assert!(open.eye_open(), "{}", open.stat.ber);
}
