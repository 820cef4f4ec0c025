//! The structured decoders (DEX, Android binary XML and resource tables, binary plists,
//! Hermes bytecode, Java class files, SQLite, Python bytecode): the first byte picks one, the
//! rest is its input. Decoding may fail but must not panic, and the view's offsets stay within
//! bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealant::decode::structured::Structured;
use sealant::decode::view::{Keywords, View};

const FORMATS: [Structured; 8] = [
    Structured::Dex,
    Structured::BinaryXml,
    Structured::ResourceTable,
    Structured::BinaryPlist,
    Structured::Hermes,
    Structured::JavaClass,
    Structured::Sqlite,
    Structured::Pyc,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let format = FORMATS[pick as usize % FORMATS.len()];
    let mut view = View::default();
    let _ = format.decode(input, &mut view, Keywords::ANYWHERE);
    // The view stays bounded by the input (a decoder's budget), and maps back into it.
    assert!(view.bytes.len() <= 64 * input.len() + 64 * 1024 * 1024);
    if let Some(last) = view.bytes.len().checked_sub(1) {
        let _ = view.source_offset(last);
    }
});
