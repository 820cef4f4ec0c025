//! Globs on a file's name (a path's last component) — the `**/NAME` globs of rule scopes —
//! matched without a regex where they allow it: a name spelled out (`.env`), or a literal
//! prefix and suffix around one `*` (`*.js`, `.env.*`). Braces are expanded first
//! (`*.{yml,yaml}` is `*.yml` and `*.yaml`); anything else (`?`, classes, escapes) keeps a
//! glob matcher, run only on names with its literal prefix and suffix. A scan asks this of
//! every file, so it costs a hash lookup or two rather than a regex set over the name.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobMatcher};

use crate::error::{Error, Result};
use crate::fasthash::FastHash;

/// Alternatives a pattern's braces may expand to before it is matched as a glob instead.
const MAX_EXPANSIONS: usize = 256;

/// Name globs, each with a tag saying whose it is.
#[derive(Debug)]
pub struct NameGlobs<T> {
    /// Names spelled out in full. (The keys are the rules'; a name looked up is not added, so
    /// names chosen to collide cost nothing: no need for SipHash.)
    exact: HashMap<Box<str>, Vec<T>, FastHash>,
    /// Patterns whose suffix holds a `.`, by the suffix from its last `.` on: a name can only
    /// match them if that is its own extension.
    by_extension: HashMap<Box<str>, Vec<Around<T>>, FastHash>,
    /// The other patterns.
    others: Vec<Around<T>>,
}

/// A pattern with a literal prefix and suffix (what precedes its first wildcard and follows
/// its last).
#[derive(Debug)]
struct Around<T> {
    pattern: Box<str>,
    prefix: Box<str>,
    suffix: Box<str>,
    /// `None` when one `*` is all that lies between them; otherwise the whole pattern.
    rest: Option<GlobMatcher>,
    /// The tags of every glob with this pattern.
    tags: Vec<T>,
}

impl<T> Around<T> {
    fn matches(&self, name: &str) -> bool {
        let (bytes, prefix, suffix) = (
            name.as_bytes(),
            self.prefix.as_bytes(),
            self.suffix.as_bytes(),
        );
        // The first and last bytes compared inline: most names differ there.
        bytes.len() >= prefix.len() + suffix.len()
            && prefix.first().is_none_or(|b| bytes.first() == Some(b))
            && suffix.last().is_none_or(|b| bytes.last() == Some(b))
            && bytes.starts_with(prefix)
            && bytes.ends_with(suffix)
            && self.rest.as_ref().is_none_or(|m| m.is_match(name))
    }
}

impl<T> Default for NameGlobs<T> {
    fn default() -> Self {
        NameGlobs {
            exact: HashMap::default(),
            by_extension: HashMap::default(),
            others: Vec::new(),
        }
    }
}

impl<T: Copy> NameGlobs<T> {
    /// Adds a glob on names (no `/` in it), tagged `tag`.
    pub fn add(&mut self, pattern: &str, tag: T) -> Result<()> {
        let expanded = expand(pattern);
        let patterns = match expanded.len() {
            1..=MAX_EXPANSIONS => expanded,
            _ => vec![pattern.to_string()],
        };
        for p in patterns {
            let first = p.find(is_meta);
            let Some(first) = first else {
                self.exact.entry(p.into()).or_default().push(tag);
                continue;
            };
            let last = p.rfind(is_meta).unwrap_or(first);
            let (prefix, suffix) = (&p[..first], &p[last + 1..]);
            let rest = match &p[first..=last] {
                "*" => None,
                _ => Some(
                    GlobBuilder::new(&p)
                        .literal_separator(true)
                        .build()
                        .map_err(|e| Error::new(format!("bad path glob {pattern:?}: {e}")))?
                        .compile_matcher(),
                ),
            };
            let list = match suffix.rfind('.') {
                Some(dot) => (self.by_extension).entry(suffix[dot..].into()).or_default(),
                None => &mut self.others,
            };
            match list.iter_mut().find(|a| *a.pattern == *p) {
                Some(same) => same.tags.push(tag),
                None => list.push(Around {
                    prefix: prefix.into(),
                    suffix: suffix.into(),
                    pattern: p.into(),
                    rest,
                    tags: vec![tag],
                }),
            }
        }
        Ok(())
    }

    /// Appends to `out` the tags of the globs that match `name` (with repeats, in no order).
    pub fn matches(&self, name: &str, out: &mut Vec<T>) {
        if let Some(tags) = self.exact.get(name) {
            out.extend_from_slice(tags);
        }
        let of_extension = name
            .rfind('.')
            .and_then(|dot| self.by_extension.get(&name[dot..]));
        for around in of_extension.into_iter().flatten().chain(&self.others) {
            if around.matches(name) {
                out.extend_from_slice(&around.tags);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.by_extension.is_empty() && self.others.is_empty()
    }
}

/// Whether `c` has a meaning in a glob.
fn is_meta(c: char) -> bool {
    matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\')
}

/// The patterns `pattern`'s braces stand for (`a{b,c}d{e,f}`: four), or `pattern` alone when
/// it has none; none at all when it has more than [`MAX_EXPANSIONS`], or braces inside
/// braces, escapes or classes (which could hold braces), that it is not worth expanding.
fn expand(pattern: &str) -> Vec<String> {
    if pattern.contains(['\\', '[']) {
        return vec![pattern.to_string()];
    }
    let mut done = vec![String::new()];
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            return Vec::new();
        };
        let inside = &rest[open + 1..close];
        if inside.contains('{') || done.len() * (inside.matches(',').count() + 1) > MAX_EXPANSIONS {
            return Vec::new();
        }
        done = (done.iter())
            .flat_map(|d| {
                inside
                    .split(',')
                    .map(move |alt| format!("{d}{}{alt}", &rest[..open]))
            })
            .collect();
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Vec::new();
    }
    done.iter_mut().for_each(|d| d.push_str(rest));
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use globset::Glob;

    #[test]
    fn braces_expand_and_odd_ones_are_left_whole() {
        assert_eq!(expand("*.{js,ts}"), ["*.js", "*.ts"]);
        assert_eq!(expand("a{b,c}d{e,f}"), ["abde", "abdf", "acde", "acdf"]);
        assert_eq!(expand(".env"), [".env"]);
        assert_eq!(expand("x{a,{b,c}}").len(), 0);
        assert_eq!(expand("x{a,b").len(), 0);
        assert_eq!(expand("[{]x"), ["[{]x"]);
    }

    /// Every pattern agrees with globset on names chosen to sit on each side of it.
    #[test]
    fn agrees_with_globset() {
        let patterns = [
            ".env",
            ".env.*",
            ".env.*.example",
            "*.{js,mjs,cjs,ts,map}",
            "*.js.map",
            "settings_*.py",
            "test_*.py",
            "*_test.py",
            "environment*.ts",
            "Dockerfile.*",
            "shadow-",
            "?.txt",
            "[ab]c.*",
            "x{a,b}y*z",
            "*",
            "lit\\*eral",
        ];
        let names = [
            ".env",
            ".env.",
            ".env.local",
            ".env.local.example",
            ".envx",
            "env",
            "a.js",
            ".js",
            "js",
            "a.mjs",
            "a.js.map",
            "a.map",
            "b.css.map",
            "settings_.py",
            "settings_dev.py",
            "settings.py",
            "test_x.py",
            "x_test.py",
            "_test.py",
            "environment.ts",
            "environment.prod.ts",
            "Dockerfile",
            "Dockerfile.dev",
            "shadow-",
            "shadow",
            "a.txt",
            "ab.txt",
            "ac.x",
            "bc.",
            "cc.x",
            "xayz",
            "xbyQQz",
            "xcyz",
            "ac",
            "abc",
            "lit*eral",
            "litXeral",
            "",
            "é.js",
        ];
        for (i, p) in patterns.iter().enumerate() {
            let mut globs = NameGlobs::default();
            globs.add(p, i).expect("pattern compiles");
            let reference = Glob::new(p).expect("glob").compile_matcher();
            for n in names {
                let mut out = Vec::new();
                globs.matches(n, &mut out);
                assert_eq!(!out.is_empty(), reference.is_match(n), "{p:?} on {n:?}");
                assert!(out.iter().all(|&t| t == i));
            }
        }
    }
}
