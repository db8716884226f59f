//! Landing, sign-up, login, logout, settings.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use runcoach_store::users;
use serde::Deserialize;

use super::form::FormErrors;
use super::{Nav, render};
use crate::AppState;
use crate::auth::{self, MaybeUser, PageUser, form_token, form_token_ok, with_cookie};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::rate_limited;
use runcoach_app::accounts::{self, PasswordChange, Signup};

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    nav: Nav,
}

pub async fn landing(user: MaybeUser) -> Response {
    if user.0.is_some() {
        return Redirect::to("/today").into_response();
    }
    render(&Landing {
        nav: Nav::of(&user),
    })
}

#[derive(Template, Default)]
#[template(path = "auth.html")]
struct AuthPage {
    nav: Nav,
    heading: String,
    action: String,
    signup: bool,
    csrf: String,
    next: String,
    error: String,
    name: String,
    email: String,
    /// Each problem beside its field (`name`, `email`, `password`).
    errors: FormErrors,
}

fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n) if auth::is_local_path(n) => n.to_owned(),
        _ => default.to_owned(),
    }
}

fn auth_page(
    state: &AppState,
    user: &MaybeUser,
    headers: &HeaderMap,
    signup: bool,
    next: String,
) -> (AuthPage, Option<String>) {
    let (csrf, cookie) = form_token(state, user, headers);
    let page = AuthPage {
        nav: Nav::of(user),
        heading: if signup { "Sign up" } else { "Log in" }.into(),
        action: if signup { "/signup" } else { "/login" }.into(),
        signup,
        csrf,
        next,
        ..Default::default()
    };
    (page, cookie)
}

pub async fn signup_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // `?next=` (same site only) e.g. from the affiliate page's "Sign up to apply".
    let next = safe_next(q.get("next").map(String::as_str), "/onboarding");
    let (page, cookie) = auth_page(&state, &user, &headers, true, next);
    with_cookie(cookie, render(&page))
}

pub async fn login_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let next = safe_next(q.get("next").map(String::as_str), "/today");
    let (page, cookie) = auth_page(&state, &user, &headers, false, next);
    with_cookie(cookie, render(&page))
}

#[derive(Deserialize)]
pub struct AuthForm {
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    name: String,
    email: String,
    password: String,
    /// The browser's zone (static/zone.js), kept if the account has none.
    #[serde(default)]
    time_zone: String,
}

/// Signed in: the browser's zone adopted first, so the first page's
/// "today" is already the runner's.
async fn welcome(
    state: &AppState,
    user_id: &str,
    zone: &str,
    next: &str,
) -> Result<Response, ApiError> {
    crate::schedule::adopt_browser_zone(&state.db, user_id, zone).await?;
    signed_in(state, user_id, next).await
}

fn refused(status: StatusCode) -> Response {
    (
        status,
        "the form expired; go back, reload the page and try again",
    )
        .into_response()
}

/// What both auth forms do first: check the form token, rebuild the page
/// with the answers kept, and count the attempt against the rate limit.
/// `Err` is the response to send instead of going on.
async fn begin_attempt(
    state: &AppState,
    user: &MaybeUser,
    client: &Client,
    headers: &HeaderMap,
    form: &AuthForm,
    signup: bool,
) -> Result<AuthPage, Response> {
    if !form_token_ok(user, headers, &form.csrf) {
        return Err(refused(StatusCode::FORBIDDEN));
    }
    let default_next = if signup { "/onboarding" } else { "/today" };
    let (mut page, _) = auth_page(
        state,
        user,
        headers,
        signup,
        safe_next(Some(&form.next), default_next),
    );
    page.name = form.name.clone();
    page.email = form.email.clone();
    let what = if signup { "signup" } else { "login" };
    if let Err(e) = rate_limited(state, client, what).await {
        return Err(too_many(page, e));
    }
    Ok(page)
}

/// The form again with a 429 and its `Retry-After`.
fn too_many(mut page: AuthPage, e: ApiError) -> Response {
    let ApiError::TooMany { retry_after_s } = e else {
        return e.into_response();
    };
    page.error = format!("Too many attempts; wait {retry_after_s} s and try again.");
    let mut res = with_status(StatusCode::TOO_MANY_REQUESTS, render(&page));
    res.headers_mut()
        .insert(axum::http::header::RETRY_AFTER, retry_after_s.max(1).into());
    res
}

/// Starts the session and goes where the runner was heading.
async fn signed_in(state: &AppState, user_id: &str, next: &str) -> Result<Response, ApiError> {
    let cookie = auth::start_session(state, user_id).await?;
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(next)).into_response())
}

pub async fn signup_submit(
    State(state): State<AppState>,
    user: MaybeUser,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<AuthForm>,
) -> Result<Response, ApiError> {
    let page = match begin_attempt(&state, &user, &client, &headers, &form, true).await {
        Ok(page) => page,
        Err(response) => return Ok(response),
    };
    let signup = Signup {
        email: form.email,
        password: form.password,
        name: form.name,
    };
    if let Some(mail) = &state.config.mail {
        // Alike for every address: the link (or the owner's note) goes by
        // e-mail, and the account is made when the link is followed.
        return match accounts::signup_by_email(&state.db, mail, &signup)
            .await
            .map_err(ApiError::from)
        {
            Ok(()) => Ok(super::message(
                StatusCode::OK,
                page.nav.clone(),
                "Check your e-mail",
                accounts::CHECK_EMAIL,
            )),
            Err(ApiError::Invalid(fields)) => Ok(invalid_signup(page, fields)),
            Err(e) => Err(e),
        };
    }
    match accounts::register(&state.db, &signup)
        .await
        .map_err(ApiError::from)
    {
        Ok(u) => {
            crate::web::referral::on_signup(&state, &u.id, &client, &headers).await;
            welcome(&state, &u.id, &form.time_zone, &page.next).await
        }
        Err(ApiError::Invalid(fields)) => Ok(invalid_signup(page, fields)),
        Err(e) => Err(e),
    }
}

/// The sign-up form again, each problem beside its field.
fn invalid_signup(mut page: AuthPage, fields: Vec<runcoach_core::plan::FieldError>) -> Response {
    page.errors.extend_from(
        &fields,
        |f| match f {
            "name" | "email" => f,
            _ => "password",
        },
        |_, m| m.to_owned(),
    );
    page.errors = std::mem::take(&mut page.errors).in_form_order(&["name", "email", "password"]);
    with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&page))
}

fn with_status(status: StatusCode, mut res: Response) -> Response {
    *res.status_mut() = status;
    res
}

pub async fn login_submit(
    State(state): State<AppState>,
    user: MaybeUser,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<AuthForm>,
) -> Result<Response, ApiError> {
    let mut page = match begin_attempt(&state, &user, &client, &headers, &form, false).await {
        Ok(page) => page,
        Err(response) => return Ok(response),
    };
    page.name.clear();
    match accounts::authenticate(&state.db, &form.email, &form.password)
        .await
        .map_err(ApiError::from)
    {
        Ok(Some(u)) => welcome(&state, &u.id, &form.time_zone, &page.next).await,
        Ok(None) => {
            page.error = "That email and password do not match an account.".into();
            Ok(with_status(StatusCode::UNAUTHORIZED, render(&page)))
        }
        Err(e @ ApiError::TooMany { .. }) => Ok(too_many(page, e)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    if !form_token_ok(&user, &headers, &form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    let cookie = auth::end_session(&state, &headers).await?;
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "settings.html")]
struct Settings {
    nav: Nav,
    notice: String,
    /// A problem with no field of its own (too many password attempts).
    error: String,
    /// Each problem beside its field, on whichever of the page's forms.
    errors: FormErrors,
    name: String,
    units: String,
    week_start: String,
    weekdays: Vec<(&'static str, &'static str)>,
    feeds: Vec<(String, String)>,
    new_feed: String,
    /// `new_feed` as a `webcal://` subscribe link.
    new_feed_webcal: String,
    tokens: Vec<(String, String)>,
    start_times: Vec<(&'static str, &'static str, String)>,
    time_zone: String,
    email: String,
    /// The server sends e-mail and the address is not confirmed yet.
    can_verify: bool,
    /// Coaches the athlete let in, with revoke where the athlete granted.
    grants: Vec<super::coaching::GrantItem>,
    /// Coaches to choose from, as (id, name).
    coaches: Vec<(String, String)>,
}

pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// A stored time as a day, e.g. "3 Mar 2027".
fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%-d %b %Y").to_string())
        .unwrap_or_default()
}

async fn settings(
    state: &AppState,
    user: &PageUser,
    notice: &str,
    error: &str,
) -> Result<Settings, ApiError> {
    let u = &user.0.user;
    let feeds = runcoach_store::feeds::list(&state.db, &u.id)
        .await?
        .into_iter()
        .map(|f| {
            let kind = if f.busy_only {
                "Busy-only feed"
            } else {
                "Calendar feed"
            };
            (f.id, format!("{kind}, created {}", day(f.created_at)))
        })
        .collect();
    let tokens = runcoach_store::sessions::list_tokens(&state.db, &u.id)
        .await?
        .into_iter()
        .map(|t| {
            let used = t
                .last_used_at
                .map_or("never used".into(), |at| format!("last used {}", day(at)));
            let expiry = t
                .expires_at
                .map_or(String::new(), |at| format!(", expires {}", day(at)));
            (
                t.id,
                format!("{}: created {}, {used}{expiry}", t.name, day(t.created_at)),
            )
        })
        .collect();
    Ok(Settings {
        nav: Nav::page(user),
        notice: notice.into(),
        error: error.into(),
        errors: FormErrors::new(),
        name: u.name.clone(),
        email: u.email.clone(),
        can_verify: state.config.mail.is_some() && u.email_verified_at.is_none(),
        units: u.units.clone(),
        week_start: u.week_start.clone(),
        weekdays: WEEKDAYS.to_vec(),
        feeds,
        new_feed: String::new(),
        new_feed_webcal: String::new(),
        tokens,
        start_times: {
            let times = crate::schedule::parse(&u.start_times);
            WEEKDAYS
                .iter()
                .zip(times)
                .map(|((v, l), t)| {
                    (
                        *v,
                        *l,
                        t.map(|(h, m)| format!("{h:02}:{m:02}")).unwrap_or_default(),
                    )
                })
                .collect()
        },
        time_zone: u.time_zone.clone(),
        grants: super::coaching::grant_items(state, user).await?,
        coaches: super::coaching::coach_choices(state, user).await?,
    })
}

pub async fn settings_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let notice = match q.get("saved").map(String::as_str) {
        Some("settings") => "Settings saved.",
        Some("coach") => "Invitation accepted: your coach can now see your training.",
        Some("revoked") => "Access revoked.",
        Some("granted") => "Access granted: your coach can now see your training.",
        Some("password") => {
            "Password changed; other devices were signed out and API tokens revoked unless kept."
        }
        _ => "",
    };
    Ok(render(&settings(&state, &user, notice, "").await?))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    csrf: String,
    name: String,
    units: String,
    week_start: String,
}

pub async fn settings_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<SettingsForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    let name = form.name.trim();
    let bad = accounts::check_preferences(name, &form.units, &form.week_start);
    if !bad.is_empty() {
        let mut page = settings(&state, &user, "", "").await?;
        page.errors.extend_from(
            &bad,
            |f| f,
            |f, m| match f {
                "name" => "Enter your name (up to 100 characters)".into(),
                "units" => "Choose kilometres or miles".into(),
                "week_start" => "Choose the day your week starts on".into(),
                _ => m.to_owned(),
            },
        );
        // The answers as given, so nothing typed is lost.
        page.name = form.name;
        page.units = form.units;
        page.week_start = form.week_start;
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&page)));
    }
    users::set_settings(
        &state.db,
        &user.0.user.id,
        name,
        &form.units,
        &form.week_start,
    )
    .await?;
    Ok(Redirect::to("/settings?saved=settings").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    /// A ticked checkbox: keep API tokens working after the change.
    #[serde(default)]
    keep_tokens: Option<String>,
}

pub async fn password_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    let change = PasswordChange {
        current: form.current,
        new: form.new,
        keep_tokens: form.keep_tokens.is_some(),
    };
    match accounts::change_password_for(&state.db, &user.0.user, user.0.session_hash(), &change)
        .await
        .map_err(ApiError::from)
    {
        Ok(()) => Ok(Redirect::to("/settings?saved=password").into_response()),
        Err(ApiError::Invalid(fields)) => {
            let mut page = settings(&state, &user, "", "").await?;
            page.errors.extend_from(
                &fields,
                |f| if f == "current" { f } else { "new" },
                |_, m| m.to_owned(),
            );
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&page)))
        }
        Err(ApiError::TooMany { retry_after_s }) => {
            let msg = format!("Too many wrong passwords; wait {retry_after_s} s and try again.");
            let mut res = with_status(
                StatusCode::TOO_MANY_REQUESTS,
                render(&settings(&state, &user, "", &msg).await?),
            );
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_s.max(1).into());
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct FeedForm {
    csrf: String,
    #[serde(default)]
    kind: String,
}

/// Opens a calendar feed and shows its secret URL once.
pub async fn feed_create(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    https: crate::client::Https,
    Form(form): Form<FeedForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    let origin = crate::web::links::origin(&state, &headers, https)?;
    let feed =
        runcoach_app::feeds::open(&state.db, &user.0.user.id, &origin, form.kind == "busy").await?;
    let mut page = settings(&state, &user, "", "").await?;
    page.new_feed_webcal = crate::web::links::webcal(&feed.url).unwrap_or_default();
    page.new_feed = feed.url;
    Ok(render(&page))
}

pub async fn feed_revoke(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<FeedForm>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    runcoach_store::feeds::revoke(&state.db, &user.0.user.id, &id).await?;
    Ok(Redirect::to("/settings#feeds").into_response())
}

/// Revokes an API token from the settings page.
pub async fn token_revoke(
    State(state): State<AppState>,
    user: PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    runcoach_store::sessions::delete_token(&state.db, &user.0.user.id, &id).await?;
    Ok(Redirect::to("/settings#tokens").into_response())
}

/// Saves the usual start time per weekday and the time zone.
pub async fn schedule_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(refused(StatusCode::FORBIDDEN));
    }
    let mut times = [None; 7];
    let mut errors = FormErrors::new();
    let typed = |key: &str| posted.get(key).map_or("", String::as_str);
    for (i, (value, label)) in WEEKDAYS.iter().enumerate() {
        let key = format!("start_{value}");
        match crate::schedule::field(label, typed(&key)) {
            Ok(t) => times[i] = t,
            Err(e) => errors.add(&key, e),
        }
    }
    let zone = crate::schedule::zone(typed("time_zone"))
        .map_err(|e| errors.add("time_zone", e))
        .ok();
    if !errors.is_empty() {
        let mut page = settings(&state, &user, "", "").await?;
        page.errors = errors;
        // Every time and the zone as typed: one bad answer clears none.
        for (value, _, time) in &mut page.start_times {
            *time = typed(&format!("start_{value}")).to_owned();
        }
        page.time_zone = typed("time_zone").to_owned();
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&page)));
    }
    users::set_schedule(
        &state.db,
        &user.0.user.id,
        &crate::schedule::format(&times),
        &zone.unwrap_or_default(),
    )
    .await?;
    Ok(Redirect::to("/settings?saved=settings#feeds").into_response())
}
