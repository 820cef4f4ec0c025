//! The human report: findings grouped by rule, and tables by rule and by exposure, on stdout;
//! warnings and a summary on stderr.

use std::io::{self, Write};

use crate::diagnostics::Warning;
use crate::finding::Status;
use crate::finding::{Finding, Severity};
use crate::outcome::{ScanOutcome, Summary};
use crate::progress::human_bytes;
use crate::report::ReportOptions;
use crate::words::{plural, verb};

/// Findings of one rule listed in full before the rest of the group is counted instead
/// (`--verbose` lists them all).
pub const GROUP_SHOWN: usize = 5;

/// Writes the findings grouped by rule (most severe first): each finding's place, secret,
/// detail and history, the rule's fix once; past [`GROUP_SHOWN`] findings of one rule, a count
/// instead (unless `opts.verbose`). Then, when there is more than one finding, a table by rule
/// and by exposure.
pub fn write_findings(
    out: &mut dyn Write,
    findings: &[Finding],
    opts: ReportOptions,
) -> io::Result<()> {
    let paint = Paint(opts.color);
    for group in groups(findings) {
        let first = group[0];
        let sev = first.severity.as_str().to_uppercase();
        let note = if first.documented {
            " — a value published in vendor documentation"
        } else {
            ""
        };
        let count = if group.len() > 1 {
            let files: std::collections::BTreeSet<&str> =
                group.iter().map(|f| f.path.as_ref()).collect();
            format!(
                " — {} in {}",
                plural(group.len() as u64, "finding"),
                plural(files.len() as u64, "file")
            )
        } else {
            String::new()
        };
        let status = match first.verification.as_ref().map(|v| v.status) {
            Some(Status::Active) => format!("{} ", paint.on(ACTIVE, "ACTIVE")),
            Some(s) => format!("{} ", s.label()),
            None => String::new(),
        };
        writeln!(
            out,
            "{} {status}{} [{}]{note}{count}",
            paint.on(severity_colour(first.severity), &format!("{sev:<8}")),
            first.title,
            first.rule_id
        )?;
        let shown = if opts.verbose {
            group.len()
        } else {
            group.len().min(GROUP_SHOWN)
        };
        for f in &group[..shown] {
            write_place(out, f, opts, paint)?;
        }
        if shown < group.len() {
            let rest = &group[shown..];
            let files: std::collections::BTreeSet<&str> =
                rest.iter().map(|f| f.path.as_ref()).collect();
            writeln!(
                out,
                "  …       {} more in {} (--verbose lists them all)",
                rest.len(),
                plural(files.len() as u64, "file")
            )?;
        }
        writeln!(out, "  fix     {}", first.remediation)?;
        writeln!(out)?;
    }
    if findings.len() > 1 {
        write_tables(out, findings, paint)?;
    }
    Ok(())
}

/// One finding's lines: where, what, and why.
fn write_place(
    out: &mut dyn Write,
    f: &Finding,
    opts: ReportOptions,
    paint: Paint,
) -> io::Result<()> {
    let exposed = if f.exposure.is_public() {
        format!("  ({}: already public)", f.exposure)
    } else {
        String::new()
    };
    writeln!(
        out,
        "  at      {}:{}{exposed}",
        paint.on(PATH, &f.path),
        paint.on(LINE, &format!("{}:{}", f.line, f.column))
    )?;
    if !f.secret.is_empty() {
        let label = if f.redact { "secret" } else { "match " };
        writeln!(out, "  {label}  {}", paint.on(SECRET, &opts.secret(f)))?;
    }
    if let Some(d) = &f.decoded {
        writeln!(out, "  decoded {d}: the file holds it encoded")?;
    }
    if let Some(detail) = &f.detail {
        writeln!(out, "  detail  {detail}")?;
    }
    if let Some(p) = &f.provenance {
        writeln!(out, "  history {}", p.describe())?;
    }
    if let Some(v) = &f.verification {
        let scopes = if v.scopes.is_empty() {
            String::new()
        } else {
            format!(" — can: {}", v.scopes.join(", "))
        };
        writeln!(
            out,
            "  checked {} {}: {}{scopes}",
            v.provider,
            v.status.label(),
            v.detail
        )?;
    }
    Ok(())
}

/// The findings grouped by rule, severity and documented-ness: most severe group first, then
/// in the order the findings come.
fn groups(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    type Key<'a> = (&'a str, Severity, bool, Option<Status>);
    let mut index: std::collections::HashMap<Key<'_>, usize> = Default::default();
    for f in findings {
        let status = f.verification.as_ref().map(|v| v.status);
        let key = (f.rule_id.as_ref(), f.severity, f.documented, status);
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(f);
    }
    // Stable: equal severities keep their first appearance's order (verified active first).
    groups.sort_by_key(|g| {
        let active = g[0]
            .verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Active);
        (std::cmp::Reverse(g[0].severity), !active)
    });
    groups
}

/// Counts by rule (with severity) and by exposure.
fn write_tables(out: &mut dyn Write, findings: &[Finding], paint: Paint) -> io::Result<()> {
    let mut by_rule: Vec<(Severity, &str, usize)> = Vec::new();
    for g in groups(findings) {
        match by_rule
            .iter_mut()
            .find(|(s, r, _)| *s == g[0].severity && *r == g[0].rule_id.as_ref())
        {
            Some(row) => row.2 += g.len(),
            None => by_rule.push((g[0].severity, g[0].rule_id.as_ref(), g.len())),
        }
    }
    let width = by_rule.iter().map(|r| r.1.len()).max().unwrap_or(0);
    writeln!(out, "By rule:")?;
    for (sev, rule, n) in &by_rule {
        writeln!(
            out,
            "  {} {rule:<width$}  {n:>6}",
            paint.on(severity_colour(*sev), &format!("{:<8}", sev.as_str()))
        )?;
    }
    let mut by_exposure: std::collections::BTreeMap<String, usize> = Default::default();
    for f in findings {
        let where_ = if f.provenance.is_some() {
            "history".to_string()
        } else {
            f.exposure.to_string()
        };
        *by_exposure.entry(where_).or_default() += 1;
    }
    writeln!(out, "By exposure:")?;
    for (exposure, n) in &by_exposure {
        writeln!(out, "  {exposure:<width$}  {n:>6}", width = width + 9)?;
    }
    Ok(())
}

/// ripgrep's colours: paths magenta, line and column green, the match bold red.
const PATH: &str = "\x1b[35m";
const LINE: &str = "\x1b[32m";
const SECRET: &str = "\x1b[1;31m";
const ACTIVE: &str = "\x1b[1;37;41m";

/// Colours text when the report is coloured.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, colour: &str, text: &str) -> String {
        if self.0 {
            format!("{colour}{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
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
        // By the kind of archive they came out of, when more than one kind was opened.
        let kinds = if s.containers.len() > 1 {
            let each: Vec<String> = (s.containers.iter())
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            format!(": {}", each.join(", "))
        } else {
            String::new()
        };
        format!(
            ", {} of them in {}{kinds}",
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
    if s.requests > 0 {
        writeln!(
            err,
            "sealant: probed the site with {}",
            plural(s.requests, "request")
        )?;
    }
    writeln!(err, "sealant: {}", findings_line(s))?;
    if let Some(v) = &s.verified {
        writeln!(
            err,
            "sealant: verified with the providers: {} active, {} inactive, {} unknown, {} failed",
            v.active, v.inactive, v.unknown, v.error
        )?;
    }
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
    if s.skipped.ignored > 0 {
        let what = if s.skipped.ignored == 1 {
            "1 file or directory".to_string()
        } else {
            format!("{} files and directories", s.skipped.ignored)
        };
        skipped.push(format!("{what} git ignores (--no-ignore-vcs scans them)"));
    }
    if s.unopened > 0 {
        skipped.push(format!(
            "{} not opened (named in the warnings)",
            plural(s.unopened, "archive")
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
            "sealant: {} no longer {} (refresh it with --write-baseline):",
            plural(outcome.stale.len() as u64, "baseline entry"),
            verb(outcome.stale.len() as u64, "occurs", "occur")
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
    let unlisted = s.unlisted.total();
    let note = if unlisted > 0 {
        format!(
            " ({unlisted} of them counted, not listed: copies of one secret past 50 in a file, \
             or past the bounds of 10,000 per file and 100,000 per scan)"
        )
    } else {
        String::new()
    };
    format!("{}: {}{note}", plural(total, "finding"), parts.join(", "))
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
