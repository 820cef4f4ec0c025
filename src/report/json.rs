//! The JSON report: one object on stdout, `{"version", "findings", "summary", "warnings"}`.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostics::Warning;
use crate::exposure::Exposure;
use crate::finding::{Confidence, Provenance, Severity};
use crate::policy::BaselineEntry;
use crate::report::ReportOptions;
use crate::scan::{ScanOutcome, Summary};

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
    warnings: &'a [Warning],
    /// Baseline entries that no longer occur.
    stale_baseline: &'a [BaselineEntry],
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    title: &'a str,
    severity: Severity,
    confidence: Confidence,
    path: &'a str,
    line: u64,
    column: u64,
    byte_offset: u64,
    secret: String,
    redacted: bool,
    documented: bool,
    fingerprint: String,
    exposure: Exposure,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    remediation: &'a str,
    /// History scans: the introducing commit (full id), author, date, blob, path in the
    /// repository, and whether it is still in HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a Provenance>,
}

/// Writes the whole report as one JSON object followed by a newline.
pub fn write(out: &mut dyn Write, outcome: &ScanOutcome, opts: ReportOptions) -> io::Result<()> {
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        findings: outcome
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule_id: &f.rule_id,
                title: &f.title,
                severity: f.severity,
                confidence: f.confidence,
                path: &f.path,
                line: f.line,
                column: f.column,
                byte_offset: f.byte_offset,
                secret: opts.secret(f),
                redacted: f.redact && !opts.show_secrets,
                documented: f.documented,
                fingerprint: f.fingerprint(),
                exposure: f.exposure,
                detail: f.detail.as_deref(),
                remediation: &f.remediation,
                commit: f.provenance.as_deref(),
            })
            .collect(),
        summary: &outcome.summary,
        warnings: &outcome.warnings,
        stale_baseline: &outcome.stale,
        notice: outcome.notice.as_deref(),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(crate::report::json_io)?;
    writeln!(out)
}
