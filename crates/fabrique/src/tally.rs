//! `fabrique tally` (placeholder until the counting engine lands).

use std::process::ExitCode;

/// Arguments of `fabrique tally`.
#[derive(clap::Args)]
pub struct TallyArgs {}

/// Runs `fabrique tally`.
pub fn run(_args: TallyArgs) -> ExitCode {
    ExitCode::from(2)
}
