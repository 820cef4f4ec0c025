//! The only way a probe reaches the network: `GET` to one origin, with the user's headers and
//! no cookies, a `User-Agent` naming sealant, a timeout per request, a cap on bytes read from
//! one answer, a cap on requests for the whole probe and a rate limit, redirects followed only
//! within the origin, TLS by rustls (certificates always verified), and `HTTPS_PROXY`/
//! `HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` honoured.

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ureq::Agent;

use crate::source::web::url::Url;

/// Redirects followed for one request, within the origin.
const MAX_REDIRECTS: usize = 5;

/// An answer read.
pub struct Fetched {
    /// Where the body came from (after same-origin redirects).
    pub url: Url,
    pub status: u16,
    /// `content-type`, lower-cased, without parameters.
    pub content_type: String,
    /// A `SourceMap`/`X-SourceMap` header.
    pub source_map: Option<String>,
    pub body: Vec<u8>,
    /// The answer was longer than the cap: `body` is its start.
    pub truncated: bool,
    /// The answer broke off (why): `body` is what arrived.
    pub broke_off: Option<String>,
}

/// Why a request gave no answer (the text goes into a warning).
pub type FetchError = String;

pub struct Fetcher<'a> {
    agent: Agent,
    headers: Vec<(String, String)>,
    max_response: u64,
    /// Requests left in the budget.
    left: AtomicU64,
    /// Requests made (redirect hops included), counted as they start (progress reads it).
    made: &'a AtomicU64,
    /// Earliest moment the next request may start (`--rate`).
    next: Mutex<Instant>,
    gap: Duration,
}

impl<'a> Fetcher<'a> {
    /// A fetcher with `timeout` per request, at most `max_requests` requests, `rate` per
    /// second (0: unlimited), `max_response` bytes read per answer, `headers` on each.
    pub fn new(
        timeout: Duration,
        max_requests: u64,
        rate: f64,
        max_response: u64,
        headers: Vec<(String, String)>,
        made: &'a AtomicU64,
    ) -> Fetcher<'a> {
        let agent_config = Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!(
                "sealant/",
                env!("CARGO_PKG_VERSION"),
                " (secret-leak probe)"
            ))
            .proxy(ureq::Proxy::try_from_env())
            .build();
        Fetcher {
            agent: Agent::new_with_config(agent_config),
            headers,
            max_response,
            left: AtomicU64::new(max_requests),
            made,
            next: Mutex::new(Instant::now()),
            gap: if rate > 0.0 {
                Duration::from_secs_f64(1.0 / rate)
            } else {
                Duration::ZERO
            },
        }
    }

    /// Requests left in the budget.
    pub fn left(&self) -> u64 {
        self.left.load(Ordering::Relaxed)
    }

    /// Takes one request from the budget; false when it is spent.
    fn take(&self) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Waits for the rate limit's next slot.
    fn pace(&self) {
        if self.gap.is_zero() {
            return;
        }
        let wait = match self.next.lock() {
            Ok(mut next) => {
                let now = Instant::now();
                let at = (*next).max(now);
                *next = at + self.gap;
                at - now
            }
            Err(_) => Duration::ZERO,
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// `GET url`, following redirects within its origin. `Ok(None)`: the budget is spent.
    pub fn get(&self, url: &Url) -> Result<Option<Fetched>, FetchError> {
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            if !self.take() {
                return Ok(None);
            }
            self.pace();
            self.made.fetch_add(1, Ordering::Relaxed);
            let mut request = ureq::http::Request::builder()
                .method("GET")
                .uri(current.to_string());
            for (name, value) in &self.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let request = request
                .body(())
                .map_err(|e| format!("cannot build the request: {e}"))?;
            let mut response = self.agent.run(request).map_err(describe)?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                (response.headers().get(name))
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            };
            if (300..400).contains(&status) {
                let Some(location) = header("location") else {
                    return Err(format!("answered {status} without a Location"));
                };
                let Some(next) = current.join(&location) else {
                    return Err(format!("redirects to {location:?}, which is not http(s)"));
                };
                if !next.same_origin(url) {
                    return Err(format!(
                        "redirects to another origin ({}); not followed (a probe stays on {})",
                        next.origin(),
                        url.origin()
                    ));
                }
                current = next;
                continue;
            }
            let content_type = header("content-type")
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let source_map = header("sourcemap").or_else(|| header("x-sourcemap"));
            let mut body = Vec::new();
            let reader = response.body_mut().with_config().limit(u64::MAX).reader();
            let read = reader.take(self.max_response + 1).read_to_end(&mut body);
            let broke_off = match read {
                Err(e) if body.is_empty() => return Err(describe_io(&e)),
                // What arrived before the failure is still scanned; the caller warns.
                Err(e) => Some(describe_io(&e)),
                Ok(_) => None,
            };
            let truncated = body.len() as u64 > self.max_response;
            body.truncate(self.max_response as usize);
            return Ok(Some(Fetched {
                url: current,
                status,
                content_type,
                source_map,
                body,
                truncated,
                broke_off,
            }));
        }
        Err(format!(
            "more than {MAX_REDIRECTS} redirects; not followed further"
        ))
    }
}

fn describe(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => "no answer within the timeout (--timeout)".to_string(),
        ureq::Error::Io(io) => describe_io(&io),
        other => other.to_string(),
    }
}

fn describe_io(e: &std::io::Error) -> FetchError {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("timeout") || e.kind() == std::io::ErrorKind::TimedOut {
        "the answer did not finish within the timeout (--timeout)".to_string()
    } else {
        format!("cannot read the answer: {text}")
    }
}
