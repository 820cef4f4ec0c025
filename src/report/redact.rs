//! Nothing re-leaked: every string a report prints that comes from the input — a path, an
//! archive member's name, a finding's detail line, a warning — goes through the same rules as
//! file contents, and each secret found in it is shown redacted (unless `--show-secrets`). A key
//! in a member name (`app.zip!sk_live_….txt`) or a variable name (`VITE_sk_live_…`) must not be
//! printed in full because it is not where secrets usually are.

use std::sync::Arc;

use crate::engine::{Engine, Scratch};
use crate::finding::{Recorded, redact};
use crate::outcome::ScanOutcome;

/// Finds secrets in strings: the rules, and every secret value the scan found (which may sit
/// in a string where a rule's boundaries do not hold, `VITE_sk_live_…`).
pub struct Redactor<'e> {
    engine: &'e Engine,
    scratch: Scratch,
    known: Option<aho_corasick::AhoCorasick>,
}

impl<'e> Redactor<'e> {
    /// A redactor that knows the secrets of `findings`.
    pub fn new(engine: &'e Engine, findings: &[crate::finding::Finding]) -> Redactor<'e> {
        let mut scratch = Scratch::default();
        // Rules limited to some paths (config files) do not apply to a report's strings.
        engine.prepare("", b"", &mut scratch);
        let mut secrets: Vec<&str> = findings
            .iter()
            .filter(|f| f.redact && f.recorded.is_none() && f.secret.len() >= 8)
            .map(|f| f.secret.as_str())
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        let known = (!secrets.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&secrets)
                    .ok()
            })
            .flatten();
        Redactor {
            engine,
            scratch,
            known,
        }
    }

    /// `text` with its secrets redacted, or `None` when it holds none.
    pub fn text(&mut self, text: &str) -> Option<String> {
        redact_text(self.engine, &mut self.scratch, self.known.as_ref(), text)
    }
}

/// `text` with every secret found in it redacted; `None` when there is none.
fn redact_text(
    engine: &Engine,
    scratch: &mut Scratch,
    known: Option<&aho_corasick::AhoCorasick>,
    text: &str,
) -> Option<String> {
    let mut matches = Vec::new();
    engine.find(text.as_bytes(), scratch, &mut matches);
    // A key glued to a name (`VITE_sk_live_…`, `keys/x_ghp_…`) has no boundary on its left:
    // look again with a boundary put before each keyword that lacks one, one at a time (a
    // keyword may sit inside a key: `live_` in `sk_live_`).
    let glued: Vec<usize> = scratch
        .keyword_positions()
        .filter(|&k| {
            k > 0 && {
                let b = text.as_bytes()[k - 1];
                b.is_ascii_alphanumeric() || b == b'_'
            }
        })
        .collect();
    for k in glued {
        let mut bounded = text.as_bytes().to_vec();
        bounded[k - 1] = b' ';
        engine.find(&bounded, scratch, &mut matches);
    }
    let mut spans: Vec<(usize, usize)> = matches
        .iter()
        .filter(|m| engine.rule(m.rule).redact && m.extracted.is_none())
        .map(|m| (m.secret_start, m.secret_end))
        .collect();
    if let Some(k) = known {
        spans.extend(k.find_iter(text).map(|m| (m.start(), m.end())));
    }
    spans.retain(|&(s, e)| s < e && text.is_char_boundary(s) && text.is_char_boundary(e));
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        if s < at {
            continue; // overlapping spans: the first one redacted covers it
        }
        out.push_str(&text[at..s]);
        out.push_str(&redact(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Redacts secrets in the outcome's paths, details and warnings. Fingerprints are kept as they
/// were computed from the real paths.
pub fn outcome(outcome: &mut ScanOutcome, engine: &Engine) {
    let mut redactor = findings(&mut outcome.findings, engine);
    let mut fix = |s: &str| redactor.text(s);
    for w in &mut outcome.warnings {
        if let Some(p) = fix(&w.path) {
            w.path = p;
        }
        if let Some(m) = fix(&w.message) {
            w.message = m;
        }
    }
    for e in &mut outcome.stale {
        if let Some(p) = fix(&e.path) {
            e.path = p;
        }
    }
}

/// Redacts secrets in the findings' paths and details; returns the redactor, which knows
/// their secrets, for the report's other strings.
pub fn findings<'e>(findings: &mut [crate::finding::Finding], engine: &'e Engine) -> Redactor<'e> {
    let mut redactor = Redactor::new(engine, findings);
    let mut fix = |s: &str| redactor.text(s);
    for f in findings.iter_mut() {
        let path = fix(&f.path);
        let canonical = fix(&f.canonical);
        let detail = f.detail.as_deref().and_then(&mut fix);
        if let Some(v) = &mut f.verification
            && let Some(d) = fix(&v.detail)
        {
            v.detail = d;
        }
        if path.is_none() && canonical.is_none() && detail.is_none() {
            continue;
        }
        if f.recorded.is_none() {
            f.recorded = Some(Recorded {
                fingerprint: Arc::from(f.fingerprint()),
                redacted: false,
            });
        }
        if let Some(p) = path {
            f.path = Arc::from(p);
        }
        if let Some(c) = canonical {
            f.canonical = Arc::from(c);
        }
        if detail.is_some() {
            f.detail = detail;
        }
    }
    redactor
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    const KEY: &str = "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"; // sealant:allow test key

    #[test]
    fn keys_in_names_are_redacted() {
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let mut scratch = Scratch::default();
        engine.prepare("", b"", &mut scratch);
        for text in [
            format!("keys/{KEY}.txt"),
            format!("assigned to VITE_{KEY}: the build"),
            format!("dir_{KEY}/x"),
        ] {
            let out =
                redact_text(&engine, &mut scratch, None, &text).unwrap_or_else(|| panic!("{text}"));
            assert!(!out.contains(KEY), "{out}");
            assert!(out.contains("sk_live_51u8…vUC"), "{out}");
        }
        assert_eq!(redact_text(&engine, &mut scratch, None, "src/app.js"), None);
    }
}
