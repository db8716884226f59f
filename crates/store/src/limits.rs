//! Fixed-window rate limits kept in the database, so every app server
//! sharing it enforces the same budget.

use crate::{Db, StoreError, now_ms, on_db};

/// Counts a hit on `bucket`; `true` while the bucket has had at most `max`
/// hits in the current window of `window_ms`.
pub async fn hit(db: &Db, bucket: &str, window_ms: i64, max: i64) -> Result<bool, StoreError> {
    let now = now_ms();
    let hits: i64 = on_db!(db, pool => sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.hits + 1 END, \
           window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END \
         RETURNING hits",
    )
    .bind(bucket)
    .bind(now)
    .bind(now - window_ms)
    .fetch_one(pool)
    .await)?;
    Ok(hits <= max)
}

/// Whether `bucket` already had more than `max` hits in the current window
/// of `window_ms`, without counting one (for limits that count only
/// failures, such as wrong coupon codes, but refuse everything once over).
pub async fn over(db: &Db, bucket: &str, window_ms: i64, max: i64) -> Result<bool, StoreError> {
    let hits: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start >= $2",
    )
    .bind(bucket)
    .bind(now_ms() - window_ms)
    .fetch_optional(pool)
    .await)?;
    Ok(hits.is_some_and(|h| h > max))
}

/// Whether a login attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Go ahead; it already counts as a failure until
    /// [`clear_failures`] says otherwise.
    Allowed,
    /// The account is locked until this time (unix ms).
    Locked { until: i64 },
}

/// Claims one password attempt at `account`, counted as a failure before
/// the password is checked: so a burst of concurrent guesses is counted
/// one by one, and each further failure locks the account for
/// `backoff(failures)` ms. Failures older than `forget_after_ms` no longer
/// count.
pub async fn claim_attempt(
    db: &Db,
    account: &str,
    forget_after_ms: i64,
    backoff: impl Fn(i64) -> i64,
) -> Result<Attempt, StoreError> {
    // Compare-and-swap on the count: of concurrent attempts one wins each
    // round, and the others read the new count (and lock) and try again.
    for _ in 0..16 {
        let now = now_ms();
        let row: Option<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
            "SELECT failures, last_failure_at, locked_until FROM login_failures WHERE account = $1",
        )
        .bind(account)
        .fetch_optional(pool)
        .await)?;
        let Some((failures, last, locked_until)) = row else {
            // First attempt (or the row was just purged): a row to swap on.
            on_db!(db, pool => sqlx::query(
                "INSERT INTO login_failures (account, failures, last_failure_at, locked_until) \
                 VALUES ($1, 0, $2, 0) ON CONFLICT (account) DO NOTHING",
            )
            .bind(account)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))?;
            continue;
        };
        if locked_until > now {
            return Ok(Attempt::Locked {
                until: locked_until,
            });
        }
        let counted = if last < now - forget_after_ms {
            0
        } else {
            failures
        };
        let claimed = on_db!(db, pool => sqlx::query(
            "UPDATE login_failures SET failures = $1, last_failure_at = $2, locked_until = $3 \
             WHERE account = $4 AND failures = $5 AND last_failure_at = $6",
        )
        .bind(counted + 1)
        .bind(now)
        .bind(now + backoff(counted + 1))
        .bind(account)
        .bind(failures)
        .bind(last)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed == 1 {
            return Ok(Attempt::Allowed);
        }
    }
    // Lost every round: others are hammering this account right now.
    Ok(Attempt::Locked {
        until: now_ms() + 1000,
    })
}

/// Forgets an account's failures after a successful login.
pub async fn clear_failures(db: &Db, account: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("DELETE FROM login_failures WHERE account = $1")
        .bind(account)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Deletes rate-limit windows that started before `windows_before` and
/// login failures last seen before `failures_before` and no longer locking;
/// how many rows went.
pub async fn purge(db: &Db, windows_before: i64, failures_before: i64) -> Result<u64, StoreError> {
    let windows = on_db!(db, pool => sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(windows_before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    let failures = on_db!(db, pool => sqlx::query(
        "DELETE FROM login_failures WHERE last_failure_at < $1 AND locked_until < $2",
    )
    .bind(failures_before)
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(windows + failures)
}
