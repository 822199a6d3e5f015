//! Figures that come from counts: a rate (BER, SER, mismatch ratio) is printed with its
//! count and, under 100 events, its 95 % Wilson interval; a rate over zero trials is
//! "not measured" with the reason, never `0`.
//!
//! Every command and report goes through [`Rate::describe`] (or checks
//! [`Rate::measured`] first), so no figure is printed from nothing.

use crate::stateye::binomial_ci;

/// Fewer events than this: the 95 % interval is printed beside the estimate.
pub const CI_BELOW_EVENTS: u64 = 100;

/// `events` seen in `trials` (bits, symbols, cycles); `unit` names the trials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub events: u64,
    pub trials: u64,
    /// what a trial is, plural: "bits", "symbols", "cycles"
    pub unit: &'static str,
}

impl Rate {
    pub fn new(events: u64, trials: u64, unit: &'static str) -> Rate {
        Rate {
            events: events.min(trials),
            trials,
            unit,
        }
    }
    /// Whether anything was counted.
    pub fn measured(&self) -> bool {
        self.trials > 0
    }
    /// The estimate `events / trials`, `None` over zero trials.
    pub fn value(&self) -> Option<f64> {
        self.measured()
            .then(|| self.events as f64 / self.trials as f64)
    }
    /// The two-sided 95 % Wilson interval, `None` over zero trials.
    pub fn ci95(&self) -> Option<(f64, f64)> {
        self.measured()
            .then(|| binomial_ci(self.events, self.trials, 0.95))
    }
    /// `1.234e-5 (12 errors in 972000 bits, 95 % [6.4e-6, 2.2e-5])`; with 100 or more
    /// events the interval is left out; over zero trials `not measured (REASON)`.
    pub fn describe(&self, what: &str, reason_if_none: &str) -> String {
        match (self.value(), self.ci95()) {
            (Some(v), Some((lo, hi))) => {
                let mut s = format!(
                    "{v:.3e} ({} {what} in {} {}",
                    self.events, self.trials, self.unit
                );
                if self.events < CI_BELOW_EVENTS {
                    s += &format!(", 95 % [{lo:.2e}, {hi:.2e}]");
                }
                s + ")"
            }
            _ => not_measured(reason_if_none),
        }
    }
}

/// The text printed in place of a figure computed from nothing.
pub fn not_measured(reason: &str) -> String {
    format!("not measured ({reason})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_trials_is_not_measured() {
        let r = Rate::new(0, 0, "bits");
        assert!(!r.measured());
        assert_eq!(r.value(), None);
        assert_eq!(
            r.describe("errors", "the loop never locked"),
            "not measured (the loop never locked)"
        );
    }

    #[test]
    fn few_events_carry_their_interval() {
        let s = Rate::new(0, 1_000_000, "bits").describe("errors", "-");
        assert!(
            s.starts_with("0.000e0 (0 errors in 1000000 bits, 95 % [0.00e0, 3.84e-6])"),
            "{s}"
        );
        let s = Rate::new(12, 1_000_000, "bits").describe("errors", "-");
        assert!(s.contains("12 errors in 1000000 bits, 95 % ["), "{s}");
        let s = Rate::new(400, 1_000_000, "bits").describe("errors", "-");
        assert_eq!(s, "4.000e-4 (400 errors in 1000000 bits)");
    }
}
