//! `cporx link`: the closed loop (AFE -> receive top -> PI code -> AFE) with the model
//! or, with `--rtl`, the exported Verilog under Verilator in it. Prints BER, slips, lock
//! time, the final phase and the tracked frequency offset.

use clap::Args;
use cporx_sim::afe::{AfeConfig, PulseResponse};
use cporx_sim::link::{run_link, LinkConfig, LinkResult};
use cporx_spec::*;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct LinkArgs {
    /// channel: built-in ideal, cpo, short, mr, or a Touchstone file (.s2p, .s4p: SDD21 ->
    /// pulse response at --baud, COM-like TX and RX filters; docs/link-analysis.md)
    #[arg(long, default_value = "short")]
    pub channel: String,
    /// port map of a 4-port --channel file, `a1,a2:b1,b2`; default: detected from the data
    #[arg(long)]
    pub map: Option<String>,
    /// SNR at the sampler in dB (E[a^2] * peak^2 / sigma^2), -10 ..= 80
    #[arg(long, default_value_t = 25.0, allow_negative_numbers = true)]
    pub snr: f64,
    /// random jitter, RMS in UI (0 ..= 0.5)
    #[arg(long, default_value_t = 0.0)]
    pub rj: f64,
    /// sinusoidal jitter amplitude, UI peak (0 ..= 50)
    #[arg(long, default_value_t = 0.0)]
    pub sj_amp: f64,
    /// sinusoidal jitter frequency in MHz (0 ..= baud / 2)
    #[arg(long, default_value_t = 0.0)]
    pub sj_freq: f64,
    /// baud rate in GBd, for --sj-freq (1 ..= 200)
    #[arg(long, default_value_t = 53.125)]
    pub baud: f64,
    /// receiver reference clock offset from the transmitter, ppm (-10000 ..= 10000;
    /// positive: the receiver's reference is slower)
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub ppm: f64,
    /// proportional gain shift kp (0 ..= 15); default: the built-in CDR gains
    #[arg(long)]
    pub kp: Option<u32>,
    /// integral gain shift ki (0 ..= 7)
    #[arg(long)]
    pub ki: Option<u32>,
    /// FFE taps (2 ..= 16), MMSE-solved for the channel, main cursor at tap 1
    #[arg(long, default_value_t = 3)]
    pub taps: usize,
    /// data cycles (UI) to run (1000 ..= 10000000000)
    #[arg(long, default_value_t = 1_000_000)]
    pub ui: u64,
    /// seed of noise and jitter; also picks the initial PI code unless --phase0 is given
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// turn the false-lock escape (half-UI kick after 4 unlocked windows) off
    #[arg(long)]
    pub no_kick: bool,
    /// initial PI code (0 ..= 127)
    #[arg(long)]
    pub phase0: Option<u32>,
    /// put the exported Verilog under Verilator in the loop instead of the model
    #[arg(long)]
    pub rtl: bool,
    /// write a VCD of the run (model: the first --vcd-cycles cycles; --rtl: every cycle)
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// cycles in the model's VCD (1 ..= 10000000)
    #[arg(long, default_value_t = 20_000)]
    pub vcd_cycles: u64,
}

fn range(name: &str, v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_nan() || v < lo || v > hi {
        return Err(format!(
            "--{name} = {v} is out of range: legal is {lo} ..= {hi}"
        ));
    }
    Ok(())
}

/// The channel's pulse response: a built-in name, or a Touchstone file's SDD21 (or S21)
/// through `cporx_sim::pulse` at the --baud rate.
fn channel_pulse(a: &LinkArgs) -> Result<PulseResponse, String> {
    if cporx_sim::touchstone::ports_from_name(&a.channel).is_none() {
        if a.map.is_some() {
            return Err("--map needs a Touchstone --channel file".into());
        }
        return PulseResponse::builtin(&a.channel).map_err(|e| format!("--channel: {e}"));
    }
    let path = std::path::Path::new(&a.channel);
    let map = match &a.map {
        Some(m) => {
            Some(cporx_sim::touchstone::PortMap::parse(m).map_err(|e| format!("--map: {e}"))?)
        }
        None => None,
    };
    let (h, _) = cporx_sim::touchstone::read(path)
        .and_then(|ts| ts.insertion(map.as_ref()))
        .map_err(|e| format!("--channel: {e}"))?;
    let opts = cporx_sim::pulse::PulseOpts::for_baud(a.baud * 1e9);
    opts.validate().map_err(|e| format!("--baud: {e}"))?;
    let p = cporx_sim::pulse::pulse_response(&h, &opts).map_err(|e| format!("--channel: {e}"))?;
    let name = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    p.to_afe(name).map_err(|e| format!("--channel: {e}"))
}

/// Build the link configuration from the flags; every bad value is an error naming the flag.
pub fn config(a: &LinkArgs) -> Result<LinkConfig, String> {
    let pulse = channel_pulse(a)?;
    range("snr", a.snr, -10.0, 80.0)?;
    range("rj", a.rj, 0.0, 0.5)?;
    range("sj-amp", a.sj_amp, 0.0, 50.0)?;
    range("baud", a.baud, 1.0, 200.0)?;
    range("sj-freq", a.sj_freq, 0.0, a.baud * 1e3 / 2.0)?;
    range("ppm", a.ppm, -10000.0, 10000.0)?;
    range("taps", a.taps as f64, MIN_TAPS as f64, MAX_TAPS as f64)?;
    range("ui", a.ui as f64, 1000.0, 1e10)?;
    range("vcd-cycles", a.vcd_cycles as f64, 1.0, 1e7)?;
    if let Some(kp) = a.kp {
        range("kp", kp as f64, 0.0, ((1 << KP_BITS) - 1) as f64)?;
    }
    if let Some(ki) = a.ki {
        range("ki", ki as f64, 0.0, ((1 << KI_BITS) - 1) as f64)?;
    }
    if let Some(p) = a.phase0 {
        range("phase0", p as f64, 0.0, ((1 << PI_BITS) - 1) as f64)?;
    }
    if a.rtl && a.vcd.is_some() && a.ui > 200_000 {
        return Err(format!(
            "--vcd with --rtl dumps every cycle: --ui = {} is out of range for it: legal is 1000 ..= 200000",
            a.ui
        ));
    }
    let mut afe = AfeConfig::new(pulse);
    afe.snr_db = Some(a.snr);
    afe.rj_rms_ui = a.rj;
    afe.sj_amp_ui = a.sj_amp;
    afe.sj_freq_per_ui = a.sj_freq * 1e6 / (a.baud * 1e9);
    afe.ppm = a.ppm;
    afe.seed = a.seed;
    let mut c = LinkConfig::new(afe, a.taps, a.ui).map_err(|e| e.to_string())?;
    if let Some(kp) = a.kp {
        c.rx.cdr.kp = kp;
    }
    if let Some(ki) = a.ki {
        c.rx.cdr.ki = ki;
    }
    c.rx.cdr.kick = !a.no_kick;
    // The initial phase goes in with a configuration write after reset, so the same
    // exported design serves every initial phase (one Verilator build).
    let phase0 = a
        .phase0
        .unwrap_or_else(|| cporx_sim::link::seeded_phase(a.seed));
    c.writes = vec![(CFG_PHASE, phase0 as i32)];
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

pub fn print_result(a: &LinkArgs, c: &LinkConfig, r: &LinkResult, secs: f64) {
    let k = &r.checker;
    println!(
        "link: channel {} | SNR {} dB | RJ {} UI | SJ {} UI @ {} MHz | {} ppm | FFE {:?} | kp {} ki {} | {} UI, seed {}",
        a.channel, a.snr, a.rj, a.sj_amp, a.sj_freq, a.ppm, c.rx.reset_coefs, c.rx.cdr.kp, c.rx.cdr.ki, a.ui, a.seed
    );
    match r.lock_time {
        Some(t) => println!(
            "lock time      : {t} UI (lock lost {} times after)",
            r.lock_losses
        ),
        None => println!("lock time      : never locked"),
    }
    println!(
        "counted        : {} UI from lock + {} UI ({} symbols checked, {} before checker sync)",
        r.counted_ui, c.settle_ui, k.symbols_checked, k.unsynced_symbols
    );
    println!(
        "BER            : {:.3e} ({} bit errors), SER {:.3e} ({} symbol errors)",
        k.ber(),
        k.bit_errors,
        k.ser(),
        k.symbol_errors
    );
    println!(
        "cycle slips    : {} ({} lost, {} repeated); checker resyncs {}",
        k.slips,
        k.slips_lost(),
        k.slips_repeated(),
        k.resyncs
    );
    if r.freq_ppm().abs() < 20.0 {
        println!(
            "final phase    : PI code {} (mean {:.1}, RMS spread {:.2} steps over the counted UI)",
            r.final_phase, r.mean_phase, r.phase_rms
        );
    } else {
        println!(
            "final phase    : PI code {} (the PI rotates to follow the offset)",
            r.final_phase
        );
    }
    println!(
        "frequency      : {:.1} ppm tracked (integral register mean over the counted UI; last value {})",
        r.freq_ppm(),
        r.final_freq
    );
    println!(
        "ADC clipped    : {} samples; run time {:.2} s ({:.2} M UI/s)",
        r.clipped,
        secs,
        a.ui as f64 / secs / 1e6
    );
}

pub fn run(a: &LinkArgs) -> Result<(), String> {
    let c = config(a)?;
    let t = Instant::now();
    let r = if a.rtl {
        let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
        eprintln!(
            "Verilator in the loop ({})",
            cporx_sim::verilator::verilator_version().map_err(|e| e.to_string())?
        );
        match &a.vcd {
            Some(path) => {
                let vl = cporx_sim::verilator::VerilatedRx::build(&v, true)
                    .map_err(|e| e.to_string())?;
                let mut s = vl.vcd_stepper(path).map_err(|e| e.to_string())?;
                let r = run_link(&c, &mut s, None).map_err(|e| e.to_string())?;
                s.finish().map_err(|e| e.to_string())?;
                eprintln!("wrote {} (Verilator --trace, every signal)", path.display());
                r
            }
            None => {
                // in process: the exported Verilog as a shared library, one call per UI
                let lib =
                    cporx_sim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
                let mut s = lib.instance().map_err(|e| e.to_string())?;
                run_link(&c, &mut s, None).map_err(|e| e.to_string())?
            }
        }
    } else {
        match &a.vcd {
            Some(path) => {
                let f = std::fs::File::create(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                let mut v = cporx_sim::vcd_out::ModelVcd::new(
                    std::io::BufWriter::new(f),
                    c.rx.n_taps,
                    c.rx.lanes,
                )
                .map_err(|e| e.to_string())?;
                let mut m = cporx_sim::model::RxModel::new(&c.rx).map_err(|e| e.to_string())?;
                let limit = a.vcd_cycles;
                let mut werr = None;
                // the model steps itself inside the loop; the hook sees each cycle's state
                let mut shadow = m.clone();
                let mut hook = |n: u64, i: &RxIn, _o: &RxOut| {
                    if n < limit {
                        shadow.step(i);
                        if let Err(e) = v.cycle(i, &shadow) {
                            werr.get_or_insert(e);
                        }
                    }
                };
                let r = run_link(&c, &mut m, Some(&mut hook)).map_err(|e| e.to_string())?;
                if let Some(e) = werr {
                    return Err(format!("writing {}: {e}", path.display()));
                }
                v.finish().map_err(|e| e.to_string())?;
                eprintln!(
                    "wrote {} (first {} cycles)",
                    path.display(),
                    limit.min(a.ui + 1)
                );
                r
            }
            None => cporx_sim::link::run_link_model(&c).map_err(|e| e.to_string())?,
        }
    };
    print_result(a, &c, &r, t.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: LinkArgs,
    }

    fn args(v: &[&str]) -> LinkArgs {
        T::parse_from(std::iter::once("link").chain(v.iter().copied())).a
    }

    #[test]
    fn bad_flags_name_the_flag_and_the_range() {
        for (flags, want) in [
            (
                &["--snr", "81"][..],
                "--snr = 81 is out of range: legal is -10 ..= 80",
            ),
            (
                &["--kp", "16"],
                "--kp = 16 is out of range: legal is 0 ..= 15",
            ),
            (&["--ki", "8"], "--ki = 8 is out of range: legal is 0 ..= 7"),
            (&["--rj", "0.6"], "--rj"),
            (&["--ppm", "20000"], "--ppm"),
            (&["--taps", "1"], "--taps"),
            (&["--phase0", "128"], "--phase0 = 128"),
            (&["--sj-freq", "30000"], "--sj-freq"),
            (&["--snr", "NaN"], "--snr"),
            (
                &["--channel", "nope"],
                "built-in channels are ideal, cpo, short, mr",
            ),
            (
                &["--rtl", "--vcd", "x.vcd", "--ui", "300000"],
                "--vcd with --rtl",
            ),
        ] {
            let e = config(&args(flags)).unwrap_err();
            assert!(e.contains(want), "{flags:?}: {e}");
        }
    }

    #[test]
    fn flags_reach_the_configuration() {
        let c = config(&args(&[
            "--ppm",
            "-120",
            "--kp",
            "9",
            "--ki",
            "2",
            "--phase0",
            "33",
            "--sj-freq",
            "53.125",
        ]))
        .unwrap();
        assert_eq!((c.rx.cdr.kp, c.rx.cdr.ki), (9, 2));
        assert_eq!(c.afe.ppm, -120.0);
        assert_eq!(c.writes, vec![(CFG_PHASE, 33)]);
        assert!((c.afe.sj_freq_per_ui - 1e-3).abs() < 1e-12);
    }
}
