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
        proof: Some(MutantProof { block: "slicer", size: "P=1", edits: None }),
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
        proof: Some(MutantProof { block: "slicer", size: "P=1", edits: None }),
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
        proof: Some(MutantProof { block: "lms", size: "N=3 P=1", edits: None }),
        edits: &[("if (e_neg != x_neg) begin", "if (e_neg == x_neg) begin")],
    },
    Mutant {
        name: "adaptive: LMS step one shift too large",
        lanes: 1,
        adapt: true,
        dfe: false,
        proof: Some(MutantProof { block: "lms", size: "N=3 P=1", edits: None }),
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
        proof: Some(MutantProof { block: "levels", size: "targets=[-48, -16, 16, 48]", edits: None }),
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
        proof: Some(MutantProof { block: "levels", size: "targets=[-48, -16, 16, 48]", edits: None }),
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
        proof: Some(MutantProof { block: "agc", size: "P=1", edits: None }),
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
        proof: Some(MutantProof { block: "agc", size: "P=1", edits: None }),
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
        // at P = 2 the same bug: lane 0 takes its own register (2 UI back), not lane 1's
        proof: Some(MutantProof {
            block: "dfe",
            size: "P=2 plain",
            edits: Some(&[("lane$0$sp = sp_last;", "lane$0$sp = sym_r$0$q | (sp_last & 2'b0);")]),
        }),
        edits: &[("lane$0$sp = sp_last;", "lane$0$sp = sym_r$0$q | (sp_last & 2'b0);")],
    },
];

/// A planted bug in one block alone: edits of the block's export at one proof size, for
/// blocks the receive top's mutants do not reach (the BIST generator and checker) and for
/// contracts a top-level mutant cannot isolate. verif/tests/formal.rs runs the block's
/// proof on each and must see `property` fail; `cporx prove --mutants` lists them in the
/// same table (the property tests of the receive top do not run on a block alone).
#[derive(Debug)]
pub struct BlockMutant {
    pub name: &'static str,
    pub block: &'static str,
    /// a [`crate::formal::Design`]'s `size` of `block`
    pub size: &'static str,
    /// (pattern, replacement) pairs on the block's export, applied in turn to every
    /// occurrence
    pub edits: &'static [(&'static str, &'static str)],
    /// the property that must fail (others may fail too)
    pub property: &'static str,
}

/// The block mutants (see [`BlockMutant`]).
pub const BLOCK_MUTANTS: &[BlockMutant] = &[
    BlockMutant {
        name: "PRBS generator: reset seed 0x1ffe instead of 0x1fff",
        block: "prbs_gen",
        size: "P=2",
        edits: &[(
            "localparam  seed = 13'b1111111111111;",
            "localparam  seed = 13'b1111111111110;",
        )],
        property: "a_reset",
    },
    BlockMutant {
        // the parity masks (step_masks(4), hdl/src/bist/prbs_gen.rs) as computed from the
        // tap mask 13'b1100000000101: every mask that differs at P = 2
        name: "PRBS generator: feedback tap x^3 instead of x^2",
        block: "prbs_gen",
        size: "P=2",
        edits: &[
            (
                "localparam  msb_mask$0 = 13'b1100000000011;",
                "localparam  msb_mask$0 = 13'b1100000000101;",
            ),
            (
                "localparam  msb_mask$1 = 13'b101000000001;",
                "localparam  msb_mask$1 = 13'b1001000000110;",
            ),
            (
                "localparam  lsb_mask$0 = 13'b1010000000010;",
                "localparam  lsb_mask$0 = 13'b1010000000111;",
            ),
            (
                "localparam  lsb_mask$1 = 13'b1110100000011;",
                "localparam  lsb_mask$1 = 13'b100100000011;",
            ),
            (
                "localparam  next_mask$9 = 13'b1100000000011;",
                "localparam  next_mask$9 = 13'b1100000000101;",
            ),
            (
                "localparam  next_mask$10 = 13'b1010000000010;",
                "localparam  next_mask$10 = 13'b1010000000111;",
            ),
            (
                "localparam  next_mask$11 = 13'b101000000001;",
                "localparam  next_mask$11 = 13'b1001000000110;",
            ),
            (
                "localparam  next_mask$12 = 13'b1110100000011;",
                "localparam  next_mask$12 = 13'b100100000011;",
            ),
        ],
        property: "a_lfsr",
    },
    BlockMutant {
        name: "PRBS generator: no escape from the all-zero state",
        block: "prbs_gen",
        size: "P=2",
        edits: &[("if (rst || (lfsr$q == zero13)) begin", "if (rst) begin")],
        property: "a_nonzero",
    },
    BlockMutant {
        name: "PRBS generator: Gray pair 11 sent as level 3",
        block: "prbs_gen",
        size: "P=2",
        edits: &[("sym_c$0 = lvl$2;", "sym_c$0 = lvl$3;")],
        property: "a_sym",
    },
    BlockMutant {
        name: "PRBS generator: inject on the level, not the rising edge",
        block: "prbs_gen",
        size: "P=2",
        edits: &[("if (inject && ~inj_r$q) begin", "if (inject) begin")],
        // a_inject looks only at rising edges; a_sym sees the flips while inject stays high
        property: "a_sym",
    },
    BlockMutant {
        name: "PRBS checker: reset keeps the history",
        block: "prbs_chk",
        size: "P=2",
        edits: &[("hist$d = zero13;", "hist$d = w;")],
        property: "a_hist",
    },
    BlockMutant {
        name: "PRBS checker: an invalid clock keeps the fill",
        block: "prbs_chk",
        size: "P=2",
        edits: &[("fill_n = zero3;", "fill_n = fill$q;")],
        property: "a_fill",
    },
    BlockMutant {
        name: "PRBS checker: the bit-error counter wraps",
        block: "prbs_chk",
        size: "P=2",
        edits: &[("cnt_b$d = ones32;", "cnt_b$d = s33b[(low32)+:(32)];")],
        property: "a_sat_b",
    },
    BlockMutant {
        name: "PRBS checker: a symbol with both bits wrong counts one bit error",
        block: "prbs_chk",
        size: "P=2",
        edits: &[("sb = sb + two6;", "sb = sb + one6;")],
        // the clock's increment register, one stage before the counter
        property: "a_inc",
    },
    BlockMutant {
        name: "PRBS checker: synced after the first valid clock",
        block: "prbs_chk",
        size: "P=2",
        edits: &[(
            "synced_r$d = fill_n == fill_max;",
            "synced_r$d = fill_n != zero3;",
        )],
        property: "a_synced",
    },
    BlockMutant {
        name: "DFE: the feedback of s' = 0 is -d instead of -3d",
        block: "dfe",
        size: "P=1 plain",
        edits: &[("off$0$fb = zero_fb - d3;", "off$0$fb = zero_fb - d10;")],
        property: "a_offsets",
    },
    BlockMutant {
        name: "DFE: s' = 3 takes the error of s' = 2",
        block: "dfe",
        size: "P=1 plain",
        edits: &[("e_now = cand$3$err;", "e_now = cand$2$err;")],
        property: "a_err",
    },
    BlockMutant {
        name: "DFE: reset leaves the tap as it was",
        block: "dfe",
        size: "P=1 plain",
        edits: &[("d_r$d = d_rst;", "d_r$d = d_r$q;")],
        property: "a_reset",
    },
    BlockMutant {
        name: "DFE: lane 1 takes the previous clock's decision, not lane 0's of this clock",
        block: "dfe",
        size: "P=2 plain",
        edits: &[("lane$1$sp = lane$0$dec;", "lane$1$sp = sp_last;")],
        property: "a_ripple",
    },
    BlockMutant {
        name: "DFE adaptation: the step's sign inverted",
        block: "dfe",
        size: "P=1 adapt",
        edits: &[(
            "if (e[e_msb] != (sp >= two)) begin",
            "if (e[e_msb] == (sp >= two)) begin",
        )],
        property: "a_step",
    },
    BlockMutant {
        name: "DFE adaptation: the enable ignored (no freeze)",
        block: "dfe",
        size: "P=1 adapt",
        edits: &[(
            "else if (en_r$q && (e != zero_e)) begin",
            "else if ((e != zero_e)) begin",
        )],
        property: "a_hold",
    },
    BlockMutant {
        name: "DFE adaptation: the accumulator wraps at the top",
        block: "dfe",
        size: "P=1 adapt",
        edits: &[("next = hi;", "next = sum[(32'h0)+:(23)];")],
        property: "a_sat",
    },
];

/// The design of `block` at `size` with `edits` applied to its export.
pub fn mutated(
    block: &str,
    size: &str,
    edits: &[(&str, &str)],
) -> Result<crate::formal::Design, String> {
    let d = crate::formal::blocks::designs(Some(block))?
        .into_iter()
        .find(|d| d.size == size)
        .ok_or_else(|| format!("no {block} design of size {size}"))?;
    let mut md = d.clone();
    md.verilog = apply(&d.verilog, edits).map_err(|e| format!("{block} {size}: {e}"))?;
    Ok(md)
}

/// Run the proof of `block` at `size` on its export with `edits` (the mutation check's
/// run: no covers, [`crate::formal::run_mutant`]) in `dir`.
pub fn run_proof(
    block: &str,
    size: &str,
    edits: &[(&str, &str)],
    dir: &std::path::Path,
) -> Result<crate::formal::DesignRun, String> {
    crate::formal::run_mutant(&mutated(block, size, edits)?, dir)
}

/// The properties a mutant's run broke: a trace from power-up or an induction
/// counterexample.
pub fn caught(r: &crate::formal::DesignRun) -> Vec<&crate::formal::Row> {
    r.rows
        .iter()
        .filter(|row| {
            matches!(
                row.verdict,
                crate::formal::Verdict::Failed(_) | crate::formal::Verdict::NotInductive(_)
            )
        })
        .collect()
}
