//! `cporx soak`: the random equivalence of the model and the Verilator-built receive top,
//! compared every cycle; 2 shards merge to the single run's counts exactly; no cycle
//! compared is not measured (exit 3); bad flags name themselves. Needs Verilator (the
//! default design's build is cached; the first build takes about 40 s).

use std::path::PathBuf;
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-soak-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cporx(args: &[&str]) -> (Output, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    (o, out, err)
}

/// The summary without its timing (the only part that may differ between runs).
fn counts(p: &std::path::Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("timing");
    v
}

#[test]
fn two_shards_merge_to_the_single_run() {
    let d = tmp("merge");
    let s = |f: &str| d.join(f).to_str().unwrap().to_string();
    let job = [
        "soak", "--cycles", "150000", "--block", "40000", "--seed", "7",
    ];
    let (o, out, err) = cporx(&[&job[..], &["--json", &s("single.json")]].concat());
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("compared       : 150000 cycles, every output every cycle"),
        "{out}"
    );
    assert!(out.contains("mismatches     : 0 cycles"), "{out}");
    assert!(out.contains("M cycles/s"), "{out}");
    for k in ["1/2", "2/2"] {
        let f = s(&format!("s{}.json", &k[..1]));
        let (o, out, err) = cporx(&[&job[..], &["--shard", k, "--json", &f]].concat());
        assert!(o.status.success(), "{out}\n{err}");
        assert!(out.contains(&format!("wrote {f} (shard {k}")), "{out}");
    }
    // 4 blocks: shard 1 has blocks 0, 1 (80000 cycles), shard 2 blocks 2, 3 (70000)
    let s1 = std::fs::read_to_string(s("s1.json")).unwrap();
    assert!(
        s1.contains("\"cycles\":40000") && !s1.contains("\"cycles\":30000"),
        "{s1}"
    );
    let (o, out, err) = cporx(&[
        "merge",
        &s("s2.json"),
        &s("s1.json"),
        "--json",
        &s("merged.json"),
    ]);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("compared       : 150000 cycles"), "{out}");
    let single = counts(&d.join("single.json"));
    assert_eq!(single, counts(&d.join("merged.json")));
    assert_eq!(single["cycles"], 150000);
    assert_eq!(single["blocks"], 4);
    assert_eq!(single["mismatched_cycles"], 0);
    assert!(single["cases"].as_u64().unwrap() > 4, "{single}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn no_cycle_is_not_measured_and_bad_flags_name_themselves() {
    let (o, out, err) = cporx(&["soak", "--cycles", "0"]);
    assert_eq!(o.status.code(), Some(3), "{out}\n{err}");
    assert!(out.contains("not measured"), "{out}");
    assert!(err.contains("not measured: no cycle compared"), "{err}");
    let (o, _, err) = cporx(&["soak", "--cycles", "10", "--block", "10"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("--block = 10 is out of range: legal is 1000 ..= 1073741824"),
        "{err}"
    );
    for bad in ["0/2", "3/2", "2", "x/y"] {
        let (o, _, err) = cporx(&["soak", "--cycles", "10", "--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("--shard") && err.contains("K in 1 ..= N"),
            "{bad}: {err}"
        );
    }
}
