//! FFE proof sizes (wrapper verif/formal/ffe/ffe.sv): 3 taps 1 lane (the default
//! design) and 2 taps 2 lanes (the taps reach back across the block boundary), each
//! with non-zero reset coefficients so reset is told apart from power-up.

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::*;

fn design(n_taps: usize, lanes: usize, reset_coefs: Vec<i32>) -> Result<Design, String> {
    let p = RxParams {
        n_taps,
        lanes,
        reset_coefs: reset_coefs.clone(),
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::ffe_verilog(&p).map_err(|e| e.to_string())?;
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("N", n_taps as i64),
        ("ADC_BITS", ADC_BITS as i64),
        ("COEF_BITS", COEF_BITS as i64),
        ("MULT_FIELD", MULT_FIELD as i64),
        ("COEF_BUS_BITS", COEF_BUS_BITS as i64),
        ("HIST_BITS", HIST_BITS as i64),
        ("PROD_BITS", PROD_BITS as i64),
        ("ACC_BITS", ACC_BITS as i64),
        ("FFE_GROUP", FFE_GROUP as i64),
        ("Y_BITS", Y_BITS as i64),
        ("Y_SHIFT", Y_SHIFT as i64),
        ("Y_ROUND", Y_ROUND),
        ("Y_MAX", Y_MAX as i64),
        ("Y_MIN", Y_MIN as i64),
        ("LAT_FFE", LAT_FFE as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("CFG_COEF_BASE", CFG_COEF_BASE as i64),
    ]);
    let rc: Vec<i64> = reset_coefs.iter().map(|&c| c as i64).collect();
    vh.push_str(&packed_localparam("RESET_COEFS", COEF_BITS, &rc)?);
    let mut probes = vec![
        Probe::new("fv_coefs1", "coefs1"),
        Probe::new("fv_coefs3", "coefs3"),
        Probe::new("fv_coefsn", "coefsn"),
        Probe::new("fv_hist", "hist_r$q"),
    ];
    for j in 0..lanes {
        for k in 0..n_taps {
            let lo = PROD_BITS * (j * n_taps + k);
            let mul = format!("lane${j}.group${}.mul${}", k / FFE_GROUP, k % FFE_GROUP);
            probes.push(Probe::new(
                format!("fv_p[{}:{lo}]", lo + PROD_BITS - 1),
                format!("{mul}.p_r$q"),
            ));
            for i in 0..3 {
                let lo = MULT_FIELD * (3 * (j * n_taps + k) + i);
                probes.push(Probe::new(
                    format!("fv_pp[{}:{lo}]", lo + MULT_FIELD - 1),
                    format!("{mul}.pp{i}_r$q"),
                ));
            }
        }
        let groups = n_taps.div_ceil(FFE_GROUP);
        for g in 0..groups {
            let lo = ACC_BITS * (j * groups + g);
            probes.push(Probe::new(
                format!("fv_s[{}:{lo}]", lo + ACC_BITS - 1),
                format!("lane${j}.group${g}.s_r$q"),
            ));
        }
        let lo = ACC_BITS * j;
        probes.push(Probe::new(
            format!("fv_acc[{}:{lo}]", lo + ACC_BITS - 1),
            format!("lane${j}.acc_r$q"),
        ));
    }
    Ok(Design {
        block: "ffe",
        size: format!("N={n_taps} P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The FFE's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    Ok(vec![
        design(3, 1, vec![-8, 64, -16])?,
        design(2, 2, vec![-5, 70])?,
    ])
}
