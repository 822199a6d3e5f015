//! cporx-model: the bit-exact, cycle-accurate model of every RTL block, written against
//! docs/numerics.md and docs/bist.md (not against the RTL). It depends on the spec
//! (`cporx-spec`) and `fixed` alone: no simulator, no link analysis.
//!
//! One file per RTL block, named as in `hdl/src/`:
//!
//! | block | model | RTL | untimed reference | test |
//! |---|---|---|---|---|
//! | FFE | [`ffe::FfeModel`] | `hdl/src/ffe.rs` | [`reference::ffe_ref`] | `verif/tests/ffe.rs` |
//! | PAM-4 slicer | [`slicer::SlicerModel`] | `hdl/src/slicer.rs` | [`reference::slicer_ref`] | `verif/tests/slicer.rs` |
//! | 1-tap PAM-4 DFE (`dfe_taps` = 1) | [`dfe::DfeModel`] | `hdl/src/dfe.rs` | the equations in its header | `verif/tests/dfe.rs` |
//! | baud-rate CDR | [`cdr::CdrModel`] | `hdl/src/cdr.rs` | [`reference::cdr_ref`] | `verif/tests/cdr.rs` |
//! | sign-sign LMS | [`lms::LmsModel`] | `hdl/src/lms.rs` | [`reference::lms_ref`] | `verif/tests/lms.rs` |
//! | gain control (AGC) | [`agc::AgcModel`] | `hdl/src/agc.rs` | the equations in its header | `verif/tests/agc.rs` |
//! | slicer levels | [`levels::LevelsModel`] | `hdl/src/levels.rs` | [`reference::levels_ref`] | `verif/tests/levels.rs` |
//! | receive top | [`rx_top::RxTopModel`] | `hdl/src/rx_top.rs` | the three above in series | `verif/tests/rx_top.rs` |
//! | BIST blocks | [`bist`] | `hdl/src/bist/` | docs/bist.md | `hdl/tests/bist_*.rs` |
//!
//! * [`mod@reference`]: the untimed, pipeline-free references written from the spec's
//!   equations; `sim/model/tests/reference.rs` proves the cycle-accurate models, shifted
//!   by their latency, equal to them at every lane count.
//! * [`prbs`]: PRBS7/9/13/15/31 and the PRBS13Q PAM-4 source.
//! * [`Receiver`]: the one-cycle step every receive top implements (this model here, the
//!   Verilator receivers in cporx-cosim, rust-hdl's simulator in cporx-verif).

pub mod adapt;
pub mod agc;
pub mod bist;
pub mod cdr;
pub mod dfe;
pub mod ffe;
pub mod levels;
pub mod lms;
pub mod prbs;
pub mod receiver;
pub mod reference;
pub mod rx_top;
pub mod slicer;

pub use adapt::AdaptModel;
pub use agc::AgcModel;
pub use cdr::CdrModel;
pub use dfe::{DfeModel, DfeTap};
pub use ffe::FfeModel;
pub use levels::LevelsModel;
pub use lms::LmsModel;
pub use receiver::Receiver;
pub use rx_top::RxTopModel;
pub use slicer::SlicerModel;
