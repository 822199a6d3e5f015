//! `cporx energy` end to end (issue 14) on the co-packaged thru, with the real tools
//! (Yosys, Verilator, OpenSTA, the OSU018 liberty from scripts/setup-tools.sh; the test
//! fails when one is missing):
//! * at 2, 3 and 16 FFE taps (the adaptive receiver from reset, 10^4 counted cycles): the
//!   cell netlist equals the model on every output of every cycle; OpenSTA and the
//!   independent sum (OpenSTA's convention) agree within 10 %; the FFE's energy per
//!   bit grows with its tap count, and so does its share of the energy as its share of
//!   the area does;
//! * bad input: out-of-range flags name their range, a missing OpenSTA names the setup
//!   command, a liberty without power tables names the cell; nothing is printed on stdout.

use std::process::{Command, Output};

fn cporx(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cporx"));
    c.args(args).env_remove("CPORX_CHANNELS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// (block, area, pJ/bit liberty) rows and the OpenSTA check's percentage.
struct Run {
    rows: Vec<(String, f64, f64)>,
    check_pct: f64,
    mismatches: u64,
    compared: u64,
    total: f64,
}

fn run(taps: usize) -> Run {
    let t = taps.to_string();
    let o = cporx(&["energy", "--taps", &t, "--cycles", "10000"], &[]);
    let out = text(&o.stdout);
    assert!(
        o.status.success(),
        "{taps} taps: {}\n{out}",
        text(&o.stderr)
    );
    print!("{out}");
    let mut rows = vec![];
    let mut total = f64::NAN;
    for l in out.lines() {
        let c: Vec<&str> = l.split('|').map(|x| x.trim()).collect();
        if c.len() == 9 && c[1].contains(" (") && c[4].parse::<f64>().is_ok() {
            rows.push((
                c[1].split(' ').next().unwrap().to_string(),
                c[4].parse().unwrap(),
                c[6].parse().unwrap(),
            ));
        }
        if l.contains("**total DSP, 180 nm, measured**") {
            total = c[6].trim_matches('*').parse().unwrap();
        }
    }
    let check = out
        .lines()
        .find(|l| l.starts_with("check: OpenSTA"))
        .unwrap();
    let pct: f64 = check
        .split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let cmp = out
        .lines()
        .find(|l| l.starts_with("cell netlist against the model"))
        .unwrap();
    let nums: Vec<u64> = cmp
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    Run {
        rows,
        check_pct: pct,
        compared: nums[0],
        mismatches: nums[1],
        total,
    }
}

#[test]
fn energy_grows_with_the_ffe_and_openstas_figure_is_checked() {
    let runs: Vec<(usize, Run)> = [2usize, 3, 16].iter().map(|&t| (t, run(t))).collect();
    let mut last: Option<(f64, f64, f64)> = None;
    for (taps, r) in &runs {
        assert!(
            r.compared > 10_000,
            "{taps} taps: {} cycles compared",
            r.compared
        );
        assert_eq!(
            r.mismatches, 0,
            "{taps} taps: the netlist differs from the model"
        );
        assert!(
            r.check_pct.abs() < 10.0,
            "{taps} taps: OpenSTA {:+.1} % from the independent sum",
            r.check_pct
        );
        let ffe = r.rows.iter().find(|x| x.0 == "ffe").expect("an ffe row");
        let area: f64 = r.rows.iter().map(|x| x.1).sum();
        let energy: f64 = r.rows.iter().map(|x| x.2).sum();
        let (e_share, a_share) = (ffe.2 / energy, ffe.1 / area);
        println!(
            "{taps} taps: FFE {:.2} pJ/bit, {:.0} % of the blocks' energy, {:.0} % of their area; total {:.2} pJ/bit",
            ffe.2,
            e_share * 100.0,
            a_share * 100.0,
            r.total
        );
        if let Some((e, es, as_)) = last {
            assert!(ffe.2 > e, "{taps} taps: FFE energy {} not above {e}", ffe.2);
            assert!(
                es < e_share && as_ < a_share,
                "{taps} taps: the FFE's shares do not grow"
            );
        }
        last = Some((ffe.2, e_share, a_share));
    }
    assert!(runs[2].1.total > runs[0].1.total);
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    for (args, env, want) in [
        (
            vec!["energy", "--cycles", "0"],
            vec![],
            "--cycles = 0 is out of range: legal is 1000 ..= 10000000",
        ),
        (
            vec!["energy", "--taps", "17"],
            vec![],
            "--taps = 17 is out of range: legal is 2 ..= 16",
        ),
        (
            vec!["energy", "--adc-bits", "0"],
            vec![],
            "--adc-bits 0: ADC bits 0 is out of range; legal: 1 to 10",
        ),
        (
            vec!["energy", "--lanes", "3"],
            vec![],
            "--lanes 3: legal are [1, 2, 4, 8, 16]",
        ),
        (
            vec!["energy"],
            vec![("CPORX_STA", "/nonexistent/sta")],
            "scripts/setup-tools.sh",
        ),
        (
            vec!["energy", "--liberty", "/nonexistent/x.lib"],
            vec![],
            "--liberty /nonexistent/x.lib: no such file",
        ),
    ] {
        let o = cporx(&args, &env);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(want),
            "{args:?}: {}",
            text(&o.stderr)
        );
        assert!(o.stdout.is_empty(), "{args:?} printed: {}", text(&o.stdout));
    }
}

#[test]
fn a_liberty_without_power_tables_names_the_cell() {
    let d = std::env::temp_dir().join(format!("cporx-energy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let lib = d.join("nopower.lib");
    std::fs::write(
        &lib,
        "library(x) {\n  time_unit : \"1ns\";\n  voltage_unit : \"1V\";\n  leakage_power_unit : \"1nW\";\n  capacitive_load_unit (1,pf);\n  nom_voltage : 1.8;\n  cell (INVX9) {\n    area : 1;\n    cell_leakage_power : 0.1;\n    pin(A) { direction : input; capacitance : 0.01; }\n    pin(Y) { direction : output; function : \"(!A)\"; }\n  }\n}\n",
    )
    .unwrap();
    let o = cporx(&["energy", "--liberty", &lib.display().to_string()], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("INVX9"), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
}

#[test]
fn a_loop_that_never_locks_is_not_measured() {
    // pass-through taps, no adaptation, no AGC: on the co-packaged thru this loop never
    // locks, so there is no settled traffic: exit 3, the reason, no table
    let d = std::env::temp_dir().join(format!("cporx-energy-nolock-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("params.toml");
    std::fs::write(
        &p,
        "lanes = 1\nn_taps = 3\nreset_coefs = [0, 64, 0]\nthresholds = [-32, 0, 32]\ntargets = [-48, -16, 16, 48]\n",
    )
    .unwrap();
    let o = cporx(
        &[
            "energy",
            "--config",
            &p.display().to_string(),
            "--cycles",
            "5000",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("not measured") && text(&o.stderr).contains("never locked"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        !text(&o.stdout).contains("| block |"),
        "{}",
        text(&o.stdout)
    );
}
