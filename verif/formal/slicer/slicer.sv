// Formal contract of the PAM-4 slicer (hdl/src/slicer.rs): docs/numerics.md "Slicer",
// "Configuration bus", "Reset and power-up" and "Latency" written as assertions about the
// exported block, checked by SymbiYosys (slicer.sby; `cporx prove --block slicer`).
//
// The wrapper drives every input freely (`anyseq`: any y on every lane, any configuration
// write, including thresholds out of order, reset at any cycle) and keeps the spec's own
// copy of the levels, from which it decides each lane itself:
//
//   symbol = 3 if y >= t2, else 2 if y >= t1, else 1 if y >= t0, else 0   (signed)
//   gray   = G(symbol), G = {0: 00, 1: 01, 2: 11, 3: 10}
//   err    = y - L[symbol]                                   (exact, 9 bits)
//
// with the levels as they are before the edge that registers the decision, delayed by
// LAT_SLICER edges. Beside that reference, the contract's named properties are stated on
// the block's own outputs: the symbol is monotone in y (across lanes in one clock, and
// across clocks with the same levels), err is y minus the target of the block's own
// symbol, gray is G of the block's own symbol, a y equal to a threshold goes up. The same
// equations are the model's untimed reference, sim/model/src/reference.rs `slicer_ref`.
//
// Level registers: power-up 0; a write to CFG_THRESH_BASE + k / CFG_TARGET_BASE + k lands
// at the edge of its cycle (first used by the decision registered at the next edge); a
// reset sets RESET_THR / RESET_TGT and wins over a write; symbol, gray, err reset to 0.
//
// Generated beside this file by `cporx prove`: dut.v (the slicer exported for the proof's
// parameters, module `top`), dut_flat.v (module `dut_flat`: `y$j`, `symbol$j`, `gray$j`,
// `err$j` packed into `y`, `symbol`, `gray`, `err`, lane j at [w*j +: w]), params.vh (P,
// the reset levels, the Gray table and the spec's constants from cporx-spec), probes.ys.
//
// Probes: fv_thr (threshold k at LEVEL_BITS*k), fv_tgt (target k at LEVEL_BITS*k): the
// block's level registers `thr$k$q`, `tgt$k$q`.
//
// Sizes proven: blocks/slicer.rs (1 and 2 lanes).
module slicer_formal(input clock);
`include "params.vh"

  localparam LB = LEVEL_BITS;
  localparam EB = ERR_BITS;

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire [Y_BITS*P-1:0] y;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] rd_addr;
  wire [2*P-1:0] symbol;
  wire [2*P-1:0] gray;
  wire [EB*P-1:0] err;
  wire [CFG_DATA_BITS-1:0] rd;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .y(y), .symbol(symbol), .gray(gray), .err(err),
               .rd_addr(rd_addr), .rd(rd));

  wire [LB*3-1:0] fv_thr;
  wire [LB*4-1:0] fv_tgt;

  // ---- the spec's level registers --------------------------------------------------------
  reg [LB*3-1:0] thr = 0;               // t_k at [LB*k +: LB]
  reg [LB*4-1:0] tgt = 0;               // L_k at [LB*k +: LB]
  integer k, j, i;
  always @(posedge clock) begin
    for (k = 0; k < 3; k = k + 1)
      if (cfg_we && cfg_addr == CFG_THRESH_BASE + k)
        thr[LB*k +: LB] <= cfg_data;
    for (k = 0; k < 4; k = k + 1)
      if (cfg_we && cfg_addr == CFG_TARGET_BASE + k)
        tgt[LB*k +: LB] <= cfg_data;
    if (rst) begin
      thr <= RESET_THR;
      tgt <= RESET_TGT;
    end
  end

  // ---- the reference decision of every lane, from the levels before the edge -------------
  reg [2*P-1:0] sym_ref;
  reg [EB*P-1:0] err_ref;
  reg signed [LB-1:0] yj, t0, t1, t2;
  reg signed [EB+1:0] ew;               // y - L, wide
  always @(*) begin
    t0 = thr[0 +: LB];
    t1 = thr[LB +: LB];
    t2 = thr[2*LB +: LB];
    for (j = 0; j < P; j = j + 1) begin
      yj = y[Y_BITS*j +: Y_BITS];
      sym_ref[2*j +: 2] = yj >= t2 ? 2'd3 : yj >= t1 ? 2'd2 : yj >= t0 ? 2'd1 : 2'd0;
      ew = yj - $signed(tgt[LB*sym_ref[2*j +: 2] +: LB]);
      err_ref[EB*j +: EB] = ew[EB-1:0];
    end
  end

  // ---- delayed by the latency: the reference, and the inputs and levels it was made of ---
  // stage 0 registers at the decision's edge (reset clears the outputs); LAT_SLICER stages
  localparam D = LAT_SLICER;
  reg [2*P-1:0] symd [0:D-1];
  reg [EB*P-1:0] errd [0:D-1];
  reg [Y_BITS*P-1:0] yd [0:D-1];        // the y each output decides
  reg [LB*3-1:0] thrd [0:D-1];          // the levels it was decided with
  reg [LB*4-1:0] tgtd [0:D-1];
  reg rstd [0:D-1];                     // it is a reset output (all 0)
  initial for (i = 0; i < D; i = i + 1) begin
    symd[i] = 0; errd[i] = 0; yd[i] = 0; thrd[i] = 0; tgtd[i] = 0; rstd[i] = 0;
  end
  always @(posedge clock) begin
    symd[0] <= rst ? 0 : sym_ref;
    errd[0] <= rst ? 0 : err_ref;
    yd[0] <= y;
    thrd[0] <= thr;
    tgtd[0] <= tgt;
    rstd[0] <= rst;
    for (i = 1; i < D; i = i + 1) begin
      symd[i] <= rst ? 0 : symd[i-1];
      errd[i] <= rst ? 0 : errd[i-1];
      yd[i] <= yd[i-1];
      thrd[i] <= thrd[i-1];
      tgtd[i] <= tgtd[i-1];
      rstd[i] <= rst | rstd[i-1];
    end
  end
  wire [2*P-1:0] sym_e = symd[D-1];
  wire [Y_BITS*P-1:0] y_e = yd[D-1];
  wire [LB*3-1:0] thr_e = thrd[D-1];
  wire [LB*4-1:0] tgt_e = tgtd[D-1];
  wire rst_e = rstd[D-1];
  // the outputs are decisions once D edges have passed since power-up, except after a reset
  reg [3:0] age = 0;
  always @(posedge clock)
    if (age < D) age <= age + 1;
  wire dec_e = age >= D && !rst_e;

  // the previous output's y, levels and symbols (monotonicity across clocks), and the
  // decision the previous levels would have given this output's y (covers: a write is used)
  reg [Y_BITS*P-1:0] y_p = 0;
  reg [LB*3-1:0] thr_p = 0;
  reg [LB*4-1:0] tgt_p = 0;
  reg [2*P-1:0] sym_p = 0, gray_p = 0;
  reg [EB*P-1:0] err_p = 0;
  reg rst_p = 0;
  reg dec_p = 0;                        // the previous output was a decision
  always @(posedge clock) begin
    dec_p <= dec_e;
    y_p <= y_e;
    thr_p <= thr_e;
    tgt_p <= tgt_e;
    sym_p <= symbol;
    gray_p <= gray;
    err_p <= err;
    rst_p <= rst_e;
  end
  reg [2*P-1:0] sym_old;                // y_e decided with the previous output's levels
  reg signed [LB-1:0] yo;
  always @(*)
    for (j = 0; j < P; j = j + 1) begin
      yo = y_e[Y_BITS*j +: Y_BITS];
      sym_old[2*j +: 2] = yo >= $signed(thr_p[2*LB +: LB]) ? 2'd3
                        : yo >= $signed(thr_p[LB +: LB]) ? 2'd2
                        : yo >= $signed(thr_p[0 +: LB]) ? 2'd1 : 2'd0;
    end
  wire thr_ordered = $signed(thr_e[0 +: LB]) <= $signed(thr_e[LB +: LB])
                  && $signed(thr_e[LB +: LB]) <= $signed(thr_e[2*LB +: LB]);

  // the read-back the spec gives: the level register at rd_addr
  wire rd_thr = rd_addr >= CFG_THRESH_BASE && rd_addr < CFG_THRESH_BASE + 3;
  wire rd_tgt = rd_addr >= CFG_TARGET_BASE && rd_addr < CFG_TARGET_BASE + 4;
  wire rd_lvl = rd_thr || rd_tgt;
  wire [LB-1:0] rd_spec = rd_thr ? thr[LB*(rd_addr - CFG_THRESH_BASE) +: LB]
                        : tgt[LB*(rd_addr - CFG_TARGET_BASE) +: LB];

  // ---- properties ----------------------------------------------------------------------
  always @(*) begin
    // the level registers hold the spec's levels: writes land at their edge, reset wins
    a_levels: assert (fv_thr == thr && fv_tgt == tgt);
    // after a reset cycle: the reset levels, and every output 0
    if (rst_e) begin
      a_rst_levels: assert (fv_thr == RESET_THR && fv_tgt == RESET_TGT);
      a_rst_out: assert (symbol == 0 && gray == 0 && err == 0);
    end
    // read-back: the level at its address, 0 elsewhere
    if (rd_lvl)
      a_rd: assert (rd == rd_spec);
    else
      a_rd_zero: assert (rd == 0);
  end

  genvar gj, gk, gm;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      wire [1:0] s = symbol[2*gj +: 2];
      wire signed [Y_BITS-1:0] ye = y_e[Y_BITS*gj +: Y_BITS];
      wire signed [Y_BITS-1:0] yp = y_p[Y_BITS*gj +: Y_BITS];
      wire signed [EB-1:0] e = err[EB*gj +: EB];
      wire signed [LB-1:0] ls = tgt_e[LB*s +: LB];
      always @(*) begin
        // the decision of the priority rule on the levels before its edge, LAT_SLICER
        // edges after its y (reset outputs 0)
        assert (s == sym_e[2*gj +: 2]); // a_symbol
        // err = y - L[symbol], exact, with the block's own symbol
        if (!rst_e)
          assert ($signed({e[EB-1], e}) == ye - ls); // a_err
        // gray is the Gray code of the block's own symbol
        if (!rst_e)
          assert (gray[2*gj +: 2] == GRAY[2*s +: 2]); // a_gray
        // monotone across clocks: the same levels, a y no smaller, a symbol no smaller
        if (dec_e && dec_p && thr_e == thr_p && ye >= yp)
          assert (s >= sym_p[2*gj +: 2]); // a_mono_time
      end
      for (gk = 0; gk < 3; gk = gk + 1) begin : thresh
        wire signed [LB-1:0] t = thr_e[LB*gk +: LB];
        always @(*) begin
          // a tie goes up: y == t_k decides at least k + 1 (whatever the order)
          if (dec_e && ye == t)
            assert (s >= gk + 1); // a_tie
          // just below a threshold of ordered levels: at most k
          if (dec_e && thr_ordered && ye == t - 1)
            assert (s <= gk); // a_below
        end
      end
      // monotone across lanes: one clock's lanes share the levels
      for (gm = gj + 1; gm < P; gm = gm + 1) begin : pair
        wire signed [Y_BITS-1:0] ym = y_e[Y_BITS*gm +: Y_BITS];
        wire [1:0] sm = symbol[2*gm +: 2];
        always @(*)
          if (dec_e) begin
            if (ye <= ym) assert (s <= sm); // a_mono_lanes
            if (ye >= ym) assert (s >= sm); // a_mono_lanes
          end
      end
    end
  endgenerate

  // ---- covers: every assertion's condition is reachable ----------------------------------
  localparam L = Y_BITS * (P - 1);      // the last lane's y
  wire signed [Y_BITS-1:0] y_last = y_e[L +: Y_BITS];
  wire [1:0] s_last = symbol[2*(P-1) +: 2];
  wire signed [EB-1:0] e_last = err[EB*(P-1) +: EB];
  wire signed [EB-1:0] ep_last = err_p[EB*(P-1) +: EB];
  wire signed [Y_BITS-1:0] yp_last = y_p[L +: Y_BITS];
  wire [1:0] sp_last = sym_p[2*(P-1) +: 2];
  always @(*) begin
    // levels written to an order the defaults do not have (t0 above t2)
    c_levels: cover ($signed(fv_thr[0 +: LB]) > $signed(fv_thr[2*LB +: LB]) && !rst);
    // a reset over levels that differed from the reset values, and over non-zero outputs
    c_rst_levels: cover (rst_e && thr_e != RESET_THR && tgt_e != RESET_TGT);
    c_rst_out: cover (rst_e && sym_p != 0 && err_p != 0);
    c_rd: cover (rd_addr == CFG_TARGET_BASE + 3 && rd != RESET_TGT[3*LB +: LB] && rd != 0);
    c_rd_zero: cover (rd_addr == CFG_THRESH_BASE + 3);
    // a level written in the previous cycle changes this output's decision
    c_symbol: cover (dec_e && dec_p && sym_old != symbol);
    // err at both ends of its range, in two outputs in a row (last lane)
    c_err: cover (dec_e && dec_p && e_last == Y_MIN - Y_MAX && ep_last == Y_MAX - Y_MIN);
    // the two symbols whose Gray code is not their binary code, in two outputs in a row
    c_gray: cover (dec_e && dec_p && s_last == 2 && sp_last == 3);
    c_mono_time: cover (dec_e && dec_p && thr_e == thr_p && y_last > yp_last
                        && s_last > sp_last);
    // a tie decided up where the next threshold is above (so the tie alone decides)
    c_tie: cover (dec_e && y_last == $signed(thr_e[LB +: LB])
                  && $signed(thr_e[2*LB +: LB]) > y_last);
    c_below: cover (dec_e && thr_ordered && y_last == $signed(thr_e[2*LB +: LB]) - 1
                    && $signed(thr_e[LB +: LB]) < $signed(thr_e[2*LB +: LB]) - 1);
  end
  generate
    if (P > 1) begin : pairs
      wire signed [Y_BITS-1:0] y0 = y_e[0 +: Y_BITS], y1 = y_e[Y_BITS +: Y_BITS];
      always @(*)
        cover (dec_e && y0 < y1 && symbol[1:0] < symbol[3:2]); // c_mono_lanes
    end
  endgenerate
endmodule
