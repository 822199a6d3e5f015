//! Shared helpers of the BIST block tests (bist_prbs_gen.rs, bist_chan_emu.rs,
//! bist_prbs_chk.rs, bist_uart_tx.rs, bist_uart_rx.rs): the rust-hdl cycle stepper, the
//! generator's cycle (the checker's tests feed it), the Verilator `-Wall` lint of an
//! exported block, and the Verilator build of one block on named ports with the
//! comparison of output streams and the latency measurement.
//!
//! The cycle convention is the project's: apply the inputs with the clock low, settle,
//! raise the clock, settle, read the outputs (as hdl/src/step.rs). A cycle's values for
//! Verilator are `Vec<u64>` slots, one per port in list order
//! (cporx_cosim::verilator_block).
#![allow(dead_code)]

use cporx_cosim::verilator_block::{BlockSpec, VerilatedBlock};
use cporx_hdl::bist::{ChanEmu, PrbsChk, PrbsGen, UartRx, UartTx};
use rust_hdl::prelude::*;
use std::sync::{Mutex, MutexGuard, OnceLock};

pub const MAX_ITERS: usize = 1000;

/// A block with a `clock` input.
pub trait Clocked: Block {
    fn set_clock(&mut self, high: bool);
}
macro_rules! clocked {
    ($($t:ty),*) => {$(
        impl Clocked for $t {
            fn set_clock(&mut self, high: bool) {
                self.clock.next = Clock { clk: high };
            }
        }
    )*};
}
clocked!(PrbsGen, ChanEmu, PrbsChk, UartTx, UartRx);

/// Connect a freshly built block for simulation (power-up state: every DFF 0).
pub fn ready<B: Block>(mut b: B) -> B {
    b.connect_all();
    b
}

/// One cycle: clock low, apply the inputs, settle, clock high, settle.
pub fn cycle<B: Clocked>(b: &mut B, set: impl FnOnce(&mut B)) {
    b.set_clock(false);
    set(b);
    assert!(simulate(b, MAX_ITERS), "rust-hdl simulation did not settle");
    b.set_clock(true);
    assert!(simulate(b, MAX_ITERS), "rust-hdl simulation did not settle");
}

pub fn bits<const N: usize>(v: u64) -> Bits<N> {
    (v as LiteralType).into()
}

/// One cycle of the PRBS13Q generator; its symbols after the edge.
pub fn gen_cycle(g: &mut PrbsGen, rst: bool, inject: bool) -> Vec<u8> {
    cycle(g, |g| {
        g.rst.next = rst;
        g.inject.next = inject;
    });
    g.symbol.iter().map(|s| s.val().index() as u8).collect()
}

/// `verilator --lint-only -Wall` with the project's waivers on one exported block.
pub fn lint(name: &str, verilog: String) {
    let dir = std::env::temp_dir().join(format!("cporx-bist-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.v"));
    std::fs::write(&path, verilog).unwrap();
    if let Err(e) = cporx_cosim::verilator::lint(&path) {
        panic!("{name}: {e}");
    }
}

/// (exported name, width) of the ports a test drives or reads.
pub type PortList = Vec<(String, usize)>;

/// `name$0 .. name$(lanes-1)` of a vector port.
pub fn lane_ports(name: &str, width: usize, lanes: usize) -> PortList {
    (0..lanes).map(|j| (format!("{name}${j}"), width)).collect()
}

/// Build (cached) an exported block with a harness for these ports; panics with
/// Verilator's message (Verilator is required: scripts/setup-tools.sh).
pub fn verilate(verilog: &str, inputs: &PortList, outputs: &PortList) -> VerilatedBlock {
    let i: Vec<(&str, usize)> = inputs.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    let o: Vec<(&str, usize)> = outputs.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    VerilatedBlock::build(verilog, &i, &o).unwrap_or_else(|e| panic!("{e}"))
}

/// Every design a test binary simulates with Verilator: (Verilog, inputs, outputs).
pub type Designs = Vec<(String, PortList, PortList)>;

/// The Verilator simulator of `verilog` on these ports, from ONE group build of all the
/// designs `all` lists (cporx_cosim::verilator_block::VerilatedBlock::build_group: one
/// compile of the Verilator runtime for the binary), built on first use and shared by
/// every test of the binary. The guard serializes the tests that use the same design.
/// Panics if `all` does not list the design.
pub fn verilated(
    all: fn() -> Designs,
    verilog: String,
    inputs: &PortList,
    outputs: &PortList,
) -> MutexGuard<'static, VerilatedBlock> {
    static GROUP: OnceLock<Vec<(String, Mutex<VerilatedBlock>)>> = OnceLock::new();
    let key = |v: &str, i: &PortList, o: &PortList| format!("{i:?}{o:?}{v}");
    let group = GROUP.get_or_init(|| {
        let designs = all();
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
        let built = VerilatedBlock::build_group(&specs).unwrap_or_else(|e| panic!("{e}"));
        designs
            .iter()
            .zip(built)
            .map(|((v, i, o), b)| (key(v, i, o), Mutex::new(b)))
            .collect()
    });
    let k = key(&verilog, inputs, outputs);
    group
        .iter()
        .find(|(g, _)| *g == k)
        .expect("the design is listed in the test file's `designs()`")
        .1
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Panic at the first cycle where `got` differs from `want`, naming the port.
pub fn assert_same(outputs: &PortList, want: &[Vec<u64>], got: &[Vec<u64>], what: &str) {
    assert_eq!(want.len(), got.len(), "{what}: cycle count");
    for (c, (a, b)) in want.iter().zip(got).enumerate() {
        if a != b {
            let k = (0..a.len()).find(|&k| a[k] != b[k]).unwrap();
            panic!(
                "{what}: cycle {c}: `{}` model={:#x} got={:#x}",
                outputs[k].0, a[k], b[k]
            );
        }
    }
}

/// The first cycle where two runs differ on output slot `k` (None: never).
pub fn first_difference(a: &[Vec<u64>], b: &[Vec<u64>], k: usize) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x[k] != y[k])
}

/// Latency as the spec counts it: an input applied in cycle `at` whose first effect is
/// on the outputs read after cycle `first` has latency `first - at + 1`.
pub fn latency(at: usize, first: usize) -> usize {
    first + 1 - at
}
