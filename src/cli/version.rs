//! `sealant version` (and `--version`): sealant's version, the built-in rule catalog's version
//! (a digest of the rule files) and its size.

use crate::rules::RuleSet;

/// The version line after the program's name: sealant's version and the built-in catalog's
/// (the version with a digest of the rule files, which changes whenever a rule does) and size.
pub fn version_text() -> String {
    let version = crate::VERSION;
    let catalog = crate::rules::builtin::catalog_version();
    match RuleSet::builtin() {
        Ok(set) => format!(
            "{version} (rule catalog {catalog}: {} content rules, {} file rules)",
            set.rules.len(),
            set.file_rules.len()
        ),
        Err(_) => format!("{version} (rule catalog {catalog})"),
    }
}
