//! A whole scan: standard input, the filesystem walk or the git index feed blobs to blob
//! scanners (one per thread); findings pass the project's policy (allowlist, baseline) and are
//! gathered with warnings and counters into a [`ScanOutcome`] in a deterministic order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::Candidate;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::blob::BlobScanner;
use crate::diagnostics::{Skip, Stats, Warning};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::policy::{BaselineEntry, Policy};
use crate::rules::file_rules::{FileFacts, FileRule};
use crate::rules::scope::Scope;
use crate::source::archive::{self, ArchiveReader, Limits, MemberSink};
use crate::source::git;
use crate::source::media;
use crate::source::walk::{self, WalkOptions, WalkedFile};

/// The name standard input goes by in reports.
pub const STDIN_PATH: &str = "<stdin>";

/// What to scan and how.
#[derive(Debug, Default)]
pub struct ScanConfig {
    /// Files and directories to scan; `-` is standard input; empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan what is staged in the git index instead of `paths`.
    pub staged: bool,
    pub walk: WalkOptions,
    /// Globs of paths not to scan (the project config's `skip-paths`).
    pub skip_paths: Vec<String>,
    /// Allowlist and baseline.
    pub policy: Policy,
    /// What archives may cost.
    pub limits: Limits,
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
}

/// Counters for the end-of-scan summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Files and archive members read.
    pub files_scanned: u64,
    /// Archives opened (top-level and nested files counted as archives, not as files).
    pub archives: u64,
    /// Of `files_scanned`, how many were archive members.
    pub archive_members: u64,
    pub bytes_scanned: u64,
    pub duration_ms: u64,
    pub findings: FindingCounts,
    pub warnings: u64,
    pub skipped: SkipCounts,
    pub suppressed: SuppressedCounts,
    /// Baseline entries that no longer occur.
    pub baseline_stale: u64,
}

/// Findings a rule matched but the project accepts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuppressedCounts {
    /// On a line carrying a `sealant:allow` comment.
    pub inline: u64,
    /// Values allowlisted in the project config.
    pub allowlist: u64,
    /// Recorded in the baseline file.
    pub baseline: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
}

impl FindingCounts {
    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn add(&mut self, s: Severity) {
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

#[derive(Debug, Clone, Default, Serialize)]
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
    let started = Instant::now();
    let stats = Stats::default();
    let found: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let keep = |mut local: Vec<Finding>| {
        if !local.is_empty()
            && let Ok(mut all) = found.lock()
        {
            all.append(&mut local);
        }
    };
    let skip = Scope::new(&config.skip_paths, &[], &[], &[], "skip-paths")?;
    let baseline_paths = config.policy.baseline_paths();
    let mut ctx = FileContext {
        engine,
        stats: &stats,
        tracked: HashSet::new(),
        skip: (!config.skip_paths.is_empty()).then_some(skip),
        baseline_paths: &baseline_paths,
        seen_baseline_paths: Mutex::new(HashSet::new()),
        limits: config.limits,
        threads: config.walk.threads,
    };
    let mut notice = None;

    if config.staged {
        notice = scan_staged(&ctx, &keep)?;
    } else {
        let paths = if config.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            config.paths.clone()
        };
        let read_stdin = paths.iter().any(|p| p == Path::new("-"));
        let roots: Vec<PathBuf> = paths.into_iter().filter(|p| p != Path::new("-")).collect();
        for root in &roots {
            check_root(root)?;
        }
        if read_stdin {
            keep(ctx.scan_stdin());
        }
        ctx.tracked = tracked_files(engine, &roots);
        let ctx = &ctx;
        walk::walk(&roots, &config.walk, &stats, || {
            let mut scanner = BlobScanner::new(engine);
            let keep = &keep;
            move |file: WalkedFile<'_>| keep(ctx.scan_file(&mut scanner, file))
        });
    }

    let mut findings = found.into_inner().unwrap_or_default();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    let seen = ctx.seen_baseline_paths.into_inner().unwrap_or_default();
    let applied = config.policy.apply(&mut findings, &seen);
    let warnings = stats.take_warnings();
    let mut counts = FindingCounts::default();
    for f in &findings {
        counts.add(f.severity);
    }
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    let summary = Summary {
        files_scanned: load(&stats.files),
        archives: load(&stats.archives),
        archive_members: load(&stats.archive_members),
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
        },
        baseline_stale: applied.stale.len() as u64,
    };
    Ok(ScanOutcome {
        findings,
        warnings,
        summary,
        stale: applied.stale,
        notice,
    })
}

/// Scans what is staged in the index of the work tree around the current directory. Returns a
/// notice when nothing is staged.
fn scan_staged(ctx: &FileContext<'_>, keep: &dyn Fn(Vec<Finding>)) -> Result<Option<String>> {
    let Some(top) = git::toplevel(Path::new(".")) else {
        return Err(Error::new(
            "--staged scans the git index, but this is not inside a git work tree \
             (or git is not installed); run it from your repository, or scan paths instead",
        ));
    };
    let paths = git::staged_paths(&top)?;
    if paths.is_empty() {
        return Ok(Some(
            "nothing is staged (git add files first); nothing was scanned".to_string(),
        ));
    }
    let mut scanner = BlobScanner::new(ctx.engine);
    let yes = || true;
    git::read_staged(
        &top,
        &paths,
        &mut |file| {
            if media::has_media_extension(Path::new(file.path)) {
                ctx.stats.skip(Skip::Media);
                return;
            }
            let sibling = || top.join(file.path).with_extension("").is_file();
            // A staged file is one git is about to track.
            let (found, _) = ctx.scan_blob(
                &mut scanner,
                file.content,
                file.path.to_string(),
                Origin::Staged,
                &yes,
                &sibling,
            );
            keep(found);
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
    }
    Ok(())
}

/// What scanning one file needs besides the file.
struct FileContext<'a> {
    engine: &'a Engine,
    stats: &'a Stats,
    /// Canonical paths of files git tracks (only those file rules ask about).
    tracked: HashSet<PathBuf>,
    /// The project's `skip-paths`.
    skip: Option<Scope>,
    /// Paths the baseline mentions, and those of them this scan read.
    baseline_paths: &'a HashSet<String>,
    seen_baseline_paths: Mutex<HashSet<String>>,
    limits: Limits,
    /// Threads for the members of one zip.
    threads: usize,
}

impl FileContext<'_> {
    /// Scans one file found by the walk; problems become warnings in `stats`.
    fn scan_file(&self, scanner: &mut BlobScanner<'_>, file: WalkedFile<'_>) -> Vec<Finding> {
        if let Some(skip) = &self.skip
            && skip.applies(&Candidate::new(&file.shown), b"")
        {
            self.stats.skip(Skip::Config);
            return Vec::new();
        }
        let mut f = match walk::open_regular(file.path) {
            Ok(f) => f,
            Err(e) => {
                self.stats.warn(file.shown, open_error_message(&e));
                return Vec::new();
            }
        };
        let tracked = || {
            file.path
                .canonicalize()
                .is_ok_and(|p| self.tracked.contains(&p))
        };
        let sibling = || file.path.with_extension("").is_file();
        let origin = if file.explicit {
            Origin::Named
        } else {
            Origin::Found
        };
        let (found, archive) = self.scan_blob(
            scanner,
            &mut f,
            file.shown.clone(),
            origin,
            &tracked,
            &sibling,
        );
        let Some(kind) = archive else {
            return found;
        };
        use std::io::{Seek, SeekFrom};
        if let Err(e) = f.seek(SeekFrom::Start(0)) {
            self.stats
                .warn(file.shown, format!("cannot reread archive: {e}"));
            return found;
        }
        if kind == archive::Kind::Zip && self.threads > 1 {
            return self.scan_zip_parallel(scanner, file.path, &mut f, &file.shown);
        }
        self.scan_archive(scanner, &mut f, kind, &file.shown)
    }

    /// Opens an archive and scans its members (recursively); nothing is extracted to disk.
    fn scan_archive(
        &self,
        scanner: &mut BlobScanner<'_>,
        file: &mut std::fs::File,
        kind: archive::Kind,
        shown: &str,
    ) -> Vec<Finding> {
        self.stats
            .archives
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut sink = Members {
            ctx: self,
            scanner,
            found: Vec::new(),
        };
        ArchiveReader::new(self.limits, &mut sink).read_file(shown, kind, file);
        sink.found
    }

    /// Scans standard input: an archive piped in (`cat app.apk | sealant scan -`) is opened
    /// as a stream, anything else scanned as it comes.
    fn scan_stdin(&self) -> Vec<Finding> {
        use std::io::{BufRead, Read};
        let mut scanner = BlobScanner::new(self.engine);
        let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
        let head = match input.fill_buf() {
            Ok(head) => head,
            Err(e) => {
                self.stats.warn(STDIN_PATH, format!("read error: {e}"));
                return Vec::new();
            }
        };
        if let Some(kind) = archive::detect(head) {
            self.stats
                .archives
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut sink = Members {
                ctx: self,
                scanner: &mut scanner,
                found: Vec::new(),
            };
            let mut reader: &mut dyn Read = &mut input;
            ArchiveReader::new(self.limits, &mut sink).read_stream(STDIN_PATH, kind, &mut reader);
            return sink.found;
        }
        let no = || false;
        let (found, _) = self.scan_blob(
            &mut scanner,
            &mut input,
            STDIN_PATH.to_string(),
            Origin::Stdin,
            &no,
            &no,
        );
        found
    }

    /// A zip's central directory allows random access: members are inflated and scanned by
    /// several threads, each with its own handle on the file and every n-th member. Each part
    /// gets an equal share of the archive's limits.
    fn scan_zip_parallel(
        &self,
        scanner: &mut BlobScanner<'_>,
        fs_path: &Path,
        file: &mut std::fs::File,
        shown: &str,
    ) -> Vec<Finding> {
        self.stats
            .archives
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let parts = self.threads;
        let mut limits = self.limits;
        limits.max_archive_bytes /= parts as u64;
        limits.max_entries = limits.max_entries.div_ceil(parts as u64);
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..parts)
                .filter_map(|part| {
                    let mut f = walk::open_regular(fs_path).ok()?;
                    Some(scope.spawn(move || {
                        let mut scanner = BlobScanner::new(self.engine);
                        let mut sink = Members {
                            ctx: self,
                            scanner: &mut scanner,
                            found: Vec::new(),
                        };
                        ArchiveReader::new(limits, &mut sink)
                            .read_zip_part(shown, &mut f, part, parts);
                        sink.found
                    }))
                })
                .collect();
            let mut sink = Members {
                ctx: self,
                scanner,
                found: Vec::new(),
            };
            ArchiveReader::new(limits, &mut sink).read_zip_part(shown, file, 0, parts);
            let mut found = sink.found;
            for h in helpers {
                if let Ok(more) = h.join() {
                    found.extend(more);
                }
            }
            found
        })
    }

    /// Scans one blob shown as `shown`; `explicit` blobs are scanned even if they look like
    /// media. `tracked` and `sibling` answer file rules' questions about the blob's file.
    fn scan_blob(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn std::io::Read,
        shown: String,
        origin: Origin,
        tracked: &dyn Fn() -> bool,
        sibling: &dyn Fn() -> bool,
    ) -> (Vec<Finding>, Option<archive::Kind>) {
        let mut local = Vec::new();
        let path: Arc<str> = Arc::from(shown);
        if origin == Origin::Member && media::has_media_extension(Path::new(path.as_ref())) {
            self.stats.skip(Skip::Media);
            return (local, None);
        }
        let skip_media = |head: &[u8]| origin.skips_media() && media::has_media_magic(head);
        let outcome = scanner.scan(
            reader,
            &path,
            &skip_media,
            origin.opens_archives(),
            &mut local,
        );
        if outcome.archive.is_some() {
            return (local, outcome.archive);
        }
        if outcome.skipped {
            self.stats.skip(Skip::Media);
            return (local, None);
        }
        self.stats.scanned(outcome.bytes);
        self.stats.allowed_inline(outcome.allowed_inline);
        if let Some(note) = outcome.note {
            self.stats.warn(path.to_string(), note);
        }
        if let Some(e) = outcome.error {
            self.stats.warn(
                path.to_string(),
                format!("read error after {} bytes: {e}", outcome.bytes),
            );
        }
        if self.baseline_paths.contains(path.as_ref())
            && let Ok(mut seen) = self.seen_baseline_paths.lock()
        {
            seen.insert(path.to_string());
        }
        let facts = FileFacts {
            path: &path,
            exposure: outcome.exposure,
            in_archive: origin == Origin::Member,
            tracked,
            sibling_exists: sibling,
        };
        self.check_file_rules(&path, &facts, scanner.file_rule_candidates(), &mut local);
        (local, None)
    }

    /// Findings about the file itself: its name and place.
    fn check_file_rules(
        &self,
        path: &Arc<str>,
        facts: &FileFacts<'_>,
        candidates: &[u32],
        out: &mut Vec<Finding>,
    ) {
        if candidates.is_empty() {
            return;
        }
        // Globs look at an archive member's own path, after the last `!`.
        let inner = path.rsplit('!').next().unwrap_or(path);
        let candidate = Candidate::new(inner);
        let exposure = facts.exposure;
        for &i in candidates {
            let rule = &self.engine.file_rules()[i as usize];
            if let Some(severity) = rule.check(&candidate, true, facts) {
                out.push(rule.finding(severity, Arc::clone(path), exposure));
            }
        }
    }
}

/// Where a blob came from, for what may be skipped and what file rules may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A file named on the command line: scanned whatever it looks like.
    Named,
    /// A file found by the walk.
    Found,
    /// Standard input.
    Stdin,
    /// A blob in the git index.
    Staged,
    /// A member of an archive.
    Member,
}

impl Origin {
    /// Images and fonts are passed over unless the user named them.
    fn skips_media(self) -> bool {
        !matches!(self, Origin::Named | Origin::Stdin)
    }

    /// Files on disk are opened as archives when they are ones (members were already looked
    /// at by the archive reader; streams cannot be reread).
    fn opens_archives(self) -> bool {
        matches!(self, Origin::Named | Origin::Found)
    }
}

/// Hands archive members to the blob scanner.
struct Members<'c, 's, 'e> {
    ctx: &'c FileContext<'c>,
    scanner: &'s mut BlobScanner<'e>,
    found: Vec<Finding>,
}

impl MemberSink for Members<'_, '_, '_> {
    fn member(&mut self, path: &str, content: &mut dyn std::io::Read) {
        let no = || false;
        let (found, _) = self.ctx.scan_blob(
            self.scanner,
            content,
            path.to_string(),
            Origin::Member,
            &no,
            &no,
        );
        self.ctx
            .stats
            .archive_members
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.found.extend(found);
    }

    fn warn(&mut self, path: &str, message: String) {
        self.ctx.stats.warn(path, message);
    }
}

fn open_error_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "vanished during the scan; not read".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied; not read".to_string(),
        _ => format!("cannot open: {e}; not read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn a_file_that_vanished_is_a_warning() {
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let mut scanner = BlobScanner::new(&engine);
        let stats = Stats::default();
        let none = HashSet::new();
        let ctx = FileContext {
            engine: &engine,
            stats: &stats,
            tracked: HashSet::new(),
            skip: None,
            baseline_paths: &none,
            seen_baseline_paths: Mutex::new(HashSet::new()),
            limits: Limits::default(),
            threads: 1,
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone.env");
        let found = ctx.scan_file(
            &mut scanner,
            WalkedFile {
                path: &gone,
                shown: "gone.env".to_string(),
                explicit: false,
            },
        );
        assert!(found.is_empty());
        let warnings = stats.take_warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].path, "gone.env");
        assert!(
            warnings[0].message.contains("vanished"),
            "{:?}",
            warnings[0]
        );
        assert_eq!(stats.files.load(std::sync::atomic::Ordering::Relaxed), 0);
    }
}
