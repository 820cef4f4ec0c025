//! The built-in rule catalog's digest (`SEALANT_CATALOG_DIGEST`: every file under `rules/`,
//! by name and content), so that no run spends time hashing the rules; and which external tools
//! the integration tests can use here. A test that needs a tool this
//! machine lacks is compiled as ignored, with the reason (`cargo test` then counts it as
//! ignored, not passed): `cfg(missing_TOOL)`. Under `CI` nothing is marked missing — the tests
//! run and fail, naming what installs the tool. Run again when `CI` or `PATH` change, or when
//! this file is touched (`.ci/run` touches it after installing tools).

use std::path::Path;

/// Tools looked up on `PATH`, by the name the cfg uses.
const ON_PATH: &[(&str, &str)] = &[
    ("tmux", "tmux"),
    ("7z", "p7zip"),
    ("dpkg-deb", "dpkg"),
    ("rpmbuild", "rpmbuild"),
    ("cpio", "cpio"),
    ("lz4", "lz4"),
    ("mcs", "mcs"),
    ("wixl", "wixl"),
    ("javac", "javac"),
    ("chromium", "chromium"),
];

/// Tools `.ci/run` installs under `target/`, by the name the cfg uses.
const UNDER_TARGET: &[(&str, &str)] = &[
    (
        "target/hermes-tools/node_modules/hermes-compiler/hermesc/linux64-bin/hermesc",
        "hermesc",
    ),
    ("target/py-tools/lz4", "py_lz4"),
    ("target/py-tools/google/protobuf", "py_protobuf"),
    ("target/py-tools/pre_commit", "py_pre_commit"),
    ("target/py-tools/check_jsonschema", "py_check_jsonschema"),
    ("target/lint-tools/bin/hadolint", "hadolint"),
    (
        "target/sarif-tools/node_modules/.bin/sarif-multitool",
        "sarif_multitool",
    ),
    (
        "target/browser-tools/node_modules/playwright-core",
        "playwright",
    ),
    ("target/vite-tools/node_modules/vite", "vite"),
];

/// SHA-256 over every file under `rules/` (sorted by path: name, NUL, content), first 6 bytes
/// in hex.
fn catalog_digest(root: &Path) -> String {
    use sha2::{Digest, Sha256};
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let rules = root.join("rules");
    let mut all = Vec::new();
    files(&rules, &mut all);
    all.sort();
    let mut h = Sha256::new();
    for p in &all {
        let name = p
            .strip_prefix(&rules)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/");
        h.update(name.as_bytes());
        h.update([0]);
        h.update(std::fs::read(p).unwrap_or_default());
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var_os("CI").is_some();
    let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    println!(
        "cargo::rustc-env=SEALANT_CATALOG_DIGEST={}",
        catalog_digest(Path::new(&root))
    );
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &str| std::env::split_paths(&path).any(|d| d.join(name).is_file());
    let mut tools: Vec<(&str, bool)> = Vec::new();
    for &(program, cfg) in ON_PATH {
        tools.push((cfg, on_path(program)));
    }
    for &(rel, cfg) in UNDER_TARGET {
        tools.push((cfg, Path::new(&root).join(rel).exists()));
    }
    // The browser tests need both: Debian's chromium and npm's playwright-core to drive it.
    let browser = tools
        .iter()
        .filter(|(cfg, _)| matches!(*cfg, "chromium" | "playwright"))
        .all(|(_, found)| *found);
    tools.push(("browser", browser));
    for (cfg, found) in tools {
        println!("cargo::rustc-check-cfg=cfg(missing_{cfg})");
        if !found && !ci {
            println!("cargo::rustc-cfg=missing_{cfg}");
        }
    }
}
