//! The HTML audit report (`--format html`), rendered in a real browser: Debian's headless
//! Chromium driven by playwright-core (tests/browser/check-report.cjs). Every finding of the
//! JSON report of the same scan is a row after the page's script ran; the filters, a chart bar,
//! sorting and a row's detail do what they say; no console error, no request leaves the page;
//! no full secret is in the file; a scanned file's name cannot inject markup. Also: a history
//! scan's timeline, `sealant merge --format html`, and 10,000 findings in at most 10 MB.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A file name that is markup: if the report ever parsed a path as HTML, the title changes.
const HOSTILE_NAME: &str = "\"><img src=x onerror=\"document.title='pwned'\">.js";

/// Runs the browser driver on `report`; returns what the page showed.
fn browse(report: &Path, steps: serde_json::Value) -> serde_json::Value {
    let playwright = repo_root().join("target/browser-tools/node_modules/playwright-core");
    assert!(
        playwright.exists() || std::env::var_os("CI").is_none(),
        "playwright-core is missing: .ci/run installs it (npm install --prefix \
         target/browser-tools playwright-core)"
    );
    let shot = report.with_extension("png");
    let mut config = steps;
    config["report"] = report.display().to_string().into();
    config["screenshot"] = shot.display().to_string().into();
    let out = Command::new("node")
        .arg(repo_root().join("tests/browser/check-report.cjs"))
        .arg(config.to_string())
        .env("PLAYWRIGHT_CORE", &playwright)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser driver failed (needs Debian's chromium at /usr/bin/chromium: .ci/run \
         installs it): {}",
        stderr(&out)
    );
    let page: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("the driver prints JSON");
    assert_eq!(
        page["consoleErrors"],
        serde_json::json!([]),
        "console errors"
    );
    assert_eq!(
        page["requests"],
        serde_json::json!([]),
        "the page made requests"
    );
    let png = std::fs::read(&shot).expect("a screenshot was taken");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot"
    );
    page
}

/// `path:line:column` of each finding of a JSON report, in report order.
fn locations(report: &serde_json::Value) -> Vec<String> {
    finding_fields(report, &["path", "line", "column"])
        .into_iter()
        .map(|f| format!("{}:{}:{}", f[0], f[1], f[2]))
        .collect()
}

/// The locations of the rows a page step showed.
fn row_locations(rows: &serde_json::Value) -> Vec<String> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (r["location"].as_str().or(r.as_str()))
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A small product as it ships: a `.env` in source, a key inlined into the bundle, a web-root
/// `.env`, a key in a zip in a zip, a debug flag, and a file whose name is markup.
fn project(dir: &Path) -> Vec<String> {
    let keys: Vec<String> = (0..5).map(live_key).collect();
    write(dir, ".env", format!("STRIPE_SECRET_KEY={}\n", keys[0]));
    write(
        dir,
        "dist/assets/index-4f2a.js",
        format!(
            "const a=\"x\";var VITE_STRIPE_KEY=\"{}\";console.log(a)\n",
            keys[1]
        ),
    );
    write(
        dir,
        "public/.env",
        format!("STRIPE_KEY={}\nAPP_DEBUG=true\n", keys[2]),
    );
    let inner = zip_bytes(&[(
        "config/secrets.yml",
        format!("stripe: {}\n", keys[3]).as_bytes(),
        true,
    )]);
    write(
        dir,
        "release/bundle.zip",
        zip_bytes(&[("inner.zip", &inner, false)]),
    );
    write(
        dir,
        &format!("src/{HOSTILE_NAME}"),
        format!("const k = '{}';\n", keys[4]),
    );
    write(dir, "src/clean.js", "export const x = 1;\n");
    keys
}

/// Every finding of the scan is a row, with the JSON report's location and redacted secret;
/// filters, a bar, sorting and a row's detail work; nothing is requested, nothing injected.
#[test]
#[cfg_attr(
    missing_browser,
    ignore = "needs Debian's chromium and playwright-core: run .ci/run once"
)]
fn every_finding_is_in_the_rendered_report_and_the_filters_work() {
    let dir = tempdir();
    let keys = project(dir.path());
    let (json, _) = json_scan(dir.path(), &["."]);
    let out = run(
        dir.path(),
        &["scan", ".", "--format", "html", "-o", "report.html"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = dir.path().join("report.html");
    let html = std::fs::read_to_string(&report).expect("report written");
    for k in &keys {
        assert!(
            !html.contains(k.as_str()),
            "a full secret is in the HTML report"
        );
    }
    let expected = locations(&json);
    assert!(
        expected.len() >= 7,
        "the project has findings: {expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|l| l.contains("bundle.zip!inner.zip!config/secrets.yml"))
    );

    let critical = finding_fields(&json, &["severity"])
        .iter()
        .filter(|f| f[0] == "critical")
        .count();
    let public_bundle = finding_fields(&json, &["exposure"])
        .iter()
        .filter(|f| f[0] == "public-bundle")
        .count();
    assert!(public_bundle > 0);
    let page = browse(
        &report,
        serde_json::json!({
            "text": "dist/",
            "severity": "critical",
            "rule": "stripe.secret-key.live",
            "bar": {"filter": "place", "value": "public-bundle"},
        }),
    );
    assert_ne!(page["title"], "pwned", "a file name was parsed as markup");
    let rows = row_locations(&page["rows"]);
    assert_eq!(
        sorted(rows.clone()),
        sorted(expected.clone()),
        "every finding is a row"
    );
    assert_eq!(
        page["shown"],
        format!("{} of {} findings shown", expected.len(), expected.len())
    );
    assert!(rows.iter().any(|r| r.contains(HOSTILE_NAME)), "{rows:?}");
    // The secret column is the JSON report's redacted secret.
    let secrets: BTreeSet<String> = finding_fields(&json, &["secret"])
        .into_iter()
        .map(|f| f[0].clone())
        .collect();
    for r in page["rows"].as_array().expect("rows") {
        assert!(
            secrets.contains(r["secret"].as_str().unwrap_or_default()),
            "{r}"
        );
    }
    // Filters.
    let with = |pred: &dyn Fn(&str) -> bool| -> Vec<String> {
        sorted(expected.iter().filter(|l| pred(l)).cloned().collect())
    };
    assert_eq!(
        sorted(row_locations(&page["byText"])),
        with(&|l| l.to_lowercase().contains("dist/")),
        "path text filter"
    );
    assert_eq!(page["bySeverity"].as_array().map(Vec::len), Some(critical));
    assert!(
        page["bySeverity"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["severity"] == "critical")
    );
    let live: Vec<String> = finding_fields(&json, &["rule_id", "path", "line", "column"])
        .into_iter()
        .filter(|f| f[0] == "stripe.secret-key.live")
        .map(|f| format!("{}:{}:{}", f[1], f[2], f[3]))
        .collect();
    assert!(!live.is_empty());
    assert_eq!(
        sorted(row_locations(&page["byRule"])),
        sorted(live),
        "rule filter"
    );
    assert_eq!(
        page["byBar"].as_array().map(Vec::len),
        Some(public_bundle),
        "chart bar filter"
    );
    // Sorting by location, both ways.
    let by_location = {
        let mut v = expected.clone();
        v.sort_by_key(|l| l.to_lowercase());
        v
    };
    let asc: Vec<String> = row_locations(&page["sortedByLocation"]);
    let asc_paths: Vec<String> = asc.iter().map(|l| l.to_lowercase()).collect();
    let mut want: Vec<String> = by_location.iter().map(|l| l.to_lowercase()).collect();
    // Rows of one file keep the report's order: compare the files' order.
    let file = |l: &String| l.rsplitn(3, ':').last().unwrap_or_default().to_string();
    assert_eq!(
        asc_paths.iter().map(file).collect::<Vec<_>>(),
        want.iter().map(file).collect::<Vec<_>>()
    );
    want.reverse();
    let desc: Vec<String> = row_locations(&page["sortedByLocationDesc"])
        .iter()
        .map(|l| l.to_lowercase())
        .collect();
    assert_eq!(
        desc.iter().map(file).collect::<Vec<_>>(),
        want.iter().map(file).collect::<Vec<_>>()
    );
    // A row opens its fix, location and verification.
    let detail = page["detail"].as_str().expect("a detail row");
    for part in ["Fix", "Location", "Verification", "Fingerprint"] {
        assert!(detail.contains(part), "{detail}");
    }
    // The header says what was scanned.
    let header = page["header"].as_str().expect("header");
    for part in [
        "What was scanned",
        "Targets",
        "--max-filesize 1G",
        "built-in catalog",
        "inside 1 archive (1 zip)",
    ] {
        assert!(header.contains(part), "{part} not in {header}");
    }
    let charts = page["charts"].to_string();
    assert!(
        charts.contains("By severity")
            && charts.contains("By where they sit")
            && charts.contains("By rule")
    );
}

/// A history scan: the timeline of when leaks were introduced, and the "still in HEAD" filter
/// shows exactly the findings the JSON report says were removed.
#[test]
#[cfg_attr(
    missing_browser,
    ignore = "needs Debian's chromium and playwright-core: run .ci/run once"
)]
fn a_history_report_has_a_timeline_and_tells_removed_leaks_apart() {
    let dir = tempdir();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let commit = |msg: &str, date: &str| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Dev",
                "-c",
                "user.email=dev@example.com",
                "commit",
                "-q",
                "-m",
                msg,
            ])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .current_dir(d)
            .output()
            .expect("git commit");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    write(
        d,
        "config/.env",
        format!("STRIPE_SECRET_KEY={}\n", live_key(11)),
    );
    git(d, &["add", "-A"]);
    commit("add config", "2024-02-10T10:00:00+00:00");
    git(d, &["rm", "-q", "config/.env"]);
    commit("remove the env file", "2024-03-05T10:00:00+00:00");
    write(
        d,
        "src/pay.js",
        format!("const key = '{}';\n", live_key(12)),
    );
    git(d, &["add", "-A"]);
    commit("payments", "2024-09-01T10:00:00+00:00");

    let (json, _) = json_scan(d, &["--history"]);
    let out = run(
        d,
        &[
            "scan",
            "--history",
            "--format",
            "html",
            "-o",
            "history.html",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let removed: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["commit"]["in_head"] == false)
        .map(|f| {
            format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap_or_default(),
                f["line"],
                f["column"]
            )
        })
        .collect();
    assert!(!removed.is_empty(), "the deleted .env is still in history");
    let page = browse(&d.join("history.html"), serde_json::json!({"head": "no"}));
    assert_eq!(
        sorted(row_locations(&page["rows"])),
        sorted(locations(&json))
    );
    assert_eq!(sorted(row_locations(&page["byHead"])), sorted(removed));
    let charts = page["charts"].to_string();
    assert!(charts.contains("When each leak was introduced"), "{charts}");
    assert!(
        page["header"]
            .as_str()
            .unwrap_or_default()
            .contains("git history: every ref")
    );
}

/// `sealant merge --format html` writes the report the unsharded scan would have.
#[test]
#[cfg_attr(
    missing_browser,
    ignore = "needs Debian's chromium and playwright-core: run .ci/run once"
)]
fn merged_parts_make_one_html_report() {
    let dir = tempdir();
    project(dir.path());
    let (json, _) = json_scan(dir.path(), &["."]);
    for k in ["1/2", "2/2"] {
        let name = format!("part{}.json", &k[..1]);
        run(
            dir.path(),
            &["scan", ".", "--shard", k, "--format", "json", "-o", &name],
        );
    }
    let out = run(
        dir.path(),
        &[
            "merge",
            "part1.json",
            "part2.json",
            "--format",
            "html",
            "-o",
            "merged.html",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let page = browse(&dir.path().join("merged.html"), serde_json::json!({}));
    assert_eq!(
        sorted(row_locations(&page["rows"])),
        sorted(locations(&json))
    );
}

/// A clean tree: the page says there are no findings, and what was scanned.
#[test]
#[cfg_attr(
    missing_browser,
    ignore = "needs Debian's chromium and playwright-core: run .ci/run once"
)]
fn a_clean_scan_says_what_no_findings_covered() {
    let dir = tempdir();
    write(dir.path(), "src/app.js", "export const answer = 42;\n");
    let out = run(
        dir.path(),
        &["scan", "src", "--format", "html", "-o", "clean.html"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = browse(&dir.path().join("clean.html"), serde_json::json!({}));
    assert_eq!(page["empty"], true);
    let header = page["header"].as_str().unwrap_or_default();
    assert!(
        header.contains("1 file") && header.contains("src"),
        "{header}"
    );
}

/// 10,000 findings: at most 10 MB, every one a row.
#[test]
#[cfg_attr(
    missing_browser,
    ignore = "needs Debian's chromium and playwright-core: run .ci/run once"
)]
fn ten_thousand_findings_fit_in_ten_megabytes() {
    let dir = tempdir();
    for file in 0..10u64 {
        let body: String = (0..1000u64)
            .map(|i| format!("STRIPE_SECRET_KEY_{i}={}\n", live_key(file * 1000 + i)))
            .collect();
        write(
            dir.path(),
            &format!("services/svc-{file}/config/.env.production"),
            body,
        );
    }
    let out = run(
        dir.path(),
        &["scan", "services", "--format", "html", "-o", "big.html"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: PathBuf = dir.path().join("big.html");
    let size = std::fs::metadata(&report).expect("written").len();
    assert!(size <= 10 * 1024 * 1024, "{size} bytes for 10,000 findings");
    let page = browse(&report, serde_json::json!({"viewportOnly": true}));
    let rows = page["rows"].as_array().map_or(0, Vec::len);
    assert!(rows >= 10_000, "{rows} rows");
    eprintln!("10,000+ findings: {size} bytes, {rows} rows");
}
