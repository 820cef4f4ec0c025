//! The SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers. One run; the
//! driver lists the rules that have results (with help text and markdown carrying the
//! remediation, a default level, tags and `security-severity`); each result carries a relative
//! location, a redacted message and the fingerprint as a partial fingerprint.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use crate::engine::Engine;
use crate::finding::{Confidence, Finding, Severity};
use crate::outcome::ScanOutcome;
use crate::report::ReportOptions;
use crate::source::root::STDIN_PATH;

const INFORMATION_URI: &str = "https://github.com/sealant-scanner/sealant";
/// Where relative artifact URIs are rooted.
const SRCROOT: &str = "%SRCROOT%";

/// What SARIF needs to know of a rule (content rules and file rules alike).
struct RuleInfo<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    confidence: Confidence,
    remediation: &'a str,
}

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// What [`write`] left out of the log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Omitted {
    /// `info` findings (publishable keys, documented examples), left out unless the scan fails
    /// on `info`: code scanning would raise them as alerts.
    pub info: usize,
    /// Findings past [`MAX_RESULTS`] (the least severe).
    pub over_limit: usize,
}

/// Writes the SARIF log followed by a newline. `include_info` keeps `info` findings (as
/// `note` results without a security severity). Returns what was left out.
pub fn write(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    engine: &Engine,
    opts: ReportOptions,
    include_info: bool,
) -> io::Result<Omitted> {
    let mut omitted = Omitted::default();
    let mut findings: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| include_info || f.severity > Severity::Info)
        .collect();
    omitted.info = outcome.findings.len() - findings.len();
    if findings.len() > MAX_RESULTS {
        // Most severe first; the report order within a severity.
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        omitted.over_limit = findings.len() - MAX_RESULTS;
        findings.truncate(MAX_RESULTS);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let site = crate::rules::site::SiteCheck::builtin().unwrap_or_default();
    let mut infos: Vec<RuleInfo<'_>> = engine
        .rules()
        .iter()
        .map(|r| RuleInfo {
            id: &r.id,
            title: &r.title,
            severity: r.severity,
            confidence: r.confidence,
            remediation: &r.remediation,
        })
        .collect();
    infos.extend(engine.file_rules().iter().map(|r| RuleInfo {
        id: &r.id,
        title: &r.title,
        severity: r.severity,
        confidence: r.confidence,
        remediation: &r.remediation,
    }));
    // The probe's site checks (`sealant probe`: a served `.env`, `.git/`, a debug panel).
    infos.extend(site.iter().map(|c| RuleInfo {
        id: &c.id,
        title: &c.title,
        severity: c.severity,
        confidence: Confidence::High,
        remediation: &c.remediation,
    }));
    // Only the rules that have results, in a stable order, indexed for `ruleIndex`.
    let mut used: Vec<&RuleInfo<'_>> = infos
        .iter()
        .filter(|r| findings.iter().any(|f| *f.rule_id == *r.id))
        .collect();
    used.sort_by_key(|r| r.id);
    let rules: Vec<ReportingDescriptor> = used.iter().map(|r| descriptor(r)).collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let index = used.iter().position(|r| *r.id == *f.rule_id);
            result(f, index, opts)
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("sealant")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let mut props = BTreeMap::new();
    if omitted.info > 0 {
        props.insert("omittedInfoFindings".to_string(), json!(omitted.info));
    }
    if omitted.over_limit > 0 {
        props.insert(
            "omittedOverLimit".to_string(),
            json!(format!(
                "{} least severe findings left out: GitHub accepts at most {MAX_RESULTS} results                  per run (see the JSON report for all)",
                omitted.over_limit
            )),
        );
    }
    if !props.is_empty() {
        run.properties = Some(PropertyBag {
            tags: None,
            additional_properties: props,
        });
    }
    let log = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log).map_err(crate::report::json_io)?;
    writeln!(out)?;
    Ok(omitted)
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity`: 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

fn descriptor(r: &RuleInfo<'_>) -> ReportingDescriptor {
    let family = r.id.split('.').next().unwrap_or(r.id);
    let mut extra = BTreeMap::new();
    // `info` rules (publishable keys) would become "Low" security alerts: none for them.
    if r.severity > Severity::Info {
        extra.insert(
            "security-severity".to_string(),
            json!(security_severity(r.severity)),
        );
    }
    extra.insert("sealant-severity".to_string(), json!(r.severity.as_str()));
    extra.insert("precision".to_string(), json!(precision(r.confidence)));
    let markdown = format!(
        "**{}** (`{}`, severity {}).\n\n**Fix:** {}",
        r.title, r.id, r.severity, r.remediation
    );
    ReportingDescriptor::builder()
        .id(r.id)
        .name(camel_name(r.id))
        .short_description(text(r.title))
        .full_description(text(&format!("{}: {}", r.title, r.remediation)))
        .help(
            MultiformatMessageString::builder()
                .text(r.remediation)
                .markdown(markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(r.severity)))
                .build(),
        )
        .properties(PropertyBag {
            tags: Some(vec![
                "security".to_string(),
                "secrets".to_string(),
                family.to_string(),
            ]),
            additional_properties: extra,
        })
        .build()
}

fn result(f: &Finding, rule_index: Option<usize>, opts: ReportOptions) -> SarifResult {
    let secret = opts.secret(f);
    let mut message = crate::report::message(f, opts);
    // Archive members (`outer.zip!inner/file`) point at the outer file; the chain goes in the
    // message and properties.
    let (file, member) = crate::report::outer_file(f);
    if let Some(m) = member {
        message.push_str(&format!(" [in archive member {m}]"));
    }
    let mut props = BTreeMap::new();
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("confidence".to_string(), json!(precision(f.confidence)));
    props.insert("exposure".to_string(), json!(f.exposure.as_str()));
    if !secret.is_empty() {
        props.insert("secret".to_string(), json!(secret));
    }
    props.insert("path".to_string(), json!(f.path.as_ref()));
    if let Some(m) = member {
        // The region points at the outer file; where in the member the secret sits goes here.
        props.insert("archiveMember".to_string(), json!(m));
        props.insert("memberLine".to_string(), json!(f.line));
        props.insert("memberByteOffset".to_string(), json!(f.byte_offset));
    }
    if let Some(v) = &f.verification {
        props.insert("verification".to_string(), json!(v));
    }
    if let Some(d) = &f.decoded {
        props.insert("decoded".to_string(), json!(d.as_ref()));
    }
    if let Some(p) = &f.provenance {
        message.push_str(&format!(" [{}]", p.describe()));
        props.insert("commit".to_string(), json!(p.as_ref()));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("sealant/v1".to_string(), f.fingerprint());
    // Inside an archive the outer file has no meaningful line: its first line stands in.
    let (start_line, start_column) = if member.is_some() {
        (1, 1)
    } else {
        (f.line as i64, f.column_utf16 as i64)
    };
    let location = Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(artifact(file)),
            region: Some(Region {
                start_line: Some(start_line),
                start_column: Some(start_column),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut r = SarifResult::builder()
        .rule_id(f.rule_id.to_string())
        .level(if opts.fails(f) {
            match level(f.severity) {
                ResultLevel::Note => ResultLevel::Warning,
                l => l,
            }
        } else {
            ResultLevel::Note
        })
        .message(Message {
            text: Some(message),
            ..Default::default()
        })
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag {
            tags: None,
            additional_properties: props,
        })
        .build();
    r.rule_index = rule_index.map(|i| i as i64);
    r
}

/// A relative path becomes a URI reference under `%SRCROOT%`; an absolute one a `file:` URI;
/// a URL stays itself.
fn artifact(path: &str) -> ArtifactLocation {
    if path == STDIN_PATH {
        return ArtifactLocation {
            uri: Some("stdin".to_string()),
            ..Default::default()
        };
    }
    if path.starts_with("https://") || path.starts_with("http://") {
        // A deployed site's URL (`sealant probe`): absolute, already encoded; no base.
        return ArtifactLocation {
            uri: Some(path.to_string()),
            ..Default::default()
        };
    }
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with('/') {
        ArtifactLocation {
            uri: Some(format!("file://{}", percent_encode(path))),
            ..Default::default()
        }
    } else {
        ArtifactLocation {
            uri: Some(percent_encode(path)),
            uri_base_id: Some(SRCROOT.to_string()),
            ..Default::default()
        }
    }
}

/// Percent-encodes what a URI path may not hold as is.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn precision(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// `stripe.secret-key.live` → `StripeSecretKeyLive`.
fn camel_name(id: &str) -> String {
    id.split(['.', '-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(
            artifact("./src/a b.js").uri.as_deref(),
            Some("src/a%20b.js")
        );
        assert_eq!(
            artifact("/tmp/x.env").uri.as_deref(),
            Some("file:///tmp/x.env")
        );
        assert_eq!(camel_name("stripe.secret-key.live"), "StripeSecretKeyLive");
    }
}
