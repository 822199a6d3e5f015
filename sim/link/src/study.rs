//! The co-packaging study's engine: for one channel, the fewest FFE taps and ADC bits
//! that reach a target BER at a stated SNR, and what a 3-tap FFE reaches; over a channel
//! folder ([`inputs`]: thrus, their crosstalk, the ideal hop), the whole case loop
//! ([`run`], reporting rows and figure data to an [`Observer`]).
//!
//! # Conventions (the numbers in the study table mean exactly this)
//!
//! * **Channel**: a measured [`PulseResponse`] (SDD21 -> pulse, TX rise filter, RX Bessel-Thomson;
//!   `crate::pulse`). Amplitudes are then expressed with the pulse peak as 1 level unit.
//! * **AGC**: the receiver scales its input so the largest noise-free sample the channel
//!   can produce (outer level on every cursor, 3 sum_k |h_k|) sits at 3/4 of the ADC's
//!   full scale, as the outer level of an ISI-free signal does with the default full scale
//!   (24 of 32 codes, the convention of `link::rx_params_for`): full scale =
//!   [`StudyOpts::full_scale`] x sum_k |h_k| (peak-normalized units). The ISI then never
//!   clips the ADC (noise rarely does: the statistical eye reports that probability), and
//!   a lossy channel pays for its ISI in ADC resolution instead; the FFE's taps grow in
//!   proportion ([`crate::taps::coef_scale`]).
//! * **SNR** is the **launch SNR**: PAM-4 signal power at the transmitter (levels +-1, +-3,
//!   E[a^2] = 5) over the noise power at the receiver input (after the RX filter), both in
//!   transmit level units. The noise is fixed at the receiver, so a channel with loss `L`
//!   dB at its pulse peak sees `L` dB less SNR: after the AGC the noise is
//!   `sigma = sqrt(5 / 10^(snr/10)) / |peak|` level units. This is what makes a lossy host
//!   channel worse than a short co-packaged hop at the same transmitter and receiver.
//! * **Crosstalk** (optional): an aggressor pulse (FEXT) sent with the same launch
//!   amplitude and an unknown, uniformly distributed phase adds the variance
//!   `5 * mean over phase of sum_k x(k + phase)^2`, divided by peak^2, treated as Gaussian.
//! * **Sampling phase**: the pulse peak (phase 0), fixed (the CDR is not in this loop).
//! * **Taps**: MMSE ([`crate::taps::solve_mmse`]; zero forcing, [`crate::taps::solve_zf`],
//!   with [`StudyOpts::zero_forcing`]) for the channel's cursors at that phase,
//!   with the noise variance plus the ADC's quantization variance `step^2 / 12`,
//!   quantized to Q2.6 ([`crate::taps::quantize`], scale [`crate::taps::coef_scale`]); the
//!   main tap is chosen among `0 ..= min(n - 1, 3)` for the lowest BER. Tap sets that do
//!   not fit Q2.6 are skipped (never clamped).
//! * **BER** is the statistical eye's ([`crate::stateye::ber`]) for that receiver, Gray
//!   coded; the Monte-Carlo ([`crate::montecarlo`]) checks it where it reaches.
//! * **DFE column**: the same search with the receiver's 1-tap DFE beside the FFE
//!   ([`tap_search_with`], [`best_design_with`]): FFE taps and DFE tap solved jointly
//!   (MMSE, the DFE cancelling the first post-cursor of the equalized pulse:
//!   [`taps::solve_mmse_dfe`]), the FFE quantized as above, the DFE tap the equalized
//!   first post-cursor of the quantized taps in Q7.1 codes (spec::dfe, -128 ..= 127);
//!   the statistical BER includes the DFE's error propagation (a Markov chain of the
//!   previous decision, [`crate::stateye`] "DFE").
//! * **Adaptive column** ([`adaptive`]): the adaptive receiver from reset in the closed
//!   loop with the model, measured, at the same noise (the link's `--snr` = the launch
//!   SNR after the loss); its rule and run are in that module.

pub mod adaptive;
mod engine;
mod inputs;

pub use engine::{
    pulse_figure, run, run_with, AdaptiveCell, Direct, Exec, Figure, Observer, Row, RunOpts,
    StudyReport, LMS_SYMBOLS,
};
pub use inputs::{file_inputs, ideal_response, inputs, loss_db_points, Input, Inputs, Skipped};

use crate::montecarlo::McConfig;
use crate::pulse::PulseResponse;
use crate::stateye::{self, EyeResult, EyeSetup};
use crate::taps;
use cporx_spec::*;

/// What the study asks.
#[derive(Clone, Debug)]
pub struct StudyOpts {
    /// launch SNR, dB (see the module header)
    pub snr_db: f64,
    /// the BER a design must reach
    pub target_ber: f64,
    /// ADC full scale, level units after the AGC
    pub full_scale: f64,
    /// random jitter at the sampler, UI rms
    pub rj_rms_ui: f64,
    /// largest tap count searched (<= MAX_TAPS)
    pub max_taps: usize,
    /// zero-forcing taps instead of MMSE
    pub zero_forcing: bool,
}

impl Default for StudyOpts {
    fn default() -> Self {
        StudyOpts {
            snr_db: 30.0,
            target_ber: 1e-6,
            full_scale: 4.0,
            rj_rms_ui: 0.0,
            max_taps: MAX_TAPS,
            zero_forcing: false,
        }
    }
}

impl StudyOpts {
    pub fn validate(&self) -> Result<(), String> {
        let chk = |name: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!(
                    "study parameter `{name}` = {v} is out of range: legal is {lo} ..= {hi}"
                ))
            }
        };
        chk("snr_db", self.snr_db, 0.0, 80.0)?;
        chk("target_ber", self.target_ber, 1e-18, 0.1)?;
        chk("full_scale", self.full_scale, 1.0, 16.0)?;
        chk("rj_rms_ui", self.rj_rms_ui, 0.0, 0.2)?;
        chk(
            "max_taps",
            self.max_taps as f64,
            MIN_TAPS as f64,
            MAX_TAPS as f64,
        )
    }
}

/// One channel of the study, ready to evaluate.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// the absolute pulse
    pub pulse: PulseResponse,
    /// the normalized pulse (peak 1) the receiver sees after the AGC
    pub norm: PulseResponse,
    /// crosstalk variance after the AGC, level units^2 (0 without an aggressor)
    pub xt_var: f64,
}

impl Case {
    pub fn new(
        name: &str,
        pulse: PulseResponse,
        aggressor: Option<&PulseResponse>,
    ) -> Result<Case, String> {
        let norm = PulseResponse {
            name: name.to_string(),
            ..pulse.normalized().map_err(|e| e.to_string())?
        };
        let peak = pulse.peak().abs();
        let xt_var = match aggressor {
            None => 0.0,
            Some(x) => {
                let phases = 32;
                let mut s = 0.0;
                for i in 0..phases {
                    let ph = i as f64 / phases as f64;
                    s += x.cursors(ph).iter().map(|c| c.1 * c.1).sum::<f64>();
                }
                5.0 * s / phases as f64 / (peak * peak)
            }
        };
        Ok(Case {
            name: name.to_string(),
            pulse,
            norm,
            xt_var,
        })
    }

    /// The ADC full scale the AGC sets (peak-normalized level units; see the header).
    pub fn full_scale(&self, o: &StudyOpts) -> f64 {
        let s: f64 = self.norm.cursors(0.0).iter().map(|c| c.1.abs()).sum();
        o.full_scale * s
    }

    /// Noise sigma after the AGC (level units): the launch SNR's noise over the peak, plus
    /// the crosstalk.
    pub fn noise_sigma(&self, o: &StudyOpts) -> f64 {
        let v = 5.0 / 10f64.powf(o.snr_db / 10.0) / (self.pulse.peak() * self.pulse.peak());
        (v + self.xt_var).sqrt()
    }
}

/// A receiver for a channel: taps, main tap, ADC bits, and its statistical BER.
#[derive(Clone, Debug)]
pub struct Design {
    pub n_taps: usize,
    pub main_tap: usize,
    pub adc_bits: u32,
    /// Q2.6 codes
    pub codes: Vec<i32>,
    /// slicer thresholds and targets (Q7.1): the defaults (+-32, 0; +-16, +-48), scaled
    /// down with the FFE gain when the taps would not fit Q2.6 at the default scale
    pub thresholds: [i32; 3],
    pub targets: [i32; 4],
    /// real MMSE taps (level units)
    pub taps: Vec<f64>,
    /// the 1-tap DFE's tap (Q7.1 codes, spec::dfe) when the design has the DFE: the
    /// equalized first post-cursor of the quantized taps, rounded
    pub dfe: Option<i32>,
    /// SNR the Q2.6 quantization costs, dB
    pub quant_loss_db: f64,
    pub setup: EyeSetup,
    pub stat: EyeResult,
}

impl Design {
    /// The receive top's parameters for this design (default levels and CDR gains).
    pub fn rx_params(&self) -> RxParams {
        let mut rx = RxParams::with_taps(self.n_taps, self.main_tap).expect("legal");
        rx.reset_coefs = self.codes.clone();
        rx.thresholds = self.thresholds;
        rx.targets = self.targets;
        if let Some(d) = self.dfe {
            rx.dfe_taps = 1;
            rx.dfe_reset = d;
        }
        rx
    }

    /// The fixed-phase Monte-Carlo of this design.
    pub fn mc_config(&self, case: &Case, o: &StudyOpts, symbols: u64, seed: u64) -> McConfig {
        McConfig {
            cursors: case.norm.cursors(0.0),
            noise_sigma: case.noise_sigma(o),
            full_scale: case.full_scale(o),
            adc_bits: self.adc_bits,
            // the receiver model at 16 lanes per clock decides the same symbols as at 1
            // (montecarlo's tests) and runs faster
            rx: self.rx_params().with_lanes(16).expect("legal"),
            main_tap: self.main_tap,
            symbols,
            max_errors: 0,
            seed,
            threads: 0,
        }
    }
}

/// The best design with `n_taps` taps and a `bits`-bit ADC: MMSE taps for each main tap
/// position `0 ..= min(n-1, 3)`, quantized; the lowest statistical BER wins. `None` when no
/// position gives taps that fit Q2.6.
pub fn best_design(case: &Case, o: &StudyOpts, n_taps: usize, bits: u32) -> Option<Design> {
    best_design_with(case, o, n_taps, bits, false)
}

/// [`best_design`], with a 1-tap DFE when `dfe`: the FFE taps and the DFE tap solved
/// jointly ([`taps::solve_mmse_dfe`] / [`taps::solve_zf_dfe`]: the DFE cancels the first
/// post-cursor of the equalized pulse), the FFE quantized to Q2.6, then the DFE tap the
/// equalized first post-cursor of the quantized taps in Q7.1 codes, rounded (a tap outside
/// -128 ..= 127 skips the position, never clamped). The statistical BER includes the
/// DFE's error propagation ([`crate::stateye`], "DFE").
pub fn best_design_with(
    case: &Case,
    o: &StudyOpts,
    n_taps: usize,
    bits: u32,
    dfe: bool,
) -> Option<Design> {
    let sigma = case.noise_sigma(o);
    let fs = case.full_scale(o);
    let step = fs / 32.0 * (1u32 << (ADC_BITS as u32 - bits)) as f64;
    let var = sigma * sigma + step * step / 12.0;
    let cursors = case.norm.cursors(0.0);
    let mut best: Option<Design> = None;
    for main_tap in 0..=(n_taps - 1).min(3) {
        let solved = match (o.zero_forcing, dfe) {
            (true, false) => taps::solve_zf(&cursors, n_taps, main_tap),
            (false, false) => taps::solve_mmse(&cursors, n_taps, main_tap, var),
            (true, true) => taps::solve_zf_dfe(&cursors, n_taps, main_tap),
            (false, true) => taps::solve_mmse_dfe(&cursors, n_taps, main_tap, var),
        };
        let Ok(t) = solved else {
            continue;
        };
        // The FFE's gain: the default maps a level unit to 16 Q7.1 codes (targets +-16,
        // +-48). When the largest tap would not fit Q2.6 there, the gain and the slicer
        // levels are scaled down together (the level registers are programmable).
        let mut cps = taps::coef_scale(fs);
        let top = t.iter().fold(0.0f64, |m, v| m.max(v.abs())) * cps;
        let g = if top > 127.0 { 127.0 / top } else { 1.0 };
        cps *= g;
        let Ok(q) = taps::quantize(&t, cps, &cursors, main_tap, var) else {
            continue;
        };
        let rx = RxParams::with_taps(n_taps, main_tap).expect("legal");
        let sc = |v: i32| (v as f64 * g).round() as i32;
        let thresholds = rx.thresholds.map(sc);
        let targets = rx.targets.map(sc);
        let mut setup = EyeSetup::from_pulse(
            &case.norm,
            0.0,
            sigma,
            o.rj_rms_ui,
            fs,
            q.codes.clone(),
            main_tap,
            thresholds,
        );
        setup.adc_bits = bits;
        let dfe_tap = if dfe {
            let g1 = stateye::equalized_cursors(&setup)
                .iter()
                .find(|c| c.0 == 1)
                .map_or(0.0, |c| c.1)
                .round();
            if !(-128.0..=127.0).contains(&g1) {
                continue;
            }
            setup.dfe = g1 as i32;
            Some(g1 as i32)
        } else {
            None
        };
        if setup.validate().is_err() {
            continue;
        }
        let stat = stateye::ber(&setup);
        if best.as_ref().is_none_or(|b| stat.ber < b.stat.ber) {
            best = Some(Design {
                n_taps,
                main_tap,
                adc_bits: bits,
                codes: q.codes,
                thresholds,
                targets,
                taps: t,
                dfe: dfe_tap,
                quant_loss_db: q.loss_db,
                setup,
                stat,
            });
        }
    }
    best
}

/// The fewest taps (MIN_TAPS ..= max_taps) that reach the target with a 6-bit ADC.
pub fn fewest_taps(case: &Case, o: &StudyOpts) -> Option<Design> {
    tap_search(case, o).fewest
}

/// Above this statistical BER the 3-tap eye counts as closed: its codes are marked in the
/// table and the decision-directed LMS is not run (it needs mostly right decisions).
pub const EYE_OPEN_BER: f64 = 1e-3;

/// The highest launch SNR [`snr_needed_db`] tries, dB (the top of `--snr-db`).
pub const SNR_SEARCH_TOP_DB: f64 = 80.0;

impl Design {
    /// Whether the eye is open enough for the codes and a decision-directed LMS to mean
    /// something: statistical BER at most [`EYE_OPEN_BER`].
    pub fn eye_open(&self) -> bool {
        self.stat.ber <= EYE_OPEN_BER
    }
}

/// What the tap search found: the fewest taps that reach the target or, when none does,
/// the best BER any tap count reached and what would be needed.
#[derive(Clone, Debug)]
pub struct TapSearch {
    /// the fewest taps reaching the target (6-bit ADC)
    pub fewest: Option<Design>,
    /// when none reaches it: the design with the lowest BER over every tap count
    pub best: Option<Design>,
    /// when none reaches it: the launch SNR (dB, to 0.1 dB) at which `max_taps` taps
    /// would; `None` when no SNR up to [`SNR_SEARCH_TOP_DB`] does (the equalizer, not the
    /// noise, limits the channel)
    pub snr_needed_db: Option<f64>,
    /// the largest tap count searched
    pub max_taps: usize,
    /// the designs have the 1-tap DFE
    pub dfe: bool,
}

/// Why a channel is unreachable, when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// more launch SNR would do
    Snr,
    /// no SNR up to 80 dB does: the FFE (and 6-bit ADC) cannot open it
    Equalizer,
}

impl Limit {
    /// `snr` or `equalizer`
    pub fn as_str(&self) -> &'static str {
        match self {
            Limit::Snr => "snr",
            Limit::Equalizer => "equalizer",
        }
    }
}

impl TapSearch {
    /// `None` when the target was reached.
    pub fn limit(&self) -> Option<Limit> {
        match (&self.fewest, self.snr_needed_db) {
            (Some(_), _) => None,
            (None, Some(_)) => Some(Limit::Snr),
            (None, None) => Some(Limit::Equalizer),
        }
    }

    /// The table cell: `6 (main 2)`, or for an unreachable channel which kind it is:
    /// `none up to 16: best 2.3e-5 (16 taps); needs 35.2 dB launch SNR` or
    /// `none up to 16: best 1.2e-1 (9 taps); no SNR up to 80 dB reaches 1e-6: needs more equalization than a 16-tap FFE`.
    pub fn describe(&self, o: &StudyOpts) -> String {
        if let Some(d) = &self.fewest {
            return match d.dfe {
                Some(t) => format!("{} (main {}, DFE tap {t})", d.n_taps, d.main_tap),
                None => format!("{} (main {})", d.n_taps, d.main_tap),
            };
        }
        let rx = if self.dfe {
            format!("{}-tap FFE with a 1-tap DFE (more taps)", self.max_taps)
        } else {
            format!("{}-tap FFE (a DFE, or more taps)", self.max_taps)
        };
        let best = match &self.best {
            Some(b) => format!("best {:.1e} ({} taps)", b.stat.ber, b.n_taps),
            None => "no tap set fits Q2.6".to_string(),
        };
        match self.snr_needed_db {
            Some(s) => format!(
                "none up to {}: {best}; needs {s:.1} dB launch SNR at {} taps",
                self.max_taps, self.max_taps
            ),
            None => format!(
                "none up to {}: {best}; no launch SNR up to {SNR_SEARCH_TOP_DB:.0} dB reaches {:.0e}: needs more equalization than a {rx}",
                self.max_taps, o.target_ber
            ),
        }
    }
}

/// The tap search: fewest taps MIN_TAPS ..= max_taps reaching the target with a 6-bit ADC;
/// when none does, the best BER reached and [`snr_needed_db`] at `max_taps`.
pub fn tap_search(case: &Case, o: &StudyOpts) -> TapSearch {
    tap_search_with(case, o, false)
}

/// [`tap_search`] with the 1-tap DFE beside the FFE when `dfe` ([`best_design_with`]).
pub fn tap_search_with(case: &Case, o: &StudyOpts, dfe: bool) -> TapSearch {
    let mut best: Option<Design> = None;
    for n in MIN_TAPS..=o.max_taps {
        let Some(d) = best_design_with(case, o, n, ADC_BITS as u32, dfe) else {
            continue;
        };
        if d.stat.ber <= o.target_ber {
            return TapSearch {
                fewest: Some(d),
                best: None,
                snr_needed_db: None,
                max_taps: o.max_taps,
                dfe,
            };
        }
        if best.as_ref().is_none_or(|b| d.stat.ber < b.stat.ber) {
            best = Some(d);
        }
    }
    TapSearch {
        fewest: None,
        best,
        snr_needed_db: snr_needed_db_with(case, o, o.max_taps, dfe),
        max_taps: o.max_taps,
        dfe,
    }
}

/// The launch SNR (dB, bisected to 0.1 dB between `o.snr_db` and [`SNR_SEARCH_TOP_DB`])
/// at which `n_taps` taps with a 6-bit ADC reach the target; `None` if even the top does
/// not.
pub fn snr_needed_db(case: &Case, o: &StudyOpts, n_taps: usize) -> Option<f64> {
    snr_needed_db_with(case, o, n_taps, false)
}

/// [`snr_needed_db`], with the 1-tap DFE when `dfe`.
pub fn snr_needed_db_with(case: &Case, o: &StudyOpts, n_taps: usize, dfe: bool) -> Option<f64> {
    let reaches = |snr: f64| {
        let oo = StudyOpts {
            snr_db: snr,
            ..o.clone()
        };
        best_design_with(case, &oo, n_taps, ADC_BITS as u32, dfe)
            .is_some_and(|d| d.stat.ber <= o.target_ber)
    };
    let (mut lo, mut hi) = (o.snr_db, SNR_SEARCH_TOP_DB);
    if !reaches(hi) {
        return None;
    }
    if reaches(lo) {
        return Some(lo);
    }
    while hi - lo > 0.05 {
        let mid = 0.5 * (lo + hi);
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some((hi * 10.0).ceil() / 10.0)
}

/// The fewest ADC bits (1 ..= 6) that reach the target with `n_taps` taps.
pub fn fewest_bits(case: &Case, o: &StudyOpts, n_taps: usize) -> Option<Design> {
    (1..=ADC_BITS as u32)
        .filter_map(|b| best_design(case, o, n_taps, b))
        .find(|d| d.stat.ber <= o.target_ber)
}

/// `n` ADC codes of the channel at the study's sampling phase (random PAM-4 symbols, the
/// noise, the AGC's full scale, the design's ADC bits): the front end of
/// [`crate::montecarlo`], as one stream.
pub fn adc_stream(case: &Case, o: &StudyOpts, bits: u32, n: usize, seed: u64) -> Vec<i8> {
    use crate::montecarlo::{adc_code, Xoshiro256pp};
    use rand::RngCore;
    use rand_distr::{Distribution, StandardNormal};
    let cur = case.norm.cursors(0.0);
    let kmin = cur.iter().map(|c| c.0).min().unwrap_or(0) as i64;
    let kmax = cur.iter().map(|c| c.0).max().unwrap_or(0) as i64;
    let mut sr = Xoshiro256pp::new(seed);
    let mut nr = Xoshiro256pp::new(seed ^ 0x5EED);
    // a[i] for i in kmin .. n + kmax: index i - kmin
    let lv: Vec<f64> = (0..(n as i64 + kmax - kmin + 1))
        .map(|_| 2.0 * (sr.next_u64() >> 62) as f64 - 3.0)
        .collect();
    let gain = 32.0 / case.full_scale(o);
    let sigma = case.noise_sigma(o);
    (0..n as i64)
        .map(|t| {
            // x[t] = sum_k h_k a[t + kmax - k] (stream shifted so every index exists)
            let mut v: f64 = cur
                .iter()
                .map(|&(k, h)| h * lv[(t + kmax - k as i64) as usize])
                .sum();
            let g: f64 = StandardNormal.sample(&mut nr);
            v += g * sigma;
            adc_code(v, gain, bits).0 as i8
        })
        .collect()
}

impl Design {
    /// Sign-sign LMS (the model's, [`crate::taps::SsLms`], default step) on this channel,
    /// started from this design's main tap alone (every other tap 0), run decision
    /// directed over `n` symbols: the final Q2.6 codes.
    pub fn lms_codes(
        &self,
        case: &Case,
        o: &StudyOpts,
        n: usize,
        seed: u64,
    ) -> Result<Vec<i32>, String> {
        let mut init = vec![0; self.n_taps];
        init[self.main_tap] = self.codes[self.main_tap];
        let mut rx = self.rx_params();
        rx.reset_coefs = init.clone();
        let mut m = cporx_model::RxTopModel::new(&rx).map_err(|e| e.to_string())?;
        m.step(&RxIn::reset());
        let cfg = taps::LmsConfig {
            main_tap: self.main_tap,
            ..Default::default()
        };
        let mut lms = taps::SsLms::new(cfg, &init, 1).map_err(|e| e.to_string())?;
        let adc = adc_stream(case, o, self.adc_bits, n, seed);
        lms.adapt(&mut m, &adc, None).map_err(|e| e.to_string())?;
        Ok(lms.codes())
    }
}
