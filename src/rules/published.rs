//! Secrets everybody has: keys that open-source projects publish in their test suites and ship
//! inside their packages (gnutls's self-test keys, netty's and gRPC's test certificates,
//! google-auth's `tests/data`), and keys vendors ship in their own public clients. Listed by
//! the SHA-256 of the secret — for a PEM block, of its base64 body alone, however it is
//! quoted, wrapped or concatenated in source — never by path, so a real key in a user's own
//! `tests/` still counts. A finding of a listed secret is reported at `info`.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A rule file's `[[published]]` entry.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedSpec {
    /// SHA-256 of the normalised secret (see [`normalise`]), in hex.
    pub sha256: String,
    /// Who publishes it, and where.
    pub source: String,
}

/// The published secrets in force, by digest.
#[derive(Debug, Default, Clone)]
pub struct Published {
    digests: Vec<[u8; 32]>,
}

impl Published {
    /// Adds the entries of a rule file (`source` names it in errors).
    pub fn extend(&mut self, specs: &[PublishedSpec], source: &str) -> Result<()> {
        for spec in specs {
            let bytes = decode_hex(&spec.sha256).ok_or_else(|| {
                Error::new(format!(
                    "{source}: published secret of {}: sha256 must be 64 hex digits",
                    spec.source
                ))
            })?;
            self.digests.push(bytes);
        }
        self.digests.sort_unstable();
        self.digests.dedup();
        Ok(())
    }

    /// Adds the secrets of another list.
    pub fn merge(&mut self, other: Published) {
        self.digests.extend(other.digests);
        self.digests.sort_unstable();
        self.digests.dedup();
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether `secret` is a published one.
    pub fn contains(&self, secret: &[u8]) -> bool {
        !self.digests.is_empty() && self.digests.binary_search(&digest(secret)).is_ok()
    }
}

/// The SHA-256 of `secret` as the list records it.
pub fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(normalise(secret)).into()
}

/// A PEM block's base64 body alone (its lines stripped of quotes, `\n` escapes and the
/// `+`/`,`/`;` of string concatenation in source); any other secret as it is.
pub fn normalise(secret: &[u8]) -> Vec<u8> {
    let Some(begin) = memchr::memmem::find(secret, b"-----BEGIN") else {
        return secret.to_vec();
    };
    let after = &secret[begin + 10..];
    let body_start = memchr::memmem::find(after, b"-----").map_or(after.len(), |i| i + 5);
    let body = &after[body_start..];
    let body = memchr::memmem::find(body, b"-----END").map_or(body, |i| &body[..i]);
    let mut out = Vec::with_capacity(body.len());
    // Escaped line breaks split the body like real ones.
    let text = String::from_utf8_lossy(body)
        .replace("\\r", "\n")
        .replace("\\n", "\n");
    for line in text.lines() {
        let mut l = line.trim();
        loop {
            let before = l;
            l = l
                .trim_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | ')' | '(' | '`')
                })
                .trim_start_matches('+')
                .trim_end_matches('+');
            if l == before {
                break;
            }
        }
        // Headers of encrypted PEM (`Proc-Type: …`) are no part of the body.
        if l.contains(':') {
            continue;
        }
        out.extend(
            l.bytes()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')),
        );
    }
    out
}

fn decode_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One key body, written as a PEM file, a Java string concatenation and a C string with
    /// `\n` escapes, has one digest.
    #[test]
    fn a_pem_body_has_one_digest_however_it_is_quoted() {
        let lines = [
            "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
            "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==",
        ];
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----",
            lines[0], lines[1]
        );
        let java = format!(
            "\"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"{}\\n\" +\n    \"{}\\n\" +\n    \"-----END RSA PRIVATE KEY-----\"",
            lines[0], lines[1]
        );
        let c = format!(
            "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n{}\\n-----END RSA PRIVATE KEY-----",
            lines[0], lines[1]
        );
        let want = format!("{}{}", lines[0], lines[1]).into_bytes();
        for form in [&pem, &java, &c] {
            assert_eq!(normalise(form.as_bytes()), want, "{form}");
        }
        let mut p = Published::default();
        let hex: String = digest(pem.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        p.extend(
            &[PublishedSpec {
                sha256: hex,
                source: "test".into(),
            }],
            "t",
        )
        .expect("valid");
        assert!(p.contains(java.as_bytes()) && p.contains(c.as_bytes()));
        assert!(
            !p.contains(b"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")
        );
    }
}
