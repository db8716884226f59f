//! The onboarding wizard: one form in five steps that ends on the new plan.
//! A refused form comes back with every answer kept and each problem named.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use runcoach_core::history::HistorySummary;
use runcoach_core::plan::feasibility::StretchOption;
use runcoach_core::plan::{PlanInput, RecentInput};
use runcoach_core::units::{Distance, Units};
use runcoach_store::users;

use super::account::WEEKDAYS;
use super::form::FormErrors;
use super::{Nav, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;
use runcoach_app::plans::create_plan;

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
    errors: FormErrors,
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

fn form_page(user: &PageUser, f: Answers, errors: FormErrors) -> Page {
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

/// The wizard, pre-filled from imported history when there is some, or
/// from a stretch goal's option (its answers in the query, as the form
/// names them).
pub async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let u = &user.0.user;
    if query.contains_key("race") {
        let mut page = form_page(&user, answers(&query), FormErrors::new());
        page.prefilled =
            "Filled in from the way out you chose: check the answers, then build the plan."
                .to_owned();
        page.current = current_plan_label(&state, &u.id).await?;
        return Ok(render(&page));
    }
    let mut answers = defaults(
        &u.units,
        &u.week_start,
        runcoach_app::calendar::today_in(&u.time_zone),
    );
    let history = runcoach_app::imports::history_of(
        &state.db,
        &u.id,
        &u.time_zone,
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
        prefilled = prefilled_line(&history, view::units_of(&u.units));
    }
    // Answers given before a trip to the shop for this race come back.
    let kept = users::onboarding_answers(&state.db, &u.id).await?;
    if let Ok(form) = serde_json::from_str::<HashMap<String, String>>(&kept) {
        answers = self::answers(&form);
        prefilled =
            "Your answers from before the purchase are filled in: check them and build your plan."
                .into();
    }
    let mut page = form_page(&user, answers, FormErrors::new());
    page.prefilled = prefilled;
    page.current = current_plan_label(&state, &u.id).await?;
    Ok(render(&page))
}

/// The line above a form filled in from imported history, in the runner's
/// units. Only full weeks count for the weekly volume, so runs of this week
/// alone are said to be too recent rather than absent.
fn prefilled_line(history: &HistorySummary, units: Units) -> String {
    let volume = if history.weekly_km >= 3.0 {
        format!("{} a week lately", units.distance(history.weekly_km))
    } else if history.weekly_km > 0.0 {
        format!(
            "only {} a week over the last four full weeks, so give your current week yourself",
            units.distance(history.weekly_km)
        )
    } else {
        "no runs in the four full weeks before this one, so give your current week yourself"
            .to_owned()
    };
    format!(
        "Filled in from your {} imported {}: {volume}{}; {}. Change anything that is not right.",
        history.runs,
        if history.runs == 1 { "run" } else { "runs" },
        history
            .longest_run_km
            .map(|k| format!(", longest recent run {}", units.distance(k)))
            .unwrap_or_default(),
        // The history's own wording is in km.
        units.restate(&history.level_reason, Units::Km)
    )
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

/// The API's plan request from the answers, with what the page itself
/// could not read (numbers, a recent race half given) already in `errors`.
fn plan_input(a: &Answers, errors: &mut FormErrors) -> PlanInput {
    let mut number = |field: &str, value: &str, what: &str| -> Option<f64> {
        if value.is_empty() {
            return None;
        }
        match value.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.add(
                    field,
                    format!("Enter {what} in kilometres, like 25 (“{value}” is not a number)"),
                );
                None
            }
        }
    };
    let weekly = number("weekly_km", &a.weekly_km, "your typical week");
    let longest = number(
        "longest_run_km",
        &a.longest_run_km,
        "your longest recent run",
    );
    if a.weekly_km.is_empty() {
        errors.add(
            "weekly_km",
            "Enter the kilometres you run in a typical week now, like 25",
        );
    }
    let recent = match (a.recent_distance.is_empty(), a.recent_time.is_empty()) {
        (true, true) => None,
        (false, false) => Some(RecentInput {
            distance: a.recent_distance.clone(),
            time: a.recent_time.clone(),
        }),
        (false, true) => {
            errors.add(
                "recent_time",
                "Enter your time for that race, like 52:30 (or clear the distance)",
            );
            None
        }
        (true, false) => {
            errors.add(
                "recent_distance",
                "Enter the distance of that race, like 10k (or clear the time)",
            );
            None
        }
    };
    // Anything else is left to the engine's rule, which refuses it.
    let strength_days = a.strength_days.parse().unwrap_or(0);
    let mut equipment = Vec::new();
    if a.eq_band {
        equipment.push("band".to_owned());
    }
    if a.eq_bench {
        equipment.push("bench".to_owned());
    }
    PlanInput {
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
    }
}

/// The form's input (or group) an engine field error belongs to.
fn input_of<'a>(field: &'a str, a: &Answers) -> &'a str {
    match field {
        "race" if !a.custom_distance.is_empty() => "custom_distance",
        "weeks" | "today" => "start",
        // The engine names the recent race as one: mark the half it
        // could not read (the distance unless that one reads).
        "recent" if a.recent_distance.parse::<Distance>().is_ok() => "recent_time",
        "recent" => "recent_distance",
        other => other,
    }
}

/// The engine's message in the runner's words where the form says it
/// better (it knows which boxes were ticked); otherwise its own sentence.
fn words(field: &str, message: &str, a: &Answers) -> String {
    match field {
        "race_date" if a.race_date.is_empty() => "Choose the date of your race".into(),
        "start" if a.start.is_empty() => "Choose the first day of training".into(),
        "run_days" => format!(
            "Choose at least 3 run days (you ticked {})",
            match a.days.len() {
                0 => "none".to_owned(),
                n => n.to_string(),
            }
        ),
        "long_run_day" => "Choose a long-run day that is one of your run days".into(),
        "weekly_km" => format!(
            "Enter the kilometres you run in a typical week now, between 3 and 250 (you entered {})",
            a.weekly_km
        ),
        "strength_days" => "Choose 2 or 3 hip-strength sessions a week".into(),
        "level" => "Choose whether you have raced this distance before".into(),
        "units" => "Choose kilometres or miles".into(),
        _ => message.to_owned(),
    }
}

/// The replace question's checkbox, asked when a current plan exists.
const REPLACE: &str = "replace";

/// The form's inputs and groups from top to bottom, for the summary.
const FIELDS: [&str; 18] = [
    "race",
    "custom_distance",
    "race_date",
    "start",
    "run_days",
    "long_run_day",
    "week_start",
    "level",
    "weekly_km",
    "longest_run_km",
    "recent_distance",
    "recent_time",
    "strength_days",
    "equipment",
    "self_check",
    "niggles",
    "units",
    REPLACE,
];

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
    let refuse = |a: Answers, errors: FormErrors| {
        let mut page = form_page(&user, a, errors.in_form_order(&FIELDS));
        page.current = current.clone();
        let mut res = render(&page);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        res
    };
    // Every problem at once: what the page could not read, then the
    // engine's checks on the rest (a field already marked keeps the
    // page's message).
    let today = runcoach_app::calendar::today_in(&user.0.user.time_zone);
    let mut errors = FormErrors::new();
    let mut input = plan_input(&a, &mut errors);
    input.today = Some(today.to_string());
    if let Err(fields) = input.validate_on(today) {
        errors.extend_from(&fields, |f| input_of(f, &a), |f, m| words(f, m, &a));
    }
    // A new plan never silently replaces the current one: it is asked
    // (once the answers themselves are right).
    if errors.is_empty() && !current.is_empty() && !form.contains_key(REPLACE) {
        errors.add(
            REPLACE,
            format!(
                "You have a current plan ({current}): tick “Replace my current plan” to build this one. The old plan is kept, archived, under Your plans"
            ),
        );
    }
    if !errors.is_empty() {
        return Ok(refuse(a, errors));
    }
    let (stored, options) = match create_plan(&state.db, &user.0.user, &input)
        .await
        .map_err(ApiError::from)
    {
        Ok(made) => made,
        // A distance sold as a plan: offer it instead of failing.
        Err(ApiError::Coded {
            code: "entitlement_required",
            extra: Some(extra),
            ..
        }) => {
            let slug = extra["products"][0]["slug"].as_str().unwrap_or_default();
            let keep: HashMap<&String, &String> = form
                .iter()
                .filter(|(k, _)| *k != "csrf" && *k != REPLACE)
                .collect();
            let kept = serde_json::to_string(&keep).unwrap_or_default();
            users::set_onboarding_answers(&state.db, &user.0.user.id, &kept).await?;
            return Ok(Redirect::to(&format!("/store/{slug}?for=onboarding")).into_response());
        }
        Err(ApiError::Invalid(fields)) => {
            let mut errors = FormErrors::new();
            errors.extend_from(&fields, |f| input_of(f, &a), |f, m| words(f, m, &a));
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
    users::set_onboarding_answers(&state.db, &user.0.user.id, "").await?;
    if !options.is_empty() {
        return Ok(render(&stretch_page(
            &user,
            &stored,
            (&input, &options),
            week_start,
        )));
    }
    Ok(Redirect::to(&format!("/plans/{}", stored.id)).into_response())
}

/// A stretch goal's plan is made; before the runner reads it, the problem
/// and the ways out, each a link that fills the form with its answers.
#[derive(Template)]
#[template(path = "onboarding_options.html")]
struct Stretch {
    nav: Nav,
    plan_id: String,
    /// The plan's stretch warning without its command-line options.
    problem: String,
    /// Each way out: its label and where it leads.
    options: Vec<(String, String)>,
}

fn stretch_page(
    user: &PageUser,
    stored: &runcoach_app::plans::StoredPlan,
    (asked, options): (&PlanInput, &[StretchOption]),
    week_start: &str,
) -> Stretch {
    let plan_url = format!("/plans/{}", stored.id);
    let problem = stored
        .plan
        .warnings
        .first()
        .map(|w| w.split(" Options:").next().unwrap_or(w).to_owned())
        .unwrap_or_default();
    Stretch {
        nav: Nav::page(user),
        plan_id: stored.id.clone(),
        problem,
        options: options
            .iter()
            .map(|o| {
                // Run-walk keeps the plan as asked: the link is the plan.
                let href = if o.request == *asked {
                    plan_url.clone()
                } else {
                    format!("/onboarding?{}", form_query(&o.request, week_start))
                };
                (o.label.clone(), href)
            })
            .collect(),
    }
}

/// A plan request as the form's query string: the names [`answers`] reads.
fn form_query(input: &PlanInput, week_start: &str) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: &str| pairs.push((k.to_owned(), v.to_owned()));
    if RACES.iter().any(|(r, _)| *r == input.race) {
        add("race", &input.race);
    } else {
        add("race", "half");
        add("custom_distance", &input.race);
    }
    add("race_date", &input.race_date);
    add("start", input.start.as_deref().unwrap_or_default());
    for d in &input.run_days {
        add(&format!("day_{d}"), "on");
    }
    add("long_run_day", &input.long_run_day);
    add(
        "week_start",
        input.week_start.as_deref().unwrap_or(week_start),
    );
    add("level", &input.level);
    add("weekly_km", &format!("{}", input.weekly_km));
    if let Some(k) = input.longest_run_km {
        add("longest_run_km", &format!("{k}"));
    }
    if let Some(r) = &input.recent {
        add("recent_distance", &r.distance);
        add("recent_time", &r.time);
    }
    add("strength_days", &input.strength_days.to_string());
    if input.new_to_strength {
        add("new_to_strength", "on");
    }
    for e in &input.equipment {
        add(&format!("eq_{e}"), "on");
    }
    for n in &input.niggles {
        add(&format!("niggle_{n}"), "on");
    }
    for c in &input.self_check {
        add(&format!("self_check_{c}"), "on");
    }
    add("units", input.units.as_deref().unwrap_or("km"));
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", view::urlencode(k), view::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use runcoach_core::history::{HistoryActivity, summarise};

    use super::*;

    fn run(date: &str, km: f64) -> HistoryActivity {
        HistoryActivity {
            date: date.parse().unwrap(),
            running: true,
            distance_m: km * 1000.0,
            moving_s: km * 330.0,
            elapsed_s: km * 340.0,
        }
    }

    #[test]
    fn runs_of_this_week_alone_never_read_as_negative_zero_or_absent() {
        // Thursday 3 December 2026; the three runs are all this week.
        let today = "2026-12-03".parse().unwrap();
        let runs = [
            run("2026-11-30", 5.0),
            run("2026-12-01", 6.0),
            run("2026-12-02", 8.0),
        ];
        let h = summarise(&runs, today);
        let line = prefilled_line(&h, Units::Mi);
        assert_eq!(
            line,
            format!(
                "Filled in from your 3 imported runs: no runs in the four full weeks before this one, so give your current week yourself, longest recent run 5.0 mi; {}. Change anything that is not right.",
                Units::Mi.restate(&h.level_reason, Units::Km)
            )
        );
        assert!(!line.contains("-0.0"));
    }

    #[test]
    fn weekly_volume_and_longest_run_are_in_the_runners_units() {
        let today = "2026-12-03".parse().unwrap();
        // Four full weeks of 10 km each (two 5 km runs a week).
        let runs: Vec<HistoryActivity> = ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
            .iter()
            .flat_map(|monday| {
                let d: jiff::civil::Date = monday.parse().unwrap();
                [d, d.tomorrow().unwrap()].map(|d| run(&d.to_string(), 5.0))
            })
            .collect();
        let h = summarise(&runs, today);
        assert_eq!(
            prefilled_line(&h, Units::Mi),
            format!(
                "Filled in from your 8 imported runs: 6.2 mi a week lately, longest recent run 3.1 mi; {}. Change anything that is not right.",
                Units::Mi.restate(&h.level_reason, Units::Km)
            )
        );
        assert!(
            prefilled_line(&h, Units::Km)
                .contains(": 10.0 km a week lately, longest recent run 5.0 km;")
        );
        // A little running in full weeks: said as it is, not as none.
        let h = summarise(&[run("2026-11-24", 4.0)], today);
        assert!(
            prefilled_line(&h, Units::Km).starts_with(
                "Filled in from your 1 imported run: only 1.0 km a week over the last four full weeks, so give your current week yourself, longest recent run 4.0 km;"
            ),
            "{}",
            prefilled_line(&h, Units::Km)
        );
    }
}
