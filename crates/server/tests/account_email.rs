//! Accounts by e-mail (issue 16) against a real SMTP server (aiosmtpd):
//! sign-up that answers alike for every address, links that work once and
//! expire, password reset that ends every session and token, address
//! verification, and today's behaviour when no SMTP server is configured.
//! Both databases.

use crate::common;

use common::smtp::{SmtpServer, token_in};
use common::{App, csrf_of, json_of};
use reqwest::StatusCode;
use runcoach_store::test_support::{backends, count, execute};
use runcoach_store::users::{self, Role};
use serde_json::json;

const PASSWORD: &str = "long enough password";

async fn app_with_mail(backend: &'static str, smtp: &SmtpServer) -> App {
    // The links' base is fixed here (the server's own address is known
    // only once it listens); tests call the routes on `app.base`.
    let mail = runcoach_app::mail::MailConfig::new(
        &smtp.url(),
        "runcoach <noreply@runcoach.test>",
        "http://runcoach.test",
    )
    .unwrap();
    App::start_with(
        backend,
        runcoach_server::Config {
            mail: Some(mail),
            ..Default::default()
        },
    )
    .await
}

/// An account made by an operator (no e-mail involved) and its signed-in
/// client.
async fn existing(app: &App, email: &str) -> reqwest::Client {
    app.user_with_role(email, Role::Athlete).await
}

#[tokio::test]
async fn sign_up_answers_alike_and_only_the_link_makes_the_account() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;
        let ana = format!("ana.{backend}@example.com");
        let bo = format!("bo.{backend}@example.com");
        existing(&app, &ana).await;

        let mut answers = Vec::new();
        for email in [&ana, &bo] {
            let r = app
                .client()
                .post(app.url("/api/v1/signup"))
                .json(&json!({"email": email, "password": "another long password", "name": "Someone"}))
                .send()
                .await
                .unwrap();
            assert!(
                r.headers().get("set-cookie").is_none(),
                "{backend}: no session before the link"
            );
            answers.push(json_of(r).await);
        }
        assert_eq!(answers[0].0, StatusCode::ACCEPTED, "{backend}");
        assert_eq!(
            answers[0], answers[1],
            "{backend}: a registered and a new address hear the same"
        );
        assert_eq!(answers[0].1["status"], "check_email");
        assert!(
            users::by_email(&app.db, &bo).await.unwrap().is_none(),
            "{backend}: no account before the link"
        );

        // The owner is told, with the ways in, and gets no link that makes anything.
        let to_ana = smtp.wait_for(&ana, 1).await;
        assert_eq!(to_ana[0].0, "Your runcoach account");
        assert!(
            to_ana[0].1.contains("already has an account"),
            "{}",
            to_ana[0].1
        );
        assert!(to_ana[0].1.contains("http://runcoach.test/password/forgot"));
        assert!(!to_ana[0].1.contains("token="));

        // The new address gets the link; opening it shows a form and spends nothing.
        let to_bo = smtp.wait_for(&bo, 1).await;
        assert_eq!(to_bo[0].0, "Finish signing up to runcoach");
        assert!(
            to_bo[0].1.contains("http://runcoach.test/verify?token="),
            "{}",
            to_bo[0].1
        );
        let token = token_in(&to_bo[0].1, "/verify");
        assert_eq!(token.len(), 64);
        assert_eq!(
            stored_as(&app, &token).await,
            0,
            "{backend}: the secret is not stored"
        );
        assert_eq!(
            stored_as(&app, &runcoach_app::secrets::hash(&token)).await,
            1,
            "{backend}: its hash is"
        );
        let page = app
            .page(&app.client(), &format!("/verify?token={token}"))
            .await;
        assert!(page.contains("Confirm my e-mail"), "{page}");

        let browser = app.client();
        let r = browser
            .post(app.url("/api/v1/email/verify"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        let (status, user) = json_of(r).await;
        assert_eq!(status, StatusCode::CREATED, "{backend}: {user}");
        assert_eq!(user["email"], bo.as_str());
        assert_eq!(user["name"], "Someone");
        assert!(user["email_verified_at"].is_i64(), "{user}");
        let (status, me) = json_of(browser.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(
            (status, me["email"].as_str()),
            (StatusCode::OK, Some(bo.as_str()))
        );

        // Once only.
        let (status, body) = json_of(
            app.client()
                .post(app.url("/api/v1/email/verify"))
                .json(&json!({"token": token}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {body}"
        );
        assert_eq!(body["fields"][0]["field"], "token");

        // The password chosen at sign-up is the account's.
        let r = app
            .client()
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": bo, "password": "another long password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        // Ana's password did not change.
        let r = app
            .client()
            .post(app.url("/api/v1/login"))
            .json(&json!({"email": ana, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
    }
}

/// Rows of `email_tokens` whose stored hash is `value`.
async fn stored_as(app: &App, value: &str) -> u64 {
    assert!(value.bytes().all(|b| b.is_ascii_hexdigit()));
    let sql = format!("UPDATE email_tokens SET used_at = used_at WHERE token_hash = '{value}'");
    execute(&app.db, &sql).await.unwrap()
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_session_and_token() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;
        let ana = format!("ana.{backend}@example.com");
        let signed_in = existing(&app, &ana).await;
        let (_, tok) = json_of(
            signed_in
                .post(app.url("/api/v1/tokens"))
                .json(&json!({"name": "script"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let bearer = tok["token"].as_str().unwrap().to_owned();

        // An unknown address: the same answer, and nothing queued or stored.
        let forgot = |email: String| {
            let c = app.client();
            let url = app.url("/api/v1/password/forgot");
            async move {
                json_of(
                    c.post(url)
                        .json(&json!({"email": email}))
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            }
        };
        let nobody = forgot(format!("nobody.{backend}@example.com")).await;
        assert_eq!(nobody.0, StatusCode::ACCEPTED);
        assert_eq!(runcoach_store::mail::pending(&app.db).await.unwrap(), 0);
        assert_eq!(count(&app.db, "email_tokens").await.unwrap(), 0);
        let known = forgot(ana.clone()).await;
        assert_eq!(
            known, nobody,
            "{backend}: a registered address hears the same"
        );

        let mail = smtp.wait_for(&ana, 1).await;
        assert_eq!(mail[0].0, "Set a new runcoach password");
        let token = token_in(&mail[0].1, "/password/reset");

        // A weak password is refused without spending the link.
        let reset = |password: &'static str| {
            let c = app.client();
            let url = app.url("/api/v1/password/reset");
            let token = token.clone();
            async move {
                let r = c
                    .post(url)
                    .json(&json!({"token": token, "password": password}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                (status, r.text().await.unwrap())
            }
        };
        let (status, body) = reset("password12").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {body}"
        );
        assert!(body.contains("\"field\":\"password\""), "{body}");
        let (status, body) = reset("a brand new passphrase").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{backend}: {body}");

        // Every session and token ended; the old password no longer works.
        let r = signed_in.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{backend}: the old session ended"
        );
        let r = app
            .client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{backend}: the token was revoked"
        );
        let login = |password: &'static str| {
            let c = app.client();
            let url = app.url("/api/v1/login");
            let email = ana.clone();
            async move {
                c.post(url)
                    .json(&json!({"email": email, "password": password}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(login(PASSWORD).await, StatusCode::UNAUTHORIZED);
        assert_eq!(login("a brand new passphrase").await, StatusCode::OK);

        // Used: refused, and the password stays.
        let (status, body) = reset("yet another passphrase").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {body}"
        );
        assert!(body.contains("\"field\":\"token\""), "{body}");
        assert_eq!(login("a brand new passphrase").await, StatusCode::OK);
        let (user, _) = users::by_email(&app.db, &ana).await.unwrap().unwrap();
        assert!(
            user.email_verified_at.is_some(),
            "{backend}: the link proved the address"
        );
    }
}

#[tokio::test]
async fn concurrent_uses_of_one_link_succeed_exactly_once() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;

        // A reset link, eight tabs at once.
        let ana = format!("ana.{backend}@example.com");
        existing(&app, &ana).await;
        let r = app
            .client()
            .post(app.url("/api/v1/password/forgot"))
            .json(&json!({"email": ana}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let token = token_in(&smtp.wait_for(&ana, 1).await[0].1, "/password/reset");
        let tries = (0..8).map(|i| {
            let c = app.client();
            let url = app.url("/api/v1/password/reset");
            let body = json!({"token": token, "password": format!("concurrent passphrase {i}")});
            tokio::spawn(async move { c.post(url).json(&body).send().await.unwrap().status() })
        });
        let statuses: Vec<StatusCode> = futures_join(tries).await;
        let won = statuses
            .iter()
            .filter(|s| **s == StatusCode::NO_CONTENT)
            .count();
        let lost = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        assert_eq!((won, lost), (1, 7), "{backend}: {statuses:?}");

        // A sign-up link, eight tabs at once: one account.
        let bo = format!("bo.{backend}@example.com");
        let r = app
            .client()
            .post(app.url("/api/v1/signup"))
            .json(&json!({"email": bo, "password": PASSWORD, "name": "Bo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let token = token_in(&smtp.wait_for(&bo, 1).await[0].1, "/verify");
        let tries = (0..8).map(|_| {
            let c = app.client();
            let url = app.url("/api/v1/email/verify");
            let body = json!({"token": token});
            tokio::spawn(async move { c.post(url).json(&body).send().await.unwrap().status() })
        });
        let statuses = futures_join(tries).await;
        let made = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(made, 1, "{backend}: {statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::UNPROCESSABLE_ENTITY)
        );
        assert_eq!(count(&app.db, "users").await.unwrap(), 2, "{backend}");
    }
}

async fn futures_join(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<StatusCode>>,
) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn an_expired_link_is_refused_and_mail_to_one_address_is_capped() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;
        let ana = format!("ana.{backend}@example.com");
        existing(&app, &ana).await;
        for _ in 0..7 {
            let r = app
                .client()
                .post(app.url("/api/v1/password/forgot"))
                .json(&json!({"email": ana}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::ACCEPTED,
                "{backend}: the answer never changes"
            );
        }
        assert_eq!(
            count(&app.db, "email_tokens").await.unwrap() as i64,
            runcoach_app::accounts::email::MAILS_PER_ADDRESS_PER_HOUR,
            "{backend}: at most this many messages an hour to one address"
        );
        let token = token_in(&smtp.wait_for(&ana, 1).await[0].1, "/password/reset");
        execute(&app.db, "UPDATE email_tokens SET expires_at = 1")
            .await
            .unwrap();
        let (status, body) = json_of(
            app.client()
                .post(app.url("/api/v1/password/reset"))
                .json(&json!({"token": token, "password": "a brand new passphrase"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {body}"
        );
        assert_eq!(body["fields"][0]["field"], "token");
        let page = app
            .client()
            .get(app.url(&format!("/password/reset?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("expired or was already used")
        );
    }
}

#[tokio::test]
async fn the_pages_walk_forgot_reset_and_sign_in_without_javascript() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;
        let ana = format!("ana.{backend}@example.com");
        existing(&app, &ana).await;
        let browser = app.client();
        let login = app.page(&browser, "/login").await;
        assert!(login.contains("href=\"/password/forgot\""));
        let form = app.page(&browser, "/password/forgot").await;
        let r = browser
            .post(app.url("/password/forgot"))
            .form(&[("csrf", csrf_of(&form).as_str()), ("email", ana.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("Check your e-mail"));

        let token = token_in(&smtp.wait_for(&ana, 1).await[0].1, "/password/reset");
        let form = app
            .page(&browser, &format!("/password/reset?token={token}"))
            .await;
        assert!(form.contains("Set the new password"), "{form}");
        let r = browser
            .post(app.url("/password/reset"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("token", token.as_str()),
                ("password", "password12"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: a weak password is named"
        );
        let r = browser
            .post(app.url("/password/reset"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("token", token.as_str()),
                ("password", "a brand new passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.headers()["location"], "/today");
        let r = browser.get(app.url("/today")).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{backend}: signed in by the reset"
        );
    }
}

#[tokio::test]
async fn a_verification_link_confirms_an_existing_address() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    for backend in backends() {
        let app = app_with_mail(backend, &smtp).await;
        let ana = format!("ana.{backend}@example.com");
        let c = existing(&app, &ana).await;
        let (_, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert!(me["email_verified_at"].is_null(), "{me}");
        let settings = app.page(&c, "/settings").await;
        assert!(settings.contains("Send me a confirmation link"));

        let r = c
            .post(app.url("/api/v1/email/verification"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{backend}");
        let mail = smtp.wait_for(&ana, 1).await;
        assert_eq!(mail[0].0, "Confirm your e-mail for runcoach");
        let token = token_in(&mail[0].1, "/verify");
        // The page's form, as the link opens it in a browser with no session.
        let browser = app.client();
        let page = app.page(&browser, &format!("/verify?token={token}")).await;
        let r = browser
            .post(app.url("/verify"))
            .form(&[("csrf", csrf_of(&page).as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("your e-mail address is confirmed")
        );

        let (_, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert!(me["email_verified_at"].is_i64(), "{me}");
        let (status, body) = json_of(
            c.post(app.url("/api/v1/email/verification"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("already_verified"))
        );
    }
}

#[tokio::test]
async fn without_smtp_sign_up_is_as_before_and_reset_is_the_operators() {
    for backend in backends() {
        let app = App::start(backend).await;
        app.signup("ana@example.com").await; // 201 with a session, as before
        let (status, body) = json_of(
            app.client()
                .post(app.url("/api/v1/password/forgot"))
                .json(&json!({"email": "ana@example.com"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("email_not_configured"))
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("runcoach admin reset-password")
        );
        let page = app.page(&app.client(), "/password/forgot").await;
        assert!(page.contains("runcoach admin reset-password"), "{page}");
        assert_eq!(count(&app.db, "outbox").await.unwrap(), 0);
    }
}
