//! JSON string unescaping over raw bytes, for source maps: `sourcesContent` holds whole source
//! files as JSON strings, so a key there may be split by `\n`, `\"` or `\u0041` escapes.
//! Only the strings that hold a `\u` escape are decoded (see [`may_hide_text`]), each found
//! from its escape without parsing the JSON around it (a truncated or invalid map still
//! decodes); bytes outside escapes are copied as they are.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::decode::view::View;

/// Searchers built once: building one costs more than running it over a small file.
static SOURCES_CONTENT: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\"sourcesContent\""));
static UNICODE_ESCAPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\u"));

/// Whether a blob should get a JSON-unescaped view: a source map, by name or by content.
pub fn wants_view(path: &str, head: &[u8]) -> bool {
    path.ends_with(".map")
        || SOURCES_CONTENT
            .find(&head[..head.len().min(4096)])
            .is_some()
}

/// Whether decoding `src` could reveal a match the raw bytes hide. `\n`, `\"`, `\\` and
/// `\/` only change the bytes around a credential (the rules allow for them: a PEM block in a
/// JSON string is matched with its `\n`s), but a `\uXXXX` escape can stand inside one
/// (`sk_\u006cive_…`), so only chunks with `\u` escapes get a decoded view.
pub fn may_hide_text(src: &[u8]) -> bool {
    UNICODE_ESCAPE.find(src).is_some()
}

/// Decodes into `view` the JSON strings of `src` that hold a `\u` escape, quotes included,
/// each on a line of its own. The other strings are left out: their escapes only change the
/// bytes around a credential, which the raw scan sees as well as a decoded one would, and
/// most of a source map is in them, so its view is a fraction of its size.
pub fn unescape(src: &[u8], view: &mut View) {
    view.clear();
    let mut done = 0; // nothing before this offset is decoded again
    for at in UNICODE_ESCAPE.find_iter(src) {
        // A `\u` without 4 hex digits is no escape: it hides nothing (and a line for it
        // could make the view longer than its input).
        if at < done || hex4(src.get(at + 2..).unwrap_or_default()).is_none() {
            continue;
        }
        let start = string_start(src, done, at);
        let end = string_end(src, at);
        decode_into(&src[start..end], start, view);
        view.bytes.push(b'\n');
        done = end;
    }
}

/// Where the string holding offset `at` starts: its opening quote (the nearest quote before
/// `at` that no backslash escapes), or `floor` when there is none after it.
fn string_start(src: &[u8], floor: usize, at: usize) -> usize {
    let mut to = at;
    while let Some(q) = memchr::memrchr(b'"', &src[floor..to]).map(|q| floor + q) {
        let backslashes = src[floor..q]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return q;
        }
        to = q;
    }
    floor
}

/// Where the string holding the escape at `at` ends: just past its closing quote (the next
/// quote that is not part of an escape), or the end of `src`.
fn string_end(src: &[u8], mut at: usize) -> usize {
    while let Some(off) = memchr::memchr2(b'"', b'\\', &src[at..]) {
        at += off;
        if src[at] == b'"' {
            return at + 1;
        }
        at += escape(&src[at..]).0;
    }
    src.len()
}

/// Decodes the escapes in `src`, which starts at offset `from` of the blob, onto `view`.
fn decode_into(src: &[u8], from: usize, view: &mut View) {
    view.checkpoint(view.bytes.len(), from);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', &src[i..]) {
        let at = i + off;
        view.bytes.extend_from_slice(&src[i..at]);
        let (consumed, decoded) = escape(&src[at..]);
        match decoded {
            Decoded::Byte(b) => view.bytes.push(b),
            Decoded::Char(c) => {
                let mut buf = [0u8; 4];
                view.bytes
                    .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        i = at + consumed;
        view.checkpoint(view.bytes.len(), from + i);
    }
    view.bytes.extend_from_slice(&src[i..]);
}

enum Decoded {
    Byte(u8),
    Char(char),
}

/// Decodes the escape at the start of `s` (which starts with `\`): bytes consumed and result.
fn escape(s: &[u8]) -> (usize, Decoded) {
    let Some(&kind) = s.get(1) else {
        return (1, Decoded::Byte(b'\\'));
    };
    let simple = match kind {
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'b' => Some(8),
        b'f' => Some(12),
        b'"' | b'\\' | b'/' | b'\'' => Some(kind),
        _ => None,
    };
    if let Some(b) = simple {
        return (2, Decoded::Byte(b));
    }
    if kind == b'u'
        && let Some(hi) = hex4(&s[2..])
    {
        // A surrogate pair spells one character in two escapes.
        if (0xD800..0xDC00).contains(&hi)
            && s.get(6) == Some(&b'\\')
            && s.get(7) == Some(&b'u')
            && let Some(lo) = hex4(&s[8..])
            && (0xDC00..0xE000).contains(&lo)
        {
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return (12, Decoded::Char(char::from_u32(c).unwrap_or('\u{FFFD}')));
        }
        return (6, Decoded::Char(char::from_u32(hi).unwrap_or('\u{FFFD}')));
    }
    // Not a JSON escape: keep the backslash, decode nothing.
    (1, Decoded::Byte(b'\\'))
}

fn hex4(s: &[u8]) -> Option<u32> {
    let digits = s.get(..4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded_and_offsets_map_back() {
        let src = br#"{"sourcesContent":["const k = \"sk_\u006cive_x\";\nok\ud83d\ude00"]}"#;
        let mut v = View::default();
        unescape(src, &mut v);
        let text = String::from_utf8(v.bytes.clone()).expect("utf-8");
        assert!(text.contains("const k = \"sk_live_x\";\nok😀"), "{text}");
        let at = text.find("_x").expect("present");
        assert_eq!(&src[v.source_offset(at)..v.source_offset(at) + 2], b"_x");
        assert!(v.changed());
    }

    #[test]
    fn stray_backslashes_survive() {
        let mut v = View::default();
        unescape(br#"x "a\qb\u0041" y \"#, &mut v);
        assert_eq!(v.bytes, b"\"a\\qbA\"\n");
    }

    /// The view is never longer than its input, however the strings fall: a `\u` that is no
    /// escape (`"\u"`) hides nothing and gets no line, and an escaped backslash before `u`
    /// (`"\\u0041"`) gives back the byte its line takes.
    #[test]
    fn the_view_is_no_longer_than_its_input() {
        let mut v = View::default();
        for unit in [
            &br#""\u""#[..],
            br#""\\u0041""#,
            br#"\u"#,
            br#""\u004""#,
            br#""\u0041""#,
        ] {
            let src = unit.repeat(1000);
            unescape(&src, &mut v);
            assert!(
                v.bytes.len() <= src.len(),
                "{}",
                String::from_utf8_lossy(unit)
            );
        }
    }

    /// Only strings with a `\u` escape are decoded, found however quotes and backslashes
    /// around them fall, each mapped back to where it came from.
    #[test]
    fn only_strings_with_unicode_escapes_are_decoded() {
        let src = br#"["plain\n", "a\\", "b\"c\u0041\"d", "e\\\u0042", "f\u0043\u0044", "g"]"#;
        let mut v = View::default();
        unescape(src, &mut v);
        let text = String::from_utf8(v.bytes.clone()).expect("utf-8");
        assert_eq!(text, "\"b\"cA\"d\"\n\"e\\B\"\n\"fCD\"\n");
        for (at, c) in text.char_indices().filter(|(_, c)| "bdeg".contains(*c)) {
            assert_eq!(src[v.source_offset(at)], c as u8, "{at}");
        }
        // A chunk cut inside a string: from its start, to its end.
        unescape(br#"x\u0041y", "z"#, &mut v);
        assert_eq!(v.bytes, b"xAy\"\n");
        unescape(br#""p", "q\u0041"#, &mut v);
        assert_eq!(v.bytes, b"\"qA\n");
    }
}
