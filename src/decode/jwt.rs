//! JSON Web Tokens read offline (RFC 7519, compact JWS `header.claims.signature` in base64url):
//! what a rule needs to tell a usable token from one that is not a credential. A token is
//! dropped when its parts are not base64url JSON or it is unsigned (`"alg": "none"`, no
//! signature); reported as info when it has expired (`exp` in the past) or when its HMAC
//! verifies with a secret published in documentation and tutorials (jwt.io's
//! `your-256-bit-secret` and `a-string-secret-at-least-256-bits-long`, `secret`, Supabase's
//! local default), since anyone can mint those, or when its claims name nobody and no time
//! (`{"foo":"bar"}`: a library's test vector).

use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Sha256, Sha384, Sha512};

use crate::decode::base64;

/// Longer tokens are not read (a JWT is a header line; claims this long are data).
const MAX_TOKEN: usize = 16 * 1024;

/// HMAC secrets that documentation, tutorials and framework defaults publish: a token they
/// verify is an example anyone can forge, not a leaked credential.
const SAMPLE_SECRETS: &[&str] = &[
    "your-256-bit-secret",
    // jwt.io's default since its 2025 redesign.
    "a-string-secret-at-least-256-bits-long",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "secret",
    "Secret",
    "secretkey",
    "secret_key",
    "secret-key",
    "mysecret",
    "my-secret",
    "my_secret",
    "supersecret",
    "jwt_secret",
    "jwt-secret",
    "your_jwt_secret",
    "your-secret",
    "changeme",
    "password",
    "key",
    "test",
    "shhhhh",
    "",
    // Supabase's local development JWT secret (`supabase start`), printed in its docs.
    "super-secret-jwt-token-with-at-least-32-characters-long",
];

/// What a token's header and claims say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The header's `alg`.
    pub alg: String,
    /// The `exp` claim (seconds since the epoch), if any.
    pub expires: Option<i64>,
    /// The `iss` claim, if a string.
    pub issuer: Option<String>,
    /// Signed: an algorithm other than `none` and a signature.
    pub signed: bool,
    /// The HMAC verifies with one of [`SAMPLE_SECRETS`].
    pub sample: bool,
    /// No claim says who or what the token is for, or when ([`IDENTITY_CLAIMS`]).
    pub anonymous: bool,
}

/// Claims that tie a token to a party or a time: registered ones (RFC 7519) and those
/// identity providers use in their place. A token with none of them is a test vector.
const IDENTITY_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "azp",
    "client_id",
    "cid",
    "uid",
    "user_id",
    "userId",
    "username",
    "user",
    "email",
    "role",
    "roles",
    "scope",
    "scp",
    "tid",
    "oid",
    "appid",
    "id",
    "session",
    "sid",
];

/// How a rule reports a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not a JWT, or an unsigned one: nothing to report.
    NotACredential,
    /// Signed with a published sample secret.
    Sample,
    /// Past its `exp`.
    Expired,
    /// Usable as far as can be told offline.
    Live,
}

impl Token {
    /// Reads `token` (`header.claims.signature`); `None` when it is not a JWT.
    pub fn read(token: &[u8]) -> Option<Token> {
        if token.len() > MAX_TOKEN {
            return None;
        }
        let mut parts = token.split(|&b| b == b'.');
        let (head, body, sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&base64url(head)?).ok()?;
        let claims: Value = serde_json::from_slice(&base64url(body)?).ok()?;
        let alg = header.get("alg")?.as_str()?.to_string();
        let claims = claims.as_object()?;
        let signature = base64url(sig)?;
        let signed = !alg.eq_ignore_ascii_case("none") && !signature.is_empty();
        let input = &token[..head.len() + 1 + body.len()];
        let sample = signed
            && (SAMPLE_SECRETS.iter())
                .any(|k| hmac_verifies(&alg, k.as_bytes(), input, &signature));
        let anonymous = !IDENTITY_CLAIMS.iter().any(|c| claims.contains_key(*c));
        Some(Token {
            anonymous,
            expires: claims.get("exp").and_then(numeric_date),
            issuer: (claims.get("iss").and_then(Value::as_str))
                .map(|s| s.chars().take(80).collect()),
            alg,
            signed,
            sample,
        })
    }

    /// The verdict at `now` (seconds since the epoch).
    pub fn verdict(&self, now: i64) -> Verdict {
        if !self.signed {
            Verdict::NotACredential
        } else if self.sample || self.anonymous {
            Verdict::Sample
        } else if self.expires.is_some_and(|exp| exp < now) {
            Verdict::Expired
        } else {
            Verdict::Live
        }
    }

    /// One line for the report: algorithm, issuer, expiry.
    pub fn describe(&self, now: i64) -> String {
        let mut line = format!("JWT signed with {}", self.alg);
        if let Some(iss) = &self.issuer {
            line.push_str(&format!(", issued by {iss}"));
        }
        match self.expires {
            _ if self.sample => line.push_str(", with a secret published in documentation"),
            _ if self.anonymous => line.push_str(", claims naming nobody and no time (an example)"),
            Some(exp) if exp < now => line.push_str(&format!(", expired {}", date(exp))),
            Some(exp) => line.push_str(&format!(", expires {}", date(exp))),
            None => line.push_str(", no expiry (`exp`): valid until its key is rotated"),
        }
        line
    }
}

/// The verdict on `token` at `now`, in one call.
pub fn judge(token: &[u8], now: i64) -> Verdict {
    Token::read(token).map_or(Verdict::NotACredential, |t| t.verdict(now))
}

/// Unix seconds now (0 if the clock is before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The base64url digits of `part` (padding allowed) decoded, or `None` if anything else is
/// in it.
fn base64url(part: &[u8]) -> Option<Vec<u8>> {
    let digits = part
        .strip_suffix(b"==")
        .or(part.strip_suffix(b"="))
        .unwrap_or(part);
    let (mut out, mut offsets) = (Vec::new(), Vec::new());
    let used = base64::decode_run(digits, MAX_TOKEN, &mut out, &mut offsets);
    (used == digits.len() && !digits.contains(&b'\n')).then_some(out)
}

/// A NumericDate claim: a number, or a string of digits (some issuers quote it).
fn numeric_date(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn hmac_verifies(alg: &str, key: &[u8], input: &[u8], signature: &[u8]) -> bool {
    fn check<M: Mac + KeyInit>(key: &[u8], input: &[u8], signature: &[u8]) -> bool {
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(input);
        mac.verify_slice(signature).is_ok()
    }
    match alg {
        "HS256" => check::<hmac::Hmac<Sha256>>(key, input, signature),
        "HS384" => check::<hmac::Hmac<Sha384>>(key, input, signature),
        "HS512" => check::<hmac::Hmac<Sha512>>(key, input, signature),
        _ => false,
    }
}

/// `2020-06-26` for a NumericDate.
fn date(secs: i64) -> String {
    let (y, m, d, ..) = crate::clock::utc(secs.max(0) as u64);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token over `header` and `claims` (JSON text), signed HS256 with `key`.
    pub(crate) fn mint(header: &str, claims: &str, key: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            base64::encode_url(header.as_bytes()),
            base64::encode_url(claims.as_bytes())
        );
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key");
        mac.update(input.as_bytes());
        let sig = mac.finalize().into_bytes();
        format!("{input}.{}", base64::encode_url(&sig))
    }

    const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
    const NOW: i64 = 1_765_000_000; // December 2025

    #[test]
    fn verdicts() {
        let key = b"k3y-0f-th1s-t3st-n0t-publ1sh3d-4nywh3r3";
        let live = mint(HS256, r#"{"sub":"42","exp":4102444800}"#, key);
        assert_eq!(judge(live.as_bytes(), NOW), Verdict::Live);
        let forever = mint(HS256, r#"{"sub":"42"}"#, key);
        assert_eq!(judge(forever.as_bytes(), NOW), Verdict::Live);
        let old = mint(HS256, r#"{"sub":"42","exp":"1594600182"}"#, key);
        assert_eq!(judge(old.as_bytes(), NOW), Verdict::Expired);
        let doc = mint(
            HS256,
            r#"{"sub":"1234567890","name":"John Doe"}"#,
            b"your-256-bit-secret",
        );
        assert_eq!(judge(doc.as_bytes(), NOW), Verdict::Sample);
        let doc = mint(
            HS256,
            r#"{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022}"#,
            b"a-string-secret-at-least-256-bits-long",
        );
        assert_eq!(judge(doc.as_bytes(), NOW), Verdict::Sample);
        let unsigned = format!("{}.", &live[..live.rfind('.').expect("dot")]);
        assert_eq!(judge(unsigned.as_bytes(), NOW), Verdict::NotACredential);
        let example = mint(HS256, r#"{"foo":"bar"}"#, key);
        assert_eq!(judge(example.as_bytes(), NOW), Verdict::Sample);
        let none = mint(r#"{"alg":"none"}"#, r#"{"sub":"42"}"#, key);
        assert_eq!(judge(none.as_bytes(), NOW), Verdict::NotACredential);
        // Not JSON, not an object, a missing alg, a fourth part, stray characters.
        for bad in [
            mint(HS256, "[1,2]", key),
            mint(r#"{"typ":"JWT"}"#, "{}", key),
            format!("{live}.x"),
            live.replacen('.', ".!", 1),
            "eyJhbGciOiJIUzI1NiJ9.eyJub3Qgc29uIg.c2ln".to_string(),
        ] {
            assert_eq!(judge(bad.as_bytes(), NOW), Verdict::NotACredential, "{bad}");
        }
    }

    #[test]
    fn descriptions() {
        let key = b"k3y-0f-th1s-t3st-n0t-publ1sh3d-4nywh3r3";
        let t = mint(
            HS256,
            r#"{"iss":"https://auth.example.net","exp":1593133483}"#,
            key,
        );
        let t = Token::read(t.as_bytes()).expect("a token");
        assert_eq!(
            t.describe(NOW),
            "JWT signed with HS256, issued by https://auth.example.net, expired 2020-06-26"
        );
        let t = Token::read(mint(HS256, r#"{"uid":7}"#, key).as_bytes()).expect("a token");
        assert!(t.describe(NOW).contains("no expiry"), "{}", t.describe(NOW));
    }
}
