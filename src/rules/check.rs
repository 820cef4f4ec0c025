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
            let matched = hits.iter().any(|m| m.rule as usize == index && !m.info);
            let filtered = (scratch.rejected.iter()).any(|&(r, _)| r as usize == index);
            (matched, filtered)
        };
        for ex in &rule.examples {
            let (matched, filtered) = matches(ex);
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
