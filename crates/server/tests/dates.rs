//! Dates at the calendar's edges are refused with a 422 naming the field,
//! never a panic: every date the product accepts lies in 1900–2100, and a
//! plan's race within two years of today.

use crate::common;

use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn plan(race_date: &str) -> Value {
    json!({
        "race": "half", "race_date": race_date, "weeks": 12,
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
        "level": "first-timer", "weekly_km": 20, "strength_days": 2
    })
}

fn in_years(years: i16) -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().years(years).days(1))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn edge_dates_are_refused_on_every_route_that_takes_one() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        for race_date in [
            "9999-12-31",
            "-009999-01-01",
            "1899-12-31",
            &in_years(2),
            &in_years(-2),
        ] {
            let (s, err) = json_of(
                c.post(app.url("/api/v1/plans"))
                    .json(&plan(race_date))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("race_date")),
                "{backend} {race_date}: {err}"
            );
        }
        let (s, stored) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&plan(&in_years(1)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {stored}");

        for (path, field) in [
            ("/api/v1/today?date=-009999-01-01", "date"),
            ("/api/v1/today?date=9999-12-31", "date"),
            ("/api/v1/logs?from=-009999-01-01", "from"),
            ("/api/v1/logs?to=9999-12-31", "to"),
            ("/api/v1/activities?from=9999-12-31", "from"),
            ("/api/v1/history?date=0001-01-01", "date"),
        ] {
            let (s, err) = json_of(c.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{backend} {path}: {err}"
            );
        }
        for date in ["9999-12-31", "-009999-01-01", "1899-12-31"] {
            let (s, err) = json_of(
                c.post(app.url("/api/v1/logs"))
                    .json(
                        &json!({"date": date, "status": "done", "kind": "run", "duration_s": 1800}),
                    )
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {date}: {err}"
            );
            assert_eq!(err["fields"][0]["field"], "date", "{err}");
        }

        // The onboarding form refuses the same race date with the answers kept.
        let html = c
            .get(app.url("/onboarding"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = c
            .post(app.url("/onboarding"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("race", "half"),
                ("race_date", "9999-12-31"),
                ("start", "9999-10-01"),
                ("day_tue", "on"),
                ("day_thu", "on"),
                ("day_sun", "on"),
                ("long_run_day", "sun"),
                ("week_start", "mon"),
                ("level", "first-timer"),
                ("weekly_km", "20"),
                ("strength_days", "2"),
                ("units", "km"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{backend}");

        // The server is still up and the stored plan still reads back.
        let (s, _) = json_of(c.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
    }
}
