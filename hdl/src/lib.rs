//! cporx-hdl: the receive datapath as rust-hdl blocks, one module per block.
//!
//! | block | file | model (cporx-model) | latency |
//! |---|---|---|---|
//! | FFE | `ffe.rs` | `sim/model/src/ffe.rs` | 6 cycles |
//! | PAM-4 slicer | `slicer.rs` | `sim/model/src/slicer.rs` | 1 cycle |
//! | 1-tap PAM-4 DFE (`dfe_taps` = 1, in the slicer's place) | `dfe.rs` | `sim/model/src/dfe.rs` | 1 cycle |
//! | baud-rate CDR | `cdr.rs` | `sim/model/src/cdr.rs` | 4 cycles |
//! | receive top | `rx_top.rs` | `sim/model/src/rx_top.rs` | 7 cycles to the decision, 11 to the phase code |
//! | BIST blocks, BIST and board tops | `bist/` | `sim/model/src/bist/` | docs/bist.md |
//!
//! Number formats and latencies come from `cporx-spec` (prose: docs/numerics.md).
//!
//! ## Why every datapath signal is `Bits<N>`, not `Signed<N>`
//! rust-hdl 0.46 is unmaintained and its signed support has two defects that bite a
//! fixed-point datapath: `signed_bit_cast` recurses forever on the most negative value,
//! and its exported `$signed(...)` casts let Verilog size products differently from the
//! rust-hdl simulator. So all blocks here carry raw two's-complement patterns in `Bits<N>`
//! and do the signed arithmetic explicitly, with operations whose Verilog meaning is
//! plain unsigned modular arithmetic at a stated width:
//! * sign extension: `sext_M(x) = zext_M(x) | (x[msb] ? E : 0)` with `E` the mask of the
//!   bits above the source width (a mux on the high bits, which synthesis turns into
//!   wiring; an earlier `(x ^ S) - S` form cost a carry chain per extension);
//! * signed compare: `a <s b  <=>  (a ^ S) <u (b ^ S)`;
//! * products: 16x16 unsigned multiply of sign-extended operands into an explicitly sized
//!   32-bit `Local`; the low 16 bits are the exact signed product (it fits in 14).
//! The equivalence tests (cporx-verif) prove the workaround against Verilator.

pub mod adapt;
pub mod agc;
pub mod bist;
pub mod cdr;
pub mod dfe;
pub mod export;
pub mod ffe;
pub mod fusesoc;
pub mod levels;
pub mod lms;
pub mod rx_top;
pub mod slicer;
pub mod step;

pub use cdr::Cdr;
pub use dfe::Dfe;
pub use ffe::Ffe;
pub use levels::Levels;
pub use lms::Lms;
pub use rx_top::RxTop;
pub use slicer::Slicer;
pub use step::RxTopSim;

/// The mask of the bits `from ..= to-1`: what sign extension from `from` to `to` bits ORs in.
pub(crate) fn ext_mask(from: usize, to: usize) -> u64 {
    let all = if to >= 64 { u64::MAX } else { (1u64 << to) - 1 };
    all & !((1u64 << from) - 1)
}

/// A rust-hdl constant of `N` bits holding the raw pattern `v` (shared by every block).
pub(crate) fn konst<const N: usize>(
    v: u64,
) -> rust_hdl::prelude::Constant<rust_hdl::prelude::Bits<N>> {
    use rust_hdl::prelude::*;
    Constant::new(Bits::<N>::from(v as LiteralType))
}
