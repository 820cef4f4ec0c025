//! The human report: one block per finding on stdout, warnings and a summary on stderr.

use std::io::{self, Write};

use crate::diagnostics::Warning;
use crate::finding::{Finding, Severity};
use crate::report::ReportOptions;
use crate::scan::{ScanOutcome, Summary};

/// Writes one block per finding.
pub fn write_findings(
    out: &mut dyn Write,
    findings: &[Finding],
    opts: ReportOptions,
) -> io::Result<()> {
    for f in findings {
        let sev = f.severity.as_str().to_uppercase();
        let (on, off) = if opts.color {
            (severity_colour(f.severity), "\x1b[0m")
        } else {
            ("", "")
        };
        let note = if f.documented {
            " — a value published in vendor documentation"
        } else {
            ""
        };
        writeln!(out, "{on}{sev:<8}{off} {} [{}]{note}", f.title, f.rule_id)?;
        let exposed = if f.exposure.is_public() {
            format!("  ({}: already public)", f.exposure)
        } else {
            String::new()
        };
        writeln!(out, "  at      {}:{}:{}{exposed}", f.path, f.line, f.column)?;
        if !f.secret.is_empty() {
            let label = if f.redact { "secret" } else { "match " };
            writeln!(out, "  {label}  {}", opts.secret(f))?;
        }
        if let Some(detail) = &f.detail {
            writeln!(out, "  detail  {detail}")?;
        }
        if let Some(p) = &f.provenance {
            writeln!(out, "  history {}", p.describe())?;
        }
        writeln!(out, "  fix     {}", f.remediation)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Writes warnings and the summary (for stderr).
pub fn write_summary(
    err: &mut dyn Write,
    outcome: &ScanOutcome,
    opts: ReportOptions,
) -> io::Result<()> {
    for w in &outcome.warnings {
        write_warning(err, w, opts)?;
    }
    if let Some(notice) = &outcome.notice {
        writeln!(err, "sealant: {notice}")?;
    }
    let s = &outcome.summary;
    let members = if s.archives > 0 {
        format!(
            ", {} of them in {}",
            s.archive_members,
            plural(s.archives, "archive")
        )
    } else {
        String::new()
    };
    writeln!(
        err,
        "sealant: scanned {}{members} ({}) in {:.2} s",
        plural(s.files_scanned, "file"),
        human_bytes(s.bytes_scanned),
        s.duration().as_secs_f64()
    )?;
    writeln!(err, "sealant: {}", findings_line(s))?;
    let mut skipped = Vec::new();
    if s.skipped.media > 0 {
        skipped.push(plural(s.skipped.media, "media file"));
    }
    if s.skipped.symlinks > 0 {
        skipped.push(format!(
            "{} (use --follow to follow)",
            plural(s.skipped.symlinks, "symbolic link")
        ));
    }
    if s.skipped.special > 0 {
        skipped.push(plural(s.skipped.special, "FIFO, socket or device"));
    }
    if s.skipped.config > 0 {
        skipped.push(format!(
            "{} by skip-paths",
            plural(s.skipped.config, "file")
        ));
    }
    if !skipped.is_empty() {
        writeln!(err, "sealant: skipped {}", skipped.join(", "))?;
    }
    let sup = &s.suppressed;
    let suppressed = sup.inline + sup.allowlist + sup.baseline + sup.placeholder;
    if suppressed > 0 {
        let mut why = Vec::new();
        for (n, how) in [
            (sup.inline, "by sealant:allow comments"),
            (sup.allowlist, "by the config's allowlist"),
            (sup.baseline, "by the baseline"),
            (sup.placeholder, "placeholder or default values"),
        ] {
            if n > 0 {
                why.push(format!("{n} {how}"));
            }
        }
        writeln!(
            err,
            "sealant: suppressed {} ({})",
            plural(suppressed, "finding"),
            why.join(", ")
        )?;
    }
    if !outcome.stale.is_empty() {
        writeln!(
            err,
            "sealant: {} no longer occur (refresh it with --write-baseline):",
            plural(outcome.stale.len() as u64, "baseline entry").replace("entrys", "entries")
        )?;
        for e in &outcome.stale {
            writeln!(err, "  {} {}:{} [{}]", e.title, e.path, e.line, e.rule_id)?;
        }
    }
    if s.warnings > 0 {
        writeln!(
            err,
            "sealant: {} (listed above)",
            plural(s.warnings, "warning")
        )?;
    }
    Ok(())
}

fn write_warning(err: &mut dyn Write, w: &Warning, opts: ReportOptions) -> io::Result<()> {
    let (on, off) = if opts.color {
        ("\x1b[33m", "\x1b[0m")
    } else {
        ("", "")
    };
    if w.path.is_empty() {
        writeln!(err, "sealant: {on}warning{off}: {}", w.message)
    } else {
        writeln!(err, "sealant: {on}warning{off}: {}: {}", w.path, w.message)
    }
}

fn findings_line(s: &Summary) -> String {
    let total = s.findings.total();
    if total == 0 {
        return "no findings".to_string();
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter(|sev| s.findings.get(**sev) > 0)
        .map(|sev| format!("{} {}", s.findings.get(*sev), sev))
        .collect();
    format!("{}: {}", plural(total, "finding"), parts.join(", "))
}

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::Info => "\x1b[2m",
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else if what.ends_with("device") {
        format!("{n} FIFOs, sockets or devices")
    } else {
        format!("{n} {what}s")
    }
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
