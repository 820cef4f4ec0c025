//! Length-prefixed strings in any other binary (protobuf, msgpack, bincode-style records,
//! unknown formats): where the byte before a string is its length and happens to be a letter or
//! digit (`k` is 107), a byte scan sees `ksk_live_…` — no boundary on the left, and none on the
//! right where strings are packed end to end. Where the byte(s) just before a run of printable
//! bytes encode a length that fits the run — one byte (also msgpack `str8`), a big-endian `u16`,
//! a two-byte ULEB128/protobuf varint — exactly that many bytes go into the view on their own
//! line: the length is the left boundary and fixes the right end.
//!
//! Only prefixes a byte scan is blind to are used (the byte right before the string is a letter,
//! digit or `_`), only strings of at least 16 bytes followed by something that is not a letter
//! or digit, so that text is not cut at random, and only strings around a keyword the prefilter
//! found, so that the cost follows the keywords, not the size of the binary.

use crate::decode::view::View;

/// Shortest string worth a line: shorter ones hold no credential.
const MIN_LEN: usize = 16;
/// Longest length a two-byte prefix is read as.
const MAX_LEN: usize = 8 * 1024;

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A byte that goes on a base64 run (`+`, `/`, `=` padding): a one-byte length whose end
/// falls there cut a run of base64 (a `data:` URI in a binary), not a string.
fn base64_tail(b: u8) -> bool {
    matches!(b, b'+' | b'/' | b'=')
}

/// How far before a keyword a length-prefixed string may start.
const MAX_BACK: usize = 64;

/// Appends to `view` the length-prefixed strings of `src` (see the module doc) that contain a
/// keyword start among `keywords` (positions, ascending): the work is proportional to the
/// keywords found, not to the size of the binary.
pub fn extract_around(src: &[u8], keywords: impl Iterator<Item = usize>, view: &mut View) {
    let mut done = 0; // strings already emitted end here: later keywords inside them are covered
    for at in keywords {
        if at < done {
            continue;
        }
        if let Some((from, to)) = string_around(src, at) {
            view.push_text(&src[from..to], from);
            done = to;
        }
    }
}

/// The length-prefixed string holding byte `at`, if any.
fn string_around(src: &[u8], at: usize) -> Option<(usize, usize)> {
    let lowest = at.saturating_sub(MAX_BACK).max(1);
    // How far the printable run holding `at` is known to reach (`seen`), and where it ends
    // once that is known: each byte after `at` is looked at once however many candidates
    // (in text, every byte before a keyword is one) ask whether they fit.
    let mut seen = at;
    let mut run_end: Option<usize> = None;
    let mut fits = |to: usize| -> bool {
        if let Some(end) = run_end {
            return to <= end;
        }
        while seen < to {
            match src.get(seen) {
                Some(&b) if printable(b) => seen += 1,
                _ => {
                    run_end = Some(seen);
                    return false;
                }
            }
        }
        true
    };
    for from in (lowest..=at).rev() {
        let low = src[from - 1];
        if !printable(*src.get(from)?) {
            return None; // no printable run reaches back past here
        }
        let high = from.checked_sub(2).map(|i| src[i]);
        // Each candidate length, and whether the string must end where a word ends (a
        // one-byte prefix is weak evidence; zeros of a little-endian length are not).
        let lengths: [Option<(usize, bool)>; 3] = if word(low) {
            [
                Some((low as usize, true)),
                high.filter(|h| (1..0x20).contains(h))
                    .map(|h| ((h as usize) << 8 | low as usize, true)), // u16 big-endian
                high.filter(|h| h & 0x80 != 0)
                    .map(|h| ((h as usize & 0x7f) | (low as usize) << 7, true)), // varint
            ]
        } else if low == 0 {
            // A little-endian length (u16, u32, u64 as bincode writes them): its low byte,
            // then zeros up to the string. The zero is a boundary a byte scan sees; the end of
            // the string, where another abuts it, is not.
            let mut zeros = 1;
            while zeros < 7 && from > zeros && src[from - 1 - zeros] == 0 {
                zeros += 1;
            }
            let len = from
                .checked_sub(1 + zeros)
                .map(|i| src[i])
                .filter(|&b| b != 0)
                .map(|b| (b as usize, false));
            [len, None, None]
        } else {
            continue; // a byte scan sees this boundary itself
        };
        for (len, strict) in lengths.into_iter().flatten() {
            let to = from + len;
            if (MIN_LEN..=MAX_LEN).contains(&len)
                && to > at
                && to <= src.len()
                && (!strict || src.get(to).is_none_or(|&b| !word(b) && !base64_tail(b)))
                && fits(to)
            {
                return Some((from, to));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strings around each `sk_` (standing in for the prefilter's keyword hits).
    fn strings(src: &[u8]) -> Vec<String> {
        let mut v = View::default();
        let hits = memchr::memmem::find_iter(src, b"sk_").collect::<Vec<_>>();
        extract_around(src, hits.into_iter(), &mut v);
        String::from_utf8_lossy(&v.bytes)
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn prefixes_a_byte_scan_cannot_see() {
        let key = format!("sk_live_{}", "a1B2c3D4e5".repeat(10)); // sealant:allow test key
        // One length byte (`l` = 108), glued to the key, then another field.
        let mut protobuf = vec![0x0a, key.len() as u8];
        protobuf.extend_from_slice(key.as_bytes());
        protobuf.extend_from_slice(&[0x12, 3, b'a', b'b', b'c']);
        assert_eq!(strings(&protobuf), vec![key.clone()]);
        // msgpack str8, then strings packed end to end.
        let mut msgpack = vec![0xd9, key.len() as u8];
        msgpack.extend_from_slice(key.as_bytes());
        msgpack.extend_from_slice(b"!next");
        assert_eq!(strings(&msgpack), vec![key.clone()]);
        // A big-endian u16 of 0x0130 = 304 reads `\x010`.
        let long = format!("sk_live_{}", "Z9y8X7w6v5".repeat(29) + "abcdef"); // sealant:allow test key
        let mut be = vec![0, 0x01, 0x30];
        be.extend_from_slice(long.as_bytes());
        be.push(0);
        assert_eq!(long.len(), 0x130);
        assert_eq!(strings(&be), vec![long]);
    }

    #[test]
    fn little_endian_lengths_fix_the_right_end() {
        let key = format!("sk_live_{}", "a1B2c3D4e5".repeat(10)); // sealant:allow test key
        for zeros in [1, 3, 7] {
            // A u16/u32/u64 little-endian length, the key, and the next string glued to it.
            let mut le = vec![0xffu8, key.len() as u8];
            le.extend(std::iter::repeat_n(0u8, zeros));
            le.extend_from_slice(key.as_bytes());
            le.extend_from_slice(b"nextstring");
            assert_eq!(strings(&le), vec![key.clone()], "{zeros} zero bytes");
        }
    }

    #[test]
    fn ordinary_text_is_not_cut() {
        // A run whose first byte is not a fitting length, text in a binary.
        assert!(strings(b"\0\0Hello world, this is just sk_some text here\0").is_empty());
        // A fitting length whose end falls inside a word is not a boundary.
        let mut t = vec![0u8, b'0'];
        t.extend_from_slice(format!("sk_{}", "abcdefghijklmnopqrstuvwxyz".repeat(3)).as_bytes());
        assert!(strings(&t).is_empty());
        // Nor inside base64: `A` (65) before `sk_` (and `E`, 69, four bytes before) where
        // the run's `=` padding comes 65 bytes on (as a PNG `data:` URI in a browser's binary
        // put Square's `EAAA` at a line start).
        let mut t = b"\0\0iVBORw0KGgoAAAANSUhEUgAAAAEAAAA".to_vec();
        t.extend_from_slice(format!("sk_{}", "Q".repeat(62)).as_bytes());
        t.extend_from_slice(b"=\0");
        assert!(strings(&t).is_empty(), "{:?}", strings(&t));
        assert!(strings(b"").is_empty());
    }
}
