//! A history scan: every blob the selected commits introduce is scanned once (by id), in
//! parallel, through the same blob scanner as files (archives opened, formats decoded); commit
//! and annotated-tag messages too. Each finding names the commit that introduced its blob at
//! its path (the earliest in topological order), and the same secret at the same path in later
//! versions of the file is one finding, not one per commit.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::finding::{Finding, Provenance, REMOVED_FROM_TREE};
use crate::scan::archive::IN_MEMORY_ARCHIVE;
use crate::scan::context::FileContext;
use crate::scan::history_queue::{Job, Queue};
use crate::source::history::catfile::{self, CatFile, Object};
use crate::source::history::command::git;
use crate::source::history::order::StoreOrder;
use crate::source::history::revs;
use crate::source::history::walk::{self, Commit};
use crate::source::root::BlobName;
use crate::source::shard;

/// What to walk.
#[derive(Debug, Clone, Default)]
pub struct HistoryConfig {
    /// `git rev-list` arguments; empty means every ref (`--all`).
    pub revs: Vec<String>,
    /// Also every object no ref reaches (dangling commits, rewritten history).
    pub all_objects: bool,
}

/// A commit's author and date, by the commit's index (what findings show).
type Authors = Vec<Option<(Box<str>, Box<str>)>>;

/// A finding and the blob it was found in (for attribution after the walk).
#[derive(Clone)]
struct Found {
    finding: Finding,
    blob: Option<usize>,
    /// For messages: the commit.
    commit: Option<u32>,
    /// Another path the same blob was introduced at (the job's own path when `None`).
    path: Option<Arc<str>>,
}

/// Other paths a blob was introduced at besides its first, kept per blob up to this many (a
/// secret copied to another file is a finding there too; past this, only counted).
const MAX_OTHER_PATHS: usize = 64;

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
    let inside = git(top)
        .args(["rev-parse", "--git-dir"])
        .stderr(std::process::Stdio::null())
        .output();
    if !inside.is_ok_and(|o| o.status.success()) {
        return Err(Error::new(
            "--history reads a git repository, but this is not inside one (or git is not \
             installed); run it from your repository or a bare clone",
        ));
    }
    let revs = revs::revisions(&config.revs);
    let mut commits = revs::rev_list(top, &revs).map_err(|e| {
        if revs::is_shallow(top) {
            Error::new(format!(
                "{e}. This is a shallow clone: the range's base may not be here; {}",
                revs::FETCH_MORE
            ))
        } else {
            e
        }
    })?;
    let notice = revs::check_shallow(top, &revs, &commits)?;
    let reachable = commits.len();
    let mut unreachable_blobs = Vec::new();
    if config.all_objects {
        let (all_commits, all_blobs) = revs::all_objects(top)?;
        let known: HashSet<&String> = commits.iter().collect();
        let mut extra: Vec<String> = all_commits
            .into_iter()
            .filter(|c| !known.contains(c))
            .collect();
        extra.sort();
        commits.extend(extra);
        unreachable_blobs = all_blobs;
    }

    // Three things at once: messages (and every commit's author and date) on one thread; the
    // walk over the trees (git diff-tree) on this one, queueing each new blob as it appears;
    // and the scanning threads, each with its own `git cat-file`, taking blobs off the queue.
    let meta: Mutex<Authors> = Mutex::new(vec![None; commits.len()]);
    let message_findings: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let index_of: HashMap<&str, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    let range = !config.revs.is_empty();
    // A whole history is read in the object store's order once the walk is over (each delta
    // chain unpacked once; listing the store runs beside the walk); a range as the walk finds
    // its blobs (a pull request's few blobs need no listing of the whole store).
    let in_store_order = !range || config.all_objects;
    let queue = Queue::new(in_store_order);
    let found: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let (others, other_paths) = std::thread::scope(|scope| -> Result<_> {
        let messages = scope.spawn(|| -> Result<Option<StoreOrder>> {
            let mut scanner = ctx.scanner();
            let keep_author = |commit: Commit| {
                if let (Some(&i), Ok(mut m)) = (index_of.get(commit.id.as_str()), meta.lock())
                    && let Some(slot) = m.get_mut(i as usize)
                {
                    *slot = Some((commit.author.into(), commit.date.into()));
                }
            };
            let mut scan_message = |commit: Commit, body: &[u8]| {
                if !shard::takes(ctx.shard, &commit.id) {
                    keep_author(commit);
                    return;
                }
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
                        path: None,
                    }));
                }
                keep_author(commit);
            };
            walk::messages(top, &revs, false, &mut scan_message)?;
            if commits.len() > reachable {
                walk::messages(top, &commits[reachable..], true, &mut scan_message)?;
            }
            if config.revs.is_empty() || config.all_objects {
                for (id, tag, body) in walk::tag_messages(top)? {
                    if !shard::takes(ctx.shard, &id) {
                        continue;
                    }
                    let name = message_name(&id, &format!("tag {tag}"));
                    let found = ctx.scan_message(&mut scanner, &name, &body);
                    if let Ok(mut all) = message_findings.lock() {
                        all.extend(found.into_iter().map(|finding| Found {
                            finding,
                            blob: None,
                            commit: None,
                            path: None,
                        }));
                    }
                }
            }
            // Then the store's order (beside the walk still, but not beside `git log`: both
            // at once held more memory than the rest of the scan).
            Ok(in_store_order.then(|| StoreOrder::read(top).ok()).flatten())
        });
        for _ in 0..ctx.threads.max(1) {
            scope.spawn(|| {
                let mut scanner = ctx.scanner();
                let mut git = None;
                let mut local = Vec::new();
                while let Some(batch) = queue.take() {
                    let ids: Vec<&str> = batch.iter().map(|(_, j)| &*j.id).collect();
                    // In the store's order from packs whose deltas lie near their bases, git
                    // reads with little memory.
                    let git = git.get_or_insert_with(|| match queue.bases_near() {
                        true => CatFile::in_store_order(top),
                        false => CatFile::new(top),
                    });
                    git.read(&ids, &mut |i, object| {
                        let (index, job) = &batch[i];
                        let name = blob_name(job, &commits);
                        match object {
                            Object::Blob { size, content } => {
                                let no = || false;
                                let mut hits =
                                    ctx.scan_git_blob(&mut scanner, &name, size, content, &no);
                                if range && !hits.is_empty() && !job.before.is_empty() {
                                    drop_inherited(top, &job.before, &mut hits);
                                }
                                local.extend(hits.into_iter().map(|finding| Found {
                                    finding,
                                    blob: Some(*index),
                                    commit: job.commit,
                                    path: None,
                                }));
                            }
                            Object::Missing => ctx.stats.warn(
                                name.shown.as_ref(),
                                format!(
                                    "blob {} is missing from the object store (a damaged or \
                                     partial clone); not scanned",
                                    job.id
                                ),
                            ),
                            Object::Unreadable(why) => ctx.stats.warn(
                                name.shown.as_ref(),
                                format!("blob {}: {why}; not scanned", job.id),
                            ),
                            Object::Truncated { read, size, why } => ctx.stats.warn(
                                name.shown.as_ref(),
                                format!(
                                    "blob {}: git stopped after {read} of {size} bytes ({why}); \
                                     the rest was not scanned",
                                    job.id
                                ),
                            ),
                        }
                    });
                }
                if let Ok(mut all) = found.lock() {
                    all.append(&mut local);
                }
            });
        }
        // The walk: every blob once, in the order commits introduce them.
        let mut seen: HashMap<Box<str>, usize, crate::fasthash::FastHash> = HashMap::default();
        let mut others: Vec<u32> = Vec::new();
        // Per blob: a digest of the path it was first introduced at, and the other paths.
        let mut first_path: Vec<u64> = Vec::new();
        let mut other_paths: HashMap<usize, Vec<(u32, Arc<str>)>> = HashMap::new();
        let path_digest = |p: &str| {
            use std::hash::{BuildHasher, Hasher};
            let mut h = crate::fasthash::FastHash.build_hasher();
            h.write(p.as_bytes());
            h.finish()
        };
        let mut submodules: HashSet<String> = HashSet::new();
        // (commit, blob) pairs where a commit deleted the blob at some path: a blob it also
        // introduced at another path was moved there, not copied.
        let mut moved: HashSet<(u32, usize)> = HashSet::new();
        let walked = walk::introductions(top, &commits, &mut |intro| {
            if intro.deleted {
                if let Some(&i) = seen.get(intro.blob) {
                    moved.insert((intro.commit, i));
                }
                return;
            }
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
            if let Some(&i) = seen.get(intro.blob) {
                others[i] += 1;
                if first_path[i] != path_digest(intro.path) {
                    let paths = other_paths.entry(i).or_default();
                    if paths.len() < MAX_OTHER_PATHS
                        && !paths.iter().any(|(_, p)| **p == *intro.path)
                    {
                        paths.push((intro.commit, Arc::from(intro.path)));
                    }
                }
                return;
            }
            seen.insert(intro.blob.into(), others.len());
            others.push(0);
            first_path.push(path_digest(intro.path));
            // Every part walks every commit (cheap); each reads only its own blobs.
            if !shard::takes(ctx.shard, intro.blob) {
                return;
            }
            queue.push(Job {
                slot: others.len() - 1,
                id: intro.blob.into(),
                commit: Some(intro.commit),
                path: intro.path.into(),
                before: match range {
                    true => intro.before.iter().map(|&b| b.into()).collect(),
                    false => Box::default(),
                },
            });
        });
        for blob in unreachable_blobs.drain(..) {
            if !seen.contains_key(blob.as_str()) {
                seen.insert(blob.as_str().into(), others.len());
                others.push(0);
                first_path.push(0);
                if !shard::takes(ctx.shard, &blob) {
                    continue;
                }
                queue.push(Job {
                    slot: others.len() - 1,
                    id: blob.into(),
                    commit: None,
                    path: Box::default(),
                    before: Box::default(),
                });
            }
        }
        // Always, even when the walk failed: the scanning threads wait for it. Without the
        // store's order (git could not list it), the walk's.
        let messages = (messages.join())
            .map_err(|_| Error::new("the commit message reader failed"))
            .and_then(|r| r);
        queue.finish(messages.as_ref().ok().and_then(Option::as_ref));
        walked?;
        drop(messages?);
        // A renamed file is one file: its secret is reported at its first path only.
        for (slot, paths) in other_paths.iter_mut() {
            paths.retain(|(commit, _)| !moved.contains(&(*commit, *slot)));
        }
        Ok((others, other_paths))
    })?;
    let jobs = queue.into_jobs();

    let mut all = found.into_inner().unwrap_or_default();
    // A blob introduced at several paths holds its secrets at each of them.
    let mut copies = Vec::new();
    for f in &all {
        let Some(job) = f.blob.and_then(|b| jobs.get(b)) else {
            continue;
        };
        for (commit, path) in other_paths.get(&job.slot).into_iter().flatten() {
            let mut copy = f.clone();
            copy.commit = Some(*commit);
            copy.path = Some(Arc::clone(path));
            let rest = |s: &str, prefix: &str| s.strip_prefix(prefix).map(str::to_string);
            let canonical = rest(&f.finding.canonical, &job.path).unwrap_or_default();
            copy.finding.canonical = Arc::from(format!("{path}{canonical}"));
            let at = commits.get(*commit as usize).map_or("", |c| short(c));
            copy.finding.path = Arc::from(format!("{at}:{path}{canonical}"));
            copies.push(copy);
        }
    }
    all.extend(copies);
    all.extend(message_findings.into_inner().unwrap_or_default());
    let meta = meta.into_inner().unwrap_or_default();
    let head = revs::head_blobs(top);
    keep(attribute(
        all, &jobs, &others, &commits, reachable, &meta, &head,
    ));
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
fn blob_name(job: &Job, commits: &[String]) -> BlobName {
    let at = job.commit.and_then(|c| commits.get(c as usize));
    let shown = match at {
        Some(c) => format!("{}:{}", short(c), job.path),
        None => format!("{} (unreachable blob)", job.id),
    };
    let canonical = if job.path.is_empty() {
        format!("{} (unreachable blob)", job.id)
    } else {
        job.path.to_string()
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
fn drop_inherited(top: &Path, before: &[Box<str>], hits: &mut Vec<Finding>) {
    let ids: Vec<&str> = before.iter().map(|b| &**b).collect();
    let mut old: Vec<Vec<u8>> = Vec::new();
    catfile::read_objects(top, &ids, &mut |_, object| {
        if let Object::Blob { content, .. } = object {
            let mut data = Vec::new();
            let limit = IN_MEMORY_ARCHIVE;
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
    jobs: &[Arc<Job>],
    others: &[u32],
    commits: &[String],
    reachable: usize,
    meta: &Authors,
    head: &HashSet<(String, String)>,
) -> Vec<Finding> {
    // Per (rule, canonical path, secret): the blobs it was found in, and whether any is in HEAD.
    let key = |f: &Finding| (f.rule_id.clone(), f.canonical.clone(), f.secret.clone());
    let mut groups: HashMap<_, (HashSet<Option<usize>>, bool)> = HashMap::new();
    for f in &all {
        let in_head = f.blob.and_then(|b| jobs.get(b)).is_some_and(|j| {
            let path = f.path.as_deref().unwrap_or(&j.path);
            head.contains(&(path.to_string(), j.id.to_string()))
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
        let info = f.commit.and_then(|c| meta.get(c as usize)?.as_ref());
        let (blob, path, others) = match f.blob.and_then(|b| jobs.get(b)) {
            Some(j) => (
                Some(j.id.to_string()),
                f.path.as_deref().unwrap_or(&j.path).to_string(),
                others.get(j.slot).copied().unwrap_or(0),
            ),
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
            author: info.map(|(author, _)| author.to_string()),
            date: info.map(|(_, date)| date.to_string()),
            blob,
            path,
            other_introductions: others,
            later_versions: blobs.len().saturating_sub(1) as u32,
            in_head: in_head && !message,
            unreachable,
            message,
            order: f.commit.map(u64::from),
        };
        let mut finding = f.finding;
        if !provenance.in_head && !provenance.message && finding.redact {
            finding.remediation = Arc::from(format!("{REMOVED_FROM_TREE} {}", finding.remediation));
        }
        finding.provenance = Some(Arc::new(provenance));
        out.push(finding);
    }
    out
}
