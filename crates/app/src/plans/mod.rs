//! Plans as they stand: the stored plan, the hand edits laid over it in
//! order (a coach's or the athlete's), then adaptation's active
//! adjustments over that. Adaptation judges the edited plan, so it works
//! on top of an edit instead of reverting it.

mod create;
pub mod edits;
pub mod tracking;

use std::sync::{Arc, LazyLock, Mutex};

use hashlink::LruCache;
use runcoach_core::adapt::{Adjustment, apply};
use runcoach_core::plan::Plan;
use runcoach_core::plan::edit::{Edit, apply_edits};
use runcoach_store::{Db, StoreError, edits as stored_edits, logs, plans};

pub use create::{PlanError, StoredPlan, create_plan};
pub use edits::{EditBody, EditError, EditOutcome, EditRequest, Editor, edit_plan, editor_for};
pub use tracking::{Outcome, PlanWeek, TrackedSession, Tracker, session, tracker, week_of};

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

/// How many assembled plans one process keeps: a 36-week plan is a few
/// hundred KB in memory, so this bounds the cache to tens of MB.
const KEPT_PLANS: usize = 128;

/// Assembled plans by (owner, plan id, revision). Every write that changes a plan
/// as it stands raises its revision in the database, so an entry is never
/// stale: a reader that sees a new revision misses and assembles it again,
/// whichever app server made the change.
/// The owner is part of the key so that a hit never skips the owner check
/// a miss makes.
type Key = (String, String, i64);

/// An LRU of at most `N` immutable values by key (by default [`Key`]),
/// shared by the request tasks.
struct Kept<V, K = Key, const N: usize = KEPT_PLANS>(LazyLock<Mutex<LruCache<K, Arc<V>>>>);

impl<V, K: std::hash::Hash + Eq, const N: usize> Kept<V, K, N> {
    const fn new() -> Self {
        Kept(LazyLock::new(|| Mutex::new(LruCache::new(N))))
    }

    /// The map, even after a panic elsewhere while it was held (its
    /// entries are immutable, so none can be half-written).
    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<K, Arc<V>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: &K) -> Option<Arc<V>> {
        self.lock().get(key).map(Arc::clone)
    }

    fn keep(&self, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        self.lock().insert(key, Arc::clone(&value));
        value
    }
}

static STANDING: Kept<Plan> = Kept::new();
/// The same plans as JSON documents, for the API: a read then annotates
/// and writes one out without parsing ~100 KB of JSON per request.
static STANDING_JSON: Kept<serde_json::Value> = Kept::new();

/// Plans as made, by (owner, plan id, 0): what is stored when a plan is
/// made never changes (edits and adjustments are rows of their own).
static MADE: Kept<Plan> = Kept::new();

/// A plan's JSON as the API serves it, and the statuses it was written
/// with.
type Written = (Tracker, Arc<Vec<u8>>);
static WRITTEN: Kept<Written> = Kept::new();

/// Whether this process keeps the JSON of `plan_id` at `revision` (read
/// through [`current_json`]): how a test sees that reads are served from
/// memory.
pub fn is_kept_json(owner_id: &str, plan_id: &str, revision: i64) -> bool {
    let key = (owner_id.to_owned(), plan_id.to_owned(), revision);
    STANDING_JSON.lock().contains_key(&key)
}

/// The plan as it stands at `revision` (read by the caller from the plan's
/// row, owned by `owner_id`): from memory when this process assembled that
/// revision already, else assembled and kept. `None` when not theirs.
pub async fn standing_at(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
    revision: i64,
) -> Result<Option<Arc<Plan>>, StoreError> {
    let key = (owner_id.to_owned(), plan_id.to_owned(), revision);
    if let Some(plan) = STANDING.get(&key) {
        return Ok(Some(plan));
    }
    let Some(plan) = standing(db, owner_id, plan_id).await? else {
        return Ok(None);
    };
    Ok(Some(STANDING.keep(key, plan)))
}

/// A plan of `owner_id`'s as it stands now: one query for its revision,
/// then from memory when this process has assembled that revision. For
/// reads; writes assemble the plan afresh.
pub async fn current(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
) -> Result<Option<Arc<Plan>>, StoreError> {
    match plans::head(db, owner_id, plan_id).await? {
        Some(head) => standing_at(db, owner_id, plan_id, head.revision).await,
        None => Ok(None),
    }
}

/// A plan of `owner_id`'s as it stands now as a JSON document (what
/// `serde_json::to_value` of [`standing`] gives), with its row's
/// [`plans::Head`]; kept in memory per revision like [`standing_at`].
pub async fn current_json(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
) -> Result<Option<(Arc<serde_json::Value>, plans::Head)>, StoreError> {
    let Some(head) = plans::head(db, owner_id, plan_id).await? else {
        return Ok(None);
    };
    let key = (owner_id.to_owned(), plan_id.to_owned(), head.revision);
    if let Some(doc) = STANDING_JSON.get(&key) {
        return Ok(Some((doc, head)));
    }
    let doc = if head.changes == 0 {
        // No edits or active adjustments: the stored document is the plan.
        match plans::get_json(db, owner_id, plan_id).await? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("plan document: {e}")))?,
            None => return Ok(None),
        }
    } else {
        match standing_at(db, owner_id, plan_id, head.revision).await? {
            Some(plan) => serde_json::to_value(&*plan)
                .map_err(|e| StoreError::Corrupt(format!("plan document: {e}")))?,
            None => return Ok(None),
        }
    };
    Ok(Some((STANDING_JSON.keep(key, doc), head)))
}

/// A plan of `owner_id`'s as `GET /api/v1/plans/{id}` serves it: the plan
/// as it stands with each session's status, log and matched import
/// (seen from `today`), and its id. The body written last for the plan's
/// revision is served again while the statuses are the same, so a read
/// costs the head and the statuses' queries and no JSON work.
pub async fn tracked_json(
    db: &Db,
    owner_id: &str,
    plan_id: &str,
    today: jiff::civil::Date,
) -> Result<Option<Arc<Vec<u8>>>, StoreError> {
    let Some((doc, head)) = current_json(db, owner_id, plan_id).await? else {
        return Ok(None);
    };
    let tracker = Tracker::load_made(db, owner_id, plan_id, Some(head.created_at), today).await?;
    let key = (owner_id.to_owned(), plan_id.to_owned(), head.revision);
    if let Some(written) = WRITTEN.get(&key)
        && written.0 == tracker
    {
        return Ok(Some(Arc::clone(&written.1)));
    }
    let body = serde_json::to_vec(&tracker.annotated(&doc, Some(plan_id)))
        .map_err(|e| StoreError::Corrupt(format!("plan document: {e}")))?;
    let body = Arc::new(body);
    WRITTEN.keep(key, (tracker, Arc::clone(&body)));
    Ok(Some(body))
}

/// A plan of `owner_id`'s as it was made (no edits or adjustments), kept
/// in memory once read: its week notes were written for its totals.
pub async fn made(db: &Db, owner_id: &str, plan_id: &str) -> Result<Option<Arc<Plan>>, StoreError> {
    let key = (owner_id.to_owned(), plan_id.to_owned(), 0);
    if let Some(plan) = MADE.get(&key) {
        return Ok(Some(plan));
    }
    Ok(plans::get(db, owner_id, plan_id)
        .await?
        .map(|plan| MADE.keep(key, plan)))
}
