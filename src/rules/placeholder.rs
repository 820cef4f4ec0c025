//! Tells a real-looking credential body from a placeholder such as `xxxxxxxx`, `000000`,
//! `1234567890`, `abcdefgh` or `yoursecretkeyhere`. Runs only on confirmed regex matches, so it
//! is off the hot path.

use crate::rules::trigram_freq::COMMON_TRIGRAMS;

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
    "key",
    "token",
    "goes",
];

/// True when `body` as a whole is fake rather than a random credential body: one character
/// repeated over at least half of it (`xxxxxxxx`, `51Hxxxxxxxxxxxxx`), mostly ascending
/// characters (`1234567890`, `abcdefgh`), very low entropy over the whole body, or a
/// single-case body made mostly of placeholder words (`your_secret_key_here`).
///
/// A run of a few equal characters, or one placeholder word, somewhere inside a random body
/// is chance, not a placeholder: every test looks at the body as a whole, so the rate at which
/// random keys are rejected stays far below one in 10^7 (see the tests).
pub fn looks_like_placeholder(body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    let run = longest_run(body);
    if run == body.len() || (run >= 6 && run * 2 >= body.len()) || runs_cover_half(body) {
        return true;
    }
    if body.len() >= 12 && (ascending_fraction(body, 1) > 0.5 || ascending_fraction(body, 2) > 0.5)
    {
        return true;
    }
    if body.len() >= 20 && shannon_entropy(body) < 2.0 {
        return true;
    }
    let has_lower = body.iter().any(u8::is_ascii_lowercase);
    let has_upper = body.iter().any(u8::is_ascii_uppercase);
    has_lower != has_upper && word_coverage(body) * 3 >= body.len()
}

/// True when `body` reads as code rather than a random credential: a run of at least 24
/// identifier characters (`[A-Za-z0-9_-]`) of which more than 70% of the 3-byte windows are
/// among the 16,384 most common in source code — flag names and concatenated identifiers
/// (`--bitbucket-cloud-config-workspace`, `nameCLIENT_IPenableCDNlogConfig`), 75–90% common.
/// Random keys stay far below: of 300,000 random bodies per alphabet (hex, base62, base64url,
/// lower-case letters and digits, lower-case letters), 24 to 64 long, none passed 64%.
pub fn reads_as_code(body: &[u8]) -> bool {
    if body.len() < 24
        || !(body.iter()).all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return false;
    }
    let windows = body.len() - 2;
    let common = (body.windows(3))
        .filter(|w| {
            COMMON_TRIGRAMS
                .binary_search_by(|(c, _)| c[..].cmp(w))
                .is_ok()
        })
        .count();
    common * 10 > windows * 7
}

/// Whether an assigned value cannot be a secret: a number or a boolean (`1`, `0.5`, `true`,
/// `off`).
pub fn not_a_secret(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    let number = !v.is_empty()
        && v.iter()
            .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-');
    let lower = v.to_ascii_lowercase();
    number
        || matches!(
            &lower[..],
            b"true" | b"false" | b"yes" | b"no" | b"on" | b"off" | b"null" | b"none"
        )
}

/// Words that mark a value written for documentation (`sk_live_…EXAMPLEKEY`,
/// `AKIAIOSFODNN7EXAMPLE`), case as written. Each is long enough, or marked off by `_`, that a
/// random key holds it less than once in 10^7.
const DOC_WORDS: &[&str] = &[
    "EXAMPLE",
    "Example",
    "example",
    "SAMPLE",
    "Sample",
    "sample",
    "DUMMY_",
    "dummy_",
    "_DUMMY",
    "_dummy",
    "DUMMYKEY",
    "dummykey",
    "YOURKEY",
    "YourKey",
    "yourkey",
    "YOUR_",
    "your_",
    "_YOUR",
    "_your",
    "FAKEKEY",
    "fakekey",
    "FAKE_",
    "fake_",
    "_FAKE",
    "_fake",
    "REPLACEME",
    "replaceme",
    "CHANGEME",
    "changeme",
];

/// True when `body` reads as a documented example rather than a real key: a documentation
/// word in it (`EXAMPLE`, `SAMPLE`, `DUMMY_`, `YOUR_`, `FAKE_` …), a run of eight or more
/// letters in alphabet order (`AbCdEfGhIj…`), nine or more ascending digits, or eight or more
/// zeros. Such a value is reported at `info`, never dropped: it may still be pasted for real.
pub fn looks_documented(body: &[u8]) -> bool {
    if DOC_WORDS
        .iter()
        .any(|w| memchr::memmem::find(body, w.as_bytes()).is_some())
    {
        return true;
    }
    let (mut letters, mut digits, mut zeros) = (1usize, 1usize, 0usize);
    for (i, &b) in body.iter().enumerate() {
        zeros = if b == b'0' { zeros + 1 } else { 0 };
        if zeros >= 8 {
            return true;
        }
        let Some(&prev) = i.checked_sub(1).and_then(|p| body.get(p)) else {
            continue;
        };
        let next_letter = b.is_ascii_alphabetic()
            && prev.is_ascii_alphabetic()
            && b.to_ascii_lowercase() == prev.to_ascii_lowercase() + 1;
        letters = if next_letter { letters + 1 } else { 1 };
        let next_digit = b.is_ascii_digit() && prev.is_ascii_digit() && b == prev + 1;
        digits = if next_digit { digits + 1 } else { 1 };
        if letters >= 8 || digits >= 9 {
            return true;
        }
    }
    false
}

/// How many bytes of `body` placeholder words cover (without case).
fn word_coverage(body: &[u8]) -> usize {
    let lower = body.to_ascii_lowercase();
    let mut covered = vec![false; lower.len()];
    for w in PLACEHOLDER_WORDS {
        for at in memchr::memmem::find_iter(&lower, w.as_bytes()) {
            covered[at..at + w.len()].iter_mut().for_each(|c| *c = true);
        }
    }
    covered.iter().filter(|&&c| c).count()
}

/// Whether runs of four or more equal characters make up at least half of `body`
/// (`5555555dAAAAA7777777CcccCFaaaaaaaaaaaaaa`: a value typed by holding keys down).
fn runs_cover_half(body: &[u8]) -> bool {
    let covered: usize = (body.chunk_by(|a, b| a == b))
        .map(<[u8]>::len)
        .filter(|&n| n >= 4)
        .sum();
    body.len() >= 16 && covered * 2 >= body.len()
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

/// Fraction of pairs `step` bytes apart where the second byte is the first plus one (`1234`,
/// `abcd`; with a step of 2 also interleaved runs: `a1b2c3d4`), counting `9` → `0` as
/// ascending too.
fn ascending_fraction(body: &[u8], step: usize) -> f64 {
    let pairs = body.len().saturating_sub(step);
    if pairs == 0 {
        return 0.0;
    }
    let asc = body
        .windows(step + 1)
        .filter(|w| w[step] == w[0].wrapping_add(1) || (w[0] == b'9' && w[step] == b'0'))
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
            "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
            "A1B2C3D4E5F6G7H8I9J0",
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

    /// A small seeded generator (xorshift64*), so the rate test is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Random bodies over `alphabet` of every length in `lengths`; returns how many of `n`
    /// are taken for placeholders.
    fn false_rejections(alphabet: &[u8], lengths: std::ops::RangeInclusive<usize>, n: u64) -> u64 {
        let mut rng = Rng(0x05EA_1A47_u64 ^ alphabet.len() as u64);
        let span = (lengths.end() - lengths.start() + 1) as u64;
        let mut rejected = 0;
        let mut body = Vec::new();
        for _ in 0..n {
            let len = lengths.start() + (rng.next() % span) as usize;
            body.clear();
            body.extend((0..len).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]));
            if looks_like_placeholder(&body) || looks_documented(&body) {
                rejected += 1;
            }
        }
        rejected
    }

    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// Random Stripe-like bodies (24 to 247 base62 characters, the lengths the rule accepts),
    /// lower-case base36 and hex bodies are never placeholders: 10^5 each here, 10^6 in the
    /// ignored test below (`cargo test --release -- --ignored placeholder_rate`).
    #[test]
    fn random_keys_are_kept() {
        assert_eq!(false_rejections(BASE62, 24..=247, 100_000), 0);
        assert_eq!(
            false_rejections(b"0123456789abcdefghijklmnopqrstuvwxyz", 20..=64, 100_000),
            0
        );
        assert_eq!(false_rejections(b"0123456789abcdef", 20..=64, 100_000), 0);
    }

    #[test]
    #[ignore = "10^6 keys per alphabet: run with --release"]
    fn placeholder_rate_below_one_in_ten_million() {
        assert_eq!(false_rejections(BASE62, 24..=247, 1_000_000), 0);
        assert_eq!(false_rejections(BASE62, 8..=23, 1_000_000), 0);
        assert_eq!(
            false_rejections(b"0123456789abcdefghijklmnopqrstuvwxyz", 20..=64, 1_000_000),
            0
        );
        assert_eq!(false_rejections(b"0123456789abcdef", 20..=64, 1_000_000), 0);
    }

    /// Runs of five equal characters inside a random key (dropped before) are kept.
    #[test]
    fn runs_inside_a_key_are_chance() {
        let k = "51u8jzPde0IgxLd6GncfBAepfJBd0Kh8ooooo8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUC";
        assert!(!looks_like_placeholder(k.as_bytes()));
        assert!(looks_like_placeholder(b"51Hxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(looks_like_placeholder(b"your_secret_key_here"));
        // Several held-down runs together.
        assert!(looks_like_placeholder(
            b"5555555dAAAAA7777777CcccCFaaaaaaaaaaaaaa"
        ));
        assert!(!looks_like_placeholder(
            b"5555e9dA1AAAb7Q77x2CcccCFa0aaaPz3aaaaK1q"
        ));
    }

    #[test]
    fn code_is_not_a_key() {
        for code in [
            &b"--bitbucket-cloud-config-workspace"[..],
            b"credential-user-token-secret-versionz",
            b"nameCLIENT_IPenableCDNlogConfigsnapshots",
        ] {
            assert!(reads_as_code(code), "{}", String::from_utf8_lossy(code));
        }
        for key in [
            &b"hPq4XELKxpPaiidMRNGexLBHPHiiPLjR"[..],
            b"jW59ZSmkWsOb_XuLsSGbiY3GLG5Q6YPl3XSA7M6OH_3",
            b"2208ac50f5224165d14a802f0c6d41d7fc815ff2",
            b"short-config-name",
        ] {
            assert!(!reads_as_code(key), "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn documented_examples_are_recognised() {
        for doc in [
            "51AbCdEfGhIjKlMnOpQrStUvWxYzEXAMPLEKEY0000000000",
            "IOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "51Hq9your_key_here_x8Pq2",
            "4eC39HqLyjWD123456789x",
            "abcdefghij",
            "sk_dummy_value_12",
        ] {
            assert!(looks_documented(doc.as_bytes()), "{doc}");
        }
        for real in [
            "51u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUC",
            "xVGj6dQrR4xKwXcFn1z6iQRluTYKD3HJ3vJVAsLf",
        ] {
            assert!(!looks_documented(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
