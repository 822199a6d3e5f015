//! Slicer model: the bit-exact, cycle-accurate model of the PAM-4 slicer, one decision per
//! lane.
//!
//! ```text
//! symbol = 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0, else 0   (signed compares)
//! gray   = IEEE 802.3 Gray bits of the symbol (0 -> 00, 1 -> 01, 2 -> 11, 3 -> 10)
//! err    = y - target[symbol], exact in Q8.1
//! ```
//!
//! All lanes share the threshold and target registers (`thr`, `tgt`); `decide` is the
//! decision rule alone. The priority form gives a defined decision even for unordered
//! thresholds written at run time, identically in model and RTL.
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `SlicerModel::new` calls
//! on the whole set): `lanes` P in {1, 2, 4, 8, 16}; `thresholds` [t0, t1, t2], Q7.1 codes
//! each -128 ..= 127, non-decreasing; `targets` [L0, L1, L2, L3], Q7.1 codes each
//! -128 ..= 127.
//!
//! **Ports**: `SlicerModel::step(&RxIn, y)` is one clock edge with `rst`, `cfg_we`,
//! `cfg_addr`, `cfg_data` (thresholds at `CFG_THRESH_BASE + j` = 16 ..= 18, targets at
//! `CFG_TARGET_BASE + j` = 20 ..= 23; a write lands at this edge, this edge's decision uses
//! the old value) and `y[0..P]`, the FFE output registers before the edge (Q7.1 codes);
//! `step_data(y)` is the same edge without reset or write. Outputs: the registers
//! `symbol[j]` (0 ..= 3), `gray[j]` (msb << 1 | lsb), `err[j]` (Q8.1 code).
//!
//! **Formats** (docs/numerics.md, "Formats"): y, thresholds and targets Q7.1 codes; err Q8.1,
//! -255 ..= 255 (test `error_extremes_fit_nine_bits`); symbol 0 ..= 3.
//!
//! **Latency**: 1 cycle (`cporx_spec::LAT_SLICER`).
//!
//! **Reset**: `rst` (priority over a write in the same cycle): `symbol`, `gray`, `err` to 0,
//! thresholds and targets to `RxParams::thresholds` / `RxParams::targets`. Power-up (`new`):
//! every register 0, thresholds and targets included, as the RTL's initial values.
//!
//! See also: RTL `hdl/src/slicer.rs` (`Slicer`), untimed reference
//! `cporx_model::reference::slicer_ref`, spec docs/numerics.md "Slicer" and
//! `spec/src/slicer.rs`, tests `verif/tests/slicer.rs` (and `sim/model/tests/reference.rs`).

use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct SlicerModel {
    lanes: usize,
    reset_thr: [i32; 3],
    reset_tgt: [i32; 4],
    pub thr: [i32; 3],
    pub tgt: [i32; 4],
    pub symbol: [u8; MAX_LANES],
    pub gray: [u8; MAX_LANES],
    pub err: [i32; MAX_LANES],
}

/// The decision rule alone (combinational part).
#[inline]
pub fn decide(y: i32, thr: &[i32; 3]) -> u8 {
    if y >= thr[2] {
        3
    } else if y >= thr[1] {
        2
    } else if y >= thr[0] {
        1
    } else {
        0
    }
}

impl SlicerModel {
    /// A data-only clock edge (no reset, no write): the same rule as [`Self::step`].
    /// `y` holds the P lanes' inputs (the FFE output registers before the edge).
    #[inline(always)]
    pub fn step_data(&mut self, y: &[i32]) {
        for (j, &y) in y[..self.lanes].iter().enumerate() {
            let s = decide(y, &self.thr);
            self.symbol[j] = s;
            self.gray[j] = gray_bits(s);
            self.err[j] = y - self.tgt[s as usize];
        }
    }

    /// Whether every threshold and target is an 8-bit code (as the configuration bus
    /// writes them): then [`Self::decide_block`] applies.
    pub fn levels_are_codes(&self) -> bool {
        self.thr
            .iter()
            .chain(&self.tgt)
            .all(|v| (-128..=127).contains(v))
    }

    /// The decision rule and the error over a block of inputs with the registers now (the
    /// combinational part of `step_data`, for the block fast paths): `sym[i]`, `err[i]`
    /// are what `symbol[j]`, `err[j]` take at an edge with input `y[i]` (a Q7.1 code).
    /// Needs [`Self::levels_are_codes`] (then |err| <= 255).
    #[inline(always)]
    pub fn decide_block(&self, y: &[i16], sym: &mut [i16], err: &mut [i16]) {
        debug_assert!(self.levels_are_codes());
        let [t0, t1, t2] = self.thr.map(|v| v as i16);
        let [l0, l1, l2, l3] = self.tgt.map(|v| v as i16);
        for ((&y, s), e) in y.iter().zip(sym.iter_mut()).zip(err.iter_mut()) {
            // the priority form of `decide`, as selects
            let (g0, g1, g2) = (y >= t0, y >= t1, y >= t2);
            let mut d = g0 as i16;
            let mut t = if g0 { l1 } else { l0 };
            if g1 {
                d = 2;
                t = l2;
            }
            if g2 {
                d = 3;
                t = l3;
            }
            *s = d;
            *e = y - t;
        }
    }

    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(SlicerModel {
            lanes: p.lanes,
            reset_thr: p.thresholds,
            reset_tgt: p.targets,
            thr: [0; 3],
            tgt: [0; 4],
            symbol: [0; MAX_LANES],
            gray: [0; MAX_LANES],
            err: [0; MAX_LANES],
        })
    }

    /// One clock edge; `y` holds the slicer's inputs (the FFE output registers) before the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn, y: &[i32]) {
        if i.rst {
            self.thr = self.reset_thr;
            self.tgt = self.reset_tgt;
            self.symbol = [0; MAX_LANES];
            self.gray = [0; MAX_LANES];
            self.err = [0; MAX_LANES];
            return;
        }
        self.step_data(y);
        if i.cfg_we {
            let a = i.cfg_addr;
            if (CFG_THRESH_BASE..CFG_THRESH_BASE + 3).contains(&a) {
                self.thr[(a - CFG_THRESH_BASE) as usize] = i.cfg_data;
            } else if (CFG_TARGET_BASE..CFG_TARGET_BASE + 4).contains(&a) {
                self.tgt[(a - CFG_TARGET_BASE) as usize] = i.cfg_data;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn decisions_at_threshold_edges() {
        let t = [-32, 0, 32];
        assert_eq!(decide(-33, &t), 0);
        assert_eq!(decide(-32, &t), 1);
        assert_eq!(decide(-1, &t), 1);
        assert_eq!(decide(0, &t), 2);
        assert_eq!(decide(31, &t), 2);
        assert_eq!(decide(32, &t), 3);
        assert_eq!(decide(-128, &t), 0);
        assert_eq!(decide(127, &t), 3);
    }
    #[test]
    fn error_extremes_fit_nine_bits() {
        let mut p = RxParams::default();
        p.targets = [127, 127, 127, -128];
        p.thresholds = [127, 127, 127];
        let mut s = SlicerModel::new(&p).unwrap();
        s.step(&RxIn::reset(), &[0]);
        s.step(&RxIn::default(), &[-128]);
        assert_eq!((s.symbol[0], s.err[0]), (0, -255));
        s.step(&RxIn::default(), &[127]);
        assert_eq!((s.symbol[0], s.err[0]), (3, 255));
    }
}
