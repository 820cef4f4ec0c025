//! Decoded views: text a format hides from a byte scan (JSON string escapes in source maps;
//! later DEX strings, binary XML, UTF-16). A [`View`] holds the decoded bytes and maps each
//! offset back to the blob, so findings point at the right line of the original file.

pub mod json_string;

/// Decoded bytes with a map back to offsets in the bytes they came from.
#[derive(Debug, Default)]
pub struct View {
    pub bytes: Vec<u8>,
    /// `(view offset, source offset)` checkpoints, ascending; between two checkpoints offsets
    /// advance together.
    checkpoints: Vec<(usize, usize)>,
}

impl View {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.checkpoints.clear();
    }

    /// Whether decoding changed anything (if not, the view adds nothing to a raw scan).
    pub fn changed(&self) -> bool {
        !self.checkpoints.is_empty()
    }

    /// Records that view offset `view` corresponds to source offset `source`.
    pub fn checkpoint(&mut self, view: usize, source: usize) {
        self.checkpoints.push((view, source));
    }

    /// The source offset of view offset `at`.
    pub fn source_offset(&self, at: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(v, _)| v <= at);
        match i.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((v, s)) => s + (at - v),
            None => at,
        }
    }
}
