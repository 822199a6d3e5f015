//! Board top: the BIST top on a board's pins, named as in `synth/boards/<board>.lpf` (`clk`,
//! `btn[i]`, `led[i]`, `uart_tx`, `uart_rx`).
//!
//! * power-on reset: the design holds the BIST top's `rst` for the first 2^POR_BITS clocks
//!   after configuration (every register powers up at 0) and the PLL's lock (`locked`,
//!   through a two-flip-flop synchronizer), then releases it; the reset button asserts it
//!   again, and so does a loss of lock (the count restarts)
//! * buttons pass a two-flip-flop synchronizer (and the board's polarity is undone) before
//!   they reach the BIST top; the error-injection button is edge-detected inside the
//!   generator, one error per press
//! * `uart_rx` (configuration writes, see `UartRx`) passes a two-flip-flop synchronizer
//! * LEDs: the BIST's hex-digit count of bit errors, low `NL` of them, in the board's polarity
//! * two clocks: the BIST's datapath (`BistCore`: generator, channel, receive top, checker,
//!   configuration receiver) runs on `clk`; the report transmitter (`UartTx`, with the LEDs)
//!   on `clk_slow`, a slower PLL output, so that nextpnr times the receive datapath on its
//!   own clock and the report logic on its own (cross-clock paths are not timed). The
//!   counters cross through `SnapCdc` (a handshaked, stable copy registered in the slow
//!   domain); the reset through a two-flip-flop synchronizer in the slow domain (the reset
//!   lasts at least 2^POR_BITS `clk` cycles, so `clk_slow` must be no slower than
//!   `clk` / 2^(POR_BITS-1)); the send button, already synchronized to `clk`, through two
//!   more flip-flops on `clk_slow`
//!
//! Buttons (`NB` of them, `btn[0..NB-1]`), by function: `btn_rst`, `btn_inject`, `btn_send`
//! are indices into `btn` or `None` (the function is then unused: no reset button means
//! power-on reset only; no send button means periodic reports only).
//! The clocks are the PLL's outputs (the board-level wrapper `cporx_synth::pll_top_verilog`
//! puts an EHXPLLL between the oscillator and this top): `BistParams::uart_div` is the
//! configuration receiver's divisor at `clk`; `BoardTopSpec::tx_uart_div` and
//! `tx_report_interval` the transmitter's at `clk_slow` (the same baud rate).
//!
//! **Parameters**: `RxParams` and `BistParams` as the BIST top (`BistTop::new`); the
//! `BoardTopSpec` (`btn_active_low`, `led_active_low`: bit i set means button i reads 0 when
//! pressed / LED i is lit by a 0; `btn_rst`, `btn_inject`, `btn_send`: a button index
//! 0 ..= NB - 1 or `None`, else a `ParamError` naming it; `tx_uart_div`, `tx_report_interval`
//! as `UartTx::new`'s, at `clk_slow`); `NB` <= 16 buttons and `NL` <= 8 LEDs (const
//! generics, asserted).
//!
//! **Ports**
//! * in  `clk` (the PLL's main output), `clk_slow` (its slower output, for the report),
//!   `locked` (the PLL's lock, asynchronous), `btn[NB-1:0]`, `uart_rx` (idle high)
//! * out `led[NL-1:0]`, `uart_tx`
//!
//! **Formats**: single bits in the board's polarity (undone for the buttons, applied for the
//! LEDs through `btn_active_low` / `led_active_low`).
//!
//! **Latency**: counters to the report: `SnapCdc`'s; buttons and `uart_rx` 2 cycles (the synchronizers) to the BIST top's inputs;
//! the reset button one more (the registered `rst`); the power-on reset holds the BIST top's
//! `rst` for 2^POR_BITS = 256 clocks (`POR_BITS`) after `locked` rises (3 more: its
//! synchronizer and the registered `rst`).
//!
//! **Reset**: there is no reset input: the power-on reset, then the reset button. Power-up:
//! every register 0 (the power-on counter starts from 0).
//!
//! See also: the BIST top `hdl/src/bist/top.rs` (there is no board model: its model is the
//! BIST top's, `sim/model/src/bist/top.rs`), spec docs/bist.md "The BIST top and the board
//! tops", tests `verif/tests/bist_top.rs` (`board_tops_lint_clean`: Verilog lint of two
//! boards and the button-index error; the board logic itself is not simulated; the crossing
//! is, `hdl/tests/bist_snap_cdc.rs`).

use super::{BistCore, SnapCdc, UartTx};
use crate::konst;
use cporx_spec::bist::BistParams;
use cporx_spec::*;
use rust_hdl::prelude::*;

/// Power-on reset length: 2^POR_BITS clocks.
pub const POR_BITS: usize = 8;

/// What a board top needs to know about its board's buttons and LEDs.
#[derive(Clone, Debug)]
pub struct BoardTopSpec {
    /// bit i set: button i reads 0 when pressed
    pub btn_active_low: u64,
    /// bit i set: LED i is lit by a 0
    pub led_active_low: u64,
    pub btn_rst: Option<usize>,
    pub btn_inject: Option<usize>,
    pub btn_send: Option<usize>,
    /// the report transmitter's clocks per bit and between reports, at `clk_slow`
    pub tx_uart_div: u32,
    pub tx_report_interval: u32,
}

#[derive(LogicBlock)]
pub struct BoardTop<const NB: usize, const NL: usize> {
    pub clk: Signal<In, Clock>,
    pub clk_slow: Signal<In, Clock>,
    pub locked: Signal<In, Bit>,
    pub btn: Signal<In, Bits<NB>>,
    pub led: Signal<Out, Bits<NL>>,
    pub uart_tx: Signal<Out, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub core: BistCore,
    pub cdc: SnapCdc,
    pub uart: UartTx,
    /// the reset and the send button in the slow domain (two flip-flops each)
    rs1: DFF<Bit>,
    rs2: DFF<Bit>,
    ss1: DFF<Bit>,
    ss2: DFF<Bit>,
    rx1: DFF<Bit>,
    lk1: DFF<Bit>,
    lk2: DFF<Bit>,
    rx2: DFF<Bit>,
    sync1: DFF<Bits<NB>>,
    sync2: DFF<Bits<NB>>,
    por: DFF<Bits<POR_BITS>>,
    por_done: DFF<Bit>,
    rst_r: DFF<Bit>,
    btn_inv: Constant<Bits<NB>>,
    led_inv: Constant<Bits<NL>>,
    /// one-hot masks selecting each function's button (zero: no such button)
    m_rst: Constant<Bits<NB>>,
    m_inject: Constant<Bits<NB>>,
    m_send: Constant<Bits<NB>>,
    por_last: Constant<Bits<POR_BITS>>,
    one_por: Constant<Bits<POR_BITS>>,
    zero_por: Constant<Bits<POR_BITS>>,
    one_b: Constant<Bit>,
}

impl<const NB: usize, const NL: usize> BoardTop<NB, NL> {
    pub fn new(rx: &RxParams, b: &BistParams, spec: &BoardTopSpec) -> Result<Self, ParamError> {
        assert!(
            NB <= 16 && NL <= 8,
            "board top: at most 16 buttons and 8 LEDs"
        );
        for (name, i) in [
            ("btn_rst", spec.btn_rst),
            ("btn_inject", spec.btn_inject),
            ("btn_send", spec.btn_send),
        ] {
            if let Some(i) = i {
                if i >= NB {
                    return Err(ParamError::OutOfRange {
                        name: name.into(),
                        value: i as i64,
                        lo: 0,
                        hi: NB as i64 - 1,
                        unit: " (button index)",
                    });
                }
            }
        }
        Ok(BoardTop {
            clk: Default::default(),
            clk_slow: Default::default(),
            locked: Default::default(),
            btn: Default::default(),
            led: Default::default(),
            uart_tx: Default::default(),
            uart_rx: Default::default(),
            core: BistCore::new(rx, b)?,
            cdc: Default::default(),
            uart: UartTx::new(spec.tx_uart_div, spec.tx_report_interval)?,
            rs1: Default::default(),
            rs2: Default::default(),
            ss1: Default::default(),
            ss2: Default::default(),
            rx1: Default::default(),
            lk1: Default::default(),
            lk2: Default::default(),
            rx2: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            por: Default::default(),
            por_done: Default::default(),
            rst_r: Default::default(),
            btn_inv: konst(spec.btn_active_low & ((1u64 << NB) - 1)),
            led_inv: konst(spec.led_active_low & ((1u64 << NL) - 1)),
            m_rst: konst(spec.btn_rst.map_or(0, |i| 1u64 << i)),
            m_inject: konst(spec.btn_inject.map_or(0, |i| 1u64 << i)),
            m_send: konst(spec.btn_send.map_or(0, |i| 1u64 << i)),
            por_last: konst((1u64 << POR_BITS) - 1),
            one_por: konst(1),
            zero_por: konst(0),
            one_b: Constant::new(true),
        })
    }
}

impl<const NB: usize, const NL: usize> Logic for BoardTop<NB, NL> {
    #[hdl_gen]
    fn update(&mut self) {
        self.sync1.clock.next = self.clk.val();
        self.sync2.clock.next = self.clk.val();
        self.por.clock.next = self.clk.val();
        self.por_done.clock.next = self.clk.val();
        self.rst_r.clock.next = self.clk.val();
        self.rx1.clock.next = self.clk.val();
        self.rx2.clock.next = self.clk.val();
        self.lk1.clock.next = self.clk.val();
        self.lk2.clock.next = self.clk.val();
        // the PLL's lock: two flip-flops against metastability
        self.lk1.d.next = self.locked.val();
        self.lk2.d.next = self.lk1.q.val();
        // the configuration line: two flip-flops against metastability
        self.rx1.d.next = self.uart_rx.val();
        self.rx2.d.next = self.rx1.q.val();
        self.core.uart_rx.next = self.rx2.q.val();
        // buttons: undo the board's polarity, two flip-flops against metastability
        self.sync1.d.next = self.btn.val() ^ self.btn_inv.val();
        self.sync2.d.next = self.sync1.q.val();
        // power-on reset: count 2^POR_BITS clocks, then release
        self.por.d.next = self.por.q.val();
        self.por_done.d.next = self.por_done.q.val();
        if !self.por_done.q.val() {
            self.por.d.next = self.por.q.val() + self.one_por.val();
            if self.por.q.val() == self.por_last.val() {
                self.por_done.d.next = self.one_b.val();
            }
        }
        // no lock (yet, or lost): hold the count at 0 and the reset asserted
        if !self.lk2.q.val() {
            self.por.d.next = self.zero_por.val();
            self.por_done.d.next = !self.one_b.val();
        }
        self.rst_r.d.next = !self.por_done.q.val();
        if (self.sync2.q.val() & self.m_rst.val()).any() {
            self.rst_r.d.next = self.one_b.val();
        }
        self.core.clock.next = self.clk.val();
        self.core.rst.next = self.rst_r.q.val();
        self.core.inject.next = (self.sync2.q.val() & self.m_inject.val()).any();
        // the counters into the report domain
        self.cdc.clock.next = self.clk.val();
        self.cdc.clock_s.next = self.clk_slow.val();
        self.cdc.bit_errs.next = self.core.bit_errs.val();
        self.cdc.sym_errs.next = self.core.sym_errs.val();
        self.cdc.symbols.next = self.core.symbols.val();
        self.cdc.lock.next = self.core.lock.val();
        // the report domain: reset and send synchronized, the transmitter and the LEDs
        self.rs1.clock.next = self.clk_slow.val();
        self.rs2.clock.next = self.clk_slow.val();
        self.ss1.clock.next = self.clk_slow.val();
        self.ss2.clock.next = self.clk_slow.val();
        self.rs1.d.next = self.rst_r.q.val();
        self.rs2.d.next = self.rs1.q.val();
        self.ss1.d.next = (self.sync2.q.val() & self.m_send.val()).any();
        self.ss2.d.next = self.ss1.q.val();
        self.uart.clock.next = self.clk_slow.val();
        self.uart.rst.next = self.rs2.q.val();
        self.uart.send.next = self.ss2.q.val();
        self.uart.bit_errs.next = self.cdc.bit_errs_s.val();
        self.uart.sym_errs.next = self.cdc.sym_errs_s.val();
        self.uart.symbols.next = self.cdc.symbols_s.val();
        self.uart.lock.next = self.cdc.lock_s.val();
        self.led.next = self.uart.leds.val().get_bits::<NL>(0) ^ self.led_inv.val();
        self.uart_tx.next = self.uart.tx.val();
    }
}
