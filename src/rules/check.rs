//! Checks rules against their own examples: every example must be matched by its rule, no
//! negative example may be. Used by the test suite for the built-ins and by `sealant rules check`
//! for a user's rule file.

use crate::engine::{Engine, Scratch};

/// Problems found, one line each; empty when every rule passes. With `require_two`, a rule
/// also needs at least two examples and two negative examples (the bar for built-in rules).
pub fn check_examples(engine: &Engine, require_two: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    for (index, rule) in engine.rules().iter().enumerate() {
        if let Err(e) = rule.compile_now() {
            problems.push(e.to_string());
            continue;
        }
        let ok_count =
            !require_two || (rule.examples.len() >= 2 && rule.negative_examples.len() >= 2);
        if !ok_count {
            problems.push(format!(
                "{}: {}: needs at least two examples and two negative examples",
                rule.source, rule.id
            ));
        }
        let mut matches = |text: &str| {
            hits.clear();
            engine.find_all(text.as_bytes(), &mut scratch, &mut hits);
            hits.iter().any(|m| m.rule as usize == index)
        };
        for ex in &rule.examples {
            if !matches(ex) {
                problems.push(format!(
                    "{}: {}: example is not matched: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
        for ex in &rule.negative_examples {
            if matches(ex) {
                problems.push(format!(
                    "{}: {}: negative example is matched: {ex:?}",
                    rule.source, rule.id
                ));
            }
        }
    }
    problems
}
