//! The archive readers (zip, tar, gzip, bzip2, xz, zstd, CRX, 7z, ar, RPM, cpio, lz4, XALZ,
//! OLE), nested as they come: the first byte picks the outer format, the rest is the archive.
//! Members are drained; limits hold.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use sealant::source::archive::detect::Kind;
use sealant::source::archive::limits::Limits;
use sealant::source::archive::{ArchiveReader, MemberSink};

const KINDS: [Kind; 14] = [
    Kind::Zip,
    Kind::Tar,
    Kind::Gzip,
    Kind::Bzip2,
    Kind::Xz,
    Kind::Zstd,
    Kind::Crx3,
    Kind::SevenZip,
    Kind::Ar,
    Kind::Rpm,
    Kind::Cpio,
    Kind::Lz4,
    Kind::Xalz,
    Kind::Cfb,
];

struct Drain {
    bytes: u64,
}

impl MemberSink for Drain {
    fn member(&mut self, _path: &str, content: &mut dyn Read) {
        self.bytes += std::io::copy(content, &mut std::io::sink()).unwrap_or(0);
    }
    fn warn(&mut self, _path: &str, _message: String) {}
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let kind = KINDS[pick as usize % KINDS.len()];
    let limits = Limits {
        max_entry_bytes: 8 << 20,
        max_archive_bytes: 16 << 20,
        ..Limits::default()
    };
    let mut sink = Drain { bytes: 0 };
    ArchiveReader::new(limits, &mut sink).read_bytes("fuzz", kind, input);
    assert!(sink.bytes <= 16 << 20);
});
