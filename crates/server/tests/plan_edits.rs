//! Hand edits to a plan over real HTTP on SQLite and PostgreSQL (#15, #17):
//! the guardrail checker before saving (dry run, 409, accept_warnings), the
//! edit listed with undo/redo, calendar SEQUENCE raised, ids and log links
//! kept, adaptation on top of edits, concurrent edits, another athlete's
//! plan out of reach, and a new plan archiving the old one.

use crate::common;
use common::{App, json_of};

use jiff::ToSpan;
use jiff::civil::Date;
use reqwest::StatusCode;
use runcoach_store::test_support::backends;
use serde_json::{Value, json};

async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
    json_of(r.send().await.unwrap()).await
}

fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A half-marathon plan; `weeks_ago` of it already past.
fn plan_request(weeks_ago: i64) -> Value {
    let monday = today() - i64::from(today().weekday().to_monday_zero_offset()).days();
    plan_request_from(monday - (7 * weeks_ago).days())
}

/// A half-marathon plan whose weeks begin on `start`'s weekday.
fn plan_request_from(start: Date) -> Value {
    json!({
        "race": "half", "race_date": (start + (14 * 7 - 1).days()).to_string(), "start": start.to_string(),
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun", "level": "experienced",
        "weekly_km": 40, "recent": {"distance": "10k", "time": "50:00"}, "strength_days": 2
    })
}

async fn new_plan(app: &App, c: &reqwest::Client, weeks_ago: i64) -> Value {
    let (s, plan) = send(
        c.post(app.url("/api/v1/plans"))
            .json(&plan_request(weeks_ago)),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}: {plan}", app.backend);
    plan
}

/// Every session with its day, in plan order.
fn sessions(plan: &Value) -> Vec<(Date, &Value)> {
    plan["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| {
            let date: Date = d["date"].as_str().unwrap().parse().unwrap();
            d["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |s| (date, s))
        })
        .collect()
}

fn find<'a>(plan: &'a Value, id: &str) -> (Date, &'a Value) {
    sessions(plan)
        .into_iter()
        .find(|(_, s)| s["id"] == id)
        .unwrap_or_else(|| panic!("session {id} in the plan"))
}

/// Intervals on day D with the week's long run on another day than D+1:
/// (intervals day, long run id, long run day).
fn intervals_and_long_run(plan: &Value, from_week: usize) -> (Date, String, Date) {
    for w in &plan["weeks"].as_array().unwrap()[from_week..] {
        let of = |kind: &str| {
            w["days"].as_array().unwrap().iter().find_map(|d| {
                d["sessions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["kind"] == kind)
                    .map(|s| (d["date"].as_str().unwrap().parse::<Date>().unwrap(), s))
            })
        };
        if let (Some((di, _)), Some((dl, long))) = (of("intervals"), of("long"))
            && dl != di.tomorrow().unwrap()
            && w["days"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["date"] == di.tomorrow().unwrap().to_string())
        {
            return (di, long["id"].as_str().unwrap().to_owned(), dl);
        }
    }
    panic!("no week with intervals and a long run to move");
}

/// A plan's JSON without what tracking adds.
fn bare(mut plan: Value) -> Value {
    // Only the answer to POST /plans carries the stretch goal's options.
    plan.as_object_mut().unwrap().remove("options");
    for w in plan["weeks"].as_array_mut().unwrap() {
        for d in w["days"].as_array_mut().unwrap() {
            for s in d["sessions"].as_array_mut().unwrap() {
                for k in ["status", "log_id", "activity_id"] {
                    s.as_object_mut().unwrap().remove(k);
                }
            }
        }
    }
    plan
}

/// SEQUENCE of a session's event in the athlete's calendar feed.
async fn sequence(c: &reqwest::Client, feed: &str, session_id: &str) -> u32 {
    let doc = c.get(feed).send().await.unwrap().text().await.unwrap();
    let uid = format!("UID:{session_id}@runcoach");
    let event = doc
        .split("BEGIN:VEVENT")
        .find(|e| e.contains(&uid))
        .unwrap_or_else(|| panic!("{uid} in the feed"));
    event
        .lines()
        .find_map(|l| l.strip_prefix("SEQUENCE:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn feed_url(app: &App, c: &reqwest::Client) -> String {
    let (s, v) = send(c.post(app.url("/api/v1/feeds")).json(&json!({}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn moving_the_long_run_after_intervals_warns_then_saves_lists_and_undoes() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 0).await;
        let id = plan["id"].as_str().unwrap().to_owned();
        let feed = feed_url(&app, &c).await;
        let (intervals_day, long_id, long_day) = intervals_and_long_run(&plan, 1);
        let target = intervals_day.tomorrow().unwrap();
        assert_eq!(sequence(&c, &feed, &long_id).await, 0);
        let edits = app.url(&format!("/api/v1/plans/{id}/edits"));
        let ops = json!([{"op": "move", "session_id": long_id, "to_date": target.to_string()}]);

        // Dry run: the plan as it would stand and the new finding; nothing saved.
        let (s, dry) = send(c.post(&edits).json(&json!({"ops": ops, "dry_run": true}))).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {dry}");
        assert_eq!(find(&dry["plan"], &long_id).0, target, "{backend}");
        let found = dry["violations"].as_array().unwrap();
        assert!(
            found.iter().any(|v| v["rule"] == "hard_days"
                && v["date"] == intervals_day.to_string()
                && v["message"] == "quality session the day before the long run"),
            "{backend}: {found:?}"
        );
        assert!(dry.get("adjustment_id").is_none());
        let (_, now) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(
            find(&now, &long_id).0,
            long_day,
            "{backend}: a dry run saves nothing"
        );

        // Without accept_warnings: 409 with the violations, nothing saved.
        let (s, refused) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "note": "race rehearsal"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: {refused}");
        assert_eq!(refused["error"], "guardrail_violations");
        assert_eq!(refused["violations"], dry["violations"], "{backend}");
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed, json!([]), "{backend}: nothing saved");
        assert_eq!(sequence(&c, &feed, &long_id).await, 0);

        // Accepted: saved, listed with the editor, note and the findings.
        let (s, saved) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "note": "race rehearsal", "accept_warnings": true})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {saved}");
        let edit_id = saved["adjustment_id"].as_str().unwrap().to_owned();
        assert_eq!(saved["violations"], dry["violations"]);
        let (on, moved) = find(&saved["plan"], &long_id);
        assert_eq!(on, target);
        assert!(
            moved["why"]
                .as_str()
                .unwrap()
                .starts_with("Changed by Ana: race rehearsal."),
            "{backend}: {}",
            moved["why"]
        );
        let (_, now) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(find(&now, &long_id).0, target, "{backend}: saved");
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 1, "{backend}: {listed:?}");
        let e = &listed[0];
        assert_eq!(e["id"], edit_id.as_str());
        assert_eq!(e["rule"], "athlete_edit");
        assert_eq!(e["editor"], "Ana");
        assert_eq!(e["note"], "race rehearsal");
        assert_eq!(e["undone"], false);
        assert_eq!(e["violations"], dry["violations"]);
        // Ana reads her own edit as hers.
        assert!(
            e["summary"]
                .as_str()
                .unwrap()
                .starts_with("You moved Long "),
            "{e}"
        );
        assert_eq!(
            sequence(&c, &feed, &long_id).await,
            1,
            "{backend}: feed re-sends it"
        );
        let (_, session) = send(c.get(app.url(&format!("/api/v1/sessions/{long_id}")))).await;
        assert_eq!(session["date"], target.to_string(), "{backend}: {session}");

        // Undo restores the plan exactly; the feed re-sends it again.
        let (s, _) =
            send(c.post(app.url(&format!("/api/v1/plans/{id}/adjustments/{edit_id}/undo")))).await;
        assert_eq!(s, StatusCode::OK);
        let (_, undone) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(
            bare(undone),
            bare(plan.clone()),
            "{backend}: undo restores exactly"
        );
        assert_eq!(sequence(&c, &feed, &long_id).await, 2);
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed[0]["undone"], true);

        // Redo lays it over again.
        let (s, _) =
            send(c.post(app.url(&format!("/api/v1/plans/{id}/adjustments/{edit_id}/redo")))).await;
        assert_eq!(s, StatusCode::OK);
        let (_, redone) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(find(&redone, &long_id).0, target, "{backend}");
        assert_eq!(sequence(&c, &feed, &long_id).await, 3);
    }
}

/// The athlete's own moves (#17 review): a run moved a day leaves no
/// finding for the day it left; two runs on one day are flagged; the
/// history says "You moved …" with the run as the plan shows it and the
/// note as a sentence of its own; no session moves into the past.
#[tokio::test]
async fn an_athletes_own_moves_are_checked_as_the_athlete_sees_them() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        // Started a week ago: last week is the past.
        let plan = new_plan(&app, &c, 1).await;
        let id = plan["id"].as_str().unwrap().to_owned();
        let edits = app.url(&format!("/api/v1/plans/{id}/edits"));
        let all = sessions(&plan);
        let from = today().checked_add(7.days()).unwrap();
        // A Thursday easy run a week or more ahead, moved to the Friday.
        let (thu, easy) = all
            .iter()
            .find(|(d, s)| {
                *d >= from && s["kind"] == "easy" && d.weekday() == jiff::civil::Weekday::Thursday
            })
            .map(|(d, s)| (*d, s))
            .unwrap();
        let easy_id = easy["id"].as_str().unwrap().to_owned();
        let fri = thu.tomorrow().unwrap();
        let ops = json!([{"op": "move", "session_id": easy_id, "to_date": fri.to_string()}]);
        let (s, dry) = send(c.post(&edits).json(&json!({"ops": ops, "dry_run": true}))).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {dry}");
        assert_eq!(
            dry["violations"],
            json!([]),
            "{backend}: the move explains the empty day"
        );

        // Saved with a note: "You moved Easy … (Thu …) to Fri …".
        let (s, saved) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "note": "Christmas travel"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {saved}");
        let title = easy["title"].as_str().unwrap();
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        let summary = listed[0]["summary"].as_str().unwrap();
        assert_eq!(
            summary,
            format!(
                "You moved {title} ({}) to {}.",
                thu.strftime("%a %-d %b"),
                fri.strftime("%a %-d %b")
            ),
            "{backend}"
        );

        // Onto a day that has a run: two runs on one day, flagged; saved
        // anyway, the note ends its sentence before what was accepted.
        let (sat, other) = all
            .iter()
            .find(|(d, s)| {
                *d > fri
                    && *d < fri.checked_add(7.days()).unwrap()
                    && s["kind"]
                        .as_str()
                        .is_some_and(|k| k != "long" && k != "race")
                    && s.get("distance_m").is_some()
            })
            .map(|(d, s)| (*d, s["id"].as_str().unwrap().to_owned()))
            .unwrap();
        let ops = json!([{"op": "move", "session_id": easy_id, "to_date": sat.to_string()}]);
        let (s, refused) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "note": "Christmas travel"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: {refused} ({other})");
        let found = refused["violations"].as_array().unwrap();
        assert!(
            found
                .iter()
                .any(|v| v["rule"] == "one_run_a_day" || v["rule"] == "hard_days"),
            "{backend}: {found:?}"
        );
        let two = found
            .iter()
            .find(|v| {
                v["date"] == sat.to_string()
                    && v["message"].as_str().unwrap().contains(" on one day: two ")
            })
            .unwrap_or_else(|| panic!("{backend}: {found:?}"));
        let (s, _) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "note": "Christmas travel", "accept_warnings": true})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        let why = listed[1]["why"].as_str().unwrap();
        assert!(
            why.starts_with("Christmas travel. Saved despite: ")
                && why.contains(two["message"].as_str().unwrap()),
            "{backend}: {why}"
        );

        // Into the past: refused, naming the field; nothing saved.
        let yesterday = today().yesterday().unwrap();
        let ops = json!([{"op": "move", "session_id": easy_id, "to_date": yesterday.to_string()}]);
        let (s, v) = send(
            c.post(&edits)
                .json(&json!({"ops": ops, "accept_warnings": true})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {v}");
        assert_eq!(v["fields"][0]["field"], "ops[0].to_date", "{v}");
        assert!(
            v["message"].as_str().unwrap().contains("is in the past"),
            "{v}"
        );
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed.as_array().unwrap().len(), 2, "{backend}");
    }
}

#[tokio::test]
async fn another_athlete_gets_404_and_the_plan_stays_as_it_was() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let ben = app.signup("ben@example.com").await;
        let plan = new_plan(&app, &ana, 0).await;
        let id = plan["id"].as_str().unwrap();
        let (_, s) = sessions(&plan)[3];
        let ops = json!([{"op": "remove", "session_id": s["id"]}]);
        for body in [
            json!({"ops": ops, "dry_run": true}),
            json!({"ops": ops, "accept_warnings": true}),
        ] {
            let (status, v) = send(
                ben.post(app.url(&format!("/api/v1/plans/{id}/edits")))
                    .json(&body),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{backend}: {v}");
            assert_eq!(v["error"], "not_found");
        }
        let (status, _) =
            send(ben.post(app.url(&format!("/api/v1/plans/{id}/adjustments/edit-x/undo")))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, now) = send(ana.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(bare(now), bare(plan.clone()), "{backend}");
    }
}

#[tokio::test]
async fn bad_edits_are_refused_naming_the_op_and_the_problem() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 0).await;
        let id = plan["id"].as_str().unwrap();
        let url = app.url(&format!("/api/v1/plans/{id}/edits"));
        let all = sessions(&plan);
        let easy = all.iter().find(|(_, s)| s["kind"] == "easy").unwrap().1["id"].clone();
        let race = all.iter().find(|(_, s)| s["kind"] == "race").unwrap();
        let after_race = race.0.checked_add(3.days()).unwrap().to_string();
        let cases = [
            (
                json!([{"op": "move", "session_id": "nope", "to_date": after_race}]),
                "ops[0].session_id",
                "no session 'nope'",
            ),
            (
                json!([{"op": "move", "session_id": easy, "to_date": after_race}]),
                "ops[0].to_date",
                "outside the plan",
            ),
            (
                json!([{"op": "remove", "session_id": race.1["id"]}]),
                "ops[0].session_id",
                "the race stays",
            ),
            (
                json!([{"op": "set", "session_id": easy, "distance_m": 0}]),
                "ops[0].distance_m",
                "more than 0 m",
            ),
            (
                json!([{"op": "remove", "session_id": easy}, {"op": "set", "session_id": easy, "title": "x"}]),
                "ops[1].session_id",
                "no session",
            ),
            (
                json!([{"op": "add", "date": race.0.to_string(), "session": {"kind": "strength", "exercises": [{"id": "no-such-move", "sets": 2}]}}]),
                "ops[0].session.exercises",
                "no exercise 'no-such-move'",
            ),
            (json!([]), "ops", "at least one op"),
        ];
        for (ops, field, message) in cases {
            let (s, v) = send(c.post(&url).json(&json!({"ops": ops}))).await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {ops} → {v}"
            );
            assert_eq!(v["error"], "invalid_edit", "{v}");
            assert_eq!(v["fields"][0]["field"], field, "{v}");
            assert!(v["message"].as_str().unwrap().contains(message), "{v}");
        }
        let (s, v) = send(
            c.post(&url)
                .json(&json!({"ops": [{"op": "teleport", "session_id": easy}]})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (s, v) = send(c.post(&url).json(
            &json!({"ops": [{"op": "remove", "session_id": easy}], "note": "n".repeat(501)}),
        ))
        .await;
        assert_eq!(
            (s, v["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("note")),
            "{v}"
        );
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed, json!([]), "{backend}: nothing saved");
    }
}

#[tokio::test]
async fn a_run_swapped_for_cross_training_keeps_its_id_and_log_and_an_added_session_can_be_logged()
{
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 2).await;
        let id = plan["id"].as_str().unwrap();
        let (day, run) = sessions(&plan)
            .into_iter()
            .find(|(d, s)| s["kind"] == "easy" && *d < today())
            .unwrap();
        let run_id = run["id"].as_str().unwrap().to_owned();
        let (s, log) = send(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"session_id": run_id, "status": "done", "rpe": 4})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{log}");
        let log_id = log["id"].clone();
        let (s, v) = send(
            c.post(app.url(&format!("/api/v1/plans/{id}/edits"))).json(&json!({
                "ops": [
                    {"op": "set", "session_id": run_id, "kind": "cross_training"},
                    {"op": "add", "date": day.to_string(), "session": {"kind": "mobility", "duration_s": 900}}
                ],
                "accept_warnings": true
            })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        let (_, session) = send(c.get(app.url(&format!("/api/v1/sessions/{run_id}")))).await;
        assert_eq!(session["kind"], "cross_training", "{backend}: {session}");
        assert_eq!(session["log_id"], log_id, "{backend}: the log stays linked");
        assert_eq!(session["status"], "done");
        assert!(session.get("distance_m").is_none() && session["minutes"].as_u64().unwrap() > 0);
        let added = sessions(&v["plan"])
            .into_iter()
            .find(|(d, s)| {
                *d == day
                    && s["kind"] == "mobility"
                    && s["why"].as_str().unwrap().starts_with("Changed by")
            })
            .map(|(_, s)| s["id"].as_str().unwrap().to_owned())
            .expect("the added session");
        let (s, log) = send(
            c.post(app.url("/api/v1/logs"))
                .json(&json!({"session_id": added, "status": "done", "duration_s": 900})),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::CREATED,
            "{backend}: an added session can be logged: {log}"
        );
        let (_, session) = send(c.get(app.url(&format!("/api/v1/sessions/{added}")))).await;
        assert_eq!(session["status"], "done", "{backend}: {session}");
    }
}

#[tokio::test]
async fn adaptation_works_on_top_of_an_edit_without_reverting_it() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        // Week 2 ends today (every run of it can be logged) and week 3
        // begins tomorrow (any of its days can take a session), whatever
        // the weekday.
        let (s, plan) = send(
            c.post(app.url("/api/v1/plans"))
                .json(&plan_request_from(today() - 13.days())),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {plan}");
        let id = plan["id"].as_str().unwrap();
        // Week 3's long run moves a day earlier.
        let w3 = &plan["weeks"][2];
        let (long_day, long_id) = sessions(&json!({"weeks": [w3]}))
            .into_iter()
            .find(|(_, s)| s["kind"] == "long")
            .map(|(d, s)| (d, s["id"].as_str().unwrap().to_owned()))
            .unwrap();
        let to = long_day.yesterday().unwrap();
        let (s, v) = send(c.post(app.url(&format!("/api/v1/plans/{id}/edits"))).json(&json!({
            "ops": [{"op": "move", "session_id": long_id, "to_date": to.to_string()}], "accept_warnings": true
        })))
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {v}");
        let km_before = v["plan"]["weeks"][2]["training_km"].as_f64().unwrap();
        // Knee pain on two runs of week 2 eases week 3.
        let runs: Vec<String> = sessions(&json!({"weeks": [&plan["weeks"][1]]}))
            .into_iter()
            .filter(|(_, s)| s["kind"] == "easy" || s["kind"] == "recovery")
            .take(2)
            .map(|(_, s)| s["id"].as_str().unwrap().to_owned())
            .collect();
        for run in runs {
            let (s, v) = send(c.post(app.url("/api/v1/logs")).json(&json!({
                "session_id": run, "status": "done", "rpe": 5, "pain": [{"location": "knee", "score": 5}]
            })))
            .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        let (_, now) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert!(
            now["weeks"][2]["training_km"].as_f64().unwrap() < km_before,
            "{backend}: eased"
        );
        assert_eq!(find(&now, &long_id).0, to, "{backend}: the edit stands");
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        let rules: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["rule"].as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&"athlete_edit") && rules.contains(&"pain"),
            "{rules:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_edits_of_one_version_never_both_build_on_it() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 0).await;
        let id = plan["id"].as_str().unwrap().to_owned();
        let easy: Vec<String> = sessions(&plan)
            .into_iter()
            .filter(|(_, s)| s["kind"] == "easy")
            .take(8)
            .map(|(_, s)| s["id"].as_str().unwrap().to_owned())
            .collect();
        // Separate clients (separate connections), one per edit, all at once.
        let mut tasks = Vec::new();
        for sid in easy.clone() {
            let client = app.client();
            let login = client
                .post(app.url("/api/v1/login"))
                .json(&json!({"email": "ana@example.com", "password": "long enough password"}))
                .send()
                .await
                .unwrap();
            assert_eq!(login.status(), StatusCode::OK);
            let url = app.url(&format!("/api/v1/plans/{id}/edits"));
            tasks.push(tokio::spawn(async move {
                send(client.post(url).json(&json!({"ops": [{"op": "set", "session_id": sid, "title": "Edited"}], "accept_warnings": true}))).await
            }));
        }
        let mut saved = 0;
        for t in tasks {
            let (s, v) = t.await.unwrap();
            match s {
                StatusCode::OK => saved += 1,
                StatusCode::CONFLICT => assert_eq!(v["error"], "plan_changed", "{v}"),
                other => panic!("{backend}: {other} {v}"),
            }
        }
        assert!(saved >= 1);
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(
            listed.as_array().unwrap().len(),
            saved,
            "{backend}: every 200 is stored, no other"
        );
        let (_, now) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        let edited = easy
            .iter()
            .filter(|s| find(&now, s).1["title"] == "Edited")
            .count();
        assert_eq!(edited, saved, "{backend}");
    }
}

#[tokio::test]
async fn a_new_plan_becomes_current_and_the_old_one_is_archived_not_deleted() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let first = new_plan(&app, &c, 0).await;
        let (_, listed) = send(c.get(app.url("/api/v1/plans"))).await;
        assert_eq!(
            (
                listed[0]["current"].as_bool(),
                listed[0]["archived"].as_bool()
            ),
            (Some(true), Some(false))
        );
        let second = new_plan(&app, &c, 1).await;
        let (_, listed) = send(c.get(app.url("/api/v1/plans"))).await;
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 2, "{backend}");
        let by_id = |id: &Value| listed.iter().find(|p| p["id"] == *id).unwrap();
        assert_eq!(by_id(&second["id"])["current"], true);
        assert_eq!(by_id(&second["id"])["archived"], false);
        assert_eq!(by_id(&first["id"])["current"], false);
        assert_eq!(by_id(&first["id"])["archived"], true);
        let (s, old) =
            send(c.get(app.url(&format!("/api/v1/plans/{}", first["id"].as_str().unwrap())))).await;
        assert_eq!(s, StatusCode::OK, "{backend}: kept");
        assert_eq!(bare(old), bare(first.clone()));
        let (_, today) = send(c.get(app.url("/api/v1/today"))).await;
        assert_eq!(
            today["plan_id"], second["id"],
            "{backend}: Today follows the current plan"
        );
    }
}

/// The pages without a browser: the session page's move form, the check
/// page naming the rule, saving, the change listed with its undo, and the
/// onboarding form asking before a new plan replaces the current one.
#[tokio::test]
async fn the_pages_check_a_move_before_saving_and_ask_before_replacing_a_plan() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 0).await;
        let id = plan["id"].as_str().unwrap();
        let (intervals_day, long_id, _) = intervals_and_long_run(&plan, 1);
        let target = intervals_day.tomorrow().unwrap().to_string();
        let html = app.page(&c, &format!("/sessions/{long_id}")).await;
        assert!(
            html.contains("Change this session") && html.contains(&format!("value=\"{target}\"")),
            "{backend}"
        );
        let csrf = common::csrf_of(&html);
        let post = |form: Vec<(&str, String)>| {
            c.post(app.url(&format!("/sessions/{long_id}/edit")))
                .form(&form)
                .send()
        };
        let base = vec![
            ("csrf", csrf.clone()),
            ("action", "move".to_owned()),
            ("to_date", target.clone()),
        ];
        let r = post(base.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        let check = r.text().await.unwrap();
        assert!(
            check.contains("Check the change")
                && check.contains("quality session the day before the long run"),
            "{check}"
        );
        // The editor chose the long run's new day: that is not a finding
        // (only what the move breaks around it is).
        assert!(!check.contains("instead of the long-run day"), "{check}");
        assert!(check.contains("Save anyway"));
        let (_, listed) = send(c.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed, json!([]), "{backend}: checking saves nothing");

        let mut confirm = base.clone();
        confirm.push(("confirm", "1".into()));
        confirm.push(("note", "rehearsal".into()));
        let r = post(confirm).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            r.headers()["location"],
            format!("/plans/{id}#changes").as_str()
        );
        let calendar = app.page(&c, &format!("/plans/{id}")).await;
        assert!(
            calendar.contains("What changed and why") && calendar.contains("You moved Long"),
            "{backend}"
        );
        assert!(calendar.contains("Undo this change"));

        // Another athlete's session cannot be edited from the page either.
        let ben = app.signup("ben@example.com").await;
        let ben_csrf = common::csrf_of(&app.page(&ben, "/onboarding").await);
        let r = ben
            .post(app.url(&format!("/sessions/{long_id}/edit")))
            .form(&[("csrf", ben_csrf.as_str()), ("action", "cross")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");

        // Onboarding asks before replacing the current plan.
        let form = app.page(&c, "/onboarding").await;
        assert!(
            form.contains("You have a current plan") && form.contains("name=\"replace\""),
            "{backend}"
        );
        let monday =
            today() - i64::from(today().weekday().to_monday_zero_offset()).days() + 7.days();
        let (race_date, start) = (
            (monday + (12 * 7 - 1).days()).to_string(),
            monday.to_string(),
        );
        let mut answers: Vec<(&str, &str)> = vec![
            ("race", "10k"),
            ("race_date", &race_date),
            ("start", &start),
            ("day_tue", "on"),
            ("day_thu", "on"),
            ("day_sun", "on"),
            ("long_run_day", "sun"),
            ("week_start", "mon"),
            ("level", "first-timer"),
            ("weekly_km", "20"),
            ("strength_days", "2"),
            ("units", "km"),
        ];
        let csrf = common::csrf_of(&form);
        answers.push(("csrf", &csrf));
        let r = c
            .post(app.url("/onboarding"))
            .form(&answers)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.text().await.unwrap().contains("Replace my current plan"));
        let (_, listed) = send(c.get(app.url("/api/v1/plans"))).await;
        assert_eq!(
            listed.as_array().unwrap().len(),
            1,
            "{backend}: not replaced unasked"
        );
        answers.push(("replace", "on"));
        let r = c
            .post(app.url("/onboarding"))
            .form(&answers)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, listed) = send(c.get(app.url("/api/v1/plans"))).await;
        assert_eq!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["archived"] == true)
                .count(),
            1
        );
    }
}

/// The week editor without a browser: a run's distance, a run swapped for
/// cross-training and a hip session added from the library, checked then
/// saved as one edit.
#[tokio::test]
async fn the_week_editor_changes_distances_swaps_and_adds_a_hip_session() {
    for backend in backends() {
        let app = App::start(backend).await;
        let c = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &c, 0).await;
        let id = plan["id"].as_str().unwrap();
        let week = json!({"weeks": [&plan["weeks"][1]]});
        let runs: Vec<(Date, &Value)> = sessions(&week)
            .into_iter()
            .filter(|(_, s)| s["kind"] == "easy")
            .collect();
        let (day, first) = runs[0];
        let (_, second) = runs[1];
        let (a, b) = (
            first["id"].as_str().unwrap(),
            second["id"].as_str().unwrap(),
        );
        let html = app.page(&c, &format!("/plans/{id}/weeks/2/edit")).await;
        assert!(
            html.contains(&format!("name=\"km_{a}\"")) && html.contains("Add a hip session"),
            "{backend}"
        );
        let movement = runcoach_core::exercises::library()
            .iter()
            .find(|e| !e.activation)
            .unwrap();
        let csrf = common::csrf_of(&html);
        let (km, cross, ex, day_s) = (
            format!("km_{a}"),
            format!("cross_{b}"),
            format!("ex_{}", movement.id),
            day.to_string(),
        );
        let mut form: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            (&km, "11.5"),
            (&cross, "on"),
            ("add_day", &day_s),
            (&ex, "on"),
        ];
        let url = app.url(&format!("/plans/{id}/weeks/2/edit"));
        let r = c.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        let check = r.text().await.unwrap();
        assert!(
            check.contains("Check the change") && check.contains("now Cross"),
            "{check}"
        );
        form.push(("confirm", "1"));
        let r = c.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, now) = send(c.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(find(&now, a).1["distance_m"], 11_500, "{backend}");
        assert_eq!(find(&now, b).1["kind"], "cross_training");
        let hips = sessions(&now)
            .into_iter()
            .find(|(d, s)| *d == day && s["title"] == "Hip strength")
            .expect("added");
        assert_eq!(hips.1["exercises"][0]["id"], movement.id.as_str());
        assert_eq!(hips.1["exercises"][0]["name"], movement.name.as_str());
    }
}

/// A coach with an `edit` grant edits through the same route (listed as
/// `coach_edit` under their name); a `view` coach gets 403.
#[tokio::test]
async fn a_coach_with_edit_access_edits_and_a_view_coach_gets_403() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let plan = new_plan(&app, &ana, 0).await;
        let id = plan["id"].as_str().unwrap();
        let easy = sessions(&plan)
            .into_iter()
            .find(|(_, s)| s["kind"] == "easy")
            .unwrap()
            .1["id"]
            .clone();
        let body = json!({"ops": [{"op": "set", "session_id": easy, "title": "Coach's easy run"}]});
        for (email, access, want) in [
            ("viewer@example.com", "view", StatusCode::FORBIDDEN),
            ("editor@example.com", "edit", StatusCode::OK),
        ] {
            let coach = app
                .user_with_role(email, runcoach_store::users::Role::Coach)
                .await;
            let (_, me) = send(coach.get(app.url("/api/v1/me"))).await;
            let (s, g) = send(
                ana.post(app.url("/api/v1/coaching/grants"))
                    .json(&json!({"coach_id": me["id"], "access": access})),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{backend}: {g}");
            let (s, v) = send(
                coach
                    .post(app.url(&format!("/api/v1/plans/{id}/edits")))
                    .json(&body),
            )
            .await;
            assert_eq!(s, want, "{backend} {access}: {v}");
        }
        let (_, listed) = send(ana.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{backend}: {listed}");
        assert_eq!(listed[0]["rule"], "coach_edit");
        assert_eq!(listed[0]["editor"], "Staff");
    }
}

/// The week editor serves a coach with `edit` access as it serves the
/// athlete (saving goes back to the coach's page of that athlete); a
/// `view` coach is told their access does not allow changes, and nothing
/// is saved.
#[tokio::test]
async fn a_coach_with_edit_access_changes_a_week_from_the_pages() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let (_, ana_me) = send(ana.get(app.url("/api/v1/me"))).await;
        let plan = new_plan(&app, &ana, 0).await;
        let id = plan["id"].as_str().unwrap();
        let week = json!({"weeks": [&plan["weeks"][1]]});
        let easy = sessions(&week)
            .into_iter()
            .find(|(_, s)| s["kind"] == "easy")
            .unwrap()
            .1["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let km = format!("km_{easy}");
        let page = format!("/plans/{id}/weeks/2/edit");
        let mut coaches = Vec::new();
        for (email, access) in [
            ("viewer@example.com", "view"),
            ("editor@example.com", "edit"),
        ] {
            let coach = app
                .user_with_role(email, runcoach_store::users::Role::Coach)
                .await;
            let (_, me) = send(coach.get(app.url("/api/v1/me"))).await;
            let (s, g) = send(
                ana.post(app.url("/api/v1/coaching/grants"))
                    .json(&json!({"coach_id": me["id"], "access": access})),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{backend}: {g}");
            coaches.push(coach);
        }
        let (viewer, editor) = (&coaches[0], &coaches[1]);
        let refused = viewer.get(app.url(&page)).send().await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(
            refused.text().await.unwrap().contains("not change it"),
            "{backend}"
        );
        let html = app.page(editor, &page).await;
        assert!(
            html.contains(&format!("name=\"{km}\"")),
            "{backend}: {html}"
        );
        let csrf = common::csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            (km.as_str(), "9.5"),
            ("note", "Shorter after your long week"),
            ("confirm", "1"),
        ];
        let r = editor
            .post(app.url(&page))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/coach/athletes/{}", ana_me["id"].as_str().unwrap())
        );
        let (_, now) = send(ana.get(app.url(&format!("/api/v1/plans/{id}")))).await;
        assert_eq!(find(&now, &easy).1["distance_m"], 9_500, "{backend}");
        let (_, listed) = send(ana.get(app.url(&format!("/api/v1/plans/{id}/adjustments")))).await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{backend}: {listed}");
        assert_eq!(listed[0]["rule"], "coach_edit");
        assert_eq!(listed[0]["note"], "Shorter after your long week");
    }
}
