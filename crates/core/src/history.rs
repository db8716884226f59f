//! What a runner's imported history says about them today: the numbers that
//! pre-fill onboarding (weekly volume, longest recent run, a recent result, level).
//!
//! Pure: the caller passes the activities (already deduplicated) and `today`, both
//! in the runner's own calendar (convert UTC start times to local dates at the edge).
//!
//! The rules, each a constant below:
//! - **Weekly volume**: running km per week, the mean of the last
//!   [`VOLUME_WEEKS`] full Monday–Sunday weeks before the week holding `today` (the
//!   current, unfinished week is left out so a Tuesday does not halve the number).
//! - **Longest recent run**: the longest run dated in the [`LONGEST_RUN_DAYS`] days
//!   up to and including `today`.
//! - **Best effort → VDOT**: every run of at least [`BEST_EFFORT_MIN_M`] in the
//!   [`BEST_EFFORT_DAYS`] days up to `today`, taken whole (its distance and its
//!   elapsed time, or moving time when the file has no elapsed time), scored with
//!   [`crate::science::race_vdot`]; the best is the estimate. It is an
//!   **estimate**: whole training runs include warm-ups and easy running, so it
//!   under-reads fitness unless the runner raced; runs faster than the world record
//!   (a ride tagged as a run, a GPS glitch) are ignored.
//! - **Level**: first-timer when the mean over the last [`LEVEL_WEEKS`] full weeks
//!   is under [`FIRST_TIMER_MAX_WEEKLY_KM`] *and* no run in the whole history
//!   reached [`FIRST_TIMER_MAX_RUN_KM`]; otherwise experienced. Someone who has run
//!   15 km has met long runs before, whatever their volume lately.
//!
//! Running means road, track, treadmill and trail running ([`HistoryActivity::running`]);
//! other sports are passed in but not counted.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::plan::{Level, PlanInput, RecentInput};
use crate::science::RaceResult;
use crate::units::{Distance, RaceTime, Units, format_clock};

/// Full weeks averaged for the current weekly volume.
pub const VOLUME_WEEKS: i64 = 4;
/// Days looked back for the longest recent run (6 weeks).
pub const LONGEST_RUN_DAYS: i64 = 42;
/// Days looked back for best efforts (12 weeks).
pub const BEST_EFFORT_DAYS: i64 = 84;
/// Shortest run scored as a best effort, metres.
pub const BEST_EFFORT_MIN_M: f64 = 3000.0;
/// Full weeks averaged for the level guess.
pub const LEVEL_WEEKS: i64 = 12;
/// Below this mean weekly volume (km) a runner may be a first-timer.
pub const FIRST_TIMER_MAX_WEEKLY_KM: f64 = 15.0;
/// A run this long (km) anywhere in the history makes a runner experienced.
pub const FIRST_TIMER_MAX_RUN_KM: f64 = 15.0;

/// One activity as history needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryActivity {
    /// The day it started, in the runner's calendar.
    pub date: Date,
    /// Road, track, treadmill or trail running (other sports are not counted).
    pub running: bool,
    /// Metres.
    pub distance_m: f64,
    /// Moving (timer) time, seconds.
    pub moving_s: f64,
    /// Elapsed time, seconds (0 when unknown).
    pub elapsed_s: f64,
}

/// Running km in one Monday–Sunday week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekVolume {
    /// The week's Monday.
    pub monday: Date,
    /// Running kilometres that week.
    pub km: f64,
}

/// The best whole-run effort of the recent weeks and the VDOT it implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestEffort {
    /// When it was run.
    pub date: Date,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub time_s: f64,
    /// VDOT of the run taken as a race: an estimate (see the module docs).
    pub vdot: f64,
}

/// What the history says, ready to pre-fill onboarding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySummary {
    /// The day the summary was made for.
    pub today: Date,
    /// Mean running km of the last [`VOLUME_WEEKS`] full weeks.
    pub weekly_km: f64,
    /// Those weeks, oldest first.
    pub recent_weeks: Vec<WeekVolume>,
    /// Mean running km of the last [`LEVEL_WEEKS`] full weeks.
    pub average_weekly_km_12_weeks: f64,
    /// Longest run of the last [`LONGEST_RUN_DAYS`] days, km.
    pub longest_run_km: Option<f64>,
    /// Longest run anywhere in the history, km.
    pub longest_run_ever_km: Option<f64>,
    /// The best effort of the last [`BEST_EFFORT_DAYS`] days.
    pub best_effort: Option<BestEffort>,
    /// The level guess.
    pub level: Level,
    /// Why that level, in the runner's words.
    pub level_reason: String,
    /// Runs counted anywhere in the history.
    pub runs: usize,
    /// Caveats to show next to the numbers.
    pub notes: Vec<String>,
}

impl HistorySummary {
    /// The best effort as the plan form's recent result: distance in km to 10 m and
    /// time to the second (`{"distance": "10.02k", "time": "44:10"}`), both readable by
    /// the form's parsers.
    pub fn recent_input(&self) -> Option<RecentInput> {
        let effort = self.best_effort.as_ref()?;
        let km = (effort.distance_m / 10.0).round() / 100.0;
        let text = format!("{km:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        Some(RecentInput {
            distance: format!("{text}k"),
            time: format_clock(effort.time_s.round()),
        })
    }

    /// Fills the onboarding form from the history: weekly km (to 0.1), longest
    /// recent run (to 0.1 km), level and the recent result. Fields the history has
    /// nothing for are left as they were.
    pub fn prefill(&self, input: &mut PlanInput) {
        input.weekly_km = (self.weekly_km * 10.0).round() / 10.0;
        if let Some(km) = self.longest_run_km {
            input.longest_run_km = Some((km * 10.0).round() / 10.0);
        }
        input.level = match self.level {
            Level::FirstTimer => "first-timer",
            Level::Experienced => "experienced",
        }
        .to_owned();
        if let Some(recent) = self.recent_input() {
            input.recent = Some(recent);
        }
    }
}

/// Summarises a history as of `today` (see the module docs for the rules).
/// Activities after `today` are ignored.
pub fn summarise(activities: &[HistoryActivity], today: Date) -> HistorySummary {
    let runs: Vec<&HistoryActivity> = activities
        .iter()
        .filter(|a| a.running && a.date <= today && a.distance_m.is_finite() && a.distance_m > 0.0)
        .collect();
    let this_monday = today
        .checked_sub((today.weekday().to_monday_zero_offset() as i64).days())
        .expect("dates far from the edges of the calendar");
    let week_km = |weeks_back: i64| -> WeekVolume {
        let monday = this_monday
            .checked_sub((7 * weeks_back).days())
            .expect("dates far from the edges of the calendar");
        let next = monday.checked_add(7.days()).expect("in range");
        let km = runs
            .iter()
            .filter(|r| r.date >= monday && r.date < next)
            .map(|r| r.distance_m)
            .sum::<f64>()
            / 1000.0;
        WeekVolume { monday, km }
    };
    let level_weeks: Vec<WeekVolume> = (1..=LEVEL_WEEKS).rev().map(week_km).collect();
    let recent_weeks: Vec<WeekVolume> =
        level_weeks[(LEVEL_WEEKS - VOLUME_WEEKS) as usize..].to_vec();
    let mean = |weeks: &[WeekVolume]| weeks.iter().map(|w| w.km).sum::<f64>() / weeks.len() as f64;
    let weekly_km = mean(&recent_weeks);
    let average_12 = mean(&level_weeks);

    let since = |days: i64| today.checked_sub((days - 1).days()).expect("in range");
    let longest_since = since(LONGEST_RUN_DAYS);
    let longest_run_km = runs
        .iter()
        .filter(|r| r.date >= longest_since)
        .map(|r| r.distance_m / 1000.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    let longest_run_ever_km = runs
        .iter()
        .map(|r| r.distance_m / 1000.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));

    let effort_since = since(BEST_EFFORT_DAYS);
    let best_effort = runs
        .iter()
        .filter(|r| r.date >= effort_since && r.distance_m >= BEST_EFFORT_MIN_M)
        .filter_map(|r| {
            let time_s = if r.elapsed_s > 0.0 {
                r.elapsed_s
            } else {
                r.moving_s
            };
            let result = RaceResult::new(
                Distance::from_metres(r.distance_m)?,
                RaceTime::from_seconds(time_s)?,
            )
            .ok()?;
            Some(BestEffort {
                date: r.date,
                distance_m: r.distance_m,
                time_s,
                vdot: result.vdot().value(),
            })
        })
        .fold(None, |best: Option<BestEffort>, e| match best {
            Some(b) if b.vdot >= e.vdot => Some(b),
            _ => Some(e),
        });

    let long_ever = longest_run_ever_km.unwrap_or(0.0);
    let (level, level_reason) = if average_12 < FIRST_TIMER_MAX_WEEKLY_KM
        && long_ever < FIRST_TIMER_MAX_RUN_KM
    {
        (
            Level::FirstTimer,
            format!(
                "{} a week over the last {LEVEL_WEEKS} weeks and no run of \
                     {FIRST_TIMER_MAX_RUN_KM:.0} km or more yet: a first-timer's plan builds up gently",
                Units::Km.distance(average_12)
            ),
        )
    } else if long_ever >= FIRST_TIMER_MAX_RUN_KM {
        (
            Level::Experienced,
            format!(
                "you have run {} in one go: long runs are familiar ground",
                Units::Km.distance(long_ever)
            ),
        )
    } else {
        (
            Level::Experienced,
            format!(
                "{} a week over the last {LEVEL_WEEKS} weeks: a steady base",
                Units::Km.distance(average_12)
            ),
        )
    };

    let mut notes = Vec::new();
    if let Some(e) = &best_effort {
        notes.push(format!(
            "VDOT {:.1} is an estimate from your best whole run of the last {} weeks \
             ({:.2} km in {}), not from a race: a recent race result gives truer paces",
            e.vdot,
            BEST_EFFORT_DAYS / 7,
            e.distance_m / 1000.0,
            format_clock(e.time_s.round())
        ));
    }
    if runs.is_empty() {
        notes.push("no runs in the history: enter your weekly km by hand".to_owned());
    }

    HistorySummary {
        today,
        weekly_km,
        recent_weeks,
        average_weekly_km_12_weeks: average_12,
        longest_run_km,
        longest_run_ever_km,
        best_effort,
        level,
        level_reason,
        runs: runs.len(),
        notes,
    }
}
