//! `sealant verify`: a saved JSON report's secrets checked with their providers. A report saved
//! without `--show-secrets` holds them redacted: each file it names is scanned again, and a
//! finding takes the secret (and companion identifier) of the new finding with its
//! fingerprint. Secrets in archives, standard input or history are not recovered this way;
//! their findings are left unverified, with a warning.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::cli::args::{VerifyCmdArgs, VerifyOptions};
use crate::cli::config::ProjectConfig;
use crate::cli::output::{Output, emit, read_stdin};
use crate::cli::setup;
use crate::diagnostics::Warning;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::{Finding, Status};
use crate::outcome::ScanOutcome;
use crate::policy::inline::AllowMarkers;
use crate::report;
use crate::scan::{self, ScanConfig};
use crate::source::walk::WalkOptions;
use crate::verify::provider::Provider;

/// How verification runs, from the command line.
pub fn options(o: VerifyOptions) -> crate::verify::Options {
    crate::verify::Options {
        concurrency: o.verify_concurrency as usize,
        timeout: std::time::Duration::from_secs(o.verify_timeout),
    }
}

pub fn run(args: VerifyCmdArgs) -> Result<i32> {
    let mut project = ProjectConfig::find(None, &[PathBuf::from(".")])?;
    let engine = setup::build_engine(&mut project, &[], &[], &[])?;
    let allow_markers = setup::allow_markers(&project)?;
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
    recover_secrets(&mut outcome, &engine, allow_markers);
    crate::verify::outcome(
        &mut outcome,
        options(args.verify),
        args.only_verified,
        args.drop_failed_checks,
        &|k| std::env::var(k).ok(),
    )?;
    if !args.show_secrets {
        report::redact::outcome(&mut outcome, &engine);
    }
    let fail_on = setup::fail_on(args.report.fail_on, &project)?;
    emit(
        &outcome,
        &engine,
        &Output {
            report: &args.report,
            show_secrets: args.show_secrets,
            fail_on,
            streamed: false,
        },
    )?;
    // A failure is a finding at or above --fail-on that is not verified inactive: active, a
    // check that failed or told nothing, or a secret that could not be recovered to check.
    // Findings of providers sealant does not ask cannot be verified and do not count.
    let threshold = fail_on.0;
    let failing = (outcome.findings.iter())
        .filter(|f| threshold.is_some_and(|t| f.severity >= t))
        .filter(|f| match f.verification.as_ref().map(|v| v.status) {
            Some(Status::Inactive) => false,
            Some(_) => true,
            None => Provider::of(&f.rule_id, &f.secret).is_some(),
        })
        .count();
    if failing > 0 && !args.report.quiet() {
        eprintln!("sealant: {failing} finding(s) at or above --fail-on are not verified inactive");
    }
    Ok(i32::from(failing > 0))
}

/// Fills in the redacted secrets of `outcome` by scanning the files it names again (with the
/// project's allow markers, as the scan that wrote it had).
fn recover_secrets(outcome: &mut ScanOutcome, engine: &Engine, allow_markers: AllowMarkers) {
    // A report written with --show-secrets holds them in full: they are secrets again (to
    // verify, and to redact in what is printed), not names or flags shown as they are.
    for f in outcome.findings.iter_mut() {
        let secret_rule = (engine.rules().iter())
            .find(|r| r.id == *f.rule_id)
            .is_none_or(|r| r.redact);
        if secret_rule && f.recorded.as_ref().is_some_and(|r| !r.redacted) {
            f.redact = true;
        }
    }
    let wanted = |f: &Finding| f.recorded.as_ref().is_some_and(|r| r.redacted);
    let named: HashSet<String> = (outcome.findings.iter())
        .filter(|f| wanted(f))
        .filter(|f| f.provenance.is_none() && !f.path.contains('!'))
        .map(|f| f.path.to_string())
        .collect();
    // The files are where the report says relative to the directory the scan ran in: from
    // here if they are here, else from there.
    let here = std::env::current_dir().ok();
    let there = (outcome.root.as_deref())
        .map(PathBuf::from)
        .filter(|r| r.is_dir() && named.iter().any(|p| !Path::new(p).is_file()));
    let moved = there
        .as_ref()
        .is_some_and(|r| std::env::set_current_dir(r).is_ok());
    let paths: HashSet<&String> = named.iter().filter(|p| Path::new(p).is_file()).collect();
    let mut found: HashMap<String, (String, Option<String>)> = HashMap::new();
    if !paths.is_empty() {
        let config = ScanConfig {
            paths: paths.iter().map(|p| PathBuf::from(p.as_str())).collect(),
            walk: WalkOptions {
                no_ignore: true,
                threads: 1,
                ..Default::default()
            },
            allow_markers,
            ..Default::default()
        };
        if let Ok(again) = scan::scan(&config, engine) {
            for f in again.findings {
                found.insert(f.fingerprint(), (f.secret, f.companion));
            }
        }
    }
    if moved && let Some(here) = here {
        // Back, so that `--output FILE` lands where the user asked.
        let _ = std::env::set_current_dir(here);
    }
    let mut missing = 0u64;
    for f in outcome.findings.iter_mut().filter(|f| wanted(f)) {
        let Some(recorded) = &f.recorded else {
            continue;
        };
        match found.get(recorded.fingerprint.as_ref()) {
            Some((secret, companion)) => {
                f.secret = secret.clone();
                f.companion = companion.clone();
                f.recorded = None;
            }
            None => missing += 1,
        }
    }
    if missing > 0 {
        outcome.warnings.push(Warning {
            path: "<report>".to_string(),
            message: format!(
                "{missing} findings not verified: the report holds their secrets redacted and \
                 they are no longer where it says (or are in an archive or in history); save \
                 the report with --show-secrets to verify them later"
            ),
        });
        outcome.summary.warnings += 1;
    }
}
