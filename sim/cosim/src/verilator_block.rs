//! A generic Verilator driver for one exported block with named ports: the receive
//! blocks alone (FFE, slicer, CDR), the BIST blocks, or any rust-hdl `top`. Where
//! [`crate::verilator::VerilatedRx`] speaks the receive top's packed `RxIn`/`RxOut` words,
//! this driver takes the port list at build time and generates its C++ harness from it.
//!
//! Ports: the caller names the inputs and outputs it drives and reads, each with its
//! width in bits, by their exported names (rust-hdl's `name$j` for element j of a vector
//! port; [`port_cpp_name`] gives Verilator's C++ name). [`VerilatedBlock::build`] checks
//! every named port against the Verilog's `module top` header (direction and width), so a
//! typo or a width change is an error, not a silently undriven port. `clock` is driven
//! by the harness and must not be listed; ports not listed are left at 0 (inputs) or not
//! read (outputs).
//!
//! Values: one cycle is a `Vec<u64>` of *slots*, the ports in the order given, a port of
//! `w` bits taking `ceil(w / 64)` slots, least significant first ([`slots`]). Ports up
//! to 64 bits (every receive and BIST block port) are one slot each; wider ports (e.g.
//! the FFE's internal 186-bit history bus, were it exported) are copied word by word into
//! Verilator's `VlWide` arrays. An input value with bits set above its width is an error
//! (Verilator assumes clean upper bits).
//!
//! Cycle convention (the project's, as hdl/src/step.rs and the receive-top harness):
//! apply the cycle's inputs with the clock low, `eval`, raise the clock, `eval`, read the
//! outputs. So output cycle n is the state after the n-th rising edge, and a block whose
//! output is registered once answers an input of cycle n in output cycle n.
//!
//! Runs: every [`VerilatedBlock::run`] starts a fresh model at power-up (every register
//! 0, `--x-initial 0`), like a new reference model. Builds are cached in the Verilator
//! build cache ([`crate::verilator::build_cache_dir`]) under a hash of the Verilog, the
//! generated harness, the waivers and the flags, so one build per exported design serves
//! every test and every later run; the harness process stays alive between runs. Builds
//! use `-Wall` with the project's waiver file ([`crate::verilator::WAIVERS`]).
//!
//! Protocol on the child's stdin/stdout, native-endian: `[n: u32][n * IN u64 slots]` in,
//! `[n * OUT u64 slots]` out; `n = 0` ends the child.

use crate::verilator::{io_at, VerilatorError};
use cporx_spec::ports::StimulusError;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Slots (u64 words) a port of `width` bits takes in a cycle's vector.
pub fn slots(width: usize) -> usize {
    width.div_ceil(64).max(1)
}

/// Verilator's C++ member name of an exported port: `$` (rust-hdl's vector-element
/// separator) is encoded as `__024`.
pub fn port_cpp_name(name: &str) -> String {
    name.replace('$', "__024")
}

/// One port as the harness sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub width: usize,
}

/// The ports of `module top` in exported Verilog: (name, is_input, width), parsed from the
/// declarations rust-hdl writes (`input wire [4:0] cfg_addr;`, `output reg  lock;`).
pub fn top_ports(verilog: &str) -> Vec<(String, bool, usize)> {
    let mut out = vec![];
    let mut in_top = false;
    for line in verilog.lines() {
        let l = line.trim();
        if l.starts_with("module top(") || l.starts_with("module top (") {
            in_top = true;
            continue;
        }
        if !in_top {
            continue;
        }
        if l.starts_with("endmodule") {
            break;
        }
        let (is_in, rest) = if let Some(r) = l.strip_prefix("input ") {
            (true, r)
        } else if let Some(r) = l.strip_prefix("output ") {
            (false, r)
        } else {
            continue;
        };
        let rest = rest.trim_end_matches(';').trim();
        let rest = rest
            .strip_prefix("wire")
            .or_else(|| rest.strip_prefix("reg"))
            .unwrap_or(rest)
            .trim();
        let (width, name) = match rest.strip_prefix('[') {
            Some(r) => {
                let (range, name) = r.split_once(']').unwrap_or(("0:0", r));
                let msb: usize = range
                    .split(':')
                    .next()
                    .and_then(|m| m.trim().parse().ok())
                    .unwrap_or(0);
                (msb + 1, name.trim())
            }
            None => (1, rest),
        };
        out.push((name.to_string(), is_in, width));
    }
    out
}

/// The C++ harness for these ports (the module must be `top`, with a `clock` input).
pub fn block_harness_cpp(inputs: &[Port], outputs: &[Port]) -> String {
    let in_slots: usize = inputs.iter().map(|p| slots(p.width)).sum();
    let out_slots: usize = outputs.iter().map(|p| slots(p.width)).sum();
    let mask = |bits: usize| -> String {
        if bits >= 64 {
            "0xffffffffffffffffull".into()
        } else {
            format!("0x{:x}ull", (1u64 << bits) - 1)
        }
    };
    let mut apply = String::new();
    let mut k = 0;
    for p in inputs {
        let n = port_cpp_name(&p.name);
        if p.width <= 64 {
            apply += &format!("        top->{n} = in[{k}] & {};\n", mask(p.width));
        } else {
            for i in 0..p.width.div_ceil(32) {
                let bits = (p.width - 32 * i).min(32);
                apply += &format!(
                    "        top->{n}[{i}] = (uint32_t)((in[{s}] >> {sh}) & {m});\n",
                    s = k + i / 2,
                    sh = 32 * (i % 2),
                    m = mask(bits)
                );
            }
        }
        k += slots(p.width);
    }
    let mut read = String::new();
    let mut k = 0;
    for p in outputs {
        let n = port_cpp_name(&p.name);
        if p.width <= 64 {
            read += &format!(
                "        out[{k}] = (uint64_t)top->{n} & {};\n",
                mask(p.width)
            );
        } else {
            for s in 0..slots(p.width) {
                read += &format!("        out[{}] = 0;\n", k + s);
            }
            for i in 0..p.width.div_ceil(32) {
                let bits = (p.width - 32 * i).min(32);
                read += &format!(
                    "        out[{s}] |= ((uint64_t)top->{n}[{i}] & {m}) << {sh};\n",
                    s = k + i / 2,
                    sh = 32 * (i % 2),
                    m = mask(bits)
                );
            }
        }
        k += slots(p.width);
    }
    let list = |ps: &[Port]| {
        ps.iter()
            .map(|p| format!("{}[{}]", p.name, p.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"// Generated by cporx-cosim (sim/cosim/src/verilator_block.rs): block driver for Vtop.
// inputs: {ilist}
// outputs: {olist}
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

static const size_t IN_SLOTS = {in_slots};
static const size_t OUT_SLOTS = {out_slots};

static bool read_n(void* p, size_t n) {{ return fread(p, 1, n, stdin) == n; }}

struct Dut {{
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtop> top;
    Dut() : ctx(new VerilatedContext), top(new Vtop(ctx.get())) {{}}
    ~Dut() {{ top->final(); }}
    void step(const uint64_t* in, uint64_t* out) {{
        (void)in;
{apply}        top->clock = 0;
        top->eval();
        top->clock = 1;
        top->eval();
{read}    }}
}};

int main() {{
    std::vector<uint64_t> in;
    std::vector<uint64_t> out;
    for (;;) {{
        uint32_t n = 0;
        if (!read_n(&n, 4) || n == 0) return 0;
        in.resize((size_t)n * IN_SLOTS + 1);
        out.resize((size_t)n * OUT_SLOTS + 1);
        if (IN_SLOTS > 0 && !read_n(in.data(), 8 * (size_t)n * IN_SLOTS)) return 2;
        {{
            Dut dut;
            for (size_t c = 0; c < n; c++) dut.step(&in[c * IN_SLOTS], &out[c * OUT_SLOTS]);
        }}
        if (OUT_SLOTS > 0 &&
            fwrite(out.data(), 8, (size_t)n * OUT_SLOTS, stdout) != (size_t)n * OUT_SLOTS)
            return 3;
        fflush(stdout);
    }}
}}
"#,
        ilist = list(inputs),
        olist = list(outputs),
    )
}

/// Build (or reuse the cached build of) `verilog` with `harness` into an executable: the
/// receive top's build (`crate::verilator::build_cached`; the cache key holds the harness,
/// so a block's build never meets the top's).
fn build_exe(verilog: &str, harness: &str) -> Result<PathBuf, VerilatorError> {
    crate::verilator::build_cached(verilog, harness, &[])
}

/// One design of a group build: its exported Verilog and the ports its harness drives
/// and reads (as [`VerilatedBlock::build`] takes them).
#[derive(Clone, Copy, Debug)]
pub struct BlockSpec<'a> {
    pub verilog: &'a str,
    pub inputs: &'a [(&'a str, usize)],
    pub outputs: &'a [(&'a str, usize)],
}

/// Check the listed ports against `module top`'s header; returns every declared port.
fn check_ports(
    verilog: &str,
    inputs: &[(&str, usize)],
    outputs: &[(&str, usize)],
) -> Result<Vec<(String, bool, usize)>, VerilatorError> {
    let declared = top_ports(verilog);
    let bad = |what: String| VerilatorError::Build {
        dir: String::new(),
        log: format!("VerilatedBlock: {what}"),
    };
    let check = |name: &str, is_in: bool, width: usize| -> Result<(), VerilatorError> {
        match declared.iter().find(|(n, _, _)| n == name) {
            None => Err(bad(format!(
                "module top has no port `{name}` (ports: {})",
                declared
                    .iter()
                    .map(|(n, _, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            Some((_, i, _)) if *i != is_in => Err(bad(format!(
                "port `{name}` is an {}, listed as an {}",
                if *i { "input" } else { "output" },
                if is_in { "input" } else { "output" }
            ))),
            Some((_, _, w)) if *w != width => Err(bad(format!(
                "port `{name}` is {w} bits wide, listed as {width}"
            ))),
            Some(_) => Ok(()),
        }
    };
    check("clock", true, 1)?;
    for &(n, w) in inputs {
        if n == "clock" {
            return Err(bad(
                "`clock` is driven by the harness; do not list it".into()
            ));
        }
        check(n, true, w)?;
    }
    for &(n, w) in outputs {
        check(n, false, w)?;
    }
    Ok(declared)
}

/// Rename rust-hdl's module names in `verilog`: `module top(` and every `top$...` module
/// name (an identifier starting at `top$`, not inside another identifier) get `name`.
fn rename_top(verilog: &str, name: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(verilog.len() + 1024);
    let mut prev: Option<char> = None;
    let mut rest = verilog;
    while !rest.is_empty() {
        let at_start = !prev.map_or(false, ident);
        if at_start && (rest.starts_with("top$") || rest.starts_with("top(")) {
            out += name;
            rest = &rest[3..];
            prev = Some('p');
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The wrapper `top` of a group build: design k's ports as `d<k>_<port>`, its own clock.
fn wrapper(designs: &[Vec<(String, bool, usize)>]) -> String {
    let mut names = vec![];
    let mut decls = String::new();
    let mut insts = String::new();
    for (k, ports) in designs.iter().enumerate() {
        let mut conns = vec![];
        for (n, is_in, w) in ports {
            let wn = format!("d{k}_{n}");
            let range = if *w > 1 {
                format!("[{}:0] ", w - 1)
            } else {
                String::new()
            };
            decls += &format!(
                "    {} wire {range}{wn};\n",
                if *is_in { "input" } else { "output" }
            );
            conns.push(format!("        .{n}({wn})"));
            names.push(wn);
        }
        insts += &format!("    d{k} u{k}(\n{}\n    );\n", conns.join(",\n"));
    }
    format!(
        "\n// Generated by cporx-cosim (sim/cosim/src/verilator_block.rs): group wrapper\nmodule top({});\n{decls}{insts}endmodule\n",
        names.join(",")
    )
}

/// The C++ harness of a group build: design `argv[1]` is driven; its clock is `d<k>_clock`.
fn group_harness_cpp(designs: &[(Vec<Port>, Vec<Port>)]) -> String {
    let mut steps = String::new();
    let mut table = String::new();
    for (k, (ins, outs)) in designs.iter().enumerate() {
        let one = block_harness_cpp(ins, outs);
        // reuse the single-design step body: its apply/read lines and the clock name
        let body_start = one.find("        (void)in;\n").expect("harness layout");
        let body_end = one.find("    }\n};\n").expect("harness layout");
        let body = one[body_start..body_end].replace("top->clock", &format!("top->d{k}_clock"));
        steps += &format!(
            "static void step{k}(Vtop* top, const uint64_t* in, uint64_t* out) {{\n{body}}}\n"
        );
        let is: usize = ins.iter().map(|p| slots(p.width)).sum();
        let os: usize = outs.iter().map(|p| slots(p.width)).sum();
        table += &format!("    {{step{k}, {is}, {os}}},\n");
    }
    format!(
        r#"// Generated by cporx-cosim (sim/cosim/src/verilator_block.rs): group driver for Vtop ({n} designs).
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

static bool read_n(void* p, size_t n) {{ return fread(p, 1, n, stdin) == n; }}

{steps}
struct Design {{ void (*step)(Vtop*, const uint64_t*, uint64_t*); size_t in_slots, out_slots; }};
static const Design DESIGNS[] = {{
{table}}};

int main(int argc, char** argv) {{
    const size_t k = argc > 1 ? (size_t)atoi(argv[1]) : 0;
    if (k >= {n}) return 5;
    const Design& d = DESIGNS[k];
    std::vector<uint64_t> in;
    std::vector<uint64_t> out;
    for (;;) {{
        uint32_t n = 0;
        if (!read_n(&n, 4) || n == 0) return 0;
        in.resize((size_t)n * d.in_slots + 1);
        out.resize((size_t)n * d.out_slots + 1);
        if (d.in_slots > 0 && !read_n(in.data(), 8 * (size_t)n * d.in_slots)) return 2;
        {{
            std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
            std::unique_ptr<Vtop> top(new Vtop(ctx.get()));
            for (size_t c = 0; c < n; c++) d.step(top.get(), &in[c * d.in_slots], &out[c * d.out_slots]);
            top->final();
        }}
        if (d.out_slots > 0 &&
            fwrite(out.data(), 8, (size_t)n * d.out_slots, stdout) != (size_t)n * d.out_slots)
            return 3;
        fflush(stdout);
    }}
}}
"#,
        n = designs.len()
    )
}

/// A built Verilator simulator of one exported block, driven through named ports.
pub struct VerilatedBlock {
    exe: PathBuf,
    /// the design's index in a group build ([`VerilatedBlock::build_group`])
    design: usize,
    inputs: Vec<Port>,
    outputs: Vec<Port>,
    in_slots: usize,
    out_slots: usize,
    child: Option<Child>,
    /// cycles simulated by this instance (for reports)
    pub cycles: u64,
}

impl VerilatedBlock {
    /// Build (or reuse the cached build of) `verilog` (module `top`, with a `clock`
    /// input) with a harness driving `inputs` and reading `outputs`, given as (exported
    /// name, width in bits). Every port is checked against the module header.
    pub fn build(
        verilog: &str,
        inputs: &[(&str, usize)],
        outputs: &[(&str, usize)],
    ) -> Result<Self, VerilatorError> {
        let mut v = Self::build_group(&[BlockSpec {
            verilog,
            inputs,
            outputs,
        }])?;
        Ok(v.remove(0))
    }

    /// Several exported designs in one Verilator build: each design's modules are renamed
    /// (`top` -> `d<k>`, `top$...` -> `d<k>$...`) and instantiated in a generated wrapper
    /// `top` with its own clock, so one compile of the Verilator runtime serves them all
    /// (a build costs ~15 s of fixed overhead on two cores, most of a small block's
    /// build). Each returned simulator drives its own design in its own process; the
    /// others stay idle (their clocks do not move). A single design is built as is.
    pub fn build_group(designs: &[BlockSpec]) -> Result<Vec<Self>, VerilatorError> {
        let mut ports = vec![];
        for d in designs {
            ports.push(check_ports(d.verilog, d.inputs, d.outputs)?);
        }
        let port = |&(n, w): &(&str, usize)| Port {
            name: n.to_string(),
            width: w,
        };
        let lists: Vec<(Vec<Port>, Vec<Port>)> = designs
            .iter()
            .map(|d| {
                (
                    d.inputs.iter().map(port).collect(),
                    d.outputs.iter().map(port).collect(),
                )
            })
            .collect();
        let (verilog, harness) = if designs.len() == 1 {
            (
                designs[0].verilog.to_string(),
                block_harness_cpp(&lists[0].0, &lists[0].1),
            )
        } else {
            let prefixed = |k: usize, ps: &[Port]| -> Vec<Port> {
                ps.iter()
                    .map(|p| Port {
                        name: format!("d{k}_{}", p.name),
                        width: p.width,
                    })
                    .collect()
            };
            let mut text = String::new();
            for (k, d) in designs.iter().enumerate() {
                text += &rename_top(d.verilog, &format!("d{k}"));
            }
            text += &wrapper(&ports);
            let all: Vec<(Vec<Port>, Vec<Port>)> = lists
                .iter()
                .enumerate()
                .map(|(k, (i, o))| (prefixed(k, i), prefixed(k, o)))
                .collect();
            (text, group_harness_cpp(&all))
        };
        let exe = build_exe(&verilog, &harness)?;
        Ok(lists
            .into_iter()
            .enumerate()
            .map(|(k, (inputs, outputs))| VerilatedBlock {
                exe: exe.clone(),
                design: k,
                in_slots: inputs.iter().map(|p| slots(p.width)).sum(),
                out_slots: outputs.iter().map(|p| slots(p.width)).sum(),
                inputs,
                outputs,
                child: None,
                cycles: 0,
            })
            .collect())
    }

    pub fn inputs(&self) -> &[Port] {
        &self.inputs
    }

    pub fn outputs(&self) -> &[Port] {
        &self.outputs
    }

    /// Slots per cycle of the input and output vectors.
    pub fn in_slots(&self) -> usize {
        self.in_slots
    }
    pub fn out_slots(&self) -> usize {
        self.out_slots
    }

    fn child(&mut self) -> Result<&mut Child, VerilatorError> {
        if self.child.is_none() {
            let c = Command::new(&self.exe)
                .arg(self.design.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| io_at("run", &self.exe, e))?;
            self.child = Some(c);
        }
        Ok(self.child.as_mut().expect("spawned"))
    }

    /// Check that every value of one cycle fits its port.
    fn validate(&self, cycle: usize, v: &[u64]) -> Result<(), VerilatorError> {
        if v.len() != self.in_slots {
            return Err(VerilatorError::Stimulus(StimulusError {
                cycle,
                name: "(slot count)".into(),
                value: v.len() as i64,
                lo: self.in_slots as i64,
                hi: self.in_slots as i64,
            }));
        }
        let mut k = 0;
        for p in &self.inputs {
            for s in 0..slots(p.width) {
                let bits = (p.width - 64 * s).min(64);
                let max = if bits >= 64 {
                    u64::MAX
                } else {
                    (1u64 << bits) - 1
                };
                if v[k + s] > max {
                    return Err(VerilatorError::Stimulus(StimulusError {
                        cycle,
                        name: if slots(p.width) > 1 {
                            format!("{} (slot {s})", p.name)
                        } else {
                            p.name.clone()
                        },
                        value: v[k + s] as i64,
                        lo: 0,
                        hi: max as i64,
                    }));
                }
            }
            k += slots(p.width);
        }
        Ok(())
    }

    /// Run one block of cycles from power-up: `stim[c]` holds cycle c's input slots;
    /// returns every cycle's output slots.
    pub fn run(&mut self, stim: &[Vec<u64>]) -> Result<Vec<Vec<u64>>, VerilatorError> {
        let mut flat = Vec::with_capacity(stim.len() * self.in_slots);
        for (c, v) in stim.iter().enumerate() {
            self.validate(c, v)?;
            flat.extend_from_slice(v);
        }
        let out = self.run_flat(stim.len(), &flat)?;
        if self.out_slots == 0 {
            return Ok(vec![vec![]; stim.len()]);
        }
        Ok(out
            .chunks_exact(self.out_slots)
            .map(<[u64]>::to_vec)
            .collect())
    }

    /// The same on pre-flattened, unchecked slots (`n` cycles of `in_slots` each).
    pub fn run_flat(&mut self, n: usize, flat: &[u64]) -> Result<Vec<u64>, VerilatorError> {
        assert_eq!(flat.len(), n * self.in_slots, "slot count");
        if n == 0 {
            return Ok(vec![]);
        }
        let out_words = n * self.out_slots;
        let child = self.child()?;
        let mut buf = Vec::with_capacity(4 + 8 * flat.len());
        buf.extend_from_slice(&(n as u32).to_ne_bytes());
        for w in flat {
            buf.extend_from_slice(&w.to_ne_bytes());
        }
        {
            // The harness reads the whole block before it writes anything: no deadlock.
            let stdin = child.stdin.as_mut().expect("piped");
            stdin.write_all(&buf)?;
            stdin.flush()?;
        }
        let mut raw = vec![0u8; 8 * out_words];
        child.stdout.as_mut().expect("piped").read_exact(&mut raw)?;
        self.cycles += n as u64;
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_ne_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }
}

impl Drop for VerilatedBlock {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if let Some(mut s) = c.stdin.take() {
                let _ = s.write_all(&0u32.to_ne_bytes());
            }
            let _ = c.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_and_harness_handles_wide_ports() {
        let v = "module top(clock,a,b$0,w);\n\n    // Module arguments\n    input wire  clock;\n    input wire [4:0] a;\n    output reg [8:0] b$0;\n    input wire [99:0] w;\nendmodule\nmodule other(x);\n    input wire x;\nendmodule\n";
        assert_eq!(
            top_ports(v),
            vec![
                ("clock".to_string(), true, 1),
                ("a".to_string(), true, 5),
                ("b$0".to_string(), false, 9),
                ("w".to_string(), true, 100),
            ]
        );
        let p = |n: &str, w| Port {
            name: n.into(),
            width: w,
        };
        let h = block_harness_cpp(&[p("a", 5), p("w", 100)], &[p("b$0", 9), p("w2", 70)]);
        assert!(h.contains("top->a = in[0] & 0x1full;"), "{h}");
        assert!(
            h.contains("top->w[3] = (uint32_t)((in[2] >> 32) & 0xfull);"),
            "{h}"
        );
        assert!(
            h.contains("out[0] = (uint64_t)top->b__0240 & 0x1ffull;"),
            "{h}"
        );
        assert!(
            h.contains("out[2] |= ((uint64_t)top->w2[2] & 0x3full) << 0;"),
            "{h}"
        );
        assert_eq!((slots(1), slots(64), slots(65), slots(186)), (1, 1, 2, 3));
    }

    /// A real build: a 100-bit port through Verilator's `VlWide` words both ways (a
    /// rotation by 50 bits shows the word order), a narrow port, the reset, the
    /// power-up state of every run, and the range check of an input.
    #[test]
    fn wide_ports_round_trip_through_verilator() {
        crate::verilator::find_verilator()
            .expect("Verilator is required for this test (scripts/setup-tools.sh)");
        let v = "module top(clock,rst,a,w,q,wq);\n\n    input wire  clock;\n    input wire  rst;\n    input wire [4:0] a;\n    input wire [99:0] w;\n    output reg [4:0] q;\n    output reg [99:0] wq;\n    always @(posedge clock) begin\n        if (rst) begin\n            q <= 5'd0;\n            wq <= 100'd0;\n        end else begin\n            q <= a;\n            wq <= {w[49:0], w[99:50]};\n        end\n    end\nendmodule\n";
        let mut b = VerilatedBlock::build(
            v,
            &[("rst", 1), ("a", 5), ("w", 100)],
            &[("q", 5), ("wq", 100)],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((b.in_slots(), b.out_slots()), (4, 3));
        let w: u128 = 0xF_1234_5678_9ABC_DEF0_0FED_CBA9u128;
        let rot = ((w & ((1u128 << 50) - 1)) << 50) | (w >> 50);
        let lo = |x: u128| x as u64;
        let hi = |x: u128| (x >> 64) as u64;
        let stim = vec![
            vec![0, 7, lo(w), hi(w)],
            vec![1, 7, lo(w), hi(w)],
            vec![0, 31, lo(w), hi(w)],
        ];
        let out = b.run(&stim).unwrap();
        assert_eq!(out[0], vec![7, lo(rot), hi(rot)]);
        assert_eq!(out[1], vec![0, 0, 0]);
        assert_eq!(out[2], vec![31, lo(rot), hi(rot)]);
        // every run starts at power-up (all registers 0)
        assert_eq!(b.run(&stim[1..2]).unwrap(), vec![vec![0, 0, 0]]);
        // bits above a port's width are refused
        assert!(b.run(&[vec![0, 32, 0, 0]]).is_err());
        assert!(b.run(&[vec![0, 0, 0, 1 << 36]]).is_err());
        // a port the module does not have, or of another width
        assert!(VerilatedBlock::build(v, &[("b", 1)], &[]).is_err());
        assert!(VerilatedBlock::build(v, &[("a", 6)], &[]).is_err());
        assert!(VerilatedBlock::build(v, &[], &[("a", 5)]).is_err());
    }

    /// A group build: two designs (the second a renamed copy with other widths) in one
    /// executable, each driven alone, with the same results as single builds.
    #[test]
    fn group_build_drives_each_design_alone() {
        crate::verilator::find_verilator()
            .expect("Verilator is required for this test (scripts/setup-tools.sh)");
        let a = "module top(clock,rst,a,q);\n\n    input wire  clock;\n    input wire  rst;\n    input wire [4:0] a;\n    output wire [4:0] q;\n    top$r r(.clock(clock), .d(a), .rst(rst), .q(q));\nendmodule\nmodule top$r(clock,d,rst,q);\n    input wire  clock;\n    input wire [4:0] d;\n    input wire  rst;\n    output reg [4:0] q;\n    always @(posedge clock) q <= rst ? 5'd0 : d + 5'd1;\nendmodule\n";
        let b = a.replace("[4:0]", "[6:0]").replace("5'd", "7'd");
        let mut g = VerilatedBlock::build_group(&[
            BlockSpec {
                verilog: a,
                inputs: &[("rst", 1), ("a", 5)],
                outputs: &[("q", 5)],
            },
            BlockSpec {
                verilog: &b,
                inputs: &[("rst", 1), ("a", 7)],
                outputs: &[("q", 7)],
            },
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let stim = |top: u64| vec![vec![0, 3], vec![1, 3], vec![0, top]];
        assert_eq!(
            g[0].run(&stim(31)).unwrap(),
            vec![vec![4], vec![0], vec![0]]
        );
        assert_eq!(
            g[1].run(&stim(127)).unwrap(),
            vec![vec![4], vec![0], vec![0]]
        );
        assert_eq!(g[1].run(&stim(100)).unwrap()[2], vec![101]);
        assert!(g[0].run(&[vec![0, 32]]).is_err());
        assert_eq!(rename_top(a, "d7").matches("d7$r").count(), 2);
        assert!(rename_top(a, "d7").contains("module d7(clock"));
    }
}
