//! Which 3-byte window of a keyword the trigram filter looks for (its *anchor*): the one with
//! the fewest expected false hits per gigabyte of code, from a table of the windows common in
//! code and, for the others, their bytes' frequencies. For a keyword matched in any case, a
//! window costs what all its cases cost.

use crate::engine::byte_freq::BYTE_FREQ_PER_MILLION;
use crate::engine::window::{WINDOW, hash, word_at};
use crate::fasthash::FastHash;
use crate::rules::trigram_freq::COMMON_TRIGRAMS;

/// Every ASCII case of the 3-byte window `window` (low 3 bytes, lower case): 1 to 8 windows.
pub(crate) fn cases_of(window: u32) -> Vec<u32> {
    let mut out = vec![window];
    for i in 0..WINDOW {
        let b = (window >> (8 * i)) as u8;
        if b.is_ascii_lowercase() {
            let flip = u32::from(b ^ b.to_ascii_uppercase()) << (8 * i);
            let more: Vec<u32> = out.iter().map(|w| w ^ flip).collect();
            out.extend(more);
        }
    }
    out
}

/// Picks each keyword's anchor: the window with the fewest expected false hits per gigabyte
/// of code — its own occurrences plus those of the common windows that share its hash.
pub(crate) struct AnchorCost {
    /// Expected hits per gigabyte of the common windows, by hash (sorted by hash).
    load: Vec<(usize, f64)>,
    /// The frequency of the least common of them.
    floor: f64,
    /// Costs worked out so far, by window (keywords derived from one another share many).
    known: std::collections::HashMap<u32, f64, FastHash>,
}

impl AnchorCost {
    pub(crate) fn new() -> Self {
        let mut load: Vec<(usize, f64)> = (COMMON_TRIGRAMS.iter())
            .map(|&(w, n)| (hash(word_at(&w, 0)), f64::from(n)))
            .collect();
        load.sort_unstable_by_key(|&(h, _)| h);
        // One entry per hash, the loads of the windows sharing it summed.
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(load.len());
        for (h, n) in load {
            match merged.last_mut() {
                Some(last) if last.0 == h => last.1 += n,
                _ => merged.push((h, n)),
            }
        }
        let floor = COMMON_TRIGRAMS.iter().map(|&(_, n)| n).min().unwrap_or(0);
        AnchorCost {
            load: merged,
            floor: f64::from(floor),
            known: std::collections::HashMap::default(),
        }
    }

    /// The offset of the keyword's cheapest window (the first, of equally cheap ones); for a
    /// keyword in any case, a window costs what all its cases cost.
    pub(crate) fn best(&mut self, kw: &[u8], any_case: bool) -> usize {
        let costs: Vec<f64> = (0..=kw.len().saturating_sub(WINDOW))
            .map(|q| {
                let window = word_at(&kw[q..q + WINDOW], 0);
                if any_case {
                    cases_of(window)
                        .into_iter()
                        .map(|w| self.known_cost(w))
                        .sum()
                } else {
                    self.known_cost(window)
                }
            })
            .collect();
        (0..costs.len())
            .min_by(|&a, &b| costs[a].total_cmp(&costs[b]))
            .unwrap_or(0)
    }

    /// [`Self::cost`] of the window in `key`'s low 3 bytes, remembered.
    fn known_cost(&mut self, key: u32) -> f64 {
        if let Some(&c) = self.known.get(&key) {
            return c;
        }
        let c = self.cost(&key.to_le_bytes()[..WINDOW]);
        self.known.insert(key, c);
        c
    }

    /// The expected hits per gigabyte of window `w` as an anchor.
    fn cost(&self, w: &[u8]) -> f64 {
        {
            let own = match COMMON_TRIGRAMS.binary_search_by(|(c, _)| c[..].cmp(w)) {
                Ok(_) => 0.0, // counted in the load of its hash
                Err(_) => rare_frequency(w).min(self.floor),
            };
            let h = hash(word_at(w, 0));
            let load = match self.load.binary_search_by_key(&h, |&(h, _)| h) {
                Ok(i) => self.load[i].1,
                Err(_) => 0.0,
            };
            own + load
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
        let mut cost = AnchorCost::new();
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
        let mut got = cases_of(w(b"a_b"));
        got.sort_unstable();
        let mut want = vec![w(b"a_b"), w(b"A_b"), w(b"a_B"), w(b"A_B")];
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(cases_of(w(b"abc")).len(), 8);
        assert_eq!(cases_of(w(b"_1-")), vec![w(b"_1-")]);
    }
}
