//! CDR proof sizes (wrapper verif/formal/cdr/cdr.sv): 1 lane with the default reset values
//! (kp 13, ki 5, ctrl 7, lock_thr 12, lock_max 8, PI code 0, L = 26) and 2 lanes (lane 0's
//! previous sample from the previous clock, lane 1's from lane 0; the frequency term scaled
//! by 2; the window W = 128 clocks) with other reset values (kp 9, ki 2, ctrl 5: integral
//! off, lock_thr 30, lock_max 3, PI code 77, L = 200), so reset is told apart from power-up
//! and from the default configuration. Every property (36) is proven by k-induction
//! (cdr.sby: depth 2; P = 1 in 36 s, P = 2 in 230 s here, 2 cores shared), the lock and kick
//! properties included: every register of the lock detector is equated with the wrapper's
//! (lemmas), so the induction does not depend on the window's length (no bounded proof).
//! 4 lanes (one full detector group) is left out: with `smtbmc z3` its induction step did
//! not finish in 10 minutes; with `smtbmc --syn z3` it proved in 93 s, but under --syn every
//! induction counterexample (a mutant) ends in a solver error while sby writes the witness
//! ("operator is applied to arguments of the wrong sort": an ABC gate's Bool net read as
//! a bit-vector), i.e. sby ERROR instead of a caught mutant. The covers start the window
//! position and the unlocked-window counter anywhere (cdr.sby), so the lock and kick covers
//! are reached within a few edges instead of W + 2 and 4W + 2 from power-up.

use crate::formal::{localparams, Design, Probe};
use cporx_spec::*;

fn design(lanes: usize, c: CdrParams) -> Result<Design, String> {
    let p = RxParams {
        lanes,
        cdr: c.clone(),
        ..RxParams::default()
    };
    p.validate().map_err(|e| e.to_string())?;
    let verilog = cporx_hdl::export::cdr_verilog(&p).map_err(|e| e.to_string())?;
    let vh = localparams(&[
        ("P", lanes as i64),
        ("LOG2P", p.lanes_log2() as i64),
        ("ERR_BITS", ERR_BITS as i64),
        ("TED_BITS", TED_BITS as i64),
        ("TED_SUM_BITS", TED_SUM_BITS as i64),
        ("TED_GROUP", TED_GROUP as i64),
        ("INC_BITS", INC_BITS as i64),
        ("FREQ_BITS", FREQ_BITS as i64),
        ("PHASE_BITS", PHASE_BITS as i64),
        ("PHASE_FRAC", PHASE_FRAC as i64),
        ("PI_BITS", PI_BITS as i64),
        ("KP_BITS", KP_BITS as i64),
        ("KI_BITS", KI_BITS as i64),
        ("LOCK_WIN_LOG2", LOCK_WIN_LOG2 as i64),
        ("LOCK_CNT_BITS", LOCK_CNT_BITS as i64),
        ("KICK_WINDOWS", KICK_WINDOWS as i64),
        ("KICK_CNT_BITS", KICK_CNT_BITS as i64),
        ("FREQ_LIM_SHIFT", FREQ_LIM_SHIFT as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("CFG_KP", CFG_KP as i64),
        ("CFG_KI", CFG_KI as i64),
        ("CFG_CDR_CTRL", CFG_CDR_CTRL as i64),
        ("CFG_LOCK_THR", CFG_LOCK_THR as i64),
        ("CFG_LOCK_MAX", CFG_LOCK_MAX as i64),
        ("CFG_PHASE", CFG_PHASE as i64),
        ("CFG_FREQ_LIM", CFG_FREQ_LIM as i64),
        ("RST_KP", c.kp as i64),
        ("RST_KI", c.ki as i64),
        ("RST_EN", c.enable as i64),
        ("RST_INT", c.integral as i64),
        ("RST_KICK", c.kick as i64),
        ("RST_LTHR", c.lock_thr as i64),
        ("RST_LMAX", c.lock_max as i64),
        ("RST_PHASE", c.reset_phase as i64),
        ("RST_FLIM", c.freq_limit as i64),
    ]);
    let mut probes = Vec::new();
    let mut add = |wire: String, path: String| probes.push(Probe::new(wire, path));
    for j in 0..lanes {
        let lo = TED_BITS * j;
        let hi = lo + TED_BITS - 1;
        for name in ["ex1", "ex3", "nx1", "nx3"] {
            add(format!("fv_{name}[{hi}:{lo}]"), format!("lane${j}${name}"));
        }
        add(
            format!("fv_sd[{}:{}]", 2 * j + 1, 2 * j),
            format!("lane${j}$sd"),
        );
        add(format!("fv_flag[{j}]"), format!("lane${j}.flag_r$q"));
    }
    // each group's registers sit at its last lane
    let groups = lanes.div_ceil(TED_GROUP);
    for g in 0..groups {
        let last = (g * TED_GROUP + TED_GROUP - 1).min(lanes - 1);
        let lo = TED_SUM_BITS * g;
        add(
            format!("fv_gs[{}:{lo}]", lo + TED_SUM_BITS - 1),
            format!("lane${last}$gs"),
        );
        add(
            format!("fv_gc[{}:{}]", 3 * g + 2, 3 * g),
            format!("lane${last}.gc_r$q"),
        );
    }
    for (wire, reg) in [
        ("fv_px1", "px1_r"),
        ("fv_px3", "px3_r"),
        ("fv_pnx1", "pnx1_r"),
        ("fv_pnx3", "pnx3_r"),
        ("fv_pa", "a1_r"),
        ("fv_pf", "pf_r"),
        ("fv_inc", "inc_r"),
        ("fv_phase", "phase_r"),
        ("fv_badq", "badq_r"),
        ("fv_win", "win_r"),
        ("fv_bad", "bad_r"),
        ("fv_cntd", "cntd_r"),
        ("fv_done", "done_r"),
        ("fv_unl", "unl_r"),
        ("fv_acq", "acq_r"),
        ("fv_kickq", "kickq_r"),
        ("fv_kp", "kp_r"),
        ("fv_ki", "ki_r"),
        ("fv_en", "en_r"),
        ("fv_int", "int_r"),
        ("fv_kick", "kick_r"),
        ("fv_lthr", "lthr_r"),
        ("fv_lmax", "lmax_r"),
        ("fv_flim", "flim_r"),
    ] {
        add(wire.to_string(), format!("{reg}$q"));
    }
    Ok(Design {
        block: "cdr",
        size: format!("P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The CDR's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    let other = CdrParams {
        kp: 9,
        ki: 2,
        enable: true,
        integral: false,
        kick: true,
        lock_thr: 30,
        lock_max: 3,
        reset_phase: 77,
        freq_limit: 200,
    };
    Ok(vec![design(1, CdrParams::default())?, design(2, other)?])
}

// The CDR's mutants are the mutation check's ten CDR mutants (`cporx_verif::mutants::MUTANTS`,
// each with its `MutantProof` on this block); verif/tests/formal.rs runs them.
