//! The durable job queue: one row per job in `jobs`, leased by a worker.
//!
//! Why a leased-row table and not a queue crate (apalis and its SQL
//! backends): the queue has to behave the same on SQLite and PostgreSQL
//! under the one `Db` the rest of the store uses, inside our migrations and
//! our transactions (an import's row and its job are created together),
//! with several app servers on one database. Every state change here is a
//! conditional `UPDATE` whose affected rows are checked, which is portable
//! (no `SKIP LOCKED`, no `RETURNING`) and is all a queue of a few jobs a
//! minute needs.
//!
//! A claim names the attempt it made (`attempts` after the claim): a worker
//! whose lease ran out and was claimed again by someone else finds its
//! heartbeat and its finish refused (zero rows) and stops.

use std::collections::HashSet;

use crate::{Db, StoreError, Tx, new_id, on_db, on_tx};

/// A job as a worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_after: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    kind: String,
    payload: String,
    state: String,
    attempts: i64,
    max_attempts: i64,
    run_after: i64,
    lease_owner: Option<String>,
    lease_until: Option<i64>,
    last_error: Option<String>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            state: r.state,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_after: r.run_after,
            lease_owner: r.lease_owner,
            lease_until: r.lease_until,
            last_error: r.last_error,
        }
    }
}

const COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_after, \
     lease_owner, lease_until, last_error";

/// Who holds a job, and on which attempt: what every later change names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: String,
    pub owner: String,
    pub attempt: i64,
}

/// What a claim got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The job is this worker's until its lease runs out.
    Leased(Job, Lease),
    /// A job whose last allowed attempt died with its server: it is now
    /// `failed` (by this worker, once), for the kind to clean up after.
    Exhausted(Job),
}

/// A new job, `queued`, due at `run_after`; `id` is the caller's (a job
/// may own things named after it, such as an upload's folder).
pub async fn enqueue(
    tx: &mut Tx,
    id: &str,
    kind: &str,
    payload: &str,
    max_attempts: i64,
    run_after: i64,
) -> Result<(), StoreError> {
    let now = crate::now_ms();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_after, \
         created_at, updated_at) VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(kind)
    .bind(payload)
    .bind(max_attempts.max(1))
    .bind(run_after)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)
}

/// A new worker's name: unique per process start, so a restarted server
/// never mistakes its predecessor's leases for its own.
pub fn worker_name(label: &str) -> String {
    format!("{label}:{}", new_id())
}

/// Claims the next due job of one of `kinds` for `owner` until
/// `now + lease_ms`: a queued job whose time has come, or a leased one
/// whose lease ran out (its server died). Several workers may race; each
/// job goes to exactly one (a conditional update, rows checked).
pub async fn claim(
    db: &Db,
    kinds: &[&str],
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<Option<Claim>, StoreError> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE kind IN ({}) AND \
         ((state = 'queued' AND run_after <= $1) OR (state = 'leased' AND lease_until <= $1)) \
         ORDER BY run_after, created_at, id LIMIT 8",
        crate::placeholders(2, kinds.len())
    );
    // Lost races are retried with fresh candidates a few times; a worker
    // that keeps losing simply finds the queue empty this round.
    for _ in 0..4 {
        let candidates: Vec<Job> = on_db!(db, pool => {
            let mut q = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql.clone())).bind(now);
            for k in kinds {
                q = q.bind(*k);
            }
            q.fetch_all(pool).await
        })?
        .into_iter()
        .map(Job::from)
        .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        for job in candidates {
            if let Some(claim) = take(db, job, owner, now, lease_ms).await? {
                return Ok(Some(claim));
            }
        }
    }
    Ok(None)
}

/// Takes one candidate if it is still as it was read.
async fn take(
    db: &Db,
    job: Job,
    owner: &str,
    now: i64,
    lease_ms: i64,
) -> Result<Option<Claim>, StoreError> {
    // Both conditions name the attempt that was read, so of two workers
    // reading the same row only the first update matches.
    const DUE: &str = "id = $1 AND attempts = $2 AND \
         ((state = 'queued' AND run_after <= $3) OR (state = 'leased' AND lease_until <= $3))";
    if job.attempts >= job.max_attempts {
        let error = "the server stopped during the last attempt".to_owned();
        let sql = format!(
            "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, \
             last_error = $4, updated_at = $3, finished_at = $3 WHERE {DUE}"
        );
        let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&job.id)
            .bind(job.attempts)
            .bind(now)
            .bind(&error)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        return Ok((n == 1).then(|| {
            Claim::Exhausted(Job {
                state: "failed".into(),
                lease_owner: None,
                lease_until: None,
                last_error: Some(error),
                ..job
            })
        }));
    }
    let until = now.saturating_add(lease_ms);
    let sql = format!(
        "UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_owner = $4, \
         lease_until = $5, updated_at = $3 WHERE {DUE}"
    );
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&job.id)
        .bind(job.attempts)
        .bind(now)
        .bind(owner)
        .bind(until)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(None);
    }
    let attempt = job.attempts + 1;
    let lease = Lease {
        job_id: job.id.clone(),
        owner: owner.to_owned(),
        attempt,
    };
    Ok(Some(Claim::Leased(
        Job {
            state: "leased".into(),
            attempts: attempt,
            lease_owner: Some(owner.to_owned()),
            lease_until: Some(until),
            ..job
        },
        lease,
    )))
}

/// The condition every holder's change carries: still leased, by this
/// owner, on this attempt.
const HELD: &str = "id = $1 AND lease_owner = $2 AND attempts = $3 AND state = 'leased'";

/// Extends a held lease to `until`; `false` when the lease is no longer
/// this worker's (it ran out and another worker took the job).
pub async fn extend(db: &Db, lease: &Lease, now: i64, until: i64) -> Result<bool, StoreError> {
    let sql = format!("UPDATE jobs SET lease_until = $4, updated_at = $5 WHERE {HELD}");
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&lease.job_id)
        .bind(&lease.owner)
        .bind(lease.attempt)
        .bind(until)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The job is done; `false` when the lease was lost first (someone else
/// now runs it, and their outcome counts).
pub async fn complete(db: &Db, lease: &Lease, now: i64) -> Result<bool, StoreError> {
    let sql = format!(
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, \
         updated_at = $4, finished_at = $4 WHERE {HELD}"
    );
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&lease.job_id)
        .bind(&lease.owner)
        .bind(lease.attempt)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again, due at the given time.
    Retry,
    /// That was the last attempt: the job is `failed`.
    Failed,
    /// The lease was lost first; nothing changed.
    LeaseLost,
}

/// Records a failed attempt: queued again at `retry_at` while attempts
/// remain, `failed` after the last one.
pub async fn fail(
    db: &Db,
    lease: &Lease,
    error: &str,
    now: i64,
    retry_at: i64,
) -> Result<AfterFailure, StoreError> {
    let retry = format!(
        "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, \
         last_error = $4, run_after = $5, updated_at = $6 WHERE {HELD} AND attempts < max_attempts"
    );
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(retry))
        .bind(&lease.job_id)
        .bind(&lease.owner)
        .bind(lease.attempt)
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 1 {
        return Ok(AfterFailure::Retry);
    }
    give_up(db, lease, error, now).await
}

/// Fails a held job for good, attempts left or not (an error retrying
/// cannot mend, such as missing files).
pub async fn give_up(
    db: &Db,
    lease: &Lease,
    error: &str,
    now: i64,
) -> Result<AfterFailure, StoreError> {
    let sql = format!(
        "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, \
         last_error = $4, updated_at = $5, finished_at = $5 WHERE {HELD}"
    );
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&lease.job_id)
        .bind(&lease.owner)
        .bind(lease.attempt)
        .bind(error)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(if n == 1 {
        AfterFailure::Failed
    } else {
        AfterFailure::LeaseLost
    })
}

/// Hands a held job back unfinished (a graceful shutdown ran out of time):
/// queued and due now, the attempt not counted, so the next server resumes
/// it at once instead of waiting for the lease to run out.
pub async fn release(db: &Db, lease: &Lease, now: i64) -> Result<bool, StoreError> {
    let sql = format!(
        "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, \
         lease_until = NULL, run_after = $4, updated_at = $4 WHERE {HELD}"
    );
    let n = on_db!(db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&lease.job_id)
        .bind(&lease.owner)
        .bind(lease.attempt)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One job by id.
pub async fn get(db: &Db, id: &str) -> Result<Option<Job>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    let row = on_db!(db, pool => sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(Job::from))
}

/// Ids of the jobs of `kind` still to run or running (queued or leased):
/// what owns files on disk.
pub async fn live_ids(db: &Db, kind: &str) -> Result<HashSet<String>, StoreError> {
    let ids = on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT id FROM jobs WHERE kind = $1 AND state IN ('queued', 'leased')",
    )
    .bind(kind)
    .fetch_all(pool)
    .await)?;
    Ok(ids.into_iter().collect())
}
