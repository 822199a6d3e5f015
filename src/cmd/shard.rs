//! Deterministic shards of a long computation, and their merge (docs/shards.md).
//!
//! `--shard K/N` (K in 1 ..= N, N in 1 ..= [`MAX_SHARDS`]) makes a command compute only its
//! share of the work and write it as a **shard file** (JSON) instead of its report;
//! `cporx merge FILE...` reads the N shard files of one job and prints and writes exactly
//! what the single run would. The work is cut into units that are already independent and
//! deterministic (sweep points, Monte-Carlo chunks seeded by their index, jitter
//! frequencies, soak blocks seeded by their index), so the merge is concatenation or a sum
//! in a fixed order, never a new computation of a random figure.
//!
//! Two ways of sharing the units out, both fixed by (K, N) alone:
//! * [`Shard::range`]: a contiguous, balanced block of `0..total` (Monte-Carlo chunks,
//!   soak blocks): shard K gets `total (K-1) / N .. total K / N`;
//! * [`Shard::owns`]: round-robin, unit `i` to shard `i mod N + 1` (units of unequal
//!   cost: closed-loop searches, jitter frequencies, lane counts).
//!
//! # The shard file (format `cporx-shard 1`)
//!
//! ```json
//! {"format": "cporx-shard 1", "command": "soak", "job": "<16 hex digits>",
//!  "job_desc": "<what was hashed, in words>", "shard": 1, "of": 2,
//!  "args": ["soak", "--cycles", "1000000"], "result": { ...the command's own... }}
//! ```
//!
//! `job` is a 64-bit FNV-1a hash of everything that decides the result: the command, its
//! resolved configuration and the contents of its input files; output paths and the
//! `--shard` / `--json` flags are left out, so shards may write to different places.
//! `args` is the command line without `--shard` and `--json`: the merge parses it back to
//! render the report with the command's own code. The merge refuses files of different
//! commands or jobs, a shard count that differs, a shard missing or present twice.

use crate::out;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The largest shard count.
pub const MAX_SHARDS: u32 = 100_000;
/// The shard file's format tag.
pub const FORMAT: &str = "cporx-shard 1";

/// One shard of a job: `k` of `n`, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Parse `K/N` (the value of `--shard`); the error names the flag and the legal ranges.
pub fn parse(s: &str) -> Result<Shard, String> {
    let legal = format!("legal is K/N with N in 1 ..= {MAX_SHARDS} and K in 1 ..= N");
    let bad = |why: &str| format!("--shard = {s:?}: {why}; {legal}");
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| bad("expected two whole numbers K/N"))?;
    let num = |x: &str, what: &str| {
        x.trim()
            .parse::<u64>()
            .map_err(|_| bad(&format!("{what} {x:?} is not a whole number")))
    };
    let (k, n) = (num(k, "K")?, num(n, "N")?);
    if n < 1 || n > MAX_SHARDS as u64 {
        return Err(bad(&format!("N = {n} is out of range")));
    }
    if k < 1 || k > n {
        return Err(bad(&format!("K = {k} is out of range for N = {n}")));
    }
    Ok(Shard {
        k: k as u32,
        n: n as u32,
    })
}

impl Shard {
    /// This shard's contiguous block of `0..total` (balanced; the blocks of 1..=N tile it).
    pub fn range(&self, total: u64) -> Range<u64> {
        let (k, n) = (self.k as u128, self.n as u128);
        let t = total as u128;
        ((t * (k - 1) / n) as u64)..((t * k / n) as u64)
    }

    /// Round-robin: unit `i` belongs to shard `i mod N + 1`.
    pub fn owns(&self, i: u64) -> bool {
        i % self.n as u64 == (self.k - 1) as u64
    }

    /// The default shard file name of `command`: `cporx-CMD-shard-K-of-N.json`.
    pub fn default_file(&self, command: &str) -> PathBuf {
        PathBuf::from(format!(
            "cporx-{command}-shard-{}-of-{}.json",
            self.k, self.n
        ))
    }
}

/// 64-bit FNV-1a over labelled parts: the job's identity (not a security hash).
#[derive(Clone, Debug)]
pub struct JobHash {
    h: u64,
    /// what went in, in words (the shard file's `job_desc`)
    desc: Vec<String>,
}

impl JobHash {
    pub fn new(command: &str) -> Self {
        let mut j = JobHash {
            h: 0xcbf2_9ce4_8422_2325,
            desc: vec![],
        };
        j.bytes(command.as_bytes());
        j.desc.push(format!("command {command}"));
        j
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in (b.len() as u64).to_le_bytes().iter().chain(b) {
            self.h ^= x as u64;
            self.h = self.h.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// A configuration value (its text is hashed and listed).
    pub fn value(&mut self, label: &str, text: &str) {
        self.bytes(label.as_bytes());
        self.bytes(text.as_bytes());
        self.desc.push(format!("{label} = {text}"));
    }

    /// An input's contents (hashed; listed by name and length).
    pub fn content(&mut self, label: &str, bytes: &[u8]) {
        self.bytes(label.as_bytes());
        self.bytes(bytes);
        self.desc.push(format!("{label}: {} bytes", bytes.len()));
    }

    /// An input file by path: its name and contents (the error names the path).
    pub fn file(&mut self, label: &str, path: &Path) -> Result<(), String> {
        let b = std::fs::read(path)
            .map_err(|e| format!("cannot read {}: {}", path.display(), out::plain(&e)))?;
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_string());
        self.content(&format!("{label} {name}"), &b);
        Ok(())
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.h)
    }

    pub fn describe(&self) -> String {
        self.desc.join("; ")
    }
}

/// The command line of this process without `--shard V` and `--json V` (either form),
/// from the subcommand on.
pub fn job_args() -> Vec<String> {
    strip_shard_flags(std::env::args().skip(1))
}

fn strip_shard_flags(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = vec![];
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--shard" || a == "--json" {
            it.next();
        } else if a.starts_with("--shard=") || a.starts_with("--json=") {
        } else {
            out.push(a);
        }
    }
    out
}

/// A shard file as read.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct ShardFile {
    pub format: String,
    pub command: String,
    pub job: String,
    pub job_desc: String,
    pub shard: u32,
    pub of: u32,
    pub args: Vec<String>,
    pub result: serde_json::Value,
}

/// Write this shard's file (`wrote FILE` only after success).
pub fn write(
    path: &Path,
    command: &str,
    job: &JobHash,
    shard: Shard,
    args: Vec<String>,
    result: serde_json::Value,
) -> Result<(), String> {
    let f = ShardFile {
        format: FORMAT.into(),
        command: command.into(),
        job: job.hex(),
        job_desc: job.describe(),
        shard: shard.k,
        of: shard.n,
        args,
        result,
    };
    let text = serde_json::to_string(&f).map_err(|e| e.to_string())?;
    out::write(path, text + "\n")?;
    println!(
        "wrote {} (shard {shard}, job {})",
        path.display(),
        job.hex()
    );
    Ok(())
}

/// Read shard files and check they are one job, complete: the same format, command, job
/// hash and shard count, every shard 1 ..= N exactly once. Returned in shard order.
pub fn read_job(paths: &[PathBuf]) -> Result<Vec<ShardFile>, String> {
    if paths.is_empty() {
        return Err("cporx merge: no shard file given (cporx merge FILE...)".into());
    }
    let mut files: Vec<(PathBuf, ShardFile)> = vec![];
    for p in paths {
        let text = out::read(p)?;
        let f: ShardFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a cporx shard file ({FORMAT} JSON, as written by `--shard K/N`): {e}",
                p.display()
            )
        })?;
        if f.format != FORMAT {
            return Err(format!(
                "{}: format {:?}, this cporx reads {FORMAT:?}",
                p.display(),
                f.format
            ));
        }
        files.push((p.clone(), f));
    }
    let (p0, f0) = &files[0];
    for (p, f) in &files[1..] {
        if f.command != f0.command {
            return Err(format!(
                "mixed jobs: {} is a shard of `cporx {}`, {} of `cporx {}`",
                p0.display(),
                f0.command,
                p.display(),
                f.command
            ));
        }
        if f.job != f0.job {
            return Err(format!(
                "mixed jobs: {} and {} are shards of different `cporx {}` jobs (job {} vs {}: other inputs or configuration); {}: {}; {}: {}",
                p0.display(),
                p.display(),
                f0.command,
                f0.job,
                f.job,
                p0.display(),
                f0.job_desc,
                p.display(),
                f.job_desc
            ));
        }
        if f.of != f0.of {
            return Err(format!(
                "mixed jobs: {} is shard {}/{}, {} is shard {}/{} (the shard counts differ)",
                p0.display(),
                f0.shard,
                f0.of,
                p.display(),
                f.shard,
                f.of
            ));
        }
    }
    let n = f0.of;
    let mut by_k: Vec<Option<PathBuf>> = vec![None; n as usize];
    for (p, f) in &files {
        if f.shard < 1 || f.shard > n {
            return Err(format!(
                "{}: shard {} of {n} is out of range (legal 1 ..= {n})",
                p.display(),
                f.shard
            ));
        }
        if let Some(q) = &by_k[f.shard as usize - 1] {
            return Err(format!(
                "shard {}/{n} given twice: {} and {}",
                f.shard,
                q.display(),
                p.display()
            ));
        }
        by_k[f.shard as usize - 1] = Some(p.clone());
    }
    let missing: Vec<String> = by_k
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_none())
        .map(|(k, _)| format!("{}/{n}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "incomplete job: shard{} {} missing (a `cporx {}` job of {n} shards needs every shard 1 ..= {n} once; given {})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            f0.command,
            files.len()
        ));
    }
    let mut v: Vec<ShardFile> = files.into_iter().map(|x| x.1).collect();
    v.sort_by_key(|f| f.shard);
    Ok(v)
}

/// A command's result in a shard file, typed (the error names the shard).
pub fn result<T: serde::de::DeserializeOwned>(f: &ShardFile) -> Result<T, String> {
    serde_json::from_value(f.result.clone()).map_err(|e| {
        format!(
            "shard {}/{} of `cporx {}`: its result does not read: {e}",
            f.shard, f.of, f.command
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_the_flag_and_the_range() {
        assert_eq!(parse("2/3").unwrap(), Shard { k: 2, n: 3 });
        assert_eq!(parse("1/1").unwrap(), Shard { k: 1, n: 1 });
        for bad in ["0/2", "3/2", "1/0", "a/2", "2", "-1/2", "1/100001"] {
            let e = parse(bad).unwrap_err();
            assert!(e.starts_with("--shard = "), "{e}");
            assert!(e.contains("K in 1 ..= N"), "{e}");
        }
    }

    #[test]
    fn ranges_tile_and_round_robin_partitions() {
        for total in [0u64, 1, 5, 153, 1000] {
            for n in 1..=7u32 {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard { k, n }.range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
                for i in 0..20 {
                    assert_eq!((1..=n).filter(|&k| Shard { k, n }.owns(i)).count(), 1);
                }
            }
        }
    }

    #[test]
    fn the_job_args_leave_out_shard_and_json() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strip_shard_flags(v(&["soak", "--shard", "1/2", "--cycles", "9", "--json=f"])),
            v(&["soak", "--cycles", "9"])
        );
    }

    #[test]
    fn the_hash_sees_every_part() {
        let mut a = JobHash::new("soak");
        a.value("cycles", "10");
        let mut b = JobHash::new("soak");
        b.value("cycles", "11");
        assert_ne!(a.hex(), b.hex());
        let mut c = JobHash::new("soak");
        c.value("cycles", "10");
        assert_eq!(a.hex(), c.hex());
    }
}
