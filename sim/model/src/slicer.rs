//! Reference model of the PAM-4 slicer (RTL: hdl/src/slicer.rs). Thresholds and targets
//! are Q7.1 codes; the decision is 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0,
//! else 0; err = y - target[symbol] exactly (Q8.1). Latency 1. One decision per lane, all
//! lanes sharing the threshold and target registers.

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
