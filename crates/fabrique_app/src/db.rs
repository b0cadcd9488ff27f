//! The database: SQLite (embedded, the default) or PostgreSQL, behind sqlx's `Any` driver
//! so that one set of portable SQL serves both.
//!
//! Portability rules for every query in this crate: `$1` placeholders (batched inserts use
//! anonymous `?` on SQLite, see `treasury::ledger::insert_batch`); BIGINT for integers,
//! times (milliseconds, UTC) and booleans (0/1); TEXT ids; `CAST(SUM(x) AS BIGINT)` for sums.
//!
//! SQLite allows one writer at a time; to avoid `SQLITE_BUSY` on lock upgrades, writes go
//! through a pool of exactly one connection, and reads through a wider pool (WAL lets them
//! run beside the writer). On PostgreSQL both pools are the same pool.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Connection pools to the database.
#[derive(Clone, Debug)]
pub struct Db {
    /// For queries that only read.
    pub read: AnyPool,
    /// For anything that writes (a single connection on SQLite).
    pub write: AnyPool,
    /// The engine behind the pools.
    pub backend: Backend,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The default database URL: an SQLite file under `./fabrique-data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://fabrique-data/fabrique.db";

impl Db {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`), creating the SQLite file and
    /// its folder when missing. Does not migrate.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        if let Some(path) = sqlite_path(url) {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the database folder {}", dir.display()))?;
            }
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            let options = AnyConnectOptions::from_str(&url).context("parsing the SQLite URL")?;
            let write = sqlite_pool(1)
                .connect_with(options.clone())
                .await
                .with_context(|| format!("opening {path}"))?;
            let read = sqlite_pool(8)
                .connect_with(options)
                .await
                .with_context(|| format!("opening {path}"))?;
            Ok(Db {
                read,
                write,
                backend: Backend::Sqlite,
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Db {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
            })
        } else {
            anyhow::bail!("unsupported database URL “{url}”: use sqlite://PATH or postgres://…")
        }
    }

    /// Applies pending migrations; safe to run from several processes at once.
    ///
    /// PostgreSQL serialises concurrent runs with an advisory lock (sqlx does it); SQLite has
    /// none, so two processes starting on one new file would both create the same tables:
    /// there, an exclusive lock on a file beside the database is held while migrating.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let _guard = match self.backend {
            Backend::Sqlite => self.sqlite_migration_lock().await?,
            Backend::Postgres => None,
        };
        MIGRATOR
            .run(&self.write)
            .await
            .context("applying migrations")?;
        Ok(())
    }

    /// Takes the exclusive lock on `<database file>.migrate-lock` (none for `:memory:`).
    async fn sqlite_migration_lock(&self) -> anyhow::Result<Option<std::fs::File>> {
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&self.write)
                .await
                .context("reading the database file name")?;
        if file.is_empty() {
            return Ok(None);
        }
        let path = format!("{file}.migrate-lock");
        let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            f.lock()?;
            Ok(f)
        })
        .await
        .context("waiting for the migration lock")?
        .context("locking the database for migrations")?;
        Ok(Some(lock))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// The file path of an SQLite URL, or `None` for another scheme.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // An embedded file does not go away like a server: checking each connection with
        // a ping before handing it out would double the trips to SQLite's worker thread
        // (and its two thread switches) for every query.
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                )
                .await?;
                Ok(())
            })
        })
}

impl Db {
    /// Writes a consistent copy of an SQLite database to `path` while the server keeps
    /// running (`VACUUM INTO`). PostgreSQL has its own tool: `pg_dump`.
    pub async fn backup_to(&self, path: &Path) -> anyhow::Result<()> {
        if self.backend != Backend::Sqlite {
            anyhow::bail!(
                "on PostgreSQL, back up with pg_dump (for example: pg_dump --format=custom --file=fabrique.dump \"$DATABASE_URL\")"
            );
        }
        if path.exists() {
            anyhow::bail!("{} already exists; choose a new file name", path.display());
        }
        let target = path
            .to_str()
            .context("the backup path is not valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.write)
            .await
            .context("copying the database")?;
        Ok(())
    }
}
