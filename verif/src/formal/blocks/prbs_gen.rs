//! PRBS13Q generator proof sizes (wrapper verif/formal/prbs_gen/prbs_gen.sv): P = 1, 2
//! and 16 lanes (2, 4 and 32 recurrence steps per clock; the shadow LFSR is 13 bits at
//! every size, so the largest lane count is cheap too). `params.vh` carries the LFSR's
//! width, seed and feedback mask (cporx-spec `bist`), the Gray map (cporx-spec
//! `symbol_of_gray`) and the first P symbols of `cporx_model::prbs::Prbs13q`.
//!
//! The period (8191) is not proven by the solver; the wrapper proves the one-clock
//! recurrence and the nonzero state, and the test below checks exhaustively that the
//! spec's feedback mask makes the 8191 nonzero states one cycle, at 2P steps per clock
//! for every legal P (see the wrapper's header).

use crate::formal::{localparams, packed_localparam, Design, Probe};
use cporx_spec::bist::{LAT_GEN, PRBS13_MASK, PRBS13_TAPMASK};

/// Width of the PRBS13 state (the mask's ones).
const LFSR_BITS: u32 = PRBS13_MASK.count_ones();

fn design(lanes: usize) -> Result<Design, String> {
    if LAT_GEN != 1 {
        return Err(format!(
            "prbs_gen wrapper: models one output register, cporx_spec::bist::LAT_GEN is {LAT_GEN}"
        ));
    }
    let verilog = cporx_hdl::bist::PrbsGen::new(lanes)
        .map(cporx_hdl::bist::verilog_of)
        .map_err(|e| e.to_string())?;
    let mut vh = localparams(&[
        ("P", lanes as i64),
        ("LFSR_BITS", LFSR_BITS as i64),
        ("SEED", PRBS13_MASK as i64),
        ("TAPMASK", PRBS13_TAPMASK as i64),
        ("LAT_GEN", LAT_GEN as i64),
    ]);
    // GRAY2LEVEL[2g +: 2]: the level of Gray pair g = {msb, lsb}
    let g2l: Vec<i64> = (0..4u8)
        .map(|g| cporx_spec::symbol_of_gray(g) as i64)
        .collect();
    vh.push_str(&packed_localparam("GRAY2LEVEL", 2, &g2l)?);
    let first: Vec<i64> = cporx_model::prbs::Prbs13q::new()
        .take(lanes)
        .map(|s| s as i64)
        .collect();
    vh.push_str(&packed_localparam("FIRST_SYMS", 2, &first)?);
    Ok(Design {
        block: "prbs_gen",
        size: format!("P={lanes}"),
        verilog,
        params_vh: vh,
        probes: vec![
            Probe::new("fv_lfsr", "lfsr$q"),
            Probe::new("fv_inj", "inj_r$q"),
        ],
    })
}

/// The generator's proof sizes.
pub fn designs() -> Result<Vec<Design>, String> {
    [1, 2, 16].into_iter().map(design).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One recurrence step of the wrapper's shadow LFSR (bit 0 the newest bit).
    fn step(s: u32) -> u32 {
        let fb = (s & PRBS13_TAPMASK).count_ones() & 1;
        ((s << 1) | fb) & PRBS13_MASK
    }

    #[test]
    fn spec_tapmask_is_one_8191_cycle() {
        // from the seed, the first return is after exactly 2^13 - 1 steps and no state
        // repeats before: all 8191 nonzero states lie on one cycle (0 is a fixed point)
        let n = PRBS13_MASK as usize;
        let mut seen = vec![false; n + 1];
        let mut s = PRBS13_MASK;
        for i in 0..n {
            assert!(
                s != 0 && !seen[s as usize],
                "state {s:#x} repeats at step {i}"
            );
            seen[s as usize] = true;
            s = step(s);
        }
        assert_eq!(s, PRBS13_MASK, "not back at the seed after {n} steps");
        assert_eq!(step(0), 0);
        // a clock takes 2P steps; gcd(2P, 8191) = 1, so the clock period is 8191 too
        for lanes in cporx_spec::bist::LANES {
            let clock = |s: u32| (0..2 * lanes).fold(s, |s, _| step(s));
            let mut s = clock(PRBS13_MASK);
            let mut clocks = 1;
            while s != PRBS13_MASK {
                s = clock(s);
                clocks += 1;
            }
            assert_eq!(clocks, n, "P={lanes}: clock period");
        }
    }

    #[test]
    fn params_hold_the_spec_constants() {
        let d = design(2).unwrap();
        assert!(d.params_vh.contains("localparam LFSR_BITS = 13;"));
        assert!(d
            .params_vh
            .contains(&format!("localparam TAPMASK = {};", PRBS13_TAPMASK)));
        // levels of Gray 00, 01, 11, 10 are 0, 1, 2, 3: GRAY2LEVEL = {2, 3, 1, 0}
        assert!(
            d.params_vh
                .contains("GRAY2LEVEL = {2'd2, 2'd3, 2'd1, 2'd0}"),
            "{}",
            d.params_vh
        );
        assert!(design(3).is_err());
    }
}
