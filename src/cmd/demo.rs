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
    /// and, beside it with the extension .gtkw, a GTKWave save file
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
        out::check_writable(&cporx_cosim::gtkw::gtkw_path(&a.vcd)?)?;
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
    // Made and run in blocks of CHUNK cycles: the model and the RTL are compared block by
    // block, so no run keeps every cycle's outputs (memory stays flat in --symbols).
    let mut head = vec![RxIn::reset()];
    for (addr, d) in RxParams::cfg_writes(&coefs, &p.thresholds, &p.targets) {
        head.push(RxIn::write(addr, d, 0));
    }
    let first = head.len();
    let total = first + adc.len();
    let stim_at = |c: usize| {
        if c < first {
            head[c]
        } else {
            RxIn::sample(adc[c - first] as i32)
        }
    };
    const CHUNK: usize = 1 << 16;

    // The RTL under Verilator (built first, so both run block by block together).
    let mut vl = None;
    if a.no_rtl {
        println!("  RTL: skipped (--no-rtl)");
    } else {
        match cporx_cosim::verilator::find_verilator() {
            Err(e) => println!("  RTL: not run (the model goes on alone). {e}"),
            Ok(_) => {
                let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
                let tb = Instant::now();
                let built =
                    cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
                vl = Some((built, tb.elapsed().as_secs_f64()));
            }
        }
    }

    // Symbol n's decision: its main cursor is in ADC sample n + delay, fed at cycle
    // first + n + delay, and the slicer shows it LAT_TOP - 1 cycles later.
    let skip = 64;
    let (mut sym_err, mut bit_err, mut counted) = (0u64, 0u64, 0u64);
    let mut m = cporx_model::RxTopModel::new(&p).map_err(|e| e.to_string())?;
    let mut cmp = cporx_cosim::lockstep::Tally::default();
    let (mut t_model, mut t_rtl, mut rtl_cycles) = (0.0f64, 0.0f64, 0usize);
    let mut inst = match &vl {
        Some((lib, _)) => Some(lib.instance().map_err(|e| e.to_string())?),
        None => None,
    };
    let mut stim = Vec::with_capacity(CHUNK);
    let mut out = Vec::with_capacity(CHUNK);
    let mut rtl = Vec::with_capacity(CHUNK);
    for start in (0..total).step_by(CHUNK) {
        stim.clear();
        stim.extend((start..total.min(start + CHUNK)).map(&stim_at));
        let t1 = Instant::now();
        out.clear();
        out.extend(stim.iter().map(|i| m.step(i)));
        t_model += t1.elapsed().as_secs_f64();
        for (k, o) in out.iter().enumerate() {
            let c = start + k;
            let Some(n) = c.checked_sub(first + delay + LAT_TOP - 1) else {
                continue;
            };
            if n < skip || n >= tx.len() {
                continue;
            }
            counted += 1;
            let o = o.lane[0];
            if o.symbol != tx[n] {
                sym_err += 1;
                bit_err += (o.gray ^ gray_bits(tx[n])).count_ones() as u64;
            }
        }
        if let Some(v) = inst.as_mut() {
            let tr = Instant::now();
            rtl.clear();
            v.run_into(&stim, &mut rtl).map_err(|e| e.to_string())?;
            t_rtl += tr.elapsed().as_secs_f64();
            rtl_cycles += rtl.len();
            for (x, y) in out.iter().zip(&rtl) {
                cmp.compare(x, y);
            }
        }
    }
    let why = "the run is shorter than the FFE delay and the skipped first symbols";
    println!(
        "  model: {} cycles in {:.3} s; SER {}, BER {}; ADC clipped {} of {} samples",
        total,
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
        let n = total.min(a.vcd_cycles);
        let vcd_stim: Vec<RxIn> = (0..n).map(&stim_at).collect();
        let mut bw = std::io::BufWriter::new(f);
        cporx_cosim::vcd_out::run_model_with_vcd(&p, &vcd_stim, &mut bw)
            .map_err(|e| format!("cannot write {}: {e}", a.vcd.display()))?;
        out::flush(&mut bw, &a.vcd)?;
        println!("  VCD: {} cycles of the model written to {} (scopes top, top.ffe, top.ffe.lane$j.group$g.mul$i, top.slicer, top.cdr)", n, a.vcd.display());
        let (g, text) = cporx_cosim::gtkw::gtkw_for_vcd(&a.vcd, &[], &p)?;
        out::write(&g, text)?;
        println!(
            "  wrote {} (GTKWave save file: gtkwave {} {})",
            g.display(),
            a.vcd.display(),
            g.display()
        );
    }

    drop(inst);
    if let Some((_, t_build)) = vl {
        println!(
            "  RTL (Verilator, exported Verilog, in process): every output of every cycle against the model, compared block by block: {}; build {:.1} s, run {:.3} s",
            cmp.summary(),
            t_build,
            t_rtl
        );
        if cmp.mismatches > 0 || rtl_cycles != total {
            return Err(Fail::Error("the RTL and the model disagree".into()));
        }
        println!("  bit-exact: yes");
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
    let mut m = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let r = run_link(&c, &mut m, None).map_err(|e| e.to_string())?;
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
    // The RTL in the same loop, stepped in lockstep with a fresh model: every output of
    // every cycle compared as it is made (the loop follows the model's outputs).
    let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
    let lib = cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
    let mut inst = lib.instance().map_err(|e| e.to_string())?;
    let mut m2 = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
    let mut both = cporx_cosim::lockstep::Lockstep::new(&mut m2, &mut inst);
    let t = Instant::now();
    let rr = run_link(&c, &mut both, None).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    let tally = both.tally;
    println!(
        "  RTL (Verilator, in process) in the loop, in lockstep with the model: {} UI in {:.2} s; {}; BER {}; every output of every cycle against the model: {}",
        a.loop_ui,
        secs,
        rr.lock_time
            .map_or(format!("never locked in {} UI", a.loop_ui), |t| format!("lock at {t} UI")),
        Rate::new(rr.checker.bit_errors, 2 * rr.checker.symbols_checked, "bits")
            .describe("bit errors", &why_s),
        tally.summary()
    );
    if tally.mismatches > 0 || tally.cycles == 0 {
        return Err("the closed loops with the RTL and with the model differ".into());
    }
    if rr.lock_time != r.lock_time || rr.checker.bit_errors != k.bit_errors {
        return Err("the lockstep loop's figures differ from the model's loop".into());
    }
    println!(
        "  closed loop bit-exact: yes ({} cycles compared)",
        tally.cycles
    );
    Ok(())
}
