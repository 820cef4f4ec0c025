//! The keyword prefilter: finds every occurrence of every rule keyword in a haystack, fast.
//!
//! Aho-Corasick's SIMD searcher (Teddy) runs at several GB/s for up to a couple of dozen
//! distinctive patterns and falls off a cliff beyond that. So the keywords of a large catalog
//! are not searched directly: a small set of *anchors* — rare substrings that every keyword
//! contains — is searched instead, in groups small enough for the fast searcher, and each
//! anchor hit is confirmed by comparing the keywords that contain it at their offsets.
//! Anchors are chosen greedily at start-up: a substring that covers many keywords and whose
//! bytes are rare in source code (see `byte_freq`) is preferred; all-letter substrings other
//! than whole keywords are never anchors, because words occur everywhere in code.

use aho_corasick::Span;
use aho_corasick::packed::{self, MatchKind};

use crate::engine::byte_freq::BYTE_FREQ_PER_MILLION;
use crate::error::{Error, Result};

/// Most anchors one fast searcher is given.
const GROUP_SIZE: usize = 16;
/// Cost of one more anchor, in expected hits per gigabyte (one more slot in a searcher).
const ANCHOR_COST: f64 = 1000.0;
/// Longest anchor considered (the fast searcher looks at few bytes anyway).
const MAX_ANCHOR: usize = 8;

/// A keyword hit: the keyword's index and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub start: usize,
    pub keyword: u32,
}

#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<Vec<u8>>,
    groups: Vec<Group>,
}

#[derive(Debug)]
struct Group {
    searcher: Searcher,
    /// For each anchor of the group: (keyword, offset of the anchor in the keyword) pairs to
    /// confirm on a hit, including those of anchors that are prefixes of it (leftmost-longest
    /// search reports only the longest anchor starting at a byte).
    confirm: Vec<Vec<(u32, usize)>>,
}

impl Prefilter {
    pub fn new(keywords: Vec<Vec<u8>>) -> Result<Prefilter> {
        let anchors = choose_anchors(&keywords);
        let mut groups = Vec::new();
        for chunk in anchors.chunks(GROUP_SIZE) {
            let confirm = chunk
                .iter()
                .map(|anchor| {
                    let mut list = Vec::new();
                    for shorter in chunk.iter().filter(|a| anchor.starts_with(a)) {
                        for (ki, kw) in keywords.iter().enumerate() {
                            for off in occurrences(kw, shorter) {
                                list.push((ki as u32, off));
                            }
                        }
                    }
                    list.sort_unstable();
                    list.dedup();
                    list
                })
                .collect();
            groups.push(Group {
                searcher: Searcher::new(chunk)?,
                confirm,
            });
        }
        Ok(Prefilter { keywords, groups })
    }

    pub fn keyword(&self, index: u32) -> &[u8] {
        &self.keywords[index as usize]
    }

    /// Appends every keyword occurrence in `hay` to `out`, sorted by position then keyword.
    pub fn find(&self, hay: &[u8], out: &mut Vec<KeywordHit>) {
        let first = out.len();
        for group in &self.groups {
            let mut at = 0;
            while at < hay.len() {
                let Some((pattern, hit_start)) = group.searcher.find(hay, at) else {
                    break;
                };
                for &(ki, off) in &group.confirm[pattern] {
                    let Some(start) = hit_start.checked_sub(off) else {
                        continue;
                    };
                    if hay[start..].starts_with(&self.keywords[ki as usize]) {
                        out.push(KeywordHit { start, keyword: ki });
                    }
                }
                at = hit_start + 1;
            }
        }
        out[first..].sort_unstable();
        // A keyword containing its anchor twice is confirmed from both occurrences.
        let mut kept = first;
        for i in first..out.len() {
            if kept == first || out[kept - 1] != out[i] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

/// One group's searcher: Teddy (SIMD) where the CPU and the patterns allow it, else a plain
/// Aho-Corasick automaton, slower but available everywhere.
#[derive(Debug)]
enum Searcher {
    Packed(packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
}

impl Searcher {
    fn new(patterns: &[Vec<u8>]) -> Result<Searcher> {
        let packed = packed::Config::new()
            .match_kind(MatchKind::LeftmostLongest)
            .builder()
            .extend(patterns)
            .build();
        if let Some(p) = packed {
            return Ok(Searcher::Packed(p));
        }
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(patterns)
            .map(Searcher::Automaton)
            .map_err(|e| Error::new(format!("cannot build the keyword searcher: {e}")))
    }

    /// The leftmost-longest anchor at or after `at`: (pattern index, start).
    fn find(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        match self {
            Searcher::Packed(p) => p
                .find_in(hay, Span::from(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start())),
            Searcher::Automaton(a) => a
                .find(aho_corasick::Input::new(hay).span(at..hay.len()))
                .map(|m| (m.pattern().as_usize(), m.start())),
        }
    }
}

/// Picks anchors so that every keyword contains at least one, preferring few, rare anchors.
/// Returned most frequent first, so that the common anchors share a searcher and the others
/// run in fast ones.
fn choose_anchors(keywords: &[Vec<u8>]) -> Vec<Vec<u8>> {
    if keywords.len() <= GROUP_SIZE {
        return keywords.to_vec();
    }
    // Every candidate with the keywords it would cover and its expected frequency.
    let mut covers: std::collections::BTreeMap<&[u8], Vec<usize>> = Default::default();
    for (ki, kw) in keywords.iter().enumerate() {
        for cand in candidates(kw) {
            let list = covers.entry(cand).or_default();
            if list.last() != Some(&ki) {
                list.push(ki);
            }
        }
    }
    let scored: Vec<(&[u8], Vec<usize>, f64)> = covers
        .into_iter()
        .map(|(c, ks)| (c, ks, expected_per_gb(c)))
        .collect();
    let mut covered = vec![false; keywords.len()];
    let mut left = keywords.len();
    let mut anchors: Vec<(f64, Vec<u8>)> = Vec::new();
    while left > 0 {
        let mut best: Option<(f64, usize)> = None;
        for (i, (_, ks, freq)) in scored.iter().enumerate() {
            let n = ks.iter().filter(|&&k| !covered[k]).count();
            if n == 0 {
                continue;
            }
            let score = (ANCHOR_COST + freq) / n as f64;
            // Ties go to the longer candidate (fewer false hits), then the first in order.
            let better = match best {
                None => true,
                Some((s, j)) => score < s || (score == s && scored[i].0.len() > scored[j].0.len()),
            };
            if better {
                best = Some((score, i));
            }
        }
        let Some((_, i)) = best else { break };
        let (anchor, ks, freq) = &scored[i];
        for &k in ks {
            if !covered[k] {
                covered[k] = true;
                left -= 1;
            }
        }
        anchors.push((*freq, anchor.to_vec()));
    }
    anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    anchors.into_iter().map(|(_, a)| a).collect()
}

/// The substrings of `kw` that may serve as its anchor: the keyword itself, and substrings of
/// 4 to `MAX_ANCHOR` bytes that are not made of letters only.
fn candidates(kw: &[u8]) -> impl Iterator<Item = &[u8]> {
    let subs = (3..=MAX_ANCHOR.min(kw.len())).flat_map(move |len| kw.windows(len));
    std::iter::once(kw).chain(subs.filter(|s| {
        // Three bytes only with punctuation in them (`://`, `_v1`); longer ones with anything
        // but letters alone.
        if s.len() == 3 {
            s.iter().any(|b| !b.is_ascii_alphanumeric())
        } else {
            !s.iter().all(u8::is_ascii_alphabetic)
        }
    }))
}

/// Expected occurrences per gigabyte of source code, taking bytes as independent.
fn expected_per_gb(s: &[u8]) -> f64 {
    s.iter()
        .map(|&b| f64::from(BYTE_FREQ_PER_MILLION[b as usize]) / 1e6)
        .product::<f64>()
        * 1e9
}

fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(p: &Prefilter, hay: &[u8]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        p.find(hay, &mut out);
        out.iter()
            .map(|h| {
                (
                    h.start,
                    String::from_utf8_lossy(p.keyword(h.keyword)).into_owned(),
                )
            })
            .collect()
    }

    fn many_keywords() -> Vec<Vec<u8>> {
        let mut kws: Vec<Vec<u8>> = (0..60)
            .map(|i| format!("z{i:02}q{}_", (b'a' + i % 26) as char).into_bytes())
            .collect();
        kws.extend(
            ["sk_live_", "rk_live_", "live_", "ghp_", "gho_", "ccount"]
                .map(|k| k.as_bytes().to_vec()),
        );
        kws
    }

    #[test]
    fn every_keyword_occurrence_is_found_with_anchors() {
        let p = Prefilter::new(many_keywords()).expect("builds");
        assert!(p.groups.len() > 1, "60+ keywords need several searchers");
        let hay = b"x sk_live_ z07qh_ z17qr_ghp_ account gho_z59qh_";
        assert_eq!(
            hits(&p, hay),
            vec![
                (2, "sk_live_".to_string()),
                (5, "live_".to_string()),
                (11, "z07qh_".to_string()),
                (18, "z17qr_".to_string()),
                (24, "ghp_".to_string()),
                (30, "ccount".to_string()),
                (37, "gho_".to_string()),
                (41, "z59qh_".to_string()),
            ]
        );
    }

    #[test]
    fn overlapping_keywords_are_all_found() {
        let p = Prefilter::new(many_keywords()).expect("builds");
        assert_eq!(
            hits(&p, b"rk_live_"),
            vec![(0, "rk_live_".to_string()), (3, "live_".to_string())]
        );
        let small = Prefilter::new(vec![b"abc".to_vec(), b"abcdef".to_vec(), b"cde".to_vec()])
            .expect("builds");
        assert_eq!(
            hits(&small, b"abcdef"),
            vec![
                (0, "abc".to_string()),
                (0, "abcdef".to_string()),
                (2, "cde".to_string())
            ]
        );
    }

    #[test]
    fn both_searchers_find_the_same() {
        let pats: Vec<Vec<u8>> = ["sk_live_", "ghp_", "://"]
            .map(|p| p.as_bytes().to_vec())
            .into();
        let packed = Searcher::new(&pats).expect("builds");
        let automaton = Searcher::Automaton(
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&pats)
                .expect("builds"),
        );
        let hay = b"x https://a ghp_1 sk_live_2";
        for at in 0..hay.len() {
            assert_eq!(packed.find(hay, at), automaton.find(hay, at), "at {at}");
        }
    }

    #[test]
    fn words_are_never_anchors_for_longer_keywords() {
        let kws = many_keywords();
        for a in choose_anchors(&kws) {
            assert!(
                kws.contains(&a) || !a.iter().all(u8::is_ascii_alphabetic),
                "{a:?}"
            );
        }
    }
}
