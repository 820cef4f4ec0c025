//! What a format's reader calls back while it reads an archive: the walk that counts entries
//! against the limits, opens a member that is itself an archive, and hands every other member
//! to the scan. Each format (`zip`, `tar`, `compressed`) reads through this, so a new container
//! is one more reader of this kind.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

pub(super) trait Walk {
    /// Counts one more entry of the archive at `path`; `false` once a limit stops the reading.
    fn count_entry(&mut self, path: &str) -> bool;
    /// One member `name` of `outer`: opened as an archive when it is one (and depth allows),
    /// else scanned. `compressed` is its compressed size from its header (0: unknown); with
    /// `stream` (the compressed bytes read so far), the member is the content of a compression
    /// stream (`outer` is `x.tgz`).
    fn member(
        &mut self,
        outer: &str,
        name: &str,
        reader: &mut dyn Read,
        compressed: u64,
        depth: usize,
        stream: Option<Rc<Cell<u64>>>,
    );
    /// A problem with an archive or member; the reading goes on where it can.
    fn warn(&mut self, path: &str, message: String);
    /// The file name of the archive at `path` (what a single compressed file's content is
    /// named after): its last segment — for the top level, the name the scan gave it.
    fn file_name(&self, path: &str) -> String;
}
