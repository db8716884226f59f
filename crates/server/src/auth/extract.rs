//! Extractors: a handler names the kind of user it needs and gets it, or
//! the request is answered before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use runcoach_store::users::User;

use super::{SESSION_COOKIE, cookie, secrets};
use crate::AppState;
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub enum Via {
    Session { token_hash: String, csrf: String },
    Bearer,
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub via: Via,
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        let user =
            runcoach_store::sessions::token_user(&state.db, &secrets::hash(token.trim())).await?;
        return Ok(user.map(|user| CurrentUser {
            user,
            via: Via::Bearer,
        }));
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let token_hash = secrets::hash(token);
    let found = runcoach_store::sessions::session_user(&state.db, &token_hash).await?;
    Ok(found.map(|(user, csrf)| CurrentUser {
        user,
        via: Via::Session { token_hash, csrf },
    }))
}

/// A signed-in user for the API: 401 otherwise.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        resolve(parts, state).await?.ok_or(ApiError::Unauthorized)
    }
}

/// Maybe a signed-in user (pages that work either way).
#[derive(Debug, Clone, Default)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeUser(resolve(parts, state).await?))
    }
}

/// A signed-in user for a page: a redirect to the login page otherwise.
#[derive(Debug, Clone)]
pub struct PageUser(pub CurrentUser);

pub struct ToLogin(String);

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?next={}", self.0)).into_response()
    }
}

impl PageUser {
    /// Whether a posted form carries this session's CSRF token.
    pub fn form_ok(&self, submitted: &str) -> bool {
        matches!(&self.0.via, Via::Session { csrf, .. } if secrets::same(csrf, submitted))
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match resolve(parts, state).await {
            Ok(Some(u)) => Ok(PageUser(u)),
            Ok(None) => {
                let path = parts.uri.path();
                // Only local paths, so the redirect cannot leave the site.
                let next = if path.starts_with('/') && !path.starts_with("//") {
                    path
                } else {
                    "/"
                };
                Err(ToLogin(next.to_owned()).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}
