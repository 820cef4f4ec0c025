//! The whole blob scanner with the built-in rules: prefilter, regexes, decoded views,
//! findings. Any input is scanned without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sealant::engine::Engine;
use sealant::policy::inline::AllowMarkers;
use sealant::rules::RuleSet;
use sealant::scan::blob::BlobScanner;
use sealant::source::root::BlobName;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(RuleSet::builtin().expect("built-in rules")).expect("engine"));

fuzz_target!(|data: &[u8]| {
    let allow = AllowMarkers::default();
    let mut scanner = BlobScanner::with_chunk_size(&ENGINE, &allow, 4096);
    let mut out = Vec::new();
    let name = BlobName::plain("fuzz.bin");
    let outcome = scanner.scan(&mut &data[..], &name, &|_| false, &mut out);
    assert_eq!(outcome.bytes, data.len() as u64);
});
