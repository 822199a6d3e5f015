//! `cporx`: one command over the whole project. This file only parses the command line and
//! hands each subcommand to its module under `cmd/` (shared flag helpers: `cli`; plots:
//! `plots/`, by kind; the computations live in the library crates).
//!
//! * `cporx` / `cporx demo`: the main job (PRBS13Q -> ISI channel + noise -> ADC -> model
//!   and, where Verilator is installed, the RTL; symbol errors, bit-exact agreement, VCD)
//! * `cporx export --out DIR`: the receive top as Verilog, linted with Verilator
//! * `cporx sim --stimulus FILE`: run a stimulus file through the model (and `--rtl`)
//! * `cporx link`: the closed loop (AFE + receive top + CDR) with the model or `--rtl`
//! * `cporx cdr-report`: the CDR's measured figures (lock, ppm, phase, jitter tolerance)
//! * `cporx bench`: throughput of the model, Verilator and rust-hdl's simulator
//! * `cporx study`: the co-packaging table over measured channels (and `cporx channel FILE`)
//! * `cporx loss`: implementation loss of the fixed-point receiver against a float one, by cause, and the best AGC backoff
//! * `cporx mc-bench`: Monte-Carlo link simulation speed, 1 and all cores, beside numpy
//! * `cporx prove [--block B]`: the formal proofs (SymbiYosys) and the netlist equivalence
//! * `cporx build --board B`: ECP5 build of the receive top (Yosys, nextpnr, ecppack) and its report
//! * `cporx soak --cycles N`: the random equivalence of the model and the Verilator-built RTL for N cycles
//! * `cporx merge FILE...`: the shard files of one `--shard K/N` job merged into the single run's output

mod cli;
mod cmd;
mod fail;
mod out;
mod plots;

use clap::{Parser, Subcommand};
use cmd::*;
use fail::Fail;
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
    Export(export::ExportArgs),
    /// Run a stimulus file (one cycle a line: ADC code, `rst`, or `w ADDR DATA ADC`)
    #[command(long_about = sim::SIM_HELP)]
    Sim(sim::SimArgs),
    /// Run the closed loop: AFE (channel, noise, jitter, ppm) -> receive top -> PI code -> AFE
    Link(link::LinkArgs),
    /// Measure the CDR's figures (lock time, ppm tracking, locked phase, jitter tolerance)
    CdrReport(cdr_report::ReportArgs),
    /// Print throughput figures (model, Verilator co-simulation, rust-hdl simulation)
    Bench(bench::BenchArgs),
    /// Monte-Carlo link simulation speed (channel, noise, ADC, bit-exact receiver), 1 and all cores, beside numpy
    McBench(mc_bench::McBenchArgs),
    /// The co-packaging study: every channel file of the channel folder (--channels, $CPORX_CHANNELS, ../shared/channels) and an ideal short hop; fewest taps and ADC bits for the target BER, 3-tap BER, plots
    Study(study::StudyArgs),
    /// Implementation loss (dB of launch SNR at the target BER) of the fixed-point receiver against a float one, split into its causes (ADC and AGC backoff, tap codes, slicer), and the AGC gain that minimises it
    Loss(loss::LossArgs),
    /// Energy per bit, measured: power from switching activity on a standard-cell netlist (OSU 0.18 um, OpenSTA), per block
    Energy(energy::EnergyArgs),
    /// Formal proofs beside the RTL (SymbiYosys): every block's contract by k-induction or bounded, each assertion with its cover, and the netlists' equivalence with the RTL
    Prove(prove::ProveArgs),
    /// One Touchstone channel: SDD21, insertion loss at Nyquist, pulse response, cursors (and plots)
    Channel(channel::ChannelArgs),
    /// ECP5 build for a board (Yosys, nextpnr-ecp5, ecppack): the BIST board top (default) or the bare receive top; bitstream, utilization, Fmax
    Build(build::BuildArgs),
    /// ECP5 builds of the BIST top for P = 1, 2, 4, 8, 16 lanes: the P-sweep table (utilization, Fmax, throughput, critical path)
    Sweep(sweep::SweepArgs),
    /// The random equivalence of the bit-exact model and the Verilator-built receive top for N cycles, every output compared every cycle (shardable: --shard K/N)
    Soak(soak::SoakArgs),
    /// Merge the shard files of one job (`--shard K/N` of study, cdr-report, sweep, soak) into the single run's output
    Merge(merge::MergeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r: Result<(), Fail> = match cli.cmd.unwrap_or(Cmd::Demo(demo::DemoArgs::default())) {
        Cmd::Demo(a) => demo::run(&a).map_err(Fail::from),
        Cmd::Export(a) => export::run(&a).map_err(Fail::from),
        Cmd::Sim(a) => sim::run(&a),
        Cmd::Link(a) => link::run(&a),
        Cmd::CdrReport(a) => cdr_report::run_report(&a),
        Cmd::Bench(a) => bench::run(&a).map_err(Fail::from),
        Cmd::McBench(a) => mc_bench::run(&a).map_err(Fail::from),
        Cmd::Study(a) => study::run(&a),
        Cmd::Loss(a) => loss::run(&a),
        Cmd::Energy(a) => energy::run(&a),
        Cmd::Prove(a) => prove::run(&a),
        Cmd::Channel(a) => channel::channel(&a),
        Cmd::Build(a) => build::run(&a).map_err(Fail::from),
        Cmd::Sweep(a) => sweep::run(&a).map_err(Fail::from),
        Cmd::Soak(a) => soak::run(&a),
        Cmd::Merge(a) => merge::run(&a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}
