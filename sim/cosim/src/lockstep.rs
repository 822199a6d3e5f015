//! Two receivers stepped together on the same inputs, every output of every cycle compared
//! as it is made (nothing stored): the model and the RTL in one closed loop or one long
//! stimulus without keeping a million cycles of outputs to compare afterwards.
//!
//! [`Tally`] counts compared cycles and differences; [`Lockstep`] is a [`Receiver`]: it returns the first receiver's outputs (so a
//! closed loop follows the reference) and counts the cycles where the second differs,
//! keeping the first such cycle with both outputs.

use cporx_model::Receiver;
use cporx_spec::{RxIn, RxOut};

/// The first cycle where the two receivers differ: its index (0 = the first step) and
/// both outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub cycle: u64,
    pub reference: RxOut,
    pub other: RxOut,
}

/// The count of compared cycles and of those that differ, with the first difference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// cycles compared
    pub cycles: u64,
    /// cycles whose outputs differ
    pub mismatches: u64,
    pub first: Option<Mismatch>,
}

impl Tally {
    /// Compare one cycle's outputs (the next cycle: its index is the count so far).
    pub fn compare(&mut self, reference: &RxOut, other: &RxOut) {
        if reference != other {
            self.mismatches += 1;
            if self.first.is_none() {
                self.first = Some(Mismatch {
                    cycle: self.cycles,
                    reference: *reference,
                    other: *other,
                });
            }
        }
        self.cycles += 1;
    }

    /// "N mismatches in C cycles (first at cycle K)".
    pub fn summary(&self) -> String {
        format!(
            "{} mismatches in {} cycles{}",
            self.mismatches,
            self.cycles,
            self.first
                .as_ref()
                .map(|m| format!(" (first at cycle {})", m.cycle))
                .unwrap_or_default()
        )
    }
}

/// `reference` and `other` stepped together; see the module doc.
pub struct Lockstep<'a, A: Receiver + ?Sized, B: Receiver + ?Sized> {
    pub reference: &'a mut A,
    pub other: &'a mut B,
    pub tally: Tally,
}

impl<'a, A: Receiver + ?Sized, B: Receiver + ?Sized> Lockstep<'a, A, B> {
    pub fn new(reference: &'a mut A, other: &'a mut B) -> Self {
        Lockstep {
            reference,
            other,
            tally: Tally::default(),
        }
    }
}

impl<A: Receiver + ?Sized, B: Receiver + ?Sized> Receiver for Lockstep<'_, A, B> {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        let x = self.reference.step(i)?;
        let y = self.other.step(i)?;
        self.tally.compare(&x, &y);
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cporx_model::RxTopModel;
    use cporx_spec::RxParams;

    #[test]
    fn counts_the_cycles_that_differ_and_keeps_the_first() {
        let p = RxParams::default();
        let mut a = RxTopModel::new(&p).unwrap();
        // the other one has a different FFE tap: its outputs differ once data flows
        let q = RxParams {
            reset_coefs: vec![0, 64, 10],
            ..p.clone()
        };
        let mut b = RxTopModel::new(&q).unwrap();
        let mut l = Lockstep::new(&mut a, &mut b);
        l.step(&RxIn::reset()).unwrap();
        assert_eq!(
            (l.tally.cycles, l.tally.mismatches),
            (1, 0),
            "equal at reset"
        );
        for k in 0..200 {
            l.step(&RxIn::sample((k % 61) - 30)).unwrap();
        }
        assert_eq!(l.tally.cycles, 201);
        assert!(
            l.tally.mismatches > 0 && l.tally.mismatches < 201,
            "{}",
            l.tally.summary()
        );
        let m = l.tally.first.clone().unwrap();
        assert!(m.cycle > 0 && m.reference != m.other);
        assert!(l
            .tally
            .summary()
            .contains(&format!("first at cycle {}", m.cycle)));
    }

    #[test]
    fn equal_receivers_agree_on_every_cycle() {
        let p = RxParams::default();
        let (mut a, mut b) = (RxTopModel::new(&p).unwrap(), RxTopModel::new(&p).unwrap());
        let mut l = Lockstep::new(&mut a, &mut b);
        for k in 0..100 {
            let i = if k == 0 {
                RxIn::reset()
            } else {
                RxIn::sample(k % 32)
            };
            let o = l.step(&i).unwrap();
            assert_eq!(o, l.reference.outputs());
        }
        assert_eq!(
            (l.tally.cycles, l.tally.mismatches, l.tally.first.is_none()),
            (100, 0, true)
        );
    }
}
