//! Live verification (`scan --verify`, `sealant verify`): asks each secret's provider whether it
//! is active, with a read-only request to the provider's own API host, and records the answer
//! on the findings. Nothing leaves the machine without `--verify`; each distinct secret is
//! asked about once per run, by a few requests in flight at most.
//!
//! A finding's provider comes from the secret's own format (`sk_live_…` is Stripe's whichever
//! rule found it, `VITE_STRIPE_KEY=sk_live_…` included) or, for formats without a prefix, from
//! the rule (AWS, Twilio). Credentials in URLs (`postgres://user:pass@host`) are never
//! verified: that would be a request to an arbitrary host.

mod aws;
pub mod http;
pub mod provider;
mod regional;
mod services;
pub mod sigv4;
mod stripe;
mod verdict;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::Result;
use crate::finding::{Finding, FindingCounts, Status, Verification};
use crate::outcome::{ScanOutcome, VerifiedCounts};
use http::Http;
use provider::Provider;

/// Verifies the findings of `outcome` (see [`verify`]) and counts the results in its
/// summary (all of them, before any is dropped). With `only_active`, keeps the findings
/// verified active — and those whose check failed or told nothing (unknown, error), shown
/// with why, unless `drop_failed` says to drop them too: a check that could not run never
/// turns a key into a non-finding on its own. Findings counted but not listed were never
/// verified, and are dropped with `only_active`.
pub fn outcome(
    outcome: &mut ScanOutcome,
    opts: Options,
    only_active: bool,
    drop_failed: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    verify(&mut outcome.findings, opts, env)?;
    let mut verified = VerifiedCounts::default();
    for v in (outcome.findings.iter()).filter_map(|f| f.verification.as_ref()) {
        verified.add(v.status);
    }
    outcome.summary.verified = Some(verified);
    if only_active {
        outcome
            .findings
            .retain(|f| match f.verification.as_ref().map(|v| v.status) {
                Some(Status::Active) => true,
                Some(Status::Unknown | Status::Error) => !drop_failed,
                Some(Status::Inactive) | None => false,
            });
        outcome.summary.findings = FindingCounts::of(&outcome.findings);
        outcome.summary.unlisted = Default::default();
    }
    Ok(())
}

/// How verification runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Per request.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            concurrency: 4,
            timeout: Duration::from_secs(5),
        }
    }
}

/// What one check needs.
struct Job {
    provider: Provider,
    secret: String,
    companion: Option<String>,
}

/// Verifies every finding whose provider sealant knows, each distinct secret once, and
/// records the results (and an urgent or relaxed remediation) on them. `env` reads the
/// base-URL overrides; an override that is not a loopback address is an error.
pub fn verify(
    findings: &mut [Finding],
    opts: Options,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    let http = Http::new(opts.timeout, env)?;
    let mut jobs: Vec<Job> = Vec::new();
    let mut index: HashMap<(Provider, String, Option<String>), usize> = HashMap::new();
    let mut of_finding: Vec<Option<usize>> = Vec::with_capacity(findings.len());
    for f in findings.iter() {
        let usable = !f.secret.is_empty()
            && !f.documented
            && f.recorded.as_ref().is_none_or(|r| !r.redacted);
        let job = Provider::of(&f.rule_id, &f.secret)
            .filter(|_| usable)
            .map(|p| {
                let key = (p, f.secret.clone(), f.companion.clone());
                *index.entry(key).or_insert_with(|| {
                    jobs.push(Job {
                        provider: p,
                        secret: f.secret.clone(),
                        companion: f.companion.clone(),
                    });
                    jobs.len() - 1
                })
            });
        of_finding.push(job);
    }
    let results: Vec<OnceLock<Verification>> = jobs.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.max(1).min(jobs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let _ = results[i].set(check(&http, job));
                }
            });
        }
    });
    for (f, job) in findings.iter_mut().zip(of_finding) {
        let Some(v) = job.and_then(|i| results[i].get()) else {
            continue;
        };
        let urgent = match v.status {
            Status::Active => Some(match Provider::of(&f.rule_id, &f.secret) {
                Some(Provider::Stripe) => {
                    "ACTIVE (Stripe accepts it): roll it now, with the old key expiring in 1 \
                     hour, and once expired confirm the old key answers 401."
                }
                _ => {
                    "ACTIVE: the provider accepts this credential: rotate it now, then review \
                     the provider's logs for its use."
                }
            }),
            Status::Inactive => Some(
                "Verified inactive (the provider rejects it): nothing to rotate for this value, \
                 but remove it: where one key leaked, the next one will.",
            ),
            _ => None,
        };
        if let Some(urgent) = urgent {
            f.remediation = std::sync::Arc::from(format!("{urgent} {}", f.remediation));
        }
        f.verification = Some(v.clone());
    }
    Ok(())
}

fn check(http: &Http, job: &Job) -> Verification {
    let p = job.provider;
    match p {
        Provider::Stripe => stripe::check(http, &job.secret),
        Provider::Aws => aws::check(http, &job.secret, job.companion.as_deref()),
        Provider::Datadog | Provider::Mailgun | Provider::Newrelic => {
            regional::check(http, p, &job.secret)
        }
        _ => services::check(http, p, &job.secret, job.companion.as_deref()),
    }
}
