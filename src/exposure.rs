//! Exposure context: where a file will end up, judged from its path (and, for bundles, its
//! content). A key in `src/` is a leak waiting to happen; the same key in `dist/` or `public/`
//! is already on every visitor's machine.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Source code, configuration: not published by itself.
    #[default]
    Source,
    /// Built frontend output (`dist/`, `build/`, `out/`, `.next/static/`, `static/`, or a
    /// minified bundle recognised by content): downloaded by every visitor.
    PublicBundle,
    /// Served as-is by a web server (`public/`, `www/`, `htdocs/`, `web/`, …).
    WebRoot,
    /// Inside an Android or iOS app package: anyone can unpack it.
    MobileApp,
    /// Fetched from a deployed site (`sealant probe`): served to anyone who asks.
    LiveSite,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Source => "source",
            Exposure::PublicBundle => "public-bundle",
            Exposure::WebRoot => "web-root",
            Exposure::MobileApp => "mobile-app",
            Exposure::LiveSite => "live-site",
        }
    }

    /// Whether what sits here is already readable by anyone.
    pub fn is_public(self) -> bool {
        self != Exposure::Source
    }
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const BUILD_DIRS: &[&str] = &["dist", "build", "out", "static"];
/// Third-party code: what sits there is somebody else's package, not this project's output.
const THIRD_PARTY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "site-packages",
    "dist-packages",
];
const WEB_ROOTS: &[&str] = &[
    "public",
    "www",
    "htdocs",
    "web",
    "wwwroot",
    "public_html",
    "webroot",
];
const MOBILE_PACKAGES: &[&str] = &[".apk", ".aab", ".ipa", ".xapk", ".apks"];
const BUNDLE_EXTENSIONS: &[&str] = &[".js", ".mjs", ".cjs", ".css", ".map"];
/// Compiler output that no web server serves from `build/` or `target/` (Gradle, Maven, Cargo,
/// C): judged by its place like source, never as a public bundle.
const COMPILED_EXTENSIONS: &[&str] = &[
    ".class", ".jar", ".o", ".obj", ".a", ".so", ".dylib", ".dll", ".rlib", ".rmeta", ".pyc",
    ".dex",
];
/// Directories that hold other people's packages: registry caches and vendored trees.
const PACKAGE_STORES: &[&str] = &["third_party", "third-party", "thirdparty", "external"];

/// Whether a directory of `path` (lower case, `/`-separated) names a third-party package
/// store (`node_modules`, `vendor`, `site-packages`, …): what is below is somebody else's code.
pub fn in_third_party_dir(path: &str) -> bool {
    path.split('/')
        .any(|d| THIRD_PARTY_DIRS.contains(&d) || PACKAGE_STORES.contains(&d))
}

/// Classifies a blob by its path (archive members as `outer.apk!inner/path`) and, when the path
/// says nothing, by whether `head` (its first bytes) looks like a minified bundle.
pub fn classify(path: &str, head: &[u8]) -> Exposure {
    classify_under("", path, head)
}

/// What a blob's directories (and the archives around it) say of its exposure, before its own
/// name and content are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirClass {
    /// Inside a mobile app package.
    MobileApp,
    /// Source whatever the file (a registry cache, a third-party package no public directory
    /// holds).
    Source,
    /// Built output (`dist/`, `.next/static/`).
    PublicBundle,
    /// A web root: bundles there are bundles, anything else is served as is.
    WebRoot,
    /// Nothing: the file's name and content decide.
    Plain,
}

/// [`classify`] for `path` below the directories `above` (`a/b/`, see `source::root`).
pub fn classify_under(above: &str, path: &str, head: &[u8]) -> Exposure {
    classify_cached(&mut ExposureCache::default(), above, path, head)
}

/// The last directory classified, so that the files of one directory (which the walk hands
/// out together) are classified by their names and content only.
#[derive(Debug, Default)]
pub struct ExposureCache {
    /// `above` and the path up to its last `/`, as given.
    key: String,
    above_len: usize,
    class: Option<DirClass>,
}

/// [`classify_under`], reusing `cache`'s directory verdict when `path` is in the same
/// directory as the last blob classified with it.
pub fn classify_cached(
    cache: &mut ExposureCache,
    above: &str,
    path: &str,
    head: &[u8],
) -> Exposure {
    // A URL: fetched from a deployed site, so anyone can fetch it too.
    if above.is_empty() && (path.starts_with("https://") || path.starts_with("http://")) {
        return Exposure::LiveSite;
    }
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    let class = if file.contains('!') {
        // An archive chain in the file's own name: its links are not the directory's.
        dir_class(above, path)
    } else {
        let same = cache.class.is_some()
            && cache.above_len == above.len()
            && cache.key.len() == above.len() + dir.len()
            && cache.key.starts_with(above)
            && cache.key.ends_with(dir);
        if !same {
            cache.key.clear();
            cache.key.push_str(above);
            cache.key.push_str(dir);
            cache.above_len = above.len();
            // The directory's verdict: classify a stand-in file name in it.
            let stand_in = if dir.is_empty() {
                "f".to_string()
            } else {
                format!("{dir}/f")
            };
            cache.class = Some(dir_class(above, &stand_in));
        }
        cache.class.unwrap_or(DirClass::Plain)
    };
    let lower_file = file.rsplit('!').next().unwrap_or(file).to_ascii_lowercase();
    if class == DirClass::MobileApp {
        return Exposure::MobileApp;
    }
    if COMPILED_EXTENSIONS
        .iter()
        .any(|ext| lower_file.ends_with(ext))
    {
        return Exposure::Source;
    }
    let is_bundle_file = BUNDLE_EXTENSIONS
        .iter()
        .any(|ext| lower_file.ends_with(ext));
    match class {
        DirClass::MobileApp => Exposure::MobileApp,
        DirClass::Source => Exposure::Source,
        DirClass::PublicBundle => Exposure::PublicBundle,
        DirClass::WebRoot if is_bundle_file => Exposure::PublicBundle,
        DirClass::WebRoot => Exposure::WebRoot,
        // A source map is one long JSON line whatever it maps: its content says nothing.
        DirClass::Plain
            if is_bundle_file && !lower_file.ends_with(".map") && looks_minified(head) =>
        {
            Exposure::PublicBundle
        }
        DirClass::Plain => Exposure::Source,
    }
}

/// What the directories of `path` below `above` (and the archives along its chain) say; the
/// file name at its end is only a place holder for where the directories end.
fn dir_class(above: &str, path: &str) -> DirClass {
    let mut lower = String::with_capacity(above.len() + path.len());
    lower.push_str(above);
    lower.push_str(path);
    lower.make_ascii_lowercase();
    // Archive chain: any mobile package along it makes the member part of a mobile app.
    let mut links = lower.split('!');
    let last = links.next_back().unwrap_or_default();
    if links.any(|outer| MOBILE_PACKAGES.iter().any(|ext| outer.ends_with(ext))) {
        return DirClass::MobileApp;
    }
    // Registry caches hold other people's packages, whatever their directories are called.
    let in_cache = |marker: &str| last.starts_with(&marker[1..]) || last.contains(marker);
    if [
        "/.cargo/registry/",
        "/.m2/repository/",
        "/.gradle/caches/",
        "/.npm/",
    ]
    .iter()
    .any(|m| in_cache(m))
    {
        return DirClass::Source;
    }
    // Directories only: everything before the last `/`.
    let mut dirs = last.rsplit_once('/').map_or("", |(d, _)| d);
    // Inside a third-party package, only directories above it say where files are served.
    let third_party = |d: &str| {
        THIRD_PARTY_DIRS.contains(&d)
            || PACKAGE_STORES.contains(&d)
            || d.ends_with(".dist-info")
            || d.ends_with(".egg-info")
    };
    let public_dir = |d: &str| BUILD_DIRS.contains(&d) || WEB_ROOTS.contains(&d);
    let mut offset = 0;
    for d in dirs.split('/') {
        if third_party(d) {
            dirs = &dirs[..offset];
            if !dirs.split('/').any(public_dir) {
                return DirClass::Source;
            }
            break;
        }
        offset += d.len() + 1;
    }
    let next_static = dirs.starts_with(".next/static") || dirs.contains("/.next/static");
    if next_static || dirs.split('/').any(|d| BUILD_DIRS.contains(&d)) {
        return DirClass::PublicBundle;
    }
    if dirs.split('/').any(|d| WEB_ROOTS.contains(&d)) {
        return DirClass::WebRoot;
    }
    DirClass::Plain
}

/// A minified bundle: long lines on average, and at least one very long line.
fn looks_minified(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(64 * 1024)];
    if sample.len() < 2048 {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', sample).count() + 1;
    let longest = sample
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    sample.len() / lines > 300 && longest > 1500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_path() {
        assert_eq!(classify("src/config.js", b""), Exposure::Source);
        assert_eq!(
            classify("dist/assets/index-4f2a.js", b""),
            Exposure::PublicBundle
        );
        assert_eq!(
            classify("./web/.next/static/chunks/app.js", b""),
            Exposure::PublicBundle
        );
        assert_eq!(classify("public/.env", b""), Exposure::WebRoot);
        assert_eq!(classify("public/js/app.js", b""), Exposure::PublicBundle);
        assert_eq!(classify("htdocs/config.php", b""), Exposure::WebRoot);
        assert_eq!(
            classify("release/app.apk!res/raw/config.json", b""),
            Exposure::MobileApp
        );
        assert_eq!(classify("distribution/notes.txt", b""), Exposure::Source);
        assert_eq!(
            classify("node_modules/lib/dist/index.js", b""),
            Exposure::Source
        );
        assert_eq!(
            classify("public/vendor/jquery/jquery.js", b""),
            Exposure::PublicBundle
        );
    }

    #[test]
    fn packages_and_compiler_output_are_not_bundles() {
        let min = format!("{{\"version\":3,\"mappings\":\"{}\"}}", "AAAA,".repeat(800));
        assert_eq!(
            classify("lib/index.js.map", min.as_bytes()),
            Exposure::Source
        );
        assert_eq!(
            classify("app/build/classes/Main.class", b""),
            Exposure::Source
        );
        assert_eq!(classify("target/classes/App.class", b""), Exposure::Source);
        assert_eq!(classify("third_party/lib/dist/x.js", b""), Exposure::Source);
        assert_eq!(
            classify("home/u/.cargo/registry/src/x/dist/a.js", b""),
            Exposure::Source
        );
        assert_eq!(
            classify("usr/lib/python3/site-packages/foo/static/a.js", b""),
            Exposure::Source
        );
        assert_eq!(
            classify("build/static/js/main.js", b""),
            Exposure::PublicBundle
        );
    }

    #[test]
    fn minified_bundles_by_content() {
        let bundle = format!("!function(){{{}}}();\n", "var a=1;".repeat(600));
        assert_eq!(
            classify("assets/lib.min.js", bundle.as_bytes()),
            Exposure::PublicBundle
        );
        let source = "const a = 1;\n".repeat(600);
        assert_eq!(classify("src/lib.js", source.as_bytes()), Exposure::Source);
        assert_eq!(classify("notes.txt", bundle.as_bytes()), Exposure::Source);
    }

    /// The classification before directories were cached (the code as it was), kept as the
    /// oracle the cached one must agree with.
    fn reference(above: &str, path: &str, head: &[u8]) -> Exposure {
        let mut lower = String::with_capacity(above.len() + path.len());
        lower.push_str(above);
        lower.push_str(path);
        lower.make_ascii_lowercase();
        // Archive chain: any mobile package along it makes the member part of a mobile app.
        let mut links = lower.split('!');
        let last = links.next_back().unwrap_or_default();
        if links.any(|outer| MOBILE_PACKAGES.iter().any(|ext| outer.ends_with(ext))) {
            return Exposure::MobileApp;
        }
        if COMPILED_EXTENSIONS.iter().any(|ext| last.ends_with(ext)) {
            return Exposure::Source;
        }
        // Registry caches hold other people's packages, whatever their directories are called.
        let in_cache = |marker: &str| last.starts_with(&marker[1..]) || last.contains(marker);
        if [
            "/.cargo/registry/",
            "/.m2/repository/",
            "/.gradle/caches/",
            "/.npm/",
        ]
        .iter()
        .any(|m| in_cache(m))
        {
            return Exposure::Source;
        }
        // Directories only (no per-file allocation): everything before the last `/`.
        let mut dirs = last.rsplit_once('/').map_or("", |(d, _)| d);
        // Inside a third-party package, only directories above it say where files are served.
        let third_party = |d: &str| {
            THIRD_PARTY_DIRS.contains(&d)
                || PACKAGE_STORES.contains(&d)
                || d.ends_with(".dist-info")
                || d.ends_with(".egg-info")
        };
        let public_dir = |d: &str| BUILD_DIRS.contains(&d) || WEB_ROOTS.contains(&d);
        let mut offset = 0;
        for d in dirs.split('/') {
            if third_party(d) {
                dirs = &dirs[..offset];
                if !dirs.split('/').any(public_dir) {
                    return Exposure::Source;
                }
                break;
            }
            offset += d.len() + 1;
        }
        let is_bundle_file = BUNDLE_EXTENSIONS.iter().any(|ext| last.ends_with(ext));
        let next_static = dirs.starts_with(".next/static") || dirs.contains("/.next/static");
        if next_static || dirs.split('/').any(|d| BUILD_DIRS.contains(&d)) {
            return Exposure::PublicBundle;
        }
        if dirs.split('/').any(|d| WEB_ROOTS.contains(&d)) {
            return if is_bundle_file {
                Exposure::PublicBundle
            } else {
                Exposure::WebRoot
            };
        }
        // A source map is one long JSON line whatever it maps: its content says nothing.
        if is_bundle_file && !last.ends_with(".map") && looks_minified(head) {
            return Exposure::PublicBundle;
        }
        Exposure::Source
    }

    /// The per-directory cache changes no verdict: every combination of directories, archive
    /// chains, names and content agrees with the reference, classified in one order with one
    /// cache (as the walk does) and each alone.
    #[test]
    fn cached_classification_agrees_with_the_reference() {
        let dirs = [
            "src",
            "dist",
            "public",
            "node_modules",
            "build",
            ".next",
            "static",
            "www",
            "lib",
            "site-packages",
            "x.dist-info",
            "pkg",
            ".cargo",
            "registry",
            ".npm",
            "App",
            "web",
        ];
        let files = [
            "app.js",
            "index.min.js",
            "style.css",
            "a.js.map",
            "Main.class",
            "x.pyc",
            ".env",
            "config.json",
            "A.JS",
            "noext",
        ];
        let chains = ["", "app.apk!", "lib.zip!", "b.ipa!x.zip!", "w.zip!dist/"];
        let aboves = ["", "dist/", "home/u/", "node_modules/p/"];
        let minified = format!("{}\n", "x".repeat(4000));
        let heads: [&[u8]; 2] = [b"plain\n", minified.as_bytes()];
        let mut cache = ExposureCache::default();
        let mut n = 0;
        for above in aboves {
            for chain in chains {
                for a in ["", "src", "dist", "node_modules", "public", ".next"] {
                    for b in dirs {
                        for c in ["", "static", "assets", "x.dist-info"] {
                            let dir: Vec<&str> =
                                [a, b, c].into_iter().filter(|d| !d.is_empty()).collect();
                            let dir = dir.join("/");
                            for file in files {
                                for head in heads {
                                    let path = if dir.is_empty() {
                                        format!("{chain}{file}")
                                    } else {
                                        format!("{chain}{dir}/{file}")
                                    };
                                    let want = reference(above, &path, head);
                                    assert_eq!(
                                        classify_cached(&mut cache, above, &path, head),
                                        want,
                                        "{above}|{path}"
                                    );
                                    assert_eq!(
                                        classify_under(above, &path, head),
                                        want,
                                        "{above}|{path}"
                                    );
                                    n += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 100_000, "{n}");
    }
}
