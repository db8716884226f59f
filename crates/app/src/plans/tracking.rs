//! Where each planned session stands (planned, done, partial, skipped,
//! missed) for the API and the pages, and the plan's day and session as
//! they stand after edits and adjustments. The status rule is
//! core::status; this reads what it needs, once per request.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use runcoach_core::load::LogStatus;
use runcoach_core::plan::{Day, Session, SessionKind};
use runcoach_core::status::{SessionStatus, session_status};
use runcoach_store::marks::{self, Marks};
use runcoach_store::{Db, StoreError, logs, plans};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{current, standing_at};
use crate::calendar::today_in;

/// The week of the user's newest plan that holds a day, as it stands
/// (edits and adjustments applied), every day of it: what Today shows (the
/// day, the week at a glance, and its earlier sessions missed).
pub struct PlanWeek {
    /// `None` without a plan.
    pub plan_id: Option<String>,
    /// The day the plan was made (Unix ms): nothing before it is missed.
    made_ms: Option<i64>,
    pub days: Arc<Vec<Day>>,
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
        Ok(Tracker::from_marks(
            today,
            made_on(self.made_ms, today),
            marks::on_sessions(db, user_id, &ids).await?,
        ))
    }
}

/// How many plan weeks one process keeps: a week of sessions is a few KB,
/// so this bounds the cache to a few MB.
const KEPT_WEEKS: usize = 2048;

/// The days of the week holding a date, by (owner, plan id, revision,
/// date): as with whole plans, every change raises the revision, so an
/// entry is never stale whichever app server made the change.
static WEEKS: super::Kept<Vec<Day>, (String, String, i64, Date), KEPT_WEEKS> = super::Kept::new();

/// `day`'s week of the user's newest plan: one query for the plan's head,
/// then from memory when this process has read that week at that revision.
/// Otherwise, without edits or active adjustments the stored rows are the
/// plan (two indexed queries: one merged query was slower at 1,000
/// athletes and more); with them, the plan as it stands, assembled once
/// per revision per process.
pub async fn week_of(db: &Db, user_id: &str, day: Date) -> Result<PlanWeek, StoreError> {
    let Some(latest) = plans::latest(db, user_id).await? else {
        return Ok(PlanWeek {
            plan_id: None,
            made_ms: None,
            days: Arc::default(),
        });
    };
    let key = (user_id.to_owned(), latest.id.clone(), latest.revision, day);
    let days = match WEEKS.get(&key) {
        Some(days) => days,
        None => {
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
            }
            .unwrap_or_default();
            WEEKS.keep(key, days)
        }
    };
    Ok(PlanWeek {
        plan_id: Some(latest.id),
        made_ms: Some(latest.created_at),
        days,
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
#[derive(Debug, Clone, PartialEq)]
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
        let made_ms = plans::created_at(db, user_id, plan_id).await?;
        Tracker::load_made(db, user_id, plan_id, made_ms, today).await
    }

    /// As [`Tracker::load`], for a caller that has read when the plan was
    /// made (Unix ms) already.
    pub async fn load_made(
        db: &Db,
        user_id: &str,
        plan_id: &str,
        made_ms: Option<i64>,
        today: Date,
    ) -> Result<Self, StoreError> {
        Ok(Tracker::from_marks(
            today,
            made_on(made_ms, today),
            marks::in_plan(db, user_id, plan_id).await?,
        ))
    }

    /// From marks oldest first: the newest log per session is the one
    /// kept, and the first matched run.
    fn from_marks(today: Date, since: Date, marks: Marks) -> Self {
        let logs = marks
            .logs
            .into_iter()
            .map(|(session, log, status)| (session, (log, status)))
            .collect();
        let mut activities = HashMap::new();
        for (session, activity) in marks.matches {
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
    pub fn annotate(&self, plan: &mut Value) {
        if let Ok(done) = serde_json::to_value(self.annotated(plan, None)) {
            *plan = done;
        }
    }

    /// A plan's JSON as [`Tracker::annotate`] makes it, plus `"id": id`
    /// when given, written straight from `plan`: a kept document is served
    /// without copying or re-parsing it.
    pub fn annotated<'a>(&'a self, plan: &'a Value, id: Option<&'a str>) -> impl Serialize + 'a {
        Annotated {
            tracker: self,
            node: Node::Plan(plan, id),
        }
    }
}

/// Where a value sits in a plan's JSON, and so what is merged into it.
/// A value of another shape than its place expects is written as it is,
/// as [`Tracker::annotate`] leaves it.
#[derive(Clone, Copy)]
enum Node<'a> {
    /// The plan, and the id to add.
    Plan(&'a Value, Option<&'a str>),
    Weeks(&'a Value),
    Week(&'a Value),
    Days(&'a Value),
    Day(&'a Value),
    Sessions(&'a Value, Date),
    Session(&'a Value, Date),
    As(&'a Value),
}

struct Annotated<'a> {
    tracker: &'a Tracker,
    node: Node<'a>,
}

/// A field as written: from the plan (annotated where it is due), or new.
enum Field<'a> {
    Kept(Annotated<'a>),
    New(&'a Value),
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Kept(a) => a.serialize(s),
            Field::New(v) => v.serialize(s),
        }
    }
}

impl<'a> Annotated<'a> {
    fn at(&self, node: Node<'a>) -> Annotated<'a> {
        Annotated {
            tracker: self.tracker,
            node,
        }
    }

    /// An object's fields with `key`'s value seen as `inner`, and `extra`
    /// over them, in key order: serde_json's maps are sorted, so this is
    /// what inserting `extra` into the parsed object and writing it gives.
    fn object<S: Serializer>(
        &self,
        s: S,
        fields: &'a Map<String, Value>,
        key: &str,
        inner: impl Fn(&'a Value) -> Node<'a>,
        extra: Map<String, Value>,
    ) -> Result<S::Ok, S::Error> {
        let mut merged: BTreeMap<&str, Field<'_>> = fields
            .iter()
            .map(|(k, v)| {
                let node = if k == key { inner(v) } else { Node::As(v) };
                (k.as_str(), Field::Kept(self.at(node)))
            })
            .collect();
        merged.extend(extra.iter().map(|(k, v)| (k.as_str(), Field::New(v))));
        s.collect_map(merged)
    }

    fn array<S: Serializer>(
        &self,
        s: S,
        items: &'a [Value],
        node: impl Fn(&'a Value) -> Node<'a>,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(|v| self.at(node(v))))
    }
}

impl Serialize for Annotated<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.node {
            Node::Plan(Value::Object(plan), id) => {
                let mut extra = Map::new();
                if let Some(id) = id {
                    extra.insert("id".into(), id.into());
                }
                self.object(s, plan, "weeks", Node::Weeks, extra)
            }
            Node::Weeks(Value::Array(weeks)) => self.array(s, weeks, Node::Week),
            Node::Week(Value::Object(week)) => self.object(s, week, "days", Node::Days, Map::new()),
            Node::Days(Value::Array(days)) => self.array(s, days, Node::Day),
            Node::Day(Value::Object(day)) => {
                match day
                    .get("date")
                    .and_then(Value::as_str)
                    .map(str::parse::<Date>)
                {
                    Some(Ok(date)) => self.object(
                        s,
                        day,
                        "sessions",
                        move |v| Node::Sessions(v, date),
                        Map::new(),
                    ),
                    _ => day.serialize(s),
                }
            }
            Node::Sessions(Value::Array(sessions), date) => {
                self.array(s, sessions, move |v| Node::Session(v, date))
            }
            Node::Session(Value::Object(session), date) => {
                let id = session.get("id").and_then(Value::as_str).unwrap_or("");
                let rest = session.get("kind").and_then(Value::as_str) == Some("rest");
                let extra = match serde_json::to_value(self.tracker.outcome_of(id, rest, date)) {
                    Ok(Value::Object(extra)) => extra,
                    _ => Map::new(),
                };
                self.object(s, session, "", Node::As, extra)
            }
            Node::Plan(v, _)
            | Node::Weeks(v)
            | Node::Week(v)
            | Node::Days(v)
            | Node::Day(v)
            | Node::Sessions(v, _)
            | Node::Session(v, _)
            | Node::As(v) => v.serialize(s),
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
    if let Some(plan) = current(db, user_id, &at.plan_id).await? {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The statuses go into every dated day's sessions, in key order, with
    /// the id at the top; a value of another shape is written as it is.
    #[test]
    fn annotated_merges_outcomes_into_the_plan_as_stored() {
        let today: Date = "2027-01-10".parse().unwrap();
        let tracker = Tracker {
            today,
            since: "2027-01-01".parse().unwrap(),
            logs: HashMap::from([("a".to_owned(), ("log-1".to_owned(), LogStatus::Done))]),
            activities: HashMap::from([("b".to_owned(), "act-1".to_owned())]),
        };
        let plan = json!({
            "race": {"name": "half"},
            "weeks": [
                {"index": 1, "days": [
                    {"date": "2027-01-04", "sessions": [
                        {"id": "a", "kind": "easy"},
                        {"id": "b", "kind": "long"},
                        {"id": "c", "kind": "rest"},
                        {"id": "d", "kind": "tempo"},
                        "not a session"
                    ]},
                    {"date": "someday", "sessions": [{"id": "e", "kind": "easy"}]},
                    {"date": "2027-01-20", "sessions": [{"id": "f", "kind": "easy"}]}
                ]},
                "not a week"
            ]
        });
        let written = serde_json::to_string(&tracker.annotated(&plan, Some("p1"))).unwrap();
        let outcome = |status: &str, log: Option<&str>, activity: Option<&str>| json!({"status": status, "log_id": log, "activity_id": activity});
        let with = |session: Value, outcome: Value| {
            let mut s = session;
            s.as_object_mut()
                .unwrap()
                .extend(outcome.as_object().unwrap().clone());
            s
        };
        let expected = json!({
            "id": "p1",
            "race": {"name": "half"},
            "weeks": [
                {"index": 1, "days": [
                    {"date": "2027-01-04", "sessions": [
                        with(json!({"id": "a", "kind": "easy"}), outcome("done", Some("log-1"), None)),
                        with(json!({"id": "b", "kind": "long"}), outcome("done", None, Some("act-1"))),
                        with(json!({"id": "c", "kind": "rest"}), outcome("planned", None, None)),
                        with(json!({"id": "d", "kind": "tempo"}), outcome("missed", None, None)),
                        "not a session"
                    ]},
                    {"date": "someday", "sessions": [{"id": "e", "kind": "easy"}]},
                    {"date": "2027-01-20", "sessions": [
                        with(json!({"id": "f", "kind": "easy"}), outcome("planned", None, None))
                    ]}
                ]},
                "not a week"
            ]
        });
        // Byte for byte what writing the parsed, extended document gives.
        assert_eq!(written, serde_json::to_string(&expected).unwrap());

        let mut annotated = plan.clone();
        tracker.annotate(&mut annotated);
        annotated["id"] = "p1".into();
        assert_eq!(annotated, expected);
    }
}
