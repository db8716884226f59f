//! The runner's own day: preferences over `PATCH /api/v1/me`, "today" in
//! their time zone, and each planned session's status. Both databases.

use crate::common;
use common::{App, import, json_of};

use jiff::ToSpan;
use reqwest::StatusCode;
use reqwest::multipart::Part;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

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

/// Every session of a plan as (date, session JSON), in order.
fn sessions(plan: &Value) -> Vec<(String, Value)> {
    plan["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| {
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (d["date"].as_str().unwrap().to_owned(), s.clone()))
        })
        .collect()
}

#[tokio::test]
async fn sessions_say_done_partial_skipped_missed_or_planned() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let today = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        // Weeks 1 and 2 lie in the past.
        let start = today - 14.days() - i64::from(today.weekday().to_monday_zero_offset()).days();
        let (s, plan) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&json!({
                    "race": "10k", "race_date": (start + (10 * 7 - 1).days()).to_string(),
                    "start": start.to_string(), "run_days": ["tue", "thu", "sat", "sun"],
                    "long_run_day": "sun", "level": "experienced", "weekly_km": 40, "strength_days": 2
                }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {plan}");
        let id = plan["id"].as_str().unwrap();
        // Made on its first day: earlier days would not count as missed.
        let made = jiff::civil::DateTime::from(start)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond();
        runcoach_store::test_support::execute(
            &app.db,
            &format!("UPDATE plans SET created_at = {made} WHERE id = '{id}'"),
        )
        .await
        .unwrap();
        let all = sessions(&plan);
        let week1: Vec<&(String, Value)> = all
            .iter()
            .filter(|(d, _)| d.as_str() < (start + 7.days()).to_string().as_str())
            .collect();
        assert!(week1.len() >= 4);
        let logged = [
            ("done", &week1[0].1),
            ("partial", &week1[1].1),
            ("skipped", &week1[2].1),
        ];
        let mut log_ids = Vec::new();
        for (status, session) in logged {
            let (s, entry) = json_of(
                c.post(app.url("/api/v1/logs"))
                    .json(
                        &json!({"session_id": session["id"], "status": status, "rpe": 4,
                                  "duration_s": 1200}),
                    )
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{entry}");
            log_ids.push(entry["id"].clone());
        }
        // A run imported from a watch on a week-2 run day: done, by import.
        let (run_date, run) = all
            .iter()
            .filter(|(d, _)| d.as_str() >= (start + 7.days()).to_string().as_str())
            .find(|(_, s)| s["kind"] == "easy")
            .cloned()
            .unwrap();
        assert!(run_date < today.to_string());
        let gpx = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx"),
        )
        .unwrap()
        .replace("2024-10-03T", &format!("{run_date}T"));
        let done = import(
            &c,
            &app.base,
            Part::bytes(gpx.into_bytes()).file_name("run.gpx"),
        )
        .await;
        assert_eq!(done["imported"], 1, "{done}");

        let (s, now) = json_of(
            c.get(app.url(&format!("/api/v1/plans/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(now["id"], id);
        let by_id = |sid: &Value| {
            sessions(&now)
                .into_iter()
                .find(|(_, s)| s["id"] == *sid)
                .unwrap()
                .1
        };
        for (i, (status, session)) in logged.iter().enumerate() {
            let got = by_id(&session["id"]);
            assert_eq!(got["status"], *status, "{backend}: {got}");
            assert_eq!(got["log_id"], log_ids[i], "{got}");
            assert_eq!(got["activity_id"], Value::Null);
        }
        let matched = by_id(&run["id"]);
        assert_eq!(matched["status"], "done", "{matched}");
        assert!(matched["activity_id"].is_string(), "{matched}");
        assert_eq!(matched["log_id"], Value::Null);
        assert_eq!(by_id(&week1[3].1["id"])["status"], "missed");
        // Every session has a status; future ones are planned.
        for (date, s) in sessions(&now) {
            assert!(s["status"].is_string(), "{s}");
            if date > today.to_string() {
                assert_eq!(s["status"], "planned", "{date}");
            }
        }

        // So does a single session.
        let (_, one) = json_of(
            c.get(app.url(&format!("/api/v1/sessions/{}", run["id"].as_str().unwrap())))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (&one["status"], &one["activity_id"]),
            (&json!("done"), &matched["activity_id"])
        );

        // /today for a past day carries the same words.
        let (_, day) = json_of(
            c.get(app.url(&format!("/api/v1/today?date={}", week1[0].0)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let first = day["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == week1[0].1["id"])
            .unwrap();
        assert_eq!(
            (&first["status"], &first["log_id"]),
            (&json!("done"), &log_ids[0])
        );

        // The calendar shows each status in words beside its colour, and
        // planned against done running for the weeks begun.
        let page = c
            .get(app.url(&format!("/plans/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for words in [
            "st-done",
            "Done</span>",
            "Partly done</span>",
            "Skipped</span>",
            "Missed</span>",
        ] {
            assert!(page.contains(words), "{words}");
        }
        assert!(page.contains("km done</span>"), "week header");
    }
}

#[tokio::test]
async fn navigation_marks_the_current_page() {
    let app = App::start("sqlite").await;
    let page = |c: reqwest::Client, path: &'static str| {
        let url = app.url(path);
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let anon = page(app.client(), "/login").await;
    assert!(
        anon.contains(r#"<a href="/login" aria-current="page">"#),
        "{anon}"
    );
    assert_eq!(anon.matches("aria-current").count(), 1);
    let c = app.signup("ana@example.com").await;
    // The header's menu (desktop) and the tab bar (phone) each mark one.
    for (path, href, tab) in [
        ("/today", "/today", "/today"),
        ("/log", "/log", "/log"),
        ("/progress", "/progress", "/progress"),
        ("/settings", "/settings", "/more"),
        ("/exercises", "/exercises", "/more"),
        ("/activities", "/activities", "/more"),
    ] {
        let html = page(c.clone(), path).await;
        let (header, tabs) = html.split_once(r#"<nav class="tabs""#).unwrap();
        assert!(
            header.contains(&format!(r#"<a href="{href}" aria-current="page">"#)),
            "{path}"
        );
        assert!(
            tabs.contains(&format!(r#"<a href="{tab}" aria-current="page">"#)),
            "{path}"
        );
        assert_eq!(html.matches("aria-current=\"page\"").count(), 2, "{path}");
    }
    // "More" is a tab only: the header lists its pages itself.
    let more = page(c.clone(), "/more").await;
    assert_eq!(more.matches("aria-current").count(), 1);
    assert!(more.contains(r#"<a href="/more" aria-current="page">"#));
    // A page outside the main navigation marks nothing.
    assert!(!page(c.clone(), "/orders").await.contains("aria-current"));
}

#[tokio::test]
async fn a_session_page_offers_its_workout_for_the_watch() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let (_, plan) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&json!({
                "race": "10k", "race_date": "2027-06-27", "weeks": 8,
                "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
                "level": "experienced", "weekly_km": 40, "strength_days": 2
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let all = sessions(&plan);
    let run = &all.iter().find(|(_, s)| s["kind"] == "easy").unwrap().1;
    let sid = run["id"].as_str().unwrap();
    let html = c
        .get(app.url(&format!("/sessions/{sid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let href = format!("/api/v1/sessions/{sid}/workout.fit");
    assert!(html.contains(&format!("href=\"{href}\" download>Download for your watch")));
    let fit = c.get(app.url(&href)).send().await.unwrap();
    assert_eq!(fit.status(), StatusCode::OK);
    assert_eq!(fit.headers()["content-type"], "application/vnd.ant.fit");
    assert_eq!(&fit.bytes().await.unwrap()[8..12], b".FIT");
}

#[tokio::test]
async fn favicon_and_manifest_are_served() {
    let app = App::start("sqlite").await;
    let c = app.client();
    let ico = c.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(ico.status(), StatusCode::OK);
    assert_eq!(ico.headers()["content-type"], "image/x-icon");
    let bytes = ico.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO header");
    assert_eq!(&bytes[23..26], b"PNG");
    let svg = c.get(app.url("/static/icon.svg")).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let (s, manifest) = json_of(
        c.get(app.url("/manifest.webmanifest"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(manifest["start_url"], "/today");
    for icon in manifest["icons"].as_array().unwrap() {
        let r = c
            .get(app.url(icon["src"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{icon}");
    }
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
}

/// Monday two weeks before this one in `zone`.
fn two_mondays_ago(zone: &str) -> jiff::civil::Date {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(zone).unwrap())
        .date();
    today - 14.days() - i64::from(today.weekday().to_monday_zero_offset()).days()
}

#[tokio::test]
async fn an_evening_run_counts_for_its_local_day_and_the_moved_session_and_the_report_says_so() {
    const LA: &str = "America/Los_Angeles";
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (s, me) = json_of(
            c.patch(app.url("/api/v1/me"))
                .json(&json!({"time_zone": LA, "units": "mi"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{me}");
        let start = two_mondays_ago(LA);
        let (s, plan) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&json!({
                    "race": "10k", "race_date": (start + (10 * 7 - 1).days()).to_string(),
                    "start": start.to_string(), "run_days": ["tue", "thu", "sat", "sun"],
                    "long_run_day": "sun", "level": "experienced", "weekly_km": 40, "strength_days": 2
                }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {plan}");
        let id = plan["id"].as_str().unwrap();
        let (tue, wed, thu) = (start + 1.day(), start + 2.days(), start + 3.days());
        let run_on = |day: jiff::civil::Date| {
            sessions(&plan)
                .into_iter()
                .find(|(d, s)| {
                    *d == day.to_string()
                        && s["kind"] != "strength"
                        && s["kind"] != "mobility"
                        && s["kind"] != "rest"
                })
                .map(|(_, s)| s["id"].as_str().unwrap().to_owned())
        };
        let tuesday = run_on(tue).expect("a run on Tuesday");
        assert!(run_on(thu).is_some(), "a run on Thursday too");
        assert_eq!(run_on(wed), None);
        // The runner moves Tuesday's run to Wednesday.
        let (s, v) = json_of(
            c.post(app.url(&format!("/api/v1/plans/{id}/edits")))
                .json(&json!({
                    "ops": [{"op": "move", "session_id": tuesday, "to_date": wed.to_string()}],
                    "accept_warnings": true
                }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");

        // A run on Wednesday evening in Los Angeles: Thursday in UTC.
        let gpx = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/activities/gpx/gg__fr265s-10k-hr.gpx"),
        )
        .unwrap()
        .replace("2024-10-03T10:", &format!("{thu}T05:"))
        .replace("2024-10-03T11:", &format!("{thu}T06:"));
        let done = import(
            &c,
            &app.base,
            Part::bytes(gpx.clone().into_bytes()).file_name("evening.gpx"),
        )
        .await;
        assert_eq!(done["imported"], 1, "{done}");
        let came = done["activities"].as_array().expect("what came in");
        assert_eq!(came.len(), 1, "{done}");
        assert_eq!(
            (&came[0]["planned_session_id"], &came[0]["start_time"]),
            (&json!(tuesday), &json!(format!("{thu}T05:44:20Z"))),
            "{backend}: {done}"
        );
        // The same file again: nothing new, said in plain words.
        let again = import(
            &c,
            &app.base,
            // Another file (another name inside) with the same run.
            Part::bytes(gpx.replace("<name>", "<name>Copy of ").into_bytes())
                .file_name("evening-copy.gpx"),
        )
        .await;
        assert_eq!(
            (&again["imported"], &again["duplicates"]),
            (&json!(0), &json!(1)),
            "{again}"
        );
        assert_eq!(again["activities"], json!([]));

        // The report page, in the runner's zone and units.
        let local = format!("{thu}T05:44:20Z")
            .parse::<jiff::Timestamp>()
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get(LA).unwrap());
        assert_eq!(local.date(), wed);
        let when = format!(
            "{}, {}",
            local.strftime("%a %-d %b"),
            local.strftime("%H:%M")
        );
        let page = app
            .page(&c, &format!("/imports/{}", done["id"].as_str().unwrap()))
            .await;
        let activity = came[0]["id"].as_str().unwrap();
        assert!(
            page.contains(&format!("<h2>What came in</h2>\n<ul class=\"list came\">\n<li><a href=\"/activities/{activity}\">{when}</a> · ")),
            "{backend}: {page}"
        );
        assert!(page.contains(" mi · "), "distance in miles: {page}");
        assert!(
            page.contains(&format!(
                "Counted for <a href=\"/sessions/{tuesday}\">{}, week 1: ",
                wed.strftime("%a %-d %b")
            )),
            "{backend}: {page}"
        );
        let page = app
            .page(&c, &format!("/imports/{}", again["id"].as_str().unwrap()))
            .await;
        assert!(page.contains("<p>Nothing new came in.</p>"), "{page}");
        assert!(
            page.contains(&format!(
                "<td>skipped: already there</td><td>The same activity is already in your history (it starts within a minute of this one and its distance is within 2 %), so it was not added twice. <a href=\"/activities/{activity}\">The stored one: {when}</a></td>"
            )),
            "{backend}: {page}"
        );
    }
}
