//! Policy: which findings to drop although a rule matched — values allowlisted in the project
//! config, and findings accepted in a baseline file. (Lines marked `sealant:allow` are dropped
//! earlier, where the line is at hand: see `blob`.)
//!
//! A baseline records findings by fingerprint (rule, path, secret digest), with the rule, path
//! and line for a reviewer to read, never the secret. Entries whose file was scanned but whose
//! finding no longer occurs are reported as stale.

pub mod gitleaks;

use std::collections::HashSet;
use std::path::Path;

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use crate::config::AllowlistConfig;
use crate::error::{Error, Result};
use crate::finding::Finding;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    /// The line when the baseline was written (for review only; matching ignores it).
    pub line: u64,
    pub title: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 1,
            findings: findings
                .iter()
                .map(|f| BaselineEntry {
                    fingerprint: f.fingerprint(),
                    rule_id: f.rule_id.to_string(),
                    path: f.canonical.to_string(),
                    line: f.line,
                    title: f.title.to_string(),
                })
                .collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read baseline {}: {e}", path.display())))?;
        let mut baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            Error::new(format!(
                "invalid baseline {}: {e} (write one with `sealant scan --write-baseline FILE`)",
                path.display()
            ))
        })?;
        // Paths are canonical (relative to the repository root); older baselines may spell
        // them with a leading `./`.
        for e in &mut baseline.findings {
            while let Some(rest) = e.path.strip_prefix("./") {
                e.path = rest.to_string();
            }
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::new(format!("cannot encode baseline: {e}")))?;
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| Error::new(format!("cannot write baseline {}: {e}", path.display())))
    }
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

    /// Removes the findings the policy drops, counting nothing (for findings streamed while
    /// the scan runs; [`Policy::apply`] counts at the end).
    pub fn filter(&self, findings: &mut Vec<Finding>) {
        let accepted = self.accepted();
        findings.retain(|f| self.verdict(f, &accepted).is_none());
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
