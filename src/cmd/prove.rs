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
    /// one block only (ffe, slicer, cdr, ...; the list: `--block list`), or `equiv` for the
    /// netlist equivalence alone; default every block and the netlist equivalence
    #[arg(long, value_name = "B")]
    pub block: Option<String>,
    /// work folder (one sub-folder per design, kept: rerun `yowasp-sby -f B.sby` there);
    /// default: the cporx cache (target/cporx-formal)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// write every design's work folder (dut.v, dut_flat.v, params.vh, probes.ys, the
    /// wrapper and its .sby) and run nothing: rerun a proof by hand there with
    /// `yowasp-sby -f B.sby [prove|cover]`
    #[arg(long)]
    pub prepare: bool,
    /// skip the netlist equivalence (it runs by default without --block)
    #[arg(long)]
    pub no_equiv: bool,
    /// designs proven at once (default: the machine's cores)
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// also write the table as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// the mutation table instead: every mutant of the mutation check through the
    /// equivalence property (model == Verilator, random cases) and, for those that change a
    /// proven property, through its block's proof (a trace from power-up or an induction
    /// counterexample); then the block mutants through their block's proof
    #[arg(long)]
    pub mutants: bool,
    /// random cases per mutant for the property tests (with --mutants)
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub cases: u32,
    /// regenerate the table(s) in this README between the markers `<!-- prove:begin -->` /
    /// `<!-- prove:end -->` (proofs) or `<!-- mutants:begin -->` / `<!-- mutants:end -->`
    #[arg(long, value_name = "FILE")]
    pub readme: Option<PathBuf>,
}

/// Replace the text between `<!-- KEY:begin -->` and `<!-- KEY:end -->` in `file`.
fn splice(file: &std::path::Path, key: &str, body: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (b, e) = (
        format!("<!-- {key}:begin -->"),
        format!("<!-- {key}:end -->"),
    );
    let (Some(i), Some(j)) = (text.find(&b), text.find(&e)) else {
        return Err(format!(
            "{}: no markers {b} ... {e} (add them where the table goes)",
            file.display()
        ));
    };
    if j < i {
        return Err(format!("{}: {e} comes before {b}", file.display()));
    }
    let new = format!("{}{b}\n{body}{}", &text[..i], &text[j..]);
    out::write(file, new)?;
    println!("wrote {} (the {key} table)", file.display());
    Ok(())
}

/// `cporx prove --mutants`: the mutation table.
fn mutants(a: &ProveArgs, work: &std::path::Path) -> Result<(), Fail> {
    use cporx_verif::mutants::{apply, caught, run_proof, BLOCK_MUTANTS, MUTANTS};
    let caught_names = |r: &formal::DesignRun| -> Vec<String> {
        caught(r)
            .iter()
            .map(|row| match row.verdict {
                formal::Verdict::Failed(Some(s)) => format!("`{}` (trace, step {s})", row.property),
                formal::Verdict::NotInductive(_) => format!("`{}` (induction)", row.property),
                _ => format!("`{}`", row.property),
            })
            .collect()
    };
    if a.cases == 0 {
        return Err(Fail::Error(
            "--cases 0: at least 1 random case per mutant".into(),
        ));
    }
    let t0 = Instant::now();
    let mut md = String::from(
        "| mutant | caught by the property tests | caught by a proof | property (block, size) |\n|---|---|---|---|\n",
    );
    let (mut by_tests, mut by_proofs, mut with_proof) = (0, 0, 0);
    for (i, m) in MUTANTS.iter().enumerate() {
        let p = m.params();
        let clean = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
        let mutated = apply(&clean, m.edits).map_err(|e| format!("mutant `{}`: {e}", m.name))?;
        let mut vl = cporx_cosim::verilator::VerilatedRx::build(&mutated, false)
            .map_err(|e| format!("mutant `{}`: {e}", m.name))?;
        let tests = match cporx_verif::check_verilated(&mut vl, &p, a.cases, "verilator") {
            Err(proptest::test_runner::TestError::Fail(..)) => true,
            Err(e) => return Err(Fail::Error(format!("mutant `{}`: {e}", m.name))),
            Ok(_) => false,
        };
        by_tests += tests as usize;
        let (proof, props) = match &m.proof {
            None => ("no proven property changed".to_string(), String::new()),
            Some(pf) => {
                with_proof += 1;
                let r = run_proof(
                    pf.block,
                    pf.size,
                    pf.edits.unwrap_or(m.edits),
                    &work.join(format!("mutant-{i}")),
                )
                .map_err(|e| format!("mutant `{}`: {e}", m.name))?;
                let failed = caught_names(&r);
                by_proofs += (!failed.is_empty()) as usize;
                (
                    if failed.is_empty() { "NO" } else { "yes" }.to_string(),
                    format!("{} ({}, {})", failed.join(", "), pf.block, pf.size),
                )
            }
        };
        println!(
            "{:<60} tests: {:<4} proof: {:<4} {}",
            m.name,
            if tests { "yes" } else { "NO" },
            proof,
            props
        );
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            m.name,
            if tests { "yes" } else { "NO" },
            proof,
            props
        ));
    }
    let mut block_caught = 0;
    for (i, m) in BLOCK_MUTANTS.iter().enumerate() {
        let r = run_proof(
            m.block,
            m.size,
            m.edits,
            &work.join(format!("block-mutant-{i}")),
        )
        .map_err(|e| format!("mutant `{}`: {e}", m.name))?;
        let failed = caught_names(&r);
        let hit = caught(&r).iter().any(|row| row.property == m.property);
        block_caught += hit as usize;
        let props = format!("{} ({}, {})", failed.join(", "), m.block, m.size);
        let proof = if hit { "yes" } else { "NO" };
        println!(
            "{:<60} tests: {:<4} proof: {:<4} {}",
            m.name, "n/a", proof, props
        );
        md.push_str(&format!(
            "| {} | not run (the block alone) | {} | {} |\n",
            m.name, proof, props
        ));
    }
    let summary = format!(
        "{} mutants of the receive top: {by_tests} caught by the property tests ({} random cases each); {with_proof} change a proven property, {by_proofs} of them caught by its proof (a trace from power-up, or an induction counterexample). {} mutants of one block alone: {block_caught} caught by the property they break. {:.0} s\n",
        MUTANTS.len(),
        a.cases,
        BLOCK_MUTANTS.len(),
        t0.elapsed().as_secs_f64()
    );
    print!("{summary}");
    md.push_str(&format!("\n{summary}"));
    if let Some(f) = &a.markdown {
        out::write(f, &md)?;
        println!("wrote {}", f.display());
    }
    if let Some(f) = &a.readme {
        splice(f, "mutants", &md)?;
    }
    if by_tests < MUTANTS.len() || by_proofs < with_proof || block_caught < BLOCK_MUTANTS.len() {
        return Err(Fail::Error(
            "some mutants were not caught (see the table)".into(),
        ));
    }
    Ok(())
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

/// The power-up column: equal, DIFFERS or not checked.
fn powerup_word(r: &cporx_synth::equiv::EquivReport) -> &'static str {
    if !r.powerup_checked {
        "not run"
    } else if r.powerup.is_empty() {
        "equal"
    } else {
        "DIFFERS"
    }
}

/// The equivalence table as Markdown.
pub fn equiv_markdown(rs: &[(String, cporx_synth::equiv::EquivReport)]) -> String {
    let mut s = String::from(
        "| design | netlist | `$equiv` cells | proven | unproven (by name) | power-up | synthesis (s) | proof (s) |\n|---|---|---:|---:|---|---|---:|---:|\n",
    );
    for (desc, r) in rs {
        s.push_str(&format!(
            "| {} ({desc}) | {} | {} | {} | {} | {} | {:.1} | {:.1} |\n",
            r.design,
            r.kind,
            r.cells,
            r.proven,
            if r.unproven.is_empty() {
                "none".to_string()
            } else {
                r.unproven.join(", ")
            },
            powerup_word(r),
            r.synth_seconds,
            r.seconds
        ));
    }
    s
}

/// One line per design: block, size, properties, how they passed, covers, time.
pub fn summary_markdown(runs: &[DesignRun]) -> String {
    let mut s = String::from(
        "| block | size | properties | proven (k-induction) | bounded (depth) | not passed | covers reached | time (s) |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in runs {
        let n = |f: &dyn Fn(&Row) -> bool| r.rows.iter().filter(|x| f(x)).count();
        let depths: Vec<String> = r
            .rows
            .iter()
            .filter_map(|x| match x.verdict {
                formal::Verdict::Bounded(d) => Some(d.to_string()),
                _ => None,
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let bounded = n(&|x| matches!(x.verdict, formal::Verdict::Bounded(_)));
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}/{} | {:.0} |\n",
            r.block,
            r.size,
            r.rows.len(),
            n(&|x| x.verdict == formal::Verdict::Proven),
            if bounded == 0 {
                "0".to_string()
            } else {
                format!("{bounded} ({})", depths.join(", "))
            },
            n(&|x| !x.verdict.passed()),
            n(&|x| matches!(x.cover, formal::CoverVerdict::Reached(_))),
            r.rows.len(),
            r.seconds
        ));
    }
    s
}

/// The table's mode column: sby's `prove` is k-induction.
fn mode_word(r: &Row) -> &str {
    if r.mode == "prove" {
        "k-induction"
    } else {
        r.mode.as_str()
    }
}

fn row_md(r: &Row) -> String {
    format!(
        "| {} | {} | `{}` | {} | {} | {} | {} | {:.1} |\n",
        r.block,
        r.size,
        r.property,
        mode_word(r),
        r.depth,
        r.verdict,
        r.cover,
        r.seconds
    )
}

pub fn run(a: &ProveArgs) -> Result<(), Fail> {
    // `--block equiv`: the netlist equivalence alone
    let equiv_only = a.block.as_deref() == Some("equiv");
    if equiv_only && (a.no_equiv || a.mutants || a.prepare) {
        return Err(Fail::Error(
            "--block equiv runs the netlist equivalence only: not with --no-equiv, --mutants or --prepare".into(),
        ));
    }
    if a.readme.is_some() && a.block.is_some() && !a.mutants && !equiv_only {
        return Err(Fail::Error(
            "--readme with --block would write a partial table: run without --block".into(),
        ));
    }
    if a.block.as_deref() == Some("list") {
        println!(
            "blocks: {} (and equiv: the netlist equivalence alone)",
            formal::blocks::BLOCKS.join(", ")
        );
        return Ok(());
    }
    let designs = if equiv_only {
        Vec::new()
    } else {
        formal::blocks::designs(a.block.as_deref())?
    };
    let work = a
        .out
        .clone()
        .unwrap_or_else(|| cporx_spec::paths::cache_dir("cporx-formal"));
    out::create_dir(&work)?;
    if a.mutants {
        return mutants(a, &work);
    }
    if a.prepare {
        for d in &designs {
            let dir = work.join(formal::work_name(d));
            formal::prepare(d, &dir)?;
            println!(
                "wrote {} (rerun there: yowasp-sby -f {}.sby [prove|cover])",
                dir.display(),
                d.block
            );
        }
        return Ok(());
    }
    if a.readme.is_some() || a.markdown.is_some() {
        // the tables' times are measured: every proof runs, none is read from the cache
        std::env::set_var(formal::RESULT_CACHE_ENV, "0");
    }
    let t0 = Instant::now();
    let mut runs = Vec::new();
    if !equiv_only {
        println!(
            "{:<10} {:<10} {:<14} {:<12} {:>5}  {:<26} {:<18} {:>8}",
            "block", "size", "property", "mode", "depth", "result", "cover", "time (s)"
        );
    }
    let jobs = a.jobs.unwrap_or_else(formal::default_jobs);
    if jobs == 0 {
        return Err(Fail::Error("--jobs 0: at least 1 design at a time".into()));
    }
    // rows print as each design finishes (one print per design: no interleaving)
    let print = |d: &formal::Design, r: &Result<DesignRun, String>| {
        let mut t = String::new();
        match r {
            Err(e) => t.push_str(&format!("{:<10} {:<10} error: {e}\n", d.block, d.size)),
            Ok(r) if r.rows.is_empty() => t.push_str(&format!(
                "{:<10} {:<10} (no assertions in the wrapper: nothing proven)\n",
                r.block, r.size
            )),
            Ok(r) => {
                let cached = r.tasks.iter().filter(|t| t.cached).count();
                if cached > 0 {
                    t.push_str(&format!(
                        "{:<10} {:<10} {cached} of {} tasks from the proof-result cache (times: the run that made them; {}=0 runs them all)\n",
                        r.block,
                        r.size,
                        r.tasks.len(),
                        formal::RESULT_CACHE_ENV
                    ));
                }
                for row in &r.rows {
                    t.push_str(&format!(
                        "{:<10} {:<10} {:<14} {:<12} {:>5}  {:<26} {:<18} {:>8.1}\n",
                        row.block,
                        row.size,
                        row.property,
                        mode_word(row),
                        row.depth,
                        row.verdict.to_string(),
                        row.cover.to_string(),
                        row.seconds
                    ));
                }
            }
        }
        print!("{t}");
    };
    for r in formal::run_many(&designs, &work, jobs, false, &print) {
        runs.push(r?);
    }
    let proof_wall = t0.elapsed().as_secs_f64();
    let rows: Vec<&Row> = runs.iter().flat_map(|r| &r.rows).collect();
    let bad: Vec<&&Row> = rows.iter().filter(|r| !r.ok()).collect();
    if !equiv_only {
        println!(
        "{} properties of {} designs in {:.0} s: {} proven, {} bounded, {} not passed; covers reached: {}/{}; work folder {}",
        rows.len(),
        runs.len(),
        proof_wall,
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
    }
    // the netlist equivalence: every design of the pool, generic and ECP5 netlists
    let mut equiv = Vec::new();
    if (a.block.is_none() || equiv_only) && !a.no_equiv {
        use cporx_synth::equiv::{equiv_pool, prove_named, NetlistKind};
        println!(
            "\nnetlist equivalence with the RTL (Yosys equiv_make; generic: equiv_simple + equiv_induct, ECP5: equiv_induct -undef; power-up by SAT from the init values; {jobs} at once)"
        );
        println!(
            "{:<12} {:<8} {:>8} {:>8} {:>9} {:<10} {:>8}",
            "design", "netlist", "cells", "proven", "unproven", "power-up", "time (s)"
        );
        // every (design, netlist) pair, `jobs` at once; rows print as each finishes, the
        // table keeps the pool's order
        let pool = equiv_pool().map_err(|e| e.to_string())?;
        let pairs: Vec<(&cporx_synth::equiv::EquivDesign, NetlistKind)> = pool
            .iter()
            .flat_map(|d| NetlistKind::ALL.into_iter().map(move |k| (d, k)))
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..jobs.min(pairs.len()) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(d, kind)) = pairs.get(i) else {
                        break;
                    };
                    let dir = work.join(format!("equiv-{}-{}", d.name, kind.name()));
                    let r =
                        prove_named(&d.name, &d.rtl, &d.top, kind, &dir).map_err(|e| e.to_string());
                    if let Ok(r) = &r {
                        let mut t = format!(
                            "{:<12} {:<8} {:>8} {:>8} {:>9} {:<10} {:>8.1}\n",
                            d.name,
                            kind.name(),
                            r.cells,
                            r.proven,
                            r.unproven.len(),
                            powerup_word(r),
                            r.synth_seconds + r.seconds
                        );
                        if !r.is_proven() {
                            t.push_str(&format!("  {}\n", r.failure_message()));
                        }
                        print!("{t}");
                    }
                    done.lock().unwrap_or_else(|e| e.into_inner()).push((i, r));
                });
            }
        });
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_by_key(|(i, _)| *i);
        for (i, r) in done {
            equiv.push((pairs[i].0.description.clone(), r?));
        }
    }
    if let (Some(f), false) = (&a.markdown, equiv_only) {
        out::write(f, markdown(&runs))?;
        println!("wrote {}", f.display());
    }
    if let (Some(f), false) = (&a.readme, equiv_only) {
        let total: f64 = runs.iter().map(|r| r.seconds).sum();
        splice(f, "prove-summary", &summary_markdown(&runs))?;
        splice(
            f,
            "prove",
            &format!(
                "{}\n{} properties of {} designs: {:.0} s of proofs summed over the designs, {:.0} s wall clock with {jobs} at once on this machine (`cporx prove --readme README.md`).\n",
                markdown(&runs),
                rows.len(),
                runs.len(),
                total,
                proof_wall
            ),
        )?;
    }
    if let (Some(f), false) = (&a.readme, equiv.is_empty()) {
        splice(f, "equiv", &equiv_markdown(&equiv))?;
    }
    let unequal: Vec<String> = equiv
        .iter()
        .filter(|(_, r)| !r.is_proven())
        .map(|(_, r)| format!("{} {}", r.design, r.kind))
        .collect();
    if !unequal.is_empty() {
        return Err(Fail::Error(format!(
            "netlists not proven equivalent to their RTL: {} (see above)",
            unequal.join(", ")
        )));
    }
    if equiv_only {
        return Ok(());
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
