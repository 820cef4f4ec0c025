//! Which archive or compressed-stream format a blob is, by its first bytes (never by its
//! name).

/// How many bytes of a blob decide whether it is an archive.
pub const HEAD_LEN: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    /// Chrome extension: a header, then a zip.
    Crx3,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// Recognises an archive or compressed stream by its first bytes.
pub fn detect(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if head.starts_with(b"Cr24") {
        return Some(Kind::Crx3);
    }
    if head.starts_with(b"\x1f\x8b") {
        return Some(Kind::Gzip);
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(Kind::Bzip2);
    }
    if head.starts_with(b"\xfd7zXZ\x00") {
        return Some(Kind::Xz);
    }
    if head.starts_with(b"\x28\xb5\x2f\xfd") {
        return Some(Kind::Zstd);
    }
    if head.len() >= 262 && (&head[257..262] == b"ustar") {
        return Some(Kind::Tar);
    }
    None
}
