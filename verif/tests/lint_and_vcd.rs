//! The exported Verilog lints clean, and the model's VCD lines up with Verilator's own
//! `--trace` VCD of the RTL, signal by signal, for the same stimulus.

use cporx_cosim::vcd_out::{read_vcd, run_model_with_vcd, value_at};
use cporx_cosim::verilator::{lint, VerilatedRx};
use cporx_spec::*;
use cporx_verif::strategy::param_pool;
use std::io::BufReader;

fn out_dir(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target/cporx-test")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn exported_verilog_lints_clean_for_every_pool_design() {
    let dir = out_dir("lint");
    for (k, p) in param_pool().iter().enumerate() {
        let f = dir.join(format!("top_{k}.v"));
        std::fs::write(&f, cporx_hdl::export::rx_top_verilog(p).unwrap()).unwrap();
        lint(&f).unwrap_or_else(|e| panic!("n_taps={} lanes={}: {e}", p.n_taps, p.lanes));
    }
}

#[test]
fn lint_rejects_a_real_warning() {
    // A waiver file that hid everything would make the lint test above worthless.
    let dir = out_dir("lint_neg");
    let f = dir.join("bad.v");
    let v = cporx_hdl::export::rx_top_verilog(&RxParams::default()).unwrap();
    let bad = v.replacen(
        "    // Stub signals\n",
        "    wire [3:0] cporx_narrow = adc$0;\n    // Stub signals\n",
        1,
    );
    assert_ne!(bad, v);
    std::fs::write(&f, bad).unwrap();
    assert!(lint(&f).is_err());
}

#[test]
fn model_vcd_matches_verilator_vcd_signal_by_signal() {
    // two lanes, two adder groups per lane: group$0 (4 taps), group$1 (2)
    let p = RxParams::with_taps(6, 1).unwrap().with_lanes(2).unwrap();
    let dir = out_dir("vcd");
    let mut stim = vec![RxIn::reset()];
    for (a, d) in RxParams::cfg_writes(
        &[-10, 70, -20, 127, 5, -3],
        &[-40, 2, 40],
        &[-60, -20, 20, 60],
    ) {
        stim.push(RxIn::write(a, d, -32));
    }
    let mut x = 7i32;
    for k in 0..600 {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        let adc = if k % 97 < 10 {
            31
        } else if k % 89 < 8 {
            -32
        } else {
            (x >> 16) % 64 - 32
        };
        stim.push(RxIn::block(&[adc, (x >> 8) % 64 - 32]));
    }
    stim.push(RxIn::reset());
    stim.extend((0..20).map(|_| RxIn::block(&[-32, 31])));

    let mpath = dir.join("model.vcd");
    let model = run_model_with_vcd(&p, &stim, std::fs::File::create(&mpath).unwrap()).unwrap();
    let vpath = dir.join("verilator.vcd");
    let v = VerilatedRx::build(&cporx_hdl::export::rx_top_verilog(&p).unwrap(), true).unwrap();
    let rtl = v.run_with_vcd(&stim, &vpath).unwrap();
    cporx_verif::compare(&model, &rtl, "verilator").unwrap();

    let mw = read_vcd(BufReader::new(std::fs::File::open(&mpath).unwrap())).unwrap();
    let vw = read_vcd(BufReader::new(std::fs::File::open(&vpath).unwrap())).unwrap();
    // Verilator puts the top-level ports in a `TOP` scope above `top`; strip it.
    let vw: std::collections::BTreeMap<String, _> = vw
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("TOP.").map(|s| (s.to_string(), v)))
        .collect();
    let mut compared = 0;
    for (name, changes) in &mw {
        let other = vw.get(name).unwrap_or_else(|| {
            panic!(
                "model signal {name} has no Verilator twin; Verilator has {:?}",
                vw.keys().take(40).collect::<Vec<_>>()
            )
        });
        for i in 0..stim.len() as u64 {
            for t in [10 * i, 10 * i + 5] {
                assert_eq!(
                    value_at(changes, t),
                    value_at(other, t),
                    "{name} at t={t} ns"
                );
            }
        }
        compared += 1;
    }
    // top: clock, rst, 3 cfg, 5 per lane, 3 CDR, gain, rd_data; ffe 2 per lane; one
    // product per lane and tap; slicer 4 per lane; cdr 2 per lane and 3
    let l = p.lanes;
    let expected = 5 + 5 * l + 3 + 2 + 2 * l + p.n_taps * l + 4 * l + 2 * l + 3;
    assert_eq!(compared, expected, "every model signal compared");
    println!(
        "VCD: {compared} signals agree over {} cycles ({} and {})",
        stim.len(),
        mpath.display(),
        vpath.display()
    );
}
