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
//! The transmitter is PRBS13Q ([`Prbs13q`]) unless a symbol source is given
//! ([`Afe::with_symbols`]); noise and jitter come from `StdRng::seed_from_u64(seed)`, one
//! draw for the random jitter (if `rj_rms_ui > 0`) then one for the noise (if `snr_db` is
//! set) per sample. Same configuration and seed => same run.

use cporx_model::prbs::Prbs13q;
use cporx_spec::{gain_linear, signed_range, ADC_BITS, GAIN_MAX, GAIN_UNITY};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
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
/// Gaussian draws are made in blocks of this many (the same sequence as one by one).
const GAUSS_BLOCK: usize = 64;
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
    Prbs(Prbs13q),
    Custom(Box<dyn FnMut() -> u8 + Send>),
}

/// The analog front end: transmitter, channel, noise, jitter and ADC, sampled once per
/// receiver cycle at the phase the receiver's PI code asks for.
pub struct Afe {
    cfg: AfeConfig,
    source: Source,
    rng: StdRng,
    gauss: [f64; GAUSS_BLOCK],
    gauss_pos: usize,
    // pulse, polyphase: row j (0..os) holds, for the m_taps symbols of the window (oldest
    // first), the table value c0 and the slope c1 (next value - value) at index j + m*os.
    os: usize,
    os_f: f64,
    ip: f64, // -t0 * os (the peak's table index)
    m_taps: usize,
    coef: Vec<[f64; 2]>,
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
        Self::build(cfg, Source::Prbs(Prbs13q::new()))
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
        let mut coef = vec![[0.0; 2]; os * m_taps];
        for j in 0..os {
            for i in 0..m_taps {
                // window slot i (oldest first) is m = m_taps - 2 - i
                let m = m_taps as i64 - 2 - i as i64;
                let idx = j as i64 + m * os as i64;
                coef[j * m_taps + i] = [s(idx), s(idx + 1) - s(idx)];
            }
        }
        let latency = (-p.t0 - 1e-9).ceil().max(0.0) as i64 + 2;
        let margin = m_taps
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
            rng: StdRng::seed_from_u64(cfg.seed),
            gauss: [0.0; GAUSS_BLOCK],
            gauss_pos: GAUSS_BLOCK,
            source,
            os,
            os_f: os as f64,
            ip,
            m_taps,
            coef,
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

    /// The next standard normal draw (StandardNormal from the StdRng, drawn in blocks).
    #[inline]
    fn normal(&mut self) -> f64 {
        if self.gauss_pos == GAUSS_BLOCK {
            for g in self.gauss.iter_mut() {
                *g = self.rng.sample(StandardNormal);
            }
            self.gauss_pos = 0;
        }
        let z = self.gauss[self.gauss_pos];
        self.gauss_pos += 1;
        z
    }

    #[inline(never)]
    fn generate_through(&mut self, k_newest: i64) {
        while self.next_k <= k_newest {
            let s = match &mut self.source {
                Source::Prbs(p) => p.next_symbol(),
                Source::Custom(f) => f(),
            } & 3;
            let level = 2.0 * s as f64 - 3.0;
            let slot = (self.next_k as u64 & self.mask) as usize;
            self.ring[slot] = level;
            self.ring[slot + self.ring_n] = level;
            self.next_k += 1;
        }
    }

    /// The sampling instant of the current cycle before jitter: n (1 + ppm) + theta/128 + skew - D.
    #[inline]
    fn nominal_time(&self) -> f64 {
        self.n as f64 * self.period + self.theta as f64 / PI_STEPS as f64 + self.offset
    }

    /// Take the sample of this receiver cycle at the phase given by `pi_code` (0..=127; taken
    /// modulo 128); returns the ADC code.
    pub fn sample(&mut self, pi_code: u8) -> i8 {
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
        let lev = &self.ring[start..start + self.m_taps];
        let row = j * self.m_taps;
        let cr = &self.coef[row..row + self.m_taps];
        // [sum a c0, sum a c1] in two interleaved partial sums (packed pairs)
        let (mut a0, mut a1, mut b0, mut b1) = (0.0, 0.0, 0.0, 0.0);
        for (l, c) in lev.chunks_exact(2).zip(cr.chunks_exact(2)) {
            a0 += l[0] * c[0][0];
            a1 += l[0] * c[0][1];
            b0 += l[1] * c[1][0];
            b1 += l[1] * c[1][1];
        }
        if self.m_taps % 2 == 1 {
            let i = self.m_taps - 1;
            a0 += lev[i] * cr[i][0];
            a1 += lev[i] * cr[i][1];
        }
        let mut v = (a0 + b0) + f * (a1 + b1);
        if self.sigma != 0.0 {
            let z = self.normal();
            v += self.sigma * z;
        }
        // the amplifier (exactly 1.0 at GAIN_UNITY)
        let v = v * self.vga;
        self.last_v = v;
        self.last_t = t;
        self.n += 1;
        let c = round_half_away((v * self.adc_gain).clamp(-1e6, 1e6));
        let sat = c.clamp(self.adc_lo, self.adc_hi);
        self.clipped += (sat != c) as u64;
        sat as i8
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
        for n in 0..300i64 {
            let c = afe.sample(0);
            if n >= d {
                let s = p.next_symbol();
                assert_eq!(afe.tx_symbol(n - d), Some(s));
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
