//! End-to-end behaviour of `sealant scan` and `sealant rules`: output formats, redaction,
//! exit codes, standard input, determinism.

mod common;
use common::*;

/// Many findings of one rule read as one group: the first few, a count, the fix once; then
/// tables by rule and by exposure. `--verbose` lists them all; `--color always` paints path,
/// line and secret as ripgrep does.
#[test]
fn text_report_groups_findings_by_rule() {
    let dir = tempdir();
    for i in 0..12 {
        write(
            dir.path(),
            &format!("src/f{i:02}.js"),
            format!("k='{LIVE_KEY}'\n"),
        );
    }
    write(dir.path(), "dist/app.js", format!("k='{RESTRICTED_KEY}'\n"));
    let out = run(dir.path(), &["scan", "."]);
    let text = stdout(&out);
    assert!(
        text.contains("[stripe.secret-key.live] — 12 findings in 12 files"),
        "{text}"
    );
    assert_eq!(text.matches("  at      ").count(), 5 + 1, "{text}");
    assert!(
        text.contains("…       7 more in 7 files (--verbose lists them all)"),
        "{text}"
    );
    assert_eq!(text.matches("fix     Roll it now").count(), 1, "{text}");
    assert!(
        text.contains("By rule:") && text.contains("By exposure:"),
        "{text}"
    );
    let row = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name) || l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("{name} row in {text}"))
            .split_whitespace()
            .last()
            .and_then(|n| n.parse::<usize>().ok())
    };
    assert_eq!(row("stripe.secret-key.live"), Some(12));
    assert_eq!(row("public-bundle"), Some(1));
    assert_eq!(row("source"), Some(12));

    let all = stdout(&run(dir.path(), &["scan", "--verbose", "."]));
    assert_eq!(all.matches("  at      ").count(), 13, "{all}");
    assert!(!all.contains("more in"), "{all}");

    let painted = stdout(&run(dir.path(), &["scan", "--color", "always", "."]));
    assert!(
        painted.contains("\x1b[35m./src/f00.js\x1b[0m:\x1b[32m1:4\x1b[0m"),
        "{painted}"
    );
    assert!(
        painted.contains("\x1b[1;31msk_live_51u8…vUC\x1b[0m"),
        "{painted}"
    );
}

#[test]
fn demo_fixture_text_report() {
    let out = run(&repo_root(), &["scan", "fixtures/demo"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "critical findings fail the run");
    assert!(
        text.contains("CRITICAL Stripe live secret key [stripe.secret-key.live]"),
        "{text}"
    );
    assert!(text.contains("at      fixtures/demo/.env:3:19"), "{text}");
    assert!(text.contains("secret  sk_live_51u8…vUC"), "{text}");
    assert!(
        text.contains("fix     Roll it now in the Stripe Dashboard"),
        "{text}"
    );
    assert!(
        text.contains("fixtures/demo/android/res/values/strings.xml:4:31"),
        "{text}"
    );
    assert!(!text.contains(LIVE_KEY), "full secret must not be printed");
    assert!(
        !text.contains("\x1b["),
        "no colour when stdout is not a terminal"
    );
    // The example env file and the prose placeholder are not findings.
    assert!(!text.contains("fixtures/demo/.env.example"), "{text}");
    assert!(!text.contains("checkout.js:4"), "{text}");
    let err = stderr(&out);
    assert!(err.contains("sealant: scanned 6 files"), "{err}");
    // The demo's .env is committed to this repository: that is a finding too.
    assert!(
        text.contains("HIGH     Environment file committed to git [env-file.committed]"),
        "{text}"
    );
    assert!(
        err.contains("7 findings: 2 critical, 2 high, 1 low, 2 info"),
        "{err}"
    );
}

#[test]
fn json_report_fields_and_redaction() {
    let (v, out) = json_scan(&repo_root(), &["fixtures/demo"]);
    assert_eq!(code(&out), 1);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let f = &v["findings"][1];
    assert_eq!(v["findings"][0]["rule_id"], "env-file.committed");
    assert_eq!(f["rule_id"], "stripe.secret-key.live");
    assert_eq!(f["exposure"], "source");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], "fixtures/demo/.env");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 19);
    assert_eq!(f["byte_offset"], 88);
    assert_eq!(f["secret"], "sk_live_51u8…vUC");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
    assert!(!stdout(&out).contains(LIVE_KEY));
    assert_eq!(v["summary"]["files_scanned"], 6);
    assert_eq!(v["summary"]["findings"]["critical"], 2);
    assert_eq!(v["summary"]["findings"]["info"], 2);
    assert!(v["warnings"].as_array().is_some_and(|w| w.is_empty()));
    // The documented Stripe test key is info.
    let documented: Vec<_> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["documented"] == true)
        .collect();
    assert_eq!(documented.len(), 1);
    assert_eq!(documented[0]["severity"], "info");
}

#[test]
fn show_secrets_prints_the_full_value() {
    let (v, _) = json_scan(&repo_root(), &["--show-secrets", "fixtures/demo"]);
    assert_eq!(v["findings"][1]["secret"], LIVE_KEY);
    let out = run(&repo_root(), &["scan", "--show-secrets", "fixtures/demo"]);
    assert!(stdout(&out).contains(LIVE_KEY));
}

#[test]
fn fingerprint_is_stable_when_lines_move() {
    let dir = tempdir();
    write(dir.path(), "a.env", format!("KEY={LIVE_KEY}\n"));
    let (before, _) = json_scan(dir.path(), &["a.env"]);
    write(
        dir.path(),
        "a.env",
        format!("# moved\n\n\nKEY={LIVE_KEY}\n"),
    );
    let (after, _) = json_scan(dir.path(), &["a.env"]);
    assert_eq!(before["findings"][0]["line"], 1);
    assert_eq!(after["findings"][0]["line"], 4);
    assert_eq!(
        before["findings"][0]["fingerprint"],
        after["findings"][0]["fingerprint"]
    );
    let other = LIVE_KEY.replace("vUC", "vUD");
    write(dir.path(), "a.env", format!("KEY={other}\n"));
    let (changed, _) = json_scan(dir.path(), &["a.env"]);
    assert_ne!(
        before["findings"][0]["fingerprint"],
        changed["findings"][0]["fingerprint"]
    );
}

#[test]
fn standard_input_is_scanned() {
    let bundle = format!("!function(){{var k=\"{RESTRICTED_KEY}\";}}();");
    let out = run_with_stdin(
        &repo_root(),
        &["scan", "--format", "json", "-"],
        bundle.as_bytes(),
    );
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.restricted-key.live".to_string(),
            "<stdin>".to_string()
        )]
    );
    assert_eq!(v["findings"][0]["column"], 20);
}

#[test]
fn fail_on_thresholds() {
    let dir = tempdir();
    write(dir.path(), "pk.js", format!("Stripe('{PUBLISHABLE_KEY}')"));
    write(dir.path(), "test.env", format!("K={TEST_KEY}\n"));
    // info alone never fails by default
    assert_eq!(code(&run(dir.path(), &["scan", "pk.js"])), 0);
    assert_eq!(
        code(&run(dir.path(), &["scan", "--fail-on", "info", "pk.js"])),
        1
    );
    // a low finding fails at the default threshold, not at critical, never with `never`
    assert_eq!(code(&run(dir.path(), &["scan", "test.env"])), 1);
    assert_eq!(
        code(&run(
            dir.path(),
            &["scan", "--fail-on", "critical", "test.env"]
        )),
        0
    );
    assert_eq!(
        code(&run(dir.path(), &["scan", "--fail-on", "never", "."])),
        0
    );
}

#[test]
fn clean_tree_exits_zero_with_summary() {
    let dir = tempdir();
    write(
        dir.path(),
        "src/main.rs",
        "fn main() { println!(\"sk_live_ is a prefix\"); }\n",
    );
    let out = run(dir.path(), &["scan"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("sealant: no findings"),
        "{}",
        stderr(&out)
    );
    let quiet = run(dir.path(), &["scan", "-q"]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn default_root_paths_have_no_dot_slash() {
    let dir = tempdir();
    write(dir.path(), "config/prod.env", format!("K={LIVE_KEY}\n"));
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(rule_paths(&v)[0].1, "config/prod.env");
    let (v, _) = json_scan(dir.path(), &["."]);
    assert_eq!(rule_paths(&v)[0].1, "./config/prod.env");
}

#[test]
fn unusable_invocations_exit_2() {
    let dir = tempdir();
    let missing = run(dir.path(), &["scan", "no-such-dir"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cannot scan 'no-such-dir'"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(code(&run(dir.path(), &["scan", "--format", "yaml"])), 2);
    assert_eq!(code(&run(dir.path(), &["scan", "--fail-on", "severe"])), 2);
    write(
        dir.path(),
        "bad.toml",
        "[[rule]]\nid = 'x'\ntitle = 't'\nseverity = 'low'\nkeywords = []\nregex = 'a'\nremediation = 'r'\n",
    );
    let bad = run(dir.path(), &["scan", "--rules", "bad.toml", "."]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("bad.toml: rule 'x': no keywords"),
        "{}",
        stderr(&bad)
    );
    write(
        dir.path(),
        "typo.toml",
        "[[rule]]\nid = 'x'\nseverity = 'low'\n",
    );
    let typo = run(dir.path(), &["scan", "--rules", "typo.toml", "."]);
    assert_eq!(code(&typo), 2);
    assert!(
        stderr(&typo).contains("typo.toml: invalid rule file"),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn help_documents_exit_codes() {
    let out = run(&repo_root(), &["scan", "--help"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.contains("Exit codes:") && text.contains("2  the scan could not run"),
        "{text}"
    );
}

#[test]
fn custom_rules_are_applied() {
    let dir = tempdir();
    write(
        dir.path(),
        "acme.toml",
        r#"
[[rule]]
id = "acme.token"
title = "ACME token"
severity = "high"
keywords = ["acme_"]
regex = '(?-u:\b)(acme_[a-f0-9]{32})\b'
remediation = "Revoke it at acme.example/tokens."
examples = ["acme_0123456789abcdef0123456789abcdef"]
"#,
    );
    write(
        dir.path(),
        "app.py",
        "TOKEN = 'acme_9f86d081884c7d659a2feaa0c55ad015'\n",
    );
    let (v, out) = json_scan(dir.path(), &["--rules", "acme.toml", "app.py"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        rule_paths(&v),
        vec![("acme.token".to_string(), "app.py".to_string())]
    );
    let listed = run(dir.path(), &["rules", "--rules", "acme.toml"]);
    assert!(stdout(&listed).contains("acme.token"));
}

#[test]
fn rules_lists_stripe_rules() {
    let out = run(&repo_root(), &["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for id in [
        "stripe.secret-key.live",
        "stripe.restricted-key.live",
        "stripe.secret-key.test",
        "stripe.restricted-key.test",
        "stripe.webhook-secret",
        "stripe.publishable-key.live",
        "stripe.publishable-key.test",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    assert!(text.contains("stripe.secret-key.live               critical  Stripe live secret key"));
    let json = run(&repo_root(), &["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(v.as_array().is_some_and(|a| a.len() >= 7));
    assert_eq!(v[0]["id"], "stripe.secret-key.live");
    assert_eq!(v[0]["keywords"][0], "sk_live_");
}

#[test]
fn output_is_deterministic() {
    let dir = tempdir();
    for i in 0..200 {
        let key = if i % 2 == 0 { LIVE_KEY } else { RESTRICTED_KEY };
        write(
            dir.path(),
            &format!("d{}/f{i}.txt", i % 7),
            format!("x\n{key}\n{TEST_KEY}\n"),
        );
    }
    let strip = |mut v: serde_json::Value| {
        v["summary"]["duration_ms"] = serde_json::Value::Null;
        v
    };
    let (a, _) = json_scan(dir.path(), &["-j", "2"]);
    let (b, _) = json_scan(dir.path(), &["-j", "2"]);
    let (c, _) = json_scan(dir.path(), &["-j", "1"]);
    assert_eq!(a["findings"].as_array().map(Vec::len), Some(400));
    let a = strip(a);
    assert_eq!(a, strip(b));
    assert_eq!(a, strip(c));
}

#[test]
fn colour_is_opt_in_off_a_terminal() {
    let out = run(
        &repo_root(),
        &["scan", "--color", "always", "fixtures/demo/.env"],
    );
    assert!(
        stdout(&out).contains("\x1b[1;31mCRITICAL"),
        "{}",
        stdout(&out)
    );
    let out = run(
        &repo_root(),
        &["scan", "--color", "never", "fixtures/demo/.env"],
    );
    assert!(!stdout(&out).contains('\x1b'));
}

/// What a newcomer types: sizes with suffixes (flag and config), `-qq`, `--fail-on` naming
/// `never`, a baseline and a report in one run, counts in words.
#[test]
fn newcomer_flags_and_counts() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    write(
        dir.path(),
        "big.txt",
        format!("{}\nk={LIVE_KEY}\n", "x".repeat(3000)),
    );
    // 2K: big.txt is read in part (its key past the limit), a.env whole.
    let (v, out) = json_scan(dir.path(), &["--max-filesize", "2K", "."]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(rule_paths(&v).len(), 1, "{v}");
    write(
        dir.path(),
        ".sealant.toml",
        "[limits]\nmax-filesize = \"1M\"\n",
    );
    let (v, _) = json_scan(dir.path(), &["."]);
    assert_eq!(rule_paths(&v).len(), 2, "{v}");
    let bad = run(dir.path(), &["scan", "--max-filesize", "1Q", "."]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("512K, 1M, 2G"), "{}", stderr(&bad));
    let quiet = run(dir.path(), &["scan", "-qq", "."]);
    assert_eq!(code(&quiet), 1, "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "");
    let bad = run(dir.path(), &["scan", "--fail-on", "severe", "."]);
    assert!(
        stderr(&bad).contains("critical or never"),
        "{}",
        stderr(&bad)
    );
    // A baseline and a report asked for in one run: both are written.
    let out = run(
        dir.path(),
        &[
            "scan",
            "--write-baseline",
            "b.json",
            "--format",
            "json",
            "-o",
            "r.json",
            "a.env",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote 1 finding to baseline"),
        "{}",
        stderr(&out)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).expect("report written"))
            .expect("json");
    assert_eq!(rule_paths(&report).len(), 1, "{report}");
    assert!(dir.path().join("b.json").is_file());
}

/// A PEM private key is shown by its type and a short digest, not `-----BEGI…---`.
#[test]
fn pem_keys_redact_to_their_type() {
    let dir = tempdir();
    let body: String = (0..20)
        .map(|i| format!("MIIEow{i:02}AKCAQEAx9f8Hk2Lq7Rt5Vw3Yz1Ab4Cd6Ef8Gh0Ij2Kl4Mn6Op8Qr0St\n"))
        .collect();
    write(
        dir.path(),
        "id_rsa",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    let out = run(dir.path(), &["scan", "--color", "never", "."]);
    let said = stdout(&out);
    assert!(
        said.contains("-----BEGIN RSA PRIVATE KEY----- …(sha256:"),
        "{said}"
    );
    assert!(!said.contains("MIIEow"), "{said}");
}
