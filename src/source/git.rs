//! What git knows about the scanned files, asked through the `git` command: the work tree's top,
//! which files it tracks (for rules such as "an `.env` file committed to the repository"), what
//! its ignore rules leave out, and what is staged in the index (`--staged`), read through one
//! `git cat-file --batch`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The top directory of the git work tree containing `dir`, if any (and if git is installed).
/// Asked once per directory and run: setup, the tracked-file list, ignore rules and exposure
/// all want it, and each ask is a `git` process (7 of them for one scan before).
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    type Known = Vec<(PathBuf, Option<PathBuf>)>;
    static KNOWN: std::sync::Mutex<Known> = std::sync::Mutex::new(Vec::new());
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some((_, top)) =
        (KNOWN.lock().ok()).and_then(|known| known.iter().find(|(k, _)| *k == key).cloned())
    {
        return top;
    }
    let top = ask_toplevel(dir);
    if let Ok(mut known) = KNOWN.lock() {
        known.push((key, top.clone()));
    }
    top
}

fn ask_toplevel(dir: &Path) -> Option<PathBuf> {
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

/// What git's ignore rules leave out under `dir` (a directory in a work tree): the ignored
/// files and directories themselves (a directory counts once, its content not listed), as
/// paths relative to `dir`, directories ending in `/`. `None` outside a work tree.
pub fn ignored(dir: &Path) -> Option<Vec<String>> {
    toplevel(dir)?;
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "ls-files",
            "-z",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        (out.stdout.split(|&b| b == 0))
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect(),
    )
}

/// A file staged in the index, as `git cat-file --batch` hands it over.
pub struct StagedFile<'a> {
    /// Path relative to the work tree's top, as git prints it.
    pub path: &'a str,
    pub size: u64,
    pub content: &'a mut dyn std::io::Read,
}

/// Paths added, copied, modified or renamed in the index of the work tree at `top` (what
/// `git commit` would record), relative to `top`.
pub fn staged_paths(top: &Path) -> crate::error::Result<Vec<String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(top)
        .args([
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--no-renames",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| crate::error::Error::new(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(crate::error::Error::new(format!(
            "git diff --cached failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Streams the staged content (the index's blob, not the working-tree file) of each of `paths`
/// to `visit`. Paths git cannot show (a submodule entry, say) are passed to `missing`.
pub fn read_staged(
    top: &Path,
    paths: &[String],
    visit: &mut dyn FnMut(StagedFile<'_>),
    missing: &mut dyn FnMut(&str, &str),
) -> crate::error::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    let fail =
        |e: std::io::Error| crate::error::Error::new(format!("cannot read the git index: {e}"));
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(fail)?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(crate::error::Error::new("cannot talk to git cat-file"));
    };
    // Requests are written from another thread so that a large batch cannot deadlock on full
    // pipes. A path with a newline cannot be asked for on a line: it is reported as missing.
    let (askable, unaskable): (Vec<String>, Vec<String>) =
        paths.iter().cloned().partition(|p| !p.contains('\n'));
    let asked = askable.clone();
    let writer = std::thread::spawn(move || {
        for p in &asked {
            if writeln!(stdin, ":{p}").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(stdout);
    let mut header = String::new();
    for path in &askable {
        header.clear();
        if reader.read_line(&mut header).map_err(fail)? == 0 {
            break;
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        match fields.as_slice() {
            [_, "blob", size] => {
                let size: u64 = size.parse().unwrap_or(0);
                let mut content = (&mut reader).take(size);
                visit(StagedFile {
                    path,
                    size,
                    content: &mut content,
                });
                // Whatever the visitor left unread, then the newline after the object.
                std::io::copy(&mut content, &mut std::io::sink()).map_err(fail)?;
                let mut nl = [0u8; 1];
                reader.read_exact(&mut nl).map_err(fail)?;
            }
            [_, kind, size] => {
                // Not a blob (a submodule's commit): skip its bytes.
                let size: u64 = size.parse().unwrap_or(0);
                std::io::copy(&mut (&mut reader).take(size + 1), &mut std::io::sink())
                    .map_err(fail)?;
                missing(
                    path,
                    &format!("staged as a {kind}, not a file; not scanned"),
                );
            }
            _ => missing(path, "not in the index; not scanned"),
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    for p in &unaskable {
        missing(
            p,
            "a path with a newline cannot be read from the index; not scanned",
        );
    }
    Ok(())
}
