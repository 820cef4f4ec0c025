//! The 3-byte window the keyword filter works on: how it is read from bytes and hashed to its
//! place in the filter's table (shared by the filter and the choice of anchors).

/// Bytes per window: the shortest keyword the filter takes.
pub const WINDOW: usize = 3;
/// log2 of the number of bits in the table: one bit for every 3-byte window (2 MiB), so two
/// windows never share a bit. Text touches a few hundred KiB of it (its windows' bytes are
/// mostly printable), which stays in the L2 cache.
pub(crate) const HASH_BITS: u32 = 24;
/// log2 of the number of buckets the table's set windows are filed under (for confirming).
pub(crate) const BUCKET_BITS: u32 = 16;

/// The multiplier of the bucket hash (Knuth's golden-ratio constant).
const MULTIPLIER: u32 = 0x9E37_79B1;

/// The window's place in the table in the top `HASH_BITS` bits: the window itself, shifted up
/// (`word` holds it in its low 3 bytes; the byte above is shifted out).
#[inline(always)]
pub(crate) fn mix(word: u32) -> u32 {
    word << 8
}

/// The window's place in the table.
pub(crate) fn hash(word: u32) -> usize {
    (mix(word) >> (32 - HASH_BITS)) as usize
}

/// The bucket a set window is filed under: a multiplicative hash of the window, spreading
/// windows that differ in any byte.
pub(crate) fn bucket(word: u32) -> usize {
    ((word & 0x00FF_FFFF).wrapping_mul(MULTIPLIER) >> (32 - BUCKET_BITS)) as usize
}

/// The 4 bytes at `at` as a little-endian word, zero past the end of `bytes`.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    match bytes.get(at..at + 4) {
        Some(b) => w.copy_from_slice(b),
        None => {
            let b = bytes.get(at..).unwrap_or_default();
            w[..b.len()].copy_from_slice(b);
        }
    }
    u32::from_le_bytes(w)
}
