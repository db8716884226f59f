//! What a runner asks for (§1 of the training rules), read from loose text
//! (CLI flags, API JSON) into a request the engine can trust.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use super::model::{Level, Niggle, weekday_name};
use crate::exercises::Equipment;
use crate::science::RaceResult;
use crate::units::{Distance, RaceTime, Units};

/// The request as typed: every field text or a number, nothing trusted yet.
/// Field names are the public API's (`POST /api/v1/plans`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub race: String,
    pub race_date: String,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub weeks: Option<u32>,
    pub run_days: Vec<String>,
    pub long_run_day: String,
    pub level: String,
    pub weekly_km: f64,
    #[serde(default)]
    pub longest_run_km: Option<f64>,
    #[serde(default)]
    pub recent: Option<RecentInput>,
    pub strength_days: u8,
    #[serde(default)]
    pub new_to_strength: bool,
    #[serde(default)]
    pub equipment: Vec<String>,
    #[serde(default)]
    pub niggles: Vec<String>,
    #[serde(default)]
    pub units: Option<String>,
    /// The day the plan is asked for (YYYY-MM-DD); a race before it is
    /// refused. The CLI fills it from `--today` or the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<String>,
    /// Weekday each plan week starts on; by default weeks end on race day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_start: Option<String>,
    /// The article's self-check findings: `wobbly-balance`, `knee-drift`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub self_check: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentInput {
    pub distance: String,
    pub time: String,
}

/// One problem with one field, in words a runner can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// A request the engine can plan from: every value checked and typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub race: Distance,
    pub race_date: Date,
    pub start: Date,
    pub run_days: Vec<Weekday>,
    pub long_run_day: Weekday,
    pub level: Level,
    pub weekly_km: f64,
    pub longest_run_km: Option<f64>,
    pub recent: Option<RaceResult>,
    pub strength_days: u8,
    pub new_to_strength: bool,
    pub equipment: Vec<Equipment>,
    pub niggles: Vec<Niggle>,
    pub units: Units,
    pub self_check: Vec<SelfCheck>,
}

/// What the article's quick self-test showed: a wobble standing on one leg
/// for 30 s, or knees drifting inward in a bodyweight squat. Either asks for
/// more abductor and single-leg stability work from week 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SelfCheck {
    WobblyBalance,
    KneeDrift,
}

pub fn parse_self_check(s: &str) -> Result<SelfCheck, String> {
    match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "wobbly-balance" | "wobbly" | "balance" => Ok(SelfCheck::WobblyBalance),
        "knee-drift" | "knees-drift" | "knee-valgus" => Ok(SelfCheck::KneeDrift),
        _ => Err(format!(
            "unknown self-check '{s}': expected wobbly-balance or knee-drift"
        )),
    }
}

pub const MAX_WEEKS: u32 = 52;
pub const MIN_WEEKS: u32 = 2;

/// Race distances a plan is built for: a 3 km fun run up to a 100 km ultra.
const RACE_KM: (f64, f64) = (3.0, 100.0);

/// The fewest weeks from the start to a race of this length that still make
/// a plan rather than a gamble; closer races are refused.
pub fn min_weeks(race_metres: f64) -> u32 {
    match race_metres {
        m if m <= 7_500.0 => 3,
        m if m <= 16_000.0 => 4,
        m if m <= 25_000.0 => 5,
        _ => 6,
    }
}

impl PlanRequest {
    /// Weeks from the start to race week, inclusive.
    pub fn weeks(&self) -> u32 {
        let days = (self.race_date - self.start).get_days();
        (days / 7 + 1) as u32
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    crate::dates::parse(s).map_err(|e| format!("{e}, e.g. 2027-04-25"))
}

pub fn parse_level(s: &str) -> Result<Level, String> {
    match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "first-timer" | "beginner" | "first" | "novice" => Ok(Level::FirstTimer),
        "experienced" | "intermediate" | "advanced" => Ok(Level::Experienced),
        _ => Err(format!(
            "unknown level '{s}': expected first-timer or experienced"
        )),
    }
}

pub fn parse_niggle(s: &str) -> Result<Niggle, String> {
    match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "knee" | "patellofemoral" | "runners-knee" => Ok(Niggle::Knee),
        "itb" | "it-band" | "itband" => Ok(Niggle::Itb),
        "hip-flexor" | "hipflexor" | "hip-flexors" => Ok(Niggle::HipFlexor),
        "low-back" | "lower-back" | "back" => Ok(Niggle::LowBack),
        _ => Err(format!(
            "unknown niggle '{s}': expected knee, itb, hip-flexor or low-back"
        )),
    }
}

impl PlanInput {
    /// [`PlanInput::validate`] for a plan stored today: its race must
    /// also lie within [`crate::dates::PLAN_HORIZON_YEARS`] of `today`.
    pub fn validate_on(&self, today: Date) -> Result<PlanRequest, Vec<FieldError>> {
        let too_far = crate::dates::parse(&self.race_date)
            .ok()
            .and_then(|d| crate::dates::within_plan_horizon(d, today).err())
            .map(|message| FieldError {
                field: "race_date",
                message,
            });
        match (self.validate(), too_far) {
            (result, None) => result,
            (Ok(_), Some(e)) => Err(vec![e]),
            (Err(mut errors), Some(e)) => {
                errors.push(e);
                Err(errors)
            }
        }
    }

    /// Checks every field and reports every problem, not just the first.
    pub fn validate(&self) -> Result<PlanRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err =
            |field: &'static str, message: String| errors.push(FieldError { field, message });

        let race = match self.race.parse::<Distance>() {
            Ok(d) if (RACE_KM.0..=RACE_KM.1).contains(&d.km()) => Some(d),
            Ok(d) => {
                err(
                    "race",
                    format!(
                        "race distance {} is outside the {:.0}–{:.0} km runcoach plans for",
                        d.name(),
                        RACE_KM.0,
                        RACE_KM.1
                    ),
                );
                None
            }
            Err(e) => {
                err("race", e.0);
                None
            }
        };
        let week_start = self.week_start.as_deref().and_then(|w| {
            let day = weekday_name::parse(w);
            if day.is_none() {
                err(
                    "week_start",
                    format!("unknown weekday '{w}' to start the week: use mon … sun"),
                );
            }
            day
        });
        let mut self_check = Vec::new();
        for c in &self.self_check {
            match parse_self_check(c) {
                Ok(x) if !self_check.contains(&x) => self_check.push(x),
                Ok(_) => {}
                Err(e) => err("self_check", e),
            }
        }
        self_check.sort();
        let race_date = parse_date(&self.race_date)
            .map_err(|e| err("race_date", format!("race date {e}")))
            .ok();
        let today = self.today.as_deref().and_then(|t| {
            parse_date(t)
                .map_err(|e| err("today", format!("today {e}")))
                .ok()
        });
        if let (Some(today), Some(race_date)) = (today, race_date)
            && race_date < today
        {
            err(
                "race_date",
                format!("race date {race_date} has already passed (today is {today})"),
            );
        }

        let mut run_days = Vec::new();
        for d in &self.run_days {
            match weekday_name::parse(d) {
                Some(day) if !run_days.contains(&day) => run_days.push(day),
                Some(day) => err(
                    "run_days",
                    format!(
                        "run day '{}' is given twice; list each day once",
                        weekday_name::name(day)
                    ),
                ),
                None => err(
                    "run_days",
                    format!("unknown weekday '{d}': use mon, tue, wed, thu, fri, sat or sun"),
                ),
            }
        }
        run_days.sort_by_key(|d| d.to_monday_zero_offset());
        if run_days.len() < 3 && self.run_days.len() == run_days.len() {
            err(
                "run_days",
                format!(
                    "{} run day(s) given; a plan needs at least 3 days a week to run",
                    run_days.len()
                ),
            );
        }
        let long_run_day = match weekday_name::parse(&self.long_run_day) {
            Some(d) if run_days.contains(&d) || run_days.len() != self.run_days.len() => Some(d),
            Some(d) => {
                err(
                    "long_run_day",
                    format!(
                        "long-run day '{}' is not one of the run days ({})",
                        weekday_name::name(d),
                        run_days
                            .iter()
                            .map(|d| weekday_name::name(*d))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                );
                None
            }
            None => {
                err(
                    "long_run_day",
                    format!("unknown weekday '{}' for the long run", self.long_run_day),
                );
                None
            }
        };
        let level = parse_level(&self.level).map_err(|e| err("level", e)).ok();

        if !(self.weekly_km.is_finite() && (3.0..=250.0).contains(&self.weekly_km)) {
            err(
                "weekly_km",
                format!(
                    "weekly volume {} km is outside 3–250 km; give what you run in a typical week now",
                    self.weekly_km
                ),
            );
        }
        if let Some(l) = self.longest_run_km {
            if !(l.is_finite() && (1.0..=100.0).contains(&l)) {
                err(
                    "longest_run_km",
                    format!("longest recent run {l} km is outside 1–100 km"),
                );
            } else if (3.0..=250.0).contains(&self.weekly_km) && l > self.weekly_km {
                err(
                    "longest_run_km",
                    format!(
                        "longest recent run {l} km is more than the weekly volume {} km",
                        self.weekly_km
                    ),
                );
            }
        }
        let recent = self.recent.as_ref().and_then(|r| {
            let parsed = r
                .distance
                .parse::<Distance>()
                .and_then(|d| r.time.parse::<RaceTime>().map(|t| (d, t)))
                .and_then(|(d, t)| RaceResult::new(d, t));
            parsed.map_err(|e| err("recent", e.0)).ok()
        });
        if !(2..=3).contains(&self.strength_days) {
            err(
                "strength_days",
                format!(
                    "{} strength days a week: choose 2 or 3 short hip sessions",
                    self.strength_days
                ),
            );
        }
        let mut equipment = Vec::new();
        for e in &self.equipment {
            match e.parse::<Equipment>() {
                Ok(eq) if !equipment.contains(&eq) => equipment.push(eq),
                Ok(_) => {}
                Err(e) => err("equipment", e.0),
            }
        }
        equipment.sort();
        let mut niggles = Vec::new();
        for n in &self.niggles {
            match parse_niggle(n) {
                Ok(x) if !niggles.contains(&x) => niggles.push(x),
                Ok(_) => {}
                Err(e) => err("niggles", e),
            }
        }
        niggles.sort();
        let units = match &self.units {
            None => Some(Units::Km),
            Some(u) => u.parse::<Units>().map_err(|e| err("units", e.0)).ok(),
        };

        let start = match (&self.start, self.weeks, race_date) {
            (Some(_), Some(_), _) => {
                err(
                    "start",
                    "give either a start date or a number of weeks, not both".into(),
                );
                None
            }
            (Some(s), None, _) => parse_date(s)
                .map_err(|e| err("start", format!("start date {e}")))
                .ok()
                // Weeks start on the chosen weekday: the plan begins on the
                // first one on or after the date asked for.
                .map(|d| week_start.map_or(d, |ws| on_or_after(d, ws))),
            (None, Some(w), Some(race_date)) => {
                if !(MIN_WEEKS..=MAX_WEEKS).contains(&w) {
                    err(
                        "weeks",
                        format!("{w} weeks: a plan lasts {MIN_WEEKS}–{MAX_WEEKS} weeks"),
                    );
                    None
                } else {
                    // Race day ends the final week, or falls in the last week
                    // that starts on the chosen weekday.
                    let last_week = week_start.map_or(race_date - 6.days(), |ws| {
                        on_or_after(race_date - 6.days(), ws)
                    });
                    last_week.checked_sub((i64::from(w) * 7 - 7).days()).ok()
                }
            }
            (None, Some(_), None) => None,
            (None, None, _) => {
                err("start", "give a start date or a number of weeks".into());
                None
            }
        };
        if let (Some(start), Some(race_date)) = (start, race_date) {
            let days = i64::from((race_date - start).get_days());
            if days < 0 {
                err(
                    "race_date",
                    format!("race date {race_date} is before the start {start}"),
                );
            } else if days < i64::from(MIN_WEEKS) * 7 - 1 {
                err(
                    "race_date",
                    format!(
                        "race date {race_date} is only {days} days after the start; a plan needs at least {MIN_WEEKS} weeks"
                    ),
                );
            } else if let Some(r) = race
                .as_ref()
                .filter(|r| days / 7 + 1 < i64::from(min_weeks(r.metres())))
            {
                err(
                    "race_date",
                    format!(
                        "race date {race_date} is only {} week(s) from the start; a {} needs at least {} weeks of training, so choose a later race or a shorter one",
                        days / 7 + 1,
                        r.name(),
                        min_weeks(r.metres())
                    ),
                );
            } else if days / 7 + 1 > i64::from(MAX_WEEKS) {
                err(
                    "race_date",
                    format!(
                        "race date {race_date} is {} weeks away; plans run at most {MAX_WEEKS} weeks, so start later",
                        days / 7 + 1
                    ),
                );
            }
        }

        match (race, race_date, start, long_run_day, level, units) {
            (
                Some(race),
                Some(race_date),
                Some(start),
                Some(long_run_day),
                Some(level),
                Some(units),
            ) if errors.is_empty() => Ok(PlanRequest {
                race,
                race_date,
                start,
                run_days,
                long_run_day,
                level,
                weekly_km: self.weekly_km,
                longest_run_km: self.longest_run_km,
                recent,
                strength_days: self.strength_days,
                new_to_strength: self.new_to_strength,
                equipment,
                niggles,
                units,
                self_check,
            }),
            _ => Err(errors),
        }
    }
}

fn on_or_after(d: Date, day: Weekday) -> Date {
    let ahead = (day.to_monday_zero_offset() - d.weekday().to_monday_zero_offset()).rem_euclid(7);
    d + i64::from(ahead).days()
}

impl RecentInput {
    /// Reads the CLI form `10k:52:30` (distance, colon, time).
    pub fn parse(s: &str) -> Result<Self, String> {
        let (distance, time) = s
            .split_once(':')
            .ok_or_else(|| format!("--recent '{s}': expected DISTANCE:TIME, e.g. 10k:52:30"))?;
        Ok(Self {
            distance: distance.to_owned(),
            time: time.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn marathon_input() -> PlanInput {
        PlanInput {
            race: "marathon".into(),
            race_date: "2027-04-25".into(),
            start: Some("2026-12-21".into()),
            run_days: ["mon", "tue", "thu", "sat", "sun"]
                .map(String::from)
                .to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: 25.0,
            longest_run_km: Some(10.0),
            strength_days: 2,
            ..Default::default()
        }
    }

    fn errors(f: impl FnOnce(&mut PlanInput)) -> Vec<FieldError> {
        let mut input = marathon_input();
        f(&mut input);
        input.validate().unwrap_err()
    }

    #[test]
    fn valid_request_counts_weeks() {
        let r = marathon_input().validate().unwrap();
        assert_eq!(r.weeks(), 18);
        assert_eq!(r.run_days.len(), 5);
    }

    #[test]
    fn weeks_end_on_race_day() {
        let mut input = marathon_input();
        input.start = None;
        input.weeks = Some(18);
        let r = input.validate().unwrap();
        assert_eq!(r.start.to_string(), "2026-12-21");
        assert_eq!(r.weeks(), 18);
    }

    #[test]
    fn each_bad_field_is_named() {
        let e = errors(|i| i.run_days = vec!["mon".into(), "sun".into()]);
        assert_eq!(e[0].field, "run_days");
        assert!(e[0].message.contains("at least 3 days"), "{e:?}");
        let e = errors(|i| i.long_run_day = "wed".into());
        assert_eq!(
            e[0].message,
            "long-run day 'wed' is not one of the run days (mon,tue,thu,sat,sun)"
        );
        let e = errors(|i| i.race_date = "2026-12-01".into());
        assert_eq!(
            e[0].message,
            "race date 2026-12-01 is before the start 2026-12-21"
        );
        let e = errors(|i| i.race_date = "2027-02-30".into());
        assert!(
            e[0].message.contains("'2027-02-30' is not a real date"),
            "{e:?}"
        );
        let e = errors(|i| i.strength_days = 5);
        assert_eq!(e[0].field, "strength_days");
        let e = errors(|i| i.run_days.push("funday".into()));
        assert!(e[0].message.contains("unknown weekday 'funday'"));
        for km in [0.0, 400.0] {
            let e = errors(|i| i.weekly_km = km);
            assert_eq!(e[0].field, "weekly_km");
        }
        let e = errors(|i| {
            i.weekly_km = 0.0;
            i.strength_days = 5;
        });
        assert_eq!(e.len(), 2, "every problem reported: {e:?}");
    }
}
