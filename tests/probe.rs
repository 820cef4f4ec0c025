//! `sealant probe URL`: a fake production site on 127.0.0.1 (a small HTTP server in this file)
//! with each exposure and each placement of a key the issue names, a second origin on another
//! port that must receive no request, a clean single-page app that answers 200 with its
//! index.html for every path (no finding), and hostile answers (a 5 GB body, a slow-loris
//! server, endless redirects, 100,000 linked scripts, binary garbage, a closed port, TLS to a
//! plain-HTTP server) that each end as a warning in bounded time. No test touches the internet.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::server::{Answer, Server, not_found, ok};
use common::*;

fn probe_json(args: &[&str]) -> (serde_json::Value, std::process::Output) {
    let dir = tempdir();
    let mut all = vec!["probe", "--format", "json", "--rate", "0"];
    all.extend_from_slice(args);
    let out = run(dir.path(), &all);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}); stderr: {}", stderr(&out)));
    (v, out)
}

fn rule_urls(report: &serde_json::Value, port: u16) -> BTreeSet<(String, String)> {
    let prefix = format!("http://127.0.0.1:{port}");
    rule_paths(report)
        .into_iter()
        .map(|(rule, path)| (rule, path.replace(&prefix, "")))
        .collect()
}

fn warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["path"].as_str().unwrap_or_default(),
                w["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// A production site with every exposure and placement; a second origin linked from it.
#[test]
fn a_fake_production_site_gives_each_exposure_and_secret_and_nothing_off_origin() {
    let other = Server::start(Arc::new(|_: &str| {
        ok("application/javascript", "var x = 1;")
    }));
    let other_url = other.url("");
    let keys: Vec<String> = (0..9).map(|i| live_key(100 + i)).collect();
    let k = keys.clone();
    let site = Server::start(Arc::new(move |path: &str| {
        let js = "application/javascript";
        match path {
            "/" => ok(
                "text/html",
                format!(
                    "<!doctype html><html><head>\
                     <script type=\"module\" crossorigin src=\"/assets/index-Qx7a.js\"></script>\
                     <link rel=\"modulepreload\" href=\"/assets/vendor-9f.js\">\
                     <script src=\"/_next/static/b1/_buildManifest.js\"></script>\
                     <script src=\"{other_url}/cdn/lib.js\"></script>\
                     <link rel=\"preload\" as=\"script\" href=\"{other_url}/cdn/pre.js\">\
                     <script src=\"/legacy.js\"></script><script src=\"/moved.js\"></script>\
                     </head><body><div id=\"app\"></div>\
                     <script id=\"__NEXT_DATA__\" type=\"application/json\">{{\"props\":{{\"stripeKey\":\"{}\"}}}}</script>\
                     </body></html>",
                    k[0]
                ),
            ),
            "/assets/index-Qx7a.js" => ok(
                js,
                "const l=()=>import(\"./chunk-pay.js\");console.log(l)\n//# sourceMappingURL=index-Qx7a.js.map\n",
            ),
            "/assets/vendor-9f.js" => ok(js, format!("var VITE_STRIPE_SECRET=\"{}\";", k[1])),
            "/assets/chunk-pay.js" => ok(js, format!("export const stripe = Stripe(\"{}\");", k[2])),
            "/assets/index-Qx7a.js.map" => ok(
                "application/json",
                format!("{{\"version\":3,\"sources\":[\"src/pay.ts\"],\"sourcesContent\":[\"const key = '{}';\"],\"mappings\":\"\"}}", k[3]),
            ),
            "/_next/static/b1/_buildManifest.js" => ok(
                js,
                "self.__BUILD_MANIFEST={\"/checkout\":[\"static/chunks/pages/checkout-1a.js\"]};",
            ),
            "/_next/static/chunks/pages/checkout-1a.js" => ok(js, format!("const sk=\"{}\";", k[4])),
            "/legacy.js" => Answer::Redirect(format!("{other_url}/legacy.js")),
            "/moved.js" => Answer::Redirect("/assets/moved-2.js".to_string()),
            "/assets/moved-2.js" => ok(js, format!("const key2=\"{}\";", k[5])),
            "/.env" => ok("text/plain", format!("APP_ENV=production\nSTRIPE_SECRET={}\n", k[6])),
            "/.git/HEAD" => ok("text/plain", "ref: refs/heads/main\n"),
            "/.git/config" => ok("text/plain", "[core]\n\trepositoryformatversion = 0\n"),
            "/_ignition/health-check" => ok("application/json", "{\"can_execute_commands\":true}"),
            "/telescope" => ok("text/html", "<html><script>window.Telescope = {\"path\":\"telescope\"};</script></html>"),
            "/_profiler/latest" => ok("text/html", "<html><head><title>Symfony Profiler</title></head></html>"),
            "/sealant-probe-404-check" => Answer::Full(
                404,
                "text/html",
                b"<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>".to_vec(),
            ),
            "/actuator/env" => ok("application/json", "{\"activeProfiles\":[\"prod\"],\"propertySources\":[]}"),
            "/phpinfo.php" => ok("text/html", "<html><head><title>PHP 8.2.7 - phpinfo()</title></head></html>"),
            "/wp-config.php.bak" => ok("application/octet-stream", "<?php\ndefine( 'DB_PASSWORD', 'hunter2-prod' );\n"),
            "/server-status" => ok("text/html", "<h1>Apache Server Status for shop.example.com</h1>"),
            "/config.js" => ok(js, format!("window._env_ = {{ STRIPE_SECRET_KEY: \"{}\" }};", k[7])),
            _ => not_found(),
        }
    }));
    let (report, out) = probe_json(&[&site.url("/"), "-H", "X-Probe-Token: staging-7"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = rule_urls(&report, site.port);
    let expected: BTreeSet<(String, String)> = [
        ("stripe.secret-key.live", "/"),
        ("frontend.public-env-secret", "/assets/vendor-9f.js"),
        ("stripe.secret-key.live", "/assets/chunk-pay.js"),
        ("stripe.secret-key.live", "/assets/index-Qx7a.js.map"),
        (
            "stripe.secret-key.live",
            "/_next/static/chunks/pages/checkout-1a.js",
        ),
        ("stripe.secret-key.live", "/assets/moved-2.js"),
        ("exposed.env-file", "/.env"),
        ("stripe.secret-key.live", "/.env"),
        ("exposed.git-metadata", "/.git/HEAD"),
        ("exposed.git-metadata", "/.git/config"),
        ("exposed.laravel-ignition", "/_ignition/health-check"),
        ("exposed.laravel-telescope", "/telescope"),
        ("exposed.symfony-profiler", "/_profiler/latest"),
        ("exposed.debug-error-page", "/sealant-probe-404-check"),
        ("exposed.spring-actuator-env", "/actuator/env"),
        ("exposed.phpinfo", "/phpinfo.php"),
        ("exposed.wp-config-backup", "/wp-config.php.bak"),
        ("exposed.server-status", "/server-status"),
        ("exposed.runtime-config", "/config.js"),
        ("stripe.secret-key.live", "/config.js"),
    ]
    .iter()
    .map(|(r, p)| (r.to_string(), p.to_string()))
    .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    assert!(missing.is_empty(), "missing {missing:?}\nfound {found:?}");
    // Beyond those, only other rules at the same URLs (a key seen by two rules).
    let urls: BTreeSet<&String> = expected.iter().map(|(_, p)| p).collect();
    for (rule, path) in &found {
        assert!(urls.contains(path), "unexpected finding {rule} at {path}");
    }
    // Paths are URLs; no full secret anywhere in the report.
    let text = serde_json::to_string(&report).expect("json");
    for k in &keys {
        assert!(!text.contains(k.as_str()), "a full secret in the report");
    }
    assert!(
        !text.contains("hunter2-prod"),
        "a .env or config value quoted in a detail"
    );
    // Off origin: nothing requested; the redirect off origin is a warning.
    assert!(
        other.seen().is_empty(),
        "requests to the other origin: {:?}",
        other.seen()
    );
    let warned = warnings(&report).join("\n");
    assert!(warned.contains("redirects to another origin"), "{warned}");
    // What reached the site: GET only, counted, our agent, the given header, no cookie.
    let seen = site.seen();
    assert_eq!(
        report["summary"]["requests"].as_u64(),
        Some(seen.len() as u64)
    );
    assert!(seen.len() <= 300);
    for s in &seen {
        assert_eq!(s.method, "GET");
        assert!(
            s.headers
                .get("user-agent")
                .is_some_and(|u| u.starts_with("sealant/")),
            "{s:?}"
        );
        assert_eq!(
            s.headers.get("x-probe-token").map(String::as_str),
            Some("staging-7")
        );
        assert!(!s.headers.contains_key("cookie"), "{s:?}");
        assert!(!s.headers.contains_key("authorization"), "{s:?}");
    }
    let paths: BTreeSet<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths.len(), seen.len(), "a URL fetched twice");
    // Reports name URLs: SARIF's artifact locations are the URLs themselves.
    let dir = tempdir();
    let sarif = run(
        dir.path(),
        &[
            "probe",
            "--rate",
            "0",
            "--no-well-known",
            &site.url("/"),
            "--format",
            "sarif",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let uris: BTreeSet<String> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(uris.contains(&site.url("/assets/chunk-pay.js")), "{uris:?}");
    let described: BTreeSet<&str> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for r in v["runs"][0]["results"].as_array().expect("results") {
        assert!(
            described.contains(r["ruleId"].as_str().unwrap_or_default()),
            "{r}"
        );
        let location = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(
            location.get("uriBaseId").is_none(),
            "an absolute URI has no base: {location}"
        );
    }
    // The HTML report of a probe: every finding, with its URL.
    let out = run(
        dir.path(),
        &[
            "probe",
            "--rate",
            "0",
            &site.url("/"),
            "--format",
            "html",
            "-o",
            "site.html",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("site.html")).expect("written");
    assert!(
        html.contains("live site") && html.contains(&site.url("/.env")),
        "HTML report"
    );
}

/// A single-page app that answers 200 with its index.html for every path: nothing proves an
/// exposure, nothing is a finding.
#[test]
fn a_clean_spa_answering_every_path_gives_no_findings() {
    let site = Server::start(Arc::new(|path: &str| match path {
        "/assets/index-b2.js" => ok(
            "application/javascript",
            "import('./about-c3.js');export const api='/api';",
        ),
        "/assets/about-c3.js" => ok("application/javascript", "export default 'about';"),
        _ => ok(
            "text/html",
            "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-b2.js\"></script></head><body><div id=\"root\"></div></body></html>",
        ),
    }));
    let (report, out) = probe_json(&[&site.url("/")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(report["findings"], serde_json::json!([]));
    let seen: BTreeSet<String> = site.seen().into_iter().map(|s| s.path).collect();
    assert!(
        seen.contains("/assets/about-c3.js") && seen.contains("/.env"),
        "{seen:?}"
    );
}

/// Hostile answers: each is a warning, the probe ends in bounded time, the request cap holds.
#[test]
fn hostile_sites_end_in_warnings_within_bounds() {
    let many: String = (0..100_000)
        .map(|i| format!("<script src=\"/s/{i}.js\"></script>"))
        .collect();
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let site = Server::start(Arc::new(move |path: &str| match path {
        "/" => ok(
            "text/html",
            "<html><script src=\"/big.js\"></script><script src=\"/slow.js\"></script>\
             <script src=\"/loop-a.js\"></script><script src=\"/garbage.js\"></script></html>",
        ),
        "/big.js" => Answer::Endless,
        "/slow.js" => Answer::Slow,
        "/loop-a.js" => Answer::Redirect("/loop-b.js".to_string()),
        "/loop-b.js" => Answer::Redirect("/loop-a.js".to_string()),
        "/garbage.js" | "/garbage" => ok("application/javascript", garbage.clone()),
        "/many" => ok("text/html", many.clone()),
        _ => not_found(),
    }));
    let started = Instant::now();
    let (report, out) = probe_json(&[
        &site.url("/"),
        &site.url("/garbage"),
        "--timeout",
        "2",
        "--max-response",
        "1M",
        "--no-well-known",
    ]);
    let took = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(took < Duration::from_secs(30), "{took:?}");
    let warned = warnings(&report).join("\n");
    assert!(
        warned.contains("/big.js: the answer is larger than --max-response (1M)"),
        "{warned}"
    );
    assert!(
        warned.contains("/slow.js") && warned.contains("timeout"),
        "{warned}"
    );
    assert!(
        warned.contains("/loop-a.js: more than 5 redirects"),
        "{warned}"
    );

    // 100,000 linked scripts: the cap holds and says so.
    let before = site.seen().len();
    let (report, out) = probe_json(&[
        &site.url("/many"),
        "--max-requests",
        "40",
        "--no-well-known",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(site.seen().len() - before, 40);
    assert!(
        warnings(&report)
            .join("\n")
            .contains("stopped at the request cap (--max-requests 40)")
    );

    // Nobody listening, and TLS to a plain-HTTP server.
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (report, out) = probe_json(&[&format!("http://127.0.0.1:{closed}/")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        report["notice"]
            .as_str()
            .unwrap_or_default()
            .contains("no page answered"),
        "{report}"
    );
    assert!(!warnings(&report).is_empty());
    let (report, out) = probe_json(&[
        &format!("https://127.0.0.1:{}/", site.port),
        "--no-well-known",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!warnings(&report).is_empty(), "{report}");
}

/// A URL that is no http(s) URL is refused before anything is requested, with the reason.
#[test]
fn bad_urls_and_headers_are_refused() {
    let dir = tempdir();
    let out = run(dir.path(), &["probe", "ftp://example.com/"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not an http(s) URL"),
        "{}",
        stderr(&out)
    );
    let out = run(
        dir.path(),
        &["probe", "http://127.0.0.1:9/", "-H", "no colon"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("Name: value"), "{}", stderr(&out));
}

/// A baseline written from a probe accepts its findings the next time.
#[test]
fn a_probe_baseline_accepts_known_findings() {
    let key = live_key(7);
    let site = Server::start(Arc::new(move |path: &str| match path {
        "/" => ok(
            "text/html",
            format!("<html><script>var k='{key}'</script></html>"),
        ),
        _ => not_found(),
    }));
    let dir = tempdir();
    let out = run(
        dir.path(),
        &[
            "probe",
            "--rate",
            "0",
            &site.url("/"),
            "--write-baseline",
            "base.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(
        dir.path(),
        &[
            "probe",
            "--rate",
            "0",
            &site.url("/"),
            "--baseline",
            "base.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut body = String::new();
    let _ = std::fs::File::open(dir.path().join("base.json"))
        .and_then(|mut f| f.read_to_string(&mut body));
    assert!(body.contains("stripe.secret-key.live"), "{body}");
}

/// A Vite app built by the real Vite (code-split: a lazy chunk holding a `VITE_` key, a chunk
/// shared by two lazy ones, source maps), deployed at the root and under `base: '/shop/'`:
/// the probe reaches every chunk and map, finds the key in the lazy chunk at its URL, and
/// wastes no request on a path the build did not write.
#[test]
#[cfg_attr(
    missing_vite,
    ignore = "needs vite: run .ci/run once (npm install --prefix target/vite-tools vite)"
)]
fn a_real_vite_build_is_followed_chunk_by_chunk() {
    let vite = repo_root().join("target/vite-tools/node_modules");
    assert!(
        vite.join("vite").is_dir(),
        "vite is missing: .ci/run installs it (npm install --prefix target/vite-tools vite)"
    );
    for (base, sourcemap) in [("/", "true"), ("/shop/", "true"), ("/", "'hidden'")] {
        let app = tempdir();
        let d = app.path();
        let key = live_key(base.len() as u64 + sourcemap.len() as u64);
        write(
            d,
            "package.json",
            r#"{"name":"shop","private":true,"type":"module"}"#,
        );
        write(
            d,
            ".env.production",
            format!(
                "VITE_STRIPE_SECRET={key}\nSERVER_ONLY_TOKEN={}\n",
                live_key(99)
            ),
        );
        write(
            d,
            "index.html",
            "<!doctype html><html><head><title>shop</title></head><body><div id=\"app\"></div><script type=\"module\" src=\"/src/main.js\"></script></body></html>",
        );
        write(
            d,
            "src/main.js",
            "import { render } from './ui.js';\ndocument.querySelector('#app').textContent = render();\ndocument.addEventListener('click', async () => {\n  const { pay } = await import('./checkout.js');\n  const { refund } = await import('./refund.js');\n  pay(); refund();\n});\n",
        );
        write(
            d,
            "src/ui.js",
            "export function render() { return 'shop'; }\n",
        );
        write(
            d,
            "src/checkout.js",
            "import { fmt } from './money.js';\nexport function pay() { console.log(fmt(1), import.meta.env.VITE_STRIPE_SECRET); }\n",
        );
        write(
            d,
            "src/refund.js",
            "import { fmt } from './money.js';\nexport function refund() { console.log(fmt(2)); }\n",
        );
        write(
            d,
            "src/money.js",
            "export const fmt = (n) => '$' + n.toFixed(2);\n",
        );
        write(
            d,
            "vite.config.js",
            format!("export default {{ base: '{base}', build: {{ sourcemap: {sourcemap} }} }};\n"),
        );
        std::os::unix::fs::symlink(&vite, d.join("node_modules")).expect("link node_modules");
        let out = std::process::Command::new("node")
            .arg(vite.join("vite/bin/vite.js"))
            .arg("build")
            .current_dir(d)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "vite build: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let dist = d.join("dist");
        let lazy = std::fs::read_dir(dist.join("assets"))
            .expect("assets")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("checkout-") && n.ends_with(".js"))
            .expect("a lazy checkout chunk");
        let root = dist.clone();
        let prefix = base.to_string();
        let site = Server::start(Arc::new(move |path: &str| {
            let Some(rel) = path.strip_prefix(prefix.as_str()) else {
                return not_found();
            };
            let rel = if rel.is_empty() { "index.html" } else { rel };
            match std::fs::read(root.join(rel)) {
                Ok(body) if rel.ends_with(".html") => ok("text/html", body),
                Ok(body) if rel.ends_with(".map") => ok("application/json", body),
                Ok(body) => ok("application/javascript", body),
                Err(_) => not_found(),
            }
        }));
        let (report, out) = probe_json(&[&site.url(base), "--no-well-known"]);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let found = rule_urls(&report, site.port);
        let at = format!("{base}assets/{lazy}");
        assert!(
            found.contains(&("stripe.secret-key.live".to_string(), at.clone())),
            "{base}: {found:?}"
        );
        let text = serde_json::to_string(&report).expect("json");
        assert!(
            !text.contains(&live_key(99)[..30]),
            "a server-only value is in no bundle"
        );
        // Every file the build wrote under assets/ was fetched (maps only where the build links
        // them), and nothing else was asked for.
        let seen: BTreeSet<String> = site.seen().into_iter().map(|s| s.path).collect();
        let mut written: BTreeSet<String> = std::fs::read_dir(dist.join("assets"))
            .expect("assets")
            .filter_map(|e| e.ok())
            .map(|e| format!("{base}assets/{}", e.file_name().to_string_lossy()))
            .filter(|p| sourcemap == "true" || !p.ends_with(".map"))
            .collect();
        written.insert(base.to_string());
        let extra: Vec<&String> = seen
            .difference(&written)
            .filter(|p| !p.ends_with("manifest.json"))
            .collect();
        let missed: Vec<&String> = written.difference(&seen).collect();
        assert!(
            missed.is_empty(),
            "{base} {sourcemap}: not fetched {missed:?}"
        );
        assert!(
            extra.is_empty(),
            "{base} {sourcemap}: requests for paths the build did not write {extra:?}"
        );
    }
}
