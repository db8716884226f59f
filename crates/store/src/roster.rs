//! What a coach's roster reads, for all their athletes at once: a fixed
//! number of queries however many athletes there are (each query selects
//! the coach's athletes by subquery, never one query per athlete).

use jiff::civil::Date;
use runcoach_core::load::LoggedSession;
use runcoach_core::plan::{Session, Week};
use sqlx::FromRow;

use crate::{Db, StoreError, on_db};

/// The athletes who let coach `$1` in at time `$2`: direct grants and
/// active coaching purchases.
const ATHLETES: &str = "(SELECT athlete_id FROM coaching_grants WHERE coach_id = $1 \
     UNION SELECT e.athlete_id FROM entitlements e JOIN products pr ON pr.id = e.product_id \
     WHERE pr.coach_id = $1 AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2))";

/// Plan `p` is its athlete's newest and the athlete is the coach's.
fn latest_plan() -> String {
    format!(
        "p.user_id IN {ATHLETES} AND NOT EXISTS (SELECT 1 FROM plans q WHERE q.user_id = p.user_id \
         AND (q.created_at > p.created_at OR (q.created_at = p.created_at AND q.id > p.id)))"
    )
}

#[derive(Debug, Clone, FromRow)]
pub struct RosterAthlete {
    pub athlete_id: String,
    pub name: String,
    /// One row per way in (a grant, a purchase): the caller takes the
    /// highest level.
    pub access: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct RosterPlan {
    pub athlete_id: String,
    pub plan_id: String,
    pub race_name: String,
    pub race_date: String,
}

/// Everything the roster needs, by athlete or plan id.
#[derive(Debug, Default)]
pub struct RosterData {
    pub athletes: Vec<RosterAthlete>,
    pub plans: Vec<RosterPlan>,
    /// (plan id, week with the window's days and sessions filled in).
    pub weeks: Vec<(String, Week)>,
    /// (athlete id, session id it records, entry), in the window.
    pub logs: Vec<(String, Option<String>, LoggedSession)>,
    /// Imported activities in the window.
    pub activities: Vec<RosterActivity>,
    /// (athlete id, newest logged day).
    pub last_logged: Vec<(String, Date)>,
    /// (athlete id, newest imported start, unix ms).
    pub last_imported: Vec<(String, i64)>,
    /// (athlete id, comments by others this coach has not read).
    pub unread: Vec<(String, i64)>,
    /// How many queries it took (for the roster's benchmark).
    pub queries: u32,
}

#[derive(Debug, Clone, FromRow)]
pub struct RosterActivity {
    pub user_id: String,
    #[sqlx(try_from = "String")]
    pub sport: runcoach_core::sport::Sport,
    pub start_time_ms: Option<i64>,
    pub distance_mm: i64,
    pub elapsed_ms: i64,
    pub moving_ms: i64,
    pub planned_session_id: Option<String>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn date(text: &str) -> Result<Date, StoreError> {
    text.parse().map_err(|e| corrupt("date", e))
}

/// Reads the roster of coach `coach_id`: plan weeks starting from `from`
/// to `to`, logs and activities from `history` to `to`.
pub async fn load(
    db: &Db,
    coach_id: &str,
    now: i64,
    history: Date,
    from: Date,
    to: Date,
) -> Result<RosterData, StoreError> {
    let mut data = RosterData::default();
    let sql = "SELECT g.athlete_id, u.name, g.access FROM coaching_grants g JOIN users u ON u.id = g.athlete_id \
         WHERE g.coach_id = $1 \
         UNION ALL SELECT e.athlete_id, u.name, 'edit' FROM entitlements e \
         JOIN products pr ON pr.id = e.product_id JOIN users u ON u.id = e.athlete_id \
         WHERE pr.coach_id = $1 AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2)";
    data.athletes = on_db!(db, pool => sqlx::query_as::<_, RosterAthlete>(sql)
        .bind(coach_id).bind(now).fetch_all(pool).await)?;
    data.queries += 1;
    if data.athletes.is_empty() {
        return Ok(data);
    }

    let sql = format!(
        "SELECT p.user_id AS athlete_id, p.id AS plan_id, p.race_name, p.race_date FROM plans p WHERE {}",
        latest_plan()
    );
    data.plans = on_db!(db, pool => sqlx::query_as::<_, RosterPlan>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).fetch_all(pool).await)?;
    data.queries += 1;

    let sql = format!(
        "SELECT w.plan_id, w.body FROM plan_weeks w JOIN plans p ON p.id = w.plan_id \
         WHERE {} AND w.start_date >= $3 AND w.start_date <= $4 ORDER BY w.plan_id, w.week_index",
        latest_plan()
    );
    let weeks: Vec<(String, String)> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).bind(from.to_string()).bind(to.to_string()).fetch_all(pool).await)?;
    data.queries += 1;
    for (plan_id, body) in weeks {
        let week: Week = serde_json::from_str(&body).map_err(|e| corrupt("plan week", e))?;
        data.weeks.push((plan_id, week));
    }

    // The sessions of those weeks, placed into their days.
    let sql = format!(
        "SELECT s.plan_id, s.id, s.day, s.body FROM plan_sessions s JOIN plans p ON p.id = s.plan_id \
         WHERE {} AND s.day >= $3 AND s.day <= $4 ORDER BY s.plan_id, s.day, s.position",
        latest_plan()
    );
    let until = to.saturating_add(jiff::Span::new().days(6));
    let sessions: Vec<(String, String, String, String)> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).bind(from.to_string()).bind(until.to_string()).fetch_all(pool).await)?;
    data.queries += 1;
    for (plan_id, id, day, body) in sessions {
        let mut session: Session =
            serde_json::from_str(&body).map_err(|e| corrupt("plan session", e))?;
        session.id = Some(id);
        let day = date(&day)?;
        let Some((_, week)) = data
            .weeks
            .iter_mut()
            .find(|(p, w)| *p == plan_id && day >= w.start && (day - w.start).get_days() < 7)
        else {
            continue;
        };
        match week.days.iter_mut().find(|d| d.date == day) {
            Some(d) => d.sessions.push(session),
            None => week.days.push(runcoach_core::plan::Day {
                date: day,
                sessions: vec![session],
            }),
        }
    }

    #[derive(FromRow)]
    struct LogRow {
        user_id: String,
        session_id: Option<String>,
        body: String,
    }
    let sql = format!(
        "SELECT user_id, session_id, body FROM training_logs \
         WHERE user_id IN {ATHLETES} AND day >= $3 AND day <= $4 ORDER BY day, created_at, id"
    );
    let logs = on_db!(db, pool => sqlx::query_as::<_, LogRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).bind(history.to_string()).bind(to.to_string()).fetch_all(pool).await)?;
    data.queries += 1;
    for row in logs {
        let log: LoggedSession = serde_json::from_str(&row.body).map_err(|e| corrupt("log", e))?;
        data.logs.push((row.user_id, row.session_id, log));
    }

    let ms = |d: Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    };
    let sql = format!(
        "SELECT user_id, sport, start_time_ms, distance_mm, elapsed_ms, moving_ms, planned_session_id \
         FROM activities WHERE user_id IN {ATHLETES} AND start_time_ms >= $3 AND start_time_ms < $4"
    );
    data.activities = on_db!(db, pool => sqlx::query_as::<_, RosterActivity>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).bind(ms(history)).bind(ms(to.saturating_add(jiff::Span::new().days(1))))
        .fetch_all(pool).await)?;
    data.queries += 1;

    let sql = format!(
        "SELECT user_id, MAX(day) FROM training_logs WHERE user_id IN {ATHLETES} GROUP BY user_id"
    );
    let last: Vec<(String, String)> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).fetch_all(pool).await)?;
    data.queries += 1;
    for (athlete, day) in last {
        data.last_logged.push((athlete, date(&day)?));
    }

    let sql = format!(
        "SELECT user_id, MAX(start_time_ms) FROM activities WHERE user_id IN {ATHLETES} \
         AND start_time_ms IS NOT NULL GROUP BY user_id"
    );
    data.last_imported = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).fetch_all(pool).await)?;
    data.queries += 1;

    let sql = format!(
        "SELECT c.athlete_id, COUNT(*) FROM comments c WHERE c.athlete_id IN {ATHLETES} \
         AND c.author_id <> $1 AND NOT EXISTS (SELECT 1 FROM comment_reads r \
         WHERE r.comment_id = c.id AND r.user_id = $1) GROUP BY c.athlete_id"
    );
    data.unread = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(coach_id).bind(now).fetch_all(pool).await)?;
    data.queries += 1;
    Ok(data)
}
