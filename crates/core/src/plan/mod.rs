//! The plan engine, in stages a coach can follow:
//! 1. [`shape`]: plan length, phases, weekly volumes, long runs, taper;
//! 2. [`placement`]: which weekday gets which run;
//! 3. [`strength`]: hip strength and mobility around the runs;
//! 4. [`workouts`]: structure and pace or effort targets of each run;
//! 5. [`why`]: the explanation every session carries.
//!
//! Pure and deterministic: identical requests give identical plans.

pub mod model;
pub mod placement;
pub mod request;
pub mod shape;
pub mod strength;
pub mod why;
pub mod workouts;

use jiff::ToSpan;
use jiff::civil::Date;

pub use model::*;
pub use request::{FieldError, PlanInput, PlanRequest, RecentInput, SelfCheck};

use placement::{Slot, day, layout};
use shape::{RaceCategory, WeekShape, long_run_share_cap, shape};
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
}

/// Builds the plan for a checked request.
pub fn build_plan(req: &PlanRequest) -> Plan {
    let known = req
        .recent
        .as_ref()
        .map(|r| TrainingPaces::from_vdot(r.vdot()));
    let assumed = known.unwrap_or_else(|| TrainingPaces::from_vdot(assumed_vdot(req)));
    let targets = Targets { known, assumed };
    let cat = RaceCategory::of(req.race.metres());
    let easy_mid = 0.5 * (assumed.easy.fast.s_per_km() + assumed.easy.slow.s_per_km());
    let (shapes, mut warnings) = shape(req, easy_mid);
    if let Some(w) = req.recent.as_ref().and_then(|r| r.vdot().warning()) {
        warnings.push(w.to_string());
    }
    let mut ctx = Context {
        req,
        cat,
        targets,
        pace_source: req.recent.as_ref().map(|r| {
            format!(
                "your {} in {} (VDOT {:.1})",
                r.distance(),
                r.time(),
                r.vdot().value()
            )
        }),
        total_weeks: shapes.len() as u32,
        rotation: Rotation::default(),
        last_quality: None,
    };
    let weeks = shapes.iter().map(|w| ctx.week(w)).collect();
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
            long_run_day: req.long_run_day,
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
    parts[0] += left;
    parts
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
        let week_note = why::week(w, self.total_weeks, &self.cat, units);
        let dates = self.dates(w);
        let max_runs = match req.level {
            Level::FirstTimer => 5,
            Level::Experienced => 7,
        };
        let min_easy = (w.km * 0.08).clamp(2.5, 8.0);
        // Days that may not hold a quality session: the day after last
        // week's, and the two days before the race.
        let race_eve = |d: &Date| (1..=2).contains(&(req.race_date - *d).get_days());
        let mut no_quality = 0u8;
        for d in &dates {
            let after_hard = self.last_quality.is_some_and(|q| (*d - q).get_days() == 1);
            if after_hard || race_eve(d) {
                no_quality |= 1 << day(d.weekday());
            }
        }
        // A long run that would fall just before the race is dropped.
        let long_date = dates.iter().find(|d| d.weekday() == req.long_run_day);
        let long_dropped = !race_week && long_date.is_some_and(race_eve);
        // Such a week already belongs to the taper.
        let w = &WeekShape {
            phase: if long_dropped { Phase::Taper } else { w.phase },
            recovery: w.recovery && !long_dropped,
            km: if long_dropped { w.km - w.long_km } else { w.km },
            long_km: if long_dropped { 0.0 } else { w.long_km },
            ..w.clone()
        };

        // Stage 2: lay the runs out over the week, shrinking the number of
        // runs until easy runs are worth doing.
        let mut runs = req.run_days.len().min(max_runs);
        let mut wanted_q = w.quality;
        let (slots, sessions_q) = loop {
            let (slots, q) = if race_week {
                (self.race_week_layout(&dates), 0)
            } else {
                let (mut slots, q) =
                    layout(&req.run_days, req.long_run_day, runs, wanted_q, no_quality);
                if long_dropped {
                    slots[day(req.long_run_day)] = Slot::Off;
                }
                (slots, q)
            };
            let q_sessions: Vec<Session> = (0..q)
                .map(|n| {
                    let kind = quality_kind(&self.cat, w.phase, n);
                    quality(kind, w.km, &self.cat, req.level, w.phase, &self.targets)
                })
                .collect();
            let easy_count = slots.iter().filter(|s| **s == Slot::Easy).count();
            let q_km: f64 = q_sessions.iter().map(Session::km).sum();
            let left = w.km - w.long_km - q_km;
            // At least ~78% of running stays easy: drop a quality session
            // when a low-volume week cannot carry it.
            let hard: f64 = q_sessions.iter().map(Session::hard_km).sum();
            if q > 0 && hard > 0.22 * w.km {
                wanted_q = q - 1;
                continue;
            }
            let volume_fits = left >= -1e-9 && (easy_count > 0 || left < 0.05);
            let easy_worth_it =
                easy_count == 0 || left / easy_count as f64 >= min_easy || runs <= 3;
            if race_week || volume_fits && easy_worth_it {
                break (slots, q_sessions);
            }
            if q > 0 && !volume_fits {
                wanted_q = q - 1;
            } else if runs > 3 {
                runs -= 1;
            } else if q > 0 {
                wanted_q = q - 1;
            } else {
                break (slots, q_sessions);
            }
        };

        // Distances: long and quality fixed, easy runs share the rest.
        let long_day = day(req.long_run_day);
        let q_km: f64 = sessions_q.iter().map(Session::km).sum();
        let easy_days: Vec<usize> = (0..7).filter(|&d| slots[d] == Slot::Easy).collect();
        let long_km = match (race_week, easy_days.is_empty()) {
            (true, _) => 0.0,
            // No easy run to absorb the rounding: the long run takes it.
            (false, true) => (w.km - q_km).max(w.long_km),
            (false, false) => w.long_km,
        };
        let recovery_day = (long_day + 1) % 7;
        let weights: Vec<f64> = easy_days
            .iter()
            .map(|&d| {
                if d == recovery_day && easy_days.len() > 1 {
                    0.7
                } else {
                    1.0
                }
            })
            .collect();
        let easy_km = split_km((w.km - long_km - q_km).max(0.0), &weights);
        let hard_km: f64 = sessions_q.iter().map(Session::hard_km).sum();
        let easy_share = if w.km > 0.0 {
            1.0 - hard_km / w.km
        } else {
            1.0
        };

        let mut km_by_day = [0.0; 7];
        let mut by_day: [Vec<Session>; 7] = Default::default();
        for (i, &d) in easy_days.iter().enumerate() {
            let km = easy_km[i];
            if km <= 0.0 {
                continue;
            }
            let recovery = d == recovery_day && easy_days.len() > 1 && !race_week;
            let kind = if recovery {
                SessionKind::Recovery
            } else {
                SessionKind::Easy
            };
            let mut s = self.targets.steady(kind, km);
            s.why = if recovery {
                why::recovery_run(km, units)
            } else {
                why::easy(km, easy_share, units)
            };
            if race_week {
                s.why = format!("{} {}", s.why, why::race_eve());
            }
            km_by_day[d] = km;
            by_day[d].push(s);
        }
        if long_km > 0.0 {
            let mut s = self.targets.steady(SessionKind::Long, long_km);
            s.why = why::long_run(
                long_km,
                w.km,
                long_run_share_cap(w.km),
                &self.cat,
                &format!("{:?}", req.long_run_day),
                units,
            );
            km_by_day[long_day] = long_km;
            let mut pre = strength::mobility(5, &req.niggles);
            pre.why = why::mobility(5);
            by_day[long_day].push(pre);
            by_day[long_day].push(s);
        }
        for (n, mut s) in sessions_q.into_iter().enumerate() {
            let d = (0..7)
                .find(|&d| slots[d] == Slot::Quality(n as u8))
                .expect("quality slot");
            s.why = why::quality(
                s.kind,
                s.hard_km(),
                w.km,
                w.phase,
                self.pace_source.as_deref(),
                units,
            );
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
            let mut s = workouts::race(req.race.name(), req.race.metres(), &self.targets);
            s.why = why::race(
                req.race.name(),
                req.race.metres() / 1000.0,
                s.duration_s.zip(self.pace_source.as_deref()),
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
        let (days, heavy_at) = self.strength_placement(&strength_slots, count, &km_by_day);
        let focus = focuses(days.len(), heavy_at, &req.niggles);
        let six = req.level == Level::Experienced && !req.new_to_strength;
        for (nth, (&d, &f)) in days.iter().zip(&focus).enumerate() {
            let exercises = self
                .rotation
                .session(f, volume, &req.niggles, &req.equipment, six);
            let minutes = strength::minutes(&exercises);
            let after = if by_day[d].iter().any(|s| s.kind.is_run()) {
                "after your run"
            } else {
                "on a day without running"
            };
            let niggle_note = niggle_note(&req.niggles);
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
                why: why::strength(f, volume, nth + 1, days.len(), after, niggle_note),
            });
        }
        for sessions in by_day.iter_mut() {
            if sessions.is_empty() {
                let mut m = strength::mobility(10, &req.niggles);
                m.why = why::mobility(10);
                sessions.push(m);
            }
        }

        // Each run also carries the week's rule, so every why stands alone.
        let level_note = why::level_note(req.level, w.index, w.phase);
        let days: Vec<Day> = dates
            .iter()
            .map(|date| {
                let mut sessions = std::mem::take(&mut by_day[day(date.weekday())]);
                for s in sessions
                    .iter_mut()
                    .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
                {
                    s.why = format!("{} {}", s.why, week_note);
                    if let Some(n) = &level_note {
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
            run_minutes: 0,
            focus: week_note,
            days,
        };
        with_totals(week)
    }

    fn race_week_layout(&self, dates: &[Date]) -> placement::Layout {
        let mut slots = [Slot::Off; 7];
        for date in dates {
            let gap = (self.req.race_date - *date).get_days();
            if gap >= 2 && self.req.run_days.contains(&date.weekday()) {
                slots[day(date.weekday())] = Slot::Easy;
            }
        }
        slots
    }

    fn strength_placement(
        &self,
        slots: &placement::Layout,
        count: usize,
        km_by_day: &[f64; 7],
    ) -> (Vec<usize>, usize) {
        let open = slots.iter().filter(|s| **s != Slot::Long).count();
        strength_days(slots, count.min(open), km_by_day)
    }
}

fn niggle_note(niggles: &[Niggle]) -> Option<String> {
    let mut notes = Vec::new();
    if niggles
        .iter()
        .any(|n| matches!(n, Niggle::Knee | Niggle::Itb))
    {
        notes.push("Knee/IT-band niggle: extra abductor work, since weak hip abductors let the knee drift inward (Ramskov 2015).");
    }
    if niggles.contains(&Niggle::HipFlexor) {
        notes.push("Hip-flexor niggle: flexor strength added and stretched on rest days.");
    }
    if niggles.contains(&Niggle::LowBack) {
        notes.push("Lower-back niggle: core anti-rotation work in every session.");
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// Fills the week's totals from its sessions, so they can never disagree.
pub fn with_totals(mut week: Week) -> Week {
    let runs = || {
        week.days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter(|s| s.kind.is_run())
    };
    let round = |km: f64| (km * 10.0).round() / 10.0;
    week.run_km = round(runs().map(Session::km).sum());
    week.training_km = round(week.measured_training_km());
    week.run_minutes = runs().map(|s| s.duration_s.unwrap_or(0)).sum::<u32>() / 60;
    week
}
