//! Command-line definitions (clap) and the glue from options to a scan and a report.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::{LimitsConfig, ProjectConfig};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::policy::{Baseline, Policy};
use crate::report::{self, ReportOptions};
use crate::rules::RuleSet;
use crate::scan::{self, ScanConfig};
use crate::source::archive::Limits;
use crate::source::shard::Shard;
use crate::source::walk::WalkOptions;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  at least one finding at or above --fail-on
  2  the scan could not run (bad arguments, unreadable path, invalid rule or config file,
     --staged or --history outside a git repository, a range a shallow clone cannot walk,
     a SEALANT_VERIFY_BASE_URL_… that is not a loopback address)";

/// What a blocked commit is told (pre-commit hook, `--staged`).
const BLOCKED: &str = "\
sealant: commit blocked: the staged content holds the secrets above. Either
  - remove the secret, read it from the environment or a secret manager, and `git add` again;
  - if it is not a secret (a test value), mark its line with a comment: sealant:allow <reason>;
  - accept it as known: sealant scan --write-baseline .sealant-baseline.json, and commit that;
  - or commit anyway, deliberately: git commit --no-verify.
  If this key was ever pushed or shared, rotate it: deleting it does not un-leak it.";

/// What a history scan that fails says (a pre-push hook, a CI range gate).
const BLOCKED_HISTORY: &str = "\
sealant: the commits scanned hold the secrets above. A secret that was ever pushed must be
  rotated first: rewriting history does not un-leak it. Then either
  - if not pushed yet, take it out of those commits (git rebase -i, git commit --amend) and
    push again;
  - if it is not a secret (a test value), mark its line: sealant:allow <reason>;
  - accept it as known: sealant scan --history --write-baseline .sealant-baseline.json;
  - or push anyway, deliberately: git push --no-verify.";

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
    Scan(Box<ScanArgs>),
    /// Merge the JSON reports of the parts of a sharded scan (`scan --shard K/N`) into the
    /// report one run would have written.
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Ask the providers whether the secrets of a saved JSON report are active (after a
    /// rotation: is the old key dead?). Reads the report from FILE or standard input; the
    /// secrets come from the report if it was written with --show-secrets, else from the files
    /// it names, scanned again. Exit 1 when a secret is still active.
    Verify(VerifyCmdArgs),
    /// List the rules: id, severity, title.
    Rules(RulesArgs),
    /// Install a git pre-commit hook that runs `sealant scan --staged` (or, with --pre-push, a
    /// pre-push hook that scans the commits being pushed).
    InstallHook(InstallHookArgs),
    /// Print sealant's version, the built-in rule catalog's version and its rule count (as
    /// `--version` does).
    Version,
    /// Print a shell completion script: `source <(sealant completions bash)`, or save it where
    /// your shell loads completions from.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print sealant's man page (roff): `sealant man > /usr/local/share/man/man1/sealant.1`.
    Man,
}

/// How verification runs: shared by `scan --verify` and `sealant verify`.
#[derive(Debug, Clone, Copy, Args)]
pub struct VerifyOptions {
    /// Requests in flight at most while verifying.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Verification",
          value_parser = clap::value_parser!(u64).range(1..=64))]
    pub verify_concurrency: u64,
    /// Seconds one verification request may take.
    #[arg(long, value_name = "SECS", default_value_t = 5, help_heading = "Verification",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub verify_timeout: u64,
}

impl VerifyOptions {
    fn options(self) -> crate::verify::Options {
        crate::verify::Options {
            concurrency: self.verify_concurrency as usize,
            timeout: std::time::Duration::from_secs(self.verify_timeout),
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyCmdArgs {
    /// The JSON report (`sealant scan --format json`); `-` or nothing reads standard input.
    #[arg(value_name = "REPORT.json")]
    pub report_file: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Report only the findings verified active.
    #[arg(long, help_heading = "Verification")]
    pub only_verified: bool,
    #[command(flatten)]
    pub verify: VerifyOptions,
    /// Print secrets in full instead of redacted.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The parts' JSON reports (every part of one split, in any order).
    #[arg(required = true, value_name = "PART.json")]
    pub parts: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Do not report findings recorded in this baseline file (applied once, to the merge).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// The project config the scan used (its rules describe custom findings in SARIF).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rule files the scan used (`scan --rules`).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
}

/// How a report is written: shared by `scan` and `merge`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write the report to FILE instead of standard output (the summary still goes to stderr).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity (`never`: always exit 0).
    /// Default: the config's `fail-on`, else `low`.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = When::Auto)]
    pub color: When,
    /// Print no summary or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Text report: list every finding of a rule (by default the first 5, then a count).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct InstallHookArgs {
    /// Replace an existing hook.
    #[arg(long)]
    pub force: bool,
    /// Install a pre-push hook instead: it scans the history of the commits being pushed
    /// (`sealant scan --history REMOTE..LOCAL`) and blocks the push on findings.
    #[arg(long)]
    pub pre_push: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Scan what is staged in the git index (the staged content, not the working tree), for a
    /// pre-commit hook.
    /// With PATHS, the index's content of just those paths (as the pre-commit framework passes
    /// them).
    #[arg(long)]
    pub staged: bool,
    /// Scan git history instead of files: every blob and message of every commit reachable
    /// from any ref, or of the commits that PATHS select as `git rev-list` arguments
    /// (`origin/main..HEAD`; put `--` before arguments that start with `-`).
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,
    /// With --history: also every object no ref reaches (dangling commits, rewritten or
    /// force-pushed history, loose and packed).
    #[arg(long, requires = "history")]
    pub all_objects: bool,
    /// Scan only the K-th of N deterministic parts of the work (files by canonical path, git
    /// blobs by id), for N parallel jobs whose JSON reports `sealant merge` combines; `auto`
    /// reads the job runner's variables (see README, "Scanning at scale").
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// With --shard auto: the number of parts, where the runner gives only an index
    /// (Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_total: Option<u32>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Project config file (default: .sealant.toml at the scan root or the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not report findings recorded in this baseline file; report entries that no longer
    /// occur.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (fingerprints, rule, path, line; never
    /// the secret) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print secrets in full instead of redacted (never do this in CI logs).
    #[arg(long)]
    pub show_secrets: bool,
    /// Ask each secret's provider whether it is active: one read-only HTTPS request per
    /// distinct secret to the provider's own API host (see README, "Live verification").
    /// Off by default: nothing leaves the machine without it.
    #[arg(long, help_heading = "Verification")]
    pub verify: bool,
    /// Report only the findings verified active (implies --verify).
    #[arg(long, help_heading = "Verification")]
    pub only_verified: bool,
    #[command(flatten)]
    pub verify_options: VerifyOptions,
    /// Also scan files that .gitignore, .ignore, .sealantignore and git's exclude files leave
    /// out.
    #[arg(long)]
    pub no_ignore: bool,
    /// Also scan files that git's ignore rules (.gitignore, the global excludes file,
    /// .git/info/exclude) leave out; .ignore and .sealantignore still apply.
    #[arg(long)]
    pub no_ignore_vcs: bool,
    /// Include (GLOB) or exclude (!GLOB) files and directories, as in ripgrep: gitignore-style
    /// globs matched against paths relative to the current directory; repeatable, the last
    /// matching glob wins; with any include glob, only matching files are scanned.
    #[arg(
        short = 'g',
        long = "glob",
        value_name = "GLOB",
        allow_hyphen_values = true
    )]
    pub globs: Vec<String>,
    /// Skip hidden files and directories (names starting with `.`). By default they are
    /// scanned: `.env`, `.npmrc` and `.aws/` are where secrets live.
    #[arg(long, overrides_with = "hidden")]
    pub no_hidden: bool,
    /// Scan hidden files and directories (the default; undoes an earlier --no-hidden).
    #[arg(long, overrides_with = "no_hidden")]
    pub hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(short = 'L', long)]
    pub follow: bool,
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
    /// Archives nested deeper than this are not opened [default: 8; at most 256].
    #[arg(long, value_name = "N", help_heading = "Archive limits")]
    pub max_archive_depth: Option<usize>,
    /// Bytes inflated from one archive member at most [default: 256 MiB].
    #[arg(long, value_name = "BYTES", help_heading = "Archive limits")]
    pub max_entry_bytes: Option<u64>,
    /// Bytes inflated from one top-level archive at most [default: 4 GiB].
    #[arg(long, value_name = "BYTES", help_heading = "Archive limits")]
    pub max_archive_bytes: Option<u64>,
    /// Inflated bytes per compressed byte a member may reach past its first MiB [default: 200].
    #[arg(long, value_name = "RATIO", help_heading = "Archive limits")]
    pub max_inflate_ratio: Option<u64>,
    /// Members read from one top-level archive at most [default: 100000].
    #[arg(long, value_name = "N", help_heading = "Archive limits")]
    pub max_archive_entries: Option<u64>,
    /// Show progress on stderr during a long scan (files, bytes, archives, findings, rate):
    /// `auto` when stderr is a terminal and not --quiet.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = When::Auto)]
    pub progress: When,
    /// Bytes read from one file at most; the rest of a larger file is not read, with a
    /// warning [default: 1 GiB].
    #[arg(long, value_name = "BYTES")]
    pub max_filesize: Option<u64>,
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
    /// Convert a gitleaks config's custom [[rules]] into a sealant rule file (on stdout, or
    /// -o FILE); what cannot be converted is listed on stderr.
    Import {
        /// The gitleaks config (`.gitleaks.toml`, `gitleaks.toml`).
        file: PathBuf,
        /// Write the rule file here instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitLab secret-detection report (`artifacts: reports: secret_detection`).
    Gitlab,
    /// JSON Lines: one finding per line.
    Jsonl,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
    /// JUnit XML: one failed test case per file with findings.
    Junit,
    /// CSV with a header row.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// When to colour, or to draw progress: on a terminal (`auto`), always, never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum When {
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
        Command::Scan(args) => run_scan(*args),
        Command::Merge(args) => run_merge(args),
        Command::Verify(args) => run_verify(args),
        Command::Rules(args) => run_rules(args),
        Command::InstallHook(args) => crate::hook::install(args.force, args.pre_push),
        Command::Version => {
            println!("sealant {}", version_text());
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut cmd, "sealant", &mut out);
            ignore_broken_pipe(out.flush()).map(|_| 0)
        }
        Command::Man => {
            let mut out = io::stdout().lock();
            let written = clap_mangen::Man::new(Cli::command()).render(&mut out);
            ignore_broken_pipe(written.and_then(|_| out.flush())).map(|_| 0)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sealant: error: {e}");
            2
        }
    }
}

/// The version line after the program's name: sealant's version and the built-in catalog's
/// (the version with a digest of the rule files, which changes whenever a rule does) and size.
pub fn version_text() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, text) in crate::rules::builtin::BUILTIN_RULE_FILES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let digest = crate::finding::hex(&h.finalize()[..6]);
    let version = crate::VERSION;
    match RuleSet::builtin() {
        Ok(set) => format!(
            "{version} (rule catalog {version}+{digest}: {} content rules, {} file rules)",
            set.rules.len(),
            set.file_rules.len()
        ),
        Err(_) => format!("{version} (rule catalog {version}+{digest})"),
    }
}

/// The rules in force: built-ins, `--rules` files, the config's rules, and what the config
/// and flags enable or disable.
fn build_engine(
    project: &mut ProjectConfig,
    rule_files: &[PathBuf],
    enable: &[String],
    disable: &[String],
) -> Result<Engine> {
    let mut rules = RuleSet::load(rule_files)?;
    if !project.rules.is_empty() || !project.file_rules.is_empty() {
        let name = project.name();
        let specs = std::mem::take(&mut project.rules);
        let file_specs = std::mem::take(&mut project.file_rules);
        rules = rules.with_specs(specs, file_specs, &name)?;
    }
    let enable: Vec<String> = project.enable.iter().chain(enable).cloned().collect();
    let disable: Vec<String> = project.disable.iter().chain(disable).cloned().collect();
    let mut engine = Engine::new(rules.select(&enable, &disable)?)?;
    if let Some(markers) = &project.allow_markers {
        if let Some(m) = markers.iter().find(|m| m.trim().len() < 3) {
            return Err(Error::new(format!(
                "{}: allow-markers: {m:?} is too short to mark a line deliberately",
                project.name()
            )));
        }
        engine.set_allow_markers(markers);
    }
    Ok(engine)
}

/// `--fail-on`, else the config's `fail-on`, else `low`.
fn fail_on(flag: Option<FailOn>, project: &ProjectConfig) -> Result<FailOn> {
    Ok(match (flag, &project.fail_on) {
        (Some(f), _) => f,
        (None, Some(f)) => {
            parse_fail_on(f).map_err(|e| Error::new(format!("{}: fail-on: {e}", project.name())))?
        }
        (None, None) => FailOn(Some(Severity::Low)),
    })
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let mut project = find_config(&args)?;
    let engine = build_engine(&mut project, &args.rule_files, &args.enable, &args.disable)?;
    let baseline = find_baseline(&args, &project)?;
    let mut policy = Policy::new(&project.allowlist, baseline, &project.name())?;
    if let Some(g) = find_gitleaksignore(&args, &engine) {
        policy = policy.with_gitleaks(g);
    }
    let fail_on = fail_on(args.report.fail_on, &project)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let limits = limits(&args, &project);
    let shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(Shard::from_env(
            &|k| std::env::var(k).ok().filter(|v| !v.is_empty()),
            args.shard_total,
        )?),
        Some(s) => Some(Shard::parse(s)?),
    };
    let identity = identity(&args, &project, &engine, &limits);
    let progress = match args.progress {
        When::Never => None,
        When::Always => Some(true),
        When::Auto => (io::stderr().is_terminal() && !args.report.quiet).then_some(false),
    };
    let config = ScanConfig {
        progress,
        walk: WalkOptions {
            no_ignore: args.no_ignore,
            no_ignore_vcs: args.no_ignore_vcs,
            skip_hidden: args.no_hidden,
            globs: args.globs.clone(),
            follow: args.follow,
            threads,
            shard,
        },
        shard,
        staged: args.staged,
        history: args.history.then(|| scan::HistoryConfig {
            revs: args
                .paths
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            all_objects: args.all_objects,
        }),
        paths: if args.history { Vec::new() } else { args.paths },
        skip_paths: project.skip_paths,
        config_dir: project.source.as_deref().and_then(Path::parent).map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
            .to_path_buf()
        }),
        policy,
        limits,
    };
    let verify = args.verify || args.only_verified;
    let streamed =
        args.report.format == ScanFormat::Jsonl && args.write_baseline.is_none() && !verify;
    let mut outcome = if streamed {
        scan_to_lines(&config, &engine, &args.report, args.show_secrets)?
    } else {
        scan::scan(&config, &engine)?
    };
    outcome.part = Some(scan::Part { identity, shard });

    if let Some(path) = &args.write_baseline {
        // A baseline is committed: no secret in it, not even in a path.
        let mut baseline = Baseline::from_findings(&outcome.findings);
        let mut redactor = report::redact::Redactor::new(&engine, &outcome.findings);
        for e in &mut baseline.findings {
            if let Some(p) = redactor.text(&e.path) {
                e.path = p;
            }
        }
        baseline.write(path)?;
        if !args.report.quiet {
            eprintln!(
                "sealant: wrote {} findings to baseline {}",
                outcome.findings.len(),
                path.display()
            );
        }
        return Ok(0);
    }

    if verify {
        crate::verify::outcome(
            &mut outcome,
            args.verify_options.options(),
            args.only_verified,
            &|k| std::env::var(k).ok(),
        )?;
    }
    if !args.show_secrets {
        report::redact::outcome(&mut outcome, &engine);
    }
    let failed = emit(
        &outcome,
        &engine,
        &Output {
            report: &args.report,
            show_secrets: args.show_secrets,
            fail_on,
            streamed,
        },
    )?;
    if failed && !args.report.quiet {
        if args.staged {
            eprintln!("{BLOCKED}");
        } else if args.history {
            eprintln!("{BLOCKED_HISTORY}");
        }
    }
    Ok(i32::from(failed))
}

/// Runs the scan writing each file's findings as JSON Lines as soon as they are known,
/// redacted as the final report would be.
fn scan_to_lines(
    config: &ScanConfig,
    engine: &Engine,
    report: &ReportArgs,
    show_secrets: bool,
) -> Result<scan::ScanOutcome> {
    let out = std::sync::Mutex::new(open_report(report)?);
    let error: std::sync::Mutex<Option<io::Error>> = Default::default();
    let opts = ReportOptions {
        show_secrets,
        color: false,
        verbose: false,
    };
    let sink = |mut batch: Vec<crate::finding::Finding>| {
        if !show_secrets {
            report::redact::findings(&mut batch, engine);
        }
        if let Ok(mut w) = out.lock() {
            let written = report::json::write_lines(&mut *w, &batch, opts).and_then(|_| w.flush());
            if let (Err(e), Ok(mut slot)) = (written, error.lock()) {
                slot.get_or_insert(e);
            }
        }
    };
    let outcome = scan::scan_streaming(config, engine, Some(&sink))?;
    if let Some(e) = error.into_inner().ok().flatten() {
        ignore_broken_pipe(Err(e))?;
    }
    Ok(outcome)
}

/// How a scan's (or a merge's) outcome is written.
struct Output<'a> {
    report: &'a ReportArgs,
    show_secrets: bool,
    /// `--fail-on` resolved against the config.
    fail_on: FailOn,
    /// The findings were written while the scan ran (`--format jsonl`).
    streamed: bool,
}

/// Writes the report and the summary; returns whether a finding is at or above `fail_on`.
fn emit(outcome: &scan::ScanOutcome, engine: &Engine, o: &Output<'_>) -> Result<bool> {
    let to_terminal = o.report.output.as_deref().is_none() && io::stdout().is_terminal();
    let opts = ReportOptions {
        show_secrets: o.show_secrets,
        color: use_color(o.report.color, to_terminal),
        verbose: o.report.verbose,
    };
    let written = if o.streamed {
        Ok(()) // the findings were written as they were found
    } else {
        let mut out = open_report(o.report)?;
        write_report(&mut out, outcome, engine, o, opts).and_then(|_| out.flush())
    };
    ignore_broken_pipe(written)?;
    if !o.report.quiet {
        let err_opts = ReportOptions {
            color: use_color(o.report.color, io::stderr().is_terminal()),
            ..opts
        };
        // Nothing useful can be done if stderr is gone.
        let _ = report::text::write_summary(&mut io::stderr().lock(), outcome, err_opts);
    }
    Ok(match o.fail_on.0 {
        // From the counts: findings counted but not listed fail the run too.
        Some(threshold) => Severity::ALL
            .iter()
            .any(|&s| s >= threshold && outcome.summary.findings.get(s) > 0),
        None => false,
    })
}

/// Where the report goes: `--output FILE`, else standard output.
fn open_report(report: &ReportArgs) -> Result<Box<dyn Write + Send>> {
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
    outcome: &scan::ScanOutcome,
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
        ScanFormat::Sarif => {
            let include_info = o.fail_on.0 == Some(Severity::Info);
            report::sarif::write(out, outcome, engine, opts, include_info).map(|w| {
                if w.over_limit > 0 && !o.report.quiet {
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

fn run_merge(args: MergeArgs) -> Result<i32> {
    let mut project = match &args.config {
        Some(c) => ProjectConfig::load(c)?,
        None => ProjectConfig::find(None, &[PathBuf::from(".")])?,
    };
    let engine = build_engine(&mut project, &args.rule_files, &[], &[])?;
    let mut outcome = report::merge::merge(&args.parts)?;
    if let Some(path) = &args.baseline {
        let policy = Policy::new(&Default::default(), Some(Baseline::load(path)?), "merge")?;
        let applied = policy.apply(&mut outcome.findings, &Default::default());
        outcome.summary.suppressed.baseline += applied.baselined;
        let mut counts = outcome.summary.unlisted.clone();
        for f in &outcome.findings {
            counts.add(f.severity);
        }
        outcome.summary.findings = counts;
    }
    let failed = emit(
        &outcome,
        &engine,
        &Output {
            report: &args.report,
            show_secrets: false,
            fail_on: fail_on(args.report.fail_on, &project)?,
            streamed: false,
        },
    )?;
    Ok(i32::from(failed))
}

fn run_verify(args: VerifyCmdArgs) -> Result<i32> {
    let mut project = ProjectConfig::find(None, &[PathBuf::from(".")])?;
    let engine = build_engine(&mut project, &[], &[], &[])?;
    let (text, name) = match args.report_file.as_deref() {
        None => (read_stdin()?, "standard input".to_string()),
        Some(p) if p == Path::new("-") => (read_stdin()?, "standard input".to_string()),
        Some(p) => (
            std::fs::read_to_string(p)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", p.display())))?,
            p.display().to_string(),
        ),
    };
    let mut outcome = report::merge::from_json(&text, &name)?;
    crate::verify::recover::secrets(&mut outcome, &engine);
    crate::verify::outcome(
        &mut outcome,
        args.verify.options(),
        args.only_verified,
        &|k| std::env::var(k).ok(),
    )?;
    if !args.show_secrets {
        report::redact::outcome(&mut outcome, &engine);
    }
    emit(
        &outcome,
        &engine,
        &Output {
            report: &args.report,
            show_secrets: args.show_secrets,
            fail_on: FailOn(None),
            streamed: false,
        },
    )?;
    let active = outcome
        .summary
        .verified
        .as_ref()
        .is_some_and(|v| v.active > 0);
    Ok(i32::from(active))
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut text)
        .map_err(|e| Error::new(format!("cannot read the report from standard input: {e}")))?;
    Ok(text)
}

/// What makes two scans the same scan, whose parts `sealant merge` may combine: the rules in
/// force, the config's decisions, the limits, the walk options, and what was scanned (roots as
/// typed, `--staged`, history revisions) — not the shard, the format or `--fail-on`.
fn identity(args: &ScanArgs, project: &ProjectConfig, engine: &Engine, limits: &Limits) -> String {
    use sha2::{Digest, Sha256};
    // Roots by their canonical path, so that `app`, `./app` and `/abs/app` are one scan.
    let roots: Vec<String> = if args.history || args.staged {
        args.paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    } else {
        args.paths
            .iter()
            .map(|p| {
                if p.as_path() == Path::new("-") {
                    "-".to_string()
                } else {
                    // In a work tree, relative to its top (the same on every runner's
                    // checkout); elsewhere the real directory.
                    let root = crate::source::root::Root::resolve(p, None, false);
                    if root.in_repo {
                        root.prefix
                    } else {
                        format!("{}//{}", root.base.display(), root.prefix)
                    }
                }
            })
            .collect()
    };
    let mut h = Sha256::new();
    for r in engine.rules() {
        h.update(format!("{}\0{}\0{:?}\0", r.id, r.pattern, r.severity).as_bytes());
    }
    for r in engine.file_rules() {
        h.update(format!("{}\0{:?}\0", r.id, r.severity).as_bytes());
    }
    h.update(
        format!(
            "{:?}\0{:?}\0{:?}\0{:?}\0{:?}\0{limits:?}\0{:?}\0{}{}{}{}{}{}{}\0{:?}",
            project.allow_markers,
            project.skip_paths,
            project.allowlist.values,
            project.allowlist.regexes,
            roots,
            args.globs,
            args.no_ignore_vcs,
            args.no_hidden,
            args.no_ignore,
            args.follow,
            args.staged,
            args.history,
            args.all_objects,
            crate::VERSION,
        )
        .as_bytes(),
    );
    crate::finding::hex(&h.finalize()[..16])
}

/// Archive limits: defaults, then the config's `[limits]`, then flags.
fn limits(args: &ScanArgs, project: &ProjectConfig) -> Limits {
    let flags = LimitsConfig {
        max_archive_depth: args.max_archive_depth,
        max_entry_bytes: args.max_entry_bytes,
        max_archive_bytes: args.max_archive_bytes,
        max_inflate_ratio: args.max_inflate_ratio,
        max_archive_entries: args.max_archive_entries,
        max_filesize: args.max_filesize,
    };
    Limits::default()
        .with_config(&project.limits)
        .with_config(&flags)
}

/// The directory of the first scan root (the current directory for `--staged`, `--history`,
/// standard input or no paths): where the config and the default baseline are looked for.
fn first_root_dir(args: &ScanArgs) -> PathBuf {
    let first = args.paths.iter().find(|p| p.as_path() != Path::new("-"));
    let dir = match first {
        _ if args.staged || args.history => PathBuf::new(),
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::new(),
    };
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}

/// The file a repository keeps its baseline in, at its root, picked up by every mode (tree,
/// `--staged`, history) without a flag.
pub const DEFAULT_BASELINE: &str = ".sealant-baseline.json";

/// The baseline in force: `--baseline FILE` (it must exist), else the config's `baseline`
/// (relative to the config file), else `.sealant-baseline.json` at the repository root (or
/// the scan root outside a repository). Only a file named on the command line must exist: a
/// CI snippet that names the default works on a new repository's first run.
fn find_baseline(args: &ScanArgs, project: &ProjectConfig) -> Result<Option<Baseline>> {
    if let Some(path) = &args.baseline {
        return Baseline::load(path).map(Some);
    }
    let candidate = match (&project.baseline, &project.source) {
        (Some(b), Some(source)) => source.parent().unwrap_or(Path::new(".")).join(b),
        (Some(b), None) => PathBuf::from(b),
        (None, _) => {
            let dir = first_root_dir(args);
            crate::source::git::toplevel(&dir)
                .unwrap_or(dir)
                .join(DEFAULT_BASELINE)
        }
    };
    if candidate.is_file() {
        Baseline::load(&candidate).map(Some)
    } else {
        Ok(None)
    }
}

/// A `.gitleaksignore` at the repository root (else beside the first scan root), where
/// gitleaks reads it.
fn find_gitleaksignore(
    args: &ScanArgs,
    engine: &Engine,
) -> Option<crate::policy::gitleaks::GitleaksIgnore> {
    let dir = first_root_dir(args);
    let path = crate::source::git::toplevel(&dir)
        .unwrap_or(dir)
        .join(".gitleaksignore");
    let mut families: Vec<&str> = (engine.rules().iter().map(|r| r.id.as_str()))
        .chain(engine.file_rules().iter().map(|r| r.id.as_str()))
        .map(|id| id.split('.').next().unwrap_or(id))
        .collect();
    families.sort_unstable();
    families.dedup();
    crate::policy::gitleaks::GitleaksIgnore::load(&path, ".gitleaksignore", &families)
}

/// The project config: `--config`, else the nearest `.sealant.toml` at or above the first scan
/// root (the current directory for `--staged`), up to the repository root — or, outside a
/// repository, up to the filesystem root — so that every spelling of a root finds the same one.
fn find_config(args: &ScanArgs) -> Result<ProjectConfig> {
    let dir = first_root_dir(args);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let top = crate::source::git::toplevel(&dir).and_then(|t| std::fs::canonicalize(t).ok());
    let mut dirs = Vec::new();
    for d in dir.ancestors() {
        dirs.push(d.to_path_buf());
        if top.as_deref() == Some(d) {
            break;
        }
    }
    ProjectConfig::find(args.config.as_deref(), &dirs)
}

fn run_rules(args: RulesArgs) -> Result<i32> {
    if let Some(RulesAction::Import { file, output }) = &args.action {
        return run_rules_import(file, output.as_deref());
    }
    if let Some(RulesAction::Check { files }) = args.action {
        return run_rules_check(&files);
    }
    let set = RuleSet::load(&args.rule_files)?;
    let mut out = io::stdout().lock();
    // Content rules, then file rules (about a file's name and place), as one list.
    let file_rules = set.file_rules.iter().map(|r| (r, "file"));
    let written = match args.format {
        Format::Text => {
            let content = set.rules.iter().map(|r| {
                let off = if r.enabled {
                    ""
                } else {
                    "  (off by default: --enable)"
                };
                (r.id.as_str(), r.severity, r.title.as_str(), off)
            });
            let files = file_rules
                .map(|(r, _)| (r.id.as_str(), r.severity, r.title.as_str(), "  (file rule)"));
            content
                .chain(files)
                .try_for_each(|(id, severity, title, note)| {
                    writeln!(out, "{id:<36} {:<9} {title}{note}", severity.as_str())
                })
        }
        Format::Json => {
            let mut list: Vec<serde_json::Value> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "kind": "content",
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
            list.extend(file_rules.map(|(r, kind)| {
                serde_json::json!({
                    "id": r.id,
                    "kind": kind,
                    "title": r.title,
                    "severity": r.severity,
                    "confidence": r.confidence,
                    "remediation": r.remediation,
                    "enabled": true,
                    "source": r.source,
                })
            }));
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(crate::report::json_io)
                .and_then(|_| writeln!(out))
        }
    };
    ignore_broken_pipe(written)?;
    Ok(0)
}

fn run_rules_import(file: &Path, output: Option<&Path>) -> Result<i32> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", file.display())))?;
    let imported = crate::rules::import::gitleaks(&text, &file.display().to_string())?;
    match output {
        Some(path) => std::fs::write(path, &imported.toml)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?,
        None => ignore_broken_pipe(io::stdout().lock().write_all(imported.toml.as_bytes()))?,
    }
    for note in &imported.notes {
        eprintln!("sealant: note: {note}");
    }
    eprintln!(
        "sealant: imported {} rule(s); add examples to each, then run `sealant rules check` on \
         the file",
        imported.rules
    );
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

fn use_color(choice: When, is_terminal: bool) -> bool {
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
fn ignore_broken_pipe(r: io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::new(format!("cannot write the report: {e}")))
        }
        _ => Ok(()),
    }
}
