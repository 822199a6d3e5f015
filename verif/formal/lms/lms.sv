// Formal contract of the sign-sign LMS (hdl/src/lms.rs): docs/numerics.md "LMS (sign-sign
// coefficient adaptation)" written as assertions about the exported block, checked by
// SymbiYosys (lms.sby; `cporx prove --block lms`).
//
// The wrapper drives every input freely (`anyseq`: any ADC block, any error, any enable,
// step code, freeze mask and bus write, reset at any cycle) and keeps the spec's state
// itself, in wide (32-bit) arithmetic:
//
//   s      = (c - LMS_ERR_DELAY) P          (lane 0's error register at edge c)
//   g_k    = sgn(e[s]) sgn(x[s - k])        (sgn(0) = 0)
//   acc_k <- RESET_k << F                                 on reset
//   acc_k <- sext(cfg_data) << F                          else if the bus writes coefficient k
//   acc_k <- clamp(acc_k - g_k 2^(F - mu), LO, HI)        else if enable and not freeze_k
//   code_k = floor((acc_k + 2^(F-1)) / 2^F)               (LO = -128 2^F, HI = 127 2^F)
//   port:  wr_we <- enable, wr_addr <- rr, wr_data <- code_rr before the edge (the bus's
//          code when it writes tap rr at this edge), rr <- rr + 1 mod N; reset: all 0
//
// The same equations are the model's untimed reference, sim/model/src/reference.rs
// `lms_ref`. The wrapper keeps the samples themselves (x, not their signs): its history
// `hs` holds the newest LMS_ERR_DELAY P + N - 1 samples registered before the edge, sample
// at distance d (0 the newest) at [ADC_BITS d +: ADC_BITS].
//
// Generated beside this file by `cporx prove`: dut.v (the block exported for the proof's
// parameters, module `top`), dut_flat.v (module `dut_flat`: the ports of `top` with
// `adc$j` packed into `adc`, lane j at [ADC_BITS j +: ADC_BITS]), params.vh (P, N, the
// reset coefficients and the spec's constants from cporx-spec).
//
// Probes (wires fv_*, connected in probes.ys to the flattened block's registers):
//   fv_acc   every tap's accumulator register (tap k at [ACC_BITS k +: ACC_BITS])
//   fv_nz    the sign line's zero flags (distance d at bit d), fv_neg its sign bits
//   fv_rr    the write port's pointer
// Sizes proven: see verif/src/formal/blocks/lms.rs (N = 3, P = 1 and N = 2, P = 2).
module lms_formal(input clock);
`include "params.vh"

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire [ADC_BITS*P-1:0] adc;
  (* anyseq *) wire [ERR_BITS-1:0] err;
  (* anyseq *) wire enable;
  (* anyseq *) wire [LMS_MU_BITS-1:0] mu;
  (* anyseq *) wire [MAX_TAPS-1:0] freeze;
  wire wr_we;
  wire [CFG_ADDR_BITS-1:0] wr_addr;
  wire [CFG_DATA_BITS-1:0] wr_data;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .adc(adc), .err(err), .enable(enable), .mu(mu),
               .freeze(freeze), .wr_we(wr_we), .wr_addr(wr_addr), .wr_data(wr_data));

  wire [ACC_BITS*N-1:0] fv_acc;
  wire [LINE_BITS-1:0] fv_nz, fv_neg;
  wire [3:0] fv_rr;

  // ---- the spec's state ------------------------------------------------------------
  localparam HD = ERR_DELAY * P + N - 1;   // samples the taps reach
  reg [ADC_BITS*HD-1:0] hs = 0;            // distance d at [ADC_BITS*d +: ADC_BITS]
  reg signed [31:0] acc [0:N-1];           // acc_k, exact
  reg [3:0] rr = 0;
  reg we_q = 0;
  reg [CFG_ADDR_BITS-1:0] addr_q = 0;
  reg [CFG_DATA_BITS-1:0] data_q = 0;
  integer k, j, ck, pk;
  initial for (k = 0; k < N; k = k + 1) acc[k] = 0;

  function signed [1:0] sgn_x(input [ADC_BITS-1:0] x);
    sgn_x = (x == 0) ? 2'sd0 : x[ADC_BITS-1] ? -2'sd1 : 2'sd1;
  endfunction
  function signed [31:0] reset_acc(input integer t);
    reset_acc = $signed(RESET_COEFS[COEF_BITS*t +: COEF_BITS]) * (32'sd1 <<< FRAC);
  endfunction
  function signed [31:0] code_of(input signed [31:0] a);
    code_of = (a + HALF) >>> FRAC;
  endfunction

  wire signed [1:0] sgn_e = (err == 0) ? 2'sd0 : err[ERR_BITS-1] ? -2'sd1 : 2'sd1;
  wire signed [31:0] step = 32'sd1 <<< (FRAC - mu);     // 2^(F - mu)
  reg signed [1:0] g [0:N-1];
  reg signed [31:0] upd [0:N-1];           // acc - g step, before the clamp
  reg [N-1:0] wr_k;                        // the bus writes coefficient k
  always @(*)
    for (k = 0; k < N; k = k + 1) begin
      g[k] = sgn_e * sgn_x(hs[ADC_BITS*(ERR_DELAY*P - 1 + k) +: ADC_BITS]);
      upd[k] = acc[k] - g[k] * step;
      wr_k[k] = cfg_we && cfg_addr == COEF_BASE + k;
    end
  wire signed [31:0] rr_code = code_of(acc[rr]);
  wire rr_written = cfg_we && cfg_addr == COEF_BASE + rr;

  always @(posedge clock) begin
    hs <= hs << (ADC_BITS*P);
    for (j = 0; j < P; j = j + 1)
      hs[ADC_BITS*(P-1-j) +: ADC_BITS] <= adc[ADC_BITS*j +: ADC_BITS];
    for (ck = 0; ck < N; ck = ck + 1)
      if (wr_k[ck])
        acc[ck] <= $signed(cfg_data) <<< FRAC;
      else if (enable && !freeze[ck])
        acc[ck] <= upd[ck] > ACC_HI ? ACC_HI : upd[ck] < ACC_LO ? ACC_LO : upd[ck];
    rr <= (rr == N - 1) ? 0 : rr + 1;
    we_q <= enable;
    addr_q <= COEF_BASE + rr;
    data_q <= rr_written ? cfg_data : rr_code[CFG_DATA_BITS-1:0];
    if (rst) begin
      hs <= 0;
      for (ck = 0; ck < N; ck = ck + 1) acc[ck] <= reset_acc(ck);
      rr <= 0;
      we_q <= 0;
      addr_q <= 0;
      data_q <= 0;
    end
  end

  // ---- one edge back (for the per-edge rules) ---------------------------------------
  reg past_valid = 0;
  reg p_rst = 0, p_enable = 0;
  reg [N-1:0] p_wr = 0, p_freeze = 0, p_g_nz = 0, p_in_range = 0;
  reg [ACC_BITS*N-1:0] p_acc = 0;
  reg signed [31:0] p_step = 0;
  always @(posedge clock) begin
    past_valid <= 1;
    p_rst <= rst;
    p_enable <= enable;
    p_wr <= wr_k;
    p_acc <= fv_acc;
    p_step <= step;
    for (pk = 0; pk < N; pk = pk + 1) begin
      p_freeze[pk] <= freeze[pk];
      p_g_nz[pk] <= g[pk] != 0;
      p_in_range[pk] <= upd[pk] <= ACC_HI && upd[pk] >= ACC_LO;
    end
  end

  // ---- properties ------------------------------------------------------------------
  always @(*) begin
    // the write port: registered enable, the pointer's tap, its rounded code
    a_wr_we: assert (wr_we == we_q);
    a_wr_addr: assert (wr_addr == addr_q);
    a_wr_data: assert (wr_data == data_q);
    a_rr: assert (fv_rr == rr && rr < N);
    // reset state: accumulators to the reset coefficients, port and pointer 0
    if (past_valid && p_rst)
      a_reset: assert (!wr_we && wr_addr == 0 && wr_data == 0 && fv_rr == 0);
  end
  genvar gk, gd;
  generate
    for (gk = 0; gk < N; gk = gk + 1) begin : tap
      wire signed [ACC_BITS-1:0] a = fv_acc[ACC_BITS*gk +: ACC_BITS];
      wire signed [ACC_BITS-1:0] pa = p_acc[ACC_BITS*gk +: ACC_BITS];
      wire signed [31:0] d = a - pa;
      always @(*) begin
        // the accumulator is the spec's, exactly
        assert (a == acc[gk]); // a_acc
        // in range, never wrapped
        assert (a >= ACC_LO && a <= ACC_HI); // a_range
        if (past_valid && !p_rst && !p_wr[gk]) begin
          // freeze (or enable low) holds the tap
          if (p_freeze[gk] || !p_enable) assert (a == pa); // a_freeze
          // an update moves it by exactly the configured power of two, or to a bound
          if (!p_freeze[gk] && p_enable && p_g_nz[gk] && p_in_range[gk])
            assert (d == p_step || d == -p_step); // a_step
        end
        if (past_valid && p_rst)
          assert (a == reset_acc(gk)); // a_reset_acc
      end
    end
    // the sign line holds the signs of the samples the taps reach
    for (gd = 0; gd < HD; gd = gd + 1) begin : line
      wire [ADC_BITS-1:0] x = hs[ADC_BITS*gd +: ADC_BITS];
      always @(*) begin
        assert (fv_nz[gd] == (x != 0)); // a_line
        assert (fv_neg[gd] == x[ADC_BITS-1]); // a_line
      end
    end
  endgenerate

  // ---- covers ------------------------------------------------------------------------
  wire signed [ACC_BITS-1:0] a0 = fv_acc[ACC_BITS-1:0];
  wire signed [ACC_BITS-1:0] pa0 = p_acc[ACC_BITS-1:0];
  wire signed [ACC_BITS-1:0] aL = fv_acc[ACC_BITS*(N-1) +: ACC_BITS];
  always @(*) begin
    c_wr_we: cover (wr_we && wr_addr == COEF_BASE + N - 1);
    c_wr_addr: cover (past_valid && !p_rst && wr_addr == COEF_BASE + N - 1);
    c_wr_data: cover (wr_we && $signed(wr_data) == -128 && !p_rst);
    c_rr: cover (fv_rr == N - 1);
    c_reset: cover (past_valid && p_rst && RESET_COEFS != 0);
    c_reset_acc: cover (past_valid && p_rst && aL != 0);
    // tap 0 and tap N-1 saturated by an update (not by a write)
    c_range: cover (past_valid && !p_rst && !p_wr[0] && a0 == ACC_HI && pa0 != ACC_HI);
    c_acc: cover (past_valid && !p_rst && !p_wr[N-1] && aL == ACC_LO && p_g_nz[N-1]);
    // a frozen tap that would have moved
    c_freeze: cover (past_valid && !p_rst && !p_wr[0] && p_enable && p_freeze[0] && p_g_nz[0]);
    // an update of step 2^(F-3), down
    c_step: cover (past_valid && !p_rst && !p_wr[N-1] && p_enable && !p_freeze[N-1]
                   && p_step == (32'sd1 <<< (FRAC - 3)) && aL - $signed(p_acc[ACC_BITS*(N-1) +: ACC_BITS]) < 0);
    c_line: cover (fv_nz[HD-1] && fv_neg[HD-1]);
  end
endmodule
