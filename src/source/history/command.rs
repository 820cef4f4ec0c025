//! Running git for history: a command that sees the real objects, and a child's input, output
//! and exit handled so that neither side can deadlock or fail in silence.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::error::{Error, Result};

/// What each git child may hold of the object store: its cache of delta bases (git's default,
/// 96 MiB, times the three or four children a history scan runs at once, was most of the
/// scan's memory, and reading each blob once gains little from it) and how much of a pack it
/// keeps mapped (default 1 GiB windows, which put a whole pack in each child's resident set).
/// On laravel/framework's history: the children and sealant 733 → 371 MB resident at the peak
/// (532 → 254 MB proportional), the same time; 16 MiB windows within 64 MiB rather than 64 MiB
/// within 128 MiB took it from 284 to 259 MB (185 → 172 MB proportional), the same time again
/// (December 2026, 5 interleaved runs: 5.01 s and 5.03 s). Smaller limits cost time: 32 MiB
/// (16 MiB windows) 197 MB but +25%, git remapping windows (system time doubled).
const MEMORY_BOUNDS: [&str; 6] = [
    "-c",
    "core.deltaBaseCacheLimit=16m",
    "-c",
    "core.packedGitWindowSize=16m",
    "-c",
    "core.packedGitLimit=64m",
];

/// Tighter bounds, for a child that reads the store front to back: `git log` (a pack holds its
/// commits first, newest first), the listing of the store's order, and a `cat-file` reading
/// blobs in that order where each delta lies near its base (see
/// `order::StoreOrder::bases_near`): the base was read just before,
/// so a small cache and small windows cost no time. On a clone of laravel/framework (82,071
/// blobs, one pack written by git): `cat-file --batch` in the walk's order 2.2 s and 90 MB
/// resident with the general bounds, in the store's order 1.4 s and 32 MB with these; `git log`
/// 0.35 s either way, 37 → 25 MB (December 2026).
const LEAN_BOUNDS: [&str; 6] = [
    "-c",
    "core.deltaBaseCacheLimit=2m",
    "-c",
    "core.packedGitWindowSize=8m",
    "-c",
    "core.packedGitLimit=16m",
];

/// A `git` command in `top` that sees the real objects: replacement refs and grafts ignored
/// (a secret hidden behind either is still walked and read), its memory bounded.
pub fn git(top: &Path) -> Command {
    bounded(top, &MEMORY_BOUNDS)
}

/// [`git`] with tighter memory bounds, for a child that reads the store front to back.
pub fn git_lean(top: &Path) -> Command {
    bounded(top, &LEAN_BOUNDS)
}

fn bounded(top: &Path, bounds: &[&str]) -> Command {
    let mut c = Command::new("git");
    // git's own hint about the graft file (8 lines on a shallow clone) would bury sealant's
    // advice.
    c.args(["-c", "advice.graftFileDeprecated=false"])
        .args(bounds)
        .arg("-C")
        .arg(top)
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_GRAFT_FILE", "/dev/null")
        .stdin(Stdio::null());
    c
}

pub(crate) fn run_ok(mut cmd: Command, what: &str) -> Result<Vec<u8>> {
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

/// Writes `lines` to a child's standard input from a thread, so that a long request list
/// cannot deadlock against the child's full output pipe.
pub(crate) fn feed(
    mut stdin: std::process::ChildStdin,
    lines: Vec<String>,
) -> std::thread::JoinHandle<()> {
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
pub(crate) fn finish(
    mut child: Child,
    stderr: std::thread::JoinHandle<String>,
    what: &str,
) -> Result<()> {
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

/// Collects a child's stderr on a thread, so that it can never fill its pipe and stall git.
pub(crate) fn drain(stderr: Option<std::process::ChildStderr>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut text);
        }
        text
    })
}
