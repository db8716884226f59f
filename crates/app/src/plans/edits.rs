//! Editing a plan by hand: the athlete's own edits and, once coaching
//! grants exist, a coach's (#15, #17). One use-case for both: the ops are
//! checked against the plan, the guardrail checker runs on the plan as it
//! would stand, and only findings the edit introduces count. A saved edit
//! is listed beside adaptation's adjustments and can be undone and redone.

use jiff::civil::Date;
use runcoach_core::adapt::apply;
use runcoach_core::guardrails::Violation;
use runcoach_core::plan::edit::{
    self, Edit, Op, OpError, apply_edits, check_ops_from, edit_findings,
};
use runcoach_core::plan::{Plan, Session};
use runcoach_store::{Db, StoreError, edits as stored, new_id, now_ms, plans, users};
use serde::{Deserialize, Serialize};

use crate::Actor;

/// A note longer than this is refused.
pub const MAX_NOTE_CHARS: usize = 500;
/// Ops in one edit.
pub const MAX_OPS: usize = 50;

/// Who edits a plan, as the plan's history shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub user_id: String,
    /// The athlete whose plan it is.
    pub owner_id: String,
    /// A coach editing an athlete's plan, or the athlete their own.
    pub coach: bool,
    pub name: String,
}

impl Editor {
    /// The rule an edit is listed under.
    pub fn rule(&self) -> &'static str {
        if self.coach {
            "coach_edit"
        } else {
            "athlete_edit"
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Not the actor's plan, and no grant to see it.
    #[error("not found")]
    NotFound,
    /// A coach who may see the plan but not change it.
    #[error("your access to this athlete lets you read their plan, not change it")]
    Forbidden,
    #[error("{0}")]
    Invalid(OpError),
    /// Rules the edit would break that the plan did not break before.
    #[error("the edit breaks training rules the plan kept; send accept_warnings to save it anyway")]
    Violations(Vec<Finding>),
    /// Another edit was saved since this one's plan was read.
    #[error("the plan changed while you edited it; look at it again and redo your edit")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A guardrail finding as the API shows it and an edit keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub week: u32,
    pub date: Option<Date>,
    pub message: String,
}

impl From<&Violation> for Finding {
    fn from(v: &Violation) -> Self {
        Finding {
            rule: v.rule.to_owned(),
            week: v.week,
            date: v.date,
            message: v.message.clone(),
        }
    }
}

/// What `POST /api/v1/plans/{id}/edits` takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    pub ops: Vec<Op>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub accept_warnings: bool,
}

/// The plan as it stands (or would stand, for a dry run), the findings the
/// edit introduced, and the saved edit's id.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub plan: Plan,
    pub violations: Vec<Finding>,
    pub adjustment_id: Option<String>,
    pub owner_id: String,
}

/// A saved edit's body: what is laid over the plan and what is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditBody {
    pub ops: Vec<Op>,
    /// Prefixes the `why` of every session the edit changed.
    pub why: String,
    /// One line for the plan's history ("Sam moved Long 16 km to Sat 14 Mar").
    pub summary: String,
    /// The same without the editor ("moved Long 16 km to Sat 14 Mar."), so
    /// the history can say "You" to the editor; absent in older edits.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// The week it changes first.
    pub week: u32,
    /// Findings the editor saw and saved anyway.
    #[serde(default)]
    pub violations: Vec<Finding>,
}

impl EditBody {
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("plan edit: {e}")))
    }

    pub fn edit(self) -> Edit {
        Edit {
            ops: self.ops,
            why: self.why,
        }
    }
}

/// Who may edit plan `plan_id` as `actor`: the athlete, or a coach with
/// an `edit` grant (wired to coaching::access at merge). A `view` or
/// `comment` coach gets [`EditError::Forbidden`]; anyone else
/// [`EditError::NotFound`], never a hint the plan exists.
pub async fn editor_for(db: &Db, actor: &Actor, plan_id: &str) -> Result<Editor, EditError> {
    use crate::coaching::access::{AccessError, Need, Relation, require_plan};
    let (owner_id, relation) = require_plan(db, actor, plan_id, Need::Edit)
        .await
        .map_err(|e| match e {
            AccessError::NotFound => EditError::NotFound,
            AccessError::Forbidden => EditError::Forbidden,
            AccessError::Store(e) => EditError::Store(e),
        })?;
    let name = users::by_id(db, &actor.user_id)
        .await?
        .map(|(u, _)| u.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "your coach".to_owned());
    Ok(Editor {
        user_id: actor.user_id.clone(),
        owner_id,
        coach: !matches!(relation, Relation::Owner),
        name,
    })
}

fn lay(base: &Plan, adjustments: &[runcoach_core::adapt::Adjustment]) -> Plan {
    if adjustments.is_empty() {
        base.clone()
    } else {
        apply(base, adjustments)
    }
}

fn findings(v: &[Violation]) -> Vec<Finding> {
    v.iter().map(Finding::from).collect()
}

/// Checks an edit and, unless it is a dry run or breaks a rule the editor
/// has not accepted, saves it: one transaction that takes the next place
/// in the plan's history (refused when a concurrent edit took it), gives
/// added sessions their rows and raises the SEQUENCE of every calendar
/// event the edit changed.
pub async fn edit_plan(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
    mut req: EditRequest,
) -> Result<EditOutcome, EditError> {
    let editor = editor_for(db, actor, plan_id).await?;
    let note = req.note.as_deref().map(str::trim).unwrap_or("").to_owned();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid(
            "note",
            format!("a note has at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    if req.ops.is_empty() {
        return Err(invalid("ops", "an edit needs at least one op".into()));
    }
    if req.ops.len() > MAX_OPS {
        return Err(invalid("ops", format!("at most {MAX_OPS} ops in one edit")));
    }
    // Added sessions get their ids here, whatever the client sent.
    for op in &mut req.ops {
        if let Op::Add { id, .. } = op {
            *id = Some(new_id());
        }
    }
    let original = plans::get(db, &editor.owner_id, plan_id)
        .await?
        .ok_or(EditError::NotFound)?;
    let position = stored::next_position(db, plan_id).await?;
    let base = apply_edits(&original, &super::active_edits(db, plan_id).await?);
    let adjustments = super::active_adjustments(db, &editor.owner_id, plan_id).await?;
    let why = if note.is_empty() {
        format!("Changed by {}.", editor.name)
    } else {
        format!("Changed by {}: {}", editor.name, sentence(&note))
    };
    let zone = users::by_id(db, &editor.owner_id)
        .await?
        .map(|(u, _)| u.time_zone)
        .unwrap_or_default();
    let today = crate::calendar::today_in(&zone);
    let edited = check_ops_from(&base, &req.ops, &why, Some(today)).map_err(EditError::Invalid)?;
    // Checked on the plan as it stands (what the athlete sees) and as it
    // would stand once saved: the newest plan is adapted again over the
    // edit, as saving it does; an older one keeps its stored adjustments.
    let before = lay(&base, &adjustments);
    let latest = plans::latest_id(db, &editor.owner_id).await?;
    let after = if latest.as_deref() == Some(plan_id) {
        let fresh = crate::log::adjustments_over(db, &editor.owner_id, plan_id, &edited).await?;
        lay(&edited, &fresh)
    } else {
        lay(&edited, &adjustments)
    };
    let new = findings(&edit_findings(&before, &after, &req.ops));
    let mut outcome = EditOutcome {
        plan: after,
        violations: new,
        adjustment_id: None,
        owner_id: editor.owner_id.clone(),
    };
    if req.dry_run {
        return Ok(outcome);
    }
    if !outcome.violations.is_empty() && !req.accept_warnings {
        return Err(EditError::Violations(outcome.violations));
    }
    let id = format!("edit-{}", new_id());
    // The sessions named as the athlete saw them: the plan as it stands.
    let action = action(&before, &req.ops);
    let body = EditBody {
        summary: format!("{} {action}", editor.name),
        action,
        week: first_week(&base, &req.ops),
        ops: req.ops,
        why,
        violations: outcome.violations.clone(),
    };
    let text = serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut tx = db.begin().await?;
    stored::insert(
        &mut tx,
        &stored::NewEdit {
            id: &id,
            plan_id,
            position,
            rule: editor.rule(),
            editor_id: &editor.user_id,
            editor_name: &editor.name,
            note: &note,
            body: &text,
            now: now_ms(),
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict => EditError::Changed,
        e => EditError::Store(e),
    })?;
    for op in &body.ops {
        if let Op::Add { id: Some(sid), .. } = op
            && let Some((week, date, s)) = locate(&edited, sid)
        {
            stored::add_session(&mut tx, plan_id, &editor.owner_id, week, date, s).await?;
        }
    }
    for sid in edit::changed_sessions(&before, &outcome.plan) {
        stored::bump_sequence(&mut tx, &sid).await?;
    }
    tx.commit().await?;
    outcome.adjustment_id = Some(id);
    Ok(outcome)
}

/// Undoes (or redoes) a saved edit; `Ok(false)` when the plan has no such
/// edit. The calendar events it touches are re-sent (SEQUENCE raised).
pub async fn set_undone(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
    edit_id: &str,
    undone: bool,
) -> Result<bool, EditError> {
    let editor = editor_for(db, actor, plan_id).await?;
    let before = super::standing(db, &editor.owner_id, plan_id)
        .await?
        .ok_or(EditError::NotFound)?;
    if !stored::set_undone(db, &editor.owner_id, plan_id, edit_id, undone).await? {
        return Ok(false);
    }
    let after = super::standing(db, &editor.owner_id, plan_id)
        .await?
        .ok_or(EditError::NotFound)?;
    for sid in edit::changed_sessions(&before, &after) {
        runcoach_store::feeds::bump(db, &editor.owner_id, &sid).await?;
    }
    Ok(true)
}

/// A saved edit as the plan's history lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditView {
    pub id: String,
    pub rule: String,
    pub editor: String,
    pub note: String,
    pub summary: String,
    pub week: u32,
    pub violations: Vec<Finding>,
    pub created_at: i64,
    pub undone: bool,
}

/// A plan's edits, oldest first, as `viewer_id` reads them: their own
/// edits start "You …". The caller has checked the actor may see the plan.
pub async fn history(db: &Db, plan_id: &str, viewer_id: &str) -> Result<Vec<EditView>, StoreError> {
    stored::for_plan(db, plan_id)
        .await?
        .into_iter()
        .map(|e| {
            let body = EditBody::parse(&e.body)?;
            let summary = if body.action.is_empty() {
                body.summary
            } else if e.editor_id.as_deref() == Some(viewer_id) {
                format!("You {}", body.action)
            } else {
                format!("{} {}", e.editor_name, body.action)
            };
            Ok(EditView {
                undone: e.is_undone(),
                id: e.id,
                rule: e.rule,
                editor: e.editor_name,
                note: e.note,
                summary,
                week: body.week,
                violations: body.violations,
                created_at: e.created_at,
            })
        })
        .collect()
}

fn invalid(field: &str, message: String) -> EditError {
    EditError::Invalid(OpError {
        field: field.to_owned(),
        message,
    })
}

/// The note as a sentence: ends with a full stop unless it has one.
pub fn sentence(note: &str) -> String {
    if note.ends_with(['.', '!', '?']) {
        note.to_owned()
    } else {
        format!("{note}.")
    }
}

fn locate<'a>(plan: &'a Plan, id: &str) -> Option<(u32, Date, &'a Session)> {
    plan.weeks.iter().find_map(|w| {
        w.days.iter().find_map(|d| {
            d.sessions
                .iter()
                .find(|s| s.id.as_deref() == Some(id))
                .map(|s| (w.index, d.date, s))
        })
    })
}

fn day_label(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

fn label(plan: &Plan, id: &str) -> String {
    locate(plan, id).map_or_else(
        || "a session".to_owned(),
        |(_, date, s)| {
            let name = if s.title.is_empty() {
                s.kind.label()
            } else {
                &s.title
            };
            format!("{name} ({})", day_label(date))
        },
    )
}

/// What an edit did, for the history: "moved Long run (Sun 14 Mar) to
/// Sat 13 Mar." (the editor's name, or "You", goes before it).
fn action(plan: &Plan, ops: &[Op]) -> String {
    let parts: Vec<String> = ops
        .iter()
        .map(|op| match op {
            Op::Move {
                session_id,
                to_date,
            } => format!(
                "moved {} to {}",
                label(plan, session_id),
                day_label(*to_date)
            ),
            Op::Swap {
                session_id,
                with_session_id,
            } => format!(
                "swapped {} with {}",
                label(plan, session_id),
                label(plan, with_session_id)
            ),
            Op::Set {
                session_id, kind, ..
            } => match kind {
                Some(k) => format!(
                    "made {} {}",
                    label(plan, session_id),
                    k.label().to_lowercase()
                ),
                None => format!("changed {}", label(plan, session_id)),
            },
            Op::Remove { session_id } => format!("removed {}", label(plan, session_id)),
            Op::Add { date, session, .. } => {
                format!(
                    "added {} on {}",
                    session.kind.label().to_lowercase(),
                    day_label(*date)
                )
            }
        })
        .collect();
    format!("{}.", parts.join(", "))
}

fn first_week(plan: &Plan, ops: &[Op]) -> u32 {
    let week_of_date = |date: Date| {
        plan.weeks
            .iter()
            .find(|w| w.days.iter().any(|d| d.date == date))
            .map(|w| w.index)
    };
    ops.iter()
        .filter_map(|op| match op {
            Op::Add { date, .. } => week_of_date(*date),
            Op::Move {
                to_date,
                session_id,
            } => {
                let from = locate(plan, session_id).map(|(w, _, _)| w);
                from.into_iter().chain(week_of_date(*to_date)).min()
            }
            other => other
                .session_ids()
                .iter()
                .filter_map(|id| locate(plan, id).map(|(w, _, _)| w))
                .min(),
        })
        .min()
        .unwrap_or(1)
}
