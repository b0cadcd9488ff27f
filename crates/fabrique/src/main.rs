//! The `fabrique` binary: one executable with subcommands. Every option can also come
//! from an environment variable (`FABRIQUE_…`) or from a TOML file given by `--config`
//! (or `FABRIQUE_CONFIG`); the command line wins over the environment, which wins over
//! the file.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use fabrique_app::{App, Config, Db, Mailer, accounts, demo};
use fabrique_core::{DisplayName, Email, Password, SystemClock};

mod documents;
mod ledger;
mod tally;

/// Fabrique — the commons factory: shared knowledge, decisions and honest accounts for
/// associations and cooperatives.
#[derive(Parser)]
#[command(name = "fabrique", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web site and the JSON API.
    Serve(ServeArgs),
    /// Apply pending database migrations (serve also does).
    Migrate(DbArgs),
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup(BackupArgs),
    /// Count an election described in JSON and print the result as JSON.
    Tally(tally::TallyArgs),
    /// Import and export the books of an organisation.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Export an organisation's documents, with every revision, to a git repository.
    Export(documents::ExportArgs),
    /// Import Markdown files or a MediaWiki XML export into an organisation (all or nothing).
    Import(documents::ImportArgs),
    /// For `bench/ballots.sh` only: create an organisation with N voters, a session each, and
    /// an open secret motion; print what the load client needs as JSON.
    #[command(hide = true)]
    BenchSeed(BenchSeedArgs),
}

#[derive(Args)]
struct BenchSeedArgs {
    #[command(flatten)]
    db: DbArgs,
    /// How many voters.
    #[arg(long, default_value_t = 10_000)]
    voters: usize,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database URL: `sqlite://PATH` (default `sqlite://fabrique-data/fabrique.db`) or
    /// `postgres://user@host/db`.
    #[arg(long = "database", env = "FABRIQUE_DATABASE_URL")]
    database: Option<String>,
    /// A TOML file with any of: database_url, listen, base_url, smtp_url, smtp_from.
    #[arg(long, env = "FABRIQUE_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "FABRIQUE_LISTEN")]
    listen: Option<String>,
    /// The public address of the site, used in e-mailed links (default http://LISTEN).
    /// Cookies get the Secure flag when it starts with https://.
    #[arg(long, env = "FABRIQUE_BASE_URL")]
    base_url: Option<String>,
    /// SMTP server for e-mail, e.g. `smtps://user:pass@smtp.example.org:465`; without it,
    /// e-mails are written to the log.
    #[arg(long, env = "FABRIQUE_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of e-mails, e.g. `Fabrique <noreply@example.org>`.
    #[arg(long, env = "FABRIQUE_SMTP_FROM")]
    smtp_from: Option<String>,
    /// Load the demo data set if the database is empty.
    #[arg(long, env = "FABRIQUE_DEMO")]
    demo: bool,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account; the password is read from standard input.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Make this account an instance administrator.
        #[arg(long)]
        instance_admin: bool,
    },
    /// Print a new API token for an existing account.
    CreateToken {
        #[command(flatten)]
        db: DbArgs,
        /// E-mail address of the account.
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

#[derive(Args)]
struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The file to write (must not exist).
    #[arg(long)]
    to: PathBuf,
}

/// Settings read from the optional TOML file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    base_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
}

impl DbArgs {
    fn file(&self) -> anyhow::Result<FileConfig> {
        match &self.config {
            None => Ok(FileConfig::default()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("reading {}", path.display()))
            }
        }
    }

    fn url(&self, file: &FileConfig) -> String {
        self.database
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| fabrique_app::db::DEFAULT_DATABASE_URL.to_owned())
    }

    async fn open(&self) -> anyhow::Result<Db> {
        let db = Db::connect(&self.url(&self.file()?)).await?;
        db.migrate().await?;
        Ok(db)
    }
}

fn app_for(db: Db, base_url: String, mailer: Mailer) -> App {
    App::new(db, Arc::new(SystemClock), mailer, Config { base_url })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Tally(args) = cli.command {
        return tally::run(args);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FABRIQUE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(db) => {
            db.open().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateUser {
            db,
            email,
            name,
            instance_admin,
        }) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let email = Email::parse(&email)?;
            let name = DisplayName::parse("name", &name)?;
            let password = Password::parse("password", password)?;
            let app = app_for(db.open().await?, String::new(), Mailer::log_only());
            let user = accounts::create_user(&app, &email, &name, &password, instance_admin)
                .await
                .map_err(describe)?;
            println!("created {} ({})", user.email, user.id);
            Ok(())
        }
        Command::Admin(AdminCommand::CreateToken { db, email, name }) => {
            let app = app_for(db.open().await?, String::new(), Mailer::log_only());
            let user = accounts::user_by_email(&app, &email)
                .await
                .map_err(describe)?
                .with_context(|| format!("no account has the address {email}"))?;
            let (_, secret) = accounts::create_api_token(&app, &accounts::actor_of(&user), &name)
                .await
                .map_err(describe)?;
            println!("{secret}");
            Ok(())
        }
        Command::Backup(args) => {
            let db = args.db.open().await?;
            db.backup_to(&args.to).await?;
            println!("backup written to {}", args.to.display());
            Ok(())
        }
        Command::Tally(_) => unreachable!("handled before the runtime starts"),
        Command::Ledger(command) => ledger::run(command).await,
        Command::Export(args) => documents::export(args).await,
        Command::Import(args) => documents::import_cmd(args).await,
        Command::BenchSeed(args) => {
            let app = app_for(args.db.open().await?, String::new(), Mailer::log_only());
            let seed = fabrique_app::governance::loadtest::seed_voters(&app, args.voters)
                .await
                .map_err(describe)?;
            println!("{}", serde_json::to_string(&seed)?);
            Ok(())
        }
    }
}

fn describe(e: fabrique_app::AppError) -> anyhow::Error {
    match e {
        fabrique_app::AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let file = args.db.file()?;
    let listen = args
        .listen
        .or(file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("“{listen}” is not an address like 127.0.0.1:8080"))?;
    let base_url = args
        .base_url
        .or(file.base_url.clone())
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    let mailer = match args.smtp_url.or(file.smtp_url.clone()) {
        Some(url) => Mailer::smtp(&fabrique_app::mail::SmtpConfig {
            url,
            from: args
                .smtp_from
                .or(file.smtp_from.clone())
                .unwrap_or_else(|| "Fabrique <noreply@localhost>".into()),
        })?,
        None => Mailer::log_only(),
    };
    let url = args.db.url(&file);
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let app = app_for(db, base_url.clone(), mailer);
    if args.demo && demo::is_empty(&app).await.map_err(describe)? {
        tracing::info!("loading the demo data set");
        demo::load(&app).await.map_err(describe)?;
    }
    tokio::spawn(housekeeping(app.clone()));
    tokio::spawn(warm_search(app.clone()));
    tokio::spawn(fabrique_app::governance::run_ticks(app.clone()));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    tracing::info!(%addr, %base_url, database = %redact(&url), "Fabrique is serving");
    axum::serve(
        listener,
        fabrique_web::router(app.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("serving")?;
    app.db.close().await;
    Ok(())
}

/// Builds the search index in the background while the server starts answering, so that
/// the first search does not pay for it; later writes, by this process or others, reach
/// it through the change feed as before.
async fn warm_search(app: App) {
    if let Err(e) = fabrique_app::documents::search::warm(&app).await {
        tracing::warn!(error = %e, "building the search index failed; the first search will retry");
    }
}

/// Removes expired sessions and stale counters, and trims the search feed, every hour.
async fn housekeeping(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = accounts::purge_expired(&app).await {
            tracing::warn!(error = %e, "housekeeping failed");
        }
        match fabrique_app::documents::search::prune_log(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "search feed trimmed"),
            Err(e) => tracing::warn!(error = %e, "trimming the search feed failed"),
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
