//! Compressed streams — gzip (every member), bzip2, xz (liblzma, memory bounded), zstd (every
//! frame) — and what they hold: a tar (one hop: `x.tgz!package/a.js`), another archive, or a
//! single file named after the stream (`a.js.gz!a.js`). The inflate ratio counts the stream's
//! compressed bytes.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::source::archive::detect::Kind;
use crate::source::archive::limits::Counting;
use crate::source::archive::walk::{At, Walk};
use crate::source::archive::{ar, cpio, rpm, tar, zip};

/// Memory an xz decoder may take (bytes): enough for the largest preset's 64 MiB dictionary;
/// a stream that declares more is refused with a warning rather than allocated.
const XZ_MEMORY: u64 = 80 << 20;

/// Compressed streams and tar.
pub(super) fn stream(
    w: &mut dyn Walk,
    path: &str,
    kind: Kind,
    reader: &mut dyn Read,
    depth: usize,
) {
    // Compressed bytes consumed so far: the inflate-ratio limit holds for streams too.
    let consumed = Rc::new(Cell::new(0u64));
    let mut counted = Counting {
        inner: reader,
        count: Rc::clone(&consumed),
    };
    let reader: &mut dyn Read = &mut counted;
    match kind {
        Kind::Tar => tar::read(w, path, reader, depth),
        Kind::Gzip => {
            let mut d = GzMembers::new(io::BufReader::new(reader));
            decompressed(w, path, kind, &mut d, depth, consumed);
            if d.trailing {
                w.warn(
                    path,
                    "bytes after the gzip stream are no gzip member; scanned as they are"
                        .to_string(),
                );
            }
        }
        Kind::Bzip2 => {
            let mut d = bzip2::read::MultiBzDecoder::new(reader);
            decompressed(w, path, kind, &mut d, depth, consumed);
        }
        Kind::Zstd => {
            let mut d = ZstdFrames::new(reader);
            decompressed(w, path, kind, &mut d, depth, consumed);
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
                    decompressed(w, path, kind, &mut d, depth, consumed);
                }
                Err(e) => w.warn(path, format!("cannot start an xz decoder: {e}")),
            }
        }
        Kind::Lz4 => {
            let mut d = lz4_flex::frame::FrameDecoder::new(reader);
            decompressed(w, path, Kind::Lz4, &mut d, depth, consumed);
        }
        Kind::Xalz => xalz(w, path, reader, depth),
        Kind::Ar => ar::read(w, path, reader, depth),
        Kind::Cpio => cpio::read(w, path, reader, depth),
        Kind::Rpm => rpm::read(w, path, reader, depth),
        Kind::Zip | Kind::Crx3 => {
            // A zip met as a stream (inside a tar, say) and too big to hold in memory.
            zip::stream(w, path, reader, depth);
        }
        Kind::SevenZip | Kind::Cfb => w.warn(
            path,
            format!(
                "a {} needs random access and is too large to hold in memory here; not opened",
                kind.name()
            ),
        ),
        _ => w.warn(path, format!("not opened: {}", kind.name())),
    }
}

/// A .NET assembly compressed by Xamarin / .NET MAUI: `XALZ`, a descriptor index, the
/// uncompressed size (both little-endian u32), then one LZ4 block. Decompressed whole (an
/// assembly's size is bounded by the member limit), and scanned as the assembly it is.
fn xalz(w: &mut dyn Walk, path: &str, reader: &mut dyn Read, depth: usize) {
    let mut header = [0u8; 12];
    if reader.read_exact(&mut header).is_err() {
        w.warn(path, "truncated XALZ header; not decompressed".to_string());
        return;
    }
    let size = u64::from(u32::from_le_bytes([
        header[8], header[9], header[10], header[11],
    ]));
    let budget = w.member_budget();
    if size > budget {
        w.warn(
            path,
            format!("XALZ declares {size} bytes, past the member limit; not decompressed (--max-entry-bytes)"),
        );
        return;
    }
    let mut block = Vec::new();
    // An LZ4 block is at most about 1/255 smaller than its output.
    if let Err(e) = reader.take(size + size / 255 + 16).read_to_end(&mut block) {
        w.warn(path, format!("cannot read XALZ data: {e}"));
        return;
    }
    // An LZ4 block grows at most 255-fold: a header declaring more than its block can give
    // does not get the memory it declares.
    let possible = (block.len() as u64).saturating_mul(255).saturating_add(64);
    let mut out = vec![0u8; size.min(possible) as usize];
    match lz4_flex::block::decompress_into(&block, &mut out) {
        Ok(n) => {
            out.truncate(n);
            // A block cut short can still end where a sequence ends: less than declared came
            // out. What did is scanned, and the warning says the assembly is incomplete.
            if n as u64 != size {
                w.warn(
                    path,
                    format!(
                        "XALZ block gives {n} of the {size} bytes its header declares \
                         (truncated or corrupt); what it gives is scanned"
                    ),
                );
            }
            let name = w.file_name(path);
            w.member(At::new(Kind::Xalz, path, &name, depth), &mut &out[..]);
        }
        Err(e) => w.warn(path, format!("XALZ block does not decompress: {e}")),
    }
}

/// The output of a compression stream: a tar, another archive, or a single file named
/// after the stream without its compression extension.
/// `consumed` counts the compressed bytes read so far (for the inflate-ratio limit).
fn decompressed(
    w: &mut dyn Walk,
    path: &str,
    kind: Kind,
    reader: &mut dyn Read,
    depth: usize,
    consumed: Rc<Cell<u64>>,
) {
    let inner = strip_compression_ext(&w.file_name(path));
    let mut at = At::new(kind, path, &inner, depth);
    at.stream = Some(consumed);
    w.member(at, reader);
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
/// writes one per input and concatenates them); skippable frames (metadata) are passed over
/// here, however many. Bytes after the last frame that start no frame are a read error (a
/// warning).
struct ZstdFrames<R: Read> {
    state: ZstdState<R>,
}

enum ZstdState<R: Read> {
    Between(Peek<R>),
    In(Box<ruzstd::decoding::StreamingDecoder<Peek<R>, ruzstd::decoding::FrameDecoder>>),
    Done,
}

impl<R: Read> ZstdFrames<R> {
    fn new(inner: R) -> Self {
        ZstdFrames {
            state: ZstdState::Between(Peek::new(inner)),
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
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
                    let next = r.peek(8)?;
                    if next.is_empty() {
                        return Ok(0);
                    }
                    // A skippable frame: magic 0x184D2A5?, its length, then that many bytes.
                    if next.len() == 8 && next[0] & 0xf0 == 0x50 && next[1..4] == [0x2a, 0x4d, 0x18]
                    {
                        let len = u32::from_le_bytes([next[4], next[5], next[6], next[7]]);
                        r.skip(8);
                        io::copy(&mut (&mut r).take(u64::from(len)), &mut io::sink())?;
                        self.state = ZstdState::Between(r);
                        continue;
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

/// A buffered reader that can look a few bytes ahead whatever its buffer holds.
struct Peek<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: Read> Peek<R> {
    fn new(inner: R) -> Self {
        Peek {
            inner,
            buf: Vec::with_capacity(1 << 16),
            pos: 0,
        }
    }

    /// The next `n` bytes (fewer at the end of the input), not consumed.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.buf.len() - self.pos < n {
            self.buf.drain(..self.pos);
            self.pos = 0;
            while self.buf.len() < n {
                let at = self.buf.len();
                self.buf.resize((at + (1 << 16)).max(n), 0);
                let got = match self.inner.read(&mut self.buf[at..]) {
                    Ok(got) => got,
                    Err(e) => {
                        self.buf.truncate(at);
                        return Err(e);
                    }
                };
                self.buf.truncate(at + got);
                if got == 0 {
                    break;
                }
            }
        }
        let end = (self.pos + n).min(self.buf.len());
        Ok(&self.buf[self.pos..end])
    }

    fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

impl<R: Read> Read for Peek<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.buf.len() {
            let n = (self.buf.len() - self.pos).min(out.len());
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.buf.clear();
        self.pos = 0;
        if out.len() >= 1 << 16 {
            return self.inner.read(out);
        }
        // Small reads are served from a refilled buffer.
        let n = {
            let next = self.peek(1)?;
            let n = next.len().min(out.len());
            out[..n].copy_from_slice(&next[..n]);
            n
        };
        self.pos += n;
        Ok(n)
    }
}

/// `bundle.js.gz` → `bundle.js`; `site.tgz` → `site.tar`.
pub(super) fn strip_compression_ext(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    for (ext, repl) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".txz", ".tar"),
        (".gz", ""),
        (".bz2", ""),
        (".xz", ""),
        (".zst", ""),
        (".tlz4", ".tar"),
        (".lz4", ""),
    ] {
        if let Some(stem) = base.strip_suffix(ext) {
            return format!("{stem}{repl}");
        }
    }
    format!("{base}.decompressed")
}
