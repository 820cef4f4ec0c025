//! Unix `ar` archives, streamed: Debian packages (`debian-binary`, `control.tar.*`,
//! `data.tar.*`, each opened in turn) and static libraries. GNU long names (the `//` table),
//! BSD long names (`#1/N`) and the symbol tables (`/`, `/SYM64/`, `__.SYMDEF`, not members) are
//! understood; a header that is not one ends the archive with a warning.

use std::io::{self, Read};

use crate::source::archive::detect::Kind;
use crate::source::archive::walk::{At, Walk};

/// Longest GNU long-name table read (names past it keep their `/N` form).
const MAX_NAMES: u64 = 1 << 20;

pub(super) fn read(w: &mut dyn Walk, path: &str, reader: &mut dyn Read, depth: usize) {
    let mut magic = [0u8; 8];
    if reader.read_exact(&mut magic).is_err() || &magic != b"!<arch>\n" {
        w.warn(path, "not an ar archive after all; not opened".to_string());
        return;
    }
    let mut long_names: Vec<u8> = Vec::new();
    loop {
        let mut header = [0u8; 60];
        match read_full(reader, &mut header) {
            Ok(0) => return,
            Ok(60) => {}
            Ok(_) => {
                w.warn(
                    path,
                    "truncated ar header; the rest is not read".to_string(),
                );
                return;
            }
            Err(e) => {
                w.warn(path, format!("stopped reading ar: {e}"));
                return;
            }
        }
        if &header[58..60] != b"`\n" {
            w.warn(path, "bad ar header; the rest is not read".to_string());
            return;
        }
        let field =
            |r: std::ops::Range<usize>| String::from_utf8_lossy(&header[r]).trim_end().to_string();
        let Ok(mut size) = field(48..58).parse::<u64>() else {
            w.warn(path, "bad ar member size; the rest is not read".to_string());
            return;
        };
        let raw_name = field(0..16);
        if !w.count_entry(path) {
            return;
        }
        let mut name = raw_name.trim_end_matches('/').to_string();
        // BSD: the name follows the header, inside the member's size.
        if let Some(len) = raw_name
            .strip_prefix("#1/")
            .and_then(|n| n.parse::<u64>().ok())
        {
            let mut buf = Vec::new();
            if reader.take(len.min(size)).read_to_end(&mut buf).is_err() {
                w.warn(path, "truncated ar member name".to_string());
                return;
            }
            size -= len.min(size);
            name = String::from_utf8_lossy(&buf)
                .trim_end_matches('\0')
                .to_string();
        }
        let symbols = matches!(raw_name.as_str(), "/" | "/SYM64/") || name.starts_with("__.SYMDEF");
        let mut data = reader.take(size);
        if raw_name == "//" {
            long_names.clear();
            let _ = (&mut data).take(MAX_NAMES).read_to_end(&mut long_names);
        } else if !symbols {
            // GNU: `/N` is an offset into the long-name table.
            if let Some(off) = raw_name
                .strip_prefix('/')
                .and_then(|n| n.parse::<usize>().ok())
                && let Some(rest) = long_names.get(off..)
            {
                let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                name = String::from_utf8_lossy(&rest[..end])
                    .trim_end_matches('/')
                    .to_string();
            }
            w.member(At::new(Kind::Ar, path, &name, depth), &mut data);
        }
        // Whatever the member's reader left, and the padding to an even offset.
        if io::copy(&mut data, &mut io::sink()).is_err() {
            w.warn(path, "stopped reading ar data".to_string());
            return;
        }
        if data.limit() > 0 {
            w.warn(
                path,
                format!("ar member {name} is truncated; the archive ends inside it"),
            );
            return;
        }
        if size % 2 == 1 {
            let _ = reader.read(&mut [0u8; 1]);
        }
    }
}

/// Reads until `buf` is full or the reader ends; returns how many bytes were read.
pub(super) fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
