//! Levels proof sizes (wrapper verif/formal/levels/levels.sv): the block has no size
//! parameter (four levels, seven port registers at every P and N); proven with the
//! default reset targets (-48, -16, 16, 48) and with (-128, -15, 16, 127), which puts two
//! levels at the range's ends from reset and an odd midpoint on the port.

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::*;

fn design(targets: [i32; 4]) -> Result<Design, String> {
    let p = RxParams {
        targets,
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::levels_verilog(&p).map_err(|e| e.to_string())?;
    let level_max = (1i64 << (LEVEL_BITS - 1)) - 1;
    let level_min = -(1i64 << (LEVEL_BITS - 1));
    let mut vh = localparams(&[
        ("ERR_BITS", ERR_BITS as i64),
        ("LEVEL_BITS", LEVEL_BITS as i64),
        ("TARGET_BASE", CFG_TARGET_BASE as i64),
        ("THRESH_BASE", CFG_THRESH_BASE as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("LEV_MU_BITS", LEV_MU_BITS as i64),
        ("ACC_BITS", LEV_ACC_BITS as i64),
        ("PORT_REGS", LEV_PORT_REGS as i64),
        ("FRAC", LEV_FRAC as i64),
        ("HALF", 1i64 << (LEV_FRAC - 1)),
        ("ACC_HI", level_max << LEV_FRAC),
        ("ACC_LO", level_min << LEV_FRAC),
    ]);
    let t: Vec<i64> = targets.iter().map(|&v| v as i64).collect();
    vh.push_str(&packed_localparam("TARGETS", LEVEL_BITS, &t)?);
    let mut probes = vec![Probe::new("fv_q", "q_r$q")];
    for l in 0..4 {
        let lo = LEV_ACC_BITS * l;
        probes.push(Probe::new(
            format!("fv_acc[{}:{lo}]", lo + LEV_ACC_BITS - 1),
            format!("lvl${l}.acc_r$q"),
        ));
    }
    Ok(Design {
        block: "levels",
        size: format!("targets={targets:?}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The levels block's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    Ok(vec![
        design(RxParams::default().targets)?,
        design([-128, -15, 16, 127])?,
    ])
}
