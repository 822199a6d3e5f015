//! The mutation check's mutants: planted bugs in the exported Verilog of the receive top
//! (one lane, or four lanes for the multi-lane mutants; the adaptation or the DFE built for
//! theirs). verif/tests/mutation.rs runs the equivalence property (model == Verilator on
//! every output of every cycle) on each and must see it fail; the proofs
//! (verif/tests/formal.rs, `cporx prove --mutants`) run on the block of every mutant that
//! changes a proven property and must see that proof fail.

/// A planted bug: edits of the exported Verilog, and the design it mutates.
#[derive(Debug)]
pub struct Mutant {
    pub name: &'static str,
    /// lanes of the design it mutates
    pub lanes: usize,
    /// mutates the design with the adaptation built (`RxParams::adapt`, default registers)
    pub adapt: bool,
    /// mutates the design with the DFE in the slicer's place (`RxParams::dfe_taps` = 1,
    /// reset tap 24, no adaptation)
    pub dfe: bool,
    /// (pattern, replacement) pairs, applied in turn to every occurrence
    pub edits: &'static [(&'static str, &'static str)],
    /// the proof that must catch it, when the mutant changes a proven property
    pub proof: Option<MutantProof>,
}

/// Where a mutant meets the proofs: the block whose contract it breaks, the proof size
/// (a [`crate::formal::Design`]'s `size`) and the edits on that block's exported Verilog
/// (`None`: the mutant's own edits, when the pattern reads the same in the block alone).
#[derive(Debug)]
pub struct MutantProof {
    pub block: &'static str,
    pub size: &'static str,
    pub edits: Option<&'static [(&'static str, &'static str)]>,
}

impl Mutant {
    /// The receive-top parameters of the design this mutant mutates (the defaults, with
    /// its lanes, the adaptation, or the DFE with reset tap 24).
    pub fn params(&self) -> cporx_spec::RxParams {
        let mut p = cporx_spec::RxParams::default()
            .with_lanes(self.lanes)
            .expect("a legal lane count");
        if self.adapt {
            p.adapt = Some(cporx_spec::AdaptParams::default());
        }
        if self.dfe {
            p.dfe_taps = 1;
            p.dfe_reset = 24;
        }
        p
    }
}

/// Apply `edits` in turn, every occurrence; an error names a pattern that is not there.
pub fn apply(text: &str, edits: &[(&str, &str)]) -> Result<String, String> {
    let mut out = text.to_string();
    for &(from, to) in edits {
        if !out.contains(from) {
            return Err(format!("pattern `{from}` not in the Verilog"));
        }
        out = out.replace(from, to);
    }
    Ok(out)
}

/// The mutants (verif/tests/mutation.rs runs the equivalence property on each; the
/// proofs run on those with a [`MutantProof`], verif/tests/formal.rs and `cporx prove
/// --mutants`).
pub const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "FFE rounds half down instead of half up",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof { block: "ffe", size: "N=3 P=1", edits: None }),
        edits: &[("localparam  bias = 20'h10;", "localparam  bias = 20'hf;")],
    },
    Mutant {
        name: "slicer compares y > t1 instead of y >= t1",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: None,
        edits: &[("if (y_f >= t1)", "if (y_f > t1)")],
    },
    Mutant {
        name: "FFE high saturation value one LSB low",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof { block: "ffe", size: "N=3 P=1", edits: None }),
        edits: &[("localparam  y_max = 8'h7f;", "localparam  y_max = 8'h7e;")],
    },
    Mutant {
        name: "FFE low saturation value one LSB high",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof { block: "ffe", size: "N=3 P=1", edits: None }),
        edits: &[("localparam  y_min = 8'h80;", "localparam  y_min = 8'h81;")],
    },
    Mutant {
        name: "the taps treat the ADC code as unsigned",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof { block: "ffe", size: "N=3 P=1", edits: None }),
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
        proof: None,
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[("z = term_a - term_b;", "z = term_b - term_a;")]),
        }),
        edits: &[("z = term_a - term_b;", "z = term_b - term_a;")],
    },
    Mutant {
        name: "CDR proportional gain one shift too large",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[("(z_ph << kp_r$q)", "(z_ph << (kp_r$q + 4'h1))")]),
        }),
        edits: &[("(z_ph << kp_r$q)", "(z_ph << (kp_r$q + 4'h1))")],
    },
    Mutant {
        name: "CDR integral gain one shift too large",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[("inc_r$d = z_in << ki_r$q;", "inc_r$d = z_in << (ki_r$q + 3'h1);")]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[("sat_hi_f = sgn_sum | lim_p;", "sat_hi_f = 25'h1ffffff;")]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[(
                "lim_p = (((flim_r$q) & 25'h1ffffff) + one_sum) << lim_sh;",
                "lim_p = (25'hff + one_sum) << lim_sh;",
            )]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[("flag_r$d = (ef > thi)", "flag_r$d = (ef >= thi)")]),
        }),
        edits: &[("flag_r$d = (ef > thi)", "flag_r$d = (ef >= thi)")],
    },
    Mutant {
        name: "CDR false-lock kick moves the phase by nothing",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[(
                "localparam  half_ui = 27'h4000000;",
                "localparam  half_ui = 27'h0;",
            )]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=1",
            edits: Some(&[
                ("reg  [8:0] thi_f;", "reg  [8:0] thi_f;\n    reg  lthr_set;"),
                (
                    "thi_f = ((lthr_r$q) & 9'h1ff) ^ sgn_thr;",
                    "thi_f = lthr_set ? (((lthr_r$q) & 9'h1ff) ^ sgn_thr) : 9'h0;",
                ),
                (
                    // the block alone is module `top` (in the receive top, `top$cdr`)
                    "endmodule // top\n",
                    "initial lthr_set = 1'b0;\n\
                     always @(posedge clock) if (rst || (cfg_we && (cfg_addr == adr_lthr))) lthr_set <= 1'b1;\n\
                     endmodule // top\n",
                ),
            ]),
        }),
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
        proof: Some(MutantProof {
            block: "ffe",
            size: "N=2 P=2",
            // P + N - 1 = 3 samples kept there: 18 bits, 12 with the oldest dropped
            edits: Some(&[("localparam  hist_mask = 186'h3ffff;", "localparam  hist_mask = 186'hfff;")]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=2",
            // the same bug at the proof's 2 lanes: log2 P = 1, W = 128 clocks
            edits: Some(&[("localparam  lanes_log2 = 3'b1;", "localparam  lanes_log2 = 3'b0;")]),
        }),
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
        proof: Some(MutantProof {
            block: "cdr",
            size: "P=2",
            // the same bug at the proof's 2 lanes: log2 P = 1, W = 128 clocks
            edits: Some(&[("localparam  win_last = 8'h7f;", "localparam  win_last = 8'h80;")]),
        }),
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
        proof: None,
        edits: &[("if (e_neg != x_neg) begin", "if (e_neg == x_neg) begin")],
    },
    Mutant {
        name: "adaptive: LMS step one shift too large",
        lanes: 1,
        adapt: true,
        dfe: false,
        proof: None,
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
        proof: None,
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
        proof: None,
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
        proof: None,
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
        proof: None,
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
        proof: None,
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
        proof: None,
        edits: &[("rd_r$d = zero_rd;", "rd_r$d = rd_c | zero_rd;")],
    },
    Mutant {
        name: "read-back: coefficient k reads its 3c register",
        lanes: 1,
        adapt: false,
        dfe: false,
        proof: Some(MutantProof { block: "ffe", size: "N=3 P=1", edits: None }),
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
        proof: None,
        edits: &[("lane$0$sp = sp_last;", "lane$0$sp = sym_r$0$q | (sp_last & 2'b0);")],
    },
];
