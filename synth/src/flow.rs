//! The ECP5 flow (Verilog -> Yosys `synth_ecp5` -> nextpnr-ecp5 -> ecppack -> bitstream
//! and report) and post-synthesis netlists for simulation: Yosys's generic `synth`, and
//! the ECP5-mapped `synth_ecp5` netlist, which verif/tests/post_synth.rs simulates under
//! Verilator with Yosys's own ECP5 cell models ([`crate::tools::ecp5_cell_models`]).
//!
//! Every tool runs in the output directory with its log there (`yosys.log`,
//! `nextpnr.log`, `ecppack.log`); `flow.sh` records the exact command lines. Any design
//! plugs in: the Verilog text, its top module name and the constraint file are inputs.

use crate::report::{FlowReport, NextpnrReport};
use crate::tools::{run_tool, Tool, ToolRun};
use crate::{Board, SynthError};
use std::path::{Path, PathBuf};

/// Legal `--target-mhz` range (nextpnr accepts anything; beyond 800 MHz nothing on an
/// ECP5 fabric closes, below 1 MHz is a typo).
pub const TARGET_MHZ_RANGE: (f64, f64) = (1.0, 800.0);

/// Check a target frequency; the error names the flag and the legal range.
pub fn check_target_mhz(mhz: f64) -> Result<f64, SynthError> {
    let (lo, hi) = TARGET_MHZ_RANGE;
    if mhz.is_finite() && (lo..=hi).contains(&mhz) {
        Ok(mhz)
    } else {
        Err(SynthError::BadValue {
            flag: "--target-mhz",
            value: mhz.to_string(),
            legal: format!("{lo} to {hi} (MHz)"),
        })
    }
}

/// What to build and where.
#[derive(Clone, Debug)]
pub struct FlowConfig {
    /// The design's Verilog text (all modules in one file).
    pub verilog: String,
    /// Its top module.
    pub top: String,
    pub board: Board,
    /// Target clock frequency in MHz (nextpnr `--freq`; an LPF FREQUENCY constraint on the
    /// clock port takes precedence for that clock).
    pub target_mhz: f64,
    /// Output directory (created; made absolute).
    pub out_dir: PathBuf,
    /// Constraint file; None: the board's committed `synth/boards/<board>.lpf`
    /// ([`Board::lpf_text`], written into `out_dir`).
    pub lpf: Option<PathBuf>,
    /// What is built, for the report's heading ("BIST board top, 2 lanes, 3 FFE taps").
    pub design: String,
    /// Let nextpnr place I/O the LPF does not constrain (`--lpf-allow-unconstrained`).
    pub allow_unconstrained_io: bool,
    /// nextpnr placement seed.
    pub seed: u64,
}

/// nextpnr-ecp5's options of a build besides its files (`--json`, `--lpf`, `--textcfg`,
/// `--report`): the board's device, package and speed grade, the target frequency, the
/// seed, `--timing-allow-fail` (the report says which clocks fail) and, for designs whose
/// I/O are not board pins, `--lpf-allow-unconstrained`. [`run_flow`] and the FuseSoC
/// cores' ECP5 targets (`cporx export`, `cporx build`) build with these.
pub fn nextpnr_build_options(
    board: Board,
    target_mhz: f64,
    seed: u64,
    allow_unconstrained_io: bool,
) -> Vec<String> {
    let mut a: Vec<String> = board.nextpnr_args().iter().map(|s| s.to_string()).collect();
    a.extend([
        "--freq".to_string(),
        target_mhz.to_string(),
        "--seed".to_string(),
        seed.to_string(),
        "--timing-allow-fail".to_string(),
    ]);
    if allow_unconstrained_io {
        a.push("--lpf-allow-unconstrained".into());
    }
    a
}

/// Run Yosys, nextpnr-ecp5 and ecppack; write `report.json` and `report.md` in `out_dir`.
///
/// Timing failure is not an error (`--timing-allow-fail`): the report says which clocks
/// fail. Any tool failure is an error with the tool's name and the tail of its log.
pub fn run_flow(cfg: &FlowConfig) -> Result<FlowReport, SynthError> {
    check_target_mhz(cfg.target_mhz)?;
    let out = make_dir(&cfg.out_dir)?;
    let top = &cfg.top;
    let src = format!("{top}.v");
    write(&out.join(&src), &cfg.verilog)?;
    let lpf = match &cfg.lpf {
        Some(p) => std::path::absolute(p).map_err(|e| SynthError::io(p, e))?,
        None => {
            let p = out.join(format!("{}.lpf", cfg.board.name()));
            write(&p, cfg.board.lpf_text())?;
            p
        }
    };
    if !lpf.is_file() {
        return Err(SynthError::io(
            &lpf,
            std::io::Error::new(std::io::ErrorKind::NotFound, "constraint file not found"),
        ));
    }

    // Every tool gets paths relative to `out` (its working directory): the YoWASP
    // runtime mounts its own scratch directory at /tmp, hiding the real /tmp from the
    // tools, so an absolute /tmp/... path would not be found. The LPF is copied beside
    // the other outputs (which also keeps a record of the constraints used).
    let lpf_name = lpf
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "constraints.lpf".into());
    if lpf.parent() != Some(out.as_path()) {
        let dst = out.join(&lpf_name);
        std::fs::copy(&lpf, &dst).map_err(|e| SynthError::io(&dst, e))?;
    }

    let json = format!("{top}.json");
    let textcfg = format!("{top}.config");
    let bit = format!("{top}.bit");
    let yosys_args = vec![
        "-p".to_string(),
        format!("read_verilog {src}; {} -json {json}", ecp5_synth(&top)),
    ];
    let mut pnr_args: Vec<String> = [
        "--json",
        &json,
        "--lpf",
        &lpf_name,
        "--textcfg",
        &textcfg,
        "--report",
        "nextpnr-report.json",
    ]
    .map(String::from)
    .to_vec();
    pnr_args.extend(nextpnr_build_options(
        cfg.board,
        cfg.target_mhz,
        cfg.seed,
        cfg.allow_unconstrained_io,
    ));
    let pack_args = vec![textcfg.clone(), bit.clone()];
    write_script(
        &out,
        &[
            (Tool::Yosys, &yosys_args),
            (Tool::Nextpnr, &pnr_args),
            (Tool::Ecppack, &pack_args),
        ],
    )?;

    // in order; each step needs the previous one's output
    let runs: Vec<ToolRun> = vec![
        run_tool(Tool::Yosys, &yosys_args, &out, &out.join("yosys.log"))?,
        run_tool(Tool::Nextpnr, &pnr_args, &out, &out.join("nextpnr.log"))?,
        run_tool(Tool::Ecppack, &pack_args, &out, &out.join("ecppack.log"))?,
    ];

    let report_path = out.join("nextpnr-report.json");
    let text =
        std::fs::read_to_string(&report_path).map_err(|e| SynthError::io(&report_path, e))?;
    let nextpnr = NextpnrReport::parse(&text)?;
    let bitstream = out.join(&bit);
    let bitstream_bytes = std::fs::metadata(&bitstream)
        .map_err(|e| SynthError::io(&bitstream, e))?
        .len();
    let report = FlowReport {
        board: cfg.board,
        part: cfg.board.part().to_string(),
        top: top.clone(),
        design: cfg.design.clone(),
        target_mhz: cfg.target_mhz,
        seed: cfg.seed,
        unconstrained_io: cfg.allow_unconstrained_io,
        // the copy beside the outputs (relative to the folder report.json is in)
        lpf: PathBuf::from(&lpf_name),
        nextpnr,
        runs,
        bitstream,
        bitstream_bytes,
    };
    let j = serde_json::to_string_pretty(&report).map_err(|e| SynthError::Report(e.to_string()))?;
    write(&out.join("report.json"), &j)?;
    write(&out.join("report.md"), &report.to_markdown())?;
    Ok(report)
}

/// Yosys's generic (technology-independent) synthesis of `verilog` as a Verilog netlist
/// of simple gates and flip-flops, for simulating the post-synthesis design:
/// `read_verilog; synth -flatten -top TOP; opt_clean -purge; write_verilog -noattr`.
/// The top module keeps its name and ports. `-flatten` as `synth_ecp5` does (so the
/// netlist is optimized across module boundaries like the ECP5 one); `-purge` drops
/// internal named wires nothing reads, which would otherwise only add lint noise.
pub fn generic_netlist(verilog: &str, top: &str) -> Result<String, SynthError> {
    netlist(
        verilog,
        top,
        &format!("synth -flatten -top {top}; opt_clean -purge"),
    )
}

/// The Yosys command of the ECP5 flow's synthesis: [`run_flow`] runs it (writing the
/// JSON nextpnr places) and [`ecp5_netlist`] runs it (writing Verilog), so that the
/// netlist simulated (verif/tests/post_synth.rs) and proven ([`crate::equiv`]) is the one
/// placed.
pub fn ecp5_synth(top: &str) -> String {
    format!("synth_ecp5 -top {top}")
}

/// The ECP5-mapped netlist, [`ecp5_synth`] written as Verilog (`write_verilog -noattr`):
/// instances of ECP5 primitives (LUT4, TRELLIS_FF, CCU2C, PFUMX, ...), the same cells and
/// nets as the JSON [`run_flow`] hands to nextpnr. No `opt_clean -purge` (unlike
/// [`generic_netlist`]): it would drop the flip-flops' register names, which the netlist
/// equivalence pairs ([`crate::equiv`]); the unread named wires it keeps only add lint
/// warnings, and this netlist is built with `-Wno-fatal` anyway (the vendor models).
/// verif/tests/post_synth.rs simulates it with Yosys's ECP5 models
/// (`share/ecp5/cells_sim.v`, [`crate::tools::ecp5_cell_models`]); those have no
/// MULT18X18D model (a blackbox), which the multiplier-free FFE does not need.
pub fn ecp5_netlist(verilog: &str, top: &str) -> Result<String, SynthError> {
    netlist(verilog, top, &ecp5_synth(top))
}

fn netlist(verilog: &str, top: &str, synth: &str) -> Result<String, SynthError> {
    let dir = scratch_dir()?;
    let result = (|| {
        write(&dir.join("top.v"), verilog)?;
        let args = vec![
            "-p".to_string(),
            format!("read_verilog top.v; {synth}; write_verilog -noattr net.v"),
        ];
        run_tool(Tool::Yosys, &args, &dir, &dir.join("yosys.log"))?;
        let net = dir.join("net.v");
        let text = std::fs::read_to_string(&net).map_err(|e| SynthError::io(&net, e))?;
        if !text.contains(&format!("\nmodule {top}(")) {
            return Err(SynthError::Report(format!(
                "Yosys netlist {} has no module `{top}`",
                net.display()
            )));
        }
        Ok(text)
    })();
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// A fresh directory under the system temp dir (kept on failure, for its log).
fn scratch_dir() -> Result<PathBuf, SynthError> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "cporx-synth-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    make_dir(&d)
}

fn make_dir(d: &Path) -> Result<PathBuf, SynthError> {
    std::fs::create_dir_all(d).map_err(|e| SynthError::io(d, e))?;
    std::path::absolute(d).map_err(|e| SynthError::io(d, e))
}

fn write(p: &Path, text: &str) -> Result<(), SynthError> {
    std::fs::write(p, text).map_err(|e| SynthError::io(p, e))
}

/// One word for a POSIX shell: as it is when it holds only safe characters, else in
/// single quotes (an empty word becomes `''`).
pub fn shell_quote(a: &str) -> String {
    if !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// `flow.sh`: the command lines run, to redo a step by hand (run from `out`).
fn write_script(out: &Path, steps: &[(Tool, &Vec<String>)]) -> Result<(), SynthError> {
    let mut s = String::from(
        "#!/bin/sh\n# The ECP5 flow as cporx ran it (cd to this directory first).\n\
         # Each tool is the one cporx found at run time; set its variable to use another.\nset -e\n",
    );
    for (tool, args) in steps {
        let exe = crate::tools::find_tool(*tool)?;
        let line: Vec<String> = std::iter::once(format!(
            "\"${{{}:-{}}}\"",
            tool.env_var(),
            exe.to_string_lossy().replace('"', "\\\"")
        ))
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect();
        s += &line.join(" ");
        s.push('\n');
    }
    write(&out.join("flow.sh"), &s)
}
