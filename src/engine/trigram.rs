//! The keyword filter: one pass over the haystack, at the same cost whatever the number of
//! keywords.
//!
//! Each keyword is represented by its rarest 3-byte window (its *anchor*), whose hash sets one
//! bit in a table of 2^18 bits (32 KiB, which stays in the L1 cache). The haystack's 3-byte
//! windows, at every position, are hashed and looked up — 32 at a time with AVX2 gathers where
//! the CPU has them — and only a window whose bit is set is looked at further: the table names
//! the keywords whose anchor hashes there and the anchor's offset in each, and each is confirmed
//! by comparing bytes. With several thousand keywords (rule keywords and their encoded forms)
//! the table holds a few percent of its bits, so a random window rarely passes; adding
//! keywords adds bits, not passes.
use crate::engine::byte_freq::BYTE_FREQ_PER_MILLION;
use crate::engine::trigram_freq::COMMON_TRIGRAMS;
use crate::fasthash::FastHash;

/// A keyword hit: the keyword's index and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub start: usize,
    pub keyword: u32,
}

/// Bytes per window: the shortest keyword the filter takes.
pub const WINDOW: usize = 3;
/// log2 of the number of bits in the table.
const HASH_BITS: u32 = 18;
const TABLE_WORDS: usize = (1 << HASH_BITS) / 32;
/// Positions looked up between two tests of the table's answers (one AVX2 round).
const BLOCK: usize = 32;

#[derive(Debug)]
pub struct TrigramFilter {
    bits: Box<[u32; TABLE_WORDS]>,
    /// For each hash value h, `entries[starts[h]..starts[h + 1]]` are its candidates.
    starts: Box<[u32]>,
    /// (keyword, offset of its anchor, the anchor's 3 bytes as a little-endian word, the
    /// keyword's first byte): the window and the first byte are compared before the keyword.
    entries: Box<[(u32, u32, u32, u8)]>,
    /// The CPU has AVX2 (read on x86-64 only).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

const MULTIPLIER: u32 = 0x9E37_79B1;

/// The window's multiplicative hash, whose top `HASH_BITS` bits are its place in the table;
/// `word` holds the window in its low 3 bytes (little-endian) and anything above.
#[inline(always)]
fn mix(word: u32) -> u32 {
    (word & 0x00FF_FFFF).wrapping_mul(MULTIPLIER)
}

fn hash(word: u32) -> usize {
    (mix(word) >> (32 - HASH_BITS)) as usize
}

/// The table's bit for the window starting with `word`'s bytes, in bit 0 (others are noise).
#[inline(always)]
fn probe(bits: &[u32; TABLE_WORDS], word: u32) -> u32 {
    let x = mix(word);
    bits[(x >> (32 - HASH_BITS + 5)) as usize].wrapping_shr(x >> (32 - HASH_BITS))
}

/// The 4 bytes at `at` as a little-endian word, zero past the end of `bytes`.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> u32 {
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

impl TrigramFilter {
    /// A filter for `keywords` (each at least [`WINDOW`] bytes long; the ids are the indices
    /// reported in hits).
    pub fn new<'a>(keywords: impl IntoIterator<Item = (u32, &'a [u8])>) -> Self {
        Self::with_simd(keywords, simd_available())
    }

    fn with_simd<'a>(keywords: impl IntoIterator<Item = (u32, &'a [u8])>, avx2: bool) -> Self {
        let mut pairs: Vec<(usize, u32, u32, u32, u8)> = Vec::new();
        let mut anchors = AnchorCost::new();
        for (id, kw) in keywords {
            debug_assert!(kw.len() >= WINDOW);
            let off = anchors.best(kw);
            let window = word_at(kw, off) & 0x00FF_FFFF;
            let first = kw.first().copied().unwrap_or(0);
            pairs.push((hash(window), id, off as u32, window, first));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let size = 1usize << HASH_BITS;
        let mut bits = Box::new([0u32; TABLE_WORDS]);
        let mut starts = vec![0u32; size + 1].into_boxed_slice();
        for &(h, ..) in &pairs {
            bits[h / 32] |= 1 << (h % 32);
            starts[h + 1] += 1;
        }
        for h in 0..size {
            starts[h + 1] += starts[h];
        }
        let entries = (pairs.into_iter())
            .map(|(_, id, off, window, first)| (id, off, window, first))
            .collect();
        TrigramFilter {
            bits,
            starts,
            entries,
            avx2,
        }
    }

    /// Appends every occurrence of the filter's keywords in `hay` to `out` (unordered).
    /// `keyword(id)` gives a keyword's bytes.
    pub fn find<'k>(
        &self,
        hay: &[u8],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) {
        if hay.len() < WINDOW {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        let at = if self.avx2 {
            // SAFETY: `avx2` is set only when the CPU has AVX2 (`simd_available`).
            unsafe { self.find_avx2(hay, keyword, out) }
        } else {
            self.find_scalar(hay, keyword, out)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let at = self.find_scalar(hay, keyword, out);
        // The last positions, where a 4-byte load would run past the end.
        let mask = match (hay.len() - WINDOW + 1).checked_sub(at) {
            Some(n) if n > 0 => u32::MAX >> (32 - n.min(BLOCK)),
            _ => 0,
        };
        if mask != 0 {
            self.confirm(hay, at, mask, keyword, out);
        }
    }

    /// Looks up every position of the blocks whose loads stay inside `hay`; returns where
    /// the rest starts.
    fn find_scalar<'k>(
        &self,
        hay: &[u8],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        let bits = &*self.bits;
        let mut at = 0;
        while at + BLOCK + 3 <= hay.len() {
            let block = &hay[at..at + BLOCK + 3];
            let mut mask = 0u32;
            for i in 0..BLOCK {
                mask |= (probe(bits, word_at(block, i)) & 1) << i;
            }
            if mask != 0 {
                self.confirm(hay, at, mask, keyword, out);
            }
            at += BLOCK;
        }
        at
    }

    /// [`Self::find_scalar`] with AVX2: four unaligned loads give the 32 windows of a block
    /// as 4 × 8 words, which are hashed and looked up with gathers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn find_avx2<'k>(
        &self,
        hay: &[u8],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        use std::arch::x86_64::*;
        let low3 = _mm256_set1_epi32(0x00FF_FFFF);
        let mult = _mm256_set1_epi32(MULTIPLIER as i32);
        let low5 = _mm256_set1_epi32(31);
        let table = self.bits.as_ptr() as *const i32;
        let mut at = 0;
        while at + BLOCK + 3 <= hay.len() {
            let mut mask = 0u32;
            for k in 0..4 {
                // SAFETY: at + k + 32 <= at + BLOCK + 3 <= hay.len().
                let v = unsafe { _mm256_loadu_si256(hay.as_ptr().add(at + k) as *const __m256i) };
                let x = _mm256_mullo_epi32(_mm256_and_si256(v, low3), mult);
                let index = _mm256_srli_epi32::<{ 32 - HASH_BITS as i32 + 5 }>(x);
                let shift =
                    _mm256_and_si256(_mm256_srli_epi32::<{ 32 - HASH_BITS as i32 }>(x), low5);
                // SAFETY: every index is below 2^(HASH_BITS - 5) = TABLE_WORDS.
                let words = unsafe { _mm256_i32gather_epi32::<4>(table, index) };
                let hit = _mm256_slli_epi32::<31>(_mm256_srlv_epi32(words, shift));
                // Lane j of load k is the window at position 4j + k.
                let lanes = _mm256_movemask_ps(_mm256_castsi256_ps(hit)) as u32;
                mask |= spread(lanes) << k;
            }
            if mask != 0 {
                self.confirm(hay, at, mask, keyword, out);
            }
            at += BLOCK;
        }
        at
    }

    /// Confirms the positions `at + i` for the bits i of `mask` that the table lets through.
    #[cold]
    #[inline(never)]
    fn confirm<'k>(
        &self,
        hay: &[u8],
        at: usize,
        mut mask: u32,
        keyword: impl Fn(u32) -> &'k [u8],
        out: &mut Vec<KeywordHit>,
    ) {
        while mask != 0 {
            let pos = at + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let word = word_at(hay, pos);
            if probe(&self.bits, word) & 1 == 0 {
                continue;
            }
            let h = hash(word);
            let range = self.starts[h] as usize..self.starts[h + 1] as usize;
            let window = word & 0x00FF_FFFF;
            for &(id, off, anchor, first) in &self.entries[range] {
                // Other windows that share the hash, and keywords whose first byte is not
                // there, are turned away before the whole keyword is compared.
                if anchor != window {
                    continue;
                }
                let Some(start) = pos.checked_sub(off as usize) else {
                    continue;
                };
                if hay[start] == first && hay[start..].starts_with(keyword(id)) {
                    out.push(KeywordHit { start, keyword: id });
                }
            }
        }
    }
}

/// Bits 0..8 of `lanes` moved to bits 0, 4, 8, …, 28.
#[inline(always)]
fn spread(lanes: u32) -> u32 {
    let mut x = lanes & 0xff;
    x = (x | (x << 12)) & 0x000F_000F;
    x = (x | (x << 6)) & 0x0303_0303;
    (x | (x << 3)) & 0x1111_1111
}

fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Picks each keyword's anchor: the window with the fewest expected false hits per gigabyte
/// of code — its own occurrences plus those of the common windows that share its hash.
struct AnchorCost {
    /// Expected hits per gigabyte of the common windows, by hash (sorted by hash).
    load: Vec<(usize, f64)>,
    /// The frequency of the least common of them.
    floor: f64,
    /// Costs worked out so far, by window (keywords derived from one another share many).
    known: std::collections::HashMap<u32, f64, FastHash>,
}

impl AnchorCost {
    fn new() -> Self {
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

    /// The offset of the keyword's cheapest window (the first, of equally cheap ones).
    fn best(&mut self, kw: &[u8]) -> usize {
        let costs: Vec<f64> = (0..=kw.len().saturating_sub(WINDOW))
            .map(|q| {
                let w = &kw[q..q + WINDOW];
                let key = word_at(w, 0);
                if let Some(&c) = self.known.get(&key) {
                    return c;
                }
                let c = self.cost(w);
                self.known.insert(key, c);
                c
            })
            .collect();
        (0..costs.len())
            .min_by(|&a, &b| costs[a].total_cmp(&costs[b]))
            .unwrap_or(0)
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

    fn naive(keywords: &[&[u8]], hay: &[u8]) -> Vec<KeywordHit> {
        let mut out = Vec::new();
        for (id, kw) in keywords.iter().enumerate() {
            for (start, w) in hay.windows(kw.len()).enumerate() {
                if w == *kw {
                    out.push(KeywordHit {
                        start,
                        keyword: id as u32,
                    });
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn found(keywords: &[&[u8]], hay: &[u8], avx2: bool) -> Vec<KeywordHit> {
        let ids = keywords.iter().enumerate().map(|(i, k)| (i as u32, *k));
        let f = TrigramFilter::with_simd(ids, avx2);
        let mut out = Vec::new();
        f.find(hay, |id| keywords[id as usize], &mut out);
        out.sort_unstable();
        out
    }

    /// Both code paths where the CPU has AVX2; the scalar one elsewhere.
    fn paths() -> Vec<bool> {
        if simd_available() {
            vec![false, true]
        } else {
            vec![false]
        }
    }

    #[test]
    fn anchors_avoid_windows_common_in_code() {
        let mut cost = AnchorCost::new();
        for kw in [
            &b"postgres://"[..],
            b"redis://",
            b"process.env.",
            b"secretAccessKey",
        ] {
            let at = cost.best(kw);
            let w = &kw[at..at + WINDOW];
            for common in [&b"://"[..], b"ces", b"ess", b"env", b"pro", b"roc", b"cre"] {
                assert_ne!(w, common, "{}", String::from_utf8_lossy(kw));
            }
        }
    }

    #[test]
    fn spread_places_lane_bits() {
        assert_eq!(spread(0b1000_0001), (1 << 28) | 1);
        assert_eq!(spread(0xff), 0x1111_1111);
    }

    #[test]
    fn every_occurrence_at_every_alignment() {
        let kws: [&[u8]; 6] = [
            b"sk_live_",
            b"AWS_SECRET_ACCESS_KEY",
            b"aaaaaaa",
            b"ive_xyz",
            b"gh_x",
            b"r8_",
        ];
        for avx2 in paths() {
            for pad in 0..40 {
                for tail in 0..5 {
                    let mut hay = vec![b'.'; pad];
                    hay.extend_from_slice(b"sk_live_xyz AWS_SECRET_ACCESS_KEY gh_x aaaaaaaaa r8_");
                    hay.extend_from_slice(&b"gh_x"[..tail]);
                    let expect = naive(&kws, &hay);
                    assert!(expect.len() >= 8, "{expect:?}");
                    assert_eq!(found(&kws, &hay, avx2), expect, "pad {pad} tail {tail}");
                }
            }
        }
    }

    #[test]
    fn short_haystacks() {
        let kws: [&[u8]; 2] = [b"r8_", b"r8_x"];
        for avx2 in paths() {
            for hay in [&b""[..], b"r", b"r8", b"r8_", b"r8_x", b".r8_x"] {
                assert_eq!(found(&kws, hay, avx2), naive(&kws, hay), "{hay:?}");
            }
        }
    }

    #[test]
    fn random_haystacks_agree_with_a_plain_search() {
        let kws: Vec<Vec<u8>> = (0..300)
            .map(|i| format!("k{i}_{}x", i * 7).into_bytes())
            .collect();
        let refs: Vec<&[u8]> = kws.iter().map(Vec::as_slice).collect();
        for avx2 in paths() {
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            for round in 0..50 {
                let mut hay = Vec::new();
                while hay.len() < 3000 + round {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    if seed.is_multiple_of(5) {
                        hay.extend_from_slice(refs[(seed >> 8) as usize % refs.len()]);
                    } else {
                        hay.push(b"k_x0123456789 "[(seed >> 20) as usize % 14]);
                    }
                }
                let expect = naive(&refs, &hay);
                assert_eq!(found(&refs, &hay, avx2), expect, "round {round}");
            }
        }
    }
}
