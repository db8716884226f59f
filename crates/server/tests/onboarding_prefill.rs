//! Imported history pre-fills the onboarding wizard.

use crate::common;

use common::{App, import};
use reqwest::multipart::Part;
use serde_json::Value;

#[tokio::test]
async fn onboarding_is_prefilled_from_imported_runs() {
    let app = App::start("sqlite").await;
    let base = app.base.clone();
    let c = app.signup("ana@example.com").await;

    let before = c
        .get(format!("{base}/onboarding"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(before.contains("Import it first"), "no history yet");

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx");
    let part = Part::bytes(std::fs::read(path).unwrap()).file_name("run.gpx");
    let status = import(&c, &base, part).await;
    assert_eq!(
        (status["status"].as_str(), status["imported"].as_u64()),
        (Some("done"), Some(1)),
        "{status}"
    );

    let history: Value = c
        .get(format!("{base}/api/v1/history"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = c
        .get(format!("{base}/onboarding"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Filled in from your 1 imported run:"),
        "{page}"
    );
    // The shared file is years old: no recent volume or race to offer, so
    // the form keeps its defaults and says why; the level still comes over.
    assert_eq!(history["runs"], 1, "{history}");
    assert!(history["recent"].is_null(), "{history}");
    assert!(
        page.contains("no runs in the four full weeks before this one"),
        "{page}"
    );
    assert!(
        page.contains("name=\"weekly_km\" inputmode=\"decimal\" required value=\"20\""),
        "default kept"
    );

    // The same 10 km run moved to ten days ago is recent: it becomes the
    // form's recent race, and its distance counts towards weekly volume.
    let ten_days_ago = (jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        - jiff::Span::new().days(10))
    .to_string();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx"),
    )
    .unwrap()
    .replace("2024-10-03T", &format!("{ten_days_ago}T"));
    let part = Part::bytes(text.into_bytes()).file_name("recent.gpx");
    import(&c, &base, part).await;
    let history: Value = c
        .get(format!("{base}/api/v1/history"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let recent = &history["recent"];
    assert!(
        recent["distance"].as_str().unwrap().ends_with('k'),
        "{history}"
    );
    let page = c
        .get(format!("{base}/onboarding"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Filled in from your 2 imported runs"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "value=\"{}\"",
            recent["distance"].as_str().unwrap()
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("value=\"{}\"", recent["time"].as_str().unwrap())),
        "{page}"
    );

    // Imported runs count on the progress page like logged ones (an easy
    // RPE assumed): the 10 km shows as done volume and as load.
    let progress: Value = c
        .get(format!("{base}/api/v1/progress?weeks=4"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let weeks = progress["weeks"].as_array().unwrap();
    let done: f64 = weeks.iter().map(|w| w["done_km"].as_f64().unwrap()).sum();
    let load: f64 = weeks.iter().map(|w| w["load"].as_f64().unwrap()).sum();
    assert!((done - 10.0).abs() < 0.1, "{progress}");
    assert!(load > 0.0, "{progress}");
}
