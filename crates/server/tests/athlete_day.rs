//! The runner's own day: preferences over `PATCH /api/v1/me`, "today" in
//! their time zone, and each planned session's status. Both databases.

mod common;
use common::{App, json_of};

use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::json;

#[tokio::test]
async fn patch_me_saves_preferences_and_names_bad_fields() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (s, me) = json_of(
            c.patch(app.url("/api/v1/me"))
                .json(
                    &json!({"name": " Ana B ", "units": "mi", "time_zone": "America/New_York",
                              "week_start": "sun", "start_times": "sat=08:00,tue=6:30"}),
                )
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {me}");
        assert_eq!(
            (
                &me["name"],
                &me["units"],
                &me["time_zone"],
                &me["week_start"],
                &me["start_times"]
            ),
            (
                &json!("Ana B"),
                &json!("mi"),
                &json!("America/New_York"),
                &json!("sun"),
                &json!("tue=06:30,sat=08:00")
            ),
            "{backend}"
        );
        // Stored, not just echoed; fields left out keep their value.
        let (_, again) = json_of(
            c.patch(app.url("/api/v1/me"))
                .json(&json!({"units": "km"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let (_, read) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(again, read);
        assert_eq!(
            (&read["units"], &read["time_zone"]),
            (&json!("km"), &json!("America/New_York"))
        );

        // An unknown zone is refused by name, and nothing else is saved.
        let (s, err) = json_of(
            c.patch(app.url("/api/v1/me"))
                .json(&json!({"name": "Changed", "time_zone": "Europe/Atlantis"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(err["error"], "invalid_input");
        assert_eq!(err["fields"][0]["field"], "time_zone", "{err}");
        let (s, err) = json_of(
            c.patch(app.url("/api/v1/me"))
                .json(&json!({"units": "furlongs", "week_start": "someday", "start_times": "mon=25:00"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = err["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["units", "week_start", "start_times"]);
        let (_, read) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(read["name"], "Ana B");
        // Unknown fields are refused too, as everywhere in the API.
        let r = c
            .patch(app.url("/api/v1/me"))
            .json(&json!({"email": "other@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.client()
                .patch(app.url("/api/v1/me"))
                .json(&json!({"units": "mi"}))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

/// A zone whose date differs from UTC's right now: far east when UTC is
/// past 10:00 (already tomorrow there), far west before 11:00 (still
/// yesterday), so the test means something at any hour it runs.
fn zone_off_utc() -> (&'static str, jiff::civil::Date) {
    let now = jiff::Timestamp::now();
    let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
    let zone = if utc.hour() >= 10 {
        "Pacific/Kiritimati"
    } else {
        "Pacific/Pago_Pago"
    };
    let local = now.to_zoned(jiff::tz::TimeZone::get(zone).unwrap()).date();
    assert_ne!(local, utc.date());
    (zone, local)
}

#[tokio::test]
async fn today_is_the_athletes_own_date() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let utc = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let (_, t) = json_of(c.get(app.url("/api/v1/today")).send().await.unwrap()).await;
        // Without a zone, UTC (allow for a test that straddles midnight).
        assert!(
            t["date"] == utc.to_string() || t["date"] == utc.tomorrow().unwrap().to_string(),
            "{t}"
        );
        let (zone, local) = zone_off_utc();
        let r = c
            .patch(app.url("/api/v1/me"))
            .json(&json!({"time_zone": zone}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, t) = json_of(c.get(app.url("/api/v1/today")).send().await.unwrap()).await;
        assert_eq!(t["date"], local.to_string(), "{backend} {zone}");
        // The Today page and the log form's default date agree.
        let page = c
            .get(app.url("/today"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&local.strftime("%a %-d %b").to_string()),
            "{zone}"
        );
        let form = c
            .get(app.url("/log"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains(&format!("value=\"{local}\"")), "{zone}");
    }
}
