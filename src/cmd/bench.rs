//! `cporx bench`: throughput figures, printed (never asserted by a test).

use clap::Args;
use cporx_spec::*;
use std::time::Instant;

#[derive(Args, Clone)]
pub struct BenchArgs {
    /// symbols through the reference model (1000000 ..= 1000000000)
    #[arg(long, default_value_t = 50_000_000)]
    pub model_symbols: usize,
    /// cycles through Verilator (100000 ..= 1000000000)
    #[arg(long, default_value_t = 20_000_000)]
    pub verilator_cycles: usize,
    /// cycles through rust-hdl's simulator (1000 ..= 10000000)
    #[arg(long, default_value_t = 20_000)]
    pub rust_hdl_cycles: usize,
    /// UI of the closed loop with the model in it (100000 ..= 1000000000)
    #[arg(long, default_value_t = 10_000_000)]
    pub loop_ui: u64,
    /// UI of the closed loop with Verilator in it (10000 ..= 100000000)
    #[arg(long, default_value_t = 300_000)]
    pub rtl_loop_ui: u64,
}

/// Closed-loop throughput: the `short` channel, SNR 25 dB, 0.01 UI RJ, 0.1 UI SJ, 200 ppm.
fn closed_loop(a: &BenchArgs) -> Result<(), String> {
    use cporx_link::afe::AfeConfig;
    use cporx_link::closed_loop::{run_link, run_link_model, LinkConfig};
    use cporx_link::pulse::PulseResponse;
    let cfg = |ui| -> Result<LinkConfig, String> {
        let mut afe = AfeConfig::new(PulseResponse::builtin("short").map_err(|e| e.to_string())?);
        afe.snr_db = Some(25.0);
        afe.rj_rms_ui = 0.01;
        afe.sj_amp_ui = 0.1;
        afe.sj_freq_per_ui = 1e-4;
        afe.ppm = 200.0;
        LinkConfig::new(afe, 3, ui).map_err(|e| e.to_string())
    };
    println!("  closed loop (AFE: short channel, SNR 25 dB, RJ 0.01 UI, SJ 0.1 UI, 200 ppm; receive top; PRBS13Q checker):");
    let c = cfg(a.loop_ui)?;
    let t = Instant::now();
    let r = run_link_model(&c).map_err(|e| e.to_string())?;
    let model_rate = a.loop_ui as f64 / t.elapsed().as_secs_f64();
    println!(
        "    model in the loop   : {:>8.2} M UI/s     ({} UI, {}, BER {}, {} slips)",
        model_rate / 1e6,
        a.loop_ui,
        r.lock_text(),
        r.ber_text(&c),
        r.checker.slips
    );
    let afe_rate = cporx_link::afe::bench_samples_per_sec(a.loop_ui as usize);
    let chk_rate = cporx_link::loop_checker::bench_symbols_per_sec(a.loop_ui as usize);
    println!(
        "      of which alone: AFE {:.1} M samples/s, PRBS checker {:.1} M symbols/s",
        afe_rate / 1e6,
        chk_rate / 1e6
    );
    if cporx_cosim::verilator::find_verilator().is_ok() {
        let c = cfg(a.rtl_loop_ui)?;
        let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
        let mut vl =
            cporx_cosim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = run_link(&c, &mut vl.stepper().map_err(|e| e.to_string())?, None)
            .map_err(|e| e.to_string())?;
        let rate = a.rtl_loop_ui as f64 / t.elapsed().as_secs_f64();
        println!(
            "    Verilator in the loop, pipe step mode : {:>8.3} M UI/s ({} UI, one pipe round trip per UI; {}, BER {})",
            rate / 1e6,
            a.rtl_loop_ui,
            r.lock_text(),
            r.ber_text(&c)
        );
        let lib = cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
        let c = cfg(a.loop_ui)?;
        let t = Instant::now();
        let r = run_link(&c, &mut lib.instance().map_err(|e| e.to_string())?, None)
            .map_err(|e| e.to_string())?;
        let lrate = a.loop_ui as f64 / t.elapsed().as_secs_f64();
        println!(
            "    Verilator in the loop, in process     : {:>8.3} M UI/s ({} UI, shared library, one call per UI; {}, BER {})",
            lrate / 1e6,
            a.loop_ui,
            r.lock_text(),
            r.ber_text(&c)
        );
    }
    // the adaptive receiver: every loop (AGC, CDR, LMS, levels) running from pass-through taps
    let adaptive = |ui| -> Result<LinkConfig, String> {
        let mut c = cfg(ui)?;
        let pass = cporx_spec::RxParams::with_taps(5, 1).map_err(|e| e.to_string())?;
        c.rx = cporx_spec::RxParams {
            adapt: Some(cporx_spec::AdaptParams::default()),
            ..pass
        };
        Ok(c)
    };
    println!("  adaptive closed loop (the same AFE; 5 taps from pass-through; AGC, LMS, levels and CDR adapting):");
    let c = adaptive(a.loop_ui)?;
    let t = Instant::now();
    let r = run_link_model(&c).map_err(|e| e.to_string())?;
    let rate = a.loop_ui as f64 / t.elapsed().as_secs_f64();
    println!(
        "    model in the loop   : {:>8.2} M UI/s     ({} UI, {}, BER {})",
        rate / 1e6,
        a.loop_ui,
        r.lock_text(),
        r.ber_text(&c)
    );
    if cporx_cosim::verilator::find_verilator().is_ok() {
        let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
        let lib = cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = run_link(&c, &mut lib.instance().map_err(|e| e.to_string())?, None)
            .map_err(|e| e.to_string())?;
        let lrate = a.loop_ui as f64 / t.elapsed().as_secs_f64();
        println!(
            "    Verilator in the loop, in process     : {:>8.3} M UI/s ({} UI, shared library, one call per UI; {}, BER {})",
            lrate / 1e6,
            a.loop_ui,
            r.lock_text(),
            r.ber_text(&c)
        );
    }
    Ok(())
}

fn random_adc(n: usize) -> Vec<i8> {
    let mut x = 0x1234_5678u32;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ((x >> 8) % 64) as i8 - 32
        })
        .collect()
}

pub fn run(a: &BenchArgs) -> Result<(), String> {
    let lim = |name: &str, v: usize, lo: usize, hi: usize| {
        crate::cli::check_range(name, v as f64, lo as f64, hi as f64, "")
    };
    lim("model-symbols", a.model_symbols, 1_000_000, 1_000_000_000)?;
    lim(
        "verilator-cycles",
        a.verilator_cycles,
        100_000,
        1_000_000_000,
    )?;
    lim("rust-hdl-cycles", a.rust_hdl_cycles, 1000, 10_000_000)?;
    lim("loop-ui", a.loop_ui as usize, 100_000, 1_000_000_000)?;
    lim("rtl-loop-ui", a.rtl_loop_ui as usize, 10_000, 100_000_000)?;
    let p = RxParams::default();
    println!(
        "cporx bench: default receive top (n_taps = {}), one core each",
        p.n_taps
    );

    // (a) reference model, data-only fast path
    let adc = random_adc(a.model_symbols);
    let mut sym = vec![0u8; adc.len()];
    let mut m = cporx_model::RxTopModel::new(&p).map_err(|e| e.to_string())?;
    m.step(&RxIn::reset());
    let t = Instant::now();
    m.run_symbols(&adc, &mut sym);
    let model_rate = adc.len() as f64 / t.elapsed().as_secs_f64();
    let checksum: u64 = sym.iter().map(|&s| s as u64).sum();
    println!(
        "  reference model      : {:>8.1} M symbols/s  ({} symbols, checksum {})",
        model_rate / 1e6,
        adc.len(),
        checksum
    );

    // (c) Verilator, harness and pipes included
    let stim: Vec<RxIn> = std::iter::once(RxIn::reset())
        .chain(
            random_adc(a.verilator_cycles - 1)
                .into_iter()
                .map(|x| RxIn::sample(x as i32)),
        )
        .collect();
    let vl_rate = match cporx_cosim::verilator::find_verilator() {
        Err(e) => {
            println!("  Verilator            : not run. {e}");
            None
        }
        Ok(_) => {
            let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
            let mut vl =
                cporx_cosim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
            vl.run(&stim[..1000]).map_err(|e| e.to_string())?; // start the child
            let t = Instant::now();
            let out = vl.run(&stim).map_err(|e| e.to_string())?;
            let r = out.len() as f64 / t.elapsed().as_secs_f64();
            println!("  Verilator co-sim     : {:>8.1} M cycles/s   ({} cycles, packing + pipes + unpacking included)", r / 1e6, out.len());
            Some(r)
        }
    };

    // (b) rust-hdl's simulator
    let mut s = cporx_hdl::RxTopSim::new(&p).map_err(|e| e.to_string())?;
    let n = a.rust_hdl_cycles.min(stim.len());
    let t = Instant::now();
    s.run(&stim[..n]).map_err(|e| e.to_string())?;
    let rh_rate = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "  rust-hdl, cycle stepper (cporx_hdl::RxTopSim)      : {:>8.1} k cycles/s ({} cycles)",
        rh_rate / 1e3,
        n
    );
    let n2 = (n / 4).max(1000).min(stim.len());
    let t = Instant::now();
    cporx_hdl::step::run_with_simulation(&p, &stim[..n2])?;
    let sim_rate = n2 as f64 / t.elapsed().as_secs_f64();
    println!(
        "  rust-hdl, Simulation API (clock + testbench thread): {:>8.1} k cycles/s ({} cycles)",
        sim_rate / 1e3,
        n2
    );
    if let Some(r) = vl_rate {
        println!(
            "  Verilator / rust-hdl stepper        : {:>8.0} x",
            r / rh_rate
        );
        println!(
            "  Verilator / rust-hdl Simulation API : {:>8.0} x",
            r / sim_rate
        );
    }
    closed_loop(a)?;
    println!(
        "  targets: model >= 100 M symbols/s; Verilator >= 10 M cycles/s and >= 1000 x rust-hdl"
    );
    Ok(())
}
