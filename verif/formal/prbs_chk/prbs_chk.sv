// Formal contract of the PRBS13Q checker (hdl/src/bist/prbs_chk.rs): docs/bist.md
// "3. PRBS13Q checker" written as assertions about the exported block, checked by
// SymbiYosys (prbs_chk.sby; `cporx prove --block prbs_chk`).
//
// The wrapper drives every input freely (`anyseq`: any received levels, `valid` and
// `rst` at any cycle, from power-up on) and runs the spec's checker itself:
//
//   received bits: each level's Gray pair LEVEL2GRAY[level] (first bit the MSB), lane 0
//   the oldest; EVERY symbol is shifted into the history, valid or not (reset: 0)
//   bit b[t] mismatches iff b[t] != XOR of b[t-e] over the lags e with TAPMASK bit e-1
//   set (x^13 + x^12 + x^2 + x + 1: e = 1, 2, 12, 13), from the RECEIVED bits
//   fill: consecutive valid symbols before the clock, saturating at CHK_FILL; 0 after
//   reset and after a clock with valid low
//   lane i is checked iff valid and fill + i >= CHK_FILL
//   per clock: nb = mismatching bits of checked lanes, ns = checked lanes with a
//   mismatch, nn = checked lanes
//   counters: X' = rst ? 0 : min(2^CHK_CNT_BITS - 1, X + n) (saturating, never wrapping)
//   synced = (fill after the clock == CHK_FILL)
//
// with the clock's counts in the counters LAT_CHK edges after its symbols (the counters
// read after cycle c + LAT_CHK - 1 hold cycle c) and synced LAT_CHK_SYNC edges after its
// `valid`; a reset clears everything in flight. The model's cycle model of the same rule
// is sim/model/src/bist/prbs_chk.rs (`PrbsChkModel`); the untimed reference for the
// transmitted sequence is cporx_model::prbs::Prbs13q.
//
// The counters are 32 bits: no proof counts to the top. The counter contract is stated
// as its one-edge step (a_bit_errs, a_sym_errs, a_symbols: X after an edge is the
// saturated sum of X before it and the clock's count, 0 after reset), which k-induction
// proves from ANY counter value, the top included (a_sat_*: a sum past the top gives the
// top; a_nowrap: no counter decreases but by reset). Their covers need a counter near the
// top, 2^32 / P clocks from reset: the cover task starts the three counter registers at
// any value (their power-up value removed, prbs_chk.sby), the state set the induction
// step ranges over; the power-up value itself is a_powerup's (proven, and covered from
// power-up).
//
// Lemmas (stage by stage, the documented pipeline; they make the induction close at a
// depth below the latency): a_hist (the history register), a_fill, a_lane (each lane's
// registered mismatch pair and checked flag), a_inc (the per-clock sums entering the
// counters).
//
// Generated beside this file by `cporx prove`: dut.v (the block for the proof's lane
// count, module `top`), dut_flat.v (module `dut_flat`: `symbol$j` packed into `symbol`,
// lane j at [2j +: 2]), params.vh (P, HIST_BITS, TAPMASK, CHK_FILL, CHK_CNT_BITS,
// LAT_CHK, LAT_CHK_SYNC, LEVEL2GRAY from cporx-spec).
// Probes: fv_hist (hist$q), fv_fill (fill$q), fv_emis / fv_chk (emis$j$q / chk$j$q, lane j
// at [2j +: 2] / [j]), fv_inc_b / _s / _n (inc_b$q, inc_s$q, inc_n$q).
// Sizes: P = 1, 2, 8 (blocks/prbs_chk.rs).
module prbs_chk_formal(input clock);
`include "params.vh"

  localparam CW = CHK_CNT_BITS;
  localparam [CW-1:0] TOP = {CW{1'b1}};
  localparam HB = HIST_BITS;
  localparam NB = HB + 2*P;            // the history and the clock's bits
  localparam D = LAT_CHK - 1;          // registers before the counters
  localparam DS = LAT_CHK_SYNC;        // registers up to synced

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire valid;
  (* anyseq *) wire [2*P-1:0] symbol;
  wire [CW-1:0] bit_errs, sym_errs, symbols;
  wire synced;

  dut_flat dut(.clock(clock), .rst(rst), .valid(valid), .symbol(symbol),
               .bit_errs(bit_errs), .sym_errs(sym_errs), .symbols(symbols),
               .synced(synced));

  wire [HB-1:0] fv_hist;
  wire [2:0] fv_fill;
  wire [2*P-1:0] fv_emis;
  wire [P-1:0] fv_chk;
  wire [5:0] fv_inc_b, fv_inc_s, fv_inc_n;

  // ---- the spec's checker -------------------------------------------------------------
  reg [HB-1:0] hs = 0;                 // the last HB received bits, bit 0 the newest
  reg [5:0] fill = 0;                  // consecutive valid symbols before this clock
  reg started = 0;
  reg [NB-1:0] x;                      // x[t], t = 0 the oldest: history, then the clock
  reg [2*P-1:0] mis;                   // mismatch of the clock's bit k (k = 0 the first)
  reg [2*P-1:0] lane_mis;              // lane j's pair {msb, lsb}, 0 when not checked
  reg [P-1:0] checked;
  reg [HB-1:0] hs_next;
  reg [5:0] fill_next;
  reg [7:0] nb, ns, nn;
  reg [1:0] gr;
  reg pred;
  integer i, t, e, j;
  always @(*) begin
    for (i = 0; i < HB; i = i + 1) x[HB-1-i] = hs[i];
    for (j = 0; j < P; j = j + 1) begin
      gr = LEVEL2GRAY[2*symbol[2*j +: 2] +: 2];
      x[HB + 2*j] = gr[1];
      x[HB + 2*j + 1] = gr[0];
    end
    for (t = HB; t < NB; t = t + 1) begin
      pred = 1'b0;
      for (e = 1; e <= HB; e = e + 1)
        if (TAPMASK[e-1]) pred = pred ^ x[t-e];
      mis[t-HB] = x[t] ^ pred;
    end
    nb = 0; ns = 0; nn = 0;
    for (j = 0; j < P; j = j + 1) begin
      checked[j] = valid && fill + j >= CHK_FILL;
      lane_mis[2*j +: 2] = checked[j] ? {mis[2*j], mis[2*j+1]} : 2'b00;
      nb = nb + lane_mis[2*j] + lane_mis[2*j+1];
      ns = ns + (lane_mis[2*j +: 2] != 2'b00);
      nn = nn + checked[j];
    end
    for (i = 0; i < HB; i = i + 1) hs_next[i] = x[NB-1-i];
    fill_next = !valid ? 0 : (fill + P >= CHK_FILL) ? CHK_FILL : fill + P;
  end

  // the clock's counts on their way to the counters, synced on its way out (a reset
  // clears both)
  reg [7:0] db [0:D-1];
  reg [7:0] ds [0:D-1];
  reg [7:0] dn [0:D-1];
  reg [D:0] dv = 0;                    // dv[i]: valid of the clock i + 1 edges back
  reg [DS-1:0] sy = 0;
  // lemma state: the history, fill and per-lane flags one edge late (the block's input
  // register)
  reg [HB-1:0] hs_d = 0;
  reg [5:0] fill_d = 0;
  reg [2*P-1:0] lm1 = 0, lm2 = 0;
  reg [P-1:0] ck1 = 0, ck2 = 0;
  initial for (i = 0; i < D; i = i + 1) begin db[i] = 0; ds[i] = 0; dn[i] = 0; end
  // the counters one edge earlier, and what they must be now
  reg [CW-1:0] pb = 0, ps = 0, pn = 0;
  reg [CW-1:0] wb = 0, ws = 0, wn = 0;
  reg ob = 0, os = 0, on = 0;          // the sum went past the top at the last edge
  reg rst_d = 0, synced_p = 0;
  reg [7:0] cb = 0, cs = 0, cn = 0;    // the counts added at the last edge
  reg [7:0] cn_p = 0;                  // ... and at the edge before
  wire [CW:0] sum_b = {1'b0, bit_errs} + db[D-1];
  wire [CW:0] sum_s = {1'b0, sym_errs} + ds[D-1];
  wire [CW:0] sum_n = {1'b0, symbols} + dn[D-1];
  always @(posedge clock) begin
    started <= 1'b1;
    hs <= rst ? 0 : hs_next;
    fill <= rst ? 0 : fill_next;
    db[0] <= rst ? 0 : nb;
    ds[0] <= rst ? 0 : ns;
    dn[0] <= rst ? 0 : nn;
    dv <= rst ? 0 : {dv[D-1:0], valid};
    for (i = 1; i < D; i = i + 1) begin
      db[i] <= rst ? 0 : db[i-1];
      ds[i] <= rst ? 0 : ds[i-1];
      dn[i] <= rst ? 0 : dn[i-1];
    end
    sy <= rst ? 0 : {sy[DS-2:0], fill_next == CHK_FILL};
    hs_d <= rst ? 0 : hs;
    fill_d <= rst ? 0 : fill;
    lm1 <= rst ? 0 : lane_mis;
    ck1 <= rst ? 0 : checked;
    lm2 <= rst ? 0 : lm1;
    ck2 <= rst ? 0 : ck1;
    pb <= bit_errs; ps <= sym_errs; pn <= symbols;
    wb <= rst ? 0 : sum_b[CW] ? TOP : sum_b[CW-1:0];
    ws <= rst ? 0 : sum_s[CW] ? TOP : sum_s[CW-1:0];
    wn <= rst ? 0 : sum_n[CW] ? TOP : sum_n[CW-1:0];
    ob <= !rst && sum_b[CW];
    os <= !rst && sum_s[CW];
    on <= !rst && sum_n[CW];
    cb <= db[D-1]; cs <= ds[D-1]; cn <= dn[D-1];
    cn_p <= cn;
    rst_d <= rst;
    synced_p <= synced;
  end

  // ---- properties ----------------------------------------------------------------------
  always @(*) begin
    if (started) begin
      // the counters: the saturated sum of the last value and the clock's count
      a_bit_errs: assert (bit_errs == wb);
      a_sym_errs: assert (sym_errs == ws);
      a_symbols: assert (symbols == wn);
    end
    // a sum past the top gives the top
    if (started && ob) a_sat_b: assert (bit_errs == TOP);
    if (started && os) a_sat_s: assert (sym_errs == TOP);
    if (started && on) a_sat_n: assert (symbols == TOP);
    // no counter decreases but by reset (no wrap)
    if (started && !rst_d) begin
      assert (bit_errs >= pb); // a_nowrap
      assert (sym_errs >= ps); // a_nowrap
      assert (symbols >= pn); // a_nowrap
    end
    // a clock with valid low counts nothing
    if (started && !rst_d && !dv[D])
      a_quiet: assert (bit_errs == pb && sym_errs == ps && symbols == pn);
    // synced: fill == CHK_FILL, LAT_CHK_SYNC edges after the clock
    a_synced: assert (synced == sy[DS-1]);
    // a clock with valid low: synced low LAT_CHK_SYNC edges later
    if (started && !dv[DS-1])
      a_sync_fall: assert (!synced);
    // reset: counters and synced 0
    if (started && rst_d)
      a_reset: assert (bit_errs == 0 && sym_errs == 0 && symbols == 0 && !synced);
    // power-up: every output 0
    if (!started)
      a_powerup: assert (bit_errs == 0 && sym_errs == 0 && symbols == 0 && !synced);
    // lemmas: the history (every symbol shifted in), fill, the clock's counts
    a_hist: assert (fv_hist == hs_d);
    a_fill: assert (fv_fill == fill_d);
    a_inc: assert (fv_inc_b == db[D-1] && fv_inc_s == ds[D-1] && fv_inc_n == dn[D-1]);
  end
  genvar gj;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      // lemma: each lane's registered mismatch pair and checked flag
      always @(*)
        assert (fv_emis[2*gj +: 2] == lm2[2*gj +: 2] && fv_chk[gj] == ck2[gj]); // a_lane
    end
  endgenerate

  // ---- covers: every assertion's condition is reachable ----------------------------------
  // (c_sat_*, c_nowrap: from a free counter start, see the header and prbs_chk.sby)
  always @(*) begin
    c_bit_errs: cover (started && !rst_d && cb == 2*P && bit_errs == pb + 2*P);
    c_sym_errs: cover (started && !rst_d && cs == P && cb == P && sym_errs == ps + P);
    c_symbols: cover (started && !rst_d && cn == P && symbols == pn + P);
    c_sat_b: cover (started && ob);
    c_sat_s: cover (started && os);
    c_sat_n: cover (started && on);
    c_nowrap: cover (started && !rst_d && pb == TOP && cb != 0);
    c_quiet: cover (started && !rst_d && !dv[D] && cn_p == P);
    c_synced: cover (started && synced && !synced_p && !rst_d);
    c_sync_fall: cover (started && synced_p && !synced && !rst_d);
    c_reset: cover (started && rst_d && synced_p);
    c_powerup: cover (!started);
    c_hist: cover (fv_hist == {HB{1'b1}});
    c_fill: cover (fv_fill == CHK_FILL && fill_d == CHK_FILL && started);
    c_inc: cover (fv_inc_b == 2*P);
    c_lane: cover (fv_emis[2*(P-1) +: 2] == 2'b11 && fv_chk[P-1]);
  end
endmodule
