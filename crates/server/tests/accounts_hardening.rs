//! The smaller account findings: redirects after login stay on the site,
//! guessable passwords are refused, look-alike emails are one account,
//! and query-string mistakes answer JSON like the rest of the API.

use crate::common;

use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::json;

#[tokio::test]
async fn login_redirects_only_to_paths_on_this_site() {
    for backend in backends() {
        let app = App::start(backend).await;
        app.signup("ana@example.com").await;
        for (asked, kept) in [
            ("/%09/evil.example/x", "/today"),
            ("/%0a/evil.example", "/today"),
            ("//evil.example", "/today"),
            ("/%5Cevil.example", "/today"),
            ("https://evil.example", "/today"),
            ("/plans", "/plans"),
        ] {
            let c = app.client();
            let html = c
                .get(app.url(&format!("/login?next={asked}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                html.contains(&format!("name=\"next\" value=\"{kept}\"")),
                "{backend} {asked}"
            );
        }
        for (posted, location) in [
            ("/\t/evil.example/x", "/today"),
            ("/\n/evil.example", "/today"),
            ("/\\evil.example", "/today"),
            ("/plans?week=2", "/plans?week=2"),
        ] {
            let c = app.client();
            let html = c
                .get(app.url("/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let r = c
                .post(app.url("/login"))
                .form(&[
                    ("csrf", csrf_of(&html).as_str()),
                    ("next", posted),
                    ("email", "ana@example.com"),
                    ("password", "long enough password"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(
                (r.status(), r.headers()["location"].to_str().unwrap()),
                (StatusCode::SEE_OTHER, location),
                "{backend} {posted:?}"
            );
        }
    }
}

#[tokio::test]
async fn common_passwords_patterns_and_the_email_are_refused() {
    for backend in backends() {
        let app = App::start(backend).await;
        for password in [
            "password12",
            "Qwertyuiop",
            "          ",
            "zzzzzzzzzzzz",
            "ana.runner@example.com",
            "ANA.RUNNER",
        ] {
            let (s, err) = json_of(
                app.client()
                    .post(app.url("/api/v1/signup"))
                    .json(&json!({"email": "ana.runner@example.com", "password": password, "name": "Ana"}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("password")),
                "{backend} {password:?}: {err}"
            );
        }
        let c = app.signup("ana@example.com").await;
        let (s, err) = json_of(
            c.post(app.url("/api/v1/password"))
                .json(&json!({"current": "long enough password", "new": "password123"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, err["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("new")),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn emails_are_normalised_and_invisible_characters_refused() {
    for backend in backends() {
        let app = App::start(backend).await;
        app.signup("ana@example.com").await;
        // Full-width letters are the same address after NFKC.
        let (s, err) = json_of(
            app.client()
                .post(app.url("/api/v1/signup"))
                .json(&json!({"email": "ＡＮＡ@example.com", "password": "long enough password", "name": "Imposter"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, err["fields"][0]["message"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("an account with this email already exists; log in instead")
            ),
            "{backend}"
        );
        let r = app
            .client()
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": "ａｎａ@example.com", "password": "long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        for email in [
            "ana\u{200B}@example.com",
            "a\u{2060}na@example.com",
            "\u{FEFF}ana@example.com",
            "ana@exam\u{00AD}ple.com",
        ] {
            let (s, err) = json_of(
                app.client()
                    .post(app.url("/api/v1/signup"))
                    .json(&json!({"email": email, "password": "long enough password", "name": "Imposter"}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend} {email:?}");
            assert!(
                err["fields"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("invisible"),
                "{err}"
            );
        }
    }
}

#[tokio::test]
async fn query_string_errors_are_json_field_errors() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        for path in [
            "/api/v1/progress?weeks=abc",
            "/api/v1/progress?weeks=-1",
            "/api/v1/progress?weeks=99999999999",
        ] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(
                r.headers()["content-type"],
                "application/json",
                "{backend} {path}"
            );
            let (s, err) = json_of(r).await;
            assert_eq!(
                (s, err["fields"][0]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("query")),
                "{backend} {path}: {err}"
            );
        }
    }
}
