//! A history longer than one `git diff-tree` run takes (the walk hands git its commits in runs,
//! so that git's memory does not grow with the history): keys introduced on both sides of each
//! run's edge are found once, each with the commit, author and date that introduced it.

mod common;
use common::*;

use std::io::Write;
use std::process::{Command, Stdio};

/// Commits in the generated history: past two runs of the walk (2,048 commits each).
const COMMITS: usize = 4_300;

#[test]
fn keys_at_the_edges_of_the_walks_runs_keep_their_commits() {
    let dir = tempdir();
    git(
        dir.path(),
        &["init", "-q", "--bare", "--initial-branch=main", "."],
    );
    // Each commit changes `counter.txt`; some also add a file with a key of their own.
    let with_key = [0usize, 10, 2046, 2047, 2048, 2049, 4095, 4096, 4299];
    let mut stream = Vec::new();
    let mut keys = Vec::new();
    for n in 0..COMMITS {
        let when = 1_714_564_800 + n as u64 * 60;
        let message = format!("commit {n}\n");
        writeln!(stream, "commit refs/heads/main\nmark :{}", n + 1).expect("write");
        writeln!(stream, "author Dev {n} <dev{n}@example.com> {when} +0000").expect("write");
        writeln!(
            stream,
            "committer Dev {n} <dev{n}@example.com> {when} +0000"
        )
        .expect("write");
        write!(stream, "data {}\n{message}", message.len()).expect("write");
        if n > 0 {
            writeln!(stream, "from :{n}").expect("write");
        }
        let counter = format!("{n}\n");
        write!(
            stream,
            "M 100644 inline counter.txt\ndata {}\n{counter}",
            counter.len()
        )
        .expect("write");
        if with_key.contains(&n) {
            let key = live_key(n as u64);
            let file = format!("STRIPE_SECRET_KEY={key}\n");
            write!(
                stream,
                "M 100644 inline config/stripe-{n}.env\ndata {}\n{file}",
                file.len()
            )
            .expect("write");
            keys.push((n, key));
        }
        stream.push(b'\n');
    }
    let marks = dir.path().join("marks");
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .arg(format!("--export-marks={}", marks.display()))
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("feed fast-import");
    assert!(child.wait().expect("fast-import").success());
    // Mark n + 1 is commit n.
    let marks = std::fs::read_to_string(&marks).expect("marks");
    let commit_of = |n: usize| -> String {
        let mark = format!(":{} ", n + 1);
        marks
            .lines()
            .find_map(|l| l.strip_prefix(&mark))
            .expect("marked")
            .to_string()
    };

    let (v, out) = json_scan(dir.path(), &["--history"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(v["summary"]["commits"], COMMITS, "{}", v["summary"]);
    let findings: Vec<&serde_json::Value> = (v["findings"].as_array().expect("findings").iter())
        .filter(|f| f["rule_id"] == "stripe.secret-key.live")
        .collect();
    assert_eq!(findings.len(), keys.len(), "{findings:#?}");
    for (n, _) in &keys {
        let path = format!("config/stripe-{n}.env");
        let f = (findings.iter())
            .find(|f| f["commit"]["path"] == path.as_str())
            .unwrap_or_else(|| panic!("no finding in {path}"));
        assert_eq!(f["commit"]["commit"], commit_of(*n).as_str(), "{path}");
        assert_eq!(
            f["commit"]["author"],
            format!("Dev {n} <dev{n}@example.com>"),
            "{path}"
        );
        assert_eq!(f["commit"]["in_head"], true, "{path}");
    }
}
