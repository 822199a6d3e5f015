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
use cporx_spec::RxParams;
use fail::Fail;
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
        /// output folder for top.v, lint_waivers.vlt and params.toml (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// parameter file (TOML, the fields of RxParams: lanes, n_taps, reset_coefs,
        /// thresholds, targets, cdr); default: the built-in defaults (3 taps, 1 lane)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run a stimulus file (one cycle a line: ADC code, `rst`, or `w ADDR DATA ADC`)
    #[command(long_about = SIM_HELP)]
    Sim {
        /// stimulus file: one cycle a line (format above)
        #[arg(long, value_name = "FILE")]
        stimulus: PathBuf,
        /// parameter file (TOML, the fields of RxParams); default: the built-in defaults
        /// (3 taps, 1 lane); its lanes set the ADC codes per line
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// write the model's waveforms (every cycle) here (folder created if missing)
        #[arg(long, value_name = "FILE")]
        vcd: Option<PathBuf>,
        /// also run the exported RTL under Verilator and compare every output of every cycle
        #[arg(long)]
        rtl: bool,
        /// write the outputs (one cycle a line: y symbol gray err phase lock freq) here
        /// instead of stdout (folder created if missing)
        #[arg(long, value_name = "FILE")]
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
    /// The co-packaging study: every channel file of the channel folder (--channels, $CPORX_CHANNELS, ../shared/channels) and an ideal short hop; fewest taps and ADC bits for the target BER, 3-tap BER, plots
    Study(study_cmd::StudyArgs),
    /// One Touchstone channel: SDD21, insertion loss at Nyquist, pulse response, cursors (and plots)
    Channel(study_cmd::ChannelArgs),
    /// ECP5 build for a board (Yosys, nextpnr-ecp5, ecppack): the BIST board top (default) or the bare receive top; bitstream, utilization, Fmax
    Build(build_cmd::BuildArgs),
    /// ECP5 builds of the BIST top for P = 1, 2, 4, 8, 16 lanes: the P-sweep table (utilization, Fmax, throughput, critical path)
    Sweep(build_cmd::SweepArgs),
}

const SIM_HELP: &str = "Run a stimulus file through the reference model (and, with --rtl, the exported RTL under Verilator).

Stimulus format: plain text, one clock cycle a line, `#` starts a comment. A line is
  ADC...              the cycle's P ADC codes (-32 ..= 31), lane 0 first (`-7`; `-7 3 0 12` at 4 lanes)
  rst                 a synchronous reset: registers to RxParams (coefficients, thresholds, targets, CDR)
  w ADDR DATA ADC...  a configuration write (ADDR 0 ..= 31; DATA -128 ..= 127 for addresses 0 ..= 23,
                      0 ..= 255 for the unsigned CDR and lock registers 24 ..= 31) with the cycle's codes
A file without `rst` runs from power-up, where every register is 0, configuration included
(coefficients 0, so y = 0): cporx warns; start with `rst` to load the parameters.
Every value is range-checked; an error names the line, the field and the legal range.
An empty stimulus measures nothing: exit code 3.";

/// A flag's value against its legal range, in the flag's own unit:
/// `--NAME = V is out of range: legal is LO ..= HI UNIT`. NaN is out of range.
pub fn check_range(name: &str, v: f64, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
    if v.is_nan() || v < lo || v > hi {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        return Err(format!(
            "--{name} = {v} is out of range: legal is {lo} ..= {hi}{unit}"
        ));
    }
    Ok(())
}

/// Check, before a long run, that `file` exists, holds the marker lines `begin` and `end`
/// (in that order) and can be written, so that `--readme FILE` fails before the work.
pub fn check_markers(file: &std::path::Path, begin: &str, end: &str) -> Result<(), String> {
    let text = out::read(file)?;
    match (text.find(begin), text.find(end)) {
        (Some(i), Some(j)) if i < j => {}
        _ => {
            return Err(format!(
                "{} has no `{begin}` ... `{end}` section to replace: add the two marker lines where the figures go",
                file.display()
            ))
        }
    }
    out::check_writable(file)
}

/// Replace the text between the marker lines `begin` and `end` of `file` with `body`.
pub fn replace_between(
    file: &std::path::Path,
    begin: &str,
    end: &str,
    body: &str,
) -> Result<(), String> {
    let text = out::read(file)?;
    let (Some(i), Some(j)) = (text.find(begin), text.find(end)) else {
        return Err(format!(
            "{} has no `{begin}` ... `{end}` section to replace",
            file.display()
        ));
    };
    let new = format!("{}{begin}\n{body}{}", &text[..i], &text[j..]);
    out::write(file, new)
}

pub fn load_params(config: &Option<PathBuf>) -> Result<RxParams, String> {
    let p = match config {
        None => RxParams::default(),
        Some(path) => {
            let text = out::read(path)?;
            RxParams::from_toml(&text, &path.display().to_string()).map_err(|e| e.to_string())?
        }
    };
    if let Some(path) = config {
        for w in p.warnings() {
            eprintln!("warning: {}: {w}", path.display());
        }
    }
    Ok(p)
}

fn export(dir: &std::path::Path, config: &Option<PathBuf>) -> Result<(), String> {
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

fn sim(
    stimulus: &PathBuf,
    config: &Option<PathBuf>,
    vcd: &Option<PathBuf>,
    rtl: bool,
    out_path: &Option<PathBuf>,
) -> Result<(), Fail> {
    use std::io::Write;
    let p = load_params(config)?;
    // every output path is checked before anything runs
    for f in [vcd, out_path].into_iter().flatten() {
        out::check_writable(f)?;
    }
    let text = out::read(stimulus)?;
    let stim = cporx_cosim::stimulus::parse(&text, &stimulus.display().to_string(), p.lanes)
        .map_err(|e| e.to_string())?;
    if stim.is_empty() {
        return Err(Fail::NotMeasured(format!(
            "{} holds no cycles (only blank lines or comments): nothing was simulated{}",
            stimulus.display(),
            if rtl {
                ", so no agreement with the RTL was measured"
            } else {
                ""
            }
        )));
    }
    if cporx_cosim::stimulus::never_resets(&stim) {
        eprintln!(
            "warning: {} never resets (no `rst` line): the run starts from power-up, where every register is 0, \
             configuration included (coefficients, thresholds, targets, CDR gains and ctrl all 0), \
             so y stays 0 until the stimulus writes the coefficients; start the file with `rst` to load RxParams",
            stimulus.display()
        );
    }
    let res = match vcd {
        Some(path) => {
            let f = out::create(path)?;
            let mut bw = std::io::BufWriter::new(f);
            let r = cporx_cosim::vcd_out::run_model_with_vcd(&p, &stim, &mut bw)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            out::flush(&mut bw, path)?;
            eprintln!("wrote {}", path.display());
            r
        }
        None => cporx_verif::run_model(&p, &stim),
    };
    let werr = |e: std::io::Error| match out_path {
        Some(f) => format!("cannot write {}: {}", f.display(), out::plain(&e)),
        None => format!("cannot write to standard output: {}", out::plain(&e)),
    };
    let mut w: Box<dyn Write> = match out_path {
        Some(path) => Box::new(std::io::BufWriter::new(out::create(path)?)),
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
    writeln!(w, "{head} phase lock freq").map_err(werr)?;
    for (c, o) in res.iter().enumerate() {
        let mut line = c.to_string();
        for l in &o.lane[..p.lanes] {
            line += &format!(" {} {} {:02b} {}", l.y, l.symbol, l.gray, l.err);
        }
        writeln!(w, "{line} {} {} {}", o.phase, o.lock as u8, o.freq).map_err(werr)?;
    }
    w.flush().map_err(werr)?;
    drop(w);
    if let Some(f) = out_path {
        eprintln!("wrote {} ({} cycles)", f.display(), res.len());
    }
    if rtl {
        let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
        let mut vl =
            cporx_cosim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
        let r = vl.run(&stim).map_err(|e| e.to_string())?;
        match cporx_verif::compare(&res, &r, "verilator") {
            Ok(()) => eprintln!(
                "RTL (Verilator) agrees with the model on all {} cycles",
                res.len()
            ),
            Err(m) => return Err(format!("RTL and model disagree: {m}").into()),
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
