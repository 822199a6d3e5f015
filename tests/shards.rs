//! `--shard K/N` and `cporx merge`: with 2 shards the merged result equals the single run
//! exactly (the study, with its Monte-Carlo BER counts, on a small configuration); the
//! merge refuses a missing or duplicated shard and shards of different jobs or commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-shards-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cporx(args: &[&str]) -> (Output, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .env_remove("CPORX_CHANNELS")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    (o, out, err)
}

fn ok(args: &[&str]) -> String {
    let (o, out, err) = cporx(args);
    assert!(o.status.success(), "cporx {args:?}\n{out}\n{err}");
    out
}

fn v(x: &[String]) -> Vec<&str> {
    x.iter().map(String::as_str).collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The study on one measured channel (and the ideal hop) at 23 dB, where the 3-tap
/// Monte-Carlo counts errors and stops at 2000 in its third chunk (the second shard's),
/// with the adaptive column at its shortest (a target of 1e-4 it can show).
fn study_job(ch: &Path, out: &Path) -> Vec<String> {
    [
        "study",
        "--channels",
        s(ch),
        "--out",
        s(out),
        "--snr-db",
        "23",
        "--target-ber",
        "1e-4",
        "--mc-symbols",
        "1000000",
        "--adaptive-ui",
        "100000",
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn a_sharded_study_merges_to_the_single_run() {
    let d = tmp("study");
    let ch = d.join("channels");
    std::fs::create_dir_all(&ch).unwrap();
    let tec = "TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p";
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/channels")
            .join(tec),
        ch.join(tec),
    )
    .unwrap();
    let job = |out: &str| study_job(&ch, &d.join(out));
    let single_out = ok(&v(&job("single")));
    for k in ["1/2", "2/2"] {
        let f = d.join(format!("s{}.json", &k[..1]));
        let mut a = job(&format!("shard{}", &k[..1]));
        a.extend(["--shard".into(), k.into(), "--json".into(), s(&f).into()]);
        let out = ok(&v(&a));
        assert!(out.contains(&format!("study shard {k}: ")), "{out}");
        // a shard writes its file, not the report
        assert!(!d.join(format!("shard{}/study.md", &k[..1])).exists());
    }
    let merged_out = ok(&["merge", s(&d.join("s2.json")), s(&d.join("s1.json"))]);
    // the merge writes where the job (shard 1's command line) said
    let (one, merged) = (d.join("single"), d.join("shard1"));
    for f in ["study.md", "study.jsonl"] {
        assert_eq!(read(&one.join(f)), read(&merged.join(f)), "{f}");
    }
    let strip = |t: &str, dir: &Path| t.replace(s(dir), "OUT");
    assert_eq!(strip(&single_out, &one), strip(&merged_out, &merged));
    // the Monte-Carlo counted errors (so the sum over chunks was exercised) and the
    // adaptive cells came from their shards
    let rows: Vec<serde_json::Value> = read(&one.join("study.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    let tec_row = rows
        .iter()
        .find(|r| r["channel"] == tec.trim_end_matches(".s4p"))
        .unwrap();
    assert!(tec_row["mc_bit_errors"].as_u64().unwrap() > 0, "{tec_row}");
    // 4 chunks, 2 a shard; the early stop at 2000 symbol errors falls in chunk 2
    assert_eq!(
        tec_row["mc_symbols"].as_u64().unwrap(),
        3 << 18,
        "{tec_row}"
    );
    for r in &rows {
        assert!(r["adaptive"]["runs"].as_u64().unwrap() > 0, "{r}");
        assert!(!r.to_string().contains("another shard"), "{r}");
    }
    // the plots too: the same files
    let list = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(&one), list(&merged));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn merge_refuses_a_missing_or_duplicate_shard_and_mixed_jobs() {
    let d = tmp("refuse");
    let f = |n: &str| d.join(n);
    let soak = |seed: &str, k: &str, out: &Path| {
        ok(&[
            "soak",
            "--cycles",
            "3000",
            "--block",
            "1000",
            "--seed",
            seed,
            "--shard",
            k,
            "--json",
            s(out),
        ])
    };
    soak("1", "1/3", &f("a1.json"));
    soak("1", "2/3", &f("a2.json"));
    soak("1", "3/3", &f("a3.json"));
    soak("2", "3/3", &f("b3.json"));
    ok(&[
        "merge",
        s(&f("a3.json")),
        s(&f("a1.json")),
        s(&f("a2.json")),
    ]);
    let refuse = |files: &[&str], want: &str| {
        let args: Vec<String> = std::iter::once("merge".to_string())
            .chain(files.iter().map(|n| s(&f(n)).to_string()))
            .collect();
        let (o, out, err) = cporx(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(1), "{files:?}: {out}\n{err}");
        assert!(err.contains(want), "{files:?}: {err}");
        assert!(
            !out.contains("compared"),
            "no report from a refused merge: {out}"
        );
    };
    refuse(&["a1.json", "a3.json"], "incomplete job: shard 2/3 missing");
    refuse(&["a1.json", "a2.json", "a2.json"], "shard 2/3 given twice");
    refuse(&["a1.json", "a2.json", "b3.json"], "mixed jobs");
    // another shard count, another command, not a shard file
    soak("1", "1/2", &f("c1.json"));
    refuse(
        &["a1.json", "a2.json", "c1.json"],
        "the shard counts differ",
    );
    std::fs::write(
        f("study.json"),
        read(&f("a3.json")).replace("\"command\":\"soak\"", "\"command\":\"study\""),
    )
    .unwrap();
    refuse(&["a1.json", "a2.json", "study.json"], "mixed jobs");
    std::fs::write(f("junk.json"), "{}").unwrap();
    refuse(&["junk.json"], "not a cporx shard file");
    refuse(&["nonexistent.json"], "cannot read");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_sharded_cdr_report_merges_to_the_single_run() {
    // the quick plan (about 13 s single, the same again as 2 shards): every unit kind,
    // the jitter bisections included
    let d = tmp("cdr");
    let job = |dir: &str| {
        [
            "cdr-report".to_string(),
            "--quick".into(),
            "--out".into(),
            s(&d.join(dir).join("r.md")).into(),
            "--jtol-svg".into(),
            s(&d.join(dir).join("j.svg")).into(),
        ]
        .to_vec()
    };
    ok(&v(&job("single")));
    for k in ["1/2", "2/2"] {
        let mut a = job("merged");
        a.extend(["--shard".into(), k.into(), "--json".into()]);
        a.push(s(&d.join(format!("c{}.json", &k[..1]))).into());
        ok(&v(&a));
    }
    assert!(!d.join("merged/r.md").exists(), "a shard writes no report");
    ok(&["merge", s(&d.join("c1.json")), s(&d.join("c2.json"))]);
    // the same report but for the command line's paths and the run time line
    let norm = |dir: &str| {
        read(&d.join(dir).join("r.md"))
            .replace(s(&d.join(dir)), "OUT")
            .lines()
            .filter(|l| !l.starts_with("Report run time: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let single = norm("single");
    assert_eq!(single, norm("merged"));
    assert!(single.contains("**Jitter tolerance**"), "{single}");
    assert_eq!(read(&d.join("single/j.svg")), read(&d.join("merged/j.svg")));
    let _ = std::fs::remove_dir_all(&d);
}
