//! Encoded runs in text: base64, hex and escapes (`escape`) that hide a key. Decoding every
//! base64-looking run would cost a pass over every byte and turn up noise; instead each rule
//! keyword is *derived* into its encoded forms (its base64 anchors at the three positions of a
//! group, its hex, its escaped forms), which join the keyword prefilter: a run is decoded only
//! where one of them occurs, or where a known form says the value is encoded (`context`: a
//! Kubernetes Secret, a Basic-auth header, a Docker `auth`, a `data:` URI, a JWT). What a
//! region decodes to goes into a [`Decoded`] buffer whose every byte maps back to the text it
//! came from, with the chain of encodings (`base64>hex`) of its region.

use std::collections::HashSet;

use crate::decode::context::{self, Context};
use crate::decode::decoded::Decoded;
use crate::decode::escape::{self, Scheme};
use crate::decode::{base64, hex};
use crate::fasthash::FastHash;

/// What a derived keyword's occurrence asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A keyword's base64 anchor; the group it lies in starts `digit` digits before it.
    Base64 { digit: u8 },
    /// A keyword in hex digits.
    Hex,
    /// A keyword (or its start) escaped.
    Escape(Scheme),
    /// A form whose value is encoded.
    Context(Context),
}

/// A derived keyword: text to look for, and what to decode where it occurs.
#[derive(Debug, Clone)]
pub struct Derived {
    pub text: Vec<u8>,
    pub trigger: Trigger,
}

/// Base64 anchors shorter than this would occur by chance in random base64 too often.
const MIN_BASE64_ANCHOR: usize = 4;
/// Bytes before a hit that a region may reach back, in the encoded text.
const MAX_BACK: usize = 3072;

/// The derived keywords of `keywords` (rule keywords, as written), and the context keywords;
/// each text once.
pub fn derive(keywords: &[Vec<u8>]) -> Vec<Derived> {
    let mut out: Vec<Derived> = Vec::new();
    for k in keywords {
        for a in base64::anchors(k, MIN_BASE64_ANCHOR) {
            out.push(Derived {
                text: a.text,
                trigger: Trigger::Base64 {
                    digit: a.digit as u8,
                },
            });
        }
        if k.len() >= 4 {
            for upper in [false, true] {
                out.push(Derived {
                    text: hex::encode(k, upper).into_bytes(),
                    trigger: Trigger::Hex,
                });
            }
        }
        for (text, scheme) in escape::anchors(k) {
            out.push(Derived {
                text,
                trigger: Trigger::Escape(scheme),
            });
        }
    }
    for (text, c) in context::KEYWORDS {
        out.push(Derived {
            text: text.as_bytes().to_vec(),
            trigger: Trigger::Context(*c),
        });
    }
    // Each text once (the first trigger wins), never one that is a rule keyword already.
    let mut seen: HashSet<&[u8], FastHash> = keywords.iter().map(Vec::as_slice).collect();
    let keep: Vec<bool> = (out.iter())
        .map(|d| d.text.len() >= 3 && seen.insert(&d.text))
        .collect();
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(false));
    out
}

/// Decodes the region of `text` that the derived keyword found at `at` points to, appending
/// it to `out` with `chain` (the encodings undone to reach `text`) extended; at most `max_out`
/// bytes; `depth` (at least 1) is how many encodings may still be undone (a form whose value
/// is base64 of base64 unwraps more than one). Returns whether anything was decoded.
pub fn decode_at(
    text: &[u8],
    at: usize,
    trigger: Trigger,
    chain: &str,
    depth: usize,
    max_out: usize,
    out: &mut Decoded,
) -> bool {
    let link = |name: &str| {
        if chain.is_empty() {
            name.to_string()
        } else {
            format!("{chain}>{name}")
        }
    };
    let (mut bytes, mut source) = (Vec::new(), Vec::new());
    let from = match trigger {
        Trigger::Base64 { digit } => {
            let Some(group) = at.checked_sub(usize::from(digit)) else {
                return false;
            };
            let start = base64_run_start(text, group);
            let used = base64::decode_run(&text[start..], max_out, &mut bytes, &mut source);
            shift(&mut source, start);
            if bytes.is_empty() {
                return false;
            }
            out.push(&bytes, &source, (start, start + used), link("base64"));
            return true;
        }
        Trigger::Hex => {
            let mut start = at;
            while start >= 2
                && at - start < MAX_BACK
                && text[start - 2..start].iter().all(u8::is_ascii_hexdigit)
            {
                start -= 2;
            }
            let used = hex::decode_run(&text[start..], max_out, &mut bytes, &mut source);
            shift(&mut source, start);
            (start, start + used)
        }
        Trigger::Escape(scheme) => {
            let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
            let start = line_start.max(at.saturating_sub(256));
            let line_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
            let end = line_end.min(at + 4096);
            if escape::decode(&text[start..end], start, max_out, &mut bytes, &mut source) == 0 {
                return false;
            }
            out.push(&bytes, &source, (start, end), link(scheme.name()));
            return true;
        }
        Trigger::Context(c) => return context::decode(text, at, c, chain, depth, max_out, out),
    };
    if bytes.is_empty() {
        return false;
    }
    out.push(&bytes, &source, from, link("hex"));
    true
}

/// Where decoding starts for a base64 group at `group`: whole groups back, within the run
/// (across line breaks of wrapped base64), up to [`MAX_BACK`] bytes.
fn base64_run_start(text: &[u8], group: usize) -> usize {
    let mut start = group;
    loop {
        if group - start >= MAX_BACK {
            return start;
        }
        if start >= 4 && text[start - 4..start].iter().all(|&b| base64::is_digit(b)) {
            start -= 4;
            continue;
        }
        // A wrapped line: its break, then whole groups of the line before.
        let brk = match text.get(..start) {
            Some([.., b'\r', b'\n']) => 2,
            Some([.., b'\n']) => 1,
            _ => return start,
        };
        if start >= brk + 4
            && text[start - brk - 4..start - brk]
                .iter()
                .all(|&b| base64::is_digit(b))
        {
            start -= brk;
            continue;
        }
        return start;
    }
}

fn shift(source: &mut [usize], by: usize) {
    for s in source {
        *s += by;
    }
}
