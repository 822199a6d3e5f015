//! Post-synthesis checks (crate cporx-synth), with the real tools: these tests FAIL, not
//! skip, when Yosys, nextpnr-ecp5 or ecppack is missing (the error says how to install
//! them: `scripts/setup-tools.sh`, which CI runs).
//!
//! * The receive top after Yosys's generic synthesis (flattened gate-level netlist) is
//!   equivalent to the reference model on every output of every cycle, for the default
//!   parameters and a 5-tap, 4-lane design with non-trivial reset values: the same property and
//!   random cases as tests/mutation.rs (model against Verilator), with the netlist in
//!   place of the exported RTL. Synthesis must not change behaviour (power-up values,
//!   reset, rounding, saturation all survive optimization).
//! * The full ECP5 flow (synth_ecp5, nextpnr-ecp5, ecppack) builds the default receive
//!   top for ulx3s-85f with unconstrained I/O: a non-empty bitstream and a report with
//!   LUT4 > 0 and Fmax > 0.

use cporx_cosim::verilator::VerilatedRx;
use cporx_spec::*;
use cporx_verif::*;
use std::time::Instant;

/// Verilator's `-Wall` lint (with hdl/lint_waivers.vlt) fails the build on any warning.
/// A Yosys netlist trips exactly these, none of which is a defect of the design; inline
/// `lint_off` comments at the top of the netlist waive them for this file only:
/// * UNUSEDSIGNAL: Yosys declares multi-bit internal wires (`_0123_`, `ffe.acc`) of
///   which some bits feed nothing (unused carry-outs, bits optimized away).
/// * UNDRIVEN: bits of such named wires that synthesis proved unneeded are left without
///   a driver; nothing reads them (if anything did, Verilator would read a constant and
///   the comparison with the model below would catch it).
/// * PROCASSINIT: every register keeps its power-up value as a declaration initializer
///   (`reg q = 1'h0;`) beside its clocked `always` (that is what the power-up state of
///   the exported RTL means; Verilator only warns that it mixes the two styles).
const NETLIST_WAIVERS: &str =
    "// Lint waivers for a Yosys netlist: see verif/tests/post_synth.rs\n\
/* verilator lint_off UNUSEDSIGNAL */\n\
/* verilator lint_off UNDRIVEN */\n\
/* verilator lint_off PROCASSINIT */\n";

/// The receive top for `p` through Yosys's generic synthesis, built with Verilator.
fn verilated_netlist(p: &RxParams) -> VerilatedRx {
    let rtl = cporx_hdl::export::rx_top_verilog(p).unwrap();
    let t0 = Instant::now();
    let net = cporx_synth::generic_netlist(&rtl, "top").unwrap_or_else(|e| panic!("{e}"));
    let t_yosys = t0.elapsed().as_secs_f64();
    assert!(net.contains("\nmodule top(clock, rst, cfg_we, cfg_addr, cfg_data, \\adc$0 , "));
    let t1 = Instant::now();
    let vl = VerilatedRx::build(&format!("{NETLIST_WAIVERS}{net}"), false)
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "post-synth netlist (n_taps {}, lanes {}): {} lines; Yosys {:.1} s, Verilator build {:.1} s",
        p.n_taps,
        p.lanes,
        net.lines().count(),
        t_yosys,
        t1.elapsed().as_secs_f64()
    );
    vl
}

/// Model against the netlist on `cases` random cases (as tests/mutation.rs).
fn check_against_model(p: &RxParams, cases: u32) {
    let mut vl = verilated_netlist(p);
    let t0 = Instant::now();
    let cycles = check_verilated(&mut vl, p, cases, "post-synth").unwrap_or_else(|e| {
        panic!(
            "post-synthesis netlist (n_taps {}) differs from the model: {e}",
            p.n_taps
        )
    });
    println!(
        "post-synth equivalence (n_taps {}): {cases} cases, {cycles} cycles, every output of every cycle equal to the model ({:.1} s)",
        p.n_taps,
        t0.elapsed().as_secs_f64()
    );
}

#[test]
fn generic_netlist_matches_the_model_default_params() {
    check_against_model(&RxParams::default(), 200);
}

#[test]
fn generic_netlist_matches_the_model_five_taps_four_lanes() {
    let mut p = RxParams::with_taps(5, 1).unwrap().with_lanes(4).unwrap();
    p.reset_coefs = vec![-7, 71, -19, 6, -2];
    p.thresholds = [-40, 2, 36];
    p.targets = [-60, -20, 18, 57];
    p.validate().unwrap();
    check_against_model(&p, 200);
}

#[test]
fn ecp5_flow_builds_the_default_receive_top() {
    use cporx_synth::{Board, FlowConfig};
    let board = Board::Ulx3s85f;
    let out = std::env::temp_dir().join(format!("cporx-post-synth-flow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let lpf = out.join("clock.lpf");
    std::fs::write(&lpf, board.clock_only_lpf("clock", 100.0)).unwrap();
    let t0 = Instant::now();
    let r = cporx_synth::run_flow(&FlowConfig {
        verilog: cporx_hdl::export::rx_top_verilog(&RxParams::default()).unwrap(),
        top: "top".into(),
        board,
        target_mhz: 100.0,
        out_dir: out.clone(),
        lpf: Some(lpf),
        design: "receive top, 1 lane, 3 FFE taps".into(),
        allow_unconstrained_io: true,
        seed: 1,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "ECP5 flow ({:.1} s):\n{}",
        t0.elapsed().as_secs_f64(),
        r.summary()
    );
    let bit = std::fs::metadata(&r.bitstream).unwrap();
    assert!(bit.len() > 0 && bit.len() == r.bitstream_bytes);
    // the written report parses back and agrees
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    let back: cporx_synth::FlowReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.nextpnr.utilization, r.nextpnr.utilization);
    assert!(std::fs::read_to_string(out.join("report.md"))
        .unwrap()
        .contains("TRELLIS_COMB"));
    let again = std::fs::read_to_string(out.join("nextpnr-report.json")).unwrap();
    assert_eq!(
        cporx_synth::NextpnrReport::parse(&again).unwrap().lut4(),
        r.nextpnr.lut4()
    );
    assert!(r.nextpnr.lut4() > 0, "LUT4 {}", r.nextpnr.lut4());
    assert!(r.nextpnr.ff() > 0);
    // the FFE multiplies by selecting precomputed multiples: no DSP block
    assert_eq!(r.nextpnr.mult18(), 0, "the FFE needs no MULT18X18D");
    assert!(r.nextpnr.io() > 0);
    let fmax = r.nextpnr.fmax_mhz().expect("a clock in the report");
    assert!(fmax > 0.0, "Fmax {fmax}");
    assert_eq!(r.nextpnr.clocks[0].name, "clock");
    assert_eq!(r.nextpnr.clocks[0].constraint_mhz, 100.0);
    assert_eq!(r.runs.len(), 3);
    let _ = std::fs::remove_dir_all(&out);
}

/// The ECP5-mapped netlist (`synth_ecp5`: LUT4, PFUMX, L6MUX21, CCU2C, TRELLIS_FF)
/// simulated with Yosys's own ECP5 cell models (`share/ecp5/cells_sim.v`) against the
/// model: what goes into nextpnr behaves like the RTL. (Possible since the FFE needs no
/// MULT18X18D, which Yosys ships only as a blackbox.) The vendor models trip Verilator's
/// style warnings (duplicate module definitions from its includes, ignored `specify`
/// timing), so this one build runs with `-Wno-fatal`.
#[test]
fn ecp5_mapped_netlist_matches_the_model() {
    let p = RxParams::default();
    let rtl = cporx_hdl::export::rx_top_verilog(&p).unwrap();
    let t0 = Instant::now();
    let net = cporx_synth::ecp5_netlist(&rtl, "top").unwrap_or_else(|e| panic!("{e}"));
    let cells = ["LUT4", "TRELLIS_FF", "CCU2C"];
    for c in cells {
        assert!(
            net.contains(&format!("  {c} ")),
            "the netlist instantiates {c}"
        );
    }
    assert!(!net.contains("MULT18X18D"));
    let models = cporx_synth::ecp5_cell_models().unwrap_or_else(|e| panic!("{e}"));
    let t1 = Instant::now();
    let mut vl = VerilatedRx::build_with(
        &format!("{NETLIST_WAIVERS}{models}\n{net}"),
        &["-Wno-fatal"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let t2 = Instant::now();
    let cycles = check_verilated(&mut vl, &p, 100, "ecp5 netlist")
        .unwrap_or_else(|e| panic!("the ECP5-mapped netlist differs from the model: {e}"));
    println!(
        "ECP5-mapped netlist ({} lines; synth_ecp5 {:.1} s, Verilator build {:.1} s): 100 cases, {cycles} cycles, every output of every cycle equal to the model ({:.1} s)",
        net.lines().count(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        t2.elapsed().as_secs_f64()
    );
}
