//! The parameter set of the receive top. One `RxParams` value drives both the reference
//! model (`cporx_model::RxTopModel::new`) and the rust-hdl generator
//! (`cporx_hdl::RxTop::new`): tap count and the reset values of every configuration
//! register (coefficients, thresholds, targets). Widths are compile-time constants in
//! `lib.rs` because rust-hdl takes them as const generics.
//!
//! Every value is checked by [`RxParams::validate`]; an illegal one is reported as a
//! [`ParamError`] that names the parameter and its legal range.

use crate::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParamError {
    #[error("parameter `{name}` = {value} is out of range: legal is {lo} ..= {hi}{unit}")]
    OutOfRange {
        name: String,
        value: i64,
        lo: i64,
        hi: i64,
        unit: &'static str,
    },
    #[error("parameter `{name}` has {got} entries; it must have {want} ({why})")]
    WrongLength {
        name: String,
        got: usize,
        want: usize,
        why: &'static str,
    },
    #[error("parameter `thresholds` = {0:?} must be non-decreasing (t0 <= t1 <= t2)")]
    ThresholdOrder([i32; 3]),
    #[error("parameter `lanes` = {0} is not legal: legal are 1, 2, 4, 8, 16 (samples per clock)")]
    Lanes(usize),
    #[error("configuration file {path}: {msg}")]
    File { path: String, msg: String },
}

/// Parameters of the FFE + slicer receive top. Codes are in the formats of docs/numerics.md:
/// coefficients Q2.6 codes (64 = 1.0), thresholds and targets Q7.1 codes (2 = 1 ADC LSB).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RxParams {
    /// Samples per clock (P): 1, 2, 4, 8 or 16. Lane 0 carries the oldest sample of a
    /// clock's block. Default 1.
    #[serde(default = "one_lane")]
    pub lanes: usize,
    /// Number of FFE taps, MIN_TAPS ..= MAX_TAPS.
    pub n_taps: usize,
    /// Coefficient register values after reset, one per tap; tap 0 multiplies the newest sample.
    pub reset_coefs: Vec<i32>,
    /// Slicer thresholds after reset (Q7.1 codes), non-decreasing.
    pub thresholds: [i32; 3],
    /// Slicer target levels after reset (Q7.1 codes), for symbols 0..3.
    pub targets: [i32; 4],
    /// Clock recovery: gains, lock detector and initial phase after reset.
    #[serde(default)]
    pub cdr: CdrParams,
    /// The adaptation loops (sign-sign LMS on the FFE taps, slicer levels): `None` (the
    /// default) builds the fixed-tap receiver without them; `Some` builds both, with the
    /// reset values of their control registers.
    #[serde(default)]
    pub adapt: Option<AdaptParams>,
    /// DFE taps, 0 ..= 1 (`MAX_DFE_TAPS`): 0 (the default) builds the plain slicer (the
    /// co-packaged receiver); 1 builds the loop-unrolled 1-tap PAM-4 DFE in its place
    /// (docs/numerics.md, "DFE (decision feedback)"), with the tap register at `CFG_DFE`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dfe_taps: usize,
    /// The DFE tap `d` after reset, -128 ..= 127 (Q7.1 codes of y, i.e. y's LSB); used
    /// only with `dfe_taps` = 1. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub dfe_reset: i32,
}

fn is_zero(v: &usize) -> bool {
    *v == 0
}

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

/// Reset values of the adaptation's control registers (docs/numerics.md, "Adaptation in
/// the receive top"): `CFG_ADAPT`, `CFG_ADAPT_MU`, `CFG_LMS_FREEZE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptParams {
    /// The LMS adapts the FFE taps (`CFG_ADAPT` bit 0).
    pub lms_enable: bool,
    /// The slicer levels adapt (`CFG_ADAPT` bit 1).
    pub levels_enable: bool,
    /// LMS step code 0 ..= 15: 2^-mu coefficient LSBs per update (`CFG_ADAPT_MU` 3:0).
    pub lms_mu: u32,
    /// Levels step code 0 ..= 15: e 2^-mu codes per update (`CFG_ADAPT_MU` 7:4).
    pub levels_mu: u32,
    /// The main tap m, 0 ..= n_taps - 1 (`CFG_LMS_FREEZE` 3:0).
    pub main_tap: u32,
    /// Hold tap m: the AGC and the levels own the gain (`CFG_LMS_FREEZE` bit 4).
    pub freeze_main: bool,
    /// Hold tap m - 1, the first pre-cursor: pins the phase the baud-rate CDR locks to
    /// against the LMS (`CFG_LMS_FREEZE` bit 5).
    pub freeze_pre: bool,
    /// Hold tap m + 1 (`CFG_LMS_FREEZE` bit 6).
    pub freeze_post: bool,
    /// The AGC steers the gain code (`CFG_ADAPT` bit 2).
    pub agc_enable: bool,
    /// The AGC's target T, 1 ..= 31 ADC codes (`CFG_AGC_TARGET`): the mean |x| it drives to
    /// (`agc_tail` 0; 16 puts a clean PAM-4 signal's levels at +-8 and +-24 codes), or the
    /// code whose tail it holds (31, the default with `agc_tail` 8: one clipped sample in 256).
    pub agc_target: u32,
    /// The AGC's window W, 0 ..= 15: the gain steps once the summed deviation of |x| from
    /// the target reaches 2^W codes (`CFG_AGC_WINDOW`).
    pub agc_window: u32,
    /// The gain code after reset, 0 ..= 31 (`CFG_GAIN`; `GAIN_UNITY` = 20 is 0 dB).
    pub reset_gain: u32,
    /// The AGC's statistic, 0 ..= 15 (`CFG_AGC_WINDOW` bits 7:4): 0 drives mean |x| to
    /// `agc_target`; K >= 1 drives the fraction of samples with |x| >= `agc_target` to
    /// 2^-K (the tail mode: with target 31, the clipping rate).
    pub agc_tail: u32,
    /// The DFE tap adapts (`CFG_ADAPT` bit 3; only with `RxParams::dfe_taps` = 1, the bit
    /// is stored either way). Default true.
    pub dfe_enable: bool,
}

impl Default for AdaptParams {
    /// Every loop on, LMS step 2^-8 LSB, levels step 2^-5, AGC to one sample in 256 at
    /// |x| >= 31 (tail mode) in windows of 2^12 from 0 dB, main tap 1 held (the AGC and the levels own
    /// the gain), the pre-cursor free (docs/numerics.md, "Adaptation in the receive top").
    fn default() -> Self {
        AdaptParams {
            lms_enable: true,
            levels_enable: true,
            lms_mu: 8,
            levels_mu: 5,
            main_tap: 1,
            freeze_main: true,
            freeze_pre: false,
            freeze_post: false,
            agc_enable: true,
            agc_target: 31,
            agc_window: 12,
            reset_gain: GAIN_UNITY,
            agc_tail: 8,
            dfe_enable: true,
        }
    }
}

impl AdaptParams {
    pub fn validate(&self, n_taps: usize) -> Result<(), ParamError> {
        check_range(
            "adapt.lms_mu",
            self.lms_mu as i64,
            0,
            (1 << LMS_MU_BITS) - 1,
            " (step code)",
        )?;
        check_range(
            "adapt.levels_mu",
            self.levels_mu as i64,
            0,
            (1 << LEV_MU_BITS) - 1,
            " (step code)",
        )?;
        check_range(
            "adapt.main_tap",
            self.main_tap as i64,
            0,
            n_taps as i64 - 1,
            " (tap index, below n_taps)",
        )?;
        check_range(
            "adapt.agc_target",
            self.agc_target as i64,
            1,
            31,
            " (mean |x| in ADC codes)",
        )?;
        check_range(
            "adapt.agc_window",
            self.agc_window as i64,
            0,
            AGC_WINDOW_MAX as i64,
            " (log2 of the window)",
        )?;
        check_range(
            "adapt.agc_tail",
            self.agc_tail as i64,
            0,
            (1 << AGC_TAIL_BITS) - 1,
            " (0: mean |x|; K: a 2^-K tail)",
        )?;
        check_range(
            "adapt.reset_gain",
            self.reset_gain as i64,
            0,
            GAIN_MAX as i64,
            " (gain code)",
        )?;
        Ok(())
    }

    /// The `CFG_ADAPT` register value (4 bits: LMS, levels, AGC, DFE tap).
    pub fn ctrl(&self) -> u32 {
        self.lms_enable as u32
            | (self.levels_enable as u32) << 1
            | (self.agc_enable as u32) << 2
            | (self.dfe_enable as u32) << DFE_ENABLE_BIT
    }

    /// The `CFG_AGC_WINDOW` register value: W in bits 3:0, K in bits 7:4.
    pub fn agc_window_reg(&self) -> u32 {
        self.agc_window | self.agc_tail << AGC_WINDOW_BITS
    }

    /// The `CFG_ADAPT_MU` register value.
    pub fn mu(&self) -> u32 {
        self.lms_mu | self.levels_mu << 4
    }

    /// The `CFG_LMS_FREEZE` register value.
    pub fn freeze(&self) -> u32 {
        self.main_tap
            | (self.freeze_main as u32) << 4
            | (self.freeze_pre as u32) << 5
            | (self.freeze_post as u32) << 6
    }

    /// Set the main tap and the held taps from a `CFG_LMS_FREEZE` value (bits 6:0; the
    /// inverse of [`Self::freeze`]).
    pub fn set_freeze(&mut self, reg: u32) {
        self.main_tap = reg & 15;
        self.freeze_main = reg >> 4 & 1 == 1;
        self.freeze_pre = reg >> 5 & 1 == 1;
        self.freeze_post = reg >> 6 & 1 == 1;
    }
}

/// The LMS freeze mask (bit k holds tap k) a `CFG_LMS_FREEZE` value means: tap m when bit 4
/// is set, m - 1 (when m >= 1) for bit 5, m + 1 (when m <= 14) for bit 6.
pub fn freeze_mask(reg: u32) -> u16 {
    let m = reg & 15;
    let mut mask = 0u32;
    if reg >> 4 & 1 == 1 {
        mask |= 1 << m;
    }
    if reg >> 5 & 1 == 1 && m >= 1 {
        mask |= 1 << (m - 1);
    }
    if reg >> 6 & 1 == 1 {
        mask |= 1 << (m + 1);
    }
    (mask & 0xffff) as u16
}

/// The frequency range after reset: L = 26, +-412 ppm (`freq_bounds`): twice the
/// +-100 ppm per side (200 ppm between two clocks) of an IEEE 802.3 link, so a real offset
/// is tracked with margin while a false lock cannot run the integral path to +-3900 ppm
/// (docs/numerics.md, "Loops that do not fight").
pub const DEFAULT_FREQ_LIMIT: u32 = 26;

/// Reset values of the CDR's configuration registers (docs/numerics.md, "CDR").
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdrParams {
    /// Proportional gain shift, 0 ..= 15: Kp = 2^(kp - PHASE_FRAC) PI steps per detector LSB.
    pub kp: u32,
    /// Integral gain shift, 0 ..= 7: Ki = 2^(ki - PHASE_FRAC) PI steps per UI per detector LSB.
    pub ki: u32,
    /// Loop enable (false: open loop, the phase holds at `reset_phase`).
    pub enable: bool,
    /// Integral path enable (false: first-order loop, frequency register holds).
    pub integral: bool,
    /// False-lock escape: half-UI phase kick after KICK_WINDOWS unlocked windows.
    pub kick: bool,
    /// Lock detector: |err| above this (Q8.1 magnitude, 0 ..= 255) is a bad sample.
    pub lock_thr: u32,
    /// Lock detector: a 256-UI window with at most this many bad samples (0 ..= 255) asserts lock.
    pub lock_max: u32,
    /// PI code after reset, 0 ..= 127.
    pub reset_phase: u32,
    /// Frequency range L, 0 ..= 255 (`CFG_FREQ_LIM`): the integral register saturates at
    /// +-(L+1) x 15.26 ppm (`freq_bounds`); 255 is the register's full +-3906 ppm.
    pub freq_limit: u32,
}

impl Default for CdrParams {
    /// The gains measured by `cporx cdr-report` (README): see docs/numerics.md.
    fn default() -> Self {
        CdrParams {
            kp: 13,
            ki: 5,
            enable: true,
            integral: true,
            kick: true,
            lock_thr: 12,
            lock_max: 8,
            reset_phase: 0,
            freq_limit: DEFAULT_FREQ_LIMIT,
        }
    }
}

impl CdrParams {
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range("cdr.kp", self.kp as i64, 0, (1 << KP_BITS) - 1, " (shift)")?;
        check_range("cdr.ki", self.ki as i64, 0, (1 << KI_BITS) - 1, " (shift)")?;
        check_range("cdr.lock_thr", self.lock_thr as i64, 0, 255, " (Q8.1 code)")?;
        check_range(
            "cdr.lock_max",
            self.lock_max as i64,
            0,
            255,
            " (samples per window)",
        )?;
        check_range(
            "cdr.reset_phase",
            self.reset_phase as i64,
            0,
            (1 << PI_BITS) - 1,
            " (PI code)",
        )?;
        check_range(
            "cdr.freq_limit",
            self.freq_limit as i64,
            0,
            (1 << FREQ_LIM_BITS) - 1,
            " (frequency range, (L+1) x 15.26 ppm)",
        )?;
        Ok(())
    }

    /// The control register value (bit 0 enable, bit 1 integral, bit 2 kick).
    pub fn ctrl(&self) -> u32 {
        self.enable as u32 | (self.integral as u32) << 1 | (self.kick as u32) << 2
    }

    /// Configuration-bus writes that load these values at run time (all but the phase).
    pub fn cfg_writes(&self) -> Vec<(u32, i32)> {
        [
            (CFG_KP, self.kp),
            (CFG_KI, self.ki),
            (CFG_CDR_CTRL, self.ctrl()),
            (CFG_LOCK_THR, self.lock_thr),
            (CFG_LOCK_MAX, self.lock_max),
            (CFG_FREQ_LIM, self.freq_limit),
        ]
        .iter()
        .map(|&(a, v)| (a, sext(v, CFG_DATA_BITS)))
        .collect()
    }
}

fn one_lane() -> usize {
    1
}

impl Default for RxParams {
    /// Three taps (pre-cursor, main, post-cursor) reset to a pass-through (main = 1.0).
    /// Levels assume PAM-4 at ADC codes -24, -8, 8, 24 (Q7.1: -48, -16, 16, 48).
    fn default() -> Self {
        RxParams {
            lanes: 1,
            n_taps: 3,
            reset_coefs: vec![0, 64, 0],
            thresholds: [-32, 0, 32],
            targets: [-48, -16, 16, 48],
            cdr: CdrParams::default(),
            adapt: None,
            dfe_taps: 0,
            dfe_reset: 0,
        }
    }
}

fn check_range(name: &str, v: i64, lo: i64, hi: i64, unit: &'static str) -> Result<(), ParamError> {
    if v < lo || v > hi {
        return Err(ParamError::OutOfRange {
            name: name.to_string(),
            value: v,
            lo,
            hi,
            unit,
        });
    }
    Ok(())
}

impl RxParams {
    /// A pass-through FFE with `n_taps` taps and the main cursor at `main`.
    pub fn with_taps(n_taps: usize, main: usize) -> Result<Self, ParamError> {
        check_range(
            "n_taps",
            n_taps as i64,
            MIN_TAPS as i64,
            MAX_TAPS as i64,
            " taps",
        )?;
        check_range(
            "main_cursor",
            main as i64,
            0,
            n_taps as i64 - 1,
            " (tap index)",
        )?;
        let mut c = vec![0; n_taps];
        c[main] = 1 << COEF_FRAC;
        let p = RxParams {
            n_taps,
            reset_coefs: c,
            ..Default::default()
        };
        p.validate()?;
        Ok(p)
    }

    /// log2 of the lane count.
    pub fn lanes_log2(&self) -> usize {
        self.lanes.trailing_zeros() as usize
    }

    /// The same parameters at `lanes` samples per clock (validated).
    pub fn with_lanes(&self, lanes: usize) -> Result<Self, ParamError> {
        let p = RxParams {
            lanes,
            ..self.clone()
        };
        p.validate()?;
        Ok(p)
    }

    pub fn validate(&self) -> Result<(), ParamError> {
        if !LEGAL_LANES.contains(&self.lanes) {
            return Err(ParamError::Lanes(self.lanes));
        }
        check_range(
            "n_taps",
            self.n_taps as i64,
            MIN_TAPS as i64,
            MAX_TAPS as i64,
            " taps",
        )?;
        if self.reset_coefs.len() != self.n_taps {
            return Err(ParamError::WrongLength {
                name: "reset_coefs".into(),
                got: self.reset_coefs.len(),
                want: self.n_taps,
                why: "one per tap",
            });
        }
        let (clo, chi) = signed_range(COEF_BITS);
        for (k, &c) in self.reset_coefs.iter().enumerate() {
            check_range(
                &format!("reset_coefs[{k}]"),
                c as i64,
                clo as i64,
                chi as i64,
                " (Q2.6 code)",
            )?;
        }
        let (llo, lhi) = signed_range(LEVEL_BITS);
        for (j, &t) in self.thresholds.iter().enumerate() {
            check_range(
                &format!("thresholds[{j}]"),
                t as i64,
                llo as i64,
                lhi as i64,
                " (Q7.1 code)",
            )?;
        }
        if !(self.thresholds[0] <= self.thresholds[1] && self.thresholds[1] <= self.thresholds[2]) {
            return Err(ParamError::ThresholdOrder(self.thresholds));
        }
        for (j, &t) in self.targets.iter().enumerate() {
            check_range(
                &format!("targets[{j}]"),
                t as i64,
                llo as i64,
                lhi as i64,
                " (Q7.1 code)",
            )?;
        }
        self.cdr.validate()?;
        check_range("dfe_taps", self.dfe_taps as i64, 0, MAX_DFE_TAPS as i64, "")?;
        let (dlo, dhi) = signed_range(DFE_BITS);
        check_range(
            "dfe_reset",
            self.dfe_reset as i64,
            dlo as i64,
            dhi as i64,
            " (Q7.1 code)",
        )?;
        if let Some(a) = &self.adapt {
            a.validate(self.n_taps)?;
        }
        Ok(())
    }

    /// Legal but questionable settings, one sentence each naming the fields: slicer targets
    /// not in increasing order, thresholds outside the targets' span or not between the
    /// neighbouring targets (the symbol decisions and `err` then disagree).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        let (t, l) = (&self.thresholds, &self.targets);
        if !(l[0] < l[1] && l[1] < l[2] && l[2] < l[3]) {
            w.push(format!(
                "targets = {l:?} are not in increasing order: targets[j] is the level of symbol j, so err = y - targets[symbol] then points the wrong way for some symbols"
            ));
        }
        for j in 0..3 {
            let (lo, hi) = (l[j].min(l[j + 1]), l[j].max(l[j + 1]));
            if !(lo..=hi).contains(&t[j]) {
                w.push(format!(
                    "thresholds[{j}] = {} lies outside targets[{j}] ..= targets[{}] ({} ..= {}): the decision between symbols {j} and {} is not between their levels",
                    t[j], j + 1, l[j], l[j + 1], j + 1
                ));
            }
        }
        w
    }

    /// Parse and validate a TOML configuration (the fields of this struct).
    pub fn from_toml(text: &str, path: &str) -> Result<Self, ParamError> {
        let p: RxParams = toml::from_str(text).map_err(|e| ParamError::File {
            path: path.to_string(),
            msg: e.to_string(),
        })?;
        p.validate()?;
        Ok(p)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("RxParams serializes")
    }

    /// Configuration-bus writes (address, data code) that load `coefs`, `thresholds` and
    /// `targets` at run time; used by the demo and the tests.
    pub fn cfg_writes(coefs: &[i32], thresholds: &[i32; 3], targets: &[i32; 4]) -> Vec<(u32, i32)> {
        let mut w = Vec::new();
        for (k, &c) in coefs.iter().enumerate() {
            w.push((CFG_COEF_BASE + k as u32, c));
        }
        for (j, &t) in thresholds.iter().enumerate() {
            w.push((CFG_THRESH_BASE + j as u32, t));
        }
        for (j, &t) in targets.iter().enumerate() {
            w.push((CFG_TARGET_BASE + j as u32, t));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freeze_register_round_trips() {
        let mut a = AdaptParams::default();
        for reg in 0..128 {
            a.set_freeze(reg);
            assert_eq!(a.freeze(), reg);
        }
    }

    #[test]
    fn questionable_slicer_settings_warn_naming_the_fields() {
        assert!(RxParams::default().warnings().is_empty());
        let p = RxParams {
            targets: [48, 16, -16, -48],
            ..Default::default()
        };
        p.validate().unwrap();
        let w = p.warnings();
        assert!(
            w[0].starts_with("targets = [48, 16, -16, -48] are not in increasing order"),
            "{w:?}"
        );
        let p = RxParams {
            thresholds: [-60, 0, 32],
            ..Default::default()
        };
        let w = p.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with(
                "thresholds[0] = -60 lies outside targets[0] ..= targets[1] (-48 ..= -16)"
            ),
            "{w:?}"
        );
    }

    #[test]
    fn default_is_legal() {
        RxParams::default().validate().unwrap();
    }

    #[test]
    fn errors_name_parameter_and_range() {
        let e = RxParams::with_taps(17, 1).unwrap_err().to_string();
        assert!(e.contains("n_taps") && e.contains("2 ..= 16"), "{e}");
        let e = RxParams::with_taps(1, 0).unwrap_err().to_string();
        assert!(e.contains("n_taps"), "{e}");
        let mut p = RxParams::default();
        p.reset_coefs[2] = 128;
        let e = p.validate().unwrap_err().to_string();
        assert!(
            e.contains("reset_coefs[2]") && e.contains("-128 ..= 127"),
            "{e}"
        );
        let mut p = RxParams::default();
        p.thresholds = [10, 0, 20];
        assert!(matches!(p.validate(), Err(ParamError::ThresholdOrder(_))));
        let mut p = RxParams::default();
        p.targets[3] = -129;
        assert!(p.validate().unwrap_err().to_string().contains("targets[3]"));
        let mut p = RxParams::default();
        p.reset_coefs.pop();
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("reset_coefs"));
    }

    #[test]
    fn dfe_fields_are_checked_and_optional_in_toml() {
        let p = RxParams {
            dfe_taps: 2,
            ..Default::default()
        };
        let e = p.validate().unwrap_err().to_string();
        assert!(
            e.contains("`dfe_taps` = 2 is out of range: legal is 0 ..= 1"),
            "{e}"
        );
        for bad in [-129, 128] {
            let p = RxParams {
                dfe_taps: 1,
                dfe_reset: bad,
                ..Default::default()
            };
            let e = p.validate().unwrap_err().to_string();
            assert!(e.contains("dfe_reset") && e.contains("-128 ..= 127"), "{e}");
        }
        // the default writes no DFE fields: old files and exports are unchanged
        assert!(!RxParams::default().to_toml().contains("dfe"));
        let p = RxParams {
            dfe_taps: 1,
            dfe_reset: -128,
            adapt: Some(AdaptParams::default()),
            ..Default::default()
        };
        assert_eq!(RxParams::from_toml(&p.to_toml(), "x").unwrap(), p);
        assert_eq!(AdaptParams::default().ctrl(), 15);
    }

    #[test]
    fn lanes_are_powers_of_two_up_to_16() {
        for l in LEGAL_LANES {
            assert_eq!(RxParams::default().with_lanes(l).unwrap().lanes, l);
        }
        for l in [0, 3, 6, 32] {
            let e = RxParams::default().with_lanes(l).unwrap_err().to_string();
            assert!(e.contains("lanes") && e.contains("1, 2, 4, 8, 16"), "{e}");
        }
        // an old configuration file without `lanes` means one lane
        let p = RxParams::from_toml(
            "n_taps = 2\nreset_coefs=[64,0]\nthresholds=[0,0,0]\ntargets=[0,0,0,0]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(p.lanes, 1);
    }

    #[test]
    fn toml_round_trip_and_bad_file() {
        let p = RxParams::with_taps(5, 2).unwrap();
        assert_eq!(RxParams::from_toml(&p.to_toml(), "x").unwrap(), p);
        let e = RxParams::from_toml("n_taps = 3\nbogus = 1\n", "cfg.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cfg.toml") && e.contains("bogus"), "{e}");
        let e = RxParams::from_toml(
            "n_taps = 40\nreset_coefs=[0]\nthresholds=[0,0,0]\ntargets=[0,0,0,0]\n",
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("n_taps"), "{e}");
    }
}
