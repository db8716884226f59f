//! The onboarding wizard: one form in five steps that ends on the new plan.
//! A refused form comes back with every answer kept and each problem named.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use runcoach_core::plan::{PlanInput, RecentInput};
use runcoach_store::users;

use super::account::WEEKDAYS;
use super::{Nav, render};
use crate::AppState;
use crate::api::plans::create_plan;
use crate::auth::PageUser;
use crate::error::ApiError;

/// The form's answers as typed, all kept as text so nothing is lost.
#[derive(Debug, Default)]
pub struct Answers {
    pub race: String,
    pub custom_distance: String,
    pub race_date: String,
    pub start: String,
    pub days: Vec<String>,
    pub long_run_day: String,
    pub week_start: String,
    pub level: String,
    pub weekly_km: String,
    pub longest_run_km: String,
    pub recent_distance: String,
    pub recent_time: String,
    pub strength_days: String,
    pub new_to_strength: bool,
    pub eq_band: bool,
    pub eq_bench: bool,
    pub niggles: Vec<String>,
    /// The self-check's findings: `wobbly-balance`, `knee-drift`.
    pub self_check: Vec<String>,
    pub units: String,
}

const NIGGLES: [(&str, &str); 4] = [
    ("knee", "Knee (runner's knee)"),
    ("itb", "IT band"),
    ("hip-flexor", "Hip flexor"),
    ("low-back", "Lower back"),
];

/// The article's self-check: each finding, and how to test for it.
const SELF_CHECKS: [(&str, &str); 2] = [
    (
        "wobbly-balance",
        "I wobble standing on one leg for 30 seconds (try each side, eyes open, hands on hips)",
    ),
    (
        "knee-drift",
        "My knees drift inward in a bodyweight squat (squat slowly in front of a mirror, feet hip-width)",
    ),
];

const RACES: [(&str, &str); 4] = [
    ("5k", "5K"),
    ("10k", "10K"),
    ("half", "Half marathon"),
    ("marathon", "Marathon"),
];

#[derive(Template)]
#[template(path = "onboarding.html")]
struct Page {
    nav: Nav,
    csrf: String,
    f: Answers,
    errors: Vec<String>,
    races: Vec<(&'static str, &'static str)>,
    days: Vec<(&'static str, &'static str, bool)>,
    niggles: Vec<(&'static str, &'static str, bool)>,
    self_checks: Vec<(&'static str, &'static str, bool)>,
    prefilled: String,
    /// The athlete's current plan ("Half marathon on …"), which a new plan
    /// would replace: the form asks first.
    current: String,
}

/// The current plan as the replace question names it; empty without one.
async fn current_plan_label(state: &AppState, user_id: &str) -> Result<String, ApiError> {
    Ok(runcoach_store::plans::list(&state.db, user_id)
        .await?
        .into_iter()
        .find(|p| p.current)
        .map(|p| format!("{} on {}", p.race, p.race_date))
        .unwrap_or_default())
}

fn form_page(user: &PageUser, f: Answers, errors: Vec<String>) -> Page {
    let nav = Nav::page(user);
    Page {
        csrf: nav.csrf.clone(),
        nav,
        days: WEEKDAYS
            .iter()
            .map(|(v, l)| (*v, *l, f.days.iter().any(|d| d == v)))
            .collect(),
        niggles: NIGGLES
            .iter()
            .map(|(v, l)| (*v, *l, f.niggles.iter().any(|n| n == v)))
            .collect(),
        self_checks: SELF_CHECKS
            .iter()
            .map(|(v, l)| (*v, *l, f.self_check.iter().any(|c| c == v)))
            .collect(),
        races: RACES.to_vec(),
        f,
        errors,
        prefilled: String::new(),
        current: String::new(),
    }
}

/// Sensible first answers: a half marathon 14 weeks from next week start.
fn defaults(units: &str, week_start: &str, today: jiff::civil::Date) -> Answers {
    let start_day = runcoach_core::plan::model::weekday_name::parse(week_start)
        .unwrap_or(jiff::civil::Weekday::Monday);
    let mut start = today.tomorrow().unwrap_or(today);
    while start.weekday() != start_day {
        start = start.tomorrow().unwrap_or(start);
    }
    let race = start.checked_add((14 * 7 - 1).days()).unwrap_or(start);
    Answers {
        race: "half".into(),
        race_date: race.to_string(),
        start: start.to_string(),
        days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        week_start: week_start.into(),
        level: "first-timer".into(),
        weekly_km: "20".into(),
        strength_days: "2".into(),
        units: units.into(),
        ..Default::default()
    }
}

/// The wizard, pre-filled from imported history when there is some.
pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let u = &user.0.user;
    let mut answers = defaults(
        &u.units,
        &u.week_start,
        runcoach_app::calendar::today_in(&u.time_zone),
    );
    let history = runcoach_app::imports::history_of(
        &state.db,
        &u.id,
        runcoach_app::calendar::today_in(&u.time_zone),
    )
    .await?;
    let mut prefilled = String::new();
    if history.runs > 0 {
        let mut input = PlanInput::default();
        history.prefill(&mut input);
        // Old history says little about this week: keep the default then.
        if history.weekly_km >= 3.0 {
            answers.weekly_km = format!("{}", input.weekly_km);
        }
        answers.longest_run_km = input
            .longest_run_km
            .map(|k| k.to_string())
            .unwrap_or_default();
        answers.level = input.level.clone();
        if let Some(r) = &input.recent {
            answers.recent_distance = r.distance.clone();
            answers.recent_time = r.time.clone();
        }
        let volume = if history.weekly_km >= 3.0 {
            format!("{:.1} km a week lately", history.weekly_km)
        } else {
            "no runs in the last four weeks, so give your current week yourself".to_owned()
        };
        prefilled = format!(
            "Filled in from your {} imported runs: {volume}{}; {}. Change anything that is not right.",
            history.runs,
            input
                .longest_run_km
                .map(|k| format!(", longest recent run {k:.1} km"))
                .unwrap_or_default(),
            history.level_reason
        );
    }
    let mut page = form_page(&user, answers, Vec::new());
    page.prefilled = prefilled;
    page.current = current_plan_label(&state, &u.id).await?;
    Ok(render(&page))
}

fn answers(form: &HashMap<String, String>) -> Answers {
    let text = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let on = |k: &str| form.contains_key(k);
    Answers {
        race: text("race"),
        custom_distance: text("custom_distance"),
        race_date: text("race_date"),
        start: text("start"),
        days: WEEKDAYS
            .iter()
            .filter(|(d, _)| on(&format!("day_{d}")))
            .map(|(d, _)| (*d).to_owned())
            .collect(),
        long_run_day: text("long_run_day"),
        week_start: text("week_start"),
        level: text("level"),
        weekly_km: text("weekly_km"),
        longest_run_km: text("longest_run_km"),
        recent_distance: text("recent_distance"),
        recent_time: text("recent_time"),
        strength_days: text("strength_days"),
        new_to_strength: on("new_to_strength"),
        eq_band: on("eq_band"),
        eq_bench: on("eq_bench"),
        niggles: NIGGLES
            .iter()
            .filter(|(n, _)| on(&format!("niggle_{n}")))
            .map(|(n, _)| (*n).to_owned())
            .collect(),
        self_check: SELF_CHECKS
            .iter()
            .filter(|(c, _)| on(&format!("self_check_{c}")))
            .map(|(c, _)| (*c).to_owned())
            .collect(),
        units: text("units"),
    }
}

/// The API's plan request from the answers, or the problems with them.
fn plan_input(a: &Answers) -> Result<PlanInput, Vec<String>> {
    let mut errors = Vec::new();
    let mut number = |label: &str, value: &str, required: bool| -> Option<f64> {
        if value.is_empty() {
            if required {
                errors.push(format!("{label}: give a number"));
            }
            return None;
        }
        match value.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(format!("{label}: '{value}' is not a number"));
                None
            }
        }
    };
    let weekly = number("Kilometres a week", &a.weekly_km, true);
    let longest = number("Longest run", &a.longest_run_km, false);
    let recent = match (a.recent_distance.is_empty(), a.recent_time.is_empty()) {
        (true, true) => None,
        (false, false) => Some(RecentInput {
            distance: a.recent_distance.clone(),
            time: a.recent_time.clone(),
        }),
        _ => {
            errors.push("Recent race: give both the distance and the time, or neither".into());
            None
        }
    };
    let strength_days = match a.strength_days.as_str() {
        "2" => 2,
        "3" => 3,
        _ => {
            errors.push("Hip strength: choose 2 or 3 sessions a week".into());
            2
        }
    };
    let mut equipment = Vec::new();
    if a.eq_band {
        equipment.push("band".to_owned());
    }
    if a.eq_bench {
        equipment.push("bench".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PlanInput {
        race: if a.custom_distance.is_empty() {
            a.race.clone()
        } else {
            a.custom_distance.clone()
        },
        race_date: a.race_date.clone(),
        start: Some(a.start.clone()),
        weeks: None,
        run_days: a.days.clone(),
        long_run_day: a.long_run_day.clone(),
        level: a.level.clone(),
        weekly_km: weekly.unwrap_or(0.0),
        longest_run_km: longest,
        recent,
        strength_days,
        new_to_strength: a.new_to_strength,
        equipment,
        niggles: a.niggles.clone(),
        self_check: a.self_check.clone(),
        units: Some(a.units.clone()),
        ..Default::default()
    })
}

fn label(field: &str) -> &'static str {
    match field {
        "race" => "Race distance",
        "race_date" => "Race date",
        "start" | "weeks" => "First day",
        "run_days" => "Run days",
        "long_run_day" => "Long-run day",
        "level" => "Experience",
        "weekly_km" => "Kilometres a week",
        "longest_run_km" => "Longest run",
        "recent" => "Recent race",
        "strength_days" => "Hip strength",
        "equipment" => "Kit",
        "niggles" => "Niggles",
        "units" => "Units",
        _ => "Answer",
    }
}

pub async fn submit(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(form.get("csrf").map_or("", String::as_str)) {
        return Ok((
            StatusCode::FORBIDDEN,
            "the form expired; reload the page and try again",
        )
            .into_response());
    }
    let a = answers(&form);
    let current = current_plan_label(&state, &user.0.user.id).await?;
    let refuse = |a: Answers, errors: Vec<String>| {
        let mut page = form_page(&user, a, errors);
        page.current = current.clone();
        let mut res = render(&page);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        res
    };
    let input = match plan_input(&a) {
        Ok(i) => i,
        Err(errors) => return Ok(refuse(a, errors)),
    };
    // A new plan never silently replaces the current one: it is asked
    // (once the answers themselves are right).
    let today = runcoach_app::calendar::today_in(&user.0.user.time_zone);
    if !current.is_empty() && !form.contains_key("replace") && input.validate_on(today).is_ok() {
        let message = format!(
            "You have a current plan ({current}): tick “Replace my current plan” to build this one. The old plan is kept, archived, under Your plans."
        );
        return Ok(refuse(a, vec![message]));
    }
    let stored = match create_plan(&state, &user.0.user, &input).await {
        Ok(p) => p,
        // A distance sold as a plan: offer it instead of failing.
        Err(ApiError::Coded {
            code: "entitlement_required",
            extra: Some(extra),
            ..
        }) => {
            let slug = extra["products"][0]["slug"].as_str().unwrap_or_default();
            return Ok(Redirect::to(&format!("/store/{slug}?for=onboarding")).into_response());
        }
        Err(ApiError::Invalid(fields)) => {
            let errors = fields
                .iter()
                .map(|f| format!("{}: {}", label(f.field), f.message))
                .collect();
            return Ok(refuse(a, errors));
        }
        Err(e) => return Err(e),
    };
    let units = if a.units == "mi" { "mi" } else { "km" };
    let week_start = if WEEKDAYS.iter().any(|(d, _)| *d == a.week_start) {
        a.week_start.as_str()
    } else {
        "mon"
    };
    users::set_settings(
        &state.db,
        &user.0.user.id,
        &user.0.user.name,
        units,
        week_start,
    )
    .await?;
    Ok(Redirect::to(&format!("/plans/{}", stored.id)).into_response())
}
