//! Laying adjustments over the original plan.
//!
//! Order, whatever order the adjustments come in: new paces first (the
//! latest race wins), then per week the eases (the deepest cut of that
//! week, not their product), then the caps (the lowest of each kind), then
//! the knock-on pass. Lowering a week can break rules that compare weeks
//! with each other, so every later week is checked again and lowered just
//! enough, never raised:
//! - progression: at most 110 % of the larger of the two weeks before;
//! - a recovery week stays 20–30 % below the week before (a lowered
//!   recovery week is never cut more than 30 %; one after a lowered week is
//!   set 25 % below it);
//! - taper weeks stay below the building peak and race week at most ~60 %
//!   of it (and a lowered race week keeps at least ~40 %); so that race
//!   week can still reach 40 % of the peak, no week is lowered below
//!   40 % of the peak ÷ 1.1 per (non-recovery) week left before the race.
//!
//! Runs are resized in whole metres so a week's total is exactly its
//! target; the long run keeps within its share of the lowered week and
//! quality sessions turn into easy runs when a lowered week could no
//! longer keep 75 % of its running easy.

use std::collections::BTreeSet;

use super::why;
use super::{Action, Adjustment, PROGRESSION, StrengthShift};
use crate::exercises::{Equipment, Exercise, Family, Load, find, library, with_equipment};
use crate::plan::model::{
    Dose, Niggle, Phase, Plan, PlanPaces, Session, SessionKind, Step, StepKind, Week,
};
use crate::plan::shape::{RaceCategory, long_run_share_cap, long_run_share_cap_for_runs};
use crate::plan::sizing::{
    EASY_TO_LONG, MAX_BACK_TO_BACK_MIN, MAX_BACK_TO_BACK_SHARE, MAX_EASY_MIN, MIN_RUN_MIN,
    MIN_SHAKEOUT_MIN, RunLimits, Spread, spread, two_run_long_cap,
};
use crate::plan::workouts::{self, Targets};
use crate::plan::{strength, why as plan_why, with_totals};
use crate::science::{TrainingPaces, Vdot};
use crate::units::Units;

/// The guardrail checker's rounding slack.
const SLACK_KM: f64 = 0.15;
/// A recovery week is 20–30 % below the week before; runcoach aims for 25 %.
const RECOVERY_AIM: f64 = 0.75;
const RECOVERY_FLOOR: f64 = 0.70;
const RECOVERY_CEILING: f64 = 0.80;
/// Race week between 40 and 60 % of the peak.
const RACE_WEEK_FLOOR: f64 = 0.41;
const RACE_WEEK_AIM: f64 = 0.58;
const RACE_WEEK_CEILING: f64 = 0.60;
/// Hard running kept below this share of a resized week (the rule: 25 %).
pub(super) const HARD_SHARE: f64 = 0.24;
/// At most this many movements swapped per strength session.
const SWAPS_PER_SESSION: usize = 2;

/// The plan with `adjustments` applied. Pure: the same plan and the same
/// set of adjustments give the same plan, in any order; no adjustments
/// give the plan back unchanged.
pub fn apply(plan: &Plan, adjustments: &[Adjustment]) -> Plan {
    let mut out = plan.clone();
    let mut first_changed: Option<usize> = None;
    let mut mark = |i: usize| first_changed = Some(first_changed.map_or(i, |c| c.min(i)));

    let repace = adjustments
        .iter()
        .filter_map(|a| match &a.action {
            Action::Repace { after, .. } => Some((after, a)),
            _ => None,
        })
        .max_by(|x, y| (x.0, &x.1.id).cmp(&(y.0, &y.1.id)));
    if let Some((_, adj)) = repace {
        let niggles = out
            .athlete
            .as_ref()
            .map(|a| a.niggles.clone())
            .unwrap_or_default();
        let changed = apply_paces(&mut out, adj);
        for i in 0..out.weeks.len() {
            // Faster paces make runs shorter in time: keep them worth doing.
            let before = out.weeks[i].clone();
            let lone_most = lone_run_most(&out, i);
            let units = out.units();
            worth_doing(
                &mut out.weeks[i],
                &prefix(&[adj]),
                &niggles,
                lone_most,
                units,
            );
            refresh(&mut out, i);
            if changed.contains(&i) || out.weeks[i] != before {
                mark(i);
            }
        }
    }

    for i in 0..out.weeks.len() {
        let index = out.weeks[i].index;
        let mine: Vec<&Adjustment> = adjustments.iter().filter(|a| a.week == index).collect();
        let eases: Vec<&Adjustment> = mine
            .iter()
            .copied()
            .filter(|a| matches!(a.action, Action::Ease { .. }))
            .collect();
        if !eases.is_empty() && ease(&mut out, i, &eases) {
            mark(i);
        }
        for a in mine
            .iter()
            .copied()
            .filter(|a| matches!(a.action, Action::EaseDays { .. }))
        {
            if ease_days(&mut out, i, a) {
                mark(i);
            }
        }
        let lowest = |f: fn(&Action) -> Option<f64>| {
            let caps: Vec<(f64, &Adjustment)> = mine
                .iter()
                .filter_map(|a| f(&a.action).map(|c| (c, *a)))
                .collect();
            let min = caps.iter().map(|c| c.0).reduce(f64::min)?;
            let by: Vec<&Adjustment> = caps.iter().map(|c| c.1).collect();
            Some((min, by))
        };
        if let Some((max_km, by)) = lowest(|a| match a {
            Action::CapLongRun { max_km } => Some(*max_km),
            _ => None,
        }) && cap_long_run(&mut out, i, max_km, &prefix(&by))
        {
            mark(i);
        }
        if let Some((max_km, by)) = lowest(|a| match a {
            Action::CapVolume { max_km } => Some(*max_km),
            _ => None,
        }) {
            let vol = out.weeks[i].measured_training_km();
            if vol > max_km + 0.05 {
                let target = max_km.max(floor(&out, i)).min(vol);
                if set_volume(&mut out, i, target, &prefix(&by), false) {
                    mark(i);
                }
            }
        }
    }
    if let Some(c) = first_changed {
        knock_on(&mut out, c + 1);
        super::feasibility::warn_when_longest_run_falls_short(&mut out);
    }
    out
}

fn prefix(adjs: &[&Adjustment]) -> String {
    let mut p: Vec<String> = adjs.iter().map(|a| why::prefix(&a.summary)).collect();
    p.dedup();
    p.join(" ") + " "
}

fn note(s: &mut Session, prefix: &str) {
    if !s.why.starts_with(prefix) {
        s.why = format!("{prefix}{}", s.why);
    }
}

fn steady(kind: SessionKind) -> bool {
    matches!(
        kind,
        SessionKind::Easy | SessionKind::Recovery | SessionKind::Long
    )
}

fn building(phase: Phase) -> bool {
    matches!(phase, Phase::Base | Phase::Build | Phase::Peak)
}

fn volume(plan: &Plan, i: usize) -> f64 {
    plan.weeks[i].measured_training_km()
}

fn peak(plan: &Plan) -> f64 {
    plan.weeks
        .iter()
        .filter(|w| building(w.phase))
        .map(|w| w.measured_training_km())
        .fold(0.0, f64::max)
}

/// The lowest volume week `i` may be lowered to without breaking a rule
/// that bounds it from below.
fn floor(plan: &Plan, i: usize) -> f64 {
    let w = &plan.weeks[i];
    let mut f: f64 = 0.0;
    if w.recovery && i > 0 {
        f = f.max(RECOVERY_FLOOR * volume(plan, i - 1));
    }
    let n = plan.weeks.len();
    if plan.weeks[n - 1].phase == Phase::Race && !w.recovery {
        // Race week keeps ~40 % of the peak, and no week before it may be
        // so low that the progression rule could not climb back to that
        // in time (recovery weeks are stepped over: the week after one
        // compares with the week before it).
        let steps = plan.weeks[i + 1..].iter().filter(|w| !w.recovery).count();
        f = f.max(RACE_WEEK_FLOOR * peak(plan) / PROGRESSION.powi(steps as i32));
    }
    f
}

/// How an easy run replacing a quality session looks.
pub(super) struct EasyRun {
    s_per_km: f64,
    units: Units,
    band: Option<[u32; 2]>,
    rpe: Option<[u8; 2]>,
}

pub(super) fn easy_run(plan: &Plan, i: usize) -> EasyRun {
    if let Some(p) = &plan.paces {
        return EasyRun {
            s_per_km: 0.5 * f64::from(p.easy[0] + p.easy[1]),
            units: plan.units(),
            band: Some(p.easy),
            rpe: None,
        };
    }
    // Effort-based plan: the pace its own easy runs were timed at.
    let pace_of = |sessions: &mut dyn Iterator<Item = &Session>| {
        let (m, s) = sessions
            .filter(|s| s.kind == SessionKind::Easy)
            .filter_map(|s| Some((s.distance_m?, s.duration_s?)))
            .fold((0u64, 0u64), |(m, s), (dm, ds)| {
                (m + u64::from(dm), s + u64::from(ds))
            });
        (m > 0).then(|| s as f64 / m as f64 * 1000.0)
    };
    let week = pace_of(&mut plan.weeks[i].sessions().map(|(_, s)| s));
    let all = || pace_of(&mut plan.weeks.iter().flat_map(|w| w.sessions().map(|(_, s)| s)));
    EasyRun {
        s_per_km: week.or_else(all).unwrap_or(420.0),
        units: plan.units(),
        band: None,
        rpe: Some([3, 4]),
    }
}

/// A quality session becomes an easy run of about the same duration.
pub(super) fn to_easy(s: &mut Session, easy: &EasyRun, prefix: &str) {
    let before = why::session_summary(s, easy.units);
    let secs = f64::from(s.duration_s.unwrap_or(0));
    let secs = if secs > 0.0 {
        secs
    } else {
        s.km() * easy.s_per_km
    };
    let metres = ((secs / easy.s_per_km * 10.0).round() * 100.0) as u32;
    let km = f64::from(metres) / 1000.0;
    *s = Session {
        id: s.id.clone(),
        kind: SessionKind::Easy,
        title: run_title(SessionKind::Easy, km, easy.units),
        distance_m: Some(metres),
        duration_s: Some((km * easy.s_per_km).round() as u32),
        minutes: None,
        pace_s_per_km: easy.band,
        rpe: easy.rpe,
        steps: Vec::new(),
        exercises: Vec::new(),
        activation: Vec::new(),
        why: format!("{prefix}{}", why::converted(&before)),
    };
}

/// A steady run's title, in the runner's units, as the plan writes it.
fn run_title(kind: SessionKind, km: f64, units: Units) -> String {
    format!("{} {}", kind.label(), units.distance(km))
}

fn resize(s: &mut Session, metres: u32, prefix: &str, units: Units) {
    let old = s.distance_m.unwrap_or(0);
    if old == metres {
        return;
    }
    if let Some(d) = s.duration_s.filter(|_| old > 0) {
        s.duration_s = Some((f64::from(d) * f64::from(metres) / f64::from(old)).round() as u32);
    }
    s.distance_m = Some(metres);
    s.title = run_title(s.kind, f64::from(metres) / 1000.0, units);
    if s.kind == SessionKind::Long && !s.steps.is_empty() {
        // A resized long run is run easy: its marathon-pace segments were
        // sized for the planned one.
        s.steps.clear();
        s.why = format!(
            "Long run {}, easy: resized, so the marathon-pace segments are left out this week.",
            units.distance(f64::from(metres) / 1000.0)
        );
    } else if let Some(first) = s.steps.first_mut() {
        // Strides close the run: the easy part before them takes the
        // change, while at least a kilometre of it is left.
        let strides = old.saturating_sub(first.distance_m.unwrap_or(0));
        if metres >= strides + 1000 {
            first.distance_m = Some(metres - strides);
            s.title = format!("{} + {} strides", s.title, crate::plan::workouts::STRIDES);
        } else {
            s.steps.clear();
            s.why = s.why.replace(&format!(" {}", plan_why::strides()), "");
        }
    }
    // The why opens with the run's own distance ("Easy 11.9 km at ..."):
    // it says the size the runner now sees in the title.
    let (was, now) = (
        units.distance(f64::from(old) / 1000.0),
        units.distance(f64::from(metres) / 1000.0),
    );
    s.why = s.why.replacen(&was, &now, 1);
    note(s, prefix);
}

fn refresh(plan: &mut Plan, i: usize) {
    let mut w = plan.weeks[i].clone();
    let long_day = plan.athlete.as_ref().map(|a| a.long_run_day);
    demote_back_to_back(&mut w, long_day, plan.units());
    plan.weeks[i] = with_totals(w);
}

/// An ultra's back-to-back long run (a long run the day after another) is
/// an easy run now when the long run before it was lowered below what it
/// needs (its share) or made easy.
fn demote_back_to_back(week: &mut Week, long_day: Option<jiff::civil::Weekday>, units: Units) {
    let long = |d: &crate::plan::model::Day| {
        d.sessions
            .iter()
            .filter(|s| s.kind == SessionKind::Long)
            .map(|s| s.km())
            .fold(0.0, f64::max)
    };
    let Some(long_day) = long_day else {
        return;
    };
    let before: Vec<f64> = std::iter::once(0.0)
        .chain(week.days.iter().map(long))
        .collect();
    for (d, day) in week.days.iter_mut().enumerate() {
        // Only the day after the long-run day holds a back-to-back long run
        // (a long run moved to another day by a hand edit stays); with the
        // long run before it lowered or made easy, it follows.
        let main = d == 0 || day.date.yesterday().ok().map(|y| y.weekday()) != Some(long_day);
        for s in day
            .sessions
            .iter_mut()
            .filter(|s| s.kind == SessionKind::Long)
        {
            if !main && s.km() > before[d] * MAX_BACK_TO_BACK_SHARE + 0.05 {
                s.kind = SessionKind::Easy;
                s.title = run_title(s.kind, s.km(), units);
            }
        }
    }
}

/// Sets week `i`'s running (race excluded) to `target` km: steady runs are
/// resized, the long run within its share of the week (unless
/// `lock_long`), quality sessions swapped for easy runs when the week could
/// not carry them. Returns whether anything changed.
fn set_volume(plan: &mut Plan, i: usize, target: f64, prefix: &str, lock_long: bool) -> bool {
    let units = plan.units();
    let easy = easy_run(plan, i);
    let before = plan.weeks[i].clone();
    let target_m = (target.max(0.0) * 1000.0).round() as i64;
    let week = &mut plan.weeks[i];
    // Quality the lowered week cannot carry becomes easy running.
    loop {
        let q_m: i64 = week
            .sessions()
            .filter(|(_, s)| s.kind.is_quality())
            .map(|(_, s)| i64::from(s.distance_m.unwrap_or(0)))
            .sum();
        let hard: f64 = week.sessions().map(|(_, s)| s.hard_km()).sum();
        let overloaded = q_m > target_m || (target > 0.0 && hard / target > HARD_SHARE);
        let last = week
            .days
            .iter()
            .enumerate()
            .flat_map(|(d, day)| day.sessions.iter().enumerate().map(move |(j, s)| (d, j, s)))
            .filter(|(_, _, s)| s.kind.is_quality())
            .map(|(d, j, _)| (d, j))
            .next_back();
        match last {
            Some((d, j)) if overloaded => to_easy(&mut week.days[d].sessions[j], &easy, prefix),
            _ => break,
        }
    }
    let q_m: i64 = week
        .sessions()
        .filter(|(_, s)| s.kind.is_quality())
        .map(|(_, s)| i64::from(s.distance_m.unwrap_or(0)))
        .sum();
    let runs: Vec<(usize, usize, i64, bool)> = week
        .days
        .iter()
        .enumerate()
        .flat_map(|(d, day)| {
            day.sessions
                .iter()
                .enumerate()
                .filter(|(_, s)| steady(s.kind))
                .map(move |(j, s)| {
                    (
                        d,
                        j,
                        i64::from(s.distance_m.unwrap_or(0)),
                        s.kind == SessionKind::Long,
                    )
                })
        })
        .collect();
    // The week's (first) long run is the long run; an ultra's back-to-back
    // long run the day after scales with it (never past its share of it),
    // and the easy runs share the rest.
    let mut runs = runs;
    let first = runs.iter().position(|r| r.3);
    let b2b: Vec<(usize, usize, i64, bool)> = first
        .map(|f| runs[f + 1..].iter().filter(|r| r.3).copied().collect())
        .unwrap_or_default();
    runs.retain(|r| !b2b.contains(r));
    let steady_m = (target_m - q_m).max(0);
    let long_m: i64 = runs.iter().filter(|r| r.3).map(|r| r.2).sum();
    let b2b_m: i64 = b2b.iter().map(|r| r.2).sum();
    let others_m: i64 = runs.iter().filter(|r| !r.3).map(|r| r.2).sum();
    let has_others = runs.iter().any(|r| !r.3);
    let new_long = if !has_others {
        if long_m + b2b_m > 0 {
            steady_m * long_m / (long_m + b2b_m)
        } else {
            steady_m
        }
    } else if lock_long {
        long_m.min(steady_m)
    } else {
        let share = ((long_run_share_cap(target) * target - 0.3) * 1000.0).max(0.0) as i64;
        let all = long_m + b2b_m + others_m;
        let scaled = if all > 0 {
            (long_m as f64 * steady_m as f64 / all as f64).round() as i64
        } else {
            0
        };
        scaled.min(share).min(steady_m)
    };
    let ratio = if long_m > 0 {
        (new_long as f64 / long_m as f64).min(1.0)
    } else {
        0.0
    };
    let mut left_for_b2b = (steady_m - new_long).max(0);
    let new_b2b: Vec<i64> = b2b
        .iter()
        .map(|r| {
            let m = ((r.2 as f64 * ratio) as i64 / 100 * 100).min(left_for_b2b);
            left_for_b2b -= m;
            m
        })
        .collect();
    for (r, m) in b2b.iter().zip(&new_b2b) {
        resize(
            &mut week.days[r.0].sessions[r.1],
            (*m).max(0) as u32,
            prefix,
            units,
        );
    }
    let rest = steady_m
        - new_b2b.iter().sum::<i64>()
        - if long_m > 0 || !has_others {
            new_long
        } else {
            0
        };
    // Others share the rest in proportion, in whole 100 m, the last few
    // metres to the first.
    let others: Vec<&(usize, usize, i64, bool)> = runs.iter().filter(|r| !r.3).collect();
    let mut parts: Vec<i64> = others
        .iter()
        .map(|r| {
            if others_m > 0 {
                r.2 * rest / others_m / 100 * 100
            } else {
                rest / others.len() as i64 / 100 * 100
            }
        })
        .collect();
    let mut left = rest - parts.iter().sum::<i64>();
    let mut n = 0;
    while left >= 100 && !parts.is_empty() {
        let k = n % parts.len();
        parts[k] += 100;
        left -= 100;
        n += 1;
    }
    if let Some(p) = parts.first_mut() {
        *p += left;
    }
    for (r, m) in others.iter().zip(&parts) {
        resize(
            &mut week.days[r.0].sessions[r.1],
            (*m).max(0) as u32,
            prefix,
            units,
        );
    }
    if let Some(r) = runs.iter().find(|r| r.3) {
        resize(
            &mut week.days[r.0].sessions[r.1],
            new_long.max(0) as u32,
            prefix,
            units,
        );
    }
    let niggles = plan
        .athlete
        .as_ref()
        .map(|a| a.niggles.clone())
        .unwrap_or_default();
    let lone_most = lone_run_most(plan, i);
    worth_doing(&mut plan.weeks[i], prefix, &niggles, lone_most, units);
    // The long run stays the week's longest run: a quality session longer
    // than the lowered long run becomes easy running, and the week is
    // sized again.
    let week = &mut plan.weeks[i];
    let long = week
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .map(|(_, s)| s.km())
        .reduce(f64::max);
    let mut swapped = false;
    if let Some(long) = long {
        for s in week.days.iter_mut().flat_map(|d| &mut d.sessions) {
            if s.kind.is_quality() && s.km() > long + 0.05 {
                to_easy(s, &easy, prefix);
                swapped = true;
            }
        }
    }
    if swapped {
        set_volume(plan, i, target, prefix, lock_long);
        return true;
    }
    refresh(plan, i);
    plan.weeks[i] != before
}

/// Keeps a resized week's runs worth doing, sized as the plan engine sizes
/// them (`plan::sizing`): every easy run at least 20 minutes at the week's
/// easy pace (fewer runs when they would be shorter), none longer than
/// three quarters of the long run or 90 minutes, the long run within its
/// share of the week. Volume is never cut here: a week whose runs cannot
/// carry it is left as it is (see the note in the adaptation tests).
///
/// A week that ends up as one run keeps it within `lone_most` km (0: no
/// limit; see [`lone_run_most`]).
/// How much of a week's running is hard, as the checker's easy-share rule
/// measures it.
fn hard_share(week: &Week) -> f64 {
    let total = week.measured_training_km();
    if total <= 0.0 {
        return 0.0;
    }
    week.sessions().map(|(_, s)| s.hard_km()).sum::<f64>() / total
}

/// Refits a week's easy runs so each stays worth doing, unless the refit
/// would leave less than three quarters of the running easy: dropping an
/// easy run beside an interval session can do that, and a short run is the
/// smaller fault (the checker's `easy_share` holds for adapted plans).
fn worth_doing(week: &mut Week, prefix: &str, niggles: &[Niggle], lone_most: f64, units: Units) {
    let original = week.clone();
    refit_runs(week, prefix, niggles, lone_most, units);
    if hard_share(week) > 0.25 + 0.005 && hard_share(week) > hard_share(&original) {
        *week = original;
    }
}

fn refit_runs(week: &mut Week, prefix: &str, niggles: &[Niggle], lone_most: f64, units: Units) {
    let easyish = |k: SessionKind| matches!(k, SessionKind::Easy | SessionKind::Recovery);
    let (m, secs) = week
        .sessions()
        .filter(|(_, s)| easyish(s.kind) || s.kind == SessionKind::Long)
        .filter_map(|(_, s)| Some((s.distance_m?, s.duration_s?)))
        .fold((0u64, 0u64), |(m, s), (dm, ds)| {
            (m + u64::from(dm), s + u64::from(ds))
        });
    if m == 0 {
        return;
    }
    let pace = secs as f64 / m as f64 * 1000.0;
    let limits = RunLimits {
        min_km: MIN_RUN_MIN * 60.0 / pace + 0.1,
        shakeout_km: MIN_SHAKEOUT_MIN * 60.0 / pace + 0.1,
        // Recovery runs go slower than the week's average.
        max_easy_km: MAX_EASY_MIN * 60.0 / (pace * 1.12),
        max_back_to_back_km: MAX_BACK_TO_BACK_MIN * 60.0 / (pace * 1.12),
    };
    let min = if week.phase == Phase::Race {
        limits.shakeout_km
    } else {
        limits.min_km
    };
    // Quality sessions and an ultra's back-to-back long run (a long run
    // after the first) keep their size: the long and easy runs share the rest.
    let back_to_back: Vec<f64> = week
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .skip(1)
        .map(|(_, s)| s.km())
        .collect();
    let q_km: f64 = week
        .sessions()
        .filter(|(_, s)| s.kind.is_quality())
        .map(|(_, s)| s.km())
        .sum::<f64>()
        + back_to_back.iter().sum::<f64>();
    let total = week.measured_training_km();
    let long_at = week.days.iter().enumerate().find_map(|(d, day)| {
        day.sessions
            .iter()
            .position(|s| s.kind == SessionKind::Long)
            .map(|j| (d, j))
    });
    // A week already sized right is left as it is.
    let long_km = long_at.map(|(d, j)| week.days[d].sessions[j].km());
    let runs = week
        .sessions()
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race && s.km() > 0.0)
        .count();
    let wrong = long_km.is_some_and(|l| l > long_run_share_cap_for_runs(total, runs) * total + 0.1)
        || week.sessions().any(|(_, s)| {
            let minutes = f64::from(s.duration_s.unwrap_or(0)) / 60.0;
            s.kind.is_run()
                && s.kind != SessionKind::Race
                && s.km() > 0.0
                && ((runs > 1 && minutes < min_minutes(week.phase) - 0.4)
                    || easyish(s.kind)
                        && (minutes > MAX_EASY_MIN + 0.5
                            || long_km.is_some_and(|l| s.km() > l * EASY_TO_LONG + 0.25)))
        });
    if !wrong {
        return;
    }
    // Runs come out one at a time while searching; a search that ends
    // without a fit puts the week back as it was.
    let original = week.clone();
    for _ in 0..16 {
        let easy: Vec<(usize, usize, u32)> = week
            .days
            .iter()
            .enumerate()
            .flat_map(|(d, day)| day.sessions.iter().enumerate().map(move |(j, s)| (d, j, s)))
            .filter(|(_, _, s)| easyish(s.kind) && s.km() > 0.0)
            .map(|(d, j, s)| (d, j, s.distance_m.unwrap_or(0)))
            .collect();
        // The long run never grows here (it was capped on purpose, or sized
        // within the race's caps when the plan was made), except to what a
        // small week of two runs needs, as the engine plans them.
        let quality =
            week.sessions().filter(|(_, s)| s.kind.is_quality()).count() + back_to_back.len();
        let long_cap = long_km.map(|l| {
            let cap = (long_run_share_cap(total) * total - 0.2).min(l);
            two_run_long_cap(cap, total, easy.len(), quality)
        });
        match spread(total, long_cap, q_km, easy.len(), min, &limits) {
            Spread::Fits { long_km, easy_km } => {
                if let Some((d, j)) = long_at {
                    resize(
                        &mut week.days[d].sessions[j],
                        metres(long_km),
                        prefix,
                        units,
                    );
                }
                let n = easy.len().max(1) as u32;
                let each = metres(easy_km) / n / 100 * 100;
                let mut left = metres(easy_km) - each * n;
                for &(d, j, _) in &easy {
                    let extra = std::mem::take(&mut left);
                    resize(&mut week.days[d].sessions[j], each + extra, prefix, units);
                }
                return;
            }
            // Only when the runs are too short: a week with too much for its
            // runs is never folded into one (ever longer) run.
            Spread::TooShort if easy.len() <= 1 && long_at.is_some() => {
                // Even two runs do not fit (the easy one would be under 20
                // minutes): one easy run carries this lower week, as the
                // engine plans tiny weeks.
                let (d, j) = long_at.expect("checked");
                for &(ed, ej, _) in easy.iter().rev() {
                    week.days[ed].sessions.remove(ej);
                    if !week.days[ed].sessions.iter().any(|s| s.kind.is_run()) {
                        let mut m = strength::mobility(10, niggles);
                        m.why = format!(
                            "{prefix}A rest day now: this lower week is one easy run, as its runs would be too short to split."
                        );
                        week.days[ed].sessions.push(m);
                    }
                }
                let lone_km = if lone_most > 0.0 {
                    (total - q_km).min(lone_most)
                } else {
                    total - q_km
                };
                let s = &mut week.days[d].sessions[j];
                resize(s, metres(lone_km), prefix, units);
                s.kind = SessionKind::Easy;
                s.title = run_title(s.kind, s.km(), units);
                s.why = format!(
                    "{prefix}One easy run carries this lower week: split, its runs would be too short to be worth doing."
                );
                return;
            }
            // Too much for the runs: left as it is, since cutting volume
            // here would break the rules between weeks that the easing
            // already balanced.
            Spread::TooLong { .. } => break,
            _ if !easy.is_empty() => {
                // One run fewer: the shortest goes, its distance to the rest.
                let &(d, j, _) = easy.iter().min_by_key(|e| e.2).expect("some");
                week.days[d].sessions.remove(j);
                if !week.days[d].sessions.iter().any(|s| s.kind.is_run()) {
                    let mut m = strength::mobility(10, niggles);
                    m.why = format!(
                        "{prefix}A rest day now: this lower week fits fewer runs of at least 20 minutes."
                    );
                    week.days[d].sessions.push(m);
                }
            }
            _ => break,
        }
    }
    *week = original;
}

/// The longest a lone run may be in week `i` (0: no limit): no longer than
/// the longest long run of the weeks before, since a week too small to split
/// is no place for a new longest run; but not so short that the week falls
/// under the floor the rules between weeks set (a recovery week at most 30 %
/// down, race week within reach), which wins.
fn lone_run_most(plan: &Plan, i: usize) -> f64 {
    let longest = plan.weeks[..i]
        .iter()
        .flat_map(|w| w.sessions())
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max);
    if longest > 0.0 {
        longest.max(floor(plan, i))
    } else {
        0.0
    }
}

fn min_minutes(phase: Phase) -> f64 {
    if phase == Phase::Race {
        MIN_SHAKEOUT_MIN
    } else {
        MIN_RUN_MIN
    }
}

fn metres(km: f64) -> u32 {
    (km.max(0.0) * 1000.0).round() as u32
}

/// Lowers week `i` for one or more adjustments.
fn ease(plan: &mut Plan, i: usize, eases: &[&Adjustment]) -> bool {
    let mut cut: f64 = 0.0;
    let mut swap = false;
    let mut shifts: BTreeSet<StrengthShift> = BTreeSet::new();
    for a in eases {
        if let Action::Ease {
            cut: c,
            swap_quality,
            strength,
        } = &a.action
        {
            cut = cut.max(c.clamp(0.0, 0.9));
            swap |= *swap_quality;
            shifts.extend(strength.iter().copied());
        }
    }
    let prefix = prefix(eases);
    let before = plan.weeks[i].clone();
    let vol = volume(plan, i);
    if swap {
        let easy = easy_run(plan, i);
        for day in &mut plan.weeks[i].days {
            for s in day.sessions.iter_mut().filter(|s| s.kind.is_quality()) {
                to_easy(s, &easy, &prefix);
            }
        }
    }
    let target = (vol * (1.0 - cut)).max(floor(plan, i)).min(vol);
    set_volume(plan, i, target, &prefix, false);
    let have: Vec<Equipment> = plan
        .athlete
        .as_ref()
        .map(|a| a.equipment.clone())
        .unwrap_or_default();
    if !shifts.is_empty() {
        shift_strength(plan, i, &shifts, &have, &prefix, None);
    }
    let w = &mut plan.weeks[i];
    if *w != before && !w.focus.starts_with(&prefix) {
        w.focus = format!("{prefix}{}", w.focus);
    }
    refresh(plan, i);
    plan.weeks[i] != before
}

fn cap_long_run(plan: &mut Plan, i: usize, max_km: f64, prefix: &str) -> bool {
    let units = plan.units();
    let before = plan.weeks[i].clone();
    let max_m = (max_km * 1000.0).round() as u32;
    // The long run is capped; an ultra's back-to-back long run after it
    // shrinks by the same ratio, staying its share of the long run.
    let mut ratio = 1.0;
    for day in &mut plan.weeks[i].days {
        for s in day
            .sessions
            .iter_mut()
            .filter(|s| s.kind == SessionKind::Long)
        {
            let m = s.distance_m.unwrap_or(0);
            if ratio < 1.0 {
                resize(s, (f64::from(m) * ratio) as u32 / 100 * 100, prefix, units);
            } else if m > max_m + 50 {
                ratio = f64::from(max_m) / f64::from(m);
                resize(s, max_m, prefix, units);
            }
        }
    }
    refresh(plan, i);
    if plan.weeks[i] != before {
        // A recovery week may not fall more than 30 % below the week
        // before: the easy runs take back what the long run gave up. And
        // a shorter week may no longer carry its quality sessions.
        let target = volume(plan, i).max(floor(plan, i));
        set_volume(plan, i, target, prefix, true);
    }
    plan.weeks[i] != before
}

/// Later weeks lowered just enough to keep the rules that compare weeks.
fn knock_on(plan: &mut Plan, from: usize) {
    let n = plan.weeks.len();
    let start = plan.athlete.as_ref().map(|a| a.weekly_km);
    for i in from..n {
        let v = volume(plan, i);
        let base = match i {
            0 => start,
            1 => Some(volume(plan, 0).max(start.unwrap_or(0.0))),
            _ => Some(volume(plan, i - 1).max(volume(plan, i - 2))),
        };
        let mut cap = f64::INFINITY;
        let mut reason = String::new();
        if let Some(base) = base.filter(|b| v > PROGRESSION * b + SLACK_KM) {
            cap = PROGRESSION * base;
            reason = why::held_progression(base, cap, plan.units());
        }
        let w = &plan.weeks[i];
        if w.recovery && i > 0 {
            let prev = volume(plan, i - 1);
            if v > RECOVERY_CEILING * prev && RECOVERY_AIM * prev < cap {
                cap = RECOVERY_AIM * prev;
                reason = why::held_recovery(prev, cap, plan.units());
            }
        }
        if !building(w.phase) {
            let pk = peak(plan);
            if v > pk + SLACK_KM && pk < cap {
                cap = pk;
                reason = why::held_taper(pk, plan.units());
            }
            let race_week = i + 1 == n && w.phase == Phase::Race;
            if race_week && v > (RACE_WEEK_CEILING + 0.005) * pk && RACE_WEEK_AIM * pk < cap {
                cap = RACE_WEEK_AIM * pk;
                reason = why::held_race_week(pk, cap, plan.units());
            }
        }
        if cap.is_finite() {
            let p = format!("{} ", why::prefix(&reason));
            set_volume(plan, i, cap, &p, false);
        }
    }
    super::race_week::keep_shorter_than_taper(plan);
}

/// The days `from`..=`to` of week `i` eased at once (see
/// [`Action::EaseDays`]). The runs are put back as they were when the
/// change would break a rule of the week as a whole: the recovery or race
/// floor, the long run's share, or the easy share.
fn ease_days(plan: &mut Plan, i: usize, adj: &Adjustment) -> bool {
    let Action::EaseDays {
        from,
        to,
        cut,
        cross_training,
        strength,
        keep,
    } = &adj.action
    else {
        return false;
    };
    let (from, to) = (*from, *to);
    let eased = |d: jiff::civil::Date| d >= from && d <= to && !keep.contains(&d);
    let cut = cut.clamp(0.0, 0.9);
    let prefix = prefix(&[adj]);
    let units = plan.units();
    let easy = easy_run(plan, i);
    let before = plan.weeks[i].clone();
    let floor = floor(plan, i);
    let mut crossed = 0u8;
    for day in plan.weeks[i].days.iter_mut().filter(|d| eased(d.date)) {
        for s in day
            .sessions
            .iter_mut()
            .filter(|s| s.kind.is_run() && s.kind != SessionKind::Race)
        {
            if crossed < *cross_training {
                to_cross(s, &prefix, units);
                crossed += 1;
                continue;
            }
            if s.kind.is_quality() {
                to_easy(s, &easy, &prefix);
            }
            if cut > 0.0 {
                let metres = (s.km() * (1.0 - cut) * 10.0).round() as u32 * 100;
                resize(s, metres, &prefix, units);
            }
            if s.kind == SessionKind::Long && s.is_hard() {
                // Marathon-pace segments are not run on a sore leg.
                s.steps.clear();
                note(s, &prefix);
            }
        }
    }
    // A coming long run keeps within its share of the lowered week.
    for _ in 0..3 {
        let w = &plan.weeks[i];
        let (vol, runs) = week_runs(w);
        let cap = long_run_share_cap_for_runs((vol * 10.0).round() / 10.0, runs);
        let Some((d, j, km)) = w.days.iter().enumerate().find_map(|(d, day)| {
            let j = day
                .sessions
                .iter()
                .position(|s| s.kind == SessionKind::Long)?;
            eased(day.date).then(|| (d, j, day.sessions[j].km()))
        }) else {
            break;
        };
        let rest = vol - km;
        let most = (cap * rest / (1.0 - cap).max(0.1) * 10.0).floor() / 10.0 - 0.1;
        if km <= cap * vol + 0.05 || most <= 0.0 {
            break;
        }
        resize(
            &mut plan.weeks[i].days[d].sessions[j],
            metres(most),
            &prefix,
            units,
        );
    }
    let w = with_totals(plan.weeks[i].clone());
    let (vol, runs) = week_runs(&w);
    let long_ok = w
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .all(|(_, s)| {
            let cap = long_run_share_cap_for_runs((vol * 10.0).round() / 10.0, runs);
            s.km() <= cap * vol + SLACK_KM - 0.05
        });
    let hard_ok = hard_share(&w) <= 0.25 || hard_share(&w) <= hard_share(&before);
    if vol + 0.05 < floor || !long_ok || !hard_ok {
        plan.weeks[i] = before.clone();
    }
    let have: Vec<Equipment> = plan
        .athlete
        .as_ref()
        .map(|a| a.equipment.clone())
        .unwrap_or_default();
    let shifts: BTreeSet<StrengthShift> = strength.iter().copied().collect();
    if !shifts.is_empty() {
        shift_strength(plan, i, &shifts, &have, &prefix, Some(&eased));
    }
    refresh(plan, i);
    plan.weeks[i] != before
}

/// A week's running km (race excluded) and how many runs carry it.
fn week_runs(w: &Week) -> (f64, usize) {
    let runs = w
        .sessions()
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race && s.km() > 0.0)
        .count();
    (w.measured_training_km(), runs)
}

/// A run becomes cross-training of the same time: no impact on a sore leg.
fn to_cross(s: &mut Session, prefix: &str, units: Units) {
    let before = why::session_summary(s, units);
    let secs = s
        .duration_s
        .unwrap_or_else(|| (s.km() * 420.0).round() as u32);
    let minutes = secs.div_ceil(60).max(10);
    *s = Session {
        id: s.id.clone(),
        kind: SessionKind::CrossTraining,
        title: format!("Cross-training {minutes} min"),
        distance_m: None,
        duration_s: Some(minutes * 60),
        minutes: Some(minutes),
        pace_s_per_km: None,
        rpe: Some([3, 4]),
        steps: Vec::new(),
        exercises: Vec::new(),
        activation: Vec::new(),
        why: format!("{prefix}{}", why::cross_instead(&before)),
    };
}

/// Strength work of week `i` (only on the days `days`, when given) shifted
/// towards abductors or hip flexors, leaving out what a sore area cannot
/// take.
fn shift_strength(
    plan: &mut Plan,
    i: usize,
    shifts: &BTreeSet<StrengthShift>,
    have: &[Equipment],
    prefix: &str,
    days: Option<&dyn Fn(jiff::civil::Date) -> bool>,
) {
    let week = &mut plan.weeks[i];
    // How many movements of the week cover each family the checker wants.
    let covering = |week: &crate::plan::model::Week, f: Family| {
        week.sessions()
            .filter(|(_, s)| s.kind == SessionKind::Strength)
            .flat_map(|(_, s)| &s.exercises)
            .filter_map(|d| find(&d.id))
            .filter(|e| e.covers(f))
            .count()
    };
    let mut extensors = covering(week, Family::Extensors);
    let mut single_leg = covering(week, Family::SingleLeg);
    let in_range = |d: jiff::civil::Date| days.is_none_or(|f| f(d));
    for day in week.days.iter_mut().filter(|d| in_range(d.date)) {
        for s in day
            .sessions
            .iter_mut()
            .filter(|s| s.kind == SessionKind::Strength)
        {
            let before = s.exercises.clone();
            for n in shifts.iter().filter_map(|x| match x {
                StrengthShift::LeaveOut(n) => Some(*n),
                _ => None,
            }) {
                leave_out(&mut s.exercises, n, have, &mut extensors, &mut single_leg);
            }
            if shifts.contains(&StrengthShift::HipFlexors) {
                add_hip_flexor(&mut s.exercises, have);
            }
            if shifts.contains(&StrengthShift::Abductors) {
                let mut swaps = 0;
                while swaps < SWAPS_PER_SESSION {
                    let Some(j) = swappable(&s.exercises, extensors, single_leg) else {
                        break;
                    };
                    let Some(e) = pick(&s.exercises, have, s.exercises[j].sets, |e| {
                        e.covers(Family::Abductors) && e.load != Load::Heavy
                    }) else {
                        break;
                    };
                    if let Some(old) = find(&s.exercises[j].id) {
                        extensors -= usize::from(old.covers(Family::Extensors));
                        single_leg -= usize::from(old.covers(Family::SingleLeg));
                    }
                    s.exercises[j] = dose_like(e, s.exercises[j].sets);
                    swaps += 1;
                }
            }
            if s.exercises != before {
                trim(&mut s.exercises);
                let m = strength::minutes(&s.exercises);
                s.minutes = Some(m);
                s.title = format!("Hip strength {m} min");
                let note_ = why::strength_shift(&before, &s.exercises);
                s.why = format!("{prefix}{note_} {}", s.why);
            }
        }
    }
}

/// The movements niggle `n` rules out swapped for ones that suit it, of the
/// same family when one fits (a lunge for a single-leg balance reach), so
/// the week keeps its coverage; the family counts follow.
fn leave_out(
    doses: &mut [Dose],
    n: Niggle,
    have: &[Equipment],
    extensors: &mut usize,
    single_leg: &mut usize,
) {
    let banned = crate::plan::niggles::banned_movements(&[n]);
    for j in 0..doses.len() {
        if !banned.contains(&doses[j].id.as_str()) {
            continue;
        }
        let Some(old) = find(&doses[j].id) else {
            continue;
        };
        let sets = doses[j].sets;
        let gentle = |e: &Exercise| e.load != Load::Heavy && !banned.contains(&e.id.as_str());
        let suits = |e: &Exercise| crate::plan::niggles::suits(n, e);
        let new = pick(doses, have, sets, |e| {
            gentle(e) && suits(e) && e.covers(old.family)
        })
        .or_else(|| pick(doses, have, sets, |e| gentle(e) && e.covers(old.family)))
        .or_else(|| pick(doses, have, sets, |e| gentle(e) && suits(e)));
        let Some(e) = new else {
            continue;
        };
        *extensors = *extensors - usize::from(old.covers(Family::Extensors))
            + usize::from(e.covers(Family::Extensors));
        *single_leg = *single_leg - usize::from(old.covers(Family::SingleLeg))
            + usize::from(e.covers(Family::SingleLeg));
        doses[j] = dose_like(e, sets);
    }
}

/// A movement that may give way to abductor work: core and adductor work
/// first, then a second movement of a family the week still covers.
fn swappable(doses: &[Dose], extensors: usize, single_leg: usize) -> Option<usize> {
    let ex: Vec<Option<&Exercise>> = doses.iter().map(|d| find(&d.id)).collect();
    let free = ex.iter().position(|e| {
        e.is_some_and(|e| {
            !e.covers(Family::Abductors) && matches!(e.family, Family::Core | Family::Adductors)
        })
    });
    free.or_else(|| {
        ex.iter().enumerate().position(|(j, e)| {
            e.is_some_and(|e| {
                let twice = ex[..j]
                    .iter()
                    .flatten()
                    .any(|f| f.family == e.family && !f.covers(Family::Abductors));
                let spare = match e.family {
                    Family::Extensors => extensors > 1,
                    Family::SingleLeg => single_leg > 1,
                    _ => false,
                };
                twice && spare && !e.covers(Family::Abductors)
            })
        })
    })
}

/// The first library movement that fits, with the runner's kit, not
/// already in the session; one whose dose can keep the sets preferred.
fn pick(
    doses: &[Dose],
    have: &[Equipment],
    sets: u8,
    fits: impl Fn(&Exercise) -> bool,
) -> Option<&'static Exercise> {
    let candidates: Vec<&'static Exercise> = library()
        .iter()
        .filter(|e| e.family != Family::Mobility)
        .filter_map(|e| with_equipment(e, have))
        .filter(|e| fits(e))
        .filter(|e| !doses.iter().any(|d| d.id == e.id))
        .collect();
    candidates
        .iter()
        .copied()
        .find(|e| e.sets[1] >= sets)
        .or_else(|| candidates.first().copied())
}

fn add_hip_flexor(doses: &mut Vec<Dose>, have: &[Equipment]) {
    let has = doses
        .iter()
        .any(|d| find(&d.id).is_some_and(|e| e.family == Family::HipFlexors));
    if has {
        return;
    }
    let slot = doses.iter().position(|d| {
        find(&d.id).is_some_and(|e| {
            matches!(e.family, Family::Core | Family::Adductors) && !e.covers(Family::Abductors)
        })
    });
    let sets = slot.map_or(2, |j| doses[j].sets);
    let Some(e) = pick(doses, have, sets, |e| e.family == Family::HipFlexors) else {
        return;
    };
    match slot {
        Some(j) => doses[j] = dose_like(e, sets),
        None => doses.push(dose_like(e, sets)),
    }
}

/// A dose of `e` in place of one with `sets` sets, at the low end of its
/// reps or hold (gentle while something hurts).
fn dose_like(e: &Exercise, sets: u8) -> Dose {
    Dose {
        id: e.id.clone(),
        name: Some(e.name.clone()),
        family: Some(e.family),
        sets: sets.min(e.sets[1]).max(1),
        reps: e.reps.map(|r| r[0]),
        hold_s: e.hold_s.map(|h| h[0]),
        per_side: e.per_side,
    }
}

/// Keep a session to about 20 minutes: a set off the biggest dose, never
/// below the movement's minimum.
fn trim(doses: &mut [Dose]) {
    while strength::minutes(doses) > 20 {
        let Some(d) = doses
            .iter_mut()
            .filter(|d| find(&d.id).is_some_and(|e| d.sets > e.sets[0]))
            .max_by_key(|d| d.sets)
        else {
            break;
        };
        d.sets -= 1;
    }
}

fn band(t: &Targets, kind: SessionKind) -> Option<[u32; 2]> {
    t.steady(kind, 1.0).pace_s_per_km
}

fn retarget_steps(steps: &mut [Step], kind: SessionKind, t: &Targets) {
    for step in steps {
        let run = match step.kind {
            StepKind::Warmup | StepKind::Cooldown => Some(SessionKind::Easy),
            StepKind::Work => Some(kind),
            StepKind::Recovery if kind == SessionKind::Repetition && step.distance_m.is_some() => {
                Some(SessionKind::Recovery)
            }
            StepKind::Repeat => {
                retarget_steps(&mut step.steps, kind, t);
                None
            }
            StepKind::Recovery => None,
        };
        if let Some(run) = run {
            step.pace_s_per_km = band(t, run);
            step.rpe = None;
            if let Some(m) = step.distance_m {
                step.duration_s = Some(t.seconds(run, f64::from(m) / 1000.0).round() as u32);
            }
        }
    }
}

/// New paces for every session after the race; returns the weeks whose
/// volume changed (a long run shortened to stay inside its time cap).
fn apply_paces(plan: &mut Plan, adj: &Adjustment) -> Vec<usize> {
    let Action::Repace {
        after,
        vdot,
        source,
    } = &adj.action
    else {
        return Vec::new();
    };
    let Some(v) = Vdot::new(*vdot) else {
        return Vec::new();
    };
    let p = TrainingPaces::from_vdot(v);
    let t = Targets {
        known: Some(p),
        assumed: p,
        units: plan.units(),
    };
    let round = |x: f64| x.round() as u32;
    plan.paces = Some(PlanPaces {
        vdot: (vdot * 10.0).round() / 10.0,
        source: source.clone(),
        easy: [round(p.easy.fast.s_per_km()), round(p.easy.slow.s_per_km())],
        marathon: round(p.marathon.s_per_km()),
        threshold: round(p.threshold.s_per_km()),
        interval: round(p.interval.s_per_km()),
        repetition: round(p.repetition.s_per_km()),
    });
    let prefix = format!("{} ", why::prefix(&adj.summary));
    let cat = RaceCategory::of(f64::from(plan.race.distance_m));
    let (race_name, race_m) = (plan.race.name.clone(), f64::from(plan.race.distance_m));
    let mut changed_volume = Vec::new();
    for i in 0..plan.weeks.len() {
        let before = plan.weeks[i].clone();
        let vol = before.measured_training_km();
        let mut touched = false;
        for day in plan.weeks[i].days.iter_mut().filter(|d| d.date > *after) {
            for s in &mut day.sessions {
                let old = s.clone();
                match s.kind {
                    k if steady(k) => {
                        let mut km = s.km();
                        let cap_s = cat.long_cap_min * 60.0;
                        if k == SessionKind::Long && t.seconds(k, km) > cap_s {
                            km = (cap_s / t.seconds(k, 1.0) * 10.0).floor() / 10.0;
                        }
                        let fresh = t.steady(k, km);
                        if fresh.distance_m != s.distance_m {
                            s.title = fresh.title;
                            s.distance_m = fresh.distance_m;
                            // Shortened to its time cap: run easy.
                            s.steps.clear();
                        }
                        s.duration_s = fresh.duration_s;
                        if !s.steps.is_empty() {
                            // Marathon-pace segments at the new pace.
                            retarget_steps(&mut s.steps, SessionKind::MarathonPace, &t);
                            s.duration_s = Some(workouts::totals(&s.steps).1);
                        }
                        s.pace_s_per_km = fresh.pace_s_per_km;
                        s.rpe = fresh.rpe;
                    }
                    k if k.is_quality() => {
                        s.pace_s_per_km = band(&t, k);
                        s.rpe = None;
                        retarget_steps(&mut s.steps, k, &t);
                        if !s.steps.is_empty() {
                            s.duration_s = Some(workouts::totals(&s.steps).1);
                        }
                    }
                    SessionKind::Race => {
                        let r = workouts::race(&race_name, race_m, &t);
                        s.duration_s = r.duration_s;
                        s.pace_s_per_km = r.pace_s_per_km;
                        s.rpe = r.rpe;
                        s.why = plan_why::race(
                            &race_name,
                            race_m / 1000.0,
                            r.duration_s.map(|d| (d, source.as_str())),
                            t.units,
                        );
                    }
                    _ => {}
                }
                if *s != old {
                    s.why = format!("{prefix}{}", s.why);
                    touched = true;
                }
            }
        }
        if touched {
            refresh(plan, i);
            if (plan.weeks[i].measured_training_km() - vol).abs() > 1e-9 {
                changed_volume.push(i);
            }
        }
    }
    changed_volume
}
