//! The parallel filesystem walk: hands every regular file under the given roots to a per-thread
//! visitor as it is found (no file list is built first).
//!
//! Like ripgrep: `.gitignore`, `.ignore`, `.sealantignore` and git's exclude files are honoured
//! unless `no_ignore` (git's alone unless `no_ignore_vcs`); `-g` globs include or exclude;
//! hidden files are scanned unless `skip_hidden` (`.env`, `.npmrc` are where secrets live);
//! `.git/` is skipped; symbolic links are not followed unless `follow`. Roots named on the
//! command line are always scanned, ignored or not. FIFOs, sockets and devices are never opened.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use ignore::{WalkBuilder, WalkState};

use crate::diagnostics::{Skip, Stats};
use crate::source::media;
use crate::source::root::{BlobName, Root};
use crate::source::shard::{self, Shard};

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Scan files that `.gitignore` and friends exclude.
    pub no_ignore: bool,
    /// Scan files that git's ignore rules exclude (other ignore files still apply).
    pub no_ignore_vcs: bool,
    /// Skip hidden files and directories.
    pub skip_hidden: bool,
    /// ripgrep-style `-g` globs (`!` excludes), relative to the current directory.
    pub globs: Vec<String>,
    /// Follow symbolic links (loops are detected and reported).
    pub follow: bool,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// A sharded scan's part: skipped entries are counted only by the part that owns them, so
    /// that the parts' counts add up to one scan's.
    pub shard: Option<Shard>,
}

/// A file the walk hands to the visitor.
#[derive(Debug)]
pub struct WalkedFile<'a> {
    pub path: &'a Path,
    /// The path as reports show it, and as decisions see it.
    pub name: BlobName,
    /// Named on the command line rather than found in a directory.
    pub explicit: bool,
}

/// Walks `roots` on `opts.threads` threads. `make_visitor` is called once per thread; the
/// visitor it returns is called for each file that thread finds. Walk errors and skipped
/// entries go to `stats`.
pub fn walk<F, V>(
    roots: &[Root],
    opts: &WalkOptions,
    stats: &Stats,
    make_visitor: F,
) -> crate::error::Result<()>
where
    F: Fn() -> V + Sync,
    V: FnMut(WalkedFile<'_>) + Send,
{
    let Some((first, rest)) = roots.split_first() else {
        return Ok(());
    };
    let mut builder = WalkBuilder::new(&first.given);
    for root in rest {
        builder.add(&root.given);
    }
    if !opts.no_ignore {
        builder.add_custom_ignore_filename(".sealantignore");
    }
    if !opts.globs.is_empty() {
        builder.overrides(overrides(&opts.globs)?);
    }
    builder
        .standard_filters(!opts.no_ignore)
        .git_ignore(!opts.no_ignore && !opts.no_ignore_vcs)
        .git_global(!opts.no_ignore && !opts.no_ignore_vcs)
        .git_exclude(!opts.no_ignore && !opts.no_ignore_vcs)
        .hidden(opts.skip_hidden)
        .follow_links(opts.follow)
        .threads(opts.threads.max(1))
        .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let (path, message) = describe(&err, roots);
                    stats.warn(path, message);
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let name = || root_of(roots, path).name(path);
            let shown = || name().shown.to_string();
            let skip = |why: Skip| {
                if shard::takes(opts.shard, &name().canonical) {
                    stats.skip(why);
                }
            };
            if entry.depth() == 0 {
                // A root: follow it if it is a link, scan it whatever its name.
                match std::fs::metadata(path) {
                    Ok(md) if md.is_file() => visit(WalkedFile {
                        path,
                        name: name(),
                        explicit: true,
                    }),
                    Ok(md) if md.is_dir() => {}
                    Ok(_) => {
                        skip(Skip::Special);
                        stats.warn(
                            shown(),
                            "not a regular file (FIFO, socket or device); not read. \
                             To scan a stream, pipe it to `sealant scan -`",
                        );
                    }
                    Err(e) => stats.warn(shown(), e.to_string()),
                }
                return WalkState::Continue;
            }
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if ft.is_dir() {
                return WalkState::Continue;
            }
            if entry.path_is_symlink() && !opts.follow {
                skip(Skip::Symlink);
                return WalkState::Continue;
            }
            if !ft.is_file() {
                skip(Skip::Special);
                return WalkState::Continue;
            }
            if media::has_media_extension(path) {
                skip(Skip::Media);
                return WalkState::Continue;
            }
            visit(WalkedFile {
                path,
                name: name(),
                explicit: false,
            });
            WalkState::Continue
        })
    });
    Ok(())
}

/// The `-g` globs as the walk's overrides, matched like ripgrep's: relative to the current
/// directory, `!` excluding, the last match winning.
fn overrides(globs: &[String]) -> crate::error::Result<ignore::overrides::Override> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut b = ignore::overrides::OverrideBuilder::new(cwd);
    for g in globs {
        b.add(g)
            .map_err(|e| crate::error::Error::new(format!("invalid --glob {g:?}: {e}")))?;
    }
    b.build()
        .map_err(|e| crate::error::Error::new(format!("invalid --glob: {e}")))
}

/// Opens `path` for reading without ever blocking: a FIFO swapped in after the walk saw a
/// regular file is refused rather than waited on. Also returns its size when opened.
pub fn open_regular(path: &Path) -> io::Result<(File, u64)> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok((file, meta.len()))
}

/// The root `path` was found under: the longest root it starts with.
fn root_of<'r>(roots: &'r [Root], path: &Path) -> &'r Root {
    if let [only] = roots {
        return only;
    }
    roots
        .iter()
        .filter(|r| crate::source::root::is_under(path, &r.given))
        .max_by_key(|r| r.given.as_os_str().len())
        .unwrap_or(&roots[0])
}

/// The path as the user should see it: as given on the command line, without the `./` that
/// the implicit root adds.
fn display_path(path: &Path, roots: &[Root]) -> String {
    root_of(roots, path).name(path).shown.to_string()
}

/// Splits a walk error into the path it concerns and a message for the user.
fn describe(err: &ignore::Error, roots: &[Root]) -> (String, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            (display_path(path, roots), describe(err, roots).1)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err, roots)
        }
        ignore::Error::Loop { ancestor, child } => (
            display_path(child, roots),
            format!(
                "symbolic link loop (points to its ancestor {}); not followed",
                ancestor.display()
            ),
        ),
        other => (String::new(), other.to_string()),
    }
}
