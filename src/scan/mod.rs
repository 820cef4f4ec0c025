//! A whole scan: standard input, the filesystem walk or the git index feed blobs to blob
//! scanners (one per thread); findings pass the project's policy (allowlist, baseline) and are
//! gathered with warnings and counters into a [`ScanOutcome`] in a deterministic order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::Candidate;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

mod file;
mod history;

pub use history::HistoryConfig;

use crate::blob::BlobScanner;
use crate::diagnostics::{Stats, Warning};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::policy::{BaselineEntry, Policy};
use crate::rules::file_rules::FileRule;
use crate::rules::scope::Scope;
use crate::source::archive::Limits;
use crate::source::git;
use crate::source::root::{BlobName, Root};
use crate::source::shard::{self, Shard};
use crate::source::walk::{self, WalkOptions, WalkedFile};
use file::FileContext;

/// The name standard input goes by in reports.
pub const STDIN_PATH: &str = "<stdin>";

/// What to scan and how.
#[derive(Debug, Default)]
pub struct ScanConfig {
    /// Files and directories to scan; `-` is standard input; empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan what is staged in the git index instead of `paths`.
    pub staged: bool,
    /// Scan git history instead of `paths`.
    pub history: Option<HistoryConfig>,
    /// Scan only this part of the work (`--shard K/N`).
    pub shard: Option<Shard>,
    pub walk: WalkOptions,
    /// Globs of paths not to scan (the project config's `skip-paths`), matched on canonical
    /// paths.
    pub skip_paths: Vec<String>,
    /// The directory of the project config in use: the base of canonical paths outside a git
    /// work tree.
    pub config_dir: Option<PathBuf>,
    /// Allowlist and baseline.
    pub policy: Policy,
    /// What archives may cost.
    pub limits: Limits,
    /// Draw progress on stderr: `Some(false)` when it is a terminal, `Some(true)` always.
    pub progress: Option<bool>,
}

/// Everything a scan produced.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Ordered by path, then byte offset, then rule id.
    pub findings: Vec<Finding>,
    /// Ordered by path, then message.
    pub warnings: Vec<Warning>,
    pub summary: Summary,
    /// Baseline entries whose file was scanned but whose finding no longer occurs.
    pub stale: Vec<BaselineEntry>,
    /// Something the user must be told although nothing went wrong (e.g. nothing staged).
    pub notice: Option<String>,
    /// Which scan this is and which part of it (reports of a sharded scan carry it, so that
    /// `sealant merge` can check its parts belong together).
    pub part: Option<Part>,
}

/// A report's place among the parts of one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// A digest of what makes two scans the same scan (rules, config, options, roots).
    pub identity: String,
    pub shard: Option<Shard>,
}

/// Counters for the end-of-scan summary.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Files and archive members read.
    pub files_scanned: u64,
    /// Archives opened (top-level and nested files counted as archives, not as files).
    pub archives: u64,
    /// Of `files_scanned`, how many were archive members.
    pub archive_members: u64,
    /// Commits walked (history scans).
    pub commits: u64,
    /// Commit and annotated-tag messages scanned (history scans).
    pub messages: u64,
    pub bytes_scanned: u64,
    pub duration_ms: u64,
    pub findings: FindingCounts,
    pub warnings: u64,
    pub skipped: SkipCounts,
    pub suppressed: SuppressedCounts,
    /// Baseline entries that no longer occur.
    pub baseline_stale: u64,
    /// Of `findings`, how many are counted but not listed: copies of one secret past 50 in one
    /// file, findings past 10,000 in one file or past 100,000 in one scan (memory stays
    /// bounded whatever the input holds).
    #[serde(default)]
    pub unlisted: FindingCounts,
    /// `--verify`: how the listed findings' secrets verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<crate::verify::VerifiedCounts>,
}

/// Findings one scan lists at most; the rest are counted.
pub const MAX_LISTED: usize = 100_000;
/// Findings one archive (all its members) lists at most; the rest are counted.
pub const MAX_LISTED_PER_ARCHIVE: usize = MAX_LISTED / 4;

/// Counts findings past a bound (`bound`, and `path` where it was hit, for the warning) in the
/// summary instead of keeping them: settled and filtered by the policy first, so that the
/// counts are those the listed findings would have had.
pub(crate) fn count_unlisted(
    stats: &Stats,
    policy: &Policy,
    mut findings: Vec<Finding>,
    bound: usize,
    path: &str,
) {
    settle(&mut findings);
    policy.filter(&mut findings);
    if findings.is_empty() {
        return;
    }
    if !stats.bound_warned.swap(true, Ordering::Relaxed) {
        stats.warn(
            path,
            format!("more than {bound} findings: the rest are counted in the summary, not listed"),
        );
    }
    if let Ok(mut unlisted) = stats.unlisted.lock() {
        for f in &findings {
            unlisted.add(f.severity);
        }
    }
}

/// Findings a rule matched but the project accepts.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SuppressedCounts {
    /// On a line carrying a `sealant:allow` comment.
    pub inline: u64,
    /// Values allowlisted in the project config.
    pub allowlist: u64,
    /// Recorded in the baseline file.
    pub baseline: u64,
    /// Values a rule matched but judged fake: placeholders (`sk_live_xxxx…`), values below a
    /// rule's entropy, default passwords.
    pub placeholder: u64,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FindingCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
}

impl FindingCounts {
    pub fn merge(&mut self, other: &FindingCounts) {
        self.critical += other.critical;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.info += other.info;
    }

    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    pub fn add(&mut self, s: Severity) {
        let c = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *c += 1;
    }

    pub fn total(&self) -> u64 {
        Severity::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SkipCounts {
    /// Images, fonts, audio, video.
    pub media: u64,
    /// Symbolic links not followed.
    pub symlinks: u64,
    /// FIFOs, sockets, devices.
    pub special: u64,
    /// Paths the project config's `skip-paths` leaves out.
    pub config: u64,
}

impl Summary {
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.duration_ms)
    }
}

/// Runs a scan. Fails (exit code 2) only when the scan cannot run at all: a path on the
/// command line that does not exist or cannot be read, `--staged` outside a git work tree.
/// Problems with single files become warnings in the outcome.
pub fn scan(config: &ScanConfig, engine: &Engine) -> Result<ScanOutcome> {
    scan_streaming(config, engine, None)
}

/// Findings handed over while a scan runs: one file's (or blob's) at a time, settled and
/// filtered by the policy as the final report's are, from any worker thread.
pub type Sink<'a> = &'a (dyn Fn(Vec<Finding>) + Sync);

/// [`scan`], handing each file's findings to `sink` as soon as they are known (`--format
/// jsonl`). The outcome still holds them all, ordered, for the summary and the exit code.
pub fn scan_streaming(
    config: &ScanConfig,
    engine: &Engine,
    sink: Option<Sink<'_>>,
) -> Result<ScanOutcome> {
    let stats = Stats::default();
    let Some(always) = config.progress else {
        return scan_with(config, engine, &stats, sink);
    };
    std::thread::scope(|s| {
        // Dropping `_stop`, however the scan ends (a panic included), stops the progress.
        let (_stop, stop) = std::sync::mpsc::channel::<()>();
        let stats = &stats;
        s.spawn(move || crate::report::progress::run(stats, stop, always));
        scan_with(config, engine, stats, sink)
    })
}

/// Orders findings, merges the ones reported twice (a chunk seam, a raw and a decoded view —
/// but two archive members with one name holding different secrets are two) and numbers
/// copies of one secret.
fn settle(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.secret == b.secret);
    number_occurrences(findings);
}

fn scan_with(
    config: &ScanConfig,
    engine: &Engine,
    stats: &Stats,
    sink: Option<Sink<'_>>,
) -> Result<ScanOutcome> {
    let started = Instant::now();
    for (path, message) in config.policy.warnings() {
        stats.warn(path.clone(), message.clone());
    }
    let found: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let listed = std::sync::atomic::AtomicUsize::new(0);
    let keep = |mut local: Vec<Finding>| {
        if listed.fetch_add(local.len(), Ordering::Relaxed) + local.len() > MAX_LISTED {
            // Past the scan's bound: counted (after the policy), not kept.
            listed.fetch_sub(local.len(), Ordering::Relaxed);
            count_unlisted(stats, &config.policy, local, MAX_LISTED, "");
            return;
        }
        if let Some(sink) = sink
            && !local.is_empty()
        {
            let mut batch = local.clone();
            settle(&mut batch);
            config.policy.filter(&mut batch);
            if !batch.is_empty() {
                sink(batch);
            }
        }
        if !local.is_empty()
            && let Ok(mut all) = found.lock()
        {
            stats
                .findings
                .fetch_add(local.len() as u64, Ordering::Relaxed);
            all.append(&mut local);
        }
    };
    let skip = Scope::new(&config.skip_paths, &[], &[], &[], "skip-paths")?;
    let baseline_paths = config.policy.baseline_paths();
    let mut ctx = FileContext {
        engine,
        stats,
        tracked: HashSet::new(),
        skip: (!config.skip_paths.is_empty()).then_some(skip),
        baseline_paths: &baseline_paths,
        seen_baseline_paths: Mutex::new(HashSet::new()),
        limits: config.limits,
        threads: config.walk.threads,
        shard: config.shard,
        policy: &config.policy,
    };
    let mut notice = None;

    let mut commits = 0;
    if let Some(h) = &config.history {
        let counts = history::scan_history(&ctx, h, &keep)?;
        commits = counts.commits;
        notice = counts.notice;
    } else if config.staged {
        notice = scan_staged(&ctx, &config.paths, &keep)?;
    } else {
        let paths = if config.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            config.paths.clone()
        };
        let read_stdin = paths.iter().any(|p| p == Path::new("-"));
        let given: Vec<PathBuf> = paths.into_iter().filter(|p| p != Path::new("-")).collect();
        for root in &given {
            check_root(root)?;
        }
        let implicit = config.paths.is_empty();
        let roots: Vec<Root> = given
            .iter()
            .map(|g| Root::resolve(g, config.config_dir.as_deref(), implicit))
            .collect();
        // Standard input is one piece of work: the first part's.
        if read_stdin && config.shard.is_none_or(|s| s.index == 1) {
            keep(ctx.scan_stdin());
        }
        ctx.tracked = tracked_files(engine, &given);
        let ctx = &ctx;
        walk::walk(&roots, &config.walk, stats, || {
            let mut scanner = BlobScanner::new(engine);
            let keep = &keep;
            move |file: WalkedFile<'_>| keep(ctx.scan_file(&mut scanner, file))
        })?;
    }

    let mut findings = found.into_inner().unwrap_or_default();
    settle(&mut findings);
    let seen = ctx.seen_baseline_paths.into_inner().unwrap_or_default();
    let applied = config.policy.apply(&mut findings, &seen);
    let warnings = stats.take_warnings();
    let mut counts = FindingCounts::default();
    for f in &findings {
        counts.add(f.severity);
    }
    let unlisted = stats.unlisted.lock().map(|u| u.clone()).unwrap_or_default();
    counts.merge(&unlisted);
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    let summary = Summary {
        files_scanned: load(&stats.files),
        archives: load(&stats.archives),
        archive_members: load(&stats.archive_members),
        commits,
        messages: load(&stats.messages),
        bytes_scanned: load(&stats.bytes),
        duration_ms: started.elapsed().as_millis() as u64,
        findings: counts,
        warnings: warnings.len() as u64,
        skipped: SkipCounts {
            media: load(&stats.skipped_media),
            symlinks: load(&stats.skipped_symlinks),
            special: load(&stats.skipped_special),
            config: load(&stats.skipped_config),
        },
        suppressed: SuppressedCounts {
            inline: load(&stats.allowed_inline),
            allowlist: applied.allowlisted,
            baseline: applied.baselined,
            placeholder: load(&stats.filtered),
        },
        baseline_stale: applied.stale.len() as u64,
        unlisted,
        verified: None,
    };
    Ok(ScanOutcome {
        findings,
        warnings,
        summary,
        stale: applied.stale,
        notice,
        part: None,
    })
}

/// Numbers the copies of one secret under one rule in one blob, in report order (findings
/// are sorted by path and offset, so copies of a blob are adjacent by path).
pub fn number_occurrences(findings: &mut [Finding]) {
    let mut seen: std::collections::HashMap<(Arc<str>, Arc<str>, String), u32> =
        std::collections::HashMap::new();
    for f in findings.iter_mut() {
        if f.secret.is_empty() {
            continue;
        }
        let n = seen
            .entry((
                Arc::clone(&f.canonical),
                Arc::clone(&f.rule_id),
                f.secret.clone(),
            ))
            .or_insert(0);
        f.occurrence = *n;
        *n += 1;
    }
}

/// Scans what is staged in the index of the work tree around the current directory. Returns a
/// notice when nothing is staged.
/// With `only` (paths given on the command line, as the pre-commit framework passes them),
/// the index's content of exactly those paths is scanned, changed or not (`pre-commit run
/// --all-files` passes every tracked file).
fn scan_staged(
    ctx: &FileContext<'_>,
    only: &[PathBuf],
    keep: &dyn Fn(Vec<Finding>),
) -> Result<Option<String>> {
    let Some(top) = git::toplevel(Path::new(".")) else {
        return Err(Error::new(
            "--staged scans the git index, but this is not inside a git work tree \
             (or git is not installed); run it from your repository, or scan paths instead",
        ));
    };
    let paths = if only.is_empty() {
        git::staged_paths(&top)?
    } else {
        let top_abs = std::fs::canonicalize(&top).unwrap_or_else(|_| top.clone());
        let here = std::env::current_dir()
            .ok()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .unwrap_or_else(|| top_abs.clone());
        only.iter()
            .map(|p| {
                let rel = here.join(p);
                let rel = rel.strip_prefix(&top_abs).unwrap_or(p);
                rel.components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir))
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect()
    };
    if paths.is_empty() {
        return Ok(Some(
            "nothing is staged (git add files first); nothing was scanned".to_string(),
        ));
    }
    let paths: Vec<String> = paths
        .into_iter()
        .filter(|p| shard::takes(ctx.shard, p))
        .collect();
    let mut scanner = BlobScanner::new(ctx.engine);
    git::read_staged(
        &top,
        &paths,
        &mut |file| {
            let sibling = || top.join(file.path).with_extension("").is_file();
            // Staged paths are relative to the work tree's top: already canonical.
            let name = BlobName::plain(file.path);
            keep(ctx.scan_git_blob(&mut scanner, &name, file.size, file.content, &sibling));
        },
        &mut |path, why| ctx.stats.warn(path, why),
    )?;
    Ok(None)
}

/// Canonical paths of tracked files that file rules ask about (`git_tracked`).
fn tracked_files(engine: &Engine, roots: &[PathBuf]) -> HashSet<PathBuf> {
    let git_rules: Vec<&FileRule> = engine
        .file_rules()
        .iter()
        .filter(|r| r.git_tracked)
        .collect();
    if git_rules.is_empty() {
        return HashSet::new();
    }
    git::tracked_files(roots, &|rel| {
        git_rules
            .iter()
            .any(|r| r.applies_to_name(&Candidate::new(rel)))
    })
}

/// A root named on the command line must exist and, if a directory, be listable.
fn check_root(root: &Path) -> Result<()> {
    let md = std::fs::metadata(root)
        .map_err(|e| Error::new(format!("cannot scan '{}': {e}", root.display())))?;
    if md.is_dir() {
        std::fs::read_dir(root).map_err(|e| {
            Error::new(format!(
                "cannot scan '{}': {e} (check the directory's permissions)",
                root.display()
            ))
        })?;
    } else if md.is_file() {
        walk::open_regular(root).map_err(|e| {
            Error::new(format!(
                "cannot scan '{}': {e} (check the file's permissions)",
                root.display()
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    const KEY: &str = "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"; // sealant:allow test key

    /// `--format jsonl` gets each file's findings as soon as the file is done, settled as the
    /// final report's: the batches hold exactly the outcome's findings.
    #[test]
    fn findings_are_handed_over_file_by_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, copies) in [("a.js", 1), ("b.js", 2), ("c.js", 1)] {
            let text = format!("k = '{KEY}';\n").repeat(copies);
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        std::fs::write(dir.path().join("clean.js"), "let x = 1;\n").expect("write");
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let config = ScanConfig {
            paths: vec![dir.path().to_path_buf()],
            walk: WalkOptions {
                threads: 2,
                ..Default::default()
            },
            ..Default::default()
        };
        let batches: Mutex<Vec<Vec<(String, u32)>>> = Mutex::default();
        let sink = |b: Vec<Finding>| {
            let b = b
                .iter()
                .map(|f| (f.path.to_string(), f.occurrence))
                .collect();
            batches.lock().expect("lock").push(b);
        };
        let outcome = scan_streaming(&config, &engine, Some(&sink)).expect("scan");
        let batches = batches.into_inner().expect("lock");
        assert_eq!(
            batches.len(),
            3,
            "one batch per file with findings: {batches:?}"
        );
        for b in &batches {
            assert!(
                b.iter().all(|(p, _)| *p == b[0].0),
                "one file per batch: {b:?}"
            );
        }
        let mut streamed: Vec<(String, u32)> = batches.into_iter().flatten().collect();
        streamed.sort();
        let mut reported: Vec<(String, u32)> = (outcome.findings.iter())
            .map(|f| (f.path.to_string(), f.occurrence))
            .collect();
        reported.sort();
        assert_eq!(streamed, reported);
        assert_eq!(reported.len(), 4);
    }
}
