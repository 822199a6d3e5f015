//! `cporx prove [--block B]`: the formal proofs beside the RTL (verif/formal/, runner
//! cporx_verif::formal): every block's contract proven by SymbiYosys (k-induction, or
//! bounded with its depth), each assertion with its cover; then, without `--block`, the
//! proven equivalence of the synthesized netlists (generic and ECP5) with the RTL for the
//! design pool. Prints one table row per property: block, size, property, mode, depth,
//! result, cover, time. Exit 1 if any property fails, is undecided or has an unreached
//! cover; exit 3 if nothing was checked.

use crate::fail::Fail;
use crate::out;
use clap::Args;
use cporx_verif::formal::{self, DesignRun, Row};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct ProveArgs {
    /// one block only (ffe, slicer, cdr, ...; the list: `--block list`); default every block
    /// and the netlist equivalence
    #[arg(long, value_name = "B")]
    pub block: Option<String>,
    /// work folder (one sub-folder per design, kept: rerun `yowasp-sby -f B.sby` there);
    /// default: the cporx cache (target/cporx-formal)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// skip the netlist equivalence (it runs by default without --block)
    #[arg(long)]
    pub no_equiv: bool,
    /// also write the table as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// The table as Markdown.
pub fn markdown(runs: &[DesignRun]) -> String {
    let mut s = String::from(
        "| block | size | property | mode | depth | result | cover | time (s) |\n|---|---|---|---|---:|---|---|---:|\n",
    );
    for r in runs {
        for row in &r.rows {
            s.push_str(&row_md(row));
        }
    }
    s
}

fn row_md(r: &Row) -> String {
    format!(
        "| {} | {} | `{}` | {} | {} | {} | {} | {:.1} |\n",
        r.block,
        r.size,
        r.property,
        if r.mode == "prove" {
            "k-induction"
        } else {
            r.mode.as_str()
        },
        r.depth,
        r.verdict,
        r.cover,
        r.seconds
    )
}

pub fn run(a: &ProveArgs) -> Result<(), Fail> {
    if a.block.as_deref() == Some("list") {
        println!("blocks: {}", formal::blocks::BLOCKS.join(", "));
        return Ok(());
    }
    let designs = formal::blocks::designs(a.block.as_deref())?;
    let work = a
        .out
        .clone()
        .unwrap_or_else(|| cporx_spec::paths::cache_dir("cporx-formal"));
    out::create_dir(&work)?;
    let t0 = Instant::now();
    let mut runs = Vec::new();
    println!(
        "{:<10} {:<10} {:<14} {:<12} {:>5}  {:<26} {:<18} {:>8}",
        "block", "size", "property", "mode", "depth", "result", "cover", "time (s)"
    );
    for d in &designs {
        let dir = work.join(formal::work_name(d));
        let r = formal::run(d, &dir)?;
        for row in &r.rows {
            println!(
                "{:<10} {:<10} {:<14} {:<12} {:>5}  {:<26} {:<18} {:>8.1}",
                row.block,
                row.size,
                row.property,
                if row.mode == "prove" {
                    "k-induction"
                } else {
                    row.mode.as_str()
                },
                row.depth,
                row.verdict.to_string(),
                row.cover.to_string(),
                row.seconds
            );
        }
        if r.rows.is_empty() {
            println!(
                "{:<10} {:<10} (no assertions in the wrapper: nothing proven)",
                r.block, r.size
            );
        }
        runs.push(r);
    }
    let rows: Vec<&Row> = runs.iter().flat_map(|r| &r.rows).collect();
    let bad: Vec<&&Row> = rows.iter().filter(|r| !r.ok()).collect();
    println!(
        "{} properties of {} designs in {:.0} s: {} proven, {} bounded, {} not passed; covers reached: {}/{}; work folder {}",
        rows.len(),
        runs.len(),
        t0.elapsed().as_secs_f64(),
        rows.iter().filter(|r| r.verdict == formal::Verdict::Proven).count(),
        rows.iter()
            .filter(|r| matches!(r.verdict, formal::Verdict::Bounded(_)))
            .count(),
        rows.iter().filter(|r| !r.verdict.passed()).count(),
        rows.iter()
            .filter(|r| matches!(r.cover, formal::CoverVerdict::Reached(_)))
            .count(),
        rows.len(),
        work.display()
    );
    if let Some(f) = &a.markdown {
        out::write(f, markdown(&runs))?;
        println!("wrote {}", f.display());
    }
    if rows.is_empty() {
        return Err(Fail::NotMeasured(
            "no property was checked (the wrappers have no assertions)".into(),
        ));
    }
    if !bad.is_empty() {
        return Err(Fail::Error(format!(
            "{} properties not passed: {}",
            bad.len(),
            bad.iter()
                .map(|r| format!("{} {} {}", r.block, r.size, r.property))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}
