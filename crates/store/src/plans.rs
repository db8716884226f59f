//! Plans: a header row, a row per week and a row per session, so every
//! session has a stable id that logs, feeds and watch files can refer to.

use jiff::civil::Date;
use runcoach_core::plan::{Day, Plan, PlanInput, Session, Week};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::{Db, StoreError, new_id, now_ms, on_db};

/// The parts of a plan that are not weeks.
#[derive(Serialize, Deserialize)]
struct Header {
    race: runcoach_core::plan::RaceInfo,
    warnings: Vec<String>,
    athlete: Option<runcoach_core::plan::Athlete>,
    paces: Option<runcoach_core::plan::PlanPaces>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    pub id: String,
    pub race: String,
    pub race_date: String,
    pub start: String,
    pub created_at: i64,
    /// The plan the athlete trains by: the newest one.
    pub current: bool,
    /// Replaced by a newer plan; kept with its logs, never deleted.
    pub archived: bool,
}

/// When `user_id`'s plan was made (Unix ms), if it is theirs.
pub async fn created_at(db: &Db, user_id: &str, plan_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT created_at FROM plans WHERE id = $1 AND user_id = $2",
    )
    .bind(plan_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?)
}

/// How a plan document deflated is marked in `plans.document` (a JSON
/// document starts with `{`, so plain ones stored before stay readable).
const PACKED: &str = "deflate:";

/// A plan document inflated past this is refused as corrupt.
const MAX_DOCUMENT_BYTES: u64 = 64 << 20;

/// The document as stored: deflated, as base64 text. Plan JSON repeats
/// itself (the same keys, exercises and wording week after week): a
/// 36-week plan of ~233 KB is ~40 KB stored, and reading it back costs one
/// inflate (about a millisecond), done once per revision by the app's cache.
fn pack(document: &str) -> String {
    use base64::Engine as _;
    use std::io::Write as _;
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate
        .write_all(document.as_bytes())
        .expect("writing to memory");
    let bytes = deflate.finish().expect("writing to memory");
    let mut out = String::from(PACKED);
    base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut out);
    out
}

/// The document's JSON text, from either form it is stored in.
fn unpack(stored: String) -> Result<String, StoreError> {
    use base64::Engine as _;
    use std::io::Read as _;
    let Some(encoded) = stored.strip_prefix(PACKED) else {
        return Ok(stored);
    };
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("plan document: {e}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| corrupt(&e))?;
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(bytes.as_slice())
        .take(MAX_DOCUMENT_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| corrupt(&e))?;
    Ok(text)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plan types always serialise")
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Stores a new plan; returns its id and the plan with session ids filled.
pub async fn insert(
    db: &Db,
    user_id: &str,
    request: &PlanInput,
    plan: &Plan,
) -> Result<(String, Plan), StoreError> {
    let plan_id = new_id();
    let mut stored = plan.clone();
    for week in &mut stored.weeks {
        for day in &mut week.days {
            for s in &mut day.sessions {
                s.id = Some(new_id());
            }
        }
    }
    let header = Header {
        race: plan.race.clone(),
        warnings: plan.warnings.clone(),
        athlete: plan.athlete.clone(),
        paces: plan.paces.clone(),
    };
    let start = plan
        .weeks
        .first()
        .map(|w| w.start.to_string())
        .unwrap_or_default();
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO plans (id, user_id, race_name, race_date, start_date, request, header, created_at, document) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&plan_id)
        .bind(user_id)
        .bind(&plan.race.name)
        .bind(plan.race.date.to_string())
        .bind(&start)
        .bind(json(request))
        .bind(json(&header))
        .bind(now_ms())
        .bind(pack(&json(&stored)))
        .execute(&mut *tx)
        .await?;
        // The new plan is the current one: the ones before it are archived.
        sqlx::query("UPDATE plans SET archived_at = $1 WHERE user_id = $2 AND id <> $3 AND archived_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .bind(&plan_id)
            .execute(&mut *tx)
            .await?;
        for week in &stored.weeks {
            let meta = Week { days: Vec::new(), ..week.clone() };
            sqlx::query(
                "INSERT INTO plan_weeks (plan_id, week_index, start_date, day_count, body) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&plan_id)
            .bind(i64::from(week.index))
            .bind(week.start.to_string())
            .bind(week.days.len() as i64)
            .bind(json(&meta))
            .execute(&mut *tx)
            .await?;
            for day in &week.days {
                for (position, s) in day.sessions.iter().enumerate() {
                    let body = Session { id: None, ..s.clone() };
                    sqlx::query(
                        "INSERT INTO plan_sessions (id, plan_id, user_id, week_index, day, position, kind, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(s.id.as_deref().expect("ids set above"))
                    .bind(&plan_id)
                    .bind(user_id)
                    .bind(i64::from(week.index))
                    .bind(day.date.to_string())
                    .bind(position as i64)
                    .bind(json(&s.kind).trim_matches('"').to_owned())
                    .bind(json(&body))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })?;
    Ok((plan_id, stored))
}

#[derive(FromRow)]
struct HeaderRow {
    header: String,
    document: Option<String>,
}

#[derive(FromRow)]
struct WeekRow {
    day_count: i64,
    body: String,
}

#[derive(FromRow)]
struct SessionRow {
    id: String,
    day: String,
    body: String,
}

fn date(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("bad date '{text}'")))
}

fn session(row: SessionRow) -> Result<(Date, Session), StoreError> {
    let mut s: Session = parse(&row.body, "session")?;
    s.id = Some(row.id);
    Ok((date(&row.day)?, s))
}

/// A plan of this user's, reassembled; `None` when it is not theirs.
pub async fn get(db: &Db, user_id: &str, plan_id: &str) -> Result<Option<Plan>, StoreError> {
    match document(db, user_id, plan_id).await? {
        Some(Ok(doc)) => parse(&doc, "plan document").map(Some),
        Some(Err(header)) => assemble(db, plan_id, &header).await.map(Some),
        None => Ok(None),
    }
}

/// The stored plan as JSON text, exactly as `get` would serialise it, when
/// it has a document (plans stored before documents existed do not).
pub async fn get_json(db: &Db, user_id: &str, plan_id: &str) -> Result<Option<String>, StoreError> {
    Ok(match document(db, user_id, plan_id).await? {
        Some(Ok(doc)) => Some(doc),
        Some(Err(header)) => Some(json(&assemble(db, plan_id, &header).await?)),
        None => None,
    })
}

/// The plan's document, or its header when it has none; `None` when the
/// plan is not this user's.
async fn document(
    db: &Db,
    user_id: &str,
    plan_id: &str,
) -> Result<Option<Result<String, String>>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, HeaderRow>("SELECT header, document FROM plans WHERE id = $1 AND user_id = $2")
        .bind(plan_id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    row.map(|r| match r.document {
        Some(document) => unpack(document).map(Ok),
        None => Ok(Err(r.header)),
    })
    .transpose()
}

/// Rebuilds a plan from its week and session rows.
async fn assemble(db: &Db, plan_id: &str, header: &str) -> Result<Plan, StoreError> {
    let header: Header = parse(header, "plan header")?;
    let weeks = on_db!(db, pool => sqlx::query_as::<_, WeekRow>(
        "SELECT day_count, body FROM plan_weeks WHERE plan_id = $1 ORDER BY week_index",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await)?;
    let sessions = on_db!(db, pool => sqlx::query_as::<_, SessionRow>(
        "SELECT id, day, body FROM plan_sessions WHERE plan_id = $1 ORDER BY day, position",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await)?;
    let mut sessions = sessions
        .into_iter()
        .map(session)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    let mut out = Vec::with_capacity(weeks.len());
    for row in weeks {
        let mut week: Week = parse(&row.body, "week")?;
        for offset in 0..row.day_count {
            let date = week
                .start
                .checked_add(jiff::Span::new().days(offset))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut day = Day {
                date,
                sessions: Vec::new(),
            };
            while let Some((_, s)) = sessions.next_if(|(d, _)| *d == date) {
                day.sessions.push(s);
            }
            week.days.push(day);
        }
        out.push(week);
    }
    Ok(Plan {
        race: header.race,
        warnings: header.warnings,
        athlete: header.athlete,
        paces: header.paces,
        weeks: out,
    })
}

#[derive(FromRow)]
struct SummaryRow {
    id: String,
    race_name: String,
    race_date: String,
    start_date: String,
    created_at: i64,
    archived_at: Option<i64>,
}

/// This user's plans, newest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<PlanSummary>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, SummaryRow>(
        "SELECT id, race_name, race_date, start_date, created_at, archived_at FROM plans WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| PlanSummary {
            id: r.id,
            race: r.race_name,
            race_date: r.race_date,
            start: r.start_date,
            created_at: r.created_at,
            current: r.archived_at.is_none(),
            archived: r.archived_at.is_some(),
        })
        .collect())
}

/// The newest plan of this user's, if any.
pub async fn latest_id(db: &Db, user_id: &str) -> Result<Option<String>, StoreError> {
    let id = on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT id FROM plans WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(id)
}

/// Sessions of the user's newest plan on `day`, in plan order.
pub async fn sessions_on(db: &Db, user_id: &str, day: Date) -> Result<Vec<Session>, StoreError> {
    match latest_id(db, user_id).await? {
        Some(plan_id) => sessions_of(db, user_id, &plan_id, day).await,
        None => Ok(Vec::new()),
    }
}

/// Where a stored session sits.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionAt {
    pub plan_id: String,
    pub week_index: u32,
    pub date: Date,
    pub session: Session,
}

#[derive(FromRow)]
struct SessionAtRow {
    id: String,
    plan_id: String,
    week_index: i64,
    day: String,
    body: String,
}

/// One session of this user's; `None` when it is not theirs.
pub async fn session_by_id(
    db: &Db,
    user_id: &str,
    session_id: &str,
) -> Result<Option<SessionAt>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, SessionAtRow>(
        "SELECT id, plan_id, week_index, day, body FROM plan_sessions WHERE id = $1 AND user_id = $2",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    let (date, session) = session(SessionRow {
        id: row.id,
        day: row.day,
        body: row.body,
    })?;
    Ok(Some(SessionAt {
        plan_id: row.plan_id,
        week_index: u32::try_from(row.week_index)
            .map_err(|_| StoreError::Corrupt("week index".into()))?,
        date,
        session,
    }))
}

/// The user's newest plan and how many of its adjustments are active plus
/// how many edits it has (undone ones too): zero means the stored rows are
/// the plan as it stands. With its revision (the key of assembled plans
/// kept in memory) and when it was made, so a day's view needs one query.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Latest {
    pub id: String,
    pub active_adjustments: i64,
    pub revision: i64,
    pub created_at: i64,
}

pub async fn latest(db: &Db, user_id: &str) -> Result<Option<Latest>, StoreError> {
    let row = on_db!(db, pool => sqlx::query_as::<_, Latest>(
        "SELECT p.id, CAST((SELECT COUNT(*) FROM plan_adjustments a WHERE a.plan_id = p.id AND a.undone = 0) AS BIGINT) \
         + CAST((SELECT COUNT(*) FROM plan_edits e WHERE e.plan_id = p.id) AS BIGINT) \
         AS active_adjustments, p.revision, p.created_at \
         FROM plans p WHERE p.user_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// What a read of one plan needs from its row, in one query: the revision
/// (the key of assembled plans kept in memory), when it was made, and how
/// many edits and active adjustments it has (zero: the stored plan is the
/// plan as it stands).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Head {
    pub revision: i64,
    pub created_at: i64,
    pub changes: i64,
}

/// A plan's [`Head`], if it is `user_id`'s.
pub async fn head(db: &Db, user_id: &str, plan_id: &str) -> Result<Option<Head>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Head>(
        "SELECT p.revision, p.created_at, \
         CAST((SELECT COUNT(*) FROM plan_adjustments a WHERE a.plan_id = p.id AND a.undone = 0) AS BIGINT) \
         + CAST((SELECT COUNT(*) FROM plan_edits e WHERE e.plan_id = p.id) AS BIGINT) AS changes \
         FROM plans p WHERE p.id = $1 AND p.user_id = $2",
    )
    .bind(plan_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?)
}

/// A plan's revision, if it is `user_id`'s (see migration 0018).
pub async fn revision(db: &Db, user_id: &str, plan_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT revision FROM plans WHERE id = $1 AND user_id = $2",
    )
    .bind(plan_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?)
}

/// Raises a plan's revision; run inside (or right after) every write that
/// changes the plan as it stands, never before it: a reader that saw the
/// new revision must also see the change.
pub(crate) const BUMP_REVISION: &str = "UPDATE plans SET revision = revision + 1 WHERE id = $1";

/// Marks a row of an owner's plan's history undone (or active again) with
/// `sql` (binding undone, plan id, row id, owner id) and raises the plan's
/// revision when a row changed, in one transaction; how many rows changed.
pub(crate) async fn update_and_bump(
    db: &Db,
    sql: &'static str,
    undone: bool,
    (owner_id, plan_id): (&str, &str),
    id: &str,
) -> Result<u64, StoreError> {
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let n = sqlx::query(sql)
            .bind(i64::from(undone))
            .bind(plan_id)
            .bind(id)
            .bind(owner_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            sqlx::query(BUMP_REVISION)
                .bind(plan_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(n)
    })
}

/// The week of one plan of the user's that holds `day`, from the stored
/// rows: its index, and every day of it with their sessions in plan order
/// (rest days included, empty days too). `None` when no week holds `day`
/// (or the plan is not theirs).
pub async fn week_holding(
    db: &Db,
    user_id: &str,
    plan_id: &str,
    day: Date,
) -> Result<Option<(u32, Vec<Day>)>, StoreError> {
    let week = on_db!(db, pool => sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT w.week_index, w.start_date, w.day_count FROM plan_weeks w \
         JOIN plans p ON p.id = w.plan_id \
         WHERE w.plan_id = $1 AND p.user_id = $2 AND w.start_date <= $3 \
         ORDER BY w.start_date DESC LIMIT 1",
    )
    .bind(plan_id)
    .bind(user_id)
    .bind(day.to_string())
    .fetch_optional(pool)
    .await)?;
    let Some((index, start, day_count)) = week else {
        return Ok(None);
    };
    let Some(start) = in_week(&start, day_count, day)? else {
        return Ok(None);
    };
    let last = last_day(start, day_count)?;
    let rows = on_db!(db, pool => sqlx::query_as::<_, SessionRow>(
        "SELECT id, day, body FROM plan_sessions \
         WHERE plan_id = $1 AND user_id = $2 AND day >= $3 AND day <= $4 ORDER BY day, position",
    )
    .bind(plan_id)
    .bind(user_id)
    .bind(start.to_string())
    .bind(last.to_string())
    .fetch_all(pool)
    .await)?;
    Ok(Some((
        week_number(index)?,
        days_between(start, last, rows)?,
    )))
}

/// The first day of a week that starts on `start` (stored text) and has
/// `day_count` days, when `day` falls in it.
fn in_week(start: &str, day_count: i64, day: Date) -> Result<Option<Date>, StoreError> {
    let start = date(start)?;
    let span = start
        .until(day)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((i64::from(span.get_days()) < day_count).then_some(start))
}

fn week_number(index: i64) -> Result<u32, StoreError> {
    u32::try_from(index).map_err(|_| StoreError::Corrupt("week index".into()))
}

/// The last day of a week that starts on `start` and has `day_count` days.
fn last_day(start: Date, day_count: i64) -> Result<Date, StoreError> {
    start
        .checked_add(jiff::Span::new().days(day_count - 1))
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The days from `start` to `last` with their sessions (rows in day and
/// plan order; rows after `last` are left out), rest days and empty days
/// included.
fn days_between(start: Date, last: Date, rows: Vec<SessionRow>) -> Result<Vec<Day>, StoreError> {
    let mut sessions = rows
        .into_iter()
        .map(session)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    let mut days = Vec::new();
    for date in start
        .series(jiff::Span::new().days(1))
        .take_while(|d| *d <= last)
    {
        let mut d = Day {
            date,
            sessions: Vec::new(),
        };
        while let Some((_, s)) = sessions.next_if(|(on, _)| *on == date) {
            d.sessions.push(s);
        }
        days.push(d);
    }
    Ok(days)
}

/// Sessions of one plan of the user's on `day`, in plan order.
pub async fn sessions_of(
    db: &Db,
    user_id: &str,
    plan_id: &str,
    day: Date,
) -> Result<Vec<Session>, StoreError> {
    let rows = on_db!(db, pool => sqlx::query_as::<_, SessionRow>(
        "SELECT id, day, body FROM plan_sessions WHERE plan_id = $1 AND user_id = $2 AND day = $3 ORDER BY position",
    )
    .bind(plan_id)
    .bind(user_id)
    .bind(day.to_string())
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| session(r).map(|(_, s)| s))
        .collect()
}
