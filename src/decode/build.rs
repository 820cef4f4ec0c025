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
