//! `sealant rules`: the catalog listed (text or JSON), a rule file checked against its
//! examples (`rules check`), and a gitleaks config converted (`rules import`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cli::args::{Format, RulesAction, RulesArgs};
use crate::cli::output::ignore_broken_pipe;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::rules::RuleSet;

pub fn run(args: RulesArgs) -> Result<i32> {
    if let Some(RulesAction::Publish { report, source }) = &args.action {
        return run_rules_publish(report, source);
    }
    if let Some(RulesAction::Import { file, output }) = &args.action {
        return run_rules_import(file, output.as_deref());
    }
    if let Some(RulesAction::Check { files }) = args.action {
        return run_rules_check(&files);
    }
    let set = RuleSet::load(&args.rule_files)?;
    let mut out = io::stdout().lock();
    // Content rules, then file rules (about a file's name and place), as one list.
    let file_rules = set.file_rules.iter().map(|r| (r, "file"));
    let written = match args.format {
        Format::Text => {
            let content = set.rules.iter().map(|r| {
                let off = if r.enabled {
                    ""
                } else {
                    "  (off by default: --enable)"
                };
                (r.id.as_str(), r.severity, r.title.as_str(), off)
            });
            let files = file_rules
                .map(|(r, _)| (r.id.as_str(), r.severity, r.title.as_str(), "  (file rule)"));
            content
                .chain(files)
                .try_for_each(|(id, severity, title, note)| {
                    writeln!(out, "{id:<36} {:<9} {title}{note}", severity.as_str())
                })
        }
        Format::Json => {
            let mut list: Vec<serde_json::Value> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "kind": "content",
                        "title": r.title,
                        "severity": r.severity,
                        "confidence": r.confidence,
                        "keywords": r.keywords.iter().map(|k| String::from_utf8_lossy(k)).collect::<Vec<_>>(),
                        "keywords_any_case": r.keywords_any_case.iter().map(|k| String::from_utf8_lossy(k)).collect::<Vec<_>>(),
                        "remediation": r.remediation,
                        "enabled": r.enabled,
                        "source": r.source,
                    })
                })
                .collect();
            list.extend(file_rules.map(|(r, kind)| {
                serde_json::json!({
                    "id": r.id,
                    "kind": kind,
                    "title": r.title,
                    "severity": r.severity,
                    "confidence": r.confidence,
                    "remediation": r.remediation,
                    "enabled": true,
                    "source": r.source,
                })
            }));
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(crate::report::json_io)
                .and_then(|_| writeln!(out))
        }
    };
    ignore_broken_pipe(written)?;
    Ok(0)
}

fn run_rules_import(file: &Path, output: Option<&Path>) -> Result<i32> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", file.display())))?;
    let imported = crate::rules::import::gitleaks(&text, &file.display().to_string())?;
    match output {
        Some(path) => std::fs::write(path, &imported.toml)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?,
        None => ignore_broken_pipe(io::stdout().lock().write_all(imported.toml.as_bytes()))?,
    }
    for note in &imported.notes {
        eprintln!("sealant: note: {note}");
    }
    eprintln!(
        "sealant: imported {} rule(s); add examples to each, then run `sealant rules check` on \
         the file",
        imported.rules
    );
    Ok(0)
}

fn run_rules_check(files: &[PathBuf]) -> Result<i32> {
    // The built-ins are held to the catalog's bar (two examples each way); a user's file to
    // its own examples.
    let (sets, builtin) = if files.is_empty() {
        (
            vec![("built-in rules".to_string(), RuleSet::builtin()?)],
            true,
        )
    } else {
        let mut sets = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Error::new(format!("cannot read rule file {}: {e}", f.display())))?;
            let name = f.display().to_string();
            let set = crate::rules::parse_rule_file(&text, &name)?;
            sets.push((name, set));
        }
        (sets, false)
    };
    let mut failed = false;
    for (name, set) in sets {
        let count = set.rules.len() + set.file_rules.len();
        let without_examples = set.rules.iter().filter(|r| r.examples.is_empty()).count();
        let engine = Engine::new(set)?;
        let problems = crate::engine::check::check_examples(&engine, builtin);
        for p in &problems {
            println!("{p}");
        }
        if problems.is_empty() {
            println!("ok: {name}: {count} rules, every example and negative example behaves");
        }
        if without_examples > 0 {
            println!(
                "note: {name}: {without_examples} rule(s) have no examples; add `examples` so \
                 this check can prove they match"
            );
        }
        failed |= !problems.is_empty();
    }
    Ok(i32::from(failed))
}

fn run_rules_publish(report: &Path, source: &str) -> Result<i32> {
    let text = std::fs::read_to_string(report)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", report.display())))?;
    let outcome = crate::report::merge::from_json(&text, &report.display().to_string())?;
    // Names and flags (rules that do not redact) are no secrets to publish.
    let rules = RuleSet::builtin()?;
    let names = |id: &str| rules.rules.iter().any(|r| r.id == id && !r.redact);
    let mut digests: Vec<String> = Vec::new();
    let mut redacted = 0;
    for f in &outcome.findings {
        if f.secret.is_empty() || names(&f.rule_id) {
            continue;
        }
        if f.recorded.as_ref().is_some_and(|r| r.redacted) {
            redacted += 1;
            continue;
        }
        let d = crate::rules::published::digest(f.secret.as_bytes());
        digests.push(crate::finding::hex(&d));
    }
    if redacted > 0 {
        return Err(Error::new(format!(
            "{}: {redacted} secret(s) are redacted: write the report with --show-secrets",
            report.display()
        )));
    }
    digests.sort();
    digests.dedup();
    let source = source.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = io::stdout().lock();
    let written = digests.iter().try_for_each(|d| {
        writeln!(
            out,
            "[[published]]\nsha256 = \"{d}\"\nsource = \"{source}\"\n"
        )
    });
    ignore_broken_pipe(written)?;
    Ok(0)
}
