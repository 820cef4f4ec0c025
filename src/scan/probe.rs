//! A deployed site, scanned (`sealant probe`): each body the web source fetches goes through
//! the same blob scan as a file (engine, decoders, archives), with its URL as its path; each
//! well-known exposure the site proved (a served `.env`, `.git/`, a debug panel) is a finding
//! of its own site check, at the URL.

use crate::error::Result;
use crate::exposure::Exposure;

use crate::finding::{Confidence, Finding};
use crate::rules::site::SiteCheck;
use crate::scan::archive::Input;
use crate::scan::context::{FileContext, Origin};
use crate::source::root::BlobName;
use crate::source::web::{self, Body, ProbeConfig};

/// The longest proof quoted in a finding's detail.
const PROOF_SHOWN: usize = 60;

impl FileContext<'_> {
    /// Probes the site(s) of `config`, handing each body's findings to `keep`. Returns a
    /// notice when no start page answered.
    pub(super) fn scan_site(
        &self,
        config: &ProbeConfig,
        keep: &(dyn Fn(Vec<Finding>) + Sync),
    ) -> Result<Option<String>> {
        let scan = |body: Body<'_>| {
            let name = BlobName::plain(body.url.to_string());
            let mut found = Vec::new();
            if let Some((check, proof)) = &body.exposure {
                found.push(exposure_finding(check, proof, &name));
            }
            let mut scanner = self.scanner();
            let content = &mut &body.fetched.body[..];
            let input = Input::Git {
                content,
                size: body.fetched.body.len() as u64,
            };
            let no = || false;
            found.extend(
                self.scan_input(&mut scanner, input, &name, Origin::Fetched, &no, &no)
                    .0,
            );
            keep(found);
        };
        let warn = |url: String, message: String| self.stats.warn(url, message);
        let counts = web::probe(config, &self.stats.requests, &scan, &warn)?;
        Ok(
            (!counts.unreachable.is_empty() && counts.bodies == 0).then(|| {
                format!(
                    "no page answered ({}): nothing on the site was checked",
                    counts.unreachable.join(", ")
                )
            }),
        )
    }
}

/// The finding for a well-known path the site serves, proven by its body.
fn exposure_finding(check: &SiteCheck, proof: &str, name: &BlobName) -> Finding {
    // Names, never values: a proof line of a `.env` is `NAME=value`.
    let proof = match proof.split_once('=') {
        Some((name, _)) => format!("{}=…", name.trim()),
        None => proof.to_string(),
    };
    let mut shown: String = proof.chars().take(PROOF_SHOWN).collect();
    if shown.len() < proof.len() {
        shown.push('…');
    }
    let mut f = Finding::about_file(
        &check.id,
        &check.title,
        check.severity,
        Confidence::High,
        &check.remediation,
        &name.shown,
        &name.canonical,
        Exposure::LiveSite,
    );
    f.detail = Some(format!("the site answers with it: {shown:?}"));
    f
}
