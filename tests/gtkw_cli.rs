//! `cporx sim --vcd F` and `cporx link --vcd F` (model and `--rtl`) write a GTKWave save
//! file F.gtkw beside the VCD: every signal it names exists in that VCD under the name
//! GTKWave gives it (the dotted scope path, and `[msb:lsb]` after a vector: the VCD's own
//! range, or `[w-1:0]` for a `$var` without one), the signals are grouped by block and
//! y, err and freq are signed decimal (`@424`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The names GTKWave gives the VCD's variables.
fn vcd_names(vcd: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(vcd).unwrap();
    let head = &text[..text.find("$enddefinitions").expect("a VCD header")];
    let toks: Vec<&str> = head.split_whitespace().collect();
    let (mut scope, mut names) = (Vec::<String>::new(), BTreeSet::new());
    let mut i = 0;
    while i < toks.len() {
        match toks[i] {
            "$scope" => {
                scope.push(toks[i + 2].to_string());
                i += 3;
            }
            "$upscope" => {
                scope.pop();
                i += 1;
            }
            "$var" => {
                let width: usize = toks[i + 2].parse().unwrap();
                let name = toks[i + 4];
                let range = toks.get(i + 5).filter(|t| t.starts_with('['));
                let mut n = format!("{}.{name}", scope.join("."));
                match range {
                    Some(r) => n.push_str(r),
                    None if width > 1 => n.push_str(&format!("[{}:0]", width - 1)),
                    None => {}
                }
                names.insert(n);
                i += 5;
            }
            _ => i += 1,
        }
    }
    names
}

/// The signals a .gtkw lists (lines that are not flags, comments, groups or settings;
/// an alias `+{alias} ` before the name dropped).
fn gtkw_signals(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with(['@', '-', '[', '*']))
        .map(|l| match l.strip_prefix("+{") {
            Some(rest) => rest
                .split_once("} ")
                .expect("an alias closes")
                .1
                .to_string(),
            None => l.to_string(),
        })
        .collect()
}

/// Check the save file beside `vcd` against it; returns how many signals it lists.
fn check(vcd: &Path, stderr: &str) -> usize {
    let gtkw = vcd.with_extension("gtkw");
    assert!(
        stderr.contains(&format!("wrote {}", gtkw.display())),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&gtkw).unwrap();
    let have = vcd_names(vcd);
    let sigs = gtkw_signals(&text);
    for s in &sigs {
        assert!(
            have.contains(s),
            "{s} (in {}) is not in {}",
            gtkw.display(),
            vcd.display()
        );
    }
    let file = vcd.file_name().unwrap().to_string_lossy();
    assert!(text.contains(&format!("[dumpfile] \"{file}\"")), "{text}");
    for b in ["top (ports)", "ffe", "slicer", "cdr"] {
        assert!(
            text.contains(&format!("@800200\n-{b}\n")),
            "group {b}: {text}"
        );
        assert!(
            text.contains(&format!("@1000200\n-{b}\n")),
            "group {b}: {text}"
        );
    }
    // the format line in force at each y, err and freq is signed decimal
    let mut flag = "";
    let mut signed = 0;
    for l in text.lines() {
        if l.starts_with('@') {
            flag = l;
        } else if let Some(last) = l.rsplit('.').next() {
            if last.starts_with("y$") || last.starts_with("err$") || last.starts_with("freq[") {
                assert_eq!(flag, "@424", "{l}");
                signed += 1;
            }
        }
    }
    assert!(signed >= 6, "{text}");
    sigs.len()
}

fn cporx(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    // link exits 3 ("not measured") on a run too short to count errors: fine here
    assert!(
        o.status.success() || (o.status.code() == Some(3) && e.contains("not measured")),
        "{args:?}: {e}"
    );
    e
}

#[test]
fn the_save_files_name_only_signals_of_their_vcds() {
    let dir = std::env::temp_dir().join(format!("cporx-gtkw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let stim = dir.join("stim.txt");
    let mut s = "rst\n".to_string();
    for k in 0..40 {
        s += &format!("{} {}\n", (k * 7) % 40 - 20, (k * 11) % 40 - 20);
    }
    std::fs::write(&stim, s).unwrap();
    let cfg = dir.join("p2.toml");
    let p2 = cporx_spec::RxParams::default().with_lanes(2).unwrap();
    std::fs::write(&cfg, p2.to_toml()).unwrap();

    let vcd = dir.join("sim.vcd");
    let e = cporx(&[
        "sim",
        "--stimulus",
        stim.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--vcd",
        vcd.to_str().unwrap(),
        "--out",
        dir.join("sim.out").to_str().unwrap(),
    ]);
    let n = check(&vcd, &e);
    // every signal of the model's VCD is on screen
    assert_eq!(n, vcd_names(&vcd).len());
    println!(
        "sim --vcd: {n} signals in {}",
        vcd.with_extension("gtkw").display()
    );

    let vcd = dir.join("link.vcd");
    let e = cporx(&["link", "--ui", "1000", "--vcd", vcd.to_str().unwrap()]);
    let n = check(&vcd, &e);
    println!("link --vcd: {n} signals");

    // Verilator's trace: the same signals below its TOP scope (and many internal ones)
    let vcd = dir.join("link_rtl.vcd");
    let e = cporx(&[
        "link",
        "--ui",
        "1000",
        "--rtl",
        "--vcd",
        vcd.to_str().unwrap(),
    ]);
    let n = check(&vcd, &e);
    let text = std::fs::read_to_string(vcd.with_extension("gtkw")).unwrap();
    assert!(text.contains("\nTOP.top.cdr.freq[19:0]\n"), "{text}");
    println!("link --rtl --vcd: {n} signals");

    // a VCD named *.gtkw would be overwritten by its save file: refused before the run
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["sim", "--stimulus", stim.to_str().unwrap(), "--vcd"])
        .arg(dir.join("x.gtkw"))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("x.gtkw") && e.contains(".vcd"), "{e}");
    assert!(!dir.join("x.gtkw").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
