//! What git knows about the scanned files, asked through the `git` command: which files a work
//! tree tracks (for rules such as "an `.env` file committed to the repository").

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The top directory of the git work tree containing `dir`, if any (and if git is installed).
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// Canonical paths of the files git tracks in the work trees that contain `roots`, keeping
/// only those whose path relative to the work tree satisfies `wanted`.
pub fn tracked_files(roots: &[PathBuf], wanted: &dyn Fn(&str) -> bool) -> HashSet<PathBuf> {
    let mut tops: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| {
            let dir = if r.is_dir() { r.as_path() } else { r.parent()? };
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            toplevel(dir)
        })
        .collect();
    tops.sort();
    tops.dedup();
    let mut tracked = HashSet::new();
    for top in tops {
        let Ok(out) = Command::new("git")
            .arg("-C")
            .arg(&top)
            .args(["ls-files", "-z"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
        else {
            continue;
        };
        for rel in out.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let rel = String::from_utf8_lossy(rel);
            if wanted(&rel)
                && let Ok(path) = top.join(rel.as_ref()).canonicalize()
            {
                tracked.insert(path);
            }
        }
    }
    tracked
}
