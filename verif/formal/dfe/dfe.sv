// Formal contract of the 1-tap loop-unrolled PAM-4 DFE (hdl/src/dfe.rs): docs/numerics.md
// "DFE (decision feedback)" (with "Slicer", "Configuration bus", "Reset and power-up")
// written as assertions about the exported block, checked by SymbiYosys (dfe.sby; `cporx
// prove --block dfe`).
//
// The wrapper drives every input freely (`anyseq`: any y on every lane, any configuration
// write, thresholds out of order included, reset at any cycle) and keeps the spec's state
// itself, in wide (32-bit) arithmetic:
//
//   fb(s')  = d (2 s' - 3)
//   symbol  = 3 if y >= t2 + fb(s'), else 2 if y >= t1 + fb(s'), else 1 if y >= t0 + fb(s'), else 0
//   gray    = G(symbol), G = {0: 00, 1: 01, 2: 11, 3: 10}
//   err     = sat(y - fb(s') - L[symbol], ERR_MIN, ERR_MAX)
//   s'      lane 0: lane P-1's decision of the previous clock (0 after reset, power-up);
//           lane j > 0: lane j-1's decision of this clock
//   d, t, L the values written at least two edges before the decision's edge: a write at
//           edge c is used by the decisions registered at c + 2 (the spec's offsets
//           register `pd`, `pthr`, `ptgt` takes them at c + 1); the shifted levels
//           t_j + fb(s'), L_k + fb(s') of the four s' are exact (never saturated)
//   with the adaptation (ADAPT = 1), e and s' lane 0's error and previous decision of the
//   decision registered at the previous edge:
//     acc <- sext(cfg_data) << F                                   if the bus writes CFG_DFE
//     acc <- clamp(acc + sgn(e) sgn(2 s' - 3) 2^(F - mu), LO, HI)  else if en (CFG_ADAPT bit)
//     d   <- floor((acc + 2^(F-1)) / 2^F)                          (the accumulator after the edge)
//     en <- CFG_ADAPT bit EN_BIT, mu <- CFG_ADAPT_MU[3:0] on their writes
//     (LO = -128 2^F, HI = 127 2^F; e = 0 gives sgn(e) = 0: no step)
//   without it: d <- cfg_data on a write of CFG_DFE
//   rd      = the threshold, target or d at rd_addr, 0 elsewhere (combinational)
//   reset:  levels to RESET_THR / RESET_TGT, d to RESET_D, the offsets register to those,
//           outputs 0, acc to RESET_D << F, the registered s' to 0, en / mu to RST_EN /
//           RST_MU; power-up: every register 0
//
// The model's cycle-accurate equations are sim/model/src/dfe.rs (`dfe_decide`,
// `DfeTap::step`); sim/model/src/reference.rs has no untimed DFE reference.
//
// Generated beside this file by `cporx prove`: dut.v (the DFE exported for the proof's
// parameters, module `top`), dut_flat.v (module `dut_flat`: `y$j`, `symbol$j`, `gray$j`,
// `err$j` packed into `y`, `symbol`, `gray`, `err`, lane j at [w*j +: w]), params.vh (P,
// ADAPT, the reset values, the Gray table and the spec's constants from cporx-spec),
// probes.ys.
//
// Probes (wires fv_*, connected in probes.ys to the flattened block's registers):
//   fv_thr, fv_tgt  the level registers (level k at [LEVEL_BITS k +: LEVEL_BITS])
//   fv_d            the tap register d
//   fv_ta, fv_ga    the offsets register: t_j + fb(s) at [FB_BITS (3 s + j) +: FB_BITS],
//                   L_k + fb(s) at [FB_BITS (4 s + k) +: FB_BITS] (raw two's complement)
//   with ADAPT: fv_acc the accumulator, fv_en / fv_mu the block's copies of the enable and
//   the step code, fv_spq the registered previous decision of lane 0
// Sizes proven: see verif/src/formal/blocks/dfe.rs.
module dfe_formal(input clock);
`include "params.vh"

  localparam LB = LEVEL_BITS;
  localparam EB = ERR_BITS;
  localparam FW = FB_BITS;
  localparam DB = DFE_BITS;
  localparam [DB-1:0] RD = RESET_D;     // the reset tap's 8-bit pattern

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
  wire [DB-1:0] fv_d;
  wire [FW*12-1:0] fv_ta;
  wire [FW*16-1:0] fv_ga;
  wire [ACC_BITS-1:0] fv_acc;           // ADAPT only
  wire fv_en;
  wire [MU_BITS-1:0] fv_mu;
  wire [1:0] fv_spq;

  // ---- the spec's arithmetic ---------------------------------------------------------
  // d (2 s - 3): -3d, -d, d, 3d (no multiplier: the solver's bit-vector products are slow)
  function signed [31:0] fbk(input [DB-1:0] dv, input [1:0] s);
    reg signed [31:0] d1;
    begin
      d1 = $signed(dv);
      fbk = s == 0 ? -(d1 + d1 + d1) : s == 1 ? -d1 : s == 2 ? d1 : d1 + d1 + d1;
    end
  endfunction
  function [1:0] rule(input signed [31:0] yv, t0v, t1v, t2v);    // the priority rule
    rule = yv >= t2v ? 2'd3 : yv >= t1v ? 2'd2 : yv >= t0v ? 2'd1 : 2'd0;
  endfunction
  function signed [31:0] sat(input signed [31:0] v);
    sat = v < ERR_MIN ? ERR_MIN : v > ERR_MAX ? ERR_MAX : v;
  endfunction
  function signed [31:0] lv(input [LB-1:0] v);                   // a level, sign-extended
    lv = $signed(v);
  endfunction
  // the decision of y with previous decision s against tap dv and levels th, tg
  function [1:0] decide(input signed [31:0] yv, input [1:0] s, input [DB-1:0] dv,
                        input [LB*3-1:0] th);
    decide = rule(yv, lv(th[0 +: LB]) + fbk(dv, s), lv(th[LB +: LB]) + fbk(dv, s),
                  lv(th[2*LB +: LB]) + fbk(dv, s));
  endfunction
  // its error, for the symbol sy
  function signed [31:0] error(input signed [31:0] yv, input [1:0] s, input [DB-1:0] dv,
                               input [LB*4-1:0] tg, input [1:0] sy);
    error = sat(yv - fbk(dv, s) - lv(tg[LB*sy +: LB]));
  endfunction
  // stage by stage: the decision and its error against the offsets register (ta, ga: the
  // shifted levels of previous decision s, proven exact by a_offsets)
  function signed [31:0] sx(input [FW-1:0] v);                   // an offset, sign-extended
    sx = $signed(v);
  endfunction
  function [1:0] decide_o(input signed [31:0] yv, input [1:0] s, input [FW*12-1:0] ta);
    decide_o = rule(yv, sx(ta[FW*(3*s) +: FW]), sx(ta[FW*(3*s + 1) +: FW]),
                    sx(ta[FW*(3*s + 2) +: FW]));
  endfunction
  function signed [31:0] error_o(input signed [31:0] yv, input [1:0] s,
                                 input [FW*16-1:0] ga, input [1:0] sy);
    error_o = sat(yv - sx(ga[FW*(4*s + sy) +: FW]));
  endfunction
  function signed [31:0] round(input signed [31:0] a);          // floor((a + 2^(F-1)) / 2^F)
    round = (a + (32'sd1 <<< (FRAC - 1))) >>> FRAC;
  endfunction

  // ---- the spec's registers ----------------------------------------------------------
  reg [LB*3-1:0] thr = 0;               // t_k at [LB*k +: LB]
  reg [LB*4-1:0] tgt = 0;               // L_k at [LB*k +: LB]
  reg [DB-1:0] d_s = 0;                 // the tap
  reg [LB*3-1:0] pthr = 0;              // the offsets register's tap and levels
  reg [LB*4-1:0] ptgt = 0;
  reg [DB-1:0] pd = 0;
  reg [1:0] sp_ref = 0;                 // lane P-1's decision registered at the last edge
  reg [1:0] sp0_q = 0;                  // lane 0's s' of the decision registered then
  reg signed [31:0] e0_q = 0;           // lane 0's error of that decision
  reg signed [31:0] acc_s = 0;          // the accumulator (ADAPT)
  reg en_s = 0;
  reg [MU_BITS-1:0] mu_s = 0;

  // the reference decision of every lane (the ripple of s' through the lanes)
  reg [2*P-1:0] sym_ref, sp_of;         // lane j's decision, and its s'
  reg [EB*P-1:0] err_ref;
  reg signed [31:0] yv, ev;
  reg [1:0] spv, sv;
  integer j, k;
  always @(*) begin
    spv = sp_ref;
    for (j = 0; j < P; j = j + 1) begin
      yv = $signed(y[Y_BITS*j +: Y_BITS]);
      sv = decide_o(yv, spv, fv_ta);
      ev = error_o(yv, spv, fv_ga, sv);
      sym_ref[2*j +: 2] = sv;
      err_ref[EB*j +: EB] = ev[EB-1:0];
      sp_of[2*j +: 2] = spv;
      spv = sv;
    end
  end

  // the accumulator's next value
  wire wr_d = cfg_we && cfg_addr == CFG_DFE;
  wire signed [31:0] step = 32'sd1 <<< (FRAC - mu_s);          // 2^(F - mu)
  // sgn(e) sgn(2 s' - 3): +1 when e > 0 and s' >= 2 or e < 0 and s' <= 1; 0 when e = 0
  wire signed [31:0] sg = e0_q == 0 ? 0 : (e0_q > 0) == (sp0_q >= 2) ? 1 : -1;
  wire signed [31:0] upd = sg > 0 ? acc_s + step : sg < 0 ? acc_s - step : acc_s;
  wire signed [31:0] acc_nx = wr_d ? lv(cfg_data) <<< FRAC
                            : en_s ? (upd > ACC_HI ? ACC_HI : upd < ACC_LO ? ACC_LO : upd)
                            : acc_s;
  wire signed [31:0] d_nx = round(acc_nx);

  always @(posedge clock) begin
    pd <= d_s;
    pthr <= thr;
    ptgt <= tgt;
    sp_ref <= sym_ref[2*(P-1) +: 2];
    sp0_q <= sp_ref;
    e0_q <= $signed(err_ref[0 +: EB]);
    for (k = 0; k < 3; k = k + 1)
      if (cfg_we && cfg_addr == CFG_THRESH_BASE + k)
        thr[LB*k +: LB] <= cfg_data;
    for (k = 0; k < 4; k = k + 1)
      if (cfg_we && cfg_addr == CFG_TARGET_BASE + k)
        tgt[LB*k +: LB] <= cfg_data;
    if (ADAPT) begin
      acc_s <= acc_nx;
      d_s <= d_nx[DB-1:0];
      if (cfg_we && cfg_addr == CFG_ADAPT) en_s <= cfg_data[EN_BIT];
      if (cfg_we && cfg_addr == CFG_ADAPT_MU) mu_s <= cfg_data[MU_BITS-1:0];
    end else if (wr_d)
      d_s <= cfg_data;
    if (rst) begin
      thr <= RESET_THR;
      tgt <= RESET_TGT;
      d_s <= RESET_D;
      pthr <= RESET_THR;
      ptgt <= RESET_TGT;
      pd <= RESET_D;
      sp_ref <= 0;
      sp0_q <= 0;
      e0_q <= 0;
      if (ADAPT) begin
        acc_s <= $signed(RESET_D) <<< FRAC;
        en_s <= RST_EN;
        mu_s <= RST_MU;
      end
    end
  end

  // ---- delayed by the latency: the reference and what it was made of ------------------
  localparam D = LAT_DFE;
  reg [2*P-1:0] symd [0:D-1];
  reg [EB*P-1:0] errd [0:D-1];
  reg [2*P-1:0] spd [0:D-1];            // each lane's s'
  reg [Y_BITS*P-1:0] yd [0:D-1];
  reg [DB-1:0] pdd [0:D-1];             // the tap and levels it was decided with
  reg [LB*3-1:0] thrd [0:D-1];
  reg [LB*4-1:0] tgtd [0:D-1];
  reg [FW*12-1:0] tad [0:D-1];          // the offsets register it was decided against
  reg [FW*16-1:0] gad [0:D-1];
  reg rstd [0:D-1];                     // it is a reset output (all 0)
  integer i;
  initial for (i = 0; i < D; i = i + 1) begin
    symd[i] = 0; errd[i] = 0; spd[i] = 0; yd[i] = 0; pdd[i] = 0; thrd[i] = 0; tgtd[i] = 0;
    tad[i] = 0; gad[i] = 0; rstd[i] = 0;
  end
  always @(posedge clock) begin
    symd[0] <= rst ? 0 : sym_ref;
    errd[0] <= rst ? 0 : err_ref;
    spd[0] <= sp_of;
    yd[0] <= y;
    pdd[0] <= pd;
    thrd[0] <= pthr;
    tgtd[0] <= ptgt;
    tad[0] <= fv_ta;
    gad[0] <= fv_ga;
    rstd[0] <= rst;
    for (i = 1; i < D; i = i + 1) begin
      symd[i] <= rst ? 0 : symd[i-1];
      errd[i] <= rst ? 0 : errd[i-1];
      spd[i] <= spd[i-1];
      yd[i] <= yd[i-1];
      pdd[i] <= pdd[i-1];
      thrd[i] <= thrd[i-1];
      tgtd[i] <= tgtd[i-1];
      tad[i] <= tad[i-1];
      gad[i] <= gad[i-1];
      rstd[i] <= rst | rstd[i-1];
    end
  end
  wire [2*P-1:0] sym_e = symd[D-1];
  wire [EB*P-1:0] err_e = errd[D-1];
  wire [2*P-1:0] sp_e = spd[D-1];
  wire [Y_BITS*P-1:0] y_e = yd[D-1];
  wire [DB-1:0] pd_e = pdd[D-1];
  wire [LB*3-1:0] thr_e = thrd[D-1];
  wire [LB*4-1:0] tgt_e = tgtd[D-1];
  wire [FW*12-1:0] ta_e = tad[D-1];
  wire [FW*16-1:0] ga_e = gad[D-1];
  wire rst_e = rstd[D-1];
  reg [3:0] age = 0;                    // edges since power-up, saturating
  always @(posedge clock)
    if (age < D + 2) age <= age + 1;
  wire started = age != 0;
  wire dec_e = age >= D && !rst_e;      // the outputs are decisions

  // ---- one and two edges back: the block's own registers -----------------------------
  reg p_rst = 0, q_rst = 0, p_wr_d = 0, p_en = 0;
  reg [2*P-1:0] p_symbol = 0, p_gray = 0;
  reg [EB*P-1:0] p_err = 0;
  reg [CFG_DATA_BITS-1:0] p_data = 0;
  reg [DB-1:0] p_d = 0, pp_d = 0;
  reg [LB*3-1:0] p_thr = 0, pp_thr = 0;
  reg [LB*4-1:0] p_tgt = 0, pp_tgt = 0;
  reg [ACC_BITS-1:0] p_acc = 0;
  reg [MU_BITS-1:0] p_mu = 0;
  reg [1:0] p_spq = 0;
  always @(posedge clock) begin
    p_rst <= rst;
    q_rst <= p_rst;
    p_wr_d <= wr_d;
    p_en <= en_s;
    p_mu <= mu_s;
    p_symbol <= symbol;
    p_gray <= gray;
    p_err <= err;
    p_data <= cfg_data;
    p_d <= fv_d;
    pp_d <= p_d;
    p_thr <= fv_thr;
    pp_thr <= p_thr;
    p_tgt <= fv_tgt;
    pp_tgt <= p_tgt;
    p_acc <= fv_acc;
    p_spq <= fv_spq;
  end

  // the tap and levels the offsets register took at its last edge: the block's registers
  // before it, or the reset values
  wire [DB-1:0] u_d = p_rst ? RD : p_d;
  wire [LB*3-1:0] u_thr = p_rst ? RESET_THR : p_thr;
  wire [LB*4-1:0] u_tgt = p_rst ? RESET_TGT : p_tgt;

  // the read-back the spec gives
  wire rd_thr = rd_addr >= CFG_THRESH_BASE && rd_addr < CFG_THRESH_BASE + 3;
  wire rd_tgt = rd_addr >= CFG_TARGET_BASE && rd_addr < CFG_TARGET_BASE + 4;
  wire rd_tap = rd_addr == CFG_DFE;
  wire [CFG_DATA_BITS-1:0] rd_spec = rd_thr ? thr[LB*(rd_addr - CFG_THRESH_BASE) +: LB]
                                   : rd_tgt ? tgt[LB*(rd_addr - CFG_TARGET_BASE) +: LB]
                                   : d_s;

  // ---- properties ----------------------------------------------------------------------
  always @(*) begin
    // the level registers and the tap hold the spec's: writes land at their edge, reset
    // wins; with the adaptation d is the rounded accumulator
    a_levels: assert (fv_thr == thr && fv_tgt == tgt);
    a_tap: assert (fv_d == d_s);
    // read-back: the level or the tap at its address, 0 elsewhere
    if (rd_thr || rd_tgt || rd_tap)
      a_rd: assert (rd == rd_spec);
    else
      a_rd_zero: assert (rd == 0);
    // after a reset cycle: the reset levels and tap, every output 0
    if (started && p_rst)
      a_reset: assert (fv_thr == RESET_THR && fv_tgt == RESET_TGT && fv_d == RD
                       && symbol == 0 && gray == 0 && err == 0);
    // power-up (before the first edge): every register 0
    if (!started)
      a_powerup: assert (fv_thr == 0 && fv_tgt == 0 && fv_d == 0 && fv_ta == 0
                         && fv_ga == 0 && symbol == 0 && gray == 0 && err == 0);
  end

  genvar gj, gs, gk;
  generate
    // the offsets register: the shifted levels of the spec's tap and levels, exact (its
    // 10-bit value is the wide sum: never saturated, never wrapped)
    for (gs = 0; gs < 4; gs = gs + 1) begin : off
      for (gk = 0; gk < 3; gk = gk + 1) begin : t
        wire signed [FW-1:0] r = fv_ta[FW*(3*gs + gk) +: FW];
        always @(*) begin
          assert (r == lv(pthr[LB*gk +: LB]) + fbk(pd, gs)); // a_offsets
          // the latency: the block's tap and levels before the last edge (a write at c
          // reaches the offsets at c + 1, so the decisions registered at c + 2)
          if (started)
            assert (r == lv(u_thr[LB*gk +: LB]) + fbk(u_d, gs)); // a_latency
        end
      end
      for (gk = 0; gk < 4; gk = gk + 1) begin : g
        wire signed [FW-1:0] r = fv_ga[FW*(4*gs + gk) +: FW];
        always @(*) begin
          assert (r == lv(ptgt[LB*gk +: LB]) + fbk(pd, gs)); // a_offsets
          if (started)
            assert (r == lv(u_tgt[LB*gk +: LB]) + fbk(u_d, gs)); // a_latency
        end
      end
    end

    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      wire [1:0] s = symbol[2*gj +: 2];
      wire signed [31:0] ye = $signed(y_e[Y_BITS*gj +: Y_BITS]);
      wire signed [EB-1:0] e = err[EB*gj +: EB];
      wire [1:0] spe = sp_e[2*gj +: 2];
      always @(*) begin
        // the spec's decision: the priority rule against t_j + fb(s') (the offsets
        // register before the edge), s' rippling through the lanes
        assert (s == sym_e[2*gj +: 2]); // a_symbol
        // err = sat(y - (L[symbol] + fb(s'))) with the block's own symbol
        if (dec_e)
          assert (e == error_o(ye, spe, ga_e, s)); // a_err
        // gray is the Gray code of the block's own symbol
        if (started)
          assert (gray[2*gj +: 2] == GRAY[2*s +: 2]); // a_gray
      end
      if (gj == 0) begin : first
        // lane 0 decides with the previous clock's lane P-1 symbol register (the block's
        // own; 0 after a reset or at power-up)
        wire [1:0] own_sp = p_symbol[2*(P-1) +: 2];
        always @(*)
          if (dec_e)
            assert (s == decide_o(ye, own_sp, ta_e)
                    && e == error_o(ye, own_sp, ga_e, s)); // a_prev
      end else begin : next
        // lane j decides with lane j-1's decision of the same clock
        wire [1:0] own_sp = symbol[2*(gj-1) +: 2];
        always @(*)
          if (dec_e)
            assert (s == decide_o(ye, own_sp, ta_e)
                    && e == error_o(ye, own_sp, ga_e, s)); // a_ripple
      end
    end

    if (ADAPT) begin : adapt
      wire signed [ACC_BITS-1:0] a = fv_acc;
      wire signed [ACC_BITS-1:0] pa = p_acc;
      wire signed [EB-1:0] pe = p_err[0 +: EB];        // lane 0's error register
      wire signed [31:0] p_sg = pe == 0 ? 0 : (pe > 0) == (p_spq >= 2) ? 1 : -1;
      wire signed [31:0] p_step = 32'sd1 <<< (FRAC - p_mu);
      wire signed [31:0] p_upd = p_sg > 0 ? pa + p_step : p_sg < 0 ? pa - p_step : pa;
      wire upd_edge = started && !p_rst && !p_wr_d;  // the last edge was no reset, no load
      always @(*) begin
        // the accumulator is the spec's; it stays in range
        assert (a == acc_s); // a_acc
        assert (a >= ACC_LO && a <= ACC_HI); // a_acc_range
        // d is the rounded accumulator, half up
        assert ($signed(fv_d) == round(a)); // a_round
        // the enable and step copies, the registered previous decision
        assert (fv_en == en_s && fv_mu == mu_s); // a_ctl
        assert (fv_spq == sp0_q); // a_spq
        // frozen (enable off), or a zero error: the accumulator holds
        if (upd_edge && (!p_en || pe == 0))
          assert (a == pa); // a_hold
        // an update: one step of 2^(F - mu), signed sgn(e) sgn(2 s' - 3), from lane 0's
        // error register and the registered previous decision ...
        if (upd_edge && p_en && pe != 0 && p_upd <= ACC_HI && p_upd >= ACC_LO)
          assert (a == p_upd); // a_step
        // ... or at the bound it would cross: saturated, never wrapped
        if (upd_edge && p_en && (p_upd > ACC_HI || p_upd < ACC_LO))
          assert (a == (p_upd > ACC_HI ? ACC_HI : ACC_LO)); // a_sat
        // a bus write of CFG_DFE loads acc = data << F (and d = data)
        if (started && !p_rst && p_wr_d)
          assert (a == (lv(p_data) <<< FRAC) && fv_d == p_data); // a_load
        // reset and power-up
        if (started && p_rst)
          assert (a == ($signed(RESET_D) <<< FRAC) && fv_en == RST_EN && fv_mu == RST_MU
                  && fv_spq == 0); // a_reset_acc
        if (!started)
          assert (a == 0 && !fv_en && fv_mu == 0 && fv_spq == 0); // a_powerup_acc
      end
      // covers
      always @(*) begin
        cover (a[FRAC-1:0] != 0 && a != pa && upd_edge); // c_acc
        cover (a == ACC_LO && upd_edge); // c_acc_range
        cover ($signed(fv_d) != (a >>> FRAC) && upd_edge); // c_round
        cover (started && !p_rst && fv_en != RST_EN && fv_mu != RST_MU && fv_mu != 0); // c_ctl
        cover (fv_spq == 3 && p_spq == 2); // c_spq
        cover (upd_edge && !p_en && pe != 0 && p_acc != 0); // c_hold
        // an up step from a negative error and s' <= 1 (both signs negative)
        cover (upd_edge && p_en && pe < 0 && p_spq <= 1 && a == pa + p_step && p_mu == 0); // c_step
        cover (upd_edge && p_en && p_upd > ACC_HI && pa != ACC_HI && a == ACC_HI); // c_sat
        cover (started && !p_rst && p_wr_d && lv(p_data) < 0 && pa != a); // c_load
        cover (started && p_rst && pa != ($signed(RESET_D) <<< FRAC)); // c_reset_acc
        cover (!started); // c_powerup_acc
      end
    end
  endgenerate

  // ---- covers: every assertion's condition is reachable ----------------------------------
  localparam L = P - 1;                 // the last lane
  wire signed [31:0] y_last = $signed(y_e[Y_BITS*L +: Y_BITS]);
  wire signed [31:0] y_0 = $signed(y_e[0 +: Y_BITS]);
  wire [1:0] s_last = symbol[2*L +: 2];
  wire [1:0] sp_last = p_symbol[2*L +: 2];
  wire signed [EB-1:0] e_last = err[EB*L +: EB];
  wire signed [EB-1:0] ep_last = p_err[EB*L +: EB];
  wire signed [31:0] ew_last = y_last - fbk(pd_e, sp_e[2*L +: 2]) - lv(tgt_e[LB*s_last +: LB]);
  reg dec_p = 0;
  reg signed [31:0] ewp_last = 0;
  always @(posedge clock) begin
    dec_p <= dec_e;
    ewp_last <= ew_last;
  end
  wire signed [FW-1:0] ta02 = fv_ta[FW*2 +: FW];         // t2 + fb(0)
  wire signed [FW-1:0] ga30 = fv_ga[FW*12 +: FW];        // L0 + fb(3)
  always @(*) begin
    // thresholds written out of order (t0 above t2)
    c_levels: cover (lv(fv_thr[0 +: LB]) > lv(fv_thr[2*LB +: LB]));
    c_tap: cover (fv_d != RD && fv_d != 0 && started && !p_rst);
    c_rd: cover (rd_tap && rd != RD && rd != 0);
    c_rd_zero: cover (rd_addr == CFG_DFE + 1);
    c_reset: cover (started && p_rst && p_symbol != 0 && p_err != 0 && p_d != RD);
    c_powerup: cover (!started);
    // the offsets at both ends of their range
    c_offsets: cover (ta02 == (1 <<< (FW - 1)) - 1 && ga30 == -(1 <<< (FW - 1)));
    // the feedback matters: the plain slicer (fb = 0) would decide otherwise
    c_symbol: cover (dec_e && s_last != rule(y_last, lv(thr_e[0 +: LB]), lv(thr_e[LB +: LB]),
                                            lv(thr_e[2*LB +: LB])));
    // err saturated at both ends, in two outputs in a row (the last lane)
    c_err: cover (dec_e && dec_p && ew_last > ERR_MAX && e_last == ERR_MAX
                  && ewp_last < ERR_MIN && ep_last == ERR_MIN);
    // the two symbols whose Gray code is not their binary code, in two outputs in a row
    c_gray: cover (dec_e && dec_p && s_last == 2 && sp_last == 3);
    // a tap written at the edge before the decision's edge is not used yet
    c_latency: cover (dec_e && !q_rst && p_d != pp_d
                      && s_last != decide(y_last, sp_e[2*L +: 2], p_d, pp_thr));
    // lane 0's previous decision matters: with s' = 0 it would decide otherwise
    c_prev: cover (dec_e && p_symbol[2*L +: 2] == 3
                   && symbol[1:0] != decide(y_0, 2'd0, pd_e, thr_e));
  end
  generate
    if (P > 1) begin : pairs
      wire signed [31:0] y1 = $signed(y_e[Y_BITS +: Y_BITS]);
      always @(*)
        cover (dec_e && symbol[1:0] == 0 && symbol[3:2] != decide(y1, 2'd3, pd_e, thr_e)); // c_ripple
    end
  endgenerate
endmodule
