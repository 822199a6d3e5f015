//! `cporx prove` on bad input and `--prepare` (no solver run): a wrong block names the
//! legal ones, `--jobs 0` and a partial `--readme` are refused, and `--prepare` writes
//! each design's work folder with the generated files and says so only after writing.

use std::process::{Command, Output};

fn cporx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn bad_flags_are_refused_with_the_legal_values() {
    let o = cporx(&["prove", "--block", "nosuch"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("--block nosuch: no such block") && t.contains("ffe") && t.contains("prbs_chk"),
        "{t}"
    );
    let o = cporx(&[
        "prove",
        "--block",
        "slicer",
        "--jobs",
        "0",
        "--out",
        std::env::temp_dir()
            .join("cporx-prove-jobs")
            .to_str()
            .unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--jobs 0"), "{}", text(&o));
    let o = cporx(&["prove", "--block", "slicer", "--readme", "README.md"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("partial table"), "{}", text(&o));
}

#[test]
fn block_list_names_every_block() {
    let o = cporx(&["prove", "--block", "list"]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    for b in cporx_verif::formal::blocks::BLOCKS {
        assert!(t.contains(b), "{b} missing: {t}");
    }
}

#[test]
fn prepare_writes_the_work_folders_and_runs_nothing() {
    let out = std::env::temp_dir().join(format!("cporx-prove-prepare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = cporx(&[
        "prove",
        "--block",
        "slicer",
        "--prepare",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    let designs = cporx_verif::formal::blocks::designs(Some("slicer")).unwrap();
    assert!(!designs.is_empty());
    for d in &designs {
        let dir = out.join(cporx_verif::formal::work_name(d));
        assert!(t.contains(&format!("wrote {}", dir.display())), "{t}");
        for f in [
            "dut.v",
            "dut_flat.v",
            "params.vh",
            "probes.ys",
            "slicer.sv",
            "slicer.sby",
        ] {
            let p = dir.join(f);
            assert!(
                std::fs::metadata(&p).map(|m| m.len() > 0).unwrap_or(false),
                "{} missing or empty",
                p.display()
            );
        }
        // nothing ran: no sby task folder
        assert!(!dir.join("slicer_prove").exists());
    }
    let _ = std::fs::remove_dir_all(&out);
}
