//! The rule engine: one keyword prefilter pass (see `prefilter`) finds candidate spots for
//! every rule at once; each rule's regex then runs only on bounded windows around its keyword
//! hits, and hands on [`RawMatch`]es. `check` runs every rule against its own examples.
//!
//! Windows of one rule that touch or overlap are merged before the regex runs, so each byte is
//! searched at most once per rule whatever the input (a file made of nothing but keywords costs
//! one linear regex pass, not one per hit).

mod anchor;
mod byte_freq;
pub mod check;
pub mod prefilter;
mod trigram;
mod window;

use crate::decode::encoded::{self, Derived};
use crate::decode::jwt::{self, Verdict};
use crate::decode::sas;
use crate::error::Result;
use crate::finding::Confidence;

use crate::rules::file_rules::FileRule;
use crate::rules::path_index::{PathIndex, PathMatches, Role};
use crate::rules::published::Published;
use crate::rules::{Rule, RuleSet};
use prefilter::{KeywordHit, Prefilter};

/// The compiled form of a rule set.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<Rule>,
    /// Rules about files' names and places, checked by the scan for each file.
    file_rules: Vec<FileRule>,
    prefilter: Prefilter,
    /// For each distinct keyword: the rules that listed it.
    keyword_rules: Vec<Vec<u32>>,
    /// Rules limited to some blobs (path, content marker) or downgraded in some.
    scoped: Vec<u32>,
    /// The `paths` globs of all rules: content rules by index, file rules after them
    /// (index `rules.len() + i`).
    paths: PathIndex,
    max_before: usize,
    /// Longest keyword plus the widest `window_after`.
    max_after: usize,
    /// Per rule: the rules it is more specific than (its `overrides`, by index).
    overrides: Vec<Vec<u32>>,
    /// The keywords' encoded forms (see `decode::encoded`): prefilter keywords from index
    /// `first_derived` on, whose hits go to [`Scratch::encoded_hits`] instead of rules.
    derived: Vec<Derived>,
    first_derived: u32,
    /// Secrets everybody has: matched, but reported as documented (`info`).
    published: Published,
}

/// A confirmed regex match of one rule, in haystack coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMatch {
    pub rule: u32,
    /// Start of the whole regex match (used to decide which chunk owns a match).
    pub match_start: usize,
    pub secret_start: usize,
    pub secret_end: usize,
    pub confidence: Confidence,
    /// A value the vendor publishes in its documentation.
    pub documented: bool,
    /// Found in a development or test file (the rule's `info_paths`): report as info.
    pub info: bool,
    /// The rule's `name` group (a variable name), for the detail line.
    pub name: Option<(usize, usize)>,
    /// The rule's `id` group (the identifier the secret goes with), for verification.
    pub id: Option<(usize, usize)>,
    /// For a `value_from_rules` rule: the rule that recognised the value.
    pub inner: Option<u32>,
    /// Set when the match was found in a decoded view (the offsets have been mapped back to
    /// the blob): the index of its text among what the blob scanner extracted.
    pub extracted: Option<u32>,
}

/// Per-thread working memory for [`Engine::find`], reused across blobs.
#[derive(Debug, Default)]
pub struct Scratch {
    hits: Vec<KeywordHit>,
    windows: Vec<Vec<(usize, usize)>>,
    touched: Vec<u32>,
    /// Per rule: applies to the current blob (set by [`Engine::prepare`]).
    on: Vec<bool>,
    /// Per rule: findings in the current blob are info.
    info: Vec<bool>,
    /// The globs of rules (content rules, then file rules) that match the current blob.
    path_matches: PathMatches,
    /// File rules whose `paths` match the current blob.
    file_candidates: Vec<u32>,
    /// Rules and offsets (in the haystack last searched) of values a filter dropped as fake.
    pub rejected: Vec<(u32, usize)>,
    /// Where encoded forms of keywords occur in the haystack last searched, and which.
    encoded: Vec<(usize, u32)>,
}

impl Scratch {
    /// Where the keywords of the haystack last searched start (in order of position).
    pub fn keyword_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.hits.iter().map(|h| h.start)
    }

    /// File rules whose `paths` matched the blob last prepared (see [`Engine::prepare`]).
    pub fn file_candidates(&self) -> &[u32] {
        &self.file_candidates
    }

    /// Where the haystack last searched holds an encoded keyword (position, index of the
    /// derived keyword: see [`Engine::derived`]), in order of position.
    pub fn encoded_hits(&self) -> &[(usize, u32)] {
        &self.encoded
    }

    /// Forgets the last blob's file-rule candidates (for a blob that is not prepared).
    pub fn clear_file_candidates(&mut self) {
        self.file_candidates.clear();
    }
}

impl Engine {
    pub fn new(set: RuleSet) -> Result<Engine> {
        let rules = set.rules;
        let (keywords, keyword_rules) = prefilter::distinct_keywords(&rules);
        let longest = keywords.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let scoped = (0..rules.len() as u32)
            .filter(|&ri| !rules[ri as usize].scope.is_everywhere())
            .collect();
        let content_scopes = rules.iter().enumerate().map(|(i, r)| (i as u32, &r.scope));
        let file_scopes =
            (set.file_rules.iter().enumerate()).map(|(i, r)| ((rules.len() + i) as u32, &r.scope));
        let paths = PathIndex::new(content_scopes.chain(file_scopes))?;
        // Ids that name no loaded rule (one left out with `--disable`) are ignored here;
        // `rules check` reports them.
        let overrides = (rules.iter())
            .map(|r| {
                (r.overrides.iter())
                    .filter_map(|id| rules.iter().position(|o| &o.id == id))
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
        // Encoded forms of a keyword in any case: of its lower- and upper-case spellings.
        let spellings: Vec<Vec<u8>> = (keywords.iter())
            .flat_map(|(k, any_case)| match any_case {
                true => vec![k.clone(), k.to_ascii_uppercase()],
                false => vec![k.clone()],
            })
            .collect();
        let derived = encoded::derive(&spellings);
        let first_derived = keywords.len() as u32;
        let mut all_keywords = keywords;
        all_keywords.extend(derived.iter().map(|d| (d.text.clone(), false)));
        Ok(Engine {
            published: set.published,
            derived,
            first_derived,
            overrides,
            paths,
            file_rules: set.file_rules,
            scoped,
            max_before: rules.iter().map(|r| r.window_before).max().unwrap_or(0),
            max_after: longest + rules.iter().map(|r| r.window_after).max().unwrap_or(0),
            prefilter: Prefilter::new(all_keywords)?,
            keyword_rules,
            rules,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn file_rules(&self) -> &[FileRule] {
        &self.file_rules
    }

    pub fn rule(&self, index: u32) -> &Rule {
        &self.rules[index as usize]
    }

    /// Derived keyword `index` of [`Scratch::encoded_hits`].
    pub fn derived(&self, index: u32) -> &Derived {
        &self.derived[index as usize]
    }

    /// The longest distance a match can start before a keyword hit, and end after the hit's
    /// start. Callers that cut a blob into chunks overlap them by more than that (see `scan::blob`).
    pub fn reach(&self) -> (usize, usize) {
        (self.max_before, self.max_after)
    }

    /// Decides which rules apply to the next blob, from its path and first bytes. Without a
    /// call, rules limited to some blobs do not run.
    /// The file rules whose paths match are left in [`Scratch::file_candidates`].
    pub fn prepare(&self, path: &str, head: &[u8], scratch: &mut Scratch) {
        self.init(scratch);
        // Globs look at an archive member's own path, after the last `!`.
        let own = path.rsplit('!').next().unwrap_or(path);
        // Its last component, as globset sees it (it reads `\` as a separator on Windows).
        let name = (own
            .rsplit(|c| c == '/' || (cfg!(windows) && c == '\\'))
            .next())
        .unwrap_or(own);
        let matched = &mut scratch.path_matches;
        self.paths.matches(own, name, matched);
        let n = self.rules.len() as u32;
        scratch.file_candidates.clear();
        (scratch.file_candidates).extend(matched.paths().filter(|&o| o >= n).map(|o| o - n));
        for &ri in &self.scoped {
            let scope = &self.rules[ri as usize].scope;
            let on = (!scope.has_paths() || matched.has(Role::Path, ri))
                && !matched.has(Role::Exclude, ri)
                && scope.marked(head);
            scratch.on[ri as usize] = on;
            scratch.info[ri as usize] = on && matched.has(Role::Info, ri);
        }
    }

    fn init(&self, scratch: &mut Scratch) {
        if scratch.on.len() != self.rules.len() {
            scratch.windows.resize_with(self.rules.len(), Vec::new);
            scratch.on = self.rules.iter().map(|r| r.scope.is_everywhere()).collect();
            scratch.info = vec![false; self.rules.len()];
        }
    }

    /// Finds every rule match in `hay`, appending them to `out` ordered by position then rule.
    /// Where several rules capture a secret starting at the same byte, one is kept (see below).
    pub fn find(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        let first = out.len();
        self.find_all(hay, scratch, out);
        // One secret is one finding: of the matches that start at one byte (the same bytes, or
        // one inside the other — a service-account JSON's key and the PEM block in it), the
        // more severe rule wins, then one that says where the value sits (a `value_from_rules`
        // rule), then one that captured the identifier the secret goes with (an AWS key pair
        // over its secret alone), then the longer capture, then the rule listed first — unless
        // another rule there says it is more specific than that one (`overrides`).
        let new = &mut out[first..];
        new.sort_by_key(|m| {
            let rule = &self.rules[m.rule as usize];
            let sev = std::cmp::Reverse(rule.severity);
            (
                m.secret_start,
                sev,
                !rule.value_from_rules,
                m.id.is_none(),
                std::cmp::Reverse(m.secret_end),
                m.rule,
            )
        });
        let mut kept = first;
        for i in first..out.len() {
            let m = out[i];
            if kept > first {
                let prev = out[kept - 1];
                if prev.secret_start == m.secret_start {
                    if self.overrides[m.rule as usize].contains(&prev.rule) {
                        out[kept - 1] = m;
                    }
                    continue;
                }
            }
            out[kept] = m;
            kept += 1;
        }
        out.truncate(kept);
    }

    /// Like [`Engine::find`], but every rule's matches are kept, even where two rules capture
    /// the same bytes (for checking each rule against its own examples).
    pub fn find_all(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        self.init(scratch);
        scratch.touched.clear();
        scratch.hits.clear();
        scratch.encoded.clear();
        self.prefilter.find(hay, &mut scratch.hits);
        for hit in &scratch.hits {
            if let Some(d) = hit.keyword.checked_sub(self.first_derived) {
                scratch.encoded.push((hit.start, d));
                continue;
            }
            let kw_len = self.prefilter.keyword(hit.keyword).len();
            for &ri in &self.keyword_rules[hit.keyword as usize] {
                let rule = &self.rules[ri as usize];
                if !scratch.on[ri as usize] || !rule.may_start_at(hay, hit.start) {
                    continue;
                }
                let ws = hit.start.saturating_sub(rule.window_before);
                let we = (hit.start + kw_len + rule.window_after).min(hay.len());
                let wins = &mut scratch.windows[ri as usize];
                match wins.last_mut() {
                    // Hits come in order of position, but windows reach back by different
                    // amounts for different keywords of a rule: merge generously.
                    Some(last) if ws <= last.1 => {
                        last.0 = last.0.min(ws);
                        last.1 = last.1.max(we);
                    }
                    Some(_) => wins.push((ws, we)),
                    None => {
                        scratch.touched.push(ri);
                        wins.push((ws, we));
                    }
                }
            }
        }
        if !scratch.encoded.is_empty() {
            // Keyword positions are the rules' keywords' (decoders pick strings by them).
            scratch.hits.retain(|h| h.keyword < self.first_derived);
        }
        // Rules without keywords, limited to a few files by path: the whole blob is their window.
        for &ri in &self.scoped {
            let rule = &self.rules[ri as usize];
            if scratch.on[ri as usize]
                && rule.keywords.is_empty()
                && rule.keywords_any_case.is_empty()
            {
                scratch.touched.push(ri);
                scratch.windows[ri as usize].push((0, hay.len()));
            }
        }
        let first = out.len();
        scratch.touched.sort_unstable();
        scratch.rejected.clear();
        for &ri in &scratch.touched {
            let rule = &self.rules[ri as usize];
            let info = scratch.info[ri as usize];
            for &(ws, we) in &scratch.windows[ri as usize] {
                if rule.silenced(&hay[ws..we]) {
                    continue;
                }
                let from = out.len();
                confirm(rule, ri, info, &hay[..we], ws, out, &mut scratch.rejected);
                if !self.published.is_empty() {
                    for m in &mut out[from..] {
                        let secret = &hay[m.secret_start..m.secret_end];
                        m.documented |= self.published.contains(secret);
                    }
                }
            }
            scratch.windows[ri as usize].clear();
        }
        self.resolve_values(first, out);
        out[first..].sort_by_key(|m| (m.secret_start, m.rule));
    }

    /// A `value_from_rules` match stands only where another rule (above info) found a secret
    /// inside its value; it then takes that secret's span. Others are dropped.
    fn resolve_values(&self, first: usize, out: &mut Vec<RawMatch>) {
        if !out[first..]
            .iter()
            .any(|m| self.rules[m.rule as usize].value_from_rules)
        {
            return;
        }
        let inner: Vec<RawMatch> = out[first..]
            .iter()
            .filter(|m| {
                let r = &self.rules[m.rule as usize];
                !r.value_from_rules && r.severity > crate::finding::Severity::Info && !m.documented
            })
            .copied()
            .collect();
        let mut kept = first;
        for i in first..out.len() {
            let mut m = out[i];
            if self.rules[m.rule as usize].value_from_rules {
                let Some(found) = inner
                    .iter()
                    .find(|x| x.secret_start >= m.secret_start && x.secret_end <= m.secret_end)
                else {
                    continue;
                };
                m.secret_start = found.secret_start;
                m.secret_end = found.secret_end;
                m.inner = Some(found.rule);
            }
            out[kept] = m;
            kept += 1;
        }
        out.truncate(kept);
        // The name a value is assigned to is part of that finding: a rule that flags the name
        // alone (`VITE_STRIPE_SECRET_KEY`) adds nothing beside it (one line, one finding). sealant:allow
        let names: Vec<(usize, usize)> = out[first..]
            .iter()
            .filter(|m| m.inner.is_some())
            .filter_map(|m| m.name)
            .collect();
        if !names.is_empty() {
            out.retain(|m| {
                m.inner.is_some()
                    || !names
                        .iter()
                        .any(|&(s, e)| m.secret_start >= s && m.secret_end <= e)
            });
        }
    }
}

/// Runs `rule`'s regex over `hay[start..]` (the bytes before `start` serve as look-behind
/// context for `\b`) and records every match.
/// Values a filter drops go to `rejected` (their offsets), to be counted.
fn confirm(
    rule: &Rule,
    ri: u32,
    info: bool,
    hay: &[u8],
    start: usize,
    out: &mut Vec<RawMatch>,
    rejected: &mut Vec<(u32, usize)>,
) {
    // A regex that does not compile (over the size limit) matches nothing; `rules check`
    // reports it.
    let Ok(regex) = rule.regex() else { return };
    let mut pos = start;
    while pos <= hay.len() {
        let Some(caps) = regex.captures_at(hay, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        pos = if whole.end() > whole.start() {
            whole.end()
        } else {
            whole.end() + 1
        };
        let Some((secret_start, secret_end)) = rule.secret_span(&caps) else {
            continue;
        };
        if secret_end == secret_start {
            continue;
        }
        let j = match rule.judge(&caps) {
            Ok(j) => j,
            Err(_) => {
                rejected.push((ri, secret_start));
                continue;
            }
        };
        // A JWT is judged by its claims: unsigned is none; expired, or a sample, is info. A
        // SAS by its signed expiry: expired is info.
        let secret = &hay[secret_start..secret_end];
        let verdict = rule.jwt.then(|| jwt::judge(secret, jwt::now()));
        if verdict == Some(Verdict::NotACredential) {
            rejected.push((ri, secret_start));
            continue;
        }
        let documented = j.documented || verdict == Some(Verdict::Sample);
        let expired = rule.sas && sas::expired_at(hay, secret_start, secret_end, jwt::now());
        let info = info || expired || verdict.is_some_and(|v| v != Verdict::Live);
        out.push(RawMatch {
            rule: ri,
            match_start: whole.start(),
            secret_start,
            secret_end,
            confidence: j.confidence,
            documented,
            info,
            name: rule.name_span(&caps),
            id: rule.id_span(&caps),
            inner: None,
            extracted: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn engine(toml: &str) -> Engine {
        Engine::new(parse_rule_file(toml, "test").expect("valid rules")).expect("engine builds")
    }

    fn builtin() -> Engine {
        Engine::new(RuleSet::builtin().expect("built-in rules load")).expect("engine builds")
    }

    fn secrets(e: &Engine, hay: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        e.find(hay, &mut Scratch::default(), &mut out);
        out.iter()
            .map(|m| {
                (
                    e.rule(m.rule).id.clone(),
                    String::from_utf8_lossy(&hay[m.secret_start..m.secret_end]).into_owned(),
                )
            })
            .collect()
    }

    /// Every built-in rule's examples match it and its negative examples do not.
    #[test]
    fn builtin_rule_examples() {
        let problems = crate::engine::check::check_examples(&builtin(), true);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    const KEY: &str = "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"; // sealant:allow test key

    #[test]
    fn stripe_key_boundaries() {
        let e = builtin();
        let live = "stripe.secret-key.live".to_string();
        for (hay, expect) in [
            (format!("<string>{KEY}</string>"), Some(KEY)),
            (format!("a\0{KEY}\0b"), Some(KEY)),
            (KEY.to_string(), Some(KEY)),
            (format!("x={KEY}&y=1"), Some(KEY)),
            (format!("'{KEY}_suffix'"), Some(KEY)),
            (format!("task_live_{}", &KEY[8..]), None),
            (format!("a{KEY}"), None),
        ] {
            let found = secrets(&e, hay.as_bytes());
            match expect {
                Some(k) => assert_eq!(found, vec![(live.clone(), k.to_string())], "{hay}"),
                None => assert!(found.is_empty(), "{hay}: {found:?}"),
            }
        }
    }

    #[test]
    fn long_keys_are_captured_whole() {
        let e = builtin();
        let body: String = KEY[8..].repeat(3);
        let key = format!("sk_live_{}", &body[..247]);
        let found = secrets(&e, format!("k=\"{key}\"").as_bytes());
        assert_eq!(found, vec![("stripe.secret-key.live".to_string(), key)]);
    }

    #[test]
    fn invalid_utf8_around_keys_is_fine() {
        let e = builtin();
        let mut hay = vec![0xff, 0xfe, 0xc3];
        hay.extend_from_slice(KEY.as_bytes());
        hay.extend_from_slice(&[0x80, 0xff]);
        assert_eq!(secrets(&e, &hay).len(), 1);
    }

    #[test]
    fn dense_keywords_are_searched_once_per_rule() {
        let e = builtin();
        let hay = "sk_live_".repeat(200_000);
        assert!(secrets(&e, hay.as_bytes()).is_empty());
    }

    #[test]
    fn shorter_keyword_at_same_spot_is_not_lost() {
        let e = engine(
            r#"
[[rule]]
id = "long"
title = "t"
severity = "low"
keywords = ["abc_def"]
regex = 'abc_def(\d+)'
remediation = "r"
[[rule]]
id = "short"
title = "t"
severity = "low"
keywords = ["abc"]
regex = 'abc_(\w+)'
remediation = "r"
"#,
        );
        let ids: Vec<String> = secrets(&e, b"abc_def123")
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(ids, vec!["short".to_string(), "long".to_string()]);
    }

    #[test]
    fn documented_values_are_flagged() {
        let e = builtin();
        let mut out = Vec::new();
        e.find(
            b"sk_test_4eC39HqLyjWDarjtT1zdp7dc", // sealant:allow documented test key
            &mut Scratch::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].documented);
    }

    #[test]
    fn rules_without_keywords_are_rejected() {
        let err = parse_rule_file(
            "[[rule]]\nid='x'\ntitle='t'\nseverity='low'\nkeywords=[]\nregex='a'\nremediation='r'\n",
            "custom.toml",
        )
        .expect_err("must fail");
        assert!(err.to_string().contains("no keywords"), "{err}");
    }
}
