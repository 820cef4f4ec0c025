//! Rules: loading rule files (built-in and custom), validating them, and compiling each into a
//! [`Rule`] the engine can run.

pub mod builtin;
pub mod checksum;
pub mod file_rules;
pub mod import;
pub mod model;
pub mod names;
pub mod path_index;
pub mod placeholder;
pub mod published;
pub mod scope;
pub mod site;
pub mod trigram_freq;

use std::collections::HashSet;
use std::path::Path;

use std::sync::OnceLock;

use regex::bytes::{Captures, Regex, RegexBuilder};

use crate::error::{Error, Result};
use crate::finding::{Confidence, Severity};
use checksum::Checksum;
use file_rules::FileRule;
use model::{RuleFile, RuleSpec};
use scope::Scope;

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
    /// Keywords matched in any ASCII case, in lower case.
    pub keywords_any_case: Vec<Vec<u8>>,
    /// The regex source; compiled on first use (see [`Rule::regex`]), so start-up costs
    /// nothing for rules whose keywords never occur.
    pub pattern: String,
    compiled: OnceLock<Compiled>,
    /// `unless`: a regex that, matching in the same blob, silences the rule (compiled when
    /// first needed).
    unless: Option<(String, OnceLock<Option<Regex>>)>,
    pub window_before: usize,
    pub window_after: usize,
    min_entropy: Option<f64>,
    placeholder_check: bool,
    stopwords: Vec<Vec<u8>>,
    checksum: Option<Checksum>,
    /// The secret is a JSON Web Token, judged by its claims (see `RuleSpec::jwt`).
    pub jwt: bool,
    /// The secret is an Azure SAS, judged by its expiry (see `RuleSpec::sas`).
    pub sas: bool,
    /// The value may be chosen words (a password), so reading as code does not reject it
    /// (see `RuleSpec::value_may_be_words`).
    value_may_be_words: bool,
    /// Its keywords begin a token at least this long (see `RuleSpec::keyword_token_min`).
    pub keyword_token_min: usize,
    /// Off unless named with `--enable`.
    pub enabled: bool,
    /// Which blobs the rule applies to.
    pub scope: Scope,
    /// The value must be another rule's finding (see `RuleSpec::value_from_rules`).
    pub value_from_rules: bool,
    /// Whether reports redact what the rule captures.
    pub redact: bool,
    /// Template for the per-finding detail line.
    pub detail: Option<String>,
    documented: Vec<Vec<u8>>,
    /// Ids of the rules this one is more specific than (see `RuleSpec::overrides`).
    pub overrides: Vec<String>,
    pub remediation: String,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    /// Where the rule came from: a built-in file name or the user's path.
    pub source: String,
}

/// A rule's regex with the indices of its `secret` and `body` groups. A pair whose two parts
/// may come in either order (an id and its secret) names them `id`/`secret` in one branch and
/// `id2`/`secret2` in the other: whichever took part in the match is used.
#[derive(Debug)]
struct Compiled {
    regex: Regex,
    secret_group: usize,
    secret2_group: Option<usize>,
    body_group: Option<usize>,
    name_group: Option<usize>,
    id_group: Option<usize>,
    id2_group: Option<usize>,
}

impl Compiled {
    fn new(pattern: &str) -> std::result::Result<Compiled, regex::Error> {
        // Byte-oriented: `.` and classes match any byte, `\s`, `\w`, `(?i)` are ASCII. Keys are
        // ASCII, and the input is not necessarily UTF-8.
        let regex = RegexBuilder::new(pattern)
            .unicode(false)
            .size_limit(16 * 1024 * 1024)
            .build()?;
        let names: Vec<Option<&str>> = regex.capture_names().collect();
        let secret_group = names
            .iter()
            .position(|n| *n == Some("secret"))
            .unwrap_or(if names.len() > 1 { 1 } else { 0 });
        let group = |name: &str| names.iter().position(|n| *n == Some(name));
        Ok(Compiled {
            secret_group,
            secret2_group: group("secret2"),
            body_group: group("body"),
            name_group: group("name"),
            id_group: group("id"),
            id2_group: group("id2"),
            regex,
        })
    }

    /// The secret's match: group `secret` (else group 1), or `secret2` when that branch matched.
    fn secret<'h>(&self, caps: &Captures<'h>) -> Option<regex::bytes::Match<'h>> {
        caps.get(self.secret_group)
            .or_else(|| caps.get(self.secret2_group?))
    }

    /// The identifier's match: group `id`, or `id2` when that branch matched.
    fn id<'h>(&self, caps: &Captures<'h>) -> Option<regex::bytes::Match<'h>> {
        self.id_group
            .and_then(|g| caps.get(g))
            .or_else(|| caps.get(self.id2_group?))
    }
}

/// Why a rule dropped a regex match: a filter judged the value fake (counted in the summary as
/// `suppressed: placeholder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Repeated or ascending characters, placeholder words.
    Placeholder,
    /// Below the rule's `min_entropy`.
    LowEntropy,
    /// Contains one of the rule's stopwords (a default password).
    Stopword,
}

/// What a rule makes of a regex match it accepts as a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    /// The rule's confidence, lowered when a checksum fails.
    pub confidence: Confidence,
    /// A value published in vendor documentation: reported as info.
    pub documented: bool,
}

impl Rule {
    /// `check_syntax`: parse the regexes now, so a user's typo is reported before the scan.
    /// Built-in rules skip it (their regexes are compiled and run against their examples by
    /// `cargo test`), which keeps start-up short for hooks.
    fn compile(spec: RuleSpec, source: &str, check_syntax: bool) -> Result<Rule> {
        let here = format!("{source}: rule '{}'", spec.id);
        if spec.id.trim().is_empty() {
            return Err(Error::new(format!("{source}: a rule has an empty id")));
        }
        if spec.keywords.is_empty() && spec.keywords_any_case.is_empty() && spec.paths.is_empty() {
            return Err(Error::new(format!(
                "{here}: no keywords; every rule needs at least one literal keyword so the \
                 prefilter can find where to run its regex (or `paths` limiting it to a few files)"
            )));
        }
        let scope = Scope::new(
            &spec.paths,
            &spec.exclude_paths,
            &spec.info_paths,
            &spec.file_contains,
            &here,
        )?;
        if let Some(k) = (spec.keywords.iter())
            .chain(&spec.keywords_any_case)
            .find(|k| k.len() < 3)
        {
            return Err(Error::new(format!(
                "{here}: keyword {k:?} is shorter than 3 bytes; use a more distinctive literal"
            )));
        }
        if spec.window_before > MAX_WINDOW || spec.window_after > MAX_WINDOW {
            return Err(Error::new(format!(
                "{here}: window_before/window_after may be at most {MAX_WINDOW} bytes"
            )));
        }
        // Parsing catches every syntax error; compiling waits for first use.
        if check_syntax {
            check_regex_syntax(&here, &spec.regex, spec.unless.as_deref())?;
        }
        Ok(Rule {
            stopwords: spec
                .stopwords
                .iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect(),
            checksum: spec.checksum,
            jwt: spec.jwt,
            sas: spec.sas,
            value_may_be_words: spec.value_may_be_words,
            keyword_token_min: spec.keyword_token_min,
            enabled: spec.enabled,
            scope,
            value_from_rules: spec.value_from_rules,
            redact: spec.redact,
            detail: spec.detail,
            keywords: spec
                .keywords
                .iter()
                .map(|k| k.as_bytes().to_vec())
                .collect(),
            keywords_any_case: (spec.keywords_any_case.iter())
                .map(|k| k.to_ascii_lowercase().into_bytes())
                .collect(),
            documented: spec
                .documented
                .iter()
                .map(|d| d.as_bytes().to_vec())
                .collect(),
            overrides: spec.overrides,
            id: spec.id,
            title: spec.title,
            severity: spec.severity,
            confidence: spec.confidence,
            pattern: spec.regex,
            compiled: OnceLock::new(),
            unless: spec.unless.map(|u| (u, OnceLock::new())),
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

    /// Whether a keyword found at `start` in `hay` may begin a match: for a rule whose
    /// keywords begin a token (`keyword_token_min`), not right after a token byte, and only
    /// with enough token bytes from there.
    pub fn may_start_at(&self, hay: &[u8], start: usize) -> bool {
        let min = self.keyword_token_min;
        if min == 0 {
            return true;
        }
        let after_token = (start.checked_sub(1))
            .and_then(|i| hay.get(i))
            .is_some_and(|&b| is_token_byte(b));
        !after_token
            && (hay.get(start..start + min)).is_some_and(|t| t.iter().all(|&b| is_token_byte(b)))
    }

    /// The compiled regex, or why it does not compile (a pattern that parses can still exceed
    /// the size limit).
    pub fn regex(&self) -> std::result::Result<&Regex, String> {
        self.compiled().map(|c| &c.regex)
    }

    fn compiled(&self) -> std::result::Result<&Compiled, String> {
        if let Some(c) = self.compiled.get() {
            return Ok(c);
        }
        let c = Compiled::new(&self.pattern).map_err(|e| {
            format!(
                "{}: rule '{}': regex does not compile: {e}",
                self.source, self.id
            )
        })?;
        Ok(self.compiled.get_or_init(|| c))
    }

    /// Compiles the regex now (for `rules check` and tests, which want every error up front).
    pub fn compile_now(&self) -> Result<()> {
        if let Some((u, _)) = &self.unless {
            Compiled::new(u).map_err(|e| {
                Error::new(format!(
                    "{}: rule '{}': unless does not compile: {e}",
                    self.source, self.id
                ))
            })?;
        }
        self.compiled().map(|_| ()).map_err(Error::new)
    }

    /// Whether the rule's `unless` regex matches `hay` (the rule then reports nothing there).
    pub fn silenced(&self, hay: &[u8]) -> bool {
        let Some((pattern, cell)) = &self.unless else {
            return false;
        };
        cell.get_or_init(|| Compiled::new(pattern).ok().map(|c| c.regex))
            .as_ref()
            .is_some_and(|r| r.is_match(hay))
    }

    /// Byte range of the secret within the haystack the captures came from.
    pub fn secret_span(&self, caps: &Captures<'_>) -> Option<(usize, usize)> {
        let c = self.compiled().ok()?;
        c.secret(caps).map(|m| (m.start(), m.end()))
    }

    /// Byte range of the group named `name` (a variable name for the detail line), if any.
    pub fn name_span(&self, caps: &Captures<'_>) -> Option<(usize, usize)> {
        let c = self.compiled().ok()?;
        let m = caps.get(c.name_group?)?;
        Some((m.start(), m.end()))
    }

    /// Byte range of the group named `id`, if any: the identifier a secret is used with (an
    /// AWS access key ID, a Twilio Account SID), which verification needs.
    pub fn id_span(&self, caps: &Captures<'_>) -> Option<(usize, usize)> {
        let c = self.compiled().ok()?;
        let m = c.id(caps)?;
        Some((m.start(), m.end()))
    }

    /// Decides whether a match is a credential (`Some`) or a placeholder, default value or
    /// low-entropy string (`None`).
    pub fn judge(&self, caps: &Captures<'_>) -> std::result::Result<Judgement, Rejection> {
        let Ok(c) = self.compiled() else {
            return Err(Rejection::Placeholder);
        };
        let Some(secret) = c.secret(caps) else {
            return Err(Rejection::Placeholder);
        };
        let body = c
            .body_group
            .and_then(|g| caps.get(g))
            .unwrap_or(secret)
            .as_bytes();
        if self.placeholder_check
            && (placeholder::looks_like_placeholder(body)
                || (!self.value_may_be_words && placeholder::reads_as_code(body)))
        {
            return Err(Rejection::Placeholder);
        }
        // A rule that captures the value assigned to a name (group `value`) reports nothing
        // when the value cannot be a secret: a number or a boolean.
        if let Some(v) = caps.name("value")
            && placeholder::not_a_secret(v.as_bytes())
        {
            return Err(Rejection::Placeholder);
        }
        if let Some(min) = self.min_entropy
            && placeholder::shannon_entropy(body) < min
        {
            return Err(Rejection::LowEntropy);
        }
        if !self.stopwords.is_empty() {
            let lower = body.to_ascii_lowercase();
            if self
                .stopwords
                .iter()
                .any(|w| memchr::memmem::find(&lower, w).is_some())
            {
                return Err(Rejection::Stopword);
            }
        }
        let confidence = match self.checksum {
            Some(c) if !c.verify(body) => Confidence::Low,
            _ => self.confidence,
        };
        Ok(Judgement {
            confidence,
            documented: self.documented.iter().any(|d| d == secret.as_bytes())
                || (self.placeholder_check && placeholder::looks_documented(body)),
        })
    }
}

/// All rules of a scan, in a fixed order (built-ins first, then custom files in the order given).
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Rules about bytes in a blob.
    pub rules: Vec<Rule>,
    /// Rules about a file's name and place.
    pub file_rules: Vec<FileRule>,
    /// Secrets everybody has, reported at `info`.
    pub published: published::Published,
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet> {
        Self::load(&[] as &[&Path])
    }

    /// The built-in rules plus the rules of each custom file.
    pub fn load(custom_files: &[impl AsRef<Path>]) -> Result<RuleSet> {
        let mut set = RuleSet::default();
        for (name, text) in builtin::BUILTIN_RULE_FILES {
            set.extend(parse_rules(text, name, false)?);
        }
        for path in custom_files {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::new(format!("cannot read rule file {}: {e}", path.display()))
            })?;
            set.extend(parse_rule_file(&text, &path.display().to_string())?);
        }
        set.check_unique()?;
        Ok(set)
    }

    /// Adds rules written inline elsewhere (a project config's `[[rule]]` tables).
    pub fn with_specs(
        mut self,
        rules: Vec<RuleSpec>,
        file_rules: Vec<model::FileRuleSpec>,
        source: &str,
    ) -> Result<RuleSet> {
        for spec in rules {
            self.rules.push(Rule::compile(spec, source, true)?);
        }
        for spec in file_rules {
            self.file_rules.push(FileRule::compile(spec, source)?);
        }
        self.check_unique()?;
        Ok(self)
    }

    fn check_unique(&self) -> Result<()> {
        let mut seen = HashSet::new();
        let ids = self.rules.iter().map(|r| (&r.id, &r.source));
        let file_ids = self.file_rules.iter().map(|r| (&r.id, &r.source));
        for (id, source) in ids.chain(file_ids) {
            if !seen.insert(id.as_str()) {
                return Err(Error::new(format!(
                    "{source}: rule id '{id}' is defined twice; rule ids must be unique"
                )));
            }
        }
        Ok(())
    }

    fn extend(&mut self, other: RuleSet) {
        self.rules.extend(other.rules);
        self.file_rules.extend(other.file_rules);
        self.published.merge(other.published);
    }

    /// Keeps the rules that should run: those on by default plus those named in `enable`,
    /// minus those named in `disable`. A name is a rule id or an id prefix ending at a dot
    /// (`generic` names `generic.secret-assignment`, `stripe` every Stripe rule). A name that
    /// matches no rule is an error, so a typo does not silently change what is scanned.
    pub fn select(self, enable: &[String], disable: &[String]) -> Result<RuleSet> {
        for name in enable.iter().chain(disable) {
            let ids = self.rules.iter().map(|r| &r.id);
            let mut ids = ids.chain(self.file_rules.iter().map(|r| &r.id));
            if !ids.any(|id| selects(name, id)) {
                return Err(Error::new(format!(
                    "no rule is named '{name}' (see `sealant rules` for the ids)"
                )));
            }
        }
        let keep = |id: &str, enabled: bool| {
            (enabled || enable.iter().any(|n| selects(n, id)))
                && !disable.iter().any(|n| selects(n, id))
        };
        Ok(RuleSet {
            rules: self
                .rules
                .into_iter()
                .filter(|r| keep(&r.id, r.enabled))
                .collect(),
            file_rules: self
                .file_rules
                .into_iter()
                .filter(|r| keep(&r.id, true))
                .collect(),
            published: self.published,
        })
    }
}

/// Whether `name` names rule `id`: the id itself, or a prefix of it ending at a dot.
fn selects(name: &str, id: &str) -> bool {
    id == name || (id.starts_with(name) && id.as_bytes().get(name.len()) == Some(&b'.'))
}

/// Parses and compiles one rule file; `source` names it in error messages.
pub fn parse_rule_file(text: &str, source: &str) -> Result<RuleSet> {
    parse_rules(text, source, true)
}

/// Parses and checks the regex of a rule (and its `unless`) without compiling it.
fn check_regex_syntax(here: &str, regex: &str, unless: Option<&str>) -> Result<()> {
    let parse = |what: &str, r: &str| {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(r)
            .map(|_| ())
            .map_err(|e| Error::new(format!("{here}: {what} does not parse: {e}")))
    };
    parse("regex", regex)?;
    if let Some(u) = unless {
        parse("unless", u)?;
    }
    Ok(())
}

fn parse_rules(text: &str, source: &str, check_syntax: bool) -> Result<RuleSet> {
    let file: RuleFile = toml::from_str(text)
        .map_err(|e| Error::new(format!("{source}: invalid rule file: {e}")))?;
    Ok(RuleSet {
        rules: file
            .rules
            .into_iter()
            .map(|spec| Rule::compile(spec, source, check_syntax))
            .collect::<Result<_>>()?,
        file_rules: file
            .file_rules
            .into_iter()
            .map(|spec| FileRule::compile(spec, source))
            .collect::<Result<_>>()?,
        published: {
            let mut p = published::Published::default();
            p.extend(&file.published, source)?;
            p
        },
    })
}

/// A byte that continues a token for `keyword_token_min`: a letter, a digit, `_`, `+`, `/`
/// or `-` (base64 and base64url alphabets, identifiers).
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'/' | b'-')
}
