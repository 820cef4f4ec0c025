//! A history scan: every blob the selected commits introduce is scanned once (by id), in
//! parallel, through the same blob scanner as files (archives opened, formats decoded); commit
//! and annotated-tag messages too. Each finding names the commit that introduced its blob at
//! its path (the earliest in topological order), and the same secret at the same path in later
//! versions of the file is one finding, not one per commit.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::blob::BlobScanner;
use crate::error::{Error, Result};
use crate::finding::{Finding, Provenance};
use crate::scan::file::FileContext;
use crate::source::history::{self, Commit, Object};
use crate::source::root::BlobName;

/// What to walk.
#[derive(Debug, Clone, Default)]
pub struct HistoryConfig {
    /// `git rev-list` arguments; empty means every ref (`--all`).
    pub revs: Vec<String>,
    /// Also every object no ref reaches (dangling commits, rewritten history).
    pub all_objects: bool,
}

/// Blobs handed to one `git cat-file` at a time (a worker takes the next batch when done).
const BATCH: usize = 2048;

/// Where a blob was first seen.
struct Seen {
    /// Index into the walked commits; `None` for a blob no commit reaches.
    commit: Option<u32>,
    path: String,
    /// The blobs at this path in the introducing commit's parents (for ranges).
    before: Vec<String>,
    /// Other commits or paths that introduced the same blob.
    others: u32,
}

/// A finding and the blob it was found in (for attribution after the walk).
struct Found {
    finding: Finding,
    blob: Option<usize>,
    /// For messages: the commit.
    commit: Option<u32>,
}

/// Counts for the summary.
pub struct HistoryCounts {
    pub commits: u64,
    pub notice: Option<String>,
}

pub(super) fn scan_history(
    ctx: &FileContext<'_>,
    config: &HistoryConfig,
    keep: &(dyn Fn(Vec<Finding>) + Sync),
) -> Result<HistoryCounts> {
    let top = Path::new(".");
    let inside = history::git(top)
        .args(["rev-parse", "--git-dir"])
        .stderr(std::process::Stdio::null())
        .output();
    if !inside.is_ok_and(|o| o.status.success()) {
        return Err(Error::new(
            "--history reads a git repository, but this is not inside one (or git is not \
             installed); run it from your repository or a bare clone",
        ));
    }
    let revs = history::revisions(&config.revs);
    let mut commits = history::rev_list(top, &revs).map_err(|e| {
        if history::is_shallow(top) {
            Error::new(format!(
                "{e}. This is a shallow clone: the range's base may not be here; {}",
                history::FETCH_MORE
            ))
        } else {
            e
        }
    })?;
    let notice = history::check_shallow(top, &revs, &commits)?;
    let reachable = commits.len();
    let mut unreachable_blobs = Vec::new();
    if config.all_objects {
        let (all_commits, all_blobs) = history::all_objects(top)?;
        let known: HashSet<&String> = commits.iter().collect();
        let mut extra: Vec<String> = all_commits
            .into_iter()
            .filter(|c| !known.contains(c))
            .collect();
        extra.sort();
        commits.extend(extra);
        unreachable_blobs = all_blobs;
    }

    // Messages (and every commit's author and date) on one thread, while git walks the trees.
    let meta: Mutex<HashMap<String, Commit>> = Mutex::new(HashMap::new());
    let message_findings: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let index_of: HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    let (seen, order) = std::thread::scope(|scope| -> Result<_> {
        let messages = scope.spawn(|| -> Result<()> {
            let mut scanner = BlobScanner::new(ctx.engine);
            let mut scan_message = |commit: Commit, body: &[u8]| {
                let name = message_name(&commit.id, "commit message");
                let found = ctx.scan_message(&mut scanner, &name, body);
                let index = index_of.get(commit.id.as_str()).copied();
                if !found.is_empty()
                    && let Ok(mut all) = message_findings.lock()
                {
                    all.extend(found.into_iter().map(|finding| Found {
                        finding,
                        blob: None,
                        commit: index,
                    }));
                }
                if let Ok(mut m) = meta.lock() {
                    m.insert(commit.id.clone(), commit);
                }
            };
            history::messages(top, &revs, false, &mut scan_message)?;
            if commits.len() > reachable {
                history::messages(top, &commits[reachable..], true, &mut scan_message)?;
            }
            if config.revs.is_empty() || config.all_objects {
                for (id, tag, body) in history::tag_messages(top)? {
                    let name = message_name(&id, &format!("tag {tag}"));
                    let found = ctx.scan_message(&mut scanner, &name, &body);
                    if let Ok(mut all) = message_findings.lock() {
                        all.extend(found.into_iter().map(|finding| Found {
                            finding,
                            blob: None,
                            commit: None,
                        }));
                    }
                }
            }
            Ok(())
        });
        let mut seen: HashMap<String, Seen> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut submodules: HashSet<String> = HashSet::new();
        history::introductions(top, &commits, &mut |intro| {
            if intro.submodule {
                if submodules.insert(intro.path.to_string()) {
                    ctx.stats.warn(
                        intro.path,
                        format!(
                            "a submodule (commit {}): its content lives in another repository; \
                             scan that repository's history separately",
                            short(intro.blob)
                        ),
                    );
                }
                return;
            }
            match seen.get_mut(intro.blob) {
                Some(s) => s.others += 1,
                None => {
                    order.push(intro.blob.to_string());
                    seen.insert(
                        intro.blob.to_string(),
                        Seen {
                            commit: Some(intro.commit),
                            path: intro.path.to_string(),
                            before: intro.before.iter().map(|b| b.to_string()).collect(),
                            others: 0,
                        },
                    );
                }
            }
        })?;
        for blob in unreachable_blobs.drain(..) {
            if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(blob.clone()) {
                order.push(blob);
                slot.insert(Seen {
                    commit: None,
                    path: String::new(),
                    before: Vec::new(),
                    others: 0,
                });
            }
        }
        messages
            .join()
            .map_err(|_| Error::new("the commit message reader failed"))??;
        Ok((seen, order))
    })?;

    // The blobs, once each, on every thread.
    let jobs: Vec<(&str, &Seen)> = order
        .iter()
        .filter_map(|b| seen.get(b).map(|s| (b.as_str(), s)))
        .collect();
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let range = !config.revs.is_empty();
    std::thread::scope(|scope| {
        for _ in 0..ctx.threads.max(1) {
            scope.spawn(|| {
                let mut scanner = BlobScanner::new(ctx.engine);
                let mut local = Vec::new();
                loop {
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= jobs.len() {
                        break;
                    }
                    let batch = &jobs[start..(start + BATCH).min(jobs.len())];
                    let ids: Vec<&str> = batch.iter().map(|(id, _)| *id).collect();
                    history::read_objects(top, &ids, &mut |i, object| {
                        let (id, s) = batch[i];
                        let name = blob_name(id, s, &commits);
                        match object {
                            Object::Blob { size, content } => {
                                let no = || false;
                                let mut hits =
                                    ctx.scan_git_blob(&mut scanner, &name, size, content, &no);
                                if range && !hits.is_empty() && !s.before.is_empty() {
                                    drop_inherited(top, &s.before, &mut hits);
                                }
                                local.extend(hits.into_iter().map(|finding| Found {
                                    finding,
                                    blob: Some(start + i),
                                    commit: s.commit,
                                }));
                            }
                            Object::Missing => ctx.stats.warn(
                                name.shown.as_ref(),
                                format!(
                                    "blob {id} is missing from the object store (a damaged or \
                                     partial clone); not scanned"
                                ),
                            ),
                            Object::Unreadable(why) => ctx.stats.warn(
                                name.shown.as_ref(),
                                format!("blob {id}: {why}; not scanned"),
                            ),
                        }
                    });
                }
                if let Ok(mut all) = found.lock() {
                    all.append(&mut local);
                }
            });
        }
    });

    let mut all = found.into_inner().unwrap_or_default();
    all.extend(message_findings.into_inner().unwrap_or_default());
    let meta = meta.into_inner().unwrap_or_default();
    let head = history::head_blobs(top);
    keep(attribute(all, &jobs, &commits, reachable, &meta, &head));
    Ok(HistoryCounts {
        commits: commits.len() as u64,
        notice,
    })
}

fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

/// A blob is shown as `<commit>:<path>` (the commit that introduced it there), or `<blob id>`
/// when no commit reaches it; its canonical path is the path in the repository, so that a
/// finding's fingerprint is the same in history, tree and `--staged` scans.
fn blob_name(id: &str, s: &Seen, commits: &[String]) -> BlobName {
    let at = s.commit.and_then(|c| commits.get(c as usize));
    let shown = match at {
        Some(c) => format!("{}:{}", short(c), s.path),
        None => format!("{id} (unreachable blob)"),
    };
    let canonical = if s.path.is_empty() {
        format!("{id} (unreachable blob)")
    } else {
        s.path.clone()
    };
    BlobName {
        shown: Arc::from(shown),
        canonical: Arc::from(canonical),
        above: Arc::from(""),
        third_party: false,
    }
}

/// The name of a commit's or tag's message.
fn message_name(id: &str, what: &str) -> BlobName {
    BlobName {
        shown: Arc::from(format!("{} ({what})", short(id))),
        canonical: Arc::from(format!("{id} ({what})")),
        above: Arc::from(""),
        third_party: false,
    }
}

/// In a range, a secret the file already held before the commit (in any parent's version) is
/// not the range's doing: it is dropped.
fn drop_inherited(top: &Path, before: &[String], hits: &mut Vec<Finding>) {
    let ids: Vec<&str> = before.iter().map(String::as_str).collect();
    let mut old: Vec<Vec<u8>> = Vec::new();
    history::read_objects(top, &ids, &mut |_, object| {
        if let Object::Blob { content, .. } = object {
            let mut data = Vec::new();
            let limit = crate::scan::file::IN_MEMORY_ARCHIVE;
            if content.take(limit).read_to_end(&mut data).is_ok() {
                old.push(data);
            }
        }
    });
    hits.retain(|f| {
        f.secret.is_empty()
            || !old
                .iter()
                .any(|o| memchr::memmem::find(o, f.secret.as_bytes()).is_some())
    });
}

/// Attaches each finding's provenance and keeps, of the same secret under the same rule at the
/// same path, the copy from the earliest blob (the commit that introduced it); the others are
/// counted as later versions.
fn attribute(
    all: Vec<Found>,
    jobs: &[(&str, &Seen)],
    commits: &[String],
    reachable: usize,
    meta: &HashMap<String, Commit>,
    head: &HashSet<(String, String)>,
) -> Vec<Finding> {
    // Per (rule, canonical path, secret): the blobs it was found in, and whether any is in HEAD.
    let key = |f: &Finding| (f.rule_id.clone(), f.canonical.clone(), f.secret.clone());
    let mut groups: HashMap<_, (HashSet<Option<usize>>, bool)> = HashMap::new();
    for f in &all {
        let in_head = f.blob.is_some_and(|b| {
            let (id, s) = jobs[b];
            head.contains(&(s.path.clone(), id.to_string()))
        });
        let g = groups.entry(key(&f.finding)).or_default();
        g.0.insert(f.blob);
        g.1 |= in_head;
    }
    // The earliest blob of each group: smallest commit index (unreachable ones last).
    let rank = |f: &Found| {
        let commit = f.commit.map_or(u64::MAX, u64::from);
        (commit, f.blob.unwrap_or(usize::MAX))
    };
    let mut earliest: HashMap<_, (u64, usize)> = HashMap::new();
    for f in &all {
        let r = rank(f);
        earliest
            .entry(key(&f.finding))
            .and_modify(|e| {
                if r < *e {
                    *e = r;
                }
            })
            .or_insert(r);
    }
    let mut out = Vec::new();
    for f in all {
        let k = key(&f.finding);
        if earliest.get(&k) != Some(&rank(&f)) {
            continue;
        }
        let (blobs, in_head) = groups.get(&k).cloned().unwrap_or_default();
        let commit = f.commit.and_then(|c| commits.get(c as usize));
        let info = commit.and_then(|c| meta.get(c));
        let (blob, path, others) = match f.blob {
            Some(b) => {
                let (id, s) = jobs[b];
                (Some(id.to_string()), s.path.clone(), s.others)
            }
            None => (None, String::new(), 0),
        };
        let message = f.blob.is_none();
        // No ref reaches the blob or message (tag messages have no commit: they are reached).
        let unreachable = match f.commit {
            Some(c) => c as usize >= reachable,
            None => !message,
        };
        let provenance = Provenance {
            commit: commit.cloned(),
            author: info.map(|m| m.author.clone()),
            date: info.map(|m| m.date.clone()),
            blob,
            path,
            other_introductions: others,
            later_versions: blobs.len().saturating_sub(1) as u32,
            in_head: in_head && !message,
            unreachable,
            message,
        };
        let mut finding = f.finding;
        if !provenance.in_head && !provenance.message && finding.redact {
            finding.remediation = Arc::from(format!(
                "Removed from the tree, still in history: rotate it; rewriting history does not \
                 un-leak a pushed key. {}",
                finding.remediation
            ));
        }
        finding.provenance = Some(Arc::new(provenance));
        out.push(finding);
    }
    out
}
