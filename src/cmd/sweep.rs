//! `cporx sweep`: ECP5 builds of the BIST top for each lane count (through
//! `cmd::build::build_one`) and the P-sweep table (utilization, Fmax against the target,
//! throughput P x Fmax x 2 bit, the critical path), optionally written into a README.
//! `--shard K/N` builds the lane counts of its round-robin share and writes their rows as a
//! shard file; [`merge`] puts the rows back in `--lanes` order (docs/shards.md).

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
    /// build only shard K of N of the lane counts (round-robin: the i-th listed to shard
    /// i mod N + 1) and write their rows as a shard file; `cporx merge` of all N writes the
    /// single run's table (docs/shards.md)
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse)]
    pub shard: Option<super::shard::Shard>,
    /// the shard file (with --shard); default cporx-sweep-shard-K-of-N.json
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub json: Option<PathBuf>,
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

/// The sweep's job: the board, the base parameters, the output folder, the table head
/// and the job's identity (board, lane counts, seed, parameters).
struct Job {
    board: Board,
    base: cporx_spec::RxParams,
    out: PathBuf,
    head: String,
    hash: super::shard::JobHash,
}

fn job(a: &SweepArgs) -> Result<Job, String> {
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
    let mut hash = super::shard::JobHash::new("sweep");
    hash.value("board", board.name());
    hash.value("lanes", &format!("{:?}", a.lanes));
    hash.value("seed", &a.seed.to_string());
    hash.value("params", &format!("{base:?}"));
    Ok(Job {
        board,
        base,
        out,
        head,
        hash,
    })
}

/// Build lane count `l` and give its table row.
fn build_row(a: &SweepArgs, j: &Job, l: usize) -> Result<String, String> {
    let p = j.base.with_lanes(l).map_err(|e| e.to_string())?;
    let mhz = target_for(l);
    let t0 = std::time::Instant::now();
    println!("sweep: P = {l}, target {mhz} MHz ...");
    let r = build_one(
        j.board,
        "bist",
        &p,
        mhz,
        &j.out.join(format!("p{l}")),
        a.seed,
    )?;
    let row = sweep_row(l, &r);
    println!("{row}   ({:.0} s)", t0.elapsed().as_secs_f64());
    Ok(row)
}

/// A sweep shard's rows: (index in --lanes, lane count, the table row).
#[derive(serde::Serialize, serde::Deserialize)]
struct SweepShard {
    rows: Vec<(usize, usize, String)>,
}

pub fn run(a: &SweepArgs) -> Result<(), String> {
    let j = job(a)?;
    super::build::note_cold_tools();
    if let Some(sh) = a.shard {
        let path = a.json.clone().unwrap_or_else(|| sh.default_file("sweep"));
        crate::out::check_writable(&path)?;
        let mut rows = vec![];
        for (i, &l) in a.lanes.iter().enumerate() {
            if sh.owns(i as u64) {
                rows.push((i, l, build_row(a, &j, l)?));
            }
        }
        if rows.is_empty() {
            eprintln!(
                "warning: shard {sh} has no lane count ({} for {} shards): its file says so",
                a.lanes.len(),
                sh.n
            );
        }
        let v = serde_json::to_value(SweepShard { rows }).map_err(|e| e.to_string())?;
        return super::shard::write(&path, "sweep", &j.hash, sh, super::shard::job_args(), v);
    }
    let mut rows = vec![];
    let table_path = j.out.join("sweep.md");
    for &l in &a.lanes {
        rows.push(build_row(a, &j, l)?);
        // written as the rows come: an interrupted sweep keeps what it finished
        crate::out::write(&table_path, format!("{}\n{}\n", j.head, rows.join("\n")))?;
    }
    finish(a, &j, &rows)
}

/// The table of every row: printed, written to sweep.md and the README.
fn finish(a: &SweepArgs, j: &Job, rows: &[String]) -> Result<(), String> {
    let table_path = j.out.join("sweep.md");
    let table = format!("{}\n{}\n", j.head, rows.join("\n"));
    crate::out::write(&table_path, &table)?;
    println!("\n{table}\nwrote {}", table_path.display());
    if let Some(readme) = &a.readme {
        crate::cli::replace_between(readme, "<!-- sweep:begin -->", "<!-- sweep:end -->", &table)?;
        println!("updated {}", readme.display());
    }
    Ok(())
}

/// `cporx merge` of a sweep job: every shard's rows in --lanes order.
pub fn merge(files: &[super::shard::ShardFile]) -> Result<(), String> {
    let a: SweepArgs = super::merge::parse_args(&files[0])?;
    let j = job(&a)?;
    if j.hash.hex() != files[0].job {
        return Err(format!(
            "the sweep's options here are not the shards' (job {} here, {} in the shards; a changed --config file?)",
            j.hash.hex(),
            files[0].job
        ));
    }
    let mut rows: Vec<Option<String>> = vec![None; a.lanes.len()];
    for f in files {
        let s: SweepShard = super::shard::result(f)?;
        let sh = super::shard::Shard {
            k: f.shard,
            n: f.of,
        };
        for (i, l, row) in s.rows {
            if i >= rows.len() || a.lanes[i] != l || !sh.owns(i as u64) || rows[i].is_some() {
                return Err(format!(
                    "shard {sh} holds a row for lane count {l} at place {i}, not its share of --lanes {:?}",
                    a.lanes
                ));
            }
            rows[i] = Some(row);
        }
    }
    let missing: Vec<String> = a
        .lanes
        .iter()
        .zip(&rows)
        .filter(|(_, r)| r.is_none())
        .map(|(l, _)| format!("P = {l}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("the shards hold no row for {}", missing.join(", ")));
    }
    let rows: Vec<String> = rows.into_iter().flatten().collect();
    finish(&a, &j, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::shard::{Shard, ShardFile, FORMAT};
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: SweepArgs,
    }

    /// The merge without the builds: the rows of 2 shards (round-robin over --lanes) come
    /// back in --lanes order; a row out of its shard's share, or a missing one, is refused.
    #[test]
    fn the_merge_puts_the_rows_back_in_lane_order() {
        let out = std::env::temp_dir().join(format!("cporx-sweep-merge-{}", std::process::id()));
        let o = out.to_str().unwrap().to_string();
        let args = ["sweep", "--lanes", "1,2,4", "--out", &o];
        let a = T::parse_from(args).a;
        let j = job(&a).unwrap();
        let file = |k: u32, rows: Vec<(usize, usize, String)>| ShardFile {
            format: FORMAT.into(),
            command: "sweep".into(),
            job: j.hash.hex(),
            job_desc: j.hash.describe(),
            shard: k,
            of: 2,
            args: args.map(String::from).to_vec(),
            result: serde_json::to_value(SweepShard { rows }).unwrap(),
        };
        let row = |l: usize| format!("| {l} | row of P = {l} |");
        let s1 = file(1, vec![(0, 1, row(1)), (2, 4, row(4))]);
        let s2 = file(2, vec![(1, 2, row(2))]);
        merge(&[s1.clone(), s2.clone()]).unwrap();
        let t = std::fs::read_to_string(out.join("sweep.md")).unwrap();
        assert_eq!(
            t,
            format!("{}\n{}\n{}\n{}\n", j.head, row(1), row(2), row(4))
        );
        assert!(Shard { k: 1, n: 2 }.owns(2) && Shard { k: 2, n: 2 }.owns(1));
        // P = 2 in shard 1's file: not its share
        let bad = file(1, vec![(0, 1, row(1)), (1, 2, row(2)), (2, 4, row(4))]);
        let e = merge(&[bad, s2]).unwrap_err();
        assert!(e.contains("not its share"), "{e}");
        let e = merge(&[s1, file(2, vec![])]).unwrap_err();
        assert_eq!(e, "the shards hold no row for P = 2");
        let _ = std::fs::remove_dir_all(&out);
    }
}
