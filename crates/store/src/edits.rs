//! Hand edits over a plan (`plan_edits`): stored in order, each with its
//! editor, note and ops (an opaque JSON body the application writes).

use runcoach_core::plan::Session;
use sqlx::FromRow;

use crate::{Db, StoreError, Tx, on_db, on_tx};

/// An edit to store.
#[derive(Debug, Clone)]
pub struct NewEdit<'a> {
    pub id: &'a str,
    pub plan_id: &'a str,
    /// The edit's place in the plan's history: one more than the edits the
    /// editor saw. Taken once per plan, so a concurrent edit made on the
    /// same version is refused with [`StoreError::Conflict`].
    pub position: i64,
    pub rule: &'a str,
    pub editor_id: &'a str,
    pub editor_name: &'a str,
    pub note: &'a str,
    pub body: &'a str,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StoredEdit {
    pub id: String,
    pub plan_id: String,
    pub position: i64,
    pub rule: String,
    pub editor_id: Option<String>,
    pub editor_name: String,
    pub note: String,
    pub body: String,
    pub created_at: i64,
    pub undone: i64,
}

impl StoredEdit {
    pub fn is_undone(&self) -> bool {
        self.undone != 0
    }
}

pub async fn insert(tx: &mut Tx, e: &NewEdit<'_>) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO plan_edits (id, plan_id, position, rule, editor_id, editor_name, note, body, created_at, undone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
    )
    .bind(e.id)
    .bind(e.plan_id)
    .bind(e.position)
    .bind(e.rule)
    .bind(e.editor_id)
    .bind(e.editor_name)
    .bind(e.note)
    .bind(e.body)
    .bind(e.now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    on_tx!(tx, conn => sqlx::query(crate::plans::BUMP_REVISION)
        .bind(e.plan_id)
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A plan's edits in the order they are laid over it, undone ones too.
pub async fn for_plan(db: &Db, plan_id: &str) -> Result<Vec<StoredEdit>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, StoredEdit>(
        "SELECT id, plan_id, position, rule, editor_id, editor_name, note, body, created_at, undone \
         FROM plan_edits WHERE plan_id = $1 ORDER BY position",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await)?)
}

/// The next free position of a plan's history.
pub async fn next_position(db: &Db, plan_id: &str) -> Result<i64, StoreError> {
    let n: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(MAX(position) AS BIGINT) FROM plan_edits WHERE plan_id = $1",
    )
    .bind(plan_id)
    .fetch_one(pool)
    .await)?;
    Ok(n.map_or(0, |n| n + 1))
}

/// Marks an edit undone (or active again); `false` when the plan has no
/// such edit, it already was, or the plan is not `owner_id`'s.
pub async fn set_undone(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
    edit_id: &str,
    undone: bool,
) -> Result<bool, StoreError> {
    let n = crate::plans::update_and_bump(
        db,
        "UPDATE plan_edits SET undone = $1 WHERE plan_id = $2 AND id = $3 \
         AND plan_id IN (SELECT id FROM plans WHERE user_id = $4)",
        undone,
        (owner_id, plan_id),
        edit_id,
    )
    .await?;
    Ok(n == 1)
}

/// A session an edit added gets a row like a generated one, so logs, feeds
/// and watch files can refer to it by id.
pub async fn add_session(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    week_index: u32,
    day: jiff::civil::Date,
    session: &Session,
) -> Result<(), StoreError> {
    let id = session
        .id
        .as_deref()
        .ok_or_else(|| StoreError::Corrupt("an added session has no id".into()))?;
    let body = Session {
        id: None,
        ..session.clone()
    };
    let kind =
        serde_json::to_string(&session.kind).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let body = serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // Position 1000+ keeps added rows after the generated ones of the day.
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO plan_sessions (id, plan_id, user_id, week_index, day, position, kind, body) \
         VALUES ($1, $2, $3, $4, $5, 1000, $6, $7)",
    )
    .bind(id)
    .bind(plan_id)
    .bind(user_id)
    .bind(i64::from(week_index))
    .bind(day.to_string())
    .bind(kind.trim_matches('"'))
    .bind(body)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(())
}

/// Raises a session's calendar SEQUENCE inside `tx` (see `feeds::bump`).
pub async fn bump_sequence(tx: &mut Tx, session_id: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO session_sequences (session_id, sequence) \
         SELECT id, 1 FROM plan_sessions WHERE id = $1 \
         ON CONFLICT (session_id) DO UPDATE SET sequence = session_sequences.sequence + 1",
    )
    .bind(session_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}
