//! Helpers shared by the integration tests: run the real `sealant` binary, build trees.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod server;

/// A live secret key used throughout the tests (random, not a real key).
pub const LIVE_KEY: &str = "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";
pub const RESTRICTED_KEY: &str = "rk_live_512qHx6kwXoIIXGvOoNZYW2mZp0zVZom";
pub const PUBLISHABLE_KEY: &str = "pk_live_51V7iB3m03nbqnsGpWLuqIA1id6Vw5DQL0";
pub const TEST_KEY: &str = "sk_test_51UxbvJDCTbyvHNsG9eh6Yo4gf";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sealant")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs sealant in `dir` with `args`; standard input is empty.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    run_with_stdin(dir, args, b"")
}

/// Runs sealant with extra environment variables.
#[allow(dead_code)]
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.envs(env.iter().copied());
    run_command(cmd, dir, args, b"")
}

pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    run_command(Command::new(bin()), dir, args, stdin)
}

fn run_command(mut cmd: Command, dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sealant starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    // The scan may not read stdin at all; a closed pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("sealant finishes")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// Runs a JSON scan and returns the parsed report.
pub fn json_scan(dir: &Path, args: &[&str]) -> (serde_json::Value, Output) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report parses ({e}); stderr: {}", stderr(&out)));
    (v, out)
}

/// (rule_id, path) of each finding in a JSON report, in report order.
pub fn rule_paths(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Writes `contents` to `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, contents).expect("write fixture");
    p
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Runs sealant like [`run`], but fails the test if it has not finished within `secs` seconds
/// (for inputs that could make a careless scanner block forever).
pub fn run_within(dir: &Path, args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sealant starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("sealant {args:?} did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `git` in `dir`, panicking on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(st.success(), "git {args:?} failed");
}

/// Copies the directory tree `src` into `dst` (files and directories only).
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy fixture");
        }
    }
}

/// A copy of `fixtures/<name>` in a fresh temporary directory (outside this git repository,
/// so that "committed to git" rules see an untracked tree).
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempdir();
    copy_tree(&repo_root().join("fixtures").join(name), dir.path());
    dir
}

/// (severity, rule_id, path, exposure) of each finding, in report order.
pub fn summary_rows(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            format!(
                "{} {} {}:{} {}",
                s("severity"),
                s("rule_id"),
                s("path"),
                f["line"],
                s("exposure")
            )
        })
        .collect()
}

/// Builds a zip in memory: (name, content, compressed?) for each member.
pub fn zip_bytes(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, deflate) in members {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, opts).expect("start member");
        w.write_all(content).expect("write member");
    }
    w.finish().expect("finish zip").into_inner()
}

/// Builds a tar in memory: regular files, plus symlinks given as (name, target).
pub fn tar_bytes(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *content).expect("tar member");
    }
    for (name, target) in links {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, name, target).expect("tar link");
    }
    b.into_inner().expect("finish tar")
}

/// Gzips bytes.
pub fn gz_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// A tool a test needs: under CI (`CI` set) a missing one fails the test and says how
/// `.ci/run` installs it; elsewhere the test is skipped with a note.
pub fn tool(path: Option<PathBuf>, name: &str, installs: &str) -> Option<PathBuf> {
    if let Some(p) = path {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{name} is missing: {installs}"
    );
    eprintln!("{name} is not installed ({installs}); skipping");
    None
}

/// Where `name` is on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(stdout(&out).trim()))
}

/// The fields `keys` of each finding of a JSON report, as text (numbers printed), in report
/// order.
pub fn finding_fields(report: &serde_json::Value, keys: &[&str]) -> Vec<Vec<String>> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            keys.iter()
                .map(|k| match &f[*k] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Runs a Python script (`python3 -c SCRIPT ARGS…`) in `dir`, with `pythonpath` (tools
/// `.ci/run` installs under `target/py-tools`) when given; fails the test with Python's error
/// output when the script fails.
#[allow(dead_code)]
pub fn python(dir: &Path, pythonpath: Option<&Path>, script: &str, args: &[&str]) {
    let mut cmd = Command::new("python3");
    if let Some(p) = pythonpath {
        cmd.env("PYTHONPATH", p);
    }
    let out = cmd
        .args(["-c", script])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A live Stripe secret key no other test uses (random per call, and distinct per `n` within
/// one moment).
#[allow(dead_code)]
pub fn live_key(n: u64) -> String {
    format!(
        "sk_live_51{}",
        random_of(
            n,
            97,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        )
    )
}

/// `len` random lower-case hex digits, fresh each run (`n` keeps calls within one moment
/// apart), each digit equally likely, as a generated key's are.
pub fn random_hex(n: u64, len: usize) -> String {
    random_of(n, len, b"0123456789abcdef")
}

/// `len` characters drawn uniformly from `alphabet` (xorshift, seeded by the clock and `n`).
fn random_of(n: u64, len: usize, alphabet: &[u8]) -> String {
    let mut s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64)
        ^ (n.wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            char::from(alphabet[(s % alphabet.len() as u64) as usize])
        })
        .collect()
}
