//! Where a rule applies: path globs (`**/config/app.php`), excluded paths, development paths
//! whose findings are only `info`, and markers the file must start with (`'use client'`).

use globset::{Candidate, Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};

/// How far into a file `file_contains` markers are looked for.
pub const HEAD_LEN: usize = 1024;

#[derive(Debug, Default)]
pub struct Scope {
    paths: Option<GlobSet>,
    /// The same globs one by one, for an index over many rules (see `PathIndex`).
    pub(super) path_globs: Vec<Glob>,
    exclude: Option<GlobSet>,
    pub(super) exclude_globs: Vec<Glob>,
    info: Option<GlobSet>,
    pub(super) info_globs: Vec<Glob>,
    /// Searchers for the markers, built once (a searcher costs more to build than to run
    /// over a 1 KiB head).
    contains: Vec<memchr::memmem::Finder<'static>>,
}

impl Scope {
    /// Compiles the globs; `here` names the rule in error messages.
    pub fn new(
        paths: &[String],
        exclude: &[String],
        info: &[String],
        contains: &[String],
        here: &str,
    ) -> Result<Scope> {
        Ok(Scope {
            path_globs: paths.iter().map(|p| glob(p, here)).collect::<Result<_>>()?,
            paths: globs(paths, here)?,
            exclude: globs(exclude, here)?,
            exclude_globs: exclude
                .iter()
                .map(|p| glob(p, here))
                .collect::<Result<_>>()?,
            info: globs(info, here)?,
            info_globs: info.iter().map(|p| glob(p, here)).collect::<Result<_>>()?,
            contains: (contains.iter())
                .map(|c| memchr::memmem::Finder::new(c.as_bytes()).into_owned())
                .collect(),
        })
    }

    /// True when the rule applies to every blob and never downgrades.
    pub fn is_everywhere(&self) -> bool {
        self.paths.is_none()
            && self.exclude.is_none()
            && self.info.is_none()
            && self.contains.is_empty()
    }

    /// Whether `paths` limits the rule to some files.
    pub fn has_paths(&self) -> bool {
        self.paths.is_some()
    }

    /// Whether the rule applies to a blob at `path` whose first bytes are `head`.
    pub fn applies(&self, path: &Candidate<'_>, head: &[u8]) -> bool {
        if let Some(p) = &self.paths
            && !p.is_match_candidate(path)
        {
            return false;
        }
        self.applies_after_path(path, head)
    }

    /// Like [`Scope::applies`] for a path already known to match `paths` (by a `PathIndex`).
    pub fn applies_after_path(&self, path: &Candidate<'_>, head: &[u8]) -> bool {
        if let Some(x) = &self.exclude
            && x.is_match_candidate(path)
        {
            return false;
        }
        self.marked(head)
    }

    /// Whether a blob starting with `head` holds one of the markers, if the rule has any.
    pub fn marked(&self, head: &[u8]) -> bool {
        if self.contains.is_empty() {
            return true;
        }
        let head = &head[..head.len().min(HEAD_LEN)];
        self.contains.iter().any(|c| c.find(head).is_some())
    }

    /// Whether findings at `path` are reported as `info` (development and test files).
    pub fn is_info(&self, path: &Candidate<'_>) -> bool {
        self.info
            .as_ref()
            .is_some_and(|g| g.is_match_candidate(path))
    }
}

fn glob(pattern: &str, here: &str) -> Result<Glob> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| Error::new(format!("{here}: bad path glob {pattern:?}: {e}")))
}

fn globs(patterns: &[String], here: &str) -> Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(glob(p, here)?);
    }
    set.build()
        .map(Some)
        .map_err(|e| Error::new(format!("{here}: bad path globs: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn paths_exclusions_and_markers() {
        let scope = Scope::new(
            &s(&["**/.env", "**/.env.*"]),
            &s(&["**/.env.example"]),
            &s(&["**/.env.testing"]),
            &[],
            "t",
        )
        .expect("globs");
        assert!(scope.applies(&Candidate::new(".env"), b""));
        assert!(scope.applies(&Candidate::new("./app/.env.production"), b""));
        assert!(!scope.applies(&Candidate::new("app/.env.example"), b""));
        assert!(!scope.applies(&Candidate::new("app/env.ts"), b""));
        assert!(scope.is_info(&Candidate::new("app/.env.testing")));
        let client = Scope::new(&[], &[], &[], &s(&["'use client'"]), "t").expect("ok");
        assert!(client.applies(&Candidate::new("a.tsx"), b"'use client';\nimport x"));
        assert!(!client.applies(&Candidate::new("a.tsx"), b"import x"));
    }
}
