//! Proven equivalence of the synthesized netlists with the exported RTL (issue 15, item 3):
//! Yosys's generic `synth` netlist and the ECP5-mapped `synth_ecp5` netlist, exactly the
//! ones [`crate::flow::generic_netlist`] / [`crate::flow::ecp5_netlist`] build (those
//! functions are called here), are proven to behave like the rust-hdl Verilog they come
//! from, cycle for cycle from power-up, for every input sequence.
//!
//! **Method** (one Yosys script, `equiv.ys`, and its log `equiv.log` in the work folder):
//! * gold = the RTL (`gold.v`), gate = the netlist (`gate.v`, as synthesized; read as
//!   `gate_x.v`, the same text with its `x` constants made undriven bits, see
//!   [`x_to_undriven`]; for ECP5 read together with Yosys's own ECP5 simulation models,
//!   [`crate::tools::ecp5_cell_models`], written as `cells.v`, so LUT4 / TRELLIS_FF / CCU2C
//!   / PFUMX / L6MUX21 are flattened into logic with their INIT / REGSET parameters); both
//!   `proc; flatten -noscopeinfo; opt_clean`.
//! * `equiv_make gold gate equiv` pairs the signals of equal name (ports, registers, named
//!   nets) with `$equiv` cells, one per matched bit ([`EquivReport::cells`]); bits the
//!   gate leaves undriven (logic synthesis trimmed as unused) are skipped
//!   ([`EquivReport::undef_in_gate`]).
//! * Power-up: on a copy, `zinit` (init values become inverters around zero-initialized
//!   flip-flops, since `equiv_miter` does not copy init attributes), `equiv_make`,
//!   `equiv_miter -trigger -cmp`, then `sat -seq` [`POWERUP_STEPS`] `-set-init-zero -prove
//!   trigger 0`: every matched signal is equal in the first cycles from power-up, for all
//!   inputs. A failure names the signals that differ in its first failing cycle
//!   ([`EquivReport::powerup`]). This is the base case that `equiv_induct` needs ("the
//!   circuits do not diverge once they agree for N cycles"); the induction alone does not
//!   look at init values (the wrong-init mutant of synth/tests/equiv.rs passes it).
//! * Generic netlists: `equiv_simple -seq` [`SIMPLE_SEQ`] proves each `$equiv` cell from
//!   its input cone (N cycles back, cut at the other `$equiv` cells), `equiv_induct -seq`
//!   [`INDUCT_SEQ`] the rest by temporal induction over all of them together.
//! * ECP5 netlists: `equiv_induct -seq` [`INDUCT_SEQ`] `-undef` alone, over all cells at
//!   once with x bits modelled as undefined (see "ECP5" below).
//! * `equiv_status` (without `-assert`, so that the unproven cells can be reported) is
//!   parsed: the count and the name of every unproven cell ([`EquivReport::unproven`]).
//!
//! A design is proven iff `$equiv` cells were made, all are proven and the power-up check
//! holds ([`EquivReport::is_proven`]); [`prove_equiv`] returns [`SynthError::Equiv`]
//! otherwise, naming the design, the unproven cells and the log.
//!
//! **Pool** ([`equiv_pool`]): the default receive top (1 lane, 3 FFE taps), the receive
//! top at 2 lanes x 5 taps, the BIST top (hdl/src/bist/top.rs, 1 lane, default BIST
//! parameters otherwise), each with both netlist kinds. A 4-lane receive top did not
//! close in 30 min in an earlier attempt (`equiv_induct`), so it is not in the pool.
//!
//! **Depths**: `equiv_induct -seq 2` and `-seq 3` leave the FFE's partial-product
//! registers of the default receive top unproven (60 and 30 cells: they follow the
//! coefficient registers through relations the induction needs 4 cycles to see); `-seq 4`
//! proves them, hence [`INDUCT_SEQ`] = [`POWERUP_STEPS`] = 4.
//!
//! **ECP5.** Two things kept the ECP5 netlists from being proven until issue 15's last
//! stop, both fixed:
//! * the netlist was written after `opt_clean -purge`, which drops the flip-flops'
//!   register names (`cdr.inc_r.q` became `$auto$...`), so `equiv_make` could not pair
//!   them; [`crate::flow::ecp5_netlist`] now writes the flow's own `synth_ecp5` result
//!   ([`crate::flow::ecp5_synth`], the command [`crate::flow::run_flow`] hands to nextpnr)
//!   without `-purge`, so the netlist proven is the one placed;
//! * with names paired, the BIST top still left 3 cells (`chk.synced_r`, `synced`)
//!   unproven by `equiv_simple` + `equiv_induct`: the PRBS checker's `fill_n ==
//!   fill_max` is mapped onto the fill counter's next-state LUT and a carry chain, and the
//!   proof without `-undef` reads the RTL's x bits (its part-select `fsum[idx +: 3]`) as
//!   values, not as undefined. The checker alone reproduces it in seconds; the next-state
//!   function of the mapped cells is right for every `fill` value (checked with `sat`).
//!   `equiv_simple -undef` proves it but costs 10x (2515 s on the BIST top);
//!   `equiv_induct -undef` alone proves both tops in about the time of the old method.
//!
//! **Measured** (2-core machine shared with other jobs at load 3 to 6, so the times are
//! upper bounds; YoWASP Yosys 0.70; wall-clock seconds; `cells` = `$equiv` cells; every
//! power-up check below holds):
//!
//! | design | kind | cells | proven | unproven | synthesis s | proof s |
//! |---|---|---|---|---|---|---|
//! | rx-top (1 lane, 3 taps) | generic | 1056 | 1056 | 0 | 31 | 242 |
//! | rx-top | ecp5 | 2045 | 2045 | 0 | 12 | 433 |
//! | bist-top (1 lane) | generic | 1652 | 1652 | 0 | 54 | 259 |
//! | bist-top | ecp5 | 1812 | 1812 | 0 | 20 | 689 |
//! | rx-top-2x5 (2 lanes, 5 taps) | generic | 1715 | 1715 | 0 | 33 | 574 |
//!
//! The ECP5 pool tests are `#[ignore]`d for time (about 7 and 11 min; `scripts/test.sh
//! --full` runs them); `cporx prove --block equiv` runs the whole pool and writes the
//! README's table.

use crate::tools::{ecp5_cell_models, run_tool, Tool};
use crate::SynthError;
use cporx_spec::bist::BistParams;
use cporx_spec::RxParams;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Cycles from power-up over which the power-up check (bounded, from the init values)
/// proves every matched signal equal: the base case of `equiv_induct -seq` [`INDUCT_SEQ`].
pub const POWERUP_STEPS: usize = 4;
/// `equiv_simple -seq`: cycles of input cone per `$equiv` cell.
pub const SIMPLE_SEQ: usize = 5;
/// `equiv_induct -seq`: induction depth (the proof assumes the `$equiv` cells hold for
/// `INDUCT_SEQ - 1` cycles and shows the next; [`POWERUP_STEPS`] >= this covers the base).
pub const INDUCT_SEQ: usize = 4;

/// Which synthesized netlist is proven against the RTL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum NetlistKind {
    /// Yosys `synth -flatten` (simple gates and flip-flops): [`crate::flow::generic_netlist`]
    Generic,
    /// Yosys `synth_ecp5` (LUT4, TRELLIS_FF, CCU2C, ...): [`crate::flow::ecp5_netlist`]
    Ecp5,
}

impl NetlistKind {
    pub const ALL: [NetlistKind; 2] = [NetlistKind::Generic, NetlistKind::Ecp5];

    /// `generic` or `ecp5` (tables, folder names).
    pub fn name(self) -> &'static str {
        match self {
            NetlistKind::Generic => "generic",
            NetlistKind::Ecp5 => "ecp5",
        }
    }
}

impl std::fmt::Display for NetlistKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The outcome of one equivalence proof.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EquivReport {
    /// What was proven ("rx-top", or the top module and work folder when unnamed).
    pub design: String,
    /// The top module.
    pub top: String,
    pub kind: NetlistKind,
    /// `$equiv` cells made by `equiv_make` (matched signal bits).
    pub cells: usize,
    /// Of those, proven by `equiv_simple` / `equiv_induct`.
    pub proven: usize,
    /// The unproven `$equiv` cells, by signal name (`rx.ffe.acc [3]`).
    pub unproven: Vec<String>,
    /// Signals that differ within [`POWERUP_STEPS`] cycles of power-up (the init values),
    /// with the cycle: `q [2:0] (cycle 1)`; empty when the power-up check holds.
    pub powerup: Vec<String>,
    /// The power-up check's SAT result was found in the log (false: it did not run).
    pub powerup_checked: bool,
    /// Bits of named gate wires that synthesis left undefined: driven by nothing or by an
    /// `x` constant (what is left of logic it trimmed as unused, e.g. the high bits of
    /// `cdr.fr_min`, the low bits of the FFE accumulator in the ECP5 netlist, which only
    /// its upper bits leave). `equiv_make` skips undriven bits; the `x` constants of the
    /// netlist's `assign`s are made undriven for that (`gate_x.v`, [`x_to_undriven`]). The
    /// larger of the two counts.
    pub undef_in_gate: usize,
    /// Registers (flip-flop output wires, gold plus gate) without a power-up value; the
    /// power-up check takes them as 0 (rust-hdl gives every register one: expected 0).
    pub uninit_regs: usize,
    /// Synthesis seconds (wall clock; 0 when the netlist was given).
    pub synth_seconds: f64,
    /// Proof seconds (wall clock, the Yosys run of `equiv.ys`).
    pub seconds: f64,
    /// The work folder (`gold.v`, `gate.v`, `equiv.ys`, `equiv.log`, `status.txt`,
    /// `powerup.txt`).
    pub work: PathBuf,
}

impl EquivReport {
    /// Cells were made, all are proven, power-up equal.
    pub fn is_proven(&self) -> bool {
        self.cells > 0
            && self.proven == self.cells
            && self.unproven.is_empty()
            && self.powerup_checked
            && self.powerup.is_empty()
    }

    /// The log of the proof.
    pub fn log(&self) -> PathBuf {
        self.work.join("equiv.log")
    }

    /// Ok(self) if proven, else [`SynthError::Equiv`] carrying the report.
    pub fn check(self) -> Result<EquivReport, SynthError> {
        if self.is_proven() {
            Ok(self)
        } else {
            Err(SynthError::Equiv(Box::new(self)))
        }
    }

    /// One line: `rx-top generic: 1056 $equiv cells, 1056 proven, power-up equal (13.0 s)`.
    pub fn summary(&self) -> String {
        format!(
            "{} {}: {} $equiv cells, {} proven, {} unproven, power-up {} ({:.1} s synthesis, {:.1} s proof)",
            self.design,
            self.kind,
            self.cells,
            self.proven,
            self.unproven.len(),
            if !self.powerup_checked {
                "not checked"
            } else if self.powerup.is_empty() {
                "equal"
            } else {
                "DIFFERS"
            },
            self.synth_seconds,
            self.seconds
        )
    }

    /// The error text: the design, what failed by name, the log.
    pub fn failure_message(&self) -> String {
        let mut s = format!(
            "{} netlist of {} (module `{}`) not proven equivalent to its RTL: ",
            self.kind, self.design, self.top
        );
        let mut parts = vec![];
        if self.cells == 0 {
            parts.push("equiv_make matched no signals".to_string());
        }
        if !self.unproven.is_empty() {
            parts.push(format!(
                "{} of {} $equiv cells unproven: {}",
                self.unproven.len(),
                self.cells,
                list(&self.unproven)
            ));
        } else if self.proven != self.cells {
            parts.push(format!(
                "{} of {} $equiv cells proven",
                self.proven, self.cells
            ));
        }
        if !self.powerup_checked {
            parts.push("the power-up check did not report".into());
        } else if !self.powerup.is_empty() {
            parts.push(format!(
                "power-up differs (init values): {}",
                list(&self.powerup)
            ));
        }
        s += &parts.join("; ");
        s += &format!("; log {}", self.log().display());
        s
    }
}

/// At most 20 names, then how many more.
fn list(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(20)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 20 {
        s += &format!(" and {} more", names.len() - 20);
    }
    s
}

/// One design of the pool: its name, RTL (all modules in one text) and top module.
#[derive(Clone, Debug)]
pub struct EquivDesign {
    /// `rx-top`, `rx-top-2x5`, `bist-top`
    pub name: String,
    /// What it is, for tables ("receive top, 1 lane, 3 FFE taps").
    pub description: String,
    pub rtl: String,
    pub top: String,
}

impl EquivDesign {
    /// Synthesize and prove one kind in `work` (see [`prove_equiv`]); the report and the
    /// error carry the design's name.
    pub fn prove(&self, kind: NetlistKind, work: &Path) -> Result<EquivReport, SynthError> {
        prove_named(&self.name, &self.rtl, &self.top, kind, work)?.check()
    }
}

/// The designs `cporx prove` proves (both [`NetlistKind`]s each): the default receive top,
/// the receive top at 2 lanes x 5 FFE taps, the BIST top at 1 lane (default BIST
/// parameters otherwise). A 4-lane receive top is left out: it did not close in 30 min.
pub fn equiv_pool() -> Result<Vec<EquivDesign>, SynthError> {
    let bad = |what: &str, e: cporx_spec::ParamError| SynthError::BadValue {
        flag: "equiv pool",
        value: what.to_string(),
        legal: e.to_string(),
    };
    let rx = RxParams::default();
    let rx25 = RxParams::with_taps(5, 1)
        .and_then(|p| p.with_lanes(2))
        .map_err(|e| bad("rx-top-2x5", e))?;
    let b = BistParams {
        lanes: rx.lanes,
        ..Default::default()
    };
    Ok(vec![
        EquivDesign {
            name: "rx-top".into(),
            description: format!(
                "receive top, {} lane, {} FFE taps (RxParams::default())",
                rx.lanes, rx.n_taps
            ),
            rtl: cporx_hdl::export::rx_top_verilog(&rx).map_err(|e| bad("rx-top", e))?,
            top: "top".into(),
        },
        EquivDesign {
            name: "rx-top-2x5".into(),
            description: format!(
                "receive top, {} lanes, {} FFE taps",
                rx25.lanes, rx25.n_taps
            ),
            rtl: cporx_hdl::export::rx_top_verilog(&rx25).map_err(|e| bad("rx-top-2x5", e))?,
            top: "top".into(),
        },
        EquivDesign {
            name: "bist-top".into(),
            description: format!(
                "BIST top, {} lane, {} FFE taps, channel taps {:?}",
                b.lanes, rx.n_taps, b.taps
            ),
            rtl: cporx_hdl::bist::bist_top_verilog(&rx, &b).map_err(|e| bad("bist-top", e))?,
            top: "top".into(),
        },
    ])
}

/// Synthesize `rtl` (module `top`) to the `kind` netlist with the flow's own script and
/// prove it equivalent to the RTL in `work` (created). Err([`SynthError::Equiv`]) when not
/// proven (naming the unproven cells and the log); tool failures are errors as usual.
pub fn prove_equiv(
    rtl: &str,
    top: &str,
    kind: NetlistKind,
    work: &Path,
) -> Result<EquivReport, SynthError> {
    let design = format!("`{top}` ({})", work.display());
    prove_named(&design, rtl, top, kind, work)?.check()
}

/// [`prove_equiv`] with a design name, returning the report whether proven or not.
pub fn prove_named(
    design: &str,
    rtl: &str,
    top: &str,
    kind: NetlistKind,
    work: &Path,
) -> Result<EquivReport, SynthError> {
    let t0 = Instant::now();
    let gate = synthesize_gate(rtl, top, kind)?;
    let synth_seconds = t0.elapsed().as_secs_f64();
    let mut r = prove_netlist(rtl, &gate, top, kind, work)?;
    r.design = design.to_string();
    r.synth_seconds = synth_seconds;
    Ok(r)
}

/// The `kind` netlist of `rtl`, by the flow's own functions
/// ([`crate::flow::generic_netlist`], [`crate::flow::ecp5_netlist`]), so that the netlist
/// proven is the one the flow builds.
pub fn synthesize_gate(rtl: &str, top: &str, kind: NetlistKind) -> Result<String, SynthError> {
    match kind {
        NetlistKind::Generic => crate::flow::generic_netlist(rtl, top),
        NetlistKind::Ecp5 => crate::flow::ecp5_netlist(rtl, top),
    }
}

/// Prove the netlist `gate` (a `kind` netlist, module `top`) equivalent to `rtl` in `work`
/// (created; the files are left there). Returns the report, proven or not; an error only
/// when Yosys fails or its output cannot be read.
pub fn prove_netlist(
    rtl: &str,
    gate: &str,
    top: &str,
    kind: NetlistKind,
    work: &Path,
) -> Result<EquivReport, SynthError> {
    if top.is_empty() || !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SynthError::BadValue {
            flag: "top module",
            value: top.to_string(),
            legal: "a plain Verilog identifier (letters, digits, _)".into(),
        });
    }
    std::fs::create_dir_all(work).map_err(|e| SynthError::io(work, e))?;
    let work = std::path::absolute(work).map_err(|e| SynthError::io(work, e))?;
    let write = |name: &str, text: &str| {
        let p = work.join(name);
        std::fs::write(&p, text).map_err(|e| SynthError::io(&p, e))
    };
    write("gold.v", rtl)?;
    write("gate.v", gate)?;
    let (gate_x, x_bits) = x_to_undriven(gate);
    write("gate_x.v", &gate_x)?;
    let cells = match kind {
        NetlistKind::Generic => None,
        NetlistKind::Ecp5 => {
            write("cells.v", &ecp5_cell_models()?)?;
            Some("cells.v")
        }
    };
    // stale outputs must not be read as this run's
    for f in ["status.txt", "powerup.txt", "uninit.txt", "make.txt"] {
        let _ = std::fs::remove_file(work.join(f));
    }
    write("equiv.ys", &script(top, cells))?;
    let log = work.join("equiv.log");
    let run = run_tool(
        Tool::Yosys,
        &["-s".to_string(), "equiv.ys".to_string()],
        &work,
        &log,
    )?;
    let read = |name: &str| {
        let p = work.join(name);
        std::fs::read_to_string(&p).map_err(|e| SynthError::io(&p, e))
    };
    let status = parse_status(&read("status.txt")?).map_err(|e| {
        SynthError::Report(format!(
            "{}: {e} (log {})",
            work.join("status.txt").display(),
            log.display()
        ))
    })?;
    let pu = parse_powerup(&read("powerup.txt")?);
    let undriven = read("make.txt")?
        .lines()
        .filter(|l| l.contains("Skipping signal bit") && l.contains("undriven on gate side"))
        .count();
    let undef_in_gate = undriven.max(x_bits);
    let uninit_regs = parse_counts(&read("uninit.txt")?).iter().sum();
    Ok(EquivReport {
        design: top.to_string(),
        top: top.to_string(),
        kind,
        cells: status.cells,
        proven: status.proven,
        unproven: status.unproven,
        powerup: pu.clone().unwrap_or_default(),
        powerup_checked: pu.is_some(),
        undef_in_gate,
        uninit_regs,
        synth_seconds: 0.0,
        seconds: run.seconds,
        work,
    })
}

/// The Yosys script (run in the work folder; relative paths, since the YoWASP build does
/// not see the real /tmp).
fn script(top: &str, cells: Option<&str>) -> String {
    let prep = "proc; flatten -noscopeinfo; opt_clean";
    // generic: equiv_simple, then equiv_induct on the rest; ECP5: equiv_induct alone with
    // x bits modelled as undefined (see the module doc, "ECP5")
    let prove = if cells.is_some() {
        format!("equiv_induct -seq {INDUCT_SEQ} -undef\n")
    } else {
        format!("equiv_simple -seq {SIMPLE_SEQ}\nequiv_induct -seq {INDUCT_SEQ}\n")
    };
    let gate_read = match cells {
        // the models file inlines cells_ff.vh / cells_io.vh twice (as cells_sim.v does):
        // -overwrite takes the later, identical definition
        Some(c) => format!("read_verilog gate_x.v\nread_verilog -overwrite {c}\n"),
        None => "read_verilog gate_x.v\n".to_string(),
    };
    format!(
        "# The netlist gate.v proven equivalent to the RTL gold.v (cporx_synth::equiv).\n\
         read_verilog gold.v\n\
         hierarchy -check -top {top}\n\
         {prep}\n\
         rename {top} gold\n\
         design -stash gold\n\
         {gate_read}\
         hierarchy -check -top {top}\n\
         {prep}\n\
         rename {top} gate\n\
         # registers without a power-up value (gold and gate; the power-up check takes them 0)\n\
         tee -o uninit.txt select -count t:$*dff* %co:+[Q] t:$*dff* %d a:init %d\n\
         design -stash gate\n\
         design -copy-from gold -as gold gold\n\
         tee -a uninit.txt select -count t:$*dff* %co:+[Q] t:$*dff* %d a:init %d\n\
         # power-up: every matched signal equal for {POWERUP_STEPS} cycles from the init values\n\
         # (zinit turns init values into inverters around zero-initialized flip-flops, since\n\
         # equiv_miter does not copy init attributes)\n\
         design -copy-from gate -as gate gate\n\
         zinit\n\
         equiv_make gold gate powerup\n\
         hierarchy -top powerup\n\
         equiv_miter -trigger -cmp pumiter powerup\n\
         hierarchy -top pumiter\n\
         tee -o powerup.txt sat -seq {POWERUP_STEPS} -set-init-zero -prove trigger 0 -show-outputs pumiter\n\
         design -reset\n\
         # the proof for all time\n\
         design -copy-from gold -as gold gold\n\
         design -copy-from gate -as gate gate\n\
         tee -o make.txt equiv_make gold gate equiv\n\
         hierarchy -top equiv\n\
         {prove}\
         tee -o status.txt equiv_status\n"
    )
}

/// The netlist with every `x` bit of a constant in an `assign` replaced by a bit of a fresh
/// undriven wire (`cporx_undef_N`), and the number of bits replaced. Yosys writes the
/// bits of a named wire that synthesis left without logic (nothing reads them) as
/// `assign {..., w [4:0]} = {..., 5'hxx};`; read back, they are driven by the constant `x`,
/// which `equiv_make` would pair with the RTL's real bits (and SAT read as 0). Undriven,
/// they are skipped like the bits synthesis left unconnected. Nothing else changes.
pub fn x_to_undriven(netlist: &str) -> (String, usize) {
    let mut out = String::with_capacity(netlist.len() + 256);
    let mut decls = String::new();
    let (mut n, mut bits) = (0usize, 0usize);
    for line in netlist.split_inclusive('\n') {
        if !line.trim_start().starts_with("assign ") || !line.contains('\'') {
            out += line;
            continue;
        }
        let mut rest = line;
        let mut new = String::new();
        while let Some(q) = rest.find('\'') {
            // the width digits just before the quote
            let head = &rest[..q];
            let wstart = head
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            let tail = &rest[q + 1..];
            let base = tail.chars().next();
            let dlen = tail[1.min(tail.len())..]
                .find(|c: char| !(c.is_ascii_hexdigit() || "xXzZ_".contains(c)))
                .unwrap_or(tail.len().saturating_sub(1));
            let (Ok(width), Some(b @ ('b' | 'h'))) = (head[wstart..].parse::<usize>(), base) else {
                new += &rest[..q + 1];
                rest = tail;
                continue;
            };
            let digits = &tail[1..1 + dlen];
            if !digits.contains(['x', 'X']) {
                new += &rest[..q + 2 + dlen];
                rest = &tail[1 + dlen..];
                continue;
            }
            // bits, most significant first, extended to `width` (x extends with x)
            let mut v: Vec<char> = vec![];
            for c in digits.chars().filter(|c| *c != '_') {
                match (b, c.to_ascii_lowercase()) {
                    ('b', c) => v.push(c),
                    (_, 'x') => v.extend(['x'; 4]),
                    (_, 'z') => v.extend(['z'; 4]),
                    (_, c) => {
                        let d = c.to_digit(16).unwrap_or(0);
                        v.extend(
                            (0..4)
                                .rev()
                                .map(|k| if d >> k & 1 == 1 { '1' } else { '0' }),
                        );
                    }
                }
            }
            let fill = if v.first() == Some(&'x') { 'x' } else { '0' };
            while v.len() < width {
                v.insert(0, fill);
            }
            let v = &v[v.len() - width..];
            let name = format!("cporx_undef_{n}");
            n += 1;
            let nx = v.iter().filter(|c| **c == 'x').count();
            decls += &format!("  wire [{}:0] {name};\n", nx - 1);
            // runs of x bits become slices of the undriven wire, others binary constants
            let mut parts: Vec<String> = vec![];
            let (mut i, mut k) = (0, nx);
            while i < v.len() {
                let x = v[i] == 'x';
                let j = (i..v.len())
                    .find(|&j| (v[j] == 'x') != x)
                    .unwrap_or(v.len());
                if x {
                    parts.push(format!("{name}[{}:{}]", k - 1, k - (j - i)));
                    k -= j - i;
                } else {
                    parts.push(format!("{}'b{}", j - i, v[i..j].iter().collect::<String>()));
                }
                i = j;
            }
            bits += nx;
            new += &head[..wstart];
            new += &format!("{{{}}}", parts.join(", "));
            rest = &tail[1 + dlen..];
        }
        new += rest;
        out += &new;
    }
    if n > 0 {
        // the declarations go after the first module header (the netlist has one module)
        if let Some(i) = out.find(");\n") {
            out.insert_str(i + 3, &decls);
        }
    }
    (out, bits)
}

/// `equiv_status`'s counts and unproven cells.
#[derive(Debug, PartialEq)]
struct Status {
    cells: usize,
    proven: usize,
    unproven: Vec<String>,
}

/// Parse `equiv_status` output: `Found N $equiv cells in equiv:`, `Of those cells P are
/// proven and U are unproven.`, `Unproven $equiv Y: A B` (Y names the signal).
fn parse_status(text: &str) -> Result<Status, String> {
    if text.contains("No $equiv cells found") {
        return Ok(Status {
            cells: 0,
            proven: 0,
            unproven: vec![],
        });
    }
    let num_after = |key: &str| -> Option<usize> {
        let i = text.find(key)? + key.len();
        text[i..].split_whitespace().next()?.parse().ok()
    };
    let cells = num_after("Found ").ok_or("no `Found N $equiv cells` line")?;
    let proven = num_after("Of those cells ").ok_or("no `Of those cells P are proven` line")?;
    let unproven: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Unproven $equiv "))
        .map(|rest| {
            // `CELL: A B` with A the gold signal (`\\name_gold [3]`), B the gate's
            let a = match rest.find(": ") {
                Some(i) => &rest[i + 2..],
                None => rest,
            };
            let a = a
                .split(" \\")
                .next()
                .unwrap_or(a)
                .trim()
                .trim_start_matches('\\');
            match a.split_once(' ') {
                Some((base, bit)) => {
                    format!("{} {bit}", base.strip_suffix("_gold").unwrap_or(base))
                }
                None => a.strip_suffix("_gold").unwrap_or(a).to_string(),
            }
        })
        .collect();
    if proven + unproven.len() != cells {
        return Err(format!(
            "{cells} cells, {proven} proven, but {} unproven listed",
            unproven.len()
        ));
    }
    Ok(Status {
        cells,
        proven,
        unproven,
    })
}

/// The power-up check's result: None if sat did not report; Some(empty) if it holds; else
/// the signals that differ in the counterexample's first failing cycle (`cmp_<name>[bit]`
/// outputs of the miter are 0 where gold and gate differ), as `name [bit] (cycle t)`.
fn parse_powerup(text: &str) -> Option<Vec<String>> {
    if text.contains("SAT proof finished - no model found: SUCCESS!") {
        return Some(vec![]);
    }
    if !text.contains("SAT proof finished - model found: FAIL!") {
        return None;
    }
    let mut diffs: Vec<(usize, String)> = vec![];
    for line in text.lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        // `  1 \cmp_name[3]   dec hex bin`
        if t.len() != 5 {
            continue;
        }
        let (Ok(cycle), Some(name)) = (t[0].parse::<usize>(), t[1].strip_prefix("\\cmp_")) else {
            continue;
        };
        if t[4] != "0" {
            continue;
        }
        let name = match name.strip_suffix(']').and_then(|n| n.rsplit_once('[')) {
            Some((base, bit)) => format!("{base} [{bit}]"),
            None => name.to_string(),
        };
        diffs.push((cycle, name));
    }
    let first = diffs.iter().map(|d| d.0).min();
    let mut out: Vec<String> = diffs
        .iter()
        .filter(|d| Some(d.0) == first)
        .map(|(c, n)| format!("{n} (cycle {c})"))
        .collect();
    if out.is_empty() {
        out.push("(a matched signal; the counterexample is in powerup.txt)".into());
    }
    Some(out)
}

/// Every `select -count`'s `N objects.`
fn parse_counts(text: &str) -> Vec<usize> {
    text.lines()
        .filter_map(|l| l.trim().strip_suffix(" objects."))
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_parsed_with_the_unproven_names() {
        let ok = "Found 21 $equiv cells in equiv:\n  Of those cells 21 are proven and 0 are unproven.\n  Equivalence successfully proven!\n";
        assert_eq!(
            parse_status(ok).unwrap(),
            Status {
                cells: 21,
                proven: 21,
                unproven: vec![]
            }
        );
        // the real lines (Yosys 0.70): `Unproven $equiv CELL: GOLD GATE`
        let bad = "Found 3 $equiv cells in equiv:\n  Of those cells 1 are proven and 2 are unproven.\n  Unproven $equiv $auto$equiv_make.cc:295:find_same_wires$10623: \\ffe.lane$0.group$0.mul$1.pp0_r.q_gold [9] \\ffe.lane$0.group$0.mul$1.pp0_r.q_gate [9]\n  Unproven $equiv $auto$equiv_make.cc:258:find_same_wires$7: \\lock_gold \\lock_gate\n";
        assert_eq!(
            parse_status(bad).unwrap().unproven,
            vec![
                "ffe.lane$0.group$0.mul$1.pp0_r.q [9]".to_string(),
                "lock".to_string()
            ]
        );
        let short = "Found 3 $equiv cells in equiv:\n  Of those cells 1 are proven and 2 are unproven.\n  Unproven $equiv $auto$x$1: \\q_gold [1] \\q_gate [1]\n";
        assert!(parse_status(short).is_err(), "counts that do not add up");
        assert_eq!(
            parse_status("No $equiv cells found in equiv.\n")
                .unwrap()
                .cells,
            0
        );
        assert!(parse_status("").is_err());
    }

    #[test]
    fn x_constants_become_undriven_bits() {
        let net = "module top(a, y);\n  input a;\n  output [3:0] y;\n  wire [9:0] w;\n  assign y = 4'h0;\n  assign { w [9:7], w [5:0] } = { a, 8'b0xx1xxxx };\n  assign w [6] = a;\nendmodule\n";
        let (t, n) = x_to_undriven(net);
        assert_eq!(n, 6);
        assert!(
            t.contains("module top(a, y);\n  wire [5:0] cporx_undef_0;\n"),
            "{t}"
        );
        assert!(
            t.contains("assign { w [9:7], w [5:0] } = { a, {1'b0, cporx_undef_0[5:4], 1'b1, cporx_undef_0[3:0]} };"),
            "{t}"
        );
        assert!(t.contains("assign y = 4'h0;"));
        let (t, n) = x_to_undriven("module m();\n  assign q = 8'hx1;\n");
        assert_eq!(n, 4);
        assert!(
            t.contains("assign q = {cporx_undef_0[3:0], 4'b0001};"),
            "{t}"
        );
        assert_eq!(
            x_to_undriven(net.replace("xx1xxxx", "0010000").as_str()).1,
            0
        );
    }

    #[test]
    fn powerup_counterexample_names_the_signal() {
        let t = "SAT proof finished - model found: FAIL!\n\
          Time Signal Name                  Dec       Hex           Bin\n\
          ---- -------------------- ----------- --------- -------------\n\
             1 \\cmp_cdr.a1_r.q[0]            1         1             1\n\
             1 \\cmp_cdr.flim_r.q[0]          0         0             0\n\
             1 \\cmp_lock                     0         0             0\n\
             1 \\trigger                      1         1             1\n\
             2 \\cmp_cdr.a1_r.q[0]            0         0             0\n";
        assert_eq!(
            parse_powerup(t).unwrap(),
            vec![
                "cdr.flim_r.q [0] (cycle 1)".to_string(),
                "lock (cycle 1)".to_string()
            ]
        );
        assert_eq!(
            parse_powerup("SAT proof finished - no model found: SUCCESS!"),
            Some(vec![])
        );
        assert_eq!(parse_powerup("ERROR"), None);
        assert_eq!(parse_counts("12 objects.\nx\n0 objects.\n"), vec![12, 0]);
    }
}
