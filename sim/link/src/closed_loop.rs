//! The closed loop: the behavioral analog front end ([`crate::afe`]) and the receive top
//! (the bit-exact model, rust-hdl's simulator or Verilator) run together cycle by cycle.
//! The PI code the receiver outputs after cycle n sets where the AFE takes the sample of
//! cycle n + 1; the decided symbols go to a PRBS13Q checker ([`crate::loop_checker`]).
//!
//! With P = `RxParams::lanes` samples per clock, each cycle takes P consecutive ADC
//! samples (one per UI) at the PI code of the previous cycle, so the phase moves once per
//! P UI (the decimated loop). Measurements count UI, not cycles: UI (n-1)P + j + 1 is
//! lane j of data cycle n.
//!
//! Cycle 0 is a reset cycle (every register takes its `RxParams` reset value, so the loop
//! starts from `RxParams::cdr.reset_phase`); then ceil(ui / P) data cycles. Every cycle
//! takes P ADC samples, reset included. Same configuration and seed => same run, for
//! every receiver implementation: the model and Verilator runs agree bit for bit
//! (verif/tests/closed_loop.rs).
//!
//! Measurements, all in UI counted from the reset cycle:
//! * lock time: the first cycle whose `lock` output is 1;
//! * errors and slips: the checker is fed from `lock time + settle_ui` on (or from cycle
//!   `settle_ui` when `count_before_lock` is set), so acquisition is not counted as errors;
//! * locked phase: circular mean and RMS spread of the PI code over the counted cycles;
//! * frequency: the CDR's integral register converted to ppm.
//!
//! # The amplifier's gain
//!
//! Like the PI code, the gain code on the receiver's `gain` output after cycle n sets the
//! AFE's variable-gain amplifier ([`Afe::set_gain_code`]) for the P samples of cycle n + 1.
//! The reset cycle samples at `GAIN_UNITY` (0 dB, the AFE's power-up code); the code the
//! reset leaves on `gain` (`AdaptParams::reset_gain`, `GAIN_UNITY` without the AGC) sets
//! the samples of data cycle 1. Without the AGC every sample is at 0 dB, exactly as before
//! the amplifier existed. The gain trace is summarized as [`LinkResult::agc_settle_ui`]:
//! the code after cycle n is timed at UI nP (the end of cycle n), and the settle time is
//! the first UI from which the code stays within +-[`AGC_SETTLED_TOL`] of its final value
//! to the end of the run, under the rule of [`SettleTrace::settled`].
//!
//! # Read-back
//!
//! With [`LinkConfig::readback`], every data cycle that carries no configuration write
//! reads a register instead (`cfg_we` = 0): the addresses go round robin over the FFE
//! coefficients 0 ..< N, the slicer targets 20 ..= 23 and the thresholds 16 ..= 18
//! ([`readback_addrs`]), and with the DFE its tap `CFG_DFE` last ([`readback_addrs_for`]).
//! `rd_data` after cycle n is the register at cycle n's address as
//! it was before cycle n's edge, i.e. after edge n - 1: the read is timed at UI (n - 1)P.
//! The reads give the final codes ([`ReadBack`]) and the convergence times
//! [`LinkResult::lms_converged_ui`] (every tap within +-[`LMS_CONVERGED_TOL`] Q2.6 codes
//! of its final read) and [`LinkResult::levels_converged_ui`] (every target and threshold
//! within +-[`LEVELS_CONVERGED_TOL`] Q7.1 codes; with the DFE its tap too), each the latest
//! over its registers. The
//! reads go through [`Receiver::step`] only, so they are the same for every receiver;
//! the model's fast path runs the generic loop when read-back is on.
//!
//! # Counting after convergence
//!
//! The checker counts from lock + `settle_ui` as above (the run's BER). For adaptive runs
//! the loops move long after lock, so the result also gives the counts after convergence
//! ([`LinkResult::after_converged`]): from [`LinkResult::converged_ui`] = the latest of
//! lock + `settle_ui`, the AGC's settle time and (with adaptation, for the loops that are
//! enabled) the LMS's and the levels' convergence times. Convergence is only known at the
//! end, so the loop takes [`CHECKPOINTS`] snapshots of its counters (checker, PI code
//! histogram, ADC samples and clips) at even UI spacing, and the counts after convergence
//! are the final counters minus the first snapshot at or after `converged_ui` (at most
//! ui / CHECKPOINTS UI late). A snapshot takes the checker's counts with its 64-symbol
//! window counted provisionally ([`Prbs13qChecker::stats`]).

pub mod cdr;

use crate::afe::{Afe, AfeConfig, AfeError};
use crate::loop_checker::{CheckerStats, Prbs13qChecker};
use crate::pulse::PulseResponse;
use cporx_model::rx_top::{ClosedLoopIo, EdgeOut};
use cporx_model::{Receiver, RxTopModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct LinkConfig {
    pub afe: AfeConfig,
    /// FFE taps, slicer levels and CDR gains (the receive top's reset values).
    pub rx: RxParams,
    /// data cycles after the reset cycle
    pub ui: u64,
    /// cycles after lock before the checker starts counting
    pub settle_ui: u64,
    /// count from `settle_ui` even if the loop never locks (open-loop sweeps)
    pub count_before_lock: bool,
    /// configuration writes (address, data) applied in cycles 1, 2, ... after the reset,
    /// e.g. an initial phase for a design whose reset phase is fixed
    pub writes: Vec<(u32, i32)>,
    /// read registers back on the data cycles without a write (module documentation,
    /// "Read-back"); off by default
    pub readback: bool,
}

/// Tolerance of [`LinkResult::lms_converged_ui`]: every tap's read-back within this many
/// Q2.6 codes of its final value.
pub const LMS_CONVERGED_TOL: i32 = 2;
/// Tolerance of [`LinkResult::levels_converged_ui`]: every target's and threshold's
/// read-back within this many Q7.1 codes of its final value. Not 2 like the taps': at
/// the default levels step (mu 6) the outer targets (~+-48) dither by up to 3-4 codes
/// between reads even at a constant gain (measured on `cpo` and `short`: 1 % of the reads
/// 3 or more codes from the mode), so +-2 around a final snapshot never holds.
pub const LEVELS_CONVERGED_TOL: i32 = 4;
/// Tolerance of [`LinkResult::agc_settle_ui`]: the gain code within this many codes of
/// its final value.
pub const AGC_SETTLED_TOL: i32 = 1;
/// [`SettleTrace::settled`]: the fewest samples the held stretch must have.
pub const SETTLE_MIN_SAMPLES: u64 = 8;
/// Snapshots of the counters per run, for the counts after convergence.
pub const CHECKPOINTS: u64 = 256;

/// The registers the read-back visits, in order: coefficients 0 ..< `n_taps`, targets
/// 20 ..= 23, thresholds 16 ..= 18.
pub fn readback_addrs(n_taps: usize) -> Vec<u32> {
    (0..n_taps as u32)
        .map(|k| CFG_COEF_BASE + k)
        .chain((0..4).map(|k| CFG_TARGET_BASE + k))
        .chain((0..3).map(|k| CFG_THRESH_BASE + k))
        .collect()
}

/// The read-back of a receive top: [`readback_addrs`], then the DFE tap (`CFG_DFE`) when
/// `rx.dfe_taps` = 1 (counted with the levels: Q7.1 codes, [`LEVELS_CONVERGED_TOL`]).
pub fn readback_addrs_for(rx: &RxParams) -> Vec<u32> {
    let mut v = readback_addrs(rx.n_taps);
    if rx.dfe_taps == 1 {
        v.push(CFG_DFE);
    }
    v
}

/// A trace of (time, value) samples (values are 8-bit register codes, -128 ..= 127;
/// outside that they clamp), kept in O(1) memory: for each value, when the trace last
/// left it. Enough to answer, at the end, "from when on does the trace stay within +-tol
/// of its final value" for any tol.
#[derive(Clone, Debug)]
pub struct SettleTrace {
    samples: u64,
    first: Option<u64>,
    last: Option<i32>,
    /// per value (offset by 128): the time and the index of the sample that followed its
    /// last run; `None` while the trace is in that run or never visited it
    follow: Vec<Option<(u64, u64)>>,
}

impl Default for SettleTrace {
    fn default() -> Self {
        SettleTrace {
            samples: 0,
            first: None,
            last: None,
            follow: vec![None; 256],
        }
    }
}

impl SettleTrace {
    pub fn new() -> Self {
        Self::default()
    }
    /// Add the sample `v` taken at time `t` (times non-decreasing).
    #[inline]
    pub fn push(&mut self, t: u64, v: i32) {
        let v = v.clamp(-128, 127);
        if self.last != Some(v) {
            if let Some(p) = self.last {
                self.follow[(p + 128) as usize] = Some((t, self.samples));
            }
            self.follow[(v + 128) as usize] = None;
            self.last = Some(v);
        }
        self.first.get_or_insert(t);
        self.samples += 1;
    }
    /// The last sample's value.
    pub fn last(&self) -> Option<i32> {
        self.last
    }
    /// Samples pushed.
    pub fn samples(&self) -> u64 {
        self.samples
    }
    /// The first sample time from which every sample is within +-`tol` of the last one,
    /// in a run that ended at time `end`, or `None` when the trace cannot tell: it is
    /// empty, the held stretch has fewer than [`SETTLE_MIN_SAMPLES`] samples, or it began
    /// in the second half of the run (`2 t > end`: the trace has not yet held for as long
    /// as it took to get there, so a late excursion is as likely as not; run longer).
    pub fn settled(&self, tol: i32, end: u64) -> Option<u64> {
        let f = self.last?;
        let (mut t, mut idx) = (self.first?, 0u64);
        for (i, fl) in self.follow.iter().enumerate() {
            let v = i as i32 - 128;
            if let Some((ft, fi)) = fl {
                if (v - f).abs() > tol && *fi >= idx {
                    (t, idx) = (*ft, *fi);
                }
            }
        }
        let held = self.samples - idx;
        (held >= SETTLE_MIN_SAMPLES && t.saturating_mul(2) <= end).then_some(t)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Afe(#[from] AfeError),
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("receiver: {0}")]
    Receiver(String),
    #[error("link parameter `{name}` = {value} is out of range: legal is {lo} ..= {hi}")]
    Range {
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
}

impl LinkConfig {
    /// A link over `pulse` with an MMSE-trained `n_taps` FFE (main cursor at tap 1) and the
    /// default slicer levels and CDR gains.
    pub fn new(afe: AfeConfig, n_taps: usize, ui: u64) -> Result<Self, LinkError> {
        let rx = rx_params_for(&afe, n_taps)?;
        Ok(LinkConfig {
            afe,
            rx,
            ui,
            settle_ui: 2000,
            count_before_lock: false,
            writes: vec![],
            readback: false,
        })
    }

    pub fn validate(&self) -> Result<(), LinkError> {
        self.afe.validate()?;
        self.rx.validate()?;
        if !(1..=10_000_000_000).contains(&self.ui) {
            return Err(LinkError::Range {
                name: "ui",
                value: self.ui as f64,
                lo: 1.0,
                hi: 1e10,
            });
        }
        Ok(())
    }
}

/// The receive top's parameters for a link: FFE taps solved for the AFE's pulse at the
/// peak phase (MMSE at the AFE's SNR, main cursor at tap 1, quantized to Q2.6), default
/// levels and CDR gains.
pub fn rx_params_for(afe: &AfeConfig, n_taps: usize) -> Result<RxParams, LinkError> {
    let mut rx = RxParams::with_taps(n_taps, 1)?;
    let c = mmse_taps(
        &afe.pulse,
        n_taps,
        1,
        0.0,
        afe.noise_sigma() * afe.noise_sigma(),
    );
    // codes per level unit: the slicer targets assume 8 ADC codes per level unit (levels
    // at +-8, +-24), the convention `taps::coef_scale` holds; out-of-range codes clamp here
    // (the closed loop's historical behaviour; `taps::quantize` refuses them)
    let cps = crate::taps::coef_scale(afe.full_scale);
    rx.reset_coefs = c
        .iter()
        .map(|&v| (v * cps).round().clamp(-128.0, 127.0) as i32)
        .collect();
    rx.validate()?;
    Ok(rx)
}

/// Real-valued MMSE FFE taps for the symbol-spaced cursors of `pulse` sampled at `phase`
/// (UI from the peak): [`crate::taps::solve_mmse`] on `pulse.cursors(phase)` (E[a^2] = 5,
/// noise variance `noise_var` in level units, unit gain on the main cursor path); all
/// zeros where that has no solution (an illegal tap count, or a singular system).
pub fn mmse_taps(
    pulse: &PulseResponse,
    n_taps: usize,
    main: usize,
    phase: f64,
    noise_var: f64,
) -> Vec<f64> {
    crate::taps::solve_mmse(&pulse.cursors(phase), n_taps, main, noise_var)
        .unwrap_or_else(|_| vec![0.0; n_taps])
}

/// A PI code in 0 ..< 2^PI_BITS derived from a seed (a multiplicative hash), for runs that
/// start "from a random initial phase" reproducibly.
pub fn seeded_phase(seed: u64) -> u32 {
    (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PI_BITS)) as u32
}

#[derive(Clone, Debug, Default)]
pub struct LinkResult {
    /// data cycles run
    pub ui: u64,
    /// first cycle with `lock` = 1
    pub lock_time: Option<u64>,
    /// times `lock` fell after it had risen
    pub lock_losses: u64,
    pub final_phase: u8,
    pub final_freq: i32,
    pub checker: CheckerStats,
    /// cycles fed to the checker
    pub counted_ui: u64,
    /// circular mean of the PI code over the counted cycles (0 ..< 128), and RMS spread
    pub mean_phase: f64,
    pub phase_rms: f64,
    /// mean squared slicer error over the counted cycles (Q8.1 codes squared)
    pub mse: f64,
    /// mean of the frequency register over the counted cycles
    pub mean_freq: f64,
    /// ADC samples that saturated, of `samples` (reset cycle included)
    pub clipped: u64,
    /// ADC samples taken: P per cycle, reset cycle included
    pub samples: u64,
    /// `clipped / samples` (0 when no sample was taken)
    pub clipped_fraction: f64,
    /// the gain code on `gain` after the last cycle
    pub final_gain: u32,
    /// first UI from which the gain code stays within +-AGC_SETTLED_TOL of `final_gain`
    /// to the end ([`SettleTrace::settled`]; `None`: the run is too short to tell)
    pub agc_settle_ui: Option<u64>,
    /// the final read-back codes (`None` without `LinkConfig::readback`, or when some
    /// register was never read)
    pub readback: Option<ReadBack>,
    /// first UI from which every tap's read-back stays within +-LMS_CONVERGED_TOL codes of
    /// its final value (`None`: no read-back, or too short to tell)
    pub lms_converged_ui: Option<u64>,
    /// the same for the targets and thresholds, +-LEVELS_CONVERGED_TOL codes
    pub levels_converged_ui: Option<u64>,
    /// the latest of lock + settle, the AGC's settle time and, for the adaptation's
    /// enabled loops, the LMS's and the levels' convergence times (module documentation,
    /// "Counting after convergence"); `None` if one of them is
    pub converged_ui: Option<u64>,
    /// the counts from the first checkpoint at or after `converged_ui` to the end
    pub after_converged: Option<Counts>,
}

/// The final read-back codes, as signed values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadBack {
    /// reads recorded
    pub reads: u64,
    /// FFE coefficients, Q2.6 codes, tap 0 first
    pub taps: Vec<i32>,
    /// slicer targets (addresses 20 ..= 23), Q7.1 codes
    pub targets: [i32; 4],
    /// slicer thresholds (16 ..= 18), Q7.1 codes
    pub thresholds: [i32; 3],
    /// the DFE tap (`CFG_DFE`), Q7.1 codes, when the DFE is built
    pub dfe: Option<i32>,
}

/// Counts over a stretch of the run (from `from_ui` to the end).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub from_ui: u64,
    pub symbols_checked: u64,
    pub symbol_errors: u64,
    pub bit_errors: u64,
    pub slips: u64,
    /// ADC samples taken and clipped in the stretch
    pub samples: u64,
    pub clipped: u64,
    /// circular mean (0 ..< 128) and RMS spread of the PI code over the counted UI of
    /// the stretch (0 when none was counted)
    pub mean_phase: f64,
    pub phase_rms: f64,
}

impl Counts {
    /// The bit error ratio over the stretch ([`crate::figure::Rate`], two bits a symbol).
    pub fn ber(&self) -> crate::figure::Rate {
        crate::figure::Rate::new(self.bit_errors, 2 * self.symbols_checked, "bits")
    }
}

impl LinkResult {
    /// `lock at 513 UI`, or `never locked in 100000 UI`.
    pub fn lock_text(&self) -> String {
        match self.lock_time {
            Some(t) => format!("lock at {t} UI"),
            None => format!("never locked in {} UI", self.ui),
        }
    }

    /// Why the run's error counts are not a measurement, if they are not (no symbol was
    /// checked): the loop never locked, the run ended before counting started (lock +
    /// `c.settle_ui`), or the checker never synchronized.
    pub fn unmeasured(&self, c: &LinkConfig) -> Option<String> {
        if self.checker.symbols_checked > 0 {
            return None;
        }
        Some(match self.lock_time {
            None => format!("the loop never locked in {} UI", self.ui),
            Some(t) if t + c.settle_ui >= self.ui => format!(
                "the run ended before counting started: lock at {t} UI + {} UI settling >= {} UI run; run longer",
                c.settle_ui, self.ui
            ),
            Some(_) => format!(
                "the PRBS13Q checker never synchronized over the {} counted UI",
                self.counted_ui
            ),
        })
    }

    /// The bit error ratio with its count (and 95 % interval under 100 errors), or
    /// `not measured (why)` ([`LinkResult::unmeasured`]).
    pub fn ber_text(&self, c: &LinkConfig) -> String {
        let k = &self.checker;
        crate::figure::Rate::new(k.bit_errors, 2 * k.symbols_checked, "bits")
            .describe("bit errors", &self.unmeasured(c).unwrap_or_default())
    }

    /// The clock offset the CDR tracks, in ppm: its frequency register averaged over the
    /// counted cycles (the final value alone carries the loop's jitter).
    pub fn freq_ppm(&self) -> f64 {
        freq_to_ppm(1) * self.mean_freq
    }

    /// Why `converged_ui` is `None`, if it is: which loop did not settle or converge (or
    /// could not be told from the run), in the order the rule takes them.
    pub fn unconverged(&self, c: &LinkConfig) -> Option<String> {
        if self.converged_ui.is_some() {
            return None;
        }
        if !c.count_before_lock && self.lock_time.is_none() {
            return Some(format!("the loop never locked in {} UI", self.ui));
        }
        let half = self.ui / 2;
        if self.agc_settle_ui.is_none() {
            return Some(format!(
                "the AGC's gain code did not stay within +-{AGC_SETTLED_TOL} of its final value from the first half of the run ({half} UI) on"
            ));
        }
        if let Some(a) = &c.rx.adapt {
            if (a.lms_enable || a.levels_enable) && !c.readback {
                return Some(
                    "the read-back is off: the LMS's and the levels' convergence are not known"
                        .into(),
                );
            }
            if a.lms_enable && self.lms_converged_ui.is_none() {
                return Some(format!(
                    "the FFE taps did not stay within +-{LMS_CONVERGED_TOL} codes of their final values from the first half of the run ({half} UI) on"
                ));
            }
            if a.levels_enable && self.levels_converged_ui.is_none() {
                return Some(format!(
                    "the slicer levels{} did not stay within +-{LEVELS_CONVERGED_TOL} codes of their final values from the first half of the run ({half} UI) on",
                    if c.rx.dfe_taps == 1 { " (or the DFE tap)" } else { "" }
                ));
            }
        }
        Some("unknown".into())
    }

    /// Why the counts after convergence are not a measurement, if they are not.
    pub fn unmeasured_after_converged(&self, c: &LinkConfig) -> Option<String> {
        if let Some(why) = self.unconverged(c) {
            return Some(why);
        }
        match &self.after_converged {
            Some(k) if k.symbols_checked > 0 => None,
            Some(k) => Some(format!(
                "no symbol was checked from convergence at {} UI (counted from the checkpoint at {} UI) to the end at {} UI",
                self.converged_ui.unwrap_or(0),
                k.from_ui,
                self.ui
            )),
            None => Some("no counts after convergence".into()),
        }
    }
}

/// A PI code (0 ..< 128, fractional for a mean) as a sampling phase in UI from the
/// pulse peak, wrapped into -0.5 ..< 0.5: with the AFE's conventions PI code c samples
/// c / 128 UI after the peak of a symbol, i.e. c / 128 - 1 before the next one's, and the
/// main cursor is the one nearer the peak.
pub fn pi_code_to_phase_ui(code: f64) -> f64 {
    let p = (code / (1 << PI_BITS) as f64).rem_euclid(1.0);
    if p >= 0.5 {
        p - 1.0
    } else {
        p
    }
}

/// The statistical eye ([`crate::stateye::EyeSetup`]) of the receiver as it converged:
/// the read-back taps and thresholds, the AFE's full scale divided by the final gain's
/// linear gain (the amplifier scales the channel and its noise alike, so the noise in
/// level units is the AFE's), the channel at the PI code's circular mean over the counts
/// after convergence ([`pi_code_to_phase_ui`], plus the AFE's skew), the adaptation's
/// main tap (1 without adaptation), and with the DFE its read-back tap (the eye then
/// decides as the DFE, error propagation included: `stateye`, "DFE"). Err: why not (no
/// read-back, no counts after convergence).
pub fn converged_eye(c: &LinkConfig, r: &LinkResult) -> Result<crate::stateye::EyeSetup, String> {
    let rb = r
        .readback
        .as_ref()
        .ok_or("no read-back codes (LinkConfig::readback off, or the run too short to read every register)")?;
    if let Some(why) = r.unmeasured_after_converged(c) {
        return Err(why);
    }
    let k = r.after_converged.as_ref().expect("measured above");
    let main = c.rx.adapt.as_ref().map_or(1, |a| a.main_tap as usize);
    let phase = pi_code_to_phase_ui(k.mean_phase + c.afe.skew_ui * (1 << PI_BITS) as f64);
    let mut e = crate::stateye::EyeSetup::from_pulse(
        &c.afe.pulse,
        phase,
        c.afe.noise_sigma(),
        c.afe.rj_rms_ui,
        c.afe.full_scale / gain_linear(r.final_gain),
        rb.taps.clone(),
        main,
        rb.thresholds,
    );
    // the DFE's read-back tap: the statistical eye decides as the DFE does
    e.dfe = rb.dfe.unwrap_or(0);
    Ok(e)
}

/// Integral register (phase LSBs per UI) -> the receiver clock offset it compensates, in
/// ppm with the AFE's sign (positive: the receiver reference is slower). A slower
/// receiver samples later every UI, so the loop settles with a negative register.
pub fn freq_to_ppm(freq: i32) -> f64 {
    -(freq as f64) * PPM_PER_FREQ_LSB
}

struct Meter {
    settle: u64,
    count_before_lock: bool,
    checker: Prbs13qChecker,
    lock_time: Option<u64>,
    /// the first UI counted: `settle`, or lock + `settle` once locked (u64::MAX before)
    count_from: u64,
    was_locked: bool,
    lock_losses: u64,
    counted: u64,
    err2: f64,
    freq_sum: f64,
    phases: Vec<u32>,
    gain: SettleTrace,
    /// read-back: the addresses, the next one's index, a trace per address
    rb_addrs: Vec<u32>,
    rb_next: usize,
    rb: Vec<SettleTrace>,
    rb_reads: u64,
    /// checkpoints: the spacing (UI), the next one's UI, the snapshots
    cp_every: u64,
    cp_next: u64,
    cps: Vec<Checkpoint>,
}

/// A snapshot of the counters at the end of a cycle.
#[derive(Clone, Debug)]
struct Checkpoint {
    ui: u64,
    checker: CheckerStats,
    phases: Vec<u32>,
    samples: u64,
    clipped: u64,
}

/// Circular mean (0 ..< 2^PI_BITS) and RMS spread of a PI code histogram.
fn circular_stats(phases: &[u32]) -> (f64, f64) {
    let steps = (1 << PI_BITS) as f64;
    let (mut cs, mut sn, mut n) = (0.0f64, 0.0f64, 0u64);
    for (c, &k) in phases.iter().enumerate() {
        let a = 2.0 * std::f64::consts::PI * c as f64 / steps;
        cs += k as f64 * a.cos();
        sn += k as f64 * a.sin();
        n += k as u64;
    }
    let mean = (sn.atan2(cs) / (2.0 * std::f64::consts::PI) * steps).rem_euclid(steps);
    let mut var = 0.0;
    for (c, &k) in phases.iter().enumerate() {
        let d = (c as f64 - mean + steps / 2.0).rem_euclid(steps) - steps / 2.0;
        var += k as f64 * d * d;
    }
    (mean, (var / n.max(1) as f64).sqrt())
}

impl Meter {
    fn new(cfg: &LinkConfig) -> Self {
        let rb_addrs = if cfg.readback {
            readback_addrs_for(&cfg.rx)
        } else {
            vec![]
        };
        Meter {
            gain: SettleTrace::new(),
            rb: vec![SettleTrace::new(); rb_addrs.len()],
            rb_addrs,
            rb_next: 0,
            rb_reads: 0,
            cp_every: cfg.ui.div_ceil(CHECKPOINTS).max(1),
            cp_next: 0,
            cps: Vec::with_capacity(CHECKPOINTS as usize + 2),
            settle: cfg.settle_ui,
            count_before_lock: cfg.count_before_lock,
            checker: Prbs13qChecker::new(),
            lock_time: None,
            count_from: if cfg.count_before_lock {
                cfg.settle_ui
            } else {
                u64::MAX
            },
            was_locked: false,
            lock_losses: 0,
            counted: 0,
            err2: 0.0,
            freq_sum: 0.0,
            phases: vec![0; 1 << PI_BITS],
        }
    }
    #[inline(always)]
    fn cycle(&mut self, n: u64, symbol: u8, phase: u8, lock: bool, err: i32, freq: i32) {
        if lock != self.was_locked {
            if lock && self.lock_time.is_none() {
                self.lock_time = Some(n);
                if !self.count_before_lock {
                    self.count_from = n + self.settle;
                }
            }
            self.lock_losses += !lock as u64;
            self.was_locked = lock;
        }
        if n >= self.count_from {
            self.checker.push(symbol);
            self.counted += 1;
            self.phases[phase as usize] += 1;
            self.err2 += (err * err) as f64;
            self.freq_sum += freq as f64;
        }
    }
    /// The gain code on `gain` after cycle `n` (timed at UI nP), and the checkpoint due
    /// at the end of cycle `n`.
    #[inline]
    fn end_of_cycle(&mut self, n: u64, lanes: usize, gain: u8, afe: &Afe) {
        self.end_of_cycle_at(n, lanes, gain, afe.samples_taken(), afe.clipped());
    }

    /// [`Meter::end_of_cycle`] with the AFE's sample and clipped counts as they were at
    /// the end of cycle `n` (the closed-loop stream samples ahead of its edges).
    #[inline]
    fn end_of_cycle_at(&mut self, n: u64, lanes: usize, gain: u8, samples: u64, clipped: u64) {
        let ui = n * lanes as u64;
        self.gain.push(ui, gain as i32);
        if ui >= self.cp_next {
            self.checkpoint(ui, samples, clipped);
        }
    }

    #[inline(never)]
    fn checkpoint(&mut self, ui: u64, samples: u64, clipped: u64) {
        self.cps.push(Checkpoint {
            ui,
            checker: self.checker.stats(),
            phases: self.phases.clone(),
            samples,
            clipped,
        });
        self.cp_next = ui + self.cp_every;
    }

    /// The read-back address for data cycle `n` without a write (advances the round robin).
    #[inline]
    fn next_read(&mut self) -> Option<usize> {
        if self.rb_addrs.is_empty() {
            return None;
        }
        let k = self.rb_next;
        self.rb_next = (k + 1) % self.rb_addrs.len();
        Some(k)
    }

    /// `rd_data` after data cycle `n`, which read the address of index `k`.
    #[inline]
    fn read(&mut self, n: u64, lanes: usize, k: usize, rd: u8) {
        self.rb[k].push((n - 1) * lanes as u64, rd as i8 as i32);
        self.rb_reads += 1;
    }

    fn finish(self, cfg: &LinkConfig, last: &RxOut, afe: &Afe) -> LinkResult {
        let ui = cfg.ui;
        let (mean, rms) = circular_stats(&self.phases);
        let n = self.counted.max(1) as f64;
        let (samples, clipped) = (afe.samples_taken(), afe.clipped());
        let checker = self.checker.finish();
        // read-back
        let nt = cfg.rx.n_taps;
        let readback =
            (!self.rb.is_empty() && self.rb.iter().all(|t| t.last().is_some())).then(|| {
                let v = |k: usize| self.rb[k].last().expect("checked");
                ReadBack {
                    reads: self.rb_reads,
                    taps: (0..nt).map(v).collect(),
                    targets: std::array::from_fn(|j| v(nt + j)),
                    thresholds: std::array::from_fn(|j| v(nt + 4 + j)),
                    dfe: (cfg.rx.dfe_taps == 1).then(|| v(nt + 7)),
                }
            });
        let latest = |ts: &[SettleTrace], tol: i32| -> Option<u64> {
            if ts.is_empty() {
                return None;
            }
            ts.iter()
                .map(|t| t.settled(tol, ui))
                .try_fold(0u64, |m, t| t.map(|t| m.max(t)))
        };
        let (lms_converged_ui, levels_converged_ui) = if readback.is_some() {
            (
                latest(&self.rb[..nt], LMS_CONVERGED_TOL),
                latest(&self.rb[nt..], LEVELS_CONVERGED_TOL),
            )
        } else {
            (None, None)
        };
        let agc_settle_ui = self.gain.settled(AGC_SETTLED_TOL, ui);
        // the rule of "Counting after convergence"
        let start = if self.count_before_lock {
            Some(self.settle)
        } else {
            self.lock_time.map(|t| t + self.settle)
        };
        let mut converged_ui = match (start, agc_settle_ui) {
            (Some(s), Some(a)) => Some(s.max(a)),
            _ => None,
        };
        if let Some(a) = &cfg.rx.adapt {
            if a.lms_enable {
                converged_ui = converged_ui.zip(lms_converged_ui).map(|(x, y)| x.max(y));
            }
            if a.levels_enable {
                converged_ui = converged_ui.zip(levels_converged_ui).map(|(x, y)| x.max(y));
            }
        }
        let after_converged =
            converged_ui.map(|from| match self.cps.iter().find(|c| c.ui >= from) {
                Some(cp) => {
                    let ph: Vec<u32> = self
                        .phases
                        .iter()
                        .zip(&cp.phases)
                        .map(|(a, b)| a - b)
                        .collect();
                    let (m, r) = circular_stats(&ph);
                    Counts {
                        from_ui: cp.ui,
                        symbols_checked: checker
                            .symbols_checked
                            .saturating_sub(cp.checker.symbols_checked),
                        symbol_errors: checker
                            .symbol_errors
                            .saturating_sub(cp.checker.symbol_errors),
                        bit_errors: checker.bit_errors.saturating_sub(cp.checker.bit_errors),
                        slips: checker.slips.saturating_sub(cp.checker.slips),
                        samples: samples - cp.samples,
                        clipped: clipped - cp.clipped,
                        mean_phase: m,
                        phase_rms: r,
                    }
                }
                None => Counts {
                    from_ui: from,
                    ..Default::default()
                },
            });
        LinkResult {
            ui,
            lock_time: self.lock_time,
            lock_losses: self.lock_losses,
            final_phase: last.phase,
            final_freq: last.freq,
            checker,
            counted_ui: self.counted,
            mean_phase: mean,
            phase_rms: rms,
            mse: self.err2 / n,
            mean_freq: self.freq_sum / n,
            clipped,
            samples,
            clipped_fraction: clipped as f64 / samples.max(1) as f64,
            final_gain: last.gain as u32,
            agc_settle_ui,
            readback,
            lms_converged_ui,
            levels_converged_ui,
            converged_ui,
            after_converged,
        }
    }
}

/// One clock's P samples, all taken at PI code `code`.
fn sample_block(afe: &mut Afe, code: u8, adc: &mut [i32]) {
    for a in adc {
        *a = afe.sample(code) as i32;
    }
}

/// The UI count of lane `j` of data cycle `n` (1-based) at `lanes` samples per clock.
#[inline]
fn ui_of(n: u64, lanes: usize, j: usize) -> u64 {
    (n - 1) * lanes as u64 + j as u64 + 1
}

impl Meter {
    /// Meter every lane of one cycle's outputs.
    fn cycle_out(&mut self, n: u64, lanes: usize, o: &RxOut) {
        for (j, l) in o.lane[..lanes].iter().enumerate() {
            self.cycle(ui_of(n, lanes, j), l.symbol, o.phase, o.lock, l.err, o.freq);
        }
    }
}

/// One cycle of the loop as seen by a caller: the ADC code applied and the outputs after
/// the edge (for traces, VCD and bit-exact comparisons).
pub type CycleHook<'a> = &'a mut dyn FnMut(u64, &RxIn, &RxOut);

/// Run the closed loop with any receiver implementation, calling `hook` every cycle.
pub fn run_link<R: Receiver + ?Sized>(
    cfg: &LinkConfig,
    rx: &mut R,
    mut hook: Option<CycleHook<'_>>,
) -> Result<LinkResult, LinkError> {
    cfg.validate()?;
    let lanes = cfg.rx.lanes;
    let mut afe = Afe::new(cfg.afe.clone())?;
    let mut meter = Meter::new(cfg);
    // reset cycle: the ADC samples at the power-up phase code (0)
    // (and at GAIN_UNITY, the AFE's power-up gain)
    let mut i = RxIn::reset();
    sample_block(&mut afe, 0, &mut i.adc[..lanes]);
    let mut o = rx.step(&i).map_err(LinkError::Receiver)?;
    meter.end_of_cycle(0, lanes, o.gain, &afe);
    if let Some(h) = hook.as_mut() {
        h(0, &i, &o);
    }
    for n in 1..=cfg.ui.div_ceil(lanes as u64) {
        let mut i = RxIn::default();
        afe.set_gain_code(o.gain as u32);
        sample_block(&mut afe, o.phase, &mut i.adc[..lanes]);
        let mut read = None;
        if let Some(&(a, d)) = cfg.writes.get(n as usize - 1) {
            i.cfg_we = true;
            i.cfg_addr = a;
            i.cfg_data = d;
        } else if let Some(k) = meter.next_read() {
            i.cfg_addr = meter.rb_addrs[k];
            read = Some(k);
        }
        o = rx.step(&i).map_err(LinkError::Receiver)?;
        meter.cycle_out(n, lanes, &o);
        if let Some(k) = read {
            meter.read(n, lanes, k, o.rd_data);
        }
        meter.end_of_cycle(n, lanes, o.gain, &afe);
        if let Some(h) = hook.as_mut() {
            h(n, &i, &o);
        }
    }
    Ok(meter.finish(cfg, &o, &afe))
}

/// The same loop with the bit-exact model, on its data-only fast path (same arithmetic as
/// `run_link` with an `RxTopModel`; tested equal, with and without adaptation). With
/// `readback` on it runs `run_link` itself (the reads need `RxTopModel::step`).
pub fn run_link_model(cfg: &LinkConfig) -> Result<LinkResult, LinkError> {
    cfg.validate()?;
    if cfg.readback {
        let mut m = RxTopModel::new(&cfg.rx)?;
        return run_link(cfg, &mut m, None);
    }
    let lanes = cfg.rx.lanes;
    let cycles = cfg.ui.div_ceil(lanes as u64);
    let mut afe = Afe::new(cfg.afe.clone())?;
    let mut m = RxTopModel::new(&cfg.rx)?;
    let mut meter = Meter::new(cfg);
    let mut i = RxIn::reset();
    sample_block(&mut afe, 0, &mut i.adc[..lanes]);
    m.step(&i);
    meter.end_of_cycle(0, lanes, m.gain() as u8, &afe);
    let mut phase = m.cdr.pi_code();
    let mut n0 = 1;
    for (k, &(a, d)) in cfg.writes.iter().enumerate().take(cycles as usize) {
        let n = k as u64 + 1;
        let mut i = RxIn::write(a, d, 0);
        afe.set_gain_code(m.gain());
        sample_block(&mut afe, phase, &mut i.adc[..lanes]);
        let o = m.step(&i);
        phase = o.phase;
        meter.cycle_out(n, lanes, &o);
        meter.end_of_cycle(n, lanes, o.gain, &afe);
        n0 = n + 1;
    }
    debug_assert_eq!(phase, m.cdr.pi_code());
    if n0 <= cycles {
        // the data cycles: the model's closed-loop path, the AFE sampling and the meter
        // metering as it goes
        struct Io<'a> {
            afe: &'a mut Afe,
            meter: &'a mut Meter,
            n0: u64,
            lanes: usize,
            // the AFE's samples before the call's first clock; its clipped count after
            // each clock sampled ahead of its edge, by clock % 16 (clock = the call's);
            // the clocks sampled
            samples0: u64,
            clipped: [u64; 16],
            sampled: u64,
        }
        impl ClosedLoopIo for Io<'_> {
            #[inline(always)]
            fn sample(&mut self, phases: &[u8], gain: u32, adc: &mut [i8]) {
                let mut clip = [0u64; 16];
                let k = phases.len();
                self.afe.set_gain_code(gain);
                self.afe
                    .sample_clocks(phases, self.lanes, adc, &mut clip[..k]);
                for (i, &c) in clip[..k].iter().enumerate() {
                    self.clipped[(self.sampled as usize + i) % 16] = c;
                }
                self.sampled += k as u64;
            }
            #[inline(always)]
            fn edge(&mut self, c: u64, o: &EdgeOut<'_>) {
                let n = self.n0 + c;
                for j in 0..self.lanes {
                    self.meter.cycle(
                        ui_of(n, self.lanes, j),
                        o.symbol[j],
                        o.phase,
                        o.lock,
                        o.err[j],
                        o.freq,
                    );
                }
                let samples = self.samples0 + (c + 1) * self.lanes as u64;
                let clipped = self.clipped[c as usize % 16];
                self.meter
                    .end_of_cycle_at(n, self.lanes, o.gain as u8, samples, clipped);
            }
        }
        let mut io = Io {
            samples0: afe.samples_taken(),
            afe: &mut afe,
            meter: &mut meter,
            n0,
            lanes,
            clipped: [0; 16],
            sampled: 0,
        };
        m.run_closed(cycles + 1 - n0, &mut io);
    }
    let o = m.outputs();
    Ok(meter.finish(cfg, &o, &afe))
}

/// Open-loop phase sweep: for each PI code, the loop disabled and the phase held there,
/// the mean squared slicer error and the error counts over `ui` cycles.
pub fn sweep_phase(cfg: &LinkConfig, codes: impl Iterator<Item = u8>) -> Vec<(u8, LinkResult)> {
    codes
        .map(|c| {
            let mut k = cfg.clone();
            k.rx.cdr.enable = false;
            k.rx.cdr.reset_phase = c as u32;
            k.count_before_lock = true;
            k.settle_ui = 200;
            (
                c,
                run_link_model(&k).expect("validated sweep configuration"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str, ui: u64) -> LinkConfig {
        let mut a = AfeConfig::new(PulseResponse::builtin(name).unwrap());
        a.snr_db = Some(30.0);
        a.seed = 7;
        LinkConfig::new(a, 3, ui).unwrap()
    }

    #[test]
    fn fast_path_equals_generic_loop() {
        let mut c = cfg("short", 20_000);
        c.writes = vec![(CFG_PHASE, 77), (CFG_KP, 12)];
        let fast = run_link_model(&c).unwrap();
        let mut m = RxTopModel::new(&c.rx).unwrap();
        let slow = run_link(&c, &mut m, None).unwrap();
        assert_eq!(fast.lock_time, slow.lock_time);
        assert_eq!(fast.final_phase, slow.final_phase);
        assert_eq!(fast.final_freq, slow.final_freq);
        assert_eq!(fast.checker, slow.checker);
        assert_eq!(fast.mse, slow.mse);
    }

    /// An adaptive link from pass-through taps and default levels, the AGC starting at
    /// `gain`.
    fn adaptive(name: &str, ui: u64, gain: u32) -> LinkConfig {
        let mut c = cfg(name, ui);
        let pass = RxParams::with_taps(c.rx.n_taps, 1).unwrap();
        c.rx.reset_coefs = pass.reset_coefs;
        c.rx.adapt = Some(AdaptParams {
            reset_gain: gain,
            ..Default::default()
        });
        c.writes = vec![(CFG_PHASE, 40)];
        c
    }

    #[test]
    fn fast_path_equals_generic_loop_with_adaptation() {
        for lanes in [1, 4] {
            let mut c = adaptive("short", 60_000, 28);
            c.rx = c.rx.with_lanes(lanes).unwrap();
            let fast = run_link_model(&c).unwrap();
            let mut m = RxTopModel::new(&c.rx).unwrap();
            let slow = run_link(&c, &mut m, None).unwrap();
            // the AGC moved, so the gain path is exercised
            assert!(fast.final_gain < 26, "P={lanes} {fast:?}");
            assert_eq!(fast.lock_time, slow.lock_time);
            assert_eq!(fast.final_phase, slow.final_phase);
            assert_eq!(fast.final_freq, slow.final_freq);
            assert_eq!(fast.checker, slow.checker);
            assert_eq!(fast.mse, slow.mse);
            assert_eq!(fast.final_gain, slow.final_gain);
            assert_eq!(fast.agc_settle_ui, slow.agc_settle_ui);
            assert_eq!((fast.clipped, fast.samples), (slow.clipped, slow.samples));
            assert_eq!(fast.converged_ui, slow.converged_ui);
            assert_eq!(fast.after_converged, slow.after_converged);
            assert_eq!(m.gain(), slow.final_gain);
        }
    }

    #[test]
    fn agc_settles_from_a_too_large_gain_and_clipping_falls() {
        // +5.5 dB: the outer levels land at ~45 codes, far beyond the ADC's 31. The AGC in
        // its mean mode (target 16), with the levels and window under which the taps and
        // levels of this short run converge within the report's tolerances (the tail mode,
        // the default: `the_tail_mode_holds_clipping_near_its_target`)
        let mut c = adaptive("cpo", 200_000, GAIN_MAX);
        c.readback = true;
        let ad = c.rx.adapt.as_mut().unwrap();
        ad.levels_mu = 6;
        ad.agc_window = 10;
        ad.agc_tail = 0;
        ad.agc_target = 16;
        let r = run_link_model(&c).unwrap();
        let settle = r.agc_settle_ui.expect("settled");
        assert!(r.final_gain + 4 <= GAIN_MAX, "{r:?}");
        assert!(settle > 0 && settle < 50_000, "{r:?}");
        let k = r.after_converged.clone().expect("converged");
        assert!(k.samples > 50_000, "{k:?}");
        let before = (r.clipped - k.clipped) as f64 / (r.samples - k.samples) as f64;
        let after = k.clipped as f64 / k.samples as f64;
        assert!(before > 0.05 && after < before / 10.0, "{before} {after}");
        // the same start with the AGC off keeps clipping
        let mut off = c.clone();
        off.rx.adapt.as_mut().unwrap().agc_enable = false;
        let o = run_link_model(&off).unwrap();
        assert_eq!(o.final_gain, GAIN_MAX);
        assert_eq!(o.agc_settle_ui, Some(0));
        assert!(
            o.clipped_fraction > 10.0 * r.clipped_fraction,
            "{} {}",
            o.clipped_fraction,
            r.clipped_fraction
        );
        // the counting rule: the latest of lock + settle and the three loops
        let want = [
            r.lock_time.unwrap() + c.settle_ui,
            settle,
            r.lms_converged_ui.unwrap(),
            r.levels_converged_ui.unwrap(),
        ]
        .into_iter()
        .max();
        assert_eq!(r.converged_ui, want);
        let from = r.converged_ui.unwrap();
        assert!(
            k.from_ui >= from && k.from_ui < from + c.ui / CHECKPOINTS + 1,
            "{k:?}"
        );
        assert!(k.symbols_checked > 0 && k.symbols_checked < r.checker.symbols_checked);
    }

    /// The default AGC (tail mode: one sample in 256 at |x| >= 31) from +5.5 dB turns the
    /// gain down and holds clipping near 1/256, where the same start without it clips tens
    /// of percent.
    #[test]
    fn the_tail_mode_holds_clipping_near_its_target() {
        let c = adaptive("cpo", 200_000, GAIN_MAX);
        let ad = c.rx.adapt.as_ref().unwrap();
        assert_eq!(
            (ad.agc_tail, ad.agc_target),
            (8, 31),
            "the default is the tail mode"
        );
        let r = run_link_model(&c).unwrap();
        assert!(r.final_gain + 4 <= GAIN_MAX, "{r:?}");
        assert!(r.agc_settle_ui.is_some_and(|t| t < 50_000), "{r:?}");
        // clipped at |x| >= 31 after the first 50000 UI: near 2^-8 (0.39 %), far below
        // the start's
        assert!(
            r.clipped_fraction < 0.01,
            "{} clipped over the run",
            r.clipped_fraction
        );
        let mut off = c.clone();
        off.rx.adapt.as_mut().unwrap().agc_enable = false;
        let o = run_link_model(&off).unwrap();
        assert!(o.clipped_fraction > 0.05, "{}", o.clipped_fraction);
    }

    /// The model with an oracle: before each read cycle, what the register holds.
    struct Oracle {
        m: RxTopModel,
        reads: u64,
        last: std::collections::BTreeMap<u32, u8>,
        mismatches: u64,
    }
    impl Receiver for Oracle {
        fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
            let want = (!i.rst && !i.cfg_we).then(|| self.m.read_reg(i.cfg_addr) as u8);
            let o = RxTopModel::step(&mut self.m, i);
            if let Some(w) = want {
                self.reads += 1;
                self.mismatches += (o.rd_data != w) as u64;
                self.last.insert(i.cfg_addr, w);
            }
            Ok(o)
        }
    }

    #[test]
    fn readback_returns_the_models_own_registers() {
        // fixed taps: the read-back is the configuration itself
        let mut c = cfg("short", 5_000);
        c.readback = true;
        let mut m = RxTopModel::new(&c.rx).unwrap();
        let r = run_link(&c, &mut m, None).unwrap();
        let rb = r.readback.clone().expect("read back");
        assert_eq!(rb.taps, c.rx.reset_coefs);
        let ffe: Vec<i32> = m.ffe.c[..c.rx.n_taps]
            .iter()
            .map(|x| x.to_bits() as i32)
            .collect();
        assert_eq!(rb.taps, ffe);
        assert_eq!(rb.thresholds, c.rx.thresholds);
        assert_eq!(rb.targets, c.rx.targets);
        assert!(rb.reads >= 5_000 - c.writes.len() as u64);
        assert_eq!(run_link_model(&c).unwrap().readback, Some(rb));
        // adapting: every read equals the register before the read cycle's edge, and the
        // final codes are the last reads of each register
        let mut c = adaptive("cpo", 100_000, GAIN_UNITY);
        c.readback = true;
        let mut o = Oracle {
            m: RxTopModel::new(&c.rx).unwrap(),
            reads: 0,
            last: Default::default(),
            mismatches: 0,
        };
        let r = run_link(&c, &mut o, None).unwrap();
        let rb = r.readback.clone().expect("read back");
        assert_eq!(o.mismatches, 0);
        assert_eq!(rb.reads, o.reads);
        let last = |a: u32| o.last[&a] as i8 as i32;
        assert_eq!(
            rb.taps,
            (0..c.rx.n_taps as u32).map(last).collect::<Vec<_>>()
        );
        assert_eq!(
            rb.targets,
            std::array::from_fn(|j| last(CFG_TARGET_BASE + j as u32))
        );
        assert_eq!(
            rb.thresholds,
            std::array::from_fn(|j| last(CFG_THRESH_BASE + j as u32))
        );
        // the taps moved away from pass-through (so the reads are not the reset values),
        // and the model's registers now are within the convergence tolerance of them
        assert_ne!(rb.taps, c.rx.reset_coefs);
        for (k, &t) in rb.taps.iter().enumerate() {
            let now = o.m.ffe.c[k].to_bits() as i32;
            assert!(
                (now - t).abs() <= LMS_CONVERGED_TOL,
                "tap {k}: {now} vs {t}"
            );
        }
        assert!(
            r.lms_converged_ui.is_some() && r.levels_converged_ui.is_some(),
            "{r:?}"
        );
        // without read-back nothing is read and nothing converges
        c.readback = false;
        let r = run_link_model(&c).unwrap();
        assert_eq!(
            (&r.readback, r.lms_converged_ui, r.converged_ui),
            (&None, None, None)
        );
        assert!(r.unconverged(&c).unwrap().contains("read-back is off"));
    }

    #[test]
    fn settle_trace_on_crafted_traces() {
        let t = SettleTrace::new();
        assert_eq!(t.settled(2, 1000), None, "empty");
        // constant: settled from the first sample
        let mut t = SettleTrace::new();
        for k in 0..100 {
            t.push(5 + 10 * k, 7);
        }
        assert_eq!(t.settled(0, 1000), Some(5));
        // a step at 100, then held at 10 to the end
        let step = |tail: &[(u64, i32)]| {
            let mut t = SettleTrace::new();
            for k in 0..100u64 {
                let v = if k < 10 { 0 } else { 10 };
                if let Some(&(_, x)) = tail.iter().find(|p| p.0 == 10 * k) {
                    t.push(10 * k, x);
                } else {
                    t.push(10 * k, v);
                }
            }
            t
        };
        let t = step(&[]);
        assert_eq!(t.settled(2, 1000), Some(100));
        assert_eq!(
            t.settled(10, 1000),
            Some(0),
            "the step is within a wide tolerance"
        );
        // dither within the tolerance after the step does not count
        let t = step(&[(300, 12), (310, 8), (700, 12)]);
        assert_eq!(t.settled(2, 1000), Some(100));
        // at +-1 the excursion at 700 counts: settled at 710, past the run's half, too
        // late to tell in a run that ends at 1000, told in one that ends at 1420
        assert_eq!(t.settled(1, 1000), None);
        assert_eq!(t.settled(1, 1420), Some(710));
        assert_eq!(t.settled(1, 1419), None);
        let t = step(&[(900, 13)]);
        assert_eq!(
            t.settled(2, 1000),
            None,
            "a late excursion: too short to tell"
        );
        assert_eq!(t.settled(2, 2000), Some(910));
        assert_eq!(t.settled(3, 1000), Some(100));
        // the held stretch needs SETTLE_MIN_SAMPLES samples
        let mut t = SettleTrace::new();
        for k in 0..20u64 {
            t.push(
                k,
                if k < 20 - SETTLE_MIN_SAMPLES + 1 {
                    -100
                } else {
                    100
                },
            );
        }
        assert_eq!(t.settled(2, 1000), None);
        t.push(20, 100);
        assert_eq!(t.settled(2, 1000), Some(20 - SETTLE_MIN_SAMPLES + 1));
        // the value range is the 8-bit registers'
        let mut t = SettleTrace::new();
        for k in 0..10 {
            t.push(k, -128);
        }
        for k in 10..40 {
            t.push(k, 127);
        }
        assert_eq!(t.last(), Some(127));
        assert_eq!(t.settled(255, 100), Some(0));
        assert_eq!(t.settled(254, 100), Some(10));
    }

    #[test]
    fn pi_codes_to_phases() {
        assert_eq!(pi_code_to_phase_ui(0.0), 0.0);
        assert_eq!(pi_code_to_phase_ui(32.0), 0.25);
        assert_eq!(pi_code_to_phase_ui(64.0), -0.5);
        assert_eq!(pi_code_to_phase_ui(127.0), -1.0 / 128.0);
        assert_eq!(pi_code_to_phase_ui(130.0), 2.0 / 128.0);
    }

    #[test]
    fn locks_and_runs_error_free_on_a_short_channel() {
        let r = run_link_model(&cfg("short", 200_000)).unwrap();
        assert!(r.lock_time.is_some(), "{r:?}");
        assert_eq!(r.checker.slips, 0, "{r:?}");
        assert_eq!(r.checker.symbol_errors, 0, "{r:?}");
        assert!(r.counted_ui > 150_000);
    }

    /// The decimated loop at P = 4 and 8 (phase moves once per clock) still locks and runs
    /// error free, and the generic loop agrees with the fast path.
    #[test]
    fn locks_with_lanes() {
        for lanes in [4, 8] {
            let mut c = cfg("short", 200_000);
            c.rx = c.rx.with_lanes(lanes).unwrap();
            let r = run_link_model(&c).unwrap();
            assert!(r.lock_time.is_some(), "P={lanes} {r:?}");
            assert_eq!(r.checker.slips, 0, "P={lanes} {r:?}");
            assert_eq!(r.checker.symbol_errors, 0, "P={lanes} {r:?}");
            assert!(r.counted_ui > 150_000);
            c.ui = 20_000;
            c.writes = vec![(CFG_PHASE, 77)];
            let fast = run_link_model(&c).unwrap();
            let mut m = RxTopModel::new(&c.rx).unwrap();
            let slow = run_link(&c, &mut m, None).unwrap();
            assert_eq!(
                (fast.lock_time, fast.final_phase, fast.checker, fast.mse),
                (slow.lock_time, slow.final_phase, slow.checker, slow.mse)
            );
        }
    }

    #[test]
    fn same_seed_same_run() {
        let a = run_link_model(&cfg("cpo", 30_000)).unwrap();
        let b = run_link_model(&cfg("cpo", 30_000)).unwrap();
        assert_eq!(
            (a.final_phase, a.final_freq, a.mse),
            (b.final_phase, b.final_freq, b.mse)
        );
    }

    #[test]
    fn mmse_taps_equalize_the_cursors() {
        let p = PulseResponse::builtin("mr").unwrap();
        let c = mmse_taps(&p, 5, 1, 0.0, 0.0);
        // the equalized pulse: main ~1, first pre/post cursors much smaller than unequalized
        let cur = p.cursors(0.0);
        let h = |j: i64| {
            cur.iter()
                .find(|x| x.0 as i64 == j)
                .map(|x| x.1)
                .unwrap_or(0.0)
        };
        let eq = |n: i64| (0..5).map(|k| c[k] * h(n - k as i64)).sum::<f64>();
        assert!((eq(1) - 1.0).abs() < 0.05, "{}", eq(1));
        assert!(
            eq(0).abs() < 0.05 && eq(2).abs() < 0.05,
            "{} {}",
            eq(0),
            eq(2)
        );
        assert!(h(-1) > 0.2 && h(1) > 0.25);
    }
}

#[cfg(test)]
mod speed {
    use super::*;
    /// `cargo test --release -p cporx-link --lib closed_loop::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn loop_rate() {
        let mut afe = AfeConfig::new(PulseResponse::builtin("short").unwrap());
        afe.snr_db = Some(25.0);
        afe.rj_rms_ui = 0.01;
        afe.sj_amp_ui = 0.1;
        afe.sj_freq_per_ui = 1e-4;
        afe.ppm = 200.0;
        let c = LinkConfig::new(afe, 3, 10_000_000).unwrap();
        let t = std::time::Instant::now();
        let r = run_link_model(&c).unwrap();
        println!(
            "{:.2} M UI/s, {} {}",
            1e7 / t.elapsed().as_secs_f64() / 1e6,
            r.lock_text(),
            r.ber_text(&c)
        );
    }
}
