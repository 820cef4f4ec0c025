//! A decoded view: the bytes a decoder produced, with a map back to offsets in the blob they
//! came from; and where the raw scan found keywords (what lets decoders skip the rest).

/// Decoded bytes with a map back to offsets in the bytes they came from.
#[derive(Debug, Default)]
pub struct View {
    pub bytes: Vec<u8>,
    /// `(view offset, source offset, stride)` checkpoints, ascending; after a checkpoint each
    /// view byte stands for `stride` source bytes (2 for text decoded from UTF-16).
    checkpoints: Vec<(usize, usize, usize)>,
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
        self.checkpoints.push((view, source, 1));
    }

    /// Appends `text` and a newline; `text` came from source offset `source`, one byte per
    /// byte.
    pub fn push_text(&mut self, text: &[u8], source: usize) {
        self.push_text_strided(text, source, 1);
    }

    /// Like [`View::push_text`] for text whose characters took `stride` bytes each in the
    /// source (2 for UTF-16).
    pub fn push_text_strided(&mut self, text: &[u8], source: usize, stride: usize) {
        self.checkpoints.push((self.bytes.len(), source, stride));
        self.bytes.extend_from_slice(text);
        self.bytes.push(b'\n');
    }

    /// Whether the view has grown past what decoding an input of `input_len` bytes may make
    /// (twice the input, plus 64 KiB): decoders stop there, so that a hostile file whose
    /// tables point many times at one long string cannot blow up memory.
    pub fn over_budget(&self, input_len: usize) -> bool {
        self.bytes.len() > input_len.saturating_mul(2).saturating_add(64 * 1024)
    }

    /// The source offset of view offset `at`.
    pub fn source_offset(&self, at: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(v, _, _)| v <= at);
        match i.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((v, s, stride)) => s + (at - v) * stride,
            None => at,
        }
    }
}

/// Where a raw scan found keywords, ascending (see [`Structured::decode`]); `None` stands for
/// "anywhere" (tests, callers without a raw scan): decoders then emit everything.
#[derive(Debug, Clone, Copy)]
pub struct Keywords<'a>(pub Option<&'a [usize]>);

impl Keywords<'_> {
    pub const ANYWHERE: Keywords<'static> = Keywords(None);

    /// Where keywords start in `from..to` (`None`: anywhere, not known).
    pub fn starts(&self, from: usize, to: usize) -> Option<&[usize]> {
        let k = self.0?;
        let a = k.partition_point(|&p| p < from);
        let b = k.partition_point(|&p| p < to);
        Some(&k[a..b])
    }

    /// Whether a keyword starts in `from..to`.
    pub fn within(&self, from: usize, to: usize) -> bool {
        let Some(k) = self.0 else { return true };
        let i = k.partition_point(|&p| p < from);
        k.get(i).is_some_and(|&p| p < to)
    }
}
