//! sealant: a secret-leak scanner for codebases, git history and build artifacts.
//!
//! Data flows one way, and so do imports: each stage below imports only the stages beneath it
//! (a file imports files of its own stage or lower ones, never higher, and no two files import
//! each other). From the bottom up:
//!
//! | stage | modules | job |
//! | --- | --- | --- |
//! | 1 foundations | `error`, `clock`, `fasthash`, `words` | error type, UTC dates, a hasher for sealant's own keys, counts in words |
//! | 2 plain data | `finding`, `exposure` | a finding, severities, counts, verdicts; where a file ends up |
//! | 3 diagnostics | `diagnostics` | warnings and counters a scan keeps |
//! | 4 rules | `rules` | the rule schema, the built-in catalog, placeholders, scopes (no engine) |
//! | 5 decode | `decode` | views a format hides: DEX, AXML, plist, Hermes, class, SQLite, marshal, UTF-16, JSON |
//! | 6 engine | `engine` | the keyword prefilter, regex confirmation, the rules' example check |
//! | 7 source | `source` | the walk, canonical paths, shards, git index and history, archives |
//! | 8 policy | `policy` | inline allow markers, allowlists, baselines, `.gitleaksignore` |
//! | 9 progress | `progress` | the progress line |
//! | 10 outcome | `outcome` | what a scan hands on: findings, warnings, summary |
//! | 11 scan | `scan` | orchestration: sources feed per-thread blob scanners; settle and policy |
//! | 12 verify | `verify` | asking providers whether secrets are live (reads findings, never the scan) |
//! | 13 report | `report` | text, JSON, JSONL, SARIF, GitHub, GitLab, JUnit, CSV, merge |
//! | 14 cli | `cli` | one file per command; `main.rs` maps the result to an exit code |

/// sealant's version (reports, and what makes two scans' parts mergeable).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod cli;
pub mod clock;
pub mod decode;
pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod exposure;
pub mod fasthash;
pub mod finding;
pub mod outcome;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod verify;
pub mod words;
