//! The built-in rule files, embedded in the binary at build time.
//!
//! Every file in `rules/` must be listed here; a unit test checks that none is forgotten.

/// The built-in catalog's version: sealant's version and a digest of the rule files (every
/// file under `rules/`, the probe's site checks included), which changes whenever a rule does
/// (`0.1.0+1a2b3c4d5e6f`). Computed at build time (build.rs).
pub fn catalog_version() -> String {
    format!("{}+{}", crate::VERSION, env!("SEALANT_CATALOG_DIGEST"))
}

/// (file name, contents) of each built-in rule file, in load order.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("stripe.toml", include_str!("../../rules/stripe.toml")),
    ("cloud.toml", include_str!("../../rules/cloud.toml")),
    ("codehosts.toml", include_str!("../../rules/codehosts.toml")),
    ("payments.toml", include_str!("../../rules/payments.toml")),
    ("saas.toml", include_str!("../../rules/saas.toml")),
    ("ai.toml", include_str!("../../rules/ai.toml")),
    ("devops.toml", include_str!("../../rules/devops.toml")),
    ("business.toml", include_str!("../../rules/business.toml")),
    ("keys.toml", include_str!("../../rules/keys.toml")),
    (
        "frameworks.toml",
        include_str!("../../rules/frameworks.toml"),
    ),
    ("exposure.toml", include_str!("../../rules/exposure.toml")),
    ("published.toml", include_str!("../../rules/published.toml")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("rules/ exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN_RULE_FILES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
