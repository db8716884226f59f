//! Where each planned session stands (planned, done, partial, skipped,
//! missed) for the API and the pages, and the plan's day and session as
//! they stand after edits and adjustments. The status rule is
//! core::status; this reads what it needs, once per request.

use std::collections::HashMap;

use jiff::civil::Date;
use runcoach_core::load::LogStatus;
use runcoach_core::plan::{Day, Session, SessionKind};
use runcoach_core::status::{SessionStatus, session_status};
use runcoach_store::{Db, StoreError, logs, plans};

use super::{standing, standing_at};
use crate::calendar::today_in;

/// The week of the user's newest plan that holds a day, as it stands
/// (edits and adjustments applied), every day of it: what Today shows (the
/// day, the week at a glance, and its earlier sessions missed).
pub struct PlanWeek {
    /// `None` without a plan.
    pub plan_id: Option<String>,
    /// The day the plan was made (Unix ms): nothing before it is missed.
    made_ms: Option<i64>,
    pub days: Vec<Day>,
}

impl PlanWeek {
    /// The sessions on `day`, in plan order.
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

/// `day`'s week of the user's newest plan. Without edits or active
/// adjustments the stored rows are the plan (two indexed queries);
/// otherwise the plan as it stands, assembled once per revision per process.
pub async fn week_of(db: &Db, user_id: &str, day: Date) -> Result<PlanWeek, StoreError> {
    let Some(latest) = plans::latest(db, user_id).await? else {
        return Ok(PlanWeek {
            plan_id: None,
            made_ms: None,
            days: Vec::new(),
        });
    };
    let days = if latest.active_adjustments == 0 {
        plans::week_holding(db, user_id, &latest.id, day)
            .await?
            .map(|(_, days)| days)
    } else {
        standing_at(db, user_id, &latest.id, latest.revision)
            .await?
            .and_then(|plan| {
                plan.weeks
                    .iter()
                    .find(|w| w.days.iter().any(|d| d.date == day))
                    .map(|w| w.days.clone())
            })
    };
    Ok(PlanWeek {
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
    if !logs::has_active_adjustments(db, user_id, &at.plan_id).await? {
        return Ok(Some(at));
    }
    if let Some(plan) = standing(db, user_id, &at.plan_id).await? {
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
