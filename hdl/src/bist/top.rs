//! BIST top: the self-testing receive top for a board without an analog front end.
//!
//! ```text
//! PRBS13Q generator -> digital channel emulator (ISI + noise -> ADC codes)
//!   -> receive top (FFE, slicer, CDR; P lanes) -> PRBS13Q checker -> UART report, LEDs
//! ```
//!
//! The receive top's configuration registers start at their `RxParams` reset values and
//! are written over `uart_rx` (`UartRx`); the checker counts while the receiver's CDR reports
//! lock. The CDR's phase code has no sampler to steer here (the channel is digital), so the
//! loop runs but nothing follows it; its lock detector still gates the checker.
//!
//! **Parameters**: `RxParams` (every field, through `RxTop::new`: see `hdl/src/rx_top.rs`)
//! and `BistParams` (`lanes`, `taps`, `noise_amp`, `noise_seed`, `uart_div`,
//! `report_interval`; see the blocks), checked together by `BistParams::check_rx`: both
//! valid and `BistParams::lanes` = `RxParams::lanes` (P in {1, 2, 4, 8, 16}).
//!
//! **Ports** (P = `RxParams::lanes` = `BistParams::lanes`)
//! * in  `clock`, `rst` (synchronous, active high; the board top drives it from a
//!   power-on reset and a button)
//! * in  `inject`: each rising edge flips one transmitted symbol (a button: an error the
//!   counters and LEDs must show)
//! * in  `send`: send a UART report line now
//! * in  `uart_rx`: serial configuration (idle high): an address byte `0x80 | addr` then a
//!   data byte write the receive top's configuration register (`UartRx`), so FFE taps,
//!   slicer levels and CDR settings can be changed on the board
//! * out `leds[7:0]`: led k lit iff bit errors >= 16^k (all off: no error)
//! * out `tx`: UART, 8N1, `BistParams::uart_div` clocks per bit, idle high
//! * out `bit_errs`, `sym_errs`, `symbols` (32 bits, saturating), `synced`, `lock`,
//!   `busy`, `phase[6:0]`: the checker's counters, the receiver's CDR lock and PI code, the
//!   UART's busy flag (for simulation and for a board with more pins; the board top leaves
//!   them inside)
//!
//! **Formats**: those of the blocks: levels 0 ..= 3 between generator, channel and checker,
//! 6-bit ADC codes into the receive top, 32-bit counters, ASCII 8N1 on `tx`.
//!
//! **Latency**: generator 1 (`LAT_GEN`), channel 5 (`LAT_CHAN`), receiver 7 (to the
//! decision, `LAT_TOP`), checker 5 (to the counters, `LAT_CHK`); a configuration write is
//! registered in `UartRx` and lands in the receive top at the next edge.
//!
//! **Reset**: one `rst` for every block: each block's reset (the receive top's
//! configuration registers to `RxParams`, the channel's LFSRs to their seeds, counters 0,
//! UART idle). Power-up: every register 0 (the receive top's configuration too, until a
//! reset).
//!
//! See also: model `sim/model/src/bist/top.rs` (`BistTopModel`), spec docs/bist.md "The
//! BIST top and the board tops" (and docs/numerics.md for the receive top), tests
//! `verif/tests/bist_top.rs`.

use super::{ChanEmu, PrbsChk, PrbsGen, UartRx, UartTx};
use crate::RxTop;
use cporx_spec::bist::BistParams;
use cporx_spec::*;
use rust_hdl::prelude::*;

/// The BIST top's datapath without the report transmitter: generator, channel emulator,
/// receive top, checker and the configuration receiver, on one clock. [`BistTop`] is it
/// plus the `UartTx` on the same clock; the board top (`board.rs`) puts the `UartTx` on a
/// slower clock behind a clock-domain crossing (`SnapCdc`), so that the receive datapath's
/// clock is not held back by the report logic.
///
/// **Ports**: in `clock`, `rst`, `inject`, `uart_rx`; out `bit_errs`, `sym_errs`,
/// `symbols`, `synced`, `lock`, `phase` (as [`BistTop`]'s).
#[derive(LogicBlock)]
pub struct BistCore {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub inject: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub bit_errs: Signal<Out, Bits<32>>,
    pub sym_errs: Signal<Out, Bits<32>>,
    pub symbols: Signal<Out, Bits<32>>,
    pub synced: Signal<Out, Bit>,
    pub lock: Signal<Out, Bit>,
    pub phase: Signal<Out, Bits<PI_BITS>>,
    pub gen: PrbsGen,
    pub chan: ChanEmu,
    pub rx: RxTop,
    pub chk: PrbsChk,
    pub cfg: UartRx,
}

impl BistCore {
    /// As [`BistTop::new`] (the configuration receiver at `b.uart_div`).
    pub fn new(rx: &RxParams, b: &BistParams) -> Result<Self, ParamError> {
        b.check_rx(rx)?;
        Ok(BistCore {
            clock: Default::default(),
            rst: Default::default(),
            inject: Default::default(),
            uart_rx: Default::default(),
            bit_errs: Default::default(),
            sym_errs: Default::default(),
            symbols: Default::default(),
            synced: Default::default(),
            lock: Default::default(),
            phase: Default::default(),
            gen: PrbsGen::new(b.lanes)?,
            chan: ChanEmu::new(&b.taps, b.noise_amp, &b.lane_seeds())?,
            rx: RxTop::new(rx)?,
            chk: PrbsChk::new(b.lanes)?,
            cfg: UartRx::new(b.uart_div)?,
        })
    }
}

impl Logic for BistCore {
    #[hdl_gen]
    fn update(&mut self) {
        self.gen.clock.next = self.clock.val();
        self.gen.rst.next = self.rst.val();
        self.gen.inject.next = self.inject.val();
        self.chan.clock.next = self.clock.val();
        self.chan.rst.next = self.rst.val();
        self.rx.clock.next = self.clock.val();
        self.rx.rst.next = self.rst.val();
        self.cfg.clock.next = self.clock.val();
        self.cfg.rst.next = self.rst.val();
        self.cfg.rx.next = self.uart_rx.val();
        self.rx.cfg_we.next = self.cfg.cfg_we.val();
        self.rx.cfg_addr.next = self.cfg.cfg_addr.val();
        self.rx.cfg_data.next = self.cfg.cfg_data.val();
        self.chk.clock.next = self.clock.val();
        self.chk.rst.next = self.rst.val();
        self.chk.valid.next = self.rx.lock.val();
        for j in 0..self.gen.symbol.len() {
            self.chan.symbol[j].next = self.gen.symbol[j].val();
            self.rx.adc[j].next = self.chan.adc[j].val();
            self.chk.symbol[j].next = self.rx.symbol[j].val();
        }
        self.bit_errs.next = self.chk.bit_errs.val();
        self.sym_errs.next = self.chk.sym_errs.val();
        self.symbols.next = self.chk.symbols.val();
        self.synced.next = self.chk.synced.val();
        self.lock.next = self.rx.lock.val();
        self.phase.next = self.rx.phase.val();
    }
}

#[derive(LogicBlock)]
pub struct BistTop {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub inject: Signal<In, Bit>,
    pub send: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub leds: Signal<Out, Bits<8>>,
    pub tx: Signal<Out, Bit>,
    pub bit_errs: Signal<Out, Bits<32>>,
    pub sym_errs: Signal<Out, Bits<32>>,
    pub symbols: Signal<Out, Bits<32>>,
    pub synced: Signal<Out, Bit>,
    pub lock: Signal<Out, Bit>,
    pub busy: Signal<Out, Bit>,
    pub phase: Signal<Out, Bits<PI_BITS>>,
    pub core: BistCore,
    pub uart: UartTx,
}

impl BistTop {
    /// The BIST top for a receive-top parameter set and BIST parameters with the same lane
    /// count; an illegal or inconsistent set is an error naming the parameter.
    pub fn new(rx: &RxParams, b: &BistParams) -> Result<Self, ParamError> {
        Ok(BistTop {
            clock: Default::default(),
            rst: Default::default(),
            inject: Default::default(),
            send: Default::default(),
            uart_rx: Default::default(),
            leds: Default::default(),
            tx: Default::default(),
            bit_errs: Default::default(),
            sym_errs: Default::default(),
            symbols: Default::default(),
            synced: Default::default(),
            lock: Default::default(),
            busy: Default::default(),
            phase: Default::default(),
            core: BistCore::new(rx, b)?,
            uart: UartTx::new(b.uart_div, b.report_interval)?,
        })
    }
}

impl Logic for BistTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.clock.next = self.clock.val();
        self.core.rst.next = self.rst.val();
        self.core.inject.next = self.inject.val();
        self.core.uart_rx.next = self.uart_rx.val();
        self.uart.clock.next = self.clock.val();
        self.uart.rst.next = self.rst.val();
        self.uart.send.next = self.send.val();
        self.uart.bit_errs.next = self.core.bit_errs.val();
        self.uart.sym_errs.next = self.core.sym_errs.val();
        self.uart.symbols.next = self.core.symbols.val();
        self.uart.lock.next = self.core.lock.val();
        self.leds.next = self.uart.leds.val();
        self.tx.next = self.uart.tx.val();
        self.busy.next = self.uart.busy.val();
        self.bit_errs.next = self.core.bit_errs.val();
        self.sym_errs.next = self.core.sym_errs.val();
        self.symbols.next = self.core.symbols.val();
        self.synced.next = self.core.synced.val();
        self.lock.next = self.core.lock.val();
        self.phase.next = self.core.phase.val();
    }
}

/// The Verilog of the BIST top (module `top`).
pub fn bist_top_verilog(rx: &RxParams, b: &BistParams) -> Result<String, ParamError> {
    Ok(super::verilog_of(BistTop::new(rx, b)?))
}
