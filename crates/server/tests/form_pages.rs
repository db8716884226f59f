//! Every form answers a refused post the same way: each problem beside its
//! field (`aria-invalid`, `aria-describedby` → the message's id), a summary
//! at the top linking to each field, all problems at once, the answers
//! kept, and the messages in the runner's words.

use crate::common;

use common::{App, csrf_of, first_session_id};
use reqwest::StatusCode;

/// The opening tag of the element with `id` (panics when there is none).
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id} in {html}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// The field is marked and points at a message that reads `message`.
fn assert_marked(html: &str, id: &str, message: &str) {
    let t = tag(html, id);
    assert!(
        t.contains(&format!(
            "aria-invalid=\"true\" aria-describedby=\"{id}-error\""
        )),
        "#{id} is not marked: {t}"
    );
    assert!(
        html.contains(&format!(
            "<p class=\"field-error\" id=\"{id}-error\">{message}</p>"
        )),
        "#{id} has no message “{message}” beside it in {html}"
    );
    assert!(
        html.contains(&format!("<li><a href=\"#{id}\">{message}</a></li>")),
        "the summary does not link #{id} with “{message}”"
    );
}

/// The summary at the top, for the snapshot: one problem per line.
fn summary(html: &str) -> String {
    let start = html
        .find("<div class=\"alert\" role=\"alert\" id=\"form-problems\">")
        .expect("a summary of the problems");
    let end = start + html[start..].find("</div>").unwrap();
    html[start..end].replace("<li>", "\n<li>")
}

/// Posts a form as `c`; the page of the refusal (422).
async fn refused(app: &App, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> String {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    r.text().await.unwrap()
}

fn problems(html: &str) -> usize {
    html.matches("aria-invalid=\"true\"").count()
}

#[tokio::test]
async fn onboarding_names_every_problem_beside_its_field() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/onboarding").await);
    // Four problems: two run days, a week that is not a number, a recent
    // race without its time and no race date.
    let html = refused(
        &app,
        &c,
        "/onboarding",
        &[
            ("csrf", csrf.as_str()),
            ("race", "half"),
            ("race_date", ""),
            ("start", "2027-01-04"),
            ("day_tue", "on"),
            ("day_thu", "on"),
            ("long_run_day", "thu"),
            ("week_start", "mon"),
            ("level", "first-timer"),
            ("weekly_km", "lots"),
            ("recent_distance", "10k"),
            ("strength_days", "2"),
            ("units", "km"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 4, "{html}");
    assert_marked(&html, "race_date", "Choose the date of your race.");
    assert_marked(
        &html,
        "run_days",
        "Choose at least 3 run days (you ticked 2).",
    );
    assert_marked(
        &html,
        "weekly_km",
        "Enter your typical week in kilometres, like 25 (“lots” is not a number).",
    );
    assert_marked(
        &html,
        "recent_time",
        "Enter your time for that race, like 52:30 (or clear the distance).",
    );
    // Nothing typed is lost.
    assert!(tag(&html, "weekly_km").contains("value=\"lots\""));
    assert!(tag(&html, "recent_distance").contains("value=\"10k\""));
    assert!(tag(&html, "start").contains("value=\"2027-01-04\""));
    assert!(html.contains("name=\"day_tue\" checked"));
    insta::assert_snapshot!("onboarding_four_problems", summary(&html));
}

#[tokio::test]
async fn onboarding_puts_the_engines_refusals_on_their_fields() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/onboarding").await);
    let html = refused(
        &app,
        &c,
        "/onboarding",
        &[
            ("csrf", csrf.as_str()),
            ("race", "half"),
            ("race_date", "2027-06-06"),
            ("start", "2027-01-04"),
            ("day_tue", "on"),
            ("day_thu", "on"),
            ("day_sun", "on"),
            ("long_run_day", "sat"),
            ("week_start", "mon"),
            ("level", "first-timer"),
            ("weekly_km", "2"),
            ("recent_distance", "10k"),
            ("recent_time", "9:00"),
            ("strength_days", "2"),
            ("units", "km"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 3, "{html}");
    assert_marked(
        &html,
        "long_run_day",
        "Choose a long-run day that is one of your run days.",
    );
    assert_marked(
        &html,
        "weekly_km",
        "Enter the kilometres you run in a typical week now, between 3 and 250 (you entered 2).",
    );
    // The distance reads, so the implausible time is the half marked.
    assert!(tag(&html, "recent_time").contains("aria-invalid=\"true\""));
    assert!(!tag(&html, "recent_distance").contains("aria-invalid"));
}

#[tokio::test]
async fn signup_marks_each_field_in_plain_words() {
    let app = App::start("sqlite").await;
    let c = app.client();
    let csrf = csrf_of(&app.page(&c, "/signup").await);
    let html = refused(
        &app,
        &c,
        "/signup",
        &[
            ("csrf", csrf.as_str()),
            ("name", ""),
            ("email", ""),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 3, "{html}");
    assert_marked(&html, "name", "Enter your name (up to 100 characters).");
    assert_marked(&html, "email", "Enter your e-mail address.");
    assert_marked(
        &html,
        "password",
        "Choose a password of at least 10 characters (this one has 5).",
    );

    let csrf = csrf_of(&html);
    let html = refused(
        &app,
        &c,
        "/signup",
        &[
            ("csrf", csrf.as_str()),
            ("name", "Ana"),
            ("email", "ana.example.com"),
            ("password", "long enough password"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 1, "{html}");
    assert_marked(
        &html,
        "email",
        "“ana.example.com” is not an e-mail address: it needs a name, an @ and a domain, like ann@example.com.",
    );
    assert!(tag(&html, "name").contains("value=\"Ana\""));
}

#[tokio::test]
async fn settings_keep_every_answer_when_one_is_wrong() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/settings").await);
    let html = refused(
        &app,
        &c,
        "/settings/schedule",
        &[
            ("csrf", csrf.as_str()),
            ("start_tue", "18:30"),
            ("start_sat", "07:15"),
            ("time_zone", "Europe/Atlantis"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 1, "{html}");
    assert_marked(
        &html,
        "time_zone",
        "“Europe/Atlantis” is not a time zone we know: write the region and city, like Europe/Dublin or America/Los_Angeles.",
    );
    // A bad zone clears none of the times (nor itself).
    assert!(tag(&html, "time_zone").contains("value=\"Europe/Atlantis\""));
    assert!(tag(&html, "start_tue").contains("value=\"18:30\""));
    assert!(tag(&html, "start_sat").contains("value=\"07:15\""));

    // A time a script typed by hand is marked on its own day.
    let html = refused(
        &app,
        &c,
        "/settings/schedule",
        &[
            ("csrf", csrf.as_str()),
            ("start_mon", "7pm"),
            ("time_zone", "Europe/Dublin"),
        ],
    )
    .await;
    assert_marked(
        &html,
        "start_mon",
        "Enter Monday&#39;s start time as hours and minutes, like 06:30 (“7pm” is not a time).",
    );
    assert!(tag(&html, "time_zone").contains("value=\"Europe/Dublin\""));

    let html = refused(
        &app,
        &c,
        "/settings",
        &[
            ("csrf", csrf.as_str()),
            ("name", " "),
            ("units", "furlongs"),
            ("week_start", "sun"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 2, "{html}");
    assert_marked(&html, "name", "Enter your name (up to 100 characters).");
    assert_marked(&html, "units", "Choose kilometres or miles.");
    assert!(html.contains("<option value=\"sun\" selected>"));

    let html = refused(
        &app,
        &c,
        "/settings/password",
        &[
            ("csrf", csrf.as_str()),
            ("current", "not my password"),
            ("new", "another long password"),
        ],
    )
    .await;
    assert_marked(&html, "current", "The current password is not right.");
}

#[tokio::test]
async fn log_form_takes_the_time_as_a_watch_shows_it() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/log").await);
    let r = c
        .post(app.url("/log"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "run"),
            ("date", "2026-11-20"),
            ("status", "done"),
            ("minutes", "26:40"),
            ("distance", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let logs: serde_json::Value = c
        .get(app.url("/api/v1/logs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &logs[0];
    assert_eq!(entry["duration_s"], 1600, "{logs}");
    // The edit form gives it back as it was typed.
    let id = entry["id"].as_str().unwrap();
    let html = app.page(&c, &format!("/logs/{id}/edit")).await;
    assert!(tag(&html, "minutes").contains("value=\"26:40\""), "{html}");

    let html = refused(
        &app,
        &c,
        "/log",
        &[
            ("csrf", csrf.as_str()),
            ("kind", "run"),
            ("date", "2026-11-21"),
            ("status", "done"),
            ("minutes", "26:4"),
        ],
    )
    .await;
    assert_marked(
        &html,
        "minutes",
        "Enter the time as minutes, like 45, or as your watch shows it, like 26:40 or 1:05:30 (“26:4” is neither).",
    );
}

#[tokio::test]
async fn log_form_marks_each_number_it_cannot_read() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/log").await);
    let html = refused(
        &app,
        &c,
        "/log",
        &[
            ("csrf", csrf.as_str()),
            ("kind", "run"),
            ("date", "2026-11-20"),
            ("minutes", "forty"),
            ("distance", "8km"),
            ("pain_knee", "loads"),
            ("notes", "felt heavy"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 4, "{html}");
    assert_marked(
        &html,
        "minutes",
        "Enter the minutes, like 45 (“forty” is not a whole number).",
    );
    assert_marked(
        &html,
        "distance",
        "Enter the distance as a number, like 8.5 (“8km” is not one).",
    );
    assert_marked(
        &html,
        "pain_knee",
        "Knee: enter a pain score from 0 to 10 (“loads” is not a whole number).",
    );
    assert_marked(
        &html,
        "status",
        "Choose how it went: done, part of it or skipped.",
    );
    assert!(tag(&html, "minutes").contains("value=\"forty\""));
    assert!(html.contains(">felt heavy</textarea>"));

    // The log's own rules (read by the use-case) land on their fields too.
    let html = refused(
        &app,
        &c,
        "/log",
        &[
            ("csrf", csrf.as_str()),
            ("kind", "run"),
            ("date", "2026-11-20"),
            ("status", "done"),
            ("minutes", "-5"),
        ],
    )
    .await;
    assert_marked(
        &html,
        "minutes",
        "Enter the minutes you were out, from 0 up to a day.",
    );
}

#[tokio::test]
async fn import_form_marks_the_file_field() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/imports").await);
    let r = c
        .post(app.url("/imports"))
        .multipart(reqwest::multipart::Form::new().text("csrf", csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_marked(
        &html,
        "files",
        "Choose at least one FIT, GPX or TCX file, or a Strava export zip.",
    );
}

#[tokio::test]
async fn affiliate_application_keeps_the_answers() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/affiliate").await);
    let html = refused(
        &app,
        &c,
        "/affiliate",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "A"),
            ("payout_email", "paypal"),
            ("website", "my-blog.example"),
            ("note", "Club runners on Tuesdays"),
        ],
    )
    .await;
    assert_eq!(problems(&html), 3, "{html}");
    assert_marked(
        &html,
        "slug",
        "Choose a link name: 3 to 32 lower-case letters, digits and hyphens.",
    );
    assert_marked(
        &html,
        "payout_email",
        "Enter an e-mail address for payouts (PayPal or bank contact).",
    );
    assert_marked(
        &html,
        "website",
        "Enter your website as an address starting with https://, up to 300 characters.",
    );
    assert!(tag(&html, "website").contains("value=\"my-blog.example\""));
    assert!(html.contains(">Club runners on Tuesdays</textarea>"));
}

#[tokio::test]
async fn coach_forms_mark_their_fields() {
    let app = App::start("sqlite").await;
    let coach = app
        .user_with_role("coach@example.com", runcoach_store::users::Role::Coach)
        .await;

    // The invitation: an address that is not one, kept.
    let csrf = csrf_of(&app.page(&coach, "/coach").await);
    let html = refused(
        &app,
        &coach,
        "/coach/invitations",
        &[("csrf", csrf.as_str()), ("email", "ana at example")],
    )
    .await;
    assert_marked(
        &html,
        "email",
        "“ana at example” is not an e-mail address: write it like runner@example.com.",
    );
    assert!(tag(&html, "email").contains("value=\"ana at example\""));

    // Publishing a slot: every problem at once, in the form's order.
    let html = refused(
        &app,
        &coach,
        "/coach/slots",
        &[
            ("csrf", csrf.as_str()),
            ("date", "2027-03-02"),
            ("time", ""),
            ("duration_min", "2"),
            ("capacity", "0"),
            ("location", "  "),
        ],
    )
    .await;
    assert_eq!(problems(&html), 4, "{html}");
    assert_marked(&html, "time", "Choose the start time.");
    assert_marked(&html, "duration_min", "Enter the minutes, from 5 to 480.");
    assert_marked(
        &html,
        "capacity",
        "Enter the number of places, from 1 to 100.",
    );
    assert!(tag(&html, "date").contains("value=\"2027-03-02\""));
    assert!(tag(&html, "duration_min").contains("value=\"2\""));
    let order: Vec<&str> = html
        .match_indices("<li><a href=\"#")
        .map(|(i, _)| &html[i + 14..i + 14 + html[i + 14..].find('"').unwrap()])
        .collect();
    assert_eq!(order, ["time", "duration_min", "capacity", "location"]);

    // The profile: a location past its length, the other answers kept.
    let long = "x".repeat(201);
    let html = refused(
        &app,
        &coach,
        "/coach/profile",
        &[
            ("csrf", csrf.as_str()),
            ("bio", "Marathons since 2009"),
            ("specialities", "marathon"),
            ("location", long.as_str()),
        ],
    )
    .await;
    assert_eq!(problems(&html), 1, "{html}");
    assert!(tag(&html, "location").contains("aria-describedby=\"location-error\""));
    assert!(html.contains(">Marathons since 2009</textarea>"));
}

#[tokio::test]
async fn a_refused_comment_comes_back_to_fix() {
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let plan: serde_json::Value = c
        .post(app.url("/api/v1/plans"))
        .json(
            &serde_json::json!({"race": "10k", "race_date": "2027-03-14", "weeks": 8,
            "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
            "level": "experienced", "weekly_km": 40, "strength_days": 2}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = first_session_id(&plan);
    let csrf = csrf_of(&app.page(&c, &format!("/sessions/{sid}")).await);
    let html = refused(
        &app,
        &c,
        &format!("/sessions/{sid}/comments"),
        &[("csrf", csrf.as_str()), ("body", "knee ok\u{7}")],
    )
    .await;
    assert_marked(
        &html,
        "body",
        "Plain text only: control characters are not allowed.",
    );
    assert!(html.contains(">knee ok\u{7}</textarea>"), "{html}");
    assert!(html.contains(&format!("href=\"/sessions/{sid}#comments\"")));
}

/// A stretch goal is still planned, but onboarding first shows the
/// problem and its ways out (a later race, a shorter one, run-walk), each a
/// link that fills the form with its answers.
#[tokio::test]
async fn a_stretch_goal_offers_its_ways_out_as_links_that_fill_the_form() {
    use jiff::ToSpan;
    let app = App::start("sqlite").await;
    let c = app.signup("ana@example.com").await;
    let csrf = csrf_of(&app.page(&c, "/onboarding").await);
    // A first marathon from 15 km a week, 16 weeks from a Monday at least
    // a week ahead (whatever the runner's zone makes today).
    let mut start = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        + 7.days();
    while start.weekday() != jiff::civil::Weekday::Monday {
        start = start.tomorrow().unwrap();
    }
    let race = start + (16 * 7 - 1).days();
    let (start_s, race_s) = (start.to_string(), race.to_string());
    let r = c
        .post(app.url("/onboarding"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("race", "marathon"),
            ("race_date", race_s.as_str()),
            ("start", start_s.as_str()),
            ("day_mon", "on"),
            ("day_wed", "on"),
            ("day_fri", "on"),
            ("day_sun", "on"),
            ("long_run_day", "sun"),
            ("week_start", "mon"),
            ("level", "first-timer"),
            ("weekly_km", "15"),
            ("longest_run_km", "8"),
            ("strength_days", "2"),
            ("new_to_strength", "on"),
            ("units", "km"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("A first marathon from 15 km a week in 16 weeks is a stretch"),
        "{html}"
    );
    // The web page speaks no command-line flags.
    assert!(!html.contains("--race"), "{html}");
    let links: Vec<(&str, &str)> = html
        .split("<a class=\"button\" href=\"")
        .skip(1)
        .map(|rest| {
            let (href, rest) = rest.split_once("\">").unwrap();
            (href, rest.split_once("</a>").unwrap().0)
        })
        .collect();
    let later = (race + 14.days()).to_string();
    assert_eq!(links.len(), 3, "{links:?}");
    assert_eq!(links[0].1, format!("A later race, on {later}"));
    assert!(
        links[0].0.starts_with(&format!(
            "/onboarding?race=marathon&#38;race_date={later}&#38;start={start_s}&#38;day_mon=on"
        )),
        "{links:?}"
    );
    assert_eq!(links[1].1, "A half marathon first");
    assert!(
        links[1].0.starts_with("/onboarding?race=half&#38;"),
        "{links:?}"
    );
    // Run-walk keeps the plan just made.
    assert_eq!(links[2].1, "Run-walk this marathon (run 9 minutes, walk 1)");
    assert!(links[2].0.starts_with("/plans/"), "{links:?}");
    assert!(html.contains(&format!("href=\"{}\">See the plan as it is", links[2].0)));

    // The half's link fills the form with the runner's answers.
    // (`&` is written `&#38;` in the page's HTML.)
    let page = app.page(&c, &links[1].0.replace("&#38;", "&")).await;
    assert!(
        page.contains("Filled in from the way out you chose"),
        "{page}"
    );
    assert!(page.contains("<option value=\"half\" selected>"), "{page}");
    assert!(tag(&page, "race_date").contains(&format!("value=\"{race_s}\"")));
    assert!(tag(&page, "weekly_km").contains("value=\"15\""));
    assert!(tag(&page, "longest_run_km").contains("value=\"8\""));
    for d in ["mon", "wed", "fri", "sun"] {
        assert!(page.contains(&format!("name=\"day_{d}\" checked")), "{d}");
    }
    assert!(page.contains("name=\"new_to_strength\" checked"), "{page}");
}
