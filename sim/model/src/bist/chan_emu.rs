//! Channel emulator model: the bit-exact, cycle-accurate model of the digital channel
//! emulator (ISI + noise -> ADC codes), P lanes.
//!
//! For every symbol `s[n]` (P per clock, lane 0 the oldest) it produces the ADC code
//!
//! ```text
//! adc[n] = sat6( floor( (sum_{k=0}^{3} h_k * A(s[n-k]) + 2 + noise[n]) / 4 ) )
//! ```
//!
//! * A(s) = 2s - 3 in {-3, -1, 1, 3} (s the PAM-4 level 0..=3); h_k signed 8-bit
//!   (-128 ..= 127; taps beyond `BistParams::taps` are 0); h_0 multiplies the newest symbol.
//!   The `+ 2` and the floor make it round half up (CHAN_SHIFT = 2). The symbol history runs
//!   across clocks (lane 0's `s[n-1]` is the previous clock's lane P-1).
//! * The sum `sum h_k A + 2 + noise` is exact in 12 bits: |sum h A| <= 1536, noise in
//!   -512 ..= 508, so it lies in -2046 ..= 2036.
//! * sat6: saturate to -32 ..= 31 (never wraps). Output: signed ADC codes (the RTL port
//!   carries their 6-bit two's-complement patterns).
//! * `noise[n]` = 0 if noise_amp = 0, else floor(g / 2^(8 - noise_amp)), with
//!   g = u0 + u1 + u2 + u3 the sum of four signed bytes taken from the lane's own LFSR
//!   (each uniform on -128 ..= 127, so g is approximately Gaussian: an Irwin-Hall(4)
//!   shape, mean -2, sigma sqrt(4 * (256^2 - 1) / 12) = 147.8, range -512 ..= 508).
//!   In ADC codes sigma = 36.95 * 2^(noise_amp - 8): amp 1: 0.29, 2: 0.58, 3: 1.15,
//!   4: 2.31, 5: 4.62, 6: 9.24, 7: 18.5, 8: 36.9. The floor adds a bias of about -0.5
//!   sum LSB (-1/8 ADC code).
//! * Noise LFSR, one per lane: 39-bit Fibonacci, x^39 + x^35 + 1 (`b[t] = b[t-39] ^
//!   b[t-35]`, period 2^39 - 1; the state holds `b[t-39..t-1]`, bit i = `b[t-39+i]`). It
//!   advances 32 bits per clock: N = (S ^ (S >> 4)) mod 2^32 are the next 32 sequence
//!   bits (all lags >= 32, so one XOR layer), S' = (S >> 32) | (N << 7) (39 bits);
//!   u_m = signed byte m of N (bits 8m .. 8m+7). Lane seeds: [`super::lane_seed`].
//!   An LFSR that holds 0 (power-up) or sees `rst` loads its seed; the LFSR and modular
//!   state are the only wrapping arithmetic here.
//!
//! Pipeline (registers, all reset to 0 except the LFSRs):
//! 1. `sym_r[i] <- symbol[i]`; history `hist[0..3]` <- the last three symbols of `sym_r`
//!    (newest first)
//! 2. per lane: `t_k <- h_k A(s[n-k])` (+2 for k = 0), selected from four constants (no
//!    multiplier); `u01` <- u0 + u1, `u23` <- u2 + u3 from the LFSR state; LFSR advances
//! 3. `a` <- t_0 + t_1, `b` <- t_2 + t_3, `nz` <- noise(u01 + u23)
//! 4. `acc` <- a + b + nz (12 bits)
//! 5. `adc` <- sat6(acc >> 2)
//!
//! The noise does not depend on the symbols; it is specified by the registers above (it
//! enters at stage 2 from the LFSR state before the same edge).
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate` in `ChanEmuModel::new`;
//! `with(lanes, &taps, noise_amp, &seeds)` checks its arguments, as the RTL constructor):
//! `lanes` P in {1, 2, 4, 8, 16}; `taps` 1 ..= 4 entries, each -128 ..= 127; `noise_amp`
//! 0 ..= 8; `noise_seed`, any value, through `lane_seeds()` (one nonzero 39-bit seed per
//! lane).
//!
//! **Ports**: `ChanEmuModel::step(rst, symbol)` is one clock edge with `symbol[0..P]`
//! (levels; bits above 1 ignored) and returns the ADC codes after it (signed, -32 ..= 31).
//!
//! **Formats**: symbols PAM-4 levels 0 ..= 3; taps signed 8-bit; sums exact in 12 bits; ADC
//! codes signed 6-bit, saturating.
//!
//! **Latency**: 5 cycles ([`super::LAT_CHAN`]): a symbol applied in cycle c reaches the
//! `adc` read after cycle c + 4.
//!
//! **Reset**: every register 0 (the symbol history reads as level 0), each LFSR its seed.
//! Power-up (`new`): every register 0, LFSRs included (they load their seeds at the first
//! edge).
//!
//! See also: RTL `hdl/src/bist/chan_emu.rs` (`ChanEmu`), spec docs/bist.md "2. Channel
//! emulator" and `spec/src/bist.rs`, tests `hdl/tests/bist_chan_emu.rs`.

use super::{check_lanes, BistParams, MAX_CHAN_TAPS, NOISE_LFSR_BITS};
use cporx_spec::ParamError;

/// One lane's pipeline registers.
#[derive(Clone, Debug, Default)]
pub struct ChanLaneRegs {
    pub lfsr: u64,
    pub t: [i32; MAX_CHAN_TAPS],
    pub u01: i32,
    pub u23: i32,
    pub a: i32,
    pub b: i32,
    pub nz: i32,
    pub acc: i32,
    pub adc: i32,
}

#[derive(Clone, Debug)]
pub struct ChanEmuModel {
    lanes: usize,
    /// term[k][s] = h_k * (2s - 3), plus the rounding constant 2 for k = 0
    term: [[i32; 4]; MAX_CHAN_TAPS],
    noise_amp: u32,
    seeds: Vec<u64>,
    pub sym_r: Vec<u8>,
    /// hist[0] = the newest symbol of the previous clock, hist[2] the oldest of the three
    pub hist: [u8; 3],
    pub lane: Vec<ChanLaneRegs>,
    out: Vec<i32>,
}

const LFSR_MASK: u64 = (1u64 << NOISE_LFSR_BITS) - 1;

/// The next 32 sequence bits of a noise LFSR state (see the module documentation).
#[inline]
pub fn lfsr_bits(s: u64) -> u32 {
    (s ^ (s >> 4)) as u32
}

/// The LFSR state after 32 steps.
#[inline]
pub fn lfsr_next(s: u64) -> u64 {
    ((s >> 32) | ((lfsr_bits(s) as u64) << 7)) & LFSR_MASK
}

/// Signed byte `m` of `n`.
#[inline]
fn sbyte(n: u32, m: u32) -> i32 {
    ((n >> (8 * m)) & 0xff) as u8 as i8 as i32
}

/// The noise sample for a sum `g` of four signed bytes.
#[inline]
pub fn scale_noise(g: i32, noise_amp: u32) -> i32 {
    if noise_amp == 0 {
        0
    } else {
        g >> (8 - noise_amp)
    }
}

/// floor(acc / 4) saturated to the 6-bit ADC range.
#[inline]
pub fn adc_of_sum(acc: i32) -> i32 {
    (acc >> 2).clamp(-32, 31)
}

impl ChanEmuModel {
    pub fn new(p: &BistParams) -> Result<Self, ParamError> {
        p.validate()?;
        Self::with(p.lanes, &p.taps4(), p.noise_amp, &p.lane_seeds())
    }

    /// From explicit values (what the RTL constructor takes): 4 taps, the noise amplitude
    /// and one LFSR seed per lane (nonzero, < 2^39).
    pub fn with(
        lanes: usize,
        taps: &[i32; MAX_CHAN_TAPS],
        noise_amp: u32,
        seeds: &[u64],
    ) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
        let mut term = [[0; 4]; MAX_CHAN_TAPS];
        for k in 0..MAX_CHAN_TAPS {
            super::check_range(&format!("bist.taps[{k}]"), taps[k] as i64, -128, 127, "")?;
            for s in 0..4 {
                term[k][s] = taps[k] * (2 * s as i32 - 3) + if k == 0 { 2 } else { 0 };
            }
        }
        super::check_range("bist.noise_amp", noise_amp as i64, 0, 8, " (0 = off)")?;
        if seeds.len() != lanes {
            return Err(ParamError::WrongLength {
                name: "noise seeds".into(),
                got: seeds.len(),
                want: lanes,
                why: "one LFSR seed per lane",
            });
        }
        for &s in seeds {
            super::check_range(
                "noise seed",
                s as i64,
                1,
                LFSR_MASK as i64,
                " (39-bit, nonzero)",
            )?;
        }
        Ok(ChanEmuModel {
            lanes,
            term,
            noise_amp,
            seeds: seeds.to_vec(),
            sym_r: vec![0; lanes],
            hist: [0; 3],
            lane: vec![ChanLaneRegs::default(); lanes],
            out: vec![0; lanes],
        })
    }

    /// One clock edge with `symbol[0..P]` (levels; bits above 1 are ignored) applied;
    /// returns the ADC codes after it (signed, -32 ..= 31).
    pub fn step(&mut self, rst: bool, symbol: &[u8]) -> &[i32] {
        // stage-1 outputs as seen before the edge: s[n-k] per lane, oldest lane first
        let (mut d1, mut d2, mut d3) = (self.hist[0], self.hist[1], self.hist[2]);
        for i in 0..self.lanes {
            let s = [self.sym_r[i], d1, d2, d3];
            let l = &mut self.lane[i];
            // stages 5 .. 2, each from the registers before the edge
            l.adc = adc_of_sum(l.acc);
            l.acc = l.a + l.b + l.nz;
            l.a = l.t[0] + l.t[1];
            l.b = l.t[2] + l.t[3];
            l.nz = scale_noise(l.u01 + l.u23, self.noise_amp);
            for k in 0..MAX_CHAN_TAPS {
                l.t[k] = self.term[k][s[k] as usize];
            }
            let n = lfsr_bits(l.lfsr);
            l.u01 = sbyte(n, 0) + sbyte(n, 1);
            l.u23 = sbyte(n, 2) + sbyte(n, 3);
            l.lfsr = if l.lfsr == 0 {
                self.seeds[i]
            } else {
                lfsr_next(l.lfsr)
            };
            if rst {
                *l = ChanLaneRegs {
                    lfsr: self.seeds[i],
                    ..Default::default()
                };
            }
            d3 = d2;
            d2 = d1;
            d1 = self.sym_r[i];
        }
        self.hist = [d1, d2, d3];
        for i in 0..self.lanes {
            self.sym_r[i] = symbol.get(i).copied().unwrap_or(0) & 3;
        }
        if rst {
            self.hist = [0; 3];
            self.sym_r.iter_mut().for_each(|s| *s = 0);
        }
        for i in 0..self.lanes {
            self.out[i] = self.lane[i].adc;
        }
        &self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// carry-less multiply of two polynomials of degree < 39, reduced mod x^39 + x^4 + 1
    fn mulmod(a: u64, b: u64) -> u64 {
        let mut r: u128 = 0;
        for i in 0..39 {
            if b >> i & 1 == 1 {
                r ^= (a as u128) << i;
            }
        }
        for i in (39..78).rev() {
            if r >> i & 1 == 1 {
                r ^= ((1u128 << 39) | (1 << 4) | 1) << (i - 39);
            }
        }
        r as u64
    }
    fn powmod(mut e: u64) -> u64 {
        let (mut r, mut b) = (1u64, 2u64);
        while e > 0 {
            if e & 1 == 1 {
                r = mulmod(r, b);
            }
            b = mulmod(b, b);
            e >>= 1;
        }
        r
    }

    #[test]
    fn noise_lfsr_is_maximal_length() {
        // b[t] = b[t-39] ^ b[t-35] has characteristic polynomial x^39 + x^4 + 1; the
        // sequence has period 2^39 - 1 iff x has that order: x^(2^39-1) = 1 and
        // x^((2^39-1)/q) != 1 for each prime q | 2^39 - 1 = 7 * 79 * 8191 * 121369
        let n = (1u64 << 39) - 1;
        assert_eq!(7u64 * 79 * 8191 * 121369, n);
        assert_eq!(powmod(n), 1);
        for q in [7u64, 79, 8191, 121369] {
            assert_ne!(powmod(n / q), 1, "q = {q}");
        }
    }

    #[test]
    fn lfsr_word_step_equals_32_bit_steps() {
        let mut s = 0x5A5A_1234_57u64 & LFSR_MASK;
        // bit-serial reference: state bit i = b[t-39+i]
        let mut bits: Vec<u8> = (0..39).map(|i| (s >> i & 1) as u8).collect();
        for _ in 0..50 {
            let n = lfsr_bits(s);
            for j in 0..32 {
                let t = bits.len();
                let b = bits[t - 39] ^ bits[t - 35];
                bits.push(b);
                assert_eq!(b as u32, n >> j & 1);
            }
            s = lfsr_next(s);
            let t = bits.len();
            for i in 0..39 {
                assert_eq!((s >> i & 1) as u8, bits[t - 39 + i]);
            }
        }
    }

    #[test]
    fn noise_free_main_cursor_gives_the_pam4_codes() {
        let p = BistParams {
            lanes: 2,
            taps: vec![32],
            noise_amp: 0,
            ..Default::default()
        };
        let mut m = ChanEmuModel::new(&p).unwrap();
        m.step(true, &[0, 0]);
        let syms = [[0u8, 1], [2, 3], [3, 0], [1, 2]];
        let mut outs = vec![];
        for c in 0..12 {
            outs.push(m.step(false, &syms[c % 4]).to_vec());
        }
        for c in 0..8 {
            let want: Vec<i32> = syms[c % 4]
                .iter()
                .map(|&s| 8 * (2 * s as i32 - 3))
                .collect();
            assert_eq!(outs[c + 4], want, "cycle {c}");
        }
    }
}
