//! The command line's shape (clap types only): the commands, their options, and the values
//! options take. What the options do lives in the command's own file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on
  1  at least one finding at or above --fail-on
  2  the scan could not run (bad arguments, unreadable path, invalid rule or config file,
     --staged or --history outside a git repository, a range a shallow clone cannot walk,
     a SEALANT_VERIFY_BASE_URL_… that is not a loopback address)";

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
    /// Audit a deployed site from outside: fetch the pages given, the scripts, preloads,
    /// chunks and source maps they name, and well-known exposure paths (`/.env`, `/.git/HEAD`,
    /// debug panels) on the same origin, and scan every body. Opt-in network: nothing is
    /// requested but on the URLs' own origins; never another host, port or scheme.
    #[command(after_help = EXIT_CODES)]
    Probe(Box<ProbeArgs>),
    /// Print sealant's version, the built-in rule catalog's version and its rule count (as
    /// `--version` does).
    Version,
    /// Print a shell completion script: `source <(sealant completions bash)`, or save it where
    /// your shell loads completions from.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): sealant's (`sealant man > sealant.1`), one command's with all
    /// its options (`sealant man scan > sealant-scan.1`), or write every page into a directory
    /// (`sealant man --dir /usr/local/share/man/man1`).
    Man {
        /// The command whose page to print (scan, merge, verify, rules, install-hook, …).
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,
        /// Write sealant.1 and a sealant-COMMAND.1 for every command into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
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

#[derive(Debug, Args)]
pub struct VerifyCmdArgs {
    /// The JSON report (`sealant scan --format json`); `-` or nothing reads standard input.
    #[arg(value_name = "REPORT.json")]
    pub report_file: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Report only the findings verified active — and those whose check failed or told
    /// nothing, with why (see --drop-failed-checks).
    #[arg(long, help_heading = "Verification")]
    pub only_verified: bool,
    /// With --only-verified: drop the findings whose check failed or told nothing as well
    /// (an unreachable provider then passes every key).
    #[arg(long, requires = "only_verified", help_heading = "Verification")]
    pub drop_failed_checks: bool,
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
    /// Print no summary or warnings on stderr (may be repeated: `-qq`).
    #[arg(short = 'q', long = "quiet", action = clap::ArgAction::Count)]
    pub quiet_count: u8,
    /// Text report: list every finding of a rule (by default the first 5, then a count).
    #[arg(short, long)]
    pub verbose: bool,
}

impl ReportArgs {
    /// Whether warnings and the summary stay off stderr (`-q`, any number of times).
    pub fn quiet(&self) -> bool {
        self.quiet_count > 0
    }
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
    /// Report only the findings verified active (implies --verify) — and those whose check
    /// failed or told nothing, with why (see --drop-failed-checks).
    #[arg(long, help_heading = "Verification")]
    pub only_verified: bool,
    /// With --only-verified: drop the findings whose check failed or told nothing as well
    /// (an unreachable provider then passes every key).
    #[arg(long, requires = "only_verified", help_heading = "Verification")]
    pub drop_failed_checks: bool,
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
    /// Bytes inflated from one archive member at most (K, M, G suffixes) [default: 256 MiB].
    #[arg(long, value_name = "BYTES", help_heading = "Archive limits", value_parser = parse_size)]
    pub max_entry_bytes: Option<u64>,
    /// Bytes inflated from one top-level archive at most (K, M, G suffixes) [default: 4 GiB].
    #[arg(long, value_name = "BYTES", help_heading = "Archive limits", value_parser = parse_size)]
    pub max_archive_bytes: Option<u64>,
    /// Inflated bytes per compressed byte a member may reach past its first MiB [default: 200].
    #[arg(long, value_name = "RATIO", help_heading = "Archive limits")]
    pub max_inflate_ratio: Option<u64>,
    /// Members read from one top-level archive at most [default: 100000].
    #[arg(long, value_name = "N", help_heading = "Archive limits")]
    pub max_archive_entries: Option<u64>,
    /// Encodings nested in one another undone to find a key (base64 of base64, hex in a
    /// percent-encoded URL …); 0 turns decoding off [default: 3; at most 16].
    #[arg(long, value_name = "N", help_heading = "Archive limits",
          value_parser = clap::value_parser!(u64).range(0..=16))]
    pub max_decode_depth: Option<u64>,
    /// Show progress on stderr during a long scan (files, bytes, archives, findings, rate):
    /// `auto` when stderr is a terminal and not --quiet.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = When::Auto)]
    pub progress: When,
    /// Bytes read from one file at most (K, M, G suffixes: `--max-filesize 50M`); the rest
    /// of a larger file is not read, with a warning [default: 1 GiB].
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub max_filesize: Option<u64>,
    /// Set by `sealant probe`: the sites to probe instead of paths.
    #[arg(skip)]
    pub probe: Option<crate::source::web::ProbeConfig>,
}

/// `sealant probe`: what to fetch and how politely, then the options `scan` shares.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The pages to start from (`https://shop.example.com/`); each is probed on its own origin.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// Requests for the whole probe at most (redirect hops count).
    #[arg(long, value_name = "N", default_value_t = 300, help_heading = "Probe",
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_requests: u64,
    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Probe",
          value_parser = clap::value_parser!(u64).range(1..=32))]
    pub concurrency: u64,
    /// Requests per second at most (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 10.0, help_heading = "Probe")]
    pub rate: f64,
    /// Seconds one request may take, its whole answer included.
    #[arg(long, value_name = "SECS", default_value_t = 10, help_heading = "Probe",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Bytes read from one answer at most (K, M, G suffixes); the rest is not read, with a
    /// warning.
    #[arg(long, value_name = "BYTES", default_value = "16M", help_heading = "Probe",
          value_parser = parse_size)]
    pub max_response: u64,
    /// A header sent with every request (`-H 'Authorization: Bearer …'` for a staging site
    /// behind a login); repeatable. No cookie or credential is sent without it.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", help_heading = "Probe",
          value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// Fetch only the pages and what they name, not the well-known exposure paths.
    #[arg(long, help_heading = "Probe")]
    pub no_well_known: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Project config file (its allowlist, rules and fail-on apply).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not report findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print secrets in full instead of redacted (never do this in CI logs).
    #[arg(long)]
    pub show_secrets: bool,
    /// Ask each secret's provider whether it is active (see `scan --verify`).
    #[arg(long, help_heading = "Verification")]
    pub verify: bool,
    #[command(flatten)]
    pub verify_options: VerifyOptions,
    /// Load extra rules from this TOML file; repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Run rules that are off by default; a rule id or id prefix; repeatable.
    #[arg(long, value_name = "RULE")]
    pub enable: Vec<String>,
    /// Do not run these rules; repeatable.
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Show progress on stderr (requests, bytes, findings).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = When::Auto)]
    pub progress: When,
}

/// `Name: value` of `--header`.
fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| "a header is `Name: value`".to_string())?;
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(format!("{name:?} is not a header name"));
    }
    if value.contains(['\r', '\n']) {
        return Err("a header value is one line".to_string());
    }
    Ok((name.to_string(), value.trim().to_string()))
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
    /// Print `[[published]]` entries (for a rule file) for the secrets of a JSON report
    /// written with --show-secrets: keys everybody has (a project's published test keys),
    /// which scans then report at `info`. Only digests are printed, never a secret.
    Publish {
        /// The JSON report (`sealant scan --format json --show-secrets`).
        report: PathBuf,
        /// Who publishes these secrets, and where (recorded beside each digest).
        #[arg(long, value_name = "TEXT")]
        source: String,
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
    /// An HTML audit report: one self-contained file (charts, a table to filter and sort).
    Html,
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

pub fn parse_fail_on(s: &str) -> std::result::Result<FailOn, String> {
    if s.eq_ignore_ascii_case("never") {
        return Ok(FailOn(None));
    }
    s.parse::<Severity>().map(|s| FailOn(Some(s))).map_err(|_| {
        format!("unknown severity '{s}' (expected info, low, medium, high, critical or never)")
    })
}

/// A size in bytes as ripgrep takes it: a number, optionally followed by `K`, `M`, `G` or `T`
/// (powers of 1024; `KiB`, `MB`… and lower case read the same): `1M` is 1,048,576.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, suffix) = t.split_at(digits);
    let bad = || {
        format!(
            "invalid size '{s}' (expected a number of bytes, optionally followed by K, M, G or T: \
             512K, 1M, 2G)"
        )
    };
    let n: u64 = number.parse().map_err(|_| bad())?;
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(bad()),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("size '{s}' is too large"))
}
