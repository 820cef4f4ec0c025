//! Scanning one blob of a scan — a file from the walk, an archive and its members, standard
//! input, a staged blob — and the findings about a file's name and place (file rules).

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::Candidate;

use crate::blob::BlobScanner;
use crate::diagnostics::{Skip, Stats};
use crate::engine::Engine;
use crate::finding::Finding;
use crate::rules::file_rules::FileFacts;
use crate::rules::scope::Scope;
use crate::scan::STDIN_PATH;
use crate::source::archive::{self, ArchiveReader, Limits, MemberSink};
use crate::source::media;
use crate::source::root::BlobName;
use crate::source::walk::{self, WalkedFile};

/// Blobs from git up to this size are held in memory when they are archives (random access
/// for zips); larger archives are read as streams.
pub(super) const IN_MEMORY_ARCHIVE: u64 = 64 * 1024 * 1024;

/// What scanning one file needs besides the file.
pub(super) struct FileContext<'a> {
    pub(super) engine: &'a Engine,
    /// The allowlist and baselines (for findings counted past the listing bounds).
    pub(super) policy: &'a crate::policy::Policy,
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
    pub(super) shard: Option<crate::source::shard::Shard>,
}

impl FileContext<'_> {
    /// Scans one file found by the walk; problems become warnings in `stats`.
    pub(super) fn scan_file(
        &self,
        scanner: &mut BlobScanner<'_>,
        file: WalkedFile<'_>,
    ) -> Vec<Finding> {
        // Another part's file: not opened, not counted.
        if !crate::source::shard::takes(self.shard, &file.name.canonical) {
            return Vec::new();
        }
        if let Some(skip) = &self.skip
            && skip.applies(&Candidate::new(file.name.canonical.as_ref()), b"")
        {
            self.stats.skip(Skip::Config);
            return Vec::new();
        }
        let mut f = match walk::open_regular(file.path) {
            Ok(f) => f,
            Err(e) => {
                self.stats
                    .warn(file.name.shown.as_ref(), open_error_message(&e));
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
        // At most what the file held when it was opened (a file that keeps growing is not read
        // for ever), and at most --max-filesize.
        let size = f.metadata().map_or(u64::MAX, |m| m.len());
        let limit = size.min(self.limits.max_file_bytes);
        let (found, archive) = {
            let mut part = (&mut f).take(limit);
            self.scan_blob(scanner, &mut part, &file.name, origin, &tracked, &sibling)
        };
        let Some(kind) = archive else {
            let shown = file.name.shown.as_ref();
            if size > limit {
                self.stats.warn(
                    shown,
                    format!(
                        "{size} bytes, larger than --max-filesize: only the first {limit} bytes \
                         were scanned"
                    ),
                );
            } else if f.read(&mut [0u8; 1]).is_ok_and(|n| n > 0) {
                self.stats.warn(
                    shown,
                    format!(
                        "grew while it was scanned: the {size} bytes it held when opened were \
                         scanned, not what was added"
                    ),
                );
            }
            return found;
        };
        use std::io::{Seek, SeekFrom};
        if let Err(e) = f.seek(SeekFrom::Start(0)) {
            self.stats.warn(
                file.name.shown.as_ref(),
                format!("cannot reread archive: {e}"),
            );
            return found;
        }
        if kind == archive::Kind::Zip && self.threads > 1 {
            return self.scan_zip_parallel(scanner, file.path, &mut f, &file.name);
        }
        self.scan_archive(scanner, &mut f, kind, &file.name)
    }

    /// Runs `read` over an archive reader whose members go to `scanner`; returns their
    /// findings. Every way of opening an archive goes through here.
    fn read_archive(
        &self,
        scanner: &mut BlobScanner<'_>,
        outer: &BlobName,
        limits: Limits,
        read: impl FnOnce(&mut ArchiveReader<'_>),
    ) -> (Vec<Finding>, ReadCounts) {
        let mut sink = Members {
            ctx: self,
            scanner,
            outer,
            found: Vec::new(),
        };
        let mut reader = ArchiveReader::new(limits, &mut sink);
        read(&mut reader);
        let (members, warnings) = reader.counts();
        (sink.found, ReadCounts { members, warnings })
    }

    /// Scans the raw bytes of a blob whose archive magic led to no readable member (a text
    /// file that happens to start with `PK\x03\x04`, a corrupt archive): what it holds is still
    /// looked at, with a warning.
    fn scan_not_archive(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn Read,
        kind: archive::Kind,
        name: &BlobName,
    ) -> Vec<Finding> {
        self.stats.warn(
            name.shown.as_ref(),
            format!("starts like a {kind:?} archive but no member could be read; scanned as it is"),
        );
        let no = || false;
        let (found, _) = self.scan_blob(scanner, reader, name, Origin::NotArchive, &no, &no);
        found
    }

    fn count_archive(&self) {
        self.stats
            .archives
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Opens an archive and scans its members (recursively); nothing is extracted to disk.
    fn scan_archive(
        &self,
        scanner: &mut BlobScanner<'_>,
        file: &mut std::fs::File,
        kind: archive::Kind,
        name: &BlobName,
    ) -> Vec<Finding> {
        self.count_archive();
        let (found, read) = self.read_archive(scanner, name, self.limits, |r| {
            r.read_file(&name.shown, kind, file)
        });
        if !read.nothing() {
            return found;
        }
        use std::io::{Seek, SeekFrom};
        if file.seek(SeekFrom::Start(0)).is_err() {
            return found;
        }
        let mut raw = file.take(self.limits.max_file_bytes);
        let mut all = found;
        all.extend(self.scan_not_archive(scanner, &mut raw, kind, name));
        all
    }

    /// Opens an archive held in memory (a staged blob) and scans its members.
    pub(super) fn scan_archive_bytes(
        &self,
        scanner: &mut BlobScanner<'_>,
        data: &[u8],
        kind: archive::Kind,
        name: &BlobName,
    ) -> Vec<Finding> {
        self.count_archive();
        let (mut found, read) = self.read_archive(scanner, name, self.limits, |r| {
            r.read_bytes(&name.shown, kind, data)
        });
        if read.nothing() {
            found.extend(self.scan_not_archive(scanner, &mut &data[..], kind, name));
        }
        found
    }

    /// Scans a blob from git's object store (the index, or history): the blob's first bytes
    /// decide whether it is an archive, opened from memory up to `IN_MEMORY_ARCHIVE` (as a
    /// stream past it); anything else is scanned as it streams. git tracks it, so file rules
    /// about tracked files apply.
    pub(super) fn scan_git_blob(
        &self,
        scanner: &mut BlobScanner<'_>,
        name: &BlobName,
        size: u64,
        content: &mut dyn Read,
        sibling: &dyn Fn() -> bool,
    ) -> Vec<Finding> {
        if media::has_media_extension(Path::new(name.canonical.as_ref())) {
            self.stats.skip(Skip::Media);
            return Vec::new();
        }
        let mut head = Vec::with_capacity(512);
        if let Err(e) = content.take(512).read_to_end(&mut head) {
            self.stats
                .warn(name.shown.as_ref(), format!("cannot read from git: {e}"));
            return Vec::new();
        }
        let mut rest = std::io::Cursor::new(head).chain(content);
        if let Some(kind) = archive::detect(rest.get_ref().0.get_ref()) {
            if size > IN_MEMORY_ARCHIVE {
                self.count_archive();
                // A stream cannot be reread: what could not be read is in the warnings.
                return self
                    .read_archive(scanner, name, self.limits, |r| {
                        r.read_stream(&name.shown, kind, &mut rest)
                    })
                    .0;
            }
            let mut data = Vec::new();
            if let Err(e) = rest.read_to_end(&mut data) {
                self.stats
                    .warn(name.shown.as_ref(), format!("cannot read from git: {e}"));
                return Vec::new();
            }
            return self.scan_archive_bytes(scanner, &data, kind, name);
        }
        let yes = || true;
        let (found, _) = self.scan_blob(scanner, &mut rest, name, Origin::Git, &yes, sibling);
        found
    }

    /// Scans a commit or tag message (not counted as a file).
    pub(super) fn scan_message(
        &self,
        scanner: &mut BlobScanner<'_>,
        name: &BlobName,
        body: &[u8],
    ) -> Vec<Finding> {
        let no = || false;
        let (found, _) = self.scan_blob(scanner, &mut &body[..], name, Origin::Message, &no, &no);
        found
    }

    /// Scans standard input: an archive piped in (`cat app.apk | sealant scan -`) is opened
    /// as a stream, anything else scanned as it comes.
    pub(super) fn scan_stdin(&self) -> Vec<Finding> {
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
        let name = BlobName::plain(STDIN_PATH);
        if let Some(kind) = archive::detect(head) {
            self.count_archive();
            let mut reader: &mut dyn Read = &mut input;
            return self
                .read_archive(&mut scanner, &name, self.limits, |r| {
                    r.read_stream(STDIN_PATH, kind, &mut reader)
                })
                .0;
        }
        let no = || false;
        let (found, _) = self.scan_blob(&mut scanner, &mut input, &name, Origin::Stdin, &no, &no);
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
        name: &BlobName,
    ) -> Vec<Finding> {
        self.count_archive();
        let shown: &str = &name.shown;
        let parts = self.threads;
        let mut limits = self.limits;
        limits.max_archive_bytes /= parts as u64;
        limits.max_entries = limits.max_entries.div_ceil(parts as u64);
        std::thread::scope(|scope| {
            let mut helpers = Vec::new();
            // Parts whose helper cannot open the file are read here instead: none is skipped.
            let mut own_parts = vec![0];
            for part in 1..parts {
                match walk::open_regular(fs_path) {
                    Ok(mut f) => helpers.push(scope.spawn(move || {
                        let mut scanner = BlobScanner::new(self.engine);
                        self.read_archive(&mut scanner, name, limits, |r| {
                            r.read_zip_part(shown, &mut f, part, parts)
                        })
                    })),
                    Err(_) => own_parts.push(part),
                }
            }
            let mut found = Vec::new();
            let mut read = ReadCounts::default();
            for part in own_parts {
                let (more, counts) = self.read_archive(scanner, name, limits, |r| {
                    r.read_zip_part(shown, file, part, parts)
                });
                found.extend(more);
                read.add(counts);
            }
            for h in helpers {
                match h.join() {
                    Ok((more, counts)) => {
                        found.extend(more);
                        read.add(counts);
                    }
                    Err(_) => {
                        read.warnings += 1;
                        read.members += 1; // unknown: not taken for "nothing read"
                        self.stats.warn(
                            shown,
                            "a reader thread failed; part of this zip was not scanned",
                        );
                    }
                }
            }
            if read.nothing() {
                use std::io::{Seek, SeekFrom};
                if file.seek(SeekFrom::Start(0)).is_ok() {
                    let mut raw = file.take(self.limits.max_file_bytes);
                    found.extend(self.scan_not_archive(
                        scanner,
                        &mut raw,
                        archive::Kind::Zip,
                        name,
                    ));
                }
            }
            found
        })
    }

    /// Scans one blob named `name`; `explicit` blobs are scanned even if they look like
    /// media. `tracked` and `sibling` answer file rules' questions about the blob's file.
    pub(super) fn scan_blob(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn std::io::Read,
        name: &BlobName,
        origin: Origin,
        tracked: &dyn Fn() -> bool,
        sibling: &dyn Fn() -> bool,
    ) -> (Vec<Finding>, Option<archive::Kind>) {
        let mut local = Vec::new();
        let path: &Arc<str> = &name.shown;
        if origin == Origin::Member && media::has_media_extension(Path::new(path.as_ref())) {
            self.stats.skip(Skip::Media);
            return (local, None);
        }
        // By content, only a file whose name says nothing (no dot at all: a renamed image) is
        // taken for media: a `.env` or `notes.txt` that starts like an MP3 tag is still read.
        let file_name = path.rsplit(['/', '!']).next().unwrap_or(path);
        let nameless = !file_name.contains('.');
        let skip_media =
            |head: &[u8]| origin.skips_media() && nameless && media::has_media_magic(head);
        let outcome = scanner.scan(
            reader,
            name,
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
        if origin == Origin::Message {
            self.stats
                .messages
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            self.stats.scanned(outcome.bytes);
            // Members counted as they are scanned: a skipped one (media) is no scanned file.
            if origin == Origin::Member {
                self.stats
                    .archive_members
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        self.check_file_rules(name, &facts, scanner.file_rule_candidates(), &mut local);
        (local, None)
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
                out.push(rule.finding(severity, name, exposure));
            }
        }
    }
}

/// Where a blob came from, for what may be skipped and what file rules may ask.
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
}

impl Origin {
    /// Images and fonts are passed over unless the user named them.
    fn skips_media(self) -> bool {
        !matches!(self, Origin::Named | Origin::Stdin | Origin::Message)
    }

    /// Files on disk are opened as archives when they are ones (members were already looked
    /// at by the archive reader; streams cannot be reread).
    fn opens_archives(self) -> bool {
        matches!(self, Origin::Named | Origin::Found)
    }
}

/// What reading an archive delivered: members, and problems reported.
#[derive(Debug, Default, Clone, Copy)]
struct ReadCounts {
    members: u64,
    warnings: u64,
}

impl ReadCounts {
    /// No member and a problem: the blob's archive magic led nowhere (an empty archive is
    /// no failure).
    fn nothing(self) -> bool {
        self.members == 0 && self.warnings > 0
    }

    fn add(&mut self, other: ReadCounts) {
        self.members += other.members;
        self.warnings += other.warnings;
    }
}

/// Hands archive members to the blob scanner.
struct Members<'c, 's, 'e> {
    ctx: &'c FileContext<'c>,
    scanner: &'s mut BlobScanner<'e>,
    /// The top-level archive: members' canonical names extend its canonical name.
    outer: &'c BlobName,
    found: Vec<Finding>,
}

impl MemberSink for Members<'_, '_, '_> {
    fn member(&mut self, path: &str, content: &mut dyn std::io::Read) {
        let no = || false;
        let (found, _) = self.ctx.scan_blob(
            self.scanner,
            content,
            &self.outer.member(path),
            Origin::Member,
            &no,
            &no,
        );
        // An archive of many members full of keys costs counts, not memory.
        if self.found.len() + found.len() > super::MAX_LISTED_PER_ARCHIVE {
            let bound = super::MAX_LISTED_PER_ARCHIVE;
            let outer: &str = &self.outer.shown;
            super::count_unlisted(self.ctx.stats, self.ctx.policy, found, bound, outer);
        } else {
            self.found.extend(found);
        }
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
        let policy = crate::policy::Policy::default();
        let ctx = FileContext {
            engine: &engine,
            policy: &policy,
            stats: &stats,
            tracked: HashSet::new(),
            skip: None,
            baseline_paths: &none,
            seen_baseline_paths: Mutex::new(HashSet::new()),
            limits: Limits::default(),
            threads: 1,
            shard: None,
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone.env");
        let found = ctx.scan_file(
            &mut scanner,
            WalkedFile {
                path: &gone,
                name: BlobName::plain("gone.env"),
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
