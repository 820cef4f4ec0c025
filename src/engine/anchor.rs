//! Which 3-byte window of a keyword the trigram filter looks for (its *anchor*): the one with
//! the fewest expected false hits per gigabyte of code, from a table of the windows common in
//! code and, for the others, their bytes' frequencies. For a keyword matched in any case, a
//! window costs what all its cases cost.

use std::collections::HashMap;

use crate::engine::byte_freq::BYTE_FREQ_PER_MILLION;
use crate::engine::window::{WINDOW, word_at};
use crate::fasthash::FastHash;
use crate::rules::trigram_freq::COMMON_TRIGRAMS;

/// Every ASCII case of the 3-byte window `window` (low 3 bytes, lower case): 1 to 8 windows.
pub(crate) fn cases_of(window: u32) -> impl Iterator<Item = u32> {
    let mut out = [window; 8];
    let mut n = 1;
    for i in 0..WINDOW {
        let b = (window >> (8 * i)) as u8;
        if b.is_ascii_lowercase() {
            let flip = u32::from(b ^ b.to_ascii_uppercase()) << (8 * i);
            for j in 0..n {
                out[n + j] = out[j] ^ flip;
            }
            n *= 2;
        }
    }
    out.into_iter().take(n)
}

/// Picks each keyword's anchor: the window with the fewest expected false hits per gigabyte
/// of code. The filter's table has a bit per window (no two share one), so a window costs its
/// own occurrences: its count among the common windows, or, for the others, what its bytes'
/// frequencies predict (never more than the least common of those counted).
pub(crate) struct AnchorCost {
    /// The common windows' counts, by window (low 3 bytes of a little-endian word).
    common: HashMap<u32, u32, FastHash>,
    /// The frequency of the least common window counted.
    floor: f64,
}

impl AnchorCost {
    pub(crate) fn new() -> Self {
        let common = (COMMON_TRIGRAMS.iter())
            .map(|&(w, n)| (word_at(&w, 0), n))
            .collect();
        let floor = COMMON_TRIGRAMS.iter().map(|&(_, n)| n).min().unwrap_or(0);
        AnchorCost {
            common,
            floor: f64::from(floor),
        }
    }

    /// The offset of the keyword's cheapest window (the first, of equally cheap ones); for a
    /// keyword in any case, a window costs what all its cases cost.
    pub(crate) fn best(&self, kw: &[u8], any_case: bool) -> usize {
        let costs: Vec<f64> = (0..=kw.len().saturating_sub(WINDOW))
            .map(|q| {
                let window = word_at(&kw[q..q + WINDOW], 0) & 0x00FF_FFFF;
                if any_case {
                    cases_of(window).map(|w| self.cost(w)).sum()
                } else {
                    self.cost(window)
                }
            })
            .collect();
        (0..costs.len())
            .min_by(|&a, &b| costs[a].total_cmp(&costs[b]))
            .unwrap_or(0)
    }

    /// The expected hits per gigabyte of the window in `window`'s low 3 bytes.
    fn cost(&self, window: u32) -> f64 {
        match self.common.get(&window) {
            Some(&n) => f64::from(n),
            None => rare_frequency(&window.to_le_bytes()[..WINDOW]).min(self.floor),
        }
    }
}

/// Expected occurrences per gigabyte of a window that is not among the common ones, from its
/// bytes' frequencies taken as independent.
fn rare_frequency(w: &[u8]) -> f64 {
    let p: f64 = w
        .iter()
        .map(|&b| f64::from(BYTE_FREQ_PER_MILLION[b as usize]) / 1e6)
        .product();
    p * 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_avoid_windows_common_in_code() {
        let cost = AnchorCost::new();
        for kw in [
            &b"postgres://"[..],
            b"redis://",
            b"process.env.",
            b"secretAccessKey",
        ] {
            let at = cost.best(kw, false);
            let w = &kw[at..at + WINDOW];
            for common in [&b"://"[..], b"ces", b"ess", b"env", b"pro", b"roc", b"cre"] {
                assert_ne!(w, common, "{}", String::from_utf8_lossy(kw));
            }
        }
    }

    #[test]
    fn cases_of_a_window() {
        let w = |s: &[u8]| word_at(s, 0) & 0x00FF_FFFF;
        let mut got: Vec<u32> = cases_of(w(b"a_b")).collect();
        got.sort_unstable();
        let mut want = vec![w(b"a_b"), w(b"A_b"), w(b"a_B"), w(b"A_B")];
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(cases_of(w(b"abc")).count(), 8);
        assert_eq!(cases_of(w(b"_1-")).collect::<Vec<_>>(), vec![w(b"_1-")]);
    }
}
