//! Linking imported runs to the planned runs they count for: the plan as
//! it stands (moves and adjustments laid over it) and the runner's own
//! time zone, with the rule itself in `core::matching`.

use jiff::ToSpan;
use jiff::tz::TimeZone;
use runcoach_core::matching::{RecordedRun, match_runs, planned_runs};
use runcoach_store::{Db, StoreError, activities, plans, users};

/// An athlete's saved IANA zone, or UTC when they saved none (or the zone
/// has since left the tz database).
pub fn zone_of(name: &str) -> TimeZone {
    if name.is_empty() {
        return TimeZone::UTC;
    }
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Links `user_id`'s unmatched runs to the still unmatched planned runs of
/// their newest plan; returns how many were linked.
pub async fn link_planned_runs(db: &Db, user_id: &str) -> Result<u64, StoreError> {
    let Some(plan_id) = plans::latest_id(db, user_id).await? else {
        return Ok(0);
    };
    let Some(plan) = crate::plans::standing(db, user_id, &plan_id).await? else {
        return Ok(0);
    };
    let zone = users::by_id(db, user_id)
        .await?
        .map_or(TimeZone::UTC, |(u, _)| zone_of(&u.time_zone));
    let taken: std::collections::HashSet<String> =
        activities::matched_in_plan(db, user_id, &plan_id)
            .await?
            .into_iter()
            .map(|(_, session)| session)
            .collect();
    let planned = planned_runs(&plan, &|id| taken.contains(id));
    let (Some(first), Some(last)) = (
        planned.iter().map(|p| p.date).min(),
        planned.iter().map(|p| p.date).max(),
    ) else {
        return Ok(0);
    };
    // A day either side: local days reach up to 14 hours past UTC's.
    let edge = |d: jiff::civil::Date| {
        d.to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let from_ms = edge(first.saturating_sub(1.day()))?;
    let to_ms = edge(last.saturating_add(2.days()))?;
    let recorded: Vec<RecordedRun> = activities::unlinked(db, user_id, from_ms, to_ms)
        .await?
        .into_iter()
        .filter(|a| a.sport.is_running())
        .filter_map(|a| {
            Some(RecordedRun {
                start: jiff::Timestamp::from_millisecond(a.start_time_ms?).ok()?,
                activity_id: a.id,
            })
        })
        .collect();
    let pairs = match_runs(&planned, &recorded, &zone);
    activities::link(db, user_id, &pairs).await
}
