//! A deployed site as a source (`sealant probe URL…`): its pages, the scripts and
//! preloads they name, the chunks scripts and bundlers' manifests name, source maps, and the
//! well-known paths where deploys leave secrets or debug panels (`rules/probe/site.toml`) —
//! each body handed to the scan as it arrives, with its URL as its path. Never leaves the
//! origin of the URL it started from (no other host, port or scheme; no redirect off it),
//! within a request budget, a rate, a concurrency, a timeout and a size cap per answer; what
//! goes wrong is a warning, never the end of the probe.

pub mod fetch;
pub mod links;
pub mod url;

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::rules::site::SiteCheck;
use fetch::{Fetched, Fetcher};
use links::Kind;
use url::Url;

/// Rounds of following links (page → script → chunk → map …) at most.
const MAX_ROUNDS: usize = 8;

/// What a probe may do.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The pages to start from (absolute http(s) URLs).
    pub urls: Vec<String>,
    /// Requests for the whole probe (redirect hops count).
    pub max_requests: u64,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second at most (0: no limit).
    pub rate: f64,
    /// Per request, the answer's body included.
    pub timeout: Duration,
    /// Bytes read from one answer.
    pub max_response: u64,
    /// Sent with every request (`--header 'Authorization: …'`).
    pub headers: Vec<(String, String)>,
    /// Request the well-known exposure paths too.
    pub well_known: bool,
}

/// A body to scan: its URL and kind, and the site check it proved, if any.
pub struct Body<'a> {
    pub url: &'a Url,
    pub fetched: &'a Fetched,
    /// The site check this body proved, with what proved it.
    pub exposure: Option<(&'a SiteCheck, String)>,
}

/// What a probe did.
#[derive(Debug, Default)]
pub struct ProbeCounts {
    pub requests: u64,
    /// Answers handed on to be scanned.
    pub bodies: u64,
    /// Start pages that gave no answer.
    pub unreachable: Vec<String>,
}

/// One thing to request.
#[derive(Clone)]
struct Job {
    url: Url,
    kind: Kind,
    /// Index into the checks, for a well-known path.
    check: Option<usize>,
}

/// Runs the probe: `requests` counts the requests as they start, `scan` gets each body to scan
/// (from several threads), `warn` each problem (the URL, the message).
pub fn probe(
    config: &ProbeConfig,
    requests: &AtomicU64,
    scan: &(dyn Fn(Body<'_>) + Sync),
    warn: &(dyn Fn(String, String) + Sync),
) -> Result<ProbeCounts> {
    let mut starts = Vec::new();
    for u in &config.urls {
        let url = Url::parse(u).ok_or_else(|| {
            Error::new(format!(
                "{u:?} is not an http(s) URL; sealant probe takes URLs like \
                 https://shop.example.com/"
            ))
        })?;
        starts.push(url);
    }
    let checks = if config.well_known {
        SiteCheck::builtin()?
    } else {
        Vec::new()
    };
    let fetcher = Fetcher::new(
        config.timeout,
        config.max_requests,
        config.rate,
        config.max_response,
        config.headers.clone(),
        requests,
    );
    let mut seen: HashSet<(Url, bool)> = HashSet::new();
    let mut round: Vec<Job> = Vec::new();
    let mut origins = HashSet::new();
    for url in &starts {
        if seen.insert((url.clone(), false)) {
            round.push(Job {
                url: url.clone(),
                kind: Kind::Page,
                check: None,
            });
        }
        if !origins.insert(url.origin()) {
            continue;
        }
        // Bundlers' manifests name every chunk, lazy ones included.
        for manifest in ["/asset-manifest.json", "/.vite/manifest.json"] {
            let m = url.with_path(manifest);
            if seen.insert((m.clone(), false)) {
                round.push(Job {
                    url: m,
                    kind: Kind::Manifest,
                    check: None,
                });
            }
        }
        for (i, c) in checks.iter().enumerate() {
            for p in &c.paths {
                let m = url.with_path(p);
                if seen.insert((m.clone(), true)) {
                    round.push(Job {
                        url: m,
                        kind: Kind::Page,
                        check: Some(i),
                    });
                }
            }
        }
    }
    let start_set: HashSet<Url> = starts.iter().cloned().collect();
    let unreachable = Mutex::new(Vec::new());
    let bodies = AtomicUsize::new(0);
    for _ in 0..MAX_ROUNDS {
        if round.is_empty() {
            break;
        }
        let next: Mutex<Vec<(Url, Kind)>> = Mutex::new(Vec::new());
        let queue_cap = (fetcher.left() as usize).saturating_mul(2).max(16);
        let cursor = AtomicUsize::new(0);
        let workers = config.concurrency.clamp(1, 64).min(round.len());
        let work = |_: usize| loop {
            let i = cursor.fetch_add(1, Ordering::Relaxed);
            let Some(job) = round.get(i) else { break };
            let fetched = match fetcher.get(&job.url) {
                Ok(Some(f)) => f,
                Ok(None) => break, // the budget is spent
                Err(e) => {
                    // A well-known path that fails to answer says nothing.
                    if job.check.is_none() {
                        warn(job.url.to_string(), e);
                        if start_set.contains(&job.url)
                            && let Ok(mut u) = unreachable.lock()
                        {
                            u.push(job.url.to_string());
                        }
                    }
                    continue;
                }
            };
            let exposure = job
                .check
                .and_then(|c| checks[c].proves(&fetched.body).map(|p| (&checks[c], p)));
            if job.check.is_some() && exposure.is_none() {
                continue; // not proven: whatever answered is not the file asked for
            }
            // A script, map or manifest that comes back as a page is a single-page app's
            // answer for a path it does not have.
            if job.kind != Kind::Page
                && links::looks_like_html(&String::from_utf8_lossy(
                    &fetched.body[..fetched.body.len().min(1024)],
                ))
            {
                continue;
            }
            let ok = (200..300).contains(&fetched.status) || exposure.is_some();
            if !ok {
                if job.kind == Kind::Page && job.check.is_none() {
                    warn(
                        job.url.to_string(),
                        format!("answered {}; not scanned", fetched.status),
                    );
                }
                continue;
            }
            if fetched.truncated {
                warn(
                    fetched.url.to_string(),
                    format!(
                        "the answer is larger than --max-response ({}): its first {} were \
                         scanned",
                        crate::words::size(config.max_response),
                        crate::words::plural(fetched.body.len() as u64, "byte")
                    ),
                );
            }
            if let Some(why) = &fetched.broke_off {
                warn(
                    fetched.url.to_string(),
                    format!(
                        "{why}: the {} that arrived were scanned",
                        crate::words::plural(fetched.body.len() as u64, "byte")
                    ),
                );
            }
            scan(Body {
                url: &fetched.url,
                fetched: &fetched,
                exposure,
            });
            bodies.fetch_add(1, Ordering::Relaxed);
            let mut found =
                links::links(&fetched.url, job.kind, &fetched.content_type, &fetched.body);
            if let Some(map) = fetched
                .source_map
                .as_deref()
                .and_then(|h| links::header_map(&fetched.url, h))
            {
                found.push(map);
            }
            if let Ok(mut n) = next.lock() {
                // No more is queued than the budget could ever fetch (memory stays bounded
                // however many links the site's pages hold).
                let room = queue_cap.saturating_sub(n.len());
                n.extend(
                    found
                        .into_iter()
                        .filter_map(|u| Kind::of_link(&u).map(|k| (u, k)))
                        .take(room),
                );
            }
        };
        std::thread::scope(|s| {
            for w in 1..workers {
                let work = &work;
                s.spawn(move || work(w));
            }
            work(0);
        });
        let left = round.len().saturating_sub(cursor.load(Ordering::Relaxed));
        let mut following = Vec::new();
        for (url, kind) in next.into_inner().unwrap_or_default() {
            if seen.insert((url.clone(), false)) {
                following.push(Job {
                    url,
                    kind,
                    check: None,
                });
            }
        }
        following.sort_by(|a, b| a.url.cmp(&b.url));
        if fetcher.left() == 0 && (left > 0 || !following.is_empty()) {
            let origin = starts.first().map(Url::origin).unwrap_or_default();
            warn(
                origin,
                format!(
                    "stopped at the request cap (--max-requests {}): {} URLs not fetched",
                    config.max_requests,
                    left + following.len()
                ),
            );
            round.clear();
            break;
        }
        round = following;
    }
    if !round.is_empty() {
        let origin = starts.first().map(Url::origin).unwrap_or_default();
        warn(
            origin,
            format!(
                "stopped following links after {MAX_ROUNDS} rounds: {} URLs not fetched",
                round.len()
            ),
        );
    }
    Ok(ProbeCounts {
        requests: requests.load(Ordering::Relaxed),
        bodies: bodies.load(Ordering::Relaxed) as u64,
        unreachable: unreachable.into_inner().unwrap_or_default(),
    })
}
