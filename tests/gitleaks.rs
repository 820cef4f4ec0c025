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
