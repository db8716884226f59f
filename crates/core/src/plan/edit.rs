//! Hand edits to a plan — a coach's or the athlete's own: move a session to
//! another day, swap two, change one (kind included), remove one, add one.
//!
//! An [`Edit`] is a list of [`Op`]s addressed by session id, so it means the
//! same thing laid over any version of the plan: edits are stored and laid
//! over the original in order ([`apply_edits`]), adaptation then works over
//! the result. Undoing an edit is laying the others without it; an op whose
//! session is gone by then (removed by an earlier edit that is still active)
//! is passed over rather than failing the whole plan.
//!
//! [`check_ops`] is the strict form used when an edit is made: every op
//! must make sense against the plan as it stands, or the edit is refused
//! naming the op and the problem. [`introduced`] tells which guardrail
//! findings an edit adds, so a plan that already broke a rule does not
//! blame the editor for it.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::model::{Dose, Plan, Session, SessionKind, Step, StepKind};
use super::with_totals;
use crate::guardrails::Violation;

/// Longest run or session an edit may set (metres): beyond an ultra.
pub const MAX_DISTANCE_M: u32 = 100_000;
/// Longest session an edit may set: a day.
pub const MAX_DURATION_S: u32 = 86_400;
pub const MAX_TITLE_CHARS: usize = 120;
/// Steps in a session, nested steps counted.
pub const MAX_STEPS: usize = 60;
pub const MAX_REPEATS: u16 = 50;
pub const MAX_EXERCISES: usize = 20;

/// A session to add, in the plan's own terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub kind: SessionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exercises: Vec<Dose>,
}

/// One change to a plan. The JSON is the API's contract
/// (`{"op": "move", "session_id": …, "to_date": …}` and so on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    Move {
        session_id: String,
        to_date: Date,
    },
    Swap {
        session_id: String,
        with_session_id: String,
    },
    Set {
        session_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<SessionKind>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        distance_m: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        steps: Option<Vec<Step>>,
    },
    Remove {
        session_id: String,
    },
    Add {
        date: Date,
        session: NewSession,
        /// The new session's id, given when the edit is saved so the
        /// session keeps it every time the edit is laid over the plan.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
}

impl Op {
    /// The sessions this op changes (an added one once it has its id).
    pub fn session_ids(&self) -> Vec<&str> {
        match self {
            Op::Move { session_id, .. }
            | Op::Set { session_id, .. }
            | Op::Remove { session_id } => {
                vec![session_id]
            }
            Op::Swap {
                session_id,
                with_session_id,
            } => vec![session_id, with_session_id],
            Op::Add { id, .. } => id.as_deref().into_iter().collect(),
        }
    }
}

/// A saved edit as it is laid over the plan: its ops and the words that
/// prefix the `why` of every session it changed ("Changed by Sam: …").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    pub ops: Vec<Op>,
    pub why: String,
}

/// Why an op cannot be made, with the position of the op in the edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpError {
    /// `ops[i]` or `ops[i].field`.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Where a session sits: week, day and position.
type Spot = (usize, usize, usize);

fn find(plan: &Plan, id: &str) -> Option<Spot> {
    for (w, week) in plan.weeks.iter().enumerate() {
        for (d, day) in week.days.iter().enumerate() {
            if let Some(p) = day
                .sessions
                .iter()
                .position(|s| s.id.as_deref() == Some(id))
            {
                return Some((w, d, p));
            }
        }
    }
    None
}

fn day_of(plan: &Plan, date: Date) -> Option<(usize, usize)> {
    plan.weeks.iter().enumerate().find_map(|(w, week)| {
        week.days
            .iter()
            .position(|d| d.date == date)
            .map(|d| (w, d))
    })
}

fn session_at(plan: &Plan, (w, d, p): Spot) -> &Session {
    &plan.weeks[w].days[d].sessions[p]
}

/// Applies the ops in order, each checked against the plan as the ones
/// before it left it. The first op that cannot be made refuses the edit.
pub fn check_ops(plan: &Plan, ops: &[Op], why: &str) -> Result<Plan, OpError> {
    check_ops_from(plan, ops, why, None)
}

/// [`check_ops`], refusing too a move or swap that puts a session still to
/// come on a day before `today` (the athlete's own date): the past is
/// logged, not planned.
pub fn check_ops_from(
    plan: &Plan,
    ops: &[Op],
    why: &str,
    today: Option<Date>,
) -> Result<Plan, OpError> {
    let mut out = plan.clone();
    for (i, op) in ops.iter().enumerate() {
        let at = |field: &str| {
            if field.is_empty() {
                format!("ops[{i}]")
            } else {
                format!("ops[{i}].{field}")
            }
        };
        if let Some(today) = today
            && let Some((field, message)) = into_the_past(&out, op, today)
        {
            return Err(OpError {
                field: at(field),
                message,
            });
        }
        apply_op(&mut out, op, why).map_err(|(field, message)| OpError {
            field: at(field),
            message,
        })?;
    }
    reword_neighbours(plan, &mut out);
    Ok(out)
}

/// The field and the reason when `op` would put a session before `today`.
fn into_the_past(plan: &Plan, op: &Op, today: Date) -> Option<Refusal> {
    let past = |date: Date| {
        (
            "",
            format!(
                "{} is in the past (today is {}): a session moves to today or a later day",
                day_words(date),
                day_words(today)
            ),
        )
    };
    let date_of = |id: &str| find(plan, id).map(|(w, d, _)| plan.weeks[w].days[d].date);
    match op {
        // A session already past may move to another past day (it was run
        // on another day than planned); one still to come may not.
        Op::Move {
            session_id,
            to_date,
        } if *to_date < today && date_of(session_id).is_some_and(|d| d >= today) => {
            let (_, message) = past(*to_date);
            Some(("to_date", message))
        }
        Op::Swap {
            session_id,
            with_session_id,
        } => {
            let (a, b) = (date_of(session_id)?, date_of(with_session_id)?);
            if a == b {
                return None;
            }
            // Each session takes the other's day.
            if b < today && a >= today {
                Some(("with_session_id", past(b).1))
            } else if a < today && b >= today {
                Some(("session_id", past(a).1))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn day_words(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

/// Lays saved edits over `plan` in order. An op that no longer fits (its
/// session removed by an earlier edit, say) is passed over.
pub fn apply_edits(plan: &Plan, edits: &[Edit]) -> Plan {
    let mut out = plan.clone();
    for edit in edits {
        let before = out.clone();
        for op in &edit.ops {
            // A failed op leaves the plan as it was (apply_op checks first).
            let _ = apply_op(&mut out, op, &edit.why);
        }
        reword_neighbours(&before, &mut out);
    }
    out
}

/// The part of a strength session's why that names the next day (see
/// `plan::why::strength`), between these two.
const NEXT_DAY_OPEN: &str = "; tomorrow is ";
const NEXT_DAY_CLOSE: &str = ", not a hard run, so the legs get a day to recover first";
/// The part that names the session's own day ends here.
const OWN_DAY_CLOSE: &str = ", never on the long-run day";

/// The runs of each day, by date.
fn runs_by_day(plan: &Plan) -> HashMap<Date, Vec<&Session>> {
    plan.weeks
        .iter()
        .flat_map(|w| &w.days)
        .map(|d| {
            let runs = d.sessions.iter().filter(|s| s.kind.is_run()).collect();
            (d.date, runs)
        })
        .collect()
}

/// A strength session's why names its own day's run and the next day's:
/// after an edit changed either day, those words are written again from
/// the plan as edited (or the claim about the next day dropped when that
/// day now holds a hard run), so a why never names a run that has moved.
fn reword_neighbours(before: &Plan, after: &mut Plan) {
    let kinds = |runs: Option<&Vec<&Session>>| -> Vec<SessionKind> {
        runs.map(|r| r.iter().map(|s| s.kind).collect())
            .unwrap_or_default()
    };
    let (was, now) = (runs_by_day(before), runs_by_day(after));
    let mut words: Vec<(Date, Option<String>, Option<Option<String>>)> = Vec::new();
    for d in after.weeks.iter().flat_map(|w| &w.days) {
        if !d.sessions.iter().any(|s| s.kind == SessionKind::Strength) {
            continue;
        }
        let next = d.date.tomorrow().ok();
        let own = (kinds(was.get(&d.date)) != kinds(now.get(&d.date))).then(|| {
            match now.get(&d.date).and_then(|r| r.first()) {
                Some(run) => format!("after your {} run", run.kind.label().to_lowercase()),
                None => "on a day without running".to_owned(),
            }
        });
        let next_runs = next.and_then(|n| now.get(&n));
        let next_words = next
            .filter(|n| kinds(was.get(n)) != kinds(now.get(n)))
            .map(|_| {
                let first = next_runs.and_then(|r| r.first());
                match first {
                    None => Some("a rest day".to_owned()),
                    Some(s) if s.is_hard() => None,
                    Some(s) if s.kind == SessionKind::Long => Some("the long run".to_owned()),
                    Some(_) => Some("an easy run".to_owned()),
                }
            });
        if own.is_some() || next_words.is_some() {
            words.push((d.date, own, next_words));
        }
    }
    for (date, own, next) in words {
        let Some(day) = after
            .weeks
            .iter_mut()
            .flat_map(|w| &mut w.days)
            .find(|d| d.date == date)
        else {
            continue;
        };
        for s in day
            .sessions
            .iter_mut()
            .filter(|s| s.kind == SessionKind::Strength)
        {
            if let Some(next) = &next
                && let Some(open) = s.why.find(NEXT_DAY_OPEN)
                && let Some(len) = s.why[open..].find(NEXT_DAY_CLOSE)
            {
                let end = open + len + NEXT_DAY_CLOSE.len();
                let new = next
                    .as_ref()
                    .map(|n| format!("{NEXT_DAY_OPEN}{n}{NEXT_DAY_CLOSE}"))
                    .unwrap_or_default();
                s.why.replace_range(open..end, &new);
            }
            if let Some(own) = &own
                && let Some(close) = s.why.find(OWN_DAY_CLOSE)
                && let Some(open) = s.why[..close].rfind("; ")
                && !s.why[open..close].contains("back-to-back")
            {
                s.why.replace_range(open + 2..close, own);
            }
        }
    }
}

type Refusal = (&'static str, String);

fn refuse<T>(field: &'static str, message: impl Into<String>) -> Result<T, Refusal> {
    Err((field, message.into()))
}

fn locate(plan: &Plan, field: &'static str, id: &str) -> Result<Spot, Refusal> {
    let spot = find(plan, id).ok_or((field, format!("no session '{id}' in this plan")))?;
    if session_at(plan, spot).kind == SessionKind::Race {
        return refuse(field, "the race stays on race day and as it is");
    }
    Ok(spot)
}

fn locate_day(plan: &Plan, field: &'static str, date: Date) -> Result<(usize, usize), Refusal> {
    day_of(plan, date).ok_or_else(|| {
        let first = plan
            .weeks
            .first()
            .and_then(|w| w.days.first())
            .map(|d| d.date);
        let last = plan
            .weeks
            .last()
            .and_then(|w| w.days.last())
            .map(|d| d.date);
        match (first, last) {
            (Some(a), Some(b)) => (field, format!("{date} is outside the plan ({a} to {b})")),
            _ => (field, "the plan has no days".to_owned()),
        }
    })
}

/// Checks one op against `plan` and applies it; on refusal `plan` is
/// unchanged.
fn apply_op(plan: &mut Plan, op: &Op, why: &str) -> Result<(), Refusal> {
    match op {
        Op::Move {
            session_id,
            to_date,
        } => {
            let from = locate(plan, "session_id", session_id)?;
            let to = locate_day(plan, "to_date", *to_date)?;
            if (from.0, from.1) == to {
                return Ok(());
            }
            let mut s = plan.weeks[from.0].days[from.1].sessions.remove(from.2);
            note(&mut s, why);
            plan.weeks[to.0].days[to.1].sessions.push(s);
            retotal(plan, &[from.0, to.0]);
        }
        Op::Swap {
            session_id,
            with_session_id,
        } => {
            let a = locate(plan, "session_id", session_id)?;
            let b = locate(plan, "with_session_id", with_session_id)?;
            if a == b {
                return refuse("with_session_id", "a session cannot swap with itself");
            }
            let mut sa = session_at(plan, a).clone();
            let mut sb = session_at(plan, b).clone();
            if (a.0, a.1) != (b.0, b.1) {
                note(&mut sa, why);
                note(&mut sb, why);
            }
            plan.weeks[a.0].days[a.1].sessions[a.2] = sb;
            plan.weeks[b.0].days[b.1].sessions[b.2] = sa;
            retotal(plan, &[a.0, b.0]);
        }
        Op::Set {
            session_id,
            kind,
            distance_m,
            duration_s,
            title,
            steps,
        } => {
            let at = locate(plan, "session_id", session_id)?;
            if *kind == Some(SessionKind::Race) {
                return refuse("kind", "a session cannot become the race");
            }
            check_distance(*distance_m)?;
            check_duration(*duration_s)?;
            if let Some(t) = title {
                check_title(t)?;
            }
            if let Some(steps) = steps {
                check_steps(steps)?;
            }
            let s = &mut plan.weeks[at.0].days[at.1].sessions[at.2];
            let before = s.clone();
            if let Some(k) = *kind
                && k != s.kind
            {
                change_kind(s, k);
            }
            if let Some(m) = distance_m {
                s.distance_m = Some(*m);
            }
            if let Some(d) = duration_s {
                set_duration(s, *d);
            }
            if let Some(t) = title {
                s.title = t.trim().to_owned();
            }
            if let Some(steps) = steps {
                s.steps = steps.clone();
            }
            if *s != before {
                note(s, why);
            }
            retotal(plan, &[at.0]);
        }
        Op::Remove { session_id } => {
            let at = locate(plan, "session_id", session_id)?;
            plan.weeks[at.0].days[at.1].sessions.remove(at.2);
            retotal(plan, &[at.0]);
        }
        Op::Add { date, session, id } => {
            let day = locate_day(plan, "date", *date)?;
            let s = new_session(session, id.clone(), why)?;
            plan.weeks[day.0].days[day.1].sessions.push(s);
            retotal(plan, &[day.0]);
        }
    }
    Ok(())
}

fn check_distance(m: Option<u32>) -> Result<(), Refusal> {
    match m {
        Some(0) => refuse("distance_m", "a distance must be more than 0 m"),
        Some(m) if m > MAX_DISTANCE_M => refuse(
            "distance_m",
            format!("{m} m is longer than any session runcoach plans (100 km)"),
        ),
        _ => Ok(()),
    }
}

fn check_duration(s: Option<u32>) -> Result<(), Refusal> {
    match s {
        Some(0) => refuse("duration_s", "a duration must be more than 0 s"),
        Some(s) if s > MAX_DURATION_S => refuse("duration_s", "a session lasts at most a day"),
        _ => Ok(()),
    }
}

fn check_title(t: &str) -> Result<(), Refusal> {
    if t.trim().is_empty() {
        return refuse("title", "a title cannot be blank");
    }
    if t.chars().count() > MAX_TITLE_CHARS {
        return refuse(
            "title",
            format!("a title has at most {MAX_TITLE_CHARS} characters"),
        );
    }
    Ok(())
}

fn check_steps(steps: &[Step]) -> Result<(), Refusal> {
    fn count(steps: &[Step], depth: u8) -> Result<usize, Refusal> {
        let mut n = 0;
        for s in steps {
            n += 1;
            check_distance(s.distance_m).map_err(|(_, m)| ("steps", m))?;
            check_duration(s.duration_s).map_err(|(_, m)| ("steps", m))?;
            if s.kind == StepKind::Repeat {
                if depth > 0 {
                    return refuse("steps", "a repeat cannot hold another repeat");
                }
                if s.steps.is_empty() || s.times.is_none_or(|t| t == 0 || t > MAX_REPEATS) {
                    return refuse(
                        "steps",
                        format!("a repeat needs 1–{MAX_REPEATS} times and the steps it repeats"),
                    );
                }
                n += count(&s.steps, depth + 1)?;
            } else if !s.steps.is_empty() {
                return refuse("steps", "only a repeat step holds other steps");
            }
        }
        Ok(n)
    }
    if count(steps, 0)? > MAX_STEPS {
        return refuse("steps", format!("a session has at most {MAX_STEPS} steps"));
    }
    Ok(())
}

/// A run turned into cross-training keeps its time, loses what only a run
/// has (pace, steps, distance); a session of another kind drops structure
/// that belonged to the old kind.
fn change_kind(s: &mut Session, kind: SessionKind) {
    let minutes = s
        .duration_s
        .map(|d| d.div_ceil(60))
        .or(s.minutes)
        .filter(|m| *m > 0);
    if !kind.is_run() {
        s.distance_m = None;
        s.pace_s_per_km = None;
        s.rpe = None;
        s.steps.clear();
        s.minutes = minutes;
        s.duration_s = minutes.map(|m| m * 60);
    } else if !kind.is_quality() {
        s.steps.clear();
    }
    if !matches!(kind, SessionKind::Strength | SessionKind::Mobility) {
        s.exercises.clear();
        s.activation.clear();
    }
    if s.title.is_empty() || s.title == s.kind.label() || !kind.is_run() || !s.kind.is_run() {
        s.title = kind.label().to_owned();
    }
    s.kind = kind;
}

fn set_duration(s: &mut Session, d: u32) {
    s.duration_s = Some(d);
    s.minutes = Some(d.div_ceil(60));
}

fn new_session(n: &NewSession, id: Option<String>, why: &str) -> Result<Session, Refusal> {
    if n.kind == SessionKind::Race {
        return refuse("session.kind", "a plan has one race, on race day");
    }
    check_distance(n.distance_m).map_err(|(_, m)| ("session.distance_m", m))?;
    check_duration(n.duration_s).map_err(|(_, m)| ("session.duration_s", m))?;
    if let Some(t) = &n.title {
        check_title(t).map_err(|(_, m)| ("session.title", m))?;
    }
    check_steps(&n.steps).map_err(|(_, m)| ("session.steps", m))?;
    let strength = matches!(n.kind, SessionKind::Strength | SessionKind::Mobility);
    if !n.exercises.is_empty() && !strength {
        return refuse(
            "session.exercises",
            "only strength and mobility sessions have exercises",
        );
    }
    if n.exercises.len() > MAX_EXERCISES {
        return refuse(
            "session.exercises",
            format!("at most {MAX_EXERCISES} exercises"),
        );
    }
    let mut exercises = Vec::with_capacity(n.exercises.len());
    for d in &n.exercises {
        let Some(e) = crate::exercises::find(&d.id) else {
            return refuse(
                "session.exercises",
                format!("no exercise '{}' in the library", d.id),
            );
        };
        if d.sets == 0 || d.sets > 10 || d.reps.is_some_and(|r| r == 0 || r > 100) {
            return refuse(
                "session.exercises",
                format!("{}: 1–10 sets of 1–100 reps", e.name),
            );
        }
        exercises.push(Dose {
            name: Some(e.name.clone()),
            family: Some(e.family),
            ..d.clone()
        });
    }
    if n.kind.is_run() && n.distance_m.is_none() && n.duration_s.is_none() {
        return refuse("session", "a run needs a distance_m or a duration_s");
    }
    let mut s = Session {
        id,
        kind: n.kind,
        title: n
            .title
            .as_deref()
            .map(str::trim)
            .unwrap_or(n.kind.label())
            .to_owned(),
        distance_m: n.distance_m,
        duration_s: None,
        minutes: None,
        pace_s_per_km: None,
        rpe: None,
        steps: n.steps.clone(),
        exercises,
        activation: Vec::new(),
        why: String::new(),
    };
    if let Some(d) = n.duration_s {
        set_duration(&mut s, d);
    }
    note(&mut s, why);
    Ok(s)
}

fn note(s: &mut Session, why: &str) {
    let why = why.trim();
    if why.is_empty() || s.why.starts_with(why) {
        return;
    }
    s.why = if s.why.is_empty() {
        why.to_owned()
    } else {
        format!("{why} {}", s.why)
    };
}

fn retotal(plan: &mut Plan, weeks: &[usize]) {
    for &w in weeks {
        let week = std::mem::replace(
            &mut plan.weeks[w],
            super::Week {
                index: 0,
                start: Date::MIN,
                phase: super::Phase::Base,
                recovery: false,
                run_km: 0.0,
                training_km: 0.0,
                race_km: 0.0,
                run_minutes: 0,
                focus: String::new(),
                days: Vec::new(),
            },
        );
        plan.weeks[w] = with_totals(week);
    }
}

/// The findings in `after` that `before` did not have: counted per rule,
/// week and date, so a rule broken twice where it was broken once counts
/// once more, and a finding whose wording changed (its numbers) does not.
pub fn introduced(before: &[Violation], after: &[Violation]) -> Vec<Violation> {
    let mut seen: HashMap<(&str, u32, Option<Date>), usize> = HashMap::new();
    for v in before {
        *seen.entry((v.rule, v.week, v.date)).or_default() += 1;
    }
    after
        .iter()
        .filter(|v| {
            let n = seen.entry((v.rule, v.week, v.date)).or_default();
            if *n > 0 {
                *n -= 1;
                false
            } else {
                true
            }
        })
        .cloned()
        .collect()
}

/// The findings an edit adds, as its editor reads them: [`introduced`],
/// less what the edit itself explains, plus what only an edit can do.
/// `before` and `after` are the plan as it stands before and after the
/// ops. Explained by the edit: a run day it emptied (the moved session
/// carries the edit's why) and the long run on another day than the
/// runner's long-run day where the edit put it (the editor chose the day;
/// the rule places generated long runs). Added: two runs on one day the
/// edit filled (one run a day, two hard sessions never).
pub fn edit_findings(before: &Plan, after: &Plan, ops: &[Op]) -> Vec<Violation> {
    let date_in = |p: &Plan, id: &str| find(p, id).map(|(w, d, _)| p.weeks[w].days[d].date);
    let mut emptied: Vec<Date> = Vec::new();
    let mut filled: Vec<Date> = Vec::new();
    let mut moved: Vec<&str> = Vec::new();
    for op in ops {
        match op {
            Op::Move {
                session_id,
                to_date,
            } => {
                emptied.extend(date_in(before, session_id));
                filled.push(*to_date);
                moved.push(session_id);
            }
            Op::Swap {
                session_id,
                with_session_id,
            } => {
                for id in [session_id, with_session_id] {
                    emptied.extend(date_in(before, id));
                    filled.extend(date_in(after, id));
                    moved.push(id);
                }
            }
            Op::Remove { session_id } => emptied.extend(date_in(before, session_id)),
            Op::Add { date, .. } => filled.push(*date),
            Op::Set { .. } => {}
        }
    }
    let moved_long: Vec<Date> = moved
        .iter()
        .filter_map(|id| find(after, id))
        .filter(|&spot| session_at(after, spot).kind == SessionKind::Long)
        .map(|(w, d, _)| after.weeks[w].days[d].date)
        .collect();
    let mut out: Vec<Violation> = introduced(
        &crate::guardrails::check(before),
        &crate::guardrails::check(after),
    )
    .into_iter()
    .filter(|v| {
        let on = |dates: &[Date]| v.date.is_some_and(|d| dates.contains(&d));
        let empty_day = v.rule == "run_days" && on(&emptied);
        let chosen_long_day =
            v.rule == "long_run" && v.message.contains("long-run day") && on(&moved_long);
        !(empty_day || chosen_long_day)
    })
    .collect();
    filled.sort();
    filled.dedup();
    let (was, now) = (runs_by_day(before), runs_by_day(after));
    let units = after.units();
    for date in filled {
        let runs: Vec<&&Session> = now
            .get(&date)
            .map(|r| r.iter().filter(|s| s.kind != SessionKind::Race).collect())
            .unwrap_or_default();
        let had = was.get(&date).map_or(0, Vec::len);
        if runs.len() < 2 || runs.len() <= had {
            continue;
        }
        let Some(week) = after
            .weeks
            .iter()
            .find(|w| w.days.iter().any(|d| d.date == date))
        else {
            continue;
        };
        let names: Vec<String> = runs.iter().map(|s| run_name(s, units)).collect();
        let hard = runs.iter().filter(|s| s.is_hard()).count();
        let (rule, message) = if hard >= 2 {
            (
                "hard_days",
                format!(
                    "{} on one day: two hard sessions in a day; keep them days apart",
                    names.join(" and ")
                ),
            )
        } else {
            (
                "one_run_a_day",
                format!(
                    "{} on one day: two runs in a day; the plan runs once a day",
                    names.join(" and ")
                ),
            )
        };
        out.push(Violation {
            rule,
            week: week.index,
            date: Some(date),
            message,
        });
    }
    out
}

/// "Easy 3.4 km", "Intervals 5 × 1 km (5.0 km)".
fn run_name(s: &Session, units: crate::units::Units) -> String {
    let km = units.distance(s.km());
    if s.kind.is_quality() && !s.title.is_empty() && !s.title.contains(&km) {
        format!("{} ({km})", s.title)
    } else {
        format!("{} {km}", s.kind.label())
    }
}

/// Ids of sessions whose content or day differs between two versions of a
/// plan, added and removed ones included: the calendar events to re-send.
pub fn changed_sessions(before: &Plan, after: &Plan) -> Vec<String> {
    fn by_id(p: &Plan) -> HashMap<&str, (Date, &Session)> {
        p.weeks
            .iter()
            .flat_map(|w| &w.days)
            .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
            .filter_map(|(date, s)| s.id.as_deref().map(|id| (id, (date, s))))
            .collect()
    }
    let (a, b) = (by_id(before), by_id(after));
    let mut out: Vec<String> = b
        .iter()
        .filter(|(id, s)| a.get(*id) != Some(*s))
        .map(|(id, _)| (*id).to_owned())
        .chain(
            a.keys()
                .filter(|id| !b.contains_key(*id))
                .map(|id| (*id).to_owned()),
        )
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanInput, build_plan};

    fn plan() -> Plan {
        let input = PlanInput {
            race: "half".into(),
            race_date: "2027-06-06".into(),
            weeks: Some(12),
            run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "experienced".into(),
            weekly_km: 35.0,
            strength_days: 2,
            today: Some("2027-02-01".into()),
            ..PlanInput::default()
        };
        let mut p = build_plan(&input.validate().expect("valid"));
        let mut n = 0;
        for w in &mut p.weeks {
            for d in &mut w.days {
                for s in &mut d.sessions {
                    n += 1;
                    s.id = Some(format!("s{n}"));
                }
            }
        }
        p
    }

    fn first(p: &Plan, kind: SessionKind) -> (Date, String) {
        p.weeks
            .iter()
            .flat_map(|w| &w.days)
            .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
            .find(|(_, s)| s.kind == kind)
            .map(|(d, s)| (d, s.id.clone().unwrap()))
            .expect("a session of that kind")
    }

    fn date_of(p: &Plan, id: &str) -> Date {
        let (w, d, _) = find(p, id).unwrap();
        p.weeks[w].days[d].date
    }

    #[test]
    fn a_move_keeps_the_id_and_changes_the_day_and_totals() {
        let p = plan();
        let (date, id) = first(&p, SessionKind::Long);
        let to = date.yesterday().unwrap();
        let out = check_ops(
            &p,
            &[Op::Move {
                session_id: id.clone(),
                to_date: to,
            }],
            "Moved by Sam.",
        )
        .unwrap();
        assert_eq!(date_of(&out, &id), to);
        let (w, d, p2) = find(&out, &id).unwrap();
        assert!(
            out.weeks[w].days[d].sessions[p2]
                .why
                .starts_with("Moved by Sam.")
        );
        assert_eq!(changed_sessions(&p, &out), vec![id]);
    }

    #[test]
    fn moving_the_long_run_after_intervals_is_a_new_hard_days_finding() {
        let p = plan();
        let (date, int_id) = first(&p, SessionKind::Intervals);
        let week = p
            .weeks
            .iter()
            .find(|w| w.days.iter().any(|d| d.date == date))
            .unwrap();
        let long = week
            .sessions()
            .find(|(_, s)| s.kind == SessionKind::Long)
            .map(|(_, s)| s.id.clone().unwrap())
            .unwrap();
        let out = check_ops(
            &p,
            &[Op::Move {
                session_id: long,
                to_date: date.tomorrow().unwrap(),
            }],
            "",
        )
        .unwrap();
        let new = introduced(
            &crate::guardrails::check(&p),
            &crate::guardrails::check(&out),
        );
        assert!(
            new.iter()
                .any(|v| v.rule == "hard_days" && v.date == Some(date)),
            "{new:?} ({int_id})"
        );
    }

    #[test]
    fn a_run_set_to_cross_training_keeps_its_id_and_time() {
        let p = plan();
        let (_, id) = first(&p, SessionKind::Easy);
        let before = session_at(&p, find(&p, &id).unwrap()).clone();
        let out = check_ops(
            &p,
            &[Op::Set {
                session_id: id.clone(),
                kind: Some(SessionKind::CrossTraining),
                distance_m: None,
                duration_s: None,
                title: None,
                steps: None,
            }],
            "",
        )
        .unwrap();
        let s = session_at(&out, find(&out, &id).unwrap());
        assert_eq!(s.kind, SessionKind::CrossTraining);
        assert_eq!(s.distance_m, None);
        assert_eq!(s.minutes, before.duration_s.map(|d| d.div_ceil(60)));
        assert!(s.pace_s_per_km.is_none() && s.steps.is_empty());
    }

    #[test]
    fn bad_ops_name_the_op_and_field() {
        let p = plan();
        let (_, id) = first(&p, SessionKind::Easy);
        let (race_day, race) = first(&p, SessionKind::Race);
        let err = |ops: Vec<Op>| check_ops(&p, &ops, "").unwrap_err();
        let e = err(vec![Op::Remove {
            session_id: "nope".into(),
        }]);
        assert_eq!(e.field, "ops[0].session_id");
        assert!(e.message.contains("no session 'nope'"));
        let e = err(vec![
            Op::Remove {
                session_id: id.clone(),
            },
            Op::Move {
                session_id: race,
                to_date: race_day.yesterday().unwrap(),
            },
        ]);
        assert_eq!(e.field, "ops[1].session_id");
        let e = err(vec![Op::Move {
            session_id: id.clone(),
            to_date: race_day.checked_add(jiff::ToSpan::days(30)).unwrap(),
        }]);
        assert_eq!(e.field, "ops[0].to_date");
        assert!(e.message.contains("outside the plan"), "{e}");
        let e = err(vec![Op::Set {
            session_id: id,
            kind: None,
            distance_m: Some(0),
            duration_s: None,
            title: None,
            steps: None,
        }]);
        assert_eq!(e.field, "ops[0].distance_m");
    }

    #[test]
    fn an_added_strength_session_names_its_movements() {
        let p = plan();
        let (date, _) = first(&p, SessionKind::Easy);
        let ex = crate::exercises::library()[0].id.clone();
        let out = check_ops(
            &p,
            &[Op::Add {
                date,
                id: Some("new1".into()),
                session: NewSession {
                    kind: SessionKind::Strength,
                    distance_m: None,
                    duration_s: Some(1200),
                    title: None,
                    steps: Vec::new(),
                    exercises: vec![Dose {
                        id: ex,
                        name: None,
                        family: None,
                        sets: 2,
                        reps: Some(12),
                        hold_s: None,
                        per_side: true,
                    }],
                },
            }],
            "",
        )
        .unwrap();
        let s = session_at(&out, find(&out, "new1").unwrap());
        assert!(s.exercises[0].name.is_some());
        assert_eq!(s.minutes, Some(20));
    }

    /// The first session of `kind` in `week` (1-based) and its date.
    fn in_week(p: &Plan, week: u32, kind: SessionKind) -> (Date, String) {
        p.weeks[week as usize - 1]
            .sessions()
            .find(|(_, s)| s.kind == kind)
            .map(|(d, s)| (d.date, s.id.clone().unwrap()))
            .expect("a session of that kind")
    }

    fn moved(p: &Plan, id: &str, to: Date) -> (Plan, Vec<Op>) {
        let ops = vec![Op::Move {
            session_id: id.to_owned(),
            to_date: to,
        }];
        (check_ops(p, &ops, "Changed by Sam.").unwrap(), ops)
    }

    #[test]
    fn an_easy_run_moved_a_day_leaves_no_finding_for_its_empty_day() {
        let p = plan();
        // Thursday's easy run to Friday, a day without a run.
        let (tue, id) = in_week(&p, 3, SessionKind::Easy);
        assert_eq!(tue.weekday(), jiff::civil::Weekday::Thursday);
        let (out, ops) = moved(&p, &id, tue.tomorrow().unwrap());
        // The checker alone sees a run day without a run and without a why.
        let raw = introduced(
            &crate::guardrails::check(&p),
            &crate::guardrails::check(&out),
        );
        assert!(
            raw.iter()
                .any(|v| v.rule == "run_days" && v.date == Some(tue)),
            "{raw:?}"
        );
        // The edit explains the empty day: no finding.
        assert_eq!(edit_findings(&p, &out, &ops), []);
    }

    #[test]
    fn the_long_run_moved_off_its_day_by_hand_is_no_finding() {
        let p = plan();
        let (sun, id) = in_week(&p, 3, SessionKind::Long);
        let sat = sun.yesterday().unwrap();
        let (out, ops) = moved(&p, &id, sat);
        let raw = crate::guardrails::check(&out);
        assert!(raw.iter().any(|v| v.rule == "long_run"
            && v.date == Some(sat)
            && v.message.contains("long-run day")));
        let found = edit_findings(&p, &out, &ops);
        assert!(
            !found.iter().any(|v| v.message.contains("long-run day")),
            "{found:?}"
        );
    }

    #[test]
    fn two_runs_on_one_day_are_flagged() {
        let p = plan();
        let w = &p.weeks[4];
        let quality: Vec<(Date, String)> = w
            .sessions()
            .filter(|(_, s)| s.kind.is_quality())
            .map(|(d, s)| (d.date, s.id.clone().unwrap()))
            .collect();
        let (easy_day, easy) = in_week(&p, 5, SessionKind::Easy);
        let (q_day, _) = quality[0].clone();
        assert_ne!(easy_day, q_day);
        let (out, ops) = moved(&p, &easy, q_day);
        let found = edit_findings(&p, &out, &ops);
        let two: Vec<&Violation> = found.iter().filter(|v| v.rule == "one_run_a_day").collect();
        assert_eq!(two.len(), 1, "{found:?}");
        assert_eq!(two[0].date, Some(q_day));
        assert!(
            two[0].message.contains(" and Easy ")
                && two[0]
                    .message
                    .ends_with("on one day: two runs in a day; the plan runs once a day"),
            "{}",
            two[0].message
        );
        // Two quality sessions on one day: the hard-days rule.
        assert!(quality.len() >= 2, "{quality:?}");
        let (out, ops) = moved(&p, &quality[1].1, q_day);
        let found = edit_findings(&p, &out, &ops);
        assert!(
            found.iter().any(|v| v.rule == "hard_days"
                && v.date == Some(q_day)
                && v.message.contains("two hard sessions in a day")),
            "{found:?}"
        );
    }

    #[test]
    fn a_session_never_moves_into_the_past() {
        let p = plan();
        let (thu, id) = in_week(&p, 3, SessionKind::Easy);
        // Thursday's run is today's: still to come, it cannot go back a day.
        let today = thu;
        let ops = [Op::Move {
            session_id: id.clone(),
            to_date: thu.yesterday().unwrap(),
        }];
        let e = check_ops_from(&p, &ops, "", Some(today)).unwrap_err();
        assert_eq!(e.field, "ops[0].to_date");
        assert!(e.message.contains("is in the past"), "{e}");
        // Today and later are fine; without a today nothing is refused.
        assert!(check_ops_from(&p, &ops, "", None).is_ok());
        let ops = [Op::Move {
            session_id: id.clone(),
            to_date: today.tomorrow().unwrap(),
        }];
        assert!(check_ops_from(&p, &ops, "", Some(today)).is_ok());
        // A run already past may move to another past day (it was run then).
        let later = thu.checked_add(jiff::ToSpan::days(3)).unwrap();
        let ops = [Op::Move {
            session_id: id.clone(),
            to_date: thu.yesterday().unwrap(),
        }];
        assert!(check_ops_from(&p, &ops, "", Some(later)).is_ok());
        // A swap with a session in the past moves the other one there.
        let (sun, long) = in_week(&p, 3, SessionKind::Long);
        let ops = [Op::Swap {
            session_id: long,
            with_session_id: id,
        }];
        let friday = thu.tomorrow().unwrap();
        assert!(sun > friday);
        let e = check_ops_from(&p, &ops, "", Some(friday)).unwrap_err();
        assert_eq!(e.field, "ops[0].with_session_id");
    }

    #[test]
    fn a_strength_why_never_names_a_run_that_moved() {
        let p = plan();
        let (day, s) = p
            .weeks
            .iter()
            .flat_map(|w| w.sessions())
            .find(|(_, s)| s.why.contains("; tomorrow is an easy run"))
            .map(|(d, s)| (d.date, s.clone()))
            .expect("a heavy session before an easy run");
        let next = day.tomorrow().unwrap();
        let run = p
            .weeks
            .iter()
            .flat_map(|w| w.sessions())
            .find(|(d, s)| d.date == next && s.kind.is_run())
            .map(|(_, s)| s.id.clone().unwrap())
            .unwrap();
        // The run goes to the day before the strength session instead.
        let (out, _) = moved(&p, &run, day.yesterday().unwrap());
        let why = &session_at(&out, find(&out, s.id.as_deref().unwrap()).unwrap()).why;
        assert!(!why.contains("tomorrow is an easy run"), "{why}");
        assert!(
            why.contains("; tomorrow is a rest day, not a hard run"),
            "{why}"
        );
        // Laid over the plan as a saved edit, the same words.
        let edit = Edit {
            ops: vec![Op::Move {
                session_id: run,
                to_date: day.yesterday().unwrap(),
            }],
            why: "Changed by Sam.".into(),
        };
        assert_eq!(apply_edits(&p, &[edit]), out);
    }

    #[test]
    fn introduced_counts_per_rule_week_and_date() {
        let v = |rule, week, msg: &str| Violation {
            rule,
            week,
            date: None,
            message: msg.into(),
        };
        let before = vec![v("progression", 3, "112 %")];
        let after = vec![v("progression", 3, "115 %"), v("progression", 4, "111 %")];
        assert_eq!(introduced(&before, &after), vec![after[1].clone()]);
    }
}
