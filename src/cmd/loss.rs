//! `cporx loss`: the implementation loss of the fixed-point receiver against a
//! floating-point one (real MMSE taps, no ADC, ideal mid-level slicer), in dB of launch SNR
//! at the target BER, split into its causes (ADC bits at the study's AGC, Q2.6 taps, slicer
//! thresholds: each switched on alone), and with the AGC gain code that minimises it
//! (clipping modelled). One Markdown table per channel and ADC resolution, on stdout.
//! The computation is `cporx_link::impl_loss` (conventions in its header and in
//! docs/link-analysis.md, "Implementation loss"); the channels are the study's
//! (`cporx_link::study::inputs`: every `.sNp` of the folder, thrus with their crosstalk, the
//! ideal hop), or one file with `--channel`.

use crate::cli;
use crate::fail::Fail;
use crate::out;
use clap::Args;
use cporx_link::impl_loss::{self, Agc, Loss, Needed, Variant, MAX_BITS};
use cporx_link::study::{self, Case, Inputs};
use cporx_spec::{ADC_BITS, MAX_TAPS, MIN_TAPS};
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct LossArgs {
    /// one Touchstone thru (.sNp); default: every channel of the channel folder and the
    /// built-in ideal hop, as `cporx study`
    #[arg(long, value_name = "FILE", conflicts_with = "channels")]
    pub channel: Option<PathBuf>,
    /// channel folder; default $CPORX_CHANNELS, else ../shared/channels beside the checkout
    #[arg(long, value_name = "DIR")]
    pub channels: Option<PathBuf>,
    /// launch SNR for the BER column, dB (the study's convention); 0 ..= 80 dB
    #[arg(long, value_name = "DB", default_value_t = 33.0)]
    pub snr_db: f64,
    /// FFE taps; 2 ..= 16
    #[arg(long, default_value_t = 3)]
    pub taps: usize,
    /// ADC bits, comma separated, each 1 ..= 10 (6 is the RTL's; more is a hypothetical
    /// finer ADC on the same full scale)
    #[arg(long, value_delimiter = ',', default_values_t = vec![6u32])]
    pub bits: Vec<u32>,
    /// the BER at which the loss is measured; 1e-15 ..= 1e-2
    #[arg(long, value_name = "BER", default_value = "1e-6")]
    pub target_ber: f64,
    /// symbol rate, GBd: 26.5625, 53.125, 106.25, or any in 1 ..= 400 GBd
    #[arg(long, value_name = "GBD", default_value_t = 53.125)]
    pub baud_gbd: f64,
}

fn check_args(a: &LossArgs) -> Result<(), String> {
    cli::check_range("snr-db", a.snr_db, 0.0, 80.0, "dB")?;
    cli::check_range("target-ber", a.target_ber, 1e-15, 1e-2, "")?;
    cli::check_range("taps", a.taps as f64, MIN_TAPS as f64, MAX_TAPS as f64, "")?;
    cli::check_baud(a.baud_gbd)?;
    if a.bits.is_empty() {
        return Err("--bits: give at least one ADC resolution, 1 ..= 10".into());
    }
    for &b in &a.bits {
        cli::check_range("bits", b as f64, 1.0, MAX_BITS as f64, "bits")?;
        if b > ADC_BITS as u32 {
            eprintln!(
                "warning: --bits {b}: the RTL's ADC and FFE input are {ADC_BITS} bits; a {b}-bit ADC is modelled as a finer grid on the same full scale (hypothetical)"
            );
        }
    }
    Ok(())
}

fn fmt_ber(b: f64) -> String {
    if b <= 0.0 {
        "0".into()
    } else if b < 1e-30 {
        "< 1e-30".into()
    } else {
        format!("{b:.2e}")
    }
}

fn needed(n: &Needed) -> String {
    match n {
        Needed::At(v) => format!("{v:.2} dB"),
        Needed::Below => format!("below {:.0} dB", impl_loss::SNR_BOTTOM_DB),
        Needed::NotReached => format!("not reached up to {:.0} dB", impl_loss::SNR_TOP_DB),
    }
}

fn loss_cell(v: Option<f64>) -> String {
    v.map_or("-".into(), |d| format!("{d:.2} dB"))
}

fn agc_cell(case: &Case, agc: Agc) -> String {
    let fs = agc.full_scale(case);
    match agc {
        Agc::Study => format!(
            "study AGC (3 sum\\|h\\| at 3/4 FS): FS {fs:.2}, {:+.1} dB",
            agc.gain_db(case)
        ),
        Agc::Code(c) => format!(
            "gain code {c}: FS {fs:.2}, {:+.1} dB ({:+.1} dB from the study's)",
            agc.gain_db(case),
            agc.gain_db(case) - Agc::Study.gain_db(case)
        ),
    }
}

fn ber_cell(v: &Variant, snr: f64) -> String {
    match &v.ber {
        None => format!("no design at {snr} dB"),
        Some(r) => {
            let mut s = fmt_ber(r.ber);
            if r.p_clip > 1e-12 {
                s += &format!(" (clips {:.1e} of samples", r.p_clip);
                if r.clip_se > 0.0 {
                    s += &format!(
                        "; clipping term {:+.2e} +- {:.1e}",
                        r.ber - r.ber_linear,
                        r.clip_se
                    );
                }
                s += ")";
            }
            s
        }
    }
}

/// The table of one case and bit count.
pub fn table(case: &Case, l: &Loss, n_taps: usize, target: f64) -> String {
    let mut s = format!(
        "#### {}: {n_taps} taps, {}-bit ADC, loss at BER {target:.0e}{}\n\n",
        case.name,
        l.bits,
        if l.bits > ADC_BITS as u32 {
            " (hypothetical ADC finer than the RTL's 6 bits)"
        } else {
            ""
        }
    );
    s += &format!(
        "| receiver | ADC full scale (AGC) | BER at {} dB (statistical) | launch SNR for {target:.0e} | loss |\n|---|---|---|---|---|\n",
        l.snr_db
    );
    let row = |s: &mut String, what: &str, agc: &str, v: &Variant| {
        *s += &format!(
            "| {what} | {agc} | {} | {} | {} |\n",
            ber_cell(v, l.snr_db),
            needed(&v.needed),
            loss_cell(v.loss_db)
        );
    };
    row(
        &mut s,
        "float reference: real MMSE taps, no ADC, ideal mid-level slicer",
        "-",
        &l.reference,
    );
    let names = [
        format!("ADC alone ({} bits)", l.bits),
        "Q2.6 tap codes alone".to_string(),
        "slicer thresholds alone (integer, t - 1/2)".to_string(),
    ];
    let study_agc = agc_cell(case, Agc::Study);
    for (v, n) in l.causes.iter().zip(&names) {
        let agc = if v.sw.adc { study_agc.as_str() } else { "-" };
        row(&mut s, n, agc, v);
    }
    s += &format!(
        "| sum of the three causes | | | | {} |\n",
        loss_cell(l.sum_db)
    );
    row(
        &mut s,
        "**fixed-point receiver** (the study's)",
        &study_agc,
        &l.fixed,
    );
    if let Some(b) = &l.backoff {
        let a = agc_cell(case, b.agc);
        row(&mut s, "**fixed-point, optimised backoff**", &a, &b.fixed);
        row(&mut s, "ADC alone at that backoff", &a, &b.adc);
        row(
            &mut s,
            "fixed-point at that backoff, thresholds from the adapted levels",
            &a,
            &b.levels,
        );
    }
    s += "\n";
    if let Some(b) = &l.backoff {
        let scan: Vec<String> = b
            .scan
            .iter()
            .map(|p| match p.agc {
                Agc::Study => format!("study {}", fmt_ber(p.ber)),
                Agc::Code(c) => format!("{c}: {}", fmt_ber(p.ber)),
            })
            .collect();
        s += &format!(
            "Backoff scan at {:.2} dB (the fixed receiver's target SNR at the study's AGC), BER per gain code: {}.\n",
            b.at_snr_db,
            scan.join(", ")
        );
        if l.bits == ADC_BITS as u32 {
            let k = -b.tail31.log2();
            s += &format!(
                "At the chosen gain and {:.2} dB, {:.1e} of the samples clip and P(|code| >= 31) = {:.1e} = 2^-{k:.1}: the AGC's tail mode with T = 31, K = {} holds it{}. ",
                b.at_snr_db,
                b.p_clip,
                b.tail31,
                k.round(),
                if k.round() == 8.0 {
                    " (the RTL's default)"
                } else {
                    ""
                }
            );
            match b.default_agc_code {
                Some(c) => {
                    s += &format!(
                    "The default tail mode (T = 31, K = 8) holds gain code {c} ({:+.1} dB) here.\n",
                    Agc::Code(c).gain_db(case)
                )
                }
                None => s += "No gain code of the scan keeps P(|code| >= 31) under 2^-8.\n",
            }
        }
    }
    s + "\n"
}

/// The cases: one file, or the folder as the study reads it.
fn cases(a: &LossArgs) -> Result<Inputs, String> {
    let baud_hz = a.baud_gbd * 1e9;
    match &a.channel {
        Some(f) => study::file_inputs(f, baud_hz).map_err(|e| format!("--channel {e}")),
        None => {
            let dir = cli::channel_dir(a.channels.as_deref())?;
            let files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| {
                    format!(
                        "cannot read the channel folder {}: {}",
                        dir.display(),
                        out::plain(&e)
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            study::inputs(&dir, &files, baud_hz)
        }
    }
}

pub fn run(a: &LossArgs) -> Result<(), Fail> {
    check_args(a)?;
    let ins = cases(a)?;
    println!(
        "Implementation loss: launch SNR (dB) at which each receiver reaches BER {:.0e}, against the float reference; statistical BER (Gray coded) at the study's conventions (launch SNR, fixed phase at the pulse peak, MMSE taps re-designed at every SNR, docs/link-analysis.md).\n",
        a.target_ber
    );
    for c in &ins.cases {
        for w in &c.warnings {
            eprintln!("warning: {}: {w}", c.name);
        }
    }
    for inp in &ins.cases {
        let case = match Case::new(
            &inp.name,
            inp.pulse.clone(),
            inp.aggressor.as_ref().map(|x| &x.1),
        ) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("skipped: {}: {e}", inp.name);
                continue;
            }
        };
        for &bits in &a.bits {
            let l = impl_loss::loss(&case, a.taps, bits, a.target_ber, a.snr_db);
            print!("{}", table(&case, &l, a.taps, a.target_ber));
        }
    }
    let bad: Vec<&str> = ins
        .skipped
        .iter()
        .chain(&ins.unused)
        .map(|k| k.channel.as_str())
        .collect();
    for k in ins.skipped.iter().chain(&ins.unused) {
        eprintln!("skipped: {}: {}", k.channel, k.skipped);
    }
    if !bad.is_empty() {
        return Err(Fail::InputsSkipped(format!(
            "{} input{} skipped ({}); the tables have the rest",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            bad.join(", ")
        )));
    }
    Ok(())
}
