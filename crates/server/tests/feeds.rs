//! Calendar feeds, FIT workout files and week zips over real HTTP on
//! 127.0.0.1:0, each test on a fresh database: SQLite always, PostgreSQL
//! too when RUNCOACH_TEST_POSTGRES_URL is set.

use crate::common;
use common::{App, json_of};

/// A stored plan: its id and the plan as the API returned it.
async fn plan(app: &App, c: &reqwest::Client) -> (String, Plan) {
    let r = c
        .post(app.url("/api/v1/plans"))
        .json(&json!({
            "race": "half", "race_date": "2027-03-28", "weeks": 12,
            "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
            "level": "intermediate", "weekly_km": 35, "recent": {"distance": "10k", "time": "50:00"},
            "strength_days": 2, "equipment": ["band"]
        }))
        .send()
        .await
        .unwrap();
    let (s, body) = json_of(r).await;
    assert_eq!(s, StatusCode::CREATED, "{}: {body}", app.backend);
    let id = body["id"].as_str().unwrap().to_owned();
    (id, serde_json::from_value(body).expect("a plan"))
}

/// `POST /api/v1/feeds`; the feed's id and URL.
async fn feed(app: &App, c: &reqwest::Client, body: Value) -> (String, String) {
    let (s, v) = json_of(
        c.post(app.url("/api/v1/feeds"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}: {v}", app.backend);
    (
        v["id"].as_str().unwrap().to_owned(),
        v["url"].as_str().unwrap().to_owned(),
    )
}

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use fitparser::Value as Fit;
use fitparser::profile::MesgNum;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use runcoach_core::plan::{Plan, SessionKind};
use runcoach_formats::fit_workout::flat_step_count;
use runcoach_formats::plan_export::{kind_name, planned_sessions, session_workout};
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

/// A fetch without cookies, as a calendar app makes it.
async fn fetch(url: &str) -> (StatusCode, String, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

/// Content lines of an iCalendar document, unfolded (RFC 5545 §3.1),
/// checking that every line ends in CRLF and is at most 75 octets.
fn content_lines(doc: &str) -> Vec<String> {
    assert!(doc.ends_with("\r\n"), "ends with CRLF");
    let mut out: Vec<String> = Vec::new();
    for raw in doc.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(!raw.contains('\n'), "bare LF in {raw:?}");
        assert!(raw.len() <= 75, "line longer than 75 octets: {raw:?}");
        match raw.strip_prefix(' ') {
            Some(rest) => out.last_mut().expect("a line to continue").push_str(rest),
            None => out.push(raw.to_owned()),
        }
    }
    out
}

/// Each `VEVENT` as property name → value (parameters dropped).
fn events(doc: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for line in content_lines(doc) {
        match line.as_str() {
            "BEGIN:VEVENT" => current = Some(BTreeMap::new()),
            "END:VEVENT" => out.push(current.take().expect("an open event")),
            _ => {
                if let Some(ev) = current.as_mut() {
                    let (name, value) = line.split_once(':').expect("name:value");
                    let name = name.split(';').next().unwrap();
                    ev.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }
    out
}

fn calendar_property(doc: &str, name: &str) -> Option<String> {
    content_lines(doc)
        .into_iter()
        .take_while(|l| l != "BEGIN:VEVENT")
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.split(';').next() == Some(name)).then(|| value.to_owned())
        })
}

/// UID → SEQUENCE as an independent parser (Python's `icalendar`) reads the
/// feed; `None` (skipped) when it is not installed, unless
/// RUNCOACH_REQUIRE_PYTHON_CHECKS says it must be.
fn python_icalendar(doc: &str) -> Option<BTreeMap<String, i64>> {
    let available = std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("RUNCOACH_REQUIRE_PYTHON_CHECKS").is_none(),
            "RUNCOACH_REQUIRE_PYTHON_CHECKS is set but icalendar is not importable"
        );
        eprintln!("skipped: Python icalendar is not installed (pip install icalendar)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    std::fs::write(&path, doc).unwrap();
    const SCRIPT: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
assert str(cal["VERSION"]) == "2.0"
print(json.dumps({str(e["UID"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The sessions a calendar shows (rest days left out), by id.
fn session_ids(plan: &Plan) -> BTreeSet<String> {
    planned_sessions(plan)
        .iter()
        .map(|p| p.session.id.clone().expect("stored sessions have ids"))
        .collect()
}

fn uids(evs: &[BTreeMap<String, String>]) -> BTreeSet<String> {
    evs.iter().map(|e| e["UID"].clone()).collect()
}

#[tokio::test]
async fn feed_url_serves_the_plan_to_a_calendar_app_without_cookies() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (plan_id, plan) = plan(&app, &c).await;
        let (_, url) = feed(&app, &c, json!({})).await;
        let token = url
            .strip_prefix(&app.url("/feeds/"))
            .and_then(|t| t.strip_suffix(".ics"))
            .unwrap_or_else(|| panic!("{backend}: feed url {url}"));
        assert!(
            token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
            "256-bit token: {token}"
        );

        let (s, ct, doc) = fetch(&url).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {doc}");
        assert_eq!(ct, "text/calendar; charset=utf-8");
        assert!(
            doc.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{doc}"
        );
        assert!(doc.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(
            calendar_property(&doc, "X-WR-CALNAME").as_deref(),
            Some("runcoach: half on 2027-03-28"),
            "{backend}"
        );
        assert!(calendar_property(&doc, "PRODID").is_some());
        assert_eq!(
            calendar_property(&doc, "REFRESH-INTERVAL").as_deref(),
            Some("PT6H")
        );

        let evs = events(&doc);
        let ids = session_ids(&plan);
        assert_eq!(evs.len(), ids.len(), "{backend}: an event per session");
        let expected: BTreeSet<String> = ids.iter().map(|id| format!("{id}@runcoach")).collect();
        assert_eq!(uids(&evs), expected, "{backend}: a stable UID per session");
        let kinds: BTreeSet<&str> = evs.iter().map(|e| e["CATEGORIES"].as_str()).collect();
        for k in [
            SessionKind::Strength,
            SessionKind::Mobility,
            SessionKind::Long,
        ] {
            assert!(
                kinds.contains(k.label()),
                "{k:?} sessions in the feed: {kinds:?}"
            );
        }
        for e in &evs {
            let id = e["UID"].trim_end_matches("@runcoach");
            assert_eq!(e["URL"], app.url(&format!("/sessions/{id}")), "{backend}");
            assert_eq!(e["SEQUENCE"], "0");
            assert!(e.contains_key("DTSTAMP") && e.contains_key("DTSTART"));
            assert!(!e["SUMMARY"].is_empty() && e.contains_key("DESCRIPTION"));
        }

        // Regenerating the feed keeps every UID.
        let (_, _, again) = fetch(&url).await;
        assert_eq!(uids(&events(&again)), expected, "{backend}");

        // A changed session (adaptation bumps it) updates its event only.
        let changed = ids.iter().nth(3).unwrap().clone();
        let owner = runcoach_store::coaching::plan_athlete(&app.db, &plan_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            runcoach_store::feeds::bump(&app.db, &owner, &changed)
                .await
                .unwrap(),
            Some(1)
        );
        let (_, _, after) = fetch(&url).await;
        let evs = events(&after);
        assert_eq!(uids(&evs), expected, "{backend}");
        for e in &evs {
            let want = if e["UID"] == format!("{changed}@runcoach") {
                "1"
            } else {
                "0"
            };
            assert_eq!(e["SEQUENCE"], want, "{backend}: {}", e["UID"]);
        }
        if let Some(parsed) = python_icalendar(&after) {
            let want: BTreeMap<String, i64> = evs
                .iter()
                .map(|e| (e["UID"].clone(), e["SEQUENCE"].parse().unwrap()))
                .collect();
            assert_eq!(
                parsed, want,
                "{backend}: Python icalendar reads the feed alike"
            );
        }
        let (s, _, _) = fetch(&app.url(&format!("/api/v1/plans/{plan_id}"))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "the token opens the feed only");
    }
}

#[tokio::test]
async fn busy_only_feed_hides_every_detail() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (_, plan) = plan(&app, &c).await;
        let (_, url) = feed(&app, &c, json!({"busy_only": true})).await;
        let (s, ct, doc) = fetch(&url).await;
        assert_eq!(
            (s, ct.as_str()),
            (StatusCode::OK, "text/calendar; charset=utf-8")
        );
        let evs = events(&doc);
        assert_eq!(evs.len(), session_ids(&plan).len(), "{backend}");
        for e in &evs {
            assert_eq!(e["SUMMARY"], "Busy", "{backend}");
            for hidden in ["DESCRIPTION", "URL", "CATEGORIES"] {
                assert!(!e.contains_key(hidden), "{backend}: {hidden} in {e:?}");
            }
        }
        assert!(!doc.contains("2027-03-28"), "{backend}: race details leak");
    }
}

#[tokio::test]
async fn a_feed_without_a_plan_is_an_empty_calendar() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let (_, url) = feed(&app, &c, json!({})).await;
        let (s, _, doc) = fetch(&url).await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        assert!(doc.starts_with("BEGIN:VCALENDAR\r\n"));
        assert_eq!(
            calendar_property(&doc, "X-WR-CALNAME").as_deref(),
            Some("runcoach")
        );
        assert!(events(&doc).is_empty());
    }
}

#[tokio::test]
async fn revoked_unknown_and_foreign_feeds() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        plan(&app, &ana).await;
        let (id, url) = feed(&app, &ana, json!({})).await;
        let (ben_id, ben_url) = feed(&app, &ben, json!({"busy_only": false})).await;

        // Nobody but the owner revokes a feed; it keeps working meanwhile.
        let r = ben
            .delete(app.url(&format!("/api/v1/feeds/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
        let r = app
            .client()
            .delete(app.url(&format!("/api/v1/feeds/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(fetch(&url).await.0, StatusCode::OK, "{backend}");

        let r = ana
            .delete(app.url(&format!("/api/v1/feeds/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{backend}");
        let (s, _, body) = fetch(&url).await;
        assert_eq!((s, body.as_str()), (StatusCode::NOT_FOUND, ""), "{backend}");
        let r = ana
            .delete(app.url(&format!("/api/v1/feeds/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "revoked once");

        // Unknown tokens answer exactly like revoked ones.
        let unknown = app.url(&format!("/feeds/{}.ics", "ab".repeat(32)));
        for u in [
            unknown.as_str(),
            &app.url("/feeds/x.ics"),
            &app.url("/feeds/.ics"),
            &url.replace(".ics", ""),
        ] {
            let (s, _, body) = fetch(u).await;
            assert_eq!((s, body.as_str()), (StatusCode::NOT_FOUND, ""), "{u}");
        }
        // Ben's feed is untouched.
        assert_eq!(fetch(&ben_url).await.0, StatusCode::OK, "{backend}");
        assert!(!ben_id.is_empty());

        let r = app
            .client()
            .post(app.url("/api/v1/feeds"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let (s, v) = json_of(
            ana.post(app.url("/api/v1/feeds"))
                .json(&json!({"busy": true}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
}

type Fields = BTreeMap<String, Fit>;

fn decode(bytes: &[u8]) -> Vec<(MesgNum, Fields)> {
    let mut reader = bytes;
    fitparser::from_reader(&mut reader)
        .expect("fitparser decodes the file")
        .into_iter()
        .map(|r| {
            let fields = r
                .fields()
                .iter()
                .map(|f| (f.name().to_owned(), f.value().clone()))
                .collect();
            (r.kind(), fields)
        })
        .collect()
}

fn of_kind(messages: &[(MesgNum, Fields)], kind: MesgNum) -> Vec<Fields> {
    messages
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, f)| f.clone())
        .collect()
}

fn text(f: &Fields, name: &str) -> String {
    match f.get(name) {
        Some(Fit::String(s)) => s.clone(),
        other => panic!("{name}: not text: {other:?} in {f:?}"),
    }
}

async fn get_bytes(c: &reqwest::Client, url: &str) -> (StatusCode, String, String, Vec<u8>) {
    let r = c.get(url).send().await.unwrap();
    let header = |name| {
        r.headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (ct, cd) = (header(CONTENT_TYPE), header(CONTENT_DISPOSITION));
    (r.status(), ct, cd, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn session_workout_fit_files() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let (_, plan) = plan(&app, &ana).await;
        let sessions = planned_sessions(&plan);
        let repeats = sessions
            .iter()
            .find(|p| {
                p.session
                    .steps
                    .iter()
                    .any(|s| s.kind == runcoach_core::plan::StepKind::Repeat)
            })
            .expect("the plan has a workout with repeats");
        let strength = sessions
            .iter()
            .find(|p| p.session.kind == SessionKind::Strength)
            .expect("the plan has strength sessions");

        for (p, sport) in [(repeats, "running"), (strength, "training")] {
            let id = p.session.id.as_deref().unwrap();
            let url = app.url(&format!("/api/v1/sessions/{id}/workout.fit"));
            let (s, ct, cd, bytes) = get_bytes(&ana, &url).await;
            assert_eq!(s, StatusCode::OK, "{backend}");
            assert_eq!(ct, "application/vnd.ant.fit");
            assert_eq!(
                cd,
                format!(
                    "attachment; filename=\"{}-{}.fit\"",
                    p.date,
                    kind_name(p.session.kind)
                )
            );
            let messages = decode(&bytes);
            let file_id = &of_kind(&messages, MesgNum::FileId)[0];
            assert_eq!(text(file_id, "type"), "workout");
            let workout = &of_kind(&messages, MesgNum::Workout)[0];
            assert_eq!(text(workout, "sport"), sport, "{backend}");
            let steps = of_kind(&messages, MesgNum::WorkoutStep);
            let expected = flat_step_count(&session_workout(p.session, p.date).steps);
            assert_eq!(steps.len(), expected, "{backend}: {}", p.session.title);
            if sport == "running" {
                assert!(
                    steps
                        .iter()
                        .any(|s| text(s, "duration_type") == "repeat_until_steps_cmplt"),
                    "repeats survive"
                );
                assert_eq!(text(&steps[0], "intensity"), "warmup");
            } else {
                let names: Vec<String> = steps.iter().map(|s| text(s, "wkt_step_name")).collect();
                let doses: Vec<String> = p
                    .session
                    .activation
                    .iter()
                    .chain(&p.session.exercises)
                    .map(|d| d.name.clone().unwrap_or_else(|| d.id.clone()))
                    .collect();
                assert_eq!(names, doses, "{backend}: one named step per exercise");
            }

            // Another athlete's session does not exist for Ben.
            let (s, _, _, _) = get_bytes(&ben, &url).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{backend}");
            let (s, _, _, _) = get_bytes(&app.client(), &url).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, _, _, _) = get_bytes(&ana, &app.url("/api/v1/sessions/nope/workout.fit")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        if let Some(rest) = plan
            .weeks
            .iter()
            .flat_map(|w| &w.days)
            .flat_map(|d| &d.sessions)
            .find(|s| s.kind == SessionKind::Rest)
        {
            let url = app.url(&format!(
                "/api/v1/sessions/{}/workout.fit",
                rest.id.as_deref().unwrap()
            ));
            assert_eq!(get_bytes(&ana, &url).await.0, StatusCode::NOT_FOUND);
        }
    }
}

#[tokio::test]
async fn a_weeks_workouts_as_one_zip() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let (plan_id, plan) = plan(&app, &ana).await;
        for week in [1, plan.weeks.len() as u32] {
            let want: Vec<_> = planned_sessions(&plan)
                .into_iter()
                .filter(|p| {
                    p.week == week
                        && (p.session.kind.is_run()
                            || matches!(
                                p.session.kind,
                                SessionKind::Strength | SessionKind::Mobility
                            ))
                })
                .collect();
            assert!(want.len() >= 4, "{backend}: week {week}");
            let url = app.url(&format!(
                "/api/v1/plans/{plan_id}/weeks/{week}/workouts.zip"
            ));
            let (s, ct, cd, bytes) = get_bytes(&ana, &url).await;
            assert_eq!(s, StatusCode::OK, "{backend}");
            assert_eq!(ct, "application/zip");
            assert_eq!(
                cd,
                format!("attachment; filename=\"week-{week}-workouts.zip\"")
            );
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(zip.len(), want.len(), "{backend}: week {week}");
            let mut names = BTreeSet::new();
            for (i, p) in want.iter().enumerate() {
                let mut file = zip.by_index(i).unwrap();
                let name = file.name().to_owned();
                assert!(
                    name.starts_with(&format!("{}-{}", p.date, kind_name(p.session.kind)))
                        && name.ends_with(".fit"),
                    "{name} for {} {:?}",
                    p.date,
                    p.session.kind
                );
                let mut fit = Vec::new();
                file.read_to_end(&mut fit).unwrap();
                let messages = decode(&fit);
                assert_eq!(
                    of_kind(&messages, MesgNum::WorkoutStep).len(),
                    flat_step_count(&session_workout(p.session, p.date).steps),
                    "{name}"
                );
                names.insert(name);
            }
            assert_eq!(names.len(), want.len(), "file names are unique");

            let (s, _, _, _) = get_bytes(&ben, &url).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{backend}: not Ben's plan");
        }
        // The plan page links every week's zip.
        let page = ana
            .get(app.url(&format!("/plans/{plan_id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Calendar &amp; watch"), "{backend}");
        for w in &plan.weeks {
            let link = format!("/api/v1/plans/{plan_id}/weeks/{}/workouts.zip", w.index);
            assert!(page.contains(&link), "{backend}: {link}");
        }
        for bad in ["0", "99", "x", "-1"] {
            let url = app.url(&format!("/api/v1/plans/{plan_id}/weeks/{bad}/workouts.zip"));
            assert_eq!(
                get_bytes(&ana, &url).await.0,
                StatusCode::NOT_FOUND,
                "{bad}"
            );
        }
    }
}

/// A new athlete's first feed URL on a server with `config`, opened by a
/// request that carries `header`.
async fn feed_url_with(
    backend: &'static str,
    config: runcoach_server::Config,
    header: (&str, &str),
) -> String {
    let app = App::start_with(backend, config).await;
    let ana = app.signup("ana@example.com").await;
    plan(&app, &ana).await;
    let (s, v) = json_of(
        ana.post(app.url("/api/v1/feeds"))
            .header(header.0, header.1)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{backend}: {v}");
    v["url"].as_str().unwrap().to_owned()
}

/// With RUNCOACH_PUBLIC_URL set, a feed link names the site, whatever Host
/// header the request carried (a link mailed or shown must not point at a
/// host an attacker chose).
#[tokio::test]
async fn feed_links_come_from_the_public_url() {
    for backend in backends() {
        let config = runcoach_server::Config {
            public_url: Some("https://coach.example".into()),
            ..runcoach_server::Config::default()
        };
        let url = feed_url_with(backend, config, ("Host", "evil.example")).await;
        assert!(
            url.starts_with("https://coach.example/feeds/"),
            "{backend}: {url}"
        );
        assert!(url.ends_with(".ics"));
    }
}

/// A feed link is `https://` only when a trusted proxy says so: with
/// `--trust-proxy` narrowed by RUNCOACH_TRUSTED_PROXIES, a client outside
/// the list (the test client, 127.0.0.1) cannot choose the scheme.
#[tokio::test]
async fn feed_links_trust_x_forwarded_proto_only_from_a_trusted_proxy() {
    for backend in backends() {
        for (trusted, scheme) in [("10.0.0.0/8", "http://"), ("127.0.0.1/32", "https://")] {
            let config = runcoach_server::Config {
                trust_proxy: true,
                trusted_proxies: vec![runcoach_server::client::parse_cidr(trusted).unwrap()],
                ..runcoach_server::Config::default()
            };
            let url = feed_url_with(backend, config, ("x-forwarded-proto", "https")).await;
            assert!(
                url.starts_with(scheme),
                "{backend}, proxies {trusted}: {url}"
            );
        }
    }
}
