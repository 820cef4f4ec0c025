//! The project configuration file, `.sealant.toml`: extra rules, rules switched on or off,
//! paths to skip, allowlisted values, the default `fail-on`, archive limits. Found at the scan
//! root or the repository root, or named with `--config`. A malformed file is an error that
//! names the file, the line and what is wrong; it is never ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::policy::AllowlistConfig;
use crate::rules::model::{FileRuleSpec, RuleSpec};

/// The file name looked for.
pub const FILE_NAME: &str = ".sealant.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    /// Default for `--fail-on` (`info` … `critical`, or `never`).
    pub fail_on: Option<String>,
    /// Rule ids or id prefixes to run although off by default (`generic`).
    #[serde(default)]
    pub enable: Vec<String>,
    /// Rule ids or id prefixes not to run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Globs of paths not to scan (`**/testdata/**`, `docs/*.md`), matched on paths relative to
    /// the repository root.
    #[serde(default)]
    pub skip_paths: Vec<String>,
    /// The baseline file every mode uses, relative to this file (default:
    /// `.sealant-baseline.json` at the repository root). A missing file is no error.
    pub baseline: Option<String>,
    #[serde(default)]
    pub allowlist: AllowlistConfig,
    /// Comment markers that accept a finding on their line (default: `sealant:allow` and
    /// `gitleaks:allow`).
    pub allow_markers: Option<Vec<String>>,
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Extra rules, in the schema of the built-in rule files.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default, rename = "file_rule")]
    pub file_rules: Vec<FileRuleSpec>,
    /// Where the file was read from (set after parsing).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// Limits for reading archives (see `sealant scan --help`); flags override them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsConfig {
    pub max_archive_depth: Option<usize>,
    /// Sizes take a number or a string with a suffix, as the flags do (`"256M"`).
    #[serde(default, deserialize_with = "size")]
    pub max_entry_bytes: Option<u64>,
    #[serde(default, deserialize_with = "size")]
    pub max_archive_bytes: Option<u64>,
    pub max_inflate_ratio: Option<u64>,
    pub max_archive_entries: Option<u64>,
    /// Bytes read from one file at most.
    #[serde(default, deserialize_with = "size")]
    pub max_filesize: Option<u64>,
    /// Encodings nested in one another undone (0: off).
    pub max_decode_depth: Option<u64>,
}

/// A size in `[limits]`: bytes as a number, or a string such as `"50M"` (see `parse_size`).
fn size<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Bytes(u64),
        Text(String),
    }
    match Size::deserialize(d)? {
        Size::Bytes(n) => Ok(Some(n)),
        Size::Text(t) => crate::cli::args::parse_size(&t)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

impl ProjectConfig {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<ProjectConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read config file {}: {e}", path.display())))?;
        let mut config: ProjectConfig = toml::from_str(&text).map_err(|e| {
            // toml's message already says "line N, column M" and points at the spot.
            Error::new(format!("invalid config file {}: {e}", path.display()))
        })?;
        if let Some(f) = &config.fail_on
            && !f.eq_ignore_ascii_case("never")
        {
            f.parse::<Severity>().map_err(|e| {
                Error::new(format!(
                    "invalid config file {}: fail-on: {e}",
                    path.display()
                ))
            })?;
        }
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// The config that applies: `explicit` if given (it must exist), else the first
    /// `.sealant.toml` in `candidates` (the scan root, then the repository root), else none.
    pub fn find(explicit: Option<&Path>, candidates: &[PathBuf]) -> Result<ProjectConfig> {
        if let Some(p) = explicit {
            return Self::load(p);
        }
        for dir in candidates {
            let p = dir.join(FILE_NAME);
            if p.is_file() {
                return Self::load(&p);
            }
        }
        Ok(ProjectConfig::default())
    }

    /// A name for messages: the file's path, or "config" when there is none.
    pub fn name(&self) -> String {
        self.source
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_config_names_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, "fail-on = \"high\"\nskip-paths = [\"a\"]\nbogus = 1\n").expect("write");
        let err = ProjectConfig::load(&p).expect_err("unknown key");
        let msg = err.to_string();
        assert!(
            msg.contains(".sealant.toml") && msg.contains("line 3"),
            "{msg}"
        );
        assert!(msg.contains("bogus"), "{msg}");
        std::fs::write(&p, "fail-on = \"severe\"\n").expect("write");
        let msg = ProjectConfig::load(&p)
            .expect_err("bad severity")
            .to_string();
        assert!(msg.contains("fail-on"), "{msg}");
    }

    #[test]
    fn full_config_parses() {
        let text = r#"
fail-on = "high"
enable = ["generic"]
disable = ["stripe.publishable-key.test"]
skip-paths = ["**/testdata/**"]

[allowlist]
values = ["sk_test_fixture"]
regexes = ["^AKIA.*EXAMPLE$"]

[limits]
max-archive-depth = 4

[[rule]]
id = "acme.token"
title = "ACME token"
severity = "high"
keywords = ["acme_"]
regex = 'acme_[0-9a-f]{32}'
remediation = "Revoke it."
"#;
        let c: ProjectConfig = toml::from_str(text).expect("parses");
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.limits.max_archive_depth, Some(4));
        assert_eq!(c.allowlist.values, vec!["sk_test_fixture".to_string()]);
    }
}
