//! Plans on calendars and watches: secret iCalendar feed URLs, FIT workout
//! files per session, and a week's workouts as one zip.

use std::io::Write;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use runcoach_app::Actor;
use runcoach_app::coaching::slots;
use runcoach_app::feeds::{self as feeds_app, CreatedFeed};
use runcoach_formats::fit_workout::encode;
use runcoach_formats::ics;
use runcoach_formats::plan_export::{
    FeedOptions, PlannedSession, UID_DOMAIN, calendar as plan_calendar, exportable, kind_name,
    planned_sessions, session_workout,
};
use runcoach_store::now_ms;
use runcoach_store::{feeds, plans, users};
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{CurrentUser, secrets};
use crate::client::Https;
use crate::error::ApiError;
use crate::web::links::origin;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// "Busy" events without details, for a work calendar.
    #[serde(default)]
    pub busy_only: bool,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    https: Https,
    ApiJson(body): ApiJson<NewFeed>,
) -> Result<(StatusCode, Json<CreatedFeed>), ApiError> {
    let origin = origin(&state, &headers, https)?;
    let feed = feeds_app::open(&state.db, &user.user.id, &origin, body.busy_only).await?;
    Ok((StatusCode::CREATED, Json(feed)))
}

/// `DELETE /api/v1/feeds/{id}`: the URL stops working for good.
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if feeds::revoke(&state.db, &user.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// What an unknown or revoked feed answers: nothing to learn from.
fn no_feed() -> Response {
    (StatusCode::NOT_FOUND, Body::empty()).into_response()
}

/// `GET /feeds/{token}.ics`: the athlete's newest plan as a calendar. The
/// token in the URL is the only credential, so calendar apps need no login.
pub async fn calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    https: Https,
) -> Result<Response, ApiError> {
    let Some(token) = file.strip_suffix(".ics").filter(|t| !t.is_empty()) else {
        return Ok(no_feed());
    };
    let Some(feed) = feeds::by_token_hash(&state.db, &secrets::hash(token)).await? else {
        return Ok(no_feed());
    };
    let Some((user, _)) = users::by_id(&state.db, &feed.user_id).await? else {
        return Ok(no_feed());
    };
    let origin = origin(&state, &headers, https)?;
    let plan = match plans::latest_id(&state.db, &user.id).await? {
        Some(id) => runcoach_app::plans::standing(&state.db, &user.id, &id)
            .await?
            .map(|plan| (id, plan)),
        None => None,
    };
    let name = match (&plan, feed.busy_only) {
        (_, true) => "runcoach (busy only)".to_owned(),
        (Some((_, p)), false) => format!("runcoach: {} on {}", p.race.name, p.race.date),
        (None, false) => "runcoach".to_owned(),
    };
    let mut opts = FeedOptions::new(name, Timestamp::now());
    opts.units = user.units.parse().unwrap_or_default();
    opts.link_base = Some(format!("{origin}/sessions/"));
    opts.busy_only = feed.busy_only;
    opts.uid_namespace = user.id.clone();
    opts.start_times = crate::schedule::parse(&user.start_times);
    opts.tz = Some(user.time_zone.clone()).filter(|z| !z.is_empty());
    let mut cal = match &plan {
        Some((plan_id, plan)) => {
            opts.sequences = feeds::sequences_for_plan(&state.db, plan_id).await?;
            plan_calendar(plan, &opts)
        }
        // No plan yet: a valid, empty calendar, so the subscription stays.
        None => ics::Calendar {
            name: opts.name.clone(),
            prodid: format!("-//runcoach//runcoach {}//EN", env!("CARGO_PKG_VERSION")),
            refresh_minutes: opts.refresh_minutes,
            dtstamp: opts.dtstamp,
            events: Vec::new(),
        },
    };
    let sessions =
        slots::calendar(&state.db, &user.id, Actor::of(&user).is_coach(), now_ms()).await?;
    cal.events.extend(
        sessions
            .iter()
            .map(|s| in_person(s, &user.time_zone, feed.busy_only)),
    );
    let text = ics::write(&cal);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"runcoach.ics\"",
            ),
        ],
        text,
    )
        .into_response())
}

/// An in-person session as a calendar event, at its real time: in the
/// subscriber's zone when they saved one, in UTC otherwise.
fn in_person(s: &slots::CalendarSession, zone: &str, busy_only: bool) -> ics::Event {
    let tz = jiff::tz::TimeZone::get(zone)
        .ok()
        .filter(|_| !zone.is_empty())
        .map(|tz| (zone.to_owned(), tz))
        .unwrap_or_else(|| ("UTC".to_owned(), jiff::tz::TimeZone::UTC));
    let start = Timestamp::from_millisecond(s.starts_at_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.1)
        .datetime();
    let when = ics::When::Timed {
        start,
        minutes: u32::try_from(s.duration_min).unwrap_or(60),
        tz: Some(tz.0),
    };
    let uid = format!("{}@{UID_DOMAIN}", s.uid);
    let sequence = u32::try_from(s.sequence).unwrap_or(u32::MAX);
    if busy_only {
        return ics::Event {
            uid: format!("busy-{uid}"),
            sequence,
            summary: "Busy".to_owned(),
            description: String::new(),
            location: None,
            url: None,
            categories: Vec::new(),
            when,
            transparent: false,
        };
    }
    ics::Event {
        uid,
        sequence,
        summary: s.summary.clone(),
        description: s.description.clone(),
        location: Some(s.location.clone()),
        url: None,
        categories: vec!["In person".to_owned()],
        when,
        transparent: false,
    }
}

fn attachment(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub const FIT_TYPE: &str = "application/vnd.ant.fit";

/// `GET /api/v1/sessions/{id}/workout.fit`: one session as a FIT workout.
pub async fn workout_fit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let at = runcoach_app::plans::session(&state.db, &user.user.id, &id)
        .await?
        .filter(|at| exportable(at.session.kind))
        .ok_or(ApiError::NotFound)?;
    let name = format!("{}-{}.fit", at.date, kind_name(at.session.kind));
    Ok(attachment(
        FIT_TYPE,
        &name,
        encode(&session_workout(&at.session, at.date)),
    ))
}

/// `2026-08-17-intervals.fit`, `…-2.fit` for a second one of a kind on a day.
fn file_names(sessions: &[PlannedSession<'_>]) -> Vec<String> {
    let mut used = std::collections::BTreeSet::new();
    sessions
        .iter()
        .map(|p| {
            let base = format!("{}-{}", p.date, kind_name(p.session.kind));
            let mut name = format!("{base}.fit");
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}-{n}.fit");
                n += 1;
            }
            name
        })
        .collect()
}

/// `GET /api/v1/plans/{id}/weeks/{n}/workouts.zip`: a week's FIT workouts.
pub async fn week_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, week)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let week: u32 = week.parse().map_err(|_| ApiError::NotFound)?;
    let plan = runcoach_app::plans::standing(&state.db, &user.user.id, &plan_id)
        .await?
        .filter(|p| p.weeks.iter().any(|w| w.index == week))
        .ok_or(ApiError::NotFound)?;
    let sessions: Vec<PlannedSession<'_>> = planned_sessions(&plan)
        .into_iter()
        .filter(|p| p.week == week && exportable(p.session.kind))
        .collect();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // FIT files barely compress; storing them keeps this cheap.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (p, name) in sessions.iter().zip(file_names(&sessions)) {
        zip.start_file(name, options).map_err(ApiError::internal)?;
        zip.write_all(&encode(&session_workout(p.session, p.date)))
            .map_err(ApiError::internal)?;
    }
    let bytes = zip.finish().map_err(ApiError::internal)?.into_inner();
    Ok(attachment(
        "application/zip",
        &format!("week-{week}-workouts.zip"),
        bytes,
    ))
}
