//! `cporx link`: the closed loop (AFE -> receive top -> PI code -> AFE) with the model
//! or, with `--rtl`, the exported Verilog under Verilator in it. Prints BER, slips, lock
//! time, the final phase and the tracked frequency offset.

use crate::fail::Fail;
use crate::out;
use clap::Args;
use cporx_link::afe::AfeConfig;
use cporx_link::closed_loop::{run_link, LinkConfig, LinkResult};
use cporx_link::pulse::PulseResponse;
use cporx_spec::*;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Clone, Debug)]
pub struct LinkArgs {
    /// channel: built-in ideal, cpo, short, mr, or a Touchstone file (.s2p, .s4p: SDD21 ->
    /// pulse response at --baud-gbd, COM-like TX and RX filters; docs/link-analysis.md)
    #[arg(long, default_value = "short")]
    pub channel: String,
    /// port map of a 4-port --channel file, `a1,a2:b1,b2`; default: detected from the data.
    /// A map that transmits far less than the best pairing is refused (see --force-map)
    #[arg(long)]
    pub map: Option<String>,
    /// use --map even when it transmits far less than the best pairing
    #[arg(long)]
    pub force_map: bool,
    /// port count of a --channel file (1 ..= 1024); default: from its extension (.sNp)
    #[arg(long, value_name = "N")]
    pub ports: Option<usize>,
    /// SNR at the sampler in dB (E[a^2] * peak^2 / sigma^2), -10 ..= 80
    #[arg(
        long = "snr-db",
        visible_alias = "snr",
        value_name = "DB",
        default_value_t = 25.0,
        allow_negative_numbers = true
    )]
    pub snr: f64,
    /// random jitter, RMS in UI, 0 ..= 0.5
    #[arg(
        long = "rj-ui",
        visible_alias = "rj",
        value_name = "UI",
        default_value_t = 0.0
    )]
    pub rj: f64,
    /// sinusoidal jitter amplitude in UI peak, 0 ..= 50 (needs --sj-freq above 0)
    #[arg(long, value_name = "UI", default_value_t = 0.0)]
    pub sj_amp: f64,
    /// sinusoidal jitter frequency in MHz, 0 ..= baud / 2 (0: no SJ)
    #[arg(long, value_name = "MHZ", default_value_t = 0.0)]
    pub sj_freq: f64,
    /// baud rate in GBd, 1 ..= 200 (sets the UI for --sj-freq and a --channel file's pulse)
    #[arg(
        long = "baud-gbd",
        visible_alias = "baud",
        value_name = "GBD",
        default_value_t = 53.125
    )]
    pub baud: f64,
    /// receiver reference clock offset from the transmitter in ppm, -10000 ..= 10000
    /// (positive: the receiver's reference is slower)
    #[arg(
        long,
        value_name = "PPM",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub ppm: f64,
    /// proportional gain shift kp, 0 ..= 15 (the loop's phase step is err >> (20 - kp));
    /// default: the built-in CDR gains (13)
    #[arg(long, value_name = "SHIFT", allow_negative_numbers = true)]
    pub kp: Option<i64>,
    /// integral gain shift ki, 0 ..= 7 (frequency step err << ki); default: the built-in
    /// CDR gains (5)
    #[arg(long, value_name = "SHIFT", allow_negative_numbers = true)]
    pub ki: Option<i64>,
    /// FFE taps, 2 ..= 16, MMSE-solved for the channel, main cursor at tap 1
    #[arg(long, default_value_t = 3)]
    pub taps: usize,
    /// data cycles (UI) to run, 1000 ..= 10000000000; errors are counted from lock + 2000 UI
    #[arg(long, default_value_t = 1_000_000)]
    pub ui: u64,
    /// seed of noise and jitter (any u64); also picks the initial PI code unless --phase0
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// turn the false-lock escape (half-UI kick after 4 unlocked windows) off
    #[arg(long)]
    pub no_kick: bool,
    /// initial PI code, 0 ..= 127; default: picked by --seed
    #[arg(long, value_name = "CODE", allow_negative_numbers = true)]
    pub phase0: Option<i64>,
    /// put the exported Verilog under Verilator in the loop instead of the model
    #[arg(long)]
    pub rtl: bool,
    /// start from pass-through taps (main cursor at tap 1) and default levels, and let the
    /// receiver adapt them itself: sign-sign LMS on the taps (main and first pre-cursor
    /// held) and the slicer levels (docs/numerics.md, "Adaptation in the receive top")
    #[arg(long)]
    pub adapt: bool,
    /// with --adapt: the LMS step code, 0 ..= 15 (2^-mu coefficient LSBs per update)
    #[arg(long, value_name = "CODE", allow_negative_numbers = true)]
    pub lms_mu: Option<i64>,
    /// with --adapt: the levels' step code, 0 ..= 15 (e 2^-mu codes per update)
    #[arg(long, value_name = "CODE", allow_negative_numbers = true)]
    pub levels_mu: Option<i64>,
    /// with --adapt: which taps the LMS holds, as the CFG_LMS_FREEZE register 0 ..= 127
    /// (bits 3:0 the main tap m, bit 4 holds m, bit 5 m - 1, bit 6 m + 1; default 0x11)
    #[arg(long, value_name = "REG", allow_negative_numbers = true)]
    pub lms_freeze: Option<i64>,
    /// write a VCD of the run (model: the first --vcd-cycles cycles; with --rtl: every
    /// cycle, so --ui at most 200000); folder created if missing
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
    /// cycles in the model's VCD, 1 ..= 10000000
    #[arg(long, default_value_t = 20_000)]
    pub vcd_cycles: u64,
}

/// The channel's pulse response: a built-in name, or a Touchstone file's SDD21 (or S21)
/// through `cporx_link::pulse::load_channel` at the --baud-gbd rate (its warnings printed).
fn channel_pulse(a: &LinkArgs) -> Result<PulseResponse, String> {
    if cporx_link::touchstone::ports_from_name(&a.channel).is_none() && a.ports.is_none() {
        if a.map.is_some() || a.force_map {
            return Err("--map and --force-map need a Touchstone --channel file".into());
        }
        return PulseResponse::builtin(&a.channel).map_err(|e| format!("--channel: {e}"));
    }
    if let Some(n) = a.ports {
        crate::cli::check_range(
            "ports",
            n as f64,
            1.0,
            cporx_link::touchstone::MAX_PORTS as f64,
            "",
        )?;
    }
    let path = std::path::Path::new(&a.channel);
    let mut o = cporx_link::pulse::ChannelLoad::new(a.baud * 1e9);
    o.ports = a.ports;
    o.force_map = a.force_map;
    o.map = match &a.map {
        Some(m) => {
            Some(cporx_link::touchstone::PortMap::parse(m).map_err(|e| format!("--map: {e}"))?)
        }
        None => None,
    };
    let ch = cporx_link::pulse::load_channel(path, &o).map_err(|e| format!("--channel: {e}"))?;
    for w in &ch.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    eprintln!(
        "channel {}: {}, IL at Nyquist ({:.3} GHz) {}",
        path.display(),
        ch.map_text(),
        a.baud / 2.0,
        ch.il_nyquist_text()
    );
    ch.pulse.normalized().map_err(|e| format!("--channel: {e}"))
}

/// Build the link configuration from the flags; every bad value is an error naming the flag.
pub fn config(a: &LinkArgs) -> Result<LinkConfig, String> {
    crate::cli::check_range("baud-gbd", a.baud, 1.0, 200.0, "GBd")?;
    let pulse = channel_pulse(a)?;
    crate::cli::check_range("snr-db", a.snr, -10.0, 80.0, "dB")?;
    crate::cli::check_range("rj-ui", a.rj, 0.0, 0.5, "UI rms")?;
    crate::cli::check_range("sj-amp", a.sj_amp, 0.0, 50.0, "UI")?;
    crate::cli::check_range("sj-freq", a.sj_freq, 0.0, a.baud * 1e3 / 2.0, "MHz")?;
    if a.sj_amp > 0.0 && a.sj_freq == 0.0 {
        return Err(format!(
            "--sj-amp = {} needs --sj-freq above 0 MHz (legal 0 ..= {}): sinusoidal jitter at 0 MHz is no jitter",
            a.sj_amp,
            a.baud * 1e3 / 2.0
        ));
    }
    crate::cli::check_range("ppm", a.ppm, -10000.0, 10000.0, "ppm")?;
    crate::cli::check_range("taps", a.taps as f64, MIN_TAPS as f64, MAX_TAPS as f64, "")?;
    crate::cli::check_range("ui", a.ui as f64, 1000.0, 1e10, "UI")?;
    crate::cli::check_range("vcd-cycles", a.vcd_cycles as f64, 1.0, 1e7, "")?;
    let (mut c_kp, mut c_ki) = (None, None);
    if let Some(kp) = a.kp {
        crate::cli::check_range("kp", kp as f64, 0.0, ((1 << KP_BITS) - 1) as f64, "")?;
        c_kp = Some(kp as u32);
    }
    if let Some(ki) = a.ki {
        crate::cli::check_range("ki", ki as f64, 0.0, ((1 << KI_BITS) - 1) as f64, "")?;
        c_ki = Some(ki as u32);
    }
    if let Some(p) = a.phase0 {
        crate::cli::check_range("phase0", p as f64, 0.0, ((1 << PI_BITS) - 1) as f64, "")?;
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
    if let Some(kp) = c_kp {
        c.rx.cdr.kp = kp;
    }
    if let Some(ki) = c_ki {
        c.rx.cdr.ki = ki;
    }
    c.rx.cdr.kick = !a.no_kick;
    // The initial phase goes in with a configuration write after reset, so the same
    // exported design serves every initial phase (one Verilator build).
    let phase0 = a
        .phase0
        .map(|p| p as u32)
        .unwrap_or_else(|| cporx_link::closed_loop::seeded_phase(a.seed));
    c.writes = vec![(CFG_PHASE, phase0 as i32)];
    if !a.adapt && (a.lms_mu.is_some() || a.levels_mu.is_some() || a.lms_freeze.is_some()) {
        return Err(
            "--lms-mu, --levels-mu and --lms-freeze set the adaptation: they need --adapt".into(),
        );
    }
    if a.adapt {
        let mut ad = AdaptParams::default();
        if let Some(m) = a.lms_mu {
            crate::cli::check_range("lms-mu", m as f64, 0.0, 15.0, "")?;
            ad.lms_mu = m as u32;
        }
        if let Some(m) = a.levels_mu {
            crate::cli::check_range("levels-mu", m as f64, 0.0, 15.0, "")?;
            ad.levels_mu = m as u32;
        }
        if let Some(f) = a.lms_freeze {
            crate::cli::check_range("lms-freeze", f as f64, 0.0, 127.0, "")?;
            let f = f as u32;
            ad.set_freeze(f);
            if ad.main_tap as usize >= a.taps {
                return Err(format!(
                    "--lms-freeze = {f:#x} names main tap {}: legal is 0 ..= {} (below --taps)",
                    ad.main_tap,
                    a.taps - 1
                ));
            }
        }
        // no offline help: pass-through taps, the default levels
        let pass = RxParams::with_taps(a.taps, 1).map_err(|e| e.to_string())?;
        c.rx.reset_coefs = pass.reset_coefs;
        c.rx.thresholds = pass.thresholds;
        c.rx.targets = pass.targets;
        c.rx.adapt = Some(ad);
    }
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

/// What ran in the loop, for the header.
pub fn receiver_text(a: &LinkArgs) -> &'static str {
    match (a.rtl, a.vcd.is_some()) {
        (false, _) => "reference model",
        (true, false) => "exported RTL under Verilator (in process)",
        (true, true) => "exported RTL under Verilator (with --trace)",
    }
}

pub fn print_result(a: &LinkArgs, c: &LinkConfig, r: &LinkResult, secs: f64) {
    let k = &r.checker;
    let sj = if a.sj_amp > 0.0 {
        format!("SJ {} UI @ {} MHz", a.sj_amp, a.sj_freq)
    } else {
        "no SJ".into()
    };
    println!(
        "link: {} | channel {} | SNR {} dB | RJ {} UI | {sj} | {} ppm | {} GBd | FFE {:?} | kp {} ki {} | {} UI, seed {}",
        receiver_text(a), a.channel, a.snr, a.rj, a.ppm, a.baud, c.rx.reset_coefs, c.rx.cdr.kp, c.rx.cdr.ki, a.ui, a.seed
    );
    match r.lock_time {
        Some(t) => println!(
            "lock time      : {t} UI (lock lost {} times after)",
            r.lock_losses
        ),
        None => println!("lock time      : never locked in {} UI", r.ui),
    }
    let why = r.unmeasured(c).unwrap_or_default();
    match r.lock_time {
        Some(t) => println!(
            "counted        : {} UI from lock at {t} + {} UI ({} symbols checked, {} before checker sync)",
            r.counted_ui, c.settle_ui, k.symbols_checked, k.unsynced_symbols
        ),
        None => println!("counted        : nothing (counting starts {} UI after lock)", c.settle_ui),
    }
    let bits = cporx_link::figure::Rate::new(k.bit_errors, 2 * k.symbols_checked, "bits");
    let syms = cporx_link::figure::Rate::new(k.symbol_errors, k.symbols_checked, "symbols");
    println!("BER            : {}", bits.describe("bit errors", &why));
    println!("SER            : {}", syms.describe("symbol errors", &why));
    if k.symbols_checked > 0 {
        println!(
            "cycle slips    : {} ({} lost, {} repeated); checker resyncs {}",
            k.slips,
            k.slips_lost(),
            k.slips_repeated(),
            k.resyncs
        );
    } else {
        println!(
            "cycle slips    : {}",
            cporx_link::figure::not_measured(&why)
        );
    }
    if r.counted_ui == 0 {
        println!(
            "final phase    : PI code {} (no counted UI: mean and spread not measured)",
            r.final_phase
        );
        println!(
            "frequency      : {}; last integral register value {}",
            cporx_link::figure::not_measured("no counted UI to average over"),
            r.final_freq
        );
    } else {
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
            "frequency      : {:+.1} ppm tracked (integral register mean over the counted UI; last value {})",
            r.freq_ppm(),
            r.final_freq
        );
    }
    println!(
        "ADC clipped    : {} of {} samples; run time {:.2} s ({:.2} M UI/s)",
        r.clipped,
        r.ui * c.rx.lanes as u64,
        secs,
        a.ui as f64 / secs / 1e6
    );
}

/// With --adapt: the taps and levels the receiver found, against the MMSE taps the
/// link analysis solves for the same channel (read from the model; the RTL has no
/// read-back port, and the model equals it bit for bit: verif/tests/adapt.rs).
fn print_adapted(
    a: &LinkArgs,
    c: &LinkConfig,
    m: Option<&cporx_model::RxTopModel>,
) -> Result<(), String> {
    let mmse = cporx_link::closed_loop::rx_params_for(&c.afe, a.taps).map_err(|e| e.to_string())?;
    let ad = c.rx.adapt.as_ref().expect("--adapt sets it");
    println!(
        "adaptation     : from pass-through taps {:?} and levels {:?}; LMS mu {}, main tap {}, held taps mask {:#06x}; levels mu {}",
        c.rx.reset_coefs, c.rx.targets, ad.lms_mu, ad.main_tap, freeze_mask(ad.freeze()), ad.levels_mu
    );
    match m.and_then(|m| m.adapt.as_ref().map(|x| (m, x))) {
        Some((m, x)) => {
            println!(
                "adapted taps   : {:?} (in the FFE: {:?}); MMSE codes for this channel {:?}",
                x.lms.codes(),
                m.ffe.c[..m.ffe.n_taps()].iter().map(|c| c.to_bits() as i32).collect::<Vec<_>>(),
                mmse.reset_coefs
            );
            println!(
                "adapted levels : targets {:?}, thresholds {:?} (default targets {:?})",
                m.slicer.tgt, m.slicer.thr, mmse.targets
            );
        }
        None => println!(
            "adapted taps   : not read (the RTL has no read-back port; the model run without --rtl prints them)"
        ),
    }
    Ok(())
}

pub fn run(a: &LinkArgs) -> Result<(), Fail> {
    let c = config(a)?;
    if let Some(p) = &a.vcd {
        out::check_writable(p)?;
    }
    let t = Instant::now();
    let mut adapted: Option<cporx_model::RxTopModel> = None;
    let r = if a.rtl {
        let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
        eprintln!(
            "Verilator in the loop ({})",
            cporx_cosim::verilator::verilator_version().map_err(|e| e.to_string())?
        );
        match &a.vcd {
            Some(path) => {
                let vl = cporx_cosim::verilator::VerilatedRx::build(&v, true)
                    .map_err(|e| e.to_string())?;
                let mut s = vl
                    .vcd_stepper(path)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                let r = run_link(&c, &mut s, None).map_err(|e| e.to_string())?;
                s.finish()
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                // the harness writes the file itself: say "wrote" only if it is there
                match std::fs::metadata(path) {
                    Ok(m) if m.len() > 0 => eprintln!(
                        "wrote {} (Verilator --trace, every signal, {} bytes)",
                        path.display(),
                        m.len()
                    ),
                    _ => {
                        return Err(Fail::Error(format!(
                            "cannot write {}: the Verilator harness left no trace there",
                            path.display()
                        )))
                    }
                }
                r
            }
            None => {
                // in process: the exported Verilog as a shared library, one call per UI
                let lib =
                    cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
                let mut s = lib.instance().map_err(|e| e.to_string())?;
                run_link(&c, &mut s, None).map_err(|e| e.to_string())?
            }
        }
    } else {
        match &a.vcd {
            Some(path) => {
                let f = out::create(path)?;
                let mut v = cporx_cosim::vcd_out::ModelVcd::new(
                    std::io::BufWriter::new(f),
                    c.rx.n_taps,
                    c.rx.lanes,
                )
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                let mut m = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
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
                    return Err(format!("cannot write {}: {e}", path.display()).into());
                }
                v.finish()
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                eprintln!(
                    "wrote {} (first {} cycles)",
                    path.display(),
                    limit.min(a.ui + 1)
                );
                r
            }
            None if a.adapt => {
                let mut m = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
                let r = run_link(&c, &mut m, None).map_err(|e| e.to_string())?;
                adapted = Some(m);
                r
            }
            None => cporx_link::closed_loop::run_link_model(&c).map_err(|e| e.to_string())?,
        }
    };
    print_result(a, &c, &r, t.elapsed().as_secs_f64());
    if a.adapt {
        print_adapted(a, &c, adapted.as_ref())?;
    }
    match r.unmeasured(&c) {
        Some(why) => Err(Fail::NotMeasured(format!("BER: {why}"))),
        None => Ok(()),
    }
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
                "--snr-db = 81 is out of range: legal is -10 ..= 80",
            ),
            (
                &["--kp", "16"],
                "--kp = 16 is out of range: legal is 0 ..= 15",
            ),
            (&["--ki", "8"], "--ki = 8 is out of range: legal is 0 ..= 7"),
            (&["--rj", "0.6"], "--rj-ui = 0.6"),
            (
                &["--kp", "-1"],
                "--kp = -1 is out of range: legal is 0 ..= 15",
            ),
            (
                &["--sj-amp", "5"],
                "--sj-amp = 5 needs --sj-freq above 0 MHz",
            ),
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
            (&["--lms-mu", "3"], "they need --adapt"),
            (&["--lms-freeze", "17"], "they need --adapt"),
            (
                &["--adapt", "--lms-mu", "16"],
                "--lms-mu = 16 is out of range: legal is 0 ..= 15",
            ),
            (
                &["--adapt", "--levels-mu", "-1"],
                "--levels-mu = -1 is out of range: legal is 0 ..= 15",
            ),
            (
                &["--adapt", "--lms-freeze", "128"],
                "--lms-freeze = 128 is out of range: legal is 0 ..= 127",
            ),
            (
                &["--adapt", "--taps", "3", "--lms-freeze", "20"],
                "names main tap 4: legal is 0 ..= 2",
            ),
        ] {
            let e = config(&args(flags)).unwrap_err();
            assert!(e.contains(want), "{flags:?}: {e}");
        }
    }

    #[test]
    fn adapt_starts_from_pass_through_with_the_loops_on() {
        let c = config(&args(&[
            "--adapt",
            "--taps",
            "5",
            "--lms-mu",
            "4",
            "--lms-freeze",
            "18",
        ]))
        .unwrap();
        assert_eq!(c.rx.reset_coefs, vec![0, 64, 0, 0, 0]);
        assert_eq!(c.rx.targets, RxParams::default().targets);
        let ad = c.rx.adapt.unwrap();
        assert_eq!(
            (ad.lms_enable, ad.levels_enable, ad.lms_mu, ad.main_tap),
            (true, true, 4, 2)
        );
        assert!(ad.freeze_main && !ad.freeze_pre && !ad.freeze_post);
        assert!(
            config(&args(&[])).unwrap().rx.adapt.is_none(),
            "fixed taps without --adapt"
        );
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
