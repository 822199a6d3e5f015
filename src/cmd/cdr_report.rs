//! `cporx cdr-report`: the CDR's measured figures, with the bit-exact model in the loop,
//! written as Markdown (to `--out`, and into README.md between the `cdr-report` markers
//! with `--readme`). Every figure states its conditions; the same command reproduces them
//! (runs are seeded), and the report names the command that made it.
//!
//! * lock time from a random initial phase: 100 seeds per channel;
//! * frequency offset tracked without a cycle slip over 10 million UI;
//! * locked sampling phase against the best phase of an open-loop sweep;
//! * jitter tolerance: largest sinusoidal jitter amplitude with no bit error over
//!   3.2 million bits (BER < 1e-6 at 95 % confidence) per jitter frequency, plotted
//!   log-log (SVG, `--jtol-svg`).
//!
//! Every input and output path is checked before the minutes of computation. A figure
//! computed from nothing (a run that never locked, so counted no bit) is printed as
//! `not measured (why)`, never as 0, and left out of the plot with a note; the report is
//! still written, and the command ends with exit code 3. A BER comes with its count and
//! interval.
//!
//! `--shard K/N` (docs/shards.md): the 27 units (6 lock-time rows, 10 offsets, 4 phase
//! channels, 7 jitter frequencies) round-robin; a shard writes its units' results (floats as
//! their bits) as a shard file; [`merge`] renders the single run's report from them.

use crate::fail::Fail;
use crate::out;
use crate::plots::{self, JtolPoint};
use clap::Args;
use cporx_link::closed_loop::cdr::{self, bits, circ, Plan, BAUD_GBD, RJ_UI, SNR_DB};
use cporx_link::closed_loop::LinkResult;
use cporx_link::figure::{not_measured, Rate};
use cporx_spec::*;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

const BEGIN: &str = "<!-- cdr-report:begin -->";
const END: &str = "<!-- cdr-report:end -->";

#[derive(Args, Clone, Debug)]
#[command(
    after_help = "Runs about 25 s on 2 cores (--quick: about 3 s). Every path is checked first. \
Exit codes: 0 every figure measured; 1 a bad path or a file that cannot be written (before the \
run, or when writing); 3 the report was written, but some figures are not measured (a run that \
never locked counted nothing); 2 usage."
)]
pub struct ReportArgs {
    /// where to write the Markdown report: a FILE (its folder is made if missing)
    #[arg(long, value_name = "FILE", default_value = "out/cdr-report.md")]
    pub out: PathBuf,
    /// also replace the text between the lines `<!-- cdr-report:begin -->` and
    /// `<!-- cdr-report:end -->` of this existing Markdown FILE (checked before the run:
    /// it must exist and hold both markers, in that order); default: no README is touched
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
    /// a smoke run, about 3 s instead of ~25 s on 2 cores: 20 seeds per lock-time row
    /// (instead of 100), 1,000,000 UI per frequency-offset row (instead of 10,000,000),
    /// 400,000 UI per jitter-tolerance run (instead of 1,600,000); figures not for the
    /// README; default: off (the full run)
    #[arg(long)]
    pub quick: bool,
    /// where to write the jitter-tolerance plot: an SVG FILE (its folder is made if
    /// missing); the report links it relative to each Markdown file
    #[arg(long, value_name = "FILE", default_value = "out/cdr-jtol.svg")]
    pub jtol_svg: PathBuf,
    /// measure only shard K of N of the report's runs (27 units, round-robin: the 6
    /// lock-time rows, the 10 offsets, the 4 locked-phase channels, the 7 jitter
    /// frequencies, each bisection whole) and write them as a shard file (no report);
    /// `cporx merge` of all N writes the single run's report (docs/shards.md)
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse)]
    pub shard: Option<super::shard::Shard>,
    /// the shard file (with --shard); default cporx-cdr-report-shard-K-of-N.json
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub json: Option<PathBuf>,
}

/// The command line that ran, as the README shows commands: `cargo run --release -- ARGS`
/// (arguments with spaces or quotes are quoted).
pub fn command_line(args: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = args
        .into_iter()
        .map(|a| cporx_synth::flow::shell_quote(&a))
        .collect();
    format!("cargo run --release -- {}", quoted.join(" "))
}

/// `path` made absolute (against the working folder) and cleaned of `.` and `..`.
fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The link to `target` from a Markdown file at `md`: relative to the file's folder, with `/`.
pub fn link_from(md: &Path, target: &Path) -> String {
    let from = absolute(md);
    let from = from.parent().unwrap_or(Path::new("/"));
    let to = absolute(target);
    let (f, t): (Vec<Component>, Vec<Component>) =
        (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().to_string()),
    );
    parts.join("/")
}

/// Check every input and output before the run: the README exists and holds both markers
/// in order, and every file to be written can be written.
fn check_paths(a: &ReportArgs) -> Result<(), String> {
    if let Some(readme) = &a.readme {
        crate::cli::check_markers(readme, BEGIN, END)?;
    }
    out::check_writable(&a.out)?;
    out::check_writable(&a.jtol_svg)?;
    Ok(())
}

/// The median, 90th percentile and worst lock time of a row (a percentile that falls on
/// a run that never locked is not measured), and how many runs never locked.
fn lock_cells(times: &mut [Option<u64>], lock_ui: u64) -> ([String; 3], usize) {
    let never = times.iter().filter(|t| t.is_none()).count();
    times.sort_by_key(|t| t.unwrap_or(u64::MAX));
    let q = |f: f64| {
        if times.is_empty() {
            return not_measured("no run");
        }
        times[((times.len() - 1) as f64 * f).round() as usize].map_or_else(
            || not_measured(&format!("that run never locked in {lock_ui} UI")),
            |t| t.to_string(),
        )
    };
    ([q(0.5), q(0.9), q(1.0)], never)
}

/// One row of the frequency-offset table; a run that never locked (or counted no bit)
/// is not measured, in every column but the offset.
fn ppm_row(ppm: f64, r: &LinkResult, ppm_ui: u64) -> String {
    let k = &r.checker;
    if r.lock_time.is_some() && bits(r) > 0 {
        return format!(
            "| {ppm:+} | {} | {} | {} | {} | {:+.1} |",
            r.lock_time.unwrap_or(0),
            k.slips,
            k.bit_errors,
            Rate::new(k.bit_errors, bits(r), "bits").describe("errors", "-"),
            r.freq_ppm()
        );
    }
    let why = if r.lock_time.is_none() {
        format!("never locked in {ppm_ui} UI")
    } else {
        "nothing counted after lock".to_string()
    };
    let nm = not_measured(&why);
    format!(
        "| {ppm:+} | {} | {nm} | {nm} | {nm} | {nm} |",
        r.lock_time.map_or(nm.clone(), |t| t.to_string()),
    )
}

pub fn run_report(a: &ReportArgs) -> Result<(), Fail> {
    let plan = if a.quick { Plan::quick() } else { Plan::full() };
    if let Some(sh) = a.shard {
        return run_shard(a, &plan, sh);
    }
    check_paths(a)?;
    let ran = command_line(std::env::args().skip(1));
    let t0 = Instant::now();
    let fig = cdr::measure(&plan, &mut |what| {
        eprintln!("{what} done ({:.0} s)", t0.elapsed().as_secs_f64())
    });
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    render(
        a,
        &plan,
        &fig,
        &ran,
        &format!("{:.0} s on {threads} threads", t0.elapsed().as_secs_f64()),
    )
}

/// The report of `fig`: Markdown to `--out` (and the README), the plot, the exit.
/// `ran`: the command line; `took`: the run time in words.
fn render(
    a: &ReportArgs,
    plan: &Plan,
    fig: &cdr::CdrFigures,
    ran: &str,
    took: &str,
) -> Result<(), Fail> {
    let (seeds, ppm_ui, jtol_ui, lock_ui) = (plan.seeds, plan.ppm_ui, plan.jtol_ui, plan.lock_ui);
    let d = cporx_spec::CdrParams::default();
    let mut missing: Vec<String> = vec![];
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Measured by `{ran}` (model in the loop, \
         seeded; {}). Common conditions unless a row says otherwise: SNR {SNR_DB} dB at the sampler, \
         random jitter {RJ_UI} UI RMS, PRBS13Q, ADC full scale 4 (levels at codes +-8, +-24), \
         FFE MMSE-solved for the channel at the pulse peak (3 taps; 5 for `mr`), CDR gains \
         kp = {} (Kp = 2^-{} PI steps per detector LSB), ki = {} (Ki = 2^-{}), lock detector \
         |err| > {} on at most {} of 256 UI, false-lock kick on. Baud rate for jitter \
         frequencies: {BAUD_GBD} GBd. A figure from a run that counted nothing reads `not measured (why)`.\n",
        if a.quick { "QUICK run: not the README figures" } else { "full run" },
        d.kp,
        PHASE_FRAC as u32 - d.kp,
        d.ki,
        PHASE_FRAC as u32 - d.ki,
        d.lock_thr,
        d.lock_max
    );

    // ---- lock time ----
    let _ = writeln!(
        md,
        "**Lock time** from a random initial PI code ({seeds} seeds per row, {lock_ui} UI each; lock = first UI with the lock flag set; target < 5,000 UI):\n"
    );
    let _ = writeln!(
        md,
        "| channel | ppm | median (UI) | 90th pct (UI) | worst (UI) | never locked (of {seeds}) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for row in &fig.lock {
        let (ch, ppm) = (row.channel, row.ppm);
        let mut times = row.times.clone();
        let (cells, never) = lock_cells(&mut times, lock_ui);
        for (c, what) in cells.iter().zip(["median", "90th pct", "worst"]) {
            if c.starts_with("not measured") {
                missing.push(format!("lock time {what} ({ch}, {ppm} ppm)"));
            }
        }
        let _ = writeln!(
            md,
            "| `{ch}` | {ppm} | {} | {} | {} | {never} |",
            cells[0], cells[1], cells[2]
        );
    }

    // ---- frequency offset ----
    let _ = writeln!(
        md,
        "\n**Frequency offset** tracked over {} UI per row (`short` channel; slips and bit errors counted by the PRBS13Q checker from lock + 2,000 UI; BER with its count and two-sided 95 % interval; target: no slip at +-300 ppm; the frequency range register written to its full +-3906 ppm, L = 255, where the default L = 26 clamps the integral path at +-412 ppm):\n",
        ppm_ui
    );
    let _ = writeln!(md, "| offset (ppm) | lock (UI) | cycle slips | bit errors | BER | tracked (ppm, integral register) |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    let ppms: Vec<f64> = fig.ppm.iter().map(|x| x.0).collect();
    let res: Vec<LinkResult> = fig.ppm.iter().map(|x| x.1.clone()).collect();
    let counted = |r: &LinkResult| r.lock_time.is_some() && bits(r) > 0;
    let clean = |r: &LinkResult| counted(r) && r.checker.slips == 0 && r.checker.bit_errors == 0;
    // the largest |offset| such that every row at or below it is clean
    let max_ok = ppms
        .iter()
        .map(|p| p.abs())
        .filter(|&m| ppms.iter().zip(&res).all(|(p, r)| p.abs() > m || clean(r)))
        .fold(0.0f64, f64::max);
    for (ppm, r) in ppms.iter().zip(&res) {
        if !counted(r) {
            missing.push(format!("frequency offset {ppm:+} ppm"));
        }
        let _ = writeln!(md, "{}", ppm_row(*ppm, r, ppm_ui));
    }
    let _ = writeln!(
        md,
        "\nLargest offset tracked with no slip and no bit error at every offset up to it: {}.",
        if max_ok > 0.0 {
            format!("**+-{max_ok} ppm**")
        } else {
            "none (not even +-100 ppm)".to_string()
        }
    );

    // ---- locked phase vs best phase ----
    let _ = writeln!(
        md,
        "\n**Locked phase against the best phase** (open loop: loop disabled, PI code held, 20,000 UI per code over all 128 codes; best = least mean squared slicer error; locked = circular mean of the PI code over 1 million UI after lock; target within 4/128 UI):\n"
    );
    let _ = writeln!(md, "| channel | best code (least MSE, open loop) | error-free codes (open loop) | centre of the error-free run | locked mean code | RMS spread (steps) | locked - best (steps of 1/128 UI) | locked - centre |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for row in &fig.phase {
        let (ch, best, open, centre, r) =
            (row.channel, row.best, &row.open, row.centre, &row.locked);
        let best_s = best.map_or_else(
            || not_measured("no code counted a sample"),
            |b| b.to_string(),
        );
        let centre_s = centre.map_or("-".into(), |c| format!("{c:.1}"));
        if r.counted_ui > 0 {
            let _ = writeln!(
                md,
                "| `{ch}` | {best_s} | {} of 128 | {centre_s} | {:.1} | {:.2} | {} | {} |",
                open.len(),
                r.mean_phase,
                r.phase_rms,
                best.map_or("-".into(), |b| format!(
                    "{:.1}",
                    circ(r.mean_phase, b as f64)
                )),
                centre.map_or("-".into(), |c| format!("{:.1}", circ(r.mean_phase, c)))
            );
        } else {
            missing.push(format!("locked phase ({ch})"));
            let nm = not_measured("the loop never locked in 1000000 UI");
            let _ = writeln!(
                md,
                "| `{ch}` | {best_s} | {} of 128 | {centre_s} | {nm} | {nm} | {nm} | {nm} |",
                open.len()
            );
        }
    }

    // ---- jitter tolerance ----
    let jtol_bits = 2 * jtol_ui;
    // zero errors in n bits: BER < -ln(0.05) / n at 95 % confidence (one-sided)
    let bound = -(0.05f64.ln()) / jtol_bits as f64;
    let _ = writeln!(
        md,
        "\n**Jitter tolerance** (`short` channel; largest sinusoidal jitter amplitude, found by bisection to 2 %, with no slip and no bit error in {jtol_ui} UI = {jtol_bits} bits counted from lock + 2,000 UI, i.e. BER < {bound:.1e} at 95 % confidence (one-sided, zero errors); on top of the {RJ_UI} UI RJ; amplitudes tried up to 80 UI pp):\n"
    );
    let _ = writeln!(
        md,
        "| SJ frequency (MHz) | SJ frequency (cycles per UI) | tolerated amplitude (UI pp) | BER at that amplitude (count, two-sided 95 % interval) |"
    );
    let _ = writeln!(md, "|---|---|---|---|");
    let mut pts = vec![];
    for row in &fig.jtol {
        let (f, fui, capped) = (&row.freq_mhz, row.freq_per_ui, &row.capped);
        match &row.result {
            Ok((amp, r)) => {
                let _ = writeln!(
                    md,
                    "| {f} | {fui:.2e} | {}{:.3} | {} |",
                    if *capped { ">= " } else { "" },
                    2.0 * amp,
                    Rate::new(r.checker.bit_errors, bits(r), "bits").describe("errors", "-")
                );
                pts.push(JtolPoint {
                    freq_mhz: *f,
                    ui_pp: Ok(2.0 * amp),
                    at_limit: *capped,
                });
            }
            Err(why) => {
                missing.push(format!("jitter tolerance at {f} MHz"));
                let nm = not_measured(why);
                let _ = writeln!(md, "| {f} | {fui:.2e} | {nm} | {nm} |");
                pts.push(JtolPoint {
                    freq_mhz: *f,
                    ui_pp: Err(why.clone()),
                    at_limit: false,
                });
            }
        }
    }
    let plotted = match plots::jtol(
        &a.jtol_svg,
        "cporx CDR jitter tolerance, short channel",
        &format!(
            "no bit error in {jtol_bits} bits (BER < {bound:.1e} at 95 %); SNR {SNR_DB} dB, RJ {RJ_UI} UI rms, {BAUD_GBD} GBd"
        ),
        &pts,
    ) {
        Ok(()) => true,
        Err(plots::PlotError {
            kind: plots::PlotErrorKind::NoData,
            ..
        }) => false,
        Err(e) => return Err(Fail::Error(e.to_string())),
    };
    let tail = format!("\nReport run time: {took}.\n");
    // the image link is relative to each Markdown file
    let page = |md_file: &Path| {
        let img = if plotted {
            format!(
                "\n![jitter tolerance]({})\n",
                link_from(md_file, &a.jtol_svg)
            )
        } else {
            "\nNo jitter-tolerance point was measured: no plot.\n".to_string()
        };
        format!("{md}{img}{tail}")
    };
    let report = page(&a.out);
    out::write(&a.out, &report)?;
    println!("{report}");
    if plotted {
        eprintln!("wrote {}", a.jtol_svg.display());
    }
    eprintln!("wrote {}", a.out.display());
    if let Some(readme) = &a.readme {
        crate::cli::replace_between(readme, BEGIN, END, &page(readme))?;
        eprintln!("updated {}", readme.display());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Fail::NotMeasured(format!(
            "the report was written, but {} figure(s) are not measured: {}",
            missing.len(),
            missing.join("; ")
        )))
    }
}

/// The report's units of work, in their fixed order: the lock-time rows, the offsets,
/// the locked-phase channels, the jitter frequencies.
#[derive(Clone, Copy, Debug)]
enum Unit {
    Lock(&'static str, f64),
    Ppm(f64),
    Phase(&'static str),
    Jtol(f64),
}

fn units() -> Vec<Unit> {
    cdr::lock_jobs()
        .into_iter()
        .map(|(c, p)| Unit::Lock(c, p))
        .chain(cdr::PPMS.iter().map(|&p| Unit::Ppm(p)))
        .chain(cdr::CHANNELS.iter().map(|&c| Unit::Phase(c)))
        .chain(cdr::JTOL_FREQS_MHZ.iter().map(|&f| Unit::Jtol(f)))
        .collect()
}

/// What the report reads of a closed-loop run; floats as their bits (exact round trip).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct LinkRec {
    ui: u64,
    lock_time: Option<u64>,
    counted_ui: u64,
    mean_phase: u64,
    phase_rms: u64,
    mse: u64,
    mean_freq: u64,
    symbols_checked: u64,
    symbol_errors: u64,
    bit_errors: u64,
    slips: u64,
    resyncs: u64,
}

impl LinkRec {
    fn of(r: &LinkResult) -> Self {
        LinkRec {
            ui: r.ui,
            lock_time: r.lock_time,
            counted_ui: r.counted_ui,
            mean_phase: r.mean_phase.to_bits(),
            phase_rms: r.phase_rms.to_bits(),
            mse: r.mse.to_bits(),
            mean_freq: r.mean_freq.to_bits(),
            symbols_checked: r.checker.symbols_checked,
            symbol_errors: r.checker.symbol_errors,
            bit_errors: r.checker.bit_errors,
            slips: r.checker.slips,
            resyncs: r.checker.resyncs,
        }
    }

    fn result(&self) -> LinkResult {
        let mut r = LinkResult {
            ui: self.ui,
            lock_time: self.lock_time,
            counted_ui: self.counted_ui,
            mean_phase: f64::from_bits(self.mean_phase),
            phase_rms: f64::from_bits(self.phase_rms),
            mse: f64::from_bits(self.mse),
            mean_freq: f64::from_bits(self.mean_freq),
            ..Default::default()
        };
        r.checker.symbols_checked = self.symbols_checked;
        r.checker.symbol_errors = self.symbol_errors;
        r.checker.bit_errors = self.bit_errors;
        r.checker.slips = self.slips;
        r.checker.resyncs = self.resyncs;
        r
    }
}

/// One unit's result in a shard file.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
enum UnitRec {
    Lock {
        times: Vec<Option<u64>>,
    },
    Ppm {
        run: LinkRec,
    },
    Phase {
        best: Option<u8>,
        open: Vec<u8>,
        centre: Option<u64>,
        locked: LinkRec,
    },
    Jtol {
        freq_per_ui: u64,
        /// (amplitude bits, run) or why none passed
        result: Result<(u64, LinkRec), String>,
        capped: bool,
    },
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct CdrShard {
    units: Vec<(usize, UnitRec)>,
    seconds: f64,
}

fn measure_unit(plan: &Plan, u: Unit) -> UnitRec {
    match u {
        Unit::Lock(ch, ppm) => UnitRec::Lock {
            times: cdr::lock_row(plan, ch, ppm).times,
        },
        Unit::Ppm(ppm) => UnitRec::Ppm {
            run: LinkRec::of(&cdr::ppm_one(plan, ppm)),
        },
        Unit::Phase(ch) => {
            let r = cdr::locked_phase(ch);
            UnitRec::Phase {
                best: r.best,
                open: r.open,
                centre: r.centre.map(f64::to_bits),
                locked: LinkRec::of(&r.locked),
            }
        }
        Unit::Jtol(f) => {
            let r = cdr::jtol_one(plan, f);
            UnitRec::Jtol {
                freq_per_ui: r.freq_per_ui.to_bits(),
                result: r
                    .result
                    .as_ref()
                    .map(|(amp, l)| (amp.to_bits(), LinkRec::of(l)))
                    .map_err(|e| e.clone()),
                capped: r.capped,
            }
        }
    }
}

fn job_hash(plan: &Plan) -> super::shard::JobHash {
    let mut h = super::shard::JobHash::new("cdr-report");
    h.value("plan", &format!("{plan:?}"));
    h
}

fn run_shard(a: &ReportArgs, plan: &Plan, sh: super::shard::Shard) -> Result<(), Fail> {
    let path = a
        .json
        .clone()
        .unwrap_or_else(|| sh.default_file("cdr-report"));
    out::check_writable(&path)?;
    let t0 = Instant::now();
    let all = units();
    let mine: Vec<(usize, Unit)> = all
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, _)| sh.owns(*i as u64))
        .collect();
    // the offsets and the jitter bisections are one thread each: run those of this shard
    // side by side (the others use every core inside)
    let n = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (jt, rest): (Vec<_>, Vec<_>) = mine
        .into_iter()
        .partition(|u| matches!(u.1, Unit::Jtol(_) | Unit::Ppm(_)));
    let mut recs: Vec<(usize, UnitRec)> = rest
        .into_iter()
        .map(|(i, u)| {
            let r = measure_unit(plan, u);
            eprintln!("{u:?} done ({:.0} s)", t0.elapsed().as_secs_f64());
            (i, r)
        })
        .collect();
    for group in jt.chunks(n.max(1)) {
        let done: Vec<(usize, UnitRec)> = std::thread::scope(|s| {
            let hs: Vec<_> = group
                .iter()
                .map(|&(i, u)| s.spawn(move || (i, measure_unit(plan, u))))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        recs.extend(done);
    }
    recs.sort_by_key(|r| r.0);
    let v = serde_json::to_value(CdrShard {
        units: recs,
        seconds: t0.elapsed().as_secs_f64(),
    })
    .map_err(|e| e.to_string())?;
    super::shard::write(
        &path,
        "cdr-report",
        &job_hash(plan),
        sh,
        super::shard::job_args(),
        v,
    )?;
    Ok(())
}

/// `cporx merge` of a cdr-report job: every unit from its shard, then the single run's
/// report (the run time line says the shards' summed time).
pub fn merge(files: &[super::shard::ShardFile]) -> Result<(), Fail> {
    let a: ReportArgs = super::merge::parse_args(&files[0])?;
    let plan = if a.quick { Plan::quick() } else { Plan::full() };
    if job_hash(&plan).hex() != files[0].job {
        return Err(Fail::Error(format!(
            "the cdr-report's plan here is not the shards' (job {} here, {} in the shards)",
            job_hash(&plan).hex(),
            files[0].job
        )));
    }
    check_paths(&a)?;
    let all = units();
    let mut got: Vec<Option<UnitRec>> = vec![None; all.len()];
    let mut secs = 0.0;
    for f in files {
        let s: CdrShard = super::shard::result(f)?;
        let sh = super::shard::Shard {
            k: f.shard,
            n: f.of,
        };
        secs += s.seconds;
        for (i, r) in s.units {
            if i >= all.len() || !sh.owns(i as u64) || got[i].is_some() {
                return Err(Fail::Error(format!(
                    "shard {sh} holds unit {i}, not its share of the {} units",
                    all.len()
                )));
            }
            got[i] = Some(r);
        }
    }
    let mut fig = cdr::CdrFigures {
        lock: vec![],
        ppm: vec![],
        phase: vec![],
        jtol: vec![],
    };
    for (i, (u, r)) in all.iter().zip(got).enumerate() {
        let bad = || Fail::Error(format!("the shards hold no result for unit {i} ({u:?})"));
        match (u, r.ok_or_else(bad)?) {
            (Unit::Lock(ch, ppm), UnitRec::Lock { times }) => fig.lock.push(cdr::LockRow {
                channel: ch,
                ppm: *ppm,
                times,
            }),
            (Unit::Ppm(ppm), UnitRec::Ppm { run }) => fig.ppm.push((*ppm, run.result())),
            (
                Unit::Phase(ch),
                UnitRec::Phase {
                    best,
                    open,
                    centre,
                    locked,
                },
            ) => fig.phase.push(cdr::PhaseRow {
                channel: ch,
                best,
                open,
                centre: centre.map(f64::from_bits),
                locked: locked.result(),
            }),
            (
                Unit::Jtol(f),
                UnitRec::Jtol {
                    freq_per_ui,
                    result,
                    capped,
                },
            ) => fig.jtol.push(cdr::JtolRow {
                freq_mhz: *f,
                freq_per_ui: f64::from_bits(freq_per_ui),
                result: result.map(|(amp, l)| (f64::from_bits(amp), l.result())),
                capped,
            }),
            _ => return Err(bad()),
        }
    }
    let ran = command_line(files[0].args.iter().cloned());
    render(
        &a,
        &plan,
        &fig,
        &ran,
        &format!("{secs:.0} s summed over {} shards", files.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cporx_link::closed_loop::cdr::failure;

    #[test]
    fn links_are_relative_to_the_markdown_file() {
        let l = |md: &str, t: &str| link_from(Path::new(md), Path::new(t));
        assert_eq!(l("README.md", "docs/cdr-jtol.svg"), "docs/cdr-jtol.svg");
        assert_eq!(
            l("out/cdr-report.md", "docs/cdr-jtol.svg"),
            "../docs/cdr-jtol.svg"
        );
        assert_eq!(l("out/r.md", "out/cdr-jtol.svg"), "cdr-jtol.svg");
        assert_eq!(l("/a/b/c/r.md", "/a/x/j.svg"), "../../x/j.svg");
        assert_eq!(l("./docs/../README.md", "./docs/j.svg"), "docs/j.svg");
    }

    #[test]
    fn runs_that_never_locked_are_not_measured() {
        let mut t = vec![Some(513), None, Some(1025), Some(769)];
        let (c, never) = lock_cells(&mut t, 30_000);
        assert_eq!(never, 1);
        assert_eq!(c[0], "1025");
        assert_eq!(c[2], "not measured (that run never locked in 30000 UI)");
        let mut none = vec![None; 3];
        let (c, never) = lock_cells(&mut none, 30_000);
        assert_eq!(never, 3);
        assert!(c.iter().all(|c| c.starts_with("not measured")), "{c:?}");

        let never_locked = LinkResult::default();
        let row = ppm_row(300.0, &never_locked, 1_000_000);
        assert_eq!(
            row.matches("not measured (never locked in 1000000 UI)")
                .count(),
            5,
            "{row}"
        );
        assert!(
            !row.contains("| 0 |") && !row.contains("0.0e0"),
            "no zero from nothing: {row}"
        );
        let mut locked = LinkResult {
            lock_time: Some(769),
            counted_ui: 500_000,
            ..Default::default()
        };
        locked.checker.symbols_checked = 500_000;
        locked.checker.bit_errors = 3;
        let row = ppm_row(-300.0, &locked, 1_000_000);
        assert!(
            row.starts_with("| -300 | 769 | 0 | 3 | 3.000e-6 (3 errors in 1000000 bits, 95 % ["),
            "{row}"
        );
        assert!(failure(&never_locked, 10).contains("never locked"));
    }

    #[test]
    fn the_command_line_is_quoted_for_a_shell() {
        let c = command_line(["cdr-report", "--out", "my report.md", "--quick"].map(String::from));
        assert_eq!(
            c,
            "cargo run --release -- cdr-report --out 'my report.md' --quick"
        );
    }
}
