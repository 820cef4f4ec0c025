//! The JSON report: one object on stdout, `{"version", "findings", "summary", "warnings"}`.

use std::io::{self, Write};

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Warning;
use crate::exposure::Exposure;
use crate::finding::Verification;
use crate::finding::{Confidence, Finding, Provenance, Recorded, Severity};
use crate::outcome::{Coverage, ScanOutcome, Summary};
use crate::policy::baseline::BaselineEntry;
use crate::report::ReportOptions;

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    /// Which scan, and which part of it (for `sealant merge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    scan: Option<ScanPart<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
    warnings: &'a [Warning],
    /// Baseline entries that no longer occur.
    stale_baseline: &'a [BaselineEntry],
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'a str>,
    /// The directory the scan ran in (relative paths are relative to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    root: Option<&'a str>,
    /// What the scan read, under which rules and limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Coverage>,
}

/// A finding as the JSON report writes it, and as `sealant merge` reads it back: one shape
/// for both directions.
#[derive(Serialize, Deserialize)]
pub(crate) struct JsonFinding<'a> {
    rule_id: Cow<'a, str>,
    title: Cow<'a, str>,
    severity: Severity,
    confidence: Confidence,
    path: Cow<'a, str>,
    /// The path every decision used (relative to the repository root).
    canonical_path: Cow<'a, str>,
    line: u64,
    column: u64,
    column_utf16: u64,
    byte_offset: u64,
    /// Which copy of the same secret in the same blob this is (0 for the first).
    occurrence: u32,
    secret: String,
    redacted: bool,
    documented: bool,
    fingerprint: String,
    exposure: Exposure,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Cow<'a, str>>,
    /// The encodings undone to reach the secret (`base64`, `base64>hex`), when the file holds
    /// it encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decoded: Option<Cow<'a, str>>,
    remediation: Cow<'a, str>,
    /// History scans: the introducing commit (full id), author, date, blob, path in the
    /// repository, and whether it is still in HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<Cow<'a, Provenance>>,
    /// The identifier the secret goes with (an AWS access key ID), written with
    /// `--show-secrets` only: `sealant verify` reads it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    companion: Option<String>,
    /// `--verify`: what the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verification: Option<Cow<'a, Verification>>,
}

impl<'a> JsonFinding<'a> {
    fn new(f: &'a Finding, opts: ReportOptions) -> JsonFinding<'a> {
        JsonFinding {
            rule_id: Cow::Borrowed(&f.rule_id),
            title: Cow::Borrowed(&f.title),
            severity: f.severity,
            confidence: f.confidence,
            path: Cow::Borrowed(&f.path),
            canonical_path: Cow::Borrowed(&f.canonical),
            line: f.line,
            column: f.column,
            column_utf16: f.column_utf16,
            byte_offset: f.byte_offset,
            occurrence: f.occurrence,
            secret: opts.secret(f),
            redacted: f.redact
                && (!opts.show_secrets || f.recorded.as_ref().is_some_and(|r| r.redacted)),
            documented: f.documented,
            fingerprint: f.fingerprint(),
            exposure: f.exposure,
            detail: f.detail.as_deref().map(Cow::Borrowed),
            decoded: f.decoded.as_deref().map(Cow::Borrowed),
            remediation: Cow::Borrowed(&f.remediation),
            commit: f.provenance.as_deref().map(Cow::Borrowed),
            companion: f.companion.clone().filter(|_| opts.show_secrets),
            verification: f.verification.as_ref().map(Cow::Borrowed),
        }
    }

    /// The finding a report recorded: its secret as the report showed it, its fingerprint as
    /// the report gave it.
    pub(crate) fn into_finding(self) -> Finding {
        Finding {
            rule_id: Arc::from(self.rule_id),
            title: Arc::from(self.title),
            severity: self.severity,
            confidence: self.confidence,
            remediation: Arc::from(self.remediation),
            path: Arc::from(self.path),
            canonical: Arc::from(self.canonical_path),
            occurrence: self.occurrence,
            line: self.line,
            column: self.column,
            column_utf16: self.column_utf16,
            byte_offset: self.byte_offset,
            secret: self.secret,
            documented: self.documented,
            exposure: self.exposure,
            detail: self.detail.map(Cow::into_owned),
            // A name or flag is shown in full; a secret as the report had it.
            redact: self.redacted,
            provenance: self.commit.map(|c| Arc::new(c.into_owned())),
            recorded: Some(Recorded {
                fingerprint: Arc::from(self.fingerprint),
                redacted: self.redacted,
            }),
            companion: self.companion,
            verification: self.verification.map(Cow::into_owned),
            decoded: self.decoded.map(|d| Arc::from(d.as_ref())),
        }
    }
}

/// Which scan a report belongs to, and which part of it.
#[derive(Serialize, Deserialize)]
pub(crate) struct ScanPart<'a> {
    pub(crate) id: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<ShardJson>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ShardJson {
    pub(crate) index: u32,
    pub(crate) total: u32,
}

/// Writes the whole report as one JSON object followed by a newline.
pub fn write(out: &mut dyn Write, outcome: &ScanOutcome, opts: ReportOptions) -> io::Result<()> {
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        scan: outcome.part.as_ref().map(|p| ScanPart {
            id: Cow::Borrowed(&p.identity),
            shard: p.shard.map(|s| ShardJson {
                index: s.index,
                total: s.total,
            }),
        }),
        findings: outcome
            .findings
            .iter()
            .map(|f| JsonFinding::new(f, opts))
            .collect(),
        summary: &outcome.summary,
        warnings: &outcome.warnings,
        stale_baseline: &outcome.stale,
        notice: outcome.notice.as_deref(),
        root: outcome.root.as_deref(),
        coverage: outcome.coverage.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(crate::report::json_io)?;
    writeln!(out)
}

/// JSON Lines (`--format jsonl`): each finding as one JSON object on its own line, in the
/// shape of the JSON report's findings; the summary stays on stderr.
pub fn write_lines(
    out: &mut dyn Write,
    findings: &[Finding],
    opts: ReportOptions,
) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *out, &JsonFinding::new(f, opts))
            .map_err(crate::report::json_io)?;
        writeln!(out)?;
    }
    Ok(())
}
