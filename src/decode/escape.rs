//! Escapes that hide a key in logs, URLs, JavaScript and HTML: percent-encoding (`%5F`),
//! `\xNN` and `\uXXXX` (`\u{…}`, surrogate pairs) escapes, and HTML entities — numeric
//! (`&#95;`, `&#x5f;`) and the named ones that stand for ASCII punctuation (`&lowbar;`,
//! `&colon;`, `&amp;` …). Decoding a window of text, and the escaped forms of a keyword that
//! tell where a window is worth decoding.

/// An escape scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    Percent,
    /// `\xNN`.
    HexEscape,
    /// `\uXXXX`.
    Unicode,
    /// `&#NN;`, `&#xNN;`, `&name;`.
    Entity,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::Percent,
        Scheme::HexEscape,
        Scheme::Unicode,
        Scheme::Entity,
    ];

    /// The name a finding's decoding chain gives it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Percent => "percent",
            Scheme::HexEscape => "\\x escapes",
            Scheme::Unicode => "\\u escapes",
            Scheme::Entity => "HTML entities",
        }
    }
}

/// Named entities for ASCII characters (HTML's list; what a page uses to hide punctuation).
const NAMED: &[(&str, u8)] = &[
    ("amp", b'&'),
    ("AMP", b'&'),
    ("lt", b'<'),
    ("gt", b'>'),
    ("quot", b'"'),
    ("QUOT", b'"'),
    ("apos", b'\''),
    ("lowbar", b'_'),
    ("UnderBar", b'_'),
    ("period", b'.'),
    ("colon", b':'),
    ("semi", b';'),
    ("sol", b'/'),
    ("bsol", b'\\'),
    ("equals", b'='),
    ("commat", b'@'),
    ("plus", b'+'),
    ("dash", b'-'),
    ("hyphen", b'-'),
    ("num", b'#'),
    ("dollar", b'$'),
    ("percnt", b'%'),
    ("excl", b'!'),
    ("quest", b'?'),
    ("comma", b','),
    ("lpar", b'('),
    ("rpar", b')'),
    ("ast", b'*'),
    ("tilde", b'~'),
    ("grave", b'`'),
    ("Hat", b'^'),
    ("verbar", b'|'),
    ("vert", b'|'),
    ("lbrace", b'{'),
    ("rbrace", b'}'),
    ("lsqb", b'['),
    ("rsqb", b']'),
    ("nbsp", b' '),
];

fn hex_value(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// The value of `len` hex digits at the start of `s`.
fn hex_digits(s: &[u8], len: usize) -> Option<u32> {
    let digits = s.get(..len)?;
    digits
        .iter()
        .try_fold(0u32, |n, &b| Some(n * 16 + hex_value(b)?))
}

/// Decodes one escape at the start of `s` (which starts with `%`, `\` or `&`): the code point
/// and the bytes it took, or `None` when `s` holds no escape there.
pub fn escape_at(s: &[u8]) -> Option<(u32, usize)> {
    match *s.first()? {
        b'%' => Some((hex_digits(&s[1..], 2)?, 3)),
        b'\\' => match *s.get(1)? {
            b'x' => Some((hex_digits(&s[2..], 2)?, 4)),
            b'u' if s.get(2) == Some(&b'{') => {
                let end = s.iter().take(12).position(|&b| b == b'}')?;
                let v = hex_digits(&s[3..], end - 3)?;
                Some((v, end + 1))
            }
            b'u' => {
                let hi = hex_digits(&s[2..], 4)?;
                // A surrogate pair spells one code point in two escapes.
                if (0xD800..0xDC00).contains(&hi) && s.get(6..8) == Some(b"\\u") {
                    let lo = hex_digits(&s[8..], 4)?;
                    if (0xDC00..0xE000).contains(&lo) {
                        return Some((0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12));
                    }
                }
                Some((hi, 6))
            }
            _ => None,
        },
        b'&' => {
            let end = s.iter().take(12).position(|&b| b == b';')?;
            let body = &s[1..end];
            let v = if let Some(num) = body.strip_prefix(b"#") {
                if let Some(hex) = num.strip_prefix(b"x").or(num.strip_prefix(b"X")) {
                    hex_digits(hex, hex.len())?
                } else {
                    std::str::from_utf8(num).ok()?.parse().ok()?
                }
            } else {
                let name = std::str::from_utf8(body).ok()?;
                u32::from(NAMED.iter().find(|(n, _)| *n == name)?.1)
            };
            (!body.is_empty()).then_some((v, end + 1))
        }
        _ => None,
    }
}

/// Decodes every escape in `text` (bytes outside escapes are copied), appending the bytes to
/// `out` and, for each byte, its offset in `text` (plus `base`) to `offsets`, up to `max_out`
/// bytes. Returns how many escapes were decoded.
pub fn decode(
    text: &[u8],
    base: usize,
    max_out: usize,
    out: &mut Vec<u8>,
    offsets: &mut Vec<usize>,
) -> usize {
    let mut decoded = 0;
    let mut i = 0;
    let limit = out.len() + max_out;
    while i < text.len() && out.len() < limit {
        let b = text[i];
        let escape = matches!(b, b'%' | b'\\' | b'&')
            .then(|| escape_at(&text[i..]))
            .flatten()
            .and_then(|(v, len)| Some((char::from_u32(v)?, len)));
        match escape {
            Some((c, len)) => {
                let mut buf = [0u8; 4];
                for &byte in c.encode_utf8(&mut buf).as_bytes() {
                    out.push(byte);
                    offsets.push(base + i);
                }
                i += len;
                decoded += 1;
            }
            None => {
                out.push(b);
                offsets.push(base + i);
                i += 1;
            }
        }
    }
    decoded
}

/// The ways a byte is escaped: each scheme with lower- (variant 0) and upper-case (1) hex
/// digits; entities in decimal (0), lower-case hex (1) and, for punctuation, by name (2).
const FORMS: [(Scheme, u8); 9] = [
    (Scheme::Percent, 0),
    (Scheme::Percent, 1),
    (Scheme::HexEscape, 0),
    (Scheme::HexEscape, 1),
    (Scheme::Unicode, 0),
    (Scheme::Unicode, 1),
    (Scheme::Entity, 0),
    (Scheme::Entity, 1),
    (Scheme::Entity, 2),
];

const LOWER: &[u8; 16] = b"0123456789abcdef";
const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `b` escaped in form `(scheme, variant)` (see [`FORMS`]) to `out`.
fn escape_into(b: u8, (scheme, variant): (Scheme, u8), out: &mut Vec<u8>) {
    // Variant 0 (and an entity's variant 1) in lower-case hex, the others in upper case.
    let lower = variant == 0 || (scheme == Scheme::Entity && variant == 1);
    let digits = if lower { LOWER } else { UPPER };
    let hex2 = |out: &mut Vec<u8>| {
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 15)]);
    };
    match (scheme, variant) {
        (Scheme::Percent, _) => {
            out.push(b'%');
            hex2(out);
        }
        (Scheme::HexEscape, _) => {
            out.extend_from_slice(b"\\x");
            hex2(out);
        }
        (Scheme::Unicode, _) => {
            out.extend_from_slice(b"\\u00");
            hex2(out);
        }
        (Scheme::Entity, 0) => {
            out.extend_from_slice(b"&#");
            out.extend_from_slice(b.to_string().as_bytes());
            out.push(b';');
        }
        (Scheme::Entity, 1) => {
            out.extend_from_slice(b"&#x");
            hex2(out);
            out.push(b';');
        }
        (Scheme::Entity, _) => {
            match NAMED
                .iter()
                .find(|(_, c)| *c == b && b.is_ascii_punctuation())
            {
                Some((name, _)) => {
                    out.push(b'&');
                    out.extend_from_slice(name.as_bytes());
                    out.push(b';');
                }
                None => {
                    out.extend_from_slice(b"&#x");
                    hex2(out);
                    out.push(b';');
                }
            }
        }
    }
}

/// The escaped forms of `keyword` that show a window is worth decoding: its first three bytes
/// all escaped (an obfuscated string), and the whole keyword with only its punctuation escaped
/// (what URL and HTML encoders do), in each form.
pub fn anchors(keyword: &[u8]) -> Vec<(Vec<u8>, Scheme)> {
    let mut out = Vec::new();
    if keyword.len() < 4 || !keyword.is_ascii() {
        return out;
    }
    let punctuated = keyword.iter().any(|b| b.is_ascii_punctuation());
    for form in FORMS {
        let mut full = Vec::with_capacity(24);
        for &b in &keyword[..3] {
            escape_into(b, form, &mut full);
        }
        out.push((full, form.0));
        if punctuated {
            let mut punct = Vec::with_capacity(keyword.len() * 3);
            for &b in keyword {
                if b.is_ascii_punctuation() {
                    escape_into(b, form, &mut punct);
                } else {
                    punct.push(b);
                }
            }
            out.push((punct, form.0));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> String {
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        decode(s.as_bytes(), 0, usize::MAX, &mut out, &mut offs);
        assert_eq!(out.len(), offs.len());
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn every_scheme_decodes() {
        assert_eq!(dec("sk%5Flive%5f"), "sk_live_");
        assert_eq!(dec("\\x73\\x6B_"), "sk_");
        assert_eq!(dec("\\u0073\\u006b\\u{5f}"), "sk_");
        assert_eq!(dec("\\ud83d\\ude00"), "\u{1F600}");
        assert_eq!(dec("sk&#95;live&#x5F;&lowbar;&amp;"), "sk_live__&");
        // Not escapes: left as they are.
        assert_eq!(
            dec("100% &nbsp &unknown; \\q %zz"),
            "100% &nbsp &unknown; \\q %zz"
        );
    }

    /// Each escaped form of a keyword decodes back to (the start of) the keyword.
    #[test]
    fn anchors_decode_to_the_keyword() {
        for (anchor, _) in anchors(b"sk_live_") {
            let text = String::from_utf8(anchor).expect("ascii");
            let plain = dec(&text);
            assert!("sk_live_".starts_with(&plain), "{text} → {plain}");
        }
    }
}
