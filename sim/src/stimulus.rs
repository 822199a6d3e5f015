//! Stimulus files: plain text, one cycle a line, `#` starts a comment. A line is either
//! the cycle's P ADC codes, lane 0 first (`-7` for one lane, `-7 3 0 12` for four), `rst`,
//! or a configuration write `w ADDR DATA ADC...` (e.g. `w 1 64 0`: write 64 to address 1
//! while the one lane's ADC carries 0).
//! Every value is range-checked; an error names the line, the field and the legal range.

use cporx_spec::RxIn;

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
        let num = |s: &str, what: &str| -> Result<i64, StimulusFileError> {
            s.parse::<i64>()
                .map_err(|_| err(format!("{what} `{s}` is not an integer")))
        };
        // Values are parsed as i64 and checked against the port ranges before narrowing,
        // so nothing out of range can wrap or clamp into range.
        let small = |v: i64, what: &str| -> Result<i32, StimulusFileError> {
            i32::try_from(v).map_err(|_| err(format!("{what} = {v} is far out of range")))
        };
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
                i.adc[j] = small(num(x, &format!("adc[{j}]"))?, &format!("adc[{j}]"))?;
            }
            Ok(i)
        };
        let i = match f.as_slice() {
            ["rst"] => RxIn::reset(),
            ["w", a, d, xs @ ..] => {
                let a = num(a, "cfg_addr")?;
                if a < 0 {
                    return Err(err(format!(
                        "cfg_addr = {a} is out of range: legal is 0 ..= 31"
                    )));
                }
                let mut i = codes(xs)?;
                i.cfg_we = true;
                i.cfg_addr = small(a, "cfg_addr")? as u32;
                i.cfg_data = small(num(d, "cfg_data")?, "cfg_data")?;
                i
            }
            [x, ..] if x.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => codes(&f)?,
            _ => {
                return Err(err(format!(
                    "expected `ADC...`, `rst` or `w ADDR DATA ADC...`, found `{line}`"
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
        let e = parse("w 40 0 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("cfg_addr") && e.contains("0 ..= 31"), "{e}");
        let e = parse("w -1 0 0\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("cfg_addr"), "{e}");
        let e = parse("abc\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("expected"), "{e}");
        let e = parse("1 x\n", "s.txt", 2).unwrap_err().to_string();
        assert!(e.contains("not an integer"), "{e}");
        let e = parse("99999999999\n", "s.txt", 1).unwrap_err().to_string();
        assert!(e.contains("adc"), "{e}");
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
