//! Personal access tokens: listed without their secret, revoked by id, by
//! a bearer logout or by a password change; only a session mints them.

use crate::common;

use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

async fn mint(c: &reqwest::Client, app: &App, body: Value) -> (StatusCode, Value) {
    json_of(
        c.post(app.url("/api/v1/tokens"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn me_with(app: &App, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn tokens_are_listed_without_secrets_and_revoked_by_id_or_logout() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let (s, a) = mint(&ana, &app, json!({"name": "laptop", "expires_in_days": 30})).await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {a}");
        let a_token = a["token"].as_str().unwrap().to_owned();
        let day_ms = 24 * 3600 * 1000;
        let left = a["expires_at"].as_i64().unwrap() - a["created_at"].as_i64().unwrap();
        assert_eq!(left, 30 * day_ms);
        let (_, b) = mint(&ana, &app, json!({"name": "cron"})).await;
        let b_token = b["token"].as_str().unwrap().to_owned();
        assert_eq!(b["expires_at"], Value::Null);

        // The scheme is case-insensitive: `bearer` works like `Bearer`.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .header("authorization", format!("bearer {a_token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");

        let r = ana.get(app.url("/api/v1/tokens")).send().await.unwrap();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(&a_token) && !text.contains(&b_token),
            "{backend}: secrets never listed: {text}"
        );
        let list: Value = serde_json::from_str(&text).unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["cron", "laptop"], "newest first");
        let laptop = &list[1];
        assert_eq!(laptop["id"], a["id"]);
        assert!(
            laptop["last_used_at"].as_i64().is_some(),
            "use noted: {laptop}"
        );
        assert_eq!(list[0]["last_used_at"], Value::Null);
        assert!(laptop.get("token").is_none() && laptop.get("token_hash").is_none());

        // A token cannot mint tokens (a leaked one could otherwise outlive
        // its own revocation).
        let (s, err) = mint(&reqwest::Client::new(), &app, json!({"name": "child"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{err}");
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/tokens"))
            .bearer_auth(&a_token)
            .json(&json!({"name": "child"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{backend}");
        let (s, err) = mint(&ana, &app, json!({"name": "x", "expires_in_days": 0})).await;
        assert_eq!(
            (s, err["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_in_days"))
        );

        // Another athlete's token is not found; one's own is revoked.
        let b_path = format!("/api/v1/tokens/{}", b["id"].as_str().unwrap());
        let r = ben.delete(app.url(&b_path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(me_with(&app, &b_token).await, StatusCode::OK);
        let r = ana.delete(app.url(&b_path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(me_with(&app, &b_token).await, StatusCode::UNAUTHORIZED);
        let r = ana.delete(app.url(&b_path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "already revoked");

        // A bearer logout revokes that token.
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/logout"))
            .bearer_auth(&a_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(me_with(&app, &a_token).await, StatusCode::UNAUTHORIZED);
        let (_, list) = json_of(ana.get(app.url("/api/v1/tokens")).send().await.unwrap()).await;
        assert_eq!(list, json!([]), "{backend}");

        // An expired token stops working.
        let (me, _) = runcoach_store::users::by_email(&app.db, "ana@example.com")
            .await
            .unwrap()
            .unwrap();
        runcoach_store::sessions::create_token(
            &app.db,
            &me.id,
            "old",
            &stored_hash("expired-secret"),
            Some(-1),
        )
        .await
        .unwrap();
        assert_eq!(
            me_with(&app, "expired-secret").await,
            StatusCode::UNAUTHORIZED,
            "{backend}"
        );
    }
}

/// The stored form of a token secret (SHA-256 hex), as the server keeps it.
fn stored_hash(secret: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_password_change_revokes_tokens_unless_kept() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let (_, kept) = mint(&ana, &app, json!({"name": "kept"})).await;
        let kept = kept["token"].as_str().unwrap().to_owned();
        let change = |current: &str, new: &str, keep: Option<bool>| {
            let mut body = json!({"current": current, "new": new});
            if let Some(k) = keep {
                body["keep_tokens"] = json!(k);
            }
            ana.post(app.url("/api/v1/password")).json(&body).send()
        };
        let r = change("long enough password", "second long password", Some(true))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{backend}");
        assert_eq!(
            me_with(&app, &kept).await,
            StatusCode::OK,
            "kept on request"
        );
        let r = change("second long password", "third long password", None)
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            me_with(&app, &kept).await,
            StatusCode::UNAUTHORIZED,
            "{backend}: revoked by default"
        );
    }
}

#[tokio::test]
async fn settings_page_lists_and_revokes_tokens() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let (_, tok) = mint(&ana, &app, json!({"name": "garmin sync"})).await;
        let secret = tok["token"].as_str().unwrap().to_owned();
        let html = ana
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("garmin sync: created") && html.contains("never used"),
            "{backend}"
        );
        assert!(!html.contains(&secret));
        let action = format!("/settings/tokens/{}/revoke", tok["id"].as_str().unwrap());
        assert!(html.contains(&action));
        let r = ana
            .post(app.url(&action))
            .form(&[("csrf", csrf_of(&html).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(me_with(&app, &secret).await, StatusCode::UNAUTHORIZED);

        // The password form's checkbox keeps tokens; left unticked, it revokes.
        let (_, tok) = mint(&ana, &app, json!({"name": "watch"})).await;
        let secret = tok["token"].as_str().unwrap().to_owned();
        let r = ana
            .post(app.url("/settings/password"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("current", "long enough password"),
                ("new", "another long password"),
                ("keep_tokens", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(me_with(&app, &secret).await, StatusCode::OK);
        let r = ana
            .post(app.url("/settings/password"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("current", "another long password"),
                ("new", "yet another long password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(me_with(&app, &secret).await, StatusCode::UNAUTHORIZED);
    }
}
