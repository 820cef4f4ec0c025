//! Coming from gitleaks: `gitleaks:allow` comments, `.gitleaksignore` as a baseline, and
//! `sealant rules import` of a gitleaks config.

mod common;
use common::*;

fn stripe_paths(dir: &std::path::Path, args: &[&str]) -> (Vec<String>, serde_json::Value) {
    let (v, out) = json_scan(dir, args);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let paths = rule_paths(&v)
        .into_iter()
        .filter(|(r, _)| r.starts_with("stripe."))
        .map(|(_, p)| p)
        .collect();
    (paths, v)
}

#[test]
fn gitleaks_allow_comments_are_honoured_unless_configured_away() {
    let dir = tempdir();
    write(
        dir.path(),
        "a.js",
        format!("const k = '{LIVE_KEY}'; // gitleaks:allow\n"),
    );
    write(
        dir.path(),
        "b.js",
        format!("const k = '{LIVE_KEY}'; // sealant:allow test\n"),
    );
    write(dir.path(), "c.js", format!("const k = '{LIVE_KEY}';\n"));
    assert_eq!(stripe_paths(dir.path(), &[]).0, vec!["c.js"]);
    write(
        dir.path(),
        ".sealant.toml",
        "allow-markers = [\"sealant:allow\"]\n",
    );
    assert_eq!(stripe_paths(dir.path(), &[]).0, vec!["a.js", "c.js"]);
    write(dir.path(), ".sealant.toml", "allow-markers = [\"x\"]\n");
    let out = run(dir.path(), &["scan"]);
    assert_eq!(
        code(&out),
        2,
        "a one-letter marker is refused: {}",
        stderr(&out)
    );
}

#[test]
fn gitleaksignore_is_a_baseline() {
    let dir = tempdir();
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        "src/a.js",
        format!("// config\nconst k = '{LIVE_KEY}';\n"),
    );
    write(dir.path(), "src/b.js", format!("const k = '{LIVE_KEY}';\n"));
    write(
        dir.path(),
        "src/c.js",
        format!("const k = '{RESTRICTED_KEY}';\n"),
    );
    write(
        dir.path(),
        ".gitleaksignore",
        "# accepted findings\n\
         src/a.js:stripe-access-token:2\n\
         src/b.js:stripe-access-token:7\n\
         src/c.js:hashicorp-tf-api-token:1\n",
    );
    let (paths, v) = stripe_paths(dir.path(), &[]);
    assert_eq!(
        paths,
        vec!["src/b.js", "src/c.js"],
        "a.js:2 is accepted; b.js's line differs"
    );
    assert_eq!(v["summary"]["suppressed"]["baseline"], 1);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains(".gitleaksignore:4") && warnings.contains("hashicorp-tf-api-token"),
        "{warnings}"
    );

    // A history scan: the git form names the commit that introduced the line.
    git(dir.path(), &["add", "src"]);
    git(dir.path(), &["commit", "-qm", "keys"]);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir.path())
        .output()
        .expect("git runs");
    let head = stdout(&head).trim().to_string();
    write(
        dir.path(),
        ".gitleaksignore",
        format!("{head}:src/b.js:stripe-access-token:1\n0000000:src/c.js:stripe-access-token:1\n"),
    );
    let (paths, _) = stripe_paths(dir.path(), &["--history"]);
    let short = &head[..7];
    assert_eq!(
        paths,
        vec![format!("{short}:src/a.js"), format!("{short}:src/c.js")],
        "only the entry of the right commit applies"
    );
}

#[test]
fn a_gitleaks_config_imports_as_rules_that_scan() {
    let dir = tempdir();
    write(
        dir.path(),
        "gitleaks.toml",
        "[extend]\nuseDefault = true\n\n\
         [[rules]]\nid = \"acme-api-key\"\ndescription = \"Acme API key\"\n\
         regex = '''(?i)(acme[_-]?key)\\s*[:=]\\s*[\"']?([a-z0-9]{32})[\"']?'''\n\
         secretGroup = 2\nentropy = 3.5\nkeywords = [\"acme\"]\n\n\
         [[rules]]\nid = \"short\"\nregex = '''x[0-9]{5}'''\nkeywords = [\"x\"]\n",
    );
    let out = run(
        dir.path(),
        &["rules", "import", "gitleaks.toml", "-o", "acme.toml"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let notes = stderr(&out);
    assert!(notes.contains("[extend] is not imported"), "{notes}");
    assert!(notes.contains("rule `short`: no keyword"), "{notes}");
    assert!(notes.contains("imported 1 rule"), "{notes}");

    let check = run(dir.path(), &["rules", "check", "acme.toml"]);
    assert_eq!(code(&check), 0, "{}", stdout(&check));
    assert!(
        stdout(&check).contains("1 rule(s) have no examples"),
        "{}",
        stdout(&check)
    );

    write(
        dir.path(),
        "app/settings.py",
        "ACME_KEY = 'q8f3k2m9x7c4v1b6n5h0j2l4p7r9t3w8'\nAcMe_KeY: r7g4l3n0y8d5w2c7o6i1k3m5q8s0u4x9\n",
    );
    let (v, out) = json_scan(dir.path(), &["--rules", "acme.toml", "app"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // gitleaks matches keywords in any case; the imported rule too (`keywords_any_case`).
    let lines: Vec<u64> = (v["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![1, 2], "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "acme-api-key");
    assert_eq!(
        f["column"], 13,
        "the secret is the secretGroup, not the whole match"
    );
}
