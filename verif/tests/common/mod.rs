//! Shared helpers of the per-block test files (ffe.rs, slicer.rs, cdr.rs, rx_top.rs):
//! a block's ports as (exported name, width) lists, a rust-hdl stepper for any block with
//! the project's cycle convention, the Verilator build of one exported block, the
//! comparison of two output streams port by port, and the first cycle where two runs of
//! the RTL differ (the latency tests' measurement).
//!
//! A cycle's inputs and outputs are `Vec<u64>` slots, one per port in list order (every
//! receive-block port is at most 64 bits wide; cporx_cosim::verilator_block), carrying raw
//! two's-complement patterns. Cycle convention: apply the inputs with the clock low,
//! settle, raise the clock, settle, read the outputs (hdl/src/step.rs).
#![allow(dead_code)]

use cporx_cosim::verilator_block::{BlockSpec, VerilatedBlock};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// One cycle's port values (raw patterns), in the order of the port list.
pub type Slots = Vec<u64>;

/// (exported name, width in bits) of every port a test drives or reads.
pub type PortList = Vec<(String, usize)>;

/// The control inputs every receive block has, in this order: `rst`, `cfg_we`,
/// `cfg_addr`, `cfg_data` (slots 0 ..= 3).
pub fn ctrl_inputs() -> PortList {
    vec![
        ("rst".into(), 1),
        ("cfg_we".into(), 1),
        ("cfg_addr".into(), CFG_ADDR_BITS),
        ("cfg_data".into(), CFG_DATA_BITS),
    ]
}

/// `name$0 .. name$(lanes-1)` of every vector port, grouped by port.
pub fn lane_ports(ports: &[(&str, usize)], lanes: usize) -> PortList {
    let mut v = vec![];
    for &(n, w) in ports {
        for j in 0..lanes {
            v.push((format!("{n}${j}"), w));
        }
    }
    v
}

/// The four control slots of a cycle: reset, write enable, address, data (a signed code).
pub fn ctrl_slots(rst: bool, we: bool, addr: u32, data: i32) -> Slots {
    vec![
        rst as u64,
        we as u64,
        addr as u64,
        to_raw(data, CFG_DATA_BITS) as u64,
    ]
}

/// Decode the control slots into an `RxIn` (lanes' inputs left 0) for the models.
pub fn rx_in_of(s: &[u64]) -> RxIn {
    RxIn {
        rst: s[0] != 0,
        cfg_we: s[1] != 0,
        cfg_addr: s[2] as u32,
        cfg_data: sext(s[3] as u32, CFG_DATA_BITS),
        adc: [0; MAX_LANES],
    }
}

/// A raw pattern of `bits` bits as a signed code.
pub fn sx(raw: u64, bits: usize) -> i32 {
    sext(raw as u32, bits)
}

/// The first cycle where `got` differs from `want`, with the port and both values.
pub fn compare(
    outputs: &PortList,
    want: &[Slots],
    got: &[Slots],
    against: &str,
) -> Result<(), String> {
    if want.len() != got.len() {
        return Err(format!(
            "{against}: {} cycles, model {}",
            got.len(),
            want.len()
        ));
    }
    for (c, (a, b)) in want.iter().zip(got).enumerate() {
        if a != b {
            let k = (0..a.len()).find(|&k| a[k] != b[k]).unwrap_or(0);
            return Err(format!(
                "cycle {c}: `{}` model={:#x} {against}={:#x}",
                outputs[k].0, a[k], b[k]
            ));
        }
    }
    Ok(())
}

/// A rust-hdl block driven through the slot convention.
pub trait SlotBlock: Block {
    fn set_clock(&mut self, high: bool);
    /// Drive every input port from one cycle's slots.
    fn apply(&mut self, s: &[u64]);
    /// Read every output port into slots.
    fn read(&self) -> Slots;
}

/// Run `stim` through rust-hdl's simulator on a freshly built block (power-up: every
/// register 0): clock low, apply, settle, clock high, settle, read.
pub fn run_rust_hdl<B: SlotBlock>(mut b: B, stim: &[Slots]) -> Vec<Slots> {
    b.connect_all();
    stim.iter()
        .map(|s| {
            b.set_clock(false);
            b.apply(s);
            assert!(simulate(&mut b, 1000), "rust-hdl simulation did not settle");
            b.set_clock(true);
            assert!(simulate(&mut b, 1000), "rust-hdl simulation did not settle");
            b.read()
        })
        .collect()
}

/// A `Bits<N>` from a raw pattern.
pub fn pat<const N: usize>(v: u64) -> Bits<N> {
    (v as LiteralType).into()
}

/// Build (cached) the exported block with a harness for these ports; panics with
/// Verilator's message (Verilator is required: scripts/setup-tools.sh).
pub fn verilate(verilog: &str, inputs: &PortList, outputs: &PortList) -> VerilatedBlock {
    let i: Vec<(&str, usize)> = inputs.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    let o: Vec<(&str, usize)> = outputs.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    VerilatedBlock::build(verilog, &i, &o).unwrap_or_else(|e| panic!("{e}"))
}

/// Build (cached) several exported blocks in one Verilator build (one compile of the
/// Verilator runtime for all: cporx_cosim::verilator_block::VerilatedBlock::build_group);
/// each entry is (Verilog, inputs, outputs).
pub fn verilate_group(designs: &[(String, PortList, PortList)]) -> Vec<VerilatedBlock> {
    let lists: Vec<(Vec<(&str, usize)>, Vec<(&str, usize)>)> = designs
        .iter()
        .map(|(_, i, o)| {
            (
                i.iter().map(|(n, w)| (n.as_str(), *w)).collect(),
                o.iter().map(|(n, w)| (n.as_str(), *w)).collect(),
            )
        })
        .collect();
    let specs: Vec<BlockSpec> = designs
        .iter()
        .zip(&lists)
        .map(|((v, _, _), (i, o))| BlockSpec {
            verilog: v,
            inputs: i,
            outputs: o,
        })
        .collect();
    VerilatedBlock::build_group(&specs).unwrap_or_else(|e| panic!("{e}"))
}

/// `verilator --lint-only -Wall` with the project's waivers on one exported block.
pub fn lint(name: &str, verilog: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target/cporx-test/lint-blocks");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join(format!("{name}.v"));
    std::fs::write(&f, verilog).unwrap();
    cporx_cosim::verilator::lint(&f).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Every (cycle, output index) where two runs differ, in cycle order.
pub fn differences(a: &[Slots], b: &[Slots]) -> Vec<(usize, usize)> {
    let mut d = vec![];
    for (c, (x, y)) in a.iter().zip(b).enumerate() {
        for k in 0..x.len() {
            if x[k] != y[k] {
                d.push((c, k));
            }
        }
    }
    d
}

/// Latency as the spec counts it: an input applied in cycle `at` whose first effect is
/// on the outputs read after cycle `first` has latency `first - at + 1` (the capturing
/// edge counts; cporx_spec::LAT_TOP).
pub fn latency(at: usize, first: usize) -> usize {
    first + 1 - at
}

/// The number of proptest cases: `$var` if set, else `default`.
pub fn cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
