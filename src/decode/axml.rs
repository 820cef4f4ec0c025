//! Android's binary resource formats: compiled XML (`AndroidManifest.xml`, `res/**/*.xml`
//! inside APKs/AABs) and the resource table (`resources.arsc`). Both are trees of chunks; the
//! text lives in string pools (UTF-8 or UTF-16LE). Every pool string goes into the view on its
//! own line. In compiled XML an attribute set to the boolean `true` whose name is
//! `debuggable` is written back as `android:debuggable="true"`, so the debug-flag rule applies
//! to compiled manifests as to source ones.

use std::sync::Arc;

use crate::decode::view::View;

pub(crate) const RES_STRING_POOL: u16 = 0x0001;
pub(crate) const RES_TABLE: u16 = 0x0002;
pub(crate) const RES_XML: u16 = 0x0003;
pub(crate) const RES_XML_START_ELEMENT: u16 = 0x0102;
pub(crate) const RES_TABLE_PACKAGE: u16 = 0x0200;
pub(crate) const UTF8_FLAG: u32 = 0x100;
pub(crate) const TYPE_INT_BOOLEAN: u8 = 0x12;
/// Chunks nest this deep at most in real files; deeper is hostile.
const MAX_NESTING: usize = 8;

/// Compiled XML or a resource table, by the first chunk's type and header size.
pub fn is_binary_xml(head: &[u8]) -> bool {
    head.len() >= 8 && u16_at(head, 0) == Some(RES_XML) && u16_at(head, 2) == Some(8)
}

pub fn is_resource_table(head: &[u8]) -> bool {
    head.len() >= 12 && u16_at(head, 0) == Some(RES_TABLE) && u16_at(head, 2) == Some(12)
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    let b = d.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Decodes every string pool in the chunk tree of `data`, and debuggable flags.
pub fn decode(data: &[u8], view: &mut View) -> Result<(), String> {
    let mut pools: Vec<Vec<(Arc<str>, usize, usize)>> = Vec::new();
    walk(data, 0, data.len(), 0, view, &mut pools)
}

/// Walks the chunks in `data[start..end]`.
fn walk(
    data: &[u8],
    start: usize,
    end: usize,
    depth: usize,
    view: &mut View,
    pools: &mut Vec<Vec<(Arc<str>, usize, usize)>>,
) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err("chunks nested too deep".to_string());
    }
    let mut at = start;
    while at + 8 <= end {
        let kind = u16_at(data, at).ok_or("truncated chunk")?;
        let header = u16_at(data, at + 2).ok_or("truncated chunk")? as usize;
        let size = u32_at(data, at + 4).ok_or("truncated chunk")? as usize;
        if size < 8 || header < 8 || header > size || at + size > end {
            return Err(format!("bad chunk at offset {at}"));
        }
        match kind {
            RES_STRING_POOL => {
                // The pool decodes at most what the view may hold: distinct offsets into one
                // long string would otherwise decode overlapping suffixes, quadratically.
                let budget = data.len().saturating_mul(2).saturating_add(64 * 1024);
                let (strings, cut) = string_pool(&data[at..at + size], at, budget);
                // Each distinct string once: a hostile pool may point every entry at one
                // long string (entries share it, as `Arc`s).
                let mut seen = std::collections::HashSet::new();
                for (s, off, stride) in &strings {
                    if !seen.insert(*off) {
                        continue;
                    }
                    if view.over_budget(data.len()) {
                        return Err("the decoded strings reached the view's budget".to_string());
                    }
                    view.push_text_strided(s.as_bytes(), *off, *stride);
                }
                if cut {
                    return Err("the decoded strings reached the view's budget".to_string());
                }
                pools.push(strings);
            }
            RES_TABLE | RES_XML | RES_TABLE_PACKAGE => {
                walk(data, at + header, at + size, depth + 1, view, pools)?;
            }
            RES_XML_START_ELEMENT => {
                if let Some(pool) = pools.first() {
                    debuggable(&data[at..at + size], at, header, pool, view);
                }
            }
            _ => {}
        }
        at += size;
    }
    Ok(())
}

type Pool = Vec<(Arc<str>, usize, usize)>;

/// The strings of one pool chunk (`chunk` starts at file offset `base`), with offsets, and
/// whether decoding stopped at `budget` bytes of distinct strings.
fn string_pool(chunk: &[u8], base: usize, budget: usize) -> (Pool, bool) {
    let mut out = Vec::new();
    let (Some(count), Some(flags), Some(strings_start), Some(header)) = (
        u32_at(chunk, 8),
        u32_at(chunk, 16),
        u32_at(chunk, 20),
        u16_at(chunk, 2),
    ) else {
        return (out, false);
    };
    let utf8 = flags & UTF8_FLAG != 0;
    let count = (count as usize).min(chunk.len() / 4);
    let mut decoded: std::collections::HashMap<usize, Option<(Arc<str>, usize)>> =
        std::collections::HashMap::new();
    let mut spent = 0usize;
    for i in 0..count {
        if spent > budget {
            return (out, true);
        }
        let Some(off) = u32_at(chunk, header as usize + 4 * i) else {
            break;
        };
        let at = strings_start as usize + off as usize;
        let stride = if utf8 { 1 } else { 2 };
        // Decoded once per offset; entries pointing at the same string share it.
        let s = decoded.entry(at).or_insert_with(|| {
            let s = if utf8 {
                utf8_string(chunk, at)
            } else {
                utf16_string(chunk, at)
            };
            let s = s.map(|(text, from)| (Arc::<str>::from(text), from));
            spent += s.as_ref().map_or(0, |(text, _)| text.len());
            s
        });
        let Some((text, from)) = s else { continue };
        out.push((Arc::clone(text), base + *from, stride));
    }
    (out, false)
}

/// A UTF-8 pool string: UTF-16 length (1–2 bytes), UTF-8 length (1–2 bytes), bytes.
fn utf8_string(chunk: &[u8], at: usize) -> Option<(String, usize)> {
    let (_, at) = len8(chunk, at)?;
    let (n, at) = len8(chunk, at)?;
    let bytes = chunk.get(at..at.checked_add(n)?)?;
    Some((String::from_utf8_lossy(bytes).into_owned(), at))
}

fn len8(chunk: &[u8], at: usize) -> Option<(usize, usize)> {
    let b = *chunk.get(at)? as usize;
    if b & 0x80 != 0 {
        let b2 = *chunk.get(at + 1)? as usize;
        Some((((b & 0x7f) << 8) | b2, at + 2))
    } else {
        Some((b, at + 1))
    }
}

/// A UTF-16 pool string: length in code units (1–2 u16), then the code units.
fn utf16_string(chunk: &[u8], at: usize) -> Option<(String, usize)> {
    let first = u16_at(chunk, at)? as usize;
    let (n, at) = if first & 0x8000 != 0 {
        let second = u16_at(chunk, at + 2)? as usize;
        (((first & 0x7fff) << 16) | second, at + 4)
    } else {
        (first, at + 2)
    };
    let bytes = chunk.get(at..at.checked_add(n.checked_mul(2)?)?)?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Some((String::from_utf16_lossy(&units), at))
}

/// Writes `android:debuggable="true"` for a start element carrying that boolean attribute.
fn debuggable(
    chunk: &[u8],
    base: usize,
    header: usize,
    pool: &[(Arc<str>, usize, usize)],
    view: &mut View,
) {
    // After the chunk header: ns, name (4 each); then attributeStart, attributeSize,
    // attributeCount (u16 each).
    let ext = header;
    let (Some(attr_start), Some(attr_size), Some(attr_count)) = (
        u16_at(chunk, ext + 8),
        u16_at(chunk, ext + 10),
        u16_at(chunk, ext + 12),
    ) else {
        return;
    };
    let attr_size = attr_size.max(20) as usize;
    for i in 0..attr_count as usize {
        let at = ext + attr_start as usize + i * attr_size;
        let (Some(name), Some(kind), Some(value)) = (
            u32_at(chunk, at + 4),
            chunk.get(at + 15),
            u32_at(chunk, at + 16),
        ) else {
            return;
        };
        let is_debuggable = pool
            .get(name as usize)
            .is_some_and(|(n, _, _)| n.as_ref() == "debuggable");
        if is_debuggable && *kind == TYPE_INT_BOOLEAN && value != 0 {
            view.push_text(b"android:debuggable=\"true\"", base + at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::{manifest, string_pool as pool, table};

    #[test]
    fn manifest_strings_and_debuggable() {
        let m = manifest(&["application", "debuggable", "rk_live_value"], true);
        assert!(is_binary_xml(&m));
        let mut v = View::default();
        decode(&m, &mut v).expect("decodes");
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains("rk_live_value\n"), "{text}");
        assert!(text.contains("android:debuggable=\"true\""), "{text}");
        let mut v = View::default();
        decode(&manifest(&["application", "debuggable"], false), &mut v).expect("decodes");
        assert!(!String::from_utf8_lossy(&v.bytes).contains("android:debuggable"));
    }

    #[test]
    fn resource_tables_in_both_encodings() {
        for utf8 in [true, false] {
            let t = table(&["Shop", "sk_live_abc"], utf8);
            assert!(is_resource_table(&t));
            let mut v = View::default();
            decode(&t, &mut v).expect("decodes");
            let text = String::from_utf8_lossy(&v.bytes);
            assert!(
                text.contains("sk_live_abc\n") && text.contains("stripe_key\n"),
                "{text}"
            );
        }
    }

    #[test]
    fn hostile_chunks_do_not_panic() {
        let mut t = table(&["a"], true);
        t[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&t, &mut View::default()).is_err());
        let mut t = table(&["a"], true);
        let n = t.len();
        t.truncate(n - 3);
        let _ = decode(&t, &mut View::default());
        let mut p = pool(&["abc"], false);
        p[28] = 0xff; // string offset far away
        let _ = string_pool(&p, 0, usize::MAX);
    }

    /// A pool whose entries point at successive offsets inside one long UTF-16 string: each
    /// offset reads a 16,384-unit string, so decoding them all would take entries × 32 KiB.
    /// The pool stops at the budget and the view stays within it.
    #[test]
    fn overlapping_pool_strings_stay_within_the_budget() {
        let entries = 8192usize;
        let header = 28usize;
        let strings_start = header + 4 * entries;
        let body = [0x00u8, 0x40].repeat(64 * 1024);
        let size = strings_start + body.len();
        let mut chunk = Vec::with_capacity(size);
        chunk.extend_from_slice(&1u16.to_le_bytes()); // RES_STRING_POOL
        chunk.extend_from_slice(&(header as u16).to_le_bytes());
        chunk.extend_from_slice(&(size as u32).to_le_bytes());
        chunk.extend_from_slice(&(entries as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes()); // styles
        chunk.extend_from_slice(&0u32.to_le_bytes()); // flags: UTF-16
        chunk.extend_from_slice(&(strings_start as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes());
        for i in 0..entries {
            chunk.extend_from_slice(&(2 * i as u32).to_le_bytes());
        }
        chunk.extend_from_slice(&body);
        let budget = 1 << 20;
        let (pool, cut) = string_pool(&chunk, 0, budget);
        assert!(cut, "the pool stops at its budget");
        let mut distinct: Vec<_> = pool.iter().map(|(s, off, _)| (*off, s.len())).collect();
        distinct.dedup();
        let decoded: usize = distinct.iter().map(|&(_, n)| n).sum();
        assert!(decoded <= budget + 3 * 0x4000, "{decoded} bytes decoded");
        let mut xml = Vec::new();
        xml.extend_from_slice(&RES_XML.to_le_bytes());
        xml.extend_from_slice(&8u16.to_le_bytes());
        xml.extend_from_slice(&((8 + chunk.len()) as u32).to_le_bytes());
        xml.extend_from_slice(&chunk);
        assert!(is_binary_xml(&xml));
        let mut v = View::default();
        let err = decode(&xml, &mut v).expect_err("cut at the budget");
        assert!(err.contains("budget"), "{err}");
        assert!(
            v.bytes.len() < 3 * xml.len() + 64 * 1024,
            "{} bytes from a {}-byte input",
            v.bytes.len(),
            xml.len()
        );
        assert!(!v.bytes.is_empty());
    }
}
