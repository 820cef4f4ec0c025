//! `sealant merge`: the JSON reports of the parts of a sharded scan (`--shard K/N`) put back
//! together into the outcome one unsharded run would have had — findings deduplicated and in
//! the same order, summaries added, warnings kept once. Parts of different scans, a missing or
//! doubled part are errors.
//!
//! Files are whole in one part, so their findings just add up. In history scans a part owns
//! blobs, and the same secret at the same path can sit in blobs of several parts: as in one
//! run, the copy from the earliest commit is kept, and the others count as later versions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::Warning;
use crate::error::{Error, Result};
use crate::finding::{Finding, FindingCounts, REMOVED_FROM_TREE};
use crate::outcome::{Coverage, Part, ScanOutcome, Summary};
use crate::policy::baseline::BaselineEntry;
use crate::report::json::{JsonFinding, ScanPart};
use crate::source::shard::Shard;

#[derive(Deserialize)]
struct PartReport {
    version: String,
    scan: Option<ScanPart<'static>>,
    findings: Vec<JsonFinding<'static>>,
    summary: Summary,
    warnings: Vec<Warning>,
    #[serde(default)]
    stale_baseline: Vec<BaselineEntry>,
    notice: Option<String>,
    #[serde(default)]
    root: Option<String>,
    #[serde(default)]
    coverage: Option<Coverage>,
}

/// Reads the part reports `files` and merges them into one outcome.
pub fn merge(files: &[impl AsRef<Path>]) -> Result<ScanOutcome> {
    let mut parts = Vec::new();
    for f in files {
        let f = f.as_ref();
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::new(format!("cannot read part {}: {e}", f.display())))?;
        let part: PartReport = serde_json::from_str(&text).map_err(|e| {
            Error::new(format!(
                "{} is not a sealant JSON report ({e}); write parts with \
                 `sealant scan --shard K/N --format json --output FILE`",
                f.display()
            ))
        })?;
        parts.push((f.display().to_string(), part));
    }
    combine(parts)
}

/// The outcome a whole JSON report (`text`, read from `name`) records (`sealant verify`).
pub fn from_json(text: &str, name: &str) -> Result<ScanOutcome> {
    let report: PartReport = serde_json::from_str(text).map_err(|e| {
        Error::new(format!(
            "{name} is not a sealant JSON report ({e}); write one with \
             `sealant scan --format json --output FILE`"
        ))
    })?;
    combine(vec![(name.to_string(), report)])
}

fn combine(parts: Vec<(String, PartReport)>) -> Result<ScanOutcome> {
    let Some((first_name, first)) = parts.first() else {
        return Err(Error::new("sealant merge needs at least one part report"));
    };
    let identity = first.scan.as_ref().map(|s| s.id.to_string());
    let total = first
        .scan
        .as_ref()
        .and_then(|s| s.shard.as_ref())
        .map_or(1, |s| s.total);
    let mut seen = vec![None::<String>; total as usize];
    for (name, p) in &parts {
        if p.version != first.version {
            return Err(Error::new(format!(
                "{name} was written by sealant {} and {first_name} by {}: merge parts of one \
                 scan, made by one version",
                p.version, first.version
            )));
        }
        if p.scan.as_ref().map(|s| s.id.as_ref()) != identity.as_deref() {
            return Err(Error::new(format!(
                "{name} and {first_name} are parts of different scans (other roots, rules, \
                 config or options); merge the parts of one scan"
            )));
        }
        let (index, n) = p
            .scan
            .as_ref()
            .and_then(|s| s.shard.as_ref())
            .map_or((1, 1), |s| (s.index, s.total));
        if n != total || index == 0 || index > total {
            return Err(Error::new(format!(
                "{name} is part {index} of {n}, {first_name} part of {total}: merge the parts \
                 of one split"
            )));
        }
        if let Some(other) = &seen[index as usize - 1] {
            return Err(Error::new(format!(
                "{name} and {other} are both part {index} of {total}"
            )));
        }
        seen[index as usize - 1] = Some(name.clone());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(format!(
            "part {} of {total} missing: a merge without every part would pass over what the \
             missing parts found",
            missing.join(", ")
        )));
    }

    let mut summary: Option<Summary> = None;
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    let mut stale = Vec::new();
    let mut notice = None;
    let mut root = None;
    let mut coverage = None;
    for (_, p) in parts {
        root = root.or(p.root);
        coverage = coverage.or(p.coverage);
        summary = Some(match summary {
            None => p.summary,
            Some(s) => add(s, &p.summary),
        });
        findings.extend(p.findings.into_iter().map(JsonFinding::into_finding));
        warnings.extend(p.warnings);
        stale.extend(p.stale_baseline);
        notice = notice.or(p.notice);
    }
    let mut findings = first_copies(findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    warnings.sort();
    warnings.dedup();
    stale.sort_by(|a, b| (&a.path, &a.fingerprint).cmp(&(&b.path, &b.fingerprint)));
    stale.dedup();
    let Some(mut summary) = summary else {
        return Err(Error::new("sealant merge needs at least one part report"));
    };
    let mut counts = FindingCounts::of(&findings);
    counts.merge(&summary.unlisted);
    summary.findings = counts;
    summary.warnings = warnings.len() as u64;
    summary.baseline_stale = stale.len() as u64;
    Ok(ScanOutcome {
        findings,
        warnings,
        summary,
        stale,
        notice,
        root,
        coverage,
        part: identity.map(|identity| Part {
            identity,
            shard: None::<Shard>,
        }),
    })
}

/// Adds `b`'s counters to `a`. Every part walks every commit, so commits are the same in each;
/// the parts ran side by side, so the duration is the longest.
fn add(mut a: Summary, b: &Summary) -> Summary {
    a.files_scanned += b.files_scanned;
    a.archives += b.archives;
    a.archive_members += b.archive_members;
    for (k, n) in &b.containers {
        *a.containers.entry(k.clone()).or_default() += n;
    }
    a.unopened += b.unopened;
    a.commits = a.commits.max(b.commits);
    a.messages += b.messages;
    a.bytes_scanned += b.bytes_scanned;
    a.duration_ms = a.duration_ms.max(b.duration_ms);
    a.skipped.media += b.skipped.media;
    a.skipped.symlinks += b.skipped.symlinks;
    a.skipped.special += b.skipped.special;
    a.skipped.config += b.skipped.config;
    a.skipped.ignored += b.skipped.ignored;
    a.suppressed.inline += b.suppressed.inline;
    a.suppressed.allowlist += b.suppressed.allowlist;
    a.suppressed.baseline += b.suppressed.baseline;
    a.suppressed.placeholder += b.suppressed.placeholder;
    a.unlisted.merge(&b.unlisted);
    if let Some(v) = &b.verified {
        let sum = a.verified.get_or_insert_with(Default::default);
        sum.active += v.active;
        sum.inactive += v.inactive;
        sum.unknown += v.unknown;
        sum.error += v.error;
    }
    a
}

/// Of history findings with one fingerprint (the same secret at the same path, found in
/// blobs of several parts), the copy from the earliest commit, as one run keeps it: later
/// versions add up, and the secret is in HEAD if any part saw it there.
fn first_copies(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut by_fingerprint: HashMap<String, usize> = HashMap::new();
    let order = |f: &Finding| {
        f.provenance
            .as_ref()
            .map_or(u64::MAX, |p| p.order.unwrap_or(u64::MAX))
    };
    for f in findings {
        let Some(p) = f.provenance.clone() else {
            out.push(f);
            continue;
        };
        let fp = f.fingerprint();
        let Some(&i) = by_fingerprint.get(&fp) else {
            by_fingerprint.insert(fp, out.len());
            out.push(f);
            continue;
        };
        let kept = &out[i];
        let Some(kp) = kept.provenance.clone() else {
            continue;
        };
        let versions = kp.later_versions + p.later_versions + 1;
        let in_head = kp.in_head || p.in_head;
        let mut winner = if order(&f) < order(kept) {
            f
        } else {
            out[i].clone()
        };
        let mut merged = winner.provenance.as_deref().cloned().unwrap_or_default();
        merged.later_versions = versions;
        merged.in_head = in_head;
        if in_head && let Some(rest) = winner.remediation.strip_prefix(REMOVED_FROM_TREE) {
            winner.remediation = Arc::from(rest.trim_start());
        }
        winner.provenance = Some(Arc::new(merged));
        out[i] = winner;
    }
    out
}
