//! `cporx build`: an ECP5 build (Yosys -> nextpnr-ecp5 -> ecppack) of the receive top for
//! a board, with the utilization / Fmax report (crate cporx-synth).
//!
//! For now the design is the receive top (`rx_top_verilog`, module `top`); its ports are
//! not board pins, so only the clock is constrained (the board oscillator's pin, renamed
//! `clock`, at the target frequency) and nextpnr places the other I/O itself. A
//! board-level top with the board's own LPF plugs into the same `FlowConfig`.

use clap::Args;
use cporx_synth::{Board, FlowConfig};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// board: ulx3s-85f or orangecrab-25f
    #[arg(long)]
    pub board: String,
    /// clock target in MHz (1 to 800); sets the FREQUENCY constraint and nextpnr --freq
    #[arg(long, default_value_t = 200.0)]
    pub target_mhz: f64,
    /// output directory (default out/build/<board>)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// parameter file (TOML, the fields of RxParams); default: the built-in defaults
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// let nextpnr place the ports the LPF does not constrain (the receive top's ports are
    /// not board pins, so its build always does this; the flag states it explicitly)
    #[arg(long)]
    pub allow_unconstrained: bool,
    /// nextpnr placement seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(a: &BuildArgs) -> Result<(), String> {
    let board = Board::parse(&a.board).map_err(|e| format!("--board: {e}"))?;
    let mhz = cporx_synth::check_target_mhz(a.target_mhz).map_err(|e| e.to_string())?;
    let p = crate::load_params(&a.config)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/build").join(board.name()));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let verilog = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
    // The receive top's ports are not board pins: constrain only its clock.
    let lpf = out.join("clock.lpf");
    std::fs::write(&lpf, board.clock_only_lpf("clock", mhz))
        .map_err(|e| format!("cannot write {}: {e}", lpf.display()))?;
    if !a.allow_unconstrained {
        println!("note: the receive top's ports are not board pins; building with unconstrained I/O auto-placed (--allow-unconstrained)");
    }
    for (tool, what) in [
        (cporx_synth::Tool::Yosys, "~2 min"),
        (cporx_synth::Tool::Nextpnr, "~10 s"),
    ] {
        if cporx_synth::tools::yowasp_cold(tool) {
            println!(
                "note: first run of the YoWASP {}: compiling its WebAssembly once ({what}, cached in ~/.cache/YoWASP)",
                tool.name()
            );
        }
    }
    println!(
        "cporx build: receive top (n_taps = {}) for {} ({}), target {} MHz, seed {}; out {}",
        p.n_taps,
        board,
        board.part(),
        mhz,
        a.seed,
        out.display()
    );
    let report = cporx_synth::run_flow(&FlowConfig {
        verilog,
        top: "top".into(),
        board,
        target_mhz: mhz,
        out_dir: out.clone(),
        lpf: Some(lpf),
        allow_unconstrained_io: true,
        seed: a.seed,
    })
    .map_err(|e| e.to_string())?;
    println!("{}", report.summary());
    println!(
        "  report: {} and {}",
        out.join("report.md").display(),
        out.join("report.json").display()
    );
    Ok(())
}
