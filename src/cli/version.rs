//! `sealant version` (and `--version`): sealant's version, the built-in rule catalog's version
//! (a digest of the rule files) and its size.

use crate::rules::RuleSet;

/// The version line after the program's name: sealant's version and the built-in catalog's
/// (the version with a digest of the rule files, which changes whenever a rule does) and size.
pub fn version_text() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, text) in crate::rules::builtin::BUILTIN_RULE_FILES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let digest = crate::finding::hex(&h.finalize()[..6]);
    let version = crate::VERSION;
    match RuleSet::builtin() {
        Ok(set) => format!(
            "{version} (rule catalog {version}+{digest}: {} content rules, {} file rules)",
            set.rules.len(),
            set.file_rules.len()
        ),
        Err(_) => format!("{version} (rule catalog {version}+{digest})"),
    }
}
