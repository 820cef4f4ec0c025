//! Every path glob of every rule (`paths`, `exclude`, `info`) in one index, so that a file's
//! path is matched once for all rules, cheaply: it is asked of every file a scan opens.
//! Globs `**/NAME` (no `/` in NAME, most of them) are matched against the path's last
//! component alone, which gives the same answer, mostly without a regex ([`NameGlobs`]). A
//! glob with directories in it runs only on paths whose last component its own last
//! component matches (`*.py` for `**/settings/*.py`), or, when that is `**`, on paths that
//! hold its longest literal (`src/debug` for `**/src/debug/**`).

use globset::{Candidate, Glob, GlobMatcher};
use memchr::memmem::Finder;

use super::names::NameGlobs;
use super::scope::Scope;
use crate::error::Result;

/// What a glob of a scope says about a path it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The rule applies there (`paths`).
    Path,
    /// The rule does not apply there (`exclude`).
    Exclude,
    /// Its findings there are info (`info`).
    Info,
}

/// The index; each glob is tagged with the number its scope was added under and its [`Role`].
#[derive(Debug)]
pub struct PathIndex {
    /// Globs `**/NAME`, and the last components of the globs in `whole` (their index).
    names: NameGlobs<Tag>,
    whole: Vec<(GlobMatcher, (Role, u32))>,
    /// Whole-path globs run only on paths holding a literal.
    screened: Vec<(Finder<'static>, GlobMatcher, (Role, u32))>,
    /// Globs run on every path.
    unscreened: Vec<(GlobMatcher, (Role, u32))>,
}

/// What a name glob of the index stands for.
#[derive(Debug, Clone, Copy)]
enum Tag {
    /// A glob `**/NAME` of this owner and role.
    Name(Role, u32),
    /// The last component of `PathIndex::whole[i]`.
    Whole(usize),
}

/// The owners and roles of the globs that match one path: filled by [`PathIndex::matches`].
#[derive(Debug, Default)]
pub struct PathMatches {
    /// Sorted, without repeats.
    tags: Vec<(Role, u32)>,
    names: Vec<Tag>,
}

impl PathMatches {
    /// Whether a glob of `role` of owner `owner` matched.
    pub fn has(&self, role: Role, owner: u32) -> bool {
        self.tags.binary_search(&(role, owner)).is_ok()
    }

    /// The owners whose `paths` matched, in order.
    pub fn paths(&self) -> impl Iterator<Item = u32> + '_ {
        (self.tags.iter())
            .take_while(|(role, _)| *role == Role::Path)
            .map(|&(_, owner)| owner)
    }
}

impl PathIndex {
    pub fn new<'a>(scopes: impl Iterator<Item = (u32, &'a Scope)>) -> Result<PathIndex> {
        let mut index = PathIndex {
            names: NameGlobs::default(),
            whole: Vec::new(),
            screened: Vec::new(),
            unscreened: Vec::new(),
        };
        for (owner, scope) in scopes {
            let roles = [
                (Role::Path, &scope.path_globs),
                (Role::Exclude, &scope.exclude_globs),
                (Role::Info, &scope.info_globs),
            ];
            for (role, globs) in roles {
                for g in globs {
                    index.add(g, role, owner)?;
                }
            }
        }
        Ok(index)
    }

    fn add(&mut self, g: &Glob, role: Role, owner: u32) -> Result<()> {
        if let Some(name) = name_glob(g) {
            return self.names.add(name, Tag::Name(role, owner));
        }
        let matcher = g.compile_matcher();
        if let Some(last) = last_component(g.glob()) {
            self.names.add(last, Tag::Whole(self.whole.len()))?;
            self.whole.push((matcher, (role, owner)));
        } else if let Some(literal) = longest_literal(g.glob()) {
            let finder = Finder::new(literal.as_bytes()).into_owned();
            self.screened.push((finder, matcher, (role, owner)));
        } else {
            self.unscreened.push((matcher, (role, owner)));
        }
        Ok(())
    }

    /// Puts in `out` the owners and roles of the globs that match `path`, whose last
    /// component is `name`.
    pub fn matches(&self, path: &str, name: &str, out: &mut PathMatches) {
        out.tags.clear();
        out.names.clear();
        self.names.matches(name, &mut out.names);
        let mut candidate = None;
        let mut run = |glob: &GlobMatcher| {
            glob.is_match_candidate(candidate.get_or_insert_with(|| Candidate::new(path)))
        };
        for &tag in &out.names {
            match tag {
                Tag::Name(role, owner) => out.tags.push((role, owner)),
                Tag::Whole(i) => {
                    let (glob, tag) = &self.whole[i];
                    if run(glob) {
                        out.tags.push(*tag);
                    }
                }
            }
        }
        for (literal, glob, tag) in &self.screened {
            if literal.find(path.as_bytes()).is_some() && run(glob) {
                out.tags.push(*tag);
            }
        }
        for (glob, tag) in &self.unscreened {
            if run(glob) {
                out.tags.push(*tag);
            }
        }
        out.tags.sort_unstable();
        out.tags.dedup();
    }
}

/// For a glob `**/NAME` with no `/` in NAME: NAME, a glob that matches a path's last
/// component exactly when the whole glob matches the path.
fn name_glob(g: &Glob) -> Option<&str> {
    g.glob()
        .strip_prefix("**/")
        .filter(|name| !name.contains(['/', '\\']) && !name.contains("**"))
}

/// The last component of a glob with directories in it, when it is a name glob (not `**`),
/// which a path's last component must match for the glob to match.
fn last_component(pattern: &str) -> Option<&str> {
    if pattern.contains(['[', '{', '\\']) {
        return None;
    }
    let (_, last) = pattern.rsplit_once('/')?;
    (!last.contains("**")).then_some(last)
}

/// The longest run of literal characters that every path `pattern` matches holds, if any.
/// Patterns with classes, alternatives or escapes have none here (they are rare: run them).
fn longest_literal(pattern: &str) -> Option<&str> {
    if pattern.contains(['[', '{', '\\']) {
        return None;
    }
    let mut runs = Vec::new();
    for part in pattern.split("**") {
        // `**` may match nothing, the slashes beside it included.
        let part = part.strip_prefix('/').unwrap_or(part);
        let part = part.strip_suffix('/').unwrap_or(part);
        runs.extend(part.split(['*', '?']));
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .max_by_key(|r| r.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_what_every_match_holds() {
        let cases = [
            ("**/settings/*.py", Some("settings/")),
            ("**/src/debug/**", Some("src/debug")),
            ("**/config/app.php", Some("config/app.php")),
            ("a/**/bc", Some("bc")),
            ("a/{b,cdef}/gh", None),
            ("x[/abcdef]yz", None),
            ("**/*", None),
            ("*", None),
            ("?x*", Some("x")),
        ];
        for (pattern, literal) in cases {
            assert_eq!(longest_literal(pattern), literal, "{pattern}");
        }
        let lasts = [
            ("**/settings/*.py", Some("*.py")),
            ("**/src/debug/**", None),
            ("docs/a.md", Some("a.md")),
            ("**/a/{b,c/d}", None),
            ("*.md", None),
        ];
        for (pattern, last) in lasts {
            assert_eq!(last_component(pattern), last, "{pattern}");
        }
    }

    /// The index says of each path what each scope's own glob sets say.
    #[test]
    fn agrees_with_each_scopes_globs() {
        let patterns = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let scopes = [
            Scope::new(
                &patterns(&["**/.env", "**/.env.*", "**/*.{js,ts}", "**/settings/*.py"]),
                &patterns(&["**/.env.*.example", "**/tests/**", "**/x[ab]/*.js", "READ*"]),
                &patterns(&["**/src/debug/**", "**/test_*.py", "**/.env.local"]),
                &[],
                "a",
            ),
            Scope::new(
                &patterns(&["**/config/app.php", "docs/*.md", "**/a/**/b.txt", "**/?.js"]),
                &patterns(&["**/*", "lit/**"]),
                &patterns(&["*.{md,txt}"]),
                &[],
                "b",
            ),
        ]
        .map(|s| s.expect("globs compile"));
        let index = PathIndex::new(scopes.iter().enumerate().map(|(i, s)| (i as u32, s)))
            .expect("index builds");
        let paths = [
            ".env",
            "app/.env",
            "/abs/app/.env.production",
            "app/.env.local.example",
            "a.js",
            "x/a.ts",
            "xa/b.js",
            "xc/b.js",
            "settings/base.py",
            "a/settings/b.py",
            "a/settings/c/d.py",
            "tests/a.js",
            "a/tests/b.js",
            "src/debug/x.js",
            "a/src/debug/y/z.ts",
            "src/debugx/y.js",
            "test_a.py",
            "a/test_b.py",
            "config/app.php",
            "x/config/app.php",
            "config/app.phpx",
            "docs/a.md",
            "x/docs/a.md",
            "a/b.txt",
            "a/c/d/b.txt",
            "q/a/b.txt",
            "b.txt",
            "lit/x",
            "x/lit/y",
            "é/.env",
            "",
            "README.md",
            "x/README",
            "docs/README.md",
        ];
        for path in paths {
            let name = path.rsplit('/').next().unwrap_or(path);
            let mut found = PathMatches::default();
            index.matches(path, name, &mut found);
            let candidate = Candidate::new(path);
            for (i, scope) in scopes.iter().enumerate() {
                let owner = i as u32;
                let any = |globs: &[Glob]| {
                    globs
                        .iter()
                        .any(|g| g.compile_matcher().is_match_candidate(&candidate))
                };
                assert_eq!(
                    found.has(Role::Path, owner),
                    any(&scope.path_globs),
                    "{path}"
                );
                assert_eq!(
                    found.has(Role::Exclude, owner),
                    any(&scope.exclude_globs),
                    "{path}"
                );
                assert_eq!(
                    found.has(Role::Info, owner),
                    any(&scope.info_globs),
                    "{path}"
                );
            }
        }
    }
}
