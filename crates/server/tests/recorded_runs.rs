//! A run imported from a watch on the day of a planned run is matched to
//! it and shown on the session's page.

use crate::common;

use common::{App, import};
use jiff::ToSpan;
use reqwest::multipart::Part;
use serde_json::{Value, json};

#[tokio::test]
async fn imported_run_shows_on_its_planned_session() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let start = today - 14.days() - i64::from(today.weekday().to_monday_zero_offset()).days();
    let plan: Value = c
        .post(app.url("/api/v1/plans"))
        .json(&json!({
            "race": "10k", "race_date": (start + (10 * 7 - 1).days()).to_string(), "start": start.to_string(),
            "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun", "level": "experienced",
            "weekly_km": 40, "strength_days": 2
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (date, session_id) = plan["weeks"][0]["days"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|d| {
            let run = d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["kind"] == "easy")?;
            Some((
                d["date"].as_str().unwrap().to_owned(),
                run["id"].as_str().unwrap().to_owned(),
            ))
        })
        .expect("an easy run in week 1");

    let gpx = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx"),
    )
    .unwrap()
    .replace("2024-10-03T", &format!("{date}T"));
    let status = import(
        &c,
        &app.base,
        Part::bytes(gpx.into_bytes()).file_name("run.gpx"),
    )
    .await;
    assert_eq!(status["imported"], 1, "{status}");

    let page = c
        .get(app.url(&format!("/sessions/{session_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Recorded by your watch: 10.0 km · 1:05:23"),
        "{page}"
    );
    assert!(page.contains("average heart rate 121"), "{page}");
}
