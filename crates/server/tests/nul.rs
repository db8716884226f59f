//! NUL characters are refused at the boundary, alike on SQLite and
//! PostgreSQL (which cannot store them in TEXT and used to answer 500).

use crate::common;

use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use runcoach_store::test_support::backends;
use serde_json::json;

#[tokio::test]
async fn nul_in_json_paths_queries_and_forms_is_refused_on_both_databases() {
    for backend in backends() {
        let app = App::start(backend).await;
        let anon = app.client();
        // Signing up and logging in, before any account exists.
        for (path, body) in [
            (
                "/api/v1/signup",
                r#"{"email":"a@example.com","password":"long enough password","name":"A\u0000"}"#,
            ),
            (
                "/api/v1/signup",
                r#"{"email":"a\u0000@example.com","password":"long enough password","name":"A"}"#,
            ),
            (
                "/api/v1/login",
                r#"{"email":"a\u0000@example.com","password":"long enough password"}"#,
            ),
            (
                "/api/v1/login",
                r#"{"email":"a@example.com","password":"long\u0000password"}"#,
            ),
        ] {
            let r = anon
                .post(app.url(path))
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let (s, err) = json_of(r).await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("body")),
                "{backend} {path} {body}: {err}"
            );
        }
        let ana = app.signup("ana@example.com").await;
        let mut plan = json!({
            "race": "half", "race_date": "2027-03-28", "weeks": 12,
            "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
            "level": "first-timer", "weekly_km": 20, "strength_days": 2
        });
        plan["race"] = json!("half\u{0}");
        let (s, _) = json_of(
            ana.post(app.url("/api/v1/plans"))
                .json(&plan)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let (s, _) = json_of(
            ana.post(app.url("/api/v1/tokens"))
                .json(&json!({"name": "x\u{0}"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let (s, _) = json_of(
            ana.post(app.url("/api/v1/logs"))
                .json(&json!({"date": "2026-11-20", "status": "done", "notes": "\u{0}"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        // An escaped backslash followed by "u0000" is text, not a NUL.
        let r = ana
            .post(app.url("/api/v1/tokens"))
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"name":"back\\u0000slash"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{backend}");

        for path in [
            "/api/v1/plans/%00",
            "/api/v1/sessions/%00",
            "/api/v1/logs/a%00b",
            "/api/v1/imports/%00",
            "/plans/%00",
            "/sessions/%00",
            "/feeds/%00.ics",
        ] {
            let r = ana.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend} {path}");
        }
        let r = ana
            .delete(app.url("/api/v1/tokens/%00"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
        for path in ["/api/v1/today?date=%00", "/api/v1/logs?from=2026-01-01%00"] {
            let (s, err) = json_of(ana.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("query")),
                "{backend} {path}"
            );
        }

        // The pages' forms, signed out and in.
        let page = app.client();
        let html = page
            .get(app.url("/signup"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = page
            .post(app.url("/signup"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("name", "B\u{0}"),
                ("email", "b@example.com"),
                ("password", "long enough password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let html = ana
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = ana
            .post(app.url("/settings"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("name", "Ana\u{0}"),
                ("units", "km"),
                ("week_start", "mon"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let (_, me) = json_of(ana.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(me["name"], "Ana", "{backend}: nothing stored");
    }
}

/// A file's own text (here a GPX activity type) may hold a NUL: the import
/// stores it without, alike on both databases, instead of failing on
/// PostgreSQL only.
#[tokio::test]
async fn nul_in_an_uploaded_files_text_is_dropped_on_both_databases() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let mut points = String::new();
        for i in 0..30 {
            points.push_str(&format!(
                "<trkpt lat=\"53.{:04}\" lon=\"-6.2\"><time>2026-10-01T07:{:02}:00Z</time></trkpt>",
                3000 + i * 10,
                i
            ));
        }
        let gpx = format!(
            "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\
             <trk><type>hill\u{0}walk</type><trkseg>{points}</trkseg></trk></gpx>"
        );
        let part = reqwest::multipart::Part::bytes(gpx.into_bytes()).file_name("nul.gpx");
        let done = common::import(&ana, &app.base, part).await;
        assert_eq!(done["imported"], 1, "{backend}: {done}");
        let (me, _) = runcoach_store::users::by_email(&app.db, "ana@example.com")
            .await
            .unwrap()
            .unwrap();
        let stored = runcoach_store::activities::all(&app.db, &me.id)
            .await
            .unwrap();
        assert_eq!(stored[0].sport.as_str(), "hillwalk", "{backend}");
    }
}
