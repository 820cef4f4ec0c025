//! The secrets of a report saved without `--show-secrets` (`sealant verify`): each file the
//! report names is scanned again, and a finding takes the secret (and companion identifier)
//! of the new finding with its fingerprint. Secrets in archives, standard input or history
//! are not recovered this way; their findings are left unverified, with a warning.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::diagnostics::Warning;
use crate::engine::Engine;
use crate::scan::{self, ScanConfig, ScanOutcome};
use crate::source::walk::WalkOptions;

pub fn secrets(outcome: &mut ScanOutcome, engine: &Engine) {
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
    let wanted = |f: &crate::finding::Finding| f.recorded.as_ref().is_some_and(|r| r.redacted);
    let paths: HashSet<String> = (outcome.findings.iter())
        .filter(|f| wanted(f))
        .filter(|f| f.provenance.is_none() && !f.path.contains('!'))
        .map(|f| f.path.to_string())
        .filter(|p| std::path::Path::new(p).is_file())
        .collect();
    let mut found: HashMap<String, (String, Option<String>)> = HashMap::new();
    if !paths.is_empty() {
        let config = ScanConfig {
            paths: paths.iter().map(PathBuf::from).collect(),
            walk: WalkOptions {
                no_ignore: true,
                threads: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        if let Ok(again) = scan::scan(&config, engine) {
            for f in again.findings {
                found.insert(f.fingerprint(), (f.secret, f.companion));
            }
        }
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
