//! The 3-byte window the keyword filter works on: how it is read from bytes and hashed to its
//! place in the filter's table (shared by the filter and the choice of anchors).

/// Bytes per window: the shortest keyword the filter takes.
pub const WINDOW: usize = 3;
/// log2 of the number of bits in the table.
pub(crate) const HASH_BITS: u32 = 18;

/// The hash's multiplier (Knuth's golden-ratio constant).
pub(crate) const MULTIPLIER: u32 = 0x9E37_79B1;

/// The window's multiplicative hash, whose top `HASH_BITS` bits are its place in the table;
/// `word` holds the window in its low 3 bytes (little-endian) and anything above.
#[inline(always)]
pub(crate) fn mix(word: u32) -> u32 {
    (word & 0x00FF_FFFF).wrapping_mul(MULTIPLIER)
}

/// The window's place in the table.
pub(crate) fn hash(word: u32) -> usize {
    (mix(word) >> (32 - HASH_BITS)) as usize
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
