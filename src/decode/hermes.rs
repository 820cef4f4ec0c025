//! Hermes bytecode (React Native's default engine: `index.android.bundle` in APKs,
//! `main.jsbundle` in IPAs). Every string of the program is stored once in one packed blob,
//! end to end and even overlapping (`…/v1/chargesk_live_…Authorization…`): a byte scan finds
//! no boundary on either side of a key. The string table says where each string starts and how
//! long it is; each goes into the view on its own line.
//!
//! Layout (hermes `BytecodeFileFormat.h`): a 128-byte header — magic, version, SHA-1, file
//! length, global code index, function count, string-kind count, identifier count, string
//! count, overflow-string count, string storage size, … — then, 4-byte aligned: the function
//! headers, the string kinds, the identifier hashes, the small string table (one `u32` per
//! string: bit 0 UTF-16, bits 1–23 offset, bits 24–31 length; length 255 means "see the
//! overflow table", whose `{offset, length}` pairs the offset field indexes), the overflow
//! table, and the string storage. Function headers changed size across bytecode versions, so
//! the decoder tries the sizes versions have used and keeps the one whose string table is
//! consistent with the storage.

use crate::decode::view::{Keywords, View};

/// `0x1F1903C103BC1FC6`, little-endian.
const MAGIC: [u8; 8] = [0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f];
const HEADER_LEN: usize = 128;
/// Sizes of a small function header across bytecode versions.
const FUNCTION_HEADER_SIZES: [usize; 3] = [12, 16, 20];

pub fn is_hermes(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn align4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// One string: where it sits in the file, its length in characters, and whether it is UTF-16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Entry {
    at: usize,
    len: usize,
    utf16: bool,
}

/// The string table at `table` if it is consistent with the storage that follows it, and how
/// many bytes of the storage its strings cover.
fn strings_at(
    data: &[u8],
    table: usize,
    count: usize,
    overflow_count: usize,
    storage_size: usize,
) -> Option<(Vec<Entry>, usize)> {
    let overflow = align4(table.checked_add(count.checked_mul(4)?)?);
    let storage = align4(overflow.checked_add(overflow_count.checked_mul(8)?)?);
    if storage.checked_add(storage_size)? > data.len() {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    // Which bytes of the storage some string covers, a bit each.
    let mut covered = vec![0u64; storage_size.div_ceil(64)];
    for i in 0..count {
        let word = u32_at(data, table + 4 * i)?;
        let utf16 = word & 1 == 1;
        let (offset, len) = match (word >> 1) & 0x7f_ffff {
            index if word >> 24 == 0xff => {
                if index >= overflow_count {
                    return None;
                }
                (
                    u32_at(data, overflow + 8 * index)?,
                    u32_at(data, overflow + 8 * index + 4)?,
                )
            }
            offset => (offset, word >> 24),
        };
        let bytes = if utf16 { len.checked_mul(2)? } else { len };
        if offset.checked_add(bytes)? > storage_size {
            return None;
        }
        out.push(Entry {
            at: storage + offset,
            len,
            utf16,
        });
        mark(&mut covered, offset, offset + bytes);
    }
    // The compiler stores each string once, sharing only overlaps: a real table covers its
    // storage. A table read at the wrong place (zeros, other fields) does not.
    let bits: usize = covered.iter().map(|w| w.count_ones() as usize).sum();
    (bits * 2 >= storage_size).then_some((out, bits))
}

/// Sets bits `from..to` of `bits`, a word at a time.
fn mark(bits: &mut [u64], from: usize, to: usize) {
    let mut at = from;
    while at < to {
        let (word, bit) = (at / 64, at % 64);
        let n = (64 - bit).min(to - at);
        let ones = if n == 64 {
            u64::MAX
        } else {
            ((1u64 << n) - 1) << bit
        };
        if let Some(w) = bits.get_mut(word) {
            *w |= ones;
        }
        at += n;
    }
}

/// Decodes the strings of the string table into `view`, once each (see `Structured::decode`
/// for which, given a raw scan's `keywords`).
pub fn decode(data: &[u8], view: &mut View, keywords: Keywords<'_>) -> Result<(), String> {
    if data.len() < HEADER_LEN {
        return Err("truncated header".to_string());
    }
    let field = |at: usize| u32_at(data, at).ok_or("truncated header");
    let functions = field(0x28)?;
    let kinds = field(0x2c)?;
    let identifiers = field(0x30)?;
    let count = field(0x34)?;
    let overflow_count = field(0x38)?;
    let storage_size = field(0x3c)?;
    if count > data.len() / 4 || overflow_count > data.len() / 8 || functions > data.len() {
        return Err("string counts do not fit the file".to_string());
    }
    // Of the layouts the versions have used, the one whose table covers the most of the
    // storage: a table read a few bytes off can look consistent, but cuts strings wrongly.
    let entries = FUNCTION_HEADER_SIZES
        .iter()
        .filter_map(|size| {
            let table = HEADER_LEN
                .checked_add(functions.checked_mul(*size)?)?
                .checked_add(kinds.checked_mul(4)?)?
                .checked_add(identifiers.checked_mul(4)?)?;
            strings_at(data, align4(table), count, overflow_count, storage_size)
        })
        .reduce(|best, next| if next.1 > best.1 { next } else { best })
        .map(|(entries, _)| entries)
        .ok_or("no consistent string table (an unknown bytecode version?)")?;
    // Each distinct string once, in table order; with a raw scan's keywords, only strings
    // holding one, their neighbours in the table (a name beside its value), and UTF-16 strings
    // (whose keywords a byte scan cannot see).
    let mut emitted = std::collections::HashSet::new();
    let hit: Vec<bool> = entries
        .iter()
        .map(|e| e.utf16 || keywords.within(e.at, e.at + e.len))
        .collect();
    let mut text = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let near = |j: Option<usize>| j.and_then(|j| hit.get(j)).copied().unwrap_or(false);
        if !(hit[i] || near(i.checked_sub(1)) || near(Some(i + 1))) || !emitted.insert(*e) {
            continue;
        }
        if view.over_budget(data.len()) {
            return Err("the decoded strings reached the view's budget".to_string());
        }
        if e.utf16 {
            // Keys are ASCII: other characters stand in as `?`, two bytes each.
            text.clear();
            text.extend(data[e.at..e.at + 2 * e.len].chunks_exact(2).map(|c| {
                match u16::from_le_bytes([c[0], c[1]]) {
                    u @ 0x20..=0x7e => u as u8,
                    _ => b'?',
                }
            }));
            view.push_text_strided(&text, e.at, 2);
        } else {
            view.push_text(&data[e.at..e.at + e.len], e.at);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::hermes as hermes_with_strings;

    #[test]
    fn abutting_and_overlapping_strings_come_out_whole() {
        // "charges" and "sk_live_x…" share the `s`, as the compiler packs them.
        let key = "sk_live_51u8jzPde0IgxLd6GncfBAepfJBd"; // sealant:allow test key
        let data = hermes_with_strings(&["/v1/charge", key, "Authorization"], &["héllo"], 12);
        assert!(is_hermes(&data));
        let mut v = View::default();
        decode(&data, &mut v, Keywords::ANYWHERE).expect("decodes");
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains(&format!("\n{key}\n")), "{text}");
        assert!(text.contains("\nh?llo\n"), "{text}");
        let at = data
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .expect("present");
        let line = text.find(key).expect("in view");
        assert_eq!(v.source_offset(line), at);
        // Older bytecode versions had 16-byte function headers.
        let old = hermes_with_strings(&["abc", key], &[], 16);
        let mut v = View::default();
        decode(&old, &mut v, Keywords::ANYWHERE).expect("decodes");
        assert!(String::from_utf8_lossy(&v.bytes).contains(key));
    }

    /// With a raw scan's keywords, only the strings holding one and their neighbours.
    #[test]
    fn keywords_pick_the_strings() {
        let key = "sk_live_51u8jzPde0IgxLd6GncfBAepfJBd"; // sealant:allow test key
        let data = hermes_with_strings(&["a1", "b2", "name", key, "c3", "d4"], &[], 12);
        let at = data
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .expect("present");
        let mut v = View::default();
        decode(&data, &mut v, Keywords(Some(&[at]))).expect("decodes");
        assert_eq!(v.bytes, format!("name\n{key}\nc3\n").into_bytes());
        let mut v = View::default();
        decode(&data, &mut v, Keywords(Some(&[]))).expect("decodes");
        assert!(v.bytes.is_empty());
    }

    #[test]
    fn inconsistent_tables_are_errors_not_panics() {
        let mut data = hermes_with_strings(&["abc"], &[], 12);
        data[0x34..0x38].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&data, &mut View::default(), Keywords::ANYWHERE).is_err());
        assert!(decode(&MAGIC, &mut View::default(), Keywords::ANYWHERE).is_err());
    }
}
