//! AWS Signature Version 4 for one request: the canonical request, the string to sign, the
//! derived signing key and the `Authorization` header, as AWS documents them. Only what the STS
//! `GetCallerIdentity` check needs (headers given in full, a query string already canonical).
//! Checked against AWS's published test vectors.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = hmac::Hmac<Sha256>;

/// What is signed.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Already in canonical form (sorted, encoded), or empty.
    pub query: &'a str,
    /// (lower-case name, value) — `host` and `x-amz-date` among them.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The credential and where it is used.
pub struct Scope<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sorted_headers<'a>(r: &'a Request<'a>) -> Vec<(String, &'a str)> {
    let mut headers: Vec<(String, &str)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .collect();
    headers.sort();
    headers
}

/// The canonical request (method, path, query, headers, signed headers, payload hash).
pub fn canonical_request(r: &Request<'_>) -> String {
    let headers = sorted_headers(r);
    let lines: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        r.method,
        r.path,
        r.query,
        lines,
        signed.join(";"),
        hex(&Sha256::digest(r.body))
    )
}

/// The `Authorization` header value for `r` signed with `s`.
pub fn authorization(r: &Request<'_>, s: &Scope<'_>) -> String {
    let date = s.amz_date.get(..8).unwrap_or(s.amz_date);
    let scope = format!("{date}/{}/{}/aws4_request", s.region, s.service);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        s.amz_date,
        hex(&Sha256::digest(canonical_request(r).as_bytes()))
    );
    let mut key = hmac(format!("AWS4{}", s.secret).as_bytes(), date.as_bytes());
    for part in [s.region, s.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    let signed: Vec<String> = sorted_headers(r).into_iter().map(|(n, _)| n).collect();
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
        s.key_id,
        signed.join(";")
    )
}

/// `YYYYMMDDTHHMMSSZ` for `secs` seconds after the Unix epoch (UTC).
pub fn amz_date(secs: u64) -> String {
    let (y, m, d, h, min, sec) = crate::clock::utc(secs);
    format!("{y:04}{m:02}{d:02}T{h:02}{min:02}{sec:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's signature test suite, `get-vanilla` (`GET /` to example.amazonaws.com).
    #[test]
    fn get_vanilla_vector() {
        let r = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &[
                ("host", "example.amazonaws.com"),
                ("x-amz-date", "20150830T123600Z"),
            ],
            body: b"",
        };
        assert_eq!(
            hex(&Sha256::digest(canonical_request(&r).as_bytes())),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        let s = Scope {
            key_id: "AKIDEXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", // sealant:allow AWS test vector
            amz_date: "20150830T123600Z",
            region: "us-east-1",
            service: "service",
        };
        assert_eq!(
            authorization(&r, &s),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// The S3 `GET Object` example of AWS's header-signing documentation (a `Range` header,
    /// the payload hash as a signed header).
    #[test]
    fn s3_get_object_example() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let r = Request {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &[
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", empty),
                ("x-amz-date", "20130524T000000Z"),
            ],
            body: b"",
        };
        let s = Scope {
            key_id: "AKIAIOSFODNN7EXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", // sealant:allow AWS doc example
            amz_date: "20130524T000000Z",
            region: "us-east-1",
            service: "s3",
        };
        assert!(authorization(&r, &s).ends_with(
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
    }
}
