//! Writing the training log: an entry read against the session it records
//! (every field checked, defaults from the plan), stored once per
//! Idempotency-Key, then the plan re-adapted; adjustments listed, undone
//! and restored. The API and the pages both call these.

use jiff::civil::Date;
use runcoach_core::adapt::Adjustment;
use runcoach_core::dates;
use runcoach_core::exercises::find;
use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession, Pain, PainLocation};
use runcoach_core::plan::{FieldError, Session};
use runcoach_store::logs::{self, LogEntry};
use runcoach_store::users::User;
use runcoach_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

use crate::Actor;
use crate::coaching::access::{self, AccessError, Need};
use crate::plans::edits::EditError;

/// Why a log use-case refused.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// No such entry, session, plan or adjustment of the athlete's (or
    /// none the actor may see).
    #[error("not found")]
    NotFound,
    /// Fields to fix, each named.
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A log entry as sent; numbers arrive wide so out-of-range values get a
/// clear message instead of a parse error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogInput {
    #[serde(default)]
    pub session_id: Option<String>,
    /// Defaults to the planned session's date.
    #[serde(default)]
    pub date: Option<String>,
    /// Defaults from the planned session's kind.
    #[serde(default)]
    pub kind: Option<ActivityKind>,
    pub status: LogStatus,
    /// Default to the planned session's when it is done as planned.
    #[serde(default)]
    pub duration_s: Option<i64>,
    #[serde(default)]
    pub distance_m: Option<i64>,
    #[serde(default)]
    pub rpe: Option<i64>,
    #[serde(default)]
    pub pain: Vec<PainInput>,
    #[serde(default)]
    pub notes: String,
    /// Strength movements ticked off, by exercise id.
    #[serde(default)]
    pub exercises_done: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PainInput {
    pub location: PainLocation,
    pub score: i64,
}

fn field(field: &'static str, message: String) -> FieldError {
    FieldError { field, message }
}

/// Reads an entry against the planned session it records (if any), then
/// core's own checks; every problem is reported together.
pub fn read_entry(
    input: &LogInput,
    planned: Option<(&Session, Date)>,
    today: Date,
) -> Result<(LoggedSession, Vec<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = match (&input.date, planned) {
        (Some(d), _) => dates::parse(d)
            .map_err(|m| errors.push(field("date", m)))
            .ok(),
        (None, Some((_, d))) => Some(d),
        (None, None) => {
            errors.push(field("date", "give the date of the activity".into()));
            None
        }
    };
    let kind = input
        .kind
        .or(planned.map(|(s, _)| ActivityKind::of_planned(s.kind)));
    if kind.is_none() {
        errors.push(field(
            "kind",
            "give the kind of activity (run, race, cross, strength, mobility, other)".into(),
        ));
    }
    let as_planned = input.status == LogStatus::Done;
    let mut number = |name: &'static str, v: Option<i64>, default: Option<u32>, max: i64| -> u32 {
        match v {
            None => default.unwrap_or(0),
            Some(n) if n < 0 => {
                errors.push(field(name, format!("{n} is negative")));
                0
            }
            Some(n) if n > max => {
                errors.push(field(
                    name,
                    format!("{n} is more than the most a day can hold ({max})"),
                ));
                0
            }
            Some(n) => n as u32,
        }
    };
    let duration_s = number(
        "duration_s",
        input.duration_s,
        planned
            .filter(|_| as_planned)
            .and_then(|(s, _)| s.duration_s.or(s.minutes.map(|m| m * 60))),
        i64::from(runcoach_core::load::MAX_DURATION_S),
    );
    let distance_m = number(
        "distance_m",
        input.distance_m,
        planned
            .filter(|_| as_planned)
            .and_then(|(s, _)| s.distance_m),
        i64::from(runcoach_core::load::MAX_DISTANCE_M),
    );
    let rpe = match input.rpe {
        Some(r) if !(1..=10).contains(&r) => {
            errors.push(field("rpe", format!("effort {r} is outside 1–10")));
            None
        }
        Some(r) => Some(r as u8),
        None if input.status == LogStatus::Skipped => None,
        None => planned.map(|(s, _)| runcoach_core::load::planned_rpe(s)),
    };
    let mut pain = Vec::new();
    for p in &input.pain {
        if (0..=10).contains(&p.score) {
            pain.push(Pain {
                location: p.location,
                score: p.score as u8,
            });
        } else {
            errors.push(field(
                "pain",
                format!("pain {} at {} is outside 0–10", p.score, p.location.label()),
            ));
        }
    }
    if input.notes.chars().count() > 2000 {
        errors.push(field(
            "notes",
            "notes are limited to 2000 characters".into(),
        ));
    }
    for id in &input.exercises_done {
        let planned_here = planned
            .is_some_and(|(s, _)| s.exercises.iter().chain(&s.activation).any(|d| &d.id == id));
        if find(id).is_none() || !planned_here {
            errors.push(field(
                "exercises_done",
                format!("'{id}' is not a movement of this session"),
            ));
        }
    }
    let (Some(date), Some(kind)) = (date, kind) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let log = LoggedSession {
        date,
        kind,
        status: input.status,
        duration_s,
        distance_m,
        rpe,
        pain,
        notes: input.notes.trim().to_owned(),
    };
    log.validate(today)?;
    Ok((log, input.exercises_done.clone()))
}

/// What a write answers: the entry and the adjustments it caused.
#[derive(Debug, Serialize)]
pub struct Logged {
    #[serde(flatten)]
    pub entry: LogEntry,
    pub adjustments: Vec<Adjustment>,
}

/// What storing an entry came to: a new entry, or the one an earlier
/// request with the same Idempotency-Key made (nothing stored again).
pub enum Recorded {
    New(Logged),
    Replayed(LogEntry),
}

impl Recorded {
    /// The entry either way; a replay lists no adjustments (the first
    /// answer listed them).
    pub fn into_logged(self) -> Logged {
        match self {
            Recorded::New(logged) => logged,
            Recorded::Replayed(entry) => Logged {
                entry,
                adjustments: Vec::new(),
            },
        }
    }
}

/// Stores a new entry for `user` and re-adapts the plan.
pub async fn record(db: &Db, user: &User, input: &LogInput) -> Result<Logged, LogError> {
    Ok(record_once(db, user, input, None).await?.into_logged())
}

/// [`record`], once per Idempotency-Key.
pub async fn record_once(
    db: &Db,
    user: &User,
    input: &LogInput,
    key: Option<&str>,
) -> Result<Recorded, LogError> {
    let uid = &user.id;
    if let Some(key) = key
        && let Some(first) = logs::by_idempotency_key(db, uid, key).await?
    {
        return Ok(Recorded::Replayed(first));
    }
    let (log, done) = checked_entry(db, user, input).await?;
    let session_id = input.session_id.as_deref();
    let entry = match logs::insert(db, uid, session_id, &log, &done, key).await {
        Ok(entry) => entry,
        // The same key raced in from a concurrent retry: that one stands.
        Err(StoreError::Conflict) => {
            let first = match key {
                Some(key) => logs::by_idempotency_key(db, uid, key).await?,
                None => None,
            };
            return first
                .map(Recorded::Replayed)
                .ok_or(LogError::Store(StoreError::Conflict));
        }
        Err(e) => return Err(e.into()),
    };
    let adjustments = super::readapt(db, uid).await?;
    Ok(Recorded::New(Logged { entry, adjustments }))
}

/// `input` read against the session it names (which must be `user`'s) and
/// the user's own today: the entry to store and what it did.
async fn checked_entry(
    db: &Db,
    user: &User,
    input: &LogInput,
) -> Result<(LoggedSession, Vec<String>), LogError> {
    let planned = match &input.session_id {
        Some(id) => Some(
            crate::plans::session(db, &user.id, id)
                .await?
                .ok_or(LogError::NotFound)?,
        ),
        None => None,
    };
    read_entry(
        input,
        planned.as_ref().map(|p| (&p.session, p.date)),
        crate::calendar::today_in(&user.time_zone),
    )
    .map_err(LogError::Invalid)
}

/// Replaces entry `id` of `user`'s and re-adapts the plan.
pub async fn update(db: &Db, user: &User, id: &str, input: &LogInput) -> Result<Logged, LogError> {
    let uid = &user.id;
    logs::get(db, uid, id).await?.ok_or(LogError::NotFound)?;
    let (log, done) = checked_entry(db, user, input).await?;
    logs::update(db, uid, id, input.session_id.as_deref(), &log, &done).await?;
    let entry = logs::get(db, uid, id).await?.ok_or(LogError::NotFound)?;
    let adjustments = super::readapt(db, uid).await?;
    Ok(Logged { entry, adjustments })
}

/// Deletes entry `id` of `user_id`'s and re-adapts the plan.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), LogError> {
    if !logs::delete(db, user_id, id).await? {
        return Err(LogError::NotFound);
    }
    super::readapt(db, user_id).await?;
    Ok(())
}

/// An adjustment as the athlete sees it.
#[derive(Debug, Serialize)]
pub struct AdjustmentView {
    pub id: String,
    pub rule: String,
    pub summary: String,
    pub why: String,
    pub week: u32,
    pub created_at: String,
    pub undone: bool,
    pub touched: usize,
    /// A hand edit's editor (`coach_edit`, `athlete_edit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Guardrail findings the editor saw and saved anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<crate::plans::edits::Finding>>,
}

fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl From<crate::plans::edits::EditView> for AdjustmentView {
    fn from(e: crate::plans::edits::EditView) -> Self {
        // The note is a sentence of its own before what follows it.
        let mut why = if e.note.trim().is_empty() {
            String::new()
        } else {
            crate::plans::edits::sentence(e.note.trim())
        };
        if !e.violations.is_empty() {
            let rules: Vec<String> = e.violations.iter().map(|v| v.message.clone()).collect();
            let accepted = format!("Saved despite: {}.", rules.join("; "));
            why = [why, accepted].join(" ").trim().to_owned();
        }
        AdjustmentView {
            id: e.id,
            rule: e.rule,
            summary: e.summary,
            why,
            week: e.week,
            created_at: timestamp(e.created_at),
            undone: e.undone,
            touched: 0,
            editor: Some(e.editor),
            note: Some(e.note),
            violations: Some(e.violations),
        }
    }
}

/// The plan's adjustments and hand edits, in the order they came, when
/// the actor may read the plan.
pub async fn adjustments_of(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
) -> Result<Vec<AdjustmentView>, LogError> {
    let (athlete, _) = access::require_plan(db, actor, plan_id, Need::Read).await?;
    let mut out: Vec<(i64, AdjustmentView)> = logs::adjustments(db, &athlete, plan_id)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.created_at,
                AdjustmentView {
                    id: s.adjustment.id.clone(),
                    rule: s.adjustment.rule.as_str().to_owned(),
                    summary: s.adjustment.summary.clone(),
                    why: s.adjustment.why.clone(),
                    week: s.adjustment.week,
                    created_at: timestamp(s.created_at),
                    undone: s.undone,
                    touched: s.adjustment.touched.len(),
                    editor: None,
                    note: None,
                    violations: None,
                },
            )
        })
        .collect();
    // Hand edits beside adaptation's adjustments, in the order they came.
    for e in crate::plans::edits::history(db, plan_id, &actor.user_id).await? {
        out.push((e.created_at, e.into()));
    }
    out.sort_by_key(|(at, _)| *at);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}

/// Undoes (or restores) an adjustment of the athlete's plan.
pub async fn set_undone(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
    adjustment: &str,
    undone: bool,
) -> Result<(), LogError> {
    // Undoing changes the plan: the athlete, or a coach who may edit it.
    let (athlete, _) = access::require_plan(db, actor, plan_id, Need::Edit).await?;
    let found = if adjustment.starts_with("edit-") {
        crate::plans::edits::set_undone(db, actor, plan_id, adjustment, undone).await?
    } else {
        logs::set_undone(db, &athlete, plan_id, adjustment, undone).await?
    };
    if !found {
        return Err(LogError::NotFound);
    }
    super::readapt(db, &athlete).await?;
    Ok(())
}
