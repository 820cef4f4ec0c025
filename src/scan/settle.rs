//! Where findings settle: ordered, merged where one was reported twice (a chunk seam, a raw and
//! a decoded view), copies of one secret numbered, and the project's policy (allowlist,
//! baseline, `.gitleaksignore`) applied — the one place every finding passes, whether it is
//! streamed, counted past a listing bound, or reported at the end.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::diagnostics::Stats;
use crate::finding::{Finding, FindingCounts};
use crate::policy::{Applied, Policy};

/// Findings one scan lists at most; the rest are counted.
pub const MAX_LISTED: usize = 100_000;
/// Findings one archive (all its members) lists at most; the rest are counted.
pub const MAX_LISTED_PER_ARCHIVE: usize = MAX_LISTED / 4;

/// Orders `findings`, merges the ones reported twice (but two archive members with one name
/// holding different secrets are two), numbers copies of one secret, and removes what
/// `policy` accepts; `scanned` are the baseline's paths this scan read (for stale entries).
pub fn settle(findings: &mut Vec<Finding>, policy: &Policy, scanned: &HashSet<String>) -> Applied {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.secret == b.secret);
    number_occurrences(findings);
    policy.apply(findings, scanned)
}

/// Numbers the copies of one secret under one rule in one blob, in report order (findings
/// are sorted by path and offset, so copies of a blob are adjacent by path).
pub fn number_occurrences(findings: &mut [Finding]) {
    let mut seen: HashMap<(Arc<str>, Arc<str>, String), u32> = HashMap::new();
    for f in findings.iter_mut() {
        if f.secret.is_empty() {
            continue;
        }
        let n = seen
            .entry((
                Arc::clone(&f.canonical),
                Arc::clone(&f.rule_id),
                f.secret.clone(),
            ))
            .or_insert(0);
        f.occurrence = *n;
        *n += 1;
    }
}

/// Counts findings past a bound (`bound`, and `path` where it was hit, for the warning) in the
/// summary instead of keeping them: settled first, so that the counts are those the listed
/// findings would have had.
pub fn count_unlisted(
    stats: &Stats,
    policy: &Policy,
    mut findings: Vec<Finding>,
    bound: usize,
    path: &str,
) {
    settle(&mut findings, policy, &HashSet::new());
    if findings.is_empty() {
        return;
    }
    if !stats.bound_warned.swap(true, Ordering::Relaxed) {
        stats.warn(
            path,
            format!("more than {bound} findings: the rest are counted in the summary, not listed"),
        );
    }
    if let Ok(mut unlisted) = stats.unlisted.lock() {
        unlisted.merge(&FindingCounts::of(&findings));
    }
}
