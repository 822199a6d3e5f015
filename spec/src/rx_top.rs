//! The receive top's shared numbers (docs/numerics.md, "Samples per clock (lanes)",
//! "Configuration bus", "Latency and cycle convention"): the lane count P, the
//! configuration bus every block's registers sit on, and the top's latency. RTL `hdl/src/rx_top.rs`, model `sim/model/src/rx_top.rs`,
//! test `verif/tests/rx_top.rs`.

use crate::*;

/// Lanes: the datapath takes a block of `lanes` consecutive samples per clock (P in the
/// docs); lane 0 is the oldest sample of the block. Legal values are the powers of two up to
/// MAX_LANES.
pub const MAX_LANES: usize = 16;
pub const MAX_LANES_LOG2: usize = 4;
pub const LEGAL_LANES: [usize; 5] = [1, 2, 4, 8, 16];
const _: () = assert!(MAX_LANES == 1 << MAX_LANES_LOG2);

/// Configuration bus: 5-bit address, 8-bit data (every configurable register is 8 bits).
pub const CFG_ADDR_BITS: usize = 5;
pub const CFG_DATA_BITS: usize = 8;
/// Receive top (FFE then slicer): the symbol decided from sample x[n] appears on the
/// outputs after clock edge n + LAT_TOP - 1 (i.e. `LAT_TOP` cycles after the edge that
/// captured x[n] on the ADC port, counting that edge).
pub const LAT_TOP: usize = LAT_FFE + LAT_SLICER;

const _: () = assert!(Y_BITS == CFG_DATA_BITS && COEF_BITS == CFG_DATA_BITS);
const _: () = assert!(MAX_TAPS <= CFG_THRESH_BASE as usize);
