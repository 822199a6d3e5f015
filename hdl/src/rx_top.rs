//! Receive top: ADC samples -> FFE -> PAM-4 slicer -> baud-rate CDR. Exported as Verilog
//! module `top`.
//!
//! Ports (see cporx_spec::ports for the cycle convention; P = `RxParams::lanes`, j < P,
//! lane 0 the oldest sample of a clock)
//! * in  `clock`, `rst`, `cfg_we`, `cfg_addr[4:0]`, `cfg_data[7:0]`, `adc$j[5:0]`
//! * out `y$j[7:0]` (FFE output, Q7.1), `symbol$j[1:0]`, `gray$j[1:0]`, `err$j[8:0]` (Q8.1),
//!   `phase[6:0]` (PI code to the sampler), `lock`, `freq[19:0]` (CDR integral register)
//!
//! `y$j` is the FFE output register (latency 6); `symbol$j`, `gray$j`, `err$j` come from the
//! slicer register one cycle later (latency 7) and belong to the `y$j` of the cycle before.
//! The CDR works on the slicer's registered outputs; `phase` moves 4 cycles after the
//! decision that caused it (11 after the ADC sample).
//! The configuration bus is shared: addresses 0..n_taps-1 go to the FFE coefficients,
//! 16..18 to the thresholds, 20..23 to the targets, 24..29 to the CDR; others are ignored.

use crate::{cdr::Cdr, ffe::Ffe, slicer::Slicer};
use cporx_spec::*;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RxTop {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    pub adc: Vec<Signal<In, Bits<ADC_BITS>>>,
    pub y: Vec<Signal<Out, Bits<Y_BITS>>>,
    pub symbol: Vec<Signal<Out, Bits<2>>>,
    pub gray: Vec<Signal<Out, Bits<2>>>,
    pub err: Vec<Signal<Out, Bits<ERR_BITS>>>,
    pub phase: Signal<Out, Bits<PI_BITS>>,
    pub lock: Signal<Out, Bit>,
    pub freq: Signal<Out, Bits<FREQ_BITS>>,
    pub ffe: Ffe,
    pub slicer: Slicer,
    pub cdr: Cdr,
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
            ffe: Ffe::new(p)?,
            slicer: Slicer::new(p)?,
            cdr: Cdr::new(p)?,
        })
    }
}

impl Logic for RxTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.ffe.clock.next = self.clock.val();
        self.ffe.rst.next = self.rst.val();
        self.ffe.cfg_we.next = self.cfg_we.val();
        self.ffe.cfg_addr.next = self.cfg_addr.val();
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
        self.slicer.cfg_data.next = self.cfg_data.val();
        self.cdr.clock.next = self.clock.val();
        self.cdr.rst.next = self.rst.val();
        self.cdr.cfg_we.next = self.cfg_we.val();
        self.cdr.cfg_addr.next = self.cfg_addr.val();
        self.cdr.cfg_data.next = self.cfg_data.val();
        self.phase.next = self.cdr.phase.val();
        self.lock.next = self.cdr.lock.val();
        self.freq.next = self.cdr.freq.val();
    }
}
