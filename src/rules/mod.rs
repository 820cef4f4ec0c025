//! Rules: loading rule files (built-in and custom), validating them, and compiling each into a
//! [`Rule`] the engine can run.

pub mod builtin;
pub mod model;
pub mod placeholder;

use std::collections::HashSet;
use std::path::Path;

use regex::bytes::{Captures, Regex, RegexBuilder};

use crate::error::{Error, Result};
use crate::finding::{Confidence, Severity};
use model::{RuleFile, RuleSpec};

/// The most a rule's window may reach before or after a keyword hit. Bounds the work done per
/// hit and the overlap needed between chunks of a large blob.
pub const MAX_WINDOW: usize = 8 * 1024;

/// A compiled rule, ready for the engine.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub keywords: Vec<Vec<u8>>,
    pub regex: Regex,
    secret_group: usize,
    body_group: Option<usize>,
    pub window_before: usize,
    pub window_after: usize,
    min_entropy: Option<f64>,
    placeholder_check: bool,
    documented: Vec<Vec<u8>>,
    pub remediation: String,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    /// Where the rule came from: a built-in file name or the user's path.
    pub source: String,
}

/// What a rule makes of one regex match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not a credential (placeholder, too little entropy).
    Reject,
    /// A credential.
    Accept,
    /// A value published in vendor documentation: reported as info.
    Documented,
}

impl Rule {
    fn compile(spec: RuleSpec, source: &str) -> Result<Rule> {
        let here = format!("{source}: rule '{}'", spec.id);
        if spec.id.trim().is_empty() {
            return Err(Error::new(format!("{source}: a rule has an empty id")));
        }
        if spec.keywords.is_empty() {
            return Err(Error::new(format!(
                "{here}: no keywords; every rule needs at least one literal keyword so the \
                 prefilter can find where to run its regex"
            )));
        }
        if let Some(k) = spec.keywords.iter().find(|k| k.len() < 3) {
            return Err(Error::new(format!(
                "{here}: keyword {k:?} is shorter than 3 bytes; use a more distinctive literal"
            )));
        }
        if spec.window_before > MAX_WINDOW || spec.window_after > MAX_WINDOW {
            return Err(Error::new(format!(
                "{here}: window_before/window_after may be at most {MAX_WINDOW} bytes"
            )));
        }
        let regex = RegexBuilder::new(&spec.regex)
            .size_limit(16 * 1024 * 1024)
            .build()
            .map_err(|e| Error::new(format!("{here}: regex does not compile: {e}")))?;
        let names: Vec<Option<&str>> = regex.capture_names().collect();
        let secret_group = names
            .iter()
            .position(|n| *n == Some("secret"))
            .unwrap_or(if names.len() > 1 { 1 } else { 0 });
        let body_group = names.iter().position(|n| *n == Some("body"));
        Ok(Rule {
            keywords: spec
                .keywords
                .iter()
                .map(|k| k.as_bytes().to_vec())
                .collect(),
            documented: spec
                .documented
                .iter()
                .map(|d| d.as_bytes().to_vec())
                .collect(),
            id: spec.id,
            title: spec.title,
            severity: spec.severity,
            confidence: spec.confidence,
            regex,
            secret_group,
            body_group,
            window_before: spec.window_before,
            window_after: spec.window_after,
            min_entropy: spec.min_entropy,
            placeholder_check: spec.placeholder_check,
            remediation: spec.remediation,
            examples: spec.examples,
            negative_examples: spec.negative_examples,
            source: source.to_string(),
        })
    }

    /// Byte range of the secret within the haystack the captures came from.
    pub fn secret_span(&self, caps: &Captures<'_>) -> Option<(usize, usize)> {
        caps.get(self.secret_group).map(|m| (m.start(), m.end()))
    }

    /// Decides whether a match is a credential, a placeholder or a documented example.
    pub fn judge(&self, caps: &Captures<'_>) -> Verdict {
        let Some(secret) = caps.get(self.secret_group) else {
            return Verdict::Reject;
        };
        let body = self
            .body_group
            .and_then(|g| caps.get(g))
            .unwrap_or(secret)
            .as_bytes();
        if self.placeholder_check && placeholder::looks_like_placeholder(body) {
            return Verdict::Reject;
        }
        if let Some(min) = self.min_entropy
            && placeholder::shannon_entropy(body) < min
        {
            return Verdict::Reject;
        }
        if self.documented.iter().any(|d| d == secret.as_bytes()) {
            return Verdict::Documented;
        }
        Verdict::Accept
    }
}

/// All rules of a scan, in a fixed order (built-ins first, then custom files in the order given).
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet> {
        Self::load(&[] as &[&Path])
    }

    /// The built-in rules plus the rules of each custom file.
    pub fn load(custom_files: &[impl AsRef<Path>]) -> Result<RuleSet> {
        let mut rules = Vec::new();
        for (name, text) in builtin::BUILTIN_RULE_FILES {
            rules.extend(parse_rule_file(text, name)?);
        }
        for path in custom_files {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::new(format!("cannot read rule file {}: {e}", path.display()))
            })?;
            rules.extend(parse_rule_file(&text, &path.display().to_string())?);
        }
        let mut seen = HashSet::new();
        for r in &rules {
            if !seen.insert(r.id.as_str()) {
                return Err(Error::new(format!(
                    "{}: rule id '{}' is defined twice; rule ids must be unique",
                    r.source, r.id
                )));
            }
        }
        Ok(RuleSet { rules })
    }
}

/// Parses and compiles one rule file; `source` names it in error messages.
pub fn parse_rule_file(text: &str, source: &str) -> Result<Vec<Rule>> {
    let file: RuleFile = toml::from_str(text)
        .map_err(|e| Error::new(format!("{source}: invalid rule file: {e}")))?;
    file.rules
        .into_iter()
        .map(|spec| Rule::compile(spec, source))
        .collect()
}
