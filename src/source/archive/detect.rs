//! Which archive, container or compressed-stream format a blob is, by its first bytes (never by
//! its name) — those sealant opens, and those it recognises but cannot read (named in a
//! warning, never passed over in silence).

/// How many bytes of a blob decide whether it is an archive.
pub const HEAD_LEN: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Zip,
    /// Chrome extension: a header, then a zip.
    Crx3,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    /// 7-Zip.
    SevenZip,
    /// Unix `ar` (Debian packages, static libraries).
    Ar,
    /// RPM package: lead, signature, header (with scriptlets), cpio payload.
    Rpm,
    /// cpio (newc, crc, odc, old binary): initramfs, RPM payloads.
    Cpio,
    /// An LZ4 frame.
    Lz4,
    /// A .NET assembly compressed by Xamarin / .NET MAUI (`XALZ`, then an LZ4 block).
    Xalz,
    /// OLE compound file (`.doc`, `.xls`, `.msg`, `.msi`).
    Cfb,
    /// Recognised, not read: RAR, cabinet, xar, squashfs, lzip, `compress`, ARJ.
    Rar,
    Cab,
    Xar,
    Squashfs,
    Lzip,
    CompressZ,
    Arj,
}

impl Kind {
    /// The format's name, for warnings and the summary.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Crx3 => "CRX",
            Kind::Tar => "tar",
            Kind::Gzip => "gzip",
            Kind::Bzip2 => "bzip2",
            Kind::Xz => "xz",
            Kind::Zstd => "zstd",
            Kind::SevenZip => "7z",
            Kind::Ar => "ar",
            Kind::Rpm => "RPM",
            Kind::Cpio => "cpio",
            Kind::Lz4 => "lz4",
            Kind::Xalz => "XALZ",
            Kind::Cfb => "OLE compound file",
            Kind::Rar => "RAR archive",
            Kind::Cab => "cabinet archive",
            Kind::Xar => "xar archive",
            Kind::Squashfs => "squashfs image",
            Kind::Lzip => "lzip stream",
            Kind::CompressZ => "compress (.Z) stream",
            Kind::Arj => "ARJ archive",
        }
    }

    /// Whether sealant reads this format (the others are named in a warning, their bytes
    /// scanned as they are).
    pub fn opens(self) -> bool {
        !matches!(
            self,
            Kind::Rar
                | Kind::Cab
                | Kind::Xar
                | Kind::Squashfs
                | Kind::Lzip
                | Kind::CompressZ
                | Kind::Arj
        )
    }

    /// Whether reading needs random access (the whole blob at hand, not a stream).
    pub fn random_access(self) -> bool {
        matches!(self, Kind::Zip | Kind::Crx3 | Kind::SevenZip | Kind::Cfb)
    }
}

/// Recognises an archive or compressed stream by its first bytes.
pub fn detect(head: &[u8]) -> Option<Kind> {
    const MAGIC: &[(&[u8], Kind)] = &[
        (b"PK\x03\x04", Kind::Zip),
        (b"PK\x05\x06", Kind::Zip),
        (b"Cr24", Kind::Crx3),
        (b"\x1f\x8b", Kind::Gzip),
        (b"\xfd7zXZ\x00", Kind::Xz),
        (b"\x28\xb5\x2f\xfd", Kind::Zstd),
        (b"7z\xbc\xaf\x27\x1c", Kind::SevenZip),
        (b"!<arch>\n", Kind::Ar),
        (b"\xed\xab\xee\xdb", Kind::Rpm),
        (b"070701", Kind::Cpio),
        (b"070702", Kind::Cpio),
        (b"070707", Kind::Cpio),
        (b"\x04\x22\x4d\x18", Kind::Lz4),
        (b"XALZ", Kind::Xalz),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Kind::Cfb),
        (b"Rar!\x1a\x07", Kind::Rar),
        (b"MSCF\0\0\0\0", Kind::Cab),
        (b"xar!", Kind::Xar),
        (b"hsqs", Kind::Squashfs),
        (b"LZIP", Kind::Lzip),
        (b"\x1f\x9d", Kind::CompressZ),
        (b"\x60\xea", Kind::Arj),
    ];
    if let Some(&(_, kind)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(kind);
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(Kind::Bzip2);
    }
    // A zstd stream may open with skippable frames (magic 0x184D2A50 to 0x184D2A5F).
    if head.len() >= 8 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18] {
        return Some(Kind::Zstd);
    }
    // Old binary cpio, either byte order, with a plausible header after the magic.
    if head.len() >= 26 && (head.starts_with(b"\xc7\x71") || head.starts_with(b"\x71\xc7")) {
        return Some(Kind::Cpio);
    }
    if head.len() >= 262 && (&head[257..262] == b"ustar") {
        return Some(Kind::Tar);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_by_its_magic() {
        for (head, kind) in [
            (&b"7z\xbc\xaf\x27\x1c\0\x04"[..], Kind::SevenZip),
            (b"!<arch>\ndebian-binary   ", Kind::Ar),
            (b"\xed\xab\xee\xdb\x03\x00", Kind::Rpm),
            (b"07070100000001", Kind::Cpio),
            (b"\x04\x22\x4d\x18\x64\x40", Kind::Lz4),
            (b"XALZ\x01\0\0\0", Kind::Xalz),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0", Kind::Cfb),
            (b"Rar!\x1a\x07\x01\x00", Kind::Rar),
        ] {
            assert_eq!(detect(head), Some(kind), "{kind:?}");
        }
        assert!(!Kind::Rar.opens() && Kind::Cpio.opens());
        assert_eq!(detect(b"0707 is a phone number"), None);
    }
}
