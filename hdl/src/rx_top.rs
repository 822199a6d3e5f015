//! Receive top: ADC samples -> FFE -> PAM-4 slicer -> baud-rate CDR, P samples per clock.
//! Exported as Verilog module `top`.
//!
//! `y$j` is the FFE output register; `symbol$j`, `gray$j`, `err$j` come from the slicer
//! register one cycle later and belong to the `y$j` of the cycle before. The CDR works on the
//! slicer's registered outputs. The configuration bus is shared: addresses 0 .. n_taps-1 go
//! to the FFE coefficients, 16 ..= 18 to the thresholds, 20 ..= 23 to the targets, 24 ..= 29
//! to the CDR; others are ignored. With `RxParams::dfe_taps` = 1 the DFE (hdl/src/dfe.rs)
//! takes the slicer's place and ports (its tap register at 35, `CFG_DFE`); its outputs
//! `symbol`, `gray`, `err` go where the slicer's went.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate` in `RxTop::new`; each block
//! reads its own): `lanes` P in {1, 2, 4, 8, 16}; FFE `n_taps` N in 2 ..= 16 and
//! `reset_coefs` (N Q2.6 codes, -128 ..= 127); slicer `thresholds` (3 Q7.1 codes,
//! -128 ..= 127, non-decreasing) and `targets` (4 Q7.1 codes, -128 ..= 127); CDR `cdr`
//! (`kp` 0 ..= 15, `ki` 0 ..= 7, `enable`, `integral`, `kick`, `lock_thr` 0 ..= 255,
//! `lock_max` 0 ..= 255, `reset_phase` 0 ..= 127).
//!
//! **Ports** (see `cporx_spec::ports` for the cycle convention; P = `RxParams::lanes`, j < P,
//! lane 0 the oldest sample of a clock)
//! * in  `clock`, `rst` (synchronous, active high), `cfg_we`, `cfg_addr[5:0]`,
//!   `cfg_data[7:0]`, `adc$j[5:0]`
//! * out `y$j[7:0]` (FFE output, Q7.1), `symbol$j[1:0]`, `gray$j[1:0]`, `err$j[8:0]` (Q8.1),
//!   `phase[6:0]` (PI code to the sampler), `lock`, `freq[19:0]` (CDR integral register)
//!
//! **Formats** (docs/numerics.md, "Formats"): ADC Q6.0; y, thresholds, targets Q7.1; err
//! Q8.1; configuration data two's complement (the CDR's registers unsigned), 8 bits; freq
//! signed 20 bits; phase a 7-bit PI code. All outputs are registered.
//!
//! **Latency**: `y$j` 6 cycles (`cporx_spec::LAT_FFE`); `symbol$j`, `gray$j`, `err$j` 7
//! (`cporx_spec::LAT_TOP` = `LAT_FFE + LAT_SLICER`); `phase` moves 4 cycles (`LAT_CDR`) after
//! the decision that caused it, 11 after the ADC sample (`LAT_TOP + LAT_CDR`). In the closed
//! loop the PI code after cycle n sets the sampling instant of cycle n + 1.
//!
//! **Reset**: one synchronous `rst` for every block, with priority over configuration
//! writes (a write in a reset cycle is lost): data registers to 0, configuration registers to
//! `RxParams` (coefficients, thresholds, targets, `cdr`), the CDR phase to `reset_phase <<
//! 20`. Power-up: every register 0, configuration included (docs/numerics.md, "Reset and
//! power-up": without a reset the outputs settle to y = 0, symbol 3, gray 10, err 0, and
//! lock from cycle 256/P on).
//!
//! See also: model `sim/model/src/rx_top.rs` (`RxTopModel`), untimed references the three
//! in series (`cporx_model::reference`), spec docs/numerics.md "Samples per clock (lanes)",
//! "Configuration bus", "Reset and power-up", "Latency and cycle convention" and
//! `spec/src/rx_top.rs`, `spec/src/ports.rs`, tests `verif/tests/rx_top.rs` (and
//! `verif/tests/equivalence.rs`, `verif/tests/power_up.rs`).

use crate::{adapt::Adapt, cdr::Cdr, dfe::Dfe, ffe::Ffe, slicer::Slicer};
use cporx_spec::*;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RxTop {
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
    /// lane j's ADC code, Q6.0 (-32 ..= 31); lane 0 is the oldest sample of the clock
    pub adc: Vec<Signal<In, Bits<ADC_BITS>>>,
    /// lane j's FFE output, Q7.1 (-64.0 ..= 63.5), rounded half up and saturated
    pub y: Vec<Signal<Out, Bits<Y_BITS>>>,
    /// lane j's decided PAM-4 symbol 0 ..= 3 (level index)
    pub symbol: Vec<Signal<Out, Bits<2>>>,
    /// lane j's Gray-coded bits of the symbol (IEEE 802.3 clause 120: 00, 01, 11, 10)
    pub gray: Vec<Signal<Out, Bits<2>>>,
    /// lane j's slicer error y - targets[symbol], Q8.1, exact
    pub err: Vec<Signal<Out, Bits<ERR_BITS>>>,
    /// phase-interpolator code, 7 bits unsigned (the top bits of the phase accumulator)
    pub phase: Signal<Out, Bits<PI_BITS>>,
    /// lock flag: 1 while the last 256-UI window had at most lock_max samples with |err| > lock_thr
    pub lock: Signal<Out, Bit>,
    /// the loop filter's integral (frequency) register, 20 bits signed, saturating
    pub freq: Signal<Out, Bits<FREQ_BITS>>,
    /// the amplifier's gain code, 0 ..= 31 (the AGC's; GAIN_UNITY without adaptation)
    pub gain: Signal<Out, Bits<GAIN_BITS>>,
    /// read-back: the register at the previous cycle's `cfg_addr` (docs/numerics.md,
    /// "Configuration bus")
    pub rd_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    rd_r: DFF<Bits<CFG_DATA_BITS>>,
    rd_c: Signal<Local, Bits<CFG_DATA_BITS>>,
    unity: Constant<Bits<GAIN_BITS>>,
    adr_gain: Constant<Bits<CFG_ADDR_BITS>>,
    zero_rd: Constant<Bits<CFG_DATA_BITS>>,
    /// what CFG_GAIN reads besides the blocks: GAIN_UNITY without the AGC, else 0
    gain_rd: Constant<Bits<CFG_DATA_BITS>>,
    /// the FFE block (hdl/src/ffe.rs)
    pub ffe: Ffe,
    /// the slicer block (hdl/src/slicer.rs), when `RxParams::dfe_taps` = 0
    pub slicer: One<Slicer>,
    /// the DFE block (hdl/src/dfe.rs) in the slicer's place, when `RxParams::dfe_taps` = 1
    pub dfe: One<Dfe>,
    /// the CDR block (hdl/src/cdr.rs)
    pub cdr: Cdr,
    /// the adaptation (hdl/src/adapt.rs): one when `RxParams::adapt` is `Some`, else none
    pub adapt: Vec<Adapt>,
}

impl RxTop {
    /// Build the receive top for `p`; an illegal parameter set is an error naming it.
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(RxTop {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            adc: (0..p.lanes).map(|_| Default::default()).collect(),
            y: (0..p.lanes).map(|_| Default::default()).collect(),
            symbol: (0..p.lanes).map(|_| Default::default()).collect(),
            gray: (0..p.lanes).map(|_| Default::default()).collect(),
            err: (0..p.lanes).map(|_| Default::default()).collect(),
            phase: Default::default(),
            lock: Default::default(),
            freq: Default::default(),
            gain: Default::default(),
            rd_data: Default::default(),
            rd_r: Default::default(),
            rd_c: Default::default(),
            unity: crate::konst(GAIN_UNITY as u64),
            adr_gain: crate::konst(CFG_GAIN as u64),
            zero_rd: crate::konst(0),
            gain_rd: crate::konst(if p.adapt.is_some() {
                0
            } else {
                GAIN_UNITY as u64
            }),
            ffe: Ffe::new(p)?,
            slicer: One(if p.dfe_taps == 0 {
                Some(Slicer::new(p)?)
            } else {
                None
            }),
            dfe: One(if p.dfe_taps == 1 {
                Some(Dfe::new(p)?)
            } else {
                None
            }),
            cdr: Cdr::new(p)?,
            adapt: Adapt::new(p)?.into_iter().collect(),
        })
    }
}

/// The two wirings, in their own module: the derived `Block` calls `self.update()` and
/// `self.connect()`, which must see `Logic`'s alone.
mod wiring {
    use super::*;

    impl Logic for RxTop {
        // the wiring of the built decision block: the slicer's (exactly the design without the
        // DFE option) or the DFE's
        fn update(&mut self) {
            if self.dfe.is_some() {
                DfeWiring::update(self)
            } else {
                SlicerWiring::update(self)
            }
        }
        fn connect(&mut self) {
            if self.dfe.is_some() {
                DfeWiring::connect(self)
            } else {
                SlicerWiring::connect(self)
            }
        }
        fn hdl(&self) -> ast::Verilog {
            if self.dfe.is_some() {
                DfeWiring::hdl(self)
            } else {
                SlicerWiring::hdl(self)
            }
        }
    }

    /// The top's wiring with the slicer (`RxParams::dfe_taps` = 0).
    trait SlicerWiring {
        fn update(&mut self);
        fn connect(&mut self);
        fn hdl(&self) -> ast::Verilog;
    }

    /// The top's wiring with the DFE (`RxParams::dfe_taps` = 1): the slicer's, the DFE in its
    /// place.
    trait DfeWiring {
        fn update(&mut self);
        fn connect(&mut self);
        fn hdl(&self) -> ast::Verilog;
    }

    impl SlicerWiring for RxTop {
        #[hdl_gen]
        fn update(&mut self) {
            self.ffe.clock.next = self.clock.val();
            self.ffe.rst.next = self.rst.val();
            self.ffe.cfg_we.next = self.cfg_we.val();
            self.ffe.cfg_addr.next = self.cfg_addr.val();
            self.ffe.rd_addr.next = self.cfg_addr.val();
            self.ffe.cfg_data.next = self.cfg_data.val();
            for j in 0..self.adc.len() {
                self.ffe.adc[j].next = self.adc[j].val();
                self.slicer.y[j].next = self.ffe.y[j].val();
                self.y[j].next = self.ffe.y[j].val();
                self.symbol[j].next = self.slicer.symbol[j].val();
                self.gray[j].next = self.slicer.gray[j].val();
                self.err[j].next = self.slicer.err[j].val();
                self.cdr.symbol[j].next = self.slicer.symbol[j].val();
                self.cdr.err[j].next = self.slicer.err[j].val();
            }
            self.slicer.clock.next = self.clock.val();
            self.slicer.rst.next = self.rst.val();
            self.slicer.cfg_we.next = self.cfg_we.val();
            self.slicer.cfg_addr.next = self.cfg_addr.val();
            self.slicer.rd_addr.next = self.cfg_addr.val();
            self.slicer.cfg_data.next = self.cfg_data.val();
            self.cdr.clock.next = self.clock.val();
            self.cdr.rst.next = self.rst.val();
            self.cdr.cfg_we.next = self.cfg_we.val();
            self.cdr.cfg_addr.next = self.cfg_addr.val();
            self.cdr.cfg_data.next = self.cfg_data.val();
            // read-back: every block's register at cfg_addr, registered; the gain code
            self.gain.next = self.unity.val();
            self.rd_c.next = self.ffe.rd.val() | self.slicer.rd.val() | self.cdr.rd.val();
            if self.cfg_addr.val() == self.adr_gain.val() {
                self.rd_c.next = self.rd_c.val() | self.gain_rd.val();
            }
            // the adaptation's write ports take the FFE's and the slicer's write inputs in the
            // clocks the bus does not write (the bus wins; a dropped port write comes again)
            for a in 0..self.adapt.len() {
                self.adapt[a].clock.next = self.clock.val();
                self.adapt[a].rst.next = self.rst.val();
                self.adapt[a].cfg_we.next = self.cfg_we.val();
                self.adapt[a].cfg_addr.next = self.cfg_addr.val();
                self.adapt[a].cfg_data.next = self.cfg_data.val();
                self.adapt[a].symbol0.next = self.slicer.symbol[0].val();
                self.adapt[a].err0.next = self.slicer.err[0].val();
                self.adapt[a].blk.next = self.ffe.blk_out[a].val();
                if !self.cfg_we.val() && self.adapt[a].ffe_we.val() {
                    self.ffe.cfg_we.next = true;
                    self.ffe.cfg_addr.next = self.adapt[a].ffe_addr.val();
                    self.ffe.cfg_data.next = self.adapt[a].ffe_data.val();
                }
                self.gain.next = self.adapt[a].gain.val();
                self.rd_c.next = self.rd_c.val() | self.adapt[a].rd.val();
                if !self.cfg_we.val() && self.adapt[a].slc_we.val() {
                    self.slicer.cfg_we.next = true;
                    self.slicer.cfg_addr.next = self.adapt[a].slc_addr.val();
                    self.slicer.cfg_data.next = self.adapt[a].slc_data.val();
                }
            }
            self.rd_r.clock.next = self.clock.val();
            self.rd_r.d.next = self.rd_c.val();
            if self.rst.val() {
                self.rd_r.d.next = self.zero_rd.val();
            }
            self.rd_data.next = self.rd_r.q.val();
            self.phase.next = self.cdr.phase.val();
            self.lock.next = self.cdr.lock.val();
            self.freq.next = self.cdr.freq.val();
        }
    }

    impl DfeWiring for RxTop {
        #[hdl_gen]
        fn update(&mut self) {
            self.ffe.clock.next = self.clock.val();
            self.ffe.rst.next = self.rst.val();
            self.ffe.cfg_we.next = self.cfg_we.val();
            self.ffe.cfg_addr.next = self.cfg_addr.val();
            self.ffe.rd_addr.next = self.cfg_addr.val();
            self.ffe.cfg_data.next = self.cfg_data.val();
            for j in 0..self.adc.len() {
                self.ffe.adc[j].next = self.adc[j].val();
                self.dfe.y[j].next = self.ffe.y[j].val();
                self.y[j].next = self.ffe.y[j].val();
                self.symbol[j].next = self.dfe.symbol[j].val();
                self.gray[j].next = self.dfe.gray[j].val();
                self.err[j].next = self.dfe.err[j].val();
                self.cdr.symbol[j].next = self.dfe.symbol[j].val();
                self.cdr.err[j].next = self.dfe.err[j].val();
            }
            self.dfe.clock.next = self.clock.val();
            self.dfe.rst.next = self.rst.val();
            self.dfe.cfg_we.next = self.cfg_we.val();
            self.dfe.cfg_addr.next = self.cfg_addr.val();
            self.dfe.rd_addr.next = self.cfg_addr.val();
            self.dfe.cfg_data.next = self.cfg_data.val();
            self.cdr.clock.next = self.clock.val();
            self.cdr.rst.next = self.rst.val();
            self.cdr.cfg_we.next = self.cfg_we.val();
            self.cdr.cfg_addr.next = self.cfg_addr.val();
            self.cdr.cfg_data.next = self.cfg_data.val();
            // read-back: every block's register at cfg_addr, registered; the gain code
            self.gain.next = self.unity.val();
            self.rd_c.next = self.ffe.rd.val() | self.dfe.rd.val() | self.cdr.rd.val();
            if self.cfg_addr.val() == self.adr_gain.val() {
                self.rd_c.next = self.rd_c.val() | self.gain_rd.val();
            }
            // the adaptation's write ports take the FFE's and the slicer's write inputs in the
            // clocks the bus does not write (the bus wins; a dropped port write comes again)
            for a in 0..self.adapt.len() {
                self.adapt[a].clock.next = self.clock.val();
                self.adapt[a].rst.next = self.rst.val();
                self.adapt[a].cfg_we.next = self.cfg_we.val();
                self.adapt[a].cfg_addr.next = self.cfg_addr.val();
                self.adapt[a].cfg_data.next = self.cfg_data.val();
                self.adapt[a].symbol0.next = self.dfe.symbol[0].val();
                self.adapt[a].err0.next = self.dfe.err[0].val();
                self.adapt[a].blk.next = self.ffe.blk_out[a].val();
                if !self.cfg_we.val() && self.adapt[a].ffe_we.val() {
                    self.ffe.cfg_we.next = true;
                    self.ffe.cfg_addr.next = self.adapt[a].ffe_addr.val();
                    self.ffe.cfg_data.next = self.adapt[a].ffe_data.val();
                }
                self.gain.next = self.adapt[a].gain.val();
                self.rd_c.next = self.rd_c.val() | self.adapt[a].rd.val();
                if !self.cfg_we.val() && self.adapt[a].slc_we.val() {
                    self.dfe.cfg_we.next = true;
                    self.dfe.cfg_addr.next = self.adapt[a].slc_addr.val();
                    self.dfe.cfg_data.next = self.adapt[a].slc_data.val();
                }
            }
            self.rd_r.clock.next = self.clock.val();
            self.rd_r.d.next = self.rd_c.val();
            if self.rst.val() {
                self.rd_r.d.next = self.zero_rd.val();
            }
            self.rd_data.next = self.rd_r.q.val();
            self.phase.next = self.cdr.phase.val();
            self.lock.next = self.cdr.lock.val();
            self.freq.next = self.cdr.freq.val();
        }
    }
}

/// Zero or one block under the field's own name: `Some` is exported exactly as a plain
/// field of that block would be (no `$0` suffix, unlike a `Vec`), `None` exports nothing.
/// It dereferences to the block (a panic when there is none: only the wiring of the
/// design that has it touches it).
pub struct One<B>(pub Option<B>);

impl<B> One<B> {
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

impl<B> std::ops::Deref for One<B> {
    type Target = B;
    fn deref(&self) -> &B {
        self.0.as_ref().expect("the block is built")
    }
}

impl<B> std::ops::DerefMut for One<B> {
    fn deref_mut(&mut self) -> &mut B {
        self.0.as_mut().expect("the block is built")
    }
}

impl<B: Block> Logic for One<B> {
    fn update(&mut self) {}
}

impl<B: Block> Block for One<B> {
    fn connect_all(&mut self) {
        if let Some(b) = &mut self.0 {
            b.connect_all();
        }
    }
    fn update_all(&mut self) {
        if let Some(b) = &mut self.0 {
            b.update_all();
        }
    }
    fn has_changed(&self) -> bool {
        self.0.as_ref().is_some_and(|b| b.has_changed())
    }
    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        if let Some(b) = &self.0 {
            b.accept(name, probe);
        }
    }
}
