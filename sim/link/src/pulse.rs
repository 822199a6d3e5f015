//! The pulse response: its one type, the built-in channels, and the way from a measured
//! transfer function (SDD21) to it.
//!
//! [`PulseResponse`] is the channel's response to one 1-UI rectangular symbol, tabulated at
//! `os` points per UI around its peak, with the [`Measurement`] of the channel when it comes
//! from one. [`pulse_response`] turns a channel transfer function [`FreqResponse`] (typically
//! the differential insertion loss SDD21 of a Touchstone file, see [`crate::touchstone`]) into
//! the receiver-input response in absolute amplitudes; [`PulseResponse::normalized`] gives the
//! peak-1 table the behavioral AFE ([`crate::afe`]) and the statistical eye take; the
//! built-ins ([`PulseResponse::builtin`]) are normalized from the start.
//!
//! # Built-in channels
//!
//! [`PulseResponse::builtin`]: normalized to a peak of 1.0, shifted so the peak is at t = 0;
//! between table points linearly interpolated, outside the table 0.
//! All tabulated at 64 points per UI, trimmed so the dropped tails are below 1e-4 of the peak
//! and the span is at most 24 UI (for `mr` the 24-UI cap cuts the far post-cursor tail at
//! 1.06e-4 of the peak, at +21.7 UI). Each is a 1-UI rectangle convolved (numerically, on the
//! 64/UI grid) with a Gaussian impulse response of -3 dB bandwidth `f3` (fraction of the baud
//! rate; |H(f)| = exp(-f^2 / (2 sf^2)), f3 = sf * sqrt(ln 2), time-domain sigma = 1/(2 pi sf)),
//! and optionally with a one-pole tail `h = (1-a) delta + a (1/tau) exp(-t/tau)` (a, tau in UI):
//!
//! | name    | what                                   | f3   | tail a | tau (UI) |
//! |---------|----------------------------------------|------|--------|----------|
//! | `ideal` | nearly ISI free                        | 1.50 | -      | -        |
//! | `cpo`   | co-packaged XSR hop, a few mm          | 0.55 | 0.05   | 1.5      |
//! | `short` | short package + board trace            | 0.40 | 0.15   | 2.0      |
//! | `mr`    | medium reach                           | 0.28 | 0.25   | 3.0      |
//!
//! Symbol-spaced cursors at phase 0 (peak at t = 0):
//!
//! | name    | span (UI)        | h(-1)  | h(0) | h(1)   | h(2)   | h(3)   |
//! |---------|------------------|--------|------|--------|--------|--------|
//! | `ideal` | -0.83 .. +0.83   | 0.0000 | 1    | 0.0000 | 0.0000 | 0.0000 |
//! | `cpo`   | -1.39 .. +8.86   | 0.0195 | 1    | 0.0383 | 0.0097 | 0.0050 |
//! | `short` | -1.75 .. +13.78  | 0.0803 | 1    | 0.1249 | 0.0362 | 0.0220 |
//! | `mr`    | -2.31 .. +21.69  | 0.2165 | 1    | 0.2722 | 0.0763 | 0.0541 |
//!
//! # From a measured channel: [`pulse_response`], what is computed
//!
//! The transmitter sends one 1-UI rectangular pulse of amplitude 1 (spectrum
//! `T sinc(f T) exp(-j pi f T)`, T = 1 UI in seconds, so the pulse occupies t = 0 .. T). It goes
//! through, in cascade (all multiplied in the frequency domain):
//!
//! * the **TX filter**, a Gaussian `H_t(f) = exp(-(pi f Tr / 1.6832)^2)` with `Tr` the 20-80 %
//!   rise time ([`PulseOpts::tx_rise_ps`]); this is the transmitter rise-time filter of the
//!   IEEE 802.3 Annex 93A channel operating margin (COM) method. Default `Tr` = 6.16 ps at
//!   53.125 GBd (0.327 UI; the value recalled from the 802.3ck COM parameter tables, not
//!   re-checked against the standard text here); [`PulseOpts::for_baud`] keeps it at 0.327 UI.
//!   `Tr` = 0 disables the filter.
//! * the **channel** `H(f)` (interpolated / extrapolated as below);
//! * the **RX filter**, a 4th-order Bessel-Thomson low pass (COM's receiver noise filter)
//!   `H_r(f) = 105 / (105 + 105 s + 45 s^2 + 10 s^3 + s^4)`, `s = j 2.1139 f / f_r`, with its
//!   -3 dB frequency `f_r = rx_bt_rel * baud` (default 0.75, as in COM).
//!
//! Both filters are there for the same reason COM has them: a measured channel alone has
//! content up to (and, after extrapolation, beyond) its last measured frequency, which no real
//! transmitter drives and no real receiver sees; the filters make the result independent of
//! how the data end and bound the bandwidth, so the time step `1 / (os baud)` does not alias.
//!
//! The product is sampled on a uniform grid `k df`, `k = 0 ..= N/2`, `N = os * R`,
//! `df = baud / R` (R = record length in UI: 1024, or the next power of two >= 4 `span_ui` if
//! larger), so the top grid frequency is `os baud / 2` and the time step is `1 / (os baud)`;
//! a Hermitian inverse FFT (real output, scaled by `df`) gives the continuous-time pulse at the
//! grid times. Before the FFT a bulk delay (least-squares fit of the unwrapped phase,
//! `phase = -2 pi f tau`) is removed, so the response sits near the record start whatever the
//! channel's length; it is added back in [`Measurement::delay_ps`]. The record is then rotated
//! so the peak (largest |value|) sits R/4 into it, leaving R/4 UI before the peak (where any
//! non-causal energy or a wrapped tail would show) and 3R/4 after it.
//!
//! # Interpolation and extrapolation of the channel
//!
//! Between data points, `|H|` is interpolated linearly in dB and the phase linearly in the
//! **unwrapped** phase. Magnitudes below 1e-15 are floored there (-300 dB).
//!
//! * **Unwrapping**: from the first point above 0 Hz on, steps wrapped into (-pi, pi]. The
//!   absolute phase of that first point (its multiple of 2 pi, unknown from the data when the
//!   data start well above 0 Hz) is the one closest to `f_first * s`, `s` the mean phase slope
//!   (rad/Hz) of the first up-to-8 steps: a constant group delay down to DC.
//! * **Below the first point, to DC**: the magnitude is held at the lowest point's (the 0 Hz
//!   point's, when the data have one); the phase goes linearly to exactly 0 at 0 Hz (the
//!   phase value of a 0 Hz data point is ignored: a passive channel is real at DC; measured
//!   files often carry a few degrees of calibration error there). So `H(0) = |H(f_first)|`,
//!   real and positive ([`Measurement::dc_gain`]).
//! * **Above the last point**: the dB loss continues on a straight line with the least-squares
//!   slope of the top 10 % of the band (points at or above 0.9 f_top, at least the last two),
//!   clamped to <= 0 dB/Hz (the extrapolated loss never decreases), and the phase continues on
//!   a straight line with the least-squares phase slope of the same points (constant group
//!   delay). Both lines start at the last data point (continuous). The TX and RX filters then
//!   roll the result off.
//!
//! # Units and outputs
//!
//! Frequencies in Hz, times in UI of the chosen baud rate unless a name says `_ps`. The pulse
//! samples are **absolute** (the response to the amplitude-1 1-UI pulse; an ISI-free lossless
//! link gives a peak near 1). [`Measurement::il_nyquist_db`] is the channel's loss at
//! baud / 2 (interpolated as above, positive dB, without the filters). Useful exact check of
//! scale: the samples taken one UI apart sum to `H(0)` at any phase (the sinc spectrum of a
//! 1-UI pulse vanishes at every nonzero multiple of the baud rate).
//!
//! # Window
//!
//! The kept samples start at the first one at or above 1e-4 of |peak| within `span_ui / 4`
//! before the peak and end at the last one at or above 1e-4 of |peak| within `span_ui` after
//! it, total span capped at `span_ui` (cutting the end of the tail; the largest dropped value
//! is reported in [`Measurement::cut_tail_rel`]).
//!
//! # Accuracy
//!
//! * The FFT evaluation itself agrees with direct numerical integration of the same spectrum
//!   to ~1e-9 of the peak for a short-tailed channel and ~1e-6 for a skin-effect channel,
//!   whose t^-3/2 tail wraps around the 1024-UI record (unit test).
//! * The scale is exact: the UI-spaced samples of the whole record sum to `H(0)` to 1e-9. In
//!   the *kept* table, long tails are cut: a skin-effect channel keeps a few % of its DC
//!   content beyond 64 UI (see [`Measurement::cut_tail_rel`] and [`PulseResponse::comb_sum`]).
//! * The data matter: the extrapolation above the last measured point is a guess. A one-pole
//!   20 GHz RC given to 50 GHz differs from the exact analytic RC by 6e-4 (peak 0.79) at
//!   53.125 GBd; a file whose last point is below the Nyquist frequency (42 GHz data at
//!   106.25 GBd) relies on it entirely (causality figure ~2e-3 there).
//! * The time grid step is 1 / os UI: the peak time and the delay are quantized to it.
//! * [`Measurement::causality`] is the fraction of the record's energy before the main
//!   response starts (the last point before the peak where |p| < 1 % of |peak|): 1e-6 .. 1e-5
//!   for causal synthetic channels, 2.7e-5 and 7e-6 for the two measured channels below.
//!   A linear-phase (zero-phase) loss model is *not* causal and scores ~1e-4.
//!
//! # Loading a file: [`load_channel`]
//!
//! The one loader of `cporx study`, `cporx channel` and `cporx link --channel` ([`ChannelLoad`]:
//! port count, port map, `force_map`, baud rate): reads the file, refuses |S_ij| above
//! 1 + [`touchstone::PASSIVITY_TOL`] (naming the element and frequency), checks an explicit
//! map against the best pairing ([`touchstone::Touchstone::check_map`]) and, when its pulse is
//! not causal while the detected map's is, refuses it too (unless forced), builds the pulse,
//! and returns [`LoadedChannel`]: the pulse, the IL at Nyquist with a flag saying whether it
//! is extrapolated (baud / 2 above the last data point), and the warnings (extrapolation,
//! more than [`BEYOND_DATA_WARN`] of the pulse's spectral energy above the data, causality
//! above [`CAUSALITY_WARN`], |S_ij| slightly above 1, a forced map).
//!
//! # Measured channels (53.125 GBd, defaults)
//!
//! SDD21 of the files in `shared/channels` (cursors absolute, at the peak phase):
//!
//! | file | IL @ 26.5625 GHz | peak | h-1 | h+1 | h+2 | h+3 | h+4 | delay |
//! |---|---|---|---|---|---|---|---|---|
//! | `TEC_SMT_IO_42GHz_Thru_B5B6_4in` | 8.46 dB | 0.576 | 0.089 | 0.155 | 0.049 | 0.027 | 0.007 | 911 ps |
//! | `C2M__Z100_IL14_WC_BOR_H_L_H_THRU` | 13.94 dB | 0.425 | 0.092 | 0.154 | 0.068 | 0.045 | 0.024 | 2784 ps |

use crate::touchstone::{self, FreqResponse, PortMap};
use num_complex::Complex64;
use std::f64::consts::{PI, TAU};

/// 26.5625 GBd (50G per lane PAM-4), Hz. The three named rates: this, [`BAUD_53G`], [`BAUD_106G`].
pub const BAUD_26G: f64 = 26.5625e9;
/// 53.125 GBd (100G per lane PAM-4), the default.
pub const BAUD_53G: f64 = 53.125e9;
/// 106.25 GBd (200G per lane PAM-4).
pub const BAUD_106G: f64 = 106.25e9;
/// Default TX 20-80 % rise time at 53.125 GBd, ps (COM 802.3ck value as recalled).
pub const DEFAULT_TX_RISE_PS: f64 = 6.16;
/// Default RX Bessel-Thomson -3 dB frequency, fraction of the baud rate (COM).
pub const DEFAULT_RX_BT_REL: f64 = 0.75;
/// Default maximum kept span, UI.
pub const DEFAULT_SPAN_UI: f64 = 64.0;
/// Default points per UI.
pub const DEFAULT_OS: usize = 64;
/// Minimum time-record length, UI (power of two).
pub const RECORD_MIN_UI: usize = 1024;
/// Tails are trimmed where they fall below this fraction of |peak|.
pub const TAIL_REL: f64 = 1e-4;

/// Magnitude floor for the dB interpolation (-300 dB).
const MAG_FLOOR: f64 = 1e-15;
/// A pulse whose peak is below this (more than 180 dB of loss) is an error.
const MIN_PEAK: f64 = 1e-9;
/// Fraction of |peak| that marks the start of the main response (causality figure).
const START_REL: f64 = 1e-2;

/// Errors of [`pulse_response`], the helpers and the [`PulseResponse`] constructors: an option
/// out of range, a malformed frequency response, a degenerate result, an unknown built-in
/// channel, a malformed table.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PulseError {
    #[error("pulse option `{field}` = {value} is out of range: legal is {lo} ..= {hi}")]
    OutOfRange {
        field: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
    #[error("frequency response: {0}")]
    BadResponse(String),
    #[error("the pulse response is zero (peak below 1e-9: the channel loses more than 180 dB)")]
    ZeroPulse,
    #[error("unknown channel `{name}`: built-in channels are {}", BUILTIN_NAMES.join(", "))]
    UnknownChannel { name: String },
    #[error("pulse response `{name}`: {reason}")]
    BadPulse { name: String, reason: String },
}

/// Points per UI of the built-in pulse responses.
pub const BUILTIN_OS: usize = 64;
/// Maximum total span of a built-in pulse response, UI.
pub const BUILTIN_MAX_SPAN_UI: f64 = 24.0;
/// Built-in tails are trimmed where they fall below this fraction of the peak.
pub const BUILTIN_TAIL_REL: f64 = 1e-4;

const BUILTIN_NAMES: &[&str] = &["ideal", "cpo", "short", "mr"];

/// A continuous-time pulse response: the channel's response to one 1-UI rectangular symbol
/// of amplitude 1, tabulated at `os` points per UI; sample `i` is the value at `t0 + i / os`
/// UI, times relative to the peak (`t0 <= 0`). Between table points it is linearly
/// interpolated; outside the table it is 0.
///
/// Two scales, one type: [`pulse_response`] gives the **absolute** amplitudes of a measured
/// channel (peak near 1 for a lossless link) with its [`Measurement`]; the built-ins,
/// [`PulseResponse::from_samples`] and [`PulseResponse::normalized`] give the **normalized**
/// table (largest |sample| exactly +1, at t = 0), the one the AFE and the statistical eye
/// take ([`PulseResponse::is_normalized`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PulseResponse {
    /// for messages and plots (a loaded channel's file stem; empty from [`pulse_response`])
    pub name: String,
    pub os: usize,
    /// time of the first sample, UI relative to the peak
    pub t0: f64,
    pub samples: Vec<f64>,
    /// what the measured channel behind the table gave (`None`: built-in or given table)
    pub measured: Option<Measurement>,
}

/// What a pulse response built from a measured channel ([`pulse_response`]) knows besides its
/// table; it stays with the table when it is normalized.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub baud_hz: f64,
    /// the absolute peak sample (largest |value|; negative for a polarity-inverting channel)
    pub peak: f64,
    /// channel loss at baud / 2, dB, positive (channel alone, no filters)
    pub il_nyquist_db: f64,
    /// channel |H(0)| as extrapolated (linear)
    pub dc_gain: f64,
    /// energy before the start of the main response / total energy of the time record
    pub causality: f64,
    /// time of the peak after the start of the transmitted 1-UI pulse, ps (includes T/2,
    /// filter delays and the channel's delay)
    pub delay_ps: f64,
    /// largest |sample| dropped after the kept window, relative to |peak|
    pub cut_tail_rel: f64,
}

/// A table sampled at `os` points per UI from `t0` UI, at time `t`: linear interpolation
/// between points, zero-extended outside (so it reaches 0 within one grid step).
#[inline]
fn table_value(samples: &[f64], t0: f64, os: usize, t: f64) -> f64 {
    let x = (t - t0) * os as f64;
    if !x.is_finite() {
        return 0.0;
    }
    let i0 = x.floor();
    let f = x - i0;
    let i0 = i0 as i64;
    let s = |i: i64| -> f64 {
        if i < 0 || i >= samples.len() as i64 {
            0.0
        } else {
            samples[i as usize]
        }
    };
    let a = s(i0);
    let b = s(i0 + 1);
    a + f * (b - a)
}

/// Index of the largest-magnitude sample (the first one if tied).
fn abs_argmax(samples: &[f64]) -> usize {
    samples.iter().enumerate().fold(0usize, |best, (i, v)| {
        if v.abs() > samples[best].abs() {
            i
        } else {
            best
        }
    })
}

impl PulseResponse {
    /// Value at time `t` (UI): linear interpolation between table points; the table is
    /// zero-extended, so the response is 0 outside it (reaching 0 within one grid step).
    pub fn value(&self, t: f64) -> f64 {
        table_value(&self.samples, self.t0, self.os, t)
    }

    /// (first, last) tabulated time in UI.
    pub fn span_ui(&self) -> (f64, f64) {
        let n = self.samples.len().max(1);
        (self.t0, self.t0 + (n - 1) as f64 / self.os as f64)
    }

    /// Time (UI) of the largest sample (the first one if tied); 0 for a normalized table.
    pub fn peak_time(&self) -> f64 {
        self.t0 + argmax(&self.samples) as f64 / self.os as f64
    }

    /// The largest-magnitude sample (the first one if tied), with its sign: exactly 1 for a
    /// normalized table, the absolute peak ([`Measurement::peak`]) for a measured one.
    pub fn peak(&self) -> f64 {
        self.samples
            .get(abs_argmax(&self.samples))
            .copied()
            .unwrap_or(0.0)
    }

    /// Whether the table is normalized (largest |sample| exactly +1), as the AFE needs.
    pub fn is_normalized(&self) -> bool {
        self.peak() == 1.0
    }

    /// Symbol-spaced samples `(k, p(k + phase))` for every integer `k` with `k + phase`
    /// inside the span, in increasing `k` (k = 0 is the main cursor at phase 0).
    ///
    /// (Before the AFE and the measured channels shared this type, the measured one widened
    /// the span by 1e-9 UI at both ends. Every caller takes a measured channel's cursors at
    /// phases that are multiples of 1/32 UI, with tables of 64 points per UI: the span ends
    /// minus the phase are then exact binary fractions and both rules pick the same `k`.)
    pub fn cursors(&self, phase: f64) -> Vec<(i32, f64)> {
        let (a, b) = self.span_ui();
        let k0 = (a - phase).ceil() as i32;
        let k1 = (b - phase).floor() as i32;
        (k0..=k1)
            .map(|k| (k, self.value(k as f64 + phase)))
            .collect()
    }

    /// The main cursor (the value at the peak, t = 0).
    pub fn main_cursor(&self) -> f64 {
        self.value(0.0)
    }

    /// Sum of the symbol-spaced samples at `phase` over the kept span (for a measured pulse
    /// this equals [`Measurement::dc_gain`] up to the trimmed tails).
    pub fn comb_sum(&self, phase: f64) -> f64 {
        self.cursors(phase).iter().map(|c| c.1).sum()
    }

    /// Names of the built-in channels, for [`PulseResponse::builtin`].
    pub fn builtin_names() -> &'static [&'static str] {
        BUILTIN_NAMES
    }

    /// A built-in channel by name (see the module documentation for the shapes), normalized.
    pub fn builtin(name: &str) -> Result<PulseResponse, PulseError> {
        let (f3, tail) = builtin_params(name).ok_or_else(|| PulseError::UnknownChannel {
            name: name.to_string(),
        })?;
        let raw = gaussian_pulse(f3, tail, BUILTIN_OS);
        Self::from_samples(name, BUILTIN_OS, 0.0, trim_tails(raw, BUILTIN_OS))
    }

    /// A normalized pulse response from a table of `os` points per UI starting at `t0` (UI).
    /// Validates `os` in 8..=1024, a non-empty table of finite values and a nonzero peak
    /// (largest-magnitude sample); divides by that peak value (so the peak becomes +1, a
    /// polarity inversion is removed) and re-sets `t0` so the peak sits at t = 0 exactly
    /// (the given `t0` only matters for error-free validation; the result depends on the
    /// position of the peak within the table).
    pub fn from_samples(
        name: impl Into<String>,
        os: usize,
        t0: f64,
        samples: Vec<f64>,
    ) -> Result<Self, PulseError> {
        let name = name.into();
        let bad = |reason: String| PulseError::BadPulse {
            name: name.clone(),
            reason,
        };
        if !(8..=1024).contains(&os) {
            return Err(bad(format!(
                "os = {os} points per UI is out of range: legal is 8 ..= 1024"
            )));
        }
        if !t0.is_finite() {
            return Err(bad(format!("t0 = {t0} is not finite")));
        }
        if samples.is_empty() {
            return Err(bad("the sample table is empty".into()));
        }
        if let Some(i) = samples.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!("sample {i} = {} is not finite", samples[i])));
        }
        let ip = abs_argmax(&samples);
        let peak = samples[ip];
        if peak == 0.0 {
            return Err(bad("the peak is zero (all samples are 0)".into()));
        }
        let samples: Vec<f64> = samples.iter().map(|v| v / peak).collect();
        Ok(PulseResponse {
            name,
            os,
            t0: -(ip as f64) / os as f64,
            samples,
            measured: None,
        })
    }

    /// The normalized table (peak +1 at t = 0; [`PulseResponse::from_samples`] on this
    /// table), keeping the name and the measurement. A normalized table comes back equal.
    pub fn normalized(&self) -> Result<PulseResponse, PulseError> {
        let mut p =
            PulseResponse::from_samples(self.name.clone(), self.os, self.t0, self.samples.clone())?;
        p.measured = self.measured.clone();
        Ok(p)
    }

    /// Checks the table: `os` in 8..=1024, a finite `t0`, a non-empty table of finite values.
    pub fn check(&self) -> Result<(), PulseError> {
        let bad = |reason: String| PulseError::BadPulse {
            name: self.name.clone(),
            reason,
        };
        if !(8..=1024).contains(&self.os) {
            return Err(bad(format!(
                "os = {} points per UI is out of range: legal is 8 ..= 1024",
                self.os
            )));
        }
        if !self.t0.is_finite() || self.t0.abs() > 1e6 {
            return Err(bad(format!("t0 = {} is not a finite time", self.t0)));
        }
        if self.samples.is_empty() {
            return Err(bad("the sample table is empty".into()));
        }
        if self.samples.iter().any(|v| !v.is_finite()) {
            return Err(bad("the sample table holds non-finite values".into()));
        }
        Ok(())
    }
}

/// (f3, optional (a, tau)) of a built-in channel.
fn builtin_params(name: &str) -> Option<(f64, Option<(f64, f64)>)> {
    Some(match name {
        "ideal" => (1.5, None),
        "cpo" => (0.55, Some((0.05, 1.5))),
        "short" => (0.40, Some((0.15, 2.0))),
        "mr" => (0.28, Some((0.25, 3.0))),
        _ => return None,
    })
}

fn argmax(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .fold(0usize, |best, (i, &x)| if x > v[best] { i } else { best })
}

/// 1-UI rectangle (trapezoid-rule weights, 0.5 at both edges) convolved with a Gaussian of
/// -3 dB bandwidth `f3` (fraction of the baud rate), then optionally with the one-pole tail
/// `(1-a) delta + a (1/tau) exp(-t/tau)`. Grid `os` points per UI; unnormalized, untrimmed.
fn gaussian_pulse(f3: f64, tail: Option<(f64, f64)>, os: usize) -> Vec<f64> {
    let dt = 1.0 / os as f64;
    let sf = f3 / std::f64::consts::LN_2.sqrt();
    let sigma = 1.0 / (TAU * sf);
    let gh = (10.0 * sigma * os as f64).ceil() as usize;
    let mut g: Vec<f64> = (0..=2 * gh)
        .map(|i| {
            let t = (i as f64 - gh as f64) * dt;
            (-t * t / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let gs: f64 = g.iter().sum();
    g.iter_mut().for_each(|x| *x /= gs);
    let rect: Vec<f64> = (0..=os)
        .map(|i| if i == 0 || i == os { 0.5 } else { 1.0 })
        .collect();
    let tail_len = match tail {
        Some((_, tau)) => (30.0 * tau * os as f64).ceil() as usize,
        None => 0,
    };
    let n = rect.len() + g.len() - 1 + tail_len;
    let mut y = vec![0.0; n];
    for (i, &r) in rect.iter().enumerate() {
        for (j, &gv) in g.iter().enumerate() {
            y[i + j] += r * gv;
        }
    }
    if let Some((a, tau)) = tail {
        // one pole: z[n] = al z[n-1] + (1 - al) x[n], the convolution with the discrete
        // exponential (1 - al) al^i (unit sum), al = exp(-dt / tau)
        let al = (-dt / tau).exp();
        let mut z = 0.0;
        for v in y.iter_mut() {
            z = al * z + (1.0 - al) * *v;
            *v = (1.0 - a) * *v + a * z;
        }
    }
    y
}

/// Drop the leading and trailing samples below `BUILTIN_TAIL_REL` of the peak, then cap the
/// total span at `BUILTIN_MAX_SPAN_UI` (cutting the end of the post-cursor tail).
fn trim_tails(y: Vec<f64>, os: usize) -> Vec<f64> {
    let peak = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let thr = BUILTIN_TAIL_REL * peak;
    let first = y.iter().position(|v| v.abs() >= thr).unwrap_or(0);
    let last = y.iter().rposition(|v| v.abs() >= thr).unwrap_or(0);
    let max_len = (BUILTIN_MAX_SPAN_UI * os as f64) as usize + 1;
    let last = last.min(first + max_len - 1);
    y[first..=last].to_vec()
}

/// Options of [`pulse_response`]. See the module documentation for the model.
#[derive(Clone, Debug, PartialEq)]
pub struct PulseOpts {
    /// Symbol rate, Hz. Legal 1e9 ..= 400e9.
    pub baud_hz: f64,
    /// Points per UI of the result (and of the time grid). Legal 8 ..= 1024.
    pub os: usize,
    /// TX Gaussian filter 20-80 % rise time, ps; 0 disables it. Legal 0 ..= 2 UI (in ps).
    pub tx_rise_ps: f64,
    /// RX 4th-order Bessel-Thomson -3 dB frequency as a fraction of the baud rate.
    /// Legal 0.1 ..= 5.
    pub rx_bt_rel: f64,
    /// Maximum total span of the kept pulse, UI. Legal 4 ..= 512.
    pub span_ui: f64,
}

impl Default for PulseOpts {
    /// [`PulseOpts::for_baud`]`(53.125e9)`: os 64, Tr 6.16 ps, f_r 0.75 baud, span 64 UI.
    fn default() -> Self {
        Self::for_baud(BAUD_53G)
    }
}

impl PulseOpts {
    /// Defaults for a baud rate (any; [`BAUD_26G`], [`BAUD_53G`], [`BAUD_106G`] are the named
    /// ones): os 64, span 64 UI, f_r = 0.75 baud, and the TX rise time scaled to stay at the
    /// same fraction of a UI as 6.16 ps at 53.125 GBd (0.327 UI: 12.32 ps at 26.5625 GBd,
    /// 3.08 ps at 106.25 GBd).
    pub fn for_baud(baud_hz: f64) -> Self {
        PulseOpts {
            baud_hz,
            os: DEFAULT_OS,
            tx_rise_ps: DEFAULT_TX_RISE_PS * BAUD_53G / baud_hz,
            rx_bt_rel: DEFAULT_RX_BT_REL,
            span_ui: DEFAULT_SPAN_UI,
        }
    }

    /// One UI in seconds.
    pub fn ui_s(&self) -> f64 {
        1.0 / self.baud_hz
    }

    /// Check every field against its legal range (errors name the field and the range).
    pub fn validate(&self) -> Result<(), PulseError> {
        fn range(field: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), PulseError> {
            if value.is_finite() && value >= lo && value <= hi {
                Ok(())
            } else {
                Err(PulseError::OutOfRange {
                    field,
                    value,
                    lo,
                    hi,
                })
            }
        }
        range("baud_hz", self.baud_hz, 1e9, 400e9)?;
        range("os", self.os as f64, 8.0, 1024.0)?;
        range("tx_rise_ps", self.tx_rise_ps, 0.0, 2e12 / self.baud_hz)?;
        range("rx_bt_rel", self.rx_bt_rel, 0.1, 5.0)?;
        range("span_ui", self.span_ui, 4.0, 512.0)?;
        Ok(())
    }

    /// Time-record length in UI: max(1024, next power of two >= 4 span_ui).
    fn record_ui(&self) -> usize {
        RECORD_MIN_UI.max(((4.0 * self.span_ui).ceil() as usize).next_power_of_two())
    }
}

/// TX Gaussian rise-time filter `exp(-(pi f Tr / 1.6832)^2)` at `f_hz` (real, zero phase).
pub fn tx_filter(opts: &PulseOpts, f_hz: f64) -> f64 {
    let x = PI * f_hz * opts.tx_rise_ps * 1e-12 / 1.6832;
    (-x * x).exp()
}

/// RX 4th-order Bessel-Thomson filter at `f_hz`, -3 dB at `rx_bt_rel * baud_hz`.
pub fn rx_filter(opts: &PulseOpts, f_hz: f64) -> Complex64 {
    let s = Complex64::new(0.0, 2.1139 * f_hz / (opts.rx_bt_rel * opts.baud_hz));
    let s2 = s * s;
    let den = 105.0 + 105.0 * s + 45.0 * s2 + 10.0 * s2 * s + s2 * s2;
    Complex64::new(105.0, 0.0) / den
}

/// The channel, validated and prepared for interpolation: points from 0 Hz (a DC point is
/// synthesized if the data have none), dB magnitude, unwrapped phase, and the extrapolation
/// lines above the last point.
#[derive(Clone, Debug)]
struct Channel {
    f: Vec<f64>,
    db: Vec<f64>,
    ph: Vec<f64>,
    /// dB/Hz above the last point (<= 0)
    top_db_slope: f64,
    /// rad/Hz above the last point
    top_ph_slope: f64,
    /// least-squares bulk delay, s
    bulk_delay_s: f64,
}

fn wrap_pi(x: f64) -> f64 {
    let y = x - 2.0 * PI * (x / (2.0 * PI)).round();
    if y <= -PI {
        y + 2.0 * PI
    } else {
        y
    }
}

/// Least-squares slope of y against x (x not all equal).
fn ls_slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
    }
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

impl Channel {
    fn new(h: &FreqResponse) -> Result<Channel, PulseError> {
        let bad = |s: String| Err(PulseError::BadResponse(s));
        let n = h.f_hz.len();
        if n != h.h.len() {
            return bad(format!(
                "{} frequencies but {} transfer-function values",
                n,
                h.h.len()
            ));
        }
        if n < 2 {
            return bad(format!("{n} points: at least 2 are needed"));
        }
        for i in 0..n {
            if !h.f_hz[i].is_finite() || !h.h[i].re.is_finite() || !h.h[i].im.is_finite() {
                return bad(format!(
                    "point {i} is not finite (f = {} Hz, H = {})",
                    h.f_hz[i], h.h[i]
                ));
            }
        }
        if h.f_hz[0] < 0.0 {
            return bad(format!("negative frequency {} Hz", h.f_hz[0]));
        }
        for i in 1..n {
            if h.f_hz[i] <= h.f_hz[i - 1] {
                return bad(format!(
                    "frequencies not strictly increasing at point {i}: {} Hz after {} Hz",
                    h.f_hz[i],
                    h.f_hz[i - 1]
                ));
            }
        }
        let i1 = usize::from(h.f_hz[0] == 0.0);
        let arg: Vec<f64> = h.h.iter().map(|v| v.arg()).collect();
        // phase slope of the first up-to-8 steps above 0 Hz
        let steps = (n - 1 - i1).min(8);
        let s0 = if steps == 0 {
            0.0
        } else {
            (i1..i1 + steps)
                .map(|i| wrap_pi(arg[i + 1] - arg[i]) / (h.f_hz[i + 1] - h.f_hz[i]))
                .sum::<f64>()
                / steps as f64
        };
        let pred = s0 * h.f_hz[i1];
        let first = arg[i1] + 2.0 * PI * ((pred - arg[i1]) / (2.0 * PI)).round();
        let mut f = Vec::with_capacity(n + 1);
        let mut db = Vec::with_capacity(n + 1);
        let mut ph = Vec::with_capacity(n + 1);
        let mdb = |v: Complex64| 20.0 * v.norm().max(MAG_FLOOR).log10();
        // DC point: magnitude of the lowest point, phase 0
        f.push(0.0);
        db.push(mdb(h.h[0]));
        ph.push(0.0);
        let mut p = first;
        for i in i1..n {
            if i > i1 {
                p += wrap_pi(arg[i] - arg[i - 1]);
            }
            f.push(h.f_hz[i]);
            db.push(mdb(h.h[i]));
            ph.push(p);
        }
        let m = f.len();
        let f_top = f[m - 1];
        let mut k = f.partition_point(|&x| x < 0.9 * f_top);
        k = k.min(m - 2);
        let top_db_slope = ls_slope(&f[k..], &db[k..]).min(0.0);
        let top_ph_slope = ls_slope(&f[k..], &ph[k..]);
        // bulk delay: phase = -2 pi f tau, least squares through the origin
        let (mut num, mut den) = (0.0, 0.0);
        for (fi, pi) in f.iter().zip(&ph) {
            num += fi * pi;
            den += fi * fi;
        }
        let bulk_delay_s = if den > 0.0 {
            -num / (2.0 * PI * den)
        } else {
            0.0
        };
        Ok(Channel {
            f,
            db,
            ph,
            top_db_slope,
            top_ph_slope,
            bulk_delay_s,
        })
    }

    /// (dB, unwrapped phase rad) at `fq` >= 0 Hz.
    fn db_ph(&self, fq: f64) -> (f64, f64) {
        let m = self.f.len();
        let f_top = self.f[m - 1];
        if fq >= f_top {
            let d = fq - f_top;
            return (
                self.db[m - 1] + self.top_db_slope * d,
                self.ph[m - 1] + self.top_ph_slope * d,
            );
        }
        let fq = fq.max(0.0);
        // f[0] = 0 <= fq < f_top: find i with f[i] <= fq < f[i+1]
        let i = self
            .f
            .partition_point(|&x| x <= fq)
            .saturating_sub(1)
            .min(m - 2);
        let w = (fq - self.f[i]) / (self.f[i + 1] - self.f[i]);
        (
            self.db[i] + w * (self.db[i + 1] - self.db[i]),
            self.ph[i] + w * (self.ph[i + 1] - self.ph[i]),
        )
    }

    fn at(&self, fq: f64) -> Complex64 {
        let (db, ph) = self.db_ph(fq);
        Complex64::from_polar(10f64.powf(db / 20.0), ph)
    }
}

/// The channel as [`pulse_response`] sees it (interpolated and extrapolated as described in
/// the module documentation) at the frequencies `f_hz` (Hz, >= 0, any order).
pub fn channel_response(h: &FreqResponse, f_hz: &[f64]) -> Result<Vec<Complex64>, PulseError> {
    let ch = Channel::new(h)?;
    Ok(f_hz.iter().map(|&f| ch.at(f)).collect())
}

/// Combined response TX filter x channel x RX filter in dB (`20 log10 |.|`, <= 0 for a
/// passive channel) at the frequencies `f_hz` (Hz), for plotting. The 1-UI pulse's sinc is
/// not included.
pub fn response_db(
    h: &FreqResponse,
    opts: &PulseOpts,
    f_hz: &[f64],
) -> Result<Vec<f64>, PulseError> {
    opts.validate()?;
    let ch = Channel::new(h)?;
    Ok(f_hz
        .iter()
        .map(|&f| {
            let v = ch.at(f) * tx_filter(opts, f) * rx_filter(opts, f);
            20.0 * v.norm().max(1e-300).log10()
        })
        .collect())
}

/// Channel loss in dB (positive) at `f_hz`, without filters, interpolated as the pulse sees it.
pub fn channel_loss_db(h: &FreqResponse, f_hz: f64) -> Result<f64, PulseError> {
    Ok(-Channel::new(h)?.db_ph(f_hz).0)
}

/// The measurement of a pulse from [`pulse_response`] (always there).
fn meas(p: &PulseResponse) -> &Measurement {
    p.measured
        .as_ref()
        .expect("pulse_response gives a measurement")
}

/// The full time record behind a measured [`PulseResponse`]: `z[j]` at `t = (j - ipk) / os` UI from
/// the peak.
struct Record {
    z: Vec<f64>,
    ipk: usize,
    ch: Channel,
    delay_s: f64,
}

fn record(h: &FreqResponse, opts: &PulseOpts) -> Result<Record, PulseError> {
    use rustfft::FftPlanner;
    opts.validate()?;
    let ch = Channel::new(h)?;
    let r = opts.record_ui();
    let n = opts.os * r;
    let t_ui = opts.ui_s();
    let dt = t_ui / opts.os as f64;
    let df = opts.baud_hz / r as f64;
    let tau = ch.bulk_delay_s;
    let spec = |k: usize| -> Complex64 {
        let (f, v) = pulse_spectrum(&ch, opts, k);
        // bulk delay removed (exp(+j 2 pi f tau))
        v * Complex64::from_polar(1.0, 2.0 * PI * f * tau)
    };
    let mut buf = vec![Complex64::new(0.0, 0.0); n];
    buf[0] = Complex64::new(spec(0).re, 0.0);
    for k in 1..n / 2 {
        let v = spec(k);
        buf[k] = v;
        buf[n - k] = v.conj();
    }
    buf[n / 2] = Complex64::new(spec(n / 2).re, 0.0);
    FftPlanner::<f64>::new()
        .plan_fft_inverse(n)
        .process(&mut buf);
    let y: Vec<f64> = buf.iter().map(|v| v.re * df).collect();
    let ip = y
        .iter()
        .enumerate()
        .fold(0usize, |b, (i, v)| if v.abs() > y[b].abs() { i } else { b });
    if y[ip].is_nan() || y[ip].abs() < MIN_PEAK {
        return Err(PulseError::ZeroPulse);
    }
    let m = if ip < n / 2 {
        ip as f64
    } else {
        ip as f64 - n as f64
    };
    let delay_s = tau + m * dt;
    let ipk = n / 4;
    let z: Vec<f64> = (0..n).map(|j| y[(ip + n + j - ipk) % n]).collect();
    Ok(Record {
        z,
        ipk,
        ch,
        delay_s,
    })
}

/// The pulse response of a channel: see the module documentation.
pub fn pulse_response(h: &FreqResponse, opts: &PulseOpts) -> Result<PulseResponse, PulseError> {
    let rec = record(h, opts)?;
    Ok(pulse_from_record(&rec, opts))
}

fn pulse_from_record(rec: &Record, opts: &PulseOpts) -> PulseResponse {
    let z = &rec.z;
    let ipk = rec.ipk;
    let os = opts.os;
    let peak = z[ipk];
    let apk = peak.abs();
    // causality: energy before the last point before the peak below START_REL |peak|
    let js = (0..ipk)
        .rev()
        .find(|&j| z[j].abs() < START_REL * apk)
        .unwrap_or(0);
    let e_tot: f64 = z.iter().map(|v| v * v).sum();
    let e_pre: f64 = z[..js].iter().map(|v| v * v).sum();
    let causality = e_pre / e_tot;
    // window
    let thr = TAIL_REL * apk;
    let pre = ((opts.span_ui / 4.0) * os as f64).floor() as usize;
    let span = (opts.span_ui * os as f64).floor() as usize;
    let lo = ipk - pre.min(ipk);
    let first = (lo..=ipk).find(|&j| z[j].abs() >= thr).unwrap_or(ipk);
    let hi = (ipk + span).min(z.len() - 1);
    let mut last = (ipk..=hi).rev().find(|&j| z[j].abs() >= thr).unwrap_or(ipk);
    last = last.min(first + span);
    let cut_tail_rel = z[last + 1..].iter().fold(0.0f64, |a, v| a.max(v.abs())) / apk;
    let il = -rec.ch.db_ph(opts.baud_hz / 2.0).0;
    PulseResponse {
        name: String::new(),
        os,
        t0: -((ipk - first) as f64) / os as f64,
        samples: z[first..=last].to_vec(),
        measured: Some(Measurement {
            baud_hz: opts.baud_hz,
            peak,
            il_nyquist_db: il,
            dc_gain: 10f64.powf(rec.ch.db[0] / 20.0),
            causality,
            delay_ps: rec.delay_s * 1e12,
            cut_tail_rel,
        }),
    }
}

/// A causality figure above this is a warning: the response has energy before it starts
/// (measured thrus give 7e-6 .. 3e-5; a wrong port map or data cut far below the Nyquist
/// frequency give 1e-3 and more).
pub const CAUSALITY_WARN: f64 = 1e-3;

/// A pulse whose spectrum (rectangle x TX x channel x RX) puts more than this fraction of
/// its energy above the last data point is warned about: the pulse leans on the
/// extrapolation.
pub const BEYOND_DATA_WARN: f64 = 1e-2;

/// How to load a channel file: [`load_channel`].
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelLoad {
    /// port count; `None`: from the extension `.sNp`
    pub ports: Option<usize>,
    /// the port map of a 4-port file; `None`: detected from the data
    pub map: Option<PortMap>,
    /// accept an explicit `map` even when it transmits far less than the best pairing
    pub force_map: bool,
    /// symbol rate, Hz (the pulse is built with [`PulseOpts::for_baud`])
    pub baud_hz: f64,
}

impl ChannelLoad {
    /// Port count from the extension, map detected, at `baud_hz`.
    pub fn new(baud_hz: f64) -> Self {
        ChannelLoad {
            ports: None,
            map: None,
            force_map: false,
            baud_hz,
        }
    }
}

/// A channel file loaded, checked and turned into a pulse: [`load_channel`].
#[derive(Clone, Debug)]
pub struct LoadedChannel {
    /// the file as given (for messages)
    pub file: String,
    /// the file name without its extension (row and plot names)
    pub name: String,
    /// port count it was read with
    pub n_ports: usize,
    /// the insertion loss used: S21 of a 2-port, SDD21 of a 4-port (and more) under `map`
    pub h: FreqResponse,
    /// the port map used (`None` for a 2-port)
    pub map: Option<PortMap>,
    /// whether `map` was detected from the data (false: given)
    pub map_detected: bool,
    /// first and last data frequency, Hz
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    /// the pulse response at the asked baud rate (defaults of [`PulseOpts::for_baud`]),
    /// absolute, named `name`, with its [`Measurement`]
    pub pulse: PulseResponse,
    /// channel loss at baud / 2, dB (as [`Measurement::il_nyquist_db`])
    pub il_nyquist_db: f64,
    /// true when baud / 2 lies above the last data point: the figure is the extrapolation's
    pub il_nyquist_extrapolated: bool,
    /// fraction of the pulse spectrum's energy above the last data point
    pub beyond_data_energy: f64,
    /// the largest |S_ij| of the file
    pub largest_s: Option<touchstone::LargestS>,
    /// extrapolation beyond the data, causality above [`CAUSALITY_WARN`], |S_ij| slightly
    /// above 1, a forced map: one sentence each, without the file name
    pub warnings: Vec<String>,
}

impl LoadedChannel {
    /// The pulse's measurement (a loaded channel's pulse always has one).
    pub fn measurement(&self) -> &Measurement {
        meas(&self.pulse)
    }

    /// `8.46 dB`, or `8.00 dB (extrapolated: data end at 21.000 GHz)`.
    pub fn il_nyquist_text(&self) -> String {
        if self.il_nyquist_extrapolated {
            format!(
                "{:.2} dB (extrapolated: data end at {:.3} GHz)",
                self.il_nyquist_db,
                self.f_max_hz / 1e9
            )
        } else {
            format!("{:.2} dB", self.il_nyquist_db)
        }
    }

    /// The map as text: `1,3:2,4 (detected)`, `1,2:3,4 (given)`, or `S21 (2-port)`.
    pub fn map_text(&self) -> String {
        match &self.map {
            None => "S21 (2-port)".into(),
            Some(m) if self.map_detected => format!("{m} (detected)"),
            Some(m) => format!("{m} (given)"),
        }
    }
}

/// Reads a Touchstone file with the port count of `ports` or of its extension; the
/// error names the file.
pub fn read_touchstone(
    path: &std::path::Path,
    ports: Option<usize>,
) -> Result<touchstone::Touchstone, String> {
    match ports {
        Some(n) => touchstone::read_with_ports(path, n),
        None => touchstone::read(path),
    }
    .map_err(|e| e.to_string())
}

/// The one channel loader of `cporx study`, `cporx channel` and `cporx link --channel`:
/// reads the file ([`read_touchstone`]), refuses non-passive data
/// ([`touchstone::PASSIVITY_TOL`]), takes S21 of a 2-port or SDD21 under the given map
/// (checked against the best pairing unless `force_map`, [`touchstone::Touchstone::check_map`])
/// or the detected one, builds the pulse at `baud_hz`, and collects the warnings
/// (extrapolation beyond the data, causality, slight non-passivity). Errors name the file.
pub fn load_channel(path: &std::path::Path, o: &ChannelLoad) -> Result<LoadedChannel, String> {
    let ts = read_touchstone(path, o.ports)?;
    load_touchstone(&ts, o)
}

/// [`load_channel`] on a file already read.
pub fn load_touchstone(
    ts: &touchstone::Touchstone,
    o: &ChannelLoad,
) -> Result<LoadedChannel, String> {
    let file = ts.name.clone();
    let opts = PulseOpts::for_baud(o.baud_hz);
    opts.validate().map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let largest = ts
        .check_passive(touchstone::PASSIVITY_TOL)
        .map_err(|e| e.to_string())?;
    if let Some(b) = largest.filter(|b| b.mag > 1.0) {
        warnings.push(format!(
            "slightly non-passive: |S{}{}| = {:.4} at {:.4} GHz (accepted up to 1 + {})",
            b.i,
            b.j,
            b.mag,
            b.f_hz / 1e9,
            touchstone::PASSIVITY_TOL
        ));
    }
    if ts.n_ports == 2 && o.map.is_some() {
        return Err(format!(
            "{file}: a port map applies to files of 4 ports or more; this 2-port file's S21 is its insertion loss (leave the map out)"
        ));
    }
    if let Some(m) = &o.map {
        match ts.check_map(m) {
            Ok(()) => {}
            Err(touchstone::TouchstoneError::WrongMap {
                leg,
                t,
                best_map,
                best,
                ..
            }) if o.force_map => warnings.push(format!(
                "port map {m} forced: its weaker thru leg ({leg}) transmits {t:.4} at the lowest frequency, below {} x the best pairing {best_map} ({best:.4})",
                touchstone::MAP_MIN_REL
            )),
            Err(e) => return Err(e.to_string()),
        }
    }
    let (h, map) = ts.insertion(o.map.as_ref()).map_err(|e| e.to_string())?;
    let f_min_hz = h.f_hz.first().copied().unwrap_or(0.0);
    let f_max_hz = h.f_hz.last().copied().unwrap_or(0.0);
    let rec = record(&h, &opts).map_err(|e| format!("{file}: {e}"))?;
    let pulse = pulse_from_record(&rec, &opts);
    let nyq = o.baud_hz / 2.0;
    let il_nyquist_extrapolated = nyq > f_max_hz;
    let beyond_data_energy = beyond_energy(&rec.ch, &opts, f_max_hz);
    if il_nyquist_extrapolated {
        warnings.push(format!(
            "extrapolated: the data end at {:.3} GHz, below the Nyquist frequency {:.4} GHz of {} GBd; the insertion loss at Nyquist ({:.2} dB) and the pulse above {:.3} GHz are the extrapolation's (dB slope of the top 10 % of the band), not measured",
            f_max_hz / 1e9,
            nyq / 1e9,
            o.baud_hz / 1e9,
            meas(&pulse).il_nyquist_db,
            f_max_hz / 1e9
        ));
    } else if beyond_data_energy > BEYOND_DATA_WARN {
        warnings.push(format!(
            "extrapolated: {:.1} % of the pulse's spectral energy lies above the last data point ({:.3} GHz)",
            100.0 * beyond_data_energy,
            f_max_hz / 1e9
        ));
    }
    // An explicit map that transmits well at low frequency can still mix the ends of the
    // pairs (one leg run backwards: near-end coupling in the cross terms): its pulse then
    // starts before it should. Refused when the detected map's pulse is causal.
    if let (Some(m), false, true) = (&o.map, o.force_map, meas(&pulse).causality > CAUSALITY_WARN) {
        if let Ok((dm, _)) = ts.detect_port_map() {
            if dm != *m {
                let dp = ts
                    .sdd21(&dm)
                    .ok()
                    .and_then(|dh| pulse_response(&dh, &opts).ok());
                if let Some(dp) = dp.filter(|dp| meas(dp).causality <= CAUSALITY_WARN) {
                    return Err(format!(
                        "{file}: port map {m} gives a pulse with causality figure {:.1e} (energy before the response starts), the detected map {dm} gives {:.1e}: {m} mixes the ends of the pairs? use --map {dm} (or leave --map out), or give --force-map to insist",
                        meas(&pulse).causality, meas(&dp).causality
                    ));
                }
            }
        }
    }
    if !(meas(&pulse).causality <= CAUSALITY_WARN) {
        warnings.push(format!(
            "causality figure {:.1e} is above {CAUSALITY_WARN:.0e} (energy before the response starts: a wrong port map, data cut short, or a bad measurement?)",
            meas(&pulse).causality
        ));
    }
    let name = std::path::Path::new(&file)
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let mut pulse = pulse;
    pulse.name = name.clone();
    Ok(LoadedChannel {
        name,
        n_ports: ts.n_ports,
        map_detected: map.is_some() && o.map.is_none(),
        map,
        f_min_hz,
        f_max_hz,
        il_nyquist_db: meas(&pulse).il_nyquist_db,
        il_nyquist_extrapolated,
        beyond_data_energy,
        largest_s: largest,
        pulse,
        h,
        warnings,
        file,
    })
}

/// The pulse spectrum at record bin `k`: (frequency, rectangle x TX x channel x RX), the
/// rectangle of one UI carrying its half-UI delay; the record's bulk delay is not removed.
fn pulse_spectrum(ch: &Channel, opts: &PulseOpts, k: usize) -> (f64, Complex64) {
    let t_ui = opts.ui_s();
    let f = k as f64 * opts.baud_hz / opts.record_ui() as f64;
    let x = f * t_ui;
    let sinc = if k == 0 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    };
    let rect = Complex64::from_polar(t_ui * sinc, -PI * x);
    (f, rect * tx_filter(opts, f) * ch.at(f) * rx_filter(opts, f))
}

/// Fraction of the pulse spectrum's energy (rectangle x TX x channel x RX, up to the
/// record's top frequency) above `f_hz`.
fn beyond_energy(ch: &Channel, opts: &PulseOpts, f_hz: f64) -> f64 {
    let n = opts.os * opts.record_ui();
    let (mut tot, mut above) = (0.0, 0.0);
    for k in 0..=n / 2 {
        let (f, v) = pulse_spectrum(ch, opts, k);
        let e = v.norm_sqr();
        tot += e;
        if f > f_hz {
            above += e;
        }
    }
    if tot > 0.0 {
        above / tot
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(p: &PulseResponse, k: i32) -> f64 {
        p.cursors(0.0)
            .iter()
            .find(|c| c.0 == k)
            .map(|c| c.1)
            .unwrap_or(0.0)
    }

    #[test]
    fn builtin_shapes_and_cursors() {
        for &name in PulseResponse::builtin_names() {
            let p = PulseResponse::builtin(name).unwrap();
            let (a, b) = p.span_ui();
            println!(
                "{name:6} span {a:+.3} .. {b:+.3} UI  h(-1) {:+.4}  h(0) {:+.4}  h(1) {:+.4}  h(2) {:+.4}  h(3) {:+.4}",
                h(&p, -1),
                h(&p, 0),
                h(&p, 1),
                h(&p, 2),
                h(&p, 3)
            );
            assert_eq!(p.os, 64);
            assert_eq!(p.peak_time(), 0.0, "{name}");
            assert!((p.value(0.0) - 1.0).abs() < 1e-12, "{name}");
            assert!(p.samples.iter().all(|&v| v <= 1.0), "{name}");
            assert!(b - a <= 24.0 + 1e-9, "{name} span {}", b - a);
            let first = p.samples[0].abs();
            let last = p.samples.last().unwrap().abs();
            // the table is a contiguous piece of the full computed response, and what was
            // dropped is below 1e-4 of the peak
            let (f3, tail) = builtin_params(name).unwrap();
            let raw = gaussian_pulse(f3, tail, 64);
            let pk = raw.iter().cloned().fold(0.0, f64::max);
            let raw: Vec<f64> = raw.iter().map(|v| v / pk).collect();
            let off = raw.iter().position(|&v| v == p.samples[0]).unwrap();
            assert_eq!(&raw[off..off + p.samples.len()], &p.samples[..], "{name}");
            let dropped = raw[..off]
                .iter()
                .chain(&raw[off + p.samples.len()..])
                .fold(0.0f64, |m, v| m.max(v.abs()));
            println!("       table ends {first:.2e} {last:.2e}, largest dropped {dropped:.2e}");
            if name == "mr" {
                // the 24-UI cap wins over the 1e-4 criterion by a hair at the far tail
                assert!(
                    dropped < 1.1e-4 && (b - a - 24.0).abs() < 1e-9,
                    "{name} dropped {dropped}"
                );
            } else {
                assert!(dropped < 1e-4, "{name} dropped {dropped}");
            }
            if name == "ideal" {
                assert!(h(&p, -1).abs() < 0.05 && h(&p, 1).abs() < 0.05);
            } else {
                assert!(h(&p, 1) > h(&p, -1), "{name}");
                assert!(h(&p, -1) > 0.0, "{name}");
            }
        }
        // ISI grows with reach
        let post: Vec<f64> = ["cpo", "short", "mr"]
            .iter()
            .map(|n| h(&PulseResponse::builtin(n).unwrap(), 1))
            .collect();
        assert!(post[0] < post[1] && post[1] < post[2], "{post:?}");
    }

    #[test]
    fn unknown_builtin() {
        let e = PulseResponse::builtin("foo").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown channel `foo`: built-in channels are ideal, cpo, short, mr"
        );
    }

    #[test]
    fn from_samples_normalizes_and_validates() {
        let p = PulseResponse::from_samples("t", 8, -5.0, vec![0.0, 0.5, 2.0, 1.0, 0.0]).unwrap();
        assert_eq!(p.t0, -0.25);
        assert_eq!(p.samples, vec![0.0, 0.25, 1.0, 0.5, 0.0]);
        assert_eq!(p.peak_time(), 0.0);
        assert_eq!(p.value(1.0 / 16.0), 0.75);
        assert_eq!(p.value(10.0), 0.0);
        assert_eq!(p.value(-10.0), 0.0);
        assert_eq!(p.span_ui(), (-0.25, 0.25));
        let e = PulseResponse::from_samples("t", 4, 0.0, vec![1.0]).unwrap_err();
        assert!(e.to_string().contains("os = 4"), "{e}");
        assert!(PulseResponse::from_samples("t", 8, 0.0, vec![]).is_err());
        assert!(PulseResponse::from_samples("t", 8, 0.0, vec![0.0, 0.0]).is_err());
        let e = PulseResponse::from_samples("t", 8, 0.0, vec![1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("not finite"), "{e}");
        // an inverted pulse is normalized to +1
        let p = PulseResponse::from_samples("t", 8, 0.0, vec![0.1, -2.0, 0.2]).unwrap();
        assert_eq!(p.samples, vec![-0.05, 1.0, -0.1]);
    }

    pub(super) fn grid(f0: f64, df: f64, f1: f64) -> Vec<f64> {
        let n = ((f1 - f0) / df).round() as usize;
        (0..=n).map(|i| f0 + i as f64 * df).collect()
    }

    pub(super) fn resp(f: Vec<f64>, h: impl Fn(f64) -> Complex64) -> FreqResponse {
        let hv = f.iter().map(|&x| h(x)).collect();
        FreqResponse { f_hz: f, h: hv }
    }

    pub(super) fn ideal(f0: f64) -> FreqResponse {
        resp(grid(f0, 10e6, 50e9), |_| Complex64::new(1.0, 0.0))
    }

    /// causal skin-effect-like loss, `il_nyq` dB at 26.5625 GHz: 60 % from `exp(-c sqrt(j f))`
    /// (skin effect, its own causal phase), 40 % from a double real pole (dielectric-like),
    /// plus a pure delay `delay` s
    pub(super) fn lossy(f0: f64, il_nyq: f64, delay: f64) -> FreqResponse {
        resp(grid(f0, 10e6, 50e9), lossy_fn(il_nyq, delay))
    }

    pub(super) fn lossy_fn(il_nyq: f64, delay: f64) -> impl Fn(f64) -> Complex64 {
        let fn_: f64 = 26.5625e9;
        let db_per_neper = 20.0 / std::f64::consts::LN_10;
        let c = 0.6 * il_nyq / (db_per_neper * fn_.sqrt() * std::f64::consts::FRAC_1_SQRT_2);
        let fp = fn_ / (10f64.powf(0.02 * il_nyq) - 1.0).sqrt();
        move |f: f64| {
            let skin = (-c * Complex64::new(0.0, f).sqrt()).exp();
            let pole = Complex64::new(1.0, 0.0) / Complex64::new(1.0, f / fp);
            skin * pole * pole * Complex64::from_polar(1.0, -2.0 * PI * f * delay)
        }
    }

    /// the old non-causal variant: the same |H| with a linear phase only
    pub(super) fn lossy_linear_phase(f0: f64, il_nyq: f64, delay: f64) -> FreqResponse {
        let g = lossy_fn(il_nyq, 0.0);
        resp(grid(f0, 10e6, 50e9), move |f| {
            Complex64::from_polar(g(f).norm(), -2.0 * PI * f * delay)
        })
    }

    /// Direct numerical integration (Simpson) of the same spectrum as `record`, without the
    /// bulk-delay removal: p(t) for t in seconds after the start of the TX pulse.
    pub(super) fn direct(h: &dyn Fn(f64) -> Complex64, opts: &PulseOpts, t: f64) -> f64 {
        direct_n(h, opts, t, 400_000, 12.0)
    }

    pub(super) fn direct_n(
        h: &dyn Fn(f64) -> Complex64,
        opts: &PulseOpts,
        t: f64,
        n: usize,
        fm: f64,
    ) -> f64 {
        let tu = opts.ui_s();
        let fmax = fm * opts.baud_hz;
        let df = fmax / n as f64;
        let g = |f: f64| -> f64 {
            let x = f * tu;
            let sinc = if f == 0.0 {
                1.0
            } else {
                (PI * x).sin() / (PI * x)
            };
            let p = Complex64::from_polar(tu * sinc, -PI * x)
                * tx_filter(opts, f)
                * h(f)
                * rx_filter(opts, f)
                * Complex64::from_polar(1.0, 2.0 * PI * f * t);
            2.0 * p.re
        };
        let mut s = g(0.0) + g(fmax);
        for i in 1..n {
            s += g(i as f64 * df) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * df / 3.0
    }

    #[test]
    fn opts_defaults_and_validation() {
        let o = PulseOpts::default();
        assert_eq!(o.baud_hz, 53.125e9);
        assert_eq!(o.os, 64);
        assert!((o.tx_rise_ps - 6.16).abs() < 1e-12);
        assert_eq!(o.rx_bt_rel, 0.75);
        o.validate().unwrap();
        assert!((PulseOpts::for_baud(BAUD_26G).tx_rise_ps - 12.32).abs() < 1e-9);
        assert!((PulseOpts::for_baud(BAUD_106G).tx_rise_ps - 3.08).abs() < 1e-9);
        let cases: Vec<(PulseOpts, &str)> = vec![
            (
                PulseOpts {
                    baud_hz: 0.0,
                    ..o.clone()
                },
                "baud_hz",
            ),
            (
                PulseOpts {
                    baud_hz: f64::NAN,
                    ..o.clone()
                },
                "baud_hz",
            ),
            (PulseOpts { os: 4, ..o.clone() }, "os"),
            (
                PulseOpts {
                    os: 2048,
                    ..o.clone()
                },
                "os",
            ),
            (
                PulseOpts {
                    tx_rise_ps: -1.0,
                    ..o.clone()
                },
                "tx_rise_ps",
            ),
            (
                PulseOpts {
                    tx_rise_ps: 100.0,
                    ..o.clone()
                },
                "tx_rise_ps",
            ),
            (
                PulseOpts {
                    rx_bt_rel: 0.0,
                    ..o.clone()
                },
                "rx_bt_rel",
            ),
            (
                PulseOpts {
                    rx_bt_rel: f64::INFINITY,
                    ..o.clone()
                },
                "rx_bt_rel",
            ),
            (
                PulseOpts {
                    span_ui: 1.0,
                    ..o.clone()
                },
                "span_ui",
            ),
            (
                PulseOpts {
                    span_ui: 1e4,
                    ..o.clone()
                },
                "span_ui",
            ),
        ];
        for (bad, name) in cases {
            let e = bad.validate().unwrap_err();
            match &e {
                PulseError::OutOfRange { field, .. } => assert_eq!(*field, name),
                _ => panic!("{e:?}"),
            }
            let msg = e.to_string();
            assert!(msg.contains(name) && msg.contains("legal is"), "{msg}");
            let e2 = pulse_response(&ideal(0.0), &bad).unwrap_err();
            assert_eq!(e2.to_string(), msg);
        }
    }

    #[test]
    fn bad_responses_are_errors() {
        let o = PulseOpts::default();
        let one = |f: Vec<f64>, h: Vec<Complex64>| FreqResponse { f_hz: f, h };
        let c1 = Complex64::new(1.0, 0.0);
        let bads = vec![
            one(vec![], vec![]),
            one(vec![1e9], vec![c1]),
            one(vec![1e9, 2e9], vec![c1]),
            one(vec![1e9, 1e9], vec![c1, c1]),
            one(vec![2e9, 1e9], vec![c1, c1]),
            one(vec![-1e9, 1e9], vec![c1, c1]),
            one(vec![0.0, f64::NAN], vec![c1, c1]),
            one(vec![0.0, 1e9], vec![c1, Complex64::new(f64::NAN, 0.0)]),
            one(vec![0.0, f64::INFINITY], vec![c1, c1]),
        ];
        for b in bads {
            match pulse_response(&b, &o) {
                Err(PulseError::BadResponse(_)) => {}
                r => panic!("{:?} gave {:?}", b, r.map(|p| meas(&p).peak)),
            }
            assert!(response_db(&b, &o, &[1e9]).is_err());
            assert!(channel_response(&b, &[1e9]).is_err());
        }
        // a zero channel: a clean error, not a panic
        let z = one(vec![0.0, 1e9], vec![Complex64::new(0.0, 0.0); 2]);
        assert!(pulse_response(&z, &o).is_err());
        // two points are enough
        pulse_response(&one(vec![0.0, 50e9], vec![c1, c1]), &o).unwrap();
    }

    #[test]
    fn fft_matches_direct_integration() {
        // exact check of the FFT path, time axis and scale: the same (extended) channel
        // integrated directly. A short-tailed channel (20 GHz RC) agrees to ~1e-9; a 12 dB
        // skin-effect channel to ~1e-6 of the peak (its t^-3/2 tail wraps around the
        // 1024-UI record).
        let rc = |f: f64| Complex64::new(1.0, 0.0) / Complex64::new(1.0, f / 20e9);
        let cases = [
            (resp(grid(0.0, 10e6, 50e9), rc), 1e-8),
            (lossy(10e6, 12.0, 0.7e-9), 1e-5),
        ];
        for (h, tol) in cases {
            let o = PulseOpts::default();
            let p = pulse_response(&h, &o).unwrap();
            let rec = record(&h, &o).unwrap();
            let t_pk = meas(&p).delay_ps * 1e-12;
            let mut worst: f64 = 0.0;
            for k in -3..=8i64 {
                let t = t_pk + k as f64 * o.ui_s();
                let d = direct(&|f| rec.ch.at(f), &o, t);
                let z = rec.z[(rec.ipk as i64 + k * o.os as i64) as usize];
                worst = worst.max((d - z).abs());
                if p.value(k as f64) != 0.0 {
                    assert_eq!(p.value(k as f64), z);
                }
            }
            assert!(
                worst < tol * meas(&p).peak,
                "worst {worst} peak {}",
                meas(&p).peak
            );
        }
    }

    #[test]
    fn ideal_channel_gives_the_filters_pulse() {
        for baud in [BAUD_26G, BAUD_53G, BAUD_106G] {
            let o = PulseOpts::for_baud(baud);
            let p = pulse_response(&ideal(0.0), &o).unwrap();
            // the same pulse by direct integration of the filters alone
            let d = direct(&|_| Complex64::new(1.0, 0.0), &o, meas(&p).delay_ps * 1e-12);
            assert!(
                (p.main_cursor() - d).abs() < 1e-6,
                "{} vs {d}",
                p.main_cursor()
            );
            assert!((meas(&p).il_nyquist_db).abs() < 1e-12);
            assert!((meas(&p).dc_gain - 1.0).abs() < 1e-12);
            assert!(meas(&p).causality < 1e-4, "{}", meas(&p).causality);
            // filters scale with the baud rate: same shape in UI
            let c = p.cursors(0.0);
            let isi: f64 = c.iter().filter(|x| x.0 != 0).map(|x| x.1.abs()).sum();
            assert!(
                meas(&p).peak > 0.8 && isi < 0.1 * meas(&p).peak,
                "peak {} isi {isi}",
                meas(&p).peak
            );
        }
        // 53 GBd filters at 26.5625 GBd: wide relative to the baud rate, ~no ISI
        let o = PulseOpts {
            baud_hz: BAUD_26G,
            rx_bt_rel: 1.5,
            ..PulseOpts::default()
        };
        let p = pulse_response(&ideal(0.0), &o).unwrap();
        let c = p.cursors(0.0);
        for (k, v) in &c {
            if *k != 0 {
                assert!(
                    v.abs() < 0.01 * meas(&p).peak,
                    "h{k} = {v} (peak {})",
                    meas(&p).peak
                );
            }
        }
        assert!((meas(&p).peak - 1.0).abs() < 0.03, "{}", meas(&p).peak);
    }

    #[test]
    fn pure_delay_shifts_the_peak() {
        let o = PulseOpts::default();
        let dt = o.ui_s() / o.os as f64;
        let p0 = pulse_response(&ideal(0.0), &o).unwrap();
        for (f0, steps) in [(0.0, 3400usize), (10e6, 10_000), (1e9, 777)] {
            let tau = steps as f64 * dt;
            let h = resp(grid(f0, 10e6, 50e9), |f| {
                Complex64::from_polar(1.0, -2.0 * PI * f * tau)
            });
            let p = pulse_response(&h, &o).unwrap();
            let dd = meas(&p).delay_ps - meas(&p0).delay_ps - tau * 1e12;
            assert!(dd.abs() < 1e-3 * dt * 1e12, "f0 {f0}: delay error {dd} ps");
            assert_eq!(p.samples.len(), p0.samples.len());
            assert_eq!(p.t0, p0.t0);
            let e = p
                .samples
                .iter()
                .zip(&p0.samples)
                .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
            assert!(e < 1e-9, "f0 {f0}: shape error {e}");
        }
    }

    #[test]
    fn more_loss_smaller_peak_more_postcursor() {
        let o = PulseOpts::default();
        let mut prev: Option<PulseResponse> = None;
        for il in [3.0, 8.0, 15.0, 25.0] {
            let p = pulse_response(&lossy(0.0, il, 0.5e-9), &o).unwrap();
            // 26.5625 GHz falls between the 10 MHz grid points: dB-linear interpolation
            // of a curved loss, error ~1e-8 dB
            assert!(
                (meas(&p).il_nyquist_db - il).abs() < 1e-6,
                "{} vs {il}",
                meas(&p).il_nyquist_db
            );
            assert!(
                meas(&p).causality < 1e-3,
                "il {il}: causality {}",
                meas(&p).causality
            );
            let h1 = p.value(1.0) / meas(&p).peak;
            if let Some(q) = prev {
                assert!(meas(&p).peak < meas(&q).peak, "il {il}");
                assert!(h1 > q.value(1.0) / meas(&q).peak, "il {il}");
                assert!(meas(&p).delay_ps > meas(&q).delay_ps, "il {il}");
            }
            prev = Some(p);
        }
    }

    #[test]
    fn il_at_nyquist_is_exact() {
        // loss linear in dB: exact between grid points too (grid avoids 26.5625 GHz)
        let h = resp(grid(0.0, 0.3e9, 45e9), |f| {
            Complex64::from_polar(10f64.powf(-0.4e-9 * f / 20.0), -2.0 * PI * f * 1e-10)
        });
        for baud in [BAUD_26G, BAUD_53G, BAUD_106G] {
            let p = pulse_response(&h, &PulseOpts::for_baud(baud)).unwrap();
            let want = 0.4e-9 * baud / 2.0;
            assert!(
                (meas(&p).il_nyquist_db - want).abs() < 1e-9,
                "{} vs {want}",
                meas(&p).il_nyquist_db
            );
            // also above the data (53.125 GHz > 45 GHz): continued slope
        }
        assert!((channel_loss_db(&h, 60e9).unwrap() - 24.0).abs() < 1e-9);
    }

    #[test]
    fn dc_extrapolation() {
        let o = PulseOpts::default();
        for il in [5.0, 15.0] {
            let a = pulse_response(&lossy(0.0, il, 1e-9), &o).unwrap();
            let b = pulse_response(&lossy(10e6, il, 1e-9), &o).unwrap();
            let (lo, hi) = a.span_ui();
            let n = ((hi - lo) * o.os as f64).round() as usize;
            let e = (0..=n).fold(0.0f64, |m, i| {
                let t = lo + i as f64 / o.os as f64;
                m.max((a.value(t) - b.value(t)).abs())
            });
            assert!(e < 1e-3, "il {il}: {e}");
            assert!((meas(&a).delay_ps - meas(&b).delay_ps).abs() < 1e-9);
            // data from 10 MHz: DC gain held at the 10 MHz magnitude
            assert!(meas(&a).dc_gain == 1.0 && meas(&b).dc_gain < 1.0 && meas(&b).dc_gain > 0.97);
        }
        // a 0 Hz point with a spurious phase is made real
        let mut h = ideal(0.0);
        h.h[0] = Complex64::from_polar(1.0, -0.05);
        let c = channel_response(&h, &[0.0]).unwrap()[0];
        assert!(c.im == 0.0 && (c.re - 1.0).abs() < 1e-12);
    }

    #[test]
    fn comb_sum_equals_dc_gain() {
        let o = PulseOpts::default();
        let rc = resp(grid(0.0, 10e6, 50e9), |f| {
            Complex64::new(0.8, 0.0) / Complex64::new(1.0, f / 15e9)
        });
        let cases = [
            (ideal(0.0), true),
            (rc, true),
            (lossy(0.0, 10.0, 1e-9), false),
            (lossy(10e6, 20.0, 2e-9), false),
            (lossy_linear_phase(10e6, 20.0, 2e-9), false),
        ];
        for (h, short_tail) in cases {
            let rec = record(&h, &o).unwrap();
            let dc = 10f64.powf(rec.ch.db[0] / 20.0);
            let p = pulse_response(&h, &o).unwrap();
            assert_eq!(meas(&p).dc_gain, dc);
            for ph in 0..o.os {
                // the whole record: exact
                let s: f64 = (0..rec.z.len() / o.os).map(|k| rec.z[ph + k * o.os]).sum();
                assert!((s - dc).abs() < 1e-9, "phase {ph}: {s} vs {dc}");
                // the trimmed table loses only the tails: tiny for short-tailed channels;
                // skin-effect tails (t^-3/2) hold a few % of the DC content beyond 64 UI
                let st = p.comb_sum(ph as f64 / o.os as f64 + p.t0.fract());
                let tol = if short_tail { 1e-3 } else { 0.15 };
                assert!((st - dc).abs() < tol, "trimmed phase {ph}: {st} vs {dc}");
            }
        }
    }

    #[test]
    fn one_pole_rc_against_exact() {
        // 20 GHz RC measured to 50 GHz vs the exact analytic RC to 12 baud
        let fc = 20e9;
        let rc = move |f: f64| Complex64::new(1.0, 0.0) / Complex64::new(1.0, f / fc);
        let h = resp(grid(0.0, 10e6, 50e9), rc);
        let o = PulseOpts::default();
        let p = pulse_response(&h, &o).unwrap();
        assert!(meas(&p).causality < 1e-4, "{}", meas(&p).causality);
        let t_pk = meas(&p).delay_ps * 1e-12;
        let mut worst: f64 = 0.0;
        for k in -2..=5 {
            let d = direct(&rc, &o, t_pk + k as f64 * o.ui_s());
            worst = worst.max((d - p.value(k as f64)).abs());
        }
        // extrapolation above 50 GHz is not the exact -20 dB/decade: small error
        eprintln!(
            "RC 20 GHz vs exact: worst cursor error {worst:.3e}, peak {}",
            meas(&p).peak
        );
        assert!(worst < 2e-3, "{worst}");
        let il = meas(&p).il_nyquist_db;
        let want = 10.0 * (1.0 + (26.5625e9 / fc).powi(2)).log10();
        assert!((il - want).abs() < 1e-3, "{il} vs {want}");
    }

    #[test]
    fn to_afe_and_window() {
        let o = PulseOpts::default();
        let p = pulse_response(&lossy(0.0, 14.0, 1e-9), &o).unwrap();
        let (a, b) = p.span_ui();
        assert!(a < 0.0 && a >= -o.span_ui / 4.0 && b > 0.0 && b - a <= o.span_ui + 1e-9);
        assert_eq!(p.main_cursor(), meas(&p).peak);
        let afe = p.normalized().unwrap();
        assert_eq!(afe.samples.len(), p.samples.len());
        assert!((afe.t0 - p.t0).abs() < 1e-12);
        for (x, y) in afe.cursors(0.0).iter().zip(p.cursors(0.0)) {
            assert_eq!(x.0, y.0);
            assert!((x.1 - y.1 / meas(&p).peak).abs() < 1e-12);
        }
        // the window: kept ends are >= 1e-4 of the peak, dropped tail below it unless the
        // span cap was hit (skin-effect tails are long)
        assert!(p.samples[0].abs() >= TAIL_REL * meas(&p).peak);
        assert!(p.samples.last().unwrap().abs() >= TAIL_REL * meas(&p).peak);
        let rc = resp(grid(0.0, 10e6, 50e9), |f| {
            Complex64::new(1.0, 0.0) / Complex64::new(1.0, f / 15e9)
        });
        let r = pulse_response(&rc, &o).unwrap();
        let (a, b) = r.span_ui();
        assert!(
            b - a < o.span_ui && meas(&r).cut_tail_rel < TAIL_REL,
            "{a} {b} {}",
            meas(&r).cut_tail_rel
        );
        assert!(r.samples.last().unwrap().abs() >= TAIL_REL * meas(&r).peak);
        // a tight span cap cuts the tail and reports it
        let q = pulse_response(
            &lossy(0.0, 25.0, 1e-9),
            &PulseOpts {
                span_ui: 4.0,
                ..o.clone()
            },
        )
        .unwrap();
        let (a, b) = q.span_ui();
        assert!(b - a <= 4.0 + 1e-9 && meas(&q).cut_tail_rel > TAIL_REL);
        // combined response: 0 dB at DC, filters + channel at Nyquist
        let h = lossy(0.0, 14.0, 1e-9);
        let r = response_db(&h, &o, &[0.0, 26.5625e9]).unwrap();
        assert!(r[0].abs() < 1e-9);
        let f = 26.5625e9;
        let filt = 20.0 * (tx_filter(&o, f) * rx_filter(&o, f).norm()).log10();
        assert!((r[1] - (filt - 14.0)).abs() < 1e-6, "{} {}", r[1], filt);
    }

    /// The two measured channels of `shared/channels` (skipped with a note if absent).
    #[test]
    fn measured_channels() {
        use crate::touchstone;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/channels");
        let o = PulseOpts::default();
        for (file, il_lo, il_hi) in [
            ("TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p", 5.0, 20.0),
            ("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p", 10.0, 25.0),
        ] {
            let path = dir.join(file);
            if !path.exists() {
                eprintln!("{} not found: skipped", path.display());
                continue;
            }
            let ts = touchstone::read(&path).unwrap();
            let (map, _) = ts.detect_port_map().unwrap();
            let h = ts.sdd21(&map).unwrap();
            let p = pulse_response(&h, &o).unwrap();
            let c: Vec<String> = (-1..=4)
                .map(|k| format!("h{k:+} {:.4}", p.value(k as f64)))
                .collect();
            let il14 = channel_loss_db(&h, 14e9).unwrap();
            eprintln!(
                "{file}: map {map}, {} pts {:.3}..{:.3} GHz, IL(14 GHz) {il14:.2} dB, \
                 IL(26.5625 GHz) {:.2} dB, dc {:.4}, peak {:.4}, delay {:.1} ps, \
                 causality {:.2e}, span {:?} UI, cut tail {:.1e}, comb {:.4}\n  {}",
                h.f_hz.len(),
                h.f_hz[0] / 1e9,
                h.f_hz[h.f_hz.len() - 1] / 1e9,
                meas(&p).il_nyquist_db,
                meas(&p).dc_gain,
                meas(&p).peak,
                meas(&p).delay_ps,
                meas(&p).causality,
                p.span_ui(),
                meas(&p).cut_tail_rel,
                p.comb_sum(0.0),
                c.join(", ")
            );
            assert!(meas(&p).il_nyquist_db > il_lo && meas(&p).il_nyquist_db < il_hi);
            // agrees with the parser's own (linear-magnitude) interpolation
            let il_ts = touchstone::insertion_loss_db(&h, o.baud_hz / 2.0).unwrap();
            assert!((il_ts - meas(&p).il_nyquist_db).abs() < 0.05, "{il_ts}");
            assert!(meas(&p).causality < 1e-3, "{}", meas(&p).causality);
            assert!(meas(&p).peak > 0.05 && meas(&p).peak < 1.0);
            assert!(meas(&p).dc_gain > 0.9 && meas(&p).dc_gain <= 1.01);
            let rec = record(&h, &o).unwrap();
            let s: f64 = (0..rec.z.len() / o.os).map(|k| rec.z[k * o.os]).sum();
            assert!((s - meas(&p).dc_gain).abs() < 1e-9);
            let afe = p.normalized().unwrap();
            assert_eq!(afe.peak_time(), 0.0);
        }
    }
}
