// Formal contract of the AGC (hdl/src/agc.rs): docs/numerics.md "AGC (gain control)"
// written as assertions about the exported block, checked by SymbiYosys (agc.sby; `cporx
// prove --block agc`).
//
// The wrapper drives every input freely (`anyseq`: any ADC block, any enable, any bus
// write, reset at any cycle) and keeps the spec's registers itself, in wide (32-bit)
// arithmetic:
//
//   d_j  = |x_j| - T                          (K = 0: the mean mode)
//   d_j  = 2^K - 1 if |x_j| >= T, else -1     (K >= 1: the tail mode)
//   a    = acc + sum over the P lanes of d_j
//   a >= +2^W: gain = max(gain - 1, 0),  acc = 0      (only while enabled)
//   a <= -2^W: gain = min(gain + 1, 31), acc = 0
//   else       acc = a
//   bus: CFG_AGC_TARGET T = data[5:0]; CFG_AGC_WINDOW W = data[3:0], K = data[7:4];
//        CFG_GAIN gain = data[4:0] and acc = 0 (the bus wins); reset: T, W/K, gain to
//        the reset values, acc 0; power-up all 0
//   rd   = the register at cfg_addr (T, W/K, gain), 0 elsewhere (combinational)
//
// The model (no separate untimed reference for the AGC) has the same equations in
// sim/model/src/agc.rs `AgcModel::step`.
//
// Generated beside this file by `cporx prove`: dut.v (the block exported for the proof's
// parameters, module `top`), dut_flat.v (module `dut_flat`: the ports of `top` with
// `adc$j` packed into `adc`, lane j at [ADC_BITS j +: ADC_BITS]), params.vh (P, the reset
// values and the spec's constants from cporx-spec).
//
// Probes (wires fv_*, connected in probes.ys to the flattened block's registers):
//   fv_acc  the accumulator, fv_t the target register, fv_w the window register (W, K)
//   fv_d    every lane's term d_j, fv_sum their sum (combinational: the stage-by-stage
//           pattern, without which z3 did not close the induction step at P = 16)
// Sizes proven: see verif/src/formal/blocks/agc.rs (P = 1, 4, 16).
module agc_formal(input clock);
`include "params.vh"

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire enable;
  (* anyseq *) wire [ADC_BITS*P-1:0] adc;
  wire [GAIN_BITS-1:0] gain;
  wire [CFG_DATA_BITS-1:0] rd;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .enable(enable), .adc(adc), .gain(gain), .rd(rd));

  wire [ACC_BITS-1:0] fv_acc;
  wire [TARGET_BITS-1:0] fv_t;
  wire [CFG_DATA_BITS-1:0] fv_w;
  wire [ACC_BITS*P-1:0] fv_d;           // lane j's term at [ACC_BITS j +: ACC_BITS]
  wire [ACC_BITS-1:0] fv_sum;           // the clock's sum of the terms

  // ---- the spec's state ------------------------------------------------------------
  reg [TARGET_BITS-1:0] t_s = 0;
  reg [CFG_DATA_BITS-1:0] wk_s = 0;        // W in 3:0, K in 7:4
  reg [GAIN_BITS-1:0] g_s = 0;
  reg signed [31:0] acc = 0;
  wire [3:0] w = wk_s[WINDOW_BITS-1:0];
  wire [3:0] kk = wk_s[CFG_DATA_BITS-1:WINDOW_BITS];

  integer j;
  reg signed [31:0] x, ax, sum;
  reg signed [31:0] term [0:P-1];          // d_j
  always @(*) begin
    sum = 0;
    for (j = 0; j < P; j = j + 1) begin
      x = $signed(adc[ADC_BITS*j +: ADC_BITS]);
      ax = x < 0 ? -x : x;
      if (kk == 0)
        term[j] = ax - $signed({1'b0, t_s});
      else
        term[j] = (ax >= $signed({1'b0, t_s})) ? (32'sd1 <<< kk) - 1 : -32'sd1;
      sum = sum + term[j];
    end
  end
  wire signed [31:0] a = acc + sum;
  wire signed [31:0] win = 32'sd1 <<< w;
  wire loud = a >= win;                    // one step down
  wire quiet = a <= -win;                  // one step up
  wire wr_t = cfg_we && cfg_addr == ADR_T;
  wire wr_w = cfg_we && cfg_addr == ADR_W;
  wire wr_g = cfg_we && cfg_addr == ADR_G;

  always @(posedge clock) begin
    if (enable) begin
      acc <= (loud || quiet) ? 0 : a;
      if (loud && g_s != 0) g_s <= g_s - 1;
      if (quiet && g_s != GAIN_MAX) g_s <= g_s + 1;
    end
    if (wr_t) t_s <= cfg_data[TARGET_BITS-1:0];
    if (wr_w) wk_s <= cfg_data;
    if (wr_g) begin
      g_s <= cfg_data[GAIN_BITS-1:0];
      acc <= 0;
    end
    if (rst) begin
      t_s <= RST_T;
      wk_s <= RST_W;
      g_s <= RST_G;
      acc <= 0;
    end
  end

  // ---- one edge back ---------------------------------------------------------------
  reg past_valid = 0, p_rst = 0, p_wr_g = 0, p_enable = 0, p_loud = 0, p_quiet = 0;
  reg [GAIN_BITS-1:0] p_gain = 0;
  reg [ACC_BITS-1:0] p_acc = 0;
  always @(posedge clock) begin
    past_valid <= 1;
    p_rst <= rst;
    p_wr_g <= wr_g;
    p_enable <= enable;
    p_loud <= loud;
    p_quiet <= quiet;
    p_gain <= gain;
    p_acc <= fv_acc;
  end

  // ---- properties ------------------------------------------------------------------
  wire signed [ACC_BITS-1:0] acc_dut = fv_acc;
  wire [CFG_DATA_BITS-1:0] rd_ref = cfg_addr == ADR_T ? t_s
                                  : cfg_addr == ADR_W ? wk_s
                                  : cfg_addr == ADR_G ? g_s : 0;
  always @(*) begin
    // the gain code and the accumulator are the spec's
    a_gain: assert (gain == g_s);
    // stage by stage: the clock's sum of the lanes' terms, exact in ACC_BITS
    a_sum: assert ($signed(fv_sum) == sum);
    a_acc: assert (acc_dut == acc);
    // the accumulator never needs to saturate: |acc| < 2^WINDOW_MAX
    a_acc_bound: assert (acc_dut < (32'sd1 <<< WINDOW_MAX) && acc_dut > -(32'sd1 <<< WINDOW_MAX));
    // the registers hold their writes
    a_regs: assert (fv_t == t_s && fv_w == wk_s);
    // read-back
    if (cfg_addr == ADR_T || cfg_addr == ADR_W || cfg_addr == ADR_G)
      a_rd: assert (rd == rd_ref);
    else
      a_rd_zero: assert (rd == 0);
    if (past_valid && !p_rst && !p_wr_g) begin
      // one code per edge at most, down only when too loud, up only when too quiet; at
      // the ends it holds (saturates, never wraps)
      a_gain_step: assert (gain == p_gain
                           || (p_enable && p_loud && p_gain != 0 && gain == p_gain - 1)
                           || (p_enable && p_quiet && p_gain != GAIN_MAX && gain == p_gain + 1));
      // disabled: the loop holds gain and accumulator
      if (!p_enable) a_hold: assert (gain == p_gain && fv_acc == p_acc);
    end
    // reset state
    if (past_valid && p_rst)
      a_reset: assert (gain == RST_G && fv_t == RST_T && fv_w == RST_W && fv_acc == 0);
  end

  genvar gj;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      // lane j's term: |x| - T (mean mode), 2^K - 1 or -1 (tail mode)
      always @(*) assert ($signed(fv_d[ACC_BITS*gj +: ACC_BITS]) == term[gj]); // a_term
    end
  endgenerate

  // ---- covers ------------------------------------------------------------------------
  always @(*) begin
    c_gain: cover (past_valid && !p_rst && !p_wr_g && gain == p_gain + 1);
    c_acc: cover (acc_dut == -100);
    c_sum: cover (!rst && sum == P * ((32'sd1 <<< WINDOW_MAX) - 1));
    c_term: cover (!rst && kk == 0 && term[0] == -63);
    c_acc_bound: cover (acc_dut == (32'sd1 <<< WINDOW_MAX) - 1);
    c_regs: cover (fv_t == RST_T + 1 && fv_w[CFG_DATA_BITS-1:WINDOW_BITS] == 1);
    c_rd: cover (cfg_addr == ADR_G && rd == GAIN_MAX);
    c_rd_zero: cover (cfg_addr == ADR_G + 1);
    // a step down, and a loud window at code 0 (held there)
    c_gain_step: cover (past_valid && !p_rst && !p_wr_g && p_enable && p_loud && p_gain == 0);
    c_hold: cover (past_valid && !p_rst && !p_wr_g && !p_enable && gain != 0 && fv_acc != 0);
    c_reset: cover (past_valid && p_rst && !(p_wr_g));
  end
endmodule
