//! Live verification against a local mock server that answers like each provider: the status
//! each answer gives, the request sent (method, path, credentials), one request per distinct
//! secret, nothing sent without --verify, nothing but loopback accepted as a base URL, and no
//! secret printed.

mod common;
use common::*;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HANG: &str = "sk_test_51d0INpfaF4n6ZaViuTfBuXKDp36NcdyU8SFaXx0xlN64doTExH6QJSCTBptAf";
const LIMITED: &str = "sk_test_51fKRBkNeerwiKzABiy3j5gsW3YptnQW9hRdWreM5VqlzlAd7wiRsIXcI60HPa";
const REDIRECTED: &str = "sk_test_51OIgfx5MlzmEFRnOIl9PlazQ8fREWwitv02oknIGUup8oGyXtYiN1xc52FkNw";
const GARBAGE: &str = "sk_test_51csPTNG3pQcwOPZR82ASkJyfFgQUbA6SzSpX7yG1JDZh8wViXAyggl4JyoSBA";
const DEAD: &str = "sk_test_51UU5wag7zHzc0J8iubnn7VY4H66ta1xJmoK6K84MEjLv4F92LFNojKKlGrvSZ";

const GITHUB: &str = "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";
const GITLAB: &str = "glpat-e64HmE_tWN2EABTPu1m0";
const SLACK: &str = "xoxb-950894482367-8161350570382-xlY30zxpDlwrAgr4LAhxMgq2";
const OPENAI: &str = "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";
const ANTHROPIC: &str = "sk-ant-api03-bXHuaTmzTJvgWJ4aAaoN5hrrhSUeTo20J2iExoTg-ozo5Tt2I9_gL4x40eP32ofCwYNEhbQUwP3qhm0yUmZy3O2XPLkrUAA";
const SENDGRID: &str = "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";
const NPM: &str = "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";
const HF: &str = "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";
const TWILIO_SID: &str = "AC4f8d2c1e9b7a6035d1c8e2f7a9b4c6d1";
const TWILIO_TOKEN: &str = "0ed00e9d2f64c4d3f07515bed076de5a";
const NETLIFY: &str = "nfp_q7Rk2LmX9vBt4WcZ8hN3pJ6sD1fG5yKuE0aT";
const CLOUDFLARE: &str = "laq_V9EKiInzdBgSW5h199R9BHK4rr6qx9hzDmpq";
const CLOUDFLARE_REVOKED: &str = "D_0_S3EsVguv7h6xY0rVAZPLIeMoY7Dy5f3AtNrE";
const DATADOG: &str = "3b8e0f5a9c2d4e7f1a6b8c0d2e4f6a8b";
const DATADOG_DEAD: &str = "9f1e3d5c7b9a0f2e4d6c8b0a1f3e5d7c";
const DATADOG_FLAKY: &str = "5d7f9b1c3e5a7d9f0b2c4e6a8d0f1b3c";
const DATADOG_APP: &str = "7c2e9a4f1b8d3e6a0c5f2b9d4e7a1c8f3b6d0e5a";
const MAILGUN_EU: &str = "key-4f9c2e7a1d8b3f6e0a5c9d2b7e4f1a8c";
const MAILGUN_SENDING: &str = "d3f8a1c6e9b2d5f7a0c3e6b9d2f5a8c1-6e2b9d4f-1a7c3e8b";
const MAILGUN_DEAD: &str = "key-8a1d4f7c0e3b6a9d2f5c8e1b4a7d0f3c";
const AIRTABLE: &str =
    "patQ3kT9vLmZx2RbN.5c0e81f4a9d27b36e4f1a08c9d5b27e3f6a14c8d02b79e5f31a6c4d8e7b02f91";
const AIRTABLE_OAUTH: &str = "oaaW8pN4cRt6yJh1K.v1.eyJ1c2VySWQiOiJ1c3JRcnN0VXZ3WHl6In0.9e2b7d41c6f03a85e1d7b94c2a6f08e3d5b1c9a7f2e4d60b8a3c5e7f91d2b4a6";
const NEWRELIC_EU: &str = "NRAK-4MYOTK9CFKMLNKUH518DXKKOOHO";
const NEWRELIC_DEAD: &str = "NRAK-OZCLE6876J3ZPBIE3Z7APSX96KF";
const DISCORD: &str = "MTE4NzE0OTU3NzY1MzcyMjExMg.Gq7Zb2.k3W9vTq2LmXp8RzN4cYb6HdF1sGjQwEoUaIt";
const FIGMA: &str = "figd_Rz8Kq2LmXp4TvN7cYb1HdF9sGjQwEoUaItBk";
const FIGMA_DEAD: &str = "figd_Wq3LmX9pTvN2cYb7HdF4sGjQwEoUaItBkRz8";
const CIRCLECI: &str = "CCIPAT_Xq4RtY7uI9oP2aS5dF8gH1_4f0c2a9b7d1e3f5a6c8b0d2e4f6a8c1e3b5d7f9a";
const ASANA: &str = "2/1204468852186726/1204878260687070:c81ba9f3d7e24a6b5c0d9e8f7a6b5c4d";
const FRAMEIO: &str = "fio-u-Lq8Kz2mXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sGjQwEoUaItBkR";
const DROPBOX: &str = "sl.u.AbCq8Kz2mXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sGjQwEoUaItBkRq8Kz2mXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sGjQwEoUa";
const DROPBOX_DEAD: &str = "sl.u.ZyXq8Kz2mXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sGjQwEoUaItBkRq8Kz2mXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sGjQwEoUa";
const YANDEX: &str = "y0_Kq2LmXp4TvN7cYb1HdF9sGjQwEoUaItBkRz3LmX9pTvN2cYb7HdF4sG";
const HUBSPOT: &str = "pat-eu1-7d3a9c1e-5b2f-4e8d-a6c0-9f1b3d5e7a2c";
const HUBSPOT_DEAD: &str = "pat-na1-2e8c4a6f-0d1b-4f3e-9a7c-5b2d8e1f4a6c";
const AWS_ID: &str = "AKIAMIIHDUG7K2Z6F2KB";
const AWS_SECRET: &str = "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";

const PROVIDERS: &[&str] = &[
    "STRIPE",
    "GITHUB",
    "GITLAB",
    "SLACK",
    "OPENAI",
    "ANTHROPIC",
    "SENDGRID",
    "NPM",
    "HUGGINGFACE",
    "TWILIO",
    "NETLIFY",
    "CLOUDFLARE",
    "DATADOG",
    "MAILGUN",
    "AIRTABLE",
    "NEWRELIC",
    "DISCORD",
    "FIGMA",
    "CIRCLECI",
    "ASANA",
    "FRAMEIO",
    "DROPBOX",
    "YANDEX",
    "HUBSPOT",
    "AWS",
];

/// A request the mock server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

enum Reply {
    Answer(u16, Vec<(&'static str, String)>, String),
    Hang(Duration),
}

fn json(code: u16, body: &str) -> Reply {
    Reply::Answer(
        code,
        vec![("content-type", "application/json".into())],
        body.into(),
    )
}

/// A mock server on 127.0.0.1 answering with `handler`; records every request.
struct Mock {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    fn start(handler: fn(&Seen, &str) -> Reply) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let other = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                let other = other.clone();
                std::thread::spawn(move || serve(stream, handler, &log, &other));
            }
        });
        Mock { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(stream: TcpStream, handler: fn(&Seen, &str) -> Reply, log: &Mutex<Vec<Seen>>, me: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return;
    };
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.insert(n.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let seen = Seen {
        method: method.to_string(),
        path: path.to_string(),
        headers,
    };
    log.lock().expect("lock").push(seen.clone());
    let mut stream = stream;
    match handler(&seen, me) {
        Reply::Hang(d) => std::thread::sleep(d),
        Reply::Answer(code, headers, body) => {
            let mut out = format!(
                "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            let _ = stream.write_all(out.as_bytes());
        }
    }
}

/// The secret of an HTTP Basic header (`key:` or `user:secret`).
fn basic(seen: &Seen) -> String {
    let v = seen
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    let b = v.strip_prefix("Basic ").unwrap_or("");
    String::from_utf8(decode64(b)).unwrap_or_default()
}

fn decode64(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let Some(v) = alphabet.iter().position(|&a| a == c) else {
            break;
        };
        bits = bits << 6 | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn bearer(seen: &Seen) -> String {
    let v = seen
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    v.strip_prefix("Bearer ").unwrap_or("").to_string()
}

/// Answers like each provider would for the test's keys.
fn providers(seen: &Seen, me: &str) -> Reply {
    let path = seen.path.as_str();
    if path.starts_with("/v1/") && seen.headers.contains_key("x-api-key") {
        return match seen.headers.get("x-api-key").map(String::as_str) {
            Some(ANTHROPIC) => json(200, r#"{"data":[{"id":"a"},{"id":"b"}]}"#),
            _ => json(401, r#"{"type":"error"}"#),
        };
    }
    // Datadog's sites, each under its own name: the live key is one of US5's.
    if let Some(site) = path.strip_suffix("/api/v1/validate") {
        let key = seen.headers.get("dd-api-key").map(String::as_str);
        return match (site, key) {
            ("/us5.datadoghq.com", Some(DATADOG)) => json(200, r#"{"valid":true}"#),
            ("/ap1.datadoghq.com", Some(DATADOG_FLAKY)) => json(503, "{}"),
            _ => json(403, r#"{"errors":["Forbidden"]}"#),
        };
    }
    // Mailgun's regions: one key is the EU's, a domain sending key may not list domains.
    if let Some(site) = path.strip_suffix("/v3/domains?limit=1") {
        let auth = basic(seen);
        return match (site, auth.strip_prefix("api:")) {
            ("/eu.mailgun.net", Some(MAILGUN_EU)) => json(
                200,
                r#"{"total_count":3,"items":[{"name":"mg.example.com"}]}"#,
            ),
            ("/mailgun.net", Some(MAILGUN_SENDING)) => json(403, r#"{"message":"Forbidden"}"#),
            _ => json(401, r#"{"message":"Invalid private key"}"#),
        };
    }
    // New Relic's regions: the user key is the EU's.
    if let Some(site) = path.strip_suffix("/graphql") {
        let key = seen.headers.get("api-key").map(String::as_str);
        return match (site, key, seen.method.as_str()) {
            ("/eu.newrelic.com", Some(NEWRELIC_EU), "POST") => json(
                200,
                r#"{"data":{"actor":{"user":{"id":1008,"email":"sre@example.com"}}}}"#,
            ),
            _ => json(401, r#"{"errors":[{"message":"Invalid API key"}]}"#),
        };
    }
    match path {
        "/v1/balance" => match basic(seen).trim_end_matches(':') {
            LIVE_KEY => json(200, r#"{"object":"balance","livemode":true}"#),
            RESTRICTED_KEY => json(403, r#"{"error":{"type":"invalid_request_error"}}"#),
            LIMITED => Reply::Answer(429, vec![("retry-after", "0".into())], String::new()),
            HANG => Reply::Hang(Duration::from_secs(4)),
            REDIRECTED => Reply::Answer(
                302,
                vec![("location", format!("{me}/elsewhere"))],
                String::new(),
            ),
            GARBAGE => Reply::Answer(200, vec![], "<html>welcome to the hotel wifi</html>".into()),
            _ => json(401, r#"{"error":{"type":"invalid_request_error"}}"#),
        },
        "/v1/charges?limit=1" | "/v1/customers?limit=1" => {
            if basic(seen) == format!("{RESTRICTED_KEY}:") {
                json(200, r#"{"data":[]}"#)
            } else {
                json(401, "{}")
            }
        }
        "/v1/payouts?limit=1" | "/v1/accounts?limit=1" => json(403, r#"{"error":{}}"#),
        "/user" if bearer(seen) == GITHUB => Reply::Answer(
            200,
            vec![("x-oauth-scopes", "repo, read:org".into())],
            r#"{"login":"octocat"}"#.into(),
        ),
        "/api/v4/personal_access_tokens/self" => {
            match seen.headers.get("private-token").map(String::as_str) {
                Some(GITLAB) => json(
                    200,
                    r#"{"name":"ci","scopes":["api"],"active":true,"revoked":false}"#,
                ),
                _ => json(401, "{}"),
            }
        }
        "/api/auth.test" => json(200, r#"{"ok":false,"error":"invalid_auth"}"#),
        "/v1/models" if bearer(seen) == OPENAI => json(429, r#"{"error":{}}"#),
        "/v3/scopes" if bearer(seen) == SENDGRID => json(200, r#"{"scopes":["mail.send"]}"#),
        "/-/whoami" if bearer(seen) == NPM => json(200, r#"{"username":"publisher"}"#),
        "/api/whoami-v2" if bearer(seen) == HF => json(
            200,
            r#"{"name":"hugger","auth":{"accessToken":{"role":"write"}}}"#,
        ),
        p if p == format!("/2010-04-01/Accounts/{TWILIO_SID}.json") => {
            if basic(seen) == format!("{TWILIO_SID}:{TWILIO_TOKEN}") {
                json(200, r#"{"status":"active","friendly_name":"Shop"}"#)
            } else {
                json(401, "{}")
            }
        }
        "/v0/meta/whoami" => match bearer(seen).as_str() {
            AIRTABLE => json(
                200,
                r#"{"id":"usrL2PNC5o3H4lBEi","email":"ops@example.com","scopes":["data.records:read","schema.bases:read"]}"#,
            ),
            _ => json(
                401,
                r#"{"error":{"type":"AUTHENTICATION_REQUIRED","message":"Authentication required"}}"#,
            ),
        },
        "/api/v10/users/@me"
            if seen.headers.get("authorization").map(String::as_str)
                == Some(&format!("Bot {DISCORD}")) =>
        {
            json(
                200,
                r#"{"id":"1187149577653722112","username":"shopbot","bot":true}"#,
            )
        }
        "/v1/me" => match seen.headers.get("x-figma-token").map(String::as_str) {
            Some(FIGMA) => json(
                200,
                r#"{"id":"1922","email":"design@example.com","handle":"d"}"#,
            ),
            _ => json(403, r#"{"status":403,"err":"Invalid token"}"#),
        },
        "/api/v2/me" if seen.headers.get("circle-token").map(String::as_str) == Some(CIRCLECI) => {
            json(200, r#"{"id":"5f1c","login":"ci-bot","name":"CI"}"#)
        }
        "/api/1.0/users/me" if bearer(seen) == ASANA => json(
            200,
            r#"{"data":{"gid":"1204468852186726","email":"pm@example.com"}}"#,
        ),
        "/v2/me" if bearer(seen) == FRAMEIO => {
            json(200, r#"{"id":"u1","email":"video@example.com"}"#)
        }
        "/2/users/get_current_account" => match (bearer(seen).as_str(), seen.method.as_str()) {
            (DROPBOX, "POST") => json(
                200,
                r#"{"account_id":"dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc","email":"files@example.com"}"#,
            ),
            _ => json(
                401,
                r#"{"error_summary":"expired_access_token/","error":{".tag":"expired_access_token"}}"#,
            ),
        },
        "/info?format=json"
            if seen.headers.get("authorization").map(String::as_str)
                == Some(&format!("OAuth {YANDEX}")) =>
        {
            json(200, r#"{"id":"1130000012345678","login":"ops-yandex"}"#)
        }
        "/account-info/v3/details" if bearer(seen) == HUBSPOT => {
            json(200, r#"{"portalId":24681357,"accountType":"STANDARD"}"#)
        }
        "/api/v1/user" if bearer(seen) == NETLIFY => {
            json(200, r#"{"id":"5f1","email":"ops@example.com"}"#)
        }
        "/client/v4/user/tokens/verify" => match bearer(seen).as_str() {
            CLOUDFLARE => json(
                200,
                r#"{"success":true,"result":{"id":"ed17","status":"active"}}"#,
            ),
            CLOUDFLARE_REVOKED => json(
                200,
                r#"{"success":true,"result":{"id":"ed18","status":"disabled"}}"#,
            ),
            _ => json(
                401,
                r#"{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}]}"#,
            ),
        },
        "/" if seen.method == "POST" => {
            let auth = seen
                .headers
                .get("authorization")
                .cloned()
                .unwrap_or_default();
            if auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={AWS_ID}/"))
                && auth.contains("/us-east-1/sts/aws4_request")
            {
                Reply::Answer(
                    200,
                    vec![],
                    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>".into(),
                )
            } else {
                Reply::Answer(
                    403,
                    vec![],
                    "<Error><Code>InvalidClientTokenId</Code></Error>".into(),
                )
            }
        }
        _ => json(401, "{}"),
    }
}

/// Runs sealant with every provider pointed at `url` (and no proxy).
fn run_verify(dir: &Path, url: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir);
    for p in PROVIDERS {
        cmd.env(format!("SEALANT_VERIFY_BASE_URL_{p}"), url);
    }
    for v in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        cmd.env_remove(v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sealant starts");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("sealant finishes")
}

fn statuses(v: &serde_json::Value) -> HashMap<String, (String, String, Vec<String>)> {
    let mut out = HashMap::new();
    for f in v["findings"].as_array().expect("findings") {
        if let Some(ver) = f.get("verification") {
            let scopes = ver["scopes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(
                format!(
                    "{}:{}",
                    f["path"].as_str().unwrap_or("").trim_start_matches("./"),
                    f["line"]
                ),
                (
                    ver["status"].as_str().unwrap_or("").to_string(),
                    ver["detail"].as_str().unwrap_or("").to_string(),
                    scopes,
                ),
            );
        }
    }
    out
}

fn stripe_tree() -> tempfile::TempDir {
    let dir = tempdir();
    let keys = [
        LIVE_KEY,
        RESTRICTED_KEY,
        DEAD,
        LIMITED,
        HANG,
        REDIRECTED,
        GARBAGE,
        LIVE_KEY,
    ];
    let text: String = keys.iter().map(|k| format!("key = \"{k}\"\n")).collect();
    write(dir.path(), "keys.txt", text);
    write(
        dir.path(),
        "db.env",
        "DATABASE_URL=postgres://app:JURkMZr07cjPRIcF@db.internal:5432/shop\n",
    );
    dir
}

#[test]
fn stripe_answers_become_statuses() {
    let mock = Mock::start(providers);
    let dir = stripe_tree();
    let out = run_verify(
        dir.path(),
        &mock.url,
        &[
            "scan",
            "--format",
            "json",
            "--verify",
            "--verify-timeout",
            "2",
            ".",
        ],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let s = statuses(&v);
    let at = |line: u32| {
        s.get(&format!("keys.txt:{line}"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(at(1).0, "active", "{s:?}");
    assert!(at(1).1.contains("live mode"), "{s:?}");
    assert_eq!(at(2).0, "active", "{s:?}");
    assert_eq!(at(2).2, ["read charges", "read customers"], "{s:?}");
    assert_eq!(at(3).0, "inactive");
    assert_eq!(at(4).0, "unknown");
    assert!(at(4).1.contains("rate limited"), "{:?}", at(4));
    assert_eq!(at(5).0, "unknown");
    assert!(at(5).1.contains("timeout"), "{:?}", at(5));
    assert_eq!(at(6).0, "error");
    assert!(at(6).1.contains("redirect"), "{:?}", at(6));
    assert_eq!(at(7).0, "error");
    assert_eq!(at(8).0, "active");
    // A credential in a URL is not verified (that would contact db.internal).
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["path"] != "db.env" || f.get("verification").is_none()),
        "{v}"
    );
    assert_eq!(v["summary"]["verified"]["active"], 3);
    assert_eq!(v["summary"]["verified"]["inactive"], 1);
    // The request: GET /v1/balance, HTTP Basic with the key as user name; each distinct key
    // once (LIVE_KEY is on two lines), the 429 retried once, the redirect not followed.
    let seen = mock.seen();
    let balance: Vec<&Seen> = seen.iter().filter(|r| r.path == "/v1/balance").collect();
    assert!(balance.iter().all(|r| r.method == "GET"));
    let count = |k: &str| {
        balance
            .iter()
            .filter(|r| basic(r) == format!("{k}:"))
            .count()
    };
    assert_eq!(count(LIVE_KEY), 1);
    assert_eq!(count(LIMITED), 2);
    assert_eq!(count(REDIRECTED), 1);
    assert!(seen.iter().all(|r| r.path != "/elsewhere"), "{seen:?}");
    assert_eq!(
        seen.iter().filter(|r| r.path.contains("?limit=1")).count(),
        4
    );
    // No secret in any output.
    let all = format!("{}{}", stdout(&out), stderr(&out));
    for k in [LIVE_KEY, RESTRICTED_KEY, DEAD, LIMITED] {
        assert!(!all.contains(k), "a full key was printed");
    }
    // Text: ACTIVE next to the severity, the urgent remediation.
    let out = run_verify(
        dir.path(),
        &mock.url,
        &["scan", "--verify", "--verify-timeout", "2", "."],
        b"",
    );
    let text = stdout(&out);
    assert!(
        text.contains("CRITICAL ACTIVE Stripe live secret key"),
        "{text}"
    );
    assert!(text.contains("expiring in 1 hour"), "{text}");
    assert!(
        text.contains("inactive Stripe test-mode secret key"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("verified with the providers: 3 active, 1 inactive"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_provider_is_asked_its_own_way() {
    let mock = Mock::start(providers);
    let dir = tempdir();
    let lines = [
        format!("GITHUB_TOKEN={GITHUB}"),
        format!("GITLAB_TOKEN={GITLAB}"),
        format!("SLACK_BOT_TOKEN={SLACK}"),
        format!("OPENAI_API_KEY={OPENAI}"),
        format!("ANTHROPIC_API_KEY={ANTHROPIC}"),
        format!("SENDGRID_API_KEY={SENDGRID}"),
        format!("//registry.npmjs.org/:_authToken={NPM}"),
        format!("HF_TOKEN={HF}"),
        format!("TWILIO_ACCOUNT_SID={TWILIO_SID}\nTWILIO_AUTH_TOKEN={TWILIO_TOKEN}"),
        format!("aws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}"),
        format!("NETLIFY_AUTH_TOKEN={NETLIFY}"),
        format!("CLOUDFLARE_API_TOKEN={CLOUDFLARE}"),
        format!("cloudflare:\n  api_token: {CLOUDFLARE_REVOKED}"),
        "CLOUDFLARE_API_KEY=6a571098d6efa889f18c11959778d0a6e9303".to_string(),
        format!("DD_API_KEY={DATADOG}"),
        format!("datadog:\n  api_key: {DATADOG_DEAD}"),
        format!("DD_APP_KEY={DATADOG_APP}"),
        format!("DATADOG_API_KEY={DATADOG_FLAKY}"),
        format!("MAILGUN_API_KEY={MAILGUN_EU}"),
        format!("MAILGUN_SENDING_KEY={MAILGUN_SENDING}"),
        format!("mailgun_key = \"{MAILGUN_DEAD}\""),
        format!("AIRTABLE_TOKEN={AIRTABLE}"),
        format!("Authorization: Bearer {AIRTABLE_OAUTH}"),
        format!("NEW_RELIC_API_KEY={NEWRELIC_EU}"),
        format!("newrelic:\n  api_key: \"{NEWRELIC_DEAD}\""),
        format!("discord:\n  bot_token: \"{DISCORD}\""),
        format!("FIGMA_TOKEN={FIGMA}"),
        format!("X-Figma-Token: {FIGMA_DEAD}"),
        format!("CIRCLECI_TOKEN={CIRCLECI}"),
        format!("ASANA_ACCESS_TOKEN={ASANA}"),
        format!("FRAMEIO_TOKEN={FRAMEIO}"),
        format!("DROPBOX_ACCESS_TOKEN={DROPBOX}"),
        format!("dropbox_token = \"{DROPBOX_DEAD}\""),
        format!("YANDEX_OAUTH_TOKEN={YANDEX}"),
        format!("HUBSPOT_ACCESS_TOKEN={HUBSPOT}"),
        format!("hubspot_token: {HUBSPOT_DEAD}"),
    ];
    for (i, l) in lines.iter().enumerate() {
        write(dir.path(), &format!("f{i}.cfg"), format!("{l}\n"));
    }
    let out = run_verify(
        dir.path(),
        &mock.url,
        &["scan", "--format", "json", "--verify", "."],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let s = statuses(&v);
    let get = |k: &str| s.get(k).cloned().unwrap_or_default();
    assert_eq!(get("f0.cfg:1").0, "active", "{s:?}");
    assert_eq!(get("f0.cfg:1").2, ["repo", "read:org"]);
    assert!(get("f0.cfg:1").1.contains("octocat"));
    assert_eq!(get("f1.cfg:1").0, "active", "{s:?}");
    assert_eq!(get("f1.cfg:1").2, ["api"]);
    assert_eq!(get("f2.cfg:1").0, "inactive", "{s:?}");
    assert_eq!(get("f3.cfg:1").0, "unknown", "{s:?}");
    assert_eq!(get("f4.cfg:1").0, "active", "{s:?}");
    assert_eq!(get("f5.cfg:1").2, ["mail.send"], "{s:?}");
    assert_eq!(get("f6.cfg:1").0, "active", "{s:?}");
    assert_eq!(get("f7.cfg:1").2, ["write"], "{s:?}");
    assert_eq!(get("f8.cfg:2").0, "active", "{s:?}");
    assert_eq!(get("f9.cfg:2").0, "active", "{s:?}");
    assert!(
        get("f9.cfg:2")
            .1
            .contains("arn:aws:iam::123456789012:user/deploy")
    );
    assert_eq!(get("f10.cfg:1").0, "active", "{s:?}");
    assert!(get("f10.cfg:1").1.contains("ops@example.com"), "{s:?}");
    assert_eq!(get("f11.cfg:1").0, "active", "{s:?}");
    assert_eq!(get("f12.cfg:2").0, "inactive", "{s:?}");
    assert!(get("f12.cfg:2").1.contains("disabled"), "{s:?}");
    // A Global API Key (37 hex) needs its account's e-mail: not checked, nothing sent.
    assert_eq!(get("f13.cfg:1").0, "unknown", "{s:?}");
    // Datadog: asked at each site until one knows the key; refused by all, inactive; an
    // application key is not sent.
    assert_eq!(get("f14.cfg:1").0, "active", "{s:?}");
    assert!(get("f14.cfg:1").1.contains("us5.datadoghq.com"), "{s:?}");
    assert_eq!(get("f15.cfg:2").0, "inactive", "{s:?}");
    assert!(get("f15.cfg:2").1.contains("all 9"), "{s:?}");
    assert_eq!(get("f16.cfg:1").0, "unknown", "{s:?}");
    // Refused by 8 sites, but one failed: the key may live there, so unknown, not inactive.
    assert_eq!(get("f17.cfg:1").0, "unknown", "{s:?}");
    assert!(get("f17.cfg:1").1.contains("ap1.datadoghq.com"), "{s:?}");
    assert!(get("f17.cfg:1").1.contains("8 of 9"), "{s:?}");
    // Mailgun: the EU key after the US refused it; a sending key authenticated (403); a key
    // refused in both regions.
    assert_eq!(get("f18.cfg:1").0, "active", "{s:?}");
    assert!(get("f18.cfg:1").1.contains("eu.mailgun.net"), "{s:?}");
    assert_eq!(get("f19.cfg:1").0, "active", "{s:?}");
    assert!(get("f19.cfg:1").1.contains("sending key"), "{s:?}");
    assert_eq!(get("f20.cfg:1").0, "inactive", "{s:?}");
    assert!(get("f20.cfg:1").1.contains("all 2 Mailgun"), "{s:?}");
    // Airtable: a personal access token with its user and scopes; an OAuth token refused.
    assert_eq!(get("f21.cfg:1").0, "active", "{s:?}");
    assert!(get("f21.cfg:1").1.contains("usrL2PNC5o3H4lBEi"), "{s:?}");
    assert_eq!(
        get("f21.cfg:1").2,
        ["data.records:read", "schema.bases:read"],
        "{s:?}"
    );
    assert_eq!(get("f22.cfg:1").0, "inactive", "{s:?}");
    // New Relic: a user key the EU region knows; a key both regions refuse.
    assert_eq!(get("f23.cfg:1").0, "active", "{s:?}");
    assert!(get("f23.cfg:1").1.contains("sre@example.com"), "{s:?}");
    assert!(get("f23.cfg:1").1.contains("eu.newrelic.com"), "{s:?}");
    assert_eq!(get("f24.cfg:2").0, "inactive", "{s:?}");
    assert!(get("f24.cfg:2").1.contains("all 2 New Relic"), "{s:?}");
    // Discord, Figma, CircleCI, Asana, Frame.io: who the token is; Figma's "Invalid token" 403
    // is inactive; an expired Dropbox token (401) too.
    for (f, who) in [
        ("f25.cfg:2", "shopbot"),
        ("f26.cfg:1", "design@example.com"),
        ("f28.cfg:1", "ci-bot"),
        ("f29.cfg:1", "pm@example.com"),
        ("f30.cfg:1", "video@example.com"),
        ("f31.cfg:1", "files@example.com"),
        ("f33.cfg:1", "ops-yandex"),
        ("f34.cfg:1", "24681357"),
    ] {
        assert_eq!(get(f).0, "active", "{f} {s:?}");
        assert!(get(f).1.contains(who), "{f} {s:?}");
    }
    assert_eq!(get("f27.cfg:1").0, "inactive", "{s:?}");
    assert_eq!(get("f32.cfg:1").0, "inactive", "{s:?}");
    assert_eq!(get("f35.cfg:1").0, "inactive", "{s:?}");
    let seen = mock.seen();
    let datadog = |key: &str| -> Vec<String> {
        (seen.iter())
            .filter(|r| r.headers.get("dd-api-key").map(String::as_str) == Some(key))
            .map(|r| r.path.clone())
            .collect()
    };
    // The live key's search stopped at US5 (the fourth site); the dead key was asked at all 9.
    assert_eq!(
        datadog(DATADOG),
        [
            "/datadoghq.com/api/v1/validate",
            "/datadoghq.eu/api/v1/validate",
            "/us3.datadoghq.com/api/v1/validate",
            "/us5.datadoghq.com/api/v1/validate"
        ]
    );
    assert_eq!(datadog(DATADOG_DEAD).len(), 9);
    assert!(datadog(DATADOG_APP).is_empty());
    assert_eq!(
        (seen.iter())
            .filter(|r| r.path == "/client/v4/user/tokens/verify")
            .count(),
        2,
        "{seen:?}"
    );
    let find = |path: &str| {
        seen.iter()
            .find(|r| r.path == path)
            .cloned()
            .unwrap_or_else(|| panic!("{path} not asked: {seen:?}"))
    };
    assert_eq!(bearer(&find("/user")), GITHUB);
    assert_eq!(find("/api/auth.test").method, "POST");
    assert_eq!(bearer(&find("/api/auth.test")), SLACK);
    assert_eq!(find("/v1/models").method, "GET");
    assert_eq!(bearer(&find("/-/whoami")), NPM);
    let aws = find("/");
    assert_eq!(aws.method, "POST");
    assert!(aws.headers.contains_key("x-amz-date"));
    // The 429 of OpenAI was retried once.
    assert_eq!(
        seen.iter()
            .filter(|r| r.path == "/v1/models" && !r.headers.contains_key("x-api-key"))
            .count(),
        2
    );
    let all = format!("{}{}", stdout(&out), stderr(&out));
    for k in [
        GITHUB,
        GITLAB,
        SLACK,
        OPENAI,
        ANTHROPIC,
        SENDGRID,
        NPM,
        HF,
        TWILIO_TOKEN,
        AWS_SECRET,
        NETLIFY,
        CLOUDFLARE,
        CLOUDFLARE_REVOKED,
        AIRTABLE,
        AIRTABLE_OAUTH,
        NEWRELIC_EU,
        NEWRELIC_DEAD,
        DISCORD,
        FIGMA,
        FIGMA_DEAD,
        CIRCLECI,
        ASANA,
        FRAMEIO,
        DROPBOX,
        DROPBOX_DEAD,
        YANDEX,
        HUBSPOT,
        HUBSPOT_DEAD,
    ] {
        assert!(!all.contains(k), "a full secret was printed");
    }
}

#[test]
fn nothing_is_sent_without_verify_and_only_loopback_is_accepted() {
    let mock = Mock::start(providers);
    let dir = stripe_tree();
    let out = run_verify(
        dir.path(),
        &mock.url,
        &["scan", "--format", "json", "."],
        b"",
    );
    assert_eq!(code(&out), 1);
    assert!(!stdout(&out).contains("\"verification\""));
    assert!(mock.seen().is_empty(), "{:?}", mock.seen());
    let mut cmd = Command::new(bin());
    let out = cmd
        .args(["scan", "--verify", "."])
        .current_dir(dir.path())
        .env("SEALANT_VERIFY_BASE_URL_STRIPE", "http://203.0.113.9:80")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
}

#[test]
fn only_verified_and_reverifying_a_saved_report() {
    let mock = Mock::start(providers);
    let dir = stripe_tree();
    let out = run_verify(
        dir.path(),
        &mock.url,
        &[
            "scan",
            "--format",
            "json",
            "--only-verified",
            "--verify-timeout",
            "1",
            ".",
        ],
        b"",
    );
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["line"].as_u64())
        .collect();
    // Active keys, and the keys whose check failed or told nothing (rate limited, hung,
    // redirected, garbage): a check that could not run never passes a key.
    assert_eq!(lines, [1, 2, 4, 5, 6, 7, 8]);
    assert_eq!(v["summary"]["findings"]["critical"], 3);
    assert_eq!(
        v["summary"]["findings"]["low"], 4,
        "the test keys whose check failed"
    );
    assert_eq!(v["summary"]["verified"]["error"], 2, "{}", v["summary"]);
    assert_eq!(v["summary"]["verified"]["unknown"], 2, "{}", v["summary"]);
    // Asked to drop those too: only the active ones.
    let out = run_verify(
        dir.path(),
        &mock.url,
        &[
            "scan",
            "--format",
            "json",
            "--only-verified",
            "--drop-failed-checks",
            "--verify-timeout",
            "1",
            ".",
        ],
        b"",
    );
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(lines, [1, 2, 8]);
    assert_eq!(v["summary"]["findings"]["critical"], 3);
    // A saved report, redacted: the secrets are found again where it says.
    let plain = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--output",
            "report.json",
            "keys.txt",
        ],
    );
    assert_eq!(code(&plain), 1);
    let report = std::fs::read(dir.path().join("report.json")).expect("report");
    let out = run_verify(
        dir.path(),
        &mock.url,
        &["verify", "--format", "json", "--verify-timeout", "1"],
        &report,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["summary"]["verified"]["active"], 3, "{v}");
    // After the rotation only the dead key is left: exit 0.
    write(dir.path(), "keys.txt", format!("key = \"{DEAD}\"\n"));
    let plain = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--show-secrets",
            "--output",
            "report.json",
            "keys.txt",
        ],
    );
    assert_eq!(code(&plain), 1);
    std::fs::remove_file(dir.path().join("keys.txt")).expect("rm");
    let out = run_verify(dir.path(), &mock.url, &["verify", "report.json"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("inactive"), "{}", stdout(&out));
    assert!(!stdout(&out).contains(DEAD));
}

/// Without an override, a key goes to its provider's fixed host only, through `HTTPS_PROXY`
/// when one is set: the proxy is asked to connect to api.stripe.com:443 and nothing else.
#[test]
fn the_proxy_is_honoured_and_asked_for_the_provider_host_only() {
    let proxy = Mock::start(|_, _| Reply::Answer(403, vec![], String::new()));
    let dir = tempdir();
    write(dir.path(), "k.txt", format!("key = \"{DEAD}\"\n"));
    let out = Command::new(bin())
        .args(["scan", "--format", "json", "--verify", "k.txt"])
        .current_dir(dir.path())
        .env("HTTPS_PROXY", &proxy.url)
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["findings"][0]["verification"]["status"], "error", "{v}");
    let seen = proxy.seen();
    assert!(!seen.is_empty(), "the proxy was not used");
    assert!(
        seen.iter()
            .all(|r| r.method == "CONNECT" && r.path == "api.stripe.com:443"),
        "{seen:?}"
    );
    assert!(!format!("{}{}", stdout(&out), stderr(&out)).contains(DEAD));
}
