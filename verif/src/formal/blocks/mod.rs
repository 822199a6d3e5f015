//! The proven blocks: one module per block, each with `designs()`, the sizes its proof
//! covers (the wrapper and .sby are `verif/formal/<block>/`).

pub mod agc;
pub mod cdr;
pub mod dfe;
pub mod ffe;
pub mod levels;
pub mod lms;
pub mod prbs_chk;
pub mod prbs_gen;
pub mod slicer;

use super::Design;

/// Every block's name, in table order.
pub const BLOCKS: &[&str] = &[
    "ffe", "slicer", "cdr", "lms", "levels", "agc", "dfe", "prbs_gen", "prbs_chk",
];

/// The designs whose proofs take over a minute each on this 2-core machine (README's
/// proof table, `cporx prove --readme`: the 2-lane CDR 329 s, the 2-lane DFE with
/// adaptation 147 s and without 68 s, the 2-lane FFE 73 s), as (block, size). Their
/// 1-lane designs prove the same properties; the 2-lane ones add the lane indexing. The
/// test command proves them, and the mutants whose proof runs on them, only with
/// `scripts/test.sh --full` (the `#[ignore]`d tests of verif/tests/formal.rs); `cporx
/// prove` proves every design.
pub const LONG: &[(&str, &str)] = &[
    ("cdr", "P=2"),
    ("dfe", "P=2 adapt"),
    ("dfe", "P=2 plain"),
    ("ffe", "N=2 P=2"),
];

/// Whether `d` is one of the [`LONG`] designs.
pub fn is_long(d: &Design) -> bool {
    LONG.iter().any(|&(b, s)| d.block == b && d.size == s)
}

/// One block's designs, exported once per process (the mutation check asks for a
/// block's designs once per mutant; the DFE's exports take seconds each).
fn block_designs(b: &'static str) -> Result<Vec<Design>, String> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static MEMO: Mutex<Option<HashMap<&'static str, Vec<Design>>>> = Mutex::new(None);
    if let Some(d) = MEMO
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(b))
    {
        return Ok(d.clone());
    }
    let d = match b {
        "ffe" => ffe::designs()?,
        "slicer" => slicer::designs()?,
        "cdr" => cdr::designs()?,
        "lms" => lms::designs()?,
        "levels" => levels::designs()?,
        "prbs_gen" => prbs_gen::designs()?,
        "prbs_chk" => prbs_chk::designs()?,
        "agc" => agc::designs()?,
        "dfe" => dfe::designs()?,
        _ => unreachable!("BLOCKS lists only blocks with a designs()"),
    };
    MEMO.lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(b, d.clone());
    Ok(d)
}

/// The designs of `block`, or of every block when `None`; an error names the legal
/// blocks.
pub fn designs(block: Option<&str>) -> Result<Vec<Design>, String> {
    let mut out = Vec::new();
    for &b in BLOCKS {
        if block.is_some_and(|want| want != b) {
            continue;
        }
        out.extend(block_designs(b)?);
    }
    if let Some(want) = block {
        if out.is_empty() {
            return Err(format!(
                "--block {want}: no such block (one of {})",
                BLOCKS.join(", ")
            ));
        }
    }
    Ok(out)
}
