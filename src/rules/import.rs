//! `sealant rules import gitleaks.toml`: a gitleaks config's custom `[[rules]]` as a sealant
//! rule file. What maps is converted — id, description (title), regex, secretGroup (the group
//! becomes `secret`), entropy (`min_entropy`), keywords (gitleaks matches them in any case: so
//! does `keywords_any_case`; for a case-sensitive regex that spells the keyword out, the
//! spelling it contains becomes a plain keyword), allowlist stopwords — and what does
//! not is said: path regexes and allowlist regexes or paths (sealant uses globs and its own
//! allowlist), rules without a keyword of 3 bytes or more (sealant needs one), `[extend]`
//! (sealant's own catalog replaces gitleaks's defaults). Every rule is written without
//! examples, and `sealant rules check` says so until they are filled in.

use regex_syntax::ast::{self, Ast};
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default)]
    rules: Vec<GitleaksRule>,
    #[serde(default)]
    extend: Option<toml::Value>,
    #[serde(default)]
    allowlist: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitleaksRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Debug, Default, Deserialize)]
struct Allowlist {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
}

/// The converted rule file, and one note per thing not converted.
pub struct Imported {
    pub toml: String,
    pub rules: usize,
    pub notes: Vec<String>,
}

pub fn gitleaks(text: &str, source: &str) -> Result<Imported> {
    let config: Config = toml::from_str(text)
        .map_err(|e| Error::new(format!("{source} is not a gitleaks config: {e}")))?;
    let mut notes = Vec::new();
    if config.extend.is_some() {
        notes.push(
            "[extend] is not imported: sealant's built-in catalog takes the place of gitleaks's \
             default rules"
                .to_string(),
        );
    }
    if config.allowlist.is_some() {
        notes.push(
            "the global [allowlist] is not imported: put its values or regexes under \
             [allowlist] in .sealant.toml (values, regexes) and its paths under skip-paths"
                .to_string(),
        );
    }
    let mut out = format!(
        "# Imported from {source} by `sealant rules import`. Add examples (strings each rule\n\
         # must match) and negative examples to every rule, then run `sealant rules check` on\n\
         # this file; load it with `sealant scan --rules FILE` or under [[rule]] in .sealant.toml.\n"
    );
    let mut rules = 0;
    for r in &config.rules {
        let here = format!("rule `{}`", r.id);
        let Some(regex) = &r.regex else {
            notes.push(format!(
                "{here}: no regex (a rule on file paths alone); not imported — a sealant file \
                 rule ([[file_rule]] with paths globs) can express it"
            ));
            continue;
        };
        let regex = match r.secret_group {
            Some(n) if n > 0 => match name_group(regex, n) {
                Ok(r) => r,
                Err(e) => {
                    notes.push(format!("{here}: secretGroup {n}: {e}; not imported"));
                    continue;
                }
            },
            _ => regex.clone(),
        };
        if let Err(e) = regex::bytes::Regex::new(&regex) {
            notes.push(format!(
                "{here}: the regex does not compile here ({e}); not imported"
            ));
            continue;
        }
        // gitleaks matches keywords in any case, and so does `keywords_any_case`; but a
        // case-sensitive regex that spells the keyword out matches only the spelling it
        // contains (`acme_` for `acme_[a-z]{8}`): that one is a plain keyword.
        let mut keywords: Vec<String> = Vec::new();
        let mut keywords_any_case: Vec<String> = Vec::new();
        let any_case = regex.contains("(?i");
        for k in &r.keywords {
            let spellings = [k.to_lowercase(), k.to_uppercase(), capitalised(k)];
            let spelled = spellings.iter().find(|v| regex.contains(v.as_str()));
            match spelled {
                Some(v) if !any_case => keywords.push(v.clone()),
                _ => keywords_any_case.push(k.to_lowercase()),
            }
        }
        keywords.retain(|k| k.len() >= 3);
        keywords.dedup();
        keywords_any_case.retain(|k| k.len() >= 3);
        keywords_any_case.sort();
        keywords_any_case.dedup();
        if keywords.is_empty() && keywords_any_case.is_empty() {
            notes.push(format!(
                "{here}: no keyword of 3 bytes or more; not imported — add a literal every \
                 match contains as `keywords` and import again"
            ));
            continue;
        }
        if r.path.is_some() {
            notes.push(format!(
                "{here}: its path regex is not imported; add `paths` globs by hand"
            ));
        }
        let lists: Vec<&Allowlist> = r.allowlist.iter().chain(&r.allowlists).collect();
        let stopwords: Vec<&String> = lists.iter().flat_map(|a| &a.stopwords).collect();
        if lists
            .iter()
            .any(|a| !a.regexes.is_empty() || !a.paths.is_empty() || !a.commits.is_empty())
        {
            notes.push(format!(
                "{here}: allowlist regexes, paths or commits are not imported; use \
                 [allowlist] and skip-paths in .sealant.toml, or a baseline"
            ));
        }
        out.push_str("\n[[rule]]\n");
        push(&mut out, "id", &s(&r.id));
        push(
            &mut out,
            "title",
            &s(r.description.as_deref().unwrap_or(&r.id)),
        );
        push(&mut out, "severity", &s("high"));
        if !keywords.is_empty() {
            push(&mut out, "keywords", &list(keywords.iter()));
        }
        if !keywords_any_case.is_empty() {
            push(
                &mut out,
                "keywords_any_case",
                &list(keywords_any_case.iter()),
            );
        }
        out.push_str(&format!("regex = {}\n", literal(&regex)));
        if let Some(e) = r.entropy {
            push(&mut out, "min_entropy", &toml::Value::Float(e).to_string());
        }
        if !stopwords.is_empty() {
            push(&mut out, "stopwords", &list(stopwords.into_iter()));
        }
        push(
            &mut out,
            "remediation",
            &s(&format!(
                "Revoke or rotate this credential with its issuer and remove it from the code \
                 (imported from gitleaks rule `{}`).",
                r.id
            )),
        );
        push(&mut out, "examples", "[]");
        push(&mut out, "negative_examples", "[]");
        rules += 1;
    }
    Ok(Imported {
        toml: out,
        rules,
        notes,
    })
}

fn push(out: &mut String, key: &str, value: &str) {
    out.push_str(&format!("{key} = {value}\n"));
}

fn s(v: &str) -> String {
    toml::Value::String(v.to_string()).to_string()
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let items: Vec<String> = items.map(|i| s(i)).collect();
    format!("[{}]", items.join(", "))
}

/// A regex as a TOML literal string where it can be one (no `'''` inside), else a basic one.
fn literal(regex: &str) -> String {
    if !regex.contains("'''") && !regex.contains('\n') {
        format!("'''{regex}'''")
    } else {
        s(regex)
    }
}

fn capitalised(k: &str) -> String {
    let lower = k.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `regex` with its `n`-th capturing group (1-based, in order of opening parenthesis) named
/// `secret`, as sealant reads a rule's secret from the group of that name.
fn name_group(regex: &str, n: usize) -> std::result::Result<String, String> {
    let ast = ast::parse::Parser::new()
        .parse(regex)
        .map_err(|e| format!("the regex does not parse ({e})"))?;
    let mut groups = Vec::new();
    collect_groups(&ast, &mut groups);
    groups.sort_by_key(|g| g.0);
    let Some(&(start, named)) = groups.get(n - 1) else {
        return Err(format!("the regex has only {} groups", groups.len()));
    };
    if named {
        return Err("that group already has a name".to_string());
    }
    // `start` is the group's `(`: insert the name after it.
    Ok(format!(
        "{}(?P<secret>{}",
        &regex[..start],
        &regex[start + 1..]
    ))
}

/// (offset of `(`, already named) of every capturing group.
fn collect_groups(ast: &Ast, out: &mut Vec<(usize, bool)>) {
    match ast {
        Ast::Group(g) => {
            match &g.kind {
                ast::GroupKind::CaptureIndex(_) => out.push((g.span.start.offset, false)),
                ast::GroupKind::CaptureName { .. } => out.push((g.span.start.offset, true)),
                ast::GroupKind::NonCapturing(_) => {}
            }
            collect_groups(&g.ast, out);
        }
        Ast::Repetition(r) => collect_groups(&r.ast, out),
        Ast::Alternation(a) => a.asts.iter().for_each(|x| collect_groups(x, out)),
        Ast::Concat(c) => c.asts.iter().for_each(|x| collect_groups(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_group_is_named() {
        assert_eq!(
            name_group(r"(?i)(key)\s*=\s*([a-z0-9]{32})", 2).as_deref(),
            Ok(r"(?i)(key)\s*=\s*(?P<secret>[a-z0-9]{32})")
        );
        assert_eq!(
            name_group(r"(?:a|(b(c)))", 2).as_deref(),
            Ok(r"(?:a|(b(?P<secret>c)))")
        );
        assert!(name_group("(a)", 2).is_err());
    }

    #[test]
    fn keywords_match_in_any_case() {
        let out = gitleaks(
            "[[rules]]\nid = \"acme\"\nregex = '''(?i)acme_[a-z]{8}'''\nkeywords = [\"Acme_\"]\n",
            "g.toml",
        )
        .expect("imports");
        assert!(
            out.toml.contains(r#"keywords_any_case = ["acme_"]"#),
            "{}",
            out.toml
        );
        // Case-sensitive and spelled out: only the spelling a match can contain.
        let out = gitleaks(
            "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z]{8}'''\nkeywords = [\"Acme_\"]\n",
            "g.toml",
        )
        .expect("imports");
        assert!(out.toml.contains(r#"keywords = ["acme_"]"#), "{}", out.toml);
    }
}
