//! Keys hidden by an encoding, end to end with the real binary: each form is generated with a
//! fresh random key, and the finding's rule, path, line, full secret (`--show-secrets`) and
//! decoding chain are checked. Negatives: sealed or binary values, placeholders, test keys.

mod common;

use common::*;
use sealant::decode::base64::{encode as b64, encode_url as b64url};
use sealant::decode::hex::encode as hex;

/// A random alphanumeric string of `n` characters (xorshift, seeded per call from the clock
/// and a counter: each test gets keys nobody has seen).
fn random(n: usize) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut s = nanos
        ^ COUNTER
            .fetch_add(0x9E37_79B9, Ordering::Relaxed)
            .rotate_left(17)
        | 1;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            char::from(ALPHABET[(s % ALPHABET.len() as u64) as usize])
        })
        .collect()
}

fn live_key() -> String {
    format!("sk_live_51{}", random(97))
}

/// (rule, path, line, secret, decoded chain) of each finding.
fn findings(dir: &std::path::Path, args: &[&str]) -> Vec<(String, String, u64, String, String)> {
    let mut all = vec!["--show-secrets", "--fail-on", "never"];
    all.extend_from_slice(args);
    let (v, out) = json_scan(dir, &all);
    assert!(code(&out) < 2, "{}", stderr(&out));
    (finding_fields(&v, &["rule_id", "path", "line", "secret", "decoded"]).into_iter())
        .map(|f| {
            let line = f[2].parse().unwrap_or_default();
            (f[0].clone(), f[1].clone(), line, f[3].clone(), f[4].clone())
        })
        .collect()
}

fn one(
    rule: &str,
    path: &str,
    line: u64,
    secret: &str,
    chain: &str,
) -> (String, String, u64, String, String) {
    (rule.into(), path.into(), line, secret.into(), chain.into())
}

#[test]
fn kubernetes_secret_values_are_decoded_with_their_names() {
    let dir = tempdir();
    let key = live_key();
    let aws = format!("{}/{}", random(20), random(19));
    let env = format!("DEBUG=false\nSTRIPE_SECRET_KEY={key}\n");
    write(
        dir.path(),
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments\ntype: Opaque\ndata:\n  \
             STRIPE_SECRET_KEY: {}\n  AWS_SECRET_ACCESS_KEY: {}\n  env: {}\n",
            b64(key.as_bytes()),
            b64(aws.as_bytes()),
            b64(b64(env.as_bytes()).as_bytes()),
        ),
    );
    write(
        dir.path(),
        "k8s/secret.json",
        format!(
            "{{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Secret\",\n  \"data\": {{\n    \
             \"AWS_SECRET_ACCESS_KEY\": \"{}\"\n  }}\n}}\n",
            b64(aws.as_bytes())
        ),
    );
    let got = findings(dir.path(), &[]);
    assert_eq!(
        got,
        vec![
            one(
                "aws.secret-access-key",
                "k8s/secret.json",
                5,
                &aws,
                "base64"
            ),
            one(
                "stripe.secret-key.live",
                "k8s/secret.yaml",
                7,
                &key,
                "base64"
            ),
            one(
                "aws.secret-access-key",
                "k8s/secret.yaml",
                8,
                &aws,
                "base64"
            ),
            one(
                "stripe.secret-key.live",
                "k8s/secret.yaml",
                9,
                &key,
                "base64>base64"
            ),
        ]
    );
}

/// A service-account token as Kubernetes writes it: a legacy token (no expiry) base64-encoded
/// in its Secret, and a bound token (expiring in 2100) in a kubeconfig, each with fresh names
/// and signature, are high `kubernetes.service-account-token` findings; the same bound token
/// expired is info.
#[test]
fn kubernetes_service_account_tokens_plain_and_in_secrets() {
    let dir = tempdir();
    let header = b64url(br#"{"alg":"RS256","kid":"Qm3xV1d9aP0sZr7Tq8cLk2WfYh6NjBu4GeXo5RiDtKA"}"#);
    let sa = random(9).to_lowercase();
    let legacy = format!(
        "{header}.{}.{}",
        b64url(
            format!(
                r#"{{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"ci","kubernetes.io/serviceaccount/secret.name":"{sa}-token-x7k2p","kubernetes.io/serviceaccount/service-account.name":"{sa}","sub":"system:serviceaccount:ci:{sa}"}}"#
            )
            .as_bytes()
        ),
        b64url(random(256).as_bytes())
    );
    let bound = |exp: u64| {
        format!(
            "{header}.{}.{}",
            b64url(
                format!(
                    r#"{{"aud":["https://kubernetes.default.svc"],"exp":{exp},"iat":1733011200,"iss":"https://kubernetes.default.svc","kubernetes.io":{{"namespace":"payments","serviceaccount":{{"name":"{sa}"}}}},"sub":"system:serviceaccount:payments:{sa}"}}"#
                )
                .as_bytes()
            ),
            b64url(random(256).as_bytes())
        )
    };
    let (live, expired) = (bound(4102444800), bound(1733014800));
    write(
        dir.path(),
        "secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\ndata:\n  \
             namespace: Y2k=\n  token: {}\n",
            b64(legacy.as_bytes())
        ),
    );
    write(
        dir.path(),
        "kubeconfig",
        format!(
            "users:\n- name: ci\n  user:\n    token: {live}\n- name: old\n  user:\n    token: {expired}\n"
        ),
    );
    let got = findings(dir.path(), &[]);
    assert_eq!(
        got,
        vec![
            one(
                "kubernetes.service-account-token",
                "kubeconfig",
                4,
                &live,
                ""
            ),
            one(
                "kubernetes.service-account-token",
                "kubeconfig",
                7,
                &expired,
                ""
            ),
            one(
                "kubernetes.service-account-token",
                "secret.yaml",
                6,
                &legacy,
                "base64"
            ),
        ]
    );
    let (v, _) = json_scan(dir.path(), &["--fail-on", "never"]);
    let severities: Vec<String> = finding_fields(&v, &["severity"])
        .into_iter()
        .map(|f| f[0].clone())
        .collect();
    assert_eq!(severities, vec!["high", "info", "high"]);
}

#[test]
fn sealed_secrets_binary_values_and_images_are_not_findings() {
    let dir = tempdir();
    let noise: Vec<u8> = random(600).bytes().map(|b| b.wrapping_mul(37)).collect();
    write(
        dir.path(),
        "sealed.yaml",
        format!(
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    \
             STRIPE_SECRET_KEY: {}\n",
            b64(&noise)
        ),
    );
    write(
        dir.path(),
        "index.html",
        format!(
            "<img src=\"data:image/png;base64,{}\">\n<style>@font-face{{src:url(data:font/woff2;base64,{})}}</style>\n",
            b64(&noise),
            b64(&noise[..300])
        ),
    );
    write(dir.path(), "blob.txt", b64(&noise).repeat(40));
    assert_eq!(findings(dir.path(), &[]), vec![]);
}

#[test]
fn docker_auth_basic_headers_and_ci_variables() {
    let dir = tempdir();
    let token = format!("ghp_{}", random(36));
    let key = live_key();
    write(
        dir.path(),
        ".docker/config.json",
        format!(
            "{{\n  \"auths\": {{\n    \"ghcr.io\": {{\n      \"auth\": \"{}\"\n    }}\n  }}\n}}\n",
            b64(format!("deploy:{token}").as_bytes())
        ),
    );
    // `curl -u sk_live_…:` sends the key as the Basic-auth user; a HAR file records it.
    write(
        dir.path(),
        "session.har",
        format!(
            "{{\"log\": {{\"entries\": [{{\"request\": {{\"headers\": [\n  {{\"name\": \
             \"Authorization\", \"value\": \"Basic {}\"}}\n]}}}}]}}}}\n",
            b64(format!("{key}:").as_bytes())
        ),
    );
    write(
        dir.path(),
        ".gitlab-ci.yml",
        format!(
            "variables:\n  DOTENV_B64: \"{}\"\n",
            b64(format!("APP_ENV=production\nSTRIPE_SECRET_KEY={key}\nLOG=info\n").as_bytes())
        ),
    );
    let got = findings(dir.path(), &[]);
    let chains: Vec<_> = got
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3.as_str(), f.4.as_str()))
        .collect();
    assert!(
        chains.contains(&("github.token", ".docker/config.json", 4, &token, "base64")),
        "{got:?}"
    );
    // The generic registry finding stays beside the token's own.
    assert!(
        chains.iter().any(|f| f.0 == "docker.config-auth"),
        "{got:?}"
    );
    assert!(
        chains.contains(&("stripe.secret-key.live", "session.har", 2, &key, "base64")),
        "{got:?}"
    );
    assert!(
        chains.contains(&(
            "stripe.secret-key.live",
            ".gitlab-ci.yml",
            2,
            &key,
            "base64"
        )),
        "{got:?}"
    );
    assert_eq!(got.len(), 4, "{got:?}");
}

#[test]
fn data_uris_and_jwt_payloads() {
    let dir = tempdir();
    let key = live_key();
    // Access key ids are base32: A-Z and 2-7.
    let id: String = format!(
        "AKIA{}",
        random(16)
            .bytes()
            .map(|b| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[usize::from(b) % 32]))
            .collect::<String>()
    );
    let secret = random(40);
    let payload = format!(
        "{{\"sub\":\"ci\",\"aws_access_key_id\":\"{id}\",\"aws_secret_access_key\":\"{secret}\"}}"
    );
    let jwt = format!(
        "{}.{}.{}",
        b64url(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
        b64url(payload.as_bytes()),
        random(43)
    );
    write(
        dir.path(),
        "public/index.html",
        format!(
            "<html>\n<script src=\"data:text/javascript;base64,{}\"></script>\n</html>\n",
            b64(format!("window.KEY='{key}';").as_bytes())
        ),
    );
    write(dir.path(), "token.txt", format!("session\n{jwt}\n"));
    let got = findings(dir.path(), &[]);
    assert!(
        got.contains(&one(
            "stripe.secret-key.live",
            "public/index.html",
            2,
            &key,
            "base64"
        )),
        "{got:?}"
    );
    let aws: Vec<_> = got.iter().filter(|f| f.1 == "token.txt").collect();
    assert!(
        aws.iter()
            .any(|f| f.0.starts_with("aws.") && f.3 == secret && f.4 == "base64" && f.2 == 2),
        "{got:?}"
    );
    assert!(aws.iter().any(|f| f.3 == id), "{got:?}");
}

#[test]
fn hex_percent_unicode_and_entities() {
    let dir = tempdir();
    let keys: Vec<String> = (0..7).map(|_| live_key()).collect();
    let all = |k: &str, f: &dyn Fn(u8) -> String| k.bytes().map(f).collect::<String>();
    write(
        dir.path(),
        "app.log",
        format!(
            "start\nkey hex {}\nurl https://x.test/?k={}\nform k={}\n",
            hex(keys[0].as_bytes(), false),
            keys[1].replace('_', "%5F"),
            all(&keys[2], &|b| format!("%{b:02X}")),
        ),
    );
    write(
        dir.path(),
        "bundle.js",
        format!(
            "var a=\"{}\";\nvar b=\"{}\";\n",
            all(&keys[3], &|b| format!("\\x{b:02x}")),
            keys[4].replace('_', "\\u005f"),
        ),
    );
    write(
        dir.path(),
        "page.html",
        format!(
            "<p>\n<span data-k=\"{}\"></span>\n<span data-k=\"{}\"></span>\n",
            all(&keys[5], &|b| format!("&#{b};")),
            keys[6].replace('_', "&lowbar;"),
        ),
    );
    let mut got = findings(dir.path(), &[]);
    got.sort_by(|a, b| a.3.cmp(&b.3));
    let mut want = vec![
        one("stripe.secret-key.live", "app.log", 2, &keys[0], "hex"),
        one("stripe.secret-key.live", "app.log", 3, &keys[1], "percent"),
        one("stripe.secret-key.live", "app.log", 4, &keys[2], "percent"),
        one(
            "stripe.secret-key.live",
            "bundle.js",
            1,
            &keys[3],
            "\\x escapes",
        ),
        one(
            "stripe.secret-key.live",
            "bundle.js",
            2,
            &keys[4],
            "\\u escapes",
        ),
        one(
            "stripe.secret-key.live",
            "page.html",
            2,
            &keys[5],
            "HTML entities",
        ),
        one(
            "stripe.secret-key.live",
            "page.html",
            3,
            &keys[6],
            "HTML entities",
        ),
    ];
    want.sort_by(|a, b| a.3.cmp(&b.3));
    assert_eq!(got, want);
}

#[test]
fn encoded_test_keys_and_placeholders_keep_their_verdicts() {
    let dir = tempdir();
    let test_key = format!("sk_test_51{}", random(30));
    write(
        dir.path(),
        "ci.env",
        format!(
            "A={}\nB={}\n",
            b64(test_key.as_bytes()),
            b64(format!("sk_live_{}", "x".repeat(99)).as_bytes())
        ),
    );
    let (v, _) = json_scan(dir.path(), &["--show-secrets", "--fail-on", "never"]);
    let f = v["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 1, "{v}");
    assert_eq!(f[0]["rule_id"], "stripe.secret-key.test");
    assert_eq!(f[0]["severity"], "low");
    assert_eq!(f[0]["secret"], test_key.as_str());
    assert!(
        v["summary"]["suppressed"]["placeholder"].as_u64() >= Some(1),
        "{}",
        v["summary"]
    );
}

#[test]
fn depth_is_bounded_warned_and_configurable() {
    let dir = tempdir();
    let key = live_key();
    let mut value = key.clone();
    for _ in 0..5 {
        value = b64(value.as_bytes());
    }
    write(
        dir.path(),
        "deep.yaml",
        format!("kind: Secret\ndata:\n  KEY: {value}\n"),
    );
    let (v, out) = json_scan(dir.path(), &["--show-secrets", "--fail-on", "never"]);
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert!(
        stderr(&out).contains("nested deeper than 3 levels"),
        "{}",
        stderr(&out)
    );
    let got = findings(dir.path(), &["--max-decode-depth", "5"]);
    assert_eq!(
        got,
        vec![one(
            "stripe.secret-key.live",
            "deep.yaml",
            3,
            &key,
            "base64>base64>base64>base64>base64"
        )]
    );
    // Off: nothing is decoded.
    write(
        dir.path(),
        "one.txt",
        format!("X={}\n", b64(key.as_bytes())),
    );
    assert!(findings(dir.path(), &["--max-decode-depth", "0", "one.txt"]).is_empty());
    assert_eq!(findings(dir.path(), &["one.txt"]).len(), 1);
    // The same from the config.
    write(
        dir.path(),
        ".sealant.toml",
        "[limits]\nmax-decode-depth = 0\n",
    );
    assert!(findings(dir.path(), &["one.txt"]).is_empty());
}

#[test]
fn every_report_format_names_the_encoding_and_redacts() {
    let dir = tempdir();
    let key = live_key();
    write(dir.path(), "a.env", format!("K={}\n", b64(key.as_bytes())));
    for format in [
        "text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "csv",
    ] {
        let out = run(
            dir.path(),
            &["scan", "--format", format, "--fail-on", "never", "a.env"],
        );
        let text = stdout(&out);
        assert!(text.contains("base64"), "{format}: {text}");
        assert!(!text.contains(&key), "{format} prints the secret: {text}");
        assert!(!stderr(&out).contains(&key), "{format}");
    }
}
