//! PAM-4 slicer: three programmable thresholds, four programmable target levels.
//!
//! symbol = 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0, else 0 (signed compares)
//! gray   = IEEE 802.3 Gray bits of the symbol (0->00, 1->01, 2->11, 3->10)
//! err    = y - target[symbol], exact in Q8.1 (9 bits; never saturates)
//!
//! Ports
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `cfg_we`, `cfg_addr[4:0]`, `cfg_data[7:0]`: thresholds at 16..18, targets at 20..23
//! * in  `y[7:0]`: equalized sample, Q7.1
//! * out `symbol[1:0]`, `gray[1:0]`, `err[8:0]` (Q8.1)
//!
//! Latency: 1 cycle (one output register). Reset: outputs to 0, thresholds and targets to
//! `RxParams::thresholds` / `RxParams::targets`. The priority form above gives a defined
//! decision even for unordered thresholds written at run time.

use crate::konst;
use cporx_spec::*;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Slicer {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    pub y: Signal<In, Bits<Y_BITS>>,
    pub symbol: Signal<Out, Bits<2>>,
    pub gray: Signal<Out, Bits<2>>,
    pub err: Signal<Out, Bits<ERR_BITS>>,
    // registers
    thr: Vec<DFF<Bits<LEVEL_BITS>>>,
    tgt: Vec<DFF<Bits<LEVEL_BITS>>>,
    sym_r: DFF<Bits<2>>,
    gray_r: DFF<Bits<2>>,
    err_r: DFF<Bits<ERR_BITS>>,
    // locals
    y_f: Signal<Local, Bits<LEVEL_BITS>>,
    thr_f: Vec<Signal<Local, Bits<LEVEL_BITS>>>,
    d_sym: Signal<Local, Bits<2>>,
    d_gray: Signal<Local, Bits<2>>,
    tgt_f: Vec<Signal<Local, Bits<LEVEL_BITS>>>,
    diff: Vec<Signal<Local, Bits<ERR_BITS>>>,
    // constants
    thr_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    tgt_rst: Vec<Constant<Bits<LEVEL_BITS>>>,
    thr_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    tgt_adr: Vec<Constant<Bits<CFG_ADDR_BITS>>>,
    sym_k: Vec<Constant<Bits<2>>>,
    gray_k: Vec<Constant<Bits<2>>>,
    sgn: Constant<Bits<LEVEL_BITS>>,
    zero2: Constant<Bits<2>>,
    zero_err: Constant<Bits<ERR_BITS>>,
}

impl Slicer {
    pub fn new(p: &RxParams) -> Self {
        p.validate().expect("Slicer::new needs validated RxParams");
        let lvl = |v: i32| konst::<LEVEL_BITS>(to_raw(v, LEVEL_BITS) as u64);
        Slicer {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            y: Default::default(),
            symbol: Default::default(),
            gray: Default::default(),
            err: Default::default(),
            thr: (0..3).map(|_| Default::default()).collect(),
            tgt: (0..4).map(|_| Default::default()).collect(),
            sym_r: Default::default(),
            gray_r: Default::default(),
            err_r: Default::default(),
            y_f: Default::default(),
            thr_f: (0..3).map(|_| Default::default()).collect(),
            d_sym: Default::default(),
            d_gray: Default::default(),
            tgt_f: (0..4).map(|_| Default::default()).collect(),
            diff: (0..4).map(|_| Default::default()).collect(),
            thr_rst: p.thresholds.iter().map(|&t| lvl(t)).collect(),
            tgt_rst: p.targets.iter().map(|&t| lvl(t)).collect(),
            thr_adr: (0..3).map(|j| konst(CFG_THRESH_BASE as u64 + j)).collect(),
            tgt_adr: (0..4).map(|j| konst(CFG_TARGET_BASE as u64 + j)).collect(),
            sym_k: (0..4).map(|s| konst(s)).collect(),
            gray_k: (0..4u8).map(|s| konst(gray_bits(s) as u64)).collect(),
            sgn: konst(1 << (LEVEL_BITS - 1)),
            zero2: konst(0),
            zero_err: konst(0),
        }
    }
}

impl Logic for Slicer {
    #[hdl_gen]
    fn update(&mut self) {
        for j in 0..3 {
            self.thr[j].clock.next = self.clock.val();
            self.thr[j].d.next = self.thr[j].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.thr_adr[j].val()) {
                self.thr[j].d.next = self.cfg_data.val();
            }
            self.thr_f[j].next = self.thr[j].q.val() ^ self.sgn.val();
        }
        for j in 0..4 {
            self.tgt[j].clock.next = self.clock.val();
            self.tgt[j].d.next = self.tgt[j].q.val();
            if self.cfg_we.val() && (self.cfg_addr.val() == self.tgt_adr[j].val()) {
                self.tgt[j].d.next = self.cfg_data.val();
            }
            self.tgt_f[j].next = self.tgt[j].q.val() ^ self.sgn.val();
        }
        self.sym_r.clock.next = self.clock.val();
        self.gray_r.clock.next = self.clock.val();
        self.err_r.clock.next = self.clock.val();
        // decision: signed compares as unsigned compares of sign-flipped codes
        self.y_f.next = self.y.val() ^ self.sgn.val();
        // y - L[j] for all four targets in parallel with the compares (the decision then
        // only selects): y - t == (y ^ S) - (t ^ S), exact in 9 bits (-255 ..= 255)
        // (written out: rust-hdl's bit_cast cannot take a loop index)
        self.diff[0].next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.tgt_f[0].val());
        self.diff[1].next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.tgt_f[1].val());
        self.diff[2].next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.tgt_f[2].val());
        self.diff[3].next = bit_cast::<ERR_BITS, LEVEL_BITS>(self.y_f.val())
            - bit_cast::<ERR_BITS, LEVEL_BITS>(self.tgt_f[3].val());
        if self.y_f.val() >= self.thr_f[2].val() {
            self.d_sym.next = self.sym_k[3].val();
            self.d_gray.next = self.gray_k[3].val();
            self.err_r.d.next = self.diff[3].val();
        } else if self.y_f.val() >= self.thr_f[1].val() {
            self.d_sym.next = self.sym_k[2].val();
            self.d_gray.next = self.gray_k[2].val();
            self.err_r.d.next = self.diff[2].val();
        } else if self.y_f.val() >= self.thr_f[0].val() {
            self.d_sym.next = self.sym_k[1].val();
            self.d_gray.next = self.gray_k[1].val();
            self.err_r.d.next = self.diff[1].val();
        } else {
            self.d_sym.next = self.sym_k[0].val();
            self.d_gray.next = self.gray_k[0].val();
            self.err_r.d.next = self.diff[0].val();
        }
        self.sym_r.d.next = self.d_sym.val();
        self.gray_r.d.next = self.d_gray.val();
        if self.rst.val() {
            for j in 0..3 {
                self.thr[j].d.next = self.thr_rst[j].val();
            }
            for j in 0..4 {
                self.tgt[j].d.next = self.tgt_rst[j].val();
            }
            self.sym_r.d.next = self.zero2.val();
            self.gray_r.d.next = self.zero2.val();
            self.err_r.d.next = self.zero_err.val();
        }
        self.symbol.next = self.sym_r.q.val();
        self.gray.next = self.gray_r.q.val();
        self.err.next = self.err_r.q.val();
    }
}
