//! `sealant scan --history`: real repositories built with the git CLI — keys added then deleted,
//! renamed, on unmerged branches, in merge resolutions, behind tags, in zips and binaries, in
//! commit messages, in dangling commits; the range gate, shallow clones, baselines across
//! history and tree, damaged repositories, and the pre-push hook blocking a real push.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Ann Dev",
            "-c",
            "user.email=ann@example.com",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2024-05-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-05-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out).trim().to_string()
}

fn repo() -> tempfile::TempDir {
    let dir = tempdir();
    git_in(dir.path(), &["init", "-q"]);
    write(dir.path(), "README.md", "hello\n");
    git_in(dir.path(), &["add", "."]);
    git_in(dir.path(), &["commit", "-qm", "start"]);
    dir
}

fn commit_all(dir: &Path, message: &str) -> String {
    git_in(dir, &["add", "-A"]);
    git_in(dir, &["commit", "-qm", message]);
    git_in(dir, &["rev-parse", "HEAD"])
}

/// (rule, path in the repository, introducing commit, in HEAD) of each finding.
fn history_rows(
    dir: &Path,
    args: &[&str],
) -> (Vec<(String, String, String, bool)>, serde_json::Value) {
    let mut all = vec!["--history"];
    all.extend_from_slice(args);
    let (v, out) = json_scan(dir, &all);
    assert!(code(&out) < 2, "{}", stderr(&out));
    let rows = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let c = &f["commit"];
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                c["path"].as_str().unwrap_or_default().to_string(),
                c["commit"].as_str().unwrap_or_default().to_string(),
                c["in_head"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    (rows, v)
}

/// A warning holds every one of `words`, and the live key elsewhere was still found.
fn warned_and_went_on(v: &serde_json::Value, words: &[&str]) {
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["message"]
            .as_str()
            .is_some_and(|m| words.iter().all(|x| m.contains(x)))),
        "{warnings:?}"
    );
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule_id"] == "stripe.secret-key.live")
    );
}

fn live(rows: &[(String, String, String, bool)]) -> Vec<(String, String, bool)> {
    rows.iter()
        .filter(|r| r.0 == "stripe.secret-key.live" || r.0 == "stripe.restricted-key.live")
        .map(|r| (r.1.clone(), r.2.clone(), r.3))
        .collect()
}

#[test]
fn key_added_then_deleted_is_found_with_its_commit() {
    let dir = repo();
    write(
        dir.path(),
        ".env",
        format!("STRIPE_SECRET_KEY={LIVE_KEY}\n"),
    );
    let added = commit_all(dir.path(), "add env");
    std::fs::remove_file(dir.path().join(".env")).expect("rm");
    commit_all(dir.path(), "remove env");
    // The tree is clean...
    assert_eq!(code(&run(dir.path(), &["scan"])), 0);
    // ...history is not.
    let (rows, v) = history_rows(dir.path(), &[]);
    assert_eq!(
        live(&rows),
        vec![(".env".to_string(), added.clone(), false)]
    );
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule_id"] == "stripe.secret-key.live"))
        .expect("the key");
    assert_eq!(f["commit"]["author"], "Ann Dev <ann@example.com>");
    assert_eq!(f["commit"]["date"], "2024-05-01T12:00:00Z");
    assert_eq!(f["path"], format!("{}:.env", &added[..7]));
    assert!(
        f["remediation"]
            .as_str()
            .is_some_and(|r| r.starts_with("Removed from the tree, still in history")),
        "{f}"
    );
    // `.env` committed to git is reported from history too.
    assert!(rows.iter().any(|r| r.0 == "env-file.committed"), "{rows:?}");
    // Text says where and that it is gone from the tree.
    let out = run(dir.path(), &["scan", "--history"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("removed from the tree, still in history"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains(LIVE_KEY), "a full secret printed");
}

#[test]
fn renamed_then_edited_away_names_the_first_commit_and_path() {
    let dir = repo();
    write(
        dir.path(),
        "config/app.properties",
        format!("stripe={LIVE_KEY}\n"),
    );
    let first = commit_all(dir.path(), "config");
    git_in(
        dir.path(),
        &["mv", "config/app.properties", "config/prod.properties"],
    );
    commit_all(dir.path(), "rename");
    write(
        dir.path(),
        "config/prod.properties",
        "stripe=${STRIPE_KEY}\n",
    );
    commit_all(dir.path(), "read it from the environment");
    let (rows, v) = history_rows(dir.path(), &[]);
    assert_eq!(
        live(&rows),
        vec![("config/app.properties".to_string(), first, false)]
    );
    // The same blob at the renamed path is counted, not reported again.
    assert_eq!(v["findings"][0]["commit"]["other_introductions"], 1);
}

#[test]
fn unmerged_branch_tag_merge_resolution_zip_binary_and_message() {
    let dir = repo();
    // Only on an unmerged branch.
    git_in(dir.path(), &["checkout", "-qb", "feature"]);
    write(
        dir.path(),
        "feature.js",
        format!("const k = '{LIVE_KEY}';\n"),
    );
    let on_branch = commit_all(dir.path(), "feature");
    git_in(dir.path(), &["checkout", "-q", "main"]);
    // Only reachable from a tag (the commit is on no branch).
    git_in(dir.path(), &["checkout", "-q", "--detach"]);
    write(dir.path(), "release.cfg", format!("key={RESTRICTED_KEY}\n"));
    let tagged = commit_all(dir.path(), "release");
    git_in(dir.path(), &["tag", "-a", "v1", "-m", "release v1"]);
    git_in(dir.path(), &["checkout", "-q", "main"]);
    // A committed zip and a binary.
    write(
        dir.path(),
        "libs/pay.jar",
        zip_bytes(&[(
            "config/stripe.properties",
            format!("k={LIVE_KEY}\n").as_bytes(),
            true,
        )]),
    );
    let mut bin = vec![0u8, 1, 2, 0x7f, b'E', b'L', b'F', 0];
    bin.extend_from_slice(format!("\0{RESTRICTED_KEY}\0").as_bytes());
    bin.extend_from_slice(&[0xff; 64]);
    write(dir.path(), "bin/tool", &bin);
    let artifacts = commit_all(dir.path(), "artifacts");
    // In a commit message.
    write(dir.path(), "notes.txt", "n\n");
    git_in(dir.path(), &["add", "notes.txt"]);
    git_in(
        dir.path(),
        &["commit", "-qm", &format!("debug: used {LIVE_KEY} here")],
    );
    let message = git_in(dir.path(), &["rev-parse", "HEAD"]);
    // Only in a merge resolution: both sides change a line, the resolution adds a key.
    write(dir.path(), "settings.py", "KEY = None\n");
    commit_all(dir.path(), "settings");
    git_in(dir.path(), &["checkout", "-qb", "side"]);
    write(dir.path(), "settings.py", "KEY = 'side'\n");
    commit_all(dir.path(), "side");
    git_in(dir.path(), &["checkout", "-q", "main"]);
    write(dir.path(), "settings.py", "KEY = 'main'\n");
    commit_all(dir.path(), "main");
    let merge = Command::new("git")
        .args([
            "-c",
            "user.name=Ann Dev",
            "-c",
            "user.email=ann@example.com",
        ])
        .args(["merge", "-q", "side", "-m", "merge"])
        .current_dir(dir.path())
        .output()
        .expect("git merge runs");
    assert!(!merge.status.success(), "the merge conflicts");
    write(
        dir.path(),
        "settings.py",
        format!("KEY = '{RESTRICTED_KEY}'\n"),
    );
    let resolution = commit_all(dir.path(), "merge side");

    let (rows, v) = history_rows(dir.path(), &[]);
    let found = live(&rows);
    for (path, commit) in [
        ("feature.js", &on_branch),
        ("release.cfg", &tagged),
        ("libs/pay.jar", &artifacts),
        ("bin/tool", &artifacts),
        ("settings.py", &resolution),
    ] {
        assert!(
            found.iter().any(|(p, c, _)| p == path && c == commit),
            "{path} at {commit}: {found:?}"
        );
    }
    let findings = v["findings"].as_array().expect("findings");
    // The zip member's chain and the message are named.
    assert!(
        findings
            .iter()
            .any(|f| f["path"]
                == format!("{}:libs/pay.jar!config/stripe.properties", &artifacts[..7])),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["commit"]["message"] == true && f["commit"]["commit"] == message.as_str()),
        "{findings:?}"
    );
    // Fingerprints are the tree's: the merge's key, still in HEAD, has the same fingerprint in
    // a tree scan.
    let (tree, _) = json_scan(dir.path(), &[]);
    let tree_fp: Vec<&str> = tree["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["path"] == "settings.py")
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    let history_fp: Vec<&str> = findings
        .iter()
        .filter(|f| f["commit"]["path"] == "settings.py")
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    assert_eq!(tree_fp, history_fp);
}

#[test]
fn dangling_commits_only_with_all_objects() {
    let dir = repo();
    write(dir.path(), "secret.txt", format!("{LIVE_KEY}\n"));
    let lost = commit_all(dir.path(), "oops");
    // Rewrite it away: the commit is dangling (no ref, no reflog).
    git_in(dir.path(), &["reset", "-q", "--hard", "HEAD~1"]);
    git_in(dir.path(), &["reflog", "expire", "--expire=now", "--all"]);
    let (rows, _) = history_rows(dir.path(), &[]);
    assert!(live(&rows).is_empty(), "{rows:?}");
    let (rows, v) = history_rows(dir.path(), &["--all-objects"]);
    assert_eq!(live(&rows), vec![("secret.txt".to_string(), lost, false)]);
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule_id"] == "stripe.secret-key.live"))
        .expect("the key");
    assert_eq!(f["commit"]["unreachable"], true);
    assert!(f["commit"]["blob"].is_string());
}

#[test]
fn range_gate_reports_the_range_only() {
    let dir = repo();
    write(dir.path(), "old.env", format!("K={LIVE_KEY}\n"));
    let base = commit_all(dir.path(), "old secret");
    // The range edits the file that already held a key, and adds a new one elsewhere.
    write(dir.path(), "old.env", format!("K={LIVE_KEY}\nDEBUG=1\n"));
    commit_all(dir.path(), "edit");
    write(
        dir.path(),
        "new.js",
        format!("const r = '{RESTRICTED_KEY}';\n"),
    );
    let new = commit_all(dir.path(), "new secret");
    let range = format!("{base}..HEAD");
    let (rows, _) = history_rows(dir.path(), &[&range]);
    assert_eq!(live(&rows), vec![("new.js".to_string(), new, true)]);
    // Nothing new: exit 0.
    let out = run(
        dir.path(),
        &["scan", "--history", &format!("{base}..{base}")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A revision that does not exist is an error.
    let out = run(dir.path(), &["scan", "--history", "nope..HEAD"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn shallow_clone_without_the_base_is_an_error() {
    let origin = repo();
    for i in 0..5 {
        write(origin.path(), &format!("f{i}.txt"), format!("{i}\n"));
        commit_all(origin.path(), &format!("c{i}"));
    }
    let base = git_in(origin.path(), &["rev-parse", "HEAD~4"]);
    let parent = tempdir();
    let url = format!("file://{}", origin.path().display());
    git_in(
        parent.path(),
        &["clone", "-q", "--depth", "2", &url, "shallow"],
    );
    let clone = parent.path().join("shallow");
    // The base is not in the clone at all.
    let out = run(&clone, &["scan", "--history", &format!("{base}..HEAD")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
    // git's own hints about grafts do not bury sealant's advice.
    assert!(!stderr(&out).contains("hint:"), "{}", stderr(&out));
    let out = run(&clone, &["scan", "--history", "HEAD~5..HEAD"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
    // Present in the clone, but beyond the boundary: a range to the root runs into it.
    let out = run(
        &clone,
        &[
            "scan",
            "--history",
            "--",
            "HEAD",
            "--not",
            "--remotes=nothing",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
    // Without a base the history there is is scanned, with a warning.
    let out = run(&clone, &["scan", "--history"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("shallow clone"), "{}", stderr(&out));
}

#[test]
fn baseline_from_history_suppresses_history_tree_and_staged() {
    let dir = repo();
    write(dir.path(), "legacy.py", format!("K = '{LIVE_KEY}'\n"));
    commit_all(dir.path(), "legacy");
    write(
        dir.path(),
        "legacy.py",
        format!("K = '{LIVE_KEY}'\n# touched\n"),
    );
    commit_all(dir.path(), "touch");
    let out = run(
        dir.path(),
        &[
            "scan",
            "--history",
            "--write-baseline",
            ".sealant-baseline.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // One entry for the secret, however many commits carry it.
    let text = std::fs::read_to_string(dir.path().join(".sealant-baseline.json")).expect("b");
    let b: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(b["findings"].as_array().map(Vec::len), Some(1), "{text}");
    assert_eq!(code(&run(dir.path(), &["scan", "--history"])), 0);
    assert_eq!(code(&run(dir.path(), &["scan"])), 0);
    write(
        dir.path(),
        "legacy.py",
        format!("K = '{LIVE_KEY}'\n# touched again\n"),
    );
    git_in(dir.path(), &["add", "legacy.py"]);
    assert_eq!(code(&run(dir.path(), &["scan", "--staged"])), 0);
}

#[test]
fn missing_objects_are_warnings_and_the_scan_goes_on() {
    let dir = repo();
    write(dir.path(), "a.txt", "not a secret\n");
    write(dir.path(), "b.env", format!("K={LIVE_KEY}\n"));
    commit_all(dir.path(), "two files");
    // Delete a.txt's loose object: the repository is damaged.
    let blob = git_in(dir.path(), &["rev-parse", "HEAD:a.txt"]);
    let object = dir
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).expect("remove the object");
    let (v, out) = json_scan(dir.path(), &["--history"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    warned_and_went_on(&v, &[&blob]);
}

#[test]
fn pre_push_hook_blocks_a_real_push() {
    let remote = tempdir();
    git_in(remote.path(), &["init", "-q", "--bare"]);
    let dir = repo();
    let url = format!("file://{}", remote.path().display());
    git_in(dir.path(), &["remote", "add", "origin", &url]);
    git_in(dir.path(), &["push", "-q", "origin", "main"]);
    let out = run(dir.path(), &["install-hook", "--pre-push"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A clean commit pushes.
    write(dir.path(), "ok.txt", "fine\n");
    commit_all(dir.path(), "fine");
    git_in(dir.path(), &["push", "-q", "origin", "main"]);
    // A key added and removed again in the pushed commits is blocked.
    write(dir.path(), "pay.js", format!("const k = '{LIVE_KEY}';\n"));
    commit_all(dir.path(), "leak");
    std::fs::remove_file(dir.path().join("pay.js")).expect("rm");
    commit_all(dir.path(), "unleak");
    let push = Command::new("git")
        .args(["push", "origin", "main"])
        .current_dir(dir.path())
        .output()
        .expect("git push runs");
    assert!(!push.status.success(), "the push went through");
    let said = format!("{}{}", stdout(&push), stderr(&push));
    assert!(said.contains("1 finding: 1 critical"), "{said}");
    assert!(
        said.contains("push blocked") && said.contains("git push --no-verify"),
        "{said}"
    );
    // The same range scanned in CI (or by hand) fails, and advises nothing about pushing.
    let range = run_env(
        dir.path(),
        &["scan", "--history", "origin/main..main"],
        &[("CI", "true")],
    );
    assert_eq!(code(&range), 1, "{}", stderr(&range));
    let said = stderr(&range);
    assert!(
        said.contains("the commits scanned hold the secrets above"),
        "{said}"
    );
    assert!(
        !said.contains("--no-verify") && !said.contains("push blocked"),
        "{said}"
    );
    // A new branch: only commits the remote does not have are scanned (and they are clean).
    git_in(
        dir.path(),
        &["checkout", "-q", "-b", "clean", "origin/main"],
    );
    write(dir.path(), "more.txt", "more\n");
    commit_all(dir.path(), "more");
    git_in(dir.path(), &["push", "-q", "origin", "clean"]);
    // And bypassing is deliberate.
    git_in(dir.path(), &["checkout", "-q", "main"]);
    git_in(dir.path(), &["push", "-q", "--no-verify", "origin", "main"]);
}

/// A pack damaged in the middle of one blob: that blob is a warning naming it, and every
/// other blob is still scanned.
#[test]
fn corrupt_pack_is_a_warning_and_the_scan_goes_on() {
    let dir = repo();
    // Text that zlib cannot shrink much, so that the damage lands inside its data.
    let mut noise = String::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        noise.push((b'a' + (x >> 16) as u8 % 26) as char);
    }
    write(dir.path(), "big.txt", &noise);
    write(dir.path(), "b.env", format!("K={LIVE_KEY}\n"));
    commit_all(dir.path(), "two files");
    git_in(dir.path(), &["gc", "-q"]);
    let blob = git_in(dir.path(), &["rev-parse", "HEAD:big.txt"]);
    let packs = std::fs::read_dir(dir.path().join(".git/objects/pack")).expect("packs");
    let pack = packs
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .expect("a pack");
    let idx = pack.with_extension("idx");
    let listing = git_in(
        dir.path(),
        &["verify-pack", "-v", idx.to_str().expect("utf-8")],
    );
    let offset: usize = listing
        .lines()
        .find(|l| l.starts_with(&blob))
        .and_then(|l| l.split_whitespace().nth(4))
        .and_then(|o| o.parse().ok())
        .expect("the blob's offset in the pack");
    let mut bytes = std::fs::read(&pack).expect("read pack");
    for b in &mut bytes[offset + 64..offset + 4096] {
        *b ^= 0x5a;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pack, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::write(&pack, bytes).expect("write pack");
    let (v, out) = json_scan(dir.path(), &["--history"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    warned_and_went_on(&v, &[&blob, "corrupt"]);
}

/// A submodule entry is a warning (its content is another repository's); a replaced object
/// does not hide the original; a 100 MB blob is streamed, its key found at the end.
#[test]
fn submodules_replacements_and_large_blobs() {
    let dir = repo();
    write(dir.path(), "config.py", format!("KEY = '{LIVE_KEY}'\n"));
    let mut big = vec![b'x'; 100 * 1024 * 1024];
    big.extend_from_slice(format!("\nR={RESTRICTED_KEY}\n").as_bytes());
    write(dir.path(), "dump.sql", &big);
    drop(big);
    git_in(dir.path(), &["add", "-A"]);
    // A gitlink, as `git submodule add` records it.
    let fake = "1234567890123456789012345678901234567890";
    git_in(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{fake},vendor/lib"),
        ],
    );
    git_in(dir.path(), &["commit", "-qm", "leak"]);
    let leaked = git_in(dir.path(), &["rev-parse", "HEAD"]);
    // Replace the leaking blob with a clean one: git shows the replacement...
    let original = git_in(dir.path(), &["rev-parse", "HEAD:config.py"]);
    write(dir.path(), "clean.py", "KEY = None\n");
    let clean = git_in(dir.path(), &["hash-object", "-w", "clean.py"]);
    std::fs::remove_file(dir.path().join("clean.py")).expect("rm");
    git_in(dir.path(), &["replace", &original, &clean]);
    assert!(git_in(dir.path(), &["show", "HEAD:config.py"]).contains("None"));
    // ...sealant reads the real object.
    let (rows, v) = history_rows(dir.path(), &[]);
    let found = live(&rows);
    assert!(
        found.contains(&("config.py".to_string(), leaked.clone(), true)),
        "{found:?}"
    );
    assert!(
        found.contains(&("dump.sql".to_string(), leaked, true)),
        "{found:?}"
    );
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["path"] == "vendor/lib"
            && w["message"]
                .as_str()
                .is_some_and(|m| m.contains("submodule"))),
        "{warnings:?}"
    );
}

/// Blobs copied out by the readers in batches (a batch overflowing its byte budget, a blob
/// just under and one over the size streamed instead of copied) are all scanned, whatever the
/// number of threads and readers.
#[test]
fn every_blob_is_scanned_at_any_thread_count() {
    let dir = repo();
    for i in 0..60 {
        write(
            dir.path(),
            &format!("conf/c{i}.py"),
            format!("# {i}\nKEY = '{LIVE_KEY}'\n"),
        );
    }
    for (name, size) in [
        ("a.sql", 600 << 10),
        ("b.sql", (4 << 20) - 64),
        ("c.sql", (4 << 20) + 64),
    ] {
        let mut data = vec![b'x'; size];
        data.extend_from_slice(format!("\nR={RESTRICTED_KEY}\n").as_bytes());
        write(dir.path(), name, &data);
    }
    let leaked = commit_all(dir.path(), "leak");
    let mut seen = Vec::new();
    for threads in ["1", "2", "6"] {
        let (rows, _) = history_rows(dir.path(), &["-j", threads]);
        let mut paths: Vec<String> = rows
            .iter()
            .filter(|r| r.2 == leaked)
            .map(|r| r.1.clone())
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 63, "-j {threads}: {paths:?}");
        seen.push(paths);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

/// A whole history is read in the object store's order: the same findings, with the same
/// commits, whether the blobs are loose, packed by `git gc` (each version a delta of the next,
/// its base right before it) or repacked from scratch with long delta chains.
#[test]
fn packed_and_loose_histories_give_the_same_findings() {
    let dir = repo();
    let mut text = String::from("# settings\n");
    let mut leaked = String::new();
    for i in 0..40 {
        text.push_str(&format!("option_{i} = {}\n", i * 7));
        if i == 3 {
            text.push_str(&format!("STRIPE = '{LIVE_KEY}'\n"));
        }
        if i == 9 {
            text = text.replace(LIVE_KEY, "from-the-environment");
        }
        write(dir.path(), "settings.py", &text);
        write(dir.path(), &format!("notes/n{}.txt", i % 5), text.repeat(3));
        let id = commit_all(dir.path(), &format!("step {i}"));
        if i == 3 {
            leaked = id;
        }
    }
    let rows = |label: &str| {
        let (mut rows, _) = history_rows(dir.path(), &[]);
        rows.sort();
        let live = live(&rows);
        assert!(
            live.iter()
                .any(|(path, commit, _)| path == "settings.py" && *commit == leaked),
            "{label}: {live:?}"
        );
        rows
    };
    let loose = rows("loose");
    git_in(dir.path(), &["gc", "-q"]);
    assert_eq!(rows("after git gc"), loose);
    git_in(
        dir.path(),
        &["repack", "-adfq", "--window=250", "--depth=250"],
    );
    assert_eq!(rows("after git repack -adf"), loose);
}

/// A repository with SHA-256 object ids (64 hex digits), packed: the store's order and the
/// walk read it as they read SHA-1 ids, and the key keeps its commit.
#[test]
fn sha256_repositories_are_read_with_their_commits() {
    let dir = tempdir();
    git_in(dir.path(), &["init", "-q", "--object-format=sha256"]);
    write(dir.path(), "README.md", "hello\n");
    commit_all(dir.path(), "start");
    write(dir.path(), "app.env", format!("STRIPE={LIVE_KEY}\n"));
    let leaked = commit_all(dir.path(), "leak");
    write(dir.path(), "app.env", "STRIPE=from-the-environment\n");
    commit_all(dir.path(), "fix");
    git_in(dir.path(), &["gc", "-q"]);
    assert_eq!(leaked.len(), 64);
    let (rows, _) = history_rows(dir.path(), &[]);
    assert_eq!(live(&rows), vec![("app.env".to_string(), leaked, false)]);
}
