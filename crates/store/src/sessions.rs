//! Logged-in sessions and personal access tokens. Only hashes of the
//! secrets are stored; the secrets themselves live in the browser cookie or
//! the script that holds the token.

use sqlx::FromRow;

use crate::users::{User, UserRow, select_columns};
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
    select_columns(alias)
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

/// A token's `last_used_at` is precise to this much, so a busy script
/// costs one write a minute rather than one per request.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// A personal access token as its owner sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, FromRow)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// A new token of `user_id`'s, expiring `ttl_ms` after its creation if
/// given.
pub async fn create_token(
    db: &Db,
    user_id: &str,
    name: &str,
    token_hash: &str,
    ttl_ms: Option<i64>,
) -> Result<ApiToken, StoreError> {
    let created_at = now_ms();
    let expires_at = ttl_ms.map(|ttl| created_at.saturating_add(ttl));
    let token = ApiToken {
        id: new_id(),
        name: name.to_owned(),
        created_at,
        last_used_at: None,
        expires_at,
    };
    on_db!(db, pool => sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&token.id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(token.created_at)
    .bind(expires_at)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(token)
}

#[derive(FromRow)]
struct TokenUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    token_id: String,
    last_used_at: Option<i64>,
}

/// The user behind an unexpired token, with the token's id; notes the use.
pub async fn token_user(db: &Db, token_hash: &str) -> Result<Option<(User, String)>, StoreError> {
    let now = now_ms();
    let sql = format!(
        "SELECT {}, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)",
        prefixed("u")
    );
    let row = on_db!(db, pool => sqlx::query_as::<_, TokenUserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    if row
        .last_used_at
        .is_none_or(|t| t < now - LAST_USED_GRANULARITY_MS)
    {
        on_db!(db, pool => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&row.token_id)
            .execute(pool)
            .await
            .map(|_| ()))?;
    }
    let (user, _) = row.user.split()?;
    Ok(Some((user, row.token_id)))
}

/// A user's tokens, newest first.
pub async fn list_tokens(db: &Db, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, ApiToken>(
        "SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Revokes one of this user's tokens; `false` when they have no such token.
pub async fn delete_token(db: &Db, user_id: &str, token_id: &str) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(token_id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Revokes every token of a user (after a password change).
pub async fn delete_tokens(db: &Db, user_id: &str) -> Result<u64, StoreError> {
    let done = on_db!(db, pool => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Deletes expired sessions and tokens; how many rows went.
pub async fn purge_expired(db: &Db) -> Result<u64, StoreError> {
    let now = now_ms();
    let sessions = on_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    let tokens = on_db!(db, pool => sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(sessions + tokens)
}
