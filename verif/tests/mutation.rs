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
use cporx_verif::*;
use proptest::test_runner::TestError;

struct Mutant {
    name: &'static str,
    /// lanes of the design it mutates
    lanes: usize,
    /// mutates the design with the adaptation built (`RxParams::adapt`, default registers)
    adapt: bool,
    /// mutates the design with the DFE in the slicer's place (`RxParams::dfe_taps` = 1,
    /// reset tap 24, no adaptation)
    dfe: bool,
    /// (pattern, replacement) pairs, applied in turn to every occurrence
    edits: &'static [(&'static str, &'static str)],
}

const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "FFE rounds half down instead of half up",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("localparam  bias = 20'h10;", "localparam  bias = 20'hf;")],
    },
    Mutant {
        name: "slicer compares y > t1 instead of y >= t1",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("if (y_f >= t1)", "if (y_f > t1)")],
    },
    Mutant {
        name: "FFE high saturation value one LSB low",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("localparam  y_max = 8'h7f;", "localparam  y_max = 8'h7e;")],
    },
    Mutant {
        name: "FFE low saturation value one LSB high",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("localparam  y_min = 8'h80;", "localparam  y_min = 8'h81;")],
    },
    Mutant {
        name: "the taps treat the ADC code as unsigned",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "pp2_r$d = cn2;",
            // the top digit 10 read as +2 instead of -2 (cn2 stays read: the mutant must
            // still build with -Wall)
            "pp2_r$d = c2 | (cn2 & 10'h0);",
        )],
    },
    Mutant {
        name: "slicer Gray code of level 2 is 10",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "localparam  gray_k$2 = 2'b11;",
            "localparam  gray_k$2 = 2'b10;",
        )],
    },
    Mutant {
        name: "CDR detector sign flipped",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("z = term_a - term_b;", "z = term_b - term_a;")],
    },
    Mutant {
        name: "CDR proportional gain one shift too large",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("(z_ph << kp_r$q)", "(z_ph << (kp_r$q + 4'h1))")],
    },
    Mutant {
        name: "CDR integral gain one shift too large",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "inc_r$d = z_in << ki_r$q;",
            "inc_r$d = z_in << (ki_r$q + 3'h1);",
        )],
    },
    Mutant {
        name: "CDR frequency register wraps instead of saturating",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "sat_hi_f = sgn_sum | lim_p;",
            "sat_hi_f = 25'h1ffffff;",
        )],
    },
    Mutant {
        name: "CDR frequency range register ignored (always +-3906 ppm)",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "lim_p = (((flim_r$q) & 25'h1ffffff) + one_sum) << lim_sh;",
            "lim_p = (25'hff + one_sum) << lim_sh;",
        )],
    },
    Mutant {
        name: "CDR lock detector counts |err| >= thr as bad",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("flag_r$d = (ef > thi)", "flag_r$d = (ef >= thi)")],
    },
    Mutant {
        name: "CDR false-lock kick moves the phase by nothing",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "localparam  half_ui = 27'h4000000;",
            "localparam  half_ui = 27'h0;",
        )],
    },
    Mutant {
        // the RTL before the power-up fix kept the lock bounds as sign-flipped codes,
        // whose power-up 0 means -512 (every sample bad) until the first reset or write
        // of lock_thr, not lock_thr = 0: here a flag that a reset or that write sets
        // selects the bounds, else the code of the most negative bound. Identical after
        // a reset, so only cases that start from power-up can catch it.
        name: "CDR lock bounds -256 until set (the old power-up)",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[
            ("reg  [8:0] thi_f;", "reg  [8:0] thi_f;\n    reg  lthr_set;"),
            (
                "thi_f = ((lthr_r$q) & 9'h1ff) ^ sgn_thr;",
                "thi_f = lthr_set ? (((lthr_r$q) & 9'h1ff) ^ sgn_thr) : 9'h0;",
            ),
            (
                "endmodule // top$cdr\n",
                "initial lthr_set = 1'b0;\n\
                 always @(posedge clock) if (rst || (cfg_we && (cfg_addr == adr_lthr))) lthr_set <= 1'b1;\n\
                 endmodule // top$cdr\n",
            ),
        ],
    },
    Mutant {
        name: "4 lanes: the FFE history drops its oldest sample",
        lanes: 4,
        adapt: false,
        dfe: false,
        edits: &[(
            "localparam  hist_mask = 186'hfffffffff;",
            "localparam  hist_mask = 186'h3fffffff;",
        )],
    },
    Mutant {
        name: "4 lanes: the CDR frequency term is not scaled by P",
        lanes: 4,
        adapt: false,
        dfe: false,
        edits: &[(
            "localparam  lanes_log2 = 3'b10;",
            "localparam  lanes_log2 = 3'b0;",
        )],
    },
    Mutant {
        name: "4 lanes: the lock window is one clock long",
        lanes: 4,
        adapt: false,
        dfe: false,
        edits: &[(
            "localparam  win_last = 8'h3f;",
            "localparam  win_last = 8'h40;",
        )],
    },
    Mutant {
        name: "adaptive: LMS gradient sign flipped",
        lanes: 1,
        adapt: true,
        dfe: false,
        edits: &[("if (e_neg != x_neg) begin", "if (e_neg == x_neg) begin")],
    },
    Mutant {
        name: "adaptive: LMS step one shift too large",
        lanes: 1,
        adapt: true,
        dfe: false,
        edits: &[(
            "step = one_wide << (frac - mu);",
            "step = one_wide << (frac - mu + 4'h1);",
        )],
    },
    Mutant {
        name: "adaptive: a level register wraps instead of saturating",
        lanes: 1,
        adapt: true,
        dfe: false,
        // the sum taken modulo 2^23 (the register's width) before the bound compares
        edits: &[(
            "sum = wide + (e_wide << (frac - mu));",
            "sum = wide + (e_wide << (frac - mu));\n        sum = {{2{sum[22]}}, sum[22:0]};",
        )],
    },
    Mutant {
        name: "adaptive: the t0 midpoint rounds down",
        lanes: 1,
        adapt: true,
        dfe: false,
        edits: &[(
            "r0 = o0 | o1;",
            "r0 = o0 & o1;",
        )],
    },
    Mutant {
        name: "adaptive: the LMS port writes over the bus",
        lanes: 1,
        adapt: true,
        dfe: false,
        edits: &[(
            "if (~cfg_we && adapt$0$ffe_we) begin",
            "if (adapt$0$ffe_we | (cfg_we & 1'b0)) begin",
        )],
    },
    Mutant {
        name: "adaptive: the AGC steps the wrong way",
        lanes: 1,
        adapt: true,
        dfe: false,
        // too loud (accumulator positive) steps the gain up, too quiet down
        edits: &[(
            "if (a[msb_a]) begin\n                    if (gain_r$q != max_g)",
            "if (!a[msb_a]) begin\n                    if (gain_r$q != max_g)",
        )],
    },
    Mutant {
        name: "adaptive: the gain code wraps at 31",
        lanes: 1,
        adapt: true,
        dfe: false,
        edits: &[(
            "if (gain_r$q != max_g) begin",
            "if ((gain_r$q != max_g) | 1'b1) begin",
        )],
    },
    Mutant {
        name: "read-back: a reset does not clear rd_data",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[("rd_r$d = zero_rd;", "rd_r$d = rd_c | zero_rd;")],
    },
    Mutant {
        name: "read-back: coefficient k reads its 3c register",
        lanes: 1,
        adapt: false,
        dfe: false,
        edits: &[(
            "rd = c1_r$q[(32'h0)+:(8)];",
            "rd = c3_r$q[(32'h0)+:(8)];",
        )],
    },
    Mutant {
        // lane 0 takes its own previous decision (the sample P UI back) instead of the
        // previous clock's lane P-1 (the sample one UI back)
        name: "4 lanes, DFE: lane 0 selects with the wrong previous decision",
        lanes: 4,
        adapt: false,
        dfe: true,
        edits: &[("lane$0$sp = sp_last;", "lane$0$sp = sym_r$0$q | (sp_last & 2'b0);")],
    },
];

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
