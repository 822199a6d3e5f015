//! PAM-4 slicer: three programmable thresholds, four programmable target levels, one
//! decision per lane.
//!
//! ```text
//! symbol = 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0, else 0   (signed compares)
//! gray   = IEEE 802.3 Gray bits of the symbol (0 -> 00, 1 -> 01, 2 -> 11, 3 -> 10)
//! err    = y - target[symbol], exact in Q8.1 (9 bits; never saturates)
//! ```
//!
//! The threshold and target registers are shared by the lanes. The priority form above gives
//! a defined decision even for unordered thresholds written at run time. Each lane compares
//! sign-flipped codes (`v ^ 0x80`: signed compares as unsigned ones) and forms `y - L[j]` for
//! all four targets beside the compares, so the decision only selects the error.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `Slicer::new` calls on
//! the whole set): `lanes` P in {1, 2, 4, 8, 16}; `thresholds` [t0, t1, t2], Q7.1 codes
//! each -128 ..= 127, non-decreasing (t0 <= t1 <= t2); `targets` [L0, L1, L2, L3], Q7.1
//! codes each -128 ..= 127 (`RxParams::warnings` flags targets out of order and thresholds
//! not between neighbouring targets: legal, but questionable).
//!
//! **Ports** (P = `RxParams::lanes`)
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: thresholds at 16 ..= 18
//!   (`CFG_THRESH_BASE + j`), targets at 20 ..= 23 (`CFG_TARGET_BASE + j`); a write lands at
//!   the edge of its cycle and is first used by the decision registered at the next edge
//! * in  `y$j[7:0]`: lane j's equalized sample, Q7.1
//! * out `symbol$j[1:0]` (0 ..= 3), `gray$j[1:0]` (msb first), `err$j[8:0]` (Q8.1)
//!
//! **Formats** (docs/numerics.md, "Formats"): y, thresholds and targets Q7.1, 8 bits
//! (`LEVEL_BITS`); err Q8.1, 9 bits (`ERR_BITS`), -255 ..= 255, exact; symbol unsigned 2
//! bits; Gray bits msb first (`cporx_spec::gray_bits`).
//!
//! **Latency**: 1 cycle (`cporx_spec::LAT_SLICER`: one output register per lane).
//!
//! **Reset**: synchronous `rst` has priority over configuration writes: `symbol`, `gray`,
//! `err` to 0, thresholds and targets to `RxParams::thresholds` / `RxParams::targets`.
//! Power-up: every register 0, thresholds and targets included (so y = 0 decides symbol 3,
//! gray 10, err 0).
//!
//! See also: model `sim/model/src/slicer.rs` (`SlicerModel`), untimed reference
//! `cporx_model::reference::slicer_ref`, spec docs/numerics.md "Slicer" and
//! `spec/src/slicer.rs`, tests `verif/tests/slicer.rs` (and `sim/model/tests/reference.rs`).

use crate::konst;
use cporx_spec::*;
use rust_hdl::prelude::*;

/// One lane's decision: compares, error, output registers. Its level inputs arrive
/// sign-flipped (`t ^ 0x80`), so signed compares are unsigned compares.
#[derive(LogicBlock)]
pub struct SliceLane {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub y: Signal<In, Bits<Y_BITS>>,
    pub t0: Signal<In, Bits<LEVEL_BITS>>,
    pub t1: Signal<In, Bits<LEVEL_BITS>>,
    pub t2: Signal<In, Bits<LEVEL_BITS>>,
    pub g0: Signal<In, Bits<LEVEL_BITS>>,
    pub g1: Signal<In, Bits<LEVEL_BITS>>,
    pub g2: Signal<In, Bits<LEVEL_BITS>>,
    pub g3: Signal<In, Bits<LEVEL_BITS>>,
    pub symbol: Signal<Out, Bits<2>>,
    pub gray: Signal<Out, Bits<2>>,
    pub err: Signal<Out, Bits<ERR_BITS>>,
    sym_r: DFF<Bits<2>>,
    gray_r: DFF<Bits<2>>,
    err_r: DFF<Bits<ERR_BITS>>,
    y_f: Signal<Local, Bits<LEVEL_BITS>>,
    d_sym: Signal<Local, Bits<2>>,
    d_gray: Signal<Local, Bits<2>>,
    diff0: Signal<Local, Bits<ERR_BITS>>,
    diff1: Signal<Local, Bits<ERR_BITS>>,
    diff2: Signal<Local, Bits<ERR_BITS>>,
    diff3: Signal<Local, Bits<ERR_BITS>>,
    sym_k: Vec<Constant<Bits<2>>>,
    gray_k: Vec<Constant<Bits<2>>>,
    sgn: Constant<Bits<LEVEL_BITS>>,
    zero2: Constant<Bits<2>>,
    zero_err: Constant<Bits<ERR_BITS>>,
}

impl SliceLane {
    fn new() -> Self {
        SliceLane {
            clock: Default::default(),
            rst: Default::default(),
            y: Default::default(),
            t0: Default::default(),
            t1: Default::default(),
            t2: Default::default(),
            g0: Default::default(),
            g1: Default::default(),
            g2: Default::default(),
            g3: Default::default(),
            symbol: Default::default(),
            gray: Default::default(),
            err: Default::default(),
            sym_r: Default::default(),
            gray_r: Default::default(),
            err_r: Default::default(),
            y_f: Default::default(),
            d_sym: Default::default(),
            d_gray: Default::default(),
            diff0: Default::default(),
            diff1: Default::default(),
            diff2: Default::default(),
            diff3: Default::default(),
            sym_k: (0..4).map(|s| konst(s)).collect(),
            gray_k: (0..4u8).map(|s| konst(gray_bits(s) as u64)).collect(),
            sgn: konst(1 << (LEVEL_BITS - 1)),
            zero2: konst(0),
            zero_err: konst(0),
        }
    }
}

impl Logic for SliceLane {
    #[hdl_gen]
    fn update(&mut self) {
        self.sym_r.clock.next = self.clock.val();
        self.gray_r.clock.next = self.clock.val();
        self.err_r.clock.next = self.clock.val();
        // decision: signed compares as unsigned compares of sign-flipped codes
        self.y_f.next = self.y.val() ^ self.sgn.val();
        // y - L[j] for all four targets in parallel with the compares (the decision then
        // only selects): y - t == (y ^ S) - (t ^ S), exact in 9 bits (-255 ..= 255)
        self.diff0.next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.g0.val());
        self.diff1.next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.g1.val());
        self.diff2.next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.g2.val());
        self.diff3.next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.g3.val());
        if self.y_f.val() >= self.t2.val() {
            self.d_sym.next = self.sym_k[3].val();
            self.d_gray.next = self.gray_k[3].val();
            self.err_r.d.next = self.diff3.val();
        } else if self.y_f.val() >= self.t1.val() {
            self.d_sym.next = self.sym_k[2].val();
            self.d_gray.next = self.gray_k[2].val();
            self.err_r.d.next = self.diff2.val();
        } else if self.y_f.val() >= self.t0.val() {
            self.d_sym.next = self.sym_k[1].val();
            self.d_gray.next = self.gray_k[1].val();
            self.err_r.d.next = self.diff1.val();
        } else {
            self.d_sym.next = self.sym_k[0].val();
            self.d_gray.next = self.gray_k[0].val();
            self.err_r.d.next = self.diff0.val();
        }
        self.sym_r.d.next = self.d_sym.val();
        self.gray_r.d.next = self.d_gray.val();
        if self.rst.val() {
            self.sym_r.d.next = self.zero2.val();
            self.gray_r.d.next = self.zero2.val();
            self.err_r.d.next = self.zero_err.val();
        }
        self.symbol.next = self.sym_r.q.val();
        self.gray.next = self.gray_r.q.val();
        self.err.next = self.err_r.q.val();
    }
}

#[derive(LogicBlock)]
pub struct Slicer {
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
    /// lane j's FFE output to decide, Q7.1
    pub y: Vec<Signal<In, Bits<Y_BITS>>>,
    /// lane j's decided PAM-4 symbol 0 ..= 3 (level index)
    pub symbol: Vec<Signal<Out, Bits<2>>>,
    /// lane j's Gray-coded bits of the symbol (IEEE 802.3 clause 120: 00, 01, 11, 10)
    pub gray: Vec<Signal<Out, Bits<2>>>,
    /// lane j's slicer error y - targets[symbol], Q8.1, exact
    pub err: Vec<Signal<Out, Bits<ERR_BITS>>>,
    /// the read-back address: the bus's `cfg_addr` (the write inputs may carry the levels')
    pub rd_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    /// read-back: the threshold or target at `rd_addr`, 0 elsewhere (combinational)
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    lane: Vec<SliceLane>,
    // shared level registers
    thr: Vec<DFF<Bits<LEVEL_BITS>>>,
    tgt: Vec<DFF<Bits<LEVEL_BITS>>>,
    thr_f: Vec<Signal<Local, Bits<LEVEL_BITS>>>,
    tgt_f: Vec<Signal<Local, Bits<LEVEL_BITS>>>,
    thr_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    tgt_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    thr_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    tgt_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    sgn: Constant<Bits<LEVEL_BITS>>,
    zero_rd: Constant<Bits<CFG_DATA_BITS>>,
}

impl Slicer {
    /// Build the block for `p`; an illegal parameter set is an error naming the field and
    /// its legal range.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(Self::build(p))
    }

    /// The block for a validated `p`.
    fn build(p: &RxParams) -> Self {
        let lvl = |v: i32| konst::<LEVEL_BITS>(to_raw(v, LEVEL_BITS) as u64);
        Slicer {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            y: (0..p.lanes).map(|_| Default::default()).collect(),
            symbol: (0..p.lanes).map(|_| Default::default()).collect(),
            gray: (0..p.lanes).map(|_| Default::default()).collect(),
            err: (0..p.lanes).map(|_| Default::default()).collect(),
            lane: (0..p.lanes).map(|_| SliceLane::new()).collect(),
            thr: (0..3).map(|_| Default::default()).collect(),
            tgt: (0..4).map(|_| Default::default()).collect(),
            thr_f: (0..3).map(|_| Default::default()).collect(),
            tgt_f: (0..4).map(|_| Default::default()).collect(),
            thr_rst: p.thresholds.iter().map(|&t| lvl(t)).collect(),
            tgt_rst: p.targets.iter().map(|&t| lvl(t)).collect(),
            thr_adr: (0..3).map(|j| konst(CFG_THRESH_BASE as u64 + j)).collect(),
            tgt_adr: (0..4).map(|j| konst(CFG_TARGET_BASE as u64 + j)).collect(),
            sgn: konst(1 << (LEVEL_BITS - 1)),
            zero_rd: konst(0),
            rd_addr: Default::default(),
            rd: Default::default(),
        }
    }
}

impl Logic for Slicer {
    #[hdl_gen]
    fn update(&mut self) {
        self.rd.next = self.zero_rd.val();
        for i in 0..3 {
            if self.rd_addr.val() == self.thr_adr[i].val() {
                self.rd.next = self.thr[i].q.val();
            }
            self.thr[i].clock.next = self.clock.val();
            self.thr[i].d.next = self.thr[i].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.thr_adr[i].val()) {
                self.thr[i].d.next = self.cfg_data.val();
            }
            if self.rst.val() {
                self.thr[i].d.next = self.thr_rst[i].val();
            }
            self.thr_f[i].next = self.thr[i].q.val() ^ self.sgn.val();
        }
        for i in 0..4 {
            if self.rd_addr.val() == self.tgt_adr[i].val() {
                self.rd.next = self.tgt[i].q.val();
            }
            self.tgt[i].clock.next = self.clock.val();
            self.tgt[i].d.next = self.tgt[i].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.tgt_adr[i].val()) {
                self.tgt[i].d.next = self.cfg_data.val();
            }
            if self.rst.val() {
                self.tgt[i].d.next = self.tgt_rst[i].val();
            }
            self.tgt_f[i].next = self.tgt[i].q.val() ^ self.sgn.val();
        }
        for j in 0..self.lane.len() {
            self.lane[j].clock.next = self.clock.val();
            self.lane[j].rst.next = self.rst.val();
            self.lane[j].y.next = self.y[j].val();
            self.lane[j].t0.next = self.thr_f[0].val();
            self.lane[j].t1.next = self.thr_f[1].val();
            self.lane[j].t2.next = self.thr_f[2].val();
            self.lane[j].g0.next = self.tgt_f[0].val();
            self.lane[j].g1.next = self.tgt_f[1].val();
            self.lane[j].g2.next = self.tgt_f[2].val();
            self.lane[j].g3.next = self.tgt_f[3].val();
            self.symbol[j].next = self.lane[j].symbol.val();
            self.gray[j].next = self.lane[j].gray.val();
            self.err[j].next = self.lane[j].err.val();
        }
    }
}
