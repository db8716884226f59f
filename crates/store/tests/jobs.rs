//! The durable job queue on SQLite, and on PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set: claims race safely, leases run out,
//! attempts are bounded. Times are passed in, so nothing here sleeps.

use std::collections::HashSet;

use runcoach_store::jobs::{self, AfterFailure, Claim, Lease};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::{Db, now_ms};

const LEASE: i64 = 30_000;

async fn enqueue(db: &Db, id: &str, max_attempts: i64, at: i64) {
    let mut tx = db.begin().await.unwrap();
    jobs::enqueue(&mut tx, id, "test", "{}", max_attempts, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn leased(claim: Option<Claim>) -> (jobs::Job, Lease) {
    match claim {
        Some(Claim::Leased(job, lease)) => (job, lease),
        other => panic!("expected a lease, got {other:?}"),
    }
}

#[tokio::test]
async fn two_workers_racing_run_every_job_exactly_once() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let now = now_ms();
        let all: HashSet<String> = (0..60).map(|i| format!("job-{i:02}")).collect();
        for id in &all {
            enqueue(&db, id, 3, now).await;
        }
        // Each worker on its own pool connection, both claiming as fast as
        // they can until the queue is empty.
        let work = |name: &'static str| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut ran = Vec::new();
                while let Some(claim) = jobs::claim(&db, &["test"], name, now, LEASE).await.unwrap()
                {
                    let (job, lease) = leased(Some(claim));
                    assert_eq!((job.attempts, lease.attempt), (1, 1));
                    assert!(jobs::complete(&db, &lease, now).await.unwrap());
                    ran.push(job.id);
                }
                ran
            })
        };
        let (a, b) = (work("worker-a"), work("worker-b"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let mut ran: Vec<String> = a.iter().chain(&b).cloned().collect();
        ran.sort();
        let mut expected: Vec<String> = all.iter().cloned().collect();
        expected.sort();
        assert_eq!(ran, expected, "{backend}: each job run exactly once");
        for id in &all {
            let job = jobs::get(&db, id).await.unwrap().unwrap();
            assert_eq!((job.state.as_str(), job.attempts), ("done", 1), "{backend}");
        }
        assert!(jobs::live_ids(&db, "test").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_lease_that_runs_out_is_taken_again_and_the_old_holder_is_refused() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let t = 1_000_000;
        enqueue(&db, "import-1", 3, t).await;
        // Not due before its time.
        assert_eq!(
            jobs::claim(&db, &["test"], "a", t - 1, LEASE)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            jobs::claim(&db, &["other"], "a", t, LEASE).await.unwrap(),
            None
        );
        let (_, first) = leased(jobs::claim(&db, &["test"], "a", t, LEASE).await.unwrap());
        // Held: nobody else gets it, and the holder may extend.
        assert_eq!(
            jobs::claim(&db, &["test"], "b", t + LEASE - 1, LEASE)
                .await
                .unwrap(),
            None
        );
        assert!(
            jobs::extend(&db, &first, t + 10, t + 10 + LEASE)
                .await
                .unwrap()
        );
        assert_eq!(
            jobs::claim(&db, &["test"], "b", t + LEASE, LEASE)
                .await
                .unwrap(),
            None,
            "{backend}: the extended lease still holds"
        );
        // The holder dies; its lease runs out; another worker resumes.
        let later = t + 10 + LEASE;
        let (job, second) = leased(
            jobs::claim(&db, &["test"], "b", later, LEASE)
                .await
                .unwrap(),
        );
        assert_eq!((job.attempts, second.attempt), (2, 2), "{backend}");
        assert_eq!(job.lease_owner.as_deref(), Some("b"));
        // The old holder comes back to life: every change it tries is refused.
        assert!(
            !jobs::extend(&db, &first, later, later + LEASE)
                .await
                .unwrap()
        );
        assert!(!jobs::complete(&db, &first, later).await.unwrap());
        assert_eq!(
            jobs::fail(&db, &first, "late", later, later).await.unwrap(),
            AfterFailure::LeaseLost
        );
        assert!(jobs::complete(&db, &second, later + 1).await.unwrap());
        let job = jobs::get(&db, "import-1").await.unwrap().unwrap();
        assert_eq!((job.state.as_str(), job.attempts), ("done", 2), "{backend}");
        assert_eq!(job.lease_owner, None);
    }
}

#[tokio::test]
async fn failures_back_off_and_the_last_attempt_fails_the_job() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let t = 5_000_000;
        enqueue(&db, "j", 2, t).await;
        let (_, lease) = leased(jobs::claim(&db, &["test"], "a", t, LEASE).await.unwrap());
        assert_eq!(
            jobs::fail(&db, &lease, "disk full", t + 1, t + 2_000)
                .await
                .unwrap(),
            AfterFailure::Retry
        );
        let job = jobs::get(&db, "j").await.unwrap().unwrap();
        assert_eq!(
            (job.state.as_str(), job.run_after, job.last_error.as_deref()),
            ("queued", t + 2_000, Some("disk full")),
            "{backend}"
        );
        // Backing off: not before its time.
        assert_eq!(
            jobs::claim(&db, &["test"], "a", t + 1_999, LEASE)
                .await
                .unwrap(),
            None
        );
        let (job, lease) = leased(
            jobs::claim(&db, &["test"], "a", t + 2_000, LEASE)
                .await
                .unwrap(),
        );
        assert_eq!(job.attempts, 2);
        assert_eq!(
            jobs::fail(&db, &lease, "disk still full", t + 2_001, t + 9_000)
                .await
                .unwrap(),
            AfterFailure::Failed,
            "{backend}: the second of two attempts was the last"
        );
        let job = jobs::get(&db, "j").await.unwrap().unwrap();
        assert_eq!(
            (job.state.as_str(), job.last_error.as_deref()),
            ("failed", Some("disk still full"))
        );
        assert_eq!(
            jobs::claim(&db, &["test"], "a", t + 100_000, LEASE)
                .await
                .unwrap(),
            None,
            "{backend}: a failed job is never claimed"
        );
    }
}

#[tokio::test]
async fn a_job_whose_last_attempt_died_fails_once_with_a_reason() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let t = 7_000_000;
        enqueue(&db, "j", 1, t).await;
        let (_, _dead) = leased(jobs::claim(&db, &["test"], "a", t, LEASE).await.unwrap());
        let after = t + LEASE;
        // Two workers find the expired lease: one of them fails it.
        let (x, y) = tokio::join!(
            jobs::claim(&db, &["test"], "b", after, LEASE),
            jobs::claim(&db, &["test"], "c", after, LEASE)
        );
        let claims: Vec<Claim> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
        assert_eq!(claims.len(), 1, "{backend}: {claims:?}");
        let Claim::Exhausted(job) = &claims[0] else {
            panic!("{claims:?}")
        };
        assert_eq!(job.id, "j");
        let stored = jobs::get(&db, "j").await.unwrap().unwrap();
        assert_eq!(stored.state, "failed");
        assert_eq!(
            stored.last_error.as_deref(),
            Some("the server stopped during the last attempt")
        );
    }
}

#[tokio::test]
async fn a_released_job_is_due_at_once_and_its_attempt_not_counted() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let t = 9_000_000;
        enqueue(&db, "j", 1, t).await;
        let (_, lease) = leased(jobs::claim(&db, &["test"], "a", t, LEASE).await.unwrap());
        assert!(jobs::release(&db, &lease, t + 5).await.unwrap());
        assert!(
            !jobs::release(&db, &lease, t + 6).await.unwrap(),
            "released once"
        );
        let (job, _) = leased(
            jobs::claim(&db, &["test"], "b", t + 5, LEASE)
                .await
                .unwrap(),
        );
        assert_eq!(job.attempts, 1, "{backend}");
        assert_eq!(
            jobs::live_ids(&db, "test").await.unwrap(),
            HashSet::from(["j".to_owned()])
        );
    }
}
