// Formal contract of the slicer-level adaptation (hdl/src/levels.rs): docs/numerics.md
// "Levels (slicer-level adaptation)" written as assertions about the exported block,
// checked by SymbiYosys (levels.sby; `cporx prove --block levels`).
//
// The wrapper drives every input freely (`anyseq`: any symbol and error, any enable and
// step code, any bus write, reset at any cycle) and keeps the spec's state itself, in wide
// (32-bit) arithmetic:
//
//   acc_t <- TARGETS_t << F                               on reset
//   acc_t <- sext(cfg_data) << F                          else if the bus writes target t
//   acc_s <- clamp(acc_s + e 2^(F - mu), LO, HI)          else if enable (s the symbol, only)
//   L_t    = floor((acc_t + 2^(F-1)) / 2^F)               (the bus's code when it writes t now)
//   T_j    = ceil((L_j + L_{j+1}) / 2)
//   port:  q = 0..3 writes L_q at CFG_TARGET_BASE + q, q = 4..6 writes T_(q-4) at
//          CFG_THRESH_BASE + q - 4, from the levels before the edge; q <- q + 1 mod 7;
//          wr_we <- enable; reset: q and the port 0
//   (LO = -128 2^F, HI = 127 2^F, F = LEV_FRAC)
//
// The same equations are the model's untimed reference, sim/model/src/reference.rs
// `levels_ref`.
//
// Generated beside this file by `cporx prove`: dut.v (the block exported for the proof's
// reset targets, module `top`), dut_flat.v (module `dut_flat`, the same ports: the block
// has no per-lane port), params.vh (the reset targets and the spec's constants from
// cporx-spec).
//
// Probes (wires fv_*, connected in probes.ys to the flattened block's registers):
//   fv_acc   every level's accumulator register (level t at [ACC_BITS t +: ACC_BITS])
//   fv_q     the write port's pointer
// Sizes proven: see verif/src/formal/blocks/levels.rs (the block has no size parameter;
// two sets of reset targets).
module levels_formal(input clock);
`include "params.vh"

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire [1:0] symbol;
  (* anyseq *) wire [ERR_BITS-1:0] err;
  (* anyseq *) wire enable;
  (* anyseq *) wire [LEV_MU_BITS-1:0] mu;
  wire wr_we;
  wire [CFG_ADDR_BITS-1:0] wr_addr;
  wire [CFG_DATA_BITS-1:0] wr_data;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .symbol(symbol), .err(err), .enable(enable), .mu(mu),
               .wr_we(wr_we), .wr_addr(wr_addr), .wr_data(wr_data));

  wire [ACC_BITS*4-1:0] fv_acc;
  wire [2:0] fv_q;

  // ---- the spec's state ------------------------------------------------------------
  reg signed [31:0] acc [0:3];
  reg [2:0] q = 0;
  reg we_q = 0;
  reg [CFG_ADDR_BITS-1:0] addr_q = 0;
  reg [CFG_DATA_BITS-1:0] data_q = 0;
  integer t, ct, pt;
  initial for (t = 0; t < 4; t = t + 1) acc[t] = 0;

  function signed [31:0] reset_acc(input integer i);
    reset_acc = $signed(TARGETS[LEVEL_BITS*i +: LEVEL_BITS]) * (32'sd1 <<< FRAC);
  endfunction

  wire signed [31:0] e32 = $signed(err);
  wire signed [31:0] delta = e32 <<< (FRAC - mu);                       // e 2^(F - mu)
  reg signed [31:0] upd [0:3];
  reg signed [31:0] lv [0:3];              // L_t before the edge (the bus's code now)
  reg [3:0] wr_t;                          // the bus writes target t
  always @(*)
    for (t = 0; t < 4; t = t + 1) begin
      wr_t[t] = cfg_we && cfg_addr == TARGET_BASE + t;
      upd[t] = acc[t] + delta;
      lv[t] = wr_t[t] ? $signed(cfg_data) : (acc[t] + HALF) >>> FRAC;
    end
  wire signed [31:0] th0 = (lv[0] + lv[1] + 1) >>> 1;
  wire signed [31:0] th1 = (lv[1] + lv[2] + 1) >>> 1;
  wire signed [31:0] th2 = (lv[2] + lv[3] + 1) >>> 1;
  wire signed [31:0] port_val = q == 0 ? lv[0] : q == 1 ? lv[1] : q == 2 ? lv[2]
                              : q == 3 ? lv[3] : q == 4 ? th0 : q == 5 ? th1 : th2;

  always @(posedge clock) begin
    for (ct = 0; ct < 4; ct = ct + 1)
      if (wr_t[ct])
        acc[ct] <= $signed(cfg_data) <<< FRAC;
      else if (enable && symbol == ct)
        acc[ct] <= upd[ct] > ACC_HI ? ACC_HI : upd[ct] < ACC_LO ? ACC_LO : upd[ct];
    q <= (q == PORT_REGS - 1) ? 0 : q + 1;
    we_q <= enable;
    addr_q <= q < 4 ? TARGET_BASE + q : THRESH_BASE + q - 4;
    data_q <= port_val[CFG_DATA_BITS-1:0];
    if (rst) begin
      for (ct = 0; ct < 4; ct = ct + 1) acc[ct] <= reset_acc(ct);
      q <= 0;
      we_q <= 0;
      addr_q <= 0;
      data_q <= 0;
    end
  end

  // ---- one edge back (for the per-edge rules) ---------------------------------------
  reg past_valid = 0;
  reg p_rst = 0, p_enable = 0;
  reg [1:0] p_symbol = 0;
  reg [3:0] p_wr = 0, p_in_range = 0;
  reg [ACC_BITS*4-1:0] p_acc = 0;
  reg signed [31:0] p_delta = 0;
  always @(posedge clock) begin
    past_valid <= 1;
    p_rst <= rst;
    p_enable <= enable;
    p_symbol <= symbol;
    p_wr <= wr_t;
    p_acc <= fv_acc;
    p_delta <= delta;
    for (pt = 0; pt < 4; pt = pt + 1)
      p_in_range[pt] <= upd[pt] <= ACC_HI && upd[pt] >= ACC_LO;
  end

  // ---- properties ------------------------------------------------------------------
  wire port_thr = addr_q >= THRESH_BASE && addr_q < THRESH_BASE + 3;
  always @(*) begin
    // the write port: registered enable, the pointer's register, its value
    a_wr_we: assert (wr_we == we_q);
    a_wr_addr: assert (wr_addr == addr_q);
    if (port_thr)
      // a threshold: the ceiling of its targets' midpoint
      a_wr_thr: assert (wr_data == data_q);
    else
      // a target: its accumulator rounded half up (or the bus's code written then)
      a_wr_tgt: assert (wr_data == data_q);
    a_q: assert (fv_q == q && q < PORT_REGS);
    // reset state: accumulators to the reset targets, pointer and port 0
    if (past_valid && p_rst)
      a_reset: assert (!wr_we && wr_addr == 0 && wr_data == 0 && fv_q == 0);
  end
  genvar gt;
  generate
    for (gt = 0; gt < 4; gt = gt + 1) begin : lvl
      wire signed [ACC_BITS-1:0] a = fv_acc[ACC_BITS*gt +: ACC_BITS];
      wire signed [ACC_BITS-1:0] pa = p_acc[ACC_BITS*gt +: ACC_BITS];
      wire signed [31:0] d = a - pa;
      always @(*) begin
        // the accumulator is the spec's, exactly
        assert (a == acc[gt]); // a_acc
        // in range, never wrapped
        assert (a >= ACC_LO && a <= ACC_HI); // a_range
        if (past_valid && !p_rst && !p_wr[gt]) begin
          // only the decided level moves, and only while enabled
          if (!p_enable || p_symbol != gt) assert (a == pa); // a_hold
          // it moves by exactly e 2^(F - mu) unless that leaves the range
          if (p_enable && p_symbol == gt && p_in_range[gt]) assert (d == p_delta); // a_step
        end
        if (past_valid && p_rst) assert (a == reset_acc(gt)); // a_reset_acc
      end
    end
  endgenerate

  // ---- covers ------------------------------------------------------------------------
  wire signed [ACC_BITS-1:0] a0 = fv_acc[ACC_BITS-1:0];
  wire signed [ACC_BITS-1:0] a3 = fv_acc[ACC_BITS*3 +: ACC_BITS];
  wire signed [ACC_BITS-1:0] pa3 = p_acc[ACC_BITS*3 +: ACC_BITS];
  always @(*) begin
    c_wr_we: cover (wr_we && wr_addr == THRESH_BASE + 2);
    c_wr_addr: cover (past_valid && !p_rst && wr_addr == THRESH_BASE + 2);
    // a threshold on an odd sum, rounded up, written by the port
    c_wr_thr: cover (wr_we && port_thr && $signed(wr_data) == -3);
    c_wr_tgt: cover (wr_we && wr_addr == TARGET_BASE + 3 && $signed(wr_data) == -100);
    c_q: cover (fv_q == PORT_REGS - 1);
    c_reset: cover (past_valid && p_rst);
    c_reset_acc: cover (past_valid && p_rst && a3 != 0);
    // saturated by an update, at both ends
    c_range: cover (past_valid && !p_rst && !p_wr[0] && a0 == ACC_LO && p_acc[ACC_BITS-1:0] != ACC_LO);
    c_acc: cover (past_valid && !p_rst && !p_wr[3] && a3 == ACC_HI && pa3 != ACC_HI);
    // another level decided: level 3 holds with a nonzero error
    c_hold: cover (past_valid && !p_rst && p_enable && p_symbol == 1 && p_delta != 0);
    c_step: cover (past_valid && !p_rst && !p_wr[3] && p_enable && p_symbol == 3
                   && p_delta == -(32'sd255 <<< (FRAC - 2)) && a3 - pa3 == p_delta);
  end
endmodule
