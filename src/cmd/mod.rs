//! One module per subcommand of `cporx` (`cporx <name>`; `cdr-report` is `cdr_report`,
//! `mc-bench` is `mc_bench`): each holds its flags (a clap `Args` struct) and its `run`,
//! which checks the flags, calls the library, and prints or writes the result.

pub mod bench;
pub mod build;
pub mod cdr_report;
pub mod channel;
pub mod demo;
pub mod energy;
pub mod export;
pub mod link;
pub mod loss;
pub mod mc_bench;
pub mod merge;
pub mod prove;
pub mod shard;
pub mod sim;
pub mod soak;
pub mod study;
pub mod sweep;
