//! Changing the plan from the pages: move, swap or turn a run into
//! cross-training from a session's page, or set every session's day in a
//! week editor. Plain forms: each change is checked first (a dry run of
//! the edit use-case, violations shown), then saved on confirmation and
//! listed under "What changed and why" with its undo.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use runcoach_app::Actor;
use runcoach_app::plans::edits::{self, EditError, EditRequest};
use runcoach_core::plan::edit::{Op, changed_sessions};
use runcoach_core::plan::{Plan, Session, SessionKind};

use super::view;
use super::{Nav, message, not_found, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

fn nav(user: &PageUser) -> Nav {
    Nav::page(user)
}

/// Where a session sits in a plan: week index, day, session.
fn locate<'a>(plan: &'a Plan, id: &str) -> Option<(u32, Date, &'a Session)> {
    plan.weeks.iter().find_map(|w| {
        w.days.iter().find_map(|d| {
            d.sessions
                .iter()
                .find(|s| s.id.as_deref() == Some(id))
                .map(|s| (w.index, d.date, s))
        })
    })
}

/// Sessions a runner moves around: not the race, not a rest day.
fn movable(s: &Session) -> bool {
    !matches!(s.kind, SessionKind::Race | SessionKind::Rest)
}

/// The choices the session page offers: days to move to (this week and
/// the ones either side), sessions to swap with, cross-training for a run.
pub struct EditChoices {
    /// (date, label, the session's day now)
    pub days: Vec<(String, String, bool)>,
    pub swaps: Vec<(String, String)>,
    pub cross: bool,
}

pub fn choices(plan: &Plan, id: &str, units: runcoach_core::units::Units) -> Option<EditChoices> {
    let (week, date, s) = locate(plan, id)?;
    if !movable(s) {
        return None;
    }
    let near = |w: u32| w + 1 >= week && w <= week + 1;
    let weeks = plan.weeks.iter().filter(|w| near(w.index));
    let mut days = Vec::new();
    let mut swaps = Vec::new();
    for w in weeks {
        for d in &w.days {
            days.push((d.date.to_string(), view::day_label(d.date), d.date == date));
            for other in d
                .sessions
                .iter()
                .filter(|o| movable(o) && o.id.as_deref() != Some(id))
            {
                if let Some(oid) = &other.id {
                    swaps.push((
                        oid.clone(),
                        format!("{} ({})", other.name(units), view::day_label(d.date)),
                    ));
                }
            }
        }
    }
    Some(EditChoices {
        days,
        swaps,
        cross: s.kind.is_run(),
    })
}

#[derive(Template)]
#[template(path = "edit_confirm.html")]
struct Confirm {
    nav: Nav,
    action: String,
    back: String,
    changes: Vec<String>,
    violations: Vec<String>,
    fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "week_edit.html")]
struct WeekEdit {
    nav: Nav,
    plan_id: String,
    index: u32,
    title: String,
    days: Vec<(String, String)>,
    sessions: Vec<WeekItem>,
    unit: &'static str,
    movements: Vec<Movement>,
}

/// Metres as the runner's units with one decimal ("8.5").
fn in_units(m: u32, units: runcoach_core::units::Units) -> String {
    format!("{:.1}", f64::from(m) / 1000.0 / units.km())
}

struct WeekItem {
    id: String,
    class: &'static str,
    label: String,
    date: String,
    /// A run's distance in the runner's units ("8.5"); empty otherwise.
    distance: String,
    run: bool,
}

/// A library movement the week editor offers for an added hip session.
struct Movement {
    id: String,
    name: String,
}

fn expired() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; reload the page and try again",
    )
        .into_response()
}

fn refused(user: &PageUser, text: String) -> Response {
    message(
        StatusCode::UNPROCESSABLE_ENTITY,
        nav(user),
        "That change cannot be made",
        &text,
    )
}

/// One line per changed session: "Long 16 km: Sun 14 Mar → Sat 13 Mar".
fn describe(before: &Plan, after: &Plan, units: runcoach_core::units::Units) -> Vec<String> {
    changed_sessions(before, after)
        .iter()
        .filter_map(|id| {
            let b = locate(before, id);
            let a = locate(after, id);
            Some(match (b, a) {
                (Some((_, bd, bs)), Some((_, ad, as_))) => {
                    let mut parts = Vec::new();
                    if bd != ad {
                        parts.push(format!("{} → {}", view::day_label(bd), view::day_label(ad)));
                    }
                    if bs.kind != as_.kind {
                        parts.push(format!("now {}", as_.name(units)));
                    }
                    if parts.is_empty() {
                        return None;
                    }
                    format!("{}: {}", bs.name(units), parts.join(", "))
                }
                (Some((_, bd, bs)), None) => {
                    format!("{} ({}) removed", bs.name(units), view::day_label(bd))
                }
                (None, Some((_, ad, as_))) => {
                    format!("{} added on {}", as_.name(units), view::day_label(ad))
                }
                (None, None) => return None,
            })
        })
        .collect()
}

/// Checks (or, with `confirm`, saves) the ops a form asked for.
async fn check_or_save(
    state: &AppState,
    user: &PageUser,
    plan_id: &str,
    ops: Vec<Op>,
    posted: &HashMap<String, String>,
    action: String,
    back: String,
) -> Result<Response, ApiError> {
    let u = &user.0.user;
    let actor = Actor::of(u);
    let confirm = posted.contains_key("confirm");
    let request = EditRequest {
        ops,
        note: posted.get("note").cloned(),
        dry_run: !confirm,
        // Saving follows the check page, where the violations were shown.
        accept_warnings: confirm,
    };
    let outcome = match edits::edit_plan(&state.db, &actor, plan_id, request).await {
        Ok(o) => o,
        Err(EditError::NotFound) => return Ok(not_found(nav(user))),
        Err(EditError::Invalid(e)) => return Ok(refused(user, e.message)),
        Err(EditError::Changed) => {
            return Ok(refused(user, EditError::Changed.to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    if confirm {
        runcoach_app::log::readapt(&state.db, &outcome.owner_id).await?;
        // The athlete sees the change under "What changed and why"; a coach
        // goes back to the athlete's page.
        let to = if outcome.owner_id == u.id {
            format!("/plans/{plan_id}#changes")
        } else {
            format!("/coach/athletes/{}", outcome.owner_id)
        };
        return Ok(Redirect::to(&to).into_response());
    }
    let before = runcoach_app::plans::standing(&state.db, &outcome.owner_id, plan_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let units = view::units_of(&u.units);
    let fields = posted
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "confirm" | "note"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(render(&Confirm {
        nav: nav(user),
        action,
        back,
        changes: describe(&before, &outcome.plan, units),
        violations: {
            let mut v = outcome.violations.clone();
            v.sort_by_key(|f| (f.date, f.week));
            v
        }
        .iter()
        .map(|v| match v.date {
            Some(d) => format!("{}: {}", view::day_label(d), v.message),
            None => format!("Week {}: {}", v.week, v.message),
        })
        .collect(),
        fields,
    }))
}

/// `POST /sessions/{id}/edit`: move, swap, or swap for cross-training.
pub async fn session_edit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let Some(at) = runcoach_app::plans::session(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let get = |k: &str| posted.get(k).map_or("", |v| v.trim());
    let op = match get("action") {
        "move" => match runcoach_core::dates::parse(get("to_date")) {
            Ok(to_date) => Op::Move {
                session_id: id.clone(),
                to_date,
            },
            Err(m) => return Ok(refused(&user, format!("Day: {m}"))),
        },
        "swap" if !get("with_session_id").is_empty() => Op::Swap {
            session_id: id.clone(),
            with_session_id: get("with_session_id").to_owned(),
        },
        "cross" => Op::Set {
            session_id: id.clone(),
            kind: Some(SessionKind::CrossTraining),
            distance_m: None,
            duration_s: None,
            title: None,
            steps: None,
        },
        _ => {
            return Ok(refused(
                &user,
                "Choose a day to move it to, a session to swap it with, or cross-training.".into(),
            ));
        }
    };
    check_or_save(
        &state,
        &user,
        &at.plan_id,
        vec![op],
        &posted,
        format!("/sessions/{id}/edit"),
        format!("/sessions/{id}"),
    )
    .await
}

/// The plan a week editor works on, as it stands, with its athlete's id:
/// for the athlete, or a coach whose access is `edit` (the same rule as the
/// edit route). Anyone else gets the page's refusal.
async fn editable(
    state: &AppState,
    user: &PageUser,
    plan_id: &str,
) -> Result<Result<(String, Plan), Response>, ApiError> {
    use runcoach_app::coaching::access::{AccessError, Need, require_plan};
    let actor = Actor::of(&user.0.user);
    let owner = match require_plan(&state.db, &actor, plan_id, Need::Edit).await {
        Ok((owner, _)) => owner,
        Err(AccessError::Forbidden) => {
            return Ok(Err(refused(
                user,
                "Your access to this athlete lets you read the plan, not change it.".into(),
            )));
        }
        Err(AccessError::NotFound) => return Ok(Err(not_found(nav(user)))),
        Err(AccessError::Store(e)) => return Err(e.into()),
    };
    Ok(
        match runcoach_app::plans::standing(&state.db, &owner, plan_id).await? {
            Some(plan) => Ok((owner, plan)),
            None => Err(not_found(nav(user))),
        },
    )
}

/// `GET /plans/{id}/weeks/{n}/edit`: a day for every session of the week.
pub async fn week_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((plan_id, index)): Path<(String, u32)>,
) -> Result<Response, ApiError> {
    let plan = match editable(&state, &user, &plan_id).await? {
        Ok((_, plan)) => plan,
        Err(refusal) => return Ok(refusal),
    };
    let Some(week) = plan.weeks.iter().find(|w| w.index == index) else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    Ok(render(&WeekEdit {
        nav: nav(&user),
        title: view::race_title(&plan.race),
        plan_id: plan_id.clone(),
        index,
        days: week
            .days
            .iter()
            .map(|d| (d.date.to_string(), view::day_label(d.date)))
            .collect(),
        sessions: week
            .days
            .iter()
            .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
            .filter(|(_, s)| movable(s))
            .filter_map(|(date, s)| {
                Some(WeekItem {
                    id: s.id.clone()?,
                    class: view::kind_class(s.kind),
                    label: s.name(units),
                    date: date.to_string(),
                    distance: s
                        .distance_m
                        .filter(|_| s.kind.is_run())
                        .map(|m| in_units(m, units))
                        .unwrap_or_default(),
                    run: s.kind.is_run(),
                })
            })
            .collect(),
        unit: units.label(),
        movements: runcoach_core::exercises::library()
            .iter()
            .filter(|e| !e.activation)
            .map(|e| Movement {
                id: e.id.clone(),
                name: e.name.clone(),
            })
            .collect(),
    }))
}

/// `POST /plans/{id}/weeks/{n}/edit`: a move for every session whose day
/// changed, checked then saved as one edit.
pub async fn week_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path((plan_id, index)): Path<(String, u32)>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let plan = match editable(&state, &user, &plan_id).await? {
        Ok((_, plan)) => plan,
        Err(refusal) => return Ok(refusal),
    };
    let units = view::units_of(&user.0.user.units);
    let ops = match week_ops(&plan, &posted, units) {
        Ok(ops) => ops,
        Err(m) => return Ok(refused(&user, m)),
    };
    let back = format!("/plans/{plan_id}/weeks/{index}/edit");
    if ops.is_empty() {
        return Ok(Redirect::to(&format!("/plans/{plan_id}#week-{index}")).into_response());
    }
    check_or_save(&state, &user, &plan_id, ops, &posted, back.clone(), back).await
}

/// The ops a week editor form asks for: new distances and cross-training
/// first (they name sessions where they are), then moves, then an added
/// hip session. Only what differs from the plan becomes an op.
fn week_ops(
    plan: &Plan,
    posted: &HashMap<String, String>,
    units: runcoach_core::units::Units,
) -> Result<Vec<Op>, String> {
    let mut keys: Vec<(&String, &String)> = posted.iter().collect();
    keys.sort();
    let (mut sets, mut moves) = (Vec::new(), Vec::new());
    for (k, v) in keys {
        let v = v.trim();
        if let Some(sid) = k.strip_prefix("day_") {
            let to = runcoach_core::dates::parse(v)
                .map_err(|_| format!("'{v}' is not a day of this week"))?;
            if locate(plan, sid).is_some_and(|(_, d, _)| d != to) {
                moves.push(Op::Move {
                    session_id: sid.to_owned(),
                    to_date: to,
                });
            }
        } else if let Some(sid) = k.strip_prefix("cross_") {
            sets.push(Op::Set {
                session_id: sid.to_owned(),
                kind: Some(SessionKind::CrossTraining),
                distance_m: None,
                duration_s: None,
                title: None,
                steps: None,
            });
        } else if let Some(sid) = k.strip_prefix("km_") {
            let Some((_, _, s)) = locate(plan, sid) else {
                continue;
            };
            if v.is_empty() || posted.contains_key(&format!("cross_{sid}")) {
                continue;
            }
            let x: f64 = v
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x > 0.0)
                .ok_or_else(|| format!("Distance: '{v}' is not a distance in {}", units.label()))?;
            let m = (x * units.km() * 1000.0).round().min(f64::from(u32::MAX)) as u32;
            if s.distance_m.map(|d| in_units(d, units)) != Some(format!("{x:.1}")) {
                sets.push(Op::Set {
                    session_id: sid.to_owned(),
                    kind: None,
                    distance_m: Some(m),
                    duration_s: None,
                    title: None,
                    steps: None,
                });
            }
        }
    }
    let mut ops = sets;
    ops.extend(moves);
    let day = posted.get("add_day").map_or("", |d| d.trim());
    if !day.is_empty() {
        let date = runcoach_core::dates::parse(day).map_err(|m| format!("Day: {m}"))?;
        let exercises: Vec<runcoach_core::plan::Dose> = posted
            .keys()
            .filter_map(|k| k.strip_prefix("ex_"))
            .filter_map(runcoach_core::exercises::find)
            .map(|e| runcoach_core::plan::Dose {
                id: e.id.clone(),
                name: None,
                family: None,
                sets: e.sets[0],
                reps: e.reps.map(|r| r[0]),
                hold_s: e.hold_s.map(|h| h[0]),
                per_side: e.per_side,
            })
            .collect();
        if exercises.is_empty() {
            return Err("Choose at least one movement for the hip session.".into());
        }
        ops.push(Op::Add {
            date,
            id: None,
            session: runcoach_core::plan::edit::NewSession {
                kind: SessionKind::Strength,
                distance_m: None,
                duration_s: Some(20 * 60),
                title: Some("Hip strength".into()),
                steps: Vec::new(),
                exercises,
            },
        });
    }
    Ok(ops)
}
