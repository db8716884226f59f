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

/// Until when (unix ms) logins to `account` are refused; `None` when not.
pub async fn locked_until(db: &Db, account: &str) -> Result<Option<i64>, StoreError> {
    let until: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT locked_until FROM login_failures WHERE account = $1 AND locked_until > $2",
    )
    .bind(account)
    .bind(now_ms())
    .fetch_optional(pool)
    .await)?;
    Ok(until)
}

/// Counts a failed login to `account` and locks it for `backoff(failures)`
/// ms from now. Failures older than `forget_after_ms` no longer count.
/// Returns the failure count.
pub async fn record_failure(
    db: &Db,
    account: &str,
    forget_after_ms: i64,
    backoff: impl Fn(i64) -> i64,
) -> Result<i64, StoreError> {
    let now = now_ms();
    // One atomic upsert counts the failure, so concurrent failures are all
    // counted; the lock then only ever moves later.
    let failures: i64 = on_db!(db, pool => sqlx::query_scalar(
        "INSERT INTO login_failures (account, failures, last_failure_at, locked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (account) DO UPDATE SET \
           failures = CASE WHEN login_failures.last_failure_at < $3 THEN 1 \
                      ELSE login_failures.failures + 1 END, \
           last_failure_at = $2 \
         RETURNING failures",
    )
    .bind(account)
    .bind(now)
    .bind(now - forget_after_ms)
    .fetch_one(pool)
    .await)?;
    let until = now + backoff(failures);
    if until > now {
        on_db!(db, pool => sqlx::query(
            "UPDATE login_failures SET locked_until = $1 WHERE account = $2 AND locked_until < $1",
        )
        .bind(until)
        .bind(account)
        .execute(pool)
        .await
        .map(|_| ()))?;
    }
    Ok(failures)
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
