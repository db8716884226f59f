//! Workouts drawn, movements illustrated, the follow-along and the
//! library's filters, over real HTTP; both databases.

use crate::common;
use common::{App, csrf_of, json_of};

use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A stored half-marathon plan with hip sessions and quality runs, begun
/// two weeks ago (its first sessions are past and can be logged).
async fn plan(app: &App, c: &reqwest::Client) -> Value {
    use jiff::ToSpan;
    let start = today() - 14.days() - i64::from(today().weekday().to_monday_zero_offset()).days();
    let (s, body) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&json!({
                "race": "half", "race_date": (start + (14 * 7 - 1).days()).to_string(), "start": start.to_string(),
                "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
                "level": "experienced", "weekly_km": 40, "recent": {"distance": "10k", "time": "50:00"},
                "strength_days": 2, "equipment": ["band", "bench"]
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}: {body}", app.backend);
    body
}

/// The first session matching `pred`, as JSON.
fn first(plan: &Value, pred: impl Fn(&Value) -> bool) -> Value {
    plan["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .find(|s| pred(s))
        .cloned()
        .expect("such a session")
}

#[tokio::test]
async fn a_quality_run_is_drawn_and_every_step_has_time_distance_and_target() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = plan(&app, &c).await;
        let run = first(&plan, |s| {
            s["kind"] == "intervals" && s["steps"].as_array().is_some_and(|a| a.len() == 3)
        });
        let html = app
            .page(&c, &format!("/sessions/{}", run["id"].as_str().unwrap()))
            .await;
        assert!(
            html.contains(r#"<svg class="workout k-intervals""#) && html.contains(r#"role="img""#),
            "{backend}: the drawing"
        );
        let drawing = html
            .split(r#"<svg class="workout k-intervals""#)
            .nth(1)
            .unwrap();
        let label = drawing.split("aria-label=\"").nth(1).unwrap();
        assert!(label.starts_with("Intervals, about "), "{backend}: {label}");
        // Recoveries in words, never a clock that reads as a pace.
        let reps = &run["steps"][1];
        let jog_s = reps["steps"][1]["duration_s"].as_u64().unwrap();
        let spelled = if jog_s % 60 == 0 {
            format!("{} min jog", jog_s / 60)
        } else if jog_s < 60 {
            format!("{jog_s} s jog")
        } else {
            format!("{} min {} s jog", jog_s / 60, jog_s % 60)
        };
        assert!(html.contains(&spelled), "{backend}: {spelled}");
        assert!(html.contains("warm-up") && html.contains("cool-down"));
        let n = reps["times"].as_u64().unwrap();
        assert!(html.contains(&format!("<strong>{n} times:</strong>")));
        // Every step's line names a target: three plain steps, two in the repeat.
        assert_eq!(
            html.matches(r#"<span class="target">"#).count(),
            4,
            "{backend}"
        );
        // The calendar draws quality days small.
        let cal = app
            .page(&c, &format!("/plans/{}", plan["id"].as_str().unwrap()))
            .await;
        assert!(cal.contains(r#"<svg class="workout-mini""#), "{backend}");
    }
}

#[tokio::test]
async fn a_hip_session_shows_its_movements_drawn_and_its_kit_and_is_followed_to_done() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = plan(&app, &c).await;
        let hips = first(&plan, |s| s["kind"] == "strength");
        let id = hips["id"].as_str().unwrap();
        let moves = hips["exercises"].as_array().unwrap();
        let html = app.page(&c, &format!("/sessions/{id}")).await;
        assert_eq!(
            html.matches(r#"<svg class="figure" "#).count(),
            moves.len() + hips["activation"].as_array().map_or(0, Vec::len),
            "{backend}: a figure per movement"
        );
        assert!(html.contains("<dt>Kit</dt>"), "{backend}");
        assert!(html.contains(&format!("href=\"/sessions/{id}/follow\"")));

        let follow = app.page(&c, &format!("/sessions/{id}/follow")).await;
        assert_eq!(follow.matches(r#"<li class="move""#).count(), moves.len());
        assert!(follow.contains(r#"<script src="/static/follow.js" defer></script>"#));
        assert_eq!(
            follow.matches(r#"class="figure figure-move""#).count(),
            moves.len()
        );
        for m in moves {
            assert!(
                follow.contains(&format!("data-sets=\"{}\"", m["sets"])),
                "{backend}"
            );
        }
        // The script is served by the binary, as JavaScript.
        let js = c.get(app.url("/static/follow.js")).send().await.unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );

        // The follow page's own form logs the session as done.
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), csrf_of(&follow)),
            ("status".into(), "done".into()),
            ("minutes".into(), "22".into()),
        ];
        for m in moves {
            form.push((format!("ex_{}", m["id"].as_str().unwrap()), "on".into()));
        }
        let r = c
            .post(app.url(&format!("/sessions/{id}/log")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, today_plan) = json_of(
            c.get(app.url(&format!("/api/v1/plans/{}", plan["id"].as_str().unwrap())))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let after = first(&today_plan, |s| s["id"] == hips["id"]);
        assert_eq!(after["status"], "done", "{backend}");

        // Another athlete's session, and a run, have no follow-along.
        let other = app.signup("ben@example.com").await;
        let r = other
            .get(app.url(&format!("/sessions/{id}/follow")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
        let run = first(&plan, |s| s["kind"] == "long");
        let r = c
            .get(app.url(&format!("/sessions/{}/follow", run["id"].as_str().unwrap())))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
    }
}

#[tokio::test]
async fn every_exercise_page_draws_its_movement() {
    let app = App::start("sqlite").await;
    let c = app.client();
    for e in runcoach_core::exercises::library() {
        let html = app.page(&c, &format!("/exercises/{}", e.id)).await;
        assert!(
            html.contains(r#"<svg class="figure" viewBox="0 "#)
                && html.contains(r#" role="img" aria-label=""#),
            "{}",
            e.id
        );
        assert!(
            html.contains(r#"<svg class="figure figure-move""#),
            "{}",
            e.id
        );
        assert!(html.contains("<animate "), "{}", e.id);
    }
}

#[tokio::test]
async fn the_library_searches_and_filters_without_javascript() {
    let app = App::start("sqlite").await;
    let c = app.client();
    let names = |html: &str| -> Vec<String> {
        html.split("<li><a href=\"/exercises/")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_owned())
            .collect()
    };
    let all = app.page(&c, "/exercises").await;
    assert_eq!(names(&all).len(), runcoach_core::exercises::library().len());
    for heading in [
        "<h2>Side of the hip (abductors)</h2>",
        "<h2>Single-leg control</h2>",
        "<h2>Front of the hip (hip flexors)</h2>",
    ] {
        assert!(all.contains(heading), "{heading}");
    }

    let adductors = names(&app.page(&c, "/exercises?family=adductors").await);
    assert_eq!(
        adductors,
        [
            "side_lying_adductor_raise",
            "copenhagen_plank",
            "adductor_ball_squeeze"
        ]
    );
    // Nothing at hand: no band, no bench.
    for id in names(&app.page(&c, "/exercises?kit=none").await) {
        assert!(
            runcoach_core::exercises::find(&id)
                .unwrap()
                .equipment
                .is_empty(),
            "{id}"
        );
    }
    let knee = names(&app.page(&c, "/exercises?niggle=knee").await);
    assert!(knee.contains(&"clamshell".to_owned()) && !knee.contains(&"reverse_lunge".to_owned()));
    assert_eq!(
        names(&app.page(&c, "/exercises?q=plank").await),
        ["copenhagen_plank", "side_plank_leg_lift"]
    );
    // Read as a runner means it: a plural finds the singular's movements,
    // a niggle's everyday name finds what helps it (not every movement
    // whose how-to mentions a knee or a band).
    let glutes = names(&app.page(&c, "/exercises?q=glutes").await);
    assert!(
        glutes.contains(&"single_leg_glute_bridge".to_owned()),
        "{glutes:?}"
    );
    assert_eq!(glutes, names(&app.page(&c, "/exercises?q=glute").await));
    let runners_knee = names(&app.page(&c, "/exercises?q=runner%27s+knee").await);
    assert_eq!(runners_knee, knee);
    let it_band = names(&app.page(&c, "/exercises?q=it+band").await);
    assert!(!it_band.is_empty(), "{it_band:?}");
    assert!(
        !it_band.contains(&"banded_standing_march".to_owned()),
        "{it_band:?}"
    );
    assert_eq!(it_band, names(&app.page(&c, "/exercises?niggle=itb").await));
    // Combined, and the choices kept in the form.
    let html = app
        .page(&c, "/exercises?q=bridge&family=extensors&kit=none")
        .await;
    assert_eq!(names(&html), ["single_leg_glute_bridge"]);
    assert!(html.contains(r#"<option value="extensors" selected>"#));
    assert!(html.contains(r#"value="bridge""#));

    let r = c
        .get(app.url("/exercises?family=glutes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("There is no movement family called &#39;glutes&#39;"),
        "{html}"
    );
    assert_eq!(
        names(&html).len(),
        runcoach_core::exercises::library().len()
    );
}
