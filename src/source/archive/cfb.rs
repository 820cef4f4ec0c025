//! OLE compound files (`.doc`, `.xls`, `.ppt`, `.msg`, `.msi`): every stream, walked through
//! the directory, is a member (`report.doc!WordDocument`). The `cfb` crate parses the sector
//! tables, refusing chains that loop or point past the file. An installer's (MSI) stream names
//! are decoded (`app.msi!!_StringData`), and its string table — every string of every table,
//! stored end to end — is split at the lengths its string pool gives, one string per line, so
//! that a key set as a property is not read glued to the name before it.

use std::io::{Read, Seek};
use std::path::PathBuf;

use crate::source::archive::detect::Kind;
use crate::source::archive::walk::{At, Walk};

/// The streams of an MSI string table.
const STRING_DATA: &str = "!_StringData";
const STRING_POOL: &str = "!_StringPool";

pub(super) fn read<R: Read + Seek>(w: &mut dyn Walk, path: &str, reader: R, depth: usize) {
    let mut file = match cfb::CompoundFile::open(reader) {
        Ok(f) => f,
        Err(e) => {
            w.warn(path, format!("not a readable compound file: {e}"));
            return;
        }
    };
    let streams: Vec<(PathBuf, String)> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| (e.path().to_path_buf(), display_name(e.name())))
        .collect();
    let pool = streams
        .iter()
        .find(|(_, n)| n == STRING_POOL)
        .map(|(p, _)| p.clone());
    for (stream, name) in &streams {
        if !w.count_entry(path) {
            return;
        }
        if name == STRING_DATA
            && let Some(pool) = &pool
            && let Some(split) = string_table(&mut file, stream, pool, w.member_budget())
        {
            w.member(At::new(Kind::Cfb, path, name, depth), &mut split.as_slice());
            continue;
        }
        match file.open_stream(stream) {
            Ok(mut s) => w.member(At::new(Kind::Cfb, path, name, depth), &mut s),
            Err(e) => w.warn(
                &format!("{path}!{name}"),
                format!("cannot read stream: {e}; skipped"),
            ),
        }
    }
}

/// A stream's name as people read it: MSI names decoded (two characters packed in one code
/// point from U+3800, one from U+4800, `!` for U+4840), control characters shown as `?`.
fn display_name(raw: &str) -> String {
    const CHARS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._";
    let mut out = String::new();
    for c in raw.chars() {
        let u = c as u32;
        match u {
            0x3800..0x4800 => {
                let v = u - 0x3800;
                out.push(char::from(CHARS[(v & 0x3f) as usize]));
                out.push(char::from(CHARS[((v >> 6) & 0x3f) as usize]));
            }
            0x4800..0x4840 => out.push(char::from(CHARS[(u - 0x4800) as usize])),
            0x4840 => out.push('!'),
            _ if c.is_control() => out.push('?'),
            _ => out.push(c),
        }
    }
    out
}

/// An MSI string table, one string per line: `pool` holds a 4-byte header then, per string,
/// its length and reference count (16 bits each; a length of 0 with references means the next
/// entry holds a 32-bit length). `None` when the streams do not fit the budget or each other.
fn string_table<R: Read + Seek>(
    file: &mut cfb::CompoundFile<R>,
    data: &PathBuf,
    pool: &PathBuf,
    budget: u64,
) -> Option<Vec<u8>> {
    let mut read = |p: &PathBuf| -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        let s = file.open_stream(p).ok()?;
        s.take(budget).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    };
    let pool = read(pool)?;
    let data = read(data)?;
    let mut out = Vec::with_capacity(data.len() + pool.len() / 4);
    let mut at = 0usize;
    let mut entries = pool.get(4..)?.chunks_exact(4);
    while let Some(e) = entries.next() {
        let (len, refs) = (
            u16::from_le_bytes([e[0], e[1]]) as usize,
            u16::from_le_bytes([e[2], e[3]]),
        );
        let len = if len == 0 && refs != 0 {
            let next = entries.next()?;
            u32::from_le_bytes([next[0], next[1], next[2], next[3]]) as usize
        } else {
            len
        };
        let s = data.get(at..at.checked_add(len)?)?;
        at += len;
        if !s.is_empty() {
            out.extend_from_slice(s);
            out.push(b'\n');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msi_stream_names_are_decoded() {
        // `!_StringData` as an MSI writes it: `!` then pairs packed into one code point.
        let pack = |a: u32, b: u32| char::from_u32(0x3800 + a + (b << 6)).unwrap_or('?');
        let idx = |c: char| {
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"
                .iter()
                .position(|&x| x == c as u8)
                .unwrap_or(0) as u32
        };
        let name = "_StringData";
        let chars: Vec<char> = name.chars().collect();
        let mut raw = String::from('\u{4840}');
        for pair in chars.chunks(2) {
            match pair {
                [a, b] => raw.push(pack(idx(*a), idx(*b))),
                [a] => raw.push(char::from_u32(0x4800 + idx(*a)).unwrap_or('?')),
                _ => {}
            }
        }
        assert_eq!(display_name(&raw), "!_StringData");
        assert_eq!(
            display_name("\u{5}SummaryInformation"),
            "?SummaryInformation"
        );
    }
}
