//! Race week after a lowered taper: its runs stay shorter than the taper
//! week's average run, as the plan engine sizes them, so the legs arrive
//! fresher each day towards the race rather than meeting a longer run in
//! race week than in the week before it.

use super::apply::HARD_SHARE;
use super::why;
use crate::plan::model::{Phase, Plan, Session, SessionKind, StepKind, Week};
use crate::plan::sizing::MIN_SHAKEOUT_MIN;
use crate::plan::{with_totals, workouts};
use crate::units::Units;

/// The shortest warm-up or cool-down a sharpener keeps.
const MIN_EASY_PART_M: u32 = 1000;

/// Race week's easy runs are at most this share of the taper week's
/// average run (the engine's rule).
const OF_TAPER_RUN: f64 = 0.9;

fn runs(s: &Session) -> bool {
    s.kind.is_run() && s.kind != SessionKind::Race
}

/// Shortens race week's runs that are longer than the taper week's average
/// run: easy runs to 90 % of it (never below a 15-minute shakeout), the
/// sharpener by a shorter warm-up and cool-down. Returns whether anything
/// changed.
pub(super) fn keep_shorter_than_taper(plan: &mut Plan) -> bool {
    let n = plan.weeks.len();
    if n < 2 || plan.weeks[n - 1].phase != Phase::Race {
        return false;
    }
    let taper: Vec<f64> = plan.weeks[n - 2]
        .sessions()
        .filter(|(_, s)| runs(s))
        .map(|(_, s)| s.km())
        .collect();
    if taper.is_empty() {
        return false;
    }
    let avg = taper.iter().sum::<f64>() / taper.len() as f64;
    let most = (avg * OF_TAPER_RUN * 10.0).floor() / 10.0;
    let units = plan.units();
    let mut changed = false;
    let note = why::prefix(&why::race_week_runs(avg, units));
    // A sharpener too long to trim becomes an easy run, as the engine
    // leaves it out of a race week whose runs are short.
    let easy = super::apply::easy_run(plan, n - 1);
    let week = &mut plan.weeks[n - 1];
    for s in week
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
        .filter(|s| s.kind.is_quality() && s.km() > avg + 0.05)
    {
        if !shorter_sharpener(s, avg, &note) {
            super::apply::to_easy(s, &easy, &format!("{note} "));
        }
        changed = true;
    }
    changed |= shorten_easy_runs(week, (avg, most), &note, units);
    // Shorter easy runs leave the sharpener a bigger share of the week: past
    // the hard-running cap it becomes an easy run too.
    let hard: f64 = week.sessions().map(|(_, s)| s.hard_km()).sum();
    if hard > HARD_SHARE * week.measured_training_km() {
        for s in week
            .days
            .iter_mut()
            .flat_map(|d| d.sessions.iter_mut())
            .filter(|s| s.kind.is_quality())
        {
            super::apply::to_easy(s, &easy, &format!("{note} "));
        }
        shorten_easy_runs(week, (avg, most), &note, units);
        changed = true;
    }
    if changed {
        let w = plan.weeks[n - 1].clone();
        plan.weeks[n - 1] = with_totals(w);
    }
    changed
}

/// Easy runs longer than `avg` km cut to `most` km, never below a
/// 15-minute shakeout.
fn shorten_easy_runs(week: &mut Week, (avg, most): (f64, f64), note: &str, units: Units) -> bool {
    let mut changed = false;
    for day in &mut week.days {
        for s in day.sessions.iter_mut().filter(|s| {
            matches!(s.kind, SessionKind::Easy | SessionKind::Recovery) && s.km() > avg + 0.05
        }) {
            let (Some(m), Some(secs)) = (s.distance_m, s.duration_s) else {
                continue;
            };
            let s_per_km = f64::from(secs) / (f64::from(m) / 1000.0);
            let shakeout_km = (MIN_SHAKEOUT_MIN * 60.0 / s_per_km * 10.0).ceil() / 10.0;
            let km = most.max(shakeout_km);
            s.distance_m = Some((km * 1000.0).round() as u32);
            s.duration_s = Some((km * s_per_km).round() as u32);
            s.title = format!("{} {}", s.kind.label(), units.distance(km));
            if !s.why.starts_with(note) {
                s.why = format!("{note} {}", s.why);
            }
            changed = true;
        }
    }
    changed
}

/// The sharpener within `avg` km: its easy warm-up and cool-down shortened
/// (each kept to at least 1 km), its touches of race rhythm kept.
fn shorter_sharpener(s: &mut Session, avg: f64, note: &str) -> bool {
    let (m, secs) = workouts::totals(&s.steps);
    let over = (f64::from(m) - avg * 1000.0).max(0.0) as u32;
    let easy_parts = |k: StepKind| matches!(k, StepKind::Warmup | StepKind::Cooldown);
    let room: u32 = s
        .steps
        .iter()
        .filter(|st| easy_parts(st.kind))
        .map(|st| st.distance_m.unwrap_or(0).saturating_sub(MIN_EASY_PART_M))
        .sum();
    if over == 0 || room < over || m == 0 || secs == 0 {
        return false;
    }
    // Each easy part gives up its share of the excess, rounded up to 100 m.
    for st in s.steps.iter_mut().filter(|st| easy_parts(st.kind)) {
        let (Some(dm), Some(ds)) = (st.distance_m, st.duration_s) else {
            continue;
        };
        let part = dm.saturating_sub(MIN_EASY_PART_M);
        let cut = (u64::from(over) * u64::from(part)).div_ceil(u64::from(room)) as u32;
        let cut = cut.div_ceil(100) * 100;
        let new = dm - cut.min(part);
        st.duration_s = Some((f64::from(ds) * f64::from(new) / f64::from(dm)).round() as u32);
        st.distance_m = Some(new);
    }
    let (m, secs) = workouts::totals(&s.steps);
    s.distance_m = Some(m);
    s.duration_s = Some(secs);
    s.why = format!("{note} {}", s.why);
    true
}
