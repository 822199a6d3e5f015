//! UART report transmitter and LED display: 8N1 report lines of the checker's counters at a
//! programmable divisor, and a logarithmic bit-error bar on 8 LEDs.
//!
//! Sends report lines of 36 ASCII characters:
//! `B hhhhhhhh S hhhhhhhh N hhhhhhhh L\r\n` (bit errors, symbol errors, symbols checked as
//! 8 upper-case hex digits; `L` if `lock` else `U`; CR LF), all four snapshotted at the
//! edge that starts the line. A line starts at an edge where the transmitter is idle and
//! `send` was high the clock before (registered) or the report timer expires; triggers while
//! busy are ignored (not queued). The timer is a modular counter 0 ..= report_interval - 1
//! that runs from reset regardless of the transmitter (it expires every report_interval
//! clocks; the first expiry after reset is at the report_interval-th edge). Timing
//! registers (ECP5 timing work): the timer's expiry one clock ahead, the next character in
//! two stages, the bit-period end, stop and last-character flags.
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate`; `UartTx::new(uart_div,
//! report_interval)` checks its arguments): `uart_div` 2 ..= 65535 clocks per bit
//! (`UART_DIV_MAX`); `report_interval` 2 ..= 2^32 - 1 clocks.
//!
//! **Ports**
//! * in  `clock`, `rst` (synchronous, active high)
//! * in  `send`: report now (a strobe; holding it high sends lines back to back)
//! * in  `bit_errs`, `sym_errs`, `symbols` (32 bits each), `lock`
//! * out `tx`: serial line, idle high; 8N1, LSB first, each bit `uart_div` clocks
//! * out `busy`: a line is being sent (360 * uart_div clocks per line)
//! * out `leds[7:0]`: led k lit iff bit_errs >= 16^k (the number of significant hex digits
//!   of bit_errs; all off = zero errors), registered from the live input
//!
//! **Formats**: ASCII, 8 data bits LSB first between a start bit (0) and a stop bit (1);
//! counters unsigned 32 bits shown as 8 upper-case hex digits; `leds` bit k = led k.
//!
//! **Latency**: `busy` rises and the first start bit appears on `tx` after the starting edge
//! (for `send` applied in cycle c, the edge of cycle c + 1); characters follow without gaps;
//! `busy` falls at the edge that ends the last stop bit. LEDs: 1 cycle.
//!
//! **Reset**: idle, line high, timer 0, LEDs off. The line register holds the inverted line
//! level so that power-up (all registers 0) is idle high too. The timer, baud and bit
//! counters are modular counters (they wrap by design, never past their limits).
//!
//! See also: model `sim/model/src/bist/uart_tx.rs` (`UartTxModel`; `report_line`,
//! `uart_decode`), spec docs/bist.md "4. UART report transmitter and LEDs" and
//! `spec/src/bist.rs`, tests `hdl/tests/bist_uart_tx.rs`.

use super::check_range;
use crate::konst;
use cporx_spec::ParamError;
use rust_hdl::prelude::*;

/// Characters per report line.
pub const LINE_CHARS: usize = 36;
/// The line; `0` marks a hex digit, `1` the lock flag.
const TEMPLATE: &[u8; LINE_CHARS] =
    b"B \0\0\0\0\0\0\0\0 S \0\0\0\0\0\0\0\0 N \0\0\0\0\0\0\0\0 \x01\r\n";

#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub send: Signal<In, Bit>,
    pub bit_errs: Signal<In, Bits<32>>,
    pub sym_errs: Signal<In, Bits<32>>,
    pub symbols: Signal<In, Bits<32>>,
    pub lock: Signal<In, Bit>,
    pub tx: Signal<Out, Bit>,
    pub busy: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<8>>,
    timer: DFF<Bits<32>>,
    active: DFF<Bit>,
    idx: DFF<Bits<6>>,
    snap: DFF<Bits<96>>,
    lock_s: DFF<Bit>,
    baud: DFF<Bits<16>>,
    bitn: DFF<Bits<4>>,
    sh: DFF<Bits<9>>,
    txn: DFF<Bit>,
    leds_r: DFF<Bits<8>>,
    // timing registers (ECP5 timing work): the timer's expiry one clock ahead, and the
    // next character of a line (two stages) with its hex flag
    tick_r: DFF<Bit>,
    /// the `send` input, registered (a request starts a line one clock later)
    send_r: DFF<Bit>,
    /// the end of a bit period (baud == uart_div - 1), registered one clock ahead
    hit_r: DFF<Bit>,
    outc_r: DFF<Bits<8>>,
    hex_r: DFF<Bit>,
    chx_r: DFF<Bits<8>>,
    /// bitn == stop bit and idx == last character, registered (both change only at the
    /// end of a bit period, and periods are >= 2 clocks)
    stop_r: DFF<Bit>,
    last_r: DFF<Bit>,
    nib_r: DFF<Bits<4>>,
    nidx: Signal<Local, Bits<6>>,
    // locals
    tick: Signal<Local, Bit>,
    start: Signal<Local, Bit>,
    cidx: Signal<Local, Bits<6>>,
    ch: Signal<Local, Bits<8>>,
    nib8: Signal<Local, Bits<8>>,
    outc: Signal<Local, Bits<8>>,
    outc_q: Signal<Local, Bits<8>>,
    lv: Signal<Local, Bits<8>>,
    // constants
    ilast_m1: Constant<Bits<32>>,
    ch_b: Constant<Bits<8>>,
    divm2: Constant<Bits<16>>,
    tmpl: Vec<Constant<Bits<8>>>,
    tidx: Vec<Constant<Bits<6>>>,
    last_idx: Constant<Bits<6>>,
    stop_bit: Constant<Bits<4>>,
    one32: Constant<Bits<32>>,
    one16: Constant<Bits<16>>,
    one6: Constant<Bits<6>>,
    one4: Constant<Bits<4>>,
    sh1: Constant<Bits<4>>,
    sh4: Constant<Bits<7>>,
    sh32: Constant<Bits<7>>,
    sh64: Constant<Bits<7>>,
    top_nib: Constant<Bits<7>>,
    bit0: Constant<Bits<4>>,
    stop9: Constant<Bits<9>>,
    ten: Constant<Bits<4>>,
    ascii0: Constant<Bits<8>>,
    ascii_a10: Constant<Bits<8>>,
    ch_hex: Constant<Bits<8>>,
    ch_lock: Constant<Bits<8>>,
    ch_l: Constant<Bits<8>>,
    ch_u: Constant<Bits<8>>,
    led_sh: Vec<Constant<Bits<5>>>,
    led_bit: Vec<Constant<Bits<8>>>,
    zero32: Constant<Bits<32>>,
    zero16: Constant<Bits<16>>,
    zero8: Constant<Bits<8>>,
    zero6: Constant<Bits<6>>,
    zero4: Constant<Bits<4>>,
    zero9: Constant<Bits<9>>,
    zero96: Constant<Bits<96>>,
}

impl UartTx {
    /// `uart_div`: clocks per bit, 2 ..= 65535; `report_interval`: clocks between periodic
    /// reports, 2 ..= 2^32 - 1 (cporx-model `BistParams::uart_div`, `report_interval`).
    pub fn new(uart_div: u32, report_interval: u32) -> Result<Self, ParamError> {
        check_range(
            "bist.uart_div",
            uart_div as i64,
            2,
            65535,
            " (clocks per bit)",
        )?;
        check_range(
            "bist.report_interval",
            report_interval as i64,
            2,
            u32::MAX as i64,
            " (clocks)",
        )?;
        Ok(UartTx {
            clock: Default::default(),
            rst: Default::default(),
            send: Default::default(),
            bit_errs: Default::default(),
            sym_errs: Default::default(),
            symbols: Default::default(),
            lock: Default::default(),
            tx: Default::default(),
            busy: Default::default(),
            leds: Default::default(),
            timer: Default::default(),
            active: Default::default(),
            idx: Default::default(),
            snap: Default::default(),
            lock_s: Default::default(),
            baud: Default::default(),
            bitn: Default::default(),
            sh: Default::default(),
            txn: Default::default(),
            leds_r: Default::default(),
            tick_r: Default::default(),
            send_r: Default::default(),
            hit_r: Default::default(),
            outc_r: Default::default(),
            hex_r: Default::default(),
            chx_r: Default::default(),
            stop_r: Default::default(),
            last_r: Default::default(),
            nib_r: Default::default(),
            nidx: Default::default(),
            tick: Default::default(),
            start: Default::default(),
            cidx: Default::default(),
            ch: Default::default(),
            nib8: Default::default(),
            outc: Default::default(),
            outc_q: Default::default(),
            lv: Default::default(),
            ilast_m1: konst(report_interval as u64 - 2),
            ch_b: konst(TEMPLATE[0] as u64),
            divm2: konst(uart_div as u64 - 2),
            tmpl: TEMPLATE.iter().map(|&c| konst(c as u64)).collect(),
            tidx: (0..LINE_CHARS as u64).map(konst).collect(),
            last_idx: konst(LINE_CHARS as u64 - 1),
            stop_bit: konst(9),
            one32: konst(1),
            one16: konst(1),
            one6: konst(1),
            one4: konst(1),
            sh1: konst(1),
            sh4: konst(4),
            sh32: konst(32),
            sh64: konst(64),
            top_nib: konst(92),
            bit0: konst(0),
            stop9: konst(0x100),
            ten: konst(10),
            ascii0: konst(b'0' as u64),
            ascii_a10: konst(b'A' as u64 - 10),
            ch_hex: konst(0),
            ch_lock: konst(1),
            ch_l: konst(b'L' as u64),
            ch_u: konst(b'U' as u64),
            led_sh: (0..8).map(|k| konst(4 * k)).collect(),
            led_bit: (0..8).map(|k| konst(1 << k)).collect(),
            zero32: konst(0),
            zero16: konst(0),
            zero8: konst(0),
            zero6: konst(0),
            zero4: konst(0),
            zero9: konst(0),
            zero96: konst(0),
        })
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        self.timer.clock.next = self.clock.val();
        self.active.clock.next = self.clock.val();
        self.idx.clock.next = self.clock.val();
        self.snap.clock.next = self.clock.val();
        self.lock_s.clock.next = self.clock.val();
        self.baud.clock.next = self.clock.val();
        self.bitn.clock.next = self.clock.val();
        self.sh.clock.next = self.clock.val();
        self.txn.clock.next = self.clock.val();
        self.leds_r.clock.next = self.clock.val();
        self.tick_r.clock.next = self.clock.val();
        self.send_r.clock.next = self.clock.val();
        self.send_r.d.next = self.send.val();
        self.hit_r.clock.next = self.clock.val();
        self.outc_r.clock.next = self.clock.val();
        self.hex_r.clock.next = self.clock.val();
        self.chx_r.clock.next = self.clock.val();
        self.stop_r.clock.next = self.clock.val();
        self.last_r.clock.next = self.clock.val();
        self.stop_r.d.next = self.bitn.q.val() == self.stop_bit.val();
        self.last_r.d.next = self.idx.q.val() == self.last_idx.val();
        self.nib_r.clock.next = self.clock.val();

        // report timer (modular); its expiry (timer == last) is registered one clock
        // ahead: tick_r = (timer == last - 1) at the previous edge
        self.tick.next = self.tick_r.q.val();
        self.tick_r.d.next = self.timer.q.val() == self.ilast_m1.val();
        self.timer.d.next = self.timer.q.val() + self.one32.val();
        if self.tick.val() {
            self.timer.d.next = self.zero32.val();
        }

        // LEDs: led k iff bit_errs >> 4k != 0
        self.lv.next = self.zero8.val();
        for k in 0..8 {
            if (self.bit_errs.val() >> self.led_sh[k].val()).any() {
                self.lv.next = self.lv.val() | self.led_bit[k].val();
            }
        }
        self.leds_r.d.next = self.lv.val();

        // transmitter sequencing (defaults: hold)
        self.active.d.next = self.active.q.val();
        self.idx.d.next = self.idx.q.val();
        self.snap.d.next = self.snap.q.val();
        self.lock_s.d.next = self.lock_s.q.val();
        self.baud.d.next = self.baud.q.val();
        self.bitn.d.next = self.bitn.q.val();
        self.sh.d.next = self.sh.q.val();
        self.txn.d.next = self.txn.q.val();
        self.start.next = false;
        // the index of the next character to send: 0 when idle, else idx + 1
        self.cidx.next = self.idx.q.val() + self.one6.val();
        if !self.active.q.val() {
            self.cidx.next = self.zero6.val();
        }
        if !self.active.q.val() {
            // while idle the snapshot follows the counters every clock (it is read only
            // while a line is sent), so at the starting edge it holds their values then;
            // its load enable is the `active` flip-flop alone (ECP5 timing: 96 loads)
            self.snap.d.next = (bit_cast::<96, 32>(self.bit_errs.val()) << self.sh64.val())
                | (bit_cast::<96, 32>(self.sym_errs.val()) << self.sh32.val())
                | bit_cast::<96, 32>(self.symbols.val());
            self.lock_s.d.next = self.lock.val();
            if self.send_r.q.val() || self.tick.val() {
                self.active.d.next = true;
                self.start.next = true;
            }
        } else if self.hit_r.q.val() {
            self.baud.d.next = self.zero16.val();
            if self.stop_r.q.val() {
                if self.last_r.q.val() {
                    self.active.d.next = false;
                } else {
                    self.start.next = true;
                }
            } else {
                self.txn.d.next = !self.sh.q.val().get_bit(self.bit0.val().index());
                self.sh.d.next = self.sh.q.val() >> self.sh1.val();
                self.bitn.d.next = self.bitn.q.val() + self.one4.val();
            }
        } else {
            self.baud.d.next = self.baud.q.val() + self.one16.val();
        }

        // the next character of a line (position idx + 1), computed in two register
        // stages from state that only changes at a start (starts are >= 20 clocks apart):
        // 1. template entry and the snapshot's top nibble; 2. the ASCII character (template,
        // hex digit or lock flag) and whether it is a hex digit. An idle start sends the
        // line's first character, the template's constant 'B'.
        self.nidx.next = self.idx.q.val() + self.one6.val();
        self.ch.next = self.zero8.val();
        for j in 0..36 {
            if self.nidx.val() == self.tidx[j].val() {
                self.ch.next = self.tmpl[j].val();
            }
        }
        self.chx_r.d.next = self.ch.val();
        self.nib_r.d.next = self.snap.q.val().get_bits::<4>(self.top_nib.val().index());
        self.nib8.next = bit_cast::<8, 4>(self.nib_r.q.val());
        if self.nib_r.q.val() < self.ten.val() {
            self.outc.next = self.nib8.val() + self.ascii0.val();
        } else {
            self.outc.next = self.nib8.val() + self.ascii_a10.val();
        }
        if self.chx_r.q.val() == self.ch_lock.val() {
            if self.lock_s.q.val() {
                self.outc.next = self.ch_l.val();
            } else {
                self.outc.next = self.ch_u.val();
            }
        } else if self.chx_r.q.val() != self.ch_hex.val() {
            self.outc.next = self.chx_r.q.val();
        }
        self.outc_r.d.next = self.outc.val();
        self.hex_r.d.next = self.chx_r.q.val() == self.ch_hex.val();
        self.outc_q.next = self.outc_r.q.val();
        if !self.active.q.val() {
            self.outc_q.next = self.ch_b.val();
        }
        if self.start.val() {
            self.idx.d.next = self.cidx.val();
            self.txn.d.next = true;
            self.bitn.d.next = self.zero4.val();
            self.baud.d.next = self.zero16.val();
            self.sh.d.next = bit_cast::<9, 8>(self.outc_q.val()) | self.stop9.val();
            if self.hex_r.q.val() && self.active.q.val() {
                self.snap.d.next = self.snap.q.val() << self.sh4.val();
            }
        }

        // the end of the bit period one clock ahead: while sending, baud counts up by one
        // per clock from 0 (after a start or an end it is 0, and uart_div >= 2), so the
        // next clock ends the period iff baud == uart_div - 2 now and this one does not
        self.hit_r.d.next =
            self.active.q.val() && !self.hit_r.q.val() && (self.baud.q.val() == self.divm2.val());
        if self.rst.val() {
            self.timer.d.next = self.zero32.val();
            self.active.d.next = false;
            self.idx.d.next = self.zero6.val();
            self.snap.d.next = self.zero96.val();
            self.lock_s.d.next = false;
            self.baud.d.next = self.zero16.val();
            self.bitn.d.next = self.zero4.val();
            self.sh.d.next = self.zero9.val();
            self.txn.d.next = false;
            self.leds_r.d.next = self.zero8.val();
            self.tick_r.d.next = false;
            self.send_r.d.next = false;
            self.hit_r.d.next = false;
            self.outc_r.d.next = self.zero8.val();
            self.hex_r.d.next = false;
            self.chx_r.d.next = self.zero8.val();
            self.stop_r.d.next = false;
            self.last_r.d.next = false;
            self.nib_r.d.next = self.zero4.val();
        }
        self.tx.next = !self.txn.q.val();
        self.busy.next = self.active.q.val();
        self.leds.next = self.leds_r.q.val();
    }
}
