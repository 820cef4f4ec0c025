//! The pre-commit path end to end, in real git repositories: `--staged` reads the index (so a
//! partial `git add -p` is respected), worktrees and submodules work, nothing staged and no
//! repository are told apart, and `install-hook` blocks a commit that carries a secret.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Stdio};

fn git_out(dir: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("git finishes")
}

fn git_ok(dir: &Path, args: &[&str]) {
    let out = git_out(dir, args, b"");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn repo() -> tempfile::TempDir {
    let dir = tempdir();
    git_ok(dir.path(), &["init", "-q"]);
    write(dir.path(), "README.md", "# app\n");
    git_ok(dir.path(), &["add", "README.md"]);
    git_ok(dir.path(), &["commit", "-qm", "init"]);
    dir
}

#[test]
fn staged_content_is_scanned_not_the_working_tree() {
    let dir = repo();
    write(
        dir.path(),
        "src/pay.js",
        format!("const k = '{LIVE_KEY}';\n"),
    );
    git_ok(dir.path(), &["add", "src/pay.js"]);
    // The working tree no longer has the key, but the index does: the commit would carry it.
    write(dir.path(), "src/pay.js", "const k = process.env.KEY;\n");
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "src/pay.js".to_string()
        )]
    );
    // And the other way round: a key only in the working tree is not committed.
    git_ok(dir.path(), &["add", "src/pay.js"]);
    write(
        dir.path(),
        "src/pay.js",
        format!("const k = '{LIVE_KEY}';\n"),
    );
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 0);
    assert!(rule_paths(&v).is_empty());
}

#[test]
fn partial_staging_with_add_p_is_respected() {
    let dir = repo();
    let base: String = (0..30).map(|i| format!("line {i}\n")).collect();
    write(dir.path(), "app.cfg", &base);
    git_ok(dir.path(), &["add", "app.cfg"]);
    git_ok(dir.path(), &["commit", "-qm", "cfg"]);
    // Two hunks far apart: a harmless change at the top, a key at the bottom.
    let edited = base
        .replace("line 1\n", "line 1 edited\n")
        .replace("line 28\n", &format!("line 28\nkey={RESTRICTED_KEY}\n"));
    write(dir.path(), "app.cfg", &edited);
    // Stage the first hunk only, answering git add -p's questions.
    let out = git_out(dir.path(), &["add", "-p", "app.cfg"], b"y\nn\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 0, "only the harmless hunk is staged: {v}");
    // Now stage the rest.
    git_ok(dir.path(), &["add", "app.cfg"]);
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 1);
    assert_eq!(v["findings"][0]["line"], 30);
}

#[test]
fn findings_on_unchanged_lines_of_a_staged_file_still_count() {
    let dir = repo();
    write(dir.path(), "app/.env", format!("K={LIVE_KEY}\nA=1\n"));
    git_ok(dir.path(), &["add", "app/.env"]);
    git_ok(dir.path(), &["commit", "-qm", "leak", "--no-verify"]);
    write(dir.path(), "app/.env", format!("K={LIVE_KEY}\nA=2\n"));
    git_ok(dir.path(), &["add", "app/.env"]);
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 1);
    let ids: Vec<String> = rule_paths(&v).into_iter().map(|r| r.0).collect();
    // The staged .env is a committed env file too.
    assert_eq!(ids, vec!["env-file.committed", "stripe.secret-key.live"]);
}

#[test]
fn nothing_staged_and_no_repository_are_said_clearly() {
    let dir = repo();
    let out = run(dir.path(), &["scan", "--staged"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("nothing is staged"),
        "{}",
        stderr(&out)
    );
    let plain = tempdir();
    let out = run(plain.path(), &["scan", "--staged"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not inside a git work tree"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn worktrees_and_submodules() {
    let dir = repo();
    let wt = tempdir();
    let wt_path = wt.path().join("wt");
    git_ok(
        dir.path(),
        &[
            "worktree",
            "add",
            "-q",
            wt_path.to_str().expect("utf-8 path"),
        ],
    );
    write(
        &wt_path,
        "deploy.sh",
        format!("export STRIPE_KEY={LIVE_KEY}\n"),
    );
    git_ok(&wt_path, &["add", "deploy.sh"]);
    let (v, out) = json_scan(&wt_path, &["--staged"]);
    assert_eq!(code(&out), 1);
    assert_eq!(rule_paths(&v)[0].1, "deploy.sh");

    let sub = repo();
    git_ok(
        dir.path(),
        &[
            "submodule",
            "add",
            "-q",
            sub.path().to_str().expect("utf-8 path"),
            "vendor/sub",
        ],
    );
    let sub_dir = dir.path().join("vendor/sub");
    write(&sub_dir, "keys.txt", format!("{RESTRICTED_KEY}\n"));
    git_ok(&sub_dir, &["add", "keys.txt"]);
    let (v, out) = json_scan(&sub_dir, &["--staged"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(rule_paths(&v)[0].1, "keys.txt");
    // From the superproject, the staged submodule pointer is not a file: a warning, no crash.
    let out = run(dir.path(), &["scan", "--staged"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn install_hook_blocks_a_leaking_commit() {
    let dir = repo();
    let out = run(dir.path(), &["install-hook"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let hook = dir.path().join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).expect("hook written");
    assert!(
        script.contains("scan --staged") && script.contains("--no-verify"),
        "{script}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).expect("hook").permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "hook is executable");
    }
    write(
        dir.path(),
        "config.js",
        format!("module.exports = {{ key: '{LIVE_KEY}' }};\n"),
    );
    git_ok(dir.path(), &["add", "config.js"]);
    let blocked = git_out(dir.path(), &["commit", "-qm", "leak"], b"");
    assert!(!blocked.status.success(), "the hook must block the commit");
    // git shows a hook's output on its stderr.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&blocked.stdout),
        String::from_utf8_lossy(&blocked.stderr)
    );
    assert!(said.contains("stripe.secret-key.live"), "{said}");
    assert!(
        said.contains("commit blocked") && said.contains("git commit --no-verify"),
        "{said}"
    );
    // Redacted even here.
    assert!(!said.contains(LIVE_KEY));
    // The same staged content scanned by hand (no commit being made): the advice is about
    // what to do before committing, not about a blocked commit.
    let by_hand = run(dir.path(), &["scan", "--staged"]);
    assert_eq!(code(&by_hand), 1);
    let said = stderr(&by_hand);
    assert!(
        said.contains("the staged content holds the secrets above"),
        "{said}"
    );
    assert!(
        !said.contains("commit blocked") && !said.contains("--no-verify"),
        "{said}"
    );
    let bypass = git_out(dir.path(), &["commit", "-qm", "leak", "--no-verify"], b"");
    assert!(bypass.status.success(), "--no-verify bypasses deliberately");
    // An existing hook is not replaced without --force.
    let again = run(dir.path(), &["install-hook"]);
    assert_eq!(code(&again), 2);
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(code(&run(dir.path(), &["install-hook", "--force"])), 0);
}

#[test]
fn pre_commit_framework_manifest() {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml"))
        .expect("manifest at the repo root");
    assert!(text.contains("- id: sealant"), "{text}");
    assert!(text.contains("entry: sealant scan --staged"), "{text}");
    // pre-commit passes the files: the staged ones on a commit, every tracked one under
    // `pre-commit run --all-files`.
    assert!(text.contains("pass_filenames: true"), "{text}");
}

/// What the pre-commit framework runs under `--all-files`: the hook's entry with every tracked
/// file. A live key committed long ago (nothing staged now) must fail the hook.
#[test]
fn pre_commit_all_files_scans_the_files_it_is_given() {
    let dir = repo();
    write(
        dir.path(),
        "config/settings.py",
        format!("KEY = '{LIVE_KEY}'\n"),
    );
    write(dir.path(), "README.md", b"hello\n");
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-qm", "old"]);
    // Nothing staged: the plain hook passes, as it should on a commit that adds nothing.
    assert_eq!(code(&run(dir.path(), &["scan", "--staged"])), 0);
    let listed = git_out(dir.path(), &["ls-files"], b"");
    let files = String::from_utf8_lossy(&listed.stdout).into_owned();
    let mut args = vec!["scan", "--staged", "--format", "json"];
    args.extend(files.lines());
    let out = run(dir.path(), &args);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "config/settings.py".to_string()
        )]
    );
    // From a subdirectory, paths are relative to it, as pre-commit would not pass them but a
    // user might.
    let out = run(
        &dir.path().join("config"),
        &["scan", "--staged", "settings.py"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // It says what to do — what applies to `pre-commit run --all-files`, where no commit is
    // being made (no "commit blocked", no `--no-verify`).
    let said = stderr(&out);
    assert!(said.contains("sealant:allow"), "{said}");
    assert!(
        !said.contains("commit blocked") && !said.contains("--no-verify"),
        "{said}"
    );
    // Run by git for a commit being made (git sets GIT_INDEX_FILE for the hook), it is a
    // blocked commit.
    let index = dir.path().join(".git/index");
    let hooked = run_env(
        &dir.path().join("config"),
        &["scan", "--staged", "settings.py"],
        &[("GIT_INDEX_FILE", index.to_str().expect("utf-8 path"))],
    );
    assert_eq!(code(&hooked), 1, "{}", stderr(&hooked));
    let said = stderr(&hooked);
    assert!(
        said.contains("commit blocked") && said.contains("git commit --no-verify"),
        "{said}"
    );
}

#[test]
fn staged_archives_are_opened() {
    let dir = repo();
    let jar = zip_bytes(&[(
        "config/app.properties",
        format!("stripe={LIVE_KEY}\n").as_bytes(),
        true,
    )]);
    write(dir.path(), "libs/payments.jar", &jar);
    git_ok(dir.path(), &["add", "libs/payments.jar"]);
    let (v, out) = json_scan(dir.path(), &["--staged"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        rule_paths(&v),
        vec![(
            "stripe.secret-key.live".to_string(),
            "libs/payments.jar!config/app.properties".to_string()
        )]
    );
}

/// README's `.pre-commit-config.yaml`, run as written by the real pre-commit: `pre-commit run
/// --all-files` fails on a key committed long ago, and after `pre-commit install` a commit
/// adding a key is blocked while a clean one goes through.
#[test]
#[cfg_attr(
    missing_py_pre_commit,
    ignore = "needs pre-commit: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn readme_pre_commit_config_works_with_pre_commit() {
    let Some(tools) = tool(
        {
            let p = repo_root().join("target/py-tools");
            p.join("pre_commit").is_dir().then_some(p)
        },
        "pre-commit",
        ".ci/run installs it: pip install --target target/py-tools pre-commit",
    ) else {
        return;
    };
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let config = readme
        .split("```yaml\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.starts_with("# .pre-commit-config.yaml"))
        .expect("README.md has a .pre-commit-config.yaml block");
    let dir = repo();
    write(dir.path(), ".pre-commit-config.yaml", config);
    write(dir.path(), "old.py", format!("KEY = '{LIVE_KEY}'\n"));
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-qm", "old", "--no-verify"]);
    let bin_dir = Path::new(bin()).parent().expect("bin dir").to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.path().join(".pre-commit-home");
    // pre-commit, and git running pre-commit's hook, see the same tools and a private home.
    let command = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .current_dir(dir.path())
            .env("PYTHONPATH", &tools)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &home)
            .env("HOME", dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output();
        out.unwrap_or_else(|e| panic!("{program} runs: {e}"))
    };
    let pre_commit = |args: &[&str]| command("python3", &[&["-m", "pre_commit"], args].concat());
    let all = pre_commit(&["run", "--all-files"]);
    let said = format!("{}{}", stdout(&all), stderr(&all));
    assert!(!all.status.success(), "{said}");
    assert!(
        said.contains("stripe.secret-key.live") && said.contains("old.py"),
        "{said}"
    );
    assert!(!said.contains(LIVE_KEY), "{said}");
    let installed = pre_commit(&["install"]);
    assert!(installed.status.success(), "{}", stderr(&installed));
    let commit = |name: &str, text: String| {
        write(dir.path(), name, text);
        git_ok(dir.path(), &["add", name]);
        let who = ["-c", "user.name=t", "-c", "user.email=t@t"];
        command("git", &[&who[..], &["commit", "-qm", name]].concat())
    };
    let blocked = commit("pay.js", format!("const k = '{RESTRICTED_KEY}';\n"));
    let said = format!("{}{}", stdout(&blocked), stderr(&blocked));
    assert!(!blocked.status.success(), "the commit went through: {said}");
    assert!(said.contains("commit blocked"), "{said}");
    git_ok(dir.path(), &["rm", "-q", "--cached", "pay.js"]);
    let clean = commit("ok.txt", "fine\n".to_string());
    assert!(
        clean.status.success(),
        "{}{}",
        stdout(&clean),
        stderr(&clean)
    );
}
