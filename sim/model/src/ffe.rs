//! FFE model: the bit-exact, cycle-accurate model of the N-tap feed-forward equalizer, P
//! samples per clock.
//!
//! ```text
//! acc[n] = sum_{k=0}^{N-1} c_k * x[n-k]                 (exact)
//! y[n]   = sat_Y( (acc[n] + 2^(Y_SHIFT-1)) >> Y_SHIFT )  for every sample n
//! ```
//!
//! Tap 0 multiplies the newest sample; lane j of a clock computes the one-lane FIR of its
//! sample (test `lanes_compute_the_serial_fir`). The registers are the RTL's: the history
//! (`hist`, the newest P + N - 1 samples, s = 0 the newest; for P = 1, `hist[k]` is tap k's
//! delay-line register), the partial products (`pp`), the products (`p`), the group sums of
//! FFE_GROUP = 2 consecutive taps (`g`), the accumulator (`acc`) and the output (`y`). The
//! RTL's partial-product register holds three digit-selected multiples of c whose sum is the
//! product; the model holds that exact sum (the same information at every output).
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`, which `FfeModel::new` calls on
//! the whole set): `lanes` P in {1, 2, 4, 8, 16}; `n_taps` N in 2 ..= 16 (`MIN_TAPS ..=
//! MAX_TAPS`); `reset_coefs`, exactly N Q2.6 codes, each -128 ..= 127.
//!
//! **Ports**: `FfeModel::step(&RxIn)` is one clock edge with `rst`, `cfg_we`, `cfg_addr`,
//! `cfg_data` (coefficient k at address `CFG_COEF_BASE + k`, k < N; the write lands at this
//! edge, the products of this edge use the old value) and `adc[0..P]` (lane 0 the oldest);
//! `step_data(adc)` is the same edge without reset or write. Outputs: `y_code(j)`, lane j's
//! output register as a Q7.1 code; `tap_p(j, k)`, a product register (RTL
//! `lane$j.group$g.mul$i.p`).
//!
//! **Formats** (docs/numerics.md, "Formats"): ADC codes Q6.0; coefficients Q2.6
//! (`FixedI8<U6>`), products Q8.6 exact (`FixedI16<U6>` from `wide_mul`), group sums and
//! accumulator exact (`FixedI32<U6>`; the RTL carries them in ACC_BITS = 20, which cannot
//! overflow), output Q7.1 (`FixedI8<U1>`): round half up, then saturate to the Q7.1 range
//! (`round_saturate`).
//!
//! **Latency**: 6 cycles (`cporx_spec::LAT_FFE`: history register, partial-product register,
//! product register, group-sum register, accumulator register, output register), for every
//! P (test `pass_through_latency_is_lat_ffe`).
//!
//! **Reset**: `rst` (priority over a write in the same cycle): history, partial products,
//! products, group sums, accumulator and y to 0, coefficients to `RxParams::reset_coefs`.
//! Power-up (`new`): every register 0, coefficients included, as the RTL's initial values.
//!
//! See also: RTL `hdl/src/ffe.rs` (`Ffe`), untimed reference
//! `cporx_model::reference::ffe_ref` (`ffe_y`), spec docs/numerics.md "FFE" and
//! `spec/src/ffe.rs`, tests `verif/tests/ffe.rs` (and `sim/model/tests/reference.rs`).

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
    lanes: usize,
    reset_coefs: [Coef; MAX_TAPS],
    /// the history register: hist[s] is the s-th newest sample captured (s = 0 is lane P-1
    /// of the last block); P + n - 1 samples are kept. For P = 1, hist[k] is tap k's
    /// delay-line register.
    pub hist: [Sample; HIST_SAMPLES],
    pub c: [Coef; MAX_TAPS],
    /// partial-product register of lane j, tap k, as the exact product it sums to:
    /// c_k * x[nP + j - k] = c_k * hist[P-1-j+k]
    pub pp: [[Prod; MAX_TAPS]; MAX_LANES],
    /// product register of lane j, tap k
    pub p: [[Prod; MAX_TAPS]; MAX_LANES],
    /// lane j's group partial-sum registers (taps FFE_GROUP*g ..)
    pub g: [[Acc; MAX_TAPS / FFE_GROUP]; MAX_LANES],
    /// lane j's accumulator register (the sum of its group sums)
    pub acc: [Acc; MAX_LANES],
    /// lane j's output register
    pub y: [Yout; MAX_LANES],
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
            lanes: p.lanes,
            reset_coefs,
            hist: [Sample::ZERO; HIST_SAMPLES],
            c: [Coef::ZERO; MAX_TAPS],
            pp: [[Prod::ZERO; MAX_TAPS]; MAX_LANES],
            p: [[Prod::ZERO; MAX_TAPS]; MAX_LANES],
            g: [[Acc::ZERO; MAX_TAPS / FFE_GROUP]; MAX_LANES],
            acc: [Acc::ZERO; MAX_LANES],
            y: [Yout::ZERO; MAX_LANES],
        })
    }

    pub fn n_taps(&self) -> usize {
        self.n
    }

    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Lane j's output register as a Q7.1 code.
    #[inline(always)]
    pub fn y_code(&self, j: usize) -> i32 {
        self.y[j].to_bits() as i32
    }

    /// One clock edge. Every register takes its next value from the state before the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn) {
        let n = self.n;
        if i.rst {
            self.hist = [Sample::ZERO; HIST_SAMPLES];
            self.pp = [[Prod::ZERO; MAX_TAPS]; MAX_LANES];
            self.p = [[Prod::ZERO; MAX_TAPS]; MAX_LANES];
            self.g = [[Acc::ZERO; MAX_TAPS / FFE_GROUP]; MAX_LANES];
            self.acc = [Acc::ZERO; MAX_LANES];
            self.c = self.reset_coefs;
            self.y = [Yout::ZERO; MAX_LANES];
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
        self.shift_in(&i.adc[..self.lanes]);
    }

    /// A data-only clock edge (no reset, no write): the same arithmetic as [`Self::step`].
    /// `adc` holds the P lanes' codes.
    #[inline(always)]
    pub fn step_data(&mut self, adc: &[i32]) {
        self.clock_datapath();
        self.shift_in(adc);
    }

    /// Stages 5 .. 1 of every lane: output registers from the accumulators, accumulators
    /// from the group sums, group sums from the products, products from the partial
    /// products, partial products from the history.
    #[inline(always)]
    fn clock_datapath(&mut self) {
        // the lane count as a constant: the lane loops unroll
        match self.lanes {
            1 => self.clock_datapath_p::<1>(),
            2 => self.clock_datapath_p::<2>(),
            4 => self.clock_datapath_p::<4>(),
            8 => self.clock_datapath_p::<8>(),
            _ => self.clock_datapath_p::<16>(),
        }
    }

    #[inline(always)]
    fn clock_datapath_p<const P: usize>(&mut self) {
        debug_assert_eq!(P, self.lanes);
        let n = self.n;
        let groups = n.div_ceil(FFE_GROUP);
        for j in 0..P {
            // stage 5: output register from the accumulator (round, saturate)
            self.y[j] = round_saturate(self.acc[j]);
            // stage 4: accumulator register from the group-sum registers
            let mut acc = Acc::ZERO;
            for g in 0..groups {
                acc = acc.wrapping_add(self.g[j][g]);
            }
            self.acc[j] = acc;
            // stage 3: group sums from the product registers
            for g in 0..groups {
                let mut s = Acc::ZERO;
                for k in g * FFE_GROUP..((g + 1) * FFE_GROUP).min(n) {
                    s = s.wrapping_add(Acc::from_bits(self.p[j][k].to_bits() as i32));
                }
                self.g[j][g] = s;
            }
            // stage 2: product registers from the partial products
            self.p[j] = self.pp[j];
            // stage 1: partial products from the history and the coefficients
            let base = P - 1 - j;
            for k in 0..n {
                self.pp[j][k] = Prod::from_bits(self.c[k].wide_mul(self.hist[base + k]).to_bits());
            }
        }
    }

    /// Stage 0: the history takes the new block (lane P-1, the newest, at s = 0).
    #[inline(always)]
    fn shift_in(&mut self, adc: &[i32]) {
        let lanes = self.lanes;
        for s in (lanes..lanes + self.n - 1).rev() {
            self.hist[s] = self.hist[s - lanes];
        }
        for (j, &x) in adc[..lanes].iter().enumerate() {
            self.hist[lanes - 1 - j] = Sample::from_bits(x as i8);
        }
    }

    /// The FFE's output over a serial stream with the coefficients now, the pipeline left
    /// out (a pure function of the input, for the block fast paths): `y[i]` =
    /// `round_saturate(sum_k c_k x[first + i - k])`, as a Q7.1 code, for `i` in
    /// `0..y.len()`. Needs `first >= n_taps - 1` and `first + y.len() <= x.len()`. This is the
    /// value lane j's output register takes 5 edges after the sample enters the history
    /// (test `rx_top::tests::fast_path_matches_step`). The sums are exact: in 16 bits when
    /// `16 + max |x| sum |c_k|` fits over a stretch (no partial sum can then leave them), else
    /// in 32.
    #[inline(always)]
    pub fn fir_block(&self, x: &[i8], first: usize, y: &mut [i16]) {
        let n = self.n;
        assert!(
            first + 1 >= n && first + y.len() <= x.len(),
            "ffe: fir_block range"
        );
        let c: [i16; MAX_TAPS] = std::array::from_fn(|k| self.c[k].to_bits() as i16);
        let l1: i32 = c[..n].iter().map(|&v| (v as i32).abs()).sum();
        const B: usize = 512;
        let mut i0 = 0;
        while i0 < y.len() {
            let len = B.min(y.len() - i0);
            let out = &mut y[i0..i0 + len];
            let xmax = x[first + i0 + 1 - n..first + i0 + len]
                .iter()
                .map(|&v| (v as i32).abs())
                .max()
                .unwrap_or(0);
            let narrow = Y_ROUND as i32 + l1 * xmax <= i16::MAX as i32;
            if narrow {
                let mut acc = [0i16; B];
                let acc = &mut acc[..len];
                acc.fill(Y_ROUND as i16);
                for k in 0..n {
                    let xs = &x[first + i0 - k..first + i0 - k + len];
                    for (a, &v) in acc.iter_mut().zip(xs) {
                        *a += c[k] * v as i16;
                    }
                }
                for (o, &a) in out.iter_mut().zip(acc.iter()) {
                    *o = (a >> Y_SHIFT).clamp(Y_MIN as i16, Y_MAX as i16);
                }
            } else {
                let mut acc = [0i32; B];
                let acc = &mut acc[..len];
                acc.fill(Y_ROUND as i32);
                for k in 0..n {
                    // |c x| <= 128 * 32: exact in 16 bits; the sum in 32 (|acc| <= 2^16)
                    let xs = &x[first + i0 - k..first + i0 - k + len];
                    for (a, &v) in acc.iter_mut().zip(xs) {
                        *a += (c[k] * v as i16) as i32;
                    }
                }
                for (o, &a) in out.iter_mut().zip(acc.iter()) {
                    *o = (a >> Y_SHIFT).clamp(Y_MIN, Y_MAX) as i16;
                }
            }
            i0 += len;
        }
    }

    /// One output of [`Self::fir_block`]: `round_saturate(sum_k c_k x[s - k])` as a Q7.1
    /// code (needs `s >= n_taps - 1`, `s < x.len()`), in 32 bits (always exact), for the
    /// closed-loop stream path, which decides one clock at a time.
    #[inline(always)]
    pub fn fir_at(&self, x: &[i8], s: usize) -> i32 {
        let mut a = Y_ROUND as i32;
        for (k, c) in self.c[..self.n].iter().enumerate() {
            a += c.to_bits() as i32 * x[s - k] as i32;
        }
        (a >> Y_SHIFT).clamp(Y_MIN, Y_MAX)
    }

    /// Lane j, tap k's product as it leaves the tap, sign-extended to the accumulator (RTL
    /// `lane$j.group$g.mul$i.p`).
    pub fn tap_p(&self, j: usize, k: usize) -> i32 {
        self.p[j][k].to_bits() as i32
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
    fn pass_through_latency_is_lat_ffe() {
        let p = RxParams::default(); // main cursor at tap 1 => +1 sample of delay
        let mut m = FfeModel::new(&p).unwrap();
        m.step(&RxIn::reset());
        let mut xs = vec![5, -7, 31, -32];
        xs.resize(LAT_FFE + 8, 0);
        let mut ys = vec![];
        for &x in &xs {
            m.step(&RxIn::sample(x));
            ys.push(m.y_code(0));
        }
        // y (Q7.1) = 2 * x delayed by LAT_FFE + 1 (main cursor at tap 1)
        assert_eq!(&ys[LAT_FFE..LAT_FFE + 5], &[10, -14, 31 * 2, -64, 0]);
        assert!(ys[..LAT_FFE].iter().all(|&y| y == 0));
    }

    /// At P lanes, lane j's output is the same FIR over the serial sample stream: run one
    /// stream through P = 1 and P = 4 and compare (the taps span the block boundary).
    #[test]
    fn lanes_compute_the_serial_fir() {
        let p1 = RxParams {
            n_taps: 7,
            reset_coefs: vec![-128, 127, -7, 64, 3, 99, -50],
            ..Default::default()
        };
        let mut x = 7u32;
        let xs: Vec<i32> = (0..4000)
            .map(|_| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                ((x >> 24) % 64) as i32 - 32
            })
            .collect();
        let mut a = FfeModel::new(&p1).unwrap();
        a.step(&RxIn::reset());
        let serial: Vec<i32> = xs
            .iter()
            .map(|&v| {
                a.step(&RxIn::sample(v));
                a.y_code(0)
            })
            .collect();
        for lanes in [2, 4, 8, 16] {
            let mut b = FfeModel::new(&p1.with_lanes(lanes).unwrap()).unwrap();
            b.step(&RxIn::reset());
            let mut par = vec![];
            for blk in xs.chunks(lanes) {
                b.step(&RxIn::block(blk));
                par.extend((0..lanes).map(|j| b.y_code(j)));
            }
            // sample n's output: serial at output index n + LAT_FFE - 1; parallel at clock
            // n / P + LAT_FFE - 1, lane n % P, i.e. flat index n + (LAT_FFE - 1) * P
            let d = (LAT_FFE - 1) * (lanes - 1);
            assert_eq!(&par[d..], &serial[..serial.len() - d], "lanes {lanes}");
            assert!(par.iter().any(|&y| y == 127) && par.iter().any(|&y| y == -128));
        }
    }
}
