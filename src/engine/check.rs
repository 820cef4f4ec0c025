//! Checks rules against their own examples: every example must be matched by its rule, no
//! negative example may be. Used by the test suite for the built-ins and by `sealant rules check`
//! for a user's rule file.
//!
//! An example for a rule limited by path starts with the path it is read at:
//! `"@path: config/app.php\n'debug' => true,"`. File rules' examples are paths.

use crate::engine::{Engine, Scratch};

/// Splits an example into the path it is read at (default: none) and its text.
pub fn split_example(example: &str) -> (&str, &str) {
    match example.strip_prefix("@path:") {
        Some(rest) => {
            let (path, text) = rest.split_once('\n').unwrap_or((rest, ""));
            (path.trim(), text)
        }
        None => ("", example),
    }
}

/// A keyword is matched byte for byte, so a rule whose regex takes the keyword's text in any
/// case (`(?i:cloudflare_api_key)`) misses the spellings its keywords lack. Found by changing
/// the case of each keyword in each example: if the regex still matches and no keyword is
/// left in the text, the keywords need that spelling too.
fn keyword_case_problem(rule: &crate::rules::Rule) -> Option<String> {
    let regex = rule.regex().ok()?;
    for ex in &rule.examples {
        let (_, text) = split_example(ex);
        let text = text.as_bytes();
        for kw in &rule.keywords {
            let Some(at) = memchr::memmem::find(text, kw) else {
                continue;
            };
            for changed in [kw.to_ascii_lowercase(), kw.to_ascii_uppercase()] {
                if changed == *kw {
                    continue;
                }
                let mut variant = text.to_vec();
                variant[at..at + kw.len()].copy_from_slice(&changed);
                let lower = variant.to_ascii_lowercase();
                let still_found = (rule.keywords.iter())
                    .any(|k| memchr::memmem::find(&variant, k).is_some())
                    || (rule.keywords_any_case.iter())
                        .any(|k| memchr::memmem::find(&lower, k).is_some());
                if !still_found && regex.is_match(&variant) {
                    return Some(format!(
                        "{}: {}: the regex matches {:?} in any case, but no keyword does \
                         (keywords are matched as written): add {:?} to keywords, or \
                         list the name in keywords_any_case",
                        rule.source,
                        rule.id,
                        String::from_utf8_lossy(kw),
                        String::from_utf8_lossy(&changed)
                    ));
                }
            }
        }
    }
    None
}

/// A rule whose keywords begin a token (`keyword_token_min`) skips a keyword right after a
/// token byte, or whose token is shorter. Checked on each keyword in each example: with a
/// token byte of each kind put before it, or its token cut one byte short of the minimum, the
/// regex must not match across the keyword (the rule would lose that match).
fn keyword_token_problem(rule: &crate::rules::Rule) -> Option<String> {
    let min = rule.keyword_token_min;
    if min == 0 {
        return None;
    }
    let regex = rule.regex().ok()?;
    for ex in &rule.examples {
        let (_, text) = split_example(ex);
        let (text, lower) = (text.as_bytes(), text.to_ascii_lowercase().into_bytes());
        let exact = rule.keywords.iter().map(|k| (k, text));
        let any_case = rule.keywords_any_case.iter().map(|k| (k, &lower[..]));
        for (kw, hay) in exact.chain(any_case) {
            for at in memchr::memmem::find_iter(hay, kw) {
                let end = (text[at..].iter()).position(|&b| !crate::rules::is_token_byte(b));
                let end = end.map_or(text.len(), |n| at + n);
                // One byte of each kind a token takes before the keyword; then the token cut.
                let mut variants: Vec<(Vec<u8>, usize)> = (b"x0_+/-".iter())
                    .map(|&b| ([&text[..at], &[b], &text[at..]].concat(), at + 1))
                    .collect();
                if end - at >= min {
                    variants.push(([&text[..at + min - 1], &text[end..]].concat(), at));
                }
                for (variant, kw_at) in variants {
                    if (regex.find_iter(&variant)).any(|m| m.start() <= kw_at && kw_at < m.end()) {
                        return Some(format!(
                            "{}: {}: keyword_token_min = {min}, but the regex matches {:?} \
                             after a token byte or in a shorter token (in {ex:?}): lower or \
                             drop keyword_token_min, or make the regex require it",
                            rule.source,
                            rule.id,
                            String::from_utf8_lossy(kw)
                        ));
                    }
                }
            }
        }
    }
    None
}

/// An example counts as matched when the rule reports it above `info`.
///
/// Problems found, one line each; empty when every rule passes. With `require_two`, a rule
/// also needs at least two examples and two negative examples (the bar for built-in rules).
pub fn check_examples(engine: &Engine, require_two: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    let too_few = |pos: usize, neg: usize| require_two && (pos < 2 || neg < 2);
    for (index, rule) in engine.rules().iter().enumerate() {
        if let Err(e) = rule.compile_now() {
            problems.push(e.to_string());
            continue;
        }
        if too_few(rule.examples.len(), rule.negative_examples.len()) {
            problems.push(format!(
                "{}: {}: needs at least two examples and two negative examples",
                rule.source, rule.id
            ));
        }
        let mut matches = |example: &str| {
            let (path, text) = split_example(example);
            hits.clear();
            engine.prepare(path, text.as_bytes(), &mut scratch);
            engine.find_all(text.as_bytes(), &mut scratch, &mut hits);
            // A finding downgraded to info (a development file) does not count.
            let mine = hits.iter().find(|m| m.rule as usize == index && !m.info);
            let filtered = (scratch.rejected.iter()).any(|&(r, _)| r as usize == index);
            // A capture that stops before the token does (a letter or digit right after it)
            // is a truncated secret.
            let cut = mine.and_then(|m| {
                let next = *text.as_bytes().get(m.secret_end)?;
                next.is_ascii_alphanumeric().then(|| {
                    let secret = text.as_bytes().get(m.secret_start..m.secret_end);
                    String::from_utf8_lossy(secret.unwrap_or_default()).into_owned()
                })
            });
            (mine.is_some(), filtered, cut)
        };
        for id in &rule.overrides {
            if !engine.rules().iter().any(|r| &r.id == id) {
                problems.push(format!(
                    "{}: {}: overrides names no rule: {id:?}",
                    rule.source, rule.id
                ));
            }
        }
        for ex in &rule.examples {
            let (matched, filtered, cut) = matches(ex);
            if let Some(cut) = cut {
                problems.push(format!(
                    "{}: {}: the capture stops inside the token (a letter or digit follows \
                     {cut:?}): {ex:?}",
                    rule.source, rule.id
                ));
            }
            if !matched {
                // The regex matched, but a filter judged the value fake: say so.
                let why = if !filtered {
                    ""
                } else {
                    " (the regex matches, but the placeholder filter drops the value as fake: \
                     use a random-looking value, or set placeholder_check = false)"
                };
                problems.push(format!(
                    "{}: {}: example is not matched{why}: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
        for ex in &rule.negative_examples {
            if matches(ex).0 {
                problems.push(format!(
                    "{}: {}: negative example is matched: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
        problems.extend(keyword_case_problem(rule));
        problems.extend(keyword_token_problem(rule));
    }
    for rule in engine.file_rules() {
        if too_few(rule.examples.len(), rule.negative_examples.len()) {
            problems.push(format!(
                "{}: {}: needs at least two examples and two negative examples",
                rule.source, rule.id
            ));
        }
        for ex in &rule.examples {
            if !rule.reports_example(ex) {
                problems.push(format!(
                    "{}: {}: path is not reported: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
        for ex in &rule.negative_examples {
            if rule.reports_example(ex) {
                problems.push(format!(
                    "{}: {}: path is reported: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    /// A case-insensitive regex behind case-sensitive keywords is reported, with the spelling
    /// to add; with that spelling the rule passes.
    #[test]
    fn keywords_must_cover_the_cases_the_regex_takes() {
        let rule = |keywords: &str| {
            format!(
                "[[rule]]\nid = \"x.token\"\ntitle = \"x\"\nseverity = \"high\"\n\
                 keywords = [{keywords}]\n\
                 regex = '''(?i:acme_api_key)\\s*=\\s*(?P<secret>[0-9a-f]{{32}})'''\n\
                 remediation = \"rotate\"\n\
                 examples = [\"ACME_API_KEY = 4f8d2c1e9b7a6035d1c8e2f7a9b4c6d1\"]\n"
            )
        };
        let engine = |toml: &str| {
            Engine::new(parse_rule_file(toml, "t.toml").expect("parses")).expect("builds")
        };
        let problems = check_examples(&engine(&rule("\"ACME_API_KEY\"")), false);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("add \"acme_api_key\""), "{problems:?}");
        let fixed = check_examples(&engine(&rule("\"ACME_API_KEY\", \"acme_api_key\"")), false);
        assert!(fixed.is_empty(), "{fixed:?}");
    }

    /// A capture that leaves part of the token behind (`glpat-…` without its `.01.…` suffix)
    /// fails the check; so does an `overrides` naming no rule.
    #[test]
    fn truncated_captures_and_unknown_overrides_are_reported() {
        let toml = "[[rule]]\nid = \"x.token\"\ntitle = \"x\"\nseverity = \"high\"\n\
                    keywords = [\"xtk-\"]\n\
                    regex = 'xtk-(?P<secret>[0-9a-f]{16})'\n\
                    overrides = [\"no.such-rule\"]\n\
                    remediation = \"rotate\"\n\
                    examples = [\"T=xtk-4f8d2c1e9b7a6035d1c8\"]\n";
        let engine = Engine::new(parse_rule_file(toml, "t.toml").expect("parses")).expect("builds");
        let problems = check_examples(&engine, false);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("overrides names no rule"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("stops inside the token"),
            "{problems:?}"
        );
    }

    /// `keyword_token_min` is refused when the regex would match after a token byte (no
    /// boundary, or `\b`, which takes `+` and `/` as boundaries) or a shorter token, and
    /// accepted when the regex requires what the engine checks.
    #[test]
    fn keyword_token_min_must_agree_with_the_regex() {
        let rule = |regex: &str| {
            format!(
                "[[rule]]\nid = \"x.token\"\ntitle = \"x\"\nseverity = \"high\"\n\
                 keywords = [\"EAAA\"]\nkeyword_token_min = 24\n\
                 regex = '{regex}'\nremediation = \"rotate\"\n\
                 examples = [\"T=EAAAq8Zr2LmV7xK4pN9wB3cJ\"]\n"
            )
        };
        let check = |regex: &str| {
            let toml = rule(regex);
            let rules = parse_rule_file(&toml, "t.toml").expect("parses");
            check_examples(&Engine::new(rules).expect("builds"), false)
        };
        for loose in [
            r"EAAA[0-9A-Za-z]{20}",
            r"\bEAAA[0-9A-Za-z]{20}",
            r"(?:^|[^0-9A-Za-z_+/-])EAAA[0-9A-Za-z]{16,}",
        ] {
            let problems = check(loose);
            assert_eq!(problems.len(), 1, "{loose}: {problems:?}");
            assert!(
                problems[0].contains("keyword_token_min = 24"),
                "{problems:?}"
            );
        }
        let strict = check(r"(?:^|[^0-9A-Za-z_+/-])(?P<secret>EAAA[0-9A-Za-z]{20})");
        assert!(strict.is_empty(), "{strict:?}");
    }
}
