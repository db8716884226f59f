//! `POST /api/v1/plans/{id}/edits`: hand edits through the app's edit
//! use-case; saved edits are then re-judged by adaptation.

use axum::Json;
use axum::extract::{Path, State};
use runcoach_app::Actor;
use runcoach_app::plans::edits::{self, EditRequest};

use super::json::ApiJson;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

/// 200 `{plan, violations}` for a dry run, `{plan, adjustment_id,
/// violations}` once saved; 409 `guardrail_violations` when the edit
/// breaks a rule the plan kept and `accept_warnings` was not sent.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
    ApiJson(req): ApiJson<EditRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let outcome = edits::edit_plan(&state.db, &Actor::of(&user.user), &plan_id, req).await?;
    let plan = match &outcome.adjustment_id {
        None => outcome.plan,
        Some(_) => {
            runcoach_app::log::readapt(&state.db, &outcome.owner_id).await?;
            runcoach_app::plans::standing(&state.db, &outcome.owner_id, &plan_id)
                .await?
                .ok_or(ApiError::NotFound)?
        }
    };
    let mut doc = serde_json::to_value(plan).map_err(ApiError::internal)?;
    let today = runcoach_app::calendar::today_in(&user.user.time_zone);
    runcoach_app::plans::Tracker::load(&state.db, &outcome.owner_id, &plan_id, today)
        .await?
        .annotate(&mut doc);
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("id".into(), plan_id.into());
    }
    let mut body = serde_json::json!({ "plan": doc, "violations": outcome.violations });
    if let Some(id) = outcome.adjustment_id {
        body["adjustment_id"] = id.into();
    }
    Ok(Json(body))
}
