//! UART configuration receiver model: the bit-exact, cycle-accurate model of the 8N1
//! configuration receiver; an address byte `0x80 | addr` then a data byte make one
//! configuration write.
//!
//! A byte with bit 7 clear while an address is expected is ignored; a byte with a bad stop
//! bit is dropped; the address is the byte's bits 5:0 (bit 6 is ignored). A falling edge of `rx` while idle
//! starts a character; the line is sampled `uart_div / 2 + 1` clocks after the first low
//! clock (mid start bit: high there is a false start), then every `uart_div` clocks for 8
//! data bits (LSB first) and the stop bit: inside its bit for `uart_div` >= 3, which is why
//! `UART_DIV_MIN` is 3 (at 2 it would be the next bit's first clock).
//!
//! **Parameters** (`BistParams::uart_div`, passed to `UartRxModel::new(uart_div)`, which
//! checks it): `uart_div` 3 ..= 65535 clocks per bit (`UART_DIV_MIN`, `UART_DIV_MAX`).
//!
//! **Ports**: `UartRxModel::step(rst, rx)` is one clock edge with the (synchronized) line
//! level `rx` applied; it returns the registered outputs (`CfgWrite`: `we`, `addr`, `data`),
//! as `outputs()` does between edges. `uart_encode` makes line levels for stimulus.
//!
//! **Formats**: 8N1, LSB first; `addr` 0 ..= 63, `data` the data byte.
//!
//! **Latency**: `we` is high for the clock after the edge that samples the data byte's stop
//! bit.
//!
//! **Reset**: idle, no address, outputs 0, `prev` low. Power-up (`new`): the same state.
//!
//! See also: RTL `hdl/src/bist/uart_rx.rs` (`UartRx`), spec docs/bist.md "The BIST top and
//! the board tops" and `spec/src/bist.rs`, tests `hdl/tests/bist_uart_rx.rs`.

use cporx_spec::{ParamError, CFG_ADDR_BITS};

/// The receiver's registered outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CfgWrite {
    pub we: bool,
    pub addr: u32,
    pub data: u8,
}

#[derive(Clone, Debug)]
pub struct UartRxModel {
    div: u32,
    prev: bool,
    busy: bool,
    cnt: u32,
    bitn: u32,
    sh: u8,
    have_addr: bool,
    addr: u32,
    out: CfgWrite,
}

impl UartRxModel {
    pub fn new(uart_div: u32) -> Result<Self, ParamError> {
        cporx_spec::bist::check_uart_div(uart_div)?;
        Ok(UartRxModel {
            div: uart_div,
            prev: false,
            busy: false,
            cnt: 0,
            bitn: 0,
            sh: 0,
            have_addr: false,
            addr: 0,
            out: CfgWrite::default(),
        })
    }

    /// The outputs as they are now (before the next edge).
    pub fn outputs(&self) -> CfgWrite {
        self.out
    }

    /// One clock edge with the (synchronized) line level `rx` applied.
    pub fn step(&mut self, rst: bool, rx: bool) -> CfgWrite {
        if rst {
            *self = Self::new(self.div).expect("checked");
            return self.out;
        }
        let mut we = false;
        if !self.busy {
            if self.prev && !rx {
                self.busy = true;
                self.cnt = self.div / 2;
                self.bitn = 0;
            }
        } else if self.cnt == 0 {
            self.cnt = self.div - 1;
            let b = self.bitn;
            self.bitn = (self.bitn + 1) & 15;
            if b == 0 {
                if rx {
                    self.busy = false;
                }
            } else if b == 9 {
                self.busy = false;
                if rx {
                    if self.have_addr {
                        we = true;
                        self.out.addr = self.addr;
                        self.out.data = self.sh;
                        self.have_addr = false;
                    } else if self.sh & 0x80 != 0 {
                        self.addr = self.sh as u32 & ((1 << CFG_ADDR_BITS) - 1);
                        self.have_addr = true;
                    }
                }
            } else {
                self.sh = self.sh >> 1 | (rx as u8) << 7;
            }
        } else {
            self.cnt -= 1;
        }
        self.prev = rx;
        self.out.we = we;
        self.out
    }
}

/// The line levels of 8N1 `bytes` at `div` clocks per bit, with `gap` idle clocks before
/// each byte (for stimulus).
pub fn uart_encode(bytes: &[u8], div: usize, gap: usize) -> Vec<bool> {
    let mut v = Vec::new();
    for &b in bytes {
        v.extend(std::iter::repeat_n(true, gap));
        v.extend(std::iter::repeat_n(false, div));
        for k in 0..8 {
            v.extend(std::iter::repeat_n(b >> k & 1 == 1, div));
        }
        v.extend(std::iter::repeat_n(true, div));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every divisor from the minimum decodes (the minimum was 2, where the sample point
    /// lands in the next bit), and the one below it is refused with its range.
    #[test]
    fn every_legal_divisor_decodes_and_two_is_refused() {
        for div in [3u32, 4, 5, 6, 7, 16, 868] {
            let mut m = UartRxModel::new(div).unwrap();
            m.step(true, true);
            let mut writes = Vec::new();
            for rx in uart_encode(&[0x81, 0xC5, 0x98, 0x09], div as usize, 3) {
                let o = m.step(false, rx);
                if o.we {
                    writes.push((o.addr, o.data));
                }
            }
            for _ in 0..2 * div {
                let o = m.step(false, true);
                if o.we {
                    writes.push((o.addr, o.data));
                }
            }
            assert_eq!(writes, vec![(1, 0xC5), (24, 9)], "uart_div = {div}");
        }
        let e = UartRxModel::new(2).unwrap_err().to_string();
        assert!(
            e.contains("bist.uart_div") && e.contains("3 ..= 65535"),
            "{e}"
        );
    }

    #[test]
    fn address_then_data_makes_one_write() {
        let div = 7;
        let mut m = UartRxModel::new(div).unwrap();
        m.step(true, true);
        // a stray data byte, then address 0x81 (addr 1) and data 0xC0 (-64), then addr 24, 9
        let line = uart_encode(&[0x12, 0x81, 0xC0, 0x98, 9], div as usize, 5);
        let writes: Vec<CfgWrite> = line
            .iter()
            .chain(std::iter::repeat_n(&true, 20))
            .map(|&l| m.step(false, l))
            .filter(|w| w.we)
            .collect();
        assert_eq!(
            writes,
            vec![
                CfgWrite {
                    we: true,
                    addr: 1,
                    data: 0xC0
                },
                CfgWrite {
                    we: true,
                    addr: 24,
                    data: 9
                }
            ]
        );
        assert!(UartRxModel::new(1).is_err());
    }
}
