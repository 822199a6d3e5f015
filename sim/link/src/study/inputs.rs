//! The study's inputs: every channel file of a folder, read and checked, thrus paired with
//! their crosstalk files, and the built-in ideal short hop. A file that cannot be read or
//! fails a check is skipped with its reason; a crosstalk file with no thru is "not used".

use crate::pulse::{self, ChannelLoad, LoadedChannel, PulseOpts, PulseResponse};
use crate::touchstone::{self, FreqResponse, PortMap, TouchstoneError};
use num_complex::Complex64;
use std::path::{Path, PathBuf};

/// A file (or row) that gave no row, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// the file name (or the row name)
    pub channel: String,
    pub skipped: String,
}

/// A study case: its insertion loss (for the SDD21 plot), pulse and aggressor.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub h: FreqResponse,
    /// the absolute pulse, with its measurement
    pub pulse: PulseResponse,
    pub il_extrapolated: bool,
    /// the crosstalk aggressor: its insertion loss and pulse
    pub aggressor: Option<(FreqResponse, PulseResponse)>,
    pub warnings: Vec<String>,
}

/// What the channel folder gave.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// the folder read
    pub dir: PathBuf,
    pub cases: Vec<Input>,
    pub skipped: Vec<Skipped>,
    pub unused: Vec<Skipped>,
    /// names that are not .sNp (ignored, e.g. README.md)
    pub ignored: Vec<String>,
    /// how many .sNp files there were
    pub files: usize,
}

/// The built-in ideal short hop: a flat, lossless channel (H = 1 from DC to 60 GHz, or to
/// the baud rate if higher, so the Nyquist frequency is always inside the data); what
/// remains is the TX rise-time and RX Bessel-Thomson filters.
pub fn ideal_response(baud_hz: f64) -> FreqResponse {
    let top = (60e9f64).max(baud_hz);
    let n = (top / 1e8).ceil() as usize;
    let f_hz: Vec<f64> = (0..=n).map(|i| i as f64 * 1e8).collect();
    let h = vec![Complex64::new(1.0, 0.0); f_hz.len()];
    FreqResponse { f_hz, h }
}

/// An insertion loss as (GHz, dB) points, magnitudes floored at -300 dB (the SDD21 plot's).
pub fn loss_db_points(h: &FreqResponse) -> Vec<(f64, f64)> {
    h.f_hz
        .iter()
        .zip(&h.h)
        .map(|(f, h)| (f / 1e9, 20.0 * h.norm().max(1e-15).log10()))
        .collect()
}

/// A loader error without its leading `PATH: ` (the list names the file); `PATH:LINE: `
/// becomes `line LINE: `.
fn reason(msg: &str, path: &Path) -> String {
    let p = path.display().to_string();
    let Some(rest) = msg.strip_prefix(&p) else {
        return msg.to_string();
    };
    if let Some(r) = rest.strip_prefix(": ") {
        return r.to_string();
    }
    if let Some((line, r)) = rest.strip_prefix(':').and_then(|r| r.split_once(": ")) {
        if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) {
            return format!("line {line}: {r}");
        }
    }
    msg.to_string()
}

/// Thru and crosstalk files share a name up to their last `_`.
fn prefix(s: &str) -> String {
    s.rsplit_once('_')
        .map_or(s.to_string(), |p| p.0.to_string())
}

/// The rows of one channel file `f`, as the study reads it ([`inputs`] on `f` alone, in
/// its folder), without the built-in ideal hop: `cporx loss --channel` and the Python
/// bindings' `implementation_loss`. A missing file, or one [`inputs`] skips or does not
/// use, is an error naming it (`FILE: no such file`, `FILE: why`).
pub fn file_inputs(f: &Path, baud_hz: f64) -> Result<Inputs, String> {
    if !f.is_file() {
        return Err(format!("{}: no such file", f.display()));
    }
    let dir = f.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut ins = inputs(&dir, std::slice::from_ref(&f.to_path_buf()), baud_hz)?;
    if let Some(k) = ins.skipped.first().or(ins.unused.first()) {
        return Err(format!("{}: {}", f.display(), k.skipped));
    }
    // the first row is the ideal hop
    ins.cases.remove(0);
    Ok(ins)
}

/// The inputs from the files of the channel folder `files_in` (every file; names that are
/// not `.sNp` are listed as ignored): the ideal hop, every thru, and every thru with its
/// crosstalk aggressor (a 4-port file without a thru path whose name shares the thru's
/// prefix up to the last `_`). A file that cannot be read or fails a check is skipped with
/// its reason; a crosstalk file with no thru is listed as not used.
pub fn inputs(dir: &Path, files_in: &[PathBuf], baud_hz: f64) -> Result<Inputs, String> {
    let mut names = files_in.to_vec();
    names.sort();
    let (files, ignored): (Vec<PathBuf>, Vec<PathBuf>) = names
        .into_iter()
        .partition(|p| touchstone::ports_from_name(&p.to_string_lossy()).is_some());
    let fname = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string()
    };
    let stem = |p: &Path| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string()
    };
    let mut thrus: Vec<LoadedChannel> = vec![];
    let mut aggressors = vec![];
    let mut skipped = vec![];
    let mut skipped_stems = vec![];
    for f in &files {
        let skip = |msg: String, skipped: &mut Vec<Skipped>| {
            skipped.push(Skipped {
                channel: fname(f),
                skipped: reason(&msg, f),
            })
        };
        let ts = match pulse::read_touchstone(f, None) {
            Ok(t) => t,
            Err(e) => {
                skip(e, &mut skipped);
                skipped_stems.push(stem(f));
                continue;
            }
        };
        // a 4-port file without a thru path (crosstalk) is an aggressor
        if ts.n_ports == 4 {
            if let Err(TouchstoneError::NoThru { .. }) = ts.detect_port_map() {
                aggressors.push((f.clone(), ts));
                continue;
            }
        }
        match pulse::load_touchstone(&ts, &ChannelLoad::new(baud_hz)) {
            Ok(l) => thrus.push(l),
            Err(e) => {
                skip(e, &mut skipped);
                skipped_stems.push(stem(f));
            }
        }
    }
    let mut cases = vec![];
    let ideal = ideal_response(baud_hz);
    let p = pulse::pulse_response(&ideal, &PulseOpts::for_baud(baud_hz))
        .map_err(|e| format!("the ideal hop: {e}"))?;
    cases.push(Input {
        name: "ideal short hop (filters only)".into(),
        h: ideal,
        pulse: p,
        il_extrapolated: false,
        aggressor: None,
        warnings: vec![],
    });
    let mut used = vec![false; aggressors.len()];
    let mut unused = vec![];
    for t in &thrus {
        cases.push(Input {
            name: t.name.clone(),
            h: t.h.clone(),
            pulse: t.pulse.clone(),
            il_extrapolated: t.il_nyquist_extrapolated,
            aggressor: None,
            warnings: t.warnings.clone(),
        });
        for (k, (af, ts)) in aggressors.iter().enumerate() {
            if prefix(&stem(af)) != prefix(&t.name) {
                continue;
            }
            used[k] = true;
            let m = t.map.unwrap_or(PortMap {
                a: (1, 3),
                b: (2, 4),
            });
            let o = ChannelLoad {
                map: Some(m),
                force_map: true,
                ..ChannelLoad::new(baud_hz)
            };
            match pulse::load_touchstone(ts, &o) {
                Ok(x) => cases.push(Input {
                    name: format!(
                        "{} + {}",
                        t.name,
                        stem(af).rsplit_once('_').map_or("", |p| p.1)
                    ),
                    h: t.h.clone(),
                    pulse: t.pulse.clone(),
                    il_extrapolated: t.il_nyquist_extrapolated,
                    // the crosstalk pulse's own causality figure means nothing (it is
                    // not a thru); its other warnings are kept
                    warnings: t
                        .warnings
                        .iter()
                        .cloned()
                        .chain(
                            x.warnings
                                .iter()
                                .filter(|w| !w.starts_with("causality"))
                                .map(|w| format!("crosstalk {}: {w}", fname(af))),
                        )
                        .collect(),
                    aggressor: Some((x.h, x.pulse)),
                }),
                Err(e) => skipped.push(Skipped {
                    channel: fname(af),
                    skipped: format!("crosstalk of {}: {}", t.name, reason(&e, af)),
                }),
            }
        }
    }
    for (k, (af, _)) in aggressors.iter().enumerate() {
        if used[k] {
            continue;
        }
        let pre = prefix(&stem(af));
        let why = if let Some(s) = skipped_stems.iter().find(|s| prefix(s) == pre) {
            format!("a crosstalk file (no thru path); its thru `{s}` was skipped")
        } else {
            format!(
                "a crosstalk file (no thru path) whose name shares no thru's prefix `{pre}` (the name up to its last `_`); thrus: {}",
                if thrus.is_empty() {
                    "none".to_string()
                } else {
                    thrus
                        .iter()
                        .map(|t| format!("`{}`", t.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )
        };
        unused.push(Skipped {
            channel: fname(af),
            skipped: why,
        });
    }
    Ok(Inputs {
        dir: dir.to_path_buf(),
        cases,
        skipped,
        unused,
        ignored: ignored.iter().map(|p| fname(p)).collect(),
        files: files.len(),
    })
}
