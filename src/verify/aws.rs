//! AWS: STS `GetCallerIdentity` (any valid key may call it; it needs no permission), signed
//! with Signature Version 4. `200` is active (the answer names the account and ARN); `403`
//! with `InvalidClientTokenId` is inactive (no such key), with `SignatureDoesNotMatch` inactive
//! as a pair (the key ID exists, the secret found beside it is not its secret).

use crate::finding::{Status, Verification};
use crate::verify::http::{Call, Http};
use crate::verify::provider::{Provider, verdict};
use crate::verify::sigv4;
use crate::verify::verdict::{common, unexpected};

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

pub fn check(http: &Http, secret: &str, key_id: Option<&str>) -> Verification {
    let p = Provider::Aws;
    let Some(key_id) = key_id else {
        return verdict(
            Status::Unknown,
            p,
            "not checked: a secret access key is checked with its access key ID, and none was found next to it",
        );
    };
    if key_id.starts_with("ASIA") {
        return verdict(
            Status::Unknown,
            p,
            "not checked: temporary credentials (ASIA…) need their session token",
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let amz_date = sigv4::amz_date(now);
    let host = http.host(p).to_string();
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let authorization = sigv4::authorization(
        &sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &[
                ("content-type", content_type),
                ("host", &host),
                ("x-amz-date", &amz_date),
            ],
            body: BODY.as_bytes(),
        },
        &sigv4::Scope {
            key_id,
            secret,
            amz_date: &amz_date,
            region: "us-east-1",
            service: "sts",
        },
    );
    let call = Call {
        method: "POST",
        path: "/",
        headers: vec![
            ("content-type", content_type.to_string()),
            ("x-amz-date", amz_date),
            ("authorization", authorization),
        ],
        body: BODY.as_bytes().to_vec(),
    };
    let answer = http.send(p, &call);
    if let Some(v) = common(p, answer.as_ref()) {
        return v;
    }
    let Ok(a) = answer else {
        return verdict(Status::Error, p, "no answer");
    };
    let text = String::from_utf8_lossy(&a.body);
    match a.status {
        200 => match element(&text, "Arn") {
            Some(arn) => verdict(Status::Active, p, format!("authenticates as {arn}"))
                .scopes(vec![format!("whatever the IAM policies of {arn} allow")]),
            None => verdict(Status::Error, p, "the answer is not STS's (no Arn)"),
        },
        400 | 403 => match element(&text, "Code").as_deref() {
            Some("InvalidClientTokenId") => verdict(
                Status::Inactive,
                p,
                "no such access key ID (InvalidClientTokenId)",
            ),
            Some("SignatureDoesNotMatch") => verdict(
                Status::Inactive,
                p,
                "the access key ID exists but this is not its secret (SignatureDoesNotMatch)",
            ),
            Some("ExpiredToken") => verdict(Status::Inactive, p, "expired (ExpiredToken)"),
            Some(code) => verdict(Status::Unknown, p, format!("STS answered {code}")),
            None => unexpected(p, &a),
        },
        _ => unexpected(p, &a),
    }
}

/// The text of the first `<name>` element (enough for STS's small XML answers).
fn element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find("</")?;
    let text = xml[start..end].trim();
    (!text.is_empty() && text.len() <= 2048).then(|| text.to_string())
}
