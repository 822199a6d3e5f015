// Formal contract of the PRBS13Q generator (hdl/src/bist/prbs_gen.rs): docs/bist.md
// "1. PRBS13Q generator" written as assertions about the exported block, checked by
// SymbiYosys (prbs_gen.sby; `cporx prove --block prbs_gen`).
//
// The wrapper drives `rst` and `inject` freely (`anyseq`: reset and injection at any
// cycle, from power-up on) and runs the spec's generator itself, a shadow LFSR:
//
//   state s = b[t-13 .. t-1], bit 0 the newest (b[t-1]); power-up 0
//   b[t]  = XOR of b[t-e] over the lags e with TAPMASK bit e-1 set
//           (x^13 + x^12 + x^2 + x + 1: e = 1, 2, 12, 13), s' = {s[11:0], b[t]}
//   a clock takes 2P such steps; pair j = (b[2j], b[2j+1]) of the clock, the first bit
//   the MSB, is lane j's level GRAY2LEVEL[{msb, lsb}] (lane 0 the oldest)
//   reseed = rst | (s == 0): s' = SEED (all ones), every symbol 0
//   inject edge = inject & !inject_at_the_previous_edge (sampled at every edge, also in
//   reset): lane 0's level ^ 1 (its LSB; exactly the pair's second Gray bit)
//
// delayed by LAT_GEN (the symbols read after edge n come from the state before edge n).
// The model's untimed reference for the same sequence is cporx_model::prbs::Prbs13q
// (sim/model/src/prbs.rs), the cycle model sim/model/src/bist/prbs_gen.rs
// (`prbs13_step`, `PrbsGenModel`).
//
// Proven by k-induction (every input sequence, every cycle count):
//   a_lfsr      the block's LFSR IS the shadow LFSR (2P recurrence steps per clock, seed
//               on reset and on 0, inject does not touch it)
//   a_nonzero   after any edge the LFSR is not 0 (the lock-up rule)
//   a_sym       every lane's symbol: the Gray-mapped pair, lane 0 the oldest, lane 0's
//               LSB flipped exactly at a rising edge of inject
//   a_inject    at a rising edge lane 0 differs from the clean sequence in its LSB only
//   a_reset     after an edge with rst (or the LFSR at 0): symbols 0, LFSR = SEED
//   a_first     the first clock after a reseed outputs symbols 0 .. P-1 of Prbs13q
//               (FIRST_SYMS, from the model, not from this wrapper's recurrence)
//   a_powerup   before the first edge: symbols 0, LFSR 0, inject register 0
//   a_inj_sample the inject edge register holds inject of the previous edge
// NOT proven by the solver: the period (8191 clocks, 8191 symbols). It follows from
// a_lfsr and a_nonzero: the LFSR's state after n clocks is F^(2P n)(SEED), F the
// one-bit step, a bijection of the 8191 nonzero states that is ONE cycle because the
// polynomial is primitive; as 8191 is prime and odd, F^(2P) is one cycle of length 8191
// too. That F is one 8191-cycle is checked exhaustively by simulation, not by the solver:
// `cporx_model::prbs::tests::periods_and_balance_of_short_prbs` (the model's PRBS13) and
// `formal::blocks::prbs_gen::tests::spec_tapmask_is_one_8191_cycle` (the TAPMASK this
// wrapper uses, 2P steps per clock for every legal P). A BMC of the period itself would
// need depth 8191.
//
// Generated beside this file by `cporx prove`: dut.v (the block for the proof's lane
// count, module `top`), dut_flat.v (module `dut_flat`: `symbol$j` packed into `symbol`,
// lane j at [2j +: 2]), params.vh (P, LFSR_BITS, SEED, TAPMASK, LAT_GEN, GRAY2LEVEL,
// FIRST_SYMS from cporx-spec and cporx-model).
// Probes: fv_lfsr  the LFSR register (lfsr$q), fv_inj the inject edge register (inj_r$q).
// Sizes: P = 1, 2, 16 (blocks/prbs_gen.rs).
module prbs_gen_formal(input clock);
`include "params.vh"

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire inject;
  wire [2*P-1:0] symbol;

  dut_flat dut(.clock(clock), .rst(rst), .inject(inject), .symbol(symbol));

  wire [LFSR_BITS-1:0] fv_lfsr;
  wire fv_inj;

  // ---- the spec's generator ------------------------------------------------------------
  reg [LFSR_BITS-1:0] s = 0;           // shadow LFSR, power-up 0
  reg inj_prev = 0;                    // inject at the previous edge
  reg started = 0;                     // an edge has happened
  reg [LFSR_BITS-1:0] w, s_next;
  reg [2*P-1:0] nb;                    // the clock's 2P new bits, nb[0] the first
  reg [2*P-1:0] clean;                 // lane j's level at [2j +: 2], no injection
  reg [1:0] g;
  integer k, e, j;
  always @(*) begin
    w = s;
    for (k = 0; k < 2*P; k = k + 1) begin
      nb[k] = 1'b0;
      for (e = 1; e <= LFSR_BITS; e = e + 1)
        if (TAPMASK[e-1]) nb[k] = nb[k] ^ w[e-1];   // w[e-1] = b[t-e]
      w = {w[LFSR_BITS-2:0], nb[k]};
    end
    s_next = w;
    for (j = 0; j < P; j = j + 1) begin
      g = {nb[2*j], nb[2*j+1]};
      clean[2*j +: 2] = GRAY2LEVEL[2*g +: 2];
    end
  end
  wire reseed = rst || s == 0;
  wire inj_edge = inject && !inj_prev;
  // the expected outputs, one register (LAT_GEN = 1, checked in blocks/prbs_gen.rs)
  reg [2*P-1:0] clean_d = 0;           // the clean levels after the edge (0 after reseed)
  reg inj_d = 0;                       // this edge injected (outside a reseed)
  reg reseed_d = 0, rst_d = 0, rst_dd = 0, first = 0, lock_d = 0, run_rst_d = 0;
  reg [1:0] age = 0;                   // clocks since the last reseed, saturating at 3
  always @(posedge clock) begin
    started <= 1'b1;
    inj_prev <= inject;
    s <= reseed ? SEED : s_next;
    clean_d <= reseed ? {(2*P){1'b0}} : clean;
    inj_d <= inj_edge && !reseed;
    reseed_d <= reseed;
    rst_d <= rst;
    rst_dd <= rst_d;
    first <= reseed_d && !reseed;
    lock_d <= s == 0 && !rst;
    run_rst_d <= rst && s != 0 && s != SEED;
    age <= reseed ? 2'd0 : (age == 2'd3 ? 2'd3 : age + 2'd1);
  end
  wire [2*P-1:0] want = clean_d ^ {{(2*P-1){1'b0}}, inj_d};

  // ---- properties ----------------------------------------------------------------------
  always @(*) begin
    // the block's LFSR is the shadow LFSR
    a_lfsr: assert (fv_lfsr == s);
    // the lock-up rule: 0 only before the first edge
    if (started)
      a_nonzero: assert (fv_lfsr != 0);
    // lane 0 at a rising edge of inject: the clean level with its LSB flipped, no more
    if (inj_d)
      a_inject: assert ((symbol[1:0] ^ clean_d[1:0]) == 2'd1);
    // reset (or the LFSR at 0): symbols 0, the LFSR at the seed
    if (reseed_d)
      a_reset: assert (symbol == 0 && fv_lfsr == SEED);
    // the first clock after a reseed: symbols 0 .. P-1 of the model's Prbs13q
    if (first && !inj_d)
      a_first: assert (symbol == FIRST_SYMS);
    // power-up: every register 0
    if (!started)
      a_powerup: assert (symbol == 0 && fv_lfsr == 0 && !fv_inj);
    // the inject edge register samples inject at every edge
    a_inj_sample: assert (fv_inj == inj_prev);
  end
  genvar gj;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      // every lane: the Gray-mapped pair of the sequence (lane 0 the oldest), injection
      // on lane 0 only
      always @(*)
        assert (symbol[2*gj +: 2] == want[2*gj +: 2]); // a_sym
    end
  endgenerate

  // ---- covers: every assertion's condition is reachable ----------------------------------
  always @(*) begin
    c_lfsr: cover (age == 2'd3 && fv_lfsr != SEED);
    c_nonzero: cover (started && lock_d);          // the escape from 0 (power-up, no reset)
    c_inject: cover (inj_d && age >= 2'd2);
    c_reset: cover (run_rst_d);                    // a reset from a running state
    c_first: cover (first && !inj_d && age == 2'd1);
    c_powerup: cover (!started);
    c_inj_sample: cover (first && rst_dd && fv_inj && !inj_d); // inject held through a reset
    c_sym: cover (age == 2'd3 && symbol[2*(P-1) +: 2] == GRAY2LEVEL[7:6] && !inj_d);
  end
endmodule
