//! Mutation check: the equivalence suite has teeth. Each mutant changes the exported
//! Verilog of the default receive top (one lane, or four lanes for the multi-lane
//! mutants) in one small way (a rounding rule, a threshold comparison, a saturation
//! bound, a sign extension, a Gray code; in the CDR a detector sign, a gain off by one
//! shift, a wrapping frequency register, the lock comparison, the false-lock kick; with
//! lanes the history reach, the frequency scaling, the lock window); every occurrence of the pattern is replaced, and the same property
//! (model == Verilator on every output of every cycle, random cases from the same
//! strategy as tests/equivalence.rs) must fail on every mutant, and pass on the
//! unmutated design in the same run.

use cporx_sim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::*;
use proptest::test_runner::TestError;

struct Mutant {
    name: &'static str,
    /// lanes of the design it mutates
    lanes: usize,
    from: &'static str,
    to: &'static str,
}

const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "FFE rounds half down instead of half up",
        lanes: 1,
        from: "localparam  bias = 20'h10;",
        to: "localparam  bias = 20'hf;",
    },
    Mutant {
        name: "slicer compares y > t1 instead of y >= t1",
        lanes: 1,
        from: "if (y_f >= t1)",
        to: "if (y_f > t1)",
    },
    Mutant {
        name: "FFE high saturation value one LSB low",
        lanes: 1,
        from: "localparam  y_max = 8'h7f;",
        to: "localparam  y_max = 8'h7e;",
    },
    Mutant {
        name: "FFE low saturation value one LSB high",
        lanes: 1,
        from: "localparam  y_min = 8'h80;",
        to: "localparam  y_min = 8'h81;",
    },
    Mutant {
        name: "the taps treat the ADC code as unsigned",
        lanes: 1,
        from: "pp2_r$d = cn2;",
        // the top digit 10 read as +2 instead of -2 (cn2 stays read: the mutant must
        // still build with -Wall)
        to: "pp2_r$d = c2 | (cn2 & 10'h0);",
    },
    Mutant {
        name: "slicer Gray code of level 2 is 10",
        lanes: 1,
        from: "localparam  gray_k$2 = 2'b11;",
        to: "localparam  gray_k$2 = 2'b10;",
    },
    Mutant {
        name: "CDR detector sign flipped",
        lanes: 1,
        from: "z = term_a - term_b;",
        to: "z = term_b - term_a;",
    },
    Mutant {
        name: "CDR proportional gain one shift too large",
        lanes: 1,
        from: "(z_ph << kp_r$q)",
        to: "(z_ph << (kp_r$q + 4'h1))",
    },
    Mutant {
        name: "CDR integral gain one shift too large",
        lanes: 1,
        from: "inc_r$d = z_in << ki_r$q;",
        to: "inc_r$d = z_in << (ki_r$q + 3'h1);",
    },
    Mutant {
        name: "CDR frequency register wraps instead of saturating",
        lanes: 1,
        from: "localparam  sat_hi_f = 25'h1080000;",
        to: "localparam  sat_hi_f = 25'h1ffffff;",
    },
    Mutant {
        name: "CDR lock detector counts |err| >= thr as bad",
        lanes: 1,
        from: "flag_r$d = (ef > thi)",
        to: "flag_r$d = (ef >= thi)",
    },
    Mutant {
        name: "CDR false-lock kick moves the phase by nothing",
        lanes: 1,
        from: "localparam  half_ui = 27'h4000000;",
        to: "localparam  half_ui = 27'h0;",
    },
    Mutant {
        name: "4 lanes: the FFE history drops its oldest sample",
        lanes: 4,
        from: "localparam  hist_mask = 186'hfffffffff;",
        to: "localparam  hist_mask = 186'h3fffffff;",
    },
    Mutant {
        name: "4 lanes: the CDR frequency term is not scaled by P",
        lanes: 4,
        from: "localparam  lanes_log2 = 3'b10;",
        to: "localparam  lanes_log2 = 3'b0;",
    },
    Mutant {
        name: "4 lanes: the lock window is one clock long",
        lanes: 4,
        from: "localparam  win_last = 8'h3f;",
        to: "localparam  win_last = 8'h40;",
    },
];

#[test]
fn every_planted_bug_is_caught() {
    let designs: Vec<(RxParams, String)> = [1, 4]
        .iter()
        .map(|&lanes| {
            let p = RxParams::default().with_lanes(lanes).unwrap();
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
            .find(|d| d.0.lanes == m.lanes)
            .expect("a design per lane count");
        let n = clean.matches(m.from).count();
        assert!(
            n >= 1,
            "mutant `{}`: pattern `{}` not in the exported Verilog",
            m.name,
            m.from
        );
        let mutated = clean.replace(m.from, m.to);
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
