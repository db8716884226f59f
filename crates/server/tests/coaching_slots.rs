//! In-person coaching over HTTP on SQLite and PostgreSQL: a coach publishes
//! slots, athletes with an in-person package book them with credits,
//! cancel (the credit back only 24 hours ahead), and the last place and
//! the last credit go to exactly one of several racing requests.

use crate::common;

use common::{App, json_of};
use reqwest::StatusCode;
use runcoach_store::test_support::{backends, count};
use runcoach_store::users::Role;
use serde_json::{Value, json};

const HOUR_MS: i64 = 60 * 60 * 1000;

/// An RFC 3339 time `hours` from now, to the minute.
fn in_hours(hours: i64) -> String {
    let ms = jiff::Timestamp::now().as_millisecond() + hours * HOUR_MS;
    let t = jiff::Timestamp::from_millisecond(ms - ms % 60_000).unwrap();
    t.to_string()
}

async fn id_of(app: &App, c: &reqwest::Client) -> String {
    let (_, me) = json_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    me["id"].as_str().unwrap().to_owned()
}

async fn post(c: &reqwest::Client, app: &App, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(c.post(app.url(path)).json(&body).send().await.unwrap()).await
}

struct Studio {
    app: App,
    admin: reqwest::Client,
    coach: reqwest::Client,
    coach_id: String,
    package: String,
}

impl Studio {
    /// A coach and an in-person package of `sessions` with them.
    async fn open(backend: &'static str, sessions: i64) -> Studio {
        let app = App::start(backend).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let coach = app.user_with_role("coach@example.com", Role::Coach).await;
        let coach_id = id_of(&app, &coach).await;
        let (status, package) = post(
            &admin,
            &app,
            "/api/v1/admin/products",
            json!({"slug": "in-person", "name": "In-person sessions", "kind": "coaching_package",
                   "price_minor": 24000, "currency": "USD", "coach_id": coach_id, "sessions": sessions}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{package}");
        Studio {
            package: package["id"].as_str().unwrap().to_owned(),
            app,
            admin,
            coach,
            coach_id,
        }
    }

    /// A signed-up athlete who bought (and paid for) the package.
    async fn athlete_with_package(&self, email: &str) -> reqwest::Client {
        let c = self.app.signup(email).await;
        let (status, order) = post(
            &c,
            &self.app,
            "/api/v1/orders",
            json!({"items": [{"product_id": self.package}]}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let id = order["id"].as_str().unwrap();
        let (status, paid) = json_of(
            self.admin
                .post(
                    self.app
                        .url(&format!("/api/v1/admin/orders/{id}/mark-paid")),
                )
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        c
    }

    async fn slot(&self, hours_ahead: i64, capacity: i64) -> String {
        let (status, slot) = post(
            &self.coach,
            &self.app,
            "/api/v1/coach/slots",
            json!({"starts_at": in_hours(hours_ahead), "duration_min": 60,
                   "location": "Track, lane 1", "capacity": capacity}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{slot}");
        slot["id"].as_str().unwrap().to_owned()
    }

    async fn book(&self, c: &reqwest::Client, slot: &str) -> (StatusCode, Value) {
        post(
            c,
            &self.app,
            &format!("/api/v1/slots/{slot}/bookings"),
            json!({}),
        )
        .await
    }

    async fn credits_left(&self, c: &reqwest::Client) -> i64 {
        let (_, mine) = json_of(
            c.get(self.app.url("/api/v1/bookings"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        mine["credits"][0]["left"].as_i64().unwrap()
    }
}

#[tokio::test]
async fn only_a_coach_publishes_and_bad_slots_name_each_field() {
    for backend in backends() {
        let s = Studio::open(backend, 2).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let (status, v) = post(
            &ana,
            &s.app,
            "/api/v1/coach/slots",
            json!({"starts_at": in_hours(48), "duration_min": 60, "location": "Park", "capacity": 2}),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        let (status, v) = post(
            &s.coach,
            &s.app,
            "/api/v1/coach/slots",
            json!({"starts_at": "tomorrow at 7", "duration_min": 0, "location": " ", "capacity": 0}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let fields: Vec<&str> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["starts_at", "duration_min", "location", "capacity"]
        );
        let (status, v) = post(
            &s.coach,
            &s.app,
            "/api/v1/coach/slots",
            json!({"starts_at": in_hours(-1), "duration_min": 60, "location": "Park", "capacity": 2}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["fields"][0]["field"], "starts_at");
    }
}

#[tokio::test]
async fn an_athlete_with_a_package_books_and_cancels_and_credits_follow_the_24_hour_rule() {
    for backend in backends() {
        let s = Studio::open(backend, 2).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let stranger = s.app.signup("ben@example.com").await;
        let far = s.slot(72, 3).await;
        let soon = s.slot(6, 3).await;
        let third = s.slot(96, 3).await;

        // Without a package or access, the coach's slots are not there.
        let slots_path = format!("/api/v1/coaches/{}/slots", s.coach_id);
        let r = stranger.get(s.app.url(&slots_path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(s.book(&stranger, &far).await.0, StatusCode::NOT_FOUND);

        let (status, slots) = json_of(ana.get(s.app.url(&slots_path)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(slots.as_array().unwrap().len(), 3);
        assert_eq!(slots[0]["id"], soon.as_str());
        assert_eq!(slots[0]["places_left"], 3);
        assert!(
            slots[0].get("attendees").is_none(),
            "athletes do not see who booked"
        );

        let (status, booked) = s.book(&ana, &far).await;
        assert_eq!(status, StatusCode::CREATED, "{backend}: {booked}");
        assert_eq!(booked["slot"]["booked"], 1);
        assert_eq!(s.credits_left(&ana).await, 1);
        let (status, again) = s.book(&ana, &far).await;
        assert_eq!(
            (status, again["error"].as_str()),
            (StatusCode::CONFLICT, Some("already_booked"))
        );

        // The coach sees who booked.
        let (_, coach_view) =
            json_of(s.coach.get(s.app.url(&slots_path)).send().await.unwrap()).await;
        let far_view = coach_view
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == far.as_str())
            .unwrap();
        assert_eq!(far_view["attendees"][0]["name"], "Ana");

        // Cancelling 72 hours ahead gives the credit back; a second cancel
        // and someone else's cancel change nothing.
        let booking = booked["id"].as_str().unwrap();
        let r = stranger
            .delete(s.app.url(&format!("/api/v1/bookings/{booking}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (status, cancelled) = json_of(
            ana.delete(s.app.url(&format!("/api/v1/bookings/{booking}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!(cancelled["credit_returned"], true);
        assert_eq!(s.credits_left(&ana).await, 2);
        let (status, v) = json_of(
            ana.delete(s.app.url(&format!("/api/v1/bookings/{booking}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::CONFLICT, Some("already_cancelled"))
        );

        // Six hours ahead, the credit stays used.
        let (_, late) = s.book(&ana, &soon).await;
        let late_id = late["id"].as_str().unwrap();
        let (_, cancelled) = json_of(
            ana.delete(s.app.url(&format!("/api/v1/bookings/{late_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(cancelled["credit_returned"], false);
        assert_eq!(s.credits_left(&ana).await, 1);

        // Rebooking after a cancel works; then the package is spent.
        assert_eq!(s.book(&ana, &far).await.0, StatusCode::CREATED);
        assert_eq!(s.credits_left(&ana).await, 0);
        let (status, v) = s.book(&ana, &third).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::PAYMENT_REQUIRED, Some("no_credit")),
            "{backend}"
        );
        let (_, mine) = json_of(ana.get(s.app.url("/api/v1/bookings")).send().await.unwrap()).await;
        assert_eq!(mine["bookings"].as_array().unwrap().len(), 1);
        assert_eq!(mine["bookings"][0]["slot"]["id"], far.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn athletes_racing_for_the_last_place_exactly_one_wins() {
    for backend in backends() {
        let s = Studio::open(backend, 3).await;
        let mut athletes = Vec::new();
        for i in 0..6 {
            athletes.push(
                s.athlete_with_package(&format!("runner{i}@example.com"))
                    .await,
            );
        }
        for round in 0..3 {
            // Two places, one already taken: six athletes race for the last.
            let slot = s.slot(48 + round, 2).await;
            assert_eq!(s.book(&athletes[5], &slot).await.0, StatusCode::CREATED);
            let tasks: Vec<_> = athletes[..5]
                .iter()
                .map(|c| {
                    let r = c.post(s.app.url(&format!("/api/v1/slots/{slot}/bookings")));
                    tokio::spawn(async move { json_of(r.send().await.unwrap()).await })
                })
                .collect();
            let mut won = 0;
            for t in tasks {
                let (status, body) = t.await.unwrap();
                match status {
                    StatusCode::CREATED => won += 1,
                    StatusCode::CONFLICT => assert_eq!(body["error"], "slot_full", "{backend}"),
                    other => panic!("{backend}: {other} {body}"),
                }
            }
            assert_eq!(won, 1, "{backend} round {round}");
        }
        // Every place taken is one live booking.
        assert_eq!(count(&s.app.db, "slot_bookings").await.unwrap(), 6);
        let (_, slots) = json_of(
            s.coach
                .get(s.app.url(&format!("/api/v1/coaches/{}/slots", s.coach_id)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        for slot in slots.as_array().unwrap() {
            assert_eq!(slot["booked"], 2, "{backend}");
            assert_eq!(slot["attendees"].as_array().unwrap().len(), 2);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_credit_left_and_five_slots_at_once_books_exactly_one() {
    for backend in backends() {
        let s = Studio::open(backend, 1).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let mut slots = Vec::new();
        for h in 0..5 {
            slots.push(s.slot(30 + h, 4).await);
        }
        let tasks: Vec<_> = slots
            .iter()
            .map(|slot| {
                let r = ana.post(s.app.url(&format!("/api/v1/slots/{slot}/bookings")));
                tokio::spawn(async move { json_of(r.send().await.unwrap()).await })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => won += 1,
                StatusCode::PAYMENT_REQUIRED => assert_eq!(body["error"], "no_credit"),
                other => panic!("{backend}: {other} {body}"),
            }
        }
        assert_eq!(won, 1, "{backend}");
        assert_eq!(s.credits_left(&ana).await, 0);
        // The losers' places were never taken.
        let (_, view) = json_of(
            s.coach
                .get(s.app.url(&format!("/api/v1/coaches/{}/slots", s.coach_id)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let booked: i64 = view
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["booked"].as_i64().unwrap())
            .sum();
        assert_eq!(booked, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_athlete_twice_at_once_holds_one_place() {
    for backend in backends() {
        let s = Studio::open(backend, 4).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let slot = s.slot(50, 4).await;
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let r = ana.post(s.app.url(&format!("/api/v1/slots/{slot}/bookings")));
                tokio::spawn(async move { json_of(r.send().await.unwrap()).await })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => won += 1,
                StatusCode::CONFLICT => assert_eq!(body["error"], "already_booked"),
                other => panic!("{backend}: {other} {body}"),
            }
        }
        assert_eq!(won, 1, "{backend}");
        assert_eq!(s.credits_left(&ana).await, 3);
    }
}

#[tokio::test]
async fn a_booking_is_on_the_athletes_and_the_coachs_calendar() {
    for backend in backends() {
        let s = Studio::open(backend, 2).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let slot = s.slot(80, 2).await;
        let (_, booked) = s.book(&ana, &slot).await;
        let booking = booked["id"].as_str().unwrap();
        let starts: jiff::Timestamp = booked["slot"]["starts_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let dtstart = format!(
            "DTSTART;TZID=UTC:{}",
            starts
                .to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%Y%m%dT%H%M%S")
        );
        for (who, uid) in [
            (&ana, format!("UID:booking-{booking}@runcoach")),
            (&s.coach, format!("UID:slot-{slot}@runcoach")),
        ] {
            let (status, feed) = post(who, &s.app, "/api/v1/feeds", json!({})).await;
            assert_eq!(status, StatusCode::CREATED);
            let url = feed["url"].as_str().unwrap();
            let path = &url[url.find("/feeds/").unwrap()..];
            let ics = s
                .app
                .client()
                .get(s.app.url(path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let text = runcoach_formats::ics::unfold(&ics);
            assert!(text.contains(&uid), "{backend}: {text}");
            assert!(text.contains(&dtstart), "{text}");
            assert!(text.contains("LOCATION:Track\\, lane 1"), "{text}");
        }
    }
}

#[tokio::test]
async fn the_pages_publish_book_and_cancel_without_javascript() {
    for backend in backends() {
        let s = Studio::open(backend, 2).await;
        let ana = s.athlete_with_package("ana@example.com").await;
        let r = ana.get(s.app.url("/coach/slots")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // The coach publishes from the form (the coach saved no zone: UTC).
        let day = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .checked_add(jiff::Span::new().days(5))
            .unwrap()
            .to_string();
        let html = s.app.page(&s.coach, "/coach/slots").await;
        let r = s
            .coach
            .post(s.app.url("/coach/slots"))
            .form(&[
                ("csrf", common::csrf_of(&html).as_str()),
                ("date", day.as_str()),
                ("time", "18:15"),
                ("duration_min", "45"),
                ("location", "Hill <reps> & drills"),
                ("capacity", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            format!("/coach/day/{day}").as_str()
        );
        let bad = s
            .coach
            .post(s.app.url("/coach/slots"))
            .form(&[("csrf", common::csrf_of(&html).as_str()), ("date", "soon")])
            .send()
            .await
            .unwrap();
        // Refused with the form again, the problem beside its field.
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = bad.text().await.unwrap();
        assert!(
            bad.contains("<p class=\"field-error\" id=\"date-error\">Choose the date.</p>")
                && bad.contains("value=\"soon\""),
            "{bad}"
        );

        // Ana books the only place from her bookings page, then cancels.
        let html = s.app.page(&ana, "/bookings").await;
        assert!(html.contains("18:15–19:00"), "{backend}: {html}");
        assert!(
            html.contains("Hill &#60;reps&#62; &#38; drills"),
            "escaped: {html}"
        );
        let slot = form_target(&html, "/book");
        let r = ana
            .post(s.app.url(&slot))
            .form(&[("csrf", common::csrf_of(&html).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = s.app.page(&ana, "/bookings").await;
        assert!(
            html.contains("<strong>1</strong> of 2 sessions left"),
            "{html}"
        );
        let day_view = s.app.page(&s.coach, &format!("/coach/day/{day}")).await;
        assert!(
            day_view.contains("1 of 1 booked · full") && day_view.contains("<li>Ana</li>"),
            "{day_view}"
        );
        let cancel = form_target(&html, "/cancel");
        let r = ana
            .post(s.app.url(&cancel))
            .form(&[("csrf", common::csrf_of(&html).as_str())])
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .contains("Cancelled")
        );
        assert!(
            s.app
                .page(&ana, "/bookings")
                .await
                .contains("<strong>2</strong> of 2 sessions left")
        );
    }
}

/// The action of the first form on the page whose action ends in `suffix`.
fn form_target(html: &str, suffix: &str) -> String {
    let end = html.find(&format!("{suffix}\"")).expect("such a form") + suffix.len();
    let start = html[..end].rfind("action=\"").unwrap() + 8;
    html[start..end].to_owned()
}
