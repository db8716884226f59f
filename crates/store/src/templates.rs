//! Plan templates a coach keeps: the plan document (public schema) with
//! where it came from.

use sqlx::FromRow;

use crate::{Db, StoreError, new_id, on_db};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredTemplate {
    pub id: String,
    pub coach_id: String,
    pub name: String,
    pub source_plan_id: Option<String>,
    pub week_count: i64,
    /// The plan in the public schema.
    pub document: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewTemplate<'a> {
    pub coach_id: &'a str,
    pub name: &'a str,
    pub source_plan_id: Option<&'a str>,
    pub week_count: i64,
    pub document: &'a str,
}

pub async fn insert_template(
    db: &Db,
    t: &NewTemplate<'_>,
    now: i64,
) -> Result<StoredTemplate, StoreError> {
    let id = new_id();
    on_db!(db, pool => sqlx::query(
        "INSERT INTO plan_templates (id, coach_id, name, source_plan_id, week_count, document, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(t.coach_id)
    .bind(t.name)
    .bind(t.source_plan_id)
    .bind(t.week_count)
    .bind(t.document)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_check)?;
    template_of(db, t.coach_id, &id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("template vanished".into()))
}

const TEMPLATE_COLUMNS: &str =
    "id, coach_id, name, source_plan_id, week_count, document, created_at";

/// A coach's templates, newest first.
pub async fn templates_of(db: &Db, coach_id: &str) -> Result<Vec<StoredTemplate>, StoreError> {
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE coach_id = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(coach_id).fetch_all(pool).await)?,
    )
}

/// One of the coach's templates; `None` when it is not theirs.
pub async fn template_of(
    db: &Db,
    coach_id: &str,
    id: &str,
) -> Result<Option<StoredTemplate>, StoreError> {
    let sql =
        format!("SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE coach_id = $1 AND id = $2");
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(coach_id).bind(id).fetch_optional(pool).await)?,
    )
}
