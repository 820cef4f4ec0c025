//! Formats whose text can only be read by parsing the whole blob (DEX, Android binary XML and
//! resource tables, binary plists, Hermes bytecode, Java classes, SQLite, Python bytecode):
//! recognised by their first bytes, decoded into a [`View`].

use crate::decode::view::{Keywords, View};
use crate::decode::{axml, class, dex, hermes, marshal, plist, sqlite};

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
    use crate::decode::build;

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
