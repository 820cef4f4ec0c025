//! Python bytecode (`.pyc`, in wheels, PyInstaller bundles, Lambda zips): marshal data. A
//! short string is a type byte and a one-byte length, `\xdaksk_live_…` for a 107-byte key, its
//! length glued to it as the letter `k`. Walking the marshalled code objects gives every string
//! and bytes constant, each into the view on its own line.
//!
//! Layout (CPython `Python/marshal.c`, `Lib/importlib/_bootstrap_external.py`): a 16-byte header
//! (a two-byte magic number for the Python version, `\r\n`, flags, and a date and size or a
//! hash), then one object. Each object is a type byte (bit 7 flags it for back-references),
//! then its body: strings and bytes (`s t u a A`: `u32` length; `z Z`: `u8` length), ints,
//! floats, longs, containers (`( [ < >`: `u32` count; `)`: `u8` count; `{`: pairs up to `0`),
//! references (`r`: `u32` index), and code objects (`c`), whose fields are raw 32-bit ints
//! and objects in an order that changed in Python 3.8 and 3.11. Python 3.7 and later.

use crate::decode::view::View;

/// Objects nested deeper than this are not followed (a hostile file).
const MAX_DEPTH: usize = 64;

/// Magic numbers of Python 3.7 (3390) up to well past today's releases.
const MAGIC: std::ops::RangeInclusive<u16> = 3390..=4500;

/// A `.pyc` of Python 3.7 or later: its magic, `\r\n`, and a code object after the header.
pub fn is_pyc(head: &[u8]) -> bool {
    head.len() > 16
        && &head[2..4] == b"\r\n"
        && MAGIC.contains(&u16::from_le_bytes([head[0], head[1]]))
        && head[16] & 0x7f == b'c'
}

struct Walker<'a, 'v> {
    data: &'a [u8],
    at: usize,
    version: u16,
    view: &'v mut View,
}

impl Walker<'_, '_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.at).ok_or("marshal data ends early")?;
        self.at += 1;
        Ok(b)
    }

    fn u32(&mut self) -> Result<usize, String> {
        let b = self
            .data
            .get(self.at..self.at + 4)
            .ok_or("marshal data ends early")?;
        self.at += 4;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        let end = self.at.checked_add(n).ok_or("length overflows")?;
        if end > self.data.len() {
            return Err("marshal data ends early".to_string());
        }
        self.at = end;
        Ok(())
    }

    fn text(&mut self, len: usize) -> Result<(), String> {
        let start = self.at;
        self.skip(len)?;
        if self.view.over_budget(self.data.len()) {
            return Err("the decoded strings reached the view's budget".to_string());
        }
        self.view.push_text(&self.data[start..self.at], start);
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("objects nested deeper than {MAX_DEPTH}"));
        }
        let kind = self.byte()? & 0x7f;
        match kind {
            b'0' | b'N' | b'F' | b'T' | b'S' | b'.' => Ok(()),
            b'i' | b'r' => self.skip(4),
            b'I' | b'g' => self.skip(8),
            b'y' => self.skip(16),
            b'f' => {
                let n = self.byte()? as usize;
                self.skip(n)
            }
            b'x' => {
                for _ in 0..2 {
                    let n = self.byte()? as usize;
                    self.skip(n)?;
                }
                Ok(())
            }
            b'l' => {
                let n = self.u32()? as u32 as i32;
                self.skip(n.unsigned_abs() as usize * 2)
            }
            b's' | b't' | b'u' | b'a' | b'A' => {
                let n = self.u32()?;
                self.text(n)
            }
            b'z' | b'Z' => {
                let n = self.byte()? as usize;
                self.text(n)
            }
            b'(' | b'[' | b'<' | b'>' => {
                let n = self.u32()?;
                self.objects(n, depth)
            }
            b')' => {
                let n = self.byte()? as usize;
                self.objects(n, depth)
            }
            b'{' => loop {
                if self.data.get(self.at) == Some(&b'0') {
                    self.at += 1;
                    return Ok(());
                }
                self.object(depth + 1)?;
                self.object(depth + 1)?;
            },
            b'c' => self.code(depth),
            other => Err(format!(
                "unknown marshal type {:?} at byte {}",
                other as char,
                self.at - 1
            )),
        }
    }

    fn objects(&mut self, n: usize, depth: usize) -> Result<(), String> {
        for _ in 0..n {
            self.object(depth + 1)?;
        }
        Ok(())
    }

    /// A code object: raw ints and objects, in the order of the file's Python version.
    fn code(&mut self, depth: usize) -> Result<(), String> {
        let (ints, before_line, after_line) = match self.version {
            3450.. => (5, 8, 2), // 3.11+: … qualname, firstlineno, linetable, exceptiontable
            3410..3450 => (6, 8, 1), // 3.8–3.10: posonlyargcount added; … firstlineno, lnotab
            _ => (5, 8, 1),      // 3.7
        };
        self.skip(4 * ints)?;
        self.objects(before_line, depth)?;
        self.skip(4)?; // firstlineno
        self.objects(after_line, depth)
    }
}

/// Decodes every string and bytes constant of a `.pyc` into `view`.
pub fn decode(data: &[u8], view: &mut View) -> Result<(), String> {
    if !is_pyc(data) {
        return Err("not a Python 3.7+ .pyc".to_string());
    }
    let mut w = Walker {
        data,
        at: 16,
        version: u16::from_le_bytes([data[0], data[1]]),
        view,
    };
    w.object(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::build::pyc;

    #[test]
    fn string_constants_come_out_whole() {
        let key = format!("sk_live_{}", "a1B2c3D4e5".repeat(10)); // sealant:allow test key
        let long = "L".repeat(300);
        let data = pyc(&["STRIPE_SECRET_KEY", &key, &long]);
        assert!(is_pyc(&data));
        let at = data
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .expect("present");
        assert_eq!(data[at - 1] as usize, key.len());
        let mut v = View::default();
        decode(&data, &mut v).expect("decodes");
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains(&format!("\n{key}\n")), "{text}");
        assert!(text.contains(&long));
        let line = memchr::memmem::find(&v.bytes, key.as_bytes()).expect("in view");
        assert_eq!(v.source_offset(line), at);
    }

    #[test]
    fn hostile_data_is_an_error_not_a_panic() {
        let data = pyc(&["abc"]);
        assert!(decode(&data[..30], &mut View::default()).is_err());
        let mut deep = data[..16].to_vec();
        deep.extend(std::iter::repeat_n(b'[', 200).flat_map(|b| [b, 1, 0, 0, 0]));
        deep[16] = b'c';
        assert!(decode(&deep, &mut View::default()).is_err());
    }
}
