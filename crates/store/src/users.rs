//! Accounts.

use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, Tx, new_id, now_ms, on_db, on_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Athlete,
    Coach,
    Affiliate,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Athlete => "athlete",
            Role::Coach => "coach",
            Role::Affiliate => "affiliate",
            Role::Admin => "admin",
        }
    }

    pub const ALL: [Role; 4] = [Role::Athlete, Role::Coach, Role::Affiliate, Role::Admin];

    fn bit(self) -> i64 {
        match self {
            Role::Athlete => 1,
            Role::Coach => 2,
            Role::Affiliate => 4,
            Role::Admin => 8,
        }
    }

    /// The set a `role_bits` column holds, always including `primary`.
    fn from_bits(bits: i64, primary: Role) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| *r == primary || bits & r.bit() != 0)
            .collect()
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "athlete" => Some(Role::Athlete),
            "coach" => Some(Role::Coach),
            "affiliate" => Some(Role::Affiliate),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub units: String,
    pub week_start: String,
    pub created_at: i64,
    /// Usual start time per weekday, e.g. `mon=06:30,sat=08:00`.
    pub start_times: String,
    /// IANA zone name for timed calendar events; empty for floating times.
    pub time_zone: String,
    /// Every role the account holds (`role` among them), in [`Role::ALL`]
    /// order.
    pub roles: Vec<Role>,
    /// When the owner proved the address by following a link sent to it.
    pub email_verified_at: Option<i64>,
}

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    units: String,
    week_start: String,
    created_at: i64,
    password_hash: String,
    start_times: String,
    time_zone: String,
    email_verified_at: Option<i64>,
    role_bits: i64,
}

impl UserRow {
    pub(crate) fn split(self) -> Result<(User, String), StoreError> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role '{}'", self.role)))?;
        Ok((
            User {
                id: self.id,
                email: self.email,
                name: self.name,
                role,
                units: self.units,
                week_start: self.week_start,
                created_at: self.created_at,
                start_times: self.start_times,
                time_zone: self.time_zone,
                roles: Role::from_bits(self.role_bits, role),
                email_verified_at: self.email_verified_at,
            },
            self.password_hash,
        ))
    }
}

const COLUMNS: &str = "id, email, name, role, units, week_start, created_at, password_hash, \
     start_times, time_zone, email_verified_at";

/// The user columns of table alias `u`, plus the account's roles folded
/// into one bit set by a subquery (portable; no per-user second query).
pub(crate) fn select_columns(u: &str) -> String {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("{u}.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{columns}, (SELECT COALESCE(SUM(CASE r.role WHEN 'athlete' THEN 1 WHEN 'coach' THEN 2 \
         WHEN 'affiliate' THEN 4 WHEN 'admin' THEN 8 ELSE 0 END), 0) \
         FROM user_roles r WHERE r.user_id = {u}.id) AS role_bits"
    )
}

/// Emails are stored and compared trimmed, in Unicode NFKC and lowercased,
/// so look-alike spellings (full-width letters, ligatures, other cases)
/// are one account, not several.
pub fn normalise_email(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    email.trim().nfkc().collect::<String>().to_lowercase()
}

pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<User, StoreError> {
    let mut tx = db.begin().await?;
    let user = create_tx(&mut tx, email, name, password_hash, role, None).await?;
    tx.commit().await?;
    Ok(user)
}

/// [`create`] inside a unit of work; `verified_at` when the address is
/// already proved (an account made from a sign-up link).
pub async fn create_tx(
    tx: &mut Tx,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
    verified_at: Option<i64>,
) -> Result<User, StoreError> {
    let user = User {
        id: new_id(),
        email: normalise_email(email),
        name: name.trim().to_owned(),
        role,
        units: "km".into(),
        week_start: "mon".into(),
        created_at: now_ms(),
        start_times: String::new(),
        time_zone: String::new(),
        roles: vec![role],
        email_verified_at: verified_at,
    };
    // The account and its first role in one transaction: never one
    // without the other.
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, units, week_start, created_at, \
         email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.name)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(&user.units)
    .bind(&user.week_start)
    .bind(user.created_at)
    .bind(verified_at)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    on_tx!(tx, conn => sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
        .bind(&user.id)
        .bind(role.as_str())
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(user)
}

/// The user with this email, inside a unit of work.
pub async fn by_email_tx(tx: &mut Tx, email: &str) -> Result<Option<User>, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE u.email = $1",
        select_columns("u")
    );
    let row = on_tx!(tx, conn => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(normalise_email(email))
        .fetch_optional(conn)
        .await)?;
    Ok(row.map(UserRow::split).transpose()?.map(|(u, _)| u))
}

/// A new password: every session and API token of the user ends with it
/// (a reset link proves the address, not who holds the old sessions).
pub async fn reset_password_tx(
    tx: &mut Tx,
    id: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Notes that the owner proved the address (kept from the first time).
pub async fn mark_verified_tx(tx: &mut Tx, id: &str, at: i64) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The user and their password hash, for logging in.
pub async fn by_email(db: &Db, email: &str) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE u.email = $1",
        select_columns("u")
    );
    let row = on_db!(db, pool => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(normalise_email(email))
        .fetch_optional(pool)
        .await)?;
    row.map(UserRow::split).transpose()
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!(
        "SELECT {} FROM users u WHERE u.id = $1",
        select_columns("u")
    );
    let row = on_db!(db, pool => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(UserRow::split).transpose()
}

pub async fn set_password(db: &Db, id: &str, password_hash: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

pub async fn set_settings(
    db: &Db,
    id: &str,
    name: &str,
    units: &str,
    week_start: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE users SET name = $1, units = $2, week_start = $3 WHERE id = $4")
        .bind(name)
        .bind(units)
        .bind(week_start)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Writes every preference at once (`PATCH /api/v1/me`): one statement, so
/// a concurrent reader sees the old profile or the new one, never a mix.
pub async fn set_profile(db: &Db, user: &User) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "UPDATE users SET name = $1, units = $2, week_start = $3, start_times = $4, time_zone = $5 \
         WHERE id = $6",
    )
    .bind(&user.name)
    .bind(&user.units)
    .bind(&user.week_start)
    .bind(&user.start_times)
    .bind(&user.time_zone)
    .bind(&user.id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets the usual start times and time zone for timed calendar events.
pub async fn set_schedule(
    db: &Db,
    id: &str,
    start_times: &str,
    time_zone: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE users SET start_times = $1, time_zone = $2 WHERE id = $3")
        .bind(start_times)
        .bind(time_zone)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Sets the time zone of an account that has none yet (a conditional
/// update: a zone the runner chose is never overwritten). True if set.
pub async fn set_time_zone_if_unset(
    db: &Db,
    id: &str,
    time_zone: &str,
) -> Result<bool, StoreError> {
    let done = on_db!(db, pool => sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2 AND time_zone = ''")
        .bind(time_zone)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Keeps (or, with "", forgets) the onboarding answers of a runner sent to
/// the shop first: a JSON object of the form's fields.
pub async fn set_onboarding_answers(db: &Db, id: &str, answers: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE users SET onboarding_answers = $1 WHERE id = $2")
        .bind(answers)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The onboarding answers kept by [`set_onboarding_answers`] ("" if none).
pub async fn onboarding_answers(db: &Db, id: &str) -> Result<String, StoreError> {
    let kept: Option<String> = on_db!(db, pool => sqlx::query_scalar("SELECT onboarding_answers FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(kept.unwrap_or_default())
}

/// Adds a role to an account's set (idempotent). The primary role
/// (`users.role`) is unchanged.
pub async fn add_role(db: &Db, id: &str, role: Role) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(role.as_str())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}
