//! `cporx sweep`: ECP5 builds of the BIST top for each lane count and each placement seed
//! (through `cmd::build::build_one`) and the P-sweep table: per lane count the receive
//! datapath's Fmax (the PLL's main clock, `clk_pll`) as the median, min and max over the
//! seeds against the target, the report logic's Fmax (its own clock, `clk_pll_slow`),
//! utilization, throughput P x median Fmax x 2 bit and the median build's critical path;
//! optionally written into a README. `--shard K/N` builds the (lane count, seed) pairs of
//! its round-robin share (pairs in `--lanes` order, seeds inner) and writes their results
//! as a shard file; [`merge`] renders the single run's table from all shards
//! (docs/shards.md).

use super::build::{build_one, target_for};
use clap::Args;
use cporx_synth::pll::{PLL_NET, PLL_NET_SLOW};
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
    /// output folder (created if missing; one sub-folder per lane count and seed); default
    /// out/sweep/<board>
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// receive-top parameter file (its `lanes` is replaced by each swept value)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// replace the text between `<!-- sweep:begin -->` and `<!-- sweep:end -->` in this file
    /// (checked before the first build)
    #[arg(long)]
    pub readme: Option<PathBuf>,
    /// nextpnr placement seeds: a comma-separated list (`1,2,3`), or one number N for the
    /// seeds 1 ..= N (1 ..= 1000); each lane count is built with each seed
    #[arg(long, default_value = "1", value_parser = parse_seeds)]
    pub seeds: Seeds,
    /// build only shard K of N of the (lane count, seed) pairs (round-robin: the i-th pair,
    /// lanes outer and seeds inner, to shard i mod N + 1) and write their results as a
    /// shard file; `cporx merge` of all N writes the single run's table (docs/shards.md)
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse)]
    pub shard: Option<super::shard::Shard>,
    /// the shard file (with --shard); default cporx-sweep-shard-K-of-N.json
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub json: Option<PathBuf>,
}

/// The placement seeds of a sweep, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct Seeds(pub Vec<u64>);

/// Most seeds `--seeds N` asks for.
const SEEDS_MAX: u64 = 1000;

/// `--seeds`: `1,2,3` (those seeds) or `N` (seeds 1 ..= N); no duplicates.
pub fn parse_seeds(s: &str) -> Result<Seeds, String> {
    let num = |t: &str| {
        t.trim().parse::<u64>().map_err(|_| {
            format!("`{t}` is not a seed (an unsigned integer); legal: a list `1,2,3` or a count N in 1 ..= {SEEDS_MAX}")
        })
    };
    let v: Vec<u64> = if s.contains(',') {
        s.split(',').map(num).collect::<Result<_, _>>()?
    } else {
        let n = num(s)?;
        if !(1..=SEEDS_MAX).contains(&n) {
            return Err(format!(
                "a seed count of {n} is out of range; legal: 1 ..= {SEEDS_MAX} (or a list `1,2,3`)"
            ));
        }
        (1..=n).collect()
    };
    let mut u = v.clone();
    u.sort_unstable();
    u.dedup();
    if u.len() != v.len() {
        return Err(format!("seed list {s} repeats a seed"));
    }
    Ok(Seeds(v))
}

/// One build's figures: what the table needs from its `FlowReport`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BuildFigures {
    pub lanes: usize,
    pub seed: u64,
    /// the PLL's main output, the datapath's clock constraint, MHz
    pub target_mhz: f64,
    /// Fmax of the datapath's clock (`clk_pll`); None: nextpnr reported no such clock
    pub fmax_mhz: Option<f64>,
    /// Fmax and constraint of the report clock (`clk_pll_slow`)
    pub report_fmax_mhz: Option<f64>,
    pub report_target_mhz: Option<f64>,
    /// (cell type, used, available) of TRELLIS_COMB, TRELLIS_FF, MULT18X18D, DP16KD
    pub cells: Vec<(String, u64, u64)>,
    /// the datapath clock's register-to-register critical path, as the table shows it
    pub path: String,
}

/// The table's cell types, in column order.
const CELLS: [&str; 4] = ["TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D", "DP16KD"];

impl BuildFigures {
    pub fn of(lanes: usize, r: &FlowReport) -> BuildFigures {
        let n = &r.nextpnr;
        let clock = |name: &str| n.clocks.iter().find(|c| c.name == name);
        let edge = format!("posedge {PLL_NET}");
        let path = n
            .critical_paths
            .iter()
            .find(|p| p.from == edge && p.to == edge)
            .map(|p| {
                format!(
                    "{:.2} ns, {} logic levels: `{}` -> `{}`",
                    p.delay_ns,
                    p.logic_levels,
                    short_cell(&p.start),
                    short_cell(&p.end)
                )
            })
            .unwrap_or_else(|| "not reported".into());
        BuildFigures {
            lanes,
            seed: r.seed,
            target_mhz: r.target_mhz,
            fmax_mhz: clock(PLL_NET).map(|c| c.achieved_mhz),
            report_fmax_mhz: clock(PLL_NET_SLOW).map(|c| c.achieved_mhz),
            report_target_mhz: clock(PLL_NET_SLOW).map(|c| c.constraint_mhz),
            cells: CELLS
                .iter()
                .map(|c| {
                    let u = n.utilization.get(*c);
                    (
                        c.to_string(),
                        u.map_or(0, |u| u.used),
                        u.map_or(0, |u| u.available),
                    )
                })
                .collect(),
            path,
        }
    }
}

/// Median (of an odd count the middle one; of an even count the lower middle, a figure
/// one build achieved), min and max; None for no value.
fn median_min_max(v: &[f64]) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    Some((s[(s.len() - 1) / 2], s[0], s[s.len() - 1]))
}

/// One row of the P-sweep table from the builds of one lane count (every seed).
pub fn sweep_row(lanes: usize, builds: &[BuildFigures]) -> String {
    let first = &builds[0];
    let u = |i: usize| {
        let (_, used, avail) = &first.cells[i];
        format!(
            "{used} ({:.1}%)",
            100.0 * *used as f64 / (*avail).max(1) as f64
        )
    };
    let target = first.target_mhz;
    let fmax: Vec<f64> = builds.iter().filter_map(|b| b.fmax_mhz).collect();
    let seeds = builds
        .iter()
        .map(|b| b.seed.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (fcell, verdict, thr, path) = match median_min_max(&fmax) {
        None => (
            "not measured (nextpnr reported no `clk_pll` clock)".to_string(),
            "not measured".to_string(),
            "-".to_string(),
            first.path.clone(),
        ),
        Some((med, lo, hi)) => {
            let met = fmax.iter().filter(|&&f| f >= target).count();
            let verdict = if med >= target {
                format!("met ({met}/{} seeds)", builds.len())
            } else {
                format!(
                    "missed by {:.1} MHz ({:.0}%; {met}/{} seeds met)",
                    target - med,
                    100.0 * (target - med) / target,
                    builds.len()
                )
            };
            // the median build's critical path
            let mb = builds
                .iter()
                .find(|b| b.fmax_mhz == Some(med))
                .unwrap_or(first);
            (
                format!("{med:.1} ({lo:.1} .. {hi:.1})"),
                verdict,
                format!("{:.2} Gb/s", lanes as f64 * med * 2.0 / 1000.0),
                format!("seed {}: {}", mb.seed, mb.path),
            )
        }
    };
    let rep: Vec<f64> = builds.iter().filter_map(|b| b.report_fmax_mhz).collect();
    let rcell = match (median_min_max(&rep), first.report_target_mhz) {
        (Some((med, lo, _)), Some(t)) => format!("{med:.1} (min {lo:.1}) at {t:.2}"),
        _ => "not measured (no `clk_pll_slow` clock)".into(),
    };
    format!(
        "| {lanes} | {} | {} | {} | {} | {seeds} | {fcell} | {target:.1} | {verdict} | {thr} | {rcell} | {path} |",
        u(0),
        u(1),
        u(2),
        u(3),
    )
}

/// nextpnr cell names carry the design hierarchy; keep the last few levels.
fn short_cell(c: &str) -> String {
    let parts: Vec<&str> = c.split('.').collect();
    let k = parts.len().saturating_sub(3);
    parts[k..].join(".")
}

/// The sweep's job: the board, the base parameters, the output folder, the table head,
/// the (lane count, seed) pairs and the job's identity (board, lane counts, seeds,
/// parameters).
struct Job {
    board: Board,
    base: cporx_spec::RxParams,
    out: PathBuf,
    head: String,
    pairs: Vec<(usize, u64)>,
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
        super::build::pll_for(board, target_for(l)).map_err(|e| format!("--lanes {l}: {e}"))?;
    }
    if let Some(readme) = &a.readme {
        crate::cli::check_markers(readme, "<!-- sweep:begin -->", "<!-- sweep:end -->")?;
    }
    crate::out::create_dir(&out)?;
    crate::out::check_writable(&out.join("sweep.md"))?;
    let seeds = &a.seeds.0;
    let seed_list = seeds
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let lane_list = a
        .lanes
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let head = format!(
        "P sweep of the BIST top on {} ({}), nextpnr seeds {seed_list}: receive top with {} FFE taps, clocked by an ECP5 PLL from the {} MHz oscillator at the target (200 MHz at P = 1, 150 MHz at P = 2 to 8, 125 MHz at P = 16); the UART report on the PLL's second output (a quarter of it), its own clock domain. Fmax is the datapath clock's (`clk_pll`: the receive top with the BIST's generator, channel emulator and checker; the UART report is not on it): median (min .. max) over the seeds; timing compares the median with the target. Rerun: `cargo run --release -- sweep --board {} --lanes {lane_list} --seeds {seed_list} --readme README.md`.\n\n\
         | P | LUT4 | FF | MULT18X18D | DP16KD | seeds | datapath Fmax MHz, median (min .. max) | target MHz (PLL) | timing | throughput (P x median Fmax x 2 bit) | report clock Fmax MHz, median (min) at its target | critical path of the median build |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|",
        board,
        board.part(),
        base.n_taps,
        board.clock_mhz(),
        board.name()
    );
    let pairs: Vec<(usize, u64)> = a
        .lanes
        .iter()
        .flat_map(|&l| seeds.iter().map(move |&s| (l, s)))
        .collect();
    let mut hash = super::shard::JobHash::new("sweep");
    hash.value("board", board.name());
    hash.value("lanes", &format!("{:?}", a.lanes));
    hash.value("seeds", &format!("{seeds:?}"));
    hash.value("params", &format!("{base:?}"));
    Ok(Job {
        board,
        base,
        out,
        head,
        pairs,
        hash,
    })
}

/// Build lane count `l` with seed `seed`.
fn build_pair(j: &Job, l: usize, seed: u64) -> Result<BuildFigures, String> {
    let p = j.base.with_lanes(l).map_err(|e| e.to_string())?;
    let mhz = target_for(l);
    let t0 = std::time::Instant::now();
    println!("sweep: P = {l}, seed {seed}, target {mhz} MHz ...");
    let r = build_one(
        j.board,
        "bist",
        &p,
        mhz,
        &j.out.join(format!("p{l}")).join(format!("seed{seed}")),
        seed,
    )?;
    let f = BuildFigures::of(l, &r);
    println!(
        "  P = {l}, seed {seed}: datapath Fmax {} MHz at {:.1}, report clock {} MHz ({:.0} s)",
        f.fmax_mhz
            .map_or("not reported".into(), |x| format!("{x:.1}")),
        f.target_mhz,
        f.report_fmax_mhz
            .map_or("not reported".into(), |x| format!("{x:.1}")),
        t0.elapsed().as_secs_f64()
    );
    Ok(f)
}

/// The table's rows from every pair's figures (in the job's pair order).
fn rows_of(a: &SweepArgs, builds: &[BuildFigures]) -> Vec<String> {
    a.lanes
        .iter()
        .filter_map(|&l| {
            let b: Vec<BuildFigures> = builds.iter().filter(|b| b.lanes == l).cloned().collect();
            (!b.is_empty()).then(|| sweep_row(l, &b))
        })
        .collect()
}

/// A sweep shard's results: (index in the job's pairs, lane count, seed, figures).
#[derive(serde::Serialize, serde::Deserialize)]
struct SweepShard {
    builds: Vec<(usize, usize, u64, BuildFigures)>,
}

pub fn run(a: &SweepArgs) -> Result<(), String> {
    let j = job(a)?;
    super::build::note_cold_tools();
    if let Some(sh) = a.shard {
        let path = a.json.clone().unwrap_or_else(|| sh.default_file("sweep"));
        crate::out::check_writable(&path)?;
        let mut builds = vec![];
        for (i, &(l, seed)) in j.pairs.iter().enumerate() {
            if sh.owns(i as u64) {
                builds.push((i, l, seed, build_pair(&j, l, seed)?));
            }
        }
        if builds.is_empty() {
            eprintln!(
                "warning: shard {sh} has no (lane count, seed) pair ({} for {} shards): its file says so",
                j.pairs.len(),
                sh.n
            );
        }
        let v = serde_json::to_value(SweepShard { builds }).map_err(|e| e.to_string())?;
        return super::shard::write(&path, "sweep", &j.hash, sh, super::shard::job_args(), v);
    }
    let mut builds = vec![];
    let table_path = j.out.join("sweep.md");
    for &(l, seed) in &j.pairs {
        builds.push(build_pair(&j, l, seed)?);
        // written as the builds come: an interrupted sweep keeps what it finished
        let rows = rows_of(a, &builds);
        crate::out::write(&table_path, format!("{}\n{}\n", j.head, rows.join("\n")))?;
    }
    finish(a, &j, &rows_of(a, &builds))
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

/// `cporx merge` of a sweep job: every shard's builds in the job's pair order, then the
/// single run's table.
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
    let mut got: Vec<Option<BuildFigures>> = vec![None; j.pairs.len()];
    for f in files {
        let s: SweepShard = super::shard::result(f)?;
        let sh = super::shard::Shard {
            k: f.shard,
            n: f.of,
        };
        for (i, l, seed, b) in s.builds {
            if i >= got.len()
                || j.pairs[i] != (l, seed)
                || (b.lanes, b.seed) != (l, seed)
                || !sh.owns(i as u64)
                || got[i].is_some()
            {
                return Err(format!(
                    "shard {sh} holds a build of lane count {l}, seed {seed} at place {i}, not its share of the pairs {:?}",
                    j.pairs
                ));
            }
            got[i] = Some(b);
        }
    }
    let missing: Vec<String> = j
        .pairs
        .iter()
        .zip(&got)
        .filter(|(_, r)| r.is_none())
        .map(|((l, s), _)| format!("P = {l} seed {s}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the shards hold no build for {}",
            missing.join(", ")
        ));
    }
    let builds: Vec<BuildFigures> = got.into_iter().flatten().collect();
    finish(&a, &j, &rows_of(&a, &builds))
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

    fn fig(lanes: usize, seed: u64, fmax: f64) -> BuildFigures {
        BuildFigures {
            lanes,
            seed,
            target_mhz: target_for(lanes),
            fmax_mhz: Some(fmax),
            report_fmax_mhz: Some(300.0 + seed as f64),
            report_target_mhz: Some(target_for(lanes) / 4.0),
            cells: CELLS
                .iter()
                .map(|c| (c.to_string(), 100 * lanes as u64, 83640))
                .collect(),
            path: format!("path of P = {lanes} seed {seed}"),
        }
    }

    #[test]
    fn seeds_parse_as_a_list_or_a_count() {
        assert_eq!(parse_seeds("3").unwrap(), Seeds(vec![1, 2, 3]));
        assert_eq!(parse_seeds("7,2,9").unwrap(), Seeds(vec![7, 2, 9]));
        assert_eq!(parse_seeds("5,").unwrap_err(), "`` is not a seed (an unsigned integer); legal: a list `1,2,3` or a count N in 1 ..= 1000");
        assert!(parse_seeds("0").unwrap_err().contains("legal: 1 ..= 1000"));
        assert!(parse_seeds("1001")
            .unwrap_err()
            .contains("legal: 1 ..= 1000"));
        assert!(parse_seeds("x").unwrap_err().contains("`x` is not a seed"));
        assert!(parse_seeds("1,2,1").unwrap_err().contains("repeats"));
    }

    #[test]
    fn rows_show_the_median_min_and_max_over_the_seeds() {
        let b = [fig(8, 1, 140.0), fig(8, 2, 155.5), fig(8, 3, 151.0)];
        let r = sweep_row(8, &b);
        assert!(r.starts_with("| 8 | 800 (1.0%) | 800 (1.0%) | 800 (1.0%) | 800 (1.0%) | 1,2,3 | 151.0 (140.0 .. 155.5) | 150.0 | met (2/3 seeds) | 2.42 Gb/s | 302.0 (min 301.0) at 37.50 | seed 3: path of P = 8 seed 3 |"), "{r}");
        let r = sweep_row(1, &[fig(1, 1, 170.0), fig(1, 2, 180.0)]);
        assert!(
            r.contains(
                "| 170.0 (170.0 .. 180.0) | 200.0 | missed by 30.0 MHz (15%; 0/2 seeds met) |"
            ),
            "{r}"
        );
        let mut none = fig(16, 1, 0.0);
        none.fmax_mhz = None;
        assert!(sweep_row(16, &[none]).contains("not measured"));
    }

    /// The merge without the builds: 2 shards (round-robin over the (lanes, seed) pairs)
    /// give exactly the table of the single run's figures; a build out of its shard's share,
    /// or a missing one, is refused.
    #[test]
    fn the_merge_of_two_shards_is_the_single_run() {
        let out = std::env::temp_dir().join(format!("cporx-sweep-merge-{}", std::process::id()));
        let o = out.to_str().unwrap().to_string();
        let args = ["sweep", "--lanes", "1,2,4", "--seeds", "1,2", "--out", &o];
        let a = T::parse_from(args).a;
        let j = job(&a).unwrap();
        assert_eq!(
            j.pairs,
            vec![(1, 1), (1, 2), (2, 1), (2, 2), (4, 1), (4, 2)]
        );
        let all: Vec<BuildFigures> = j
            .pairs
            .iter()
            .map(|&(l, s)| fig(l, s, 100.0 + 10.0 * l as f64 + s as f64))
            .collect();
        // the single run's table
        finish(&a, &j, &rows_of(&a, &all)).unwrap();
        let single = std::fs::read_to_string(out.join("sweep.md")).unwrap();
        assert_eq!(
            single.lines().count(),
            j.head.lines().count() + 3,
            "{single}"
        );
        let file = |k: u32, builds: Vec<(usize, usize, u64, BuildFigures)>| ShardFile {
            format: FORMAT.into(),
            command: "sweep".into(),
            job: j.hash.hex(),
            job_desc: j.hash.describe(),
            shard: k,
            of: 2,
            args: args.map(String::from).to_vec(),
            result: serde_json::to_value(SweepShard { builds }).unwrap(),
        };
        let share = |k: u32| -> Vec<(usize, usize, u64, BuildFigures)> {
            (0..all.len())
                .filter(|&i| Shard { k, n: 2 }.owns(i as u64))
                .map(|i| (i, all[i].lanes, all[i].seed, all[i].clone()))
                .collect()
        };
        let (s1, s2) = (file(1, share(1)), file(2, share(2)));
        assert!(!share(1).is_empty() && !share(2).is_empty());
        std::fs::remove_file(out.join("sweep.md")).unwrap();
        merge(&[s2.clone(), s1.clone()]).unwrap();
        let merged = std::fs::read_to_string(out.join("sweep.md")).unwrap();
        assert_eq!(merged, single);
        // a build of shard 2's share in shard 1's file: not its share
        let mut bad = share(1);
        bad.push(share(2)[0].clone());
        let e = merge(&[file(1, bad), s2.clone()]).unwrap_err();
        assert!(e.contains("not its share"), "{e}");
        let e = merge(&[s1, file(2, vec![])]).unwrap_err();
        assert!(
            e.starts_with("the shards hold no build for P = 1 seed 2"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}
