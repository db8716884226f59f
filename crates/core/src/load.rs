//! What the runner actually did, and the training load it adds up to
//! (training-rules.md §4).
//!
//! Sources:
//! - Session load = RPE (1–10) × minutes: Foster C. et al. (2001), "A new
//!   approach to monitoring exercise training", *J Strength Cond Res* 15(1).
//! - Weekly monotony = mean daily load ÷ standard deviation of daily load,
//!   strain = weekly load × monotony: Foster C. (1998), "Monitoring training
//!   in athletes with reference to overtraining syndrome", *Med Sci Sports
//!   Exerc* 30(7). runcoach uses the **population** standard deviation of
//!   the seven daily loads of the week (divide by 7, not 6), rest days
//!   counted as zero. When that deviation is zero (every day the same load,
//!   including a week of rest) monotony is undefined and reported as `None`,
//!   and so is strain. Monotony is only given for complete 7-day weeks.
//! - Acute:chronic workload ratio (ACWR), rolling: the 7-day load sum over
//!   the 28-day sum ÷ 4, the "coupled" form in which the acute week is part
//!   of the chronic window (Gabbett T. 2016, "The training–injury prevention
//!   paradox", *Br J Sports Med* 50). Because the acute week is inside the
//!   chronic window the ratio lies in 0..=4.
//! - ACWR, EWMA: exponentially weighted moving averages with
//!   λ = 2 / (N + 1), N = 7 (acute) and N = 28 (chronic): Williams S. et al.
//!   (2017), "Better way to determine the acute:chronic workload ratio?",
//!   *Br J Sports Med* 51. Both averages start from zero load before the
//!   first day of the series; the ratio then lies in 0..=λ₇/λ₂₈ = 29/8.
//! - Both ratios are `None` until the series holds 28 days of history, and
//!   while the chronic load is zero.
//! - Fitness, fatigue and form: 42-day and 7-day exponentially weighted
//!   load and their difference (Banister E. et al. 1975 fitness–fatigue
//!   model, in the form of Coggan's Performance Manager: CTL / ATL / TSB).
//!   These use the time-constant form λ = 1 / N, so the numbers match what
//!   runners see in TrainingPeaks-style charts; form is today's fitness
//!   minus today's fatigue.
//! - Weekly compliance = the planned kilometres that were done ÷ the planned
//!   kilometres (minutes when the week plans no distance). Extra running
//!   beyond a day's plan is not counted, so compliance is at most 1.
//!
//! Everything here is computed in one pass over the daily series (the
//! progress page draws five years of logs).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::plan::FieldError;
use crate::plan::model::{Session, SessionKind, Week};

/// The effort a planned session asks for, when the athlete logs it
/// without one: the middle of its RPE band (rounded up), else by kind.
pub fn planned_rpe(s: &Session) -> u8 {
    match s.rpe {
        Some([a, b]) => (a + b).div_ceil(2),
        None if s.kind.is_quality() => 7,
        None => match s.kind {
            SessionKind::Race => 9,
            SessionKind::Long | SessionKind::Strength => 4,
            SessionKind::Mobility => 2,
            _ => 3,
        },
    }
}

/// What kind of activity a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Run,
    /// A race: its distance and time also update the pace model.
    Race,
    Cross,
    Strength,
    Mobility,
    Other,
}

impl ActivityKind {
    /// Runs and races count towards running volume.
    pub fn is_run(self) -> bool {
        matches!(self, Self::Run | Self::Race)
    }

    /// The kind of log a planned session is matched with.
    pub fn of_planned(kind: SessionKind) -> Self {
        match kind {
            SessionKind::Race => Self::Race,
            k if k.is_run() => Self::Run,
            SessionKind::Strength => Self::Strength,
            SessionKind::Mobility => Self::Mobility,
            SessionKind::CrossTraining => Self::Cross,
            _ => Self::Other,
        }
    }
}

/// Whether the session happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    Done,
    Partial,
    Skipped,
}

/// Where it hurts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PainLocation {
    Knee,
    ItBand,
    Hip,
    HipFlexor,
    LowerBack,
    Shin,
    CalfAchilles,
    Foot,
    Other,
}

impl PainLocation {
    pub const ALL: [PainLocation; 9] = [
        Self::Knee,
        Self::ItBand,
        Self::Hip,
        Self::HipFlexor,
        Self::LowerBack,
        Self::Shin,
        Self::CalfAchilles,
        Self::Foot,
        Self::Other,
    ];

    /// The words a runner uses.
    pub fn label(self) -> &'static str {
        match self {
            Self::Knee => "knee",
            Self::ItBand => "IT band",
            Self::Hip => "hip",
            Self::HipFlexor => "hip flexor",
            Self::LowerBack => "lower back",
            Self::Shin => "shin",
            Self::CalfAchilles => "calf/Achilles",
            Self::Foot => "foot",
            Self::Other => "other",
        }
    }
}

/// Pain at one location, 0 (none) to 10 (worst imaginable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pain {
    pub location: PainLocation,
    pub score: u8,
}

/// One entry of the training log: a planned session's outcome or an
/// unplanned activity. Field names are the API's (`POST /api/v1/logs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedSession {
    pub date: Date,
    pub kind: ActivityKind,
    pub status: LogStatus,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub distance_m: u32,
    /// Session RPE, 1–10 (Foster's CR-10 scale). A skipped session has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpe: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain: Vec<Pain>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Effort assumed for an imported run nobody logged: an easy run's RPE, so
/// load, ACWR and fitness see the running without inventing a hard day.
pub const IMPORTED_RUN_RPE: u8 = 4;

/// Longest activity a log may record: a day.
pub const MAX_DURATION_S: u32 = 24 * 3600;
/// Longest distance a log may record: 1000 km (multi-day ultras are logged
/// per day).
pub const MAX_DISTANCE_M: u32 = 1_000_000;
/// Faster than any human runs over any distance (the 100 m world record is
/// about 10.4 m/s).
pub const MAX_RUN_SPEED_M_S: f64 = 11.0;

impl LoggedSession {
    /// An imported activity as the log counts it when nobody logged a run
    /// that day: `None` unless its sport is running. Time is the moving time
    /// (the elapsed time when the file has none); both it and the distance
    /// are rounded to the nearest second and metre and held within what a
    /// log may record in a day ([`MAX_DURATION_S`], [`MAX_DISTANCE_M`]);
    /// effort is [`IMPORTED_RUN_RPE`]. The log, the load charts and a
    /// coach's roster all count imported runs by this one rule.
    pub fn imported_run(
        date: Date,
        sport: &crate::sport::Sport,
        distance_m: f64,
        moving_s: f64,
        elapsed_s: f64,
    ) -> Option<Self> {
        if !sport.is_running() {
            return None;
        }
        let time = if moving_s > 0.0 { moving_s } else { elapsed_s };
        // `as` turns NaN and negatives into 0 and saturates; the cap is a day's.
        let whole = |x: f64, max: u32| (x.round() as u32).min(max);
        Some(LoggedSession {
            date,
            kind: ActivityKind::Run,
            status: LogStatus::Done,
            duration_s: whole(time, MAX_DURATION_S),
            distance_m: whole(distance_m, MAX_DISTANCE_M),
            rpe: Some(IMPORTED_RUN_RPE),
            pain: Vec::new(),
            notes: String::new(),
        })
    }

    pub fn minutes(&self) -> f64 {
        f64::from(self.duration_s) / 60.0
    }

    /// Foster's session load in arbitrary units: RPE × minutes. A skipped
    /// session adds nothing; neither does one without an RPE (the caller
    /// fills a missing RPE from the planned session's target if it wants
    /// one counted).
    pub fn load(&self) -> f64 {
        match (self.status, self.rpe) {
            (LogStatus::Skipped, _) | (_, None) => 0.0,
            (_, Some(rpe)) => f64::from(rpe) * self.minutes(),
        }
    }

    /// Running kilometres this entry adds (runs and races not skipped).
    pub fn run_km(&self) -> f64 {
        if self.kind.is_run() && self.status != LogStatus::Skipped {
            f64::from(self.distance_m) / 1000.0
        } else {
            0.0
        }
    }

    /// The highest pain score at `location`, if any was logged.
    pub fn pain_at(&self, location: PainLocation) -> Option<u8> {
        self.pain
            .iter()
            .filter(|p| p.location == location)
            .map(|p| p.score)
            .max()
    }

    /// Checks every field and reports every problem, in words a runner can
    /// act on. `today` is the athlete's local date; an entry may be dated
    /// at most one day ahead (time zones), never further.
    pub fn validate(&self, today: Date) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        if let Some(rpe) = self.rpe.filter(|r| !(1..=10).contains(r)) {
            err(
                "rpe",
                format!("RPE {rpe} is outside 1–10: 1 is very easy, 10 is all-out"),
            );
        }
        for p in &self.pain {
            if p.score > 10 {
                err(
                    "pain",
                    format!(
                        "{} pain {} is outside 0–10: 0 is none, 10 the worst imaginable",
                        p.location.label(),
                        p.score
                    ),
                );
            }
        }
        for (i, p) in self.pain.iter().enumerate() {
            if self.pain[..i].iter().any(|q| q.location == p.location) {
                err(
                    "pain",
                    format!(
                        "{} pain is given twice; give one score per location",
                        p.location.label()
                    ),
                );
            }
        }
        if self.duration_s > MAX_DURATION_S {
            err(
                "duration_s",
                format!(
                    "{} s is more than a day; log each day's activity separately",
                    self.duration_s
                ),
            );
        }
        if self.distance_m > MAX_DISTANCE_M {
            err(
                "distance_m",
                format!(
                    "{:.1} km is more than {} km; check the distance (metres, not km?)",
                    f64::from(self.distance_m) / 1000.0,
                    MAX_DISTANCE_M / 1000
                ),
            );
        }
        if self.kind.is_run() && self.distance_m > 0 {
            if self.duration_s == 0 && self.status != LogStatus::Skipped {
                err(
                    "duration_s",
                    "a run with a distance needs its duration too".into(),
                );
            } else if self.duration_s > 0
                && f64::from(self.distance_m) / f64::from(self.duration_s) > MAX_RUN_SPEED_M_S
            {
                err(
                    "distance_m",
                    format!(
                        "{:.2} km in {} s is faster than any human runs; check distance and duration",
                        f64::from(self.distance_m) / 1000.0,
                        self.duration_s
                    ),
                );
            }
        }
        if (self.date - today).get_days() > 1 {
            err(
                "date",
                format!(
                    "{} is in the future; log a session on or after the day it happens",
                    self.date
                ),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// λ = 2 / (N + 1), the smoothing of an N-day EWMA after Williams (2017).
pub fn williams_lambda(days: u32) -> f64 {
    2.0 / (f64::from(days) + 1.0)
}

/// λ = 1 / N, the time-constant form used for fitness and fatigue.
pub fn time_constant_lambda(days: u32) -> f64 {
    1.0 / f64::from(days)
}

pub const ACUTE_DAYS: usize = 7;
pub const CHRONIC_DAYS: usize = 28;
pub const FITNESS_DAYS: u32 = 42;
pub const FATIGUE_DAYS: u32 = 7;

/// One day of the load series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DayLoad {
    pub date: Date,
    /// Sum of the day's session loads (RPE × minutes).
    pub load: f64,
    /// Sum of the last 7 days' load, this day included.
    pub acute_sum: f64,
    /// Sum of the last 28 days' load, this day included.
    pub chronic_sum: f64,
    /// Rolling 7/28-day ACWR: `acute_sum / (chronic_sum / 4)`.
    pub acwr: Option<f64>,
    pub acute_ewma: f64,
    pub chronic_ewma: f64,
    /// `acute_ewma / chronic_ewma` (Williams 2017).
    pub acwr_ewma: Option<f64>,
    /// 42-day exponentially weighted load.
    pub fitness: f64,
    /// 7-day exponentially weighted load.
    pub fatigue: f64,
    /// Fitness − fatigue.
    pub form: f64,
}

/// One 7-day block of the series (complete weeks only get monotony).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeekLoad {
    pub start: Date,
    pub days: u8,
    pub load: f64,
    /// Mean daily load over the 7 days.
    pub mean: f64,
    /// Population standard deviation of the 7 daily loads.
    pub sd: f64,
    pub monotony: Option<f64>,
    pub strain: Option<f64>,
    /// The rolling ACWR on the week's last day.
    pub acwr: Option<f64>,
    pub acwr_ewma: Option<f64>,
}

/// Daily and weekly load of a date range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub days: Vec<DayLoad>,
    pub weeks: Vec<WeekLoad>,
}

impl LoadReport {
    /// The day's entry, if the date is inside the series.
    pub fn on(&self, date: Date) -> Option<&DayLoad> {
        let first = self.days.first()?.date;
        let i = usize::try_from((date - first).get_days()).ok()?;
        self.days.get(i)
    }
}

/// Days from `from` to `to` inclusive (0 when `to` is before `from`).
fn span_days(from: Date, to: Date) -> usize {
    usize::try_from((to - from).get_days() + 1).unwrap_or(0)
}

/// Daily load from `from` to `to` inclusive, days without a log as zero.
/// The logs need not be sorted; logs outside the range are ignored.
pub fn daily_loads<'a>(
    logs: impl IntoIterator<Item = &'a LoggedSession>,
    from: Date,
    to: Date,
) -> Vec<f64> {
    let mut daily = vec![0.0; span_days(from, to)];
    for log in logs {
        let i = (log.date - from).get_days();
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| daily.get_mut(i)) {
            *slot += log.load();
        }
    }
    daily
}

/// Load report of the logs from `from` to `to` inclusive.
pub fn report<'a>(
    logs: impl IntoIterator<Item = &'a LoggedSession>,
    from: Date,
    to: Date,
) -> LoadReport {
    series(from, &daily_loads(logs, from, to))
}

/// Below this a load sum counts as zero (guards the running sums against
/// floating-point residue after long rest).
const ZERO: f64 = 1e-9;

/// Every metric of a daily load series starting on `from`, in one pass.
/// Negative or non-finite loads are read as zero.
pub fn series(from: Date, daily: &[f64]) -> LoadReport {
    let (la, lc) = (
        williams_lambda(ACUTE_DAYS as u32),
        williams_lambda(CHRONIC_DAYS as u32),
    );
    let (lfit, lfat) = (
        time_constant_lambda(FITNESS_DAYS),
        time_constant_lambda(FATIGUE_DAYS),
    );
    let clean = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
    let mut days = Vec::with_capacity(daily.len());
    let mut weeks = Vec::with_capacity(daily.len() / 7 + 1);
    let (mut acute, mut chronic) = (0.0f64, 0.0f64);
    let (mut ea, mut ec, mut fit, mut fat) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut week = [0.0f64; 7];
    let mut date = from;
    for (i, &raw) in daily.iter().enumerate() {
        let x = clean(raw);
        acute += x;
        chronic += x;
        if i >= ACUTE_DAYS {
            acute -= clean(daily[i - ACUTE_DAYS]);
        }
        if i >= CHRONIC_DAYS {
            chronic -= clean(daily[i - CHRONIC_DAYS]);
        }
        acute = acute.max(0.0);
        chronic = chronic.max(0.0);
        ea += la * (x - ea);
        ec += lc * (x - ec);
        fit += lfit * (x - fit);
        fat += lfat * (x - fat);
        let history = i + 1 >= CHRONIC_DAYS;
        let acwr = (history && chronic > ZERO).then(|| acute / (chronic / 4.0));
        let acwr_ewma = (history && ec > ZERO).then(|| ea / ec);
        days.push(DayLoad {
            date,
            load: x,
            acute_sum: acute,
            chronic_sum: chronic,
            acwr,
            acute_ewma: ea,
            chronic_ewma: ec,
            acwr_ewma,
            fitness: fit,
            fatigue: fat,
            form: fit - fat,
        });
        week[i % 7] = x;
        let last = i + 1 == daily.len();
        if i % 7 == 6 || last {
            let n = i % 7 + 1;
            let start = date.checked_sub((n as i64 - 1).days()).unwrap_or(date);
            weeks.push(week_load(start, &week[..n], acwr, acwr_ewma));
        }
        date = date.tomorrow().unwrap_or(date);
    }
    LoadReport { days, weeks }
}

fn week_load(start: Date, loads: &[f64], acwr: Option<f64>, acwr_ewma: Option<f64>) -> WeekLoad {
    let n = loads.len() as f64;
    let load: f64 = loads.iter().sum();
    let mean = load / n;
    let sd = (loads.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let complete = loads.len() == 7;
    // Equal loads can leave a rounding residue in the deviation: treat a
    // deviation below a billionth of the mean as zero.
    let monotony = (complete && sd > ZERO * mean.max(1.0)).then(|| mean / sd);
    WeekLoad {
        start,
        days: loads.len() as u8,
        load,
        mean,
        sd,
        monotony,
        strain: monotony.map(|m| load * m),
        acwr,
        acwr_ewma,
    }
}

/// Planned against done for one plan week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeekCompliance {
    pub start: Date,
    /// Planned running km, race included.
    pub planned_km: f64,
    /// Every logged running km in the week, unplanned runs included.
    pub done_km: f64,
    pub planned_minutes: f64,
    pub done_minutes: f64,
    /// Share of the planned running that was done (0..=1): per day, the
    /// done km up to that day's plan, over the planned km; minutes when
    /// the week plans no distance; `None` when it plans no running.
    pub compliance: Option<f64>,
}

/// Compliance of one plan week against the log.
pub fn compliance(week: &Week, logs: &[LoggedSession]) -> WeekCompliance {
    let mut plan_km = [0.0f64; 7];
    let mut plan_min = [0.0f64; 7];
    for day in &week.days {
        let Ok(i @ 0..7) = usize::try_from((day.date - week.start).get_days()) else {
            continue;
        };
        for s in day.sessions.iter().filter(|s| s.kind.is_run()) {
            plan_km[i] += s.km();
            plan_min[i] += f64::from(s.duration_s.unwrap_or(0)) / 60.0;
        }
    }
    let mut done_km = [0.0f64; 7];
    let mut done_min = [0.0f64; 7];
    for log in logs.iter().filter(|l| l.kind.is_run()) {
        let i = (log.date - week.start).get_days();
        if let Ok(i @ 0..7) = usize::try_from(i) {
            done_km[i] += log.run_km();
            if log.status != LogStatus::Skipped {
                done_min[i] += log.minutes();
            }
        }
    }
    let planned_km: f64 = plan_km.iter().sum();
    let planned_minutes: f64 = plan_min.iter().sum();
    let met = |done: &[f64; 7], plan: &[f64; 7]| -> f64 {
        done.iter().zip(plan).map(|(d, p)| d.min(*p)).sum()
    };
    let compliance = if planned_km > 0.0 {
        Some(met(&done_km, &plan_km) / planned_km)
    } else if planned_minutes > 0.0 {
        Some(met(&done_min, &plan_min) / planned_minutes)
    } else {
        None
    };
    WeekCompliance {
        start: week.start,
        planned_km,
        done_km: done_km.iter().sum(),
        planned_minutes,
        done_minutes: done_min.iter().sum(),
        compliance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sport::Sport;

    fn day() -> Date {
        jiff::civil::date(2026, 3, 2)
    }

    #[test]
    fn an_imported_run_counts_rounded_to_the_second_and_metre() {
        let run = LoggedSession::imported_run(day(), &Sport::Running, 10_049.6, 3_599.6, 3_700.0)
            .expect("a run counts");
        assert_eq!(
            (run.date, run.kind, run.status, run.rpe),
            (
                day(),
                ActivityKind::Run,
                LogStatus::Done,
                Some(IMPORTED_RUN_RPE)
            )
        );
        assert_eq!((run.distance_m, run.duration_s), (10_050, 3_600));
        let short =
            LoggedSession::imported_run(day(), &Sport::TrailRunning, 10_049.4, 3_599.4, 0.0)
                .expect("a trail run counts");
        assert_eq!((short.distance_m, short.duration_s), (10_049, 3_599));
    }

    #[test]
    fn an_imported_run_without_moving_time_counts_its_elapsed_time() {
        let run =
            LoggedSession::imported_run(day(), &Sport::Running, 5_000.0, 0.0, 1_800.4).unwrap();
        assert_eq!(run.duration_s, 1_800);
    }

    #[test]
    fn other_sports_and_broken_numbers_are_handled() {
        assert_eq!(
            LoggedSession::imported_run(day(), &Sport::Cycling, 40_000.0, 3_600.0, 3_600.0),
            None
        );
        let broken =
            LoggedSession::imported_run(day(), &Sport::Running, f64::NAN, -5.0, f64::INFINITY)
                .unwrap();
        assert_eq!((broken.distance_m, broken.duration_s), (0, MAX_DURATION_S));
        let huge =
            LoggedSession::imported_run(day(), &Sport::Running, 5e6, 200_000.0, 0.0).unwrap();
        assert_eq!(
            (huge.distance_m, huge.duration_s),
            (MAX_DISTANCE_M, MAX_DURATION_S)
        );
    }
}
