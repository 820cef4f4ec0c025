//! Where blobs come from, and how they are named: the parallel filesystem walk (`walk`, with
//! `media` for what is skipped), scan roots and canonical paths (`root`), the deterministic
//! parts of a sharded scan (`shard`), the git index and tracked files (`git`), git history
//! (`history`: commits, what each introduces, messages, blobs by id) and archives opened
//! recursively (`archive`). Hands on readers and `root::BlobName`s; knows nothing of rules.

pub mod archive;
pub mod git;
pub mod history;
pub mod media;
pub mod root;
pub mod shard;
pub mod walk;
pub mod web;
