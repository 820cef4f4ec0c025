//! Archives: zip and its family (jar, war, apk, aab, ipa, whl, nupkg, vsix, xpi, crx3), tar,
//! gzip, bzip2, xz and zstd, recognised by magic bytes (`detect`) and opened recursively
//! without extracting anything to disk. A member's path is the chain joined with `!`
//! (`release.zip!lib/pay.jar!config/stripe.properties`); members go to a [`MemberSink`].
//!
//! Hostile input is bounded (`limits`): nesting depth, bytes inflated from one member and from
//! one top-level archive, the inflate ratio (zip bombs), and the member count each have a
//! limit; hitting one is a warning naming the archive, and the rest of the scan goes on. The
//! formats' readers (`zip`, `tar`, `compressed`) call back through `walk::Walk`, which this
//! module's [`ArchiveReader`] implements.

mod ar;
mod cfb;
pub mod compressed;
mod cpio;
pub mod detect;
pub mod limits;
mod rpm;
mod sevenz;
mod tar;
pub mod tar_guard;
mod walk;
mod zip;

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read, Seek, SeekFrom};

use detect::{HEAD_LEN, Kind, detect};
use limits::{Limited, Limits};
use walk::{At, Walk};

/// Nested archives are opened in memory; members above this size are read as a stream
/// instead (a zip needs random access, so a larger nested zip is read from local headers).
const MAX_NESTED_IN_MEMORY: u64 = 64 * 1024 * 1024;
/// Bytes of nested archives held in memory at once along one chain (`a.zip!b.zip!c.zip`): a
/// nested zip that does not fit in what is left is read from its local headers instead.
const MAX_HELD_IN_CHAIN: u64 = 2 * MAX_NESTED_IN_MEMORY;

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
    /// The top-level archive's own file name, where its path as shown says more (a history
    /// blob shown as `1a2b3c4:conf.env.gz` is named `conf.env.gz`).
    top_name: Option<String>,
    /// Members handed to the sink, by the kind of archive they came out of.
    by_kind: BTreeMap<Kind, u64>,
    /// Archives recognised but not read (RAR, cabinet …), or too large to open here.
    unopened: u64,
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
            top_name: None,
            by_kind: BTreeMap::new(),
            unopened: 0,
        }
    }

    /// Members handed over so far, by the kind of archive they came out of; and archives
    /// recognised but not opened.
    pub fn kinds(&self) -> (&BTreeMap<Kind, u64>, u64) {
        (&self.by_kind, self.unopened)
    }

    /// An archive that needs random access, at `path`, `depth` deep.
    fn random<R: Read + Seek>(&mut self, path: &str, kind: Kind, reader: R, depth: usize) {
        match kind {
            Kind::Zip => zip::seekable(self, path, reader, depth),
            Kind::Crx3 => zip::crx(self, path, reader, depth),
            Kind::SevenZip => sevenz::read(self, path, reader, depth),
            Kind::Cfb => cfb::read(self, path, reader, depth),
            _ => {}
        }
    }

    /// A recognised format sealant does not read: said, counted.
    fn unopened(&mut self, path: &str, kind: Kind) {
        self.unopened += 1;
        self.warn(
            path,
            format!(
                "not opened: {} (sealant does not read this format); its bytes were scanned as \
                 they are",
                kind.name()
            ),
        );
    }

    /// Names the top-level archive's file (see [`Walk::file_name`]).
    pub fn named(mut self, name: &str) -> Self {
        self.top_name = Some(name.to_string());
        self
    }

    /// Opens the archive at `path` (the top level: a seekable file).
    pub fn read_file(&mut self, path: &str, kind: Kind, file: &mut std::fs::File) {
        self.top = path.to_string();
        self.inflated = 0;
        self.entries = 0;
        self.exhausted = false;
        if kind.random_access() {
            self.random(path, kind, file, 1);
        } else {
            compressed::stream(self, path, kind, file, 1);
        }
    }

    /// Reads an archive held in memory.
    pub fn read_bytes(&mut self, path: &str, kind: Kind, data: &[u8]) {
        self.top = path.to_string();
        if kind.random_access() {
            self.random(path, kind, Cursor::new(data), 1);
        } else {
            compressed::stream(self, path, kind, &mut &data[..], 1);
        }
    }

    /// Reads an archive arriving as a stream (standard input): a zip is read from its local
    /// headers, since a stream cannot seek to the central directory.
    pub fn read_stream(&mut self, path: &str, kind: Kind, reader: &mut dyn Read) {
        self.top = path.to_string();
        match kind {
            Kind::Zip => zip::stream(self, path, reader, 1),
            Kind::Crx3 => {
                let Some(len) = zip::crx_header(self, path, reader) else {
                    return;
                };
                if io::copy(&mut reader.take(len), &mut io::sink()).is_ok() {
                    zip::stream(self, path, reader, 1);
                }
            }
            // Random access from a stream: held in memory, if small enough.
            Kind::SevenZip | Kind::Cfb => {
                let mut data = Vec::new();
                match reader.take(MAX_NESTED_IN_MEMORY + 1).read_to_end(&mut data) {
                    Ok(_) if data.len() as u64 <= MAX_NESTED_IN_MEMORY => {
                        self.random(path, kind, Cursor::new(data), 1);
                    }
                    Ok(_) => {
                        self.unopened += 1;
                        self.warn(
                            path,
                            format!(
                                "a {} read as a stream must fit in {} MiB to be opened; not opened",
                                kind.name(),
                                MAX_NESTED_IN_MEMORY >> 20
                            ),
                        );
                    }
                    Err(e) => self.warn(path, format!("cannot read: {e}")),
                }
            }
            _ => compressed::stream(self, path, kind, reader, 1),
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
        let _ = file.seek(SeekFrom::Start(0));
        zip::members(self, path, file, 1, part, parts.max(1));
    }

    /// One member (see [`Walk::member`]). The content of a compression stream (`at.stream`:
    /// `outer` is `x.tgz`) that is a tar or cpio is one hop with its stream
    /// (`x.tgz!package/a.js`, not `x.tgz!x.tar!package/a.js`); anything else keeps its inner
    /// name (`a.js.gz!a.js`); and the inflate-ratio limit counts the stream's bytes.
    fn open_member(&mut self, at: At<'_>, reader: &mut dyn Read) {
        if self.exhausted {
            return;
        }
        let At {
            container,
            outer,
            name,
            depth,
            compressed,
            stream,
        } = at;
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
                *self.by_kind.entry(container).or_default() += 1;
                self.inflated += limited.read;
            }
            return;
        }
        let kind = detect(&head);
        if matches!(kind, Some(Kind::Tar | Kind::Cpio)) {
            if stream.is_some() {
                chain = outer.to_string();
            }
            // A tar is a stream of members, each held to the member limit on its own: the
            // stream as a whole only to what is left of the archive's.
            limited.max = self.limits.max_archive_bytes.saturating_sub(self.inflated);
        }
        match kind {
            Some(kind) if !kind.opens() => {
                self.unopened(&chain, kind);
                let mut rest = Cursor::new(head).chain(&mut limited);
                self.sink.member(&chain, &mut rest);
                self.members += 1;
                *self.by_kind.entry(container).or_default() += 1;
                let _ = io::copy(&mut rest, &mut io::sink());
            }
            Some(kind) if depth >= self.limits.max_depth => {
                self.warn(
                    &chain,
                    format!(
                        "{} archive nested deeper than {} levels; not opened (--max-archive-depth)",
                        kind.name(),
                        self.limits.max_depth
                    ),
                );
            }
            Some(kind) => {
                let mut rest = Cursor::new(head).chain(&mut limited);
                if kind.random_access() {
                    // Random access needed: hold it in memory if small enough — and if what
                    // the levels above already hold leaves room (the bound is on the chain).
                    let mut data = Vec::new();
                    let room = MAX_HELD_IN_CHAIN.saturating_sub(self.held);
                    let cap = MAX_NESTED_IN_MEMORY.min(budget).min(room);
                    match (&mut rest).take(cap + 1).read_to_end(&mut data) {
                        Ok(_) if data.len() as u64 <= cap => {
                            let held = data.len() as u64;
                            self.held += held;
                            self.random(&chain, kind, Cursor::new(data), depth + 1);
                            self.held -= held;
                        }
                        Ok(_) if !matches!(kind, Kind::Zip | Kind::Crx3) => {
                            self.unopened += 1;
                            self.warn(
                                &chain,
                                format!(
                                    "a nested {} must fit in {} MiB of memory to be opened; not \
                                     opened",
                                    kind.name(),
                                    cap >> 20
                                ),
                            );
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
                            zip::stream(self, &chain, &mut again, depth + 1);
                        }
                        Err(e) => self.warn(&chain, format!("cannot read nested archive: {e}")),
                    }
                } else {
                    compressed::stream(self, &chain, kind, &mut rest, depth + 1);
                }
            }
            None => {
                let mut rest = Cursor::new(head).chain(&mut limited);
                self.sink.member(&chain, &mut rest);
                self.members += 1;
                *self.by_kind.entry(container).or_default() += 1;
                // Drain what the scanner did not read, so streams stay in step.
                let _ = io::copy(&mut rest, &mut io::sink());
            }
        }
        // A tar's and a cpio's members counted their own bytes.
        if !matches!(kind, Some(Kind::Tar | Kind::Cpio)) {
            self.inflated += limited.read;
        }
        if let Some(why) = limited.stop {
            self.warn(&chain, why.to_string());
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

    fn member_budget(&self) -> u64 {
        self.limits
            .max_entry_bytes
            .min(self.limits.max_archive_bytes.saturating_sub(self.inflated))
    }
}

impl Walk for ArchiveReader<'_> {
    fn file_name(&self, path: &str) -> String {
        match &self.top_name {
            Some(name) if path == self.top => name.clone(),
            _ => {
                let last = path.rsplit('!').next().unwrap_or(path);
                last.rsplit('/').next().unwrap_or(last).to_string()
            }
        }
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

    fn member(&mut self, at: At<'_>, reader: &mut dyn Read) {
        self.open_member(at, reader);
    }

    fn member_budget(&self) -> u64 {
        ArchiveReader::member_budget(self)
    }

    fn entries_left(&self) -> u64 {
        self.limits.max_entries.saturating_sub(self.entries)
    }

    fn stream(&mut self, path: &str, kind: Kind, reader: &mut dyn Read, depth: usize) {
        compressed::stream(self, path, kind, reader, depth);
    }

    fn warn(&mut self, path: &str, message: String) {
        self.warnings += 1;
        self.sink.warn(path, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Sink {
        members: usize,
        bytes: u64,
        warnings: Vec<String>,
    }

    impl MemberSink for Sink {
        fn member(&mut self, _path: &str, content: &mut dyn Read) {
            self.members += 1;
            self.bytes += io::copy(content, &mut io::sink()).unwrap_or(0);
        }
        fn warn(&mut self, _path: &str, message: String) {
            self.warnings.push(message);
        }
    }

    fn sample_zip() -> Vec<u8> {
        use std::io::Write;
        let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, method) in [
            ("a.txt", ::zip::CompressionMethod::Deflated),
            ("b.bin", ::zip::CompressionMethod::Stored),
        ] {
            let opts = ::zip::write::SimpleFileOptions::default().compression_method(method);
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
        let mut tar = ::tar::Builder::new(Vec::new());
        let mut h = ::tar::Header::new_gnu();
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
                let mut sink = Sink::default();
                let limits = Limits {
                    max_entries: 50,
                    ..Limits::default()
                };
                let mut reader = ArchiveReader::new(limits, &mut sink);
                if let Some(kind) = detect(&data) {
                    reader.read_stream("t", kind, &mut data.as_slice());
                    zip::seekable(&mut reader, "t", Cursor::new(&data), 1);
                }
                assert!(sink.members <= 2 * 50 + 2);
            }
        }
    }

    /// An XALZ block that gives less than its header declares (cut short where a sequence
    /// ends, which decodes without an error) is scanned as far as it goes, with a warning.
    #[test]
    fn a_short_xalz_block_warns() {
        let assembly = b"MZ assembly text sk_live_ and more ".repeat(40);
        let block = lz4_flex::block::compress(&assembly);
        for (declared, warned) in [(assembly.len(), false), (assembly.len() + 100, true)] {
            let mut xalz = b"XALZ".to_vec();
            xalz.extend_from_slice(&3u32.to_le_bytes());
            xalz.extend_from_slice(&(declared as u32).to_le_bytes());
            xalz.extend_from_slice(&block);
            let mut sink = Sink::default();
            let mut reader = ArchiveReader::new(Limits::default(), &mut sink);
            assert_eq!(detect(&xalz), Some(Kind::Xalz));
            reader.read_stream("Pay.dll", Kind::Xalz, &mut xalz.as_slice());
            assert_eq!((sink.members, sink.bytes), (1, assembly.len() as u64));
            assert_eq!(
                sink.warnings.iter().any(|m| m.contains("of the")),
                warned,
                "{:?}",
                sink.warnings
            );
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
        let strip = compressed::strip_compression_ext;
        assert_eq!(strip("a/site.tgz"), "site.tar");
        assert_eq!(strip("bundle.js.gz"), "bundle.js");
    }
}
