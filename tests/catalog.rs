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

/// One secret is one finding, whatever rules see it: a service-account JSON's `private_key`
/// is the GCP finding, not also a `private-key` one (the spans differ by the escaped `\n`).
#[test]
fn a_service_account_key_is_one_finding() {
    let dir = tempdir();
    let pem = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n\
               MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\n\
               -----END PRIVATE KEY-----\\n";
    write(
        dir.path(),
        "sa.json",
        format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"shop-prod\",\n  \
             \"private_key_id\": \"4f8d2c1e9b7a6035d1c8e2f7a9b4c6d1e2f3a4b5\",\n  \
             \"private_key\": \"{pem}\",\n  \
             \"client_email\": \"deploy@shop-prod.iam.gserviceaccount.com\"\n}}\n"
        ),
    );
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(
        rule_paths(&v),
        vec![("gcp.service-account-key".to_string(), "sa.json".to_string())]
    );
}

/// A `_json_key` registry auth (base64 of a service-account JSON, ~3 KB) is found whole.
#[test]
fn a_long_docker_auth_is_found_whole() {
    let dir = tempdir();
    let key_json = format!(
        "{{\"type\":\"service_account\",\"private_key\":\"{}\"}}",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n".repeat(34)
    );
    let plain = format!("_json_key:{key_json}");
    let auth = sealant::decode::base64::encode(plain.as_bytes());
    assert!(auth.len() > 3000, "{}", auth.len());
    write(
        dir.path(),
        ".docker/config.json",
        format!(
            "{{\n  \"auths\": {{\n    \"gcr.io\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n"
        ),
    );
    let (v, _) = json_scan(dir.path(), &["--show-secrets"]);
    assert_eq!(v["findings"][0]["rule_id"], "docker.config-auth", "{v}");
    assert_eq!(
        v["findings"][0]["secret"].as_str().map(str::len),
        Some(auth.len())
    );
}

/// The built-in rule files, parsed as data (the test reads what the binary embeds).
fn builtin_rules() -> Vec<toml::Table> {
    let dir = repo_root().join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut rules = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("rule file");
        let table: toml::Table = text.parse().expect("rule file parses");
        if let Some(toml::Value::Array(list)) = table.get("rule") {
            rules.extend(list.iter().filter_map(|r| r.as_table().cloned()));
        }
    }
    rules
}

/// Every example of every built-in rule, written to a file of its own and scanned by the real
/// binary, is reported under that rule with the whole token (nothing of the token left right
/// after the capture) — the pipeline, not only the rule check, keeps each format whole.
#[test]
fn every_rule_example_is_found_whole_by_the_binary() {
    let dir = tempdir();
    let mut expected = Vec::new();
    let mut severity = std::collections::HashMap::new();
    for rule in builtin_rules() {
        let s = |k: &str| rule.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        severity.insert(s("id").to_string(), serde_json::json!(s("severity")));
        if s("severity") == "info" || rule.get("enabled").and_then(|v| v.as_bool()) == Some(false) {
            continue;
        }
        let examples = rule.get("examples").and_then(|v| v.as_array());
        for (n, ex) in examples.into_iter().flatten().enumerate() {
            let ex = ex.as_str().unwrap_or_default();
            let (path, text) = match ex.strip_prefix("@path:") {
                Some(rest) => {
                    let (p, t) = rest.split_once('\n').unwrap_or((rest, ""));
                    (format!("{}-{n}/{}", s("id"), p.trim()), t.to_string())
                }
                None => (format!("ex/{}-{n}.txt", s("id")), ex.to_string()),
            };
            write(dir.path(), &path, format!("{text}\n"));
            expected.push((s("id").to_string(), path, text));
        }
    }
    assert!(expected.len() > 300, "{}", expected.len());
    let (v, _) = json_scan(dir.path(), &["--show-secrets", "--fail-on", "never"]);
    let findings = v["findings"].as_array().expect("findings");
    let mut missing = Vec::new();
    for (id, path, text) in &expected {
        // The example may be another, more severe rule's format too (a `ghp_` token as an
        // `.npmrc` auth token): one secret is one finding, the more severe rule's.
        let rank = |s: &serde_json::Value| {
            ["info", "low", "medium", "high", "critical"]
                .iter()
                .position(|x| s == x)
        };
        let own = &severity[id];
        let mine = (findings.iter()).find(|f| {
            f["path"] == *path && (f["rule_id"] == *id || rank(&f["severity"]) > rank(own))
        });
        let Some(f) = mine else {
            missing.push(format!("{id}: nothing in {path}"));
            continue;
        };
        let secret = f["secret"].as_str().unwrap_or_default();
        let after = text
            .find(secret)
            .map(|at| text[at + secret.len()..].chars().next());
        if let Some(Some(c)) = after
            && c.is_ascii_alphanumeric()
        {
            missing.push(format!("{id}: capture stops inside the token in {path}"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The catalog covers at least 130 credential families on by default (rules that report a
/// credential above info; exposure, debug and frontend-placement rules are not counted).
#[test]
fn at_least_130_credential_families_are_on_by_default() {
    let placement = ["debug.", "frontend.", "env-file.", "sourcemap.", "nextjs."];
    let families = (builtin_rules().iter())
        .filter(|r| r.get("enabled").and_then(|v| v.as_bool()) != Some(false))
        .filter(|r| r.get("severity").and_then(|v| v.as_str()) != Some("info"))
        .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
        .filter(|id| !placement.iter().any(|p| id.starts_with(p)))
        .count();
    assert!(families >= 130, "{families} credential rules on by default");
}

/// A Paystack live key (`sk_live_` + 40 hex) is Paystack's, not Stripe's, though Stripe's
/// broader rule matches it too; a Stripe key beside it stays Stripe's.
#[test]
fn a_more_specific_rule_overrides_a_broader_one() {
    let dir = tempdir();
    write(
        dir.path(),
        ".env",
        "PAYSTACK_SECRET_KEY=sk_live_3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a\n\
         STRIPE_SECRET_KEY=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\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let ids: Vec<String> = triples(&v).into_iter().map(|x| x.0).collect();
    assert_eq!(ids, vec!["paystack.secret-key", "stripe.secret-key.live"]);
}

/// A service's name over a random value is a low finding (`vendor.named-credential`) naming the
/// variable, when no rule knows the value's format; where one does (Twilio's 32-hex auth token),
/// that rule's finding is the only one. Public or identifier names and other variables' names as
/// values are not findings.
#[test]
fn a_service_name_over_a_random_value_is_a_low_finding() {
    let dir = tempdir();
    write(
        dir.path(),
        "settings.env",
        "COINBASE_API_KEY=32iAkQCcHHYxXGx20VogBZoj27PC1ouI\n\
         TWILIO_AUTH_TOKEN=9c2e41f7a3b85d06e1f4a7c92b3d58e0\n\
         ALGOLIA_SEARCH_API_KEY=Hq3vZ8kL2mX9pR4tW7yB1nC6\n\
         FACEBOOK_APP_ID=294790898041575\n\
         DATADOG_API_KEY=DATADOG_API_KEY_FROM_VAULT\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let found: Vec<(String, String)> = (v["findings"].as_array().expect("findings").iter())
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("severity"))
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("vendor.named-credential".to_string(), "low".to_string()),
            ("twilio.api-key".to_string(), "critical".to_string()),
        ],
        "{v:#}"
    );
    let detail = v["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("COINBASE_API_KEY"), "{detail}");
}

/// Connection URLs: short passwords, `@` inside the password, PostGIS and SQLAlchemy's
/// `dialect+driver://` schemes are found (the whole password captured); known sample
/// credentials (`scott:tiger`) are not.
#[test]
fn connection_urls_in_their_real_shapes() {
    let dir = tempdir();
    write(
        dir.path(),
        "settings.py",
        "A = 'postgis://geo:k7Qz@gis.internal:5432/maps'\n\
         B = 'amqps://worker:Hx9@tLp2w!@mq.internal:5671/prod'\n\
         C = 'postgresql+psycopg2://app:Vb4nR8sWq2@db.internal/shop'\n\
         D = 'mysql+pymysql://scott:tiger@localhost/foo'\n",
    );
    let (v, _) = json_scan(dir.path(), &["--show-secrets"]);
    let secrets: Vec<&str> = (v["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["secret"].as_str())
        .collect();
    assert_eq!(secrets, vec!["k7Qz", "Hx9@tLp2w!", "Vb4nR8sWq2"]);
}

/// Each finding's path, rule and `field`, sorted.
fn path_rule_and(v: &serde_json::Value, field: &str) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = (v["findings"].as_array())
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), s("rule_id"), s(field))
        })
        .collect();
    found.sort();
    found
}

fn expect(path: &str, rule: &str, what: &str) -> (String, String, String) {
    (path.to_string(), rule.to_string(), what.to_string())
}

/// Random letters and digits, fresh each run (`n` keeps calls within one moment apart).
fn alnum(n: u64, len: usize) -> String {
    let body: String = (0..)
        .flat_map(|i| live_key(n * 16 + i)[10..].chars().collect::<Vec<_>>())
        .take(len)
        .collect();
    body
}

/// Facebook tokens with no name near them: a page token in a Kubernetes manifest, a token file
/// holding only the token (nothing before it: keywords that begin with a separator match at
/// the start of a file too, as does Dropbox's `sl.`), an app access token `{id}|{secret}`;
/// not a source map's `,EAAE,` segments, nor a base64 run that holds `+`.
#[test]
fn facebook_tokens_with_no_name_and_tokens_at_the_start_of_a_file() {
    let dir = tempdir();
    let page = format!("EAAM{}", alnum(1, 150));
    let alone = format!("EAAG{}", alnum(2, 120));
    let dropbox = format!("sl.u.{}", alnum(3, 140));
    let app = format!("1580231947726404|{}", &alnum(4, 27));
    write(
        dir.path(),
        "deploy.yaml",
        format!("env:\n  - name: PAGE_TOKEN\n    value: {page}\n"),
    );
    write(dir.path(), "fb_token", format!("{alone}\n"));
    write(dir.path(), "dropbox_token", format!("{dropbox}\n"));
    write(
        dir.path(),
        "graph.sh",
        format!("curl \"https://graph.facebook.com/me?access_token={app}\"\n"),
    );
    write(
        dir.path(),
        "app.js.map",
        format!(
            "{{\"mappings\":\"AAAA,EAAE,CAAC;EAAA,IAAI\",\"x\":\"EAA{}+{}\"}}\n",
            alnum(5, 60),
            alnum(6, 60)
        ),
    );
    let (v, _) = json_scan(dir.path(), &["--show-secrets"]);
    let found = path_rule_and(&v, "secret");
    assert_eq!(
        found,
        vec![
            expect("deploy.yaml", "facebook.access-token-bare", &page),
            expect("dropbox_token", "dropbox.token", &dropbox),
            expect("fb_token", "facebook.access-token-bare", &alone),
            expect("graph.sh", "facebook.app-access-token", &app),
        ],
        "{v:#}"
    );
}

/// Credentials TruffleHog's tests showed missed or misjudged: an Azure SAS whose signed expiry
/// has passed (parameters in any order) is info and one still valid is high; a registry
/// password found by its `+ACR` signature alone; an Azure OpenAI key beside its endpoint; a New
/// Relic license key; an interleaved placeholder (`a1b2c3…`) is no finding.
#[test]
fn expired_signatures_registry_passwords_and_interleaved_placeholders() {
    let dir = tempdir();
    let sig = |n: u64| format!("{}%2B{}%3D", alnum(n, 20), alnum(n + 1, 20));
    let acr = format!("{}+ACR{}", alnum(7, 42), alnum(8, 6));
    let hex = random_hex;
    let openai = hex(9, 32);
    let license = format!("{}NRAL", hex(10, 36));
    write(
        dir.path(),
        "storage.env",
        format!(
            "OLD_SAS=sp=rqx&st=2025-03-04T07:24:52Z&se=2025-04-04T15:24:52Z&spr=https&sv=2022-11-02&sr=c&sig={}\n\
             NEW_SAS=sv=2022-11-02&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig={}\n",
            sig(11),
            sig(13)
        ),
    );
    write(
        dir.path(),
        "push.sh",
        format!("docker login reg.azurecr.io -u reg -p {acr}\n"),
    );
    write(
        dir.path(),
        "chat.py",
        format!(
            "openai.api_type = 'azure'\nopenai.api_key = '{openai}'\nopenai.api_base = 'https://team.openai.azure.com/'\n"
        ),
    );
    write(
        dir.path(),
        "newrelic.yml",
        format!("common:\n  license_key: '{license}'\n"),
    );
    write(
        dir.path(),
        "shopify.env",
        "SHOPIFY_CLIENT_SECRET=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\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let found = path_rule_and(&v, "severity");
    assert_eq!(
        found,
        vec![
            expect("chat.py", "azure.openai-key", "high"),
            expect("newrelic.yml", "newrelic.license-key", "medium"),
            expect("push.sh", "azure.container-registry-password", "high"),
            expect("storage.env", "azure.sas-token", "high"),
            expect("storage.env", "azure.sas-token", "info"),
        ]
    );
}

/// Pairs in either order, formats read from the vendors' documents, values in notes written
/// `name - value`, and values made up by holding keys down:
/// - an Alibaba secret on the line before its `LTAI…` ID (group `secret2`), and after it;
/// - a Google OAuth client secret of the old 24-character form beside its client id;
/// - New Relic license keys as issued today (`…FFFFNRAL`), mobile app tokens, query keys;
/// - Azure keys under Azure names, a storage key in an XML element and a JS fallback;
/// - a Twilio SID and token in a markdown list, a Mailgun key a few words after the name;
/// - `gloas-` only with 64 hex digits, `glpat-` 64 characters with no routing suffix is not a
///   token GitLab issues; a Sourcegraph-like `sgp_` value of held-down keys is a placeholder.
#[test]
fn pairs_in_either_order_vendor_formats_and_notes() {
    let dir = tempdir();
    let hex = random_hex;
    let (ali_id, ali_secret) = (format!("LTAI{}", alnum(1, 20)), alnum(2, 30));
    write(
        dir.path(),
        "deploy.log",
        format!("[DEBUG] Using Key={ali_secret}\n[DEBUG] Using ID={ali_id}\n"),
    );
    write(
        dir.path(),
        "ali.py",
        format!("id = '{ali_id}'\nsecret = '{}'\n", alnum(3, 30)),
    );
    write(
        dir.path(),
        "client_secret.json",
        format!(
            "{{\"installed\":{{\"client_id\":\"83746192{}-{}.apps.googleusercontent.com\",\"project_id\":\"demo\",\"auth_uri\":\"https://accounts.google.com/o/oauth2/auth\",\"client_secret\":\"{}\"}}}}\n",
            hex(4, 4).replace(|c: char| c.is_ascii_alphabetic(), "7"),
            hex(5, 32),
            alnum(6, 24)
        ),
    );
    write(
        dir.path(),
        "newrelic.env",
        format!(
            "NEW_RELIC_LICENSE_KEY={}FFFFNRAL\nNEW_RELIC_MOBILE_TOKEN=AA{}-NRMA\nNEW_RELIC_QUERY_KEY=NRIQ-{}\n",
            hex(7, 32),
            hex(8, 40),
            alnum(9, 32)
        ),
    );
    write(
        dir.path(),
        "azure.yml",
        format!(
            "azure:\n  azureFunctionKey: {}==\n  azureKeyVaultName: acme-prod-vault\n",
            alnum(10, 54)
        ),
    );
    write(
        dir.path(),
        "storage.xml",
        format!("<account_key>{}==</account_key>\n", alnum(11, 86)),
    );
    write(
        dir.path(),
        "storage.js",
        format!(
            "export const key =\n  process.env.ACCOUNT_KEY ||\n  \"{}==\";\n",
            alnum(12, 86)
        ),
    );
    write(
        dir.path(),
        "NOTES.md",
        format!(
            "- Twilio account SID - AC{}\n- Twilio auth token - {}\n",
            hex(13, 32),
            hex(14, 32)
        ),
    );
    write(
        dir.path(),
        "mail.txt",
        format!(
            "mailgun account ops@acme.io pass '{}-{}-{}'\n",
            hex(15, 32),
            hex(16, 8),
            hex(17, 8)
        ),
    );
    write(
        dir.path(),
        "gitlab.yml",
        format!(
            "app_secret: gloas-{}\nshort_secret: gloas-{}\nodd_token: glpat-{}\n",
            hex(18, 64),
            hex(19, 32),
            hex(20, 64)
        ),
    );
    write(
        dir.path(),
        "sg.env",
        "SRC_ACCESS_TOKEN=sgp_5555555dAAAAA7777777CcccCFaaaaaaaaaaaaaa\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    let found = path_rule_and(&v, "severity");
    assert_eq!(
        found,
        vec![
            expect("NOTES.md", "twilio.account-credentials", "critical"),
            expect("ali.py", "alibaba.access-key-id", "medium"),
            expect("ali.py", "alibaba.access-key-pair", "critical"),
            expect("azure.yml", "azure.named-key", "high"),
            expect(
                "client_secret.json",
                "google.oauth-client-secret-legacy",
                "high"
            ),
            expect("deploy.log", "alibaba.access-key-id", "medium"),
            expect("deploy.log", "alibaba.access-key-pair", "critical"),
            expect("gitlab.yml", "gitlab.token", "critical"),
            expect("mail.txt", "mailgun.api-key-unprefixed", "critical"),
            expect("newrelic.env", "newrelic.key", "high"),
            expect("newrelic.env", "newrelic.license-key", "medium"),
            expect("newrelic.env", "newrelic.license-key", "medium"),
            expect("storage.js", "azure.storage-account-key", "critical"),
            expect("storage.xml", "azure.storage-account-key", "critical"),
        ],
        "{v:#}"
    );
    // The pair read in reverse order reports the secret and its ID, not the ID's line.
    let log = (v["findings"].as_array().expect("findings").iter())
        .find(|f| f["path"] == "deploy.log" && f["rule_id"] == "alibaba.access-key-pair")
        .expect("deploy.log finding");
    assert_eq!(log["line"], 1, "{log:#}");
}
