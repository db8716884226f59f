//! Coaching over HTTP on SQLite and PostgreSQL: the authorisation matrix
//! (route × relation × access level), grants, single-use invitations,
//! coach profiles.

use crate::common;

use common::{App, json_of};
use jiff::ToSpan;
use reqwest::{Client, StatusCode};
use runcoach_store::test_support::backends;
use runcoach_store::users::Role;
use serde_json::{Value, json};

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

fn plan_request() -> Value {
    let start = today() - 14.days() - i64::from(today().weekday().to_monday_zero_offset()).days();
    json!({
        "race": "half", "race_date": (start + (14 * 7 - 1).days()).to_string(), "start": start.to_string(),
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun", "level": "experienced",
        "weekly_km": 40, "recent": {"distance": "10k", "time": "50:00"}, "strength_days": 2
    })
}

async fn id_of(c: &Client, app: &App) -> String {
    let (_, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    me["id"].as_str().unwrap().to_owned()
}

/// The athlete grants `coach` the access level; the grant's JSON.
async fn grant(app: &App, athlete: &Client, coach_id: &str, access: &str) -> Value {
    let (s, g) = json_of(
        athlete
            .post(app.url("/api/v1/coaching/grants"))
            .json(&json!({"coach_id": coach_id, "access": access}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}: {g}", app.backend);
    g
}

struct World {
    app: App,
    athlete_id: String,
    plan_id: String,
    session_id: String,
    /// Who asks, and what they are to the athlete.
    actors: Vec<(&'static str, Client)>,
}

async fn world(backend: &'static str) -> World {
    let app = App::start(backend).await;
    let athlete = app.signup("ana@example.com").await;
    let athlete_id = id_of(&athlete, &app).await;
    let (s, plan) = json_of(
        athlete
            .post(app.url("/api/v1/plans"))
            .json(&plan_request())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{backend}: {plan}");
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    let session_id = plan["weeks"][0]["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .next()
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut actors = vec![("owner", athlete.clone())];
    for (name, access) in [
        ("coach_view", "view"),
        ("coach_comment", "comment"),
        ("coach_edit", "edit"),
    ] {
        let c = app
            .user_with_role(&format!("{name}@example.com"), Role::Coach)
            .await;
        grant(&app, &athlete, &id_of(&c, &app).await, access).await;
        actors.push((name, c));
    }
    actors.push((
        "other_coach",
        app.user_with_role("rival@example.com", Role::Coach).await,
    ));
    actors.push(("other_athlete", app.signup("bo@example.com").await));
    actors.push((
        "admin",
        app.user_with_role("boss@example.com", Role::Admin).await,
    ));
    World {
        app,
        athlete_id,
        plan_id,
        session_id,
        actors,
    }
}

/// Every athlete route, asked by every relation: the status each gets.
#[tokio::test]
async fn the_authorisation_matrix_holds_for_every_route_and_relation() {
    for backend in backends() {
        let w = world(backend).await;
        let (a, p, s) = (&w.athlete_id, &w.plan_id, &w.session_id);
        // (method, path, body) and the statuses of: owner, coach view,
        // coach comment, coach edit, other coach, other athlete, admin.
        // An undo of an unknown adjustment is 404 for whoever may edit and
        // 403 for whoever may only read: the access check comes first.
        let routes: Vec<(&str, String, Option<Value>, [u16; 7])> = vec![
            (
                "get",
                format!("/api/v1/plans/{p}"),
                None,
                [200, 200, 200, 200, 404, 404, 200],
            ),
            (
                "get",
                format!("/api/v1/sessions/{s}"),
                None,
                [200, 200, 200, 200, 404, 404, 200],
            ),
            (
                "get",
                format!("/api/v1/progress?athlete_id={a}"),
                None,
                [200, 200, 200, 200, 404, 404, 200],
            ),
            (
                "get",
                format!("/api/v1/logs?athlete_id={a}"),
                None,
                [200, 200, 200, 200, 404, 404, 200],
            ),
            (
                "get",
                format!("/api/v1/plans/{p}/adjustments"),
                None,
                [200, 200, 200, 200, 404, 404, 200],
            ),
            (
                "post",
                format!("/api/v1/plans/{p}/adjustments/nope/undo"),
                None,
                [404, 403, 403, 404, 404, 404, 403],
            ),
        ];
        for (method, path, body, want) in &routes {
            for ((who, c), want) in w.actors.iter().zip(want) {
                let req = match *method {
                    "get" => c.get(w.app.url(path)),
                    _ => c
                        .post(w.app.url(path))
                        .json(body.as_ref().unwrap_or(&json!({}))),
                };
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let text = r.text().await.unwrap();
                assert_eq!(status, *want, "{backend}: {who} {method} {path}: {text}");
                if status == 404 {
                    // A foreign athlete's data is simply not found: the
                    // answer names nothing of it.
                    assert!(
                        !text.contains(a.as_str()) && !text.contains("plan"),
                        "{text}"
                    );
                }
            }
        }
        // What a coach reads is the athlete's, not their own (empty) data.
        let coach = &w.actors[1].1;
        let (_, plan) = json_of(
            coach
                .get(w.app.url(&format!("/api/v1/plans/{p}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(plan["id"], json!(p), "{backend}");
        assert_eq!(plan["race"]["name"], json!("half"), "{backend}");
        let (_, progress) = json_of(
            coach
                .get(
                    w.app
                        .url(&format!("/api/v1/progress?athlete_id={a}&weeks=4")),
                )
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(progress["weeks"].as_array().unwrap().len(), 4, "{backend}");
        assert!(
            progress["weeks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["planned_km"].as_f64().unwrap() > 0.0)
        );
    }
}

#[tokio::test]
async fn grants_change_level_and_revoke_at_once() {
    for backend in backends() {
        let app = App::start(backend).await;
        let athlete = app.signup("ana@example.com").await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let coach_id = id_of(&coach, &app).await;
        let athlete_id = id_of(&athlete, &app).await;
        let progress = app.url(&format!("/api/v1/progress?athlete_id={athlete_id}"));

        // Not a coach, oneself, an unknown level: each named.
        let other = app.signup("bo@example.com").await;
        let other_id = id_of(&other, &app).await;
        for (body, field) in [
            (json!({"coach_id": other_id, "access": "view"}), "coach_id"),
            (
                json!({"coach_id": athlete_id, "access": "view"}),
                "coach_id",
            ),
            (json!({"coach_id": coach_id, "access": "own"}), "access"),
        ] {
            let (s, e) = json_of(
                athlete
                    .post(app.url("/api/v1/coaching/grants"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {e}");
            assert_eq!(e["fields"][0]["field"], json!(field), "{backend}: {e}");
        }

        assert_eq!(
            coach.get(&progress).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let g = grant(&app, &athlete, &coach_id, "view").await;
        assert_eq!(g["access"], json!("view"));
        assert_eq!(g["coach_id"], json!(coach_id));
        assert_eq!(
            coach.get(&progress).send().await.unwrap().status(),
            StatusCode::OK
        );
        let id = g["id"].as_str().unwrap();

        let (s, changed) = json_of(
            athlete
                .patch(app.url(&format!("/api/v1/coaching/grants/{id}")))
                .json(&json!({"access": "edit"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, changed["access"].clone()),
            (StatusCode::OK, json!("edit")),
            "{backend}"
        );
        // Granting the same coach again changes the one grant.
        let again = grant(&app, &athlete, &coach_id, "comment").await;
        assert_eq!(again["id"], json!(id));
        let (_, list) = json_of(
            athlete
                .get(app.url("/api/v1/coaching/grants"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");
        assert_eq!(list[0]["access"], json!("comment"));
        assert_eq!(list[0]["source"], json!("athlete"));

        // Someone else's grant is not theirs to change.
        let r = other
            .delete(app.url(&format!("/api/v1/coaching/grants/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = athlete
            .delete(app.url(&format!("/api/v1/coaching/grants/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            coach.get(&progress).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let r = athlete
            .delete(app.url(&format!("/api/v1/coaching/grants/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_invitation_is_accepted_once_even_when_two_race_for_it() {
    for backend in backends() {
        let app = App::start(backend).await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let athlete = app.signup("ana@example.com").await;
        let (s, e) = json_of(
            athlete
                .post(app.url("/api/v1/coach/invitations"))
                .json(&json!({"email": "x@example.com"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, e["error"].clone()),
            (StatusCode::FORBIDDEN, json!("forbidden")),
            "{backend}"
        );
        let (s, e) = json_of(
            coach
                .post(app.url("/api/v1/coach/invitations"))
                .json(&json!({"email": "nobody"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {e}");

        let (s, inv) = json_of(
            coach
                .post(app.url("/api/v1/coach/invitations"))
                .json(&json!({"email": "ana@example.com"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {inv}");
        let secret = inv["id"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 64);
        assert!(
            inv["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/coaching/invitations/{secret}")),
            "{inv}"
        );
        // Only the secret's hash is stored.
        let stored = runcoach_store::test_support::execute(
            &app.db,
            &format!("UPDATE coach_invitations SET email = email WHERE secret_hash = '{secret}'"),
        )
        .await
        .unwrap();
        assert_eq!(stored, 0, "{backend}: the secret itself is not a key");

        let accept = app.url(&format!("/api/v1/coaching/invitations/{secret}/accept"));
        let (s, e) = json_of(
            coach
                .post(&accept)
                .json(&json!({"access": "edit"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: own invitation: {e}"
        );
        let (s, _) = json_of(
            athlete
                .post(&accept)
                .json(&json!({"access": "admin"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // Two athletes (separate connections) race for the same link.
        let bo = app.signup("bo@example.com").await;
        let (r1, r2) = tokio::join!(
            athlete
                .post(&accept)
                .json(&json!({"access": "comment"}))
                .send(),
            bo.post(&accept).json(&json!({"access": "view"})).send()
        );
        let mut statuses = [r1.unwrap().status().as_u16(), r2.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 404], "{backend}");
        let (granted,) = (runcoach_store::test_support::execute(
            &app.db,
            "UPDATE coaching_grants SET access = access",
        )
        .await
        .unwrap(),);
        assert_eq!(granted, 1, "{backend}: exactly one grant");
        // Used is used.
        let c = app.signup("cy@example.com").await;
        let r = c
            .post(&accept)
            .json(&json!({"access": "view"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // An expired invitation is refused the same way.
        let (_, inv) = json_of(
            coach
                .post(app.url("/api/v1/coach/invitations"))
                .json(&json!({"email": "cy@example.com"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        runcoach_store::test_support::execute(
            &app.db,
            "UPDATE coach_invitations SET expires_at = 1 WHERE accepted_at IS NULL",
        )
        .await
        .unwrap();
        let r = c
            .post(app.url(&format!(
                "/api/v1/coaching/invitations/{}/accept",
                inv["id"].as_str().unwrap()
            )))
            .json(&json!({"access": "view"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{backend}");
    }
}

#[tokio::test]
async fn coaches_publish_profiles_athletes_cannot() {
    for backend in backends() {
        let app = App::start(backend).await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let athlete = app.signup("ana@example.com").await;
        let profile = json!({"bio": "Marathoner, 20 years coaching", "specialities": ["marathon", " trail "], "online": true, "in_person_location": "Hyde Park"});
        let (s, e) = json_of(
            athlete
                .put(app.url("/api/v1/coach/profile"))
                .json(&profile)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}: {e}");
        let (s, me) = json_of(
            coach
                .put(app.url("/api/v1/coach/profile"))
                .json(&profile)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {me}");
        assert_eq!(me["specialities"], json!(["marathon", "trail"]));
        let long = json!({"bio": "x".repeat(2001), "specialities": [], "online": false});
        let (s, e) = json_of(
            coach
                .put(app.url("/api/v1/coach/profile"))
                .json(&long)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, e["fields"][0]["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("bio"))
        );
        let (_, list) = json_of(
            athlete
                .get(app.url("/api/v1/coaches"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");
        assert_eq!(list[0]["bio"], json!("Marathoner, 20 years coaching"));
        assert_eq!(list[0]["in_person_location"], json!("Hyde Park"));
        let (_, me) = json_of(coach.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(
            (me["role"].clone(), me["roles"].clone()),
            (json!("coach"), json!(["coach"]))
        );
    }
}

#[tokio::test]
async fn comments_go_both_ways_and_reading_marks_them_read() {
    for backend in backends() {
        let app = App::start(backend).await;
        let athlete = app.signup("ana@example.com").await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let coach_id = id_of(&coach, &app).await;
        let (_, plan) = json_of(
            athlete
                .post(app.url("/api/v1/plans"))
                .json(&plan_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        let sid = plan["weeks"][1]["days"][1]["sessions"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let g = grant(&app, &athlete, &coach_id, "comment").await;
        let on_session = app.url(&format!("/api/v1/sessions/{sid}/comments"));
        let unread = app.url("/api/v1/comments/unread");

        // Empty, too long, not plain text: each refused with the reason.
        for body in ["   ", &"x".repeat(2001), "ring\u{7}"] {
            let (s, e) = json_of(
                coach
                    .post(&on_session)
                    .json(&json!({"body": body}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {e}");
            assert_eq!(e["fields"][0]["field"], json!("body"));
        }
        let (s, c) = json_of(
            coach
                .post(&on_session)
                .json(&json!({"body": "  Keep it <b>easy</b> today \n"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {c}");
        assert_eq!(c["body"], json!("Keep it <b>easy</b> today"));
        assert_eq!(
            c["author"],
            json!({"id": coach_id, "name": "Staff", "role": "coach"})
        );
        assert_eq!(c["session_id"], json!(sid));

        let (_, u) = json_of(athlete.get(&unread).send().await.unwrap()).await;
        assert_eq!(u["count"], json!(1), "{backend}: {u}");
        assert_eq!(u["items"][0]["id"], c["id"]);
        let (_, mine) = json_of(coach.get(&unread).send().await.unwrap()).await;
        assert_eq!(
            mine["count"],
            json!(0),
            "{backend}: one's own comments are never unread"
        );
        // Reading marks read.
        let (_, list) = json_of(athlete.get(&on_session).send().await.unwrap()).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, u) = json_of(athlete.get(&unread).send().await.unwrap()).await;
        assert_eq!(u["count"], json!(0), "{backend}");

        // The athlete answers: the coach's unread count and roster badge.
        let (s, reply) = json_of(
            athlete
                .post(&on_session)
                .json(&json!({"body": "Will do"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(reply["author"]["role"], json!("athlete"));
        let (_, u) = json_of(coach.get(&unread).send().await.unwrap()).await;
        assert_eq!(u["count"], json!(1), "{backend}: {u}");
        let (_, roster) = json_of(
            coach
                .get(app.url("/api/v1/coach/athletes"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(roster[0]["unread"], json!(1), "{backend}: {roster}");
        let mut keys: Vec<&str> = roster[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "access",
                "acwr",
                "alerts",
                "athlete_id",
                "attention",
                "days_to_race",
                "last_activity",
                "missed_key_sessions",
                "name",
                "pain",
                "phase",
                "plan_id",
                "race",
                "race_date",
                "unread",
                "week"
            ],
            "{backend}"
        );
        assert_eq!(
            roster[0]["week"].as_object().unwrap().len(),
            3,
            "{backend}: planned_km, done_km, compliance"
        );
        let (_, list) = json_of(coach.get(&on_session).send().await.unwrap()).await;
        let bodies: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies, ["Keep it <b>easy</b> today", "Will do"]);
        let (_, roster) = json_of(
            coach
                .get(app.url("/api/v1/coach/athletes"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(roster[0]["unread"], json!(0), "{backend}");

        // Revoked: the comments are out of the coach's reach.
        athlete
            .delete(app.url(&format!(
                "/api/v1/coaching/grants/{}",
                g["id"].as_str().unwrap()
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(
            coach.get(&on_session).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        athlete
            .post(&on_session)
            .json(&json!({"body": "Hello?"}))
            .send()
            .await
            .unwrap();
        let (_, u) = json_of(coach.get(&unread).send().await.unwrap()).await;
        assert_eq!(u["count"], json!(0), "{backend}");
    }
}

/// The coaching pages over the same seam: the roster is a coach's, an
/// athlete page needs a grant (404 otherwise), an invitation is accepted
/// by form, the settings page lists and revokes, admins make coaches.
#[tokio::test]
async fn coaching_pages_follow_the_same_access() {
    for backend in backends() {
        let app = App::start(backend).await;
        let athlete = app.signup("ana@example.com").await;
        let athlete_id = id_of(&athlete, &app).await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        athlete
            .post(app.url("/api/v1/plans"))
            .json(&plan_request())
            .send()
            .await
            .unwrap();

        let status = |c: &Client, path: &str| {
            let r = c.get(app.url(path)).send();
            async move { r.await.unwrap().status() }
        };
        assert_eq!(
            status(&athlete, "/coach").await,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        assert_eq!(status(&coach, "/coach").await, StatusCode::OK);
        let (s, e) = json_of(
            athlete
                .get(app.url("/api/v1/coach/athletes"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, e["error"].clone()),
            (StatusCode::FORBIDDEN, json!("forbidden"))
        );
        let page = format!("/coach/athletes/{athlete_id}");
        assert_eq!(
            status(&coach, &page).await,
            StatusCode::NOT_FOUND,
            "{backend}"
        );

        // Invited and accepted by form.
        let html = app.page(&coach, "/coach").await;
        let csrf = common::csrf_of(&html);
        let r = coach
            .post(app.url("/coach/invitations"))
            .form(&[("csrf", csrf.as_str()), ("email", "ana@example.com")])
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        let start = html
            .find("/coaching/invitations/")
            .expect("the link is shown");
        let link = &html[start..start + "/coaching/invitations/".len() + 64];
        let accept_page = app.page(&athlete, link).await;
        assert!(accept_page.contains("Staff invites you"), "{backend}");
        let csrf = common::csrf_of(&accept_page);
        let r = athlete
            .post(app.url(link))
            .form(&[("csrf", csrf.as_str()), ("access", "comment")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            status(&athlete, link).await,
            StatusCode::NOT_FOUND,
            "used once"
        );

        let roster = app.page(&coach, "/coach").await;
        assert!(
            roster.contains(&format!("/coach/athletes/{athlete_id}")),
            "{backend}"
        );
        // A comment on a whole week shows on the coach's page (which reads,
        // and so marks read, every comment of the plan), escaped.
        let (_, plans) = json_of(athlete.get(app.url("/api/v1/plans")).send().await.unwrap()).await;
        let plan_id = plans[0]["id"].as_str().unwrap();
        let r = athlete
            .post(app.url(&format!("/api/v1/plans/{plan_id}/weeks/1/comments")))
            .json(&json!({"body": "Week one felt <i>hard</i>"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{backend}");
        let (_, u) = json_of(
            coach
                .get(app.url("/api/v1/comments/unread"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(u["count"], json!(1), "{backend}");
        let plan = app.page(&coach, &page).await;
        assert!(plan.contains("your access: comment"), "{backend}");
        assert!(plan.contains("<textarea"), "comment access: a comment form");
        assert!(
            plan.contains("Other comments") && plan.contains("Week 1"),
            "{backend}"
        );
        let said = &plan[plan.find("Week one felt").expect("the week's comment")..];
        assert!(
            !said.starts_with("Week one felt <i>"),
            "{backend}: escaped, not markup"
        );
        assert!(
            said.starts_with("Week one felt &#60;i&#62;hard"),
            "{backend}: {}",
            &said[..40]
        );
        let (_, u) = json_of(
            coach
                .get(app.url("/api/v1/comments/unread"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(u["count"], json!(0), "{backend}");

        // Settings list the coach and revoke; the page is 404 again.
        let settings = app.page(&athlete, "/settings").await;
        assert!(settings.contains("Staff can see and comment"), "{backend}");
        let grant_id = json_of(
            athlete
                .get(app.url("/api/v1/coaching/grants"))
                .send()
                .await
                .unwrap(),
        )
        .await
        .1[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let csrf = common::csrf_of(&settings);
        athlete
            .post(app.url(&format!("/settings/grants/{grant_id}/revoke")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            status(&coach, &page).await,
            StatusCode::NOT_FOUND,
            "{backend}"
        );

        // Only an admin makes coach accounts.
        assert_eq!(
            status(&coach, "/admin/coaches").await,
            StatusCode::FORBIDDEN
        );
        let html = app.page(&admin, "/admin/coaches").await;
        let csrf = common::csrf_of(&html);
        let r = admin
            .post(app.url("/admin/coaches"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Cora"),
                ("email", "cora@example.com"),
                ("password", "tempo tuesdays forever"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, coaches) = json_of(
            athlete
                .get(app.url("/api/v1/coaches"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(coaches.as_array().unwrap().len(), 2, "{backend}: {coaches}");
    }
}
