//! Builders of minimal valid files in each decoded format (DEX, Android binary XML and
//! resource tables, binary plists), for the test suite: sealant's tests make their inputs
//! instead of committing binaries.
#![doc(hidden)]

use crate::decode::axml::{
    RES_STRING_POOL, RES_TABLE, RES_TABLE_PACKAGE, RES_XML, RES_XML_START_ELEMENT,
    TYPE_INT_BOOLEAN, UTF8_FLAG,
};

/// A minimal DEX: header with the string table fields, then the strings.
pub fn dex(strings: &[&str]) -> Vec<u8> {
    let mut d = vec![0u8; 0x70];
    d[..8].copy_from_slice(b"dex\n035\0");
    let ids_off = d.len();
    d[0x38..0x3C].copy_from_slice(&(strings.len() as u32).to_le_bytes());
    d[0x3C..0x40].copy_from_slice(&(ids_off as u32).to_le_bytes());
    d.resize(ids_off + 4 * strings.len(), 0);
    for (i, s) in strings.iter().enumerate() {
        let off = d.len() as u32;
        d[ids_off + 4 * i..ids_off + 4 * i + 4].copy_from_slice(&off.to_le_bytes());
        let mut len = s.len();
        loop {
            let b = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                d.push(b);
                break;
            }
            d.push(b | 0x80);
        }
        d.extend_from_slice(s.as_bytes());
        d.push(0);
    }
    d
}

/// A string pool chunk holding `strings` (UTF-8 or UTF-16).
pub fn string_pool(strings: &[&str], utf8: bool) -> Vec<u8> {
    let header = 28usize;
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len() as u32);
        if utf8 {
            let n = s.len();
            let u16n = s.encode_utf16().count();
            for len in [u16n, n] {
                if len > 0x7f {
                    data.push(0x80 | (len >> 8) as u8);
                    data.push(len as u8);
                } else {
                    data.push(len as u8);
                }
            }
            data.extend_from_slice(s.as_bytes());
            data.push(0);
        } else {
            let units: Vec<u16> = s.encode_utf16().collect();
            data.extend_from_slice(&(units.len() as u16).to_le_bytes());
            for u in units {
                data.extend_from_slice(&u.to_le_bytes());
            }
            data.extend_from_slice(&[0, 0]);
        }
    }
    while data.len() % 4 != 0 {
        data.push(0);
    }
    let strings_start = header + 4 * strings.len();
    let size = strings_start + data.len();
    let mut c = Vec::new();
    c.extend_from_slice(&RES_STRING_POOL.to_le_bytes());
    c.extend_from_slice(&(header as u16).to_le_bytes());
    c.extend_from_slice(&(size as u32).to_le_bytes());
    c.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    c.extend_from_slice(&0u32.to_le_bytes());
    c.extend_from_slice(&(if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
    c.extend_from_slice(&(strings_start as u32).to_le_bytes());
    c.extend_from_slice(&0u32.to_le_bytes());
    for o in offsets {
        c.extend_from_slice(&o.to_le_bytes());
    }
    c.extend_from_slice(&data);
    c
}

fn chunk(kind: u16, header: &[u8], body: &[u8]) -> Vec<u8> {
    let header_size = 8 + header.len();
    let mut c = Vec::new();
    c.extend_from_slice(&kind.to_le_bytes());
    c.extend_from_slice(&(header_size as u16).to_le_bytes());
    c.extend_from_slice(&((header_size + body.len()) as u32).to_le_bytes());
    c.extend_from_slice(header);
    c.extend_from_slice(body);
    c
}

/// A compiled manifest: string pool, then `<application>` with `debuggable` (boolean)
/// and a `<meta-data>` whose value is string `value_index`.
pub fn manifest(strings: &[&str], debuggable: bool) -> Vec<u8> {
    let mut body = string_pool(strings, false);
    // <application debuggable=bool>: name index 1 must be "debuggable" in `strings`.
    let mut el = Vec::new();
    el.extend_from_slice(&u32::MAX.to_le_bytes()); // ns
    el.extend_from_slice(&0u32.to_le_bytes()); // element name: strings[0]
    el.extend_from_slice(&20u16.to_le_bytes()); // attributeStart
    el.extend_from_slice(&20u16.to_le_bytes()); // attributeSize
    el.extend_from_slice(&1u16.to_le_bytes()); // attributeCount
    el.extend_from_slice(&[0u8; 6]); // idIndex, classIndex, styleIndex
    el.extend_from_slice(&u32::MAX.to_le_bytes()); // attr ns
    el.extend_from_slice(&1u32.to_le_bytes()); // attr name
    el.extend_from_slice(&u32::MAX.to_le_bytes()); // raw value
    el.extend_from_slice(&8u16.to_le_bytes()); // typed value size
    el.push(0);
    el.push(TYPE_INT_BOOLEAN);
    el.extend_from_slice(&(if debuggable { u32::MAX } else { 0 }).to_le_bytes());
    // Start-element header: line number and comment (8 bytes) after the chunk header.
    body.extend(chunk(RES_XML_START_ELEMENT, &[0u8; 8], &el));
    chunk(RES_XML, &[], &body)
}

/// A resource table: global string pool plus one package with its own pools.
pub fn table(values: &[&str], utf8: bool) -> Vec<u8> {
    let mut body = string_pool(values, utf8);
    let mut pkg_header = vec![0u8; 280];
    pkg_header[..4].copy_from_slice(&0x7fu32.to_le_bytes());
    let mut pkg_body = string_pool(&["string", "attr"], true);
    pkg_body.extend(string_pool(&["app_name", "stripe_key"], true));
    body.extend(chunk(RES_TABLE_PACKAGE, &pkg_header, &pkg_body));
    chunk(RES_TABLE, &1u32.to_le_bytes(), &body)
}

/// A binary plist: a dict of string keys to ASCII or UTF-16 string values.
pub fn plist(pairs: &[(&str, &str)], utf16_values: bool) -> Vec<u8> {
    let mut d = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    let n = pairs.len();
    // Object 0: the dict, with one-byte object refs.
    offsets.push(d.len());
    d.push(0xD0 | n as u8);
    for i in 0..n {
        d.push((1 + i) as u8);
    }
    for i in 0..n {
        d.push((1 + n + i) as u8);
    }
    let mut push_str = |d: &mut Vec<u8>, s: &str, utf16: bool| {
        offsets.push(d.len());
        let count = if utf16 {
            s.encode_utf16().count()
        } else {
            s.len()
        };
        let kind = if utf16 { 0x60 } else { 0x50 };
        if count < 15 {
            d.push(kind | count as u8);
        } else {
            d.push(kind | 0x0f);
            d.push(0x11);
            d.extend_from_slice(&(count as u16).to_be_bytes());
        }
        if utf16 {
            for u in s.encode_utf16() {
                d.extend_from_slice(&u.to_be_bytes());
            }
        } else {
            d.extend_from_slice(s.as_bytes());
        }
    };
    for (k, _) in pairs {
        push_str(&mut d, k, false);
    }
    for (_, v) in pairs {
        push_str(&mut d, v, utf16_values);
    }
    let table = d.len();
    for o in &offsets {
        d.extend_from_slice(&(*o as u16).to_be_bytes());
    }
    let mut trailer = [0u8; 32];
    trailer[6] = 2;
    trailer[7] = 1;
    trailer[8..16].copy_from_slice(&(offsets.len() as u64).to_be_bytes());
    trailer[24..32].copy_from_slice(&(table as u64).to_be_bytes());
    d.extend_from_slice(&trailer);
    d
}

/// A Hermes bytecode file whose string storage packs `ascii` strings (end to end) and `utf16`
/// strings, behind function headers of `function_header_size` bytes (two functions).
pub fn hermes(ascii: &[&str], utf16: &[&str], function_header_size: usize) -> Vec<u8> {
    let mut storage = Vec::new();
    let mut entries = Vec::new();
    for s in ascii {
        entries.push((storage.len() as u32, s.len() as u32, false));
        storage.extend_from_slice(s.as_bytes());
    }
    for s in utf16 {
        let units: Vec<u16> = s.encode_utf16().collect();
        entries.push((storage.len() as u32, units.len() as u32, true));
        storage.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }
    let functions = 2usize;
    let mut d = vec![0u8; 128];
    d[..8].copy_from_slice(&0x1F19_03C1_03BC_1FC6u64.to_le_bytes());
    d[8..12].copy_from_slice(&99u32.to_le_bytes());
    let put = |d: &mut Vec<u8>, at: usize, v: usize| {
        d[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes())
    };
    put(&mut d, 0x28, functions);
    put(&mut d, 0x2c, 1); // string kinds
    put(&mut d, 0x30, 0); // identifiers
    put(&mut d, 0x34, entries.len());
    put(&mut d, 0x38, 0); // overflow strings
    put(&mut d, 0x3c, storage.len());
    d.resize(128 + functions * function_header_size + 4, 0);
    for (offset, len, utf16) in entries {
        let word = u32::from(utf16) | (offset << 1) | (len << 24);
        d.extend_from_slice(&word.to_le_bytes());
    }
    d.extend_from_slice(&storage);
    while !d.len().is_multiple_of(4) {
        d.push(0);
    }
    let len = d.len();
    put(&mut d, 0x20, len);
    d
}

/// A Java class file whose constant pool holds `utf8` strings (and one `long`, which takes two
/// slots), as javac writes them.
pub fn class_file(utf8: &[&str]) -> Vec<u8> {
    let mut d = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61];
    let count = utf8.len() + 2 + 1; // + the long's two slots, + slot 0
    d.extend_from_slice(&(count as u16).to_be_bytes());
    for s in utf8 {
        d.push(1);
        d.extend_from_slice(&(s.len() as u16).to_be_bytes());
        d.extend_from_slice(s.as_bytes());
    }
    d.push(5);
    d.extend_from_slice(&42u64.to_be_bytes());
    // access flags, this, super, no interfaces, fields, methods or attributes
    d.extend_from_slice(&[0, 0x21, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    d
}

/// A SQLite database (page size 1024) with one table whose rows are `rows` (TEXT columns);
/// values too long for a page continue on overflow pages, as SQLite writes them.
pub fn sqlite(rows: &[&[&str]]) -> Vec<u8> {
    const PAGE: usize = 1024;
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        let mut groups = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            groups.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    let mut db = vec![0u8; 2 * PAGE];
    db[..16].copy_from_slice(b"SQLite format 3\0");
    db[16..18].copy_from_slice(&(PAGE as u16).to_be_bytes());
    db[18] = 1;
    db[19] = 1;
    db[21] = 64;
    db[22] = 32;
    db[23] = 32;
    db[56..60].copy_from_slice(&1u32.to_be_bytes());
    db[100] = 0x0d; // page 1: an empty table leaf (the schema)
    db[PAGE] = 0x0d; // page 2: the rows
    db[PAGE + 3..PAGE + 5].copy_from_slice(&(rows.len() as u16).to_be_bytes());
    let mut cell_at = PAGE + 8 + 2 * rows.len();
    let (u, max_local) = (PAGE, PAGE - 35);
    for (i, row) in rows.iter().enumerate() {
        let mut header = Vec::new();
        for v in row.iter() {
            varint(13 + 2 * v.len() as u64, &mut header);
        }
        let mut record = Vec::new();
        varint(header.len() as u64 + 1, &mut record);
        record.extend_from_slice(&header);
        for v in row.iter() {
            record.extend_from_slice(v.as_bytes());
        }
        let total = record.len();
        let local = if total <= max_local {
            total
        } else {
            let m = (u - 12) * 32 / 255 - 23;
            let k = m + (total - m) % (u - 4);
            if k <= max_local { k } else { m }
        };
        let mut cell = Vec::new();
        varint(total as u64, &mut cell);
        varint(i as u64 + 1, &mut cell);
        cell.extend_from_slice(&record[..local]);
        let mut rest = &record[local..];
        if !rest.is_empty() {
            cell.extend_from_slice(&((db.len() / PAGE + 1) as u32).to_be_bytes());
            while !rest.is_empty() {
                let take = rest.len().min(u - 4);
                let last = take == rest.len();
                let next = if last { 0 } else { db.len() / PAGE + 2 };
                let start = db.len();
                db.resize(start + PAGE, 0);
                db[start..start + 4].copy_from_slice(&(next as u32).to_be_bytes());
                db[start + 4..start + 4 + take].copy_from_slice(&rest[..take]);
                rest = &rest[take..];
            }
        }
        let ptr = PAGE + 8 + 2 * i;
        db[ptr..ptr + 2].copy_from_slice(&((cell_at - PAGE) as u16).to_be_bytes());
        db[cell_at..cell_at + cell.len()].copy_from_slice(&cell);
        cell_at += cell.len();
    }
    let pages = (db.len() / PAGE) as u32;
    db[28..32].copy_from_slice(&pages.to_be_bytes());
    db
}

/// A Python 3.11 `.pyc`: a module code object whose constants are `strings`, as marshal
/// writes them (short ASCII strings as `z`, longer ones as `a`).
pub fn pyc(strings: &[&str]) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&3495u16.to_le_bytes());
    d.extend_from_slice(b"\r\n");
    d.extend_from_slice(&[0; 12]);
    let text = |d: &mut Vec<u8>, s: &str| {
        if s.len() < 256 {
            d.push(b'z' | 0x80);
            d.push(s.len() as u8);
        } else {
            d.push(b'a');
            d.extend_from_slice(&(s.len() as u32).to_le_bytes());
        }
        d.extend_from_slice(s.as_bytes());
    };
    d.push(b'c' | 0x80);
    d.extend_from_slice(&[0; 20]); // argcount, posonlyargcount, kwonlyargcount, stacksize, flags
    d.push(b's');
    d.extend_from_slice(&4u32.to_le_bytes());
    d.extend_from_slice(&[0x97, 0, 0x64, 0]); // co_code
    d.push(b')');
    d.push(strings.len() as u8);
    for s in strings {
        text(&mut d, s);
    }
    for _ in 0..3 {
        d.push(b')');
        d.push(0); // names, localsplusnames, localspluskinds (empty)
    }
    text(&mut d, "app.py");
    text(&mut d, "<module>");
    d.push(b'r');
    d.extend_from_slice(&1u32.to_le_bytes()); // qualname: a reference
    d.extend_from_slice(&1u32.to_le_bytes()); // firstlineno
    d.push(b's');
    d.extend_from_slice(&0u32.to_le_bytes()); // linetable
    d.push(b's');
    d.extend_from_slice(&0u32.to_le_bytes()); // exceptiontable
    d
}
