//! The README's layout tables stay true: every path the crate and block tables name
//! exists, every crate of the workspace has its row (and no row names a crate that is not
//! a member), every RTL block file under hdl/src/ has its row, and every latency cell
//! `N (`LAT_X`)` is the spec's constant.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The README's "## Layout" section.
fn layout() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("read README.md");
    let a = readme
        .find("\n## Layout\n")
        .expect("README has a ## Layout section");
    let rest = &readme[a + 1..];
    let b = rest[3..].find("\n## ").map(|b| b + 3).unwrap_or(rest.len());
    rest[..b].to_string()
}

/// The table rows (lines starting with `|`, header and rule excluded) with their cells.
fn rows(text: &str, header_first: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with(&format!("| {header_first} |")) {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        if line.starts_with("|---") {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        out.push(cells);
    }
    assert!(
        !out.is_empty(),
        "no rows under a table headed `{header_first}`"
    );
    out
}

/// Backticked words of a cell that look like repository paths.
fn paths(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| w.contains('/') && !w.contains(' '))
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn every_named_path_exists() {
    let text = layout();
    let mut n = 0;
    for (header, cols) in [("crate", &[1usize, 2][..]), ("block", &[1, 2, 4, 5][..])] {
        for r in rows(&text, header) {
            for &c in cols {
                for p in paths(r.get(c).map(String::as_str).unwrap_or("")) {
                    assert!(
                        root().join(&p).exists(),
                        "README layout row `{}` names `{p}`, which does not exist",
                        r[0]
                    );
                    n += 1;
                }
            }
        }
    }
    assert!(n > 30, "only {n} paths checked: is the table parsed?");
}

#[test]
fn every_workspace_crate_has_its_row() {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let members_line = cargo
        .lines()
        .find(|l| l.starts_with("members"))
        .expect("workspace members");
    let members: Vec<&str> = members_line.split('"').skip(1).step_by(2).collect();
    let table = rows(&layout(), "crate");
    let folders: Vec<String> = table
        .iter()
        .map(|r| r[1].trim_matches('`').to_string())
        .collect();
    for m in &members {
        assert!(
            folders.iter().any(|f| f.trim_end_matches('/') == *m),
            "workspace member `{m}` has no row in the README's crate table"
        );
    }
    for r in &table {
        let f = r[1].trim_matches('`').trim_end_matches('/');
        let name = r[0].trim_matches('`');
        let manifest = std::fs::read_to_string(root().join(f).join("Cargo.toml"))
            .unwrap_or_else(|_| std::fs::read_to_string(root().join("Cargo.toml")).unwrap());
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "the README says `{f}` holds crate `{name}`, its Cargo.toml does not"
        );
    }
}

#[test]
fn every_block_file_has_its_row() {
    let table = rows(&layout(), "block");
    let rtl: Vec<String> = table.iter().flat_map(|r| paths(&r[1])).collect();
    // not blocks: the crate root, the exporters (Verilog, FuseSoC core), the stepper
    let not_blocks = ["lib.rs", "export.rs", "fusesoc.rs", "step.rs", "mod.rs"];
    for dir in ["hdl/src", "hdl/src/bist"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            if !name.ends_with(".rs") || not_blocks.contains(&name.as_str()) {
                continue;
            }
            let p = format!("{dir}/{name}");
            assert!(
                rtl.contains(&p),
                "RTL block `{p}` has no row in the README's block table"
            );
        }
    }
}

#[test]
fn latencies_are_the_specs() {
    use cporx_spec::bist::{LAT_CHAN, LAT_CHK, LAT_GEN};
    use cporx_spec::{
        LAT_AGC, LAT_CDR, LAT_DFE, LAT_FFE, LAT_LEVELS, LAT_LMS, LAT_SLICER, LAT_TOP,
    };
    let spec = [
        ("LAT_FFE", LAT_FFE),
        ("LAT_SLICER", LAT_SLICER),
        ("LAT_CDR", LAT_CDR),
        ("LAT_TOP", LAT_TOP),
        ("LAT_LMS", LAT_LMS),
        ("LAT_LEVELS", LAT_LEVELS),
        ("LAT_AGC", LAT_AGC),
        ("LAT_DFE", LAT_DFE),
        ("LAT_GEN", LAT_GEN),
        ("LAT_CHAN", LAT_CHAN),
        ("LAT_CHK", LAT_CHK),
    ];
    let mut seen = 0;
    for r in rows(&layout(), "block") {
        let cell = r.last().unwrap();
        let Some(name) = cell.split('`').nth(1).filter(|w| w.starts_with("LAT_")) else {
            continue;
        };
        let value: usize = cell
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("latency cell `{cell}` does not start with a number"));
        let (_, want) = spec
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("latency cell `{cell}` names unknown constant `{name}`"));
        assert_eq!(
            value, *want,
            "README says {name} = {value}, the spec says {want}"
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        spec.len(),
        "every spec latency appears once in the block table"
    );
}
