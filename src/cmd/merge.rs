//! `cporx merge FILE...`: the shard files of one job (`--shard K/N` of `cporx study`,
//! `cdr-report`, `sweep` or `soak`; docs/shards.md) merged into what the single run
//! prints and writes. The files are checked to be one job, complete (`cmd::shard`:
//! the same command, job hash and shard count, every shard once); then the command's own
//! merge renders the report from the shards' results, in shard order.

use super::shard::{self, ShardFile};
use crate::fail::Fail;
use clap::{Args, Parser};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// the shard files (JSON, as `--shard K/N` writes them), all N of one job, any order
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// also write the merged summary as JSON (the single run's `--json` format; `cporx
    /// soak` only: the other commands write their own report files)
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// The job's command line (the shard file's `args`) parsed back into the command's flags.
pub fn parse_args<A: Args>(f: &ShardFile) -> Result<A, String> {
    #[derive(Parser)]
    struct P<A: Args> {
        #[command(flatten)]
        a: A,
    }
    let argv = f.args.iter().skip(1).cloned();
    P::<A>::try_parse_from(std::iter::once(format!("cporx {}", f.command)).chain(argv))
        .map(|p| p.a)
        .map_err(|e| {
            format!(
                "the shards' command line `cporx {}` does not parse with this cporx: {}",
                f.args.join(" "),
                e.to_string().trim()
            )
        })
}

pub fn run(a: &MergeArgs) -> Result<(), Fail> {
    let files = shard::read_job(&a.files)?;
    let cmd = files[0].command.clone();
    if a.json.is_some() && cmd != "soak" {
        return Err(Fail::Error(format!(
            "--json: `cporx {cmd}` has no JSON summary to merge (only `cporx soak`); its merge writes its own report files"
        )));
    }
    if let Some(p) = &a.json {
        crate::out::check_writable(p)?;
    }
    if files[0].args.first() != Some(&cmd) {
        return Err(Fail::Error(format!(
            "shard file of `cporx {cmd}` records the command line {:?}, not one of `cporx {cmd}`",
            files[0].args
        )));
    }
    eprintln!(
        "merge: {} shard{} of `cporx {}` (job {})",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        files[0].args.join(" "),
        files[0].job
    );
    match cmd.as_str() {
        "study" => super::study::merge(&files),
        "soak" => super::soak::merge(&files, a.json.as_ref()),
        "sweep" => super::sweep::merge(&files).map_err(Fail::from),
        "cdr-report" => super::cdr_report::merge(&files),
        other => Err(Fail::Error(format!(
            "shard files of `cporx {other}`: no such shardable command (study, cdr-report, sweep, soak)"
        ))),
    }
}
