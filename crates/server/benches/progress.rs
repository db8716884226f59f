//! The progress page for an athlete with five years of daily logs (~2,000
//! entries): median and p90 time to render `/progress?weeks=260` and the
//! JSON `/api/v1/progress?weeks=260`, over real HTTP on a SQLite database.
//! `cargo bench -p runcoach-server --bench progress`

use std::time::{Duration, Instant};

use jiff::ToSpan;
use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession, Pain, PainLocation};
use serde_json::json;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

fn stats(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() * 9 / 10]))
}

#[tokio::main]
async fn main() {
    let (db, _guard) = runcoach_store::test_support::fresh("sqlite").await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(runcoach_server::serve(
        listener,
        db.clone(),
        runcoach_server::Config::default(),
        std::future::pending(),
    ));
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let me: serde_json::Value = c
        .post(format!("{base}/api/v1/signup"))
        .json(&json!({"email": "five@example.com", "password": "long enough password", "name": "Five Years"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = today() - 8.weeks();
    let plan = json!({"race": "marathon", "race_date": (start + (18 * 7 - 1).days()).to_string(), "start": start.to_string(),
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun", "level": "experienced", "weekly_km": 50,
        "recent": {"distance": "half", "time": "1:40:00"}, "strength_days": 2});
    assert!(
        c.post(format!("{base}/api/v1/plans"))
            .json(&plan)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    // Five years, most days: runs of varying effort, strength twice a
    // week, an occasional niggle.
    let uid = me["id"].as_str().unwrap();
    let first = today() - (5 * 365).days();
    let mut n = 0;
    for day in 0..(5 * 365) {
        let date = first + day.days();
        if day % 7 == 5 {
            continue;
        }
        // Strength days carry a run too: about 2,000 entries in all.
        let strength = day % 7 == 1 || day % 7 == 4;
        if strength {
            let run = LoggedSession {
                date,
                kind: ActivityKind::Run,
                status: LogStatus::Done,
                duration_s: 2400,
                distance_m: 8000,
                rpe: Some(4),
                pain: Vec::new(),
                notes: String::new(),
            };
            runcoach_store::logs::insert(&db, uid, None, &run, &[], None)
                .await
                .unwrap();
            n += 1;
        }
        let log = LoggedSession {
            date,
            kind: if strength {
                ActivityKind::Strength
            } else {
                ActivityKind::Run
            },
            status: if day % 23 == 0 {
                LogStatus::Skipped
            } else {
                LogStatus::Done
            },
            duration_s: if strength {
                1200
            } else {
                1800 + (day % 5) as u32 * 600
            },
            distance_m: if strength {
                0
            } else {
                6000 + (day % 5) as u32 * 2000
            },
            rpe: Some(3 + (day % 6) as u8),
            pain: if day % 41 == 0 {
                vec![Pain {
                    location: PainLocation::Knee,
                    score: 3,
                }]
            } else {
                Vec::new()
            },
            notes: String::new(),
        };
        runcoach_store::logs::insert(&db, uid, None, &log, &[], None)
            .await
            .unwrap();
        n += 1;
    }
    println!("progress benchmark: {n} log entries over 5 years, SQLite, over HTTP on 127.0.0.1");
    for (name, path) in [
        ("page /progress?weeks=260", "/progress?weeks=260"),
        (
            "api /api/v1/progress?weeks=260",
            "/api/v1/progress?weeks=260",
        ),
        ("page /progress (12 weeks)", "/progress"),
    ] {
        for _ in 0..5 {
            let r = c.get(format!("{base}{path}")).send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.bytes().await.unwrap();
        }
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..50 {
            let t = Instant::now();
            let body = c
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            times.push(t.elapsed());
            bytes = body.len();
        }
        let (median, p90) = stats(times);
        println!("{name:<34} median {median:>7.2} ms   p90 {p90:>7.2} ms   {bytes} bytes");
    }
}
