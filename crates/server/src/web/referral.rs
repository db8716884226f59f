//! The referral cookie and the hashed client address the affiliate
//! program keeps; sign-ups from the API and the pages record them alike.

use axum::http::HeaderMap;
use runcoach_app::affiliates;
use runcoach_store::now_ms;

use crate::AppState;
use crate::auth::{self, secrets};
use crate::client::Client;
use crate::error::ApiError;

/// The first-party cookie that remembers a referral click (its id).
pub const REF_COOKIE: &str = "rc_ref";

/// The client's address as the affiliate tables keep it: hashed with the
/// installation's pepper.
pub async fn address_hash(state: &AppState, client: &Client) -> Result<String, ApiError> {
    let pepper = match state.address_pepper.get() {
        Some(p) => p.clone(),
        None => {
            let stored = runcoach_store::affiliates::installation_secret(
                &state.db,
                "address_pepper",
                &secrets::new_secret(),
                now_ms(),
            )
            .await?;
            state.address_pepper.get_or_init(|| stored).clone()
        }
    };
    let ip = client
        .ip
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    Ok(secrets::hash(&format!("{pepper}:{ip}")))
}

/// The referral click the request's cookie names, unchecked (the app
/// checks it is still valid where it is used).
pub fn held_click(headers: &HeaderMap) -> Option<&str> {
    auth::cookie(headers, REF_COOKIE).filter(|v| !v.is_empty() && v.len() <= 64)
}

/// A new account: its hashed address is kept and a valid referral cookie
/// binds it. A failure here never fails the sign-up; it is logged.
pub async fn on_signup(state: &AppState, user_id: &str, client: &Client, headers: &HeaderMap) {
    let address = match address_hash(state, client).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = ?e, user = user_id, "referral at sign-up not recorded");
            return;
        }
    };
    if let Err(e) =
        affiliates::on_signup(&state.db, user_id, held_click(headers), &address, now_ms()).await
    {
        tracing::error!(error = %e, user = user_id, "referral at sign-up not recorded");
    }
}
