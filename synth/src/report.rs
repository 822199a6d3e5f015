//! The build report: nextpnr-ecp5's `--report` JSON parsed into utilization, Fmax per
//! clock and critical-path summaries, plus the flow's own facts (board, target, tool
//! times, output files). Written as `report.json` (serde) and `report.md` (a table).
//!
//! nextpnr's report (0.11) is `{"utilization": {CELL: {"used", "available"}},
//! "fmax": {CLOCK_NET: {"achieved", "constraint"}}, "critical_paths": [{"from", "to",
//! "path": [{"type", "delay", "from": {"cell", "port", "loc"}, "to": {..}, "net"?}]}]}`
//! with delays in ns and frequencies in MHz. Clock nets are named like
//! `$glbnet$clock$TRELLIS_IO_IN` (the global buffer of the `clock` input pad).

use crate::tools::ToolRun;
use crate::SynthError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Used and available count of one cell type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedAvailable {
    pub used: u64,
    pub available: u64,
}

/// The cell types the report tables show: (nextpnr cell type, what it is).
pub const KEY_CELLS: [(&str, &str); 5] = [
    (
        "TRELLIS_COMB",
        "LUT4 (LUT4 slots: logic LUTs plus carry-chain halves)",
    ),
    ("TRELLIS_FF", "flip-flops"),
    ("MULT18X18D", "18x18 multipliers (DSP)"),
    ("DP16KD", "block RAM (16 kbit)"),
    ("TRELLIS_IO", "I/O pads"),
];

/// Achieved against constrained frequency for one clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockFmax {
    /// The design's clock name (`clock`), from the net name.
    pub name: String,
    /// nextpnr's net name (`$glbnet$clock$TRELLIS_IO_IN`).
    pub net: String,
    pub achieved_mhz: f64,
    pub constraint_mhz: f64,
}

impl ClockFmax {
    pub fn met(&self) -> bool {
        self.achieved_mhz >= self.constraint_mhz
    }
}

/// One critical path, summarized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// Start and end clock edges (`posedge clock`) or `<async>` for a port.
    pub from: String,
    pub to: String,
    /// Sum of all delays along the path, ns.
    pub delay_ns: f64,
    /// Of which in logic (cells), ns; the rest is routing and clock-to-q/setup.
    pub logic_ns: f64,
    pub routing_ns: f64,
    /// The rest of `delay_ns`: the launching flip-flop's clock-to-q and the capturing
    /// one's setup time (nextpnr's `clk-to-q` and `setup` steps), ns.
    #[serde(default)]
    pub clk_setup_ns: f64,
    /// Number of logic steps (cells passed through).
    pub logic_levels: usize,
    /// First cell.port and last cell.port.
    pub start: String,
    pub end: String,
}

/// What nextpnr's report says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextpnrReport {
    /// Every cell type nextpnr lists, used and available.
    pub utilization: BTreeMap<String, UsedAvailable>,
    pub clocks: Vec<ClockFmax>,
    pub critical_paths: Vec<CriticalPath>,
}

impl NextpnrReport {
    /// Parse the text of a `--report` file.
    pub fn parse(json: &str) -> Result<Self, SynthError> {
        let raw: RawReport =
            serde_json::from_str(json).map_err(|e| SynthError::Report(e.to_string()))?;
        let clocks = raw
            .fmax
            .into_iter()
            .map(|(net, f)| ClockFmax {
                name: clock_name(&net),
                net,
                achieved_mhz: f.achieved,
                constraint_mhz: f.constraint,
            })
            .collect();
        let critical_paths = raw
            .critical_paths
            .into_iter()
            .map(|p| {
                let sum = |t: Option<&str>| {
                    p.path
                        .iter()
                        .filter(|s| t.is_none_or(|t| s.kind == t))
                        .map(|s| s.delay)
                        .sum::<f64>()
                        + 0.0 // an empty f64 sum is -0.0
                };
                let end = |e: Option<&RawEnd>| {
                    e.map(|e| format!("{}.{}", e.cell, e.port))
                        .unwrap_or_default()
                };
                CriticalPath {
                    from: tidy_edge(&p.from),
                    to: tidy_edge(&p.to),
                    delay_ns: sum(None),
                    logic_ns: sum(Some("logic")),
                    routing_ns: sum(Some("routing")),
                    clk_setup_ns: sum(Some("clk-to-q")) + sum(Some("setup")),
                    logic_levels: p.path.iter().filter(|s| s.kind == "logic").count(),
                    start: end(p.path.first().and_then(|s| s.from.as_ref())),
                    end: end(p.path.last().and_then(|s| s.to.as_ref())),
                }
            })
            .collect();
        Ok(NextpnrReport {
            utilization: raw.utilization,
            clocks,
            critical_paths,
        })
    }

    /// Used count of a cell type (0 when nextpnr does not list it).
    pub fn used(&self, cell: &str) -> u64 {
        self.utilization.get(cell).map_or(0, |u| u.used)
    }

    /// LUT4 slots used (`TRELLIS_COMB`: each is one LUT4, including the two LUT halves of
    /// every CCU2C carry cell, so this is LUT4 *slots*, not only logic LUTs).
    pub fn lut4(&self) -> u64 {
        self.used("TRELLIS_COMB")
    }

    /// Flip-flops used (`TRELLIS_FF`).
    pub fn ff(&self) -> u64 {
        self.used("TRELLIS_FF")
    }

    /// 18x18 multipliers used (`MULT18X18D`).
    pub fn mult18(&self) -> u64 {
        self.used("MULT18X18D")
    }

    /// Block RAMs used (`DP16KD`).
    pub fn bram(&self) -> u64 {
        self.used("DP16KD")
    }

    /// I/O pads used (`TRELLIS_IO`).
    pub fn io(&self) -> u64 {
        self.used("TRELLIS_IO")
    }

    /// The lowest achieved Fmax over all clocks (None with no clock).
    pub fn fmax_mhz(&self) -> Option<f64> {
        self.clocks
            .iter()
            .map(|c| c.achieved_mhz)
            .min_by(|a, b| a.total_cmp(b))
    }
}

/// `$glbnet$clock$TRELLIS_IO_IN` -> `clock`; other names unchanged.
fn clock_name(net: &str) -> String {
    let n = net.strip_prefix("$glbnet$").unwrap_or(net);
    n.strip_suffix("$TRELLIS_IO_IN").unwrap_or(n).to_string()
}

/// `posedge $glbnet$clock$TRELLIS_IO_IN` -> `posedge clock`.
fn tidy_edge(e: &str) -> String {
    match e.split_once(' ') {
        Some((edge, net)) => format!("{edge} {}", clock_name(net)),
        None => e.to_string(),
    }
}

#[derive(Deserialize)]
struct RawReport {
    #[serde(default)]
    utilization: BTreeMap<String, UsedAvailable>,
    #[serde(default)]
    fmax: BTreeMap<String, RawFmax>,
    #[serde(default)]
    critical_paths: Vec<RawPath>,
}

#[derive(Deserialize)]
struct RawFmax {
    achieved: f64,
    constraint: f64,
}

#[derive(Deserialize)]
struct RawPath {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    path: Vec<RawStep>,
}

#[derive(Deserialize)]
struct RawStep {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    delay: f64,
    from: Option<RawEnd>,
    to: Option<RawEnd>,
}

#[derive(Deserialize)]
struct RawEnd {
    #[serde(default)]
    cell: String,
    #[serde(default)]
    port: String,
}

/// Everything one run of the flow produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlowReport {
    pub board: crate::Board,
    pub part: String,
    pub top: String,
    /// What was built ("BIST board top, 2 lanes, 3 FFE taps").
    #[serde(default)]
    pub design: String,
    pub target_mhz: f64,
    pub seed: u64,
    /// I/O left to nextpnr's automatic placement (`--lpf-allow-unconstrained`).
    pub unconstrained_io: bool,
    pub lpf: PathBuf,
    pub nextpnr: NextpnrReport,
    /// Yosys, nextpnr-ecp5, ecppack in order, with wall-clock seconds and log files.
    pub runs: Vec<ToolRun>,
    pub bitstream: PathBuf,
    pub bitstream_bytes: u64,
}

impl FlowReport {
    /// Total wall-clock time of the tools, s.
    pub fn total_seconds(&self) -> f64 {
        self.runs.iter().map(|r| r.seconds).sum()
    }

    /// The human report (Markdown): utilization table, Fmax per clock, critical paths, times.
    pub fn to_markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# ECP5 build: {} (module `{}`) on {} ({})\n\ntarget {} MHz, seed {}, constraints {}{}\n",
            if self.design.is_empty() { "design" } else { &self.design },
            self.top,
            self.board,
            self.part,
            self.target_mhz,
            self.seed,
            self.lpf.display(),
            if self.unconstrained_io {
                " (other I/O auto-placed)"
            } else {
                ""
            }
        );
        s.push_str("| resource | used | available | % |\n|---|---|---|---|\n");
        for (cell, what) in KEY_CELLS {
            if let Some(u) = self.nextpnr.utilization.get(cell) {
                let pct = if u.available > 0 {
                    100.0 * u.used as f64 / u.available as f64
                } else {
                    0.0
                };
                let _ = writeln!(
                    s,
                    "| {what} (`{cell}`) | {} | {} | {pct:.1} |",
                    u.used, u.available
                );
            }
        }
        s.push_str("\n| clock | Fmax achieved (MHz) | constraint (MHz) | |\n|---|---|---|---|\n");
        for c in &self.nextpnr.clocks {
            let _ = writeln!(
                s,
                "| `{}` | {:.2} | {:.2} | {} |",
                c.name,
                c.achieved_mhz,
                c.constraint_mhz,
                if c.met() { "met" } else { "FAIL" }
            );
        }
        if !self.nextpnr.critical_paths.is_empty() {
            s.push_str(
                "\n| critical path | delay (ns) | logic / routing / clock-to-q + setup (ns) | logic levels | start -> end |\n\
                 |---|---|---|---|---|\n",
            );
            for p in &self.nextpnr.critical_paths {
                let _ = writeln!(
                    s,
                    "| {} -> {} | {:.2} | {:.2} / {:.2} / {:.2} | {} | `{}` -> `{}` |",
                    p.from,
                    p.to,
                    p.delay_ns,
                    p.logic_ns,
                    p.routing_ns,
                    p.clk_setup_ns,
                    p.logic_levels,
                    p.start,
                    p.end
                );
            }
        }
        s.push_str("\n| tool | wall-clock (s) | log |\n|---|---|---|\n");
        for r in &self.runs {
            let _ = writeln!(
                s,
                "| {} | {:.1} | {} |",
                r.tool.name(),
                r.seconds,
                r.log.display()
            );
        }
        let _ = writeln!(
            s,
            "\nbitstream: {} ({} bytes)",
            self.bitstream.display(),
            self.bitstream_bytes
        );
        s
    }

    /// A short plain-text summary for the terminal.
    pub fn summary(&self) -> String {
        let n = &self.nextpnr;
        let util = |cell: &str| {
            n.utilization
                .get(cell)
                .map_or("-".to_string(), |u| format!("{}/{}", u.used, u.available))
        };
        let mut s = String::new();
        if !self.design.is_empty() {
            s += &format!(
                "  design: {} on {} ({})\n",
                self.design, self.board, self.part
            );
        }
        s += &format!(
            "  LUT4 {} (TRELLIS_COMB: LUT4 slots incl. carry halves), FF {}, MULT18X18D {}, DP16KD {}, IO {}\n",
            util("TRELLIS_COMB"),
            util("TRELLIS_FF"),
            util("MULT18X18D"),
            util("DP16KD"),
            util("TRELLIS_IO"),
        );
        for c in &n.clocks {
            s += &format!(
                "  Fmax {}: {:.2} MHz at a {:.2} MHz target ({})\n",
                c.name,
                c.achieved_mhz,
                c.constraint_mhz,
                if c.met() { "met" } else { "FAIL" }
            );
        }
        if let Some(p) = n.critical_paths.first() {
            s += &format!(
                "  critical path {} -> {}: {:.2} ns = {:.2} logic + {:.2} routing + {:.2} clock-to-q and setup ({} logic levels), {} -> {}\n",
                p.from, p.to, p.delay_ns, p.logic_ns, p.routing_ns, p.clk_setup_ns, p.logic_levels, p.start, p.end
            );
        }
        s += &format!(
            "  tools: {} (total {:.1} s)\n  bitstream {} ({} bytes)",
            self.runs
                .iter()
                .map(|r| format!("{} {:.1} s", r.tool.name(), r.seconds))
                .collect::<Vec<_>>()
                .join(", "),
            self.total_seconds(),
            self.bitstream.display(),
            self.bitstream_bytes
        );
        s
    }
}
