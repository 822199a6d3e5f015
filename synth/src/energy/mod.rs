//! Energy per bit of a receive configuration, measured: the exported Verilog synthesized
//! to a standard-cell library with power data (OSU 0.18 um, `.tools/osu018`), simulated
//! at gate level on the closed loop's own traffic for its switching activity, and its
//! power reported by OpenSTA per block, with an independent sum from the liberty beside it.
//!
//! * [`liberty`]: the Liberty reader (units, cells, pins, power tables)
//! * [`map`]: Yosys to the liberty's cells, blocks kept apart
//! * [`netlist`]: the flat cell netlist, parsed and written for Verilator and OpenSTA
//! * [`activity`]: toggles per net from Verilator's toggle coverage
//! * [`power`]: the independent power sum from the liberty
//! * [`measure`]: one measurement end to end
//! * [`sta`]: OpenSTA's `report_power` with those activities, per cell and per block

pub mod activity;
pub mod liberty;
pub mod map;
pub mod measure;
pub mod netlist;
pub mod power;
pub mod sta;
