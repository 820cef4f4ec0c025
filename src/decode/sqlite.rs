//! SQLite database files (`db.sqlite3` committed by Django projects — dj-stripe keeps Stripe
//! keys in the database by design — and app databases in APK assets and iOS containers). A
//! record stores its values back to back (`secretsk_live_…main`), so a byte scan finds no
//! boundary; the record header gives each value's type and length. Every TEXT and BLOB value
//! of every record goes into the view on its own line, once per distinct value.
//!
//! Layout (sqlite.org/fileformat2.html): a 100-byte header (page size at 16, reserved bytes per
//! page at 20, text encoding at 56), then pages. Every page is looked at, not only those the
//! schema reaches: a page on the freelist keeps the rows it held when they were deleted, and a
//! deleted key is still in the file. B-tree pages (types 2, 5, 10, 13) hold cells; a cell's
//! payload beyond what fits on its page continues on a chain of overflow pages (a 4-byte next
//! page number, then content). A payload is a record: a header of varints (its size, then one
//! serial type per column: `N >= 12` even is a BLOB of `(N-12)/2` bytes, odd a TEXT of
//! `(N-13)/2`), then the values. A row deleted inside a live page leaves its cell in a
//! freeblock (its first four bytes overwritten by the freeblock's header) or in the page's
//! unallocated area: where a keyword lies there, the record is recovered from the serial types
//! that survive before its values, so the deleted value comes out cut at its own length.

use std::collections::HashSet;

use crate::decode::view::{Keywords, View};

pub fn is_sqlite(head: &[u8]) -> bool {
    head.starts_with(b"SQLite format 3\0")
}

/// A SQLite varint at `at`: its value and its length.
fn varint(data: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..9 {
        let b = *data.get(at + i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn u16_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]) as usize)
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// A payload gathered from its page and overflow chain, with where each piece came from.
struct Payload {
    bytes: Vec<u8>,
    /// `(offset in bytes, offset in the file)` of each piece, ascending.
    pieces: Vec<(usize, usize)>,
}

impl Payload {
    fn file_offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|&(p, _)| p <= at);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some((p, f)) => f + (at - p),
            None => at,
        }
    }
}

struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    usable: usize,
    /// 1 UTF-8, 2 UTF-16LE, 3 UTF-16BE.
    encoding: usize,
}

impl Db<'_> {
    /// How much of a payload of `total` bytes a cell of a `kind` page keeps on the page.
    fn local(&self, kind: u8, total: usize) -> usize {
        let u = self.usable;
        let x = if kind == 0x0d {
            u - 35
        } else {
            (u - 12) * 64 / 255 - 23
        };
        if total <= x {
            return total;
        }
        let m = (u - 12) * 32 / 255 - 23;
        let k = m + (total - m) % (u - 4);
        if k <= x { k } else { m }
    }

    /// The payload of `total` bytes starting at `at` on a page of `kind`, following its
    /// overflow chain (each page at most once).
    fn payload(&self, kind: u8, at: usize, total: usize) -> Option<Payload> {
        let total = total.min(self.data.len());
        let local = self.local(kind, total);
        let mut p = Payload {
            bytes: self.data.get(at..at + local)?.to_vec(),
            pieces: vec![(0, at)],
        };
        let mut next = if local < total {
            u32_at(self.data, at + local)?
        } else {
            0
        };
        let mut visited = HashSet::new();
        while p.bytes.len() < total && next != 0 && visited.insert(next) {
            let start = (next - 1).checked_mul(self.page_size)?;
            next = u32_at(self.data, start)?;
            let want = (total - p.bytes.len()).min(self.usable - 4);
            let chunk = self.data.get(start + 4..start + 4 + want)?;
            p.pieces.push((p.bytes.len(), start + 4));
            p.bytes.extend_from_slice(chunk);
        }
        Some(p)
    }

    /// Every TEXT and BLOB of the record in `p` into `view` (once per distinct value).
    fn record(&self, p: &Payload, view: &mut View, seen: &mut Seen) {
        let bytes = &p.bytes;
        let Some((header_len, n)) = varint(bytes, 0) else {
            return;
        };
        let header_len = header_len as usize;
        let mut at = n;
        let mut value = header_len;
        let mut text = Vec::new();
        while at < header_len.min(bytes.len()) {
            let Some((serial, n)) = varint(bytes, at) else {
                return;
            };
            at += n;
            let len = match serial {
                0 | 8 | 9 | 10 | 11 => 0,
                1..=4 => serial as usize,
                5 => 6,
                6 | 7 => 8,
                s => ((s - 12) / 2) as usize,
            };
            if serial >= 12 && len > 0 {
                let Some(v) = bytes.get(value..value + len) else {
                    return;
                };
                if !seen.contains(v) {
                    seen.insert(v.to_vec());
                    let source = p.file_offset(value);
                    if serial % 2 == 1 && self.encoding != 1 {
                        // UTF-16 text: keys are ASCII; other characters stand in as `?`.
                        text.clear();
                        text.extend(v.chunks_exact(2).map(|c| {
                            let u = if self.encoding == 2 {
                                u16::from_le_bytes([c[0], c[1]])
                            } else {
                                u16::from_be_bytes([c[0], c[1]])
                            };
                            if (0x20..0x7f).contains(&u) {
                                u as u8
                            } else {
                                b'?'
                            }
                        }));
                        view.push_text_strided(&text, source, 2);
                    } else {
                        view.push_text(v, source);
                    }
                }
            }
            value += len;
        }
    }
}

/// FNV-1a: a fast hasher for the set of values already in the view (exact bytes compared on
/// a collision, so a crafted collision cannot hide a value).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Seen = HashSet<Vec<u8>, std::hash::BuildHasherDefault<Fnv>>;

/// Decodes the TEXT and BLOB values of every b-tree page (live or free) into `view`: of every
/// record, or with a raw scan's `keywords`, of the records that hold one (or span overflow
/// pages, where a keyword may straddle a page boundary).
pub fn decode(data: &[u8], view: &mut View, keywords: Keywords<'_>) -> Result<(), String> {
    let raw = u16_at(data, 16).ok_or("truncated header")?;
    let page_size = if raw == 1 { 65536 } else { raw };
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(format!("page size {raw} is not a valid SQLite page size"));
    }
    let reserved = *data.get(20).ok_or("truncated header")? as usize;
    let usable = page_size - reserved;
    if usable < 480 {
        return Err("usable page size below 480 bytes".to_string());
    }
    let db = Db {
        data,
        page_size,
        usable,
        encoding: u32_at(data, 56).unwrap_or(1).clamp(1, 3),
    };
    let mut seen = Seen::default();
    for page in 0..data.len() / page_size {
        let start = page * page_size;
        let header = start + if page == 0 { 100 } else { 0 };
        let kind = data[header];
        if !matches!(kind, 0x02 | 0x0a | 0x0d) {
            continue; // table interior pages hold no payloads; others are not b-tree pages
        }
        let cells = u16_at(data, header + 3).unwrap_or(0);
        let pointers = header + if kind == 0x02 { 12 } else { 8 };
        for c in 0..cells.min(page_size / 2) {
            if view.over_budget(data.len()) {
                return Err("the decoded values reached the view's budget".to_string());
            }
            let Some(ptr) = u16_at(data, pointers + 2 * c) else {
                break;
            };
            let mut at = start + ptr;
            if ptr >= page_size {
                continue;
            }
            if kind == 0x02 {
                at += 4; // left child page number
            }
            let Some((total, n)) = varint(data, at) else {
                continue;
            };
            at += n;
            if kind == 0x0d {
                let Some((_, n)) = varint(data, at) else {
                    continue;
                };
                at += n; // rowid
            }
            // A record whose bytes all sit on this page and hold no keyword cannot make a
            // finding (UTF-16 text hides keywords from the raw scan: always decoded).
            let total = total as usize;
            let local = db.local(kind, total.min(data.len()));
            if local == total && db.encoding == 1 && !keywords.within(at, at + local) {
                continue;
            }
            if let Some(p) = db.payload(kind, at, total) {
                db.record(&p, view, &mut seen);
            }
        }
        if kind != 0x02 {
            for (from, to) in free_regions(data, start, header, pointers + 2 * cells, page_size) {
                for &k in keywords.starts(from, to).unwrap_or_default() {
                    if let Some(p) = recover(data, from, k, to) {
                        db.record(&p, view, &mut seen);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The parts of a b-tree page no live cell uses: the unallocated area between the cell
/// pointers and the cell content, and each freeblock (a bounded number, in chain order).
fn free_regions(
    data: &[u8],
    start: usize,
    header: usize,
    pointers_end: usize,
    page_size: usize,
) -> Vec<(usize, usize)> {
    let end = start + page_size;
    let mut out = Vec::new();
    let content = match u16_at(data, header + 5) {
        Some(0) => end,
        Some(c) => start + c,
        None => return out,
    };
    if pointers_end < content && content <= end {
        out.push((pointers_end, content));
    }
    let mut next = u16_at(data, header + 1).unwrap_or(0);
    while next != 0 && out.len() < 256 {
        let at = start + next;
        let Some(size) = u16_at(data, at + 2) else {
            break;
        };
        if size < 4 || at + size > end || next >= page_size {
            break;
        }
        out.push((at + 4, at + size));
        let following = u16_at(data, at).unwrap_or(0);
        if following <= next {
            break; // the chain goes forward; anything else is corrupt
        }
        next = following;
    }
    out
}

/// A deleted record whose TEXT or BLOB value starts at `k`, read from what survives in
/// `from..to`: the serial types before its values. Every place they could start (at most 64
/// bytes back from `k`) is tried; of the layouts that put a value exactly at `k`, the most
/// likely wins — one whose header-size byte survives and agrees (a cell in the unallocated
/// area is intact), then the one whose values before the key add up to where it starts, with
/// no header read out of a value's text. The record comes back as
/// a payload whose header is just those serial types.
fn recover(data: &[u8], from: usize, k: usize, to: usize) -> Option<Payload> {
    let mut best: Option<(i64, usize, usize, Vec<u64>)> = None; // (score, s, at, types)
    for s in from.max(k.saturating_sub(64))..k {
        let mut types = Vec::new();
        let mut at = s;
        while at < k && types.len() < 64 {
            let Some((t, n)) = varint(data, at) else {
                break;
            };
            if matches!(t, 10 | 11) {
                break;
            }
            types.push(t);
            at += n;
            let starts_at_k = {
                let mut v = at;
                let mut hit = false;
                for &t in &types {
                    let len = serial_len(t);
                    if v == k && t >= 12 && len > 0 && v + len <= to {
                        hit = true;
                        break;
                    }
                    v += len;
                }
                hit
            };
            if !starts_at_k {
                continue;
            }
            // An intact header: the byte before the types is the header's size (types + 1).
            let intact = s > from && usize::from(data[s - 1]) == at - s + 1;
            // Values before the key whose lengths add up to where it starts are evidence; a
            // header read out of the text of a value (letters and digits) is not.
            let letters = data[s..at]
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .count();
            let score =
                ((k - at) * 8 + if intact { 10_000 } else { 0 }) as i64 - letters as i64 * 16;
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, s, at, types.clone()));
            }
        }
    }
    let (_, s, at, types) = best?;
    let header = &data[s..at];
    let mut bytes = vec![(header.len() + 1) as u8];
    bytes.extend_from_slice(header);
    let values_end = types_end(&types, at).min(to);
    bytes.extend_from_slice(data.get(at..values_end)?);
    Some(Payload {
        bytes,
        pieces: vec![(0, s.saturating_sub(1)), (header.len() + 1, at)],
    })
}

/// The length of a value of serial type `t`.
fn serial_len(t: u64) -> usize {
    match t {
        0 | 8 | 9 | 10 | 11 => 0,
        1..=4 => t as usize,
        5 => 6,
        6 | 7 => 8,
        t => ((t - 12) / 2) as usize,
    }
}

/// Where the values of a record with serial `types` end, their first at `at`.
fn types_end(types: &[u64], at: usize) -> usize {
    at + types.iter().map(|&t| serial_len(t)).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::sqlite;

    #[test]
    fn values_come_out_one_per_line_even_across_overflow_pages() {
        let key = format!("sk_live_{}", "a1B2c3D4e5".repeat(10)); // sealant:allow test key
        let long = format!("{}{key}", "x".repeat(5000));
        let data = sqlite(&[&["secret", &key, "main"], &["blob", &long, "tail"]]);
        assert!(is_sqlite(&data));
        let mut v = View::default();
        decode(&data, &mut v, Keywords::ANYWHERE).expect("decodes");
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains(&format!("secret\n{key}\nmain\n")), "{text}");
        assert!(text.contains(&long), "the overflowed value is whole");
        let at = data
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .expect("present");
        let line =
            memchr::memmem::find(&v.bytes, format!("\n{key}\n").as_bytes()).expect("in view") + 1;
        assert_eq!(v.source_offset(line), at);
    }

    #[test]
    fn hostile_pages_do_not_panic() {
        let data = sqlite(&[&["a", "b"]]);
        let mut bad = data.clone();
        bad[16] = 0;
        bad[17] = 3;
        assert!(decode(&bad, &mut View::default(), Keywords::ANYWHERE).is_err());
        let mut bad = data.clone();
        // Cell pointers and overflow page numbers past the end.
        for b in bad.iter_mut().skip(100).take(40) {
            *b = 0xff;
        }
        let _ = decode(&bad, &mut View::default(), Keywords::ANYWHERE);
        let _ = decode(&data[..600], &mut View::default(), Keywords::ANYWHERE);
    }
}
