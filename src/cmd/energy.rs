//! `cporx energy`: energy per bit of a receive configuration, measured on the OSU 0.18 um
//! standard cells (cporx_synth::energy: Yosys mapping with the blocks kept, the cell
//! netlist under Verilator beside the bit-exact model in the closed loop for its toggles,
//! OpenSTA's report_power, and an independent sum from the liberty), per block, with the
//! ADC's energy from a published Walden figure of merit apart, and a scaled estimate for
//! a modern node. `--compare` measures the co-packaged configuration against the
//! pluggable-class ones at the same throughput and prints the ratio.

use crate::cli;
use crate::fail::Fail;
use clap::Args;
use cporx_link::study::{self, adaptive, Case, StudyOpts};
use cporx_spec::energy as en;
use cporx_spec::*;
use cporx_synth::energy::liberty::Liberty;
use cporx_synth::energy::measure::{self, MeasureConfig, Measured, StaInputsSpec};
use std::path::{Path, PathBuf};

/// Writes a line into a String (the comparison is printed and may go into the README).
macro_rules! wl {
    ($s:expr, $($t:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($s, $($t)*);
    }};
}

/// The README's markers of the comparison (`--compare --readme FILE`).
pub const README_BEGIN: &str = "<!-- energy:begin -->";
pub const README_END: &str = "<!-- energy:end -->";

/// The co-packaged channel of the comparison (the study's short measured thru).
pub const CPO_CHANNEL: &str = "TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p";
/// The pluggable-class host channel (14 dB).
pub const HOST_CHANNEL: &str = "C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p";

#[derive(Args, Clone, Debug)]
pub struct EnergyArgs {
    /// Touchstone thru the closed loop runs on; default the co-packaged thru
    /// (TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p) of the channel folder
    #[arg(long, value_name = "FILE")]
    pub channel: Option<PathBuf>,
    /// channel folder; default $CPORX_CHANNELS, else ../shared/channels beside the checkout
    #[arg(long, value_name = "DIR")]
    pub channels: Option<PathBuf>,
    /// parameter file (TOML, RxParams) of the receive top measured, in place of
    /// --taps/--dfe/--lanes (its reset values start the loop; without an [adapt]
    /// section its taps stay fixed)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// FFE taps of the adaptive receiver (from reset, as the study's adaptive column); 2 ..= 16
    #[arg(long, default_value_t = 3)]
    pub taps: usize,
    /// DFE taps: 0 or 1
    #[arg(long, default_value_t = 0)]
    pub dfe: usize,
    /// lanes (samples per clock): 1, 2, 4, 8, 16
    #[arg(long, default_value_t = 1)]
    pub lanes: usize,
    /// clock cycles whose toggles are counted, after the loops settle; 1000 ..= 10000000
    #[arg(long, default_value_t = 100_000)]
    pub cycles: u64,
    /// launch SNR, dB (the study's convention and default: the noise after the channel's
    /// loss follows)
    #[arg(long, value_name = "DB", default_value_t = 33.0)]
    pub snr_db: f64,
    /// ADC resolution charged for the ADC term, bits; 1 ..= 10
    #[arg(long, default_value_t = 6)]
    pub adc_bits: u32,
    /// wire capacitance per fanout pin, fF (the liberty has no wire-load model); 0 ..= 100
    #[arg(long, value_name = "FF", default_value_t = DEFAULT_WIRE_FF)]
    pub wire_cap_ff: f64,
    /// input transition of every input, and the slew the independent sum looks its
    /// tables up at, ns; 0.01 ..= 2
    #[arg(long, value_name = "NS", default_value_t = 0.1)]
    pub slew_ns: f64,
    /// symbol rate, GBd (the clock is baud / lanes)
    #[arg(long, value_name = "GBD", default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// work folder (netlists, scripts, logs); default target/energy/<design>
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// liberty with power tables; default $CPORX_LIBERTY, else .tools/osu018/osu018_stdcells.lib
    #[arg(long, value_name = "FILE")]
    pub liberty: Option<PathBuf>,
    /// measure the co-packaged configuration (the short thru, the study's fewest taps, no
    /// DFE) against the pluggable-class ones (the 14 dB host channel: its fewest taps, and
    /// an 802.3dj-style 16-tap FFE with a 1-tap DFE) and print the ratio
    #[arg(long, conflicts_with_all = ["channel", "config"])]
    pub compare: bool,
    /// seed of the closed loop's noise and data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// with --compare: write the comparison into FILE between the lines
    /// `<!-- energy:begin -->` and `<!-- energy:end -->` (checked before anything runs)
    #[arg(long, value_name = "FILE", requires = "compare")]
    pub readme: Option<PathBuf>,
    /// measure each of these FFE tap counts (comma separated, 2 ..= 16) on the channel,
    /// without and with the 1-tap DFE: the table the study's energy column and Pareto
    /// plots read (with --json)
    #[arg(long, value_delimiter = ',', value_name = "TAPS", conflicts_with_all = ["compare", "config"])]
    pub sweep: Vec<usize>,
    /// also write the figures as JSON (one record per configuration measured); the
    /// study reads docs/energy/taps.json
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// One configuration's figures, as `--json` writes them (the study's energy table).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct EnergyRecord {
    pub label: String,
    pub channel: String,
    pub n_taps: usize,
    pub dfe_taps: usize,
    pub lanes: usize,
    pub snr_db: f64,
    pub seed: u64,
    pub baud_gbd: f64,
    pub cycles_counted: u64,
    pub cycles_compared: u64,
    pub mismatches: u64,
    pub cells: usize,
    pub area_um2: f64,
    /// pJ/bit per block category at 180 nm (liberty convention)
    pub blocks_pj: Vec<(String, f64)>,
    pub clock_net_pj: f64,
    /// the DSP's total, 180 nm, measured, pJ/bit
    pub dsp_pj: f64,
    /// the DSP's total scaled to `scaled_node_nm` (estimate), pJ/bit
    pub dsp_scaled_pj: f64,
    pub scaled_node_nm: u32,
    /// OpenSTA's total (its 2019 convention), pJ/bit
    pub opensta_pj: f64,
    /// OpenSTA against the independent sum in its convention, percent
    pub sta_check_pct: f64,
    pub wire_cap_ff: f64,
    pub slew_ns: f64,
}

/// The default wire capacitance per fanout pin, fF: about 25 um of local wire at
/// ~0.2 fF/um per fanout at 0.18 um (an assumption, printed with the figures).
pub const DEFAULT_WIRE_FF: f64 = 5.0;

/// Taps of the comparison (the study's adaptive fewest-taps results, README).
pub const CPO_TAPS: usize = 3;
pub const HOST_TAPS: usize = 7;
pub const DJ_TAPS: usize = 16;

fn check(a: &EnergyArgs) -> Result<(), String> {
    cli::check_range("taps", a.taps as f64, MIN_TAPS as f64, MAX_TAPS as f64, "")?;
    cli::check_range("dfe", a.dfe as f64, 0.0, MAX_DFE_TAPS as f64, "")?;
    if !LEGAL_LANES.contains(&a.lanes) {
        return Err(format!("--lanes {}: legal are {LEGAL_LANES:?}", a.lanes));
    }
    cli::check_range("cycles", a.cycles as f64, 1000.0, 1e7, "")?;
    cli::check_range("snr-db", a.snr_db, 0.0, 80.0, "dB")?;
    en::check_adc_bits(a.adc_bits).map_err(|e| format!("--adc-bits {}: {e}", a.adc_bits))?;
    cli::check_range("wire-cap-ff", a.wire_cap_ff, 0.0, 100.0, "fF")?;
    cli::check_range("slew-ns", a.slew_ns, 0.01, 2.0, "ns")?;
    cli::check_baud(a.baud_gbd)?;
    if a.cycles < 10_000 {
        eprintln!(
            "warning: --cycles {}: fewer than 1e4 counted cycles; rarely toggling nets are poorly measured",
            a.cycles
        );
    }
    Ok(())
}

/// The study's case of one Touchstone file.
fn case_of(file: &Path, baud_hz: f64) -> Result<Case, String> {
    if !file.is_file() {
        return Err(format!("--channel {}: no such file", file.display()));
    }
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let ins = study::inputs(&dir, std::slice::from_ref(&file.to_path_buf()), baud_hz)?;
    if let Some(k) = ins.skipped.first().or(ins.unused.first()) {
        return Err(format!("--channel {}: {}", file.display(), k.skipped));
    }
    // the first case is the study's built-in ideal hop; the file's thru follows
    let inp = ins
        .cases
        .get(1)
        .ok_or_else(|| format!("--channel {}: no thru found", file.display()))?;
    Case::new(
        &inp.name,
        inp.pulse.clone(),
        inp.aggressor.as_ref().map(|x| &x.1),
    )
}

/// One configuration to measure.
struct Design {
    label: String,
    case: Case,
    rx: Option<RxParams>,
    taps: usize,
    dfe: bool,
    lanes: usize,
}

fn measure_one(
    a: &EnergyArgs,
    d: &Design,
    lib: &Liberty,
    lib_path: &Path,
) -> Result<Measured, Fail> {
    let o = StudyOpts {
        snr_db: a.snr_db,
        ..StudyOpts::default()
    };
    // the settle search runs this long (UI); the measurement adds the counted cycles
    let search_ui = 400_000u64.max(a.cycles);
    // (with read-back on, as the study: the settle search needs it to see the loops
    // converge; the measured run itself reads nothing, see cporx_synth's measure)
    let mut link = adaptive::link_config(&d.case, &o, d.taps, d.dfe, search_ui, a.seed)?;
    match &d.rx {
        Some(rx) => link.rx = rx.clone(),
        None => link.rx.lanes = d.lanes,
    }
    link.rx.validate().map_err(|e| e.to_string())?;
    let name = format!(
        "{}-{}tap-dfe{}-p{}",
        d.case.name.replace(['/', ' '], "_"),
        link.rx.n_taps,
        link.rx.dfe_taps,
        link.rx.lanes
    );
    let dir = match &a.out {
        Some(o) => o.join(&name),
        None => measure::default_dir(&name),
    };
    let cfg = MeasureConfig {
        link,
        count_cycles: a.cycles,
        liberty: lib_path.to_path_buf(),
        dir,
        sta: StaInputsSpec {
            input_transition_ns: a.slew_ns,
            wire_pf_per_fanout: a.wire_cap_ff * 1e-3,
        },
        baud_gbd: a.baud_gbd,
    };
    let t0 = std::time::Instant::now();
    let m = measure::measure(&cfg, lib, &mut |s| {
        eprintln!("  [{:6.1} s] {}: {s}", t0.elapsed().as_secs_f64(), d.label)
    })
    .map_err(|e| match e {
        cporx_synth::SynthError::NotMeasured(why) => {
            Fail::NotMeasured(format!("{}: {why}", d.label))
        }
        e => Fail::Error(e.to_string()),
    })?;
    Ok(m)
}

/// The block a netlist block is reported under.
fn category(block: &str) -> &'static str {
    match block {
        "ffe" => "FFE",
        "slicer" => "slicer",
        "dfe" => "DFE",
        "cdr" => "CDR",
        b if b.starts_with("adapt") || ["agc", "lms", "levels"].contains(&b) => "adaptation",
        _ => "bus, read-back",
    }
}

const CATEGORIES: [&str; 6] = [
    "FFE",
    "slicer",
    "DFE",
    "CDR",
    "adaptation",
    "bus, read-back",
];

/// pJ/bit per category (liberty convention), the clock net, and the total DSP.
struct Figures {
    per: Vec<(&'static str, f64)>,
    clock: f64,
    dsp: f64,
    adc: f64,
}

fn figures(m: &Measured, adc_bits: u32) -> Figures {
    let mut per: Vec<(&'static str, f64)> = CATEGORIES.iter().map(|c| (*c, 0.0)).collect();
    for b in &m.blocks {
        let c = category(&b.name);
        let e = per.iter_mut().find(|x| x.0 == c).unwrap();
        e.1 += m.pj_per_bit(b.sum.total());
    }
    let clock = m.pj_per_bit(m.sum.inputs_clock);
    let dsp = per.iter().map(|x| x.1).sum::<f64>() + clock + m.pj_per_bit(m.sum.inputs_data);
    // one conversion per symbol, 2 bits per symbol
    let adc = en::adc_energy_per_sample_pj(adc_bits) / 2.0;
    Figures {
        per,
        clock,
        dsp,
        adc,
    }
}

fn record(d: &Design, m: &Measured, f: &Figures, a: &EnergyArgs) -> EnergyRecord {
    let sum_cells: f64 = m.sum_2019.cells.iter().map(|c| c.total()).sum();
    EnergyRecord {
        label: d.label.clone(),
        channel: d.case.name.clone(),
        n_taps: m.rx.n_taps,
        dfe_taps: m.rx.dfe_taps,
        lanes: m.rx.lanes,
        snr_db: a.snr_db,
        seed: a.seed,
        baud_gbd: a.baud_gbd,
        cycles_counted: m.toggles.cycles,
        cycles_compared: m.compared,
        mismatches: m.mismatches,
        cells: m.mapped.netlist.cells.len(),
        area_um2: m.blocks.iter().map(|b| b.area).sum(),
        blocks_pj: f.per.iter().map(|(c, e)| (c.to_string(), *e)).collect(),
        clock_net_pj: f.clock,
        dsp_pj: f.dsp,
        dsp_scaled_pj: en::scaled_pj(f.dsp),
        scaled_node_nm: en::SCALE_NODE_NM,
        opensta_pj: m.pj_per_bit(m.sta.total.total()),
        sta_check_pct: (m.sta.total.total() / sum_cells - 1.0) * 100.0,
        wire_cap_ff: a.wire_cap_ff,
        slew_ns: a.slew_ns,
    }
}

fn print_one(d: &Design, m: &Measured, a: &EnergyArgs) -> Result<Figures, Fail> {
    let f = figures(m, a.adc_bits);
    let rx = &m.rx;
    println!(
        "\n## {}: {} | {} taps{} | {} lane(s) | clock {:.3} GHz ({:.2} Gb/s) | SNR {} dB, seed {}",
        d.label,
        d.case.name,
        rx.n_taps,
        if rx.dfe_taps > 0 { " + 1-tap DFE" } else { "" },
        rx.lanes,
        1.0 / m.clock_period_ns,
        m.bits_per_cycle() / m.clock_period_ns,
        a.snr_db,
        a.seed
    );
    println!(
        "activity: {} cycles counted from cycle {} (loops settled: lock at {}, converged at {}); {} toggles on {} nets ({:.3} per net per cycle)",
        m.toggles.cycles,
        m.settle,
        m.loop_lock.map_or("-".into(), |l| format!("{l} UI")),
        m.loop_converged_ui.map_or("(lock + 2000 UI)".into(), |l| format!("{l} UI")),
        m.toggles.total(),
        m.mapped.netlist.n_nets,
        m.toggles.total() as f64 / m.toggles.cycles as f64 / m.mapped.netlist.n_nets.max(1) as f64
    );
    println!(
        "cell netlist against the model: {} cycles compared on every output, {} mismatches{}",
        m.compared,
        m.mismatches,
        m.first_mismatch
            .as_ref()
            .map_or(String::new(), |s| format!(" (first: {s})"))
    );
    println!();
    println!("| block | cells | flops | area (um^2) | OpenSTA int / sw / leak (mW) | pJ/bit (liberty) | pJ/bit (OpenSTA) |");
    println!("|---|---:|---:|---:|---|---:|---:|");
    for b in &m.blocks {
        println!(
            "| {} ({}) | {} | {} | {:.0} | {:.2} / {:.2} / {:.2e} | {:.2} | {:.2} |",
            b.name,
            category(&b.name),
            b.cells,
            b.flops,
            b.area,
            b.sta.internal * 1e3,
            b.sta.switching * 1e3,
            b.sta.leakage * 1e3,
            m.pj_per_bit(b.sum.total()),
            m.pj_per_bit(b.sta.total())
        );
    }
    println!(
        "| clock net (ideal: the flops' clock pins, no tree) | | | | not counted by OpenSTA | {:.2} | - |",
        f.clock
    );
    println!(
        "| input nets (driven by the ports) | | | | | {:.2} | - |",
        m.pj_per_bit(m.sum.inputs_data)
    );
    println!(
        "| **total DSP, 180 nm, measured** | {} | {} | {:.0} (Yosys {:.0}) | | **{:.2}** | {:.2} |",
        m.mapped.netlist.cells.len(),
        m.blocks.iter().map(|b| b.flops).sum::<usize>(),
        m.blocks.iter().map(|b| b.area).sum::<f64>(),
        m.mapped.chip_area,
        f.dsp,
        m.pj_per_bit(m.sta.total.total())
    );
    println!(
        "| total DSP, scaled to {} nm (estimate) | | | | | {:.3} | |",
        en::SCALE_NODE_NM,
        en::scaled_pj(f.dsp)
    );
    println!(
        "| ADC, {} bits (published FOM, not measured) | | | | | {:.2} | |",
        a.adc_bits, f.adc
    );
    println!(
        "total: {:.2} pJ/bit measured at 180 nm (DSP); {:.3} pJ/bit scaled to {} nm, + ADC {:.2} pJ/bit = {:.2} pJ/bit",
        f.dsp,
        en::scaled_pj(f.dsp),
        en::SCALE_NODE_NM,
        f.adc,
        en::scaled_pj(f.dsp) + f.adc
    );
    // the check of OpenSTA against the independent sum, in OpenSTA's convention, over
    // what OpenSTA counts (the cells)
    let sta_t = m.sta.total.total();
    let sum_cells: f64 = m.sum_2019.cells.iter().map(|c| c.total()).sum();
    println!(
        "check: OpenSTA {:.4e} W against the independent sum {:.4e} W in OpenSTA 2019's convention ({:+.1} %); the liberty's convention (reported) counts internal energy per transition as the mean of rise and fall, OpenSTA 2019 as their sum",
        sta_t,
        sum_cells,
        (sta_t / sum_cells - 1.0) * 100.0
    );
    if m.mismatches > 0 {
        return Err(Fail::Error(format!(
            "{}: the cell netlist differs from the model in {} of {} cycles: its activity is not the design's",
            d.label, m.mismatches, m.compared
        )));
    }
    if m.toggles.total() == 0 {
        return Err(Fail::NotMeasured(format!(
            "{}: no toggles counted in {} cycles",
            d.label, m.toggles.cycles
        )));
    }
    Ok(f)
}

pub fn run(a: &EnergyArgs) -> Result<(), Fail> {
    check(a)?;
    if let Some(r) = &a.readme {
        cli::check_markers(r, README_BEGIN, README_END)?;
    }
    let lib_path =
        cporx_synth::energy::sta::find_liberty(a.liberty.as_deref()).map_err(|e| e.to_string())?;
    let lib = Liberty::read(&lib_path).map_err(|e| e.to_string())?;
    lib.check_power().map_err(|e| e.to_string())?;
    cporx_synth::energy::sta::find_sta().map_err(|e| e.to_string())?;
    let baud_hz = a.baud_gbd * 1e9;
    let chan = |name: &str| -> Result<Case, String> {
        let dir = cli::channel_dir(a.channels.as_deref())?;
        case_of(&dir.join(name), baud_hz)
    };
    println!(
        "cporx energy: OSU 0.18 um cells ({}), 1.8 V; activity from the cell netlist in the closed loop; OpenSTA report_power and an independent sum from the liberty; wire {} fF per fanout pin (assumed; the liberty has no wire-load model), input slew {} ns",
        lib_path.display(),
        a.wire_cap_ff,
        a.slew_ns
    );
    let designs: Vec<Design> = if a.compare {
        vec![
            Design {
                label: "co-packaged".into(),
                case: chan(CPO_CHANNEL)?,
                rx: None,
                taps: CPO_TAPS,
                dfe: false,
                lanes: a.lanes,
            },
            Design {
                label: "pluggable-class (fewest taps)".into(),
                case: chan(HOST_CHANNEL)?,
                rx: None,
                taps: HOST_TAPS,
                dfe: false,
                lanes: a.lanes,
            },
            Design {
                label: "pluggable-class (802.3dj-style 16 taps + 1-tap DFE)".into(),
                case: chan(HOST_CHANNEL)?,
                rx: None,
                taps: DJ_TAPS,
                dfe: true,
                lanes: a.lanes,
            },
        ]
    } else {
        let case = match &a.channel {
            Some(f) => case_of(f, baud_hz)?,
            None => chan(CPO_CHANNEL)?,
        };
        let rx = match &a.config {
            Some(p) => Some(cli::load_params(&Some(p.clone()))?),
            None => None,
        };
        vec![Design {
            label: match &a.config {
                Some(p) => format!("the receiver of {}", p.display()),
                None => format!("{} taps{}", a.taps, if a.dfe == 1 { " + DFE" } else { "" }),
            },
            case,
            rx,
            taps: a.taps,
            dfe: a.dfe == 1,
            lanes: a.lanes,
        }]
    };
    let designs = if a.sweep.is_empty() {
        designs
    } else {
        let case = designs[0].case.clone();
        let mut v = vec![];
        for &t in &a.sweep {
            cli::check_range("sweep", t as f64, MIN_TAPS as f64, MAX_TAPS as f64, "")?;
            for dfe in [false, true] {
                v.push(Design {
                    label: format!("{t} taps{}", if dfe { " + DFE" } else { "" }),
                    case: case.clone(),
                    rx: None,
                    taps: t,
                    dfe,
                    lanes: a.lanes,
                });
            }
        }
        v
    };
    let mut figs = vec![];
    let mut records = vec![];
    for d in &designs {
        let m = measure_one(a, d, &lib, &lib_path)?;
        let f = print_one(d, &m, a)?;
        records.push(record(d, &m, &f, a));
        figs.push(f);
    }
    if let Some(path) = &a.json {
        let text = serde_json::to_string_pretty(&records).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                format!("cannot create {}: {}", dir.display(), crate::out::plain(&e))
            })?;
        }
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {}", path.display(), crate::out::plain(&e)))?;
        println!(
            "\nwrote {} ({} configurations)",
            path.display(),
            records.len()
        );
    }
    if a.compare {
        let mut md = String::new();
        wl!(md, "\n### Co-packaged against pluggable-class, same throughput (pJ/bit, liberty convention, 180 nm measured)\n");
        wl!(
            md,
            "| block | {} |",
            designs
                .iter()
                .map(|d| d.label.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(md, "|---|{}", "---:|".repeat(designs.len()));
        for (i, c) in CATEGORIES.iter().enumerate() {
            wl!(
                md,
                "| {c} | {} |",
                figs.iter()
                    .map(|f| format!("{:.2}", f.per[i].1))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        wl!(
            md,
            "| clock net | {} |",
            figs.iter()
                .map(|f| format!("{:.2}", f.clock))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(
            md,
            "| **DSP total** | {} |",
            figs.iter()
                .map(|f| format!("**{:.2}**", f.dsp))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(
            md,
            "| DSP scaled to {} nm (estimate) | {} |",
            en::SCALE_NODE_NM,
            figs.iter()
                .map(|f| format!("{:.3}", en::scaled_pj(f.dsp)))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(
            md,
            "| ADC {} bits (published FOM) | {} |",
            a.adc_bits,
            figs.iter()
                .map(|f| format!("{:.2}", f.adc))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(
            md,
            "| scaled DSP + ADC | {} |",
            figs.iter()
                .map(|f| format!("{:.2}", en::scaled_pj(f.dsp) + f.adc))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        // each receiver at the fewest ADC bits that reach the study's target with its taps
        // (statistical BER, the study's conventions)
        let o = StudyOpts {
            snr_db: a.snr_db,
            ..StudyOpts::default()
        };
        let bits: Vec<Option<u32>> = designs
            .iter()
            .map(|d| {
                (1..=ADC_BITS as u32).find(|&b| {
                    study::best_design_with(&d.case, &o, d.taps, b, d.dfe)
                        .is_some_and(|x| x.stat.ber <= o.target_ber)
                })
            })
            .collect();
        let adc_at = |b: Option<u32>| b.map(|b| en::adc_energy_per_sample_pj(b) / 2.0);
        wl!(
            md,
            "| fewest ADC bits for BER {:.0e} (statistical) | {} |",
            o.target_ber,
            bits.iter()
                .map(|b| b.map_or("not reached".into(), |b| b.to_string()))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        wl!(
            md,
            "| scaled DSP + ADC at those bits | {} |",
            figs.iter()
                .zip(&bits)
                .map(
                    |(f, b)| adc_at(*b).map_or("not measured".into(), |x| format!(
                        "{:.2}",
                        en::scaled_pj(f.dsp) + x
                    ))
                )
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let c = &figs[0];
        for (i, (d, f)) in designs.iter().zip(&figs).enumerate().skip(1) {
            if let (Some(x0), Some(x1)) = (adc_at(bits[0]), adc_at(bits[i])) {
                let (e0, e1) = (en::scaled_pj(c.dsp) + x0, en::scaled_pj(f.dsp) + x1);
                wl!(md,
                    "\nco-packaged / {} at their fewest ADC bits ({} and {}): scaled DSP + ADC {:.2} (saves {:.0} %)",
                    d.label,
                    bits[0].unwrap(),
                    bits[i].unwrap(),
                    e0 / e1,
                    (1.0 - e0 / e1) * 100.0
                );
            }
            wl!(md,
                "\nco-packaged / {}: DSP {:.2} (saves {:.0} %); with the same ADC, scaled DSP + ADC {:.2} (saves {:.0} %)",
                d.label,
                c.dsp / f.dsp,
                (1.0 - c.dsp / f.dsp) * 100.0,
                (en::scaled_pj(c.dsp) + c.adc) / (en::scaled_pj(f.dsp) + f.adc),
                (1.0 - (en::scaled_pj(c.dsp) + c.adc) / (en::scaled_pj(f.dsp) + f.adc)) * 100.0
            );
        }
        wl!(md,
            "\nThe ratio is the receive DSP's alone (the claimed 30-50 % co-packaging saving is of the whole module, where the DSP retimer is put at 25-30 % of its power; these figures leave out the transmitter, the analog front end, the optics and the host SerDes)."
        );
        print!("{md}");
        if let Some(r) = &a.readme {
            let body = format!(
                "Printed by `cargo run --release -- energy --compare --readme README.md` (OSU 0.18 um, {} counted cycles per receiver, SNR {} dB, seed {}; wire {} fF per fanout, slew {} ns):\n{md}",
                a.cycles, a.snr_db, a.seed, a.wire_cap_ff, a.slew_ns
            );
            cli::replace_between(r, README_BEGIN, README_END, &body)?;
            println!(
                "wrote {} (the comparison between {README_BEGIN} and {README_END})",
                r.display()
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The energy table (`--sweep ... --json`), as the study reads it

/// Where the study finds the table under the checkout.
pub const TABLE_REL: &str = "docs/energy/taps.json";

/// The DSP's energy per bit at 180 nm of one (taps, DFE) from the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TableEnergy {
    /// a measured row
    Measured(f64),
    /// linear in the tap count between the measured neighbours
    Interpolated(f64),
    /// outside the measured tap counts (no extrapolation)
    NotMeasured,
}

impl TableEnergy {
    pub fn pj(self) -> Option<f64> {
        match self {
            TableEnergy::Measured(x) | TableEnergy::Interpolated(x) => Some(x),
            TableEnergy::NotMeasured => None,
        }
    }
}

/// Read a `--json` table; every record must be a clean measurement (netlist equal to the
/// model), else the error names the record.
pub fn load_table(path: &Path) -> Result<Vec<EnergyRecord>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), crate::out::plain(&e)))?;
    let t: Vec<EnergyRecord> = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not an energy table ({e})", path.display()))?;
    if let Some(r) = t.iter().find(|r| r.mismatches > 0 || r.cycles_counted == 0) {
        return Err(format!(
            "{}: record `{}` is not a clean measurement ({} mismatches, {} cycles counted)",
            path.display(),
            r.label,
            r.mismatches,
            r.cycles_counted
        ));
    }
    Ok(t)
}

/// The 180 nm DSP energy per bit of `taps` taps (with the DFE or not), 1 lane.
pub fn table_energy(t: &[EnergyRecord], taps: usize, dfe: bool) -> TableEnergy {
    let mut pts: Vec<(usize, f64)> = t
        .iter()
        .filter(|r| r.lanes == 1 && (r.dfe_taps > 0) == dfe)
        .map(|r| (r.n_taps, r.dsp_pj))
        .collect();
    pts.sort_by_key(|p| p.0);
    if let Some(p) = pts.iter().find(|p| p.0 == taps) {
        return TableEnergy::Measured(p.1);
    }
    let lo = pts.iter().rev().find(|p| p.0 < taps);
    let hi = pts.iter().find(|p| p.0 > taps);
    match (lo, hi) {
        (Some(a), Some(b)) => {
            let w = (taps - a.0) as f64 / (b.0 - a.0) as f64;
            TableEnergy::Interpolated(a.1 + w * (b.1 - a.1))
        }
        _ => TableEnergy::NotMeasured,
    }
}

/// The indices of the Pareto front of `(energy, ber)` points (no other point has both no
/// more energy and no higher BER, and one of them less), in energy order; of identical
/// points the first.
pub fn pareto_front(p: &[(f64, f64)]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.len())
        .filter(|&i| p[i].0.is_finite() && p[i].1.is_finite())
        .filter(|&i| {
            !(0..p.len()).any(|j| {
                j != i
                    && p[j].0 <= p[i].0
                    && p[j].1 <= p[i].1
                    && (p[j].0 < p[i].0 || p[j].1 < p[i].1 || j < i)
            })
        })
        .collect();
    idx.sort_by(|&a, &b| p[a].0.total_cmp(&p[b].0));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(taps: usize, dfe: usize, pj: f64) -> EnergyRecord {
        EnergyRecord {
            label: format!("{taps}/{dfe}"),
            channel: "c".into(),
            n_taps: taps,
            dfe_taps: dfe,
            lanes: 1,
            snr_db: 33.0,
            seed: 1,
            baud_gbd: 53.125,
            cycles_counted: 100,
            cycles_compared: 100,
            mismatches: 0,
            cells: 1,
            area_um2: 1.0,
            blocks_pj: vec![],
            clock_net_pj: 0.0,
            dsp_pj: pj,
            dsp_scaled_pj: en::scaled_pj(pj),
            scaled_node_nm: 7,
            opensta_pj: pj,
            sta_check_pct: 0.0,
            wire_cap_ff: 5.0,
            slew_ns: 0.1,
        }
    }

    #[test]
    fn table_lookups_measure_interpolate_or_refuse() {
        let t = vec![
            rec(2, 0, 100.0),
            rec(4, 0, 140.0),
            rec(8, 0, 300.0),
            rec(4, 1, 200.0),
        ];
        assert_eq!(table_energy(&t, 4, false), TableEnergy::Measured(140.0));
        assert_eq!(table_energy(&t, 3, false), TableEnergy::Interpolated(120.0));
        assert_eq!(table_energy(&t, 6, false), TableEnergy::Interpolated(220.0));
        assert_eq!(table_energy(&t, 16, false), TableEnergy::NotMeasured);
        assert_eq!(table_energy(&t, 2, true), TableEnergy::NotMeasured);
        assert_eq!(table_energy(&t, 4, true), TableEnergy::Measured(200.0));
        assert_eq!(table_energy(&[], 4, false), TableEnergy::NotMeasured);
    }

    #[test]
    fn pareto_front_keeps_the_undominated_points_once() {
        let p = [
            (1.0, 1e-3), // front
            (2.0, 1e-5), // front
            (2.0, 1e-4), // dominated by 1 (same energy, higher BER)
            (3.0, 1e-5), // dominated by 1 (more energy, same BER)
            (1.0, 1e-3), // a copy of 0: only the first stays
            (4.0, 1e-9), // front
            (0.5, 1e-1), // front
        ];
        assert_eq!(pareto_front(&p), vec![6, 0, 1, 5]);
        assert_eq!(pareto_front(&[]), Vec::<usize>::new());
    }
}
