//! The pages of the daily loop (#17): the race page's pacing plan, the
//! activities page, deleting a log with undo, the forms' errors beside
//! their fields, and the tone of what the pages say. SQLite always,
//! PostgreSQL too when RUNCOACH_TEST_POSTGRES_URL is set.

use crate::common;
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

/// Backdates a plan's making to its first day, so its past days count.
async fn made_on_first_day(app: &App, plan: &Value) {
    let start: jiff::civil::Date = plan["weeks"][0]["start"].as_str().unwrap().parse().unwrap();
    let made = jiff::civil::DateTime::from(start)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond();
    runcoach_store::test_support::execute(
        &app.db,
        &format!(
            "UPDATE plans SET created_at = {made} WHERE id = '{}'",
            plan["id"].as_str().unwrap()
        ),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn pain_gets_concern_and_the_next_step() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        let run = find(&plan, "easy");
        let id = run["id"].as_str().unwrap();
        let html = app.page(&c, &format!("/sessions/{id}")).await;
        let r = c
            .post(app.url(&format!("/sessions/{id}/log")))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("status", "partial"),
                ("minutes", "25"),
                ("rpe", "6"),
                ("pain_knee", "5"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let html = app
            .page(&c, r.headers()["location"].to_str().unwrap())
            .await;
        assert!(
            html.contains("Logged. Sorry it hurt: knee pain 5/10. Next: keep the coming days easy; the plan eases off for you. If the pain persists"),
            "{backend}: {html}"
        );
        assert!(!html.contains("Nice work") && !html.contains("Well done"));
        // What changed is news, not an alert, and reads as a sentence.
        assert!(
            html.contains(
                "<p class=\"change-note\">Your plan changed: Knee pain 5/10 → volume −25%"
            ),
            "{html}"
        );
        assert!(!html.contains("class=\"alert\""));
    }
}

#[tokio::test]
async fn today_lists_what_was_missed_this_week() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        made_on_first_day(&app, &plan).await;
        let today = today().to_string();
        let week = plan["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| {
                w["days"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["date"] == today.as_str())
            })
            .unwrap();
        let earlier: Vec<&Value> = week["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["date"].as_str().unwrap() < today.as_str())
            .flat_map(|d| d["sessions"].as_array().unwrap())
            .filter(|s| s["kind"] != "rest")
            .collect();
        let html = app.page(&c, "/today").await;
        if earlier.is_empty() {
            assert!(!html.contains("Missed this week"), "{backend}");
            continue;
        }
        assert!(
            html.contains("<h2 id=\"missed-h\">Missed this week</h2>"),
            "{backend}"
        );
        for s in &earlier {
            assert!(
                html.contains(&format!("href=\"/sessions/{}\"", s["id"].as_str().unwrap())),
                "{backend}: {s}"
            );
        }
        // Logging one takes it off the list.
        let first = earlier[0]["id"].as_str().unwrap();
        let (status, _) = json_of(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"session_id": first, "status": "skipped"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let html = app.page(&c, "/today").await;
        let missed = html.split("id=\"missed-h\"").nth(1).unwrap_or("");
        assert!(
            !missed.contains(&format!("href=\"/sessions/{first}\"")),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_activities_page_lists_logged_and_imported_runs() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        let html = app.page(&c, "/activities").await;
        assert!(html.contains("Nothing yet."), "{backend}");
        let run = find(&plan, "easy");
        let (status, _) = json_of(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"session_id": run["id"], "status": "done", "duration_s": 2400, "distance_m": 8000, "rpe": 3}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let html = app.page(&c, "/activities").await;
        assert!(
            html.contains("<strong>Run</strong> <span class=\"muted\">Logged</span><br><span>Done · 8.0 km · 40 min · effort 3/10</span>"),
            "{backend}: {html}"
        );
        assert!(html.contains(&format!(
            "href=\"/sessions/{}\"",
            run["id"].as_str().unwrap()
        )));
        // Someone else's activity is not found.
        let other = app.signup("bo@example.com").await;
        let r = other.get(app.url("/activities/nope")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn deleting_a_log_asks_first_and_can_be_undone() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        let hips = find(&plan, "strength");
        let sid = hips["id"].as_str().unwrap();
        // A hip session asks for minutes, not distance.
        let html = app.page(&c, &format!("/sessions/{sid}")).await;
        assert!(
            html.contains("id=\"minutes\"") && !html.contains("id=\"distance\""),
            "{backend}"
        );
        let (status, log) = json_of(
            c.post(app.url("/api/v1/logs"))
                .json(
                    &json!({"session_id": sid, "status": "partial", "duration_s": 1234, "rpe": 5,
                              "pain": [{"location": "hip", "score": 2}], "notes": "band snapped"}),
                )
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{log}");
        let lid = log["id"].as_str().unwrap();
        let html = app.page(&c, &format!("/sessions/{sid}")).await;
        assert!(html.contains(&format!("<a href=\"/logs/{lid}/delete\">Delete</a>")));
        // Asking first changes nothing.
        let ask = app.page(&c, &format!("/logs/{lid}/delete")).await;
        assert!(
            ask.contains("<h1>Delete this log?</h1>") && ask.contains("Partly done · 21 min"),
            "{ask}"
        );
        assert!(ask.contains(&format!("href=\"/sessions/{sid}\">Keep it</a>")));
        let api = |path: String| {
            let c = c.clone();
            let url = app.url(&path);
            async move { json_of(c.get(url).send().await.unwrap()).await }
        };
        assert_eq!(api(format!("/api/v1/logs/{lid}")).await.0, StatusCode::OK);
        let r = c
            .post(app.url(&format!("/logs/{lid}/delete")))
            .form(&[("csrf", csrf_of(&ask).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let done = r.text().await.unwrap();
        assert!(done.contains("Undo: put it back"), "{done}");
        assert_eq!(
            api(format!("/api/v1/logs/{lid}")).await.0,
            StatusCode::NOT_FOUND
        );
        // Undo posts the same answers back: the entry returns as it was.
        let mut form: Vec<(String, String)> = done
            .split("<input type=\"hidden\" name=\"")
            .skip(1)
            .map(|f| {
                let (name, rest) = f.split_once("\" value=\"").unwrap();
                (name.to_owned(), rest.split('"').next().unwrap().to_owned())
            })
            .collect();
        form.retain(|(k, _)| k != "csrf");
        form.push(("csrf".into(), csrf_of(&done)));
        let undo = done.split("Undo: put it back").next().unwrap();
        let action = undo
            .rsplit("<form method=\"post\" action=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(action, format!("/sessions/{sid}/log"));
        let r = c.post(app.url(action)).form(&form).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
        let html = app.page(&c, &format!("/sessions/{sid}")).await;
        assert!(
            html.contains("Partly done · 21 min · effort 5/10 · hip pain 2/10"),
            "{backend}: {html}"
        );
    }
}

/// A 10K plan whose weeks end today (a plan starts on any weekday),
/// running on three days before today's weekday and on no other: this week
/// has runs behind it and today holds no run, whatever day the test runs on.
async fn week_ending_today(app: &App, c: &reqwest::Client) -> Value {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let name = |d: jiff::civil::Date| DAYS[d.weekday().to_monday_zero_offset() as usize];
    let t = today();
    let start = t - 20.days();
    let (status, plan) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&json!({
                "race": "10k", "race_date": (start + (10 * 7 - 2).days()).to_string(),
                "start": start.to_string(),
                "run_days": [name(t - 1.days()), name(t - 3.days()), name(t - 5.days())],
                "long_run_day": name(t - 1.days()),
                "level": "experienced", "weekly_km": 30, "strength_days": 2
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    made_on_first_day(app, &plan).await;
    plan
}

#[tokio::test]
async fn a_missed_run_moves_to_today_in_one_tap_through_the_rule_check_and_the_strip_shows_it() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = week_ending_today(&app, &c).await;
        let plan_id = plan["id"].as_str().unwrap();
        let t = today().to_string();
        let all = sessions(&plan);
        // The run days are laid out relative to today, so today holds no
        // run on any day of the week; what else it holds (a hip session, a
        // mobility session) depends on the weekday's turn in the placement.
        let on_today: Vec<&str> = all
            .iter()
            .filter(|s| s["date"] == t.as_str())
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert!(
            on_today
                .iter()
                .all(|k| ["strength", "mobility", "rest"].contains(k)),
            "{backend}: {on_today:?}"
        );
        // This week began six days ago: its sessions before today, unlogged.
        let week_began = (today() - 6.days()).to_string();
        let missed: Vec<&Value> = all
            .iter()
            .filter(|s| {
                let d = s["date"].as_str().unwrap();
                (week_began.as_str()..t.as_str()).contains(&d) && s["kind"] != "rest"
            })
            .collect();

        // The week strip: seven days, today marked, each missed session a
        // shape with its words.
        let html = app.page(&c, "/today").await;
        let strip = |html: &str| {
            html.split("<ol class=\"week-strip\">")
                .nth(1)
                .and_then(|s| s.split("</ol>").next())
                .unwrap_or("")
                .to_owned()
        };
        let week = strip(&html);
        assert_eq!(week.matches("<li").count(), 7, "{backend}: {week}");
        assert_eq!(
            week.matches("aria-current=\"date\"").count(),
            1,
            "{backend}: {week}"
        );
        assert_eq!(
            week.matches(": Missed</span>").count(),
            missed.len(),
            "{backend}: {week}"
        );

        // Today names each missed session with a move: one tap to today when
        // today holds nothing of its sort, else to the session's choice of days.
        let list = html.split("id=\"missed-h\"").nth(1).unwrap_or("");
        let (fits_today, taken): (Vec<&Value>, Vec<&Value>) = missed
            .iter()
            .partition(|s| !on_today.contains(&s["kind"].as_str().unwrap()));
        for s in &fits_today {
            let id = s["id"].as_str().unwrap();
            assert!(
                list.contains(&format!(
                    "<form method=\"post\" action=\"/sessions/{id}/edit\" class=\"inline\">"
                )),
                "{backend}: {list}"
            );
        }
        for s in &taken {
            let id = s["id"].as_str().unwrap();
            assert!(
                list.contains(&format!(
                    "href=\"/sessions/{id}#change-h\">Move it to another day"
                )),
                "{backend}: {list}"
            );
        }
        assert_eq!(
            list.matches(&format!("name=\"to_date\" value=\"{t}\""))
                .count(),
            fits_today.len(),
            "{backend}"
        );
        assert!(list.contains("Move it to today<span class=\"visually-hidden\">: "));

        // The tap shows the check first; saving moves it, Today shows it.
        let run = fits_today
            .iter()
            .find(|s| !["strength", "mobility"].contains(&s["kind"].as_str().unwrap()))
            .expect("a missed run");
        let id = run["id"].as_str().unwrap();
        let form = vec![
            ("csrf", csrf_of(&html)),
            ("action", "move".to_owned()),
            ("to_date", t.clone()),
        ];
        let r = c
            .post(app.url(&format!("/sessions/{id}/edit")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        let check = r.text().await.unwrap();
        assert!(check.contains("<h1>Check the change</h1>"), "{check}");
        let mut confirm = form.clone();
        confirm.push(("confirm", "1".to_owned()));
        let r = c
            .post(app.url(&format!("/sessions/{id}/edit")))
            .form(&confirm)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let html = app.page(&c, "/today").await;
        let (card, list) = html.split_once("id=\"missed-h\"").unwrap_or((&html, ""));
        assert!(
            card.contains("class=\"today-card k-")
                && card.contains(&format!("href=\"/sessions/{id}\"")),
            "{backend}: the moved run is today's"
        );
        assert!(!list.contains(&format!("/sessions/{id}\"")), "{backend}");
        let week = strip(&html);
        let today_cell = week.split("aria-current=\"date\">").nth(1).unwrap_or("");
        assert!(today_cell.contains(": Planned</span>"), "{backend}: {week}");
        assert_eq!(
            week.matches(": Missed</span>").count(),
            missed.len() - 1,
            "{backend}"
        );

        // The calendar marks today in words too, not by its border alone.
        let calendar = app.page(&c, &format!("/plans/{plan_id}")).await;
        assert_eq!(
            calendar.matches("aria-current=\"date\"").count(),
            1,
            "{backend}"
        );
        assert!(
            calendar.contains("<strong class=\"today-tag\">Today</strong>"),
            "{backend}"
        );

        // A session on a later day is not offered "Done as planned".
        let later = all
            .iter()
            .find(|s| s["date"].as_str().unwrap() > t.as_str() && s["kind"] == "easy")
            .unwrap();
        let html = app
            .page(&c, &format!("/sessions/{}", later["id"].as_str().unwrap()))
            .await;
        assert!(!html.contains("Done as planned"), "{backend}");
        let day = jiff::civil::Date::strptime("%Y-%m-%d", later["date"].as_str().unwrap())
            .unwrap()
            .strftime("%a %-d %b")
            .to_string();
        assert!(
            html.contains(&format!("This is planned for {day}: log it on the day.")),
            "{backend}: {html}"
        );
    }
}

#[tokio::test]
async fn unplanned_activities_show_on_the_calendar_as_extras() {
    const RUNS: [&str; 7] = [
        "easy",
        "long",
        "recovery",
        "tempo",
        "intervals",
        "repetition",
        "marathon_pace",
    ];
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = half_plan(&app, &c).await;
        let plan_id = plan["id"].as_str().unwrap();
        let days: Vec<&Value> = plan["weeks"][0]["days"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        let runless = |d: &&&Value| {
            !d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| RUNS.contains(&s["kind"].as_str().unwrap()))
        };
        let free: Vec<&str> = days
            .iter()
            .filter(runless)
            .map(|d| d["date"].as_str().unwrap())
            .collect();
        assert!(free.len() >= 2, "{backend}: week 1 has days without a run");

        // A bike ride logged by hand, beside the plan.
        let (status, ride) = json_of(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"date": free[0], "kind": "cross", "status": "done", "duration_s": 2700, "rpe": 5}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{ride}");
        // A run from the watch on a day without a planned run.
        let gpx = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx"),
        )
        .unwrap()
        .replace("2024-10-03T", &format!("{}T", free[1]));
        let done = common::import(
            &c,
            &app.base,
            reqwest::multipart::Part::bytes(gpx.into_bytes()).file_name("run.gpx"),
        )
        .await;
        assert_eq!(done["imported"], 1, "{done}");

        let html = app.page(&c, &format!("/plans/{plan_id}")).await;
        assert!(
            html.contains(&format!(
                "<a class=\"item extra k-cross st-extra\" href=\"/logs/{}/edit\">Cross-training 45 min <span class=\"status\"><span aria-hidden=\"true\">+</span> Extra</span></a>",
                ride["id"].as_str().unwrap()
            )),
            "{backend}: {html}"
        );
        let watch = html
            .split("<a class=\"item extra k-easy st-extra\" href=\"/activities/")
            .nth(1)
            .and_then(|s| s.split("</a>").next())
            .unwrap_or_default();
        assert!(
            watch.contains("<span aria-hidden=\"true\">+</span> Extra, from your watch</span>"),
            "{backend}: {html}"
        );
        assert_eq!(html.matches("st-extra").count(), 2, "{backend}");
    }
}
