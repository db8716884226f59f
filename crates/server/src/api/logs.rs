//! The training log: what was done, how hard, what hurt. Every change
//! re-runs the adaptation rules and reports the adjustments it caused.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use jiff::civil::Date;
use runcoach_app::coaching::Need;
use runcoach_core::adapt::Adjustment;
use runcoach_core::dates;
use runcoach_core::exercises::find;
use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession, Pain, PainLocation};
use runcoach_core::plan::{FieldError, Session};
use runcoach_store::StoreError;
use runcoach_store::logs::{self, LogEntry};
use serde::{Deserialize, Serialize};

use super::json::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

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

/// The effort a planned session asks for, when the athlete gives none.
fn planned_rpe(s: &Session) -> u8 {
    match s.rpe {
        Some([a, b]) => (a + b).div_ceil(2),
        None if s.kind.is_quality() => 7,
        None => match s.kind {
            runcoach_core::plan::SessionKind::Race => 9,
            runcoach_core::plan::SessionKind::Long => 4,
            runcoach_core::plan::SessionKind::Strength => 4,
            runcoach_core::plan::SessionKind::Mobility => 2,
            _ => 3,
        },
    }
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
) -> Result<(LoggedSession, Vec<String>), ApiError> {
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
        None => planned.map(|(s, _)| planned_rpe(s)),
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
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let log = LoggedSession {
        date: date.expect("checked"),
        kind: kind.expect("checked"),
        status: input.status,
        duration_s,
        distance_m,
        rpe,
        pain,
        notes: input.notes.trim().to_owned(),
    };
    log.validate(today).map_err(ApiError::Invalid)?;
    Ok((log, input.exercises_done.clone()))
}

/// What a write answers: the entry and the adjustments it caused.
#[derive(Serialize)]
pub struct Logged {
    #[serde(flatten)]
    pub entry: LogEntry,
    pub adjustments: Vec<Adjustment>,
}

/// The `Idempotency-Key` header: the client's name for one logical
/// request, so a POST retried after a lost answer logs nothing twice.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=200).contains(&k.len()))
        .map(Some)
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "give 1–200 visible ASCII characters"))
}

/// What storing an entry came to: a new entry, or the one an earlier
/// request with the same Idempotency-Key made (nothing stored again).
pub enum Recorded {
    New(Logged),
    Replayed(LogEntry),
}

impl Recorded {
    /// 201 with the new entry and the adjustments it caused; a replay is
    /// 200 with the first entry and no adjustments (the first answer
    /// listed them).
    pub fn answer(self) -> (StatusCode, Logged) {
        match self {
            Recorded::New(logged) => (StatusCode::CREATED, logged),
            Recorded::Replayed(entry) => (
                StatusCode::OK,
                Logged {
                    entry,
                    adjustments: Vec::new(),
                },
            ),
        }
    }
}

/// Stores a new entry for `user` and re-adapts the plan.
pub async fn record(
    state: &AppState,
    user: &CurrentUser,
    input: &LogInput,
) -> Result<Logged, ApiError> {
    Ok(record_once(state, user, input, None).await?.answer().1)
}

/// [`record`], once per Idempotency-Key.
pub async fn record_once(
    state: &AppState,
    user: &CurrentUser,
    input: &LogInput,
    key: Option<&str>,
) -> Result<Recorded, ApiError> {
    let uid = &user.user.id;
    if let Some(key) = key
        && let Some(first) = logs::by_idempotency_key(&state.db, uid, key).await?
    {
        return Ok(Recorded::Replayed(first));
    }
    let planned = match &input.session_id {
        Some(id) => Some(
            runcoach_app::plans::session(&state.db, uid, id)
                .await?
                .ok_or(ApiError::NotFound)?,
        ),
        None => None,
    };
    let (log, done) = read_entry(
        input,
        planned.as_ref().map(|p| (&p.session, p.date)),
        runcoach_app::calendar::today_in(&user.user.time_zone),
    )?;
    let session_id = input.session_id.as_deref();
    let entry = match logs::insert(&state.db, uid, session_id, &log, &done, key).await {
        Ok(entry) => entry,
        // The same key raced in from a concurrent retry: that one stands.
        Err(StoreError::Conflict) => {
            let first = match key {
                Some(key) => logs::by_idempotency_key(&state.db, uid, key).await?,
                None => None,
            };
            return first
                .map(Recorded::Replayed)
                .ok_or_else(|| ApiError::internal("log insert conflicted without a key"));
        }
        Err(e) => return Err(e.into()),
    };
    let adjustments = runcoach_app::log::readapt(&state.db, uid).await?;
    Ok(Recorded::New(Logged { entry, adjustments }))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LogInput>,
) -> Result<(StatusCode, Json<Logged>), ApiError> {
    let key = idempotency_key(&headers)?;
    let (status, logged) = record_once(&state, &user, &input, key).await?.answer();
    Ok((status, Json(logged)))
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<LogEntry>, ApiError> {
    Ok(Json(
        logs::get(&state.db, &user.user.id, &id)
            .await?
            .ok_or(ApiError::NotFound)?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LogInput>,
) -> Result<Json<Logged>, ApiError> {
    let uid = &user.user.id;
    logs::get(&state.db, uid, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let planned = match &input.session_id {
        Some(sid) => Some(
            runcoach_app::plans::session(&state.db, uid, sid)
                .await?
                .ok_or(ApiError::NotFound)?,
        ),
        None => None,
    };
    let (log, done) = read_entry(
        &input,
        planned.as_ref().map(|p| (&p.session, p.date)),
        runcoach_app::calendar::today_in(&user.user.time_zone),
    )?;
    logs::update(
        &state.db,
        uid,
        &id,
        input.session_id.as_deref(),
        &log,
        &done,
    )
    .await?;
    let entry = logs::get(&state.db, uid, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let adjustments = runcoach_app::log::readapt(&state.db, uid).await?;
    Ok(Json(Logged { entry, adjustments }))
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !logs::delete(&state.db, &user.user.id, &id).await? {
        return Err(ApiError::NotFound);
    }
    runcoach_app::log::readapt(&state.db, &user.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Range {
    pub from: Option<String>,
    pub to: Option<String>,
    /// A coached athlete's log (the signed-in user's own without it).
    pub athlete_id: Option<String>,
}

pub fn date_param(
    name: &'static str,
    value: Option<&str>,
    default: Date,
) -> Result<Date, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => dates::parse(v).map_err(|m| ApiError::invalid(name, m)),
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(r): ApiQuery<Range>,
) -> Result<Json<Vec<LogEntry>>, ApiError> {
    let (athlete, _) =
        super::coaching::athlete(&state, &user, r.athlete_id.as_deref(), Need::Read).await?;
    let today = runcoach_app::calendar::today_in(&athlete.time_zone);
    let to = date_param("to", r.to.as_deref(), today)?;
    let from = date_param(
        "from",
        r.from.as_deref(),
        to.saturating_sub(jiff::Span::new().days(90)),
    )?;
    Ok(Json(logs::between(&state.db, &athlete.id, from, to).await?))
}

/// An adjustment as the athlete sees it.
#[derive(Serialize)]
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
    pub violations: Option<Vec<runcoach_app::plans::edits::Finding>>,
}

fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl From<runcoach_app::plans::edits::EditView> for AdjustmentView {
    fn from(e: runcoach_app::plans::edits::EditView) -> Self {
        let mut why = e.note.clone();
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

pub async fn adjustments_of(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
) -> Result<Vec<AdjustmentView>, ApiError> {
    let (athlete, _) = super::coaching::plan_athlete(state, user, plan_id, Need::Read).await?;
    let mut out: Vec<(i64, AdjustmentView)> = logs::adjustments(&state.db, &athlete.id, plan_id)
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
                    created_at: jiff::Timestamp::from_millisecond(s.created_at)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
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
    for e in runcoach_app::plans::edits::history(&state.db, plan_id).await? {
        out.push((e.created_at, e.into()));
    }
    out.sort_by_key(|(at, _)| *at);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}

pub async fn adjustments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<String>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    Ok(Json(adjustments_of(&state, &user, &plan_id).await?))
}

/// Undoes (or restores) an adjustment of the athlete's plan.
pub async fn set_undone(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
    adjustment: &str,
    undone: bool,
) -> Result<(), ApiError> {
    // Undoing changes the plan: the athlete, or a coach who may edit it.
    let (athlete, _) = super::coaching::plan_athlete(state, user, plan_id, Need::Edit).await?;
    let found = if adjustment.starts_with("edit-") {
        let actor = runcoach_app::Actor::of(&user.user);
        runcoach_app::plans::edits::set_undone(&state.db, &actor, plan_id, adjustment, undone)
            .await?
    } else {
        logs::set_undone(&state.db, &athlete.id, plan_id, adjustment, undone).await?
    };
    if !found {
        return Err(ApiError::NotFound);
    }
    runcoach_app::log::readapt(&state.db, &athlete.id).await?;
    Ok(())
}

pub async fn undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, adjustment)): Path<(String, String)>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    set_undone(&state, &user, &plan_id, &adjustment, true).await?;
    Ok(Json(adjustments_of(&state, &user, &plan_id).await?))
}

pub async fn redo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((plan_id, adjustment)): Path<(String, String)>,
) -> Result<Json<Vec<AdjustmentView>>, ApiError> {
    set_undone(&state, &user, &plan_id, &adjustment, false).await?;
    Ok(Json(adjustments_of(&state, &user, &plan_id).await?))
}
