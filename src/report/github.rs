//! GitHub Actions workflow commands (`--format github`): one `::error`/`::warning`/`::notice`
//! line per finding, which the runner turns into an annotation on the file and line of the
//! pull request. Severities map as critical/high → error, medium/low → warning, info → notice.
//! Values are escaped as the runner expects: `%`, CR and LF everywhere, and `:` and `,` in
//! properties.

use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::report::ReportOptions;

pub fn write(out: &mut dyn Write, findings: &[Finding], opts: ReportOptions) -> io::Result<()> {
    for f in findings {
        let (file, member) = crate::report::outer_file(f);
        let mut message = crate::report::message(f, opts);
        if let Some(m) = member {
            message.push_str(&format!(" [in archive member {m}, line {}]", f.line));
        }
        message.push_str(&format!(" Fix: {}", f.remediation));
        let (line, col) = if member.is_some() {
            (1, 1)
        } else {
            (f.line, f.column)
        };
        writeln!(
            out,
            "::{} file={},line={line},col={col},title={}::{}",
            command(f.severity, opts.fails(f)),
            property(file),
            property(&format!("{} ({})", f.title, f.rule_id)),
            data(&message)
        )?;
    }
    Ok(())
}

/// The annotation level: a finding that does not fail the run (below `--fail-on`) is a notice.
fn command(s: Severity, fails: bool) -> &'static str {
    match s {
        _ if !fails => "notice",
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low | Severity::Info => "warning",
    }
}

/// A message, escaped.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (file, title), escaped.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
