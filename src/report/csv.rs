//! CSV (`--format csv`): a header row, then one row per finding, quoted as RFC 4180 says (a
//! field holding a comma, quote or line break is quoted, its quotes doubled). A field that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a
//! spreadsheet opening the file shows it as text instead of running it as a formula (the
//! values come from the scanned files).

use std::io::{self, Write};

use crate::finding::Finding;
use crate::report::ReportOptions;

pub const HEADER: [&str; 13] = [
    "severity",
    "rule_id",
    "title",
    "path",
    "line",
    "column",
    "secret",
    "exposure",
    "fingerprint",
    "commit",
    "detail",
    "remediation",
    "decoded",
];

pub fn write(out: &mut dyn Write, findings: &[Finding], opts: ReportOptions) -> io::Result<()> {
    row(out, HEADER.iter().map(|h| h.to_string()))?;
    for f in findings {
        let commit = f
            .provenance
            .as_deref()
            .and_then(|p| p.commit.clone())
            .unwrap_or_default();
        row(
            out,
            [
                f.severity.to_string(),
                f.rule_id.to_string(),
                f.title.to_string(),
                f.path.to_string(),
                f.line.to_string(),
                f.column.to_string(),
                opts.secret(f),
                f.exposure.to_string(),
                f.fingerprint(),
                commit,
                f.detail.clone().unwrap_or_default(),
                f.remediation.to_string(),
                f.decoded.as_deref().unwrap_or_default().to_string(),
            ],
        )?;
    }
    Ok(())
}

fn row(out: &mut dyn Write, fields: impl IntoIterator<Item = String>) -> io::Result<()> {
    let line: Vec<String> = fields.into_iter().map(|f| field(&f)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("-1,2"), "\"'-1,2\"");
    }
}
