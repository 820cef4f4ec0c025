//! 7-Zip archives: the headers (plain or themselves compressed) are parsed here; each folder
//! (a solid block) is decoded as one stream by liblzma's raw decoders — LZMA, LZMA2, with the
//! BCJ branch filters and delta before them — or by bzip2, deflate or a plain copy, and split
//! into its files, which are members. Encrypted folders, PPMd and multi-stream coders (BCJ2)
//! are named in a warning. Every count and size comes from the input, so each is bounded
//! before anything is allocated, and a dictionary larger than the xz limit is refused.

use std::io::{self, Read, Seek, SeekFrom};

use crate::source::archive::detect::Kind;
use crate::source::archive::walk::{At, Walk};

/// Largest header read (decoded), files and folders in one archive.
const MAX_HEADER: u64 = 64 << 20;
const MAX_ITEMS: u64 = 1 << 20;
/// Memory a folder's LZMA dictionary may take (as for xz).
const MAX_DICT: u64 = 80 << 20;

/// One coder of a folder.
#[derive(Debug, Clone)]
struct Coder {
    id: Vec<u8>,
    props: Vec<u8>,
    ins: u64,
    outs: u64,
}

/// A folder: its coders, how they are bound, and the sizes of their outputs.
#[derive(Debug, Clone, Default)]
struct Folder {
    coders: Vec<Coder>,
    /// (in index, out index) pairs.
    binds: Vec<(u64, u64)>,
    /// Packed streams the folder reads (indices into its in streams).
    packed: Vec<u64>,
    out_sizes: Vec<u64>,
    /// Files in the folder and their sizes (from the substreams info).
    files: Vec<u64>,
}

impl Folder {
    /// The size of the folder's final output: the out stream no bind pair consumes.
    fn unpack_size(&self) -> u64 {
        (0..self.out_sizes.len() as u64)
            .find(|o| !self.binds.iter().any(|&(_, out)| out == *o))
            .and_then(|o| self.out_sizes.get(o as usize).copied())
            .unwrap_or(0)
    }
}

/// Where the streams are and how they decode.
#[derive(Debug, Default)]
struct Streams {
    pack_pos: u64,
    pack_sizes: Vec<u64>,
    folders: Vec<Folder>,
}

/// A header being read: bytes and a position, every read checked.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.at).ok_or("header ends early")?;
        self.at += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: u64) -> Result<&[u8], String> {
        let n = usize::try_from(n).map_err(|_| "size out of range")?;
        let end = self.at.checked_add(n).ok_or("size out of range")?;
        let s = self.data.get(self.at..end).ok_or("header ends early")?;
        self.at = end;
        Ok(s)
    }

    /// 7z's variable-length number: the first byte's leading 1 bits count the bytes after it.
    fn number(&mut self) -> Result<u64, String> {
        let first = self.byte()?;
        let mut mask = 0x80u8;
        let mut value = 0u64;
        for i in 0..8 {
            if first & mask == 0 {
                let high = u64::from(first & mask.wrapping_sub(1));
                return Ok(value | (high << (8 * i)));
            }
            value |= u64::from(self.byte()?) << (8 * i);
            mask >>= 1;
        }
        Ok(value)
    }

    /// A count of items, bounded.
    fn count(&mut self) -> Result<u64, String> {
        let n = self.number()?;
        if n > MAX_ITEMS {
            return Err(format!("declares {n} items, past the bound"));
        }
        Ok(n)
    }

    fn bits(&mut self, n: u64) -> Result<Vec<bool>, String> {
        let mut out = Vec::with_capacity(n as usize);
        let mut byte = 0;
        for i in 0..n {
            if i % 8 == 0 {
                byte = self.byte()?;
            }
            out.push(byte & (0x80 >> (i % 8)) != 0);
        }
        Ok(out)
    }

    /// CRC digests: which are defined, then each defined one (read and dropped).
    fn digests(&mut self, n: u64) -> Result<(), String> {
        let all = self.byte()?;
        let defined = if all == 0 {
            self.bits(n)?
        } else {
            vec![true; n as usize]
        };
        for _ in defined.iter().filter(|d| **d) {
            self.bytes(4)?;
        }
        Ok(())
    }
}

pub(super) fn read<R: Read + Seek>(w: &mut dyn Walk, path: &str, mut reader: R, depth: usize) {
    match archive(w, path, &mut reader, depth) {
        Ok(()) => {}
        Err(why) => w.warn(path, format!("7z: {why}; not read further")),
    }
}

fn archive<R: Read + Seek>(
    w: &mut dyn Walk,
    path: &str,
    reader: &mut R,
    depth: usize,
) -> Result<(), String> {
    let io = |e: io::Error| e.to_string();
    let mut sig = [0u8; 32];
    reader.seek(SeekFrom::Start(0)).map_err(io)?;
    reader
        .read_exact(&mut sig)
        .map_err(|_| "truncated signature header")?;
    let le = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let (offset, size) = (le(&sig[12..20]), le(&sig[20..28]));
    if size == 0 {
        return Ok(()); // an empty archive
    }
    if size > MAX_HEADER {
        return Err(format!("header of {size} bytes, past the bound"));
    }
    let mut header = vec![0u8; size as usize];
    let start = 32u64
        .checked_add(offset)
        .ok_or("header offset out of range")?;
    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    reader
        .read_exact(&mut header)
        .map_err(|_| "header past the end of the file")?;
    // A compressed header: decode it first (at most twice, as 7-Zip itself).
    for _ in 0..2 {
        if header.first() != Some(&0x17) {
            break;
        }
        let mut c = Cursor {
            data: &header,
            at: 1,
        };
        let streams = streams_info(&mut c)?;
        let folder = streams
            .folders
            .first()
            .ok_or("encoded header without a folder")?;
        let want = folder.unpack_size().min(MAX_HEADER);
        let mut out = Vec::new();
        let pos = 32 + streams.pack_pos;
        let packed = streams.pack_sizes.first().copied().unwrap_or(0);
        decode(reader, pos, packed, folder)?
            .take(want)
            .read_to_end(&mut out)
            .map_err(|e| format!("cannot decode the header: {e}"))?;
        header = out;
    }
    let mut c = Cursor {
        data: &header,
        at: 0,
    };
    if c.byte()? != 0x01 {
        return Err("no header".into());
    }
    let mut streams = Streams::default();
    let mut names: Vec<String> = Vec::new();
    let mut empty: Vec<bool> = Vec::new();
    loop {
        match c.number()? {
            0x00 => break,
            0x02 => skip_properties(&mut c)?,
            0x03 => return Err("additional streams are not supported".into()),
            0x04 => streams = streams_info(&mut c)?,
            0x05 => (names, empty) = files_info(&mut c)?,
            other => return Err(format!("unexpected header property {other}")),
        }
    }
    // Files with a stream, in order, take the folders' substreams in order.
    let mut named = names
        .iter()
        .zip(empty.iter().chain(std::iter::repeat(&false)))
        .filter(|(_, e)| !**e)
        .map(|(n, _)| n.as_str());
    let mut pack_index = 0usize;
    let mut pos = 32 + streams.pack_pos;
    for folder in &streams.folders {
        let packed = streams.pack_sizes.get(pack_index).copied().unwrap_or(0);
        pack_index += folder.packed.len().max(1);
        let start = pos;
        pos = pos.saturating_add(packed);
        let files: Vec<(String, u64)> = folder
            .files
            .iter()
            .map(|&size| (named.next().unwrap_or("?").to_string(), size))
            .collect();
        let mut stream = match decode(reader, start, packed, folder) {
            Ok(s) => s,
            Err(why) => {
                let first = files.first().map_or("", |f| f.0.as_str());
                w.warn(
                    &format!("{path}!{first}"),
                    format!("7z folder of {} files not read: {why}", files.len()),
                );
                continue;
            }
        };
        for (name, size) in files {
            if !w.count_entry(path) {
                return Ok(());
            }
            let mut member = (&mut stream).take(size);
            w.member(At::new(Kind::SevenZip, path, &name, depth), &mut member);
            // Solid blocks: what the scanner did not read is passed over, to stay in step.
            if let Err(e) = io::copy(&mut member, &mut io::sink()) {
                w.warn(&format!("{path}!{name}"), format!("7z data error: {e}"));
                break;
            }
        }
    }
    Ok(())
}

fn skip_properties(c: &mut Cursor<'_>) -> Result<(), String> {
    loop {
        if c.number()? == 0 {
            return Ok(());
        }
        let size = c.number()?;
        c.bytes(size)?;
    }
}

fn streams_info(c: &mut Cursor<'_>) -> Result<Streams, String> {
    let mut s = Streams::default();
    loop {
        match c.number()? {
            0x00 => return Ok(s),
            0x06 => {
                s.pack_pos = c.number()?;
                let n = c.count()?;
                loop {
                    match c.number()? {
                        0x00 => break,
                        0x09 => {
                            s.pack_sizes = (0..n).map(|_| c.number()).collect::<Result<_, _>>()?
                        }
                        0x0A => c.digests(n)?,
                        other => return Err(format!("unexpected pack property {other}")),
                    }
                }
            }
            0x07 => unpack_info(c, &mut s)?,
            0x08 => substreams_info(c, &mut s)?,
            other => return Err(format!("unexpected streams property {other}")),
        }
    }
}

fn unpack_info(c: &mut Cursor<'_>, s: &mut Streams) -> Result<(), String> {
    if c.number()? != 0x0B {
        return Err("no folders".into());
    }
    let n = c.count()?;
    if c.byte()? != 0 {
        return Err("external folders are not supported".into());
    }
    for _ in 0..n {
        s.folders.push(folder(c)?);
    }
    if c.number()? != 0x0C {
        return Err("no unpack sizes".into());
    }
    for f in &mut s.folders {
        let outs: u64 = f.coders.iter().map(|c| c.outs).sum();
        f.out_sizes = (0..outs).map(|_| c.number()).collect::<Result<_, _>>()?;
        // One file per folder unless the substreams say otherwise.
        f.files = vec![f.unpack_size()];
    }
    loop {
        match c.number()? {
            0x00 => return Ok(()),
            0x0A => c.digests(n)?,
            other => return Err(format!("unexpected unpack property {other}")),
        }
    }
}

fn folder(c: &mut Cursor<'_>) -> Result<Folder, String> {
    let n = c.count()?;
    let mut f = Folder::default();
    for _ in 0..n {
        let flags = c.byte()?;
        if flags & 0x80 != 0 {
            return Err("alternative coder methods are not supported".into());
        }
        let id = c.bytes(u64::from(flags & 0x0f))?.to_vec();
        let (ins, outs) = if flags & 0x10 != 0 {
            (c.count()?, c.count()?)
        } else {
            (1, 1)
        };
        let props = if flags & 0x20 != 0 {
            let size = c.number()?;
            c.bytes(size)?.to_vec()
        } else {
            Vec::new()
        };
        f.coders.push(Coder {
            id,
            props,
            ins,
            outs,
        });
    }
    let outs: u64 = f.coders.iter().map(|c| c.outs).sum();
    let ins: u64 = f.coders.iter().map(|c| c.ins).sum();
    for _ in 0..outs.saturating_sub(1) {
        f.binds.push((c.number()?, c.number()?));
    }
    let packed = ins.saturating_sub(outs.saturating_sub(1));
    if packed > 1 {
        f.packed = (0..packed).map(|_| c.number()).collect::<Result<_, _>>()?;
    } else {
        f.packed = (0..ins)
            .filter(|i| !f.binds.iter().any(|&(bound, _)| bound == *i))
            .take(1)
            .collect();
    }
    Ok(f)
}

fn substreams_info(c: &mut Cursor<'_>, s: &mut Streams) -> Result<(), String> {
    let mut counts: Vec<u64> = vec![1; s.folders.len()];
    loop {
        match c.number()? {
            0x00 => break,
            0x0D => {
                for n in &mut counts {
                    *n = c.count()?;
                }
            }
            0x09 => {
                for (f, &n) in s.folders.iter_mut().zip(&counts) {
                    if n == 0 {
                        f.files.clear();
                        continue;
                    }
                    let mut sizes = Vec::new();
                    let mut sum = 0u64;
                    for _ in 1..n {
                        let size = c.number()?;
                        sum = sum.saturating_add(size);
                        sizes.push(size);
                    }
                    sizes.push(f.unpack_size().saturating_sub(sum));
                    f.files = sizes;
                }
            }
            0x0A => {
                let unknown: u64 = counts.iter().sum();
                c.digests(unknown)?;
            }
            other => return Err(format!("unexpected substreams property {other}")),
        }
    }
    // Counts without sizes: a folder of n files gives no way to split it but its sizes.
    for (f, &n) in s.folders.iter_mut().zip(&counts) {
        if n == 0 {
            f.files.clear();
        } else if f.files.len() as u64 != n {
            f.files = vec![f.unpack_size()];
        }
    }
    Ok(())
}

fn files_info(c: &mut Cursor<'_>) -> Result<(Vec<String>, Vec<bool>), String> {
    let n = c.count()?;
    let mut names = vec![String::new(); n as usize];
    let mut empty = vec![false; n as usize];
    loop {
        let kind = c.number()?;
        if kind == 0 {
            break;
        }
        let size = c.number()?;
        let body = c.bytes(size)?;
        let mut p = Cursor { data: body, at: 0 };
        match kind {
            0x0E => empty = p.bits(n)?,
            0x11 => {
                if p.byte()? != 0 {
                    return Err("external names are not supported".into());
                }
                let units: Vec<u16> = (p.data[p.at..].chunks_exact(2))
                    .map(|u| u16::from_le_bytes([u[0], u[1]]))
                    .collect();
                for (name, raw) in names.iter_mut().zip(units.split(|&u| u == 0)) {
                    *name = String::from_utf16_lossy(raw);
                }
            }
            _ => {}
        }
    }
    Ok((names, empty))
}

/// A reader of a folder's decoded output: the packed stream at `pos` (`packed` bytes), through
/// the folder's coders.
fn decode<'r, R: Read + Seek>(
    reader: &'r mut R,
    pos: u64,
    packed: u64,
    folder: &Folder,
) -> Result<Box<dyn Read + 'r>, String> {
    if folder.packed.len() > 1 || folder.coders.iter().any(|c| c.ins != 1 || c.outs != 1) {
        return Err("a coder with several streams (BCJ2?) is not supported".into());
    }
    // The coders from the folder's output back to the packed stream: coder 0 first, each next
    // one the coder whose output feeds the previous one's input.
    let mut chain = Vec::new();
    let mut at = (0..folder.coders.len() as u64)
        .find(|o| !folder.binds.iter().any(|&(_, out)| out == *o))
        .ok_or("no output coder")?;
    for _ in 0..folder.coders.len() {
        chain.push(folder.coders.get(at as usize).ok_or("bad coder index")?);
        match folder.binds.iter().find(|&&(input, _)| input == at) {
            Some(&(_, out)) => at = out,
            None => break,
        }
    }
    reader
        .seek(SeekFrom::Start(pos))
        .map_err(|e| e.to_string())?;
    let input = reader.take(packed);
    let ids: Vec<&[u8]> = chain.iter().map(|c| c.id.as_slice()).collect();
    match ids.as_slice() {
        [[0x00]] => Ok(Box::new(input)),
        [[0x04, 0x02, 0x02]] => Ok(Box::new(bzip2::read::BzDecoder::new(input))),
        [[0x04, 0x01, 0x08]] => Ok(Box::new(flate2::read::DeflateDecoder::new(input))),
        _ if ids.iter().any(|id| id.starts_with(&[0x06, 0xf1, 0x07])) => {
            Err("encrypted (AES)".into())
        }
        _ => {
            let mut filters = liblzma::stream::Filters::new();
            for c in &chain {
                add_filter(&mut filters, c)?;
            }
            let stream = liblzma::stream::Stream::new_raw_decoder(&filters)
                .map_err(|e| format!("cannot start the decoder: {e}"))?;
            Ok(Box::new(liblzma::read::XzDecoder::new_stream(
                input, stream,
            )))
        }
    }
}

/// Adds a coder to a liblzma raw filter chain (encoder order: outermost first).
fn add_filter(filters: &mut liblzma::stream::Filters, c: &Coder) -> Result<(), String> {
    let err = |e: liblzma::stream::Error| format!("bad coder properties: {e}");
    match c.id.as_slice() {
        [0x03, 0x01, 0x01] => {
            let dict = c.props.get(1..5).map_or(0, |d| {
                u64::from(u32::from_le_bytes([d[0], d[1], d[2], d[3]]))
            });
            check_dict(dict)?;
            filters.lzma1_properties(&c.props).map_err(err)?;
        }
        [0x21] => {
            let p = u64::from(c.props.first().copied().unwrap_or(0));
            let dict = if p >= 40 {
                u64::MAX
            } else {
                (2 | (p & 1)) << (p / 2 + 11)
            };
            check_dict(dict)?;
            filters.lzma2_properties(&c.props).map_err(err)?;
        }
        [0x03, 0x03, 0x01, 0x03] => {
            filters.x86();
        }
        [0x03, 0x03, 0x02, 0x05] => {
            filters.powerpc();
        }
        [0x03, 0x03, 0x04, 0x01] => {
            filters.ia64();
        }
        [0x03, 0x03, 0x05, 0x01] => {
            filters.arm();
        }
        [0x03, 0x03, 0x07, 0x01] => {
            filters.arm_thumb();
        }
        [0x03, 0x03, 0x08, 0x05] => {
            filters.sparc();
        }
        [0xa] => {
            filters.arm64();
        }
        [0x03] => {
            filters.delta_properties(&c.props).map_err(err)?;
        }
        [0x03, 0x04, 0x01] => return Err("PPMd is not supported".into()),
        [0x03, 0x03, 0x01, 0x1b] => return Err("BCJ2 is not supported".into()),
        id => return Err(format!("coder {id:02x?} is not supported")),
    }
    Ok(())
}

fn check_dict(dict: u64) -> Result<(), String> {
    if dict > MAX_DICT {
        return Err(format!(
            "its dictionary ({} MiB) is larger than the {} MiB allowed",
            dict >> 20,
            MAX_DICT >> 20
        ));
    }
    Ok(())
}
