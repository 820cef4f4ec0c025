//! The module graph runs one way: each stage of the pipeline (the order `src/lib.rs` gives)
//! imports only stages below it, no two files import each other (directly or round a circle),
//! and no source file but the generated tables grows past 600 lines. Imports are read from the
//! source text: `crate::…` paths (with `use crate::{…}` groups), `super::…`, and a module's use
//! of its own child modules; test modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, bottom first (as `src/lib.rs` lists them).
const STAGES: &[&[&str]] = &[
    &["error", "clock", "fasthash", "words"],
    &["finding", "exposure"],
    &["diagnostics"],
    &["rules"],
    &["decode"],
    &["engine"],
    &["source"],
    &["policy"],
    &["progress"],
    &["outcome"],
    &["scan"],
    &["verify"],
    &["report"],
    &["cli"],
];

type Module = Vec<String>;

fn stage(m: &Module) -> usize {
    let top = m.first().map(String::as_str).unwrap_or("");
    STAGES
        .iter()
        .position(|s| s.contains(&top))
        .unwrap_or_else(|| panic!("module {top} is in no stage: add it to STAGES and lib.rs"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/scan/blob.rs` → `[scan, blob]`; `src/scan/mod.rs` → `[scan]`; lib.rs → `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Module = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// The source without its `#[cfg(test)] mod tests` block.
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i])
}

/// Expands `a::{b, c::{d, e}}` into paths.
fn expand(prefix: &[String], body: &str, out: &mut Vec<Module>) {
    let mut depth = 0;
    let mut item = String::new();
    let mut items = Vec::new();
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            items.push(std::mem::take(&mut item));
        } else {
            item.push(ch);
        }
    }
    items.push(item);
    for it in items {
        let it = it.trim();
        if it.is_empty() {
            continue;
        }
        if let Some(open) = it.find('{') {
            let head = it[..open].trim_end_matches("::");
            let mut p = prefix.to_vec();
            p.extend(head.split("::").filter(|s| !s.is_empty()).map(String::from));
            expand(&p, &it[open + 1..it.len() - 1], out);
        } else {
            let name = it.split(" as ").next().unwrap_or(it);
            let mut p = prefix.to_vec();
            p.extend(name.split("::").filter(|s| !s.is_empty()).map(String::from));
            out.push(p);
        }
    }
}

/// Every module path `text` (of module `m`) names.
fn paths(m: &Module, text: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    // `use crate::{…};` groups.
    let mut rest = text;
    while let Some(i) = rest.find("use crate::{") {
        let body = &rest[i + "use crate::{".len()..];
        let mut depth = 1;
        let end = body
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(body.len(), |(j, _)| j);
        expand(&[], &body[..end], &mut out);
        rest = &body[end..];
    }
    // `crate::a::b` and `crate::a::{b, c}`.
    for (i, _) in text.match_indices("crate::") {
        let after = &text[i + "crate::".len()..];
        let path: String = after.chars().take_while(|&c| ident(c)).collect();
        let path = path.trim_end_matches("::");
        let base: Module = path.split("::").map(String::from).collect();
        let tail = &after[path.len()..];
        if let Some(group) = tail.strip_prefix("::{") {
            let end = group.find("};").unwrap_or(group.len());
            expand(&base, &group[..end], &mut out);
        } else {
            out.push(base);
        }
    }
    // `super::x`: the parent of this file's module.
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with("use ") && text[i..].starts_with("super::*") {
            continue;
        }
        let path: String = text[i + "super::".len()..]
            .chars()
            .take_while(|&c| ident(c))
            .collect();
        let mut p: Module = m[..m.len().saturating_sub(1)].to_vec();
        p.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
        out.push(p);
    }
    // A module using its own children (`mod x;` … `x::y`).
    for line in text.lines() {
        let l = line.trim_start();
        let l = l.strip_prefix("pub ").unwrap_or(l);
        let Some(child) = l.strip_prefix("mod ").and_then(|c| c.strip_suffix(';')) else {
            continue;
        };
        let needle = format!("{child}::");
        let used = text.match_indices(&needle).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        });
        if used {
            let mut p = m.clone();
            p.push(child.to_string());
            out.push(p);
        }
    }
    out
}

/// The longest prefix of `path` that is a module file.
fn resolve(files: &BTreeSet<Module>, path: &Module) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| files.contains(p))
}

#[test]
fn the_module_graph_runs_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let texts: BTreeMap<Module, String> = files
        .iter()
        .map(|f| {
            (
                module_of(&src, f),
                std::fs::read_to_string(f).expect("read"),
            )
        })
        .collect();
    let modules: BTreeSet<Module> = texts.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut upward = Vec::new();
    for (m, text) in &texts {
        let targets = edges.entry(m.clone()).or_default();
        for p in paths(m, without_tests(text)) {
            let Some(t) = resolve(&modules, &p) else {
                continue;
            };
            if t == *m || t.is_empty() {
                continue;
            }
            if !m.is_empty() && stage(&t) > stage(m) {
                upward.push(format!("{} imports {}", m.join("/"), t.join("/")));
            }
            targets.insert(t);
        }
    }
    assert!(
        upward.is_empty(),
        "imports running up a stage:\n{}",
        upward.join("\n")
    );
    // No circle: a depth-first search finds no edge back to a module on the current path.
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, u8>,
        path: &mut Vec<Module>,
    ) {
        state.insert(m.clone(), 1);
        path.push(m.clone());
        for t in edges.get(m).into_iter().flatten() {
            match state.get(t) {
                Some(1) => {
                    let from = path.iter().position(|p| p == t).unwrap_or(0);
                    let circle: Vec<String> = path[from..].iter().map(|p| p.join("/")).collect();
                    panic!(
                        "files import each other: {} -> {}",
                        circle.join(" -> "),
                        t.join("/")
                    );
                }
                Some(_) => {}
                None => visit(t, edges, state, path),
            }
        }
        path.pop();
        state.insert(m.clone(), 2);
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        if !state.contains_key(m) {
            visit(m, &edges, &mut state, &mut Vec::new());
        }
    }
}

#[test]
fn no_source_file_over_600_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let big: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            let generated = text.contains("@generated") || f.ends_with("trigram_freq.rs");
            let lines = text.lines().count();
            (!generated && lines > 600).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(big.is_empty(), "split these by job:\n{}", big.join("\n"));
}
