//! Blobs from git's object store: the index (`--staged`, what `git commit` would record) and
//! history's blobs and messages. git tracks every one of them, so file rules about tracked
//! files apply. Hands on each blob's findings.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::scan::archive::Input;
use crate::scan::blob::BlobScanner;
use crate::scan::context::{FileContext, Origin};
use crate::source::git;
use crate::source::root::BlobName;
use crate::source::shard;

impl FileContext<'_> {
    /// Scans a blob from git's object store (the index, or history): an archive is opened from
    /// memory up to `IN_MEMORY_ARCHIVE` (as a stream past it); anything else is scanned as it
    /// streams.
    pub(super) fn scan_git_blob(
        &self,
        scanner: &mut BlobScanner<'_>,
        name: &BlobName,
        size: u64,
        content: &mut dyn Read,
        sibling: &dyn Fn() -> bool,
    ) -> Vec<Finding> {
        let yes = || true;
        let input = Input::Git { content, size };
        self.scan_input(scanner, input, name, Origin::Git, &yes, sibling)
            .0
    }

    /// Scans a commit or tag message (not counted as a file).
    pub(super) fn scan_message(
        &self,
        scanner: &mut BlobScanner<'_>,
        name: &BlobName,
        body: &[u8],
    ) -> Vec<Finding> {
        self.scan_blob(scanner, &mut &body[..], name, Origin::Message)
    }

    /// Scans what is staged in the index of the work tree around the current directory.
    /// Returns a notice when nothing is staged.
    /// With `only` (paths given on the command line, as the pre-commit framework passes them),
    /// the index's content of exactly those paths is scanned, changed or not (`pre-commit run
    /// --all-files` passes every tracked file).
    pub(super) fn scan_staged(
        &self,
        only: &[PathBuf],
        keep: &dyn Fn(Vec<Finding>),
    ) -> Result<Option<String>> {
        let Some(top) = git::toplevel(Path::new(".")) else {
            return Err(Error::new(
                "--staged scans the git index, but this is not inside a git work tree \
                 (or git is not installed); run it from your repository, or scan paths instead",
            ));
        };
        let paths = if only.is_empty() {
            git::staged_paths(&top)?
        } else {
            let top_abs = std::fs::canonicalize(&top).unwrap_or_else(|_| top.clone());
            let here = std::env::current_dir()
                .ok()
                .and_then(|d| std::fs::canonicalize(d).ok())
                .unwrap_or_else(|| top_abs.clone());
            only.iter()
                .map(|p| {
                    let rel = here.join(p);
                    let rel = rel.strip_prefix(&top_abs).unwrap_or(p);
                    rel.components()
                        .filter(|c| !matches!(c, std::path::Component::CurDir))
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .collect()
        };
        if paths.is_empty() {
            return Ok(Some(
                "nothing is staged (git add files first); nothing was scanned".to_string(),
            ));
        }
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|p| shard::takes(self.shard, p))
            .collect();
        let mut scanner = self.scanner();
        git::read_staged(
            &top,
            &paths,
            &mut |file| {
                let sibling = || top.join(file.path).with_extension("").is_file();
                // Staged paths are relative to the work tree's top: already canonical.
                let name = BlobName::plain(file.path);
                keep(self.scan_git_blob(&mut scanner, &name, file.size, file.content, &sibling));
            },
            &mut |path, why| self.stats.warn(path, why),
        )?;
        Ok(None)
    }
}
