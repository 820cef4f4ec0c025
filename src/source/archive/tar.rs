//! Tar: members streamed in order; only entries that carry a file's content are read, nothing
//! is followed; metadata records are bounded by `tar_guard`.

use std::io::Read;

use crate::source::archive::detect::Kind;
use crate::source::archive::tar_guard::{self, TarGuard};
use crate::source::archive::walk::{At, Walk};

pub(super) fn read(w: &mut dyn Walk, path: &str, reader: &mut dyn Read, depth: usize) {
    let mut archive = tar::Archive::new(TarGuard::new(reader));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            w.warn(path, format!("cannot read tar: {e}"));
            return;
        }
    };
    for entry in entries {
        if !w.count_entry(path) {
            return;
        }
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                w.warn(path, format!("stopped reading tar: {e}"));
                return;
            }
        };
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == tar_guard::OVERSIZED {
            w.warn(
                &format!("{path}!{name}"),
                format!(
                    "a long-name or PAX record larger than {} bytes; read as a member, not \
                     held in memory as a name",
                    tar_guard::MAX_META
                ),
            );
        }
        // Links, directories and devices carry no content; nothing is followed. What GNU
        // tar extracts as a file is read: regular files, contiguous files (`7`), sparse
        // files (`S`) and vendor types (other capital letters).
        if !carries_content(entry.header().entry_type()) {
            continue;
        }
        w.member(At::new(Kind::Tar, path, &name, depth), &mut entry);
    }
}

/// Whether a tar entry of this type holds a file's content.
fn carries_content(t: tar::EntryType) -> bool {
    use tar::EntryType as T;
    match t {
        T::Regular | T::Continuous | T::GNUSparse => true,
        T::Link | T::Symlink | T::Char | T::Block | T::Directory | T::Fifo => false,
        T::GNULongName | T::GNULongLink | T::XGlobalHeader | T::XHeader => false,
        // Vendor types: GNU tar extracts them as regular files; `D` (GNU dumpdir) and `V`
        // (volume label) hold no file content.
        other => {
            let b = other.as_byte();
            b.is_ascii_uppercase() && !matches!(b, b'D' | b'V' | b'M' | b'N')
        }
    }
}
