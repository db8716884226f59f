//! The plan engine, in stages a coach can follow:
//! 1. [`shape`]: plan length, phases, weekly volumes, long runs, taper;
//! 2. [`placement`]: which weekday gets which run;
//! 3. [`strength`]: hip strength and mobility around the runs;
//! 4. [`workouts`]: structure and pace or effort targets of each run;
//! 5. [`why`]: the explanation every session carries.
//!
//! Pure and deterministic: identical requests give identical plans.

pub mod edit;
pub mod feasibility;
pub mod library;
pub mod model;
pub mod niggles;
pub mod placement;
pub mod profile;
pub mod request;
pub mod shape;
pub mod sizing;
pub mod strength;
pub mod template;
pub mod why;
pub mod workouts;

use jiff::ToSpan;
use jiff::civil::Date;

pub use model::*;
pub use request::{FieldError, PlanInput, PlanRequest, RecentInput, SelfCheck};

use library::{Flavour, Pick};
use placement::{Slot, day, layout};
use shape::{RaceCategory, WeekShape, long_run_share_cap_for_runs, shape};
use sizing::{RunLimits, Spread, spread};
use strength::{Rotation, Volume, focuses, strength_days};
use workouts::{Targets, quality, quality_kind};

use crate::science::{TrainingPaces, Vdot};

/// A VDOT to estimate durations when no race is known: a rough guess from
/// level and weekly volume. Targets then come as effort, not pace.
fn assumed_vdot(req: &PlanRequest) -> Vdot {
    let v = match req.level {
        Level::FirstTimer => (28.0 + req.weekly_km * 0.2).clamp(28.0, 42.0),
        Level::Experienced => (34.0 + req.weekly_km * 0.2).clamp(34.0, 55.0),
    };
    Vdot::new(v).expect("positive")
}

struct Context<'a> {
    req: &'a PlanRequest,
    cat: RaceCategory,
    targets: Targets,
    pace_source: Option<String>,
    total_weeks: u32,
    rotation: Rotation,
    /// Date of the latest quality session, so a week never opens with a
    /// hard day right after the last week's.
    last_quality: Option<Date>,
    limits: RunLimits,
    race_label: String,
    /// Paces' source in the runner's words (no VDOT), for the whys.
    pace_words: Option<String>,
    /// The quality sessions of the last two weeks, so none runs three
    /// weeks in a row.
    last_titles: [Vec<String>; 2],
    /// How far each kind of quality session has come along the workout
    /// library.
    progress: std::collections::HashMap<Pick, usize>,
    /// The last week's average run, so race-week runs stay shorter.
    last_avg_run: Option<f64>,
    /// The building weeks' long runs so far.
    building_longs: Vec<f64>,
    /// The long run of the last base or build week (not a recovery week):
    /// the next such week's long run does not fall below it.
    growth_long: f64,
    /// Weeks whose volume the run days could not carry: (week, wanted km,
    /// the most they carry).
    trimmed: Vec<(u32, f64, f64)>,
    /// The longest long run so far: a week too small to split never asks
    /// for one run longer than the runner has already done.
    longest_long: f64,
    /// Weeks before the taper.
    pre_taper: u32,
    /// Weeks the shape had to hold below what it wanted, for the warning.
    held: Vec<(u32, f64, f64)>,
    /// The weeks built so far.
    built: Vec<Week>,
    /// Each week's long-run cap (the peak long runs' exception included).
    shares: shape::LongShare,
}

impl shape::Carrier for Context<'_> {
    fn carries(&mut self, w: &WeekShape) -> (f64, f64) {
        let (most, long) = Context::carries(self, w);
        if most < w.km - 0.05 {
            self.held.push((w.index, w.km, most));
        }
        (most, long)
    }

    fn peek(&mut self, w: &WeekShape) -> (f64, f64) {
        Context::carries(self, w)
    }

    fn commit(&mut self, w: &WeekShape) -> f64 {
        let week = self.week(w);
        let km = week.training_km;
        self.built.push(week);
        km
    }
}

/// Builds the plan for a checked request.
pub fn build_plan(req: &PlanRequest) -> Plan {
    let known = req
        .recent
        .as_ref()
        .map(|r| TrainingPaces::from_vdot(r.vdot()));
    let assumed = known.unwrap_or_else(|| TrainingPaces::from_vdot(assumed_vdot(req)));
    let targets = Targets {
        known,
        assumed,
        units: req.units,
    };
    let cat = RaceCategory::of(req.race.metres());
    let easy_mid = 0.5 * (assumed.easy.fast.s_per_km() + assumed.easy.slow.s_per_km());
    let pace_source = req.recent.as_ref().map(|r| {
        format!(
            "your {} in {} (VDOT {:.1})",
            r.distance(),
            r.time(),
            r.vdot().value()
        )
    });
    // Sizing the runs can show that the run days carry less than the shape
    // wanted; the shape is then redrawn under those caps so recovery weeks
    // and the taper are measured from what is really planned.
    let mut caps: Vec<f64> = Vec::new();
    let mut first_trim = Vec::new();
    let mut pass = 0;
    let (weeks, mut warnings, ctx) = loop {
        let mut ctx = Context {
            req,
            cat,
            targets,
            pace_source: pace_source.clone(),
            total_weeks: req.weeks(),
            rotation: Rotation::new(&req.niggles),
            last_quality: None,
            limits: RunLimits::new(&targets),
            race_label: shape::race_label(&req.race),
            pace_words: req
                .recent
                .as_ref()
                .map(|r| format!("your {} in {}", r.distance(), r.time())),
            last_avg_run: None,
            building_longs: Vec::new(),
            growth_long: 0.0,
            progress: Default::default(),
            last_titles: Default::default(),
            trimmed: Vec::new(),
            longest_long: 0.0,
            pre_taper: req.weeks() - cat.taper_weeks(req.weeks()),
            held: Vec::new(),
            built: Vec::new(),
            shares: shape::LongShare::new(req, easy_mid),
        };
        let (_, warnings) = shape(req, easy_mid, &caps, &mut ctx);
        let weeks = std::mem::take(&mut ctx.built);
        if pass == 0 {
            first_trim = std::mem::take(&mut ctx.held);
            first_trim.extend(ctx.trimmed.iter().copied());
        }
        pass += 1;
        if ctx.trimmed.is_empty() || pass == 8 {
            break (weeks, warnings, ctx);
        }
        caps.resize(weeks.len(), f64::INFINITY);
        for &(i, _, most) in &ctx.trimmed {
            let c = &mut caps[i as usize - 1];
            *c = c.min(most);
        }
    };
    warnings.extend(shape::longest_run_warning(req, longest_run(&weeks)));
    // The warning quotes what the final plan holds in the weeks that were
    // trimmed at first.
    let held: Vec<(u32, f64, f64)> = first_trim
        .iter()
        .filter_map(|&(i, wanted, _)| {
            // Race week's runs are kept short on purpose: not a shortfall.
            let week = weeks
                .get(i as usize - 1)
                .filter(|w| w.phase != Phase::Race)?;
            Some((i, wanted, week.training_km))
        })
        .collect();
    if let Some(w) = why::volume_does_not_fit(&held, req) {
        warnings.insert(0, w);
    }
    if let Some(w) = req.recent.as_ref().and_then(|r| r.vdot().warning()) {
        warnings.push(w.to_string());
    }
    if let Some(w) = niggles::pain_rule(&req.niggles) {
        warnings.insert(0, w);
    }
    // A stretch goal leads: the runner reads the problem and the options
    // before anything else.
    if let Some(w) = feasibility::stretch(req, longest_run(&weeks)) {
        warnings.insert(0, w);
    }
    Plan {
        race: RaceInfo {
            name: req.race.name().to_owned(),
            distance_m: req.race.metres().round() as u32,
            date: req.race_date,
        },
        warnings,
        athlete: Some(Athlete {
            level: req.level,
            weekly_km: (req.weekly_km * 10.0).round() / 10.0,
            longest_run_km: req.longest_run_km.map(|k| (k * 10.0).round() / 10.0),
            long_run_day: req.long_run_day,
            run_days: req.run_days.clone(),
            strength_days: req.strength_days,
            new_to_strength: req.new_to_strength,
            equipment: req.equipment.clone(),
            niggles: req.niggles.clone(),
            units: req.units,
        }),
        paces: known.map(|p| PlanPaces {
            vdot: (p.vdot.value() * 10.0).round() / 10.0,
            source: ctx.pace_source.clone().unwrap_or_default(),
            easy: [
                p.easy.fast.s_per_km().round() as u32,
                p.easy.slow.s_per_km().round() as u32,
            ],
            marathon: p.marathon.s_per_km().round() as u32,
            threshold: p.threshold.s_per_km().round() as u32,
            interval: p.interval.s_per_km().round() as u32,
            repetition: p.repetition.s_per_km().round() as u32,
        }),
        weeks,
    }
}

/// The longest run of these weeks, the race not counted (km).
pub fn longest_run(weeks: &[Week]) -> f64 {
    weeks
        .iter()
        .flat_map(|w| w.sessions())
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max)
}

fn floor_half(km: f64) -> f64 {
    (km * 2.0 + 1e-9).floor() / 2.0
}

/// Splits `total` km over runs with the given weights in 0.5 km steps so the
/// parts add up to `total` exactly.
fn split_km(total: f64, weights: &[f64]) -> Vec<f64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![0.0; weights.len()];
    }
    let mut parts: Vec<f64> = weights
        .iter()
        .map(|w| floor_half(total * w / sum))
        .collect();
    let mut left = total - parts.iter().sum::<f64>();
    let (mut i, n) = (0, parts.len());
    while left >= 0.5 - 1e-9 {
        parts[i % n] += 0.5;
        left -= 0.5;
        i += 1;
    }
    // The last sliver goes to the shortest run, which has most room.
    if let Some(p) = parts.iter_mut().min_by(|a, b| a.total_cmp(b)) {
        *p += left;
    }
    parts
}

/// A week's runs laid out: the slots, the quality sessions, the long run,
/// the easy kilometres, and the volume the runs carry.
struct Laid {
    slots: placement::Layout,
    sessions_q: Vec<Session>,
    long_km: f64,
    easy_total: f64,
    week_km: f64,
    long_cap_km: f64,
}

impl Context<'_> {
    fn dates(&self, w: &WeekShape) -> Vec<Date> {
        (0..7)
            .map(|d| w.start + d.days())
            .filter(|d| *d <= self.req.race_date)
            .collect()
    }

    fn week(&mut self, w: &WeekShape) -> Week {
        let req = self.req;
        let race_week = w.phase == Phase::Race;
        let units = req.units;
        let dates = self.dates(w);
        let max_runs = match req.level {
            Level::FirstTimer => 5,
            Level::Experienced => 7,
        };
        let (w, no_quality, long_dropped) = self.week_frame(w, &dates);
        let framed = w.clone();
        let w = &w;
        let Laid {
            slots,
            sessions_q,
            long_km,
            easy_total,
            week_km,
            long_cap_km,
        } = self.lay_out(w, &dates, no_quality, long_dropped);
        // A week whose long run falls just before the race is short on
        // purpose (its lone run no longer than the long runs so far), not a
        // shortfall for the shape to plan around.
        if week_km < w.km && !long_dropped {
            self.trimmed.push((w.index, w.km, week_km));
        }
        // Never the same long run three building weeks running (the shape
        // spaces them; the layout's rounding can still meet): half a
        // kilometre moves to the easy runs.
        let building = matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak) && !w.recovery;
        let same = |k: &f64| (k - long_km).abs() < 0.05;
        let easy_days_n = slots.iter().filter(|s| **s == Slot::Easy).count() as f64;
        let (long_km, easy_total, week_km) = if building
            && long_km >= 10.0
            && easy_total > 0.0
            && self.building_longs.len() >= 2
            && self.building_longs[self.building_longs.len() - 2..]
                .iter()
                .all(same)
        {
            // The easy runs stay within three quarters of the long run and
            // above their minimum: when they cannot take the half
            // kilometre, the long run grows by it instead (within its cap),
            // else the week is smaller by what they cannot carry.
            let most_easy = |long: f64| easy_days_n * self.limits.max_easy(Some(long));
            let least_easy = easy_days_n * self.limits.min_km;
            if easy_total + 0.5 <= most_easy(long_km - 0.5) + 1e-9 {
                (long_km - 0.5, easy_total + 0.5, week_km)
            } else if long_km + 0.5 <= long_cap_km + 1e-9
                && easy_total - 0.5 >= least_easy - 1e-9
                && easy_total - 0.5 <= most_easy(long_km + 0.5) + 1e-9
            {
                (long_km + 0.5, easy_total - 0.5, week_km)
            } else {
                let easy = easy_total.min(most_easy(long_km - 0.5));
                (long_km - 0.5, easy, week_km - 0.5 - (easy_total - easy))
            }
        } else {
            (long_km, easy_total, week_km)
        };
        if building && long_km > 0.0 {
            self.building_longs.push(long_km);
        }
        if growing(w) && long_km > 0.0 {
            self.growth_long = long_km;
        }
        let w = &WeekShape {
            km: week_km,
            long_km: long_cap_km,
            ..w.clone()
        };
        let long_day = day(req.long_run_day);
        let limits = self.limits;
        let min_run = if race_week {
            limits.shakeout_km
        } else {
            limits.min_km
        };

        // Distances: long and quality fixed, easy runs share the rest.
        let easy_days: Vec<usize> = (0..7).filter(|&d| slots[d] == Slot::Easy).collect();
        let runs_used = easy_days.len() + sessions_q.len() + usize::from(long_km > 0.0);
        let recovery_day = (long_day + 1) % 7;
        let max_easy = limits.max_easy((long_km > 0.0).then_some(long_km));
        // An ultra trains time on feet: in build and peak the day after the
        // long run (in the same week) is a second long run on tired legs,
        // growing with the long run, not a recovery jog.
        let day_after_long = dates
            .iter()
            .any(|x| day(x.weekday()) == long_day && dates.contains(&(*x + 1.days())));
        let back_to_back = (self.back_to_back_week(w) && long_km > 0.0 && day_after_long)
            .then(|| {
                back_to_back(
                    easy_total,
                    &easy_days,
                    recovery_day,
                    (min_run, max_easy),
                    limits.back_to_back(long_km),
                )
            })
            .flatten();
        let easy_km = back_to_back.clone().unwrap_or_else(|| {
            split_easy(
                easy_total,
                &easy_days,
                (!race_week).then_some(recovery_day),
                (min_run, max_easy),
            )
        });
        let hard_km: f64 = sessions_q.iter().map(Session::intensity_km).sum();
        // The long run's marathon-pace segments, from what the week's easy
        // share leaves (marathon pace counts half).
        let long_mp = (self.long_mp_week(w) && !lone_run_week(&easy_days, &sessions_q, long_km, w))
            .then(|| self.long_mp_run(long_km, (0.22 * w.km - hard_km) / 0.5))
            .flatten();
        let hard_km = hard_km + long_mp.as_ref().map_or(0.0, Session::intensity_km);
        let easy_share = if w.km > 0.0 {
            1.0 - hard_km / w.km
        } else {
            1.0
        };
        // A week with one run and no room for a long one: that run is easy.
        let lone_run = lone_run_week(&easy_days, &sessions_q, long_km, w);

        let mut km_by_day = [0.0; 7];
        let mut by_day: [Vec<Session>; 7] = Default::default();
        // Strides on the week's first easy run: in the base (a first-timer's
        // from week 4), and in a building week without a quality session.
        // An experienced runner's recovery week without a quality session
        // keeps strides.
        let experienced = req.level == Level::Experienced;
        let strides_wanted = match w.phase {
            _ if w.recovery => experienced && sessions_q.is_empty(),
            Phase::Base => experienced || w.index >= 4,
            Phase::Build | Phase::Peak => sessions_q.is_empty(),
            _ => false,
        } && matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak);
        let strides_day = easy_days
            .iter()
            .zip(&easy_km)
            .find(|(d, (km, recovery))| {
                !recovery
                    && *km >= workouts::STRIDES_MIN_RUN_KM
                    && !(back_to_back.is_some() && **d == recovery_day)
            })
            .map(|(d, _)| *d)
            .filter(|_| strides_wanted);
        for (&d, &(km, recovery)) in easy_days.iter().zip(&easy_km) {
            if km <= 0.0 {
                continue;
            }
            let b2b = back_to_back.is_some() && d == recovery_day;
            let kind = if recovery {
                SessionKind::Recovery
            } else if b2b {
                SessionKind::Long
            } else {
                SessionKind::Easy
            };
            let mut s = self.targets.steady(kind, km);
            if b2b {
                s.title = format!("Back-to-back long run {}", self.targets.dist(km));
            }
            s.why = if recovery {
                why::recovery_run(km, units)
            } else if b2b {
                why::back_to_back(km, long_km, units)
            } else {
                why::easy(km, easy_share, units)
            };
            if race_week {
                s.why = format!("{} {}", s.why, why::race_eve());
            }
            if strides_day == Some(d) {
                s = workouts::with_strides(s, &self.targets);
                s.why = format!("{} {}", s.why, why::strides());
            }
            km_by_day[d] = km;
            by_day[d].push(s);
        }
        if long_km > 0.0 {
            let kind = if lone_run {
                SessionKind::Easy
            } else {
                SessionKind::Long
            };
            let mp = long_mp.filter(|_| !lone_run);
            let mut s = mp
                .clone()
                .unwrap_or_else(|| self.targets.steady(kind, long_km));
            let share = long_run_share_cap_for_runs(w.km, runs_used);
            // Past its share only as a peak long run (the exception says so).
            let peak_note = (long_km > share * w.km + 0.05)
                .then(|| self.shares.peak_km(w.index, w.recovery))
                .flatten()
                .map(|_| format!(" {}", why::peak_long_run(units)))
                .unwrap_or_default();
            s.why = if lone_run {
                why::lone_run(long_km, units)
            } else if let Some(mp) = &mp {
                format!(
                    "{}{peak_note} {}",
                    why::long_run(
                        long_km,
                        w.km,
                        share,
                        (&self.cat, &self.race_label),
                        &format!("{:?}", req.long_run_day),
                        units,
                    ),
                    why::long_run_mp(mp.hard_km(), units)
                )
            } else {
                format!(
                    "{}{peak_note}",
                    why::long_run(
                        long_km,
                        w.km,
                        share,
                        (&self.cat, &self.race_label),
                        &format!("{:?}", req.long_run_day),
                        units,
                    )
                )
            };
            km_by_day[long_day] = long_km;
            if !lone_run {
                self.longest_long = self.longest_long.max(long_km);
            }
            if mp.is_some() {
                *self
                    .progress
                    .entry(Pick::plain(SessionKind::Long))
                    .or_default() += 1;
                let date = dates.iter().find(|x| day(x.weekday()) == long_day).copied();
                self.last_quality = self.last_quality.max(date);
            }
            let mut pre = strength::mobility(5, &req.niggles);
            pre.why = why::mobility(5);
            by_day[long_day].push(pre);
            by_day[long_day].push(s);
        }
        for (n, mut s) in sessions_q.into_iter().enumerate() {
            let d = (0..7)
                .find(|&d| slots[d] == Slot::Quality(n as u8))
                .expect("quality slot");
            s.why = match (race_week, library::flavour_of(&s.title)) {
                (true, _) => why::sharpener(s.hard_km(), units),
                (_, Flavour::Hills) => why::hills(s.hard_km(), units),
                (_, Flavour::Fartlek) => why::fartlek(s.hard_km(), units),
                (_, Flavour::RacePace) => why::race_pace(
                    &self.race_label,
                    s.hard_km(),
                    w.km,
                    self.pace_words.as_deref(),
                    units,
                ),
                (_, Flavour::Plain) => why::quality(
                    s.kind,
                    s.hard_km(),
                    w.km,
                    w.phase,
                    self.pace_words.as_deref(),
                    units,
                ),
            };
            if s.kind != SessionKind::MarathonPace {
                s.activation = strength::activation(&req.equipment);
                s.why = format!("{} {}", s.why, why::activation());
            }
            km_by_day[d] = s.km();
            let date = dates.iter().find(|x| day(x.weekday()) == d).copied();
            self.last_quality = self.last_quality.max(date);
            by_day[d].push(s);
        }
        if race_week {
            let race_day = day(req.race_date.weekday());
            let mut s = workouts::race(&self.race_label, req.race.metres(), &self.targets);
            s.why = why::race(
                &self.race_label,
                req.race.metres() / 1000.0,
                s.duration_s.zip(self.pace_words.as_deref()),
                units,
            );
            by_day[race_day].push(s);
        }

        // Stage 3: strength and mobility.
        let volume = match (race_week, w.phase, req.new_to_strength, w.index) {
            (true, ..) => Volume::RaceWeek,
            (_, Phase::Taper, ..) => Volume::Taper,
            (_, _, true, 1) => Volume::Intro,
            (_, _, true, 2) => Volume::Ramp,
            _ => Volume::Full,
        };
        let count = if race_week {
            1
        } else {
            usize::from(req.strength_days)
        };
        let mut strength_slots = slots;
        // An ultra's back-to-back long run is a hard day for strength too:
        // another day is preferred, and it never takes the heavy session.
        let b2b_day = back_to_back.is_some().then_some(recovery_day);
        if let Some(d) = b2b_day {
            strength_slots[d] = Slot::Quality(u8::MAX);
        }
        if race_week {
            // Only days at least two before the race can take strength work.
            let race_date = req.race_date;
            for (d, slot) in strength_slots.iter_mut().enumerate() {
                let on = dates.iter().find(|x| day(x.weekday()) == d);
                if on.is_none_or(|x| (race_date - *x).get_days() < 2) {
                    *slot = Slot::Long;
                }
            }
        }
        let last = day((w.start + 6.days()).weekday());
        let (days, heavy_at) = self.strength_placement(&strength_slots, count, &km_by_day, last);
        // Race week keeps one light session: nothing heavy so close to it.
        // Nor on a back-to-back long run: another day that fits takes it.
        let heavy_at = heavy_at.filter(|_| !race_week).and_then(|h| {
            if b2b_day != Some(days[h]) {
                return Some(h);
            }
            (0..days.len())
                .filter(|&i| {
                    Some(days[i]) != b2b_day
                        && days[i] != last
                        && strength::heavy_fits(&strength_slots, days[i])
                })
                .min_by(|&a, &b| km_by_day[days[a]].total_cmp(&km_by_day[days[b]]))
        });
        let stability = !req.self_check.is_empty();
        let abductor_bias = stability
            || req
                .niggles
                .iter()
                .any(|n| matches!(n, Niggle::Knee | Niggle::Itb));
        let focus = focuses(days.len(), heavy_at, abductor_bias);
        let six = req.level == Level::Experienced && !req.new_to_strength;
        for (nth, (&d, &f)) in days.iter().zip(&focus).enumerate() {
            // A week without the heavy session still covers single-leg
            // control, with light balance work.
            let balance = stability || (heavy_at.is_none() && nth == 0);
            let exercises =
                self.rotation
                    .session(f, volume, &req.niggles, &req.equipment, (six, balance));
            let minutes = strength::minutes(&exercises);
            let after = match by_day[d].iter().find(|s| s.kind.is_run()) {
                _ if b2b_day == Some(d) => {
                    "after your back-to-back long run, kept light (no heavy single-leg work on a long-run weekend)".to_owned()
                }
                Some(run) => format!("after your {} run", run.kind.label().to_lowercase()),
                None => "on a day without running".to_owned(),
            };
            let next = match slots[(d + 1) % 7] {
                Slot::Easy => "an easy run",
                Slot::Off => "a rest day",
                Slot::Quality(_) => "a hard session",
                Slot::Long => "the long run",
            };
            let light_week = heavy_at.is_none() && !race_week;
            let niggle_note = niggle_note(&req.niggles, &req.self_check);
            let place = why::StrengthPlace {
                nth: nth + 1,
                count: days.len(),
                after: &after,
                next,
                light_week,
            };
            by_day[d].push(Session {
                id: None,
                kind: SessionKind::Strength,
                title: format!("Hip strength {minutes} min"),
                distance_m: None,
                duration_s: None,
                minutes: Some(minutes),
                pace_s_per_km: None,
                rpe: None,
                steps: Vec::new(),
                exercises,
                activation: Vec::new(),
                why: why::strength(f, volume, &place, niggle_note),
            });
        }
        let first_timer_cap = runs_used == max_runs && req.run_days.len() > max_runs;
        for date in &dates {
            let d = day(date.weekday());
            let sessions = &mut by_day[d];
            if sessions.iter().any(|s| s.kind.is_run()) {
                continue;
            }
            let spare = req.run_days.contains(&date.weekday());
            if sessions.is_empty() || spare {
                let mut m = strength::mobility(10, &req.niggles);
                m.why = if !spare {
                    why::mobility(10)
                } else if (req.race_date - *date).get_days() == 1 {
                    why::race_eve_rest()
                } else if long_dropped && d == long_day {
                    why::long_run_dropped()
                } else {
                    why::spare_run_day(w.km, runs_used, first_timer_cap, units)
                };
                sessions.push(m);
            }
        }

        // The week's rule lives in the week's focus, once; each run's why
        // says only what is particular to that run.
        let level_note = why::level_note(req.level, w.index, w.phase);
        let days: Vec<Day> = dates
            .iter()
            .map(|date| {
                let mut sessions = std::mem::take(&mut by_day[day(date.weekday())]);
                for s in sessions
                    .iter_mut()
                    .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
                {
                    if let Some(n) = niggles::run_note(s.kind, &req.niggles) {
                        s.why = format!("{} {n}", s.why);
                    }
                }
                Day {
                    date: *date,
                    sessions,
                }
            })
            .collect();
        let week = Week {
            index: w.index,
            start: w.start,
            phase: w.phase,
            recovery: w.recovery,
            run_km: 0.0,
            training_km: 0.0,
            race_km: 0.0,
            run_minutes: 0,
            focus: String::new(),
            days,
        };
        let mut week = with_totals(week);
        // The focus speaks of the week as finally laid out: its real volume,
        // and a long run left out before the race said so (a week framed
        // into the taper measures from the peak so far).
        let peak_so_far = self.built.iter().map(|w| w.training_km).fold(0.0, f64::max);
        let final_shape = WeekShape {
            km: week.training_km,
            peak_km: if framed.peak_km > 0.0 {
                framed.peak_km
            } else {
                peak_so_far
            },
            ..framed
        };
        let mut focus = why::week(&final_shape, self.total_weeks, &self.race_label, units);
        if long_dropped {
            focus = format!("{focus} {}", why::long_run_dropped_week());
        }
        if let Some(n) = &level_note {
            focus = format!("{focus} {n}");
        }
        week.focus = focus;
        if !w.recovery && !race_week {
            for (_, s) in week.sessions().filter(|(_, s)| s.kind.is_quality()) {
                let pick = Pick {
                    kind: s.kind,
                    flavour: library::flavour_of(&s.title),
                };
                *self.progress.entry(pick).or_default() += 1;
            }
        }
        let titles = week
            .sessions()
            .filter(|(_, s)| s.kind.is_quality())
            .map(|(_, s)| s.title.clone())
            .collect();
        self.last_titles = [std::mem::take(&mut self.last_titles[1]), titles];
        let runs = week
            .sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .count();
        self.last_avg_run = (runs > 0).then(|| week.training_km / runs as f64);
        week
    }

    /// The week as planned around the race: which days may not hold a
    /// quality session, and whether the long run is dropped because it would
    /// fall just before the race (such a week already belongs to the taper).
    fn week_frame(&self, w: &WeekShape, dates: &[Date]) -> (WeekShape, u8, bool) {
        let req = self.req;
        let race_week = w.phase == Phase::Race;
        // Days that may not hold a quality session: the day after last
        // week's, and the two days before the race.
        let race_eve = |d: &Date| (1..=2).contains(&(req.race_date - *d).get_days());
        // Nor the day after last week's last long run (on the week's last
        // day: the long run itself, or an ultra's back-to-back after it):
        // the legs get an easy day before the next hard one, as they do
        // inside a week.
        let last_long = self.built.last().and_then(|b| {
            b.sessions()
                .filter(|(_, s)| s.kind == SessionKind::Long)
                .map(|(d, _)| d.date)
                .max()
        });
        let mut no_quality = 0u8;
        for d in dates {
            let after_hard = self.last_quality.is_some_and(|q| (*d - q).get_days() == 1);
            let after_long = last_long.is_some_and(|l| (*d - l).get_days() == 1);
            if after_hard || after_long || race_eve(d) {
                no_quality |= 1 << day(d.weekday());
            }
        }
        let long_date = dates.iter().find(|d| d.weekday() == req.long_run_day);
        let long_dropped = !race_week && long_date.is_some_and(race_eve);
        let framed = WeekShape {
            phase: if long_dropped { Phase::Taper } else { w.phase },
            recovery: w.recovery && !long_dropped,
            km: if long_dropped { w.km - w.long_km } else { w.km },
            long_km: if long_dropped { 0.0 } else { w.long_km },
            ..w.clone()
        };
        (framed, no_quality, long_dropped)
    }

    /// How much of the shape's volume this week's run days carry, for the
    /// shape to plan with (the long run dropped before a race counted back).
    fn carries(&self, w: &WeekShape) -> (f64, f64) {
        let dates = self.dates(w);
        let (framed, no_quality, long_dropped) = self.week_frame(w, &dates);
        let laid = self.lay_out(&framed, &dates, no_quality, long_dropped);
        (laid.week_km + (w.km - framed.km), laid.long_km)
    }

    /// Stage 2: lays the runs out over the week, with fewer runs when they
    /// would be too short to be worth doing, fewer quality sessions when the
    /// week cannot carry them, and less volume when the run days cannot.
    fn lay_out(&self, w: &WeekShape, dates: &[Date], no_quality: u8, long_dropped: bool) -> Laid {
        let req = self.req;
        let race_week = w.phase == Phase::Race;
        let max_runs = match req.level {
            Level::FirstTimer => 5,
            Level::Experienced => 7,
        };
        let long_day = day(req.long_run_day);
        let mut limits = self.limits;
        if race_week && let Some(avg) = self.last_avg_run {
            // Every race-week run shorter than the taper week's runs.
            limits.max_easy_km = (avg * 9.0).floor() / 10.0;
            limits.max_easy_km = limits.max_easy_km.max(limits.shakeout_km);
        }
        if (w.long_km <= 0.0 || long_dropped) && self.longest_long > 0.0 {
            // A week without a long run (one close to the race) never asks
            // for an easy run longer than the long runs so far.
            limits.max_easy_km = limits.max_easy_km.min(self.longest_long);
        }
        let min_run = if race_week {
            limits.shakeout_km
        } else {
            limits.min_km
        };
        let race_week_days = self.race_week_days(dates);
        // The sharpener: at least three days before the race, not the day
        // after a hard session.
        // ...and, like every race-week run, shorter than last week's runs.
        let sharpener = [false, true]
            .into_iter()
            .map(|short| workouts::sharpener(&self.cat, &self.targets, short))
            .find(|s| s.km() <= limits.max_easy_km);
        let sharpen_fits = sharpener.is_some();
        let sharpen_day = race_week_days
            .iter()
            .copied()
            .filter(|_| sharpen_fits)
            .find(|&d| {
                no_quality & (1 << d) == 0
                    && dates
                        .iter()
                        .any(|x| day(x.weekday()) == d && (req.race_date - *x).get_days() >= 3)
            });
        let top = if race_week {
            race_week_days.len()
        } else {
            req.run_days.len()
        }
        .min(max_runs);
        let mut week_km = w.km;
        // A long run too short for easy runs of 20 minutes beside it (a
        // runner whose longest run is short) grows to what they need, within
        // its share of the week.
        let beside_easy = (min_run / sizing::EASY_TO_LONG * 2.0).ceil() / 2.0;
        let mut long_cap_km = if w.long_km > 0.0 {
            w.long_km
                .max(beside_easy.min(floor_half(shape::long_run_cap_km(w.km))))
        } else {
            0.0
        };
        // Never past the step rule from the long runs so far, whatever the
        // week's share would allow.
        let step_cap = if self.longest_long > 0.0 {
            floor_half(shape::long_run_step_cap(self.longest_long))
        } else {
            f64::INFINITY
        };
        // A base or build week's long run does not fall below the last
        // one (only a recovery week, the peak's spacing, which the shape
        // asks for by a shorter long run, or the taper lowers it): a layout
        // that would cut it there gives way to one with fewer runs.
        let long_floor = if growing(w) {
            self.growth_long.min(w.long_km)
        } else {
            0.0
        };
        // A marathon-pace long run is the week's second hard day: one
        // session midweek, never the day after it.
        let long_mp = self.long_mp_week(w);
        let no_quality = if long_mp {
            no_quality | 1 << ((long_day + 1) % 7)
        } else {
            no_quality
        };
        // Nor the day after an ultra's back-to-back long run.
        let no_quality = if self.back_to_back_week(w) {
            no_quality | 1 << ((long_day + 2) % 7)
        } else {
            no_quality
        };
        // The week's quality sessions, built once: the layouts below only
        // choose how many of them fit.
        let options: Vec<Session> = (0..w.quality.min(if long_mp { 1 } else { 2 }))
            .map(|n| {
                if let Some(s) = sharpener.as_ref().filter(|_| race_week) {
                    return Some(s.clone());
                }
                let pick = if long_mp {
                    // Threshold and VO2 work take turns beside it.
                    Pick::plain(
                        [SessionKind::Tempo, SessionKind::Intervals][(w.index % 2) as usize],
                    )
                } else {
                    quality_kind(
                        &self.cat,
                        w.phase,
                        n,
                        w.index,
                        self.race_specific_week(w),
                        req.race.metres(),
                    )
                };
                // A niggle's swap is the plain session of the other kind.
                let kind = niggles::instead(pick.kind, w.phase, &req.niggles);
                let pick = if kind == pick.kind {
                    pick
                } else {
                    Pick::plain(kind)
                };
                Some(self.quality_session(pick, w))
            })
            // A recovery week's session is cut (see `RECOVERY_QUALITY_SHARE`);
            // one that cannot be becomes strides on an easy run.
            .filter_map(|s| {
                s.filter(|s| {
                    !w.recovery
                        || s.hard_km() <= shape::recovery_quality_cap(&self.built, s.kind) + 0.05
                })
            })
            // A first-timer's session that no cut brings within its share
            // of the week gives way to easy running.
            .filter(|s| {
                race_week
                    || req.level != Level::FirstTimer
                    || s.km() <= sizing::first_timer_quality_km(w.km) + 0.05
            })
            .collect();
        // Quality sessions are kept before run days: from the most quality
        // sessions and runs down, the first layout whose runs are all worth
        // doing wins. With every run day in use and still too much volume,
        // the week carries what its runs can.
        // The long run carries the block: a second quality session that
        // would cut it well short gives way (the first one stays).
        let mut second_gives_way: Option<Laid> = None;
        for wanted_q in (0..=options.len() as u8).rev() {
            // A layout whose easy runs only reach their minimum by cutting
            // the long run well short of its size waits: one run fewer may
            // keep the long run (a short easy run is worth less than the
            // week's long one). Three runs are always kept, unless the long
            // run would fall below the last building week's: then two.
            let mut shortened: Option<Laid> = None;
            for runs in (1..=top.max(1)).rev() {
                for _trim in 0..12 {
                    let (mut slots, q) = if race_week {
                        let mut slots = race_week_layout(&race_week_days, runs);
                        match sharpen_day.filter(|d| wanted_q > 0 && slots[*d] == Slot::Easy) {
                            Some(d) => {
                                slots[d] = Slot::Quality(0);
                                (slots, 1)
                            }
                            None => (slots, 0),
                        }
                    } else {
                        layout(&req.run_days, req.long_run_day, runs, wanted_q, no_quality)
                    };
                    if long_dropped {
                        slots[long_day] = Slot::Off;
                    }
                    let sessions_q: Vec<Session> = options[..usize::from(q)].to_vec();
                    // At least ~78% of running stays easy.
                    let hard: f64 = sessions_q.iter().map(Session::intensity_km).sum();
                    if q > 0 && hard > 0.22 * w.km {
                        break;
                    }
                    let easy_count = slots.iter().filter(|s| **s == Slot::Easy).count();
                    let q_km: f64 = sessions_q.iter().map(Session::km).sum();
                    let long_cap = (slots[long_day] == Slot::Long).then(|| {
                        sizing::two_run_long_cap(long_cap_km, week_km, easy_count, usize::from(q))
                            .min(step_cap)
                    });
                    let sp = spread(week_km, long_cap, q_km, easy_count, min_run, &limits);
                    match sp {
                        // The long run stays the week's longest run: a
                        // quality session longer than it asks for a layout
                        // with fewer sessions.
                        Spread::Fits { long_km, .. }
                            if long_km > 0.0
                                && sessions_q.iter().any(|s| s.km() > long_km + 0.05) =>
                        {
                            break;
                        }
                        Spread::Fits { long_km, easy_km } => {
                            let laid = Laid {
                                slots,
                                sessions_q,
                                long_km,
                                easy_total: easy_km,
                                week_km,
                                long_cap_km,
                            };
                            let cap = long_cap.unwrap_or(0.0);
                            let well_short = runs > 3 && long_km < cap - (0.1 * cap).max(1.0);
                            let below_floor = (runs > 2 || q > 0) && long_km < long_floor - 0.05;
                            if !race_week && (well_short || below_floor) {
                                shortened = shortened.or(Some(laid));
                                break;
                            }
                            return laid;
                        }
                        Spread::TooLong { week_km: most }
                            if runs == top && (easy_count > 0 || q == 0) =>
                        {
                            // The long run's share is of the smaller week.
                            week_km = floor_half(most);
                            long_cap_km = long_cap_km
                                .min(floor_half(self.shares.cap_km(w.index, w.recovery, week_km)));
                        }
                        _ => break,
                    }
                }
            }
            if let Some(laid) = shortened {
                // The long run carries the block: below the last building
                // week's, even the week's one quality session gives way to
                // easy running when that keeps it.
                let below_floor = laid.long_km < long_floor - 0.05;
                if wanted_q > 1 || (wanted_q == 1 && below_floor) {
                    second_gives_way = second_gives_way.or(Some(laid));
                    continue;
                }
                return laid;
            }
        }
        if let Some(laid) = second_gives_way {
            return laid;
        }
        // Nothing worth doing fits: one run carries the whole (tiny) week,
        // still no longer than an easy run may be, nor than the longest long
        // run so far: a lone run is not a new long run.
        let mut slots = [Slot::Off; 7];
        let most = if self.longest_long > 0.0 {
            limits.max_easy_km.min(self.longest_long)
        } else {
            limits.max_easy_km
        };
        let (long_km, easy_total) = if long_dropped || race_week {
            // Close to the race: one easy run on the last day that may hold
            // one (none: no run).
            match race_week_days.last() {
                Some(&d) => {
                    slots[d] = Slot::Easy;
                    (0.0, week_km.min(most))
                }
                None => (0.0, 0.0),
            }
        } else {
            slots[long_day] = Slot::Long;
            (week_km.min(most), 0.0)
        };
        let week_km = long_km + easy_total;
        Laid {
            slots,
            sessions_q: Vec::new(),
            long_km,
            easy_total,
            week_km,
            long_cap_km,
        }
    }

    /// A quality session of `kind` for week `w`: the next step along the
    /// workout library that fits the week's volume (a recovery week steps
    /// back one), else the smallest session worth doing, sized from it.
    fn quality_session(&self, pick: Pick, w: &WeekShape) -> Session {
        let kind = pick.kind;
        let taper = if matches!(w.phase, Phase::Taper | Phase::Race) {
            0.7
        } else {
            1.0
        };
        let first_timer = self.req.level == Level::FirstTimer;
        let most = match (kind, pick.flavour) {
            // Race pace: the 5K's is interval running, the 10K's a little
            // easier, the half's close to threshold.
            (_, Flavour::RacePace) => {
                let share = match self.req.race.metres() {
                    m if m <= 5_500.0 => 0.08,
                    m if m <= 11_000.0 => 0.12,
                    _ => 0.14,
                };
                (share * w.km * taper).min(12.0)
            }
            // Uphill: strong but short, easy on the legs coming down.
            (_, Flavour::Hills) => 0.08 * w.km * taper,
            (SessionKind::Tempo, _) => 0.10 * w.km * taper,
            (SessionKind::Intervals, _) => (0.08 * w.km * taper).min(10.0),
            (SessionKind::Repetition, _) => 0.05 * w.km * taper,
            _ => (0.20 * w.km * taper).min(if first_timer { 12.0 } else { 16.0 }),
        };
        let most = if w.recovery {
            most.min(shape::recovery_quality_cap(&self.built, kind))
        } else {
            most
        };
        let done = self.progress.get(&pick).copied().unwrap_or(0);
        let step = if w.recovery {
            done.saturating_sub(1)
        } else {
            done
        };
        let race_m = self.req.race.metres();
        let pace = workouts::ladder_pace(pick, race_m, &self.targets);
        // The first candidate that did not run both of the last two weeks:
        // the library's sessions, then the smallest session and its variant.
        let repeat = |s: &Session| self.last_titles.iter().all(|t| t.contains(&s.title));
        let fallback = |alt| {
            quality(
                kind,
                w.km,
                &self.cat,
                self.req.level,
                w.phase,
                &self.targets,
                alt,
            )
        };
        // Race pace in a week too small for the step's session: its pieces
        // shortened to fit (400 m at least), so the race's rhythm is still
        // rehearsed and still grows with the week.
        let ladder = library::ladder(pick, race_m);
        let small_race_pace = (pick.flavour == Flavour::RacePace)
            .then(|| {
                ladder
                    .get(step.min(ladder.len().saturating_sub(1)))
                    .copied()
            })
            .flatten()
            .map(|own| {
                let fit = most / f64::from(own.reps.max(1)) * 10.0;
                let piece_m =
                    (fit.floor() as u32 * 100).clamp(400, own.work_m.unwrap_or(400).max(400));
                library::Workout {
                    work_m: Some(piece_m),
                    ..own.clone()
                }
            })
            .map(|small| workouts::from_library(&small, w.km, &self.targets));
        // A recovery week's session too big for its cut: the step's own
        // session with fewer reps or shorter pieces.
        let cut = w
            .recovery
            .then(|| ladder.get(step.min(ladder.len().saturating_sub(1))))
            .flatten()
            .and_then(|own| own.cut_to(most, pace))
            .map(|small| workouts::from_library(&small, w.km, &self.targets));
        // A first-timer's session, warm-up and cool-down included, keeps
        // to its share of the week (race week's sharpener is not built
        // here): the step's own session with fewer reps or shorter pieces
        // when nothing else fits.
        let session_most = if first_timer && w.phase != Phase::Race {
            sizing::first_timer_quality_km(w.km)
        } else {
            f64::INFINITY
        };
        let fits = |s: &Session| s.km() <= session_most + 0.05;
        let own = ladder.get(step.min(ladder.len().saturating_sub(1)));
        // Cut to the work that fits beside the warm-up and cool-down (and
        // the jogs between pieces, so a little less each try).
        let shrunk = || {
            own.into_iter().flat_map(move |own| {
                let full = workouts::from_library(own, w.km, &self.targets);
                let around = full.km() - own.work_km(pace);
                (0..12)
                    .map(move |k| session_most - around - 0.25 * f64::from(k))
                    .filter(|&work| work > 0.0)
                    .filter_map(move |work| own.cut_to(work, pace))
                    .map(|small| workouts::from_library(&small, w.km, &self.targets))
            })
        };
        let all = || {
            library::candidates(pick, race_m, step, most, pace)
                .into_iter()
                .map(|from| workouts::from_library(from, w.km, &self.targets))
                .chain(cut.clone())
                .chain(small_race_pace.clone())
                .chain([fallback(false), fallback(true)])
        };
        all()
            .find(|s| !repeat(s) && fits(s))
            .or_else(|| {
                if session_most.is_finite() {
                    shrunk().find(|s| !repeat(s) && fits(s))
                } else {
                    None
                }
            })
            .or_else(|| all().find(|s| !repeat(s)))
            .unwrap_or_else(|| fallback(false))
    }

    /// An ultra's building week: the day after the long run is a second
    /// long run.
    fn back_to_back_week(&self, w: &WeekShape) -> bool {
        self.cat.name == "ultra" && matches!(w.phase, Phase::Build | Phase::Peak) && !w.recovery
    }

    /// The last five weeks before the taper: the race's own pace comes
    /// first among the quality sessions.
    fn race_specific_week(&self, w: &WeekShape) -> bool {
        w.index + 5 > self.pre_taper
    }

    /// An experienced marathoner's last six weeks before the taper: the
    /// long run carries marathon-pace segments (recovery weeks excepted).
    fn long_mp_week(&self, w: &WeekShape) -> bool {
        self.cat.name == "marathon"
            && self.req.level == Level::Experienced
            && matches!(w.phase, Phase::Build | Phase::Peak)
            && !w.recovery
            && w.index + 6 > self.pre_taper
            // Room for the segments with easy running around them;
            // otherwise marathon pace stays a session of its own.
            && w.long_km >= 14.0
    }

    /// A long run of `long_km` with the next marathon-pace segments along
    /// the library that fit `most_mp_km` and the run itself.
    fn long_mp_run(&self, long_km: f64, most_mp_km: f64) -> Option<Session> {
        let step = self
            .progress
            .get(&Pick::plain(SessionKind::Long))
            .copied()
            .unwrap_or(0);
        let pace = self.targets.seconds(SessionKind::MarathonPace, 1.0);
        let pick = Pick::plain(SessionKind::Long);
        library::candidates(pick, 0.0, step, most_mp_km, pace)
            .into_iter()
            .find_map(|w| workouts::long_with_mp(w, long_km, &self.targets))
    }

    /// Race-week run days: the runner's days up to two before the race.
    fn race_week_days(&self, dates: &[Date]) -> Vec<usize> {
        dates
            .iter()
            .filter(|d| {
                (self.req.race_date - **d).get_days() >= 2
                    && self.req.run_days.contains(&d.weekday())
            })
            .map(|d| day(d.weekday()))
            .collect()
    }

    fn strength_placement(
        &self,
        slots: &placement::Layout,
        count: usize,
        km_by_day: &[f64; 7],
        last: usize,
    ) -> (Vec<usize>, Option<usize>) {
        let open = slots.iter().filter(|s| **s != Slot::Long).count();
        strength_days(slots, count.min(open), km_by_day, last)
    }
}

fn niggle_note(niggles: &[Niggle], self_check: &[request::SelfCheck]) -> Option<String> {
    let mut notes = Vec::new();
    if niggles.contains(&Niggle::Knee) {
        notes.push("Knee niggle: no lunges (deep knee bends); extra abductor work instead, since weak hip abductors let the knee drift inward.");
    } else if niggles.contains(&Niggle::Itb) {
        notes.push("IT-band niggle: extra abductor work, since weak hip abductors let the knee drift inward.");
    }
    if niggles.contains(&Niggle::HipFlexor) {
        notes.push("Hip-flexor niggle: flexor strength added and stretched on rest days.");
    }
    if niggles.contains(&Niggle::LowBack) {
        notes.push("Lower-back niggle: core work in every session and no loaded split squats.");
    }
    if !self_check.is_empty() {
        notes.push("Your self-check showed a wobble or knee drift: more abductor and single-leg balance work from week 1.");
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// A week with one run and no room for a long one: that run is easy.
/// A base or build week that is not a recovery week: its long run grows
/// (or holds) from the last such week's.
fn growing(w: &WeekShape) -> bool {
    matches!(w.phase, Phase::Base | Phase::Build) && !w.recovery
}

fn lone_run_week(easy_days: &[usize], quality: &[Session], long_km: f64, w: &WeekShape) -> bool {
    easy_days.is_empty() && quality.is_empty() && long_km > w.long_km + 0.05
}

/// Race week's easy runs on the last `runs` of its run days, nearest the
/// race, so the legs are awake on race day.
fn race_week_layout(days: &[usize], runs: usize) -> placement::Layout {
    let mut slots = [Slot::Off; 7];
    for &d in &days[days.len().saturating_sub(runs)..] {
        slots[d] = Slot::Easy;
    }
    slots
}

/// Splits the easy kilometres over the easy days; the day after the long run
/// is a shorter recovery run when that still leaves it worth doing. Returns
/// each day's km and whether it is the recovery run.
fn split_easy(
    total: f64,
    days: &[usize],
    recovery_day: Option<usize>,
    (min, max): (f64, f64),
) -> Vec<(f64, bool)> {
    let recovery = |d: usize| days.len() > 1 && recovery_day == Some(d);
    let weights: Vec<f64> = days
        .iter()
        .map(|&d| if recovery(d) { 0.7 } else { 1.0 })
        .collect();
    let parts = split_km(total, &weights);
    let worth_it = parts.iter().all(|&p| p >= min - 1e-9 && p <= max + 1e-9);
    if worth_it {
        parts
            .into_iter()
            .zip(days)
            .map(|(p, &d)| (p, recovery(d)))
            .collect()
    } else {
        split_km(total, &vec![1.0; days.len()])
            .into_iter()
            .map(|p| (p, false))
            .collect()
    }
}

/// The easy kilometres with the day after the long run as the back-to-back
/// long run (up to `b2b` km) and the others sharing the rest; `None` when
/// the other runs would fall out of their limits (or there is no such day).
fn back_to_back(
    total: f64,
    days: &[usize],
    b2b_day: usize,
    (min, max): (f64, f64),
    b2b: f64,
) -> Option<Vec<(f64, bool)>> {
    let at = days.iter().position(|&d| d == b2b_day)?;
    let others = days.len() - 1;
    let big = if others == 0 {
        total
    } else {
        floor_half((total - others as f64 * min).min(b2b))
    };
    if big < min || big > b2b + 1e-9 {
        return None;
    }
    let rest = split_km(total - big, &vec![1.0; others]);
    if rest.iter().any(|&p| p < min - 1e-9 || p > max + 1e-9) {
        return None;
    }
    let mut rest = rest.into_iter();
    Some(
        (0..days.len())
            .map(|i| {
                if i == at {
                    (big, false)
                } else {
                    (rest.next().unwrap_or(0.0), false)
                }
            })
            .collect(),
    )
}

/// Fills the week's totals from its sessions, so they can never disagree.
pub fn with_totals(mut week: Week) -> Week {
    let runs = || {
        week.days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter(|s| s.kind.is_run())
    };
    // Adding 0.0 turns a rounded -0.0 (a race week whose training is the
    // race's km minus itself) into 0.0.
    let round = |km: f64| (km * 10.0).round() / 10.0 + 0.0;
    week.run_km = round(runs().map(Session::km).sum());
    week.training_km = round(week.measured_training_km());
    week.race_km = round(
        runs()
            .filter(|s| s.kind == SessionKind::Race)
            .map(Session::km)
            .fold(0.0, |a, b| a + b),
    );
    week.run_minutes = runs().map(|s| s.duration_s.unwrap_or(0)).sum::<u32>() / 60;
    week
}
