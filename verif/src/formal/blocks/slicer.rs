//! Slicer proof sizes (wrapper verif/formal/slicer/slicer.sv): 1 lane (the default
//! design) and 2 lanes (the lanes share the level registers; monotonicity is also
//! checked across lanes), each with reset levels other than the defaults and other
//! than 0, so reset is told apart from power-up and from the default design. Every
//! property is proven by k-induction (depth 3) at both sizes; 4 lanes also closes but
//! took 45 s here (2 lanes 17 s, 1 lane 9 s), so it is left out.

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::*;

fn design(lanes: usize, thresholds: [i32; 3], targets: [i32; 4]) -> Result<Design, String> {
    let p = RxParams {
        lanes,
        thresholds,
        targets,
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::slicer_verilog(&p).map_err(|e| e.to_string())?;
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("Y_BITS", Y_BITS as i64),
        ("Y_MAX", Y_MAX as i64),
        ("Y_MIN", Y_MIN as i64),
        ("LEVEL_BITS", LEVEL_BITS as i64),
        ("ERR_BITS", ERR_BITS as i64),
        ("LAT_SLICER", LAT_SLICER as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("CFG_THRESH_BASE", CFG_THRESH_BASE as i64),
        ("CFG_TARGET_BASE", CFG_TARGET_BASE as i64),
    ]);
    let th: Vec<i64> = thresholds.iter().map(|&t| t as i64).collect();
    let tg: Vec<i64> = targets.iter().map(|&t| t as i64).collect();
    vh.push_str(&packed_localparam("RESET_THR", LEVEL_BITS, &th)?);
    vh.push_str(&packed_localparam("RESET_TGT", LEVEL_BITS, &tg)?);
    // the Gray bits of symbols 0..3 (IEEE 802.3 cl. 120), symbol s at [2s +: 2]
    let gray: Vec<i64> = (0..4u8).map(|s| gray_bits(s) as i64).collect();
    vh.push_str(&packed_localparam("GRAY", 2, &gray)?);
    let mut probes = Vec::new();
    for k in 0..3 {
        let lo = LEVEL_BITS * k;
        probes.push(Probe::new(
            format!("fv_thr[{}:{lo}]", lo + LEVEL_BITS - 1),
            format!("thr${k}$q"),
        ));
    }
    for k in 0..4 {
        let lo = LEVEL_BITS * k;
        probes.push(Probe::new(
            format!("fv_tgt[{}:{lo}]", lo + LEVEL_BITS - 1),
            format!("tgt${k}$q"),
        ));
    }
    Ok(Design {
        block: "slicer",
        size: format!("P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The slicer's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    Ok(vec![
        design(1, [-30, 2, 34], [-50, -14, 18, 46])?,
        design(2, [-36, -2, 28], [-44, -18, 14, 52])?,
    ])
}
