//! Blobs from the filesystem and standard input: a file found by the walk or named on the
//! command line (read up to `--max-filesize`, and no further than it was long when opened),
//! standard input, and what a root must be to be scanned at all. Hands on each file's findings.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::Candidate;

use crate::diagnostics::Skip;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::rules::file_rules::FileRule;
use crate::scan::archive::Input;
use crate::scan::blob::BlobScanner;
use crate::scan::context::{FileContext, Origin};
use crate::source::git;
use crate::source::root::{BlobName, STDIN_PATH};
use crate::source::shard;
use crate::source::walk::{self, WalkedFile};

/// Files from this size on are checked for growth after their scan (one more read): a
/// smaller file is read in one go right after it is opened, and asking each of them costs a
/// system call per file (about 2% of the CPU time of a scan of a source tree).
const GROWTH_CHECKED_FROM: u64 = 1 << 20;

impl FileContext<'_> {
    /// Scans one file found by the walk; problems become warnings in `stats`.
    pub(super) fn scan_file(
        &self,
        scanner: &mut BlobScanner<'_>,
        file: WalkedFile<'_>,
    ) -> Vec<Finding> {
        // Another part's file: not opened, not counted.
        if !shard::takes(self.shard, &file.name.canonical) {
            return Vec::new();
        }
        if let Some(skip) = &self.skip
            && skip.applies(&Candidate::new(file.name.canonical.as_ref()), b"")
        {
            self.stats.skip(Skip::Config);
            return Vec::new();
        }
        let (mut f, size) = match walk::open_regular(file.path) {
            Ok(opened) => opened,
            Err(e) => {
                self.stats
                    .warn(file.name.shown.as_ref(), open_error_message(&e));
                return Vec::new();
            }
        };
        let tracked = || {
            file.path
                .canonicalize()
                .is_ok_and(|p| self.tracked.contains(&p))
        };
        let sibling = || file.path.with_extension("").is_file();
        let origin = if file.explicit {
            Origin::Named
        } else {
            Origin::Found
        };
        // At most what the file held when it was opened (a file that keeps growing is not read
        // for ever), and at most --max-filesize.
        let limit = size.min(self.limits.max_file_bytes);
        let input = Input::File {
            file: &mut f,
            path: file.path,
            limit,
        };
        let (found, archive) =
            self.scan_input(scanner, input, &file.name, origin, &tracked, &sibling);
        if archive {
            return found;
        }
        let shown = file.name.shown.as_ref();
        if size > limit {
            self.stats.warn(
                shown,
                format!(
                    "{size} bytes, larger than --max-filesize: only the first {limit} bytes \
                     were scanned"
                ),
            );
        } else if size >= GROWTH_CHECKED_FROM && f.read(&mut [0u8; 1]).is_ok_and(|n| n > 0) {
            self.stats.warn(
                shown,
                format!(
                    "grew while it was scanned: the {size} bytes it held when opened were \
                     scanned, not what was added"
                ),
            );
        }
        found
    }

    /// Scans standard input: an archive piped in (`cat app.apk | sealant scan -`) is opened
    /// as a stream, anything else scanned as it comes.
    pub(super) fn scan_stdin(&self) -> Vec<Finding> {
        let mut scanner = self.scanner();
        let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
        let name = BlobName::plain(STDIN_PATH);
        let no = || false;
        let input = Input::Stream(&mut input);
        self.scan_input(&mut scanner, input, &name, Origin::Stdin, &no, &no)
            .0
    }
}

fn open_error_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "vanished during the scan; not read".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied; not read".to_string(),
        _ => format!("cannot open: {e}; not read"),
    }
}

/// Canonical paths of tracked files that file rules ask about (`git_tracked`).
pub(super) fn tracked_files(engine: &Engine, roots: &[PathBuf]) -> HashSet<PathBuf> {
    let git_rules: Vec<&FileRule> = engine
        .file_rules()
        .iter()
        .filter(|r| r.git_tracked)
        .collect();
    if git_rules.is_empty() {
        return HashSet::new();
    }
    git::tracked_files(roots, &|rel| {
        git_rules
            .iter()
            .any(|r| r.applies_to_name(&Candidate::new(rel)))
    })
}

/// A root named on the command line must exist and, if a directory, be listable.
pub(super) fn check_root(root: &Path) -> Result<()> {
    let md = std::fs::metadata(root)
        .map_err(|e| Error::new(format!("cannot scan '{}': {e}", root.display())))?;
    if md.is_dir() {
        std::fs::read_dir(root).map_err(|e| {
            Error::new(format!(
                "cannot scan '{}': {e} (check the directory's permissions)",
                root.display()
            ))
        })?;
    } else if md.is_file() {
        walk::open_regular(root).map_err(|e| {
            Error::new(format!(
                "cannot scan '{}': {e} (check the file's permissions)",
                root.display()
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::diagnostics::Stats;
    use crate::policy::inline::AllowMarkers;
    use crate::rules::RuleSet;
    use crate::source::archive::limits::Limits;

    #[test]
    fn a_file_that_vanished_is_a_warning() {
        let engine = Engine::new(RuleSet::builtin().expect("rules")).expect("engine");
        let allow = AllowMarkers::default();
        let stats = Stats::default();
        let none = HashSet::new();
        let policy = crate::policy::Policy::default();
        let ctx = FileContext {
            engine: &engine,
            allow: &allow,
            policy: &policy,
            stats: &stats,
            tracked: HashSet::new(),
            skip: None,
            baseline_paths: &none,
            seen_baseline_paths: Mutex::new(HashSet::new()),
            limits: Limits::default(),
            threads: 1,
            shard: None,
        };
        let mut scanner = ctx.scanner();
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("gone.env");
        let found = ctx.scan_file(
            &mut scanner,
            WalkedFile {
                path: &gone,
                name: BlobName::plain("gone.env"),
                explicit: false,
            },
        );
        assert!(found.is_empty());
        let warnings = stats.take_warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].path, "gone.env");
        assert!(
            warnings[0].message.contains("vanished"),
            "{:?}",
            warnings[0]
        );
        assert_eq!(stats.files.load(std::sync::atomic::Ordering::Relaxed), 0);
    }
}
