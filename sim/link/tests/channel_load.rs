//! `pulse::load_channel`, the one loader of `cporx study`, `cporx channel` and `cporx link
//! --channel`, on channel data that cannot support the figure (issue 11, class 2): data
//! ending below the Nyquist frequency, non-passive data, a map that pairs the wrong ports,
//! a file whose name does not give the port count. The bad files are made from the shipped
//! TEC thru in a temporary folder (MA format, Hz, four lines a point).

use cporx_link::pulse::{load_channel, ChannelLoad, CAUSALITY_WARN};
use cporx_link::touchstone::{PortMap, PASSIVITY_TOL};
use std::path::{Path, PathBuf};

const TEC: &str = "TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p";
const BAUD: f64 = 53.125e9;

fn shipped(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/channels")
        .join(name);
    assert!(p.is_file(), "measured channel {} missing", p.display());
    p
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-chload-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The TEC file rewritten point by point: `edit(f_hz, row, tokens)` may change the numbers
/// of row `row` (0..4, the first holding the frequency) or return false to drop the point.
fn rewrite(out: &str, mut edit: impl FnMut(f64, usize, &mut Vec<String>) -> bool) -> PathBuf {
    let text = std::fs::read_to_string(shipped(TEC)).unwrap();
    let mut s = String::new();
    let (mut f, mut row, mut keep) = (0.0, 0, true);
    for l in text.lines() {
        let body = l.split('!').next().unwrap().trim();
        if body.is_empty() || body.starts_with('#') {
            s += l;
            s += "\n";
            continue;
        }
        let mut t: Vec<String> = body.split_whitespace().map(String::from).collect();
        if t.len() == 9 {
            f = t[0].parse().unwrap();
            row = 0;
        } else {
            row += 1;
        }
        if row == 0 {
            keep = true;
        }
        keep &= edit(f, row, &mut t);
        if keep {
            s += &t.join(" ");
            s += "\n";
        }
    }
    let p = tmp(out);
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn data_ending_below_nyquist_are_flagged_extrapolated() {
    // the full file: 8.46 dB at 26.5625 GHz, measured
    let full = load_channel(&shipped(TEC), &ChannelLoad::new(BAUD)).unwrap();
    assert!(!full.il_nyquist_extrapolated);
    assert_eq!(full.il_nyquist_text(), "8.46 dB");
    assert!(full.warnings.is_empty(), "{:?}", full.warnings);
    assert_eq!(full.map_text(), "1,3:2,4 (detected)");
    // cut at 21 GHz: before, "8.00 dB" printed as if measured
    let cut = rewrite("cut21.s4p", |f, _, _| f <= 21e9);
    let l = load_channel(&cut, &ChannelLoad::new(BAUD)).unwrap();
    assert_eq!(l.f_max_hz, 21e9);
    assert!(l.il_nyquist_extrapolated);
    assert_eq!(
        l.il_nyquist_text(),
        "8.00 dB (extrapolated: data end at 21.000 GHz)"
    );
    assert!(
        l.warnings[0].starts_with(
            "extrapolated: the data end at 21.000 GHz, below the Nyquist frequency 26.5625 GHz"
        ),
        "{:?}",
        l.warnings
    );
    // 400 GBd on the 42 GHz file: the 135.55 dB at 200 GHz is the extrapolation's
    let l = load_channel(&shipped(TEC), &ChannelLoad::new(400e9)).unwrap();
    assert!(l.il_nyquist_extrapolated);
    assert!(l.il_nyquist_text().starts_with("135.55 dB (extrapolated"));
    assert!(l.warnings.iter().any(|w| w.starts_with("causality figure")));
    assert!(l.measurement().causality > CAUSALITY_WARN);
    let _ = std::fs::remove_file(cut);
}

#[test]
fn non_passive_data_are_refused_and_slight_excess_is_a_warning() {
    // |S21| x 1e308: before, "insertion loss -6142.01 dB" and a 300-digit pulse peak
    let big = rewrite("big.s4p", |_, row, t| {
        if row == 1 {
            t[0] = format!("{:e}", t[0].parse::<f64>().unwrap() * 1e308);
        }
        true
    });
    let e = load_channel(&big, &ChannelLoad::new(BAUD)).unwrap_err();
    assert!(
        e.contains("big.s4p: not passive: |S21| = 9.904772e307 at 0.0000 GHz (frequency point 1), above 1 + 0.05"),
        "{e}"
    );
    // 2 % above 1 (a calibration error): accepted with a warning
    let slight = rewrite("slight.s4p", |_, row, t| {
        if row == 1 {
            t[0] = format!("{:e}", t[0].parse::<f64>().unwrap() * 1.03);
        }
        true
    });
    let l = load_channel(&slight, &ChannelLoad::new(BAUD)).unwrap();
    let b = l.largest_s.unwrap();
    assert!(b.mag > 1.0 && b.mag < 1.0 + PASSIVITY_TOL, "{b:?}");
    assert!(
        l.warnings
            .iter()
            .any(|w| w.starts_with("slightly non-passive: |S21| = 1.0202 at 0.0000 GHz")),
        "{:?}",
        l.warnings
    );
    let _ = std::fs::remove_file(big);
    let _ = std::fs::remove_file(slight);
}

#[test]
fn a_map_that_pairs_the_wrong_ports_is_an_error_naming_the_best_pairing() {
    let with = |m: &str, force: bool| ChannelLoad {
        map: Some(PortMap::parse(m).unwrap()),
        force_map: force,
        ..ChannelLoad::new(BAUD)
    };
    // before: 1,2:3,4 gave 20.80 dB (the thru is 8.46 dB) with exit 0
    let e = load_channel(&shipped(TEC), &with("1,2:3,4", false)).unwrap_err();
    assert!(
        e.contains("port map 1,2:3,4 pairs the wrong ports")
            && e.contains("the best pairing 1,3:2,4 (0.9905)")
            && e.contains("--force-map"),
        "{e}"
    );
    // p and n swapped on one side: inverted, also refused
    let e = load_channel(&shipped(TEC), &with("1,3:4,2", false)).unwrap_err();
    assert!(e.contains("best pairing 1,3:2,4"), "{e}");
    // one leg run backwards: transmits at low frequency, but its pulse is not causal
    let e = load_channel(&shipped(TEC), &with("1,4:2,3", false)).unwrap_err();
    assert!(
        e.contains("causality figure 5.8e-2") && e.contains("detected map 1,3:2,4 gives 2.7e-5"),
        "{e}"
    );
    // insisting: the figures, with warnings
    let l = load_channel(&shipped(TEC), &with("1,2:3,4", true)).unwrap();
    assert!((l.il_nyquist_db - 20.80).abs() < 0.01);
    assert_eq!(l.map_text(), "1,2:3,4 (given)");
    assert!(
        l.warnings[0].starts_with("port map 1,2:3,4 forced"),
        "{:?}",
        l.warnings
    );
    assert!(l
        .warnings
        .iter()
        .any(|w| w.starts_with("causality figure 9.6e-2")));
    // equivalent maps of the right pairing pass: reverse direction, both legs swapped
    for m in ["2,4:1,3", "3,1:4,2", "1,3:2,4"] {
        let l = load_channel(&shipped(TEC), &with(m, false)).unwrap();
        assert!((l.il_nyquist_db - 8.46).abs() < 0.005, "{m}");
        assert!(l.warnings.is_empty(), "{m}: {:?}", l.warnings);
    }
}

#[test]
fn the_port_count_can_be_given() {
    let p = tmp("tec.dat");
    std::fs::copy(shipped(TEC), &p).unwrap();
    let e = load_channel(&p, &ChannelLoad::new(BAUD)).unwrap_err();
    assert!(e.contains("give the port count with --ports N"), "{e}");
    let l = load_channel(
        &p,
        &ChannelLoad {
            ports: Some(4),
            ..ChannelLoad::new(BAUD)
        },
    )
    .unwrap();
    assert_eq!(l.n_ports, 4);
    assert_eq!(l.il_nyquist_text(), "8.46 dB");
    // a wrong count: the message names the count that fits
    let e = load_channel(
        &p,
        &ChannelLoad {
            ports: Some(2),
            ..ChannelLoad::new(BAUD)
        },
    )
    .unwrap_err();
    assert!(e.contains("read it with --ports 4"), "{e}");
    let _ = std::fs::remove_file(p);
}
