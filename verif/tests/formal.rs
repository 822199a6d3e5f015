//! The formal proofs (verif/formal/, runner cporx_verif::formal), with the real tools:
//! these tests FAIL, not skip, when SymbiYosys or z3 is missing (scripts/setup-tools.sh
//! installs them).
//!
//! * every block's every design: each assertion proven (k-induction) or passed to its
//!   bounded depth, and its cover reached (no vacuous proof);
//! * teeth: every mutant of the mutation check that changes a proven property
//!   (`cporx_verif::mutants::MUTANTS` with a `proof`) makes that proof fail; every block
//!   mutant (`BLOCK_MUTANTS`) fails the property it names; every proven block has one.
//!
//! The [`formal::blocks::LONG`] designs (the 2-lane CDR, DFE and FFE, over a minute each)
//! and the mutants proven on them are `#[ignore]`d tests: `scripts/test.sh --full` runs
//! them. Verdicts come from the proof-result cache when the same inputs were proven by
//! the same tools before (`formal::result_cache_dir`; `CPORX_FORMAL_CACHE=0` runs all).

use cporx_verif::formal;
use cporx_verif::mutants::{caught, mutated, BLOCK_MUTANTS, MUTANTS};
use std::path::PathBuf;

fn work(sub: &str) -> PathBuf {
    cporx_spec::paths::cache_dir("cporx-formal-test").join(sub)
}

/// The mutation check's proof runs (no covers) of mutated designs, all cores at once,
/// each in its own folder `work(sub)/m<i>`; in the designs' order.
fn prove_mutants(designs: &[formal::Design], sub: &str) -> Vec<Result<formal::DesignRun, String>> {
    let runs: Vec<(&formal::Design, PathBuf)> = designs
        .iter()
        .enumerate()
        .map(|(i, d)| (d, work(sub).join(format!("m{i}"))))
        .collect();
    formal::run_many_in(&runs, formal::default_jobs(), true, &|_, _| {})
}

/// Every design (the [`formal::blocks::LONG`] ones when `long`, the others otherwise) is
/// proven with its covers.
fn designs_are_proven_with_their_covers(long: bool) {
    let designs: Vec<formal::Design> = formal::blocks::designs(None)
        .unwrap()
        .into_iter()
        .filter(|d| formal::blocks::is_long(d) == long)
        .collect();
    assert!(!designs.is_empty());
    let mut bad = Vec::new();
    let mut rows = 0;
    let runs = formal::run_many(
        &designs,
        &work(if long { "proofs-long" } else { "proofs" }),
        formal::default_jobs(),
        false,
        &|_, _| {},
    );
    for (d, r) in designs.iter().zip(runs) {
        let r = r.unwrap_or_else(|e| panic!("{} {}: {e}", d.block, d.size));
        assert!(!r.rows.is_empty(), "{} {}: no assertions", d.block, d.size);
        for row in &r.rows {
            rows += 1;
            println!(
                "{:<10} {:<10} {:<14} {:<6} {:>3}  {:<24} {:<18} {:>6.1} s",
                row.block,
                row.size,
                row.property,
                row.mode,
                row.depth,
                row.verdict.to_string(),
                row.cover.to_string(),
                row.seconds
            );
            if !row.ok() {
                bad.push(format!(
                    "{} {} {}: {} / {}",
                    row.block, row.size, row.property, row.verdict, row.cover
                ));
            }
        }
        let cached = r.tasks.iter().filter(|t| t.cached).count();
        println!(
            "{} {}: {:.0} s{}",
            d.block,
            d.size,
            r.seconds,
            if cached > 0 {
                format!(
                    " ({cached} of {} tasks from the proof-result cache)",
                    r.tasks.len()
                )
            } else {
                String::new()
            }
        );
    }
    println!("{rows} properties of {} designs", designs.len());
    assert!(bad.is_empty(), "not proven or not covered: {bad:#?}");
}

/// Whether a mutant's proof runs on one of the [`formal::blocks::LONG`] designs.
fn on_long(block: &str, size: &str) -> bool {
    formal::blocks::LONG.contains(&(block, size))
}

/// Every mutant with a proof (on the LONG designs when `long`) fails it.
fn mutants_fail_their_proofs(long: bool) {
    let with_proof: Vec<_> = MUTANTS
        .iter()
        .filter_map(|m| m.proof.as_ref().map(|pf| (m, pf)))
        .filter(|(_, pf)| on_long(pf.block, pf.size) == long)
        .collect();
    assert!(!with_proof.is_empty());
    let designs: Vec<formal::Design> = with_proof
        .iter()
        .map(|(m, pf)| {
            mutated(pf.block, pf.size, pf.edits.unwrap_or(m.edits))
                .unwrap_or_else(|e| panic!("mutant `{}`: {e}", m.name))
        })
        .collect();
    let results = prove_mutants(&designs, if long { "mutants-long" } else { "mutants" });
    let mut missed = Vec::new();
    for ((m, pf), r) in with_proof.iter().zip(results) {
        let r = r.unwrap_or_else(|e| panic!("mutant `{}`: {e}", m.name));
        let failed: Vec<&str> = caught(&r).iter().map(|row| row.property.as_str()).collect();
        println!(
            "mutant {:<52} {} {}: {}",
            m.name,
            pf.block,
            pf.size,
            if failed.is_empty() {
                "NOT caught".to_string()
            } else {
                format!("caught by {}", failed.join(", "))
            }
        );
        if failed.is_empty() {
            missed.push(m.name);
        }
    }
    println!(
        "proofs: {} of {} mutants caught",
        with_proof.len() - missed.len(),
        with_proof.len()
    );
    assert!(missed.is_empty(), "mutants no proof caught: {missed:?}");
}

/// Every block mutant (on the LONG designs when `long`) fails the property it names.
fn block_mutants_fail_their_properties(long: bool) {
    let chosen: Vec<_> = BLOCK_MUTANTS
        .iter()
        .filter(|m| on_long(m.block, m.size) == long)
        .collect();
    assert!(!chosen.is_empty());
    let designs: Vec<formal::Design> = chosen
        .iter()
        .map(|m| {
            mutated(m.block, m.size, m.edits).unwrap_or_else(|e| panic!("mutant `{}`: {e}", m.name))
        })
        .collect();
    let results = prove_mutants(
        &designs,
        if long {
            "block-mutants-long"
        } else {
            "block-mutants"
        },
    );
    let mut missed = Vec::new();
    for (m, r) in chosen.iter().zip(results) {
        let r = r.unwrap_or_else(|e| panic!("mutant `{}`: {e}", m.name));
        let failed: Vec<&str> = caught(&r).iter().map(|row| row.property.as_str()).collect();
        println!(
            "mutant {:<60} {} {}: failed {:?}",
            m.name, m.block, m.size, failed
        );
        if !failed.contains(&m.property) {
            missed.push(format!(
                "{} (wanted {}, failed {failed:?})",
                m.name, m.property
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "block mutants whose property held: {missed:#?}"
    );
}

#[test]
fn every_block_is_proven_with_its_covers() {
    designs_are_proven_with_their_covers(false);
}

/// `scripts/test.sh --full`: the 2-lane CDR, DFE and FFE (about 10 min on 2 cores).
#[test]
#[ignore]
fn every_long_design_is_proven_with_its_covers() {
    designs_are_proven_with_their_covers(true);
}

#[test]
fn every_mutant_of_a_proven_property_fails_its_proof() {
    mutants_fail_their_proofs(false);
}

/// `scripts/test.sh --full`: the mutants whose proof runs on a LONG design.
#[test]
#[ignore]
fn every_mutant_of_a_long_proof_fails_it() {
    mutants_fail_their_proofs(true);
}

#[test]
fn every_block_mutant_fails_its_property() {
    block_mutants_fail_their_properties(false);
}

/// `scripts/test.sh --full`: the block mutants on a LONG design.
#[test]
#[ignore]
fn every_block_mutant_of_a_long_design_fails_its_property() {
    block_mutants_fail_their_properties(true);
}

#[test]
fn every_proven_block_has_a_mutant_its_proof_catches() {
    let with_teeth: Vec<&str> = MUTANTS
        .iter()
        .filter_map(|m| m.proof.as_ref().map(|p| p.block))
        .chain(BLOCK_MUTANTS.iter().map(|m| m.block))
        .collect();
    let bare: Vec<&&str> = formal::blocks::BLOCKS
        .iter()
        .filter(|b| !with_teeth.contains(b))
        .collect();
    assert!(
        bare.is_empty(),
        "blocks whose proof no mutant tests: {bare:?}"
    );
    for m in BLOCK_MUTANTS {
        assert!(
            formal::blocks::BLOCKS.contains(&m.block),
            "mutant `{}`: no block {}",
            m.name,
            m.block
        );
    }
}

#[test]
fn every_wrapper_names_its_properties_and_covers_each() {
    let dir = formal::formal_dir().unwrap();
    for b in formal::blocks::BLOCKS {
        let f = dir.join(b).join(format!("{b}.sv"));
        let sv = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let st = formal::statements(&sv, &f.display().to_string()).unwrap();
        let asserts: Vec<_> = st
            .iter()
            .filter(|s| s.kind == formal::Kind::Assert)
            .collect();
        assert!(!asserts.is_empty(), "{}: no assertions", f.display());
        for a in asserts {
            let c = format!("c_{}", &a.name[2..]);
            assert!(
                st.iter()
                    .any(|s| s.kind == formal::Kind::Cover && s.name == c),
                "{}:{}: {} has no cover {c}",
                f.display(),
                a.line,
                a.name
            );
        }
        let sby = dir.join(b).join(format!("{b}.sby"));
        let t = formal::tasks(
            &std::fs::read_to_string(&sby).unwrap(),
            &sby.display().to_string(),
        )
        .unwrap();
        assert!(
            t.iter().any(|t| t.mode == "cover"),
            "{}: no cover task",
            sby.display()
        );
        assert!(
            t.iter().any(|t| t.mode == "prove" || t.mode == "bmc"),
            "{}: no proof task",
            sby.display()
        );
    }
}

/// The FFE wrapper writes c * x as c * d0 + 4 c * d1 + 16 c * d2 with the sample's
/// radix-4 digits (d0, d1 unsigned in 0 ..= 3, d2 signed in -2 ..= 1): the identity
/// holds for every coefficient and ADC code, so the wrapper's reference is the spec's
/// exact product.
#[test]
fn ffe_reference_digits_give_the_exact_product() {
    use cporx_spec::{ADC_BITS, COEF_BITS};
    let (cmin, cmax) = (-(1i32 << (COEF_BITS - 1)), (1i32 << (COEF_BITS - 1)) - 1);
    let (xmin, xmax) = (-(1i32 << (ADC_BITS - 1)), (1i32 << (ADC_BITS - 1)) - 1);
    let mut n = 0;
    for c in cmin..=cmax {
        for x in xmin..=xmax {
            let u = (x as u32) & ((1 << ADC_BITS) - 1);
            let d0 = (u & 3) as i32;
            let d1 = ((u >> 2) & 3) as i32;
            let d2 = (((u >> 4) & 3) as i32 ^ 2) - 2; // signed 2-bit digit
            assert_eq!(c * d0 + 4 * c * d1 + 16 * c * d2, c * x, "c {c} x {x}");
            n += 1;
        }
    }
    assert_eq!(n, 256 * 64);
}
