//! The training log and the adjustments it causes.

use jiff::civil::Date;
use runcoach_core::adapt::Adjustment;
use runcoach_core::load::LoggedSession;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

/// A log entry as stored: the core entry plus what it is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: String,
    pub session_id: Option<String>,
    #[serde(flatten)]
    pub log: LoggedSession,
    /// Strength movements ticked off, by exercise id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exercises_done: Vec<String>,
}

/// The parts of an entry kept in the body column.
#[derive(Serialize, Deserialize)]
struct Body {
    #[serde(flatten)]
    log: LoggedSession,
    #[serde(default)]
    exercises_done: Vec<String>,
}

fn text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("log types serialise")
}

fn label<T: Serialize>(v: &T) -> String {
    text(v).trim_matches('"').to_owned()
}

#[derive(FromRow)]
struct Row {
    id: String,
    session_id: Option<String>,
    body: String,
}

impl Row {
    fn entry(self) -> Result<LogEntry, StoreError> {
        let body: Body = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Corrupt(format!("log {}: {e}", self.id)))?;
        Ok(LogEntry {
            id: self.id,
            session_id: self.session_id,
            log: body.log,
            exercises_done: body.exercises_done,
        })
    }
}

/// Stores a new entry. With an `idempotency_key` this user already used,
/// nothing is stored and the answer is [`StoreError::Conflict`]: the
/// caller returns the first entry ([`by_idempotency_key`]).
pub async fn insert(
    db: &Db,
    user_id: &str,
    session_id: Option<&str>,
    log: &LoggedSession,
    exercises_done: &[String],
    idempotency_key: Option<&str>,
) -> Result<LogEntry, StoreError> {
    let id = new_id();
    let now = now_ms();
    let body = Body {
        log: log.clone(),
        exercises_done: exercises_done.to_vec(),
    };
    on_db!(db, pool => sqlx::query(
        "INSERT INTO training_logs (id, user_id, session_id, day, kind, status, body, created_at, updated_at, idempotency_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(session_id)
    .bind(log.date.to_string())
    .bind(label(&log.kind))
    .bind(label(&log.status))
    .bind(text(&body))
    .bind(now)
    .bind(now)
    .bind(idempotency_key)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(LogEntry {
        id,
        session_id: session_id.map(str::to_owned),
        log: log.clone(),
        exercises_done: exercises_done.to_vec(),
    })
}

/// Replaces an entry of this user's; `false` when it is not theirs.
pub async fn update(
    db: &Db,
    user_id: &str,
    id: &str,
    session_id: Option<&str>,
    log: &LoggedSession,
    exercises_done: &[String],
) -> Result<bool, StoreError> {
    let body = Body {
        log: log.clone(),
        exercises_done: exercises_done.to_vec(),
    };
    let n = on_db!(db, pool => sqlx::query(
        "UPDATE training_logs SET session_id = $1, day = $2, kind = $3, status = $4, body = $5, updated_at = $6 \
         WHERE id = $7 AND user_id = $8",
    )
    .bind(session_id)
    .bind(log.date.to_string())
    .bind(label(&log.kind))
    .bind(label(&log.status))
    .bind(text(&body))
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<bool, StoreError> {
    let n = on_db!(db, pool => sqlx::query("DELETE FROM training_logs WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<Option<LogEntry>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, session_id, body FROM training_logs WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    row.map(Row::entry).transpose()
}

/// The entry this user created with `key` as its Idempotency-Key.
pub async fn by_idempotency_key(
    db: &Db,
    user_id: &str,
    key: &str,
) -> Result<Option<LogEntry>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, session_id, body FROM training_logs WHERE user_id = $1 AND idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(pool)
    .await)?;
    row.map(Row::entry).transpose()
}

/// This user's entries from `from` to `to` inclusive, oldest first.
pub async fn between(
    db: &Db,
    user_id: &str,
    from: Date,
    to: Date,
) -> Result<Vec<LogEntry>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, session_id, body FROM training_logs WHERE user_id = $1 AND day >= $2 AND day <= $3 \
         ORDER BY day, created_at, id",
    )
    .bind(user_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await)?;
    rows.into_iter().map(Row::entry).collect()
}

/// Entries recording one planned session.
pub async fn for_session(
    db: &Db,
    user_id: &str,
    session_id: &str,
) -> Result<Vec<LogEntry>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, session_id, body FROM training_logs WHERE user_id = $1 AND session_id = $2 ORDER BY created_at, id",
    )
    .bind(user_id)
    .bind(session_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter().map(Row::entry).collect()
}

/// An adjustment as stored over a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAdjustment {
    pub adjustment: Adjustment,
    pub created_at: i64,
    pub undone: bool,
}

#[derive(FromRow)]
struct AdjustmentRow {
    body: String,
    created_at: i64,
    undone: i64,
}

pub async fn adjustments(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
) -> Result<Vec<StoredAdjustment>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, AdjustmentRow>(
        "SELECT body, created_at, undone FROM plan_adjustments \
         WHERE plan_id = $1 AND plan_id IN (SELECT id FROM plans WHERE user_id = $2) \
         ORDER BY created_at, adjustment_id",
    )
    .bind(plan_id)
    .bind(owner_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| {
            let adjustment: Adjustment = serde_json::from_str(&r.body)
                .map_err(|e| StoreError::Corrupt(format!("adjustment: {e}")))?;
            Ok(StoredAdjustment {
                adjustment,
                created_at: r.created_at,
                undone: r.undone != 0,
            })
        })
        .collect()
}

/// Makes the stored adjustments of a plan match `active` (what the rules
/// call for now): new ones are added, changed ones updated, ones whose
/// evidence is gone removed; undone ones stay undone. One transaction,
/// and safe to run concurrently (two logs at once each re-adapt): syncs of
/// one plan take turns (SQLite: the write lock up front; PostgreSQL: the
/// plan's row, locked first, so two syncs deleting and upserting the same
/// rows in different orders cannot deadlock), the rows to remove are read
/// inside the turn, and adding is an upsert on the (plan, adjustment) key,
/// so the same adjustment arriving twice is stored once.
pub async fn sync_adjustments(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
    active: &[Adjustment],
) -> Result<(), StoreError> {
    let sqlite = matches!(db, Db::Sqlite(_));
    let now = now_ms();
    on_db!(db, pool => {
        let mut tx = if sqlite {
            pool.begin_with("BEGIN IMMEDIATE").await?
        } else {
            pool.begin().await?
        };
        // Takes the plan's turn; another athlete's id changes nothing.
        let owned = sqlx::query("UPDATE plans SET user_id = user_id WHERE id = $1 AND user_id = $2")
            .bind(plan_id)
            .bind(owner_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if owned == 0 {
            return Ok(());
        }
        let stored = sqlx::query_scalar::<_, String>(
            "SELECT adjustment_id FROM plan_adjustments WHERE plan_id = $1 AND undone = 0",
        )
        .bind(plan_id)
        .fetch_all(&mut *tx)
        .await?;
        for old in stored {
            if !active.iter().any(|a| a.id == old) {
                sqlx::query("DELETE FROM plan_adjustments WHERE plan_id = $1 AND adjustment_id = $2 AND undone = 0")
                    .bind(plan_id)
                    .bind(&old)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for a in active {
            sqlx::query(
                "INSERT INTO plan_adjustments (rule, body, plan_id, adjustment_id, created_at, undone) \
                 VALUES ($1, $2, $3, $4, $5, 0) \
                 ON CONFLICT (plan_id, adjustment_id) DO UPDATE SET rule = excluded.rule, body = excluded.body",
            )
            .bind(a.rule.as_str())
            .bind(text(a))
            .bind(plan_id)
            .bind(&a.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(crate::plans::BUMP_REVISION)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

/// Marks an adjustment undone (or active again); `false` when the plan has
/// no such adjustment or the plan is not `owner_id`'s.
pub async fn set_undone(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
    adjustment_id: &str,
    undone: bool,
) -> Result<bool, StoreError> {
    let n = crate::plans::update_and_bump(
        db,
        "UPDATE plan_adjustments SET undone = $1 WHERE plan_id = $2 AND adjustment_id = $3 \
         AND plan_id IN (SELECT id FROM plans WHERE user_id = $4)",
        undone,
        (owner_id, plan_id),
        adjustment_id,
    )
    .await?;
    Ok(n == 1)
}

/// Whether any adjustment of the plan is active or it has edits (cheaper
/// than loading them): when not, the stored plan is the plan as it stands.
/// `false` when the plan is not `owner_id`'s.
pub async fn has_active_adjustments(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
) -> Result<bool, StoreError> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM plans WHERE id = $1 AND user_id = $2) \
         THEN (SELECT COUNT(*) FROM plan_adjustments WHERE plan_id = $1 AND undone = 0) \
         + (SELECT COUNT(*) FROM plan_edits WHERE plan_id = $1) ELSE 0 END AS BIGINT)",
    )
    .bind(plan_id)
    .bind(owner_id)
    .fetch_one(pool)
    .await)?;
    Ok(n > 0)
}
