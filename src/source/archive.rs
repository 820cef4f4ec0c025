//! Archives: zip and its family (jar, war, apk, aab, ipa, whl, nupkg, vsix, xpi, crx3), tar,
//! gzip, bzip2, xz and zstd, recognised by magic bytes and opened recursively without
//! extracting anything to disk. A member's path is the chain joined with `!`
//! (`release.zip!lib/pay.jar!config/stripe.properties`).
//!
//! Hostile input is bounded: nesting depth, bytes inflated from one member and from one
//! top-level archive, the inflate ratio (zip bombs), and the member count each have a limit;
//! hitting one is a warning naming the archive, and the rest of the scan goes on. A zip whose
//! central directory is missing (truncated) is read from its local headers instead.

use std::cell::Cell;

use crate::source::tar_guard::{self, TarGuard};
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use crate::config::LimitsConfig;

/// Limits on what archives may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archives inside archives, counting the outermost as 1.
    pub max_depth: usize,
    /// Bytes inflated from one member.
    pub max_entry_bytes: u64,
    /// Bytes inflated from one top-level archive, all members and nested archives together.
    pub max_archive_bytes: u64,
    /// Inflated bytes per compressed byte, beyond the first MiB of a member.
    pub max_inflate_ratio: u64,
    /// Members in one top-level archive.
    pub max_entries: u64,
    /// Bytes read from one file (not an archive): the rest of a larger file is not read.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 8,
            max_entry_bytes: 256 * 1024 * 1024,
            max_archive_bytes: 4 * 1024 * 1024 * 1024,
            max_inflate_ratio: 200,
            max_entries: 100_000,
            max_file_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Deeper nesting is refused whatever the settings: each level is a frame on the stack.
pub const MAX_DEPTH_CEILING: usize = 256;

impl Limits {
    /// These limits overridden by what `c` sets (the project config's `[limits]`, or flags).
    pub fn with_config(mut self, c: &LimitsConfig) -> Limits {
        if let Some(v) = c.max_archive_depth {
            self.max_depth = v.min(MAX_DEPTH_CEILING);
        }
        if let Some(v) = c.max_entry_bytes {
            self.max_entry_bytes = v;
        }
        if let Some(v) = c.max_archive_bytes {
            self.max_archive_bytes = v;
        }
        if let Some(v) = c.max_inflate_ratio {
            self.max_inflate_ratio = v;
        }
        if let Some(v) = c.max_archive_entries {
            self.max_entries = v;
        }
        if let Some(v) = c.max_filesize {
            self.max_file_bytes = v;
        }
        self
    }
}

/// Nested archives are opened in memory; members above this size are read as a stream
/// instead (a zip needs random access, so a larger nested zip is read from local headers).
const MAX_NESTED_IN_MEMORY: u64 = 64 * 1024 * 1024;
/// Bytes of nested archives held in memory at once along one chain (`a.zip!b.zip!c.zip`): a
/// nested zip that does not fit in what is left is read from its local headers instead.
const MAX_HELD_IN_CHAIN: u64 = 2 * MAX_NESTED_IN_MEMORY;
/// How many bytes of a blob decide whether it is an archive.
pub const HEAD_LEN: usize = 512;
/// Memory an xz decoder may take (bytes): enough for the largest preset's 64 MiB dictionary;
/// a stream that declares more is refused with a warning rather than allocated.
const XZ_MEMORY: u64 = 80 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    /// Chrome extension: a header, then a zip.
    Crx3,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// Recognises an archive or compressed stream by its first bytes.
pub fn detect(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if head.starts_with(b"Cr24") {
        return Some(Kind::Crx3);
    }
    if head.starts_with(b"\x1f\x8b") {
        return Some(Kind::Gzip);
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(Kind::Bzip2);
    }
    if head.starts_with(b"\xfd7zXZ\x00") {
        return Some(Kind::Xz);
    }
    if head.starts_with(b"\x28\xb5\x2f\xfd") {
        return Some(Kind::Zstd);
    }
    if head.len() >= 262 && (&head[257..262] == b"ustar") {
        return Some(Kind::Tar);
    }
    None
}

/// What the archive reader reports to the scan.
pub trait MemberSink {
    /// Scans a member that is not an archive (or not opened as one).
    fn member(&mut self, path: &str, content: &mut dyn Read);
    /// A problem with an archive or member; the scan goes on.
    fn warn(&mut self, path: &str, message: String);
}

/// Reads one top-level archive, handing every member to `sink`.
pub struct ArchiveReader<'s> {
    limits: Limits,
    sink: &'s mut dyn MemberSink,
    /// Bytes inflated so far from the current top-level archive.
    inflated: u64,
    entries: u64,
    /// Set once a whole-archive limit is hit: everything left is skipped.
    exhausted: bool,
    top: String,
    /// Members handed to the sink so far (nested archives' included).
    members: u64,
    /// Problems reported so far.
    warnings: u64,
    /// Bytes of nested archives held in memory by the levels above the current one.
    held: u64,
}

impl<'s> ArchiveReader<'s> {
    pub fn new(limits: Limits, sink: &'s mut dyn MemberSink) -> Self {
        ArchiveReader {
            limits,
            sink,
            inflated: 0,
            entries: 0,
            exhausted: false,
            top: String::new(),
            members: 0,
            warnings: 0,
            held: 0,
        }
    }

    /// Opens the archive at `path` (the top level: a seekable file).
    pub fn read_file(&mut self, path: &str, kind: Kind, file: &mut std::fs::File) {
        self.top = path.to_string();
        self.inflated = 0;
        self.entries = 0;
        self.exhausted = false;
        match kind {
            Kind::Zip => self.zip_seekable(path, file, 1),
            Kind::Crx3 => self.crx(path, file, 1),
            _ => self.stream(path, kind, file, 1),
        }
    }

    /// Reads an archive held in memory.
    pub fn read_bytes(&mut self, path: &str, kind: Kind, data: &[u8]) {
        self.top = path.to_string();
        match kind {
            Kind::Zip => self.zip_seekable(path, Cursor::new(data), 1),
            Kind::Crx3 => self.crx(path, Cursor::new(data), 1),
            _ => self.stream(path, kind, &mut &data[..], 1),
        }
    }

    /// Reads an archive arriving as a stream (standard input): a zip is read from its local
    /// headers, since a stream cannot seek to the central directory.
    pub fn read_stream(&mut self, path: &str, kind: Kind, reader: &mut dyn Read) {
        self.top = path.to_string();
        match kind {
            Kind::Zip => self.zip_stream(path, reader, 1),
            Kind::Crx3 => {
                let Some(len) = self.crx_header(path, reader) else {
                    return;
                };
                if io::copy(&mut reader.take(len), &mut io::sink()).is_ok() {
                    self.zip_stream(path, reader, 1);
                }
            }
            _ => self.stream(path, kind, reader, 1),
        }
    }

    /// Reads every `parts`-th member of the zip at `path`, starting with member `part`
    /// (several readers share one zip; part 0 also handles a zip without a central directory).
    pub fn read_zip_part(
        &mut self,
        path: &str,
        file: &mut std::fs::File,
        part: usize,
        parts: usize,
    ) {
        self.top = path.to_string();
        if part > 0 && zip::ZipArchive::new(&mut *file).is_err() {
            return;
        }
        let _ = file.seek(SeekFrom::Start(0));
        self.zip_members(path, file, 1, part, parts.max(1));
    }

    fn zip_seekable<R: Read + Seek>(&mut self, path: &str, reader: R, depth: usize) {
        self.zip_members(path, reader, depth, 0, 1);
    }

    fn zip_members<R: Read + Seek>(
        &mut self,
        path: &str,
        mut reader: R,
        depth: usize,
        part: usize,
        parts: usize,
    ) {
        let declared = declared_entries(&mut reader);
        match zip::ZipArchive::new(&mut reader) {
            Ok(archive) if declared.is_some_and(|d| d > archive.len() as u64) => {
                // Several entries share a name and the central directory's reader keeps the
                // last of them: every entry is read from its local header instead.
                drop(archive);
                if part == 0 {
                    self.warn(
                        path,
                        "entries share names; every one is read from its local header".to_string(),
                    );
                    if reader.seek(SeekFrom::Start(0)).is_ok() {
                        self.zip_stream(path, &mut reader, depth);
                    }
                }
            }
            Ok(mut archive) => {
                for i in (part..archive.len()).step_by(parts) {
                    if !self.count_entry(path) {
                        return;
                    }
                    let name = archive
                        .name_for_index(i)
                        .and_then(|n| n.ok())
                        .map_or_else(|| format!("#{i}"), |n| n.to_string());
                    match archive.by_index(i) {
                        Ok(mut zf) => {
                            // A name ending in `/` is a directory, unless it carries data.
                            if zf.is_dir() && zf.size() == 0 {
                                continue;
                            }
                            let compressed = zf.compressed_size();
                            self.member(path, &name, &mut zf, compressed, depth);
                        }
                        Err(e) => {
                            self.warn(
                                &format!("{path}!{name}"),
                                format!("cannot read member: {e}; skipped"),
                            );
                        }
                    }
                }
            }
            Err(e) => {
                // No usable central directory (truncated, or a stream): walk the local headers.
                self.warn(
                    path,
                    format!("{e}; reading members from their local headers instead"),
                );
                if reader.seek(SeekFrom::Start(0)).is_ok() {
                    self.zip_stream(path, &mut reader, depth);
                }
            }
        }
    }

    fn zip_stream(&mut self, path: &str, mut reader: &mut dyn Read, depth: usize) {
        let reader = &mut reader;
        loop {
            if !self.count_entry(path) {
                return;
            }
            match zip::read::read_zipfile_from_stream(reader) {
                Ok(Some(mut zf)) => {
                    let name = zf.name().map(|n| n.into_owned()).unwrap_or_default();
                    if zf.is_dir() && zf.size() == 0 {
                        continue;
                    }
                    let compressed = zf.compressed_size();
                    self.member(path, &name, &mut zf, compressed, depth);
                }
                Ok(None) => return,
                Err(e) => {
                    self.warn(path, format!("stopped reading local headers: {e}"));
                    return;
                }
            }
        }
    }

    /// Reads a CRX file's fixed header; returns the length of the signed header that follows
    /// (the zip starts after it).
    fn crx_header(&mut self, path: &str, reader: &mut dyn Read) -> Option<u64> {
        let mut header = [0u8; 12];
        if reader.read_exact(&mut header).is_err() {
            self.warn(path, "truncated CRX header; not opened".to_string());
            return None;
        }
        Some(u64::from(u32::from_le_bytes([
            header[8], header[9], header[10], header[11],
        ])))
    }

    fn crx<R: Read + Seek>(&mut self, path: &str, mut reader: R, depth: usize) {
        let Some(len) = self.crx_header(path, &mut reader) else {
            return;
        };
        match reader.seek(SeekFrom::Start(12 + len)) {
            Ok(start) => {
                let rest = OffsetReader {
                    inner: reader,
                    start,
                };
                self.zip_seekable(path, rest, depth);
            }
            Err(e) => self.warn(path, format!("bad CRX header: {e}; not opened")),
        }
    }

    /// Compressed streams and tar.
    fn stream(&mut self, path: &str, kind: Kind, reader: &mut dyn Read, depth: usize) {
        // Compressed bytes consumed so far: the inflate-ratio limit holds for streams too.
        let consumed = Rc::new(Cell::new(0u64));
        let mut counted = Counting {
            inner: reader,
            count: Rc::clone(&consumed),
        };
        let reader: &mut dyn Read = &mut counted;
        match kind {
            Kind::Tar => self.tar(path, reader, depth),
            Kind::Gzip => {
                let mut d = GzMembers::new(io::BufReader::new(reader));
                self.decompressed(path, &mut d, depth, consumed);
                if d.trailing {
                    self.warn(
                        path,
                        "bytes after the gzip stream are no gzip member; scanned as they are"
                            .to_string(),
                    );
                }
            }
            Kind::Bzip2 => {
                let mut d = bzip2::read::MultiBzDecoder::new(reader);
                self.decompressed(path, &mut d, depth, consumed);
            }
            Kind::Zstd => {
                let mut d = ZstdFrames::new(reader);
                self.decompressed(path, &mut d, depth, consumed);
            }
            Kind::Xz => {
                // Streamed like the others, through the same byte and ratio limits; every
                // stream of a file with several is read; the decoder's memory is bounded.
                // liblzma (the reference decoder, fuzzed upstream): a pure-Rust decoder used
                // before spun forever on a 971-byte corrupt stream found by `cargo fuzz`.
                let flags = liblzma::stream::CONCATENATED;
                match liblzma::stream::Stream::new_stream_decoder(XZ_MEMORY, flags) {
                    Ok(stream) => {
                        let mut d = liblzma::read::XzDecoder::new_stream(reader, stream);
                        self.decompressed(path, &mut d, depth, consumed);
                    }
                    Err(e) => self.warn(path, format!("cannot start an xz decoder: {e}")),
                }
            }
            Kind::Zip | Kind::Crx3 => {
                // A zip met as a stream (inside a tar, say) and too big to hold in memory.
                self.zip_stream(path, reader, depth);
            }
        }
    }

    /// The output of a compression stream: a tar, another archive, or a single file named
    /// after the stream without its compression extension.
    /// `consumed` counts the compressed bytes read so far (for the inflate-ratio limit).
    fn decompressed(
        &mut self,
        path: &str,
        reader: &mut dyn Read,
        depth: usize,
        consumed: Rc<Cell<u64>>,
    ) {
        let inner = strip_compression_ext(path.rsplit('!').next().unwrap_or(path));
        self.member_of(path, &inner, reader, 0, depth, Some(consumed));
    }

    fn tar(&mut self, path: &str, reader: &mut dyn Read, depth: usize) {
        let mut archive = tar::Archive::new(TarGuard::new(reader));
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => {
                self.warn(path, format!("cannot read tar: {e}"));
                return;
            }
        };
        for entry in entries {
            if !self.count_entry(path) {
                return;
            }
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.warn(path, format!("stopped reading tar: {e}"));
                    return;
                }
            };
            let name = entry
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name == tar_guard::OVERSIZED {
                self.warn(
                    &format!("{path}!{name}"),
                    format!(
                        "a long-name or PAX record larger than {} bytes; read as a member, not \
                         held in memory as a name",
                        tar_guard::MAX_META
                    ),
                );
            }
            // Links, directories and devices carry no content; nothing is followed. What GNU
            // tar extracts as a file is read: regular files, contiguous files (`7`), sparse
            // files (`S`) and vendor types (other capital letters).
            if !carries_content(entry.header().entry_type()) {
                continue;
            }
            self.member(path, &name, &mut entry, 0, depth);
        }
    }

    /// One member: opened as an archive when it is one (and depth allows), else scanned.
    fn member(
        &mut self,
        outer: &str,
        name: &str,
        reader: &mut dyn Read,
        compressed: u64,
        depth: usize,
    ) {
        self.member_of(outer, name, reader, compressed, depth, None);
    }

    /// [`Self::member`]; with `stream` (the compressed bytes read so far), the member is the
    /// content of a compression stream (`outer` is `x.tgz`): a tar inside is one hop with its
    /// stream (`x.tgz!package/a.js`, not `x.tgz!x.tar!package/a.js`), anything else keeps its
    /// inner name (`a.js.gz!a.js`), and the inflate-ratio limit counts the stream's bytes.
    fn member_of(
        &mut self,
        outer: &str,
        name: &str,
        reader: &mut dyn Read,
        compressed: u64,
        depth: usize,
        stream: Option<Rc<Cell<u64>>>,
    ) {
        if self.exhausted {
            return;
        }
        let mut chain = format!("{outer}!{name}");
        let budget = self.member_budget();
        let mut limited = Limited {
            inner: reader,
            read: 0,
            max: budget,
            compressed,
            consumed: stream.clone(),
            ratio: self.limits.max_inflate_ratio,
            stop: None,
        };
        let mut head = Vec::with_capacity(HEAD_LEN);
        if let Err(e) = (&mut limited).take(HEAD_LEN as u64).read_to_end(&mut head) {
            // A small member that fails at its end (a bad checksum, a truncated stream) is
            // still scanned as far as it was read.
            if head.is_empty() {
                self.warn(&chain, format!("cannot read member: {e}; skipped"));
            } else {
                self.warn(
                    &chain,
                    format!(
                        "cannot read all of member: {e}; scanned the {} bytes read",
                        head.len()
                    ),
                );
                self.sink.member(&chain, &mut &head[..]);
                self.members += 1;
                self.inflated += limited.read;
            }
            return;
        }
        let kind = detect(&head);
        if kind == Some(Kind::Tar) {
            if stream.is_some() {
                chain = outer.to_string();
            }
            // A tar is a stream of members, each held to the member limit on its own: the
            // stream as a whole only to what is left of the archive's.
            limited.max = self.limits.max_archive_bytes.saturating_sub(self.inflated);
        }
        match kind {
            Some(kind) if depth >= self.limits.max_depth => {
                self.warn(
                    &chain,
                    format!(
                        "{kind:?} archive nested deeper than {} levels; not opened (--max-archive-depth)",
                        self.limits.max_depth
                    ),
                );
            }
            Some(kind) => {
                let mut rest = Cursor::new(head).chain(&mut limited);
                if matches!(kind, Kind::Zip | Kind::Crx3) {
                    // Random access needed: hold it in memory if small enough — and if what
                    // the levels above already hold leaves room (the bound is on the chain).
                    let mut data = Vec::new();
                    let room = MAX_HELD_IN_CHAIN.saturating_sub(self.held);
                    let cap = MAX_NESTED_IN_MEMORY.min(budget).min(room);
                    match (&mut rest).take(cap + 1).read_to_end(&mut data) {
                        Ok(_) if data.len() as u64 <= cap => {
                            let held = data.len() as u64;
                            self.held += held;
                            if kind == Kind::Zip {
                                self.zip_seekable(&chain, Cursor::new(data), depth + 1);
                            } else {
                                self.crx(&chain, Cursor::new(data), depth + 1);
                            }
                            self.held -= held;
                        }
                        Ok(_) => {
                            if cap == room {
                                self.warn(
                                    &chain,
                                    format!(
                                        "the archives around it already hold {} MiB in memory: \
                                         read from its local headers",
                                        self.held >> 20
                                    ),
                                );
                            }
                            let mut again = Cursor::new(data).chain(rest);
                            self.zip_stream(&chain, &mut again, depth + 1);
                        }
                        Err(e) => self.warn(&chain, format!("cannot read nested archive: {e}")),
                    }
                } else {
                    self.stream(&chain, kind, &mut rest, depth + 1);
                }
            }
            None => {
                let mut rest = Cursor::new(head).chain(&mut limited);
                self.sink.member(&chain, &mut rest);
                self.members += 1;
                // Drain what the scanner did not read, so streams stay in step.
                let _ = io::copy(&mut rest, &mut io::sink());
            }
        }
        // A tar's members counted their own bytes.
        if kind != Some(Kind::Tar) {
            self.inflated += limited.read;
        }
        if let Some(why) = limited.stop {
            self.limit_hit(&chain, why);
        }
        if self.inflated >= self.limits.max_archive_bytes {
            self.exhausted = true;
            let top = self.top.clone();
            self.warn(
                &top,
                format!(
                    "inflated {} bytes, the limit for one archive; the rest is not read (--max-archive-bytes)",
                    self.limits.max_archive_bytes
                ),
            );
        }
    }

    /// Members handed to the sink so far, and problems reported: no member and a problem
    /// means the magic bytes led nowhere (an empty archive is no failure), and the caller
    /// scans the raw bytes instead.
    pub fn counts(&self) -> (u64, u64) {
        (self.members, self.warnings)
    }

    fn warn(&mut self, path: &str, message: String) {
        self.warnings += 1;
        self.sink.warn(path, message);
    }

    fn member_budget(&self) -> u64 {
        self.limits
            .max_entry_bytes
            .min(self.limits.max_archive_bytes.saturating_sub(self.inflated))
    }

    fn count_entry(&mut self, path: &str) -> bool {
        if self.exhausted {
            return false;
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            self.exhausted = true;
            self.warn(
                path,
                format!(
                    "more than {} members; the rest is not read (--max-archive-entries)",
                    self.limits.max_entries
                ),
            );
            return false;
        }
        true
    }

    fn limit_hit(&mut self, path: &str, why: &str) {
        self.warn(path, why.to_string());
    }
}

/// The number of entries a zip's end-of-central-directory record declares (`None` when it
/// cannot be found, or for zip64, whose count lives elsewhere). The reader is left anywhere.
fn declared_entries<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    let len = reader.seek(SeekFrom::End(0)).ok()?;
    let tail = len.min(22 + 65535);
    reader.seek(SeekFrom::Start(len - tail)).ok()?;
    let mut buf = Vec::with_capacity(tail as usize);
    reader.take(tail).read_to_end(&mut buf).ok()?;
    let at = buf.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let total = buf.get(at + 10..at + 12)?;
    let n = u16::from_le_bytes([total[0], total[1]]);
    (n != u16::MAX).then_some(u64::from(n))
}

/// Every member of a gzip file, one after the other, then any bytes after the last member that
/// start no other, as they are (`trailing` tells): data appended to a `.gz` is read, not lost.
struct GzMembers<R: io::BufRead> {
    state: GzState<R>,
    trailing: bool,
}

enum GzState<R: io::BufRead> {
    Member(Box<flate2::bufread::GzDecoder<R>>),
    Between(R),
    Raw(R),
    Done,
}

impl<R: io::BufRead> GzMembers<R> {
    fn new(inner: R) -> Self {
        GzMembers {
            state: GzState::Member(Box::new(flate2::bufread::GzDecoder::new(inner))),
            trailing: false,
        }
    }
}

impl<R: io::BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, GzState::Done) {
                GzState::Member(mut d) => {
                    let n = d.read(buf)?;
                    if n > 0 {
                        self.state = GzState::Member(d);
                        return Ok(n);
                    }
                    self.state = GzState::Between(d.into_inner());
                }
                GzState::Between(mut r) => {
                    let next = r.fill_buf()?;
                    if next.is_empty() {
                        return Ok(0);
                    }
                    self.state = if next.starts_with(&[0x1f, 0x8b]) {
                        GzState::Member(Box::new(flate2::bufread::GzDecoder::new(r)))
                    } else {
                        self.trailing = true;
                        GzState::Raw(r)
                    };
                }
                GzState::Raw(mut r) => {
                    let n = r.read(buf)?;
                    self.state = GzState::Raw(r);
                    return Ok(n);
                }
                GzState::Done => return Ok(0),
            }
        }
    }
}

/// Every frame of a zstd stream, one after the other (a decoder reads one frame; `zstd`
/// writes one per input and concatenates them); skippable frames are passed over by the
/// decoder. Bytes after the last frame that start no frame are a read error (a warning).
struct ZstdFrames<R: Read> {
    state: ZstdState<R>,
}

enum ZstdState<R: Read> {
    Between(io::BufReader<R>),
    In(Box<ruzstd::decoding::StreamingDecoder<io::BufReader<R>, ruzstd::decoding::FrameDecoder>>),
    Done,
}

impl<R: Read> ZstdFrames<R> {
    fn new(inner: R) -> Self {
        ZstdFrames {
            state: ZstdState::Between(io::BufReader::new(inner)),
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use io::BufRead;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, ZstdState::Done) {
                ZstdState::In(mut d) => {
                    let n = d.read(buf)?;
                    if n > 0 {
                        self.state = ZstdState::In(d);
                        return Ok(n);
                    }
                    self.state = ZstdState::Between(d.into_inner());
                }
                ZstdState::Between(mut r) => {
                    if r.fill_buf()?.is_empty() {
                        return Ok(0);
                    }
                    let d = ruzstd::decoding::StreamingDecoder::new(r).map_err(|e| {
                        io::Error::new(io::ErrorKind::InvalidData, format!("bad zstd frame: {e}"))
                    })?;
                    self.state = ZstdState::In(Box::new(d));
                }
                ZstdState::Done => return Ok(0),
            }
        }
    }
}

/// Whether a tar entry of this type holds a file's content.
fn carries_content(t: tar::EntryType) -> bool {
    use tar::EntryType as T;
    match t {
        T::Regular | T::Continuous | T::GNUSparse => true,
        T::Link | T::Symlink | T::Char | T::Block | T::Directory | T::Fifo => false,
        T::GNULongName | T::GNULongLink | T::XGlobalHeader | T::XHeader => false,
        // Vendor types: GNU tar extracts them as regular files; `D` (GNU dumpdir) and `V`
        // (volume label) hold no file content.
        other => {
            let b = other.as_byte();
            b.is_ascii_uppercase() && !matches!(b, b'D' | b'V' | b'M' | b'N')
        }
    }
}

/// A reader that stops a member at its byte budget or when it inflates too fast.
struct Limited<'a> {
    inner: &'a mut dyn Read,
    read: u64,
    max: u64,
    /// The member's compressed size from its header (0: unknown).
    compressed: u64,
    /// For a compression stream: the compressed bytes read so far.
    consumed: Option<Rc<Cell<u64>>>,
    ratio: u64,
    stop: Option<&'static str>,
}

/// Counts the bytes read through it (the compressed side of a stream).
struct Counting<'a> {
    inner: &'a mut dyn Read,
    count: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl Read for Limited<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.is_some() {
            return Ok(0);
        }
        if self.read >= self.max {
            self.stop = Some("inflates past the size limit; read in part (--max-entry-bytes)");
            return Ok(0);
        }
        let room = (self.max - self.read).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        let compressed = match &self.consumed {
            Some(c) => c.get().max(self.compressed),
            None => self.compressed,
        };
        if compressed > 0 && self.read > 1024 * 1024 && self.read / compressed > self.ratio {
            self.stop = Some(
                "inflates more than the ratio limit allows (zip bomb?); read in part (--max-inflate-ratio)",
            );
        }
        Ok(n)
    }
}

/// Presents `inner` from byte `start` on as a seekable stream starting at 0 (the zip inside
/// a CRX file).
struct OffsetReader<R> {
    inner: R,
    start: u64,
}

impl<R: Read> Read for OffsetReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for OffsetReader<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let abs = match pos {
            SeekFrom::Start(n) => self.inner.seek(SeekFrom::Start(self.start + n))?,
            other => self.inner.seek(other)?,
        };
        Ok(abs.saturating_sub(self.start))
    }
}

/// `bundle.js.gz` → `bundle.js`; `site.tgz` → `site.tar`.
fn strip_compression_ext(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    for (ext, repl) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".txz", ".tar"),
        (".gz", ""),
        (".bz2", ""),
        (".xz", ""),
        (".zst", ""),
    ] {
        if let Some(stem) = base.strip_suffix(ext) {
            return format!("{stem}{repl}");
        }
    }
    format!("{base}.decompressed")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sink {
        members: usize,
    }

    impl MemberSink for Sink {
        fn member(&mut self, _path: &str, content: &mut dyn Read) {
            self.members += 1;
            let _ = io::copy(content, &mut io::sink());
        }
        fn warn(&mut self, _path: &str, _message: String) {}
    }

    fn sample_zip() -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, method) in [
            ("a.txt", zip::CompressionMethod::Deflated),
            ("b.bin", zip::CompressionMethod::Stored),
        ] {
            let opts = zip::write::SimpleFileOptions::default().compression_method(method);
            w.start_file(name, opts).expect("member");
            w.write_all(&b"some text sk_live_ and more text ".repeat(20))
                .expect("write");
        }
        w.finish().expect("zip").into_inner()
    }

    /// Mutated zips, tars and gzip streams never panic the reader, and members stay within
    /// the limits.
    #[test]
    fn mutated_archives_never_panic() {
        use std::io::Write;
        let zip = sample_zip();
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(zip.len() as u64);
        h.set_cksum();
        tar.append_data(&mut h, "inner.zip", zip.as_slice())
            .expect("tar");
        let tar = tar.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("gz");
        let gz = gz.finish().expect("gz");
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for seed in [&zip, &tar, &gz] {
            for _ in 0..300 {
                let mut data = seed.clone();
                for _ in 0..(next() % 6 + 1) {
                    let at = (next() as usize) % data.len();
                    data[at] = next() as u8;
                }
                let mut sink = Sink { members: 0 };
                let limits = Limits {
                    max_entries: 50,
                    ..Limits::default()
                };
                let mut reader = ArchiveReader::new(limits, &mut sink);
                if let Some(kind) = detect(&data) {
                    reader.read_stream("t", kind, &mut data.as_slice());
                    reader.zip_seekable("t", Cursor::new(&data), 1);
                }
                assert!(sink.members <= 2 * 50 + 2);
            }
        }
    }

    #[test]
    fn kinds_by_magic() {
        assert_eq!(detect(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(detect(b"\x1f\x8b\x08"), Some(Kind::Gzip));
        assert_eq!(detect(b"BZh9"), Some(Kind::Bzip2));
        assert_eq!(detect(b"plain text"), None);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&tar), Some(Kind::Tar));
        assert_eq!(strip_compression_ext("a/site.tgz"), "site.tar");
        assert_eq!(strip_compression_ext("bundle.js.gz"), "bundle.js");
    }
}
