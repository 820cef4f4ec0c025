//! File rules: findings about a file's name and place rather than its bytes — an `.env` in a
//! web root, an `.env` committed to git, a source map published beside its bundle. A rule
//! says whether it applies to a file and at what severity; the scan builds the finding.

use globset::Candidate;

use crate::error::{Error, Result};
use crate::exposure::{self, Exposure};
use crate::finding::{Confidence, Severity};
use crate::rules::model::FileRuleSpec;
use crate::rules::scope::Scope;

#[derive(Debug)]
pub struct FileRule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub scope: Scope,
    exposure: Vec<Exposure>,
    archive_member: bool,
    /// Needs to know whether git tracks the file.
    pub git_tracked: bool,
    requires_sibling: bool,
    pub remediation: String,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    pub source: String,
}

/// What is known about a file when file rules are checked. The closures are called only when
/// a rule needs them (they cost a git lookup or a `stat`).
pub struct FileFacts<'a> {
    pub path: &'a str,
    pub exposure: Exposure,
    /// A member of an archive (a shipped artifact).
    pub in_archive: bool,
    pub tracked: &'a dyn Fn() -> bool,
    pub sibling_exists: &'a dyn Fn() -> bool,
}

impl FileRule {
    pub(crate) fn compile(spec: FileRuleSpec, source: &str) -> Result<FileRule> {
        let here = format!("{source}: file rule '{}'", spec.id);
        if spec.paths.is_empty() {
            return Err(Error::new(format!("{here}: a file rule needs `paths`")));
        }
        Ok(FileRule {
            scope: Scope::new(
                &spec.paths,
                &spec.exclude_paths,
                &spec.info_paths,
                &[],
                &here,
            )?,
            id: spec.id,
            title: spec.title,
            severity: spec.severity,
            confidence: spec.confidence,
            exposure: spec.exposure,
            archive_member: spec.archive_member,
            git_tracked: spec.git_tracked,
            requires_sibling: spec.requires_sibling,
            remediation: spec.remediation,
            examples: spec.examples,
            negative_examples: spec.negative_examples,
            source: source.to_string(),
        })
    }

    /// Whether the rule's path globs take in `path` (before any other condition).
    pub fn applies_to_name(&self, path: &Candidate<'_>) -> bool {
        self.scope.applies(path, b"")
    }

    /// The severity this rule reports `facts`' file at, or `None` when it does not apply.
    /// `path_matched` says the path is already known to match the rule's `paths`.
    pub fn check(
        &self,
        path: &Candidate<'_>,
        path_matched: bool,
        facts: &FileFacts<'_>,
    ) -> Option<Severity> {
        let applies = if path_matched {
            self.scope.applies_after_path(path, b"")
        } else {
            self.scope.applies(path, b"")
        };
        if !applies {
            return None;
        }
        // With place conditions, one of them must hold.
        let has_place = !self.exposure.is_empty() || self.archive_member;
        let in_place =
            self.exposure.contains(&facts.exposure) || (self.archive_member && facts.in_archive);
        if has_place && !in_place {
            return None;
        }
        if self.requires_sibling && !(facts.sibling_exists)() {
            return None;
        }
        if self.git_tracked && !(facts.tracked)() {
            return None;
        }
        Some(if self.scope.is_info(path) {
            Severity::Info
        } else {
            self.severity
        })
    }

    /// Whether the rule reports an example path (exposure judged from the path; tracked by git
    /// and with a sibling, as the rule may require).
    pub fn reports_example(&self, path: &str) -> bool {
        let facts = FileFacts {
            path,
            exposure: exposure::classify(path, b""),
            in_archive: path.contains('!'),
            tracked: &|| true,
            sibling_exists: &|| true,
        };
        let inner = path.rsplit('!').next().unwrap_or(path);
        self.check(&Candidate::new(inner), false, &facts).is_some()
    }
}
