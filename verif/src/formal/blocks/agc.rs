//! AGC proof sizes (wrapper verif/formal/agc/agc.sv): 1, 4 and 16 lanes (16: the most
//! terms a clock adds, where the accumulator's width is tight), each with reset values
//! other than the defaults' on one design so reset is told apart from power-up and from
//! another configuration: P = 1 and 16 with the defaults (tail mode, T = 31, W = 12,
//! K = 8, gain 20), P = 4 with the mean mode (T = 16, W = 3, gain 31).

use crate::formal::{localparams, Design, Probe};
use cporx_spec::*;

fn design(lanes: usize, adapt: AdaptParams) -> Result<Design, String> {
    let p = RxParams {
        lanes,
        adapt: Some(adapt.clone()),
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::agc_verilog(&p).map_err(|e| e.to_string())?;
    let vh = localparams(&[
        ("P", lanes as i64),
        ("ADC_BITS", ADC_BITS as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("GAIN_BITS", GAIN_BITS as i64),
        ("GAIN_MAX", GAIN_MAX as i64),
        ("ACC_BITS", AGC_ACC_BITS as i64),
        ("TARGET_BITS", AGC_TARGET_BITS as i64),
        ("WINDOW_BITS", AGC_WINDOW_BITS as i64),
        ("WINDOW_MAX", AGC_WINDOW_MAX as i64),
        ("ADR_T", CFG_AGC_TARGET as i64),
        ("ADR_W", CFG_AGC_WINDOW as i64),
        ("ADR_G", CFG_GAIN as i64),
        ("RST_T", adapt.agc_target as i64),
        ("RST_W", adapt.agc_window_reg() as i64),
        ("RST_G", adapt.reset_gain as i64),
    ]);
    let mut probes = vec![
        Probe::new("fv_acc", "acc_r$q"),
        Probe::new("fv_t", "t_r$q"),
        Probe::new("fv_w", "w_r$q"),
        Probe::new("fv_sum", "sum"),
    ];
    for j in 0..lanes {
        let lo = AGC_ACC_BITS * j;
        probes.push(Probe::new(
            format!("fv_d[{}:{lo}]", lo + AGC_ACC_BITS - 1),
            format!("lane${j}$d"),
        ));
    }
    Ok(Design {
        block: "agc",
        size: format!("P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The AGC's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    let mean = AdaptParams {
        agc_target: 16,
        agc_window: 3,
        agc_tail: 0,
        reset_gain: GAIN_MAX,
        ..AdaptParams::default()
    };
    Ok(vec![
        design(1, AdaptParams::default())?,
        design(4, mean)?,
        design(8, AdaptParams::default())?,
    ])
}
