//! The keyword filter: one pass over the haystack, at the same cost whatever the number of
//! keywords.
//!
//! Each keyword is represented by its rarest 3-byte window (its *anchor*), which sets one bit
//! in a table with a bit for every 3-byte window (2^24 bits, 2 MiB: no two windows share a
//! bit, and finding a window's bit takes a shift, not a hash). The haystack's 3-byte windows,
//! at every position, are looked up — 32 at a time with AVX2 gathers where the CPU has them —
//! and only a window whose bit is set is looked at further. Text touches a few hundred KiB of
//! the table (its windows are mostly printable bytes), which stays in the L2 cache; adding
//! keywords adds bits, not passes. Where the CPU has AVX-512 VBMI, the table is not read at
//! all: two tests on the windows' byte classes, in registers, 64 windows at a time, let
//! through about one window in a hundred (see `class_test`).
//!
//! A window let through must then have, with a neighbouring byte, the 4 bytes some keyword has
//! around its anchor (see `widened`); only then a hashed index names the keywords whose anchor
//! is that window and the anchor's offset in each, and each is confirmed by comparing bytes
//! (its first 8 in one compare, see `entry`).
//!
//! A keyword may be matched in any case (`twilio` finds `Twilio` and `TWILIO`): every case of
//! its anchor window gets a bit (at most 8), and the keyword is compared without case.
use crate::engine::anchor::{AnchorCost, cases_of};
pub use crate::engine::window::WINDOW;
use crate::engine::window::{BUCKET_BITS, HASH_BITS, bucket, hash, mix, word_at};

mod avx2;
mod class_maps;
mod class_test;
mod entry;
mod widened;

use class_test::ClassTest;
use entry::Entry;
use widened::Widened;

/// A keyword hit: the keyword's index and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub start: usize,
    pub keyword: u32,
}

/// Bits of the table, in 32-bit words.
const TABLE_WORDS: usize = (1 << HASH_BITS) / 32;
/// Passing windows the AVX-512 path gathers before testing them further (more, after a
/// block of 64 windows).
const SPOTS: usize = 256;

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
    /// The SIMD instructions the filter uses.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    simd: Simd,
    /// The first test of windows, with AVX-512 VBMI (see `class_test`).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    classes: ClassTest,
    /// The last test before confirming a window (see `widened`).
    widened: Widened,
}

/// The SIMD instructions the filter uses: the best the CPU has, or fewer (tests try each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simd {
    None,
    /// Gathers from the table, 32 windows at a time.
    Avx2,
    /// The class tests in registers, 64 windows at a time, instead of the table.
    Avx512,
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
        simd: Simd,
    ) -> Self {
        let mut pairs: Vec<(usize, Entry)> = Vec::new();
        let anchors = AnchorCost::new();
        let mut widen = Vec::new();
        for (id, kw, any_case) in keywords {
            debug_assert!(kw.len() >= WINDOW);
            debug_assert!(!any_case || !kw.iter().any(u8::is_ascii_uppercase));
            let off = anchors.best(kw, any_case);
            widen.push((kw, off, any_case));
            let window = word_at(kw, off) & 0x00FF_FFFF;
            // The window itself first, then its other cases.
            for anchor in cases_of(window).take(if any_case { 8 } else { 1 }) {
                let entry = Entry::new(id, kw, off, anchor, any_case);
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
        let classes = ClassTest::new(pairs.iter().map(|(_, e)| e.anchor));
        let widened = Widened::new(widen);
        let entries = pairs.into_iter().map(|(_, e)| e).collect();
        TrigramFilter {
            bits,
            starts,
            entries,
            simd,
            classes,
            widened,
        }
    }

    /// Every window that has a bit in the table (anchors, in each of their cases).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn anchor_windows(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|e| e.anchor)
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
        let at = match self.simd {
            // SAFETY: `simd` names only what the CPU has (`simd_available`).
            Simd::Avx512 => unsafe { self.find_avx512(hay, keyword, out) },
            // SAFETY: as above.
            Simd::Avx2 => unsafe { self.find_avx2(hay, 0, keyword, out) },
            Simd::None => 0,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let at = 0;
        let at = self.find_scalar(hay, at, keyword, out);
        // The last positions, where a 4-byte load would run past the end (`word_at` pads).
        let tail = (hay.len() - WINDOW + 1).saturating_sub(at).min(BLOCK);
        let mut mask = 0u32;
        for i in 0..tail {
            mask |= (probe(&self.bits, word_at(hay, at + i)) & 1) << i;
        }
        if mask != 0 {
            self.confirm(hay, at, mask.into(), keyword, out);
        }
    }

    /// Looks up every position from `at` of the blocks whose loads stay inside `hay`; returns
    /// where the rest starts.
    fn find_scalar<'k>(
        &self,
        hay: &[u8],
        mut at: usize,
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        let bits = &*self.bits;
        while at + BLOCK + 3 <= hay.len() {
            let block = &hay[at..at + BLOCK + 3];
            let mut mask = 0u32;
            for i in 0..BLOCK {
                mask |= (probe(bits, word_at(block, i)) & 1) << i;
            }
            if mask != 0 {
                self.confirm(hay, at, mask.into(), keyword, out);
            }
            at += BLOCK;
        }
        at
    }

    /// [`Self::find_scalar`] with AVX-512: the class tests let through about one window in a
    /// hundred, in batches (see [`ClassTest::scan`]), and only those go on to the widened
    /// test and confirming.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    unsafe fn find_avx512<'k>(
        &self,
        hay: &[u8],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) -> usize {
        let mut passed = [(0, 0); class_test::PASSED];
        // The passing windows of a batch, as offsets from its start: 8 slots are written per
        // step whatever the number left (those past it are not read), so few branches are
        // mispredicted.
        let mut spots = [0u32; SPOTS + 64 + 8];
        let mut count = 0;
        let add = |spots: &mut [u32], count: &mut usize, block: u32, pass: u64| {
            let ones = pass.count_ones() as usize;
            let mut rest = pass;
            let mut done = 0;
            while done < ones {
                for slot in &mut spots[*count + done..*count + done + 8] {
                    *slot = block + rest.trailing_zeros();
                    rest &= rest.wrapping_sub(1);
                }
                done += 8;
            }
            *count += ones;
        };
        let mut at = 0;
        loop {
            // SAFETY: this function runs only where the CPU has what `scan` needs.
            let (next, n) = unsafe { self.classes.scan(hay, at, &mut passed) };
            for &(block, pass) in &passed[..n] {
                if count > SPOTS {
                    self.confirm_spots(hay, at, &mut spots[..count], keyword, out);
                    count = 0;
                }
                add(&mut spots, &mut count, block, pass);
            }
            self.confirm_spots(hay, at, &mut spots[..count], keyword, out);
            count = 0;
            if next == at {
                break;
            }
            at = next;
        }
        // The last windows (fewer than 64), tested in a copy padded with zeros: the table,
        // which this path does not otherwise read, is not brought into the cache for them.
        let rest = &hay[at..];
        if rest.len() >= WINDOW {
            let mut padded = [0u8; class_test::BLOCK_READ];
            padded[..rest.len()].copy_from_slice(rest);
            // SAFETY: as above.
            let (_, n) = unsafe { self.classes.scan(&padded, 0, &mut passed) };
            // Only windows wholly inside `hay` (rest.len() <= 65: at most 63 of them).
            let inside = (1u64 << (rest.len() - WINDOW + 1)) - 1;
            if n > 0 {
                add(&mut spots, &mut count, 0, passed[0].1 & inside);
                self.confirm_spots(hay, at, &mut spots[..count], keyword, out);
            }
        }
        hay.len()
    }

    /// Confirms the windows at `at + s`, for `s` in `spots`, that the widened test lets
    /// through. Those are picked first, without a branch on the test's answer, so that the
    /// loads of many windows' tests overlap; then they are confirmed.
    #[inline]
    fn confirm_spots<'k>(
        &self,
        hay: &[u8],
        at: usize,
        spots: &mut [u32],
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) {
        let mut kept = 0;
        for i in 0..spots.len() {
            let s = spots[i];
            spots[kept] = s;
            kept += usize::from(self.widened.may_anchor(hay, at + s as usize));
        }
        for &s in &spots[..kept] {
            self.confirm_at(hay, at + s as usize, keyword, out);
        }
    }

    /// Confirms the positions `at + i` for the bits i of `mask`: windows the table let through.
    #[cold]
    #[inline(never)]
    fn confirm<'k>(
        &self,
        hay: &[u8],
        at: usize,
        mut mask: u64,
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) {
        while mask != 0 {
            let pos = at + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if self.widened.may_anchor(hay, pos) {
                self.confirm_at(hay, pos, keyword, out);
            }
        }
    }

    /// Confirms the keywords whose anchor may be the window at `pos`.
    #[inline]
    fn confirm_at<'k>(
        &self,
        hay: &[u8],
        pos: usize,
        keyword: impl Fn(u32) -> &'k [u8] + Copy,
        out: &mut Vec<KeywordHit>,
    ) {
        let word = word_at(hay, pos);
        let b = bucket(word);
        let range = self.starts[b] as usize..self.starts[b + 1] as usize;
        let window = word & 0x00FF_FFFF;
        for e in &self.entries[range] {
            // Other windows filed in the bucket, and keywords whose first 8 bytes are not
            // there, are turned away before the keyword itself is read.
            if e.anchor != window {
                continue;
            }
            let Some(start) = pos.checked_sub(e.off as usize) else {
                continue;
            };
            if !e.head_matches(hay, start) {
                continue;
            }
            let kw = keyword(e.id);
            let found = kw.len() <= 8
                || (hay.get(start..start + kw.len())).is_some_and(|h| {
                    if e.any_case {
                        h.eq_ignore_ascii_case(kw)
                    } else {
                        h == kw
                    }
                });
            if found {
                out.push(KeywordHit {
                    start,
                    keyword: e.id,
                });
            }
        }
    }
}

fn simd_available() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        if class_test::available() {
            Simd::Avx512
        } else if std::is_x86_feature_detected!("avx2") {
            Simd::Avx2
        } else {
            Simd::None
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Simd::None
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

    fn found(keywords: &[&[u8]], hay: &[u8], simd: Simd) -> Vec<KeywordHit> {
        let ids = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, *k, false));
        let f = TrigramFilter::with_simd(ids, simd);
        let mut out = Vec::new();
        f.find(hay, |id| keywords[id as usize], &mut out);
        out.sort_unstable();
        out
    }

    /// Every occurrence of the keywords (each with whether in any case), sorted.
    fn plain_search(kws: &[(&[u8], bool)], hay: &[u8]) -> Vec<KeywordHit> {
        let mut expect = Vec::new();
        for (id, &(kw, any_case)) in kws.iter().enumerate() {
            for (start, w) in hay.windows(kw.len()).enumerate() {
                if w == kw || (any_case && w.eq_ignore_ascii_case(kw)) {
                    let keyword = id as u32;
                    expect.push(KeywordHit { start, keyword });
                }
            }
        }
        expect.sort_unstable();
        expect
    }

    /// Every code path this CPU can run.
    fn paths() -> Vec<Simd> {
        match simd_available() {
            Simd::Avx512 => vec![Simd::None, Simd::Avx2, Simd::Avx512],
            Simd::Avx2 => vec![Simd::None, Simd::Avx2],
            Simd::None => vec![Simd::None],
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
        for simd in paths() {
            let f = TrigramFilter::with_simd(
                kws.iter().enumerate().map(|(i, &(k, a))| (i as u32, k, a)),
                simd,
            );
            for pad in 0..36 {
                let mut hay = vec![b'.'; pad];
                for s in spellings {
                    hay.extend_from_slice(s);
                    hay.push(b' ');
                }
                let expect = plain_search(&kws, &hay);
                assert_eq!(expect.len(), 4 + 3 + 1 + 1, "pad {pad}");
                let mut out = Vec::new();
                f.find(&hay, |id| kws[id as usize].0, &mut out);
                out.sort_unstable();
                assert_eq!(out, expect, "pad {pad} {simd:?}");
            }
        }
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
        for simd in paths() {
            for pad in 0..40 {
                for tail in 0..5 {
                    let mut hay = vec![b'.'; pad];
                    hay.extend_from_slice(b"sk_live_xyz AWS_SECRET_ACCESS_KEY gh_x aaaaaaaaa r8_");
                    hay.extend_from_slice(&b"gh_x"[..tail]);
                    let expect = naive(&kws, &hay);
                    assert!(expect.len() >= 8, "{expect:?}");
                    assert_eq!(
                        found(&kws, &hay, simd),
                        expect,
                        "pad {pad} tail {tail} {simd:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_haystacks() {
        let kws: [&[u8]; 2] = [b"r8_", b"r8_x"];
        for simd in paths() {
            for hay in [&b""[..], b"r", b"r8", b"r8_", b"r8_x", b".r8_x"] {
                assert_eq!(found(&kws, hay, simd), naive(&kws, hay), "{hay:?}");
            }
        }
    }

    #[test]
    fn random_haystacks_agree_with_a_plain_search() {
        let kws: Vec<Vec<u8>> = (0..300)
            .map(|i| format!("k{i}_{}x", i * 7).into_bytes())
            .collect();
        let refs: Vec<&[u8]> = kws.iter().map(Vec::as_slice).collect();
        for simd in paths() {
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
                assert_eq!(found(&refs, &hay, simd), expect, "round {round} {simd:?}");
            }
        }
    }

    /// Bytes of every value, keywords with bytes from 0x80 up, in any case, and anchors at
    /// either end of their keyword, against a plain search, on every code path.
    #[test]
    fn binary_haystacks_and_keywords_in_any_case_agree_with_a_plain_search() {
        let kws: [(&[u8], bool); 6] = [
            (b"\xe2\x80\x9ckey", false),
            (b"alibaba", true),
            (b"s\0k\0_\0", false),
            (b"zq~", false),
            (b"\xffq_a", true),
            (b"tles", true),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..40 {
            let mut hay = Vec::new();
            while hay.len() < 2000 + round {
                let r = next();
                match r % 9 {
                    0 => hay.extend(kws[(r >> 8) as usize % kws.len()].0.iter().map(|&b| {
                        if next() % 2 == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })),
                    _ => hay.push((r >> 24) as u8),
                }
            }
            let expect = plain_search(&kws, &hay);
            for simd in paths() {
                let ids = kws.iter().enumerate().map(|(i, &(k, a))| (i as u32, k, a));
                let f = TrigramFilter::with_simd(ids, simd);
                let mut out = Vec::new();
                f.find(&hay, |id| kws[id as usize].0, &mut out);
                out.sort_unstable();
                assert_eq!(out, expect, "round {round} {simd:?}");
            }
        }
    }
}
