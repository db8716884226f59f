//! Importing history: the engine that decodes and stores activity files
//! (used by `runcoach import` directly), and uploads run as durable jobs.

mod engine;
pub mod matching;
pub mod status;
pub mod uploads;

use jiff::civil::Date;
use runcoach_core::history::{HistoryActivity, HistorySummary, summarise};
use runcoach_store::{Db, StoreError};

pub use engine::{
    DecodeStats, ImportOptions, ImportReport, MAX_FILE_BYTES, Problem, Progress, Salvage,
    UPLOAD_LIMIT, WINDOW, Work, ZIP_WINDOW, decode_only, is_zip, plan_work, run_import,
    same_activity,
};

/// The history summary of this user's stored activities as of `today`
/// (dates are the runner's own dates of the starts, in `zone`).
pub async fn history_of(
    db: &Db,
    user_id: &str,
    zone: &str,
    today: Date,
) -> Result<HistorySummary, StoreError> {
    let zone = matching::zone_of(zone);
    let all = runcoach_store::activities::all(db, user_id).await?;
    let items: Vec<HistoryActivity> = all
        .iter()
        .filter_map(|a| {
            let ts = jiff::Timestamp::from_millisecond(a.start_time_ms?).ok()?;
            Some(HistoryActivity {
                date: runcoach_core::matching::local_date(ts, &zone),
                running: a.sport.is_running(),
                distance_m: a.distance_m,
                moving_s: a.moving_s,
                elapsed_s: a.elapsed_s,
            })
        })
        .collect();
    Ok(summarise(&items, today))
}
