//! CDR formats, gains, lock detector, configuration addresses and latency
//! (docs/numerics.md, "CDR (clock and data recovery)"). RTL `hdl/src/cdr.rs`, model `sim/model/src/cdr.rs`,
//! test `verif/tests/cdr.rs`.

use crate::*;

/// Timing-error detector output z (Mueller-Muller on the slicer error, see docs/numerics.md):
/// z = e[k]*A(a[k-1]) - e[k-1]*A(a[k]) with e in Q8.1 (|e| <= 255) and A in {-3,-1,1,3},
/// so |z| <= 2 * 3 * 255 = 1530: exact in 12 bits (Q11.1).
pub const TED_BITS: usize = 12;
/// The CDR's detector register holds sums of TED_GROUP consecutive lanes' detector outputs
/// (one group at lanes <= TED_GROUP); the loop filter adds the groups. Every detector sum
/// is carried at TED_SUM_BITS = TED_BITS + log2(MAX_LANES), exact for any legal lane count
/// (|sum| <= 16 * 1530 < 2^15).
pub const TED_GROUP: usize = 4;
pub const TED_SUM_BITS: usize = TED_BITS + MAX_LANES_LOG2;
/// Phase-interpolator code width: 2^PI_BITS steps per UI (default 7: 128 steps), wrapping.
pub const PI_BITS: usize = 7;
/// Fractional bits of the phase accumulator below the PI code.
pub const PHASE_FRAC: usize = 20;
/// Phase accumulator width; the PI code is its top PI_BITS bits. The phase is modular
/// (one full turn = one UI), so this accumulator wraps by design: the only wrap in the datapath.
pub const PHASE_BITS: usize = PI_BITS + PHASE_FRAC;
/// Integral-path (frequency) register: signed, units of phase-accumulator LSBs per UI,
/// saturating at +-2^(FREQ_BITS-1): +-0.5 PI step per UI, +-3906 ppm at 128 steps per UI.
pub const FREQ_BITS: usize = 20;
/// Integral increment `zsum << ki`: exact in INC_BITS (|16 * 1530 << 7| < 2^23), added to the
/// frequency register in INC_BITS + 1 and saturated to FREQ_BITS.
pub const INC_BITS: usize = FREQ_BITS + MAX_LANES_LOG2;
/// Proportional gain shift kp (4 bits, 0..=15): phase += z << kp, i.e. Kp = 2^(kp - PHASE_FRAC) PI steps per z LSB.
pub const KP_BITS: usize = 4;
/// Integral gain shift ki (3 bits, 0..=7): freq += z << ki, i.e. Ki = 2^(ki - PHASE_FRAC) PI steps/UI per z LSB.
pub const KI_BITS: usize = 3;
/// Lock detector window: 2^LOCK_WIN_LOG2 UI (2^LOCK_WIN_LOG2 / lanes clocks).
pub const LOCK_WIN_LOG2: usize = 8;
/// Bad-sample counter width (counts 0 ..= 2^LOCK_WIN_LOG2).
pub const LOCK_CNT_BITS: usize = LOCK_WIN_LOG2 + 1;
/// False-lock escape: after this many consecutive 256-UI windows without lock (loop and
/// kick enabled), the phase jumps by half a UI. A decision-directed Mueller-Muller
/// detector has false stable points about half a UI from the eye centre (measured S-curve
/// in docs/numerics.md); half a UI from one of them is inside the true pull-in range.
pub const KICK_WINDOWS: usize = 4;
/// Width of the unlocked-window counter.
pub const KICK_CNT_BITS: usize = 2;
const _: () = assert!(KICK_WINDOWS == 1 << KICK_CNT_BITS);
/// CDR configuration registers on the shared bus.
pub const CFG_KP: u32 = 24;
pub const CFG_KI: u32 = 25;
/// Control bits: bit 0 loop enable (0 = open loop: phase and frequency hold), bit 1
/// integral-path enable, bit 2 false-lock escape (kick) enable.
pub const CFG_CDR_CTRL: u32 = 26;
/// Lock detector: a sample is bad when |err| > lock_thr (unsigned, Q8.1 magnitude).
pub const CFG_LOCK_THR: u32 = 27;
/// Lock detector: a window with at most lock_max bad samples asserts `lock`.
pub const CFG_LOCK_MAX: u32 = 28;
/// Writing here loads the PI code (cfg_data bits PI_BITS-1:0) and clears the fractional phase.
pub const CFG_PHASE: u32 = 29;
/// Frequency range L (8 bits unsigned): the integral register saturates at
/// -(L+1) 2^FREQ_LIM_SHIFT ..= (L+1) 2^FREQ_LIM_SHIFT - 1, i.e. +-(L+1) x 15.26 ppm
/// (`freq_bounds`). L = 255 is the register's full range (+-3906 ppm); the default
/// (`CdrParams::freq_limit`) is the link's ppm budget with margin.
pub const CFG_FREQ_LIM: u32 = 36;
/// Width of the frequency-range register.
pub const FREQ_LIM_BITS: usize = 8;
/// The range register's unit: 2^FREQ_LIM_SHIFT frequency LSBs (15.26 ppm), so that
/// L = 255 is the full FREQ_BITS range.
pub const FREQ_LIM_SHIFT: usize = FREQ_BITS - 1 - FREQ_LIM_BITS;

/// The integral register's saturation bounds (lo, hi) for the range register `lim`
/// (bits above FREQ_LIM_BITS ignored): `freq <- clamp(freq + inc, lo, hi)`.
pub const fn freq_bounds(lim: u32) -> (i32, i32) {
    let p = ((lim & ((1 << FREQ_LIM_BITS) - 1)) as i32 + 1) << FREQ_LIM_SHIFT;
    (-p, p - 1)
}

/// ppm of one frequency-register LSB: one phase-accumulator LSB per UI is
/// 2^-(PI_BITS + PHASE_FRAC) UI per UI.
pub const PPM_PER_FREQ_LSB: f64 = 1e6 / (1u64 << PHASE_BITS) as f64;
/// CDR latency: two detector registers (D1: +-e, +-3e and the decision; D2: z),
/// loop-filter registers (`pf = (z << kp) + freq`, `inc = z << ki`), then the phase
/// register. The phase code moves LAT_CDR cycles after
/// the slicer output it came from, so from an ADC sample to the phase code it reacts to is
/// LAT_TOP + LAT_CDR cycles.
pub const LAT_CDR: usize = 4;

// the largest integral increment, MAX_LANES * 1530 << 7, fits the increment register
const _: () =
    assert!(((MAX_LANES as i64 * 1530) << ((1 << KI_BITS) - 1)) < (1i64 << (INC_BITS - 1)));
const _: () = assert!((MAX_LANES as i64 * 1530) < (1i64 << (TED_SUM_BITS - 1)));
const _: () = assert!(MAX_LANES <= 1 << LOCK_WIN_LOG2 && LOCK_CNT_BITS > MAX_LANES_LOG2);
const _: () = assert!(PI_BITS < CFG_DATA_BITS && CFG_PHASE < (1 << CFG_ADDR_BITS));
// the full range register is the 20-bit register's two's-complement range
const _: () = assert!(freq_bounds(255).0 == -(1 << (FREQ_BITS - 1)));
const _: () = assert!(freq_bounds(255).1 == (1 << (FREQ_BITS - 1)) - 1);
const _: () = assert!(FREQ_LIM_BITS == CFG_DATA_BITS && CFG_FREQ_LIM < (1 << CFG_ADDR_BITS));
