//! The `fabrique` binary: one executable with subcommands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod tally;

/// Fabrique — the commons factory.
#[derive(Parser)]
#[command(name = "fabrique", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Count an election described in JSON and print the result as JSON.
    Tally(tally::TallyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Tally(args) => tally::run(args),
    }
}
