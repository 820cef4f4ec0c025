//! A whole scan: standard input, the filesystem walk, the git index or git history feed blobs
//! to blob scanners (one per thread); every finding settles through the project's policy and
//! is gathered with warnings and counters into a [`ScanOutcome`] in a deterministic order.
//!
//! `blob` scans one blob in chunks; `context` scans a blob of known origin (counters, file
//! rules); `archive` decides whether a blob is an archive and opens it; `disk`, `git` and
//! `history` are the origins; `settle` orders, de-duplicates and applies the policy.

mod archive;
pub mod blob;
mod chunk;
mod context;
mod disk;
mod encoded;
mod git;
mod history;
mod history_queue;
mod ignored;
mod probe;
pub mod settle;
mod views;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

pub use history::HistoryConfig;

use crate::diagnostics::Stats;
use crate::engine::Engine;
use crate::error::Result;
use crate::finding::{Finding, FindingCounts};
use crate::outcome::{Coverage, ScanOutcome, SkipCounts, Summary, SuppressedCounts};
use crate::policy::Policy;
use crate::policy::inline::AllowMarkers;
use crate::rules::scope::Scope;
use crate::source::archive::limits::Limits;
use crate::source::root::Root;
use crate::source::shard::Shard;
use crate::source::walk::{self, WalkOptions, WalkedFile};
pub use crate::source::web::ProbeConfig;
use context::FileContext;
use settle::{MAX_LISTED, count_unlisted, settle};

/// What to scan and how.
#[derive(Debug, Default)]
pub struct ScanConfig {
    /// Files and directories to scan; `-` is standard input; empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan what is staged in the git index instead of `paths`.
    pub staged: bool,
    /// Scan git history instead of `paths`.
    pub history: Option<HistoryConfig>,
    /// Probe deployed sites instead of `paths` (`sealant probe`).
    pub probe: Option<ProbeConfig>,
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
    /// Comment markers that accept a finding on their line (`sealant:allow`).
    pub allow_markers: AllowMarkers,
    /// What archives may cost.
    pub limits: Limits,
    /// Draw progress on stderr: `Some(false)` when it is a terminal, `Some(true)` always.
    pub progress: Option<bool>,
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
        s.spawn(move || crate::progress::run(stats, stop, always));
        scan_with(config, engine, stats, sink)
    })
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
    let listed = AtomicUsize::new(0);
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
            settle(&mut batch, &config.policy, &HashSet::new());
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
        allow: &config.allow_markers,
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
    let mut ignored_count = 0;

    let mut commits = 0;
    if let Some(p) = &config.probe {
        notice = ctx.scan_site(p, &keep)?;
    } else if let Some(h) = &config.history {
        let counts = history::scan_history(&ctx, h, &keep)?;
        commits = counts.commits;
        notice = counts.notice;
    } else if config.staged {
        notice = ctx.scan_staged(&config.paths, &keep)?;
    } else {
        let paths = if config.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            config.paths.clone()
        };
        let read_stdin = paths.iter().any(|p| p == Path::new("-"));
        let given: Vec<PathBuf> = paths.into_iter().filter(|p| p != Path::new("-")).collect();
        for root in &given {
            disk::check_root(root)?;
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
        ctx.tracked = disk::tracked_files(engine, &given);
        let ctx = &ctx;
        // What git ignores is asked beside the walk (one part of a sharded scan counts it).
        let counts_ignored = config.shard.is_none_or(|s| s.index == 1);
        let left_out = std::thread::scope(|s| {
            let left_out =
                counts_ignored.then(|| s.spawn(|| ignored::left_out(&given, &config.walk)));
            let walked = walk::walk(&roots, &config.walk, stats, || {
                let mut scanner = ctx.scanner();
                let keep = &keep;
                move |file: WalkedFile<'_>| keep(ctx.scan_file(&mut scanner, file))
            });
            walked.map(|_| left_out.and_then(|h| h.join().ok()))
        })?;
        if let Some((n, built)) = left_out {
            ignored_count = n;
            notice = built;
        }
    }

    let mut findings = found.into_inner().unwrap_or_default();
    let seen = ctx.seen_baseline_paths.into_inner().unwrap_or_default();
    let applied = settle(&mut findings, &config.policy, &seen);
    let warnings = stats.take_warnings();
    let mut counts = FindingCounts::of(&findings);
    let unlisted = stats.unlisted.lock().map(|u| u.clone()).unwrap_or_default();
    counts.merge(&unlisted);
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let summary = Summary {
        files_scanned: load(&stats.files),
        archives: load(&stats.archives),
        archive_members: load(&stats.archive_members),
        containers: (stats
            .containers
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
            .into_iter())
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        unopened: load(&stats.unopened),
        commits,
        requests: load(&stats.requests),
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
            ignored: ignored_count,
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
        root: std::env::current_dir()
            .ok()
            .map(|d| d.to_string_lossy().into_owned()),
        coverage: Some(coverage(config, engine)),
    })
}

/// What this scan reads, under which rules and limits.
fn coverage(config: &ScanConfig, engine: &Engine) -> Coverage {
    let targets = if let Some(p) = &config.probe {
        let mut t: Vec<String> = p.urls.iter().map(|u| format!("site: {u}")).collect();
        if p.well_known {
            t.push("well-known exposure paths (rules/probe/site.toml)".to_string());
        }
        t
    } else if let Some(h) = &config.history {
        let what = if h.revs.is_empty() {
            "every ref".to_string()
        } else {
            h.revs.join(" ")
        };
        let unreachable = if h.all_objects {
            ", and objects no ref reaches"
        } else {
            ""
        };
        vec![format!("git history: {what}{unreachable}")]
    } else if config.staged {
        vec!["staged changes (the git index)".to_string()]
    } else if config.paths.is_empty() {
        vec![".".to_string()]
    } else {
        (config.paths.iter())
            .map(|p| match p.to_string_lossy() {
                p if p == "-" => "standard input".to_string(),
                p => p.into_owned(),
            })
            .collect()
    };
    let l = &config.limits;
    let size = crate::words::size;
    let mut limits = vec![
        ("max-filesize", size(l.max_file_bytes)),
        ("max-archive-depth", l.max_depth.to_string()),
        ("max-entry-bytes", size(l.max_entry_bytes)),
        ("max-archive-bytes", size(l.max_archive_bytes)),
        ("max-archive-entries", l.max_entries.to_string()),
        ("max-inflate-ratio", l.max_inflate_ratio.to_string()),
        ("max-decode-depth", l.max_decode_depth.to_string()),
    ];
    if let Some(p) = &config.probe {
        limits.extend([
            ("max-requests", p.max_requests.to_string()),
            ("max-response", size(p.max_response)),
            ("timeout", format!("{}s", p.timeout.as_secs_f64())),
        ]);
    }
    Coverage {
        targets,
        catalog: crate::rules::builtin::catalog_version(),
        rules: (engine.rules().len() + engine.file_rules().len()) as u64,
        limits: limits
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
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
