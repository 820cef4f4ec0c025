//! Compressed streams — gzip (every member), bzip2, xz (liblzma, memory bounded), zstd (every
//! frame) — and what they hold: a tar (one hop: `x.tgz!package/a.js`), another archive, or a
//! single file named after the stream (`a.js.gz!a.js`). The inflate ratio counts the stream's
//! compressed bytes.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::source::archive::detect::Kind;
use crate::source::archive::limits::Counting;
use crate::source::archive::walk::Walk;
use crate::source::archive::{tar, zip};

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
            decompressed(w, path, &mut d, depth, consumed);
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
            decompressed(w, path, &mut d, depth, consumed);
        }
        Kind::Zstd => {
            let mut d = ZstdFrames::new(reader);
            decompressed(w, path, &mut d, depth, consumed);
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
                    decompressed(w, path, &mut d, depth, consumed);
                }
                Err(e) => w.warn(path, format!("cannot start an xz decoder: {e}")),
            }
        }
        Kind::Zip | Kind::Crx3 => {
            // A zip met as a stream (inside a tar, say) and too big to hold in memory.
            zip::stream(w, path, reader, depth);
        }
    }
}

/// The output of a compression stream: a tar, another archive, or a single file named
/// after the stream without its compression extension.
/// `consumed` counts the compressed bytes read so far (for the inflate-ratio limit).
fn decompressed(
    w: &mut dyn Walk,
    path: &str,
    reader: &mut dyn Read,
    depth: usize,
    consumed: Rc<Cell<u64>>,
) {
    let inner = strip_compression_ext(&w.file_name(path));
    w.member(path, &inner, reader, 0, depth, Some(consumed));
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
    ] {
        if let Some(stem) = base.strip_suffix(ext) {
            return format!("{stem}{repl}");
        }
    }
    format!("{base}.decompressed")
}
