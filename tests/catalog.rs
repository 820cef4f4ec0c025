//! The rule catalog end to end: families beyond Stripe, checksums, confidence, rules that are
//! off by default, `sealant rules check`, and quiet on clean code.

mod common;
use common::*;

/// (rule_id, severity, confidence) of each finding.
fn triples(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("severity"), s("confidence"))
        })
        .collect()
}

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_string(), b.to_string(), c.to_string())
}

#[test]
fn clean_fixture_has_no_findings() {
    let (v, out) = json_scan(&repo_root(), &["fixtures/clean"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(triples(&v), vec![]);
}

#[test]
fn github_checksum_sets_confidence() {
    let dir = tempdir();
    write(
        dir.path(),
        "ci.env",
        "GH_TOKEN=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\nOLD=ghp_ZzoU8nDX7rnx5xrbw0aRFvKyQQbV4iOmSpnX\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        triples(&v),
        vec![
            t("github.token", "critical", "high"),
            t("github.token", "critical", "low")
        ]
    );
}

#[test]
fn aws_pair_and_private_keys() {
    let dir = tempdir();
    write(
        dir.path(),
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIAMIIHDUG7K2Z6F2KB\naws_secret_access_key = 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\n",
    );
    let body = "MIIEpAIBAAKCAQEAvFq3cX8ePq2zK9x1Lw4HnG7sT0bYjRkUa5mC3dE8fVhWiJlN\n\
                oOp1Q2rS3tU4vW5xY6zA7bC8dD9eE0fF1gG2hH3iI4jJ5kK6lL7mM8nN9oO0pP1q\n\
                Zx7Yw6Vu5Ts4Rq3Po2Nm1Lk0Jj9Ii8Hh7Gg6Ff5Ee4Dd3Cc2Bb1Aa0zZ9yY8xX7wW\n";
    write(
        dir.path(),
        "deploy/id_rsa",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    write(
        dir.path(),
        "deploy/backup.pem",
        format!(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}-----END ENCRYPTED PRIVATE KEY-----\n"
        ),
    );
    let (v, out) = json_scan(dir.path(), &["--show-secrets"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        triples(&v),
        vec![
            t("aws.access-key-id", "medium", "medium"),
            // The pair (which names its key ID, so --verify can check it) over the secret alone.
            t("aws.access-key-pair", "critical", "high"),
            t("private-key.encrypted", "low", "medium"),
            t("private-key", "critical", "high"),
        ]
    );
    // The whole PEM block is the secret.
    let pem = v["findings"][3]["secret"].as_str().unwrap_or_default();
    assert!(
        pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
        "{pem}"
    );
    assert!(pem.ends_with("-----END RSA PRIVATE KEY-----"), "{pem}");
    // Redacted by default, even for a multi-line secret.
    let (v, _) = json_scan(dir.path(), &["deploy/id_rsa"]);
    let shown = v["findings"][0]["secret"].as_str().unwrap_or_default();
    assert!(!shown.contains("MIIEpAIBAAKCAQEA"), "{shown}");
}

#[test]
fn families_beyond_stripe_are_found() {
    let dir = tempdir();
    write(
        dir.path(),
        "app/.env.production",
        "SENDGRID_API_KEY=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\n\
         DATABASE_URL=postgres://app:JURkMZr07cjPRIcF@db.internal:5432/shop\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let ids: Vec<String> = triples(&v).into_iter().map(|x| x.0).collect();
    assert_eq!(
        ids,
        vec!["sendgrid.api-key", "connection-string.credentials"]
    );
}

#[test]
fn generic_rule_is_off_until_enabled() {
    let dir = tempdir();
    write(
        dir.path(),
        "settings.py",
        "DB_PASSWORD = \"kkzyJyORpchw5Ugtp9k1q11pkp1wUvWM\"\n",
    );
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(code(&out), 0);
    assert!(triples(&v).is_empty());
    let (v, out) = json_scan(dir.path(), &["--enable", "generic"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        triples(&v),
        vec![t("generic.secret-assignment", "medium", "low")]
    );
    let bad = run(dir.path(), &["scan", "--enable", "no-such-rule"]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("no rule is named 'no-such-rule'"));
    let (v, _) = json_scan(
        &repo_root(),
        &[
            "--disable",
            "stripe",
            "--disable",
            "env-file",
            "fixtures/demo",
        ],
    );
    assert!(triples(&v).is_empty(), "{v}");
}

#[test]
fn rules_check_validates_builtins_and_user_files() {
    let out = run(&repo_root(), &["rules", "check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("ok: built-in rules"));
    let dir = tempdir();
    write(
        dir.path(),
        "mine.toml",
        r#"
[[rule]]
id = "acme.key"
title = "ACME key"
severity = "high"
keywords = ["acme_"]
regex = '(acme_[0-9a-f]{16})'
remediation = "Revoke it."
examples = ["acme_0123456789abcdef", "acme_short"]
negative_examples = ["acme_fedcba9876543210"]
"#,
    );
    let out = run(dir.path(), &["rules", "check", "mine.toml"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains("acme.key: example is not matched: \"acme_short\""),
        "{text}"
    );
    assert!(
        text.contains("acme.key: negative example is matched"),
        "{text}"
    );
    write(
        dir.path(),
        "broken.toml",
        "[[rule]]\nid = 'x'\nregex = '('\n",
    );
    assert_eq!(
        code(&run(dir.path(), &["rules", "check", "broken.toml"])),
        2
    );
}

#[test]
fn rules_list_marks_rules_that_are_off() {
    let out = run(&repo_root(), &["rules"]);
    let text = stdout(&out);
    let generic = text
        .lines()
        .find(|l| l.starts_with("generic.secret-assignment"))
        .unwrap_or_default();
    assert!(generic.contains("off by default"), "{text}");
    let count = text.lines().count();
    assert!(count >= 80, "{count} rules");
    // File rules are listed too.
    assert!(
        text.lines()
            .any(|l| l.starts_with("env-file.committed") && l.ends_with("(file rule)")),
        "{text}"
    );
}
