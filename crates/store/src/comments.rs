//! Comments on planned sessions and plan weeks, between an athlete and
//! their coaches, and who has read which. Every query names the athlete
//! whose training the comment is on.

use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Comment {
    pub id: String,
    pub athlete_id: String,
    pub plan_id: String,
    pub session_id: Option<String>,
    pub week_index: Option<i64>,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT c.id, c.athlete_id, c.plan_id, c.session_id, c.week_index, c.author_id, \
     u.name AS author_name, c.body, c.created_at FROM comments c JOIN users u ON u.id = c.author_id";

/// Where a comment goes: a session, or a week of a plan.
#[derive(Debug, Clone, Copy)]
pub enum On<'a> {
    Session(&'a str),
    Week(i64),
}

pub async fn insert(
    db: &Db,
    athlete_id: &str,
    plan_id: &str,
    on: On<'_>,
    author_id: &str,
    body: &str,
) -> Result<Comment, StoreError> {
    let id = new_id();
    let (session, week) = match on {
        On::Session(s) => (Some(s), None),
        On::Week(w) => (None, Some(w)),
    };
    on_db!(db, pool => sqlx::query(
        "INSERT INTO comments (id, athlete_id, plan_id, session_id, week_index, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(athlete_id)
    .bind(plan_id)
    .bind(session)
    .bind(week)
    .bind(author_id)
    .bind(body)
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_check)?;
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row = on_db!(db, pool => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&id)
        .fetch_one(pool)
        .await)?;
    Ok(row)
}

/// The comments on a session or week of the athlete's plan, oldest first,
/// marked read for `reader` (reading marks read; one statement, however
/// many comments).
pub async fn read(
    db: &Db,
    athlete_id: &str,
    plan_id: &str,
    on: On<'_>,
    reader: &str,
) -> Result<Vec<Comment>, StoreError> {
    let (session, week) = match on {
        On::Session(s) => (Some(s), None),
        On::Week(w) => (None, Some(w)),
    };
    // `$3`/`$4` select the session or the week; the other is NULL.
    let place = "c.athlete_id = $1 AND c.plan_id = $2 \
         AND (c.session_id = $3 OR (CAST($3 AS TEXT) IS NULL AND c.week_index = $4))";
    let sql = format!("{SELECT} WHERE {place} ORDER BY c.created_at, c.id");
    let rows = on_db!(db, pool => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(athlete_id)
        .bind(plan_id)
        .bind(session)
        .bind(week)
        .fetch_all(pool)
        .await)?;
    // Only when there is something to mark: even an INSERT that adds no
    // row takes SQLite's one write lock, and every session page reads here.
    if !rows.iter().any(|c| c.author_id != reader) {
        return Ok(rows);
    }
    let mark = format!(
        "INSERT INTO comment_reads (comment_id, user_id, read_at) \
         SELECT c.id, $5, $6 FROM comments c WHERE {place} AND c.author_id <> $5 \
         ON CONFLICT DO NOTHING"
    );
    on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(mark.as_str()))
        .bind(athlete_id)
        .bind(plan_id)
        .bind(session)
        .bind(week)
        .bind(reader)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(rows)
}

/// Every comment on one of the athlete's plans (sessions and weeks),
/// oldest first, marked read for `reader`: two statements for a whole
/// page of sessions.
pub async fn read_plan(
    db: &Db,
    athlete_id: &str,
    plan_id: &str,
    reader: &str,
) -> Result<Vec<Comment>, StoreError> {
    let sql =
        format!("{SELECT} WHERE c.athlete_id = $1 AND c.plan_id = $2 ORDER BY c.created_at, c.id");
    let rows = on_db!(db, pool => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(athlete_id)
        .bind(plan_id)
        .fetch_all(pool)
        .await)?;
    // As in `read`: no write when nothing is to be marked.
    if !rows.iter().any(|c| c.author_id != reader) {
        return Ok(rows);
    }
    on_db!(db, pool => sqlx::query(
        "INSERT INTO comment_reads (comment_id, user_id, read_at) \
         SELECT c.id, $3, $4 FROM comments c WHERE c.athlete_id = $1 AND c.plan_id = $2 \
         AND c.author_id <> $3 ON CONFLICT DO NOTHING",
    )
    .bind(athlete_id)
    .bind(plan_id)
    .bind(reader)
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(rows)
}

/// Comments by others on the training of anyone `reader` may read (their
/// own, and athletes who let them in as a coach at `$2`) that they have
/// not read, newest first: at most `limit`, and how many in all.
pub async fn unread(
    db: &Db,
    reader: &str,
    now: i64,
    limit: i64,
) -> Result<(i64, Vec<Comment>), StoreError> {
    let filter = "c.author_id <> $1 AND (c.athlete_id = $1 \
         OR c.athlete_id IN (SELECT athlete_id FROM coaching_grants WHERE coach_id = $1 \
         UNION SELECT e.athlete_id FROM entitlements e JOIN products pr ON pr.id = e.product_id \
         WHERE pr.coach_id = $1 AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2))) \
         AND NOT EXISTS (SELECT 1 FROM comment_reads r WHERE r.comment_id = c.id AND r.user_id = $1)";
    let count_sql = format!("SELECT COUNT(*) FROM comments c WHERE {filter}");
    let (count,): (i64,) = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(count_sql.as_str()))
        .bind(reader)
        .bind(now)
        .fetch_one(pool)
        .await)?;
    let sql = format!("{SELECT} WHERE {filter} ORDER BY c.created_at DESC, c.id DESC LIMIT $3");
    let rows = on_db!(db, pool => sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(reader)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok((count, rows))
}

/// Whether the plan has a week with this index.
pub async fn week_exists(db: &Db, plan_id: &str, week_index: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT week_index FROM plan_weeks WHERE plan_id = $1 AND week_index = $2",
    )
    .bind(plan_id)
    .bind(week_index)
    .fetch_optional(pool)
    .await)?;
    Ok(row.is_some())
}
