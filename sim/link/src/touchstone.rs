//! Touchstone 1.x reader and the differential insertion loss SDD21.
//!
//! # What it reads
//!
//! Touchstone version 1.x S-parameter files (`.s1p`, `.s2p`, `.s4p`, in general `.sNp`):
//!
//! * the option line `# <unit> <parameter> <format> R <ohms>`, case-insensitive, fields in
//!   any order, each optional with the spec's defaults `# GHz S MA R 50`;
//!   units Hz, kHz, MHz, GHz; formats RI (real, imaginary), MA (linear magnitude, angle
//!   in degrees), DB (20·log10 magnitude, angle in degrees); parameter S only (Y, Z, H, G
//!   are refused as unsupported);
//! * comments: everything from `!` to the end of a line, whole-line or trailing; blank
//!   lines anywhere;
//! * the data layout of the 1.x spec: a 1-port point is one line `f S11`, a 2-port point
//!   one line `f S11 S21 S12 S22` (**note the 2-port order**), and for n >= 3 ports each
//!   row of the n x n matrix starts a new line holding at most four pairs (so a 4-port
//!   point is four lines of four pairs, the first also carrying the frequency). A point
//!   written whole on one line (`1 + 2n²` numbers) is accepted too for n >= 3;
//! * the 2-port noise-parameter block (lines of five numbers whose frequency restarts
//!   at or below the last S-parameter frequency) is recognized and skipped;
//! * the first point may be at 0 Hz; frequencies must rise strictly.
//!
//! The port count comes from the extension (`read`), or is given explicitly
//! (`read_with_ports`, `parse`). Touchstone 2.0 keyword files (`[Version] 2.0`) are refused.
//!
//! # Error policy
//!
//! Every failure is a [`TouchstoneError`] naming the file and, for content errors, the
//! 1-based line number, saying what was found and what was expected: empty file, data
//! before the option line, duplicate option line, unknown option token, unsupported
//! parameter, non-number token (naming the matrix element it should have been), short
//! data row, value count that does not fit the port count, truncated last point,
//! non-increasing or negative frequency. The parser never panics, whatever the input
//! (a proptest fuzz in `sim/link/tests/touchstone.rs` feeds it arbitrary and mutated text).
//!
//! # Differential insertion loss
//!
//! [`Touchstone::sdd21`] builds the mixed-mode SDD21 from four single-ended terms under a
//! [`PortMap`] (input pair `a` = (p, n), output pair `b` = (p, n), 1-based):
//! `SDD21 = ½ (S_b1a1 − S_b1a2 − S_b2a1 + S_b2a2)`. [`Touchstone::detect_port_map`] finds
//! the two thru paths of a 4-port file from the data (the pairing whose single-ended
//! transmissions are largest at the lowest frequency) and refuses crosstalk files, for
//! which the caller names the map; [`Touchstone::check_map`] refuses a named map whose thru
//! legs transmit far less than the best pairing's, and [`Touchstone::check_passive`] an
//! |S_ij| above 1 beyond a tolerance. `scripts/skrf_sdd21.py` computes the same quantity
//! with scikit-rf; `sim/link/tests/skrf_crosscheck.rs` compares the two point by point.

use std::fmt;
use std::path::Path;

use num_complex::Complex64;
use thiserror::Error;

/// A differential (or single-ended, for 2-port files) transfer function on the file's
/// frequency grid, ascending, in Hz.
#[derive(Clone, Debug, PartialEq)]
pub struct FreqResponse {
    /// frequency points, Hz, strictly ascending (may start at 0)
    pub f_hz: Vec<f64>,
    /// complex transfer function at each point
    pub h: Vec<Complex64>,
}

/// Largest port count accepted (a guard against absurd extensions such as `.s99999p`).
pub const MAX_PORTS: usize = 1024;

/// Why a Touchstone file could not be read, or a port map not applied.
#[derive(Debug, Error)]
pub enum TouchstoneError {
    /// the file could not be read from disk
    #[error("{file}: cannot read: {source}")]
    Io {
        /// file name
        file: String,
        /// the I/O error
        #[source]
        source: std::io::Error,
    },
    /// the extension does not say how many ports (`.sNp` expected)
    #[error("{file}: cannot tell the port count from the name: expected an extension .sNp (.s2p, .s4p, ...); give the port count with --ports N")]
    UnknownPortCount {
        /// file name
        file: String,
    },
    /// port count 0 or above [`MAX_PORTS`]
    #[error("{file}: {n_ports} ports is not supported: expected 1 to {max}")]
    BadPortCount {
        /// file name
        file: String,
        /// the port count asked for
        n_ports: usize,
        /// [`MAX_PORTS`]
        max: usize,
    },
    /// nothing but blank lines and comments
    #[error("{file}: empty file: expected an option line such as `# GHz S MA R 50` and data")]
    Empty {
        /// file name
        file: String,
    },
    /// an option line but no frequency point
    #[error("{file}: no data after the option line on line {option_line}: expected at least one frequency point")]
    NoData {
        /// file name
        file: String,
        /// line of the option line
        option_line: usize,
    },
    /// a data line before the `#` option line
    #[error("{file}:{line}: data before the option line: expected `# <unit> S <format> R <ohms>` (e.g. `# GHz S MA R 50`) before the first data line")]
    MissingOptionLine {
        /// file name
        file: String,
        /// the data line
        line: usize,
    },
    /// a second `#` line
    #[error("{file}:{line}: second option line (the first is on line {first}): expected exactly one `#` line")]
    DuplicateOptionLine {
        /// file name
        file: String,
        /// the second option line
        line: usize,
        /// the first option line
        first: usize,
    },
    /// an option-line token that is not a unit, parameter, format or `R <ohms>`
    #[error("{file}:{line}: option line: `{token}`: expected {expected}")]
    BadOption {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// the offending token
        token: String,
        /// what would have been accepted
        expected: String,
    },
    /// valid Touchstone this reader does not handle (Y/Z/H/G parameters, version 2.0)
    #[error("{file}:{line}: unsupported: {what}")]
    Unsupported {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// what, and what is supported instead
        what: String,
    },
    /// a data token that is not a finite number
    #[error("{file}:{line}: `{token}` is not a number: expected {expected}")]
    NotANumber {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// the token
        token: String,
        /// what the token should have been (e.g. "the magnitude of S21")
        expected: String,
    },
    /// a negative frequency
    #[error("{file}:{line}: frequency {f} is negative: expected a frequency >= 0")]
    NegativeFrequency {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// the frequency as written (file units)
        f: f64,
    },
    /// a data line with fewer numbers than the layout needs
    #[error("{file}:{line}: short data row: {found} numbers, expected {expected} ({what})")]
    ShortRow {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// numbers on the line
        found: usize,
        /// numbers expected on the line
        expected: usize,
        /// which part of which point the line should hold
        what: String,
    },
    /// the numbers do not fit the port count
    #[error("{file}:{line}: {found} numbers where a {n_ports}-port file has {expected} ({what}): the value count does not fit {n_ports} ports{hint}")]
    WrongPortCount {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// numbers found (on the line, or in the first point)
        found: usize,
        /// numbers expected
        expected: usize,
        /// port count the file is read with
        n_ports: usize,
        /// which part of which point
        what: String,
        /// a guess at the cause
        hint: String,
    },
    /// the file ends inside a frequency point
    #[error("{file}:{line}: truncated last point: the file ends (line {last_line}) inside the frequency point begun on line {line}, after {got} of {expected} numbers")]
    Truncated {
        /// file name
        file: String,
        /// line where the incomplete point begins
        line: usize,
        /// last line of the file
        last_line: usize,
        /// numbers read for the point
        got: usize,
        /// numbers a point needs (1 + 2n²)
        expected: usize,
    },
    /// frequencies must rise strictly
    #[error("{file}:{line}: frequency {f} is not above the previous one, {prev} (line {prev_line}): expected strictly increasing frequencies")]
    NonIncreasingFrequency {
        /// file name
        file: String,
        /// line number
        line: usize,
        /// this frequency (file units)
        f: f64,
        /// the previous frequency (file units)
        prev: f64,
        /// its line
        prev_line: usize,
    },
    /// an operation needs another port count
    #[error("{file}: {what} needs {needed}; the file has {n_ports} ports")]
    PortsNeeded {
        /// file name
        file: String,
        /// the operation
        what: String,
        /// the port count it needs
        needed: String,
        /// the file's port count
        n_ports: usize,
    },
    /// a port map that does not fit the file
    #[error("{file}: port map {map}: {reason}")]
    BadMap {
        /// file name
        file: String,
        /// the map
        map: String,
        /// why
        reason: String,
    },
    /// no thru path in a 4-port file (a crosstalk file, say)
    #[error("{file}: no thru path: the best pairing ({best_map}) transmits only {best:.4} at the lowest frequency ({f_hz} Hz), expected above {threshold} (a crosstalk file? name the port map explicitly, e.g. 1,3:2,4)")]
    NoThru {
        /// file name
        file: String,
        /// the smaller single-ended transmission of the best pairing
        best: f64,
        /// the map that pairing gives
        best_map: String,
        /// the frequency looked at
        f_hz: f64,
        /// the threshold
        threshold: f64,
    },
    /// an |S_ij| above 1 by more than the tolerance: the data are not passive
    #[error("{file}: not passive: |S{i}{j}| = {mag:.6e} at {f_ghz:.4} GHz (frequency point {point}), above 1 + {tol} (measured data may exceed 1 by at most {tol}); the file is corrupt, scaled, or not S-parameters")]
    NonPassive {
        /// file name
        file: String,
        /// the element, 1-based row (output port)
        i: usize,
        /// the element, 1-based column (input port)
        j: usize,
        /// its magnitude
        mag: f64,
        /// its frequency, GHz
        f_ghz: f64,
        /// the frequency point, 1-based
        point: usize,
        /// the tolerance above 1
        tol: f64,
    },
    /// an explicit port map whose thru legs transmit far less than the best pairing's
    #[error("{file}: port map {map} pairs the wrong ports: its weaker thru leg ({leg}) transmits {t:.4} at the lowest frequency ({f_ghz:.4} GHz), below {rel} x the best pairing {best_map} ({best:.4}); use --map {best_map} (or leave --map out), or give --force-map to insist")]
    WrongMap {
        /// file name
        file: String,
        /// the map given
        map: String,
        /// its weaker leg, e.g. `S31`
        leg: String,
        /// that leg's transmission
        t: f64,
        /// the detected best pairing
        best_map: String,
        /// its weaker leg's transmission
        best: f64,
        /// the lowest frequency, GHz
        f_ghz: f64,
        /// [`MAP_MIN_REL`]
        rel: f64,
    },
    /// a port map string that does not parse
    #[error("port map `{input}`: {reason}: expected `a1,a2:b1,b2` (1-based input pair p,n then output pair p,n, e.g. `1,3:2,4`)")]
    PortMapSyntax {
        /// the string given
        input: String,
        /// why
        reason: String,
    },
}

/// A parsed Touchstone file: S-parameters on a frequency grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Touchstone {
    /// number of ports n
    pub n_ports: usize,
    /// reference impedance, ohms (the option line's `R`, default 50)
    pub z0: f64,
    /// frequency points, Hz, strictly ascending
    pub f_hz: Vec<f64>,
    /// per frequency, the n x n S matrix row-major: `s[f][i*n + j]` = S_(i+1)(j+1)
    pub s: Vec<Vec<Complex64>>,
    /// file name (for messages)
    pub name: String,
}

/// Which single-ended ports form the differential input pair `a` and output pair `b`,
/// each as (p, n), 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortMap {
    /// input pair (p, n)
    pub a: (usize, usize),
    /// output pair (p, n)
    pub b: (usize, usize),
}

impl fmt::Display for PortMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}:{},{}", self.a.0, self.a.1, self.b.0, self.b.1)
    }
}

impl PortMap {
    /// Parses `a1,a2:b1,b2` (spaces allowed), e.g. `1,3:2,4`: four distinct ports >= 1.
    pub fn parse(text: &str) -> Result<PortMap, TouchstoneError> {
        let err = |reason: &str| TouchstoneError::PortMapSyntax {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let sides: Vec<&str> = text.split(':').collect();
        if sides.len() != 2 {
            return Err(err("expected one `:` between the input and output pair"));
        }
        let pair = |side: &str, which: &str| -> Result<(usize, usize), TouchstoneError> {
            let p: Vec<&str> = side.split(',').map(str::trim).collect();
            if p.len() != 2 {
                return Err(err(&format!(
                    "the {which} pair needs two ports separated by `,`"
                )));
            }
            let num = |t: &str| -> Result<usize, TouchstoneError> {
                match t.parse::<usize>() {
                    Ok(v) if v >= 1 => Ok(v),
                    _ => Err(err(&format!("`{t}` is not a port number >= 1"))),
                }
            };
            Ok((num(p[0])?, num(p[1])?))
        };
        let a = pair(sides[0], "input")?;
        let b = pair(sides[1], "output")?;
        let m = PortMap { a, b };
        let ports = m.ports();
        for i in 0..4 {
            for j in i + 1..4 {
                if ports[i] == ports[j] {
                    return Err(err(&format!("port {} appears twice", ports[i])));
                }
            }
        }
        Ok(m)
    }

    /// The four ports in the order a.p, a.n, b.p, b.n.
    pub fn ports(&self) -> [usize; 4] {
        [self.a.0, self.a.1, self.b.0, self.b.1]
    }
}

/// The port count an extension `.sNp` (case-insensitive) gives, if any.
pub fn ports_from_name(name: &str) -> Option<usize> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    let digits = ext.strip_prefix('s')?.strip_suffix('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads a Touchstone 1.x file, the port count taken from the extension (`.sNp`).
pub fn read(path: &Path) -> Result<Touchstone, TouchstoneError> {
    let name = path.display().to_string();
    let n =
        ports_from_name(&name).ok_or(TouchstoneError::UnknownPortCount { file: name.clone() })?;
    read_with_ports(path, n)
}

/// Reads a Touchstone 1.x file with an explicit port count (overriding the extension).
pub fn read_with_ports(path: &Path, n_ports: usize) -> Result<Touchstone, TouchstoneError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TouchstoneError::Io {
        file: name.clone(),
        source,
    })?;
    // Comments may carry Latin-1 bytes (µ, Ω); they are not data, so a lossy decode is fine.
    let text = String::from_utf8_lossy(&bytes);
    parse(&text, &name, n_ports)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Ri,
    Ma,
    Db,
}

/// What the k-th number of a point is (k = 0 the frequency), for messages.
fn describe_value(k: usize, n: usize, fmt: Format) -> String {
    if k == 0 {
        return "a frequency".to_string();
    }
    let pair = (k - 1) / 2;
    let (i, j) = if n == 2 {
        [(1, 1), (2, 1), (1, 2), (2, 2)][pair.min(3)]
    } else {
        (pair / n + 1, pair % n + 1)
    };
    let elem = if n < 10 {
        format!("S{i}{j}")
    } else {
        format!("S({i},{j})")
    };
    let part = match (fmt, (k - 1) % 2) {
        (Format::Ri, 0) => "the real part",
        (Format::Ri, _) => "the imaginary part",
        (Format::Ma, 0) => "the magnitude",
        (Format::Db, 0) => "the magnitude in dB",
        (_, _) => "the angle (degrees)",
    };
    format!("{part} of {elem}")
}

/// Numbers on each line of one point in the 1.x layout.
fn layout(n: usize) -> Vec<usize> {
    let mut v = Vec::new();
    match n {
        1 => v.push(3),
        2 => v.push(9),
        _ => {
            for _row in 0..n {
                let mut left = n;
                while left > 0 {
                    let pairs = left.min(4);
                    v.push(2 * pairs);
                    left -= pairs;
                }
            }
            if let Some(first) = v.first_mut() {
                *first += 1;
            }
        }
    }
    v
}

/// Which part of a point line `idx` (0-based within the point) of the layout holds.
fn describe_line(idx: usize, n: usize, point_line: usize) -> String {
    if n <= 2 {
        return format!(
            "a {n}-port point is one line: frequency and {} numbers",
            2 * n * n
        );
    }
    let per_row = n.div_ceil(4);
    let row = idx / per_row + 1;
    let part = idx % per_row;
    let first = if idx == 0 { "frequency and " } else { "" };
    if per_row == 1 {
        format!("{first}row {row} of the {n}x{n} matrix of the point begun on line {point_line}")
    } else {
        format!(
            "{first}part {} of row {row} of the point begun on line {point_line}",
            part + 1
        )
    }
}

struct Options {
    mult: f64,
    format: Format,
    z0: f64,
}

fn parse_options(body: &str, file: &str, line: usize) -> Result<Options, TouchstoneError> {
    let mut o = Options {
        mult: 1e9,
        format: Format::Ma,
        z0: 50.0,
    };
    let mut toks = body.split_whitespace();
    while let Some(t) = toks.next() {
        match t.to_ascii_uppercase().as_str() {
            "HZ" => o.mult = 1.0,
            "KHZ" => o.mult = 1e3,
            "MHZ" => o.mult = 1e6,
            "GHZ" => o.mult = 1e9,
            "S" => {}
            p @ ("Y" | "Z" | "H" | "G") => {
                return Err(TouchstoneError::Unsupported {
                    file: file.to_string(),
                    line,
                    what: format!("{p}-parameters: only S-parameters are read"),
                })
            }
            "RI" => o.format = Format::Ri,
            "MA" => o.format = Format::Ma,
            "DB" => o.format = Format::Db,
            "R" => {
                let bad = |token: &str| TouchstoneError::BadOption {
                    file: file.to_string(),
                    line,
                    token: token.to_string(),
                    expected: "a positive reference resistance in ohms after R".to_string(),
                };
                let v = toks.next().ok_or_else(|| bad("R"))?;
                match v.parse::<f64>() {
                    Ok(z) if z.is_finite() && z > 0.0 => o.z0 = z,
                    _ => return Err(bad(v)),
                }
            }
            _ => return Err(TouchstoneError::BadOption {
                file: file.to_string(),
                line,
                token: t.to_string(),
                expected:
                    "a unit (Hz, kHz, MHz, GHz), the parameter S, a format (RI, MA, DB) or R <ohms>"
                        .to_string(),
            }),
        }
    }
    Ok(o)
}

/// The data lines (after comment stripping) as (line number, tokens).
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let body = match l.find('!') {
            Some(p) => &l[..p],
            None => l,
        };
        let body = body.trim();
        (!body.is_empty()).then_some((i + 1, body))
    })
}

/// Looks at the first point's line-count pattern (an odd line, the frequency, then
/// even continuation lines up to the next line with as many numbers as the first): if
/// the numbers it holds fit m² pairs for an m other than `n`, the port count is wrong.
fn check_first_point(
    lines: &[(usize, usize)],
    n: usize,
    file: &str,
) -> Result<(), TouchstoneError> {
    let Some(&(first_line, first)) = lines.first() else {
        return Ok(());
    };
    if first % 2 == 0 || first < 3 {
        return Ok(());
    }
    let mut total = first;
    let mut ended = true; // EOF ends the point as well
    for &(_, c) in &lines[1..] {
        if c > 8 && c % 2 == 0 {
            return Ok(()); // not a 1.x continuation line (at most four pairs): no guess
        }
        if c % 2 == 1 {
            ended = c == first;
            break;
        }
        total += c;
    }
    if !ended {
        return Ok(());
    }
    let pairs = (total - 1) / 2;
    let m = (pairs as f64).sqrt().round() as usize;
    if m >= 1 && m * m == pairs && m != n {
        return Err(TouchstoneError::WrongPortCount {
            file: file.to_string(),
            line: first_line,
            found: total,
            expected: 1 + 2 * n * n,
            n_ports: n,
            what: "numbers in the first frequency point, frequency included".to_string(),
            hint: format!("; the layout looks like a {m}-port file (read it with --ports {m}, or check the extension)"),
        });
    }
    Ok(())
}

fn to_complex(x: f64, y: f64, fmt: Format) -> Complex64 {
    match fmt {
        Format::Ri => Complex64::new(x, y),
        Format::Ma => Complex64::from_polar(x, y.to_radians()),
        Format::Db => Complex64::from_polar(10f64.powf(x / 20.0), y.to_radians()),
    }
}

/// Parses Touchstone 1.x text with `n_ports` ports; `name` is used in messages only.
pub fn parse(text: &str, name: &str, n_ports: usize) -> Result<Touchstone, TouchstoneError> {
    let file = name.to_string();
    let n = n_ports;
    if n == 0 || n > MAX_PORTS {
        return Err(TouchstoneError::BadPortCount {
            file,
            n_ports: n,
            max: MAX_PORTS,
        });
    }
    let lay = layout(n);
    let point_len = 1 + 2 * n * n;

    // Option line first: data before it, duplicates, version-2 keywords.
    let mut option_line = None;
    let mut opts = Options {
        mult: 1e9,
        format: Format::Ma,
        z0: 50.0,
    };
    let mut data: Vec<(usize, Vec<&str>)> = Vec::new();
    for (ln, body) in data_lines(text) {
        if let Some(rest) = body.strip_prefix('#') {
            if let Some(first) = option_line {
                return Err(TouchstoneError::DuplicateOptionLine {
                    file,
                    line: ln,
                    first,
                });
            }
            opts = parse_options(rest, &file, ln)?;
            option_line = Some(ln);
        } else if body.starts_with('[') {
            return Err(TouchstoneError::Unsupported {
                file,
                line: ln,
                what: format!(
                    "Touchstone 2.0 keyword `{}`: only version 1.x files are read",
                    body.split_whitespace().next().unwrap_or(body)
                ),
            });
        } else if option_line.is_none() {
            return Err(TouchstoneError::MissingOptionLine { file, line: ln });
        } else {
            data.push((ln, body.split_whitespace().collect()));
        }
    }
    let Some(option_line) = option_line else {
        return Err(TouchstoneError::Empty { file });
    };
    if data.is_empty() {
        return Err(TouchstoneError::NoData { file, option_line });
    }
    let counts: Vec<(usize, usize)> = data.iter().map(|(l, t)| (*l, t.len())).collect();
    check_first_point(&counts, n, &file)?;

    let mut f_hz: Vec<f64> = Vec::new();
    let mut s: Vec<Vec<Complex64>> = Vec::new();
    let mut prev: Option<(f64, usize)> = None; // previous frequency (file units), line
    let mut cur: Vec<f64> = Vec::new(); // numbers of the point in progress
    let mut cur_start = 0usize; // its first line
    let mut cur_idx = 0usize; // next layout line within it
    let mut noise: Option<(f64, usize)> = None; // in the 2-port noise block: last noise f, line
    let last_line = data.last().map(|d| d.0).unwrap_or(0);

    for (ln, toks) in &data {
        let ln = *ln;
        let number = |t: &str, k: usize| -> Result<f64, TouchstoneError> {
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(TouchstoneError::NotANumber {
                    file: file.clone(),
                    line: ln,
                    token: t.to_string(),
                    expected: describe_value(k, n, opts.format),
                }),
            }
        };
        let check_freq = |f: f64, prev: Option<(f64, usize)>| -> Result<(), TouchstoneError> {
            if f < 0.0 {
                return Err(TouchstoneError::NegativeFrequency {
                    file: file.clone(),
                    line: ln,
                    f,
                });
            }
            if let Some((p, pl)) = prev {
                if f <= p {
                    return Err(TouchstoneError::NonIncreasingFrequency {
                        file: file.clone(),
                        line: ln,
                        f,
                        prev: p,
                        prev_line: pl,
                    });
                }
            }
            Ok(())
        };

        // 2-port noise parameters: five numbers a line, frequency restarting.
        if noise.is_none() && n == 2 && cur.is_empty() && toks.len() == 5 {
            if let (Some((p, _)), Ok(f)) = (prev, toks[0].parse::<f64>()) {
                if f <= p {
                    noise = Some((f64::NEG_INFINITY, 0));
                }
            }
        }
        if let Some(last) = noise {
            let what =
                "a noise-parameter line: frequency, NFmin (dB), |Γopt|, angle of Γopt, Rn/R0";
            if toks.len() != 5 {
                let (found, expected) = (toks.len(), 5);
                return Err(if found < expected {
                    TouchstoneError::ShortRow {
                        file,
                        line: ln,
                        found,
                        expected,
                        what: what.to_string(),
                    }
                } else {
                    TouchstoneError::WrongPortCount {
                        file,
                        line: ln,
                        found,
                        expected,
                        n_ports: n,
                        what: what.to_string(),
                        hint: String::new(),
                    }
                });
            }
            let f = number(toks[0], 0)?;
            for t in &toks[1..] {
                if !matches!(t.parse::<f64>(), Ok(v) if v.is_finite()) {
                    return Err(TouchstoneError::NotANumber {
                        file,
                        line: ln,
                        token: t.to_string(),
                        expected: "a noise parameter".to_string(),
                    });
                }
            }
            check_freq(f, (last.1 > 0).then_some(last))?;
            noise = Some((f, ln));
            continue;
        }

        // A point written whole on one line (n >= 3).
        let whole = cur.is_empty() && n >= 3 && toks.len() == point_len;
        let expected = if whole { point_len } else { lay[cur_idx] };
        if cur.is_empty() {
            cur_start = ln;
        }
        if toks.len() != expected {
            let what = describe_line(cur_idx, n, cur_start);
            let found = toks.len();
            return Err(if found < expected {
                TouchstoneError::ShortRow {
                    file,
                    line: ln,
                    found,
                    expected,
                    what,
                }
            } else {
                let hint = if cur_idx > 0 {
                    format!(" (or a line of the point begun on line {cur_start} is missing)")
                } else {
                    String::new()
                };
                TouchstoneError::WrongPortCount {
                    file,
                    line: ln,
                    found,
                    expected,
                    n_ports: n,
                    what,
                    hint,
                }
            });
        }
        let base = cur.len();
        for (i, t) in toks.iter().enumerate() {
            let k = base + i;
            let v = number(t, k)?;
            if k == 0 {
                check_freq(v, prev)?;
            }
            cur.push(v);
        }
        cur_idx = if whole { lay.len() } else { cur_idx + 1 };
        if cur_idx == lay.len() {
            let f = cur[0];
            let vals = &cur[1..];
            let mut m: Vec<Complex64> = vals
                .chunks_exact(2)
                .map(|p| to_complex(p[0], p[1], opts.format))
                .collect();
            if n == 2 {
                m.swap(1, 2); // file order S11 S21 S12 S22 -> row-major S11 S12 S21 S22
            }
            f_hz.push(f * opts.mult);
            s.push(m);
            prev = Some((f, cur_start));
            cur.clear();
            cur_idx = 0;
        }
    }
    if !cur.is_empty() {
        return Err(TouchstoneError::Truncated {
            file,
            line: cur_start,
            last_line,
            got: cur.len(),
            expected: point_len,
        });
    }
    Ok(Touchstone {
        n_ports: n,
        z0: opts.z0,
        f_hz,
        s,
        name: file,
    })
}

/// Threshold on the single-ended thru transmission at the lowest frequency.
pub const THRU_THRESHOLD: f64 = 0.5;

/// Measured data may have |S_ij| slightly above 1 (calibration, VNA noise): up to 1 + this
/// is accepted (with a warning above 1); beyond it [`Touchstone::check_passive`] refuses
/// the file. The shipped channels stay below 0.991.
pub const PASSIVITY_TOL: f64 = 0.05;

/// An explicit port map whose weaker thru leg transmits less than this fraction of the
/// best pairing's at the lowest frequency is refused ([`Touchstone::check_map`]).
pub const MAP_MIN_REL: f64 = 0.5;

/// The largest |S_ij| of a file: where it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LargestS {
    /// |S_ij|
    pub mag: f64,
    /// 1-based row (output port)
    pub i: usize,
    /// 1-based column (input port)
    pub j: usize,
    /// frequency, Hz
    pub f_hz: f64,
    /// frequency point, 0-based
    pub k: usize,
}

impl Touchstone {
    /// The insertion loss this file describes: S21 of a 2-port file; otherwise SDD21 with
    /// `map`, or with the detected port map when `map` is `None` (an error for a file
    /// without a thru path, such as a crosstalk file). Also returns the map used (`None`
    /// for a 2-port file).
    pub fn insertion(
        &self,
        map: Option<&PortMap>,
    ) -> Result<(FreqResponse, Option<PortMap>), TouchstoneError> {
        if self.n_ports == 2 {
            return Ok((self.s21()?, None));
        }
        let map = match map {
            Some(m) => m.clone(),
            None => self.detect_port_map()?.0,
        };
        Ok((self.sdd21(&map)?, Some(map)))
    }

    /// The largest |S_ij| over every element and frequency (`None` for a file without
    /// points).
    pub fn largest_s(&self) -> Option<LargestS> {
        let n = self.n_ports;
        let mut best: Option<LargestS> = None;
        for (k, m) in self.s.iter().enumerate() {
            for (e, v) in m.iter().enumerate() {
                let mag = v.norm();
                if best.is_none_or(|b| mag > b.mag || mag.is_nan()) {
                    best = Some(LargestS {
                        mag,
                        i: e / n + 1,
                        j: e % n + 1,
                        f_hz: self.f_hz[k],
                        k,
                    });
                }
            }
        }
        best
    }

    /// Passivity, element by element: an |S_ij| above 1 + `tol` is an error naming the
    /// element and the frequency; the largest |S_ij| is returned (the caller warns when
    /// it is above 1).
    pub fn check_passive(&self, tol: f64) -> Result<Option<LargestS>, TouchstoneError> {
        let b = self.largest_s();
        if let Some(b) = b {
            if !(b.mag <= 1.0 + tol) {
                return Err(TouchstoneError::NonPassive {
                    file: self.name.clone(),
                    i: b.i,
                    j: b.j,
                    mag: b.mag,
                    f_ghz: b.f_hz / 1e9,
                    point: b.k + 1,
                    tol,
                });
            }
        }
        Ok(b)
    }

    /// The weaker single-ended thru leg of `map` at the lowest frequency: (|S|, its name).
    /// The legs are a.p -> b.p and a.n -> b.n (each the smaller of the two directions).
    pub fn map_transmission(&self, map: &PortMap) -> Result<(f64, String), TouchstoneError> {
        self.sdd21(map)?; // validates the map against the port count
        if self.s.is_empty() {
            return Err(TouchstoneError::NoData {
                file: self.name.clone(),
                option_line: 0,
            });
        }
        Ok(self.weaker_leg(map))
    }

    /// [`Touchstone::map_transmission`] for a map already known to fit the file (ports
    /// in range, at least one frequency point).
    fn weaker_leg(&self, map: &PortMap) -> (f64, String) {
        let leg = |x: usize, y: usize| {
            let fwd = self.sij(0, y, x).norm();
            let rev = self.sij(0, x, y).norm();
            if fwd <= rev {
                (fwd, format!("S{y}{x}"))
            } else {
                (rev, format!("S{x}{y}"))
            }
        };
        let l1 = leg(map.a.0, map.b.0);
        let l2 = leg(map.a.1, map.b.1);
        if l1.0 <= l2.0 {
            l1
        } else {
            l2
        }
    }

    /// Checks an explicit port map against the data: when the file has a thru path (the
    /// best pairing transmits above [`THRU_THRESHOLD`]) and the map's weaker leg transmits
    /// less than [`MAP_MIN_REL`] of the best pairing's, the map pairs the wrong ports and
    /// this is an error naming the best pairing. Files without a thru (crosstalk) pass.
    pub fn check_map(&self, map: &PortMap) -> Result<(), TouchstoneError> {
        let (t, leg) = self.map_transmission(map)?;
        if self.n_ports != 4 {
            return Ok(());
        }
        let Ok((best_map, _)) = self.detect_port_map() else {
            return Ok(());
        };
        let best = self.weaker_leg(&best_map).0;
        if t < MAP_MIN_REL * best {
            return Err(TouchstoneError::WrongMap {
                file: self.name.clone(),
                map: map.to_string(),
                leg,
                t,
                best_map: best_map.to_string(),
                best,
                f_ghz: self.f_hz[0] / 1e9,
                rel: MAP_MIN_REL,
            });
        }
        Ok(())
    }

    /// S_(i)(j), 1-based, at frequency index `k` (no bounds promise beyond the file's).
    fn sij(&self, k: usize, i: usize, j: usize) -> Complex64 {
        self.s[k][(i - 1) * self.n_ports + (j - 1)]
    }

    /// One single-ended term S_ij (1-based) as a frequency response.
    pub fn s_param(&self, i: usize, j: usize) -> Result<FreqResponse, TouchstoneError> {
        let n = self.n_ports;
        if i == 0 || j == 0 || i > n || j > n {
            return Err(TouchstoneError::BadMap {
                file: self.name.clone(),
                map: format!("S{i},{j}"),
                reason: format!("ports must be 1..={n}"),
            });
        }
        Ok(FreqResponse {
            f_hz: self.f_hz.clone(),
            h: (0..self.f_hz.len()).map(|k| self.sij(k, i, j)).collect(),
        })
    }

    /// S21 of a 2-port file.
    pub fn s21(&self) -> Result<FreqResponse, TouchstoneError> {
        if self.n_ports != 2 {
            return Err(TouchstoneError::PortsNeeded {
                file: self.name.clone(),
                what: "S21 (single-ended insertion loss)".to_string(),
                needed: "2 ports (for 4-port files use sdd21)".to_string(),
                n_ports: self.n_ports,
            });
        }
        self.s_param(2, 1)
    }

    /// Differential insertion loss SDD21 = ½ (S_b1a1 − S_b1a2 − S_b2a1 + S_b2a2) under `map`.
    pub fn sdd21(&self, map: &PortMap) -> Result<FreqResponse, TouchstoneError> {
        let n = self.n_ports;
        if n < 4 {
            return Err(TouchstoneError::PortsNeeded {
                file: self.name.clone(),
                what: "SDD21".to_string(),
                needed: "at least 4 ports".to_string(),
                n_ports: n,
            });
        }
        let ports = map.ports();
        let bad = |reason: String| TouchstoneError::BadMap {
            file: self.name.clone(),
            map: map.to_string(),
            reason,
        };
        if let Some(p) = ports.iter().find(|&&p| p == 0 || p > n) {
            return Err(bad(format!("port {p} is not in 1..={n}")));
        }
        for i in 0..4 {
            for j in i + 1..4 {
                if ports[i] == ports[j] {
                    return Err(bad(format!("port {} appears twice", ports[i])));
                }
            }
        }
        let (a1, a2) = map.a;
        let (b1, b2) = map.b;
        let h = (0..self.f_hz.len())
            .map(|k| {
                0.5 * (self.sij(k, b1, a1) - self.sij(k, b1, a2) - self.sij(k, b2, a1)
                    + self.sij(k, b2, a2))
            })
            .collect();
        Ok(FreqResponse {
            f_hz: self.f_hz.clone(),
            h,
        })
    }

    /// Finds the differential thru of a 4-port file from the data: of the three ways to
    /// split the ports into two single-ended thru paths, the one whose weaker path
    /// transmits most at the lowest frequency. Thru paths x→y and u→v (x < y, u < v,
    /// x < u) give the map a = (x, u), b = (y, v). Returns the map and |SDD21| at the
    /// lowest frequency; an error if even the best pairing transmits no more than
    /// [`THRU_THRESHOLD`] (a crosstalk file, for instance).
    pub fn detect_port_map(&self) -> Result<(PortMap, f64), TouchstoneError> {
        if self.n_ports != 4 {
            return Err(TouchstoneError::PortsNeeded {
                file: self.name.clone(),
                what: "port-map detection".to_string(),
                needed: "4 ports".to_string(),
                n_ports: self.n_ports,
            });
        }
        if self.s.is_empty() {
            return Err(TouchstoneError::NoData {
                file: self.name.clone(),
                option_line: 0,
            });
        }
        let pairings = [((1, 2), (3, 4)), ((1, 3), (2, 4)), ((1, 4), (2, 3))];
        let mut best: Option<(f64, PortMap)> = None;
        for ((x, y), (u, v)) in pairings {
            let map = PortMap {
                a: (x, u),
                b: (y, v),
            };
            let score = self.weaker_leg(&map).0;
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, map));
            }
        }
        let (score, map) = best.unwrap_or((
            0.0,
            PortMap {
                a: (1, 3),
                b: (2, 4),
            },
        ));
        if !(score > THRU_THRESHOLD) {
            return Err(TouchstoneError::NoThru {
                file: self.name.clone(),
                best: score,
                best_map: map.to_string(),
                f_hz: self.f_hz[0],
                threshold: THRU_THRESHOLD,
            });
        }
        let dd = self.sdd21(&map)?;
        Ok((map, dd.h[0].norm()))
    }
}

/// |H| at `f_hz`, linearly interpolated between grid points; None outside the grid.
pub fn magnitude_at(resp: &FreqResponse, f_hz: f64) -> Option<f64> {
    let f = &resp.f_hz;
    if f.is_empty() || f.len() != resp.h.len() || !(f_hz >= f[0] && f_hz <= f[f.len() - 1]) {
        return None;
    }
    let i = f.partition_point(|&x| x < f_hz);
    if f[i] == f_hz || i == 0 {
        return Some(resp.h[i].norm());
    }
    let t = (f_hz - f[i - 1]) / (f[i] - f[i - 1]);
    Some(resp.h[i - 1].norm() * (1.0 - t) + resp.h[i].norm() * t)
}

/// Insertion loss −20·log10|H| in dB at `f_hz` (|H| interpolated as in [`magnitude_at`]).
pub fn insertion_loss_db(resp: &FreqResponse, f_hz: f64) -> Option<f64> {
    magnitude_at(resp, f_hz).map(|m| -20.0 * m.log10())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Complex64, b: Complex64) -> bool {
        (a - b).norm() < 1e-12
    }

    fn err(text: &str, n: usize) -> TouchstoneError {
        parse(text, "t.sNp", n).expect_err("expected an error")
    }

    const TWO_PORT_RI: &str = "! a 2-port\n# MHz S RI R 75\n100 0.1 0.2 0.9 -0.1 0.8 -0.2 0.3 0.4 ! trailing\n200 0.1 0.2 0.7 -0.3 0.6 -0.4 0.3 0.4\n";

    #[test]
    fn two_port_ri_order_and_units() {
        let t = parse(TWO_PORT_RI, "a.s2p", 2).unwrap();
        assert_eq!(t.n_ports, 2);
        assert_eq!(t.z0, 75.0);
        assert_eq!(t.f_hz, vec![100e6, 200e6]);
        // file order S11 S21 S12 S22; stored row-major S11 S12 S21 S22
        assert!(close(t.s[0][0], Complex64::new(0.1, 0.2)));
        assert!(close(t.s[0][2], Complex64::new(0.9, -0.1)), "S21");
        assert!(close(t.s[0][1], Complex64::new(0.8, -0.2)), "S12");
        assert!(close(t.s[0][3], Complex64::new(0.3, 0.4)));
        let s21 = t.s21().unwrap();
        assert!(close(s21.h[1], Complex64::new(0.7, -0.3)));
        assert!(t
            .sdd21(&PortMap {
                a: (1, 3),
                b: (2, 4)
            })
            .is_err());
        assert!(t.detect_port_map().is_err());
    }

    #[test]
    fn formats_ma_db_and_defaults() {
        // all option fields omitted: GHz S MA R 50
        let t = parse("#\n1 1 0 0.5 90 0.5 -90 1 180\n", "m.s2p", 2).unwrap();
        assert_eq!(t.f_hz, vec![1e9]);
        assert_eq!(t.z0, 50.0);
        assert!(close(t.s[0][2], Complex64::new(0.0, 0.5)));
        assert!(close(t.s[0][3], Complex64::new(-1.0, 0.0)));
        let t = parse(
            "# hz s db r 50\n0 -6.020599913279624 0 0 90 -20 0 0 0\n",
            "d.s2p",
            2,
        )
        .unwrap();
        assert_eq!(t.f_hz, vec![0.0]);
        assert!((t.s[0][0].norm() - 0.5).abs() < 1e-12);
        assert!(close(t.s[0][2], Complex64::new(0.0, 1.0)));
        assert!((t.s[0][1].norm() - 0.1).abs() < 1e-12);
        for (u, m) in [("Hz", 1.0), ("KHZ", 1e3), ("mhz", 1e6), ("GHz", 1e9)] {
            let t = parse(&format!("# {u} RI\n2.5 1 0 0 0 0 0 1 0\n"), "u.s2p", 2).unwrap();
            assert_eq!(t.f_hz, vec![2.5 * m], "{u}");
        }
        // field order is free, R may come first
        let t = parse("# R 100 RI GHz S\n1 0 0 1 0 1 0 0 0\n", "o.s2p", 2).unwrap();
        assert_eq!(t.z0, 100.0);
    }

    #[test]
    fn one_and_three_and_four_port_layouts() {
        let t = parse("# GHz S RI\n1 0.5 0.5\n2 0.25 0\n", "a.s1p", 1).unwrap();
        assert_eq!(t.s.len(), 2);
        assert!(close(t.s[1][0], Complex64::new(0.25, 0.0)));
        let three = "# GHz S RI\n1 11 0 12 0 13 0\n 21 0 22 0 23 0\n 31 0 32 0 33 0\n";
        let t = parse(three, "a.s3p", 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(t.s[0][i * 3 + j].re, (10 * (i + 1) + j + 1) as f64);
            }
        }
        let mut four = String::from("# GHz S RI\n");
        for f in 1..=2 {
            for i in 1..=4 {
                if i == 1 {
                    four.push_str(&format!("{f} "));
                }
                for j in 1..=4 {
                    four.push_str(&format!("{}{} {} ", i, j, f));
                }
                four.push('\n');
            }
        }
        let t = parse(&four, "a.s4p", 4).unwrap();
        assert_eq!(t.s.len(), 2);
        assert!(
            close(t.s[1][2 * 4 + 3], Complex64::new(34.0, 2.0)),
            "S34 at point 2"
        );
        // whole point on one line
        let flat: String = {
            let mut lines = four.lines();
            let head = lines.next().unwrap().to_string();
            let body: Vec<&str> = lines.collect();
            format!("{head}\n{}\n{}\n", body[..4].join(" "), body[4..].join(" "))
        };
        assert_eq!(
            parse(&flat, "f.s4p", 4).unwrap(),
            Touchstone {
                name: "f.s4p".into(),
                ..t
            }
        );
    }

    #[test]
    fn many_ports_wrap_at_four_pairs() {
        assert_eq!(layout(5), [9, 2, 8, 2, 8, 2, 8, 2, 8, 2]);
        assert_eq!(layout(4), [9, 8, 8, 8]);
        assert_eq!(layout(3), [7, 6, 6]);
        let mut text = String::from("# Hz S RI\n7");
        for i in 1..=5 {
            for j in 1..=5 {
                text.push_str(&format!(" {i}{j} 0"));
                if j == 4 || j == 5 {
                    text.push('\n');
                }
            }
        }
        let t = parse(&text, "x.s5p", 5).unwrap();
        assert_eq!(t.s[0][4 * 5 + 4].re, 55.0);
        assert_eq!(t.s[0][5 + 4].re, 25.0);
    }

    #[test]
    fn comments_blank_lines_and_crlf() {
        let t = parse(
            "!hdr\r\n\r\n  # GHz S RI R 50 ! opt\r\n! mid\r\n1 0 0 1 0 1 0 0 0 !x\r\n\r\n",
            "c.s2p",
            2,
        )
        .unwrap();
        assert_eq!(t.f_hz, vec![1e9]);
    }

    #[test]
    fn noise_block_is_skipped() {
        let text = "# GHz S RI\n1 0 0 1 0 1 0 0 0\n2 0 0 1 0 1 0 0 0\n! noise\n1 1.5 0.3 20 0.2\n2 1.7 0.3 25 0.2\n";
        let t = parse(text, "n.s2p", 2).unwrap();
        assert_eq!(t.f_hz.len(), 2);
        match err("# GHz S RI\n1 0 0 1 0 1 0 0 0\n1 1.5 0.3 20\n", 2) {
            TouchstoneError::ShortRow {
                line: 3, found: 4, ..
            } => {}
            e => panic!("{e}"),
        }
    }

    #[test]
    fn error_empty_and_no_data() {
        assert!(matches!(err("", 2), TouchstoneError::Empty { .. }));
        assert!(matches!(
            err("! only\n\n", 2),
            TouchstoneError::Empty { .. }
        ));
        assert!(matches!(
            err("!x\n# GHz S MA R 50\n", 2),
            TouchstoneError::NoData { option_line: 2, .. }
        ));
    }

    #[test]
    fn error_missing_and_duplicate_option_line() {
        let e = err("! c\n1 0 0 1 0 1 0 0 0\n# GHz\n", 2);
        assert!(
            matches!(e, TouchstoneError::MissingOptionLine { line: 2, .. }),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("t.sNp:2: data before the option line"),
            "{e}"
        );
        let e = err("# GHz\n1 0 0 1 0 1 0 0 0\n# MHz\n", 2);
        assert!(
            matches!(
                e,
                TouchstoneError::DuplicateOptionLine {
                    line: 3,
                    first: 1,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn error_option_tokens() {
        for p in ["Y", "z", "H", "g"] {
            let e = err(&format!("\n# GHz {p} MA R 50\n1 0 0 1 0 1 0 0 0\n"), 2);
            assert!(
                matches!(e, TouchstoneError::Unsupported { line: 2, .. }),
                "{e}"
            );
            assert!(e.to_string().contains("unsupported"), "{e}");
        }
        let e = err("# GHz S XY\n", 2);
        assert!(
            matches!(e, TouchstoneError::BadOption { line: 1, ref token, .. } if token == "XY"),
            "{e}"
        );
        assert!(matches!(
            err("# GHz S MA R\n", 2),
            TouchstoneError::BadOption { line: 1, .. }
        ));
        assert!(matches!(
            err("# GHz S MA R -5\n", 2),
            TouchstoneError::BadOption { line: 1, .. }
        ));
        assert!(matches!(
            err("# GHz S MA R fifty\n", 2),
            TouchstoneError::BadOption { line: 1, .. }
        ));
        assert!(matches!(
            err("[Version] 2.0\n# GHz\n", 2),
            TouchstoneError::Unsupported { line: 1, .. }
        ));
    }

    #[test]
    fn error_not_a_number_names_the_element() {
        let e = err("# GHz S MA\n1 0 0 0.9 abc 1 0 0 0\n", 2);
        match &e {
            TouchstoneError::NotANumber {
                line: 2,
                token,
                expected,
                ..
            } => {
                assert_eq!(token, "abc");
                assert_eq!(expected, "the angle (degrees) of S21");
            }
            _ => panic!("{e}"),
        }
        let e = err("# GHz S RI\nx 0 0 1 0 1 0 0 0\n", 2);
        assert!(
            matches!(e, TouchstoneError::NotANumber { line: 2, ref expected, .. } if expected == "a frequency")
        );
        assert!(matches!(
            err("# GHz S RI\n1 0 0 1 0 1 0 0 NaN\n", 2),
            TouchstoneError::NotANumber { line: 2, .. }
        ));
        assert!(matches!(
            err("# GHz S RI\n1 0 0 1 0 1 0 0 inf\n", 2),
            TouchstoneError::NotANumber { line: 2, .. }
        ));
        let e = err("# GHz S RI\n1 0 0 0 0 0 0 0 0\n 0 0 0 0 0 q 0 0\n", 4);
        assert!(
            matches!(e, TouchstoneError::NotANumber { line: 3, ref expected, .. } if expected == "the imaginary part of S23"),
            "{e}"
        );
    }

    #[test]
    fn error_short_row_and_truncation() {
        let e = err("# GHz S RI\n1 0 0 1 0 1 0 0 0\n2 0 0 1 0 1 0 0\n", 2);
        assert!(
            matches!(
                e,
                TouchstoneError::ShortRow {
                    line: 3,
                    found: 8,
                    expected: 9,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("short data row"), "{e}");
        let four =
            "# GHz S RI\n1 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n";
        let e = err(four, 4);
        assert!(
            matches!(
                e,
                TouchstoneError::ShortRow {
                    line: 4,
                    found: 7,
                    expected: 8,
                    ..
                }
            ),
            "{e}"
        );
        // last point cut after two of its four lines
        let cut = "# GHz S RI\n1 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n2 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n! end\n";
        let e = err(cut, 4);
        assert!(
            matches!(
                e,
                TouchstoneError::Truncated {
                    line: 6,
                    last_line: 7,
                    got: 17,
                    expected: 33,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("truncated last point"), "{e}");
    }

    #[test]
    fn error_wrong_port_count() {
        // a 4-port point read as 2-port
        let four =
            "# GHz S RI\n1 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n";
        let e = err(four, 2);
        assert!(
            matches!(
                e,
                TouchstoneError::WrongPortCount {
                    line: 2,
                    found: 33,
                    expected: 9,
                    n_ports: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("4-port"), "{e}");
        // 2-port points read as 4-port
        let two = "# GHz S RI\n1 0 0 1 0 1 0 0 0\n2 0 0 1 0 1 0 0 0\n";
        let e = err(two, 4);
        assert!(
            matches!(
                e,
                TouchstoneError::WrongPortCount {
                    line: 2,
                    found: 9,
                    expected: 33,
                    n_ports: 4,
                    ..
                }
            ),
            "{e}"
        );
        // too many numbers on one line
        let e = err("# GHz S RI\n1 0 0 1 0 1 0 0 0 7\n", 2);
        assert!(
            matches!(
                e,
                TouchstoneError::WrongPortCount {
                    line: 2,
                    found: 10,
                    expected: 9,
                    ..
                }
            ),
            "{e}"
        );
        // a missing row line: the next point's first line lands in its place
        let gap = "# GHz S RI\n1 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n2 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n3 0 0 0 0 0 0 0 0\n";
        let e = err(gap, 4);
        assert!(
            matches!(
                e,
                TouchstoneError::WrongPortCount {
                    line: 9,
                    found: 9,
                    expected: 8,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("begun on line 6"), "{e}");
    }

    #[test]
    fn error_frequencies() {
        let e = err("# GHz S RI\n1 0 0 1 0 1 0 0 0\n! c\n1 0 0 1 0 1 0 0 0\n", 2);
        assert!(
            matches!(
                e,
                TouchstoneError::NonIncreasingFrequency {
                    line: 4,
                    prev_line: 2,
                    ..
                }
            ),
            "{e}"
        );
        let e = err("# GHz S RI\n2 0 0 1 0 1 0 0 0\n1.5 0 0 1 0 1 0 0 0 0\n", 2);
        assert!(
            matches!(e, TouchstoneError::WrongPortCount { line: 3, .. }),
            "{e}"
        );
        let e = err("# GHz S RI\n0 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n0 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n 0 0 0 0 0 0 0 0\n", 4);
        assert!(
            matches!(
                e,
                TouchstoneError::NonIncreasingFrequency {
                    line: 6,
                    prev_line: 2,
                    ..
                }
            ),
            "{e}"
        );
        let e = err("# GHz S RI\n-1 0 0 1 0 1 0 0 0\n", 2);
        assert!(
            matches!(e, TouchstoneError::NegativeFrequency { line: 2, .. }),
            "{e}"
        );
    }

    #[test]
    fn port_count_from_name() {
        assert_eq!(ports_from_name("a/b/x.s4p"), Some(4));
        assert_eq!(ports_from_name("X.S2P"), Some(2));
        assert_eq!(ports_from_name("x.s12p"), Some(12));
        assert_eq!(ports_from_name("x.txt"), None);
        assert_eq!(ports_from_name("x.sp"), None);
        assert_eq!(ports_from_name("s4p"), None);
        assert!(matches!(
            parse("# GHz\n", "x", 0),
            Err(TouchstoneError::BadPortCount { .. })
        ));
        assert!(matches!(
            parse("# GHz\n", "x", MAX_PORTS + 1),
            Err(TouchstoneError::BadPortCount { .. })
        ));
        let e = read(Path::new("/nonexistent/file.txt")).unwrap_err();
        assert!(matches!(e, TouchstoneError::UnknownPortCount { .. }), "{e}");
        let e = read(Path::new("/nonexistent/file.s2p")).unwrap_err();
        assert!(matches!(e, TouchstoneError::Io { .. }), "{e}");
    }

    #[test]
    fn port_map_parse_and_display() {
        let m = PortMap::parse(" 1, 3 : 2 ,4").unwrap();
        assert_eq!(
            m,
            PortMap {
                a: (1, 3),
                b: (2, 4)
            }
        );
        assert_eq!(m.to_string(), "1,3:2,4");
        for bad in [
            "",
            "1,3",
            "1,3:2",
            "1,3:2,4:5,6",
            "0,3:2,4",
            "1,3:2,x",
            "1,1:2,4",
            "1,3:3,4",
            "1,2,3:4,5",
        ] {
            let e = PortMap::parse(bad).unwrap_err();
            assert!(matches!(e, TouchstoneError::PortMapSyntax { .. }), "{bad}");
            assert!(e.to_string().contains("expected `a1,a2:b1,b2`"), "{e}");
        }
    }

    /// A 4-port with thru paths 1->3 and 2->4 (so pairs (1,2) -> (3,4)), skew on the n leg.
    fn four_port(thru: [(usize, usize); 2], t: [f64; 2]) -> Touchstone {
        let n = 4;
        let mut s = vec![Complex64::new(0.01, 0.0); 16];
        for (k, &(x, y)) in thru.iter().enumerate() {
            s[(y - 1) * n + (x - 1)] = Complex64::new(t[k], 0.0);
            s[(x - 1) * n + (y - 1)] = Complex64::new(t[k], 0.0);
        }
        Touchstone {
            n_ports: 4,
            z0: 50.0,
            f_hz: vec![0.0, 1e9],
            s: vec![s.clone(), s],
            name: "syn.s4p".into(),
        }
    }

    #[test]
    fn detect_and_sdd21() {
        for (thru, want) in [
            ([(1, 2), (3, 4)], "1,3:2,4"),
            ([(1, 3), (2, 4)], "1,2:3,4"),
            ([(1, 4), (2, 3)], "1,2:4,3"),
        ] {
            let t = four_port(thru, [0.9, 0.8]);
            let (m, mag) = t.detect_port_map().unwrap();
            assert_eq!(m.to_string(), want);
            // SDD21 = ½(0.9 − 0.01 − 0.01 + 0.8): the other terms are all 0.01
            assert!((mag - 0.84).abs() < 1e-12, "{want}: {mag}");
        }
        // swapping the output legs flips the sign
        let t = four_port([(1, 2), (3, 4)], [1.0, 1.0]);
        let h = t
            .sdd21(&PortMap {
                a: (1, 3),
                b: (4, 2),
            })
            .unwrap();
        assert!(close(h.h[0], Complex64::new(-0.99, 0.0)), "{}", h.h[0]);
        // crosstalk-like: nothing above 0.5
        let t = four_port([(1, 2), (3, 4)], [0.3, 0.9]);
        let e = t.detect_port_map().unwrap_err();
        assert!(matches!(e, TouchstoneError::NoThru { .. }), "{e}");
        assert!(
            e.to_string().contains("syn.s4p") && e.to_string().contains("0.3"),
            "{e}"
        );
        // maps that do not fit
        assert!(matches!(
            t.sdd21(&PortMap {
                a: (1, 5),
                b: (2, 4)
            }),
            Err(TouchstoneError::BadMap { .. })
        ));
        assert!(matches!(
            t.sdd21(&PortMap {
                a: (1, 1),
                b: (2, 4)
            }),
            Err(TouchstoneError::BadMap { .. })
        ));
        assert!(t.s21().is_err());
        assert_eq!(t.s_param(2, 1).unwrap().h[0], Complex64::new(0.3, 0.0));
    }

    #[test]
    fn interpolation() {
        let r = FreqResponse {
            f_hz: vec![0.0, 1.0, 2.0],
            h: vec![
                Complex64::new(1.0, 0.0),
                Complex64::new(0.0, 0.5),
                Complex64::new(0.1, 0.0),
            ],
        };
        assert_eq!(magnitude_at(&r, 1.0), Some(0.5));
        assert!((magnitude_at(&r, 1.5).unwrap() - 0.3).abs() < 1e-15);
        assert_eq!(magnitude_at(&r, 2.5), None);
        assert_eq!(magnitude_at(&r, f64::NAN), None);
        assert!((insertion_loss_db(&r, 2.0).unwrap() - 20.0).abs() < 1e-12);
    }
}
