//! One energy measurement, end to end: a receive configuration and its closed loop in,
//! power per block and energy per bit out.
//!
//! 1. Export the configuration's receive top (cporx_hdl) and map it to the liberty's
//!    cells ([`super::map`]).
//! 2. Build the cell netlist with the liberty's cell functions as models (Yosys
//!    `read_liberty` without `-lib`) under Verilator with toggle coverage.
//! 3. Run the closed loop (cporx_link) with the bit-exact model as the receiver: its PI
//!    code steers the sampler, so the traffic is the link's own (PRBS13Q through the
//!    channel, noise, jitter, the loops adapting). Every cycle the netlist is stepped
//!    with the same inputs and its outputs compared with the model's on every output
//!    (after [`WARMUP_CYCLES`]: the cell netlist has no power-up values, the reset cycle
//!    sets them). Toggles are counted from `settle` cycles on (the loops settled: found
//!    by a first model-only run, [`settle_cycles`], with the loop's register read-back
//!    on when the configuration asks for it, which tells the adaptation's convergence;
//!    the measured run reads no registers) for `count` cycles.
//! 4. OpenSTA's power with those activities ([`super::sta`]), grouped by block.

use super::activity::{read_coverage, Toggles};
use super::liberty::Liberty;
use super::map::{map_to_cells, Mapped};
use super::netlist::verilog_name;
use super::power::{sum_power, Convention, SumInputs, SumPower};
use super::sta::{clock_net, report_power, CellPower, StaInputs, StaPower};
use crate::SynthError;
use cporx_link::closed_loop::{run_link, run_link_model, LinkConfig};
use cporx_spec::*;
use std::path::PathBuf;

/// Cycles after the reset cycle before the netlist's outputs are compared.
pub const WARMUP_CYCLES: u64 = 16;
/// Cycles counted past the loops' convergence before toggles are counted.
pub const SETTLE_MARGIN_CYCLES: u64 = 1000;

#[derive(Clone, Debug)]
pub struct MeasureConfig {
    /// the closed loop; its `rx` is the design measured
    pub link: LinkConfig,
    /// cycles whose toggles are counted (after settling)
    pub count_cycles: u64,
    /// the liberty (with power tables)
    pub liberty: PathBuf,
    /// work folder (netlists, scripts, logs)
    pub dir: PathBuf,
    pub sta: StaInputsSpec,
    /// symbol rate, GBd (the clock is baud / lanes)
    pub baud_gbd: f64,
}

/// How the STA inputs are formed from the netlist.
#[derive(Clone, Copy, Debug)]
pub struct StaInputsSpec {
    pub input_transition_ns: f64,
    /// wire capacitance per fanout pin, pF
    pub wire_pf_per_fanout: f64,
}

/// One block's figures.
#[derive(Clone, Debug)]
pub struct BlockFigures {
    pub name: String,
    pub cells: usize,
    pub flops: usize,
    /// liberty area units (um^2)
    pub area: f64,
    /// OpenSTA's figures (its 2019 convention)
    pub sta: CellPower,
    /// the independent sum, the liberty's convention
    pub sum: CellPower,
}

#[derive(Clone, Debug)]
pub struct Measured {
    /// the design measured
    pub rx: RxParams,
    pub mapped: Mapped,
    pub toggles: Toggles,
    pub sta: StaPower,
    /// the independent sum, the liberty's convention (the reported figures)
    pub sum: SumPower,
    /// the same counted as OpenSTA 2019 counts (to check OpenSTA against)
    pub sum_2019: SumPower,
    pub blocks: Vec<BlockFigures>,
    /// cycles compared (netlist against model) and mismatching
    pub compared: u64,
    pub mismatches: u64,
    pub first_mismatch: Option<String>,
    /// cycle from which toggles were counted
    pub settle: u64,
    pub clock_period_ns: f64,
    pub lanes: usize,
    pub loop_lock: Option<u64>,
    pub loop_converged_ui: Option<u64>,
    pub wire_pf: Vec<f64>,
    pub seconds_verilator_build: f64,
    pub seconds_loop: f64,
}

impl Measured {
    /// Bits per clock cycle: 2 per lane (PAM-4).
    pub fn bits_per_cycle(&self) -> f64 {
        2.0 * self.lanes as f64
    }
    /// Energy per bit (pJ) of a power figure (W) at this clock.
    pub fn pj_per_bit(&self, watts: f64) -> f64 {
        watts * self.clock_period_ns * 1e3 / self.bits_per_cycle()
    }
}

/// The settle point of a closed loop: the loops' convergence (lock + 2000 UI at least;
/// `LinkResult::converged_ui`), in cycles, plus [`SETTLE_MARGIN_CYCLES`]; from a
/// model-only run of `link` (which must be at least that long).
pub fn settle_cycles(link: &LinkConfig) -> Result<(u64, Option<u64>, Option<u64>), SynthError> {
    let r = run_link_model(link).map_err(|e| SynthError::Energy(format!("closed loop: {e}")))?;
    let lanes = link.rx.lanes as u64;
    let conv = r
        .converged_ui
        .or(r.lock_time.map(|l| l + link.settle_ui))
        .ok_or_else(|| {
            SynthError::NotMeasured(format!(
                "the closed loop never locked in {} UI: no settled traffic to measure activity on",
                link.ui
            ))
        })?;
    Ok((
        conv.div_ceil(lanes) + SETTLE_MARGIN_CYCLES,
        r.lock_time,
        r.converged_ui,
    ))
}

/// The wire capacitance of each net: `per_fanout` times its cell input pins.
pub fn wire_caps(m: &Mapped, lib_inputs: &dyn Fn(&str, &str) -> bool, per_fanout: f64) -> Vec<f64> {
    let n = &m.netlist;
    let mut fan = vec![0usize; n.n_nets];
    for c in &n.cells {
        for (pin, conn) in &c.pins {
            if let super::netlist::Conn::Net(k) = conn {
                if lib_inputs(&c.ty, pin) {
                    fan[*k] += 1;
                }
            }
        }
    }
    fan.iter().map(|&f| f as f64 * per_fanout).collect()
}

/// Run the measurement with the liberty `lib` (read from `cfg.liberty`).
pub fn measure(
    cfg: &MeasureConfig,
    lib: &Liberty,
    progress: &mut dyn FnMut(&str),
) -> Result<Measured, SynthError> {
    let is_input = |cell: &str, pin: &str| {
        lib.cell(cell)
            .and_then(|c| c.pin(pin))
            .is_some_and(|p| p.direction == super::liberty::Direction::Input)
    };
    let rx = &cfg.link.rx;
    let lanes = rx.lanes;
    if cfg.count_cycles == 0 {
        return Err(SynthError::BadValue {
            flag: "--cycles",
            value: "0".into(),
            legal: "1 or more counted cycles".into(),
        });
    }
    let verilog = cporx_hdl::export::rx_top_verilog(rx)
        .map_err(|e| SynthError::Energy(format!("receive top: {e}")))?;
    // the settle point first: a loop that never locks leaves nothing to measure
    progress("settle point (model-only closed loop)");
    let (settle, lock, conv) = settle_cycles(&cfg.link)?;
    progress("synthesis to standard cells (Yosys)");
    let mapped = map_to_cells(&verilog, "top", &cfg.liberty, &cfg.dir.join("map"))?;
    let models_path = cfg.dir.join("map/cells_sim.v");
    let models =
        std::fs::read_to_string(&models_path).map_err(|e| SynthError::io(&models_path, e))?;
    let sim_v = format!(
        "/* verilator lint_off UNUSEDSIGNAL */\n/* verilator lint_off DECLFILENAME */\n\
         /* verilator lint_off MULTITOP */\n/* verilator coverage_off */\n{models}\n\
         /* verilator coverage_on */\n{}",
        mapped.netlist.to_verilog(&verilog_name)
    );
    let sim_path = cfg.dir.join("netlist_sim.v");
    std::fs::write(&sim_path, &sim_v).map_err(|e| SynthError::io(&sim_path, e))?;
    let mut link = cfg.link.clone();
    link.ui = (settle + cfg.count_cycles) * lanes as u64;
    // no register reads in the measured run: a receiver in service does not poll its
    // registers (reads change no state, so the settle point found with them holds)
    link.readback = false;
    progress("Verilator build of the cell netlist (toggle coverage)");
    let t0 = std::time::Instant::now();
    let vlib = cporx_cosim::verilator::VerilatedLib::build_toggle_counting(
        &sim_v,
        // -O0: a gate-level netlist's C++ compiles 3.5x faster (85 s -> 24 s for 6800
        // cells), and 1e5 cycles run in seconds all the same
        &["-Wno-fatal", "-MAKEFLAGS", "OPT_FAST=-O0", "-CFLAGS", "-O0"],
    )
    .map_err(|e| {
        SynthError::Energy(format!(
            "Verilator, cell netlist {}: {e}",
            sim_path.display()
        ))
    })?;
    let seconds_verilator_build = t0.elapsed().as_secs_f64();
    let mut inst = vlib
        .instance()
        .map_err(|e| SynthError::Energy(e.to_string()))?;
    progress("closed loop with the cell netlist beside the model");
    let t1 = std::time::Instant::now();
    let mut model =
        cporx_model::RxTopModel::new(rx).map_err(|e| SynthError::Energy(e.to_string()))?;
    let mut compared = 0u64;
    let mut mismatches = 0u64;
    let mut first_mismatch = None;
    let mut err: Option<String> = None;
    {
        let mut hook = |n: u64, i: &RxIn, o: &RxOut| {
            if err.is_some() {
                return;
            }
            if n == settle {
                if let Err(e) = inst.zero_toggles() {
                    err = Some(e.to_string());
                }
            }
            match inst.step(i) {
                Ok(g) => {
                    if n >= WARMUP_CYCLES {
                        compared += 1;
                        if g != *o {
                            mismatches += 1;
                            if first_mismatch.is_none() {
                                first_mismatch =
                                    Some(format!("cycle {n}: netlist {g:?}, model {o:?}"));
                            }
                        }
                    }
                }
                Err(e) => err = Some(e.to_string()),
            }
        };
        run_link(&link, &mut model, Some(&mut hook))
            .map_err(|e| SynthError::Energy(format!("closed loop: {e}")))?;
    }
    if let Some(e) = err {
        return Err(SynthError::Energy(format!("cell netlist: {e}")));
    }
    let cov = cfg.dir.join("toggles.dat");
    inst.write_toggles(&cov)
        .map_err(|e| SynthError::Energy(e.to_string()))?;
    let seconds_loop = t1.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&cov).map_err(|e| SynthError::io(&cov, e))?;
    let total_cycles = link.ui.div_ceil(lanes as u64) + 1;
    let counted = total_cycles - settle;
    let toggles = read_coverage(&text, &cov.display().to_string(), &mapped.netlist, counted)?;
    let clock_period_ns = lanes as f64 / cfg.baud_gbd;
    let wire_pf = wire_caps(&mapped, &is_input, cfg.sta.wire_pf_per_fanout);
    progress("OpenSTA report_power");
    let sta = report_power(
        &mapped.netlist,
        &toggles,
        &StaInputs {
            clock_period_ns,
            input_transition_ns: cfg.sta.input_transition_ns,
            wire_pf: wire_pf.clone(),
        },
        &cfg.liberty,
        &cfg.dir.join("sta"),
    )?;
    let sum_in = SumInputs {
        clock_period_ns,
        slew_ns: cfg.sta.input_transition_ns,
        wire_pf: wire_pf.clone(),
        clock_net: clock_net(&mapped.netlist),
    };
    let sum = sum_power(lib, &mapped.netlist, &toggles, &sum_in, Convention::Liberty)?;
    let sum_2019 = sum_power(
        lib,
        &mapped.netlist,
        &toggles,
        &sum_in,
        Convention::OpenSta2019,
    )?;
    let area = |ty: &str| lib.cell(ty).map_or(0.0, |c| c.area);
    let blocks = group_blocks(&mapped, &sta, &sum, &area);
    Ok(Measured {
        rx: rx.clone(),
        mapped,
        toggles,
        sta,
        sum,
        sum_2019,
        blocks,
        compared,
        mismatches,
        first_mismatch,
        settle,
        clock_period_ns,
        lanes,
        loop_lock: lock,
        loop_converged_ui: conv,
        wire_pf,
        seconds_verilator_build,
        seconds_loop,
    })
}

/// Per block: cells, flops, area (`area(cell type)`), OpenSTA's power and the sum's.
pub fn group_blocks(
    m: &Mapped,
    sta: &StaPower,
    sum: &SumPower,
    area: &dyn Fn(&str) -> f64,
) -> Vec<BlockFigures> {
    let n = &m.netlist;
    (0..n.blocks.len())
        .map(|b| {
            let mut f = BlockFigures {
                name: n.blocks[b].clone(),
                cells: 0,
                flops: 0,
                area: 0.0,
                sta: CellPower::default(),
                sum: CellPower::default(),
            };
            for (k, c) in n.cells_of(b) {
                f.cells += 1;
                if c.ty.starts_with("DFF") || c.ty == "LATCH" {
                    f.flops += 1;
                }
                f.area += area(&c.ty);
                f.sta.add(&sta.cells[k]);
                f.sum.add(&sum.cells[k]);
            }
            f
        })
        .collect()
}

/// Where measurements go by default: `<cache>/energy/<name>`.
pub fn default_dir(name: &str) -> PathBuf {
    cporx_spec::paths::cache_dir("energy").join(name)
}
