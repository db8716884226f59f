//! Fresh databases for tests: a temporary SQLite file always, and a new
//! PostgreSQL schema per call (in the database `RUNCOACH_TEST_POSTGRES_URL`
//! names) when that is set.

use crate::{Db, StoreError, new_id};

/// Which backends to run a test against: SQLite always, PostgreSQL when
/// `RUNCOACH_TEST_POSTGRES_URL` names a server.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("RUNCOACH_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        b.push("postgres");
    }
    b
}

/// A migrated, empty database of the given backend. The SQLite file lives
/// in a temporary directory that is removed when the returned guard drops.
pub async fn fresh(backend: &str) -> Result<(Db, Option<tempfile::TempDir>), StoreError> {
    let db = match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().map_err(|e| StoreError::Setup(e.to_string()))?;
            let db = Db::open_sqlite_dir(dir.path()).await?;
            db.migrate().await?;
            return Ok((db, Some(dir)));
        }
        _ => {
            // A schema per test in the server's database, not a database
            // per test: creating and dropping a schema is cheap (a dropped
            // database forces a checkpoint), and `.ci/run` clears them all
            // in one statement each.
            let url = std::env::var("RUNCOACH_TEST_POSTGRES_URL")
                .map_err(|_| StoreError::Setup("RUNCOACH_TEST_POSTGRES_URL is not set".into()))?;
            let name = format!("runcoach_test_{}", new_id().replace('-', ""));
            let admin = Db::open_postgres(&url).await?;
            if let Db::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
                    .execute(pool)
                    .await?;
            }
            admin.close().await;
            let options = url
                .parse::<sqlx::postgres::PgConnectOptions>()?
                .options([("search_path", name.as_str())]);
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                .connect_with(options)
                .await?;
            Db::Postgres(pool)
        }
    };
    db.migrate().await?;
    Ok((db, None))
}

/// Runs one statement, for tests that set up what no repository writes
/// (rows from long ago); how many rows it touched.
pub async fn execute(db: &Db, sql: &str) -> Result<u64, StoreError> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let n =
        crate::on_db!(db, pool => sqlx::query(sql).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// How many rows a table holds.
pub async fn count(db: &Db, table: &str) -> Result<i64, StoreError> {
    assert!(
        table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "a table name"
    );
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    Ok(crate::on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?)
}

/// Moves every affiliate commission's times back by `ms`, as if that long
/// had passed since the payments (tests of the hold over HTTP, where the
/// server reads the real clock).
pub async fn age_commissions(db: &Db, ms: i64) -> Result<(), StoreError> {
    crate::on_db!(db, pool => sqlx::query(
        "UPDATE affiliate_commissions SET paid_at = paid_at - $1, approve_after = approve_after - $1",
    )
    .bind(ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A second pool of connections to the same database, as another server
/// process would hold: what one pool's dropped work leaves in flight can be
/// ended by closing it ([`Db::close`]) the way a killed process's sockets
/// close, without touching the other pool.
pub async fn another_pool(db: &Db) -> Result<Db, StoreError> {
    Ok(match db {
        Db::Sqlite(pool) => Db::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with((*pool.connect_options()).clone())
                .await?,
        ),
        Db::Postgres(pool) => Db::Postgres(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .connect_with((*pool.connect_options()).clone())
                .await?,
        ),
    })
}
