//! Forms whose values are encoded by definition, decoded whole where they occur: a Kubernetes
//! `Secret`'s `data` (each value decoded beside its name, so that rules that need the name —
//! `AWS_SECRET_ACCESS_KEY: …` — see both), an `Authorization: Basic` header, a Docker
//! config's `auth`, a `data:` URI of text, a JWT or any base64 JSON (`eyJ…`). A value that
//! decodes to base64 again is unwrapped again, as deep as allowed. Binary values (images,
//! fonts, archives in `data:` URIs, a SealedSecret's ciphertext) are left alone.

use crate::decode::base64;
use crate::decode::decoded::{Decoded, readable};

/// A form whose value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    KubeSecret,
    Basic,
    DockerAuth,
    DataUri,
    /// A JWT, or base64 of a JSON object.
    Json,
}

/// The keywords that announce each form.
pub const KEYWORDS: &[(&str, Context)] = &[
    ("kind: Secret", Context::KubeSecret),
    ("\"kind\": \"Secret\"", Context::KubeSecret),
    ("\"kind\":\"Secret\"", Context::KubeSecret),
    ("Basic ", Context::Basic),
    ("basic ", Context::Basic),
    ("BASIC ", Context::Basic),
    ("\"auth\"", Context::DockerAuth),
    (";base64,", Context::DataUri),
    ("eyJ", Context::Json),
];

/// Longest encoded value decoded in one of these forms.
const MAX_VALUE: usize = 64 * 1024;

/// Decodes the form `c` announced at `at` in `text` into `out` (see
/// `encoded::decode_at`); `depth` is how many encodings may still be undone.
pub fn decode(
    text: &[u8],
    at: usize,
    c: Context,
    chain: &str,
    depth: usize,
    max_out: usize,
    out: &mut Decoded,
) -> bool {
    match c {
        Context::KubeSecret => kube_secret(text, chain, depth, max_out, out),
        Context::Basic => {
            let from = skip(text, at + "Basic ".len(), b" \t");
            value(text, from, chain, depth, max_out, out, |d| {
                d.contains(&b':')
            })
        }
        Context::DockerAuth => {
            let mut from = skip(text, at + "\"auth\"".len(), b" \t\r\n");
            if text.get(from) != Some(&b':') {
                return false;
            }
            from = skip(text, from + 1, b" \t\r\n");
            if text.get(from) != Some(&b'"') {
                return false;
            }
            value(text, from + 1, chain, depth, max_out, out, |_| true)
        }
        Context::DataUri => {
            let before = &text[at.saturating_sub(160)..at];
            let Some(data) = memchr::memmem::rfind(before, b"data:") else {
                return false;
            };
            let mime = String::from_utf8_lossy(&before[data + 5..]).to_ascii_lowercase();
            if !text_mime(&mime) {
                out.archive_uri |= archive_mime(&mime);
                return false;
            }
            value(
                text,
                at + ";base64,".len(),
                chain,
                depth,
                max_out,
                out,
                |_| true,
            )
        }
        Context::Json => {
            // The start of a token, not `eyJ` inside a longer base64 run.
            if at > 0 && base64::is_digit(text[at - 1]) {
                return false;
            }
            let mut any = false;
            let mut from = at;
            // A JWT's header and payload (the signature is no text); base64 JSON otherwise.
            for _ in 0..2 {
                if !text[from..].starts_with(b"eyJ") {
                    break;
                }
                any |= value(text, from, chain, depth, max_out, out, |_| true);
                let len = (text[from..].iter())
                    .take(MAX_VALUE)
                    .take_while(|&&b| base64::is_digit(b) || b == b'=')
                    .count();
                if text.get(from + len) != Some(&b'.') {
                    break;
                }
                from += len + 1;
            }
            any
        }
    }
}

/// Whether a `data:` URI's media type is text (its value may hold a key), not an image, font,
/// audio, video or archive.
fn text_mime(mime: &str) -> bool {
    mime.starts_with("text/")
        || [
            "application/json",
            "application/javascript",
            "application/x-javascript",
            "application/ecmascript",
            "application/xml",
            "application/yaml",
            "application/x-yaml",
            "application/toml",
            "application/x-sh",
            "application/x-www-form-urlencoded",
            "application/octet-stream",
        ]
        .iter()
        .any(|m| mime.starts_with(m))
        || mime.is_empty()
        || mime.starts_with(";charset")
}

/// Whether a `data:` URI's media type is an archive (not opened from a URI: said, not
/// searched).
fn archive_mime(mime: &str) -> bool {
    [
        "application/zip",
        "application/x-zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z",
        "application/x-bzip",
        "application/x-xz",
        "application/zstd",
        "application/java-archive",
        "application/vnd.android.package-archive",
    ]
    .iter()
    .any(|m| mime.starts_with(m))
}

fn skip(text: &[u8], mut at: usize, set: &[u8]) -> usize {
    while text.get(at).is_some_and(|b| set.contains(b)) {
        at += 1;
    }
    at
}

/// Decodes the base64 value starting at `from` (unwrapping base64 inside base64 while `depth`
/// allows) if it reads as text and passes `accept`; appends it to `out`.
fn value(
    text: &[u8],
    from: usize,
    chain: &str,
    depth: usize,
    max_out: usize,
    out: &mut Decoded,
    accept: impl Fn(&[u8]) -> bool,
) -> bool {
    match unwrap(text, from, chain, depth, max_out, out) {
        Some((bytes, source, end, chain)) if accept(&bytes) => {
            out.push(&bytes, &source, (from, end), chain);
            true
        }
        _ => false,
    }
}

/// The base64 value at `from`, decoded — and decoded again while what it decodes to is base64
/// itself and `depth` allows: its bytes, their offsets in `text`, where the value ends, and the
/// chain. `None` when it is too short or not text. Sets `out.too_deep` when what is left is
/// base64 still.
fn unwrap(
    text: &[u8],
    from: usize,
    chain: &str,
    depth: usize,
    max_out: usize,
    out: &mut Decoded,
) -> Option<(Vec<u8>, Vec<usize>, usize, String)> {
    if depth == 0 {
        return None;
    }
    let (mut bytes, mut source) = (Vec::new(), Vec::new());
    let end = from
        + base64::decode_run(
            &text[from..],
            max_out.min(MAX_VALUE),
            &mut bytes,
            &mut source,
        );
    if end - from < 8 || !readable(&bytes) {
        return None;
    }
    for s in &mut source {
        *s += from;
    }
    let mut chain = if chain.is_empty() {
        "base64".to_string()
    } else {
        format!("{chain}>base64")
    };
    let mut left = depth - 1;
    // Base64 of base64: every byte a digit (or padding), in whole groups.
    let encoded_again = |bytes: &[u8]| {
        let digits = bytes.iter().filter(|&&b| base64::is_digit(b)).count();
        bytes.len() >= 16
            && bytes.len().is_multiple_of(4)
            && digits + 2 >= bytes.len()
            && bytes.iter().all(|&b| base64::is_digit(b) || b == b'=')
    };
    loop {
        if !encoded_again(&bytes) {
            break;
        }
        let (mut inner, mut inner_source) = (Vec::new(), Vec::new());
        base64::decode_run(&bytes, max_out, &mut inner, &mut inner_source);
        if !readable(&inner) {
            break;
        }
        if left == 0 {
            out.too_deep = true;
            break;
        }
        let mapped = inner_source.iter().map(|&i| source[i]).collect();
        bytes = inner;
        source = mapped;
        chain.push_str(">base64");
        left -= 1;
    }
    Some((bytes, source, end, chain))
}

/// A Kubernetes Secret manifest (YAML or JSON): each `data` entry's value decoded, as
/// `NAME: value`, the name mapped to where it is and the value to where it was encoded.
fn kube_secret(text: &[u8], chain: &str, depth: usize, max_out: usize, out: &mut Decoded) -> bool {
    if out.kube_done {
        return false;
    }
    out.kube_done = true;
    let mut any = false;
    let mut offset = 0;
    for line in text.split(|&b| b == b'\n') {
        let start = offset;
        offset += line.len() + 1;
        let Some((name, value)) = entry(line) else {
            continue;
        };
        if out.bytes.len() >= max_out {
            break;
        }
        let from = start + value;
        let Some((bytes, source, end, chain)) = unwrap(text, from, chain, depth, max_out, out)
        else {
            continue;
        };
        let (name_start, name_end) = (start + name.0, start + name.1);
        let mut line_bytes = text[name_start..name_end].to_vec();
        let mut line_source: Vec<usize> = (name_start..name_end).collect();
        line_bytes.extend_from_slice(b": ");
        line_source.extend([from, from]);
        line_bytes.extend_from_slice(&bytes);
        line_source.extend_from_slice(&source);
        out.push(&line_bytes, &line_source, (from, end), chain);
        any = true;
    }
    any
}

/// A `data` entry's name span and the offset of its value in `line`: YAML `  NAME: VALUE` or
/// JSON `"NAME": "VALUE"`, the value base64 in whole groups.
fn entry(line: &[u8]) -> Option<((usize, usize), usize)> {
    let name_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let mut i = skip(line, 0, b" \t");
    let quoted = line.get(i) == Some(&b'"');
    i += usize::from(quoted);
    let name_start = i;
    while line.get(i).is_some_and(name_char) {
        i += 1;
    }
    let name_end = i;
    if name_end == name_start || (quoted && line.get(i) != Some(&b'"')) {
        return None;
    }
    i += usize::from(quoted);
    if line.get(i) != Some(&b':') {
        return None;
    }
    i = skip(line, i + 1, b" \t");
    let value_quoted = line.get(i) == Some(&b'"');
    i += usize::from(value_quoted);
    let value = i;
    let digits = (line[i..].iter())
        .take_while(|&&b| base64::is_digit(b) || b == b'=')
        .count();
    let rest = &line[i + digits..];
    let rest_ok = rest
        .iter()
        .all(|b| matches!(b, b'"' | b',' | b' ' | b'\t' | b'\r'));
    (digits >= 8 && digits.is_multiple_of(4) && rest_ok).then_some(((name_start, name_end), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str, c: Context) -> Vec<(String, String)> {
        let mut out = Decoded::default();
        let at = KEYWORDS
            .iter()
            .filter(|(_, k)| *k == c)
            .find_map(|(kw, _)| text.find(kw))
            .expect("keyword in text");
        decode(text.as_bytes(), at, c, "", 3, 1 << 20, &mut out);
        out.regions
            .iter()
            .map(|r| {
                let s = String::from_utf8_lossy(&out.bytes[r.start..r.end]).into_owned();
                (s, r.chain.clone())
            })
            .collect()
    }

    #[test]
    fn forms() {
        let b = base64::encode;
        let secret = format!(
            "apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  AWS_SECRET_ACCESS_KEY: {}\n  deep: {}\n",
            b(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"),
            b(b(b"password=hunter2hunter2").as_bytes()),
        );
        assert_eq!(
            decoded(&secret, Context::KubeSecret),
            vec![
                (
                    "AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz".to_string(), // sealant:allow test value
                    "base64".to_string()
                ),
                (
                    "deep: password=hunter2hunter2".to_string(),
                    "base64>base64".to_string()
                ),
            ]
        );
        let basic = format!("Authorization: Basic {}\n", b(b"sk_live_abc:"));
        assert_eq!(decoded(&basic, Context::Basic)[0].0, "sk_live_abc:");
        let uri = format!("src=\"data:text/plain;base64,{}\"", b(b"KEY=value1234"));
        assert_eq!(decoded(&uri, Context::DataUri)[0].0, "KEY=value1234");
        let image = format!("src=\"data:image/png;base64,{}\"", b(b"KEY=value1234"));
        assert!(decoded(&image, Context::DataUri).is_empty());
        let jwt = format!(
            "t = {}.{}.sig",
            base64::encode_url(b"{\"alg\":\"HS256\"}"),
            base64::encode_url(b"{\"aws\":\"AKIA\"}")
        );
        let parts = decoded(&jwt, Context::Json);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[1].0, "{\"aws\":\"AKIA\"}");
    }
}
