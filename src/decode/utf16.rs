//! UTF-16LE text runs in binaries (like `strings -el`): Windows and .NET binaries, and many
//! others, store string literals as UTF-16, where a byte scan sees `s\0k\0_\0…`. Runs of at
//! least `MIN_RUN` printable ASCII characters each followed by a zero byte go into the view,
//! one per line.

use crate::decode::view::View;

const MIN_RUN: usize = 8;

/// Whether a blob looks binary (a zero byte early on), so that UTF-16 runs are worth finding.
pub fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}

/// Extracts UTF-16LE runs of `src` into `view`.
///
/// Fast path: a run of at least 8 characters (16 bytes) covers a whole 8-byte-aligned word
/// that reads `c 0 c 0 c 0 c 0` or `0 c 0 c 0 c 0 c` (c printable), which bit tricks test a
/// word at a time. Only around such words are runs traced byte by byte.
pub fn extract(src: &[u8], view: &mut View) {
    view.clear();
    let mut next = 0; // nothing before this offset is looked at again
    let words = src.len() / 8;
    let mut w = 0;
    while w < words {
        let at = w * 8;
        let word = u64::from_le_bytes(src[at..at + 8].try_into().unwrap_or([0; 8]));
        let parity = if lanes_printable(word) {
            Some(0)
        } else if lanes_printable(word >> 8) && word & 0x00FF_00FF_00FF_00FF == 0 {
            Some(1)
        } else {
            None
        };
        if let Some(p) = parity
            && at + p >= next
        {
            let end = trace(src, at + p, next, view);
            next = end;
            w = end.div_ceil(8).max(w + 1);
            continue;
        }
        w += 1;
    }
}

/// Whether every 16-bit lane of `word` holds a printable ASCII byte then a zero byte.
fn lanes_printable(word: u64) -> bool {
    const HIGH: u64 = 0xFF00_FF00_FF00_FF00;
    const LOW: u64 = 0x00FF_00FF_00FF_00FF;
    const BIT8: u64 = 0x0100_0100_0100_0100;
    if word & HIGH != 0 {
        return false;
    }
    let x = word & LOW;
    // lane >= 0x20 sets bit 8 when 0xE0 is added; lane <= 0x7e leaves it clear with 0x81.
    (x + 0x00E0_00E0_00E0_00E0) & BIT8 == BIT8 && (x + 0x0081_0081_0081_0081) & BIT8 == 0
}

fn is_pair(src: &[u8], i: usize) -> bool {
    i + 1 < src.len() && src[i + 1] == 0 && (0x20..0x7f).contains(&src[i])
}

/// Traces the run through `inside` (not before `floor`), pushes it if long enough, and
/// returns the offset just past it.
fn trace(src: &[u8], inside: usize, floor: usize, view: &mut View) -> usize {
    let mut start = inside;
    while start >= floor + 2 && is_pair(src, start - 2) {
        start -= 2;
    }
    let mut end = inside;
    while is_pair(src, end) {
        end += 2;
    }
    if (end - start) / 2 >= MIN_RUN {
        let text: Vec<u8> = src[start..end].iter().step_by(2).copied().collect();
        view.push_text_strided(&text, start, 2);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_at_either_parity() {
        let mut src = b"\x01\x02".to_vec();
        for c in "sk_live_key".bytes() {
            src.extend_from_slice(&[c, 0]);
        }
        src.extend_from_slice(b"\xff\xff\x07");
        for c in "short".bytes() {
            src.extend_from_slice(&[c, 0]);
        }
        src.push(9);
        for c in "odd_offset_text".bytes() {
            src.extend_from_slice(&[c, 0]);
        }
        let mut v = View::default();
        extract(&src, &mut v);
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains("sk_live_key\n"), "{text}");
        assert!(text.contains("odd_offset_text\n"), "{text}");
        assert!(!text.contains("short"), "{text}");
        assert_eq!(v.source_offset(0), 2);
    }
}
