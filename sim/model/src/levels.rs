//! Levels: the slicer's target levels follow the mean equalized value of the decided
//! symbols (an LMS on each level), and the thresholds follow the targets (midpoints), so
//! the slicer tracks the AGC and the FFE adaptation.
//!
//! ```text
//! at clock edge c (not reset), s = lane 0's symbol register, e = lane 0's error register
//!   acc_t <- sext(cfg_data) << F                          if the bus writes target t
//!   acc_s <- sat(acc_s + e 2^(F - mu))                     else if enable (t = s only)
//!   tgt_t  = round(acc_t) = (acc_t + 2^(F-1)) >> F
//!   thr_j  = (tgt_j + tgt_{j+1} + 1) >> 1                  (ceiling of the midpoint)
//!   port: q = 0..3 writes target q (address 20 + q), q = 4..6 threshold q - 4 (16 + q - 4),
//!         from the codes before this edge's update (a target the bus writes at this
//!         edge counts as its written code); q <- q + 1 mod 7
//! ```
//!
//! **Parameters** (`RxParams`): `targets` (4 Q7.1 codes): the accumulators' reset values
//! (each `<< F`), the slicer's reset targets. (`lanes` is not read: the block takes lane 0.)
//! **Ports** ([`LevelsIn`], [`LevelsOut`]): `rst`; the configuration bus (snooped: a write
//! of target t loads accumulator t; threshold writes are the slicer's); `symbol`, `err`:
//! lane 0's slicer registers (the decision and its error, y - target, Q8.1); `enable`; `mu`
//! (0 ..= 15); out `wr_we`, `wr_addr`, `wr_data` (a slicer-register write).
//! **Formats**: accumulators Q7.16 (`LEV_ACC_BITS` = 23 bits), saturated to
//! [-128, 127] * 2^F, never wrapping; the update is exact (e * 2^(F - mu)).
//! **Latency**: `LAT_LEVELS` = 2 (error to accumulator to port); each register is written
//! every 7 clocks.
//! **Reset**: accumulators to `targets << F`, pointer and write port to 0. Power-up: every
//! register 0.
//!
//! See also: RTL `hdl/src/levels.rs`, untimed reference `reference::levels_ref`, spec
//! docs/numerics.md "Levels (slicer-level adaptation)" and `spec/src/levels.rs`, tests
//! `verif/tests/levels.rs` and `sim/model/tests/reference.rs`.

use cporx_spec::*;

/// One clock's inputs of the levels block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LevelsIn {
    pub rst: bool,
    pub cfg_we: bool,
    pub cfg_addr: u32,
    /// the written code, signed (-128 ..= 127)
    pub cfg_data: i32,
    /// lane 0's symbol register before this edge, 0 ..= 3
    pub symbol: u8,
    /// lane 0's error register before this edge, Q8.1 (-256 ..= 255)
    pub err: i32,
    pub enable: bool,
    /// step code, 0 ..= 15
    pub mu: u32,
}

/// The registered write port after an edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LevelsOut {
    pub wr_we: bool,
    pub wr_addr: u32,
    pub wr_data: i32,
}

pub const LEV_ACC_MIN: i64 = (-128i64) << LEV_FRAC;
pub const LEV_ACC_MAX: i64 = 127i64 << LEV_FRAC;

/// An accumulator's Q7.1 code, round half up.
#[inline(always)]
pub fn level_code(a: i64) -> i32 {
    ((a + (1 << (LEV_FRAC - 1))) >> LEV_FRAC) as i32
}

#[derive(Clone, Debug)]
pub struct LevelsModel {
    reset_acc: [i64; 4],
    /// the four level accumulators, Q7.(1+F)
    pub acc: [i64; 4],
    /// write-port pointer, 0 ..= 6
    pub q: usize,
    pub out: LevelsOut,
}

/// The thresholds of four target levels: the ceiling of each adjacent pair's midpoint
/// (`y` is rounded, so `y >= T` is the continuous `y >= T - 1/2`: exact for a midpoint
/// that falls on a half code).
fn midpoints(t: &[i32; 4]) -> [i32; 3] {
    [0, 1, 2].map(|j| (t[j] + t[j + 1] + 1) >> 1)
}

impl LevelsModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        Ok(LevelsModel {
            reset_acc: p.targets.map(|t| (t as i64) << LEV_FRAC),
            acc: [0; 4],
            q: 0,
            out: LevelsOut::default(),
        })
    }

    /// The targets the accumulators round to.
    pub fn targets(&self) -> [i32; 4] {
        self.acc.map(level_code)
    }

    /// The thresholds the targets give (midpoints, ceiling).
    pub fn thresholds(&self) -> [i32; 3] {
        midpoints(&self.targets())
    }

    pub fn step(&mut self, i: &LevelsIn) -> LevelsOut {
        if i.rst {
            self.acc = self.reset_acc;
            self.q = 0;
            self.out = LevelsOut::default();
            return self.out;
        }
        assert!(
            i.mu < 1 << LEV_MU_BITS,
            "LevelsIn::mu = {} is out of range: legal is 0 ..= {}",
            i.mu,
            (1 << LEV_MU_BITS) - 1
        );
        assert!(
            i.symbol < 4,
            "LevelsIn::symbol = {} is out of range: legal is 0 ..= 3",
            i.symbol
        );
        // the port's codes: the accumulators before this edge, a target the bus writes now
        // as its written code (the port's path starts at registers: docs/numerics.md)
        let mut codes = self.targets();
        for (t, c) in codes.iter_mut().enumerate() {
            if i.cfg_we && i.cfg_addr == CFG_TARGET_BASE + t as u32 {
                *c = i.cfg_data;
            }
        }
        let (addr, data) = if self.q < 4 {
            (CFG_TARGET_BASE + self.q as u32, codes[self.q])
        } else {
            let j = self.q - 4;
            (CFG_THRESH_BASE + j as u32, midpoints(&codes)[j])
        };
        let s = i.symbol as usize;
        for t in 0..4 {
            if i.cfg_we && i.cfg_addr == CFG_TARGET_BASE + t as u32 {
                self.acc[t] = (i.cfg_data as i64) << LEV_FRAC;
            } else if i.enable && t == s {
                let step = (i.err as i64) << (LEV_FRAC - i.mu as usize);
                self.acc[t] = (self.acc[t] + step).clamp(LEV_ACC_MIN, LEV_ACC_MAX);
            }
        }
        self.out = LevelsOut {
            wr_we: i.enable,
            wr_addr: addr,
            wr_data: data,
        };
        self.q = (self.q + 1) % LEV_PORT_REGS;
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_converges_to_the_mean_of_its_symbol() {
        let mut m = LevelsModel::new(&RxParams::default()).unwrap();
        m.step(&LevelsIn {
            rst: true,
            ..Default::default()
        });
        // symbol 2's samples sit at 20 (target 16): e = 20 - tgt; mu = 3
        for _ in 0..200 {
            let e = 20 - m.targets()[2];
            m.step(&LevelsIn {
                symbol: 2,
                err: e,
                enable: true,
                mu: 3,
                ..Default::default()
            });
        }
        assert_eq!(m.targets(), [-48, -16, 20, 48]);
        assert_eq!(m.thresholds(), [-32, 2, 34]);
    }

    #[test]
    fn saturates_never_wraps() {
        let mut m = LevelsModel::new(&RxParams::default()).unwrap();
        m.step(&LevelsIn {
            rst: true,
            ..Default::default()
        });
        for _ in 0..10 {
            m.step(&LevelsIn {
                symbol: 3,
                err: 255,
                enable: true,
                mu: 0,
                ..Default::default()
            });
        }
        assert_eq!(m.acc[3], LEV_ACC_MAX);
        assert_eq!(m.targets()[3], 127);
        for _ in 0..10 {
            m.step(&LevelsIn {
                symbol: 0,
                err: -256,
                enable: true,
                mu: 0,
                ..Default::default()
            });
        }
        assert_eq!(m.targets()[0], -128);
        assert_eq!(m.thresholds()[2], (m.targets()[2] + 127 + 1) >> 1);
    }

    #[test]
    fn port_visits_targets_then_thresholds() {
        let mut m = LevelsModel::new(&RxParams::default()).unwrap();
        m.step(&LevelsIn {
            rst: true,
            ..Default::default()
        });
        let i = LevelsIn {
            enable: true,
            ..Default::default()
        };
        let v: Vec<(u32, i32)> = (0..7)
            .map(|_| m.step(&i))
            .map(|o| (o.wr_addr, o.wr_data))
            .collect();
        assert_eq!(
            v,
            vec![
                (20, -48),
                (21, -16),
                (22, 16),
                (23, 48),
                (16, -32),
                (17, 0),
                (18, 32)
            ]
        );
    }
}
