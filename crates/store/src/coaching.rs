//! Coaching: athletes' grants to coaches, the lookups authorisation needs
//! (who owns a plan or a session, what a coach may do for an athlete),
//! coach profiles and invitations. Comments live in [`crate::comments`].

use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

/// A grant as stored: `access` is "view", "comment" or "edit"; `source`
/// "athlete" (granted directly) or "invitation" (accepted); a purchase
/// grants through its entitlement and is listed with source "purchase".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Grant {
    pub id: String,
    pub athlete_id: String,
    pub coach_id: String,
    pub coach_name: String,
    pub access: String,
    pub source: String,
    pub created_at: i64,
}

/// The access levels a coach holds for an athlete, directly and through
/// active coaching purchases: the caller takes the highest.
pub async fn coach_levels(
    db: &Db,
    coach_id: &str,
    athlete_id: &str,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT access FROM coaching_grants WHERE athlete_id = $1 AND coach_id = $2 \
         UNION ALL \
         SELECT 'edit' FROM entitlements e JOIN products p ON p.id = e.product_id \
         WHERE e.athlete_id = $1 AND p.coach_id = $2 AND e.revoked_at IS NULL \
         AND (e.ends_at IS NULL OR e.ends_at > $3)",
    )
    .bind(athlete_id)
    .bind(coach_id)
    .bind(now)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Whether an account with this id exists.
pub async fn user_exists(db: &Db, id: &str) -> Result<bool, StoreError> {
    let row: Option<(String,)> = on_db!(db, pool => sqlx::query_as("SELECT id FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some())
}

/// Whose plan this is.
pub async fn plan_athlete(db: &Db, plan_id: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = on_db!(db, pool => sqlx::query_as("SELECT user_id FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|(a,)| a))
}

/// Whose planned session this is, and in which plan.
pub async fn session_athlete(
    db: &Db,
    session_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row: Option<(String, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id, plan_id FROM plan_sessions WHERE id = $1",
    )
    .bind(session_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

const GRANT_SELECT: &str = "SELECT g.id, g.athlete_id, g.coach_id, u.name AS coach_name, g.access, \
     g.source, g.created_at FROM coaching_grants g JOIN users u ON u.id = g.coach_id";

/// The athlete's grants: direct ones, then one per active coaching
/// purchase (id `purchase:<order>`), newest first.
pub async fn grants_of(db: &Db, athlete_id: &str, now: i64) -> Result<Vec<Grant>, StoreError> {
    let sql = format!(
        "{GRANT_SELECT} WHERE g.athlete_id = $1 \
         UNION ALL \
         SELECT 'purchase:' || e.order_id, e.athlete_id, p.coach_id, u.name, 'edit', 'purchase', \
         e.granted_at FROM entitlements e JOIN products p ON p.id = e.product_id \
         JOIN users u ON u.id = p.coach_id \
         WHERE e.athlete_id = $1 AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2) \
         ORDER BY 7 DESC, 1"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, Grant>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(athlete_id)
        .bind(now)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// One of the athlete's direct grants.
pub async fn grant(db: &Db, athlete_id: &str, id: &str) -> Result<Option<Grant>, StoreError> {
    let sql = format!("{GRANT_SELECT} WHERE g.id = $1 AND g.athlete_id = $2");
    let row = on_db!(db, pool => sqlx::query_as::<_, Grant>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .bind(athlete_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Grants `coach_id` the access, or changes the level of the grant the
/// pair already has (one per pair, by the unique key): the grant's id.
pub async fn upsert_grant(
    db: &Db,
    athlete_id: &str,
    coach_id: &str,
    access: &str,
    source: &str,
) -> Result<String, StoreError> {
    let now = now_ms();
    let row: (String,) = on_db!(db, pool => sqlx::query_as(
        "INSERT INTO coaching_grants (id, athlete_id, coach_id, access, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (athlete_id, coach_id) DO UPDATE SET access = $4, updated_at = $6 \
         RETURNING id",
    )
    .bind(new_id())
    .bind(athlete_id)
    .bind(coach_id)
    .bind(access)
    .bind(source)
    .bind(now)
    .fetch_one(pool)
    .await)?;
    Ok(row.0)
}

/// Changes a grant's level; false when it is not the athlete's.
pub async fn set_access(
    db: &Db,
    athlete_id: &str,
    id: &str,
    access: &str,
) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query(
        "UPDATE coaching_grants SET access = $1, updated_at = $2 WHERE id = $3 AND athlete_id = $4",
    )
    .bind(access)
    .bind(now_ms())
    .bind(id)
    .bind(athlete_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Revokes a grant at once; false when it is not the athlete's.
pub async fn revoke(db: &Db, athlete_id: &str, id: &str) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query(
        "DELETE FROM coaching_grants WHERE id = $1 AND athlete_id = $2",
    )
    .bind(id)
    .bind(athlete_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}
