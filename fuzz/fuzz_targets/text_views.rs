//! The text views: JSON string unescaping (source maps), UTF-16 runs and length-prefixed
//! strings around keywords.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealant::decode::view::View;
use sealant::decode::{json_string, length_prefix, utf16};

fuzz_target!(|data: &[u8]| {
    let mut view = View::default();
    json_string::unescape(data, &mut view);
    assert!(view.bytes.len() <= data.len() + 4);
    utf16::extract(data, &mut view);
    let keywords = data
        .windows(3)
        .enumerate()
        .filter(|(_, w)| *w == b"sk_")
        .map(|(i, _)| i);
    length_prefix::extract_around(data, keywords, &mut view);
});
