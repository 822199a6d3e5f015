//! PRBS13Q checker proof sizes (wrapper verif/formal/prbs_chk/prbs_chk.sv): P = 1, 2 and
//! 8 lanes. P = 1, 2: one lane group of CHK_GROUP = 4, the fill climbing to 7 in steps of
//! 1 and 2; P = 8: two groups (the group sums and their total both exercised), the fill
//! jumping 0 -> 7. P = 4 and 16 are not run (prove at P = 8 already takes ~15 s here).
//! The 32-bit counters are not shrunk: their contract is proven as its one-edge
//! saturating step, from any counter value (see the wrapper's header). `params.vh`
//! carries the history width, feedback mask, fill, counter width and latencies
//! (cporx-spec `bist`) and the Gray map (cporx-spec `symbol_of_gray`, inverted).

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::bist::{
    CHK_CNT_BITS, CHK_FILL, LAT_CHK, LAT_CHK_SYNC, PRBS13_MASK, PRBS13_TAPMASK,
};

fn design(lanes: usize) -> Result<Design, String> {
    let verilog = cporx_hdl::bist::PrbsChk::new(lanes)
        .map(cporx_hdl::bist::verilog_of)
        .map_err(|e| e.to_string())?;
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("HIST_BITS", PRBS13_MASK.count_ones() as i64),
        ("TAPMASK", PRBS13_TAPMASK as i64),
        ("CHK_FILL", CHK_FILL as i64),
        ("CHK_CNT_BITS", CHK_CNT_BITS as i64),
        ("LAT_CHK", LAT_CHK as i64),
        ("LAT_CHK_SYNC", LAT_CHK_SYNC as i64),
    ]);
    // LEVEL2GRAY[2l +: 2]: the Gray pair {msb, lsb} of level l
    let l2g: Vec<i64> = (0..4u8)
        .map(|l| {
            (0..4u8)
                .find(|&g| cporx_spec::symbol_of_gray(g) == l)
                .map(|g| g as i64)
                .ok_or_else(|| format!("symbol_of_gray: no Gray pair gives level {l}"))
        })
        .collect::<Result<_, _>>()?;
    vh.push_str(&packed_localparam("LEVEL2GRAY", 2, &l2g)?);
    let mut probes = vec![
        Probe::new("fv_hist", "hist$q"),
        Probe::new("fv_fill", "fill$q"),
        Probe::new("fv_inc_b", "inc_b$q"),
        Probe::new("fv_inc_s", "inc_s$q"),
        Probe::new("fv_inc_n", "inc_n$q"),
    ];
    for j in 0..lanes {
        probes.push(Probe::new(
            format!("fv_emis[{}:{}]", 2 * j + 1, 2 * j),
            format!("emis${j}$q"),
        ));
        probes.push(Probe::new(format!("fv_chk[{j}]"), format!("chk${j}$q")));
    }
    Ok(Design {
        block: "prbs_chk",
        size: format!("P={lanes}"),
        verilog,
        params_vh: vh,
        probes,
    })
}

/// The checker's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    [1, 2, 8].into_iter().map(design).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_hold_the_spec_constants() {
        let d = design(2).unwrap();
        assert!(d.params_vh.contains("localparam HIST_BITS = 13;"));
        assert!(d.params_vh.contains("localparam CHK_FILL = 7;"));
        // Gray pairs of levels 3, 2, 1, 0: 10, 11, 01, 00
        assert!(
            d.params_vh
                .contains("LEVEL2GRAY = {2'd2, 2'd3, 2'd1, 2'd0}"),
            "{}",
            d.params_vh
        );
        assert_eq!(d.probes.len(), 5 + 2 * 2);
        assert!(design(3).is_err());
    }
}
