//! The rule file schema: what a `rules/*.toml` file (built-in or a user's) may say.
//!
//! A file is a list of `[[rule]]` tables. Unknown keys are an error, so a typo in a rule file
//! is reported instead of silently changing what the rule does.

use serde::Deserialize;

use crate::finding::{Confidence, Severity};
use crate::rules::checksum::Checksum;

/// One rule file as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
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
    pub keywords: Vec<String>,
    /// Regex over bytes. The secret is the group named `secret` (else group 1, else the whole
    /// match); placeholder checks look at the group named `body` (else the secret).
    pub regex: String,
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
    /// Rules off by default (noisy ones) run only when named with `--enable`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Values published in vendor documentation: still reported, but as `info`.
    #[serde(default)]
    pub documented: Vec<String>,
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
