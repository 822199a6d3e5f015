//! cporx-spec: the constants of the receive datapath. docs/numerics.md (and docs/bist.md
//! for the BIST blocks) is the specification's text: formats, equations, latencies, reset
//! values and the reasons for them. This crate holds its numbers as code, one module per
//! block as the text has one section per block, and nothing else: the model
//! (`cporx-model`), the rust-hdl generator (`cporx-hdl`) and every harness read their
//! widths, addresses and latencies from here, so a change here changes all of them, and a
//! change of a number here is a change of the text too (each constant names its section).
//!
//! | module | docs/numerics.md section | block |
//! |---|---|---|
//! | [`ffe`] | FFE | `hdl/src/ffe.rs` |
//! | [`slicer`] | Slicer | `hdl/src/slicer.rs` |
//! | [`dfe`] | DFE (decision feedback) | `hdl/src/dfe.rs` |
//! | [`cdr`] | CDR (clock and data recovery) | `hdl/src/cdr.rs` |
//! | [`agc`] | AGC (gain control) | `hdl/src/agc.rs` |
//! | [`levels`] | Levels (slicer-level adaptation) | `hdl/src/levels.rs` |
//! | [`lms`] | LMS (sign-sign coefficient adaptation) | `hdl/src/lms.rs` |
//! | [`rx_top`] | Samples per clock (lanes), Configuration bus, Latency and cycle convention | `hdl/src/rx_top.rs` |
//! | [`bist`] | docs/bist.md | `hdl/src/bist/` |
//! | [`params`] | (each block's section) | `RxParams`, `CdrParams`: elaboration-time parameters, their legal ranges |
//! | [`ports`] | Latency and cycle convention | the top's port bundles `RxIn`, `RxOut` and their packing |
//! | [`codes`] | Formats | raw two's-complement patterns to and from `i32` |
//! | [`paths`] | | run-time lookup of tools, data and caches |
//! | [`energy`] | docs/energy-sources.md | ADC figure of merit, node scaling and published energy figures, with sources (not re-exported) |
//!
//! Every constant is re-exported at the crate root (`cporx_spec::LAT_FFE`).
//!
//! Conventions (see docs/numerics.md for the full text):
//! * `Qm.f` means a two's-complement signed number of `m+f` bits, `f` of them fractional.
//! * Every datapath value crosses module ports as a raw two's-complement bit pattern
//!   (`Bits<N>` in rust-hdl); [`codes`] goes between those patterns and `i32`.

pub mod agc;
pub mod bist;
pub mod cdr;
pub mod codes;
pub mod dfe;
pub mod energy;
pub mod ffe;
pub mod levels;
pub mod lms;
pub mod params;
pub mod paths;
pub mod ports;
pub mod rx_top;
pub mod slicer;

pub use agc::*;
pub use cdr::*;
pub use codes::*;
pub use dfe::*;
pub use ffe::*;
pub use levels::*;
pub use lms::*;
pub use params::{freeze_mask, AdaptParams, CdrParams, ParamError, RxParams};
pub use ports::{LaneOut, RxIn, RxOut};
pub use rx_top::*;
pub use slicer::*;
