//! Plan templates over HTTP on SQLite and PostgreSQL: a coach saves a plan
//! (or some weeks of it) and applies it to an athlete, anchored on their
//! race date, at their paces, under the guardrails.

use crate::common;

use common::{App, json_of};
use jiff::ToSpan;
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use runcoach_store::users::Role;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A Sunday about `weeks` weeks from today.
fn race_in(weeks: i64) -> jiff::civil::Date {
    let d = today().checked_add((weeks * 7).days()).unwrap();
    d.nth_weekday(1, jiff::civil::Weekday::Sunday).unwrap()
}

async fn post(c: &reqwest::Client, app: &App, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(c.post(app.url(path)).json(&body).send().await.unwrap()).await
}

async fn id_of(app: &App, c: &reqwest::Client) -> String {
    let (_, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    me["id"].as_str().unwrap().to_owned()
}

fn half(race_date: jiff::civil::Date, ten_k: &str) -> Value {
    json!({"race": "half", "race_date": race_date.to_string(), "weeks": 12,
           "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
           "level": "experienced", "weekly_km": 40.0, "strength_days": 2,
           "recent": {"distance": "10k", "time": ten_k}})
}

/// A coach, a plan of theirs and an athlete with an in-person package
/// (the relationship templates need) and a paced plan of their own.
async fn setup(backend: &'static str) -> (App, reqwest::Client, String, reqwest::Client, String) {
    let app = App::start(backend).await;
    let admin = app.user_with_role("boss@example.com", Role::Admin).await;
    let coach = app.user_with_role("coach@example.com", Role::Coach).await;
    let coach_id = id_of(&app, &coach).await;
    let (status, plan) = post(&coach, &app, "/api/v1/plans", half(race_in(13), "50:00")).await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let (_, package) = post(
        &admin,
        &app,
        "/api/v1/admin/products",
        json!({"slug": "in-person", "name": "In person", "kind": "coaching_package",
               "price_minor": 1000, "currency": "USD", "coach_id": coach_id, "sessions": 1}),
    )
    .await;
    let ana = app.signup("ana@example.com").await;
    let (_, order) = post(
        &ana,
        &app,
        "/api/v1/orders",
        json!({"items": [{"product_id": package["id"]}]}),
    )
    .await;
    let r = admin
        .post(app.url(&format!(
            "/api/v1/admin/orders/{}/mark-paid",
            order["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = post(&ana, &app, "/api/v1/plans", half(race_in(20), "42:00")).await;
    assert_eq!(status, StatusCode::CREATED);
    let ana_id = id_of(&app, &ana).await;
    (
        app,
        coach,
        plan["id"].as_str().unwrap().to_owned(),
        ana,
        ana_id,
    )
}

#[tokio::test]
async fn a_coach_applies_a_template_on_the_athletes_race_at_the_athletes_paces() {
    for backend in backends() {
        let (app, coach, plan_id, ana, ana_id) = setup(backend).await;
        let (status, template) = post(
            &coach,
            &app,
            "/api/v1/coach/templates",
            json!({"plan_id": plan_id, "name": "Spring half"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{backend}: {template}");
        assert_eq!(
            (template["weeks"].as_i64(), template["paced"].as_bool()),
            (Some(12), Some(true))
        );
        let (_, list) = json_of(
            coach
                .get(app.url("/api/v1/coach/templates"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list[0]["name"], "Spring half");
        let apply = format!(
            "/api/v1/coach/templates/{}/apply",
            template["id"].as_str().unwrap()
        );

        // A dry run shows the plan on Ana's race at Ana's paces.
        let race = race_in(16);
        let (status, dry) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race.to_string(), "dry_run": true}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{dry}");
        assert!(dry["plan_id"].is_null());
        assert_eq!(dry["plan"]["race"]["date"], race.to_string());
        let (_, ana_plans) = json_of(ana.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(
            ana_plans.as_array().unwrap().len(),
            1,
            "a dry run saves nothing"
        );
        let (_, own) = json_of(
            ana.get(app.url(&format!(
                "/api/v1/plans/{}",
                ana_plans[0]["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap(),
        )
        .await;
        let (_, coach_plan) = json_of(
            coach
                .get(app.url(&format!("/api/v1/plans/{plan_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            dry["plan"]["paces"]["threshold"], own["paces"]["threshold"],
            "{backend}"
        );
        assert!(
            own["paces"]["threshold"].as_u64() < coach_plan["paces"]["threshold"].as_u64(),
            "Ana is faster"
        );
        let last_week = dry["plan"]["weeks"].as_array().unwrap().last().unwrap();
        assert_eq!(
            last_week["days"].as_array().unwrap().last().unwrap()["date"],
            race.to_string()
        );

        // Saved: 201 and Ana's newest plan, unless it breaks a rule the
        // coach did not accept.
        // A whole generated plan, moved and re-paced, breaks no rule.
        assert_eq!(dry["violations"], json!([]), "{backend}");
        let (status, saved) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race.to_string()}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        assert!(saved["plan_id"].is_string());
        let (_, ana_plans) = json_of(ana.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(ana_plans.as_array().unwrap().len(), 2, "{backend}");
        assert_eq!(
            ana_plans
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["race_date"] == race.to_string())
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn a_few_weeks_of_a_plan_break_rules_and_need_accepting() {
    for backend in backends() {
        let (app, coach, plan_id, ana, ana_id) = setup(backend).await;
        // The last three weeks alone: a taper without the build before it.
        let (status, template) = post(
            &coach,
            &app,
            "/api/v1/coach/templates",
            json!({"plan_id": plan_id, "from_week": 10, "to_week": 12}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{template}");
        assert_eq!(template["weeks"], 3);
        let apply = format!(
            "/api/v1/coach/templates/{}/apply",
            template["id"].as_str().unwrap()
        );
        let race = race_in(8).to_string();
        let (status, refused) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race}),
        )
        .await;
        // Week 10's volume jumps from the athlete's 40 km: refused, then
        // saved with the warning accepted.
        assert_eq!(
            (status, refused["error"].as_str()),
            (StatusCode::CONFLICT, Some("guardrail_violations")),
            "{backend}"
        );
        assert_eq!(refused["violations"][0]["rule"], "weekly_progression");
        assert_eq!(refused["violations"][0]["week"], 10);
        let (_, plans_before) =
            json_of(ana.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(plans_before.as_array().unwrap().len(), 1, "nothing saved");
        let (status, saved) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race, "accept_warnings": true}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        assert_eq!(saved["violations"][0]["rule"], "weekly_progression");
        assert_eq!(saved["plan"]["weeks"].as_array().unwrap().len(), 3);
        let (status, v) = post(
            &coach,
            &app,
            "/api/v1/coach/templates",
            json!({"plan_id": plan_id, "from_week": 9, "to_week": 40}),
        )
        .await;
        assert_eq!(
            (status, v["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from_week"))
        );
    }
}

#[tokio::test]
async fn templates_refuse_strangers_and_bad_dates_by_name() {
    for backend in backends() {
        let (app, coach, plan_id, ana, ana_id) = setup(backend).await;
        let (_, template) = post(
            &coach,
            &app,
            "/api/v1/coach/templates",
            json!({"plan_id": plan_id}),
        )
        .await;
        let apply = format!(
            "/api/v1/coach/templates/{}/apply",
            template["id"].as_str().unwrap()
        );

        // Athletes keep no templates.
        let r = ana
            .get(app.url("/api/v1/coach/templates"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // An athlete the coach does not work with, and another coach's
        // template, are not there.
        let ben = app.signup("ben@example.com").await;
        let ben_id = id_of(&app, &ben).await;
        let race = race_in(20).to_string();
        let (status, _) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ben_id, "race_date": race}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = post(
            &coach,
            &app,
            "/api/v1/coach/templates",
            json!({"plan_id": plan_id, "athlete_id": ben_id}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let other = app.user_with_role("other@example.com", Role::Coach).await;
        let (status, _) = post(
            &other,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend}");

        // A 12-week template cannot end on a race 4 weeks away.
        let (status, v) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": race_in(4).to_string()}),
        )
        .await;
        assert_eq!(
            (status, v["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("race_date"))
        );
        assert!(
            v["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("before today"),
            "{v}"
        );
        let (status, v) = post(
            &coach,
            &app,
            &apply,
            json!({"athlete_id": ana_id, "race_date": "2026-02-30"}),
        )
        .await;
        assert_eq!(
            (status, v["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("race_date"))
        );
    }
}
