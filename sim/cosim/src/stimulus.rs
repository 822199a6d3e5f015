//! Stimulus files: plain text, one cycle a line, `#` starts a comment. A line is either
//! the cycle's P ADC codes, lane 0 first (`-7` for one lane, `-7 3 0 12` for four), `rst`,
//! or a configuration write `w ADDR DATA ADC...` (e.g. `w 1 64 0`: write 64 to address 1
//! while the one lane's ADC carries 0).
//! Every value is range-checked; an error names the line, the field and the legal range.
//! `DATA` is the register's own format: signed -128 ..= 127 for the FFE coefficients,
//! thresholds and targets (addresses 0 ..= 23), unsigned 0 ..= 255 for the CDR and lock
//! registers (24 ..= 31); the bus carries its 8-bit pattern either way.
//!
//! A file without any `rst` line runs from power-up, where every register (configuration
//! included) is 0: [`parse`] accepts it, and the `sim` command warns ([`never_resets`]).

use cporx_spec::{sext, signed_range, RxIn, ADC_BITS, CFG_ADDR_BITS, CFG_DATA_BITS, CFG_KP};

/// The legal `DATA` range of a write to `addr`, in the register's own format.
pub fn cfg_data_range(addr: u32) -> (i64, i64) {
    if addr >= CFG_KP {
        (0, (1 << CFG_DATA_BITS) - 1)
    } else {
        let (lo, hi) = signed_range(CFG_DATA_BITS);
        (lo as i64, hi as i64)
    }
}

/// Whether a parsed stimulus never resets (so it runs from the power-up state).
pub fn never_resets(stim: &[RxIn]) -> bool {
    !stim.iter().any(|i| i.rst)
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{path}:{line}: {msg}")]
pub struct StimulusFileError {
    pub path: String,
    pub line: usize,
    pub msg: String,
}

/// Parse a stimulus file for a design with `lanes` samples per clock.
pub fn parse(text: &str, path: &str, lanes: usize) -> Result<Vec<RxIn>, StimulusFileError> {
    let mut out = Vec::new();
    for (ln, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let err = |msg: String| StimulusFileError {
            path: path.to_string(),
            line: ln + 1,
            msg,
        };
        // A number, range-checked before narrowing: an integer of any length out of range
        // says so with the legal range; nothing can wrap or clamp into range.
        let ranged = |s: &str, what: &str, lo: i64, hi: i64| -> Result<i64, StimulusFileError> {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(format!("{what} `{s}` is not an integer")));
            }
            match s.parse::<i64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(v),
                _ => Err(err(format!(
                    "{what} = {s} is out of range: legal is {lo} ..= {hi}"
                ))),
            }
        };
        let (alo, ahi) = signed_range(ADC_BITS);
        let f: Vec<&str> = line.split_whitespace().collect();
        let codes = |xs: &[&str]| -> Result<RxIn, StimulusFileError> {
            if xs.len() != lanes {
                return Err(err(format!(
                    "expected {lanes} ADC code(s), one per lane (lanes = {lanes}), found {}",
                    xs.len()
                )));
            }
            let mut i = RxIn::default();
            for (j, x) in xs.iter().enumerate() {
                i.adc[j] = ranged(x, &format!("adc[{j}]"), alo as i64, ahi as i64)? as i32;
            }
            Ok(i)
        };
        let i = match f.as_slice() {
            ["rst"] => RxIn::reset(),
            ["w", a, d, xs @ ..] => {
                let a = ranged(a, "cfg_addr", 0, (1 << CFG_ADDR_BITS) - 1)? as u32;
                let (dlo, dhi) = cfg_data_range(a);
                let d = ranged(d, &format!("cfg_data (address {a})"), dlo, dhi)?;
                let mut i = codes(xs)?;
                i.cfg_we = true;
                i.cfg_addr = a;
                // the bus carries the 8-bit pattern; unsigned registers read it back unsigned
                i.cfg_data = sext(d as u32 & ((1 << CFG_DATA_BITS) - 1), CFG_DATA_BITS);
                i
            }
            ["r", a, xs @ ..] => {
                let a = ranged(a, "cfg_addr", 0, (1 << CFG_ADDR_BITS) - 1)? as u32;
                let mut i = codes(xs)?;
                i.cfg_addr = a;
                i
            }
            [x, ..] if x.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => codes(&f)?,
            _ => {
                return Err(err(format!(
                "expected `ADC...`, `rst`, `w ADDR DATA ADC...` or `r ADDR ADC...`, found `{line}`"
            )))
            }
        };
        i.validate(out.len()).map_err(|e| err(e.to_string()))?;
        out.push(i);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_rejects_with_line_numbers() {
        let s = parse("rst\n# comment\nw 1 64 0\n-32\n31 # trailing\n", "s.txt", 1).unwrap();
        assert_eq!(s.len(), 4);
        assert!(s[0].rst && s[1].cfg_we && s[2].adc[0] == -32 && s[3].adc[0] == 31);
        let e = parse("rst\n32\n", "s.txt", 1).unwrap_err().to_string();
        assert!(
            e.starts_with("s.txt:2:") && e.contains("adc[0]") && e.contains("-32 ..= 31"),
            "{e}"
        );
        let e = parse("w 64 0 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("cfg_addr") && e.contains("0 ..= 63"), "{e}");
        let e = parse("r 64 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("cfg_addr") && e.contains("0 ..= 63"), "{e}");
        let r = parse("r 34 5\n", "s.txt", 1).unwrap();
        assert!(!r[0].cfg_we && r[0].cfg_addr == 34 && r[0].adc[0] == 5);
        let e = parse("w -1 0 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("cfg_addr"), "{e}");
        let e = parse("abc\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("expected"), "{e}");
        let e = parse("1 x\n", "s.txt", 2).unwrap_err().to_string();
        assert!(e.contains("not an integer"), "{e}");
        let e = parse("99999999999\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("adc"), "{e}");
        // an integer of any length is out of range, not "not an integer"
        let e = parse("12345678901234567890\n", "s.txt", 1)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "s.txt:1: adc[0] = 12345678901234567890 is out of range: legal is -32 ..= 31"
        );
        // the unsigned registers (lock_thr, lock_max, kp, ki, ctrl, phase) take 0 ..= 255
        let s = parse("w 27 200 0\n", "s.txt", 1).unwrap();
        assert_eq!((s[0].cfg_addr, s[0].cfg_data), (27, 200 - 256));
        let e = parse("w 27 -1 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(
            e.contains("cfg_data (address 27) = -1 is out of range: legal is 0 ..= 255"),
            "{e}"
        );
        let e = parse("w 3 200 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(
            e.contains("cfg_data (address 3) = 200 is out of range: legal is -128 ..= 127"),
            "{e}"
        );
        assert!(never_resets(&parse("1\n2\n", "s.txt", 1).unwrap()));
        assert!(!never_resets(&parse("1\nrst\n", "s.txt", 1).unwrap()));
        assert!(parse("w 1 2\n", "s.txt", 1).is_err());
        // several lanes: every line carries one code per lane
        let s = parse("rst\nw 1 64 0 1 2 3\n-32 31 0 5\n", "s.txt", 4).unwrap();
        assert_eq!(s[2].adc[..4], [-32, 31, 0, 5]);
        assert_eq!((s[1].cfg_addr, s[1].adc[3]), (1, 3));
        let e = parse("1 2 3\n", "s.txt", 4).unwrap_err().to_string();
        assert!(
            e.contains("expected 4 ADC code(s)") && e.contains("found 3"),
            "{e}"
        );
        let e = parse("1 2 3 40\n", "s.txt", 4).unwrap_err().to_string();
        assert!(e.contains("adc[3]") && e.contains("-32 ..= 31"), "{e}");
    }
}
