//! Archives within a scan: the one place a blob is judged an archive ([`FileContext::scan_input`],
//! by the first chunk the blob scanner read, whatever the blob's origin), opening it from a
//! file, from memory or as a stream (a zip on disk by several threads at once), and handing
//! its members back to the blob scanner. A blob whose archive magic leads to no member is
//! scanned as it is, with a warning. Hands on the members' findings.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::finding::Finding;
use crate::scan::blob::BlobScanner;
use crate::scan::context::{FileContext, Origin};
use crate::scan::settle::{MAX_LISTED_PER_ARCHIVE, count_unlisted};
use crate::source::archive::detect::{HEAD_LEN, Kind, detect};
use crate::source::archive::limits::Limits;
use crate::source::archive::{ArchiveReader, MemberSink};
use crate::source::root::BlobName;
use crate::source::walk;

/// Blobs from git up to this size are held in memory when they are archives (random access
/// for zips); larger archives are read as streams.
pub(super) const IN_MEMORY_ARCHIVE: u64 = 64 * 1024 * 1024;

/// A blob to scan, as its origin delivers it.
pub(super) enum Input<'i> {
    /// A file on disk (seekable: an archive is reread from its start), read up to `limit`.
    File {
        file: &'i mut std::fs::File,
        path: &'i Path,
        limit: u64,
    },
    /// A blob from git's object store, `size` bytes.
    Git {
        content: &'i mut dyn Read,
        size: u64,
    },
    /// A stream that cannot be reread (standard input).
    Stream(&'i mut dyn Read),
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

impl FileContext<'_> {
    /// Scans one blob from any origin: its first chunk decides whether it is an archive (the
    /// one place this is decided), which is then opened; anything else is scanned as it
    /// streams. `tracked` and `sibling` answer file rules' questions about the blob's file.
    /// Returns the findings, and whether the blob was opened as an archive.
    pub(super) fn scan_input(
        &self,
        scanner: &mut BlobScanner<'_>,
        input: Input<'_>,
        name: &BlobName,
        origin: Origin,
        tracked: &dyn Fn() -> bool,
        sibling: &dyn Fn() -> bool,
    ) -> (Vec<Finding>, bool) {
        if self.skip_by_extension(origin, name) {
            return (Vec::new(), false);
        }
        match input {
            Input::File { file, path, limit } => {
                let mut part = (&mut *file).take(limit);
                scanner.start(&mut part);
                let Some(kind) = self.archive_kind(scanner, origin, name) else {
                    // A self-extracting installer: a script or executable with a zip appended.
                    let sfx = embedded_zip_candidate(scanner.head());
                    let mut found =
                        self.scan_started(scanner, &mut part, name, origin, tracked, sibling);
                    if sfx && origin.opens_archives() && has_zip_end(file) {
                        found.extend(self.scan_archive_file(scanner, file, Kind::Zip, name));
                        // Where the scan of the file itself left it (its growth is judged there).
                        let _ = file.seek(SeekFrom::Start(limit));
                    }
                    return (found, false);
                };
                scanner.take_head();
                if let Err(e) = file.seek(SeekFrom::Start(0)) {
                    self.stats
                        .warn(name.shown.as_ref(), format!("cannot reread archive: {e}"));
                    return (Vec::new(), true);
                }
                let found = if kind == Kind::Zip && self.threads > 1 {
                    self.scan_zip_parallel(scanner, path, file, name)
                } else {
                    self.scan_archive_file(scanner, file, kind, name)
                };
                (found, true)
            }
            Input::Git { content, size } => {
                scanner.start(content);
                if let Some(e) = scanner.start_failed()
                    && scanner.head().len() < HEAD_LEN
                {
                    self.stats
                        .warn(name.shown.as_ref(), format!("cannot read from git: {e}"));
                    return (Vec::new(), false);
                }
                let Some(kind) = self.archive_kind(scanner, origin, name) else {
                    let found = self.scan_started(scanner, content, name, origin, tracked, sibling);
                    return (found, false);
                };
                let mut rest = std::io::Cursor::new(scanner.take_head()).chain(content);
                if size > IN_MEMORY_ARCHIVE {
                    self.count_archive();
                    // A stream cannot be reread: what could not be read is in the warnings.
                    let found = self
                        .read_archive(scanner, name, self.limits, |r| {
                            r.read_stream(&name.shown, kind, &mut rest)
                        })
                        .0;
                    return (found, true);
                }
                let mut data = Vec::new();
                if let Err(e) = rest.read_to_end(&mut data) {
                    self.stats
                        .warn(name.shown.as_ref(), format!("cannot read from git: {e}"));
                    return (Vec::new(), true);
                }
                (self.scan_archive_bytes(scanner, &data, kind, name), true)
            }
            Input::Stream(reader) => {
                scanner.start(reader);
                if let Some(e) = scanner.start_failed()
                    && scanner.head().is_empty()
                {
                    self.stats
                        .warn(name.shown.as_ref(), format!("read error: {e}"));
                    return (Vec::new(), false);
                }
                let Some(kind) = self.archive_kind(scanner, origin, name) else {
                    let found = self.scan_started(scanner, reader, name, origin, tracked, sibling);
                    return (found, false);
                };
                self.count_archive();
                let mut rest = std::io::Cursor::new(scanner.take_head()).chain(reader);
                let found = self
                    .read_archive(scanner, name, self.limits, |r| {
                        r.read_stream(&name.shown, kind, &mut rest)
                    })
                    .0;
                (found, true)
            }
        }
    }

    /// The archive format of the blob whose first chunk `scanner` holds, if it is to be opened.
    /// A format sealant recognises but does not read is named in a warning and counted; the
    /// blob is then scanned as it is.
    fn archive_kind(
        &self,
        scanner: &BlobScanner<'_>,
        origin: Origin,
        name: &BlobName,
    ) -> Option<Kind> {
        let kind = origin
            .opens_archives()
            .then(|| detect(scanner.head()))
            .flatten()?;
        if kind.opens() {
            return Some(kind);
        }
        self.stats
            .unopened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.stats.warn(
            name.shown.as_ref(),
            format!(
                "not opened: {} (sealant does not read this format); its bytes were scanned as \
                 they are",
                kind.name()
            ),
        );
        None
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
        // Named after its canonical path's last part, not how it is shown (`1a2b3c4:a.gz`).
        let canonical: &str = &outer.canonical;
        let name = canonical.rsplit(['/', '!']).next().unwrap_or(canonical);
        let mut reader = ArchiveReader::new(limits, &mut sink).named(name);
        read(&mut reader);
        let (members, warnings) = reader.counts();
        let (kinds, unopened) = reader.kinds();
        if unopened > 0 {
            (self.stats.unopened).fetch_add(unopened, std::sync::atomic::Ordering::Relaxed);
        }
        if !kinds.is_empty()
            && let Ok(mut all) = self.stats.containers.lock()
        {
            for (kind, n) in kinds {
                *all.entry(kind.name()).or_default() += n;
            }
        }
        (sink.found, ReadCounts { members, warnings })
    }

    /// Scans the raw bytes of a blob whose archive magic led to no readable member (a text
    /// file that happens to start with `PK\x03\x04`, a corrupt archive): what it holds is still
    /// looked at, with a warning.
    fn scan_not_archive(
        &self,
        scanner: &mut BlobScanner<'_>,
        reader: &mut dyn Read,
        kind: Kind,
        name: &BlobName,
    ) -> Vec<Finding> {
        self.stats.warn(
            name.shown.as_ref(),
            format!(
                "starts like a {} but no member could be read; scanned as it is",
                kind.name()
            ),
        );
        self.scan_blob(scanner, reader, name, Origin::NotArchive)
    }

    /// Opens an archive file and scans its members (recursively); nothing is extracted to disk.
    fn scan_archive_file(
        &self,
        scanner: &mut BlobScanner<'_>,
        file: &mut std::fs::File,
        kind: Kind,
        name: &BlobName,
    ) -> Vec<Finding> {
        self.count_archive();
        let (found, read) = self.read_archive(scanner, name, self.limits, |r| {
            r.read_file(&name.shown, kind, file)
        });
        if !read.nothing() {
            return found;
        }
        if file.seek(SeekFrom::Start(0)).is_err() {
            return found;
        }
        let mut raw = file.take(self.limits.max_file_bytes);
        let mut all = found;
        all.extend(self.scan_not_archive(scanner, &mut raw, kind, name));
        all
    }

    /// Opens an archive held in memory and scans its members.
    fn scan_archive_bytes(
        &self,
        scanner: &mut BlobScanner<'_>,
        data: &[u8],
        kind: Kind,
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
                    Ok((mut f, _)) => helpers.push(scope.spawn(move || {
                        let mut scanner = self.scanner();
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
            if read.nothing() && file.seek(SeekFrom::Start(0)).is_ok() {
                let mut raw = file.take(self.limits.max_file_bytes);
                found.extend(self.scan_not_archive(scanner, &mut raw, Kind::Zip, name));
            }
            found
        })
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
    fn member(&mut self, path: &str, content: &mut dyn Read) {
        let name = self.outer.member(path);
        if self.ctx.skip_by_extension(Origin::Member, &name) {
            return;
        }
        let found = self
            .ctx
            .scan_blob(self.scanner, content, &name, Origin::Member);
        // An archive of many members full of keys costs counts, not memory.
        if self.found.len() + found.len() > MAX_LISTED_PER_ARCHIVE {
            let outer: &str = &self.outer.shown;
            count_unlisted(
                self.ctx.stats,
                self.ctx.policy,
                found,
                MAX_LISTED_PER_ARCHIVE,
                outer,
            );
        } else {
            self.found.extend(found);
        }
    }

    fn warn(&mut self, path: &str, message: String) {
        self.ctx.stats.warn(path, message);
    }
}

/// Whether a blob may carry a zip after what it starts with: a script (`#!`) or an executable
/// (PE `MZ`, ELF) — the self-extracting installers that `cat stub archive.zip > setup` makes.
fn embedded_zip_candidate(head: &[u8]) -> bool {
    head.starts_with(b"#!") || head.starts_with(b"MZ") || head.starts_with(b"\x7fELF")
}

/// Whether the file ends with a zip's end-of-central-directory record (in its last 64 KiB).
/// The file is left where it was (the scan judges its growth from there).
fn has_zip_end(file: &mut std::fs::File) -> bool {
    let Ok(was) = file.stream_position() else {
        return false;
    };
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return false;
    };
    let tail = len.min(22 + 65_535);
    let mut buf = Vec::new();
    let found = file.seek(SeekFrom::Start(len - tail)).is_ok()
        && (&mut *file).take(tail).read_to_end(&mut buf).is_ok()
        && memchr::memmem::rfind(&buf, b"PK\x05\x06").is_some();
    let _ = file.seek(SeekFrom::Start(was));
    found
}
