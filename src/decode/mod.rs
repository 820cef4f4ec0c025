//! Decoded views: text a format hides from a byte scan — strings stored length-prefixed or
//! packed end to end (DEX, Hermes bytecode, Java class files, SQLite records, Python marshal,
//! Android binary XML and resource tables, binary plists), JSON string escapes in source maps,
//! UTF-16 and length-prefixed runs in other binaries. A [`View`] holds the decoded bytes and maps each
//! offset back to the blob, so findings point at the right line of the original file.

pub mod axml;
pub mod build;
pub mod class;
pub mod dex;
pub mod hermes;
pub mod json_string;
pub mod length_prefix;
pub mod marshal;
pub mod plist;
pub mod sqlite;
pub mod utf16;

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

    /// Whether a keyword starts in `from..to`.
    pub fn within(&self, from: usize, to: usize) -> bool {
        let Some(k) = self.0 else { return true };
        let i = k.partition_point(|&p| p < from);
        k.get(i).is_some_and(|&p| p < to)
    }
}

/// Formats whose text can only be read by parsing the whole blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    Dex,
    BinaryXml,
    ResourceTable,
    BinaryPlist,
    Hermes,
    JavaClass,
    Sqlite,
    Pyc,
}

impl Structured {
    /// Recognises a structured format by its first bytes.
    pub fn detect(head: &[u8]) -> Option<Structured> {
        if dex::is_dex(head) {
            Some(Structured::Dex)
        } else if axml::is_binary_xml(head) {
            Some(Structured::BinaryXml)
        } else if axml::is_resource_table(head) {
            Some(Structured::ResourceTable)
        } else if plist::is_binary_plist(head) {
            Some(Structured::BinaryPlist)
        } else if hermes::is_hermes(head) {
            Some(Structured::Hermes)
        } else if class::is_class(head) {
            Some(Structured::JavaClass)
        } else if sqlite::is_sqlite(head) {
            Some(Structured::Sqlite)
        } else if marshal::is_pyc(head) {
            Some(Structured::Pyc)
        } else {
            None
        }
    }

    /// Decodes a whole blob into `view`. `keywords` are where the raw scan's prefilter found
    /// rule keywords (ascending): formats whose strings are plain bytes in the file (Hermes,
    /// class files, SQLite) put into the view only the strings or records that hold one, and
    /// their neighbours, since a string without a keyword cannot make a finding — a decoded
    /// view then costs little beside the raw scan.
    pub fn decode(
        self,
        data: &[u8],
        view: &mut View,
        keywords: Keywords<'_>,
    ) -> Result<(), String> {
        view.clear();
        match self {
            Structured::Dex => dex::decode(data, view),
            Structured::BinaryXml | Structured::ResourceTable => axml::decode(data, view),
            Structured::BinaryPlist => plist::decode(data, view),
            Structured::Hermes => hermes::decode(data, view, keywords),
            Structured::JavaClass => class::decode(data, view, keywords),
            Structured::Sqlite => sqlite::decode(data, view, keywords),
            Structured::Pyc => marshal::decode(data, view),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Structured::Dex => "DEX",
            Structured::BinaryXml => "Android binary XML",
            Structured::ResourceTable => "Android resource table",
            Structured::BinaryPlist => "binary plist",
            Structured::Hermes => "Hermes bytecode",
            Structured::JavaClass => "Java class file",
            Structured::Sqlite => "SQLite database",
            Structured::Pyc => "Python bytecode",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid inputs of every structured format, mutated at random thousands of times: decoding
    /// may fail, but never panics, and the view's offsets stay within the input.
    #[test]
    fn mutated_inputs_never_panic() {
        let seeds = [
            build::dex(&["Lcom/a;", "sk_live_x", "hello world"]),
            build::manifest(&["application", "debuggable", "value"], true),
            build::table(&["Shop", "key"], true),
            build::table(&["Shop", "key"], false),
            build::plist(&[("k", "v"), ("API", "long value here")], true),
            build::hermes(
                &["/v1/charges", "sk_live_abc", "Authorization"],
                &["héllo"],
                12,
            ),
            build::class_file(&["com/a/B", "sk_live_x", "java/lang/Object"]),
            build::sqlite(&[&["secret", "sk_live_x", "main"], &["a", &"x".repeat(3000)]]),
            build::pyc(&["STRIPE", "sk_live_x", &"y".repeat(300)]),
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut view = View::default();
        for seed in &seeds {
            let format = Structured::detect(seed).expect("builders make valid inputs");
            for _ in 0..2000 {
                let mut data = seed.clone();
                for _ in 0..(next() % 8 + 1) {
                    let at = (next() as usize) % data.len();
                    data[at] = next() as u8;
                }
                if next() % 4 == 0 {
                    data.truncate((next() as usize) % data.len());
                }
                let _ = format.decode(&data, &mut view, Keywords::ANYWHERE);
                for at in 0..view.bytes.len() {
                    assert!(view.source_offset(at) <= data.len() + 2 * view.bytes.len());
                }
            }
        }
    }
}
