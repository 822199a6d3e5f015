//! `cporx study` and `cporx channel` on inputs that cannot all be used (issue 11): a folder
//! with bad files gives rows for the good ones, lists the rest and exits 4; an empty folder
//! says so; `--mc-symbols 0` is `not measured`, never 0; paths are checked before any
//! computation; plot errors name the file; flags are range-checked in their own unit.
//! Every study run here is `--mc-symbols 0` (about a second each).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const TEC: &str = "TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p";
const FEXT: &str = "C2M__Z100_IL14_WC_BOR_H_L_H_FEXT1.s4p";

fn shipped(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/channels")
        .join(name);
    assert!(p.is_file(), "measured channel {} missing", p.display());
    p
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-study-in-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cporx(args: &[&str], env: &[(&str, &Path)]) -> (Output, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cporx"));
    c.args(args).env_remove("CPORX_CHANNELS");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    (o, out, err)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_bad_file_does_not_sink_the_folder() {
    // before: the empty file stopped the run with no rows for the good files (exit 1), and
    // the mis-named crosstalk file was dropped without a word
    let dir = tmp("bad");
    let ch = dir.join("channels");
    std::fs::create_dir_all(&ch).unwrap();
    std::fs::copy(shipped(TEC), ch.join(TEC)).unwrap();
    std::fs::write(ch.join("empty.s4p"), "").unwrap();
    let text = std::fs::read_to_string(shipped(TEC)).unwrap();
    std::fs::write(ch.join("truncated.s4p"), &text[..200_000]).unwrap();
    std::fs::write(ch.join("fourport.s2p"), &text).unwrap();
    std::fs::copy(shipped(FEXT), ch.join("OTHER_FEXT1.s4p")).unwrap();
    std::fs::write(ch.join("notes.txt"), "not a channel").unwrap();
    let out = dir.join("report");
    let (o, stdout, stderr) = cporx(
        &[
            "study",
            "--mc-symbols",
            "0",
            "--channels",
            s(&ch),
            "--out",
            s(&out),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(4), "{stdout}\n{stderr}");
    let md = std::fs::read_to_string(out.join("study.md")).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| channel"))
        .collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert!(rows[0].starts_with("| ideal short hop"));
    assert!(
        rows[1].starts_with("| TEC_SMT_IO_42GHz_Thru_B5B6_4in | 8.46 |"),
        "{}",
        rows[1]
    );
    // class 1: no Monte-Carlo bits is `not measured`, never a 0 BER
    assert!(
        rows[1].contains("| not measured (--mc-symbols 0) |"),
        "{}",
        rows[1]
    );
    for (file, why) in [
        ("empty.s4p", "empty file"),
        ("truncated.s4p", "truncated last point"),
        ("fourport.s2p", "the layout looks like a 4-port file"),
    ] {
        assert!(
            md.contains(&format!("- `{file}`: ")) && md.contains(why),
            "{file}: {md}"
        );
        assert!(stderr.contains(&format!("skipped: {file}: ")), "{stderr}");
    }
    assert!(
        md.contains("- `OTHER_FEXT1.s4p`: a crosstalk file (no thru path) whose name shares no thru's prefix `OTHER`"),
        "{md}"
    );
    assert!(
        stdout.contains("ignored (not named .sNp): notes.txt"),
        "{stdout}"
    );
    assert!(
        stderr.contains("some inputs skipped: 4 inputs skipped or not used (empty.s4p, fourport.s2p, truncated.s4p, OTHER_FEXT1.s4p)"),
        "{stderr}"
    );
    // the JSON lines: one per skipped file, one per row, Monte-Carlo null
    let json = std::fs::read_to_string(out.join("study.jsonl")).unwrap();
    let v: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v.iter().filter(|x| x["skipped"].is_string()).count(), 4);
    let tec = v
        .iter()
        .find(|x| x["channel"] == "TEC_SMT_IO_42GHz_Thru_B5B6_4in")
        .unwrap();
    assert!(tec["ber3_mc"].is_null() && tec["mc_bits"] == 0, "{tec}");
    assert_eq!(tec["fewest_taps"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_empty_folder_says_so_and_the_default_folder_comes_from_the_environment() {
    // before: the ideal-hop row alone, exit 0, no notice; $CPORX_CHANNELS was not read
    let dir = tmp("empty");
    let ch = dir.join("none");
    std::fs::create_dir_all(&ch).unwrap();
    let out = dir.join("report");
    let (o, stdout, stderr) = cporx(
        &["study", "--mc-symbols", "0", "--out", s(&out)],
        &[("CPORX_CHANNELS", &ch)],
    );
    assert_eq!(o.status.code(), Some(4), "{stdout}\n{stderr}");
    let note = format!("no channel file (.sNp) in {}", ch.display());
    assert!(stderr.contains(&note), "{stderr}");
    assert!(
        stdout.contains(&format!("No channel file (.sNp) in {}", ch.display())),
        "{stdout}"
    );
    // a variable naming a missing folder is an error that says so
    let (o, _, stderr) = cporx(
        &["study", "--out", s(&out)],
        &[("CPORX_CHANNELS", &dir.join("missing"))],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.contains("$CPORX_CHANNELS=") && stderr.contains("no such file or folder"),
        "{stderr}"
    );
    let (_, help, _) = cporx(&["study", "--help"], &[]);
    assert!(help.contains("$CPORX_CHANNELS"), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn paths_are_checked_before_the_run() {
    // before: a --readme without its markers failed after the whole study (4 s)
    let dir = tmp("paths");
    let readme = dir.join("README.md");
    std::fs::write(&readme, "# no markers here\n").unwrap();
    let out = dir.join("report");
    for (file, want) in [
        (
            readme.clone(),
            "no `<!-- study:begin -->` ... `<!-- study:end -->` section",
        ),
        (dir.join("missing.md"), "cannot read"),
    ] {
        let t = Instant::now();
        let (o, _, stderr) = cporx(
            &[
                "study",
                "--mc-symbols",
                "0",
                "--out",
                s(&out),
                "--readme",
                s(&file),
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(want) && stderr.contains(s(&file)),
            "{stderr}"
        );
        assert!(t.elapsed().as_secs_f64() < 0.5, "{:?}", t.elapsed());
        assert!(
            !out.join("study.jsonl").exists(),
            "nothing is computed or written"
        );
    }
    // range errors in the flag's own unit
    for (args, want) in [
        (
            vec!["study", "--baud-gbd", "500"],
            "--baud-gbd = 500 is out of range: legal is 1 ..= 400 GBd",
        ),
        (
            vec!["study", "--snr-db", "90"],
            "--snr-db = 90 is out of range: legal is 0 ..= 80 dB",
        ),
        (
            vec!["study", "--rj-ui", "0.5"],
            "--rj-ui = 0.5 is out of range: legal is 0 ..= 0.2 UI rms",
        ),
        (
            vec!["channel", "x.s4p", "--baud-gbd", "0.5"],
            "--baud-gbd = 0.5 is out of range: legal is 1 ..= 400 GBd",
        ),
    ] {
        let (o, _, stderr) = cporx(&args, &[]);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn channel_warns_refuses_and_names_the_plot_it_cannot_write() {
    let dir = tmp("channel");
    // the --out folder is created (nested), plots written
    let out = dir.join("a/b");
    let (o, stdout, stderr) = cporx(&["channel", s(&shipped(TEC)), "--out", s(&out)], &[]);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("insertion loss at Nyquist (26.5625 GHz) 8.46 dB;"),
        "{stdout}"
    );
    assert!(stdout.contains("port map 1,3:2,4 (detected)"), "{stdout}");
    assert!(out
        .join("TEC_SMT_IO_42GHz_Thru_B5B6_4in_s4p.pulse.png")
        .is_file());
    // a plot that cannot be written: before, `ImageError(IoError(Os { code: 21, ... }))`
    let bad = dir.join("bad");
    std::fs::create_dir_all(bad.join("TEC_SMT_IO_42GHz_Thru_B5B6_4in_s4p.sdd21.png")).unwrap();
    let (o, _, stderr) = cporx(&["channel", s(&shipped(TEC)), "--out", s(&bad)], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr.trim(),
        format!(
            "error: cannot write {}: it is a folder",
            bad.join("TEC_SMT_IO_42GHz_Thru_B5B6_4in_s4p.sdd21.png")
                .display()
        )
    );
    // beyond the data: `extrapolated` beside the figure, and a warning
    let (o, stdout, stderr) = cporx(&["channel", s(&shipped(TEC)), "--baud-gbd", "400"], &[]);
    assert!(o.status.success());
    assert!(
        stdout.contains("(200.0000 GHz) 135.55 dB (extrapolated: data end at 42.000 GHz)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p: extrapolated:"),
        "{stderr}"
    );
    // a wrong map is an error naming the best pairing; --force-map insists
    let (o, _, stderr) = cporx(&["channel", s(&shipped(TEC)), "--map", "1,2:3,4"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains("use --map 1,3:2,4"), "{stderr}");
    let (o, stdout, stderr) = cporx(
        &[
            "channel",
            s(&shipped(TEC)),
            "--map",
            "1,2:3,4",
            "--force-map",
        ],
        &[],
    );
    assert!(o.status.success());
    assert!(stdout.contains("port map 1,2:3,4 (given)"), "{stdout}");
    assert!(stderr.contains("port map 1,2:3,4 forced"), "{stderr}");
    // the port-count option the messages promise
    let dat = dir.join("tec.dat");
    std::fs::copy(shipped(TEC), &dat).unwrap();
    let (o, _, stderr) = cporx(&["channel", s(&dat)], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains("--ports N"), "{stderr}");
    let (o, stdout, _) = cporx(&["channel", s(&dat), "--ports", "4"], &[]);
    assert!(o.status.success());
    assert!(stdout.contains("8.46 dB"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
