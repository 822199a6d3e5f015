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
//!    `noise_sigma` (ziggurat, `rand_distr::StandardNormal`).
//! 3. **ADC**: the AFE's rule (`sim/link/src/afe.rs`): `code = round(v / full_scale * 32)`, round
//!    half away from zero, saturated to -32..=31 and counted. A `b`-bit ADC (`adc_bits` <
//!    6) quantizes to steps of `2^(6-b)` codes on the same full scale and saturates at its
//!    own range, `-2^(b-1)..=2^(b-1)-1` steps; its code enters the 6-bit datapath with the
//!    low bits zero.
//! 4. **Receiver**: the reference model's FFE and slicer blocks (`model::FfeModel`,
//!    `model::SlicerModel`, the same `step_data` the closed loop uses), P lanes per clock
//!    as configured, bit-exact with the RTL; with `RxParams::dfe_taps` = 1 the DFE
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
use rand_distr::{Distribution, StandardNormal};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

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

/// One chunk: WARMUP + `n` symbols, counting the last `n`.
pub(crate) fn run_chunk(cfg: &McConfig, chunk: u64, n: usize) -> ChunkCount {
    // two streams, so the symbols and the noise of a sample do not depend on how many
    // samples the chunk rounds up to (which depends on P)
    let mut sym_rng = Xoshiro256pp::new(chunk_seed(cfg.seed, chunk));
    let mut rng = Xoshiro256pp::new(chunk_seed(cfg.seed ^ 0x6E6F_6973_6521, chunk));
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
    // total samples, a multiple of the lanes
    let total = (WARMUP + n + LAT_TOP * p + cfg.main_tap).div_ceil(p) * p;
    let mut rx = RxTopModel::new(&cfg.rx).expect("validated");
    rx.step(&RxIn::reset());
    let gain = (1i64 << (ADC_BITS - 1)) as f64 / cfg.full_scale;
    let gain_steps = gain / (1i64 << (ADC_BITS as u32 - cfg.adc_bits)) as f64;
    let sigma = cfg.noise_sigma;

    // Symbols: a[i] for i in -(kmax) .. total - kmin; stored with offset kmax.
    // Levels as f64 for the convolution, symbols as u8 for the comparison.
    let n_sym = total + span;
    let mut sym = vec![0u8; n_sym];
    let mut bits = 0u64;
    for (i, s) in sym.iter_mut().enumerate() {
        if i % 32 == 0 {
            bits = sym_rng.next_u64();
        }
        *s = (bits & 3) as u8;
        bits >>= 2;
    }
    let lvl: Vec<f64> = sym.iter().map(|&s| 2.0 * s as f64 - 3.0).collect();
    // sample t (0-based) sees a[t - kmax + j] = lvl[t + j] (offset kmax), j in 0..span.
    // The analog side runs a block of BLOCK samples at a time, one pass per cursor (the
    // inner loops vectorize), then the receiver takes the block's codes.
    const BLOCK: usize = 4096;
    let mut count = ChunkCount::default();
    let mut v = vec![0.0f64; BLOCK];
    let mut codes = vec![0i32; BLOCK];
    let mut t0 = 0usize;
    while t0 < total {
        let len = BLOCK.min(total - t0); // a multiple of p: total and BLOCK are
        let v = &mut v[..len];
        for x in v.iter_mut() {
            let g: f64 = StandardNormal.sample(&mut rng);
            *x = g * sigma;
        }
        for (j, &h) in taps.iter().enumerate() {
            for (x, a) in v.iter_mut().zip(&lvl[t0 + j..t0 + j + len]) {
                *x += a * h;
            }
        }
        for (c, &x) in codes[..len].iter_mut().zip(v.iter()) {
            let (q, clip) = adc_steps(x * gain_steps, cfg.adc_bits);
            *c = q;
            count.clipped += clip as u64;
        }
        for (b, blk) in codes[..len].chunks_exact(p).enumerate() {
            let t = t0 + b * p;
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
            rx.ffe.step_data(blk);
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
        t0 += len;
    }
    count
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
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
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
            });
        }
    });
    let mut out = McResult {
        threads,
        seconds: t0.elapsed().as_secs_f64(),
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
                ..b.clone()
            }
        );
        assert!(a.symbol_errors >= 5000 && a.symbols < 40 * CHUNK);
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
