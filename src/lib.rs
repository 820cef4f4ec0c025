//! sealant: a secret-leak scanner for codebases and build artifacts.
//!
//! Data flows one way: `source` (walk, stdin) → `blob` (chunked reading) → `engine` (keyword
//! prefilter + regex confirmation, rules from `rules`) → `finding` → `report`. `scan` ties the
//! stages together; `cli` maps the command line onto it.

/// sealant's version (reports, and what makes two scans' parts mergeable).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod blob;
pub mod cli;
pub mod clock;
pub mod config;
pub mod decode;
pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod exposure;
pub mod finding;
pub mod hook;
pub mod policy;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod verify;
