//! The providers sealant can ask, which provider a secret belongs to, and the verdicts they
//! give (the [`Verification`] a finding carries).

use crate::finding::{Status, Verification};

/// A verdict from provider `p`.
pub(super) fn verdict(status: Status, p: Provider, detail: impl Into<String>) -> Verification {
    Verification {
        status,
        provider: p.name().to_string(),
        detail: detail.into(),
        scopes: Vec::new(),
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
    Netlify,
    Cloudflare,
    Datadog,
    Mailgun,
    Airtable,
    Newrelic,
    Discord,
    Figma,
    Circleci,
    Asana,
    Frameio,
    Dropbox,
    Yandex,
    Hubspot,
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
        Provider::Netlify,
        Provider::Cloudflare,
        Provider::Datadog,
        Provider::Mailgun,
        Provider::Airtable,
        Provider::Newrelic,
        Provider::Discord,
        Provider::Figma,
        Provider::Circleci,
        Provider::Asana,
        Provider::Frameio,
        Provider::Dropbox,
        Provider::Yandex,
        Provider::Hubspot,
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
            Provider::Netlify => "Netlify",
            Provider::Cloudflare => "Cloudflare",
            Provider::Datadog => "Datadog",
            Provider::Mailgun => "Mailgun",
            Provider::Airtable => "Airtable",
            Provider::Newrelic => "New Relic",
            Provider::Discord => "Discord",
            Provider::Figma => "Figma",
            Provider::Circleci => "CircleCI",
            Provider::Asana => "Asana",
            Provider::Frameio => "Frame.io",
            Provider::Dropbox => "Dropbox",
            Provider::Yandex => "Yandex",
            Provider::Hubspot => "HubSpot",
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
            Provider::Netlify => "NETLIFY",
            Provider::Cloudflare => "CLOUDFLARE",
            Provider::Datadog => "DATADOG",
            Provider::Mailgun => "MAILGUN",
            Provider::Airtable => "AIRTABLE",
            Provider::Newrelic => "NEWRELIC",
            Provider::Discord => "DISCORD",
            Provider::Figma => "FIGMA",
            Provider::Circleci => "CIRCLECI",
            Provider::Asana => "ASANA",
            Provider::Frameio => "FRAMEIO",
            Provider::Dropbox => "DROPBOX",
            Provider::Yandex => "YANDEX",
            Provider::Hubspot => "HUBSPOT",
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
            Provider::Netlify => "https://api.netlify.com",
            Provider::Cloudflare => "https://api.cloudflare.com",
            // The first of their sites; the others are asked too (`regional`).
            Provider::Datadog => "https://api.datadoghq.com",
            Provider::Mailgun => "https://api.mailgun.net",
            Provider::Airtable => "https://api.airtable.com",
            // The first of its regions; the EU's is asked too (`regional`).
            Provider::Newrelic => "https://api.newrelic.com",
            Provider::Discord => "https://discord.com",
            Provider::Figma => "https://api.figma.com",
            Provider::Circleci => "https://circleci.com",
            Provider::Asana => "https://app.asana.com",
            Provider::Frameio => "https://api.frame.io",
            Provider::Dropbox => "https://api.dropboxapi.com",
            Provider::Yandex => "https://login.yandex.ru",
            Provider::Hubspot => "https://api.hubapi.com",
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
            ("nfp_", Provider::Netlify),
            ("cfut_", Provider::Cloudflare),
            ("NRAK-", Provider::Newrelic),
            ("figd_", Provider::Figma),
            ("fio-u-", Provider::Frameio),
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
        if rule_id.starts_with("netlify.") {
            return Some(Provider::Netlify);
        }
        if rule_id == "cloudflare.api-token" {
            return Some(Provider::Cloudflare);
        }
        if rule_id == "datadog.api-key" {
            return Some(Provider::Datadog);
        }
        if rule_id.starts_with("mailgun.api-key") {
            return Some(Provider::Mailgun);
        }
        if rule_id == "airtable.pat" || rule_id == "airtable.oauth-token" {
            return Some(Provider::Airtable);
        }
        let by_rule = [
            ("discord.bot-token", Provider::Discord),
            ("figma.token", Provider::Figma),
            ("circleci.token", Provider::Circleci),
            ("circleci.token-unprefixed", Provider::Circleci),
            ("asana.token", Provider::Asana),
            ("dropbox.token", Provider::Dropbox),
            ("yandex.oauth-token", Provider::Yandex),
            ("hubspot.private-app-token", Provider::Hubspot),
        ];
        if let Some(&(_, p)) = by_rule.iter().find(|(id, _)| *id == rule_id) {
            return Some(p);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_format_then_rule() {
        use Provider::*;
        let paystack = "sk_live_3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a"; // sealant:allow test value
        // One line a case: each test value carries its `sealant:allow`.
        #[rustfmt::skip]
        let cases: &[(&str, &str, Option<Provider>)] = &[
            ("frontend.public-env-secret", "sk_live_51u8jzPde0IgxLd6GncfBAepf", Some(Stripe)), // sealant:allow test value
            ("aws.access-key-pair", "xVGj6dQrR4xKwXcFn1z6iQRluTYKD3HJ3vJVAsLf", Some(Aws)),
            ("twilio.api-key", "0ed00e9d2f64c4d3f07515bed076de5a", Some(Twilio)), // sealant:allow test value
            ("netlify.token-unprefixed", "jW59ZSmkWsOb_XuLsSGbiY3GLG5Q6YPl3XSA7M6OH_3", Some(Netlify)), // sealant:allow test value
            ("cloudflare.api-token", "laq_V9EKiInzdBgSW5h199R9BHK4rr6qx9hzDmpq", Some(Cloudflare)), // sealant:allow test value
            ("datadog.api-key", "3b8e0f5a9c2d4e7f1a6b8c0d2e4f6a8b", Some(Datadog)), // sealant:allow test value
            ("mailgun.api-key", "key-4f9c2e7a1d8b3f6e0a5c9d2b7e4f1a8c", Some(Mailgun)), // sealant:allow test value
            ("airtable.oauth-token", "oaaQ3kT9vLmZx2RbN.v1.eyJ1c2VySWQiOiJ1c3IifQ.0d67", Some(Airtable)), // sealant:allow test value
            ("newrelic.key", "NRAK-OZCLE6876J3ZPBIE3Z7APSX96KF", Some(Newrelic)), // sealant:allow test value
            ("yandex.oauth-token", "y0_ij2EFxBr6lRMmDI6BPYIjGoXGvU-5SDVYCoMlZ1R_D1rmQWbhV0l1MY", Some(Yandex)), // sealant:allow test value
            ("hubspot.private-app-token", "pat-na1-4ac1d49e-c366-4694-b667-006b4c88fb32", Some(Hubspot)), // sealant:allow test value
            ("figma.token", "figd_yPdekT4WDtL4WXeV4Nw5LX_6UfvV08-syJstfOBW", Some(Figma)), // sealant:allow test value
            // An ingest key reads nothing back: not sent.
            ("newrelic.license-key", "ccf25ec84d8dbc74254770f58904dba41eccNRAL", None), // sealant:allow test value
            ("connection-string.credentials", "hunter2hunter2", None),
            ("stripe.webhook-secret", "whsec_abc", None),
            // A Paystack key is not Stripe's, even wrapped by another rule.
            ("paystack.secret-key", paystack, None),
            ("frontend.public-env-secret", paystack, None),
            ("stripe.publishable-key.live", "pk_live_abc", None),
        ];
        for &(rule, secret, want) in cases {
            assert_eq!(Provider::of(rule, secret), want, "{rule}");
        }
    }
}
