//! Zip and its family (jar, war, apk, aab, ipa, whl, nupkg, vsix, xpi) and CRX3 (a header,
//! then a zip): members from the central directory when it is usable (several readers can
//! share one zip, each taking every n-th member), else from their local headers (a truncated
//! zip, a stream, entries sharing a name).

use std::io::{self, Read, Seek, SeekFrom};

use crate::source::archive::detect::Kind;
use crate::source::archive::walk::{At, Walk};

pub(super) fn seekable<R: Read + Seek>(w: &mut dyn Walk, path: &str, reader: R, depth: usize) {
    members(w, path, reader, depth, 0, 1);
}

pub(super) fn members<R: Read + Seek>(
    w: &mut dyn Walk,
    path: &str,
    mut reader: R,
    depth: usize,
    part: usize,
    parts: usize,
) {
    let declared = declared_entries(&mut reader);
    // The central directory is read whole before any member: past the entry limit it would
    // cost memory for entries never read. The local headers stop at the limit instead.
    if declared.is_some_and(|d| d > w.entries_left().saturating_mul(parts as u64)) {
        if part == 0 {
            w.warn(
                path,
                format!(
                    "declares {} entries, more than the limit leaves; read from the local \
                     headers up to it",
                    declared.unwrap_or(0)
                ),
            );
            if reader.seek(SeekFrom::Start(0)).is_ok() {
                stream(w, path, &mut reader, depth);
            }
        }
        return;
    }
    match zip::ZipArchive::new(&mut reader) {
        Ok(archive) if declared.is_some_and(|d| d > archive.len() as u64) => {
            // Several entries share a name and the central directory's reader keeps the
            // last of them: every entry is read from its local header instead.
            drop(archive);
            if part == 0 {
                w.warn(
                    path,
                    "entries share names; every one is read from its local header".to_string(),
                );
                if reader.seek(SeekFrom::Start(0)).is_ok() {
                    stream(w, path, &mut reader, depth);
                }
            }
        }
        Ok(mut archive) => {
            // Entries pointing at a member already read (a central directory fanning out onto
            // one member) are read once.
            let mut read_at = std::collections::HashSet::new();
            let mut again = 0u64;
            for i in (part..archive.len()).step_by(parts) {
                if !w.count_entry(path) {
                    break;
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
                        if !read_at.insert(zf.header_start()) {
                            again += 1;
                            continue;
                        }
                        let compressed = zf.compressed_size();
                        w.member(
                            At::new(Kind::Zip, path, &name, depth).compressed(compressed),
                            &mut zf,
                        );
                    }
                    Err(e) => {
                        w.warn(
                            &format!("{path}!{name}"),
                            format!("cannot read member: {e}; skipped"),
                        );
                    }
                }
            }
            if again > 0 {
                w.warn(
                    path,
                    format!(
                        "{again} more central-directory entries point at members already \
                         read; each member was scanned once"
                    ),
                );
            }
        }
        // No usable central directory (truncated, or a stream): the first part walks the
        // local headers.
        Err(e) if part == 0 => {
            w.warn(
                path,
                format!("{e}; reading members from their local headers instead"),
            );
            if reader.seek(SeekFrom::Start(0)).is_ok() {
                stream(w, path, &mut reader, depth);
            }
        }
        Err(_) => {}
    }
}

pub(super) fn stream(w: &mut dyn Walk, path: &str, mut reader: &mut dyn Read, depth: usize) {
    let reader = &mut reader;
    loop {
        if !w.count_entry(path) {
            return;
        }
        match zip::read::read_zipfile_from_stream(reader) {
            Ok(Some(mut zf)) => {
                let name = zf.name().map(|n| n.into_owned()).unwrap_or_default();
                if zf.is_dir() && zf.size() == 0 {
                    continue;
                }
                let compressed = zf.compressed_size();
                w.member(
                    At::new(Kind::Zip, path, &name, depth).compressed(compressed),
                    &mut zf,
                );
            }
            Ok(None) => return,
            Err(e) => {
                w.warn(path, format!("stopped reading local headers: {e}"));
                return;
            }
        }
    }
}

/// Reads a CRX file's fixed header; returns the length of the signed header that follows
/// (the zip starts after it).
pub(super) fn crx_header(w: &mut dyn Walk, path: &str, reader: &mut dyn Read) -> Option<u64> {
    let mut header = [0u8; 12];
    if reader.read_exact(&mut header).is_err() {
        w.warn(path, "truncated CRX header; not opened".to_string());
        return None;
    }
    Some(u64::from(u32::from_le_bytes([
        header[8], header[9], header[10], header[11],
    ])))
}

pub(super) fn crx<R: Read + Seek>(w: &mut dyn Walk, path: &str, mut reader: R, depth: usize) {
    let Some(len) = crx_header(w, path, &mut reader) else {
        return;
    };
    match reader.seek(SeekFrom::Start(12 + len)) {
        Ok(start) => {
            let rest = OffsetReader {
                inner: reader,
                start,
            };
            seekable(w, path, rest, depth);
        }
        Err(e) => w.warn(path, format!("bad CRX header: {e}; not opened")),
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
    if n != u16::MAX {
        return Some(u64::from(n));
    }
    // Zip64: the locator just before the record points at the zip64 end record, whose
    // entry count is a u64 at byte 32.
    let locator = buf.get(at.checked_sub(20)?..at)?;
    if &locator[..4] != b"PK\x06\x07" {
        return None;
    }
    let offset = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    reader.seek(SeekFrom::Start(offset)).ok()?;
    let mut record = [0u8; 40];
    reader.read_exact(&mut record).ok()?;
    (&record[..4] == b"PK\x06\x06")
        .then(|| u64::from_le_bytes(record[32..40].try_into().unwrap_or([0; 8])))
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
