//! LMS: sign-sign adaptation of the FFE coefficients from the slicer error, one update
//! per clock, with its own write port into the FFE's coefficient registers.
//!
//! ```text
//! at clock edge c (not reset), s = (c - LMS_ERR_DELAY) P  (lane 0 of an earlier block)
//!   acc_k <- sext(cfg_data) << F                         if the bus writes coefficient k
//!   acc_k <- sat(acc_k - sgn(e[s]) sgn(x[s-k]) 2^(F-mu))  else if enable and not freeze_k
//!   wr_we <- enable, wr_addr <- rr, rr <- rr+1 mod N,
//!   wr_data <- round(acc_rr before this edge), or the code the bus writes to tap rr now
//! round(a) = (a + 2^(F-1)) >> F   (half up),  sgn(0) = 0,  F = LMS_FRAC
//! ```
//!
//! **Parameters** (`RxParams`): `lanes` P in {1, 2, 4, 8, 16}; `n_taps` N in 2 ..= 16;
//! `reset_coefs` (N codes, -128 ..= 127): the accumulators' reset values (each `<< F`),
//! the same values the FFE's coefficient registers reset to.
//! **Ports** ([`LmsIn`], [`LmsOut`]): `rst`; the configuration bus (snooped: a write of
//! coefficient k loads accumulator k); `adc` (the P samples the FFE takes this clock);
//! `err`, lane 0's slicer error register (Q8.1); `enable`; `mu` (0 ..= 15); `freeze`
//! (bit k holds tap k); out `wr_we`, `wr_addr`, `wr_data` (a coefficient write, as on the
//! configuration bus).
//! **Formats**: accumulators Q2.21 (`LMS_ACC_BITS` = 23 bits), saturated to
//! [-128, 127] * 2^F (never wrap); step 2^-mu coefficient LSBs; three-valued signs.
//! **Latency**: `LAT_LMS` = 2 to the accumulators and the write port; tap k is written
//! every N clocks.
//! **Reset**: accumulators to `reset_coefs << F`, sign line, pointer and write port to 0.
//! Power-up: every register 0 (accumulators 0).
//!
//! See also: RTL `hdl/src/lms.rs`, untimed reference `reference::lms_ref`, spec
//! docs/numerics.md "LMS (sign-sign coefficient adaptation)" and `spec/src/lms.rs`, tests
//! `verif/tests/lms.rs` and `sim/model/tests/reference.rs`.

use cporx_spec::*;

/// One clock's inputs of the LMS block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LmsIn {
    /// synchronous reset, active high
    pub rst: bool,
    /// configuration bus (snooped for coefficient writes)
    pub cfg_we: bool,
    pub cfg_addr: u32,
    /// the written code, signed (-128 ..= 127)
    pub cfg_data: i32,
    /// the P ADC codes the FFE takes at this edge, lane 0 the oldest (-32 ..= 31)
    pub adc: [i32; MAX_LANES],
    /// lane 0's slicer error register before this edge, Q8.1 (-256 ..= 255)
    pub err: i32,
    /// update the accumulators and drive the write port
    pub enable: bool,
    /// step code, 0 ..= 15: 2^-mu coefficient LSBs per update
    pub mu: u32,
    /// bit k holds tap k's accumulator (bus writes still load it)
    pub freeze: u16,
}

/// The LMS block's registered outputs after an edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LmsOut {
    pub wr_we: bool,
    pub wr_addr: u32,
    /// the coefficient code written, -128 ..= 127
    pub wr_data: i32,
}

/// The three-valued sign, sgn(0) = 0.
#[inline(always)]
pub fn sgn(v: i32) -> i64 {
    (v > 0) as i64 - (v < 0) as i64
}

/// An accumulator's coefficient code: round half up, `(a + 2^(F-1)) >> F`.
#[inline(always)]
pub fn acc_code(a: i64) -> i32 {
    ((a + (1 << (LMS_FRAC - 1))) >> LMS_FRAC) as i32
}

/// Accumulator saturation bounds, [-128, 127] * 2^F.
pub const LMS_ACC_MIN: i64 = (-128i64) << LMS_FRAC;
pub const LMS_ACC_MAX: i64 = 127i64 << LMS_FRAC;

#[derive(Clone, Debug)]
pub struct LmsModel {
    lanes: usize,
    n_taps: usize,
    reset_acc: Vec<i64>,
    /// tap accumulators, Q2.(6+F)
    pub acc: [i64; MAX_TAPS],
    /// signs of the newest LMS_LINE samples, newest at 0
    pub line: [i8; LMS_LINE],
    /// write-port pointer
    pub rr: usize,
    pub out: LmsOut,
}

impl LmsModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(LmsModel {
            lanes: p.lanes,
            n_taps: p.n_taps,
            reset_acc: p
                .reset_coefs
                .iter()
                .map(|&c| (c as i64) << LMS_FRAC)
                .collect(),
            acc: [0; MAX_TAPS],
            line: [0; LMS_LINE],
            rr: 0,
            out: LmsOut::default(),
        })
    }

    pub fn lanes(&self) -> usize {
        self.lanes
    }
    pub fn n_taps(&self) -> usize {
        self.n_taps
    }

    /// The coefficient codes the accumulators round to.
    pub fn codes(&self) -> Vec<i32> {
        self.acc[..self.n_taps]
            .iter()
            .map(|&a| acc_code(a))
            .collect()
    }

    /// One clock edge. Returns the registered outputs after it.
    pub fn step(&mut self, i: &LmsIn) -> LmsOut {
        let (p, n) = (self.lanes, self.n_taps);
        if i.rst {
            self.acc = [0; MAX_TAPS];
            self.acc[..n].copy_from_slice(&self.reset_acc);
            self.line = [0; LMS_LINE];
            self.rr = 0;
            self.out = LmsOut::default();
            return self.out;
        }
        assert!(
            i.mu < 1 << LMS_MU_BITS,
            "LmsIn::mu = {} is out of range: legal is 0 ..= {}",
            i.mu,
            (1 << LMS_MU_BITS) - 1
        );
        // the port's code: tap rr's accumulator before this edge, or the code the bus
        // writes to it at this edge (the port's path starts at the registers)
        let port = if i.cfg_we && i.cfg_addr == CFG_COEF_BASE + self.rr as u32 {
            i.cfg_data
        } else {
            acc_code(self.acc[self.rr])
        };
        let se = sgn(i.err);
        let step = 1i64 << (LMS_FRAC - i.mu as usize);
        let base = LMS_ERR_DELAY * p - 1;
        for k in 0..n {
            if i.cfg_we && i.cfg_addr == CFG_COEF_BASE + k as u32 {
                self.acc[k] = (i.cfg_data as i64) << LMS_FRAC;
            } else if i.enable && (i.freeze >> k) & 1 == 0 {
                let g = se * self.line[base + k] as i64;
                self.acc[k] = (self.acc[k] - g * step).clamp(LMS_ACC_MIN, LMS_ACC_MAX);
            }
        }
        self.out = LmsOut {
            wr_we: i.enable,
            wr_addr: self.rr as u32,
            wr_data: port,
        };
        self.rr = (self.rr + 1) % n;
        // shift the block in: sample lane j at distance P-1-j
        self.line.copy_within(0..LMS_LINE - p, p);
        for j in 0..p {
            self.line[p - 1 - j] = sgn(i.adc[j]) as i8;
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(lanes: usize, n: usize) -> RxParams {
        let mut p = RxParams::default();
        p.lanes = lanes;
        p.n_taps = n;
        p.reset_coefs = vec![0; n];
        p.reset_coefs[1.min(n - 1)] = 64;
        p
    }

    #[test]
    fn saturates_at_both_bounds_never_wraps() {
        let mut m = LmsModel::new(&params(1, 2)).unwrap();
        m.step(&LmsIn {
            rst: true,
            ..Default::default()
        });
        // sgn(e) * sgn(x) = +1 on tap 0 every clock at the largest step: runs to -128
        let mut i = LmsIn {
            enable: true,
            mu: 0,
            err: 255,
            ..Default::default()
        };
        i.adc[0] = 31;
        for _ in 0..400 {
            m.step(&i);
        }
        assert_eq!(m.acc[0], LMS_ACC_MIN);
        assert_eq!(m.codes()[0], -128);
        i.err = -256;
        for _ in 0..400 {
            m.step(&i);
        }
        assert_eq!(m.acc[0], LMS_ACC_MAX);
        assert_eq!(m.codes()[0], 127);
    }

    #[test]
    fn bus_write_loads_and_wins_over_the_update() {
        let mut m = LmsModel::new(&params(2, 3)).unwrap();
        m.step(&LmsIn {
            rst: true,
            ..Default::default()
        });
        assert_eq!(m.codes(), vec![0, 64, 0]);
        let i = LmsIn {
            enable: true,
            err: 5,
            cfg_we: true,
            cfg_addr: 2,
            cfg_data: -77,
            ..Default::default()
        };
        m.step(&i);
        assert_eq!(m.codes()[2], -77);
    }

    #[test]
    fn zero_error_or_zero_sample_makes_no_update() {
        let mut m = LmsModel::new(&params(4, 4)).unwrap();
        m.step(&LmsIn {
            rst: true,
            ..Default::default()
        });
        let before = m.acc;
        let mut i = LmsIn {
            enable: true,
            mu: 0,
            err: 0,
            ..Default::default()
        };
        i.adc = [7; MAX_LANES];
        for _ in 0..50 {
            m.step(&i);
        }
        assert_eq!(m.acc, before, "sgn(0) = 0 for the error");
        i.err = 9;
        i.adc = [0; MAX_LANES];
        m.line = [0; LMS_LINE];
        for _ in 0..50 {
            m.step(&i);
        }
        assert_eq!(m.acc, before, "sgn(0) = 0 for the sample");
    }

    #[test]
    fn write_port_visits_every_tap_in_turn() {
        let n = 5;
        let mut m = LmsModel::new(&params(1, n)).unwrap();
        m.step(&LmsIn {
            rst: true,
            ..Default::default()
        });
        let i = LmsIn {
            enable: true,
            ..Default::default()
        };
        let addrs: Vec<u32> = (0..2 * n).map(|_| m.step(&i).wr_addr).collect();
        assert_eq!(addrs, vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    }
}
