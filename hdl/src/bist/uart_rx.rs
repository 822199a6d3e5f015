//! UART configuration receiver: 8N1 bytes on `rx` (the same divisor as the report
//! transmitter) become writes on the receive top's configuration bus, so a board user can
//! load FFE coefficients, slicer levels and CDR settings at run time.
//!
//! Protocol: an address byte `0x80 | addr` (addr 0 ..= 63 in bits 5:0, docs/numerics.md
//! "Configuration bus"; bit 6 is ignored), then a data byte (any value, two's
//! complement); the pair issues one write. A byte with bit 7 clear while an address is
//! expected is ignored (so a sender resynchronizes by sending the address byte again); a
//! byte with a bad stop bit is dropped.
//!
//! Receiver: a falling edge of `rx` (high the clock before, low now) while idle starts a
//! character; the line is sampled `uart_div / 2 + 1` clocks after that first low clock (mid
//! start bit: high there is a false start), then every `uart_div` clocks for 8 data bits
//! (LSB first) and the stop bit. That sample point is inside its bit for `uart_div` >= 3,
//! so the divisor's minimum is 3 (`UART_DIV_MIN`; at 2 it would be the next bit's first
//! clock and bytes would be misread).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate`; `UartRx::new(uart_div)`
//! checks its argument): `uart_div` 3 ..= 65535 clocks per bit (see above for why 3).
//!
//! **Ports**
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `rx`: serial line, idle high (synchronized to `clock` by the board top)
//! * out `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`: one-clock write strobe and its
//!   address and data, registered
//!
//! **Formats**: 8N1, LSB first; `cfg_addr` 6 bits, `cfg_data` the data byte's 8-bit
//! pattern (the receive top reads it as two's complement or unsigned by address).
//!
//! **Latency**: the write strobe is high for the clock after the edge that samples the data
//! byte's stop bit; the receive top takes the write at the next edge.
//!
//! **Reset**: idle, no address, outputs 0. Power-up: every register 0, the same state
//! (`prev` powers up low, so a line that is high from power-up starts nothing).
//!
//! See also: model `sim/model/src/bist/uart_rx.rs` (`UartRxModel`; `uart_encode`), spec
//! docs/bist.md "The BIST top and the board tops" and `spec/src/bist.rs`, tests
//! `hdl/tests/bist_uart_rx.rs`.

use crate::konst;
use cporx_spec::*;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub rx: Signal<In, Bit>,
    pub cfg_we: Signal<Out, Bit>,
    pub cfg_addr: Signal<Out, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<Out, Bits<CFG_DATA_BITS>>,
    prev: DFF<Bit>,
    busy: DFF<Bit>,
    cnt: DFF<Bits<16>>,
    bitn: DFF<Bits<4>>,
    sh: DFF<Bits<8>>,
    have_addr: DFF<Bit>,
    addr: DFF<Bits<CFG_ADDR_BITS>>,
    we_r: DFF<Bit>,
    addr_r: DFF<Bits<CFG_ADDR_BITS>>,
    data_r: DFF<Bits<CFG_DATA_BITS>>,
    half: Constant<Bits<16>>,
    divm1: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    one4: Constant<Bits<4>>,
    stop_bit: Constant<Bits<4>>,
    sh1: Constant<Bits<3>>,
    msb: Constant<Bits<8>>,
    zero16: Constant<Bits<16>>,
    zero4: Constant<Bits<4>>,
    zero8: Constant<Bits<8>>,
    zero5: Constant<Bits<CFG_ADDR_BITS>>,
}

impl UartRx {
    /// `uart_div`: clocks per bit, 3 ..= 65535 (`BistParams::uart_div`; a receiver needs a
    /// mid-bit sample point).
    pub fn new(uart_div: u32) -> Result<Self, ParamError> {
        cporx_spec::bist::check_uart_div(uart_div)?;
        Ok(UartRx {
            clock: Default::default(),
            rst: Default::default(),
            rx: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            prev: Default::default(),
            busy: Default::default(),
            cnt: Default::default(),
            bitn: Default::default(),
            sh: Default::default(),
            have_addr: Default::default(),
            addr: Default::default(),
            we_r: Default::default(),
            addr_r: Default::default(),
            data_r: Default::default(),
            half: konst((uart_div / 2) as u64),
            divm1: konst(uart_div as u64 - 1),
            one16: konst(1),
            one4: konst(1),
            stop_bit: konst(9),
            sh1: konst(1),
            msb: konst(0x80),
            zero16: konst(0),
            zero4: konst(0),
            zero8: konst(0),
            zero5: konst(0),
        })
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        self.prev.clock.next = self.clock.val();
        self.busy.clock.next = self.clock.val();
        self.cnt.clock.next = self.clock.val();
        self.bitn.clock.next = self.clock.val();
        self.sh.clock.next = self.clock.val();
        self.have_addr.clock.next = self.clock.val();
        self.addr.clock.next = self.clock.val();
        self.we_r.clock.next = self.clock.val();
        self.addr_r.clock.next = self.clock.val();
        self.data_r.clock.next = self.clock.val();
        self.prev.d.next = self.rx.val();
        self.busy.d.next = self.busy.q.val();
        self.cnt.d.next = self.cnt.q.val();
        self.bitn.d.next = self.bitn.q.val();
        self.sh.d.next = self.sh.q.val();
        self.have_addr.d.next = self.have_addr.q.val();
        self.addr.d.next = self.addr.q.val();
        self.we_r.d.next = false;
        self.addr_r.d.next = self.addr_r.q.val();
        self.data_r.d.next = self.data_r.q.val();
        if !self.busy.q.val() {
            if self.prev.q.val() && !self.rx.val() {
                self.busy.d.next = true;
                self.cnt.d.next = self.half.val();
                self.bitn.d.next = self.zero4.val();
            }
        } else if self.cnt.q.val() == self.zero16.val() {
            self.cnt.d.next = self.divm1.val();
            self.bitn.d.next = self.bitn.q.val() + self.one4.val();
            if self.bitn.q.val() == self.zero4.val() {
                // mid start bit: still low, or a glitch
                if self.rx.val() {
                    self.busy.d.next = false;
                }
            } else if self.bitn.q.val() == self.stop_bit.val() {
                self.busy.d.next = false;
                if self.rx.val() {
                    if self.have_addr.q.val() {
                        self.we_r.d.next = true;
                        self.addr_r.d.next = self.addr.q.val();
                        self.data_r.d.next = self.sh.q.val();
                        self.have_addr.d.next = false;
                    } else if (self.sh.q.val() & self.msb.val()).any() {
                        self.addr.d.next = self.sh.q.val().get_bits::<CFG_ADDR_BITS>(0);
                        self.have_addr.d.next = true;
                    }
                }
            } else {
                // data bit, LSB first: shift in from the top
                self.sh.d.next = self.sh.q.val() >> self.sh1.val();
                if self.rx.val() {
                    self.sh.d.next = (self.sh.q.val() >> self.sh1.val()) | self.msb.val();
                }
            }
        } else {
            self.cnt.d.next = self.cnt.q.val() - self.one16.val();
        }
        if self.rst.val() {
            self.prev.d.next = false;
            self.busy.d.next = false;
            self.cnt.d.next = self.zero16.val();
            self.bitn.d.next = self.zero4.val();
            self.sh.d.next = self.zero8.val();
            self.have_addr.d.next = false;
            self.addr.d.next = self.zero5.val();
            self.we_r.d.next = false;
            self.addr_r.d.next = self.zero5.val();
            self.data_r.d.next = self.zero8.val();
        }
        self.cfg_we.next = self.we_r.q.val();
        self.cfg_addr.next = self.addr_r.q.val();
        self.cfg_data.next = self.data_r.q.val();
    }
}
