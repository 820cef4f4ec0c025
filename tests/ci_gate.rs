//! The CI gate: SARIF 2.1.0 (checked by Microsoft's validator where installed), `--output`,
//! baselines, `sealant:allow` comments and the project config.

mod common;
use common::*;

use std::path::{Path, PathBuf};

fn sarif(dir: &Path, args: &[&str]) -> (serde_json::Value, std::process::Output) {
    let mut all = vec!["scan", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("SARIF parses ({e}); stderr: {}", stderr(&out)));
    (v, out)
}

#[test]
fn sarif_log_has_what_code_scanning_needs() {
    let dir = fixture_copy("frameworks");
    let (v, out) = sarif(dir.path(), &["vite-app"]);
    assert_eq!(code(&out), 1);
    assert_eq!(v["version"], "2.1.0");
    assert!(
        v["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "sealant");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let rules = driver["rules"].as_array().expect("rules");
    let live = rules
        .iter()
        .find(|r| r["id"] == "stripe.secret-key.live")
        .expect("rule with results is listed");
    assert!(live["shortDescription"]["text"].is_string());
    assert!(live["fullDescription"]["text"].is_string());
    assert!(
        live["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Rotate key"))
    );
    assert!(
        live["help"]["markdown"]
            .as_str()
            .is_some_and(|t| t.contains("**Fix:**"))
    );
    assert_eq!(live["defaultConfiguration"]["level"], "error");
    assert_eq!(live["properties"]["security-severity"], "9.5");
    assert!(
        live["properties"]["tags"]
            .as_array()
            .is_some_and(|t| t.contains(&"security".into()))
    );
    let results = run["results"].as_array().expect("results");
    // The two publishable keys (info) are left out: code scanning would raise them as alerts.
    assert_eq!(results.len(), 8);
    assert_eq!(run["properties"]["omittedInfoFindings"], 2);
    assert!(
        results
            .iter()
            .all(|r| r["ruleId"] != "stripe.publishable-key.live")
    );
    // With --fail-on info they are in, as notes whose rule carries no security severity.
    let (all, _) = sarif(dir.path(), &["--fail-on", "info", "vite-app"]);
    let all_run = &all["runs"][0];
    assert_eq!(all_run["results"].as_array().map(Vec::len), Some(10));
    let pk = all_run["tool"]["driver"]["rules"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == "stripe.publishable-key.live"))
        .expect("publishable rule listed");
    assert!(pk["properties"]["security-severity"].is_null(), "{pk}");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "stripe.secret-key.live")
        .expect("a live key result");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    // Outside a git work tree the scan root is the base of URIs (in a repository, its root).
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "dist/assets/index-7f3a9c.js"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 1);
    assert!(loc["region"]["startColumn"].as_u64().is_some_and(|c| c > 1));
    assert_eq!(
        r["partialFingerprints"]["sealant/v1"]
            .as_str()
            .map(str::len),
        Some(32)
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .is_some_and(|m| m.contains("already public"))
    );
    // Redacted in SARIF as everywhere.
    assert!(!stdout(&out).contains("sk_live_51HFwUbbYrEqmSM9wCZ7Uw9xfogoEmvnEN5N1aE6PwZPf1Qh6yYT"));
    assert_eq!(r["properties"]["secret"], "sk_live_51HF…PgH");
}

/// Where `.ci/run` installs Microsoft's SARIF validator (npm `@microsoft/sarif-multitool`).
fn validator() -> Option<PathBuf> {
    let p = repo_root().join("target/sarif-tools/node_modules/.bin/sarif-multitool");
    p.exists().then_some(p)
}

#[test]
#[cfg_attr(
    missing_sarif_multitool,
    ignore = "needs the SARIF validator: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn sarif_passes_microsofts_validator() {
    let Some(tool) = validator() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the SARIF validator (.ci/run does: npm install @microsoft/sarif-multitool)"
        );
        eprintln!("SARIF validator not installed (run .ci/run once); skipping the validation");
        return;
    };
    let dir = fixture_copy("frameworks");
    // The validator exits 0 even on errors: its report lines are what count.
    let validate = |file: &str| {
        let checked = std::process::Command::new(&tool)
            .args(["validate", "--output"])
            .arg(dir.path().join(format!("{file}.validation")))
            .arg(dir.path().join(file))
            // GitHub's rules too (a region on every result, …), as code scanning applies them.
            .args(["--rule-kind", "Sarif", "Gh"])
            .output()
            .expect("validator runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
        assert!(said.contains("Analysis completed successfully"), "{said}");
        said.lines()
            .filter(|l| l.contains(": error ") || l.contains(": warning "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // It does catch a broken log...
    write(
        dir.path(),
        "broken.sarif",
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{}}]}]}"#,
    );
    assert!(
        validate("broken.sarif")
            .iter()
            .any(|l| l.contains(": error "))
    );
    // ...and GitHub's rules are on: a result without a region is a warning.
    write(
        dir.path(),
        "noregion.sarif",
        r#"{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"r","shortDescription":{"text":"R."},"fullDescription":{"text":"R."},"help":{"text":"R."}}]}},"results":[{"ruleId":"r","message":{"text":"m."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.txt"}}}]}]}]}"#,
    );
    assert!(
        validate("noregion.sarif")
            .iter()
            .any(|l| l.contains("SARIF2017")),
    );
    // ...and finds neither errors nor warnings in ours (a real scan: content and file rules,
    // public exposure, a source map, an APK and a tgz whose members have no region of their
    // own).
    write(
        dir.path(),
        "app.apk",
        zip_bytes(&[(
            "assets/config.json",
            format!("{{\"k\":\"{LIVE_KEY}\"}}").as_bytes(),
            true,
        )]),
    );
    write(
        dir.path(),
        "site.tgz",
        gz_bytes(&tar_bytes(
            &[("site/.env", format!("K={RESTRICTED_KEY}\n").as_bytes())],
            &[],
        )),
    );
    let out = run(
        dir.path(),
        &["scan", "--format", "sarif", "--output", "report.sarif", "."],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let problems = validate("report.sarif");
    assert!(
        problems.is_empty(),
        "SARIF problems:\n{}",
        problems.join("\n")
    );
    // A probe's SARIF: URLs as artifact locations, the site checks as rules.
    let site = common::server::Server::start(std::sync::Arc::new(|path: &str| match path {
        "/" => common::server::ok(
            "text/html",
            format!("<html><script>var k='{LIVE_KEY}'</script></html>"),
        ),
        "/.env" => common::server::ok("text/plain", "A=1\nB=2\n"),
        _ => common::server::not_found(),
    }));
    let out = run(
        dir.path(),
        &[
            "probe",
            "--rate",
            "0",
            "--format",
            "sarif",
            "--output",
            "probe.sarif",
            &site.url("/"),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let problems = validate("probe.sarif");
    assert!(
        problems.is_empty(),
        "probe SARIF problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempdir();
    write(dir.path(), "a.env", format!("K={LIVE_KEY}\n"));
    let out = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--output",
            "report.json",
            "a.env",
        ],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("1 finding: 1 critical"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).expect("written"))
            .expect("json");
    assert_eq!(v["findings"][0]["rule_id"], "stripe.secret-key.live");
}

#[test]
fn baseline_accepts_known_findings_only() {
    let dir = tempdir();
    write(
        dir.path(),
        "app/config.py",
        format!("# legacy\nKEY = '{LIVE_KEY}'\n"),
    );
    write(dir.path(), "app/other.py", format!("T = '{TEST_KEY}'\n"));
    let out = run(
        dir.path(),
        &["scan", "--write-baseline", "sealant-baseline.json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("sealant-baseline.json")).expect("written");
    assert!(
        !text.contains(LIVE_KEY) && !text.contains("sk_live_51u8"),
        "no secret in {text}"
    );
    assert!(
        text.contains("\"fingerprint\"") && text.contains("app/config.py"),
        "{text}"
    );

    // Same findings, moved to other lines: all suppressed.
    write(
        dir.path(),
        "app/config.py",
        format!("# legacy\n\n\n# moved\nKEY = '{LIVE_KEY}'\n"),
    );
    let (v, out) = json_scan(dir.path(), &["--baseline", "sealant-baseline.json"]);
    assert_eq!(code(&out), 0, "{v}");
    assert_eq!(v["summary"]["suppressed"]["baseline"], 2);
    assert!(
        stderr(&out).contains("suppressed 2 findings (2 by the baseline)"),
        "{}",
        stderr(&out)
    );

    // A different secret on the same line is a new finding; the old entry is stale.
    let other = LIVE_KEY.replace("vUC", "vUX");
    write(
        dir.path(),
        "app/config.py",
        format!("# legacy\nKEY = '{other}'\n"),
    );
    let (v, out) = json_scan(dir.path(), &["--baseline", "sealant-baseline.json"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "app/config.py".to_string()
        )]
    );
    assert_eq!(v["summary"]["baseline_stale"], 1);
    assert_eq!(v["stale_baseline"][0]["path"], "app/config.py");
    assert!(
        stderr(&out).contains("1 baseline entry no longer occurs"),
        "{}",
        stderr(&out)
    );

    let bad = run(dir.path(), &["scan", "--baseline", "app/other.py"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("invalid baseline"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn inline_allow_comments() {
    let dir = tempdir();
    write(
        dir.path(),
        "tests/fixtures.js",
        format!(
            "const fake = '{LIVE_KEY}'; // sealant:allow test fixture\nconst real = '{RESTRICTED_KEY}';\n"
        ),
    );
    write(
        dir.path(),
        "conf.yaml",
        format!("key: {TEST_KEY}  # sealant:allow\n"),
    );
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.restricted-key.live".to_string(),
            "tests/fixtures.js".to_string()
        )]
    );
    assert_eq!(v["summary"]["suppressed"]["inline"], 2);
    assert_eq!(code(&out), 1);
}

#[test]
fn project_config_rules_skips_allowlist_and_fail_on() {
    let dir = tempdir();
    write(
        dir.path(),
        ".sealant.toml",
        format!(
            r#"
fail-on = "critical"
disable = ["stripe.publishable-key"]
skip-paths = ["**/testdata/**"]

[allowlist]
values = ["{TEST_KEY}"]

[[rule]]
id = "acme.token"
title = "ACME internal token"
severity = "critical"
keywords = ["acme_"]
regex = '(?-u:\b)(acme_[0-9a-f]{{32}})(?-u:\b)'
remediation = "Revoke it in the ACME console."
"#
        ),
    );
    write(
        dir.path(),
        "a.py",
        format!("T = '{TEST_KEY}'\nP = '{PUBLISHABLE_KEY}'\n"),
    );
    write(dir.path(), "testdata/keys.txt", format!("{LIVE_KEY}\n"));
    write(
        dir.path(),
        "svc.py",
        "TOKEN = 'acme_9f86d081884c7d659a2feaa0c55ad015'\n",
    );
    let (v, out) = json_scan(dir.path(), &[]);
    assert_eq!(
        rule_paths(&v),
        vec![("acme.token".to_string(), "svc.py".to_string())]
    );
    // a.py and the allowlist entry in .sealant.toml itself.
    assert_eq!(v["summary"]["suppressed"]["allowlist"], 2);
    assert_eq!(v["summary"]["skipped"]["config"], 1, "{v}");
    assert_eq!(code(&out), 1);
    // fail-on = critical from the config: a high finding alone passes...
    write(dir.path(), "svc.py", "x = 1\n");
    write(
        dir.path(),
        "hook.env",
        "SLACK=https://hooks.slack.com/services/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\n",
    );
    let out = run(dir.path(), &["scan"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // ...unless the flag says otherwise.
    assert_eq!(code(&run(dir.path(), &["scan", "--fail-on", "high"])), 1);
    // --config names another file; a malformed one is an error with file and line.
    write(
        dir.path(),
        "broken.toml",
        "fail-on = \"high\"\nskip-paths = \"not a list\"\n",
    );
    let out = run(dir.path(), &["scan", "--config", "broken.toml"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("broken.toml") && err.contains("line 2"),
        "{err}"
    );
}

/// GitHub rejects a SARIF run with more than 25,000 results: the most severe are kept, with a
/// warning on stderr and a note in the run's properties; the JSON report keeps them all.
#[test]
fn sarif_caps_results_at_githubs_limit() {
    let dir = tempdir();
    // 25,010 distinct publishable keys over three files (a file lists at most 10,000
    // findings, and copies of one key past 50), and one live key.
    let stem = &PUBLISHABLE_KEY[..PUBLISHABLE_KEY.len() - 5];
    for (file, range) in [(0, 0..8_337), (1, 8_337..16_674), (2, 16_674..25_010)] {
        let text: String = range.map(|i| format!("k = '{stem}{i:05}'\n")).collect();
        write(dir.path(), &format!("many{file}.txt"), &text);
    }
    write(dir.path(), "live.txt", format!("k = '{LIVE_KEY}'\n"));
    let (v, out) = sarif(dir.path(), &["--fail-on", "info", "."]);
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 25_000);
    // The critical one is kept, the least severe are cut.
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "stripe.secret-key.live")
    );
    assert!(
        run["properties"]["omittedOverLimit"]
            .as_str()
            .is_some_and(|s| s.starts_with("11 least severe")),
        "{}",
        run["properties"]
    );
    assert!(
        stderr(&out).contains("25000 most severe"),
        "{}",
        stderr(&out)
    );
    // Every copy has its own fingerprint, so GitHub merges none.
    let fps: std::collections::HashSet<&str> = results
        .iter()
        .filter_map(|r| r["partialFingerprints"]["sealant/v1"].as_str())
        .collect();
    assert_eq!(fps.len(), 25_000);
}

/// Values a filter drops as fake are counted, never silent; `rules check` says when an example
/// failed because of the placeholder filter.
#[test]
fn placeholders_are_counted_and_explained() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.env",
        "A=sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx\nB=sk_live_YOURSECRETKEYGOESHEREPLEASE\n",
    );
    let (v, _) = json_scan(dir.path(), &[]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["summary"]["suppressed"]["placeholder"], 2);
    let out = run(dir.path(), &["scan"]);
    assert!(
        stderr(&out).contains("2 placeholder or default values"),
        "{}",
        stderr(&out)
    );
    write(
        dir.path(),
        "rules.toml",
        r#"[[rule]]
id = "acme.token"
title = "ACME token"
severity = "high"
keywords = ["acme_"]
regex = 'acme_[0-9a-z]{16,}'
remediation = "Revoke it."
examples = ["acme_aaaaaaaaaaaaaaaaaaaa"]
"#,
    );
    let out = run(dir.path(), &["rules", "check", "rules.toml"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("placeholder filter"),
        "{}",
        stdout(&out)
    );
}
