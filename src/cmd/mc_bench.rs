//! `cporx mc-bench`: Monte-Carlo link simulation speed (channel convolution, noise, ADC,
//! bit-exact receiver model, error count), one core and all cores, beside the same work
//! done with numpy (`scripts/mc_numpy.py`, run in the same invocation). Printed, never
//! asserted by a test: each figure as wall rate and as CPU-time rate (symbols over the
//! worker threads' CPU time, `McResult::cpu_seconds`; numpy's `time.process_time`), the
//! load average, the Gaussian generator (`montecarlo::GAUSSIAN`), and issue 16's targets
//! (100 M symbols/s per core, 10x numpy on one core, the same counts at every thread
//! count and P) each with "met" or "missed", judged on the CPU-time figures.

use clap::Args;
use cporx_link::montecarlo::{self, McConfig, CHUNK};
use cporx_spec::*;
use std::path::PathBuf;
use std::process::Command;

#[derive(Args, Clone)]
pub struct McBenchArgs {
    /// symbols per Rust run, 1000000 ..= 10000000000 (rounded up to whole chunks of 262144;
    /// the output gives the count run)
    #[arg(long, default_value_t = 100_000_000)]
    pub symbols: u64,
    /// symbols for the numpy run, 100000 ..= 1000000000
    #[arg(long, default_value_t = 10_000_000)]
    pub numpy_symbols: u64,
    /// channel cursors (one pre-cursor, the main cursor, then post-cursors), 2 ..= 256
    #[arg(long, default_value_t = 16)]
    pub cursors: usize,
    /// Python with numpy; default: $CPORX_PYTHON, else the checkout's .tools/venv/bin/python
    /// (made by scripts/setup-tools.sh)
    #[arg(long, value_name = "FILE")]
    pub python: Option<PathBuf>,
    /// write the figures into this Markdown file between `<!-- mcbench:begin -->` and
    /// `<!-- mcbench:end -->` (checked before the run)
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
}

/// The 1-, 5- and 15-minute load averages (/proc/loadavg), or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// The benchmark channel: one pre-cursor, the main cursor, post-cursors decaying like a
/// lossy trace (the numbers matter little to the speed; the count of cursors does).
fn bench_cursors(n: usize) -> Vec<(i32, f64)> {
    (0..n)
        .map(|j| {
            let k = j as i32 - 1;
            let h = match k {
                -1 => 0.08,
                0 => 1.0,
                _ => 0.3 * 0.55f64.powi(k - 1),
            };
            (k, h)
        })
        .collect()
}

pub fn run(a: &McBenchArgs) -> Result<(), String> {
    let mut log = String::new();
    macro_rules! say {
        ($($t:tt)*) => {{
            let l = format!($($t)*);
            println!("{l}");
            log += &l;
            log.push('\n');
        }};
    }
    crate::cli::check_range("symbols", a.symbols as f64, 1e6, 1e10, "symbols")?;
    crate::cli::check_range("numpy-symbols", a.numpy_symbols as f64, 1e5, 1e9, "symbols")?;
    crate::cli::check_range(
        "cursors",
        a.cursors as f64,
        2.0,
        montecarlo::MAX_CURSORS as f64,
        "",
    )?;
    // every path before the work: the README's markers, the Python and the numpy script
    if let Some(readme) = &a.readme {
        crate::cli::check_markers(readme, "<!-- mcbench:begin -->", "<!-- mcbench:end -->")?;
    }
    let py = cporx_spec::paths::find(
        "Python with numpy",
        Some(("--python", a.python.as_deref())),
        Some("CPORX_PYTHON"),
        ".tools/venv/bin/python",
    )
    .map_err(|e| format!("{e}; numpy is installed by scripts/setup-tools.sh into .tools/venv"))?;
    let script = cporx_spec::paths::find(
        "the numpy Monte-Carlo script",
        None,
        Some("CPORX_MC_NUMPY"),
        "scripts/mc_numpy.py",
    )?;
    let mut rx = RxParams::with_taps(3, 1).map_err(|e| e.to_string())?;
    rx.reset_coefs = vec![-6, 64, -19];
    let cursors = bench_cursors(a.cursors);
    let sigma = 0.25;
    let mut cfg = McConfig {
        cursors: cursors.clone(),
        noise_sigma: sigma,
        full_scale: 4.0,
        adc_bits: ADC_BITS as u32,
        rx: rx.clone(),
        main_tap: 1,
        symbols: a.symbols,
        max_errors: 0,
        seed: 1,
        threads: 1,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    say!(
        "cporx mc-bench: {} cursors, 3-tap FFE, 6-bit ADC, sigma {sigma}; {} symbols per run ({} chunks of {CHUNK}; {} asked); {cores} cores; load average {}",
        a.cursors, a.symbols.div_ceil(CHUNK) * CHUNK, a.symbols.div_ceil(CHUNK), a.symbols, load_average()
    );
    say!("  Gaussian: {}", montecarlo::GAUSSIAN);
    say!(
        "  instruction set of the chunk loop: {}",
        montecarlo::instruction_set()
    );
    say!("  (wall: symbols / elapsed time; cpu: symbols / the CPU time of the threads, the per-core figure whatever else runs)");
    let cpu_text = |r: &montecarlo::McResult| match r.cpu_rate() {
        Some(x) => format!("cpu {:>6.1} M/s per core", x / 1e6),
        None => "cpu not measured (no /proc/thread-self/schedstat)".into(),
    };
    let rates =
        |r: &montecarlo::McResult| format!("wall {:>6.1} M/s, {}", r.rate() / 1e6, cpu_text(r));
    let one = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    say!(
        "  cporx, 1 thread, P=1 : {}  ({} symbols run; SER {:.3e}, {} errors)",
        rates(&one),
        one.symbols,
        one.ser(),
        one.symbol_errors
    );
    // the same decisions with the receiver model at 16 lanes per clock (identical
    // symbols: the P-lane FFE computes the serial FIR)
    cfg.rx = rx.clone().with_lanes(16).map_err(|e| e.to_string())?;
    let one16 = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    let same16 = (one16.symbols, one16.symbol_errors, one16.bit_errors)
        == (one.symbols, one.symbol_errors, one.bit_errors);
    say!(
        "  cporx, 1 thread, P=16: {}  (same counts as P=1: {same16})",
        rates(&one16)
    );
    cfg.threads = 0;
    let all = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    let same_all = (all.symbols, all.symbol_errors, all.bit_errors)
        == (one.symbols, one.symbol_errors, one.bit_errors);
    say!(
        "  cporx, {} threads, P=16: wall {:>6.1} M/s ({:.1} M/s per thread; {}; same counts: {same_all})",
        all.threads,
        all.rate() / 1e6,
        all.rate() / 1e6 / all.threads as f64,
        cpu_text(&all)
    );
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let out = Command::new(&py)
        .arg(&script)
        .arg(a.numpy_symbols.to_string())
        .arg(sigma.to_string())
        .arg(rx.reset_coefs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","))
        .arg(rx.thresholds.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","))
        .arg(list(&cursors.iter().map(|c| c.1).collect::<Vec<_>>()))
        .output()
        .map_err(|e| {
            format!(
                "cannot run {} ({e}): numpy is installed by scripts/setup-tools.sh into .tools/venv, or pass --python",
                py.display()
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "{} {} failed: {}",
            py.display(),
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let f: Vec<f64> = line
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    if f.len() != 5 || f[0] <= 0.0 || f[2] <= 0.0 || f[4] <= 0.0 {
        return Err(format!(
            "unexpected output from {} (want: symbols errors wall_s M/s cpu_s, all > 0): {line}",
            script.display()
        ));
    }
    let np_rate = f[3] * 1e6;
    let np_cpu = f[0] / f[4];
    say!(
        "  numpy, 1 thread      : wall {:>6.1} M/s, cpu {:>6.1} M/s per core  (SER {:.3e}, {} symbols)",
        np_rate / 1e6,
        np_cpu / 1e6,
        f[1] / f[0],
        f[0]
    );
    say!(
        "  ratio cporx 1 thread / numpy: P=1 wall {:.1} x, cpu {}; P=16 wall {:.1} x, cpu {}; cporx {} threads / numpy: wall {:.1} x",
        one.rate() / np_rate,
        one.cpu_rate().map_or("not measured".into(), |x| format!("{:.1} x", x / np_cpu)),
        one16.rate() / np_rate,
        one16.cpu_rate().map_or("not measured".into(), |x| format!("{:.1} x", x / np_cpu)),
        all.threads,
        all.rate() / np_rate
    );
    // the targets, judged on CPU time (per core); wall where the platform gives no CPU time
    // (numpy's CPU time is its process's: its RNG and convolutions run on one thread)
    let best1 = one
        .cpu_rate()
        .unwrap_or(one.rate())
        .max(one16.cpu_rate().unwrap_or(one16.rate()));
    let ratio = one
        .cpu_rate()
        .map_or(one.rate() / np_rate, |x| x / np_cpu)
        .max(
            one16
                .cpu_rate()
                .map_or(one16.rate() / np_rate, |x| x / np_cpu),
        );
    let met = |ok: bool| if ok { "met" } else { "missed" };
    say!(
        "  target Monte-Carlo >= 100 M symbols/s per core      : {:>6.1} M/s   {}",
        best1 / 1e6,
        met(best1 >= 100e6)
    );
    say!(
        "  target Monte-Carlo >= 10 x numpy on one core         : {:>6.1} x     {}",
        ratio,
        met(ratio >= 10.0)
    );
    say!(
        "  target same counts at every thread count and P      : {:>6}       {}",
        same16 && same_all,
        met(same16 && same_all)
    );
    if let Some(readme) = &a.readme {
        let text = format!(
            "`cargo run --release -- mc-bench` on this 2-core machine (figures vary by up to 2x run to run here; the targets are judged on the CPU-time figures):\n\n```\n{log}```\n"
        );
        crate::cli::replace_between(
            readme,
            "<!-- mcbench:begin -->",
            "<!-- mcbench:end -->",
            &text,
        )?;
        println!("updated {}", readme.display());
    }
    Ok(())
}
