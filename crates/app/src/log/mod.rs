//! The training log as adaptation reads it, and re-adaptation: after the
//! log changes (a log entry, an import, an undo) the adaptation rules
//! (core::adapt) run again over the plan with its hand edits, and what
//! they decide is stored. The API, the pages, the import job and
//! `runcoach import` all call [`readapt`].

use jiff::ToSpan;
use jiff::civil::Date;
use runcoach_core::adapt::{Adjustment, adapt};
use runcoach_core::plan::{Plan, Session};
use runcoach_store::{Db, StoreError, logs, plans};

use crate::calendar::today_in;
use crate::plans::standing;

mod entries;
pub use entries::*;

/// Logs this far before a plan's start still count (ACWR needs 28 days).
const HISTORY_DAYS: i64 = 28;

/// Re-runs the adaptation rules for the user's newest plan after the log
/// changed, stores the result, and returns the adjustments that are new.
pub async fn readapt(db: &Db, user_id: &str) -> Result<Vec<Adjustment>, StoreError> {
    let Some(plan_id) = plans::latest_id(db, user_id).await? else {
        return Ok(Vec::new());
    };
    // Adaptation judges the plan with its hand edits, so it works on top
    // of them rather than undoing them.
    let Some(original) = crate::plans::edited(db, user_id, &plan_id).await? else {
        return Ok(Vec::new());
    };
    let stored = logs::adjustments(db, user_id, &plan_id).await?;
    let fresh = adjustments_over(db, user_id, &plan_id, &original).await?;
    let before = standing(db, user_id, &plan_id).await?;
    logs::sync_adjustments(db, user_id, &plan_id, &fresh).await?;
    let after = standing(db, user_id, &plan_id).await?;
    // Calendar feeds raise SEQUENCE for every event that changed.
    let changed = match (&before, &after) {
        (Some(b), Some(a)) => runcoach_core::plan::edit::changed_sessions(b, a),
        _ => changed_sessions(before.as_ref(), after.as_ref()),
    };
    for id in changed {
        runcoach_store::feeds::bump(db, user_id, &id).await?;
    }
    Ok(fresh
        .into_iter()
        .filter(|a| !stored.iter().any(|s| s.adjustment.id == a.id))
        .collect())
}

/// The adjustments the log calls for over `edited` (plan `plan_id` of
/// `user_id` with its hand edits, or with an edit not yet saved), leaving
/// out those the athlete undid: what [`readapt`] stores, and what an edit's
/// check lays over the plan it would leave.
pub async fn adjustments_over(
    db: &Db,
    user_id: &str,
    plan_id: &str,
    edited: &Plan,
) -> Result<Vec<Adjustment>, StoreError> {
    let (Some(first), Some(last)) = (edited.weeks.first(), edited.weeks.last()) else {
        return Ok(Vec::new());
    };
    let from = first.start.saturating_sub(HISTORY_DAYS.days());
    let to = last.days.last().map_or(last.start, |d| d.date);
    let logged = activity_log(db, user_id, from, to).await?;
    let undone: Vec<String> = logs::adjustments(db, user_id, plan_id)
        .await?
        .into_iter()
        .filter(|s| s.undone)
        .map(|s| s.adjustment.id)
        .collect();
    // Adaptation judges "missed" against the athlete's own today.
    let zone = runcoach_store::users::by_id(db, user_id)
        .await?
        .map(|(u, _)| u.time_zone)
        .unwrap_or_default();
    Ok(adapt(edited, &logged, today_in(&zone), &undone))
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
    use runcoach_core::load::LoggedSession;
    let mut logged: Vec<LoggedSession> = logs::between(db, user_id, from, to)
        .await?
        .into_iter()
        .map(|e| e.log)
        .collect();
    let imported = imported_between(db, user_id, from, to).await?;
    let run_days: std::collections::HashSet<Date> = logged
        .iter()
        .filter(|l| l.kind.is_run())
        .map(|l| l.date)
        .collect();
    for (date, a) in imported {
        if run_days.contains(&date) {
            continue;
        }
        logged.extend(LoggedSession::imported_run(
            date,
            &a.sport,
            a.distance_m,
            a.moving_s,
            a.elapsed_s,
        ));
    }
    logged.sort_by_key(|l| l.date);
    Ok(logged)
}

/// Imported activities whose local day (the athlete's zone, as matching and
/// the pages read it) falls from `from` to `to`, with that day.
async fn imported_between(
    db: &Db,
    user_id: &str,
    from: Date,
    to: Date,
) -> Result<Vec<(Date, runcoach_store::activities::Activity)>, StoreError> {
    let ms = |d: Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let zone = runcoach_store::users::by_id(db, user_id)
        .await?
        .map_or(jiff::tz::TimeZone::UTC, |(u, _)| {
            crate::imports::matching::zone_of(&u.time_zone)
        });
    // A day either side in UTC holds every local day of the range.
    let imported = runcoach_store::activities::list(
        db,
        user_id,
        ms(from.saturating_sub(1.days())),
        ms(to.saturating_add(2.days())),
    )
    .await?;
    Ok(imported
        .into_iter()
        .filter_map(|a| {
            let start = jiff::Timestamp::from_millisecond(a.start_time_ms?).ok()?;
            let date = runcoach_core::matching::local_date(start, &zone);
            (from..=to).contains(&date).then_some((date, a))
        })
        .collect())
}

/// Something done that no planned session took: a log entry of an
/// unplanned activity, or an imported activity matched to no session.
pub enum Extra {
    Logged(logs::LogEntry),
    /// With its day in the athlete's zone.
    Imported(Date, runcoach_store::activities::Activity),
}

impl Extra {
    pub fn date(&self) -> Date {
        match self {
            Extra::Logged(e) => e.log.date,
            Extra::Imported(d, _) => *d,
        }
    }
}

/// The extras from `from` to `to`, for the calendar. An imported run on a
/// day with an unplanned run logged is that run, so it is shown once.
pub async fn extras(
    db: &Db,
    user_id: &str,
    from: Date,
    to: Date,
) -> Result<Vec<Extra>, StoreError> {
    let mut extras: Vec<Extra> = logs::between(db, user_id, from, to)
        .await?
        .into_iter()
        .filter(|e| e.session_id.is_none())
        .map(Extra::Logged)
        .collect();
    let run_days: std::collections::HashSet<Date> = extras
        .iter()
        .filter_map(|e| match e {
            Extra::Logged(e) if e.log.kind.is_run() => Some(e.log.date),
            _ => None,
        })
        .collect();
    extras.extend(
        imported_between(db, user_id, from, to)
            .await?
            .into_iter()
            .filter(|(date, a)| {
                a.planned_session_id.is_none() && !(run_days.contains(date) && a.sport.is_running())
            })
            .map(|(date, a)| Extra::Imported(date, a)),
    );
    Ok(extras)
}
