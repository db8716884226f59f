//! What the runner reads every day (#17): one unit on a page after a
//! switch to miles, one name per session on every page and in the feed, the
//! effort "Done as planned" logs shown before it is logged, and a stretch
//! goal's warning as advice. SQLite always, PostgreSQL too when
//! RUNCOACH_TEST_POSTGRES_URL is set.

use crate::common;
use common::{App, csrf_of, json_of};

use jiff::ToSpan;
use reqwest::StatusCode;
use runcoach_core::plan::Plan;
use runcoach_core::units::Units;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A half-marathon plan made in km whose weeks start two days ago, so
/// today and the days around it are in week 1 whatever the weekday.
async fn plan_in_km(app: &App, c: &reqwest::Client) -> Value {
    let start = today() - 2.days();
    let (status, plan) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&json!({
                "race": "half", "race_date": (start + (12 * 7 - 1).days()).to_string(),
                "start": start.to_string(), "units": "km",
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

/// The `<main>` of a page, tags dropped: what the runner reads.
fn words(html: &str) -> String {
    let main = html
        .split("<main")
        .nth(1)
        .and_then(|m| m.split("</main>").next())
        .unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for ch in main.chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every "12.0 km" or "5:30/km" in `text`.
fn km_mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("km") {
        let before = text[..at].trim_end_matches(' ').trim_end_matches('/');
        let after = &text[at + 2..];
        if before.ends_with(|c: char| c.is_ascii_digit())
            && !after.starts_with(|c: char| c.is_alphanumeric())
        {
            found.push(text[at.saturating_sub(12)..(at + 2)].to_owned());
        }
    }
    found
}

async fn switch_to_miles(app: &App, c: &reqwest::Client) {
    let r = c
        .patch(app.url("/api/v1/me"))
        .json(&json!({"units": "mi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_plan_made_in_km_reads_in_miles_after_the_switch() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("miles@example.com").await;
        let plan = plan_in_km(&app, &c).await;
        let plan_id = plan["id"].as_str().unwrap();
        let made: Plan = serde_json::from_value(plan.clone()).unwrap();
        // The plan's wording was written in km: the why of a run says so.
        let tempo = made
            .weeks
            .iter()
            .flat_map(|w| w.sessions())
            .map(|(_, s)| s)
            .find(|s| s.kind.is_quality())
            .expect("a quality session");
        assert!(!km_mentions(&tempo.why).is_empty(), "{}", tempo.why);

        // A run logged with knee pain adapts the plan (written in km).
        let first_run = made.weeks[0]
            .sessions()
            .find(|(d, s)| s.kind.is_run() && d.date <= today())
            .map(|(_, s)| s.id.clone().unwrap())
            .expect("a run by today");
        let (s, logged) = json_of(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"session_id": first_run, "status": "done", "rpe": 5,
                               "pain": [{"location": "knee", "score": 6}]}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {logged}");
        // As adapted, each week's heading is still the sum of its runs.
        let (_, now) = json_of(
            c.get(app.url(&format!("/api/v1/plans/{plan_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let now: Plan = serde_json::from_value(now).unwrap();
        for w in &now.weeks {
            let runs: f64 = w
                .sessions()
                .filter(|(_, s)| s.kind.is_run())
                .map(|(_, s)| s.km())
                .sum();
            assert_eq!(
                Units::Km.amount(runs),
                Units::Km.amount(w.run_km),
                "{backend}: adapted week {}",
                w.index
            );
        }

        switch_to_miles(&app, &c).await;
        let tempo_id = tempo.id.as_deref().unwrap();
        for path in [
            format!("/plans/{plan_id}"),
            format!("/sessions/{tempo_id}"),
            "/today".to_owned(),
        ] {
            let text = words(&app.page(&c, &path).await);
            assert_eq!(km_mentions(&text), Vec::<String>::new(), "{backend} {path}");
            assert!(text.contains(" mi"), "{backend} {path}");
        }
        // The changes list after the adaptation, in miles too.
        let calendar = app.page(&c, &format!("/plans/{plan_id}")).await;
        assert!(calendar.contains("What changed and why"), "{backend}");

        // The calendar feed's "Why:" lines and titles.
        let (s, feed) = json_of(
            c.post(app.url("/api/v1/feeds"))
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {feed}");
        let ics = reqwest::get(feed["url"].as_str().unwrap())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let ics = runcoach_formats::ics::unescape_text(&runcoach_formats::ics::unfold(&ics));
        assert!(ics.contains("Why: "), "{backend}");
        assert_eq!(km_mentions(&ics), Vec::<String>::new(), "{backend}");
    }
}

#[tokio::test]
async fn a_week_heading_is_the_sum_of_its_sessions() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("sums@example.com").await;
        let plan = plan_in_km(&app, &c).await;
        let made: Plan = serde_json::from_value(plan.clone()).unwrap();
        for w in &made.weeks {
            let runs: f64 = w
                .sessions()
                .filter(|(_, s)| s.kind.is_run())
                .map(|(_, s)| s.km())
                .sum();
            assert_eq!(
                Units::Km.amount(runs),
                Units::Km.amount(w.run_km),
                "{backend}: week {}",
                w.index
            );
            // Each run is the sum of its steps, so the steps add up to the
            // heading too.
            for (_, s) in w.sessions().filter(|(_, s)| !s.steps.is_empty()) {
                fn metres(steps: &[runcoach_core::plan::Step]) -> u32 {
                    steps
                        .iter()
                        .map(|st| {
                            st.times.map_or(1, u32::from)
                                * (st.distance_m.unwrap_or(0) + metres(&st.steps))
                        })
                        .sum()
                }
                assert_eq!(
                    Units::Km.amount(f64::from(metres(&s.steps)) / 1000.0),
                    Units::Km.amount(s.km()),
                    "{backend}: {}",
                    s.title
                );
            }
        }
        // The page's heading says the plan's number, in miles as in km.
        switch_to_miles(&app, &c).await;
        let html = app
            .page(&c, &format!("/plans/{}", plan["id"].as_str().unwrap()))
            .await;
        let first = &made.weeks[0];
        assert!(
            html.contains(&format!(
                "<span class=\"volume\">{}</span>",
                Units::Mi.distance(first.run_km)
            )) || html.contains(&Units::Mi.distance(first.run_km)),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_session_has_one_name_on_every_page_and_in_the_feed() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("names@example.com").await;
        let plan = plan_in_km(&app, &c).await;
        let made: Plan = serde_json::from_value(plan.clone()).unwrap();
        let (date, quality) = made
            .weeks
            .iter()
            .flat_map(|w| w.sessions())
            .find(|(_, s)| s.kind.is_quality() && !s.title.is_empty())
            .map(|(d, s)| (d.date, s.clone()))
            .expect("a quality session");
        let name = quality.name(Units::Km);
        // A workout is called by its title, not "Intervals 8.1 km".
        assert_eq!(name, quality.title, "{backend}");
        let id = quality.id.as_deref().unwrap();
        let session = app.page(&c, &format!("/sessions/{id}")).await;
        assert!(
            session.contains(&format!("{name}</h1>")),
            "{backend}: {name}"
        );
        let calendar = app
            .page(&c, &format!("/plans/{}", plan["id"].as_str().unwrap()))
            .await;
        assert!(calendar.contains(&name), "{backend}: {name}");
        // The feed's event is called the same.
        let (_, feed) = json_of(
            c.post(app.url("/api/v1/feeds"))
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let ics = reqwest::get(feed["url"].as_str().unwrap())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let ics = runcoach_formats::ics::unfold(&ics);
        assert!(
            ics.contains(&format!("SUMMARY:{}", runcoach_formats::ics::text(&name))),
            "{backend}: {name}"
        );
        // Today and its week strip, when the session is within a few days.
        if date == today() {
            let today_page = app.page(&c, "/today").await;
            assert!(today_page.contains(&name), "{backend}");
        }
        // In miles the name follows the unit, on the page as in the feed.
        switch_to_miles(&app, &c).await;
        let in_miles = quality.name(Units::Mi);
        let session = app.page(&c, &format!("/sessions/{id}")).await;
        assert!(
            session.contains(&format!("{in_miles}</h1>")),
            "{backend}: {in_miles}"
        );
    }
}

#[tokio::test]
async fn done_as_planned_shows_the_effort_it_logs() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("effort@example.com").await;
        let plan = plan_in_km(&app, &c).await;
        let made: Plan = serde_json::from_value(plan).unwrap();
        let (_, run) = made.weeks[0]
            .sessions()
            .find(|(d, s)| s.kind.is_run() && d.date <= today())
            .expect("a run by today");
        let preset = runcoach_core::load::planned_rpe(run);
        let id = run.id.as_deref().unwrap();
        let html = app.page(&c, &format!("/sessions/{id}")).await;
        // The effort the tap will log is on the page, set to the plan's.
        let quick = html
            .split("id=\"quick-rpe\"")
            .nth(1)
            .and_then(|s| s.split("</select>").next())
            .expect("an effort beside Done as planned");
        assert!(
            quick.contains(&format!("<option value=\"{preset}\" selected>")),
            "{backend}: {quick}"
        );
        assert_eq!(quick.matches(" selected").count(), 1, "{backend}");
        assert!(html.contains("id=\"quick-rpe-hint\""), "{backend}");
        assert!(html.contains("the plan"), "{backend}");
        // The runner's own answer is what is logged.
        let r = c
            .post(app.url(&format!("/sessions/{id}/log")))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("status", "done"),
                ("quick", "1"),
                ("rpe", "7"),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        let (_, logs) = json_of(c.get(app.url("/api/v1/logs")).send().await.unwrap()).await;
        let entry = logs
            .as_array()
            .or_else(|| logs["logs"].as_array())
            .and_then(|l| l.iter().find(|e| e["session_id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{backend}: {logs}"));
        assert_eq!(entry["rpe"], 7, "{backend}: {entry}");
    }
}

#[tokio::test]
async fn a_stretch_goal_is_advice_without_command_line_flags() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("stretch@example.com").await;
        let start = today();
        let (status, plan) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&json!({
                    "race": "marathon", "race_date": (start + (12 * 7 - 1).days()).to_string(),
                    "start": start.to_string(),
                    "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
                    "level": "first-timer", "weekly_km": 10, "strength_days": 2
                }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{plan}");
        assert!(
            plan["warnings"][0]
                .as_str()
                .unwrap()
                .contains("--race-date"),
            "{plan}"
        );
        let html = app
            .page(&c, &format!("/plans/{}", plan["id"].as_str().unwrap()))
            .await;
        assert!(html.contains("<p class=\"advice\">"), "{backend}");
        assert!(!html.contains("<p class=\"alert\">"), "{backend}");
        assert!(!html.contains("--race"), "{backend}");
        assert!(html.contains("Options: a later race"), "{backend}");
    }
}
