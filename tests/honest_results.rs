//! Issue 11: no figure from nothing, output paths that are checked and named, questionable
//! settings refused or warned about. Each test runs the `cporx` binary as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cporx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("honest_results");
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The documented exit code of a command whose main figure was not measured.
const NOT_MEASURED: i32 = 3;

#[test]
fn a_loop_that_never_locks_prints_no_ber_and_exits_3() {
    // was: `never locked`, `BER : 0.000e0`, `-0.0 ppm tracked`, exit 0
    let o = cporx(&["link", "--snr-db", "5", "--ui", "100000"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(NOT_MEASURED), "{out}{err}");
    assert!(
        out.contains("lock time      : never locked in 100000 UI"),
        "{out}"
    );
    assert!(
        out.contains("BER            : not measured (the loop never locked in 100000 UI)"),
        "{out}"
    );
    assert!(out.contains("frequency      : not measured"), "{out}");
    assert!(!out.contains("0.000e0"), "{out}");
    assert!(
        err.contains("not measured: BER: the loop never locked"),
        "{err}"
    );
}

#[test]
fn a_run_shorter_than_the_counting_start_is_not_measured() {
    // --ui 1000 is the minimum: the loop locks at ~1000 UI, counting starts 2000 UI later
    let o = cporx(&["link", "--ui", "1000"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(NOT_MEASURED), "{out}{err}");
    assert!(out.contains("BER            : not measured ("), "{out}");
    // a short run that does count: the BER carries its bit count and 95 % interval
    let o = cporx(&["link", "--ui", "20000"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    let ber = out.lines().find(|l| l.starts_with("BER")).unwrap();
    assert!(
        ber.contains(" bit errors in ") && ber.contains("95 % ["),
        "{ber}"
    );
}

#[test]
fn demo_with_a_loop_too_short_to_count_does_not_claim_bit_exactness() {
    // was: `closed loop bit-exact: yes` with 0 symbols checked, exit 0
    // (the loop locks at about 800 UI and counts from 2000 UI after lock)
    let o = cporx(&["demo", "--symbols", "2000", "--loop-ui", "2500", "--no-rtl"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(NOT_MEASURED), "{out}{err}");
    assert!(out.contains("not measured"), "{out}");
}

#[test]
fn an_empty_stimulus_measures_nothing() {
    // was: `RTL (Verilator) agrees with the model on all 0 cycles`, exit 0
    let f = tmp("empty.txt");
    std::fs::write(&f, "# only a comment\n\n").unwrap();
    let o = cporx(&["sim", "--stimulus", f.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(NOT_MEASURED), "{out}{err}");
    assert!(err.contains("holds no cycles"), "{err}");
}

#[test]
fn a_stimulus_without_reset_warns() {
    let f = tmp("noreset.txt");
    std::fs::write(&f, "1\n2\n").unwrap();
    let o = cporx(&["sim", "--stimulus", f.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(err.contains("never resets (no `rst` line)"), "{err}");
}

#[test]
fn output_into_an_impossible_folder_names_the_path_and_writes_nothing_claimed() {
    // a folder that cannot exist: its would-be parent is a regular file
    let blocker = tmp("blocker");
    std::fs::write(&blocker, "a file, not a folder").unwrap();
    let target = blocker.join("x.vcd");
    let stim = tmp("stim.txt");
    std::fs::write(&stim, "rst\n1\n2\n").unwrap();
    for args in [
        vec![
            "sim",
            "--stimulus",
            stim.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ],
        vec![
            "sim",
            "--stimulus",
            stim.to_str().unwrap(),
            "--vcd",
            target.to_str().unwrap(),
        ],
        vec!["link", "--ui", "20000", "--vcd", target.to_str().unwrap()],
        vec!["export", "--out", target.to_str().unwrap()],
    ] {
        let o = cporx(&args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}{err}");
        assert!(
            err.contains(&blocker.display().to_string()),
            "{args:?}: {err}"
        );
        assert!(!err.contains("os error"), "{args:?}: plain words: {err}");
        assert!(
            !out.contains("wrote") && !err.contains("wrote"),
            "{args:?}: {out}{err}"
        );
    }
}

#[test]
fn outputs_into_missing_folders_are_created_and_exist_when_reported() {
    let d = tmp("made");
    let _ = std::fs::remove_dir_all(&d);
    let stim = tmp("stim2.txt");
    std::fs::write(&stim, "rst\n1\n2\n").unwrap();
    let vcd = d.join("sim/w.vcd");
    let o = cporx(&[
        "sim",
        "--stimulus",
        stim.to_str().unwrap(),
        "--vcd",
        vcd.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(err.contains(&format!("wrote {}", vcd.display())), "{err}");
    assert!(vcd.is_file());
    // and its GTKWave save file beside it
    let gtkw = vcd.with_extension("gtkw");
    assert!(
        err.contains(&format!("wrote {}", gtkw.display())) && gtkw.is_file(),
        "{err}"
    );
    let vcd = d.join("link/l.vcd");
    let o = cporx(&[
        "link",
        "--ui",
        "20000",
        "--vcd",
        vcd.to_str().unwrap(),
        "--vcd-cycles",
        "100",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(
        err.contains(&format!("wrote {}", vcd.display())) && vcd.is_file(),
        "{err}"
    );
}

#[test]
fn questionable_settings_are_errors_or_warnings() {
    // SJ amplitude without a frequency: was `SJ 5 UI @ 0 MHz` and no jitter applied
    let o = cporx(&["link", "--sj-amp", "5"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--sj-amp = 5 needs --sj-freq above 0 MHz"),
        "{err}"
    );
    // a range error in the flag's own range: was `0..=4294967295`
    let o = cporx(&["link", "--kp", "-1"]);
    let (_, err) = text(&o);
    assert!(
        err.contains("--kp = -1 is out of range: legal is 0 ..= 15"),
        "{err}"
    );
    // slicer targets in decreasing order: a warning naming the field
    let cfg = tmp("targets.toml");
    let mut p = cporx_spec::RxParams::default();
    p.targets = [48, 16, -16, -48];
    std::fs::write(&cfg, p.to_toml()).unwrap();
    let stim = tmp("stim3.txt");
    std::fs::write(&stim, "rst\n1\n").unwrap();
    let o = cporx(&[
        "sim",
        "--stimulus",
        stim.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(
        err.contains("warning: ")
            && err.contains("targets = [48, 16, -16, -48] are not in increasing order"),
        "{err}"
    );
}

#[test]
fn a_verilator_variable_naming_no_file_says_so_and_demo_goes_on_with_the_model() {
    // was: `I/O with the Verilator harness: No such file or directory`, demo stopped
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["demo", "--symbols", "20000", "--loop-ui", "20000"])
        .env("CPORX_VERILATOR", "/nonexistent/verilator")
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(
        format!("{out}{err}").contains("$CPORX_VERILATOR=/nonexistent/verilator: no such file"),
        "{out}{err}"
    );
}

#[test]
fn help_says_a_bare_cporx_runs_demo_and_lists_the_exit_codes() {
    let (out, _) = text(&cporx(&["--help"]));
    assert!(
        out.contains("A bare `cporx` (no subcommand) runs `cporx demo`"),
        "{out}"
    );
    assert!(out.contains("3 the main figure was not measured"), "{out}");
}

#[test]
fn every_input_and_output_is_checked_before_the_long_run() {
    // was: `build --design foo` printed its banner first; `sweep` and `mc-bench --readme`
    // without markers failed only after the whole computation (minutes)
    let o = cporx(&["build", "--board", "ulx3s-85f", "--design", "foo"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.is_empty(), "no banner before the check: {out}");
    assert!(
        err.contains("--design `foo` is not legal: legal are bist, rx"),
        "{err}"
    );
    let readme = tmp("no_markers.md");
    std::fs::write(&readme, "# nothing to replace\n").unwrap();
    for (cmd, marker) in [
        ("sweep", "<!-- sweep:begin -->"),
        ("mc-bench", "<!-- mcbench:begin -->"),
    ] {
        let t = std::time::Instant::now();
        let o = cporx(&[cmd, "--readme", readme.to_str().unwrap()]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {out}{err}");
        assert!(err.contains(&format!("has no `{marker}`")), "{cmd}: {err}");
        assert!(t.elapsed().as_secs() < 5, "{cmd}: checked before the work");
    }
}

#[test]
fn a_copied_binary_finds_files_at_run_time_not_in_its_build_checkout() {
    // was: the channel folder, the tool venv and the numpy script were absolute paths of
    // the checkout the binary was built in, so a copy silently read that checkout's files
    // outside the checkout (the test's own temp folder is inside it)
    let dir = std::env::temp_dir().join(format!("cporx-copied-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("cporx");
    std::fs::copy(env!("CARGO_BIN_EXE_cporx"), &exe).unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(&exe);
        c.args(args).current_dir(&dir);
        for v in [
            "CPORX_ROOT",
            "CPORX_CHANNELS",
            "CPORX_PYTHON",
            "CPORX_MC_NUMPY",
        ] {
            c.env_remove(v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // outside any checkout: the error lists the places searched, none in the build checkout
    let o = run(&["mc-bench", "--symbols", "1000000"], &[]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        err.contains(
            "Python with numpy not found; looked at: --python (not given), $CPORX_PYTHON (not set)"
        ),
        "{err}"
    );
    assert!(err.contains(&dir.display().to_string()), "{err}");
    let build_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .display()
        .to_string();
    assert!(!err.contains(&build_root), "no compiled-in checkout: {err}");
    let o = run(&["study", "--mc-symbols", "0", "--out", "rep"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("$CPORX_CHANNELS (not set)") && !err.contains(&build_root),
        "{err}"
    );
    // told where the checkout is, it works from anywhere
    let o = run(
        &["study", "--mc-symbols", "0", "--out", "rep"],
        &[("CPORX_ROOT", &build_root)],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(dir.join("rep/study.md").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
