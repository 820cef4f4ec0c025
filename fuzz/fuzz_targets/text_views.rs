//! The text views: JSON string unescaping (source maps), UTF-16 runs and length-prefixed
//! strings around keywords; and the encoded-text decoders (base64, hex, escapes, the forms
//! whose values are encoded), run at every place a derived keyword occurs, nested. Bytes stay
//! within their budget and every decoded byte maps back into the input.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sealant::decode::decoded::Decoded;
use sealant::decode::encoded::{self, Derived, decode_at};
use sealant::decode::view::View;
use sealant::decode::{json_string, length_prefix, utf16};

/// The derived keywords of a few rule keywords.
static DERIVED: LazyLock<Vec<Derived>> = LazyLock::new(|| {
    encoded::derive(&[
        b"sk_live_".to_vec(),
        b"ghp_".to_vec(),
        b"AWS_SECRET_ACCESS_KEY".to_vec(),
    ])
});

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

    // Every derived keyword at every place it occurs, then once more on what that decoded.
    let mut levels = [Decoded::default(), Decoded::default()];
    let budget = 2 * data.len() + 64 * 1024;
    for level in 0..2 {
        let (below, rest) = levels.split_at_mut(level);
        let out = &mut rest[0];
        let text: &[u8] = below.last().map_or(data, |d| &d.bytes[..]);
        for d in DERIVED.iter() {
            for (at, _) in text
                .windows(d.text.len())
                .enumerate()
                .filter(|(_, w)| *w == &d.text[..])
            {
                if out.bytes.len() >= budget || out.covers(at) {
                    continue;
                }
                decode_at(text, at, d.trigger, "", 3, 64 * 1024, out);
            }
        }
        assert_eq!(out.bytes.len(), out.source.len());
        assert!(out.source.iter().all(|&s| s <= text.len()));
        assert!(out.bytes.len() <= budget + 70 * 1024);
    }
});
