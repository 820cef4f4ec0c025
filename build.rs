//! Which external tools the integration tests can use here. A test that needs a tool this
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

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var_os("CI").is_some();
    let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = |name: &str| std::env::split_paths(&path).any(|d| d.join(name).is_file());
    let mut tools: Vec<(&str, bool)> = Vec::new();
    for &(program, cfg) in ON_PATH {
        tools.push((cfg, on_path(program)));
    }
    for &(rel, cfg) in UNDER_TARGET {
        tools.push((cfg, Path::new(&root).join(rel).exists()));
    }
    for (cfg, found) in tools {
        println!("cargo::rustc-check-cfg=cfg(missing_{cfg})");
        if !found && !ci {
            println!("cargo::rustc-cfg=missing_{cfg}");
        }
    }
}
