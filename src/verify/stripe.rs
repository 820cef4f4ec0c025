//! Stripe: `GET /v1/balance` with the key as the HTTP Basic user name. `200` is active (its
//! `livemode` says live or test), `401` inactive, `403` active too (a restricted key without
//! that permission). An active restricted key is then asked for a few read-only lists to
//! report what it can read — its blast radius.

use crate::finding::{Status, Verification};
use crate::verify::http::{Call, Http};
use crate::verify::provider::{Provider, verdict};
use crate::verify::verdict::{common, unexpected};

/// Read-only endpoints probed for a restricted key, and what a `200` means.
const PROBES: &[(&str, &str)] = &[
    ("/v1/charges?limit=1", "charges"),
    ("/v1/customers?limit=1", "customers"),
    ("/v1/payouts?limit=1", "payouts"),
    ("/v1/accounts?limit=1", "connected accounts"),
];

pub fn check(http: &Http, key: &str) -> Verification {
    let p = Provider::Stripe;
    let answer = http.send(p, &Call::get("/v1/balance").basic(key, ""));
    if let Some(v) = common(p, answer.as_ref()) {
        return v;
    }
    let Ok(a) = answer else {
        return verdict(Status::Error, p, "no answer");
    };
    let reads_balance = match a.status {
        200 => true,
        403 => false,
        _ => return unexpected(p, &a),
    };
    let livemode = if reads_balance {
        match a.json().map(|j| j["livemode"].as_bool()) {
            Some(Some(live)) => live,
            _ => {
                return verdict(Status::Error, p, "the answer is not Stripe's (no livemode)");
            }
        }
    } else {
        key.contains("_live_")
    };
    let mode = if livemode { "live mode" } else { "test mode" };
    if !key.starts_with("rk_") {
        return verdict(
            Status::Active,
            p,
            format!("{mode}; secret key: full API access"),
        )
        .scopes(vec!["full access (secret key)".to_string()]);
    }
    let mut reads = Vec::new();
    if reads_balance {
        reads.push("balance".to_string());
    }
    let mut unanswered = 0;
    for (path, what) in PROBES {
        match http.send(p, &Call::get(path).basic(key, "")) {
            Ok(a) if a.status == 200 => reads.push((*what).to_string()),
            Ok(a) if a.status == 403 || a.status == 404 => {}
            _ => unanswered += 1,
        }
    }
    let mut detail = if reads.is_empty() {
        format!(
            "{mode}; restricted key: reads none of balance, charges, customers, payouts, connected accounts"
        )
    } else {
        format!("{mode}; restricted key: reads {}", reads.join(", "))
    };
    if unanswered > 0 {
        detail.push_str(&format!(
            " ({unanswered} of the probes got no clear answer)"
        ));
    }
    let scopes = reads.iter().map(|r| format!("read {r}")).collect();
    verdict(Status::Active, p, detail).scopes(scopes)
}
