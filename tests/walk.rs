//! What the filesystem walk scans and what it passes over: ignore files, hidden files, `.git/`,
//! media, binaries, symbolic links, FIFOs, unreadable directories.

mod common;
use common::*;

use std::path::Path;

fn paths(dir: &Path, args: &[&str]) -> Vec<String> {
    let (v, _) = json_scan(dir, args);
    rule_paths(&v).into_iter().map(|(_, p)| p).collect()
}

#[test]
fn gitignore_is_honoured_in_a_repo_unless_no_ignore() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), ".gitignore", "secrets/\n*.log\n");
    write(dir.path(), "secrets/prod.env", format!("K={LIVE_KEY}\n"));
    write(dir.path(), "debug.log", format!("K={LIVE_KEY}\n"));
    write(dir.path(), "app.js", format!("k='{LIVE_KEY}'"));
    assert_eq!(paths(dir.path(), &[]), vec!["app.js"]);
    assert_eq!(
        paths(dir.path(), &["--no-ignore"]),
        vec!["app.js", "debug.log", "secrets/prod.env"]
    );
    // A path named on the command line is scanned even when ignored.
    assert_eq!(paths(dir.path(), &["debug.log"]), vec!["debug.log"]);
}

#[test]
fn dot_ignore_files_work_without_git() {
    let dir = tempdir();
    write(dir.path(), ".ignore", "vendor/\n");
    write(dir.path(), "vendor/lib.js", format!("k='{LIVE_KEY}'"));
    write(dir.path(), "main.js", format!("k='{LIVE_KEY}'"));
    assert_eq!(paths(dir.path(), &[]), vec!["main.js"]);
    assert_eq!(
        paths(dir.path(), &["--no-ignore"]),
        vec!["main.js", "vendor/lib.js"]
    );
}

/// ripgrep's habits: `-g` include and exclude globs, `.sealantignore`, `--no-ignore-vcs`,
/// `--no-hidden`, whatever the spelling of the root.
#[test]
fn globs_ignore_files_and_hidden_files_as_in_ripgrep() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), ".gitignore", "gen.js\n");
    write(dir.path(), ".sealantignore", "fixtures/\n");
    for f in [
        "src/a.js",
        "src/b.txt",
        "vendor/c.js",
        ".config/d.js",
        "gen.js",
        "fixtures/e.js",
    ] {
        write(dir.path(), f, format!("k='{LIVE_KEY}'"));
    }
    let base = vec![".config/d.js", "src/a.js", "src/b.txt", "vendor/c.js"];
    let abs = dir.path().to_string_lossy().into_owned();
    for root in [None, Some("."), Some(abs.as_str())] {
        let scan = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(root);
            let found = paths(dir.path(), &all);
            // The same files whatever the root's spelling: compare by their tail.
            let mut tails: Vec<String> = found
                .iter()
                .map(|p| {
                    let p = p.strip_prefix(&abs).unwrap_or(p);
                    p.trim_start_matches("./")
                        .trim_start_matches('/')
                        .to_string()
                })
                .collect();
            tails.sort();
            tails
        };
        assert_eq!(scan(&[]), base, "root {root:?}");
        assert_eq!(
            scan(&["-g", "!vendor/"]),
            [".config/d.js", "src/a.js", "src/b.txt"]
        );
        assert_eq!(
            scan(&["-g", "!*.txt", "--glob", "!vendor"]),
            [".config/d.js", "src/a.js"]
        );
        // An include glob limits the scan to what it matches.
        assert_eq!(scan(&["-g", "src/**"]), ["src/a.js", "src/b.txt"]);
        assert_eq!(
            scan(&["--no-hidden"]),
            ["src/a.js", "src/b.txt", "vendor/c.js"]
        );
        assert_eq!(scan(&["--no-hidden", "--hidden"]), base);
        let mut vcs = base.clone();
        vcs.insert(1, "gen.js");
        assert_eq!(
            scan(&["--no-ignore-vcs"]),
            vcs,
            "only git's rules are lifted"
        );
        let mut all = vcs.clone();
        all.insert(1, "fixtures/e.js");
        assert_eq!(scan(&["--no-ignore"]), all);
    }
    let bad = run(dir.path(), &["scan", "-g", "[oops"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("invalid --glob"), "{}", stderr(&bad));
}

#[test]
fn hidden_files_are_scanned_but_git_internals_are_not() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        ".env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    write(
        dir.path(),
        ".config/.npmrc",
        format!("stripe={RESTRICTED_KEY}\n"),
    );
    write(dir.path(), ".git/config-copy", format!("k={LIVE_KEY}\n"));
    assert_eq!(paths(dir.path(), &[]), vec![".config/.npmrc", ".env"]);
    assert_eq!(
        paths(dir.path(), &["--no-ignore"]),
        vec![".config/.npmrc", ".env"]
    );
}

#[test]
fn media_is_skipped_but_other_binaries_are_scanned() {
    let dir = tempdir();
    write(dir.path(), "logo.png", format!("\u{89}PNG {LIVE_KEY}"));
    // A nameless file that starts like an image is media; a named one that does (a
    // disguised file, an `.env` starting like an MP3 tag) is read.
    let mut disguised = b"\x89PNG\r\n\x1a\n".to_vec();
    disguised.extend_from_slice(LIVE_KEY.as_bytes());
    write(dir.path(), "asset", &disguised);
    write(dir.path(), "asset.bin", &disguised);
    // A native library: the key as a NUL-terminated C string among other bytes.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec();
    elf.extend_from_slice(&[0u8, 0xff, 0x13, 0x37, 0]);
    elf.extend_from_slice(RESTRICTED_KEY.as_bytes());
    elf.extend_from_slice(&[0, 0x90, 0x90]);
    write(dir.path(), "lib/arm64-v8a/libpay.so", &elf);
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(
        rule_paths(&v),
        vec![
            (
                "stripe.secret-key.live".to_string(),
                "asset.bin".to_string()
            ),
            (
                "stripe.restricted-key.live".to_string(),
                "lib/arm64-v8a/libpay.so".to_string()
            )
        ]
    );
    assert_eq!(v["summary"]["skipped"]["media"], 2);
    assert!(
        stderr(&out).contains("skipped 2 media files"),
        "{}",
        stderr(&out)
    );
    // Named explicitly, a media file is scanned.
    assert_eq!(paths(dir.path(), &["logo.png"]), vec!["logo.png"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_unless_asked() {
    let outside = tempdir();
    write(outside.path(), "prod.env", format!("K={LIVE_KEY}\n"));
    let dir = tempdir();
    write(dir.path(), "src/app.js", "ok\n");
    std::os::unix::fs::symlink(
        outside.path().join("prod.env"),
        dir.path().join("linked.env"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked-dir")).expect("symlink");
    let (v, out) = json_scan(dir.path(), &[]);
    assert!(rule_paths(&v).is_empty());
    assert_eq!(v["summary"]["skipped"]["symlinks"], 2);
    assert!(stderr(&out).contains("2 symbolic links (use --follow to follow)"));
    assert_eq!(
        paths(dir.path(), &["--follow"]),
        vec!["linked-dir/prod.env", "linked.env"]
    );
    // A link named on the command line is followed.
    assert_eq!(paths(dir.path(), &["linked.env"]), vec!["linked.env"]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = tempdir();
    write(dir.path(), "a/b/key.env", format!("K={LIVE_KEY}\n"));
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/b/loop")).expect("symlink");
    let out = run_within(dir.path(), &["scan", "--follow", "--format", "json"], 30);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rule_paths(&v).len(), 1);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("symbolic link loop"), "{warnings}");
}

#[cfg(unix)]
#[test]
fn fifos_never_block_the_scan() {
    let dir = tempdir();
    write(dir.path(), "app.env", format!("K={LIVE_KEY}\n"));
    let st = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(st.success());
    let out = run_within(dir.path(), &["scan", "--format", "json"], 30);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rule_paths(&v).len(), 1);
    assert_eq!(v["summary"]["skipped"]["special"], 1);
    // Named explicitly: still not opened, but a warning says what to do instead.
    let out = run_within(dir.path(), &["scan", "pipe", "app.env"], 30);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("warning: pipe: not a regular file"), "{err}");
    assert!(err.contains("sealant scan -"), "{err}");
}

/// Root ignores permissions, so the unreadable-directory check runs the scan as `nobody` when
/// the tests run as root (as CI does).
#[cfg(unix)]
#[test]
fn unreadable_directories_and_files_become_warnings() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("sealant-perm")
        .tempdir()
        .expect("tempdir");
    let set = |p: &Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    set(dir.path(), 0o755);
    write(dir.path(), "open/app.env", format!("K={LIVE_KEY}\n"));
    write(dir.path(), "locked/inner.env", format!("K={LIVE_KEY}\n"));
    write(dir.path(), "secret.env", format!("K={LIVE_KEY}\n"));
    set(&dir.path().join("open"), 0o755);
    set(&dir.path().join("open/app.env"), 0o644);
    set(&dir.path().join("locked"), 0o000);
    set(&dir.path().join("secret.env"), 0o000);
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if as_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()]);
        c
    } else {
        std::process::Command::new(bin())
    };
    let out = cmd
        .args(["scan", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("scan runs");
    set(&dir.path().join("locked"), 0o755);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "open/app.env".to_string()
        )]
    );
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("locked"), "{warnings}");
    assert!(
        warnings.contains("secret.env") && warnings.contains("permission denied"),
        "{warnings}"
    );
    assert_eq!(v["summary"]["warnings"], 2);
    assert_eq!(code(&out), 1);
}
