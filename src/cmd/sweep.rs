//! `cporx sweep`: ECP5 builds of the BIST top for each lane count (through
//! `cmd::build::build_one`) and the P-sweep table (utilization, Fmax against the target,
//! throughput P x Fmax x 2 bit, the critical path), optionally written into a README.

use super::build::{build_one, target_for};
use clap::Args;
use cporx_synth::{Board, FlowReport};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// board: ulx3s-85f or orangecrab-25f
    #[arg(long, default_value = "ulx3s-85f")]
    pub board: String,
    /// lane counts to build, comma separated, each 1, 2, 4, 8 or 16
    #[arg(long, value_delimiter = ',', default_values_t = vec![1usize, 2, 4, 8, 16])]
    pub lanes: Vec<usize>,
    /// output folder (created if missing; one sub-folder per lane count); default out/sweep/<board>
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// receive-top parameter file (its `lanes` is replaced by each swept value)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// replace the text between `<!-- sweep:begin -->` and `<!-- sweep:end -->` in this file
    /// (checked before the first build)
    #[arg(long)]
    pub readme: Option<PathBuf>,
    /// nextpnr placement seed (any u64)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// One row of the P-sweep table.
pub fn sweep_row(lanes: usize, r: &FlowReport) -> String {
    let n = &r.nextpnr;
    let u = |cell: &str| {
        n.utilization
            .get(cell)
            .map(|x| {
                format!(
                    "{} ({:.1}%)",
                    x.used,
                    100.0 * x.used as f64 / x.available.max(1) as f64
                )
            })
            .unwrap_or_else(|| "0".into())
    };
    let fmax = n.fmax_mhz().unwrap_or(0.0);
    let target = r.target_mhz;
    let verdict = if fmax >= target {
        "met".to_string()
    } else {
        format!(
            "missed by {:.1} MHz ({:.0}%)",
            target - fmax,
            100.0 * (target - fmax) / target
        )
    };
    let path = n
        .critical_paths
        .iter()
        .find(|p| p.from.starts_with("posedge") && p.to.starts_with("posedge"))
        .map(|p| {
            format!(
                "{:.2} ns, {} logic levels: `{}` -> `{}`",
                p.delay_ns,
                p.logic_levels,
                short_cell(&p.start),
                short_cell(&p.end)
            )
        })
        .unwrap_or_default();
    format!(
        "| {lanes} | {} | {} | {} | {} | {fmax:.1} | {target:.0} | {verdict} | {:.2} Gb/s | {path} |",
        u("TRELLIS_COMB"),
        u("TRELLIS_FF"),
        u("MULT18X18D"),
        u("DP16KD"),
        lanes as f64 * fmax * 2.0 / 1000.0,
    )
}

/// nextpnr cell names carry the design hierarchy; keep the last few levels.
fn short_cell(c: &str) -> String {
    let parts: Vec<&str> = c.split('.').collect();
    let k = parts.len().saturating_sub(3);
    parts[k..].join(".")
}

pub fn run(a: &SweepArgs) -> Result<(), String> {
    let board = Board::parse(&a.board).map_err(|e| format!("--board: {e}"))?;
    let base = crate::cli::load_params(&a.config)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/sweep").join(board.name()));
    for &l in &a.lanes {
        base.with_lanes(l).map_err(|e| format!("--lanes: {e}"))?;
    }
    if let Some(readme) = &a.readme {
        crate::cli::check_markers(readme, "<!-- sweep:begin -->", "<!-- sweep:end -->")?;
    }
    crate::out::create_dir(&out)?;
    crate::out::check_writable(&out.join("sweep.md"))?;
    super::build::note_cold_tools();
    let head = format!(
        "P sweep of the BIST top on {} ({}), nextpnr seed {}: receive top with {} FFE taps; \
         target 200 MHz at P = 1, 150 MHz above. Rerun: `cargo run --release -- sweep --board {} --readme README.md`.\n\n\
         | P | LUT4 | FF | MULT18X18D | DP16KD | Fmax MHz | target MHz | timing | throughput (P x Fmax x 2 bit) | critical path |\n\
         |---|---|---|---|---|---|---|---|---|---|",
        board,
        board.part(),
        a.seed,
        base.n_taps,
        board.name()
    );
    let mut rows = vec![];
    let table_path = out.join("sweep.md");
    for &l in &a.lanes {
        let p = base.with_lanes(l).map_err(|e| e.to_string())?;
        let mhz = target_for(l);
        let t0 = std::time::Instant::now();
        println!("sweep: P = {l}, target {mhz} MHz ...");
        let r = build_one(board, "bist", &p, mhz, &out.join(format!("p{l}")), a.seed)?;
        let row = sweep_row(l, &r);
        println!("{row}   ({:.0} s)", t0.elapsed().as_secs_f64());
        rows.push(row);
        // written as the rows come: an interrupted sweep keeps what it finished
        crate::out::write(&table_path, format!("{head}\n{}\n", rows.join("\n")))?;
    }
    let table = format!("{head}\n{}\n", rows.join("\n"));
    println!("\n{table}\nwrote {}", table_path.display());
    if let Some(readme) = &a.readme {
        crate::cli::replace_between(readme, "<!-- sweep:begin -->", "<!-- sweep:end -->", &table)?;
        println!("updated {}", readme.display());
    }
    Ok(())
}

pub fn merge(_files: &[super::shard::ShardFile]) -> Result<(), String> {
    Err("todo".into())
}
