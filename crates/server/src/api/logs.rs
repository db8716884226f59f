//! The training log: what was done, how hard, what hurt. Every change
//! re-runs the adaptation rules and reports the adjustments it caused.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use jiff::civil::Date;
use runcoach_app::Actor;
use runcoach_app::coaching::Need;
use runcoach_app::log::{
    self as log_book, AdjustmentView, LogInput, Logged, Recorded, adjustments_of, record_once,
    set_undone,
};
use runcoach_core::dates;
use runcoach_store::logs::{self, LogEntry};
use serde::Deserialize;

use super::json::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

/// The `Idempotency-Key` header: the client's name for one logical
/// request, so a POST retried after a lost answer logs nothing twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=200).contains(&k.len()))
        .map(Some)
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "give 1–200 visible ASCII characters"))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LogInput>,
) -> Result<(StatusCode, Json<Logged>), ApiError> {
    let key = idempotency_key(&headers)?;
    // 201 with the adjustments it caused; a replay 200 with the first entry.
    let recorded = record_once(&state.db, &user.user, &input, key).await?;
    let status = match &recorded {
        Recorded::New(_) => StatusCode::CREATED,
        Recorded::Replayed(_) => StatusCode::OK,
    };
    Ok((status, Json(recorded.into_logged())))
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<LogEntry>, ApiError> {
    Ok(Json(
        logs::get(&state.db, &user.user.id, &id)
            .await?
            .ok_or(ApiError::NotFound)?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LogInput>,
) -> Result<Json<Logged>, ApiError> {
    Ok(Json(
        log_book::update(&state.db, &user.user, &id, &input).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    log_book::delete(&state.db, &user.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Range {
    pub from: Option<String>,
    pub to: Option<String>,
    /// A coached athlete's log (the signed-in user's own without it).
    pub athlete_id: Option<String>,
}

pub fn date_param(
    name: &'static str,
    value: Option<&str>,
    default: Date,
) -> Result<Date, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => dates::parse(v).map_err(|m| ApiError::invalid(name, m)),
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(r): ApiQuery<Range>,
) -> Result<Json<Vec<LogEntry>>, ApiError> {
    let (athlete, _) =
        super::coaching::athlete(&state, &user, r.athlete_id.as_deref(), Need::Read).await?;
    let today = runcoach_app::calendar::today_in(&athlete.time_zone);
    let to = date_param("to", r.to.as_deref(), today)?;
    let from = date_param(
        "from",
        r.from.as_deref(),
        to.saturating_sub(jiff::Span::new().days(90)),
    )?;
    Ok(Json(logs::between(&state.db, &athlete.id, from, to).await?))
}

pub async fn adjustments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    Ok(Json(
        adjustments_of(&state.db, &actor(&user), &plan_id).await?,
    ))
}

pub async fn undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, adjustment)): Path<(String, String)>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    set_undone(&state.db, &actor(&user), &plan_id, &adjustment, true).await?;
    Ok(Json(
        adjustments_of(&state.db, &actor(&user), &plan_id).await?,
    ))
}

pub async fn redo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, adjustment)): Path<(String, String)>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    set_undone(&state.db, &actor(&user), &plan_id, &adjustment, false).await?;
    Ok(Json(
        adjustments_of(&state.db, &actor(&user), &plan_id).await?,
    ))
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}
