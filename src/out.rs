//! Output files, one behaviour for every command: a missing parent folder is created; every
//! I/O error says the operation and the path in plain words; "wrote FILE" is printed only
//! after the write (and its flush) succeeded.

use std::io::Write;
use std::path::Path;

/// Create the parent folder of `path` if it is missing.
pub fn ensure_parent(path: &Path) -> Result<(), String> {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() && !d.is_dir() => {
            std::fs::create_dir_all(d).map_err(|e| {
                format!(
                    "cannot create folder {} (for {}): {}",
                    d.display(),
                    path.display(),
                    plain(&e)
                )
            })
        }
        _ => Ok(()),
    }
}

/// Create a folder (and its parents).
pub fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create folder {}: {}", dir.display(), plain(&e)))
}

/// Create (truncate) `path` for writing, its parent folder first.
pub fn create(path: &Path) -> Result<std::fs::File, String> {
    ensure_parent(path)?;
    std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {}", path.display(), plain(&e)))
}

/// Write `bytes` to `path` (parent folder created).
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    ensure_parent(path)?;
    std::fs::write(path, bytes)
        .map_err(|e| format!("cannot write {}: {}", path.display(), plain(&e)))
}

/// Read a text file; the error names the path.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), plain(&e)))
}

/// Flush a writer of `path`; the error names the path.
pub fn flush(w: &mut impl Write, path: &Path) -> Result<(), String> {
    w.flush()
        .map_err(|e| format!("cannot write {}: {}", path.display(), plain(&e)))
}

/// Check, before a long run, that `path` can be written: its parent folder exists or can be
/// made, and a file can be created there. An existing file is left as it is.
pub fn check_writable(path: &Path) -> Result<(), String> {
    ensure_parent(path)?;
    if path.is_dir() {
        return Err(format!("cannot write {}: it is a folder", path.display()));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), plain(&e)))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// An I/O error in plain words, without the `(os error N)` tail.
pub fn plain(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path_in_plain_words() {
        let e = read(Path::new("/nonexistent/in.txt")).unwrap_err();
        assert_eq!(
            e,
            "cannot read /nonexistent/in.txt: no such file or directory"
        );
        let e = create(Path::new("/proc/cporx-no/x.vcd")).unwrap_err();
        assert!(
            e.starts_with("cannot create folder /proc/cporx-no (for /proc/cporx-no/x.vcd): "),
            "{e}"
        );
    }

    #[test]
    fn missing_parent_folders_are_made() {
        let d = std::env::temp_dir().join(format!("cporx-out-{}", std::process::id()));
        let f = d.join("a/b/c.txt");
        check_writable(&f).unwrap();
        assert!(!f.exists(), "the check leaves no file behind");
        write(&f, "x").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
