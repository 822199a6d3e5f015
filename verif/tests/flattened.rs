//! The simulation netlist of cporx_cosim::flatten (Yosys flatten, then the logic outside
//! the output cone moved into the clocked block) behaves as the exported Verilog it came
//! from: both built as the in-process library, every output of every cycle equal over a
//! stimulus with power-up (no reset), resets of one and several cycles, the configuration
//! writes of a real setup, random writes to every address, recorded closed-loop ADC
//! streams (the CDR locks) and random codes.

use cporx_cosim::verilator::VerilatedLib;
use cporx_spec::*;
use cporx_verif::compare;
use cporx_verif::strategy::recorded_adc;
use rand::{Rng, SeedableRng};

/// `n` cycles at `lanes` lanes from power-up (seeded).
fn stimulus(p: &RxParams, n: usize, seed: u64) -> (Vec<RxIn>, usize, usize) {
    let lanes = p.lanes;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (dlo, dhi) = (-(1 << (CFG_DATA_BITS - 1)), (1 << (CFG_DATA_BITS - 1)) - 1);
    let (alo, ahi) = (-(1 << (ADC_BITS - 1)), (1 << (ADC_BITS - 1)) - 1);
    // ADC codes: recorded closed-loop streams (two channels, two offsets), then random
    let mut adc: Vec<i32> = recorded_adc(0, 200.0, seed, n * lanes / 3);
    adc.extend(recorded_adc(1, -300.0, seed + 1, n * lanes / 3));
    while adc.len() < n * lanes {
        adc.push(rng.gen_range(alo..=ahi));
    }
    let setup: Vec<(u32, i32)> = RxParams::cfg_writes(&p.reset_coefs, &p.thresholds, &p.targets)
        .into_iter()
        .chain(p.cdr.cfg_writes())
        .collect();
    let (mut resets, mut writes) = (0, 0);
    let mut s = Vec::with_capacity(n);
    let mut codes = adc.chunks_exact(lanes);
    let mut pending: Vec<(u32, i32)> = vec![];
    for c in 0..n {
        let mut i = RxIn::default();
        for (d, &a) in i.adc.iter_mut().zip(codes.next().expect("n * lanes codes")) {
            *d = a;
        }
        // the first 1000 cycles from power-up; then a reset and the setup writes
        if c == 1000 || (c > 1000 && rng.gen_ratio(1, 2000)) {
            // resets of 1 to 3 cycles, each followed by the setup writes
            for _ in 0..rng.gen_range(1..=3) {
                pending.push((u32::MAX, 0));
            }
            pending.extend(&setup);
        }
        if c > 1000 && rng.gen_ratio(1, 200) {
            pending.push((
                rng.gen_range(0..(1 << CFG_ADDR_BITS)),
                rng.gen_range(dlo..=dhi),
            ));
        }
        if !pending.is_empty() {
            match pending.remove(0) {
                (u32::MAX, _) => {
                    i.rst = true;
                    resets += 1;
                }
                (a, d) => {
                    i.cfg_we = true;
                    i.cfg_addr = a;
                    i.cfg_data = d;
                    writes += 1;
                }
            }
        } else if rng.gen_ratio(1, 50) {
            // reads (the read-back port follows cfg_addr without a write)
            i.cfg_addr = rng.gen_range(0..(1 << CFG_ADDR_BITS));
        }
        s.push(i);
    }
    (s, resets, writes)
}

fn same_outputs(p: &RxParams, n: usize, seed: u64) {
    let v = cporx_hdl::export::rx_top_verilog(p).unwrap();
    let orig = VerilatedLib::build(&v).unwrap_or_else(|e| panic!("{e}"));
    let (flat, net) = cporx_cosim::flatten::verilated_lib(&v).unwrap_or_else(|e| panic!("{e}"));
    assert!(net.moved > 10 * net.continuous, "{net:?}");
    let (stim, resets, writes) = stimulus(p, n, seed);
    assert!(
        resets > 20 && writes > 500,
        "{resets} resets, {writes} writes"
    );
    // in blocks, as the benchmark runs them (the state goes on across blocks)
    let (mut a, mut b) = (orig.instance().unwrap(), flat.instance().unwrap());
    let (mut oa, mut ob) = (vec![], vec![]);
    for blk in stim.chunks(1 << 14) {
        a.run_into(blk, &mut oa).unwrap();
        b.run_into(blk, &mut ob).unwrap();
    }
    compare(&oa, &ob, "flattened netlist").unwrap_or_else(|e| panic!("{e}"));
    // the run did real work: lock reached and lost, the read-back and every lane moving
    assert!(oa.iter().any(|o| o.lock) && oa.iter().any(|o| !o.lock));
    assert!(oa.iter().any(|o| o.rd_data != 0));
    for j in 0..p.lanes {
        assert!(
            (0..4).all(|s| oa.iter().any(|o| o.lane[j].symbol == s)),
            "lane {j}"
        );
    }
}

#[test]
fn flattened_netlist_matches_export() {
    same_outputs(&RxParams::default(), 150_000, 7);
}

#[test]
fn flattened_netlist_matches_export_16_lanes() {
    same_outputs(&RxParams::default().with_lanes(16).unwrap(), 40_000, 8);
}
