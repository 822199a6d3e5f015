//! Tests of the PRBS13Q generator (hdl/src/bist/prbs_gen.rs): its rust-hdl simulation
//! against its bit-exact model (cporx-sim `bist::prbs_gen`), every output every cycle, with
//! random resets and inject toggles from power-up, at every lane count; the output
//! against `Prbs13q`; one symbol error per rising edge of `inject`; the block exported
//! alone through Verilator against the model and rust-hdl; its latency (1 cycle,
//! hdl/src/bist/prbs_gen.rs) measured on the RTL; a Verilator `-Wall` lint; and the
//! constructor's parameter error.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, PrbsGen};
use cporx_model::bist::prbs_gen::PrbsGenModel;
use cporx_model::prbs::Prbs13q;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

// The generator's latency, LAT_GEN (hdl/src/bist/prbs_gen.rs, docs/bist.md): one output
// register.
use cporx_spec::bist::LAT_GEN;
/// Lane counts built with Verilator (one build each, shared by the tests; the rust-hdl
/// tests above cover all five): one lane, a middle one, the most.
const VL_LANES: [usize; 3] = [1, 4, 16];

#[test]
fn prbs_gen_matches_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0001);
    for lanes in [1, 2, 4, 8, 16] {
        let mut g = ready(PrbsGen::new(lanes).unwrap());
        let mut m = PrbsGenModel::with_lanes(lanes).unwrap();
        let mut inject = false;
        // no reset at first: power-up behaviour is part of the model
        for c in 0..3000 {
            let rst = rng.gen_bool(0.01);
            if rng.gen_bool(0.1) {
                inject = !inject;
            }
            let got = gen_cycle(&mut g, rst, inject);
            let want = m.step(rst, inject).to_vec();
            assert_eq!(got, want, "P={lanes} cycle {c}");
        }
    }
}

#[test]
fn prbs_gen_rtl_equals_prbs13q_for_10000_symbols() {
    for lanes in [1, 2, 4, 8, 16] {
        let mut g = ready(PrbsGen::new(lanes).unwrap());
        gen_cycle(&mut g, true, false);
        let mut got = vec![];
        while got.len() < 10_000 {
            got.extend(gen_cycle(&mut g, false, false));
        }
        got.truncate(10_000);
        let want: Vec<u8> = Prbs13q::new().take(10_000).collect();
        assert_eq!(got, want, "P={lanes}");
    }
}

#[test]
fn prbs_gen_inject_makes_exactly_one_symbol_error_per_rising_edge() {
    let lanes = 4;
    let mut g = ready(PrbsGen::new(lanes).unwrap());
    gen_cycle(&mut g, true, true); // inject held through reset: no edge after it
    let mut r = Prbs13q::new();
    let mut errors = vec![];
    for c in 0..200 {
        let inject = (50..60).contains(&c) || c == 100 || c == 102;
        let s = gen_cycle(&mut g, false, inject || c == 0);
        for (i, v) in s.into_iter().enumerate() {
            let want = r.next_symbol();
            if v != want {
                assert_eq!(v ^ want, 1);
                errors.push((c, i));
            }
        }
    }
    assert_eq!(errors, vec![(50, 0), (100, 0), (102, 0)]);
}

fn gen_ports(lanes: usize) -> (PortList, PortList) {
    (
        vec![("rst".into(), 1), ("inject".into(), 1)],
        lane_ports("symbol", 2, lanes),
    )
}

/// Every design built with Verilator (one group build).
fn designs() -> Designs {
    VL_LANES
        .iter()
        .map(|&l| {
            let (i, o) = gen_ports(l);
            (verilog_of(PrbsGen::new(l).unwrap()), i, o)
        })
        .collect()
}

/// Random resets and inject toggles from power-up: (rst, inject) per cycle.
fn gen_stimulus(rng: &mut StdRng, cycles: usize) -> Vec<Vec<u64>> {
    let mut inject = false;
    (0..cycles)
        .map(|_| {
            let rst = rng.gen_bool(0.01);
            if rng.gen_bool(0.1) {
                inject = !inject;
            }
            vec![rst as u64, inject as u64]
        })
        .collect()
}

#[test]
fn prbs_gen_verilator_matches_model_and_rust_hdl() {
    let mut rng = StdRng::seed_from_u64(0xB157_0101);
    for lanes in VL_LANES {
        let (ins, outs) = gen_ports(lanes);
        let mut vl = verilated(
            designs,
            verilog_of(PrbsGen::new(lanes).unwrap()),
            &ins,
            &outs,
        );
        let stim = gen_stimulus(&mut rng, 3000);
        let mut m = PrbsGenModel::with_lanes(lanes).unwrap();
        let model: Vec<Vec<u64>> = stim
            .iter()
            .map(|s| {
                m.step(s[0] != 0, s[1] != 0)
                    .iter()
                    .map(|&x| x as u64)
                    .collect()
            })
            .collect();
        let mut g = ready(PrbsGen::new(lanes).unwrap());
        let rh: Vec<Vec<u64>> = stim
            .iter()
            .map(|s| {
                gen_cycle(&mut g, s[0] != 0, s[1] != 0)
                    .iter()
                    .map(|&x| x as u64)
                    .collect()
            })
            .collect();
        assert_same(&outs, &model, &rh, &format!("P={lanes} rust-hdl"));
        assert_same(
            &outs,
            &model,
            &vl.run(&stim).unwrap(),
            &format!("P={lanes} verilator"),
        );
    }
}

/// An inject pulse in cycle `at` (after a reset and a run of clean clocks) against the
/// same run without it, on Verilator: lane 0's symbol is the only output that changes,
/// in exactly one cycle, LAT_GEN - 1 cycles after the pulse's; the sequence goes on
/// unchanged (the LFSR is not disturbed).
#[test]
fn prbs_gen_inject_latency_on_the_rtl() {
    for lanes in VL_LANES {
        let (ins, outs) = gen_ports(lanes);
        let mut vl = verilated(
            designs,
            verilog_of(PrbsGen::new(lanes).unwrap()),
            &ins,
            &outs,
        );
        let mut base = vec![vec![1, 0]];
        base.extend(std::iter::repeat(vec![0, 0]).take(40));
        let quiet = vl.run(&base).unwrap();
        for at in [5, 17] {
            let mut stim = base.clone();
            stim[at][1] = 1;
            let got = vl.run(&stim).unwrap();
            let first = first_difference(&quiet, &got, 0).expect("lane 0 changes");
            assert_eq!(latency(at, first), LAT_GEN, "P={lanes}");
            for c in 0..quiet.len() {
                let mut want = quiet[c].clone();
                if c == first {
                    want[0] ^= 1;
                }
                assert_eq!(got[c], want, "P={lanes} cycle {c}: one symbol error only");
            }
        }
    }
}

#[test]
fn prbs_gen_lints_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    for lanes in [1, 2, 4, 16] {
        lint(
            &format!("prbs_gen_p{lanes}"),
            verilog_of(PrbsGen::new(lanes).unwrap()),
        );
    }
}

#[test]
fn prbs_gen_rejects_bad_lanes_with_the_name() {
    let e = PrbsGen::new(3).err().unwrap().to_string();
    assert!(e.contains("bist.lanes"), "{e}");
}
