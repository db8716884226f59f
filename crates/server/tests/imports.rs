//! Imports over real HTTP: upload, background job, status, activities,
//! history and the pages, on SQLite and (when configured) PostgreSQL.

use crate::common;
use common::{App, json_of};

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use runcoach_store::test_support::{backends, fresh};
use serde_json::{Value, json};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/activities")
        .join(rel)
}

fn part(rel: &str) -> Part {
    let path = data(rel);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Part::bytes(std::fs::read(&path).unwrap()).file_name(name)
}

/// Polls an import until it is no longer queued or running.
async fn finished(app: &App, c: &reqwest::Client, id: &str) -> Value {
    for _ in 0..300 {
        let (s, v) = json_of(
            c.get(app.url(&format!("/api/v1/imports/{id}")))
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
    panic!("import {id} did not finish");
}

#[tokio::test]
async fn upload_poll_and_list_activities() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let form = Form::new()
            .part(
                "files",
                part("strava_export/export_12345678_constructed.zip"),
            )
            .part("files", part("gz/pf__fenix2-run.fit.gz"))
            .part("files", part("bad/pf__truncated-eof.fit"))
            .part("files", part("fit/pf__vivofit-monitoring-not-activity.fit"));
        let (s, started) = json_of(
            ana.post(app.url("/api/v1/imports"))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{backend}: {started}");
        let id = started["id"].as_str().unwrap().to_owned();
        let done = finished(&app, &ana, &id).await;
        // The export's 4 activities, the Fenix run again (a duplicate of the
        // export's 2001.fit.gz), the truncated file salvaged, the monitoring
        // file refused.
        assert_eq!(done["status"], "done", "{backend}: {done}");
        assert_eq!(
            (
                &done["total"],
                &done["done"],
                &done["imported"],
                &done["duplicates"]
            ),
            (&json!(7), &json!(7), &json!(5), &json!(1)),
            "{backend}: {done}"
        );
        assert_eq!(
            done["failed"],
            json!([{"file": "pf__vivofit-monitoring-not-activity.fit",
                    "error": "not an activity file (file type monitoring_b)",
                    "kind": "monitoring_file"}])
        );
        assert_eq!(done["salvaged"][0]["file"], "pf__truncated-eof.fit");

        let (s, list) = json_of(
            ana.get(app.url("/api/v1/activities?from=2012-01-01&to=2015-12-31"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let list = list.as_array().unwrap();
        let starts: Vec<&str> = list
            .iter()
            .map(|a| a["start_time"].as_str().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "2012-04-09T21:22:26Z",
                "2012-12-26T21:29:53Z",
                "2015-08-15T14:45:08Z",
                "2015-10-01T11:31:59Z"
            ],
            "{backend}"
        );
        let fenix = &list[2];
        assert_eq!(fenix["sport"], "running");
        assert!(
            (fenix["distance_m"].as_f64().unwrap() - 9008.22).abs() < 1.0,
            "{fenix}"
        );
        assert_eq!(fenix["elapsed_s"], 2832.0);
        assert!(fenix["avg_hr"].as_i64().is_some());
        let (s, one_day) = json_of(
            ana.get(app.url("/api/v1/activities?from=2024-01-02&to=2024-01-02"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, one_day[0]["sport"].as_str()),
            (StatusCode::OK, Some("weight_training"))
        );
        assert_eq!(one_day.as_array().unwrap().len(), 1);
        let (s, bad) = json_of(
            ana.get(app.url("/api/v1/activities?from=2024-02-30&to=soon"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad["fields"].as_array().unwrap().len(), 2, "{bad}");

        // History as of the day after the last 2015 run.
        let (s, history) = json_of(
            ana.get(app.url("/api/v1/history?date=2015-10-02"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{history}");
        assert_eq!(history["runs"], 4, "{history}");
        // Longest of the last 6 weeks: the 5 km of Oct 1 (Aug 15 is 7 weeks back).
        assert!(
            (history["longest_run_km"].as_f64().unwrap() - 5.235).abs() < 0.01,
            "{history}"
        );
        assert!(
            (history["longest_run_ever_km"].as_f64().unwrap() - 9.008).abs() < 0.01,
            "{history}"
        );
        assert_eq!(history["best_effort"]["date"], "2015-08-15", "{history}");
        assert_eq!(history["level"], "first_timer", "{history}");
        assert!(history["vdot"].as_f64().unwrap() > 25.0, "{history}");
        assert!(
            history["recent"]["distance"]
                .as_str()
                .unwrap()
                .ends_with('k')
        );

        // Another athlete: the import is not found and nothing is theirs.
        let bo = app.signup("bo@example.com").await;
        let r = bo
            .get(app.url(&format!("/api/v1/imports/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, theirs) =
            json_of(bo.get(app.url("/api/v1/activities")).send().await.unwrap()).await;
        assert_eq!(theirs, json!([]));
        let r = bo
            .get(app.url(&format!("/imports/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // Uploading the same files again: everything skipped.
        let again = Form::new().part("files", part("gz/pf__fenix2-run.fit.gz"));
        let (_, started) = json_of(
            ana.post(app.url("/api/v1/imports"))
                .multipart(again)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let done = finished(&app, &ana, started["id"].as_str().unwrap()).await;
        assert_eq!(
            (&done["imported"], &done["skipped"]),
            (&json!(0), &json!(1)),
            "{done}"
        );
    }
}

#[tokio::test]
async fn uploads_need_a_user_and_files() {
    let app = App::start("sqlite").await;
    let anonymous = reqwest::Client::new();
    let r = anonymous
        .post(app.url("/api/v1/imports"))
        .multipart(Form::new().part("files", part("gz/pf__fenix2-run.fit.gz")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let ana = app.signup("ana@example.com").await;
    let (s, v) = json_of(
        ana.post(app.url("/api/v1/imports"))
            .multipart(Form::new().text("note", "no files"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["field"], "files");
    let r = ana
        .get(app.url("/api/v1/imports/01234567-89ab-7def-8123-456789abcdef"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_upload_page_works_without_javascript() {
    let app = App::start("sqlite").await;
    let ana = app.signup("ana@example.com").await;
    let page = ana.get(app.url("/imports")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"enctype="multipart/form-data""#), "{html}");
    assert!(!html.contains("<script"), "no inline scripts");
    let marker = r#"name="csrf" value=""#;
    let at = html.find(marker).unwrap() + marker.len();
    let csrf = html[at..].split('"').next().unwrap().to_owned();
    assert_eq!(csrf.len(), 64);

    // A wrong token is refused before anything is imported.
    let r = ana
        .post(app.url("/imports"))
        .multipart(
            Form::new()
                .text("csrf", "forged")
                .part("files", part("tcx/tp__fr410-run-3laps.tcx")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = ana
        .post(app.url("/imports"))
        .multipart(
            Form::new()
                .text("csrf", csrf)
                .part("files", part("tcx/tp__fr410-run-3laps.tcx"))
                .part("files", part("gpx/gp__route-only-no-track.gpx")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/imports/"), "{location}");
    let id = location.trim_start_matches("/imports/");
    finished(&app, &ana, id).await;
    let status = ana.get(app.url(&location)).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    assert!(
        status.headers().get("refresh").is_none(),
        "done: no refresh"
    );
    let html = status.text().await.unwrap();
    assert!(html.contains("Import done"), "{html}");
    assert!(
        html.contains("2 of 2 files read · imported: 1 · already there: 0 · could not be read: 1"),
        "{html}"
    );
    assert!(html.contains("tp__fr410-run-3laps.tcx"));
    assert!(
        html.contains("This GPX file holds a route or waypoints, not a recorded run."),
        "{html}"
    );
    let list = ana
        .get(app.url("/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains(&format!("/imports/{id}")),
        "recent imports listed"
    );
}

// ---------------------------------------------------------------- the engine on a big export

const CSV_HEADER: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename,Elapsed Time,Moving Time,Distance\n";

/// `xml` made bigger than the engine holds in memory
/// (`strava::Limits::max_held_bytes`, 4 MiB) by comments after its
/// declaration, which do not compress much (so no ratio cap trips).
fn padded(xml: &[u8]) -> Vec<u8> {
    let at = xml.windows(2).position(|w| w == b"?>").unwrap() + 2;
    let mut out = xml[..at].to_vec();
    let mut x = 0x2545_f491_u64;
    while out.len() < 5 << 20 {
        out.extend_from_slice(b"\n<!-- ");
        for _ in 0..32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(format!("{:016x}", x).as_bytes());
        }
        out.extend_from_slice(b" -->");
    }
    out.extend_from_slice(&xml[at..]);
    out
}

/// A Strava export larger than the engine's windows: 150 listed copies of one
/// run (plain and gzipped, so one activity and 147 duplicates) with two other
/// runs among them, a damaged file and a missing one (both kept from the CSV),
/// three manual activities, an unlisted file and a bad CSV row. One of the
/// runs and the unlisted file are over 4 MiB: decoded by the export's
/// reader as it reads them, not handed to the other workers.
fn big_export(dir: &Path) -> PathBuf {
    use std::io::Write;
    let gpx = std::fs::read(data("gpx/gg__fr620-5k-noHR.gpx")).unwrap();
    let gpx_gz = std::fs::read(data("gz/gg__fr620-5k-noHR.gpx.gz")).unwrap();
    let fit_gz = std::fs::read(data("gz/pf__fenix2-run.fit.gz")).unwrap();
    let tcx = padded(&std::fs::read(data("tcx/tp__fr410-run-3laps.tcx")).unwrap());
    let unlisted = padded(&std::fs::read(data("gpx/gp__multi-track-no-ele.gpx")).unwrap());
    let mut csv = CSV_HEADER.to_owned();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 1..=150u32 {
        let (file, bytes, name) = match i {
            70 => ("activities/70.fit.gz".to_owned(), fit_gz.clone(), "Fenix"),
            140 => ("activities/140.tcx".to_owned(), tcx.clone(), "Laps"),
            _ if i % 2 == 0 => (format!("activities/{i}.gpx.gz"), gpx_gz.clone(), "Copy"),
            _ => (format!("activities/{i}.gpx"), gpx.clone(), "Copy"),
        };
        csv.push_str(&format!(
            "{},\"Aug 15, 2015, 2:45:08 PM\",{name} {i},Run,,,{file},,,\n",
            1000 + i
        ));
        entries.push((file, bytes));
    }
    csv.push_str(
        "2001,\"Jan 1, 2030, 7:00:00 AM\",Broken,Run,1800,5.00,activities/broken.fit,1800.0,1790.0,5000.0\n\
         2002,\"Jan 2, 2030, 7:00:00 AM\",Lost,Run,1800,6.00,activities/lost.gpx,1800.0,1790.0,6000.0\n\
         x,\"Jan 3, 2030, 7:00:00 AM\",Bad id,Run,,,,,,\n",
    );
    for d in 4..=6 {
        csv.push_str(&format!(
            "{},\"Jan {d}, 2030, 7:00:00 AM\",Gym,Weight Training,3600,,,3600.0,3600.0,\n",
            3000 + d
        ));
    }
    entries.insert(
        75,
        ("activities/broken.fit".into(), b"not a FIT file".to_vec()),
    );
    entries.insert(100, ("activities/unlisted.gpx".into(), unlisted));
    let path = dir.join("export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("activities.csv", options).unwrap();
    zip.write_all(csv.as_bytes()).unwrap();
    for (name, bytes) in entries {
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

type Files = Vec<(i64, String, String, i64, i64, Option<String>)>;

async fn run_engine(
    db: &runcoach_store::Db,
    user: &str,
    zip: &Path,
    threads: usize,
) -> (runcoach_app::imports::ImportReport, Files) {
    use runcoach_app::imports::{self as importer, ImportOptions};
    use runcoach_store::activities;
    let (work, _) = importer::plan_work(&[(zip.to_owned(), "export.zip".into())]).unwrap();
    let id = activities::create_import(db, user, "cli").await.unwrap();
    let options = ImportOptions {
        threads,
        batch_files: 16,
        ..Default::default()
    };
    let report = importer::run_import(db, user, &id, work, &options, &|_| {})
        .await
        .unwrap();
    let files = activities::import_files(db, user, &id, None)
        .await
        .unwrap()
        .into_iter()
        .map(|f| {
            (
                f.position,
                f.file,
                f.status.as_str().to_owned(),
                f.activities,
                f.duplicates,
                f.error,
            )
        })
        .collect();
    (report, files)
}

#[tokio::test]
async fn an_export_decodes_on_every_worker_in_export_order_and_resumes() {
    use runcoach_store::{activities, users};
    let dir = tempfile::tempdir().unwrap();
    let zip = big_export(dir.path());
    for backend in backends() {
        let mut first_files: Option<Files> = None;
        for threads in [1, 2, 4] {
            let (db, _guard) = fresh(backend).await.unwrap();
            let user = users::create(&db, "ana@example.com", "Ana", "x", users::Role::Athlete)
                .await
                .unwrap();
            let (report, files) = run_engine(&db, &user.id, &zip, threads).await;
            let counts = (
                report.files,
                report.imported,
                report.duplicates,
                report.skipped,
            );
            // 150 listed + broken + unlisted + lost + 3 manual + bad row; the
            // copies are one activity, the others one each.
            assert_eq!(counts, (157, 9, 147, 0), "{backend} {threads}: {report:#?}");
            let failed: Vec<&str> = report.failed.iter().map(|p| p.file.as_str()).collect();
            assert_eq!(failed, ["export.zip/activities.csv line 154"], "{backend}");
            let salvaged: Vec<&str> = report.salvaged.iter().map(|s| s.file.as_str()).collect();
            assert_eq!(
                salvaged,
                [
                    "export.zip/activities.csv (activity 2001)",
                    "export.zip/activities.csv (activity 2002)"
                ],
                "{backend}"
            );
            // The first copy in the export's order is the one stored.
            let stored = activities::all(&db, &user.id).await.unwrap();
            let names: Vec<Option<&str>> = stored.iter().map(|a| a.name.as_deref()).collect();
            assert!(names.contains(&Some("Copy 1")), "{names:?}");
            assert!(!names.contains(&Some("Copy 2")), "{names:?}");
            assert!(names.contains(&Some("Fenix 70")) && names.contains(&Some("Laps 140")));
            assert_eq!(stored.len(), 9);
            // The same files in the same order whatever the thread count.
            assert_eq!(files[0].1, "export.zip/activities.csv line 154");
            assert_eq!(files[1].1, "export.zip/activities/1.gpx");
            assert_eq!(files[76].1, "export.zip/activities.csv (activity 2001)");
            match &first_files {
                None => first_files = Some(files),
                Some(want) => assert_eq!(&files, want, "{backend} with {threads} threads"),
            }

            // Resuming: everything but the bad row is known, nothing stored twice.
            let (again, _) = run_engine(&db, &user.id, &zip, threads).await;
            assert_eq!(
                (
                    again.imported,
                    again.duplicates,
                    again.skipped,
                    again.failed.len()
                ),
                (0, 0, 156, 1),
                "{backend} {threads}: {again:#?}"
            );
            assert_eq!(activities::all(&db, &user.id).await.unwrap().len(), 9);
        }
    }
}

/// The same file twice in one upload (an export unzipped twice) is decoded
/// once; the copy is reported as skipped, not as a duplicate activity.
#[tokio::test]
async fn the_same_file_twice_in_one_upload_is_decoded_once() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let form = Form::new()
            .part("files", part("gpx/gg__fr620-5k-noHR.gpx"))
            .part(
                "files",
                part("gpx/gg__fr620-5k-noHR.gpx").file_name("copy.gpx"),
            );
        let (s, started) = json_of(
            ana.post(app.url("/api/v1/imports"))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{backend}: {started}");
        let done = finished(&app, &ana, started["id"].as_str().unwrap()).await;
        assert_eq!(
            (
                &done["total"],
                &done["imported"],
                &done["skipped"],
                &done["duplicates"]
            ),
            (&json!(2), &json!(1), &json!(1), &json!(0)),
            "{backend}: {done}"
        );
    }
}
