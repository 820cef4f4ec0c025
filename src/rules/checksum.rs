//! Offline checksums that some token formats carry, so a real token can be told from a string
//! that only has its shape.

use serde::Deserialize;

/// A checksum scheme a rule can ask for (`checksum = "…"` in a rule file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// GitHub (`ghp_` …) and npm (`npm_`) tokens: the body's last 6 characters are the CRC-32
    /// (IEEE) of the characters before them, in base62 (`0-9A-Za-z`), left-padded with `0`.
    Crc32Base62,
}

impl Checksum {
    /// Whether `body` (the token without its prefix) carries a valid checksum.
    pub fn verify(self, body: &[u8]) -> bool {
        match self {
            Checksum::Crc32Base62 => {
                if body.len() <= 6 {
                    return false;
                }
                let (data, sum) = body.split_at(body.len() - 6);
                base62_decode(sum) == Some(u64::from(crc32(data)))
            }
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_decode(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, d| {
        let v = BASE62.iter().position(|c| c == d)? as u64;
        acc.checked_mul(62)?.checked_add(v)
    })
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib computes it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn github_token_checksum() {
        // The example token from the format's public description.
        assert!(Checksum::Crc32Base62.verify(b"zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq17"));
        assert!(!Checksum::Crc32Base62.verify(b"zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq18"));
        assert!(!Checksum::Crc32Base62.verify(b"abc"));
    }
}
