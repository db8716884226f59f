//! Sign-up, login, logout, password change, personal access tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use runcoach_app::accounts::{
    FORGET_FAILURES_MS, PasswordChange, Signup, authenticate, change_password_for,
    check_preferences, register, signup_by_email,
};
use runcoach_core::plan::FieldError;
use runcoach_store::users::{self, Role, User};
use runcoach_store::{StoreError, limits, sessions};
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{self, CurrentUser, MaybeUser, Via, secrets};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::rate_limited;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// Deletes what has expired: sessions, tokens, rate-limit windows and old
/// login failures (run periodically by the server).
pub async fn purge_expired(db: &runcoach_store::Db) -> Result<u64, StoreError> {
    let now = runcoach_store::now_ms();
    // Windows are kept as long as the longest of them (mail's hour).
    let longest_window =
        runcoach_app::accounts::email::MAIL_WINDOW_MS.max(crate::web::limits::ADDRESS_WINDOW_MS);
    let limits = limits::purge(db, now - longest_window, now - FORGET_FAILURES_MS).await?;
    let links = runcoach_store::mail::purge_expired_tokens(db, now).await?;
    Ok(limits + links + sessions::purge_expired(db).await?)
}

pub async fn signup(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Signup>,
) -> Result<axum::response::Response, ApiError> {
    rate_limited(&state, &client, "signup").await?;
    // With e-mail, every sign-up is answered alike (202): the account is
    // made when the link sent to the address is followed, and a registered
    // address's owner is told by e-mail instead.
    if let Some(mail) = &state.config.mail {
        signup_by_email(&state.db, mail, &body).await?;
        return Ok(super::email::check_email());
    }
    let user = register(&state.db, &body).await?;
    crate::web::referral::on_signup(&state, &user.id, &client, &headers).await;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(user),
    )
        .into_response())
}

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    rate_limited(&state, &client, "login").await?;
    let user = authenticate(&state.db, &body.email, &body.password)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(user)))
}

/// Ends the cookie session, or revokes the token a script logs out with.
pub async fn logout(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(CurrentUser {
        user,
        via: Via::Bearer { token_id },
    }) = &user.0
    {
        sessions::delete_token(&state.db, &user.id, token_id).await?;
    }
    let cookie = auth::end_session(&state, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cookie)]),
    ))
}

/// The signed-in user, with `roles` as a set beside the account's own
/// `role` (an athlete who is an approved affiliate has both).
#[derive(serde::Serialize)]
pub struct Me {
    #[serde(flatten)]
    user: User,
    roles: Vec<Role>,
}

pub async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    Ok(Json(me_of(&state, user.user).await?))
}

async fn me_of(state: &AppState, user: User) -> Result<Me, ApiError> {
    let roles = runcoach_app::accounts::roles(&state.db, &runcoach_app::Actor::of(&user)).await?;
    Ok(Me { user, roles })
}

/// `PATCH /api/v1/me`: any of the preferences the settings page edits;
/// fields left out keep their value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub units: Option<String>,
    pub time_zone: Option<String>,
    pub week_start: Option<String>,
    pub start_times: Option<String>,
}

/// Every field is checked and every problem named before anything is saved.
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<Me>, ApiError> {
    let mut u = user.user;
    if let Some(name) = patch.name {
        u.name = name.trim().to_owned();
    }
    if let Some(units) = patch.units {
        u.units = units;
    }
    if let Some(day) = patch.week_start {
        u.week_start = day;
    }
    let mut bad = check_preferences(&u.name, &u.units, &u.week_start);
    if let Some(zone) = patch.time_zone {
        match crate::schedule::zone(&zone) {
            Ok(z) => u.time_zone = z,
            Err(message) => bad.push(FieldError {
                field: "time_zone",
                message,
            }),
        }
    }
    if let Some(times) = patch.start_times {
        match crate::schedule::parse_strict(&times) {
            Ok(t) => u.start_times = crate::schedule::format(&t),
            Err(message) => bad.push(FieldError {
                field: "start_times",
                message,
            }),
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::Invalid(bad));
    }
    users::set_profile(&state.db, &u).await?;
    Ok(Json(me_of(&state, u).await?))
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    change_password_for(&state.db, &user.user, user.session_hash(), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// Days until the token stops working; none: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// Longest expiry a token can be given, in days.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// A personal access token for scripts; shown once, stored hashed. Only a
/// signed-in session can mint one.
pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_session()?;
    let name = body.name.trim();
    let mut fields = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        fields.push(runcoach_core::plan::FieldError {
            field: "name",
            message: "give the token a name of 1–100 characters".into(),
        });
    }
    if body
        .expires_in_days
        .is_some_and(|d| !(1..=MAX_TOKEN_DAYS).contains(&d))
    {
        fields.push(runcoach_core::plan::FieldError {
            field: "expires_in_days",
            message: format!("give 1–{MAX_TOKEN_DAYS} days, or leave it out for no expiry"),
        });
    }
    if !fields.is_empty() {
        return Err(ApiError::Invalid(fields));
    }
    let ttl_ms = body.expires_in_days.map(|d| d * 24 * 3600 * 1000);
    let token = secrets::new_secret();
    let stored = sessions::create_token(
        &state.db,
        &user.user.id,
        name,
        &secrets::hash(&token),
        ttl_ms,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": stored.id,
            "name": stored.name,
            "created_at": stored.created_at,
            "expires_at": stored.expires_at,
            "token": token,
        })),
    ))
}

/// The user's tokens: name, when created, last used and expiring; never
/// the secret (only its hash is stored anyway).
pub async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<sessions::ApiToken>>, ApiError> {
    Ok(Json(sessions::list_tokens(&state.db, &user.user.id).await?))
}

/// Revokes a token of the user's; someone else's or unknown → 404.
pub async fn delete_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if sessions::delete_token(&state.db, &user.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
