//! The providers whose check is one authenticated read: GitHub, GitLab, Slack, OpenAI,
//! Anthropic, SendGrid, npm, Hugging Face, Twilio, Netlify, Cloudflare, Airtable, Discord,
//! Figma, CircleCI, Asana, Frame.io, Dropbox, Yandex and HubSpot. Each request, and how its
//! answer reads:
//!
//! | provider | request | active |
//! | --- | --- | --- |
//! | GitHub | `GET /user`, `Authorization: Bearer` | `200`; scopes from `X-OAuth-Scopes` |
//! | GitLab | `GET /api/v4/personal_access_tokens/self`, `PRIVATE-TOKEN` | `200` and not revoked; its scopes |
//! | Slack | `POST /api/auth.test`, `Authorization: Bearer` | `"ok": true`; scopes from `X-OAuth-Scopes` |
//! | OpenAI | `GET /v1/models`, `Authorization: Bearer` | `200`, or `403` (a restricted key) |
//! | Anthropic | `GET /v1/models`, `x-api-key` | `200`, or `403` |
//! | SendGrid | `GET /v3/scopes`, `Authorization: Bearer` | `200`; its scopes |
//! | npm | `GET /-/whoami`, `Authorization: Bearer` | `200`; the user |
//! | Hugging Face | `GET /api/whoami-v2`, `Authorization: Bearer` | `200`; the token's role |
//! | Twilio | `GET /2010-04-01/Accounts/{SID}.json`, HTTP Basic SID:token | `200`; the account's status |
//! | Netlify | `GET /api/v1/user`, `Authorization: Bearer` | `200`; the user |
//! | Cloudflare | `GET /client/v4/user/tokens/verify`, `Authorization: Bearer` | `200` with `"status": "active"`; user API tokens only (a 37-character Global API Key needs its account's e-mail, an account-owned token its account id: not checked) |
//! | Airtable | `GET /v0/meta/whoami`, `Authorization: Bearer` | `200`; the user and the token's scopes (personal access tokens and OAuth access tokens) |
//! | Discord | `GET /api/v10/users/@me`, `Authorization: Bot` | `200`; the bot (bot tokens only: three dot-separated parts) |
//! | Figma | `GET /v1/me`, `X-Figma-Token` | `200`; the user. `403` "Invalid token" is inactive; another `403` (a token without the `current_user:read` scope) unknown |
//! | CircleCI | `GET /api/v2/me`, `Circle-Token` | `200`; the user (personal tokens only: a project token `CCIPRJ_` cannot ask) |
//! | Asana | `GET /api/1.0/users/me`, `Authorization: Bearer` | `200`; the user (personal access tokens `1/…`, `2/…` only) |
//! | Frame.io | `GET /v2/me`, `Authorization: Bearer` | `200`; the user |
//! | Dropbox | `POST /2/users/get_current_account` (argument `null`), `Authorization: Bearer` | `200`; the account (a short-lived `sl.` token lasts 4 hours: `401` `expired_access_token` is inactive) |
//! | Yandex | `GET login.yandex.ru/info?format=json`, `Authorization: OAuth` | `200`; the login (OAuth tokens `y0_`…`y3_`) |
//! | HubSpot | `GET /account-info/v3/details`, `Authorization: Bearer` | `200`; the account (portal) id; `403` (a private app without that scope) is unknown |
//!
//! `401` is inactive everywhere (Slack: `invalid_auth`, `token_revoked`, … in a `200`).

use serde_json::Value;

use crate::finding::{Status, Verification};
use crate::verify::http::{Answer, Call, Http};
use crate::verify::provider::{Provider, verdict};
use crate::verify::verdict::{common, unexpected};

pub fn check(http: &Http, p: Provider, secret: &str, companion: Option<&str>) -> Verification {
    let twilio_path;
    let call = match p {
        Provider::Github => Call::get("/user")
            .bearer(secret)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28"),
        Provider::Gitlab => {
            if !secret.starts_with("glpat-") {
                return not_checked(
                    p,
                    "only personal, project and group access tokens (glpat-) are checked",
                );
            }
            Call::get("/api/v4/personal_access_tokens/self").header("private-token", secret)
        }
        Provider::Slack => {
            if !["xoxb-", "xoxp-", "xoxa-", "xoxs-"]
                .iter()
                .any(|t| secret.starts_with(t))
            {
                return not_checked(
                    p,
                    "only bot, user and workspace tokens (xoxb-, xoxp-, xoxa-, xoxs-) are checked",
                );
            }
            Call {
                method: "POST",
                ..Call::get("/api/auth.test")
            }
            .bearer(secret)
        }
        Provider::Openai => Call::get("/v1/models").bearer(secret),
        Provider::Anthropic => {
            if !secret.starts_with("sk-ant-api") {
                return not_checked(p, "only API keys (sk-ant-api…) are checked");
            }
            Call::get("/v1/models")
                .header("x-api-key", secret)
                .header("anthropic-version", "2023-06-01")
        }
        Provider::Sendgrid => Call::get("/v3/scopes").bearer(secret),
        Provider::Npm => Call::get("/-/whoami").bearer(secret),
        Provider::Huggingface => Call::get("/api/whoami-v2").bearer(secret),
        Provider::Twilio => {
            let Some(sid) = companion.filter(|s| is_account_sid(s)) else {
                return not_checked(
                    p,
                    "an auth token is checked with its Account SID (AC…), and none was found next to it",
                );
            };
            twilio_path = format!("/2010-04-01/Accounts/{sid}.json");
            Call::get(&twilio_path).basic(sid, secret)
        }
        Provider::Netlify => Call::get("/api/v1/user").bearer(secret),
        Provider::Cloudflare => {
            let user_token = secret.starts_with("cfut_")
                || (secret.len() == 40
                    && (secret.bytes())
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
            if !user_token {
                return not_checked(
                    p,
                    "only user API tokens are checked (a Global API Key needs its account's e-mail)",
                );
            }
            Call::get("/client/v4/user/tokens/verify").bearer(secret)
        }
        Provider::Airtable => Call::get("/v0/meta/whoami").bearer(secret),
        Provider::Discord => {
            if secret.split('.').count() != 3 {
                return not_checked(p, "only bot tokens (three dot-separated parts) are checked");
            }
            Call::get("/api/v10/users/@me").header("authorization", format!("Bot {secret}"))
        }
        Provider::Figma => Call::get("/v1/me").header("x-figma-token", secret),
        Provider::Circleci => {
            if secret.starts_with("CCIPRJ_") {
                return not_checked(p, "a project token cannot ask who it is");
            }
            Call::get("/api/v2/me").header("circle-token", secret)
        }
        Provider::Asana => {
            if !secret.contains('/') {
                return not_checked(p, "only personal access tokens (1/…, 2/…) are checked");
            }
            Call::get("/api/1.0/users/me").bearer(secret)
        }
        Provider::Frameio => Call::get("/v2/me").bearer(secret),
        Provider::Yandex => {
            Call::get("/info?format=json").header("authorization", format!("OAuth {secret}"))
        }
        Provider::Hubspot => Call::get("/account-info/v3/details").bearer(secret),
        Provider::Dropbox => Call {
            method: "POST",
            body: b"null".to_vec(),
            ..Call::get("/2/users/get_current_account")
        }
        .bearer(secret)
        .header("content-type", "application/json"),
        Provider::Stripe
        | Provider::Aws
        | Provider::Datadog
        | Provider::Mailgun
        | Provider::Newrelic => {
            return not_checked(p, "checked elsewhere");
        }
    };
    let answer = http.send(p, &call);
    if let Some(v) = common(p, answer.as_ref()) {
        return v;
    }
    let Ok(a) = answer else {
        return verdict(Status::Error, p, "no answer");
    };
    read(p, &a)
}

pub(super) fn not_checked(p: Provider, why: &str) -> Verification {
    verdict(Status::Unknown, p, format!("not checked: {why}"))
}

fn is_account_sid(s: &str) -> bool {
    s.len() == 34 && s.starts_with("AC") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads a `2xx`/`403`/`404` answer (the others are [`common`]'s).
fn read(p: Provider, a: &Answer) -> Verification {
    let json = a.json();
    let ok = a.status / 100 == 2;
    // A 2xx that is not JSON is not the provider's answer (a captive portal, a proxy page).
    let Some(j) = json.filter(|_| ok || p == Provider::Slack) else {
        return match (a.status, p) {
            (403, Provider::Openai | Provider::Anthropic | Provider::Sendgrid) => verdict(
                Status::Active,
                p,
                "403: authenticated, without permission for the probe (a restricted key)",
            ),
            (403, Provider::Github) => {
                verdict(Status::Unknown, p, "403: forbidden or rate limited")
            }
            (403, Provider::Hubspot) => verdict(
                Status::Unknown,
                p,
                "403: authenticated or not, without permission to read the account's details",
            ),
            (403, Provider::Figma) => match a.json() {
                Some(j)
                    if j["err"]
                        .as_str()
                        .is_some_and(|e| e.contains("Invalid token")) =>
                {
                    verdict(Status::Inactive, p, "403: invalid token")
                }
                _ => verdict(
                    Status::Unknown,
                    p,
                    "403: forbidden (a token without the current_user:read scope?)",
                ),
            },
            (404, Provider::Twilio) => verdict(
                Status::Inactive,
                p,
                "404: no such account for these credentials",
            ),
            _ if ok => verdict(
                Status::Error,
                p,
                "the answer is not the provider's (not JSON)",
            ),
            _ => unexpected(p, a),
        };
    };
    let text = |v: &Value| v.as_str().map(|s| s.chars().take(200).collect::<String>());
    let list = |v: &Value| -> Vec<String> {
        (v.as_array().into_iter().flatten())
            .filter_map(text)
            .take(100)
            .collect()
    };
    let header_scopes = || -> Vec<String> {
        a.header("x-oauth-scopes")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let active = |detail: String| verdict(Status::Active, p, detail);
    match p {
        Provider::Github => match text(&j["login"]) {
            Some(login) => active(format!("user {login}")).scopes(header_scopes()),
            None => not_provider(p),
        },
        Provider::Gitlab => {
            if j["revoked"].as_bool() == Some(true) || j["active"].as_bool() == Some(false) {
                return verdict(Status::Inactive, p, "revoked or expired");
            }
            let name = text(&j["name"]).unwrap_or_default();
            let expires =
                text(&j["expires_at"]).map_or(String::new(), |e| format!(", expires {e}"));
            active(format!("token \"{name}\"{expires}")).scopes(list(&j["scopes"]))
        }
        Provider::Slack => match (j["ok"].as_bool(), text(&j["error"])) {
            (Some(true), _) => {
                let team = text(&j["team"]).unwrap_or_default();
                let user = text(&j["user"]).unwrap_or_default();
                active(format!("team {team}, user {user}")).scopes(header_scopes())
            }
            (Some(false), Some(e))
                if [
                    "invalid_auth",
                    "account_inactive",
                    "token_revoked",
                    "token_expired",
                    "not_authed",
                ]
                .contains(&e.as_str()) =>
            {
                verdict(Status::Inactive, p, e)
            }
            (Some(false), Some(e)) if e == "ratelimited" => {
                verdict(Status::Unknown, p, "rate limited")
            }
            (Some(false), Some(e)) => verdict(Status::Error, p, format!("Slack answered {e}")),
            _ => not_provider(p),
        },
        Provider::Openai | Provider::Anthropic => {
            let models = j["data"].as_array().map_or(0, Vec::len);
            active(format!("lists {models} models"))
        }
        Provider::Sendgrid => active("API key".to_string()).scopes(list(&j["scopes"])),
        Provider::Npm => match text(&j["username"]) {
            Some(user) => active(format!("user {user}")),
            None => not_provider(p),
        },
        Provider::Huggingface => {
            let name = text(&j["name"]).unwrap_or_default();
            let role = text(&j["auth"]["accessToken"]["role"]);
            active(format!("user {name}")).scopes(role.into_iter().collect())
        }
        Provider::Twilio => {
            let status = text(&j["status"]).unwrap_or_default();
            let name = text(&j["friendly_name"]).unwrap_or_default();
            if status == "closed" {
                verdict(Status::Inactive, p, format!("account \"{name}\" is closed"))
            } else {
                active(format!("account \"{name}\" ({status})"))
            }
        }
        Provider::Netlify => match (text(&j["email"]), text(&j["id"])) {
            (Some(email), _) => active(format!("user {email}")),
            (None, Some(id)) => active(format!("user {id}")),
            _ => not_provider(p),
        },
        Provider::Cloudflare => match (j["success"].as_bool(), text(&j["result"]["status"])) {
            (Some(true), Some(status)) if status == "active" => active("user API token".into()),
            (Some(true), Some(status)) => verdict(Status::Inactive, p, format!("token {status}")),
            (Some(false), _) => verdict(Status::Inactive, p, "Cloudflare: invalid API token"),
            _ => not_provider(p),
        },
        Provider::Discord => match (text(&j["username"]), text(&j["id"])) {
            (Some(name), Some(id)) => active(format!("bot {name} ({id})")),
            _ => not_provider(p),
        },
        Provider::Figma | Provider::Circleci | Provider::Frameio => {
            let who = ["email", "handle", "login", "name", "id"]
                .iter()
                .find_map(|k| text(&j[*k]));
            match who {
                Some(who) => active(format!("user {who}")),
                None => not_provider(p),
            }
        }
        Provider::Asana => match (text(&j["data"]["email"]), text(&j["data"]["gid"])) {
            (Some(email), _) => active(format!("user {email}")),
            (None, Some(gid)) => active(format!("user {gid}")),
            _ => not_provider(p),
        },
        Provider::Yandex => match (text(&j["login"]), text(&j["id"])) {
            (Some(login), _) => active(format!("user {login}")),
            (None, Some(id)) => active(format!("user {id}")),
            _ => not_provider(p),
        },
        Provider::Hubspot => match j["portalId"].as_u64() {
            Some(portal) => active(format!("account {portal}")),
            None => not_provider(p),
        },
        Provider::Dropbox => match (text(&j["email"]), text(&j["account_id"])) {
            (Some(email), _) => active(format!("account {email}")),
            (None, Some(id)) => active(format!("account {id}")),
            _ => not_provider(p),
        },
        Provider::Airtable => match (text(&j["id"]), text(&j["email"])) {
            (Some(id), Some(email)) => {
                active(format!("user {id} ({email})")).scopes(list(&j["scopes"]))
            }
            (Some(id), None) => active(format!("user {id}")).scopes(list(&j["scopes"])),
            _ => not_provider(p),
        },
        Provider::Stripe
        | Provider::Aws
        | Provider::Datadog
        | Provider::Mailgun
        | Provider::Newrelic => unexpected(p, a),
    }
}

fn not_provider(p: Provider) -> Verification {
    verdict(Status::Error, p, "the answer is not the provider's")
}
