//! Tells a real-looking credential body from a placeholder such as `xxxxxxxx`, `000000`,
//! `1234567890`, `abcdefgh` or `yoursecretkeyhere`. Runs only on confirmed regex matches, so it
//! is off the hot path.

/// Shannon entropy of `bytes` in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as an example rather than a credential.
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "here",
    "example",
    "placeholder",
    "secret",
    "sample",
    "dummy",
    "fake",
    "redacted",
    "replace",
    "insert",
    "changeme",
    "xxxx",
    "test",
];

/// True when `body` looks like a placeholder rather than a random credential body.
///
/// Random base62 bodies of 24+ characters almost never contain a run of five equal characters,
/// mostly ascending characters, or very low entropy; a lower-case (or upper-case) body that
/// spells a placeholder word is also a placeholder. Real keys mix cases, so the word test alone
/// cannot drop one.
pub fn looks_like_placeholder(body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    if longest_run(body) >= 5 {
        return true;
    }
    if body.len() >= 8 && ascending_fraction(body) > 0.5 {
        return true;
    }
    if body.len() >= 12 && shannon_entropy(body) < 2.5 {
        return true;
    }
    let has_lower = body.iter().any(u8::is_ascii_lowercase);
    let has_upper = body.iter().any(u8::is_ascii_uppercase);
    if has_lower != has_upper {
        let lower = body.to_ascii_lowercase();
        if PLACEHOLDER_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
        {
            return true;
        }
    }
    false
}

fn longest_run(body: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for &b in body {
        if Some(b) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(b);
        }
        best = best.max(run);
    }
    best
}

/// Fraction of adjacent pairs where the second byte is the first plus one (`1234`, `abcd`),
/// counting `9` → `0` as ascending too.
fn ascending_fraction(body: &[u8]) -> f64 {
    let pairs = body.len().saturating_sub(1);
    if pairs == 0 {
        return 0.0;
    }
    let asc = body
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1) || (w[0] == b'9' && w[1] == b'0'))
        .count();
    asc as f64 / pairs as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "000000000000000000000000",
            "123456789012345678901234567890",
            "abcdefghijklmnopqrstuvwxyz",
            "yoursecretkeygoeshere",
            "YOURSECRETKEYGOESHERE123",
            "abababababababababababab",
        ] {
            assert!(looks_like_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn random_bodies_are_not_placeholders() {
        for k in [
            "51u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUC",
            "4eC39HqLyjWDarjtT1zdp7dc",
            "51qE1SkHbn88HxjSI6bWHtP3fS",
            // Mixed case with a placeholder word inside by chance is still a key.
            "51TeStyourK8HxjSI6bWHtP3fS",
        ] {
            assert!(!looks_like_placeholder(k.as_bytes()), "{k}");
        }
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
