//! `.gitleaksignore`, read as a baseline: a repository moving from gitleaks keeps the findings
//! it had accepted. Each line is a gitleaks fingerprint — `commit:path:rule:line` from a git
//! scan, `path:rule:line` from a directory scan; `#` starts a comment. An entry accepts a
//! sealant finding at the same path (relative to the repository root) and line whose rule is
//! of the same service: gitleaks's rule id names it first (`stripe-access-token` → `stripe.…`,
//! `new-relic-user-api-key` → `newrelic.…`), and `generic-api-key` stands for any rule. A commit,
//! when given, must be the finding's in a history scan. Entries naming a service sealant has no
//! rules for, and lines that are no fingerprint, are reported as warnings, not applied.

use std::path::Path;

use crate::finding::Finding;

#[derive(Debug, Default)]
pub struct GitleaksIgnore {
    entries: Vec<Entry>,
    /// (where, what) for each line not applied.
    pub warnings: Vec<(String, String)>,
}

#[derive(Debug)]
struct Entry {
    commit: Option<String>,
    path: String,
    /// The sealant rule-id family (`stripe`), or `None` for any rule.
    family: Option<String>,
    line: u64,
}

impl GitleaksIgnore {
    /// Reads `path` (shown as `shown` in warnings); `families` are the first segments of the
    /// rule ids in force (`stripe`, `private-key`). `None` when the file cannot be read.
    pub fn load(path: &Path, shown: &str, families: &[&str]) -> Option<GitleaksIgnore> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(Self::parse(&text, shown, families))
    }

    pub fn parse(text: &str, shown: &str, families: &[&str]) -> GitleaksIgnore {
        let mut out = GitleaksIgnore::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let here = format!("{shown}:{}", n + 1);
            let Some(entry) = parse_fingerprint(line) else {
                out.warnings.push((
                    here,
                    "not a gitleaks fingerprint (commit:path:rule:line or path:rule:line); \
                     line not applied"
                        .to_string(),
                ));
                continue;
            };
            let (rule, entry) = entry;
            let family = if rule == "generic-api-key" {
                None
            } else {
                let squashed = rule.replace('-', "");
                let best = families
                    .iter()
                    .filter(|f| squashed.starts_with(&f.replace('-', "")))
                    .max_by_key(|f| f.len());
                match best {
                    Some(f) => Some(f.to_string()),
                    None => {
                        out.warnings.push((
                            here,
                            format!(
                                "gitleaks rule `{rule}` has no sealant counterpart; entry not \
                                 applied (accept the finding with --write-baseline instead)"
                            ),
                        ));
                        continue;
                    }
                }
            };
            out.entries.push(Entry { family, ..entry });
        }
        out
    }

    /// Whether an entry accepts `f`.
    pub fn accepts(&self, f: &Finding) -> bool {
        let commit = f.provenance.as_deref().and_then(|p| p.commit.as_deref());
        self.entries.iter().any(|e| {
            e.line == f.line
                && e.path == *f.canonical
                && e.family
                    .as_deref()
                    .is_none_or(|fam| f.rule_id.split('.').next() == Some(fam))
                && match (&e.commit, commit) {
                    (Some(want), Some(got)) => got.starts_with(want.as_str()),
                    _ => true,
                }
        })
    }
}

/// (gitleaks rule id, entry without its family) from one fingerprint line.
fn parse_fingerprint(line: &str) -> Option<(String, Entry)> {
    let (rest, number) = line.rsplit_once(':')?;
    let line_no: u64 = number.parse().ok()?;
    let (rest, rule) = rest.rsplit_once(':')?;
    if rule.is_empty() || rest.is_empty() {
        return None;
    }
    let (commit, path) = match rest.split_once(':') {
        Some((c, p)) if c.len() >= 7 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (Some(c.to_ascii_lowercase()), p)
        }
        _ => (None, rest),
    };
    let path = path.trim_start_matches("./").to_string();
    Some((
        rule.to_string(),
        Entry {
            commit,
            path,
            family: None,
            line: line_no,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_map_to_rule_families() {
        let families = ["stripe", "newrelic", "private-key", "aws"];
        let g = GitleaksIgnore::parse(
            "# accepted\n\
             0123456789abcdef0123456789abcdef01234567:src/a.js:stripe-access-token:3\n\
             config/app.env:new-relic-user-api-key:7\n\
             ./keys/id_rsa:private-key:1\n\
             docs/x.md:generic-api-key:9\n\
             infra/main.tf:hashicorp-tf-api-token:2\n\
             not a fingerprint\n",
            ".gitleaksignore",
            &families,
        );
        let fams: Vec<(Option<&str>, &str, u64, bool)> = g
            .entries
            .iter()
            .map(|e| {
                (
                    e.family.as_deref(),
                    e.path.as_str(),
                    e.line,
                    e.commit.is_some(),
                )
            })
            .collect();
        assert_eq!(
            fams,
            vec![
                (Some("stripe"), "src/a.js", 3, true),
                (Some("newrelic"), "config/app.env", 7, false),
                (Some("private-key"), "keys/id_rsa", 1, false),
                (None, "docs/x.md", 9, false),
            ]
        );
        let lines: Vec<&str> = g.warnings.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(lines, vec![".gitleaksignore:6", ".gitleaksignore:7"]);
        assert!(g.warnings[0].1.contains("hashicorp-tf-api-token"));
    }
}
