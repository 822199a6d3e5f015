//! Monte-Carlo BER at a fixed sampling phase, through the bit-exact receiver model, on
//! every core.
//!
//! What one symbol goes through (all of it per symbol, nothing tabulated):
//!
//! 1. **Transmitter**: uniformly random PAM-4 symbols `s` in 0..3 (two bits of a
//!    xoshiro256++ stream per symbol), sent as levels `a = 2s - 3`.
//! 2. **Channel**: symbol-spaced convolution with the pulse response's cursors at the
//!    chosen sampling phase, `v[n] = sum_m h_m a[n-m]` (level units, pulse peak 1; cursor
//!    `m < 0` is a pre-cursor), plus white Gaussian noise of standard deviation
//!    `noise_sigma` ([`GAUSSIAN`]: the module [`gauss`], a 256-layer ziggurat with the exact
//!    tail method on xoshiro256++, in rounds of 256 draws aligned to sample indices; its
//!    tails are tested against erfc to 6 sigma, test `gauss_tails_match_erfc`). The sum is
//!    one fused multiply-add per cursor (`f64::mul_add`, the same rounding on every
//!    machine).
//! 3. **ADC**: the AFE's rule (`sim/link/src/afe.rs`): `code = round(v / full_scale * 32)`, round
//!    half away from zero, saturated to -32..=31 and counted. A `b`-bit ADC (`adc_bits` <
//!    6) quantizes to steps of `2^(6-b)` codes on the same full scale and saturates at its
//!    own range, `-2^(b-1)..=2^(b-1)-1` steps; its code enters the 6-bit datapath with the
//!    low bits zero.
//! 4. **Receiver**: the reference model's FFE and slicer blocks, bit-exact with the RTL.
//!    With fixed coefficients and levels they are a pure function of the code stream, so
//!    by default the chunk's codes go through `FfeModel::fir_block` and
//!    `SlicerModel::decide_block` (the functions `RxTopModel::run_symbols` uses, tested
//!    equal to the cycle-accurate model there, and here equal to the clocked path, test
//!    `block_receiver_equals_clocked_model`); the lanes per clock then change nothing.
//!    Clocked (`FfeModel::step_data`, `SlicerModel::step_data`, P lanes per clock as
//!    configured) with the adaptation or the DFE: with `RxParams::dfe_taps` = 1 the DFE
//!    (`model::dfe::DfeTap`, its tap `dfe_reset`, fixed unless `RxParams::adapt` enables
//!    its adaptation) decides in the slicer's place. The CDR is not in this loop: the phase is
//!    fixed (the closed-loop Monte-Carlo is `link::run_link_model`).
//! 5. **Count**: each decision is compared with the symbol sent `LAT_TOP + main_tap`
//!    cycles earlier; symbol errors and Gray bit errors (`00 01 11 10`) are counted.
//!
//! # Parallelism and determinism
//!
//! The run is cut into chunks of [`CHUNK`] counted symbols. Chunk `i` has its own random
//! streams (seeded from `seed` and `i`) and its own receiver, which first runs
//! [`WARMUP`] uncounted symbols so its channel history and pipeline are full. Threads take
//! chunks in order; the result is the sum over chunks `0..k`, so it depends on the seed
//! and the symbol count but not on the number of threads, nor on the receiver's lanes per
//! clock (symbols and noise come from two separate streams per chunk). With `max_errors` set, `k` is
//! the shortest prefix of chunks whose errors reach it (all chunks before it are always
//! finished), again independent of thread timing.

use cporx_model::RxTopModel;
use cporx_spec::*;
use rand::RngCore;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The Gaussian generator, as `cporx mc-bench` prints it.
pub const GAUSSIAN: &str = "ziggurat (Marsaglia-Tsang, Doornik's ZIGNOR form: 256 layers, the exact tail method beyond 3.654) on xoshiro256++ (first attempts from four streams side by side, rejections from a fifth), in rounds of 256 draws; tails tested against erfc to 6 sigma";

/// Counted symbols per chunk (the unit of work and of determinism).
pub const CHUNK: u64 = 1 << 18;
/// Uncounted symbols each chunk runs first.
pub const WARMUP: usize = 256;
/// Largest number of cursors accepted.
pub const MAX_CURSORS: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum McError {
    #[error("monte-carlo parameter `{name}` = {value} is out of range: legal is {lo} ..= {hi}")]
    Range {
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
    #[error("monte-carlo: {0}")]
    Param(#[from] ParamError),
}

/// One fixed-phase Monte-Carlo run.
#[derive(Clone, Debug)]
pub struct McConfig {
    /// symbol-spaced channel cursors at the sampling phase, (index, value), level units
    pub cursors: Vec<(i32, f64)>,
    /// noise standard deviation at the ADC input, level units
    pub noise_sigma: f64,
    /// analog value at ADC code 32
    pub full_scale: f64,
    /// ADC resolution, 1 ..= ADC_BITS
    pub adc_bits: u32,
    /// the receive top (taps, thresholds, targets, lanes); the CDR part is unused
    pub rx: RxParams,
    /// the FFE tap that multiplies cursor 0 of the decided symbol
    pub main_tap: usize,
    /// counted symbols (rounded up to whole chunks)
    pub symbols: u64,
    /// stop after the first chunk prefix with this many symbol errors (0: never)
    pub max_errors: u64,
    pub seed: u64,
    /// worker threads (0: all cores)
    pub threads: usize,
}

impl McConfig {
    /// An ISI-free channel (cursor 0 only) at noise `sigma`, received with the default full
    /// scale (4), a 6-bit ADC, a unit FFE (main tap 1, code 64: y = 2x) and the default
    /// levels: the setup of the closed-form checks.
    pub fn ideal_channel(sigma: f64, symbols: u64, seed: u64) -> McConfig {
        let mut rx = RxParams::with_taps(3, 1).expect("legal");
        rx.reset_coefs = vec![0, 1 << COEF_FRAC, 0];
        McConfig {
            cursors: vec![(0, 1.0)],
            noise_sigma: sigma,
            full_scale: 4.0,
            adc_bits: ADC_BITS as u32,
            rx,
            main_tap: 1,
            symbols,
            max_errors: 0,
            seed,
            threads: 0,
        }
    }

    pub fn validate(&self) -> Result<(), McError> {
        let rng = |name, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(McError::Range {
                    name,
                    value: v,
                    lo,
                    hi,
                })
            }
        };
        self.rx.validate()?;
        rng(
            "cursors",
            self.cursors.len() as f64,
            1.0,
            MAX_CURSORS as f64,
        )?;
        for &(_, h) in &self.cursors {
            rng("cursor value", h, -100.0, 100.0)?;
        }
        let span = self.cursors.iter().map(|c| c.0).max().unwrap_or(0)
            - self.cursors.iter().map(|c| c.0).min().unwrap_or(0);
        rng("cursor span", span as f64, 0.0, (MAX_CURSORS - 1) as f64)?;
        rng("noise_sigma", self.noise_sigma, 0.0, 100.0)?;
        rng("full_scale", self.full_scale, 0.01, 1000.0)?;
        rng("adc_bits", self.adc_bits as f64, 1.0, ADC_BITS as f64)?;
        rng(
            "main_tap",
            self.main_tap as f64,
            0.0,
            (self.rx.n_taps - 1) as f64,
        )?;
        rng("symbols", self.symbols as f64, 1.0, 1e13)?;
        rng("threads", self.threads as f64, 0.0, 256.0)?;
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct McResult {
    pub symbols: u64,
    pub symbol_errors: u64,
    pub bit_errors: u64,
    /// ADC samples that saturated
    pub clipped: u64,
    /// wall time, s
    pub seconds: f64,
    pub threads: usize,
    /// CPU time of the worker threads, s (None where the platform does not say:
    /// [`thread_cpu_ns`])
    pub cpu_seconds: Option<f64>,
}

impl McResult {
    pub fn ser(&self) -> f64 {
        self.symbol_errors as f64 / self.symbols.max(1) as f64
    }
    pub fn ber(&self) -> f64 {
        self.bit_errors as f64 / (2 * self.symbols.max(1)) as f64
    }
    /// Symbols per second over all threads.
    pub fn rate(&self) -> f64 {
        self.symbols as f64 / self.seconds.max(1e-12)
    }
    /// Symbols per second of CPU time (per core, whatever else the machine runs).
    pub fn cpu_rate(&self) -> Option<f64> {
        self.cpu_seconds
            .filter(|&t| t > 0.0)
            .map(|t| self.symbols as f64 / t)
    }
    pub(crate) fn add(&mut self, c: &ChunkCount) {
        self.symbols += c.symbols;
        self.symbol_errors += c.symbol_errors;
        self.bit_errors += c.bit_errors;
        self.clipped += c.clipped;
    }
}

/// One chunk's counts (`crate::mc_shard` keeps them per chunk).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChunkCount {
    pub symbols: u64,
    pub symbol_errors: u64,
    pub bit_errors: u64,
    pub clipped: u64,
}

/// The CPU time the calling thread has run, ns: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`
/// on 64-bit Linux, exact to the call; else Linux's `/proc/thread-self/schedstat` (its
/// first field), which advances only at scheduler ticks (3-4 ms here: right for one long
/// run, but a sum over runs of a few ms, such as the bench's timed Verilator block calls,
/// beats against the tick; measured 12 % high); None where neither can be read. For
/// per-core speed figures on a loaded machine (the wall time then counts other
/// processes' turns too).
pub fn thread_cpu_ns() -> Option<u64> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            sec: i64,
            nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clk: i32, tp: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut t = Timespec { sec: 0, nsec: 0 };
        // SAFETY: clock_gettime writes one timespec, two i64 fields on 64-bit Linux.
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Some(t.sec as u64 * 1_000_000_000 + t.nsec as u64);
        }
    }
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// xoshiro256++ (Blackman and Vigna), seeded through splitmix64: small, fast, and the same
/// stream on every platform.
#[derive(Clone, Debug)]
pub struct Xoshiro256pp {
    s: [u64; 4],
}

impl Xoshiro256pp {
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut s = [0u64; 4];
        for w in &mut s {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *w = x ^ (x >> 31);
        }
        Xoshiro256pp { s }
    }
}

impl RngCore for Xoshiro256pp {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let r = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for c in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// The ADC of step 3: analog value times `gain` (codes per level unit, 32 / full_scale)
/// to a 6-bit datapath code, for a `bits`-bit converter. Returns (code, clipped).
#[inline(always)]
pub fn adc_code(v: f64, gain: f64, bits: u32) -> (i32, bool) {
    let shift = ADC_BITS as u32 - bits;
    adc_steps(v * (gain / (1i32 << shift) as f64), bits)
}

/// [`adc_code`] with the gain already divided by the step: `x` in steps of the `bits`-bit
/// converter.
#[inline(always)]
pub fn adc_steps(x: f64, bits: u32) -> (i32, bool) {
    let shift = ADC_BITS as u32 - bits;
    // round half away from zero, as the AFE's f64::round, without the libm call: the
    // fraction x - trunc(x) is exact in floating point (`as` truncates, and saturates far
    // outside the range, which then clips anyway)
    let t = x as i64;
    let f = x - t as f64;
    let q = t + (f >= 0.5) as i64 - (f <= -0.5) as i64;
    let hi = (1i64 << (bits - 1)) - 1;
    let lo = -(1i64 << (bits - 1));
    let clipped = q < lo || q > hi;
    let q = q.clamp(lo, hi) as i32;
    (q << shift, clipped)
}

/// Gray bits of a symbol (IEEE 802.3 cl. 120: 00 01 11 10).
#[inline(always)]
fn gray(s: u8) -> u8 {
    s ^ (s >> 1)
}

fn chunk_seed(seed: u64, chunk: u64) -> u64 {
    seed ^ chunk.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03)
}

/// The standard normal generator of the Monte-Carlo: Marsaglia and Tsang's ziggurat
/// (J. Stat. Softw. 5(8), 2000) in Doornik's ZIGNOR form (2005): 256 layers of equal area
/// v = 0.00492867323399, base edge r = 3.6541528853610088, one `next_u64` per attempt
/// (bits 0..8 the layer, bits 12..64 a uniform in -1 .. 1 at 2^-51 steps); about 98.8 % of
/// draws take the first test. [`gauss::Source::fill`] makes the first attempts from four
/// xoshiro256++ streams side by side (vectorized) and the rare rejections from a fifth. The tail beyond r is Marsaglia's exact method (1964), so the
/// distribution is the normal's out to any depth (test `gauss_tails_match_erfc`). Tables are
/// computed once with the pure-Rust `libm` (the same numbers on every platform).
pub mod gauss {
    use super::Xoshiro256pp;
    use rand::RngCore;
    use std::sync::OnceLock;

    /// Layers.
    pub const LAYERS: usize = 256;
    /// Draws per round of [`fill`].
    pub const ROUND: usize = 256;
    /// The base layer's right edge: draws beyond it come from the tail method.
    pub const R: f64 = 3.654_152_885_361_008_8;
    /// The area of each layer (and of the base strip with the tail).
    const V: f64 = 0.004_928_673_233_99;

    struct Tables {
        /// layer i spans 0 .. x[i] (x[0] = V / f(R), the base strip's pseudo-width)
        x: [f64; LAYERS + 1],
        /// x[i + 1] / x[i]: below it a draw is inside the layer's rectangle
        ratio: [f64; LAYERS],
    }

    fn tables() -> &'static Tables {
        static T: OnceLock<Tables> = OnceLock::new();
        T.get_or_init(|| {
            let mut x = [0.0; LAYERS + 1];
            let mut f = libm::exp(-0.5 * R * R);
            x[0] = V / f;
            x[1] = R;
            for i in 2..LAYERS {
                x[i] = libm::sqrt(-2.0 * libm::log(V / x[i - 1] + f));
                f = libm::exp(-0.5 * x[i] * x[i]);
            }
            x[LAYERS] = 0.0;
            let ratio = std::array::from_fn(|i| x[i + 1] / x[i]);
            Tables { x, ratio }
        })
    }

    /// A uniform in (0, 1], 53 bits.
    #[inline(always)]
    fn u01(rng: &mut Xoshiro256pp) -> f64 {
        ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A draw from the tail beyond R (Marsaglia 1964), negative if `neg`.
    #[inline(never)]
    pub fn tail(rng: &mut Xoshiro256pp, neg: bool) -> f64 {
        loop {
            let x = libm::log(u01(rng)) / R;
            let y = libm::log(u01(rng));
            if -2.0 * y >= x * x {
                return if neg { x - R } else { R - x };
            }
        }
    }

    /// The rejection path of one draw whose first attempt (`u`, layer `i`) failed.
    #[inline(never)]
    fn slow(rng: &mut Xoshiro256pp, mut u: f64, mut i: usize) -> f64 {
        let t = tables();
        loop {
            if i == 0 {
                return tail(rng, u < 0.0);
            }
            let x = u * t.x[i];
            let f0 = libm::exp(-0.5 * (t.x[i] * t.x[i] - x * x));
            let f1 = libm::exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
            if f1 + u01(rng) * (f0 - f1) < 1.0 {
                return x;
            }
            let b = rng.next_u64();
            (u, i) = split(b);
            if u.abs() < t.ratio[i] {
                return u * t.x[i];
            }
        }
    }

    /// One attempt's uniform in -1 .. 1 (bits 12 .. 64 as the mantissa of a number in
    /// 1 .. 2, then 2 f - 3: 2^-51 steps, exact) and layer (bits 0 .. 8) from 64 random bits.
    #[inline(always)]
    fn split(b: u64) -> (f64, usize) {
        let f = f64::from_bits(0x3FF0_0000_0000_0000 | (b >> 12));
        (2.0 * f - 3.0, (b & 0xff) as usize)
    }

    /// One standard normal draw.
    #[inline(always)]
    pub fn normal(rng: &mut Xoshiro256pp) -> f64 {
        let t = tables();
        let (u, i) = split(rng.next_u64());
        if u.abs() < t.ratio[i] {
            u * t.x[i]
        } else {
            slow(rng, u, i)
        }
    }

    /// Four xoshiro256++ streams side by side (one draw of each per step: the four lanes
    /// of a SIMD register), for the first attempts of [`Source::fill`].
    #[derive(Clone, Debug)]
    pub struct Xoshiro4 {
        /// s[word][lane]
        s: [[u64; 4]; 4],
    }

    impl Xoshiro4 {
        /// The four states from 16 draws of `seed_rng` (never all zero: xoshiro's one
        /// forbidden state has probability 2^-256).
        pub fn from_rng(seed_rng: &mut Xoshiro256pp) -> Self {
            let mut s = [[0u64; 4]; 4];
            for l in 0..4 {
                for w in &mut s {
                    w[l] = seed_rng.next_u64();
                }
            }
            Xoshiro4 { s }
        }

        /// The next draw of each stream.
        #[inline(always)]
        pub fn next4(&mut self) -> [u64; 4] {
            Self::step(&mut self.s)
        }

        #[inline(always)]
        fn step(s: &mut [[u64; 4]; 4]) -> [u64; 4] {
            let mut r = [0u64; 4];
            for l in 0..4 {
                r[l] = (s[0][l].wrapping_add(s[3][l]))
                    .rotate_left(23)
                    .wrapping_add(s[0][l]);
                let t = s[1][l] << 17;
                s[2][l] ^= s[0][l];
                s[3][l] ^= s[1][l];
                s[1][l] ^= s[2][l];
                s[0][l] ^= s[3][l];
                s[2][l] ^= t;
                s[3][l] = s[3][l].rotate_left(45);
            }
            r
        }
    }

    /// The Gaussian source of a Monte-Carlo chunk: the four-lane stream for the first
    /// attempts, one stream for the rejection paths.
    #[derive(Clone, Debug)]
    pub struct Source {
        fast: Xoshiro4,
        slow: Xoshiro256pp,
    }

    impl Source {
        /// Seeded from one xoshiro256++ stream (its first 16 draws seed the four lanes, the
        /// rest is the rejection paths' stream).
        pub fn new(seed: u64) -> Self {
            let mut slow = Xoshiro256pp::new(seed);
            let fast = Xoshiro4::from_rng(&mut slow);
            Source { fast, slow }
        }

        /// `out.len()` standard normal draws, each times `scale`. In rounds of up to
        /// [`ROUND`] draws: first every draw's first attempt (draw k of the round from lane
        /// k % 4 of the four-lane stream, no branch), then, in order, the rejection path of
        /// those whose first attempt failed (about 1.2 %), from the rejection stream. A
        /// round always draws ROUND first attempts (a shorter `out` drops the rest).
        /// Deterministic, and each draw is the ziggurat's (a rejected attempt is redrawn
        /// from fresh bits), so the distribution of [`normal`].
        #[inline(always)]
        pub fn fill(&mut self, out: &mut [f64], scale: f64) {
            let t = tables();
            let mut bits = [0u64; ROUND];
            let mut rej = [0u8; ROUND];
            for chunk in out.chunks_mut(ROUND) {
                // the round's random bits (a separate pass: the four lanes vectorize)
                let mut st = self.fast.s;
                for b4 in bits.chunks_exact_mut(4) {
                    let r = Xoshiro4::step(&mut st);
                    b4.copy_from_slice(&r);
                }
                self.fast.s = st;
                // the first attempts, each with its rejection flag (no branch, no
                // data-dependent store: the pass vectorizes, the tables gathered)
                for ((o, f), &b) in chunk.iter_mut().zip(rej.iter_mut()).zip(&bits) {
                    let (u, i) = split(b);
                    *o = u * t.x[i] * scale;
                    *f = (u.abs() >= t.ratio[i]) as u8;
                }
                // then the rejected ones in order, eight flags a test
                let n = chunk.len();
                for (w, f8) in rej[..n.next_multiple_of(8).min(ROUND)]
                    .chunks(8)
                    .enumerate()
                {
                    let mut word = [0u8; 8];
                    word[..f8.len()].copy_from_slice(f8);
                    let mut m = u64::from_le_bytes(word);
                    while m != 0 {
                        let k = w * 8 + m.trailing_zeros() as usize / 8;
                        m &= m - 1;
                        if k < n {
                            let (u, i) = split(bits[k]);
                            chunk[k] = slow(&mut self.slow, u, i) * scale;
                        }
                    }
                }
            }
        }
    }
}

/// The chunk's channel and ADC, block by block: for samples `t0 .. t0 + out.len()`, the
/// noise, the convolution and the ADC codes. `lv` holds the levels of symbols `t0 ..
/// t0 + out.len() + span` (sample t sees lvl[t + j], j < span, times taps[j]).
#[inline(always)]
fn analog_block(
    rng: &mut gauss::Source,
    v: &mut [f64],
    taps: &[f64],
    lv: &[f64],
    sigma: f64,
    gain_steps: f64,
    bits: u32,
    out: &mut [i8],
) -> u64 {
    // whole rounds of the generator, so a sample's noise depends on its index alone (not on
    // where the chunk ends, which depends on the receiver)
    let len = out.len();
    rng.fill(&mut v[..len.next_multiple_of(gauss::ROUND)], sigma);
    let v = &mut v[..len];
    // noise + sum_j taps[j] lvl[t + j], j ascending, each step one fused multiply-add
    // (`mul_add`: one rounding, the same on every machine), 32 samples at a time in
    // registers
    // (32 samples: four AVX-512 or eight AVX2 accumulators, enough independent chains
    // to hide the FMA latency across the taps)
    const W: usize = 32;
    let len = v.len();
    let whole = len / W * W;
    for (i, x) in v[..whole].chunks_exact_mut(W).enumerate() {
        let mut acc: [f64; W] = std::array::from_fn(|k| x[k]);
        for (j, &h) in taps.iter().enumerate() {
            let l = &lv[i * W + j..i * W + j + W];
            for k in 0..W {
                acc[k] = l[k].mul_add(h, acc[k]);
            }
        }
        x.copy_from_slice(&acc);
    }
    for (i, x) in v.iter_mut().enumerate().skip(whole) {
        for (j, &h) in taps.iter().enumerate() {
            *x = lv[i + j].mul_add(h, *x);
        }
    }
    // the ADC of `adc_steps`, in 32 bits (|x| beyond 2^20 steps clips either way)
    let shift = ADC_BITS as u32 - bits;
    let hi = (1i32 << (bits - 1)) - 1;
    let lo = -(1i32 << (bits - 1));
    let mut clipped = 0u64;
    for (c, &x) in out.iter_mut().zip(v.iter()) {
        let x = (x * gain_steps).clamp(-1048576.0, 1048576.0);
        // (NaN, which `as` would make 0, made 0 first: the conversion then vectorizes)
        let x = if x.is_nan() { 0.0 } else { x };
        // SAFETY: x is finite and |x| <= 2^20, in i32's range
        let t: i32 = unsafe { x.to_int_unchecked() };
        let f = x - t as f64;
        let q = t + (f >= 0.5) as i32 - (f <= -0.5) as i32;
        clipped += (q < lo || q > hi) as u64;
        *c = (q.clamp(lo, hi) << shift) as i8;
    }
    clipped
}

/// One chunk: WARMUP + `n` symbols, counting the last `n`.
pub(crate) fn run_chunk(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has AVX-512 (F, DQ, VL, BW) and FMA (checked just above)
        return unsafe { run_chunk_avx512(cfg, chunk, n) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above)
        return unsafe { run_chunk_avx2(cfg, chunk, n) };
    }
    run_chunk_any(cfg, chunk, n)
}

/// [`run_chunk_any`] compiled for AVX2 and FMA: the same operations in the same order
/// (`mul_add` is one rounding with or without the instruction), so the same numbers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_chunk_avx2(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    run_chunk_any(cfg, chunk, n)
}

/// The instruction set [`run_chunk`] runs on this CPU (the counts are the same on every
/// one: test `chunk_counts_do_not_depend_on_the_instruction_set`).
pub fn instruction_set() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx512() {
            return "AVX-512 (F, DQ, VL, BW) + FMA, eight doubles a register";
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return "AVX2 + FMA, four doubles a register";
        }
    }
    "portable (the compiler's baseline)"
}

/// The CPU has what [`run_chunk_avx512`] is compiled for.
#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("fma")
}

/// [`run_chunk_any`] compiled for AVX-512: again the same operations in the same order,
/// eight doubles a register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
unsafe fn run_chunk_avx512(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    run_chunk_any(cfg, chunk, n)
}

#[inline(always)]
fn run_chunk_any(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    run_chunk_with(cfg, chunk, n, false)
}

/// [`run_chunk`] with the clocked receiver whatever the configuration (for the test that
/// the block receiver equals it).
#[cfg(test)]
fn run_chunk_clocked(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    run_chunk_with(cfg, chunk, n, true)
}

#[inline(always)]
fn run_chunk_with(cfg: &McConfig, chunk: u64, n: usize, clocked: bool) -> ChunkCount {
    // two streams, so the symbols and the noise of a sample do not depend on how many
    // samples the chunk rounds up to (which depends on P)
    let mut sym_rng = Xoshiro256pp::new(chunk_seed(cfg.seed, chunk));
    let mut rng = gauss::Source::new(chunk_seed(cfg.seed ^ 0x6E6F_6973_6521, chunk));
    let kmin = cfg.cursors.iter().map(|c| c.0).min().unwrap() as i64;
    let kmax = cfg.cursors.iter().map(|c| c.0).max().unwrap() as i64;
    // dense cursor vector: taps[j] = h_(kmin + j); x[n] = sum_j taps[j] a[n - kmin - j]
    let span = (kmax - kmin + 1) as usize;
    let mut taps = vec![0.0f64; span];
    for &(k, h) in &cfg.cursors {
        taps[(k as i64 - kmin) as usize] += h;
    }
    taps.reverse(); // taps[j] now multiplies a[n - kmax + j]: oldest first
    let p = cfg.rx.lanes;
    let mut rx = RxTopModel::new(&cfg.rx).expect("validated");
    rx.step(&RxIn::reset());
    // the block receiver (FFE and slicer as a pure function of the stream) unless a
    // decision feeds back (DFE) or the registers move (adaptation)
    let block_rx =
        !clocked && cfg.rx.dfe_taps == 0 && cfg.rx.adapt.is_none() && rx.slicer.levels_are_codes();
    // total samples: through the last counted decision (block receiver); a whole number
    // of clocks through its pipeline (clocked receiver)
    let mt = cfg.main_tap;
    let total = if block_rx {
        WARMUP + n + mt
    } else {
        (WARMUP + n + LAT_TOP * p + mt).div_ceil(p) * p
    };
    let gain = (1i64 << (ADC_BITS - 1)) as f64 / cfg.full_scale;
    let gain_steps = gain / (1i64 << (ADC_BITS as u32 - cfg.adc_bits)) as f64;

    // Symbols: a[i] for i in -(kmax) .. total - kmin; stored with offset kmax.
    let n_sym = total + span;
    // the chunk's two long buffers, reused from the thread's last chunk (fresh ones
    // cost a page fault every 4 KiB, a few % of the run)
    let (mut sym, mut codes) = CHUNK_BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    sym.clear();
    sym.resize(n_sym, 0);
    // two bits a symbol, 32 symbols from each draw, low bits first
    for c in sym.chunks_mut(32) {
        let bits = sym_rng.next_u64();
        for (k, s) in c.iter_mut().enumerate() {
            *s = ((bits >> (2 * k)) & 3) as u8;
        }
    }
    // sample t (0-based) sees a[t - kmax + j] = lvl[t + j] (offset kmax), j in 0..span.
    // The analog side runs a block of BLOCK samples at a time, one pass per cursor (the
    // inner loops vectorize), then the receiver takes the block's codes.
    const BLOCK: usize = 1024;
    const _: () = assert!(BLOCK % gauss::ROUND == 0);
    let mut count = ChunkCount::default();
    let mut v = vec![0.0f64; BLOCK];
    let mut lv = vec![0.0f64; BLOCK + span];
    // every code of the chunk (the block receiver reads the FFE's history from it)
    codes.clear();
    codes.resize(total, 0);
    let mut y = vec![0i16; BLOCK];
    let mut d = vec![0i16; BLOCK];
    let mut e = vec![0i16; BLOCK];
    let (lo_s, hi_s) = (WARMUP + mt, WARMUP + n + mt); // counted decisions (block receiver)
    let mut t0 = 0usize;
    while t0 < total {
        let len = BLOCK.min(total - t0);
        for (l, &s) in lv[..len + span].iter_mut().zip(&sym[t0..t0 + len + span]) {
            *l = 2.0 * s as f64 - 3.0;
        }
        count.clipped += analog_block(
            &mut rng,
            &mut v,
            &taps,
            &lv,
            cfg.noise_sigma,
            gain_steps,
            cfg.adc_bits,
            &mut codes[t0..t0 + len],
        );
        if block_rx {
            // decisions of samples s in t0 .. t0 + len that are counted: the decision of
            // sample s is the FIR of samples s - N + 1 ..= s, its main cursor the symbol
            // main_tap earlier
            let (a, b) = (t0.max(lo_s), (t0 + len).min(hi_s));
            if a < b {
                let m = b - a;
                rx.ffe.fir_block(&codes, a, &mut y[..m]);
                rx.slicer.decide_block(&y[..m], &mut d[..m], &mut e[..m]);
                let want = &sym[a - mt + kmax as usize..b - mt + kmax as usize];
                let (mut se, mut be) = (0u64, 0u64);
                for (&g, &w) in d[..m].iter().zip(want) {
                    let x = gray(g as u8) ^ gray(w);
                    se += (x != 0) as u64;
                    be += ((x & 1) + (x >> 1)) as u64;
                }
                count.symbol_errors += se;
                count.bit_errors += be;
                count.symbols += m as u64;
            }
        } else {
            clocked_receiver(
                &mut rx,
                &codes[t0..t0 + len],
                t0,
                cfg,
                n,
                &sym,
                kmax,
                &mut count,
            );
        }
        t0 += len;
    }
    CHUNK_BUFFERS.with(|b| *b.borrow_mut() = (sym, codes));
    count
}

thread_local! {
    /// [`run_chunk_with`]'s symbol and code buffers, kept per thread between chunks.
    static CHUNK_BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<i8>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The clocked receiver over one block of codes starting at serial index `t0` (the DFE
/// and the adaptation: the receive top's data-only edge, FFE and slicer or DFE, clock by
/// clock).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn clocked_receiver(
    rx: &mut RxTopModel,
    codes: &[i8],
    t0: usize,
    cfg: &McConfig,
    n: usize,
    sym: &[u8],
    kmax: i64,
    count: &mut ChunkCount,
) {
    let p = cfg.rx.lanes;
    for (b, blk8) in codes.chunks_exact(p).enumerate() {
        let t = t0 + b * p;
        let mut blk = [0i32; MAX_LANES];
        for (o, &c) in blk.iter_mut().zip(blk8) {
            *o = c as i32;
        }
        // the receive top's data-only edge, FFE and slicer (rx_top::step_data order)
        let mut y = [0i32; MAX_LANES];
        for (j, v) in y[..p].iter_mut().enumerate() {
            *v = rx.ffe.y_code(j);
        }
        match rx.dfe.as_mut() {
            // the DFE decides into the slicer's registers (rx_top's order)
            Some(tap) => tap.step_data(&mut rx.slicer, &y[..p]),
            None => rx.slicer.step_data(&y[..p]),
        }
        rx.ffe.step_data(&blk[..p]);
        // after the edge of the block starting at serial index t, lane j holds the
        // decision of sample t + j - (LAT_TOP - 1) P, whose main cursor is the symbol
        // main_tap earlier
        for j in 0..p {
            let sent = (t + j) as i64 - ((LAT_TOP - 1) * p) as i64 - cfg.main_tap as i64;
            if sent >= WARMUP as i64 && sent < (WARMUP + n) as i64 {
                let want = sym[(sent + kmax) as usize];
                let got = rx.slicer.symbol[j];
                if got != want {
                    count.symbol_errors += 1;
                    count.bit_errors += (gray(got) ^ gray(want)).count_ones() as u64;
                }
                count.symbols += 1;
            }
        }
    }
}

/// Run the Monte-Carlo. `progress` is called after each finished chunk with the counted
/// symbols so far (in any order); it must be cheap.
pub fn run(cfg: &McConfig, progress: &(dyn Fn(u64) + Sync)) -> Result<McResult, McError> {
    cfg.validate()?;
    let chunks = cfg.symbols.div_ceil(CHUNK);
    let threads = if cfg.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        cfg.threads
    }
    .min(chunks as usize)
    .max(1);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let done_syms = AtomicU64::new(0);
    let results: Mutex<Vec<Option<ChunkCount>>> = Mutex::new(vec![None; chunks as usize]);
    let cpu_ns = AtomicU64::new(0);
    let cpu_known = AtomicBool::new(true);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let c0 = thread_cpu_ns();
                worker(cfg, chunks, &next, &stop, &done_syms, &results, progress);
                match (c0, thread_cpu_ns()) {
                    (Some(a), Some(b)) => {
                        cpu_ns.fetch_add(b.saturating_sub(a), Ordering::Relaxed);
                    }
                    _ => cpu_known.store(false, Ordering::Relaxed),
                }
            });
        }
    });
    let mut out = McResult {
        threads,
        seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_known
            .load(Ordering::Relaxed)
            .then(|| cpu_ns.load(Ordering::Relaxed) as f64 * 1e-9),
        ..Default::default()
    };
    for c in results.into_inner().unwrap().iter() {
        match c {
            Some(c) => {
                out.add(c);
                if cfg.max_errors > 0 && out.symbol_errors >= cfg.max_errors {
                    break;
                }
            }
            None => break,
        }
    }
    Ok(out)
}

/// One worker thread: take chunks in order until none is left (or the error target is met
/// on a finished prefix).
fn worker(
    cfg: &McConfig,
    chunks: u64,
    next: &AtomicU64,
    stop: &AtomicBool,
    done_syms: &AtomicU64,
    results: &Mutex<Vec<Option<ChunkCount>>>,
    progress: &(dyn Fn(u64) + Sync),
) {
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= chunks {
            break;
        }
        let c = run_chunk(cfg, i, CHUNK as usize);
        let mut r = results.lock().unwrap();
        r[i as usize] = Some(c);
        if cfg.max_errors > 0 {
            // stop when a finished prefix has enough errors
            let mut e = 0;
            for c in r.iter() {
                match c {
                    Some(c) => e += c.symbol_errors,
                    None => break,
                }
            }
            if e >= cfg.max_errors {
                stop.store(true, Ordering::Relaxed);
            }
        }
        drop(r);
        progress(done_syms.fetch_add(c.symbols, Ordering::Relaxed) + c.symbols);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(lanes: usize) -> McConfig {
        let mut rx = RxParams::with_taps(3, 1)
            .unwrap()
            .with_lanes(lanes)
            .unwrap();
        rx.reset_coefs = vec![0, 64, 0];
        McConfig {
            cursors: vec![(0, 1.0)],
            noise_sigma: 0.0,
            full_scale: 4.0,
            adc_bits: 6,
            rx,
            main_tap: 1,
            symbols: 3 * CHUNK,
            max_errors: 0,
            seed: 7,
            threads: 2,
        }
    }

    #[test]
    fn alignment_is_exact_at_every_lane_count() {
        // noise-free ideal channel, unit FFE: every decision equals the symbol sent, at
        // every P; a one-symbol misalignment would give ~75% errors
        for lanes in LEGAL_LANES {
            let r = run(&cfg(lanes), &|_| {}).unwrap();
            assert_eq!(r.symbols, 3 * CHUNK, "P = {lanes}");
            assert_eq!(r.symbol_errors, 0, "P = {lanes}");
            assert_eq!(r.clipped, 0);
        }
        // main tap 0 with the unit coefficient at tap 0: also exact
        let mut c = cfg(1);
        c.main_tap = 0;
        c.rx.reset_coefs = vec![64, 0, 0];
        assert_eq!(run(&c, &|_| {}).unwrap().symbol_errors, 0);
        // ... while claiming the wrong main tap gives errors
        c.main_tap = 1;
        assert!(run(&c, &|_| {}).unwrap().ser() > 0.5);
    }

    #[test]
    fn result_is_independent_of_threads_and_lanes_agree() {
        let mut c = cfg(1);
        c.noise_sigma = 0.45;
        let a = run(&c, &|_| {}).unwrap();
        c.threads = 1;
        let b = run(&c, &|_| {}).unwrap();
        assert_eq!(
            (a.symbols, a.symbol_errors, a.bit_errors),
            (b.symbols, b.symbol_errors, b.bit_errors)
        );
        assert!(a.symbol_errors > 100);
        // the P-lane receiver decides the same symbols: identical counts at every P
        for lanes in [2, 16] {
            let mut c16 = c.clone();
            c16.rx = c.rx.clone().with_lanes(lanes).unwrap();
            let d = run(&c16, &|_| {}).unwrap();
            assert_eq!(
                (d.symbols, d.symbol_errors, d.bit_errors),
                (a.symbols, a.symbol_errors, a.bit_errors)
            );
        }
        // gray coding: almost every symbol error is one bit
        assert!(a.bit_errors >= a.symbol_errors && a.bit_errors < a.symbol_errors * 11 / 10);
    }

    #[test]
    fn max_errors_stops_on_a_deterministic_prefix() {
        let mut c = cfg(1);
        c.noise_sigma = 0.5;
        c.symbols = 40 * CHUNK;
        c.max_errors = 5000;
        let a = run(&c, &|_| {}).unwrap();
        c.threads = 1;
        let b = run(&c, &|_| {}).unwrap();
        assert_eq!(
            a,
            McResult {
                seconds: a.seconds,
                threads: a.threads,
                cpu_seconds: a.cpu_seconds,
                ..b.clone()
            }
        );
        assert!(a.symbol_errors >= 5000 && a.symbols < 40 * CHUNK);
    }

    /// The ziggurat against the normal's tails (erfc): the fraction of 2^26 draws beyond
    /// +-k for k = 0.5 .. 5, and beyond the base edge R (the tail method's share), within 5
    /// binomial standard deviations (+ 3 counts) of the exact value; then 2^23 draws of
    /// the tail method alone against the conditional tail erfc(k / sqrt 2) / erfc(R /
    /// sqrt 2) for k = 4, 5, 6 (with the share, P(x > 6) = 1e-9 is checked to about 30 %
    /// from 130 draws beyond 6). The BER figures go down to about 1e-12, i.e. 7 sigma at the
    /// slicer, but they come from far fewer noise draws beyond 5 sigma than these.
    #[test]
    fn gauss_tails_match_erfc() {
        let within = |what: &str, k: u64, n: u64, p: f64| {
            let m = n as f64 * p;
            let sd = (m * (1.0 - p)).sqrt();
            assert!(
                (k as f64 - m).abs() <= 5.0 * sd + 3.0,
                "{what}: {k} of {n}, expected {m:.1} +- {sd:.1}"
            );
        };
        let q = |x: f64| 0.5 * libm::erfc(x / std::f64::consts::SQRT_2);
        let mut src = gauss::Source::new(12345);
        let mut rng = Xoshiro256pp::new(54321);
        let n = 1u64 << 26;
        let ks = [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, gauss::R];
        let (mut hi, mut lo) = ([0u64; 7], [0u64; 7]);
        let (mut s1, mut s2) = (0.0, 0.0);
        let mut buf = vec![0.0; 4096];
        for _ in 0..n / 4096 {
            src.fill(&mut buf, 1.0);
            for &x in &buf {
                s1 += x;
                s2 += x * x;
                for (j, &k) in ks.iter().enumerate() {
                    hi[j] += (x > k) as u64;
                    lo[j] += (x < -k) as u64;
                }
            }
        }
        for (j, &k) in ks.iter().enumerate() {
            within(&format!("P(x > {k})"), hi[j], n, q(k));
            within(&format!("P(x < -{k})"), lo[j], n, q(k));
        }
        assert!((s1 / n as f64).abs() < 5.0 / (n as f64).sqrt());
        assert!((s2 / n as f64 - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt());
        // the tail method alone: beyond R, and its conditional tails
        let n = 1u64 << 23;
        let mut cnt = [0u64; 3];
        for i in 0..n {
            let x = gauss::tail(&mut rng, i % 2 == 1);
            assert!(x.abs() >= gauss::R);
            for (j, k) in [4.0, 5.0, 6.0].iter().enumerate() {
                cnt[j] += (x.abs() > *k) as u64;
            }
        }
        for (j, k) in [4.0, 5.0, 6.0].iter().enumerate() {
            within(
                &format!("tail P(|x| > {k} | |x| > R)"),
                cnt[j],
                n,
                q(*k) / q(gauss::R),
            );
        }
        assert!(cnt[2] > 30, "too few draws beyond 6 to check: {}", cnt[2]);
        // one by one: the same distribution (a coarse check of `normal`)
        let m = 1u64 << 22;
        let k = (0..m).filter(|_| gauss::normal(&mut rng) > 2.0).count() as u64;
        within("normal(): P(x > 2)", k, m, q(2.0));
    }

    /// Every compiled variant of the chunk (portable, AVX2, AVX-512: the one `run_chunk`
    /// picks depends on the CPU) gives the same counts on a noisy 16-cursor channel
    /// with clipping: the same operations in the same order, whatever the register width.
    #[test]
    fn chunk_counts_do_not_depend_on_the_instruction_set() {
        let mut c = cfg(1);
        c.noise_sigma = 0.45;
        c.cursors = (0..16)
            .map(|j| {
                (
                    j - 1,
                    [0.08, 1.0, 0.3, 0.17, 0.09, -0.05][(j as usize).min(5)],
                )
            })
            .collect();
        c.rx.reset_coefs = vec![-9, 64, -22];
        c.symbols = CHUNK;
        let base = run_chunk_any(&c, 3, CHUNK as usize);
        assert!(base.symbol_errors > 1000 && base.clipped > 0, "{base:?}");
        let mut checked = 0;
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                // SAFETY: checked just above
                assert_eq!(
                    unsafe { run_chunk_avx2(&c, 3, CHUNK as usize) },
                    base,
                    "AVX2"
                );
                checked += 1;
            }
            if has_avx512() {
                // SAFETY: checked just above
                let r = unsafe { run_chunk_avx512(&c, 3, CHUNK as usize) };
                assert_eq!(r, base, "AVX-512");
                checked += 1;
            }
        }
        eprintln!("instruction-set variants checked against the portable one: {checked}");
        assert_eq!(run_chunk(&c, 3, CHUNK as usize), base);
    }

    /// The block receiver (FFE and slicer as a pure function of the codes) counts the same
    /// errors as the clocked receive-top model on the same codes (white box: the clocked
    /// path is the one the DFE takes).
    #[test]
    fn block_receiver_equals_clocked_model() {
        for lanes in [1, 4, 16] {
            let mut c = cfg(lanes);
            c.noise_sigma = 0.4;
            c.cursors = vec![(-1, 0.1), (0, 1.0), (1, 0.35), (2, -0.1)];
            c.rx.reset_coefs = vec![-9, 64, -22];
            c.symbols = 2 * CHUNK;
            for i in 0..2 {
                let a = run_chunk(&c, i, CHUNK as usize);
                let b = run_chunk_clocked(&c, i, CHUNK as usize);
                // (the clipped count is over every sample run, and the clocked receiver
                // runs a few more through its pipeline)
                assert_eq!(
                    (a.symbols, a.symbol_errors, a.bit_errors),
                    (b.symbols, b.symbol_errors, b.bit_errors),
                    "P = {lanes}"
                );
                assert!(a.clipped <= b.clipped && b.clipped <= a.clipped + 16 * 8);
                assert!(a.symbol_errors > 100);
            }
        }
    }

    #[test]
    fn adc_saturates_and_coarse_adc_steps() {
        let g = 8.0;
        assert_eq!(adc_code(100.0, g, 6), (31, true));
        assert_eq!(adc_code(-100.0, g, 6), (-32, true));
        assert_eq!(adc_code(-4.0, g, 6), (-32, false));
        assert_eq!(adc_code(0.0625, g, 6), (1, false)); // 0.5 code rounds away from zero
        assert_eq!(adc_code(-0.0625, g, 6), (-1, false));
        // the same rounding as f64::round, ties and the largest value below a half included
        for x in [
            0.5,
            -0.5,
            1.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            3.7,
            -3.2,
        ] {
            assert_eq!(adc_code(x / g, g, 6).0, (x as f64).round() as i32, "{x}");
        }
        // 4-bit: steps of 4 codes, range -8..=7 steps
        assert_eq!(adc_code(1.0, g, 4), (8, false));
        assert_eq!(adc_code(100.0, g, 4), (28, true));
        assert_eq!(adc_code(-100.0, g, 4), (-32, true));
    }

    #[test]
    fn full_scale_input_saturates_not_wraps() {
        // a channel gain of 1.5 puts the outer levels at +-36 codes, past the ADC's
        // -32..=31: they clip, and are still decided as outer levels (a wrap would turn
        // +36 into -28 and flip them)
        let mut c = cfg(4);
        c.cursors = vec![(0, 1.5)];
        let r = run(&c, &|_| {}).unwrap();
        assert!(r.clipped > r.symbols / 3, "{r:?}");
        assert_eq!(r.symbol_errors, 0);
    }

    #[test]
    fn bad_config_is_an_error() {
        let mut c = cfg(1);
        c.adc_bits = 7;
        assert!(matches!(
            run(&c, &|_| {}),
            Err(McError::Range {
                name: "adc_bits",
                ..
            })
        ));
        let mut c = cfg(1);
        c.noise_sigma = f64::NAN;
        assert!(run(&c, &|_| {}).is_err());
        let mut c = cfg(1);
        c.main_tap = 3;
        assert!(run(&c, &|_| {}).is_err());
        let mut c = cfg(1);
        c.cursors.clear();
        assert!(run(&c, &|_| {}).is_err());
    }
}

#[cfg(test)]
mod speed {
    use super::*;
    /// `cargo test --release -p cporx-link --lib montecarlo::speed -- --ignored --nocapture`:
    /// a quick figure while working (the reported one is `cporx mc-bench`'s).
    #[test]
    #[ignore]
    fn mc_rate() {
        let mut rx = RxParams::with_taps(3, 1).unwrap();
        rx.reset_coefs = vec![-6, 64, -19];
        let cursors: Vec<(i32, f64)> = (0..16)
            .map(|j| {
                let k = j as i32 - 1;
                let h = match k {
                    -1 => 0.08,
                    0 => 1.0,
                    _ => 0.3 * 0.55f64.powi(k - 1),
                };
                (k, h)
            })
            .collect();
        let cfg = McConfig {
            cursors,
            noise_sigma: 0.25,
            full_scale: 4.0,
            adc_bits: 6,
            rx,
            main_tap: 1,
            symbols: 200 * CHUNK,
            max_errors: 0,
            seed: 1,
            threads: 1,
        };
        let r = run(&cfg, &|_| {}).unwrap();
        println!(
            "1 thread: {:.1} M symbols/s ({} errors of {})",
            r.rate() / 1e6,
            r.symbol_errors,
            r.symbols
        );
    }
}
