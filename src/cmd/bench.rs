//! `cporx bench`: throughput figures, printed (never asserted by a test). The reference
//! model's data path (P = 1 and P = 16) and the closed loop with the model are printed as
//! wall and CPU-time rates (this thread's CPU time: the per-core figure on a shared
//! machine), beside issue 16's targets with "met" or "missed", the closed loop with a table
//! of where its time goes (`loop_table`).

use clap::Args;
use cporx_spec::*;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

/// Every line the run prints, for `--readme`.
static LOG: Mutex<String> = Mutex::new(String::new());

/// Print a line and keep it for `--readme`.
macro_rules! say {
    ($($t:tt)*) => {{
        let l = format!($($t)*);
        println!("{l}");
        let mut log = LOG.lock().unwrap_or_else(|e| e.into_inner());
        log.push_str(&l);
        log.push('\n');
    }};
}

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
    /// write the run's output into this Markdown file between `<!-- bench:begin -->` and
    /// `<!-- bench:end -->` (checked before the run)
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
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
    say!("  closed loop (AFE: short channel, SNR 25 dB, RJ 0.01 UI, SJ 0.1 UI, 200 ppm; receive top; PRBS13Q checker):");
    let c = cfg(a.loop_ui)?;
    let (r, wall, cpu) = timed(|| run_link_model(&c));
    let r = r.map_err(|e| e.to_string())?;
    let ui = a.loop_ui as f64;
    say!(
        "    model in the loop   : {}  ({} UI, {}, BER {}, {} slips)",
        rates(ui, wall, cpu, "UI"),
        a.loop_ui,
        r.lock_text(),
        r.ber_text(&c),
        r.checker.slips
    );
    loop_table(&c, ui / cpu.unwrap_or(wall))?;
    if cporx_cosim::verilator::find_verilator().is_ok() {
        let c = cfg(a.rtl_loop_ui)?;
        let v = cporx_hdl::export::rx_top_verilog(&c.rx).map_err(|e| e.to_string())?;
        let mut vl =
            cporx_cosim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = run_link(&c, &mut vl.stepper().map_err(|e| e.to_string())?, None)
            .map_err(|e| e.to_string())?;
        let rate = a.rtl_loop_ui as f64 / t.elapsed().as_secs_f64();
        say!(
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
        say!(
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
    say!("  adaptive closed loop (the same AFE; 5 taps from pass-through; AGC, LMS, levels and CDR adapting):");
    let c = adaptive(a.loop_ui)?;
    let t = Instant::now();
    let r = run_link_model(&c).map_err(|e| e.to_string())?;
    let rate = a.loop_ui as f64 / t.elapsed().as_secs_f64();
    say!(
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
        say!(
            "    Verilator in the loop, in process     : {:>8.3} M UI/s ({} UI, shared library, one call per UI; {}, BER {})",
            lrate / 1e6,
            a.loop_ui,
            r.lock_text(),
            r.ber_text(&c)
        );
    }
    Ok(())
}

/// "met" or "missed" against a target (at least `target`).
fn verdict(value: f64, target: f64) -> &'static str {
    if value >= target {
        "met"
    } else {
        "missed"
    }
}

/// Run `f`; its result, the wall seconds and the CPU seconds of this thread (None where
/// the platform does not say).
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let c0 = cporx_link::montecarlo::thread_cpu_ns();
    let t = Instant::now();
    let r = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = c0
        .zip(cporx_link::montecarlo::thread_cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9)
        .filter(|&c| c > 0.0);
    (r, wall, cpu)
}

/// "wall X M unit/s, cpu Y M unit/s per core" for `n` items.
fn rates(n: f64, wall: f64, cpu: Option<f64>, unit: &str) -> String {
    let cpu = match cpu {
        Some(c) => format!("cpu {:>7.1} M {unit}/s per core", n / c / 1e6),
        None => "cpu not measured (no /proc/thread-self/schedstat)".into(),
    };
    format!("wall {:>7.1} M {unit}/s, {cpu}", n / wall.max(1e-12) / 1e6)
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "missed"
    }
}

/// Verilator figures: the in-process shared library with one call per block of cycles
/// (packing and unpacking of RxIn / RxOut included) at P = 1 and P = 16, the same without
/// the packing, and a bare C++ eval loop of the same model built into the same library
/// (the harness efficiency is the harness's rate over it); then the pipe harness. Returns
/// the P = 1 harness rate (cycles/s) and the flattened netlist's (cycles per CPU second,
/// None without Yosys), None without Verilator. After each P, the same on
/// cporx_cosim::flatten's simulation netlist ([`flattened_figures`]).
fn verilator_bench(a: &BenchArgs) -> Result<Option<(f64, Option<f64>)>, String> {
    use cporx_cosim::verilator::{find_verilator, VerilatedLib, VerilatedRx};
    if let Err(e) = find_verilator() {
        say!("  Verilator            : not run. {e}");
        return Ok(None);
    }
    let n = a.verilator_cycles;
    let mut p1_rate = None;
    let mut p1_flat = None;
    for lanes in [1usize, 16] {
        let p = RxParams::default()
            .with_lanes(lanes)
            .map_err(|e| e.to_string())?;
        let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
        let lib = VerilatedLib::build(&v).map_err(|e| e.to_string())?;
        // cycles at P lanes: the same sample count at every P would make P = 16 16x
        // shorter; the same cycle count keeps each figure's run long enough
        let cycles = if lanes == 1 { n } else { (n / 4).max(100_000) };
        let block = 1 << 14;
        let h = harness_run(&lib, lanes, cycles, block)?;
        let harness = cycles as f64 / h.wall;
        let sum = h.sum;
        let mut inst = lib.instance().map_err(|e| e.to_string())?;
        inst.step(&RxIn::reset()).map_err(|e| e.to_string())?;
        // the same without the packing: pre-packed words in, raw words out
        let mut packed = Vec::with_capacity(block * lanes);
        for x in random_adc(block * lanes).chunks_exact(lanes) {
            let mut i = RxIn::default();
            for (d, s) in i.adc.iter_mut().zip(x) {
                *d = *s as i32;
            }
            i.pack_into(lanes, &mut packed);
        }
        let mut raw = vec![0u64; block * cporx_spec::ports::out_words(lanes)];
        let reps = cycles.div_ceil(block);
        let t = Instant::now();
        for _ in 0..reps {
            inst.run_packed(&packed, &mut raw)
                .map_err(|e| e.to_string())?;
        }
        let unpacked = (reps * block) as f64 / t.elapsed().as_secs_f64();
        let (r, bwall, bcpu) = timed(|| lib.bare_cycles_per_sec(cycles as u64));
        let (bare, bsum) = r.map_err(|e| e.to_string())?;
        let eff = harness / bare;
        if lanes == 1 {
            p1_rate = Some(harness);
            say!(
                "  Verilator, in process, P = 1 : {:>8.2} M cycles/s   target >= 10 M: {} ({} cycles, block calls of {block}, packing included; checksum {sum})",
                harness / 1e6,
                verdict(harness, 10e6),
                cycles
            );
        } else {
            say!(
                "  Verilator, in process, P = {lanes}: {:>8.2} M symbols/s  target >= 100 M: {} ({:.2} M cycles/s x {lanes} lanes, {} cycles; checksum {sum})",
                harness * lanes as f64 / 1e6,
                verdict(harness * lanes as f64, 100e6),
                harness / 1e6,
                cycles
            );
        }
        say!(
            "      without packing {:.2} M cycles/s; bare C++ eval loop {:.2} M cycles/s (checksum {bsum}); harness efficiency {:.3}  target >= 0.8: {}",
            unpacked / 1e6,
            bare / 1e6,
            eff,
            verdict(eff, 0.8)
        );
        let export = Figures {
            harness: h,
            bare_cpu: bcpu.unwrap_or(bwall),
            bsum,
        };
        if let Some(r) = flattened_figures(&v, lanes, cycles, block, &export)? {
            if lanes == 1 {
                p1_flat = Some(r);
            }
        }
    }
    // the pipe harness (a child process, one block per call, from power-up)
    let p = RxParams::default();
    let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
    let mut vl = VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
    let m = (n / 4).max(100_000);
    // power-up, then m - 1 random samples, drawn one block at a time (as the tests' runs)
    let stim_block = |gen: &mut AdcStream, first: bool, k: usize| -> Vec<RxIn> {
        let head = first.then(RxIn::reset);
        head.into_iter()
            .chain((head.is_some() as usize..k).map(|_| RxIn::sample(gen.next_code() as i32)))
            .collect()
    };
    // start the child
    vl.run(&stim_block(&mut AdcStream::new(), true, 1000))
        .map_err(|e| e.to_string())?;
    // blocks of 64 Ki cycles, each from power-up (as the tests' runs), outputs dropped as
    // they come: the memory stays one block's
    let mut gen = AdcStream::new();
    let t = Instant::now();
    let mut done = 0usize;
    while done < m {
        let k = (m - done).min(1 << 16);
        let block = stim_block(&mut gen, done == 0, k);
        done += vl.run(&block).map_err(|e| e.to_string())?.len();
    }
    let r = done as f64 / t.elapsed().as_secs_f64();
    say!(
        "  Verilator over pipes (child process): {:>6.2} M cycles/s ({} cycles in runs of up to 65536 from power-up, packing + pipes + unpacking; the tests' bulk runs)",
        r / 1e6,
        done
    );
    Ok(p1_rate.map(|r| (r, p1_flat)))
}

/// One harness run of [`verilator_bench`]: a fresh instance, a reset, then `cycles`
/// cycles of [`AdcStream`] codes in block calls of `block` (the codes drawn outside the
/// timing; the conversion to ports, the packing and the call timed).
struct HarnessRun {
    /// the symbols' sum (lane 0), as printed
    sum: u64,
    /// FNV-64 of every output word (P lane words and the status word) of every cycle,
    /// the reset cycle included
    hash: u64,
    /// timed seconds, wall and this thread's CPU (wall where CPU is not measured)
    wall: f64,
    cpu: f64,
}

fn harness_run(
    lib: &cporx_cosim::verilator::VerilatedLib,
    lanes: usize,
    cycles: usize,
    block: usize,
) -> Result<HarnessRun, String> {
    use cporx_cosim::verilator::fnv;
    let mut inst = lib.instance().map_err(|e| e.to_string())?;
    let mut hash = 0xcbf29ce484222325u64;
    let hash_out = |h: &mut u64, o: &RxOut| {
        for j in 0..lanes {
            *h = fnv(&o.pack_lane(j).to_le_bytes(), *h);
        }
        *h = fnv(&o.pack_status().to_le_bytes(), *h);
    };
    let o = inst.step(&RxIn::reset()).map_err(|e| e.to_string())?;
    hash_out(&mut hash, &o);
    let mut stim = Vec::with_capacity(block);
    let mut out = Vec::with_capacity(block);
    let (mut sum, mut wall, mut cpu) = (0u64, 0.0, 0.0);
    let mut gen = AdcStream::new();
    let mut codes = Vec::with_capacity(block * lanes);
    let mut left = cycles;
    while left > 0 {
        let k = left.min(block);
        left -= k;
        codes.clear();
        codes.extend((0..k * lanes).map(|_| gen.next_code()));
        let (r, w, c) = timed(|| {
            stim.clear();
            stim.extend(codes.chunks_exact(lanes).map(|x| {
                let mut i = RxIn::default();
                for (d, s) in i.adc.iter_mut().zip(x) {
                    *d = *s as i32;
                }
                i
            }));
            out.clear();
            inst.run_into(&stim, &mut out)
        });
        r.map_err(|e| e.to_string())?;
        wall += w;
        cpu += c.unwrap_or(w);
        sum += out.iter().map(|o| o.lane[0].symbol as u64).sum::<u64>();
        for o in &out {
            hash_out(&mut hash, o);
        }
    }
    Ok(HarnessRun {
        sum,
        hash,
        wall,
        cpu,
    })
}

/// The export's figures a flattened run is compared with (same run, same stimulus).
struct Figures {
    harness: HarnessRun,
    /// CPU seconds of the bare loop's call
    bare_cpu: f64,
    bsum: u64,
}

/// The same harness run and bare loop on cporx_cosim::flatten's simulation netlist of
/// `v`, printed beside the export's `export` figures, after checking that every output
/// of every cycle equals the export's (FNV-64 over all of them) and that the bare loops'
/// checksums agree: a mismatch is printed and is an error (the figure is not given).
/// The P = 1 rate (cycles per CPU second) is returned; None when Yosys is missing.
fn flattened_figures(
    v: &str,
    lanes: usize,
    cycles: usize,
    block: usize,
    export: &Figures,
) -> Result<Option<f64>, String> {
    use cporx_cosim::flatten::{verilated_lib, FlattenError};
    let title = format!("  Verilator, in process, flattened simulation netlist, P = {lanes}");
    let (lib, net) = match verilated_lib(v) {
        Ok(l) => l,
        Err(e @ FlattenError::YosysNotFound { .. }) => {
            say!("{title}: not run. {e}");
            return Ok(None);
        }
        Err(e) => return Err(e.to_string()),
    };
    let h = harness_run(&lib, lanes, cycles, block)?;
    let (r, bwall, bcpu) = timed(|| lib.bare_cycles_per_sec(cycles as u64));
    let (bare, bsum) = r.map_err(|e| e.to_string())?;
    let bcpu = bcpu.unwrap_or(bwall);
    let e = &export.harness;
    let equal = h.hash == e.hash && h.sum == e.sum && bsum == export.bsum;
    if !equal {
        say!(
            "{title}: OUTPUTS DIFFER from the export's over the same {} cycles (FNV-64 {:016x} against {:016x}, symbol checksum {} against {}, bare-loop checksum {bsum} against {}): no figure",
            cycles + 1,
            h.hash,
            e.hash,
            h.sum,
            e.sum,
            export.bsum
        );
        return Err(format!(
            "the flattened netlist's outputs differ from the export's at P = {lanes}"
        ));
    }
    let n = cycles as f64;
    let rate = n / h.cpu;
    let per = |x: f64| {
        if lanes == 1 {
            String::new()
        } else {
            format!(" = {:.1} M symbols/s", x * lanes as f64 / 1e6)
        }
    };
    say!(
        "{title}: {:>6.2} M cycles/s{} ({:.0} ns/cycle; CPU time, wall {:.2} M cycles/s; {cycles} cycles, packing included; checksum {}; the export in this run: {:.2} M cycles/s CPU, {:.0} ns/cycle; {:.2}x)",
        rate / 1e6,
        per(rate),
        h.cpu / n * 1e9,
        n / h.wall / 1e6,
        h.sum,
        n / e.cpu / 1e6,
        e.cpu / n * 1e9,
        e.cpu / h.cpu
    );
    say!(
        "      bare C++ eval loop {:.2} M cycles/s ({:.0} ns/cycle CPU; wall {:.2} M cycles/s; checksum {bsum}); the export's {:.0} ns/cycle CPU in this run, {:.2}x",
        n / bcpu / 1e6,
        bcpu / n * 1e9,
        bare / 1e6,
        export.bare_cpu / n * 1e9,
        export.bare_cpu / bcpu
    );
    say!(
        "      outputs equal to the export's: yes, every output of all {} cycles (reset included; FNV-64 {:016x}) and both bare-loop checksums ({} of {} assigns moved into the clocked block, Yosys-flattened, OPT_FAST=-O2)",
        cycles + 1,
        h.hash,
        net.moved,
        net.assigns
    );
    Ok(Some(rate))
}

/// The 1-, 5- and 15-minute load averages (/proc/loadavg), or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// The reference model's data path (`RxTopModel::run_symbols`) at P = 1 and P = 16 with
/// the default top, beside the target.
fn model_figures(n: usize) -> Result<(), String> {
    // one buffer of at most 4 Mi codes, run again and again until n symbols (memory
    // stays flat in --model-symbols; the model goes on from where it was)
    let buf = n.min(1 << 22) / MAX_LANES * MAX_LANES;
    let reps = n.div_ceil(buf);
    let n = reps * buf;
    let adc = random_adc(buf);
    let mut sym = vec![0u8; buf];
    let mut per_core = vec![];
    for lanes in [1, MAX_LANES] {
        let p = RxParams::default()
            .with_lanes(lanes)
            .map_err(|e| e.to_string())?;
        let mut m = cporx_model::RxTopModel::new(&p).map_err(|e| e.to_string())?;
        m.step(&RxIn::reset());
        let mut checksum = 0u64;
        let ((), wall, cpu) = timed(|| {
            for _ in 0..reps {
                m.run_symbols(&adc, &mut sym);
                checksum += sym.iter().map(|&s| s as u64).sum::<u64>();
            }
        });
        say!(
            "  reference model, P = {lanes:>2}: {}  ({n} symbols, checksum {checksum})",
            rates(n as f64, wall, cpu, "symbols")
        );
        per_core.push(n as f64 / cpu.unwrap_or(wall));
    }
    say!(
        "  target model data path >= 200 M symbols/s per core (P = 1): {:>7.1} M/s  {}   (P = 16: {:.1} M/s, no target)",
        per_core[0] / 1e6,
        met(per_core[0] >= 200e6),
        per_core[1] / 1e6
    );
    Ok(())
}

/// Where the closed loop's time goes, ns per UI of one core (CPU time): the AFE alone with
/// the loop's configuration, nine clocks a call as the loop takes them
/// (`Afe::sample_clocks`), without noise and random jitter (pulse interpolation, SJ, PI,
/// ADC) and with them (the difference: the two Gaussian draws a sample); the receive-top
/// model's closed-loop path alone (`RxTopModel::run_closed`) on those codes, fed back as
/// they were made; the PRBS13Q checker alone, a symbol at a time as the loop feeds it; the
/// rest of the loop (metering, the hand-overs) by difference from the measured loop rate
/// `loop_rate` (UI/s per core).
fn loop_table(c: &cporx_link::closed_loop::LinkConfig, loop_rate: f64) -> Result<(), String> {
    use cporx_link::afe::Afe;
    use cporx_model::rx_top::ClosedLoopIo;
    let lanes = c.rx.lanes;
    let n = (c.ui as usize).min(5_000_000) / (9 * lanes) * (9 * lanes);
    let afe_ns = |cfg: cporx_link::afe::AfeConfig| -> Result<(f64, Vec<i8>), String> {
        let mut afe = Afe::new(cfg).map_err(|e| e.to_string())?;
        let mut codes = vec![0i8; n];
        let mut clip = [0u64; 9];
        let ((), wall, cpu) = timed(|| {
            for (k, o) in codes.chunks_exact_mut(9 * lanes).enumerate() {
                let pi: [u8; 9] = std::array::from_fn(|i| (((k * 9 + i) >> 6) & 127) as u8);
                afe.sample_clocks(&pi, lanes, o, &mut clip);
            }
        });
        Ok((cpu.unwrap_or(wall) / n as f64 * 1e9, codes))
    };
    let (full, codes) = afe_ns(c.afe.clone())?;
    let mut quiet = c.afe.clone();
    quiet.snr_db = None;
    quiet.rj_rms_ui = 0.0;
    let (interp, _) = afe_ns(quiet)?;
    let mut m = cporx_model::RxTopModel::new(&c.rx).map_err(|e| e.to_string())?;
    m.step(&RxIn::reset());
    /// The recorded codes in order, whatever PI code is asked for; the symbols summed.
    struct Replay<'a> {
        codes: &'a [i8],
        at: usize,
        acc: u64,
    }
    impl ClosedLoopIo for Replay<'_> {
        fn sample(&mut self, _phases: &[u8], _gain: u32, adc: &mut [i8]) {
            adc.copy_from_slice(&self.codes[self.at..self.at + adc.len()]);
            self.at += adc.len();
        }
        fn edge(&mut self, _: u64, o: &cporx_model::rx_top::EdgeOut<'_>) {
            self.acc += o.symbol[0] as u64 + o.phase as u64;
        }
    }
    let mut io = Replay {
        codes: &codes,
        at: 0,
        acc: 0,
    };
    let ((), wall, cpu) = timed(|| m.run_closed((n / lanes) as u64, &mut io));
    std::hint::black_box(io.acc);
    let model = cpu.unwrap_or(wall) / n as f64 * 1e9;
    let prbs: Vec<u8> = cporx_model::prbs::Prbs13q::new().take(n).collect();
    let mut chk = cporx_link::loop_checker::Prbs13qChecker::new();
    let ((), wall, cpu) = timed(|| {
        for &s in &prbs {
            chk.push(std::hint::black_box(s));
        }
    });
    std::hint::black_box(chk.finish());
    let checker = cpu.unwrap_or(wall) / n as f64 * 1e9;
    let total = 1e9 / loop_rate;
    let rest = total - full - model - checker;
    say!("    where the time goes, ns per UI (one core, CPU time where measured, else wall; each part alone, {n} UI):");
    say!("      AFE pulse interpolation, SJ, PI, ADC : {interp:>6.1}");
    say!(
        "      AFE noise and random jitter (draws)  : {:>6.1}",
        full - interp
    );
    say!("      receive-top model (run_closed)       : {model:>6.1}");
    say!("      PRBS13Q checker                      : {checker:>6.1}");
    say!("      the rest (loop, metering)            : {rest:>6.1}");
    say!("      total (the loop above)               : {total:>6.1}");
    say!(
        "    target closed loop with the model >= 50 M UI/s per core: {:>6.1} M UI/s  {}",
        loop_rate / 1e6,
        met(loop_rate >= 50e6)
    );
    Ok(())
}

fn random_adc(n: usize) -> Vec<i8> {
    let mut g = AdcStream::new();
    (0..n).map(|_| g.next_code()).collect()
}

/// The codes of [`random_adc`], drawn as they are needed (the Verilator runs' stimulus,
/// one block at a time: holding 20 M cycles of it took 392 MiB).
struct AdcStream(u32);

impl AdcStream {
    fn new() -> Self {
        Self(0x1234_5678)
    }

    fn next_code(&mut self) -> i8 {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        ((*x >> 8) % 64) as i8 - 32
    }
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
    if let Some(readme) = &a.readme {
        crate::cli::check_markers(readme, BEGIN, END)?;
    }
    let p = RxParams::default();
    say!(
        "cporx bench: default receive top (n_taps = {}), one core each; load average {}",
        p.n_taps,
        load_average()
    );
    say!("  (wall: items / elapsed time; cpu: items / this thread's CPU time, the per-core figure whatever else runs)");

    // (a) reference model, data-only fast path
    model_figures(a.model_symbols)?;

    // (c) Verilator: the in-process block harness against a bare C++ loop, and the pipes
    let vl_rate = verilator_bench(a)?;

    // (b) rust-hdl's simulator
    let mut s = cporx_hdl::RxTopSim::new(&p).map_err(|e| e.to_string())?;
    let stim: Vec<RxIn> = std::iter::once(RxIn::reset())
        .chain(
            random_adc(a.rust_hdl_cycles.max(1000) - 1)
                .into_iter()
                .map(|x| RxIn::sample(x as i32)),
        )
        .collect();
    let n = a.rust_hdl_cycles.min(stim.len());
    let t = Instant::now();
    s.run(&stim[..n]).map_err(|e| e.to_string())?;
    let rh_rate = n as f64 / t.elapsed().as_secs_f64();
    say!(
        "  rust-hdl, cycle stepper (cporx_hdl::RxTopSim)      : {:>8.1} k cycles/s ({} cycles)",
        rh_rate / 1e3,
        n
    );
    let n2 = (n / 4).max(1000).min(stim.len());
    let t = Instant::now();
    cporx_hdl::step::run_with_simulation(&p, &stim[..n2])?;
    let sim_rate = n2 as f64 / t.elapsed().as_secs_f64();
    say!(
        "  rust-hdl, Simulation API (clock + testbench thread): {:>8.1} k cycles/s ({} cycles)",
        sim_rate / 1e3,
        n2
    );
    let vl_flat = vl_rate.and_then(|(_, f)| f);
    let vl_rate = vl_rate.map(|(r, _)| r);
    if let Some(r) = vl_rate {
        say!(
            "  Verilator / rust-hdl stepper        : {:>8.0} x",
            r / rh_rate
        );
        say!(
            "  Verilator / rust-hdl Simulation API : {:>8.0} x",
            r / sim_rate
        );
    }
    closed_loop(a)?;
    match vl_flat {
        Some(f) => say!(
            "  targets: Verilator >= 10 M cycles/s and >= 1000 x rust-hdl (flattened netlist: {:.2} M cycles/s)",
            f / 1e6
        ),
        None => say!("  targets: Verilator >= 10 M cycles/s and >= 1000 x rust-hdl"),
    }
    match peak_rss_mib() {
        Some(m) => say!(
            "  peak memory of this run (VmHWM): {m:.0} MiB  target < 100 MiB: {}",
            if m < 100.0 { "met" } else { "missed" }
        ),
        None => say!("  peak memory: not measured (no /proc/self/status VmHWM)"),
    }
    if let Some(readme) = &a.readme {
        let log = LOG.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let text = format!(
            "`cargo run --release -- bench --readme README.md` on this 2-core machine (one run; figures vary by up to 2x run to run here; the per-core targets are judged on the CPU-time figures):\n\n```\n{log}```\n"
        );
        crate::cli::replace_between(readme, BEGIN, END, &text)?;
        println!("updated {}", readme.display());
    }
    Ok(())
}

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// This process's peak resident memory (Linux `VmHWM` of /proc/self/status), MiB.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
