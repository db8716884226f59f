//! An import as the API and its page show it: the job's counts, the
//! files that failed or were salvaged, and the activities it stored.

use runcoach_store::activities::{self, FileStatus};
use runcoach_store::{Db, StoreError};
use serde::Serialize;

use super::{Problem, Salvage};

/// An import's status as the API shows it.
#[derive(Debug, Serialize)]
pub struct ImportStatus {
    pub id: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub imported: i64,
    pub duplicates: i64,
    pub skipped: i64,
    pub failed: Vec<Problem>,
    pub salvaged: Vec<Salvage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What came in: the activities this import stored, oldest first.
    pub activities: Vec<ActivityItem>,
}

/// An import as its status page shows it: the API's status, each file's
/// report line and the activities stored.
pub struct ImportDetail {
    pub status: ImportStatus,
    pub files: Vec<activities::FileReport>,
    pub activities: Vec<activities::Activity>,
}

/// The status of one import of this user's, with its failed and salvaged
/// files and the activities it stored.
pub async fn status_of(
    db: &Db,
    user_id: &str,
    id: &str,
) -> Result<Option<ImportDetail>, StoreError> {
    let Some(job) = activities::get_import(db, user_id, id).await? else {
        return Ok(None);
    };
    let files = activities::import_files(db, user_id, id, None).await?;
    let stored = activities::of_import(db, user_id, id).await?;
    let failed = files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
        .map(|f| Problem {
            file: f.file.clone(),
            error: f.error.clone().unwrap_or_default(),
            kind: f
                .error_kind
                .as_deref()
                .and_then(runcoach_formats::ErrorKind::parse),
        })
        .collect();
    let salvaged = files
        .iter()
        .filter(|f| f.status != FileStatus::Failed && f.status != FileStatus::Skipped)
        .filter_map(|f| {
            f.note
                .as_ref()
                // A duplicate's note names the stored copy: not a salvage.
                .filter(|n| runcoach_store::activities::duplicate_of(n).is_none())
                .map(|n| Salvage {
                    file: f.file.clone(),
                    note: n.clone(),
                })
        })
        .collect();
    Ok(Some(ImportDetail {
        status: ImportStatus {
            id: job.id,
            status: job.status,
            total: job.total,
            done: job.done,
            imported: job.imported,
            duplicates: job.duplicates,
            skipped: job.skipped,
            failed,
            salvaged,
            error: job.error,
            activities: stored.iter().map(ActivityItem::from).collect(),
        },
        files,
        activities: stored,
    }))
}

/// One activity in the list.
#[derive(Debug, Serialize)]
pub struct ActivityItem {
    pub id: String,
    pub sport: runcoach_core::sport::Sport,
    pub start_time: String,
    pub distance_m: f64,
    pub elapsed_s: f64,
    pub moving_s: f64,
    pub avg_hr: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_session_id: Option<String>,
}

impl From<&activities::Activity> for ActivityItem {
    fn from(a: &activities::Activity) -> Self {
        ActivityItem {
            id: a.id.clone(),
            sport: a.sport.clone(),
            start_time: rfc3339(a.start_time_ms.unwrap_or(0)),
            distance_m: a.distance_m,
            elapsed_s: a.elapsed_s,
            moving_s: a.moving_s,
            avg_hr: a.avg_hr,
            planned_session_id: a.planned_session_id.clone(),
        }
    }
}

/// A UTC timestamp as the API writes it (`2026-03-02T07:15:00Z`).
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
