//! The `sealant` binary: parse arguments, run, map the result to an exit code.

use clap::Parser;

fn main() {
    let cli = sealant::cli::Cli::parse();
    std::process::exit(sealant::cli::run(cli));
}
