//! The only way a verification reaches the network: HTTPS (rustls, certificates always
//! verified) to each provider's fixed API host, a timeout per request, no redirect followed,
//! `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` honoured, at most 256 KiB of an answer read, and one
//! retry of a `429`. Tests point a provider at a local mock server with
//! `SEALANT_VERIFY_BASE_URL_<PROVIDER>`, accepted only for loopback addresses.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use ureq::Agent;

use crate::decode::base64;
use crate::error::{Error, Result};
use crate::verify::provider::Provider;

/// How much of an answer is read.
const MAX_ANSWER: u64 = 256 * 1024;
/// Longest wait a `Retry-After` may ask before the one retry.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

/// One request to a provider: a path on its API host.
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl<'a> Call<'a> {
    pub fn get(path: &'a str) -> Call<'a> {
        Call {
            method: "GET",
            path,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Call<'a> {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Call<'a> {
        self.header("authorization", format!("Bearer {token}"))
    }

    pub fn basic(self, user: &str, password: &str) -> Call<'a> {
        let pair = format!("{user}:{password}");
        self.header(
            "authorization",
            format!("Basic {}", base64::encode(pair.as_bytes())),
        )
    }
}

/// A provider's answer.
pub struct Answer {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Why no answer came.
#[derive(Debug)]
pub enum Failure {
    /// Nothing within the timeout.
    Timeout,
    /// Connection, TLS or protocol failure (the text names no secret: requests carry secrets
    /// in headers only).
    Failed(String),
}

pub struct Http {
    remote: Agent,
    local: Agent,
    overrides: HashMap<Provider, String>,
}

impl Http {
    /// A client with `timeout` per request; `env` reads the base-URL overrides.
    pub fn new(timeout: Duration, env: &dyn Fn(&str) -> Option<String>) -> Result<Http> {
        let mut overrides = HashMap::new();
        for &p in Provider::ALL {
            let var = format!("SEALANT_VERIFY_BASE_URL_{}", p.env_name());
            if let Some(url) = env(&var).filter(|v| !v.is_empty()) {
                overrides.insert(p, loopback_url(&var, &url)?);
            }
        }
        let agent = |proxy: bool| {
            let config = Agent::config_builder()
                .timeout_global(Some(timeout))
                .max_redirects(0)
                .http_status_as_error(false)
                .user_agent(concat!("sealant/", env!("CARGO_PKG_VERSION")));
            let config = if proxy {
                config.proxy(ureq::Proxy::try_from_env())
            } else {
                config.proxy(None)
            };
            Agent::new_with_config(config.build())
        };
        Ok(Http {
            remote: agent(true),
            // A local mock server is reached directly, never through a proxy.
            local: agent(false),
            overrides,
        })
    }

    /// The base URL requests to `p` go to.
    pub fn base(&self, p: Provider) -> &str {
        self.overrides.get(&p).map_or(p.base_url(), String::as_str)
    }

    /// `host[:port]` of [`Http::base`] (what the `Host` header carries).
    pub fn host(&self, p: Provider) -> &str {
        let base = self.base(p);
        let rest = base.split_once("://").map_or(base, |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// The base URL of `p`'s API at `site`, a provider with one host per site (region):
    /// `https://api.<site>`, or with a mock server, its URL followed by `/<site>`.
    pub fn site_base(&self, p: Provider, site: &str) -> String {
        match self.overrides.get(&p) {
            Some(mock) => format!("{mock}/{site}"),
            None => format!("https://api.{site}"),
        }
    }

    /// Sends `call` to `p`; a `429` is retried once, after its `Retry-After` (at most 5 s).
    pub fn send(&self, p: Provider, call: &Call<'_>) -> std::result::Result<Answer, Failure> {
        self.send_to(p, self.base(p), call)
    }

    /// [`Http::send`] to `base` (one of `p`'s hosts, [`Http::site_base`]).
    pub fn send_to(
        &self,
        p: Provider,
        base: &str,
        call: &Call<'_>,
    ) -> std::result::Result<Answer, Failure> {
        let first = self.send_once(p, base, call)?;
        if first.status != 429 {
            return Ok(first);
        }
        let wait = first
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(Duration::from_secs(1), Duration::from_secs)
            .min(MAX_RETRY_WAIT);
        std::thread::sleep(wait);
        self.send_once(p, base, call)
    }

    fn send_once(
        &self,
        p: Provider,
        base: &str,
        call: &Call<'_>,
    ) -> std::result::Result<Answer, Failure> {
        let url = format!("{base}{}", call.path);
        let mut request = ureq::http::Request::builder().method(call.method).uri(&url);
        for (name, value) in &call.headers {
            request = request.header(*name, value.as_str());
        }
        let request = request
            .body(call.body.clone())
            .map_err(|e| Failure::Failed(format!("cannot build the request: {e}")))?;
        let agent = if self.overrides.contains_key(&p) {
            &self.local
        } else {
            &self.remote
        };
        let mut response = agent.run(request).map_err(|e| match e {
            ureq::Error::Timeout(_) => Failure::Timeout,
            other => Failure::Failed(other.to_string()),
        })?;
        let status = response.status().as_u16();
        let headers = (response.headers().iter())
            .map(|(n, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (n.as_str().to_ascii_lowercase(), v)
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => Failure::Timeout,
                other => Failure::Failed(other.to_string()),
            })?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// `url` without a trailing slash, if it is `http(s)://` to a loopback address.
fn loopback_url(var: &str, url: &str) -> Result<String> {
    let refuse = |why: &str| {
        Error::new(format!(
            "{var}={url}: {why}; this variable exists for tests against a local mock server \
             and accepts only http(s)://127.0.0.1, [::1] or localhost"
        ))
    };
    let uri: ureq::http::Uri = url.parse().map_err(|_| refuse("not a URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(refuse("not an http(s) URL"));
    }
    let host = uri.host().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(refuse("not a loopback address"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8089",
            "http://127.0.0.2:1/",
            "http://[::1]:80",
            "https://localhost:9",
        ] {
            assert!(loopback_url("V", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:80",
            "https://api.stripe.com",
            "http://127.0.0.1.evil.example",
            "file:///etc/passwd",
            "127.0.0.1:80",
            "http://0.0.0.0:80",
        ] {
            let e = loopback_url("V", bad).expect_err(bad).to_string();
            assert!(e.contains("loopback") || e.contains("URL"), "{e}");
        }
        assert_eq!(
            loopback_url("V", "http://127.0.0.1:8089/").ok().as_deref(),
            Some("http://127.0.0.1:8089")
        );
    }
}
