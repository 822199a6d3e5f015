//! Mutation check: the equivalence suite has teeth. Each mutant changes the exported
//! Verilog of the default receive top (one lane, or four lanes for the multi-lane
//! mutants) in one small way (a rounding rule, a threshold comparison, a saturation
//! bound, a sign extension, a Gray code; in the CDR a detector sign, a gain off by one
//! shift, a wrapping frequency register, the frequency range ignored, the lock comparison,
//! the false-lock kick; with
//! lanes the history reach, the frequency scaling, the lock window; at power-up the lock
//! bounds' meaning; with the adaptation the LMS sign and step, a wrapping level, a
//! midpoint's rounding, the bus priority; with the DFE the previous decision lane 0
//! selects with); every occurrence of each pattern is replaced, and the same property
//! (model == Verilator on every output of every cycle, random cases from the same
//! strategy as tests/equivalence.rs) must fail on every mutant, and pass on the
//! unmutated design in the same run.

use cporx_cosim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::mutants::MUTANTS;
use cporx_verif::*;
use proptest::test_runner::TestError;

#[test]
fn every_planted_bug_is_caught() {
    let designs: Vec<(RxParams, String)> = [
        (1, false, false),
        (4, false, false),
        (1, true, false),
        (4, false, true),
    ]
    .iter()
    .map(|&(lanes, adapt, dfe)| {
        let mut p = RxParams::default().with_lanes(lanes).unwrap();
        if adapt {
            p.adapt = Some(AdaptParams::default());
        }
        if dfe {
            p.dfe_taps = 1;
            p.dfe_reset = 24;
        }
        let clean = cporx_hdl::export::rx_top_verilog(&p).unwrap();
        let mut vl = VerilatedRx::build(&clean, false).unwrap();
        check_verilated(&mut vl, &p, 100, "verilator").expect("the unmutated design passes");
        (p, clean)
    })
    .collect();
    let mut missed = vec![];
    for m in MUTANTS {
        let (p, clean) = designs
            .iter()
            .find(|d| {
                d.0.lanes == m.lanes
                    && d.0.adapt.is_some() == m.adapt
                    && (d.0.dfe_taps == 1) == m.dfe
            })
            .expect("a design per lane count and adaptation");
        let mut mutated = clean.clone();
        for &(from, to) in m.edits {
            assert!(
                mutated.contains(from),
                "mutant `{}`: pattern `{from}` not in the exported Verilog",
                m.name,
            );
            mutated = mutated.replace(from, to);
        }
        let mut vl = VerilatedRx::build(&mutated, false).unwrap();
        match check_verilated(&mut vl, p, 300, "verilator") {
            Err(TestError::Fail(why, minimal)) => println!(
                "caught: {:<52} minimal case: {} ADC samples, {}",
                m.name,
                minimal.adc.len(),
                why
            ),
            Err(e) => panic!("mutant `{}`: unexpected error {e}", m.name),
            Ok(_) => missed.push(m.name),
        }
    }
    println!(
        "mutation check: {} of {} mutants caught",
        MUTANTS.len() - missed.len(),
        MUTANTS.len()
    );
    assert!(
        missed.is_empty(),
        "mutants the equivalence suite missed: {missed:?}"
    );
}
