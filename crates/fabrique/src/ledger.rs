//! `fabrique ledger import|export`: moves books in and out of an organisation from the
//! command line, as an operator (no account needed: whoever runs the binary holds the
//! database). Imports show a progress bar on standard error.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use fabrique_app::orgs;
use fabrique_app::treasury::{bank, ledger};

use crate::{DbArgs, app_for, describe};

/// `fabrique ledger …`.
#[derive(clap::Subcommand)]
pub enum LedgerCommand {
    /// Import a FEC (all its entries) or a bank statement (OFX, QIF, CAMT.053, CSV with the
    /// account's saved mapping), the format detected from the content. All or nothing;
    /// importing the same file again creates nothing.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The organisation's address (slug).
        #[arg(long)]
        org: String,
        /// For a statement: the bank account (ledger number, e.g. 5121); default the first.
        #[arg(long)]
        bank_account: Option<String>,
        /// The file.
        file: PathBuf,
    },
    /// Export a year as FEC, hledger journal or CSV.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The organisation's address (slug).
        #[arg(long)]
        org: String,
        /// The (calendar) fiscal year.
        #[arg(long)]
        year: i16,
        /// `fec`, `hledger` or `csv`.
        #[arg(long, default_value = "fec")]
        format: String,
        /// Where to write (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Runs a ledger command.
pub async fn run(command: LedgerCommand) -> anyhow::Result<()> {
    match command {
        LedgerCommand::Import {
            db,
            org,
            bank_account,
            file,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let app = app_for(
                db.open().await?,
                String::new(),
                fabrique_app::Mailer::log_only(),
            );
            let org = orgs::by_slug(&app, &org).await.map_err(describe)?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message("importing");
            let mut progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let outcome = bank::import_org(
                &app,
                None,
                &org.id,
                &bytes,
                bank_account.as_deref(),
                &mut progress,
            )
            .await
            .map_err(describe)?;
            bar.finish_and_clear();
            println!(
                "{}: {} created, {} already there, {} refused",
                outcome.format, outcome.created, outcome.duplicate, outcome.rejected
            );
            Ok(())
        }
        LedgerCommand::Export {
            db,
            org,
            year,
            format,
            output,
        } => {
            let app = app_for(
                db.open().await?,
                String::new(),
                fabrique_app::Mailer::log_only(),
            );
            let org = orgs::by_slug(&app, &org).await.map_err(describe)?;
            let file = ledger::export_org(&app, &org, year, &format)
                .await
                .map_err(describe)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &file.bytes)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("{} written ({})", path.display(), file.file_name);
                }
                None => std::io::stdout()
                    .write_all(&file.bytes)
                    .context("writing to standard output")?,
            }
            Ok(())
        }
    }
}
