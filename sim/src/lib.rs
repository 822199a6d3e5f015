//! cporx-sim: everything that runs the receive datapath without rust-hdl.
//!
//! The bit-exact model and its sources:
//! * [`model`]: the bit-exact, cycle-accurate reference model (one file per RTL block)
//! * [`bist`]: bit-exact models of the BIST blocks (PRBS13Q generator, channel emulator,
//!   checker, UART report and configuration receiver, BIST top)
//! * [`prbs`]: PRBS7/9/13/15/31 and PRBS13Q PAM-4 sources
//!
//! The analog side and the closed loop:
//! * [`channel`]: the demo's analog side (symbol-spaced ISI channel, noise, ADC)
//! * [`equalize`]: least-squares FFE training for the demo
//! * [`afe`]: the behavioral analog front end of the closed loop (pulse-response channel,
//!   noise, jitter, ppm offset, phase-interpolated sampler, ADC)
//! * [`prbs_check`]: a self-synchronizing PRBS13Q checker with cycle-slip detection
//! * [`link`]: the closed loop (AFE + receive top + checker), its measurements and the
//!   open-loop phase sweep
//!
//! Link analysis on measured channels:
//! * [`touchstone`]: Touchstone 1.x reader, SDD21, passivity and port-map checks
//! * [`pulse`]: SDD21 to pulse response (TX and RX filters), the one channel loader
//! * [`taps`]: MMSE and zero-forcing taps, Q2.6 quantization, sign-sign LMS
//! * [`stateye`]: statistical eye and BER of the fixed-point receiver, closed forms
//! * [`montecarlo`]: Monte-Carlo BER through the bit-exact FFE and slicer on all cores
//! * [`study`]: the co-packaging study's engine (fewest taps and ADC bits per channel)
//! * [`figure`]: rates from counts (BER with its count and 95 % interval; "not measured"
//!   from zero samples)
//!
//! Co-simulation:
//! * [`verilator`]: builds the exported Verilog with Verilator and runs it in bulk
//! * [`vcd_out`]: VCD writing with the `vcd` crate, names as in the exported Verilog
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
pub mod verilator_block;
