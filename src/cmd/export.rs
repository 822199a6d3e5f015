//! `cporx export --out DIR`: the receive top as Verilog (DIR/top.v, with the lint waivers
//! and the parameters used), linted with Verilator when it is installed.

use crate::cli::load_params;
use crate::out;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ExportArgs {
    /// output folder for top.v, lint_waivers.vlt and params.toml (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// parameter file (TOML, the fields of RxParams: lanes, n_taps, reset_coefs,
    /// thresholds, targets, cdr); default: the built-in defaults (3 taps, 1 lane)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    match cporx_cosim::verilator::lint(&f) {
        Ok(()) => println!("verilator --lint-only -Wall (with lint_waivers.vlt): clean"),
        Err(e) if e.is_not_found() => println!("lint skipped: {e}"),
        Err(e) => return Err(e.to_string()),
    }
    Ok(())
}
