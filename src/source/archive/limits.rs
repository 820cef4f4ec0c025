//! What archives may cost — nesting depth, bytes per member and per archive, the inflate ratio,
//! members per archive, bytes per file, how deep encodings are undone — and the readers that
//! hold a member to them.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

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
    /// Encodings nested in one another that are undone to find a key (base64 of hex …);
    /// 0 turns decoding off.
    pub max_decode_depth: usize,
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
            max_decode_depth: 3,
        }
    }
}

/// Deeper nesting is refused whatever the settings: each level is a frame on the stack.
pub const MAX_DEPTH_CEILING: usize = 256;

/// A reader that stops a member at its byte budget or when it inflates too fast.
pub(super) struct Limited<'a> {
    pub(super) inner: &'a mut dyn Read,
    pub(super) read: u64,
    pub(super) max: u64,
    /// The member's compressed size from its header (0: unknown).
    pub(super) compressed: u64,
    /// For a compression stream: the compressed bytes read so far.
    pub(super) consumed: Option<Rc<Cell<u64>>>,
    pub(super) ratio: u64,
    pub(super) stop: Option<&'static str>,
}

/// Counts the bytes read through it (the compressed side of a stream).
pub(super) struct Counting<'a> {
    pub(super) inner: &'a mut dyn Read,
    pub(super) count: Rc<Cell<u64>>,
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
