//! `cporx study`: the co-packaging table. Every measured channel in a directory (Touchstone
//! thrus; crosstalk files are paired with their thru) and a built-in ideal short hop, each
//! through SDD21 -> pulse -> MMSE FFE -> statistical BER, with the fewest taps and ADC bits
//! that reach the target BER, the BER of a 3-tap FFE (statistical and Monte-Carlo), and
//! the plots. The computation is `cporx_link::study::run` (conventions: `cporx_link::study`:
//! launch SNR, AGC, fixed phase); this module checks the flags, lists the folder, and, as
//! the engine reports each figure and row, draws the plots, writes the files and the
//! progress bar.
//!
//! Results are written as they come (`study.jsonl`, one line per finished channel, and
//! `study.md` rewritten after each), so an interrupted run keeps what it finished.
//!
//! `--shard K/N` (docs/shards.md): the engine runs with a [`ShardExec`] that computes this
//! shard's block of every Monte-Carlo run's chunks and its round-robin share of the adaptive
//! searches, and writes them (`McRecord`, `AdaptiveRecord`) as a shard file instead of the
//! report; [`merge`] runs the engine again with every such result looked up in the shards
//! ([`MergeExec`]) and writes the single run's report.

use super::shard::{self, JobHash, Shard, ShardFile};
use crate::cli;
use crate::cmd::energy;
use crate::fail::Fail;
use crate::out;
use crate::plots::{self, Series, SeriesWithCi};
use clap::Args;
use cporx_link::figure::Rate;
use cporx_link::mc_shard;
use cporx_link::montecarlo::{ChunkCount, McConfig, McResult};
use cporx_link::study::{
    self, AdaptiveCell, Case, Direct, Exec, Figure, Input, Inputs, Observer, Row, RunOpts, Skipped,
    StudyOpts,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub struct StudyArgs {
    /// folder of Touchstone files (.sNp; other names are ignored). Default: $CPORX_CHANNELS,
    /// else ../shared/channels beside the cporx checkout found upward from the working
    /// directory or holding the executable
    #[arg(long, value_name = "DIR")]
    pub channels: Option<PathBuf>,
    /// report folder (table, JSON lines, plots); created if missing
    #[arg(long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// launch SNR, dB: transmitted PAM-4 power over the noise at the receiver input; 0 ..= 80 dB
    #[arg(long, value_name = "DB", default_value_t = 33.0)]
    pub snr_db: f64,
    /// target BER a design must reach; 1e-18 ..= 0.1
    #[arg(long, value_name = "BER", default_value = "1e-6")]
    pub target_ber: f64,
    /// symbol rate, GBd: 26.5625, 53.125, 106.25, or any in 1 ..= 400 GBd
    #[arg(long, value_name = "GBD", default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// Monte-Carlo symbols per 3-tap check (2 bits each): 0 (no Monte-Carlo: the column says
    /// not measured) or 1000000 ..= 10000000000 symbols
    #[arg(long, value_name = "SYMBOLS", default_value_t = 40_000_000)]
    pub mc_symbols: u64,
    /// random jitter at the sampler, UI rms; 0 ..= 0.2 UI
    #[arg(long, value_name = "UI", default_value_t = 0.0)]
    pub rj_ui: f64,
    /// also write the table into this existing Markdown file, between its lines
    /// `<!-- study:begin -->` and `<!-- study:end -->` (checked before the run)
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
    /// seed of the Monte-Carlo and LMS symbol and noise streams; any integer 0 ..= 2^64-1
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// zero-forcing taps instead of MMSE (default: MMSE)
    #[arg(long)]
    pub zf: bool,
    /// UI per closed-loop run of the adaptive column (the adaptive receiver from reset, the
    /// model in the loop, each tap count 2 ..= 16 without and with the DFE until one
    /// reaches the target); 100000 ..= 1000000000
    #[arg(long, value_name = "UI", default_value_t = study::adaptive::ADAPTIVE_UI)]
    pub adaptive_ui: u64,
    /// skip the adaptive column (its cells say not run)
    #[arg(long)]
    pub no_adaptive: bool,
    /// the energy table (`cporx energy --sweep ... --json FILE`) for the energy column and
    /// the Pareto plots; default docs/energy/taps.json of the checkout (missing: the
    /// column says not measured, with a warning)
    #[arg(long, value_name = "FILE")]
    pub energy_table: Option<PathBuf>,
    /// compute only shard K of N of the long parts (the Monte-Carlo chunks, split evenly;
    /// the adaptive searches, round-robin) and write them as a shard file (no report);
    /// `cporx merge` of all N files writes the single run's report (docs/shards.md)
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse)]
    pub shard: Option<Shard>,
    /// the shard file (with --shard); default cporx-study-shard-K-of-N.json
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub json: Option<PathBuf>,
}

/// A row of `study.jsonl` (the field order and names are the file's format).
#[derive(serde::Serialize)]
struct JsonRow<'a> {
    channel: &'a str,
    il_nyquist_db: f64,
    il_nyquist_extrapolated: bool,
    peak: f64,
    h_pre: f64,
    h_post1: f64,
    h_post2: f64,
    rx_snr_db: f64,
    fewest_taps: Option<usize>,
    fewest_taps_main: Option<usize>,
    fewest_bits: Option<u32>,
    ber_fewest: Option<f64>,
    best_ber: Option<f64>,
    best_ber_taps: Option<usize>,
    snr_needed_db: Option<f64>,
    limit: Option<&'static str>,
    fewest_taps_text: &'a str,
    dfe_fewest_taps: Option<usize>,
    dfe_fewest_taps_main: Option<usize>,
    dfe_tap: Option<i32>,
    dfe_ber_fewest: Option<f64>,
    dfe_fewest_taps_text: &'a str,
    adaptive: Option<JsonAdaptive<'a>>,
    adaptive_dfe: Option<JsonAdaptive<'a>>,
    taps3_codes: &'a [i32],
    taps3_main: usize,
    taps3_quant_loss_db: f64,
    ber3_stat: f64,
    taps3_eye_open: bool,
    ber3_mc: Option<f64>,
    ber3_mc_lo: Option<f64>,
    ber3_mc_hi: Option<f64>,
    mc_symbols: u64,
    mc_bits: u64,
    mc_bit_errors: u64,
    lms_codes: Option<&'a [i32]>,
    lms_max_dev: Option<i32>,
    warnings: &'a [String],
}

/// The adaptive column of a row in `study.jsonl` (absent: not run).
#[derive(serde::Serialize)]
struct JsonAdaptive<'a> {
    ui: u64,
    taps: Option<usize>,
    bit_errors: Option<u64>,
    bits: Option<u64>,
    dfe_tap: Option<i32>,
    from_lock: Option<bool>,
    runs: usize,
    false_locks: usize,
    text: &'a str,
}

impl<'a> From<&'a AdaptiveCell> for JsonAdaptive<'a> {
    fn from(c: &'a AdaptiveCell) -> Self {
        JsonAdaptive {
            ui: c.ui,
            taps: c.taps,
            bit_errors: c.bit_errors,
            bits: c.bits,
            dfe_tap: c.dfe_tap,
            from_lock: c.from_lock,
            runs: c.runs,
            false_locks: c.false_locks,
            text: &c.text,
        }
    }
}

impl<'a> From<&'a Row> for JsonRow<'a> {
    fn from(r: &'a Row) -> Self {
        JsonRow {
            channel: &r.channel,
            il_nyquist_db: r.il_nyquist_db,
            il_nyquist_extrapolated: r.il_nyquist_extrapolated,
            peak: r.peak,
            h_pre: r.h_pre,
            h_post1: r.h_post1,
            h_post2: r.h_post2,
            rx_snr_db: r.rx_snr_db,
            fewest_taps: r.fewest_taps,
            fewest_taps_main: r.fewest_taps_main,
            fewest_bits: r.fewest_bits,
            ber_fewest: r.ber_fewest,
            best_ber: r.best_ber,
            best_ber_taps: r.best_ber_taps,
            snr_needed_db: r.snr_needed_db,
            limit: r.limit,
            fewest_taps_text: &r.fewest_taps_text,
            dfe_fewest_taps: r.dfe_fewest_taps,
            dfe_fewest_taps_main: r.dfe_fewest_taps_main,
            dfe_tap: r.dfe_tap,
            dfe_ber_fewest: r.dfe_ber_fewest,
            dfe_fewest_taps_text: &r.dfe_fewest_taps_text,
            adaptive: r.adaptive.as_ref().map(JsonAdaptive::from),
            adaptive_dfe: r.adaptive_dfe.as_ref().map(JsonAdaptive::from),
            taps3_codes: &r.taps3_codes,
            taps3_main: r.taps3_main,
            taps3_quant_loss_db: r.taps3_quant_loss_db,
            ber3_stat: r.ber3_stat,
            taps3_eye_open: r.taps3_eye_open,
            ber3_mc: r.ber3_mc,
            ber3_mc_lo: r.ber3_mc_lo,
            ber3_mc_hi: r.ber3_mc_hi,
            mc_symbols: r.mc_symbols,
            mc_bits: r.mc_bits,
            mc_bit_errors: r.mc_bit_errors,
            lms_codes: r.lms_codes.as_deref(),
            lms_max_dev: r.lms_max_dev,
            warnings: &r.warnings,
        }
    }
}

/// A skipped input's line of `study.jsonl`.
#[derive(serde::Serialize)]
struct JsonSkipped<'a> {
    channel: &'a str,
    skipped: &'a str,
}

fn skipped_json(k: &Skipped) -> Result<String, String> {
    serde_json::to_string(&JsonSkipped {
        channel: &k.channel,
        skipped: &k.skipped,
    })
    .map_err(|e| e.to_string())
}

fn fmt_ber(b: f64) -> String {
    if b <= 0.0 {
        "0".into()
    } else if b < 1e-30 {
        "< 1e-30".into()
    } else {
        format!("{b:.1e}")
    }
}

/// The Monte-Carlo cell: the BER with its count and, under 100 errors, its 95 % interval;
/// `not measured (...)` from 0 bits.
fn mc_cell(r: &Row) -> String {
    Rate::new(r.mc_bit_errors, r.mc_bits, "bits").describe("errors", "--mc-symbols 0")
}

/// What the table's notes list: skipped files, unused files, warnings.
#[derive(Default, Clone, Debug)]
struct Notes {
    skipped: Vec<Skipped>,
    unused: Vec<Skipped>,
    /// (row, warning)
    warnings: Vec<(String, String)>,
    /// the folder held no channel file
    empty_dir: Option<PathBuf>,
}

/// An adaptive cell: the search's text, or `not run (--no-adaptive)`.
fn adaptive_cell(c: &Option<AdaptiveCell>) -> String {
    match c {
        Some(c) => c.text.clone(),
        None => "not run (--no-adaptive)".into(),
    }
}

fn table(rows: &[Row], notes: &Notes, o: &StudyOpts, energy: &Energy) -> String {
    let mut s = String::new();
    let ui = rows
        .iter()
        .find_map(|r| r.adaptive.as_ref().map(|c| c.ui))
        .map_or("not run (--no-adaptive)".to_string(), |u| {
            format!("{u} UI a run")
        });
    s += &format!(
        "Launch SNR {} dB (PAM-4 power at the transmitter over the noise at the receiver input), target BER {:.0e}, \
         fixed sampling phase at the pulse peak, {} taps quantized to Q2.6, statistical BER (Gray coded). \
         Monte-Carlo: bit errors in bits counted, with the 95 % interval under 100 errors. \
         The LMS column: the model's sign-sign LMS, started from the MMSE main tap alone, after {} symbols \
         (not run where the 3-tap eye is closed, statistical BER above {:.0e}). \
         With the 1-tap DFE: FFE and DFE tap solved jointly (the DFE cancels the equalized first post-cursor), \
         the DFE tap in Q7.1 codes; its statistical BER includes error propagation (a Markov chain of the previous decision). \
         Adaptive ({ui}): the adaptive receiver from reset (pass-through taps, AGC, sign-sign LMS, level LMS; \
         with the DFE its tap adapts from 0 and FFE tap 2 is held at 0), closed loop with the bit-exact model at the same noise \
         (`cporx link --snr` = the SNR after loss), the BER counted after convergence \
         (from lock + 2000 UI where the loops' convergence cannot be told, which can only overstate it); \
         a tap count reaches the target when its 95 % upper bound is below it.\n\n",
        o.snr_db,
        o.target_ber,
        if o.zero_forcing { "zero-forcing" } else { "MMSE" },
        study::LMS_SYMBOLS,
        study::EYE_OPEN_BER
    );
    s += "| channel | IL at Nyquist (dB) | pulse peak | h(-1), h(1), h(2) / peak | SNR after loss (dB) | fewest taps (6-bit ADC) | fewest taps with 1-tap DFE (statistical) | adaptive, measured: fewest taps | adaptive with DFE, measured: fewest taps | fewest ADC bits at those taps | energy per bit at those taps and bits: DSP scaled to 7 nm (estimate) + ADC; DSP measured at 180 nm | 3-tap FFE: codes (main) | 3-tap quant. loss (dB) | 3-tap BER, statistical | 3-tap BER, Monte-Carlo | sign-sign LMS, 3 taps (max deviation from MMSE) |\n";
    s += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for r in rows {
        let bits = r.fewest_bits.map_or("-".into(), |b| b.to_string());
        let il = if r.il_nyquist_db.abs() < 0.005 {
            0.0
        } else {
            r.il_nyquist_db
        };
        let il = if r.il_nyquist_extrapolated {
            format!("{il:.2} (extrapolated)")
        } else {
            format!("{il:.2}")
        };
        let codes = if r.taps3_eye_open {
            format!("{:?} ({})", r.taps3_codes, r.taps3_main)
        } else {
            format!("{:?} ({}), eye closed", r.taps3_codes, r.taps3_main)
        };
        let lms = match (&r.lms_codes, r.lms_max_dev) {
            (Some(c), Some(d)) => format!("{c:?} ({d} code{})", if d == 1 { "" } else { "s" }),
            _ => format!(
                "not run (3-tap eye closed: BER {} > {:.0e})",
                fmt_ber(r.ber3_stat),
                study::EYE_OPEN_BER
            ),
        };
        s += &format!(
            "| {} | {il} | {:.3} | {:+.3}, {:+.3}, {:+.3} | {:.1} | {} | {} | {} | {} | {bits} | {} | {codes} | {:.3} | {} | {} | {lms} |\n",
            r.channel,
            r.peak,
            r.h_pre,
            r.h_post1,
            r.h_post2,
            r.rx_snr_db,
            r.fewest_taps_text,
            r.dfe_fewest_taps_text,
            adaptive_cell(&r.adaptive),
            adaptive_cell(&r.adaptive_dfe),
            energy.cell(r.fewest_taps, r.fewest_bits),
            r.taps3_quant_loss_db,
            fmt_ber(r.ber3_stat),
            mc_cell(r),
        );
    }
    s += &energy.note();
    if let Some(d) = &notes.empty_dir {
        s += &format!(
            "\nNo channel file (.sNp) in {}: the table has the built-in ideal hop only.\n",
            d.display()
        );
    }
    if !notes.warnings.is_empty() {
        s += "\nWarnings:\n";
        for (c, w) in &notes.warnings {
            s += &format!("- {c}: {w}\n");
        }
    }
    if !notes.skipped.is_empty() {
        s += "\nSkipped (no row):\n";
        for k in &notes.skipped {
            s += &format!("- `{}`: {}\n", k.channel, k.skipped);
        }
    }
    if !notes.unused.is_empty() {
        s += "\nNot used:\n";
        for k in &notes.unused {
            s += &format!("- `{}`: {}\n", k.channel, k.skipped);
        }
    }
    s
}

/// The energy table the study reads, or why it has none.
#[derive(Default)]
struct Energy {
    table: Option<Vec<energy::EnergyRecord>>,
    source: String,
    why_not: String,
}

/// `--energy-table`, else docs/energy/taps.json of the checkout; a missing default is a
/// warning (the column says not measured), a bad or missing given file an error.
fn load_energy(flag: Option<&Path>) -> Result<Energy, String> {
    let found = cporx_spec::paths::find(
        "the energy table",
        Some(("--energy-table", flag)),
        None,
        energy::TABLE_REL,
    );
    match found {
        Ok(p) => Ok(Energy {
            table: Some(energy::load_table(&p)?),
            // relative to the checkout when inside it (the table goes into the README)
            source: cporx_spec::paths::project_root()
                .ok()
                .and_then(|r| p.strip_prefix(r).ok().map(|q| q.display().to_string()))
                .unwrap_or_else(|| p.display().to_string()),
            why_not: String::new(),
        }),
        Err(e) if flag.is_some() => Err(e),
        Err(e) => {
            eprintln!("warning: {e}: the energy column says not measured");
            Ok(Energy {
                table: None,
                source: String::new(),
                why_not: format!(
                    "not measured (no energy table: run `cporx energy --sweep 2,3,4,5,6,8,12,16 --json {}`)",
                    energy::TABLE_REL
                ),
            })
        }
    }
}

impl Energy {
    /// The cell of a design with `taps` taps (no DFE) and a `bits`-bit ADC.
    fn cell(&self, taps: Option<usize>, bits: Option<u32>) -> String {
        let Some(t) = &self.table else {
            return self.why_not.clone();
        };
        let (Some(taps), Some(bits)) = (taps, bits) else {
            return "- (no design reaches the target)".into();
        };
        let e = energy::table_energy(t, taps, false);
        match e.pj() {
            None => format!("not measured ({taps} taps is outside the table's tap counts)"),
            Some(dsp) => {
                let adc = cporx_spec::energy::adc_energy_per_sample_pj(bits) / 2.0;
                let mark = if matches!(e, energy::TableEnergy::Interpolated(_)) {
                    " (interpolated)"
                } else {
                    ""
                };
                format!(
                    "{:.2} pJ/bit ({:.3} + ADC {:.2}); {:.0} pJ/bit at 180 nm{mark}",
                    cporx_spec::energy::scaled_pj(dsp) + adc,
                    cporx_spec::energy::scaled_pj(dsp),
                    adc,
                    dsp
                )
            }
        }
    }

    /// The table's footnote.
    fn note(&self) -> String {
        match &self.table {
            None => String::new(),
            Some(t) => {
                let ch = t.first().map_or("", |r| r.channel.as_str());
                format!(
                    "\nEnergy column: the receive DSP's energy per bit measured by `cporx energy` (OSU 0.18 um cells, toggles of the cell netlist in the closed loop, 1 lane, the adaptive receiver) for each tap count of {} ({} configurations, measured on the traffic of {ch}: activity depends weakly on the channel), linear between measured tap counts where marked (interpolated); scaled to {} nm by {} (an estimate); plus the ADC at the column's bits from a published Walden figure of merit ({:.1} fJ/conversion-step, {}). Per channel, `<channel>.pareto.png` plots energy against the statistical BER of every tap count, ADC bits 3 ..= 6 and DFE off/on, with the Pareto front.\n",
                    self.source,
                    t.len(),
                    cporx_spec::energy::SCALE_NODE_NM,
                    cporx_spec::energy::SCALE_SOURCE,
                    cporx_spec::energy::ADC_WALDEN_FOM_FJ,
                    cporx_spec::energy::ADC_SOURCE
                )
            }
        }
    }
}

/// ADC resolutions the Pareto plot tries.
const PARETO_BITS: std::ops::RangeInclusive<u32> = 3..=6;

/// Energy per bit (scaled DSP + ADC) against the statistical BER of every configuration
/// the table covers, with the front: `<out>/<channel>.pareto.png/.svg`.
fn pareto_plot(
    out: &Path,
    inp: &Input,
    row: &Row,
    o: &StudyOpts,
    t: &[energy::EnergyRecord],
) -> Result<(), String> {
    let case = study::Case::new(
        &inp.name,
        inp.pulse.clone(),
        inp.aggressor.as_ref().map(|x| &x.1),
    )?;
    let mut groups: Vec<Series> = vec![];
    let mut all: Vec<(f64, f64)> = vec![];
    for dfe in [false, true] {
        for bits in PARETO_BITS {
            let mut pts = vec![];
            for taps in cporx_spec::MIN_TAPS..=cporx_spec::MAX_TAPS {
                let Some(dsp) = energy::table_energy(t, taps, dfe).pj() else {
                    continue;
                };
                let Some(d) = study::best_design_with(&case, o, taps, bits, dfe) else {
                    continue;
                };
                let e = cporx_spec::energy::scaled_pj(dsp)
                    + cporx_spec::energy::adc_energy_per_sample_pj(bits) / 2.0;
                pts.push((e, d.stat.ber.max(1e-30)));
            }
            all.extend(&pts);
            groups.push(Series::markers(
                format!(
                    "{}{bits}-bit ADC",
                    if dfe { "FFE + DFE, " } else { "FFE, " }
                ),
                pts,
            ));
        }
    }
    let front: Vec<(f64, f64)> = energy::pareto_front(&all).iter().map(|&i| all[i]).collect();
    plots::draw(|| {
        plots::pareto(
            &out.join(format!("{}.pareto", file_stem(&row.channel))),
            &format!("Energy per bit against BER: {}", row.channel),
            &format!(
                "energy per bit, DSP scaled to {} nm + ADC (pJ/bit)",
                cporx_spec::energy::SCALE_NODE_NM
            ),
            &groups,
            &front,
            o.target_ber,
        )
    })
}

/// The files of a study folder, as `fs::read_dir` lists them (sorted by the engine).
fn folder_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    Ok(std::fs::read_dir(dir)
        .map_err(|e| {
            format!(
                "cannot read the channel folder {}: {} (--channels DIR, or ${})",
                dir.display(),
                out::plain(&e),
                cporx_spec::paths::CHANNELS_ENV
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect())
}

/// A case name as a file name: every character but ASCII letters and digits becomes `_`.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// What the CLI does as the engine reports: messages, plots, `study.jsonl` and `study.md`
/// per row, the progress bar.
struct Report<'a> {
    a: &'a StudyArgs,
    o: &'a StudyOpts,
    bar: ProgressBar,
    jsonl: PathBuf,
    jf: Option<std::fs::File>,
    md: PathBuf,
    rows: Vec<Row>,
    notes: Notes,
    /// the energy table, or why there is none
    energy: Energy,
}

impl Report<'_> {
    fn line(&mut self, v: String) -> Result<(), String> {
        let jf = self.jf.as_mut().expect("study.jsonl is open");
        writeln!(jf, "{v}")
            .and_then(|_| jf.flush())
            .map_err(|e| format!("cannot write {}: {}", self.jsonl.display(), out::plain(&e)))
    }
}

impl Observer for Report<'_> {
    fn inputs(&mut self, ins: &Inputs) -> Result<(), String> {
        if !ins.ignored.is_empty() {
            println!(
                "{}: ignored (not named .sNp): {}",
                ins.dir.display(),
                ins.ignored.join(", ")
            );
        }
        self.notes = Notes {
            skipped: ins.skipped.clone(),
            unused: ins.unused.clone(),
            warnings: vec![],
            empty_dir: (ins.files == 0).then(|| ins.dir.clone()),
        };
        for k in self.notes.skipped.iter().chain(&self.notes.unused) {
            eprintln!("skipped: {}: {}", k.channel, k.skipped);
        }
        for c in &ins.cases {
            for w in &c.warnings {
                eprintln!("warning: {}: {w}", c.name);
                self.notes.warnings.push((c.name.clone(), w.clone()));
            }
        }
        Ok(())
    }

    fn start(&mut self, ins: &Inputs) -> Result<(), String> {
        self.bar = ProgressBar::new(ins.cases.len() as u64 + 1);
        self.bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed_precise} {msg}")
                .map_err(|e| e.to_string())?,
        );
        self.jf = Some(out::create(&self.jsonl)?);
        let lines: Vec<String> = self
            .notes
            .skipped
            .iter()
            .chain(&self.notes.unused)
            .map(skipped_json)
            .collect::<Result<_, _>>()?;
        for l in lines {
            self.line(l)?;
        }
        Ok(())
    }

    fn stage(&mut self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    fn figure(&mut self, fig: Figure<'_>) -> Result<(), String> {
        let dir = &self.a.out;
        match fig {
            Figure::Sdd21 {
                curves,
                nyquist_ghz,
            } => {
                let series: Vec<Series> =
                    curves.into_iter().map(|(n, p)| Series::new(n, p)).collect();
                plots::draw(|| {
                    plots::sdd21(
                        &dir.join("sdd21"),
                        &series,
                        &[(format!("Nyquist {} GBd", self.a.baud_gbd), nyquist_ghz)],
                    )
                })
            }
            Figure::Pulse {
                case,
                t_ui,
                v,
                cursors,
            } => plots::draw(|| {
                plots::pulse(
                    &dir.join(format!("{}.pulse", file_stem(case))),
                    case,
                    &t_ui,
                    &v,
                    &cursors,
                )
            }),
            Figure::Eye {
                case,
                codes,
                grid,
                thresholds,
            } => plots::draw(|| {
                plots::eye(
                    &dir.join(format!("{}.eye", file_stem(case))),
                    &format!("Slicer input, 3-tap FFE {codes:?}: {case}"),
                    &grid.phases,
                    &grid.y_centers,
                    &grid.density,
                    &thresholds,
                    "FFE output y (Q7.1 codes)",
                )
            }),
            Figure::Bathtub {
                case,
                stat,
                mc,
                target_ber,
            } => {
                let mut series = vec![Series::new("statistical eye", stat)];
                if !mc.is_empty() {
                    series.push(Series::markers("Monte-Carlo (bit-exact model)", mc));
                }
                plots::draw(|| {
                    plots::bathtub(
                        &dir.join(format!("{}.bathtub", file_stem(case))),
                        &format!("Bathtub, 3-tap FFE: {case}"),
                        &series,
                        target_ber,
                    )
                })
            }
            Figure::BerVsSnr { theory, stat, mc } => {
                let sims = if mc.is_empty() {
                    vec![]
                } else {
                    vec![SeriesWithCi::new(
                        "Monte-Carlo, bit-exact model (95% CI)",
                        mc,
                    )]
                };
                plots::draw(|| {
                    plots::ber_vs_snr(
                        &dir.join("ber_vs_snr"),
                        "PAM-4 BER vs SNR, ideal channel, 6-bit ADC, unit FFE",
                        &Series::new("closed form (AWGN, ideal slicer)", theory),
                        &sims,
                        Some(&Series::new("statistical eye (this receiver)", stat)),
                    )
                })?;
                self.bar.inc(1);
                Ok(())
            }
        }
    }

    fn finished(&mut self, inp: &Input, outcome: Result<&Row, &Skipped>) -> Result<(), String> {
        match outcome {
            Ok(row) => {
                let j = serde_json::to_string(&JsonRow::from(row)).map_err(|e| e.to_string())?;
                self.line(j)?;
                self.rows.push(row.clone());
            }
            Err(k) => {
                self.bar
                    .suspend(|| eprintln!("skipped: {}: {}", inp.name, k.skipped));
                self.line(skipped_json(k)?)?;
                self.notes.skipped.push(k.clone());
            }
        }
        out::write(
            &self.md,
            table(&self.rows, &self.notes, self.o, &self.energy),
        )?;
        // after the row is on disk (an interrupted run keeps it)
        if let (Ok(row), Some(t)) = (outcome, self.energy.table.as_ref()) {
            pareto_plot(&self.a.out, inp, row, self.o, t)?;
        }
        self.bar.inc(1);
        Ok(())
    }
}

/// Every flag in its own unit; `--readme` exists and has its markers; the report folder
/// and its files can be written. All before any computation.
fn check_args(a: &StudyArgs) -> Result<StudyOpts, String> {
    cli::check_range("snr-db", a.snr_db, 0.0, 80.0, "dB")?;
    cli::check_range("target-ber", a.target_ber, 1e-18, 0.1, "")?;
    cli::check_baud(a.baud_gbd)?;
    cli::check_range("rj-ui", a.rj_ui, 0.0, 0.2, "UI rms")?;
    if a.mc_symbols != 0 && !(1_000_000..=10_000_000_000).contains(&a.mc_symbols) {
        return Err(format!(
            "--mc-symbols = {} is out of range: legal is 0 (no Monte-Carlo) or 1000000 ..= 10000000000 symbols",
            a.mc_symbols
        ));
    }
    if !(study::adaptive::ADAPTIVE_UI_MIN..=1_000_000_000).contains(&a.adaptive_ui) {
        return Err(format!(
            "--adaptive-ui = {} is out of range: legal is {} ..= 1000000000 UI",
            a.adaptive_ui,
            study::adaptive::ADAPTIVE_UI_MIN
        ));
    }
    let o = StudyOpts {
        snr_db: a.snr_db,
        target_ber: a.target_ber,
        rj_rms_ui: a.rj_ui,
        zero_forcing: a.zf,
        ..Default::default()
    };
    o.validate()?;
    if !a.no_adaptive && !study::adaptive::measurable(a.adaptive_ui, a.target_ber) {
        eprintln!(
            "warning: --adaptive-ui {} cannot show --target-ber {:e} (zero errors would leave a 95 % bound above it): the adaptive column will say not measured",
            a.adaptive_ui, a.target_ber
        );
    }
    if let Some(readme) = &a.readme {
        cli::check_markers(readme, BEGIN, END).map_err(|e| format!("--readme: {e}"))?;
    }
    out::create_dir(&a.out)?;
    for f in ["study.jsonl", "study.md"] {
        out::check_writable(&a.out.join(f))?;
    }
    Ok(o)
}

const BEGIN: &str = "<!-- study:begin -->";
const END: &str = "<!-- study:end -->";

/// The job: its options, inputs and identity (the hash of the options and of every
/// channel file's contents).
struct Job {
    o: StudyOpts,
    ro: RunOpts,
    ins: Inputs,
    hash: JobHash,
}

fn job(a: &StudyArgs) -> Result<Job, String> {
    let o = check_args(a)?;
    let baud_hz = a.baud_gbd * 1e9;
    let dir_in = cli::channel_dir(a.channels.as_deref())?;
    let mut files = folder_files(&dir_in)?;
    let ins = study::inputs(&dir_in, &files, baud_hz)?;
    let ro = RunOpts {
        study: o.clone(),
        baud_hz,
        mc_symbols: a.mc_symbols,
        seed: a.seed,
        adaptive_ui: (!a.no_adaptive).then_some(a.adaptive_ui),
    };
    let mut hash = JobHash::new("study");
    hash.value("options", &format!("{ro:?}"));
    files.sort();
    for f in &files {
        let is_snp = f
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x.len() >= 3 && x.starts_with('s') && x.ends_with('p'));
        if is_snp {
            hash.file("channel", f)?;
        }
    }
    Ok(Job { o, ro, ins, hash })
}

pub fn run(a: &StudyArgs) -> Result<(), Fail> {
    let j = job(a)?;
    match a.shard {
        Some(sh) => run_shard(a, &j, sh),
        None => report(a, &j, &mut Direct),
    }
}

/// One Monte-Carlo run's share in a shard file: its place among the run's Monte-Carlo
/// calls, its configuration's fingerprint, and the counts of its chunks from `first`.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct McRecord {
    index: usize,
    config: String,
    first: u64,
    /// per chunk: symbols, symbol errors, bit errors, clipped samples
    counts: Vec<[u64; 4]>,
}

/// An adaptive cell, owned, as a shard file holds it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct CellRecord {
    ui: u64,
    taps: Option<usize>,
    bit_errors: Option<u64>,
    bits: Option<u64>,
    dfe_tap: Option<i32>,
    from_lock: Option<bool>,
    runs: usize,
    false_locks: usize,
    text: String,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct AdaptiveRecord {
    index: usize,
    cell: Result<CellRecord, String>,
}

/// A study shard's result.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
struct StudyShard {
    mc: Vec<McRecord>,
    adaptive: Vec<AdaptiveRecord>,
}

fn fingerprint(cfg: &McConfig) -> String {
    let mut h = JobHash::new("mc");
    h.value("config", &format!("{cfg:?}"));
    h.hex()
}

/// A sharded run: its chunk block of every Monte-Carlo run, its round-robin share of the
/// adaptive searches; the rest (cheap, deterministic) is computed and dropped.
struct ShardExec {
    shard: Shard,
    rec: StudyShard,
}

impl Exec for ShardExec {
    fn mc(&mut self, index: usize, cfg: &McConfig) -> Result<McResult, String> {
        let r = self.shard.range(mc_shard::chunks(cfg));
        let counts = mc_shard::run_chunks(cfg, r.clone()).map_err(|e| e.to_string())?;
        let mut out = McResult::default();
        for c in &counts {
            out.symbols += c.symbols;
            out.symbol_errors += c.symbol_errors;
            out.bit_errors += c.bit_errors;
            out.clipped += c.clipped;
        }
        self.rec.mc.push(McRecord {
            index,
            config: fingerprint(cfg),
            first: r.start,
            counts: counts
                .iter()
                .map(|c| [c.symbols, c.symbol_errors, c.bit_errors, c.clipped])
                .collect(),
        });
        Ok(out)
    }

    fn adaptive(
        &mut self,
        index: usize,
        case: &Case,
        so: &StudyOpts,
        dfe: bool,
        ui: u64,
        seed: u64,
        stage: &mut dyn FnMut(usize),
    ) -> Result<AdaptiveCell, String> {
        if !self.shard.owns(index as u64) {
            return Ok(AdaptiveCell {
                ui,
                taps: None,
                bit_errors: None,
                bits: None,
                dfe_tap: None,
                from_lock: None,
                runs: 0,
                false_locks: 0,
                text: "(another shard)".into(),
            });
        }
        let cell = Direct.adaptive(index, case, so, dfe, ui, seed, stage);
        self.rec.adaptive.push(AdaptiveRecord {
            index,
            cell: cell.as_ref().map(cell_record).map_err(|e| e.clone()),
        });
        cell
    }
}

fn cell_record(c: &AdaptiveCell) -> CellRecord {
    CellRecord {
        ui: c.ui,
        taps: c.taps,
        bit_errors: c.bit_errors,
        bits: c.bits,
        dfe_tap: c.dfe_tap,
        from_lock: c.from_lock,
        runs: c.runs,
        false_locks: c.false_locks,
        text: c.text.clone(),
    }
}

/// The merge: every long part looked up in the shards' records.
struct MergeExec {
    /// per shard (in shard order), its result
    shards: Vec<StudyShard>,
}

impl Exec for MergeExec {
    fn mc(&mut self, index: usize, cfg: &McConfig) -> Result<McResult, String> {
        cfg.validate().map_err(|e| e.to_string())?;
        let want = fingerprint(cfg);
        let mut parts = vec![];
        for (k, s) in self.shards.iter().enumerate() {
            let r = s.mc.iter().find(|r| r.index == index).ok_or_else(|| {
                format!(
                    "shard {}/{} has no Monte-Carlo run {index} (the shards are not of this job)",
                    k + 1,
                    self.shards.len()
                )
            })?;
            if r.config != want {
                return Err(format!(
                    "shard {}/{}: Monte-Carlo run {index} has another configuration than this job's",
                    k + 1,
                    self.shards.len()
                ));
            }
            let counts = r
                .counts
                .iter()
                .map(|c| ChunkCount {
                    symbols: c[0],
                    symbol_errors: c[1],
                    bit_errors: c[2],
                    clipped: c[3],
                })
                .collect();
            parts.push((r.first, counts));
        }
        mc_shard::combine(cfg, &parts)
    }

    fn adaptive(
        &mut self,
        index: usize,
        _case: &Case,
        _so: &StudyOpts,
        _dfe: bool,
        _ui: u64,
        _seed: u64,
        _stage: &mut dyn FnMut(usize),
    ) -> Result<AdaptiveCell, String> {
        let n = self.shards.len();
        let k = index % n;
        let r = self.shards[k]
            .adaptive
            .iter()
            .find(|r| r.index == index)
            .ok_or_else(|| {
                format!(
                    "shard {}/{n} has no adaptive search {index} (the shards are not of this job)",
                    k + 1
                )
            })?;
        r.cell.clone().map(|c| AdaptiveCell {
            ui: c.ui,
            taps: c.taps,
            bit_errors: c.bit_errors,
            bits: c.bits,
            dfe_tap: c.dfe_tap,
            from_lock: c.from_lock,
            runs: c.runs,
            false_locks: c.false_locks,
            text: c.text,
        })
    }
}

/// An observer that keeps nothing (a shard's rows are not the job's).
struct Quiet;
impl Observer for Quiet {}

fn run_shard(a: &StudyArgs, j: &Job, sh: Shard) -> Result<(), Fail> {
    let path = a.json.clone().unwrap_or_else(|| sh.default_file("study"));
    out::check_writable(&path)?;
    let mut ex = ShardExec {
        shard: sh,
        rec: StudyShard::default(),
    };
    let t0 = std::time::Instant::now();
    study::run_with(&j.ins, &j.ro, &mut Quiet, &mut ex)?;
    let mc_chunks: usize = ex.rec.mc.iter().map(|r| r.counts.len()).sum();
    println!(
        "study shard {sh}: {} Monte-Carlo runs ({mc_chunks} chunks here), {} adaptive searches here, {:.1} s",
        ex.rec.mc.len(),
        ex.rec.adaptive.len(),
        t0.elapsed().as_secs_f64()
    );
    let v = serde_json::to_value(&ex.rec).map_err(|e| e.to_string())?;
    shard::write(&path, "study", &j.hash, sh, shard::job_args(), v)?;
    Ok(())
}

/// `cporx merge` of a study job: the single run's report, with the long parts from the
/// shards (the inputs are read again and must hash to the shards' job).
pub fn merge(files: &[ShardFile]) -> Result<(), Fail> {
    let a: StudyArgs = super::merge::parse_args::<StudyArgs>(&files[0])?;
    let j = job(&a)?;
    if j.hash.hex() != files[0].job {
        return Err(Fail::Error(format!(
            "the study's inputs or options here are not the shards' (job {} here, {} in the shards): {}",
            j.hash.hex(),
            files[0].job,
            j.hash.describe()
        )));
    }
    let shards = files
        .iter()
        .map(shard::result::<StudyShard>)
        .collect::<Result<Vec<_>, _>>()?;
    report(&a, &j, &mut MergeExec { shards })
}

/// The report: the engine run with `exec`, the table, files and plots as they come.
fn report(a: &StudyArgs, j: &Job, exec: &mut dyn Exec) -> Result<(), Fail> {
    let (o, ro, ins) = (&j.o, &j.ro, &j.ins);
    let md = a.out.join("study.md");
    let jsonl = a.out.join("study.jsonl");
    let mut rep = Report {
        a,
        o,
        bar: ProgressBar::hidden(),
        jsonl: jsonl.clone(),
        jf: None,
        md: md.clone(),
        rows: vec![],
        notes: Notes::default(),
        energy: load_energy(a.energy_table.as_deref())?,
    };
    study::run_with(ins, ro, &mut rep, exec)?;
    let Report {
        bar,
        rows,
        notes,
        energy: rep_energy,
        ..
    } = rep;
    bar.finish_and_clear();
    let t = table(&rows, &notes, o, &rep_energy);
    print!("{t}");
    println!(
        "wrote {} and {}, plots (PNG and SVG) in {}",
        md.display(),
        jsonl.display(),
        a.out.display()
    );
    if let Some(readme) = &a.readme {
        cli::replace_between(readme, BEGIN, END, &t)?;
        println!(
            "wrote {} (the table between its study markers)",
            readme.display()
        );
    }
    let bad: Vec<&str> = notes
        .skipped
        .iter()
        .chain(&notes.unused)
        .map(|k| k.channel.as_str())
        .collect();
    if !bad.is_empty() {
        return Err(Fail::InputsSkipped(format!(
            "{} input{} skipped or not used ({}); the table has the rest ({})",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            bad.join(", "),
            md.display()
        )));
    }
    if let Some(d) = &notes.empty_dir {
        return Err(Fail::InputsSkipped(format!(
            "no channel file (.sNp) in {}: the table has the built-in ideal hop only",
            d.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: StudyArgs,
    }

    fn args(v: &[&str]) -> StudyArgs {
        T::parse_from(std::iter::once("study").chain(v.iter().copied())).a
    }

    #[test]
    fn adaptive_flags_default_on_and_are_range_checked() {
        let out = std::env::temp_dir().join("cporx-study-args-test");
        let o = out.to_str().unwrap();
        let a = args(&["--out", o]);
        assert_eq!(a.adaptive_ui, study::adaptive::ADAPTIVE_UI);
        assert!(!a.no_adaptive);
        assert!(check_args(&a).is_ok());
        assert!(args(&["--no-adaptive"]).no_adaptive);
        for bad in ["99999", "1000000001"] {
            let e = check_args(&args(&["--out", o, "--adaptive-ui", bad])).unwrap_err();
            assert!(
                e.contains(&format!("--adaptive-ui = {bad} is out of range"))
                    && e.contains("100000 ..= 1000000000 UI"),
                "{e}"
            );
        }
    }

    fn cell(text: &str) -> AdaptiveCell {
        AdaptiveCell {
            ui: 4_000_000,
            taps: Some(3),
            bit_errors: Some(0),
            bits: Some(7_968_750),
            dfe_tap: None,
            from_lock: Some(false),
            runs: 2,
            false_locks: 1,
            text: text.into(),
        }
    }

    #[test]
    fn the_table_has_the_dfe_and_adaptive_columns() {
        let row = Row {
            channel: "x".into(),
            il_nyquist_db: 1.0,
            il_nyquist_extrapolated: false,
            peak: 0.9,
            h_pre: 0.0,
            h_post1: 0.1,
            h_post2: 0.0,
            rx_snr_db: 30.0,
            fewest_taps: Some(3),
            fewest_taps_main: Some(1),
            fewest_bits: Some(5),
            ber_fewest: Some(1e-7),
            best_ber: None,
            best_ber_taps: None,
            snr_needed_db: None,
            limit: None,
            fewest_taps_text: "3 (main 1)".into(),
            dfe_fewest_taps: Some(2),
            dfe_fewest_taps_main: Some(1),
            dfe_tap: Some(5),
            dfe_ber_fewest: Some(1e-8),
            dfe_fewest_taps_text: "2 (main 1, DFE tap 5)".into(),
            adaptive: Some(cell("3 taps: FFE CELL")),
            adaptive_dfe: None,
            taps3_codes: vec![0, 64, 0],
            taps3_main: 1,
            taps3_quant_loss_db: 0.0,
            ber3_stat: 1e-9,
            taps3_eye_open: true,
            ber3_mc: None,
            ber3_mc_lo: None,
            ber3_mc_hi: None,
            mc_symbols: 0,
            mc_bits: 0,
            mc_bit_errors: 0,
            lms_codes: None,
            lms_max_dev: None,
            warnings: vec![],
        };
        let t = table(
            &[row.clone()],
            &Notes::default(),
            &StudyOpts::default(),
            &Energy::default(),
        );
        let head = t.lines().find(|l| l.starts_with("| channel")).unwrap();
        let line = t.lines().find(|l| l.starts_with("| x |")).unwrap();
        // one cell per header column
        assert_eq!(head.matches('|').count(), line.matches('|').count());
        let cols: Vec<&str> = head.split('|').map(str::trim).collect();
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let at = |name: &str| cells[cols.iter().position(|c| *c == name).unwrap()];
        assert_eq!(
            at("fewest taps with 1-tap DFE (statistical)"),
            "2 (main 1, DFE tap 5)"
        );
        assert_eq!(at("adaptive, measured: fewest taps"), "3 taps: FFE CELL");
        assert_eq!(
            at("adaptive with DFE, measured: fewest taps"),
            "not run (--no-adaptive)"
        );
        assert!(t.contains("Adaptive (4000000 UI a run)"), "{t}");
        // the JSON line carries both
        let j = serde_json::to_string(&JsonRow::from(&row)).unwrap();
        assert!(
            j.contains("\"dfe_tap\":5") && j.contains("\"adaptive_dfe\":null"),
            "{j}"
        );
        assert!(j.contains("\"false_locks\":1"), "{j}");
    }
}
