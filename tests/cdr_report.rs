//! `cporx cdr-report`: bad paths fail before the computation, the report names the
//! command that made it and links its plot relative to each Markdown file, and the plot is
//! a plotters SVG with its frequency unit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-cdr-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cporx(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let t = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("cporx runs");
    (o, t.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A full run takes ~25 s: a check made before it answers in well under that.
const FAST: Duration = Duration::from_secs(3);

fn fails_fast(dir: &Path, args: &[&str], says: &str) {
    let (o, took) = cporx(dir, args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {e}");
    assert!(e.contains(says), "stderr lacks {says:?}: {e}");
    assert!(!e.contains("lock time"), "the computation started: {e}");
    assert!(
        took < FAST,
        "took {took:?}: the check came after the computation"
    );
    assert!(
        !dir.join("r.md").exists() && !dir.join("j.svg").exists(),
        "nothing is written"
    );
}

#[test]
fn bad_paths_fail_before_the_computation() {
    let d = tmp("paths");
    let out = ["--out", "r.md", "--jtol-svg", "j.svg"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec!["cdr-report"];
        v.extend_from_slice(extra);
        v.extend_from_slice(&out);
        v
    };
    fails_fast(
        &d,
        &with(&["--readme", "missing/README.md"]),
        "cannot read missing/README.md: no such file or directory",
    );
    std::fs::write(d.join("plain.md"), "# no markers here\n").unwrap();
    fails_fast(
        &d,
        &with(&["--readme", "plain.md"]),
        "plain.md has no `<!-- cdr-report:begin -->` ... `<!-- cdr-report:end -->` section",
    );
    std::fs::write(
        d.join("reversed.md"),
        "<!-- cdr-report:end -->\n<!-- cdr-report:begin -->\n",
    )
    .unwrap();
    fails_fast(
        &d,
        &with(&["--readme", "reversed.md"]),
        "reversed.md has no `<!-- cdr-report:begin -->` ... `<!-- cdr-report:end -->` section",
    );
    // an unwritable plot path: its folder would have to be a file
    std::fs::write(d.join("afile"), "x").unwrap();
    let (o, took) = cporx(
        &d,
        &["cdr-report", "--out", "r.md", "--jtol-svg", "afile/j.svg"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("afile/j.svg"), "{}", stderr(&o));
    assert!(took < FAST && !d.join("r.md").exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn quick_report_names_its_command_and_links_its_plot_relative_to_each_file() {
    let d = tmp("quick");
    std::fs::create_dir_all(d.join("site")).unwrap();
    std::fs::write(
        d.join("site/README.md"),
        "# x\n\n<!-- cdr-report:begin -->\nold\n<!-- cdr-report:end -->\n\ntail\n",
    )
    .unwrap();
    let args = [
        "cdr-report",
        "--quick",
        "--readme",
        "site/README.md",
        "--out",
        "reports/cdr.md",
        "--jtol-svg",
        "site/img/jtol.svg",
    ];
    let (o, _) = cporx(&d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ran = format!("Measured by `cargo run --release -- {}`", args.join(" "));
    let report = std::fs::read_to_string(d.join("reports/cdr.md")).unwrap();
    let readme = std::fs::read_to_string(d.join("site/README.md")).unwrap();
    for (name, text, link) in [
        ("--out", &report, "../site/img/jtol.svg"),
        ("--readme", &readme, "img/jtol.svg"),
    ] {
        assert!(text.contains(&ran), "{name}: no {ran:?} in\n{text}");
        assert!(
            text.contains(&format!("![jitter tolerance]({link})")),
            "{name}: the image link is not {link}:\n{text}"
        );
        assert!(!text.contains("| not measured"), "{name}: {text}");
        assert!(
            text.contains("errors in "),
            "{name}: a BER without its count"
        );
    }
    assert!(readme.starts_with("# x\n") && readme.ends_with("<!-- cdr-report:end -->\n\ntail\n"));
    let svg = std::fs::read_to_string(d.join("site/img/jtol.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("SJ frequency (MHz)"),
        "{svg}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
