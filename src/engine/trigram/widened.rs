//! The keyword filter's test before confirming a window: the anchor widened by a byte of its
//! keyword. An anchor is 3 bytes and, for some keywords, common in text (`bab` of `alibaba`
//! in every `babel`); with the keyword's next byte (or, for an anchor that ends its keyword,
//! the byte before it) it is four, and far rarer. The 4-byte windows of every keyword, in
//! every case for a keyword matched in any case, are hashed into a set of 16 KiB (a blocked
//! Bloom filter: two bits of one 64-bit word per window; small enough to stay in the L1 cache
//! beside the haystack, which mattered more than the fewer windows a set twice the size lets
//! through); a window is confirmed only when its widened window's bits are set. Like every
//! test before confirming, it only turns away windows that cannot start a keyword's anchor.

use crate::engine::anchor::cases_of;
use crate::engine::window::word_at;

/// log2 of the 64-bit words of the set (16 KiB).
const WORDS: u32 = 11;

/// How a keyword's widened window sits around its anchor; each kind is hashed apart.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The anchor and the byte after it.
    Next = 0,
    /// The byte before the anchor and the anchor (an anchor that ends its keyword).
    Before = 1,
    /// The anchor alone (a keyword of 3 bytes).
    Alone = 2,
}

#[derive(Debug, Clone)]
pub(crate) struct Widened {
    bits: Box<[u64; 1 << WORDS]>,
}

/// The word and the two bits of a widened window of `kind`.
#[inline(always)]
fn slot(kind: Kind, word: u32) -> (usize, u64) {
    const SALT: [u32; 3] = [0, 0x5BD1_E995, 0x2545_F491];
    // The top bits of the product: WORDS for the word, 6 for each bit.
    let h = u64::from(word ^ SALT[kind as usize]).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        >> (64 - WORDS - 12);
    ((h >> 12) as usize, 1 << (h & 63) | 1 << ((h >> 6) & 63))
}

impl Widened {
    /// The set for `keywords`: each with where its anchor starts in it and whether it is
    /// matched in any case (then it is in lower case).
    pub(crate) fn new<'a>(keywords: impl IntoIterator<Item = (&'a [u8], usize, bool)>) -> Self {
        let mut set = Widened {
            bits: Box::new([0u64; 1 << WORDS]),
        };
        for (kw, off, any_case) in keywords {
            let (kind, at) = if off + 4 <= kw.len() {
                (Kind::Next, off)
            } else if off >= 1 {
                (Kind::Before, off - 1)
            } else {
                (Kind::Alone, off)
            };
            let word = match kind {
                Kind::Alone => word_at(kw, at) & 0x00FF_FFFF,
                _ => word_at(kw, at),
            };
            // Every case of the low 3 bytes, each with both cases of the fourth.
            let fourth = word & 0xFF00_0000;
            let other_fourth = match (word >> 24) as u8 {
                b if any_case && b.is_ascii_lowercase() => u32::from(b.to_ascii_uppercase()) << 24,
                _ => fourth,
            };
            let lows = cases_of(word & 0x00FF_FFFF).take(if any_case { 8 } else { 1 });
            for low in lows {
                for high in [fourth, other_fourth] {
                    let (at, bits) = slot(kind, low | high);
                    set.bits[at] |= bits;
                }
            }
        }
        set
    }

    fn has(&self, kind: Kind, word: u32) -> bool {
        let (at, bits) = slot(kind, word);
        self.bits[at & ((1 << WORDS) - 1)] & bits == bits
    }

    /// Whether the window at `pos` may be the anchor of a keyword, by its widened windows.
    /// Without branches on the answers (a window passes about one time in ten, unpredictably).
    #[inline]
    pub(crate) fn may_anchor(&self, hay: &[u8], pos: usize) -> bool {
        // The byte before the window, the window and the byte after it, in one load.
        let (before, word) = match pos.checked_sub(1).and_then(|s| hay.get(s..s + 8)) {
            Some(b) => {
                let w = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                (w as u32, (w >> 8) as u32)
            }
            None => (word_at(hay, pos.saturating_sub(1)), word_at(hay, pos)),
        };
        self.has(Kind::Next, word)
            | (pos > 0) & self.has(Kind::Before, before)
            | self.has(Kind::Alone, word & 0x00FF_FFFF)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_passes_at_its_anchor_in_every_case_and_others_mostly_not() {
        let kws: [(&[u8], usize, bool); 4] = [
            (b"alibaba", 3, true),
            (b"sk_live_", 5, false),
            (b"r8_", 0, false),
            (b"tles", 1, true),
        ];
        let set = Widened::new(kws.iter().copied());
        for (kw, off, any_case) in kws {
            let spellings = if any_case {
                vec![kw.to_vec(), kw.to_ascii_uppercase(), {
                    let mut m = kw.to_vec();
                    m[off] = m[off].to_ascii_uppercase();
                    m
                }]
            } else {
                vec![kw.to_vec()]
            };
            for s in spellings {
                let hay = [b"xy ".as_slice(), &s, b" z"].concat();
                assert!(
                    set.may_anchor(&hay, 3 + off),
                    "{}",
                    String::from_utf8_lossy(&s)
                );
                // At the very start and end of the haystack too.
                assert!(set.may_anchor(&s, off));
            }
        }
        // The same anchors in other words.
        let hay = b"babel sk_livex titleS";
        let turned_away = [1usize, 8, 17]
            .iter()
            .filter(|&&p| !set.may_anchor(hay, p))
            .count();
        assert!(turned_away >= 2, "{turned_away}");
    }
}
