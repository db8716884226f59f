//! Writes from a browser must come from the site itself: with
//! RUNCOACH_PUBLIC_URL set, its origin is the site's even when a proxy in
//! front rewrote the Host header; any other origin is refused.

use crate::common;

use common::App;
use reqwest::StatusCode;
use serde_json::json;

async fn login_from(app: &App, origin: &str) -> StatusCode {
    app.client()
        .post(app.url("/api/v1/login"))
        .header("Origin", origin)
        .json(&json!({"email": "nobody@example.com", "password": "not the password"}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_public_urls_origin_is_the_sites_own() {
    let config = runcoach_server::Config {
        public_url: Some("https://coach.example".into()),
        ..runcoach_server::Config::default()
    };
    let app = App::start_with("sqlite", config).await;
    // Reached the handler: wrong password, not a refused origin.
    assert_eq!(
        login_from(&app, "https://coach.example").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from(&app, "https://evil.example").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(login_from(&app, "null").await, StatusCode::FORBIDDEN);
    assert_eq!(login_from(&app, &app.base).await, StatusCode::UNAUTHORIZED);

    // Without the setting, only the Host the request names counts.
    let plain = App::start("sqlite").await;
    assert_eq!(
        login_from(&plain, "https://coach.example").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        login_from(&plain, &plain.base).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn https_sites_ask_browsers_to_stay_on_https() {
    let secure = runcoach_server::Config {
        secure_cookies: true,
        ..runcoach_server::Config::default()
    };
    let app = App::start_with("sqlite", secure).await;
    let r = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let plain = App::start("sqlite").await;
    let r = plain
        .client()
        .get(plain.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

/// A cookie-signed API write from a client that sends neither Origin nor
/// Sec-Fetch-Site must carry `X-Requested-With: runcoach`; a bearer token
/// needs nothing.
#[tokio::test]
async fn cookie_api_writes_need_the_marker_when_the_browser_says_nothing() {
    let app = App::start("sqlite").await;
    app.signup("ana@example.com").await; // the marked client signs up fine
    let bare = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = bare
        .post(app.url("/api/v1/login"))
        .json(&json!({"email": "ana@example.com", "password": "long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "no cookie yet: login needs no marker"
    );
    let feed = |c: &reqwest::Client| {
        c.post(app.url("/api/v1/tokens"))
            .json(&json!({"name": "x"}))
    };
    let (s, v) = common::json_of(feed(&bare).send().await.unwrap()).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("missing_request_header"))
    );
    let r = feed(&bare)
        .header("X-Requested-With", "runcoach")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = feed(&bare)
        .header("Origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "a browser's same-site Origin is enough"
    );
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
