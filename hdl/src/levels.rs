//! Levels: the slicer's target levels follow the mean equalized value of the decided
//! symbols (an LMS on each level), and the thresholds follow the targets (midpoints).
//!
//! ```text
//! at clock edge c (not reset), s = lane 0's symbol register, e = lane 0's error register
//!   acc_t <- sext(cfg_data) << F                          if the bus writes target t
//!   acc_s <- sat(acc_s + e 2^(F - mu))                     else if enable (t = s only)
//!   tgt_t  = round(acc_t) = (acc_t + 2^(F-1)) >> F
//!   thr_j  = (tgt_j + tgt_{j+1} + 1) >> 1                  (ceiling of the midpoint)
//!   port: q = 0..3 writes target q (address 20 + q), q = 4..6 threshold q - 4 (16 + q - 4),
//!         from the codes before this edge's update (a target the bus writes at this
//!         edge counts as its written code); q <- q + 1 mod 7
//! ```
//!
//! Structure: one `LevelAcc` per level (accumulator register, the shifted error added when
//! its symbol is decided, saturation by signed compare, rounding to its code), the three
//! midpoint adders, the pointer and the registered write port. No multiplier.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): `targets` (4 Q7.1 codes,
//! -128 ..= 127): the accumulators' reset values (each `<< F`).
//! **Ports**:
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: snooped; a write of target t
//!   (address 20 + t) loads accumulator t
//! * in  `symbol[1:0]`, `err[8:0]`: lane 0's slicer registers (Q8.1 error)
//! * in  `enable`, `mu[3:0]` (0 ..= 15)
//! * out `wr_we`, `wr_addr[4:0]`, `wr_data[7:0]`: one slicer-register write per clock
//! **Formats**: accumulators Q7.16 (`LEV_ACC_BITS` = 23), saturated to [-128, 127] * 2^F,
//! never wrapping; the update is computed exactly in 25 bits.
//! **Latency**: `LAT_LEVELS` = 2 (error to accumulator to port); each register is written
//! every 7 clocks.
//! **Reset**: accumulators to `targets << F`, pointer and write port to 0. Power-up:
//! every register 0.
//!
//! See also: model `sim/model/src/levels.rs` (`LevelsModel`), untimed reference
//! `cporx_model::reference::levels_ref`, spec docs/numerics.md "Levels (slicer-level
//! adaptation)" and `spec/src/levels.rs`, tests `verif/tests/levels.rs`.

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// The update's width: |e| 2^F <= 2^23 added to a 23-bit accumulator.
const WIDE: usize = LEV_ACC_BITS + 2;
const _: () = assert!(WIDE <= 32);

/// One level: accumulator, update, saturation, rounded code (of the value being
/// registered).
#[derive(LogicBlock)]
pub struct LevelAcc {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    pub symbol: Signal<In, Bits<2>>,
    pub err: Signal<In, Bits<ERR_BITS>>,
    pub enable: Signal<In, Bit>,
    pub mu: Signal<In, Bits<LEV_MU_BITS>>,
    /// the level's code for the write port, Q7.1: the accumulator's before this edge, or
    /// the code the bus writes at this edge
    pub code: Signal<Out, Bits<LEVEL_BITS>>,
    acc_r: DFF<Bits<LEV_ACC_BITS>>,
    next: Signal<Local, Bits<LEV_ACC_BITS>>,
    wide: Signal<Local, Bits<WIDE>>,
    e_wide: Signal<Local, Bits<WIDE>>,
    sum: Signal<Local, Bits<WIDE>>,
    half_bit: Signal<Local, Bits<LEVEL_BITS>>,
    adr: Constant<Bits<CFG_ADDR_BITS>>,
    me: Constant<Bits<2>>,
    acc_msb: Constant<Bits<5>>,
    err_msb: Constant<Bits<4>>,
    ext_acc: Constant<Bits<WIDE>>,
    ext_err: Constant<Bits<WIDE>>,
    frac: Constant<Bits<LEV_MU_BITS>>,
    frac_sh: Constant<Bits<5>>,
    sign_wide: Constant<Bits<WIDE>>,
    hi_wide: Constant<Bits<WIDE>>,
    lo_wide: Constant<Bits<WIDE>>,
    hi: Constant<Bits<LEV_ACC_BITS>>,
    lo: Constant<Bits<LEV_ACC_BITS>>,
    half_at: Constant<Bits<5>>,
    reset_acc: Constant<Bits<LEV_ACC_BITS>>,
}

impl LevelAcc {
    fn new(t: usize, reset_level: i32) -> Self {
        let raw = |v: i64, bits: usize| (v as u64) & ((1u64 << bits) - 1);
        LevelAcc {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            symbol: Default::default(),
            err: Default::default(),
            enable: Default::default(),
            mu: Default::default(),
            code: Default::default(),
            acc_r: Default::default(),
            next: Default::default(),
            wide: Default::default(),
            e_wide: Default::default(),
            sum: Default::default(),
            half_bit: Default::default(),
            adr: konst((CFG_TARGET_BASE as usize + t) as u64),
            me: konst(t as u64),
            acc_msb: konst(LEV_ACC_BITS as u64 - 1),
            err_msb: konst(ERR_BITS as u64 - 1),
            ext_acc: konst(ext_mask(LEV_ACC_BITS, WIDE)),
            ext_err: konst(ext_mask(ERR_BITS, WIDE)),
            frac: konst(LEV_FRAC as u64),
            frac_sh: konst(LEV_FRAC as u64),
            sign_wide: konst(1u64 << (WIDE - 1)),
            hi_wide: konst(raw(127i64 << LEV_FRAC, WIDE)),
            lo_wide: konst(raw(-128i64 << LEV_FRAC, WIDE)),
            hi: konst(raw(127i64 << LEV_FRAC, LEV_ACC_BITS)),
            lo: konst(raw(-128i64 << LEV_FRAC, LEV_ACC_BITS)),
            half_at: konst(LEV_FRAC as u64 - 1),
            reset_acc: konst(raw((reset_level as i64) << LEV_FRAC, LEV_ACC_BITS)),
        }
    }
}

impl Logic for LevelAcc {
    #[hdl_gen]
    fn update(&mut self) {
        self.acc_r.clock.next = self.clock.val();
        self.wide.next = bit_cast::<WIDE, LEV_ACC_BITS>(self.acc_r.q.val());
        if self.acc_r.q.val().get_bit(self.acc_msb.val().index()) {
            self.wide.next =
                bit_cast::<WIDE, LEV_ACC_BITS>(self.acc_r.q.val()) | self.ext_acc.val();
        }
        self.e_wide.next = bit_cast::<WIDE, ERR_BITS>(self.err.val());
        if self.err.val().get_bit(self.err_msb.val().index()) {
            self.e_wide.next = bit_cast::<WIDE, ERR_BITS>(self.err.val()) | self.ext_err.val();
        }
        self.sum.next = self.wide.val() + (self.e_wide.val() << (self.frac.val() - self.mu.val()));
        self.next.next = self.acc_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            // code << F: the 8-bit pattern in the top bits is its two's complement
            self.next.next =
                bit_cast::<LEV_ACC_BITS, CFG_DATA_BITS>(self.cfg_data.val()) << self.frac_sh.val();
        } else if self.enable.val() && (self.symbol.val() == self.me.val()) {
            // saturate by signed compare: a >s b  <=>  (a ^ S) >u (b ^ S)
            if (self.sum.val() ^ self.sign_wide.val()) > (self.hi_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.hi.val();
            } else if (self.sum.val() ^ self.sign_wide.val())
                < (self.lo_wide.val() ^ self.sign_wide.val())
            {
                self.next.next = self.lo.val();
            } else {
                self.next.next = self.sum.val().get_bits::<LEV_ACC_BITS>(0);
            }
        }
        if self.rst.val() {
            self.next.next = self.reset_acc.val();
        }
        self.acc_r.d.next = self.next.val();
        // round half up: (a + 2^(F-1)) >> F = (a >> F) + a[F-1]; cannot overflow (at the
        // top code 127 the accumulator is exactly 127 2^F, so a[F-1] = 0). From the
        // register, not from this edge's update: the write port's path starts at a register
        self.half_bit.next =
            bit_cast::<LEVEL_BITS, 1>(self.acc_r.q.val().get_bits::<1>(self.half_at.val().index()));
        self.code.next = self
            .acc_r
            .q
            .val()
            .get_bits::<LEVEL_BITS>(self.frac_sh.val().index())
            + self.half_bit.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr.val()) {
            self.code.next = self.cfg_data.val();
        }
    }
}

/// The levels block (see the module documentation).
#[derive(LogicBlock)]
pub struct Levels {
    /// the one clock; every register updates on its rising edge
    pub clock: Signal<In, Clock>,
    /// synchronous reset, active high; has priority over bus writes and updates
    pub rst: Signal<In, Bit>,
    /// configuration write enable (snooped: a target write loads its accumulator)
    pub cfg_we: Signal<In, Bit>,
    /// configuration register address, 0 ..= 63; target t is at 20 + t
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// configuration data: the level's Q7.1 code
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// lane 0's decided symbol register, 0 ..= 3
    pub symbol: Signal<In, Bits<2>>,
    /// lane 0's slicer error register, Q8.1 (-256 ..= 255)
    pub err: Signal<In, Bits<ERR_BITS>>,
    /// update the levels and drive the write port
    pub enable: Signal<In, Bit>,
    /// step code 0 ..= 15: the level moves by e 2^-mu codes
    pub mu: Signal<In, Bits<LEV_MU_BITS>>,
    /// write port: a slicer-register write this clock (registered `enable`)
    pub wr_we: Signal<Out, Bit>,
    /// write port: 20 ..= 23 (targets), then 16 ..= 18 (thresholds), in turn
    pub wr_addr: Signal<Out, Bits<CFG_ADDR_BITS>>,
    /// write port: the register's Q7.1 code
    pub wr_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    lvl: Vec<LevelAcc>,
    q_r: DFF<Bits<3>>,
    we_r: DFF<Bit>,
    addr_r: DFF<Bits<CFG_ADDR_BITS>>,
    data_r: DFF<Bits<CFG_DATA_BITS>>,
    h0: Signal<Local, Bits<LEVEL_BITS>>,
    h1: Signal<Local, Bits<LEVEL_BITS>>,
    h2: Signal<Local, Bits<LEVEL_BITS>>,
    h3: Signal<Local, Bits<LEVEL_BITS>>,
    o0: Signal<Local, Bits<1>>,
    o1: Signal<Local, Bits<1>>,
    o2: Signal<Local, Bits<1>>,
    o3: Signal<Local, Bits<1>>,
    /// the midpoints' round-up bits, a[0] | b[0] (a Local: Verilog would widen the OR)
    r0: Signal<Local, Bits<1>>,
    r1: Signal<Local, Bits<1>>,
    r2: Signal<Local, Bits<1>>,
    m0: Signal<Local, Bits<LEVEL_BITS>>,
    m1: Signal<Local, Bits<LEVEL_BITS>>,
    m2: Signal<Local, Bits<LEVEL_BITS>>,
    msb: Constant<Bits<3>>,
    top_bit: Constant<Bits<LEVEL_BITS>>,
    one_at: Constant<Bits<3>>,
    one3: Constant<Bits<3>>,
    last: Constant<Bits<3>>,
    zero3: Constant<Bits<3>>,
    k1: Constant<Bits<3>>,
    k2: Constant<Bits<3>>,
    k3: Constant<Bits<3>>,
    k4: Constant<Bits<3>>,
    k5: Constant<Bits<3>>,
    a_t0: Constant<Bits<CFG_ADDR_BITS>>,
    a_t1: Constant<Bits<CFG_ADDR_BITS>>,
    a_t2: Constant<Bits<CFG_ADDR_BITS>>,
    a_t3: Constant<Bits<CFG_ADDR_BITS>>,
    a_h0: Constant<Bits<CFG_ADDR_BITS>>,
    a_h1: Constant<Bits<CFG_ADDR_BITS>>,
    a_h2: Constant<Bits<CFG_ADDR_BITS>>,
    zero_addr: Constant<Bits<CFG_ADDR_BITS>>,
    zero_data: Constant<Bits<CFG_DATA_BITS>>,
}

impl Levels {
    /// Build the block for `p`; an illegal parameter set is an error naming the field and
    /// its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        let a = |v: u32| konst::<CFG_ADDR_BITS>(v as u64);
        Ok(Levels {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            symbol: Default::default(),
            err: Default::default(),
            enable: Default::default(),
            mu: Default::default(),
            wr_we: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            lvl: (0..4).map(|t| LevelAcc::new(t, p.targets[t])).collect(),
            q_r: Default::default(),
            we_r: Default::default(),
            addr_r: Default::default(),
            data_r: Default::default(),
            h0: Default::default(),
            h1: Default::default(),
            h2: Default::default(),
            h3: Default::default(),
            o0: Default::default(),
            o1: Default::default(),
            o2: Default::default(),
            o3: Default::default(),
            r0: Default::default(),
            r1: Default::default(),
            r2: Default::default(),
            m0: Default::default(),
            m1: Default::default(),
            m2: Default::default(),
            msb: konst(LEVEL_BITS as u64 - 1),
            top_bit: konst(1u64 << (LEVEL_BITS - 1)),
            one_at: konst(1),
            one3: konst(1),
            last: konst(LEV_PORT_REGS as u64 - 1),
            zero3: konst(0),
            k1: konst(1),
            k2: konst(2),
            k3: konst(3),
            k4: konst(4),
            k5: konst(5),
            a_t0: a(CFG_TARGET_BASE),
            a_t1: a(CFG_TARGET_BASE + 1),
            a_t2: a(CFG_TARGET_BASE + 2),
            a_t3: a(CFG_TARGET_BASE + 3),
            a_h0: a(CFG_THRESH_BASE),
            a_h1: a(CFG_THRESH_BASE + 1),
            a_h2: a(CFG_THRESH_BASE + 2),
            zero_addr: konst(0),
            zero_data: konst(0),
        })
    }
}

impl Logic for Levels {
    #[hdl_gen]
    fn update(&mut self) {
        for t in 0..self.lvl.len() {
            self.lvl[t].clock.next = self.clock.val();
            self.lvl[t].rst.next = self.rst.val();
            self.lvl[t].cfg_we.next = self.cfg_we.val();
            self.lvl[t].cfg_addr.next = self.cfg_addr.val();
            self.lvl[t].cfg_data.next = self.cfg_data.val();
            self.lvl[t].symbol.next = self.symbol.val();
            self.lvl[t].err.next = self.err.val();
            self.lvl[t].enable.next = self.enable.val();
            self.lvl[t].mu.next = self.mu.val();
        }
        self.q_r.clock.next = self.clock.val();
        self.we_r.clock.next = self.clock.val();
        self.addr_r.clock.next = self.clock.val();
        self.data_r.clock.next = self.clock.val();
        // the midpoints, ceil((a + b) / 2) = (a >> 1) + (b >> 1) + (a[0] | b[0]) with
        // arithmetic shifts: exact in 8 bits (|a >> 1| <= 64), no 9-bit sum
        self.h0.next = bit_cast::<LEVEL_BITS, 7>(
            self.lvl[0]
                .code
                .val()
                .get_bits::<7>(self.one_at.val().index()),
        );
        if self.lvl[0].code.val().get_bit(self.msb.val().index()) {
            self.h0.next = bit_cast::<LEVEL_BITS, 7>(
                self.lvl[0]
                    .code
                    .val()
                    .get_bits::<7>(self.one_at.val().index()),
            ) | self.top_bit.val();
        }
        self.o0.next = self.lvl[0].code.val().get_bits::<1>(0);
        self.h1.next = bit_cast::<LEVEL_BITS, 7>(
            self.lvl[1]
                .code
                .val()
                .get_bits::<7>(self.one_at.val().index()),
        );
        if self.lvl[1].code.val().get_bit(self.msb.val().index()) {
            self.h1.next = bit_cast::<LEVEL_BITS, 7>(
                self.lvl[1]
                    .code
                    .val()
                    .get_bits::<7>(self.one_at.val().index()),
            ) | self.top_bit.val();
        }
        self.o1.next = self.lvl[1].code.val().get_bits::<1>(0);
        self.h2.next = bit_cast::<LEVEL_BITS, 7>(
            self.lvl[2]
                .code
                .val()
                .get_bits::<7>(self.one_at.val().index()),
        );
        if self.lvl[2].code.val().get_bit(self.msb.val().index()) {
            self.h2.next = bit_cast::<LEVEL_BITS, 7>(
                self.lvl[2]
                    .code
                    .val()
                    .get_bits::<7>(self.one_at.val().index()),
            ) | self.top_bit.val();
        }
        self.o2.next = self.lvl[2].code.val().get_bits::<1>(0);
        self.h3.next = bit_cast::<LEVEL_BITS, 7>(
            self.lvl[3]
                .code
                .val()
                .get_bits::<7>(self.one_at.val().index()),
        );
        if self.lvl[3].code.val().get_bit(self.msb.val().index()) {
            self.h3.next = bit_cast::<LEVEL_BITS, 7>(
                self.lvl[3]
                    .code
                    .val()
                    .get_bits::<7>(self.one_at.val().index()),
            ) | self.top_bit.val();
        }
        self.o3.next = self.lvl[3].code.val().get_bits::<1>(0);
        self.r0.next = self.o0.val() | self.o1.val();
        self.r1.next = self.o1.val() | self.o2.val();
        self.r2.next = self.o2.val() | self.o3.val();
        self.m0.next = self.h0.val() + self.h1.val() + bit_cast::<LEVEL_BITS, 1>(self.r0.val());
        self.m1.next = self.h1.val() + self.h2.val() + bit_cast::<LEVEL_BITS, 1>(self.r1.val());
        self.m2.next = self.h2.val() + self.h3.val() + bit_cast::<LEVEL_BITS, 1>(self.r2.val());
        // the write port: targets 0..3, then thresholds 0..2
        self.addr_r.d.next = self.a_t0.val();
        self.data_r.d.next = self.lvl[0].code.val();
        if self.q_r.q.val() == self.k1.val() {
            self.addr_r.d.next = self.a_t1.val();
            self.data_r.d.next = self.lvl[1].code.val();
        } else if self.q_r.q.val() == self.k2.val() {
            self.addr_r.d.next = self.a_t2.val();
            self.data_r.d.next = self.lvl[2].code.val();
        } else if self.q_r.q.val() == self.k3.val() {
            self.addr_r.d.next = self.a_t3.val();
            self.data_r.d.next = self.lvl[3].code.val();
        } else if self.q_r.q.val() == self.k4.val() {
            self.addr_r.d.next = self.a_h0.val();
            self.data_r.d.next = self.m0.val();
        } else if self.q_r.q.val() == self.k5.val() {
            self.addr_r.d.next = self.a_h1.val();
            self.data_r.d.next = self.m1.val();
        } else if self.q_r.q.val() == self.last.val() {
            self.addr_r.d.next = self.a_h2.val();
            self.data_r.d.next = self.m2.val();
        }
        self.we_r.d.next = self.enable.val();
        self.q_r.d.next = self.q_r.q.val() + self.one3.val();
        if self.q_r.q.val() == self.last.val() {
            self.q_r.d.next = self.zero3.val();
        }
        if self.rst.val() {
            self.q_r.d.next = self.zero3.val();
            self.we_r.d.next = false;
            self.addr_r.d.next = self.zero_addr.val();
            self.data_r.d.next = self.zero_data.val();
        }
        self.wr_we.next = self.we_r.q.val();
        self.wr_addr.next = self.addr_r.q.val();
        self.wr_data.next = self.data_r.q.val();
    }
}
