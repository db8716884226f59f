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
