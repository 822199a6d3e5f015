//! `cporx cdr-report`: the CDR's measured figures, with the bit-exact model in the loop,
//! written as Markdown (to `--out`, and into README.md between the `cdr-report` markers
//! with `--readme`). Every figure states its conditions; the same command reproduces them
//! (runs are seeded).
//!
//! * lock time from a random initial phase: 100 seeds per channel;
//! * frequency offset tracked without a cycle slip over 10 million UI;
//! * locked sampling phase against the best phase of an open-loop sweep;
//! * jitter tolerance: largest sinusoidal jitter amplitude with no bit error over
//!   3 million bits (BER < 1e-6 at 95 % confidence) per jitter frequency.

use clap::Args;
use cporx_sim::afe::{AfeConfig, PulseResponse};
use cporx_sim::link::{run_link_model, seeded_phase, sweep_phase, LinkConfig, LinkResult};
use cporx_spec::*;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct ReportArgs {
    /// where to write the Markdown report
    #[arg(long, default_value = "out/cdr-report.md")]
    pub out: PathBuf,
    /// also replace the section between `<!-- cdr-report:begin -->` and `<!-- cdr-report:end -->` in this file
    #[arg(long)]
    pub readme: Option<PathBuf>,
    /// fewer seeds and shorter runs (a smoke run; figures not for the README)
    #[arg(long)]
    pub quick: bool,
    /// where to write the jitter-tolerance plot (SVG)
    #[arg(long, default_value = "out/cdr-jtol.svg")]
    pub jtol_svg: PathBuf,
}

const BAUD_GBD: f64 = 53.125;
const SNR_DB: f64 = 25.0;
const RJ_UI: f64 = 0.01;

/// Run `f` over `items` on every core; results in input order.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let n = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut out: Vec<(usize, R)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let mut v = vec![];
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= items.len() {
                            break v;
                        }
                        v.push((k, f(&items[k])));
                    }
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    out.sort_by_key(|x| x.0);
    out.into_iter().map(|x| x.1).collect()
}

fn taps_for(channel: &str) -> usize {
    if channel == "mr" {
        5
    } else {
        3
    }
}

fn base(channel: &str, ui: u64) -> LinkConfig {
    let mut a = AfeConfig::new(PulseResponse::builtin(channel).expect("built-in"));
    a.snr_db = Some(SNR_DB);
    a.rj_rms_ui = RJ_UI;
    LinkConfig::new(a, taps_for(channel), ui).expect("legal link")
}

fn run(c: &LinkConfig) -> LinkResult {
    run_link_model(c).expect("validated link")
}

/// A log-log jitter-tolerance plot (SJ frequency in MHz against tolerated UI pp) as a
/// self-contained SVG: no plotting crate needed for one curve.
fn jtol_svg(pts: &[(f64, f64)]) -> String {
    let (w, h, l, r, t, b) = (640.0, 420.0, 70.0, 20.0, 30.0, 50.0);
    let (fx0, fx1, ay0, ay1) = (0.0f64, 3.0f64, -1.0f64, 2.0f64); // log10 ranges: 1 MHz..1 GHz, 0.1..100 UI
    let x = |f: f64| l + (f.log10() - fx0) / (fx1 - fx0) * (w - l - r);
    let y = |a: f64| h - b - (a.max(0.1).log10() - ay0) / (ay1 - ay0) * (h - t - b);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for d in 0..=3 {
        let f = 10f64.powi(d);
        let label = ["1 MHz", "10 MHz", "100 MHz", "1 GHz"][d as usize];
        s += &format!(
            "<line x1=\"{0:.1}\" y1=\"{t}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#ddd\"/><text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{label}</text>\n",
            x(f),
            h - b,
            h - b + 18.0
        );
    }
    for d in -1..=2 {
        let a = 10f64.powi(d);
        s += &format!(
            "<line x1=\"{l}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"#ddd\"/><text x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"end\">{a}</text>\n",
            y(a),
            w - r,
            l - 6.0,
            y(a) + 4.0
        );
    }
    let poly: Vec<String> = pts
        .iter()
        .map(|&(f, a)| format!("{:.1},{:.1}", x(f), y(a)))
        .collect();
    s += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n",
        poly.join(" ")
    );
    for &(f, a) in pts {
        s += &format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f77b4\"/>\n",
            x(f),
            y(a)
        );
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"18\" text-anchor=\"middle\">cporx CDR jitter tolerance: SJ amplitude held at BER &lt; 1e-6 (short channel, SNR {SNR_DB} dB, RJ {RJ_UI} UI, {BAUD_GBD} GBd)</text>\n",
        w / 2.0
    );
    s += &format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">SJ frequency</text>\n<text x=\"16\" y=\"{:.1}\" transform=\"rotate(-90 16 {:.1})\" text-anchor=\"middle\">tolerated SJ (UI pp)</text>\n</svg>\n",
        (l + w - r) / 2.0,
        h - 10.0,
        (t + h - b) / 2.0,
        (t + h - b) / 2.0
    );
    s
}

/// Circular distance between two PI positions, in steps.
fn circ(a: f64, b: f64) -> f64 {
    let n = (1 << PI_BITS) as f64;
    let d = (a - b).rem_euclid(n);
    d.min(n - d)
}

/// Centre of the longest circular run of consecutive PI codes in `open` (sorted codes).
fn eye_centre(open: &[u8]) -> Option<f64> {
    let n = 1usize << PI_BITS;
    let mut is = vec![false; n];
    for &c in open {
        is[c as usize] = true;
    }
    if open.len() == n {
        return None; // open everywhere: no centre
    }
    let (mut best, mut best_start) = (0usize, 0usize);
    for start in 0..n {
        if is[start] && !is[(start + n - 1) % n] {
            let len = (0..n).take_while(|k| is[(start + k) % n]).count();
            if len > best {
                (best, best_start) = (len, start);
            }
        }
    }
    (best > 0).then(|| (best_start as f64 + (best as f64 - 1.0) / 2.0).rem_euclid(n as f64))
}

pub fn run_report(a: &ReportArgs) -> Result<(), String> {
    let t0 = Instant::now();
    let (seeds, ppm_ui, jtol_ui) = if a.quick {
        (20u64, 1_000_000u64, 400_000u64)
    } else {
        (100, 10_000_000, 1_600_000)
    };
    let d = cporx_spec::CdrParams::default();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Measured by `cargo run --release -- cdr-report --readme README.md --jtol-svg docs/cdr-jtol.svg` (model in the loop, \
         seeded; {}). Common conditions unless a row says otherwise: SNR {SNR_DB} dB at the sampler, \
         random jitter {RJ_UI} UI RMS, PRBS13Q, ADC full scale 4 (levels at codes +-8, +-24), \
         FFE MMSE-solved for the channel at the pulse peak (3 taps; 5 for `mr`), CDR gains \
         kp = {} (Kp = 2^-{} PI steps per detector LSB), ki = {} (Ki = 2^-{}), lock detector \
         |err| > {} on at most {} of 256 UI, false-lock kick on. Baud rate for jitter \
         frequencies: {BAUD_GBD} GBd.\n",
        if a.quick { "QUICK run: not the README figures" } else { "full run" },
        d.kp,
        PHASE_FRAC as u32 - d.kp,
        d.ki,
        PHASE_FRAC as u32 - d.ki,
        d.lock_thr,
        d.lock_max
    );

    // ---- lock time ----
    let channels = ["ideal", "cpo", "short", "mr"];
    let _ = writeln!(
        md,
        "**Lock time** from a random initial PI code ({seeds} seeds per row; lock = first UI with the lock flag set; target < 5,000 UI):\n"
    );
    let _ = writeln!(
        md,
        "| channel | ppm | median (UI) | 90th pct (UI) | worst (UI) | never locked (of {seeds}) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    let mut lock_jobs = vec![];
    for ch in channels {
        lock_jobs.push((ch, 0.0));
    }
    lock_jobs.push(("short", 300.0));
    lock_jobs.push(("short", -300.0));
    for (ch, ppm) in &lock_jobs {
        let runs: Vec<u64> = (0..seeds).collect();
        let mut times: Vec<Option<u64>> = par_map(&runs, |&s| {
            let mut c = base(ch, 30_000);
            c.afe.seed = 1000 + s;
            c.afe.ppm = *ppm;
            c.writes = vec![(CFG_PHASE, seeded_phase(s) as i32)];
            c.settle_ui = 30_000; // no counting needed
            run(&c).lock_time
        });
        let never = times.iter().filter(|t| t.is_none()).count();
        times.sort_by_key(|t| t.unwrap_or(u64::MAX));
        let q = |f: f64| {
            times[((times.len() - 1) as f64 * f).round() as usize]
                .map_or("never".to_string(), |t| t.to_string())
        };
        let _ = writeln!(
            md,
            "| `{ch}` | {ppm} | {} | {} | {} | {never} |",
            q(0.5),
            q(0.9),
            q(1.0)
        );
        eprintln!(
            "lock time {ch} {ppm} ppm done ({:.0} s)",
            t0.elapsed().as_secs_f64()
        );
    }

    // ---- frequency offset ----
    let _ = writeln!(
        md,
        "\n**Frequency offset** tracked over {} UI per row (`short` channel; slips counted by the PRBS13Q checker from lock + 2,000 UI; target: no slip at +-300 ppm):\n",
        ppm_ui
    );
    let _ = writeln!(md, "| offset (ppm) | lock (UI) | cycle slips | bit errors | BER | tracked (ppm, integral register) |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    let ppms = [
        100.0, -100.0, 300.0, -300.0, 1000.0, -1000.0, 2000.0, -2000.0, 3000.0, -3000.0,
    ];
    let res = par_map(&ppms, |&ppm| {
        let mut c = base("short", ppm_ui);
        c.afe.ppm = ppm;
        c.afe.seed = 77;
        c.writes = vec![(CFG_PHASE, 40)];
        run(&c)
    });
    let clean =
        |r: &LinkResult| r.lock_time.is_some() && r.checker.slips == 0 && r.checker.bit_errors == 0;
    // the largest |offset| such that every row at or below it is clean
    let max_ok = ppms
        .iter()
        .map(|p| p.abs())
        .filter(|&m| ppms.iter().zip(&res).all(|(p, r)| p.abs() > m || clean(r)))
        .fold(0.0f64, f64::max);
    for (ppm, r) in ppms.iter().zip(&res) {
        let k = &r.checker;
        let _ = writeln!(
            md,
            "| {ppm:+} | {} | {} | {} | {:.1e} | {:+.1} |",
            r.lock_time.map_or("never".into(), |t| t.to_string()),
            k.slips,
            k.bit_errors,
            k.ber(),
            r.freq_ppm()
        );
    }
    let _ = writeln!(
        md,
        "\nLargest offset tracked with no slip and no bit error at every offset up to it: **+-{max_ok} ppm**."
    );
    eprintln!("ppm done ({:.0} s)", t0.elapsed().as_secs_f64());

    // ---- locked phase vs best phase ----
    let _ = writeln!(
        md,
        "\n**Locked phase against the best phase** (open loop: loop disabled, PI code held, 20,000 UI per code over all 128 codes; best = least mean squared slicer error; locked = circular mean of the PI code over 1 million UI after lock; target within 4/128 UI):\n"
    );
    let _ = writeln!(md, "| channel | best code (least MSE, open loop) | error-free codes (open loop) | centre of the error-free run | locked mean code | RMS spread (steps) | locked - best (steps of 1/128 UI) | locked - centre |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for ch in channels {
        let mut c = base(ch, 20_000);
        c.afe.seed = 5;
        let codes: Vec<u8> = (0..(1u32 << PI_BITS)).map(|c| c as u8).collect();
        let sweep: Vec<(u8, LinkResult)> = par_map(&codes, |&code| {
            sweep_phase(&c, std::iter::once(code)).remove(0)
        });
        let best = sweep
            .iter()
            .min_by(|a, b| a.1.mse.total_cmp(&b.1.mse))
            .map(|x| x.0)
            .unwrap_or(0);
        let open: Vec<u8> = sweep
            .iter()
            .filter(|(_, r)| r.checker.symbols_checked > 10_000 && r.checker.symbol_errors == 0)
            .map(|x| x.0)
            .collect();
        let centre = eye_centre(&open);
        let mut lc = base(ch, 1_000_000);
        lc.afe.seed = 6;
        lc.writes = vec![(CFG_PHASE, 64)];
        let r = run(&lc);
        let _ = writeln!(
            md,
            "| `{ch}` | {best} | {} of 128 | {} | {:.1} | {:.2} | {:.1} | {} |",
            open.len(),
            centre.map_or("-".into(), |c| format!("{c:.1}")),
            r.mean_phase,
            r.phase_rms,
            circ(r.mean_phase, best as f64),
            centre.map_or("-".into(), |c| format!("{:.1}", circ(r.mean_phase, c)))
        );
        eprintln!("phase {ch} done ({:.0} s)", t0.elapsed().as_secs_f64());
    }

    // ---- jitter tolerance ----
    let _ = writeln!(
        md,
        "\n**Jitter tolerance** (`short` channel; largest sinusoidal jitter amplitude, found by bisection to 2 %, with no slip and no bit error in {} UI = {} bits counted from lock + 2,000 UI, i.e. BER < 1e-6 at 95 % confidence; on top of the {RJ_UI} UI RJ):\n",
        jtol_ui,
        2 * jtol_ui
    );
    let _ = writeln!(
        md,
        "| SJ frequency (MHz) | SJ frequency (cycles per UI) | tolerated amplitude (UI pp) |"
    );
    let _ = writeln!(md, "|---|---|---|");
    let freqs_mhz = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0];
    let jt = par_map(&freqs_mhz, |&f| {
        let fui = f * 1e6 / (BAUD_GBD * 1e9);
        let passes = |amp: f64| {
            let mut c = base("short", jtol_ui + 12_000);
            c.afe.sj_amp_ui = amp;
            c.afe.sj_freq_per_ui = fui;
            c.afe.seed = 99;
            c.writes = vec![(CFG_PHASE, 0)];
            let r = run(&c);
            r.lock_time.is_some()
                && r.checker.slips == 0
                && r.checker.bit_errors == 0
                && r.checker.resyncs == 0
                && r.counted_ui >= jtol_ui
        };
        let (mut lo, mut hi) = (0.0f64, 40.0f64);
        if passes(hi) {
            return (fui, hi, true);
        }
        while hi - lo > 0.02 * hi.max(0.05) {
            let mid = 0.5 * (lo + hi);
            if passes(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (fui, lo, false)
    });
    for (f, (fui, amp, capped)) in freqs_mhz.iter().zip(&jt) {
        let _ = writeln!(
            md,
            "| {f} | {fui:.2e} | {}{:.3} |",
            if *capped { ">= " } else { "" },
            2.0 * amp
        );
    }
    let pts: Vec<(f64, f64)> = freqs_mhz
        .iter()
        .zip(&jt)
        .map(|(&f, &(_, amp, _))| (f, 2.0 * amp))
        .collect();
    if let Some(dir) = a.jtol_svg.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&a.jtol_svg, jtol_svg(&pts))
        .map_err(|e| format!("cannot write {}: {e}", a.jtol_svg.display()))?;
    let _ = writeln!(md, "\n![jitter tolerance]({})", a.jtol_svg.display());
    let _ = writeln!(
        md,
        "\nReport run time: {:.0} s on {} threads.",
        t0.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(2, |n| n.get())
    );

    if let Some(dir) = a.out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&a.out, &md).map_err(|e| format!("cannot write {}: {e}", a.out.display()))?;
    println!("{md}");
    eprintln!("wrote {}", a.out.display());
    if let Some(readme) = &a.readme {
        crate::replace_between(
            readme,
            "<!-- cdr-report:begin -->",
            "<!-- cdr-report:end -->",
            &md,
        )?;
        eprintln!("updated {}", readme.display());
    }
    Ok(())
}
