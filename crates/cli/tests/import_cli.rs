//! `runcoach import` as a process, on the real files in
//! `testdata/activities/`, each test in its own data directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use runcoach_store::Db;
use runcoach_store::activities;
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/activities")
        .join(rel)
}

fn runcoach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(args)
        .env_clear()
        .env("RUNCOACH_PASSWORD", "long enough password")
        .output()
        .expect("runcoach runs")
}

/// A data directory with an athlete `ana@example.com`.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = runcoach(&[
        "admin",
        "create-user",
        "--email",
        "ana@example.com",
        "--role",
        "athlete",
        "--data-dir",
        d,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn import(dir: &Path, what: &Path) -> Value {
    let out = runcoach(&[
        "import",
        what.to_str().unwrap(),
        "--athlete",
        "ana@example.com",
        "--data-dir",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files_of(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect()
}

fn counts(report: &Value) -> (u64, u64, u64, usize) {
    (
        report["imported"].as_u64().unwrap(),
        report["duplicates"].as_u64().unwrap(),
        report["skipped"].as_u64().unwrap(),
        report["failed"].as_array().unwrap().len(),
    )
}

async fn stored(dir: &Path) -> Vec<activities::Activity> {
    let db = Db::open_sqlite_dir(dir).await.unwrap();
    let (user, _) = runcoach_store::users::by_email(&db, "ana@example.com")
        .await
        .unwrap()
        .unwrap();
    let all = activities::all(&db, &user.id).await.unwrap();
    db.close().await;
    all
}

#[tokio::test]
async fn every_fixture_file_imported_then_skipped_on_a_second_run() {
    let dir = data_dir();
    let report = import(dir.path(), &data(""));
    // 41 activity files + 4 items of the Strava export; 42 activities decoded:
    // 28 distinct, 14 the same runs again (gz copies, GPX/TCX pairs, the
    // export's copies, the chained-file variants in bad/).
    assert_eq!(report["files"], 45);
    assert_eq!(counts(&report), (28, 14, 0, 3), "{report:#}");
    assert_eq!(
        report["ignored"], 3,
        "MANIFEST.csv, README.md, the loose CSV"
    );
    assert_eq!(
        files_of(&report, "failed"),
        [
            "fit/pf__vivofit-monitoring-not-activity.fit",
            "gpx/gp__route-only-no-track.gpx",
            "workout/sdk_encoded_running_intervals.fit",
        ]
    );
    assert_eq!(
        report["failed"][0]["error"],
        "not an activity file (file type monitoring_b)"
    );
    // Each failure's kind beside its message, for callers that word it.
    let kinds: Vec<&str> = report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(kinds, ["monitoring_file", "route_only", "workout_file"]);
    // Every damaged file in bad/ yields data, and says what was lost.
    let salvaged = files_of(&report, "salvaged");
    let bad: Vec<String> = std::fs::read_dir(data("bad"))
        .unwrap()
        .map(|e| format!("bad/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert_eq!(bad.len(), 6);
    for b in &bad {
        assert!(salvaged.contains(b), "{b} not salvaged: {salvaged:?}");
    }
    let truncated = report["salvaged"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "bad/pf__truncated-eof.fit")
        .unwrap();
    assert!(
        truncated["note"].as_str().unwrap().contains("truncated"),
        "{truncated}"
    );

    let all = stored(dir.path()).await;
    assert_eq!(all.len(), 28);
    // The clean copy replaced the damaged one of the same 2012 activity.
    let hrm: Vec<_> = all
        .iter()
        .filter(|a| a.start_time_ms == Some(1_334_006_546_000))
        .collect();
    assert_eq!(hrm.len(), 1);
    assert_eq!(hrm[0].salvaged, None);
    // Totals against MANIFEST.csv (independent decoders), within 1 %.
    let fenix = all
        .iter()
        .find(|a| a.start_time_ms == Some(1_439_649_908_000))
        .expect("the Fenix 2 run");
    assert!((fenix.distance_m - 9008.22).abs() < 90.0, "{fenix:?}");
    assert!((fenix.elapsed_s - 2832.0).abs() < 28.0, "{fenix:?}");
    assert_eq!(fenix.sport.as_str(), "running");

    let again = import(dir.path(), &data(""));
    assert_eq!(counts(&again), (0, 0, 42, 3), "{again:#}");
    assert_eq!(stored(dir.path()).await.len(), 28);
}

#[tokio::test]
async fn the_strava_export_end_to_end() {
    let dir = data_dir();
    let report = import(
        dir.path(),
        &data("strava_export/export_12345678_constructed.zip"),
    );
    assert_eq!(counts(&report), (4, 0, 0, 0), "{report:#}");
    let all = stored(dir.path()).await;
    let summary: Vec<(&str, &str, Option<&str>)> = all
        .iter()
        .map(|a| (a.sport.as_str(), a.source.as_str(), a.name.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("running", "strava", Some("Evening Run, with \"quotes\"")),
            ("running", "strava", Some("Afternoon Run")),
            ("running", "strava", Some("Morning Run")),
            ("weight_training", "strava_csv", Some("Gym")),
        ]
    );
    let gym = &all[3];
    assert_eq!((gym.distance_m, gym.elapsed_s), (0.0, 3600.0));
    // Resuming: every activity of the export is known by its Strava id.
    let again = import(
        dir.path(),
        &data("strava_export/export_12345678_constructed.zip"),
    );
    assert_eq!(counts(&again), (0, 0, 4, 0), "{again:#}");
}

#[tokio::test]
async fn gzipped_copies_after_the_originals_are_duplicates() {
    let dir = data_dir();
    for folder in ["fit", "gpx", "tcx"] {
        import(dir.path(), &data(folder));
    }
    let before = stored(dir.path()).await.len();
    let report = import(dir.path(), &data("gz"));
    assert_eq!(counts(&report), (0, 3, 0, 0), "{report:#}");
    assert_eq!(stored(dir.path()).await.len(), before);
    // A single file works the same way.
    let one = import(dir.path(), &data("fit/pf__fenix2-run.fit"));
    assert_eq!(
        counts(&one),
        (0, 0, 1, 0),
        "imported before with the folder"
    );
}

#[tokio::test]
async fn a_folder_larger_than_the_decoders_window() {
    // 150 distinct files (a comment makes each copy's bytes differ) of one
    // run: one activity, 149 duplicates; more files than workers may run ahead.
    let dir = data_dir();
    let folder = tempfile::tempdir().unwrap();
    let gpx = std::fs::read(data("gpx/gp__empty-segment.gpx")).unwrap();
    for i in 0..150 {
        let mut bytes = gpx.clone();
        bytes.extend_from_slice(format!("<!-- copy {i} -->\n").as_bytes());
        std::fs::write(folder.path().join(format!("copy-{i:03}.gpx")), bytes).unwrap();
    }
    let report = import(dir.path(), folder.path());
    assert_eq!(counts(&report), (1, 149, 0, 0), "{report:#}");
    assert_eq!(stored(dir.path()).await.len(), 1);
}

#[test]
fn an_unknown_athlete_is_one_line_and_exit_2() {
    let dir = data_dir();
    let out = runcoach(&[
        "import",
        data("gz").to_str().unwrap(),
        "--athlete",
        "nobody@example.com",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no athlete with email nobody@example.com"),
        "{err}"
    );
    let missing = runcoach(&[
        "import",
        "/no/such/export.zip",
        "--athlete",
        "ana@example.com",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn the_human_summary_names_counts_and_problems() {
    let dir = data_dir();
    let out = runcoach(&[
        "import",
        data("gpx").to_str().unwrap(),
        "--athlete",
        "ana@example.com",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Imported 8 activities for ana@example.com from 9 files"),
        "{text}"
    );
    assert!(
        text.contains("Could not be read:\n  gp__route-only-no-track.gpx: no track points"),
        "{text}"
    );
    // No progress bar when stderr is not a terminal.
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains('['));
}

/// fitparser prints "ERROR: field size …" on stderr for a misaligned field
/// (a real COROS file has them); that plain text would land in the server's
/// JSON logs. The decoder reads such fields as bytes itself, so nothing is
/// printed, and the file imports whole, with no CRC complaint.
#[test]
fn a_misaligned_fit_field_prints_nothing_and_imports_whole() {
    let dir = data_dir();
    let file = data("fit/pf__coros-pace2-ride-misaligned.fit");
    let out = runcoach(&[
        "import",
        file.to_str().unwrap(),
        "--athlete",
        "ana@example.com",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing on stderr"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");
    assert!(
        !report["salvaged"].to_string().contains("CRC"),
        "the file as written is sound: {report}"
    );
    let out = runcoach(&["import", file.to_str().unwrap(), "--decode-only"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
