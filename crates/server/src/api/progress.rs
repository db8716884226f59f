//! `GET /api/v1/progress`: the athlete's progress (app::progress) as JSON.

use axum::Json;
use axum::extract::State;
use runcoach_app::progress::{MAX_WEEKS, Progress, progress};
use serde::Deserialize;

use super::json::ApiQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct ProgressQuery {
    pub weeks: Option<u32>,
    /// A coached athlete's progress (the signed-in user's own without it).
    pub athlete_id: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Json<Progress>, ApiError> {
    let n = q.weeks.unwrap_or(12);
    if !(1..=MAX_WEEKS).contains(&n) {
        return Err(ApiError::invalid(
            "weeks",
            format!("{n} weeks: ask for 1–{MAX_WEEKS}"),
        ));
    }
    let (athlete, _) = super::coaching::athlete(
        &state,
        &user,
        q.athlete_id.as_deref(),
        runcoach_app::coaching::Need::Read,
    )
    .await?;
    Ok(Json(
        progress(
            &state.db,
            &athlete.id,
            n,
            runcoach_app::calendar::today_in(&athlete.time_zone),
        )
        .await?,
    ))
}
