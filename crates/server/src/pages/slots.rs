//! In-person coaching pages: the coach publishes slots and sees a day's
//! sessions with who booked (`/coach/slots`, `/coach/day/{date}`); the
//! athlete sees their credits, their bookings and the slots they can book
//! (`/bookings`). Plain forms over `runcoach_app::coaching::slots`; times
//! in the viewer's saved zone (UTC without one).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use runcoach_app::Actor;
use runcoach_app::coaching::CoachingError;
use runcoach_app::coaching::slots::{self, SlotInput, SlotView};
use runcoach_store::now_ms;
use runcoach_store::users::User;
use serde::Deserialize;

use super::affiliates::{back, expired};
use super::form::FormErrors;
use super::{Nav, message, not_found, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

fn zone(user: &User) -> TimeZone {
    TimeZone::get(&user.time_zone)
        .ok()
        .filter(|_| !user.time_zone.is_empty())
        .unwrap_or(TimeZone::UTC)
}

/// A slot as a page shows it.
struct SlotRow {
    id: String,
    day: String,
    date: String,
    time: String,
    coach: String,
    location: String,
    capacity: i64,
    booked: i64,
    places_left: i64,
    attendees: Vec<String>,
}

fn row(s: &SlotView, tz: &TimeZone) -> SlotRow {
    let at = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(tz.clone())
    };
    let start = at(s.starts_at_ms);
    let end = at(s.starts_at_ms + s.duration_min * 60_000);
    SlotRow {
        id: s.id.clone(),
        day: start.strftime("%a %-d %b").to_string(),
        date: start.date().to_string(),
        time: format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M")),
        coach: s.coach_name.clone(),
        location: s.location.clone(),
        capacity: s.capacity,
        booked: s.booked,
        places_left: s.places_left,
        attendees: s
            .attendees
            .iter()
            .flatten()
            .map(|a| a.name.clone())
            .collect(),
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn coach_only(user: &PageUser) -> Option<Response> {
    (!Actor::of(&user.0.user).is_coach()).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Nav::page(user),
            "Coaches only",
            "Coaches publish in-person sessions here; runners book them on the bookings page.",
        )
    })
}

/// What went wrong, in words for the page; store failures stay errors.
fn said(e: CoachingError) -> Result<String, ApiError> {
    match e {
        CoachingError::Invalid(fields) => Ok(fields
            .into_iter()
            .map(|f| format!("{}: {}", f.field.replace('_', " "), f.message))
            .collect::<Vec<_>>()
            .join("; ")),
        CoachingError::Store(e) => Err(e.into()),
        e => Ok(e.to_string()),
    }
}

// ------------------------------------------------------------------ coach

#[derive(Template)]
#[template(path = "coach_slots.html")]
struct CoachSlotsPage {
    nav: Nav,
    notice: String,
    zone: String,
    days: Vec<(String, String, Vec<SlotRow>)>,
    /// The publish form's answers (kept after a refusal) and problems.
    form: SlotForm,
    errors: FormErrors,
}

/// The publish form as typed, all text.
struct SlotForm {
    date: String,
    time: String,
    duration_min: String,
    capacity: String,
    location: String,
}

impl Default for SlotForm {
    fn default() -> Self {
        SlotForm {
            date: String::new(),
            time: String::new(),
            duration_min: "60".into(),
            capacity: "4".into(),
            location: String::new(),
        }
    }
}

/// The page's forms, then the coach's coming sessions.
async fn slots_page(
    state: &AppState,
    user: &PageUser,
    notice: String,
    form: SlotForm,
    errors: FormErrors,
) -> Result<CoachSlotsPage, ApiError> {
    let me = &user.0.user;
    let tz = zone(me);
    let list = slots::list(&state.db, &Actor::of(me), &me.id, now_ms()).await?;
    Ok(CoachSlotsPage {
        nav: Nav::page(user),
        notice,
        zone: tz.iana_name().unwrap_or("UTC").to_owned(),
        days: by_day(list.iter().map(|s| row(s, &tz)).collect()),
        form,
        errors,
    })
}

/// Rows grouped by day, in order: (date, day label, rows).
fn by_day(rows: Vec<SlotRow>) -> Vec<(String, String, Vec<SlotRow>)> {
    let mut days: Vec<(String, String, Vec<SlotRow>)> = Vec::new();
    for r in rows {
        match days.last_mut() {
            Some((date, _, list)) if *date == r.date => list.push(r),
            _ => days.push((r.date.clone(), r.day.clone(), vec![r])),
        }
    }
    days
}

pub async fn coach_slots(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    if let Some(refused) = coach_only(&user) {
        return Ok(refused);
    }
    let notice = q.notice.unwrap_or_default();
    let page = slots_page(
        &state,
        &user,
        notice,
        SlotForm::default(),
        FormErrors::new(),
    );
    Ok(render(&page.await?))
}

/// The publish form: a local date and time in the coach's zone.
pub async fn coach_slots_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    if let Some(refused) = coach_only(&user) {
        return Ok(refused);
    }
    let me = &user.0.user;
    let field = |k: &str| {
        posted
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let number = |k: &str| field(k).parse::<i64>().unwrap_or(0);
    let starts = format!("{}T{}", field("date"), field("time"));
    let starts_at = starts
        .parse::<DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(zone(me)).ok())
        .map(|z| z.timestamp().to_string())
        .unwrap_or(starts);
    let input = SlotInput {
        starts_at,
        duration_min: number("duration_min"),
        location: field("location"),
        capacity: number("capacity"),
    };
    match slots::publish(&state.db, &Actor::of(me), &input, now_ms()).await {
        Ok(slot) => {
            let date = row(&slot, &zone(me)).date;
            Ok(Redirect::to(&format!("/coach/day/{date}")).into_response())
        }
        // The form again, each problem beside its field, nothing lost.
        Err(CoachingError::Invalid(fields)) => {
            let typed = SlotForm {
                date: field("date"),
                time: field("time"),
                duration_min: field("duration_min"),
                capacity: field("capacity"),
                location: field("location"),
            };
            // The app reads one start instant: its problem goes on the
            // half of the form that made it unreadable.
            let no_date = typed.date.parse::<jiff::civil::Date>().is_err();
            let mut errors = FormErrors::new();
            errors.extend_from(
                &fields,
                |f| match f {
                    "starts_at" if !no_date && typed.time.is_empty() => "time",
                    "starts_at" => "date",
                    other => other,
                },
                |f, m| match f {
                    "starts_at" if no_date => "Choose the date".into(),
                    "starts_at" if typed.time.is_empty() => "Choose the start time".into(),
                    "starts_at" => "Choose a date and time ahead, up to a year from now".into(),
                    "duration_min" => "Enter the minutes, from 5 to 480".into(),
                    "capacity" => "Enter the number of places, from 1 to 100".into(),
                    _ => format!("Enter {m}"),
                },
            );
            let errors =
                errors.in_form_order(&["date", "time", "duration_min", "capacity", "location"]);
            let mut res = render(&slots_page(&state, &user, String::new(), typed, errors).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(back("/coach/slots", &said(e)?)),
    }
}

#[derive(Template)]
#[template(path = "coach_day.html")]
struct CoachDayPage {
    nav: Nav,
    heading: String,
    previous: String,
    next: String,
    slots: Vec<SlotRow>,
}

pub async fn coach_day(
    State(state): State<AppState>,
    user: PageUser,
    Path(date): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(refused) = coach_only(&user) {
        return Ok(refused);
    }
    let Ok(day) = runcoach_core::dates::parse(&date) else {
        return Ok(not_found(Nav::page(&user)));
    };
    let me = &user.0.user;
    let tz = zone(me);
    let edge = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let next = day.checked_add(1.day()).unwrap_or(day);
    let previous = day.checked_sub(1.day()).unwrap_or(day);
    let list = slots::day(&state.db, &Actor::of(me), edge(day), edge(next)).await?;
    Ok(render(&CoachDayPage {
        nav: Nav::page(&user),
        heading: day.strftime("%A %-d %B %Y").to_string(),
        previous: previous.to_string(),
        next: next.to_string(),
        slots: list.iter().map(|s| row(s, &tz)).collect(),
    }))
}

// ---------------------------------------------------------------- athlete

#[derive(Template)]
#[template(path = "bookings.html")]
struct BookingsPage {
    nav: Nav,
    notice: String,
    credits: Vec<(String, i64, i64)>,
    left: i64,
    bookings: Vec<(SlotRow, String, String)>,
    open: Vec<SlotRow>,
}

pub async fn bookings(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    let me = &user.0.user;
    let actor = Actor::of(me);
    let tz = zone(me);
    let now = now_ms();
    let credits = slots::credits(&state.db, &actor, now).await?;
    let mine = slots::my_bookings(&state.db, &actor, now).await?;
    let open = slots::bookable(&state.db, &actor, now).await?;
    let free_until = |text: &str| {
        text.parse::<Timestamp>()
            .map(|t| {
                t.to_zoned(tz.clone())
                    .strftime("%a %-d %b %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    };
    Ok(render(&BookingsPage {
        nav: Nav::page(&user),
        notice: q.notice.unwrap_or_default(),
        left: credits.iter().map(|c| c.left).sum(),
        credits: credits
            .iter()
            .map(|c| {
                (
                    c.coach_name.clone().unwrap_or_else(|| "any coach".into()),
                    c.left,
                    c.granted,
                )
            })
            .collect(),
        bookings: mine
            .iter()
            .map(|b| {
                (
                    row(&b.slot, &tz),
                    b.id.clone(),
                    free_until(&b.free_cancel_until),
                )
            })
            .collect(),
        open: open
            .iter()
            .filter(|s| s.my_booking_id.is_none())
            .map(|s| row(s, &tz))
            .collect(),
    }))
}

pub async fn book_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(slot_id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let notice = match slots::book(&state.db, &Actor::of(&user.0.user), &slot_id, now_ms()).await {
        Ok(b) => format!(
            "Booked: {} with {}. It is on your calendar feed.",
            row(&b.slot, &zone(&user.0.user)).day,
            b.slot.coach_name
        ),
        Err(CoachingError::NotFound) => return Ok(not_found(Nav::page(&user))),
        Err(e) => said(e)?,
    };
    Ok(back("/bookings", &notice))
}

pub async fn cancel_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(booking_id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let notice = match slots::cancel(&state.db, &Actor::of(&user.0.user), &booking_id, now_ms())
        .await
    {
        Ok(c) if c.credit_returned => "Cancelled; the session is back in your package.".to_owned(),
        Ok(_) => {
            "Cancelled. Less than 24 hours before the start, the session stays used.".to_owned()
        }
        Err(CoachingError::NotFound) => return Ok(not_found(Nav::page(&user))),
        Err(e) => said(e)?,
    };
    Ok(back("/bookings", &notice))
}
