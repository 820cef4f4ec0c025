//! RPM packages, streamed: the lead, the signature header, the header — whose install
//! scriptlets (`%pre`, `%post`, `%preun`, `%postun`, `%pretrans`, `%posttrans`,
//! `%verifyscript`, triggers) are members named after their section (`pkg.rpm!%post`) — and
//! the payload, a cpio archive (compressed with gzip, xz, zstd or bzip2) whose files are members
//! (`pkg.rpm!etc/app.conf`). Header sizes are bounded before anything is allocated.

use std::io::{self, Read};

use crate::source::archive::ar::read_full;
use crate::source::archive::cpio;
use crate::source::archive::detect::{Kind, detect};
use crate::source::archive::walk::{At, Walk};

/// A header's index entries and data store at most.
const MAX_ENTRIES: u32 = 65_536;
const MAX_STORE: u32 = 64 << 20;

/// Scriptlet tags and the section they are named after.
const SCRIPTLETS: &[(u32, &str)] = &[
    (1023, "%pre"),
    (1024, "%post"),
    (1025, "%preun"),
    (1026, "%postun"),
    (1065, "%triggers"),
    (1079, "%verifyscript"),
    (1151, "%pretrans"),
    (1152, "%posttrans"),
    (5020, "%filetriggers"),
    (5024, "%transfiletriggers"),
];

pub(super) fn read(w: &mut dyn Walk, path: &str, reader: &mut dyn Read, depth: usize) {
    let mut lead = [0u8; 96];
    if !matches!(read_full(reader, &mut lead), Ok(96)) || lead[..4] != [0xed, 0xab, 0xee, 0xdb] {
        w.warn(path, "truncated or bad RPM lead; not opened".to_string());
        return;
    }
    // The signature header, padded to a multiple of 8 bytes; then the header.
    let Some((_, sig_len)) = header(w, path, reader, false) else {
        return;
    };
    let padding = (8 - sig_len % 8) % 8;
    if io::copy(&mut reader.take(padding), &mut io::sink()).is_err() {
        return;
    }
    let Some((scripts, _)) = header(w, path, reader, true) else {
        return;
    };
    for (section, text) in scripts {
        if !w.count_entry(path) {
            return;
        }
        w.member(
            At::new(Kind::Rpm, path, section, depth),
            &mut text.as_slice(),
        );
    }
    // The payload: a cpio archive, compressed or not.
    let mut head = [0u8; 8];
    let n = match read_full(reader, &mut head) {
        Ok(n) => n,
        Err(e) => {
            w.warn(path, format!("cannot read the RPM payload: {e}"));
            return;
        }
    };
    if n == 0 {
        return;
    }
    let mut payload = io::Cursor::new(head[..n].to_vec()).chain(reader);
    match detect(&head[..n]) {
        Some(Kind::Cpio) => cpio::read(w, path, &mut payload, depth),
        Some(kind)
            if matches!(
                kind,
                Kind::Gzip | Kind::Xz | Kind::Zstd | Kind::Bzip2 | Kind::Lz4
            ) =>
        {
            w.stream(path, kind, &mut payload, depth)
        }
        _ => w.warn(
            path,
            "the RPM payload is in a format sealant does not read (lzma?); not opened".to_string(),
        ),
    }
}

/// Scriptlets by section name (`%post`), with their text.
type Scriptlets = Vec<(&'static str, Vec<u8>)>;

/// Reads one header structure (magic, index, data store); with `scripts`, returns the
/// scriptlets it holds. Returns them and the header's length in bytes, or `None` (warned).
fn header(
    w: &mut dyn Walk,
    path: &str,
    reader: &mut dyn Read,
    scripts: bool,
) -> Option<(Scriptlets, u64)> {
    let mut intro = [0u8; 16];
    if !matches!(read_full(reader, &mut intro), Ok(16)) || intro[..4] != [0x8e, 0xad, 0xe8, 0x01] {
        w.warn(path, "bad RPM header; not opened further".to_string());
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (entries, store) = (be(&intro[8..12]), be(&intro[12..16]));
    if entries > MAX_ENTRIES || store > MAX_STORE {
        w.warn(
            path,
            format!("RPM header declares {entries} entries and {store} bytes, past the bounds; not opened further"),
        );
        return None;
    }
    let mut index = vec![0u8; entries as usize * 16];
    let mut data = vec![0u8; store as usize];
    if read_full(reader, &mut index).ok()? != index.len()
        || read_full(reader, &mut data).ok()? != data.len()
    {
        w.warn(path, "truncated RPM header".to_string());
        return None;
    }
    let mut found = Vec::new();
    if scripts {
        for e in index.chunks_exact(16) {
            let (tag, kind, offset) = (be(&e[0..4]), be(&e[4..8]), be(&e[8..12]) as usize);
            let Some(&(_, section)) = SCRIPTLETS.iter().find(|(t, _)| *t == tag) else {
                continue;
            };
            // STRING, STRING_ARRAY, I18NSTRING: NUL-terminated text(s) at the offset.
            if !matches!(kind, 6 | 8 | 9) {
                continue;
            }
            let Some(text) = data.get(offset..) else {
                continue;
            };
            let count = if kind == 6 {
                1
            } else {
                be(&e[12..16]).max(1) as usize
            };
            let mut end = 0;
            for _ in 0..count {
                match text[end..].iter().position(|&b| b == 0) {
                    Some(nul) => end += nul + 1,
                    None => {
                        end = text.len();
                        break;
                    }
                }
            }
            found.push((section, text[..end].to_vec()));
        }
    }
    Some((found, 16 + u64::from(entries) * 16 + u64::from(store)))
}
