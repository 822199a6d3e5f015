//! Adapt: the receive top's adaptation, built when `RxParams::adapt` is `Some`: the
//! control registers on the configuration bus, the sign-sign LMS (`lms.rs`) and the
//! slicer-level adaptation (`levels.rs`), whose write ports the top arbitrates against
//! the bus (the bus wins; a dropped port write comes round again), and the gain control
//! (`agc.rs`), whose gain code leaves the top for the analog front end.
//!
//! ```text
//! LMS    <- bus, adc$j, err0, enable = CTRL[0], mu = MU[3:0], freeze = freeze_mask(FREEZE)
//! levels <- bus, symbol0, err0, enable = CTRL[1], mu = MU[7:4]
//! AGC    <- bus, adc$j, enable = CTRL[2]
//! CTRL, MU, FREEZE <- the bus at CFG_ADAPT (19), CFG_ADAPT_MU (30), CFG_LMS_FREEZE (31)
//! freeze_mask: bit m if FREEZE[4], bit m-1 if FREEZE[5] and m >= 1, bit m+1 if FREEZE[6]
//! ```
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): `adapt` (`AdaptParams`:
//! the registers' reset values; `lms_mu`, `levels_mu` 0 ..= 15, `main_tap` 0 ..= n_taps-1)
//! and what the LMS and levels read (`lanes`, `n_taps`, `reset_coefs`, `targets`).
//! **Ports**:
//! * in  `clock`, `rst`, `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`
//! * in  `blk[185:0]` (this clock's ADC block from the FFE: lane j at sample P-1-j),
//!   `symbol0[1:0]`, `err0[8:0]` (lane 0's slicer registers)
//! * out `ffe_we`, `ffe_addr[5:0]`, `ffe_data[7:0]`: the LMS's coefficient writes
//! * out `slc_we`, `slc_addr[5:0]`, `slc_data[7:0]`: the levels' slicer-register writes
//! * out `gain[4:0]`: the AGC's gain code; `rd[7:0]`: the read-back of CTRL, MU, FREEZE
//!   and the AGC's registers at `cfg_addr` (combinational; 0 elsewhere)
//! **Formats**: those of the LMS and levels; the registers hold raw 8-bit patterns
//! (CTRL 4 bits, MU 8, FREEZE 7; CTRL bit 3 enables the DFE tap's adaptation, which the
//! DFE block keeps beside its tap: hdl/src/dfe.rs).
//! **Latency**: a register written at edge c steers the loops from edge c + 1.
//! **Reset**: the registers to `AdaptParams::{ctrl, mu, freeze}()`, the loops as theirs.
//! Power-up: every register 0 (both loops off).
//!
//! See also: model `sim/model/src/adapt.rs` (`AdaptModel`), spec docs/numerics.md
//! "Adaptation in the receive top" and `spec/src/rx_top.rs`, tests `verif/tests/rx_top.rs`
//! and `verif/tests/equivalence.rs`.

use crate::agc::Agc;
use crate::konst;
use crate::levels::Levels;
use crate::lms::Lms;
use cporx_spec::*;
use rust_hdl::prelude::*;

/// One lane's ADC code taken from the block bus at a constant offset (wiring).
#[derive(LogicBlock)]
pub struct Unpack {
    pub blk: Signal<In, Bits<HIST_BITS>>,
    pub x: Signal<Out, Bits<ADC_BITS>>,
    off: Constant<Bits<8>>,
}

impl Unpack {
    fn new(off: usize) -> Self {
        Unpack {
            blk: Default::default(),
            x: Default::default(),
            off: konst(off as u64),
        }
    }
}

impl Logic for Unpack {
    #[hdl_gen]
    fn update(&mut self) {
        self.x.next = self.blk.val().get_bits::<ADC_BITS>(self.off.val().index());
    }
}

#[derive(LogicBlock)]
pub struct Adapt {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// this clock's ADC block as the FFE places it on its history bus (lane j at sample
    /// P-1-j, ADC_BITS bits each)
    pub blk: Signal<In, Bits<HIST_BITS>>,
    /// lane 0's symbol register
    pub symbol0: Signal<In, Bits<2>>,
    /// lane 0's error register, Q8.1
    pub err0: Signal<In, Bits<ERR_BITS>>,
    /// the LMS's write port (into the FFE's coefficient registers)
    pub ffe_we: Signal<Out, Bit>,
    pub ffe_addr: Signal<Out, Bits<CFG_ADDR_BITS>>,
    pub ffe_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    /// the levels' write port (into the slicer's threshold and target registers)
    pub slc_we: Signal<Out, Bit>,
    pub slc_addr: Signal<Out, Bits<CFG_ADDR_BITS>>,
    pub slc_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    /// the AGC's gain code to the amplifier
    pub gain: Signal<Out, Bits<GAIN_BITS>>,
    /// read-back: CTRL, MU, FREEZE and the AGC's registers at their addresses, 0 elsewhere
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    pub lms: Lms,
    pub levels: Levels,
    pub agc: Agc,
    unpack: Vec<Unpack>,
    ctrl_r: DFF<Bits<4>>,
    mu_r: DFF<Bits<8>>,
    frz_r: DFF<Bits<7>>,
    m5: Signal<Local, Bits<5>>,
    mask: Signal<Local, Bits<MAX_TAPS>>,
    a_ctrl: Constant<Bits<CFG_ADDR_BITS>>,
    a_mu: Constant<Bits<CFG_ADDR_BITS>>,
    a_frz: Constant<Bits<CFG_ADDR_BITS>>,
    rst_ctrl: Constant<Bits<4>>,
    rst_mu: Constant<Bits<8>>,
    rst_frz: Constant<Bits<7>>,
    one16: Constant<Bits<MAX_TAPS>>,
    zero16: Constant<Bits<MAX_TAPS>>,
    one5: Constant<Bits<5>>,
    zero5: Constant<Bits<5>>,
    hi_nib: Constant<Bits<3>>,
    b4: Constant<Bits<3>>,
    b5: Constant<Bits<3>>,
    b6: Constant<Bits<3>>,
    b1: Constant<Bits<2>>,
    b2: Constant<Bits<2>>,
}

impl Adapt {
    /// The adaptation for `p`, `None` when `p.adapt` is `None`.
    pub fn new(p: &RxParams) -> Result<Option<Self>, ParamError> {
        p.validate()?;
        let Some(a) = &p.adapt else { return Ok(None) };
        Ok(Some(Adapt {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            blk: Default::default(),
            symbol0: Default::default(),
            err0: Default::default(),
            ffe_we: Default::default(),
            ffe_addr: Default::default(),
            ffe_data: Default::default(),
            slc_we: Default::default(),
            slc_addr: Default::default(),
            slc_data: Default::default(),
            gain: Default::default(),
            rd: Default::default(),
            lms: Lms::new(p)?,
            levels: Levels::new(p)?,
            agc: Agc::new(p)?.expect("adapt is Some"),
            unpack: (0..p.lanes)
                .map(|j| Unpack::new(ADC_BITS * (p.lanes - 1 - j)))
                .collect(),
            ctrl_r: Default::default(),
            mu_r: Default::default(),
            frz_r: Default::default(),
            m5: Default::default(),
            mask: Default::default(),
            a_ctrl: konst(CFG_ADAPT as u64),
            a_mu: konst(CFG_ADAPT_MU as u64),
            a_frz: konst(CFG_LMS_FREEZE as u64),
            rst_ctrl: konst(a.ctrl() as u64),
            rst_mu: konst(a.mu() as u64),
            rst_frz: konst(a.freeze() as u64),
            one16: konst(1),
            zero16: konst(0),
            one5: konst(1),
            zero5: konst(0),
            hi_nib: konst(4),
            b4: konst(4),
            b5: konst(5),
            b6: konst(6),
            b1: konst(1),
            b2: konst(2),
        }))
    }
}

impl Logic for Adapt {
    #[hdl_gen]
    fn update(&mut self) {
        self.ctrl_r.clock.next = self.clock.val();
        self.mu_r.clock.next = self.clock.val();
        self.frz_r.clock.next = self.clock.val();
        // the freeze mask from FREEZE (shifts past bit 15 drop out)
        self.m5.next = bit_cast::<5, 4>(self.frz_r.q.val().get_bits::<4>(0));
        self.mask.next = self.zero16.val();
        if self.frz_r.q.val().get_bit(self.b4.val().index()) {
            self.mask.next = self.mask.val() | (self.one16.val() << self.m5.val());
        }
        if self.frz_r.q.val().get_bit(self.b5.val().index()) && (self.m5.val() != self.zero5.val())
        {
            self.mask.next =
                self.mask.val() | (self.one16.val() << (self.m5.val() - self.one5.val()));
        }
        if self.frz_r.q.val().get_bit(self.b6.val().index()) {
            self.mask.next =
                self.mask.val() | (self.one16.val() << (self.m5.val() + self.one5.val()));
        }
        // the LMS
        self.lms.clock.next = self.clock.val();
        self.lms.rst.next = self.rst.val();
        self.lms.cfg_we.next = self.cfg_we.val();
        self.lms.cfg_addr.next = self.cfg_addr.val();
        self.lms.cfg_data.next = self.cfg_data.val();
        for j in 0..self.unpack.len() {
            self.unpack[j].blk.next = self.blk.val();
            self.lms.adc[j].next = self.unpack[j].x.val();
        }
        self.lms.err.next = self.err0.val();
        self.lms.enable.next = self.ctrl_r.q.val().get_bit(0);
        self.lms.mu.next = self.mu_r.q.val().get_bits::<4>(0);
        self.lms.freeze.next = self.mask.val();
        // the levels
        self.levels.clock.next = self.clock.val();
        self.levels.rst.next = self.rst.val();
        self.levels.cfg_we.next = self.cfg_we.val();
        self.levels.cfg_addr.next = self.cfg_addr.val();
        self.levels.cfg_data.next = self.cfg_data.val();
        self.levels.symbol.next = self.symbol0.val();
        self.levels.err.next = self.err0.val();
        self.levels.enable.next = self.ctrl_r.q.val().get_bit(self.b1.val().index());
        self.levels.mu.next = self.mu_r.q.val().get_bits::<4>(self.hi_nib.val().index());
        // the AGC
        self.agc.clock.next = self.clock.val();
        self.agc.rst.next = self.rst.val();
        self.agc.cfg_we.next = self.cfg_we.val();
        self.agc.cfg_addr.next = self.cfg_addr.val();
        self.agc.cfg_data.next = self.cfg_data.val();
        for j in 0..self.unpack.len() {
            self.agc.adc[j].next = self.unpack[j].x.val();
        }
        self.agc.enable.next = self.ctrl_r.q.val().get_bit(self.b2.val().index());
        self.gain.next = self.agc.gain.val();
        // read-back
        self.rd.next = self.agc.rd.val();
        if self.cfg_addr.val() == self.a_ctrl.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, 4>(self.ctrl_r.q.val());
        }
        if self.cfg_addr.val() == self.a_mu.val() {
            self.rd.next = self.mu_r.q.val();
        }
        if self.cfg_addr.val() == self.a_frz.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, 7>(self.frz_r.q.val());
        }
        // the write ports
        self.ffe_we.next = self.lms.wr_we.val();
        self.ffe_addr.next = self.lms.wr_addr.val();
        self.ffe_data.next = self.lms.wr_data.val();
        self.slc_we.next = self.levels.wr_we.val();
        self.slc_addr.next = self.levels.wr_addr.val();
        self.slc_data.next = self.levels.wr_data.val();
        // the registers
        self.ctrl_r.d.next = self.ctrl_r.q.val();
        self.mu_r.d.next = self.mu_r.q.val();
        self.frz_r.d.next = self.frz_r.q.val();
        if self.cfg_we.val() && (self.cfg_addr.val() == self.a_ctrl.val()) {
            self.ctrl_r.d.next = self.cfg_data.val().get_bits::<4>(0);
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.a_mu.val()) {
            self.mu_r.d.next = self.cfg_data.val();
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.a_frz.val()) {
            self.frz_r.d.next = self.cfg_data.val().get_bits::<7>(0);
        }
        if self.rst.val() {
            self.ctrl_r.d.next = self.rst_ctrl.val();
            self.mu_r.d.next = self.rst_mu.val();
            self.frz_r.d.next = self.rst_frz.val();
        }
    }
}
