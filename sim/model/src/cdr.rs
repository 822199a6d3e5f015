//! CDR model: the bit-exact, cycle-accurate model of the baud-rate CDR, written against
//! docs/numerics.md, "CDR". Inputs are the slicer's registered outputs (`symbol`, `err`);
//! outputs are the PI code, the lock flag and the frequency register.
//!
//! * detector (Mueller-Muller type A on the slicer error, exact Q11.1), per lane:
//!   `z[k] = e[k] * A(a[k-1]) - e[k-1] * A(a[k])`, `A(s) = 2s - 3` in {-3, -1, 1, 3}
//!   (lane 0's previous sample is the previous clock's lane P-1); the detector register
//!   holds the sums of TED_GROUP consecutive lanes, and the loop uses their sum zs, the
//!   sum of the clock's P detector outputs (the decimated loop: one update per clock).
//! * loop filter and phase, two register stages after the detector register:
//!
//!   ```text
//!   pf    <- ((zs << kp) + (freq << log2 P)) mod 2^27   (every cycle)
//!   inc   <- zs << ki                               (every cycle; exact in 24 bits)
//!   freq  <- clamp(freq + inc, lo, hi)              when enabled and the integral path is on,
//!            (lo, hi) = freq_bounds(freq_lim): -(L+1) 2^11 ..= (L+1) 2^11 - 1
//!   phase <- (phase + pf) mod 2^27, bit 26 flipped on a kick    when enabled (modular)
//!   ```
//! * PI code = phase >> PHASE_FRAC (7 bits, 128 steps per UI).
//!   Per UI the gains are those of the one-lane loop (kp and ki weigh each detector
//!   output once; freq is per UI, so a clock of P UI advances the phase by P * freq).
//! * lock detector: per 256-UI window (256/P clocks), bad = #{ |err| > lock_thr } over
//!   every lane; lock <- (bad <= lock_max), pipelined: per-lane bad flags, per-group counts,
//!   the clock's count, the window count (registered at the window's last clock), then the
//!   decision at the next edge: window w is edges wW .. wW+W-1 (W = 256/P, edges counted
//!   from the reset or power-up), counts the detector inputs of edges wW-3 .. wW+W-4, and
//!   `lock` moves at edge (w+1)W (docs/numerics.md, "Lock detector and kick: timing").
//! * false-lock escape: when the KICK_WINDOWS-th consecutive window without lock is
//!   decided, if ctrl.kick and the CDR is still acquiring (no lock since the last reset or
//!   phase load), a kick pulse is registered and the phase moves by half a UI at the next
//!   edge (if ctrl.enable then; else the kick is lost). ctrl.kick and the acquiring flag
//!   are sampled at the decision edge (their values before it).
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `CdrModel::new` calls on
//! the whole set): `lanes` P in {1, 2, 4, 8, 16}; the reset values `cdr` (`CdrParams`):
//! `kp` 0 ..= 15, `ki` 0 ..= 7, `enable`, `integral`, `kick` (ctrl bits 0, 1, 2),
//! `lock_thr` 0 ..= 255, `lock_max` 0 ..= 255, `reset_phase` 0 ..= 127, `freq_limit` 0 ..= 255.
//!
//! **Ports**: `CdrModel::step(&RxIn, symbol, err)` is one clock edge with `rst`, `cfg_we`,
//! `cfg_addr`, `cfg_data` (kp 24, ki 25, ctrl 26, lock_thr 27, lock_max 28, phase load 29,
//! frequency range 36;
//! bits above a register's width ignored) and the slicer's P lanes' `symbol` (0 ..= 3) and
//! `err` (Q8.1 codes) as they are before the edge; `step_data(symbol, err)` is the same edge
//! without reset or write. Outputs: `pi_code()` (7 bits), `lock`, `freq` (and every other
//! register as a public field).
//!
//! **Formats** (docs/numerics.md, "Formats"): z Q11.1, |z| <= 1530; zs exact (16 bits in the
//! RTL); increment exact in 24 bits; phase 27 bits unsigned modular (7-bit PI code + 20
//! fraction bits); freq signed 20 bits, saturating at the range register's bounds.
//!
//! **Latency**: 4 cycles (`cporx_spec::LAT_CDR`): detector registers (D1: the slicer
//! outputs; D2: z), pf/inc registers, phase register.
//!
//! **Reset**: `rst` (priority over a write in the same cycle) sets the configuration
//! registers to `RxParams::cdr`, the phase to `reset_phase << 20` and the acquiring flag to
//! 1, and clears the rest. Power-up (`new`): every register 0, as the RTL's.
//!
//! See also: RTL `hdl/src/cdr.rs` (`Cdr`), untimed reference
//! `cporx_model::reference::cdr_ref`, spec docs/numerics.md "CDR (clock and data recovery)"
//! and `spec/src/cdr.rs`, tests `verif/tests/cdr.rs` (and `sim/model/tests/reference.rs`;
//! model tests `lock_window_edges`, `kick_timing_and_sampling`).

use cporx_spec::*;

const PHASE_MASK: u32 = (1u32 << PHASE_BITS) - 1;

/// The PAM-4 decision as a level: A(s) = 2s - 3.
#[inline(always)]
pub fn level(symbol: u8) -> i32 {
    2 * (symbol & 3) as i32 - 3
}

/// The Mueller-Muller detector output for the current (e, a) and previous (e1, a1) decisions.
#[inline(always)]
pub fn ted(err: i32, symbol: u8, e1: i32, a1: u8) -> i32 {
    err * level(a1) - e1 * level(symbol)
}

#[derive(Clone, Debug)]
pub struct CdrModel {
    reset: CdrParams,
    lanes: usize,
    lanes_log2: u32,
    /// last clock of a lock window: 2^LOCK_WIN_LOG2 / P - 1
    win_last: u32,
    // configuration registers
    pub kp: u32,
    pub ki: u32,
    pub ctrl: u32,
    pub lock_thr: u32,
    pub lock_max: u32,
    /// frequency range register L (`CFG_FREQ_LIM`)
    pub freq_lim: u32,
    // state
    /// detector stage D1: this cycle's decision and error per lane, and the previous
    /// cycle's last lane
    pub sd: [u8; MAX_LANES],
    pub ed: [i32; MAX_LANES],
    pub a1: u8,
    pub e1: i32,
    /// detector register: group sums of TED_GROUP lanes' z (Q11.1 each)
    pub ted: [i32; MAX_LANES / TED_GROUP],
    /// integral register, phase-accumulator LSBs per UI
    pub freq: i32,
    /// phase accumulator, PHASE_BITS bits, unsigned modular
    pub phase: u32,
    pub win: u32,
    pub bad: u32,
    pub lock: bool,
    /// consecutive unlocked windows (KICK_CNT_BITS)
    pub unl: u32,
    /// acquiring: no lock yet since the last reset or phase load (kicks allowed)
    pub acq: bool,
    /// loop-filter pipeline: (zs << kp) + (freq << log2 P), modular 27 bits; zs << ki
    pub pf: u32,
    pub inc: i32,
    /// lock pipeline: this sample is bad; window total and its valid flag; kick pulse
    pub bad_q: u32,
    /// lock pipeline, first stages: each lane's bad flag, then each lane group's count
    pub bad_f: [bool; MAX_LANES],
    pub bad_g: [u32; MAX_LANES / TED_GROUP],
    pub cnt_done: u32,
    pub done: bool,
    pub kick_q: bool,
}

impl CdrModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        // Power-up: every register 0, as the RTL's initial values.
        Ok(CdrModel {
            reset: p.cdr.clone(),
            lanes: p.lanes,
            lanes_log2: p.lanes_log2() as u32,
            win_last: ((1 << LOCK_WIN_LOG2) / p.lanes - 1) as u32,
            kp: 0,
            ki: 0,
            ctrl: 0,
            lock_thr: 0,
            lock_max: 0,
            freq_lim: 0,
            sd: [0; MAX_LANES],
            ed: [0; MAX_LANES],
            a1: 0,
            e1: 0,
            ted: [0; MAX_LANES / TED_GROUP],
            freq: 0,
            phase: 0,
            win: 0,
            bad: 0,
            lock: false,
            unl: 0,
            acq: false,
            pf: 0,
            inc: 0,
            bad_q: 0,
            bad_f: [false; MAX_LANES],
            bad_g: [0; MAX_LANES / TED_GROUP],
            cnt_done: 0,
            done: false,
            kick_q: false,
        })
    }

    /// The PI code driven to the sampler.
    #[inline(always)]
    pub fn pi_code(&self) -> u8 {
        (self.phase >> PHASE_FRAC) as u8
    }

    /// One clock edge; `symbol` and `err` are the slicer's P lanes' outputs before the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn, symbol: &[u8], err: &[i32]) {
        if i.rst {
            let r = &self.reset;
            self.kp = r.kp;
            self.ki = r.ki;
            self.ctrl = r.ctrl();
            self.lock_thr = r.lock_thr;
            self.lock_max = r.lock_max;
            self.freq_lim = r.freq_limit;
            self.sd = [0; MAX_LANES];
            self.ed = [0; MAX_LANES];
            self.a1 = 0;
            self.e1 = 0;
            self.ted = [0; MAX_LANES / TED_GROUP];
            self.freq = 0;
            self.phase = r.reset_phase << PHASE_FRAC;
            self.win = 0;
            self.bad = 0;
            self.lock = false;
            self.unl = 0;
            self.acq = true;
            self.pf = 0;
            self.inc = 0;
            self.bad_q = 0;
            self.bad_f = [false; MAX_LANES];
            self.bad_g = [0; MAX_LANES / TED_GROUP];
            self.cnt_done = 0;
            self.done = false;
            self.kick_q = false;
            return;
        }
        self.step_data(symbol, err);
        if i.cfg_we {
            let d = to_raw(i.cfg_data, CFG_DATA_BITS);
            match i.cfg_addr {
                CFG_KP => self.kp = d & ((1 << KP_BITS) - 1),
                CFG_KI => self.ki = d & ((1 << KI_BITS) - 1),
                CFG_CDR_CTRL => self.ctrl = d & 7,
                CFG_LOCK_THR => self.lock_thr = d,
                CFG_LOCK_MAX => self.lock_max = d,
                CFG_FREQ_LIM => self.freq_lim = d & ((1 << FREQ_LIM_BITS) - 1),
                CFG_PHASE => {
                    self.phase = (d & ((1 << PI_BITS) - 1)) << PHASE_FRAC;
                    self.acq = true;
                }
                _ => {}
            }
        }
    }

    /// The loop filter, phase, lock and kick registers (the sequential part of
    /// [`Self::step_data`]) over data-only edges whose detector sum and bad count are known
    /// in advance: at edge c, `z[c]` is the sum of the detector register `ted` before the
    /// edge and `bad_q[c]` the lock pipeline's `bad_q` before it. Updates `kick_q`, `done`,
    /// `cnt_done`, `unl`, `acq`, `lock`, `win`, `bad`, `pf`, `inc`, `phase`, `freq` exactly as
    /// `step_data` would; the detector and lock pipeline registers (`sd`, `ed`, `a1`, `e1`,
    /// `ted`, `bad_f`, `bad_g`, `bad_q`) are left to the caller (for the block fast path of
    /// `RxTopModel::run_symbols`, which sets them from the stream's last clocks).
    pub fn run_loop(&mut self, z: &[i32], bad_q: &[u32]) {
        assert_eq!(z.len(), bad_q.len(), "cdr: run_loop inputs");
        match (self.ctrl & 1 != 0, self.ctrl & 2 != 0) {
            (false, _) => self.run_loop_as::<false, false>(z, bad_q),
            (true, false) => self.run_loop_as::<true, false>(z, bad_q),
            (true, true) => self.run_loop_as::<true, true>(z, bad_q),
        }
    }

    /// The lock detector's third stage (state before the edge): at a window's decision
    /// edge, the lock decision from the registered count and the unlock-window count;
    /// returns whether the false-lock kick fires at the next edge. Shared by the per-clock
    /// step and the block loop.
    #[inline(always)]
    fn lock_stage(&mut self) -> bool {
        let mut kick_next = false;
        if self.done {
            let lock = self.cnt_done <= self.lock_max;
            if lock {
                self.unl = 0;
                self.acq = false;
            } else if self.unl == KICK_WINDOWS as u32 - 1 {
                kick_next = self.acq && self.ctrl & 4 != 0;
                self.unl = 0;
            } else {
                self.unl += 1;
            }
            self.lock = lock;
        }
        kick_next
    }

    /// One edge of [`Self::run_loop`] (the same registers, the same arithmetic), `z` the
    /// detector register's sum and `bad_q` the lock pipeline's count before the edge: the
    /// sequential part of [`Self::step_data`], and the edge of `RxTopModel::run_closed`,
    /// which learns each edge's sum and count one clock at a time.
    #[inline(always)]
    pub fn loop_edge(&mut self, z: i32, bad_q: u32) {
        let (lo, hi) = freq_bounds(self.freq_lim);
        match (self.ctrl & 1 != 0, self.ctrl & 2 != 0) {
            (false, _) => self.edge_rule::<false, false>(z, bad_q, lo, hi),
            (true, false) => self.edge_rule::<true, false>(z, bad_q, lo, hi),
            (true, true) => self.edge_rule::<true, true>(z, bad_q, lo, hi),
        }
    }

    /// The whole sequential rule of one data edge (lock stages, window count, loop filter,
    /// phase, frequency), `z` the detector sum and `bq` the bad count before the edge.
    #[inline(always)]
    fn edge_rule<const EN: bool, const INTEG: bool>(&mut self, z: i32, bq: u32, lo: i32, hi: i32) {
        // lock detector stage 3: the lock decision from the count registered at the
        // window's end, and the false-lock kick pulse (applied to the phase at the next
        // edge)
        let kick = self.kick_q;
        let kick_next = self.lock_stage();
        // stage 2: count the bad samples of the window; at its last UI, register the total
        if self.win == self.win_last {
            self.cnt_done = self.bad + bq;
            self.bad = 0;
            self.done = true;
            self.win = 0;
        } else {
            self.bad += bq;
            self.done = false;
            self.win += 1;
        }
        self.kick_q = kick_next;
        // loop filter and phase
        let pf_next = ((z << self.kp) as u32).wrapping_add((self.freq as u32) << self.lanes_log2)
            & PHASE_MASK;
        // |zs << ki| <= 16 * 1530 << 7 < 2^23: exact in INC_BITS
        let inc_next = z << self.ki;
        if EN {
            let mut phase = self.phase.wrapping_add(self.pf);
            if kick {
                // + 2^26 modulo 2^27: flips the top bit
                phase ^= 1 << (PHASE_BITS - 1);
            }
            if INTEG {
                self.freq = (self.freq + self.inc).clamp(lo, hi);
            }
            self.phase = phase & PHASE_MASK;
        }
        self.pf = pf_next;
        self.inc = inc_next;
    }

    fn run_loop_as<const EN: bool, const INTEG: bool>(&mut self, z: &[i32], bq: &[u32]) {
        let (lo, hi) = freq_bounds(self.freq_lim);
        let (kp, ki, lg) = (self.kp, self.ki, self.lanes_log2);
        let mut c = 0;
        while c < z.len() {
            if self.done || self.kick_q || self.win == self.win_last {
                // a window's last edge, its decision edge or a kick edge: the whole rule
                self.edge_rule::<EN, INTEG>(z[c], bq[c], lo, hi);
                c += 1;
                continue;
            }
            // edges inside a window (no decision, no kick): count, and run the loop filter
            let r = ((self.win_last - self.win) as usize).min(z.len() - c);
            let (zs, bs) = (&z[c..c + r], &bq[c..c + r]);
            self.bad += bs.iter().sum::<u32>();
            self.win += r as u32;
            let (mut phase, mut freq, mut pf, mut inc) = (self.phase, self.freq, self.pf, self.inc);
            for &zz in zs {
                let pf_next = ((zz << kp) as u32).wrapping_add((freq as u32) << lg) & PHASE_MASK;
                let inc_next = zz << ki;
                if EN {
                    phase = phase.wrapping_add(pf) & PHASE_MASK;
                    if INTEG {
                        freq = (freq + inc).clamp(lo, hi);
                    }
                }
                pf = pf_next;
                inc = inc_next;
            }
            (self.phase, self.freq, self.pf, self.inc) = (phase, freq, pf, inc);
            c += r;
        }
    }

    /// A data-only clock edge (no reset, no write): the same arithmetic as [`Self::step`].
    #[inline(always)]
    pub fn step_data(&mut self, symbol: &[u8], err: &[i32]) {
        // the lane count as a constant: the lane loops unroll
        match self.lanes {
            1 => self.step_data_p::<1>(symbol, err),
            2 => self.step_data_p::<2>(symbol, err),
            4 => self.step_data_p::<4>(symbol, err),
            8 => self.step_data_p::<8>(symbol, err),
            _ => self.step_data_p::<16>(symbol, err),
        }
    }

    #[inline(always)]
    fn step_data_p<const P: usize>(&mut self, symbol: &[u8], err: &[i32]) {
        debug_assert_eq!(P, self.lanes);
        let lanes = P;
        // the sequential part (lock detector stages 3 and 2, loop filter, phase,
        // frequency), from the registers before this edge: the detector register's sum
        // and the lock pipeline's count (`edge_rule`, shared with the block paths)
        let z: i32 = self.ted[..lanes.div_ceil(TED_GROUP)].iter().sum();
        self.loop_edge(z, self.bad_q);
        // 1c: how many of the clock's samples were bad (sum of the group counts)
        self.bad_q = self.bad_g[..lanes.div_ceil(TED_GROUP)].iter().sum();
        // 1b: the bad flags counted per lane group
        let mut g = [0u32; MAX_LANES / TED_GROUP];
        for j in 0..lanes {
            g[j / TED_GROUP] += self.bad_f[j] as u32;
        }
        self.bad_g = g;
        // 1a: is each of this clock's samples bad
        for j in 0..lanes {
            self.bad_f[j] = err[j].unsigned_abs() > self.lock_thr;
        }
        // detector, two stages: D1 registers the slicer's outputs (the RTL registers
        // +-e and +-3e of them, the same information), D2 the group sums of the detector
        // outputs; lane 0's previous sample is the previous clock's last lane
        self.ted = [0; MAX_LANES / TED_GROUP];
        let (mut e_prev, mut a_prev) = (self.e1, self.a1);
        for j in 0..lanes {
            self.ted[j / TED_GROUP] += ted(self.ed[j], self.sd[j], e_prev, a_prev);
            (e_prev, a_prev) = (self.ed[j], self.sd[j]);
        }
        self.a1 = a_prev;
        self.e1 = e_prev;
        self.sd[..lanes].copy_from_slice(&symbol[..lanes]);
        self.ed[..lanes].copy_from_slice(&err[..lanes]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset(p: &RxParams) -> CdrModel {
        let mut m = CdrModel::new(p).unwrap();
        m.step(&RxIn::reset(), &[0], &[0]);
        m
    }

    #[test]
    fn detector_sign_and_extremes() {
        // late sampling: current error carries the previous symbol's post-cursor sign...
        assert_eq!(ted(10, 3, 0, 3), 30);
        assert_eq!(ted(0, 3, 10, 0), -30);
        // extremes stay inside TED_BITS
        let (lo, hi) = signed_range(TED_BITS);
        for (e, s, e1, a1) in [(255, 0, -255, 0), (-255, 0, 255, 0), (255, 3, -255, 3)] {
            let z = ted(e, s, e1, a1);
            assert!(z >= lo && z <= hi, "{z}");
        }
        assert_eq!(ted(-255, 0, 255, 0).abs(), 1530);
    }

    #[test]
    fn phase_moves_by_shifted_detector_and_wraps() {
        let mut p = RxParams::default();
        p.cdr.kp = 15;
        p.cdr.ki = 7;
        p.cdr.reset_phase = 0;
        p.cdr.freq_limit = 255; // the full range: the increment below is beyond the default's
        let mut m = reset(&p);
        assert_eq!(m.pi_code(), 0);
        m.step_data(&[3], &[255]); // D1 registers e = 255, a = 3
        m.step_data(&[3], &[0]); // D2 registers z = 255 * A(0) - 0 = -765
        assert_eq!((m.ted[0], m.pi_code()), (-765, 0));
        m.step_data(&[3], &[0]); // pf = -765 << 15, inc = -765 << 7; z = -255 * A(3) = -765
        assert_eq!(
            (m.pf as i64, m.inc),
            ((-765i64 << 15) & 0x7ff_ffff, -765 << 7)
        );
        assert_eq!((m.phase, m.freq), (0, 0));
        m.step_data(&[3], &[0]); // phase += pf; freq += inc; pf = (-765 << 15) + 0
        assert_eq!(m.freq, -765 << 7);
        m.step_data(&[3], &[0]); // phase += pf again; pf now includes freq
        let expect = (-2 * (765i64 << 15)).rem_euclid(1 << PHASE_BITS);
        assert_eq!(m.phase as i64, expect);
        assert_eq!(m.pi_code(), (expect >> PHASE_FRAC) as u8); // wrapped below 0 to code 80
        assert_eq!(m.pi_code(), 80);
    }

    #[test]
    fn frequency_register_saturates() {
        let mut p = RxParams::default();
        p.cdr.ki = 7;
        p.cdr.kp = 0;
        let mut m = reset(&p);
        // a constant maximal increment pushes freq to its bound, never past it (white box:
        // the increment register is forced before each edge)
        for _ in 0..100 {
            m.inc = 1530 << 7;
            m.step_data(&[0], &[0]);
        }
        // the default range: +-(26 + 1) 2^11
        assert_eq!(m.freq, 27 * 2048 - 1);
        for _ in 0..100 {
            m.inc = -1530 << 7;
            m.step_data(&[0], &[0]);
        }
        assert_eq!(m.freq, -27 * 2048);
        // the full range (L = 255) is the 20-bit register's, never wrapped
        m.step(
            &RxIn::write(CFG_FREQ_LIM, 255u8 as i8 as i32, 0),
            &[0],
            &[0],
        );
        assert_eq!(m.freq_lim, 255);
        for _ in 0..100 {
            m.inc = 1530 << 7;
            m.step_data(&[0], &[0]);
        }
        assert_eq!(m.freq, (1 << (FREQ_BITS - 1)) - 1);
        for _ in 0..100 {
            m.inc = -1530 << 7;
            m.step_data(&[0], &[0]);
        }
        assert_eq!(m.freq, -(1 << (FREQ_BITS - 1)));
    }

    /// The range register: a write narrows the bounds, and a register beyond them is
    /// brought inside at the next integral update (not at the write); L = 0 is +-2^11.
    #[test]
    fn frequency_range_register_bounds_the_integral_path() {
        let mut p = RxParams::default();
        p.cdr.kp = 0;
        p.cdr.freq_limit = 255;
        let mut m = reset(&p);
        m.freq = 300_000;
        m.step(&RxIn::write(CFG_FREQ_LIM, 0, 0), &[0], &[0]);
        // the write's edge itself used the old range (the write lands at that edge)
        assert_eq!((m.freq_lim, m.freq), (0, 300_000));
        m.inc = 0;
        m.step_data(&[0], &[0]);
        assert_eq!(m.freq, 2047);
        m.inc = -5000;
        m.step_data(&[0], &[0]);
        assert_eq!(m.freq, -2048);
        // with the integral path off nothing moves it
        m.step(&RxIn::write(CFG_CDR_CTRL, 1, 0), &[0], &[0]);
        m.freq = 9999;
        m.inc = 0;
        m.step_data(&[0], &[0]);
        assert_eq!(m.freq, 9999);
        assert_eq!(freq_bounds(26), (-55296, 55295));
        assert!((freq_bounds(26).1 as f64 * PPM_PER_FREQ_LSB - 412.0).abs() < 0.5);
    }

    /// Step `m` with these slicer errors (symbol 0); the lock flag after each edge.
    fn drive(m: &mut CdrModel, errs: impl IntoIterator<Item = i32>) -> Vec<bool> {
        errs.into_iter()
            .map(|e| {
                m.step_data(&[0], &[e]);
                m.lock
            })
            .collect()
    }

    #[test]
    fn lock_rule() {
        let mut p = RxParams::default();
        p.cdr.integral = false;
        p.cdr.kp = 0;
        p.cdr.lock_thr = 10;
        p.cdr.lock_max = 3;
        let mut m = reset(&p);
        // window 1 (edges 0..255, holding the samples of 3 edges earlier: flag, group count
        // and clock count registers): 3 samples with |err| > 10 -> lock, decided at edge
        // 256 (window count register, then the decision)
        let l = drive(
            &mut m,
            (0..512).map(|k| if (10..13).contains(&k) { 11 } else { 10 }),
        );
        assert!(!l[255] && l[256], "lock rises at edge 256");
        assert!(l[256..].iter().all(|&x| x));
        assert!(!m.acq, "the first lock ends acquisition");
        // window 3: 4 bad samples (|err| = 11, negative) -> unlock at edge 768
        let l = drive(
            &mut m,
            (512..1024).map(|k| if (600..604).contains(&k) { -11 } else { -10 }),
        );
        assert!(l[767 - 512] && !l[768 - 512], "lock falls at edge 768");
    }

    /// Run `windows` windows of constant error 100 (all bad, z = 0 after the first UIs);
    /// return the phase after each. (`lock` lags a window by 2 edges, so it is not checked.)
    fn unlocked_windows(m: &mut CdrModel, windows: usize) -> Vec<u32> {
        (0..windows)
            .map(|_| {
                drive(m, [100; 256]);
                m.phase
            })
            .collect()
    }

    #[test]
    fn kick_after_four_unlocked_windows_while_acquiring_only() {
        let mut p = RxParams::default();
        p.cdr.integral = false;
        p.cdr.kp = 0;
        p.cdr.lock_thr = 10;
        p.cdr.lock_max = 3;
        p.cdr.reset_phase = 5;
        let mut m = reset(&p);
        let ph = unlocked_windows(&mut m, 9);
        // (the first UIs move the phase a little: z != 0 while e steps from 0 to 100)
        let start = ph[0];
        let half = 1 << (PHASE_BITS - 1);
        // the 4th unlocked window is decided at edge 1024; the kick lands at edge 1025
        assert_eq!(&ph[..4], &[start; 4]);
        assert_eq!(
            &ph[4..8],
            &[start ^ half; 4],
            "one kick after 4 unlocked windows"
        );
        assert_eq!(ph[8], start, "and another after 4 more");
        // one locked window ends acquisition: no more kicks
        drive(&mut m, [0; 512]);
        assert!(m.lock && !m.acq);
        let ph = unlocked_windows(&mut m, 8);
        assert!(ph.iter().all(|&x| x == ph[0]), "{ph:?}");
        // a phase load re-arms it
        m.step(&RxIn::write(CFG_PHASE, 9, 0), &[0], &[100]);
        assert!(m.acq);
        let ph = unlocked_windows(&mut m, 5);
        assert_ne!(ph[4], ph[0]);
        assert_eq!(ph[4] ^ ph[0], half);
        // with ctrl.kick clear, never
        let mut p2 = p.clone();
        p2.cdr.kick = false;
        let mut m = reset(&p2);
        let ph = unlocked_windows(&mut m, 9);
        assert!(ph.iter().all(|&x| x == ph[0]));
    }

    /// Lock windows (docs/numerics.md, "Lock detector and kick: timing"): edges are
    /// numbered from the first edge after the reset; window w is edges wW .. wW+W-1 and
    /// counts the detector inputs of edges wW-3 .. wW+W-4; its decision lands at edge
    /// (w+1)W. A bad input at edge 252 falls in window 0, one at edge 253 in window 1.
    #[test]
    fn lock_window_edges() {
        let mut p = RxParams::default();
        p.cdr.integral = false;
        p.cdr.kp = 0;
        p.cdr.lock_thr = 10;
        p.cdr.lock_max = 0;
        for (bad_at, window) in [(0, 0), (252, 0), (253, 1), (508, 1), (509, 2)] {
            let mut m = reset(&p);
            let l = drive(&mut m, (0..800).map(|k| if k == bad_at { 11 } else { 0 }));
            let decided: Vec<bool> = [256, 512, 768].iter().map(|&e| l[e]).collect();
            let mut want = vec![true; 3];
            want[window] = false;
            assert_eq!(decided, want, "bad input at edge {bad_at}");
            // lock holds its value between decisions
            assert_eq!(l[255], false);
            assert!((257..512).all(|e| l[e] == l[256]) && (513..768).all(|e| l[e] == l[512]));
        }
    }

    /// Step `m` over `errs` (symbol 0) with a configuration write at some edges; the
    /// phase after each edge.
    fn drive_writes(m: &mut CdrModel, errs: &[i32], writes: &[(usize, u32, i32)]) -> Vec<u32> {
        (0..errs.len())
            .map(|k| {
                let i = match writes.iter().find(|w| w.0 == k) {
                    Some(&(_, a, d)) => RxIn::write(a, d, 0),
                    None => RxIn::default(),
                };
                m.step(&i, &[0], &errs[k..k + 1]);
                m.phase
            })
            .collect()
    }

    /// The kick's timing and the values it samples (docs/numerics.md): the fourth
    /// unlocked window is decided at edge 4W = 1024, which samples ctrl.kick and the
    /// acquiring flag as they are before it; the phase moves at edge 1025 if ctrl.enable
    /// is set before that edge, else the kick is lost. A phase load does not restart the
    /// unlocked-window count; a phase load at a locking decision edge leaves the CDR
    /// acquiring.
    #[test]
    fn kick_timing_and_sampling() {
        let mut p = RxParams::default();
        p.cdr.integral = false;
        p.cdr.kp = 0;
        p.cdr.lock_thr = 10;
        p.cdr.lock_max = 3;
        let half = 1 << (PHASE_BITS - 1);
        let errs = vec![100; 2100];
        // the kick lands at edge 1025, one edge after the decision
        let ph = drive_writes(&mut reset(&p), &errs, &[]);
        assert_eq!(ph[1024], ph[1000]);
        assert_eq!(ph[1025], ph[1024] ^ half);
        assert_eq!(ph[2049], ph[2048] ^ half, "and 4 windows later");
        // ctrl.kick cleared by a write at the decision edge: too late, the kick happens
        let ph = drive_writes(&mut reset(&p), &errs, &[(1024, CFG_CDR_CTRL, 1)]);
        assert_eq!(ph[1025], ph[1024] ^ half);
        // ... one edge earlier: no kick
        let ph = drive_writes(&mut reset(&p), &errs, &[(1023, CFG_CDR_CTRL, 1)]);
        assert_eq!(ph[1025], ph[1024]);
        // the loop disabled at the decision edge (so before the kick edge): the kick is
        // lost, not deferred; re-enabled, the next kick comes 4 windows later
        let ph = drive_writes(
            &mut reset(&p),
            &errs,
            &[(1024, CFG_CDR_CTRL, 4), (1100, CFG_CDR_CTRL, 5)],
        );
        assert_eq!(ph[1025], ph[1024]);
        assert!((1101..2049).all(|e| ph[e] == ph[1101]));
        assert_eq!(ph[2049], ph[2048] ^ half);
        // a phase load at the kick edge wins: the loaded code, no half UI
        let ph = drive_writes(&mut reset(&p), &errs, &[(1025, CFG_PHASE, 9)]);
        assert_eq!(ph[1025], 9 << PHASE_FRAC);
        // a phase load during the count does not restart it: the kick still lands at 1025
        let ph = drive_writes(&mut reset(&p), &errs, &[(900, CFG_PHASE, 9)]);
        assert_eq!(ph[900], 9 << PHASE_FRAC);
        assert_eq!(ph[1025], ph[1024] ^ half);
        // a phase load at the edge of a locking decision: lock, and still acquiring
        let mut m = reset(&p);
        drive_writes(&mut m, &[0; 256], &[]);
        m.step(&RxIn::write(CFG_PHASE, 3, 0), &[0], &[0]);
        assert!(m.lock && m.acq);
        let mut m = reset(&p);
        drive_writes(&mut m, &[0; 257], &[]);
        assert!(m.lock && !m.acq);
    }

    /// Power-up (no reset): every register 0, so lock_thr = lock_max = 0, the loop
    /// disabled, not acquiring; window 0 starts at the first edge.
    #[test]
    fn power_up_state_is_zero_and_locks_on_zero_errors() {
        let mut m = CdrModel::new(&RxParams::default()).unwrap();
        assert_eq!(
            (m.kp, m.ki, m.ctrl, m.lock_thr, m.lock_max, m.freq_lim),
            (0, 0, 0, 0, 0, 0)
        );
        assert!(!m.acq && !m.lock && m.phase == 0);
        let l = drive(&mut m, [0; 300]);
        assert!(!l[255] && l[256]);
        let mut m = CdrModel::new(&RxParams::default()).unwrap();
        let l = drive(&mut m, (0..300).map(|k| if k == 100 { 1 } else { 0 }));
        assert!(!l[256], "|err| = 1 > lock_thr = 0 is bad");
    }

    /// The decimated loop: the same serial stream of decisions through P = 1 and P = 4
    /// gives the same detector sum over each block, and (kp = 0, a constant frequency)
    /// the phase advances by P * freq per clock.
    #[test]
    fn lanes_sum_the_serial_detector() {
        let p = RxParams::default();
        let mut a = reset(&p);
        let mut b = reset(&p.with_lanes(4).unwrap());
        let mut x = 3u32;
        let (mut syms, mut errs) = (vec![], vec![]);
        for _ in 0..400 {
            x = x.wrapping_mul(1664525).wrapping_add(1013904223);
            syms.push((x >> 30) as u8);
            errs.push(((x >> 8) % 511) as i32 - 255);
        }
        let mut serial = vec![];
        for k in 0..syms.len() {
            a.step_data(&syms[k..k + 1], &errs[k..k + 1]);
            serial.push(a.ted[0]);
        }
        for blk in 0..syms.len() / 4 {
            let r = blk * 4..blk * 4 + 4;
            b.step_data(&syms[r.clone()], &errs[r]);
            if blk >= 1 {
                // both registers lag their inputs by 2 edges: the serial z of samples
                // 4(blk-1) .. 4(blk-1)+3 are in serial[4 blk - 3 ..= 4 blk]
                let want: i32 = serial[4 * blk - 3..=4 * blk].iter().sum();
                assert_eq!(b.ted[0], want, "block {blk}");
            }
        }
        let mut m = reset(&RxParams {
            lanes: 8,
            cdr: CdrParams {
                kp: 0,
                ..Default::default()
            },
            ..Default::default()
        });
        m.freq = 1000;
        m.pf = 0;
        m.step_data(&[0; 8], &[0; 8]);
        m.step_data(&[0; 8], &[0; 8]);
        let ph0 = m.phase;
        m.step_data(&[0; 8], &[0; 8]);
        assert_eq!(m.phase - ph0, 8 * 1000);
    }
}
