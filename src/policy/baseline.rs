//! Baselines: findings accepted as known, recorded by fingerprint (rule, path, secret digest)
//! with the rule, path and line for a reviewer to read, never the secret. Entries whose file
//! was scanned but whose finding no longer occurs are reported as stale.

use std::path::Path;

use serde::{Deserialize, Serialize};

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
