//! The main job: PRBS13Q -> built-in ISI channel + Gaussian noise -> 6-bit ADC -> receive
//! top, once through the bit-exact model and once through the exported RTL under Verilator.

use crate::fail::Fail;
use crate::out;
use clap::Args;
use cporx_link::figure::Rate;
use cporx_link::isi::{FrontEnd, IsiChannel};
use cporx_link::taps::train::{quantize, train_ls};
use cporx_model::prbs::Prbs13q;
use cporx_spec::*;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Clone)]
pub struct DemoArgs {
    /// number of PRBS13Q symbols (1000 ..= 100000000)
    #[arg(long, default_value_t = 1_000_000)]
    pub symbols: usize,
    /// RMS of the additive Gaussian noise, in units of the PAM-4 level grid (levels are -3,-1,1,3; 0 ..= 2)
    #[arg(long, default_value_t = 0.10)]
    pub noise_rms: f64,
    /// ADC gain in codes per level unit (0.5 ..= 16)
    #[arg(long, default_value_t = 6.0)]
    pub adc_gain: f64,
    /// seed of the noise (any u64)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// FFE taps (2 ..= 16); the main cursor goes at tap 1
    #[arg(long, default_value_t = 3)]
    pub taps: usize,
    /// where to write the model's VCD (the first --vcd-cycles cycles; folder created if missing)
    #[arg(long, default_value = "out/demo.vcd")]
    pub vcd: PathBuf,
    /// cycles in the VCD (0 ..= 10000000)
    #[arg(long, default_value_t = 4000)]
    pub vcd_cycles: usize,
    /// skip the Verilator run even where Verilator is installed
    #[arg(long)]
    pub no_rtl: bool,
    /// UI of the closed-loop part (CDR steering the sampler; 0 skips it; 0 ..= 100000000)
    #[arg(long, default_value_t = 1_000_000)]
    pub loop_ui: u64,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            symbols: 1_000_000,
            noise_rms: 0.10,
            adc_gain: 6.0,
            seed: 1,
            taps: 3,
            vcd: PathBuf::from("out/demo.vcd"),
            vcd_cycles: 4000,
            no_rtl: false,
            loop_ui: 1_000_000,
        }
    }
}

pub fn run(a: &DemoArgs) -> Result<(), Fail> {
    // figures that could not be measured; any makes the exit code 3 at the end
    let mut unmeasured: Vec<String> = Vec::new();
    crate::cli::check_range("symbols", a.symbols as f64, 1000.0, 1e8, "symbols")?;
    crate::cli::check_range("noise-rms", a.noise_rms, 0.0, 2.0, "level units rms")?;
    crate::cli::check_range("adc-gain", a.adc_gain, 0.5, 16.0, "codes per level unit")?;
    crate::cli::check_range("taps", a.taps as f64, MIN_TAPS as f64, MAX_TAPS as f64, "")?;
    crate::cli::check_range("vcd-cycles", a.vcd_cycles as f64, 0.0, 1e7, "")?;
    crate::cli::check_range("loop-ui", a.loop_ui as f64, 0.0, 1e8, "UI")?;
    if a.vcd_cycles > 0 {
        out::check_writable(&a.vcd)?;
    }
    let chan = IsiChannel::builtin_short();
    println!("cporx demo: PRBS13Q, {} symbols", a.symbols);
    println!(
        "  channel: built-in short ISI, cursors {:?} (main at {}); noise {:.3} rms (level units); ADC {} bits, {} codes/unit",
        chan.cursors, chan.main, a.noise_rms, ADC_BITS, a.adc_gain
    );

    // Transmit and sample.
    let t0 = Instant::now();
    let tx: Vec<u8> = Prbs13q::new().take(a.symbols).collect();
    let mut fe = FrontEnd::new(chan.clone(), a.noise_rms, a.adc_gain, a.seed);
    let adc: Vec<i8> = tx.iter().map(|&s| fe.push(s)).collect();

    // Train the FFE (least squares on the first 8191 symbols) and quantize to Q2.6.
    // Target levels +-8, +-24 ADC codes = Q7.1 codes +-16, +-48 (the default targets).
    let main_tap = 1;
    let delay = chan.main + main_tap;
    let level =
        (RxParams::default().targets[3] - RxParams::default().targets[2]) as f64 / 2.0 / 2.0;
    let n_train = adc.len().min(Prbs13q::PERIOD);
    let taps = train_ls(&adc[..n_train], &tx[..n_train], a.taps, delay, level)
        .map_err(|e| e.to_string())?;
    let coefs = quantize(&taps).map_err(|e| e.to_string())?;
    let mut p = RxParams::with_taps(a.taps, main_tap).map_err(|e| e.to_string())?;
    p.reset_coefs = coefs.clone();
    p.validate().map_err(|e| e.to_string())?;
    println!(
        "  FFE: {} taps trained by least squares: {:?} -> Q2.6 codes {:?}; thresholds {:?}, targets {:?} (Q7.1)",
        a.taps,
        taps.iter().map(|t| (t * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
        coefs,
        p.thresholds,
        p.targets
    );

    // Stimulus: reset, then every configuration register written over the bus (the
    // coefficients are also the reset values, so both paths are exercised), then data.
    let mut stim = vec![RxIn::reset()];
    for (addr, d) in RxParams::cfg_writes(&coefs, &p.thresholds, &p.targets) {
        stim.push(RxIn::write(addr, d, 0));
    }
    let first = stim.len();
    stim.extend(adc.iter().map(|&x| RxIn::sample(x as i32)));

    // Model.
    let t1 = Instant::now();
    let mut m = cporx_model::RxTopModel::new(&p).map_err(|e| e.to_string())?;
    let out: Vec<RxOut> = m.run(&stim);
    let t_model = t1.elapsed().as_secs_f64();

    // Symbol n's decision: its main cursor is in ADC sample n + delay, fed at cycle
    // first + n + delay, and the slicer shows it LAT_TOP - 1 cycles later.
    let skip = 64;
    let (mut sym_err, mut bit_err, mut counted) = (0u64, 0u64, 0u64);
    for n in skip..tx.len() {
        let c = first + n + delay + LAT_TOP - 1;
        if c >= out.len() {
            break;
        }
        let o = out[c].lane[0];
        counted += 1;
        if o.symbol != tx[n] {
            sym_err += 1;
            bit_err += (o.gray ^ gray_bits(tx[n])).count_ones() as u64;
        }
    }
    let why = "the run is shorter than the FFE delay and the skipped first symbols";
    println!(
        "  model: {} cycles in {:.3} s; SER {}, BER {}; ADC clipped {} of {} samples",
        out.len(),
        t_model,
        Rate::new(sym_err, counted, "symbols").describe("symbol errors", why),
        Rate::new(bit_err, 2 * counted, "bits").describe("bit errors", why),
        fe.clipped,
        adc.len()
    );
    if counted == 0 {
        unmeasured.push(format!("the open-loop BER: {why}"));
    }

    // VCD of the first cycles.
    if a.vcd_cycles > 0 {
        let f = out::create(&a.vcd)?;
        let n = stim.len().min(a.vcd_cycles);
        let mut bw = std::io::BufWriter::new(f);
        cporx_cosim::vcd_out::run_model_with_vcd(&p, &stim[..n], &mut bw)
            .map_err(|e| format!("cannot write {}: {e}", a.vcd.display()))?;
        out::flush(&mut bw, &a.vcd)?;
        println!("  VCD: {} cycles of the model written to {} (scopes top, top.ffe, top.ffe.lane$j.group$g.mul$i, top.slicer, top.cdr)", n, a.vcd.display());
    }

    // RTL under Verilator.
    if a.no_rtl {
        println!("  RTL: skipped (--no-rtl)");
    } else {
        match cporx_cosim::verilator::find_verilator() {
            Err(e) => println!("  RTL: not run (the model goes on alone). {e}"),
            Ok(_) => {
                let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
                let tb = Instant::now();
                let mut vl = cporx_cosim::verilator::VerilatedRx::build(&v, false)
                    .map_err(|e| e.to_string())?;
                let t_build = tb.elapsed().as_secs_f64();
                let tr = Instant::now();
                let rtl = vl.run(&stim).map_err(|e| e.to_string())?;
                let t_run = tr.elapsed().as_secs_f64();
                let mut mismatches = 0u64;
                let mut first_bad = None;
                for (c, (x, y)) in out.iter().zip(&rtl).enumerate() {
                    if x != y {
                        mismatches += 1;
                        first_bad.get_or_insert(c);
                    }
                }
                println!(
                    "  RTL (Verilator, exported Verilog): {} cycles compared on every output, {} mismatches{}; build {:.1} s, run {:.3} s",
                    rtl.len().min(out.len()),
                    mismatches,
                    first_bad.map(|c| format!(" (first at cycle {c})")).unwrap_or_default(),
                    t_build,
                    t_run
                );
                if mismatches > 0 || rtl.len() != out.len() {
                    return Err(Fail::Error("the RTL and the model disagree".into()));
                }
                println!("  bit-exact: yes");
            }
        }
    }
    if a.loop_ui > 0 {
        closed_loop(a, &mut unmeasured)?;
    }
    println!("  total {:.2} s", t0.elapsed().as_secs_f64());
    if unmeasured.is_empty() {
        Ok(())
    } else {
        Err(Fail::NotMeasured(unmeasured.join("; ")))
    }
}

/// Part two: the clock recovered in the loop. The AFE samples a pulse-response channel at
/// the time the receiver's PI code asks for, with noise, jitter and a frequency offset,
/// starting half a UI off; the model runs the loop, then the RTL runs the same loop.
fn closed_loop(a: &DemoArgs, unmeasured: &mut Vec<String>) -> Result<(), String> {
    use cporx_link::afe::AfeConfig;
    use cporx_link::closed_loop::{run_link, LinkConfig};
    use cporx_link::pulse::PulseResponse;
    let mut afe = AfeConfig::new(PulseResponse::builtin("short").map_err(|e| e.to_string())?);
    afe.snr_db = Some(25.0);
    afe.rj_rms_ui = 0.01;
    afe.sj_amp_ui = 0.1;
    afe.sj_freq_per_ui = 10e6 / 53.125e9;
    afe.ppm = 150.0;
    afe.seed = a.seed;
    let mut c = LinkConfig::new(afe, a.taps, a.loop_ui).map_err(|e| e.to_string())?;
    c.writes = vec![(CFG_PHASE, 64)];
    println!(
        "closed loop: AFE `short` pulse channel, SNR 25 dB, RJ 0.01 UI, SJ 0.1 UI @ 10 MHz (53.125 GBd), +150 ppm; FFE {:?} (MMSE); CDR kp {} ki {}; start half a UI off",
        c.rx.reset_coefs, c.rx.cdr.kp, c.rx.cdr.ki
    );
    let mut model_out = Vec::with_capacity(a.loop_ui as usize + 1);
    let mut m = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut hook = |_: u64, _: &RxIn, o: &RxOut| model_out.push(*o);
    let r = run_link(&c, &mut m, Some(&mut hook)).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    let k = &r.checker;
    let why = r.unmeasured(&c);
    let why_s = why.clone().unwrap_or_default();
    println!(
        "  model in the loop: {} UI in {:.2} s; {}; BER {}; {}",
        a.loop_ui,
        secs,
        r.lock_time
            .map_or(format!("never locked in {} UI", a.loop_ui), |t| format!(
                "lock at {t} UI"
            )),
        Rate::new(k.bit_errors, 2 * k.symbols_checked, "bits").describe("bit errors", &why_s),
        if why.is_none() {
            format!("{} cycle slips; tracked {:+.1} ppm", k.slips, r.freq_ppm())
        } else {
            "slips and tracked ppm not measured".to_string()
        }
    );
    if let Some(w) = &why {
        unmeasured.push(format!("the closed-loop BER: {w}"));
    }
    if a.no_rtl || cporx_cosim::verilator::find_verilator().is_err() {
        println!("  RTL in the loop: not run (see above)");
        return Ok(());
    }
    let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
    let lib = cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
    let mut inst = lib.instance().map_err(|e| e.to_string())?;
    let (mut n, mut bad, mut first_bad) = (0usize, 0u64, None);
    let t = Instant::now();
    let mut hook = |_: u64, _: &RxIn, o: &RxOut| {
        if model_out.get(n) != Some(o) {
            bad += 1;
            first_bad.get_or_insert(n);
        }
        n += 1;
    };
    let rr = run_link(&c, &mut inst, Some(&mut hook)).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  RTL (Verilator, in process) in the loop: {} UI in {:.2} s; {}; BER {}; every output of every cycle against the model's loop: {} mismatches in {} cycles{}",
        a.loop_ui,
        secs,
        rr.lock_time
            .map_or(format!("never locked in {} UI", a.loop_ui), |t| format!("lock at {t} UI")),
        Rate::new(rr.checker.bit_errors, 2 * rr.checker.symbols_checked, "bits")
            .describe("bit errors", &why_s),
        bad,
        n,
        first_bad.map(|c| format!(" (first at cycle {c})")).unwrap_or_default()
    );
    if bad > 0 || n != model_out.len() {
        return Err("the closed loops with the RTL and with the model differ".into());
    }
    println!("  closed loop bit-exact: yes ({n} cycles compared)");
    Ok(())
}
