//! The HTML audit report (`--format html`): one self-contained file to look at or attach to a
//! ticket — no network, its CSS, script and SVG charts inline. A header says what was scanned
//! (roots, counts, what was skipped, warned about or cut short by a limit, the rule catalog), so
//! that a reader knows what "no findings" covered; charts show findings by severity, by where
//! they sit, by rule, and for history scans when each leak was introduced; a table filters and
//! sorts them, each row opening the finding's fix, location and verification. Secrets are
//! redacted as in every report.
//!
//! The findings travel as JSON inside the page (compact: a rule's title and fix once, not per
//! finding; 10,000 findings fit in a few MB) and the script builds the table from it with DOM
//! calls, never from markup, so nothing a scanned file holds can inject into the page.

mod charts;
mod markup;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::finding::{Finding, Provenance, Severity, Verification};
use crate::outcome::ScanOutcome;
use crate::progress::human_bytes;
use crate::report::ReportOptions;
use crate::words::plural;

use markup::{escape, script_safe};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Warnings listed in the page; past this, a count (the JSON report has them all).
const WARNINGS_SHOWN: usize = 1000;

/// A rule as the page's data holds it: once, however many findings it has.
#[derive(Serialize)]
struct RuleData<'a> {
    id: &'a str,
    title: &'a str,
    remediation: &'a str,
}

/// A finding as the page's data holds it (short keys: the data is most of the file).
#[derive(Serialize)]
struct FindingData<'a> {
    /// Severity.
    s: Severity,
    /// Index into the rules.
    r: usize,
    /// Path (with the archive chain after `!`), line, column.
    p: &'a str,
    l: u64,
    c: u64,
    /// Where it sits: exposure, or `history` when no longer in HEAD.
    x: &'static str,
    /// The secret as this report may show it.
    k: String,
    /// Published in vendor documentation.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    doc: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<&'a str>,
    /// The encodings undone to reach it.
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<&'a Verification>,
    /// The introducing commit (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    h: Option<&'a Provenance>,
    /// Fingerprint (for baselines and `sealant:allow` decisions).
    f: String,
}

#[derive(Serialize)]
struct PageData<'a> {
    rules: Vec<RuleData<'a>>,
    findings: Vec<FindingData<'a>>,
}

/// Writes the whole report as one HTML document.
pub fn write(out: &mut dyn Write, outcome: &ScanOutcome, opts: ReportOptions) -> io::Result<()> {
    let data = page_data(&outcome.findings, opts);
    let history = outcome.findings.iter().any(|f| f.provenance.is_some());
    let mut html = String::with_capacity(64 * 1024 + outcome.findings.len() * 400);
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"referrer\" content=\"no-referrer\">",
    );
    html.push_str(&format!(
        "<title>sealant report — {}</title>",
        escape(&plural(outcome.summary.findings.total(), "finding"))
    ));
    html.push_str("<style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body>");
    header(&mut html, outcome);
    charts_section(&mut html, &outcome.findings, outcome);
    html.push_str(&format!(
        "<section id=\"findings\" data-history=\"{history}\"><h2>Findings</h2>\
         <p id=\"empty\" hidden>No findings: nothing the rules match was found in what the header \
         above lists.</p><div id=\"table\"><noscript>The table of findings needs JavaScript; \
         the JSON report (--format json) holds the same findings.</noscript></div></section>"
    ));
    warnings_section(&mut html, outcome);
    html.push_str("<script type=\"application/json\" id=\"data\">");
    let json = serde_json::to_string(&data).map_err(crate::report::json_io)?;
    html.push_str(&script_safe(&json));
    html.push_str("</script><script>");
    html.push_str(SCRIPT);
    html.push_str("</script></body></html>\n");
    out.write_all(html.as_bytes())
}

fn page_data<'a>(findings: &'a [Finding], opts: ReportOptions) -> PageData<'a> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    let mut rows = Vec::with_capacity(findings.len());
    for f in findings {
        let r = *index.entry(&f.rule_id).or_insert_with(|| {
            rules.push(RuleData {
                id: &f.rule_id,
                title: &f.title,
                remediation: &f.remediation,
            });
            rules.len() - 1
        });
        rows.push(FindingData {
            s: f.severity,
            r,
            p: &f.path,
            l: f.line,
            c: f.column,
            x: charts::place(f),
            k: opts.secret(f),
            doc: f.documented,
            d: f.detail.as_deref(),
            e: f.decoded.as_deref(),
            v: f.verification.as_ref(),
            h: f.provenance.as_deref(),
            f: f.fingerprint(),
        });
    }
    PageData {
        rules,
        findings: rows,
    }
}

/// The header: the verdict in counts, and what the scan covered.
fn header(html: &mut String, outcome: &ScanOutcome) {
    let s = &outcome.summary;
    html.push_str("<header><h1>sealant audit report</h1>");
    let (y, mo, d, h, mi, _) = crate::clock::utc(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_secs()),
    );
    html.push_str(&format!(
        "<p class=\"meta\">Written {y}-{mo:02}-{d:02} {h:02}:{mi:02} UTC by sealant {}",
        escape(crate::VERSION)
    ));
    if let Some(part) = outcome.part.as_ref().and_then(|p| p.shard) {
        html.push_str(&format!(
            " — part {} of {} of a sharded scan (sealant merge joins them)",
            part.index, part.total
        ));
    }
    html.push_str("</p><div class=\"counts\">");
    for sev in Severity::ALL {
        let n = s.findings.get(sev);
        html.push_str(&format!(
            "<div class=\"count {c}\" data-severity=\"{c}\"><b>{n}</b>{c}</div>",
            c = sev.as_str()
        ));
    }
    html.push_str("</div>");
    if let Some(notice) = &outcome.notice {
        html.push_str(&format!("<p class=\"notice\">{}</p>", escape(notice)));
    }
    html.push_str("<details open id=\"coverage\"><summary>What was scanned</summary><dl>");
    let mut row = |k: &str, v: String| {
        html.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", escape(k)));
    };
    if let Some(c) = &outcome.coverage {
        let targets: Vec<String> = c.targets.iter().map(|t| escape(t)).collect();
        row(
            "Targets",
            format!("<code>{}</code>", targets.join("</code>, <code>")),
        );
    }
    if let Some(root) = &outcome.root {
        row("In directory", format!("<code>{}</code>", escape(root)));
    }
    let mut read = format!(
        "{} ({})",
        plural(s.files_scanned, "file"),
        human_bytes(s.bytes_scanned)
    );
    if s.archives > 0 {
        let kinds: Vec<String> = (s.containers.iter())
            .map(|(k, n)| format!("{n} {}", escape(k)))
            .collect();
        read.push_str(&format!(
            "; {} of them inside {} ({})",
            s.archive_members,
            plural(s.archives, "archive"),
            kinds.join(", ")
        ));
    }
    if s.commits > 0 || s.messages > 0 {
        read.push_str(&format!(
            "; {}, {}",
            plural(s.commits, "commit"),
            plural(s.messages, "message")
        ));
    }
    if s.requests > 0 {
        read.push_str(&format!("; {}", plural(s.requests, "HTTP request")));
    }
    read.push_str(&format!(" in {:.2} s", s.duration().as_secs_f64()));
    row("Read", read);
    let mut skipped = Vec::new();
    for (n, what) in [
        (s.skipped.media, "media file"),
        (s.skipped.symlinks, "symbolic link (not followed)"),
        (s.skipped.special, "FIFO, socket or device"),
        (s.skipped.config, "path left out by skip-paths"),
        (s.skipped.ignored, "path git ignores"),
        (s.unopened, "archive not opened"),
    ] {
        if n > 0 {
            skipped.push(escape(&plural(n, what)));
        }
    }
    row(
        "Not read",
        if skipped.is_empty() {
            "nothing".to_string()
        } else {
            skipped.join(", ")
        },
    );
    let p = &s.suppressed;
    row(
        "Accepted",
        format!(
            "{} inline (sealant:allow), {} by the allowlist, {} by the baseline, {}{}",
            p.inline,
            p.allowlist,
            p.baseline,
            escape(&plural(p.placeholder, "placeholder or default value")),
            if s.baseline_stale > 0 {
                format!(
                    "; {} no longer occur",
                    plural(s.baseline_stale, "baseline entry")
                )
            } else {
                String::new()
            }
        ),
    );
    let unlisted = s.unlisted.total();
    if unlisted > 0 {
        row(
            "Counted, not listed",
            format!(
                "{} (copies of one secret past 50 in a file, or past the listing bounds)",
                plural(unlisted, "finding")
            ),
        );
    }
    if let Some(v) = &s.verified {
        row(
            "Verified",
            format!(
                "{} active, {} inactive, {} unknown, {} failed",
                v.active, v.inactive, v.unknown, v.error
            ),
        );
    }
    row(
        "Warnings",
        if s.warnings == 0 {
            "none".to_string()
        } else {
            format!(
                "<a href=\"#warnings\">{}</a>",
                escape(&plural(s.warnings, "warning"))
            )
        },
    );
    if let Some(c) = &outcome.coverage {
        row(
            "Rules",
            format!(
                "{} in force; built-in catalog {}",
                c.rules,
                escape(&c.catalog)
            ),
        );
        let limits: Vec<String> = (c.limits.iter())
            .map(|(k, v)| {
                let hit = (outcome.warnings.iter())
                    .filter(|w| w.message.contains(&format!("(--{k})")))
                    .count() as u64;
                let hit = if hit > 0 {
                    format!(" <b class=\"hit\">reached {}</b>", plural(hit, "time"))
                } else {
                    String::new()
                };
                format!("<code>--{k} {}</code>{hit}", escape(v))
            })
            .collect();
        row("Limits", limits.join(", "));
    }
    html.push_str("</dl></details></header>");
}

fn charts_section(html: &mut String, findings: &[Finding], outcome: &ScanOutcome) {
    if outcome.summary.findings.total() == 0 {
        return;
    }
    html.push_str("<section id=\"charts\"><h2>Overview</h2><div class=\"charts\">");
    let counts: Vec<(Severity, u64)> = Severity::ALL
        .iter()
        .map(|&s| (s, outcome.summary.findings.get(s)))
        .collect();
    html.push_str(&charts::bars("By severity", &charts::by_severity(&counts)));
    html.push_str(&charts::bars(
        "By where they sit",
        &charts::by_place(findings),
    ));
    html.push_str(&charts::bars("By rule", &charts::by_rule(findings)));
    if let Some(t) = charts::timeline(findings) {
        html.push_str(&t);
    }
    html.push_str("</div><p class=\"hint\">Click a bar to filter the table.</p></section>");
}

fn warnings_section(html: &mut String, outcome: &ScanOutcome) {
    if outcome.warnings.is_empty() {
        return;
    }
    html.push_str(&format!(
        "<section id=\"warnings\"><details><summary>{}</summary><ul>",
        escape(&plural(outcome.warnings.len() as u64, "warning"))
    ));
    for w in outcome.warnings.iter().take(WARNINGS_SHOWN) {
        html.push_str(&format!(
            "<li><code>{}</code>: {}</li>",
            escape(&w.path),
            escape(&w.message)
        ));
    }
    if outcome.warnings.len() > WARNINGS_SHOWN {
        html.push_str(&format!(
            "<li>… {} more (the JSON report lists them all)</li>",
            outcome.warnings.len() - WARNINGS_SHOWN
        ));
    }
    html.push_str("</ul></details></section>");
}
