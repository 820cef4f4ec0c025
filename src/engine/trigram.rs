//! The keyword filter: one pass over the haystack, at the same cost whatever the number of
//! keywords.
//!
//! Each keyword is represented by its rarest 3-byte window (its *anchor*), which sets one bit
//! in a table with a bit for every 3-byte window (2^24 bits, 2 MiB: no two windows share a
//! bit, and finding a window's bit takes a shift, not a hash). The haystack's 3-byte windows,
//! at every position, are looked up — 32 at a time with AVX2 gathers where the CPU has them —
//! and only a window whose bit is set is looked at further: a hashed index names the keywords
//! whose anchor is that window and the anchor's offset in each, and each is confirmed by
//! comparing bytes. Text touches a few hundred KiB of the table (its windows are mostly
//! printable bytes), which stays in the L2 cache; adding keywords adds bits, not passes.
//!
//! A keyword may be matched in any case (`twilio` finds `Twilio` and `TWILIO`): every case of
//! its anchor window gets a bit (at most 8), and the keyword is compared without case.
use crate::engine::anchor::{AnchorCost, cases_of};
pub use crate::engine::window::WINDOW;
use crate::engine::window::{BUCKET_BITS, HASH_BITS, bucket, hash, mix, word_at};

/// A keyword hit: the keyword's index and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub start: usize,
    pub keyword: u32,
}

/// Bits of the table, in 32-bit words.
const TABLE_WORDS: usize = (1 << HASH_BITS) / 32;
/// Positions looked up between two tests of the table's answers (one AVX2 round).
const BLOCK: usize = 32;

#[derive(Debug)]
pub struct TrigramFilter {
    bits: Box<[u32; TABLE_WORDS]>,
    /// For each bucket b (see [`bucket`]), `entries[starts[b]..starts[b + 1]]` are its
    /// candidates.
    starts: Box<[u32]>,
    /// The candidates of each bucket (see [`Entry`]).
    entries: Box<[Entry]>,
    /// The CPU has AVX2 (read on x86-64 only).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

/// A keyword behind a hash value: the anchor window and the first byte are compared before
/// the whole keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// The keyword's id.
    id: u32,
    /// Where its anchor starts in it.
    off: u32,
    /// The anchor's 3 bytes as a little-endian word (for a keyword in any case: one case).
    anchor: u32,
    /// The keyword's first byte, lower-cased for a keyword in any case.
    first: u8,
    /// The keyword is compared without ASCII case (its bytes are lower case).
    any_case: bool,
}

/// The table's bit for the window starting with `word`'s bytes, in bit 0 (others are noise).
#[inline(always)]
fn probe(bits: &[u32; TABLE_WORDS], word: u32) -> u32 {
    let x = mix(word);
    bits[(x >> (32 - HASH_BITS + 5)) as usize].wrapping_shr(x >> (32 - HASH_BITS))
}

impl TrigramFilter {
    /// A filter for `keywords` (each at least [`WINDOW`] bytes long; the ids are the indices
    /// reported in hits; `true`: matched in any ASCII case, the keyword given in lower case).
    pub fn new<'a>(keywords: impl IntoIterator<Item = (u32, &'a [u8], bool)>) -> Self {
        Self::with_simd(keywords, simd_available())
    }

    fn with_simd<'a>(
        keywords: impl IntoIterator<Item = (u32, &'a [u8], bool)>,
        avx2: bool,
    ) -> Self {
        let mut pairs: Vec<(usize, Entry)> = Vec::new();
        let anchors = AnchorCost::new();
        for (id, kw, any_case) in keywords {
            debug_assert!(kw.len() >= WINDOW);
            debug_assert!(!any_case || !kw.iter().any(u8::is_ascii_uppercase));
            let off = anchors.best(kw, any_case);
            let window = word_at(kw, off) & 0x00FF_FFFF;
            let first = kw.first().copied().unwrap_or(0);
            // The window itself first, then its other cases.
            for anchor in cases_of(window).take(if any_case { 8 } else { 1 }) {
                let entry = Entry {
                    id,
                    off: off as u32,
                    anchor,
                    first,
                    any_case,
                };
                pairs.push((bucket(anchor), entry));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut bits: Box<[u32; TABLE_WORDS]> = (vec![0u32; TABLE_WORDS].into_boxed_slice())
            .try_into()
            .unwrap_or_else(|_| unreachable!("the vector has TABLE_WORDS words"));
        let size = 1usize << BUCKET_BITS;
        let mut starts = vec![0u32; size + 1].into_boxed_slice();
        for &(b, e) in &pairs {
            let h = hash(e.anchor);
            bits[h / 32] |= 1 << (h % 32);
            starts[b + 1] += 1;
        }
        for b in 0..size {
            starts[b + 1] += starts[b];
        }
        let entries = pairs.into_iter().map(|(_, e)| e).collect();
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
        // The last positions, where a 4-byte load would run past the end (`word_at` pads).
        let tail = (hay.len() - WINDOW + 1).saturating_sub(at).min(BLOCK);
        let mut mask = 0u32;
        for i in 0..tail {
            mask |= (probe(&self.bits, word_at(hay, at + i)) & 1) << i;
        }
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
    /// as 4 × 8 words, which are looked up with gathers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn find_avx2<'k>(
        &self,
        hay: &[u8],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        use std::arch::x86_64::*;
        let low5 = _mm256_set1_epi32(31);
        let table = self.bits.as_ptr() as *const i32;
        let mut at = 0;
        while at + BLOCK + 3 <= hay.len() {
            let mut mask = 0u32;
            for k in 0..4 {
                // SAFETY: at + k + 32 <= at + BLOCK + 3 <= hay.len().
                let v = unsafe { _mm256_loadu_si256(hay.as_ptr().add(at + k) as *const __m256i) };
                // The window in the top 3 bytes (`mix`).
                let x = _mm256_slli_epi32::<8>(v);
                let index = _mm256_srli_epi32::<{ 32 - HASH_BITS as i32 + 5 }>(x);
                let shift =
                    _mm256_and_si256(_mm256_srli_epi32::<{ 32 - HASH_BITS as i32 }>(x), low5);
                // SAFETY: every index is below 2^(HASH_BITS - 5) = TABLE_WORDS.
                let words = unsafe { _mm256_i32gather_epi32::<4>(table, index) };
                let hit = _mm256_slli_epi32::<31>(_mm256_srlv_epi32(words, shift));
                // Lane j of load k is the window at position 4j + k.
                let lanes = _mm256_movemask_ps(_mm256_castsi256_ps(hit)) as u32;
                mask |= lanes << (8 * k);
            }
            if mask != 0 {
                self.confirm(hay, at, unspread(mask), keyword, out);
            }
            at += BLOCK;
        }
        at
    }

    /// Confirms the positions `at + i` for the bits i of `mask`: windows the table let through.
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
            let b = bucket(word);
            let range = self.starts[b] as usize..self.starts[b + 1] as usize;
            let window = word & 0x00FF_FFFF;
            for e in &self.entries[range] {
                // Other windows filed in the bucket, and keywords whose first byte is not
                // there, are turned away before the whole keyword is compared.
                if e.anchor != window {
                    continue;
                }
                let Some(start) = pos.checked_sub(e.off as usize) else {
                    continue;
                };
                let kw = keyword(e.id);
                let found = if e.any_case {
                    hay[start].to_ascii_lowercase() == e.first
                        && (hay.get(start..start + kw.len()))
                            .is_some_and(|h| h.eq_ignore_ascii_case(kw))
                } else {
                    hay[start] == e.first && hay[start..].starts_with(kw)
                };
                if found {
                    out.push(KeywordHit {
                        start,
                        keyword: e.id,
                    });
                }
            }
        }
    }
}

/// Bit 8k + j (lane j of load k: position 4j + k) moved to bit 4j + k.
#[inline(always)]
fn unspread(mask: u32) -> u32 {
    spread(mask) | spread(mask >> 8) << 1 | spread(mask >> 16) << 2 | spread(mask >> 24) << 3
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
        let ids = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, *k, false));
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

    /// Keywords in any case against a plain search of every case, at every alignment, with
    /// exact keywords beside them (one shares a window with an any-case keyword).
    #[test]
    fn keywords_in_any_case_are_found_in_every_case() {
        let kws: [(&[u8], bool); 4] = [
            (b"twilio", true),
            (b"dd_api_key", true),
            (b"TWI", false),
            (b"sk_live_", false),
        ];
        let spellings = [
            &b"twilio"[..],
            b"Twilio",
            b"TWILIO",
            b"tWiLiO",
            b"DD_API_KEY",
            b"Dd_Api_Key",
            b"dd_api_key",
            b"sk_live_",
            b"SK_LIVE_",
            b"twili0",
        ];
        for avx2 in paths() {
            let f = TrigramFilter::with_simd(
                kws.iter().enumerate().map(|(i, &(k, a))| (i as u32, k, a)),
                avx2,
            );
            for pad in 0..36 {
                let mut hay = vec![b'.'; pad];
                for s in spellings {
                    hay.extend_from_slice(s);
                    hay.push(b' ');
                }
                let mut expect = Vec::new();
                for (id, &(kw, any_case)) in kws.iter().enumerate() {
                    for (start, w) in hay.windows(kw.len()).enumerate() {
                        if w == kw || (any_case && w.eq_ignore_ascii_case(kw)) {
                            expect.push(KeywordHit {
                                start,
                                keyword: id as u32,
                            });
                        }
                    }
                }
                expect.sort_unstable();
                assert_eq!(expect.len(), 4 + 3 + 1 + 1, "pad {pad}");
                let mut out = Vec::new();
                f.find(&hay, |id| kws[id as usize].0, &mut out);
                out.sort_unstable();
                assert_eq!(out, expect, "pad {pad} avx2 {avx2}");
            }
        }
    }

    #[test]
    fn spread_places_lane_bits() {
        assert_eq!(spread(0b1000_0001), (1 << 28) | 1);
        assert_eq!(spread(0xff), 0x1111_1111);
        // Lane j of answer m is position 4j + m.
        for m in 0..4 {
            for j in 0..8 {
                assert_eq!(unspread(1 << (8 * m + j)), 1 << (4 * j + m), "m {m} j {j}");
            }
        }
        assert_eq!(unspread(u32::MAX), u32::MAX);
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
