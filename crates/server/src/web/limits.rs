//! Limits counted per client address (and per account), kept in the
//! database so every app server shares them.

use axum::http::StatusCode;
use runcoach_app::Actor;
use runcoach_store::limits;

use crate::AppState;
use crate::client::Client;
use crate::error::ApiError;

/// Sign-up, login and "forgot password" attempts allowed per client
/// address per minute.
pub const ATTEMPTS_PER_MINUTE: i64 = 10;
pub const ADDRESS_WINDOW_MS: i64 = 60_000;

/// Counts an attempt against the client address's budget for `what`
/// (`login`, `signup`); a trusted proxy's own address is exempt.
pub async fn rate_limited(state: &AppState, client: &Client, what: &str) -> Result<(), ApiError> {
    let Some(bucket) = client.bucket(what) else {
        return Ok(());
    };
    if limits::hit(&state.db, &bucket, ADDRESS_WINDOW_MS, ATTEMPTS_PER_MINUTE).await? {
        Ok(())
    } else {
        Err(ApiError::TooMany {
            retry_after_s: ADDRESS_WINDOW_MS / 1000,
        })
    }
}

/// Coupon codes are short, so guessing is limited: 30 wrong codes a minute
/// per client address and per account (kept in the database, shared by
/// every app server), after which every code is refused for the rest of
/// the minute. Only wrong codes count, so a runner retrying a valid one
/// (or 50 tabs racing with it) is never locked out.
pub struct CodeGuard {
    buckets: Vec<String>,
}

const WRONG_CODES_PER_MINUTE: i64 = 30;

impl CodeGuard {
    pub async fn new(
        state: &AppState,
        client: &Client,
        actor: Option<&Actor>,
        has_code: bool,
    ) -> Result<Self, ApiError> {
        if !has_code {
            return Ok(CodeGuard {
                buckets: Vec::new(),
            });
        }
        let mut buckets: Vec<String> = client.bucket("coupon:ip").into_iter().collect();
        if let Some(a) = actor {
            buckets.push(format!("coupon:user:{}", a.user_id));
        }
        for bucket in &buckets {
            if limits::over(&state.db, bucket, 60_000, WRONG_CODES_PER_MINUTE).await? {
                return Err(ApiError::coded(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "too many wrong codes; wait a minute and try again",
                ));
            }
        }
        Ok(CodeGuard { buckets })
    }

    /// Counts a refused code when it looks like a guess.
    pub async fn failed(&self, state: &AppState, error: &str) -> Result<(), ApiError> {
        if matches!(error, "coupon_not_found" | "invalid_code_format") {
            for bucket in &self.buckets {
                limits::hit(&state.db, bucket, 60_000, WRONG_CODES_PER_MINUTE).await?;
            }
        }
        Ok(())
    }
}
