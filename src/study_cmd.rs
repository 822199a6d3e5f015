//! `cporx study`: the co-packaging table. Every measured channel in a directory (Touchstone
//! thrus; crosstalk files are paired with their thru) and a built-in ideal short hop, each
//! through SDD21 -> pulse -> MMSE FFE -> statistical BER, with the fewest taps and ADC bits
//! that reach the target BER, the BER of a 3-tap FFE (statistical and Monte-Carlo), and
//! the plots. Conventions: `cporx_sim::study` (launch SNR, AGC, fixed phase).
//!
//! Results are written as they come (`study.jsonl`, one line per finished channel, and
//! `study.md` rewritten after each), so an interrupted run keeps what it finished.
//! `cporx channel FILE` is the one-channel view (IL at Nyquist, cursors, peak, plots).

use crate::plots::{self, Series, SeriesWithCi};
use clap::Args;
use cporx_sim::montecarlo;
use cporx_sim::pulse::{self, ChannelPulse, PulseOpts};
use cporx_sim::stateye;
use cporx_sim::study::{self, Case, Design, StudyOpts};
use cporx_sim::touchstone::{self, FreqResponse, PortMap};
use cporx_spec::*;
use indicatif::{ProgressBar, ProgressStyle};
use num_complex::Complex64;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub struct StudyArgs {
    /// directory of Touchstone files (default: ../shared/channels beside the checkout)
    #[arg(long)]
    pub channels: Option<PathBuf>,
    /// report directory (table, JSON lines, plots)
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    /// launch SNR, dB: transmitted PAM-4 power over the noise at the receiver input (0 ..= 80)
    #[arg(long, default_value_t = 33.0)]
    pub snr_db: f64,
    /// target BER (1e-18 ..= 0.1)
    #[arg(long, default_value_t = 1e-6)]
    pub target_ber: f64,
    /// symbol rate, GBd (26.5625, 53.125, 106.25, or any in 1 ..= 400)
    #[arg(long, default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// Monte-Carlo symbols per 3-tap check (1000000 ..= 10000000000)
    #[arg(long, default_value_t = 40_000_000)]
    pub mc_symbols: u64,
    /// random jitter at the sampler, UI rms (0 ..= 0.2)
    #[arg(long, default_value_t = 0.0)]
    pub rj_ui: f64,
    /// write the table into this Markdown file between `<!-- study:begin -->` and `<!-- study:end -->`
    #[arg(long)]
    pub readme: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// zero-forcing taps instead of MMSE
    #[arg(long)]
    pub zf: bool,
}

#[derive(Args, Clone)]
pub struct ChannelArgs {
    /// a Touchstone file (.s2p, .s4p)
    pub file: PathBuf,
    /// port map `a1,a2:b1,b2` (input pair : output pair); default: detected from the data
    #[arg(long)]
    pub map: Option<String>,
    /// symbol rate, GBd
    #[arg(long, default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// write sdd21 and pulse plots here
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn default_channels() -> PathBuf {
    cporx_sim::verilator::workspace_root().join("../shared/channels")
}

/// A file's SDD21 (or S21 of a 2-port) with the given or detected port map.
fn load_sdd21(path: &Path, map: Option<&PortMap>) -> Result<(FreqResponse, String), String> {
    let (h, map) = touchstone::read(path)
        .and_then(|ts| ts.insertion(map))
        .map_err(|e| e.to_string())?;
    Ok((h, map.map_or("S21".into(), |m| m.to_string())))
}

fn pulse_opts(baud_gbd: f64) -> Result<PulseOpts, String> {
    let o = PulseOpts::for_baud(baud_gbd * 1e9);
    o.validate().map_err(|e| format!("--baud-gbd: {e}"))?;
    Ok(o)
}

/// The built-in ideal short hop: a flat, lossless channel (H = 1 to 60 GHz); what remains
/// is the TX rise-time and RX Bessel-Thomson filters.
fn ideal_response() -> FreqResponse {
    let f_hz: Vec<f64> = (0..=600).map(|i| i as f64 * 1e8).collect();
    let h = vec![Complex64::new(1.0, 0.0); f_hz.len()];
    FreqResponse { f_hz, h }
}

fn mkdir(d: &Path) -> Result<(), String> {
    std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))
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

fn pulse_plot(stem: &Path, name: &str, p: &ChannelPulse) -> Result<(), String> {
    let (a, _) = p.span_ui();
    let t: Vec<f64> = (0..p.samples.len())
        .map(|i| a + i as f64 / p.os as f64)
        .filter(|t| *t <= 12.0)
        .collect();
    let v: Vec<f64> = p.samples[..t.len()].to_vec();
    let cur: Vec<(i32, f64)> = p.cursors(0.0).into_iter().filter(|c| c.0 <= 12).collect();
    plots::pulse(stem, name, &t, &v, &cur).map_err(|e| e.to_string())
}

/// `cporx channel FILE`: one channel's figures.
pub fn channel(a: &ChannelArgs) -> Result<(), String> {
    let map = a
        .map
        .as_deref()
        .map(PortMap::parse)
        .transpose()
        .map_err(|e| format!("--map: {e}"))?;
    let (h, map) = load_sdd21(&a.file, map.as_ref())?;
    let o = pulse_opts(a.baud_gbd)?;
    let p = pulse::pulse_response(&h, &o).map_err(|e| e.to_string())?;
    let name = a
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    println!(
        "{name}: {} points, {:.3} .. {:.3} GHz, port map {map}",
        h.f_hz.len(),
        h.f_hz[0] / 1e9,
        h.f_hz[h.f_hz.len() - 1] / 1e9
    );
    println!(
        "  at {} GBd: insertion loss at Nyquist ({:.4} GHz) {:.2} dB; pulse peak {:.4} ({:.2} dB), delay {:.1} ps; causality {:.1e}",
        a.baud_gbd,
        a.baud_gbd / 2.0,
        p.il_nyquist_db,
        p.peak,
        20.0 * p.peak.abs().log10(),
        p.delay_ps,
        p.causality
    );
    let cur = p.cursors(0.0);
    let line: Vec<String> = cur
        .iter()
        .filter(|c| (-2..=6).contains(&c.0))
        .map(|c| format!("h({}) {:+.4}", c.0, c.1 / p.peak))
        .collect();
    println!("  cursors / peak: {}", line.join(", "));
    if let Some(d) = &a.out {
        mkdir(d)?;
        let stem = d.join(name.replace('.', "_"));
        plots::sdd21(
            &stem.with_extension("sdd21"),
            &[loss_series(&name, &h)],
            &[(format!("Nyquist {} GBd", a.baud_gbd), a.baud_gbd / 2.0)],
        )
        .map_err(|e| e.to_string())?;
        pulse_plot(&stem.with_extension("pulse"), &name, &p)?;
        println!("  plots: {}.{{sdd21,pulse}}.{{png,svg}}", stem.display());
    }
    Ok(())
}

/// One row of the study table.
#[derive(serde::Serialize, Clone, Debug)]
pub struct Row {
    pub channel: String,
    pub il_nyquist_db: f64,
    pub peak: f64,
    pub h_pre: f64,
    pub h_post1: f64,
    pub h_post2: f64,
    pub rx_snr_db: f64,
    pub fewest_taps: Option<usize>,
    pub fewest_taps_main: Option<usize>,
    pub fewest_bits: Option<u32>,
    pub ber_fewest: Option<f64>,
    pub taps3_codes: Vec<i32>,
    pub taps3_main: usize,
    pub taps3_quant_loss_db: f64,
    pub ber3_stat: f64,
    pub ber3_mc: f64,
    pub ber3_mc_lo: f64,
    pub ber3_mc_hi: f64,
    pub mc_symbols: u64,
    pub mc_bit_errors: u64,
    /// sign-sign LMS (model) codes after LMS_SYMBOLS, from the main tap alone
    pub lms_codes: Vec<i32>,
    /// largest |LMS code - MMSE code|
    pub lms_max_dev: i32,
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

fn table(rows: &[Row], o: &StudyOpts) -> String {
    let mut s = String::new();
    s += &format!(
        "Launch SNR {} dB (PAM-4 power at the transmitter over the noise at the receiver input), target BER {:.0e}, \
         fixed sampling phase at the pulse peak, {} taps quantized to Q2.6, statistical BER (Gray coded). \
         The LMS column: the model's sign-sign LMS, started from the MMSE main tap alone, after {LMS_SYMBOLS} symbols.\n\n",
        o.snr_db, o.target_ber, if o.zero_forcing { "zero-forcing" } else { "MMSE" }
    );
    s += "| channel | IL at Nyquist (dB) | pulse peak | h(-1), h(1), h(2) / peak | SNR after loss (dB) | fewest taps (6-bit ADC) | fewest ADC bits at those taps | 3-tap FFE: codes (main) | 3-tap quant. loss (dB) | 3-tap BER, statistical | 3-tap BER, Monte-Carlo [95% CI] | sign-sign LMS, 3 taps (max deviation from MMSE) |\n";
    s += "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for r in rows {
        let taps = match (r.fewest_taps, r.fewest_taps_main) {
            (Some(n), Some(m)) => format!("{n} (main {m})"),
            _ => format!("none up to {MAX_TAPS}"),
        };
        let bits = r.fewest_bits.map_or("-".into(), |b| b.to_string());
        let mc = if r.mc_bit_errors == 0 {
            format!(
                "0 errors in {:.0e} bits (< {:.1e})",
                2.0 * r.mc_symbols as f64,
                r.ber3_mc_hi
            )
        } else {
            format!(
                "{} [{}, {}] ({} errors)",
                fmt_ber(r.ber3_mc),
                fmt_ber(r.ber3_mc_lo),
                fmt_ber(r.ber3_mc_hi),
                r.mc_bit_errors
            )
        };
        s += &format!(
            "| {} | {:.2} | {:.3} | {:+.3}, {:+.3}, {:+.3} | {:.1} | {} | {} | {:?} ({}) | {:.3} | {} | {} | {:?} ({} code{}) |\n",
            r.channel,
            r.il_nyquist_db.max(0.0),
            r.peak,
            r.h_pre,
            r.h_post1,
            r.h_post2,
            r.rx_snr_db,
            taps,
            bits,
            r.taps3_codes,
            r.taps3_main,
            r.taps3_quant_loss_db,
            fmt_ber(r.ber3_stat),
            mc,
            r.lms_codes,
            r.lms_max_dev,
            if r.lms_max_dev == 1 { "" } else { "s" }
        );
    }
    s
}

/// A study case and its frequency response (for the SDD21 plot).
struct Input {
    name: String,
    h: FreqResponse,
    aggressor: Option<FreqResponse>,
}

/// The inputs: the ideal hop, every thru, and every thru with its crosstalk aggressor
/// (a file whose name shares the thru's prefix up to the last `_`).
fn inputs(dir: &Path) -> Result<Vec<Input>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            format!(
                "cannot read the channel directory {}: {e} (pass --channels DIR)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| touchstone::ports_from_name(&p.to_string_lossy()).is_some())
        .collect();
    files.sort();
    let mut thrus = vec![];
    let mut aggressors = vec![];
    for f in &files {
        let ts = touchstone::read(f).map_err(|e| e.to_string())?;
        let stem = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        // a 4-port file without a thru path (crosstalk) is an aggressor
        match ts.insertion(None) {
            Ok((h, map)) => thrus.push((stem, h, map)),
            Err(e) if ts.n_ports == 2 => return Err(e.to_string()),
            Err(_) => aggressors.push((stem, ts)),
        }
    }
    let mut out = vec![Input {
        name: "ideal short hop (filters only)".into(),
        h: ideal_response(),
        aggressor: None,
    }];
    let prefix = |s: &str| {
        s.rsplit_once('_')
            .map_or(s.to_string(), |p| p.0.to_string())
    };
    for (name, h, map) in thrus {
        out.push(Input {
            name: name.clone(),
            h: h.clone(),
            aggressor: None,
        });
        for (aname, ts) in &aggressors {
            if prefix(aname) == prefix(&name) {
                let m = map.clone().unwrap_or(PortMap {
                    a: (1, 3),
                    b: (2, 4),
                });
                let x = ts.sdd21(&m).map_err(|e| e.to_string())?;
                out.push(Input {
                    name: format!("{name} + {}", aname.rsplit_once('_').map_or("", |p| p.1)),
                    h: h.clone(),
                    aggressor: Some(x),
                });
            }
        }
    }
    Ok(out)
}

fn run_case(
    inp: &Input,
    o: &StudyOpts,
    po: &PulseOpts,
    a: &StudyArgs,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<Row, String> {
    let p = pulse::pulse_response(&inp.h, po).map_err(|e| format!("{}: {e}", inp.name))?;
    let x = match &inp.aggressor {
        Some(h) => Some(pulse::pulse_response(h, po).map_err(|e| format!("{}: {e}", inp.name))?),
        None => None,
    };
    let case = Case::new(&inp.name, p.clone(), x.as_ref())?;
    let file = inp
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>();
    pulse_plot(&dir.join(format!("{file}.pulse")), &inp.name, &p)?;
    bar.set_message(format!("{}: tap search", inp.name));
    let fewest = study::fewest_taps(&case, o);
    let bits = fewest
        .as_ref()
        .and_then(|d| study::fewest_bits(&case, o, d.n_taps));
    let d3: Design = study::best_design(&case, o, 3, ADC_BITS as u32)
        .ok_or_else(|| format!("{}: no 3-tap FFE fits the Q2.6 coefficient range", inp.name))?;
    // eye at the slicer input and bathtub, 3-tap design
    let grid = stateye::eye_density_around(&case.norm, &d3.setup, 0.0, 129, 256, (-96.0, 96.0));
    let thr: Vec<f64> = d3
        .setup
        .thresholds
        .iter()
        .map(|&t| t as f64 - 0.5)
        .collect();
    plots::eye(
        &dir.join(format!("{file}.eye")),
        &format!("Slicer input, 3-tap FFE {:?}: {}", d3.codes, inp.name),
        &grid.phases,
        &grid.y_centers,
        &grid.density,
        &thr,
        "FFE output y (Q7.1 codes)",
    )
    .map_err(|e| e.to_string())?;
    bar.set_message(format!("{}: Monte-Carlo", inp.name));
    let mut mc = d3.mc_config(&case, o, a.mc_symbols, a.seed);
    mc.max_errors = 2000;
    let r = montecarlo::run(&mc, &|_| {}).map_err(|e| e.to_string())?;
    let (lo, hi) = stateye::binomial_ci(r.bit_errors, 2 * r.symbols, 0.95);
    // bathtub: statistical, and Monte-Carlo points where they reach
    let tub = stateye::bathtub_around(&case.norm, &d3.setup, 0.0, 129);
    let mut mc_pts = vec![];
    for i in 0..=8 {
        let ph = -0.4 + 0.1 * i as f64;
        let mut m = mc.clone();
        m.cursors = case.norm.cursors(ph);
        m.symbols = 4 * montecarlo::CHUNK;
        m.max_errors = 0;
        let r = montecarlo::run(&m, &|_| {}).map_err(|e| e.to_string())?;
        if r.bit_errors > 0 {
            mc_pts.push((ph, r.ber()));
        }
    }
    let mut series = vec![Series::new("statistical eye", tub)];
    if !mc_pts.is_empty() {
        series.push(Series::markers("Monte-Carlo (bit-exact model)", mc_pts));
    }
    plots::bathtub(
        &dir.join(format!("{file}.bathtub")),
        &format!("Bathtub, 3-tap FFE: {}", inp.name),
        &series,
        o.target_ber,
    )
    .map_err(|e| e.to_string())?;
    bar.set_message(format!("{}: sign-sign LMS", inp.name));
    let lms = d3.lms_codes(&case, o, LMS_SYMBOLS, a.seed)?;
    let lms_max_dev = lms
        .iter()
        .zip(&d3.codes)
        .map(|(a, b)| (a - b).abs())
        .max()
        .unwrap_or(0);
    let rel = |k: i32| {
        p.cursors(0.0)
            .iter()
            .find(|c| c.0 == k)
            .map_or(0.0, |c| c.1 / p.peak)
    };
    Ok(Row {
        channel: inp.name.clone(),
        il_nyquist_db: p.il_nyquist_db,
        peak: p.peak,
        h_pre: rel(-1),
        h_post1: rel(1),
        h_post2: rel(2),
        rx_snr_db: 10.0 * (5.0 / case.noise_sigma(o).powi(2)).log10(),
        fewest_taps: fewest.as_ref().map(|d| d.n_taps),
        fewest_taps_main: fewest.as_ref().map(|d| d.main_tap),
        fewest_bits: bits.as_ref().map(|d| d.adc_bits),
        ber_fewest: fewest.as_ref().map(|d| d.stat.ber),
        taps3_codes: d3.codes.clone(),
        taps3_main: d3.main_tap,
        taps3_quant_loss_db: d3.quant_loss_db,
        ber3_stat: d3.stat.ber,
        ber3_mc: r.ber(),
        ber3_mc_lo: lo,
        ber3_mc_hi: hi,
        mc_symbols: r.symbols,
        mc_bit_errors: r.bit_errors,
        lms_codes: lms,
        lms_max_dev,
    })
}

/// BER vs SNR on an ideal (ISI-free) channel: closed form, statistical eye, Monte-Carlo.
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
        if s <= 21.0 {
            bar.set_message(format!("BER vs SNR: {s} dB"));
            let mut c = montecarlo::McConfig::ideal_channel(sigma, a.mc_symbols, a.seed);
            c.max_errors = 1000;
            let r = montecarlo::run(&c, &|_| {}).map_err(|e| e.to_string())?;
            let (lo, hi) = stateye::binomial_ci(r.bit_errors, 2 * r.symbols, 0.95);
            sims.push((s, r.ber(), lo, hi));
        }
        s += 1.0;
    }
    plots::ber_vs_snr(
        &dir.join("ber_vs_snr"),
        "PAM-4 BER vs SNR, ideal channel, 6-bit ADC, unit FFE",
        &Series::new("closed form (AWGN, ideal slicer)", theory),
        &[SeriesWithCi::new(
            "Monte-Carlo, bit-exact model (95% CI)",
            sims,
        )],
        Some(&Series::new("statistical eye (this receiver)", stat)),
    )
    .map_err(|e| e.to_string())
}

pub fn run(a: &StudyArgs) -> Result<(), String> {
    let o = StudyOpts {
        snr_db: a.snr_db,
        target_ber: a.target_ber,
        rj_rms_ui: a.rj_ui,
        zero_forcing: a.zf,
        ..Default::default()
    };
    o.validate()?;
    if !(1_000_000..=10_000_000_000).contains(&a.mc_symbols) {
        return Err(format!(
            "--mc-symbols = {} is out of range: legal is 1000000 ..= 10000000000",
            a.mc_symbols
        ));
    }
    let po = pulse_opts(a.baud_gbd)?;
    let dir_in = a.channels.clone().unwrap_or_else(default_channels);
    let ins = inputs(&dir_in)?;
    mkdir(&a.out)?;
    let nyq = po.baud_hz / 2e9;
    plots::sdd21(
        &a.out.join("sdd21"),
        &ins.iter()
            .filter(|i| i.aggressor.is_none())
            .map(|i| loss_series(&i.name, &i.h))
            .chain(ins.iter().filter_map(|i| {
                i.aggressor
                    .as_ref()
                    .map(|x| loss_series(&format!("{} (crosstalk)", i.name), x))
            }))
            .collect::<Vec<_>>(),
        &[(format!("Nyquist {} GBd", a.baud_gbd), nyq)],
    )
    .map_err(|e| e.to_string())?;
    let bar = ProgressBar::new(ins.len() as u64 + 1);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed_precise} {msg}")
            .map_err(|e| e.to_string())?,
    );
    let jsonl = a.out.join("study.jsonl");
    let mut jf = std::fs::File::create(&jsonl)
        .map_err(|e| format!("cannot create {}: {e}", jsonl.display()))?;
    let mut rows = vec![];
    let md = a.out.join("study.md");
    for inp in &ins {
        bar.set_message(inp.name.clone());
        let row = run_case(inp, &o, &po, a, &a.out, &bar)?;
        writeln!(
            jf,
            "{}",
            serde_json::to_string(&row).map_err(|e| e.to_string())?
        )
        .and_then(|_| jf.flush())
        .map_err(|e| format!("cannot write {}: {e}", jsonl.display()))?;
        rows.push(row);
        std::fs::write(&md, table(&rows, &o))
            .map_err(|e| format!("cannot write {}: {e}", md.display()))?;
        bar.inc(1);
    }
    ber_vs_snr(&a.out, a, &bar)?;
    bar.inc(1);
    bar.finish_and_clear();
    let t = table(&rows, &o);
    print!("{t}");
    println!(
        "wrote {} and {}, plots (PNG and SVG) in {}",
        md.display(),
        jsonl.display(),
        a.out.display()
    );
    if let Some(readme) = &a.readme {
        crate::replace_between(readme, "<!-- study:begin -->", "<!-- study:end -->", &t)?;
        println!("updated {}", readme.display());
    }
    Ok(())
}
