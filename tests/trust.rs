//! Verdicts users can trust, both ways: no gate that fails open (a refreshed baseline, a
//! baseline in history, verification that could not run, a report verified from elsewhere,
//! ignored build output, what a format calls a failure) and no alarm on documentation and
//! ordinary code (documented examples, published sample and test keys, placement rules,
//! framework prefixes outside their framework, compressed files in history).

mod common;

use common::*;

fn findings(v: &serde_json::Value) -> Vec<(String, String, String)> {
    (finding_fields(v, &["rule_id", "path", "severity"]).into_iter())
        .map(|f| (f[0].clone(), f[1].clone(), f[2].clone()))
        .collect()
}

fn repo_with(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "start"]);
    dir
}

/// `--write-baseline` over an existing baseline records every current finding, not only the
/// new ones: the next scan still passes.
#[test]
fn refreshing_a_baseline_keeps_what_it_accepted() {
    let dir = repo_with(&[(".env", format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"))]);
    let write_baseline = ["scan", "--write-baseline", ".sealant-baseline.json"];
    assert_eq!(code(&run(dir.path(), &write_baseline)), 0);
    assert_eq!(code(&run(dir.path(), &["scan"])), 0);
    write(dir.path(), "new.py", format!("KEY = '{RESTRICTED_KEY}'\n"));
    assert_eq!(code(&run(dir.path(), &["scan"])), 1, "new.py is new");
    let out = run(dir.path(), &write_baseline);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join(".sealant-baseline.json")).expect("b");
    let b: serde_json::Value = serde_json::from_str(&text).expect("json");
    let paths: Vec<&str> = (b["findings"].as_array().expect("entries").iter())
        .map(|e| e["path"].as_str().unwrap_or_default())
        .collect();
    assert!(
        paths.contains(&".env") && paths.contains(&"new.py"),
        "{text}"
    );
    let out = run(dir.path(), &["scan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Written twice over the same tree, the file is the same (stable order).
    assert_eq!(code(&run(dir.path(), &write_baseline)), 0);
    let again = std::fs::read_to_string(dir.path().join(".sealant-baseline.json")).expect("b");
    assert_eq!(text, again);
}

/// A baseline entry accepts its own path: the same key copied to another file (the very same
/// blob) in a later commit is a finding there, in history as in the tree.
#[test]
fn a_baseline_entry_accepts_its_own_path_only_in_history_too() {
    let dir = repo_with(&[("a.py", format!("K = '{LIVE_KEY}'\n"))]);
    let out = run(
        dir.path(),
        &[
            "scan",
            "--history",
            "--write-baseline",
            ".sealant-baseline.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::copy(dir.path().join("a.py"), dir.path().join("b.py")).expect("copy");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "copy"]);
    let (tree, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        findings(&tree),
        vec![(
            "stripe.secret-key.live".into(),
            "b.py".into(),
            "critical".into()
        )]
    );
    let (history, out) = json_scan(dir.path(), &["--history"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = findings(&history);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.ends_with(":b.py"), "{found:?}");
    assert_eq!(
        history["findings"][0]["canonical_path"], "b.py",
        "the tree's fingerprint"
    );
    assert_eq!(
        history["findings"][0]["fingerprint"],
        tree["findings"][0]["fingerprint"]
    );
}

/// A loopback port nothing listens on: every request to it fails at once.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn run_env(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sealant runs")
}

/// `--only-verified` with the provider unreachable does not pass the key: it is shown with
/// why, fails the run, and the summary counts the failed check.
#[test]
fn an_unreachable_provider_fails_closed() {
    let dir = tempdir();
    write(
        dir.path(),
        "k.env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    let url = closed_port();
    let env = [("SEALANT_VERIFY_BASE_URL_STRIPE", url.as_str())];
    let out = run_env(
        dir.path(),
        &["scan", "--only-verified", "--format", "json", "."],
        &env,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["findings"][0]["verification"]["status"], "error", "{v}");
    assert_eq!(v["summary"]["verified"]["error"], 1);
    assert!(stderr(&out).contains("1 failed"), "{}", stderr(&out));
    // Only when asked does a failed check drop the key.
    let out = run_env(
        dir.path(),
        &[
            "scan",
            "--only-verified",
            "--drop-failed-checks",
            "--format",
            "json",
            ".",
        ],
        &env,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// `sealant verify report.json` from another directory finds the files where the scan saw
/// them, and `--fail-on` decides the exit code.
#[test]
fn verify_reads_the_files_where_the_report_was_made() {
    let dir = tempdir();
    write(
        dir.path(),
        "app/k.env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    let app = dir.path().join("app");
    let out = run(
        &app,
        &["scan", "--format", "json", "--output", "report.json"],
    );
    assert_eq!(code(&out), 1);
    let url = closed_port();
    let env = [("SEALANT_VERIFY_BASE_URL_STRIPE", url.as_str())];
    let out = run_env(
        dir.path(),
        &["verify", "--format", "json", "app/report.json"],
        &env,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The secret was recovered and asked about (the provider did not answer).
    assert_eq!(v["findings"][0]["verification"]["status"], "error", "{v}");
    assert!(
        !stderr(&out).contains("findings not verified"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = run_env(
        dir.path(),
        &["verify", "--fail-on", "never", "app/report.json"],
        &env,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Nothing recoverable at all (the file is gone): still no pass.
    std::fs::remove_file(app.join("k.env")).expect("rm");
    let out = run_env(dir.path(), &["verify", "app/report.json"], &env);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("findings not verified"),
        "{}",
        stderr(&out)
    );
}

/// A key gnutls ships in its library for its self-tests (in the published list).
const GNUTLS_TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMGoCAQAwIQYIKoUDBwEBAQIwFQYJKoUDBwECAQIBBggqhQMHAQECAwRCBECjFpvp\nB0vdc7u59b99TCNXhHiB69JJtUjvieNkGYJpoaaIvoKZTNCjpSZASsZcQZCHOTof\nhsQ3JCCy4xnd5jWT\n-----END PRIVATE KEY-----"; // sealant:allow published test key

/// Build output that `.gitignore` leaves out is counted and named, with the flag that scans
/// it.
#[test]
fn ignored_build_output_is_counted_and_named() {
    let dir = repo_with(&[(".gitignore", "dist/\nnode_modules/\n".to_string())]);
    write(
        dir.path(),
        "dist/app.js",
        format!("const k='{LIVE_KEY}';\n"),
    );
    write(
        dir.path(),
        "node_modules/x/index.js",
        "module.exports = 1;\n",
    );
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 0);
    assert_eq!(v["summary"]["skipped"]["ignored"], 2, "{}", v["summary"]);
    let err = stderr(&out);
    assert!(err.contains("dist/ is left out by .gitignore"), "{err}");
    assert!(err.contains("--no-ignore-vcs"), "{err}");
    assert!(!err.contains("node_modules/ is"), "{err}");
    let (v, out) = json_scan(dir.path(), &["--no-ignore-vcs"]);
    assert_eq!(code(&out), 1);
    assert_eq!(findings(&v)[0].1, "dist/app.js");
}

/// What `--fail-on` passes, no format calls a failure.
#[test]
fn formats_follow_fail_on() {
    let dir = tempdir();
    write(
        dir.path(),
        "README.md",
        "Try `sk_test_4eC39HqLyjWDarjtT1zdp7dc`.\n",
    ); // sealant:allow documented key
    write(dir.path(), "notes.txt", format!("old key {TEST_KEY}\n"));
    let junit = run(
        dir.path(),
        &["scan", "--format", "junit", "--fail-on", "medium"],
    );
    assert_eq!(code(&junit), 0);
    let xml = stdout(&junit);
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");
    let junit = run(
        dir.path(),
        &["scan", "--format", "junit", "--fail-on", "low"],
    );
    assert_eq!(code(&junit), 1);
    assert_eq!(stdout(&junit).matches("<failure").count(), 1);
    let github = run(
        dir.path(),
        &["scan", "--format", "github", "--fail-on", "medium"],
    );
    assert!(
        stdout(&github).lines().all(|l| l.starts_with("::notice")),
        "{}",
        stdout(&github)
    );
    let sarif = run(
        dir.path(),
        &["scan", "--format", "sarif", "--fail-on", "medium"],
    );
    assert!(
        !stdout(&sarif).contains("\"level\": \"warning\""),
        "{}",
        stdout(&sarif)
    );
}

/// Documented examples, published sample keys and keys open-source projects ship are `info`;
/// a user's own key in a `tests/` directory still counts.
#[test]
fn documentation_and_published_keys_are_info() {
    let dir = tempdir();
    write(
        dir.path(),
        "README.md",
        "STRIPE_SECRET_KEY=sk_live_51AbCdEfGhIjKlMnOpQrStUvWxYzEXAMPLEKEY0000000000\n",
    );
    write(
        dir.path(),
        "docs/aws.json",
        "{\"access_key_id\": \"AKIAIOSFODNN7EXAMPLE\",\n \"secret_access_key\": \"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\"}\n",
    );
    write(
        dir.path(),
        "vendor/gnutls/selftest.c",
        format!(
            "static const char key[] = \"{}\";\n",
            GNUTLS_TEST_KEY.replace('\n', "\\n")
        ),
    );
    write(
        dir.path(),
        "lib/libgnutls.so",
        format!("\x7fELF\0\0{GNUTLS_TEST_KEY}\0\0"),
    );
    let (v, out) = json_scan(dir.path(), &[]);
    let loud: Vec<_> = findings(&v).into_iter().filter(|f| f.2 != "info").collect();
    assert!(loud.is_empty(), "{loud:?}");
    assert!(findings(&v).len() >= 4, "{v}");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A random key of one's own, in tests/: critical.
    let body: String = (0..4)
        .map(|i| format!("{}\n", &LIVE_KEY[8 + i..72 + i]))
        .collect();
    write(
        dir.path(),
        "tests/fixtures/server.key",
        format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n"),
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let loud: Vec<_> = findings(&v).into_iter().filter(|f| f.2 != "info").collect();
    assert_eq!(loud.len(), 1, "{loud:?}");
    assert_eq!(loud[0].0, "private-key");
}

/// Where a secret sits raises attention; how severe it is follows the value.
#[test]
fn placement_severity_follows_the_value() {
    let dir = tempdir();
    write(
        dir.path(),
        "dist/assets/index.js",
        format!("var e={{VITE_STRIPE_TEST_KEY:\"{TEST_KEY}\",VITE_STRIPE_KEY:\"{LIVE_KEY}\"}};\n"),
    );
    let (v, _) = json_scan(dir.path(), &["--show-secrets"]);
    let f = v["findings"].as_array().expect("findings");
    let by_secret = |s: &str| {
        f.iter()
            .find(|x| x["secret"] == s)
            .unwrap_or_else(|| panic!("{s} in {v}"))
    };
    assert_eq!(by_secret(TEST_KEY)["severity"], "low");
    assert_eq!(by_secret(TEST_KEY)["exposure"], "public-bundle");
    assert_eq!(by_secret(LIVE_KEY)["severity"], "critical");
}

/// A framework's public prefix matters where the framework reads it, for a value that can be
/// a secret.
#[test]
fn public_prefixes_only_where_frameworks_read_them() {
    let dir = tempdir();
    write(
        dir.path(),
        "gcloud/messages.py",
        "class Kind:\n    PUBLIC_GKE_CONTROL_PLANE_TO_PRIVATE_DESTINATION = 1\n",
    );
    write(
        dir.path(),
        ".env",
        "PUBLIC_FEATURE_PRIVATE_BETA=true\nPUBLIC_STRIPE_SECRET_KEY=\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        findings(&v),
        vec![(
            "frontend.secret-named-public-var.env-public".into(),
            ".env".into(),
            "high".into()
        )]
    );
}

/// A compressed file in history is named as in the tree, with one commit prefix, and keeps
/// the tree's fingerprint.
#[test]
fn compressed_files_in_history_are_named_once() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        "conf.env.gz",
        gz_bytes(format!("KEY={LIVE_KEY}\n").as_bytes()),
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "c"]);
    let (tree, _) = json_scan(dir.path(), &[]);
    let (history, _) = json_scan(dir.path(), &["--history"]);
    let t = &tree["findings"][0];
    let h = &history["findings"][0];
    assert_eq!(t["path"], "conf.env.gz!conf.env");
    let shown = h["path"].as_str().expect("path");
    assert!(
        shown.ends_with(":conf.env.gz!conf.env") && shown.matches(':').count() == 1,
        "{shown}"
    );
    assert_eq!(h["canonical_path"], "conf.env.gz!conf.env");
    assert_eq!(h["fingerprint"], t["fingerprint"]);
}
