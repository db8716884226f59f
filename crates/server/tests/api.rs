//! The API and pages over real HTTP on 127.0.0.1:0, each test on a fresh
//! database: SQLite always, PostgreSQL too when RUNCOACH_TEST_POSTGRES_URL
//! is set.

use crate::common;
use common::{App, csrf_of, json_of};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn plan_request() -> Value {
    json!({
        "race": "half", "race_date": "2027-03-28", "weeks": 12,
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
        "level": "first-timer", "weekly_km": 20, "recent": {"distance": "10k", "time": "55:00"},
        "strength_days": 2, "new_to_strength": true, "equipment": ["band"], "niggles": ["knee"]
    })
}

#[tokio::test]
async fn signup_login_me_logout() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (s, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(
            (s, me["email"].as_str()),
            (StatusCode::OK, Some("ana@example.com")),
            "{backend}"
        );
        assert_eq!(me["role"], "athlete");

        let r = c.post(app.url("/api/v1/logout")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            c.get(app.url("/api/v1/me")).send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        let fresh = app.client();
        let bad = fresh
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": "ana@example.com", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED, "{backend}");
        let unknown = fresh
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": "nobody@example.com", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        let ok = fresh
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": "ANA@example.com", "password": "long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert_eq!(
            fresh
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );

        // Changing the password ends other sessions but keeps this one.
        let r = fresh
            .post(app.url("/api/v1/password"))
            .json(&json!({"current": "long enough password", "new": "an even longer password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            fresh
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let old = app
            .client()
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": "ana@example.com", "password": "long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn plans_today_and_sessions() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (s, plan) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&plan_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {plan}");
        // A reachable goal offers no stretch options; only POST carries them.
        let mut plan = plan;
        assert_eq!(
            plan.as_object_mut().unwrap().remove("options"),
            Some(json!([]))
        );
        let id = plan["id"].as_str().unwrap().to_owned();
        assert_eq!(plan["race"]["name"], "half");
        let weeks = plan["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 12);
        let first_day = &weeks[0]["days"][0];
        let session_id = first_day["sessions"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(session_id.len(), 36, "UUID ids");

        let (s, again) = json_of(
            c.get(app.url(&format!("/api/v1/plans/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again, plan, "{backend}: stored plan reads back identical");
        // The read kept the plan's JSON for its revision, so the next read
        // of it re-reads and re-parses nothing (issue 16: parsing ~100 KB
        // per view cut the plan routes to a sixth).
        let (ana, _) = runcoach_store::users::by_email(&app.db, "ana@example.com")
            .await
            .unwrap()
            .unwrap();
        let head = runcoach_store::plans::head(&app.db, &ana.id, &id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            runcoach_app::plans::is_kept_json(&ana.id, &id, head.revision),
            "{backend}"
        );

        let (_, list) = json_of(c.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(list[0]["id"], id.as_str());

        let date = first_day["date"].as_str().unwrap();
        let (s, today) = json_of(
            c.get(app.url(&format!("/api/v1/today?date={date}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(today["sessions"], first_day["sessions"]);
        assert_eq!(today["plan_id"], id.as_str());

        let (s, one) = json_of(
            c.get(app.url(&format!("/api/v1/sessions/{session_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (
                one["plan_id"].as_str(),
                one["week"].as_u64(),
                one["date"].as_str()
            ),
            (Some(id.as_str()), Some(1), Some(date))
        );

        let (s, err) = json_of(
            c.get(app.url("/api/v1/today?date=2027-02-30"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["fields"][0]["field"], "date");
    }
}

#[tokio::test]
async fn another_athletes_data_answers_404_on_every_route() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let (_, plan) = json_of(
            ana.post(app.url("/api/v1/plans"))
                .json(&plan_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        let id = plan["id"].as_str().unwrap();
        let sid = plan["weeks"][0]["days"][0]["sessions"][0]["id"]
            .as_str()
            .unwrap();
        for path in [
            format!("/api/v1/plans/{id}"),
            format!("/api/v1/sessions/{sid}"),
            format!("/plans/{id}"),
            format!("/sessions/{sid}"),
        ] {
            let r = ben.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend} {path}");
            let body = r.text().await.unwrap();
            assert!(
                !body.contains(sid) && !body.contains("Half marathon on"),
                "{path} leaks: {body}"
            );
        }
        let (_, list) = json_of(ben.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(list, json!([]));
        let (_, today) = json_of(
            ben.get(app.url(&format!(
                "/api/v1/today?date={}",
                plan["weeks"][0]["days"][0]["date"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(today["sessions"], json!([]));
        // Signed out: 401 from the API, the login page from pages.
        let anon = app.client();
        assert_eq!(
            anon.get(app.url(&format!("/api/v1/plans/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let r = anon
            .get(app.url(&format!("/plans/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            format!("/login?next=/plans/{id}").as_str()
        );
    }
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_nothing_is_stored() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let mut req = plan_request();
        req["run_days"] = json!(["mon", "sun"]);
        req["strength_days"] = json!(5);
        req["weekly_km"] = json!(400);
        let (s, err) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&req)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let fields: Vec<&str> = err["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["run_days", "weekly_km", "strength_days"], "{err}");

        let r = c
            .post(app.url("/api/v1/plans"))
            .header(CONTENT_TYPE, "application/json")
            .body("{\"race\": ")
            .send()
            .await
            .unwrap();
        let (s, err) = json_of(r).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .starts_with("malformed JSON"),
            "{err}"
        );

        let mut unknown = plan_request();
        unknown["colour"] = json!("red");
        let (s, err) = json_of(
            c.post(app.url("/api/v1/plans"))
                .json(&unknown)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            err["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field `colour`"),
            "{err}"
        );

        let huge = "x".repeat(200 * 1024);
        let r = c
            .post(app.url("/api/v1/plans"))
            .header(CONTENT_TYPE, "application/json")
            .body(format!("{{\"race\": \"{huge}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

        let (_, list) = json_of(c.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        assert_eq!(list, json!([]), "nothing stored");

        let (s, err) = json_of(
            app.client()
                .post(app.url("/api/v1/signup"))
                .json(&json!({"email": "not-an-email", "password": "short", "name": ""}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["fields"].as_array().unwrap().len(), 3, "{err}");
        let (s, err) = json_of(app.client().post(app.url("/api/v1/signup")).json(&json!({"email": "ANA@example.com", "password": "long enough password", "name": "Again"})).send().await.unwrap()).await;
        assert_eq!(
            (s, err["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
        );
    }
}

#[tokio::test]
async fn tokens_authorise_scripts() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (s, tok) = json_of(
            c.post(app.url("/api/v1/tokens"))
                .json(&json!({"name": "my script"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}");
        let token = tok["token"].as_str().unwrap();
        let script = reqwest::Client::new();
        let (s, me) = json_of(
            script
                .get(app.url("/api/v1/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, me["email"].as_str()),
            (StatusCode::OK, Some("ana@example.com"))
        );
        let r = script
            .post(app.url("/api/v1/plans"))
            .bearer_auth(token)
            .json(&plan_request())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = script
            .get(app.url("/api/v1/me"))
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn login_is_rate_limited() {
    let app = App::start("sqlite").await;
    let c = app.client();
    let mut statuses = Vec::new();
    // A new account each time, so only the per-address limit is in play
    // (tests/login_limits.rs covers the per-account one).
    for i in 0..12 {
        let r = c
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": format!("x{i}@example.com"), "password": "whatever123"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10..], [429, 429]);
}

#[tokio::test]
async fn security_headers_and_cross_site_refusal() {
    let app = App::start("sqlite").await;
    let r = app.client().get(app.url("/")).send().await.unwrap();
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(
        !h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    let r = app
        .client()
        .post(app.url("/api/v1/signup"))
        .header(ORIGIN, "https://evil.example")
        .json(&json!({"email": "a@example.com", "password": "long enough password", "name": "A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let same = app
        .client()
        .post(app.url("/api/v1/signup"))
        .header(ORIGIN, app.base.as_str())
        .json(&json!({"email": "a@example.com", "password": "long enough password", "name": "A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::CREATED);
    let (s, h) = json_of(app.client().get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(
        (s, h["status"].as_str(), h["db"].as_str()),
        (StatusCode::OK, Some("ok"), Some("sqlite"))
    );
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let doc: Value = serde_json::from_str(runcoach_server::OPENAPI).unwrap();
    // ROUTES and the router come from one table (api_routes!), so comparing
    // ROUTES with the document both ways covers every served route.
    let served: std::collections::BTreeSet<(String, String)> = runcoach_server::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        served.len(),
        runcoach_server::ROUTES.len(),
        "a route is listed twice"
    );
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served, missing from openapi.json: {undocumented:?}"
    );
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "in openapi.json, not served: {unserved:?}"
    );
    let app = App::start("sqlite").await;
    let (s, served) = json_of(
        app.client()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, &served), (StatusCode::OK, &doc));
    insta::assert_json_snapshot!("openapi", doc);
}

/// The refusals every route shares are documented on every route, so a
/// new route cannot ship without them (schemathesis in CI would find it
/// later and slower): writes can be refused by the cross-site checks, JSON
/// bodies by the extractor and the 64 KiB limit.
#[test]
fn every_route_documents_the_shared_refusals() {
    let doc: Value = serde_json::from_str(runcoach_server::OPENAPI).unwrap();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let mut need = Vec::new();
            if method != "get" {
                need.push("403");
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                need.extend(["400", "413", "415", "422"]);
            }
            for code in need {
                if !op["responses"][code].is_object() {
                    missing.push(format!("{method} {path}: {code}"));
                }
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new());
}

#[tokio::test]
async fn pages_work_as_plain_forms() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.client();
        let html = c
            .get(app.url("/signup"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&html);
        // Without the token the form is refused.
        let r = c
            .post(app.url("/signup"))
            .form(&[
                ("csrf", "0".repeat(64).as_str()),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "long enough password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{backend}");
        // A bad field comes back with the answers kept.
        let r = c
            .post(app.url("/signup"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "short"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Choose a password of at least 10 characters (this one has 5).")
                && body.contains("value=\"ana@example.com\""),
            "{body}"
        );
        let r = c
            .post(app.url("/signup"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", "long enough password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            (r.status(), r.headers()["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/onboarding")
        );

        let html = c
            .get(app.url("/onboarding"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&html);
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("race", "marathon"),
            ("custom_distance", ""),
            ("race_date", "2027-04-25"),
            ("start", "2026-12-21"),
            ("day_mon", "on"),
            ("day_tue", "on"),
            ("day_thu", "on"),
            ("day_sat", "on"),
            ("day_sun", "on"),
            ("long_run_day", "sun"),
            ("week_start", "mon"),
            ("level", "first-timer"),
            ("weekly_km", "25"),
            ("longest_run_km", "10"),
            ("recent_distance", "10k"),
            ("recent_time", "52:30"),
            ("strength_days", "2"),
            ("new_to_strength", "on"),
            ("eq_band", "on"),
            ("niggle_knee", "on"),
            ("self_check_knee-drift", "on"),
            ("units", "mi"),
        ];
        // A long-run day that is not a run day is refused, answers kept.
        form[11] = ("week_start", "mon");
        let mut bad = form.clone();
        bad[10] = ("long_run_day", "wed");
        let r = c
            .post(app.url("/onboarding"))
            .form(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(
            body.contains(
                "id=\"long_run_day-error\">Choose a long-run day that is one of your run days."
            ),
            "{body}"
        );
        assert!(body.contains("value=\"52:30\""));
        // The self-check answer is kept too.
        assert!(
            body.contains("name=\"self_check_knee-drift\" checked"),
            "{body}"
        );
        assert!(!body.contains("name=\"self_check_wobbly-balance\" checked"));
        let r = c
            .post(app.url("/onboarding"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/plans/"));
        let html = c
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Marathon on Sun 25 Apr 2027")
                && html.contains("Week 18")
                && html.contains(" mi"),
            "units carried through"
        );
        // The self-check reached the plan: stability work from week 1.
        let plan: serde_json::Value = c
            .get(app.url(&format!("/api/v1{location}")))
            .headers(common::api_marker())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let first_week = plan["weeks"][0].to_string();
        assert!(
            first_week.contains("Your self-check showed a wobble or knee drift"),
            "{first_week}"
        );
        let first = html.find("href=\"/sessions/").unwrap() + 6;
        let href = &html[first..first + 46];
        let r = c.get(app.url(href)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{href}");
        assert!(r.text().await.unwrap().contains("Why this session"));
        for page in [
            "/today",
            "/exercises",
            "/exercises/clamshell",
            "/settings",
            "/plans",
        ] {
            let r = c.get(app.url(page)).send().await.unwrap();
            assert!(
                r.status() == StatusCode::OK || r.status() == StatusCode::SEE_OTHER,
                "{page}: {}",
                r.status()
            );
        }
        let r = c
            .get(app.url("/exercises/no_such_move"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

/// A stretch goal's options come as ready request bodies: each one POSTs
/// as it is.
#[tokio::test]
async fn stretch_goal_options_are_ready_requests() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let first_half = json!({
        "race": "half", "race_date": "2027-02-28", "weeks": 12,
        "run_days": ["tue", "thu", "sun"], "long_run_day": "sun",
        "level": "first-timer", "weekly_km": 15, "longest_run_km": 6,
        "strength_days": 2, "today": "2026-11-28"
    });
    let (s, plan) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&first_half)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    assert!(
        plan["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Options: a later race (--race-date 2027-03-28)"),
        "{plan}"
    );
    let options = plan["options"].as_array().unwrap();
    let labels: Vec<&str> = options
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "A later race, on 2027-03-28",
            "A 10K first",
            "Run-walk this half marathon (run 9 minutes, walk 1)"
        ]
    );
    assert_eq!(options[1]["request"]["race"], "10k");
    assert!(
        options[0]["command"]
            .as_str()
            .unwrap()
            .starts_with("runcoach plan --race half --race-date 2027-03-28 --start "),
        "{}",
        options[0]["command"]
    );
    let (s, later) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&options[0]["request"])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{later}");
    assert_eq!(later["weeks"].as_array().unwrap().len(), 16);
    // A goal that is no stretch has none.
    let (_, easy) = json_of(
        c.post(app.url("/api/v1/plans"))
            .json(&plan_request())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(easy["options"], json!([]), "{}", easy["warnings"]);
}
