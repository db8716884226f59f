//! Calendar feeds: secret URLs (only a hash of the token is stored) that
//! serve an athlete's plan to calendar apps, and the per-session `SEQUENCE`
//! counters that let those apps update an event instead of duplicating it.

use std::collections::BTreeMap;

use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

/// A feed that still works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub id: String,
    pub user_id: String,
    /// "Busy" events without details, for work calendars.
    pub busy_only: bool,
    pub created_at: i64,
}

#[derive(FromRow)]
struct FeedRow {
    id: String,
    user_id: String,
    busy_only: i64,
    created_at: i64,
}

impl From<FeedRow> for Feed {
    fn from(r: FeedRow) -> Self {
        Feed {
            id: r.id,
            user_id: r.user_id,
            busy_only: r.busy_only != 0,
            created_at: r.created_at,
        }
    }
}

/// A new feed of `user_id`'s, found later by `token_hash`; returns its id.
pub async fn create(
    db: &Db,
    user_id: &str,
    token_hash: &str,
    busy_only: bool,
) -> Result<String, StoreError> {
    let id = new_id();
    on_db!(db, pool => sqlx::query(
        "INSERT INTO feeds (id, user_id, token_hash, busy_only, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(token_hash)
    .bind(i64::from(busy_only))
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(id)
}

/// Stops a feed of this user's for good; `false` when there is no such
/// working feed of theirs (another user's, unknown, or already revoked).
pub async fn revoke(db: &Db, user_id: &str, feed_id: &str) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query(
        "UPDATE feeds SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(feed_id)
    .bind(user_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// The working feed a token hash belongs to; `None` for unknown or revoked.
pub async fn by_token_hash(db: &Db, token_hash: &str) -> Result<Option<Feed>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, FeedRow>(
        "SELECT id, user_id, busy_only, created_at FROM feeds WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(Feed::from))
}

/// This user's working feeds, oldest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<Feed>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, FeedRow>(
        "SELECT id, user_id, busy_only, created_at FROM feeds \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(Feed::from).collect())
}

/// Records that a planned session changed: its event's `SEQUENCE` goes up
/// by one. Returns the new value, or `None` when `owner_id` has no such
/// session.
pub async fn bump(db: &Db, owner_id: &str, session_id: &str) -> Result<Option<u32>, StoreError> {
    // The SELECT's WHERE also keeps SQLite's parser from reading ON CONFLICT
    // as a join constraint.
    let sequence = on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO session_sequences (session_id, sequence) \
         SELECT id, 1 FROM plan_sessions WHERE id = $1 AND user_id = $2 \
         ON CONFLICT (session_id) DO UPDATE SET sequence = session_sequences.sequence + 1 \
         RETURNING sequence",
    )
    .bind(session_id)
    .bind(owner_id)
    .fetch_optional(pool)
    .await)?;
    sequence.map(sequence_of).transpose()
}

fn sequence_of(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("session sequence {n}")))
}

#[derive(FromRow)]
struct SequenceRow {
    session_id: String,
    sequence: i64,
}

/// `SEQUENCE` per session id of a plan, for sessions that have changed
/// (absent ids are 0), in the shape calendar export takes.
pub async fn sequences_for_plan(
    db: &Db,
    plan_id: &str,
) -> Result<BTreeMap<String, u32>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, SequenceRow>(
        "SELECT q.session_id, q.sequence FROM session_sequences q \
         JOIN plan_sessions s ON s.id = q.session_id WHERE s.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| Ok((r.session_id, sequence_of(r.sequence)?)))
        .collect()
}
