//! The plan calendar, a session's page, and today.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use runcoach_core::plan::SessionKind;
use runcoach_store::plans::{self, PlanSummary};

use super::view::{self, ExerciseLine, WeekView};
use super::{Nav, not_found, render};
use crate::AppState;
use crate::api::plans::day_from;
use crate::auth::{MaybeUser, PageUser};
use crate::error::ApiError;

fn nav(user: &PageUser) -> Nav {
    Nav::of(&MaybeUser(Some(user.0.clone())))
}

#[derive(Template)]
#[template(path = "plans.html")]
struct Plans {
    nav: Nav,
    plans: Vec<PlanSummary>,
}

pub async fn list(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let plans = plans::list(&state.db, &user.0.user.id).await?;
    if plans.len() == 1 {
        return Ok(Redirect::to(&format!("/plans/{}", plans[0].id)).into_response());
    }
    Ok(render(&Plans {
        nav: nav(&user),
        plans,
    }))
}

pub const LEGEND: [(&str, &str); 10] = [
    ("easy", "Easy"),
    ("recovery", "Recovery"),
    ("long", "Long"),
    ("tempo", "Tempo"),
    ("intervals", "Intervals"),
    ("repetition", "Reps"),
    ("mp", "M-pace"),
    ("race", "Race"),
    ("strength", "Hip strength"),
    ("mobility", "Mobility"),
];

#[derive(Template)]
#[template(path = "plan.html")]
struct Calendar {
    nav: Nav,
    title: String,
    paces: String,
    warnings: Vec<String>,
    legend: Vec<(&'static str, &'static str)>,
    weeks: Vec<WeekView>,
}

pub async fn calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(plan) = plans::get(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let paces = plan.paces.as_ref().map_or(String::new(), |p| {
        format!(
            "Paces from {}: easy {}, threshold {}, interval {}.",
            p.source,
            view::band(p.easy, units),
            view::band([p.threshold, p.threshold], units),
            view::band([p.interval, p.interval], units),
        )
    });
    let today = day_from(None)?;
    Ok(render(&Calendar {
        nav: nav(&user),
        title: format!("{} on {}", plan.race.name, plan.race.date),
        paces,
        warnings: plan.warnings.clone(),
        legend: LEGEND.to_vec(),
        weeks: view::weeks(&plan, units, today),
    }))
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    nav: Nav,
    plan_id: String,
    week: u32,
    date: String,
    class: &'static str,
    title: String,
    distance: String,
    duration: String,
    target: String,
    steps: Vec<String>,
    exercises: Vec<ExerciseLine>,
    activation: Vec<ExerciseLine>,
    why: String,
}

pub async fn session(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(at) = plans::session_by_id(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let s = &at.session;
    Ok(render(&SessionPage {
        nav: nav(&user),
        plan_id: at.plan_id.clone(),
        week: at.week_index,
        date: view::day_label(at.date),
        class: view::kind_class(s.kind),
        title: if s.kind.is_run() {
            view::short(s, units)
        } else {
            s.title.clone()
        },
        distance: s
            .distance_m
            .map(|m| view::distance(m, units))
            .unwrap_or_default(),
        duration: s
            .duration_s
            .map(view::duration)
            .or(s.minutes.map(|m| format!("{m} min")))
            .unwrap_or_default(),
        target: view::target(s, units),
        steps: view::step_lines(&s.steps, units),
        exercises: view::exercise_lines(&s.exercises),
        activation: view::exercise_lines(&s.activation),
        why: s.why.clone(),
    }))
}

pub struct TodayItem {
    pub href: String,
    pub class: &'static str,
    pub kind: &'static str,
    pub label: String,
    pub target: String,
    pub why: String,
}

#[derive(Template)]
#[template(path = "today.html")]
struct Today {
    nav: Nav,
    date: String,
    has_plan: bool,
    sessions: Vec<TodayItem>,
}

pub async fn today(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let date = day_from(None)?;
    let uid = &user.0.user.id;
    let has_plan = plans::latest_id(&state.db, uid).await?.is_some();
    let units = view::units_of(&user.0.user.units);
    let mut sessions: Vec<_> = plans::sessions_on(&state.db, uid, date).await?;
    // The run first: it is what a runner checks before heading out.
    sessions.sort_by_key(|s| !s.kind.is_run() as u8 + u8::from(s.kind == SessionKind::Mobility));
    Ok(render(&Today {
        nav: nav(&user),
        date: view::day_label(date),
        has_plan,
        sessions: sessions
            .iter()
            .map(|s| TodayItem {
                href: format!("/sessions/{}", s.id.as_deref().unwrap_or("")),
                class: view::kind_class(s.kind),
                kind: s.kind.label(),
                label: if s.kind.is_run() {
                    view::short(s, units)
                } else {
                    s.title.clone()
                },
                target: view::target(s, units),
                why: s.why.clone(),
            })
            .collect(),
    }))
}
