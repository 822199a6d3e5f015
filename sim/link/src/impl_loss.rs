//! Implementation loss of the fixed-point receiver against a floating-point one, split into
//! its causes, and the ADC backoff (AGC gain) that minimises it (issue 13 item 9).
//!
//! # Inputs and outputs
//!
//! A study [`Case`] (peak-normalized pulse, launch SNR convention of [`crate::study`]), the
//! FFE length, the ADC bits, the target BER. Out: [`Loss`], per receiver variant the BER at
//! the given launch SNR and the launch SNR (dB) that reaches the target, by bisection; the
//! loss of a variant is its SNR minus the floating-point reference's.
//!
//! # The receiver model ([`Rx`], [`ber`])
//!
//! Sampling phase 0 (the pulse peak, the study's). Sample `k` of the FFE window (tap 0 the
//! newest) in ADC codes is `x_k = (32 / fs) (S_k + w_k)`, `S_k` the noise-free channel
//! output, `w_k ~ N(0, sigma^2)` white. A `b`-bit ADC has the step `D = 2^(6-b)` 6-bit codes
//! on the same full scale (b > 6 is a finer grid than the RTL's 6-bit datapath takes:
//! hypothetical), rounds half away from zero and saturates at `-32` and `32 - D`, i.e. a
//! sample clips when `x >= 32 - D/2` or `x <= -32 - D/2`. The FFE output in Q7.1 code
//! units is `Y = sum_k c_k q(x_k) / 32` with real or integer coefficients `c_k` (Q2.6 code
//! units). The slicer compares `Y` with three boundaries: [`Slicer::Ideal`], the midpoints
//! `0, +-2 g_0` of the equalized levels (`g_0` the equalized main cursor), or
//! [`Slicer::Fixed`], the RTL's integer thresholds `t`, whose exact boundaries are
//! `t - 1/2` (the FFE's round half up; `crate::stateye`'s derivation).
//!
//! * **Linear part**, as [`crate::stateye`] (same grid, same discretization, so a fixed
//!   receiver without clipping gives `stateye::ber`'s figure to rounding): the ISI
//!   distribution by discrete convolution on a 1/64-code grid, each tap's rounding error
//!   uniform on one step and independent across taps (convolved in), Gaussian noise.
//!   Without an ADC there is no rounding term.
//! * **Clipping** (`Rx::clipping`, only with an ADC). `crate::stateye` ignores it (its
//!   module header says so: "ADC clipping is ignored"; `p_clip` is a diagnostic only),
//!   which is right for the study's AGC (the largest noise-free sample at 24 of 32 codes)
//!   and wrong for a backoff that lets samples clip. Clipping is not a per-tap effect: on a
//!   channel with a long tail (C2M: sum |h| = 2.25) the three samples of the FFE window
//!   share most of their ISI and clip together, and a model that clips one tap at a time
//!   while its neighbours stay linear overstated the BER 35-fold against the bit-exact
//!   Monte-Carlo (C2M, gain code 19, 31 dB). So the correction is taken over whole symbol
//!   patterns: `BER = BER_linear + E_a[P(err | a, saturating ADC) - P(err | a, the same
//!   ADC without saturation)]`, the expectation over [`CLIP_PATTERNS`] windows of one
//!   random symbol stream (fixed seed [`CLIP_SEED`], so every SNR and gain sees the same
//!   patterns). Per pattern, the codes of every sample within 6 noise sigmas of a clip edge
//!   are enumerated exactly (Gaussian noise into the ADC's rounding, with and without
//!   saturation), the other samples' noise and rounding are one Gaussian, and the slicer
//!   boundaries are applied to the exact FFE sum; patterns with no sample near an edge
//!   contribute nothing. At most [`CLIP_MAX_NEAR`] near patterns are evaluated (scaled by
//!   their count) and the correction's standard error is reported ([`RxBer::clip_se`]).
//!   Checked against an exact enumeration on small channels and against the bit-exact
//!   Monte-Carlo on C2M (`tests/impl_loss.rs`).
//!
//! # Causes ([`Switches`])
//!
//! From the reference (real MMSE taps of the study's design, no ADC, ideal slicer) one cause
//! at a time: the ADC (bits and the AGC's full scale, clipping modelled), the Q2.6 tap
//! codes, the slicer (the integer thresholds against the ideal midpoints, with the FFE's
//! rounding offset). All three together are the fixed-point receiver (its BER is
//! `stateye::ber` of the study's design when nothing clips). The taps are re-designed at
//! every SNR the bisection tries, as `study::best_design` does (MMSE for the noise plus the
//! ADC's step^2/12, main tap 0..3 by statistical BER); the float receivers use the same
//! design's real taps and main tap.
//!
//! # Backoff ([`optimise_backoff`])
//!
//! The RTL's AGC sets the ADC full scale in 0.5 dB steps: gain code `g` gives
//! `fs = 4 / gain_linear(g)` (peak-normalized level units; code 20 = 0 dB = fs 4). The
//! study's convention (`3 sum |h|` at 3/4 of full scale) is one more candidate, so the
//! choice is never worse than it at the comparison SNR. The scan runs from one code below
//! the convention upward and stops at the first code that clips more than
//! [`MAX_CLIP_RATE`] of the samples ("rare clipping") or whose BER is 100 times the best;
//! the candidate with the lowest BER (clipping modelled) at the convention's target SNR
//! wins, and its loss is bisected like the others. With the slicer on, [`Switches::levels`]
//! takes the thresholds the RTL's levels block converges to ([`adapted_thresholds`]). [`tail_fraction`] gives `P(|code| >= T)`, the statistic the
//! AGC's tail mode drives to `2^-K`, so the chosen backoff maps onto a register setting.

use crate::stateye::Pmf;
use crate::study::{self, Case, Design, StudyOpts};
use crate::taps;
use cporx_spec::agc::{gain_linear, GAIN_MAX};
use cporx_spec::ADC_BITS;
use std::f64::consts::SQRT_2;

/// Grid of the 1-D ISI distribution, Q7.1 codes (as `stateye::GRID_DY`).
pub const GRID_DY: f64 = 1.0 / 64.0;
/// Cursors below this fraction of the largest are dropped (as `stateye::CURSOR_REL_DROP`).
pub const CURSOR_REL_DROP: f64 = 1e-6;
/// Highest launch SNR the bisection tries, dB (the study's `SNR_SEARCH_TOP_DB`).
pub const SNR_TOP_DB: f64 = study::SNR_SEARCH_TOP_DB;
/// Lowest launch SNR the bisection tries, dB.
pub const SNR_BOTTOM_DB: f64 = 0.0;
/// Bisection resolution, dB.
pub const SNR_TOL_DB: f64 = 0.005;
/// "Rare clipping": the backoff scan stops at the first gain code whose samples clip more
/// often than this (a gain that clips more would need the clipping model far from where it
/// was checked, and leaves no margin for a channel that varies).
pub const MAX_CLIP_RATE: f64 = 1e-2;
/// Largest ADC resolution modelled (6 is the RTL's; more is a hypothetical finer grid).
pub const MAX_BITS: u32 = 10;

/// Q(x) = P(N(0,1) > x).
fn q(x: f64) -> f64 {
    0.5 * libm::erfc(x / SQRT_2)
}

/// The slicer's decision boundaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slicer {
    /// midpoints of the equalized levels: `-2 g0, 0, 2 g0`
    Ideal,
    /// the RTL's integer thresholds (Q7.1 codes): boundaries `t - 1/2`, priority rule
    Fixed([i32; 3]),
}

/// One receiver at one sampling phase (see the module header).
#[derive(Clone, Debug, PartialEq)]
pub struct Rx {
    /// channel cursors at the phase, level units (peak-normalized)
    pub cursors: Vec<(i32, f64)>,
    /// noise sigma at the ADC input, level units (> 0)
    pub noise_sigma: f64,
    /// analog value at ADC code 32, level units (the AGC's choice)
    pub full_scale: f64,
    /// ADC bits 1 ..= [`MAX_BITS`], `None`: no ADC (no rounding, no clipping)
    pub adc_bits: Option<u32>,
    /// model the ADC's saturation (with an ADC)
    pub clipping: bool,
    /// FFE coefficients, Q2.6 code units (integers for the RTL, real for the float one)
    pub coefs: Vec<f64>,
    pub main_tap: usize,
    pub slicer: Slicer,
}

/// What [`ber`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct RxBer {
    /// BER, Gray coded (clipping included when modelled)
    pub ber: f64,
    /// the linear model's BER (no clipping)
    pub ber_linear: f64,
    /// standard error of the clipping correction `ber - ber_linear` (0 when nothing can clip)
    pub clip_se: f64,
    /// probability that one ADC sample saturates (0 without an ADC)
    pub p_clip: f64,
    /// equalized main cursor, Q7.1 codes per level unit
    pub main: f64,
}

impl Rx {
    /// Checks the ranges the model needs.
    pub fn validate(&self) -> Result<(), String> {
        if self.coefs.is_empty() || self.main_tap >= self.coefs.len() {
            return Err(format!(
                "main tap {} with {} coefficients",
                self.main_tap,
                self.coefs.len()
            ));
        }
        if let Some(b) = self.adc_bits {
            if !(1..=MAX_BITS).contains(&b) {
                return Err(format!("ADC bits {b} out of range 1 ..= {MAX_BITS}"));
            }
        }
        if !(self.full_scale.is_finite() && self.full_scale > 0.0) {
            return Err(format!("full scale {} must be > 0", self.full_scale));
        }
        if !(self.noise_sigma.is_finite() && self.noise_sigma > 0.0) {
            return Err(format!("noise sigma {} must be > 0", self.noise_sigma));
        }
        if self.cursors.is_empty()
            || self
                .cursors
                .iter()
                .map(|c| c.1)
                .chain(self.coefs.iter().copied())
                .any(|v| !v.is_finite())
        {
            return Err("no cursors, or a non-finite cursor or coefficient".into());
        }
        Ok(())
    }

    /// ADC step in 6-bit codes (0 without an ADC).
    pub fn step(&self) -> f64 {
        match self.adc_bits {
            Some(b) => 2f64.powi(ADC_BITS as i32 - b as i32),
            None => 0.0,
        }
    }

    fn h(&self, j: i32) -> f64 {
        self.cursors
            .iter()
            .find(|c| c.0 == j)
            .map(|c| c.1)
            .unwrap_or(0.0)
    }

    /// Equalized cursors `g_m = sum_k (c_k / fs) h_{m + main - k}`, Q7.1 codes per level
    /// unit, over the whole span (as `stateye::equalized_cursors`).
    pub fn equalized(&self) -> Vec<(i32, f64)> {
        let jmin = self.cursors.iter().map(|c| c.0).min().unwrap_or(0);
        let jmax = self.cursors.iter().map(|c| c.0).max().unwrap_or(0);
        let n = self.coefs.len() as i32;
        let main = self.main_tap as i32;
        (jmin - main..=jmax + n - 1 - main)
            .map(|m| {
                let g: f64 = self
                    .coefs
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| c / self.full_scale * self.h(m + main - k as i32))
                    .sum();
                (m, g)
            })
            .collect()
    }

    /// The three non-decreasing boundaries on Y (Q7.1 codes), for main cursor `g0`.
    fn bounds(&self, g0: f64) -> [f64; 3] {
        match self.slicer {
            Slicer::Ideal => [-2.0 * g0, 0.0, 2.0 * g0],
            Slicer::Fixed([t0, t1, t2]) => {
                let b = |t: i32| {
                    if t <= -128 {
                        f64::NEG_INFINITY
                    } else {
                        t as f64 - 0.5
                    }
                };
                let e2 = b(t2);
                let e1 = b(t1).min(e2);
                [b(t0).min(e1), e1, e2]
            }
        }
    }
}

/// Gray-code bit distance between symbols.
fn gray_dist(s: usize, r: usize) -> u32 {
    let g = |v: usize| (v ^ (v >> 1)) as u32;
    (g(s) ^ g(r)).count_ones()
}

/// Expected bit errors (/2) of symbol `s` decided from `Y = mu + X + N`, X the pmf.
fn sym_ber(pmf: &Pmf, mu: f64, sigma: f64, b: &[f64; 3], s: usize) -> f64 {
    let mut up = [0.0; 3];
    let mut lo = [0.0; 3];
    for j in 0..3 {
        if b[j] >= mu {
            up[j] = pmf.tail_up(b[j] - mu, sigma);
            lo[j] = 1.0 - up[j];
        } else {
            lo[j] = pmf.tail_lo(b[j] - mu, sigma);
            up[j] = 1.0 - lo[j];
        }
    }
    let mut e = 0.0;
    for r in 0..4 {
        if r == s {
            continue;
        }
        let bl = if r == 0 { f64::NEG_INFINITY } else { b[r - 1] };
        let bh = if r == 3 { f64::INFINITY } else { b[r] };
        let up_l = if r == 0 { 1.0 } else { up[r - 1] };
        let up_h = if r == 3 { 0.0 } else { up[r] };
        let lo_l = if r == 0 { 0.0 } else { lo[r - 1] };
        let lo_h = if r == 3 { 1.0 } else { lo[r] };
        let v = if bl >= mu {
            up_l - up_h
        } else if bh <= mu {
            lo_h - lo_l
        } else {
            1.0 - up_h - lo_l
        };
        e += v.clamp(0.0, 1.0) * gray_dist(s, r) as f64 / 2.0;
    }
    e
}

/// BER of `rx` (see the module header). Errors name the bad field.
pub fn ber(rx: &Rx) -> Result<RxBer, String> {
    rx.validate()?;
    let g = rx.equalized();
    let g0 = g.iter().find(|c| c.0 == 0).map(|c| c.1).unwrap_or(0.0);
    if g0 <= 0.0 {
        return Err(format!("equalized main cursor {g0} is not positive"));
    }
    let b = rx.bounds(g0);
    let step = rx.step();
    // linear part: ISI pmf + uniform rounding per tap + Gaussian noise
    let gmax = g.iter().fold(0.0f64, |m, c| m.max(c.1.abs()));
    let mut pmf = Pmf::delta(GRID_DY);
    for &(m, v) in &g {
        if m != 0 && v.abs() > CURSOR_REL_DROP * gmax && v != 0.0 {
            pmf.add_cursor(v);
        }
    }
    if step > 0.0 {
        for &c in &rx.coefs {
            pmf.add_uniform(c.abs() / 32.0 * step);
        }
    }
    let c2: f64 = rx.coefs.iter().map(|c| (c / rx.full_scale).powi(2)).sum();
    let sigma_y = rx.noise_sigma * c2.sqrt();
    let mut ber_lin = 0.0;
    for s in 0..4 {
        ber_lin += 0.25 * sym_ber(&pmf, g0 * (2.0 * s as f64 - 3.0), sigma_y, &b, s);
    }
    let (p_clip, corr) = if step > 0.0 {
        let pc = raw_tail(rx, 32.0 - step / 2.0, -32.0 - step / 2.0);
        let corr = if rx.clipping {
            clip_correction(rx, &b)
        } else {
            (0.0, 0.0)
        };
        (pc, corr)
    } else {
        (0.0, (0.0, 0.0))
    };
    Ok(RxBer {
        ber: (ber_lin + corr.0).max(0.0),
        ber_linear: ber_lin,
        clip_se: corr.1,
        p_clip,
        main: g0,
    })
}

/// P(x >= hi) + P(x <= lo) for one unquantized ADC sample `x` in codes (ISI exact on a
/// 1/8-code grid, Gaussian noise).
fn raw_tail(rx: &Rx, hi: f64, lo: f64) -> f64 {
    let ka = 32.0 / rx.full_scale;
    let hmax = rx.cursors.iter().fold(0.0f64, |m, c| m.max(c.1.abs()));
    let mut pmf = Pmf::delta(1.0 / 8.0);
    for &(_, h) in &rx.cursors {
        if h.abs() > CURSOR_REL_DROP * hmax && h != 0.0 {
            pmf.add_cursor(ka * h);
        }
    }
    let sx = ka * rx.noise_sigma;
    pmf.tail_up(hi, sx) + pmf.tail_lo(lo, sx)
}

/// The fraction of 6-bit ADC codes with `|code| >= t` (the AGC tail mode's statistic) for
/// the receiver's full scale, bits and channel: a `b`-bit code is a multiple of the step.
pub fn tail_fraction(rx: &Rx, t: u32) -> f64 {
    let step = if rx.adc_bits.is_some() {
        rx.step()
    } else {
        1.0
    };
    let bits = rx.adc_bits.unwrap_or(ADC_BITS as u32);
    let n = (t as f64 / step).ceil(); // smallest |code| in steps that counts
    let top = 2f64.powi(bits as i32 - 1); // codes run -top ..= top - 1 steps
    let hi = if n > top - 1.0 {
        f64::INFINITY
    } else {
        (n - 0.5) * step
    };
    let lo = if n > top {
        f64::NEG_INFINITY
    } else {
        -(n - 0.5) * step
    };
    raw_tail(rx, hi, lo)
}

/// Symbol patterns the clipping correction draws (one stream, every position a window).
pub const CLIP_PATTERNS: usize = 1 << 22;
/// Seed of that stream (fixed: every receiver and SNR sees the same patterns, so the
/// bisection and the backoff scan compare like with like).
pub const CLIP_SEED: u64 = 0x1A55_C11F;
/// At most this many near-edge patterns are evaluated (a uniform subsample of them: the
/// first ones of the random stream); the sum is scaled by their total count.
pub const CLIP_MAX_NEAR: usize = 8_000;
/// A sample is near an edge when its noise-free value is within this many noise sigmas.
const NEAR_SIGMAS: f64 = 6.0;

/// A noise-free channel output stream of random PAM-4 symbols, level units.
struct Stream {
    /// `sym[i]` in 0..4 is the symbol that cursor 0 of `x[i]` carries
    sym: Vec<u8>,
    x: Vec<f64>,
}

fn stream(cursors: &[(i32, f64)]) -> std::sync::Arc<Stream> {
    use std::sync::{Arc, Mutex, OnceLock};
    type Key = Vec<(i32, u64)>;
    type Cache = Mutex<Vec<(Key, Arc<Stream>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key: Key = cursors.iter().map(|c| (c.0, c.1.to_bits())).collect();
    let cache = CACHE.get_or_init(|| Mutex::new(vec![]));
    if let Some(s) = cache
        .lock()
        .expect("clip stream cache")
        .iter()
        .find(|e| e.0 == key)
    {
        return s.1.clone();
    }
    let jmin = cursors.iter().map(|c| c.0).min().unwrap_or(0) as i64;
    let jmax = cursors.iter().map(|c| c.0).max().unwrap_or(0) as i64;
    let pad = (jmax - jmin) as usize;
    let mut rng = crate::montecarlo::Xoshiro256pp::new(CLIP_SEED);
    use rand::RngCore;
    // symbols a[t] for t in -jmax .. n - jmin (index t + jmax)
    let n = CLIP_PATTERNS;
    let a: Vec<u8> = (0..n + pad).map(|_| (rng.next_u64() >> 62) as u8).collect();
    let lv = |t: i64| 2.0 * a[(t + jmax) as usize] as f64 - 3.0;
    let x: Vec<f64> = (0..n as i64)
        .map(|t| cursors.iter().map(|&(j, h)| h * lv(t - j as i64)).sum())
        .collect();
    let sym: Vec<u8> = (0..n as i64).map(|t| a[(t + jmax) as usize]).collect();
    let st = Arc::new(Stream { sym, x });
    let mut c = cache.lock().expect("clip stream cache");
    if c.len() >= 16 {
        c.remove(0);
    }
    c.push((key, st.clone()));
    st
}

/// Expected bit errors (/2) of symbol `s` at `Y ~ N(y, sigma^2)` (`sigma` may be 0).
fn point_err(y: f64, sigma: f64, b: &[f64; 3], s: usize) -> f64 {
    // P(Y >= b_j)
    let up = |bj: f64| -> f64 {
        if bj == f64::NEG_INFINITY {
            1.0
        } else if sigma <= 0.0 {
            (y >= bj) as u8 as f64
        } else {
            q((bj - y) / sigma)
        }
    };
    let u = [up(b[0]), up(b[1]), up(b[2])];
    // decide r with probability P(b_{r-1} <= Y < b_r)
    let p = [1.0 - u[0], u[0] - u[1], u[1] - u[2], u[2]];
    p.iter()
        .enumerate()
        .filter(|&(r, _)| r != s)
        .map(|(r, pr)| pr.max(0.0) * gray_dist(s, r) as f64 / 2.0)
        .sum()
}

/// The BER change that the ADC's saturation makes (see the module header): over the
/// stream's symbol patterns, `P(error | saturating ADC) - P(error | the same ADC without
/// saturation)`, with the codes of every sample near an edge enumerated exactly (Gaussian
/// noise, the ADC's rounding) and the other samples' noise and rounding Gaussian. Returns
/// (correction, its standard error).
fn clip_correction(rx: &Rx, b: &[f64; 3]) -> (f64, f64) {
    let step = rx.step();
    let ka = 32.0 / rx.full_scale;
    let sx = ka * rx.noise_sigma;
    let e_hi = 32.0 - step / 2.0;
    let e_lo = -32.0 - step / 2.0;
    let smax: f64 = 3.0 * ka * rx.cursors.iter().map(|c| c.1.abs()).sum::<f64>();
    if smax + NEAR_SIGMAS * sx < e_hi && -smax - NEAR_SIGMAS * sx > e_lo {
        return (0.0, 0.0);
    }
    let st = stream(&rx.cursors);
    let nt = rx.coefs.len();
    let near_hi = e_hi - NEAR_SIGMAS * sx;
    let near_lo = e_lo + NEAR_SIGMAS * sx;
    let top = 2f64.powi(rx.adc_bits.unwrap_or(6) as i32 - 1); // codes -top ..= top - 1 steps
    let mut count = 0usize; // near patterns
    let (mut sum, mut sum2) = (0.0, 0.0);
    let mut evaluated = 0usize;
    let mut ks = vec![];
    for n in nt - 1..st.x.len() {
        let near = (0..nt).any(|k| {
            let v = ka * st.x[n - k];
            (v > near_hi || v < near_lo) && rx.coefs[k] != 0.0
        });
        if !near {
            continue;
        }
        count += 1;
        if evaluated >= CLIP_MAX_NEAR {
            continue;
        }
        evaluated += 1;
        let s = st.sym[n - rx.main_tap] as usize;
        // far taps: deterministic part and Gaussian variance; near taps: code pmfs
        let mut y_far = 0.0;
        let mut var = 0.0;
        ks.clear();
        for k in 0..nt {
            let v = ka * st.x[n - k];
            let c = rx.coefs[k] / 32.0;
            if (v > near_hi || v < near_lo) && rx.coefs[k] != 0.0 {
                ks.push((c, v));
            } else {
                y_far += c * v;
                var += c * c * (sx * sx + step * step / 12.0);
            }
        }
        let sig = var.sqrt();
        // code pmfs (steps), without and with saturation
        // (code, probability) lists: without and with saturation
        type Codes = Vec<(f64, f64)>;
        let pmfs: Vec<(Codes, Codes)> = ks
            .iter()
            .map(|&(_, v)| {
                let lo = ((v - NEAR_SIGMAS * sx) / step).floor() as i64 - 1;
                let hi = ((v + NEAR_SIGMAS * sx) / step).ceil() as i64 + 1;
                let cdf = |edge: f64| 1.0 - q((edge - v) / sx);
                let mut free = vec![];
                for m in lo..=hi {
                    // round half away from zero: m for x in [m - 1/2, m + 1/2) steps
                    // (ties are measure zero)
                    let p = q(((m as f64 - 0.5) * step - v) / sx)
                        - q(((m as f64 + 0.5) * step - v) / sx);
                    if p > 1e-12 {
                        free.push((m as f64 * step, p));
                    }
                }
                let mut sat: Vec<(f64, f64)> = free
                    .iter()
                    .copied()
                    .filter(|&(c, _)| c / step <= top - 1.0 && c / step >= -top)
                    .collect();
                let p_hi = q((e_hi - v) / sx);
                let p_lo = cdf(e_lo);
                if p_hi > 0.0 {
                    sat.retain(|&(c, _)| c / step < top - 1.0);
                    sat.push((
                        (top - 1.0) * step,
                        p_hi + q_band(v, sx, (top - 1.5) * step, e_hi),
                    ));
                }
                if p_lo > 0.0 {
                    sat.retain(|&(c, _)| c / step > -top);
                    sat.push((-top * step, p_lo + q_band(v, sx, e_lo, (-top + 0.5) * step)));
                }
                (free, sat)
            })
            .collect();
        // sat - free = sum_i [prod_{j<i} sat_j] (sat_i - free_i) [prod_{j>i} free_j]: the
        // difference of tap i's pmfs is nonzero only at its edge codes
        let diffs: Vec<Vec<(f64, f64)>> = pmfs
            .iter()
            .map(|(free, sat)| {
                let mut d: Vec<(f64, f64)> = sat
                    .iter()
                    .map(|&(c, p)| {
                        let pf = free.iter().find(|f| f.0 == c).map_or(0.0, |f| f.1);
                        (c, p - pf)
                    })
                    .chain(
                        free.iter()
                            .filter(|f| !sat.iter().any(|s| s.0 == f.0))
                            .map(|&(c, p)| (c, -p)),
                    )
                    .collect();
                d.retain(|x| x.1 != 0.0);
                d
            })
            .collect();
        let mut d = 0.0;
        for i in 0..ks.len() {
            if diffs[i].is_empty() {
                continue;
            }
            let mut stack = vec![(0usize, y_far, 1.0f64)];
            while let Some((j, y, p)) = stack.pop() {
                if j == ks.len() {
                    d += p * point_err(y, sig, b, s);
                    continue;
                }
                let list = if j < i {
                    &pmfs[j].1
                } else if j == i {
                    &diffs[j]
                } else {
                    &pmfs[j].0
                };
                for &(c, pc) in list {
                    stack.push((j + 1, y + ks[j].0 * c, p * pc));
                }
            }
        }
        sum += d;
        sum2 += d * d;
    }
    if evaluated == 0 {
        return (0.0, 0.0);
    }
    let m = evaluated as f64;
    let mean = sum / m;
    let var = (sum2 / m - mean * mean).max(0.0);
    let frac = count as f64 / (st.x.len() - (nt - 1)) as f64;
    // the decided symbol's BER share: d is per pattern (one decision)
    (frac * mean, frac * (var / m).sqrt())
}

/// P(a <= x < b) for x ~ N(v, sx^2).
fn q_band(v: f64, sx: f64, a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    (q((a - v) / sx) - q((b - v) / sx)).max(0.0)
}

/// Which of the fixed-point receiver's impairments are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switches {
    /// the ADC (bits, the full scale, clipping)
    pub adc: bool,
    /// the Q2.6 codes instead of the real MMSE taps
    pub taps: bool,
    /// the RTL's integer thresholds instead of the ideal midpoints
    pub slicer: bool,
    /// with `slicer`: the thresholds the levels block converges to (targets
    /// `round(g0 a)`, thresholds their midpoints rounded up, docs/numerics.md "Levels")
    /// instead of the design's fixed ones
    pub levels: bool,
}

impl Switches {
    pub const FLOAT: Switches = Switches {
        adc: false,
        taps: false,
        slicer: false,
        levels: false,
    };
    pub const FIXED: Switches = Switches {
        adc: true,
        taps: true,
        slicer: true,
        levels: false,
    };
    pub const ADC: Switches = Switches {
        adc: true,
        taps: false,
        slicer: false,
        levels: false,
    };
    pub const TAPS: Switches = Switches {
        adc: false,
        taps: true,
        slicer: false,
        levels: false,
    };
    /// the fixed receiver with the levels block's thresholds
    pub const FIXED_LEVELS: Switches = Switches {
        adc: true,
        taps: true,
        slicer: true,
        levels: true,
    };
    pub const SLICER: Switches = Switches {
        adc: false,
        taps: false,
        slicer: true,
        levels: false,
    };
}

/// Where the ADC's full scale comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Agc {
    /// the study's convention: `3 sum |h|` at 3/4 of full scale (never clips on ISI)
    Study,
    /// the RTL AGC's gain code 0 ..= 31: full scale `4 / gain_linear(code)`
    Code(u32),
}

impl Agc {
    /// The full scale, level units (peak-normalized).
    pub fn full_scale(&self, case: &Case) -> f64 {
        match self {
            Agc::Study => case.full_scale(&StudyOpts::default()),
            Agc::Code(c) => 4.0 / gain_linear(*c),
        }
    }

    /// The gain in dB relative to the AFE's nominal scale (fs 4): `20 log10(4 / fs)`.
    pub fn gain_db(&self, case: &Case) -> f64 {
        20.0 * (4.0 / self.full_scale(case)).log10()
    }
}

/// The question: case, FFE length, ADC bits, target, full scale.
#[derive(Clone, Debug)]
pub struct Query {
    pub n_taps: usize,
    pub bits: u32,
    pub target_ber: f64,
    pub agc: Agc,
}

/// The study's design at a launch SNR for a full scale `fs` (its taps, main tap, codes,
/// thresholds): `study::best_design` with at most 6 bits (a finer ADC is designed as 6).
pub fn design(case: &Case, snr_db: f64, fs: f64, n_taps: usize, bits: u32) -> Option<Design> {
    let sum_h: f64 = case.norm.cursors(0.0).iter().map(|c| c.1.abs()).sum();
    let o = StudyOpts {
        snr_db,
        full_scale: fs / sum_h,
        ..StudyOpts::default()
    };
    study::best_design(case, &o, n_taps, bits.min(ADC_BITS as u32))
}

/// The receiver of a design with the given impairments on.
pub fn receiver(case: &Case, snr_db: f64, fs: f64, bits: u32, d: &Design, sw: Switches) -> Rx {
    let o = StudyOpts {
        snr_db,
        ..StudyOpts::default()
    };
    // the codes' scale (best_design's: coef_scale, reduced when the largest tap would not fit)
    let mut cps = taps::coef_scale(fs);
    let top = d.taps.iter().fold(0.0f64, |m, v| m.max(v.abs())) * cps;
    if top > 127.0 {
        cps *= 127.0 / top;
    }
    let mut rx = Rx {
        cursors: case.norm.cursors(0.0),
        noise_sigma: case.noise_sigma(&o),
        full_scale: fs,
        adc_bits: sw.adc.then_some(bits),
        clipping: sw.adc,
        coefs: if sw.taps {
            d.codes.iter().map(|&c| c as f64).collect()
        } else {
            d.taps.iter().map(|t| t * cps).collect()
        },
        main_tap: d.main_tap,
        slicer: if sw.slicer {
            Slicer::Fixed(d.thresholds)
        } else {
            Slicer::Ideal
        },
    };
    if sw.slicer && sw.levels {
        rx.slicer = Slicer::Fixed(adapted_thresholds(&rx));
    }
    rx
}

/// The thresholds the levels block converges to on this receiver: targets at the mean
/// equalized levels `round(g0 a)` (Q7.1, clamped to the 8-bit range), thresholds the
/// midpoints rounded up, `ceil((L_j + L_{j+1}) / 2)` (docs/numerics.md, "Levels").
pub fn adapted_thresholds(rx: &Rx) -> [i32; 3] {
    let g0 = rx
        .equalized()
        .iter()
        .find(|c| c.0 == 0)
        .map(|c| c.1)
        .unwrap_or(0.0);
    let l = [-3.0, -1.0, 1.0, 3.0].map(|a: f64| ((g0 * a).round() as i32).clamp(-128, 127));
    [0, 1, 2].map(|j| (l[j] + l[j + 1] + 1).div_euclid(2))
}

/// BER of a variant at a launch SNR (`None` when no tap set fits Q2.6 there).
pub fn variant_ber(case: &Case, q: &Query, sw: Switches, snr_db: f64) -> Option<RxBer> {
    let fs = q.agc.full_scale(case);
    let d = design(case, snr_db, fs, q.n_taps, q.bits)?;
    ber(&receiver(case, snr_db, fs, q.bits, &d, sw)).ok()
}

/// Where a variant reaches the target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Needed {
    /// the launch SNR, dB (bisected to [`SNR_TOL_DB`])
    At(f64),
    /// reached already at [`SNR_BOTTOM_DB`]
    Below,
    /// not reached up to [`SNR_TOP_DB`]
    NotReached,
}

impl Needed {
    pub fn db(&self) -> Option<f64> {
        match self {
            Needed::At(v) => Some(*v),
            _ => None,
        }
    }
}

/// The launch SNR at which the variant's BER reaches the target: bracketed from `guess`
/// in 2 dB steps, then bisected to [`SNR_TOL_DB`], within [`SNR_BOTTOM_DB`] ..=
/// [`SNR_TOP_DB`].
pub fn snr_needed(case: &Case, q: &Query, sw: Switches, guess: f64) -> Needed {
    let ok = |snr: f64| variant_ber(case, q, sw, snr).is_some_and(|r| r.ber <= q.target_ber);
    let g = guess.clamp(SNR_BOTTOM_DB, SNR_TOP_DB);
    let (mut lo, mut hi);
    if ok(g) {
        hi = g;
        lo = (g - 2.0).max(SNR_BOTTOM_DB);
        while ok(lo) {
            if lo <= SNR_BOTTOM_DB {
                return Needed::Below;
            }
            hi = lo;
            lo = (lo - 2.0).max(SNR_BOTTOM_DB);
        }
    } else {
        lo = g;
        hi = (g + 2.0).min(SNR_TOP_DB);
        while !ok(hi) {
            if hi >= SNR_TOP_DB {
                return Needed::NotReached;
            }
            lo = hi;
            hi = (hi + 2.0).min(SNR_TOP_DB);
        }
    }
    while hi - lo > SNR_TOL_DB {
        let m = 0.5 * (lo + hi);
        if ok(m) {
            hi = m;
        } else {
            lo = m;
        }
    }
    Needed::At(0.5 * (lo + hi))
}

/// One row of the loss table.
#[derive(Clone, Debug)]
pub struct Variant {
    pub what: String,
    pub sw: Switches,
    pub agc: Option<Agc>,
    /// BER at the query's launch SNR (`None`: no design there)
    pub ber: Option<RxBer>,
    pub needed: Needed,
    /// SNR needed minus the reference's, dB (`None` when either is not a number)
    pub loss_db: Option<f64>,
}

/// The whole answer for one case and bit count.
#[derive(Clone, Debug)]
pub struct Loss {
    pub snr_db: f64,
    pub bits: u32,
    pub reference: Variant,
    /// the causes one at a time (ADC at the study's AGC, taps, slicer)
    pub causes: Vec<Variant>,
    /// the sum of the causes' losses (dB)
    pub sum_db: Option<f64>,
    /// the fixed-point receiver at the study's AGC
    pub fixed: Variant,
    /// the backoff search: the chosen gain code, with the fixed receiver and the ADC alone
    pub backoff: Option<Backoff>,
}

/// One candidate of the backoff scan at the comparison SNR.
#[derive(Clone, Copy, Debug)]
pub struct ScanPoint {
    pub agc: Agc,
    /// the fixed-point receiver's BER, clipping modelled
    pub ber: f64,
    /// the clipping rate per sample
    pub p_clip: f64,
    /// the AGC tail statistic P(|code| >= 31) of the 6-bit codes
    pub tail31: f64,
}

/// The optimised backoff.
#[derive(Clone, Debug)]
pub struct Backoff {
    /// the winner: a gain code, or the study's convention when no code beats it
    pub agc: Agc,
    /// gain relative to the AFE's nominal scale, and relative to the study's convention, dB
    pub gain_db: f64,
    pub rel_db: f64,
    /// the SNR the candidates were compared at (the fixed receiver's needed SNR at the
    /// study's AGC), dB, and every candidate there (the convention first)
    pub at_snr_db: f64,
    pub scan: Vec<ScanPoint>,
    pub fixed: Variant,
    pub adc: Variant,
    /// the fixed receiver at that gain with the levels block's thresholds
    pub levels: Variant,
    /// the clipping rate and P(|code| >= 31) at the chosen gain, at the comparison SNR
    pub p_clip: f64,
    pub tail31: f64,
    /// the gain code the RTL's default tail mode (T = 31, K = 8) would hold: the highest
    /// code whose P(|code| >= 31) is at most 2^-8 (the loop limit-cycles around it)
    pub default_agc_code: Option<u32>,
}

fn variant(
    case: &Case,
    q: &Query,
    what: &str,
    sw: Switches,
    snr_db: f64,
    r: Option<f64>,
) -> Variant {
    let needed = snr_needed(case, q, sw, r.unwrap_or(snr_db));
    Variant {
        what: what.to_string(),
        sw,
        agc: Some(q.agc),
        ber: variant_ber(case, q, sw, snr_db),
        needed,
        loss_db: match (needed.db(), r) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        },
    }
}

/// The loss table of one case: reference, causes, fixed receiver, optimised backoff.
pub fn loss(case: &Case, n_taps: usize, bits: u32, target_ber: f64, snr_db: f64) -> Loss {
    let q = Query {
        n_taps,
        bits,
        target_ber,
        agc: Agc::Study,
    };
    let reference = variant(case, &q, "float", Switches::FLOAT, snr_db, None);
    let r = reference.needed.db();
    let reference = Variant {
        loss_db: r.map(|_| 0.0),
        ..reference
    };
    let causes = vec![
        variant(case, &q, "adc", Switches::ADC, snr_db, r),
        variant(case, &q, "taps", Switches::TAPS, snr_db, r),
        variant(case, &q, "slicer", Switches::SLICER, snr_db, r),
    ];
    let sum_db = causes.iter().map(|c| c.loss_db).sum::<Option<f64>>();
    let fixed = variant(case, &q, "fixed", Switches::FIXED, snr_db, r);
    let at = fixed.needed.db().unwrap_or(snr_db);
    let backoff = optimise_backoff(case, &q, at).map(|scan| {
        let best = scan
            .iter()
            .min_by(|a, b| {
                a.ber
                    .partial_cmp(&b.ber)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .copied()
            .expect("the convention is always in the scan");
        let qc = Query {
            agc: best.agc,
            ..q.clone()
        };
        let fx = variant(case, &qc, "fixed", Switches::FIXED, snr_db, r);
        let adc = variant(case, &qc, "adc", Switches::ADC, snr_db, r);
        let levels = variant(case, &qc, "levels", Switches::FIXED_LEVELS, snr_db, r);
        let default_agc_code = scan
            .iter()
            .filter_map(|p| match p.agc {
                Agc::Code(c) if p.tail31 <= 2f64.powi(-8) => Some(c),
                _ => None,
            })
            .max();
        Backoff {
            agc: best.agc,
            gain_db: best.agc.gain_db(case),
            rel_db: best.agc.gain_db(case) - Agc::Study.gain_db(case),
            at_snr_db: at,
            p_clip: best.p_clip,
            tail31: best.tail31,
            scan,
            fixed: fx,
            adc,
            levels,
            default_agc_code,
        }
    });
    Loss {
        snr_db,
        bits,
        reference,
        causes,
        sum_db,
        fixed,
        backoff,
    }
}

/// The backoff scan at the launch SNR `at`: the study's convention, then the gain codes
/// from one below it up to 31 or the first that clips more than [`MAX_CLIP_RATE`] of the
/// samples (codes with no design are left out), each with the
/// fixed-point BER (clipping modelled), its clipping rate and P(|code| >= 31). `None` when
/// not even the convention has a design.
pub fn optimise_backoff(case: &Case, q: &Query, at: f64) -> Option<Vec<ScanPoint>> {
    // codes below the convention back off more than it does: never better (its ISI never
    // clips); start one code below it, stop once the BER has risen 100-fold past the best
    let conv = Agc::Study.gain_db(case);
    let first =
        ((conv / cporx_spec::agc::GAIN_STEP_DB).floor() + cporx_spec::agc::GAIN_UNITY as f64 - 1.0)
            .clamp(0.0, GAIN_MAX as f64) as u32;
    let point = |agc: Agc| -> Option<ScanPoint> {
        let fs = agc.full_scale(case);
        let d = design(case, at, fs, q.n_taps, q.bits)?;
        let rx = receiver(case, at, fs, q.bits, &d, Switches::FIXED);
        let r = ber(&rx).ok()?;
        Some(ScanPoint {
            agc,
            ber: r.ber,
            p_clip: r.p_clip,
            tail31: tail_fraction(&rx, 31),
        })
    };
    let mut scan = vec![point(Agc::Study)?];
    let mut best = scan[0].ber;
    for c in first..=GAIN_MAX {
        let Some(p) = point(Agc::Code(c)) else {
            continue;
        };
        if p.p_clip > MAX_CLIP_RATE {
            break;
        }
        scan.push(p);
        best = best.min(p.ber);
        if p.ber > 100.0 * best {
            break;
        }
    }
    Some(scan)
}
