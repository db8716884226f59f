//! Accounts by e-mail over the API: sign-up by link (from `signup`),
//! "forgot password", reset, and verification. Thin: the use-cases are
//! `runcoach_app::accounts::email`.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use runcoach_app::accounts::email::{self, Confirmed};
use runcoach_app::accounts::{CHECK_EMAIL, reset_with_link};
use runcoach_app::mail::MailConfig;
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{self, CurrentUser};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::rate_limited;

/// The 202 every such request gets.
pub fn check_email() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "check_email", "message": CHECK_EMAIL })),
    )
        .into_response()
}

/// The server's mail settings, or 404 `email_not_configured` (without
/// SMTP these routes do not exist: an operator resets passwords).
pub fn mail_of(state: &AppState) -> Result<&MailConfig, ApiError> {
    state.config.mail.as_ref().ok_or_else(|| {
        ApiError::coded(
            StatusCode::NOT_FOUND,
            "email_not_configured",
            "this server sends no e-mail; ask its operator to reset your password (runcoach admin reset-password)",
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forgot {
    pub email: String,
}

/// `POST /api/v1/password/forgot`: 202 whether or not the address has an
/// account.
pub async fn forgot(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<Forgot>,
) -> Result<Response, ApiError> {
    let mail = mail_of(&state)?;
    rate_limited(&state, &client, "forgot").await?;
    email::request_reset(&state.db, mail, &body.email).await?;
    Ok(check_email())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/password/reset`: a new password from a reset link; every
/// session and token of the account ends.
pub async fn reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Reset>,
) -> Result<StatusCode, ApiError> {
    mail_of(&state)?;
    reset_with_link(&state.db, &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    pub token: String,
}

/// `POST /api/v1/email/verify`: a sign-up link makes the account and signs
/// it in (201); a verification link proves the address (200).
pub async fn verify(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Verify>,
) -> Result<Response, ApiError> {
    mail_of(&state)?;
    match email::confirm_email(&state.db, &body.token).await? {
        Confirmed::NewAccount(user) => {
            crate::web::referral::on_signup(&state, &user.id, &client, &headers).await;
            let cookie = auth::start_session(&state, &user.id).await?;
            Ok((
                StatusCode::CREATED,
                AppendHeaders([(SET_COOKIE, cookie)]),
                Json(user),
            )
                .into_response())
        }
        Confirmed::Verified(user) => Ok(Json(user).into_response()),
    }
}

/// `POST /api/v1/email/verification`: mails the signed-in user a link that
/// proves their address.
pub async fn send_verification(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let mail = mail_of(&state)?;
    if user.user.email_verified_at.is_some() {
        return Err(ApiError::coded(
            StatusCode::CONFLICT,
            "already_verified",
            "this address is already confirmed",
        ));
    }
    if !email::request_verification(&state.db, mail, &user.user).await? {
        return Err(ApiError::TooMany {
            retry_after_s: email::MAIL_WINDOW_MS / 1000,
        });
    }
    Ok(check_email())
}
