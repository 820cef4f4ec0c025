//! Git history as a source: which commits a scan covers, which blob each commit introduces at
//! which path (the earliest commit in topological order is the one that introduced it), the
//! commit and annotated-tag messages, and the blobs' bytes — all through the `git` command,
//! streamed, one process per job (`rev-list | diff-tree --stdin`, `log`, `cat-file --batch`):
//! `command` runs git, `revs` picks the commits, `walk` finds what each commit introduces and
//! its message, `order` ranks objects in the store's order to read them in, `catfile` reads
//! the blobs.
//!
//! Replacement refs and grafts are ignored (`GIT_NO_REPLACE_OBJECTS`, `GIT_GRAFT_FILE`): a
//! secret hidden behind a replaced object or a rewired parent is still read, and the
//! replacement is scanned as one more object.

pub mod catfile;
pub mod command;
pub mod order;
pub mod revs;
pub mod walk;
