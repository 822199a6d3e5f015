//! The one interface every implementation of the receive top offers a closed loop or a
//! harness: step one cycle (inputs before the rising edge, outputs after it, as
//! docs/numerics.md's cycle convention says).
//!
//! Implemented here for the model ([`crate::RxTopModel`]); cporx-cosim implements it for
//! its Verilator receivers and cporx-verif for rust-hdl's simulator, so the link analysis
//! (cporx-link) runs any of them without knowing which.

use crate::RxTopModel;
use cporx_spec::{RxIn, RxOut};

/// A receive top that can be stepped one cycle at a time.
pub trait Receiver {
    /// One cycle: apply `i`, clock, return the registered outputs. An error is the
    /// implementation's own (a simulator that died, a VCD that could not be written).
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String>;
}

impl Receiver for RxTopModel {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        Ok(RxTopModel::step(self, i))
    }
}
