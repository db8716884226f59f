//! Plans, today, single sessions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use runcoach_app::coaching::Need;
use runcoach_core::dates;
use runcoach_core::plan::PlanInput;
use runcoach_store::plans::{self, PlanSummary};
use runcoach_store::users::User;
use serde::{Deserialize, Serialize};

use super::json::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use runcoach_app::plans::{TrackedSession, create_plan};

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (stored, options) = create_plan(&state.db, &user.user, &input).await?;
    let id = stored.id.clone();
    let mut doc = serde_json::to_value(stored).map_err(ApiError::internal)?;
    // The stretch warning's ways out, each a body to POST as it is.
    doc["options"] = serde_json::to_value(options).map_err(ApiError::internal)?;
    // The same shape as GET: a plan starting in the past already has
    // missed sessions.
    tracked(&state, &user.user, &id, &mut doc).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// Adds each session's status, log and matched activity to a plan's JSON.
async fn tracked(
    state: &AppState,
    user: &User,
    plan_id: &str,
    doc: &mut serde_json::Value,
) -> Result<(), ApiError> {
    let today = runcoach_app::calendar::today_in(&user.time_zone);
    runcoach_app::plans::Tracker::load(&state.db, &user.id, plan_id, today)
        .await?
        .annotate(doc);
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    Ok(Json(plans::list(&state.db, &user.user.id).await?))
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // The athlete's own plan, or one they let this coach see.
    let (athlete, _) = super::coaching::plan_athlete(&state, &user, &id, Need::Read).await?;
    let today = runcoach_app::calendar::today_in(&athlete.time_zone);
    // Kept per revision and statuses: most reads write no JSON at all.
    let body = runcoach_app::plans::tracked_json(&state.db, &athlete.id, &id, today)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.as_ref().clone(),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct TodayQuery {
    pub date: Option<String>,
}

#[derive(Serialize)]
pub struct Today {
    pub date: Date,
    pub plan_id: Option<String>,
    pub sessions: Vec<TrackedSession>,
}

/// The day a runner asks about: `?date=YYYY-MM-DD`, else today in their
/// time zone (`zone`, UTC when empty).
pub fn day_from(query: Option<&str>, zone: &str) -> Result<Date, ApiError> {
    match query {
        Some(d) => dates::parse(d).map_err(|m| ApiError::invalid("date", m)),
        None => Ok(runcoach_app::calendar::today_in(zone)),
    }
}

pub async fn today(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> Result<Json<Today>, ApiError> {
    let zone = &user.user.time_zone;
    let date = day_from(q.date.as_deref(), zone)?;
    let week = runcoach_app::plans::week_of(&state.db, &user.user.id, date).await?;
    let tracker = week.tracker(&state.db, &user.user.id, zone).await?;
    Ok(Json(Today {
        date,
        sessions: week
            .on(date)
            .into_iter()
            .map(|s| tracker.track(s, date))
            .collect(),
        plan_id: week.plan_id,
    }))
}

#[derive(Serialize)]
pub struct SessionView {
    pub plan_id: String,
    pub week: u32,
    pub date: Date,
    #[serde(flatten)]
    pub session: TrackedSession,
}

pub async fn session(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let (athlete, _) = super::coaching::session_athlete(&state, &user, &id, Need::Read).await?;
    let at = runcoach_app::plans::session(&state.db, &athlete.id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let tracker = runcoach_app::plans::tracker(
        &state.db,
        &athlete.id,
        Some(&at.plan_id),
        &athlete.time_zone,
    )
    .await?;
    Ok(Json(SessionView {
        session: tracker.track(at.session, at.date),
        plan_id: at.plan_id,
        week: at.week_index,
        date: at.date,
    }))
}
