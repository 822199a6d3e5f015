//! How a command ends, and its exit code (documented in the README and `cporx --help`):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done; every figure printed was measured |
//! | 1 | error: bad input (flag, file contents), an I/O error or a tool that failed |
//! | 2 | usage: an unknown flag or subcommand, a flag value of the wrong type (clap) |
//! | 3 | ran, but the command's main figure was not measured (zero samples: the loop never locked, the run ended before counting started, an empty stimulus) |
//! | 4 | ran, but some inputs were skipped (a folder with a bad file); the rest was done |

use std::process::ExitCode;

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_NOT_MEASURED: u8 = 3;
pub const EXIT_INPUTS_SKIPPED: u8 = 4;

/// The exit codes as printed by `cporx --help`.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 done; 1 error (bad input, I/O, a tool failed); \
2 usage (unknown flag, wrong value type); 3 the main figure was not measured (zero samples, \
e.g. the loop never locked); 4 some inputs were skipped (the rest was done).";

#[derive(Debug)]
pub enum Fail {
    /// bad input, I/O or a tool: exit 1
    Error(String),
    /// the main figure was not measured; the reason: exit 3
    NotMeasured(String),
    /// some inputs were skipped; which and why: exit 4
    InputsSkipped(String),
}

impl From<String> for Fail {
    fn from(s: String) -> Fail {
        Fail::Error(s)
    }
}

impl From<&str> for Fail {
    fn from(s: &str) -> Fail {
        Fail::Error(s.to_string())
    }
}

impl Fail {
    /// Print the message on stderr and give the exit code.
    pub fn report(self) -> ExitCode {
        let (prefix, msg, code) = match self {
            Fail::Error(m) => ("error", m, EXIT_ERROR),
            Fail::NotMeasured(m) => ("not measured", m, EXIT_NOT_MEASURED),
            Fail::InputsSkipped(m) => ("some inputs skipped", m, EXIT_INPUTS_SKIPPED),
        };
        eprintln!("{prefix}: {msg}");
        ExitCode::from(code)
    }
}
