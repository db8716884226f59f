//! Logging from the browser: one tap for "done as planned", a short form
//! for the details, edits and deletes, and undoing an adjustment. The forms
//! post plainly; the app's own reading (`runcoach_app::log::read_entry`) checks them.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use runcoach_app::Actor;
use runcoach_app::log::{LogInput, PainInput, record, set_undone};
use runcoach_core::load::{ActivityKind, LogStatus, PainLocation};
use runcoach_core::plan::Session;
use runcoach_core::units::{RaceTime, Units};
use runcoach_store::logs::{self, LogEntry};

use super::form::FormErrors;
use super::{Nav, not_found, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

pub const PAIN_LOCATIONS: [(&str, &str, PainLocation); 9] = [
    ("knee", "Knee", PainLocation::Knee),
    ("it_band", "IT band", PainLocation::ItBand),
    ("hip", "Hip", PainLocation::Hip),
    ("hip_flexor", "Hip flexor", PainLocation::HipFlexor),
    ("lower_back", "Lower back", PainLocation::LowerBack),
    ("shin", "Shin", PainLocation::Shin),
    (
        "calf_achilles",
        "Calf / Achilles",
        PainLocation::CalfAchilles,
    ),
    ("foot", "Foot", PainLocation::Foot),
    ("other", "Other", PainLocation::Other),
];

const KINDS: [(&str, &str, ActivityKind); 5] = [
    ("run", "Run", ActivityKind::Run),
    ("race", "Race", ActivityKind::Race),
    ("cross", "Cross-training", ActivityKind::Cross),
    ("strength", "Strength", ActivityKind::Strength),
    ("other", "Other", ActivityKind::Other),
];

const STATUSES: [(&str, &str, LogStatus); 3] = [
    ("done", "Done", LogStatus::Done),
    ("partial", "Part of it", LogStatus::Partial),
    ("skipped", "Skipped", LogStatus::Skipped),
];

/// The log form as the template shows it, every answer kept as text.
#[derive(Debug, Default)]
pub struct LogForm {
    pub action: String,
    pub unplanned: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub kind: String,
    pub date: String,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub status: String,
    pub units: &'static str,
    /// Asked only where a distance means something (not for a hip
    /// strength or mobility session).
    pub ask_distance: bool,
    pub minutes: String,
    pub distance: String,
    pub rpes: Vec<String>,
    pub rpe: String,
    /// Where the preset effort comes from ("The plan's effort, 4 of 10"):
    /// a planned session's log starts at it, in plain sight, never as a
    /// number stored behind the runner's back.
    pub effort_hint: String,
    pub exercises: Vec<(String, String, bool)>,
    pub has_pain: bool,
    pub pain: Vec<(&'static str, &'static str, String)>,
    pub notes: String,
    pub submit: &'static str,
}

impl LogForm {
    /// A blank form; for a planned session, its exercises to tick off.
    pub fn blank(action: String, units: Units, today: Date, planned: Option<&Session>) -> Self {
        LogForm {
            action,
            unplanned: planned.is_none(),
            kinds: KINDS.iter().map(|(v, l, _)| (*v, *l)).collect(),
            kind: "run".into(),
            date: today.to_string(),
            statuses: STATUSES.iter().map(|(v, l, _)| (*v, *l)).collect(),
            status: "done".into(),
            units: units.label(),
            ask_distance: planned.is_none_or(|s| {
                !matches!(
                    s.kind,
                    runcoach_core::plan::SessionKind::Strength
                        | runcoach_core::plan::SessionKind::Mobility
                )
            }),
            rpes: (1..=10).map(|r| r.to_string()).collect(),
            rpe: planned
                .map(|s| runcoach_core::load::planned_rpe(s).to_string())
                .unwrap_or_default(),
            effort_hint: planned.map(effort_hint).unwrap_or_default(),
            exercises: planned
                .map(|s| {
                    view::exercise_lines(&s.exercises)
                        .into_iter()
                        .map(|e| (e.id, e.name, true))
                        .collect()
                })
                .unwrap_or_default(),
            pain: PAIN_LOCATIONS
                .iter()
                .map(|(v, l, _)| (*v, *l, String::new()))
                .collect(),
            submit: "Save",
            ..Default::default()
        }
    }

    /// The form filled from what was posted.
    fn refill(mut self, posted: &HashMap<String, String>) -> Self {
        let get = |k: &str| {
            posted
                .get(k)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        self.kind = get("kind");
        if !get("date").is_empty() {
            self.date = get("date");
        }
        self.status = get("status");
        self.minutes = get("minutes");
        self.distance = get("distance");
        self.rpe = get("rpe");
        self.notes = posted.get("notes").cloned().unwrap_or_default();
        for (id, _, checked) in &mut self.exercises {
            *checked = posted.contains_key(&format!("ex_{id}"));
        }
        for (value, _, score) in &mut self.pain {
            *score = get(&format!("pain_{value}"));
        }
        self.has_pain = self.pain.iter().any(|(_, _, s)| !s.is_empty() && s != "0");
        self
    }

    /// The form showing a stored entry.
    pub fn showing(mut self, e: &LogEntry, units: Units) -> Self {
        let l = &e.log;
        self.kind = KINDS
            .iter()
            .find(|k| k.2 == l.kind)
            .map_or("run", |k| k.0)
            .into();
        self.date = l.date.to_string();
        self.status = STATUSES
            .iter()
            .find(|s| s.2 == l.status)
            .map_or("done", |s| s.0)
            .into();
        self.minutes = match l.duration_s {
            0 => String::new(),
            s if s % 60 == 0 => (s / 60).to_string(),
            s => runcoach_core::units::format_clock(f64::from(s)),
        };
        self.distance = if l.distance_m > 0 {
            format!("{:.2}", f64::from(l.distance_m) / 1000.0 / units.km())
        } else {
            String::new()
        };
        self.rpe = l.rpe.map(|r| r.to_string()).unwrap_or_default();
        self.notes = l.notes.clone();
        for (id, _, checked) in &mut self.exercises {
            *checked = e.exercises_done.contains(id);
        }
        for (value, _, score) in &mut self.pain {
            let loc = PAIN_LOCATIONS.iter().find(|p| p.0 == *value).map(|p| p.2);
            *score = l
                .pain
                .iter()
                .find(|p| Some(p.location) == loc)
                .map(|p| p.score.to_string())
                .unwrap_or_default();
        }
        self.has_pain = !l.pain.is_empty();
        self
    }
}

/// Where a planned session's preset effort comes from, in words.
fn effort_hint(s: &Session) -> String {
    let preset = runcoach_core::load::planned_rpe(s);
    match s.rpe {
        Some([a, b]) if a != b => format!(
            "The plan asked for {a}–{b} of 10, so {preset} is set: change it if it felt easier or harder."
        ),
        _ => format!(
            "Set to the plan's effort, {preset} of 10: change it if it felt easier or harder."
        ),
    }
}

/// Reads the posted form into the API's log input; problems with numbers
/// come back beside their fields, the rest is judged by
/// `runcoach_app::log::read_entry`.
fn input(
    posted: &HashMap<String, String>,
    session_id: Option<&str>,
    units: Units,
) -> Result<LogInput, FormErrors> {
    let get = |k: &str| {
        posted
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut errors = FormErrors::new();
    let minutes = match get("minutes") {
        v if v.is_empty() => None,
        // As a watch shows it: 26:40 or 1:05:30.
        v if v.contains(':') => match v.parse::<RaceTime>() {
            Ok(t) => Some(t.seconds().round() as i64),
            Err(_) => {
                errors.add(
                    "minutes",
                    format!("Enter the time as minutes, like 45, or as your watch shows it, like 26:40 or 1:05:30 (“{v}” is neither)"),
                );
                None
            }
        },
        v => match v.parse::<i64>() {
            Ok(m) if m.checked_mul(60).is_some() => Some(m * 60),
            _ => {
                errors.add(
                    "minutes",
                    format!("Enter the minutes, like 45 (“{v}” is not a whole number)"),
                );
                None
            }
        },
    };
    let mut whole = |key: &str, ask: &str| -> Option<i64> {
        let v = get(key);
        if v.is_empty() {
            return None;
        }
        v.parse::<i64>()
            .map_err(|_| errors.add(key, format!("{ask} (“{v}” is not a whole number)")))
            .ok()
    };
    // A restored entry carries its exact seconds and metres.
    let exact_s = whole("duration_s", "Enter the time in seconds");
    let rpe = whole("rpe", "Choose an effort from 1 to 10");
    let mut pain = Vec::new();
    for (value, label, location) in PAIN_LOCATIONS {
        if let Some(score) = whole(
            &format!("pain_{value}"),
            &format!("{label}: enter a pain score from 0 to 10"),
        ) && score != 0
        {
            pain.push(PainInput { location, score });
        }
    }
    let exact_m = {
        let v = get("distance_m");
        v.parse::<i64>().ok()
    };
    let distance = match get("distance").replace(',', ".") {
        _ if exact_m.is_some() => exact_m,
        d if d.is_empty() => None,
        d => match d.parse::<f64>() {
            Ok(x) if x.is_finite() => Some((x * units.km() * 1000.0).round() as i64),
            _ => {
                errors.add(
                    "distance",
                    format!("Enter the distance as a number, like 8.5 (“{d}” is not one)"),
                );
                None
            }
        },
    };
    let status = STATUSES.iter().find(|s| s.0 == get("status")).map(|s| s.2);
    if status.is_none() {
        errors.add("status", "Choose how it went: done, part of it or skipped");
    }
    let kind = if session_id.is_some() {
        None
    } else {
        KINDS.iter().find(|k| k.0 == get("kind")).map(|k| k.2)
    };
    if session_id.is_none() && kind.is_none() {
        errors.add("kind", "Choose what you did");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let quick = posted.contains_key("quick");
    Ok(LogInput {
        session_id: session_id.map(str::to_owned),
        date: if session_id.is_some() {
            None
        } else {
            Some(get("date"))
        },
        kind,
        status: status.expect("checked"),
        duration_s: exact_s.or(minutes),
        distance_m: distance,
        // A skipped session has no effort, whatever the effort list showed.
        rpe: rpe.filter(|_| status != Some(LogStatus::Skipped)),
        pain,
        notes: posted.get("notes").cloned().unwrap_or_default(),
        exercises_done: if quick {
            Vec::new()
        } else {
            posted
                .keys()
                .filter_map(|k| k.strip_prefix("ex_"))
                .map(str::to_owned)
                .collect()
        },
    })
}

/// The problems in the log form's order, top to bottom.
fn in_form_order(errors: FormErrors) -> FormErrors {
    let pain: Vec<String> = PAIN_LOCATIONS
        .iter()
        .map(|(v, _, _)| format!("pain_{v}"))
        .collect();
    let mut order = vec![
        "kind", "date", "status", "minutes", "distance", "rpe", "pain",
    ];
    order.extend(pain.iter().map(String::as_str));
    order.push("notes");
    errors.in_form_order(&order)
}

/// The log use-case's refusals, each beside the form's field for it.
fn messages(e: ApiError) -> Result<FormErrors, ApiError> {
    let ApiError::Invalid(fields) = e else {
        return Err(e);
    };
    let mut errors = FormErrors::new();
    errors.extend_from(
        &fields,
        |f| match f {
            // The form asks for minutes and kilometres (or miles).
            "duration_s" => "minutes",
            "distance_m" => "distance",
            other => other,
        },
        |f, m| match f {
            "duration_s" => "Enter the minutes you were out, from 0 up to a day".into(),
            "distance_m" => "Enter a distance from 0 up to what one day can hold".into(),
            "rpe" => "Choose an effort from 1 (easy) to 10 (all-out)".into(),
            "pain" => "Give each pain score from 0 (none) to 10 (worst)".into(),
            "kind" => "Choose what you did".into(),
            _ => m.to_owned(),
        },
    );
    Ok(errors)
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; reload the page and try again",
    )
        .into_response()
}

fn nav(user: &PageUser) -> Nav {
    Nav::page(user)
}

/// Logs a planned session; answers with the session page (errors kept) or
/// a redirect to it showing what changed.
pub async fn log_session(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(forbidden());
    }
    let units = view::units_of(&user.0.user.units);
    let errors = match input(&posted, Some(&id), units) {
        Ok(i) => match record(&state.db, &user.0.user, &i)
            .await
            .map_err(ApiError::from)
        {
            Ok(logged) => {
                let changed: Vec<String> =
                    logged.adjustments.iter().map(|a| a.id.clone()).collect();
                return Ok(Redirect::to(&format!(
                    "/sessions/{id}?logged=1&changed={}",
                    changed.join(",")
                ))
                .into_response());
            }
            Err(ApiError::NotFound) => return Ok(not_found(nav(&user))),
            Err(e) => messages(e)?,
        },
        Err(errors) => errors,
    };
    let errors = in_form_order(errors);
    let posted_form = |f: LogForm| f.refill(&posted);
    super::plan::session_page(
        &state,
        &user,
        &id,
        errors,
        posted_form,
        "",
        Vec::new(),
        StatusCode::UNPROCESSABLE_ENTITY,
        &HashMap::new(),
    )
    .await
}

/// The form for an activity that was not in the plan.
pub async fn extra_page(user: PageUser) -> Response {
    let units = view::units_of(&user.0.user.units);
    render(&super::plan::LogEdit {
        nav: nav(&user),
        heading: "Log an activity".into(),
        errors: FormErrors::new(),
        form: LogForm {
            submit: "Save activity",
            ..LogForm::blank(
                "/log".into(),
                units,
                runcoach_app::calendar::today_in(&user.0.user.time_zone),
                None,
            )
        },
    })
}

pub async fn extra_submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(forbidden());
    }
    let units = view::units_of(&user.0.user.units);
    let errors = match input(&posted, None, units) {
        Ok(i) => match record(&state.db, &user.0.user, &i)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return Ok(Redirect::to("/today?logged=1").into_response()),
            Err(e) => messages(e)?,
        },
        Err(errors) => errors,
    };
    let errors = in_form_order(errors);
    let mut res = render(&super::plan::LogEdit {
        nav: nav(&user),
        heading: "Log an activity".into(),
        errors,
        form: LogForm {
            submit: "Save activity",
            ..LogForm::blank(
                "/log".into(),
                units,
                runcoach_app::calendar::today_in(&user.0.user.time_zone),
                None,
            )
        }
        .refill(&posted),
    });
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

async fn planned_for(
    state: &AppState,
    user: &PageUser,
    e: &LogEntry,
) -> Result<Option<Session>, ApiError> {
    Ok(match &e.session_id {
        Some(sid) => runcoach_app::plans::session(&state.db, &user.0.user.id, sid)
            .await?
            .map(|a| a.session),
        None => None,
    })
}

pub async fn edit_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(entry) = logs::get(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let planned = planned_for(&state, &user, &entry).await?;
    let form = LogForm::blank(
        format!("/logs/{id}/edit"),
        units,
        runcoach_app::calendar::today_in(&user.0.user.time_zone),
        planned.as_ref(),
    )
    .showing(&entry, units);
    Ok(render(&super::plan::LogEdit {
        nav: nav(&user),
        heading: "Edit log".into(),
        errors: FormErrors::new(),
        form,
    }))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(forbidden());
    }
    let uid = &user.0.user.id;
    let Some(entry) = logs::get(&state.db, uid, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let planned = planned_for(&state, &user, &entry).await?;
    let mut posted_all = posted.clone();
    if entry.session_id.is_none() {
        posted_all
            .entry("date".into())
            .or_insert(entry.log.date.to_string());
    }
    let back = entry
        .session_id
        .as_ref()
        .map_or("/today".to_owned(), |s| format!("/sessions/{s}"));
    let errors = match input(&posted_all, entry.session_id.as_deref(), units) {
        Ok(i) => match runcoach_app::log::update(&state.db, &user.0.user, &id, &i)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return Ok(Redirect::to(&back).into_response()),
            Err(e) => messages(e)?,
        },
        Err(errors) => errors,
    };
    let errors = in_form_order(errors);
    let form = LogForm::blank(
        format!("/logs/{id}/edit"),
        units,
        runcoach_app::calendar::today_in(&user.0.user.time_zone),
        planned.as_ref(),
    )
    .refill(&posted);
    let mut res = render(&super::plan::LogEdit {
        nav: nav(&user),
        heading: "Edit log".into(),
        errors,
        form,
    });
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

#[derive(askama::Template)]
#[template(path = "log_delete.html")]
struct DeletePage {
    nav: Nav,
    id: String,
    summary: String,
    back: String,
    /// After deleting: the entry's answers, to put it back with one tap.
    restore: Vec<(String, String)>,
    deleted: bool,
}

fn back_of(e: &LogEntry) -> String {
    e.session_id
        .as_ref()
        .map_or("/activities".to_owned(), |s| format!("/sessions/{s}"))
}

/// The entry's answers as the log form posts them (exact seconds and
/// metres), so "Undo" logs it again through the same checks.
fn answers(e: &LogEntry) -> Vec<(String, String)> {
    let l = &e.log;
    let mut out = vec![
        (
            "status".to_owned(),
            STATUSES
                .iter()
                .find(|s| s.2 == l.status)
                .map_or("done", |s| s.0)
                .to_owned(),
        ),
        ("duration_s".into(), l.duration_s.to_string()),
        ("distance_m".into(), l.distance_m.to_string()),
        (
            "rpe".into(),
            l.rpe.map(|r| r.to_string()).unwrap_or_default(),
        ),
        ("notes".into(), l.notes.clone()),
    ];
    if e.session_id.is_none() {
        out.push((
            "kind".into(),
            KINDS
                .iter()
                .find(|k| k.2 == l.kind)
                .map_or("other", |k| k.0)
                .to_owned(),
        ));
        out.push(("date".into(), l.date.to_string()));
    }
    for p in &l.pain {
        if let Some((value, _, _)) = PAIN_LOCATIONS.iter().find(|x| x.2 == p.location) {
            out.push((format!("pain_{value}"), p.score.to_string()));
        }
    }
    for ex in &e.exercises_done {
        out.push((format!("ex_{ex}"), "on".into()));
    }
    out
}

/// Asks before deleting: what the entry says, "Delete" and "Keep it".
pub async fn delete_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(entry) = logs::get(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    Ok(render(&DeletePage {
        nav: nav(&user),
        summary: format!(
            "{}: {}",
            view::day_label(entry.log.date),
            super::plan::log_line(&entry, units)
        ),
        back: back_of(&entry),
        id,
        restore: Vec::new(),
        deleted: false,
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(forbidden());
    }
    let uid = &user.0.user.id;
    let Some(entry) = logs::get(&state.db, uid, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    logs::delete(&state.db, uid, &id).await?;
    runcoach_app::log::readapt(&state.db, uid).await?;
    let units = view::units_of(&user.0.user.units);
    let restore_to = match &entry.session_id {
        Some(s) => format!("/sessions/{s}/log"),
        None => "/log".to_owned(),
    };
    Ok(render(&DeletePage {
        nav: nav(&user),
        summary: format!(
            "{}: {}",
            view::day_label(entry.log.date),
            super::plan::log_line(&entry, units)
        ),
        back: back_of(&entry),
        id: restore_to,
        restore: answers(&entry),
        deleted: true,
    }))
}

/// Undo or restore an adjustment from the plan page.
pub async fn adjustment(
    State(state): State<AppState>,
    user: PageUser,
    Path((plan_id, adj, action)): Path<(String, String, String)>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(forbidden());
    }
    let undone = match action.as_str() {
        "undo" => true,
        "redo" => false,
        _ => return Ok(not_found(nav(&user))),
    };
    match set_undone(&state.db, &Actor::of(&user.0.user), &plan_id, &adj, undone)
        .await
        .map_err(ApiError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{plan_id}#changes")).into_response()),
        Err(ApiError::NotFound) => Ok(not_found(nav(&user))),
        Err(e) => Err(e),
    }
}
