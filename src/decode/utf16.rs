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
/// word at a time. Only around such words are runs traced byte by byte. Where the CPU has
/// AVX2, words are first ruled out four at a time ([`simd::next_candidate`]).
pub fn extract(src: &[u8], view: &mut View) {
    extract_with(src, view, simd::available());
}

fn extract_with(src: &[u8], view: &mut View, simd: bool) {
    view.clear();
    let mut next = 0; // nothing before this offset is looked at again
    let words = src.len() / 8;
    let mut w = 0;
    while w < words {
        if simd {
            // SAFETY: `simd` is true only where the CPU has AVX2.
            w = unsafe { simd::next_candidate(src, w) };
            if w >= words {
                break;
            }
        }
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

mod simd {
    /// Whether this CPU has AVX2, which [`characters`] needs.
    pub fn available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// The first 8-byte word from word `w` on that may lie wholly inside a run, four words
    /// at a time: one with a character (printable byte then zero byte) at each of its even
    /// offsets, or at each of its odd ones. Past the end when there is none; `w` itself, or a
    /// word near the end, when it cannot tell (fewer than 33 bytes left).
    ///
    /// # Safety
    /// The CPU must have AVX2 ([`available`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub unsafe fn next_candidate(src: &[u8], mut w: usize) -> usize {
        use std::arch::x86_64::*;
        while let Some(block) = src.get(w * 8..w * 8 + 33) {
            // SAFETY: both loads lie within `block`'s 33 bytes.
            let (v, after) = unsafe {
                (
                    _mm256_loadu_si256(block.as_ptr() as *const __m256i),
                    _mm256_loadu_si256(block.as_ptr().add(1) as *const __m256i),
                )
            };
            // Signed compares: bytes from 0x80 up are negative, not printable.
            let printable = _mm256_and_si256(
                _mm256_cmpgt_epi8(v, _mm256_set1_epi8(0x1f)),
                _mm256_cmpgt_epi8(_mm256_set1_epi8(0x7f), v),
            );
            let zero = _mm256_cmpeq_epi8(after, _mm256_setzero_si256());
            // Bit i: a character at byte i.
            let chars = _mm256_movemask_epi8(_mm256_and_si256(printable, zero)) as u32;
            // 0x80 in the first byte of `x` that is all ones (and maybe in later ones).
            let full = |x: u32| {
                let y = !x;
                y.wrapping_sub(0x0101_0101) & !y & 0x8080_8080
            };
            let found = full(chars | 0xAAAA_AAAA) | full(chars | 0x5555_5555);
            if found != 0 {
                return w + found.trailing_zeros() as usize / 8;
            }
            w += 4;
        }
        w
    }

    #[cfg(not(target_arch = "x86_64"))]
    pub unsafe fn next_candidate(_: &[u8], w: usize) -> usize {
        w
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

    /// With and without the AVX2 screen, the same runs, on inputs full of near misses: runs
    /// of every length around the minimum, at every offset and parity, broken by every kind
    /// of byte, beside binary noise.
    #[test]
    fn the_simd_screen_changes_nothing() {
        if !simd::available() {
            return;
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut runs, mut found) = (0, 0);
        for _ in 0..300 {
            let mut src = Vec::new();
            while src.len() < 4000 {
                let r = random();
                match r % 4 {
                    0 => src.extend((0..r % 40).map(|_| random() as u8)),
                    1 => src.extend((0..r % 9).map(|_| 0)),
                    _ => {
                        let len = (r >> 8) % 14;
                        for i in 0..len {
                            src.extend([b' ' + ((r >> 16) + i) as u8 % 95, 0]);
                        }
                        // What breaks the run: any byte, or none (another run follows).
                        if r & 0x10000 != 0 {
                            src.push((r >> 24) as u8);
                        }
                        runs += usize::from(len >= 8);
                    }
                }
            }
            let (mut plain, mut screened) = (View::default(), View::default());
            extract_with(&src, &mut plain, false);
            extract_with(&src, &mut screened, true);
            assert_eq!(plain.bytes, screened.bytes);
            for at in 0..plain.bytes.len() {
                assert_eq!(plain.source_offset(at), screened.source_offset(at));
            }
            found += plain.bytes.iter().filter(|&&b| b == b'\n').count();
        }
        assert!(
            runs > 1000 && found > 1000,
            "{runs} runs written, {found} found"
        );
    }
}
