//! FFE tap solving (MMSE, least-squares zero forcing), coefficient quantization with its
//! SNR loss, and a sign-sign LMS that adapts the coefficient registers of the bit-exact
//! receive model while it runs.
//!
//! # Channel and equalizer conventions
//!
//! Amplitudes are PAM-4 level units: symbol `s` is the level `a = 2s - 3` in
//! {-3, -1, 1, 3}, E[a^2] = 5, symbols independent. The channel is given by its
//! symbol-spaced cursors `(j, h_j)` (as [`crate::pulse::PulseResponse::cursors`] returns
//! them; `j > 0` post-cursors, `j < 0` pre-cursors), so the sampler sees
//!
//! ```text
//! x[n] = sum_j h_j a[n-j] + w[n],            E[w^2] = noise_var (level units^2)
//! y[n] = sum_{k=0}^{N-1} c_k x[n-k]          (tap 0 multiplies the newest sample)
//!      = sum_m g_m a[n-m] + sum_k c_k w[n-k],  g_m = sum_k c_k h_{m-k}
//! ```
//!
//! and `y[n]` decides `a[n - main_tap]` (unit-gain target in level units). [`equalize`]
//! returns `g` indexed relative to the decision, `r = m - main_tap` (so `r = 0` is the
//! decided symbol's gain and `r > 0` the residual post-cursors, as for the channel).
//!
//! * **MMSE** ([`solve_mmse`]): minimize `E|y[n] - a[n-main]|^2`:
//!   `R c = p`, `R_ij = 5 sum_m h_{m-i} h_{m-j} + noise_var delta_ij`, `p_i = 5 h_{main-i}`.
//!   [`crate::closed_loop::mmse_taps`] (the closed loop's taps) is this function on a pulse's cursors.
//! * **Zero forcing, least squares** ([`solve_zf`]): minimize
//!   `sum_m (g_m - delta_{m,main})^2` over the whole span of the equalized response
//!   (`m` from `min(j_min, main)` to `max(j_max + N - 1, main)`): `H'H c = H' e_main`.
//!   This is the MMSE solution at `noise_var = 0`; it ignores noise enhancement.
//! * **Output SNR** ([`output_snr_db`]): power of the decided term over residual ISI plus
//!   filtered noise, `SNR = 5 g_0^2 / (5 sum_{r != 0} g_r^2 + noise_var sum_k c_k^2)`
//!   (indices `r` relative to the decision). Scale invariant in `c`, so it rates taps of
//!   any gain. Not included: the ADC's and the FFE output's rounding, saturation.
//!
//! # Fixed-point formats (docs/numerics.md)
//!
//! Coefficients are Q2.6 codes -128 ..= 127 (64 = 1.0). Real taps in level units map to
//! codes by `code = round(t * codes_per_unit)` with [`coef_scale`]`(full_scale)` =
//! `64 * 8 / (32 / full_scale)`: the ADC gives `32 / full_scale` codes per level unit, the
//! default slicer targets (+-16, +-48 Q7.1 = +-8, +-24 ADC LSB) assume 8 ADC LSB per level
//! unit, and a coefficient code of 64 passes an ADC LSB through as one. This is the
//! convention of [`crate::closed_loop::rx_params_for`] (full scale 4: 64 codes per unit). A tap
//! whose code does not fit -128 ..= 127 is an error (never clamped silently).
//! [`Quantized::loss_db`] is `output_snr_db(real taps) - output_snr_db(codes /
//! codes_per_unit)` on the given channel: the SNR the rounding to Q2.6 costs (positive =
//! worse; it can be slightly negative for taps that are not the optimum).
//!
//! # Sign-sign LMS ([`SsLms`]) — model only
//!
//! Runs the bit-exact [`RxTopModel`] over an ADC stream (any legal lane count P) and, after
//! every clock, updates high-resolution tap accumulators and writes their rounded top bits
//! into `rx.ffe.c[k]`, the same register the configuration port writes (so the FFE's
//! coefficients change mid-stream, as an RTL LMS's would). The RTL has no LMS block: this
//! is a model of one, to size step and accumulator width and to check that the
//! decision-directed loop converges on the bit-exact datapath. Nothing here is in
//! `hdl/` or in the equivalence suite.
//!
//! * Accumulator `acc_k`: Q2.(6+f) (`f = frac_bits`), `i64` in the model, saturated to
//!   the coefficient range `[-128 * 2^f, 127 * 2^f]` after every update (never wraps), so
//!   the rounded coefficient always fits Q2.6 with no further clamp.
//! * Coefficient register: `c_k = floor((acc_k + 2^(f-1)) / 2^f)` (round half up; for
//!   `f = 0` the accumulator is the code).
//! * Update, once per clock, summed over the clock's P lanes `j`:
//!
//!   ```text
//!   acc_k <- sat(acc_k - 2^(f - mu_shift) * sum_j sign(e_j) * sign(x[s_j - k]))
//!   ```
//!
//!   i.e. a step of `mu = 2^-mu_shift` coefficient LSBs (`2^-(6+mu_shift)` in value) per
//!   sign product; `mu_shift <= frac_bits`. `sign(0) = 0` for both the error and the sample
//!   (three-valued sign: a zero error or a zero sample makes no update; with integer
//!   errors and samples a two-valued msb sign would bias every tap).
//!   The gradient sign: `e = y - L[symbol]` and `dy/dc_k` is proportional to `x[n-k]`,
//!   so `c_k -= mu sign(e) sign(x[n-k])` descends `E|e|`.
//! * Latency alignment: the slicer error on lane `j` after the clock edge of cycle `c`
//!   (0-based cycles of the stream given to [`SsLms::adapt`], lane j of cycle c = sample
//!   `cP + j`) belongs to the FFE output of sample `s_j = (c - (LAT_FFE + LAT_SLICER - 1)) P + j`,
//!   computed from `x[s_j - k]` on tap `k`. [`SsLms`] keeps a delay line of the last
//!   `(LAT_FFE + LAT_SLICER) P + N - 1` ADC samples and takes `x[s_j - k]` at distance
//!   `(LAT_FFE + LAT_SLICER - 1) P + (P - 1 - j) + k` from the newest sample (test
//!   `error_alignment_is_bit_exact`). The coefficients written after cycle `c` are used
//!   by products from cycle `c + 1` on, so the loop is a delayed LMS (delay
//!   `LAT_FFE + LAT_SLICER` clocks), which is stable for the small steps used here.
//! * Main tap: adapted by default. With the slicer targets fixed, adapting the main tap
//!   sets the gain (it scales the eye to the targets); `adapt_main = false` freezes it
//!   and only the other taps adapt.
//! * The delay line must see every sample the model sees: create the [`SsLms`] when the
//!   model's history is all zero (after its reset, or at power-up) and pass it the whole
//!   stream, in order, through [`SsLms::adapt`] (calls may split the stream anywhere at
//!   clock boundaries).

pub mod train;

use cporx_model::RxTopModel;
use cporx_spec::*;

/// Errors of tap solving, quantization and LMS configuration; each names the field and
/// its legal range.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TapError {
    #[error("taps: parameter `{field}` = {value} is out of range: legal is {lo} ..= {hi}")]
    OutOfRange {
        field: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
    #[error("taps: parameter `cursors` is empty: the channel needs at least one cursor")]
    EmptyCursors,
    #[error("taps: the normal equations are singular (the cursors are all zero or nearly so)")]
    Singular,
    #[error("taps: tap {tap} = {value:.6} gives coefficient code {code}, outside the Q2.6 range {lo} ..= {hi}")]
    CoefRange {
        tap: usize,
        value: f64,
        code: f64,
        lo: i32,
        hi: i32,
    },
    #[error("taps: LMS has {lms} taps but the receive model has {rx}")]
    TapCount { lms: usize, rx: usize },
}

fn range(field: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), TapError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(TapError::OutOfRange {
            field,
            value,
            lo,
            hi,
        })
    }
}

fn check_taps(n_taps: usize, main_tap: usize) -> Result<(), TapError> {
    range("n_taps", n_taps as f64, MIN_TAPS as f64, MAX_TAPS as f64)?;
    range("main_tap", main_tap as f64, 0.0, n_taps as f64 - 1.0)
}

/// The cursors as a lookup: h(j), 0 outside; the first entry wins for a repeated index
/// (as `solve_mmse` uses it).
struct Cursors {
    kmin: i64,
    kmax: i64,
    h: Vec<f64>,
}

impl Cursors {
    fn new(cursors: &[(i32, f64)]) -> Result<Self, TapError> {
        if cursors.is_empty() {
            return Err(TapError::EmptyCursors);
        }
        for &(_, v) in cursors {
            if !v.is_finite() {
                return Err(TapError::OutOfRange {
                    field: "cursors",
                    value: v,
                    lo: f64::MIN,
                    hi: f64::MAX,
                });
            }
        }
        let kmin = cursors.iter().map(|c| c.0).min().unwrap() as i64;
        let kmax = cursors.iter().map(|c| c.0).max().unwrap() as i64;
        let mut h = vec![0.0; (kmax - kmin + 1) as usize];
        let mut set = vec![false; h.len()];
        for &(k, v) in cursors {
            let i = (k as i64 - kmin) as usize;
            if !set[i] {
                h[i] = v;
                set[i] = true;
            }
        }
        Ok(Cursors { kmin, kmax, h })
    }
    #[inline]
    fn at(&self, j: i64) -> f64 {
        if j < self.kmin || j > self.kmax {
            0.0
        } else {
            self.h[(j - self.kmin) as usize]
        }
    }
}

/// Real-valued MMSE taps (level units, unit gain on `a[n - main_tap]`): minimize
/// `E|sum_k c_k x[n-k] - a[n-main_tap]|^2` with `x = h * a + noise`, E[a^2] = 5,
/// noise variance `noise_var` (level units^2). `crate::closed_loop::mmse_taps` calls this on a
/// pulse's cursors.
pub fn solve_mmse(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
    noise_var: f64,
) -> Result<Vec<f64>, TapError> {
    mmse(cursors, n_taps, main_tap, noise_var, None)
}

/// MMSE FFE taps beside a 1-tap DFE that cancels the first post-cursor of the equalized
/// pulse, solved jointly: the DFE's tap is free, so the FFE minimizes the error with the
/// symbol one after the main cursor (`a[n - main_tap - 1]`) removed from its input (its
/// column dropped from the covariance), and the DFE's tap is then that symbol's equalized
/// cursor `g_1 = sum_k c_k h(main_tap + 1 - k)`. Same units and conventions as
/// [`solve_mmse`].
pub fn solve_mmse_dfe(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
    noise_var: f64,
) -> Result<Vec<f64>, TapError> {
    mmse(
        cursors,
        n_taps,
        main_tap,
        noise_var,
        Some(main_tap as i64 + 1),
    )
}

/// Zero-forcing taps beside a 1-tap DFE: as [`solve_zf`] with the equalized response at
/// `m = main_tap + 1` left free (the DFE cancels it).
pub fn solve_zf_dfe(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
) -> Result<Vec<f64>, TapError> {
    zf(cursors, n_taps, main_tap, Some(main_tap as i64 + 1))
}

/// Least-squares zero-forcing taps: the equalized response `g_m = sum_k c_k h_{m-k}`
/// closest (sum of squares over its whole span) to a unit delta at `m = main_tap`.
pub fn solve_zf(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
) -> Result<Vec<f64>, TapError> {
    zf(cursors, n_taps, main_tap, None)
}

/// The MMSE normal equations and their solution ([`solve_mmse`]); `skip`: the symbol
/// `m` a 1-tap DFE cancels, left out of the covariance ([`solve_mmse_dfe`]).
fn mmse(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
    noise_var: f64,
    skip: Option<i64>,
) -> Result<Vec<f64>, TapError> {
    check_taps(n_taps, main_tap)?;
    range("noise_var", noise_var, 0.0, f64::MAX)?;
    let h = Cursors::new(cursors)?;
    let n = n_taps;
    // R_ij = 5 sum_m h(m-i) h(m-j) + noise_var delta_ij (m != skip), p_i = 5 h(main - i)
    let mut r = vec![vec![0.0; n]; n];
    let mut p = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for m in (h.kmin - 1)..=(h.kmax + n as i64 + 1) {
                if Some(m) != skip {
                    s += h.at(m - i as i64) * h.at(m - j as i64);
                }
            }
            r[i][j] = 5.0 * s + if i == j { noise_var } else { 0.0 };
        }
        p[i] = 5.0 * h.at(main_tap as i64 - i as i64);
    }
    train::solve(r, p).ok_or(TapError::Singular)
}

/// The zero-forcing least-squares solution ([`solve_zf`]); `skip`: the equalized
/// response's index `m` a 1-tap DFE cancels, left free ([`solve_zf_dfe`]).
fn zf(
    cursors: &[(i32, f64)],
    n_taps: usize,
    main_tap: usize,
    skip: Option<i64>,
) -> Result<Vec<f64>, TapError> {
    check_taps(n_taps, main_tap)?;
    let h = Cursors::new(cursors)?;
    let n = n_taps;
    let m_lo = h.kmin.min(main_tap as i64);
    let m_hi = (h.kmax + n as i64 - 1).max(main_tap as i64);
    // H[m][k] = h(m - k); normal equations H'H c = H' delta_main (rows m != skip)
    let mut a = vec![vec![0.0; n]; n];
    let mut b = vec![0.0; n];
    for m in m_lo..=m_hi {
        if Some(m) == skip {
            continue;
        }
        for i in 0..n {
            let hi = h.at(m - i as i64);
            if m == main_tap as i64 {
                b[i] += hi;
            }
            for j in 0..n {
                a[i][j] += hi * h.at(m - j as i64);
            }
        }
    }
    train::solve(a, b).ok_or(TapError::Singular)
}

/// The equalized (combined channel + FFE) response `g`, as `(r, g)` with `r = m -
/// main_tap` relative to the decided symbol (`r = 0` its gain, `r > 0` post-cursors),
/// over the whole span, in increasing `r`. Empty for empty inputs.
pub fn equalize(cursors: &[(i32, f64)], taps: &[f64], main_tap: usize) -> Vec<(i32, f64)> {
    let Ok(h) = Cursors::new(cursors) else {
        return vec![];
    };
    if taps.is_empty() {
        return vec![];
    }
    let lo = h.kmin;
    let hi = h.kmax + taps.len() as i64 - 1;
    (lo..=hi)
        .map(|m| {
            let g: f64 = taps
                .iter()
                .enumerate()
                .map(|(k, &c)| c * h.at(m - k as i64))
                .sum();
            ((m - main_tap as i64) as i32, g)
        })
        .collect()
}

/// Output SNR in dB of taps `taps` on the channel:
/// `5 g_0^2 / (5 sum_{r != 0} g_r^2 + noise_var sum_k c_k^2)` (`g` from [`equalize`],
/// relative to the decision at `main_tap`). +inf when there is neither ISI nor noise,
/// -inf when the decided term is zero.
pub fn output_snr_db(cursors: &[(i32, f64)], taps: &[f64], main_tap: usize, noise_var: f64) -> f64 {
    let g = equalize(cursors, taps, main_tap);
    let g0 = g.iter().find(|x| x.0 == 0).map(|x| x.1).unwrap_or(0.0);
    let isi: f64 = g.iter().filter(|x| x.0 != 0).map(|x| x.1 * x.1).sum();
    let nz = noise_var * taps.iter().map(|c| c * c).sum::<f64>();
    10.0 * (5.0 * g0 * g0 / (5.0 * isi + nz)).log10()
}

/// Coefficient codes per level unit of tap gain for an ADC of `full_scale` (level units at
/// code 32) and the default slicer targets (8 ADC LSB per level unit):
/// `64 * 8 / (32 / full_scale)`; 64 at the default full scale 4. The convention of
/// [`crate::closed_loop::rx_params_for`].
pub fn coef_scale(full_scale: f64) -> f64 {
    let gain = (1 << (ADC_BITS - 1)) as f64 / full_scale; // ADC codes per level unit
    let target = 8.0; // ADC codes per level unit the slicer targets assume
    target / gain * (1 << COEF_FRAC) as f64
}

/// Quantized taps and the SNR the quantization costs.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantized {
    /// Q2.6 coefficient codes, one per tap.
    pub codes: Vec<i32>,
    /// `output_snr_db(real taps) - output_snr_db(codes / codes_per_unit)` on the channel
    /// given to [`quantize`], dB (positive = the codes are worse).
    pub loss_db: f64,
}

/// Quantize real taps (level units) to Q2.6 codes, `code = round(t * codes_per_unit)`
/// (round half away from zero; `codes_per_unit` from [`coef_scale`]), and rate the loss on
/// the channel `cursors` with the decision at `main_tap` and `noise_var` (see
/// [`Quantized::loss_db`]). A code outside -128 ..= 127 is an error naming the tap.
pub fn quantize(
    taps: &[f64],
    codes_per_unit: f64,
    cursors: &[(i32, f64)],
    main_tap: usize,
    noise_var: f64,
) -> Result<Quantized, TapError> {
    range(
        "codes_per_unit",
        codes_per_unit,
        f64::MIN_POSITIVE,
        f64::MAX,
    )?;
    range("noise_var", noise_var, 0.0, f64::MAX)?;
    range("main_tap", main_tap as f64, 0.0, taps.len() as f64 - 1.0)?;
    Cursors::new(cursors)?;
    let (lo, hi) = signed_range(COEF_BITS);
    let codes = taps
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let code = (t * codes_per_unit).round();
            if code.is_nan() || code < lo as f64 || code > hi as f64 {
                Err(TapError::CoefRange {
                    tap: k,
                    value: t,
                    code,
                    lo,
                    hi,
                })
            } else {
                Ok(code as i32)
            }
        })
        .collect::<Result<Vec<i32>, _>>()?;
    let back: Vec<f64> = codes.iter().map(|&c| c as f64 / codes_per_unit).collect();
    let loss_db = output_snr_db(cursors, taps, main_tap, noise_var)
        - output_snr_db(cursors, &back, main_tap, noise_var);
    Ok(Quantized { codes, loss_db })
}

/// Sign-sign LMS configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LmsConfig {
    /// Step: `2^-mu_shift` coefficient LSBs per sign product, 0 ..= frac_bits.
    pub mu_shift: u32,
    /// Accumulator fraction bits below the coefficient LSB (accumulator Q2.(6+f)), 0 ..= 24.
    pub frac_bits: u32,
    /// The main tap (the one `adapt_main` refers to).
    pub main_tap: usize,
    /// Adapt the main tap too (sets the gain against the fixed slicer targets); false
    /// freezes it at its initial code.
    pub adapt_main: bool,
}

impl Default for LmsConfig {
    /// mu = 2^-6 LSB per update, 10 fraction bits, main tap 1, all taps adapt.
    fn default() -> Self {
        LmsConfig {
            mu_shift: 6,
            frac_bits: 10,
            main_tap: 1,
            adapt_main: true,
        }
    }
}

/// Counts of one [`SsLms::adapt`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LmsStats {
    /// clocks run
    pub cycles: u64,
    /// tap-accumulator updates that hit the saturation bound
    pub saturations: u64,
    /// sum of the squared slicer errors (Q8.1 codes squared) over every lane of every clock
    pub err_sq: f64,
}

/// The high-resolution state of a sign-sign LMS on an [`RxTopModel`] (model only; see the
/// module documentation).
#[derive(Clone, Debug)]
pub struct SsLms {
    mu_shift: u32,
    frac_bits: u32,
    main_tap: usize,
    adapt_main: bool,
    lanes: usize,
    /// tap accumulators, Q2.(6+frac_bits)
    acc: Vec<i64>,
    /// ADC delay line, newest first: (LAT_FFE + LAT_SLICER) P + N - 1 samples
    hist: Vec<i32>,
}

/// The three-valued sign, sign(0) = 0.
#[inline(always)]
fn sgn(v: i32) -> i64 {
    (v > 0) as i64 - (v < 0) as i64
}

/// Clocks from an ADC sample's capture to the slicer error of the output that uses it on
/// tap 0, minus one (the error after cycle c is of sample (c - ERR_DELAY) P + j).
const ERR_DELAY: usize = LAT_FFE + LAT_SLICER - 1;

impl SsLms {
    /// An LMS starting from the coefficient codes `init` (one per tap) for a model of
    /// `lanes` samples per clock.
    pub fn new(cfg: LmsConfig, init: &[i32], lanes: usize) -> Result<Self, TapError> {
        range("frac_bits", cfg.frac_bits as f64, 0.0, 24.0)?;
        range("mu_shift", cfg.mu_shift as f64, 0.0, cfg.frac_bits as f64)?;
        check_taps(init.len(), cfg.main_tap)?;
        if !LEGAL_LANES.contains(&lanes) {
            return Err(TapError::OutOfRange {
                field: "lanes",
                value: lanes as f64,
                lo: 1.0,
                hi: MAX_LANES as f64,
            });
        }
        let (lo, hi) = signed_range(COEF_BITS);
        let acc = init
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                if (lo..=hi).contains(&c) {
                    Ok((c as i64) << cfg.frac_bits)
                } else {
                    Err(TapError::CoefRange {
                        tap: k,
                        value: c as f64 / (1 << COEF_FRAC) as f64,
                        code: c as f64,
                        lo,
                        hi,
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SsLms {
            mu_shift: cfg.mu_shift,
            frac_bits: cfg.frac_bits,
            main_tap: cfg.main_tap,
            adapt_main: cfg.adapt_main,
            lanes,
            acc,
            hist: vec![0; (ERR_DELAY + 1) * lanes + init.len() - 1],
        })
    }

    /// An LMS starting from the model's current coefficient registers and lane count (call
    /// it while the model's history is all zero: after a reset or at power-up).
    pub fn from_rx(cfg: LmsConfig, rx: &RxTopModel) -> Result<Self, TapError> {
        let n = rx.ffe.n_taps();
        let init: Vec<i32> = rx.ffe.c[..n].iter().map(|c| c.to_bits() as i32).collect();
        Self::new(cfg, &init, rx.lanes())
    }

    pub fn mu_shift(&self) -> u32 {
        self.mu_shift
    }
    pub fn frac_bits(&self) -> u32 {
        self.frac_bits
    }
    /// Change the step (gear shifting), 0 ..= frac_bits.
    pub fn set_mu_shift(&mut self, mu_shift: u32) -> Result<(), TapError> {
        range("mu_shift", mu_shift as f64, 0.0, self.frac_bits as f64)?;
        self.mu_shift = mu_shift;
        Ok(())
    }
    /// The tap accumulators, Q2.(6+frac_bits).
    pub fn acc(&self) -> &[i64] {
        &self.acc
    }
    /// The coefficient codes the accumulators round to (what [`Self::adapt`] writes).
    pub fn codes(&self) -> Vec<i32> {
        let f = self.frac_bits;
        self.acc
            .iter()
            .map(|&a| {
                if f == 0 {
                    a as i32
                } else {
                    ((a + (1 << (f - 1))) >> f) as i32
                }
            })
            .collect()
    }

    fn write_coefs(&self, rx: &mut RxTopModel) {
        for (k, c) in self.codes().into_iter().enumerate() {
            rx.ffe.c[k] = cporx_model::ffe::Coef::from_bits(c as i8);
        }
    }

    /// Run the model over `adc` (P samples per clock, `adc.len()` a multiple of P; the
    /// trailing partial block, if any, is ignored), updating the accumulators after every
    /// clock and writing the rounded coefficients into `rx.ffe.c`. The decided symbols are
    /// written to `symbols` (stream order) when given (same length as `adc`).
    pub fn adapt(
        &mut self,
        rx: &mut RxTopModel,
        adc: &[i8],
        mut symbols: Option<&mut [u8]>,
    ) -> Result<LmsStats, TapError> {
        let n = self.acc.len();
        if rx.ffe.n_taps() != n {
            return Err(TapError::TapCount {
                lms: n,
                rx: rx.ffe.n_taps(),
            });
        }
        if rx.lanes() != self.lanes {
            return Err(TapError::OutOfRange {
                field: "lanes",
                value: rx.lanes() as f64,
                lo: self.lanes as f64,
                hi: self.lanes as f64,
            });
        }
        if let Some(s) = symbols.as_deref() {
            range(
                "symbols.len",
                s.len() as f64,
                adc.len() as f64,
                adc.len() as f64,
            )?;
        }
        let p = self.lanes;
        let f = self.frac_bits;
        let step = 1i64 << (f - self.mu_shift);
        let lo = (signed_range(COEF_BITS).0 as i64) << f;
        let hi = (signed_range(COEF_BITS).1 as i64) << f;
        let mut st = LmsStats::default();
        let mut blk = [0i32; MAX_LANES];
        let mut grad = [0i64; MAX_TAPS];
        self.write_coefs(rx);
        for (ci, x) in adc.chunks_exact(p).enumerate() {
            for j in 0..p {
                blk[j] = x[j] as i32;
            }
            rx.step_data(&blk[..p]);
            // delay line: shift in the block, lane P-1 (the newest) at 0
            let len = self.hist.len();
            self.hist.copy_within(0..len - p, p);
            for j in 0..p {
                self.hist[p - 1 - j] = blk[j];
            }
            if let Some(s) = symbols.as_deref_mut() {
                s[ci * p..(ci + 1) * p].copy_from_slice(&rx.slicer.symbol[..p]);
            }
            // sign products: lane j's error is of sample s_j, tap k used x[s_j - k]
            grad[..n].fill(0);
            for j in 0..p {
                let e = rx.slicer.err[j];
                st.err_sq += (e * e) as f64;
                let se = sgn(e);
                if se == 0 {
                    continue;
                }
                let base = ERR_DELAY * p + (p - 1 - j);
                for (k, g) in grad[..n].iter_mut().enumerate() {
                    *g += se * sgn(self.hist[base + k]);
                }
            }
            for (k, a) in self.acc.iter_mut().enumerate() {
                if k == self.main_tap && !self.adapt_main {
                    continue;
                }
                let v = *a - step * grad[k];
                if v < lo || v > hi {
                    st.saturations += 1;
                }
                *a = v.clamp(lo, hi);
            }
            self.write_coefs(rx);
            st.cycles += 1;
        }
        Ok(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::afe::{Afe, AfeConfig};
    use crate::pulse::PulseResponse;
    use cporx_model::ffe::{round_saturate, Acc};
    use cporx_model::slicer::decide;

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn zf_inverts_a_known_channel_and_is_mmse_without_noise() {
        // 1 + 0.5 D (minimum phase): the LS ZF inverse approaches 1, -0.5, 0.25, ...
        let cur = [(0, 1.0), (1, 0.5)];
        let c = solve_zf(&cur, 8, 0).unwrap();
        assert!(close(&c[..4], &[1.0, -0.5, 0.25, -0.125], 0.01), "{c:?}");
        let g = equalize(&cur, &c, 0);
        assert_eq!(g.first().unwrap().0, 0);
        assert_eq!(g.len(), 9);
        assert!((g[0].1 - 1.0).abs() < 0.01);
        assert!(g[1..].iter().all(|x| x.1.abs() < 0.01), "{g:?}");
        for name in ["cpo", "short", "mr"] {
            let cur = PulseResponse::builtin(name).unwrap().cursors(0.0);
            let zf = solve_zf(&cur, 5, 1).unwrap();
            let m0 = solve_mmse(&cur, 5, 1, 0.0).unwrap();
            assert!(close(&zf, &m0, 1e-9), "{name}");
            // with noise, MMSE beats ZF on the output SNR (it is the SNR-optimal filter up
            // to its bias) and ZF has less residual ISI
            let nv = 5.0 / 10f64.powf(2.0); // 20 dB
            let m = solve_mmse(&cur, 5, 1, nv).unwrap();
            let (sm, sz) = (
                output_snr_db(&cur, &m, 1, nv),
                output_snr_db(&cur, &zf, 1, nv),
            );
            assert!(sm >= sz - 1e-9, "{name}: mmse {sm} zf {sz}");
        }
    }

    #[test]
    fn output_snr_of_simple_cases() {
        // no ISI: 5 / noise_var (the AFE's SNR definition)
        let s = output_snr_db(&[(0, 1.0)], &[0.0, 1.0, 0.0], 1, 5.0 / 316.227766);
        assert!((s - 25.0).abs() < 1e-6, "{s}");
        // one post-cursor 0.5, pass-through taps: 5 / (5 * 0.25) = 4 -> 6.02 dB
        let s = output_snr_db(&[(0, 1.0), (1, 0.5)], &[0.0, 1.0, 0.0], 1, 0.0);
        assert!((s - 10.0 * 4f64.log10()).abs() < 1e-9, "{s}");
        // scale invariant
        let cur = PulseResponse::builtin("short").unwrap().cursors(0.0);
        let c = solve_mmse(&cur, 3, 1, 0.02).unwrap();
        let c2: Vec<f64> = c.iter().map(|v| v * 1.7).collect();
        assert!(
            (output_snr_db(&cur, &c, 1, 0.02) - output_snr_db(&cur, &c2, 1, 0.02)).abs() < 1e-9
        );
    }

    #[test]
    fn errors_name_the_field_and_range() {
        let cur = [(0, 1.0)];
        let e = solve_mmse(&cur, 1, 0, 0.0).unwrap_err();
        assert!(
            matches!(e, TapError::OutOfRange { field: "n_taps", lo, hi, .. } if lo == 2.0 && hi == 16.0)
        );
        assert!(
            e.to_string().contains("n_taps") && e.to_string().contains("2 ..= 16"),
            "{e}"
        );
        assert!(matches!(
            solve_zf(&cur, 17, 0),
            Err(TapError::OutOfRange {
                field: "n_taps",
                ..
            })
        ));
        let e = solve_zf(&cur, 3, 3).unwrap_err();
        assert!(
            matches!(e, TapError::OutOfRange { field: "main_tap", hi, .. } if hi == 2.0),
            "{e}"
        );
        assert_eq!(solve_mmse(&[], 3, 1, 0.0), Err(TapError::EmptyCursors));
        assert_eq!(solve_zf(&[], 3, 1), Err(TapError::EmptyCursors));
        assert!(matches!(
            solve_mmse(&cur, 3, 1, -1.0),
            Err(TapError::OutOfRange {
                field: "noise_var",
                ..
            })
        ));
        assert_eq!(solve_zf(&[(0, 0.0)], 3, 1), Err(TapError::Singular));
        // quantization: no silent clamp
        let e = quantize(&[0.1, 2.5, 0.0], 64.0, &cur, 1, 0.0).unwrap_err();
        assert!(
            matches!(e, TapError::CoefRange { tap: 1, code, lo: -128, hi: 127, .. } if code == 160.0),
            "{e}"
        );
        assert!(
            e.to_string().contains("tap 1") && e.to_string().contains("-128 ..= 127"),
            "{e}"
        );
        assert!(quantize(&[-2.0, 1.984375], 64.0, &cur, 1, 0.0).is_ok());
        assert!(matches!(
            quantize(&[-2.01], 64.0, &cur, 0, 0.0),
            Err(TapError::CoefRange { tap: 0, .. })
        ));
        assert!(matches!(
            quantize(&[1.0], 0.0, &cur, 0, 0.0),
            Err(TapError::OutOfRange {
                field: "codes_per_unit",
                ..
            })
        ));
        // LMS configuration
        let bad = LmsConfig {
            mu_shift: 11,
            frac_bits: 10,
            ..Default::default()
        };
        assert!(matches!(
            SsLms::new(bad, &[0, 64, 0], 1),
            Err(TapError::OutOfRange {
                field: "mu_shift",
                ..
            })
        ));
        assert!(matches!(
            SsLms::new(LmsConfig::default(), &[0, 64, 0], 3),
            Err(TapError::OutOfRange { field: "lanes", .. })
        ));
        assert!(matches!(
            SsLms::new(LmsConfig::default(), &[0, 200, 0], 1),
            Err(TapError::CoefRange { tap: 1, .. })
        ));
    }

    /// coef_scale reproduces link::rx_params_for's codes: quantizing solve_mmse's taps gives
    /// its reset coefficients (full scale 4 and 3).
    #[test]
    fn quantize_reproduces_rx_params_for() {
        for name in ["cpo", "short", "mr"] {
            for fs in [4.0, 3.0] {
                for n in [3, 5] {
                    let mut a = AfeConfig::new(PulseResponse::builtin(name).unwrap());
                    a.snr_db = Some(25.0);
                    a.full_scale = fs;
                    let rx = crate::closed_loop::rx_params_for(&a, n).unwrap();
                    let nv = a.noise_sigma().powi(2);
                    let cur = a.pulse.cursors(0.0);
                    let c = solve_mmse(&cur, n, 1, nv).unwrap();
                    let q = quantize(&c, coef_scale(fs), &cur, 1, nv).unwrap();
                    assert_eq!(q.codes, rx.reset_coefs, "{name} fs {fs} n {n}");
                    assert!(q.loss_db.abs() < 0.2, "{name}: {q:?}");
                }
            }
        }
        assert_eq!(coef_scale(4.0), 64.0);
    }

    /// The ADC codes of `n` samples at PI code 0 (the AFE's sampler and ADC, PRBS13Q) and,
    /// for each, the symbol whose main cursor it carries.
    fn afe_stream(
        name: &str,
        snr_db: f64,
        seed: u64,
        n: usize,
    ) -> (AfeConfig, Vec<i8>, Vec<Option<u8>>) {
        let mut cfg = AfeConfig::new(PulseResponse::builtin(name).unwrap());
        cfg.snr_db = Some(snr_db);
        cfg.seed = seed;
        let mut afe = Afe::new(cfg.clone()).unwrap();
        let d = afe.latency();
        let mut adc = Vec::with_capacity(n);
        let mut sym = Vec::with_capacity(n);
        for i in 0..n {
            adc.push(afe.sample(0));
            sym.push(afe.tx_symbol(i as i64 - d));
        }
        (cfg, adc, sym)
    }

    fn rx_with(n_taps: usize, lanes: usize) -> RxTopModel {
        let p = RxParams::with_taps(n_taps, 1)
            .unwrap()
            .with_lanes(lanes)
            .unwrap();
        let mut rx = RxTopModel::new(&p).unwrap();
        rx.step(&RxIn::reset());
        // the reset cycle captured a zero ADC sample: the history is still all zero
        rx
    }

    /// The error the LMS pairs with x[s_j - k] is the slicer error of the FFE output
    /// computed from exactly those samples (bit exact, coefficients held), at P = 1 and 4.
    #[test]
    fn error_alignment_is_bit_exact() {
        let (_, adc, _) = afe_stream("short", 20.0, 3, 4000);
        for lanes in [1, 4] {
            let mut rx = rx_with(5, lanes);
            let codes = [-9, 77, -11, 3, -2];
            for (k, &c) in codes.iter().enumerate() {
                rx.ffe.c[k] = cporx_model::ffe::Coef::from_bits(c);
            }
            // the coefficients are held: the accumulators are restored after every clock
            let mut l = SsLms::from_rx(
                LmsConfig {
                    mu_shift: 0,
                    frac_bits: 0,
                    ..Default::default()
                },
                &rx,
            )
            .unwrap();
            let mut checked = 0;
            for (ci, blk) in adc.chunks_exact(lanes).enumerate() {
                // one clock without adaptation: run through adapt with a frozen copy
                let saved = l.acc.clone();
                l.adapt(&mut rx, blk, None).unwrap();
                l.acc = saved;
                l.write_coefs(&mut rx);
                if ci < ERR_DELAY + 2 {
                    continue;
                }
                for j in 0..lanes {
                    let base = ERR_DELAY * lanes + (lanes - 1 - j);
                    let acc: i32 = (0..5).map(|k| codes[k] as i32 * l.hist[base + k]).sum();
                    let y = round_saturate(Acc::from_bits(acc)).to_bits() as i32;
                    let s = decide(y, &rx.slicer.thr);
                    assert_eq!(
                        rx.slicer.err[j],
                        y - rx.slicer.tgt[s as usize],
                        "P={lanes} cycle {ci} lane {j}"
                    );
                    checked += 1;
                }
            }
            assert!(checked > 3900);
        }
    }

    /// Under an error of constant sign the accumulators run to the coefficient bound and
    /// stay there (saturate, never wrap). Samples x = 1 keep |y| <= 12 Q7.1 for any taps,
    /// so with every target at -128 the error y + 128 is always > 0 (taps fall to -128),
    /// and with every target at 127 it is always < 0 (taps climb to 127).
    #[test]
    fn accumulators_saturate_instead_of_wrapping() {
        let mut rx = rx_with(3, 1);
        let cfg = LmsConfig {
            mu_shift: 0,
            frac_bits: 4,
            main_tap: 1,
            adapt_main: true,
        };
        let mut l = SsLms::from_rx(cfg, &rx).unwrap();
        let regs = |rx: &RxTopModel| {
            rx.ffe.c[..3]
                .iter()
                .map(|c| c.to_bits() as i32)
                .collect::<Vec<_>>()
        };
        rx.slicer.tgt = [-128; 4];
        let st = l.adapt(&mut rx, &vec![1i8; 2000], None).unwrap();
        assert_eq!(l.codes(), vec![-128, -128, -128], "{:?}", l.acc());
        assert!(l.acc().iter().all(|&a| a == -128 << 4));
        assert_eq!(regs(&rx), vec![-128, -128, -128]);
        // one code per clock: 64 + 192 clocks to reach the bound from 0 / 64, the rest push
        assert!(st.saturations > 3 * 1500, "{st:?}");
        rx.slicer.tgt = [127; 4];
        let st = l.adapt(&mut rx, &vec![1i8; 2000], None).unwrap();
        assert_eq!(l.codes(), vec![127, 127, 127], "{:?}", l.acc());
        assert!(l.acc().iter().all(|&a| a == 127 << 4));
        assert_eq!(regs(&rx), vec![127, 127, 127]);
        assert!(st.saturations > 3 * 1500, "{st:?}");
    }

    /// Frozen main tap: it never moves while the others adapt.
    #[test]
    fn frozen_main_tap_does_not_move() {
        let (_, adc, _) = afe_stream("short", 25.0, 5, 30_000);
        let mut rx = rx_with(3, 1);
        let cfg = LmsConfig {
            adapt_main: false,
            ..Default::default()
        };
        let mut l = SsLms::from_rx(cfg, &rx).unwrap();
        l.adapt(&mut rx, &adc, None).unwrap();
        let c = l.codes();
        assert_eq!(c[1], 64);
        assert!(c[0] < -1 && c[2] < -1, "{c:?}");
    }

    struct Run {
        codes: Vec<i32>,
        /// symbols after which the codes stay within 0, 1, 2 codes of the target
        converge_at: [Option<usize>; 3],
        mse: f64,
        errors: usize,
        counted: usize,
    }

    /// Adapt from pass-through taps over the stream; record the first symbol count after
    /// which the codes stay within 0, 1, 2 codes of `target` (checked every 100 symbols),
    /// then score the final codes (fresh model, no adaptation) over the last quarter.
    fn lms_run(
        adc: &[i8],
        sym: &[Option<u8>],
        lanes: usize,
        cfg: LmsConfig,
        target: &[i32],
    ) -> Run {
        let mut rx = rx_with(target.len(), lanes);
        let mut l = SsLms::from_rx(cfg, &rx).unwrap();
        let chunk = 100;
        let mut converge_at = [None; 3];
        for (i, x) in adc.chunks(chunk).enumerate() {
            l.adapt(&mut rx, x, None).unwrap();
            let d = l
                .codes()
                .iter()
                .zip(target)
                .map(|(a, b)| (a - b).abs())
                .max()
                .unwrap();
            for (tol, c) in converge_at.iter_mut().enumerate() {
                match (d <= tol as i32, *c) {
                    (true, None) => *c = Some((i + 1) * chunk),
                    (false, Some(_)) => *c = None,
                    _ => {}
                }
            }
        }
        let (mse, errors, counted) = score(&l.codes(), adc, sym, lanes);
        Run {
            codes: l.codes(),
            converge_at,
            mse,
            errors,
            counted,
        }
    }

    /// Slicer MSE (Q8.1 codes^2) and symbol errors of fixed codes over the last quarter of
    /// the stream (a fresh model, no adaptation).
    fn score(codes: &[i32], adc: &[i8], sym: &[Option<u8>], lanes: usize) -> (f64, usize, usize) {
        let mut rx = rx_with(codes.len(), lanes);
        for (k, &c) in codes.iter().enumerate() {
            rx.ffe.c[k] = cporx_model::ffe::Coef::from_bits(c as i8);
        }
        let mut dec = vec![0u8; adc.len()];
        let mut e2 = 0.0;
        let start = adc.len() * 3 / 4;
        let mut blk = [0i32; MAX_LANES];
        for (ci, x) in adc.chunks_exact(lanes).enumerate() {
            for j in 0..lanes {
                blk[j] = x[j] as i32;
            }
            rx.step_data(&blk[..lanes]);
            for j in 0..lanes {
                dec[ci * lanes + j] = rx.slicer.symbol[j];
                if ci * lanes >= start {
                    e2 += (rx.slicer.err[j] * rx.slicer.err[j]) as f64;
                }
            }
        }
        // the decision of stream index i is of the output of sample s = i - ERR_DELAY P
        // (i's lane in its block is s's), which decides the symbol on x[s - main] (main 1)
        let (mut errors, mut counted) = (0, 0);
        for i in start..adc.len() {
            let s = i - ERR_DELAY * lanes - 1;
            if let Some(t) = sym[s] {
                counted += 1;
                errors += (t != dec[i]) as usize;
            }
        }
        (e2 / (adc.len() - start) as f64, errors, counted)
    }

    /// Measure one case; returns (max |code - MMSE code|, run, SNR of the MMSE codes, SNR
    /// of the LMS codes, slicer MSE and errors of the MMSE codes).
    fn lms_case(
        name: &str,
        seed: u64,
        n_taps: usize,
        lanes: usize,
        cfg: LmsConfig,
        n: usize,
    ) -> (i32, Run, f64, f64, f64, usize) {
        let (acfg, adc, sym) = afe_stream(name, 25.0, seed, n);
        let nv = acfg.noise_sigma().powi(2);
        let cur = acfg.pulse.cursors(0.0);
        let scale = coef_scale(acfg.full_scale);
        let mm = solve_mmse(&cur, n_taps, 1, nv).unwrap();
        let q = quantize(&mm, scale, &cur, 1, nv).unwrap();
        let r = lms_run(&adc, &sym, lanes, cfg, &q.codes);
        let back = |c: &[i32]| c.iter().map(|&v| v as f64 / scale).collect::<Vec<f64>>();
        let snr_mmse = output_snr_db(&cur, &mm, 1, nv);
        let snr_q = output_snr_db(&cur, &back(&q.codes), 1, nv);
        let snr_lms = output_snr_db(&cur, &back(&r.codes), 1, nv);
        let (mse_q, err_q, _) = score(&q.codes, &adc, &sym, lanes);
        eprintln!(
            "{name} seed {seed} N={n_taps} P={lanes}: mmse {mm:.4?} codes {:?} loss {:.3} dB | lms {:?} converged (tol 0/1/2) at {:?} | snr mmse {snr_mmse:.2} q {snr_q:.2} lms {snr_lms:.2} dB | mse q {mse_q:.2} lms {:.2} | errors q {err_q} lms {} of {}",
            q.codes, q.loss_db, r.codes, r.converge_at, r.mse, r.errors, r.counted
        );
        let max_d = r
            .codes
            .iter()
            .zip(&q.codes)
            .map(|(a, b)| (a - b).abs())
            .max()
            .unwrap();
        (max_d, r, snr_q, snr_lms, mse_q, err_q)
    }

    /// On "cpo" and "short" at 25 dB, fixed phase 0 (AFE with PI code 0, PRBS13Q), 3 taps,
    /// the sign-sign LMS (default: mu = 2^-6 LSB, 10 fraction bits, all taps adapt) from
    /// pass-through taps [0, 64, 0] over 200k symbols ends within 1 code of the quantized
    /// MMSE taps and stays within 1 code from 5k symbols on (measured: 200 on cpo, 1000 on
    /// short), within 0.5 dB of their output SNR (measured with the AFE's ziggurat noise:
    /// 0 to 0.44 dB lower, the worst short seed 11 ending on [-6, 65, -7] against
    /// [-5, 65, -8]; the codes dither by a code around rounding boundaries), with at most
    /// 12% more slicer MSE (measured 0 to 9%) and no symbol errors (neither has any). Three
    /// noise seeds each.
    #[test]
    fn ss_lms_converges_to_the_mmse_taps() {
        let n = 200_000;
        for (name, seed) in [
            ("cpo", 11),
            ("cpo", 12),
            ("cpo", 13),
            ("short", 11),
            ("short", 12),
            ("short", 13),
        ] {
            let (max_d, r, snr_q, snr_lms, mse_q, err_q) =
                lms_case(name, seed, 3, 1, LmsConfig::default(), n);
            assert!(max_d <= 1, "{name}: {:?}", r.codes);
            assert!(
                r.converge_at[1].is_some_and(|s| s <= 5_000),
                "{name}: {:?}",
                r.converge_at
            );
            assert!(snr_lms >= snr_q - 0.5, "{name}: {snr_lms} vs {snr_q}");
            assert!(r.mse <= mse_q * 1.12, "{name}: {} vs {mse_q}", r.mse);
            assert!(r.counted > n / 5);
            assert_eq!((r.errors, err_q), (0, 0), "{name}");
        }
    }

    /// Harder cases, measured: "mr" with 5 taps, and "short" at P = 4 (the per-clock sum of
    /// four sign products).
    #[test]
    fn ss_lms_mr_five_taps_and_four_lanes() {
        let n = 200_000;
        let (max_d, r, snr_q, snr_lms, mse_q, _) =
            lms_case("mr", 11, 5, 1, LmsConfig::default(), n);
        assert!(max_d <= 2, "{:?}", r.codes);
        assert!(snr_lms >= snr_q - 0.3, "{snr_lms} vs {snr_q}");
        assert!(r.mse <= mse_q * 1.1, "{} vs {mse_q}", r.mse);
        let (max_d, r, snr_q, snr_lms, _, _) = lms_case("short", 11, 3, 4, LmsConfig::default(), n);
        assert!(max_d <= 1, "{:?}", r.codes);
        assert!(snr_lms >= snr_q - 0.2, "{snr_lms} vs {snr_q}");
        assert_eq!(r.errors, 0);
    }
}
