//! Reference model of the PAM-4 slicer (RTL: hdl/src/slicer.rs). Thresholds and targets
//! are Q7.1 codes; the decision is 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0,
//! else 0; err = y - target[symbol] exactly (Q8.1). Latency 1.

use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct SlicerModel {
    reset_thr: [i32; 3],
    reset_tgt: [i32; 4],
    pub thr: [i32; 3],
    pub tgt: [i32; 4],
    pub symbol: u8,
    pub gray: u8,
    pub err: i32,
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
    #[inline(always)]
    pub fn step_data(&mut self, y: i32) {
        let s = decide(y, &self.thr);
        self.symbol = s;
        self.gray = gray_bits(s);
        self.err = y - self.tgt[s as usize];
    }

    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(SlicerModel {
            reset_thr: p.thresholds,
            reset_tgt: p.targets,
            thr: [0; 3],
            tgt: [0; 4],
            symbol: 0,
            gray: 0,
            err: 0,
        })
    }

    /// One clock edge; `y` is the slicer's input (the FFE output register) before the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn, y: i32) {
        if i.rst {
            self.thr = self.reset_thr;
            self.tgt = self.reset_tgt;
            self.symbol = 0;
            self.gray = 0;
            self.err = 0;
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
        s.step(&RxIn::reset(), 0);
        s.step(&RxIn::default(), -128);
        assert_eq!((s.symbol, s.err), (0, -255));
        s.step(&RxIn::default(), 127);
        assert_eq!((s.symbol, s.err), (3, 255));
    }
}
