//! The closed loop: the behavioral analog front end ([`crate::afe`]) and the receive top
//! (the bit-exact model, rust-hdl's simulator or Verilator) run together cycle by cycle.
//! The PI code the receiver outputs after cycle n sets where the AFE takes the sample of
//! cycle n + 1; the decided symbols go to a PRBS13Q checker ([`crate::loop_checker`]).
//!
//! With P = `RxParams::lanes` samples per clock, each cycle takes P consecutive ADC
//! samples (one per UI) at the PI code of the previous cycle, so the phase moves once per
//! P UI (the decimated loop). Measurements count UI, not cycles: UI (n-1)P + j + 1 is
//! lane j of data cycle n.
//!
//! Cycle 0 is a reset cycle (every register takes its `RxParams` reset value, so the loop
//! starts from `RxParams::cdr.reset_phase`); then ceil(ui / P) data cycles. Every cycle
//! takes P ADC samples, reset included. Same configuration and seed => same run, for
//! every receiver implementation: the model and Verilator runs agree bit for bit
//! (verif/tests/closed_loop.rs).
//!
//! Measurements, all in UI counted from the reset cycle:
//! * lock time: the first cycle whose `lock` output is 1;
//! * errors and slips: the checker is fed from `lock time + settle_ui` on (or from cycle
//!   `settle_ui` when `count_before_lock` is set), so acquisition is not counted as errors;
//! * locked phase: circular mean and RMS spread of the PI code over the counted cycles;
//! * frequency: the CDR's integral register converted to ppm.

pub mod cdr;

use crate::afe::{Afe, AfeConfig, AfeError};
use crate::loop_checker::{CheckerStats, Prbs13qChecker};
use crate::pulse::PulseResponse;
use cporx_model::{Receiver, RxTopModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct LinkConfig {
    pub afe: AfeConfig,
    /// FFE taps, slicer levels and CDR gains (the receive top's reset values).
    pub rx: RxParams,
    /// data cycles after the reset cycle
    pub ui: u64,
    /// cycles after lock before the checker starts counting
    pub settle_ui: u64,
    /// count from `settle_ui` even if the loop never locks (open-loop sweeps)
    pub count_before_lock: bool,
    /// configuration writes (address, data) applied in cycles 1, 2, ... after the reset,
    /// e.g. an initial phase for a design whose reset phase is fixed
    pub writes: Vec<(u32, i32)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Afe(#[from] AfeError),
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("receiver: {0}")]
    Receiver(String),
    #[error("link parameter `{name}` = {value} is out of range: legal is {lo} ..= {hi}")]
    Range {
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    },
}

impl LinkConfig {
    /// A link over `pulse` with an MMSE-trained `n_taps` FFE (main cursor at tap 1) and the
    /// default slicer levels and CDR gains.
    pub fn new(afe: AfeConfig, n_taps: usize, ui: u64) -> Result<Self, LinkError> {
        let rx = rx_params_for(&afe, n_taps)?;
        Ok(LinkConfig {
            afe,
            rx,
            ui,
            settle_ui: 2000,
            count_before_lock: false,
            writes: vec![],
        })
    }

    pub fn validate(&self) -> Result<(), LinkError> {
        self.afe.validate()?;
        self.rx.validate()?;
        if !(1..=10_000_000_000).contains(&self.ui) {
            return Err(LinkError::Range {
                name: "ui",
                value: self.ui as f64,
                lo: 1.0,
                hi: 1e10,
            });
        }
        Ok(())
    }
}

/// The receive top's parameters for a link: FFE taps solved for the AFE's pulse at the
/// peak phase (MMSE at the AFE's SNR, main cursor at tap 1, quantized to Q2.6), default
/// levels and CDR gains.
pub fn rx_params_for(afe: &AfeConfig, n_taps: usize) -> Result<RxParams, LinkError> {
    let mut rx = RxParams::with_taps(n_taps, 1)?;
    let c = mmse_taps(
        &afe.pulse,
        n_taps,
        1,
        0.0,
        afe.noise_sigma() * afe.noise_sigma(),
    );
    // codes per level unit: the slicer targets assume 8 ADC codes per level unit (levels
    // at +-8, +-24), the convention `taps::coef_scale` holds; out-of-range codes clamp here
    // (the closed loop's historical behaviour; `taps::quantize` refuses them)
    let cps = crate::taps::coef_scale(afe.full_scale);
    rx.reset_coefs = c
        .iter()
        .map(|&v| (v * cps).round().clamp(-128.0, 127.0) as i32)
        .collect();
    rx.validate()?;
    Ok(rx)
}

/// Real-valued MMSE FFE taps for the symbol-spaced cursors of `pulse` sampled at `phase`
/// (UI from the peak): [`crate::taps::solve_mmse`] on `pulse.cursors(phase)` (E[a^2] = 5,
/// noise variance `noise_var` in level units, unit gain on the main cursor path); all
/// zeros where that has no solution (an illegal tap count, or a singular system).
pub fn mmse_taps(
    pulse: &PulseResponse,
    n_taps: usize,
    main: usize,
    phase: f64,
    noise_var: f64,
) -> Vec<f64> {
    crate::taps::solve_mmse(&pulse.cursors(phase), n_taps, main, noise_var)
        .unwrap_or_else(|_| vec![0.0; n_taps])
}

/// A PI code in 0 ..< 2^PI_BITS derived from a seed (a multiplicative hash), for runs that
/// start "from a random initial phase" reproducibly.
pub fn seeded_phase(seed: u64) -> u32 {
    (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PI_BITS)) as u32
}

#[derive(Clone, Debug, Default)]
pub struct LinkResult {
    /// data cycles run
    pub ui: u64,
    /// first cycle with `lock` = 1
    pub lock_time: Option<u64>,
    /// times `lock` fell after it had risen
    pub lock_losses: u64,
    pub final_phase: u8,
    pub final_freq: i32,
    pub checker: CheckerStats,
    /// cycles fed to the checker
    pub counted_ui: u64,
    /// circular mean of the PI code over the counted cycles (0 ..< 128), and RMS spread
    pub mean_phase: f64,
    pub phase_rms: f64,
    /// mean squared slicer error over the counted cycles (Q8.1 codes squared)
    pub mse: f64,
    /// mean of the frequency register over the counted cycles
    pub mean_freq: f64,
    pub clipped: u64,
}

impl LinkResult {
    /// `lock at 513 UI`, or `never locked in 100000 UI`.
    pub fn lock_text(&self) -> String {
        match self.lock_time {
            Some(t) => format!("lock at {t} UI"),
            None => format!("never locked in {} UI", self.ui),
        }
    }

    /// Why the run's error counts are not a measurement, if they are not (no symbol was
    /// checked): the loop never locked, the run ended before counting started (lock +
    /// `c.settle_ui`), or the checker never synchronized.
    pub fn unmeasured(&self, c: &LinkConfig) -> Option<String> {
        if self.checker.symbols_checked > 0 {
            return None;
        }
        Some(match self.lock_time {
            None => format!("the loop never locked in {} UI", self.ui),
            Some(t) if t + c.settle_ui >= self.ui => format!(
                "the run ended before counting started: lock at {t} UI + {} UI settling >= {} UI run; run longer",
                c.settle_ui, self.ui
            ),
            Some(_) => format!(
                "the PRBS13Q checker never synchronized over the {} counted UI",
                self.counted_ui
            ),
        })
    }

    /// The bit error ratio with its count (and 95 % interval under 100 errors), or
    /// `not measured (why)` ([`LinkResult::unmeasured`]).
    pub fn ber_text(&self, c: &LinkConfig) -> String {
        let k = &self.checker;
        crate::figure::Rate::new(k.bit_errors, 2 * k.symbols_checked, "bits")
            .describe("bit errors", &self.unmeasured(c).unwrap_or_default())
    }

    /// The clock offset the CDR tracks, in ppm: its frequency register averaged over the
    /// counted cycles (the final value alone carries the loop's jitter).
    pub fn freq_ppm(&self) -> f64 {
        freq_to_ppm(1) * self.mean_freq
    }
}

/// Integral register (phase LSBs per UI) -> the receiver clock offset it compensates, in
/// ppm with the AFE's sign (positive: the receiver reference is slower). A slower
/// receiver samples later every UI, so the loop settles with a negative register.
pub fn freq_to_ppm(freq: i32) -> f64 {
    -(freq as f64) / (1u64 << PHASE_FRAC) as f64 / (1u64 << PI_BITS) as f64 * 1e6
}

struct Meter {
    settle: u64,
    count_before_lock: bool,
    checker: Prbs13qChecker,
    lock_time: Option<u64>,
    was_locked: bool,
    lock_losses: u64,
    counted: u64,
    err2: f64,
    freq_sum: f64,
    phases: Vec<u32>,
}

impl Meter {
    fn new(cfg: &LinkConfig) -> Self {
        Meter {
            settle: cfg.settle_ui,
            count_before_lock: cfg.count_before_lock,
            checker: Prbs13qChecker::new(),
            lock_time: None,
            was_locked: false,
            lock_losses: 0,
            counted: 0,
            err2: 0.0,
            freq_sum: 0.0,
            phases: vec![0; 1 << PI_BITS],
        }
    }
    #[inline]
    fn cycle(&mut self, n: u64, symbol: u8, phase: u8, lock: bool, err: i32, freq: i32) {
        if lock && self.lock_time.is_none() {
            self.lock_time = Some(n);
        }
        if self.was_locked && !lock {
            self.lock_losses += 1;
        }
        self.was_locked = lock;
        let start = if self.count_before_lock {
            Some(self.settle)
        } else {
            self.lock_time.map(|t| t + self.settle)
        };
        if matches!(start, Some(s) if n >= s) {
            self.checker.push(symbol);
            self.counted += 1;
            self.phases[phase as usize] += 1;
            self.err2 += (err * err) as f64;
            self.freq_sum += freq as f64;
        }
    }
    fn finish(self, ui: u64, last: &RxOut, clipped: u64) -> LinkResult {
        let steps = (1 << PI_BITS) as f64;
        let (mut cs, mut sn) = (0.0f64, 0.0f64);
        for (c, &k) in self.phases.iter().enumerate() {
            let a = 2.0 * std::f64::consts::PI * c as f64 / steps;
            cs += k as f64 * a.cos();
            sn += k as f64 * a.sin();
        }
        let mean = (sn.atan2(cs) / (2.0 * std::f64::consts::PI) * steps).rem_euclid(steps);
        let mut var = 0.0;
        for (c, &k) in self.phases.iter().enumerate() {
            let d = (c as f64 - mean + steps / 2.0).rem_euclid(steps) - steps / 2.0;
            var += k as f64 * d * d;
        }
        let n = self.counted.max(1) as f64;
        LinkResult {
            ui,
            lock_time: self.lock_time,
            lock_losses: self.lock_losses,
            final_phase: last.phase,
            final_freq: last.freq,
            checker: self.checker.finish(),
            counted_ui: self.counted,
            mean_phase: mean,
            phase_rms: (var / n).sqrt(),
            mse: self.err2 / n,
            mean_freq: self.freq_sum / n,
            clipped,
        }
    }
}

/// One clock's P samples, all taken at PI code `code`.
fn sample_block(afe: &mut Afe, code: u8, adc: &mut [i32]) {
    for a in adc {
        *a = afe.sample(code) as i32;
    }
}

/// The UI count of lane `j` of data cycle `n` (1-based) at `lanes` samples per clock.
#[inline]
fn ui_of(n: u64, lanes: usize, j: usize) -> u64 {
    (n - 1) * lanes as u64 + j as u64 + 1
}

impl Meter {
    /// Meter every lane of one cycle's outputs.
    fn cycle_out(&mut self, n: u64, lanes: usize, o: &RxOut) {
        for (j, l) in o.lane[..lanes].iter().enumerate() {
            self.cycle(ui_of(n, lanes, j), l.symbol, o.phase, o.lock, l.err, o.freq);
        }
    }
}

/// One cycle of the loop as seen by a caller: the ADC code applied and the outputs after
/// the edge (for traces, VCD and bit-exact comparisons).
pub type CycleHook<'a> = &'a mut dyn FnMut(u64, &RxIn, &RxOut);

/// Run the closed loop with any receiver implementation, calling `hook` every cycle.
pub fn run_link<R: Receiver + ?Sized>(
    cfg: &LinkConfig,
    rx: &mut R,
    mut hook: Option<CycleHook<'_>>,
) -> Result<LinkResult, LinkError> {
    cfg.validate()?;
    let lanes = cfg.rx.lanes;
    let mut afe = Afe::new(cfg.afe.clone())?;
    let mut meter = Meter::new(cfg);
    // reset cycle: the ADC samples at the power-up phase code (0)
    let mut i = RxIn::reset();
    sample_block(&mut afe, 0, &mut i.adc[..lanes]);
    let mut o = rx.step(&i).map_err(LinkError::Receiver)?;
    if let Some(h) = hook.as_mut() {
        h(0, &i, &o);
    }
    for n in 1..=cfg.ui.div_ceil(lanes as u64) {
        let mut i = RxIn::default();
        sample_block(&mut afe, o.phase, &mut i.adc[..lanes]);
        if let Some(&(a, d)) = cfg.writes.get(n as usize - 1) {
            i.cfg_we = true;
            i.cfg_addr = a;
            i.cfg_data = d;
        }
        o = rx.step(&i).map_err(LinkError::Receiver)?;
        meter.cycle_out(n, lanes, &o);
        if let Some(h) = hook.as_mut() {
            h(n, &i, &o);
        }
    }
    Ok(meter.finish(cfg.ui, &o, afe.clipped()))
}

/// The same loop with the bit-exact model, on its data-only fast path (same arithmetic as
/// `run_link` with an `RxTopModel`; tested equal).
pub fn run_link_model(cfg: &LinkConfig) -> Result<LinkResult, LinkError> {
    cfg.validate()?;
    let lanes = cfg.rx.lanes;
    let cycles = cfg.ui.div_ceil(lanes as u64);
    let mut afe = Afe::new(cfg.afe.clone())?;
    let mut m = RxTopModel::new(&cfg.rx)?;
    let mut meter = Meter::new(cfg);
    let mut i = RxIn::reset();
    sample_block(&mut afe, 0, &mut i.adc[..lanes]);
    m.step(&i);
    let mut phase = m.cdr.pi_code();
    let mut n0 = 1;
    for (k, &(a, d)) in cfg.writes.iter().enumerate().take(cycles as usize) {
        let n = k as u64 + 1;
        let mut i = RxIn::write(a, d, 0);
        sample_block(&mut afe, phase, &mut i.adc[..lanes]);
        let o = m.step(&i);
        phase = o.phase;
        meter.cycle_out(n, lanes, &o);
        n0 = n + 1;
    }
    let mut adc = [0i32; MAX_LANES];
    for n in n0..=cycles {
        sample_block(&mut afe, phase, &mut adc[..lanes]);
        let ph = m.step_data(&adc[..lanes]);
        phase = ph;
        for j in 0..lanes {
            meter.cycle(
                ui_of(n, lanes, j),
                m.slicer.symbol[j],
                ph,
                m.cdr.lock,
                m.slicer.err[j],
                m.cdr.freq,
            );
        }
    }
    let o = m.outputs();
    Ok(meter.finish(cfg.ui, &o, afe.clipped()))
}

/// Open-loop phase sweep: for each PI code, the loop disabled and the phase held there,
/// the mean squared slicer error and the error counts over `ui` cycles.
pub fn sweep_phase(cfg: &LinkConfig, codes: impl Iterator<Item = u8>) -> Vec<(u8, LinkResult)> {
    codes
        .map(|c| {
            let mut k = cfg.clone();
            k.rx.cdr.enable = false;
            k.rx.cdr.reset_phase = c as u32;
            k.count_before_lock = true;
            k.settle_ui = 200;
            (
                c,
                run_link_model(&k).expect("validated sweep configuration"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str, ui: u64) -> LinkConfig {
        let mut a = AfeConfig::new(PulseResponse::builtin(name).unwrap());
        a.snr_db = Some(30.0);
        a.seed = 7;
        LinkConfig::new(a, 3, ui).unwrap()
    }

    #[test]
    fn fast_path_equals_generic_loop() {
        let mut c = cfg("short", 20_000);
        c.writes = vec![(CFG_PHASE, 77), (CFG_KP, 12)];
        let fast = run_link_model(&c).unwrap();
        let mut m = RxTopModel::new(&c.rx).unwrap();
        let slow = run_link(&c, &mut m, None).unwrap();
        assert_eq!(fast.lock_time, slow.lock_time);
        assert_eq!(fast.final_phase, slow.final_phase);
        assert_eq!(fast.final_freq, slow.final_freq);
        assert_eq!(fast.checker, slow.checker);
        assert_eq!(fast.mse, slow.mse);
    }

    #[test]
    fn locks_and_runs_error_free_on_a_short_channel() {
        let r = run_link_model(&cfg("short", 200_000)).unwrap();
        assert!(r.lock_time.is_some(), "{r:?}");
        assert_eq!(r.checker.slips, 0, "{r:?}");
        assert_eq!(r.checker.symbol_errors, 0, "{r:?}");
        assert!(r.counted_ui > 150_000);
    }

    /// The decimated loop at P = 4 and 8 (phase moves once per clock) still locks and runs
    /// error free, and the generic loop agrees with the fast path.
    #[test]
    fn locks_with_lanes() {
        for lanes in [4, 8] {
            let mut c = cfg("short", 200_000);
            c.rx = c.rx.with_lanes(lanes).unwrap();
            let r = run_link_model(&c).unwrap();
            assert!(r.lock_time.is_some(), "P={lanes} {r:?}");
            assert_eq!(r.checker.slips, 0, "P={lanes} {r:?}");
            assert_eq!(r.checker.symbol_errors, 0, "P={lanes} {r:?}");
            assert!(r.counted_ui > 150_000);
            c.ui = 20_000;
            c.writes = vec![(CFG_PHASE, 77)];
            let fast = run_link_model(&c).unwrap();
            let mut m = RxTopModel::new(&c.rx).unwrap();
            let slow = run_link(&c, &mut m, None).unwrap();
            assert_eq!(
                (fast.lock_time, fast.final_phase, fast.checker, fast.mse),
                (slow.lock_time, slow.final_phase, slow.checker, slow.mse)
            );
        }
    }

    #[test]
    fn same_seed_same_run() {
        let a = run_link_model(&cfg("cpo", 30_000)).unwrap();
        let b = run_link_model(&cfg("cpo", 30_000)).unwrap();
        assert_eq!(
            (a.final_phase, a.final_freq, a.mse),
            (b.final_phase, b.final_freq, b.mse)
        );
    }

    #[test]
    fn mmse_taps_equalize_the_cursors() {
        let p = PulseResponse::builtin("mr").unwrap();
        let c = mmse_taps(&p, 5, 1, 0.0, 0.0);
        // the equalized pulse: main ~1, first pre/post cursors much smaller than unequalized
        let cur = p.cursors(0.0);
        let h = |j: i64| {
            cur.iter()
                .find(|x| x.0 as i64 == j)
                .map(|x| x.1)
                .unwrap_or(0.0)
        };
        let eq = |n: i64| (0..5).map(|k| c[k] * h(n - k as i64)).sum::<f64>();
        assert!((eq(1) - 1.0).abs() < 0.05, "{}", eq(1));
        assert!(
            eq(0).abs() < 0.05 && eq(2).abs() < 0.05,
            "{} {}",
            eq(0),
            eq(2)
        );
        assert!(h(-1) > 0.2 && h(1) > 0.25);
    }
}
