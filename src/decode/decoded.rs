//! Text decoded from encoded regions of a blob (`encoded`, `context`): the bytes, where each
//! byte came from, the regions with the chain of encodings undone in each, and whether
//! decoded bytes read as text.

/// Decoded text: the bytes, where each came from, and the regions it was decoded in.
#[derive(Debug, Default)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    /// For each byte, its offset in the text it was decoded from (the caller may map these
    /// further, to the blob).
    pub source: Vec<usize>,
    pub regions: Vec<Region>,
    /// A Kubernetes Secret's entries were decoded (once per text).
    pub kube_done: bool,
    /// A value was still encoded when no more encodings could be undone.
    pub too_deep: bool,
    /// A `data:` URI holds an archive (left unopened).
    pub archive_uri: bool,
}

/// One decoded region.
#[derive(Debug, Clone)]
pub struct Region {
    /// Where the region's bytes are in [`Decoded::bytes`].
    pub start: usize,
    pub end: usize,
    /// The encoded text it came from.
    pub from: (usize, usize),
    /// The encodings undone, outermost first: `base64`, `base64>hex`.
    pub chain: String,
}

impl Decoded {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.source.clear();
        self.regions.clear();
        self.kube_done = false;
        self.too_deep = false;
        self.archive_uri = false;
    }

    /// The region holding byte `at`.
    pub fn region(&self, at: usize) -> Option<&Region> {
        let i = self.regions.partition_point(|r| r.end <= at);
        self.regions.get(i).filter(|r| r.start <= at)
    }

    /// Whether offset `at` of the encoded text lies in a region decoded already.
    pub fn covers(&self, at: usize) -> bool {
        self.regions
            .iter()
            .any(|r| (r.from.0..r.from.1).contains(&at))
    }

    /// Appends a region: `bytes` decoded from `from`, each byte from `source[i]`.
    pub fn push(&mut self, bytes: &[u8], source: &[usize], from: (usize, usize), chain: String) {
        if bytes.is_empty() {
            return;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.source.extend_from_slice(source);
        // Regions are kept apart by a line break, so that no match runs from one into the
        // next.
        self.bytes.push(b'\n');
        self.source.push(source.last().copied().unwrap_or(from.0));
        self.regions.push(Region {
            start,
            end: start + bytes.len(),
            from,
            chain,
        });
    }
}

/// Whether decoded bytes read as text (a key sits in text), not random binary: UTF-8 (a
/// character cut at the end aside) of which at least 90% is printable.
pub fn readable(bytes: &[u8]) -> bool {
    if bytes.len() < 4 {
        return false;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let total = text.chars().count();
    let printable = (text.chars())
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    printable * 10 >= total * 9
}
