//! What a command sets up before it runs: the project config, the rules in force (the
//! engine), the allow markers, the baseline and `.gitleaksignore`, `--fail-on`, the archive
//! limits, and the identity that tells whether two sharded scans are parts of one.

use std::path::{Path, PathBuf};

use crate::cli::args::{FailOn, ScanArgs, parse_fail_on};
use crate::cli::config::{LimitsConfig, ProjectConfig};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::policy::baseline::Baseline;
use crate::policy::gitleaks::GitleaksIgnore;
use crate::policy::inline::AllowMarkers;
use crate::rules::RuleSet;
use crate::source::archive::limits::{Limits, MAX_DEPTH_CEILING};

/// The rules in force: built-ins, `--rules` files, the config's rules, and what the config
/// and flags enable or disable.
pub fn build_engine(
    project: &mut ProjectConfig,
    rule_files: &[PathBuf],
    enable: &[String],
    disable: &[String],
) -> Result<Engine> {
    let mut rules = RuleSet::load(rule_files)?;
    if !project.rules.is_empty() || !project.file_rules.is_empty() {
        let name = project.name();
        let specs = std::mem::take(&mut project.rules);
        let file_specs = std::mem::take(&mut project.file_rules);
        rules = rules.with_specs(specs, file_specs, &name)?;
    }
    let enable: Vec<String> = project.enable.iter().chain(enable).cloned().collect();
    let disable: Vec<String> = project.disable.iter().chain(disable).cloned().collect();
    Engine::new(rules.select(&enable, &disable)?)
}

/// The comment markers that accept a finding on their line: the config's `allow-markers`,
/// else the defaults.
pub fn allow_markers(project: &ProjectConfig) -> Result<AllowMarkers> {
    match &project.allow_markers {
        Some(markers) => AllowMarkers::new(markers, &project.name()),
        None => Ok(AllowMarkers::default()),
    }
}

/// `--fail-on`, else the config's `fail-on`, else `low`.
pub fn fail_on(flag: Option<FailOn>, project: &ProjectConfig) -> Result<FailOn> {
    Ok(match (flag, &project.fail_on) {
        (Some(f), _) => f,
        (None, Some(f)) => {
            parse_fail_on(f).map_err(|e| Error::new(format!("{}: fail-on: {e}", project.name())))?
        }
        (None, None) => FailOn(Some(Severity::Low)),
    })
}

/// What makes two scans the same scan, whose parts `sealant merge` may combine: the rules in
/// force, the config's decisions, the limits, the walk options, and what was scanned (roots as
/// typed, `--staged`, history revisions) — not the shard, the format or `--fail-on`.
pub fn identity(
    args: &ScanArgs,
    project: &ProjectConfig,
    engine: &Engine,
    limits: &Limits,
) -> String {
    use sha2::{Digest, Sha256};
    // Roots by their canonical path, so that `app`, `./app` and `/abs/app` are one scan.
    let roots: Vec<String> = if args.history || args.staged {
        args.paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    } else {
        args.paths
            .iter()
            .map(|p| {
                if p.as_path() == Path::new("-") {
                    "-".to_string()
                } else {
                    // In a work tree, relative to its top (the same on every runner's
                    // checkout); elsewhere the real directory.
                    let root = crate::source::root::Root::resolve(p, None, false);
                    if root.in_repo {
                        root.prefix
                    } else {
                        format!("{}//{}", root.base.display(), root.prefix)
                    }
                }
            })
            .collect()
    };
    let mut h = Sha256::new();
    for r in engine.rules() {
        h.update(format!("{}\0{}\0{:?}\0", r.id, r.pattern, r.severity).as_bytes());
    }
    for r in engine.file_rules() {
        h.update(format!("{}\0{:?}\0", r.id, r.severity).as_bytes());
    }
    h.update(
        format!(
            "{:?}\0{:?}\0{:?}\0{:?}\0{:?}\0{limits:?}\0{:?}\0{}{}{}{}{}{}{}\0{:?}",
            project.allow_markers,
            project.skip_paths,
            project.allowlist.values,
            project.allowlist.regexes,
            roots,
            args.globs,
            args.no_ignore_vcs,
            args.no_hidden,
            args.no_ignore,
            args.follow,
            args.staged,
            args.history,
            args.all_objects,
            crate::VERSION,
        )
        .as_bytes(),
    );
    crate::finding::hex(&h.finalize()[..16])
}

/// Archive limits: defaults, then the config's `[limits]`, then flags.
pub fn limits(args: &ScanArgs, project: &ProjectConfig) -> Limits {
    let flags = LimitsConfig {
        max_archive_depth: args.max_archive_depth,
        max_entry_bytes: args.max_entry_bytes,
        max_archive_bytes: args.max_archive_bytes,
        max_inflate_ratio: args.max_inflate_ratio,
        max_archive_entries: args.max_archive_entries,
        max_filesize: args.max_filesize,
        max_decode_depth: args.max_decode_depth,
    };
    with_config(with_config(Limits::default(), &project.limits), &flags)
}

/// `limits` overridden by what `c` sets (the project config's `[limits]`, or flags).
fn with_config(mut limits: Limits, c: &LimitsConfig) -> Limits {
    if let Some(v) = c.max_archive_depth {
        limits.max_depth = v.min(MAX_DEPTH_CEILING);
    }
    if let Some(v) = c.max_entry_bytes {
        limits.max_entry_bytes = v;
    }
    if let Some(v) = c.max_archive_bytes {
        limits.max_archive_bytes = v;
    }
    if let Some(v) = c.max_inflate_ratio {
        limits.max_inflate_ratio = v;
    }
    if let Some(v) = c.max_archive_entries {
        limits.max_entries = v;
    }
    if let Some(v) = c.max_filesize {
        limits.max_file_bytes = v;
    }
    if let Some(v) = c.max_decode_depth {
        limits.max_decode_depth = v.min(16) as usize;
    }
    limits
}

/// The directory of the first scan root (the current directory for `--staged`, `--history`,
/// standard input or no paths): where the config and the default baseline are looked for.
pub fn first_root_dir(args: &ScanArgs) -> PathBuf {
    let first = args.paths.iter().find(|p| p.as_path() != Path::new("-"));
    let dir = match first {
        _ if args.staged || args.history => PathBuf::new(),
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::new(),
    };
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}

/// The file a repository keeps its baseline in, at its root, picked up by every mode (tree,
/// `--staged`, history) without a flag.
pub const DEFAULT_BASELINE: &str = ".sealant-baseline.json";

/// The baseline in force: `--baseline FILE` (it must exist), else the config's `baseline`
/// (relative to the config file), else `.sealant-baseline.json` at the repository root (or
/// the scan root outside a repository). Only a file named on the command line must exist: a
/// CI snippet that names the default works on a new repository's first run.
pub fn find_baseline(args: &ScanArgs, project: &ProjectConfig) -> Result<Option<Baseline>> {
    if let Some(path) = &args.baseline {
        return Baseline::load(path).map(Some);
    }
    let candidate = match (&project.baseline, &project.source) {
        (Some(b), Some(source)) => source.parent().unwrap_or(Path::new(".")).join(b),
        (Some(b), None) => PathBuf::from(b),
        (None, _) => {
            let dir = first_root_dir(args);
            crate::source::git::toplevel(&dir)
                .unwrap_or(dir)
                .join(DEFAULT_BASELINE)
        }
    };
    if candidate.is_file() {
        Baseline::load(&candidate).map(Some)
    } else {
        Ok(None)
    }
}

/// A `.gitleaksignore` at the repository root (else beside the first scan root), where
/// gitleaks reads it.
pub fn find_gitleaksignore(args: &ScanArgs, engine: &Engine) -> Option<GitleaksIgnore> {
    let dir = first_root_dir(args);
    let path = crate::source::git::toplevel(&dir)
        .unwrap_or(dir)
        .join(".gitleaksignore");
    let mut families: Vec<&str> = (engine.rules().iter().map(|r| r.id.as_str()))
        .chain(engine.file_rules().iter().map(|r| r.id.as_str()))
        .map(|id| id.split('.').next().unwrap_or(id))
        .collect();
    families.sort_unstable();
    families.dedup();
    GitleaksIgnore::load(&path, ".gitleaksignore", &families)
}

/// The project config: `--config`, else the nearest `.sealant.toml` at or above the first scan
/// root (the current directory for `--staged`), up to the repository root — or, outside a
/// repository, up to the filesystem root — so that every spelling of a root finds the same one.
pub fn find_config(args: &ScanArgs) -> Result<ProjectConfig> {
    let dir = first_root_dir(args);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let top = crate::source::git::toplevel(&dir).and_then(|t| std::fs::canonicalize(t).ok());
    let mut dirs = Vec::new();
    for d in dir.ancestors() {
        dirs.push(d.to_path_buf());
        if top.as_deref() == Some(d) {
            break;
        }
    }
    ProjectConfig::find(args.config.as_deref(), &dirs)
}
