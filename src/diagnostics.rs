//! What a scan says about itself besides findings: warnings about inputs it could not read or
//! chose to skip, and the counters that make up the summary.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::finding::FindingCounts;

/// A problem with one input. The scan goes on; the warning is printed and counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Warning {
    /// The input concerned (a path, or `<stdin>`).
    pub path: String,
    pub message: String,
}

/// Why an input was passed over without being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// An image, font, audio or video file (by extension or content).
    Media,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// A FIFO, socket or device: reading it could block or never end.
    Special,
    /// Left out by the project config's `skip-paths`.
    Config,
}

/// Counters shared by the scan's threads.
#[derive(Debug, Default)]
pub struct Stats {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub archives: AtomicU64,
    pub archive_members: AtomicU64,
    pub skipped_media: AtomicU64,
    pub skipped_symlinks: AtomicU64,
    pub skipped_special: AtomicU64,
    pub skipped_config: AtomicU64,
    pub allowed_inline: AtomicU64,
    /// Commit and tag messages scanned (history scans).
    pub messages: AtomicU64,
    /// Values dropped as placeholders by rules' filters.
    pub filtered: AtomicU64,
    /// Findings so far, before baselines and de-duplication (for progress).
    pub findings: AtomicU64,
    /// Findings counted but not listed (memory bounds), by severity.
    pub unlisted: Mutex<FindingCounts>,
    /// Archive members scanned, by the kind of archive they came out of.
    pub containers: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    /// Archives recognised but not opened (RAR, cabinet …, or too large to open).
    pub unopened: AtomicU64,
    /// HTTP requests made (`sealant probe`).
    pub requests: AtomicU64,
    /// A listing bound was hit and said so.
    pub bound_warned: std::sync::atomic::AtomicBool,
    warnings: Mutex<Vec<Warning>>,
}

impl Stats {
    pub fn scanned(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn skip(&self, why: Skip) {
        let counter = match why {
            Skip::Media => &self.skipped_media,
            Skip::Symlink => &self.skipped_symlinks,
            Skip::Special => &self.skipped_special,
            Skip::Config => &self.skipped_config,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts findings dropped by `sealant:allow` comments.
    pub fn allowed_inline(&self, n: u64) {
        if n > 0 {
            self.allowed_inline.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts values rules' filters dropped as fake.
    pub fn filtered(&self, n: u64) {
        if n > 0 {
            self.filtered.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub fn warn(&self, path: impl Into<String>, message: impl Into<String>) {
        let w = Warning {
            path: path.into(),
            message: message.into(),
        };
        if let Ok(mut ws) = self.warnings.lock() {
            ws.push(w);
        }
    }

    /// The warnings so far, sorted so that output is deterministic.
    pub fn take_warnings(&self) -> Vec<Warning> {
        let mut ws = match self.warnings.lock() {
            Ok(mut ws) => std::mem::take(&mut *ws),
            Err(_) => Vec::new(),
        };
        ws.sort();
        ws
    }
}
