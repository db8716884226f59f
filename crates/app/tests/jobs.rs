//! The job worker over the real queue (SQLite, and PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set): retries then fails once, drains
//! running jobs on shutdown, and hands back what outlives the deadline.
//! The job kind here is the test's own, steered by channels, not clocks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use runcoach_app::jobs::{BoxFuture, JobError, JobKind, Worker, WorkerConfig};
use runcoach_store::jobs::{self, Job};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::{Db, now_ms};
use tokio::sync::{Notify, mpsc};

/// A kind whose attempts report that they started, then wait for `go`,
/// then end as `outcome` says.
struct Probe {
    started: mpsc::UnboundedSender<(String, i64)>,
    go: Arc<Notify>,
    outcome: fn(i64) -> Result<(), JobError>,
    failed: Arc<Mutex<Vec<(String, String)>>>,
}

impl JobKind for Probe {
    fn kind(&self) -> &'static str {
        "probe"
    }

    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let _ = self.started.send((job.id.clone(), job.attempts));
            self.go.notified().await;
            (self.outcome)(job.attempts)
        })
    }

    fn failed<'a>(&'a self, job: &'a Job, reason: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.failed
                .lock()
                .unwrap()
                .push((job.id.clone(), reason.to_owned()));
        })
    }
}

fn config(drain: Duration) -> WorkerConfig {
    WorkerConfig {
        concurrency: 1,
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(20),
        backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        drain,
    }
}

async fn enqueue(db: &Db, id: &str, max_attempts: i64) {
    let mut tx = db.begin().await.unwrap();
    jobs::enqueue(&mut tx, id, "probe", "{}", max_attempts, now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn probe(
    outcome: fn(i64) -> Result<(), JobError>,
) -> (Arc<Probe>, mpsc::UnboundedReceiver<(String, i64)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Arc::new(Probe {
            started: tx,
            go: Arc::new(Notify::new()),
            outcome,
            failed: Arc::default(),
        }),
        rx,
    )
}

async fn state_of(db: &Db, id: &str) -> (String, i64, Option<String>) {
    let j = jobs::get(db, id).await.unwrap().unwrap();
    (j.state, j.attempts, j.last_error)
}

#[tokio::test]
async fn failures_are_retried_and_the_last_one_fails_the_job_once() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        enqueue(&db, "j", 3).await;
        let (kind, mut started) = probe(|n| Err(JobError::Retry(format!("attempt {n} failed"))));
        let worker = Worker::start(
            db.clone(),
            "test",
            config(Duration::from_secs(5)),
            vec![kind.clone()],
        );
        for attempt in 1..=3 {
            assert_eq!(
                started.recv().await.unwrap(),
                ("j".into(), attempt),
                "{backend}"
            );
            kind.go.notify_one();
        }
        // The failed hook runs once the last attempt is recorded.
        while kind.failed.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        worker.drain().await;
        assert_eq!(
            *kind.failed.lock().unwrap(),
            [("j".to_owned(), "attempt 3 failed".to_owned())],
            "{backend}"
        );
        assert_eq!(
            state_of(&db, "j").await,
            ("failed".into(), 3, Some("attempt 3 failed".into())),
            "{backend}"
        );
        assert!(started.try_recv().is_err(), "{backend}: no fourth attempt");
    }
}

#[tokio::test]
async fn a_fatal_error_fails_at_once() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        enqueue(&db, "j", 5).await;
        let (kind, mut started) = probe(|_| Err(JobError::Fatal("files gone".into())));
        let worker = Worker::start(
            db.clone(),
            "test",
            config(Duration::from_secs(5)),
            vec![kind.clone()],
        );
        assert_eq!(started.recv().await.unwrap(), ("j".into(), 1));
        kind.go.notify_one();
        while kind.failed.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        worker.drain().await;
        assert_eq!(
            state_of(&db, "j").await,
            ("failed".into(), 1, Some("files gone".into())),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn shutdown_waits_for_the_running_job_and_takes_no_new_one() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        enqueue(&db, "first", 3).await;
        let (kind, mut started) = probe(|_| Ok(()));
        let worker = Worker::start(
            db.clone(),
            "test",
            config(Duration::from_secs(60)),
            vec![kind.clone()],
        );
        assert_eq!(started.recv().await.unwrap(), ("first".into(), 1));
        enqueue(&db, "second", 3).await;
        // Shutdown begins while "first" runs; it finishes, "second" waits.
        worker.stop_taking();
        kind.go.notify_one();
        worker.drain().await;
        assert_eq!(
            state_of(&db, "first").await,
            ("done".into(), 1, None),
            "{backend}"
        );
        assert_eq!(
            state_of(&db, "second").await,
            ("queued".into(), 0, None),
            "{backend}"
        );
        assert!(
            started.try_recv().is_err(),
            "{backend}: second never started"
        );
    }
}

#[tokio::test]
async fn a_job_still_running_at_the_deadline_is_handed_back_uncounted() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        enqueue(&db, "long", 1).await;
        let (kind, mut started) = probe(|_| Ok(()));
        let worker = Worker::start(
            db.clone(),
            "test",
            config(Duration::from_millis(50)),
            vec![kind.clone()],
        );
        assert_eq!(started.recv().await.unwrap(), ("long".into(), 1));
        // Never told to go: it outlives the drain deadline.
        worker.drain().await;
        let job = jobs::get(&db, "long").await.unwrap().unwrap();
        assert_eq!(
            (job.state.as_str(), job.attempts),
            ("queued", 0),
            "{backend}"
        );
        assert_eq!(job.lease_owner, None);
        assert!(job.run_after <= now_ms(), "due at once");
        assert!(kind.failed.lock().unwrap().is_empty());
    }
}
