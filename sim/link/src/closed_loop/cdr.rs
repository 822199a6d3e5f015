//! The CDR's measured figures, with the bit-exact model in the loop on the built-in
//! channels (seeded, so the same plan gives the same figures): lock time from random
//! initial phases, frequency offsets tracked, the locked sampling phase against the best
//! phase of an open-loop sweep, and the jitter tolerance (bisection on the sinusoidal
//! jitter amplitude per frequency). [`measure`] runs all four on every core and returns
//! the raw results; `cporx cdr-report` words them (Markdown, plot).

use super::{run_link_model, seeded_phase, sweep_phase, LinkConfig, LinkResult};
use crate::afe::AfeConfig;
use crate::pulse::PulseResponse;
use cporx_spec::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Baud rate for the jitter frequencies, GBd.
pub const BAUD_GBD: f64 = 53.125;
/// SNR at the sampler, dB.
pub const SNR_DB: f64 = 25.0;
/// Random jitter, UI rms.
pub const RJ_UI: f64 = 0.01;
/// The channels of the lock-time and locked-phase tables.
pub const CHANNELS: [&str; 4] = ["ideal", "cpo", "short", "mr"];
/// The frequency offsets tracked, ppm.
pub const PPMS: [f64; 10] = [
    100.0, -100.0, 300.0, -300.0, 1000.0, -1000.0, 2000.0, -2000.0, 3000.0, -3000.0,
];
/// The frequency range register (`CFG_FREQ_LIM`) written for the frequency-offset
/// table: 255, the full +-3906 ppm (the default, `DEFAULT_FREQ_LIMIT`, clamps at +-412).
pub const PPM_RANGE_LIMIT: u32 = (1 << FREQ_LIM_BITS) - 1;
/// The jitter frequencies, MHz.
pub const JTOL_FREQS_MHZ: [f64; 7] = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0];
/// The largest SJ amplitude tried, UI (peak; 2x that peak to peak).
pub const JTOL_MAX_AMP: f64 = 40.0;

/// How long each measurement runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// seeds per lock-time row
    pub seeds: u64,
    /// UI per lock-time run
    pub lock_ui: u64,
    /// UI per frequency-offset row
    pub ppm_ui: u64,
    /// UI counted per jitter-tolerance run
    pub jtol_ui: u64,
}

impl Plan {
    /// The README's figures: 100 seeds, 10,000,000 UI per offset, 1,600,000 UI per
    /// jitter-tolerance run.
    pub fn full() -> Self {
        Plan {
            seeds: 100,
            lock_ui: 30_000,
            ppm_ui: 10_000_000,
            jtol_ui: 1_600_000,
        }
    }

    /// A smoke run: 20 seeds, 1,000,000 UI per offset, 400,000 UI per jitter-tolerance run.
    pub fn quick() -> Self {
        Plan {
            seeds: 20,
            lock_ui: 30_000,
            ppm_ui: 1_000_000,
            jtol_ui: 400_000,
        }
    }
}

/// One lock-time row: the lock time of every seed (`None`: never locked).
#[derive(Clone, Debug)]
pub struct LockRow {
    pub channel: &'static str,
    pub ppm: f64,
    pub times: Vec<Option<u64>>,
}

/// One channel's locked phase against the open-loop sweep.
#[derive(Clone, Debug)]
pub struct PhaseRow {
    pub channel: &'static str,
    /// the code of least mean squared slicer error (None: no code counted a sample)
    pub best: Option<u8>,
    /// the codes with no symbol error over more than 10,000 symbols
    pub open: Vec<u8>,
    /// centre of the longest run of `open` codes ([`eye_centre`])
    pub centre: Option<f64>,
    /// the closed loop over 1,000,000 UI
    pub locked: LinkResult,
}

/// One jitter frequency's tolerance.
#[derive(Clone, Debug)]
pub struct JtolRow {
    pub freq_mhz: f64,
    pub freq_per_ui: f64,
    /// the largest passing amplitude (UI, peak) and its run, or why none passed
    pub result: Result<(f64, LinkResult), String>,
    /// the largest amplitude tried passed (the figure is a lower bound)
    pub capped: bool,
}

/// Everything [`measure`] ran.
#[derive(Clone, Debug)]
pub struct CdrFigures {
    pub lock: Vec<LockRow>,
    /// (offset ppm, run), in [`PPMS`] order
    pub ppm: Vec<(f64, LinkResult)>,
    pub phase: Vec<PhaseRow>,
    pub jtol: Vec<JtolRow>,
}

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

/// FFE taps per channel: 5 for `mr`, 3 otherwise.
pub fn taps_for(channel: &str) -> usize {
    if channel == "mr" {
        5
    } else {
        3
    }
}

/// The common conditions: built-in `channel`, [`SNR_DB`], [`RJ_UI`], MMSE taps, `ui` UI.
pub fn base(channel: &str, ui: u64) -> LinkConfig {
    let mut a = AfeConfig::new(PulseResponse::builtin(channel).expect("built-in"));
    a.snr_db = Some(SNR_DB);
    a.rj_rms_ui = RJ_UI;
    LinkConfig::new(a, taps_for(channel), ui).expect("legal link")
}

fn run(c: &LinkConfig) -> LinkResult {
    run_link_model(c).expect("validated link")
}

/// Circular distance between two PI positions, in steps.
pub fn circ(a: f64, b: f64) -> f64 {
    let n = (1 << PI_BITS) as f64;
    let d = (a - b).rem_euclid(n);
    d.min(n - d)
}

/// Centre of the longest circular run of consecutive PI codes in `open` (sorted codes).
pub fn eye_centre(open: &[u8]) -> Option<f64> {
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

/// Why a run counted nothing or failed, in words.
pub fn failure(r: &LinkResult, want_ui: u64) -> String {
    let k = &r.checker;
    if r.lock_time.is_none() {
        "never locked".into()
    } else if r.counted_ui < want_ui {
        format!("counted {} of {want_ui} UI", r.counted_ui)
    } else if k.slips > 0 {
        format!("{} cycle slips", k.slips)
    } else if k.bit_errors > 0 {
        format!("{} bit errors", k.bit_errors)
    } else {
        format!("{} checker resyncs", k.resyncs)
    }
}

/// Bits the checker compared in a run.
pub fn bits(r: &LinkResult) -> u64 {
    2 * r.checker.symbols_checked
}

/// The four measurements; `done` hears after each row what finished (`lock time short 300
/// ppm`, `ppm`, `phase mr`; the jitter tolerance reports nothing).
pub fn measure(plan: &Plan, done: &mut dyn FnMut(&str)) -> CdrFigures {
    let lock = lock_times(plan, done);
    let ppm = ppm_tracking(plan);
    done("ppm");
    let phase = CHANNELS
        .iter()
        .map(|ch| {
            let r = locked_phase(ch);
            done(&format!("phase {ch}"));
            r
        })
        .collect();
    let jtol = jitter_tolerance(plan);
    CdrFigures {
        lock,
        ppm,
        phase,
        jtol,
    }
}

/// The lock-time rows: every channel at 0 ppm, then `short` at +-300 ppm.
pub fn lock_jobs() -> Vec<(&'static str, f64)> {
    let mut jobs: Vec<(&'static str, f64)> = CHANNELS.iter().map(|&c| (c, 0.0)).collect();
    jobs.push(("short", 300.0));
    jobs.push(("short", -300.0));
    jobs
}

/// One lock-time row: [`Plan::seeds`] seeds of channel `ch` at `ppm` (every core).
pub fn lock_row(plan: &Plan, ch: &'static str, ppm: f64) -> LockRow {
    let lock_ui = plan.lock_ui;
    let runs: Vec<u64> = (0..plan.seeds).collect();
    let times: Vec<Option<u64>> = par_map(&runs, |&s| {
        let mut c = base(ch, lock_ui);
        c.afe.seed = 1000 + s;
        c.afe.ppm = ppm;
        c.writes = vec![(CFG_PHASE, seeded_phase(s) as i32)];
        c.settle_ui = lock_ui; // no counting needed
        run(&c).lock_time
    });
    LockRow {
        channel: ch,
        ppm,
        times,
    }
}

/// Lock time from a random initial PI code: the rows of [`lock_jobs`], [`Plan::seeds`]
/// seeds each.
pub fn lock_times(plan: &Plan, done: &mut dyn FnMut(&str)) -> Vec<LockRow> {
    let mut rows = vec![];
    for (ch, ppm) in lock_jobs() {
        rows.push(lock_row(plan, ch, ppm));
        done(&format!("lock time {ch} {ppm} ppm"));
    }
    rows
}

/// Every offset of [`PPMS`] tracked over [`Plan::ppm_ui`] UI on `short`, with the
/// frequency range register at its full +-3906 ppm ([`PPM_RANGE_LIMIT`]): the table
/// measures the loop's tracking, not the default range's clamp.
pub fn ppm_tracking(plan: &Plan) -> Vec<(f64, LinkResult)> {
    let res = par_map(&PPMS, |&ppm| ppm_one(plan, ppm));
    PPMS.iter().copied().zip(res).collect()
}

/// One row of [`ppm_tracking`]: offset `ppm` over [`Plan::ppm_ui`] UI.
pub fn ppm_one(plan: &Plan, ppm: f64) -> LinkResult {
    let mut c = base("short", plan.ppm_ui);
    c.afe.ppm = ppm;
    c.afe.seed = 77;
    c.writes = vec![
        (CFG_PHASE, 40),
        (CFG_FREQ_LIM, sext(PPM_RANGE_LIMIT, CFG_DATA_BITS)),
    ];
    run(&c)
}

/// The open-loop sweep over all 128 codes (20,000 UI each) and the locked loop (1,000,000
/// UI) of one channel.
pub fn locked_phase(ch: &'static str) -> PhaseRow {
    let mut c = base(ch, 20_000);
    c.afe.seed = 5;
    let codes: Vec<u8> = (0..(1u32 << PI_BITS)).map(|c| c as u8).collect();
    let sweep: Vec<(u8, LinkResult)> = par_map(&codes, |&code| {
        sweep_phase(&c, std::iter::once(code)).remove(0)
    });
    let best = sweep
        .iter()
        .filter(|(_, r)| r.counted_ui > 0)
        .min_by(|a, b| a.1.mse.total_cmp(&b.1.mse))
        .map(|x| x.0);
    let open: Vec<u8> = sweep
        .iter()
        .filter(|(_, r)| r.checker.symbols_checked > 10_000 && r.checker.symbol_errors == 0)
        .map(|x| x.0)
        .collect();
    let centre = eye_centre(&open);
    let mut lc = base(ch, 1_000_000);
    lc.afe.seed = 6;
    lc.writes = vec![(CFG_PHASE, 64)];
    PhaseRow {
        channel: ch,
        best,
        open,
        centre,
        locked: run(&lc),
    }
}

/// Jitter tolerance on `short` at every frequency of [`JTOL_FREQS_MHZ`]: the largest SJ
/// amplitude (bisection to 2 %, up to [`JTOL_MAX_AMP`]) with no slip, bit error or resync
/// over [`Plan::jtol_ui`] UI counted from lock + 2,000 UI.
pub fn jitter_tolerance(plan: &Plan) -> Vec<JtolRow> {
    par_map(&JTOL_FREQS_MHZ, |&f| jtol_one(plan, f))
}

/// One frequency of [`jitter_tolerance`]: the bisection at `f` MHz (one thread).
pub fn jtol_one(plan: &Plan, f: f64) -> JtolRow {
    let jtol_ui = plan.jtol_ui;
    let max_amp = JTOL_MAX_AMP;
    {
        let fui = f * 1e6 / (BAUD_GBD * 1e9);
        let row = |result, capped| JtolRow {
            freq_mhz: f,
            freq_per_ui: fui,
            result,
            capped,
        };
        let run_at = |amp: f64| {
            let mut c = base("short", jtol_ui + 12_000);
            c.afe.sj_amp_ui = amp;
            c.afe.sj_freq_per_ui = fui;
            c.afe.seed = 99;
            c.writes = vec![(CFG_PHASE, 0)];
            run(&c)
        };
        let passes = |r: &LinkResult| {
            r.lock_time.is_some()
                && r.checker.slips == 0
                && r.checker.bit_errors == 0
                && r.checker.resyncs == 0
                && r.counted_ui >= jtol_ui
        };
        let top = run_at(max_amp);
        if passes(&top) {
            return row(Ok((max_amp, top)), true);
        }
        let (mut lo, mut hi) = (0.0f64, max_amp);
        let mut best: Option<(f64, LinkResult)> = None;
        let mut last_fail = (max_amp, top);
        while hi - lo > 0.02 * hi.max(0.05) {
            let mid = 0.5 * (lo + hi);
            let r = run_at(mid);
            if passes(&r) {
                lo = mid;
                best = Some((mid, r));
            } else {
                hi = mid;
                last_fail = (mid, r);
            }
        }
        match best {
            Some(b) => row(Ok(b), false),
            None => {
                let (amp, r) = last_fail;
                let why = format!(
                    "no amplitude passed, down to {:.4} UI pp: {}",
                    2.0 * amp,
                    failure(&r, jtol_ui)
                );
                row(Err(why), false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eye_centre_and_circular_distance() {
        // the longest run wraps through 127 -> 0: codes 120..=127 and 0..=7, centre 127.5
        let open: Vec<u8> = (0..8).chain(120..128).chain(40..44).collect();
        assert_eq!(eye_centre(&open), Some(127.5));
        assert_eq!(eye_centre(&[10, 11, 12]), Some(11.0));
        assert_eq!(eye_centre(&[]), None);
        let all: Vec<u8> = (0..128).collect();
        assert_eq!(eye_centre(&all), None);
        assert_eq!(circ(1.0, 127.0), 2.0);
        assert_eq!(circ(64.0, 0.0), 64.0);
        assert_eq!((taps_for("mr"), taps_for("short")), (5, 3));
        assert_eq!(Plan::quick().seeds, 20);
    }
}
