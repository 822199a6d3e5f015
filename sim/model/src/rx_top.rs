//! Receive top model: the bit-exact, cycle-accurate model of FFE -> slicer -> CDR, with the
//! ports and cycle convention of `cporx_spec::ports`, P lanes per clock.
//!
//! Each block samples its upstream registers as they were before the edge: the CDR steps on
//! the slicer's outputs, the slicer on the FFE's output registers, then the FFE on the new
//! ADC block. `run_symbols` and `step_data` are data-only fast paths (no reset, no write)
//! with the same arithmetic (test `fast_path_matches_step`: the same symbols and the same
//! value in every register afterwards as `step`, at every P, with a proptest).
//! `run_symbols` goes through the stream in blocks when neither the DFE nor the adaptation
//! is built (`RxTopModel::run_blocks`: the FFE and the slicer as a pure function of the
//! stream in 16-bit arithmetic, AVX2 where the CPU has it, the CDR's loop filter, phase
//! and lock counters the only sequential part, `CdrModel::run_loop`); no allocation per
//! sample (the blocks are on the stack).
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate` in each block's `new`):
//! `lanes` P in {1, 2, 4, 8, 16}; `dfe_taps` 0 or 1 (1: the DFE decides in place of the
//! slicer, `dfe_reset` its tap's reset value); FFE `n_taps` N in 2 ..= 16 and `reset_coefs` (N Q2.6
//! codes, -128 ..= 127); slicer `thresholds` (3 Q7.1 codes, -128 ..= 127, non-decreasing)
//! and `targets` (4 Q7.1 codes, -128 ..= 127); CDR `cdr` (`kp` 0 ..= 15, `ki` 0 ..= 7,
//! `enable`, `integral`, `kick`, `lock_thr` 0 ..= 255, `lock_max` 0 ..= 255, `reset_phase`
//! 0 ..= 127).
//!
//! **Ports**: `RxTopModel::step(&RxIn) -> RxOut` is one cycle (apply the inputs, clock once,
//! read the outputs after the edge); `run(&[RxIn])` a stimulus; `outputs()` the registers
//! now. `RxIn`: `rst`, `cfg_we`, `cfg_addr`, `cfg_data`, `adc[0..P]`; `RxOut`: per lane `y`,
//! `symbol`, `gray`, `err`, shared `phase` (PI code), `lock`, `freq`; lanes >= P are zero.
//! `step_data(adc)` returns the PI code after the edge.
//!
//! **Formats**: those of the blocks (docs/numerics.md, "Formats"): ADC Q6.0, y Q7.1, err
//! Q8.1, freq signed 20 bits, phase a 7-bit PI code.
//!
//! **Latency**: FFE 6 (`LAT_FFE`) + slicer 1 (`LAT_SLICER`) = 7 (`LAT_TOP`) to the
//! decision, plus CDR 4 (`LAT_CDR`) = 11 to the phase code.
//!
//! **Reset**: `rst` resets every block in the same cycle (configuration registers to
//! `RxParams`, data registers to 0, the CDR phase to `reset_phase << 20`). Power-up
//! (`new`): every register 0, as the RTL's.
//!
//! See also: RTL `hdl/src/rx_top.rs` (`RxTop`), untimed references the three in series
//! (`cporx_model::reference`), spec docs/numerics.md "Samples per clock (lanes)",
//! "Configuration bus", "Reset and power-up", "Latency and cycle convention" and
//! `spec/src/rx_top.rs`, `spec/src/ports.rs`, tests `verif/tests/rx_top.rs` (and
//! `verif/tests/equivalence.rs`, `verif/tests/power_up.rs`).

use super::{AdaptModel, CdrModel, DfeTap, FfeModel, SlicerModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct RxTopModel {
    lanes: usize,
    pub ffe: FfeModel,
    /// the slicer's level and output registers; with the DFE built (`RxParams::dfe_taps`
    /// = 1) the DFE decides into them (`dfe`)
    pub slicer: SlicerModel,
    /// the DFE's tap (and its accumulator), when `RxParams::dfe_taps` = 1
    pub dfe: Option<DfeTap>,
    pub cdr: CdrModel,
    /// the adaptation (LMS, levels, AGC, their registers), when `RxParams::adapt` is `Some`
    pub adapt: Option<AdaptModel>,
    /// the read-back register (`rd_data`)
    pub rd: u32,
}

impl RxTopModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        Ok(RxTopModel {
            lanes: p.lanes,
            ffe: FfeModel::new(p)?,
            slicer: SlicerModel::new(p)?,
            dfe: DfeTap::new(p)?,
            cdr: CdrModel::new(p)?,
            adapt: AdaptModel::new(p)?,
            rd: 0,
        })
    }

    /// The 8-bit pattern of the register at `addr` now (docs/numerics.md, "Configuration
    /// bus": read-back): coefficients, thresholds, targets, the CDR's registers (29 reads
    /// the PI code), the adaptation's and the AGC's; `CFG_GAIN` reads GAIN_UNITY without
    /// the AGC; 0 at unused addresses.
    pub fn read_reg(&self, addr: u32) -> u32 {
        let raw = |v: i32| to_raw(v, CFG_DATA_BITS);
        let a = addr;
        if (a as usize) < self.ffe.n_taps() {
            return raw(self.ffe.c[a as usize].to_bits() as i32);
        }
        if (CFG_THRESH_BASE..CFG_THRESH_BASE + 3).contains(&a) {
            return raw(self.slicer.thr[(a - CFG_THRESH_BASE) as usize]);
        }
        if (CFG_TARGET_BASE..CFG_TARGET_BASE + 4).contains(&a) {
            return raw(self.slicer.tgt[(a - CFG_TARGET_BASE) as usize]);
        }
        let c = &self.cdr;
        match a {
            CFG_KP => c.kp,
            CFG_KI => c.ki,
            CFG_CDR_CTRL => c.ctrl,
            CFG_LOCK_THR => c.lock_thr,
            CFG_LOCK_MAX => c.lock_max,
            CFG_FREQ_LIM => c.freq_lim,
            CFG_PHASE => c.pi_code() as u32,
            CFG_DFE => self.dfe.as_ref().map_or(0, |d| to_raw(d.d, DFE_BITS)),
            _ => match &self.adapt {
                Some(m) => m.read(a).unwrap_or(0),
                None if a == CFG_GAIN => GAIN_UNITY,
                None => 0,
            },
        }
    }

    /// The gain code on the `gain` output.
    #[inline]
    pub fn gain(&self) -> u32 {
        self.adapt.as_ref().map_or(GAIN_UNITY, |a| a.agc.gain)
    }

    /// Samples per clock.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// The FFE output registers before an edge, as Q7.1 codes.
    #[inline(always)]
    fn y_codes(&self) -> [i32; MAX_LANES] {
        let mut y = [0; MAX_LANES];
        for (j, v) in y[..self.lanes].iter_mut().enumerate() {
            *v = self.ffe.y_code(j);
        }
        y
    }

    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn) -> RxOut {
        // Each block samples its upstream registers as they were before this edge.
        let (sym, err) = (self.slicer.symbol, self.slicer.err);
        self.rd = if i.rst { 0 } else { self.read_reg(i.cfg_addr) };
        let (ffe_in, slicer_in) = match &mut self.adapt {
            None => (*i, *i),
            Some(a) => a.step(i, sym[0], err[0]),
        };
        self.cdr.step(i, &sym, &err);
        let y_before = self.y_codes();
        match &mut self.dfe {
            None => self.slicer.step(&slicer_in, &y_before),
            Some(d) => d.step(&mut self.slicer, &slicer_in, &y_before),
        }
        self.ffe.step(&ffe_in);
        self.outputs()
    }

    #[inline]
    pub fn outputs(&self) -> RxOut {
        let mut o = RxOut {
            lane: [LaneOut::default(); MAX_LANES],
            phase: self.cdr.pi_code(),
            lock: self.cdr.lock,
            freq: self.cdr.freq,
            gain: self.gain() as u8,
            rd_data: self.rd as u8,
        };
        for j in 0..self.lanes {
            o.lane[j] = LaneOut {
                y: self.ffe.y_code(j),
                symbol: self.slicer.symbol[j],
                gray: self.slicer.gray[j],
                err: self.slicer.err[j],
            };
        }
        o
    }

    /// A data-only cycle (no reset, no write) of the whole top, for the closed loop: `adc`
    /// holds the P lanes' codes; returns the PI code after the edge (the decided symbols
    /// are in `self.slicer.symbol[..P]`). Same arithmetic as `step`.
    #[inline(always)]
    pub fn step_data(&mut self, adc: &[i32]) -> u8 {
        if self.adapt.is_some() || self.dfe.is_some() {
            let mut i = RxIn::default();
            i.adc[..adc.len()].copy_from_slice(adc);
            return self.step(&i).phase;
        }
        let (sym, err) = (self.slicer.symbol, self.slicer.err);
        // a data cycle reads address 0: coefficient 0
        self.rd = to_raw(self.ffe.c[0].to_bits() as i32, CFG_DATA_BITS);
        self.cdr.step_data(&sym, &err);
        let y_before = self.y_codes();
        self.slicer.step_data(&y_before);
        self.ffe.step_data(adc);
        self.cdr.pi_code()
    }

    pub fn run(&mut self, stim: &[RxIn]) -> Vec<RxOut> {
        stim.iter().map(|i| self.step(i)).collect()
    }

    /// Data-only fast path (no reset, no configuration writes): decide a stream of ADC
    /// codes, P per clock (`adc.len()` a multiple of P), writing the decided symbols into
    /// `symbols` in stream order. Same symbols, and the same state afterwards, as `step`
    /// (test `fast_path_matches_step`).
    ///
    /// Without the DFE and the adaptation (the default top) the stream goes through in
    /// blocks (module "Block fast path" below); otherwise clock by clock (`step_data`).
    pub fn run_symbols(&mut self, adc: &[i8], symbols: &mut [u8]) {
        let p = self.lanes;
        assert!(
            adc.len() % p == 0 && symbols.len() >= adc.len(),
            "rx_top: run_symbols takes whole clocks of P = {p} codes and room for their symbols"
        );
        let clocks = adc.len() / p;
        if self.adapt.is_some()
            || self.dfe.is_some()
            || clocks < BLOCK_MIN_CLOCKS
            || !self.slicer.levels_are_codes()
        {
            self.run_clocks(adc, symbols);
            return;
        }
        self.run_blocks(adc, symbols);
    }

    /// `run_symbols` clock by clock.
    fn run_clocks(&mut self, adc: &[i8], symbols: &mut [u8]) {
        let p = self.lanes;
        let mut blk = [0i32; MAX_LANES];
        for (x, s) in adc.chunks_exact(p).zip(symbols.chunks_exact_mut(p)) {
            for j in 0..p {
                blk[j] = x[j] as i32;
            }
            self.step_data(&blk[..p]);
            s.copy_from_slice(&self.slicer.symbol[..p]);
        }
    }

    /// The block fast path of `run_symbols`.
    ///
    /// With fixed coefficients, thresholds and targets, the FFE and the slicer are a pure
    /// function of the sample stream: counting edges c = 0, 1, .. from the call and samples
    /// s = cP + j in the call's stream, the FFE output register after edge c holds
    /// `F(s - 5P)` and the slicer's after edge c decides it from `F(s - 6P)`, where F is
    /// the FIR of [`FfeModel::fir_block`] (once every register it comes through was loaded
    /// during the call). The CDR's detector register before edge c then holds the detector
    /// outputs of samples (c - 9)P + j, and the lock pipeline's `bad_q` the bad flags of
    /// samples (c - 10)P + j; only the loop filter, phase and lock counters are sequential
    /// ([`CdrModel::run_loop`]). So: the first `BLOCK_MIN_CLOCKS` / 2 clocks go clock by
    /// clock (they read registers loaded before the call), the rest in blocks of decisions
    /// and detector sums, then the sequential loop; at the end every pipeline register is
    /// set by replaying the last clocks on a copy (every such register is a function of the
    /// last 12 + ceil((N-1)/P) clocks' samples alone), and the copy's sequential CDR state
    /// is dropped for the loop's.
    fn run_blocks(&mut self, adc: &[i8], symbols: &mut [u8]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above)
            unsafe { self.run_blocks_avx2(adc, symbols) };
            return;
        }
        self.run_blocks_any(adc, symbols);
    }

    /// [`Self::run_blocks_any`] compiled for AVX2 (the same code: 16 16-bit lanes a step).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_blocks_avx2(&mut self, adc: &[i8], symbols: &mut [u8]) {
        self.run_blocks_any(adc, symbols);
    }

    #[inline(always)]
    fn run_blocks_any(&mut self, adc: &[i8], symbols: &mut [u8]) {
        match self.lanes {
            1 => self.run_blocks_p::<1>(adc, symbols),
            2 => self.run_blocks_p::<2>(adc, symbols),
            4 => self.run_blocks_p::<4>(adc, symbols),
            8 => self.run_blocks_p::<8>(adc, symbols),
            _ => self.run_blocks_p::<16>(adc, symbols),
        }
    }

    #[inline(always)]
    fn run_blocks_p<const P: usize>(&mut self, adc: &[i8], symbols: &mut [u8]) {
        let p = P;
        debug_assert_eq!(p, self.lanes);
        let clocks = adc.len() / p;
        let k0 = BLOCK_MIN_CLOCKS / 2;
        self.run_clocks(&adc[..k0 * p], &mut symbols[..k0 * p]);
        // decisions and errors of samples s_lo .. s_hi of a block, at offset s - s_lo
        // (16 bits: y, thresholds and targets are 8-bit codes, |err| <= 255, |z| <= 1530)
        const BS: usize = 4096;
        const BM: usize = BS + 4 * MAX_LANES + 1;
        let mut y = [0i16; BM];
        let mut d = [0i16; BM];
        let mut e = [0i16; BM];
        let mut zs = [0i16; BM];
        let mut zc = [0i32; BS];
        let mut bc = [0u32; BS];
        // |err| > lock_thr, as a 16-bit compare (lock_thr <= 255 in the register)
        let thr = self.cdr.lock_thr.min(i16::MAX as u32) as i16;
        let per = BS / p; // clocks per block
        let mut c0 = k0;
        while c0 < clocks {
            let c1 = (c0 + per).min(clocks);
            let nc = c1 - c0;
            // samples (c0 - BAD_LAG)P - 1 .. (c1 - SYM_LAG)P
            let s_lo = (c0 - BAD_LAG) * p - 1;
            let s_hi = (c1 - SYM_LAG) * p;
            let m = s_hi - s_lo;
            self.ffe.fir_block(adc, s_lo, &mut y[..m]);
            self.slicer.decide_block(&y[..m], &mut d[..m], &mut e[..m]);
            // the symbols after edges c0 .. c1: decisions of samples (c - 6)P + j
            let o = (c0 - SYM_LAG) * p - s_lo;
            for (s, &v) in symbols[c0 * p..c1 * p].iter_mut().zip(&d[o..o + nc * p]) {
                *s = v as u8;
            }
            // detector outputs, sample by sample (the previous sample is the one before):
            // e A(a1) - e1 A(a), A(s) = 2s - 3
            for i in 1..m {
                zs[i] = e[i] * (2 * d[i - 1] - 3) - e[i - 1] * (2 * d[i] - 3);
            }
            // edge c: detector sum over samples (c - Z_LAG)P + j; bad count over
            // (c - BAD_LAG)P + j
            let oz = (c0 - Z_LAG) * p - s_lo;
            let ob = (c0 - BAD_LAG) * p - s_lo;
            for ((z, b), (zb, eb)) in zc[..nc].iter_mut().zip(&mut bc[..nc]).zip(
                zs[oz..oz + nc * P]
                    .chunks_exact(P)
                    .zip(e[ob..ob + nc * P].chunks_exact(P)),
            ) {
                *z = zb.iter().map(|&v| v as i32).sum();
                *b = eb.iter().map(|v| (v.abs() > thr) as u32).sum();
            }
            self.cdr.run_loop(&zc[..nc], &bc[..nc]);
            c0 = c1;
        }
        // the pipeline registers: replay the last clocks on a copy
        let from = clocks - BLOCK_MIN_CLOCKS / 2;
        self.set_pipeline_from::<P>(&adc[from * p..]);
    }
}

/// What the closed-loop stream path [`RxTopModel::run_closed`] is connected to: the
/// sampler that makes each clock's ADC codes at the PI code the receiver asks for, and the
/// observer of each edge's outputs.
pub trait ClosedLoopIo {
    /// The P ADC codes of each of the next `phases.len()` clocks, into `adc` clock after
    /// clock, clock k sampled at PI code `phases[k]` (the code after the edge before it),
    /// with the amplifier at `gain` (the `gain` output now). Without the AGC several
    /// clocks come in one call, sampled up to `Z_LAG` = 9 clocks ahead of their edges
    /// (the loop's delay allows it); with it, one clock a call.
    fn sample(&mut self, phases: &[u8], gain: u32, adc: &mut [i8]);
    /// The outputs after data edge `clock` (0 the call's first); every clock up to
    /// `clock` has been sampled, and perhaps some after it.
    fn edge(&mut self, clock: u64, o: &EdgeOut<'_>);
}

/// The outputs after one data edge that the closed loop reads ([`ClosedLoopIo::edge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeOut<'a> {
    /// lane j's decided symbol and slicer error (Q8.1)
    pub symbol: &'a [u8],
    pub err: &'a [i32],
    /// the PI code, `lock`, `freq` and the `gain` code
    pub phase: u8,
    pub lock: bool,
    pub freq: i32,
    pub gain: u32,
}

/// Latencies of the stream formulas of `run_blocks` and `run_closed`: at data edge c, the
/// slicer's registers hold the decisions of clock c - `SYM_LAG`'s samples, the CDR's
/// detector register the detector outputs of clock c - `Z_LAG`'s, its lock pipeline the
/// bad flags of clock c - `BAD_LAG`'s (the FFE's 6 cycles to the decision, then the CDR's
/// detector and lock stages).
const SYM_LAG: usize = 6;
const Z_LAG: usize = 9;
const BAD_LAG: usize = 10;
/// Decided clocks kept by the stream path (a power of two above `BAD_LAG + Z_LAG`).
const RING: usize = 32;

/// The stream path's decided clocks, by clock % `RING`: symbols, errors (Q8.1), detector
/// sum and bad count; the detector's previous sample; the levels and the lock threshold.
struct Decided<const P: usize> {
    sym: [[u8; P]; RING],
    err: [[i32; P]; RING],
    zsum: [i32; RING],
    bad: [u32; RING],
    e_prev: i32,
    a_prev: u8,
    thr: [i32; 3],
    tgt: [i32; 4],
    lock_thr: u32,
}

impl<const P: usize> Decided<P> {
    /// Decide clock k, its samples in `buf` from clock `base` on: the FFE's FIR, the
    /// slicer's rule and error, the detector (each sample against the one before it) and
    /// the lock detector's bad flags.
    #[inline(always)]
    fn decide(&mut self, ffe: &FfeModel, k: u64, buf: &[i8], base: u64) {
        let r = k as usize % RING;
        let s0 = (k - base) as usize * P;
        let (mut z, mut b) = (0i32, 0u32);
        for j in 0..P {
            let y = ffe.fir_at(buf, s0 + j);
            let s = crate::slicer::decide(y, &self.thr);
            let e = y - self.tgt[s as usize];
            self.sym[r][j] = s;
            self.err[r][j] = e;
            z += crate::cdr::ted(e, s, self.e_prev, self.a_prev);
            b += (e.unsigned_abs() > self.lock_thr) as u32;
            (self.e_prev, self.a_prev) = (e, s);
        }
        self.zsum[r] = z;
        self.bad[r] = b;
    }
}

impl RxTopModel {
    /// The closed loop, data-only (no reset, no write), for `clocks` clocks: each clock,
    /// `io.sample` makes the P codes at the PI code after the previous edge, the top takes
    /// them, and `io.edge` sees the outputs; the same outputs, and the same state
    /// afterwards, as `step_data` clock by clock (test `closed_stream_matches_step`).
    ///
    /// Without the DFE and the adaptation, and with 8-bit levels, it runs as a stream
    /// after the first `BLOCK_MIN_CLOCKS` / 2 clocks (which read registers loaded before
    /// the call): the phase code after edge c depends only on samples of clocks up to
    /// c - `Z_LAG`, so the CDR's loop filter, phase and lock counters step `Z_LAG` edges
    /// at a time ahead of the samples (`CdrModel::loop_edge`), which gives the PI codes
    /// of the next `Z_LAG` clocks; `io.sample` makes those clocks in one call, and their
    /// samples are decided (FIR, slicer, detector) as a pure function of the stream; no
    /// pipeline register moves. At the end the pipeline registers are set by replaying
    /// the last clocks on a copy, as `run_blocks` does.
    pub fn run_closed(&mut self, clocks: u64, io: &mut impl ClosedLoopIo) {
        match self.lanes {
            1 => self.run_closed_p::<1>(clocks, io),
            2 => self.run_closed_p::<2>(clocks, io),
            4 => self.run_closed_p::<4>(clocks, io),
            8 => self.run_closed_p::<8>(clocks, io),
            _ => self.run_closed_p::<16>(clocks, io),
        }
    }

    #[inline(always)]
    fn closed_clock(&mut self, c: u64, x: &mut [i8], io: &mut impl ClosedLoopIo) {
        let p = self.lanes;
        let mut blk = [0i32; MAX_LANES];
        io.sample(&[self.cdr.pi_code()], self.gain(), x);
        for j in 0..p {
            blk[j] = x[j] as i32;
        }
        let phase = self.step_data(&blk[..p]);
        let o = EdgeOut {
            symbol: &self.slicer.symbol[..p],
            err: &self.slicer.err[..p],
            phase,
            lock: self.cdr.lock,
            freq: self.cdr.freq,
            gain: self.gain(),
        };
        io.edge(c, &o);
    }

    fn run_closed_p<const P: usize>(&mut self, clocks: u64, io: &mut impl ClosedLoopIo) {
        debug_assert_eq!(P, self.lanes);
        let k0 = (BLOCK_MIN_CLOCKS / 2) as u64;
        let mut x = [0i8; MAX_LANES];
        if self.adapt.is_some()
            || self.dfe.is_some()
            || !self.slicer.levels_are_codes()
            || clocks < BLOCK_MIN_CLOCKS as u64
        {
            for c in 0..clocks {
                self.closed_clock(c, &mut x[..P], io);
            }
            return;
        }
        // the samples, by clock from `base` (rolling: the last `KEEP` clocks move to the
        // front when the buffer is full)
        const KEEP: usize = BLOCK_MIN_CLOCKS;
        const CAP: usize = 4096;
        let mut buf = vec![0i8; CAP * P];
        let mut base = 0u64;
        for c in 0..k0 {
            let i = c as usize * P;
            self.closed_clock(c, &mut buf[i..i + P], io);
        }
        let mut d = Decided::<P> {
            sym: [[0; P]; RING],
            err: [[0; P]; RING],
            zsum: [0; RING],
            bad: [0; RING],
            e_prev: 0,
            a_prev: 0,
            thr: self.slicer.thr,
            tgt: self.slicer.tgt,
            lock_thr: self.cdr.lock_thr,
        };
        // clocks k0 - BAD_LAG - 1 .. k0 - 1 (the first only for its last sample, the
        // detector's previous one)
        for k in k0 - BAD_LAG as u64 - 1..k0 {
            d.decide(&self.ffe, k, &buf, base);
        }
        // batches of up to Z_LAG clocks: the CDR's edges c .. c + b first (their detector
        // sums and bad counts come from clocks before c), which gives every PI code the
        // batch samples at; then the samples, their decisions, and the edges' outputs
        const B: usize = Z_LAG;
        let gain = self.gain();
        let mut c = k0;
        while c < clocks {
            let b = ((clocks - c) as usize).min(B);
            if (c - base) as usize + b > CAP {
                let keep = (c - base) as usize - KEEP;
                buf.copy_within(keep * P..(c - base) as usize * P, 0);
                base = c - KEEP as u64;
            }
            let mut ph = [0u8; B + 1];
            let mut lock = [false; B];
            let mut freq = [0i32; B];
            ph[0] = self.cdr.pi_code();
            for i in 0..b {
                let e = c + i as u64;
                let rz = (e - Z_LAG as u64) as usize % RING;
                let rb = (e - BAD_LAG as u64) as usize % RING;
                self.cdr.loop_edge(d.zsum[rz], d.bad[rb]);
                ph[i + 1] = self.cdr.pi_code();
                lock[i] = self.cdr.lock;
                freq[i] = self.cdr.freq;
            }
            let i0 = (c - base) as usize * P;
            io.sample(&ph[..b], gain, &mut buf[i0..i0 + b * P]);
            for i in 0..b as u64 {
                d.decide(&self.ffe, c + i, &buf, base);
            }
            for i in 0..b {
                let e = c + i as u64;
                let r = (e - SYM_LAG as u64) as usize % RING;
                let o = EdgeOut {
                    symbol: &d.sym[r],
                    err: &d.err[r],
                    phase: ph[i + 1],
                    lock: lock[i],
                    freq: freq[i],
                    gain,
                };
                io.edge(e, &o);
            }
            c += b as u64;
        }
        // the pipeline registers: replay the last clocks on a copy
        let from = clocks - k0;
        let s0 = (from - base) as usize * P;
        self.set_pipeline_from::<P>(&buf[s0..(clocks - base) as usize * P]);
    }

    /// The pipeline registers (FFE, slicer, the CDR's detector and lock pipeline, the
    /// read-back) from a replay of the last `BLOCK_MIN_CLOCKS` / 2 clocks' samples `tail`
    /// on a copy; the CDR's sequential registers stay.
    fn set_pipeline_from<const P: usize>(&mut self, tail: &[i8]) {
        let mut r = self.clone();
        let mut blk = [0i32; MAX_LANES];
        for x in tail.chunks_exact(P) {
            for j in 0..P {
                blk[j] = x[j] as i32;
            }
            r.step_data(&blk[..P]);
        }
        let c = &mut self.cdr;
        let q = &r.cdr;
        (c.sd, c.ed, c.a1, c.e1, c.ted) = (q.sd, q.ed, q.a1, q.e1, q.ted);
        (c.bad_f, c.bad_g, c.bad_q) = (q.bad_f, q.bad_g, q.bad_q);
        self.ffe = r.ffe;
        self.slicer = r.slicer;
        self.rd = r.rd;
    }
}

/// Clocks below which `run_symbols` goes clock by clock; half of it runs clock by clock at
/// the start of a block run (every register the block formulas read was then loaded in the
/// call: 10 + ceil(N/P) <= 26 clocks) and half is replayed at its end (>= 12 +
/// ceil((N-1)/P) <= 27 clocks).
const BLOCK_MIN_CLOCKS: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes over the whole ADC range, with stretches pinned at its extremes (-32, 31) and
    /// at 0 (so the FFE saturates, the lock detector sees long runs of large errors and of
    /// none, and windows lock and unlock).
    fn stimulus(n: usize, seed: u32) -> Vec<i8> {
        stimulus_in(n, seed, false)
    }

    /// `wide`: also stretches of codes beyond the 6-bit ADC's range (the model's sample
    /// register holds 8 bits).
    fn stimulus_in(n: usize, seed: u32, wide: bool) -> Vec<i8> {
        let mut x = seed;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut v = Vec::with_capacity(n);
        while v.len() < n {
            let r = next();
            let len = 1 + (r >> 8) as usize % 700;
            match r % if wide { 10 } else { 8 } {
                8 => v.extend(std::iter::repeat(-128).take(len)),
                9 => v.extend((0..len).map(|_| (next() >> 24) as i8)),
                0 => v.extend(std::iter::repeat(31).take(len)),
                1 => v.extend(std::iter::repeat(-32).take(len)),
                2 => v.extend(std::iter::repeat(0).take(len)),
                3 => v.extend((0..len).map(|k| if k % 2 == 0 { 31 } else { -32 })),
                _ => v.extend((0..len).map(|_| ((next() >> 24) % 64) as i8 - 32)),
            }
        }
        v.truncate(n);
        v
    }

    /// `run_symbols` (in pieces of `pieces` clocks) against `step` clock by clock, from the
    /// state after `pre` (reset, then any writes): the same symbols, and afterwards the
    /// same outputs and the same value in every register of every block.
    fn check(p: &RxParams, pre: &[RxIn], adc: &[i8], pieces: &[usize]) {
        let lanes = p.lanes;
        let mut a = RxTopModel::new(p).unwrap();
        for i in pre {
            a.step(i);
        }
        let mut b = a.clone();
        let mut fast = vec![0u8; adc.len()];
        let mut at = 0;
        for &k in pieces.iter().cycle() {
            if at == adc.len() {
                break;
            }
            let len = (k * lanes).min(adc.len() - at);
            a.run_symbols(&adc[at..at + len], &mut fast[at..at + len]);
            at += len;
        }
        let mut slow = Vec::with_capacity(adc.len());
        for blk in adc.chunks(lanes) {
            let i = RxIn::block(&blk.iter().map(|&v| v as i32).collect::<Vec<_>>());
            let o = b.step(&i);
            slow.extend(o.lane[..lanes].iter().map(|l| l.symbol));
        }
        let first = fast.iter().zip(&slow).position(|(x, y)| x != y);
        assert_eq!(first, None, "{p:?}: first differing symbol");
        assert_eq!(a.outputs(), b.outputs(), "{p:?}");
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{p:?}: the registers");
    }

    fn params(lanes: usize) -> Vec<RxParams> {
        let base = RxParams::default().with_lanes(lanes).unwrap();
        let mut v = vec![base.clone()];
        // the ADC extremes through the largest coefficients: the FFE saturates both ways
        let mut q = base.clone();
        q.n_taps = 5;
        q.reset_coefs = vec![-128, 127, -7, 64, 3];
        v.push(q);
        // 16 taps, odd thresholds and targets, a fast loop with every CDR option
        let mut q = base.clone();
        q.n_taps = 16;
        q.reset_coefs = vec![
            3, -17, 127, 90, -128, 5, 0, -1, 44, -60, 12, 7, -9, 100, -3, 1,
        ];
        q.thresholds = [-100, -3, 77];
        q.targets = [-128, -20, 15, 127];
        q.cdr.kp = 15;
        q.cdr.ki = 7;
        q.cdr.lock_thr = 40;
        q.cdr.lock_max = 30;
        q.cdr.freq_limit = 255;
        q.cdr.reset_phase = 127;
        v.push(q);
        // the loop off; then the integral path off with kicks
        let mut q = base.clone();
        q.cdr.enable = false;
        v.push(q);
        let mut q = base.clone();
        q.cdr.integral = false;
        q.cdr.kick = true;
        q.cdr.lock_thr = 5;
        q.cdr.lock_max = 2;
        q.cdr.freq_limit = 0;
        v.push(q);
        v
    }

    #[test]
    fn fast_path_matches_step() {
        let adc = stimulus(40_000 * 4, 99);
        let mut seen = [false; 4];
        for lanes in LEGAL_LANES {
            for (k, p) in params(lanes).iter().enumerate() {
                let n = 40_000 / lanes.min(4) * lanes; // at least 10000 clocks
                let adc = &adc[..n];
                // from reset; then after writes that leave the pipeline mid-flight (a
                // coefficient, a threshold, a target, a phase load and the CDR's gains a
                // clock before the call), and from power-up (no reset)
                let reset = [RxIn::reset()];
                let mut writes = vec![RxIn::reset()];
                writes.extend((0..30).map(|v| RxIn::block(&[v - 15; MAX_LANES])));
                writes.push(RxIn::write(CFG_COEF_BASE + 1, -77, 9));
                writes.push(RxIn::write(CFG_THRESH_BASE + 2, -50, -9));
                writes.push(RxIn::write(CFG_TARGET_BASE, -90, 31));
                writes.push(RxIn::write(CFG_PHASE, 64, -32));
                writes.push(RxIn::write(CFG_KP, 9, 5));
                for pre in [&reset[..], &writes[..], &[][..]] {
                    check(p, pre, adc, &[n / lanes]);
                }
                // in pieces: short ones (clock by clock), block edges, odd lengths
                check(p, &reset, adc, &[63, 64, 1, 4097, 65, 300, 5000]);
                if k == 0 {
                    let mut m = RxTopModel::new(p).unwrap();
                    m.step(&RxIn::reset());
                    let mut out = vec![0u8; n];
                    m.run_symbols(adc, &mut out);
                    for s in out {
                        seen[s as usize] = true;
                    }
                }
            }
        }
        assert_eq!(seen, [true; 4], "every symbol decided");
    }

    /// The stimulus and parameters drive the CDR through what the block path treats apart:
    /// lock decisions both ways, kicks, saturated frequency (white box: if this fails the
    /// test above no longer covers them).
    #[test]
    fn fast_path_stimulus_reaches_the_cdr_corners() {
        let adc = stimulus(200_000, 99);
        let ps = params(1);
        let (mut locks, mut unlocks, mut kicks) = (0, 0, 0);
        for p in &ps {
            let mut m = RxTopModel::new(p).unwrap();
            m.step(&RxIn::reset());
            let mut last = m.cdr.lock;
            for &x in &adc {
                m.step(&RxIn::sample(x as i32));
                kicks += m.cdr.kick_q as u32;
                locks += (m.cdr.lock && !last) as u32;
                unlocks += (!m.cdr.lock && last) as u32;
                last = m.cdr.lock;
            }
        }
        assert!(
            locks > 3 && unlocks > 3 && kicks > 0,
            "{locks} {unlocks} {kicks}"
        );
    }

    /// A sampler whose codes depend on the PI code it is asked for (so the loop is closed
    /// through the stimulus) and a recorder of every edge's outputs.
    struct Loop<'a> {
        adc: &'a [i8],
        at: usize,
        edges: Vec<(u64, Vec<u8>, Vec<i32>, u8, bool, i32, u32)>,
    }
    impl ClosedLoopIo for Loop<'_> {
        fn sample(&mut self, phases: &[u8], _gain: u32, adc: &mut [i8]) {
            let p = adc.len() / phases.len();
            for (x, &phase) in adc.chunks_exact_mut(p).zip(phases) {
                for a in x {
                    *a = self.adc[(self.at + 37 * phase as usize) % self.adc.len()];
                    self.at += 1;
                }
            }
        }
        fn edge(&mut self, c: u64, o: &EdgeOut<'_>) {
            let v = (o.symbol.to_vec(), o.err.to_vec());
            self.edges
                .push((c, v.0, v.1, o.phase, o.lock, o.freq, o.gain));
        }
    }

    /// `run_closed` for `clocks` clocks against `step_data` clock by clock with the same
    /// sampler, from the state after `pre`: the same outputs at every edge, and afterwards
    /// the same value in every register.
    fn check_closed(p: &RxParams, pre: &[RxIn], adc: &[i8], clocks: u64) {
        let mut a = RxTopModel::new(p).unwrap();
        for i in pre {
            a.step(i);
        }
        let mut b = a.clone();
        let mut fast = Loop {
            adc,
            at: 0,
            edges: vec![],
        };
        a.run_closed(clocks, &mut fast);
        let mut slow = Loop {
            adc,
            at: 0,
            edges: vec![],
        };
        let lanes = p.lanes;
        let mut x = vec![0i8; lanes];
        for c in 0..clocks {
            slow.sample(&[b.cdr.pi_code()], b.gain(), &mut x);
            let blk: Vec<i32> = x.iter().map(|&v| v as i32).collect();
            let phase = b.step_data(&blk);
            let o = EdgeOut {
                symbol: &b.slicer.symbol[..lanes],
                err: &b.slicer.err[..lanes],
                phase,
                lock: b.cdr.lock,
                freq: b.cdr.freq,
                gain: b.gain(),
            };
            slow.edge(c, &o);
        }
        assert_eq!(fast.edges.len(), clocks as usize);
        let first = fast.edges.iter().zip(&slow.edges).position(|(x, y)| x != y);
        assert_eq!(
            first,
            None,
            "{p:?}: first differing edge {:?}",
            first.map(|i| (&fast.edges[i], &slow.edges[i]))
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{p:?}: the registers");
    }

    #[test]
    fn closed_stream_matches_step() {
        let adc = stimulus_in(50_000, 5, true);
        for lanes in LEGAL_LANES {
            for p in params(lanes) {
                let mut writes = vec![RxIn::reset()];
                writes.extend((0..30).map(|v| RxIn::block(&[v - 15; MAX_LANES])));
                writes.push(RxIn::write(CFG_COEF_BASE + 1, -77, 9));
                writes.push(RxIn::write(CFG_THRESH_BASE + 2, -50, -9));
                writes.push(RxIn::write(CFG_PHASE, 64, -32));
                writes.push(RxIn::write(CFG_KP, 9, 5));
                // from reset, mid-flight writes and power-up; below the stream's minimum,
                // at it, and past the sample buffer's roll (4096 clocks)
                for pre in [&[RxIn::reset()][..], &writes[..], &[][..]] {
                    for clocks in [10, 63, 64, 9000] {
                        check_closed(&p, pre, &adc, clocks);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Random taps, levels, CDR settings, lanes, stimulus and piece lengths.
        #[test]
        fn fast_path_matches_step_random(
            li in 0usize..5,
            n_taps in 2usize..=16,
            coefs in proptest::collection::vec(-128i32..=127, 16),
            thr in proptest::array::uniform3(-128i32..=127),
            tgt in proptest::array::uniform4(-128i32..=127),
            kp in 0u32..=15, ki in 0u32..=7,
            enable: bool, integral: bool, kick: bool,
            lock_thr in 0u32..=255, lock_max in 0u32..=255,
            seed in 1u32..,
            pieces in proptest::collection::vec(1usize..3000, 1..4),
            wide: bool,
        ) {
            let lanes = LEGAL_LANES[li];
            let mut thr = thr;
            thr.sort();
            let mut p = RxParams::default().with_lanes(lanes).unwrap();
            p.n_taps = n_taps;
            p.reset_coefs = coefs[..n_taps].to_vec();
            p.thresholds = thr;
            p.targets = tgt;
            p.cdr.kp = kp;
            p.cdr.ki = ki;
            p.cdr.enable = enable;
            p.cdr.integral = integral;
            p.cdr.kick = kick;
            p.cdr.lock_thr = lock_thr;
            p.cdr.lock_max = lock_max;
            let adc = stimulus_in(6000 * lanes, seed, wide);
            check(&p, &[RxIn::reset()], &adc, &pieces);
            check_closed(&p, &[RxIn::reset()], &adc, 64 + pieces[0] as u64 * 3);
        }
    }
}

#[cfg(test)]
mod speed {
    use super::*;
    /// `cargo test --release -p cporx-model --lib speed -- --ignored --nocapture`: a quick
    /// figure while working (the reported one is `cporx bench`'s).
    #[test]
    #[ignore]
    fn run_symbols_rate() {
        for lanes in [1, 16] {
            let p = RxParams::default().with_lanes(lanes).unwrap();
            let mut x = 0x1234_5678u32;
            let adc: Vec<i8> = (0..50_000_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    ((x >> 8) % 64) as i8 - 32
                })
                .collect();
            let mut m = RxTopModel::new(&p).unwrap();
            m.step(&RxIn::reset());
            let mut s = vec![0u8; adc.len()];
            let t = std::time::Instant::now();
            m.run_symbols(&adc, &mut s);
            let dt = t.elapsed().as_secs_f64();
            println!(
                "P = {lanes}: {:.1} M symbols/s",
                adc.len() as f64 / dt / 1e6
            );
        }
    }
}
