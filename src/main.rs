//! The `sealant` binary: parse arguments, run, map the result to an exit code.

use clap::Parser;
use clap::error::ErrorKind;

fn main() {
    let cli = match sealant::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `--version` says what `sealant version` says: the rule catalog too (worked out only
        // when asked: it parses the built-in rules).
        Err(e) if e.kind() == ErrorKind::DisplayVersion => {
            println!("sealant {}", sealant::cli::version_text());
            std::process::exit(0);
        }
        Err(e) => e.exit(),
    };
    std::process::exit(sealant::cli::run(cli));
}
