//! `cporx export --out DIR`: the receive top as Verilog (DIR/top.v, with the lint waivers
//! and the parameters used), linted with Verilator when it is installed, and packaged
//! for FuseSoC: DIR/cporx_rx_top.core (CAPI2, core `cporx:rx:top:0.1.0`, written by
//! cporx_hdl::fusesoc) with lint, sim (DIR/tb_top.v; Icarus or Verilator) and, at one
//! lane, ECP5 targets (DIR/<board>.lpf: the board clock only, the other I/O placed by
//! nextpnr, as `cporx build --design rx`).

use crate::cli::load_params;
use crate::out;
use clap::Args;
use cporx_spec::RxParams;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ExportArgs {
    /// output folder for top.v, lint_waivers.vlt, params.toml and the FuseSoC core
    /// (cporx_rx_top.core, tb_top.v, <board>.lpf) (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// parameter file (TOML, the fields of RxParams: lanes, n_taps, reset_coefs,
    /// thresholds, targets, cdr); default: the built-in defaults (3 taps, 1 lane)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The FuseSoC core's file name in the export folder.
pub const CORE_FILE: &str = "cporx_rx_top.core";

/// Write the FuseSoC packaging of the receive top for `p` into `dir` (beside its
/// top.v and lint_waivers.vlt): tb_top.v, one LPF a board at one lane, and the core.
/// Returns the names written.
pub fn write_rx_core(dir: &Path, p: &RxParams) -> Result<Vec<String>, String> {
    use cporx_hdl::fusesoc::{
        core_text, rx_top_description, rx_top_testbench, rx_top_vlnv, CoreSpec,
    };
    let mut written = vec![];
    out::write(&dir.join("tb_top.v"), rx_top_testbench(p))?;
    written.push("tb_top.v".to_string());
    let mut ecp5 = vec![];
    let mut notes = vec![];
    // the ECP5 targets build the bare top as `cporx build --design rx` does: one lane only
    match crate::cmd::build::check_design("rx", p) {
        Ok(_) => {
            let mhz = crate::cmd::build::target_for(1);
            for board in cporx_synth::Board::ALL {
                let lpf = format!("{}.lpf", board.name());
                out::write(&dir.join(&lpf), board.clock_only_lpf("clock", mhz))?;
                written.push(lpf.clone());
                ecp5.push(crate::cmd::build::ecp5_core_target(board, mhz, &lpf, true));
            }
        }
        Err(why) => notes.push(format!("No ECP5 target (as for `cporx build`): {why}.")),
    }
    let core = CoreSpec {
        vlnv: rx_top_vlnv(),
        description: rx_top_description(p),
        rtl: "top.v".into(),
        toplevel: "top".into(),
        waivers: "lint_waivers.vlt".into(),
        testbench: Some(("tb_top.v".into(), "tb_top".into())),
        ecp5,
        notes,
    };
    out::write(&dir.join(CORE_FILE), core_text(&core)?)?;
    written.push(CORE_FILE.to_string());
    Ok(written)
}

pub fn run(a: &ExportArgs) -> Result<(), String> {
    let (dir, config) = (&a.out, &a.config);
    let p = load_params(config)?;
    out::create_dir(dir)?;
    let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
    let f = dir.join("top.v");
    out::write(&f, &v)?;
    out::write(
        &dir.join("lint_waivers.vlt"),
        cporx_cosim::verilator::WAIVERS,
    )?;
    out::write(&dir.join("params.toml"), p.to_toml())?;
    println!(
        "wrote {} ({} lines, n_taps = {}, lanes = {}), lint_waivers.vlt, params.toml",
        f.display(),
        v.lines().count(),
        p.n_taps,
        p.lanes
    );
    let core = write_rx_core(dir, &p)?;
    println!(
        "wrote {} (FuseSoC core {}: targets lint, sim{}; fusesoc --cores-root {} run --target lint {})",
        core.join(", "),
        cporx_hdl::fusesoc::rx_top_vlnv(),
        if core.iter().any(|f| f.ends_with(".lpf")) {
            ", ecp5_<board>"
        } else {
            ""
        },
        dir.display(),
        cporx_hdl::fusesoc::rx_top_vlnv()
    );
    match cporx_cosim::verilator::lint(&f) {
        Ok(()) => println!("verilator --lint-only -Wall (with lint_waivers.vlt): clean"),
        Err(e) if e.is_not_found() => println!("lint skipped: {e}"),
        Err(e) => return Err(e.to_string()),
    }
    Ok(())
}
