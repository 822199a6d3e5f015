// Formal contract of the baud-rate CDR (hdl/src/cdr.rs): docs/numerics.md "CDR (clock and
// data recovery)", "Lock detector and kick: timing", "Configuration bus", "Reset and
// power-up" and "Latency" written as assertions about the exported block, checked by
// SymbiYosys (cdr.sby; `cporx prove --block cdr`).
//
// The wrapper drives every input freely (`anyseq`: any symbol and error on every lane, any
// configuration write, reset at any cycle, from power-up on) and keeps the spec's CDR
// itself, in wide (32/40-bit) arithmetic, edge by edge:
//
//   A(s)  = 2s - 3
//   z[k]  = e[k] A(a[k-1]) - e[k-1] A(a[k])     lane 0's previous sample: the previous
//                                               clock's lane P-1; after reset e = 0, a = 0
//   zs    = sum of the clock's P z[k] (registered as group sums of TED_GROUP lanes)
//   pf   <- ((zs << kp) + (freq << log2 P)) mod 2^PHASE_BITS,  inc <- zs << ki
//   freq <- clamp(freq + inc, -(L+1) 2^FREQ_LIM_SHIFT, (L+1) 2^FREQ_LIM_SHIFT - 1)
//                                               if ctrl.enable and ctrl.integral
//   phase <- phase + pf [+ 2^(PHASE_BITS-1) at a kick edge] (mod 2^PHASE_BITS)
//                                               if ctrl.enable; a phase load wins
//   PI code = phase >> PHASE_FRAC
//   lock: window w (W = 2^LOCK_WIN_LOG2 / P clocks, from the first edge after a reset)
//         counts the lanes with |err| > lock_thr of the inputs of edges wW-3 .. wW+W-4;
//         at edge (w+1)W  lock <- (count <= lock_max); the unlocked-window counter
//         (KICK_CNT_BITS) counts unlocked decisions, and the KICK_WINDOWS-th raises the
//         kick pulse if ctrl.kick and acquiring (before the decision edge); the kick
//         moves the phase at the next edge if ctrl.enable then
//   bus: kp, ki, ctrl, lock_thr, lock_max, freq range L land at the edge of their write
//        cycle and are used by what registers at the next edge; a phase load sets the PI
//        code, clears the fraction and sets acquiring; reset wins over a write
//   reset: config to the reset values, phase to RST_PHASE << PHASE_FRAC, acquiring 1,
//          everything else 0; power-up: every register 0
//
// with the detector registers D1 (the lane's e, a) one edge after the input, D2 (the
// group sums) two, pf/inc three and the phase four (LAT_CDR). The untimed reference of
// the same equations is sim/model/src/reference.rs `cdr_ref` (the serial one-lane loop);
// the model is sim/model/src/cdr.rs `CdrModel`.
//
// Lemmas (stage by stage, every internal register of the block equated with the
// wrapper's, so k-induction closes at depth 1-2 whatever the window length): a_d1, a_prev
// (the lanes' D1 registers and the copy of the last lane), a_ted (the D2 group sums),
// a_pf, a_inc, a_freq, a_phase, a_flag, a_gcnt, a_badq, a_win, a_bad, a_cntd, a_done,
// a_unl, a_acq, a_kickq, a_cfg; bounds of the wrapper's own counts (a_count_bound).
//
// Covers: the cover task starts the window position and the unlocked-window counter (the
// block's and the wrapper's, assumed equal at step 0) at any value instead of power-up
// (cdr.sby), so the lock and kick covers are reached at a shallow depth at every P (from
// power-up they need W + 2 and 4W + 2 edges: 258 and 1026 at one lane). Their power-up
// value stays proven (a_powerup, prove task, outside `ifdef COVER`).
//
// Generated beside this file by `cporx prove`: dut.v (the block exported for the proof's
// parameters, module `top`), dut_flat.v (module `dut_flat`: `symbol$j`, `err$j` packed
// into `symbol`, `err`, lane j at [w*j +: w]), params.vh (P, the reset values and the
// spec's constants from cporx-spec), probes.ys.
//
// Probes (wires fv_*, connected in probes.ys; lane j at [w*j +: w], group g likewise):
//   fv_ex1/ex3/nx1/nx3/sd  each lane's D1 registers (+e, +3e, -e, -3e, the symbol)
//   fv_px1/px3/pnx1/pnx3/pa  the copy of the previous clock's last lane
//   fv_gs     each group's D2 sum (the last lane of each group)
//   fv_pf, fv_inc, fv_phase (27 bits), fv_flag (lanes' bad flags), fv_gc (group counts),
//   fv_badq, fv_win, fv_bad, fv_cntd, fv_done, fv_unl, fv_acq, fv_kickq, and the
//   configuration registers fv_kp, fv_ki, fv_en, fv_int, fv_kick, fv_lthr, fv_lmax, fv_flim
// Sizes proven: verif/src/formal/blocks/cdr.rs.
module cdr_formal(input clock);
`include "params.vh"

  localparam EB = ERR_BITS;
  localparam TB = TED_BITS;
  localparam SB = TED_SUM_BITS;
  localparam PB = PHASE_BITS;
  localparam FB = FREQ_BITS;
  localparam G = (P + TED_GROUP - 1) / TED_GROUP;   // lane groups
  localparam GS = P < TED_GROUP ? P : TED_GROUP;    // lanes per group
  localparam W = (1 << LOCK_WIN_LOG2) / P;          // window, clocks
  localparam WB = LOCK_WIN_LOG2;
  localparam CB = LOCK_CNT_BITS;
  localparam [PB-1:0] HALF = 1 << (PB - 1);
  // |z| bound: |e| <= 2^(EB-1) (the port's range), |A| <= 3, two terms
  localparam signed [15:0] EMAX = 1 << (EB - 1);
  localparam signed [39:0] ZMAX = 6 * (40'sd1 <<< (EB - 1));

  // ---- free inputs -----------------------------------------------------------------
  (* anyseq *) wire rst;
  (* anyseq *) wire cfg_we;
  (* anyseq *) wire [CFG_ADDR_BITS-1:0] cfg_addr;
  (* anyseq *) wire [CFG_DATA_BITS-1:0] cfg_data;
  (* anyseq *) wire [2*P-1:0] symbol;
  (* anyseq *) wire [EB*P-1:0] err;
  wire [PI_BITS-1:0] phase;
  wire lock;
  wire [FB-1:0] freq;
  wire [CFG_DATA_BITS-1:0] rd;

  dut_flat dut(.clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
               .cfg_data(cfg_data), .symbol(symbol), .err(err), .phase(phase),
               .lock(lock), .freq(freq), .rd(rd));

  wire [TB*P-1:0] fv_ex1, fv_ex3, fv_nx1, fv_nx3;
  wire [2*P-1:0] fv_sd;
  wire [TB-1:0] fv_px1, fv_px3, fv_pnx1, fv_pnx3;
  wire [1:0] fv_pa;
  wire [SB*G-1:0] fv_gs;
  wire [PB-1:0] fv_pf;
  wire [INC_BITS-1:0] fv_inc;
  wire [PB-1:0] fv_phase;
  wire [P-1:0] fv_flag;
  wire [3*G-1:0] fv_gc;
  wire [CB-1:0] fv_badq, fv_bad, fv_cntd;
  wire [WB-1:0] fv_win;
  wire fv_done, fv_acq, fv_kickq;
  wire [KICK_CNT_BITS-1:0] fv_unl;
  wire [KP_BITS-1:0] fv_kp;
  wire [KI_BITS-1:0] fv_ki;
  wire fv_en, fv_int, fv_kick;
  wire [7:0] fv_lthr, fv_lmax, fv_flim;

  // ---- the spec's configuration registers ------------------------------------------
  reg [KP_BITS-1:0] kp_s = 0;
  reg [KI_BITS-1:0] ki_s = 0;
  reg en_s = 0, int_s = 0, kk_s = 0;
  reg [7:0] lthr_s = 0, lmax_s = 0, flim_s = 0;
  wire wr = cfg_we && !rst;
  wire wr_kp = wr && cfg_addr == CFG_KP;
  wire wr_ki = wr && cfg_addr == CFG_KI;
  wire wr_ctrl = wr && cfg_addr == CFG_CDR_CTRL;
  wire wr_lthr = wr && cfg_addr == CFG_LOCK_THR;
  wire wr_lmax = wr && cfg_addr == CFG_LOCK_MAX;
  wire wr_flim = wr && cfg_addr == CFG_FREQ_LIM;
  wire load = wr && cfg_addr == CFG_PHASE;

  // ---- the detector -------------------------------------------------------------------
  // e1/a1: each lane's sample of the last edge (D1); ep/ap: the last lane one edge before
  reg signed [15:0] e1 [0:P-1];
  reg [1:0] a1 [0:P-1];
  reg signed [15:0] ep = 0;
  reg [1:0] ap = 0;
  reg signed [31:0] gs_s [0:G-1];          // D2: the group sums of z
  integer i, j, g;
  initial for (i = 0; i < P; i = i + 1) begin e1[i] = 0; a1[i] = 0; end
  initial for (i = 0; i < G; i = i + 1) gs_s[i] = 0;

  // e * A(a), A(a) = 2a - 3 (a select: no multiplier in the reference either)
  function signed [31:0] ea(input signed [15:0] e, input [1:0] a);
    case (a)
      2'd0: ea = -3 * e;
      2'd1: ea = -e;
      2'd2: ea = e;
      default: ea = 3 * e;
    endcase
  endfunction

  reg signed [31:0] z [0:P-1];
  reg signed [31:0] gz [0:G-1];
  reg signed [31:0] zs_s;                  // the clock's sum in D2
  reg signed [15:0] ekm1;
  reg [1:0] akm1;
  always @(*) begin
    for (g = 0; g < G; g = g + 1) gz[g] = 0;
    for (j = 0; j < P; j = j + 1) begin
      ekm1 = j == 0 ? ep : e1[(j + P - 1) % P];
      akm1 = j == 0 ? ap : a1[(j + P - 1) % P];
      z[j] = ea(e1[j], akm1) - ea(ekm1, a1[j]);
      gz[j / TED_GROUP] = gz[j / TED_GROUP] + z[j];
    end
    zs_s = 0;
    for (g = 0; g < G; g = g + 1) zs_s = zs_s + gs_s[g];
  end

  // ---- loop filter and phase ------------------------------------------------------------
  reg [PB-1:0] pf_s = 0;
  reg signed [31:0] inc_s = 0;
  reg signed [31:0] freq_s = 0;
  reg [PB-1:0] phase_s = 0;
  reg signed [39:0] bnd_s = 0;             // the gains' bound on the pf registered with pf_s
  wire signed [31:0] pf_wide = (zs_s <<< kp_s) + (freq_s <<< LOG2P);
  wire signed [31:0] inc_wide = zs_s <<< ki_s;
  wire signed [31:0] lim_p = ($signed({24'd0, flim_s}) + 1) <<< FREQ_LIM_SHIFT;
  wire signed [31:0] f_hi = lim_p - 1;
  wire signed [31:0] f_lo = -lim_p;
  wire signed [31:0] f_sum = freq_s + inc_s;
  wire signed [31:0] f_next = f_sum > f_hi ? f_hi : f_sum < f_lo ? f_lo : f_sum;
  wire signed [39:0] fabs = freq_s < 0 ? -freq_s : freq_s;
  wire signed [39:0] bnd_next = ((P * ZMAX) <<< kp_s) + P * fabs;

  // ---- lock detector and kick -----------------------------------------------------------
  reg [WB-1:0] pos_s = 0;                  // the next edge's index in its window
  reg [P-1:0] f1 = 0;                      // the lanes' bad flags
  reg [7:0] c2 [0:G-1];                    // group counts
  reg [15:0] c3 = 0;                       // the clock's count
  reg [15:0] acc_s = 0;                    // the window's running count
  reg [15:0] total_s = 0;                  // the last window's total
  reg done_s = 0;                          // a window total waits for its decision
  reg lock_s = 0;
  reg [KICK_CNT_BITS-1:0] unl_s = 0;
  reg acq_s = 0;
  reg kick_s = 0;                          // the kick pulse
  initial for (i = 0; i < G; i = i + 1) c2[i] = 0;
  reg [P-1:0] bad_in;
  reg [7:0] gcnt [0:G-1];
  reg [15:0] ccnt;
  reg signed [15:0] ej;
  always @(*) begin
    for (g = 0; g < G; g = g + 1) gcnt[g] = 0;
    for (j = 0; j < P; j = j + 1) begin
      ej = $signed(err[EB*j +: EB]);
      bad_in[j] = (ej < 0 ? -ej : ej) > $signed({8'd0, lthr_s});
      gcnt[j / TED_GROUP] = gcnt[j / TED_GROUP] + f1[j];
    end
    ccnt = 0;
    for (g = 0; g < G; g = g + 1) ccnt = ccnt + c2[g];
  end
  wire [15:0] bsum = acc_s + c3;
  wire win_end = pos_s == W - 1;
  wire lock_new = total_s <= lmax_s;
  wire kick_next = done_s && !lock_new && unl_s == KICK_WINDOWS - 1 && kk_s && acq_s;

  always @(posedge clock) begin
    // configuration
    if (wr_kp) kp_s <= cfg_data[KP_BITS-1:0];
    if (wr_ki) ki_s <= cfg_data[KI_BITS-1:0];
    if (wr_ctrl) begin en_s <= cfg_data[0]; int_s <= cfg_data[1]; kk_s <= cfg_data[2]; end
    if (wr_lthr) lthr_s <= cfg_data;
    if (wr_lmax) lmax_s <= cfg_data;
    if (wr_flim) flim_s <= cfg_data;
    // detector
    for (j = 0; j < P; j = j + 1) begin
      e1[j] <= $signed(err[EB*j +: EB]);
      a1[j] <= symbol[2*j +: 2];
    end
    ep <= e1[P-1];
    ap <= a1[P-1];
    for (g = 0; g < G; g = g + 1) gs_s[g] <= gz[g];
    // loop filter, frequency, phase
    pf_s <= pf_wide[PB-1:0];
    inc_s <= inc_wide;
    bnd_s <= bnd_next;
    if (en_s && int_s) freq_s <= f_next;
    if (en_s) phase_s <= phase_s + pf_s + (kick_s ? HALF : 0);
    if (load) phase_s <= {cfg_data[PI_BITS-1:0], {PHASE_FRAC{1'b0}}};
    // lock detector
    pos_s <= win_end ? 0 : pos_s + 1;
    f1 <= bad_in;
    for (g = 0; g < G; g = g + 1) c2[g] <= gcnt[g];
    c3 <= ccnt;
    acc_s <= win_end ? 0 : bsum;
    if (win_end) total_s <= bsum;
    done_s <= win_end;
    kick_s <= kick_next;
    if (done_s) begin
      lock_s <= lock_new;
      if (lock_new) begin
        unl_s <= 0;
        acq_s <= 0;
      end else
        unl_s <= unl_s + 1;                // KICK_WINDOWS = 2^KICK_CNT_BITS: wraps to 0
    end
    if (load) acq_s <= 1;
    if (rst) begin
      kp_s <= RST_KP; ki_s <= RST_KI;
      en_s <= RST_EN; int_s <= RST_INT; kk_s <= RST_KICK;
      lthr_s <= RST_LTHR; lmax_s <= RST_LMAX; flim_s <= RST_FLIM;
      for (j = 0; j < P; j = j + 1) begin e1[j] <= 0; a1[j] <= 0; end
      ep <= 0; ap <= 0;
      for (g = 0; g < G; g = g + 1) gs_s[g] <= 0;
      pf_s <= 0; inc_s <= 0; bnd_s <= 0; freq_s <= 0;
      phase_s <= RST_PHASE << PHASE_FRAC;
      pos_s <= 0; f1 <= 0; c3 <= 0; acc_s <= 0; total_s <= 0; done_s <= 0;
      for (g = 0; g < G; g = g + 1) c2[g] <= 0;
      lock_s <= 0; unl_s <= 0; acq_s <= 1; kick_s <= 0;
    end
  end

  // ---- one edge back ---------------------------------------------------------------
  reg past_valid = 0, p_rst = 0, p_load = 0, p_en = 0, p_int = 0, p_kickq = 0;
  reg p_done = 0, p_lock = 0, p_acq = 0, p_kick = 0, p_we = 0;
  reg [CFG_ADDR_BITS-1:0] p_addr = 0;
  reg [CFG_DATA_BITS-1:0] p_data = 0;
  reg [PB-1:0] p_phase = 0, p_pf = 0;
  reg [FB-1:0] p_freq = 0;
  reg signed [31:0] p_fsum = 0, p_hi = 0, p_lo = 0;
  reg signed [39:0] p_bnd = 0;
  reg [CB-1:0] p_cntd = 0;
  reg [7:0] p_lmax = 0;
  reg [KICK_CNT_BITS-1:0] p_unl = 0;
  reg [WB-1:0] p_pos = 0;
  always @(posedge clock) begin
    past_valid <= 1;
    p_rst <= rst;
    p_load <= load;
    p_we <= cfg_we;
    p_addr <= cfg_addr;
    p_data <= cfg_data;
    p_en <= fv_en;
    p_int <= fv_int;
    p_kickq <= fv_kickq;
    p_done <= fv_done;
    p_lock <= lock;
    p_acq <= fv_acq;
    p_kick <= fv_kick;
    p_phase <= fv_phase;
    p_pf <= fv_pf;
    p_freq <= freq;
    p_fsum <= $signed(freq) + $signed(fv_inc);
    p_hi <= f_hi;
    p_lo <= f_lo;
    p_bnd <= bnd_s;
    p_cntd <= fv_cntd;
    p_lmax <= fv_lmax;
    p_unl <= fv_unl;
    p_pos <= fv_win;
  end

  // ---- properties ------------------------------------------------------------------
  wire signed [PB-1:0] step = fv_phase - p_phase;        // the phase's step, signed
  wire [PB-1:0] phase_exp = p_phase + p_pf + (p_kickq ? HALF : {PB{1'b0}});   // mod 2^PB
  wire signed [39:0] step_w = step;
  wire signed [PB-1:0] pf_sgn = pf_s;
  wire signed [39:0] pf_sw = pf_sgn;
  wire signed [FB-1:0] freq_d = freq;
  wire [CFG_DATA_BITS-1:0] rd_ref = cfg_addr == CFG_KP ? kp_s
                                  : cfg_addr == CFG_KI ? ki_s
                                  : cfg_addr == CFG_CDR_CTRL ? {kk_s, int_s, en_s}
                                  : cfg_addr == CFG_LOCK_THR ? lthr_s
                                  : cfg_addr == CFG_LOCK_MAX ? lmax_s
                                  : cfg_addr == CFG_FREQ_LIM ? flim_s
                                  : cfg_addr == CFG_PHASE ? phase_s[PB-1:PHASE_FRAC] : 0;
  always @(*) begin
    // the outputs are the spec's
    a_pi: assert (phase == phase_s[PB-1:PHASE_FRAC]);
    a_freq: assert ($signed(freq) == freq_s);
    a_lock: assert (lock == lock_s);
    // stage by stage: the clock's sum, the loop filter, the phase accumulator
    // (and pf, read as signed, within the gains' bound registered with it, where that
    // bound is below half a UI: the lemma of a_phase_bound)
    a_pf: assert (fv_pf == pf_s && bnd_s >= 0
                  && (bnd_s >= HALF || (pf_sw <= bnd_s && pf_sw >= -bnd_s)));
    a_inc: assert ($signed(fv_inc) == inc_s);
    a_phase: assert (fv_phase == phase_s);
    // the detector sum is exact and bounded: |zs| <= P max|z|
    a_ted_bound: assert (zs_s <= P * ZMAX && zs_s >= -P * ZMAX);
    // the configuration registers hold the spec's values
    a_cfg: assert (fv_kp == kp_s && fv_ki == ki_s && fv_en == en_s && fv_int == int_s
                   && fv_kick == kk_s && fv_lthr == lthr_s && fv_lmax == lmax_s
                   && fv_flim == flim_s);
    // read-back (combinational): the register at cfg_addr, 0 elsewhere
    a_rd: assert (rd == rd_ref);
    // the lock detector's registers
    a_win: assert (fv_win == pos_s && pos_s < W);
    a_badq: assert (fv_badq == c3);
    a_bad: assert (fv_bad == acc_s);
    a_cntd: assert (fv_cntd == total_s);
    a_done: assert (fv_done == done_s);
    a_unl: assert (fv_unl == unl_s);
    a_acq: assert (fv_acq == acq_s);
    a_kickq: assert (fv_kickq == kick_s);
    // the wrapper's counts: at most P bad samples a clock
    a_count_bound: assert (c3 <= P && acc_s <= P * pos_s && total_s <= P * W
                           && (!done_s || pos_s == 0));
    // the D1 copy of the previous clock's last lane
    a_prev: assert ($signed(fv_px1) == ep && $signed(fv_px3) == 3 * ep
                    && $signed(fv_pnx1) == -ep && $signed(fv_pnx3) == -3 * ep && fv_pa == ap
                    && ep >= -EMAX && ep < EMAX);

    if (past_valid && !p_rst) begin
      // a write lands at the edge of its cycle (reset wins: see a_reset)
      if (p_we && p_addr == CFG_KP) a_write: assert (fv_kp == p_data[KP_BITS-1:0]);
      if (p_we && p_addr == CFG_KI) assert (fv_ki == p_data[KI_BITS-1:0]); // a_write
      if (p_we && p_addr == CFG_CDR_CTRL)
        assert ({fv_kick, fv_int, fv_en} == p_data[2:0]); // a_write
      if (p_we && p_addr == CFG_LOCK_THR) assert (fv_lthr == p_data); // a_write
      if (p_we && p_addr == CFG_LOCK_MAX) assert (fv_lmax == p_data); // a_write
      if (p_we && p_addr == CFG_FREQ_LIM) assert (fv_flim == p_data); // a_write
      // a phase load: the PI code written, the fraction cleared, acquiring
      if (p_load) a_load: assert (fv_phase == {p_data[PI_BITS-1:0], {PHASE_FRAC{1'b0}}}
                                  && fv_acq);
      // the phase step is the pf registered one edge before (+ half a UI at a kick),
      // modulo one UI; disabled, the phase holds
      if (!p_load && p_en)
        a_phase_step: assert (fv_phase == phase_exp);
      if (!p_load && !p_en) a_phase_hold: assert (fv_phase == p_phase);
      // ... and that pf is within what the gains allow: |step| <= P max|z| 2^kp + P |freq|
      // (kp and freq of the edge that registered pf; where the bound is below half a UI)
      if (!p_load && p_en && !p_kickq && p_bnd < HALF)
        a_phase_bound: assert (step_w <= p_bnd && step_w >= -p_bnd);
      // the frequency register: an integral update saturates at the range's bounds
      // (never wraps), stays within them, and holds when the path is off
      if (p_en && p_int) begin
        a_freq_range: assert (freq_d <= p_hi && freq_d >= p_lo);
        if (p_fsum > p_hi) a_freq_sat: assert (freq_d == p_hi);
        else if (p_fsum < p_lo) assert (freq_d == p_lo); // a_freq_sat
        else assert (freq_d == p_fsum); // a_freq_sat
      end else
        a_freq_hold: assert (freq == p_freq);
      // lock moves only at a decision edge (the edge after a window's last edge), to
      // (the window's total <= lock_max as before that edge)
      if (p_done) a_lock_rule: assert (lock == (p_cntd <= p_lmax));
      else assert (lock == p_lock); // a_lock_rule
      if (p_done) a_lock_time: assert (p_pos == 0);
      // the kick pulse only after the KICK_WINDOWS-th consecutive unlocked decision of
      // an acquiring CDR with ctrl.kick
      if (fv_kickq)
        a_kick: assert (p_done && p_cntd > p_lmax && p_unl == KICK_WINDOWS - 1 && p_kick
                        && p_acq);
    end
    // reset state
    if (past_valid && p_rst)
      a_reset: assert (fv_kp == RST_KP && fv_ki == RST_KI && fv_en == RST_EN
                       && fv_int == RST_INT && fv_kick == RST_KICK && fv_lthr == RST_LTHR
                       && fv_lmax == RST_LMAX && fv_flim == RST_FLIM
                       && fv_phase == (RST_PHASE << PHASE_FRAC) && freq == 0 && !lock
                       && fv_acq && fv_unl == 0 && fv_win == 0 && fv_pf == 0 && fv_inc == 0
                       && fv_bad == 0 && fv_badq == 0 && fv_cntd == 0 && !fv_done
                       && !fv_kickq && fv_gs == 0 && fv_flag == 0 && fv_gc == 0
                       && fv_ex1 == 0 && fv_ex3 == 0 && fv_nx1 == 0 && fv_nx3 == 0
                       && fv_sd == 0 && fv_px1 == 0 && fv_pa == 0);
    // power-up: every register 0
    if (!past_valid) begin
      a_powerup: assert (fv_kp == 0 && fv_ki == 0 && !fv_en && !fv_int && !fv_kick
                         && fv_lthr == 0 && fv_lmax == 0 && fv_flim == 0 && fv_phase == 0
                         && freq == 0 && !lock && !fv_acq && fv_pf == 0 && fv_inc == 0
                         && fv_bad == 0 && fv_badq == 0 && fv_cntd == 0 && !fv_done
                         && !fv_kickq && fv_gs == 0 && fv_flag == 0 && fv_gc == 0
                         && fv_ex1 == 0 && fv_ex3 == 0 && fv_nx1 == 0 && fv_nx3 == 0
                         && fv_sd == 0 && fv_px1 == 0 && fv_pa == 0);
`ifndef COVER
      assert (fv_win == 0 && fv_unl == 0); // a_powerup
`endif
    end
  end
`ifdef COVER
  // the cover task's free start (cdr.sby): the block's window position and unlocked
  // counter equal the wrapper's
  always @(*) if (!past_valid) assume (fv_win == pos_s && pos_s < W && fv_unl == unl_s);
`endif

  genvar gj;
  generate
    for (gj = 0; gj < P; gj = gj + 1) begin : lane
      // D1: +-e, +-3e (TED_BITS) and the symbol of the last edge
      always @(*)
        assert ($signed(fv_ex1[TB*gj +: TB]) == e1[gj] && $signed(fv_ex3[TB*gj +: TB]) == 3 * e1[gj]
                && $signed(fv_nx1[TB*gj +: TB]) == -e1[gj]
                && $signed(fv_nx3[TB*gj +: TB]) == -3 * e1[gj]
                && fv_sd[2*gj +: 2] == a1[gj]
                && e1[gj] >= -EMAX && e1[gj] < EMAX); // a_d1
      // the lane's bad flag: |err| > lock_thr, lock_thr before the edge that registers it
      always @(*) assert (fv_flag[gj] == f1[gj]); // a_flag
    end
    for (gj = 0; gj < G; gj = gj + 1) begin : grp
      // D2: the group sum of z = e[k] A(a[k-1]) - e[k-1] A(a[k]), exact
      always @(*) assert ($signed(fv_gs[SB*gj +: SB]) == gs_s[gj]); // a_ted
      always @(*) assert (fv_gc[3*gj +: 3] == c2[gj] && c2[gj] <= GS); // a_gcnt
    end
  endgenerate

  // ---- covers ------------------------------------------------------------------------
  always @(*) begin
    c_pi: cover (past_valid && phase != p_phase[PB-1:PHASE_FRAC] && !p_load && !p_rst);
    c_freq: cover (freq_s < -100);
    c_lock: cover (past_valid && !p_rst && lock && !p_lock);
    c_pf: cover (fv_pf[PB-1] && fv_pf[PHASE_FRAC]);
    c_inc: cover (inc_s < -1000);
    c_phase: cover (past_valid && !p_rst && fv_phase[PHASE_FRAC-1:0] != 0);
    c_ted_bound: cover (zs_s >= 2 * ZMAX / 3);
    c_cfg: cover (fv_kp == 5 && fv_lthr == 1 && fv_flim == 2);
    c_rd: cover (cfg_addr == CFG_PHASE && rd == 1);
    c_win: cover (pos_s == W - 1);
    c_badq: cover (c3 == P);
    c_bad: cover (acc_s >= 2);
    c_cntd: cover (total_s >= 2);
    c_done: cover (done_s);
    c_unl: cover (unl_s == KICK_WINDOWS - 1 && acq_s);
    c_acq: cover (past_valid && !acq_s && p_acq);
    c_kickq: cover (kick_s);
    c_count_bound: cover (c3 == P && acc_s == P * pos_s && pos_s > 1);
    c_prev: cover (ep == -7 && ap == 2);
    c_write: cover (past_valid && !p_rst && p_we && p_addr == CFG_FREQ_LIM && p_data == 5);
    c_load: cover (past_valid && !p_rst && p_load && p_data[PI_BITS-1:0] == 3);
    c_phase_step: cover (past_valid && !p_rst && !p_load && p_en && p_kickq);
    c_phase_hold: cover (past_valid && !p_rst && !p_load && !p_en && fv_phase != 0);
    c_phase_bound: cover (past_valid && !p_rst && !p_load && p_en && !p_kickq
                          && p_bnd < HALF && step_w < 0);
    c_freq_range: cover (past_valid && !p_rst && p_en && p_int && freq_d == p_lo);
    c_freq_sat: cover (past_valid && !p_rst && p_en && p_int && p_fsum > p_hi);
    c_freq_hold: cover (past_valid && !p_rst && !(p_en && p_int) && freq != 0);
    c_lock_rule: cover (past_valid && !p_rst && p_done && !lock);
    c_lock_time: cover (past_valid && !p_rst && p_done && lock);
    c_kick: cover (past_valid && !p_rst && fv_kickq);
    c_reset: cover (past_valid && p_rst && p_we);
    c_powerup: cover (!past_valid);
    c_d1: cover (e1[P-1] == -5 && a1[P-1] == 1);
    c_flag: cover (f1[P-1] && lthr_s == 3);
    c_ted: cover (gs_s[G-1] < -10);
    c_gcnt: cover (c2[G-1] == GS);
  end
endmodule
