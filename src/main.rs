//! `cporx`: one command over the whole project.
//!
//! * `cporx` / `cporx demo`: the main job (PRBS13Q -> ISI channel + noise -> ADC -> model
//!   and, where Verilator is installed, the RTL; symbol errors, bit-exact agreement, VCD)
//! * `cporx export --out DIR`: the receive top as Verilog, linted with Verilator
//! * `cporx sim --stimulus FILE`: run a stimulus file through the model (and `--rtl`)
//! * `cporx link`: the closed loop (AFE + receive top + CDR) with the model or `--rtl`
//! * `cporx cdr-report`: the CDR's measured figures (lock, ppm, phase, jitter tolerance)
//! * `cporx bench`: throughput of the model, Verilator and rust-hdl's simulator
//! * `cporx study`: the co-packaging table over measured channels (and `cporx channel FILE`)
//! * `cporx mc-bench`: Monte-Carlo link simulation speed, 1 and all cores, beside numpy
//! * `cporx build --board B`: ECP5 build of the receive top (Yosys, nextpnr, ecppack) and its report

mod bench;
mod build_cmd;
mod cdr_report;
mod demo;
mod fail;
mod link_cmd;
mod mc_bench;
mod out;
mod plots;
mod study_cmd;

use clap::{Parser, Subcommand};
use fail::Fail;
use cporx_spec::RxParams;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cporx",
    version,
    about = "PAM-4 receive DSP for co-packaged optics: rust-hdl RTL, bit-exact model, Verilator co-simulation",
    long_about = "PAM-4 receive DSP for co-packaged optics: rust-hdl RTL, bit-exact model, Verilator co-simulation.\n\nA bare `cporx` (no subcommand) runs `cporx demo`, the main job.",
    after_help = fail::EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// The main job: PRBS13Q through a built-in ISI channel with noise, through the model and the RTL
    Demo(demo::DemoArgs),
    /// Export the receive top as Verilog (DIR/top.v) and lint it with Verilator
    Export {
        #[arg(long)]
        out: PathBuf,
        /// parameter file (TOML, the fields of RxParams); default: the built-in defaults
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run a stimulus file (one cycle a line: ADC code, `rst`, or `w ADDR DATA ADC`)
    Sim {
        #[arg(long)]
        stimulus: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        /// write the model's waveforms here
        #[arg(long)]
        vcd: Option<PathBuf>,
        /// also run the exported RTL under Verilator and compare every cycle
        #[arg(long)]
        rtl: bool,
        /// write the outputs (one cycle a line: y symbol gray err phase lock freq) here instead of stdout
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the closed loop: AFE (channel, noise, jitter, ppm) -> receive top -> PI code -> AFE
    Link(link_cmd::LinkArgs),
    /// Measure the CDR's figures (lock time, ppm tracking, locked phase, jitter tolerance)
    CdrReport(cdr_report::ReportArgs),
    /// Print throughput figures (model, Verilator co-simulation, rust-hdl simulation)
    Bench(bench::BenchArgs),
    /// Monte-Carlo link simulation speed (channel, noise, ADC, bit-exact receiver), 1 and all cores, beside numpy
    McBench(mc_bench::McBenchArgs),
    /// The co-packaging study: every channel in ../shared/channels and an ideal short hop; fewest taps and ADC bits for the target BER, 3-tap BER, plots
    Study(study_cmd::StudyArgs),
    /// One Touchstone channel: SDD21, insertion loss at Nyquist, pulse response, cursors (and plots)
    Channel(study_cmd::ChannelArgs),
    /// ECP5 build for a board (Yosys, nextpnr-ecp5, ecppack): the BIST board top (default) or the bare receive top; bitstream, utilization, Fmax
    Build(build_cmd::BuildArgs),
    /// ECP5 builds of the BIST top for P = 1, 2, 4, 8, 16 lanes: the P-sweep table (utilization, Fmax, throughput, critical path)
    Sweep(build_cmd::SweepArgs),
}

/// Replace the text between the marker lines `begin` and `end` of `file` with `body`.
pub fn replace_between(
    file: &std::path::Path,
    begin: &str,
    end: &str,
    body: &str,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (Some(i), Some(j)) = (text.find(begin), text.find(end)) else {
        return Err(format!(
            "{} has no `{begin}` ... `{end}` section to replace",
            file.display()
        ));
    };
    let new = format!("{}{begin}\n{body}{}", &text[..i], &text[j..]);
    std::fs::write(file, new).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

pub fn load_params(config: &Option<PathBuf>) -> Result<RxParams, String> {
    match config {
        None => Ok(RxParams::default()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            RxParams::from_toml(&text, &path.display().to_string()).map_err(|e| e.to_string())
        }
    }
}

fn export(out: &PathBuf, config: &Option<PathBuf>) -> Result<(), String> {
    let p = load_params(config)?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
    let f = out.join("top.v");
    std::fs::write(&f, &v).map_err(|e| e.to_string())?;
    std::fs::copy(
        cporx_sim::verilator::waiver_file(),
        out.join("lint_waivers.vlt"),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(out.join("params.toml"), p.to_toml()).map_err(|e| e.to_string())?;
    println!(
        "wrote {} ({} lines, n_taps = {}), lint_waivers.vlt, params.toml",
        f.display(),
        v.lines().count(),
        p.n_taps
    );
    match cporx_sim::verilator::lint(&f) {
        Ok(()) => println!("verilator --lint-only -Wall (with lint_waivers.vlt): clean"),
        Err(cporx_sim::verilator::VerilatorError::NotFound { .. }) => {
            println!(
                "lint skipped: {}",
                cporx_sim::verilator::find_verilator().unwrap_err()
            )
        }
        Err(e) => return Err(e.to_string()),
    }
    Ok(())
}

fn sim(
    stimulus: &PathBuf,
    config: &Option<PathBuf>,
    vcd: &Option<PathBuf>,
    rtl: bool,
    out: &Option<PathBuf>,
) -> Result<(), String> {
    use std::io::Write;
    let p = load_params(config)?;
    let text = std::fs::read_to_string(stimulus)
        .map_err(|e| format!("cannot read {}: {e}", stimulus.display()))?;
    let stim = cporx_sim::stimulus::parse(&text, &stimulus.display().to_string(), p.lanes)
        .map_err(|e| e.to_string())?;
    let res = match vcd {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let r = cporx_sim::vcd_out::run_model_with_vcd(&p, &stim, std::io::BufWriter::new(f))
                .map_err(|e| e.to_string())?;
            eprintln!("wrote {}", path.display());
            r
        }
        None => cporx_verif::run_model(&p, &stim),
    };
    let mut w: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| e.to_string())?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut head = "# cycle".to_string();
    for j in 0..p.lanes {
        let l = if p.lanes > 1 {
            j.to_string()
        } else {
            String::new()
        };
        head += &format!(" y{l} symbol{l} gray{l} err{l}");
    }
    writeln!(w, "{head} phase lock freq").map_err(|e| e.to_string())?;
    for (c, o) in res.iter().enumerate() {
        let mut line = c.to_string();
        for l in &o.lane[..p.lanes] {
            line += &format!(" {} {} {:02b} {}", l.y, l.symbol, l.gray, l.err);
        }
        writeln!(w, "{line} {} {} {}", o.phase, o.lock as u8, o.freq).map_err(|e| e.to_string())?;
    }
    drop(w);
    if rtl {
        let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
        let mut vl =
            cporx_sim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
        let r = vl.run(&stim).map_err(|e| e.to_string())?;
        match cporx_verif::compare(&res, &r, "verilator") {
            Ok(()) => eprintln!(
                "RTL (Verilator) agrees with the model on all {} cycles",
                res.len()
            ),
            Err(m) => return Err(format!("RTL and model disagree: {m}")),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r: Result<(), Fail> = match cli.cmd.unwrap_or(Cmd::Demo(demo::DemoArgs::default())) {
        Cmd::Demo(a) => demo::run(&a).map_err(Fail::from),
        Cmd::Export { out, config } => export(&out, &config).map_err(Fail::from),
        Cmd::Sim {
            stimulus,
            config,
            vcd,
            rtl,
            out,
        } => sim(&stimulus, &config, &vcd, rtl, &out).map_err(Fail::from),
        Cmd::Link(a) => link_cmd::run(&a).map_err(Fail::from),
        Cmd::CdrReport(a) => cdr_report::run_report(&a).map_err(Fail::from),
        Cmd::Bench(a) => bench::run(&a).map_err(Fail::from),
        Cmd::McBench(a) => mc_bench::run(&a).map_err(Fail::from),
        Cmd::Study(a) => study_cmd::run(&a).map_err(Fail::from),
        Cmd::Channel(a) => study_cmd::channel(&a).map_err(Fail::from),
        Cmd::Build(a) => build_cmd::run(&a).map_err(Fail::from),
        Cmd::Sweep(a) => build_cmd::sweep(&a).map_err(Fail::from),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}
