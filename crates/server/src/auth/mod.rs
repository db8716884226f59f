//! Who is asking: sessions (cookie) for browsers, personal access tokens
//! (`Authorization: Bearer`) for scripts; passwords (argon2id) are
//! `app::accounts::password`, shared with the CLI.

mod extract;
pub use runcoach_app::accounts::password;
pub mod secrets;

pub use extract::{CurrentUser, MaybeUser, PageUser, Via};

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::response::{AppendHeaders, IntoResponse};

use crate::AppState;

pub const SESSION_COOKIE: &str = "rc_session";
pub const CSRF_COOKIE: &str = "rc_csrf";
/// Sessions last 30 days.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// Whether `next` is a page of this site to go to after logging in: an
/// absolute path ("/…") that is not scheme-relative ("//host", "/\\host")
/// and holds only visible ASCII. Browsers drop tabs and newlines from a
/// `Location`, so "/\t/evil.example" would become "//evil.example"; and
/// such bytes cannot go in a header at all.
pub fn is_local_path(next: &str) -> bool {
    let b = next.as_bytes();
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn set_cookie(state: &AppState, name: &str, value: &str, max_age_s: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// Starts a session for `user_id`; returns the `Set-Cookie` header value.
pub async fn start_session(
    state: &AppState,
    user_id: &str,
) -> Result<String, runcoach_store::StoreError> {
    let token = secrets::new_secret();
    let csrf = secrets::new_secret();
    runcoach_store::sessions::create_session(
        &state.db,
        &secrets::hash(&token),
        user_id,
        &csrf,
        SESSION_TTL_MS,
    )
    .await?;
    Ok(set_cookie(
        state,
        SESSION_COOKIE,
        &token,
        SESSION_TTL_MS / 1000,
    ))
}

/// Ends the session the request carries, if any; returns the clearing cookie.
pub async fn end_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<String, runcoach_store::StoreError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        runcoach_store::sessions::delete_session(&state.db, &secrets::hash(token)).await?;
    }
    Ok(set_cookie(state, SESSION_COOKIE, "", 0))
}

/// The CSRF token a form must carry: the session's own token when signed
/// in, else a double-submit cookie (set here when missing).
pub fn form_token(
    state: &AppState,
    user: &MaybeUser,
    headers: &HeaderMap,
) -> (String, Option<String>) {
    if let Some(Via::Session { csrf, .. }) = user.0.as_ref().map(|u| &u.via) {
        return (csrf.clone(), None);
    }
    match cookie(headers, CSRF_COOKIE) {
        Some(existing) if existing.len() == 64 => (existing.to_owned(), None),
        _ => {
            let fresh = secrets::new_secret();
            let header = set_cookie(state, CSRF_COOKIE, &fresh, 24 * 3600);
            (fresh, Some(header))
        }
    }
}

/// Whether a submitted form's token matches what `form_token` handed out.
pub fn form_token_ok(user: &MaybeUser, headers: &HeaderMap, submitted: &str) -> bool {
    let expected = match user.0.as_ref().map(|u| &u.via) {
        Some(Via::Session { csrf, .. }) => Some(csrf.as_str()),
        _ => cookie(headers, CSRF_COOKIE),
    };
    expected.is_some_and(|e| secrets::same(e, submitted))
}

/// Adds an optional `Set-Cookie` to a response.
pub fn with_cookie(
    cookie: Option<String>,
    response: impl IntoResponse,
) -> axum::response::Response {
    match cookie {
        Some(c) => (AppendHeaders([(SET_COOKIE, c)]), response).into_response(),
        None => response.into_response(),
    }
}
