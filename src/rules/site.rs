//! The checks `sealant probe` makes of a deployed site beyond its pages (rules as data:
//! `rules/probe/site.toml`): well-known paths where a deploy leaves secrets or debug panels
//! exposed, each with the body that proves the exposure (a proof regex, how many matches, and
//! what rules it out — an HTML page answering for every path proves nothing), its severity and
//! fix, and bodies that must and must not prove it, checked by the tests.

use regex::Regex;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::Severity;

/// The built-in site checks.
pub const SITE_CHECKS: &str = include_str!("../../rules/probe/site.toml");

/// One well-known exposure.
#[derive(Debug)]
pub struct SiteCheck {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Paths requested on the probed origin (`/.env`).
    pub paths: Vec<String>,
    proof: Regex,
    min_matches: usize,
    unless: Option<Regex>,
    pub remediation: String,
    pub examples: Vec<String>,
    pub negatives: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CheckFile {
    check: Vec<CheckToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CheckToml {
    id: String,
    title: String,
    severity: Severity,
    paths: Vec<String>,
    proof: String,
    #[serde(default)]
    min_matches: Option<usize>,
    #[serde(default)]
    unless: Option<String>,
    remediation: String,
    examples: Vec<String>,
    negatives: Vec<String>,
}

/// Bytes of a body a proof looks at.
const PROOF_WINDOW: usize = 256 * 1024;

impl SiteCheck {
    /// The built-in checks, in file order.
    pub fn builtin() -> Result<Vec<SiteCheck>> {
        SiteCheck::parse(SITE_CHECKS, "rules/probe/site.toml")
    }

    pub fn parse(text: &str, name: &str) -> Result<Vec<SiteCheck>> {
        let file: CheckFile = toml::from_str(text)
            .map_err(|e| Error::new(format!("{name}: not a site-check file: {e}")))?;
        let regex = |id: &str, what: &str, r: &str| {
            Regex::new(r).map_err(|e| Error::new(format!("{name}: check {id}: bad {what}: {e}")))
        };
        file.check
            .into_iter()
            .map(|c| {
                if c.paths.iter().any(|p| !p.starts_with('/')) {
                    return Err(Error::new(format!(
                        "{name}: check {}: every path starts with /",
                        c.id
                    )));
                }
                Ok(SiteCheck {
                    proof: regex(&c.id, "proof", &c.proof)?,
                    unless: c
                        .unless
                        .as_deref()
                        .map(|u| regex(&c.id, "unless", u))
                        .transpose()?,
                    min_matches: c.min_matches.unwrap_or(1).max(1),
                    id: c.id,
                    title: c.title,
                    severity: c.severity,
                    paths: c.paths,
                    remediation: c.remediation,
                    examples: c.examples,
                    negatives: c.negatives,
                })
            })
            .collect()
    }

    /// What in `body` proves the exposure (the first proof match, for the finding's detail),
    /// if it does.
    pub fn proves(&self, body: &[u8]) -> Option<String> {
        let window = String::from_utf8_lossy(&body[..body.len().min(PROOF_WINDOW)]);
        if self.unless.as_ref().is_some_and(|u| u.is_match(&window)) {
            return None;
        }
        let mut matches = self.proof.find_iter(&window);
        let first = matches.next()?;
        if 1 + matches.take(self.min_matches - 1).count() < self.min_matches {
            return None;
        }
        Some(first.as_str().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check: two examples or more that prove it, two negatives or more that do not.
    #[test]
    fn every_check_proves_its_examples_and_not_its_negatives() {
        let checks = SiteCheck::builtin().expect("site.toml loads");
        assert!(checks.len() >= 10);
        let mut ids = std::collections::HashSet::new();
        for c in &checks {
            assert!(ids.insert(c.id.as_str()), "{} twice", c.id);
            assert!(c.id.starts_with("exposed."), "{}", c.id);
            assert!(c.examples.len() >= 2 && c.negatives.len() >= 2, "{}", c.id);
            for e in &c.examples {
                assert!(c.proves(e.as_bytes()).is_some(), "{} misses {e:?}", c.id);
            }
            for n in &c.negatives {
                assert!(c.proves(n.as_bytes()).is_none(), "{} flags {n:?}", c.id);
            }
        }
    }

    #[test]
    fn a_single_page_app_proves_nothing() {
        let spa = b"<!doctype html><html><head><script type=module src=/assets/i.js></script>\
                    </head><body><div id=root></div></body></html>";
        for c in SiteCheck::builtin().expect("loads") {
            assert!(c.proves(spa).is_none(), "{}", c.id);
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let e = SiteCheck::parse("[[check]]\nid='x'", "f.toml").expect_err("incomplete");
        assert!(e.to_string().contains("f.toml"), "{e}");
    }
}
