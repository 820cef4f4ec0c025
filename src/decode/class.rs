//! Java class files (in every `.jar`, `.aar`, `.war`, Android library and JVM backend): the
//! constant pool. A `static final String` is a `CONSTANT_Utf8` entry — a big-endian `u2`
//! length, then modified UTF-8 — so a 107-byte key reads `\0ksk_live_…` to a byte scan, its
//! length glued to it as the letter `k`. Each Utf8 entry goes into the view on its own line.
//!
//! Layout (JVM specification §4.1, §4.4): `0xCAFEBABE`, minor and major version, the constant
//! pool count, then the entries, each a tag byte and a tag-specific body; `long` and `double`
//! take two slots.

use crate::decode::view::{Keywords, View};

/// `0xCAFEBABE` and a class-file major version (45 = JDK 1.1 and up). Mach-O universal
/// binaries share the magic but put a small architecture count where the version goes.
pub fn is_class(head: &[u8]) -> bool {
    head.len() >= 10
        && head.starts_with(&[0xca, 0xfe, 0xba, 0xbe])
        && (45..=200).contains(&u16::from_be_bytes([head[6], head[7]]))
}

fn u16_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]) as usize)
}

/// Decodes the `CONSTANT_Utf8` entries of the constant pool into `view`: all of them, or with
/// a raw scan's `keywords`, those holding one and their neighbours.
pub fn decode(data: &[u8], view: &mut View, keywords: Keywords<'_>) -> Result<(), String> {
    let count = u16_at(data, 8).ok_or("truncated header")?;
    let mut strings: Vec<(usize, usize)> = Vec::new();
    let mut at = 10;
    let mut slot = 1;
    let mut failure = None;
    while slot < count {
        let Some(&tag) = data.get(at) else {
            failure = Some("constant pool runs past the end".to_string());
            break;
        };
        at += 1;
        let body = match tag {
            1 => {
                let Some(len) = u16_at(data, at) else {
                    failure = Some("truncated Utf8 entry".to_string());
                    break;
                };
                if at + 2 + len > data.len() {
                    failure = Some("Utf8 entry runs past the end".to_string());
                    break;
                }
                strings.push((at + 2, len));
                2 + len
            }
            3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => 4,
            5 | 6 => {
                slot += 1; // takes two slots
                8
            }
            7 | 8 | 16 | 19 | 20 => 2,
            15 => 3,
            other => {
                failure = Some(format!(
                    "unknown constant pool tag {other} at byte {}",
                    at - 1
                ));
                break;
            }
        };
        at += body;
        slot += 1;
    }
    let hit: Vec<bool> = strings
        .iter()
        .map(|&(s, len)| keywords.within(s, s + len))
        .collect();
    for (i, &(s, len)) in strings.iter().enumerate() {
        let near = |j: Option<usize>| j.and_then(|j| hit.get(j)).copied().unwrap_or(false);
        if hit[i] || near(i.checked_sub(1)) || near(Some(i + 1)) {
            view.push_text(&data[s..s + len], s);
        }
    }
    failure.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::class_file;

    #[test]
    fn utf8_constants_come_out_whole() {
        let key = format!("sk_live_{}", "a1B2c3D4e5".repeat(10)); // sealant:allow test key
        let data = class_file(&["com/shop/Pay", &key, "java/lang/Object"]);
        assert!(is_class(&data));
        let at = data
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .expect("present");
        // The length glued to the key: `\0k` for 107 bytes... here 108 = `l`.
        assert_eq!(&data[at - 2..at], &[0, key.len() as u8]);
        let mut v = View::default();
        decode(&data, &mut v, Keywords::ANYWHERE).expect("decodes");
        let text = String::from_utf8_lossy(&v.bytes);
        let line = text.find(&key).expect("in view");
        assert_eq!(v.source_offset(line), at);
        // A Mach-O universal binary is not a class file.
        assert!(!is_class(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2, 0, 0]));
    }

    #[test]
    fn truncated_and_unknown_entries_are_errors() {
        let data = class_file(&["abc"]);
        assert!(decode(&data[..14], &mut View::default(), Keywords::ANYWHERE).is_err());
        let mut bad = data.clone();
        bad[10] = 99;
        assert!(decode(&bad, &mut View::default(), Keywords::ANYWHERE).is_err());
    }
}
