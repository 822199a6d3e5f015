//! Bit-exact, cycle-accurate models of the BIST (built-in self-test) blocks in
//! hdl/src/bist/: a PRBS13Q generator, a digital channel emulator (ISI + noise -> ADC
//! codes), a self-synchronizing PRBS13Q checker and a UART report transmitter.
//! Prose specification: docs/bist.md.
//!
//! | block | model | RTL | latency |
//! |---|---|---|---|
//! | PRBS13Q generator | [`prbs_gen::PrbsGenModel`] | `hdl/src/bist/prbs_gen.rs` | 1 cycle |
//! | channel emulator | [`chan_emu::ChanEmuModel`] | `hdl/src/bist/chan_emu.rs` | 5 cycles ([`LAT_CHAN`]) |
//! | PRBS13Q checker | [`prbs_chk::PrbsChkModel`] | `hdl/src/bist/prbs_chk.rs` | 5 cycles to the counters ([`LAT_CHK`]) |
//! | UART report + LEDs | [`uart_tx::UartTxModel`] | `hdl/src/bist/uart_tx.rs` | see the module |
//! | UART configuration receiver | [`uart_rx::UartRxModel`] | `hdl/src/bist/uart_rx.rs` | see the module |
//! | BIST top | [`top::BistTopModel`] | `hdl/src/bist/top.rs` | see the module |
//!
//! Conventions shared by every block and model:
//! * P lanes ("samples or symbols per clock", P in {1, 2, 4, 8, 16}); lane 0 is the OLDEST
//!   symbol of a clock, lane P-1 the newest.
//! * A cycle applies the inputs before a rising clock edge and reads the outputs after it;
//!   every output is a register (or a register through an inverter, see `uart_tx`).
//! * `rst` is synchronous and active high. Every register powers up at 0 (rust-hdl DFFs
//!   and the FPGA's GSR state); the models start in that power-up state, not in the reset
//!   state, so that power-up behaviour is checked too.
//! * Symbols are PAM-4 levels 0..=3 (not Gray bits); ADC codes are signed 6-bit.
//!
//! [`BistParams`] holds every elaboration-time parameter (they become constants or reset
//! values in the RTL; there is no run-time configuration bus in the BIST blocks).

pub mod chan_emu;
pub mod prbs_chk;
pub mod prbs_gen;
pub mod top;
pub mod uart_rx;
pub mod uart_tx;

pub use chan_emu::ChanEmuModel;
pub use prbs_chk::PrbsChkModel;
pub use prbs_gen::PrbsGenModel;
pub use uart_tx::UartTxModel;

pub use cporx_spec::bist::*;
