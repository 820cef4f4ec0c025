//! What scanning one blob of a scan needs besides the blob ([`FileContext`]: the engine, the
//! allow markers, the counters, the limits, the part of the work), and the scan of one blob
//! once its origin is known: the blob scanner's findings, the counters, and the findings about
//! the file's name and place (file rules). Hands on the blob's findings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use globset::Candidate;

use crate::diagnostics::{Skip, Stats};
use crate::engine::Engine;
use crate::exposure::Exposure;
use crate::finding::{Finding, Severity, remediation_for};
use crate::policy::Policy;
use crate::policy::inline::AllowMarkers;
use crate::rules::file_rules::{FileFacts, FileRule};
use crate::rules::scope::Scope;
use crate::scan::blob::BlobScanner;
use crate::source::archive::limits::Limits;
use crate::source::media;
use crate::source::root::BlobName;
use crate::source::shard::Shard;

/// What scanning one file needs besides the file.
pub(super) struct FileContext<'a> {
    pub(super) engine: &'a Engine,
    /// Comment markers that accept a finding on their line.
    pub(super) allow: &'a AllowMarkers,
    /// The allowlist and baselines (for findings counted past the listing bounds).
    pub(super) policy: &'a Policy,
    pub(super) stats: &'a Stats,
    /// Canonical paths of files git tracks (only those file rules ask about).
    pub(super) tracked: HashSet<PathBuf>,
    /// The project's `skip-paths` (matched on canonical paths).
    pub(super) skip: Option<Scope>,
    /// Paths the baseline mentions, and those of them this scan read.
    pub(super) baseline_paths: &'a HashSet<String>,
    pub(super) seen_baseline_paths: Mutex<HashSet<String>>,
    pub(super) limits: Limits,
    /// Threads for the members of one zip.
    pub(super) threads: usize,
    /// The part of the work this scan does (`--shard K/N`).
    pub(super) shard: Option<Shard>,
}

/// Where a blob came from, for what may be skipped, whether it may be an archive, and what
/// file rules may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A file named on the command line: scanned whatever it looks like.
    Named,
    /// A file found by the walk.
    Found,
    /// Standard input.
    Stdin,
    /// A blob in git's object store: the index, or history.
    Git,
    /// A member of an archive.
    Member,
    /// A commit or tag message.
    Message,
    /// A blob that starts like an archive but is none, scanned as it is.
    NotArchive,
    /// A body fetched from a deployed site (`sealant probe`): the site checks, not the file
    /// rules, judge its path.
    Fetched,
}

impl Origin {
    /// Images and fonts are passed over unless the user named them.
    fn skips_media(self) -> bool {
        !matches!(self, Origin::Named | Origin::Stdin | Origin::Message)
    }

    /// Whether a blob from here is opened as an archive when it is one (archive members were
    /// already looked at by the archive reader; a message never is one).
    pub(super) fn opens_archives(self) -> bool {
        matches!(
            self,
            Origin::Named | Origin::Found | Origin::Stdin | Origin::Git | Origin::Fetched
        )
    }
}

impl<'a> FileContext<'a> {
    /// A blob scanner for one thread.
    pub(super) fn scanner(&self) -> BlobScanner<'a> {
        let mut scanner = BlobScanner::new(self.engine, self.allow);
        scanner.set_decode_depth(self.limits.max_decode_depth);
        scanner
    }

    /// Counts an archive opened.
    pub(super) fn count_archive(&self) {
        self.stats.archives.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether a blob of `origin` named `name` is passed over for its extension (a member or a
    /// git blob named like an image); counted.
    pub(super) fn skip_by_extension(&self, origin: Origin, name: &BlobName) -> bool {
        let path = match origin {
            Origin::Member => name.shown.as_ref(),
            Origin::Git => name.canonical.as_ref(),
            _ => return false,
        };
        let skip = media::has_media_extension(Path::new(path));
        if skip {
            self.stats.skip(Skip::Media);
        }
        skip
    }

    /// Scans one blob named `name` whose first chunk `scanner` has read (see
    /// [`BlobScanner::start`]); `tracked` and `sibling` answer file rules' questions about the
    /// blob's file.
    pub(super) fn scan_started(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn std::io::Read,
        name: &BlobName,
        origin: Origin,
        tracked: &dyn Fn() -> bool,
        sibling: &dyn Fn() -> bool,
    ) -> Vec<Finding> {
        let mut local = Vec::new();
        let path: &Arc<str> = &name.shown;
        // By content, only a file whose name says nothing (no dot at all: a renamed image) is
        // taken for media: a `.env` or `notes.txt` that starts like an MP3 tag is still read.
        let file_name = path.rsplit(['/', '!']).next().unwrap_or(path);
        let nameless = !file_name.contains('.');
        let skip_media =
            |head: &[u8]| origin.skips_media() && nameless && media::has_media_magic(head);
        let outcome = scanner.scan_started(reader, name, &skip_media, &mut local);
        if outcome.skipped {
            self.stats.skip(Skip::Media);
            return local;
        }
        if origin == Origin::Message {
            self.stats.messages.fetch_add(1, Ordering::Relaxed);
        } else {
            self.stats.scanned(outcome.bytes);
            // Members counted as they are scanned: a skipped one (media) is no scanned file.
            if origin == Origin::Member {
                self.stats.archive_members.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.stats.allowed_inline(outcome.allowed_inline);
        if outcome.unlisted.total() > 0
            && let Ok(mut unlisted) = self.stats.unlisted.lock()
        {
            unlisted.merge(&outcome.unlisted);
        }
        self.stats.filtered(outcome.filtered);
        if let Some(note) = outcome.note {
            self.stats.warn(path.to_string(), note);
        }
        if let Some(e) = outcome.error {
            self.stats.warn(
                path.to_string(),
                format!("read error after {} bytes: {e}", outcome.bytes),
            );
        }
        if self.baseline_paths.contains(name.canonical.as_ref())
            && let Ok(mut seen) = self.seen_baseline_paths.lock()
        {
            seen.insert(name.canonical.to_string());
        }
        let facts = FileFacts {
            path: &name.canonical,
            exposure: outcome.exposure,
            in_archive: origin == Origin::Member,
            tracked,
            sibling_exists: sibling,
        };
        if origin != Origin::Fetched {
            self.check_file_rules(name, &facts, scanner.file_rule_candidates(), &mut local);
        }
        local
    }

    /// [`Self::scan_started`] for a blob not yet started.
    pub(super) fn scan_blob(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn std::io::Read,
        name: &BlobName,
        origin: Origin,
    ) -> Vec<Finding> {
        let no = || false;
        scanner.start(reader);
        self.scan_started(scanner, reader, name, origin, &no, &no)
    }

    /// Findings about the file itself: its name and place.
    fn check_file_rules(
        &self,
        name: &BlobName,
        facts: &FileFacts<'_>,
        candidates: &[u32],
        out: &mut Vec<Finding>,
    ) {
        if candidates.is_empty() {
            return;
        }
        // Globs look at an archive member's own path, after the last `!`.
        let canonical: &str = &name.canonical;
        let inner = canonical.rsplit('!').next().unwrap_or(canonical);
        let candidate = Candidate::new(inner);
        let exposure = facts.exposure;
        for &i in candidates {
            let rule = &self.engine.file_rules()[i as usize];
            if let Some(severity) = rule.check(&candidate, true, facts) {
                out.push(file_finding(rule, severity, name, exposure));
            }
        }
    }
}

/// The finding for a file a file rule reports: it points at the file's start and has no secret
/// of its own (what the file holds is reported by content rules).
fn file_finding(
    rule: &FileRule,
    severity: Severity,
    name: &BlobName,
    exposure: Exposure,
) -> Finding {
    Finding::about_file(
        &rule.id,
        &rule.title,
        severity,
        rule.confidence,
        &remediation_for(severity, exposure, true, &rule.remediation),
        &name.shown,
        &name.canonical,
        exposure,
    )
}
