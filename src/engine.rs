//! The rule engine: one Aho-Corasick pass over the keywords of every rule finds candidate spots;
//! each rule's regex then runs only on bounded windows around its keyword hits.
//!
//! Windows of one rule that touch or overlap are merged before the regex runs, so each byte is
//! searched at most once per rule whatever the input (a file made of nothing but keywords costs
//! one linear regex pass, not one per hit).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};

use crate::error::{Error, Result};
use crate::rules::{Rule, RuleSet, Verdict};

/// The compiled form of a rule set.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    keywords: AhoCorasick,
    /// For each keyword pattern: the rules to try when it is the longest keyword at a spot.
    /// Includes the rules of every keyword that is a prefix of it, so a shorter keyword starting
    /// at the same byte is never lost to leftmost-longest matching.
    pattern_rules: Vec<Vec<u32>>,
    pattern_len: Vec<usize>,
    max_before: usize,
    max_after: usize,
}

/// A confirmed regex match of one rule, in haystack coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMatch {
    pub rule: u32,
    /// Start of the whole regex match (used to decide which chunk owns a match).
    pub match_start: usize,
    pub secret_start: usize,
    pub secret_end: usize,
    pub verdict: Verdict,
}

/// Per-thread working memory for [`Engine::find`], reused across blobs.
#[derive(Debug, Default)]
pub struct Scratch {
    windows: Vec<Vec<(usize, usize)>>,
    touched: Vec<u32>,
}

impl Engine {
    pub fn new(set: RuleSet) -> Result<Engine> {
        let rules = set.rules;
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut direct: Vec<Vec<u32>> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for kw in &rule.keywords {
                match patterns.iter().position(|p| p == kw) {
                    Some(pi) => direct[pi].push(ri as u32),
                    None => {
                        patterns.push(kw.clone());
                        direct.push(vec![ri as u32]);
                    }
                }
            }
        }
        let pattern_rules = patterns
            .iter()
            .map(|p| {
                let mut rs: Vec<u32> = patterns
                    .iter()
                    .zip(&direct)
                    .filter(|(q, _)| p.starts_with(q))
                    .flat_map(|(_, rs)| rs.iter().copied())
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                rs
            })
            .collect();
        let keywords = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::new(format!("cannot build the keyword automaton: {e}")))?;
        Ok(Engine {
            max_before: rules.iter().map(|r| r.window_before).max().unwrap_or(0),
            max_after: rules.iter().map(|r| r.window_after).max().unwrap_or(0),
            pattern_len: patterns.iter().map(Vec::len).collect(),
            rules,
            keywords,
            pattern_rules,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, index: u32) -> &Rule {
        &self.rules[index as usize]
    }

    /// The longest distance a match can start before, or end after, a keyword hit. Callers that
    /// cut a blob into chunks overlap them by more than twice this (see `blob`).
    pub fn reach(&self) -> (usize, usize) {
        (self.max_before, self.max_after)
    }

    /// Finds every rule match in `hay`, appending them to `out` ordered by position then rule.
    pub fn find(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        if scratch.windows.len() < self.rules.len() {
            scratch.windows.resize_with(self.rules.len(), Vec::new);
        }
        scratch.touched.clear();
        let mut at = 0;
        while at < hay.len() {
            let Some(hit) = self.keywords.find(Input::new(hay).span(at..hay.len())) else {
                break;
            };
            let pi = hit.pattern().as_usize();
            for &ri in &self.pattern_rules[pi] {
                let rule = &self.rules[ri as usize];
                let ws = hit.start().saturating_sub(rule.window_before);
                let we = (hit.start() + self.pattern_len[pi] + rule.window_after).min(hay.len());
                let wins = &mut scratch.windows[ri as usize];
                match wins.last_mut() {
                    Some(last) if ws <= last.1 => last.1 = last.1.max(we),
                    Some(_) => wins.push((ws, we)),
                    None => {
                        scratch.touched.push(ri);
                        wins.push((ws, we));
                    }
                }
            }
            at = hit.start() + 1;
        }
        let first = out.len();
        scratch.touched.sort_unstable();
        for &ri in &scratch.touched {
            let rule = &self.rules[ri as usize];
            for &(ws, we) in &scratch.windows[ri as usize] {
                confirm(rule, ri, &hay[..we], ws, out);
            }
            scratch.windows[ri as usize].clear();
        }
        out[first..].sort_by_key(|m| (m.secret_start, m.rule));
    }
}

/// Runs `rule`'s regex over `hay[start..]` (the bytes before `start` serve as look-behind
/// context for `\b`) and records every match.
fn confirm(rule: &Rule, ri: u32, hay: &[u8], start: usize, out: &mut Vec<RawMatch>) {
    let mut pos = start;
    while pos <= hay.len() {
        let Some(caps) = rule.regex.captures_at(hay, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        pos = if whole.end() > whole.start() {
            whole.end()
        } else {
            whole.end() + 1
        };
        let Some((secret_start, secret_end)) = rule.secret_span(&caps) else {
            continue;
        };
        if secret_end == secret_start {
            continue;
        }
        let verdict = rule.judge(&caps);
        if verdict != Verdict::Reject {
            out.push(RawMatch {
                rule: ri,
                match_start: whole.start(),
                secret_start,
                secret_end,
                verdict,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn engine(toml: &str) -> Engine {
        Engine::new(RuleSet {
            rules: parse_rule_file(toml, "test").expect("valid rules"),
        })
        .expect("engine builds")
    }

    fn builtin() -> Engine {
        Engine::new(RuleSet::builtin().expect("built-in rules load")).expect("engine builds")
    }

    fn secrets(e: &Engine, hay: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        e.find(hay, &mut Scratch::default(), &mut out);
        out.iter()
            .map(|m| {
                (
                    e.rule(m.rule).id.clone(),
                    String::from_utf8_lossy(&hay[m.secret_start..m.secret_end]).into_owned(),
                )
            })
            .collect()
    }

    /// Every built-in rule's examples match it and its negative examples do not.
    #[test]
    fn builtin_rule_examples() {
        let e = builtin();
        for rule in e.rules() {
            assert!(
                rule.examples.len() >= 2 && rule.negative_examples.len() >= 2,
                "{} needs at least two examples and two negative examples",
                rule.id
            );
            for ex in &rule.examples {
                let found = secrets(&e, ex.as_bytes());
                assert!(
                    found.iter().any(|(id, _)| *id == rule.id),
                    "{}: example not matched: {ex:?} (found {found:?})",
                    rule.id
                );
            }
            for ex in &rule.negative_examples {
                let found = secrets(&e, ex.as_bytes());
                assert!(
                    !found.iter().any(|(id, _)| *id == rule.id),
                    "{}: negative example matched: {ex:?}",
                    rule.id
                );
            }
        }
    }

    const KEY: &str = "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";

    #[test]
    fn stripe_key_boundaries() {
        let e = builtin();
        let live = "stripe.secret-key.live".to_string();
        for (hay, expect) in [
            (format!("<string>{KEY}</string>"), Some(KEY)),
            (format!("a\0{KEY}\0b"), Some(KEY)),
            (KEY.to_string(), Some(KEY)),
            (format!("x={KEY}&y=1"), Some(KEY)),
            (format!("'{KEY}_suffix'"), Some(KEY)),
            (format!("task_live_{}", &KEY[8..]), None),
            (format!("a{KEY}"), None),
        ] {
            let found = secrets(&e, hay.as_bytes());
            match expect {
                Some(k) => assert_eq!(found, vec![(live.clone(), k.to_string())], "{hay}"),
                None => assert!(found.is_empty(), "{hay}: {found:?}"),
            }
        }
    }

    #[test]
    fn long_keys_are_captured_whole() {
        let e = builtin();
        let body: String = KEY[8..].repeat(3);
        let key = format!("sk_live_{}", &body[..247]);
        let found = secrets(&e, format!("k=\"{key}\"").as_bytes());
        assert_eq!(found, vec![("stripe.secret-key.live".to_string(), key)]);
    }

    #[test]
    fn invalid_utf8_around_keys_is_fine() {
        let e = builtin();
        let mut hay = vec![0xff, 0xfe, 0xc3];
        hay.extend_from_slice(KEY.as_bytes());
        hay.extend_from_slice(&[0x80, 0xff]);
        assert_eq!(secrets(&e, &hay).len(), 1);
    }

    #[test]
    fn dense_keywords_are_searched_once_per_rule() {
        let e = builtin();
        let hay = "sk_live_".repeat(200_000);
        assert!(secrets(&e, hay.as_bytes()).is_empty());
    }

    #[test]
    fn shorter_keyword_at_same_spot_is_not_lost() {
        let e = engine(
            r#"
[[rule]]
id = "long"
title = "t"
severity = "low"
keywords = ["abc_def"]
regex = 'abc_def(\d+)'
remediation = "r"
[[rule]]
id = "short"
title = "t"
severity = "low"
keywords = ["abc"]
regex = 'abc_(\w+)'
remediation = "r"
"#,
        );
        let ids: Vec<String> = secrets(&e, b"abc_def123")
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(ids, vec!["short".to_string(), "long".to_string()]);
    }

    #[test]
    fn documented_values_are_flagged() {
        let e = builtin();
        let mut out = Vec::new();
        e.find(
            b"sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            &mut Scratch::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].verdict, Verdict::Documented);
    }

    #[test]
    fn rules_without_keywords_are_rejected() {
        let err = parse_rule_file(
            "[[rule]]\nid='x'\ntitle='t'\nseverity='low'\nkeywords=[]\nregex='a'\nremediation='r'\n",
            "custom.toml",
        )
        .expect_err("must fail");
        assert!(err.to_string().contains("no keywords"), "{err}");
    }
}
