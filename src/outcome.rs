//! What a scan hands on to the stages above it (reports, verification, merge): the findings
//! in order, the warnings, the summary's counters, stale baseline entries, and which part of a
//! sharded scan this is.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Warning;
use crate::finding::{Finding, FindingCounts, Status};
use crate::policy::baseline::BaselineEntry;
use crate::source::shard::Shard;

/// Everything a scan produced.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Ordered by path, then byte offset, then rule id.
    pub findings: Vec<Finding>,
    /// Ordered by path, then message.
    pub warnings: Vec<Warning>,
    pub summary: Summary,
    /// Baseline entries whose file was scanned but whose finding no longer occurs.
    pub stale: Vec<BaselineEntry>,
    /// Something the user must be told although nothing went wrong (e.g. nothing staged).
    pub notice: Option<String>,
    /// Which scan this is and which part of it (reports of a sharded scan carry it, so that
    /// `sealant merge` can check its parts belong together).
    pub part: Option<Part>,
    /// The directory the scan ran in: the findings' relative paths are relative to it.
    pub root: Option<String>,
    /// What the scan read and under which rules and limits.
    pub coverage: Option<Coverage>,
}

/// What a scan covered, so that a reader knows what "no findings" means (the HTML report's
/// header, the JSON report's `coverage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// What was read: each root as given, `standard input`, `staged changes`, `git history …`.
    pub targets: Vec<String>,
    /// The built-in rule catalog's version (`0.1.0+digest`).
    pub catalog: String,
    /// Content rules and file rules in force (built-in, enabled, and from `--rules` files).
    pub rules: u64,
    /// The limits in force, by the option that sets each (`max-filesize` → `1G`).
    pub limits: std::collections::BTreeMap<String, String>,
}

/// A report's place among the parts of one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// A digest of what makes two scans the same scan (rules, config, options, roots).
    pub identity: String,
    pub shard: Option<Shard>,
}

/// Counters for the end-of-scan summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Files and archive members read.
    pub files_scanned: u64,
    /// Archives opened (top-level and nested files counted as archives, not as files).
    pub archives: u64,
    /// Of `files_scanned`, how many were archive members.
    pub archive_members: u64,
    /// Archive members handed to the scan, by the kind of archive they came out of (`zip`,
    /// `tar`, `7z`, `RPM` …).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub containers: std::collections::BTreeMap<String, u64>,
    /// Archives recognised but not opened: formats sealant does not read (RAR, cabinet …), or
    /// ones too large to open where they were found.
    #[serde(default)]
    pub unopened: u64,
    /// Commits walked (history scans).
    pub commits: u64,
    /// HTTP requests made (`sealant probe`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub requests: u64,
    /// Commit and annotated-tag messages scanned (history scans).
    pub messages: u64,
    pub bytes_scanned: u64,
    pub duration_ms: u64,
    pub findings: FindingCounts,
    pub warnings: u64,
    pub skipped: SkipCounts,
    pub suppressed: SuppressedCounts,
    /// Baseline entries that no longer occur.
    pub baseline_stale: u64,
    /// Of `findings`, how many are counted but not listed: copies of one secret past 50 in one
    /// file, findings past 10,000 in one file or past 100,000 in one scan (memory stays
    /// bounded whatever the input holds).
    #[serde(default)]
    pub unlisted: FindingCounts,
    /// `--verify`: how the listed findings' secrets verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<VerifiedCounts>,
}

/// Findings a rule matched but the project accepts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SuppressedCounts {
    /// On a line carrying a `sealant:allow` comment.
    pub inline: u64,
    /// Values allowlisted in the project config.
    pub allowlist: u64,
    /// Recorded in the baseline file.
    pub baseline: u64,
    /// Values a rule matched but judged fake: placeholders (`sk_live_xxxx…`), values below a
    /// rule's entropy, default passwords.
    pub placeholder: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SkipCounts {
    /// Images, fonts, audio, video.
    pub media: u64,
    /// Symbolic links not followed.
    pub symlinks: u64,
    /// FIFOs, sockets, devices.
    pub special: u64,
    /// Paths the project config's `skip-paths` leaves out.
    pub config: u64,
    /// Files and directories git's ignore rules leave out (a directory counts once).
    #[serde(default)]
    pub ignored: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.duration_ms)
    }
}

/// How many listed findings verified which way (findings of providers sealant does not ask
/// are not counted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifiedCounts {
    pub active: u64,
    pub inactive: u64,
    pub unknown: u64,
    pub error: u64,
}

impl VerifiedCounts {
    pub fn add(&mut self, s: Status) {
        *match s {
            Status::Active => &mut self.active,
            Status::Inactive => &mut self.inactive,
            Status::Unknown => &mut self.unknown,
            Status::Error => &mut self.error,
        } += 1;
    }
}
