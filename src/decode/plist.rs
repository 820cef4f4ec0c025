//! Binary property lists (`bplist00`: `Info.plist`, `GoogleService-Info.plist` in IPAs): every
//! string object (ASCII or UTF-16BE) goes into the view on its own line.

use crate::decode::view::View;

pub fn is_binary_plist(head: &[u8]) -> bool {
    head.starts_with(b"bplist00")
}

fn be_uint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Decodes the string objects of `data` into `view`.
pub fn decode(data: &[u8], view: &mut View) -> Result<(), String> {
    if data.len() < 8 + 32 {
        return Err("too short for a binary plist".to_string());
    }
    let trailer = &data[data.len() - 32..];
    let offset_size = trailer[6] as usize;
    let num_objects = be_uint(&trailer[8..16]);
    let table = be_uint(&trailer[24..32]);
    if !(1..=8).contains(&offset_size) {
        return Err(format!("bad offset size {offset_size}"));
    }
    let table = usize::try_from(table).map_err(|_| "offset table out of range")?;
    let fits = num_objects
        .checked_mul(offset_size as u64)
        .and_then(|n| n.checked_add(table as u64))
        .is_some_and(|end| end <= data.len() as u64);
    if !fits {
        return Err("offset table runs past the end".to_string());
    }
    // Each distinct object once: a hostile table may point every entry at one long string.
    let mut seen = std::collections::HashSet::new();
    for i in 0..num_objects as usize {
        let at = table + i * offset_size;
        let off = be_uint(&data[at..at + offset_size]) as usize;
        if !seen.insert(off) {
            continue;
        }
        if view.over_budget(data.len()) {
            return Err("the decoded strings reached the view's budget".to_string());
        }
        if let Some((text, start, stride)) = string_object(data, off) {
            view.push_text_strided(text.as_bytes(), start, stride);
        }
    }
    Ok(())
}

/// The string at object offset `off`, if it is one: (text, offset of its bytes, bytes per
/// character).
fn string_object(data: &[u8], off: usize) -> Option<(String, usize, usize)> {
    let marker = *data.get(off)?;
    let kind = marker >> 4;
    if kind != 0x5 && kind != 0x6 {
        return None;
    }
    let (count, start) = match marker & 0x0f {
        0x0f => {
            // The length follows as an int object: 0x1N then 2^N bytes.
            let int_marker = *data.get(off + 1)?;
            if int_marker >> 4 != 0x1 {
                return None;
            }
            let width = 1usize << (int_marker & 0x0f).min(3);
            let bytes = data.get(off + 2..off + 2 + width)?;
            (be_uint(bytes) as usize, off + 2 + width)
        }
        n => (n as usize, off + 1),
    };
    if kind == 0x5 {
        let bytes = data.get(start..start.checked_add(count)?)?;
        Some((String::from_utf8_lossy(bytes).into_owned(), start, 1))
    } else {
        let bytes = data.get(start..start.checked_add(count.checked_mul(2)?)?)?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        Some((String::from_utf16_lossy(&units), start, 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::plist;

    #[test]
    fn strings_of_both_kinds() {
        for utf16 in [false, true] {
            let p = plist(
                &[
                    ("API_KEY", "AIzaLongValueLongValueLongValue123"),
                    ("CFBundleName", "Shop"),
                ],
                utf16,
            );
            let mut v = View::default();
            decode(&p, &mut v).expect("decodes");
            let text = String::from_utf8_lossy(&v.bytes);
            assert!(
                text.contains("API_KEY\n") && text.contains("AIzaLongValueLongValueLongValue123\n"),
                "{text}"
            );
        }
    }

    #[test]
    fn hostile_trailers_do_not_panic() {
        let mut p = plist(&[("a", "b")], false);
        let n = p.len();
        p[n - 8..].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(decode(&p, &mut View::default()).is_err());
        assert!(decode(b"bplist00", &mut View::default()).is_err());
    }
}
