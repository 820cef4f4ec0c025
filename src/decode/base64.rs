//! Base64 (RFC 4648): standard and URL-safe alphabets, with or without padding, and wrapped
//! across lines (PEM, MIME, YAML block scalars). Encoding (HTTP Basic credentials, test
//! inputs), lenient decoding of a run found in text, and the *anchors* of a keyword: the
//! characters its base64 form always contains, whatever bytes precede it, for each of the
//! three positions it can take in a 3-byte group.

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A byte's 6-bit value in either alphabet, or 255.
const VALUE: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 64 {
        t[STD[i] as usize] = i as u8;
        t[URL[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Whether `b` is a base64 digit of either alphabet (not padding).
#[inline]
pub fn is_digit(b: u8) -> bool {
    VALUE[b as usize] != 255
}

/// `bytes` in base64, standard alphabet with padding.
pub fn encode(bytes: &[u8]) -> String {
    encode_with(bytes, STD, true)
}

/// `bytes` in base64 with the URL-safe alphabet and no padding (JWTs).
pub fn encode_url(bytes: &[u8]) -> String {
    encode_with(bytes, URL, false)
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n =
            (chunk.iter().enumerate()).fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes the base64 digits of `text` from its start, appending the bytes to `out` and, for
/// each decoded byte, the offset in `text` of the digit that begins it to `offsets`. Line
/// breaks between whole groups are passed over (wrapped base64); decoding stops at padding, at
/// any other byte, or once `max_out` bytes have been decoded. Returns how many
/// bytes of `text` were consumed.
pub fn decode_run(
    text: &[u8],
    max_out: usize,
    out: &mut Vec<u8>,
    offsets: &mut Vec<usize>,
) -> usize {
    let mut acc = 0u32;
    let mut bits = 0u32;
    // The digit where the byte being assembled begins.
    let mut begin = None;
    let mut produced = 0usize;
    // Digits on the current line: only a long line (64 or 76 digits in PEM and MIME) wraps.
    let mut line_digits = 0usize;
    let mut i = 0;
    while i < text.len() && produced < max_out {
        let b = text[i];
        let v = VALUE[b as usize];
        if v == 255 {
            // A line break between whole groups (wrapped base64: PEM, MIME, YAML blocks), and
            // the indentation after it.
            if bits == 0 && line_digits >= 40 && matches!(b, b'\r' | b'\n') {
                let gap = (text[i..].iter())
                    .take_while(|&&c| matches!(c, b'\r' | b'\n' | b' ' | b'\t'))
                    .count();
                let newlines = (text[i..i + gap].iter()).filter(|&&c| c == b'\n').count();
                if newlines == 1 && text.get(i + gap).is_some_and(|&n| is_digit(n)) {
                    i += gap;
                    line_digits = 0;
                    continue;
                }
            }
            break;
        }
        begin.get_or_insert(i);
        line_digits += 1;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            offsets.push(begin.unwrap_or(i));
            acc &= (1 << bits) - 1;
            begin = (bits > 0).then_some(i);
            produced += 1;
        }
        i += 1;
    }
    i
}

/// One anchor of a keyword: `text` is found in the base64 of any bytes holding the keyword at
/// byte position `shift` (0, 1 or 2) of a 3-byte group; the anchor's first digit is digit
/// `digit` of that group's encoding, so the group (where decoding starts) begins `digit`
/// bytes before the anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub text: Vec<u8>,
    pub digit: usize,
}

/// The anchors of `keyword`, in both alphabets (the URL-safe one only where it differs), each
/// at least `min_len` digits long.
pub fn anchors(keyword: &[u8], min_len: usize) -> Vec<Anchor> {
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut padded = vec![0u8; shift];
        padded.extend_from_slice(keyword);
        let encoded = encode_with(&padded, STD, false).into_bytes();
        // Digits whose 6 bits all come from the keyword.
        let first = (8 * shift).div_ceil(6);
        let end = (8 * (shift + keyword.len())) / 6; // exclusive
        if end <= first || end - first < min_len {
            continue;
        }
        let text = encoded[first..end].to_vec();
        let url: Vec<u8> = (text.iter())
            .map(|&b| match b {
                b'+' => b'-',
                b'/' => b'_',
                b => b,
            })
            .collect();
        if url != text {
            out.push(Anchor {
                text: url,
                digit: first,
            });
        }
        out.push(Anchor { text, digit: first });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            let (mut out, mut offs) = (Vec::new(), Vec::new());
            decode_run(enc.as_bytes(), usize::MAX, &mut out, &mut offs);
            assert_eq!(out, plain.as_bytes());
        }
        assert_eq!(encode_url(b"\xfb\xff"), "-_8");
    }

    /// Each anchor occurs in the base64 of the keyword at its shift, after any bytes, and
    /// decoding from `digit` digits before it yields the keyword.
    #[test]
    fn anchors_occur_at_every_shift_and_lead_to_the_keyword() {
        let keyword = b"sk_live_";
        let anchors = anchors(keyword, 4);
        assert!(anchors.len() >= 3, "{anchors:?}");
        for shift in 0..3 {
            for prefix_groups in 0..3 {
                let mut data = b"xyz".repeat(prefix_groups);
                data.extend_from_slice(&b"ab"[..shift]);
                data.extend_from_slice(keyword);
                data.extend_from_slice(b"4eC39HqLyjWDarjtT1zdp7dc");
                let enc = encode(&data).into_bytes();
                let found = anchors
                    .iter()
                    .find_map(|a| memchr::memmem::find(&enc, &a.text).map(|at| (at, a.digit)));
                let (at, digit) = found.expect("an anchor occurs");
                let (mut out, mut offs) = (Vec::new(), Vec::new());
                decode_run(&enc[at - digit..], usize::MAX, &mut out, &mut offs);
                assert!(
                    memchr::memmem::find(&out, keyword).is_some(),
                    "shift {shift}: {}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }

    #[test]
    fn wrapped_and_url_safe_runs_decode() {
        let data: Vec<u8> = (0..=255u8).collect();
        let enc = encode(&data);
        let wrapped: String = (enc.as_bytes().chunks(64))
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        decode_run(wrapped.as_bytes(), usize::MAX, &mut out, &mut offs);
        assert_eq!(out, data);
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        decode_run(
            encode_url(&data).as_bytes(),
            usize::MAX,
            &mut out,
            &mut offs,
        );
        assert_eq!(out, data);
        assert!(offs.windows(2).all(|w| w[0] <= w[1]));
    }
}
