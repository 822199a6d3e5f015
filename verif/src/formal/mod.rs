//! Formal proofs beside the RTL (issue 15): each block's contract, written as
//! SystemVerilog assertions in a wrapper around the exported block
//! (`verif/formal/<block>/<block>.sv`), proven by SymbiYosys (`<block>.sby`, engine
//! smtbmc with z3) by k-induction where it closes, bounded where it does not; every
//! assertion `a_X` has a cover `c_X` that shows its condition is reachable.
//!
//! A [`Design`] is one block at one proof size: its exported Verilog (module `top`), the
//! wrapper's parameters (`params.vh`: sizes, reset values, the spec's constants from
//! cporx-spec, so the wrapper states the numbers of docs/numerics.md without copying them)
//! and its probes (wires `fv_*` of the wrapper connected to internal registers of the
//! flattened block: Yosys's frontend has no hierarchical references). [`run`] writes a
//! work folder per design:
//!
//! | file | what |
//! |---|---|
//! | `dut.v` | the block exported for the design's parameters (module `top`) |
//! | `dut_flat.v` | module `dut_flat`: `top`'s ports, the per-lane ports `name$j` packed into `name` (lane j at `[w*j +: w]`) |
//! | `params.vh` | `localparam`s the wrapper includes |
//! | `probes.ys` | `connect -nounset -set fv_X dut.u.<path>` for each probe |
//! | `<block>.sv`, `<block>.sby` | copied from `verif/formal/<block>/` |
//!
//! and runs `sby -f <block>.sby` there (rerun it by hand the same way).

pub mod blocks;
pub mod run;

pub use run::*;

/// One block at one proof size.
#[derive(Clone, Debug)]
pub struct Design {
    /// the block's folder and file stem under `verif/formal/` (`ffe`: `ffe/ffe.sv`,
    /// `ffe/ffe.sby`, wrapper module `ffe_formal`)
    pub block: &'static str,
    /// the parameters the proof covers, as shown in the table (`N=3 P=1`)
    pub size: String,
    /// the exported block (module `top`)
    pub verilog: String,
    /// the wrapper's parameters (`localparam ...;` lines)
    pub params_vh: String,
    /// probe connections
    pub probes: Vec<Probe>,
}

/// A wrapper wire (or a slice of one) connected to an internal signal of the block.
#[derive(Clone, Debug)]
pub struct Probe {
    /// the wrapper's wire, with an optional slice: `fv_p[15:0]`
    pub wire: String,
    /// the signal inside the exported module `top`, as Yosys names it after `flatten`
    /// (instances joined by `.`): `lane$0.group$0.mul$0.p_r$q`
    pub path: String,
}

impl Probe {
    pub fn new(wire: impl Into<String>, path: impl Into<String>) -> Self {
        Probe {
            wire: wire.into(),
            path: path.into(),
        }
    }
}

/// `localparam NAME = VALUE;` lines for `params.vh` (values as signed decimals).
pub fn localparams(pairs: &[(&str, i64)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("localparam {n} = {v};\n"))
        .collect()
}

/// `localparam [W*n-1:0] NAME = {...};`: `values` packed, element i at `[w*i +: w]`
/// (two's complement in `w` bits); an error if a value does not fit.
pub fn packed_localparam(name: &str, w: usize, values: &[i64]) -> Result<String, String> {
    let lo = -(1i64 << (w - 1));
    let hi = (1i64 << w) - 1;
    let mut parts = Vec::new();
    for (i, &v) in values.iter().enumerate().rev() {
        if v < lo || v > hi {
            return Err(format!(
                "{name}[{i}] = {v} does not fit {w} bits ({lo} ..= {hi})"
            ));
        }
        let u = (v as u64) & ((1u64 << w) - 1);
        parts.push(format!("{w}'d{u}"));
    }
    Ok(format!(
        "localparam [{}:0] {name} = {{{}}};\n",
        w * values.len().max(1) - 1,
        if parts.is_empty() {
            format!("{w}'d0")
        } else {
            parts.join(", ")
        }
    ))
}
