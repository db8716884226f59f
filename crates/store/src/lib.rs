//! runcoach's persistence: one [`Db`] over SQLite (the default, embedded)
//! or PostgreSQL, portable migrations, and repositories that keep SQL out
//! of the web layer.
//!
//! Every query is written once and run on whichever pool the `Db` holds
//! (the `on_db!` macro type-checks it against both). Parameters are `$1`,
//! `$2`, … in order of first use, which both backends read the same way.

pub mod activities;
pub mod affiliates;
pub mod coaching;
pub mod comments;
pub mod edits;
mod error;
pub mod feeds;
pub mod jobs;
pub mod limits;
pub mod logs;
pub mod mail;
pub mod marks;
pub mod plans;
pub mod roster;
pub mod sessions;
pub mod shop;
pub mod slots;
pub mod templates;
pub mod test_support;
pub mod users;

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use error::StoreError;

/// Runs the same query code on whichever pool a [`Db`] holds.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// `$first, $first+1, …` for `n` values bound into an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the same query code on whichever transaction a [`Tx`] holds; the
/// body sees `$conn` as a `&mut` connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// One unit of work: repositories that take `&mut Tx` share it, and
/// nothing is visible to others until [`Tx::commit`]. Dropped without a
/// commit, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database: an embedded SQLite file or a PostgreSQL server.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens (creating if needed) `runcoach.db` in `dir`: WAL, a busy
    /// timeout so concurrent writers wait instead of failing, foreign keys.
    pub async fn open_sqlite_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Setup(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        Self::open_sqlite_file(&dir.join("runcoach.db")).await
    }

    pub async fn open_sqlite_file(file: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// `postgres://…` opens PostgreSQL, `sqlite://path` a SQLite file.
    pub async fn open_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Self::open_sqlite_file(Path::new(path)).await
        } else {
            Err(StoreError::Setup(format!(
                "unsupported DATABASE_URL scheme in '{}': use postgres://… or sqlite://…",
                redact(url)
            )))
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        on_db!(self, pool => MIGRATOR.run(pool).await)?;
        Ok(())
    }

    /// Starts a transaction for a use-case that writes. On SQLite it takes
    /// the write lock at once (`BEGIN IMMEDIATE`): a transaction that read
    /// first and wrote later could otherwise fail with "database is locked"
    /// instead of waiting its turn under the busy timeout.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// A consistent online copy of a SQLite database (`VACUUM INTO`).
    pub async fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => {
                if target.exists() {
                    return Err(StoreError::Setup(format!(
                        "{} already exists; choose a new file",
                        target.display()
                    )));
                }
                sqlx::query("VACUUM INTO $1")
                    .bind(target.to_string_lossy().into_owned())
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Setup(
                "backup copies the embedded SQLite database; for PostgreSQL use pg_dump".into(),
            )),
        }
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A new time-ordered id (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
