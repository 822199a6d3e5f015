//! PRBS13Q checker model: the bit-exact, cycle-accurate model of the self-synchronizing
//! PRBS13Q checker.
//!
//! Rule: each symbol becomes its Gray bit pair (IEEE 802.3: level 0 -> 00, 1 -> 01,
//! 2 -> 11, 3 -> 10; first bit the MSB). Every received bit `b[t]` is compared with its
//! prediction from the 13 bits received before it, `b[t-1] ^ b[t-2] ^ b[t-12] ^ b[t-13]`
//! (x^13 + x^12 + x^2 + x + 1, as [`crate::prbs::Prbs`]). A mismatch is a bit error; a
//! symbol with one or two mismatching bits is one symbol error; `symbols` counts the
//! checked symbols. Self-synchronizing: no seed, any phase of the sequence is accepted,
//! and the prediction uses the *received* bits, so one flipped bit `b[t]` gives a mismatch
//! at t and at every later bit that uses `b[t]` as a tap (t+1, t+2, t+12, t+13): one
//! channel bit error is counted as 1 + up to 4 = typically 5 bit errors (fewer when
//! those positions coincide with other errors, which cancel in pairs). That is standard
//! for self-synchronizing checkers; BER estimates divide by 5 (docs/bist.md).
//!
//! Sync: a symbol is checked only when `valid` was high for it and for the
//! [`super::CHK_FILL`] = 7 symbols before it (14 bits of history >= the 13 needed). The
//! run of valid symbols restarts at reset and whenever `valid` is low (the history is then
//! garbage). `synced` = the run has reached 7 symbols.
//!
//! Pipeline (all registers reset to 0 and power up at 0):
//! 1. `sym_r[i] <- symbol[i]`, `val_r <- valid`
//! 2. the 13-bit history shifts in the clock's 2P bits; per lane the two mismatch bits
//!    (zeroed when unchecked) and a checked flag are registered;
//!    `fill <- val_r ? min(7, fill + P) : 0`; `synced <- (new fill == 7)`. Lane i is
//!    checked iff val_r and fill + i >= 7.
//! 3. per-clock sums: bit errors (0 ..= 2P), symbol errors and checked symbols (0 ..= P),
//!    in two registered steps: sums per group of CHK_GROUP = 4 lanes, then their sum
//! 4. the three 32-bit counters add their sums, saturating.
//!
//! The history shifts in every symbol, valid or not; only the counting is gated.
//!
//! **Parameters** (`BistParams`, checked by `BistParams::validate` in `PrbsChkModel::new`;
//! `with_lanes(lanes)` checks its one argument): `lanes` P in {1, 2, 4, 8, 16}.
//!
//! **Ports**: `PrbsChkModel::step(rst, valid, symbol)` is one clock edge with
//! `symbol[0..P]` (received levels, lane 0 the oldest; bits above 1 ignored) and `valid`
//! (e.g. the receiver's CDR lock); it returns the registered outputs (`PrbsChkOut`):
//! `bit_errs`, `sym_errs`, `symbols` (32-bit, SATURATING at 2^32 - 1), `synced`.
//!
//! **Formats**: symbols PAM-4 levels 0 ..= 3; counters unsigned 32 bits, saturating.
//!
//! **Latency**: a symbol applied in cycle c is in the counters read after cycle c + 4
//! ([`super::LAT_CHK`] = 5); `synced` after cycle c + 1 (2).
//!
//! **Reset**: every register 0. Power-up (`new`): every register 0.
//!
//! See also: RTL `hdl/src/bist/prbs_chk.rs` (`PrbsChk`), spec docs/bist.md "3. PRBS13Q
//! checker" and `spec/src/bist.rs`, tests `hdl/tests/bist_prbs_chk.rs`.

use super::{check_lanes, BistParams, CHK_FILL, CHK_GROUP, PRBS13_MASK, PRBS13_TAPMASK};
use cporx_spec::ParamError;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrbsChkOut {
    pub bit_errs: u32,
    pub sym_errs: u32,
    pub symbols: u32,
    pub synced: bool,
}

#[derive(Clone, Debug)]
pub struct PrbsChkModel {
    lanes: usize,
    pub sym_r: Vec<u8>,
    pub val_r: bool,
    /// the last 13 received bits, bit 0 the newest
    pub hist: u32,
    pub fill: u32,
    /// per lane: bit 1 = MSB mismatch, bit 0 = LSB mismatch (0 when unchecked)
    pub emis: Vec<u8>,
    pub chk: Vec<bool>,
    /// stage 3a: per-group sums (bit errors, symbol errors, checked symbols)
    pub grp: [[u32; 3]; 4],
    pub inc_b: u32,
    pub inc_s: u32,
    pub inc_n: u32,
    pub out: PrbsChkOut,
}

#[inline]
fn predict(w: u32) -> u8 {
    ((w & PRBS13_TAPMASK).count_ones() & 1) as u8
}

impl PrbsChkModel {
    pub fn new(p: &BistParams) -> Result<Self, ParamError> {
        p.validate()?;
        Self::with_lanes(p.lanes)
    }

    pub fn with_lanes(lanes: usize) -> Result<Self, ParamError> {
        check_lanes(lanes)?;
        Ok(PrbsChkModel {
            lanes,
            sym_r: vec![0; lanes],
            val_r: false,
            hist: 0,
            fill: 0,
            emis: vec![0; lanes],
            chk: vec![false; lanes],
            grp: [[0; 3]; 4],
            inc_b: 0,
            inc_s: 0,
            inc_n: 0,
            out: PrbsChkOut::default(),
        })
    }

    /// One clock edge with `symbol[0..P]` (bits above 1 ignored) and `valid` applied.
    pub fn step(&mut self, rst: bool, valid: bool, symbol: &[u8]) -> &PrbsChkOut {
        // stage 4
        let o = &mut self.out;
        o.bit_errs = o.bit_errs.saturating_add(self.inc_b);
        o.sym_errs = o.sym_errs.saturating_add(self.inc_s);
        o.symbols = o.symbols.saturating_add(self.inc_n);
        // stage 3b: the clock's sums of the group registers
        self.inc_b = self.grp.iter().map(|g| g[0]).sum();
        self.inc_s = self.grp.iter().map(|g| g[1]).sum();
        self.inc_n = self.grp.iter().map(|g| g[2]).sum();
        // stage 3a: sums per group of CHK_GROUP lanes
        self.grp = [[0; 3]; 4];
        for i in 0..self.lanes {
            let g = &mut self.grp[i / CHK_GROUP];
            g[0] += self.emis[i].count_ones();
            g[1] += (self.emis[i] != 0) as u32;
            g[2] += self.chk[i] as u32;
        }
        // stage 2
        let mut w = self.hist;
        for i in 0..self.lanes {
            let m = self.sym_r[i] >> 1 & 1;
            let l = m ^ (self.sym_r[i] & 1);
            let em = m ^ predict(w);
            w = (w << 1 | m as u32) & PRBS13_MASK;
            let el = l ^ predict(w);
            w = (w << 1 | l as u32) & PRBS13_MASK;
            let c = self.val_r && self.fill + i as u32 >= CHK_FILL;
            self.emis[i] = if c { em << 1 | el } else { 0 };
            self.chk[i] = c;
        }
        self.hist = w;
        self.fill = if self.val_r {
            (self.fill + self.lanes as u32).min(CHK_FILL)
        } else {
            0
        };
        o.synced = self.fill == CHK_FILL;
        // stage 1
        for i in 0..self.lanes {
            self.sym_r[i] = symbol.get(i).copied().unwrap_or(0) & 3;
        }
        self.val_r = valid;
        if rst {
            *self = Self::with_lanes(self.lanes).expect("lanes were checked");
        }
        &self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prbs::Prbs13q;

    #[test]
    fn clean_stream_counts_no_errors_and_one_flip_counts_five() {
        for lanes in super::super::LANES {
            let mut m = PrbsChkModel::with_lanes(lanes).unwrap();
            m.step(true, false, &vec![0; lanes]);
            let mut g = Prbs13q::new();
            // start at an arbitrary phase
            for _ in 0..1234 {
                g.next_symbol();
            }
            let cycles = 4000 / lanes;
            for c in 0..cycles {
                let mut s: Vec<u8> = (0..lanes).map(|_| g.next_symbol()).collect();
                if c == cycles / 2 {
                    s[0] ^= 1; // one Gray bit (the LSB of the pair)
                }
                m.step(false, true, &s);
            }
            for _ in 0..4 {
                m.step(false, false, &vec![0; lanes]);
            }
            let o = m.out.clone();
            assert!(!o.synced);
            assert_eq!(o.symbols as usize, cycles * lanes - 7, "lanes {lanes}");
            // the flipped bit b[t] is also a tap of t+1, t+2, t+12 and t+13
            assert_eq!(o.bit_errs, 5, "lanes {lanes}");
            // LSB of symbol j flipped: mismatches in symbols j, j+1, j+6, j+7
            assert_eq!(o.sym_errs, 4, "{o:?}");
        }
    }
}
