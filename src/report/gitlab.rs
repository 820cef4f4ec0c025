//! GitLab's secret-detection report (`artifacts: reports: secret_detection`), so that merge
//! requests and the vulnerability report show sealant's findings. The layout follows GitLab's
//! published security report schema (secret-detection-report-format.json, version 15): a
//! `scan` block naming the analyzer and scanner, and one vulnerability per finding with its
//! identifiers and location (file, lines, commit). Secrets are redacted as everywhere.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::finding::{Finding, Severity};
use crate::outcome::ScanOutcome;
use crate::report::ReportOptions;

/// The schema version the report declares.
pub const SCHEMA_VERSION: &str = "15.0.7";

/// A commit id for findings not tied to a commit (a tree scan), as GitLab's own analyzer
/// writes it.
const NO_COMMIT: &str = "0000000";

/// Writes the report followed by a newline.
pub fn write(out: &mut dyn Write, outcome: &ScanOutcome, opts: ReportOptions) -> io::Result<()> {
    let end = SystemTime::now();
    let start = end.checked_sub(outcome.summary.duration()).unwrap_or(end);
    let tool = json!({
        "id": "sealant",
        "name": "sealant",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "sealant" },
    });
    let vulnerabilities: Vec<serde_json::Value> = outcome
        .findings
        .iter()
        .map(|f| vulnerability(f, opts))
        .collect();
    let report = json!({
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": timestamp(start),
            "end_time": timestamp(end),
            "status": "success",
        },
        "vulnerabilities": vulnerabilities,
    });
    serde_json::to_writer_pretty(&mut *out, &report).map_err(crate::report::json_io)?;
    writeln!(out)
}

fn vulnerability(f: &Finding, opts: ReportOptions) -> serde_json::Value {
    let secret = opts.secret(f);
    let mut description = crate::report::message(f, opts);
    // Archive members point at the outer file; the chain is in the description.
    let (file, member) = crate::report::outer_file(f);
    if let Some(m) = member {
        description.push_str(&format!(" [in archive member {m}, line {}]", f.line));
    }
    let line = if member.is_some() { 1 } else { f.line };
    json!({
        "id": f.fingerprint(),
        "category": "secret_detection",
        "name": f.title.as_ref(),
        "description": description,
        "severity": severity(f.severity),
        "solution": f.remediation.as_ref(),
        "scanner": { "id": "sealant", "name": "sealant" },
        "raw_source_code_extract": secret,
        "location": {
            "file": file,
            "start_line": line,
            "end_line": line,
            "commit": commit(f),
        },
        "identifiers": [{
            "type": "sealant_rule_id",
            "name": format!("sealant rule {}", f.rule_id),
            "value": f.rule_id.as_ref(),
        }],
    })
}

/// The commit that introduced the finding (history scans), else GitLab's placeholder.
fn commit(f: &Finding) -> serde_json::Value {
    match f.provenance.as_deref() {
        Some(p) if p.commit.is_some() => json!({
            "sha": p.commit,
            "author": p.author,
            "date": p.date,
        }),
        _ => json!({ "sha": NO_COMMIT }),
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the form the schema's pattern asks for.
fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let (y, m, d, h, min, sec) = crate::clock::utc(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{sec:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29 12:34:56 UTC
        assert_eq!(timestamp(t), "2024-02-29T12:34:56");
    }
}
