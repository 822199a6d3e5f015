//! Cross-check of cporx's SDD21 against scikit-rf (`scripts/skrf_sdd21.py`, run with the
//! project venv `<repo>/.tools/venv/bin/python` that `scripts/setup-tools.sh` fills).
//! scikit-rf reads the files with its own Touchstone reader and converts to mixed mode with
//! `Network.se2gmm`; the two must agree at every frequency point.
//!
//! Missing venv or scikit-rf is a FAILURE that says to run scripts/setup-tools.sh, never a
//! silent skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cporx_link::touchstone::{self, FreqResponse, PortMap};
use num_complex::Complex64;

/// |ΔH| <= ABS_TOL + REL_TOL·|H| at every point. Both sides start from the same decimal
/// strings (each parser rounds them correctly, so to the same doubles) and do a handful of
/// floating-point operations (polar -> rectangular with libm vs numpy cos/sin, then
/// ½(a − b − c + d) vs a 4x4 mixed-mode matrix product with 1/√2 factors), so they differ
/// only by rounding, ~1e-16. The bound is loose by some six orders of magnitude on
/// purpose: it is not a numerical-accuracy claim but a "same quantity, same element,
/// same sign, same grid" check; a port-order, sign or format mistake gives errors of
/// order 0.01..1.
const ABS_TOL: f64 = 1e-9;
const REL_TOL: f64 = 1e-9;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn channel(name: &str) -> PathBuf {
    let p = repo().join("../shared/channels").join(name);
    assert!(
        p.is_file(),
        "measured channel {} missing (expected <repo>/../shared/channels)",
        p.display()
    );
    p
}

fn python() -> PathBuf {
    let py = repo().join(".tools/venv/bin/python");
    assert!(
        py.exists(),
        "{} not found: run scripts/setup-tools.sh (it creates the venv and installs the pinned scikit-rf)",
        py.display()
    );
    py
}

fn read_csv(path: &Path) -> FreqResponse {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("f_hz,re,im"),
        "{}: header",
        path.display()
    );
    let mut r = FreqResponse {
        f_hz: Vec::new(),
        h: Vec::new(),
    };
    for (i, l) in lines.enumerate() {
        let v: Vec<f64> = l
            .split(',')
            .map(|x| {
                x.parse().unwrap_or_else(|_| {
                    panic!("{}:{}: `{x}` is not a number", path.display(), i + 2)
                })
            })
            .collect();
        assert_eq!(
            v.len(),
            3,
            "{}:{}: expected f_hz,re,im",
            path.display(),
            i + 2
        );
        r.f_hz.push(v[0]);
        r.h.push(Complex64::new(v[1], v[2]));
    }
    r
}

fn check_output(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let hint = if stderr.contains("No module named") || stderr.contains("setup-tools") {
            "\nscikit-rf is missing from the venv: run scripts/setup-tools.sh"
        } else {
            ""
        };
        panic!(
            "skrf_sdd21.py on {what} failed ({}):\n{stderr}{hint}",
            out.status
        );
    }
}

#[test]
fn sdd21_matches_scikit_rf() {
    let py = python();
    let script = repo().join("scripts/skrf_sdd21.py");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("skrf_crosscheck");
    std::fs::create_dir_all(&tmp).unwrap();
    // the two thru files (map detected by cporx), and the FEXT file with an explicit map
    // (exercises --map; its SDD21 is a crosstalk transfer, small but not zero)
    let cases: [(&str, Option<&str>); 3] = [
        ("TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p", None),
        ("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p", None),
        ("C2M__Z100_IL14_WC_BOR_H_L_H_FEXT1.s4p", Some("1,3:2,4")),
    ];
    // scikit-rf runs (a few seconds each, mostly import) in parallel while cporx parses
    let mut jobs = Vec::new();
    for (name, map) in cases {
        let t = touchstone::read(&channel(name)).unwrap();
        let map = match map {
            Some(m) => PortMap::parse(m).unwrap(),
            None => t.detect_port_map().unwrap().0,
        };
        let csv = tmp.join(format!("{name}.csv"));
        let _ = std::fs::remove_file(&csv);
        let child = Command::new(&py)
            .arg(&script)
            .arg(channel(name))
            .arg(&csv)
            .arg("--map")
            .arg(map.to_string())
            .output_async();
        jobs.push((name, t, map, csv, child));
    }
    for (name, t, map, csv, child) in jobs {
        let out = child.wait_with_output().expect("python did not run");
        check_output(&out, name);
        let theirs = read_csv(&csv);
        let ours = t.sdd21(&map).unwrap();
        assert_eq!(ours.f_hz.len(), theirs.f_hz.len(), "{name}: point count");
        let mut worst_f = 0.0f64;
        let mut worst_h = 0.0f64;
        for k in 0..ours.f_hz.len() {
            let (fa, fb) = (ours.f_hz[k], theirs.f_hz[k]);
            let df = (fa - fb).abs();
            assert!(
                df <= 1e-12 * fa.abs().max(1.0),
                "{name}: point {k}: f {fa} Hz (cporx) vs {fb} Hz (scikit-rf)"
            );
            worst_f = worst_f.max(df);
            let (ha, hb) = (ours.h[k], theirs.h[k]);
            let dh = (ha - hb).norm();
            assert!(
                dh <= ABS_TOL + REL_TOL * hb.norm(),
                "{name} (map {map}): point {k} ({fa} Hz): SDD21 {ha} (cporx) vs {hb} (scikit-rf), |Δ| = {dh:e}"
            );
            worst_h = worst_h.max(dh);
        }
        eprintln!(
            "{name}: map {map}, {} points, max |Δf| = {worst_f:e} Hz, max |ΔSDD21| = {worst_h:e}",
            ours.f_hz.len()
        );
    }
}

/// `Command::output` started now and collected later (std has no async output).
trait OutputAsync {
    fn output_async(&mut self) -> std::process::Child;
}

impl OutputAsync for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {:?}: {e}: run scripts/setup-tools.sh",
                    self.get_program()
                )
            })
    }
}
