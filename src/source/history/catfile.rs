//! Reading blobs by id through `git cat-file --batch`, one process per scanning thread, with
//! a bounded number of requests in flight; a missing, unreadable or truncated object is
//! reported, never fatal.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::source::history::command::{drain, git, git_lean};

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
    /// Objects are requested in the store's order (tighter memory bounds).
    in_store_order: bool,
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
            in_store_order: false,
        }
    }

    /// A reader whose requests come in the store's order (`order::StoreOrder`), from packs
    /// whose deltas lie near their bases: git reads them with tighter memory bounds.
    pub fn in_store_order(top: &Path) -> CatFile {
        CatFile {
            top: top.to_path_buf(),
            process: None,
            in_store_order: true,
        }
    }

    fn spawn(&self) -> std::result::Result<Running, String> {
        let command = match self.in_store_order {
            true => git_lean,
            false => git,
        };
        let mut child = command(&self.top)
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
