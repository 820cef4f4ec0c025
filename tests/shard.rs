//! Sharded scans: `--shard K/N` parts merged with `sealant merge` give exactly the report one
//! run gives (findings, fingerprints, summary counts), for a tree with archives and for a git
//! history, with N = 1, 2, 3, 7; `--shard auto` reads the job runners' variables; merge refuses
//! parts that do not belong together.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// A tree with many places: source, a web root, build output, archives, media, third-party
/// code, skip-paths, a key twice in one file.
fn tree(root: &Path) {
    write(root, ".sealant.toml", "skip-paths = [\"skipped/**\"]\n");
    for i in 0..40 {
        write(root, &format!("src/mod{i}.js"), format!("// module {i}\n"));
    }
    write(root, "src/pay.js", format!("const k = '{LIVE_KEY}';\n"));
    write(
        root,
        "src/twice.py",
        format!("A = '{RESTRICTED_KEY}'\nB = '{RESTRICTED_KEY}'\n"),
    );
    write(
        root,
        "public/.env",
        format!("STRIPE_KEY={RESTRICTED_KEY}\n"),
    );
    write(root, "dist/app.js", format!("var k=\"{LIVE_KEY}\";\n"));
    write(root, "skipped/x.py", format!("K = '{LIVE_KEY}'\n"));
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n");
    write(
        root,
        "release/app.apk",
        zip_bytes(&[
            (
                "assets/config.json",
                format!("{{\"k\":\"{LIVE_KEY}\"}}").as_bytes(),
                true,
            ),
            (".env", format!("K={RESTRICTED_KEY}\n").as_bytes(), true),
        ]),
    );
    write(
        root,
        "release/site.tgz",
        gz_bytes(&tar_bytes(
            &[(
                "site/config.js",
                format!("k='{PUBLISHABLE_KEY}'\n").as_bytes(),
            )],
            &[],
        )),
    );
}

/// The parts of the comparison that must be equal: findings (rule, path, line, severity,
/// fingerprint, commit) and the summary's counters.
fn essence(v: &serde_json::Value) -> (Vec<String>, serde_json::Value, serde_json::Value) {
    let findings = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {} {}",
                f["rule_id"],
                f["path"],
                f["line"],
                f["severity"],
                f["fingerprint"],
                f["commit"],
                f["remediation"]
            )
        })
        .collect();
    let mut summary = v["summary"].clone();
    summary["duration_ms"] = serde_json::Value::Null;
    (findings, summary, v["warnings"].clone())
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    assert!(code(&out) < 2, "sealant {args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("sealant {args:?}: {e}: {}", stderr(&out)))
}

/// Scans `scan` whole and in N parts, merges the parts, and compares.
fn sharded_equals_whole(dir: &Path, scan: &[&str]) {
    let mut whole_args = vec!["scan", "--format", "json", "--fail-on", "never"];
    whole_args.extend_from_slice(scan);
    let whole = json(dir, &whole_args);
    assert!(
        whole["findings"].as_array().is_some_and(|f| f.len() >= 3),
        "{whole}"
    );
    for n in [1, 2, 3, 7] {
        let parts = tempdir();
        let mut files = Vec::new();
        for k in 1..=n {
            let file = parts.path().join(format!("part{k}.json"));
            let shard = format!("{k}/{n}");
            let file_s = file.to_str().expect("utf-8").to_string();
            let mut args = vec![
                "scan",
                "--format",
                "json",
                "--fail-on",
                "never",
                "-q",
                "--shard",
                &shard,
                "--output",
                &file_s,
            ];
            args.extend_from_slice(scan);
            let out = run(dir, &args);
            assert!(code(&out) < 2, "{}", stderr(&out));
            files.push(file_s);
        }
        let mut merge = vec!["merge", "--format", "json", "--fail-on", "never", "-q"];
        // Any order.
        merge.extend(files.iter().rev().map(String::as_str));
        let merged = json(dir, &merge);
        assert_eq!(essence(&merged), essence(&whole), "{n} parts");
        // Exit codes agree too.
        let mut fail = vec!["merge", "-q"];
        fail.extend(files.iter().map(String::as_str));
        assert_eq!(code(&run(dir, &fail)), 1);
    }
}

#[test]
fn tree_with_archives_in_parts() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    tree(dir.path());
    sharded_equals_whole(dir.path(), &["--no-ignore", "."]);
}

#[test]
fn git_history_in_parts() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    tree(dir.path());
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "one"]);
    // The same secret in a later version of a file (in another blob, maybe another part),
    // a deleted key, a key in a message.
    write(
        dir.path(),
        "src/pay.js",
        format!("const k = '{LIVE_KEY}';\n// edited\n"),
    );
    std::fs::remove_file(dir.path().join("public/.env")).expect("rm");
    for i in 0..30 {
        write(
            dir.path(),
            &format!("src/mod{i}.js"),
            format!("// module {i} v2\n"),
        );
    }
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-qm", &format!("rotate {RESTRICTED_KEY}")],
    );
    sharded_equals_whole(dir.path(), &["--history"]);
}

#[test]
fn merge_refuses_parts_that_do_not_belong_together() {
    let dir = tempdir();
    tree(dir.path());
    let part = |args: &[&str], name: &str| {
        let file = dir.path().join(name).to_str().expect("utf-8").to_string();
        let mut all = vec!["scan", "--format", "json", "-q", "--output", &file];
        all.extend_from_slice(args);
        assert!(code(&run(dir.path(), &all)) < 2);
        file
    };
    let a1 = part(&["--shard", "1/3", "src"], "a1.json");
    let a2 = part(&["--shard", "2/3", "src"], "a2.json");
    let b3 = part(&["--shard", "3/3", "dist"], "b3.json");
    let out = run(dir.path(), &["merge", &a1, &a2]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("part 3 of 3 missing"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["merge", &a1, &a2, &b3]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("different scans"), "{}", stderr(&out));
    let out = run(dir.path(), &["merge", &a1, &a1, &a2]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("both part 1"), "{}", stderr(&out));
    // `./src` and `src` are one scan.
    let c3 = part(&["--shard", "3/3", "./src"], "c3.json");
    assert!(code(&run(dir.path(), &["merge", &a1, &a2, &c3])) < 2);
}

#[test]
fn shard_auto_reads_the_runners_variables() {
    let dir = tempdir();
    tree(dir.path());
    let with_env = |env: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = Command::new(bin());
        cmd.args(["scan", "--format", "json", "-q", "--shard", "auto"])
            .args(extra)
            .arg("src")
            .current_dir(dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("runs");
        let v: Option<serde_json::Value> = serde_json::from_slice(&out.stdout).ok();
        (
            code(&out),
            v.map(|v| v["scan"]["shard"].clone()),
            stderr(&out),
        )
    };
    let (c, s, _) = with_env(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "4")], &[]);
    assert!(c < 2);
    assert_eq!(s, Some(serde_json::json!({"index": 2, "total": 4})));
    let (_, s, _) = with_env(&[("JOB_COMPLETION_INDEX", "0")], &["--shard-total", "3"]);
    assert_eq!(s, Some(serde_json::json!({"index": 1, "total": 3})));
    let (_, s, _) = with_env(
        &[("SEALANT_SHARD_INDEX", "4"), ("SEALANT_SHARD_TOTAL", "5")],
        &[],
    );
    assert_eq!(s, Some(serde_json::json!({"index": 5, "total": 5})));
    let (c, _, err) = with_env(&[], &[]);
    assert_eq!(c, 2);
    assert!(err.contains("no job index"), "{err}");
}
