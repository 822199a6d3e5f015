//! The Monte-Carlo ([`crate::montecarlo`]) in shards: a range of its chunks, and the
//! merge of the ranges back into the single run's result.
//!
//! A run of `symbols` counted symbols is `symbols.div_ceil(CHUNK)` chunks, each seeded by
//! its index alone, so any range of chunks can run anywhere. [`run_chunks`] runs one range
//! (every core) and returns each chunk's counts, in chunk order; with `max_errors` set it
//! stops at the first prefix of *its range* whose symbol errors reach it (the whole run's
//! prefix stops at or before that chunk, so nothing it needs is left out). [`combine`]
//! takes the ranges of every shard and applies the whole run's rule: the sum over chunks
//! in order, up to the first prefix reaching `max_errors`. The result equals
//! [`crate::montecarlo::run`]'s counts bit for bit (`tests` here, and the CLI's shard tests).

use crate::montecarlo::{run_chunk, ChunkCount, McConfig, McError, McResult, CHUNK};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Chunks of a run of `cfg.symbols` counted symbols.
pub fn chunks(cfg: &McConfig) -> u64 {
    cfg.symbols.div_ceil(CHUNK)
}

/// Run chunks `range` of `cfg` (clipped to the run's chunks) on `cfg.threads` threads (0:
/// every core); each chunk's counts in order, a prefix of the range when `max_errors` stops
/// it early.
pub fn run_chunks(cfg: &McConfig, range: Range<u64>) -> Result<Vec<ChunkCount>, McError> {
    cfg.validate()?;
    let end = range.end.min(chunks(cfg));
    let start = range.start.min(end);
    let len = (end - start) as usize;
    let threads = if cfg.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        cfg.threads
    }
    .min(len)
    .max(1);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<ChunkCount>>> = Mutex::new(vec![None; len]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= len as u64 {
                    break;
                }
                let c = run_chunk(cfg, start + i, CHUNK as usize);
                let mut r = results.lock().unwrap();
                r[i as usize] = Some(c);
                if cfg.max_errors > 0 {
                    let mut e = 0;
                    for c in r.iter() {
                        match c {
                            Some(c) => e += c.symbol_errors,
                            None => break,
                        }
                    }
                    if e >= cfg.max_errors {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut out = vec![];
    let mut e = 0;
    for c in results.into_inner().unwrap() {
        let Some(c) = c else { break };
        e += c.symbol_errors;
        out.push(c);
        if cfg.max_errors > 0 && e >= cfg.max_errors {
            break;
        }
    }
    Ok(out)
}

/// The whole run's result from its shards' chunk counts: `parts` holds (first chunk,
/// counts) per shard, in any order. Checks that the parts tile the run's chunks (a part
/// shorter than its place may end only where its own errors reached `max_errors`); the
/// wall time and thread count are left 0.
pub fn combine(cfg: &McConfig, parts: &[(u64, Vec<ChunkCount>)]) -> Result<McResult, String> {
    let total = chunks(cfg);
    let mut parts: Vec<&(u64, Vec<ChunkCount>)> = parts.iter().collect();
    parts.sort_by_key(|p| p.0);
    let mut out = McResult::default();
    let mut at = 0u64;
    for (i, (first, counts)) in parts.iter().enumerate() {
        if *first != at {
            return Err(format!(
                "Monte-Carlo chunks {at} .. {first} of {total} are in no shard"
            ));
        }
        let place_end = parts.get(i + 1).map_or(total, |p| p.0);
        let own_errors: u64 = counts.iter().map(|c| c.symbol_errors).sum();
        let short = (counts.len() as u64) < place_end - first;
        if (counts.len() as u64) > place_end - first
            || (short && !(cfg.max_errors > 0 && own_errors >= cfg.max_errors))
        {
            return Err(format!(
                "a shard holds {} Monte-Carlo chunks from chunk {first}, its place is {} chunks",
                counts.len(),
                place_end - first
            ));
        }
        for c in counts.iter() {
            if cfg.max_errors > 0 && out.symbol_errors >= cfg.max_errors {
                return Ok(out);
            }
            out.add(c);
        }
        if cfg.max_errors > 0 && out.symbol_errors >= cfg.max_errors {
            return Ok(out);
        }
        at = place_end;
    }
    if at != total {
        return Err(format!(
            "Monte-Carlo chunks {at} .. {total} of {total} are in no shard"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::run;

    #[test]
    fn ranges_merge_to_the_single_run() {
        // SER about 1e-2: errors in every chunk; with and without the early stop
        for max_errors in [0u64, 5000] {
            let mut c = McConfig::ideal_channel(0.55, 6 * CHUNK, 3);
            c.max_errors = max_errors;
            c.threads = 2;
            let one = run(&c, &|_| {}).unwrap();
            for n in [1u64, 2, 4] {
                let total = chunks(&c);
                let parts: Vec<(u64, Vec<ChunkCount>)> = (0..n)
                    .map(|k| {
                        let r = total * k / n..total * (k + 1) / n;
                        (r.start, run_chunks(&c, r).unwrap())
                    })
                    .collect();
                let m = combine(&c, &parts).unwrap();
                assert_eq!(
                    (m.symbols, m.symbol_errors, m.bit_errors, m.clipped),
                    (one.symbols, one.symbol_errors, one.bit_errors, one.clipped),
                    "{n} shards, max_errors {max_errors}"
                );
                if n == 2 && max_errors == 0 {
                    assert!(combine(&c, &parts[..1]).is_err(), "a missing shard");
                    assert!(combine(&c, &parts[1..]).is_err(), "a missing shard");
                }
            }
            if max_errors > 0 {
                assert!(one.symbols < 6 * CHUNK, "the early stop was exercised");
            }
        }
    }
}
