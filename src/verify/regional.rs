//! Providers with one API host per site (region), where a key is known at its own site only
//! and every other site refuses it: Datadog (9 sites), Mailgun and New Relic (US, EU). A key is asked
//! about at each site in turn, until one knows it; it is inactive only when every site refused
//! it, and a site that could not be asked leaves the verdict unknown.
//!
//! | provider | request | active | refused |
//! | --- | --- | --- | --- |
//! | Datadog | `GET api.<site>/api/v1/validate`, `DD-API-KEY` | `200` with `"valid": true` | `403`, `401` |
//! | Mailgun | `GET api.<site>/v3/domains?limit=1`, HTTP Basic `api`:key | `200`; `403` (a domain sending key: authenticated, may only send) | `401` |
//! | New Relic | `POST api.<site>/graphql` (NerdGraph) `{ actor { user { id email } } }`, `API-Key` | `200` with the user | `401`, `403` |

use crate::finding::{Status, Verification};
use crate::verify::http::{Answer, Call, Http};
use crate::verify::provider::{Provider, verdict};
use crate::verify::services::not_checked;
use crate::verify::verdict::{common, unexpected};

/// Datadog's sites, by their API host `api.<site>` (docs.datadoghq.com, "Validate API key"),
/// the most used first.
pub const DATADOG_SITES: [&str; 9] = [
    "datadoghq.com",
    "datadoghq.eu",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "uk1.datadoghq.com",
    "ddog-gov.com",
    "us2.ddog-gov.com",
];

/// Mailgun's regions, by their API host `api.<site>` (documentation.mailgun.com, "Base URL").
pub const MAILGUN_SITES: [&str; 2] = ["mailgun.net", "eu.mailgun.net"];

/// New Relic's regions, by their API host `api.<site>` (docs.newrelic.com, "NerdGraph").
pub const NEWRELIC_SITES: [&str; 2] = ["newrelic.com", "eu.newrelic.com"];

/// The NerdGraph query a user key is checked with: who the key's user is, nothing else.
const NERDGRAPH_WHOAMI: &str = r#"{"query":"{ actor { user { id email } } }"}"#;

/// What one site said of the key.
enum Said {
    Known(Verification),
    Refused,
    Failed(Verification),
}

pub fn check(http: &Http, p: Provider, secret: &str) -> Verification {
    let (sites, call): (&[&str], Call<'_>) = match p {
        Provider::Datadog => {
            if !(secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_hexdigit())) {
                return not_checked(
                    p,
                    "only API keys (32 hex) are checked; an application key is checked with its \
                     API key",
                );
            }
            let call = Call::get("/api/v1/validate").header("dd-api-key", secret);
            (&DATADOG_SITES, call)
        }
        Provider::Mailgun => (
            &MAILGUN_SITES,
            Call::get("/v3/domains?limit=1").basic("api", secret),
        ),
        Provider::Newrelic => {
            if !secret.starts_with("NRAK-") {
                return not_checked(p, "only user keys (NRAK-) are checked");
            }
            let call = Call {
                method: "POST",
                body: NERDGRAPH_WHOAMI.as_bytes().to_vec(),
                ..Call::get("/graphql")
            }
            .header("api-key", secret)
            .header("content-type", "application/json");
            (&NEWRELIC_SITES, call)
        }
        _ => return not_checked(p, "checked elsewhere"),
    };
    let mut refused = 0;
    let mut first_problem: Option<Verification> = None;
    for site in sites {
        let answer = http.send_to(p, &http.site_base(p, site), &call);
        let said = match &answer {
            Ok(a) => read(p, site, a),
            Err(_) => Said::Failed(
                common(p, answer.as_ref())
                    .unwrap_or_else(|| verdict(Status::Error, p, "no answer")),
            ),
        };
        match said {
            Said::Known(v) => return v,
            Said::Refused => refused += 1,
            Said::Failed(v) => {
                first_problem.get_or_insert(Verification {
                    detail: format!("{site}: {}", v.detail),
                    ..v
                });
            }
        }
    }
    match first_problem {
        None => verdict(
            Status::Inactive,
            p,
            format!("refused at all {} {} sites", sites.len(), p.name()),
        ),
        // A key refused everywhere that answered may still live where nobody answered.
        Some(v) => Verification {
            detail: format!(
                "{} ({refused} of {} sites refused it)",
                v.detail,
                sites.len()
            ),
            status: match v.status {
                Status::Inactive => Status::Unknown,
                other => other,
            },
            ..v
        },
    }
}

/// One site's answer.
fn read(p: Provider, site: &str, a: &Answer) -> Said {
    let active = |detail: String| Said::Known(verdict(Status::Active, p, detail));
    match (p, a.status) {
        (_, 401) | (Provider::Datadog | Provider::Newrelic, 403) => Said::Refused,
        (Provider::Mailgun, 403) => active(format!(
            "{site}: authenticated, without permission to list domains (a domain sending key)"
        )),
        (_, 200..=299) => match (p, a.json()) {
            (Provider::Datadog, Some(j)) => match j["valid"].as_bool() {
                Some(true) => active(format!("API key, {site}")),
                Some(false) => Said::Refused,
                None => Said::Failed(verdict(Status::Error, p, "the answer is not Datadog's")),
            },
            (Provider::Mailgun, Some(j)) if j.get("items").is_some() => {
                let domains = j["total_count"].as_u64().unwrap_or(0);
                active(format!("API key, {site} ({domains} domains)"))
            }
            (Provider::Newrelic, Some(j)) => {
                let user = &j["data"]["actor"]["user"];
                match (user["email"].as_str(), user["id"].as_u64()) {
                    (Some(email), _) => active(format!(
                        "user key of {}, {site}",
                        email.chars().take(200).collect::<String>()
                    )),
                    (None, Some(id)) => active(format!("user key of user {id}, {site}")),
                    // NerdGraph answers errors in a 200 too (an unusable key, a bad query).
                    _ => Said::Failed(verdict(
                        Status::Error,
                        p,
                        "NerdGraph named no user (errors in the answer)",
                    )),
                }
            }
            _ => Said::Failed(verdict(
                Status::Error,
                p,
                format!("the answer is not {}'s", p.name()),
            )),
        },
        _ => Said::Failed(common(p, Ok(a)).unwrap_or_else(|| unexpected(p, a))),
    }
}
