//! `cporx study` from the command line: the table, the JSON lines and every plot (PNG and
//! SVG) over the measured channels in ../shared/channels, and an interrupted run keeps the
//! channels it finished.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-study-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn exists(p: &Path) {
    let m = std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(m.len() > 1000, "{} is only {} bytes", p.display(), m.len());
}

#[test]
fn study_writes_the_table_and_the_plots() {
    let out = tmp("full");
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["study", "--mc-symbols", "1000000", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let md = std::fs::read_to_string(out.join("study.md")).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| channel"))
        .collect();
    // the ideal hop, two thrus, and the C2M thru with its FEXT aggressor
    assert_eq!(rows.len(), 4, "{md}");
    assert!(rows[0].starts_with("| ideal short hop"));
    assert!(rows.iter().any(|r| r.contains("+ FEXT1")));
    // every Monte-Carlo BER with its count; under 100 errors with its 95 % interval (the
    // ideal hop counts none in 1e6 symbols)
    for r in &rows {
        assert!(r.contains(" errors in ") && r.contains(" bits"), "{r}");
    }
    assert!(
        rows[0].contains("(0 errors in 2097152 bits, 95 % [0.00e0, "),
        "{}",
        rows[0]
    );
    // the shipped channels at 53.125 GBd: measured to Nyquist, open 3-tap eyes, the LMS
    // within a code, nothing skipped or warned about
    for r in &rows {
        assert!(
            !r.contains("extrapolated") && !r.contains("eye closed"),
            "{r}"
        );
        assert!(
            r.ends_with(" (0 codes) |") || r.ends_with(" (1 code) |"),
            "{r}"
        );
    }
    assert!(!md.contains("Skipped") && !md.contains("Warnings"), "{md}");
    let json = std::fs::read_to_string(out.join("study.jsonl")).unwrap();
    let taps: Vec<Option<u64>> = json
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["fewest_taps"].as_u64()
        })
        .collect();
    assert_eq!(taps.len(), 4);
    // the point of co-packaging: the ideal short hop needs the fewest taps, fewer than
    // the 14 dB C2M host channel (which needs more than 3 at the default 33 dB)
    let c2m = json
        .lines()
        .position(|l| l.contains("C2M") && !l.contains("FEXT"))
        .unwrap();
    assert_eq!(taps[0], Some(2));
    assert!(taps[c2m].is_none_or(|n| n > 3), "{json}");
    for stem in ["sdd21", "ber_vs_snr"] {
        exists(&out.join(format!("{stem}.png")));
        exists(&out.join(format!("{stem}.svg")));
    }
    let pngs = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    // sdd21 + ber_vs_snr + (pulse, eye, bathtub, pareto) per row
    assert_eq!(pngs, 2 + 4 * 4);
    // the energy column, from docs/energy/taps.json: every row reaching the target has
    // its energy per bit, the co-packaged thru's below the host channel's
    let energy_of = |name: &str| -> f64 {
        let r = md
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row {name}"));
        let cell = r.split('|').nth(11).unwrap().trim();
        cell.split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{cell}"))
    };
    let tec = energy_of("TEC_SMT_IO_42GHz_Thru_B5B6_4in");
    let c2m = energy_of("C2M__Z100_IL14_WC_BOR_H_L_H_THRU");
    assert!(tec > 0.0 && tec < c2m, "TEC {tec}, C2M {c2m} pJ/bit");
    exists(&out.join("TEC_SMT_IO_42GHz_Thru_B5B6_4in.pareto.svg"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn interrupted_study_keeps_finished_channels() {
    let out = tmp("kill");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["study", "--mc-symbols", "200000000", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the first row (the ideal hop, 2e8 Monte-Carlo symbols) is written long before the
    // last; kill the run as soon as it is there
    let t = Instant::now();
    let jsonl = out.join("study.jsonl");
    loop {
        let n = std::fs::read_to_string(&jsonl).map_or(0, |s| s.lines().count());
        if n >= 1 || t.elapsed() > Duration::from_secs(300) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let json = std::fs::read_to_string(&jsonl).unwrap();
    assert!(
        !json.is_empty(),
        "nothing was written before the interruption"
    );
    assert!(
        json.lines().count() < 4,
        "the run finished before it was interrupted"
    );
    for l in json.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("a complete JSON line");
        assert!(v["channel"].is_string());
    }
    let md = std::fs::read_to_string(out.join("study.md")).unwrap();
    assert!(md.contains("| ideal short hop"));
    let _ = std::fs::remove_dir_all(&out);
}
