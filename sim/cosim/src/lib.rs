//! cporx-cosim: the receive top's exported Verilog run by Verilator, cycle for cycle
//! against the model.
//!
//! * [`verilator`]: finds Verilator, lints, builds the Verilog with a generated C++
//!   harness (cached by content) and runs it in bulk, per cycle ([`verilator::RtlStepper`]),
//!   in-process ([`verilator::VerilatedLib`]) or with a VCD trace
//!   ([`verilator::VcdStepper`]); the BIST top's harness. Its per-cycle receivers
//!   implement [`cporx_model::Receiver`], so the closed loop (cporx-link) runs them.
//! * [`vcd_out`]: VCD writing with the `vcd` crate, signal names as in the exported
//!   Verilog, and [`vcd_out::read_vcd`], which reads any VCD back into per-signal changes.
//! * [`gtkw`]: GTKWave save files for those VCDs (signals grouped by block, signed
//!   decimal where the bits are two's complement), from the VCD writer's signal table.
//! * [`verilator_block`]: a generic harness for one exported block on named ports (the
//!   per-block tests' Verilator), wide ports as `VlWide` words.
//! * [`flatten`]: a simulation-only netlist of the export (Yosys flatten, then the
//!   combinational logic outside the output cone moved into the clocked block), which
//!   Verilator evaluates ~2.5x faster with the same outputs; lint and every other flow
//!   keep the export.
//! * [`lockstep`]: two receivers stepped together, every output compared on the fly.
//! * [`stimulus`]: stimulus files (text, one cycle a line) with range-checked parsing.

pub mod flatten;
pub mod gtkw;
pub mod lockstep;
pub mod stimulus;
pub mod vcd_out;
pub mod verilator;
pub mod verilator_block;

use cporx_model::Receiver;
use cporx_spec::{RxIn, RxOut};

impl Receiver for verilator::RtlStepper<'_> {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        verilator::RtlStepper::step(self, i).map_err(|e| e.to_string())
    }
}

impl Receiver for verilator::LibInstance<'_> {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        verilator::LibInstance::step(self, i).map_err(|e| e.to_string())
    }
}

impl Receiver for verilator::VcdStepper {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        verilator::VcdStepper::step(self, i).map_err(|e| e.to_string())
    }
}
