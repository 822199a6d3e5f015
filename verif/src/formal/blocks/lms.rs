//! LMS proof sizes (wrapper verif/formal/lms/lms.sv): 3 taps 1 lane (the default design:
//! the taps read the sign line at distances 6, 7, 8) and 2 taps 2 lanes (distances 13, 14:
//! the line moves by two a clock), each with non-zero reset coefficients (one at the
//! bound -128) so reset is told apart from power-up. The wrapper's history holds
//! `LMS_ERR_DELAY * P + N - 1` samples; the block's 128-bit line is proven over those
//! entries (the rest is never read at these sizes).

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::*;

fn design(n_taps: usize, lanes: usize, reset_coefs: Vec<i32>) -> Result<Design, String> {
    let p = RxParams {
        n_taps,
        lanes,
        reset_coefs: reset_coefs.clone(),
        ..RxParams::default()
    };
    let verilog = cporx_hdl::export::lms_verilog(&p).map_err(|e| e.to_string())?;
    let coef_max = (1i64 << (COEF_BITS - 1)) - 1;
    let coef_min = -(1i64 << (COEF_BITS - 1));
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("N", n_taps as i64),
        ("ADC_BITS", ADC_BITS as i64),
        ("ERR_BITS", ERR_BITS as i64),
        ("COEF_BITS", COEF_BITS as i64),
        ("COEF_BASE", CFG_COEF_BASE as i64),
        ("CFG_ADDR_BITS", CFG_ADDR_BITS as i64),
        ("CFG_DATA_BITS", CFG_DATA_BITS as i64),
        ("LMS_MU_BITS", LMS_MU_BITS as i64),
        ("MAX_TAPS", MAX_TAPS as i64),
        ("ACC_BITS", LMS_ACC_BITS as i64),
        ("LINE_BITS", LMS_LINE_BITS as i64),
        ("ERR_DELAY", LMS_ERR_DELAY as i64),
        ("FRAC", LMS_FRAC as i64),
        ("HALF", 1i64 << (LMS_FRAC - 1)),
        ("ACC_HI", coef_max << LMS_FRAC),
        ("ACC_LO", coef_min << LMS_FRAC),
    ]);
    let rc: Vec<i64> = reset_coefs.iter().map(|&c| c as i64).collect();
    vh.push_str(&packed_localparam("RESET_COEFS", COEF_BITS, &rc)?);
    let mut probes = vec![
        Probe::new("fv_nz", "nz_r$q"),
        Probe::new("fv_neg", "neg_r$q"),
        Probe::new("fv_rr", "rr_r$q"),
    ];
    for k in 0..n_taps {
        let lo = LMS_ACC_BITS * k;
        probes.push(Probe::new(
            format!("fv_acc[{}:{lo}]", lo + LMS_ACC_BITS - 1),
            format!("tap${k}.acc_r$q"),
        ));
    }
    Ok(Design {
        block: "lms",
        size: format!("N={n_taps} P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The LMS's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    Ok(vec![
        design(3, 1, vec![-8, 64, -128])?,
        design(2, 2, vec![127, -5])?,
    ])
}
