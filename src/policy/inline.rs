//! Inline allow markers: a comment such as `// sealant:allow test key` on a finding's line
//! accepts that finding. The blob scanner asks, for each match, whether its line carries one.

use crate::error::{Error, Result};

/// The markers that, in a comment on a finding's line, accept the finding by default:
/// sealant's own and gitleaks's (so a repository moving from gitleaks keeps its
/// suppressions). The project config's `allow-markers` replaces the list.
pub const DEFAULT_ALLOW_MARKERS: [&str; 2] = ["sealant:allow", "gitleaks:allow"];

/// The markers in force.
#[derive(Debug, Clone)]
pub struct AllowMarkers(Vec<Vec<u8>>);

impl Default for AllowMarkers {
    fn default() -> Self {
        AllowMarkers(
            (DEFAULT_ALLOW_MARKERS.iter())
                .map(|m| m.as_bytes().to_vec())
                .collect(),
        )
    }
}

impl AllowMarkers {
    /// The project config's `allow-markers` (`source` names the config in errors): each must
    /// be long enough to mark a line deliberately.
    pub fn new(markers: &[String], source: &str) -> Result<AllowMarkers> {
        if let Some(m) = markers.iter().find(|m| m.trim().len() < 3) {
            return Err(Error::new(format!(
                "{source}: allow-markers: {m:?} is too short to mark a line deliberately"
            )));
        }
        Ok(AllowMarkers(
            markers.iter().map(|m| m.as_bytes().to_vec()).collect(),
        ))
    }

    /// Whether the line holding byte `at` of `buf` carries a marker.
    pub fn line_allows(&self, buf: &[u8], at: usize) -> bool {
        let start = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i);
        let line = &buf[start..end];
        (self.0.iter()).any(|m| memchr::memmem::find(line, m).is_some())
    }
}
