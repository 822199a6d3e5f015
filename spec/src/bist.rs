//! Parameters and constants of the BIST (built-in self-test) top: one place for the model
//! (cporx-model `bist`), the RTL (cporx-hdl `bist`) and the docs (docs/bist.md).

use crate::ParamError;
use serde::{Deserialize, Serialize};

/// Legal lane counts (symbols per clock).
pub const LANES: [usize; 5] = [1, 2, 4, 8, 16];
/// Channel emulator: most taps.
pub const MAX_CHAN_TAPS: usize = 4;
/// Channel tap width: signed 8 bits, -128 ..= 127.
pub const CHAN_TAP_BITS: usize = 8;
/// Channel output scaling: ADC = round(sum / 2^CHAN_SHIFT).
pub const CHAN_SHIFT: usize = 2;
/// Channel emulator noise amplitude range: 0 (off) ..= 8 (see `chan_emu`).
pub const NOISE_AMP_MAX: u32 = 8;
/// Width of each lane's noise LFSR (x^39 + x^35 + 1).
pub const NOISE_LFSR_BITS: usize = 39;
/// UART divisor: clocks per bit, 16-bit counter.
pub const UART_DIV_MAX: u32 = 65535;
/// The smallest UART divisor: the configuration receiver samples each bit `uart_div / 2 + 1`
/// clocks into it, which is inside the bit for `uart_div` >= 3 (at 2 it is the next bit).
pub const UART_DIV_MIN: u32 = 3;
/// Latency of the PRBS13Q generator: one output register, so a reset applied in cycle c
/// shows on the symbols read after cycle c + LAT_GEN - 1 (docs/bist.md, "1. PRBS13Q generator").
pub const LAT_GEN: usize = 1;
/// Latency of the channel emulator: a symbol applied in cycle c influences the ADC codes
/// read after cycle c + LAT_CHAN - 1 (`LAT_CHAN` edges counting the capturing one).
pub const LAT_CHAN: usize = 5;
/// Latency of the checker: a symbol applied in cycle c is in the counters read after cycle
/// c + LAT_CHK - 1.
pub const LAT_CHK: usize = 5;
/// Latency of the checker's `synced`: the `valid` of cycle c shows in `synced` read after
/// cycle c + LAT_CHK_SYNC - 1 (docs/bist.md, "3. PRBS13Q checker": "2 to `synced`").
pub const LAT_CHK_SYNC: usize = 2;
/// Checker: width of the three counters `bit_errs`, `sym_errs`, `symbols` (saturating at
/// 2^CHK_CNT_BITS - 1).
pub const CHK_CNT_BITS: usize = 32;
/// Checker: lanes per first-stage group of the per-clock error sums (ECP5 timing).
pub const CHK_GROUP: usize = 4;
/// Checker: consecutive valid symbols loaded as history before symbols are checked
/// (7 symbols = 14 bits >= the 13 bits the PRBS13 recurrence needs).
pub const CHK_FILL: u32 = 7;

/// Elaboration-time parameters of the BIST blocks (a `[bist]` table in a configuration file).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BistParams {
    /// Symbols per clock, one of 1, 2, 4, 8, 16. Default 4.
    pub lanes: usize,
    /// Channel taps h_k, 1 ..= 4 entries, each -128 ..= 127; h_0 multiplies the newest
    /// symbol s[n], h_k the symbol k UI earlier. ADC = round((sum h_k A(s[n-k]) + noise) / 4)
    /// with A(s) = 2s - 3. Default [32, 4, -2] (levels near -24, -8, 8, 24 plus ISI).
    pub taps: Vec<i32>,
    /// Noise amplitude 0 ..= 8: 0 = no noise; a >= 1 adds floor(g / 2^(8-a)) with g the sum
    /// of four uniform signed bytes (sigma 147.8), i.e. sigma = 36.95 * 2^(a-8) ADC codes.
    /// Default 2 (sigma 0.58 ADC codes).
    pub noise_amp: u32,
    /// Seed of the noise LFSRs; each lane's 39-bit seed is derived from it by
    /// [`BistParams::lane_seed`]. Any value. Default 1.
    pub noise_seed: u64,
    /// UART clocks per bit, 2 ..= 65535 (the configuration receiver samples mid-bit). Default 868 (115200 baud at 100 MHz).
    pub uart_div: u32,
    /// Clocks between two periodic report lines, 2 ..= 2^32 - 1. Default 100_000_000 (1 s at
    /// 100 MHz).
    pub report_interval: u32,
}

impl Default for BistParams {
    fn default() -> Self {
        BistParams {
            lanes: 4,
            taps: vec![32, 4, -2],
            noise_amp: 2,
            noise_seed: 1,
            uart_div: 868,
            report_interval: 100_000_000,
        }
    }
}

fn out_of_range(name: &str, v: i64, lo: i64, hi: i64, unit: &'static str) -> ParamError {
    ParamError::OutOfRange {
        name: name.to_string(),
        value: v,
        lo,
        hi,
        unit,
    }
}

/// `Ok` if `v` is in `lo ..= hi`, else `OutOfRange` naming `name`.
/// The UART divisor's range, `UART_DIV_MIN ..= UART_DIV_MAX` (the configuration receiver
/// samples mid-bit, which needs 3 clocks a bit); used by `BistParams::validate`, the
/// receiver's RTL and its model.
pub fn check_uart_div(uart_div: u32) -> Result<(), ParamError> {
    check_range(
        "bist.uart_div",
        uart_div as i64,
        UART_DIV_MIN as i64,
        UART_DIV_MAX as i64,
        " (clocks per bit; the configuration receiver samples mid-bit, which needs >= 3)",
    )
}

pub fn check_range(
    name: &str,
    v: i64,
    lo: i64,
    hi: i64,
    unit: &'static str,
) -> Result<(), ParamError> {
    if v < lo || v > hi {
        Err(out_of_range(name, v, lo, hi, unit))
    } else {
        Ok(())
    }
}

/// `Ok` if `lanes` is one of [`LANES`]. (The error is `OutOfRange` 1 ..= 16 with the
/// power-of-two rule in its unit text, so that it works with every `ParamError` version.)
pub fn check_lanes(lanes: usize) -> Result<(), ParamError> {
    if LANES.contains(&lanes) {
        Ok(())
    } else {
        Err(out_of_range(
            "bist.lanes",
            lanes as i64,
            1,
            16,
            " (and a power of two: 1, 2, 4, 8, 16)",
        ))
    }
}

impl BistParams {
    /// The BIST top's check that these parameters fit the receive top's: the same lane
    /// count (the RTL top and its model both call it).
    pub fn check_rx(&self, rx: &crate::RxParams) -> Result<(), ParamError> {
        rx.validate()?;
        self.validate()?;
        if self.lanes != rx.lanes {
            return Err(ParamError::OutOfRange {
                name: "bist.lanes".into(),
                value: self.lanes as i64,
                lo: rx.lanes as i64,
                hi: rx.lanes as i64,
                unit: " (must equal the receive top's `lanes`)",
            });
        }
        Ok(())
    }

    /// Check every field; the error names the parameter and its legal range.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_lanes(self.lanes)?;
        if self.taps.is_empty() || self.taps.len() > MAX_CHAN_TAPS {
            return Err(ParamError::WrongLength {
                name: "bist.taps".to_string(),
                got: self.taps.len(),
                want: MAX_CHAN_TAPS,
                why: "1 ..= 4 channel taps",
            });
        }
        for (k, &h) in self.taps.iter().enumerate() {
            check_range(
                &format!("bist.taps[{k}]"),
                h as i64,
                -128,
                127,
                " (signed 8-bit)",
            )?;
        }
        check_range(
            "bist.noise_amp",
            self.noise_amp as i64,
            0,
            NOISE_AMP_MAX as i64,
            " (0 = off)",
        )?;
        check_uart_div(self.uart_div)?;
        check_range(
            "bist.report_interval",
            self.report_interval as i64,
            2,
            u32::MAX as i64,
            " (clocks)",
        )?;
        Ok(())
    }

    /// The four taps h_0..h_3 (missing taps are 0).
    pub fn taps4(&self) -> [i32; MAX_CHAN_TAPS] {
        let mut h = [0; MAX_CHAN_TAPS];
        for (d, s) in h.iter_mut().zip(&self.taps) {
            *d = *s;
        }
        h
    }

    /// The 39-bit, never-zero seed of lane `lane`'s noise LFSR: splitmix64 of
    /// `noise_seed + (lane + 1) * 0x9E3779B97F4A7C15`, low 39 bits, 1 if those are 0.
    pub fn lane_seed(&self, lane: usize) -> u64 {
        lane_seed(self.noise_seed, lane)
    }

    /// [`Self::lane_seed`] of every lane.
    pub fn lane_seeds(&self) -> Vec<u64> {
        (0..self.lanes).map(|l| self.lane_seed(l)).collect()
    }
}

/// See [`BistParams::lane_seed`].
pub fn lane_seed(noise_seed: u64, lane: usize) -> u64 {
    let mut z = noise_seed.wrapping_add((lane as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let s = z & ((1u64 << NOISE_LFSR_BITS) - 1);
    if s == 0 {
        1
    } else {
        s
    }
}

/// The PRBS13 feedback mask over a 13-bit state whose bit 0 is the newest bit:
/// b[t] = b[t-1] ^ b[t-2] ^ b[t-12] ^ b[t-13] (x^13 + x^12 + x^2 + x + 1), as in
/// cporx-model's `prbs::Prbs`.
pub const PRBS13_TAPMASK: u32 = (1 << 12) | (1 << 11) | (1 << 1) | 1;
/// PRBS13 state mask.
pub const PRBS13_MASK: u32 = (1 << 13) - 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_errors_name_the_parameter() {
        BistParams::default().validate().unwrap();
        let mut p = BistParams::default();
        p.lanes = 3;
        assert!(p.validate().unwrap_err().to_string().contains("bist.lanes"));
        let mut p = BistParams::default();
        p.taps = vec![0, 0, 200];
        let e = p.validate().unwrap_err().to_string();
        assert!(
            e.contains("bist.taps[2]") && e.contains("-128 ..= 127"),
            "{e}"
        );
        let mut p = BistParams::default();
        p.taps = vec![1; 5];
        assert!(p.validate().unwrap_err().to_string().contains("bist.taps"));
        let mut p = BistParams::default();
        p.noise_amp = 9;
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("bist.noise_amp"));
        let mut p = BistParams::default();
        p.uart_div = 0;
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("bist.uart_div"));
        let mut p = BistParams::default();
        p.report_interval = 1; // the expiry is registered one clock ahead: >= 2
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("bist.report_interval"));
    }

    #[test]
    fn lane_seeds_are_distinct_and_nonzero() {
        let p = BistParams {
            lanes: 16,
            ..Default::default()
        };
        let s = p.lane_seeds();
        for (i, a) in s.iter().enumerate() {
            assert!(*a != 0 && *a < 1 << NOISE_LFSR_BITS);
            for b in &s[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
