//! What a planned session's status needs and nothing more: the log
//! entries that record it (id and status, not their bodies) and the
//! imported runs matched to it, both in one query. The statuses of a day,
//! a week or a whole plan are read on every view of Today, the calendar
//! and the plan API, so this is one round trip and no JSON to parse.

use runcoach_core::load::LogStatus;
use sqlx::FromRow;

use crate::{Db, StoreError, on_db, placeholders};

/// The marks left on planned sessions, oldest first in each list (so the
/// newest log of a session comes last, and its first matched run first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// (session id, log id, the log's status).
    pub logs: Vec<(String, String, LogStatus)>,
    /// (session id, activity id).
    pub matches: Vec<(String, String)>,
}

#[derive(FromRow)]
struct MarkRow {
    /// 0: a log entry, 1: a matched import.
    source: i64,
    session_id: String,
    id: String,
    status: String,
}

impl Marks {
    fn from_rows(rows: Vec<MarkRow>) -> Result<Self, StoreError> {
        let mut marks = Marks::default();
        for r in rows {
            if r.source == 0 {
                let status = serde_json::from_value(serde_json::Value::String(r.status))
                    .map_err(|e| StoreError::Corrupt(format!("log status: {e}")))?;
                marks.logs.push((r.session_id, r.id, status));
            } else {
                marks.matches.push((r.session_id, r.id));
            }
        }
        Ok(marks)
    }
}

/// The marks on any of `session_ids` (a day or a week of them).
pub async fn on_sessions(
    db: &Db,
    user_id: &str,
    session_ids: &[&str],
) -> Result<Marks, StoreError> {
    if session_ids.is_empty() {
        return Ok(Marks::default());
    }
    // The same numbered placeholders serve both halves; only they are
    // spliced in, the ids are bound.
    let ids = placeholders(2, session_ids.len());
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS source, session_id, id, status, created_at AS at \
         FROM training_logs WHERE user_id = $1 AND session_id IN ({ids}) \
         UNION ALL \
         SELECT CAST(1 AS BIGINT), planned_session_id, id, '', start_time_ms \
         FROM activities WHERE user_id = $1 AND planned_session_id IN ({ids}) \
         ORDER BY source, at, id"
    );
    let rows = on_db!(db, pool => {
        let mut q = sqlx::query_as::<_, MarkRow>(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id);
        for id in session_ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await
    })?;
    Marks::from_rows(rows)
}

/// The marks on every session of one plan of `user_id`'s.
pub async fn in_plan(db: &Db, user_id: &str, plan_id: &str) -> Result<Marks, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, MarkRow>(
        "SELECT CAST(0 AS BIGINT) AS source, l.session_id AS session_id, l.id AS id, \
         l.status AS status, l.created_at AS at \
         FROM training_logs l JOIN plan_sessions s ON s.id = l.session_id \
         WHERE l.user_id = $1 AND s.plan_id = $2 \
         UNION ALL \
         SELECT CAST(1 AS BIGINT), a.planned_session_id, a.id, '', a.start_time_ms \
         FROM activities a JOIN plan_sessions s ON s.id = a.planned_session_id \
         WHERE a.user_id = $1 AND s.plan_id = $2 \
         ORDER BY source, at, id",
    )
    .bind(user_id)
    .bind(plan_id)
    .fetch_all(pool)
    .await)?;
    Marks::from_rows(rows)
}
