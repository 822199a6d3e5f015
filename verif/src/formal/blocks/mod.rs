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

/// The designs of `block`, or of every block when `None`; an error names the legal
/// blocks.
pub fn designs(block: Option<&str>) -> Result<Vec<Design>, String> {
    let mut out = Vec::new();
    for &b in BLOCKS {
        if block.is_some_and(|want| want != b) {
            continue;
        }
        out.extend(match b {
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
        });
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
