//! DFE proof sizes (wrapper verif/formal/dfe/dfe.sv): the 1-tap loop-unrolled DFE at 1 and
//! 2 lanes (2: lane 1's previous decision is lane 0's of the same clock, lane 0's the
//! previous clock's lane 1), each without the adaptation (d the bus's alone) and with it
//! (`RxParams::adapt`: the accumulator, its sign-sign step, saturation, freeze, load).
//! Reset values: P = 1 plain with the default levels and reset tap 24 (the mutation
//! check's DFE), P = 1 adaptive with the defaults (reset tap 0, enable on, step code 8),
//! P = 2 plain and adaptive with levels other than the defaults and other than 0, reset
//! taps -40 and -77, the adaptive one with the enable off and step code 3 at reset, so
//! reset is told apart from power-up and from the defaults.
//!
//! Every property (23 at P = 1 adaptive, 24 at P = 2 adaptive, 12 and 13 without the
//! adaptation) is proven by k-induction at depth 2 (`smtbmc --syn z3`, dfe.sby) at every
//! size, each cover reached (depth 8 asked, at most step 5 needed): 72 rows in 932 s here
//! on a shared 2-core machine (P = 1 plain 48 s, P = 1 adaptive 151 s, P = 2 plain 73 s,
//! P = 2 adaptive 543 s). Without `--syn`, z3 took 5 minutes for P = 1 plain alone.
//! The wrapper checks stage by stage: the offsets register against the spec's tap and
//! levels (`a_offsets`, exact), the decisions and errors against the offsets register
//! (`a_symbol`, `a_err`, `a_prev`, `a_ripple`); against the spec's tap and levels
//! directly z3 did not close P = 1 in 10 minutes.
//! Mutants: [`mutants`]; with `--syn` the induction's counterexample ends sby in ERROR
//! (yosys-smtbmc fails writing its witness file), read by the runner as the
//! counterexample it found (verif/src/formal/run.rs `parse_log`).

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::*;

fn design(
    lanes: usize,
    thresholds: [i32; 3],
    targets: [i32; 4],
    dfe_reset: i32,
    adapt: Option<AdaptParams>,
) -> Result<Design, String> {
    let p = RxParams {
        lanes,
        thresholds,
        targets,
        dfe_taps: 1,
        dfe_reset,
        adapt: adapt.clone(),
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::dfe_verilog(&p).map_err(|e| e.to_string())?;
    let (rst_en, rst_mu) = adapt
        .as_ref()
        .map_or((0, 0), |a| (a.dfe_enable as i64, a.lms_mu as i64));
    let d_max = (1i64 << (DFE_BITS - 1)) - 1;
    let d_min = -(1i64 << (DFE_BITS - 1));
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("ADAPT", adapt.is_some() as i64),
        ("Y_BITS", Y_BITS as i64),
        ("LEVEL_BITS", LEVEL_BITS as i64),
        ("ERR_BITS", ERR_BITS as i64),
        ("ERR_MIN", DFE_ERR_MIN as i64),
        ("ERR_MAX", DFE_ERR_MAX as i64),
        ("FB_BITS", DFE_FB_BITS as i64),
        ("DFE_BITS", DFE_BITS as i64),
        ("ACC_BITS", DFE_ACC_BITS as i64),
        ("FRAC", DFE_FRAC as i64),
        ("ACC_HI", d_max << DFE_FRAC),
        ("ACC_LO", d_min << DFE_FRAC),
        ("MU_BITS", LMS_MU_BITS as i64),
        ("EN_BIT", DFE_ENABLE_BIT as i64),
        ("LAT_DFE", LAT_DFE as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("CFG_THRESH_BASE", CFG_THRESH_BASE as i64),
        ("CFG_TARGET_BASE", CFG_TARGET_BASE as i64),
        ("CFG_DFE", CFG_DFE as i64),
        ("CFG_ADAPT", CFG_ADAPT as i64),
        ("CFG_ADAPT_MU", CFG_ADAPT_MU as i64),
        ("RESET_D", dfe_reset as i64),
        ("RST_EN", rst_en),
        ("RST_MU", rst_mu),
    ]);
    let th: Vec<i64> = thresholds.iter().map(|&t| t as i64).collect();
    let tg: Vec<i64> = targets.iter().map(|&t| t as i64).collect();
    vh.push_str(&packed_localparam("RESET_THR", LEVEL_BITS, &th)?);
    vh.push_str(&packed_localparam("RESET_TGT", LEVEL_BITS, &tg)?);
    // the Gray bits of symbols 0..3 (IEEE 802.3 cl. 120), symbol s at [2s +: 2]
    let gray: Vec<i64> = (0..4u8).map(|s| gray_bits(s) as i64).collect();
    vh.push_str(&packed_localparam("GRAY", 2, &gray)?);
    let slice = |name: &str, w: usize, i: usize| format!("{name}[{}:{}]", w * i + w - 1, w * i);
    let mut probes = vec![Probe::new("fv_d", "d_r$q")];
    for k in 0..3 {
        probes.push(Probe::new(
            slice("fv_thr", LEVEL_BITS, k),
            format!("thr${k}$q"),
        ));
    }
    for k in 0..4 {
        probes.push(Probe::new(
            slice("fv_tgt", LEVEL_BITS, k),
            format!("tgt${k}$q"),
        ));
    }
    for s in 0..4 {
        for j in 0..3 {
            probes.push(Probe::new(
                slice("fv_ta", DFE_FB_BITS, 3 * s + j),
                format!("off${s}.ta_r${j}$q"),
            ));
        }
        for k in 0..4 {
            probes.push(Probe::new(
                slice("fv_ga", DFE_FB_BITS, 4 * s + k),
                format!("off${s}.ga_r${k}$q"),
            ));
        }
    }
    if adapt.is_some() {
        probes.push(Probe::new("fv_acc", "lms$0.acc_r$q"));
        probes.push(Probe::new("fv_en", "lms$0.en_r$q"));
        probes.push(Probe::new("fv_mu", "lms$0.mu_r$q"));
        probes.push(Probe::new("fv_spq", "spq_r$0$q"));
    }
    Ok(Design {
        block: "dfe",
        size: format!(
            "P={lanes} {}",
            if adapt.is_some() { "adapt" } else { "plain" }
        ),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The DFE's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    let d = RxParams::default();
    let other = AdaptParams {
        dfe_enable: false,
        lms_mu: 3,
        ..AdaptParams::default()
    };
    let (th2, tg2) = ([-36, -2, 28], [-44, -18, 14, 52]);
    Ok(vec![
        design(1, d.thresholds, d.targets, 24, None)?,
        design(1, d.thresholds, d.targets, 0, Some(AdaptParams::default()))?,
        design(2, th2, tg2, -40, None)?,
        design(2, th2, tg2, -77, Some(other))?,
    ])
}

// The DFE's mutants (each checked to fail its property) are in
// `cporx_verif::mutants::BLOCK_MUTANTS`; verif/tests/formal.rs runs them.
