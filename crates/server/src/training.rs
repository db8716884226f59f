//! The plan as it stands: the stored original with the athlete's active
//! adjustments laid over it, and the re-adaptation that runs whenever the
//! training log changes. Handlers call these; the rules are in core.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;
use runcoach_core::adapt::{Adjustment, adapt};
use runcoach_core::load::LogStatus;
use runcoach_core::plan::{Day, Plan, Session, SessionKind};
use runcoach_core::status::{SessionStatus, session_status};
use runcoach_store::{Db, StoreError, logs, plans};

/// Logs this far before a plan's start still count (ACWR needs 28 days).
const HISTORY_DAYS: i64 = 28;

/// Today for an athlete: the date in their saved IANA zone, or in UTC when
/// they saved none (or the zone has since left the tz database). Every
/// "today" the server computes (pages, API defaults, adaptation) comes from
/// here, so a runner in Auckland sees their own Monday.
pub fn today_in(zone: &str) -> Date {
    date_at(jiff::Timestamp::now(), zone)
}

/// The calendar date at instant `now` in `zone` (UTC when empty/unknown).
pub fn date_at(now: jiff::Timestamp, zone: &str) -> Date {
    now.to_zoned(runcoach_app::imports::matching::zone_of(zone))
        .date()
}

/// The plan as it stands: edits, then active adjustments, over the stored
/// plan; `None` when not theirs.
pub async fn current_plan(
    db: &Db,
    user_id: &str,
    plan_id: &str,
) -> Result<Option<Plan>, StoreError> {
    runcoach_app::plans::standing(db, user_id, plan_id).await
}

/// The week of the user's newest plan that holds a day, as it stands
/// (edits and adjustments applied), from its first day up to that day:
/// what Today shows (the day, and the week's earlier sessions missed).
pub struct WeekSoFar {
    /// `None` without a plan.
    pub plan_id: Option<String>,
    /// The day the plan was made (Unix ms): nothing before it is missed.
    made_ms: Option<i64>,
    pub days: Vec<Day>,
}

impl WeekSoFar {
    /// The sessions on `day` (the last of the days), in plan order.
    pub fn on(&self, day: Date) -> Vec<Session> {
        self.days
            .iter()
            .find(|d| d.date == day)
            .map(|d| d.sessions.clone())
            .unwrap_or_default()
    }

    /// The statuses of these days' sessions, seen from the athlete's
    /// today: two small queries for a week's handful of sessions.
    pub async fn tracker(&self, db: &Db, user_id: &str, zone: &str) -> Result<Tracker, StoreError> {
        let today = today_in(zone);
        if self.plan_id.is_none() {
            return Ok(Tracker::empty(today));
        }
        let ids: Vec<&str> = self
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter_map(|s| s.id.as_deref())
            .collect();
        Ok(Tracker::from_rows(
            today,
            made_on(self.made_ms, today),
            logs::for_sessions(db, user_id, &ids).await?,
            runcoach_store::activities::matched_to(db, user_id, &ids).await?,
        ))
    }
}

/// `day`'s week of the user's newest plan, up to `day`. Without edits or
/// active adjustments the stored rows are the plan (two indexed queries);
/// otherwise the plan as it stands, assembled once per revision per process.
pub async fn week_so_far(db: &Db, user_id: &str, day: Date) -> Result<WeekSoFar, StoreError> {
    let Some(latest) = plans::latest(db, user_id).await? else {
        return Ok(WeekSoFar {
            plan_id: None,
            made_ms: None,
            days: Vec::new(),
        });
    };
    let days = if latest.active_adjustments == 0 {
        plans::week_until(db, user_id, &latest.id, day)
            .await?
            .map(|(_, days)| days)
    } else {
        runcoach_app::plans::standing_at(db, user_id, &latest.id, latest.revision)
            .await?
            .and_then(|plan| {
                plan.weeks
                    .iter()
                    .find(|w| w.days.iter().any(|d| d.date == day))
                    .map(|w| w.days.iter().filter(|d| d.date <= day).cloned().collect())
            })
    };
    Ok(WeekSoFar {
        plan_id: Some(latest.id),
        made_ms: Some(latest.created_at),
        days: days.unwrap_or_default(),
    })
}

/// The UTC date a plan was made (`today` when unknown).
fn made_on(ms: Option<i64>, today: Date) -> Date {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or(today, |t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Where a session stands, as the API shows it beside every session.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub status: SessionStatus,
    /// The newest log entry for the session, when there is one.
    pub log_id: Option<String>,
    /// The imported activity matched to it, when there is one.
    pub activity_id: Option<String>,
}

/// A session with its outcome, flattened into one JSON object.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrackedSession {
    #[serde(flatten)]
    pub session: Session,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// One plan's log entries and matched imports by session id, read once per
/// request (two queries) so every session's status is a lookup.
pub struct Tracker {
    today: Date,
    /// The day the plan was made: nothing before it counts as missed.
    since: Date,
    logs: HashMap<String, (String, LogStatus)>,
    activities: HashMap<String, String>,
}

impl Tracker {
    pub async fn load(
        db: &Db,
        user_id: &str,
        plan_id: &str,
        today: Date,
    ) -> Result<Self, StoreError> {
        Ok(Tracker::from_rows(
            today,
            made_on(plans::created_at(db, user_id, plan_id).await?, today),
            logs::for_plan(db, user_id, plan_id).await?,
            runcoach_store::activities::matched_in_plan(db, user_id, plan_id).await?,
        ))
    }

    /// From log entries oldest first (so the newest per session is the one
    /// kept) and (activity, session) matches oldest first (the first kept).
    fn from_rows(
        today: Date,
        since: Date,
        entries: Vec<logs::LogEntry>,
        matched: Vec<(String, String)>,
    ) -> Self {
        let logs = entries
            .into_iter()
            .filter_map(|e| Some((e.session_id?, (e.id, e.log.status))))
            .collect();
        let mut activities = HashMap::new();
        for (activity, session) in matched {
            activities.entry(session).or_insert(activity);
        }
        Tracker {
            today,
            since,
            logs,
            activities,
        }
    }

    /// A tracker that knows no logs (no plan): everything past is missed.
    pub fn empty(today: Date) -> Self {
        Tracker {
            today,
            since: today,
            logs: HashMap::new(),
            activities: HashMap::new(),
        }
    }

    pub fn outcome(&self, session: &Session, date: Date) -> Outcome {
        self.outcome_of(
            session.id.as_deref().unwrap_or(""),
            session.kind == SessionKind::Rest,
            date,
        )
    }

    fn outcome_of(&self, id: &str, rest: bool, date: Date) -> Outcome {
        let log = self.logs.get(id);
        let activity = self.activities.get(id);
        Outcome {
            status: session_status(
                date,
                self.today,
                self.since,
                log.map(|(_, s)| *s),
                activity.is_some(),
                rest,
            ),
            log_id: log.map(|(id, _)| id.clone()),
            activity_id: activity.cloned(),
        }
    }

    pub fn track(&self, session: Session, date: Date) -> TrackedSession {
        TrackedSession {
            outcome: self.outcome(&session, date),
            session,
        }
    }

    /// Adds `status`, `log_id` and `activity_id` to every session of a
    /// plan's JSON (the stored document is served as JSON, not re-typed).
    pub fn annotate(&self, plan: &mut serde_json::Value) {
        let weeks = plan["weeks"].as_array_mut().into_iter().flatten();
        for day in weeks.flat_map(|w| w["days"].as_array_mut().into_iter().flatten()) {
            let Some(date) = day["date"].as_str().and_then(|d| d.parse::<Date>().ok()) else {
                continue;
            };
            for s in day["sessions"].as_array_mut().into_iter().flatten() {
                let id = s["id"].as_str().unwrap_or("");
                let outcome = self.outcome_of(id, s["kind"] == "rest", date);
                if let (Some(obj), Ok(serde_json::Value::Object(extra))) =
                    (s.as_object_mut(), serde_json::to_value(outcome))
                {
                    obj.extend(extra);
                }
            }
        }
    }
}

/// The tracker for a plan (or none), seen from the athlete's today.
pub async fn tracker(
    db: &Db,
    user_id: &str,
    plan_id: Option<&str>,
    zone: &str,
) -> Result<Tracker, StoreError> {
    let today = today_in(zone);
    match plan_id {
        Some(id) => Tracker::load(db, user_id, id, today).await,
        None => Ok(Tracker::empty(today)),
    }
}

/// A stored session as it now stands (adjusted), with where it sits.
pub async fn session(
    db: &Db,
    user_id: &str,
    session_id: &str,
) -> Result<Option<plans::SessionAt>, StoreError> {
    let Some(mut at) = plans::session_by_id(db, user_id, session_id).await? else {
        return Ok(None);
    };
    if !logs::has_active_adjustments(db, &at.plan_id).await? {
        return Ok(Some(at));
    }
    if let Some(plan) = current_plan(db, user_id, &at.plan_id).await? {
        // An edit may have moved it to another day, even another week.
        let adjusted = plan.weeks.iter().find_map(|w| {
            w.days.iter().find_map(|d| {
                d.sessions
                    .iter()
                    .find(|s| s.id.as_deref() == Some(session_id))
                    .map(|s| (w.index, d.date, s))
            })
        });
        if let Some((week, date, s)) = adjusted {
            at.session = s.clone();
            at.date = date;
            at.week_index = week;
        }
    }
    Ok(Some(at))
}

/// Re-runs the adaptation rules for the user's newest plan after the log
/// changed, stores the result, and returns the adjustments that are new.
pub async fn readapt(db: &Db, user_id: &str) -> Result<Vec<Adjustment>, StoreError> {
    let Some(plan_id) = plans::latest_id(db, user_id).await? else {
        return Ok(Vec::new());
    };
    // Adaptation judges the plan with its hand edits, so it works on top
    // of them rather than undoing them.
    let Some(original) = runcoach_app::plans::edited(db, user_id, &plan_id).await? else {
        return Ok(Vec::new());
    };
    let (Some(first), Some(last)) = (original.weeks.first(), original.weeks.last()) else {
        return Ok(Vec::new());
    };
    let from = first.start.saturating_sub(HISTORY_DAYS.days());
    let to = last.days.last().map_or(last.start, |d| d.date);
    let logged = activity_log(db, user_id, from, to).await?;
    let stored = logs::adjustments(db, &plan_id).await?;
    let undone: Vec<String> = stored
        .iter()
        .filter(|s| s.undone)
        .map(|s| s.adjustment.id.clone())
        .collect();
    // Adaptation judges "missed" against the athlete's own today.
    let zone = runcoach_store::users::by_id(db, user_id)
        .await?
        .map(|(u, _)| u.time_zone)
        .unwrap_or_default();
    let fresh = adapt(&original, &logged, today_in(&zone), &undone);
    let before = current_plan(db, user_id, &plan_id).await?;
    logs::sync_adjustments(db, &plan_id, &fresh).await?;
    let after = current_plan(db, user_id, &plan_id).await?;
    // Calendar feeds raise SEQUENCE for every event that changed.
    let changed = match (&before, &after) {
        (Some(b), Some(a)) => runcoach_core::plan::edit::changed_sessions(b, a),
        _ => changed_sessions(before.as_ref(), after.as_ref()),
    };
    for id in changed {
        runcoach_store::feeds::bump(db, &id).await?;
    }
    Ok(fresh
        .into_iter()
        .filter(|a| !stored.iter().any(|s| s.adjustment.id == a.id))
        .collect())
}

/// Ids of sessions whose content differs between two versions of a plan.
fn changed_sessions(before: Option<&Plan>, after: Option<&Plan>) -> Vec<String> {
    let sessions = |p: Option<&Plan>| -> std::collections::BTreeMap<String, Session> {
        p.into_iter()
            .flat_map(|p| &p.weeks)
            .flat_map(|w| &w.days)
            .flat_map(|d| &d.sessions)
            .filter_map(|s| s.id.clone().map(|id| (id, s.clone())))
            .collect()
    };
    let (a, b) = (sessions(before), sessions(after));
    b.iter()
        .filter(|(id, s)| a.get(*id) != Some(s))
        .map(|(id, _)| id.clone())
        .collect()
}

pub use runcoach_core::load::IMPORTED_RUN_RPE;

/// What the athlete did from `from` to `to`: their log entries, plus
/// imported runs on days without a logged run (a run both logged and
/// imported counts once). An imported run's day is its start's date in the
/// athlete's zone, as matching and the pages read it.
pub async fn activity_log(
    db: &Db,
    user_id: &str,
    from: Date,
    to: Date,
) -> Result<Vec<runcoach_core::load::LoggedSession>, StoreError> {
    use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession};
    let mut logged: Vec<LoggedSession> = logs::between(db, user_id, from, to)
        .await?
        .into_iter()
        .map(|e| e.log)
        .collect();
    let ms = |d: Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let zone = runcoach_store::users::by_id(db, user_id)
        .await?
        .map_or(jiff::tz::TimeZone::UTC, |(u, _)| {
            runcoach_app::imports::matching::zone_of(&u.time_zone)
        });
    // A day either side in UTC holds every local day of the range.
    let imported = runcoach_store::activities::list(
        db,
        user_id,
        ms(from.saturating_sub(1.days())),
        ms(to.saturating_add(2.days())),
    )
    .await?;
    let run_days: std::collections::HashSet<Date> = logged
        .iter()
        .filter(|l| l.kind.is_run())
        .map(|l| l.date)
        .collect();
    for a in imported {
        let running = runcoach_core::load::RUNNING_SPORTS.contains(&a.sport.as_str());
        let Some(start) = a
            .start_time_ms
            .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
        else {
            continue;
        };
        let date = runcoach_core::matching::local_date(start, &zone);
        if !running || date < from || date > to || run_days.contains(&date) {
            continue;
        }
        logged.push(LoggedSession {
            date,
            kind: ActivityKind::Run,
            status: LogStatus::Done,
            duration_s: (if a.moving_s > 0.0 {
                a.moving_s
            } else {
                a.elapsed_s
            })
            .round() as u32,
            distance_m: a.distance_m.round() as u32,
            rpe: Some(IMPORTED_RUN_RPE),
            pain: Vec::new(),
            notes: String::new(),
        });
    }
    logged.sort_by_key(|l| l.date);
    Ok(logged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_athletes_date_not_utcs() {
        // 11:30 UTC on 1 March is already 00:30 on 2 March in Auckland
        // (NZDT, UTC+13) and still 1 March in UTC and in Dublin.
        let now: jiff::Timestamp = "2027-03-01T11:30:00Z".parse().unwrap();
        assert_eq!(
            date_at(now, "Pacific/Auckland"),
            jiff::civil::date(2027, 3, 2)
        );
        assert_eq!(date_at(now, ""), jiff::civil::date(2027, 3, 1));
        assert_eq!(date_at(now, "Europe/Dublin"), jiff::civil::date(2027, 3, 1));
        // A zone the tz database no longer knows falls back to UTC.
        assert_eq!(date_at(now, "Mars/Olympus"), jiff::civil::date(2027, 3, 1));
    }
}
