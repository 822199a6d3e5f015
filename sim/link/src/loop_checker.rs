//! A self-synchronizing PRBS13Q checker with cycle-slip detection.
//!
//! [`Prbs13qChecker`] is fed the receiver's decided PAM-4 symbols, one per call to
//! [`Prbs13qChecker::push`]. It knows neither where in the 8191-symbol PRBS13Q period the
//! stream starts nor the receiver's latency: it finds its place in the sequence by itself,
//! then counts symbol and bit errors, and recognizes a cycle slip of the receiver (a lost
//! or a repeated symbol) as one slip event instead of a burst of errors.
//!
//! Every number below is a `pub const` of this module; the rules are exactly these.
//!
//! # Input
//! * A symbol is a level 0..=3. Larger values are masked with `& 3` (no panic).
//! * Received symbols are numbered from 0 in the order pushed ("received index").
//! * The reference is the PRBS13Q period `T[0..8191]` of [`cporx_model::prbs::Prbs13q`]
//!   (all-ones seed); any cyclic shift of it is accepted.
//!
//! # Acquisition (while not in sync)
//! * Every symbol received while not in sync goes into a shift register of the last
//!   [`ACQ`] = 16 symbols. Once it holds 16 symbols (counted from the start, or from the
//!   loss of sync), it is looked up, at every symbol, among the 8191 cyclic 16-symbol
//!   windows of `T`. Each of these windows occurs exactly once in the period (tested; in
//!   fact every 7-symbol window is already unique), so a hit gives one candidate position.
//! * Verification: the next [`VERIFY`] = 32 symbols are compared with `T` at the
//!   candidate's continuation. At the 3rd mismatch ([`VERIFY_MAX_MISMATCHES`] = 2 are
//!   allowed) the candidate is dropped at once and the search goes on (the shift register
//!   keeps running during verification, so the very symbol that failed the candidate can
//!   start a new one).
//! * Sync is declared at the 32nd verified symbol; `first_sync_at` is that symbol's
//!   received index (for a clean stream from the first symbol: 47). A clean stream is
//!   therefore in sync after at most 16 + 32 = 48 symbols.
//! * Every symbol received while not in sync, including the 16 + 32 of acquisition and
//!   verification, is counted in `unsynced_symbols` and never as an error.
//!
//! # Tracking and error counting (in sync)
//! * Each symbol is compared with `T[pos]`, `pos` advancing by one (mod 8191) per symbol.
//!   A mismatch is one symbol error and `popcount(gray(rx) ^ gray(expected))` bit errors
//!   (IEEE 802.3 Gray code, [`cporx_spec::gray_bits`]); each checked symbol carries two
//!   bits, so `ber = bit_errors / (2 * symbols_checked)`.
//! * Delayed commit: the last [`W`] = 64 symbols stay in a window with their expected
//!   positions; a symbol is counted ("committed") when it leaves the window, or by
//!   [`Prbs13qChecker::finish`]. [`Prbs13qChecker::stats`] returns the committed counts plus
//!   the window's symbols counted provisionally as they stand (what `finish` would return
//!   now), so `symbols_checked + unsynced_symbols == symbols_received` always holds.
//!
//! # Slip detection
//! Evaluated only when the window holds at least [`SLIP_TRIGGER`] = 8 mismatches (so it
//! costs nothing on a clean stream). With the window's `n` symbols numbered oldest first,
//! for every `d` in `-MAXD..=MAXD`, `d != 0` ([`MAXD`] = 3), alignment `d` expects
//! `T[pos_i + d]` of symbol `i`, and a split `k` (symbols `< k` keep the current
//! alignment, symbols `>= k` use alignment `d`) costs
//! `cost(d, k) = mism_0([0, k)) + mism_d([k, n))`. For each `d` take the cheapest `k` with
//! a tail `t = n - k >= SLIP_MIN_TAIL` = 20 (earliest on ties). A slip of `d` is declared
//! when, for that `d` and `k`, all of these hold:
//! 1. the current alignment has at least `t / 2` mismatches in the tail
//!    ([`SLIP_MIN_BAD_NUM`]/[`SLIP_MIN_BAD_DEN`]): it is clearly wrong there;
//! 2. alignment `d` has at most `t / 8` mismatches in the tail ([`SLIP_MAX_GOOD_DEN`];
//!    i.e. <= 2 for a 20..23 symbol tail): it clearly explains the recent symbols;
//! 3. `cost(d, k)` is lower by at least [`SLIP_MARGIN`] = 4 than the cheapest cost of every
//!    other `d'` (unambiguous).
//!
//! The split is then chosen again without the tail restriction, as the earliest `k` in
//! `0..=n` minimizing `cost(d, k)`; symbols `>= k` get position `pos + d`, their errors are
//! re-evaluated, `pos` moves by `d`, and the event `(received index of symbol k, d)` goes
//! into `slip_events`. `d > 0`: the receiver lost `d` symbols; `d < 0`: it repeated `|d|`
//! symbols (went back by `|d|`).
//! * A slip is recognized about 20 symbols after it happens (well inside the 64-symbol
//!   window, so none of its symbols has been committed yet).
//! * The reported index is the earliest split of minimum cost: when symbols just before
//!   the slip happen to equal their expectation under both alignments (about 1/4 of the
//!   time per symbol) it can be a few symbols *before* the true slip, never after on a
//!   clean stream.
//! * A clean slip adds no symbol error (each symbol is attributed to the alignment it
//!   matches). If the receiver decided a garbage value at the slip point, that one symbol
//!   counts; a channel error within the ambiguous symbols next to the slip can be absorbed
//!   or not, so counted errors are within +-1 per slip of the true channel errors.
//! * Random channel errors are never taken for a slip: rule 1 needs at least 10 of the last
//!   20 symbols in error under the true alignment (at a symbol error rate of 1e-2 that has
//!   a probability of order 1e-14 per symbol).
//! * Two slips must be about 30 symbols apart to be resolved separately (measured, 200
//!   trials each, two +1 slips: 30 apart 200/200 resolved, 20 apart 198/200, 10 apart
//!   mostly a loss of sync, 5 apart reported as one slip of their sum, here d = +2, a few
//!   symbols early). A slip with `|d| > 3` ends in a loss of sync.
//!
//! # Loss of sync
//! * If, after slip evaluation, the window holds more than [`LOSS_THRESHOLD`] = 32
//!   mismatches (more than W/2) and no slip was declared, sync is lost (`sync_losses += 1`).
//! * The window is split at the estimated onset of the bad episode: the `k` in `0..=n`
//!   maximizing the sum over symbols `[k, n)` of +3 per mismatch and -1 per match
//!   (earliest on ties; `k = n` if every such sum is negative). Symbols before `k` are
//!   committed normally; symbols from `k` on, and all symbols until sync is declared again,
//!   count as `unsynced_symbols`, not as errors. Leading symbols of a garbage burst that
//!   happen to match are committed as correct, and the first few garbage symbols can
//!   occasionally be committed as errors (typically 0..=2 per burst).
//! * Acquisition restarts with an empty shift register at the next symbol. When sync is
//!   declared again, `resyncs += 1`. A garbage burst of `L` symbols thus costs about `L`
//!   plus at most 48 unsynced symbols.
//!
//! # Cost
//! Steady state (no mismatch in the window): one table look-up and a ring-buffer store per
//! symbol, no allocation; see [`bench_symbols_per_sec`]. The slip search (about 6 x 64
//! operations) runs only while the window holds >= 8 mismatches.

use std::sync::OnceLock;
use std::time::Instant;

use cporx_spec::gray_bits;

use cporx_model::prbs::Prbs13q;

/// PRBS13Q period in symbols.
pub const PERIOD: usize = Prbs13q::PERIOD;
/// Length of the acquisition window (symbols looked up in the period table).
pub const ACQ: usize = 16;
/// Symbols compared after an acquisition hit before sync is declared.
pub const VERIFY: usize = 32;
/// Mismatches tolerated during verification.
pub const VERIFY_MAX_MISMATCHES: u32 = 2;
/// Delayed-commit window length (power of two).
pub const W: usize = 64;
/// Largest slip, in symbols, that is recognized.
pub const MAXD: i32 = 3;
/// Slip evaluation runs only when the window holds at least this many mismatches.
pub const SLIP_TRIGGER: u32 = 8;
/// Minimum number of symbols after a slip before it is declared.
pub const SLIP_MIN_TAIL: usize = 20;
/// Rule 1: current-alignment mismatches in the tail >= tail * NUM / DEN.
pub const SLIP_MIN_BAD_NUM: usize = 1;
/// See [`SLIP_MIN_BAD_NUM`].
pub const SLIP_MIN_BAD_DEN: usize = 2;
/// Rule 2: new-alignment mismatches in the tail <= tail / DEN.
pub const SLIP_MAX_GOOD_DEN: usize = 8;
/// Rule 3: cost margin over every other candidate slip.
pub const SLIP_MARGIN: u32 = 4;
/// Sync is lost when the window holds more mismatches than this (W/2) and no slip fits.
pub const LOSS_THRESHOLD: u32 = (W / 2) as u32;

const WMASK: usize = W - 1;
const _: () = assert!(W.is_power_of_two() && ACQ * 2 <= 32 && SLIP_MIN_TAIL < W);

/// Counters of a [`Prbs13qChecker`]. See the module documentation for the exact rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckerStats {
    /// Symbols pushed in total.
    pub symbols_received: u64,
    /// Symbols compared while in sync (committed, plus the window provisionally).
    pub symbols_checked: u64,
    pub symbol_errors: u64,
    /// Gray-coded bit errors; two bits per checked symbol.
    pub bit_errors: u64,
    pub slips: u64,
    /// (received index of the first symbol of the new alignment, d); d > 0: symbols lost,
    /// d < 0: symbols repeated.
    pub slip_events: Vec<(u64, i32)>,
    /// Times sync was declared again after a loss (not counting the first acquisition).
    pub resyncs: u64,
    /// Times sync was lost.
    pub sync_losses: u64,
    /// Symbols received while not in sync (acquisition, verification, lost episodes).
    pub unsynced_symbols: u64,
    /// Received index at which sync was first declared.
    pub first_sync_at: Option<u64>,
}

impl CheckerStats {
    /// Bit error ratio: `bit_errors / (2 * symbols_checked)`, 0 if nothing was checked.
    pub fn ber(&self) -> f64 {
        if self.symbols_checked == 0 {
            0.0
        } else {
            self.bit_errors as f64 / (2.0 * self.symbols_checked as f64)
        }
    }
    /// Symbol error ratio: `symbol_errors / symbols_checked`, 0 if nothing was checked.
    pub fn ser(&self) -> f64 {
        if self.symbols_checked == 0 {
            0.0
        } else {
            self.symbol_errors as f64 / self.symbols_checked as f64
        }
    }
    /// Slips where the receiver lost symbols (d > 0).
    pub fn slips_lost(&self) -> u64 {
        self.slip_events.iter().filter(|e| e.1 > 0).count() as u64
    }
    /// Slips where the receiver repeated symbols (d < 0).
    pub fn slips_repeated(&self) -> u64 {
        self.slip_events.iter().filter(|e| e.1 < 0).count() as u64
    }
}

struct Tables {
    /// One period of PRBS13Q.
    sym: Vec<u8>,
    /// `ext[i] = sym[(i + PERIOD - MAXD) mod PERIOD]`, so `ext[pos + MAXD + d] = T[pos + d]`.
    ext: Vec<u8>,
    /// (key of the 16-symbol window starting at position, position), sorted by key.
    keys: Vec<(u32, u16)>,
}

fn window_key(s: &[u8]) -> u32 {
    s.iter().fold(0u32, |k, &x| (k << 2) | (x & 3) as u32)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let sym: Vec<u8> = Prbs13q::new().take(PERIOD).collect();
        let m = MAXD as usize;
        let ext: Vec<u8> = (0..PERIOD + 2 * m)
            .map(|i| sym[(i + PERIOD - m) % PERIOD])
            .collect();
        let cyc: Vec<u8> = sym.iter().chain(&sym[..ACQ]).copied().collect();
        let mut keys: Vec<(u32, u16)> = (0..PERIOD)
            .map(|q| (window_key(&cyc[q..q + ACQ]), q as u16))
            .collect();
        keys.sort_unstable();
        Tables { sym, ext, keys }
    })
}

/// One period of the PRBS13Q reference (`T[0..8191]`) used by the checker.
pub fn prbs13q_period() -> &'static [u8] {
    &tables().sym
}

#[inline]
fn add_mod(pos: u16, d: i32) -> u16 {
    (pos as i32 + d).rem_euclid(PERIOD as i32) as u16
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    pos: u16,
    sym: u8,
    mis: u8,
}

#[derive(Clone, Copy, Debug)]
enum State {
    Acquire,
    Verify { pos: u16, left: u8, mism: u8 },
    Track,
}

/// Self-synchronizing PRBS13Q checker; see the module documentation.
pub struct Prbs13qChecker {
    tab: &'static Tables,
    state: State,
    /// Symbols pushed so far (the current symbol's index is `rx - 1`).
    rx: u64,
    key: u32,
    key_len: usize,
    /// Next expected position while tracking.
    pos: u16,
    win: [Entry; W],
    /// Next write slot of the ring.
    head: usize,
    len: usize,
    win_err: u32,
    stats: CheckerStats,
}

impl Default for Prbs13qChecker {
    fn default() -> Self {
        Self::new()
    }
}

impl Prbs13qChecker {
    pub fn new() -> Self {
        Prbs13qChecker {
            tab: tables(),
            state: State::Acquire,
            rx: 0,
            key: 0,
            key_len: 0,
            pos: 0,
            win: [Entry::default(); W],
            head: 0,
            len: 0,
            win_err: 0,
            stats: CheckerStats::default(),
        }
    }

    /// True while tracking (sync declared and not lost since).
    pub fn in_sync(&self) -> bool {
        matches!(self.state, State::Track)
    }

    /// Position in the PRBS13Q period expected for the next symbol, when in sync.
    pub fn expected_position(&self) -> Option<usize> {
        self.in_sync().then_some(self.pos as usize)
    }

    /// One received symbol (masked to 0..=3).
    #[inline]
    pub fn push(&mut self, symbol: u8) {
        let s = symbol & 3;
        self.rx += 1;
        if let State::Track = self.state {
            self.track(s);
        } else {
            self.acquire(s);
        }
    }

    pub fn push_slice(&mut self, s: &[u8]) {
        for &x in s {
            self.push(x);
        }
    }

    /// Counts so far, with the symbols still in the window counted provisionally (what
    /// [`finish`](Self::finish) would return now).
    pub fn stats(&self) -> CheckerStats {
        let mut st = self.stats.clone();
        st.symbols_received = self.rx;
        for i in 0..self.len {
            let e = self.win[(self.head + W - self.len + i) & WMASK];
            Self::count(&mut st, self.tab, e);
        }
        st
    }

    /// Commits the window and returns the final counts.
    pub fn finish(self) -> CheckerStats {
        self.stats()
    }

    #[inline]
    fn count(st: &mut CheckerStats, tab: &Tables, e: Entry) {
        st.symbols_checked += 1;
        if e.mis != 0 {
            st.symbol_errors += 1;
            st.bit_errors +=
                (gray_bits(e.sym) ^ gray_bits(tab.sym[e.pos as usize])).count_ones() as u64;
        }
    }

    #[inline]
    fn track(&mut self, s: u8) {
        let p = self.pos;
        let mis = (s != self.tab.sym[p as usize]) as u8;
        let np = p + 1;
        self.pos = if np as usize == PERIOD { 0 } else { np };
        if self.len == W {
            let old = self.win[self.head];
            self.win_err -= old.mis as u32;
            Self::count(&mut self.stats, self.tab, old);
        } else {
            self.len += 1;
        }
        self.win[self.head] = Entry {
            pos: p,
            sym: s,
            mis,
        };
        self.head = (self.head + 1) & WMASK;
        self.win_err += mis as u32;
        if self.win_err >= SLIP_TRIGGER {
            self.examine();
        }
    }

    fn acquire(&mut self, s: u8) {
        self.stats.unsynced_symbols += 1;
        self.key = (self.key << 2) | s as u32;
        if self.key_len < ACQ {
            self.key_len += 1;
        }
        if let State::Verify { pos, left, mism } = self.state {
            let mism = mism + (s != self.tab.sym[pos as usize]) as u8;
            let pos = add_mod(pos, 1);
            let left = left - 1;
            if mism as u32 <= VERIFY_MAX_MISMATCHES {
                if left == 0 {
                    self.declare_sync(pos);
                } else {
                    self.state = State::Verify { pos, left, mism };
                }
                return;
            }
            self.state = State::Acquire;
        }
        if self.key_len >= ACQ {
            let keys = &self.tab.keys;
            if let Ok(i) = keys.binary_search_by_key(&self.key, |e| e.0) {
                let q = keys[i].1;
                self.state = State::Verify {
                    pos: add_mod(q, ACQ as i32),
                    left: VERIFY as u8,
                    mism: 0,
                };
            }
        }
    }

    fn declare_sync(&mut self, pos: u16) {
        self.state = State::Track;
        self.pos = pos;
        self.len = 0;
        self.head = 0;
        self.win_err = 0;
        let idx = self.rx - 1;
        if self.stats.first_sync_at.is_none() {
            self.stats.first_sync_at = Some(idx);
        } else {
            self.stats.resyncs += 1;
        }
    }

    /// Copies the window oldest first into `out`; returns its length.
    fn linearize(&self, out: &mut [Entry; W]) -> usize {
        let n = self.len;
        let start = (self.head + W - n) & WMASK;
        for (i, o) in out.iter_mut().take(n).enumerate() {
            *o = self.win[(start + i) & WMASK];
        }
        n
    }

    /// Slip search and loss-of-sync decision (window has >= SLIP_TRIGGER mismatches).
    fn examine(&mut self) {
        let mut ent = [Entry::default(); W];
        let n = self.linearize(&mut ent);
        let ext = &self.tab.ext;
        // pre0[k] = mismatches of the current alignment in [0, k)
        let mut pre0 = [0u32; W + 1];
        for i in 0..n {
            pre0[i + 1] = pre0[i] + ent[i].mis as u32;
        }
        if n >= SLIP_MIN_TAIL {
            let kmax = n - SLIP_MIN_TAIL;
            // per d: (cost, k, tail mismatches under d)
            let mut best: Option<(u32, usize, u32, i32)> = None; // (cost, k, md_tail, d)
            let mut costs = [u32::MAX; 2 * MAXD as usize + 1];
            let mut sufs = [[0u32; W + 1]; 2 * MAXD as usize + 1];
            for d in -MAXD..=MAXD {
                if d == 0 {
                    continue;
                }
                let di = (d + MAXD) as usize;
                let off = (MAXD + d) as usize;
                let suf = &mut sufs[di];
                suf[n] = 0;
                for i in (0..n).rev() {
                    let e = ent[i];
                    suf[i] = suf[i + 1] + (e.sym != ext[e.pos as usize + off]) as u32;
                }
                let (mut c, mut kb) = (u32::MAX, 0);
                for k in 0..=kmax {
                    let ck = pre0[k] + suf[k];
                    if ck < c {
                        c = ck;
                        kb = k;
                    }
                }
                costs[di] = c;
                let t = n - kb;
                let m0_tail = (pre0[n] - pre0[kb]) as usize;
                let md_tail = suf[kb] as usize;
                let ok = m0_tail * SLIP_MIN_BAD_DEN >= t * SLIP_MIN_BAD_NUM
                    && md_tail * SLIP_MAX_GOOD_DEN <= t;
                if ok && best.is_none_or(|b| c < b.0) {
                    best = Some((c, kb, md_tail as u32, d));
                }
            }
            if let Some((c, _, _, d)) = best {
                let di = (d + MAXD) as usize;
                let unique = costs
                    .iter()
                    .enumerate()
                    .all(|(j, &cj)| j == di || j == MAXD as usize || cj >= c + SLIP_MARGIN);
                if unique {
                    // earliest unrestricted minimum-cost split
                    let suf = &sufs[di];
                    let (mut cm, mut k) = (u32::MAX, 0);
                    for kk in 0..=n {
                        let ck = pre0[kk] + suf[kk];
                        if ck < cm {
                            cm = ck;
                            k = kk;
                        }
                    }
                    self.apply_slip(&ent, n, k, d);
                    return;
                }
            }
        }
        if self.win_err > LOSS_THRESHOLD {
            self.lose_sync(&ent, n);
        }
    }

    fn apply_slip(&mut self, ent: &[Entry; W], n: usize, k: usize, d: i32) {
        let start = (self.head + W - n) & WMASK;
        let mut err = 0u32;
        for (i, e) in ent.iter().enumerate().take(n) {
            let mut e = *e;
            if i >= k {
                e.pos = add_mod(e.pos, d);
                e.mis = (e.sym != self.tab.sym[e.pos as usize]) as u8;
                self.win[(start + i) & WMASK] = e;
            }
            err += e.mis as u32;
        }
        self.win_err = err;
        self.pos = add_mod(self.pos, d);
        self.stats.slips += 1;
        self.stats
            .slip_events
            .push((self.rx - n as u64 + k as u64, d));
    }

    fn lose_sync(&mut self, ent: &[Entry; W], n: usize) {
        // onset: k maximizing sum over [k, n) of (+3 mismatch, -1 match); earliest on ties
        let (mut best, mut k) = (0i32, n);
        let mut acc = 0i32;
        for i in (0..n).rev() {
            acc += if ent[i].mis != 0 { 3 } else { -1 };
            if acc >= best {
                best = acc;
                k = i;
            }
        }
        for &e in &ent[..k] {
            Self::count(&mut self.stats, self.tab, e);
        }
        self.stats.unsynced_symbols += (n - k) as u64;
        self.stats.sync_losses += 1;
        self.len = 0;
        self.head = 0;
        self.win_err = 0;
        self.key = 0;
        self.key_len = 0;
        self.state = State::Acquire;
    }
}

/// Times `n` clean PRBS13Q symbols through a fresh checker; returns symbols per second.
pub fn bench_symbols_per_sec(n: usize) -> f64 {
    let buf: Vec<u8> = Prbs13q::new().take(PERIOD * 16).collect();
    let mut c = Prbs13qChecker::new();
    let t0 = Instant::now();
    let mut left = n;
    while left > 0 {
        let k = left.min(buf.len());
        c.push_slice(std::hint::black_box(&buf[..k]));
        left -= k;
    }
    let st = c.finish();
    let dt = t0.elapsed().as_secs_f64();
    assert_eq!(st.symbol_errors, 0, "bench stream not clean");
    std::hint::black_box(&st);
    n as f64 / dt.max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn sym_at(i: u64) -> u8 {
        prbs13q_period()[(i % PERIOD as u64) as usize]
    }

    /// Received stream of `len` symbols starting at period offset `off`, with slips
    /// `(received index j, d)`: received symbol j onward is shifted by d more.
    fn slipped_stream(off: u64, len: usize, slips: &[(usize, i32)]) -> Vec<u8> {
        let mut shift: i64 = 0;
        let mut sl = slips.to_vec();
        sl.sort();
        let mut si = 0;
        (0..len)
            .map(|r| {
                while si < sl.len() && sl[si].0 == r {
                    shift += sl[si].1 as i64;
                    si += 1;
                }
                let tx = (off as i64 + r as i64 + shift).rem_euclid(PERIOD as i64);
                sym_at(tx as u64)
            })
            .collect()
    }

    /// Replaces symbol i by a different one; returns its Gray bit distance.
    fn corrupt(v: &mut [u8], i: usize, k: u8) -> u64 {
        let a = v[i];
        let b = (a + k) & 3;
        assert_ne!(a, b);
        v[i] = b;
        (gray_bits(a) ^ gray_bits(b)).count_ones() as u64
    }

    fn check_accounting(st: &CheckerStats, total: usize) {
        assert_eq!(st.symbols_received, total as u64);
        assert_eq!(
            st.symbols_checked + st.unsynced_symbols,
            total as u64,
            "{st:?}"
        );
        assert_eq!(st.slips, st.slip_events.len() as u64);
    }

    #[test]
    fn acquisition_window_is_unique() {
        let t = prbs13q_period();
        assert_eq!(t.len(), PERIOD);
        // the lookup table holds every cyclic 16-window exactly once
        let keys = &tables().keys;
        assert_eq!(keys.len(), PERIOD);
        assert!(
            keys.windows(2).all(|w| w[0].0 != w[1].0),
            "duplicate 16-window"
        );
        // shortest unique length (13 PRBS13 bits fix the state: 7 symbols)
        let cyc: Vec<u8> = t.iter().chain(t.iter()).copied().collect();
        let mut unique_len = 0;
        for l in 1..=ACQ {
            let mut k: Vec<u32> = (0..PERIOD).map(|q| window_key(&cyc[q..q + l])).collect();
            k.sort_unstable();
            k.dedup();
            if k.len() == PERIOD {
                unique_len = l;
                break;
            }
        }
        assert_eq!(unique_len, 7, "shortest unique window");
        // key lookups give the position back
        for q in (0..PERIOD).step_by(37) {
            let key = window_key(&cyc[q..q + ACQ]);
            let i = keys.binary_search_by_key(&key, |e| e.0).unwrap();
            assert_eq!(keys[i].1 as usize, q);
        }
    }

    #[test]
    fn clean_stream_from_first_symbol_syncs_at_47() {
        let v = slipped_stream(0, 10_000, &[]);
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        assert!(c.in_sync());
        let st = c.finish();
        check_accounting(&st, v.len());
        assert_eq!(st.first_sync_at, Some((ACQ + VERIFY - 1) as u64));
        assert_eq!(st.unsynced_symbols, (ACQ + VERIFY) as u64);
        assert_eq!(st.symbol_errors, 0);
        assert_eq!(st.bit_errors, 0);
        assert_eq!(st.slips, 0);
    }

    #[test]
    fn clean_stream_random_offset_with_garbage_prefix() {
        let mut rng = StdRng::seed_from_u64(1);
        for trial in 0..40 {
            let off = rng.gen_range(0..PERIOD as u64);
            let g = if trial == 0 { 0 } else { rng.gen_range(0..300) };
            let mut v: Vec<u8> = (0..g).map(|_| rng.gen_range(0..4u8)).collect();
            v.extend(slipped_stream(off, 30_000, &[]));
            let mut c = Prbs13qChecker::new();
            c.push_slice(&v);
            assert!(c.in_sync());
            let st_live = c.stats();
            let st = c.finish();
            assert_eq!(st_live, st);
            check_accounting(&st, v.len());
            assert_eq!(st.symbol_errors, 0, "trial {trial}");
            assert_eq!(st.bit_errors, 0);
            assert_eq!(st.slips, 0);
            assert_eq!(st.resyncs, 0);
            assert_eq!(st.sync_losses, 0);
            assert!(st.unsynced_symbols <= (g + ACQ + VERIFY) as u64, "{st:?}");
            assert_eq!(st.first_sync_at, Some(st.unsynced_symbols - 1));
            assert_eq!(st.ber(), 0.0);
        }
    }

    #[test]
    fn symbols_above_3_are_masked() {
        let v: Vec<u8> = slipped_stream(123, 2000, &[])
            .into_iter()
            .map(|s| s | 0xf4)
            .collect();
        let st = {
            let mut c = Prbs13qChecker::new();
            c.push_slice(&v);
            c.finish()
        };
        assert_eq!(st.symbol_errors, 0);
        assert_eq!(st.symbols_checked, 2000 - 48);
    }

    #[test]
    fn isolated_errors_exact_counts() {
        let mut v = slipped_stream(4000, 100_000, &[]);
        let (mut se, mut be) = (0u64, 0u64);
        let mut per_dist = [0u64; 3];
        for (n, i) in (200..v.len()).step_by(97).enumerate() {
            let b = corrupt(&mut v, i, 1 + (n % 3) as u8);
            se += 1;
            be += b;
            per_dist[b as usize] += 1;
        }
        assert!(per_dist[1] > 0 && per_dist[2] > 0); // both Gray distances exercised
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, v.len());
        assert_eq!(st.symbol_errors, se);
        assert_eq!(st.bit_errors, be);
        assert_eq!(st.slips, 0);
        assert_eq!(st.sync_losses, 0);
        assert_eq!(st.symbols_checked, v.len() as u64 - 48);
        let ser = se as f64 / st.symbols_checked as f64;
        assert!((st.ser() - ser).abs() < 1e-15);
        assert!((st.ber() - be as f64 / (2.0 * st.symbols_checked as f64)).abs() < 1e-15);
    }

    #[test]
    fn random_errors_ser_1e2_no_slips() {
        let mut rng = StdRng::seed_from_u64(7);
        let n = 1_000_000;
        let mut v = slipped_stream(rng.gen_range(0..PERIOD as u64), n, &[]);
        let (mut se, mut be) = (0u64, 0u64);
        for i in 100..n {
            if rng.gen_bool(1e-2) {
                be += corrupt(&mut v, i, rng.gen_range(1..4));
                se += 1;
            }
        }
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, n);
        assert_eq!(st.first_sync_at, Some(47));
        assert_eq!(
            st.slips,
            0,
            "{:?}",
            &st.slip_events[..st.slip_events.len().min(5)]
        );
        assert_eq!(st.sync_losses, 0);
        assert_eq!(st.symbol_errors, se);
        assert_eq!(st.bit_errors, be);
    }

    #[test]
    fn heavy_random_errors_ser_5e2_no_slips() {
        // far beyond any usable link; still no false slip, no loss of sync
        let mut rng = StdRng::seed_from_u64(8);
        let n = 300_000;
        let mut v = slipped_stream(rng.gen_range(0..PERIOD as u64), n, &[]);
        let mut se = 0u64;
        for i in 100..n {
            if rng.gen_bool(5e-2) {
                corrupt(&mut v, i, rng.gen_range(1..4));
                se += 1;
            }
        }
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, n);
        assert_eq!(st.slips, 0);
        assert_eq!(st.sync_losses, 0);
        assert_eq!(st.symbol_errors, se);
    }

    fn single_slip(d: i32) {
        let mut rng = StdRng::seed_from_u64((100 + d as i64) as u64);
        for _ in 0..200 {
            let off = rng.gen_range(0..PERIOD as u64);
            let j = rng.gen_range(500..5000usize);
            let v = slipped_stream(off, 8000, &[(j, d)]);
            let mut c = Prbs13qChecker::new();
            c.push_slice(&v);
            assert!(c.in_sync());
            let st = c.finish();
            check_accounting(&st, v.len());
            assert_eq!(st.slips, 1, "d {d} at {j}: {st:?}");
            assert_eq!(st.sync_losses, 0);
            let (idx, dd) = st.slip_events[0];
            assert_eq!(dd, d);
            assert!(
                idx <= j as u64 && idx + 8 >= j as u64,
                "slip at {j} reported at {idx}"
            );
            assert_eq!(st.symbol_errors, 0, "a clean slip adds no error");
            assert_eq!(st.slips_lost() + st.slips_repeated(), 1);
            assert_eq!(st.slips_lost(), (d > 0) as u64);
        }
    }

    #[test]
    fn lost_symbol_is_one_slip() {
        single_slip(1);
    }

    #[test]
    fn repeated_symbol_is_one_slip() {
        single_slip(-1);
    }

    #[test]
    fn slips_of_2_and_3_symbols() {
        for d in [2, 3, -2, -3] {
            single_slip(d);
        }
    }

    #[test]
    fn duplicated_symbol_literally() {
        // receiver takes symbol 3000 twice
        let mut v = slipped_stream(17, 6000, &[]);
        v.insert(3001, v[3000]);
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, v.len());
        assert_eq!(st.slips, 1);
        assert_eq!(st.slip_events[0].1, -1);
        assert!(st.slip_events[0].0 <= 3001 && st.slip_events[0].0 + 8 >= 3001);
        assert_eq!(st.symbol_errors, 0);
        // and a garbage decision at the slip point costs at most one error
        let mut w = slipped_stream(17, 6000, &[]);
        w.remove(3000);
        for k in 1..4u8 {
            let mut x = w.clone();
            x[3000] = (x[3000] + k) & 3;
            let mut c = Prbs13qChecker::new();
            c.push_slice(&x);
            let st = c.finish();
            assert_eq!(st.slips, 1);
            assert_eq!(st.slip_events[0].1, 1);
            assert!(st.symbol_errors <= 1, "{st:?}");
        }
    }

    #[test]
    fn several_slips_1000_apart() {
        let ds = [1, -1, 2, -3, 3, -2, 1, 1, -1, -1, 2, -2];
        let slips: Vec<(usize, i32)> = ds
            .iter()
            .enumerate()
            .map(|(i, &d)| (1000 * (i + 1), d))
            .collect();
        let v = slipped_stream(5000, 14_000, &slips);
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, v.len());
        assert_eq!(st.slips, ds.len() as u64);
        assert_eq!(st.sync_losses, 0);
        assert_eq!(st.symbol_errors, 0);
        for (e, s) in st.slip_events.iter().zip(&slips) {
            assert_eq!(e.1, s.1);
            assert!(e.0 <= s.0 as u64 && e.0 + 8 >= s.0 as u64, "{e:?} vs {s:?}");
        }
        assert_eq!(st.slips_lost(), 6);
        assert_eq!(st.slips_repeated(), 6);
    }

    #[test]
    fn slips_with_random_errors_ser_1e3() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..5 {
            let n = 200_000;
            let slips: Vec<(usize, i32)> = (1..n / 1000)
                .map(|i| {
                    let d = rng.gen_range(1..=MAXD) * if rng.gen() { 1 } else { -1 };
                    (i * 1000 + rng.gen_range(0..300), d)
                })
                .collect();
            let mut v = slipped_stream(rng.gen_range(0..PERIOD as u64), n, &slips);
            let mut se = 0i64;
            for i in 100..n {
                if rng.gen_bool(1e-3) {
                    corrupt(&mut v, i, rng.gen_range(1..4));
                    se += 1;
                }
            }
            let mut c = Prbs13qChecker::new();
            c.push_slice(&v);
            let st = c.finish();
            check_accounting(&st, n);
            assert_eq!(st.sync_losses, 0);
            assert_eq!(st.slips, slips.len() as u64);
            for (e, s) in st.slip_events.iter().zip(&slips) {
                assert_eq!(e.1, s.1, "{e:?} vs {s:?}");
                assert!(e.0.abs_diff(s.0 as u64) <= 10, "{e:?} vs {s:?}");
            }
            let diff = (st.symbol_errors as i64 - se).abs();
            assert!(
                diff <= st.slips as i64,
                "errors {} injected {se}",
                st.symbol_errors
            );
        }
    }

    #[test]
    fn garbage_burst_resyncs() {
        let mut rng = StdRng::seed_from_u64(21);
        for trial in 0..30 {
            let n = 20_000;
            let at = 5000;
            let mut v = slipped_stream(rng.gen_range(0..PERIOD as u64), n, &[]);
            let garbage: Vec<u8> = (0..500).map(|_| rng.gen_range(0..4u8)).collect();
            if trial % 2 == 0 {
                // inserted: the alignment after the burst is unrelated
                v.splice(at..at, garbage);
            } else {
                // overwritten: same alignment after the burst
                v[at..at + 500].copy_from_slice(&garbage);
            }
            let mut c = Prbs13qChecker::new();
            c.push_slice(&v[..at + 500]);
            assert!(!c.in_sync(), "still in sync at the end of the burst");
            let mid = c.stats();
            assert_eq!(mid.sync_losses, 1);
            assert_eq!(mid.resyncs, 0);
            c.push_slice(&v[at + 500..]);
            assert!(c.in_sync());
            let st = c.finish();
            check_accounting(&st, v.len());
            assert_eq!(st.sync_losses, 1);
            assert_eq!(st.resyncs, 1);
            assert_eq!(st.slips, 0);
            assert!(st.symbol_errors <= 3, "trial {trial}: {st:?}");
            // no errors after resync: all errors were counted by the end of the burst
            assert!(st.symbol_errors <= mid.symbol_errors);
            let lo = 48 + 500 - 10;
            let hi = 48 + 500 + 48;
            assert!(
                (lo..=hi).contains(&st.unsynced_symbols),
                "trial {trial}: unsynced {}",
                st.unsynced_symbols
            );
        }
    }

    #[test]
    fn slip_beyond_maxd_is_loss_of_sync() {
        let v = slipped_stream(999, 6000, &[(3000, 5)]);
        let mut c = Prbs13qChecker::new();
        c.push_slice(&v);
        let st = c.finish();
        check_accounting(&st, v.len());
        assert_eq!(st.slips, 0);
        assert_eq!(st.sync_losses, 1);
        assert_eq!(st.resyncs, 1);
        assert_eq!(st.symbol_errors, 0, "{st:?}");
        assert!(st.unsynced_symbols <= 48 + 64 + 48);
    }

    #[test]
    fn empty_and_short() {
        let c = Prbs13qChecker::new();
        assert!(!c.in_sync());
        let st = c.finish();
        assert_eq!(st, CheckerStats::default());
        assert_eq!(st.ber(), 0.0);
        assert_eq!(st.ser(), 0.0);
        let mut c = Prbs13qChecker::new();
        c.push_slice(&slipped_stream(0, 47, &[]));
        assert!(!c.in_sync());
        c.push(sym_at(47));
        assert!(c.in_sync());
        assert_eq!(c.expected_position(), Some(48));
    }

    #[test]
    #[ignore]
    fn bench_throughput() {
        let r = bench_symbols_per_sec(50_000_000);
        println!("prbs_check: {:.1} M symbols/s", r / 1e6);
    }
}
