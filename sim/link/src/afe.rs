//! Behavioral analog front end (AFE) of the closed-loop clock-and-data-recovery simulation.
//!
//! This models everything between the transmitter and the receiver's ADC output: a PAM-4
//! transmitter, a continuous-time channel given by its pulse response, additive Gaussian
//! noise, sampling-clock impairments (random jitter, sinusoidal jitter, a frequency offset
//! between transmitter and receiver reference clocks, a static skew), a phase-interpolated
//! sampler driven by the receiver, and a 6-bit ADC. It is *behavioral*: floating point,
//! not bit exact; the receiver it feeds (the bit-exact model / RTL) is a separate thing.
//!
//! # Units and conventions
//!
//! * Time is measured in transmitter unit intervals (**TX UI**). Symbol `k` (k = 0, 1, 2, ...)
//!   occupies TX time `[k, k+1)`.
//! * Amplitudes are in PAM-4 level units: symbol `s` in 0..=3 is sent as the level
//!   `a = 2s - 3` in {-3, -1, 1, 3}. The pulse response is normalized so its peak is 1, so
//!   an ISI-free sample of symbol `s` has the analog value `a`.
//! * The phase interpolator (PI) has [`PI_STEPS`] = 128 steps per UI; its 7-bit code wraps
//!   (127 -> 0 is one step forward).
//!
//! # Channel
//!
//! The channel is a normalized [`PulseResponse`] (peak 1 at t = 0; the pulse-response type
//! of [`crate::pulse`], whose documentation describes the built-in shapes `ideal`, `cpo`,
//! `short`, `mr` and the measured channels): the response to one 1-UI rectangular symbol of
//! amplitude 1, linearly interpolated between its table points and 0 outside the table.
//!
//! # Sampling model
//!
//! The received waveform is `v(t) = sum_k a_k p(t - k) + noise`, with `p` the pulse response
//! (so `p(t - k)` peaks at time `k`). Symbols with index < 0 are level 0 (nothing sent).
//! The noise is Gaussian, independent per sample, with `sigma = sqrt(5 / 10^(snr_db/10))`
//! (E[a^2] = 5 for PAM-4, peak 1).
//!
//! The PI is the receiver's clock: the receiver logic runs on the recovered clock and takes
//! exactly one sample per cycle, i.e. one [`Afe::sample`] call per receiver cycle. The AFE
//! keeps an unwrapped PI phase `theta` (in PI steps): on each call,
//! `d = (pi_code - previous_code)` reduced modulo 128 into -64..=63, and `theta += d`;
//! `theta` starts at the first call's code (d = 0 on the first call). A PI that moves
//! through 127 -> 0 therefore keeps moving forward in time smoothly; it never jumps a UI.
//!
//! Receiver cycle `n` (n = 0, 1, ...; the n-th call) samples at
//!
//! ```text
//! t_n = n (1 + ppm 1e-6) + theta_n / 128 + skew_ui + sj_amp sin(2 pi sj_freq n) + rj_n - D
//! ```
//!
//! with `rj_n ~ N(0, rj_rms_ui^2)` and `D` the fixed latency [`Afe::latency`]
//! `D = ceil(-t0) + 2` (t0 = the pulse table's first time; D = 3 for `ideal`, 4 for `cpo`, 5 for
//! `short` and `mr`). With PI code 0 and all impairments zero, cycle `n` thus samples
//! exactly at the peak of symbol `n - D`, and the first cycles see only the silent line
//! before symbol 0. The transmitter is driven by time, not by the call count: before each
//! sample the AFE generates symbols until every symbol whose pulse reaches `t_n`
//! exists (newest index >= floor(t_n - t0) + 1; when it has to catch up it runs 32 symbols
//! further, which only affects [`Afe::symbols_sent`]), so a receiver that drifts ahead or behind by
//! many UI (ppm offset) simply sees more or fewer symbols per cycle, like a real link.
//!
//! # Variable-gain amplifier
//!
//! Between the channel and the ADC sits the receiver's variable-gain amplifier (VGA),
//! driven by the AGC's 5-bit gain code (`cporx_spec::agc`): [`Afe::set_gain_code`] makes
//! every later sample `v * gain_linear(code)` (0.5 dB per code, `GAIN_UNITY` = 20 is 0 dB,
//! -10 dB ..= +5.5 dB), noise included: the amplifier scales the channel's output and its
//! noise alike, so the SNR at the ADC does not change. The amplifier's own noise,
//! bandwidth, offset and settling are not modelled; the gain changes between two samples,
//! exactly at the call. Codes above `GAIN_MAX` clamp to it (the port is 5 bits wide, so a
//! receiver cannot drive more). The 32 linear gains are a table computed once per front
//! end. The code starts at `GAIN_UNITY`, where the amplifier multiplies by exactly 1.0:
//! a front end whose gain is never set gives the same samples, bit for bit, as before the
//! amplifier existed. [`Afe::last_analog`] is the amplifier's output, the ADC's input.
//!
//! # ADC
//!
//! `code = round(v / full_scale * 32)` (v the amplifier's output) (round half away from zero), saturated to -32..=31
//! (never wraps); saturations are counted ([`Afe::clipped`]). `full_scale` is the analog
//! value that maps to code 2^(ADC_BITS-1) = 32.
//!
//! # Determinism
//!
//! The transmitter is PRBS13Q ([`Prbs13q`], read from a table of its 8191-symbol period)
//! unless a symbol source is given ([`Afe::with_symbols`]); noise and jitter are standard
//! normal draws from the Monte-Carlo's ziggurat ([`crate::montecarlo::gauss::Source`],
//! seeded with `seed`, a round of 256 draws at a time; its tails are tested there out to
//! the BERs the tools report), one draw for the random jitter (if `rj_rms_ui > 0`) then
//! one for the noise (if `snr_db` is set) per sample. Same configuration and seed => same
//! run, on every machine: the interpolation's two sums take window slot i into partial
//! sum i % 8 by fused multiply-adds and add the eight partial sums in a fixed order, the
//! same in the AVX2 + FMA build as in the portable one (test
//! `fma_and_portable_builds_agree`). (Until stop 31 the draws came from `StdRng` with
//! `rand_distr::StandardNormal`, and the sums in another order: every closed-loop run
//! from before then differs sample by sample, not in its statistics.)
//!
//! # Speed
//!
//! [`Afe::sample_clocks`] takes several clocks at once (the closed loop knows the PI codes
//! of the next 9 clocks, `cporx_model::rx_top::ClosedLoopIo`): it makes every sample's
//! instant and draws first, then the interpolations, which do not depend on one another,
//! so the processor overlaps them; [`Afe::sample`] is one sample of it.

use crate::montecarlo::gauss;
use cporx_model::prbs::Prbs13q;
use cporx_spec::{gain_linear, signed_range, ADC_BITS, GAIN_MAX, GAIN_UNITY};
use std::f64::consts::TAU;

use crate::pulse::PulseError;
pub use crate::pulse::PulseResponse;

/// Phase-interpolator steps per UI (2^PI_BITS).
pub const PI_STEPS: u32 = 1 << cporx_spec::PI_BITS;

/// Symbols kept for [`Afe::tx_symbol`] beyond what the pulse span needs.
const HISTORY: usize = 256;
/// When the transmitter must catch up, it generates this many symbols beyond the need
/// (keeps the per-sample branch predictable; invisible in the samples).
const GEN_BATCH: i64 = 32;
/// Gaussian draws are made in rounds of this many (`gauss::Source::fill`).
const GAUSS_BLOCK: usize = gauss::ROUND;
/// Samples per pass of [`Afe::sample_clocks`] (instants first, then interpolations).
const BATCH: usize = 256;
/// Window slots of the interpolation, a multiple of this many (zero coefficients pad the
/// rest): eight partial sums, one per slot modulo 8.
const SUMS: usize = 8;
/// The SJ phasor is recomputed from sin/cos every this many cycles (a power of two).
const SJ_RESYNC: u64 = 1024;

/// Errors of the analog front end: configuration out of range, a malformed or
/// unnormalized pulse response.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AfeError {
    #[error("afe parameter `{field}` = {value} is out of range: legal is {lo} ..= {hi}")]
    OutOfRange {
        field: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
    #[error(transparent)]
    Pulse(#[from] PulseError),
}

/// floor(x) as an integer without a libm call (x finite, |x| < 2^62).
#[inline]
fn floor_i64(x: f64) -> i64 {
    let i = x as i64;
    i - ((i as f64) > x) as i64
}

/// Round half away from zero, exact for |x| < 2^52, without a libm call.
#[inline]
fn round_half_away(x: f64) -> i64 {
    let t = x as i64;
    let r = x - t as f64;
    t + (r >= 0.5) as i64 - (r <= -0.5) as i64
}

/// One period of PRBS13Q ([`Prbs13q::new`]) as PAM-4 levels 2s - 3, made once.
fn prbs13q_levels() -> &'static [f64] {
    static T: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        Prbs13q::new()
            .take(PRBS13Q_PERIOD)
            .map(|s| 2.0 * s as f64 - 3.0)
            .collect()
    })
}

/// PRBS13Q's period in symbols: 2^13 - 1 (pairs of an odd-period bit sequence).
const PRBS13Q_PERIOD: usize = 8191;

/// Whether the CPU has AVX2 and FMA (the interpolation's fast build; the same numbers
/// without them).
fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The ADC: `v` times `gain` (codes per level unit), rounded half away from zero and
/// saturated to `lo ..= hi`; returns the code and whether it saturated.
#[inline(always)]
fn adc(v: f64, gain: f64, lo: i64, hi: i64) -> (i8, bool) {
    let c = round_half_away((v * gain).clamp(-1e6, 1e6));
    let sat = c.clamp(lo, hi);
    (sat as i8, sat != c)
}

/// The interpolation's two sums over the window, `[sum l c0, sum l c1]`: slot i into
/// partial sum i % 8, each step one fused multiply-add, the slots in order; then the
/// eight partial sums as ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)). `dot_fma` is the same
/// arithmetic in AVX2 registers.
#[inline(always)]
fn dot(l: &[f64], c0: &[f64], c1: &[f64]) -> (f64, f64) {
    let mut s0 = [0.0f64; SUMS];
    let mut s1 = [0.0f64; SUMS];
    for ((l, a), b) in l
        .chunks_exact(SUMS)
        .zip(c0.chunks_exact(SUMS))
        .zip(c1.chunks_exact(SUMS))
    {
        for k in 0..SUMS {
            s0[k] = l[k].mul_add(a[k], s0[k]);
            s1[k] = l[k].mul_add(b[k], s1[k]);
        }
    }
    let v0 = ((s0[0] + s0[4]) + (s0[2] + s0[6])) + ((s0[1] + s0[5]) + (s0[3] + s0[7]));
    let v1 = ((s1[0] + s1[4]) + (s1[2] + s1[6])) + ((s1[1] + s1[5]) + (s1[3] + s1[7]));
    (v0, v1)
}

/// [`dot`] in AVX2 registers: partial sums 0..4 and 4..8 of each sum in one register each.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot_fma(l: &[f64], c0: &[f64], c1: &[f64]) -> (f64, f64) {
    use std::arch::x86_64::*;
    let n = l.len();
    debug_assert!(n % SUMS == 0 && c0.len() == n && c1.len() == n);
    let (lp, ap, bp) = (l.as_ptr(), c0.as_ptr(), c1.as_ptr());
    let (mut a_lo, mut a_hi) = (_mm256_setzero_pd(), _mm256_setzero_pd());
    let (mut b_lo, mut b_hi) = (_mm256_setzero_pd(), _mm256_setzero_pd());
    let mut i = 0;
    while i < n {
        // SAFETY: i + 8 <= n, the length of all three slices
        let (x_lo, x_hi) = (_mm256_loadu_pd(lp.add(i)), _mm256_loadu_pd(lp.add(i + 4)));
        a_lo = _mm256_fmadd_pd(x_lo, _mm256_loadu_pd(ap.add(i)), a_lo);
        a_hi = _mm256_fmadd_pd(x_hi, _mm256_loadu_pd(ap.add(i + 4)), a_hi);
        b_lo = _mm256_fmadd_pd(x_lo, _mm256_loadu_pd(bp.add(i)), b_lo);
        b_hi = _mm256_fmadd_pd(x_hi, _mm256_loadu_pd(bp.add(i + 4)), b_hi);
        i += SUMS;
    }
    // (0 + 4, 1 + 5, 2 + 6, 3 + 7), then ((0 + 4) + (2 + 6), (1 + 5) + (3 + 7)), then the two
    let fold = |lo: __m256d, hi: __m256d| -> f64 {
        let c = _mm256_add_pd(lo, hi);
        let d = _mm_add_pd(_mm256_castpd256_pd128(c), _mm256_extractf128_pd(c, 1));
        _mm_cvtsd_f64(_mm_add_sd(d, _mm_unpackhi_pd(d, d)))
    };
    (fold(a_lo, a_hi), fold(b_lo, b_hi))
}

/// Configuration of the analog front end. See the module documentation for the model.
#[derive(Clone, Debug, PartialEq)]
pub struct AfeConfig {
    pub pulse: PulseResponse,
    /// SNR in dB at the sampler: 10*log10(E[a^2] * peak^2 / sigma^2) with PAM-4 levels a in
    /// {-3,-1,1,3} (E[a^2] = 5) and peak = 1; None = no noise. Legal -10 ..= 80.
    pub snr_db: Option<f64>,
    /// Random jitter, RMS in UI (Gaussian, independent per sample). Legal 0 ..= 0.5.
    pub rj_rms_ui: f64,
    /// Sinusoidal jitter amplitude in UI (peak). Legal 0 ..= 50.
    pub sj_amp_ui: f64,
    /// Sinusoidal jitter frequency in cycles per UI (f_sj / baud rate). Legal 0 ..= 0.5.
    pub sj_freq_per_ui: f64,
    /// Receiver reference clock offset from the transmitter, ppm: the RX reference period is
    /// (1 + ppm*1e-6) TX UI. Legal -10000 ..= 10000.
    pub ppm: f64,
    /// ADC full scale: the analog value (level units, main cursor peak 1) that maps to code
    /// 2^(ADC_BITS-1) = 32. Legal 0.1 ..= 100.
    pub full_scale: f64,
    /// Timing offset in UI added to every sampling instant (a skew between PI code 0 and the
    /// pulse peak). Legal -1 ..= 1.
    pub skew_ui: f64,
    /// Seed of the noise / jitter generator.
    pub seed: u64,
}

impl AfeConfig {
    /// Defaults: no noise, no jitter, 0 ppm, full scale 4.0, no skew, seed 1.
    pub fn new(pulse: PulseResponse) -> Self {
        AfeConfig {
            pulse,
            snr_db: None,
            rj_rms_ui: 0.0,
            sj_amp_ui: 0.0,
            sj_freq_per_ui: 0.0,
            ppm: 0.0,
            full_scale: 4.0,
            skew_ui: 0.0,
            seed: 1,
        }
    }

    /// Range-check every field (NaN is never legal) and the pulse table (which must be
    /// normalized).
    pub fn validate(&self) -> Result<(), AfeError> {
        fn rng(field: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), AfeError> {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(AfeError::OutOfRange {
                    field,
                    value,
                    lo,
                    hi,
                })
            }
        }
        if let Some(snr) = self.snr_db {
            rng("snr_db", snr, -10.0, 80.0)?;
        }
        rng("rj_rms_ui", self.rj_rms_ui, 0.0, 0.5)?;
        rng("sj_amp_ui", self.sj_amp_ui, 0.0, 50.0)?;
        rng("sj_freq_per_ui", self.sj_freq_per_ui, 0.0, 0.5)?;
        rng("ppm", self.ppm, -10000.0, 10000.0)?;
        rng("full_scale", self.full_scale, 0.1, 100.0)?;
        rng("skew_ui", self.skew_ui, -1.0, 1.0)?;
        self.pulse.check()?;
        if !self.pulse.is_normalized() {
            return Err(PulseError::BadPulse {
                name: self.pulse.name.clone(),
                reason: format!(
                    "the AFE takes a normalized pulse (largest sample 1, here {}): PulseResponse::normalized",
                    self.pulse.peak()
                ),
            }
            .into());
        }
        Ok(())
    }

    /// Noise standard deviation (level units) for the configured SNR; 0 without noise.
    pub fn noise_sigma(&self) -> f64 {
        match self.snr_db {
            Some(snr) => (5.0 / 10f64.powf(snr / 10.0)).sqrt(),
            None => 0.0,
        }
    }
}

enum Source {
    /// PRBS13Q as a table of one period's levels (8191 symbols: the bit sequence's period
    /// is odd, so a period of pairs is two of bits) and the position in it
    Prbs(&'static [f64], usize),
    Custom(Box<dyn FnMut() -> u8 + Send>),
}

/// The analog front end: transmitter, channel, noise, jitter and ADC, sampled once per
/// receiver cycle at the phase the receiver's PI code asks for.
pub struct Afe {
    cfg: AfeConfig,
    source: Source,
    rng: gauss::Source,
    gauss: Box<[f64; GAUSS_BLOCK]>,
    gauss_pos: usize,
    // pulse, polyphase: row j (0..os) holds, for the m_taps symbols of the window (oldest
    // first, padded with zeros to m_pad slots), the table values c0 at index j + m*os,
    // then the slopes c1 (next value - value)
    os: usize,
    os_f: f64,
    ip: f64, // -t0 * os (the peak's table index)
    m_taps: usize,
    m_pad: usize,
    coef: Vec<f64>,
    // the CPU has AVX2 and FMA (the interpolation's build for them; the same numbers)
    fma: bool,
    // a pass of `sample_clocks`: each sample's instant and noise draw
    pass: Box<[(f64, f64); BATCH]>,
    // levels, mirrored ring: level of symbol k at (k & mask) and (k & mask) + ring_n
    ring: Vec<f64>,
    ring_n: usize,
    mask: u64,
    next_k: i64, // index of the next symbol to generate
    // clock
    period: f64,
    offset: f64, // skew - D
    latency: i64,
    sj_amp: f64,
    sj_freq: f64,
    // SJ phasor (sin, cos of 2 pi sj_freq n), advanced by a rotation each cycle and
    // recomputed exactly every SJ_RESYNC cycles
    sj_sin: f64,
    sj_cos: f64,
    sj_rot: (f64, f64),
    os_shift: Option<u32>,
    rj: f64,
    sigma: f64,
    adc_gain: f64,
    // the amplifier: its linear gain per code, the code and gain now
    vga_table: [f64; GAIN_MAX as usize + 1],
    gain_code: u32,
    vga: f64,
    adc_lo: i64,
    adc_hi: i64,
    prev_code: Option<i64>,
    theta: i64,
    n: u64,
    clipped: u64,
    last_v: f64,
    last_t: f64,
}

impl std::fmt::Debug for Afe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Afe")
            .field("cfg", &self.cfg)
            .field("latency", &self.latency)
            .field("samples_taken", &self.n)
            .field("theta", &self.theta)
            .field("next_symbol", &self.next_k)
            .field("clipped", &self.clipped)
            .field("gain_code", &self.gain_code)
            .finish_non_exhaustive()
    }
}

impl Afe {
    /// A front end with the PRBS13Q transmitter.
    pub fn new(cfg: AfeConfig) -> Result<Self, AfeError> {
        Self::build(cfg, Source::Prbs(prbs13q_levels(), 0))
    }

    /// A front end with any symbol source (called once per transmitted symbol, in order;
    /// values are taken modulo 4).
    pub fn with_symbols(
        cfg: AfeConfig,
        symbols: Box<dyn FnMut() -> u8 + Send>,
    ) -> Result<Self, AfeError> {
        Self::build(cfg, Source::Custom(symbols))
    }

    fn build(cfg: AfeConfig, source: Source) -> Result<Self, AfeError> {
        cfg.validate()?;
        let p = &cfg.pulse;
        let os = p.os;
        let len = p.samples.len() as i64;
        let ip = (-p.t0 * os as f64).round();
        // m = (symbol window position) from -1 (newest, only its first table point) to L
        let l = (len - 1) / os as i64;
        let m_taps = (l + 2) as usize;
        let s = |i: i64| -> f64 {
            if i < 0 || i >= len {
                0.0
            } else {
                p.samples[i as usize]
            }
        };
        let m_pad = m_taps.next_multiple_of(SUMS);
        let mut coef = vec![0.0; os * 2 * m_pad];
        for j in 0..os {
            let row = &mut coef[j * 2 * m_pad..(j + 1) * 2 * m_pad];
            for i in 0..m_taps {
                // window slot i (oldest first) is m = m_taps - 2 - i
                let m = m_taps as i64 - 2 - i as i64;
                let idx = j as i64 + m * os as i64;
                row[i] = s(idx);
                row[m_pad + i] = s(idx + 1) - s(idx);
            }
        }
        let latency = (-p.t0 - 1e-9).ceil().max(0.0) as i64 + 2;
        let margin = m_pad
            + 2 * cfg.sj_amp_ui.ceil() as usize
            + (16.0 * cfg.rj_rms_ui).ceil() as usize
            + 8
            + GEN_BATCH as usize
            + HISTORY;
        let ring_n = margin.next_power_of_two();
        let (lo, hi) = signed_range(ADC_BITS);
        let vga_table: [f64; GAIN_MAX as usize + 1] =
            std::array::from_fn(|c| gain_linear(c as u32));
        debug_assert_eq!(vga_table[GAIN_UNITY as usize], 1.0);
        Ok(Afe {
            rng: gauss::Source::new(cfg.seed),
            gauss: Box::new([0.0; GAUSS_BLOCK]),
            gauss_pos: GAUSS_BLOCK,
            source,
            os,
            os_f: os as f64,
            ip,
            m_taps,
            m_pad,
            coef,
            fma: has_fma(),
            pass: Box::new([(0.0, 0.0); BATCH]),
            ring: vec![0.0; 2 * ring_n],
            ring_n,
            mask: ring_n as u64 - 1,
            next_k: 0,
            period: 1.0 + cfg.ppm * 1e-6,
            offset: cfg.skew_ui - latency as f64,
            latency,
            sj_amp: cfg.sj_amp_ui,
            sj_freq: cfg.sj_freq_per_ui,
            sj_sin: 0.0,
            sj_cos: 1.0,
            sj_rot: (TAU * cfg.sj_freq_per_ui).sin_cos(),
            os_shift: os.is_power_of_two().then(|| os.trailing_zeros()),
            rj: cfg.rj_rms_ui,
            sigma: cfg.noise_sigma(),
            adc_gain: (1u32 << (ADC_BITS - 1)) as f64 / cfg.full_scale,
            gain_code: GAIN_UNITY,
            vga: vga_table[GAIN_UNITY as usize],
            vga_table,
            adc_lo: lo as i64,
            adc_hi: hi as i64,
            prev_code: None,
            theta: 0,
            n: 0,
            clipped: 0,
            last_v: 0.0,
            last_t: 0.0,
            cfg,
        })
    }

    /// The next standard normal draw (the Monte-Carlo's ziggurat, `gauss::Source`, a
    /// round of draws at a time).
    #[inline(always)]
    fn normal(&mut self) -> f64 {
        if self.gauss_pos == GAUSS_BLOCK {
            self.rng.fill(&mut self.gauss[..], 1.0);
            self.gauss_pos = 0;
        }
        let z = self.gauss[self.gauss_pos];
        self.gauss_pos += 1;
        z
    }

    #[inline(never)]
    fn generate_through(&mut self, k_newest: i64) {
        while self.next_k <= k_newest {
            let level = match &mut self.source {
                Source::Prbs(tab, pos) => {
                    let l = tab[*pos];
                    *pos = if *pos + 1 == tab.len() { 0 } else { *pos + 1 };
                    l
                }
                Source::Custom(f) => 2.0 * (f() & 3) as f64 - 3.0,
            };
            let slot = (self.next_k as u64 & self.mask) as usize;
            self.ring[slot] = level;
            self.ring[slot + self.ring_n] = level;
            self.next_k += 1;
        }
    }

    /// The sampling instant of the current cycle before jitter: n (1 + ppm) + theta/128 + skew - D.
    #[inline]
    fn nominal_time(&self) -> f64 {
        // (n < 2^63: as i64 first, the same value, one instruction)
        (self.n as i64) as f64 * self.period + self.theta as f64 / PI_STEPS as f64 + self.offset
    }

    /// Take the sample of this receiver cycle at the phase given by `pi_code` (0..=127; taken
    /// modulo 128); returns the ADC code.
    #[inline]
    pub fn sample(&mut self, pi_code: u8) -> i8 {
        let mut c = [0i8];
        self.sample_block(pi_code, &mut c);
        c[0]
    }

    /// `out.len()` samples (receiver cycles, or the P lanes of one clock) at the same PI
    /// code: the same as as many [`Afe::sample`] calls.
    #[inline]
    pub fn sample_block(&mut self, pi_code: u8, out: &mut [i8]) {
        // (as clocks of at most a pass each: the same samples)
        for o in out.chunks_mut(BATCH) {
            let lanes = o.len();
            self.sample_clocks(&[pi_code], lanes, o, &mut [0]);
        }
    }

    /// Several clocks of `lanes` samples each, clock k at PI code `codes[k]`, into `out`
    /// (`codes.len() * lanes` codes), with the clipped count after each clock in
    /// `clipped_after[k]` ([`Afe::clipped`] as it was then): the same samples as
    /// `codes.len() * lanes` [`Afe::sample`] calls. The clocks' sampling instants and
    /// draws are made first, then the interpolations, which do not depend on one another
    /// (so the processor overlaps them).
    pub fn sample_clocks(
        &mut self,
        codes: &[u8],
        lanes: usize,
        out: &mut [i8],
        clipped_after: &mut [u64],
    ) {
        assert!(
            (1..=BATCH).contains(&lanes)
                && out.len() == codes.len() * lanes
                && clipped_after.len() >= codes.len(),
            "afe: sample_clocks takes 1 ..= {BATCH} lanes and codes.len() * lanes outputs"
        );
        #[cfg(target_arch = "x86_64")]
        if self.fma {
            // SAFETY: the CPU has AVX2 and FMA (`has_fma`, checked at construction)
            unsafe { self.sample_clocks_fma(codes, lanes, out, clipped_after) };
            return;
        }
        self.sample_clocks_any::<false>(codes, lanes, out, clipped_after);
    }

    /// [`Afe::sample_clocks_any`] compiled for AVX2 and FMA: the same operations in the
    /// same order (`mul_add` rounds once with or without the instruction), so the same
    /// codes.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn sample_clocks_fma(
        &mut self,
        codes: &[u8],
        lanes: usize,
        out: &mut [i8],
        clipped_after: &mut [u64],
    ) {
        self.sample_clocks_any::<true>(codes, lanes, out, clipped_after);
    }

    #[inline(always)]
    fn sample_clocks_any<const FMA: bool>(
        &mut self,
        codes: &[u8],
        lanes: usize,
        out: &mut [i8],
        clipped_after: &mut [u64],
    ) {
        // a pass's clocks: whole clocks of at most BATCH samples
        let per = (BATCH / lanes).max(1);
        for (k0, cs) in (0..codes.len()).step_by(per).zip(codes.chunks(per)) {
            // the sampling instants (PI, SJ, RJ) and the noise draws, sample by sample in
            // time order (the draws in the order of `sample`: RJ, then the noise)
            let mut i = 0;
            for &c in cs {
                for _ in 0..lanes {
                    self.pass[i] = self.instant(c);
                    i += 1;
                }
            }
            // the interpolations and the ADC (each sample on its own: the processor
            // overlaps them)
            let mut clipped = self.clipped;
            let mut v = 0.0;
            let o = &mut out[k0 * lanes..(k0 + cs.len()) * lanes];
            for (k, oc) in o.chunks_exact_mut(lanes).enumerate() {
                for (l, oi) in oc.iter_mut().enumerate() {
                    let (t, z) = self.pass[k * lanes + l];
                    v = self.analog::<FMA>(t, z);
                    let (code, clip) = adc(v, self.adc_gain, self.adc_lo, self.adc_hi);
                    *oi = code;
                    clipped += clip as u64;
                }
                clipped_after[k0 + k] = clipped;
            }
            self.clipped = clipped;
            self.last_t = self.pass[cs.len() * lanes - 1].0;
            self.last_v = v;
        }
    }

    /// The next sample's instant (TX UI, jitter included) at PI code `pi_code`, and its
    /// noise draw (0 without noise); advances the PI phase, the SJ phasor and the cycle
    /// count.
    #[inline(always)]
    fn instant(&mut self, pi_code: u8) -> (f64, f64) {
        let steps = PI_STEPS as i64;
        let code = pi_code as i64 % steps;
        let d = match self.prev_code {
            None => 0,
            Some(p) => (code - p + steps / 2).rem_euclid(steps) - steps / 2,
        };
        self.prev_code = Some(code);
        if self.n == 0 {
            self.theta = code;
        } else {
            self.theta += d;
        }
        let mut t = self.nominal_time();
        if self.sj_amp != 0.0 {
            if self.n & (SJ_RESYNC - 1) == 0 {
                let ph = (self.n as f64 * self.sj_freq).fract();
                (self.sj_sin, self.sj_cos) = (TAU * ph).sin_cos();
            }
            t += self.sj_amp * self.sj_sin;
            let (rs, rc) = self.sj_rot;
            (self.sj_sin, self.sj_cos) = (
                self.sj_sin * rc + self.sj_cos * rs,
                self.sj_cos * rc - self.sj_sin * rs,
            );
        }
        if self.rj != 0.0 {
            let z = self.normal();
            t += self.rj * z;
        }
        let z = if self.sigma != 0.0 {
            self.normal()
        } else {
            0.0
        };
        self.n += 1;
        (t, z)
    }

    /// The amplifier's output at instant `t` with noise draw `z` (generating the symbols
    /// it needs).
    #[inline(always)]
    fn analog<const FMA: bool>(&mut self, t: f64, z: f64) -> f64 {
        // table position of t for symbol 0: (t - t0) * os = t * os + ip
        let x = t * self.os_f + self.ip;
        let i0 = floor_i64(x);
        let f = x - i0 as f64;
        let (q, j) = match self.os_shift {
            Some(sh) => (i0 >> sh, (i0 & (self.os as i64 - 1)) as usize),
            None => {
                let os = self.os as i64;
                (i0.div_euclid(os), i0.rem_euclid(os) as usize)
            }
        };
        if q + 1 >= self.next_k {
            self.generate_through(q + 1 + GEN_BATCH);
        }
        let k_lo = q + 2 - self.m_taps as i64;
        assert!(
            k_lo + self.ring_n as i64 > self.next_k - 1,
            "afe: sampling time {t} UI went back beyond the symbol history"
        );
        let start = (k_lo as u64 & self.mask) as usize;
        let mp = self.m_pad;
        let lev = &self.ring[start..start + mp];
        let row = j * 2 * mp;
        let (c0, c1) = self.coef[row..row + 2 * mp].split_at(mp);
        let (v0, v1) = if FMA {
            #[cfg(target_arch = "x86_64")]
            {
                // SAFETY: FMA is only set by `sample_clocks_fma`, which has AVX2 and FMA
                unsafe { dot_fma(lev, c0, c1) }
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                dot(lev, c0, c1)
            }
        } else {
            dot(lev, c0, c1)
        };
        let v = f.mul_add(v1, v0) + self.sigma * z;
        // the amplifier (exactly 1.0 at GAIN_UNITY)
        v * self.vga
    }

    /// Set the amplifier's gain code for every later sample (module documentation,
    /// "Variable-gain amplifier"): samples are `v * gain_linear(code)` before the ADC.
    /// Codes above `GAIN_MAX` clamp to `GAIN_MAX` (the receiver's port is 5 bits).
    #[inline]
    pub fn set_gain_code(&mut self, code: u32) {
        let c = code.min(GAIN_MAX);
        self.gain_code = c;
        self.vga = self.vga_table[c as usize];
    }
    /// The amplifier's gain code now (`GAIN_UNITY` until [`Afe::set_gain_code`]).
    pub fn gain_code(&self) -> u32 {
        self.gain_code
    }
    /// The amplifier's linear voltage gain now.
    pub fn vga_gain(&self) -> f64 {
        self.vga
    }

    /// The analog value at the ADC's input (the amplifier's output, noise included) of
    /// the last sample.
    pub fn last_analog(&self) -> f64 {
        self.last_v
    }
    /// The sampling time (TX UI, jitter included) of the last sample.
    pub fn last_time_ui(&self) -> f64 {
        self.last_t
    }
    /// ADC samples that saturated.
    pub fn clipped(&self) -> u64 {
        self.clipped
    }
    /// Samples taken (receiver cycles so far).
    pub fn samples_taken(&self) -> u64 {
        self.n
    }
    /// Noise standard deviation in level units (0 without noise).
    pub fn noise_sigma(&self) -> f64 {
        self.sigma
    }
    /// The fixed latency D (UI): with PI code 0 and no impairments, cycle n samples the peak
    /// of symbol n - D.
    pub fn latency(&self) -> i64 {
        self.latency
    }
    /// The configuration.
    pub fn config(&self) -> &AfeConfig {
        &self.cfg
    }
    /// Number of symbols transmitted so far (the next symbol's index).
    pub fn symbols_sent(&self) -> i64 {
        self.next_k
    }
    /// The symbol transmitted at TX index k, if still in the history buffer (for tests).
    pub fn tx_symbol(&self, k: i64) -> Option<u8> {
        if k < 0 || k >= self.next_k || k <= self.next_k - 1 - self.ring_n as i64 {
            return None;
        }
        let level = self.ring[(k as u64 & self.mask) as usize];
        Some(((level + 3.0) / 2.0) as u8)
    }
    /// Accumulated (unwrapped) PI phase in UI: theta / 128, starting at the first code.
    pub fn unwrapped_phase_ui(&self) -> f64 {
        self.theta as f64 / PI_STEPS as f64
    }
}

/// Time `n` samples of the "short" channel with noise (SNR 25 dB), random jitter (0.01 UI),
/// sinusoidal jitter (0.1 UI at 1e-3 per UI) and a 100 ppm offset, with a slowly moving PI
/// code; returns the rate in samples per second.
pub fn bench_samples_per_sec(n: usize) -> f64 {
    let mut cfg = AfeConfig::new(PulseResponse::builtin("short").expect("builtin"));
    cfg.snr_db = Some(25.0);
    cfg.rj_rms_ui = 0.01;
    cfg.sj_amp_ui = 0.1;
    cfg.sj_freq_per_ui = 1e-3;
    cfg.ppm = 100.0;
    let mut afe = Afe::new(cfg).expect("valid config");
    let start = std::time::Instant::now();
    let mut acc = 0i64;
    for i in 0..n {
        let code = ((i >> 6) & 127) as u8;
        acc += afe.sample(code) as i64;
    }
    std::hint::black_box(acc);
    let dt = start.elapsed().as_secs_f64();
    n as f64 / dt.max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str) -> AfeConfig {
        AfeConfig::new(PulseResponse::builtin(name).unwrap())
    }

    #[test]
    fn rounding_helpers() {
        for &x in &[
            0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            31.5,
            -32.5,
            7.3,
            -7.7,
            1e6,
            -1e6,
            123456.5,
        ] {
            assert_eq!(round_half_away(x) as f64, x.round(), "{x}");
            assert_eq!(floor_i64(x), x.floor() as i64, "{x}");
        }
    }

    #[test]
    fn validate_messages() {
        let mut c = cfg("ideal");
        assert_eq!(c.validate(), Ok(()));
        c.rj_rms_ui = 0.7;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "afe parameter `rj_rms_ui` = 0.7 is out of range: legal is 0 ..= 0.5"
        );
        assert!(Afe::new(c.clone()).is_err());
        type Setter = Box<dyn Fn(&mut AfeConfig)>;
        let cases: Vec<(Setter, &str)> = vec![
            (
                Box::new(|c| c.snr_db = Some(90.0)),
                "`snr_db` = 90 is out of range: legal is -10 ..= 80",
            ),
            (
                Box::new(|c| c.sj_amp_ui = -1.0),
                "`sj_amp_ui` = -1 is out of range: legal is 0 ..= 50",
            ),
            (
                Box::new(|c| c.sj_freq_per_ui = 0.6),
                "`sj_freq_per_ui` = 0.6 is out of range: legal is 0 ..= 0.5",
            ),
            (
                Box::new(|c| c.ppm = 20000.0),
                "`ppm` = 20000 is out of range: legal is -10000 ..= 10000",
            ),
            (
                Box::new(|c| c.full_scale = 0.05),
                "`full_scale` = 0.05 is out of range: legal is 0.1 ..= 100",
            ),
            (
                Box::new(|c| c.skew_ui = 1.5),
                "`skew_ui` = 1.5 is out of range: legal is -1 ..= 1",
            ),
            (
                Box::new(|c| c.ppm = f64::NAN),
                "`ppm` = NaN is out of range",
            ),
            (
                Box::new(|c| c.snr_db = Some(f64::NAN)),
                "`snr_db` = NaN is out of range",
            ),
            (Box::new(|c| c.rj_rms_ui = f64::NAN), "`rj_rms_ui` = NaN"),
            (
                Box::new(|c| c.full_scale = f64::INFINITY),
                "`full_scale` = inf",
            ),
        ];
        for (set, msg) in cases {
            let mut c = cfg("ideal");
            set(&mut c);
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(msg), "{e} vs {msg}");
        }
        let mut c = cfg("ideal");
        c.pulse.samples[3] = f64::NAN;
        assert!(c.validate().is_err());
    }

    fn pattern_source(pat: Vec<u8>) -> Box<dyn FnMut() -> u8 + Send> {
        let mut i = 0usize;
        Box::new(move || {
            let s = pat[i % pat.len()];
            i += 1;
            s
        })
    }

    const PAT: [u8; 11] = [0, 1, 2, 3, 3, 0, 2, 1, 1, 3, 0];

    #[test]
    fn ideal_channel_codes_delayed_by_latency() {
        let mut afe = Afe::with_symbols(cfg("ideal"), pattern_source(PAT.to_vec())).unwrap();
        let d = afe.latency();
        assert_eq!(d, 3);
        for n in 0..500i64 {
            let c = afe.sample(0);
            assert_eq!(afe.last_time_ui(), (n - d) as f64);
            let want = if n < d {
                0
            } else {
                let s = PAT[((n - d) as usize) % PAT.len()];
                assert_eq!(afe.tx_symbol(n - d), Some(s));
                (2 * s as i8 - 3) * 8
            };
            assert_eq!(c, want, "cycle {n}");
        }
        assert_eq!(afe.clipped(), 0);
        assert_eq!(afe.samples_taken(), 500);
        assert_eq!(afe.tx_symbol(-1), None);
        assert_eq!(afe.tx_symbol(afe.symbols_sent()), None);
    }

    #[test]
    fn prbs_source_matches_prbs13q() {
        let mut afe = Afe::new(cfg("ideal")).unwrap();
        let mut p = Prbs13q::new();
        let d = afe.latency();
        // three periods of the table, and where it wraps
        for n in 0..3 * PRBS13Q_PERIOD as i64 + 300 {
            let c = afe.sample(0);
            if n >= d {
                let s = p.next_symbol();
                assert_eq!(afe.tx_symbol(n - d), Some(s), "symbol {}", n - d);
                assert_eq!(c, (2 * s as i8 - 3) * 8);
            }
        }
    }

    #[test]
    fn analog_matches_direct_sum() {
        // the polyphase sampler must equal sum_k a_k p(t - k) evaluated with value()
        for &name in PulseResponse::builtin_names() {
            let mut c = cfg(name);
            c.rj_rms_ui = 0.05;
            c.ppm = 300.0;
            let p = c.pulse.clone();
            let (lo, hi) = p.span_ui();
            let mut afe = Afe::new(c).unwrap();
            let mut code = 17u8;
            for n in 0..3000u32 {
                code = code.wrapping_add((n % 7) as u8 * 9) & 127;
                afe.sample(code);
                let t = afe.last_time_ui();
                let mut v = 0.0;
                let k0 = (t - hi).floor() as i64 - 1;
                let k1 = (t - lo).ceil() as i64 + 1;
                for k in k0..=k1 {
                    let a = if k < 0 {
                        0.0
                    } else if k >= afe.symbols_sent() {
                        // not yet sent: its pulse must not reach t yet
                        assert_eq!(p.value(t - k as f64), 0.0, "{name} n {n} k {k}");
                        0.0
                    } else {
                        2.0 * afe.tx_symbol(k).expect("symbol in history") as f64 - 3.0
                    };
                    v += a * p.value(t - k as f64);
                }
                assert!(
                    (afe.last_analog() - v).abs() < 1e-9,
                    "{name} n {n}: {} vs {v}",
                    afe.last_analog()
                );
            }
        }
    }

    #[test]
    fn pi_wrap_is_continuous() {
        let mut afe = Afe::new(cfg("short")).unwrap();
        let mut code = 120u8;
        let mut prev_t = None;
        for n in 0..1000 {
            afe.sample(code);
            let t = afe.last_time_ui();
            if let Some(pt) = prev_t {
                let dt: f64 = t - pt;
                assert!((dt - (1.0 + 4.0 / 128.0)).abs() < 1e-9, "call {n}: dt {dt}");
            }
            prev_t = Some(t);
            code = (code + 4) & 127;
        }
        // theta started at 120 and grew 4 per call after the first
        assert!((afe.unwrapped_phase_ui() - (120.0 + 4.0 * 999.0) / 128.0).abs() < 1e-12);
        // backward moves through the wrap too: 2 -> 126 is -4 steps
        let mut afe = Afe::new(cfg("short")).unwrap();
        afe.sample(2);
        let t0 = afe.last_time_ui();
        afe.sample(126);
        assert!((afe.last_time_ui() - t0 - (1.0 - 4.0 / 128.0)).abs() < 1e-12);
        // the largest forward step is +63, a +64 difference counts as -64
        afe.sample(126 + 63 - 128);
        assert_eq!(afe.unwrapped_phase_ui(), (2.0 - 4.0 + 63.0) / 128.0);
        afe.sample(125);
        assert_eq!(afe.unwrapped_phase_ui(), (2.0 - 4.0 + 63.0 - 64.0) / 128.0);
    }

    #[test]
    fn ppm_drift_and_time_driven_transmitter() {
        for ppm in [1000.0, -1000.0, 10000.0, -10000.0] {
            let mut c = cfg("ideal");
            c.ppm = ppm;
            let mut afe = Afe::with_symbols(c, pattern_source(PAT.to_vec())).unwrap();
            let d = afe.latency() as f64;
            let mut checked = 0;
            for n in 0..=10000u64 {
                let code = afe.sample(5);
                let t = afe.last_time_ui();
                let want_t = n as f64 * (1.0 + ppm * 1e-6) + 5.0 / 128.0 - d;
                assert!((t - want_t).abs() < 1e-9, "ppm {ppm} n {n}");
                // near a symbol centre the sample shows that symbol
                let k = t.round();
                if k >= 0.0 && (t - k).abs() < 0.2 {
                    let s = PAT[k as usize % PAT.len()];
                    assert_eq!(code, (2 * s as i8 - 3) * 8, "ppm {ppm} n {n} t {t}");
                    checked += 1;
                }
            }
            assert!(checked > 3000, "{checked}");
            let t = afe.last_time_ui();
            assert!((t - (10000.0 * (1.0 + ppm * 1e-6) + 5.0 / 128.0 - d)).abs() < 1e-9);
            // the transmitter is driven by time: it has sent just what t needs
            assert!(afe.symbols_sent() as f64 >= t + 1.0);
            assert!((afe.symbols_sent() as f64) < t + 4.0 + GEN_BATCH as f64);
        }
        // the exact brief case: code 0, +1000 ppm, 10000 cycles later
        let mut c = cfg("mr");
        c.ppm = 1000.0;
        let mut afe = Afe::new(c).unwrap();
        for _ in 0..=10000 {
            afe.sample(0);
        }
        let expect = 10000.0 * 1.001 - afe.latency() as f64;
        assert!((afe.last_time_ui() - expect).abs() < 1e-9);
    }

    /// A front end with every impairment on (noise, RJ, SJ, ppm, skew, a clipping gain).
    fn busy(name: &str, seed: u64) -> AfeConfig {
        let mut c = cfg(name);
        c.snr_db = Some(18.0);
        c.rj_rms_ui = 0.03;
        c.sj_amp_ui = 0.4;
        c.sj_freq_per_ui = 3e-3;
        c.ppm = -350.0;
        c.skew_ui = 0.2;
        c.full_scale = 3.0;
        c.seed = seed;
        c
    }

    #[test]
    fn sample_clocks_equals_sample_one_by_one() {
        for name in ["cpo", "short", "mr"] {
            for lanes in [1usize, 4, 16] {
                let c = busy(name, 5);
                let mut one = Afe::new(c.clone()).unwrap();
                let mut many = Afe::new(c).unwrap();
                let mut code = 3u8;
                let mut clocks = 0usize;
                for round in 0..400 {
                    // 1 .. 40 clocks a call (past a pass of 256 samples at P = 16)
                    let k = 1 + round % 40;
                    let codes: Vec<u8> = (0..k)
                        .map(|i| {
                            code = code.wrapping_add((i % 3) as u8).wrapping_sub(1) % 128;
                            code
                        })
                        .collect();
                    let mut out = vec![0i8; k * lanes];
                    let mut clip = vec![0u64; k];
                    many.sample_clocks(&codes, lanes, &mut out, &mut clip);
                    for (i, &cd) in codes.iter().enumerate() {
                        for l in 0..lanes {
                            assert_eq!(
                                one.sample(cd),
                                out[i * lanes + l],
                                "{name} P={lanes} clock {}",
                                clocks + i
                            );
                        }
                        assert_eq!(one.clipped(), clip[i], "{name} P={lanes}");
                    }
                    clocks += k;
                    assert_eq!(one.last_analog().to_bits(), many.last_analog().to_bits());
                    assert_eq!(one.last_time_ui().to_bits(), many.last_time_ui().to_bits());
                    assert_eq!(one.symbols_sent(), many.symbols_sent());
                }
                assert!(one.clipped() > 0, "{name}: the gain clips sometimes");
            }
        }
    }

    #[test]
    fn fma_and_portable_builds_agree() {
        if !has_fma() {
            eprintln!("no AVX2 + FMA here: the portable build is the only one");
            return;
        }
        for name in ["ideal", "cpo", "short", "mr"] {
            let c = busy(name, 9);
            let mut fast = Afe::new(c.clone()).unwrap();
            let mut port = Afe::new(c).unwrap();
            port.fma = false;
            let codes: Vec<u8> = (0..20_000).map(|i| ((i / 37) % 128) as u8).collect();
            for ch in codes.chunks(7) {
                let (mut a, mut b) = (vec![0i8; ch.len()], vec![0i8; ch.len()]);
                let mut clip = vec![0u64; ch.len()];
                fast.sample_clocks(ch, 1, &mut a, &mut clip);
                port.sample_clocks(ch, 1, &mut b, &mut clip);
                assert_eq!(a, b, "{name}");
                assert_eq!(
                    fast.last_analog().to_bits(),
                    port.last_analog().to_bits(),
                    "{name}"
                );
            }
        }
    }

    /// The noise's distribution through the AFE: the fraction of samples beyond 2, 3 and
    /// 4 sigma against erfc (the generator's own deep-tail test is in `montecarlo`).
    #[test]
    fn noise_tails_follow_the_normal() {
        let mut c = cfg("ideal");
        c.snr_db = Some(0.0);
        c.full_scale = 100.0;
        let mut afe = Afe::with_symbols(c, Box::new(|| 2)).unwrap();
        let sigma = afe.noise_sigma();
        for _ in 0..10 {
            afe.sample(0);
        }
        let n = 2_000_000u64;
        let mut beyond = [0u64; 3];
        for _ in 0..n {
            afe.sample(0);
            let z = ((afe.last_analog() - 1.0) / sigma).abs();
            for (k, b) in beyond.iter_mut().enumerate() {
                *b += (z > (k + 2) as f64) as u64;
            }
        }
        for (k, &b) in beyond.iter().enumerate() {
            let x = (k + 2) as f64;
            let p = libm::erfc(x / std::f64::consts::SQRT_2);
            let want = p * n as f64;
            // within 5 standard deviations of the binomial count
            let tol = 5.0 * want.sqrt();
            assert!(
                (b as f64 - want).abs() < tol,
                "beyond {x} sigma: {b}, want {want:.0} +- {tol:.0}"
            );
        }
    }

    #[test]
    fn noise_sigma_measured() {
        let mut c = cfg("ideal");
        c.snr_db = Some(20.0);
        c.full_scale = 100.0;
        let mut afe = Afe::with_symbols(c, Box::new(|| 2)).unwrap();
        let want = (5.0f64 / 100.0).sqrt();
        assert!((afe.noise_sigma() - want).abs() < 1e-12);
        for _ in 0..10 {
            afe.sample(0);
        }
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            afe.sample(0);
            let v = afe.last_analog();
            s1 += v;
            s2 += v * v;
        }
        let mean = s1 / n as f64;
        let sd = (s2 / n as f64 - mean * mean).sqrt();
        println!("mean {mean} sd {sd} want {want}");
        assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
        assert!((sd / want - 1.0).abs() < 0.02, "sd {sd} want {want}");
        let no_noise = Afe::new(cfg("ideal")).unwrap();
        assert_eq!(no_noise.noise_sigma(), 0.0);
    }

    #[test]
    fn random_jitter_measured() {
        let mut c = cfg("ideal");
        c.rj_rms_ui = 0.03;
        let mut afe = Afe::new(c).unwrap();
        let d = afe.latency() as f64;
        let n = 100_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for i in 0..n {
            afe.sample(0);
            let e = afe.last_time_ui() - (i as f64 - d);
            s1 += e;
            s2 += e * e;
        }
        let sd = (s2 / n as f64 - (s1 / n as f64).powi(2)).sqrt();
        assert!((sd / 0.03 - 1.0).abs() < 0.02, "rj sd {sd}");
    }

    #[test]
    fn sinusoidal_jitter_follows_sine() {
        let mut c = cfg("short");
        c.sj_amp_ui = 0.3;
        c.sj_freq_per_ui = 0.01;
        c.skew_ui = 0.25;
        let mut afe = Afe::new(c).unwrap();
        let d = afe.latency() as f64;
        let mut seen = vec![];
        for n in 0..3000u32 {
            afe.sample(0);
            let e = afe.last_time_ui() - (n as f64 - d + 0.25);
            let want = 0.3 * (TAU * 0.01 * n as f64).sin();
            assert!((e - want).abs() < 1e-9, "n {n}: {e} vs {want}");
            if [0, 25, 50, 75].contains(&n) {
                seen.push(e);
            }
        }
        assert!(seen[0].abs() < 1e-12);
        assert!((seen[1] - 0.3).abs() < 1e-9);
        assert!(seen[2].abs() < 1e-9);
        assert!((seen[3] + 0.3).abs() < 1e-9);
    }

    fn run(c: &AfeConfig, n: usize) -> Vec<(i8, f64, f64)> {
        let mut afe = Afe::new(c.clone()).unwrap();
        (0..n)
            .map(|i| {
                let code = afe.sample((i / 3 % 128) as u8);
                (code, afe.last_analog(), afe.last_time_ui())
            })
            .collect()
    }

    #[test]
    fn determinism() {
        let mut c = cfg("mr");
        c.snr_db = Some(22.0);
        c.rj_rms_ui = 0.02;
        c.sj_amp_ui = 0.1;
        c.sj_freq_per_ui = 0.003;
        c.ppm = -150.0;
        c.seed = 7;
        let a = run(&c, 5000);
        let b = run(&c, 5000);
        assert_eq!(a, b);
        c.seed = 8;
        let e = run(&c, 5000);
        assert_ne!(a, e);
        let differ = a.iter().zip(&e).filter(|(x, y)| x.1 != y.1).count();
        assert!(differ > 4900, "{differ}");
    }

    #[test]
    fn adc_clipping_counted() {
        let mut c = cfg("short");
        c.full_scale = 0.5;
        c.snr_db = Some(15.0);
        let mut afe = Afe::new(c).unwrap();
        let mut expect_clip = 0u64;
        let mut hit_rails = (false, false);
        for i in 0..20000u32 {
            let code = afe.sample((i % 128) as u8);
            assert!((-32..=31).contains(&code));
            let r = (afe.last_analog() / 0.5 * 32.0).round();
            if !(-32.0..=31.0).contains(&r) {
                expect_clip += 1;
                assert_eq!(code, if r > 0.0 { 31 } else { -32 });
            } else {
                assert_eq!(code as f64, r);
            }
            hit_rails.0 |= code == -32;
            hit_rails.1 |= code == 31;
        }
        assert!(expect_clip > 10000, "{expect_clip}");
        assert_eq!(afe.clipped(), expect_clip);
        assert!(hit_rails.0 && hit_rails.1);
        // round half away from zero
        let mut c = cfg("ideal");
        c.full_scale = 64.0; // code = v / 2
        let mut afe = Afe::with_symbols(c, Box::new(|| 1)).unwrap(); // level -1
        for _ in 0..10 {
            afe.sample(0);
        }
        assert_eq!(afe.last_analog(), -1.0);
        assert_eq!(afe.sample(0), -1); // -0.5 -> -1
    }

    #[test]
    fn vga_scales_the_sample_and_its_noise() {
        // same seed, same symbols: the only difference is the amplifier
        let mut c = cfg("short");
        c.snr_db = Some(25.0);
        c.full_scale = 2.0; // the unity run clips on the outer levels
        let mut unity = Afe::new(c.clone()).unwrap();
        let mut half = Afe::new(c).unwrap();
        assert_eq!(half.gain_code(), GAIN_UNITY);
        half.set_gain_code(GAIN_UNITY - 12); // -6 dB
        let g = half.vga_gain();
        assert!((g - 0.5).abs() < 0.002, "{g}");
        for i in 0..20_000u32 {
            let code = (i / 50 % 128) as u8;
            let a = unity.sample(code);
            let b = half.sample(code);
            let (va, vb) = (unity.last_analog(), half.last_analog());
            // the table's gain, exactly: the analog value (noise included) times g
            assert!((vb - va * g).abs() <= 1e-12 * va.abs().max(1.0), "{i}");
            assert!((vb - va / 2.0).abs() <= 0.002 * va.abs() + 1e-12, "{i}");
            if !(-31..=30).contains(&a) {
                continue; // the unity run clipped (or nearly)
            }
            // halving the ADC input halves the code, within the rounding
            assert!((b as f64 - a as f64 / 2.0).abs() <= 1.0, "{i}: {a} {b}");
        }
        assert!(unity.clipped() > 1000, "{}", unity.clipped());
        assert!(
            half.clipped() < unity.clipped() / 10,
            "{} {}",
            half.clipped(),
            unity.clipped()
        );
        // a code beyond the 5-bit port clamps
        half.set_gain_code(99);
        assert_eq!(half.gain_code(), GAIN_MAX);
        assert_eq!(half.vga_gain(), gain_linear(GAIN_MAX));
        half.set_gain_code(GAIN_UNITY);
        assert_eq!(half.vga_gain(), 1.0);
    }

    #[test]
    #[ignore]
    fn bench_rate() {
        let r = bench_samples_per_sec(10_000_000);
        println!("afe: {:.1} Msamples/s", r / 1e6);
    }
}
