//! What a scan reports: a [`Finding`] with its location, severity and fingerprint, the counts
//! of findings by severity, a provider's verdict on a secret, and the redaction that keeps a
//! report from re-leaking the secret it found. Plain data, shared by every stage above.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::exposure::Exposure;

/// How bad a finding is. Ordered: `Info < Low < … < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected info, low, medium, high or critical)")
            })
    }
}

/// How sure the rule is that a match is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    #[default]
    High,
}

/// One credential found in one blob.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: Arc<str>,
    pub title: Arc<str>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub remediation: Arc<str>,
    /// Path as given on the command line (archive members: `outer.zip!inner/file`).
    pub path: Arc<str>,
    /// The same path as every decision sees it: relative to the repository root (see
    /// `source::root`). Fingerprints, baselines and SARIF use it.
    pub canonical: Arc<str>,
    /// How many findings of the same rule and secret come before this one in the same blob
    /// (0 for the first): copies of one secret in one file get distinct fingerprints.
    pub occurrence: u32,
    /// 1-based line of the secret's first byte.
    pub line: u64,
    /// 1-based column of the secret's first byte, counted in bytes.
    pub column: u64,
    /// The same column counted in UTF-16 code units (SARIF's default unit).
    pub column_utf16: u64,
    /// 0-based offset of the secret's first byte in the blob.
    pub byte_offset: u64,
    /// The full secret. Reports print [`redact`]ed forms unless asked otherwise.
    pub secret: String,
    /// Set when the value is one a vendor publishes in its documentation.
    pub documented: bool,
    /// Where the file ends up (source, public bundle, web root, mobile app).
    pub exposure: Exposure,
    /// One more line about this finding (e.g. which variable a key was assigned to).
    pub detail: Option<String>,
    /// Whether reports redact `secret` (false when it names a variable or flag).
    pub redact: bool,
    /// Where in git history the blob came from (history scans only).
    pub provenance: Option<Arc<Provenance>>,
    /// A finding read back from a report (`sealant merge`): its fingerprint as the report gave
    /// it, since `secret` is then the redacted form.
    pub recorded: Option<Recorded>,
    /// The identifier the secret is used with, where the rule captured one (an AWS access key
    /// ID beside its secret): verification needs it.
    pub companion: Option<String>,
    /// What the provider said about the secret (`--verify`).
    pub verification: Option<Verification>,
    /// The encodings undone to reach the secret, outermost first (`base64`, `base64>hex`):
    /// the text at the finding's place holds it encoded.
    pub decoded: Option<Arc<str>>,
}

/// Findings by severity (the summary's counts).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FindingCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
}

impl FindingCounts {
    /// The counts of `findings` by severity: the one place findings are counted.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> FindingCounts {
        let mut counts = FindingCounts::default();
        for f in findings {
            counts.add(f.severity);
        }
        counts
    }

    pub fn merge(&mut self, other: &FindingCounts) {
        self.critical += other.critical;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.info += other.info;
    }

    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    pub fn add(&mut self, s: Severity) {
        let c = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *c += 1;
    }

    pub fn total(&self) -> u64 {
        Severity::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// Whether any finding is at or above `threshold`.
    pub fn any_at_or_above(&self, threshold: Severity) -> bool {
        Severity::ALL
            .iter()
            .any(|&s| s >= threshold && self.get(s) > 0)
    }
}

/// What a provider said about a secret (`--verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It authenticates: rotate it now.
    Active,
    /// The provider rejects it (invalid, expired, revoked or deleted).
    Inactive,
    /// No answer that tells (rate limited, timed out, provider error, or the check needs
    /// something the finding does not have).
    Unknown,
    /// The check failed (connection, TLS, a redirect, an answer that is not the provider's).
    Error,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Inactive => "inactive",
            Status::Unknown => "unknown",
            Status::Error => "error",
        }
    }
}

/// A finding's verification result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub status: Status,
    /// Who was asked (`Stripe`, `GitHub`, …).
    pub provider: String,
    /// What the answer said: the account or user, live or test mode, why it is unknown.
    pub detail: String,
    /// What an active key can do, where the provider says (token scopes, the Stripe
    /// resources a restricted key can read): how urgent the rotation is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

impl Verification {
    /// The same verdict with what the credential can do.
    pub fn scopes(mut self, scopes: Vec<String>) -> Verification {
        self.scopes = scopes;
        self
    }
}

/// What a finding read back from a JSON report carries instead of its secret.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub fingerprint: Arc<str>,
    /// `secret` is already redacted (reports print it as it is).
    pub redacted: bool,
}

impl Provenance {
    /// One line for people: `commit 1a2b3c4 by Ann <a@x> on 2024-05-01T…, removed from the tree;
    /// also in 3 later versions of the file`.
    pub fn describe(&self) -> String {
        let mut s = match &self.commit {
            Some(c) => format!("commit {}", &c[..c.len().min(12)]),
            None => format!(
                "blob {} (no commit reaches it)",
                self.blob.as_deref().unwrap_or_default()
            ),
        };
        if let Some(a) = &self.author {
            s.push_str(&format!(" by {a}"));
        }
        if let Some(d) = &self.date {
            s.push_str(&format!(" on {d}"));
        }
        let mut notes = Vec::new();
        if self.unreachable {
            notes.push("unreachable: no ref reaches it".to_string());
        }
        if self.message {
            notes.push("in the message".to_string());
        } else if self.in_head {
            notes.push("still in HEAD".to_string());
        } else {
            notes.push("removed from the tree, still in history".to_string());
        }
        if self.later_versions > 0 {
            notes.push(format!(
                "also in {} later version{} of the file",
                self.later_versions,
                if self.later_versions == 1 { "" } else { "s" }
            ));
        }
        if self.other_introductions > 0 {
            notes.push(format!(
                "the same blob is in {} other commit{} or path{}",
                self.other_introductions,
                if self.other_introductions == 1 {
                    ""
                } else {
                    "s"
                },
                if self.other_introductions == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        format!("{s}; {}", notes.join("; "))
    }
}

/// Where a finding of a history scan lives in git.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// The commit that introduced the blob at this path (the earliest in topological order),
    /// or whose message holds the secret; `None` for a blob no commit reaches.
    pub commit: Option<String>,
    pub author: Option<String>,
    /// Author date, ISO 8601.
    pub date: Option<String>,
    /// The blob's id (`None` for a message).
    pub blob: Option<String>,
    /// The path in the repository (empty for messages and blobs no commit reaches).
    pub path: String,
    /// Other commits or paths that introduced the very same blob.
    pub other_introductions: u32,
    /// Later versions of the file (other blobs at this path) holding the same secret.
    pub later_versions: u32,
    /// The secret is still in the tree at `HEAD`.
    pub in_head: bool,
    /// No ref reaches it (found with `--all-objects`).
    pub unreachable: bool,
    /// Found in a commit or annotated-tag message.
    pub message: bool,
    /// The introducing commit's place in the walk (topological, oldest first): what decides,
    /// across the parts of a sharded scan, which copy of a secret came first.
    pub order: Option<u64>,
}

impl Finding {
    /// Stable identity of a finding: the same rule, canonical path and secret give the same
    /// fingerprint wherever the line moves and however the path was typed. It is a SHA-256
    /// digest, so it does not reveal the secret.
    /// A second copy of the same secret in the same blob has its own fingerprint (stable under
    /// line moves: it counts copies, not lines).
    pub fn fingerprint(&self) -> String {
        match &self.recorded {
            Some(r) => r.fingerprint.to_string(),
            None => fingerprint(
                &self.rule_id,
                &self.canonical,
                &self.secret,
                self.occurrence,
            ),
        }
    }

    /// Ordering used for all output: by path, then position, then rule.
    pub fn sort_key(&self) -> (&str, u64, &str) {
        (&self.path, self.byte_offset, &self.rule_id)
    }
}

/// What a history finding's remediation starts with when the secret is no longer in `HEAD`.
pub const REMOVED_FROM_TREE: &str = "Removed from the tree, still in history: rotate it; \
     rewriting history does not un-leak a pushed key.";

impl Finding {
    /// A finding about a file (or URL) itself, not a secret in it: at its start, with no secret
    /// of its own (file rules, a probe's site checks).
    #[allow(clippy::too_many_arguments)]
    pub fn about_file(
        rule_id: &str,
        title: &str,
        severity: Severity,
        confidence: Confidence,
        remediation: &str,
        path: &Arc<str>,
        canonical: &Arc<str>,
        exposure: Exposure,
    ) -> Finding {
        Finding {
            rule_id: Arc::from(rule_id),
            title: Arc::from(title),
            severity,
            confidence,
            remediation: Arc::from(remediation),
            path: Arc::clone(path),
            canonical: Arc::clone(canonical),
            occurrence: 0,
            line: 1,
            column: 1,
            column_utf16: 1,
            byte_offset: 0,
            secret: String::new(),
            documented: false,
            exposure,
            detail: None,
            redact: false,
            provenance: None,
            recorded: None,
            companion: None,
            verification: None,
            decoded: None,
        }
    }
}

/// The remediation to show: a secret (not a flag or a name) of high severity or more that is
/// already public says so first.
pub fn remediation_for(
    severity: Severity,
    exposure: Exposure,
    secret: bool,
    remediation: &str,
) -> String {
    if secret && exposure.is_public() && severity >= Severity::High {
        format!(
            "Already public ({exposure}): assume it is compromised and rotate it now, with the \
             shortest expiry on the old key. {remediation}"
        )
    } else {
        remediation.to_string()
    }
}

/// See [`Finding::fingerprint`]. The first occurrence keeps the digest of earlier versions, so
/// existing baselines stay valid.
pub fn fingerprint(rule_id: &str, path: &str, secret: &str, occurrence: u32) -> String {
    let mut h = Sha256::new();
    h.update(b"sealant-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret.as_bytes());
    if occurrence > 0 {
        h.update([0]);
        h.update(occurrence.to_le_bytes());
    }
    hex(&h.finalize()[..16])
}

/// Bytes as lowercase hexadecimal (digests in fingerprints and identities).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Redacts a secret for display: a known prefix (everything up to the last `_` or `-` within
/// the first 16 characters, e.g. `sk_live_`) stays, then at most four leading and three
/// trailing characters of the rest, e.g. `sk_live_51Hx…Qz9`. Short values show no characters.
pub fn redact(secret: &str) -> String {
    if let Some(pem) = redact_pem(secret) {
        return pem;
    }
    let chars: Vec<char> = secret.chars().collect();
    let prefix_len = chars
        .iter()
        .take(16)
        .rposition(|c| *c == '_' || *c == '-')
        .map(|i| i + 1)
        .filter(|&n| chars.len() - n >= 8)
        .unwrap_or(0);
    let (prefix, rest) = chars.split_at(prefix_len);
    let prefix: String = prefix.iter().collect();
    let n = rest.len();
    let (head, tail) = if n >= 24 {
        (4, 3)
    } else if n >= 12 {
        (2, 2)
    } else {
        (0, 0)
    };
    let head: String = rest[..head].iter().collect();
    let tail: String = rest[n - tail..].iter().collect();
    format!("{prefix}{head}…{tail}")
}

/// A PEM block shows its type and a short digest of the whole block, which tells two keys
/// apart without showing either: `-----BEGIN RSA PRIVATE KEY----- …(sha256:1a2b3c4d)`.
fn redact_pem(secret: &str) -> Option<String> {
    let rest = secret.strip_prefix("-----BEGIN ")?;
    let end = rest.find("-----")?;
    let kind = &rest[..end];
    if kind.len() > 40 || !kind.bytes().all(|b| b.is_ascii_uppercase() || b == b' ') {
        return None;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(secret.as_bytes());
    Some(format!(
        "-----BEGIN {kind}----- …(sha256:{})",
        hex(&digest[..4])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_show_their_type_and_a_digest() {
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        let shown = redact(pem);
        assert!(
            shown.starts_with("-----BEGIN OPENSSH PRIVATE KEY----- …(sha256:"),
            "{shown}"
        );
        assert_eq!(
            shown.len(),
            "-----BEGIN OPENSSH PRIVATE KEY----- …(sha256:12345678)".len()
        );
        assert!(!shown.contains("b3Bl"));
        assert_ne!(shown, redact(&pem.replace("AAAA", "AAAB")));
    }

    #[test]
    fn redaction_keeps_prefix_and_few_chars() {
        let key =
            "sk_live_51u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnF"; // sealant:allow test key
        assert_eq!(redact(key), "sk_live_51u8…NnF");
        assert_eq!(redact("hunter2"), "…");
        assert_eq!(redact("abcdefghijklmnop"), "ab…op");
    }

    #[test]
    fn fingerprint_depends_on_rule_path_and_secret_only() {
        let a = fingerprint("r", "p", "s1", 0);
        assert_eq!(a, fingerprint("r", "p", "s1", 0));
        assert_ne!(a, fingerprint("r", "p", "s2", 0));
        assert_ne!(a, fingerprint("r", "q", "s1", 0));
        assert_ne!(a, fingerprint("t", "p", "s1", 0));
        assert_ne!(a, fingerprint("r", "p", "s1", 1));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("s1"));
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("nope".parse::<Severity>().is_err());
    }
}
