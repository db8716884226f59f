//! Imported activities, import jobs and their per-file reports.
//!
//! An import is a row in `imports` (the job's status, counted as it goes) and
//! a row per source file in `import_files`. Files are stored in batches: one
//! transaction per batch holding each file's activities, its report row and
//! the job's counters, so a file goes in whole or not at all.
//!
//! The store does not know the duplicate rule (that is `formats::dedupe`): the
//! caller passes it as a predicate, and the store hands it the user's
//! activities that start within [`DUPLICATE_WINDOW_MS`] of each new one.

use runcoach_core::sport::Sport;
use std::collections::HashSet;

use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

/// Stored activities starting this close (ms, either side) to a new one are
/// handed to the duplicate predicate. Wider than the rule's 60 s on purpose.
pub const DUPLICATE_WINDOW_MS: i64 = 120_000;

/// An activity about to be stored. Units as decoded (metres, seconds); the
/// store keeps millimetres and milliseconds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewActivity {
    /// `fit`, `gpx`, `tcx`, `strava` (a file from an export), `strava_csv`.
    pub source: String,
    /// Identifies the source across imports: `sha256:<hex>[#n]`, `strava:<id>`.
    pub source_key: String,
    pub name: Option<String>,
    pub sport: Sport,
    pub start_time_ms: Option<i64>,
    pub distance_m: f64,
    pub elapsed_s: f64,
    pub moving_s: f64,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
    pub avg_cadence: Option<f64>,
    pub elevation_gain_m: Option<f64>,
    pub laps: u32,
    pub salvaged: Option<String>,
    /// The downsampled track as JSON.
    pub track_json: String,
}

/// A stored activity the duplicate predicate compares a new one with.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub start_time_ms: i64,
    pub distance_m: f64,
    /// What it says besides the totals, to tell which copy is richer.
    pub has_track: bool,
    pub avg_hr: Option<i64>,
    pub avg_cadence: Option<i64>,
    pub elevation_gain_m: Option<f64>,
    pub laps: i64,
    pub salvaged: bool,
}

/// What the duplicate rule says about a new activity and a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sameness {
    Different,
    /// The same activity; the stored copy stays.
    Same,
    /// The same activity, and the new copy says more (a clean file after a
    /// damaged one, a recording after a hand-entered row): it replaces the
    /// stored copy's data, keeping its id and plan link.
    SameButRicher,
}

/// What became of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// At least one activity stored.
    Imported,
    /// Every activity in it was already stored.
    Duplicate,
    /// Done by an earlier import: not read again.
    Skipped,
    /// Nothing could be read from it.
    Failed,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Imported => "imported",
            FileStatus::Duplicate => "duplicate",
            FileStatus::Skipped => "skipped",
            FileStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "imported" => FileStatus::Imported,
            "duplicate" => FileStatus::Duplicate,
            "skipped" => FileStatus::Skipped,
            "failed" => FileStatus::Failed,
            other => return Err(StoreError::Corrupt(format!("file status '{other}'"))),
        })
    }
}

/// One source file of an import, decoded (or not), ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    /// Its place in the import (unique per import).
    pub position: i64,
    /// The name the runner knows it by (path relative to what was imported).
    pub file: String,
    /// `sha256:<hex>` of its bytes, or `strava:<id>` for an export's activity.
    pub file_key: String,
    /// `Failed` or `Skipped` as the caller found it; anything else is decided
    /// here (`Imported`, or `Duplicate` when every activity was stored before).
    pub status: FileStatus,
    pub activities: Vec<NewActivity>,
    pub error: Option<String>,
    /// The failure's kind (`formats::ErrorKind`'s stored name), when known.
    pub error_kind: Option<String>,
    /// What was salvaged from a damaged file, or other remarks.
    pub note: Option<String>,
}

/// What storing one file did.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub status: FileStatus,
    pub imported: u32,
    pub duplicates: u32,
}

/// The duplicate rule: whether a new activity is the same as a stored one.
pub type SameActivity<'a> = &'a (dyn Fn(&NewActivity, &Candidate) -> Sameness + Send + Sync);

/// An import job as its status row says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    pub id: String,
    pub origin: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub imported: i64,
    pub duplicates: i64,
    pub skipped: i64,
    pub failed: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(FromRow)]
struct ImportRow {
    id: String,
    origin: String,
    status: String,
    total: i64,
    done: i64,
    imported: i64,
    duplicates: i64,
    skipped: i64,
    failed: i64,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl From<ImportRow> for Import {
    fn from(r: ImportRow) -> Self {
        Import {
            id: r.id,
            origin: r.origin,
            status: r.status,
            total: r.total,
            done: r.done,
            imported: r.imported,
            duplicates: r.duplicates,
            skipped: r.skipped,
            failed: r.failed,
            error: r.error,
            created_at: r.created_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
        }
    }
}

/// How a duplicate file's note begins; the stored activity's id follows.
const DUPLICATE_NOTE: &str = "already stored as activity ";

/// The stored activity a duplicate file's note names, and whether the new
/// copy replaced its data (it said more).
pub fn duplicate_of(note: &str) -> Option<(&str, bool)> {
    let rest = note.strip_prefix(DUPLICATE_NOTE)?;
    let id = rest.split(' ').next().filter(|id| !id.is_empty())?;
    Some((id, rest.ends_with("replaced its data")))
}

/// One line of an import's per-file report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub position: i64,
    pub file: String,
    pub status: FileStatus,
    pub activities: i64,
    pub duplicates: i64,
    pub error: Option<String>,
    /// The failure's kind (`formats::ErrorKind`'s stored name), when known.
    pub error_kind: Option<String>,
    pub note: Option<String>,
}

#[derive(FromRow)]
struct FileReportRow {
    position: i64,
    file: String,
    status: String,
    activities: i64,
    duplicates: i64,
    error: Option<String>,
    error_kind: Option<String>,
    note: Option<String>,
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub id: String,
    pub source: String,
    pub name: Option<String>,
    pub sport: Sport,
    pub start_time_ms: Option<i64>,
    pub distance_m: f64,
    pub elapsed_s: f64,
    pub moving_s: f64,
    pub avg_hr: Option<i64>,
    pub max_hr: Option<i64>,
    pub avg_cadence: Option<i64>,
    pub elevation_gain_m: Option<f64>,
    pub laps: i64,
    pub salvaged: Option<String>,
    pub planned_session_id: Option<String>,
}

#[derive(FromRow)]
struct ActivityRow {
    id: String,
    source: String,
    name: Option<String>,
    sport: String,
    start_time_ms: Option<i64>,
    distance_mm: i64,
    elapsed_ms: i64,
    moving_ms: i64,
    avg_hr: Option<i64>,
    max_hr: Option<i64>,
    avg_cadence: Option<i64>,
    elevation_gain_mm: Option<i64>,
    laps: i64,
    salvaged: Option<String>,
    planned_session_id: Option<String>,
}

impl From<ActivityRow> for Activity {
    fn from(r: ActivityRow) -> Self {
        Activity {
            id: r.id,
            source: r.source,
            name: r.name,
            sport: Sport::from_name(&r.sport),
            start_time_ms: r.start_time_ms,
            distance_m: r.distance_mm as f64 / 1000.0,
            elapsed_s: r.elapsed_ms as f64 / 1000.0,
            moving_s: r.moving_ms as f64 / 1000.0,
            avg_hr: r.avg_hr,
            max_hr: r.max_hr,
            avg_cadence: r.avg_cadence,
            elevation_gain_m: r.elevation_gain_mm.map(|mm| mm as f64 / 1000.0),
            laps: r.laps,
            salvaged: r.salvaged,
            planned_session_id: r.planned_session_id,
        }
    }
}

const ACTIVITY_COLUMNS: &str = "id, source, name, sport, start_time_ms, distance_mm, elapsed_ms, \
     moving_ms, avg_hr, max_hr, avg_cadence, elevation_gain_mm, laps, salvaged, planned_session_id";

const IMPORT_COLUMNS: &str = "id, origin, status, total, done, imported, duplicates, skipped, \
     failed, error, created_at, updated_at, finished_at";

/// Metres (or seconds) to whole milli-units; NaN and negatives become 0.
fn milli(x: f64) -> i64 {
    if x.is_finite() && x > 0.0 {
        (x * 1000.0).round() as i64
    } else {
        0
    }
}

fn whole(x: Option<f64>) -> Option<i64> {
    x.filter(|v| v.is_finite()).map(|v| v.round() as i64)
}

/// Starts a job for `user_id` (`origin`: `cli` or `upload`), status `queued`.
pub async fn create_import(db: &Db, user_id: &str, origin: &str) -> Result<String, StoreError> {
    let id = new_id();
    let now = now_ms();
    on_db!(db, pool => sqlx::query(
        "INSERT INTO imports (id, user_id, origin, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', $4, $4)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(origin)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(id)
}

/// Starts a job with the caller's `id` inside `tx` (an upload's import is
/// created with the durable job that runs it), status `queued`.
pub async fn create_import_in(
    tx: &mut crate::Tx,
    id: &str,
    user_id: &str,
    origin: &str,
) -> Result<(), StoreError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO imports (id, user_id, origin, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', $4, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(origin)
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// How many files of job `import_id` are stored: an interrupted job
/// resumes after them (files are stored in order, a batch at a time).
pub async fn stored_files(db: &Db, import_id: &str) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM import_files WHERE import_id = $1",
    )
    .bind(import_id)
    .fetch_one(pool)
    .await)?)
}

/// Upload imports still queued or running: `user_id`'s, and everyone's.
pub async fn open_uploads(db: &Db, user_id: &str) -> Result<(i64, i64), StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN user_id = $1 THEN 1 ELSE 0 END), 0), COUNT(*) \
         FROM imports WHERE origin = 'upload' AND status IN ('queued', 'running')",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)?)
}

/// Marks a job running with `total` items to go through.
pub async fn start_import(db: &Db, import_id: &str, total: i64) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "UPDATE imports SET status = 'running', total = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(total)
    .bind(now_ms())
    .bind(import_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Raises a running job's total (an archive announces its size once opened).
pub async fn add_to_total(db: &Db, import_id: &str, more: i64) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "UPDATE imports SET total = total + $1, updated_at = $2 WHERE id = $3",
    )
    .bind(more)
    .bind(now_ms())
    .bind(import_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Ends a job: `done` (whatever the files said) or `failed` with why.
pub async fn finish_import(
    db: &Db,
    import_id: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let now = now_ms();
    let status = if error.is_some() { "failed" } else { "done" };
    on_db!(db, pool => sqlx::query(
        "UPDATE imports SET status = $1, error = $2, updated_at = $3, finished_at = $3, \
         total = CASE WHEN $1 = 'done' THEN done ELSE total END WHERE id = $4",
    )
    .bind(status)
    .bind(error)
    .bind(now)
    .bind(import_id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A job of this user's; `None` when it is not theirs.
pub async fn get_import(
    db: &Db,
    user_id: &str,
    import_id: &str,
) -> Result<Option<Import>, StoreError> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1 AND user_id = $2");
    let row = on_db!(db, pool => sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(import_id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(Import::from))
}

/// This user's newest imports, newest first.
pub async fn recent_imports(db: &Db, user_id: &str, limit: i64) -> Result<Vec<Import>, StoreError> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM imports WHERE user_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(Import::from).collect())
}

/// The per-file report of a job of this user's, in import order; only the
/// files with `statuses` when given.
pub async fn import_files(
    db: &Db,
    user_id: &str,
    import_id: &str,
    statuses: Option<&[FileStatus]>,
) -> Result<Vec<FileReport>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, FileReportRow>(
        "SELECT position, file, status, activities, duplicates, error, error_kind, note FROM import_files \
         WHERE import_id = $1 AND user_id = $2 ORDER BY position",
    )
    .bind(import_id)
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status = FileStatus::parse(&r.status)?;
        if statuses.is_some_and(|s| !s.contains(&status)) {
            continue;
        }
        out.push(FileReport {
            position: r.position,
            file: r.file,
            status,
            activities: r.activities,
            duplicates: r.duplicates,
            error: r.error,
            error_kind: r.error_kind,
            note: r.note,
        });
    }
    Ok(out)
}

/// Keys of the files an earlier import of this user's has done (imported or
/// found duplicate): a new import skips them.
pub async fn done_file_keys(db: &Db, user_id: &str) -> Result<HashSet<String>, StoreError> {
    let keys = on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT file_key FROM import_files \
         WHERE user_id = $1 AND status IN ('imported', 'duplicate')",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(keys.into_iter().collect())
}

/// Stores a batch of files in one transaction (a savepoint each) and counts
/// them on the job. Each new activity is checked against the user's stored
/// ones (earlier batches, earlier files of this batch) with `same`, and
/// against their source keys; duplicates are counted, not stored.
pub async fn store_files(
    db: &Db,
    user_id: &str,
    import_id: &str,
    files: &[FileRecord],
    same: SameActivity<'_>,
) -> Result<Vec<StoredFile>, StoreError> {
    let sqlite = matches!(db, Db::Sqlite(_));
    on_db!(db, pool => {
        // SQLite: take the write lock up front (read-then-write). PostgreSQL:
        // touching the user's row serialises concurrent imports of one user,
        // so two jobs cannot both find "no duplicate" and both insert.
        let mut tx = if sqlite {
            pool.begin_with("BEGIN IMMEDIATE").await?
        } else {
            pool.begin().await?
        };
        sqlx::query("UPDATE users SET created_at = created_at WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let now = now_ms();
        let mut outcomes = Vec::with_capacity(files.len());
        let (mut imported, mut duplicates, mut skipped, mut failed) = (0i64, 0i64, 0i64, 0i64);
        for f in files {
            let mut stored = StoredFile { status: f.status, imported: 0, duplicates: 0 };
            let mut note = f.note.clone();
            if matches!(f.status, FileStatus::Imported | FileStatus::Duplicate) {
                let mut first_duplicate: Option<(String, Sameness)> = None;
                for a in &f.activities {
                    let same_key = sqlx::query_scalar::<_, String>(
                        "SELECT id FROM activities WHERE user_id = $1 AND source_key = $2",
                    )
                    .bind(user_id)
                    .bind(&a.source_key)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let mut duplicate_of = same_key.map(|id| (id, Sameness::Same));
                    let unkeyed_start = a.start_time_ms.filter(|_| duplicate_of.is_none());
                    if let Some(start) = unkeyed_start {
                        type Row = (String, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>, i64, Option<String>);
                        let rows = sqlx::query_as::<_, Row>(
                            "SELECT id, start_time_ms, distance_mm, CAST(LENGTH(track) AS BIGINT), avg_hr, \
                             avg_cadence, elevation_gain_mm, laps, salvaged FROM activities \
                             WHERE user_id = $1 AND start_time_ms BETWEEN $2 AND $3 \
                             ORDER BY start_time_ms, id",
                        )
                        .bind(user_id)
                        .bind(start - DUPLICATE_WINDOW_MS)
                        .bind(start + DUPLICATE_WINDOW_MS)
                        .fetch_all(&mut *tx)
                        .await?;
                        duplicate_of = rows
                            .into_iter()
                            .map(|(id, start_time_ms, mm, track_len, avg_hr, avg_cadence, ele_mm, laps, salvaged)| Candidate {
                                id,
                                start_time_ms,
                                distance_m: mm as f64 / 1000.0,
                                has_track: track_len > 2,
                                avg_hr,
                                avg_cadence,
                                elevation_gain_m: ele_mm.map(|mm| mm as f64 / 1000.0),
                                laps,
                                salvaged: salvaged.is_some(),
                            })
                            .find_map(|c| match same(a, &c) {
                                Sameness::Different => None,
                                s => Some((c.id, s)),
                            });
                    }
                    if let Some((id, sameness)) = duplicate_of {
                        if sameness == Sameness::SameButRicher {
                            sqlx::query(
                                "UPDATE activities SET import_id = $1, source = $2, source_key = $3, \
                                 name = COALESCE($4, name), sport = $5, start_time_ms = $6, distance_mm = $7, \
                                 elapsed_ms = $8, moving_ms = $9, avg_hr = $10, max_hr = $11, avg_cadence = $12, \
                                 elevation_gain_mm = $13, laps = $14, salvaged = $15, track = $16 \
                                 WHERE id = $17 AND user_id = $18",
                            )
                            .bind(import_id)
                            .bind(&a.source)
                            .bind(&a.source_key)
                            .bind(&a.name)
                            .bind(a.sport.as_str())
                            .bind(a.start_time_ms)
                            .bind(milli(a.distance_m))
                            .bind(milli(a.elapsed_s))
                            .bind(milli(a.moving_s))
                            .bind(whole(a.avg_hr))
                            .bind(whole(a.max_hr))
                            .bind(whole(a.avg_cadence))
                            .bind(a.elevation_gain_m.filter(|e| e.is_finite()).map(milli))
                            .bind(i64::from(a.laps))
                            .bind(&a.salvaged)
                            .bind(&a.track_json)
                            .bind(&id)
                            .bind(user_id)
                            .execute(&mut *tx)
                            .await?;
                        }
                        stored.duplicates += 1;
                        first_duplicate.get_or_insert((id, sameness));
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO activities (id, user_id, import_id, source, source_key, name, sport, \
                         start_time_ms, distance_mm, elapsed_ms, moving_ms, avg_hr, max_hr, avg_cadence, \
                         elevation_gain_mm, laps, salvaged, track, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                    )
                    .bind(new_id())
                    .bind(user_id)
                    .bind(import_id)
                    .bind(&a.source)
                    .bind(&a.source_key)
                    .bind(&a.name)
                    .bind(a.sport.as_str())
                    .bind(a.start_time_ms)
                    .bind(milli(a.distance_m))
                    .bind(milli(a.elapsed_s))
                    .bind(milli(a.moving_s))
                    .bind(whole(a.avg_hr))
                    .bind(whole(a.max_hr))
                    .bind(whole(a.avg_cadence))
                    .bind(a.elevation_gain_m.filter(|e| e.is_finite()).map(milli))
                    .bind(i64::from(a.laps))
                    .bind(&a.salvaged)
                    .bind(&a.track_json)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    stored.imported += 1;
                }
                stored.status = if stored.imported > 0 || f.activities.is_empty() {
                    FileStatus::Imported
                } else {
                    FileStatus::Duplicate
                };
                if stored.status == FileStatus::Duplicate && note.is_none() {
                    note = first_duplicate.map(|(id, sameness)| match sameness {
                        Sameness::SameButRicher => format!(
                            "{DUPLICATE_NOTE}{id} (same start within 60 s and distance within 2 %); \
                             this copy says more and replaced its data"
                        ),
                        _ => format!(
                            "{DUPLICATE_NOTE}{id} (same start within 60 s and distance within 2 %)"
                        ),
                    });
                }
            }
            sqlx::query(
                "INSERT INTO import_files (import_id, position, user_id, file, file_key, status, \
                 activities, duplicates, error, error_kind, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(import_id)
            .bind(f.position)
            .bind(user_id)
            .bind(&f.file)
            .bind(&f.file_key)
            .bind(stored.status.as_str())
            .bind(i64::from(stored.imported))
            .bind(i64::from(stored.duplicates))
            .bind(&f.error)
            .bind(&f.error_kind)
            .bind(&note)
            .execute(&mut *tx)
            .await?;
            imported += i64::from(stored.imported);
            duplicates += i64::from(stored.duplicates);
            match stored.status {
                FileStatus::Skipped => skipped += 1,
                FileStatus::Failed => failed += 1,
                _ => {}
            }
            outcomes.push(stored);
        }
        sqlx::query(
            "UPDATE imports SET done = done + $1, imported = imported + $2, duplicates = duplicates + $3, \
             skipped = skipped + $4, failed = failed + $5, updated_at = $6 WHERE id = $7",
        )
        .bind(files.len() as i64)
        .bind(imported)
        .bind(duplicates)
        .bind(skipped)
        .bind(failed)
        .bind(now)
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(outcomes)
    })
}

/// This user's activities starting in `[from_ms, to_ms)`, oldest first
/// (activities without a start time are left out).
pub async fn list(
    db: &Db,
    user_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<Activity>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE user_id = $1 \
         AND start_time_ms >= $2 AND start_time_ms < $3 ORDER BY start_time_ms, id"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(Activity::from).collect())
}

/// Every activity of this user's, oldest first, those without a start last.
pub async fn all(db: &Db, user_id: &str) -> Result<Vec<Activity>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE user_id = $1 \
         ORDER BY start_time_ms ASC NULLS LAST, id"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(Activity::from).collect())
}

/// How many activities this user has.
pub async fn count(db: &Db, user_id: &str) -> Result<i64, StoreError> {
    let n = on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM activities WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)?;
    Ok(n)
}

/// The downsampled track of an activity of this user's, as stored (JSON).
pub async fn track(db: &Db, user_id: &str, id: &str) -> Result<Option<String>, StoreError> {
    let t = on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT track FROM activities WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(t)
}

/// This user's activities starting in `[from_ms, to_ms)` that count for
/// no planned session yet, oldest first: what matching may still link.
pub async fn unlinked(
    db: &Db,
    user_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<Activity>, StoreError> {
    Ok(list(db, user_id, from_ms, to_ms)
        .await?
        .into_iter()
        .filter(|a| a.planned_session_id.is_none())
        .collect())
}

/// Links activities to planned sessions, (activity id, session id) pairs,
/// in one transaction. A pair is skipped when the activity is not this
/// user's, already counts for a session, or the session already has an
/// activity (a concurrent import got there first). Returns how many linked.
pub async fn link(db: &Db, user_id: &str, pairs: &[(String, String)]) -> Result<u64, StoreError> {
    if pairs.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let mut linked = 0;
    for (activity, session) in pairs {
        linked += crate::on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE activities SET planned_session_id = $1 \
             WHERE id = $2 AND user_id = $3 AND planned_session_id IS NULL \
             AND EXISTS (SELECT 1 FROM plan_sessions s WHERE s.id = $1 AND s.user_id = $3) \
             AND NOT EXISTS (SELECT 1 FROM activities b WHERE b.planned_session_id = $1)",
        )
        .bind(session)
        .bind(activity)
        .bind(user_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(linked)
}

/// The activities one import stored (or replaced with a richer copy),
/// oldest first: what came in.
pub async fn of_import(
    db: &Db,
    user_id: &str,
    import_id: &str,
) -> Result<Vec<Activity>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE user_id = $1 AND import_id = $2 \
         ORDER BY start_time_ms ASC NULLS LAST, id"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .bind(import_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(Activity::from).collect())
}

/// Activities of this user's linked to one planned session.
/// Imported activities matched to sessions of one plan: (activity id,
/// session id), earliest start first.
pub async fn matched_in_plan(
    db: &Db,
    user_id: &str,
    plan_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT a.id, a.planned_session_id FROM activities a \
         JOIN plan_sessions s ON s.id = a.planned_session_id \
         WHERE a.user_id = $1 AND s.plan_id = $2 ORDER BY a.start_time_ms, a.id",
    )
    .bind(user_id)
    .bind(plan_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

pub async fn for_session(
    db: &Db,
    user_id: &str,
    session_id: &str,
) -> Result<Vec<Activity>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE user_id = $1 AND planned_session_id = $2 \
         ORDER BY start_time_ms, id"
    );
    let rows = on_db!(db, pool => sqlx::query_as::<_, ActivityRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(user_id)
        .bind(session_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(Activity::from).collect())
}
