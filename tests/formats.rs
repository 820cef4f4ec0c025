//! The formats CI systems read — JSON Lines, GitHub Actions annotations, JUnit XML, CSV — each
//! parsed with a parser for that format and checked against the JSON report of the same scan;
//! and `sealant version`.

mod common;
use common::*;

use std::collections::BTreeSet;

/// A tree whose findings exercise escaping: a comma and quotes in a file name, several
/// findings in one file, an info finding.
fn tree() -> tempfile::TempDir {
    let dir = tempdir();
    write(
        dir.path(),
        "app/.env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\nRK={RESTRICTED_KEY}\n"),
    );
    write(
        dir.path(),
        "docs/a,b \"c\".js",
        format!("const k = '{LIVE_KEY}';\n"),
    );
    write(dir.path(), "test/t.py", format!("key = '{TEST_KEY}'\n"));
    dir
}

fn scan(dir: &std::path::Path, format: &str) -> String {
    let out = run(dir, &["scan", "--format", format, "--quiet", "."]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 report");
    for key in [LIVE_KEY, RESTRICTED_KEY] {
        assert!(!text.contains(key), "{format} report prints a full secret");
    }
    text
}

/// (fingerprint, canonical path, line, severity) of every finding of the JSON report.
fn json_findings(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(&scan(dir, "json")).expect("json");
    let findings = report["findings"].as_array().expect("findings").clone();
    assert!(findings.len() >= 4, "{findings:?}");
    findings
}

fn fingerprints(findings: &[serde_json::Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
        .collect()
}

/// Lines come as files are done (in no fixed order), each exactly a finding of the JSON report.
#[test]
fn jsonl_is_one_finding_per_line() {
    let dir = tree();
    let key = |v: &serde_json::Value| v.to_string();
    let mut expected = json_findings(dir.path());
    expected.sort_by_key(key);
    let mut lines: Vec<serde_json::Value> = scan(dir.path(), "jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON value"))
        .collect();
    lines.sort_by_key(key);
    assert_eq!(lines, expected);
    // Into a file too, and a baseline applies to what is streamed.
    let jsonl = |baseline_flag: &str| {
        let args = [
            "scan",
            "--format",
            "jsonl",
            "-o",
            "f.jsonl",
            baseline_flag,
            "b.json",
            ".",
        ];
        run(dir.path(), &args)
    };
    let out = jsonl("--write-baseline");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    write(dir.path(), "more.js", format!("k = '{RESTRICTED_KEY}';\n"));
    let out = jsonl("--baseline");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("f.jsonl")).expect("report file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "only the new finding: {text}");
    assert_eq!(lines[0]["path"], "./more.js");
}

#[test]
fn csv_parses_with_one_row_per_finding() {
    let dir = tree();
    let expected = json_findings(dir.path());
    let text = scan(dir.path(), "csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..4], ["severity", "rule_id", "title", "path"]);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid row")).collect();
    assert_eq!(rows.len(), expected.len());
    let got: BTreeSet<String> = rows
        .iter()
        .map(|r| r[col("fingerprint")].to_string())
        .collect();
    assert_eq!(got, fingerprints(&expected));
    let paths: BTreeSet<&str> = rows.iter().map(|r| &r[col("path")]).collect();
    assert!(paths.contains("./docs/a,b \"c\".js"), "{paths:?}");
}

#[test]
fn junit_has_a_failed_case_per_file_with_findings() {
    let dir = tree();
    let expected = json_findings(dir.path());
    let files: BTreeSet<&str> = expected
        .iter()
        .map(|f| f["canonical_path"].as_str().expect("path"))
        .collect();
    let text = scan(dir.path(), "junit");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    assert_eq!(
        suite.attribute("failures"),
        Some(files.len().to_string().as_str())
    );
    let failed: BTreeSet<&str> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| n.children().any(|c| c.has_tag_name("failure")))
        .map(|n| n.attribute("name").expect("name"))
        .collect();
    assert_eq!(failed, files);
    let passed = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .count()
        - failed.len();
    assert_eq!(passed, 1, "the scan itself is one passing case");
}

/// GitHub's workflow-command grammar: `::command key=value,key=value::message`, with `%`,
/// CR, LF escaped everywhere and `:`/`,` in values.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, message) = rest.split_once("::").expect("message separator");
    let (command, props) = head.split_once(' ').expect("properties");
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (command.to_string(), props, unescape(message))
}

#[test]
fn github_annotations_point_at_each_finding() {
    let dir = tree();
    let expected = json_findings(dir.path());
    let text = scan(dir.path(), "github");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, f) in lines.iter().zip(&expected) {
        let (command, props, message) = parse_command(line);
        let want = match f["severity"].as_str() {
            Some("critical" | "high") => "error",
            Some("medium" | "low") => "warning",
            _ => "notice",
        };
        assert_eq!(command, want, "{line}");
        let prop = |k: &str| {
            props
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{k} in {line}"))
        };
        assert_eq!(prop("file"), f["canonical_path"].as_str().expect("path"));
        assert_eq!(prop("line"), f["line"].to_string());
        assert!(
            message.starts_with(f["title"].as_str().expect("title")),
            "{message}"
        );
    }
}

#[test]
fn version_names_the_rule_catalog() {
    let dir = tempdir();
    let sub = run(dir.path(), &["version"]);
    let flag = run(dir.path(), &["--version"]);
    assert_eq!(sub.status.code(), Some(0));
    assert_eq!(sub.stdout, flag.stdout, "`version` and `--version` agree");
    let text = String::from_utf8_lossy(&sub.stdout);
    assert!(
        text.starts_with(&format!("sealant {} ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let rules: usize = text
        .split(": ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a rule count in {text}"));
    assert!(rules > 50, "{text}");
}
