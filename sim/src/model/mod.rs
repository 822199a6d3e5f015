//! The bit-exact reference model, written against docs/numerics.md (not the RTL).
//! One file per RTL block, named as in `hdl/src/`; `reference` holds the untimed,
//! pipeline-free references written from the spec's equations that the models are checked
//! against (`sim/tests/reference.rs`).

pub mod cdr;
pub mod ffe;
pub mod reference;
pub mod rx_top;
pub mod slicer;

pub use cdr::CdrModel;
pub use ffe::FfeModel;
pub use rx_top::RxTopModel;
pub use slicer::SlicerModel;
