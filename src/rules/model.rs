//! The rule file schema: what a `rules/*.toml` file (built-in or a user's) may say.
//!
//! A file is a list of `[[rule]]` tables (and `[[file_rule]]`, `[[published]]`). Unknown keys are an error, so a typo in a rule file
//! is reported instead of silently changing what the rule does.

use serde::Deserialize;

use crate::exposure::Exposure;
use crate::finding::{Confidence, Severity};
use crate::rules::checksum::Checksum;

/// One rule file as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default, rename = "file_rule")]
    pub file_rules: Vec<FileRuleSpec>,
    /// Secrets everybody has (see `published`): findings of them are `info`.
    #[serde(default)]
    pub published: Vec<crate::rules::published::PublishedSpec>,
}

/// A finding about a file itself — its name and place — rather than about bytes in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRuleSpec {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub confidence: Confidence,
    // The scope keys below repeat `RuleSpec`'s: serde cannot `flatten` a shared struct into
    // one that denies unknown fields, and typos must stay errors.
    /// Globs the blob's path must match (`**/config/app.php`); `*` does not cross `/`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Globs that exclude a path the `paths` let in.
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    /// Globs of development or test files: findings there are reported as `info`.
    #[serde(default)]
    pub info_paths: Vec<String>,
    /// Only where the file is exposed so (`public-bundle`, `web-root`, `mobile-app`).
    #[serde(default)]
    pub exposure: Vec<Exposure>,
    /// Also when the file is inside an archive, whatever its exposure (a shipped artifact).
    #[serde(default)]
    pub archive_member: bool,
    /// Only when git tracks the file (the scan runs inside a git work tree).
    #[serde(default)]
    pub git_tracked: bool,
    /// Only when the same path without its last extension exists (`app.js` for `app.js.map`).
    #[serde(default)]
    pub requires_sibling: bool,
    pub remediation: String,
    /// Paths the rule must report (exposure is judged from the path).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Paths it must not report.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// One rule as written in a rule file, before it is compiled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable identifier, e.g. `stripe.secret-key.live`; baselines and allowlists refer to it.
    pub id: String,
    /// Short human title, e.g. "Stripe live secret key".
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub confidence: Confidence,
    /// Literal byte strings (case-sensitive) of which one must occur for the rule to be tried.
    /// May be empty only for a rule limited by `paths`: its regex then runs on the whole file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Like `keywords`, but matched in any ASCII case: `twilio` finds `Twilio`, `TWILIO_`
    /// and `twilioClient` (a vendor's name, however a config spells it).
    #[serde(default)]
    pub keywords_any_case: Vec<String>,
    /// Globs the blob's path must match (`**/config/app.php`); `*` does not cross `/`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Globs that exclude a path the `paths` let in.
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    /// Globs of development or test files: findings there are reported as `info`.
    #[serde(default)]
    pub info_paths: Vec<String>,
    /// The blob's first kilobyte must contain one of these (e.g. `'use client'`).
    #[serde(default)]
    pub file_contains: Vec<String>,
    /// The captured value must itself be a finding of another rule (above `info`); the finding
    /// takes that rule's span and is reported under this rule (e.g. a key assigned to a
    /// `VITE_` variable).
    #[serde(default)]
    pub value_from_rules: bool,
    /// Print the captured text in full: it names a variable or a flag, not a secret.
    #[serde(default = "default_true")]
    pub redact: bool,
    /// One line shown with each finding; `{name}` is the regex group `name`, `{inner}` the
    /// title of the rule that recognised the value (with `value_from_rules`).
    #[serde(default)]
    pub detail: Option<String>,
    /// Regex over bytes. The secret is the group named `secret` (else group 1, else the whole
    /// match); placeholder checks look at the group named `body` (else the secret).
    pub regex: String,
    /// A regex that, where it matches in the rule's window (the whole file for a rule limited
    /// by `paths` without keywords), means the rule reports nothing there (e.g. WordPress
    /// debug output turned off with `WP_DEBUG_DISPLAY` false).
    #[serde(default)]
    pub unless: Option<String>,
    /// How far before a keyword hit a match may start (bytes).
    #[serde(default = "default_before")]
    pub window_before: usize,
    /// How far after a keyword hit a match may end (bytes).
    #[serde(default = "default_after")]
    pub window_after: usize,
    /// Minimum Shannon entropy (bits per byte) of the body; lower is treated as a placeholder.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Drop bodies that look like placeholders (repeated or sequential characters, words such
    /// as "your…here"). On by default.
    #[serde(default = "default_true")]
    pub placeholder_check: bool,
    /// Values that are never credentials when the body contains them, compared without case
    /// (e.g. default passwords such as `postgres` in connection strings).
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Verify the body's built-in checksum: a pass keeps the rule's confidence, a failure
    /// lowers it to `low` (still reported).
    #[serde(default)]
    pub checksum: Option<Checksum>,
    /// The secret is a JSON Web Token: its header and claims are read, and it is dropped when
    /// not a signed JWT, reported as info when expired or signed with a published sample secret.
    #[serde(default)]
    pub jwt: bool,
    /// The secret is an Azure shared access signature: reported as info when its signed expiry
    /// (`se=`) has passed.
    #[serde(default)]
    pub sas: bool,
    /// The value may be chosen by a person (a password), so one that reads as words or code
    /// is kept; otherwise such a value is no generated credential and is dropped.
    #[serde(default)]
    pub value_may_be_words: bool,
    /// The keywords begin a token (letters, digits, `_`, `+`, `/`, `-`) of at least this many
    /// bytes: a keyword right after a token byte (inside a base64 run), or whose token is
    /// shorter (a source map's `EAAA,`), opens no window. For keywords common inside encoded
    /// data (Square's `EAAA`); `rules check` fails a rule whose regex would match one of its
    /// examples with a token byte put before the keyword, or with the token cut shorter.
    /// 0 (the default): off.
    #[serde(default)]
    pub keyword_token_min: usize,
    /// Rules off by default (noisy ones) run only when named with `--enable`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Values published in vendor documentation: still reported, but as `info`.
    #[serde(default)]
    pub documented: Vec<String>,
    /// Rules (by id) this one is more specific than: where both capture a secret at the same
    /// place, this rule's finding is the one kept (a Paystack `sk_live_` + 40 hex key over
    /// Stripe's broader `sk_live_` rule).
    #[serde(default)]
    pub overrides: Vec<String>,
    /// One line telling the user how to revoke or rotate the credential.
    pub remediation: String,
    /// Inputs the rule must match (checked by `cargo test` and `sealant rules check`).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Inputs the rule must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

fn default_before() -> usize {
    32
}

fn default_after() -> usize {
    1024
}

fn default_true() -> bool {
    true
}
