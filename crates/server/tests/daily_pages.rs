//! The pages of the daily loop (#17): the race page's pacing plan, the
//! activities page, deleting a log with undo, the forms' errors beside
//! their fields, and the tone of what the pages say. SQLite always,
//! PostgreSQL too when RUNCOACH_TEST_POSTGRES_URL is set.

mod common;
use common::{App, csrf_of, json_of};

use jiff::ToSpan;
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A half-marathon plan whose third week is this one (weeks 1–2 past),
/// from a 10k in 50:00.
async fn half_plan(app: &App, c: &reqwest::Client) -> Value {
    let start = today() - 14.days() - i64::from(today().weekday().to_monday_zero_offset()).days();
    let (status, plan) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&json!({
                "race": "half", "race_date": (start + (12 * 7 - 1).days()).to_string(),
                "start": start.to_string(),
                "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
                "level": "experienced", "weekly_km": 40,
                "recent": {"distance": "10k", "time": "50:00"}, "strength_days": 2
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan
}

fn sessions(plan: &Value) -> Vec<Value> {
    plan["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap().clone())
        .flat_map(|d| {
            let date = d["date"].clone();
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| {
                    let mut s = s.clone();
                    s["date"] = date.clone();
                    s
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn find(plan: &Value, kind: &str) -> Value {
    sessions(plan)
        .into_iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} session"))
}

#[tokio::test]
async fn the_race_page_splits_the_goal_time() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        let race = find(&plan, "race");
        let id = race["id"].as_str().unwrap();
        let predicted = race["duration_s"].as_u64().unwrap();
        let html = app.page(&c, &format!("/sessions/{id}")).await;
        assert!(
            html.contains("<h2 id=\"pacing-h\">Pacing plan</h2>"),
            "{backend}"
        );
        // The prediction is the default goal; 21 whole kilometres and the
        // finish.
        let goal = runcoach_core::units::format_clock(predicted as f64);
        assert!(
            html.contains(&format!("value=\"{goal}\"")),
            "{backend}: {goal}"
        );
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 22);
        assert!(html.contains("21.1 km (finish)"), "{backend}");

        // A chosen goal, negative, in miles: 13 miles and the finish, the
        // last row the goal itself.
        let html = app
            .page(
                &c,
                &format!("/sessions/{id}?goal=1:45:00&split=negative&per=mi"),
            )
            .await;
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 14);
        assert!(html.contains("13.1 mi (finish)"));
        assert!(
            html.contains("<td class=\"num\">1:45:00</td></tr>"),
            "{html}"
        );
        assert!(html.contains("the second half a little faster than the first"));

        // A goal it cannot read is said next to the field, the input kept.
        let html = app
            .page(&c, &format!("/sessions/{id}?goal=fast&split=even"))
            .await;
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"goal-error\""));
        assert!(html.contains("“fast” is not a finish time we can read"));
        assert!(html.contains("value=\"fast\""));
        assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 0);

        // Other sessions have no pacing plan.
        let easy = find(&plan, "easy");
        let html = app
            .page(&c, &format!("/sessions/{}", easy["id"].as_str().unwrap()))
            .await;
        assert!(!html.contains("Pacing plan"));
    }
}
