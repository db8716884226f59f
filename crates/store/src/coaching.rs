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

// ------------------------------------------------------------ profiles

/// A coach as athletes find them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CoachRow {
    pub id: String,
    pub name: String,
    pub bio: Option<String>,
    /// JSON array of strings.
    pub specialities: Option<String>,
    pub online: Option<i64>,
    pub in_person_location: Option<String>,
}

/// Every account holding the coach role, with its profile if written.
pub async fn coaches(db: &Db) -> Result<Vec<CoachRow>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, CoachRow>(
        "SELECT u.id, u.name, p.bio, p.specialities, p.online, p.in_person_location \
         FROM user_roles r JOIN users u ON u.id = r.user_id \
         LEFT JOIN coach_profiles p ON p.coach_id = u.id \
         WHERE r.role = 'coach' ORDER BY u.name, u.id",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Whether the account holds the coach role.
pub async fn is_coach(db: &Db, id: &str) -> Result<bool, StoreError> {
    let row: Option<(String,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id FROM user_roles WHERE user_id = $1 AND role = 'coach'",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.is_some())
}

pub async fn put_profile(
    db: &Db,
    coach_id: &str,
    bio: &str,
    specialities_json: &str,
    online: bool,
    in_person_location: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO coach_profiles (coach_id, bio, specialities, online, in_person_location, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (coach_id) DO UPDATE SET bio = $2, specialities = $3, online = $4, \
         in_person_location = $5, updated_at = $6",
    )
    .bind(coach_id)
    .bind(bio)
    .bind(specialities_json)
    .bind(i64::from(online))
    .bind(in_person_location)
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

// ------------------------------------------------------------ invitations

pub async fn insert_invitation(
    db: &Db,
    secret_hash: &str,
    coach_id: &str,
    email: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO coach_invitations (secret_hash, coach_id, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secret_hash)
    .bind(coach_id)
    .bind(email)
    .bind(now_ms())
    .bind(expires_at)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(())
}

/// An invitation as its holder sees it before accepting.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Invitation {
    pub coach_id: String,
    pub coach_name: String,
    pub email: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

pub async fn invitation(db: &Db, secret_hash: &str) -> Result<Option<Invitation>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, Invitation>(
        "SELECT i.coach_id, u.name AS coach_name, i.email, i.expires_at, i.accepted_at \
         FROM coach_invitations i JOIN users u ON u.id = i.coach_id WHERE i.secret_hash = $1",
    )
    .bind(secret_hash)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// Takes the invitation for `athlete_id` and records the grant, in one
/// transaction: the conditional update lets exactly one acceptance win
/// (unaccepted and unexpired, affected rows checked). The coach's id when
/// it won; `None` when the invitation was used, expired or unknown.
pub async fn accept_invitation(
    db: &Db,
    secret_hash: &str,
    athlete_id: &str,
    access: &str,
    now: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let mut tx = db.begin().await?;
    let taken = crate::on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE coach_invitations SET accepted_at = $1, accepted_by = $2 \
         WHERE secret_hash = $3 AND accepted_at IS NULL AND expires_at > $1 AND coach_id <> $2",
    )
    .bind(now)
    .bind(athlete_id)
    .bind(secret_hash)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if taken != 1 {
        return Ok(None);
    }
    let (coach_id,): (String,) = crate::on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT coach_id FROM coach_invitations WHERE secret_hash = $1",
    )
    .bind(secret_hash)
    .fetch_one(conn)
    .await)?;
    let (grant_id,): (String,) = crate::on_tx!(&mut tx, conn => sqlx::query_as(
        "INSERT INTO coaching_grants (id, athlete_id, coach_id, access, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'invitation', $5, $5) \
         ON CONFLICT (athlete_id, coach_id) DO UPDATE SET access = $4, updated_at = $5 \
         RETURNING id",
    )
    .bind(new_id())
    .bind(athlete_id)
    .bind(&coach_id)
    .bind(access)
    .bind(now)
    .fetch_one(conn)
    .await)?;
    tx.commit().await?;
    Ok(Some((grant_id, coach_id)))
}
