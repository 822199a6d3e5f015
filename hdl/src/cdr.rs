//! Baud-rate CDR: Mueller-Muller timing-error detector on the slicer error, a
//! proportional-integral loop filter with power-of-two gains, a phase accumulator whose top
//! bits are the phase-interpolator code, and a lock detector with a false-lock escape.
//!
//! ```text
//! z[k]  = e[k] * A(a[k-1]) - e[k-1] * A(a[k])      A(s) = 2s - 3 (x1, x3: adds, no multiplier)
//!         per lane (`TedLane`); lane 0's previous sample is the previous clock's lane P-1
//! zs    = the sum of the clock's P detector outputs (registered as group sums of
//!         TED_GROUP lanes, added in the loop filter): the decimated loop, one update/clock
//! pf    <- (zs << kp) + (freq << log2 P) (mod 2^27),  inc <- zs << ki     (every cycle)
//! freq  <- clamp(freq + inc, -(L+1) 2^11, (L+1) 2^11 - 1)  if ctrl.enable and ctrl.integral
//! phase <- phase + pf (mod 2^27)                    if ctrl.enable
//! phase_code = phase[26:20]
//! lock  <- (#{|err| > lock_thr} in the 256-UI window (256/P clocks, every lane) <= lock_max)
//! ```
//!
//! Per UI the gains are those of the one-lane loop: kp and ki weigh each detector output
//! once, and freq is in phase LSBs per UI, so a clock of P UI advances the phase by P * freq.
//! The lock detector is pipelined: per-lane bad flags, group counts, the clock's count, the
//! window's running count, the window-total register, then the decision (at the edge after
//! the window's last edge; docs/numerics.md, "Lock detector and kick: timing"). The bad flag
//! is two signed compares in parallel, `err > thr` and `err <= ~thr` (= -thr - 1), whose
//! bounds are inverters on the `lock_thr` register as written (no adder, no negation).
//! Kick (false-lock escape): when the 4th (KICK_WINDOWS) consecutive unlocked window is
//! decided, if ctrl.kick and still acquiring (no lock since reset or the last phase load), a
//! kick pulse is registered; at the next edge the phase also moves by half a UI (2^26, if
//! ctrl.enable then; else the kick is lost). A phase load wins over the loop update and the
//! kick at the same edge.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `Cdr::new` calls on the
//! whole set): `lanes` P in {1, 2, 4, 8, 16}; the reset values `cdr` (`CdrParams`): `kp`
//! 0 ..= 15, `ki` 0 ..= 7 (shifts), `enable`, `integral`, `kick` (bools: ctrl bits 0, 1, 2),
//! `lock_thr` 0 ..= 255 (Q8.1 magnitude), `lock_max` 0 ..= 255 (bad samples per window),
//! `reset_phase` 0 ..= 127 (PI code), `freq_limit` L 0 ..= 255 (the frequency range,
//! +-(L+1) x 15.26 ppm). Defaults (`CdrParams::default`): kp 13, ki 5, ctrl 7,
//! lock_thr 12, lock_max 8, reset_phase 0, freq_limit 26 (+-412 ppm).
//!
//! **Ports** (P = `RxParams::lanes`)
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: kp 24 (bits 3:0), ki 25 (bits 2:0),
//!   ctrl 26 (bit 0 enable, bit 1 integral, bit 2 kick), lock_thr 27, lock_max 28, phase
//!   load 29 (bits 6:0 become the PI code, the fraction clears; docs/numerics.md,
//!   "Configuration bus", also for which stage first uses a write), frequency range 36
//!   (L, bits 7:0; the bounds are formed from the register, beside the sum they bound)
//! * in  `symbol$j[1:0]`, `err$j[8:0]` (Q8.1): the slicer's registered outputs, lane j
//! * out `phase[6:0]` (PI code), `lock`, `freq[19:0]` (signed, phase LSBs per UI)
//!
//! **Formats** (docs/numerics.md, "Formats"): z Q11.1 in 12 bits (`TED_BITS`; exact,
//! |z| <= 1530); group and clock sums 16 bits (`TED_SUM_BITS`; exact, |zs| <= 24480);
//! increment 24 bits (`INC_BITS`; exact), added to freq exactly in 25 bits and then
//! saturated; phase 27 bits unsigned modular (`PHASE_BITS` = `PI_BITS` 7 + `PHASE_FRAC` 20:
//! the one intended wrap, a full turn is one UI); freq 20 bits signed, saturating at the
//! range register's bounds (`FREQ_BITS`: at L = 255 +-0.5 PI step per UI, +-3906 ppm).
//!
//! **Latency**: 4 cycles (`cporx_spec::LAT_CDR`): detector registers (D1: +-e, +-3e and the
//! decision; D2: group sums of z), loop-filter registers (pf, inc), phase register; from an
//! ADC sample to the PI code it moves, `LAT_TOP + LAT_CDR` = 11. Lock: with W = 256/P clocks
//! and edges counted from the first edge after a reset (or power-up), window w counts the
//! `err` inputs of edges wW - 3 .. wW + W - 4 and `lock` moves at edge (w + 1)W; a kick moves
//! the phase one edge later.
//!
//! **Reset**: synchronous `rst` has priority over configuration writes: configuration
//! registers to `RxParams::cdr`, phase to `reset_phase << 20`, the acquiring flag to 1, all
//! other state to 0 (detector, loop filter, lock detector, kick). Power-up (before any edge):
//! every register 0, and every register stores its value, not an encoding of it, so that
//! state is the spec's all-zero one (ctrl 0: the PI code holds at 0; lock_thr 0, lock_max 0;
//! frequency range L = 0, +-2^11; not acquiring).
//!
//! See also: model `sim/model/src/cdr.rs` (`CdrModel`), untimed reference
//! `cporx_model::reference::cdr_ref` (the serial one-lane loop), spec docs/numerics.md "CDR
//! (clock and data recovery)" and `spec/src/cdr.rs`, tests `verif/tests/cdr.rs` (and
//! `sim/model/tests/reference.rs`).

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

// The sign-bit index constants are 4 (err, ted, ted sum) and 5 (freq, inc) bits wide.
const _: () = assert!(ERR_BITS > 8 && ERR_BITS <= 16 && TED_BITS > 8 && TED_BITS <= 16);
const _: () = assert!(TED_SUM_BITS > 8 && TED_SUM_BITS <= 16);
// The lock bounds +lock_thr and -lock_thr - 1 (-256 ..= 255) are compared at the error's width.
const _: () = assert!(ERR_BITS > CFG_DATA_BITS);
const _: () = assert!(FREQ_BITS > 16 && FREQ_BITS <= 32 && INC_BITS > 16 && INC_BITS <= 32);

/// One lane of the timing-error detector: its D1 registers (+-e, +-3e, the decision),
/// its z from the previous sample's D1 values, the running sum of z over its lane group
/// (registered at the group's last lane: D2), and the running count of bad samples.
#[derive(LogicBlock)]
pub struct TedLane {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub err: Signal<In, Bits<ERR_BITS>>,
    pub symbol: Signal<In, Bits<2>>,
    /// lock threshold bounds +thr and -thr - 1 as sign-flipped codes of the error's width
    /// (signed compares as unsigned ones): bad iff err > thr or err <= -thr - 1
    pub thi: Signal<In, Bits<ERR_BITS>>,
    pub tlo: Signal<In, Bits<ERR_BITS>>,
    /// the previous sample's D1 values (lane j-1, or the previous clock's last lane)
    pub pv_x1: Signal<In, Bits<TED_BITS>>,
    pub pv_x3: Signal<In, Bits<TED_BITS>>,
    pub pv_n1: Signal<In, Bits<TED_BITS>>,
    pub pv_n3: Signal<In, Bits<TED_BITS>>,
    pub pv_sd: Signal<In, Bits<2>>,
    /// this lane's D1 registers, to the next lane
    pub ex1: Signal<Out, Bits<TED_BITS>>,
    pub ex3: Signal<Out, Bits<TED_BITS>>,
    pub nx1: Signal<Out, Bits<TED_BITS>>,
    pub nx3: Signal<Out, Bits<TED_BITS>>,
    pub sd: Signal<Out, Bits<2>>,
    /// running group sum of z (from the previous lane of the group) and this lane's
    pub acc_in: Signal<In, Bits<TED_SUM_BITS>>,
    pub acc_out: Signal<Out, Bits<TED_SUM_BITS>>,
    /// the registered group sum at a group's last lane; 0 at the others
    pub gs: Signal<Out, Bits<TED_SUM_BITS>>,
    /// running count of the lane group's bad flags (|err| > lthr, registered) and the
    /// registered group count at a group's last lane (0 at the others)
    pub cnt_in: Signal<In, Bits<GCNT_BITS>>,
    pub cnt_out: Signal<Out, Bits<GCNT_BITS>>,
    pub gc: Signal<Out, Bits<LOCK_CNT_BITS>>,
    ex1_r: DFF<Bits<TED_BITS>>,
    ex3_r: DFF<Bits<TED_BITS>>,
    nx1_r: DFF<Bits<TED_BITS>>,
    nx3_r: DFF<Bits<TED_BITS>>,
    sd_r: DFF<Bits<2>>,
    gs_r: DFF<Bits<TED_SUM_BITS>>,
    flag_r: DFF<Bit>,
    gc_r: DFF<Bits<GCNT_BITS>>,
    cnt: Signal<Local, Bits<GCNT_BITS>>,
    e_x1: Signal<Local, Bits<TED_BITS>>,
    e_x3: Signal<Local, Bits<TED_BITS>>,
    term_a: Signal<Local, Bits<TED_BITS>>,
    term_b: Signal<Local, Bits<TED_BITS>>,
    z: Signal<Local, Bits<TED_BITS>>,
    z16: Signal<Local, Bits<TED_SUM_BITS>>,
    acc: Signal<Local, Bits<TED_SUM_BITS>>,
    ef: Signal<Local, Bits<ERR_BITS>>,
    first: Constant<Bit>,
    last: Constant<Bit>,
    ext_err_t: Constant<Bits<TED_BITS>>,
    ext_ted_s: Constant<Bits<TED_SUM_BITS>>,
    sgn_e: Constant<Bits<ERR_BITS>>,
    e_msb: Constant<Bits<4>>,
    msb_ted: Constant<Bits<4>>,
    one_sh: Constant<Bits<2>>,
    one_gc: Constant<Bits<GCNT_BITS>>,
    zero_gc: Constant<Bits<GCNT_BITS>>,
    zero_t: Constant<Bits<TED_BITS>>,
    zero_s: Constant<Bits<TED_SUM_BITS>>,
    zero_2: Constant<Bits<2>>,
}

/// Width of a lane group's bad-sample count (0 ..= TED_GROUP).
const GCNT_BITS: usize = 3;
const _: () = assert!(TED_GROUP < 1 << GCNT_BITS);

impl TedLane {
    fn new(j: usize, lanes: usize) -> Self {
        TedLane {
            clock: Default::default(),
            rst: Default::default(),
            err: Default::default(),
            symbol: Default::default(),
            thi: Default::default(),
            tlo: Default::default(),
            pv_x1: Default::default(),
            pv_x3: Default::default(),
            pv_n1: Default::default(),
            pv_n3: Default::default(),
            pv_sd: Default::default(),
            ex1: Default::default(),
            ex3: Default::default(),
            nx1: Default::default(),
            nx3: Default::default(),
            sd: Default::default(),
            acc_in: Default::default(),
            acc_out: Default::default(),
            gs: Default::default(),
            cnt_in: Default::default(),
            cnt_out: Default::default(),
            gc: Default::default(),
            flag_r: Default::default(),
            gc_r: Default::default(),
            cnt: Default::default(),
            ex1_r: Default::default(),
            ex3_r: Default::default(),
            nx1_r: Default::default(),
            nx3_r: Default::default(),
            sd_r: Default::default(),
            gs_r: Default::default(),
            e_x1: Default::default(),
            e_x3: Default::default(),
            term_a: Default::default(),
            term_b: Default::default(),
            z: Default::default(),
            z16: Default::default(),
            acc: Default::default(),
            ef: Default::default(),
            first: Constant::new(j % TED_GROUP == 0),
            last: Constant::new(j % TED_GROUP == TED_GROUP - 1 || j == lanes - 1),
            ext_err_t: konst(ext_mask(ERR_BITS, TED_BITS)),
            ext_ted_s: konst(ext_mask(TED_BITS, TED_SUM_BITS)),
            sgn_e: konst(1 << (ERR_BITS - 1)),
            e_msb: konst(ERR_BITS as u64 - 1),
            msb_ted: konst(TED_BITS as u64 - 1),
            one_sh: konst(1),
            one_gc: konst(1),
            zero_gc: konst(0),
            zero_t: konst(0),
            zero_s: konst(0),
            zero_2: konst(0),
        }
    }
}

impl Logic for TedLane {
    #[hdl_gen]
    fn update(&mut self) {
        self.ex1_r.clock.next = self.clock.val();
        self.ex3_r.clock.next = self.clock.val();
        self.nx1_r.clock.next = self.clock.val();
        self.nx3_r.clock.next = self.clock.val();
        self.sd_r.clock.next = self.clock.val();
        self.gs_r.clock.next = self.clock.val();
        self.flag_r.clock.next = self.clock.val();
        self.gc_r.clock.next = self.clock.val();
        // D1: the multiples of the slicer error a decision level can select, +-e and +-3e
        // (sign-extended to 12 bits; x3 as e + 2e), and the decision
        self.e_x1.next = bit_cast::<TED_BITS, ERR_BITS>(self.err.val());
        if self.err.val().get_bit(self.e_msb.val().index()) {
            self.e_x1.next = bit_cast::<TED_BITS, ERR_BITS>(self.err.val()) | self.ext_err_t.val();
        }
        self.e_x3.next = self.e_x1.val() + (self.e_x1.val() << self.one_sh.val());
        self.ex1_r.d.next = self.e_x1.val();
        self.ex3_r.d.next = self.e_x3.val();
        self.nx1_r.d.next = self.zero_t.val() - self.e_x1.val();
        self.nx3_r.d.next = self.zero_t.val() - self.e_x3.val();
        self.sd_r.d.next = self.symbol.val();
        // D2: z = e[k] A(a[k-1]) - e[k-1] A(a[k]), a 4:1 select each and one subtract
        self.term_a.next = self.ex3_r.q.val();
        if self.pv_sd.val() == self.zero_2.val() {
            self.term_a.next = self.nx3_r.q.val();
        } else if !self.pv_sd.val().get_bit(1) {
            self.term_a.next = self.nx1_r.q.val();
        } else if !self.pv_sd.val().get_bit(0) {
            self.term_a.next = self.ex1_r.q.val();
        }
        self.term_b.next = self.pv_x3.val();
        if self.sd_r.q.val() == self.zero_2.val() {
            self.term_b.next = self.pv_n3.val();
        } else if !self.sd_r.q.val().get_bit(1) {
            self.term_b.next = self.pv_n1.val();
        } else if !self.sd_r.q.val().get_bit(0) {
            self.term_b.next = self.pv_x1.val();
        }
        self.z.next = self.term_a.val() - self.term_b.val();
        self.z16.next = bit_cast::<TED_SUM_BITS, TED_BITS>(self.z.val());
        if self.z.val().get_bit(self.msb_ted.val().index()) {
            self.z16.next = bit_cast::<TED_SUM_BITS, TED_BITS>(self.z.val()) | self.ext_ted_s.val();
        }
        self.acc.next = self.acc_in.val() + self.z16.val();
        if self.first.val() {
            self.acc.next = self.z16.val();
        }
        self.acc_out.next = self.acc.val();
        self.gs_r.d.next = self.zero_s.val();
        if self.last.val() {
            self.gs_r.d.next = self.acc.val();
        }
        // lock detector stage 1a: is this sample bad (|err| > lock_thr, as two signed
        // compares against +thr and -thr - 1 in parallel: no negation in the path),
        // registered
        self.ef.next = self.err.val() ^ self.sgn_e.val();
        self.flag_r.d.next = (self.ef.val() > self.thi.val()) || (self.ef.val() <= self.tlo.val());
        // stage 1b: the group's count of flags, registered at its last lane
        self.cnt.next = self.cnt_in.val();
        if self.first.val() {
            self.cnt.next = self.zero_gc.val();
        }
        self.cnt_out.next = self.cnt.val();
        if self.flag_r.q.val() {
            self.cnt_out.next = self.cnt.val() + self.one_gc.val();
        }
        self.gc_r.d.next = self.zero_gc.val();
        if self.last.val() {
            self.gc_r.d.next = self.cnt_out.val();
        }
        if self.rst.val() {
            self.ex1_r.d.next = self.zero_t.val();
            self.ex3_r.d.next = self.zero_t.val();
            self.nx1_r.d.next = self.zero_t.val();
            self.nx3_r.d.next = self.zero_t.val();
            self.sd_r.d.next = self.zero_2.val();
            self.gs_r.d.next = self.zero_s.val();
            self.flag_r.d.next = false;
            self.gc_r.d.next = self.zero_gc.val();
        }
        self.gc.next = bit_cast::<LOCK_CNT_BITS, GCNT_BITS>(self.gc_r.q.val());
        self.ex1.next = self.ex1_r.q.val();
        self.ex3.next = self.ex3_r.q.val();
        self.nx1.next = self.nx1_r.q.val();
        self.nx3.next = self.nx3_r.q.val();
        self.sd.next = self.sd_r.q.val();
        self.gs.next = self.gs_r.q.val();
    }
}

#[derive(LogicBlock)]
pub struct Cdr {
    /// the one clock; every register updates on its rising edge
    pub clock: Signal<In, Clock>,
    /// synchronous reset, active high; has priority over configuration writes (docs/numerics.md, "Reset and power-up")
    pub rst: Signal<In, Bit>,
    /// configuration write enable; the write lands at this cycle's edge
    pub cfg_we: Signal<In, Bit>,
    /// configuration register address, 0 ..= 63 (docs/numerics.md, "Configuration bus")
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// configuration data, the register's 8-bit pattern (two's complement or unsigned by address)
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane j's decided symbol (from the slicer), 0 ..= 3
    pub symbol: Vec<Signal<In, Bits<2>>>,
    /// lane j's slicer error (from the slicer), Q8.1
    pub err: Vec<Signal<In, Bits<ERR_BITS>>>,
    /// phase-interpolator code, 7 bits unsigned (the top bits of the phase accumulator)
    pub phase: Signal<Out, Bits<PI_BITS>>,
    /// lock flag: 1 while the last 256-UI window had at most lock_max samples with |err| > lock_thr
    pub lock: Signal<Out, Bit>,
    /// the loop filter's integral (frequency) register, 20 bits signed, saturating
    pub freq: Signal<Out, Bits<FREQ_BITS>>,
    /// read-back: the register at `cfg_addr` (kp, ki, ctrl, lock_thr, lock_max; the PI
    /// code at CFG_PHASE), 0 elsewhere (combinational)
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    rd_c: Signal<Local, Bits<CFG_DATA_BITS>>,
    zero_rd: Constant<Bits<CFG_DATA_BITS>>,
    bit1_rd: Constant<Bits<CFG_DATA_BITS>>,
    bit2_rd: Constant<Bits<CFG_DATA_BITS>>,
    bit4_rd: Constant<Bits<CFG_DATA_BITS>>,
    lane: Vec<TedLane>,
    // configuration registers
    kp_r: DFF<Bits<KP_BITS>>,
    ki_r: DFF<Bits<KI_BITS>>,
    en_r: DFF<Bit>,
    int_r: DFF<Bit>,
    kick_r: DFF<Bit>,
    /// lock threshold, as written (unsigned). Its bounds for the lanes' parallel signed
    /// compares are wiring: +thr as a sign-flipped code `thr ^ S`, and -thr - 1 = ~thr as
    /// the complement of that code (err < -thr <=> err <= ~thr), so no adder, and the
    /// register's power-up 0 means lock_thr = 0 (docs/numerics.md, "Reset and power-up").
    lthr_r: DFF<Bits<8>>,
    thi_f: Signal<Local, Bits<ERR_BITS>>,
    tlo_f: Signal<Local, Bits<ERR_BITS>>,
    lmax_r: DFF<Bits<8>>,
    /// frequency range L (`CFG_FREQ_LIM`): freq saturates at -(L+1) 2^11 ..= (L+1) 2^11 - 1
    flim_r: DFF<Bits<FREQ_LIM_BITS>>,
    // state: the previous clock's last-lane D1 values (lane 0's previous sample)
    a1_r: DFF<Bits<2>>,
    px1_r: DFF<Bits<TED_BITS>>,
    px3_r: DFF<Bits<TED_BITS>>,
    pnx1_r: DFF<Bits<TED_BITS>>,
    pnx3_r: DFF<Bits<TED_BITS>>,
    freq_r: DFF<Bits<FREQ_BITS>>,
    phase_r: DFF<Bits<PHASE_BITS>>,
    win_r: DFF<Bits<LOCK_WIN_LOG2>>,
    bad_r: DFF<Bits<LOCK_CNT_BITS>>,
    lock_r: DFF<Bit>,
    unl_r: DFF<Bits<KICK_CNT_BITS>>,
    acq_r: DFF<Bit>,
    badq_r: DFF<Bits<LOCK_CNT_BITS>>,
    cntd_r: DFF<Bits<LOCK_CNT_BITS>>,
    done_r: DFF<Bit>,
    kickq_r: DFF<Bit>,
    pf_r: DFF<Bits<PHASE_BITS>>,
    inc_r: DFF<Bits<INC_BITS>>,
    // locals
    lock_new: Signal<Local, Bit>,
    kick_now: Signal<Local, Bit>,
    zsum: Signal<Local, Bits<TED_SUM_BITS>>,
    z_ph: Signal<Local, Bits<PHASE_BITS>>,
    f_ph: Signal<Local, Bits<PHASE_BITS>>,
    z_in: Signal<Local, Bits<INC_BITS>>,
    f_sum: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    f_sum_f: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    f_ext: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    i_ext: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    bad_now: Signal<Local, Bits<LOCK_CNT_BITS>>,
    bad_sum: Signal<Local, Bits<LOCK_CNT_BITS>>,
    /// the range's bound p = (L+1) 2^11, and the saturation compares' sign-flipped
    /// bounds p ^ S = S | p and (-p) ^ S = S - p (from the register: off the loop)
    lim_p: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    sat_hi_f: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    sat_lo_f: Signal<Local, Bits<{ INC_BITS + 1 }>>,
    fr_max: Signal<Local, Bits<FREQ_BITS>>,
    fr_min: Signal<Local, Bits<FREQ_BITS>>,
    // constants
    adr_kp: Constant<Bits<CFG_ADDR_BITS>>,
    adr_ki: Constant<Bits<CFG_ADDR_BITS>>,
    adr_ctrl: Constant<Bits<CFG_ADDR_BITS>>,
    adr_lthr: Constant<Bits<CFG_ADDR_BITS>>,
    adr_lmax: Constant<Bits<CFG_ADDR_BITS>>,
    adr_phase: Constant<Bits<CFG_ADDR_BITS>>,
    adr_flim: Constant<Bits<CFG_ADDR_BITS>>,
    rst_flim: Constant<Bits<FREQ_LIM_BITS>>,
    one_sum: Constant<Bits<{ INC_BITS + 1 }>>,
    one_f: Constant<Bits<FREQ_BITS>>,
    lim_sh: Constant<Bits<5>>,
    rst_kp: Constant<Bits<KP_BITS>>,
    rst_ki: Constant<Bits<KI_BITS>>,
    rst_en: Constant<Bit>,
    rst_int: Constant<Bit>,
    rst_kick: Constant<Bit>,
    half_ui: Constant<Bits<PHASE_BITS>>,
    unl_last: Constant<Bits<KICK_CNT_BITS>>,
    one_unl: Constant<Bits<KICK_CNT_BITS>>,
    zero_unl: Constant<Bits<KICK_CNT_BITS>>,
    rst_lthr: Constant<Bits<8>>,
    sgn_thr: Constant<Bits<ERR_BITS>>,
    rst_lmax: Constant<Bits<8>>,
    rst_phase: Constant<Bits<PHASE_BITS>>,
    lanes_log2: Constant<Bits<3>>,
    ext_zs_p: Constant<Bits<PHASE_BITS>>,
    ext_fr_p: Constant<Bits<PHASE_BITS>>,
    ext_zs_i: Constant<Bits<INC_BITS>>,
    ext_fr_s: Constant<Bits<{ INC_BITS + 1 }>>,
    ext_inc_s: Constant<Bits<{ INC_BITS + 1 }>>,
    // bit indices, sized to the index width Verilog expects (clog2 of the source width)
    msb_zs: Constant<Bits<4>>,
    msb_fr: Constant<Bits<5>>,
    msb_inc: Constant<Bits<5>>,
    sgn_sum: Constant<Bits<{ INC_BITS + 1 }>>,
    pi_lo: Constant<Bits<5>>,
    zero_b: Constant<Bit>,
    one_b: Constant<Bit>,
    win_last: Constant<Bits<LOCK_WIN_LOG2>>,
    one_win: Constant<Bits<LOCK_WIN_LOG2>>,
    zero_cnt: Constant<Bits<LOCK_CNT_BITS>>,
    zero_win: Constant<Bits<LOCK_WIN_LOG2>>,
    zero_t: Constant<Bits<TED_BITS>>,
    zero_s: Constant<Bits<TED_SUM_BITS>>,
    zero_f: Constant<Bits<FREQ_BITS>>,
    zero_i: Constant<Bits<INC_BITS>>,
    zero_p: Constant<Bits<PHASE_BITS>>,
    zero_2: Constant<Bits<2>>,
    zero_gc3: Constant<Bits<GCNT_BITS>>,
}

impl Cdr {
    /// Build the block for `p`; an illegal parameter set is an error naming the field and
    /// its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(Self::build(p))
    }

    /// The block for a validated `p`.
    fn build(p: &RxParams) -> Self {
        let c = &p.cdr;
        const SUM: usize = INC_BITS + 1;
        let fsgn = 1u64 << INC_BITS;
        // the range register's largest bound fits below the sum's sign bit
        const _: () = assert!(FREQ_BITS - 1 < INC_BITS);
        Cdr {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            symbol: (0..p.lanes).map(|_| Default::default()).collect(),
            err: (0..p.lanes).map(|_| Default::default()).collect(),
            phase: Default::default(),
            lock: Default::default(),
            freq: Default::default(),
            lane: (0..p.lanes).map(|j| TedLane::new(j, p.lanes)).collect(),
            kp_r: Default::default(),
            ki_r: Default::default(),
            en_r: Default::default(),
            int_r: Default::default(),
            kick_r: Default::default(),
            lthr_r: Default::default(),
            thi_f: Default::default(),
            tlo_f: Default::default(),
            lmax_r: Default::default(),
            a1_r: Default::default(),
            px1_r: Default::default(),
            px3_r: Default::default(),
            pnx1_r: Default::default(),
            pnx3_r: Default::default(),
            freq_r: Default::default(),
            phase_r: Default::default(),
            win_r: Default::default(),
            bad_r: Default::default(),
            lock_r: Default::default(),
            unl_r: Default::default(),
            acq_r: Default::default(),
            badq_r: Default::default(),
            cntd_r: Default::default(),
            done_r: Default::default(),
            kickq_r: Default::default(),
            pf_r: Default::default(),
            inc_r: Default::default(),
            lock_new: Default::default(),
            kick_now: Default::default(),
            zsum: Default::default(),
            z_ph: Default::default(),
            f_ph: Default::default(),
            z_in: Default::default(),
            f_sum: Default::default(),
            f_sum_f: Default::default(),
            f_ext: Default::default(),
            i_ext: Default::default(),
            bad_now: Default::default(),
            bad_sum: Default::default(),
            adr_kp: konst(CFG_KP as u64),
            rd: Default::default(),
            rd_c: Default::default(),
            zero_rd: konst(0),
            bit1_rd: konst(1),
            bit2_rd: konst(2),
            bit4_rd: konst(4),
            adr_ki: konst(CFG_KI as u64),
            adr_ctrl: konst(CFG_CDR_CTRL as u64),
            adr_lthr: konst(CFG_LOCK_THR as u64),
            adr_lmax: konst(CFG_LOCK_MAX as u64),
            adr_phase: konst(CFG_PHASE as u64),
            rst_kp: konst(c.kp as u64),
            rst_ki: konst(c.ki as u64),
            rst_en: Constant::new(c.enable),
            rst_int: Constant::new(c.integral),
            rst_kick: Constant::new(c.kick),
            half_ui: konst(1 << (PHASE_BITS - 1)),
            unl_last: konst(KICK_WINDOWS as u64 - 1),
            one_unl: konst(1),
            zero_unl: konst(0),
            rst_lthr: konst(c.lock_thr as u64),
            sgn_thr: konst(1 << (ERR_BITS - 1)),
            rst_lmax: konst(c.lock_max as u64),
            rst_phase: konst((c.reset_phase as u64) << PHASE_FRAC),
            lanes_log2: konst(p.lanes_log2() as u64),
            ext_zs_p: konst(ext_mask(TED_SUM_BITS, PHASE_BITS)),
            ext_fr_p: konst(ext_mask(FREQ_BITS, PHASE_BITS)),
            ext_zs_i: konst(ext_mask(TED_SUM_BITS, INC_BITS)),
            ext_fr_s: konst(ext_mask(FREQ_BITS, SUM)),
            ext_inc_s: konst(ext_mask(INC_BITS, SUM)),
            msb_zs: konst(TED_SUM_BITS as u64 - 1),
            msb_fr: konst(FREQ_BITS as u64 - 1),
            msb_inc: konst(INC_BITS as u64 - 1),
            sgn_sum: konst(fsgn),
            lim_p: Default::default(),
            sat_hi_f: Default::default(),
            sat_lo_f: Default::default(),
            fr_max: Default::default(),
            fr_min: Default::default(),
            flim_r: Default::default(),
            adr_flim: konst(CFG_FREQ_LIM as u64),
            rst_flim: konst(c.freq_limit as u64),
            one_sum: konst(1),
            one_f: konst(1),
            lim_sh: konst(FREQ_LIM_SHIFT as u64),
            pi_lo: konst(PHASE_FRAC as u64),
            zero_b: Constant::new(false),
            one_b: Constant::new(true),
            win_last: konst(((1 << LOCK_WIN_LOG2) / p.lanes - 1) as u64),
            one_win: konst(1),
            zero_cnt: konst(0),
            zero_win: konst(0),
            zero_t: konst(0),
            zero_s: konst(0),
            zero_f: konst(0),
            zero_i: konst(0),
            zero_p: konst(0),
            zero_2: konst(0),
            zero_gc3: konst(0),
        }
    }
}

impl Logic for Cdr {
    #[hdl_gen]
    fn update(&mut self) {
        self.kp_r.clock.next = self.clock.val();
        self.ki_r.clock.next = self.clock.val();
        self.en_r.clock.next = self.clock.val();
        self.int_r.clock.next = self.clock.val();
        self.lthr_r.clock.next = self.clock.val();
        self.lmax_r.clock.next = self.clock.val();
        self.flim_r.clock.next = self.clock.val();
        self.a1_r.clock.next = self.clock.val();
        self.px1_r.clock.next = self.clock.val();
        self.px3_r.clock.next = self.clock.val();
        self.pnx1_r.clock.next = self.clock.val();
        self.pnx3_r.clock.next = self.clock.val();
        self.freq_r.clock.next = self.clock.val();
        self.phase_r.clock.next = self.clock.val();
        self.win_r.clock.next = self.clock.val();
        self.bad_r.clock.next = self.clock.val();
        self.lock_r.clock.next = self.clock.val();
        self.unl_r.clock.next = self.clock.val();
        self.acq_r.clock.next = self.clock.val();
        self.badq_r.clock.next = self.clock.val();
        self.cntd_r.clock.next = self.clock.val();
        self.done_r.clock.next = self.clock.val();
        self.kickq_r.clock.next = self.clock.val();
        self.pf_r.clock.next = self.clock.val();
        self.inc_r.clock.next = self.clock.val();
        self.kick_r.clock.next = self.clock.val();
        // configuration registers hold unless written
        self.kp_r.d.next = self.kp_r.q.val();
        self.ki_r.d.next = self.ki_r.q.val();
        self.en_r.d.next = self.en_r.q.val();
        self.int_r.d.next = self.int_r.q.val();
        self.kick_r.d.next = self.kick_r.q.val();
        self.lthr_r.d.next = self.lthr_r.q.val();
        self.lmax_r.d.next = self.lmax_r.q.val();
        self.flim_r.d.next = self.flim_r.q.val();

        // ---- detector lanes (D1, D2 and the bad-sample count) ----
        // lane 0's previous sample is the previous clock's last lane (the p* registers);
        // lane j's is lane j-1. The group sums and the bad count run along the lanes.
        self.lane[0].pv_x1.next = self.px1_r.q.val();
        self.lane[0].pv_x3.next = self.px3_r.q.val();
        self.lane[0].pv_n1.next = self.pnx1_r.q.val();
        self.lane[0].pv_n3.next = self.pnx3_r.q.val();
        self.lane[0].pv_sd.next = self.a1_r.q.val();
        // the lock bounds +thr and ~thr = -thr - 1, sign-flipped for the lanes' unsigned
        // compares (inverters on the register's bits)
        self.thi_f.next = bit_cast::<ERR_BITS, 8>(self.lthr_r.q.val()) ^ self.sgn_thr.val();
        self.tlo_f.next = !self.thi_f.val();
        self.lane[0].acc_in.next = self.zero_s.val();
        self.lane[0].cnt_in.next = self.zero_gc3.val();
        for j in 1..self.lane.len() {
            self.lane[j].pv_x1.next = self.lane[j - 1].ex1.val();
            self.lane[j].pv_x3.next = self.lane[j - 1].ex3.val();
            self.lane[j].pv_n1.next = self.lane[j - 1].nx1.val();
            self.lane[j].pv_n3.next = self.lane[j - 1].nx3.val();
            self.lane[j].pv_sd.next = self.lane[j - 1].sd.val();
            self.lane[j].acc_in.next = self.lane[j - 1].acc_out.val();
            self.lane[j].cnt_in.next = self.lane[j - 1].cnt_out.val();
        }
        self.zsum.next = self.zero_s.val();
        self.bad_now.next = self.zero_cnt.val();
        for j in 0..self.lane.len() {
            self.lane[j].clock.next = self.clock.val();
            self.lane[j].rst.next = self.rst.val();
            self.lane[j].err.next = self.err[j].val();
            self.lane[j].symbol.next = self.symbol[j].val();
            self.lane[j].thi.next = self.thi_f.val();
            self.lane[j].tlo.next = self.tlo_f.val();
            // the last lane's D1 values and count (the last assignment wins: rust-hdl's
            // export evaluates an index only from loop variables)
            self.px1_r.d.next = self.lane[j].ex1.val();
            self.px3_r.d.next = self.lane[j].ex3.val();
            self.pnx1_r.d.next = self.lane[j].nx1.val();
            self.pnx3_r.d.next = self.lane[j].nx3.val();
            self.a1_r.d.next = self.lane[j].sd.val();
            // the clock's bad-sample count from the group registers (0 at non-final lanes)
            self.bad_now.next = self.bad_now.val() + self.lane[j].gc.val();
            // the clock's detector sum from the group registers (0 at non-final lanes)
            self.zsum.next = self.zsum.val() + self.lane[j].gs.val();
        }

        // ---- lock detector and false-lock escape: three register stages ----
        // 3: decide the window registered at its last clock; a kick pulse for the next edge
        self.lock_new.next =
            self.cntd_r.q.val() <= bit_cast::<LOCK_CNT_BITS, 8>(self.lmax_r.q.val());
        self.lock_r.d.next = self.lock_r.q.val();
        self.unl_r.d.next = self.unl_r.q.val();
        self.acq_r.d.next = self.acq_r.q.val();
        self.kick_now.next = self.zero_b.val();
        if self.done_r.q.val() {
            self.lock_r.d.next = self.lock_new.val();
            if self.lock_new.val() {
                self.unl_r.d.next = self.zero_unl.val();
                self.acq_r.d.next = self.zero_b.val();
            } else if self.unl_r.q.val() == self.unl_last.val() {
                self.kick_now.next = self.kick_r.q.val() & self.acq_r.q.val();
                self.unl_r.d.next = self.zero_unl.val();
            } else {
                self.unl_r.d.next = self.unl_r.q.val() + self.one_unl.val();
            }
        }
        self.kickq_r.d.next = self.kick_now.val();
        // 2: count the window's bad samples; register the total at its last clock
        self.bad_sum.next = self.bad_r.q.val() + self.badq_r.q.val();
        self.win_r.d.next = self.win_r.q.val() + self.one_win.val();
        self.bad_r.d.next = self.bad_sum.val();
        self.cntd_r.d.next = self.cntd_r.q.val();
        self.done_r.d.next = self.zero_b.val();
        if self.win_r.q.val() == self.win_last.val() {
            self.win_r.d.next = self.zero_win.val();
            self.cntd_r.d.next = self.bad_sum.val();
            self.bad_r.d.next = self.zero_cnt.val();
            self.done_r.d.next = self.one_b.val();
        }
        // 1c: how many of the clock's samples were bad (1a, 1b: the flag and group-count
        // registers in the lanes)
        self.badq_r.d.next = self.bad_now.val();

        // ---- loop filter and phase, from the detector registers ----
        self.z_ph.next = bit_cast::<PHASE_BITS, TED_SUM_BITS>(self.zsum.val());
        self.z_in.next = bit_cast::<INC_BITS, TED_SUM_BITS>(self.zsum.val());
        if self.zsum.val().get_bit(self.msb_zs.val().index()) {
            self.z_ph.next =
                bit_cast::<PHASE_BITS, TED_SUM_BITS>(self.zsum.val()) | self.ext_zs_p.val();
            self.z_in.next =
                bit_cast::<INC_BITS, TED_SUM_BITS>(self.zsum.val()) | self.ext_zs_i.val();
        }
        self.f_ph.next = bit_cast::<PHASE_BITS, FREQ_BITS>(self.freq_r.q.val());
        self.f_ext.next = bit_cast::<{ INC_BITS + 1 }, FREQ_BITS>(self.freq_r.q.val());
        if self.freq_r.q.val().get_bit(self.msb_fr.val().index()) {
            self.f_ph.next =
                bit_cast::<PHASE_BITS, FREQ_BITS>(self.freq_r.q.val()) | self.ext_fr_p.val();
            self.f_ext.next =
                bit_cast::<{ INC_BITS + 1 }, FREQ_BITS>(self.freq_r.q.val()) | self.ext_fr_s.val();
        }
        // |zs << ki| <= 16 * 1530 << 7 < 2^23: the shifted increment is exact in 24 bits;
        // the frequency term advances the phase by P UI worth of freq per clock
        self.inc_r.d.next = self.z_in.val() << self.ki_r.q.val();
        self.pf_r.d.next =
            (self.z_ph.val() << self.kp_r.q.val()) + (self.f_ph.val() << self.lanes_log2.val());
        // 25-bit exact sum of the sign-extended register and increment, then saturate to 20 bits
        self.i_ext.next = bit_cast::<{ INC_BITS + 1 }, INC_BITS>(self.inc_r.q.val());
        if self.inc_r.q.val().get_bit(self.msb_inc.val().index()) {
            self.i_ext.next =
                bit_cast::<{ INC_BITS + 1 }, INC_BITS>(self.inc_r.q.val()) | self.ext_inc_s.val();
        }
        self.f_sum.next = self.f_ext.val() + self.i_ext.val();
        self.f_sum_f.next = self.f_sum.val() ^ self.sgn_sum.val();
        self.lim_p.next = (bit_cast::<{ INC_BITS + 1 }, FREQ_LIM_BITS>(self.flim_r.q.val())
            + self.one_sum.val())
            << self.lim_sh.val();
        self.sat_hi_f.next = self.sgn_sum.val() | self.lim_p.val();
        self.sat_lo_f.next = self.sgn_sum.val() - self.lim_p.val();
        self.fr_max.next = self.lim_p.val().get_bits::<FREQ_BITS>(0) - self.one_f.val();
        self.fr_min.next = self.zero_f.val() - self.lim_p.val().get_bits::<FREQ_BITS>(0);
        self.freq_r.d.next = self.freq_r.q.val();
        self.phase_r.d.next = self.phase_r.q.val();
        if self.en_r.q.val() {
            self.phase_r.d.next = self.phase_r.q.val() + self.pf_r.q.val();
            if self.kickq_r.q.val() {
                // + half a UI modulo one UI: flip the top bit
                self.phase_r.d.next =
                    (self.phase_r.q.val() + self.pf_r.q.val()) ^ self.half_ui.val();
            }
            if self.int_r.q.val() {
                if self.f_sum_f.val() >= self.sat_hi_f.val() {
                    self.freq_r.d.next = self.fr_max.val();
                } else if self.f_sum_f.val() < self.sat_lo_f.val() {
                    self.freq_r.d.next = self.fr_min.val();
                } else {
                    self.freq_r.d.next = self.f_sum.val().get_bits::<FREQ_BITS>(0);
                }
            }
        }

        // ---- configuration writes (land at this edge) ----
        if self.cfg_we.val() {
            if self.cfg_addr.val() == self.adr_kp.val() {
                self.kp_r.d.next = self.cfg_data.val().get_bits::<KP_BITS>(0);
            }
            if self.cfg_addr.val() == self.adr_ki.val() {
                self.ki_r.d.next = self.cfg_data.val().get_bits::<KI_BITS>(0);
            }
            if self.cfg_addr.val() == self.adr_ctrl.val() {
                self.en_r.d.next = self.cfg_data.val().get_bit(0);
                self.int_r.d.next = self.cfg_data.val().get_bit(1);
                self.kick_r.d.next = self.cfg_data.val().get_bit(2);
            }
            if self.cfg_addr.val() == self.adr_lthr.val() {
                self.lthr_r.d.next = self.cfg_data.val();
            }
            if self.cfg_addr.val() == self.adr_lmax.val() {
                self.lmax_r.d.next = self.cfg_data.val();
            }
            if self.cfg_addr.val() == self.adr_flim.val() {
                self.flim_r.d.next = self.cfg_data.val();
            }
            if self.cfg_addr.val() == self.adr_phase.val() {
                self.acq_r.d.next = self.one_b.val();
                self.phase_r.d.next =
                    bit_cast::<PHASE_BITS, PI_BITS>(self.cfg_data.val().get_bits::<PI_BITS>(0))
                        << self.pi_lo.val();
            }
        }

        if self.rst.val() {
            self.kp_r.d.next = self.rst_kp.val();
            self.ki_r.d.next = self.rst_ki.val();
            self.en_r.d.next = self.rst_en.val();
            self.int_r.d.next = self.rst_int.val();
            self.kick_r.d.next = self.rst_kick.val();
            self.lthr_r.d.next = self.rst_lthr.val();
            self.lmax_r.d.next = self.rst_lmax.val();
            self.flim_r.d.next = self.rst_flim.val();
            self.a1_r.d.next = self.zero_2.val();
            self.px1_r.d.next = self.zero_t.val();
            self.px3_r.d.next = self.zero_t.val();
            self.pnx1_r.d.next = self.zero_t.val();
            self.pnx3_r.d.next = self.zero_t.val();
            self.freq_r.d.next = self.zero_f.val();
            self.phase_r.d.next = self.rst_phase.val();
            self.win_r.d.next = self.zero_win.val();
            self.bad_r.d.next = self.zero_cnt.val();
            self.lock_r.d.next = self.zero_b.val();
            self.unl_r.d.next = self.zero_unl.val();
            self.acq_r.d.next = self.one_b.val();
            self.badq_r.d.next = self.zero_cnt.val();
            self.cntd_r.d.next = self.zero_cnt.val();
            self.done_r.d.next = self.zero_b.val();
            self.kickq_r.d.next = self.zero_b.val();
            self.pf_r.d.next = self.zero_p.val();
            self.inc_r.d.next = self.zero_i.val();
        }
        self.phase.next = self
            .phase_r
            .q
            .val()
            .get_bits::<PI_BITS>(self.pi_lo.val().index());
        self.lock.next = self.lock_r.q.val();
        self.freq.next = self.freq_r.q.val();
        // read-back
        self.rd_c.next = self.zero_rd.val();
        if self.en_r.q.val() {
            self.rd_c.next = self.rd_c.val() | self.bit1_rd.val();
        }
        if self.int_r.q.val() {
            self.rd_c.next = self.rd_c.val() | self.bit2_rd.val();
        }
        if self.kick_r.q.val() {
            self.rd_c.next = self.rd_c.val() | self.bit4_rd.val();
        }
        self.rd.next = self.zero_rd.val();
        if self.cfg_addr.val() == self.adr_kp.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, KP_BITS>(self.kp_r.q.val());
        }
        if self.cfg_addr.val() == self.adr_ki.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, KI_BITS>(self.ki_r.q.val());
        }
        if self.cfg_addr.val() == self.adr_ctrl.val() {
            self.rd.next = self.rd_c.val();
        }
        if self.cfg_addr.val() == self.adr_lthr.val() {
            self.rd.next = self.lthr_r.q.val();
        }
        if self.cfg_addr.val() == self.adr_lmax.val() {
            self.rd.next = self.lmax_r.q.val();
        }
        if self.cfg_addr.val() == self.adr_flim.val() {
            self.rd.next = self.flim_r.q.val();
        }
        if self.cfg_addr.val() == self.adr_phase.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, PI_BITS>(
                self.phase_r
                    .q
                    .val()
                    .get_bits::<PI_BITS>(self.pi_lo.val().index()),
            );
        }
    }
}
