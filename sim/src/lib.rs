//! cporx-sim: everything that runs the receive datapath without rust-hdl.
//!
//! * [`model`]: the bit-exact, cycle-accurate reference model (one file per RTL block)
//! * [`prbs`]: PRBS7/9/13/15/31 and PRBS13Q PAM-4 sources
//! * [`afe`]: the behavioral analog front end of the closed loop (pulse-response channel,
//!   noise, jitter, ppm offset, phase-interpolated sampler, ADC)
//! * [`prbs_check`]: a self-synchronizing PRBS13Q checker with cycle-slip detection
//! * [`link`]: the closed loop (AFE + receive top + checker), its measurements and the
//!   open-loop phase sweep
//! * [`channel`]: the analog side for the demo (ISI channel, noise, ADC)
//! * [`verilator`]: builds the exported Verilog with Verilator and runs it in bulk
//! * [`vcd_out`]: VCD writing with the `vcd` crate, names as in the exported Verilog
//! * [`figure`]: rates from counts (BER with its count and 95 % interval; "not measured" from zero samples)
//! * [`stimulus`]: stimulus files (text, one cycle a line) with range-checked parsing

pub mod afe;
pub mod bist;
pub mod channel;
pub mod equalize;
pub mod figure;
pub mod link;
pub mod model;
pub mod montecarlo;
pub mod prbs;
pub mod prbs_check;
pub mod pulse;
pub mod stateye;
pub mod stimulus;
pub mod study;
pub mod taps;
pub mod touchstone;
pub mod vcd_out;
pub mod verilator;
