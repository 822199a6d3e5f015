//! Untimed references: one per block, written from the equations of docs/numerics.md (not
//! from the cycle-accurate models next to this file): plain i64 arithmetic on the serial
//! sample stream, no pipeline registers, no `fixed`.
//!
//! The cycle-accurate models, shifted by the spec's latencies, must equal these
//! (`sim/model/tests/reference.rs`), so a misreading of the spec shared by the model and the
//! RTL (which have one pipeline shape) shows here.
//!
//! The same equations are written a third time as the formal wrappers' reference
//! expressions (verif/formal/<block>/<block>.sv, proven against the exported RTL for every
//! input by SymbiYosys, `cporx prove`), each naming this file back:
//!
//! | here | wrapper | its property |
//! |---|---|---|
//! | `ffe_y` | verif/formal/ffe/ffe.sv | `a_y_ref` |
//! | `slicer_ref` | verif/formal/slicer/slicer.sv | `a_symbol`, `a_gray`, `a_err` |
//! | `cdr_ref` | verif/formal/cdr/cdr.sv | the detector, loop filter, frequency and phase rules |
//! | `lms_ref` | verif/formal/lms/lms.sv | `a_acc`, `a_step` |
//! | `levels_ref` | verif/formal/levels/levels.sv | `a_acc`, `a_wr_thr`, `a_wr_tgt` |
//!
//! The AGC, DFE and BIST blocks have no untimed reference here; their wrappers name their
//! cycle models (sim/model/src/agc.rs, dfe.rs, bist/).
//!
//! * [`ffe_y`] / [`ffe_ref`]: "FFE", the four lines `acc`, `r`, `q`, `y`.
//! * [`slicer_ref`]: "Slicer", `symbol`, `gray`, `err`.
//! * [`cdr_ref`]: "CDR", the serial one-lane loop per UI (detector, loop filter, frequency
//!   saturation, phase, lock detector and kick). It is the P = 1 loop; at P > 1 the spec's
//!   CDR is the decimated loop (one update per clock from the sum of P detector outputs),
//!   which differs from a per-UI loop by design.
//!
//! **Parameters** (function arguments; the caller passes values `RxParams::validate`
//! accepts, the references do not check them): `ffe_ref` the coefficients (`reset_coefs`:
//! N = `coefs.len()` Q2.6 codes, tap 0 on the newest sample); `slicer_ref` `thresholds` and
//! `targets` (Q7.1 codes); `cdr_ref` a `CdrParams` (`kp`, `ki`, `enable`, `integral`, `kick`,
//! `lock_thr`, `lock_max`, `reset_phase`), held constant over the run (no configuration
//! writes).
//!
//! **Ports**: `ffe_y(coefs, x, n)` is the Q7.1 output for sample n of the stream `x` (Q6.0
//! codes), `ffe_ref(coefs, samples)` every sample's; `slicer_ref(y, thresholds, targets)` is
//! `(symbol, gray, err)` for one FFE output; `cdr_ref(cfg, symbol, err)` takes the slicer's
//! outputs after each edge and returns the CDR's outputs after each edge (`CdrRefOut`:
//! `phase` PI code, `lock`, `freq`).
//!
//! **Formats**: the codes of docs/numerics.md, "Formats", as `i32`, computed in `i64`:
//! y rounds half up and saturates to -128 ..= 127; err is exact; the phase wraps modulo
//! 2^27, freq saturates to `freq_bounds(freq_limit)`: -(L+1) 2^11 ..= (L+1) 2^11 - 1.
//!
//! **Latency**: none for `ffe_ref` and `slicer_ref` (the tests shift the models by
//! `LAT_FFE`, `LAT_SLICER`). `cdr_ref` unrolls the CDR's chain of the "Latency" table
//! (slicer output -> D1 -> D2 -> pf/inc -> phase, 4 edges = `LAT_CDR`): the slicer output
//! of edge u moves the phase and freq at edge u + 4.
//!
//! **Reset**: every reference starts after a reset: the FFE history before `x[0]` is 0; the
//! CDR's detector reads the samples before the first as e = 0, symbol 0, its phase starts at
//! `reset_phase << 20`, freq at 0, acquiring, lock windows counted from edge 0.
//!
//! See also: models `sim/model/src/ffe.rs`, `slicer.rs`, `cdr.rs` (RTL `hdl/src/ffe.rs`,
//! `slicer.rs`, `cdr.rs`), spec docs/numerics.md "FFE", "Slicer", "CDR (clock and data
//! recovery)" and `spec/src/`, tests `sim/model/tests/reference.rs`.

use cporx_spec::{freq_bounds, CdrParams};

/// Q2.6 coefficient times Q6.0 sample, summed exactly in Q.6, then `Y_SHIFT = 5`.
const Y_SHIFT: u32 = 5;
const Y_LO: i64 = -128;
const Y_HI: i64 = 127;

/// "FFE": the output `y[n]` (Q7.1 code) of the FIR over the serial stream `x` (Q6.0 codes,
/// `x[0]` the first sample after a reset; the history before it is 0, as a reset leaves it)
/// with coefficients `coefs` (Q2.6 codes, tap 0 on the newest sample):
///
/// ```text
/// acc[n] = sum_{k=0}^{N-1} c_k * x[n-k]
/// r[n]   = acc[n] + 2^(Y_SHIFT-1)
/// q[n]   = floor(r[n] / 2^Y_SHIFT)
/// y[n]   = min(max(q[n], -128), 127)
/// ```
pub fn ffe_y(coefs: &[i32], x: &[i32], n: usize) -> i32 {
    let mut acc: i64 = 0;
    for (k, &c) in coefs.iter().enumerate() {
        let xk = if k <= n { x[n - k] as i64 } else { 0 };
        acc += c as i64 * xk;
    }
    let r = acc + (1i64 << (Y_SHIFT - 1));
    let q = r.div_euclid(1i64 << Y_SHIFT); // floor: the divisor is positive
    q.clamp(Y_LO, Y_HI) as i32
}

/// "FFE": [`ffe_y`] for every sample of the stream, one coefficient set throughout.
pub fn ffe_ref(coefs: &[i32], samples: &[i32]) -> Vec<i32> {
    (0..samples.len())
        .map(|n| ffe_y(coefs, samples, n))
        .collect()
}

/// "Slicer": the decision (priority rule, signed compares), its Gray bits (msb first,
/// packed `msb << 1 | lsb`) and the exact error, for one FFE output `y` (Q7.1):
///
/// ```text
/// symbol = 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0, else 0
/// gray   = G(symbol), G = {0: 00, 1: 01, 2: 11, 3: 10}
/// err    = y - L[symbol]
/// ```
pub fn slicer_ref(y: i32, thresholds: &[i32; 3], targets: &[i32; 4]) -> (u8, u8, i32) {
    let [t0, t1, t2] = *thresholds;
    let symbol: u8 = if y >= t2 {
        3
    } else if y >= t1 {
        2
    } else if y >= t0 {
        1
    } else {
        0
    };
    let gray = [0b00, 0b01, 0b11, 0b10][symbol as usize];
    let err = (y as i64 - targets[symbol as usize] as i64) as i32;
    (symbol, gray, err)
}

/// The CDR outputs after one edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CdrRefOut {
    /// PI code, `phase >> 20`
    pub phase: u8,
    pub lock: bool,
    pub freq: i32,
}

const PHASE_MOD: i64 = 1 << 27;
/// Lock window, UI (one lane: 256 clocks).
const WINDOW: usize = 256;
/// Consecutive unlocked windows that make a kick.
const KICK_AFTER: u32 = 4;
/// Edges from a slicer output to the phase it moves (the CDR latency, "Latency" table).
const CDR_DELAY: i64 = 4;

/// `A(s) = 2s - 3`.
fn level(s: u8) -> i64 {
    2 * s as i64 - 3
}

/// "CDR", serial one-lane loop per UI, after a reset. `symbol[e]`, `err[e]` are the
/// slicer's outputs after edge `e` (edge 0 the first after the reset; the slicer reads as
/// `symbol 0, err 0` before it); returns the CDR's outputs after each edge. From the text:
///
/// * detector: `z[u] = e[u] A(a[u-1]) - e[u-1] A(a[u])` on the slicer outputs, with the
///   samples before the first one read as `e = 0`, symbol 0 (the reset detector);
/// * loop filter (P = 1, `zs = z`): `pf <- ((z << kp) + freq) mod 2^27`,
///   `inc <- z << ki`, `freq <- clamp(freq + inc, freq_bounds(L))` (enable and integral),
///   `phase <- (phase + pf [+ 2^26 on a kick]) mod 2^27` (enable). Unrolled over the
///   chain of the Latency table (slicer output -> D1 -> D2 -> pf/inc -> phase, 4 edges):
///   the slicer output of edge `u` moves the phase at edge `u + 4` by `z[u] << kp`, plus
///   `freq` as it was after edge `u + 2` (pf reads `freq` before its own edge `u + 3`), and
///   moves `freq` at edge `u + 4` by `z[u] << ki`;
/// * lock detector ("Lock detector and kick: timing", W = 256): window `w` counts the
///   slicer outputs of edges `wW - 4 ..= wW + W - 5` with `|err| > lock_thr`; at edge
///   `(w + 1)W` `lock <- (count <= lock_max)`; an unlocked decision counts, the fourth in a
///   row (while acquiring, `kick` set) kicks the phase by `2^26` at the next edge; a locking
///   decision ends acquisition and clears the count.
/// `cfg` is held constant over the run: the configuration registers' reset values.
pub fn cdr_ref(cfg: &CdrParams, symbol: &[u8], err: &[i32]) -> Vec<CdrRefOut> {
    assert_eq!(symbol.len(), err.len());
    let n = symbol.len();
    // slicer output of edge u (u = -1: the reset value), as (e, a)
    let out = |u: i64| -> (i64, u8) {
        if u < 0 {
            (0, 0)
        } else {
            (err[u as usize] as i64, symbol[u as usize])
        }
    };
    let z = |u: i64| -> i64 {
        if u < -1 {
            return 0; // the detector's reset registers: e = 0
        }
        let (e, a) = out(u);
        let (e1, a1) = out(u - 1);
        e * level(a1) - e1 * level(a)
    };
    // a bad sample: |err| > lock_thr
    let bad =
        |u: i64| -> u32 { (u >= 0 && (err[u as usize] as i64).abs() > cfg.lock_thr as i64) as u32 };

    let mut phase: i64 = (cfg.reset_phase as i64) << 20;
    // freq after edge e - 1 and after edge e - 2
    let (mut freq1, mut freq2): (i64, i64) = (0, 0);
    let mut lock = false;
    let mut acquiring = true;
    let mut unlocked: u32 = 0;
    let mut kick_at: Option<usize> = None;
    let mut res = Vec::with_capacity(n);
    for e in 0..n {
        // lock decision at the edge after each window
        if e >= WINDOW && e % WINDOW == 0 {
            let w = (e / WINDOW - 1) as i64;
            let (lo, hi) = (w * WINDOW as i64 - 4, w * WINDOW as i64 + WINDOW as i64 - 5);
            let count: u32 = (lo..=hi).map(bad).sum();
            lock = count <= cfg.lock_max;
            if lock {
                unlocked = 0;
                acquiring = false;
            } else {
                unlocked += 1;
                if unlocked == KICK_AFTER {
                    unlocked = 0;
                    if acquiring && cfg.kick {
                        kick_at = Some(e + 1);
                    }
                }
            }
        }
        let zu = z(e as i64 - CDR_DELAY);
        let freq0 = if cfg.enable && cfg.integral {
            let (lo, hi) = freq_bounds(cfg.freq_limit);
            (freq1 + (zu << cfg.ki)).clamp(lo as i64, hi as i64)
        } else {
            freq1
        };
        if cfg.enable {
            let kick = if kick_at == Some(e) { 1i64 << 26 } else { 0 };
            phase = (phase + (zu << cfg.kp) + freq2 + kick).rem_euclid(PHASE_MOD);
        }
        freq2 = freq1;
        freq1 = freq0;
        res.push(CdrRefOut {
            phase: (phase >> 20) as u8,
            lock,
            freq: freq0 as i32,
        });
    }
    res
}

/// "LMS": the write port of the sign-sign LMS over a stream of clock edges, from the
/// section's equations on the serial sample stream (no sign line: sample `x[m]` is looked
/// up by its stream index). Edge `c` captures samples `cP .. cP+P-1` (lane j is sample
/// `cP + j`), except a reset edge, which captures none and forgets every earlier sample
/// (a sample captured at or before the last reset, or before the stream, is 0). The error
/// at edge `c` is of sample `s = (c - 7) P` (LAT_TOP = 7), and tap `k` uses `x[s - k]`:
///
/// ```text
/// acc_k = c_k << 15                                   (reset; write of coefficient k)
/// acc_k = clamp(acc_k - sgn(e) sgn(x[s-k]) 2^(15-mu), -128 << 15, 127 << 15)
/// (wr_we, wr_addr, wr_data) = (enable, rr, floor((acc_rr + 2^14) / 2^15)), rr = c' mod N
/// ```
///
/// where `c'` counts the non-reset edges since the last reset (0 at power-up). Returns
/// `(wr_we, wr_addr, wr_data)` after every edge.
pub fn lms_ref(
    lanes: usize,
    reset_coefs: &[i32],
    stream: &[crate::lms::LmsIn],
) -> Vec<(bool, u32, i32)> {
    const F: u32 = 15;
    const DELAY: i64 = 7;
    let n = reset_coefs.len();
    let p = lanes as i64;
    let sgn = |v: i64| v.signum();
    // samples by stream index (edge c lane j = c P + j), and the edge of the last reset
    let mut x: Vec<i64> = Vec::with_capacity(stream.len() * lanes);
    let mut acc = vec![0i64; n];
    let mut last_reset: i64 = -1;
    let mut edges_since = 0usize;
    let mut out = Vec::with_capacity(stream.len());
    for (c, i) in stream.iter().enumerate() {
        let c = c as i64;
        if i.rst {
            for (a, &r) in acc.iter_mut().zip(reset_coefs) {
                *a = (r as i64) << F;
            }
            last_reset = c;
            edges_since = 0;
            x.extend(std::iter::repeat(0).take(lanes));
            out.push((false, 0, 0));
            continue;
        }
        let s = (c - DELAY) * p;
        let sample = |m: i64| -> i64 {
            // a sample exists if it was captured at an edge after the last reset
            if m < 0 || m / p <= last_reset {
                0
            } else {
                x[m as usize]
            }
        };
        let e = sgn(i.err as i64);
        // the port: tap rr before this edge's update (a bus write to it: its code)
        let rr = edges_since % n;
        let code = if i.cfg_we && i.cfg_addr == rr as u32 {
            i.cfg_data
        } else {
            (acc[rr] + (1 << (F - 1))).div_euclid(1 << F) as i32
        };
        for (k, a) in acc.iter_mut().enumerate() {
            if i.cfg_we && i.cfg_addr == k as u32 {
                *a = (i.cfg_data as i64) << F;
            } else if i.enable && (i.freeze >> k) & 1 == 0 {
                let g = e * sgn(sample(s - k as i64));
                *a = (*a - g * (1i64 << (F - i.mu))).clamp(-128 << F, 127 << F);
            }
        }
        out.push((i.enable, rr as u32, code));
        edges_since += 1;
        x.extend((0..lanes).map(|j| i.adc[j] as i64));
    }
    out
}

/// "Levels": the write port of the slicer-level adaptation over a stream of clock edges,
/// from the section's equations (round-robin pointer counted from the last reset):
///
/// ```text
/// acc_t = L_t << 15                                  (reset; bus write of target t)
/// acc_s = clamp(acc_s + e 2^(15-mu), -128 << 15, 127 << 15)   (s the decided symbol)
/// L_t   = floor((acc_t + 2^14) / 2^15),  T_j = ceil((L_j + L_{j+1}) / 2)
/// port at the edge's count q' mod 7: L_0 .. L_3 at 20 ..= 23, then T_0 .. T_2 at 16 ..= 18,
///       from the L before the edge's update (a target the bus writes at the edge: its code)
/// ```
pub fn levels_ref(
    reset_targets: &[i32; 4],
    stream: &[crate::levels::LevelsIn],
) -> Vec<(bool, u32, i32)> {
    const F: u32 = 15;
    let mut acc = [0i64; 4];
    let mut count = 0usize;
    let mut out = Vec::with_capacity(stream.len());
    let code = |a: i64| (a + (1 << (F - 1))).div_euclid(1 << F) as i32;
    for i in stream {
        if i.rst {
            for t in 0..4 {
                acc[t] = (reset_targets[t] as i64) << F;
            }
            count = 0;
            out.push((false, 0, 0));
            continue;
        }
        // the port reads the levels before this edge's update (a target the bus writes
        // at this edge as written)
        let l: Vec<i32> = (0..4)
            .map(|t| {
                if i.cfg_we && i.cfg_addr == 20 + t as u32 {
                    i.cfg_data
                } else {
                    code(acc[t])
                }
            })
            .collect();
        for (t, a) in acc.iter_mut().enumerate() {
            if i.cfg_we && i.cfg_addr == 20 + t as u32 {
                *a = (i.cfg_data as i64) << F;
            } else if i.enable && t == i.symbol as usize {
                *a = (*a + i.err as i64 * (1i64 << (F - i.mu))).clamp(-128 << F, 127 << F);
            }
        }
        let q = count % 7;
        let (addr, data) = if q < 4 {
            (20 + q as u32, l[q])
        } else {
            let j = q - 4;
            (16 + j as u32, (l[j] + l[j + 1] + 1).div_euclid(2))
        };
        out.push((i.enable, addr, data));
        count += 1;
    }
    out
}
