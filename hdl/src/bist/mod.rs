//! BIST (built-in self-test) building blocks as rust-hdl RTL, P lanes (symbols per clock,
//! P in {1, 2, 4, 8, 16}; lane 0 the OLDEST symbol of a clock). Specification:
//! docs/bist.md; bit-exact models: cporx-model `bist` (sim/model/src/bist/); tests: one
//! file per block, hdl/tests/bist_<block>.rs.
//!
//! | block | file | latency |
//! |---|---|---|
//! | PRBS13Q generator [`PrbsGen`] | `prbs_gen.rs` | 1 cycle |
//! | channel emulator [`ChanEmu`] | `chan_emu.rs` | 5 cycles |
//! | PRBS13Q checker [`PrbsChk`] | `prbs_chk.rs` | 5 cycles to the counters, 2 to `synced` |
//! | UART report + LEDs [`UartTx`] | `uart_tx.rs` | `tx`: the starting edge; LEDs 1 cycle |
//! | UART configuration receiver [`UartRx`] | `uart_rx.rs` | write strobe after the data byte's stop bit |
//! | the BIST top [`BistTop`] | `top.rs` | generator -> channel -> receive top -> checker -> UART ([`BistCore`]: all but the UART transmitter) |
//! | snapshot clock-domain crossing [`SnapCdc`] | `snap_cdc.rs` | counters into the report clock's domain (handshake) |
//! | board-level top [`board::BoardTop`] | `board.rs` | power-on reset, button synchronizers, LED polarity; the UART report on a slower clock |
//!
//! Every block has `clock` and a synchronous, active-high `rst`; per-lane ports are
//! `Vec<Signal<..>>` fields, exported as `name$0`, `name$1`, ... Outputs are registers.
//! The constructors take plain values (cporx-hdl does not depend on cporx-model, where
//! `BistParams` lives): `BistParams::lanes`, `taps4()`, `noise_amp`, `lane_seeds()`,
//! `uart_div` and `report_interval` map one to one onto their arguments. They return a
//! `ParamError` naming the parameter and its legal range for an illegal value.

pub mod board;
pub mod chan_emu;
pub mod prbs_chk;
pub mod prbs_gen;
pub mod snap_cdc;
pub mod top;
pub mod uart_rx;
pub mod uart_tx;

pub use chan_emu::ChanEmu;
pub use prbs_chk::PrbsChk;
pub use prbs_gen::PrbsGen;
pub use snap_cdc::SnapCdc;
pub use top::{bist_top_verilog, BistCore, BistTop};
pub use uart_rx::UartRx;
pub use uart_tx::UartTx;

use rust_hdl::prelude::*;

/// PRBS13 feedback mask on a 13-bit state with bit 0 the newest bit (x^13 + x^12 + x^2 +
/// x + 1: b[t] = b[t-1] ^ b[t-2] ^ b[t-12] ^ b[t-13]): `cporx_spec::bist::PRBS13_TAPMASK`.
pub const PRBS13_TAPMASK: u64 = cporx_spec::bist::PRBS13_TAPMASK as u64;

// Parameter checks shared with the models (one definition, in cporx-spec).
pub(crate) use cporx_spec::bist::{check_lanes, check_range};

/// `n` default-constructed items (signals, registers).
pub(crate) fn many<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

/// Verilog text of a block (top module `top`), after rust-hdl's connectivity checks.
pub fn verilog_of<B: Block>(mut b: B) -> String {
    b.connect_all();
    generate_verilog(&b)
}
