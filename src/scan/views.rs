//! Which decoded view a blob gets besides its raw bytes, and decoding it for one chunk: a
//! format parsed whole (its strings cut at their table's lengths), JSON string escapes
//! (source maps), UTF-16 runs (binaries), and, in every blob, strings whose length prefix a
//! byte scan is blind to (`ksk_live_…` in a protobuf message). Hands on the view.

use crate::decode::structured::Structured;
use crate::decode::view::{Keywords, View};
use crate::decode::{json_string, length_prefix, utf16};

/// Which decoded view a blob gets besides its raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// Only length-prefixed strings around keywords.
    None,
    /// Parsed whole (see `decode::structured`).
    Structured(Structured),
    /// JSON string escapes (source maps), per chunk.
    Json,
    /// UTF-16LE runs (other binaries), per chunk.
    Utf16,
}

impl ViewKind {
    /// The view for a blob named `path` starting with `head`.
    pub fn choose(path: &str, head: &[u8]) -> ViewKind {
        if let Some(s) = Structured::detect(head) {
            ViewKind::Structured(s)
        } else if json_string::wants_view(path, head) {
            ViewKind::Json
        } else if utf16::looks_binary(head) {
            ViewKind::Utf16
        } else {
            ViewKind::None
        }
    }

    /// Decodes `chunk` into `view` (`keywords`: where the raw scan found rule keywords, in
    /// any order). Returns whether the view's strings end exactly where the format ends them
    /// (a shorter secret there wins over the raw bytes' longer one), and a note when the format
    /// did not fully decode.
    pub fn decode(
        self,
        chunk: &[u8],
        keywords: &[usize],
        view: &mut View,
    ) -> (bool, Option<String>) {
        view.clear();
        match self {
            ViewKind::Structured(format) => {
                let mut sorted = keywords.to_vec();
                sorted.sort_unstable();
                let note = format
                    .decode(chunk, view, Keywords(Some(&sorted)))
                    .err()
                    .map(|e| format!("{} not fully decoded: {e}", format.name()));
                (true, note)
            }
            ViewKind::Json if json_string::may_hide_text(chunk) => {
                json_string::unescape(chunk, view);
                (false, None)
            }
            ViewKind::Utf16 => {
                utf16::extract(chunk, view);
                length_prefix::extract_around(chunk, keywords.iter().copied(), view);
                (false, None)
            }
            _ => {
                // Costs nothing where no keyword has a letter or digit just before it.
                length_prefix::extract_around(chunk, keywords.iter().copied(), view);
                (false, None)
            }
        }
    }
}
