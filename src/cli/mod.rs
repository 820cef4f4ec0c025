//! The command line: `args` is its shape (clap types only); each command has its own file
//! (`scan`, `merge`, `verify`, `rules`, `hook`, `version`), sharing what a command sets up
//! (`setup`, with the project `config`) and how results are written (`output`).

pub mod args;
pub mod config;
pub mod hook;
pub mod man;
pub mod merge;
pub mod output;
pub mod probe;
pub mod rules;
pub mod scan;
pub mod setup;
pub mod verify;
pub mod version;

use std::io::{self, Write};

use clap::CommandFactory;

pub use args::Cli;
use args::Command;
use output::ignore_broken_pipe;
pub use version::version_text;

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Merge(args) => merge::run(args),
        Command::Probe(args) => probe::run(*args),
        Command::Verify(args) => verify::run(args),
        Command::Rules(args) => rules::run(args),
        Command::InstallHook(args) => hook::install(args.force, args.pre_push),
        Command::Version => {
            println!("sealant {}", version_text());
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut cmd, "sealant", &mut out);
            ignore_broken_pipe(out.flush()).map(|_| 0)
        }
        Command::Man { command, dir } => man::run(command.as_deref(), dir.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sealant: error: {e}");
            2
        }
    }
}
