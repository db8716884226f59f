//! Login limits that hold against a distributed guesser: a per-account
//! backoff whatever the address, per-address limits on the address a
//! trusted proxy saw (not one the client wrote), argon2 off the async
//! workers, and limits that do not pile up rows forever.

use crate::common;

use std::time::{Duration, Instant};

use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use runcoach_server::Config;
use runcoach_server::client::parse_cidr;
use runcoach_store::test_support::{backends, count, execute};
use serde_json::json;

fn behind_proxy(trusted: &[&str]) -> Config {
    Config {
        trust_proxy: true,
        trusted_proxies: trusted.iter().map(|n| parse_cidr(n).unwrap()).collect(),
        ..Config::default()
    }
}

async fn login_from(app: &App, xff: &str, email: &str, password: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/login"))
        .header("x-forwarded-for", xff)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The fifth failure locks an account for 1 s: checks that it did, and
/// stretches the lock to a minute in the database (the clock moved, not a
/// stopwatch raced), so a busy machine's slow argon2 cannot let it run out
/// before the next guess arrives.
async fn stretch_the_first_lock(app: &App) {
    let stretched = execute(
        &app.db,
        "UPDATE login_failures SET locked_until = locked_until + 60000 \
         WHERE locked_until - last_failure_at = 1000",
    )
    .await
    .unwrap();
    assert_eq!(stretched, 1, "{}: one account locked for 1 s", app.backend);
}

#[tokio::test]
async fn one_account_backs_off_whatever_address_the_guesses_come_from() {
    for backend in backends() {
        let app = App::start_with(backend, behind_proxy(&[])).await;
        app.signup("ana@example.com").await;
        let mut statuses = Vec::new();
        for i in 0..8 {
            let r = login_from(
                &app,
                &format!("198.51.100.{i}"),
                "ANA@example.com",
                "guess123456",
            )
            .await;
            statuses.push(r.status().as_u16());
            if i == 4 {
                stretch_the_first_lock(&app).await;
            }
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                let wait: i64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((55..=61).contains(&wait), "{backend}: {wait}");
            }
        }
        // Five free failures, then the account is locked (1 s, doubling).
        assert_eq!(
            statuses,
            [401, 401, 401, 401, 401, 429, 429, 429],
            "{backend}"
        );
        // Locked means locked: even the right password waits.
        let r = login_from(
            &app,
            "198.51.100.99",
            "ana@example.com",
            "long enough password",
        )
        .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        // Two minutes pass (in the database): the lock has run out.
        let aged = execute(
            &app.db,
            "UPDATE login_failures SET locked_until = locked_until - 120000, \
             last_failure_at = last_failure_at - 120000",
        )
        .await
        .unwrap();
        assert_eq!(aged, 1, "{backend}");
        let r = login_from(
            &app,
            "198.51.100.99",
            "ana@example.com",
            "long enough password",
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK, "{backend}: the lock ran out");
        // A success forgets the failures.
        let r = login_from(&app, "198.51.100.98", "ana@example.com", "wrong again").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Unknown accounts back off the same way (no enumeration).
        let mut statuses = Vec::new();
        for i in 0..6 {
            let r = login_from(
                &app,
                &format!("192.0.2.{i}"),
                "nobody@example.com",
                "guess123456",
            )
            .await;
            statuses.push(r.status().as_u16());
            if i == 4 {
                stretch_the_first_lock(&app).await;
            }
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "{backend}");
        // The login page is limited alike.
        let page = app.client();
        let html = page
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = page
            .post(app.url("/login"))
            .header("x-forwarded-for", "192.0.2.77")
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("email", "nobody@example.com"),
                ("password", "guess123456"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{backend}");
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.text().await.unwrap().contains("Too many attempts"));
    }
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_is_counted_one_by_one() {
    for backend in backends() {
        let app = App::start_with(backend, behind_proxy(&[])).await;
        app.signup("ana@example.com").await;
        let guesses: Vec<_> = (0..20)
            .map(|i| {
                let (c, url) = (app.client(), app.url("/api/v1/login"));
                tokio::spawn(async move {
                    c.post(url)
                        .header("x-forwarded-for", format!("198.51.100.{i}"))
                        .json(&json!({"email": "ana@example.com", "password": format!("guess {i} 123")}))
                        .send()
                        .await
                        .unwrap()
                        .status()
                })
            })
            .collect();
        let mut wrong = 0;
        for g in guesses {
            match g.await.unwrap() {
                StatusCode::UNAUTHORIZED => wrong += 1,
                StatusCode::TOO_MANY_REQUESTS => {}
                other => panic!("{backend}: {other}"),
            }
        }
        assert!(
            wrong <= 5,
            "{backend}: {wrong} guesses checked, not at most 5"
        );
    }
}

#[tokio::test]
async fn the_current_password_cannot_be_guessed_through_a_password_change() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let mut statuses = Vec::new();
        for i in 0..7 {
            let r = ana
                .post(app.url("/api/v1/password"))
                .json(
                    &json!({"current": format!("guess number {i}"), "new": "a new long password"}),
                )
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
            if i == 4 {
                stretch_the_first_lock(&app).await;
            }
        }
        assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429], "{backend}");
        // The same account backoff holds for logging in.
        let r = login_from(&app, "192.0.2.1", "ana@example.com", "long enough password").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{backend}");
    }
}

#[tokio::test]
async fn per_address_limits_use_the_entry_the_proxy_added() {
    for backend in backends() {
        // Behind one proxy (the test client's 127.0.0.1): the rightmost
        // entry is the client, whatever it put on the left.
        let app = App::start_with(backend, behind_proxy(&[])).await;
        let mut statuses = Vec::new();
        for i in 0..12 {
            let xff = format!("10.0.{i}.1, 203.0.113.7");
            let r = login_from(&app, &xff, &format!("u{i}@example.com"), "guess123456").await;
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses[..10], [401; 10], "{backend}");
        assert_eq!(
            statuses[10..],
            [429, 429],
            "{backend}: rotating the left entry does not help"
        );
        let r = login_from(&app, "203.0.113.8", "v@example.com", "guess123456").await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "another client has its own budget"
        );

        // Listed proxies: entries they added are skipped; the proxy's own
        // address is exempt; a peer outside the list is never a proxy.
        let app = App::start_with(backend, behind_proxy(&["127.0.0.0/8", "10.0.0.0/8"])).await;
        let mut statuses = Vec::new();
        for i in 0..11 {
            let xff = format!("198.51.100.{i}, 203.0.113.7, 10.1.1.1");
            let r = login_from(&app, &xff, &format!("u{i}@example.com"), "guess123456").await;
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses[10], 429, "{backend}: {statuses:?}");
        for i in 0..12 {
            let r = app
                .client()
                .post(app.url("/api/v1/login"))
                .json(&json!({"email": format!("w{i}@example.com"), "password": "guess123456"}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{backend}: the proxy itself is exempt"
            );
        }
        let app = App::start_with(backend, behind_proxy(&["10.0.0.0/8"])).await;
        let mut statuses = Vec::new();
        for i in 0..11 {
            let r = login_from(
                &app,
                &format!("198.51.100.{i}"),
                &format!("u{i}@example.com"),
                "guess123456",
            )
            .await;
            statuses.push(r.status().as_u16());
        }
        assert_eq!(
            statuses[10], 429,
            "{backend}: an unlisted peer's header is ignored"
        );
    }
}

#[tokio::test]
async fn argon2_does_not_stall_other_requests() {
    // One async worker (tokio::test's runtime) serves every request here,
    // so hashing on it would hold /healthz behind every login in flight:
    // /healthz must answer while logins are still being checked. Ordering,
    // not a stopwatch, so a busy machine cannot make it flaky.
    let app = App::start("sqlite").await;
    app.signup("ana@example.com").await;
    let logins: Vec<_> = (0..8)
        .map(|i| {
            let c = app.client();
            let url = app.url("/api/v1/login");
            tokio::spawn(async move {
                let status = c
                    .post(url)
                    .json(&json!({"email": format!("n{i}@example.com"), "password": "guess123456"}))
                    .send()
                    .await
                    .unwrap()
                    .status();
                (status, Instant::now())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (s, _) = json_of(app.client().get(app.url("/healthz")).send().await.unwrap()).await;
    let healthz_done = Instant::now();
    assert_eq!(s, StatusCode::OK);
    let mut last_login = healthz_done;
    for l in logins {
        let (status, done) = l.await.unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        last_login = last_login.max(done);
    }
    assert!(
        healthz_done < last_login,
        "/healthz answered only after every login had been checked"
    );
}

#[tokio::test]
async fn expired_limits_sessions_and_tokens_are_purged() {
    for backend in backends() {
        let config = Config {
            purge_every: Some(Duration::from_millis(50)),
            ..Config::default()
        };
        let app = App::start_with(backend, config).await;
        let ana = app.signup("ana@example.com").await;
        let (me, _) = runcoach_store::users::by_email(&app.db, "ana@example.com")
            .await
            .unwrap()
            .unwrap();
        runcoach_store::sessions::create_session(&app.db, "stale", &me.id, "csrf", -1)
            .await
            .unwrap();
        runcoach_store::sessions::create_token(&app.db, &me.id, "old", "old-hash", Some(-1))
            .await
            .unwrap();
        // A window that started long ago, as every old login leaves behind.
        execute(
            &app.db,
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('login:192.0.2.1', 1, 1)",
        )
        .await
        .unwrap();
        let count = |table: &'static str| {
            let db = app.db.clone();
            async move { count(&db, table).await.unwrap() }
        };
        let mut left = (0, 0, 0);
        for _ in 0..100 {
            left = (
                count("auth_sessions").await,
                count("api_tokens").await,
                count("rate_limits").await,
            );
            if left == (1, 0, 1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            left,
            (1, 0, 1),
            "{backend}: only ana's session and the sign-up's current window are left"
        );
        let (s, _) = json_of(ana.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
    }
}
