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
