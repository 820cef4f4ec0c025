//! `sealant man`: man pages in roff — sealant's own (its commands listed as `sealant-scan(1)`…)
//! and one page per command with every option it takes, printed or written into a directory.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;

use crate::cli::args::Cli;
use crate::cli::output::ignore_broken_pipe;
use crate::error::{Error, Result};

/// The pages: `sealant` first, then `sealant-COMMAND` for every command (not `help`), each
/// with its file name.
fn pages() -> Vec<(String, clap::Command)> {
    let mut root = Cli::command();
    root.build();
    let mut pages = vec![("sealant".to_string(), root.clone())];
    for sub in root
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
    {
        let name = format!("sealant-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("sealant {}", sub.get_name()));
        pages.push((name, page));
    }
    pages
}

fn render(cmd: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(cmd)
        .source(format!("sealant {}", crate::VERSION))
        .manual("sealant manual")
        .render(out)
}

/// Prints sealant's page, or `command`'s; with `dir`, writes every page there.
pub fn run(command: Option<&str>, dir: Option<&Path>) -> Result<i32> {
    let pages = pages();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
        for (name, cmd) in pages {
            let path = dir.join(format!("{name}.1"));
            let mut bytes = Vec::new();
            render(cmd, &mut bytes)
                .and_then(|_| std::fs::write(&path, bytes))
                .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("sealant: wrote {}", path.display());
        }
        return Ok(0);
    }
    let wanted = command.map_or("sealant".to_string(), |c| format!("sealant-{c}"));
    let names: Vec<String> = pages
        .iter()
        .skip(1)
        .map(|(n, _)| n["sealant-".len()..].to_string())
        .collect();
    let Some((_, cmd)) = pages.into_iter().find(|(n, _)| *n == wanted) else {
        return Err(Error::new(format!(
            "no man page for '{}' (commands: {})",
            command.unwrap_or_default(),
            names.join(", ")
        )));
    };
    let mut out = io::stdout().lock();
    let written = render(cmd, &mut out);
    ignore_broken_pipe(written.and_then(|_| out.flush())).map(|_| 0)
}
