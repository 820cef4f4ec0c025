//! Decoded views: text a format hides from a byte scan — strings stored length-prefixed or
//! packed end to end (DEX, Hermes bytecode, Java class files, SQLite records, Python marshal,
//! Android binary XML and resource tables, binary plists), JSON string escapes in source maps,
//! UTF-16 and length-prefixed runs in other binaries. A `view::View` holds the decoded bytes and
//! maps each offset back to the blob, so findings point at the right line of the original
//! file; `structured` recognises the formats parsed whole and dispatches to their decoders.

pub mod axml;
pub mod base64;
pub mod build;
pub mod class;
pub mod context;
pub mod decoded;
pub mod dex;
pub mod encoded;
pub mod escape;
pub mod hermes;
pub mod hex;
pub mod json_string;
pub mod jwt;
pub mod length_prefix;
pub mod marshal;
pub mod plist;
pub mod sas;
pub mod sqlite;
pub mod structured;
pub mod utf16;
pub mod view;
