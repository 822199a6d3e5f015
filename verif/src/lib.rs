//! cporx-verif: run one stimulus through the three implementations of the receive top
//! and compare every output of every cycle.
//!
//! * (a) the reference model, `cporx_model::RxTopModel`
//! * (b) rust-hdl's simulator, `cporx_hdl::RxTopSim`
//! * (c) Verilator on the exported Verilog, `cporx_cosim::verilator::VerilatedRx`
//!
//! [`strategy`] holds the proptest generators (random legal parameters, run-time
//! configuration and ADC streams, with the extremes drawn on purpose).

pub mod formal;
pub mod mutants;
pub mod strategy;

use cporx_spec::*;

/// The first cycle where two output streams differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub cycle: usize,
    /// the output, with its lane for per-lane outputs (`y[3]`)
    pub field: String,
    pub expected: i64,
    pub got: i64,
    pub against: &'static str,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle {}: `{}` model={} {}={}",
            self.cycle, self.field, self.expected, self.against, self.got
        )
    }
}

/// Compare two output streams field by field, every lane (lanes past P are zero in every
/// implementation, so they are compared too); lengths must match.
pub fn compare(model: &[RxOut], other: &[RxOut], against: &'static str) -> Result<(), Mismatch> {
    if model.len() != other.len() {
        return Err(Mismatch {
            cycle: model.len().min(other.len()),
            field: "length".into(),
            expected: model.len() as i64,
            got: other.len() as i64,
            against,
        });
    }
    for (c, (a, b)) in model.iter().zip(other).enumerate() {
        if a == b {
            continue;
        }
        for (j, (la, lb)) in a.lane.iter().zip(&b.lane).enumerate() {
            for (field, x, y) in [
                ("y", la.y as i64, lb.y as i64),
                ("symbol", la.symbol as i64, lb.symbol as i64),
                ("gray", la.gray as i64, lb.gray as i64),
                ("err", la.err as i64, lb.err as i64),
            ] {
                if x != y {
                    return Err(Mismatch {
                        cycle: c,
                        field: format!("{field}[{j}]"),
                        expected: x,
                        got: y,
                        against,
                    });
                }
            }
        }
        for (field, x, y) in [
            ("phase", a.phase as i64, b.phase as i64),
            ("lock", a.lock as i64, b.lock as i64),
            ("freq", a.freq as i64, b.freq as i64),
            ("gain", a.gain as i64, b.gain as i64),
            ("rd_data", a.rd_data as i64, b.rd_data as i64),
        ] {
            if x != y {
                return Err(Mismatch {
                    cycle: c,
                    field: field.into(),
                    expected: x,
                    got: y,
                    against,
                });
            }
        }
        // a field of RxOut this list does not name yet (lanes >= P included): still a
        // mismatch, never a pass
        return Err(Mismatch {
            cycle: c,
            field: format!("an unlisted field of RxOut: {a:?} vs {b:?}"),
            expected: 0,
            got: 1,
            against,
        });
    }
    Ok(())
}

/// Run the reference model from power-up.
pub fn run_model(p: &RxParams, stim: &[RxIn]) -> Vec<RxOut> {
    cporx_model::RxTopModel::new(p)
        .expect("validated params")
        .run(stim)
}

/// Run rust-hdl's simulator from power-up.
pub fn run_rust_hdl(p: &RxParams, stim: &[RxIn]) -> Vec<RxOut> {
    let mut s = cporx_hdl::RxTopSim::new(p).expect("validated params");
    s.run(stim).expect("rust-hdl simulation settles")
}

/// Run `cases` random cases of [`strategy::case`] for the one design `p` through a built
/// Verilator model `vl` and through the reference model, comparing every output of every
/// cycle. `Err` carries the shrunk failing case; `Ok` the number of cycles compared. Used
/// by the mutation check and the post-synthesis check.
pub fn check_verilated(
    vl: &mut cporx_cosim::verilator::VerilatedRx,
    p: &RxParams,
    cases: u32,
    against: &'static str,
) -> Result<usize, proptest::test_runner::TestError<strategy::Case>> {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let vl = std::cell::RefCell::new(vl);
    let cycles = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 500,
        ..Config::default()
    });
    runner.run(&strategy::case(1), |c| {
        let stim = c.stimulus(p);
        let model = run_model(p, &stim);
        let got = vl
            .borrow_mut()
            .run(&stim)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        cycles.set(cycles.get() + stim.len());
        compare(&model, &got, against).map_err(|m| TestCaseError::fail(m.to_string()))
    })?;
    Ok(cycles.get())
}
