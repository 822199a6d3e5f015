//! `cporx mc-bench`: Monte-Carlo link simulation speed (channel convolution, noise, ADC,
//! bit-exact receiver model, error count), one core and all cores, beside the same work
//! done with numpy (`scripts/mc_numpy.py`, run in the same invocation). Printed, never
//! asserted by a test.

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
        "cporx mc-bench: {} cursors, 3-tap FFE, 6-bit ADC, sigma {sigma}; {} symbols per run ({} chunks of {CHUNK}; {} asked); {cores} cores",
        a.cursors, a.symbols.div_ceil(CHUNK) * CHUNK, a.symbols.div_ceil(CHUNK), a.symbols
    );
    let one = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    say!(
        "  cporx, 1 thread, P=1 : {:>7.1} M symbols/s  ({} symbols run; SER {:.3e}, {} errors)",
        one.rate() / 1e6,
        one.symbols,
        one.ser(),
        one.symbol_errors
    );
    // the same decisions with the receiver model at 16 lanes per clock (identical
    // symbols: the P-lane FFE computes the serial FIR; fewer per-clock overheads)
    cfg.rx = rx.clone().with_lanes(16).map_err(|e| e.to_string())?;
    let one16 = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    say!(
        "  cporx, 1 thread, P=16: {:>7.1} M symbols/s  (same counts as P=1: {})",
        one16.rate() / 1e6,
        one16.symbol_errors == one.symbol_errors && one16.bit_errors == one.bit_errors
    );
    cfg.threads = 0;
    let all = montecarlo::run(&cfg, &|_| {}).map_err(|e| e.to_string())?;
    say!(
        "  cporx, {} threads, P=16: {:>6.1} M symbols/s  ({:.1} M per core; same counts: {})",
        all.threads,
        all.rate() / 1e6,
        all.rate() / 1e6 / all.threads as f64,
        all.symbol_errors == one.symbol_errors
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
    if f.len() != 4 {
        return Err(format!(
            "unexpected output from {}: {line}",
            script.display()
        ));
    }
    let np_rate = f[3] * 1e6;
    say!(
        "  numpy, 1 thread      : {:>7.1} M symbols/s  (SER {:.3e}, {} symbols)",
        np_rate / 1e6,
        f[1] / f[0],
        f[0]
    );
    let best1 = one.rate().max(one16.rate());
    say!(
        "  ratio: cporx 1 thread (P=1) / numpy = {:.1} x; (P=16) / numpy = {:.1} x; cporx {} threads / numpy = {:.1} x",
        one.rate() / np_rate,
        one16.rate() / np_rate,
        all.threads,
        all.rate() / np_rate
    );
    say!(
        "  target >= 20 M symbols/s per core: {} (best single core {:.1} M, all cores {:.1} M per core)",
        if best1 >= 20e6 && all.rate() / all.threads as f64 >= 20e6 { "met" } else { "missed" },
        best1 / 1e6,
        all.rate() / 1e6 / all.threads as f64
    );
    if let Some(readme) = &a.readme {
        let text = format!(
            "`cargo run --release -- mc-bench` on this 2-core machine (figures vary by up to 2x run to run here):\n\n```\n{log}```\n"
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
