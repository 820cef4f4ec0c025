//! Which commits a history scan covers: the revision arguments, shallow clones (what is not
//! here), every object for `--all-objects`, and the tree at `HEAD`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::source::history::command::{git, run_ok};

/// The revision arguments a history scan walks: the user's, else every ref (`--all`:
/// branches, tags, remote-tracking branches, notes, the stash).
pub fn revisions(user: &[String]) -> Vec<String> {
    if user.is_empty() {
        vec!["--all".to_string()]
    } else {
        user.to_vec()
    }
}

/// Whether the repository is a shallow clone.
pub fn is_shallow(top: &Path) -> bool {
    let mut c = git(top);
    c.args(["rev-parse", "--is-shallow-repository"]);
    run_ok(c, "git rev-parse").is_ok_and(|o| String::from_utf8_lossy(&o).trim() == "true")
}

/// What to tell a user whose clone lacks history.
pub const FETCH_MORE: &str = "fetch the whole history (GitHub Actions: `actions/checkout` with \
                              `fetch-depth: 0`; GitLab CI: `GIT_DEPTH: 0`; by hand: \
                              `git fetch --unshallow`)";

/// Checks a walk against a shallow clone. A range with a base (`A..B`, `^A`, `--not`) that
/// runs into the shallow boundary before reaching its base is an error (exit 2): part of the
/// range is not here, and scanning the rest would pass what was never read. A walk without a
/// base in a shallow clone scans the history there is, with a warning (returned).
pub fn check_shallow(top: &Path, revs: &[String], commits: &[String]) -> Result<Option<String>> {
    let mut c = git(top);
    c.args([
        "rev-parse",
        "--is-shallow-repository",
        "--git-path",
        "shallow",
    ]);
    let out = run_ok(c, "git rev-parse")?;
    let out = String::from_utf8_lossy(&out);
    let mut lines = out.lines();
    if lines.next() != Some("true") {
        return Ok(None);
    }
    let file = PathBuf::from(lines.next().unwrap_or_default());
    let file = if file.is_relative() {
        top.join(file)
    } else {
        file
    };
    let boundary: HashSet<String> = std::fs::read_to_string(&file)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let Some(edge) = commits.iter().find(|c| boundary.contains(*c)) else {
        return Ok(None);
    };
    let fetch_more = FETCH_MORE;
    let edge = &edge[..edge.len().min(12)];
    let has_base = revs
        .iter()
        .any(|r| r.contains("..") || r.starts_with('^') || r == "--not");
    if has_base {
        return Err(Error::new(format!(
            "this is a shallow clone, and the range `{}` reaches its boundary (commit {edge}) \
             before its base: part of the range is not here, so it cannot be scanned; {fetch_more}",
            revs.join(" ")
        )));
    }
    Ok(Some(format!(
        "shallow clone: history before commit {edge} is not here and was not scanned; \
         {fetch_more}"
    )))
}

/// The commits `revs` select, oldest first in topological order (parents before children).
pub fn rev_list(top: &Path, revs: &[String]) -> Result<Vec<String>> {
    let mut c = git(top);
    c.args(["rev-list", "--topo-order", "--reverse"])
        .args(revs)
        .arg("--");
    let out = run_ok(c, &format!("git rev-list {}", revs.join(" "))).map_err(|e| {
        Error::new(format!(
            "{e} (history scans take `git rev-list` arguments: `main`, `origin/main..HEAD`, \
             `--all`; run from inside the repository)"
        ))
    })?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Every commit object in the store, reachable or not (for `--all-objects`), and every blob.
pub fn all_objects(top: &Path) -> Result<(Vec<String>, Vec<String>)> {
    let mut c = git(top);
    c.args([
        "cat-file",
        "--batch-all-objects",
        "--unordered",
        "--batch-check=%(objectname) %(objecttype)",
    ]);
    let out = run_ok(c, "git cat-file --batch-all-objects")?;
    let (mut commits, mut blobs) = (Vec::new(), Vec::new());
    for line in String::from_utf8_lossy(&out).lines() {
        match line.split_once(' ') {
            Some((id, "commit")) => commits.push(id.to_string()),
            Some((id, "blob")) => blobs.push(id.to_string()),
            _ => {}
        }
    }
    Ok((commits, blobs))
}

/// Paths and blobs of the tree at `HEAD` (empty when there is no HEAD).
pub fn head_blobs(top: &Path) -> HashSet<(String, String)> {
    let mut c = git(top);
    c.args(["ls-tree", "-r", "-z", "--full-tree", "HEAD"]);
    let Ok(out) = run_ok(c, "git ls-tree") else {
        return HashSet::new();
    };
    out.split(|&b| b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (meta, path) = entry.split_once('\t')?;
            let id = meta.split(' ').nth(2)?;
            Some((path.to_string(), id.to_string()))
        })
        .collect()
}
