//! cpio archives, streamed: the `newc` and `crc` formats (initramfs images, RPM payloads), the
//! portable `odc` format and the old binary one (either byte order). Regular files are members;
//! links, directories and devices carry no content. The `TRAILER!!!` entry ends the archive.

use std::io::{self, Read};

use crate::source::archive::ar::read_full;
use crate::source::archive::detect::Kind;
use crate::source::archive::walk::{At, Walk};

/// Longest member name read (a longer one is a corrupt header).
const MAX_NAME: u64 = 64 * 1024;

/// One entry's header: its name's length, its data's length, its mode, and the alignment its
/// name and data are padded to.
struct Header {
    name_len: u64,
    size: u64,
    mode: u64,
    /// Bytes read so far of this entry (header and name), for the padding.
    header_len: u64,
    align: u64,
}

pub(super) fn read(w: &mut dyn Walk, path: &str, reader: &mut dyn Read, depth: usize) {
    loop {
        let header = match header(reader) {
            Ok(Some(h)) => h,
            Ok(None) => {
                w.warn(
                    path,
                    "the cpio archive ends without its trailer: truncated?".to_string(),
                );
                return;
            }
            Err(why) => {
                w.warn(
                    path,
                    format!("{why}; the rest of the cpio archive is not read"),
                );
                return;
            }
        };
        if !w.count_entry(path) {
            return;
        }
        if header.name_len > MAX_NAME {
            w.warn(
                path,
                "cpio member name too long; the rest is not read".to_string(),
            );
            return;
        }
        let mut name = Vec::new();
        if reader.take(header.name_len).read_to_end(&mut name).is_err()
            || name.len() as u64 != header.name_len
        {
            w.warn(path, "truncated cpio member name".to_string());
            return;
        }
        let name = String::from_utf8_lossy(&name)
            .trim_end_matches('\0')
            .to_string();
        if skip(
            reader,
            pad(header.header_len + header.name_len, header.align),
        )
        .is_err()
        {
            return;
        }
        if name == "TRAILER!!!" {
            return;
        }
        let mut data = reader.take(header.size);
        let regular = header.mode & 0o170000 == 0o100000;
        if regular && header.size > 0 {
            let name = name.trim_start_matches("./");
            w.member(At::new(Kind::Cpio, path, name, depth), &mut data);
        }
        if io::copy(&mut data, &mut io::sink()).is_err()
            || data.limit() > 0
            || skip(reader, pad(header.size, header.align)).is_err()
        {
            w.warn(
                &format!("{path}!{name}"),
                "cpio member cut short: the archive is truncated or corrupt".to_string(),
            );
            return;
        }
    }
}

/// Bytes of padding after `len` bytes to reach a multiple of `align`.
fn pad(len: u64, align: u64) -> u64 {
    (align - len % align) % align
}

fn skip(reader: &mut dyn Read, n: u64) -> io::Result<u64> {
    io::copy(&mut reader.take(n), &mut io::sink())
}

/// Reads the next entry's header; `None` at the end of the input.
fn header(reader: &mut dyn Read) -> Result<Option<Header>, String> {
    let mut magic = [0u8; 6];
    match read_full(reader, &mut magic) {
        Ok(0) => return Ok(None),
        Ok(6) => {}
        Ok(_) => return Err("truncated cpio header".into()),
        Err(e) => return Err(format!("cannot read cpio: {e}")),
    }
    let mut rest = |n: usize| -> Result<Vec<u8>, String> {
        let mut buf = vec![0u8; n];
        match read_full(reader, &mut buf) {
            Ok(k) if k == n => Ok(buf),
            _ => Err("truncated cpio header".into()),
        }
    };
    let number = |field: &[u8], radix: u32| -> Result<u64, String> {
        let text = std::str::from_utf8(field).map_err(|_| "bad cpio header")?;
        u64::from_str_radix(text.trim_end_matches('\0'), radix)
            .map_err(|_| "bad cpio header".to_string())
    };
    match &magic {
        b"070701" | b"070702" => {
            let h = rest(104)?;
            let field = |i: usize| number(&h[i * 8..i * 8 + 8], 16);
            Ok(Some(Header {
                mode: field(1)?,
                size: field(6)?,
                name_len: field(11)?,
                header_len: 110,
                align: 4,
            }))
        }
        b"070707" => {
            let h = rest(70)?;
            Ok(Some(Header {
                mode: number(&h[12..18], 8)?,
                name_len: number(&h[53..59], 8)?,
                size: number(&h[59..70], 8)?,
                header_len: 76,
                align: 1,
            }))
        }
        [0xc7, 0x71, ..] | [0x71, 0xc7, ..] => {
            let little = magic[0] == 0xc7;
            let h = rest(20)?;
            let mut all = magic[2..].to_vec();
            all.extend_from_slice(&h);
            // Twelve 16-bit words after the magic, in the archive's byte order: dev, ino,
            // mode, uid, gid, nlink, rdev, mtime (two), name size, file size (two).
            let word = |i: usize| {
                let b = [all[i * 2], all[i * 2 + 1]];
                u64::from(if little {
                    u16::from_le_bytes(b)
                } else {
                    u16::from_be_bytes(b)
                })
            };
            Ok(Some(Header {
                mode: word(2),
                name_len: word(9),
                size: (word(10) << 16) | word(11),
                header_len: 26,
                align: 2,
            }))
        }
        _ => Err("not a cpio header".into()),
    }
}
