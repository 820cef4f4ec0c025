//! Policy: which findings to drop although a rule matched — values allowlisted in the project
//! config, findings accepted in a baseline file (`baseline`) or a `.gitleaksignore`
//! (`gitleaks`), and lines marked `sealant:allow` (`inline`, applied by the blob scanner,
//! where the line is at hand).

pub mod baseline;
pub mod gitleaks;
pub mod inline;

use std::collections::HashSet;

use regex::bytes::Regex;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::Finding;
use baseline::{Baseline, BaselineEntry};

/// Values that are never reported.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowlistConfig {
    /// Exact secret values (a test fixture's fake key, say).
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes a secret value may match.
    #[serde(default)]
    pub regexes: Vec<String>,
}

/// What the project accepts.
#[derive(Debug, Default)]
pub struct Policy {
    allow_values: HashSet<String>,
    allow_regexes: Vec<Regex>,
    baseline: Option<Baseline>,
    /// A `.gitleaksignore` read as a further baseline.
    gitleaks: Option<gitleaks::GitleaksIgnore>,
}

/// Why a finding is dropped: an allowlisted value, or accepted by a baseline (with the
/// fingerprint it matched, for a sealant baseline).
enum Verdict {
    Allowlisted,
    Baselined(Option<String>),
}

/// What applying a policy removed.
#[derive(Debug, Default)]
pub struct Applied {
    pub allowlisted: u64,
    pub baselined: u64,
    /// Baseline entries whose file was scanned but whose finding is gone.
    pub stale: Vec<BaselineEntry>,
}

impl Policy {
    pub fn new(
        allowlist: &AllowlistConfig,
        baseline: Option<Baseline>,
        source: &str,
    ) -> Result<Policy> {
        let allow_regexes = allowlist
            .regexes
            .iter()
            .map(|r| {
                Regex::new(r).map_err(|e| {
                    Error::new(format!(
                        "{source}: allowlist regex {r:?} does not compile: {e}"
                    ))
                })
            })
            .collect::<Result<_>>()?;
        Ok(Policy {
            allow_values: allowlist.values.iter().cloned().collect(),
            allow_regexes,
            baseline,
            gitleaks: None,
        })
    }

    /// Also accepts what a `.gitleaksignore` accepts.
    pub fn with_gitleaks(mut self, g: gitleaks::GitleaksIgnore) -> Policy {
        self.gitleaks = Some(g);
        self
    }

    /// Problems with the policy's files, as (where, what), for the scan's warnings.
    pub fn warnings(&self) -> &[(String, String)] {
        self.gitleaks.as_ref().map_or(&[], |g| &g.warnings)
    }

    /// Paths the baseline mentions (the scan notes which of them it read, to find stale
    /// entries).
    pub fn baseline_paths(&self) -> HashSet<String> {
        self.baseline
            .iter()
            .flat_map(|b| b.findings.iter().map(|e| e.path.clone()))
            .collect()
    }

    /// Why the policy drops `f`, if it does.
    fn verdict(&self, f: &Finding, accepted: &HashSet<&str>) -> Option<Verdict> {
        if self.allow_values.contains(&f.secret)
            || (self.allow_regexes.iter()).any(|r| r.is_match(f.secret.as_bytes()))
        {
            return Some(Verdict::Allowlisted);
        }
        if self.gitleaks.as_ref().is_some_and(|g| g.accepts(f)) {
            return Some(Verdict::Baselined(None));
        }
        if accepted.is_empty() {
            return None;
        }
        let fp = f.fingerprint();
        accepted
            .contains(fp.as_str())
            .then_some(Verdict::Baselined(Some(fp)))
    }

    fn accepted(&self) -> HashSet<&str> {
        (self.baseline.iter())
            .flat_map(|b| b.findings.iter().map(|e| e.fingerprint.as_str()))
            .collect()
    }

    /// Removes allowlisted and baselined findings; `scanned` are the baseline's paths that
    /// this scan read.
    pub fn apply(&self, findings: &mut Vec<Finding>, scanned: &HashSet<String>) -> Applied {
        let mut applied = Applied::default();
        let accepted = self.accepted();
        let mut seen: HashSet<String> = HashSet::new();
        findings.retain(|f| match self.verdict(f, &accepted) {
            None => true,
            Some(Verdict::Allowlisted) => {
                applied.allowlisted += 1;
                false
            }
            Some(Verdict::Baselined(fp)) => {
                applied.baselined += 1;
                seen.extend(fp);
                false
            }
        });
        if let Some(b) = &self.baseline {
            applied.stale = b
                .findings
                .iter()
                .filter(|e| scanned.contains(&e.path) && !seen.contains(&e.fingerprint))
                .cloned()
                .collect();
        }
        applied
    }
}
