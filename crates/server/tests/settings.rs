//! The settings page: preferences, and calendar feeds opened and revoked
//! from the browser.

use crate::common;

use common::{App, csrf_of};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn feeds_open_from_settings_show_once_and_revoke() {
    let app = App::start("sqlite").await;
    let base = app.base.clone();
    let c = app.signup("ana@example.com").await;

    let html = c
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let page = c
        .post(format!("{base}/settings/feeds"))
        .form(&[("csrf", csrf.as_str()), ("kind", "busy")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("class=\"feed-url\">").expect("URL shown") + 17;
    let url = page[start..].split('<').next().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{base}/feeds/")) && url.ends_with(".ics"),
        "{url}"
    );
    assert!(page.contains("Busy-only feed, created"));
    // One tap to subscribe: the same feed as a webcal:// link.
    let webcal = url.replacen("http://", "webcal://", 1);
    assert!(page.contains(&format!("href=\"{webcal}\"")), "{page}");
    // A copy button, shown by a small script of our own (CSP 'self'); hidden
    // without it, when the link is there to select by hand.
    assert!(
        page.contains(r#"data-copy="feed-url" hidden>Copy the link</button>"#)
            && page.contains(r#"<script src="/static/copy.js" defer></script>"#),
        "{page}"
    );
    let js = reqwest::get(format!("{base}/static/copy.js"))
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.text().await.unwrap().contains("navigator.clipboard"));
    let feed = reqwest::get(&url).await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(
        feed.text()
            .await
            .unwrap()
            .starts_with("BEGIN:VCALENDAR\r\n")
    );
    // The URL is shown once: the page does not repeat it.
    let again = c
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&url));

    let form_start = page.find("action=\"/settings/feeds/").unwrap() + 8;
    let action = page[form_start..].split('"').next().unwrap().to_owned();
    let r = c
        .post(format!("{base}{action}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let gone = reqwest::get(&url).await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(gone.text().await.unwrap().is_empty());

    // Start times turn that weekday's sessions into timed events.
    let r = c
        .post(format!("{base}/settings/schedule"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("start_tue", "06:30"),
            ("start_sat", "08:00"),
            ("time_zone", "Europe/Dublin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"start_tue\" type=\"time\" value=\"06:30\"")
            && html.contains("value=\"Europe/Dublin\""),
        "{html}"
    );
    let plan = json!({"race": "10k", "race_date": "2027-03-14", "weeks": 8, "run_days": ["tue", "thu", "sat", "sun"],
        "long_run_day": "sun", "level": "experienced", "weekly_km": 40, "strength_days": 2});
    assert_eq!(
        c.post(format!("{base}/api/v1/plans"))
            .json(&plan)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let feed: serde_json::Value = c
        .post(format!("{base}/api/v1/feeds"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ics = reqwest::get(feed["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("DTSTART;TZID=Europe/Dublin:") && ics.contains("T063000"),
        "timed Tuesday events"
    );
    assert!(
        ics.contains("DTSTART;VALUE=DATE:"),
        "other days stay all-day"
    );
    let r = c
        .post(format!("{base}/settings/schedule"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("start_mon", "7pm"),
            ("time_zone", "Nowhere; x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains(
            "Enter Monday&#39;s start time as hours and minutes, like 06:30 (“7pm” is not a time)"
        ),
        "{body}"
    );
    // A well-formed name the tz database does not know is refused too:
    // "today" is computed in the zone, so a typo must not mean UTC.
    let r = c
        .post(format!("{base}/settings/schedule"))
        .form(&[("csrf", csrf.as_str()), ("time_zone", "Europe/Atlantis")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Europe/Atlantis"));

    // Preferences: units switch to miles.
    let r = c
        .post(format!("{base}/settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Ana R"),
            ("units", "mi"),
            ("week_start", "sun"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, me) = {
        let r = c.get(format!("{base}/api/v1/me")).send().await.unwrap();
        (r.status(), r.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(
        (
            status,
            me["units"].as_str(),
            me["week_start"].as_str(),
            me["name"].as_str()
        ),
        (StatusCode::OK, Some("mi"), Some("sun"), Some("Ana R"))
    );
    let r = c
        .post(format!("{base}/settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", ""),
            ("units", "furlongs"),
            ("week_start", "sun"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The browser's zone (static/zone.js fills the hidden field) is kept at
/// sign-up and at a login to an account without one, so "today" is the
/// runner's day from the first page; a zone the runner chose is never
/// overwritten, and a name the tz database lacks is ignored.
#[tokio::test]
async fn the_browsers_time_zone_is_kept_until_the_runner_chooses_one() {
    for backend in runcoach_store::test_support::backends() {
        let app = App::start(backend).await;
        let zone = |c: reqwest::Client| {
            let url = app.url("/api/v1/me");
            async move {
                let me: serde_json::Value = c.get(url).send().await.unwrap().json().await.unwrap();
                me["time_zone"].as_str().unwrap().to_owned()
            }
        };
        let form = |c: &reqwest::Client, path: &str, email: &str, tz: &str| {
            let (c, url) = (c.clone(), app.url(path));
            let (email, tz) = (email.to_owned(), tz.to_owned());
            async move {
                let page = c.get(&url).send().await.unwrap().text().await.unwrap();
                assert!(
                    page.contains(r#"name="time_zone" value="" data-zone"#),
                    "{page}"
                );
                assert!(page.contains(r#"<script src="/static/zone.js" defer></script>"#));
                let csrf = csrf_of(&page);
                let r = c
                    .post(&url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("name", "Tama"),
                        ("email", email.as_str()),
                        ("password", "long enough password"),
                        ("time_zone", tz.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
            }
        };
        let c = app.client();
        form(&c, "/signup", "tama@example.com", "Pacific/Auckland").await;
        assert_eq!(zone(c.clone()).await, "Pacific/Auckland", "{backend}");

        // An account without a zone gets it at its next login ...
        let c = app.client();
        form(&c, "/signup", "ana@example.com", "Mars/Olympus_Mons").await;
        assert_eq!(
            zone(c.clone()).await,
            "",
            "{backend}: an unknown zone is ignored"
        );
        let c = app.client();
        form(&c, "/login", "ana@example.com", "America/Los_Angeles").await;
        assert_eq!(zone(c.clone()).await, "America/Los_Angeles", "{backend}");
        // ... and keeps the one chosen after that, wherever it logs in from.
        let r = c
            .patch(app.url("/api/v1/me"))
            .json(&json!({"time_zone": "Europe/Dublin"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let c = app.client();
        form(&c, "/login", "ana@example.com", "Asia/Tokyo").await;
        assert_eq!(zone(c).await, "Europe/Dublin", "{backend}");

        let js = app
            .client()
            .get(app.url("/static/zone.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(
            js.text()
                .await
                .unwrap()
                .contains("resolvedOptions().timeZone")
        );
    }
}
