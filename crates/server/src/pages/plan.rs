//! The plan calendar, a session's page, and today.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use runcoach_core::plan::SessionKind;
use runcoach_store::plans::{self, PlanSummary};

use super::form::FormErrors;
use super::log::LogForm;
use super::view::{self, ExerciseLine, WeekView};
use super::workout::{self, StepGroup};
use super::{Nav, not_found, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

fn nav(user: &PageUser) -> Nav {
    Nav::page(user)
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
    plan_id: String,
    title: String,
    paces: String,
    warnings: Vec<String>,
    legend: Vec<(&'static str, &'static str)>,
    /// Weeks before this one, collapsed; this week; the weeks to come,
    /// collapsed: the page opens on what the runner does next.
    earlier: Vec<WeekView>,
    current: Vec<WeekView>,
    later: Vec<WeekView>,
    this_week: u32,
    changes: Vec<ChangeView>,
    /// Replaced by a newer plan (kept, not deleted).
    archived: bool,
}

/// An adjustment on the plan page, with the form to undo or restore it.
pub struct ChangeView {
    pub id: String,
    pub summary: String,
    pub why: String,
    pub undone: bool,
}

pub async fn calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(plan) = runcoach_app::plans::current(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav(&user)));
    };
    let units = view::units_of(&user.0.user.units);
    let paces = plan.paces.as_ref().map_or(String::new(), |p| {
        format!(
            "Paces from {}: easy {}, threshold {}, interval {}.",
            p.source,
            view::band(p.easy, units),
            view::pace(p.threshold, units),
            view::pace(p.interval, units),
        )
    });
    let uid = &user.0.user.id;
    let today = runcoach_app::calendar::today_in(&user.0.user.time_zone);
    let tracker = runcoach_app::plans::Tracker::load(&state.db, uid, &id, today).await?;
    let (logged, extras) = match (plan.weeks.first(), plan.weeks.last()) {
        (Some(first), Some(last)) => {
            let end = last.start.saturating_add(jiff::ToSpan::days(6));
            (
                runcoach_app::log::activity_log(&state.db, uid, first.start, end).await?,
                runcoach_app::log::extras(&state.db, uid, first.start, end).await?,
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    // Adaptation's adjustments and hand edits, as the API lists them.
    let changes =
        runcoach_app::log::adjustments_of(&state.db, &runcoach_app::Actor::of(&user.0.user), &id)
            .await?
            .into_iter()
            .map(|a| ChangeView {
                id: a.id,
                summary: view::sentence(&units.localise(&a.summary)),
                why: view::sentence(&units.localise(&a.why)),
                undone: a.undone,
            })
            .collect();
    let archived = plans::list(&state.db, uid)
        .await?
        .iter()
        .any(|p| p.id == id && p.archived);
    // The plan as made: its week notes were written for its totals.
    let made = runcoach_app::plans::made(&state.db, uid, &id).await?;
    let mut earlier = view::weeks(
        &plan,
        made.as_deref(),
        units,
        &tracker,
        today,
        &logged,
        &extras,
    );
    let this_week = view::this_week(&plan, today);
    let mut current = earlier.split_off(this_week.saturating_sub(1).min(earlier.len()));
    let later = current.split_off(1.min(current.len()));
    Ok(render(&Calendar {
        nav: nav(&user),
        plan_id: id,
        title: view::race_title(&plan.race),
        paces,
        warnings: plan
            .warnings
            .iter()
            .map(|w| view::advice(w, units))
            .collect(),
        legend: LEGEND.to_vec(),
        earlier,
        current,
        later,
        this_week: this_week as u32,
        changes,
        archived,
    }))
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    nav: Nav,
    plan_id: String,
    session_id: String,
    week: u32,
    date: String,
    class: &'static str,
    title: String,
    distance: String,
    duration: String,
    target: String,
    /// The run drawn (inline SVG) and its steps; empty without steps.
    drawing: String,
    groups: Vec<StepGroup>,
    exercises: Vec<ExerciseLine>,
    /// What the movements need, in words; empty for a run.
    kit: String,
    /// Strength or mobility: offer the follow-along.
    follow: bool,
    activation: Vec<ExerciseLine>,
    why: String,
    notice: String,
    new_adjustments: Vec<String>,
    errors: FormErrors,
    logged: Vec<LoggedView>,
    recorded: Vec<String>,
    /// A watch can run it: offer the session's FIT workout.
    watch: bool,
    /// A race's splits for the goal time.
    pacing: Option<super::pacing::Pacing>,
    form: LogForm,
    /// Comments between the athlete and their coaches (read here, so
    /// marked read).
    comments: Vec<super::coaching::CommentItem>,
    /// Move, swap, cross-training and skip (not for the race or rest).
    edit: Option<super::edits::EditChoices>,
    /// A session on a later day: when it can be logged, in words; empty
    /// from its day on.
    ahead: String,
}

pub struct LoggedView {
    pub id: String,
    pub summary: String,
}

/// The page for editing a log entry or logging an unplanned activity.
#[derive(Template)]
#[template(path = "log_edit.html")]
pub struct LogEdit {
    pub nav: Nav,
    pub heading: String,
    pub errors: FormErrors,
    pub form: LogForm,
}

/// A log's status in words.
pub fn status_word(s: runcoach_core::load::LogStatus) -> &'static str {
    match s {
        runcoach_core::load::LogStatus::Done => "Done",
        runcoach_core::load::LogStatus::Partial => "Partly done",
        runcoach_core::load::LogStatus::Skipped => "Skipped",
    }
}

/// One line for a log entry: "Done · 8.0 km · 40 min · effort 3/10".
pub fn log_line(e: &runcoach_store::logs::LogEntry, units: runcoach_core::units::Units) -> String {
    let l = &e.log;
    let mut parts = vec![status_word(l.status).to_owned()];
    if l.distance_m > 0 {
        parts.push(view::distance(l.distance_m, units));
    }
    if l.duration_s > 0 {
        parts.push(view::duration(l.duration_s));
    }
    if let Some(r) = l.rpe {
        parts.push(format!("effort {r}/10"));
    }
    for p in &l.pain {
        parts.push(format!("{} pain {}/10", p.location.label(), p.score));
    }
    parts.join(" · ")
}

/// A session's kit in words: the union of its movements' equipment
/// (the activation block included); empty for a run.
pub fn session_kit(s: &runcoach_core::plan::Session) -> String {
    if s.exercises.is_empty() && s.activation.is_empty() {
        return String::new();
    }
    let movements = s
        .exercises
        .iter()
        .chain(&s.activation)
        .filter_map(|d| runcoach_core::exercises::find(&d.id));
    super::library::kit_words(&runcoach_core::exercises::kit_for(movements))
}

/// Whether a session can be followed movement by movement.
pub fn follows(s: &runcoach_core::plan::Session) -> bool {
    matches!(s.kind, SessionKind::Strength | SessionKind::Mobility) && !s.exercises.is_empty()
}

/// Renders a session's page: the session as it stands, its log entries and
/// the log form (`form` fills in posted answers after a refused post).
#[allow(clippy::too_many_arguments)]
pub async fn session_page(
    state: &AppState,
    user: &PageUser,
    id: &str,
    errors: FormErrors,
    form: impl FnOnce(LogForm) -> LogForm,
    notice: &str,
    new_adjustments: Vec<String>,
    status: StatusCode,
    query: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let uid = &user.0.user.id;
    let Some(at) = runcoach_app::plans::session(&state.db, uid, id).await? else {
        return Ok(not_found(nav(user)));
    };
    let units = view::units_of(&user.0.user.units);
    let s = &at.session;
    let edit = runcoach_app::plans::current(&state.db, uid, &at.plan_id)
        .await?
        .and_then(|plan| super::edits::choices(&plan, id, units));
    // Runs imported from a watch that were matched to this session.
    let recorded = runcoach_store::activities::for_session(&state.db, uid, id)
        .await?
        .iter()
        .map(|a| {
            let mut parts = vec![view::distance(a.distance_m.round() as u32, units)];
            let secs = if a.moving_s > 0.0 {
                a.moving_s
            } else {
                a.elapsed_s
            };
            parts.push(runcoach_core::units::format_clock(secs.round()));
            if let Some(hr) = a.avg_hr {
                parts.push(format!("average heart rate {hr}"));
            }
            parts.join(" · ")
        })
        .collect();
    let logged = runcoach_store::logs::for_session(&state.db, uid, id)
        .await?
        .iter()
        .map(|e| LoggedView {
            id: e.id.clone(),
            summary: log_line(e, units),
        })
        .collect();
    let today = runcoach_app::calendar::today_in(&user.0.user.time_zone);
    let mut res = render(&SessionPage {
        nav: nav(user),
        // Nothing to log before the day: say when instead of offering
        // "Done as planned" and refusing it afterwards.
        ahead: if at.date > today {
            format!(
                "This is planned for {}: log it on the day.",
                view::day_label(at.date)
            )
        } else {
            String::new()
        },
        plan_id: at.plan_id.clone(),
        session_id: id.to_owned(),
        week: at.week_index,
        date: view::day_label(at.date),
        class: view::kind_class(s.kind),
        title: s.name(units),
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
        drawing: workout::drawing(s, units),
        groups: workout::step_groups(s, units),
        exercises: view::exercise_lines(&s.exercises),
        kit: session_kit(s),
        follow: follows(s),
        activation: view::exercise_lines(&s.activation),
        why: units.localise(&s.why),
        notice: notice.to_owned(),
        new_adjustments,
        errors,
        logged,
        recorded,
        watch: runcoach_formats::plan_export::exportable(s.kind),
        pacing: super::pacing::for_race(s, units, query),
        comments: super::coaching::session_comments(state, user, id).await?,
        form: form(LogForm::blank(
            format!("/sessions/{id}/log"),
            units,
            today,
            Some(s),
        )),
        edit,
    });
    *res.status_mut() = status;
    Ok(res)
}

pub async fn session(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let logged = q.contains_key("logged");
    let units = view::units_of(&user.0.user.units);
    let mut changed = Vec::new();
    if let (true, Some(ids)) = (logged, q.get("changed"))
        && let Some(at) = runcoach_app::plans::session(&state.db, &user.0.user.id, &id).await?
    {
        let stored =
            runcoach_store::logs::adjustments(&state.db, &user.0.user.id, &at.plan_id).await?;
        changed = stored
            .into_iter()
            .filter(|a| ids.split(',').any(|i| i == a.adjustment.id))
            .map(|a| view::sentence(&units.localise(&a.adjustment.summary)))
            .collect();
    }
    // The reply to the newest entry: concern and the next step after pain.
    let notice = if logged {
        runcoach_store::logs::for_session(&state.db, &user.0.user.id, &id)
            .await?
            .last()
            .map(|e| runcoach_core::adapt::logged_reply(&e.log))
            .unwrap_or_default()
    } else {
        String::new()
    };
    session_page(
        &state,
        &user,
        &id,
        FormErrors::new(),
        |f| f,
        &notice,
        changed,
        StatusCode::OK,
        &q,
    )
    .await
}

/// This plan week's sessions before `today` that were neither logged nor
/// recorded by a watch: Today names them so none goes unnoticed.
fn missed_this_week(
    week: &runcoach_app::plans::PlanWeek,
    today: jiff::civil::Date,
    tracker: &runcoach_app::plans::Tracker,
    units: runcoach_core::units::Units,
) -> Vec<TodayItem> {
    // The one-tap suggestion: today, when it holds nothing of the same
    // sort (no run for a run, no hip session for a hip session); otherwise
    // the session page's choice of days. Either way the change is checked
    // against the plan's rules before it is saved.
    let on_today = week.on(today);
    let fits_today = |s: &runcoach_core::plan::Session| {
        !on_today
            .iter()
            .any(|t| (t.kind.is_run() && s.kind.is_run()) || t.kind == s.kind)
    };
    week.days
        .iter()
        .filter(|d| d.date < today)
        .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
        .filter(|(date, s)| {
            s.kind != SessionKind::Rest
                && tracker.outcome(s, *date).status == runcoach_core::status::SessionStatus::Missed
        })
        .map(|(date, s)| TodayItem {
            move_today: fits_today(s).then(|| today.to_string()),
            ..today_item(s, &tracker.outcome(s, date), units, Some(date))
        })
        .collect()
}

/// A session as Today lists it; `on` names the day for an earlier one.
fn today_item(
    s: &runcoach_core::plan::Session,
    outcome: &runcoach_app::plans::Outcome,
    units: runcoach_core::units::Units,
    on: Option<jiff::civil::Date>,
) -> TodayItem {
    let label = s.name(units);
    TodayItem {
        id: s.id.clone().unwrap_or_default(),
        status: outcome.status.as_str(),
        status_label: view::status_words(outcome),
        mark: view::status_mark(outcome.status),
        href: format!("/sessions/{}", s.id.as_deref().unwrap_or("")),
        class: view::kind_class(s.kind),
        kind: s.kind.label(),
        label: match on {
            Some(d) => format!("{} · {label}", view::day_label(d)),
            None => label,
        },
        target: view::target(s, units),
        why: units.localise(&s.why),
        move_today: None,
    }
}

pub struct TodayItem {
    pub id: String,
    pub href: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub mark: &'static str,
    pub class: &'static str,
    pub kind: &'static str,
    pub label: String,
    pub target: String,
    pub why: String,
    /// A missed session's one-tap move: today's date, when today is free.
    pub move_today: Option<String>,
}

#[derive(Template)]
#[template(path = "today.html")]
struct Today {
    nav: Nav,
    date: String,
    has_plan: bool,
    /// The reply to what was just logged.
    logged: String,
    sessions: Vec<TodayItem>,
    /// Sessions of this week before today with nothing logged.
    missed: Vec<TodayItem>,
    /// The plan week holding today, day by day; empty without a plan.
    strip: Vec<StripDay>,
}

/// A day of Today's week strip: each session as a status shape on its
/// kind's colour, with the words for screen readers.
pub struct StripDay {
    pub weekday: String,
    pub day: String,
    pub today: bool,
    pub marks: Vec<StripMark>,
}

pub struct StripMark {
    pub class: &'static str,
    pub status: &'static str,
    /// The status's shape; none while planned (the ring alone).
    pub mark: &'static str,
    /// "Easy 8.0 km: Done".
    pub words: String,
}

fn week_strip(
    week: &runcoach_app::plans::PlanWeek,
    today: jiff::civil::Date,
    tracker: &runcoach_app::plans::Tracker,
    units: runcoach_core::units::Units,
) -> Vec<StripDay> {
    week.days
        .iter()
        .map(|d| StripDay {
            weekday: d.date.strftime("%a").to_string(),
            day: d.date.strftime("%-d").to_string(),
            today: d.date == today,
            marks: d
                .sessions
                .iter()
                .filter(|s| s.kind != SessionKind::Rest)
                .map(|s| {
                    let item = today_item(s, &tracker.outcome(s, d.date), units, None);
                    StripMark {
                        class: item.class,
                        status: item.status,
                        mark: item.mark,
                        words: format!("{}: {}", item.label, item.status_label),
                    }
                })
                .collect(),
        })
        .collect()
}

pub async fn today(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let zone = &user.0.user.time_zone;
    let date = runcoach_app::calendar::today_in(zone);
    let uid = &user.0.user.id;
    let week = runcoach_app::plans::week_of(&state.db, uid, date).await?;
    let tracker = week.tracker(&state.db, uid, zone).await?;
    let mut sessions = week.on(date);
    let has_plan = week.plan_id.is_some();
    let units = view::units_of(&user.0.user.units);
    let logged = match q.get("logged") {
        Some(id) => runcoach_store::logs::get(&state.db, uid, id)
            .await?
            .map_or_else(
                || "Logged.".to_owned(),
                |e| runcoach_core::adapt::logged_reply(&e.log),
            ),
        None => String::new(),
    };
    let missed = missed_this_week(&week, date, &tracker, units);
    let strip = week_strip(&week, date, &tracker, units);
    // The run first: it is what a runner checks before heading out.
    sessions.sort_by_key(|s| !s.kind.is_run() as u8 + u8::from(s.kind == SessionKind::Mobility));
    Ok(render(&Today {
        nav: nav(&user),
        date: view::day_label(date),
        has_plan,
        logged,
        missed,
        strip,
        sessions: sessions
            .iter()
            .map(|s| today_item(s, &tracker.outcome(s, date), units, None))
            .collect(),
    }))
}
