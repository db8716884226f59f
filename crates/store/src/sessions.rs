//! Logged-in sessions and personal access tokens. Only hashes of the
//! secrets are stored; the secrets themselves live in the browser cookie or
//! the script that holds the token.

use sqlx::FromRow;

use crate::users::{COLUMNS, User, UserRow};
use crate::{Db, StoreError, new_id, now_ms, on_db};

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    csrf_token: &str,
    ttl_ms: i64,
) -> Result<(), StoreError> {
    let now = now_ms();
    on_db!(db, pool => sqlx::query(
        "INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(now + ttl_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

#[derive(FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
}

/// The user behind an unexpired session, with the session's CSRF token:
/// one query, since every signed-in request asks it.
pub async fn session_user(db: &Db, token_hash: &str) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!(
        "SELECT {}, s.csrf_token FROM auth_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
        prefixed("u")
    );
    let row = on_db!(db, pool => sqlx::query_as::<_, SessionUserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(pool)
        .await)?;
    row.map(|r| r.user.split().map(|(u, _)| (u, r.csrf_token)))
        .transpose()
}

/// The user columns with a table alias, for joins.
fn prefixed(alias: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Ends every other session of a user (after a password change).
pub async fn delete_other_sessions(
    db: &Db,
    user_id: &str,
    keep_hash: &str,
) -> Result<u64, StoreError> {
    let done = on_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

pub async fn create_token(
    db: &Db,
    user_id: &str,
    name: &str,
    token_hash: &str,
) -> Result<String, StoreError> {
    let id = new_id();
    on_db!(db, pool => sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(id)
}

pub async fn token_user(db: &Db, token_hash: &str) -> Result<Option<User>, StoreError> {
    let sql = format!(
        "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        prefixed("u")
    );
    let row = on_db!(db, pool => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
    row.map(|r| r.split().map(|(u, _)| u)).transpose()
}
