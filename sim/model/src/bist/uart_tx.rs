//! UART report transmitter model: the bit-exact, cycle-accurate model of the 8N1 report
//! transmitter and the LED display.
//!
//! Report line, 36 characters, ASCII:
//! `B hhhhhhhh S hhhhhhhh N hhhhhhhh L\r\n`: bit errors, symbol errors, symbols checked as
//! 8 upper-case hex digits each, then `L` (lock high) or `U`, then CR LF. All four values
//! are snapshotted at the edge that starts the line.
//!
//! A line starts at an edge where the transmitter is idle and `send` was high the clock
//! before (it is registered) or the report timer expires. The timer is a modular counter
//! 0 ..= report_interval - 1, running from reset regardless of the transmitter; it expires
//! every report_interval clocks (at the edges where it holds report_interval - 1). Triggers
//! while busy are ignored (not queued).
//!
//! 8N1 framing, LSB first: start bit (0), 8 data bits, stop bit (1); each bit lasts exactly
//! `uart_div` clocks. A line takes 360 * uart_div clocks: `busy` rises at the starting
//! edge, the start bit of the first character is on `tx` after that same edge, and `busy`
//! falls at the edge that ends the last stop bit. Characters follow each other without
//! idle time.
//!
//! LEDs (a logarithmic error bar, "all off = zero errors"): led k (k = 0..7) is lit iff
//! bit_errs >= 16^k, i.e. the number of lit LEDs is the number of significant hex digits of
//! bit_errs on the report line (`leds_of`).
//!
//! Registers (reset and power-up 0): timer, busy, character index, 96-bit snapshot, lock
//! snapshot, baud counter (16 bits), bit number, 9-bit frame shifter, the inverted line
//! register (stored inverted so that both power-up and reset give an idle-high line), LEDs.
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate` in `UartTxModel::new`;
//! `with(uart_div, report_interval)` checks its arguments): `uart_div` 2 ..= 65535 clocks
//! per bit; `report_interval` 2 ..= 2^32 - 1 clocks.
//!
//! **Ports**: `UartTxModel::step(&UartIn) -> UartOut` is one clock edge. `UartIn`: `rst`,
//! `send` (strobe), `bit_errs`, `sym_errs`, `symbols` (32-bit counters, e.g. from the PRBS
//! checker), `lock`. `UartOut` (registered): `tx` (8N1 serial line, idle high), `busy` (a
//! report line is being sent), `leds` (8 bits).
//!
//! **Formats**: ASCII characters (`report_line`, `line_template`); counters unsigned 32
//! bits as 8 hex digits; `leds` bit k = led k.
//!
//! **Latency**: a line starts one edge after the `send` cycle (registered `send`); `busy`
//! and the first start bit after the starting edge; LEDs registered from the live
//! `bit_errs` input (latency 1).
//!
//! **Reset**: every register 0 (idle, line high through the inverted line register, timer
//! 0, LEDs off). Power-up (`new`): the same all-zero state.
//!
//! See also: RTL `hdl/src/bist/uart_tx.rs` (`UartTx`), decoder `uart_decode`, spec
//! docs/bist.md "4. UART report transmitter and LEDs" and `spec/src/bist.rs`, tests
//! `hdl/tests/bist_uart_tx.rs`.

use super::{check_range, BistParams, UART_DIV_MAX};
use cporx_spec::ParamError;

/// Characters per report line.
pub const LINE_CHARS: usize = 36;
/// Bits per character on the line (8N1).
pub const FRAME_BITS: usize = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UartIn {
    pub rst: bool,
    pub send: bool,
    pub bit_errs: u32,
    pub sym_errs: u32,
    pub symbols: u32,
    pub lock: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UartOut {
    pub tx: bool,
    pub busy: bool,
    pub leds: u8,
}

/// What the report line for these values reads.
pub fn report_line(bit_errs: u32, sym_errs: u32, symbols: u32, lock: bool) -> String {
    format!(
        "B {bit_errs:08X} S {sym_errs:08X} N {symbols:08X} {}\r\n",
        if lock { 'L' } else { 'U' }
    )
}

/// The LED pattern for a bit error count.
pub fn leds_of(bit_errs: u32) -> u8 {
    (0..8).fold(0u8, |l, k| {
        if (bit_errs as u64) >> (4 * k) != 0 {
            l | 1 << k
        } else {
            l
        }
    })
}

/// The fixed character at line position `i`, or `None` for a hex digit / the lock flag.
pub fn line_template(i: usize) -> Option<u8> {
    const T: &[u8; LINE_CHARS] = b"B ________ S ________ N ________ _\r\n";
    match T[i] {
        b'_' => None,
        c => Some(c),
    }
}

/// Decode an 8N1 line sampled once per clock: each character's bits are sampled at the
/// middle of the bit (start edge + div/2 + k*div). Framing errors (a stop bit of 0) end
/// the decoding. For tests.
pub fn uart_decode(tx: &[bool], div: usize) -> Vec<u8> {
    let mut out = vec![];
    let mut t = 1;
    while t < tx.len() {
        if tx[t - 1] && !tx[t] {
            let mid = t + div / 2;
            if mid + 9 * div >= tx.len() {
                break;
            }
            let mut c = 0u8;
            for k in 0..8 {
                if tx[mid + (k + 1) * div] {
                    c |= 1 << k;
                }
            }
            if !tx[mid + 9 * div] {
                break;
            }
            out.push(c);
            t = mid + 9 * div;
        } else {
            t += 1;
        }
    }
    out
}

#[derive(Clone, Debug)]
pub struct UartTxModel {
    /// the `send` input, registered
    send_q: bool,
    div: u32,
    interval: u32,
    pub timer: u32,
    pub active: bool,
    pub idx: usize,
    pub snap: u128,
    pub lock_s: bool,
    pub baud: u32,
    pub bitn: u32,
    pub sh: u32,
    pub txn: bool,
    pub leds: u8,
}

fn hex_digit(n: u32) -> u8 {
    if n < 10 {
        b'0' + n as u8
    } else {
        b'A' + (n - 10) as u8
    }
}

impl UartTxModel {
    pub fn new(p: &BistParams) -> Result<Self, ParamError> {
        p.validate()?;
        Self::with(p.uart_div, p.report_interval)
    }

    pub fn with(uart_div: u32, report_interval: u32) -> Result<Self, ParamError> {
        check_range("bist.uart_div", uart_div as i64, 2, UART_DIV_MAX as i64, "")?;
        check_range(
            "bist.report_interval",
            report_interval as i64,
            2,
            u32::MAX as i64,
            "",
        )?;
        Ok(UartTxModel {
            div: uart_div,
            interval: report_interval,
            timer: 0,
            send_q: false,
            active: false,
            idx: 0,
            snap: 0,
            lock_s: false,
            baud: 0,
            bitn: 0,
            sh: 0,
            txn: false,
            leds: 0,
        })
    }

    fn outputs(&self) -> UartOut {
        UartOut {
            tx: !self.txn,
            busy: self.active,
            leds: self.leds,
        }
    }

    /// Load character `i` (start bit on the line); hex characters consume the snapshot's
    /// top nibble.
    fn start_char(&mut self, i: usize) {
        let c = match line_template(i) {
            Some(c) => c,
            None if i == 33 => {
                if self.lock_s {
                    b'L'
                } else {
                    b'U'
                }
            }
            None => {
                let n = (self.snap >> 92) as u32 & 0xf;
                self.snap = (self.snap << 4) & ((1u128 << 96) - 1);
                hex_digit(n)
            }
        };
        self.idx = i;
        self.txn = true;
        self.sh = 0x100 | c as u32;
        self.bitn = 0;
        self.baud = 0;
    }

    /// One clock edge; returns the outputs after it.
    pub fn step(&mut self, i: &UartIn) -> UartOut {
        if i.rst {
            *self = Self::with(self.div, self.interval).expect("checked");
            return self.outputs();
        }
        let tick = self.timer == self.interval - 1;
        self.timer = if tick { 0 } else { self.timer + 1 };
        self.leds = leds_of(i.bit_errs);
        // `send` is registered first (timing): a request starts a line one clock later
        let send = self.send_q;
        self.send_q = i.send;
        if !self.active {
            if send || tick {
                self.active = true;
                self.snap =
                    (i.bit_errs as u128) << 64 | (i.sym_errs as u128) << 32 | i.symbols as u128;
                self.lock_s = i.lock;
                self.start_char(0);
            }
        } else if self.baud == self.div - 1 {
            self.baud = 0;
            if self.bitn == 9 {
                if self.idx == LINE_CHARS - 1 {
                    self.active = false;
                } else {
                    self.start_char(self.idx + 1);
                }
            } else {
                self.txn = self.sh & 1 == 0;
                self.sh >>= 1;
                self.bitn += 1;
            }
        } else {
            self.baud += 1;
        }
        self.outputs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_decodes_and_takes_360_div_clocks() {
        assert!(
            UartTxModel::with(1, 1_000_000).is_err(),
            "a bit takes >= 2 clocks"
        );
        for div in [2u32, 3, 7] {
            let mut m = UartTxModel::with(div, 1_000_000).unwrap();
            m.step(&UartIn {
                rst: true,
                ..Default::default()
            });
            let mut tx = vec![true];
            let mut busy = 0;
            for c in 0..400 * div as usize {
                let o = m.step(&UartIn {
                    send: c == 3,
                    bit_errs: 0x1A,
                    sym_errs: 0x10,
                    symbols: 0x0123_ABCD,
                    lock: true,
                    ..Default::default()
                });
                tx.push(o.tx);
                busy += o.busy as u32;
                assert_eq!(o.leds, 0b11);
            }
            assert_eq!(busy, 360 * div);
            let s = String::from_utf8(uart_decode(&tx, div as usize)).unwrap();
            assert_eq!(s, "B 0000001A S 00000010 N 0123ABCD L\r\n");
            assert_eq!(s, report_line(0x1a, 0x10, 0x0123_abcd, true));
        }
    }

    #[test]
    fn leds_count_hex_digits() {
        assert_eq!(leds_of(0), 0);
        assert_eq!(leds_of(1), 1);
        assert_eq!(leds_of(15), 1);
        assert_eq!(leds_of(16), 3);
        assert_eq!(leds_of(0x1000_0000), 0xff);
        assert_eq!(leds_of(u32::MAX), 0xff);
    }
}
