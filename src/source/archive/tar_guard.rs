//! Bounds what a tar stream's metadata records may cost. A GNU long-name or long-link record
//! (`L`, `K`) and a PAX header (`x`, `g`) are read whole into memory by tar readers, and their
//! size comes from the input: a 1 GiB "file name" costs 1 GiB (and more in copies). This reader
//! passes the stream through, following its 512-byte record structure, and turns any such
//! record larger than [`MAX_META`] into a regular member named [`OVERSIZED`] — whose bytes are
//! then streamed and scanned under the member limits like any content, with a warning from the
//! archive reader — while the following entry keeps its plain (100-byte) name.

use std::io::{self, Read};

/// Largest long-name, long-link or PAX record read as metadata.
pub const MAX_META: u64 = 64 * 1024;
/// The name given to a metadata record too large to be one.
pub const OVERSIZED: &str = "@oversized-tar-header";

const BLOCK: usize = 512;

pub struct TarGuard<R> {
    inner: R,
    /// Bytes of the current entry's data (with padding) still to pass through.
    data_left: u64,
    /// The header block being passed on, and how much of it was handed out.
    header: [u8; BLOCK],
    header_len: usize,
    header_out: usize,
    /// GNU sparse extension blocks follow the current header.
    sparse_extension: bool,
}

impl<R: Read> TarGuard<R> {
    pub fn new(inner: R) -> Self {
        TarGuard {
            inner,
            data_left: 0,
            header: [0; BLOCK],
            header_len: 0,
            header_out: 0,
            sparse_extension: false,
        }
    }

    /// Reads the next header block and decides how much data follows it.
    fn next_header(&mut self) -> io::Result<()> {
        self.header_len = 0;
        self.header_out = 0;
        while self.header_len < BLOCK {
            let n = self.inner.read(&mut self.header[self.header_len..])?;
            if n == 0 {
                return Ok(()); // a truncated stream: pass on what there is
            }
            self.header_len += n;
        }
        let h = &mut self.header;
        if self.sparse_extension {
            // A GNU sparse extension block: no data; another may follow.
            self.sparse_extension = h[504] != 0;
            return Ok(());
        }
        if h.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let size = parse_size(&h[124..136]).unwrap_or(0);
        match h[156] {
            b'L' | b'K' | b'x' | b'g' if size > MAX_META => {
                h[156] = b'0';
                h[..100].fill(0);
                h[..OVERSIZED.len()].copy_from_slice(OVERSIZED.as_bytes());
                set_checksum(h);
            }
            b'S' => self.sparse_extension = h[482] != 0,
            _ => {}
        }
        self.data_left = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        Ok(())
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.header_out < self.header_len {
            let n = (self.header_len - self.header_out).min(buf.len());
            buf[..n].copy_from_slice(&self.header[self.header_out..self.header_out + n]);
            self.header_out += n;
            return Ok(n);
        }
        if self.data_left > 0 {
            let want = buf
                .len()
                .min(usize::try_from(self.data_left).unwrap_or(usize::MAX));
            let n = self.inner.read(&mut buf[..want])?;
            self.data_left -= n as u64;
            return Ok(n);
        }
        self.next_header()?;
        if self.header_len == 0 {
            return Ok(0);
        }
        self.read(buf)
    }
}

/// A header's size field: octal digits (NUL- or space-terminated), or GNU's base-256 form
/// (high bit of the first byte set).
fn parse_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        let mut v: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let digits = field
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| (b'0'..=b'7').contains(&b));
    let mut v: u64 = 0;
    for &b in digits {
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// Recomputes a header's checksum (the field counts as spaces).
fn set_checksum(h: &mut [u8; BLOCK]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(data: &[u8]) -> Vec<(String, usize)> {
        let mut a = tar::Archive::new(TarGuard::new(data));
        a.entries()
            .expect("entries")
            .map(|e| {
                let mut e = e.expect("entry");
                let name = e.path().expect("path").to_string_lossy().into_owned();
                let mut body = Vec::new();
                e.read_to_end(&mut body).expect("body");
                (name, body.len())
            })
            .collect()
    }

    fn tar_with_long_name(name_len: usize) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        h.set_mode(0o644);
        let name = format!("d/{}", "n".repeat(name_len));
        b.append_data(&mut h, name, &b"hello"[..]).expect("append");
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_cksum();
        b.append_data(&mut h, "next.txt", &b"abc"[..])
            .expect("append");
        b.into_inner().expect("tar")
    }

    #[test]
    fn ordinary_long_names_pass_through_untouched() {
        let data = tar_with_long_name(300);
        let mut through = Vec::new();
        TarGuard::new(&data[..])
            .read_to_end(&mut through)
            .expect("read");
        assert_eq!(through, data);
        let got = entries(&data);
        assert_eq!(got[0].1, 5);
        assert_eq!(got[0].0.len(), 302);
        assert_eq!(got[1], ("next.txt".to_string(), 3));
    }

    #[test]
    fn oversized_long_names_become_members() {
        let data = tar_with_long_name(MAX_META as usize + 10);
        let got = entries(&data);
        assert_eq!(got[0], (OVERSIZED.to_string(), MAX_META as usize + 13));
        assert_eq!(
            got[1].1, 5,
            "the entry keeps its content under its short name"
        );
        assert_eq!(got[2], ("next.txt".to_string(), 3));
    }

    #[test]
    fn sizes_parse_in_both_forms() {
        assert_eq!(parse_size(b"00000001750\0"), Some(1000));
        assert_eq!(parse_size(b"   1750 \0\0\0\0"), Some(1000));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[11] = 0x10;
        big[10] = 0x01;
        assert_eq!(parse_size(&big), Some(0x110));
    }
}
