//! What every command shares: a flag's range check, the `--readme` marker check and
//! replacement, the `--config` parameter file, the baud-rate flag and the study's channel
//! folder.

use crate::out;
use cporx_spec::RxParams;
use std::path::{Path, PathBuf};

/// A flag's value against its legal range, in the flag's own unit:
/// `--NAME = V is out of range: legal is LO ..= HI UNIT`. NaN is out of range.
pub fn check_range(name: &str, v: f64, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
    if v.is_nan() || v < lo || v > hi {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        return Err(format!(
            "--{name} = {v} is out of range: legal is {lo} ..= {hi}{unit}"
        ));
    }
    Ok(())
}

/// Check, before a long run, that `file` exists, holds the marker lines `begin` and `end`
/// (in that order) and can be written, so that `--readme FILE` fails before the work.
pub fn check_markers(file: &std::path::Path, begin: &str, end: &str) -> Result<(), String> {
    let text = out::read(file)?;
    match (text.find(begin), text.find(end)) {
        (Some(i), Some(j)) if i < j => {}
        _ => {
            return Err(format!(
                "{} has no `{begin}` ... `{end}` section to replace: add the two marker lines where the figures go",
                file.display()
            ))
        }
    }
    out::check_writable(file)
}

/// Replace the text between the marker lines `begin` and `end` of `file` with `body`.
pub fn replace_between(
    file: &std::path::Path,
    begin: &str,
    end: &str,
    body: &str,
) -> Result<(), String> {
    let text = out::read(file)?;
    let (Some(i), Some(j)) = (text.find(begin), text.find(end)) else {
        return Err(format!(
            "{} has no `{begin}` ... `{end}` section to replace",
            file.display()
        ));
    };
    let new = format!("{}{begin}\n{body}{}", &text[..i], &text[j..]);
    out::write(file, new)
}

/// The receive top's parameters: `--config FILE` (TOML, warnings printed) or the defaults.
pub fn load_params(config: &Option<PathBuf>) -> Result<RxParams, String> {
    let p = match config {
        None => RxParams::default(),
        Some(path) => {
            let text = out::read(path)?;
            RxParams::from_toml(&text, &path.display().to_string()).map_err(|e| e.to_string())?
        }
    };
    if let Some(path) = config {
        for w in p.warnings() {
            eprintln!("warning: {}: {w}", path.display());
        }
    }
    Ok(p)
}

/// `--baud-gbd` in 1 ..= 400 GBd.
pub fn check_baud(baud_gbd: f64) -> Result<(), String> {
    check_range("baud-gbd", baud_gbd, 1.0, 400.0, "GBd")
}

/// The study's default channel folder: `--channels`, `$CPORX_CHANNELS`, the checkout's
/// `../shared/channels` (cporx_spec::paths).
pub fn channel_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    let d = cporx_spec::paths::find(
        "the channel folder",
        Some(("--channels", flag)),
        Some(cporx_spec::paths::CHANNELS_ENV),
        "../shared/channels",
    )?;
    if !d.is_dir() {
        return Err(format!(
            "the channel folder {} is not a folder (--channels DIR, or ${})",
            d.display(),
            cporx_spec::paths::CHANNELS_ENV
        ));
    }
    Ok(d)
}
