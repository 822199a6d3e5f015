//! `cporx build`: ECP5 builds (Yosys -> nextpnr-ecp5 -> ecppack) for a
//! board, with the utilization / Fmax report (crate cporx-synth).
//!
//! Designs:
//! * `bist` (default): the board-level BIST top (hdl/src/bist/board.rs): PRBS13Q
//!   generator, channel emulator, the receive top at P lanes, checker, UART report and
//!   LEDs, on the board's committed pins (synth/boards/<board>.lpf), behind an ECP5 PLL
//!   (EHXPLLL, `cporx_synth::pll`) from the board oscillator: the PLL's output is the
//!   achievable frequency closest to `--target-mhz` at or below it (printed), the BIST's
//!   UART divisor and report interval are set from it, and the LPF constrains the PLL's
//!   output net at it (`FREQUENCY NET "clk_pll"`), so the bitstream runs at the frequency
//!   nextpnr closed (or reports it missed). The UART report transmitter runs on the PLL's
//!   second output (`clk_pll_slow`, a quarter of it or less; hdl/src/bist/board.rs), so the
//!   report's Fmax is reported apart from the datapath's.
//! * `rx`: the bare receive top; its ports are not board pins, so only its clock is
//!   constrained and nextpnr places the other I/O (one lane only: wider tops have more
//!   ports than the package has pins).
//!
//! `cporx sweep` (`cmd::sweep`) builds the BIST top for each lane count with this module's
//! `build_one`.

use clap::Args;
use cporx_spec::bist::BistParams;
use cporx_spec::RxParams;
use cporx_synth::{Board, FlowConfig, FlowReport};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// board: ulx3s-85f or orangecrab-25f (required)
    #[arg(long)]
    pub board: String,
    /// design: `bist` (board-level self-test top) or `rx` (bare receive top, I/O auto-placed)
    #[arg(long, default_value = "bist")]
    pub design: String,
    /// samples per clock (1, 2, 4, 8, 16); default: the configuration's `lanes`
    #[arg(long)]
    pub lanes: Option<usize>,
    /// clock target in MHz, 1 ..= 800: the FREQUENCY constraint nextpnr works to
    #[arg(long, default_value_t = 200.0)]
    pub target_mhz: f64,
    /// output folder (created if missing); default out/build/<board>
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// receive-top parameter file (TOML, the fields of RxParams); default: built-in defaults
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// nextpnr placement seed (any u64)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The targets: 200 MHz at one lane, 150 MHz at 2 to 8 lanes, 125 MHz at 16
/// (4 Gb/s).
pub fn target_for(lanes: usize) -> f64 {
    match lanes {
        1 => 200.0,
        16.. => 125.0,
        _ => 150.0,
    }
}

/// How a board's buttons and LEDs serve the BIST board top, with the report transmitter
/// at 115200 baud and a report a second from a `slow_mhz` clock.
fn board_spec(board: Board, slow_mhz: f64) -> cporx_hdl::bist::board::BoardTopSpec {
    use cporx_hdl::bist::board::BoardTopSpec;
    let low = |prefix: &str| -> u64 {
        board
            .pins()
            .iter()
            .filter(|p| p.port.starts_with(prefix) && p.active_low)
            .map(|p| {
                let i: u64 = p.port[prefix.len() + 1..p.port.len() - 1].parse().unwrap();
                1u64 << i
            })
            .sum()
    };
    let tx = bist_params_for(slow_mhz, 1);
    match board {
        // btn[0] PWR resets, btn[1] FIRE1 injects an error, btn[2] FIRE2 sends a report
        Board::Ulx3s85f => BoardTopSpec {
            btn_active_low: low("btn"),
            led_active_low: low("led"),
            btn_rst: Some(0),
            btn_inject: Some(1),
            btn_send: Some(2),
            tx_uart_div: tx.uart_div,
            tx_report_interval: tx.report_interval,
        },
        // one button: inject; reset at power-up only, reports every second
        Board::OrangeCrab25f => BoardTopSpec {
            btn_active_low: low("btn"),
            led_active_low: low("led"),
            btn_rst: None,
            btn_inject: Some(0),
            btn_send: None,
            tx_uart_div: tx.uart_div,
            tx_report_interval: tx.report_interval,
        },
    }
}

/// BIST parameters for a clock of `mhz` (the PLL's output): UART at 115200 baud and a
/// report a second.
pub fn bist_params_for(mhz: f64, lanes: usize) -> BistParams {
    let hz = mhz * 1e6;
    BistParams {
        lanes,
        uart_div: (hz / 115_200.0).round() as u32,
        report_interval: hz as u32,
        ..Default::default()
    }
}

/// The Verilog of the board-level BIST top (module `top`, on the board pins), its clocks
/// from the PLL `pll` (CLKOP the datapath's, CLKOS the report's: [`pll_for`]).
pub fn board_top_verilog(
    board: Board,
    rx: &RxParams,
    b: &BistParams,
    pll: &cporx_synth::Pll,
) -> Result<String, String> {
    use cporx_hdl::bist::board::BoardTop;
    let slow = pll
        .clkos
        .ok_or("the BIST board top needs the PLL's second output (pll_for)")?
        .1;
    let spec = board_spec(board, slow);
    let v = match board {
        Board::Ulx3s85f => cporx_hdl::bist::verilog_of(
            BoardTop::<3, 8>::new(rx, b, &spec).map_err(|e| e.to_string())?,
        ),
        Board::OrangeCrab25f => cporx_hdl::bist::verilog_of(
            BoardTop::<1, 3>::new(rx, b, &spec).map_err(|e| e.to_string())?,
        ),
    };
    cporx_synth::pll_top_verilog(board, &v, pll).map_err(|e| e.to_string())
}

/// The board's committed LPF (the oscillator on `clk` at its own frequency) and the
/// FREQUENCY lines of the PLL's outputs at their achieved frequencies.
fn board_lpf_with_pll(board: Board, pll: &cporx_synth::Pll) -> String {
    format!(
        "{}\n# cporx build: {}\n{}",
        board.lpf_text(),
        pll.describe(),
        pll.lpf_lines()
    )
}

/// The board's PLL for a build target: CLKOP, the datapath's clock, the achievable
/// frequency at or below `mhz`; CLKOS, the report logic's, at or below a quarter of it.
pub fn pll_for(board: Board, mhz: f64) -> Result<cporx_synth::Pll, String> {
    let p = cporx_synth::Pll::search(board.clock_mhz(), mhz).map_err(|e| e.to_string())?;
    let f = p.fout_mhz / REPORT_CLOCK_RATIO;
    p.with_clkos(f).map_err(|e| e.to_string())
}

/// The datapath's clock over the report logic's (at least; `pll_for`).
pub const REPORT_CLOCK_RATIO: f64 = 4.0;

pub(crate) fn note_cold_tools() {
    for (tool, what) in [
        (cporx_synth::Tool::Yosys, "~2 min"),
        (cporx_synth::Tool::Nextpnr, "~10 s"),
    ] {
        if cporx_synth::tools::yowasp_cold(tool) {
            println!(
                "note: first run of the YoWASP {}: compiling its WebAssembly once ({what}, cached in ~/.cache/YoWASP)",
                tool.name()
            );
        }
    }
}

/// The FuseSoC ECP5 target (tool `trellis`) of a build for `board` at `mhz` with the
/// constraint file `lpf` (a name beside the core): the same nextpnr options as
/// `cporx build` ([`cporx_synth::flow::nextpnr_build_options`], seed 1).
pub fn ecp5_core_target(
    board: Board,
    mhz: f64,
    lpf: &str,
    unconstrained_io: bool,
) -> cporx_hdl::fusesoc::Ecp5Target {
    cporx_hdl::fusesoc::Ecp5Target {
        name: format!("ecp5_{}", board.name().replace('-', "_")),
        what: format!(
            "{board}, {}, {mhz} MHz{}",
            board.part(),
            if unconstrained_io {
                ", only the clock on a pin"
            } else {
                ""
            }
        ),
        lpf: lpf.to_string(),
        nextpnr_options: cporx_synth::flow::nextpnr_build_options(board, mhz, 1, unconstrained_io),
    }
}

/// The file name of a build's FuseSoC core: `cporx_<design>_<board>.core`.
pub fn build_core_name(design: &str, board: Board) -> String {
    format!("cporx_{design}_{}.core", board.name().replace('-', "_"))
}

/// Write the FuseSoC core of a build in `out` (beside top.v and the LPF that
/// [`build_one`] leaves there), with the lint waivers it names; the core's path.
fn write_build_core(
    board: Board,
    design: &str,
    p: &RxParams,
    mhz: f64,
    out: &Path,
    lpf: &Path,
) -> Result<PathBuf, String> {
    use cporx_hdl::fusesoc::{core_text, CoreSpec, CORE_VERSION};
    let lpf_name = lpf
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (vlnv, description, testbench, notes) = match design {
        "bist" => (
            format!("cporx:bist:board_top_{}:{CORE_VERSION}", board.name().replace('-', "_")),
            format!(
                "cporx BIST board top for {board} ({}): PRBS13Q, channel emulator, receive top at lanes = {}, n_taps = {}, checker, UART (written by cporx build)",
                board.part(),
                p.lanes,
                p.n_taps
            ),
            None,
            vec!["No sim target: the BIST top is simulated by cporx's own tests (verif/tests/bist_top.rs).".to_string()],
        ),
        _ => {
            crate::out::write(&out.join("tb_top.v"), cporx_hdl::fusesoc::rx_top_testbench(p))?;
            (
                cporx_hdl::fusesoc::rx_top_vlnv(),
                cporx_hdl::fusesoc::rx_top_description(p),
                Some(("tb_top.v".to_string(), "tb_top".to_string())),
                vec![],
            )
        }
    };
    crate::out::write(
        &out.join("lint_waivers.vlt"),
        cporx_cosim::verilator::WAIVERS,
    )?;
    let core = CoreSpec {
        vlnv,
        description,
        rtl: "top.v".into(),
        toplevel: "top".into(),
        waivers: "lint_waivers.vlt".into(),
        testbench,
        ecp5: vec![ecp5_core_target(board, mhz, &lpf_name, design == "rx")],
        notes,
    };
    let f = out.join(build_core_name(design, board));
    crate::out::write(&f, core_text(&core)?)?;
    Ok(f)
}

/// Check a design name and its lane count before anything runs; the report's name of it.
pub(crate) fn check_design(design: &str, p: &RxParams) -> Result<String, String> {
    match design {
        "bist" => Ok(format!(
            "BIST board top, {} lane(s), {} FFE taps",
            p.lanes, p.n_taps
        )),
        "rx" if p.lanes == 1 => Ok(format!("bare receive top, 1 lane, {} FFE taps", p.n_taps)),
        "rx" => Err(format!(
            "--design rx builds the bare receive top with auto-placed I/O, one lane only \
             (lanes = {} needs {} data pins); use --design bist",
            p.lanes,
            p.lanes * 27
        )),
        other => Err(format!(
            "--design `{other}` is not legal: legal are bist, rx"
        )),
    }
}

/// Build one design; returns the flow report.
pub(crate) fn build_one(
    board: Board,
    design: &str,
    p: &RxParams,
    mhz: f64,
    out: &Path,
    seed: u64,
) -> Result<FlowReport, String> {
    let lpf = out.join(format!("{}.lpf", board.name()));
    let what = check_design(design, p)?;
    let (verilog, lpf_text, unconstrained, mhz) = match design {
        "bist" => {
            let pll = pll_for(board, mhz)?;
            println!("  {}", pll.describe());
            let b = bist_params_for(pll.fout_mhz, p.lanes);
            (
                board_top_verilog(board, p, &b, &pll)?,
                board_lpf_with_pll(board, &pll),
                false,
                pll.fout_mhz,
            )
        }
        "rx" => (
            cporx_hdl::export::rx_top_verilog(p).map_err(|e| e.to_string())?,
            board.clock_only_lpf("clock", mhz),
            true,
            mhz,
        ),
        _ => unreachable!("check_design accepted it"),
    };
    crate::out::create_dir(out)?;
    crate::out::write(&lpf, lpf_text)?;
    let report = cporx_synth::run_flow(&FlowConfig {
        verilog,
        top: "top".into(),
        board,
        target_mhz: mhz,
        out_dir: out.to_path_buf(),
        lpf: Some(lpf.clone()),
        design: what,
        allow_unconstrained_io: unconstrained,
        seed,
    })
    .map_err(|e| e.to_string())?;
    // the same design for FuseSoC users, beside the flow's top.v and LPF
    write_build_core(board, design, p, mhz, out, &lpf)?;
    Ok(report)
}

pub fn run(a: &BuildArgs) -> Result<(), String> {
    let board = Board::parse(&a.board).map_err(|e| format!("--board: {e}"))?;
    let mhz = cporx_synth::check_target_mhz(a.target_mhz).map_err(|e| e.to_string())?;
    let mut p = crate::cli::load_params(&a.config)?;
    if let Some(l) = a.lanes {
        p = p.with_lanes(l).map_err(|e| format!("--lanes: {e}"))?;
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/build").join(board.name()));
    // every input and the output folder before the banner and the tools
    check_design(&a.design, &p)?;
    if a.design == "bist" {
        pll_for(board, mhz).map_err(|e| format!("--target-mhz: {e}"))?;
    }
    crate::out::create_dir(&out)?;
    crate::out::check_writable(&out.join("report.json"))?;
    note_cold_tools();
    println!(
        "cporx build: {} design, {} lane(s), n_taps = {}, for {} ({}), target {} MHz, seed {}; out {}",
        a.design,
        p.lanes,
        p.n_taps,
        board,
        board.part(),
        mhz,
        a.seed,
        out.display()
    );
    let report = build_one(board, &a.design, &p, mhz, &out, a.seed)?;
    println!("{}", report.summary());
    println!(
        "  report: {} and {}",
        out.join("report.md").display(),
        out.join("report.json").display()
    );
    println!(
        "  wrote {} (FuseSoC core: lint{} and ECP5 targets)",
        out.join(build_core_name(&a.design, board)).display(),
        if a.design == "rx" { ", sim" } else { "" }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::sweep::{sweep_row, BuildFigures};

    /// The board-level BIST top builds on the committed pins (no unconstrained I/O) for
    /// both boards: bitstream written, report parsed, every board pin the top uses placed.
    /// This is the CI's ECP5 flow run for the board designs (one small configuration each).
    #[test]
    fn bist_board_tops_build_on_their_pins() {
        for board in Board::ALL {
            let out = std::env::temp_dir().join(format!(
                "cporx-bist-build-{}-{}",
                board.name(),
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&out);
            let p = RxParams::default().with_lanes(2).unwrap();
            let r = build_one(board, "bist", &p, 100.0, &out, 1).unwrap_or_else(|e| panic!("{e}"));
            assert!(r.bitstream_bytes > 0);
            assert!(!r.unconstrained_io);
            // the design's clock is the PLL's output, constrained at the PLL's frequency
            let fmax = r.nextpnr.fmax_mhz().expect("the PLL clock is reported");
            let pll = pll_for(board, 100.0).unwrap();
            let c = r.nextpnr.clocks.iter().find(|c| c.name == "clk_pll");
            assert!(
                fmax > 0.0 && c.is_some_and(|c| (c.constraint_mhz - pll.fout_mhz).abs() < 1e-3),
                "{:?}",
                r.nextpnr.clocks
            );
            assert_eq!(r.target_mhz, pll.fout_mhz);
            // clk, uart_tx, uart_rx, the LEDs and buttons: 3 + 8 + 3 on the ULX3S, 3 + 3 + 1
            let want_io = match board {
                Board::Ulx3s85f => 14,
                Board::OrangeCrab25f => 7,
            };
            assert_eq!(r.nextpnr.io(), want_io, "{board}");
            // and the same design as a FuseSoC core beside top.v and the LPF
            let core = std::fs::read_to_string(out.join(build_core_name("bist", board))).unwrap();
            assert!(
                core.contains("default_tool: trellis") && core.contains(board.nextpnr_args()[2]),
                "{core}"
            );
            let row = sweep_row(2, &[BuildFigures::of(2, &r)]);
            assert!(row.starts_with("| 2 | ") && row.contains("Gb/s"), "{row}");
            println!("{board}: {}", r.summary().lines().next().unwrap_or(""));
            let _ = std::fs::remove_dir_all(&out);
        }
    }

    #[test]
    fn rx_design_is_one_lane_only_and_designs_are_named() {
        let out = std::env::temp_dir().join("cporx-never-built");
        let p = RxParams::default().with_lanes(4).unwrap();
        let e = build_one(Board::Ulx3s85f, "rx", &p, 100.0, &out, 1).unwrap_err();
        assert!(e.contains("one lane") && e.contains("--design bist"), "{e}");
        let e = build_one(Board::Ulx3s85f, "nope", &p, 100.0, &out, 1).unwrap_err();
        assert!(e.contains("bist, rx"), "{e}");
        assert_eq!(
            (target_for(1), target_for(8), target_for(16)),
            (200.0, 150.0, 125.0)
        );
        let b = bist_params_for(25.0, 4);
        assert_eq!((b.uart_div, b.report_interval), (217, 25_000_000));
    }
}
