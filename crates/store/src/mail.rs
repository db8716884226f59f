//! Links sent by e-mail (single-use, expiring, stored as hashes) and the
//! outbox of messages waiting for the SMTP server.

use sqlx::FromRow;

use crate::{Db, StoreError, Tx, new_id, now_ms, on_db, on_tx};

/// What a link sent by e-mail does when followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Finishes a sign-up: makes the account the link carries.
    Signup,
    /// Proves an existing account's address.
    Verify,
    /// Lets the owner set a new password.
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Signup => "signup",
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "signup" => Ok(Purpose::Signup),
            "verify" => Ok(Purpose::Verify),
            "reset" => Ok(Purpose::Reset),
            other => Err(StoreError::Corrupt(format!(
                "unknown link purpose '{other}'"
            ))),
        }
    }
}

/// A link's row as its use needs it (never the secret: only its hash is
/// stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailToken {
    pub purpose: Purpose,
    pub email: String,
    /// The account the link is for; `None` for a sign-up (no account yet).
    pub user_id: Option<String>,
    /// A sign-up's pending account (JSON); empty otherwise.
    pub payload: String,
}

#[derive(FromRow)]
struct TokenRow {
    purpose: String,
    email: String,
    user_id: Option<String>,
    payload: String,
}

impl TokenRow {
    fn into_token(self) -> Result<EmailToken, StoreError> {
        Ok(EmailToken {
            purpose: Purpose::parse(&self.purpose)?,
            email: self.email,
            user_id: self.user_id,
            payload: self.payload,
        })
    }
}

/// Stores a new link's hash, valid for `ttl_ms`.
pub async fn create_token(
    tx: &mut Tx,
    token_hash: &str,
    token: &EmailToken,
    ttl_ms: i64,
) -> Result<(), StoreError> {
    let now = now_ms();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO email_tokens (token_hash, purpose, email, user_id, payload, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash)
    .bind(token.purpose.as_str())
    .bind(&token.email)
    .bind(&token.user_id)
    .bind(&token.payload)
    .bind(now)
    .bind(now.saturating_add(ttl_ms))
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(())
}

/// The unused, unexpired link with this hash, without using it (to check
/// a new password against the account before the link is spent).
pub async fn peek_token(db: &Db, token_hash: &str) -> Result<Option<EmailToken>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, TokenRow>(
        "SELECT purpose, email, user_id, payload FROM email_tokens \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(pool)
    .await)?;
    row.map(TokenRow::into_token).transpose()
}

/// Uses the link once: a conditional update that only an unused,
/// unexpired link of `purpose` or `or_purpose` passes. Of concurrent uses
/// exactly one gets the row back; the others get `None`.
pub async fn consume_token(
    tx: &mut Tx,
    token_hash: &str,
    purpose: Purpose,
    or_purpose: Purpose,
) -> Result<Option<EmailToken>, StoreError> {
    let now = now_ms();
    let row = on_tx!(tx, conn => sqlx::query_as::<_, TokenRow>(
        "UPDATE email_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
           AND (purpose = $3 OR purpose = $4) \
         RETURNING purpose, email, user_id, payload",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(or_purpose.as_str())
    .fetch_optional(conn)
    .await)?;
    row.map(TokenRow::into_token).transpose()
}

/// Deletes links past their expiry (used or not).
pub async fn purge_expired_tokens(db: &Db, now: i64) -> Result<u64, StoreError> {
    let done = on_db!(db, pool => sqlx::query("DELETE FROM email_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Outgoing {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Queues a message in the caller's unit of work: it is sent only if the
/// work commits.
pub async fn enqueue(
    tx: &mut Tx,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<String, StoreError> {
    let id = new_id();
    let now = now_ms();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO outbox (id, recipient, subject, body, created_at, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $5)",
    )
    .bind(&id)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(id)
}

/// Messages due for a (first or next) attempt, oldest first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, Outgoing>(
        "SELECT id, recipient, subject, body, attempts FROM outbox \
         WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Claims a due message for one attempt: moves its next attempt to
/// `lease_until` and counts the attempt, only if it is still due and no
/// other sender took it (`attempts` unchanged since it was read). `true`:
/// this sender owns the attempt.
pub async fn claim(db: &Db, m: &Outgoing, now: i64, lease_until: i64) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
         WHERE id = $2 AND attempts = $3 AND next_attempt_at <= $4",
    )
    .bind(lease_until)
    .bind(&m.id)
    .bind(m.attempts)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// The SMTP server took the message (or it was given up on): the row,
/// and the link in its body, go.
pub async fn delete(db: &Db, id: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("DELETE FROM outbox WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The attempt failed: try again at `at`.
pub async fn retry_at(db: &Db, id: &str, at: i64) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// How many messages wait (for operators and tests).
pub async fn pending(db: &Db) -> Result<i64, StoreError> {
    let n = on_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox")
        .fetch_one(pool)
        .await)?;
    Ok(n)
}
