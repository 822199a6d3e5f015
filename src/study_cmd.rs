//! `cporx study`: the co-packaging table. Every measured channel in a directory (Touchstone
//! thrus; crosstalk files are paired with their thru) and a built-in ideal short hop, each
//! through SDD21 -> pulse -> MMSE FFE -> statistical BER, with the fewest taps and ADC bits
//! that reach the target BER, the BER of a 3-tap FFE (statistical and Monte-Carlo), and
//! the plots. Conventions: `cporx_link::study` (launch SNR, AGC, fixed phase).
//!
//! Results are written as they come (`study.jsonl`, one line per finished channel, and
//! `study.md` rewritten after each), so an interrupted run keeps what it finished.
//! `cporx channel FILE` is the one-channel view (IL at Nyquist, cursors, peak, plots).

use crate::fail::Fail;
use crate::out;
use crate::plots::{self, Series, SeriesWithCi};
use clap::Args;
use cporx_link::figure::Rate;
use cporx_link::montecarlo;
use cporx_link::pulse::{self, ChannelLoad, LoadedChannel, PulseOpts, PulseResponse};
use cporx_link::stateye;
use cporx_link::study::{self, Case, Design, StudyOpts};
use cporx_link::touchstone::{self, FreqResponse, PortMap, TouchstoneError};
use cporx_spec::*;
use indicatif::{ProgressBar, ProgressStyle};
use num_complex::Complex64;
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
}

#[derive(Args, Clone)]
pub struct ChannelArgs {
    /// a Touchstone 1.x file (.s2p: S21; .s4p: SDD21); the port count comes from the
    /// extension unless --ports is given
    pub file: PathBuf,
    /// port map of a 4-port file, `a1,a2:b1,b2` (input pair p,n : output pair p,n, 1-based);
    /// default: detected from the data. A map that transmits far less than the best
    /// pairing at the lowest frequency is refused (see --force-map)
    #[arg(long, value_name = "MAP")]
    pub map: Option<String>,
    /// use --map even when it pairs the wrong ports by the data (a warning instead of an error)
    #[arg(long, requires = "map")]
    pub force_map: bool,
    /// port count of the file, 1 ..= 1024 (default: from the extension .sNp)
    #[arg(long, value_name = "N")]
    pub ports: Option<usize>,
    /// symbol rate, GBd: 26.5625, 53.125, 106.25, or any in 1 ..= 400 GBd
    #[arg(long, value_name = "GBD", default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// write the SDD21 and pulse plots (PNG and SVG) into this folder (created if missing);
    /// default: no plots
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn check_baud(baud_gbd: f64) -> Result<(), String> {
    crate::check_range("baud-gbd", baud_gbd, 1.0, 400.0, "GBd")
}

/// The study's default channel folder: `--channels`, `$CPORX_CHANNELS`, the checkout's
/// `../shared/channels` (cporx_spec::paths).
fn channel_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    let d = cporx_spec::paths::find(
        "the channel folder",
        Some(("--channels", flag)),
        Some(cporx_spec::paths::CHANNELS_ENV),
        "../shared/channels",
    )?;
    if !d.is_dir() {
        return Err(format!(
            "the channel folder {} is not a folder (--channels DIR, or ${})",
            d.display(),
            cporx_spec::paths::CHANNELS_ENV
        ));
    }
    Ok(d)
}

/// The built-in ideal short hop: a flat, lossless channel (H = 1 from DC to 60 GHz, or to
/// the baud rate if higher, so the Nyquist frequency is always inside the data); what
/// remains is the TX rise-time and RX Bessel-Thomson filters.
fn ideal_response(baud_hz: f64) -> FreqResponse {
    let top = (60e9f64).max(baud_hz);
    let n = (top / 1e8).ceil() as usize;
    let f_hz: Vec<f64> = (0..=n).map(|i| i as f64 * 1e8).collect();
    let h = vec![Complex64::new(1.0, 0.0); f_hz.len()];
    FreqResponse { f_hz, h }
}

fn loss_series(name: &str, h: &FreqResponse) -> Series {
    Series::new(
        name,
        h.f_hz
            .iter()
            .zip(&h.h)
            .map(|(f, h)| (f / 1e9, 20.0 * h.norm().max(1e-15).log10()))
            .collect(),
    )
}

/// Draw `<stem>.png` and `<stem>.svg`; the error (`cannot write PATH: reason`, `cannot
/// plot PATH: ...`) names the file.
fn plot(draw: impl FnOnce() -> Result<(), plots::PlotError>) -> Result<(), String> {
    draw().map_err(|e| e.to_string())
}

fn pulse_plot(stem: &Path, name: &str, p: &PulseResponse) -> Result<(), String> {
    let (a, _) = p.span_ui();
    let t: Vec<f64> = (0..p.samples.len())
        .map(|i| a + i as f64 / p.os as f64)
        .filter(|t| *t <= 12.0)
        .collect();
    let v: Vec<f64> = p.samples[..t.len()].to_vec();
    let cur: Vec<(i32, f64)> = p.cursors(0.0).into_iter().filter(|c| c.0 <= 12).collect();
    plot(|| plots::pulse(stem, name, &t, &v, &cur))
}

/// `cporx channel FILE`: one channel's figures.
pub fn channel(a: &ChannelArgs) -> Result<(), Fail> {
    check_baud(a.baud_gbd)?;
    if let Some(n) = a.ports {
        crate::check_range("ports", n as f64, 1.0, touchstone::MAX_PORTS as f64, "")?;
    }
    let map = a
        .map
        .as_deref()
        .map(PortMap::parse)
        .transpose()
        .map_err(|e| format!("--map: {e}"))?;
    let name = a
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    // output paths first, before any work
    let stem = a.out.as_ref().map(|d| d.join(name.replace('.', "_")));
    if let Some(stem) = &stem {
        for s in ["sdd21", "pulse"] {
            for ext in ["png", "svg"] {
                out::check_writable(&plots::with_ext(&stem.with_extension(s), ext))?;
            }
        }
    }
    let l = pulse::load_channel(
        &a.file,
        &ChannelLoad {
            ports: a.ports,
            map,
            force_map: a.force_map,
            baud_hz: a.baud_gbd * 1e9,
        },
    )?;
    let p = &l.pulse;
    println!(
        "{name}: {}-port, {} points, {:.3} .. {:.3} GHz, port map {}",
        l.n_ports,
        l.h.f_hz.len(),
        l.f_min_hz / 1e9,
        l.f_max_hz / 1e9,
        l.map_text()
    );
    println!(
        "  at {} GBd: insertion loss at Nyquist ({:.4} GHz) {}; pulse peak {:.4} ({:.2} dB), delay {:.1} ps; causality {:.1e}",
        a.baud_gbd,
        a.baud_gbd / 2.0,
        l.il_nyquist_text(),
        p.peak(),
        20.0 * p.peak().abs().log10(),
        l.measurement().delay_ps,
        l.measurement().causality
    );
    let cur = p.cursors(0.0);
    let line: Vec<String> = cur
        .iter()
        .filter(|c| (-2..=6).contains(&c.0))
        .map(|c| format!("h({}) {:+.4}", c.0, c.1 / p.peak()))
        .collect();
    println!("  cursors / peak: {}", line.join(", "));
    for w in &l.warnings {
        eprintln!("warning: {name}: {w}");
    }
    if let Some(stem) = &stem {
        let sd = stem.with_extension("sdd21");
        plot(|| {
            plots::sdd21(
                &sd,
                &[loss_series(&name, &l.h)],
                &[(format!("Nyquist {} GBd", a.baud_gbd), a.baud_gbd / 2.0)],
            )
        })?;
        pulse_plot(&stem.with_extension("pulse"), &name, p)?;
        println!("  wrote {}.{{sdd21,pulse}}.{{png,svg}}", stem.display());
    }
    Ok(())
}

/// One row of the study table.
#[derive(serde::Serialize, Clone, Debug)]
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
    pub taps3_codes: Vec<i32>,
    pub taps3_main: usize,
    pub taps3_quant_loss_db: f64,
    pub ber3_stat: f64,
    /// 3-tap statistical BER at most study::EYE_OPEN_BER: codes and LMS mean something
    pub taps3_eye_open: bool,
    /// Monte-Carlo BER, null when not measured (0 bits)
    pub ber3_mc: Option<f64>,
    pub ber3_mc_lo: Option<f64>,
    pub ber3_mc_hi: Option<f64>,
    pub mc_symbols: u64,
    pub mc_bits: u64,
    pub mc_bit_errors: u64,
    /// sign-sign LMS (model) codes after LMS_SYMBOLS, from the main tap alone; null when
    /// the 3-tap eye is closed (not run)
    pub lms_codes: Option<Vec<i32>>,
    /// largest |LMS code - MMSE code|
    pub lms_max_dev: Option<i32>,
    /// extrapolation, causality, slight non-passivity (the loader's warnings)
    pub warnings: Vec<String>,
}

/// A file that gave no row, and why.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Skipped {
    /// the file name (or the row name)
    pub channel: String,
    pub skipped: String,
}

/// Symbols the sign-sign LMS runs in the study.
const LMS_SYMBOLS: usize = 200_000;

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

fn table(rows: &[Row], notes: &Notes, o: &StudyOpts) -> String {
    let mut s = String::new();
    s += &format!(
        "Launch SNR {} dB (PAM-4 power at the transmitter over the noise at the receiver input), target BER {:.0e}, \
         fixed sampling phase at the pulse peak, {} taps quantized to Q2.6, statistical BER (Gray coded). \
         Monte-Carlo: bit errors in bits counted, with the 95 % interval under 100 errors. \
         The LMS column: the model's sign-sign LMS, started from the MMSE main tap alone, after {LMS_SYMBOLS} symbols \
         (not run where the 3-tap eye is closed, statistical BER above {:.0e}).\n\n",
        o.snr_db,
        o.target_ber,
        if o.zero_forcing { "zero-forcing" } else { "MMSE" },
        study::EYE_OPEN_BER
    );
    s += "| channel | IL at Nyquist (dB) | pulse peak | h(-1), h(1), h(2) / peak | SNR after loss (dB) | fewest taps (6-bit ADC) | fewest ADC bits at those taps | 3-tap FFE: codes (main) | 3-tap quant. loss (dB) | 3-tap BER, statistical | 3-tap BER, Monte-Carlo | sign-sign LMS, 3 taps (max deviation from MMSE) |\n";
    s += "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
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
            "| {} | {il} | {:.3} | {:+.3}, {:+.3}, {:+.3} | {:.1} | {} | {bits} | {codes} | {:.3} | {} | {} | {lms} |\n",
            r.channel,
            r.peak,
            r.h_pre,
            r.h_post1,
            r.h_post2,
            r.rx_snr_db,
            r.fewest_taps_text,
            r.taps3_quant_loss_db,
            fmt_ber(r.ber3_stat),
            mc_cell(r),
        );
    }
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

/// A study case: its insertion loss (for the SDD21 plot), pulse and aggressor.
struct Input {
    name: String,
    h: FreqResponse,
    pulse: PulseResponse,
    il_extrapolated: bool,
    aggressor: Option<(FreqResponse, PulseResponse)>,
    warnings: Vec<String>,
}

/// What the channel folder gave.
struct Inputs {
    cases: Vec<Input>,
    skipped: Vec<Skipped>,
    unused: Vec<Skipped>,
    /// names that are not .sNp (ignored, e.g. README.md)
    ignored: Vec<String>,
    /// how many .sNp files there were
    files: usize,
}

/// A loader error without its leading `PATH: ` (the list names the file); `PATH:LINE: `
/// becomes `line LINE: `.
fn reason(msg: &str, path: &Path) -> String {
    let p = path.display().to_string();
    let Some(rest) = msg.strip_prefix(&p) else {
        return msg.to_string();
    };
    if let Some(r) = rest.strip_prefix(": ") {
        return r.to_string();
    }
    if let Some((line, r)) = rest.strip_prefix(':').and_then(|r| r.split_once(": ")) {
        if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) {
            return format!("line {line}: {r}");
        }
    }
    msg.to_string()
}

/// Thru and crosstalk files share a name up to their last `_`.
fn prefix(s: &str) -> String {
    s.rsplit_once('_')
        .map_or(s.to_string(), |p| p.0.to_string())
}

/// The inputs: the ideal hop, every thru, and every thru with its crosstalk aggressor
/// (a 4-port file without a thru path whose name shares the thru's prefix up to the last
/// `_`). A file that cannot be read or fails a check is skipped with its reason; a
/// crosstalk file with no thru is listed as not used.
fn inputs(dir: &Path, baud_hz: f64) -> Result<Inputs, String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
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
        .collect();
    names.sort();
    let (files, ignored): (Vec<PathBuf>, Vec<PathBuf>) = names
        .into_iter()
        .partition(|p| touchstone::ports_from_name(&p.to_string_lossy()).is_some());
    let fname = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string()
    };
    let stem = |p: &Path| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string()
    };
    let mut thrus: Vec<LoadedChannel> = vec![];
    let mut aggressors = vec![];
    let mut skipped = vec![];
    let mut skipped_stems = vec![];
    for f in &files {
        let skip = |msg: String, skipped: &mut Vec<Skipped>| {
            skipped.push(Skipped {
                channel: fname(f),
                skipped: reason(&msg, f),
            })
        };
        let ts = match pulse::read_touchstone(f, None) {
            Ok(t) => t,
            Err(e) => {
                skip(e, &mut skipped);
                skipped_stems.push(stem(f));
                continue;
            }
        };
        // a 4-port file without a thru path (crosstalk) is an aggressor
        if ts.n_ports == 4 {
            if let Err(TouchstoneError::NoThru { .. }) = ts.detect_port_map() {
                aggressors.push((f.clone(), ts));
                continue;
            }
        }
        match pulse::load_touchstone(&ts, &ChannelLoad::new(baud_hz)) {
            Ok(l) => thrus.push(l),
            Err(e) => {
                skip(e, &mut skipped);
                skipped_stems.push(stem(f));
            }
        }
    }
    let mut cases = vec![];
    let ideal = ideal_response(baud_hz);
    let p = pulse::pulse_response(&ideal, &PulseOpts::for_baud(baud_hz))
        .map_err(|e| format!("the ideal hop: {e}"))?;
    cases.push(Input {
        name: "ideal short hop (filters only)".into(),
        h: ideal,
        pulse: p,
        il_extrapolated: false,
        aggressor: None,
        warnings: vec![],
    });
    let mut used = vec![false; aggressors.len()];
    let mut unused = vec![];
    for t in &thrus {
        cases.push(Input {
            name: t.name.clone(),
            h: t.h.clone(),
            pulse: t.pulse.clone(),
            il_extrapolated: t.il_nyquist_extrapolated,
            aggressor: None,
            warnings: t.warnings.clone(),
        });
        for (k, (af, ts)) in aggressors.iter().enumerate() {
            if prefix(&stem(af)) != prefix(&t.name) {
                continue;
            }
            used[k] = true;
            let m = t.map.unwrap_or(PortMap {
                a: (1, 3),
                b: (2, 4),
            });
            let o = ChannelLoad {
                map: Some(m),
                force_map: true,
                ..ChannelLoad::new(baud_hz)
            };
            match pulse::load_touchstone(ts, &o) {
                Ok(x) => cases.push(Input {
                    name: format!(
                        "{} + {}",
                        t.name,
                        stem(af).rsplit_once('_').map_or("", |p| p.1)
                    ),
                    h: t.h.clone(),
                    pulse: t.pulse.clone(),
                    il_extrapolated: t.il_nyquist_extrapolated,
                    // the crosstalk pulse's own causality figure means nothing (it is
                    // not a thru); its other warnings are kept
                    warnings: t
                        .warnings
                        .iter()
                        .cloned()
                        .chain(
                            x.warnings
                                .iter()
                                .filter(|w| !w.starts_with("causality"))
                                .map(|w| format!("crosstalk {}: {w}", fname(af))),
                        )
                        .collect(),
                    aggressor: Some((x.h, x.pulse)),
                }),
                Err(e) => skipped.push(Skipped {
                    channel: fname(af),
                    skipped: format!("crosstalk of {}: {}", t.name, reason(&e, af)),
                }),
            }
        }
    }
    for (k, (af, _)) in aggressors.iter().enumerate() {
        if used[k] {
            continue;
        }
        let pre = prefix(&stem(af));
        let why = if let Some(s) = skipped_stems.iter().find(|s| prefix(s) == pre) {
            format!("a crosstalk file (no thru path); its thru `{s}` was skipped")
        } else {
            format!(
                "a crosstalk file (no thru path) whose name shares no thru's prefix `{pre}` (the name up to its last `_`); thrus: {}",
                if thrus.is_empty() {
                    "none".to_string()
                } else {
                    thrus
                        .iter()
                        .map(|t| format!("`{}`", t.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )
        };
        unused.push(Skipped {
            channel: fname(af),
            skipped: why,
        });
    }
    Ok(Inputs {
        cases,
        skipped,
        unused,
        ignored: ignored.iter().map(|p| fname(p)).collect(),
        files: files.len(),
    })
}

/// Why a case gave no row: the channel (skipped, the run goes on) or the output (fatal).
enum CaseError {
    Skip(String),
    Fatal(String),
}

fn run_case(
    inp: &Input,
    o: &StudyOpts,
    a: &StudyArgs,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<Row, CaseError> {
    use CaseError::{Fatal, Skip};
    let p = &inp.pulse;
    let case =
        Case::new(&inp.name, p.clone(), inp.aggressor.as_ref().map(|x| &x.1)).map_err(Skip)?;
    let file = inp
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>();
    pulse_plot(&dir.join(format!("{file}.pulse")), &inp.name, p).map_err(Fatal)?;
    bar.set_message(format!("{}: tap search", inp.name));
    let search = study::tap_search(&case, o);
    let fewest = search.fewest.as_ref();
    let bits = fewest.and_then(|d| study::fewest_bits(&case, o, d.n_taps));
    let d3: Design = study::best_design(&case, o, 3, ADC_BITS as u32)
        .ok_or_else(|| Skip("no 3-tap FFE fits the Q2.6 coefficient range".to_string()))?;
    // eye at the slicer input and bathtub, 3-tap design
    let grid = stateye::eye_density_around(&case.norm, &d3.setup, 0.0, 129, 256, (-96.0, 96.0));
    let thr: Vec<f64> = d3
        .setup
        .thresholds
        .iter()
        .map(|&t| t as f64 - 0.5)
        .collect();
    let eye_stem = dir.join(format!("{file}.eye"));
    plot(|| {
        plots::eye(
            &eye_stem,
            &format!("Slicer input, 3-tap FFE {:?}: {}", d3.codes, inp.name),
            &grid.phases,
            &grid.y_centers,
            &grid.density,
            &thr,
            "FFE output y (Q7.1 codes)",
        )
    })
    .map_err(Fatal)?;
    let mut mc = d3.mc_config(&case, o, a.mc_symbols, a.seed);
    mc.max_errors = 2000;
    let r = if a.mc_symbols > 0 {
        bar.set_message(format!("{}: Monte-Carlo", inp.name));
        Some(montecarlo::run(&mc, &|_| {}).map_err(|e| Skip(e.to_string()))?)
    } else {
        None
    };
    let (mc_symbols, mc_errors) = r.as_ref().map_or((0, 0), |r| (r.symbols, r.bit_errors));
    let rate = Rate::new(mc_errors, 2 * mc_symbols, "bits");
    let ci = rate.ci95();
    // bathtub: statistical, and Monte-Carlo points where they reach
    let tub = stateye::bathtub_around(&case.norm, &d3.setup, 0.0, 129);
    let mut mc_pts = vec![];
    if a.mc_symbols > 0 {
        for i in 0..=8 {
            let ph = -0.4 + 0.1 * i as f64;
            let mut m = mc.clone();
            m.cursors = case.norm.cursors(ph);
            m.symbols = 4 * montecarlo::CHUNK;
            m.max_errors = 0;
            let r = montecarlo::run(&m, &|_| {}).map_err(|e| Skip(e.to_string()))?;
            if r.bit_errors > 0 {
                mc_pts.push((ph, r.ber()));
            }
        }
    }
    let mut series = vec![Series::new("statistical eye", tub)];
    if !mc_pts.is_empty() {
        series.push(Series::markers("Monte-Carlo (bit-exact model)", mc_pts));
    }
    let tub_stem = dir.join(format!("{file}.bathtub"));
    plot(|| {
        plots::bathtub(
            &tub_stem,
            &format!("Bathtub, 3-tap FFE: {}", inp.name),
            &series,
            o.target_ber,
        )
    })
    .map_err(Fatal)?;
    let lms = if d3.eye_open() {
        bar.set_message(format!("{}: sign-sign LMS", inp.name));
        Some(d3.lms_codes(&case, o, LMS_SYMBOLS, a.seed).map_err(Skip)?)
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
        il_nyquist_db: p.measured.as_ref().expect("a measured pulse").il_nyquist_db,
        il_nyquist_extrapolated: inp.il_extrapolated,
        peak: p.peak(),
        h_pre: rel(-1),
        h_post1: rel(1),
        h_post2: rel(2),
        rx_snr_db: 10.0 * (5.0 / case.noise_sigma(o).powi(2)).log10(),
        fewest_taps: fewest.map(|d| d.n_taps),
        fewest_taps_main: fewest.map(|d| d.main_tap),
        fewest_bits: bits.as_ref().map(|d| d.adc_bits),
        ber_fewest: fewest.map(|d| d.stat.ber),
        best_ber: search.best.as_ref().map(|d| d.stat.ber),
        best_ber_taps: search.best.as_ref().map(|d| d.n_taps),
        snr_needed_db: search.snr_needed_db,
        limit: search.limit().map(|l| l.as_str()),
        fewest_taps_text: search.describe(o),
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

/// BER vs SNR on an ideal (ISI-free) channel: closed form, statistical eye, Monte-Carlo
/// (points with 0 bits, `--mc-symbols 0`, are not measured and not drawn).
fn ber_vs_snr(dir: &Path, a: &StudyArgs, bar: &ProgressBar) -> Result<(), String> {
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
        };
        stat.push((s, stateye::ber(&setup).ber));
        if s <= 21.0 && a.mc_symbols > 0 {
            bar.set_message(format!("BER vs SNR: {s} dB"));
            let mut c = montecarlo::McConfig::ideal_channel(sigma, a.mc_symbols, a.seed);
            c.max_errors = 1000;
            let r = montecarlo::run(&c, &|_| {}).map_err(|e| e.to_string())?;
            let rate = Rate::new(r.bit_errors, 2 * r.symbols, "bits");
            if let (Some(v), Some((lo, hi))) = (rate.value(), rate.ci95()) {
                sims.push((s, v, lo, hi));
            }
        }
        s += 1.0;
    }
    let stem = dir.join("ber_vs_snr");
    let sims = if sims.is_empty() {
        vec![]
    } else {
        vec![SeriesWithCi::new(
            "Monte-Carlo, bit-exact model (95% CI)",
            sims,
        )]
    };
    plot(|| {
        plots::ber_vs_snr(
            &stem,
            "PAM-4 BER vs SNR, ideal channel, 6-bit ADC, unit FFE",
            &Series::new("closed form (AWGN, ideal slicer)", theory),
            &sims,
            Some(&Series::new("statistical eye (this receiver)", stat)),
        )
    })
}

/// Every flag in its own unit; `--readme` exists and has its markers; the report folder
/// and its files can be written. All before any computation.
fn check_args(a: &StudyArgs) -> Result<StudyOpts, String> {
    crate::check_range("snr-db", a.snr_db, 0.0, 80.0, "dB")?;
    crate::check_range("target-ber", a.target_ber, 1e-18, 0.1, "")?;
    check_baud(a.baud_gbd)?;
    crate::check_range("rj-ui", a.rj_ui, 0.0, 0.2, "UI rms")?;
    if a.mc_symbols != 0 && !(1_000_000..=10_000_000_000).contains(&a.mc_symbols) {
        return Err(format!(
            "--mc-symbols = {} is out of range: legal is 0 (no Monte-Carlo) or 1000000 ..= 10000000000 symbols",
            a.mc_symbols
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
    if let Some(readme) = &a.readme {
        crate::check_markers(readme, BEGIN, END).map_err(|e| format!("--readme: {e}"))?;
    }
    out::create_dir(&a.out)?;
    for f in ["study.jsonl", "study.md"] {
        out::check_writable(&a.out.join(f))?;
    }
    Ok(o)
}

const BEGIN: &str = "<!-- study:begin -->";
const END: &str = "<!-- study:end -->";

pub fn run(a: &StudyArgs) -> Result<(), Fail> {
    let o = check_args(a)?;
    let po = PulseOpts::for_baud(a.baud_gbd * 1e9);
    let dir_in = channel_dir(a.channels.as_deref())?;
    let ins = inputs(&dir_in, po.baud_hz)?;
    if !ins.ignored.is_empty() {
        println!(
            "{}: ignored (not named .sNp): {}",
            dir_in.display(),
            ins.ignored.join(", ")
        );
    }
    let mut notes = Notes {
        skipped: ins.skipped.clone(),
        unused: ins.unused.clone(),
        warnings: vec![],
        empty_dir: (ins.files == 0).then(|| dir_in.clone()),
    };
    for k in notes.skipped.iter().chain(&notes.unused) {
        eprintln!("skipped: {}: {}", k.channel, k.skipped);
    }
    for c in &ins.cases {
        for w in &c.warnings {
            eprintln!("warning: {}: {w}", c.name);
            notes.warnings.push((c.name.clone(), w.clone()));
        }
    }
    let nyq = po.baud_hz / 2e9;
    let sd = a.out.join("sdd21");
    let series: Vec<Series> = ins
        .cases
        .iter()
        .filter(|i| i.aggressor.is_none())
        .map(|i| loss_series(&i.name, &i.h))
        .chain(ins.cases.iter().filter_map(|i| {
            i.aggressor
                .as_ref()
                .map(|x| loss_series(&format!("{} (crosstalk)", i.name), &x.0))
        }))
        .collect();
    plot(|| {
        plots::sdd21(
            &sd,
            &series,
            &[(format!("Nyquist {} GBd", a.baud_gbd), nyq)],
        )
    })?;
    let bar = ProgressBar::new(ins.cases.len() as u64 + 1);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed_precise} {msg}")
            .map_err(|e| e.to_string())?,
    );
    let jsonl = a.out.join("study.jsonl");
    let mut jf = out::create(&jsonl)?;
    let line = |v: String, jf: &mut std::fs::File| -> Result<(), String> {
        writeln!(jf, "{v}")
            .and_then(|_| jf.flush())
            .map_err(|e| format!("cannot write {}: {}", jsonl.display(), out::plain(&e)))
    };
    for k in notes.skipped.iter().chain(&notes.unused) {
        line(
            serde_json::to_string(k).map_err(|e| e.to_string())?,
            &mut jf,
        )?;
    }
    let mut rows = vec![];
    let md = a.out.join("study.md");
    for inp in &ins.cases {
        bar.set_message(inp.name.clone());
        match run_case(inp, &o, a, &a.out, &bar) {
            Ok(row) => {
                line(
                    serde_json::to_string(&row).map_err(|e| e.to_string())?,
                    &mut jf,
                )?;
                rows.push(row);
            }
            Err(CaseError::Skip(why)) => {
                bar.suspend(|| eprintln!("skipped: {}: {why}", inp.name));
                let k = Skipped {
                    channel: inp.name.clone(),
                    skipped: why,
                };
                line(
                    serde_json::to_string(&k).map_err(|e| e.to_string())?,
                    &mut jf,
                )?;
                notes.skipped.push(k);
            }
            Err(CaseError::Fatal(e)) => return Err(Fail::Error(e)),
        }
        out::write(&md, table(&rows, &notes, &o))?;
        bar.inc(1);
    }
    ber_vs_snr(&a.out, a, &bar)?;
    bar.inc(1);
    bar.finish_and_clear();
    let t = table(&rows, &notes, &o);
    print!("{t}");
    println!(
        "wrote {} and {}, plots (PNG and SVG) in {}",
        md.display(),
        jsonl.display(),
        a.out.display()
    );
    if let Some(readme) = &a.readme {
        crate::replace_between(readme, BEGIN, END, &t)?;
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
