//! Reports: how findings, warnings and the summary are written out.
//!
//! Every format redacts secrets unless `show_secrets` is set.

pub mod csv;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod redact;
pub mod sarif;
pub mod text;

use crate::finding::{Finding, Severity, redact};

/// Options shared by every report format.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// Print secrets in full (`--show-secrets`).
    pub show_secrets: bool,
    /// Use ANSI colours.
    pub color: bool,
    /// List every finding of a rule in the text report, not the first few.
    pub verbose: bool,
    /// `--fail-on`: the severity from which a finding fails the run (`None`: never). Formats
    /// with a notion of failure (JUnit cases, GitHub annotation levels, SARIF levels) follow
    /// it, so that a report never calls a failure what the exit code passes.
    pub fail_on: Option<Severity>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            show_secrets: false,
            color: false,
            verbose: false,
            fail_on: Some(Severity::Low),
        }
    }
}

impl ReportOptions {
    /// Whether `f` fails the run.
    pub fn fails(&self, f: &Finding) -> bool {
        self.fail_on.is_some_and(|t| f.severity >= t)
    }

    /// The secret as this report may show it.
    pub fn secret(&self, f: &Finding) -> String {
        if self.show_secrets || !f.redact || f.recorded.as_ref().is_some_and(|r| r.redacted) {
            f.secret.clone()
        } else {
            redact(&f.secret)
        }
    }
}

/// A JSON encoding error as the I/O error it wraps, if any, so that a closed pipe stays a
/// closed pipe (`sealant scan --format json | head`).
pub(crate) fn json_io(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    }
}

/// One line about a finding for formats that carry a message (SARIF, GitLab): the title, the
/// secret as this report may show it, whether it is already public, and the detail line.
pub(crate) fn message(f: &Finding, opts: ReportOptions) -> String {
    let secret = opts.secret(f);
    let mut message = f.title.to_string();
    if !secret.is_empty() {
        message.push_str(&format!(": {secret}"));
    }
    if let Some(d) = &f.decoded {
        message.push_str(&format!(" (decoded: {d})"));
    }
    if f.exposure.is_public() {
        message.push_str(&format!(" (exposure: {}, already public)", f.exposure));
    }
    if let Some(d) = &f.detail {
        message.push_str(&format!(". {d}"));
    }
    if let Some(v) = &f.verification {
        message.push_str(&format!(
            ". Verified {} ({}: {})",
            v.status.label(),
            v.provider,
            v.detail
        ));
    }
    message
}

/// The file a location points at (the outer file, for an archive member, whose chain is the
/// second value), relative to the repository root.
pub(crate) fn outer_file(f: &Finding) -> (&str, Option<&str>) {
    match f.canonical.split_once('!') {
        Some((outer, inner)) => (outer, Some(inner)),
        None => (f.canonical.as_ref(), None),
    }
}

/// `s` escaped for XML and HTML text and attributes (JUnit, the HTML report), without the
/// characters XML 1.0 cannot carry.
pub(crate) fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
