//! The worker that runs durable jobs (`store::jobs`): it claims due jobs of
//! the kinds it knows, holds each one's lease by extending it while the job
//! runs, retries failures with exponential backoff, fails a job for good
//! after its last attempt, and on shutdown takes no new jobs and waits for
//! the running ones up to a deadline (what is still running then is handed
//! back, so the next server resumes it at once).
//!
//! Every app server may run a worker on the same database: a claim is a
//! conditional update, so each attempt belongs to one worker, and a worker
//! that loses its lease (it stalled past it) stops its job.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use runcoach_store::jobs::{self, AfterFailure, Claim, Job, Lease};
use runcoach_store::{Db, now_ms};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

/// A boxed future, what a job kind's methods return (trait objects cannot
/// have `async fn`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// Worth another attempt (the database was away, a disk was full).
    Retry(String),
    /// No attempt can mend it (the job's files are gone).
    Fatal(String),
}

/// One kind of job: how to run an attempt, and what to do when the job
/// has failed for good.
pub trait JobKind: Send + Sync + 'static {
    fn kind(&self) -> &'static str;

    /// One attempt. Must be safe to run again after an attempt that died
    /// part-way (the job resumes or redoes its work idempotently).
    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;

    /// Called once when the job has failed for good, with why: after its
    /// last attempt failed, or when its last attempt died with its server.
    fn failed<'a>(&'a self, job: &'a Job, reason: &'a str) -> BoxFuture<'a, ()>;
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at once by this worker.
    pub concurrency: usize,
    /// How long a claim holds; extended every third of it while running.
    pub lease: Duration,
    /// How often the queue is looked at when nothing woke the worker.
    pub poll: Duration,
    /// Wait before the second attempt; doubled for each later one.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// On shutdown, how long running jobs may take to finish.
    pub drain: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 2,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(2),
            backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(600),
            drain: Duration::from_secs(20),
        }
    }
}

/// How long to wait after failed attempt number `attempt` (1-based).
pub fn backoff(config: &WorkerConfig, attempt: i64) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    config
        .backoff
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(config.max_backoff)
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A running worker: wake it when a job was enqueued here, drain it on
/// shutdown.
pub struct Worker {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// What a worker's tasks share.
struct Shared {
    db: Db,
    name: String,
    config: WorkerConfig,
    kinds: HashMap<&'static str, Arc<dyn JobKind>>,
}

impl Worker {
    /// Starts a worker named `label` (made unique) over `kinds`.
    pub fn start(
        db: Db,
        label: &str,
        config: WorkerConfig,
        kinds: Vec<Arc<dyn JobKind>>,
    ) -> Worker {
        let shared = Arc::new(Shared {
            db,
            name: jobs::worker_name(label),
            config,
            kinds: kinds.into_iter().map(|k| (k.kind(), k)).collect(),
        });
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(shared, Arc::clone(&wake), stopped));
        Worker { wake, stop, task }
    }

    /// A handle that wakes the worker (a job was just enqueued).
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Takes no more jobs from now on (the running ones go on).
    pub fn stop_taking(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops taking jobs, waits for the running ones up to the drain
    /// deadline and hands back what is still running then.
    pub async fn drain(self) {
        self.stop_taking();
        let _ = self.task.await;
    }
}

async fn run(shared: Arc<Shared>, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(shared.config.concurrency));
    let (hard_stop, hard_stopped) = watch::channel(false);
    let mut running = JoinSet::new();
    let kinds: Vec<&'static str> = shared.kinds.keys().copied().collect();
    'taking: loop {
        while running.try_join_next().is_some() {}
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break 'taking,
            },
            _ = stopped.wait_for(|s| *s) => break 'taking,
        };
        if *stopped.borrow() {
            break;
        }
        let lease_ms = ms(shared.config.lease);
        match jobs::claim(&shared.db, &kinds, &shared.name, now_ms(), lease_ms).await {
            Ok(Some(Claim::Leased(job, lease))) => {
                let shared = Arc::clone(&shared);
                let hard = hard_stopped.clone();
                running.spawn(async move {
                    attempt(&shared, job, lease, hard).await;
                    drop(permit);
                });
                continue;
            }
            Ok(Some(Claim::Exhausted(job))) => {
                let reason = job.last_error.clone().unwrap_or_default();
                tracing::warn!(job_id = %job.id, kind = %job.kind, "job failed: its last attempt died with its server");
                if let Some(k) = shared.kinds.get(job.kind.as_str()) {
                    k.failed(&job, &reason).await;
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming a job failed"),
        }
        drop(permit);
        tokio::select! {
            _ = tokio::time::sleep(shared.config.poll) => {}
            _ = wake.notified() => {}
            _ = stopped.wait_for(|s| *s) => break,
        }
    }
    // Draining: the running jobs finish, up to the deadline; then they are
    // told to hand their jobs back, which they do at once.
    let drained = tokio::time::timeout(shared.config.drain, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        let _ = hard_stop.send(true);
        while running.join_next().await.is_some() {}
    }
}

/// Runs one attempt of a leased job, extending its lease meanwhile, and
/// records the outcome.
async fn attempt(shared: &Shared, job: Job, lease: Lease, mut hard_stop: watch::Receiver<bool>) {
    let Some(kind) = shared.kinds.get(job.kind.as_str()) else {
        return;
    };
    let db = &shared.db;
    let lease_ms = ms(shared.config.lease);
    let mut heartbeat =
        tokio::time::interval((shared.config.lease / 3).max(Duration::from_millis(10)));
    heartbeat.tick().await;
    let mut work = kind.run(&job);
    enum Next {
        Done(Result<(), JobError>),
        Beat,
        Stop,
    }
    let outcome = loop {
        let next = tokio::select! {
            outcome = &mut work => Next::Done(outcome),
            _ = heartbeat.tick() => Next::Beat,
            _ = hard_stop.wait_for(|s| *s) => Next::Stop,
        };
        match next {
            Next::Done(outcome) => break outcome,
            Next::Beat => {
                let now = now_ms();
                match jobs::extend(db, &lease, now, now.saturating_add(lease_ms)).await {
                    Ok(true) => {}
                    Ok(false) => {
                        // Another worker holds it now: its outcome counts.
                        tracing::warn!(job_id = %job.id, "job lease lost; stopping this attempt");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(job_id = %job.id, error = %e, "extending a job lease failed")
                    }
                }
            }
            Next::Stop => {
                // Dropped first, so its open transaction (if any) rolls back
                // before the job is handed back; whatever it stored stays.
                drop(work);
                match jobs::release(db, &lease, now_ms()).await {
                    Ok(_) => tracing::info!(job_id = %job.id, "shutdown deadline: job handed back"),
                    Err(e) => {
                        tracing::warn!(job_id = %job.id, error = %e, "handing a job back failed; its lease will run out")
                    }
                }
                return;
            }
        }
    };
    let now = now_ms();
    let after = match &outcome {
        Ok(()) => match jobs::complete(db, &lease, now).await {
            Ok(true) => return,
            Ok(false) => {
                tracing::warn!(job_id = %job.id, "job finished after its lease was lost");
                return;
            }
            Err(e) => {
                // The lease runs out and the job runs again: a kind's run is
                // safe to repeat.
                tracing::warn!(job_id = %job.id, error = %e, "marking a job done failed");
                return;
            }
        },
        Err(JobError::Retry(reason)) => {
            let wait = ms(backoff(&shared.config, lease.attempt));
            tracing::warn!(job_id = %job.id, kind = %job.kind, attempt = lease.attempt, reason = %reason, "job attempt failed");
            jobs::fail(db, &lease, reason, now, now.saturating_add(wait)).await
        }
        Err(JobError::Fatal(reason)) => {
            tracing::warn!(job_id = %job.id, kind = %job.kind, reason = %reason, "job failed for good");
            jobs::give_up(db, &lease, reason, now).await
        }
    };
    match after {
        Ok(AfterFailure::Failed) => {
            let reason = match &outcome {
                Err(JobError::Retry(r) | JobError::Fatal(r)) => r.as_str(),
                Ok(()) => "",
            };
            kind.failed(&job, reason).await;
        }
        Ok(AfterFailure::Retry | AfterFailure::LeaseLost) => {}
        Err(e) => tracing::warn!(job_id = %job.id, error = %e, "recording a failed attempt failed"),
    }
}
