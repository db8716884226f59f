//! Plans as they stand: the stored plan, the hand edits laid over it in
//! order (a coach's or the athlete's), then adaptation's active
//! adjustments over that. Adaptation judges the edited plan, so it works
//! on top of an edit instead of reverting it.

pub mod edits;
pub mod tracking;

use runcoach_core::adapt::{Adjustment, apply};
use runcoach_core::plan::Plan;
use runcoach_core::plan::edit::{Edit, apply_edits};
use runcoach_store::{Db, StoreError, edits as stored_edits, logs, plans};

pub use edits::{EditBody, EditError, EditOutcome, EditRequest, Editor, edit_plan, editor_for};
pub use tracking::{Outcome, TrackedSession, Tracker, day, session, tracker};

/// The active edits of a plan, in the order they are laid over it.
pub async fn active_edits(db: &Db, plan_id: &str) -> Result<Vec<Edit>, StoreError> {
    stored_edits::for_plan(db, plan_id)
        .await?
        .into_iter()
        .filter(|e| !e.is_undone())
        .map(|e| EditBody::parse(&e.body).map(|b| b.edit()))
        .collect()
}

/// The active adjustments adaptation stored for a plan.
pub async fn active_adjustments(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
) -> Result<Vec<Adjustment>, StoreError> {
    Ok(logs::adjustments(db, owner_id, plan_id)
        .await?
        .into_iter()
        .filter(|a| !a.undone)
        .map(|a| a.adjustment)
        .collect())
}

/// The stored plan with its active edits: what adaptation judges.
pub async fn edited(db: &Db, owner_id: &str, plan_id: &str) -> Result<Option<Plan>, StoreError> {
    let Some(original) = plans::get(db, owner_id, plan_id).await? else {
        return Ok(None);
    };
    let edits = active_edits(db, plan_id).await?;
    Ok(Some(apply_edits(&original, &edits)))
}

/// The plan as it stands (edits, then adjustments); `None` when the plan
/// is not `owner_id`'s.
pub async fn standing(db: &Db, owner_id: &str, plan_id: &str) -> Result<Option<Plan>, StoreError> {
    let Some(base) = edited(db, owner_id, plan_id).await? else {
        return Ok(None);
    };
    let adjustments = active_adjustments(db, owner_id, plan_id).await?;
    Ok(Some(if adjustments.is_empty() {
        base
    } else {
        apply(&base, &adjustments)
    }))
}
