//! Where blobs come from: the filesystem walk, standard input, and (later) git and archives.

pub mod archive;
pub mod git;
pub mod history;
pub mod media;
pub mod root;
pub mod shard;
pub mod tar_guard;
pub mod walk;
