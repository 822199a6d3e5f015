//! The study's case loop: every input through pulse -> tap search (FFE, and FFE + 1-tap
//! DFE) -> the adaptive receiver's closed-loop search ([`super::adaptive`]) -> fewest ADC
//! bits -> 3-tap design -> statistical eye and bathtub -> Monte-Carlo -> sign-sign LMS, then the
//! BER-vs-SNR curves of an ideal channel. [`run`] reports to an [`Observer`] as it goes
//! (progress, each figure's data, each finished row), so a caller can write results and
//! draw plots per row without this engine knowing about files or plotters.

use super::inputs::{loss_db_points, Input, Inputs, Skipped};
use super::{Case, Design, StudyOpts};
use crate::figure::Rate;
use crate::montecarlo;
use crate::pulse::PulseResponse;
use crate::stateye::{self, EyeGrid};
use cporx_spec::*;

/// Symbols the sign-sign LMS runs in the study.
pub const LMS_SYMBOLS: usize = 200_000;

/// What [`run`] asks besides the [`StudyOpts`].
#[derive(Clone, Debug)]
pub struct RunOpts {
    pub study: StudyOpts,
    /// symbol rate, Hz (the inputs' pulses are built at it)
    pub baud_hz: f64,
    /// Monte-Carlo symbols per 3-tap check (0: no Monte-Carlo)
    pub mc_symbols: u64,
    /// seed of the Monte-Carlo and LMS streams (and of the adaptive column's links)
    pub seed: u64,
    /// UI per closed-loop run of the adaptive column ([`super::adaptive`]); `None`: the
    /// column is not run
    pub adaptive_ui: Option<u64>,
}

/// One row of the study table.
#[derive(Clone, Debug)]
pub struct Row {
    pub channel: String,
    pub il_nyquist_db: f64,
    /// the Nyquist frequency lies above the last data point: the loss there is extrapolated
    pub il_nyquist_extrapolated: bool,
    pub peak: f64,
    pub h_pre: f64,
    pub h_post1: f64,
    pub h_post2: f64,
    pub rx_snr_db: f64,
    pub fewest_taps: Option<usize>,
    pub fewest_taps_main: Option<usize>,
    pub fewest_bits: Option<u32>,
    pub ber_fewest: Option<f64>,
    /// when no tap count reaches the target: the lowest BER any reached, and with how many taps
    pub best_ber: Option<f64>,
    pub best_ber_taps: Option<usize>,
    /// when no tap count reaches the target: the launch SNR the largest tap count would need
    pub snr_needed_db: Option<f64>,
    /// when no tap count reaches the target: `snr` (more SNR would do) or `equalizer`
    pub limit: Option<&'static str>,
    /// the tap search in words (the table cell)
    pub fewest_taps_text: String,
    /// the same search with the 1-tap DFE beside the FFE (statistical, error propagation
    /// included): taps, main tap, the DFE tap (Q7.1 codes), BER, the cell
    pub dfe_fewest_taps: Option<usize>,
    pub dfe_fewest_taps_main: Option<usize>,
    pub dfe_tap: Option<i32>,
    pub dfe_ber_fewest: Option<f64>,
    pub dfe_fewest_taps_text: String,
    /// the adaptive column ([`super::adaptive`]); `None` when not run
    pub adaptive: Option<AdaptiveCell>,
    pub adaptive_dfe: Option<AdaptiveCell>,
    pub taps3_codes: Vec<i32>,
    pub taps3_main: usize,
    pub taps3_quant_loss_db: f64,
    pub ber3_stat: f64,
    /// 3-tap statistical BER at most [`super::EYE_OPEN_BER`]: codes and LMS mean something
    pub taps3_eye_open: bool,
    /// Monte-Carlo BER, `None` when not measured (0 bits)
    pub ber3_mc: Option<f64>,
    pub ber3_mc_lo: Option<f64>,
    pub ber3_mc_hi: Option<f64>,
    pub mc_symbols: u64,
    pub mc_bits: u64,
    pub mc_bit_errors: u64,
    /// sign-sign LMS (model) codes after [`LMS_SYMBOLS`], from the main tap alone; `None`
    /// when the 3-tap eye is closed (not run)
    pub lms_codes: Option<Vec<i32>>,
    /// largest |LMS code - MMSE code|
    pub lms_max_dev: Option<i32>,
    /// extrapolation, causality, slight non-passivity (the loader's warnings)
    pub warnings: Vec<String>,
}

/// One receiver's adaptive search, as the row keeps it.
#[derive(Clone, Debug)]
pub struct AdaptiveCell {
    /// UI per run
    pub ui: u64,
    /// the fewest taps that reached the target, its BER count after convergence and the
    /// read-back DFE tap
    pub taps: Option<usize>,
    pub bit_errors: Option<u64>,
    pub bits: Option<u64>,
    pub dfe_tap: Option<i32>,
    /// the reached count is from lock + 2000 UI (the loops' convergence not told)
    pub from_lock: Option<bool>,
    /// tap counts run, and how many of them false-locked
    pub false_locks: usize,
    pub runs: usize,
    /// the table cell
    pub text: String,
}

impl AdaptiveCell {
    pub fn new(s: &super::adaptive::AdaptiveSearch, o: &StudyOpts) -> Self {
        let r = s.reached();
        AdaptiveCell {
            ui: s.ui,
            taps: r.map(|t| t.n_taps),
            bit_errors: r.and_then(|t| t.ber.map(|b| b.events)),
            bits: r.and_then(|t| t.ber.map(|b| b.trials)),
            dfe_tap: r.and_then(|t| t.dfe_tap),
            from_lock: r.map(|t| t.from_lock.is_some()),
            false_locks: s.trials.iter().filter(|t| t.false_lock).count(),
            runs: s.trials.len(),
            text: s.describe(o),
        }
    }
}

/// The data of one figure, as the engine has it; titles, files and drawing are the caller's.
#[derive(Clone, Debug)]
pub enum Figure<'a> {
    /// insertion loss of every case (thrus first, then the crosstalk paths named
    /// `NAME (crosstalk)`), (GHz, dB)
    Sdd21 {
        curves: Vec<(String, Vec<(f64, f64)>)>,
        nyquist_ghz: f64,
    },
    /// a case's absolute pulse up to 12 UI: times (UI), values, cursors h(k) for k <= 12
    Pulse {
        case: &'a str,
        t_ui: Vec<f64>,
        v: Vec<f64>,
        cursors: Vec<(i32, f64)>,
    },
    /// the 3-tap design's eye at the slicer input, with its decision thresholds (Q7.1 codes)
    Eye {
        case: &'a str,
        codes: &'a [i32],
        grid: EyeGrid,
        thresholds: Vec<f64>,
    },
    /// the 3-tap bathtub: statistical curve and the Monte-Carlo points with errors
    Bathtub {
        case: &'a str,
        stat: Vec<(f64, f64)>,
        mc: Vec<(f64, f64)>,
        target_ber: f64,
    },
    /// BER vs SNR of an ideal channel (dB, BER): closed form, statistical eye, Monte-Carlo
    /// (dB, BER, 95 % low, high; only points with bits)
    BerVsSnr {
        theory: Vec<(f64, f64)>,
        stat: Vec<(f64, f64)>,
        mc: Vec<(f64, f64, f64, f64)>,
    },
}

/// What the study's caller sees as the run goes. Errors stop the run ([`run`] returns them).
pub trait Observer {
    /// The inputs, read and paired, before any case runs (then the SDD21 figure).
    fn inputs(&mut self, _inputs: &Inputs) -> Result<(), String> {
        Ok(())
    }
    /// The cases are about to run (after the SDD21 figure).
    fn start(&mut self, _inputs: &Inputs) -> Result<(), String> {
        Ok(())
    }
    /// Progress: what runs now (`NAME`, `NAME: tap search`, `BER vs SNR: 12 dB`, ...).
    fn stage(&mut self, _what: &str) {}
    /// A figure's data, as soon as it is computed.
    fn figure(&mut self, _fig: Figure<'_>) -> Result<(), String> {
        Ok(())
    }
    /// A case finished: its row, or why it gave none.
    fn finished(&mut self, _case: &Input, _outcome: Result<&Row, &Skipped>) -> Result<(), String> {
        Ok(())
    }
}

/// The whole run: the rows, the inputs that gave none (files and cases), the unused files,
/// the warnings per row.
#[derive(Clone, Debug)]
pub struct StudyReport {
    pub rows: Vec<Row>,
    /// files skipped while reading, then cases that gave no row
    pub skipped: Vec<Skipped>,
    /// crosstalk files with no thru
    pub unused: Vec<Skipped>,
    /// (row, warning)
    pub warnings: Vec<(String, String)>,
    /// .sNp files in the folder
    pub files: usize,
}

/// Why a case gave no row: the channel (skipped, the run goes on) or the observer (fatal).
enum CaseError {
    Skip(String),
    Fatal(String),
}

/// Who computes the study's long parts: every Monte-Carlo run and every adaptive search,
/// each named by its place among the run's calls of its kind (`index`, 0-based; the calls
/// come in the same order in every run of the same inputs and options). [`Direct`]
/// computes them; a sharded run computes its share and records it, and the merge answers
/// from the shards' records (`cporx study --shard K/N`, `cporx merge`), so the rest of the
/// study, cheap and deterministic, is the same code in all three.
pub trait Exec {
    /// A Monte-Carlo run ([`montecarlo::run`]).
    fn mc(
        &mut self,
        index: usize,
        cfg: &montecarlo::McConfig,
    ) -> Result<montecarlo::McResult, String>;
    /// An adaptive search ([`super::adaptive::search`]) as the row keeps it; `stage` hears
    /// each tap count as it starts.
    #[allow(clippy::too_many_arguments)]
    fn adaptive(
        &mut self,
        index: usize,
        case: &Case,
        so: &StudyOpts,
        dfe: bool,
        ui: u64,
        seed: u64,
        stage: &mut dyn FnMut(usize),
    ) -> Result<AdaptiveCell, String>;
}

/// Computes every part in place (the single run).
pub struct Direct;

impl Exec for Direct {
    fn mc(
        &mut self,
        _index: usize,
        cfg: &montecarlo::McConfig,
    ) -> Result<montecarlo::McResult, String> {
        montecarlo::run(cfg, &|_| {}).map_err(|e| e.to_string())
    }
    fn adaptive(
        &mut self,
        _index: usize,
        case: &Case,
        so: &StudyOpts,
        dfe: bool,
        ui: u64,
        seed: u64,
        stage: &mut dyn FnMut(usize),
    ) -> Result<AdaptiveCell, String> {
        let s = super::adaptive::search(case, so, dfe, ui, seed, stage)?;
        Ok(AdaptiveCell::new(&s, so))
    }
}

/// An [`Exec`] with its call counters.
struct Calls<'a> {
    exec: &'a mut dyn Exec,
    mc: usize,
    adaptive: usize,
}

impl Calls<'_> {
    fn mc(&mut self, cfg: &montecarlo::McConfig) -> Result<montecarlo::McResult, String> {
        self.mc += 1;
        self.exec.mc(self.mc - 1, cfg)
    }
}

/// The study over `inputs` (see [`crate::study::inputs()`]), reporting to `obs`.
pub fn run(inputs: &Inputs, o: &RunOpts, obs: &mut dyn Observer) -> Result<StudyReport, String> {
    run_with(inputs, o, obs, &mut Direct)
}

/// [`run`], with the long parts computed (or looked up) by `exec`.
pub fn run_with(
    inputs: &Inputs,
    o: &RunOpts,
    obs: &mut dyn Observer,
    exec: &mut dyn Exec,
) -> Result<StudyReport, String> {
    let mut calls = Calls {
        exec,
        mc: 0,
        adaptive: 0,
    };
    o.study.validate()?;
    obs.inputs(inputs)?;
    let mut report = StudyReport {
        rows: vec![],
        skipped: inputs.skipped.clone(),
        unused: inputs.unused.clone(),
        warnings: vec![],
        files: inputs.files,
    };
    for c in &inputs.cases {
        for w in &c.warnings {
            report.warnings.push((c.name.clone(), w.clone()));
        }
    }
    let curves: Vec<(String, Vec<(f64, f64)>)> = inputs
        .cases
        .iter()
        .filter(|i| i.aggressor.is_none())
        .map(|i| (i.name.clone(), loss_db_points(&i.h)))
        .chain(inputs.cases.iter().filter_map(|i| {
            i.aggressor
                .as_ref()
                .map(|x| (format!("{} (crosstalk)", i.name), loss_db_points(&x.0)))
        }))
        .collect();
    obs.figure(Figure::Sdd21 {
        curves,
        nyquist_ghz: o.baud_hz / 2e9,
    })?;
    obs.start(inputs)?;
    for inp in &inputs.cases {
        obs.stage(&inp.name);
        match run_case(inp, o, obs, &mut calls) {
            Ok(row) => {
                obs.finished(inp, Ok(&row))?;
                report.rows.push(row);
            }
            Err(CaseError::Skip(why)) => {
                let k = Skipped {
                    channel: inp.name.clone(),
                    skipped: why,
                };
                obs.finished(inp, Err(&k))?;
                report.skipped.push(k);
            }
            Err(CaseError::Fatal(e)) => return Err(e),
        }
    }
    ber_vs_snr(o, obs, &mut calls)?;
    Ok(report)
}

/// The pulse figure's data: the table up to 12 UI after the peak and the cursors h(k),
/// k <= 12 (the study's and `cporx channel`'s pulse plot).
pub fn pulse_figure<'a>(case: &'a str, p: &PulseResponse) -> Figure<'a> {
    let (a, _) = p.span_ui();
    let t: Vec<f64> = (0..p.samples.len())
        .map(|i| a + i as f64 / p.os as f64)
        .filter(|t| *t <= 12.0)
        .collect();
    let v: Vec<f64> = p.samples[..t.len()].to_vec();
    let cur: Vec<(i32, f64)> = p.cursors(0.0).into_iter().filter(|c| c.0 <= 12).collect();
    Figure::Pulse {
        case,
        t_ui: t,
        v,
        cursors: cur,
    }
}

fn run_case(
    inp: &Input,
    o: &RunOpts,
    obs: &mut dyn Observer,
    calls: &mut Calls,
) -> Result<Row, CaseError> {
    use CaseError::{Fatal, Skip};
    let so = &o.study;
    let p = &inp.pulse;
    let case =
        Case::new(&inp.name, p.clone(), inp.aggressor.as_ref().map(|x| &x.1)).map_err(Skip)?;
    obs.figure(pulse_figure(&inp.name, p)).map_err(Fatal)?;
    obs.stage(&format!("{}: tap search", inp.name));
    let search = super::tap_search(&case, so);
    let fewest = search.fewest.as_ref();
    let bits = fewest.and_then(|d| super::fewest_bits(&case, so, d.n_taps));
    obs.stage(&format!("{}: tap search with the DFE", inp.name));
    let dsearch = super::tap_search_with(&case, so, true);
    let dfewest = dsearch.fewest.as_ref();
    let mut adaptive = [None, None];
    if let Some(ui) = o.adaptive_ui {
        for (i, dfe) in [false, true].into_iter().enumerate() {
            let name = inp.name.clone();
            let what = if dfe { "adaptive, DFE" } else { "adaptive" };
            calls.adaptive += 1;
            let cell = calls
                .exec
                .adaptive(calls.adaptive - 1, &case, so, dfe, ui, o.seed, &mut |n| {
                    obs.stage(&format!("{name}: {what}, {n} taps"))
                })
                .map_err(Skip)?;
            adaptive[i] = Some(cell);
        }
    }
    let [adaptive, adaptive_dfe] = adaptive;
    let d3: Design = super::best_design(&case, so, 3, ADC_BITS as u32)
        .ok_or_else(|| Skip("no 3-tap FFE fits the Q2.6 coefficient range".to_string()))?;
    // eye at the slicer input and bathtub, 3-tap design
    let grid = stateye::eye_density_around(&case.norm, &d3.setup, 0.0, 129, 256, (-96.0, 96.0));
    let thr: Vec<f64> = d3
        .setup
        .thresholds
        .iter()
        .map(|&t| t as f64 - 0.5)
        .collect();
    obs.figure(Figure::Eye {
        case: &inp.name,
        codes: &d3.codes,
        grid,
        thresholds: thr,
    })
    .map_err(Fatal)?;
    let mut mc = d3.mc_config(&case, so, o.mc_symbols, o.seed);
    mc.max_errors = 2000;
    let r = if o.mc_symbols > 0 {
        obs.stage(&format!("{}: Monte-Carlo", inp.name));
        Some(calls.mc(&mc).map_err(Skip)?)
    } else {
        None
    };
    let (mc_symbols, mc_errors) = r.as_ref().map_or((0, 0), |r| (r.symbols, r.bit_errors));
    let rate = Rate::new(mc_errors, 2 * mc_symbols, "bits");
    let ci = rate.ci95();
    // bathtub: statistical, and Monte-Carlo points where they reach
    let tub = stateye::bathtub_around(&case.norm, &d3.setup, 0.0, 129);
    let mut mc_pts = vec![];
    if o.mc_symbols > 0 {
        for i in 0..=8 {
            let ph = -0.4 + 0.1 * i as f64;
            let mut m = mc.clone();
            m.cursors = case.norm.cursors(ph);
            m.symbols = 4 * montecarlo::CHUNK;
            m.max_errors = 0;
            let r = calls.mc(&m).map_err(Skip)?;
            if r.bit_errors > 0 {
                mc_pts.push((ph, r.ber()));
            }
        }
    }
    obs.figure(Figure::Bathtub {
        case: &inp.name,
        stat: tub,
        mc: mc_pts,
        target_ber: so.target_ber,
    })
    .map_err(Fatal)?;
    let lms = if d3.eye_open() {
        obs.stage(&format!("{}: sign-sign LMS", inp.name));
        Some(d3.lms_codes(&case, so, LMS_SYMBOLS, o.seed).map_err(Skip)?)
    } else {
        None
    };
    let lms_max_dev = lms.as_ref().map(|l| {
        l.iter()
            .zip(&d3.codes)
            .map(|(a, b)| (a - b).abs())
            .max()
            .unwrap_or(0)
    });
    let rel = |k: i32| {
        p.cursors(0.0)
            .iter()
            .find(|c| c.0 == k)
            .map_or(0.0, |c| c.1 / p.peak())
    };
    Ok(Row {
        channel: inp.name.clone(),
        il_nyquist_db: p.measured.as_ref().map_or(0.0, |m| m.il_nyquist_db),
        il_nyquist_extrapolated: inp.il_extrapolated,
        peak: p.peak(),
        h_pre: rel(-1),
        h_post1: rel(1),
        h_post2: rel(2),
        rx_snr_db: 10.0 * (5.0 / case.noise_sigma(so).powi(2)).log10(),
        fewest_taps: fewest.map(|d| d.n_taps),
        fewest_taps_main: fewest.map(|d| d.main_tap),
        fewest_bits: bits.as_ref().map(|d| d.adc_bits),
        ber_fewest: fewest.map(|d| d.stat.ber),
        best_ber: search.best.as_ref().map(|d| d.stat.ber),
        best_ber_taps: search.best.as_ref().map(|d| d.n_taps),
        snr_needed_db: search.snr_needed_db,
        limit: search.limit().map(|l| l.as_str()),
        fewest_taps_text: search.describe(so),
        dfe_fewest_taps: dfewest.map(|d| d.n_taps),
        dfe_fewest_taps_main: dfewest.map(|d| d.main_tap),
        dfe_tap: dfewest.and_then(|d| d.dfe),
        dfe_ber_fewest: dfewest.map(|d| d.stat.ber),
        dfe_fewest_taps_text: dsearch.describe(so),
        adaptive,
        adaptive_dfe,
        taps3_codes: d3.codes.clone(),
        taps3_main: d3.main_tap,
        taps3_quant_loss_db: d3.quant_loss_db,
        ber3_stat: d3.stat.ber,
        taps3_eye_open: d3.eye_open(),
        ber3_mc: rate.value(),
        ber3_mc_lo: ci.map(|c| c.0),
        ber3_mc_hi: ci.map(|c| c.1),
        mc_symbols,
        mc_bits: 2 * mc_symbols,
        mc_bit_errors: mc_errors,
        lms_codes: lms,
        lms_max_dev,
        warnings: inp.warnings.clone(),
    })
}

/// BER vs SNR on an ideal (ISI-free) channel, 12 ..= 26 dB: closed form, statistical eye,
/// Monte-Carlo up to 21 dB (points with 0 bits, `mc_symbols` 0, are not measured and left
/// out).
fn ber_vs_snr(o: &RunOpts, obs: &mut dyn Observer, calls: &mut Calls) -> Result<(), String> {
    let rx = montecarlo::McConfig::ideal_channel(1.0, 1, 0).rx;
    let mut theory = vec![];
    let mut stat = vec![];
    let mut sims = vec![];
    let mut s = 12.0;
    while s <= 26.0 + 1e-9 {
        theory.push((s, stateye::pam4_ber_awgn(s)));
        let sigma = (5.0 / 10f64.powf(s / 10.0)).sqrt();
        let setup = stateye::EyeSetup {
            cursors: vec![(0, 1.0)],
            slopes: vec![(0, 0.0)],
            noise_sigma: sigma,
            rj_rms_ui: 0.0,
            full_scale: 4.0,
            adc_bits: ADC_BITS as u32,
            coefs: rx.reset_coefs.clone(),
            main_tap: 1,
            thresholds: rx.thresholds,
            dfe: 0,
        };
        stat.push((s, stateye::ber(&setup).ber));
        if s <= 21.0 && o.mc_symbols > 0 {
            obs.stage(&format!("BER vs SNR: {s} dB"));
            let mut c = montecarlo::McConfig::ideal_channel(sigma, o.mc_symbols, o.seed);
            c.max_errors = 1000;
            let r = calls.mc(&c)?;
            let rate = Rate::new(r.bit_errors, 2 * r.symbols, "bits");
            if let (Some(v), Some((lo, hi))) = (rate.value(), rate.ci95()) {
                sims.push((s, v, lo, hi));
            }
        }
        s += 1.0;
    }
    obs.figure(Figure::BerVsSnr {
        theory,
        stat,
        mc: sims,
    })
}
