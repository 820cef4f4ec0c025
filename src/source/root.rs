//! Scan roots resolved once: how the user typed each root, and where it really sits.
//!
//! Every decision about a path (skip-paths, rule `paths`, baselines, fingerprints, exposure,
//! SARIF URIs) is made on the *canonical* path: relative to the top of the git work tree that
//! holds the file, else to the project config's directory, else to the scan root — whatever
//! spelling (`.`, `./x`, `x/`, absolute, from inside `x`) the user chose. Reports show the
//! *shown* path, the one the user typed. Exposure also sees the directories above that base
//! when there is no work tree (`cd node_modules && sealant scan .` is still third-party code).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::source::git;

/// The name standard input goes by in reports.
pub const STDIN_PATH: &str = "<stdin>";

/// One root named on the command line (or the implicit current directory).
#[derive(Debug)]
pub struct Root {
    /// As given (`./src`, `/abs/x`, `.`); the walk yields paths starting with it.
    pub given: PathBuf,
    /// Absolute, symlink-free directory that canonical paths are relative to.
    pub base: PathBuf,
    /// Whether `base` is the top of a git work tree.
    pub in_repo: bool,
    /// The root's own canonical path (`""` when the root is the base, `src`, `src/a.js`).
    pub prefix: String,
    /// What exposure sees above the base: `""` inside a git work tree, else the base's
    /// absolute path without the leading `/`, ending in `/`.
    pub above: Arc<str>,
    /// Show paths without a leading `./` (the root was the implicit current directory).
    pub strip_dot_slash: bool,
    /// `above` itself names a third-party package store (`cd node_modules && sealant scan .`).
    above_third_party: bool,
    /// Outside a work tree: directories already known to be (or not be) inside a published
    /// package.
    packages: std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>,
}

/// How a blob is named: for the user, and for every decision.
#[derive(Debug, Clone)]
pub struct BlobName {
    /// As reports show it.
    pub shown: Arc<str>,
    /// Relative to the root's base, `/`-separated; archive members as `outer.zip!inner/path`.
    pub canonical: Arc<str>,
    /// Directories above the base that exposure may look at (see [`Root::above`]).
    pub above: Arc<str>,
    /// Inside a published package nested in the scanned tree (an unpacked registry mirror):
    /// somebody else's code, whatever its directories are called.
    pub third_party: bool,
}

impl BlobName {
    /// A name that is the same for the user and for decisions (`<stdin>`, a staged path).
    pub fn plain(name: impl Into<Arc<str>>) -> BlobName {
        let name = name.into();
        BlobName {
            shown: Arc::clone(&name),
            canonical: name,
            above: Arc::from(""),
            third_party: false,
        }
    }

    /// The name of a member of this blob (an archive) whose shown chain is `chain`, built by
    /// appending `!member` (or nothing, for a compressed stream) to this blob's shown name.
    pub fn member(&self, chain: &str) -> BlobName {
        let tail = chain.strip_prefix(self.shown.as_ref()).unwrap_or(chain);
        BlobName {
            shown: Arc::from(chain),
            canonical: Arc::from(format!("{}{tail}", self.canonical)),
            above: Arc::clone(&self.above),
            third_party: self.third_party,
        }
    }
}

impl Root {
    /// Resolves `given`. `config_dir` is the directory of the project config in use, if any.
    /// A root that cannot be resolved (it does not exist) keeps its spelling as canonical path.
    pub fn resolve(given: &Path, config_dir: Option<&Path>, strip_dot_slash: bool) -> Root {
        let abs = std::fs::canonicalize(given).unwrap_or_else(|_| absolute(given));
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| abs.clone())
        };
        let top = git::toplevel(&dir).and_then(|t| std::fs::canonicalize(t).ok());
        let config_dir = config_dir
            .and_then(|c| std::fs::canonicalize(c).ok())
            .filter(|c| abs.starts_with(c));
        let (base, in_repo) = match (top, config_dir) {
            (Some(top), _) => (top, true),
            (None, Some(c)) => (c, false),
            (None, None) => (dir, false),
        };
        let prefix = abs
            .strip_prefix(&base)
            .map(slash_path)
            .unwrap_or_else(|_| slash_path(given));
        let above = if in_repo {
            String::new()
        } else {
            let mut s = slash_path(&base);
            s = s.trim_start_matches('/').to_string();
            if !s.is_empty() {
                s.push('/');
            }
            s
        };
        Root {
            given: given.to_path_buf(),
            base,
            in_repo,
            prefix,
            above_third_party: crate::exposure::in_third_party_dir(&above.to_ascii_lowercase()),
            above: Arc::from(above),
            strip_dot_slash,
            packages: Default::default(),
        }
    }

    /// The name of `path`, a path the walk found under this root.
    ///
    /// Called once per file: works on the path's text (the walk yields `given` joined with the
    /// relative path) rather than on its components.
    pub fn name(&self, path: &Path) -> BlobName {
        let shown = match path.to_str() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => path.to_string_lossy(),
        };
        let given = self.given.to_str().unwrap_or_default();
        let rel = match shown.strip_prefix(given) {
            Some(rest)
                if !given.is_empty()
                    && (rest.is_empty() || given.ends_with('/') || rest.starts_with('/')) =>
            {
                std::borrow::Cow::Borrowed(rest.trim_start_matches('/'))
            }
            _ => {
                std::borrow::Cow::Owned(slash_path(path.strip_prefix(&self.given).unwrap_or(path)))
            }
        };
        let mut canonical = String::with_capacity(self.prefix.len() + 1 + rel.len());
        canonical.push_str(&self.prefix);
        if !self.prefix.is_empty() && !rel.is_empty() {
            canonical.push('/');
        }
        canonical.push_str(&rel);
        let shown: Arc<str> = match shown.strip_prefix("./") {
            Some(rest) if self.strip_dot_slash => Arc::from(rest),
            _ => Arc::from(shown.as_ref()),
        };
        let third_party = !self.in_repo && self.in_package(path, &canonical);
        BlobName {
            shown,
            canonical: Arc::from(canonical),
            above: Arc::clone(&self.above),
            third_party,
        }
    }

    /// Whether `path` sits in a published package below the scan root: a directory with a
    /// `package.json` naming the package and its version and no lock file beside it (npm
    /// leaves lock files out of what it publishes). Looked up only for files whose place
    /// could make them public (build or web directories, bundle files), once per directory.
    fn in_package(&self, path: &Path, canonical: &str) -> bool {
        // Already third-party by name: exposure says so without a look at the disk.
        if self.above_third_party {
            return false;
        }
        let lower = canonical.to_ascii_lowercase();
        let maybe_public = [".js", ".mjs", ".cjs", ".css", ".map", ".env", ".html"]
            .iter()
            .any(|e| lower.ends_with(e))
            || lower.split('/').any(|d| {
                [
                    "dist", "build", "out", "static", "public", "www", "htdocs", "web",
                ]
                .contains(&d)
            });
        if !maybe_public || crate::exposure::in_third_party_dir(&lower) {
            return false;
        }
        path.parent().is_some_and(|d| self.dir_in_package(d))
    }

    /// Whether `dir` is, or is inside, a published package below the root: one cache lookup
    /// per file, each directory's `package.json` read once.
    fn dir_in_package(&self, dir: &Path) -> bool {
        // The root itself is the project, not a package inside it.
        if dir == self.given || dir.as_os_str().is_empty() || !is_under(dir, &self.given) {
            return false;
        }
        if let Some(known) = self.packages.lock().ok().and_then(|m| m.get(dir).copied()) {
            return known;
        }
        let inside =
            is_published_package(dir) || dir.parent().is_some_and(|p| self.dir_in_package(p));
        if let Ok(mut m) = self.packages.lock() {
            m.insert(dir.to_path_buf(), inside);
        }
        inside
    }
}

/// A directory holding a published npm package (see [`Root::in_package`]).
fn is_published_package(dir: &Path) -> bool {
    let Ok(text) = std::fs::read(dir.join("package.json")) else {
        return false;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return false;
    };
    let named = json.get("name").is_some_and(|v| v.is_string())
        && json.get("version").is_some_and(|v| v.is_string());
    named
        && ![
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lockb",
        ]
        .iter()
        .any(|l| dir.join(l).exists())
}

/// Whether `path` is `dir` or below it, for a path the walk built by joining onto `dir`:
/// compares text, which is much cheaper than comparing components once per file.
pub fn is_under(path: &Path, dir: &Path) -> bool {
    let (p, d) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    match p.strip_prefix(d) {
        Some(rest) => rest.is_empty() || d.ends_with(b"/") || rest.starts_with(b"/"),
        None => false,
    }
}

/// `path` as `/`-separated components, without `.` components.
fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        let part = match c {
            Component::CurDir => continue,
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(p) => p.as_os_str().to_string_lossy(),
            Component::ParentDir => "..".into(),
            Component::Normal(s) => s.to_string_lossy(),
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part);
    }
    out
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_gives_one_canonical_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(real.join("proj/src")).expect("mkdir");
        std::fs::write(real.join("proj/.sealant.toml"), "").expect("write");
        std::fs::write(real.join("proj/src/a.js"), "x").expect("write");
        let config = real.join("proj");
        let spellings = [
            real.join("proj/src"),
            real.join("proj/./src/"),
            real.join("proj/src/../src"),
        ];
        for s in &spellings {
            let root = Root::resolve(s, Some(&config), false);
            assert_eq!(root.prefix, "src", "{s:?}");
            let name = root.name(&s.join("a.js"));
            assert_eq!(name.canonical.as_ref(), "src/a.js", "{s:?}");
        }
        let file = Root::resolve(&real.join("proj/src/a.js"), Some(&config), false);
        assert_eq!(
            file.name(&real.join("proj/src/a.js")).canonical.as_ref(),
            "src/a.js"
        );
        // Without a config or work tree, the scan root is the base and exposure sees above it.
        let bare = Root::resolve(&real.join("proj/src"), None, false);
        assert_eq!(bare.prefix, "");
        assert!(bare.above.ends_with("proj/src/"), "{}", bare.above);
    }

    #[test]
    fn member_names_extend_both_paths() {
        let outer = BlobName {
            shown: Arc::from("./dist/app.zip"),
            canonical: Arc::from("web/dist/app.zip"),
            above: Arc::from(""),
            third_party: false,
        };
        let m = outer.member("./dist/app.zip!a/.env");
        assert_eq!(m.canonical.as_ref(), "web/dist/app.zip!a/.env");
        assert_eq!(m.shown.as_ref(), "./dist/app.zip!a/.env");
    }
}
