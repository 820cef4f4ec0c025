//! `sealant scan`: files, directories, standard input, the git index or git history, with
//! the project's config, baseline and limits; the report, the baseline written, verification,
//! and what a blocked commit or push is told.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use crate::cli::args::{ReportArgs, ScanArgs, ScanFormat, When};
use crate::cli::output::{Output, emit, ignore_broken_pipe, open_report};
use crate::cli::setup;
use crate::engine::Engine;
use crate::error::Result;
use crate::finding::Finding;
use crate::outcome::{Part, ScanOutcome};
use crate::policy::Policy;
use crate::policy::baseline::Baseline;
use crate::report::{self, ReportOptions};
use crate::scan::{self, ScanConfig};
use crate::source::shard::Shard;
use crate::source::walk::WalkOptions;
use crate::words::plural;

/// What a blocked commit is told (the pre-commit hook: git is making a commit).
const BLOCKED: &str = "\
sealant: commit blocked: the staged content holds the secrets above. Either
  - remove the secret, read it from the environment or a secret manager, and `git add` again;
  - if it is not a secret (a test value), mark its line with a comment: sealant:allow <reason>;
  - accept it as known: sealant scan --write-baseline .sealant-baseline.json, and commit that;
  - or commit anyway, deliberately: git commit --no-verify.
  If this key was ever pushed or shared, rotate it: deleting it does not un-leak it.";

/// What `--staged` says when no commit is being made (run by hand, `pre-commit run`).
const STAGED: &str = "\
sealant: the staged content holds the secrets above. Before committing,
  - remove the secret, read it from the environment or a secret manager, and `git add` again;
  - if it is not a secret (a test value), mark its line with a comment: sealant:allow <reason>;
  - or accept it as known: sealant scan --write-baseline .sealant-baseline.json, and commit that.
  If this key was ever pushed or shared, rotate it: deleting it does not un-leak it.";

/// What a history scan that fails says in a pre-push hook.
const BLOCKED_PUSH: &str = "\
sealant: push blocked: the commits being pushed hold the secrets above. A secret that was ever
  pushed must be rotated first: rewriting history does not un-leak it. Then either
  - take it out of those commits (git rebase -i, git commit --amend) and push again;
  - if it is not a secret (a test value), mark its line: sealant:allow <reason>;
  - accept it as known: sealant scan --history --write-baseline .sealant-baseline.json;
  - or push anyway, deliberately: git push --no-verify.";

/// What a history scan that fails says elsewhere (a CI range gate, an audit by hand).
const HISTORY: &str = "\
sealant: the commits scanned hold the secrets above. A secret that was ever pushed must be
  rotated first: rewriting history does not un-leak it. Then either
  - take it out of the branch's commits (git rebase -i) before it is merged;
  - if it is not a secret (a test value), mark its line: sealant:allow <reason>;
  - or accept it as known: sealant scan --history --write-baseline .sealant-baseline.json, and
    commit the baseline.";

/// The advice for a failed scan, by the mode that ran: git sets `GIT_INDEX_FILE` for the
/// pre-commit hook of a commit being made; sealant's pre-push hook sets `SEALANT_HOOK`, the
/// pre-commit framework's pre-push stage `PRE_COMMIT_TO_REF`.
fn advice(
    staged: bool,
    history: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<&'static str> {
    if staged {
        Some(if env("GIT_INDEX_FILE").is_some() {
            BLOCKED
        } else {
            STAGED
        })
    } else if history {
        let pushing = env("SEALANT_HOOK").as_deref() == Some("pre-push")
            || env("PRE_COMMIT_TO_REF").is_some();
        Some(if pushing { BLOCKED_PUSH } else { HISTORY })
    } else {
        None
    }
}

pub fn run(args: ScanArgs) -> Result<i32> {
    if !args.history && args.paths.iter().any(|p| p.as_path() == Path::new("-")) {
        crate::cli::output::waiting_on_terminal("the content to scan", "cat FILE | sealant scan -");
    }
    let mut project = setup::find_config(&args)?;
    let engine = setup::build_engine(&mut project, &args.rule_files, &args.enable, &args.disable)?;
    let allow_markers = setup::allow_markers(&project)?;
    // Writing a baseline records every current finding: the baseline in force is not applied
    // (a refresh would otherwise drop what it already accepted).
    let baseline = match args.write_baseline {
        Some(_) => None,
        None => setup::find_baseline(&args, &project)?,
    };
    let mut policy = Policy::new(&project.allowlist, baseline, &project.name())?;
    if let Some(g) = setup::find_gitleaksignore(&args, &engine) {
        policy = policy.with_gitleaks(g);
    }
    let fail_on = setup::fail_on(args.report.fail_on, &project)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let limits = setup::limits(&args, &project);
    let shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(Shard::from_env(
            &|k| std::env::var(k).ok().filter(|v| !v.is_empty()),
            args.shard_total,
        )?),
        Some(s) => Some(Shard::parse(s)?),
    };
    let identity = setup::identity(&args, &project, &engine, &limits);
    let progress = match args.progress {
        When::Never => None,
        When::Always => Some(true),
        When::Auto => (io::stderr().is_terminal() && !args.report.quiet()).then_some(false),
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
        probe: args.probe.clone(),
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
        allow_markers,
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
    outcome.part = Some(Part { identity, shard });

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
        if !args.report.quiet() {
            eprintln!(
                "sealant: wrote {} to baseline {}",
                plural(outcome.findings.len() as u64, "finding"),
                path.display()
            );
        }
        // A report asked for as well (`-o`, or a format other than the text on the terminal) is
        // written too: nothing asked for is dropped in silence. Writing a baseline exits 0.
        if args.report.output.is_none() && args.report.format == ScanFormat::Text {
            return Ok(0);
        }
    }

    if verify {
        crate::verify::outcome(
            &mut outcome,
            crate::cli::verify::options(args.verify_options),
            args.only_verified,
            args.drop_failed_checks,
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
    if args.write_baseline.is_some() {
        return Ok(0);
    }
    if failed && !args.report.quiet() {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(text) = advice(args.staged, args.history, &env) {
            eprintln!("{text}");
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
) -> Result<ScanOutcome> {
    let out = std::sync::Mutex::new(open_report(report)?);
    let error: std::sync::Mutex<Option<io::Error>> = Default::default();
    let opts = ReportOptions {
        show_secrets,
        ..ReportOptions::default()
    };
    let sink = |mut batch: Vec<Finding>| {
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
