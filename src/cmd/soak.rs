//! `cporx soak --cycles N`: the random equivalence of the bit-exact model against the
//! Verilator-built receive top, for N cycles, every output compared every cycle as it is
//! produced (nothing stored but the current case's stimulus), sharded with `--shard K/N`
//! (docs/shards.md).
//!
//! Stimulus: the equivalence suite's generator (`cporx_verif::strategy::case`, as
//! verif/tests/equivalence.rs uses it): ADC streams of random, extreme, swinging and
//! closed-loop-recorded segments, a reset or none (power-up), the run-time configuration
//! written over the bus, random configuration writes and mid-stream resets, read-back
//! addresses. Cases run back to back on one model and one RTL instance.
//!
//! Work units: the N cycles are cut into blocks of `--block` cycles (the last one
//! shorter). Block `b` starts both implementations at power-up and draws its cases from
//! its own random stream (ChaCha seeded by `--seed` and `b`), cutting the last case at the
//! block's end; so a block's result depends on (seed, block, design) alone and any set of
//! blocks can run anywhere. A shard runs the contiguous block range
//! `cmd::shard::Shard::range`; the merge sums the blocks in order (the first mismatch is
//! the earliest block's).
//!
//! RTL: the exported Verilog of the design (`--config`, default parameters otherwise)
//! built by Verilator as a shared library and stepped in process
//! (`cporx_cosim::verilator::VerilatedLib`, one call a cycle).
//!
//! Output: cycles compared, cases, mismatching cycles with the first mismatch (cycle,
//! signal, both values), the rate. `--json FILE`: with `--shard`, the shard file
//! (`cmd::shard`); without, the summary
//! `{"cycles", "cases", "blocks", "block_cycles", "mismatched_cycles", "first_mismatch":
//! null | {"cycle", "signal", "model", "verilator"}, "design", "seed", "timing": {"seconds",
//! "cycles_per_s"}}`. Exit 0 all equal; 1 a mismatch (after the report) or an error; 3 no
//! cycle compared (not measured).

use super::shard::{self, JobHash, Shard, ShardFile};
use crate::fail::Fail;
use crate::out;
use clap::Args;
use cporx_spec::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::PathBuf;
use std::time::Instant;

/// Default cycles per block.
pub const BLOCK_CYCLES: u64 = 1 << 20;

#[derive(Args, Clone, Debug)]
pub struct SoakArgs {
    /// cycles to compare, 0 ..= 10^13 (0 compares nothing: not measured, exit 3)
    #[arg(long, value_name = "N")]
    pub cycles: u64,
    /// seed of the random stimulus, any integer 0 ..= 2^64-1
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// cycles per block (the unit of work and of determinism), 1000 ..= 1073741824
    #[arg(long, value_name = "CYCLES", default_value_t = BLOCK_CYCLES)]
    pub block: u64,
    /// receive-top parameter file (TOML); default: the default parameters
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// compare only shard K of N (a contiguous range of the blocks) and write the shard
    /// file; `cporx merge` of all N gives the single run's counts
    #[arg(long, value_name = "K/N", value_parser = super::shard::parse)]
    pub shard: Option<Shard>,
    /// with --shard: the shard file (default cporx-soak-shard-K-of-N.json); without: the
    /// summary as JSON
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// The first mismatching cycle of a block (or the job): global cycle, signal, values.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct FirstMismatch {
    pub cycle: u64,
    pub signal: String,
    pub model: i64,
    pub verilator: i64,
}

/// One block's counts.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct BlockResult {
    pub block: u64,
    pub cycles: u64,
    /// cases started in the block (the last one may be cut at the block's end)
    pub cases: u64,
    pub mismatched_cycles: u64,
    pub first_mismatch: Option<FirstMismatch>,
}

/// A soak shard's result.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct SoakShard {
    blocks: Vec<BlockResult>,
    seconds: f64,
    build_seconds: f64,
}

/// The summary (`--json` without `--shard`, and `cporx merge --json`).
#[derive(serde::Serialize, Clone, Debug)]
struct Summary {
    cycles: u64,
    cases: u64,
    blocks: u64,
    block_cycles: u64,
    mismatched_cycles: u64,
    first_mismatch: Option<FirstMismatch>,
    design: String,
    seed: u64,
    timing: Timing,
}

#[derive(serde::Serialize, Clone, Debug)]
struct Timing {
    seconds: f64,
    cycles_per_s: Option<f64>,
}

struct Job {
    p: RxParams,
    design: String,
    blocks: u64,
    hash: JobHash,
}

fn job(a: &SoakArgs) -> Result<Job, String> {
    if a.cycles > 10_000_000_000_000 {
        return Err(format!(
            "--cycles = {} is out of range: legal is 0 ..= 10000000000000 cycles",
            a.cycles
        ));
    }
    if !(1000..=1 << 30).contains(&a.block) {
        return Err(format!(
            "--block = {} is out of range: legal is 1000 ..= 1073741824 cycles",
            a.block
        ));
    }
    let p = crate::cli::load_params(&a.config)?;
    let design = format!(
        "receive top, {} FFE taps, {} lane{}{}",
        p.n_taps,
        p.lanes,
        if p.lanes == 1 { "" } else { "s" },
        match &a.config {
            Some(c) => format!(" ({})", c.display()),
            None => " (default parameters)".into(),
        }
    );
    let mut hash = JobHash::new("soak");
    hash.value("cycles", &a.cycles.to_string());
    hash.value("seed", &a.seed.to_string());
    hash.value("block", &a.block.to_string());
    hash.value("params", &format!("{p:?}"));
    Ok(Job {
        p,
        design,
        blocks: a.cycles.div_ceil(a.block),
        hash,
    })
}

/// The random stream of block `b`: ChaCha seeded by the seed and the block index.
fn block_runner(seed: u64, b: u64) -> TestRunner {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&b.to_le_bytes());
    key[16..24].copy_from_slice(b"cporxsk1");
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    )
}

/// Run block `b` (`len` cycles, starting at global cycle `start`) through the model and
/// `rtl` (at power-up), comparing every output of every cycle as it comes.
fn run_block(
    p: &RxParams,
    rtl: &mut dyn cporx_model::Receiver,
    seed: u64,
    b: u64,
    start: u64,
    len: u64,
) -> Result<BlockResult, String> {
    let mut model = cporx_model::RxTopModel::new(p).map_err(|e| e.to_string())?;
    let mut runner = block_runner(seed, b);
    let strat = cporx_verif::strategy::case(1);
    let mut r = BlockResult {
        block: b,
        cycles: 0,
        cases: 0,
        mismatched_cycles: 0,
        first_mismatch: None,
    };
    while r.cycles < len {
        let c = strat
            .new_tree(&mut runner)
            .map_err(|e| format!("soak block {b}: the stimulus generator failed: {e}"))?
            .current();
        r.cases += 1;
        let stim = c.stimulus(p);
        for i in stim.iter().take((len - r.cycles) as usize) {
            let m = model.step(i);
            let v = rtl
                .step(i)
                .map_err(|e| format!("soak block {b}, cycle {}: {e}", start + r.cycles))?;
            if m != v {
                r.mismatched_cycles += 1;
                if r.first_mismatch.is_none() {
                    let d = cporx_verif::compare(&[m], &[v], "verilator")
                        .expect_err("the outputs differ");
                    r.first_mismatch = Some(FirstMismatch {
                        cycle: start + r.cycles,
                        signal: d.field,
                        model: d.expected,
                        verilator: d.got,
                    });
                }
            }
            r.cycles += 1;
        }
    }
    Ok(r)
}

/// Blocks `range` of the job, each on its own thread in turn (every core).
fn run_blocks(
    a: &SoakArgs,
    j: &Job,
    range: std::ops::Range<u64>,
) -> Result<(Vec<BlockResult>, f64, f64), String> {
    if range.is_empty() {
        return Ok((vec![], 0.0, 0.0));
    }
    let t0 = Instant::now();
    let v = cporx_hdl::export::rx_top_verilog(&j.p).map_err(|e| e.to_string())?;
    let lib = cporx_cosim::verilator::VerilatedLib::build(&v).map_err(|e| e.to_string())?;
    let build_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min((range.end - range.start) as usize)
        .max(1);
    let next = std::sync::atomic::AtomicU64::new(range.start);
    let results: std::sync::Mutex<Vec<Result<BlockResult, String>>> = Default::default();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if b >= range.end {
                    break;
                }
                let start = b * a.block;
                let len = a.block.min(a.cycles - start);
                let r = lib
                    .instance()
                    .map_err(|e| e.to_string())
                    .and_then(|mut rtl| run_block(&j.p, &mut rtl, a.seed, b, start, len));
                let failed = r.is_err();
                results.lock().unwrap().push(r);
                if failed {
                    break;
                }
            });
        }
    });
    let mut blocks = results
        .into_inner()
        .unwrap()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    blocks.sort_by_key(|b| b.block);
    Ok((blocks, t1.elapsed().as_secs_f64(), build_s))
}

pub fn run(a: &SoakArgs) -> Result<(), Fail> {
    let j = job(a)?;
    if let Some(sh) = a.shard {
        let path = a.json.clone().unwrap_or_else(|| sh.default_file("soak"));
        out::check_writable(&path)?;
        let r = sh.range(j.blocks);
        println!(
            "soak shard {sh}: blocks {} .. {} of {} ({} cycles each, the last {}), {}, seed {}",
            r.start,
            r.end,
            j.blocks,
            a.block,
            a.cycles - (j.blocks.max(1) - 1) * a.block,
            j.design,
            a.seed
        );
        if r.is_empty() {
            eprintln!(
                "warning: shard {sh} has no block ({} blocks for {} shards): its file says so",
                j.blocks, sh.n
            );
        }
        let (blocks, secs, build_s) = run_blocks(a, &j, r)?;
        print_report(a, &j, &blocks, secs, Some(build_s));
        let v = serde_json::to_value(SoakShard {
            blocks,
            seconds: secs,
            build_seconds: build_s,
        })
        .map_err(|e| e.to_string())?;
        shard::write(&path, "soak", &j.hash, sh, shard::job_args(), v)?;
        return Ok(());
    }
    if let Some(p) = &a.json {
        out::check_writable(p)?;
    }
    let (blocks, secs, build_s) = run_blocks(a, &j, 0..j.blocks)?;
    finish(a, &j, &blocks, secs, Some(build_s), a.json.as_ref())
}

/// Print the report of `blocks`.
fn print_report(a: &SoakArgs, j: &Job, blocks: &[BlockResult], secs: f64, build: Option<f64>) {
    let cycles: u64 = blocks.iter().map(|b| b.cycles).sum();
    let cases: u64 = blocks.iter().map(|b| b.cases).sum();
    let mism: u64 = blocks.iter().map(|b| b.mismatched_cycles).sum();
    println!(
        "soak: {}, seed {}, {} cycles in {} block{} of {}",
        j.design,
        a.seed,
        a.cycles,
        j.blocks,
        if j.blocks == 1 { "" } else { "s" },
        a.block
    );
    if let Some(b) = build {
        println!("  RTL            : Verilator, shared library in process; build {b:.1} s");
    }
    if cycles == 0 {
        println!("  compared       : not measured (no cycle compared)");
        return;
    }
    println!(
        "  compared       : {cycles} cycles, every output every cycle ({cases} random cases with resets and configuration writes)"
    );
    match blocks.iter().find_map(|b| b.first_mismatch.as_ref()) {
        None => println!("  mismatches     : 0 cycles"),
        Some(m) => println!(
            "  mismatches     : {mism} cycles; first at cycle {}: `{}` model={} verilator={}",
            m.cycle, m.signal, m.model, m.verilator
        ),
    }
    if cycles > 0 && secs > 0.0 {
        let how = match build {
            Some(_) => format!(
                "{} threads",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
            None => "per second of the shards' summed run times".to_string(),
        };
        println!(
            "  rate           : {:.2} M cycles/s (model + Verilator + compare, {how}), {secs:.1} s",
            cycles as f64 / secs / 1e6,
        );
    }
}

/// The job's report from every block, and its exit.
fn finish(
    a: &SoakArgs,
    j: &Job,
    blocks: &[BlockResult],
    secs: f64,
    build: Option<f64>,
    json: Option<&PathBuf>,
) -> Result<(), Fail> {
    print_report(a, j, blocks, secs, build);
    let cycles: u64 = blocks.iter().map(|b| b.cycles).sum();
    let first = blocks.iter().find_map(|b| b.first_mismatch.clone());
    let mism: u64 = blocks.iter().map(|b| b.mismatched_cycles).sum();
    if let Some(p) = json {
        let s = Summary {
            cycles,
            cases: blocks.iter().map(|b| b.cases).sum(),
            blocks: blocks.len() as u64,
            block_cycles: a.block,
            mismatched_cycles: mism,
            first_mismatch: first.clone(),
            design: j.design.clone(),
            seed: a.seed,
            timing: Timing {
                seconds: secs,
                cycles_per_s: (cycles > 0 && secs > 0.0).then(|| cycles as f64 / secs),
            },
        };
        let text = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
        out::write(p, text + "\n")?;
        println!("wrote {}", p.display());
    }
    if cycles == 0 {
        return Err(Fail::NotMeasured(
            "no cycle compared (--cycles 0): no equivalence figure".into(),
        ));
    }
    if let Some(m) = first {
        return Err(Fail::Error(format!(
            "the model and the RTL differ on {mism} of {cycles} cycles; first at cycle {}: `{}` model={} verilator={}",
            m.cycle, m.signal, m.model, m.verilator
        )));
    }
    Ok(())
}

/// `cporx merge` of a soak job: the blocks of every shard, in order, checked to be the
/// job's blocks 0 .. B once each.
pub fn merge(files: &[ShardFile], json: Option<&PathBuf>) -> Result<(), Fail> {
    let a: SoakArgs = super::merge::parse_args(&files[0])?;
    let j = job(&a)?;
    if j.hash.hex() != files[0].job {
        return Err(Fail::Error(format!(
            "the soak's configuration here is not the shards' (job {} here, {} in the shards; a changed --config file?)",
            j.hash.hex(),
            files[0].job
        )));
    }
    let mut blocks = vec![];
    let mut secs = 0.0;
    for f in files {
        let s: SoakShard = shard::result(f)?;
        let want = Shard {
            k: f.shard,
            n: f.of,
        }
        .range(j.blocks);
        let got: Vec<u64> = s.blocks.iter().map(|b| b.block).collect();
        if got != want.clone().collect::<Vec<_>>() {
            return Err(Fail::Error(format!(
                "shard {}/{} holds blocks {:?}, its share is {} .. {}",
                f.shard, f.of, got, want.start, want.end
            )));
        }
        secs += s.seconds;
        blocks.extend(s.blocks);
    }
    finish(&a, &j, &blocks, secs, None, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_deterministic_and_a_difference_is_caught_on_the_fly() {
        let p = RxParams::default();
        // the model against itself: no mismatch; the same block twice: the same counts
        let mut same = cporx_model::RxTopModel::new(&p).unwrap();
        let r = run_block(&p, &mut same, 5, 3, 3 * 20_000, 20_000).unwrap();
        assert_eq!((r.block, r.cycles, r.mismatched_cycles), (3, 20_000, 0));
        assert!(r.cases > 1 && r.first_mismatch.is_none(), "{r:?}");
        let mut again = cporx_model::RxTopModel::new(&p).unwrap();
        assert_eq!(
            run_block(&p, &mut again, 5, 3, 3 * 20_000, 20_000).unwrap(),
            r
        );
        // against a receiver whose reset thresholds differ: caught, with the global cycle
        let mut q = p.clone();
        q.thresholds = [p.thresholds[0] - 2, p.thresholds[1], p.thresholds[2] + 2];
        let mut diff = cporx_model::RxTopModel::new(&q).unwrap();
        let r = run_block(&p, &mut diff, 5, 3, 3 * 20_000, 20_000).unwrap();
        let m = r.first_mismatch.expect("a difference is caught");
        assert!(r.mismatched_cycles > 0 && m.cycle >= 3 * 20_000, "{m:?}");
        assert_ne!(m.model, m.verilator, "{m:?}");
    }
}
