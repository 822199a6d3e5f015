// Formal contract of the FFE (hdl/src/ffe.rs): docs/numerics.md "FFE" written as
// assertions about the exported block, checked by SymbiYosys (ffe.sby; `cporx prove
// --block ffe`).
//
// The wrapper drives every input of the block freely (`anyseq`: any ADC code, any
// configuration write, reset at any cycle) and computes the spec's output itself, with
// wide arithmetic and its own copy of the coefficients:
//
//   acc_j = sum_k c_k * x[P-1-j+k]          (exact; cannot overflow ACC_BITS)
//   y_j   = sat_Y((acc_j + Y_ROUND) >>> Y_SHIFT)
//
// delayed by the spec's latency (LAT_FFE: the newest sample of a clock and the
// coefficients written in that clock reach y LAT_FFE edges later). The same equations
// are the model's untimed reference, sim/model/src/reference.rs `ffe_ref`/`ffe_y`.
// Proof sizes: N=3 P=1 and N=2 P=2, both k-induction (verif/src/formal/blocks/ffe.rs).
//
// Generated beside this file by `cporx prove`: dut.v (the block exported for the
// proof's parameters, module `top`), dut_flat.v (module `dut_flat`: the same ports with
// the per-lane ports `adc$j`/`y$j` packed into `adc`/`y`, lane j at bits [w*j +: w]),
// params.vh (P, N, the reset coefficients, and the spec's constants from cporx-spec).
//
// Probes (wires named fv_*, connected in ffe.sby to the flattened block's internal
// registers, since Yosys's own frontend has no hierarchical references):
//   fv_coefs1/3/n  the coefficient bank's buses c, 3c, -c (field k at MULT_FIELD*k)
//   fv_hist        the history register (sample s at ADC_BITS*s, s = 0 the newest)
//   fv_pp, fv_p    every multiplier's partial-product and product registers
//   fv_s, fv_acc   the group-sum and accumulator registers
// These stage probes are lemmas (the ZipCPU pattern of asserting every pipeline stage):
// with every register stated as a function of the state one edge earlier, k-induction
// closes at depth 3 instead of the pipeline's length. The contract is a_y_ref.
// (probes.ys, generated, holds the connections, whose names depend on P and N)
module ffe_formal(input clock);
`include "params.vh"

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire [ADC_BITS*P-1:0] adc;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] rd_addr;
  wire [Y_BITS*P-1:0] y;
  wire [CFG_DATA_BITS-1:0] rd;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .adc(adc), .y(y), .rd_addr(rd_addr), .rd(rd));

  wire [COEF_BUS_BITS-1:0] fv_coefs1, fv_coefs3, fv_coefsn;
  wire [HIST_BITS-1:0] fv_hist;
  wire [PROD_BITS*P*N-1:0] fv_p;      // product register of (lane j, tap k) at j*N + k
  wire [3*MULT_FIELD*P*N-1:0] fv_pp;  // its three partial products (digit i at 3*(j*N+k)+i)
  localparam NG = (N + FFE_GROUP - 1) / FFE_GROUP;
  wire [ACC_BITS*P*NG-1:0] fv_s;      // group sum register of (lane j, group g) at j*NG + g
  wire [ACC_BITS*P-1:0] fv_acc;       // accumulator register of lane j

  // ---- the spec's state: coefficients and sample history ------------------------------
  // power-up: every register 0, coefficients included; reset: coefficients to
  // RESET_COEFS, history 0; a write to CFG_COEF_BASE + k lands at the edge of its cycle;
  // reset has priority over a write.
  localparam HS = P + N - 1;           // samples the taps reach
  reg [COEF_BITS*N-1:0] cw = 0;        // c_k at [COEF_BITS*k +: COEF_BITS]
  reg [ADC_BITS*HS-1:0] hs = 0;        // sample s at [ADC_BITS*s +: ADC_BITS], s = 0 newest
  integer k, j, s, i;
  always @(posedge clock) begin
    for (k = 0; k < N; k = k + 1)
      if (cfg_we && cfg_addr == CFG_COEF_BASE + k)
        cw[COEF_BITS*k +: COEF_BITS] <= cfg_data;
    hs <= (hs << (ADC_BITS*P));
    for (j = 0; j < P; j = j + 1)
      hs[ADC_BITS*(P-1-j) +: ADC_BITS] <= adc[ADC_BITS*j +: ADC_BITS];
    if (rst) begin
      cw <= RESET_COEFS;
      hs <= 0;
    end
  end

  // ---- the reference, stage by stage ------------------------------------------------
  // The spec's pipeline, one wrapper register per stage: history (hs), partial products
  // (pp1, prod1), products (prod2), group sums (sref), accumulator (aref), y (yd): six
  // edges from an ADC sample to y, which a_latency ties to the spec's LAT_FFE. Each
  // product exact in PW = COEF_BITS + ADC_BITS bits; sums in ACC_BITS (the spec's width,
  // which cannot overflow: at most 16 x 4096 + Y_ROUND).
  localparam REF_STAGES = 6;
  localparam PW = COEF_BITS + ADC_BITS;
  localparam NP = P * N;               // products, (lane j, tap k) at index j*N + k
  reg [PW*NP-1:0] prod, prod1 = 0, prod2 = 0;
  // the partial products: digit i of the sample (x = d0 + 4 d1 + 16 d2; d0, d1 in
  // 0 ..= 3, d2 in -2 ..= 1) times the coefficient, one edge after (hs, cw)
  reg [3*MULT_FIELD*NP-1:0] pp, pp1 = 0;
  reg signed [ADC_BITS-1:0] xs;
  reg signed [COEF_BITS-1:0] cs;
  always @(*)
    for (j = 0; j < P; j = j + 1)
      for (k = 0; k < N; k = k + 1) begin
        cs = cw[COEF_BITS*k +: COEF_BITS];
        xs = hs[ADC_BITS*(P-1-j+k) +: ADC_BITS];
        // c * x by the sample's radix-4 digits (x = d0 + 4 d1 + 16 d2 exactly, for every
        // 6-bit x): the same integer as cs * xs (verif/tests/formal.rs checks the identity
        // for all 2^14 (c, x) pairs), written so the solver compares adders, not a
        // multiplier against a digit-select structure
        // (every operand signed and the sum context-sized to PW bits: nothing truncates)
        prod[PW*(j*N+k) +: PW] = cs * $signed({1'b0, xs[1:0]})
                               + ((cs * $signed({1'b0, xs[3:2]})) <<< 2)
                               + ((cs * $signed(xs[5:4])) <<< 4);
        pp[MULT_FIELD*(3*(j*N+k)) +: MULT_FIELD] = cs * $signed({1'b0, xs[1:0]});
        pp[MULT_FIELD*(3*(j*N+k)+1) +: MULT_FIELD] = cs * $signed({1'b0, xs[3:2]});
        pp[MULT_FIELD*(3*(j*N+k)+2) +: MULT_FIELD] = cs * $signed(xs[5:4]);
      end
  always @(posedge clock) begin
    pp1 <= rst ? 0 : pp;
    prod1 <= rst ? 0 : prod;
    prod2 <= rst ? 0 : prod1;
  end
  // group sums (taps FFE_GROUP*g ..; the rounding constant in group 0) registered one
  // edge after the product register, the accumulator one edge after them; both 0 at
  // power-up and after reset (so the constant is not there then: the spec's reset value)
  reg signed [ACC_BITS-1:0] sref [0:P*NG-1];
  reg signed [ACC_BITS-1:0] aref [0:P-1];
  reg signed [ACC_BITS-1:0] snext [0:P*NG-1];
  reg signed [ACC_BITS-1:0] anext [0:P-1];
  integer i1, i2;
  initial for (i1 = 0; i1 < P*NG; i1 = i1 + 1) sref[i1] = 0;
  initial for (i2 = 0; i2 < P; i2 = i2 + 1) aref[i2] = 0;
  always @(*)
    for (j = 0; j < P; j = j + 1) begin
      anext[j] = 0;
      for (i = 0; i < NG; i = i + 1) begin
        snext[j*NG+i] = (i == 0) ? Y_ROUND : 0;
        anext[j] = anext[j] + sref[j*NG+i];
      end
      for (k = 0; k < N; k = k + 1)
        snext[j*NG+k/FFE_GROUP] = snext[j*NG+k/FFE_GROUP] + $signed(prod2[PW*(j*N+k) +: PW]);
    end
  always @(posedge clock) begin
    for (i = 0; i < P*NG; i = i + 1) sref[i] <= rst ? 0 : snext[i];
    for (i = 0; i < P; i = i + 1) aref[i] <= rst ? 0 : anext[i];
  end
  // y: the accumulator's sum (rounding constant included) shifted by Y_SHIFT and
  // saturated to Q7.1, registered one edge after the accumulator; 0 at power-up and reset
  localparam D = 1;                    // (kept as a name: y's reference is yd[D-1])
  reg signed [ACC_BITS-1:0] sh;
  reg [Y_BITS*P-1:0] yref;
  reg [P-1:0] hi, lo;                  // the lane saturates high / low
  always @(*)
    for (j = 0; j < P; j = j + 1) begin
      sh = aref[j] >>> Y_SHIFT;
      hi[j] = sh > Y_MAX;
      lo[j] = sh < Y_MIN;
      yref[Y_BITS*j +: Y_BITS] = hi[j] ? Y_MAX[Y_BITS-1:0]
                               : lo[j] ? Y_MIN[Y_BITS-1:0] : sh[Y_BITS-1:0];
    end
  reg [Y_BITS*P-1:0] yd [0:D-1];
  reg [P-1:0] hid [0:D-1];
  reg [P-1:0] lod [0:D-1];
  initial begin yd[0] = 0; hid[0] = 0; lod[0] = 0; end
  always @(posedge clock) begin
    yd[0] <= rst ? 0 : yref;
    hid[0] <= rst ? 0 : hi;
    lod[0] <= rst ? 0 : lo;
  end

  // ---- properties ----------------------------------------------------------------------
  // (Yosys gives a procedural label one cell per module, so the assertions in loops carry
  // their property's name as a trailing comment; `cporx prove` reads names from either)
  always @(*) begin
    // y is the rounded, saturated full-width sum, LAT_FFE edges after its newest sample
    a_y_ref: assert (y == yd[D-1]);
    // the reference above has the spec's latency
    a_latency: assert (REF_STAGES == LAT_FFE);
    // the history register holds the newest P + N - 1 samples, nothing above
    a_hist: assert (fv_hist == {{(HIST_BITS - ADC_BITS*HS){1'b0}}, hs});
    // read-back: coefficient k's code at its address, 0 elsewhere
    if (rd_addr >= CFG_COEF_BASE && rd_addr < CFG_COEF_BASE + N)
      a_rd: assert (rd == cw[COEF_BITS*(rd_addr - CFG_COEF_BASE) +: COEF_BITS]);
    else
      a_rd_zero: assert (rd == 0);
  end
  genvar gj, gk;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      // y never wraps: a sum past the range gives the range's end
      always @(*) begin
        if (hid[D-1][gj]) assert (y[Y_BITS*gj +: Y_BITS] == Y_MAX[Y_BITS-1:0]); // a_sat_hi
        if (lod[D-1][gj]) assert (y[Y_BITS*gj +: Y_BITS] == Y_MIN[Y_BITS-1:0]); // a_sat_lo
      end
      for (gk = 0; gk < N; gk = gk + 1) begin : tap
        // lemmas: the partial products, one edge after their operands; the product
        // register: c_k * x, exact, two edges after its operands
        always @(*) begin
          assert (fv_pp[3*MULT_FIELD*(gj*N+gk) +: 3*MULT_FIELD]
                  == pp1[3*MULT_FIELD*(gj*N+gk) +: 3*MULT_FIELD]); // a_pp
          assert ($signed(fv_p[PROD_BITS*(gj*N+gk) +: PROD_BITS])
                  == $signed(prod2[PW*(gj*N+gk) +: PW])); // a_prod
        end
      end
      for (gk = 0; gk < NG; gk = gk + 1) begin : group
        // lemma: the group sums (the rounding constant rides in group 0)
        always @(*)
          assert ($signed(fv_s[ACC_BITS*(gj*NG+gk) +: ACC_BITS]) == sref[gj*NG+gk]); // a_group
      end
      // lemma: the accumulator
      always @(*)
        assert ($signed(fv_acc[ACC_BITS*gj +: ACC_BITS]) == aref[gj]); // a_acc
    end
    for (gk = 0; gk < N; gk = gk + 1) begin : tap
      wire signed [MULT_FIELD-1:0] c1 = fv_coefs1[MULT_FIELD*gk +: MULT_FIELD];
      wire signed [MULT_FIELD-1:0] c3 = fv_coefs3[MULT_FIELD*gk +: MULT_FIELD];
      wire signed [MULT_FIELD-1:0] cn = fv_coefsn[MULT_FIELD*gk +: MULT_FIELD];
      wire signed [COEF_BITS-1:0] c = cw[COEF_BITS*gk +: COEF_BITS];
      // the bank holds the written coefficient, sign-extended, with 3c and -c exact
      always @(*) begin
        assert (c1 == c); // a_bank
        assert (c3 == 3 * c1); // a_mult3
        assert (cn == -c1); // a_multn
      end
    end
  endgenerate

  // ---- covers: every assertion's condition is reachable ----------------------------------
  always @(*) begin
    c_prod: cover ($signed(fv_p[PROD_BITS-1:0]) == -4064);
    c_pp: cover ($signed(fv_pp[3*MULT_FIELD-1:2*MULT_FIELD]) == 256);
    c_group: cover ($signed(fv_s[ACC_BITS-1:0]) < -4000);
    c_acc: cover ($signed(fv_acc[ACC_BITS-1:0]) > 4000);
    c_latency: cover (!rst);
    c_y_ref: cover (y[Y_BITS-1:0] != 0 && yd[D-1] == y && !rst);
    c_sat_hi: cover (hid[D-1][0]);
    c_sat_lo: cover (lod[D-1][0]);
    c_bank: cover ($signed(cw[COEF_BITS*(N-1) +: COEF_BITS]) < 0 && !rst);
    c_mult3: cover ($signed(fv_coefs3[MULT_FIELD*(N-1) +: MULT_FIELD]) < -300);
    c_multn: cover ($signed(fv_coefsn[MULT_FIELD*(N-1) +: MULT_FIELD]) == 128);
    c_hist: cover (hs[ADC_BITS*(HS-1) +: ADC_BITS] == 6'b100000);
    c_rd: cover (rd_addr == CFG_COEF_BASE + N - 1 && rd != 0);
    c_rd_zero: cover (rd_addr == CFG_COEF_BASE + N);
  end
endmodule
