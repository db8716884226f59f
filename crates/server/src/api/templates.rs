//! Plan templates' JSON API. Extract, call
//! `runcoach_app::coaching::templates`, render.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use runcoach_app::Actor;
use runcoach_app::coaching::templates::{self, Applied, ApplyInput, TemplateInput, TemplateView};
use runcoach_store::now_ms;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}

pub async fn create_template(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<TemplateView>), ApiError> {
    let t = templates::create(&state.db, &actor(&user), &input, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

pub async fn list_templates(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    Ok(Json(templates::list(&state.db, &actor(&user)).await?))
}

pub async fn apply_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplyInput>,
) -> Result<(StatusCode, Json<Applied>), ApiError> {
    // "Today" is the athlete's: the plan must not start before it.
    let zone = runcoach_store::users::by_id(&state.db, &input.athlete_id)
        .await?
        .map(|(u, _)| u.time_zone)
        .unwrap_or_default();
    let today = runcoach_app::calendar::today_in(&zone);
    let applied = templates::apply(&state.db, &actor(&user), &id, &input, today).await?;
    let status = if applied.plan_id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(applied)))
}
