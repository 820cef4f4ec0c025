//! Shell completions and the man page: generated from the same command definitions as the
//! parser, and working in a real shell.

mod common;
use common::*;

use std::process::Command;

fn stdout(args: &[&str]) -> String {
    let out = run(&repo_root(), args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// What bash's completion function offers for the words of `line` (the last one being typed).
fn bash_complete(line: &str) -> Vec<String> {
    let script = format!(
        r#"source <("{bin}" completions bash)
COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< '{line}'
[[ '{line}' == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_sealant sealant "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        bin = bin()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_flags() {
    assert_eq!(bash_complete("sealant sc"), vec!["scan".to_string()]);
    let flags = bash_complete("sealant scan --for");
    assert_eq!(flags, vec!["--format".to_string()], "{flags:?}");
    let formats = bash_complete("sealant scan --format ");
    for f in ["json", "sarif", "github", "junit", "csv"] {
        assert!(formats.iter().any(|x| x == f), "{f} in {formats:?}");
    }
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(
            script.contains("sealant") && script.contains("install-hook"),
            "{shell}"
        );
    }
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH sealant 1"), "{page}");
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    for sub in [
        "scan",
        "merge",
        "rules",
        "install\\-hook",
        "version",
        "completions",
    ] {
        assert!(page.contains(sub), "{sub} missing from the man page");
    }
}

/// Every command has its own page with every option it takes (`sealant man scan`), and
/// `sealant man --dir` writes them all, so that the `sealant-scan(1)` the main page points at
/// exists; `man` reads each one.
#[test]
fn man_pages_per_command_document_their_options() {
    let scan = stdout(&["man", "scan"]);
    assert!(scan.contains(".TH sealant-scan 1"), "{scan}");
    for flag in [
        "history",
        "staged",
        "baseline",
        "max\\-filesize",
        "only\\-verified",
    ] {
        assert!(
            scan.contains(&format!("\\fB\\-\\-{flag}\\fR")),
            "--{flag} missing:\n{scan}"
        );
    }
    let merge = stdout(&["man", "merge"]);
    assert!(
        merge.contains(".TH sealant-merge 1") && merge.contains("PART.json"),
        "{merge}"
    );
    let dir = tempdir();
    let out = run(
        dir.path(),
        &[
            "man",
            "--dir",
            dir.path().join("man1").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let main = stdout(&["man"]);
    for sub in [
        "scan",
        "merge",
        "verify",
        "rules",
        "install-hook",
        "version",
        "completions",
        "man",
    ] {
        let page = dir.path().join(format!("man1/sealant-{sub}.1"));
        assert!(page.is_file(), "{} not written", page.display());
        assert!(
            main.contains(&format!("sealant\\-{}(1)", sub.replace('-', "\\-"))),
            "{sub}"
        );
    }
    let bad = run(dir.path(), &["man", "bogus"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("commands: scan, merge"),
        "{}",
        stderr(&bad)
    );
    // Rendered by man(1), where the machine has it: `--history` is there to grep for.
    if let Some(man) = on_path("man") {
        let page = dir.path().join("man1/sealant-scan.1");
        let shown = Command::new(man)
            .arg("-l")
            .arg(&page)
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .output()
            .expect("man runs");
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(text.contains("--history"), "{text}");
    }
}
