//! DEX (`classes*.dex`): the string table. Every string constant of the app's code is stored
//! once as a length-prefixed MUTF-8 string; the length byte of a 107-byte key is `k`, which
//! glued to `sk_live_…` hides it from a raw byte scan. Each string is put in the view on its
//! own line.

use crate::decode::view::View;

/// `dex\n` then a three-digit version and NUL.
pub fn is_dex(head: &[u8]) -> bool {
    head.len() >= 8 && head.starts_with(b"dex\n") && head[7] == 0
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Decodes the string table of `data` into `view`.
pub fn decode(data: &[u8], view: &mut View) -> Result<(), String> {
    let count = u32_at(data, 0x38).ok_or("truncated header")? as usize;
    let ids_off = u32_at(data, 0x3C).ok_or("truncated header")? as usize;
    if count > data.len() / 4 {
        return Err(format!("string_ids_size {count} does not fit the file"));
    }
    // Each distinct string once: a hostile table may point every id at one long string.
    let mut seen = std::collections::HashSet::new();
    for i in 0..count {
        let Some(off) = u32_at(data, ids_off + 4 * i) else {
            return Err("string_ids run past the end".to_string());
        };
        if !seen.insert(off) {
            continue;
        }
        if view.over_budget(data.len()) {
            return Err("the decoded strings reached the view's budget".to_string());
        }
        let mut at = off as usize;
        // Skip the uleb128 UTF-16 length (at most 5 bytes).
        let mut n = 0;
        while let Some(&b) = data.get(at) {
            at += 1;
            n += 1;
            if b & 0x80 == 0 || n == 5 {
                break;
            }
        }
        let Some(rest) = data.get(at..) else { continue };
        let end = memchr::memchr(0, rest).unwrap_or(rest.len());
        view.push_text(&rest[..end], at);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::dex as dex_with_strings;

    #[test]
    fn strings_come_out_one_per_line() {
        let d = dex_with_strings(&["Lcom/shop/Pay;", "hello"]);
        assert!(is_dex(&d));
        let mut v = View::default();
        decode(&d, &mut v).expect("decodes");
        assert_eq!(v.bytes, b"Lcom/shop/Pay;\nhello\n");
        let at = d.windows(5).position(|w| w == b"hello").expect("present");
        assert_eq!(v.source_offset(15), at);
    }

    /// Every id pointing at one long string: decoded once, not once per id.
    #[test]
    fn one_string_many_ids_is_decoded_once() {
        let long = "x".repeat(100_000);
        let mut d = dex_with_strings(&[&long]);
        let ids = 0x70;
        let off = u32_at(&d, ids).expect("id");
        let count = 20_000;
        d[0x38..0x3C].copy_from_slice(&(count as u32).to_le_bytes());
        let table = d.len();
        d[0x3C..0x40].copy_from_slice(&(table as u32).to_le_bytes());
        for _ in 0..count {
            d.extend_from_slice(&off.to_le_bytes());
        }
        let mut v = View::default();
        decode(&d, &mut v).expect("decodes");
        assert_eq!(v.bytes.len(), long.len() + 1);
    }

    #[test]
    fn hostile_headers_do_not_panic() {
        let mut d = dex_with_strings(&["a"]);
        d[0x38..0x3C].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&d, &mut View::default()).is_err());
        let mut d = dex_with_strings(&["a"]);
        let ids = 0x70;
        d[ids..ids + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&d, &mut View::default()).is_ok());
        assert!(decode(b"dex\n035\0", &mut View::default()).is_err());
    }
}
