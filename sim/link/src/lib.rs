//! cporx-link: link analysis of the receive datapath on measured and built-in channels,
//! and the closed loop that runs any receive top ([`cporx_model::Receiver`]) behind a
//! behavioral analog front end. It depends on the model (cporx-model) and knows no
//! simulator: the Verilator receivers come from cporx-cosim, rust-hdl's from cporx-verif.
//!
//! Channels, from file to cursors:
//! * [`touchstone`]: Touchstone 1.x reader, SDD21, passivity and port-map checks
//! * [`pulse`]: the one pulse-response type ([`pulse::PulseResponse`], with the built-in
//!   shapes and, from a measured channel, its [`pulse::Measurement`]), SDD21 to pulse
//!   response (TX and RX filters), the one channel loader
//! * [`isi`]: the demo's symbol-spaced ISI channel, noise and ADC (no pulse response)
//!
//! Equalizer and BER:
//! * [`taps`]: MMSE and zero-forcing taps, Q2.6 quantization, sign-sign LMS;
//!   [`taps::train`]: least-squares training from data (the demo's)
//! * [`stateye`]: statistical eye and BER of the fixed-point receiver, closed forms
//! * [`montecarlo`]: Monte-Carlo BER through the bit-exact FFE and slicer on all cores
//! * [`study`]: the co-packaging study's engine: [`study::run`] runs the whole case loop
//!   (fewest taps and ADC bits per channel) and reports to an observer
//! * [`impl_loss`]: implementation loss of the fixed-point receiver against a float one, by
//!   cause (ADC and AGC backoff, tap codes, slicer thresholds), with clipping modelled, and
//!   the AGC gain that minimises it
//! * [`figure`]: rates from counts (BER with its count and 95 % interval; "not measured"
//!   from zero samples)
//!
//! The closed loop:
//! * [`afe`]: the behavioral analog front end (a pulse response sampled at the PI code's
//!   phase, noise, jitter, ppm offset, ADC)
//! * [`loop_checker`]: the closed loop's self-synchronizing PRBS13Q checker with
//!   cycle-slip detection (software; the BIST's RTL checker is modelled in
//!   `cporx_model::bist::prbs_chk`)
//! * [`closed_loop`]: AFE + receive top + checker, its measurements and the open-loop
//!   phase sweep; [`closed_loop::cdr`] the CDR report's measurements (lock, tracking,
//!   locked phase, jitter tolerance)

pub mod afe;
pub mod closed_loop;
pub mod figure;
pub mod impl_loss;
pub mod isi;
pub mod loop_checker;
pub mod mc_shard;
pub mod montecarlo;
pub mod pulse;
pub mod stateye;
pub mod study;
pub mod taps;
pub mod touchstone;
