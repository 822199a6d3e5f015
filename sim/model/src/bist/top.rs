//! BIST top model: the bit-exact, cycle-accurate model of the BIST top, PRBS13Q generator ->
//! channel emulator -> receive top -> PRBS13Q checker -> UART report and LEDs, with the UART
//! configuration receiver writing the receive top's registers.
//!
//! Composed from the block models with the same cycle convention (every block samples its
//! upstream registers as they were before the edge); the checker's `valid` is the receive
//! top's `lock`.
//!
//! **Parameters**: `RxParams` (every field, through `RxTopModel::new`) and `BistParams`
//! (every field, through the block models), checked together by `BistParams::check_rx`:
//! both valid and `BistParams::lanes` = `RxParams::lanes` (P in {1, 2, 4, 8, 16}).
//!
//! **Ports**: `BistTopModel::step(&BistIn) -> BistOut` is one cycle; `run(&[BistIn])` a
//! stimulus. `BistIn`: `rst`, `inject`, `send`, `uart_rx` (default: the line idle high).
//! `BistOut` (every output port of the RTL top): `leds`, `tx`, `busy`, `bit_errs`,
//! `sym_errs`, `symbols`, `synced`, `lock`, `phase`; `BistIn::pack` and `BistOut::unpack`
//! are the Verilator harness's words.
//!
//! **Formats**: those of the blocks (levels 0 ..= 3, 6-bit ADC codes, 32-bit counters, ASCII
//! 8N1 on `tx`, 7-bit PI code).
//!
//! **Latency**: generator 1, channel 5, receiver 7 (to the decision), checker 5 (to the
//! counters); a configuration write registered in the receiver lands in the receive top at
//! the next edge.
//!
//! **Reset**: a reset cycle resets every block and loads the receive top's configuration
//! registers. Power-up (`new`): the all-zero register state (the UART line idle high through
//! its inverted register).
//!
//! See also: RTL `hdl/src/bist/top.rs` (`BistTop`), spec docs/bist.md "The BIST top and the
//! board tops", tests `verif/tests/bist_top.rs`.

use super::uart_rx::UartRxModel;
use super::{ChanEmuModel, PrbsChkModel, PrbsGenModel, UartTxModel};
use crate::bist::uart_tx::UartIn;
use crate::RxTopModel;
use cporx_spec::bist::BistParams;
use cporx_spec::*;

/// Inputs of one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BistIn {
    pub rst: bool,
    pub inject: bool,
    pub send: bool,
    /// the configuration serial line (idle high)
    pub uart_rx: bool,
}

impl Default for BistIn {
    /// No reset, no button, the serial line idle (high).
    fn default() -> Self {
        BistIn {
            rst: false,
            inject: false,
            send: false,
            uart_rx: true,
        }
    }
}

/// Outputs after one cycle's edge (every output port of the top).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BistOut {
    pub leds: u8,
    pub tx: bool,
    pub busy: bool,
    pub bit_errs: u32,
    pub sym_errs: u32,
    pub symbols: u32,
    pub synced: bool,
    pub lock: bool,
    pub phase: u8,
}

impl BistOut {
    /// The two 64-bit words the Verilator harness writes per cycle: word 0 bit_errs |
    /// sym_errs << 32; word 1 symbols | leds << 32 | tx << 40 | busy << 41 | lock << 42 |
    /// synced << 43 | phase << 44.
    pub fn unpack(w: [u64; 2]) -> Self {
        BistOut {
            bit_errs: w[0] as u32,
            sym_errs: (w[0] >> 32) as u32,
            symbols: w[1] as u32,
            leds: (w[1] >> 32) as u8,
            tx: (w[1] >> 40) & 1 == 1,
            busy: (w[1] >> 41) & 1 == 1,
            lock: (w[1] >> 42) & 1 == 1,
            synced: (w[1] >> 43) & 1 == 1,
            phase: ((w[1] >> 44) & 0x7f) as u8,
        }
    }
}

impl BistIn {
    /// The word the Verilator harness reads: bit 0 rst, 1 inject, 2 send, 3 uart_rx.
    pub fn pack(&self) -> u32 {
        self.rst as u32
            | (self.inject as u32) << 1
            | (self.send as u32) << 2
            | (self.uart_rx as u32) << 3
    }
}

#[derive(Clone, Debug)]
pub struct BistTopModel {
    lanes: usize,
    pub gen: PrbsGenModel,
    pub chan: ChanEmuModel,
    pub rx: RxTopModel,
    pub chk: PrbsChkModel,
    pub uart: UartTxModel,
    pub cfg: UartRxModel,
    out: BistOut,
    adc: [i32; MAX_LANES],
    sym: Vec<u8>,
}

impl BistTopModel {
    pub fn new(rx: &RxParams, b: &BistParams) -> Result<Self, ParamError> {
        b.check_rx(rx)?;
        Ok(BistTopModel {
            lanes: b.lanes,
            gen: PrbsGenModel::new(b)?,
            chan: ChanEmuModel::new(b)?,
            rx: RxTopModel::new(rx)?,
            chk: PrbsChkModel::new(b)?,
            uart: UartTxModel::new(b)?,
            cfg: UartRxModel::new(b.uart_div)?,
            out: BistOut {
                // power-up: the UART line register holds the inverted level, so idle high
                tx: true,
                ..Default::default()
            },
            adc: [0; MAX_LANES],
            sym: vec![0; b.lanes],
        })
    }

    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    pub fn step(&mut self, i: &BistIn) -> BistOut {
        let p = self.lanes;
        // the registers every block samples, as they are before this edge
        let rx_before = self.rx.outputs();
        let chk_before = self.out;
        let gen_sym = self.sym.clone();
        let adc = self.adc;
        // the UART and the checker see the counters and lock before the edge
        let u = self.uart.step(&UartIn {
            rst: i.rst,
            send: i.send,
            bit_errs: chk_before.bit_errs,
            sym_errs: chk_before.sym_errs,
            symbols: chk_before.symbols,
            lock: rx_before.lock,
        });
        let rx_sym: Vec<u8> = rx_before.lane[..p].iter().map(|l| l.symbol).collect();
        let c = self.chk.step(i.rst, rx_before.lock, &rx_sym).clone();
        // the configuration write registered before this edge, then the receiver's edge
        let w = self.cfg.outputs();
        self.cfg.step(i.rst, i.uart_rx);
        let mut rin = RxIn {
            rst: i.rst,
            cfg_we: w.we,
            cfg_addr: w.addr,
            cfg_data: w.data as i8 as i32,
            ..Default::default()
        };
        rin.adc[..p].copy_from_slice(&adc[..p]);
        let o = self.rx.step(&rin);
        let a = self.chan.step(i.rst, &gen_sym);
        self.adc[..p].copy_from_slice(&a[..p]);
        let g = self.gen.step(i.rst, i.inject);
        self.sym.copy_from_slice(&g[..p]);
        self.out = BistOut {
            leds: u.leds,
            tx: u.tx,
            busy: u.busy,
            bit_errs: c.bit_errs,
            sym_errs: c.sym_errs,
            symbols: c.symbols,
            synced: c.synced,
            lock: o.lock,
            phase: o.phase,
        };
        self.out
    }

    pub fn run(&mut self, stim: &[BistIn]) -> Vec<BistOut> {
        stim.iter().map(|i| self.step(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clean channel: after reset the receiver locks, the checker syncs and counts
    /// symbols without an error; each injected error shows up (5 counted bit errors per
    /// flipped bit, a self-synchronizing checker's multiplication).
    #[test]
    fn locks_counts_and_sees_injected_errors() {
        for lanes in [1, 4, 16] {
            let rx = RxParams::default().with_lanes(lanes).unwrap();
            let b = BistParams {
                lanes,
                uart_div: 4,
                report_interval: 50_000,
                ..Default::default()
            };
            let mut m = BistTopModel::new(&rx, &b).unwrap();
            m.step(&BistIn {
                rst: true,
                ..Default::default()
            });
            let idle = BistIn::default();
            let mut o = idle_run(&mut m, &idle, 20_000 / lanes);
            assert!(o.lock && o.synced, "lanes {lanes}: {o:?}");
            assert!(o.symbols > 10_000, "lanes {lanes}: {o:?}");
            assert_eq!((o.bit_errs, o.sym_errs, o.leds), (0, 0, 0), "lanes {lanes}");
            for _ in 0..3 {
                m.step(&BistIn {
                    inject: true,
                    ..Default::default()
                });
                o = idle_run(&mut m, &idle, 50);
            }
            assert_eq!(o.sym_errs, 3 * 4, "lanes {lanes}: {o:?}");
            assert_eq!(o.bit_errs, 3 * 5, "lanes {lanes}: {o:?}");
            assert_eq!(o.leds, 0b1, "15 errors: one hex digit, led 0 {o:?}");
        }
    }

    fn idle_run(m: &mut BistTopModel, i: &BistIn, n: usize) -> BistOut {
        let mut o = BistOut::default();
        for _ in 0..n {
            o = m.step(i);
        }
        o
    }
}
