//! Coaching over HTTP: coach profiles, athletes' grants, invitations, and
//! [`athlete`], which every athlete route uses to act for the data's owner
//! (thin adapters over `runcoach_app::coaching`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use runcoach_app::Actor;
use runcoach_app::coaching::grants::{self, GrantView, NewInvitation};
use runcoach_app::coaching::profiles::{self, Coach, ProfileInput};
use runcoach_app::coaching::{Need, Relation, access};
use runcoach_store::now_ms;
use runcoach_store::users::User;
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

pub fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}

/// The athlete whose data a request touches, when the signed-in user may
/// do `need` with it: themself when `athlete_id` is absent or their own,
/// else the athlete they coach (404 without a relation, 403 too weak).
pub async fn athlete(
    state: &AppState,
    user: &CurrentUser,
    athlete_id: Option<&str>,
    need: Need,
) -> Result<(User, Relation), ApiError> {
    match athlete_id {
        None => Ok((user.user.clone(), Relation::Owner)),
        Some(id) if id == user.user.id => Ok((user.user.clone(), Relation::Owner)),
        Some(id) => {
            let relation = access::require(&state.db, &actor(user), id, need).await?;
            let (athlete, _) = runcoach_store::users::by_id(&state.db, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            Ok((athlete, relation))
        }
    }
}

/// The owner of plan `plan_id`, when the signed-in user may do `need`.
pub async fn plan_athlete(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
    need: Need,
) -> Result<(User, Relation), ApiError> {
    let owner = access::plan_athlete(&state.db, plan_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    athlete(state, user, Some(&owner), need).await
}

/// The owner of planned session `session_id`, when the signed-in user may
/// do `need`.
pub async fn session_athlete(
    state: &AppState,
    user: &CurrentUser,
    session_id: &str,
    need: Need,
) -> Result<(User, Relation), ApiError> {
    let (owner, _) = access::session_athlete(&state.db, session_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    athlete(state, user, Some(&owner), need).await
}

// ------------------------------------------------------------ profiles

pub async fn put_profile(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<ProfileInput>,
) -> Result<Json<Coach>, ApiError> {
    Ok(Json(profiles::put(&state.db, &actor(&user), &input).await?))
}

pub async fn coaches(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<Coach>>, ApiError> {
    Ok(Json(profiles::list(&state.db).await?))
}

// ------------------------------------------------------------ grants

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub coach_id: String,
    pub access: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessInput {
    pub access: String,
}

pub async fn create_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<GrantInput>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let grant = grants::grant(&state.db, &actor(&user), &input.coach_id, &input.access).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

pub async fn list_grants(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    Ok(Json(
        grants::list(&state.db, &actor(&user), now_ms()).await?,
    ))
}

pub async fn change_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AccessInput>,
) -> Result<Json<GrantView>, ApiError> {
    Ok(Json(
        grants::change(&state.db, &actor(&user), &id, &input.access).await?,
    ))
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    grants::revoke(&state.db, &actor(&user), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ invitations

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub email: String,
}

pub async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<NewInvitation>), ApiError> {
    let invitation = grants::invite(
        &state.db,
        &actor(&user),
        &input.email,
        crate::web::links::public_url(&state),
        now_ms(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AccessInput>,
) -> Result<Json<GrantView>, ApiError> {
    Ok(Json(
        grants::accept(&state.db, &actor(&user), &id, &input.access, now_ms()).await?,
    ))
}

// ------------------------------------------------------------ roster

pub async fn roster(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<runcoach_app::coaching::roster::RosterEntry>>, ApiError> {
    let today = runcoach_app::calendar::today_in(&user.user.time_zone);
    let roster =
        runcoach_app::coaching::roster::roster(&state.db, &actor(&user), today, now_ms()).await?;
    Ok(Json(roster.athletes))
}

// ------------------------------------------------------------ comments

use runcoach_app::coaching::comments::{self, CommentView, Target, Unread};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
}

pub async fn post_session_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let c = comments::post(&state.db, &actor(&user), Target::Session(&id), &input.body).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub async fn session_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    Ok(Json(
        comments::read(&state.db, &actor(&user), Target::Session(&id)).await?,
    ))
}

fn week_index(n: &str) -> Result<i64, ApiError> {
    n.parse::<u16>().map(i64::from).map_err(|_| {
        ApiError::invalid(
            "index",
            format!("'{n}' is not a week number: 1 for the plan's first week"),
        )
    })
}

pub async fn post_week_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, n)): Path<(String, String)>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let index = week_index(&n)?;
    let target = Target::Week {
        plan_id: &plan_id,
        index,
    };
    let c = comments::post(&state.db, &actor(&user), target, &input.body).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub async fn week_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, n)): Path<(String, String)>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    let index = week_index(&n)?;
    let target = Target::Week {
        plan_id: &plan_id,
        index,
    };
    Ok(Json(
        comments::read(&state.db, &actor(&user), target).await?,
    ))
}

pub async fn unread(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Unread>, ApiError> {
    Ok(Json(
        comments::unread(&state.db, &actor(&user), now_ms()).await?,
    ))
}
