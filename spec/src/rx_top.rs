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

/// Configuration bus: 6-bit address, 8-bit data (every configurable register is 8 bits).
/// The same address, with `cfg_we` low or high, reads the register on `rd_data`
/// (docs/numerics.md, "Configuration bus": read-back).
pub const CFG_ADDR_BITS: usize = 6;
pub const CFG_DATA_BITS: usize = 8;
/// Adaptation control (only with `RxParams::adapt`): bit 0 LMS enable, bit 1 levels enable,
/// bit 2 AGC enable.
pub const CFG_ADAPT: u32 = 19;
/// Adaptation steps: bits 3:0 the LMS step code, bits 7:4 the levels step code.
pub const CFG_ADAPT_MU: u32 = 30;
/// LMS freeze: bits 3:0 the main tap m, bit 4 holds m, bit 5 holds m - 1, bit 6 holds
/// m + 1 (`params::freeze_mask`).
pub const CFG_LMS_FREEZE: u32 = 31;
/// Receive top (FFE then slicer): the symbol decided from sample x[n] appears on the
/// outputs after clock edge n + LAT_TOP - 1 (i.e. `LAT_TOP` cycles after the edge that
/// captured x[n] on the ADC port, counting that edge).
pub const LAT_TOP: usize = LAT_FFE + LAT_SLICER;

const _: () = assert!(Y_BITS == CFG_DATA_BITS && COEF_BITS == CFG_DATA_BITS);
const _: () = assert!(MAX_TAPS <= CFG_THRESH_BASE as usize);
const _: () = assert!(CFG_ADAPT == CFG_THRESH_BASE + 3 && CFG_ADAPT < CFG_TARGET_BASE);
const _: () = assert!(CFG_ADAPT_MU > CFG_PHASE && CFG_LMS_FREEZE < (1 << CFG_ADDR_BITS));
