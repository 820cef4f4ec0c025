//! The URLs a probe deals in: absolute `http`/`https` URLs, their origin (scheme, host, port),
//! and references in pages resolved against them (RFC 3986 §5: absolute, scheme-relative,
//! root-relative, relative with `.`/`..`). Anything else (`data:`, `javascript:`, `mailto:`, a
//! malformed authority) is no URL to fetch. Fragments are dropped; queries kept.

use std::fmt;

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Lower-cased host (an IPv6 address keeps its brackets).
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

/// Longest URL taken from a page: longer ones are noise (or an attack on memory).
const MAX_URL: usize = 4096;

impl Url {
    /// Parses an absolute `http://` or `https://` URL.
    pub fn parse(text: &str) -> Option<Url> {
        let text = text.trim();
        if text.len() > MAX_URL {
            return None;
        }
        let (scheme, rest) = if let Some(r) = strip_prefix_ci(text, "https://") {
            ("https", r)
        } else if let Some(r) = strip_prefix_ci(text, "http://") {
            ("http", r)
        } else {
            return None;
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') || authority.is_empty() {
            // Credentials in a URL are never sent.
            return None;
        }
        let default = if scheme == "https" { 443 } else { 80 };
        let (host, port) = split_port(authority, default)?;
        let tail = tail.split('#').next().unwrap_or("");
        let path = if tail.starts_with('?') || tail.is_empty() {
            format!("/{tail}")
        } else {
            tail.to_string()
        };
        Some(Url {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: normalize(&path),
        })
    }

    /// `scheme://host:port`, the unit a probe never leaves.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority())
    }

    /// Whether `other` has this URL's scheme, host and port.
    pub fn same_origin(&self, other: &Url) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }

    /// `host` or `host:port` when the port is not the scheme's default.
    pub fn authority(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The path without its query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("/")
    }

    /// This URL with another path (and query) on the same origin.
    pub fn with_path(&self, path: &str) -> Url {
        Url {
            path: normalize(path),
            ..self.clone()
        }
    }

    /// `reference` (from a page at this URL) as an absolute URL, if it is an http(s) one.
    pub fn join(&self, reference: &str) -> Option<Url> {
        let r = reference.trim();
        if r.is_empty() || r.len() > MAX_URL || r.starts_with('#') {
            return None;
        }
        if r.starts_with("//") {
            return Url::parse(&format!("{}:{r}", self.scheme));
        }
        if let Some(colon) = r.find(':') {
            let scheme = &r[..colon];
            if !scheme.is_empty()
                && !scheme.contains(['/', '?', '#'])
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            {
                // Absolute: only http(s) is fetched.
                return Url::parse(r);
            }
        }
        let r = r.split('#').next().unwrap_or("");
        let path = if r.starts_with('/') {
            r.to_string()
        } else if r.starts_with('?') {
            format!("{}{r}", self.path_only())
        } else {
            let dir = match self.path_only().rfind('/') {
                Some(i) => &self.path[..=i],
                None => "/",
            };
            format!("{dir}{r}")
        };
        Some(self.with_path(&path))
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority(), self.path)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
    .then(|| &s[prefix.len()..])
}

/// Host and port of an authority (`host`, `host:8080`, `[::1]:8080`).
fn split_port(authority: &str, default: u16) -> Option<(&str, u16)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let rest = &authority[close + 1..];
        let port = match rest.strip_prefix(':') {
            Some(p) => p,
            None if rest.is_empty() => "",
            None => return None,
        };
        (&authority[..=close], port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (authority, ""),
        }
    };
    // A colon belongs only inside an IPv6 address's brackets.
    let bracketed = host.starts_with('[');
    let valid_host = !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b"-._".contains(&b) || bracketed && b"[]:".contains(&b)
        });
    if !valid_host {
        return None;
    }
    let port = if port.is_empty() {
        default
    } else {
        port.parse().ok().filter(|&p| p != 0)?
    };
    Some((host, port))
}

/// `path` with `.` and `..` segments removed (never above the root), and what may not stand
/// in a request line percent-encoded.
fn normalize(path: &str) -> String {
    let (p, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = p.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(path.len() + 1);
    for seg in &out {
        s.push('/');
        s.push_str(seg);
    }
    if s.is_empty() {
        s.push('/');
    }
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    encode(&s)
}

/// `s` with what may not stand in a request line percent-encoded: controls, spaces, non-ASCII
/// bytes and `"<>\\^`{|}` (a `%` already there is left as it is).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b <= 0x20 || b >= 0x7f || b"\"<>\\^`{|}".contains(&b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect(s)
    }

    #[test]
    fn parses_origins() {
        let a = u("HTTPS://Shop.Example.com/a/b.js?v=1#x");
        assert_eq!(a.to_string(), "https://shop.example.com/a/b.js?v=1");
        assert_eq!(a.origin(), "https://shop.example.com");
        assert_eq!(
            u("http://127.0.0.1:8080").to_string(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(u("http://[::1]:9/x").port, 9);
        assert!(u("http://a:80/").same_origin(&u("http://a/x")));
        assert!(!u("http://a/").same_origin(&u("https://a/")));
        assert!(!u("http://a:1/").same_origin(&u("http://a:2/")));
        for bad in [
            "ftp://a/",
            "http://",
            "http://u:p@host/",
            "http://a:0/",
            "http://a:99999/",
            "http://a b/",
        ] {
            assert_eq!(Url::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn resolves_references() {
        let base = u("https://s.example/app/pages/index.html");
        let j = |r: &str| base.join(r).map(|u| u.to_string());
        assert_eq!(
            j("main.js").as_deref(),
            Some("https://s.example/app/pages/main.js")
        );
        assert_eq!(
            j("./a/../b.js").as_deref(),
            Some("https://s.example/app/pages/b.js")
        );
        assert_eq!(
            j("../../../../x.js").as_deref(),
            Some("https://s.example/x.js")
        );
        assert_eq!(
            j("/assets/i.js").as_deref(),
            Some("https://s.example/assets/i.js")
        );
        assert_eq!(
            j("//cdn.example/x.js").as_deref(),
            Some("https://cdn.example/x.js")
        );
        assert_eq!(
            j("?q=1").as_deref(),
            Some("https://s.example/app/pages/index.html?q=1")
        );
        assert_eq!(j("http://other/").as_deref(), Some("http://other/"));
        assert_eq!(
            j("a b\n\"é.js").as_deref(),
            Some("https://s.example/app/pages/a%20b%0A%22%C3%A9.js")
        );
        assert_eq!(
            base.join("//.2:2:"),
            None,
            "a colon in a host outside brackets"
        );
        let odd = base.join("x\n").expect("joins");
        assert_eq!(Url::parse(&odd.to_string()), Some(odd));
        for none in [
            "data:text/javascript,1",
            "javascript:void(0)",
            "mailto:a@b",
            "#top",
            "",
        ] {
            assert_eq!(j(none), None, "{none}");
        }
    }
}
