//! One canonical path for every decision: the same tree gives the same findings, fingerprints
//! and exit code however its path is typed (`X`, `./X`, absolute, `.` from inside `X`), in a
//! git work tree and outside one; baselines written one way suppress findings found another.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// (rule, severity, exposure, fingerprint) of every finding, and the exit code.
fn verdict(dir: &Path, args: &[&str]) -> (Vec<String>, i32) {
    let (v, out) = json_scan(dir, args);
    let rows = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["rule_id"].as_str().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["exposure"].as_str().unwrap_or_default(),
                f["fingerprint"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (rows, code(&out))
}

/// A project with a config that skips `tests/`, a web root, build output, a vendored package
/// and two copies of one key in one file.
fn project(root: &Path) {
    write(root, ".sealant.toml", "skip-paths = [\"app/tests/**\"]\n");
    write(root, "app/src/pay.js", format!("const k = '{LIVE_KEY}';\n"));
    write(
        root,
        "app/src/twice.py",
        format!("A = '{RESTRICTED_KEY}'\nB = '{RESTRICTED_KEY}'\n"),
    );
    write(root, "app/tests/fixture.py", format!("K = '{LIVE_KEY}'\n"));
    write(
        root,
        "app/public/.env",
        format!("STRIPE_KEY={RESTRICTED_KEY}\n"),
    );
    write(
        root,
        "app/dist/assets/app.js",
        format!("var k=\"{LIVE_KEY}\";\n"),
    );
    write(
        root,
        "app/node_modules/lib/dist/lib.js",
        format!("var k=\"{RESTRICTED_KEY}\";\n"),
    );
}

fn same_answer_every_spelling(root: &Path) {
    let abs = root.join("app");
    let abs = abs.to_str().expect("utf-8 path");
    let reference = verdict(root, &["--no-ignore", "app"]);
    assert_eq!(reference.1, 1);
    // The skipped test file is left out, and every kind of place is there.
    let joined = reference.0.join("\n");
    assert_eq!(reference.0.len(), 7, "{joined}");
    for exposure in ["web-root", "public-bundle", "source"] {
        assert!(joined.contains(exposure), "{exposure} missing:\n{joined}");
    }
    // Two copies of one key in one file: two fingerprints (every fingerprint is distinct).
    let distinct: std::collections::HashSet<&String> = reference.0.iter().collect();
    assert_eq!(distinct.len(), reference.0.len(), "{joined}");
    for (dir, args) in [
        (root.to_path_buf(), vec!["--no-ignore", "./app"]),
        (root.to_path_buf(), vec!["--no-ignore", "app/"]),
        (root.to_path_buf(), vec!["--no-ignore", abs]),
        (root.join("app"), vec!["--no-ignore", "."]),
        (root.join("app"), vec!["--no-ignore", "./"]),
        (root.join("app"), vec!["--no-ignore"]),
        (root.join("app/src"), vec!["--no-ignore", ".."]),
    ] {
        assert_eq!(
            verdict(&dir, &args),
            reference,
            "scan {args:?} from {}",
            dir.display()
        );
    }
    // A subdirectory keeps what its place above says: the web root's .env.
    let inside = verdict(&root.join("app/public"), &["--no-ignore", "."]);
    let outside = verdict(root, &["--no-ignore", "app/public"]);
    assert_eq!(inside, outside);
    assert!(
        inside.0.iter().any(|r| r.contains("web-root")),
        "{inside:?}"
    );
    // Third-party code stays third-party from inside it.
    let inside = verdict(&root.join("app/node_modules"), &["--no-ignore", "."]);
    let outside = verdict(root, &["--no-ignore", "app/node_modules"]);
    assert_eq!(inside, outside);
    assert!(
        inside.0.iter().all(|r| r.contains(" source ")),
        "{inside:?}"
    );
}

#[test]
fn same_findings_however_the_path_is_typed_in_a_repository() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    project(dir.path());
    same_answer_every_spelling(dir.path());
}

#[test]
fn same_findings_however_the_path_is_typed_outside_a_repository() {
    let dir = tempdir();
    project(dir.path());
    same_answer_every_spelling(dir.path());
}

/// A baseline written from `.` suppresses the same findings under `--staged`, from a
/// subdirectory, and by absolute path; it stores canonical paths.
#[test]
fn baselines_hold_across_modes_and_spellings() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), "src/legacy.py", format!("K = '{LIVE_KEY}'\n"));
    let out = run(
        dir.path(),
        &["scan", ".", "--write-baseline", "baseline.json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("baseline.json")).expect("baseline");
    assert!(text.contains("\"path\": \"src/legacy.py\""), "{text}");
    let base = dir.path().join("baseline.json");
    let base = base.to_str().expect("utf-8");
    assert_eq!(code(&run(dir.path(), &["scan", "--baseline", base])), 0);
    assert_eq!(
        code(&run(
            &dir.path().join("src"),
            &["scan", ".", "--baseline", base]
        )),
        0
    );
    git(dir.path(), &["add", "src/legacy.py"]);
    let out = run(dir.path(), &["scan", "--staged", "--baseline", base]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Without the baseline the finding is there.
    assert_eq!(code(&run(&dir.path().join("src"), &["scan", "."])), 1);
}

/// `.sealant-baseline.json` at the repository root is used by every mode without a flag; a
/// missing default (or config-named) baseline is no error, a missing `--baseline` file is.
#[test]
fn default_baseline_is_picked_up_by_every_mode() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), "src/legacy.py", format!("K = '{LIVE_KEY}'\n"));
    // First run of a new repository: no baseline yet, no error.
    assert_eq!(code(&run(dir.path(), &["scan"])), 1);
    let out = run(
        dir.path(),
        &["scan", "--write-baseline", ".sealant-baseline.json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&run(dir.path(), &["scan"])), 0);
    assert_eq!(code(&run(&dir.path().join("src"), &["scan", "."])), 0);
    git(dir.path(), &["add", "src/legacy.py"]);
    assert_eq!(code(&run(dir.path(), &["scan", "--staged"])), 0);
    // A new secret in the same file is still reported.
    write(
        dir.path(),
        "src/legacy.py",
        format!("K = '{LIVE_KEY}'\nR = '{RESTRICTED_KEY}'\n"),
    );
    assert_eq!(code(&run(dir.path(), &["scan"])), 1);
    // Named in the config, relative to it; missing there is fine too.
    write(dir.path(), ".sealant.toml", "baseline = \"ci/none.json\"\n");
    assert_eq!(code(&run(dir.path(), &["scan"])), 1);
    let out = run(dir.path(), &["scan", "--baseline", "missing.json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// A file named on the command line that cannot be read is an error (exit 2), not a warning.
#[test]
fn unreadable_named_file_exits_two() {
    let dir = tempdir();
    let f = write(dir.path(), "secret.env", format!("K={LIVE_KEY}\n"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if as_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()]);
        c
    } else {
        Command::new(bin())
    };
    let out = cmd
        .args(["scan", "secret.env"])
        .current_dir(dir.path())
        .output()
        .expect("scan runs");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("secret.env"), "{}", stderr(&out));
}

/// `sealant scan --format json | head -c5`: the closed pipe ends the scan quietly with the exit
/// code the findings call for.
#[test]
fn closed_pipe_is_not_an_error() {
    let dir = tempdir();
    for i in 0..200 {
        write(dir.path(), &format!("f{i}.env"), format!("K={LIVE_KEY}\n"));
    }
    let out = Command::new("bash")
        .args([
            "-c",
            &format!(
                "'{}' scan --format json . | head -c5 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
                bin()
            ),
        ])
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert_eq!(stdout(&out).trim(), "1", "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}
