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
pub mod recover;
mod services;
pub mod sigv4;
mod stripe;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::finding::Finding;
use crate::scan::ScanOutcome;
use http::{Answer, Failure, Http};

/// What the provider said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It authenticates: rotate it now.
    Active,
    /// The provider rejects it (invalid, expired, revoked or deleted).
    Inactive,
    /// No answer that tells (rate limited, timed out, provider error, or the check needs
    /// something the finding does not have).
    Unknown,
    /// The check failed (connection, TLS, a redirect, an answer that is not the provider's).
    Error,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Inactive => "inactive",
            Status::Unknown => "unknown",
            Status::Error => "error",
        }
    }
}

/// A finding's verification result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub status: Status,
    /// Who was asked (`Stripe`, `GitHub`, …).
    pub provider: String,
    /// What the answer said: the account or user, live or test mode, why it is unknown.
    pub detail: String,
    /// What an active key can do, where the provider says (token scopes, the Stripe
    /// resources a restricted key can read): how urgent the rotation is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

impl Verification {
    fn new(status: Status, p: Provider, detail: impl Into<String>) -> Verification {
        Verification {
            status,
            provider: p.name().to_string(),
            detail: detail.into(),
            scopes: Vec::new(),
        }
    }

    fn scopes(mut self, scopes: Vec<String>) -> Verification {
        self.scopes = scopes;
        self
    }
}

/// The providers sealant can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Stripe,
    Github,
    Gitlab,
    Slack,
    Openai,
    Anthropic,
    Sendgrid,
    Npm,
    Huggingface,
    Twilio,
    Aws,
}

impl Provider {
    pub const ALL: &'static [Provider] = &[
        Provider::Stripe,
        Provider::Github,
        Provider::Gitlab,
        Provider::Slack,
        Provider::Openai,
        Provider::Anthropic,
        Provider::Sendgrid,
        Provider::Npm,
        Provider::Huggingface,
        Provider::Twilio,
        Provider::Aws,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Stripe => "Stripe",
            Provider::Github => "GitHub",
            Provider::Gitlab => "GitLab",
            Provider::Slack => "Slack",
            Provider::Openai => "OpenAI",
            Provider::Anthropic => "Anthropic",
            Provider::Sendgrid => "SendGrid",
            Provider::Npm => "npm",
            Provider::Huggingface => "Hugging Face",
            Provider::Twilio => "Twilio",
            Provider::Aws => "AWS",
        }
    }

    /// The `<PROVIDER>` of `SEALANT_VERIFY_BASE_URL_<PROVIDER>`.
    pub fn env_name(self) -> &'static str {
        match self {
            Provider::Stripe => "STRIPE",
            Provider::Github => "GITHUB",
            Provider::Gitlab => "GITLAB",
            Provider::Slack => "SLACK",
            Provider::Openai => "OPENAI",
            Provider::Anthropic => "ANTHROPIC",
            Provider::Sendgrid => "SENDGRID",
            Provider::Npm => "NPM",
            Provider::Huggingface => "HUGGINGFACE",
            Provider::Twilio => "TWILIO",
            Provider::Aws => "AWS",
        }
    }

    /// The provider's own API host: the only place its secrets are sent.
    pub fn base_url(self) -> &'static str {
        match self {
            Provider::Stripe => "https://api.stripe.com",
            Provider::Github => "https://api.github.com",
            Provider::Gitlab => "https://gitlab.com",
            Provider::Slack => "https://slack.com",
            Provider::Openai => "https://api.openai.com",
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::Sendgrid => "https://api.sendgrid.com",
            Provider::Npm => "https://registry.npmjs.org",
            Provider::Huggingface => "https://huggingface.co",
            Provider::Twilio => "https://api.twilio.com",
            Provider::Aws => "https://sts.amazonaws.com",
        }
    }

    /// The provider of a finding's secret: by the secret's format where it has a prefix of
    /// its own, else by the rule that found it.
    pub fn of(rule_id: &str, secret: &str) -> Option<Provider> {
        const PREFIXES: &[(&str, Provider)] = &[
            ("sk_live_", Provider::Stripe),
            ("sk_test_", Provider::Stripe),
            ("rk_live_", Provider::Stripe),
            ("rk_test_", Provider::Stripe),
            ("ghp_", Provider::Github),
            ("gho_", Provider::Github),
            ("ghu_", Provider::Github),
            ("ghs_", Provider::Github),
            ("ghr_", Provider::Github),
            ("github_pat_", Provider::Github),
            ("glpat-", Provider::Gitlab),
            ("xox", Provider::Slack),
            ("sk-ant-", Provider::Anthropic),
            ("SG.", Provider::Sendgrid),
            ("npm_", Provider::Npm),
            ("hf_", Provider::Huggingface),
        ];
        // Paystack's secret keys share Stripe's `sk_live_`/`sk_test_` prefix (40 lower-case hex
        // digits follow): never sent to Stripe, whatever rule reported them.
        let paystack = |body: &str| {
            body.len() == 40
                && body
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let body = secret
            .strip_prefix("sk_live_")
            .or(secret.strip_prefix("sk_test_"));
        if rule_id.starts_with("paystack.") || body.is_some_and(paystack) {
            return None;
        }
        if let Some(&(_, p)) = PREFIXES.iter().find(|(pre, _)| secret.starts_with(pre)) {
            return Some(p);
        }
        if secret.starts_with("sk-") && secret.contains("T3BlbkFJ") {
            return Some(Provider::Openai);
        }
        if rule_id.starts_with("aws.secret-access-key")
            || rule_id.starts_with("aws.access-key-pair")
        {
            return Some(Provider::Aws);
        }
        if rule_id.starts_with("twilio.") {
            return Some(Provider::Twilio);
        }
        None
    }
}

/// How many listed findings verified which way (findings of providers sealant does not ask
/// are not counted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifiedCounts {
    pub active: u64,
    pub inactive: u64,
    pub unknown: u64,
    pub error: u64,
}

impl VerifiedCounts {
    fn add(&mut self, s: Status) {
        *match s {
            Status::Active => &mut self.active,
            Status::Inactive => &mut self.inactive,
            Status::Unknown => &mut self.unknown,
            Status::Error => &mut self.error,
        } += 1;
    }
}

/// Verifies the findings of `outcome` (see [`verify`]) and counts the results in its
/// summary; with `only_active`, keeps only the findings verified active (the counts follow:
/// findings counted but not listed were never verified, and are dropped too).
pub fn outcome(
    outcome: &mut ScanOutcome,
    opts: Options,
    only_active: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    verify(&mut outcome.findings, opts, env)?;
    if only_active {
        outcome.findings.retain(|f| {
            f.verification
                .as_ref()
                .is_some_and(|v| v.status == Status::Active)
        });
        let mut counts = crate::scan::FindingCounts::default();
        for f in &outcome.findings {
            counts.add(f.severity);
        }
        outcome.summary.findings = counts;
        outcome.summary.unlisted = Default::default();
    }
    let mut verified = VerifiedCounts::default();
    for v in outcome
        .findings
        .iter()
        .filter_map(|f| f.verification.as_ref())
    {
        verified.add(v.status);
    }
    outcome.summary.verified = Some(verified);
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
        _ => services::check(http, p, &job.secret, job.companion.as_deref()),
    }
}

/// The result for what every provider answers alike: a failure, a `401`, a `429` (after
/// its retry), a redirect, a server error; `None` for the answers a provider reads itself.
fn common(p: Provider, answer: std::result::Result<&Answer, &Failure>) -> Option<Verification> {
    let a = match answer {
        Err(Failure::Timeout) => {
            return Some(Verification::new(
                Status::Unknown,
                p,
                "no answer within the timeout (--verify-timeout)",
            ));
        }
        Err(Failure::Failed(why)) => {
            return Some(Verification::new(Status::Error, p, why.clone()));
        }
        Ok(a) => a,
    };
    Some(match a.status {
        401 => Verification::new(
            Status::Inactive,
            p,
            "401: invalid, expired, revoked or deleted",
        ),
        429 => Verification::new(Status::Unknown, p, "rate limited (429, retried once)"),
        300..=399 => Verification::new(
            Status::Error,
            p,
            format!("answered with a redirect ({}), not followed", a.status),
        ),
        500..=599 => Verification::new(
            Status::Unknown,
            p,
            format!("the provider failed ({})", a.status),
        ),
        _ => return None,
    })
}

/// An answer no rule above explains.
fn unexpected(p: Provider, a: &Answer) -> Verification {
    Verification::new(
        Status::Error,
        p,
        format!("unexpected answer (HTTP {})", a.status),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_format_then_rule() {
        let stripe = "sk_live_51u8jzPde0IgxLd6GncfBAepf"; // sealant:allow test value
        assert_eq!(
            Provider::of("frontend.public-env-secret", stripe),
            Some(Provider::Stripe)
        );
        assert_eq!(
            Provider::of(
                "aws.access-key-pair",
                "xVGj6dQrR4xKwXcFn1z6iQRluTYKD3HJ3vJVAsLf"
            ),
            Some(Provider::Aws)
        );
        assert_eq!(
            Provider::of("twilio.api-key", "0ed00e9d2f64c4d3f07515bed076de5a"),
            Some(Provider::Twilio)
        );
        assert_eq!(
            Provider::of("connection-string.credentials", "hunter2hunter2"),
            None
        );
        assert_eq!(Provider::of("stripe.webhook-secret", "whsec_abc"), None);
        // A Paystack key is not Stripe's, even wrapped by another rule.
        let paystack = "sk_live_3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a"; // sealant:allow test value
        assert_eq!(Provider::of("paystack.secret-key", paystack), None);
        assert_eq!(Provider::of("frontend.public-env-secret", paystack), None);
        assert_eq!(
            Provider::of("stripe.publishable-key.live", "pk_live_abc"),
            None
        );
    }
}
