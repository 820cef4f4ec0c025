//! What a format's reader calls back while it reads an archive: the walk that counts entries
//! against the limits, opens a member that is itself an archive, and hands every other member
//! to the scan. Each format (`zip`, `tar`, `compressed`) reads through this, so a new container
//! is one more reader of this kind.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use crate::source::archive::detect::Kind;

/// Where a member sits.
pub(super) struct At<'a> {
    /// The kind of archive it is a member of.
    pub container: Kind,
    /// The archive's path (`a.zip!b.tar`).
    pub outer: &'a str,
    /// The member's name in it.
    pub name: &'a str,
    /// How deep the archive is nested (the top level is 1).
    pub depth: usize,
    /// The member's compressed size from its header (0: unknown).
    pub compressed: u64,
    /// For the content of a compression stream (`outer` is `x.tgz`): the compressed bytes read
    /// so far, for the inflate-ratio limit.
    pub stream: Option<Rc<Cell<u64>>>,
}

impl<'a> At<'a> {
    /// A member of `container` at `outer`, named `name`, nested `depth` deep.
    pub fn new(container: Kind, outer: &'a str, name: &'a str, depth: usize) -> Self {
        At {
            container,
            outer,
            name,
            depth,
            compressed: 0,
            stream: None,
        }
    }

    /// With its compressed size.
    pub fn compressed(mut self, size: u64) -> Self {
        self.compressed = size;
        self
    }
}

pub(super) trait Walk {
    /// Counts one more entry of the archive at `path`; `false` once a limit stops the reading.
    fn count_entry(&mut self, path: &str) -> bool;
    /// One member of an archive: opened as an archive when it is one (and depth allows), else
    /// scanned.
    fn member(&mut self, at: At<'_>, reader: &mut dyn Read);
    /// A problem with an archive or member; the reading goes on where it can.
    fn warn(&mut self, path: &str, message: String);
    /// The file name of the archive at `path` (what a single compressed file's content is
    /// named after): its last segment — for the top level, the name the scan gave it.
    fn file_name(&self, path: &str) -> String;
    /// Bytes the next member may inflate to (the member limit, and what is left of the
    /// archive's).
    fn member_budget(&self) -> u64;
    /// Entries the archive may still have before the entry limit stops it.
    fn entries_left(&self) -> u64;
    /// Reads a stream of a known kind at `path` itself (not as a member of its own): a
    /// package's compressed payload whose files are the package's members.
    fn stream(&mut self, path: &str, kind: Kind, reader: &mut dyn Read, depth: usize);
}
