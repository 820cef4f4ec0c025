//! Command-line definitions (clap) and the glue from options to a scan and a report.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::report::{self, ReportOptions};
use crate::rules::RuleSet;
use crate::scan::{self, ScanConfig};
use crate::source::walk::WalkOptions;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  at least one finding at or above --fail-on
  2  the scan could not run (bad arguments, unreadable path, invalid rule file)";

/// sealant: find leaked secrets (Stripe keys first) in code, bundles and build artifacts.
#[derive(Debug, Parser)]
#[command(name = "sealant", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories or standard input (`-`) for secrets.
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// List the rules: id, severity, title.
    Rules(RulesArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print secrets in full instead of redacted (never do this in CI logs).
    #[arg(long)]
    pub show_secrets: bool,
    /// Exit with 1 when a finding is at or above this severity (`never`: always exit 0).
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Also scan files that .gitignore, .ignore and git's exclude files leave out.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Load extra rules from this TOML file (same schema as rules/*.toml); repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Run rules that are off by default (e.g. `generic`); a rule id or id prefix; repeatable.
    #[arg(long, value_name = "RULE")]
    pub enable: Vec<String>,
    /// Do not run these rules (a rule id or id prefix); repeatable.
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Print no summary or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list the rules of this TOML file; repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Validate rule files and run each rule against its examples and negative examples.
    /// Without FILE, checks the built-in rules. Exit 0 when all pass, 1 when an example
    /// fails, 2 when a file cannot be loaded.
    Check {
        /// Rule files (TOML, same schema as the built-in rules).
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The severity at which a scan fails, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn parse_fail_on(s: &str) -> std::result::Result<FailOn, String> {
    if s.eq_ignore_ascii_case("never") {
        return Ok(FailOn(None));
    }
    s.parse::<Severity>().map(|s| FailOn(Some(s)))
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules(args) => run_rules(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sealant: error: {e}");
            2
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let rules = RuleSet::load(&args.rule_files)?.select(&args.enable, &args.disable)?;
    let engine = Engine::new(rules)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let config = ScanConfig {
        walk: WalkOptions {
            no_ignore: args.no_ignore,
            follow: args.follow,
            threads,
            strip_dot_slash: args.paths.is_empty(),
        },
        paths: args.paths,
    };
    let outcome = scan::scan(&config, &engine)?;
    let stdout = io::stdout();
    let opts = ReportOptions {
        show_secrets: args.show_secrets,
        color: use_color(args.color, stdout.is_terminal()),
    };
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Text => report::text::write_findings(&mut out, &outcome.findings, opts),
        Format::Json => report::json::write(&mut out, &outcome, opts),
    }
    .and_then(|_| out.flush());
    ignore_broken_pipe(written)?;
    if !args.quiet {
        let err_opts = ReportOptions {
            color: use_color(args.color, io::stderr().is_terminal()),
            ..opts
        };
        // Nothing useful can be done if stderr is gone.
        let _ = report::text::write_summary(&mut io::stderr().lock(), &outcome, err_opts);
    }
    let failed = match args.fail_on.0 {
        Some(level) => outcome.findings.iter().any(|f| f.severity >= level),
        None => false,
    };
    Ok(i32::from(failed))
}

fn run_rules(args: RulesArgs) -> Result<i32> {
    if let Some(RulesAction::Check { files }) = args.action {
        return run_rules_check(&files);
    }
    let set = RuleSet::load(&args.rule_files)?;
    let mut out = io::stdout().lock();
    let written = match args.format {
        Format::Text => set.rules.iter().try_for_each(|r| {
            let off = if r.enabled {
                ""
            } else {
                "  (off by default: --enable)"
            };
            writeln!(
                out,
                "{:<36} {:<9} {}{off}",
                r.id,
                r.severity.as_str(),
                r.title
            )
        }),
        Format::Json => {
            let list: Vec<serde_json::Value> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "title": r.title,
                        "severity": r.severity,
                        "confidence": r.confidence,
                        "keywords": r.keywords.iter().map(|k| String::from_utf8_lossy(k)).collect::<Vec<_>>(),
                        "remediation": r.remediation,
                        "enabled": r.enabled,
                        "source": r.source,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(io::Error::other)
                .and_then(|_| writeln!(out))
        }
    };
    ignore_broken_pipe(written)?;
    Ok(0)
}

fn run_rules_check(files: &[PathBuf]) -> Result<i32> {
    // The built-ins are held to the catalog's bar (two examples each way); a user's file to
    // its own examples.
    let (sets, builtin) = if files.is_empty() {
        (
            vec![("built-in rules".to_string(), RuleSet::builtin()?)],
            true,
        )
    } else {
        let mut sets = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Error::new(format!("cannot read rule file {}: {e}", f.display())))?;
            let name = f.display().to_string();
            let set = crate::rules::parse_rule_file(&text, &name)?;
            sets.push((name, set));
        }
        (sets, false)
    };
    let mut failed = false;
    for (name, set) in sets {
        let count = set.rules.len() + set.file_rules.len();
        let without_examples = set.rules.iter().filter(|r| r.examples.is_empty()).count();
        let engine = Engine::new(set)?;
        let problems = crate::rules::check::check_examples(&engine, builtin);
        for p in &problems {
            println!("{p}");
        }
        if problems.is_empty() {
            println!("ok: {name}: {count} rules, every example and negative example behaves");
        }
        if without_examples > 0 {
            println!(
                "note: {name}: {without_examples} rule(s) have no examples; add `examples` so \
                 this check can prove they match"
            );
        }
        failed |= !problems.is_empty();
    }
    Ok(i32::from(failed))
}

fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// A closed pipe (`sealant scan | head`) is not an error worth reporting.
fn ignore_broken_pipe(r: io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::new(format!("cannot write the report: {e}")))
        }
        _ => Ok(()),
    }
}
