//! The harness every server test shares: the whole app on 127.0.0.1:0 over
//! a fresh database (SQLite, or PostgreSQL when RUNCOACH_TEST_POSTGRES_URL
//! is set), and browser-like clients.
#![allow(dead_code)] // each test binary uses a different part of it

pub mod smtp;

use reqwest::StatusCode;
use runcoach_store::Db;
use runcoach_store::test_support::fresh;
use serde_json::{Value, json};

pub struct App {
    pub base: String,
    pub backend: &'static str,
    pub db: Db,
    _guard: Option<tempfile::TempDir>,
}

impl App {
    pub async fn start(backend: &'static str) -> App {
        Self::start_with(backend, runcoach_server::Config::default()).await
    }

    /// The app with settings of the test's choosing.
    pub async fn start_with(backend: &'static str, config: runcoach_server::Config) -> App {
        let (db, guard) = fresh(backend).await.expect("fresh database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(runcoach_server::serve(
            listener,
            db.clone(),
            config,
            std::future::pending(),
        ));
        App {
            base,
            backend,
            db,
            _guard: guard,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The HTML of a page as `c` sees it.
    pub async fn page(&self, c: &reqwest::Client, path: &str) -> String {
        c.get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A browser-like client: keeps cookies, follows no redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(api_marker())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A new athlete's signed-in client.
    pub async fn signup(&self, email: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/api/v1/signup"))
            .json(&json!({"email": email, "password": "long enough password", "name": "Ana"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}: {}",
            self.backend,
            r.text().await.unwrap()
        );
        c
    }
}

impl App {
    /// A signed-in client of a user made here with `role` (admins and
    /// coaches are made by operators, not by sign-up).
    pub async fn user_with_role(
        &self,
        email: &str,
        role: runcoach_store::users::Role,
    ) -> reqwest::Client {
        let hash = runcoach_server::password::hash("long enough password");
        runcoach_store::users::create(&self.db, email, "Staff", &hash, role)
            .await
            .unwrap();
        let c = self.client();
        let r = c
            .post(self.url("/api/v1/login"))
            .json(&json!({"email": email, "password": "long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        c
    }
}

/// What a script using the session cookie sends with API writes.
pub fn api_marker() -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        "x-requested-with",
        reqwest::header::HeaderValue::from_static("runcoach"),
    );
    h
}

/// Status and JSON body; panics with the body when it is not JSON.
pub async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")),
    )
}

/// The CSRF token a page's form carries.
pub fn csrf_of(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("form has a csrf field")
        + 19;
    html[i..i + 64].to_owned()
}

/// Uploads one file and waits for its import to finish; the final status.
pub async fn import(c: &reqwest::Client, base: &str, part: reqwest::multipart::Part) -> Value {
    let r = c
        .post(format!("{base}/api/v1/imports"))
        .multipart(reqwest::multipart::Form::new().part("files", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..100 {
        let status: Value = c
            .get(format!("{base}/api/v1/imports/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "done" {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

/// The id of a plan's first session (the plan as the API answers it).
pub fn first_session_id(plan: &Value) -> String {
    plan["weeks"][0]["days"]
        .as_array()
        .expect("a plan has days")
        .iter()
        .flat_map(|d| d["sessions"].as_array().expect("a day has sessions"))
        .next()
        .expect("a plan has sessions")["id"]
        .as_str()
        .expect("a session has an id")
        .to_owned()
}
