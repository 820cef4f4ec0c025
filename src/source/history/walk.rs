//! What each commit introduces (`diff-tree --stdin`: every path it sets to a blob) and the
//! commit and annotated-tag messages (`git log`, `for-each-ref`), streamed.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;

use crate::error::{Error, Result};
use crate::source::history::command::{drain, feed, finish, git, git_lean, run_ok};

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
    /// The commit deletes the path (a plain commit; `blob` is what the parent held there).
    pub deleted: bool,
}

/// Commits handed to one `git diff-tree`: git keeps every object it has parsed until it exits,
/// so one process for a whole history grows with it (laravel/framework's 42,798 commits: 118 MB;
/// in runs of this many, at most 59 MB, in the same time). Two runs go at once: while one is
/// parsed, the next one's git works on the other core (the walk 2.8 → 2.0 s there).
const COMMITS_PER_DIFF_TREE: usize = 2048;

/// Hands `visit` every path each of `commits` sets to a blob (and, marked, every path a plain
/// commit deletes), commit by commit in the order given: against the parent for a plain commit
/// (everything, for a root commit), and for a merge what its tree holds that no parent has
/// (conflict resolutions, evil merges).
pub fn introductions(
    top: &Path,
    commits: &[String],
    visit: &mut dyn FnMut(Intro<'_>),
) -> Result<()> {
    let by_id: std::collections::HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    let mut runs = commits.chunks(COMMITS_PER_DIFF_TREE);
    let mut next = runs
        .next()
        .map(|run| DiffTree::start(top, run))
        .transpose()?;
    while let Some(current) = next.take() {
        // The next run's git works (on the other core) while this run is parsed; this run is
        // parsed (and its git waited for) even when the next one cannot start.
        let following = runs.next().map(|run| DiffTree::start(top, run));
        current.parse(&by_id, visit)?;
        next = following.transpose()?;
    }
    Ok(())
}

/// Output of a `git diff-tree` read ahead of its parsing, at most this many blocks of
/// [`BLOCK`] bytes (then git waits): two runs at once hold a bounded amount of memory.
const BLOCKS_AHEAD: usize = 64;
const BLOCK: usize = 1 << 18;

/// One `git diff-tree --stdin` over a run of commits, started, its output read ahead.
struct DiffTree {
    child: std::process::Child,
    stderr: std::thread::JoinHandle<String>,
    writer: std::thread::JoinHandle<()>,
    output: Blocks,
}

/// The blocks a reader thread receives from a child's output, read as one stream.
struct Blocks {
    rx: std::sync::mpsc::Receiver<Vec<u8>>,
    block: Vec<u8>,
    at: usize,
}

impl Read for Blocks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.block.len() {
            match self.rx.recv() {
                Ok(block) => (self.block, self.at) = (block, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl DiffTree {
    fn start(top: &Path, commits: &[String]) -> Result<DiffTree> {
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
        let (Some(stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::new("cannot talk to git diff-tree"));
        };
        let stderr = drain(child.stderr.take());
        // One request per commit: diff-tree prints the commit id before that commit's entries
        // (and nothing for a commit that sets no path).
        let writer = feed(stdin, commits.to_vec());
        let (tx, rx) = std::sync::mpsc::sync_channel(BLOCKS_AHEAD);
        std::thread::spawn(move || {
            loop {
                let mut block = vec![0u8; BLOCK];
                let mut filled = 0;
                while filled < BLOCK {
                    match stdout.read(&mut block[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                block.truncate(filled);
                // A parser that stopped early drops the receiver: stop reading then.
                if filled == 0 || tx.send(block).is_err() || filled < BLOCK {
                    return;
                }
            }
        });
        Ok(DiffTree {
            child,
            stderr,
            writer,
            output: Blocks {
                rx,
                block: Vec::new(),
                at: 0,
            },
        })
    }

    /// Hands `visit` what each commit of the run introduces; `by_id` gives each commit's index
    /// among all the walk's commits.
    fn parse(
        self,
        by_id: &std::collections::HashMap<&str, u32>,
        visit: &mut dyn FnMut(Intro<'_>),
    ) -> Result<()> {
        let DiffTree {
            child,
            stderr,
            writer,
            output,
        } = self;
        let mut reader = BufReader::with_capacity(1 << 16, output);
        let mut token = Vec::new();
        let mut index: Option<u32> = None;
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
            let Some(commit) = index else { continue };
            if blob.bytes().all(|b| b == b'0') {
                // Deleted: told for plain commits (a blob deleted at one path and added at
                // another in the same commit was moved, not copied).
                if parents == 1 && !ids[0].bytes().all(|b| b == b'0') {
                    visit(Intro {
                        commit,
                        path: &path,
                        blob: ids[0],
                        before: Vec::new(),
                        submodule: false,
                        deleted: true,
                    });
                }
                continue;
            }
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
                deleted: false,
            });
        }
        let _ = writer.join();
        finish(child, stderr, "git diff-tree")
    }
}

/// Hands `visit` each commit's metadata and message, for the commits `revs` select (or exactly
/// `commits`, with `no_walk`).
pub fn messages(
    top: &Path,
    revs: &[String],
    no_walk: bool,
    visit: &mut dyn FnMut(Commit, &[u8]),
) -> Result<()> {
    // Commits come first in a pack, newest first: read front to back.
    let mut cmd = git_lean(top);
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
