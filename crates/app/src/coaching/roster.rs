//! The coach's roster: every athlete who let them in, with this week's
//! numbers and the alerts core's rules raise, most in need first. Read in
//! a fixed number of queries ([`runcoach_store::roster::load`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::ToSpan;
use jiff::civil::Date;
use runcoach_core::coaching::{Alert, PainMark, Signals, alerts, attention};
use runcoach_core::load::{LogStatus, LoggedSession, compliance, report};
use runcoach_core::plan::{Phase, SessionKind, Week};
use runcoach_store::Db;
use serde::Serialize;

use super::{CoachingError, Level};
use crate::Actor;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekNumbers {
    pub planned_km: f64,
    pub done_km: f64,
    pub compliance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterEntry {
    pub athlete_id: String,
    pub name: String,
    pub access: Level,
    pub plan_id: Option<String>,
    pub race: Option<String>,
    pub race_date: Option<Date>,
    pub days_to_race: Option<i32>,
    pub phase: Option<Phase>,
    pub week: Option<WeekNumbers>,
    pub acwr: Option<f64>,
    pub pain: Vec<PainMark>,
    /// Long runs and quality sessions of the last 14 days not done.
    pub missed_key_sessions: u32,
    pub last_activity: Option<Date>,
    pub unread: u32,
    pub alerts: Vec<Alert>,
    pub attention: u32,
}

/// Roster and how many queries it took.
pub struct Roster {
    pub athletes: Vec<RosterEntry>,
    pub queries: u32,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn utc_date(ms: i64) -> Option<Date> {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// The roster of the acting coach on `today`.
pub async fn roster(
    db: &Db,
    actor: &Actor,
    today: Date,
    now: i64,
) -> Result<Roster, CoachingError> {
    if !actor.is_coach() {
        return Err(CoachingError::coaches_only());
    }
    // 42 days of history: the 28-day chronic load behind today's ACWR,
    // and the last few long runs.
    let history = today.saturating_sub(42.days());
    let data = runcoach_store::roster::load(
        db,
        &actor.user_id,
        now,
        history,
        today.saturating_sub(34.days()),
        today,
    )
    .await?;

    let mut access: BTreeMap<&str, (&str, Level)> = BTreeMap::new();
    for a in &data.athletes {
        let level = Level::parse(&a.access).unwrap_or(Level::View);
        let e = access
            .entry(a.athlete_id.as_str())
            .or_insert((a.name.as_str(), level));
        e.1 = e.1.max(level);
    }
    let plans: HashMap<&str, &runcoach_store::roster::RosterPlan> = data
        .plans
        .iter()
        .map(|p| (p.athlete_id.as_str(), p))
        .collect();
    let mut logs: HashMap<&str, Vec<LoggedSession>> = HashMap::new();
    let mut done_sessions: HashSet<&str> = HashSet::new();
    for (athlete, session, log) in &data.logs {
        if let Some(s) = session
            && log.status != LogStatus::Skipped
        {
            done_sessions.insert(s.as_str());
        }
        logs.entry(athlete.as_str()).or_default().push(log.clone());
    }
    // Imported runs count on days without a logged run, as the log does.
    for a in &data.activities {
        if let Some(s) = &a.planned_session_id {
            done_sessions.insert(s.as_str());
        }
        let Some(date) = a.start_time_ms.and_then(utc_date) else {
            continue;
        };
        let Some(run) = LoggedSession::imported_run(
            date,
            &a.sport,
            a.distance_mm as f64 / 1000.0,
            a.moving_ms as f64 / 1000.0,
            a.elapsed_ms as f64 / 1000.0,
        ) else {
            continue;
        };
        let mine = logs.entry(a.user_id.as_str()).or_default();
        if mine.iter().any(|l| l.date == date && l.kind.is_run()) {
            continue;
        }
        mine.push(run);
    }
    // Newest of the logged and imported days, whatever the window.
    let mut last: HashMap<&str, Date> = HashMap::new();
    let imported = data
        .last_imported
        .iter()
        .filter_map(|(a, ms)| utc_date(*ms).map(|d| (a, d)));
    for (a, d) in data
        .last_logged
        .iter()
        .map(|(a, d)| (a, *d))
        .chain(imported)
    {
        let e = last.entry(a.as_str()).or_insert(d);
        *e = (*e).max(d);
    }
    let unread: HashMap<&str, i64> = data.unread.iter().map(|(a, n)| (a.as_str(), *n)).collect();
    let mut weeks: HashMap<&str, Vec<&Week>> = HashMap::new();
    for (plan, week) in &data.weeks {
        weeks.entry(plan.as_str()).or_default().push(week);
    }

    let mut out = Vec::with_capacity(access.len());
    for (athlete_id, (name, level)) in access {
        let plan = plans.get(athlete_id).copied();
        let race_date = plan.and_then(|p| p.race_date.parse::<Date>().ok());
        let mine: &[LoggedSession] = logs.get(athlete_id).map_or(&[], |l| l.as_slice());
        let plan_weeks: &[&Week] = plan
            .and_then(|p| weeks.get(p.plan_id.as_str()))
            .map_or(&[], |w| w.as_slice());
        let current = plan_weeks
            .iter()
            .find(|w| today >= w.start && (today - w.start).get_days() < 7);
        let week = current.map(|w| {
            let c = compliance(w, mine);
            WeekNumbers {
                planned_km: round(w.run_km, 1),
                done_km: round(c.done_km, 1),
                compliance: c.compliance.map(|x| round(x, 2)),
            }
        });
        let load = report(mine.iter(), history, today);
        let acwr = load.on(today).and_then(|d| d.acwr).map(|x| round(x, 2));
        let mut long_runs = Vec::new();
        let mut missed_key = 0;
        for w in plan_weeks {
            for (day, s) in w.sessions() {
                if day.date >= today {
                    continue;
                }
                let done = s.id.as_deref().is_some_and(|id| done_sessions.contains(id));
                if s.kind == SessionKind::Long {
                    long_runs.push((day.date, done));
                }
                let key = s.kind == SessionKind::Long || s.kind.is_quality();
                if key && !done && (today - day.date).get_days() <= 14 {
                    missed_key += 1;
                }
            }
        }
        long_runs.sort_by_key(|(d, _)| *d);
        let pain: Vec<PainMark> = mine
            .iter()
            .flat_map(|l| {
                l.pain.iter().filter(|p| p.score > 0).map(|p| PainMark {
                    location: p.location,
                    score: p.score,
                    date: l.date,
                })
            })
            .filter(|p| (0..7).contains(&(today - p.date).get_days()))
            .collect();
        let signals = Signals {
            today,
            pain,
            acwr,
            first_activity: mine.iter().map(|l| l.date).min(),
            long_runs: long_runs.into_iter().map(|(_, done)| done).collect(),
            last_activity: last.get(athlete_id).copied(),
            race_date,
            unread: u32::try_from(unread.get(athlete_id).copied().unwrap_or(0)).unwrap_or(0),
        };
        out.push(RosterEntry {
            athlete_id: athlete_id.to_owned(),
            name: name.to_owned(),
            access: level,
            plan_id: plan.map(|p| p.plan_id.clone()),
            race: plan.map(|p| p.race_name.clone()),
            race_date,
            days_to_race: race_date.map(|d| (d - today).get_days()),
            phase: current.map(|w| w.phase),
            week,
            acwr,
            missed_key_sessions: missed_key,
            last_activity: signals.last_activity,
            unread: signals.unread,
            alerts: alerts(&signals),
            attention: attention(&signals),
            pain: signals.pain,
        });
    }
    // Most in need first; then by name, so the order is stable.
    out.sort_by(|a, b| {
        b.attention
            .cmp(&a.attention)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.athlete_id.cmp(&b.athlete_id))
    });
    Ok(Roster {
        athletes: out,
        queries: data.queries,
    })
}
