//! Writing what a command found: the report in the chosen format (to standard output or
//! `--output`), the summary on standard error, colour, and whether the run fails
//! (`--fail-on`).

use std::io::{self, IsTerminal, Write};

use crate::cli::args::{FailOn, ReportArgs, ScanFormat, When};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::outcome::ScanOutcome;
use crate::report::{self, ReportOptions};

/// How a scan's (or a merge's) outcome is written.
pub struct Output<'a> {
    pub report: &'a ReportArgs,
    pub show_secrets: bool,
    /// `--fail-on` resolved against the config.
    pub fail_on: FailOn,
    /// The findings were written while the scan ran (`--format jsonl`).
    pub streamed: bool,
}

/// Writes the report and the summary; returns whether a finding is at or above `fail_on`.
pub fn emit(outcome: &ScanOutcome, engine: &Engine, o: &Output<'_>) -> Result<bool> {
    let to_terminal = o.report.output.as_deref().is_none() && io::stdout().is_terminal();
    let opts = ReportOptions {
        show_secrets: o.show_secrets,
        color: use_color(o.report.color, to_terminal),
        verbose: o.report.verbose,
        fail_on: o.fail_on.0,
    };
    let written = if o.streamed {
        Ok(()) // the findings were written as they were found
    } else {
        let mut out = open_report(o.report)?;
        write_report(&mut out, outcome, engine, o, opts).and_then(|_| out.flush())
    };
    ignore_broken_pipe(written)?;
    if !o.report.quiet() {
        let err_opts = ReportOptions {
            color: use_color(o.report.color, io::stderr().is_terminal()),
            ..opts
        };
        // Nothing useful can be done if stderr is gone.
        let _ = report::text::write_summary(&mut io::stderr().lock(), outcome, err_opts);
    }
    // From the counts: findings counted but not listed fail the run too.
    Ok(o.fail_on
        .0
        .is_some_and(|threshold| outcome.summary.findings.any_at_or_above(threshold)))
}

/// Where the report goes: `--output FILE`, else standard output.
pub fn open_report(report: &ReportArgs) -> Result<Box<dyn Write + Send>> {
    Ok(match report.output.as_deref() {
        Some(path) => Box::new(io::BufWriter::new(std::fs::File::create(path).map_err(
            |e| {
                Error::new(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ))
            },
        )?)),
        None => Box::new(io::stdout()),
    })
}

fn write_report(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    engine: &Engine,
    o: &Output<'_>,
    opts: ReportOptions,
) -> io::Result<()> {
    match o.report.format {
        ScanFormat::Text => report::text::write_findings(out, &outcome.findings, opts),
        ScanFormat::Json => report::json::write(out, outcome, opts),
        ScanFormat::Gitlab => report::gitlab::write(out, outcome, opts),
        ScanFormat::Jsonl => report::json::write_lines(out, &outcome.findings, opts),
        ScanFormat::Github => report::github::write(out, &outcome.findings, opts),
        ScanFormat::Junit => report::junit::write(out, outcome, opts),
        ScanFormat::Csv => report::csv::write(out, &outcome.findings, opts),
        ScanFormat::Html => report::html::write(out, outcome, opts),
        ScanFormat::Sarif => {
            let include_info = o.fail_on.0 == Some(Severity::Info);
            report::sarif::write(out, outcome, engine, opts, include_info).map(|w| {
                if w.over_limit > 0 && !o.report.quiet() {
                    eprintln!(
                        "sealant: warning: SARIF holds the {} most severe findings; {} more are \
                         left out (GitHub accepts at most {} results per run; the JSON report \
                         has all)",
                        report::sarif::MAX_RESULTS,
                        w.over_limit,
                        report::sarif::MAX_RESULTS
                    );
                }
            })
        }
    }
}

pub fn use_color(choice: When, is_terminal: bool) -> bool {
    match choice {
        When::Always => true,
        When::Never => false,
        When::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// A closed pipe (`sealant scan | head`) is not an error worth reporting.
pub fn ignore_broken_pipe(r: io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::new(format!("cannot write the report: {e}")))
        }
        _ => Ok(()),
    }
}

pub fn read_stdin() -> Result<String> {
    waiting_on_terminal(
        "the JSON report (`sealant scan --format json`)",
        "sealant verify report.json",
    );
    let mut text = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut text)
        .map_err(|e| Error::new(format!("cannot read the report from standard input: {e}")))?;
    Ok(text)
}

/// Says so when sealant is about to read standard input and it is a terminal: a silent wait
/// looks like a hang.
pub fn waiting_on_terminal(what: &str, instead: &str) {
    use std::io::IsTerminal;
    if io::stdin().is_terminal() {
        eprintln!(
            "sealant: reading {what} from standard input; end it with Ctrl-D (or pipe it: {instead})"
        );
    }
}
