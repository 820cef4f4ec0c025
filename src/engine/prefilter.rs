//! The keyword prefilter: finds every occurrence of every rule keyword in a haystack, in one
//! hashed pass whose cost does not grow with the number of keywords (see `trigram`).
//! Keywords are at least 3 bytes long (rule files are checked for it); a keyword may be
//! matched in any ASCII case.

pub use crate::engine::trigram::KeywordHit;
use crate::engine::trigram::{self, TrigramFilter};
use crate::error::{Error, Result};
use crate::rules::Rule;

/// A keyword's bytes, and whether it is matched in any ASCII case (then in lower case).
pub type Keyword = (Vec<u8>, bool);

/// Each distinct keyword of `rules` once, with whether it is matched in any case (a keyword in
/// any case is apart from the same exact one), and for each the rules (by index) that list it.
pub fn distinct_keywords(rules: &[Rule]) -> (Vec<Keyword>, Vec<Vec<u32>>) {
    let mut keywords: Vec<Keyword> = Vec::new();
    let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
    for (ri, rule) in rules.iter().enumerate() {
        let exact = rule.keywords.iter().map(|k| (k, false));
        let any_case = rule.keywords_any_case.iter().map(|k| (k, true));
        for (kw, any_case) in exact.chain(any_case) {
            match (keywords.iter()).position(|(k, a)| k == kw && *a == any_case) {
                Some(ki) => keyword_rules[ki].push(ri as u32),
                None => {
                    keywords.push((kw.clone(), any_case));
                    keyword_rules.push(vec![ri as u32]);
                }
            }
        }
    }
    (keywords, keyword_rules)
}

#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<Vec<u8>>,
    filter: TrigramFilter,
    /// Keywords that begin with a separator (`"sl.`, ` sl.`, `=sl.`), by index, with whether
    /// they are in any case: at the very start of a haystack they match without it.
    at_start: Vec<(u32, bool)>,
}

/// A byte a keyword may begin with to say "at the start of a token": a blank, a line break,
/// a quote, `=` or `:`. A haystack begins a token (and a line), so there the keyword's
/// remaining bytes suffice.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'=' | b':')
}

impl Prefilter {
    /// A prefilter for `keywords`, each with whether it is matched in any ASCII case (then its
    /// hits are reported under its lower-case spelling's index).
    pub fn new(keywords: Vec<Keyword>) -> Result<Prefilter> {
        if let Some((k, _)) = keywords.iter().find(|(k, _)| k.len() < trigram::WINDOW) {
            return Err(Error::new(format!(
                "keyword {:?} is shorter than {} bytes",
                String::from_utf8_lossy(k),
                trigram::WINDOW
            )));
        }
        let keywords: Vec<Keyword> = (keywords.into_iter())
            .map(|(k, any_case)| match any_case {
                true => (k.to_ascii_lowercase(), true),
                false => (k, false),
            })
            .collect();
        let filter = TrigramFilter::new(
            (keywords.iter().enumerate()).map(|(i, (k, a))| (i as u32, k.as_slice(), *a)),
        );
        let at_start = (keywords.iter().enumerate())
            .filter(|(_, (k, _))| k.len() > trigram::WINDOW && is_separator(k[0]))
            .map(|(i, (_, a))| (i as u32, *a))
            .collect();
        let keywords = keywords.into_iter().map(|(k, _)| k).collect();
        Ok(Prefilter {
            keywords,
            filter,
            at_start,
        })
    }

    /// Every 3-byte window the filter looks for (in a word's low 3 bytes).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn anchor_windows(&self) -> impl Iterator<Item = u32> + '_ {
        self.filter.anchor_windows()
    }

    pub fn keyword(&self, index: u32) -> &[u8] {
        &self.keywords[index as usize]
    }

    /// Appends every keyword occurrence in `hay` to `out`, sorted by position then keyword.
    pub fn find(&self, hay: &[u8], out: &mut Vec<KeywordHit>) {
        let first = out.len();
        self.filter.find(hay, |ki| &self.keywords[ki as usize], out);
        // A keyword that begins with a separator also matches at the start without it (a
        // token file holding only `sl.…`), reported at position 0.
        for &(ki, any_case) in &self.at_start {
            let rest = &self.keywords[ki as usize][1..];
            let head = hay.get(..rest.len());
            if head.is_some_and(|h| {
                if any_case {
                    h.eq_ignore_ascii_case(rest)
                } else {
                    h == rest
                }
            }) {
                out.push(KeywordHit {
                    start: 0,
                    keyword: ki,
                });
            }
        }
        out[first..].sort_unstable();
        // Hits come in the order of their anchors; a keyword listed twice is reported once.
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

    fn exact(kws: Vec<Vec<u8>>) -> Vec<(Vec<u8>, bool)> {
        kws.into_iter().map(|k| (k, false)).collect()
    }

    #[test]
    fn every_keyword_occurrence_is_found_in_order() {
        let p = Prefilter::new(exact(many_keywords())).expect("builds");
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
        let p = Prefilter::new(exact(many_keywords())).expect("builds");
        assert_eq!(
            hits(&p, b"rk_live_"),
            vec![(0, "rk_live_".to_string()), (3, "live_".to_string())]
        );
        let small = Prefilter::new(exact(vec![
            b"abc".to_vec(),
            b"abcdef".to_vec(),
            b"cde".to_vec(),
        ]))
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
    fn a_keyword_after_a_separator_also_matches_at_the_start_without_it() {
        let p = Prefilter::new(vec![
            (b" sl.".to_vec(), false),
            (b"=SL.".to_vec(), true),
            (b"-us".to_vec(), false),
            (b"\nEAA".to_vec(), false),
        ])
        .expect("builds");
        assert_eq!(
            hits(&p, b"sl.abc x sl.d"),
            vec![
                (0, " sl.".to_string()),
                (0, "=sl.".to_string()),
                (8, " sl.".to_string())
            ]
        );
        assert_eq!(
            hits(&p, b"EAAB\nEAAC"),
            vec![(0, "\nEAA".to_string()), (4, "\nEAA".to_string())]
        );
        // Only at the start, and only what follows the separator.
        assert_eq!(hits(&p, b"xsl.abc"), vec![]);
        assert_eq!(hits(&p, b"us-1"), vec![]);
        assert_eq!(hits(&p, b"sl"), vec![]);
    }

    #[test]
    fn a_keyword_in_any_case_is_found_in_every_case_once() {
        let p = Prefilter::new(vec![
            (b"Twilio".to_vec(), true),
            (b"TWILIO_".to_vec(), false),
        ])
        .expect("builds");
        assert_eq!(
            hits(&p, b"twilio TWILIO_ TwIlIo"),
            vec![
                (0, "twilio".to_string()),
                (7, "twilio".to_string()),
                (7, "TWILIO_".to_string()),
                (15, "twilio".to_string()),
            ]
        );
    }

    #[test]
    fn short_keywords_are_refused() {
        let err = Prefilter::new(exact(vec![b"ab".to_vec()])).expect_err("too short");
        assert!(err.to_string().contains("shorter than 3 bytes"), "{err}");
    }
}
