//! Hex-encoded text (`736b5f6c6976655f…`): encoding a keyword's hex forms, and decoding a run
//! of hex digit pairs found in text.

/// `bytes` as hex digits, lower- or upper-case.
pub fn encode(bytes: &[u8], upper: bool) -> String {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 15)]));
    }
    out
}

/// Decodes pairs of hex digits from the start of `text`, appending the bytes to `out` and each
/// byte's offset in `text` to `offsets`, up to `max_out` bytes; stops at the first byte that is
/// not a hex digit. Returns how many bytes of `text` were consumed.
pub fn decode_run(
    text: &[u8],
    max_out: usize,
    out: &mut Vec<u8>,
    offsets: &mut Vec<usize>,
) -> usize {
    let mut i = 0;
    let mut produced = 0;
    while produced < max_out
        && let Some(pair) = text.get(i..i + 2)
    {
        let (Some(hi), Some(lo)) = (
            (pair[0] as char).to_digit(16),
            (pair[1] as char).to_digit(16),
        ) else {
            break;
        };
        out.push((hi * 16 + lo) as u8);
        offsets.push(i);
        i += 2;
        produced += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = encode(b"sk_live_\x00\xff", false);
        assert_eq!(text, "736b5f6c6976655f00ff");
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        let used = decode_run(
            format!("{}zz", text.to_uppercase()).as_bytes(),
            99,
            &mut out,
            &mut offs,
        );
        assert_eq!(out, b"sk_live_\x00\xff");
        assert_eq!(used, text.len());
        assert_eq!(offs[1], 2);
    }
}
