//! What git's ignore rules left out of a tree scan: counted for the summary, and named when it
//! looks like build output — `dist/`, `.next/`, an `.apk` — since for a release audit that is
//! the part that ships (a `.gitignore` lists it precisely because it is built). Hands on the
//! count and, for build output, one line saying how to scan it.

use std::path::{Path, PathBuf};

use crate::source::git;
use crate::source::walk::WalkOptions;

/// Directory names that hold what a build produces.
const BUILD_DIRS: &[&str] = &[
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".output",
    ".svelte-kit",
    "public/build",
    "www",
    "release",
    "bundle",
];
/// File extensions of built packages.
const BUILD_FILES: &[&str] = &[".apk", ".aab", ".ipa", ".xapk", ".war", ".ear"];

/// Whether an ignored path (relative, directories ending in `/`) looks like build output.
fn build_output(path: &str) -> bool {
    match path.strip_suffix('/') {
        Some(dir) => BUILD_DIRS
            .iter()
            .any(|b| dir == *b || dir.ends_with(&format!("/{b}"))),
        None => BUILD_FILES.iter().any(|e| path.ends_with(e)),
    }
}

/// The files and directories git's ignore rules leave out under the directories among `roots`
/// (none when the walk does not apply them), and a notice naming those that look like build
/// output.
pub(super) fn left_out(roots: &[PathBuf], walk: &WalkOptions) -> (u64, Option<String>) {
    if walk.no_ignore || walk.no_ignore_vcs {
        return (0, None);
    }
    let mut count = 0u64;
    let mut built: Vec<String> = Vec::new();
    for root in roots.iter().filter(|r| r.is_dir()) {
        let Some(paths) = git::ignored(root) else {
            continue;
        };
        count += paths.len() as u64;
        let shown = |p: &str| {
            if root == Path::new(".") {
                p.to_string()
            } else {
                root.join(p).display().to_string()
            }
        };
        built.extend(paths.iter().filter(|p| build_output(p)).map(|p| shown(p)));
    }
    if built.is_empty() {
        return (count, None);
    }
    let first = built[0].clone();
    let more = match built.len() {
        1 => String::new(),
        2 => format!(" and {}", built[1]),
        n => format!(", {} and {} more", built[1], n - 2),
    };
    let (is, it) = if built.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    let notice = format!(
        "{first}{more} {is} left out by .gitignore and not scanned, but built output is what \
         ships: scan {it} with --no-ignore-vcs, or name {it}: sealant scan {first}"
    );
    (count, Some(notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_by_name() {
        for yes in [
            "dist/",
            "web/dist/",
            ".next/",
            "public/build/",
            "app-release.apk",
        ] {
            assert!(build_output(yes), "{yes}");
        }
        for no in [
            "node_modules/",
            "dist.txt",
            "distribution/",
            ".env",
            "logs/",
        ] {
            assert!(!build_output(no), "{no}");
        }
    }
}
