//! Sign-up, login, logout, password change, personal access tokens.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use runcoach_store::users::{self, Role, User};
use runcoach_store::{StoreError, limits, sessions};
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{self, CurrentUser, Via, password, secrets};
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// The socket peer, when the server runs with connection info (absent in
/// in-process tests that call the router directly).
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Sign-up and login attempts allowed per client address per minute.
pub const ATTEMPTS_PER_MINUTE: i64 = 10;

/// The client's address, for rate limits: the socket peer, or the first
/// `X-Forwarded-For` hop when the operator says a proxy sits in front.
pub fn client_ip(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let forwarded = state.config.trust_proxy.then(|| {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_owned())
    });
    forwarded
        .flatten()
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

pub async fn rate_limited(state: &AppState, bucket: String) -> Result<(), ApiError> {
    if limits::hit(&state.db, &bucket, 60_000, ATTEMPTS_PER_MINUTE).await? {
        Ok(())
    } else {
        Err(ApiError::TooMany)
    }
}

/// Checks a sign-up form; every problem is reported.
pub fn check_signup(s: &Signup) -> Result<(), ApiError> {
    let mut fields = Vec::new();
    let email = s.email.trim();
    let at = email.find('@');
    if email.len() > 254
        || at.is_none_or(|i| i == 0 || i + 1 >= email.len() || !email[i + 1..].contains('.'))
    {
        fields.push(runcoach_core::plan::FieldError {
            field: "email",
            message: format!("'{email}' is not an email address"),
        });
    }
    if s.name.trim().is_empty() || s.name.chars().count() > 100 {
        fields.push(runcoach_core::plan::FieldError {
            field: "name",
            message: "give a name of 1–100 characters".into(),
        });
    }
    if let Err(m) = password::policy(&s.password) {
        fields.push(runcoach_core::plan::FieldError {
            field: "password",
            message: m,
        });
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(fields))
    }
}

/// Creates an athlete account; the caller starts the session.
pub async fn register(state: &AppState, s: &Signup) -> Result<User, ApiError> {
    check_signup(s)?;
    let hash = password::hash(&s.password);
    match users::create(&state.db, &s.email, &s.name, &hash, Role::Athlete).await {
        Ok(u) => Ok(u),
        Err(StoreError::Conflict) => Err(ApiError::invalid(
            "email",
            "an account with this email already exists; log in instead",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The user whose email and password match; `None` otherwise. Unknown
/// emails cost the same argon2 time as wrong passwords.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    pw: &str,
) -> Result<Option<User>, ApiError> {
    match users::by_email(&state.db, email).await? {
        Some((user, hash)) if password::verify(pw, &hash) => Ok(Some(user)),
        Some(_) => Ok(None),
        None => {
            password::verify(pw, password::decoy());
            Ok(None)
        }
    }
}

pub async fn signup(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Signup>,
) -> Result<impl IntoResponse, ApiError> {
    rate_limited(
        &state,
        format!("signup:{}", client_ip(&state, peer.0, &headers)),
    )
    .await?;
    let user = register(&state, &body).await?;
    super::affiliates::on_signup(&state, &user.id, &peer, &headers).await;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(user),
    ))
}

pub async fn login(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    rate_limited(
        &state,
        format!("login:{}", client_ip(&state, peer.0, &headers)),
    )
    .await?;
    let user = authenticate(&state, &body.email, &body.password)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(user)))
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let cookie = auth::end_session(&state, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cookie)]),
    ))
}

pub async fn me(user: CurrentUser) -> Json<User> {
    Json(user.user)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Changes the password and ends every other session of the user.
pub async fn change_password_for(
    state: &AppState,
    user: &CurrentUser,
    body: &PasswordChange,
) -> Result<(), ApiError> {
    let (_, hash) = users::by_id(&state.db, &user.user.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !password::verify(&body.current, &hash) {
        return Err(ApiError::invalid(
            "current",
            "the current password is not right",
        ));
    }
    password::policy(&body.new).map_err(|m| ApiError::invalid("new", m))?;
    users::set_password(&state.db, &user.user.id, &password::hash(&body.new)).await?;
    let keep = match &user.via {
        Via::Session { token_hash, .. } => token_hash.as_str(),
        Via::Bearer => "",
    };
    sessions::delete_other_sessions(&state.db, &user.user.id, keep).await?;
    Ok(())
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    change_password_for(&state, &user, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

/// A personal access token for scripts; shown once, stored hashed.
pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<impl IntoResponse, ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "name",
            "give the token a name of 1–100 characters",
        ));
    }
    let token = secrets::new_secret();
    let id = sessions::create_token(&state.db, &user.user.id, name, &secrets::hash(&token)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": id, "name": name, "token": token})),
    ))
}
