//! The keyword prefilter: finds every occurrence of every rule keyword in a haystack, in one
//! hashed pass whose cost does not grow with the number of keywords (see `trigram`).
//! Keywords are at least 3 bytes long (rule files are checked for it).

pub use crate::engine::trigram::KeywordHit;
use crate::engine::trigram::{self, TrigramFilter};
use crate::error::{Error, Result};

#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<Vec<u8>>,
    filter: TrigramFilter,
}

impl Prefilter {
    pub fn new(keywords: Vec<Vec<u8>>) -> Result<Prefilter> {
        if let Some(k) = keywords.iter().find(|k| k.len() < trigram::WINDOW) {
            return Err(Error::new(format!(
                "keyword {:?} is shorter than {} bytes",
                String::from_utf8_lossy(k),
                trigram::WINDOW
            )));
        }
        let filter = TrigramFilter::new(
            (keywords.iter().enumerate()).map(|(i, k)| (i as u32, k.as_slice())),
        );
        Ok(Prefilter { keywords, filter })
    }

    pub fn keyword(&self, index: u32) -> &[u8] {
        &self.keywords[index as usize]
    }

    /// Appends every keyword occurrence in `hay` to `out`, sorted by position then keyword.
    pub fn find(&self, hay: &[u8], out: &mut Vec<KeywordHit>) {
        let first = out.len();
        self.filter.find(hay, |ki| &self.keywords[ki as usize], out);
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

    #[test]
    fn every_keyword_occurrence_is_found_in_order() {
        let p = Prefilter::new(many_keywords()).expect("builds");
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
    fn short_keywords_are_refused() {
        let err = Prefilter::new(vec![b"ab".to_vec()]).expect_err("too short");
        assert!(err.to_string().contains("shorter than 3 bytes"), "{err}");
    }
}
