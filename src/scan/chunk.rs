//! Bookkeeping for scanning a blob in chunks: where a chunk sits (offset, lines before it),
//! filling the chunk buffer from a reader, and columns counted in UTF-16 code units.

use std::io::{self, Read};

/// Where a chunk sits in its blob, and how many lines came before it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Position {
    /// Offset of the chunk's first byte in the blob.
    pub offset: u64,
    /// Newlines in the blob before `offset`.
    pub lines: u64,
    /// Offset just past the last newline before `offset` (0 if none).
    pub line_start: u64,
}

/// UTF-16 code units that `bytes` (UTF-8, or not) would take: invalid bytes count one each.
pub fn utf16_units(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0xBF => 0, // continuation bytes
            0xF0..=0xF7 => 2, // four-byte sequences are surrogate pairs
            _ => 1,
        })
        .sum()
}

/// Reads into `buf` until it holds `cap` bytes or the reader ends; returns whether it ended.
/// Bytes read before an error stay in `buf`.
pub fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, cap: usize) -> io::Result<bool> {
    let want = cap.saturating_sub(buf.len());
    if want == 0 {
        return Ok(false);
    }
    let got = reader.take(want as u64).read_to_end(buf)?;
    Ok(got < want)
}
