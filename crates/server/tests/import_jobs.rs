//! Uploads are durable jobs: an import whose server died part-way is taken
//! again after its lease runs out and finishes, every activity stored once;
//! upload folders nobody owns are removed at start-up; a job that cannot
//! run fails with a reason. On SQLite, and on PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{api_marker, json_of};
use reqwest::StatusCode;
use runcoach_app::imports::ImportOptions;
use runcoach_app::imports::uploads::{ImportJobs, KIND, Uploads};
use runcoach_app::jobs::JobKind;
use runcoach_store::jobs::{self, Claim};
use runcoach_store::test_support::{another_pool, backends, fresh};
use runcoach_store::users::{self, Role};
use runcoach_store::{Db, activities, now_ms};
use serde_json::{Value, json};

const PASSWORD: &str = "long enough password";

/// A running `serve` over `db` keeping uploads in `data`; stopped (gracefully)
/// when the sender is dropped or sent to.
struct Server {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(db: &Db, data: &Path) -> Server {
        let config = runcoach_server::Config {
            data_dir: Some(data.to_owned()),
            jobs: runcoach_server::WorkerConfig {
                poll: Duration::from_millis(50),
                // Long, so a slow machine never makes a running attempt
                // lose its own lease (the resumed job's lease was the dying
                // server's 300 ms one).
                lease: Duration::from_secs(30),
                ..Default::default()
            },
            ..Default::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(runcoach_server::serve(
            listener,
            db.clone(),
            config,
            async move {
                let _ = stopped.await;
            },
        ));
        // Answering means the start-up sweep is over (it runs before the
        // accept loop).
        let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        Server {
            base,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }
}

/// A small GPX run on day `i` (distinct content and start, so no two are
/// duplicates of each other).
fn gpx(i: usize) -> String {
    let day = jiff::civil::date(2026, 1, 1)
        .checked_add(jiff::Span::new().days(i as i64))
        .unwrap();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><type>running</type><trkseg>
<trkpt lat="53.3000" lon="-6.2000"><time>{day}T07:00:00Z</time></trkpt>
<trkpt lat="53.3045" lon="-6.2000"><time>{day}T07:03:00Z</time></trkpt>
<trkpt lat="53.3090" lon="-6.2000"><time>{day}T07:06:00Z</time></trkpt>
</trkseg></trk></gpx>
"#
    )
}

/// Receives `n` GPX files as an upload would and queues their import job;
/// returns the job's (and import's) id.
async fn queue_upload(db: &Db, uploads: &Uploads, user: &str, n: usize) -> String {
    let incoming = uploads.incoming().unwrap();
    let files: Vec<(PathBuf, String)> = (0..n)
        .map(|i| {
            let name = format!("run-{i:03}.gpx");
            let dir = incoming.path().join(i.to_string());
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join(&name), gpx(i)).unwrap();
            (dir.join(&name), name)
        })
        .collect();
    uploads.enqueue(db, user, incoming, &files).await.unwrap()
}

async fn athlete(db: &Db, email: &str) -> String {
    users::create(
        db,
        email,
        "Ana",
        &runcoach_server::password::hash(PASSWORD),
        Role::Athlete,
    )
    .await
    .unwrap()
    .id
}

async fn signed_in(base: &str, email: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(api_marker())
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    c
}

/// The import's status once it is neither queued nor running.
async fn settled(c: &reqwest::Client, base: &str, id: &str) -> Value {
    for _ in 0..600 {
        let (s, v) = json_of(
            c.get(format!("{base}/api/v1/imports/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["status"] != "queued" && v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not settle");
}

#[tokio::test]
async fn an_import_survives_its_server_dying_mid_way_and_finishes_once() {
    const FILES: usize = 120;
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(data.path().join("uploads"));
        let ana = athlete(&db, "ana@example.com").await;
        let id = queue_upload(&db, &uploads, &ana, FILES).await;

        // The first server takes the job and dies after some files are
        // stored: its attempt is dropped mid-way and its connections closed
        // (as kill -9 would stop it: a batch whose COMMIT was on its way
        // lands now, an open one rolls back, never later), its lease left
        // to run out, the upload's folder left behind.
        let dying_db = another_pool(&db).await.unwrap();
        let dying = ImportJobs {
            db: dying_db.clone(),
            uploads: uploads.clone(),
            options: ImportOptions {
                threads: 1,
                batch_files: 1,
                ..Default::default()
            },
        };
        let Some(Claim::Leased(job, _lease)) =
            jobs::claim(&dying_db, &[KIND], "dying", now_ms(), 300)
                .await
                .unwrap()
        else {
            panic!("the queued job is claimed")
        };
        {
            let attempt = dying.run(&job);
            let some_stored = async {
                loop {
                    let import = activities::get_import(&db, &ana, &id)
                        .await
                        .unwrap()
                        .unwrap();
                    if import.done > 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            };
            tokio::select! {
                _ = attempt => panic!("{backend}: the attempt finished before it was interrupted"),
                _ = some_stored => {}
            }
        }
        dying_db.close().await;
        let before = activities::get_import(&db, &ana, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(before.status, "running", "{backend}");
        assert!(
            before.done > 0 && before.done < FILES as i64,
            "{backend}: interrupted mid-way, {} of {FILES}",
            before.done
        );
        assert!(uploads.job_dir(&id).is_dir());

        // A new server starts: the lease runs out, its worker resumes.
        let server = Server::start(&db, data.path()).await;
        let c = signed_in(&server.base, "ana@example.com").await;
        let done = settled(&c, &server.base, &id).await;
        assert_eq!(done["status"], "done", "{backend}: {done}");
        assert_eq!(
            (&done["done"], &done["total"], &done["imported"]),
            (&json!(FILES), &json!(FILES), &json!(FILES)),
            "{backend}: {done}"
        );
        assert_eq!(done["duplicates"], 0, "{backend}: {done}");
        assert_eq!(done["failed"], json!([]), "{backend}");
        let (_, list) = json_of(
            c.get(format!("{}/api/v1/activities", server.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let starts: std::collections::BTreeSet<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["start_time"].as_str().unwrap())
            .collect();
        assert_eq!(list.as_array().unwrap().len(), FILES, "{backend}");
        assert_eq!(starts.len(), FILES, "{backend}: every activity once");
        let files = activities::import_files(&db, &ana, &id, None)
            .await
            .unwrap();
        let positions: Vec<i64> = files.iter().map(|f| f.position).collect();
        assert_eq!(
            positions,
            (0..FILES as i64).collect::<Vec<_>>(),
            "{backend}"
        );
        // The job row is completed (and the folder removed) just after the
        // import is marked done.
        let mut job = jobs::get(&db, &id).await.unwrap().unwrap();
        for _ in 0..100 {
            if job.state == "done" && !uploads.job_dir(&id).exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            job = jobs::get(&db, &id).await.unwrap().unwrap();
        }
        assert_eq!(
            (job.state.as_str(), job.attempts),
            ("done", 2),
            "{backend}: taken again once, and finished (last error: {:?})",
            job.last_error
        );
        assert!(
            !uploads.job_dir(&id).exists(),
            "{backend}: a finished job's files are removed"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn folders_no_live_job_owns_are_removed_at_start_up() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(data.path().join("uploads"));
        let ana = athlete(&db, "ana@example.com").await;
        // A job waiting for its time (a retry backing off) owns its folder.
        let waiting = "0197a000-0000-7000-8000-000000000001";
        std::fs::create_dir_all(uploads.job_dir(waiting).join("0")).unwrap();
        std::fs::write(uploads.job_dir(waiting).join("0/a.gpx"), gpx(0)).unwrap();
        let mut tx = db.begin().await.unwrap();
        let payload = json!({"user_id": ana, "files": [{"path": "0/a.gpx", "name": "a.gpx"}]});
        jobs::enqueue(
            &mut tx,
            waiting,
            KIND,
            &payload.to_string(),
            3,
            now_ms() + 3_600_000,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // A finished job's folder (its server died before removing it), a
        // folder no job ever owned, and an upload cut off while arriving.
        let finished = queue_upload(&db, &uploads, &ana, 1).await;
        runcoach_store::test_support::execute(
            &db,
            &format!("UPDATE jobs SET state = 'done' WHERE id = '{finished}'"),
        )
        .await
        .unwrap();
        std::fs::create_dir_all(uploads.root().join("never-a-job/0")).unwrap();
        std::fs::create_dir_all(uploads.root().join("incoming-cut-off/0")).unwrap();
        std::fs::write(uploads.root().join("incoming-cut-off/0/b.fit"), b"half").unwrap();

        let server = Server::start(&db, data.path()).await;
        let mut left: Vec<String> = std::fs::read_dir(uploads.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [waiting], "{backend}");
        assert!(uploads.job_dir(waiting).join("0/a.gpx").is_file());
        server.stop().await;
    }
}

#[tokio::test]
async fn a_job_whose_files_are_gone_fails_with_a_reason() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(data.path().join("uploads"));
        let ana = athlete(&db, "ana@example.com").await;
        let id = queue_upload(&db, &uploads, &ana, 2).await;
        std::fs::remove_dir_all(uploads.job_dir(&id)).unwrap();
        // Removed after the sweep would have: the job is live, so the
        // sweep keeps nothing away from it; its worker finds no files.
        let server = Server::start(&db, data.path()).await;
        let c = signed_in(&server.base, "ana@example.com").await;
        let failed = settled(&c, &server.base, &id).await;
        assert_eq!(failed["status"], "failed", "{backend}: {failed}");
        assert_eq!(
            failed["error"],
            "the import could not finish (the upload's files are not on this server); \
             upload the files again: those already imported are skipped",
            "{backend}"
        );
        let job = jobs::get(&db, &id).await.unwrap().unwrap();
        assert_eq!(
            (job.state.as_str(), job.attempts),
            ("failed", 1),
            "{backend}: no attempt can mend missing files"
        );
        server.stop().await;
    }
}
