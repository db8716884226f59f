//! Behind a trusted reverse proxy that terminates HTTPS, cookies are
//! `Secure` and HSTS is sent when the proxy says `X-Forwarded-Proto: https`;
//! a client that is not a trusted proxy cannot switch it on (or off).

use crate::common;

use common::App;
use reqwest::StatusCode;
use runcoach_server::Config;
use runcoach_server::client::parse_cidr;
use runcoach_store::test_support::backends;
use serde_json::json;

fn behind(trust_proxy: bool, trusted: &[&str]) -> Config {
    Config {
        trust_proxy,
        trusted_proxies: trusted.iter().map(|n| parse_cidr(n).unwrap()).collect(),
        ..Config::default()
    }
}

/// Signs a new athlete up with `proto` as X-Forwarded-Proto; the session
/// cookie as set, and the HSTS header.
async fn sign_up(app: &App, email: &str, proto: Option<&str>) -> (String, Option<String>) {
    let mut req = app
        .client()
        .post(app.url("/api/v1/signup"))
        .json(&json!({"email": email, "password": "long enough password", "name": "Ana"}));
    if let Some(p) = proto {
        req = req.header("x-forwarded-proto", p);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", app.backend);
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(!cookies.is_empty(), "signing up sets the session cookie");
    let hsts = r
        .headers()
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_owned());
    (cookies.join("\n"), hsts)
}

fn secure(cookies: &str) -> bool {
    cookies
        .lines()
        .all(|c| c.split(';').any(|a| a.trim() == "Secure"))
}

fn plain(cookies: &str) -> bool {
    cookies.lines().all(|c| {
        !c.split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("secure"))
    })
}

#[tokio::test]
async fn a_trusted_proxy_saying_https_makes_cookies_secure_and_sends_hsts() {
    for backend in backends() {
        // The test client connects from 127.0.0.1: the trusted proxy.
        let app = App::start_with(backend, behind(true, &["127.0.0.1/32"])).await;
        let (cookies, hsts) = sign_up(&app, "ana@example.com", Some("https")).await;
        assert!(secure(&cookies), "{backend}: {cookies}");
        assert!(
            cookies.contains("HttpOnly") && cookies.contains("SameSite=Lax"),
            "{cookies}"
        );
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{backend}");
        // The proxy's own value is the last one; a client's earlier claim
        // does not count.
        let (cookies, hsts) = sign_up(&app, "bo@example.com", Some("https, http")).await;
        assert!(plain(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts, None);
        // Plain HTTP through the proxy: plain cookies, no HSTS.
        let (cookies, hsts) = sign_up(&app, "cy@example.com", Some("http")).await;
        assert!(plain(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts, None);
        let (cookies, hsts) = sign_up(&app, "di@example.com", None).await;
        assert!(plain(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts, None);
    }
}

#[tokio::test]
async fn a_client_that_is_no_trusted_proxy_cannot_claim_https() {
    for backend in backends() {
        // Proxies are trusted, but only from 10.0.0.0/8: 127.0.0.1 is a client.
        let app = App::start_with(backend, behind(true, &["10.0.0.0/8"])).await;
        let (cookies, hsts) = sign_up(&app, "ana@example.com", Some("https")).await;
        assert!(plain(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts, None);
        // Without --trust-proxy the header means nothing.
        let app = App::start_with(backend, behind(false, &[])).await;
        let (cookies, hsts) = sign_up(&app, "ana@example.com", Some("https")).await;
        assert!(plain(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts, None);
        // --secure-cookies keeps everything Secure whatever is forwarded.
        let app = App::start_with(
            backend,
            Config {
                secure_cookies: true,
                ..Config::default()
            },
        )
        .await;
        let (cookies, hsts) = sign_up(&app, "bo@example.com", Some("http")).await;
        assert!(secure(&cookies), "{backend}: {cookies}");
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"));
    }
}
