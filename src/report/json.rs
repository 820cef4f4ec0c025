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
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    title: &'a str,
    severity: Severity,
    confidence: Confidence,
    path: &'a str,
    /// The path every decision used (relative to the repository root).
    canonical_path: &'a str,
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
    detail: Option<&'a str>,
    remediation: &'a str,
    /// History scans: the introducing commit (full id), author, date, blob, path in the
    /// repository, and whether it is still in HEAD.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a Provenance>,
}

#[derive(Serialize)]
struct ScanPart<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<ShardJson>,
}

#[derive(Serialize)]
struct ShardJson {
    index: u32,
    total: u32,
}

/// Writes the whole report as one JSON object followed by a newline.
pub fn write(out: &mut dyn Write, outcome: &ScanOutcome, opts: ReportOptions) -> io::Result<()> {
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        scan: outcome.part.as_ref().map(|p| ScanPart {
            id: &p.identity,
            shard: p.shard.map(|s| ShardJson {
                index: s.index,
                total: s.total,
            }),
        }),
        findings: outcome
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule_id: &f.rule_id,
                title: &f.title,
                severity: f.severity,
                confidence: f.confidence,
                path: &f.path,
                canonical_path: &f.canonical,
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
