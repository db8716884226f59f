//! The activities page: runs recorded by a watch (imported) and everything
//! logged by hand, newest first; an imported run's page shows the planned
//! session it was matched to.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use jiff::ToSpan;
use runcoach_core::units::{Units, format_clock};
use runcoach_store::activities::Activity;

use super::{Nav, not_found, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

/// How far back the list reaches: a season of training.
const LIST_DAYS: i64 = 365;

pub struct Row {
    /// For ordering, newest first: the day, then the start time if known.
    sort: (String, i64),
    pub date: String,
    pub what: String,
    pub facts: String,
    pub source: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct List {
    nav: Nav,
    rows: Vec<Row>,
}

pub(super) fn kind_word(k: runcoach_core::load::ActivityKind) -> &'static str {
    use runcoach_core::load::ActivityKind::*;
    match k {
        Run => "Run",
        Race => "Race",
        Cross => "Cross-training",
        Strength => "Strength",
        Mobility => "Mobility",
        Other => "Other activity",
    }
}

fn clock_of(a: &Activity) -> f64 {
    if a.moving_s > 0.0 {
        a.moving_s
    } else {
        a.elapsed_s
    }
}

fn start_of(a: &Activity, zone: &str) -> Option<jiff::Zoned> {
    let ts = jiff::Timestamp::from_millisecond(a.start_time_ms?).ok()?;
    Some(ts.to_zoned(runcoach_app::imports::matching::zone_of(zone)))
}

fn day_of(a: &Activity, zone: &str) -> Option<jiff::civil::Date> {
    start_of(a, zone).map(|z| z.date())
}

/// When it started, on the runner's own clock: "Wed 4 Mar, 22:44".
pub(super) fn started(a: &Activity, zone: &str) -> String {
    start_of(a, zone).map_or_else(
        || "no start time".to_owned(),
        |z| format!("{}, {}", view::day_label(z.date()), z.strftime("%H:%M")),
    )
}

/// The planned session an activity counted for: its page, and words with
/// its current day ("Wed 4 Mar, week 1: Easy 8.0 km").
pub(super) async fn counted_for(
    db: &runcoach_store::Db,
    user_id: &str,
    session_id: &str,
    units: Units,
) -> Result<Option<(String, String)>, runcoach_store::StoreError> {
    Ok(runcoach_app::plans::session(db, user_id, session_id)
        .await?
        .map(|at| {
            let s = &at.session;
            let label = s.name(units);
            (
                format!("/sessions/{session_id}"),
                format!(
                    "{}, week {}: {label}",
                    view::day_label(at.date),
                    at.week_index
                ),
            )
        }))
}

pub(super) fn sport(a: &Activity) -> String {
    a.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| view::sentence(&a.sport.as_str().replace('_', " ")))
}

pub(super) fn activity_facts(a: &Activity, units: Units) -> String {
    let mut parts = Vec::new();
    if a.distance_m > 0.0 {
        parts.push(view::distance(a.distance_m.round() as u32, units));
    }
    parts.push(format_clock(clock_of(a).round()));
    if let Some(hr) = a.avg_hr {
        parts.push(format!("heart rate {hr}"));
    }
    parts.join(" · ")
}

pub async fn list(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let u = &user.0.user;
    let units = view::units_of(&u.units);
    let today = runcoach_app::calendar::today_in(&u.time_zone);
    let from = today.saturating_sub(LIST_DAYS.days());
    let mut rows = Vec::new();
    for e in runcoach_store::logs::between(&state.db, &u.id, from, today).await? {
        let l = &e.log;
        let mut facts = vec![super::plan::status_word(l.status).to_owned()];
        if l.distance_m > 0 {
            facts.push(view::distance(l.distance_m, units));
        }
        if l.duration_s > 0 {
            facts.push(view::duration(l.duration_s));
        }
        if let Some(r) = l.rpe {
            facts.push(format!("effort {r}/10"));
        }
        rows.push(Row {
            sort: (l.date.to_string(), 0),
            date: view::day_label(l.date),
            what: kind_word(l.kind).to_owned(),
            facts: facts.join(" · "),
            source: "Logged",
            href: match &e.session_id {
                Some(s) => format!("/sessions/{s}"),
                None => format!("/logs/{}/edit", e.id),
            },
        });
    }
    for a in runcoach_store::activities::all(&state.db, &u.id).await? {
        let Some(day) = day_of(&a, &u.time_zone) else {
            continue;
        };
        if day < from {
            continue;
        }
        rows.push(Row {
            sort: (day.to_string(), a.start_time_ms.unwrap_or(0)),
            date: view::day_label(day),
            what: sport(&a),
            facts: activity_facts(&a, units),
            source: "From your watch",
            href: format!("/activities/{}", a.id),
        });
    }
    rows.sort_by(|a, b| b.sort.cmp(&a.sort));
    Ok(render(&List {
        nav: Nav::page(&user),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "activity.html")]
struct Detail {
    nav: Nav,
    title: String,
    date: String,
    facts: Vec<(&'static str, String)>,
    /// The planned session it counted for: link and words.
    matched: Option<(String, String)>,
    note: String,
}

pub async fn detail(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let u = &user.0.user;
    let units = view::units_of(&u.units);
    // Only this athlete's activities: another's is simply not found.
    let Some(a) = runcoach_store::activities::all(&state.db, &u.id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
    else {
        return Ok(not_found(Nav::page(&user)));
    };
    let mut facts = vec![
        (
            "Distance",
            view::distance(a.distance_m.round() as u32, units),
        ),
        ("Time", format_clock(clock_of(&a).round())),
    ];
    if a.distance_m > 0.0 && clock_of(&a) > 0.0 {
        let pace = clock_of(&a) / (a.distance_m / 1000.0 / units.km());
        facts.push((
            "Pace",
            format!("{}/{}", format_clock(pace.round()), units.label()),
        ));
    }
    if let Some(hr) = a.avg_hr {
        facts.push(("Average heart rate", hr.to_string()));
    }
    if let Some(e) = a.elevation_gain_m {
        facts.push(("Climb", format!("{e:.0} m")));
    }
    let matched = match &a.planned_session_id {
        Some(sid) => counted_for(&state.db, &u.id, sid, units).await?,
        None => None,
    };
    Ok(render(&Detail {
        nav: Nav::page(&user),
        title: sport(&a),
        date: day_of(&a, &u.time_zone)
            .map(view::day_label)
            .unwrap_or_default(),
        facts,
        matched,
        note: a.salvaged.clone().unwrap_or_default(),
    }))
}
