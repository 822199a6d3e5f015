//! Reference model of the FFE (RTL: hdl/src/ffe.rs). Formats from docs/numerics.md:
//! ADC codes Q6.0, coefficients Q2.6 (`FixedI8<U6>`), products Q8.6 exact
//! (`FixedI16<U6>` from `wide_mul`), group sums and accumulator exact (`FixedI32<U6>`;
//! the RTL carries them in ACC_BITS = 20, which cannot overflow), output Q7.1
//! (`FixedI8<U1>`): round half up, then saturate to the Q7.1 range.
//! Latency 4: delay-line register, product register, group-sum register (sums of
//! FFE_GROUP = 4 consecutive taps), output register.

use cporx_spec::*;
use fixed::types::extra::{U0, U1, U6};
use fixed::{FixedI16, FixedI32, FixedI8};

pub type Sample = FixedI8<U0>;
pub type Coef = FixedI8<U6>;
pub type Prod = FixedI16<U6>;
pub type Acc = FixedI32<U6>;
pub type Yout = FixedI8<U1>;

/// The FFE's output stage: round half up and saturate an exact Q.6 sum to Q7.1.
#[inline]
pub fn round_saturate(acc: Acc) -> Yout {
    // acc + 2^-(Y_FRAC+1), exact in 32 bits (|acc| <= 2^16 codes for any legal set)
    let r = acc.to_bits() + Y_ROUND as i32;
    // arithmetic shift: floor division by 2^Y_SHIFT
    let q = r >> Y_SHIFT;
    Yout::from_bits(q.clamp(Y_MIN, Y_MAX) as i8)
}

#[derive(Clone, Debug)]
pub struct FfeModel {
    n: usize,
    reset_coefs: [Coef; MAX_TAPS],
    /// tap k's delay-line register: x[n-1-k] after the edge of cycle n
    pub x: [Sample; MAX_TAPS],
    pub c: [Coef; MAX_TAPS],
    /// tap k's product register
    pub p: [Prod; MAX_TAPS],
    /// group j's partial-sum register (taps FFE_GROUP*j ..)
    pub g: [Acc; MAX_TAPS / FFE_GROUP],
    pub y: Yout,
}

impl FfeModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        p.validate()?;
        let mut reset_coefs = [Coef::ZERO; MAX_TAPS];
        for (k, &c) in p.reset_coefs.iter().enumerate() {
            reset_coefs[k] = Coef::from_bits(c as i8);
        }
        // Power-up state equals the RTL's register initial values: all zero.
        Ok(FfeModel {
            n: p.n_taps,
            reset_coefs,
            x: [Sample::ZERO; MAX_TAPS],
            c: [Coef::ZERO; MAX_TAPS],
            p: [Prod::ZERO; MAX_TAPS],
            g: [Acc::ZERO; MAX_TAPS / FFE_GROUP],
            y: Yout::ZERO,
        })
    }

    pub fn n_taps(&self) -> usize {
        self.n
    }

    /// One clock edge. Every register takes its next value from the state before the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn) {
        let n = self.n;
        if i.rst {
            self.x = [Sample::ZERO; MAX_TAPS];
            self.p = [Prod::ZERO; MAX_TAPS];
            self.g = [Acc::ZERO; MAX_TAPS / FFE_GROUP];
            self.c = self.reset_coefs;
            self.y = Yout::ZERO;
            return;
        }
        self.clock_datapath();
        // configuration write (lands at this edge; the products above used the old value)
        if i.cfg_we {
            let a = i.cfg_addr.wrapping_sub(CFG_COEF_BASE) as usize;
            if a < n {
                self.c[a] = Coef::from_bits(i.cfg_data as i8);
            }
        }
        self.shift_in(i.adc);
    }

    /// A data-only clock edge (no reset, no write): the same arithmetic as [`Self::step`].
    #[inline(always)]
    pub fn step_data(&mut self, adc: i32) {
        self.clock_datapath();
        self.shift_in(adc);
    }

    /// Stages 3, 2, 1: output register from the group sums, group sums from the products,
    /// products from the delay line.
    #[inline(always)]
    fn clock_datapath(&mut self) {
        let n = self.n;
        let groups = n.div_ceil(FFE_GROUP);
        // stage 3: output register from the group-sum registers
        let mut acc = Acc::ZERO;
        for j in 0..groups {
            acc = acc.wrapping_add(self.g[j]);
        }
        self.y = round_saturate(acc);
        // stage 2: group sums from the product registers
        for j in 0..groups {
            let mut s = Acc::ZERO;
            for k in j * FFE_GROUP..((j + 1) * FFE_GROUP).min(n) {
                s = s.wrapping_add(Acc::from_bits(self.p[k].to_bits() as i32));
            }
            self.g[j] = s;
        }
        // stage 1: product registers from the delay line and coefficients
        for k in 0..n {
            self.p[k] = Prod::from_bits(self.c[k].wide_mul(self.x[k]).to_bits());
        }
    }

    /// Stage 0: the delay line takes the new ADC sample.
    #[inline(always)]
    fn shift_in(&mut self, adc: i32) {
        for k in (1..self.n).rev() {
            self.x[k] = self.x[k - 1];
        }
        self.x[0] = Sample::from_bits(adc as i8);
    }

    /// Tap k's product as it leaves the tap, sign-extended to the accumulator (RTL `group$j.tap$i.p`).
    pub fn tap_p(&self, k: usize) -> i32 {
        self.p[k].to_bits() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rounding_is_half_up_and_saturates() {
        // 16 = 0.25 in Q.6 -> +0.5 LSB of Q7.1 ties: 0.25 rounds up to 0.5 (code 1)
        assert_eq!(round_saturate(Acc::from_bits(16)).to_bits(), 1);
        assert_eq!(round_saturate(Acc::from_bits(15)).to_bits(), 0);
        assert_eq!(round_saturate(Acc::from_bits(-16)).to_bits(), 0); // -0.25 -> 0 (half up)
        assert_eq!(round_saturate(Acc::from_bits(-17)).to_bits(), -1);
        assert_eq!(round_saturate(Acc::from_bits(1 << 20)).to_bits(), 127);
        assert_eq!(round_saturate(Acc::from_bits(-(1 << 20))).to_bits(), -128);
        assert_eq!(round_saturate(Acc::from_bits(127 * 32 + 15)).to_bits(), 127);
        assert_eq!(
            round_saturate(Acc::from_bits(-128 * 32 - 16)).to_bits(),
            -128
        );
    }
    #[test]
    fn pass_through_latency_is_four() {
        let p = RxParams::default(); // main cursor at tap 1 => +1 sample of delay
        let mut m = FfeModel::new(&p).unwrap();
        m.step(&RxIn::reset());
        let xs = [5, -7, 31, -32, 0, 0, 0, 0, 0, 0];
        let mut ys = vec![];
        for &x in &xs {
            m.step(&RxIn::sample(x));
            ys.push(m.y.to_bits() as i32);
        }
        // y (Q7.1) = 2 * x delayed by LAT_FFE + 1 (main cursor at tap 1)
        assert_eq!(&ys[LAT_FFE..LAT_FFE + 5], &[10, -14, 31 * 2, -64, 0]);
        assert!(ys[..LAT_FFE].iter().all(|&y| y == 0));
    }
}
