//! Git history as a source: which commits a scan covers, which blob each commit introduces at
//! which path (the earliest commit in topological order is the one that introduced it), the
//! commit and annotated-tag messages, and the blobs' bytes — all through the `git` command,
//! streamed, one process per job (`rev-list | diff-tree --stdin`, `log`, `cat-file --batch`).
//!
//! Replacement refs and grafts are ignored (`GIT_NO_REPLACE_OBJECTS`, `GIT_GRAFT_FILE`): a
//! secret hidden behind a replaced object or a rewired parent is still read, and the
//! replacement is scanned as one more object.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::error::{Error, Result};

/// A commit's metadata, and its message.
#[derive(Debug, Clone)]
pub struct Commit {
    pub id: String,
    pub author: String,
    /// Author date, ISO 8601.
    pub date: String,
}

/// One path a commit sets to a blob (added, modified, or a merge's own resolution).
#[derive(Debug)]
pub struct Intro<'a> {
    /// Index of the commit in the order commits were handed to diff-tree (oldest first).
    pub commit: u32,
    pub path: &'a str,
    pub blob: &'a str,
    /// The blobs at this path in the commit's parents (none for an added file).
    pub before: Vec<&'a str>,
    /// A gitlink (submodule commit), not a blob.
    pub submodule: bool,
}

/// A `git` command in `top` that sees the real objects: replacement refs and grafts ignored
/// (a secret hidden behind either is still walked and read).
pub fn git(top: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(top)
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_GRAFT_FILE", "/dev/null")
        .stdin(Stdio::null());
    c
}

fn run_ok(mut cmd: Command, what: &str) -> Result<Vec<u8>> {
    let out = cmd
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::new(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::new(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

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

/// Hands `visit` every path each of `commits` sets to a blob, commit by commit in the order
/// given: against the parent for a plain commit (everything, for a root commit), and for a
/// merge what its tree holds that no parent has (conflict resolutions, evil merges).
pub fn introductions(
    top: &Path,
    commits: &[String],
    visit: &mut dyn FnMut(Intro<'_>),
) -> Result<()> {
    let mut child = git(top)
        .args([
            "diff-tree",
            "--stdin",
            "-r",
            "--root",
            "-c",
            "--no-renames",
            "--raw",
            "-z",
            "--no-abbrev",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("cannot run git diff-tree: {e}")))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(Error::new("cannot talk to git diff-tree"));
    };
    let stderr = drain(child.stderr.take());
    // One request per commit: diff-tree prints the commit id before that commit's entries
    // (and nothing for a commit that sets no path).
    let writer = feed(stdin, commits.to_vec());
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut token = Vec::new();
    let mut index: Option<u32> = None;
    let by_id: std::collections::HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    loop {
        token.clear();
        let n = reader
            .read_until(0, &mut token)
            .map_err(|e| Error::new(format!("reading git diff-tree: {e}")))?;
        if n == 0 {
            break;
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        let text = String::from_utf8_lossy(&token).into_owned();
        let text = text.trim_matches('\n');
        if text.is_empty() {
            continue;
        }
        if !text.starts_with(':') {
            // A commit id line.
            index = by_id.get(text).copied().or(index);
            continue;
        }
        // `:m1 m2 old new S` or, for a merge, `::m1 m2 m3 p1 p2 new SS`, then the path.
        let mut path = Vec::new();
        reader
            .read_until(0, &mut path)
            .map_err(|e| Error::new(format!("reading git diff-tree: {e}")))?;
        if path.last() == Some(&0) {
            path.pop();
        }
        let path = String::from_utf8_lossy(&path);
        let colons = text.bytes().take_while(|&b| b == b':').count();
        let fields: Vec<&str> = text[colons..].split(' ').collect();
        let parents = colons;
        // modes: parents + 1, then ids: parents + 1, then status.
        if fields.len() < 2 * (parents + 1) + 1 {
            continue;
        }
        let new_mode = fields[parents];
        let ids = &fields[parents + 1..2 * (parents + 1)];
        let blob = ids[parents];
        if blob.bytes().all(|b| b == b'0') {
            continue; // deleted
        }
        let Some(commit) = index else { continue };
        visit(Intro {
            commit,
            path: &path,
            blob,
            before: ids[..parents]
                .iter()
                .copied()
                .filter(|b| !b.bytes().all(|c| c == b'0'))
                .collect(),
            submodule: new_mode == "160000",
        });
    }
    let _ = writer.join();
    finish(child, stderr, "git diff-tree")
}

/// Writes `lines` to a child's standard input from a thread, so that a long request list
/// cannot deadlock against the child's full output pipe.
fn feed(mut stdin: std::process::ChildStdin, lines: Vec<String>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut out = std::io::BufWriter::new(&mut stdin);
        for line in &lines {
            if writeln!(out, "{line}").is_err() {
                return;
            }
        }
        let _ = out.flush();
    })
}

/// Waits for a child; a failure is an error with what git said.
fn finish(mut child: Child, stderr: std::thread::JoinHandle<String>, what: &str) -> Result<()> {
    let status = child
        .wait()
        .map_err(|e| Error::new(format!("{what}: {e}")))?;
    if !status.success() {
        return Err(Error::new(format!(
            "{what} failed: {}",
            stderr.join().unwrap_or_default().trim()
        )));
    }
    Ok(())
}

/// Hands `visit` each commit's metadata and message, for the commits `revs` select (or exactly
/// `commits`, with `no_walk`).
pub fn messages(
    top: &Path,
    revs: &[String],
    no_walk: bool,
    visit: &mut dyn FnMut(Commit, &[u8]),
) -> Result<()> {
    let mut cmd = git(top);
    cmd.args(["log", "-z", "--format=%H%x00%an <%ae>%x00%aI%x00%B"]);
    if no_walk {
        cmd.args(["--no-walk", "--stdin"]);
    } else {
        cmd.args(revs).arg("--");
    }
    let mut child = cmd
        .stdin(if no_walk {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("cannot run git log: {e}")))?;
    let writer = match (no_walk, child.stdin.take()) {
        (true, Some(stdin)) => Some(feed(stdin, revs.to_vec())),
        _ => None,
    };
    let stderr = drain(child.stderr.take());
    let Some(stdout) = child.stdout.take() else {
        return Err(Error::new("cannot talk to git log"));
    };
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut field = |buf: &mut Vec<u8>| -> Result<bool> {
        buf.clear();
        let n = reader
            .read_until(0, buf)
            .map_err(|e| Error::new(format!("reading git log: {e}")))?;
        if buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(n > 0)
    };
    let (mut id, mut author, mut date, mut body) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    loop {
        if !field(&mut id)? || !field(&mut author)? || !field(&mut date)? || !field(&mut body)? {
            break;
        }
        let id = String::from_utf8_lossy(&id).trim_matches('\n').to_string();
        visit(
            Commit {
                id,
                author: String::from_utf8_lossy(&author).into_owned(),
                date: String::from_utf8_lossy(&date).into_owned(),
            },
            &body,
        );
    }
    if let Some(w) = writer {
        let _ = w.join();
    }
    finish(child, stderr, "git log")
}

/// Annotated tags: (tag object id, tag name, message).
pub fn tag_messages(top: &Path) -> Result<Vec<(String, String, Vec<u8>)>> {
    let mut c = git(top);
    c.args([
        "for-each-ref",
        "refs/tags",
        "--format=%(objecttype)%00%(objectname)%00%(refname:short)%00%(contents)%00",
    ]);
    let out = run_ok(c, "git for-each-ref")?;
    let mut tags = Vec::new();
    let mut fields = out.split(|&b| b == 0);
    while let (Some(kind), Some(id), Some(name), Some(body)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    {
        let kind = String::from_utf8_lossy(kind);
        if kind.trim() == "tag" {
            tags.push((
                String::from_utf8_lossy(id).to_string(),
                String::from_utf8_lossy(name).to_string(),
                body.to_vec(),
            ));
        }
    }
    Ok(tags)
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

/// What reading one requested object gave.
pub enum Object<'a> {
    Blob {
        size: u64,
        content: &'a mut dyn Read,
    },
    /// Not in the object store (a partial clone, a damaged repository).
    Missing,
    /// Something git could not read, or not a blob.
    Unreadable(String),
    /// git stopped partway through the blob (a corrupt pack): what came before was scanned.
    Truncated { read: u64, size: u64, why: String },
}

/// Reads the objects `ids` through one `git cat-file --batch`, in order, handing each to
/// `visit` with its index in `ids` (see [`CatFile::read`]).
pub fn read_objects(top: &Path, ids: &[&str], visit: &mut dyn FnMut(usize, Object<'_>)) {
    CatFile::new(top).read(ids, visit);
}

/// A `git cat-file --batch` kept running across requests (one per scanning thread).
pub struct CatFile {
    top: PathBuf,
    process: Option<Running>,
}

struct Running {
    child: Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    stderr: std::thread::JoinHandle<String>,
}

/// Requests written at once: their bytes must fit in a pipe's buffer, so that writing them
/// cannot block while git waits for its answers to be read.
const REQUESTS_AT_ONCE: usize = 256;

impl CatFile {
    pub fn new(top: &Path) -> CatFile {
        CatFile {
            top: top.to_path_buf(),
            process: None,
        }
    }

    fn spawn(&self) -> std::result::Result<Running, String> {
        let mut child = git(&self.top)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git cat-file: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cannot talk to git cat-file".to_string());
        };
        let stderr = drain(child.stderr.take());
        Ok(Running {
            child,
            stdin,
            stdout: BufReader::with_capacity(1 << 16, stdout),
            stderr,
        })
    }

    /// Reads `ids` in order, handing each to `visit` with its index in `ids`. When git dies on
    /// a damaged object (a corrupt pack), that object is reported unreadable and a new
    /// `cat-file` goes on with the rest.
    pub fn read(&mut self, ids: &[&str], visit: &mut dyn FnMut(usize, Object<'_>)) {
        let mut next = 0;
        while next < ids.len() {
            let end = (next + REQUESTS_AT_ONCE).min(ids.len());
            match self.read_some(&ids[next..end], &mut |i, o| visit(next + i, o)) {
                Ok(()) => next = end,
                // git died before answering object `done`: that object is to blame.
                Err((done, Some(why))) => {
                    visit(next + done, Object::Unreadable(why));
                    next += done + 1;
                }
                // git died after answering `done` objects: go on with a new process.
                Err((done, None)) => next += done,
            }
        }
    }

    /// One round of requests. On failure (the process is gone then): how many objects were
    /// answered, and — when the next one is to blame — why it could not be read.
    fn read_some(
        &mut self,
        ids: &[&str],
        visit: &mut dyn FnMut(usize, Object<'_>),
    ) -> std::result::Result<(), (usize, Option<String>)> {
        let fresh = self.process.is_none();
        if fresh {
            self.process = Some(self.spawn().map_err(|e| (0, Some(e)))?);
        }
        let Some(p) = self.process.as_mut() else {
            return Err((0, Some("cannot run git cat-file".to_string())));
        };
        // `blame`: whether the object at the failure point is to blame (git died answering
        // it), or everything before it was answered whole before git went away.
        let mut request = String::with_capacity(ids.len() * 41);
        for id in ids {
            request.push_str(id);
            request.push('\n');
        }
        let mut failed = None;
        let mut blame = true;
        let mut truncated = None;
        if p.stdin
            .write_all(request.as_bytes())
            .and_then(|_| p.stdin.flush())
            .is_err()
        {
            // A process that went away since the last round is replaced; a new one that
            // cannot take requests blames the first (so that the walk always moves on).
            failed = Some(0);
            blame = fresh;
        }
        let mut header = String::new();
        for i in 0..ids.len() {
            if failed.is_some() {
                break;
            }
            header.clear();
            match p.stdout.read_line(&mut header) {
                Ok(0) | Err(_) => {
                    failed = Some(i);
                    break;
                }
                Ok(_) => {}
            }
            let fields: Vec<&str> = header.split_whitespace().collect();
            match fields.as_slice() {
                [_, "blob", size] => {
                    let size: u64 = size.parse().unwrap_or(0);
                    let mut content = (&mut p.stdout).take(size);
                    visit(
                        i,
                        Object::Blob {
                            size,
                            content: &mut content,
                        },
                    );
                    let drained = std::io::copy(&mut content, &mut std::io::sink());
                    let left = content.limit();
                    let mut nl = [0u8; 1];
                    if drained.is_err() || left > 0 || p.stdout.read_exact(&mut nl).is_err() {
                        failed = Some(i + 1);
                        blame = false;
                        if left > 0 {
                            truncated = Some((i, size - left, size));
                        }
                    }
                }
                [_, "missing"] => visit(i, Object::Missing),
                [_, kind, size] => {
                    let size: u64 = size.parse().unwrap_or(0);
                    let skipped =
                        std::io::copy(&mut (&mut p.stdout).take(size + 1), &mut std::io::sink());
                    visit(i, Object::Unreadable(format!("a {kind}, not a blob")));
                    if skipped.is_err() {
                        failed = Some(i + 1);
                        blame = false;
                    }
                }
                _ => visit(
                    i,
                    Object::Unreadable(format!("git said: {}", header.trim())),
                ),
            }
        }
        let Some(i) = failed else { return Ok(()) };
        let Some(mut p) = self.process.take() else {
            return Err((i, blame.then(|| "git cat-file stopped".to_string())));
        };
        let _ = p.child.kill();
        let _ = p.child.wait();
        let why = p.stderr.join().unwrap_or_default();
        let why = why.trim().lines().collect::<Vec<_>>().join("; ");
        let why = why.as_str();
        if let Some((at, read, size)) = truncated {
            visit(
                at,
                Object::Truncated {
                    read,
                    size,
                    why: why.to_string(),
                },
            );
        }
        Err((
            i,
            blame.then(|| {
                if why.is_empty() {
                    "git cat-file stopped while reading it".to_string()
                } else {
                    format!("git cannot read it: {why}")
                }
            }),
        ))
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        if let Some(mut p) = self.process.take() {
            drop(p.stdin);
            let _ = p.child.wait();
        }
    }
}

/// Collects a child's stderr on a thread, so that it can never fill its pipe and stall git.
fn drain(stderr: Option<std::process::ChildStderr>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut text);
        }
        text
    })
}
