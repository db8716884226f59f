//! Logs arriving at once (two devices, a retrying script) neither fail nor
//! double anything: adaptation's writes are conflict-safe, and a log sent
//! again with the same Idempotency-Key is stored once.

use crate::common;

use common::{App, json_of};
use jiff::ToSpan;
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A plan whose first two weeks are in the past, so their runs can be logged.
fn plan_request() -> Value {
    let start = today() - 14.days() - i64::from(today().weekday().to_monday_zero_offset()).days();
    json!({
        "race": "half", "race_date": (start + (14 * 7 - 1).days()).to_string(), "start": start.to_string(),
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun", "level": "experienced",
        "weekly_km": 40, "recent": {"distance": "10k", "time": "50:00"}, "strength_days": 2
    })
}

fn past_runs(plan: &Value) -> Vec<String> {
    plan["weeks"].as_array().unwrap()[..2]
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .filter(|d| d["date"].as_str().unwrap() < today().to_string().as_str())
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .filter(|s| ["easy", "recovery", "long"].contains(&s["kind"].as_str().unwrap()))
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn concurrent_logs_that_fire_the_same_adjustment_all_succeed_once() {
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
        let runs = past_runs(&plan);
        assert!(runs.len() >= 4, "{runs:?}");
        let id = plan["id"].as_str().unwrap();
        // Knee pain on every run, all at once: each log re-adapts and finds
        // the same pain adjustments to add. Several rounds (deleting the
        // logs in between removes the adjustments), since a race may not
        // show in one.
        for round in 0..4 {
            let sends = runs.iter().map(|id| {
                c.post(app.url("/api/v1/logs"))
                    .json(&json!({"session_id": id, "status": "done", "rpe": 5, "pain": [{"location": "knee", "score": 6}]}))
                    .send()
            });
            let mut logged = Vec::new();
            for r in futures_join(sends).await {
                let (s, body) = json_of(r).await;
                assert_eq!(
                    s,
                    StatusCode::CREATED,
                    "{backend} round {round}: status {s}, body {body}"
                );
                logged.push(body["id"].as_str().unwrap().to_owned());
            }
            let (s, adjustments) = json_of(
                c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            let ids: Vec<&str> = adjustments
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap())
                .collect();
            assert!(
                ids.iter().any(|a| a.starts_with("pain")),
                "{backend}: {ids:?}"
            );
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(
                unique.len(),
                ids.len(),
                "{backend}: stored once each: {ids:?}"
            );
            for log in logged {
                let r = c
                    .delete(app.url(&format!("/api/v1/logs/{log}")))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{backend}: {}", r.status());
            }
        }
    }
}

/// Sends every request at once and waits for all.
async fn futures_join<
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
>(
    sends: impl Iterator<Item = F>,
) -> Vec<reqwest::Response> {
    let tasks: Vec<_> = sends.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn a_log_sent_again_with_the_same_idempotency_key_is_stored_once() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let entry = json!({"date": today().to_string(), "kind": "run", "status": "done", "duration_s": 1800, "rpe": 4});
        let send = |key: &str| {
            c.post(app.url("/api/v1/logs"))
                .header("idempotency-key", key)
                .json(&entry)
                .send()
        };
        let (s, first) = json_of(send("run-1").await.unwrap()).await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {first}");
        let (s, again) = json_of(send("run-1").await.unwrap()).await;
        assert_eq!(
            (s, &again["id"]),
            (StatusCode::OK, &first["id"]),
            "{backend}"
        );

        // A burst of retries with a new key: one entry, the same id for all.
        let answers = futures_join((0..6).map(|_| send("run-2"))).await;
        let mut created = 0;
        let mut ids = Vec::new();
        for r in answers {
            let (s, body) = json_of(r).await;
            assert!(
                s == StatusCode::CREATED || s == StatusCode::OK,
                "{backend}: {s} {body}"
            );
            created += usize::from(s == StatusCode::CREATED);
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
        ids.dedup();
        assert_eq!((created, ids.len()), (1, 1), "{backend}");

        let (_, list) = json_of(c.get(app.url("/api/v1/logs")).send().await.unwrap()).await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{backend}: {list}");
        // Keys are per athlete: another athlete's same key is theirs alone.
        let ben = app.signup("ben@example.com").await;
        let r = ben
            .post(app.url("/api/v1/logs"))
            .header("idempotency-key", "run-1")
            .json(&entry)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{backend}");
        let r = c
            .post(app.url("/api/v1/logs"))
            .header("idempotency-key", "k".repeat(201))
            .json(&entry)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
