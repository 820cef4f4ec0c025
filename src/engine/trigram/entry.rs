//! An entry of the keyword filter's index: a keyword behind an anchor window, with its first
//! 8 bytes held for one compare before the keyword itself is read (most windows that reach
//! confirming are turned away there, without touching the keyword's bytes elsewhere in memory).

/// A keyword behind a hash value: the anchor window, then the keyword's first 8 bytes (in
/// one compare, without reading the keyword) are compared before the whole keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Entry {
    /// The keyword's id.
    pub(super) id: u32,
    /// Where its anchor starts in it.
    pub(super) off: u32,
    /// The anchor's 3 bytes as a little-endian word (for a keyword in any case: one case).
    pub(super) anchor: u32,
    /// The keyword is compared without ASCII case (its bytes are lower case).
    pub(super) any_case: bool,
    /// The keyword's first 8 bytes (fewer, if it is shorter: zeros after), little-endian.
    head: u64,
    /// 0x20 in each byte of `head` that is a letter of a keyword in any case: OR-ed into the
    /// haystack's bytes, it makes either case of that letter the lower one.
    fold: u64,
    /// 0xFF in each byte of `head` that the keyword has.
    care: u64,
}

impl Entry {
    pub(super) fn new(id: u32, kw: &[u8], off: usize, anchor: u32, any_case: bool) -> Self {
        let mut head = [0u8; 8];
        let mut fold = [0u8; 8];
        let mut care = [0u8; 8];
        for (i, &b) in kw.iter().take(8).enumerate() {
            head[i] = b;
            fold[i] = if any_case && b.is_ascii_lowercase() {
                0x20
            } else {
                0
            };
            care[i] = 0xFF;
        }
        Entry {
            id,
            off: off as u32,
            anchor,
            any_case,
            head: u64::from_le_bytes(head),
            fold: u64::from_le_bytes(fold),
            care: u64::from_le_bytes(care),
        }
    }

    /// Whether the 8 bytes at `start` (as many as `hay` has) may begin the keyword: exact
    /// for a keyword of up to 8 bytes.
    #[inline]
    pub(super) fn head_matches(&self, hay: &[u8], start: usize) -> bool {
        let mut h = [0u8; 8];
        match hay.get(start..start + 8) {
            Some(b) => h.copy_from_slice(b),
            None => {
                let b = hay.get(start..).unwrap_or_default();
                // Fewer bytes left than the keyword's first 8 (or all of it): no match.
                if b.len() < (self.care.count_ones() / 8) as usize {
                    return false;
                }
                h[..b.len()].copy_from_slice(b);
            }
        }
        (u64::from_le_bytes(h) | self.fold) & self.care == self.head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_match_the_keyword_in_its_cases_and_nothing_else() {
        let exact = Entry::new(0, b"sk_live_x", 3, 0, false);
        let any = Entry::new(1, b"api-key", 0, 0, true);
        let short = Entry::new(2, b"r8_", 0, 0, false);
        let hay = b"..sk_live_x API-Key Api-kEy api_key sk_Live_ r8_";
        let at = |s: &str| {
            (hay.windows(s.len()))
                .position(|w| w == s.as_bytes())
                .expect("in hay")
        };
        assert!(exact.head_matches(hay, at("sk_live_")));
        assert!(!exact.head_matches(hay, at("sk_Live_")));
        assert!(any.head_matches(hay, at("API-Key")));
        assert!(any.head_matches(hay, at("Api-kEy")));
        // `_` is not `-` in any case (0x5f | 0x20 is 0x7f, not 0x2d).
        assert!(!any.head_matches(hay, at("api_key")));
        // At the very end: as many bytes as the keyword has are enough, fewer are not.
        assert!(short.head_matches(hay, hay.len() - 3));
        assert!(!short.head_matches(hay, hay.len() - 2));
        assert!(!short.head_matches(hay, hay.len()));
        assert!(!exact.head_matches(b"sk_liv", 0));
        // A keyword ending in a zero byte is not matched by the end of the haystack.
        let nul = Entry::new(3, b"ab\0", 0, 0, false);
        assert!(nul.head_matches(b"ab\0", 0));
        assert!(!nul.head_matches(b"xab", 1));
    }
}
