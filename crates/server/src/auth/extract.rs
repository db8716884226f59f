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
    Session {
        token_hash: String,
        csrf: String,
    },
    /// A personal access token, by its id (for revoking it on logout).
    Bearer {
        token_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub via: Via,
}

/// The token of an `Authorization: Bearer …` value; the scheme is
/// case-insensitive (RFC 9110 §11.1), so `bearer …` works too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or(ApiError::Unauthorized)?;
        let found = runcoach_store::sessions::token_user(&state.db, &secrets::hash(token)).await?;
        return Ok(found.map(|(user, token_id)| CurrentUser {
            user,
            via: Via::Bearer { token_id },
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
impl CurrentUser {
    /// The hash of the browser session's token (`""` for a Bearer token):
    /// the session a password change keeps.
    pub fn session_hash(&self) -> &str {
        match &self.via {
            Via::Session { token_hash, .. } => token_hash,
            Via::Bearer { .. } => "",
        }
    }

    /// Only a signed-in browser session may do account-level things such
    /// as minting tokens, so a leaked token cannot perpetuate itself.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.via {
            Via::Session { .. } => Ok(()),
            Via::Bearer { .. } => Err(ApiError::Forbidden(
                "sign in with your password for this: API tokens cannot do it",
            )),
        }
    }
}

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
                let next = if super::is_local_path(path) {
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

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }
}
