//! Tests of the self-synchronizing PRBS13Q checker (hdl/src/bist/prbs_chk.rs): its
//! rust-hdl simulation against its bit-exact model (cporx-sim `bist::prbs_chk`), every
//! output every cycle, with random symbol errors, `valid` toggles and resets, at every
//! lane count; a clean stream counted like `Prbs13qChecker`; generator -> checker in RTL
//! counting injected errors; the block exported alone through Verilator against the model
//! and rust-hdl; its latencies (LAT_CHK to the counters, 2 to `synced`) measured on the
//! RTL; a Verilator `-Wall` lint; and the constructor's parameter error.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, PrbsChk, PrbsGen};
use cporx_link::loop_checker::Prbs13qChecker;
use cporx_model::bist::prbs_chk::{PrbsChkModel, PrbsChkOut};
use cporx_model::bist::LAT_CHK;
use cporx_model::prbs::Prbs13q;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Latency from `valid` to `synced` (hdl/src/bist/prbs_chk.rs, docs/bist.md) once the
/// history holds 7 valid symbols.
const LAT_SYNC: usize = 2;
/// Lane counts built with Verilator (one build each, shared by the tests; the rust-hdl
/// tests above cover all five): one lane, one lane group (CHK_GROUP = 4), four groups.
const VL_LANES: [usize; 3] = [1, 4, 16];

fn chk_cycle(k: &mut PrbsChk, rst: bool, valid: bool, sym: &[u8]) -> PrbsChkOut {
    cycle(k, |k| {
        k.rst.next = rst;
        k.valid.next = valid;
        for (i, &s) in sym.iter().enumerate() {
            k.symbol[i].next = bits::<2>(s as u64);
        }
    });
    PrbsChkOut {
        bit_errs: k.bit_errs.val().index() as u32,
        sym_errs: k.sym_errs.val().index() as u32,
        symbols: k.symbols.val().index() as u32,
        synced: k.synced.val(),
    }
}

#[test]
fn prbs_chk_matches_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0004);
    for lanes in [1, 2, 4, 8, 16] {
        let mut k = ready(PrbsChk::new(lanes).unwrap());
        let mut m = PrbsChkModel::with_lanes(lanes).unwrap();
        let mut src = Prbs13q::new();
        let mut valid = true;
        let mut err_p = 0.0;
        let (mut max_n, mut max_b) = (0, 0);
        for c in 0..4000 {
            if rng.gen_bool(0.01) {
                valid = !valid;
            }
            if rng.gen_bool(0.02) {
                err_p = [0.0, 0.0, 0.001, 0.01, 0.3, 1.0][rng.gen_range(0..6)];
            }
            let rst = rng.gen_bool(0.003);
            let sym: Vec<u8> = (0..lanes)
                .map(|_| {
                    let s = src.next_symbol();
                    if rng.gen_bool(err_p) {
                        rng.gen_range(0..4)
                    } else {
                        s
                    }
                })
                .collect();
            let got = chk_cycle(&mut k, rst, valid, &sym);
            let want = m.step(rst, valid, &sym).clone();
            assert_eq!(got, want, "P={lanes} cycle {c}");
            max_n = max_n.max(got.symbols);
            max_b = max_b.max(got.bit_errs);
        }
        // the run must have counted symbols and errors
        assert!(max_n > 100 && max_b > 0, "P={lanes}: {max_n} {max_b}");
    }
}

#[test]
fn prbs_chk_clean_stream_counts_no_errors_like_prbs13q_checker() {
    for lanes in [1, 4, 16] {
        let mut k = ready(PrbsChk::new(lanes).unwrap());
        chk_cycle(&mut k, true, false, &vec![0; lanes]);
        let mut src = Prbs13q::new();
        for _ in 0..777 {
            src.next_symbol(); // any phase
        }
        let mut reference = Prbs13qChecker::new();
        let cycles = 12_000 / lanes;
        let mut last = PrbsChkOut::default();
        for c in 0..cycles + 4 {
            let sym: Vec<u8> = (0..lanes).map(|_| src.next_symbol()).collect();
            let valid = c < cycles;
            if valid {
                reference.push_slice(&sym);
            }
            last = chk_cycle(&mut k, false, valid, &sym);
            if c == 20 {
                assert!(last.synced, "P={lanes}: {last:?}");
            }
        }
        let r = reference.finish();
        assert_eq!((last.bit_errs, last.sym_errs), (0, 0), "P={lanes}");
        assert_eq!((r.bit_errors, r.symbol_errors), (0, 0));
        // ours checks all but the first 7 symbols; the reference all but its 48-symbol
        // acquisition
        assert_eq!(last.symbols as usize, cycles * lanes - 7);
        assert_eq!(r.symbols_checked as usize, cycles * lanes - 48);
        assert!(!last.synced, "valid fell: sync restarts");
    }
}

#[test]
fn prbs_gen_into_prbs_chk_counts_injected_errors() {
    // generator -> checker in RTL: each inject edge is one Gray bit error, which the
    // self-synchronizing checker counts as 5 bit errors in 4 symbols
    let lanes = 4;
    let mut g = ready(PrbsGen::new(lanes).unwrap());
    let mut k = ready(PrbsChk::new(lanes).unwrap());
    let mut reference = Prbs13qChecker::new();
    gen_cycle(&mut g, true, false);
    chk_cycle(&mut k, true, false, &vec![0; lanes]);
    let mut sym = vec![0; lanes];
    let mut out = PrbsChkOut::default();
    for c in 0..3000 {
        out = chk_cycle(&mut k, false, c > 0, &sym);
        if c > 0 {
            reference.push_slice(&sym);
        }
        sym = gen_cycle(&mut g, false, c % 500 == 250);
    }
    let r = reference.finish();
    assert_eq!(r.symbol_errors, 6);
    assert_eq!(r.bit_errors, 6);
    assert_eq!(out.bit_errs, 5 * 6, "{out:?}");
    assert_eq!(out.sym_errs, 4 * 6, "{out:?}");
    assert!(out.synced);
}

fn chk_ports(lanes: usize) -> (PortList, PortList) {
    let mut ins: PortList = vec![("rst".into(), 1), ("valid".into(), 1)];
    ins.extend(lane_ports("symbol", 2, lanes));
    let outs = vec![
        ("bit_errs".into(), 32),
        ("sym_errs".into(), 32),
        ("symbols".into(), 32),
        ("synced".into(), 1),
    ];
    (ins, outs)
}

/// Every design built with Verilator (one group build).
fn designs() -> Designs {
    VL_LANES
        .iter()
        .map(|&l| {
            let (i, o) = chk_ports(l);
            (verilog_of(PrbsChk::new(l).unwrap()), i, o)
        })
        .collect()
}

fn slots_of(o: &PrbsChkOut) -> Vec<u64> {
    vec![
        o.bit_errs as u64,
        o.sym_errs as u64,
        o.symbols as u64,
        o.synced as u64,
    ]
}

#[test]
fn prbs_chk_verilator_matches_model_and_rust_hdl() {
    let mut rng = StdRng::seed_from_u64(0xB157_0104);
    for lanes in VL_LANES {
        let (ins, outs) = chk_ports(lanes);
        let mut vl = verilated(
            designs,
            verilog_of(PrbsChk::new(lanes).unwrap()),
            &ins,
            &outs,
        );
        let mut k = ready(PrbsChk::new(lanes).unwrap());
        let mut m = PrbsChkModel::with_lanes(lanes).unwrap();
        let mut src = Prbs13q::new();
        let (mut valid, mut err_p) = (true, 0.0);
        let (mut stim, mut model, mut rh) = (vec![], vec![], vec![]);
        for _ in 0..3000 {
            if rng.gen_bool(0.01) {
                valid = !valid;
            }
            if rng.gen_bool(0.02) {
                err_p = [0.0, 0.0, 0.001, 0.01, 0.3, 1.0][rng.gen_range(0..6)];
            }
            let rst = rng.gen_bool(0.003);
            let sym: Vec<u8> = (0..lanes)
                .map(|_| {
                    let s = src.next_symbol();
                    if rng.gen_bool(err_p) {
                        rng.gen_range(0..4)
                    } else {
                        s
                    }
                })
                .collect();
            let mut s = vec![rst as u64, valid as u64];
            s.extend(sym.iter().map(|&x| x as u64));
            stim.push(s);
            model.push(slots_of(m.step(rst, valid, &sym)));
            rh.push(slots_of(&chk_cycle(&mut k, rst, valid, &sym)));
        }
        assert!(model.iter().any(|o| o[0] > 0), "P={lanes}: errors counted");
        assert_same(&outs, &model, &rh, &format!("P={lanes} rust-hdl"));
        assert_same(
            &outs,
            &model,
            &vl.run(&stim).unwrap(),
            &format!("P={lanes} verilator"),
        );
    }
}

/// On Verilator, against the same clean run without the event: one corrupted symbol
/// (lane j, cycle `at`) first moves `bit_errs` and `sym_errs` LAT_CHK - 1 cycles after
/// it; `valid` rising in cycle `at` raises `synced` after the clocks that fill the 7-symbol
/// history, LAT_SYNC - 1 cycles after the last of them; `valid` falling drops it
/// LAT_SYNC - 1 cycles after.
#[test]
fn prbs_chk_latencies_on_the_rtl() {
    for lanes in VL_LANES {
        let (ins, outs) = chk_ports(lanes);
        let mut vl = verilated(
            designs,
            verilog_of(PrbsChk::new(lanes).unwrap()),
            &ins,
            &outs,
        );
        let mut src = Prbs13q::new();
        let clean: Vec<Vec<u64>> = (0..60)
            .map(|c| {
                let mut s = vec![(c == 0) as u64, (c > 0) as u64];
                s.extend((0..lanes).map(|_| src.next_symbol() as u64));
                s
            })
            .collect();
        let quiet = vl.run(&clean).unwrap();
        assert!(
            quiet.iter().all(|o| o[0] == 0 && o[1] == 0),
            "clean: no errors"
        );
        let at = 30;
        for j in 0..lanes {
            let mut stim = clean.clone();
            stim[at][2 + j] ^= 1;
            let got = vl.run(&stim).unwrap();
            for k in [0, 1] {
                let first = first_difference(&quiet, &got, k).expect("errors counted");
                assert_eq!(
                    latency(at, first),
                    LAT_CHK,
                    "P={lanes} lane {j}, {}",
                    outs[k].0
                );
            }
        }
        // synced: valid rises at cycle 1 (after the reset); 7 symbols fill the history
        let fill = 7usize.div_ceil(lanes);
        let up = quiet.iter().position(|o| o[3] == 1).expect("syncs");
        assert_eq!(
            latency(1 + fill - 1, up),
            LAT_SYNC,
            "P={lanes}: synced rises"
        );
        let mut stim = clean.clone();
        stim[at][1] = 0;
        let got = vl.run(&stim).unwrap();
        let down = first_difference(&quiet, &got, 3).expect("synced drops");
        assert_eq!(got[down][3], 0);
        assert_eq!(latency(at, down), LAT_SYNC, "P={lanes}: synced falls");
    }
}

#[test]
fn prbs_chk_lints_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    for lanes in [1, 2, 4, 16] {
        lint(
            &format!("prbs_chk_p{lanes}"),
            verilog_of(PrbsChk::new(lanes).unwrap()),
        );
    }
}

#[test]
fn prbs_chk_rejects_bad_lanes_with_the_name() {
    let e = PrbsChk::new(32).err().unwrap().to_string();
    assert!(e.contains("bist.lanes"), "{e}");
}
