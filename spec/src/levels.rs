//! Slicer-level adaptation: formats, step, decimation and latency (docs/numerics.md,
//! "Levels (slicer-level adaptation)"). RTL `hdl/src/levels.rs`, model
//! `sim/model/src/levels.rs`, test `verif/tests/levels.rs`.

use crate::*;

/// Fraction bits of a level accumulator below the Q7.1 code's LSB: each accumulator is
/// Q7.(1 + LEV_FRAC), `LEV_ACC_BITS` wide; the target is its rounded top LEVEL_BITS bits.
pub const LEV_FRAC: usize = 15;
/// Level accumulator width: LEVEL_BITS + LEV_FRAC (23), saturating at
/// [-128, 127] * 2^LEV_FRAC.
pub const LEV_ACC_BITS: usize = LEVEL_BITS + LEV_FRAC;
/// Step code width: `mu` in 0 ..= 15 (every code legal); an update adds e * 2^(LEV_FRAC - mu)
/// accumulator LSBs, i.e. e * 2^-mu codes (mu = 0: the target jumps to the sample).
pub const LEV_MU_BITS: usize = 4;
/// The registers the block writes, in turn: the four targets, then the three thresholds.
pub const LEV_PORT_REGS: usize = 7;
/// Latency: an error at the block's input at edge c moves its symbol's accumulator at
/// edge c, and the write port (registers, computed from the accumulators before an
/// edge) carries it from edge c + 1 on, when it visits that level: 2 at the earliest.
pub const LAT_LEVELS: usize = 2;

const _: () = assert!((1 << LEV_MU_BITS) - 1 == LEV_FRAC);
const _: () = assert!(LEV_ACC_BITS + 2 <= 32);
