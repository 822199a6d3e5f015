//! The study's adaptive column: for one channel, the fewest FFE taps (2 ..= 16, searched
//! upwards), without and with the 1-tap DFE, with which the adaptive receiver, started
//! from reset and run in the closed loop with the bit-exact model, reaches the target BER,
//! **measured**.
//!
//! # The run (the same link as `cporx link --adapt [--dfe 1 --lms-freeze 81]`)
//!
//! * **Channel and noise**: the case's normalized pulse in the AFE ([`crate::afe`]), and
//!   the study's noise: the launch SNR after the channel's loss (plus the crosstalk's
//!   variance, as Gaussian noise), i.e. the AFE's `snr_db` = `10 log10(5 / sigma^2)` with
//!   `sigma` = [`Case::noise_sigma`] (the table's "SNR after loss"). So `cporx link --snr
//!   X` with X that column is the same noise. The study's random jitter goes in too; no
//!   SJ, 0 ppm.
//! * **Receiver**: `RxParams::with_taps(n, 1)` pass-through taps `[0, 64, 0, ...]`, the
//!   default levels, gain code 0 dB, default CDR gains, the default adaptation
//!   (`AdaptParams::default()`: AGC, sign-sign LMS with the main tap 1 held, level LMS);
//!   with the DFE its tap from 0, adapting, and the FFE's first post-cursor tap (2) held
//!   at 0 as well (`CFG_LMS_FREEZE` = 0x51, [`DFE_FREEZE`]) so that the FFE and the DFE do
//!   not both chase the first post-cursor. The initial phase is the link's seeded one
//!   ([`crate::closed_loop::seeded_phase`]).
//! * **Measurement**: the BER counted after convergence ([`crate::closed_loop`], "Counting
//!   after convergence": the latest of lock + 2000 UI, the AGC's settle time, the LMS's
//!   and the levels' (and the DFE tap's) convergence). When a loop's convergence cannot
//!   be told (a tap or level keeps moving by more than its tolerance in the second half
//!   of the run: the sign-sign dither of a long run), the BER counted from lock + 2000 UI
//!   is taken instead and the cell says so (`counted from lock`): it includes the
//!   convergence transient, so it can only overstate the steady-state BER; a count that
//!   reaches the target that way reaches it after convergence too.
//!
//! # The rule
//!
//! A tap count **reaches** the target when the 95 % Wilson upper bound of the BER after
//! convergence is below the target. With [`ADAPTIVE_UI`] = 4e6 UI (about 7.9e6 bits after
//! convergence) zero errors give an upper bound of 4.9e-7 and two errors 9.2e-7, so a
//! point estimate near 3e-7 or below passes at 1e-6; fewer UI than `3.84 / target / 2`
//! after convergence can never pass ([`measurable`]). A run whose CDR tracks more than
//! [`FALSE_LOCK_PPM`] on this 0 ppm link is a **false lock** (named with its ppm in the
//! reason; it is not a figure of the equalizer).

use super::{Case, StudyOpts};
use crate::afe::AfeConfig;
use crate::closed_loop::{self, LinkConfig};
use crate::figure::Rate;
use cporx_spec::*;

/// UI per closed-loop run, the default of `cporx study --adaptive-ui`.
pub const ADAPTIVE_UI: u64 = 4_000_000;
/// The fewest UI `--adaptive-ui` takes.
pub const ADAPTIVE_UI_MIN: u64 = 100_000;
/// `CFG_LMS_FREEZE` with the DFE: main tap 1, held, and tap 2 (the first post-cursor)
/// held at 0.
pub const DFE_FREEZE: u32 = 0x51;
/// A tracked frequency beyond this on the 0 ppm link is a false lock: the PI rotates
/// instead of holding a phase. Locked runs track within +-5 ppm of 0; before the CDR's
/// frequency range existed the false ones ran to +-3400 .. 3850 ppm, and with the
/// default range (+-412 ppm) they rotate at 25 .. 412 ppm.
pub const FALSE_LOCK_PPM: f64 = 20.0;

/// The noise of the case as the link's launch SNR (see the module header), dB.
pub fn link_snr_db(case: &Case, o: &StudyOpts) -> f64 {
    10.0 * (5.0 / case.noise_sigma(o).powi(2)).log10()
}

/// The closed loop of one trial (module header, "The run").
pub fn link_config(
    case: &Case,
    o: &StudyOpts,
    n_taps: usize,
    dfe: bool,
    ui: u64,
    seed: u64,
) -> Result<LinkConfig, String> {
    let mut afe = AfeConfig::new(case.norm.clone());
    afe.snr_db = Some(link_snr_db(case, o));
    afe.rj_rms_ui = o.rj_rms_ui;
    afe.seed = seed;
    let mut c = LinkConfig::new(afe, n_taps, ui).map_err(|e| e.to_string())?;
    c.writes = vec![(CFG_PHASE, closed_loop::seeded_phase(seed) as i32)];
    let pass = RxParams::with_taps(n_taps, 1).map_err(|e| e.to_string())?;
    c.rx.reset_coefs = pass.reset_coefs;
    c.rx.thresholds = pass.thresholds;
    c.rx.targets = pass.targets;
    let mut ad = AdaptParams::default();
    if dfe {
        ad.set_freeze(DFE_FREEZE);
        c.rx.dfe_taps = 1;
    }
    c.rx.adapt = Some(ad);
    c.readback = true;
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

/// Whether `ui` can show the target at all: zero errors in the bits after convergence
/// (taken as `2 (ui - 50000)`) must give a 95 % upper bound below it.
pub fn measurable(ui: u64, target: f64) -> bool {
    let bits = 2 * ui.saturating_sub(50_000);
    bits > 0 && crate::stateye::binomial_ci(0, bits, 0.95).1 < target
}

/// One closed-loop run at one tap count.
#[derive(Clone, Debug)]
pub struct Trial {
    pub n_taps: usize,
    /// the BER counted after convergence, or from lock (`from_lock`; `None`: not
    /// measured, `why` says why)
    pub ber: Option<Rate>,
    /// why the count is from lock + 2000 UI instead of after convergence
    pub from_lock: Option<String>,
    /// the run's CDR false-locked ([`FALSE_LOCK_PPM`])
    pub false_lock: bool,
    /// its 95 % upper bound below the target
    pub reached: bool,
    /// the CDR's tracked frequency, ppm
    pub freq_ppm: f64,
    /// from when the BER is counted, UI
    pub converged_ui: Option<u64>,
    /// why it did not reach: not measured, false lock, or the bound
    pub why: Option<String>,
    /// the read-back FFE taps and DFE tap
    pub taps: Option<Vec<i32>>,
    pub dfe_tap: Option<i32>,
}

/// One tap count's closed loop, judged by the rule.
pub fn trial(
    case: &Case,
    o: &StudyOpts,
    n_taps: usize,
    dfe: bool,
    ui: u64,
    seed: u64,
) -> Result<Trial, String> {
    let c = link_config(case, o, n_taps, dfe, ui, seed)?;
    let r = closed_loop::run_link_model(&c).map_err(|e| e.to_string())?;
    let freq = r.freq_ppm();
    let run_rate = || Rate::new(r.checker.bit_errors, 2 * r.checker.symbols_checked, "bits");
    let mut from_lock = None;
    let rate = match (&r.after_converged, r.unmeasured_after_converged(&c)) {
        (Some(k), None) => Ok(k.ber()),
        (_, Some(why)) => match r.unmeasured(&c) {
            // converged_ui unknown but the run counted from lock: that count
            None if r.converged_ui.is_none() && r.lock_time.is_some() => {
                from_lock = Some(why);
                Ok(run_rate())
            }
            _ => Err(why),
        },
        (None, None) => Err("no counts after convergence".to_string()),
    };
    let false_lock = r.lock_time.is_some() && freq.abs() > FALSE_LOCK_PPM;
    let (ber, reached, why) = match rate {
        Ok(b) => {
            let hi = b.ci95().map_or(1.0, |c| c.1);
            let reached = hi < o.target_ber && !false_lock;
            let why = if false_lock {
                Some(format!("false lock at {freq:+.0} ppm"))
            } else if !reached {
                Some(format!(
                    "95 % upper bound {hi:.1e} not below {:.0e}",
                    o.target_ber
                ))
            } else {
                None
            };
            (Some(b), reached, why)
        }
        Err(why) => {
            let why = if false_lock {
                format!("false lock at {freq:+.0} ppm; {why}")
            } else {
                why
            };
            (None, false, Some(why))
        }
    };
    Ok(Trial {
        n_taps,
        from_lock,
        false_lock,
        ber,
        reached,
        freq_ppm: freq,
        converged_ui: r.converged_ui,
        why,
        taps: r.readback.as_ref().map(|b| b.taps.clone()),
        dfe_tap: r.readback.as_ref().and_then(|b| b.dfe),
    })
}

/// The search over 2 ..= `max_taps` for one receiver (DFE or not).
#[derive(Clone, Debug)]
pub struct AdaptiveSearch {
    pub dfe: bool,
    pub ui: u64,
    pub max_taps: usize,
    /// every run, in order; the last one reached when [`Self::reached`] is some
    pub trials: Vec<Trial>,
}

impl AdaptiveSearch {
    /// The first tap count that reached the target.
    pub fn reached(&self) -> Option<&Trial> {
        self.trials.iter().find(|t| t.reached)
    }

    /// The table cell: `4 taps: 0.000e0 (0 bit errors in 7968750 bits, 95 % [...]); fewer
    /// taps: 2 CDR false lock (-3854 ppm), 3 2.1e-6`, or `not reached up to 16 taps: ...`
    /// with the best measured run and the reasons.
    pub fn describe(&self, o: &StudyOpts) -> String {
        if !measurable(self.ui, o.target_ber) {
            return crate::figure::not_measured(&format!(
                "{} UI cannot show {:.0e}: zero errors would leave a 95 % bound above it",
                self.ui, o.target_ber
            ));
        }
        let cell = |t: &Trial| match &t.ber {
            Some(b) => {
                let from = if t.from_lock.is_some() {
                    ", counted from lock"
                } else {
                    ""
                };
                format!("{}{from}", b.describe("bit errors", ""))
            }
            None => crate::figure::not_measured(t.why.as_deref().unwrap_or("")),
        };
        if let Some(t) = self.reached() {
            let dfe = t
                .dfe_tap
                .map_or(String::new(), |d| format!(", DFE tap {d}"));
            let below: Vec<String> = self
                .trials
                .iter()
                .filter(|b| b.n_taps < t.n_taps)
                .map(|b| {
                    if b.false_lock {
                        format!("{} CDR false lock ({:+.0} ppm)", b.n_taps, b.freq_ppm)
                    } else {
                        match b.ber.and_then(|r| r.value()) {
                            Some(v) => format!("{} {v:.1e}", b.n_taps),
                            None => format!("{} not measured", b.n_taps),
                        }
                    }
                })
                .collect();
            let below = if below.is_empty() {
                String::new()
            } else {
                format!("; fewer taps: {}", below.join(", "))
            };
            return format!("{} taps{dfe}: {}{below}", t.n_taps, cell(t));
        }
        let mut s = format!("not reached up to {} taps", self.max_taps);
        let best = self
            .trials
            .iter()
            .filter(|t| t.ber.is_some() && !t.false_lock)
            .min_by(|a, b| {
                let v = |t: &Trial| t.ber.and_then(|r| r.value()).unwrap_or(1.0);
                v(a).total_cmp(&v(b))
            });
        if let Some(b) = best {
            s += &format!("; best {} taps: {}", b.n_taps, cell(b));
        }
        let fl: Vec<String> = self
            .trials
            .iter()
            .filter(|t| t.false_lock)
            .map(|t| format!("{} ({:+.0} ppm)", t.n_taps, t.freq_ppm))
            .collect();
        if !fl.is_empty() {
            s += &format!("; CDR false lock at {} taps", fl.join(", "));
        }
        let nm: Vec<&Trial> = self
            .trials
            .iter()
            .filter(|t| t.ber.is_none() && !t.false_lock)
            .collect();
        if let Some(first) = nm.first() {
            let taps: Vec<String> = nm.iter().map(|t| t.n_taps.to_string()).collect();
            s += &format!(
                "; not measured at {} taps (at {}: {})",
                taps.join(", "),
                first.n_taps,
                first.why.as_deref().unwrap_or("")
            );
        }
        s
    }
}

/// The search: 2 ..= `o.max_taps` upwards until one reaches the target (`progress` is told
/// each tap count before it runs).
pub fn search(
    case: &Case,
    o: &StudyOpts,
    dfe: bool,
    ui: u64,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Result<AdaptiveSearch, String> {
    let mut s = AdaptiveSearch {
        dfe,
        ui,
        max_taps: o.max_taps,
        trials: vec![],
    };
    if !measurable(ui, o.target_ber) {
        return Ok(s);
    }
    for n in MIN_TAPS..=o.max_taps {
        progress(n);
        let t = trial(case, o, n, dfe, ui, seed)?;
        let done = t.reached;
        s.trials.push(t);
        if done {
            break;
        }
    }
    Ok(s)
}
