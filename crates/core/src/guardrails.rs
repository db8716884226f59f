//! The guardrail checker: judges any plan in the public schema, generated
//! or edited by a coach, against the training rules. Each finding names
//! the rule, the week and date, and the numbers.

use jiff::civil::Date;
use serde::Serialize;

use crate::exercises::{Family, find};
use crate::plan::model::{Level, Phase, Plan, SessionKind, Week};
use crate::plan::shape::{
    PEAK_LONG_KM, PEAK_LONG_MIN, PEAK_LONG_SHARE, PEAK_SPACING, RECOVERY_QUALITY_SHARE,
    RaceCategory, block_peak_cap, long_run_share_cap_for_runs, long_run_step_cap, peak_long_runner,
    peak_long_week, recovery_quality_cap,
};
use crate::plan::sizing::{
    EASY_TO_LONG, FIRST_TIMER_QUALITY_SHARE, MAX_BACK_TO_BACK_MIN, MAX_BACK_TO_BACK_SHARE,
    MAX_EASY_MIN, MIN_RUN_MIN, MIN_SHAKEOUT_MIN,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub week: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "week {}", self.week)?;
        if let Some(d) = self.date {
            write!(f, " ({d})")?;
        }
        write!(f, " {}: {}", self.rule, self.message)
    }
}

/// Rounding slack: plans are written in 0.1 km.
const SLACK_KM: f64 = 0.15;

struct Findings(Vec<Violation>);

impl Findings {
    fn add(&mut self, rule: &'static str, week: &Week, date: Option<Date>, message: String) {
        self.0.push(Violation {
            rule,
            week: week.index,
            date,
            message,
        });
    }
}

/// Every rule the plan breaks; empty when it passes.
pub fn check(plan: &Plan) -> Vec<Violation> {
    let mut f = Findings(Vec::new());
    let cat = RaceCategory::of(f64::from(plan.race.distance_m));
    let volumes: Vec<f64> = plan.weeks.iter().map(Week::measured_training_km).collect();
    structure(plan, &mut f);
    progression(plan, &volumes, &mut f);
    recovery_weeks(plan, &volumes, &mut f);
    taper(plan, &volumes, &cat, &mut f);
    long_runs(plan, &volumes, &cat, &mut f);
    hard_days(plan, &mut f);
    easy_share(plan, &volumes, &mut f);
    run_sizes(plan, &mut f);
    strength_load(plan, &mut f);
    race_week(plan, &mut f);
    niggles(plan, &mut f);
    feasibility(plan, &mut f);
    explanations(plan, &mut f);
    workout_variety(plan, &mut f);
    ultra(plan, &mut f);
    block_growth(plan, &volumes, &mut f);
    long_run_progression(plan, &mut f);
    long_run_growth(plan, &volumes, &mut f);
    first_timer_quality(plan, &volumes, &mut f);
    base_speed(plan, &mut f);
    race_specific(plan, &mut f);
    peak_timing(plan, &volumes, &mut f);
    recovery_quality(plan, &mut f);
    strength(plan, &mut f);
    f.0
}

fn structure(plan: &Plan, f: &mut Findings) {
    let mut expected = plan.weeks.first().map(|w| w.start);
    for w in &plan.weeks {
        if Some(w.start) != expected {
            f.add(
                "structure",
                w,
                Some(w.start),
                format!(
                    "week starts {} but the week before ends earlier or later",
                    w.start
                ),
            );
        }
        for (i, d) in w.days.iter().enumerate() {
            let want = w.start.checked_add(jiff::Span::new().days(i as i64)).ok();
            if Some(d.date) != want {
                f.add(
                    "structure",
                    w,
                    Some(d.date),
                    "days are not consecutive from the week's start".into(),
                );
            }
        }
        let sum: f64 = w
            .sessions()
            .filter(|(_, s)| s.kind.is_run())
            .map(|(_, s)| s.km())
            .sum();
        if (sum - w.run_km).abs() > SLACK_KM {
            f.add(
                "structure",
                w,
                None,
                format!(
                    "run_km says {:.1} km but the runs add up to {sum:.1} km",
                    w.run_km
                ),
            );
        }
        expected = w.start.checked_add(jiff::Span::new().days(7)).ok();
    }
    let races: Vec<(Date, u32)> = plan
        .weeks
        .iter()
        .flat_map(|w| {
            w.sessions()
                .filter(|(_, s)| s.kind == SessionKind::Race)
                .map(move |(d, _)| (d.date, w.index))
        })
        .collect();
    if let Some(last) = plan.weeks.last() {
        if races.len() != 1 || races[0].0 != plan.race.date {
            f.add(
                "race_day",
                last,
                Some(plan.race.date),
                format!(
                    "the plan needs exactly one race session, on {}",
                    plan.race.date
                ),
            );
        }
        if last.phase != Phase::Race {
            f.add(
                "taper",
                last,
                None,
                "the last week should be race week".into(),
            );
        }
    }
}

fn progression(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    let start = plan.athlete.as_ref().map(|a| a.weekly_km);
    for (i, w) in plan.weeks.iter().enumerate() {
        let before: Vec<f64> = match i {
            0 => start.into_iter().collect(),
            1 => [volumes[0]].into_iter().chain(start).collect(),
            _ => vec![volumes[i - 1], volumes[i - 2]],
        };
        let Some(base) = before.into_iter().reduce(f64::max) else {
            continue;
        };
        if volumes[i] > base * 1.10 + SLACK_KM {
            f.add(
                "weekly_progression",
                w,
                Some(w.start),
                format!(
                    "{:.1} km is {:.0}% of {base:.1} km, the larger of the two weeks before; the limit is 110%",
                    volumes[i],
                    volumes[i] / base * 100.0
                ),
            );
        }
    }
}

fn building(w: &Week) -> bool {
    matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak)
}

fn recovery_weeks(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    let weeks = &plan.weeks;
    for i in 0..weeks.len() {
        let window = &weeks[i..(i + 4).min(weeks.len())];
        if window.len() == 4 && window.iter().all(building) && !window.iter().any(|w| w.recovery) {
            f.add(
                "recovery_weeks",
                &window[3],
                Some(window[3].start),
                format!(
                    "weeks {}–{} have no recovery week; the rule asks for one in every four",
                    window[0].index, window[3].index
                ),
            );
        }
        if weeks[i].recovery && i > 0 {
            let cut = 1.0 - volumes[i] / volumes[i - 1].max(0.1);
            // A recovery week too small to split into runs of 20 minutes
            // keeps its one run to the longest long run so far: deeper
            // than the usual cut, never a new longest run.
            let lone_at_longest = lone_run(&weeks[i]).is_some_and(|(_, km)| {
                let longest = longest_long_before(&weeks[..i]);
                // Weeks are planned in 0.5 km steps: up to one below it.
                longest > 0.0 && km <= longest + SLACK_KM && km >= longest - 0.5 - SLACK_KM
            });
            let deeper_for_a_lone_run = lone_at_longest && cut > 0.305;
            if !(0.195..=0.305).contains(&cut) && !deeper_for_a_lone_run {
                f.add(
                    "recovery_weeks",
                    &weeks[i],
                    Some(weeks[i].start),
                    format!("recovery week cuts {:.0}% ({:.1} → {:.1} km); it should be 20–30% below the week before", cut * 100.0, volumes[i - 1], volumes[i]),
                );
            }
        }
    }
}

fn taper(plan: &Plan, volumes: &[f64], cat: &RaceCategory, f: &mut Findings) {
    let n = plan.weeks.len();
    let pre: Vec<f64> = plan
        .weeks
        .iter()
        .zip(volumes)
        .filter(|(w, _)| building(w))
        .map(|(_, v)| *v)
        .collect();
    let Some(peak) = pre.iter().copied().reduce(f64::max) else {
        return;
    };
    let tapering = plan.weeks.iter().filter(|w| !building(w)).count() as u32;
    let wanted = cat.taper_weeks(n as u32);
    if tapering < wanted && n as u32 > wanted {
        f.add("taper", &plan.weeks[n - 1], None, format!("{tapering} taper week(s) including race week; a {} plan of {n} weeks wants {wanted}", cat.name));
    }
    for (i, w) in plan.weeks.iter().enumerate().filter(|(_, w)| !building(w)) {
        if volumes[i] > peak + SLACK_KM {
            f.add(
                "taper",
                w,
                Some(w.start),
                format!(
                    "{:.1} km in the taper is above the {peak:.1} km peak",
                    volumes[i]
                ),
            );
        }
    }
    let last = &plan.weeks[n - 1];
    let share = volumes[n - 1] / peak.max(0.1);
    if share > 0.60 + 0.01 {
        f.add(
            "taper",
            last,
            Some(last.start),
            format!(
                "race week runs {:.0}% of peak volume; the taper should cut 40–60%",
                share * 100.0
            ),
        );
    }
    // No lower bound: race-week runs are short shakeouts (see `run_sizes`),
    // so a week with few run days before the race can sit well below 40%.
    // The days just before the race are easy.
    for w in &plan.weeks[n.saturating_sub(2)..] {
        for (d, s) in w.sessions() {
            let gap = (plan.race.date - d.date).get_days();
            if (1..=2).contains(&gap) && (s.kind.is_quality() || s.kind == SessionKind::Long) {
                f.add(
                    "race_eve",
                    w,
                    Some(d.date),
                    format!(
                        "{} {gap} day(s) before the race; keep these days easy",
                        s.kind.label()
                    ),
                );
            }
        }
    }
}

fn long_runs(plan: &Plan, volumes: &[f64], cat: &RaceCategory, f: &mut Findings) {
    let long_day = plan.athlete.as_ref().map(|a| a.long_run_day);
    for (i, w) in plan.weeks.iter().enumerate() {
        let runs: Vec<_> = w
            .sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .collect();
        // A week of one run never asks for more than the runner has done.
        let longest = longest_long_before(&plan.weeks[..i]);
        if let Some((date, km)) = lone_run(w)
            && longest > 0.0
            && km > longest + SLACK_KM
        {
            f.add(
                "lone_run",
                w,
                Some(date),
                format!(
                    "the week's only run, {km:.1} km, is longer than any long run so far ({longest:.1} km)"
                ),
            );
        }
        // An ultra's back-to-back long run is judged in `ultra`.
        let back_to_back = back_to_back(plan, w);
        let longs: Vec<_> = runs
            .iter()
            .copied()
            .filter(|(d, s)| s.kind == SessionKind::Long && Some(d.date) != back_to_back)
            .collect();
        if longs.len() > 1 {
            f.add(
                "long_run",
                w,
                None,
                format!("{} long runs in one week; one is the rule", longs.len()),
            );
        }
        for (d, s) in longs {
            let km = s.km();
            if let Some(day) = long_day.filter(|day| d.date.weekday() != *day) {
                f.add(
                    "long_run",
                    w,
                    Some(d.date),
                    format!(
                        "long run on {} instead of the long-run day, {}",
                        d.date.strftime("%A"),
                        // Any date on that weekday spells its full name.
                        d.date
                            .nth_weekday(1, day)
                            .map_or_else(|_| String::new(), |on| on.strftime("%A").to_string())
                    ),
                );
            }
            // Plans are written in 0.1 km: the step is judged on that.
            let cap = long_run_share_cap_for_runs((volumes[i] * 10.0).round() / 10.0, runs.len());
            if km > cap * volumes[i] + SLACK_KM && !peak_long_run(plan, cat, w, km, s.duration_s) {
                f.add("long_run", w, Some(d.date), format!("{km:.1} km is {:.0}% of the week's {:.1} km; the cap at this volume is {:.0}%", km / volumes[i] * 100.0, volumes[i], cap * 100.0));
            }
            if km > cat.long_cap_km + SLACK_KM {
                f.add(
                    "long_run",
                    w,
                    Some(d.date),
                    format!(
                        "{km:.1} km is over the {} long-run cap of {:.0} km",
                        cat.name, cat.long_cap_km
                    ),
                );
            }
            if let Some(secs) = s
                .duration_s
                .filter(|s| f64::from(*s) > cat.long_cap_min * 60.0 + 60.0)
            {
                f.add(
                    "long_run",
                    w,
                    Some(d.date),
                    format!(
                        "{} min is over the {} long-run cap of {:.0} min",
                        secs / 60,
                        cat.name,
                        cat.long_cap_min
                    ),
                );
            }
        }
    }
}

/// A long run past its share under the peak long runs' exception
/// ([`PEAK_LONG_KM`]): a runner whose history qualifies, a peak long-run
/// week, at most 32 km (and its share of the week) and three hours.
fn peak_long_run(
    plan: &Plan,
    cat: &RaceCategory,
    w: &Week,
    km: f64,
    duration_s: Option<u32>,
) -> bool {
    let Some(a) = plan.athlete.as_ref() else {
        return false;
    };
    let n = plan.weeks.len() as u32;
    let pre_taper = n - cat.taper_weeks(n);
    let volume = w.measured_training_km();
    peak_long_runner(
        f64::from(plan.race.distance_m),
        a.level,
        a.weekly_km,
        a.longest_run_km,
    ) && peak_long_week(w.index, pre_taper, w.recovery)
        && km <= PEAK_LONG_KM.min(PEAK_LONG_SHARE * volume) + SLACK_KM
        && duration_s.is_some_and(|s| f64::from(s) <= PEAK_LONG_MIN * 60.0 + 60.0)
}

/// The longest long run of these weeks (0: none).
fn longest_long_before(weeks: &[Week]) -> f64 {
    weeks
        .iter()
        .flat_map(Week::sessions)
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max)
}

/// The date and length of a week's only run (the race not counted).
fn lone_run(w: &Week) -> Option<(Date, f64)> {
    let mut runs = w
        .sessions()
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race);
    let (d, s) = runs.next()?;
    runs.next().is_none().then_some((d.date, s.km()))
}

fn hard_days(plan: &Plan, f: &mut Findings) {
    let first_timer = plan
        .athlete
        .as_ref()
        .is_some_and(|a| a.level == Level::FirstTimer);
    let mut prev_hard: Option<Date> = None;
    let days: Vec<(&Week, &crate::plan::model::Day)> = plan
        .weeks
        .iter()
        .flat_map(|w| w.days.iter().map(move |d| (w, d)))
        .collect();
    for (i, (w, d)) in days.iter().enumerate() {
        // A long run with marathon-pace segments is a hard day too.
        let quality: Vec<_> = d.sessions.iter().filter(|s| s.is_hard()).collect();
        if quality.is_empty() {
            continue;
        }
        if prev_hard.is_some_and(|p| (d.date - p).get_days() == 1) {
            f.add(
                "hard_days",
                w,
                Some(d.date),
                "quality sessions on two days in a row".into(),
            );
        }
        let long_next = days
            .get(i + 1)
            .is_some_and(|(_, next)| next.sessions.iter().any(|s| s.kind == SessionKind::Long));
        if long_next {
            f.add(
                "hard_days",
                w,
                Some(d.date),
                "quality session the day before the long run".into(),
            );
        }
        // Two long days in a row (an ultra's back-to-back weekend) are
        // followed by an easy day, whichever week it falls in.
        let long_on = |k: Option<usize>| {
            k.and_then(|k| days.get(k))
                .is_some_and(|(_, x)| x.sessions.iter().any(|s| s.kind == SessionKind::Long))
        };
        if long_on(i.checked_sub(1)) && long_on(i.checked_sub(2)) {
            f.add(
                "hard_days",
                w,
                Some(d.date),
                "quality session the day after back-to-back long runs".into(),
            );
        }
        if first_timer && w.phase == Phase::Base && w.index <= 2 {
            f.add(
                "hard_days",
                w,
                Some(d.date),
                "no quality sessions in a first-timer's first base weeks".into(),
            );
        }
        prev_hard = Some(d.date);
    }
    for w in &plan.weeks {
        let n = w.sessions().filter(|(_, s)| s.is_hard()).count();
        if n > 2 {
            f.add(
                "hard_days",
                w,
                Some(w.start),
                format!("{n} quality sessions; at most two a week"),
            );
        }
    }
}

fn easy_share(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    for (i, w) in plan.weeks.iter().enumerate() {
        // Marathon pace counts half: a steady effort, not a hard one.
        let hard: f64 = w.sessions().map(|(_, s)| s.intensity_km()).sum();
        if volumes[i] > 0.0 && hard / volumes[i] > 0.25 + 0.005 {
            f.add("easy_share", w, Some(w.start), format!("only {:.0}% of running is easy ({hard:.1} of {:.1} km hard, marathon pace counted half); keep at least 75%", (1.0 - hard / volumes[i]) * 100.0, volumes[i]));
        }
    }
}

/// Runs worth doing: at least 20 minutes (a race-week shakeout 15) unless it
/// is the week's only run; easy runs within three quarters of the long run
/// and 90 minutes; a run day left without a run says why.
fn run_sizes(plan: &Plan, f: &mut Findings) {
    let run_days = plan
        .athlete
        .as_ref()
        .map(|a| a.run_days.as_slice())
        .unwrap_or(&[]);
    for w in &plan.weeks {
        let runs: Vec<_> = w
            .sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .collect();
        let long = runs
            .iter()
            .filter(|(_, s)| s.kind == SessionKind::Long)
            .map(|(_, s)| s.km())
            .reduce(f64::max);
        let min = if w.phase == Phase::Race {
            MIN_SHAKEOUT_MIN
        } else {
            MIN_RUN_MIN
        };
        for (d, s) in &runs {
            let minutes = f64::from(s.duration_s.unwrap_or(u32::MAX)) / 60.0;
            if runs.len() > 1 && minutes < min - 0.5 {
                f.add(
                    "run_length",
                    w,
                    Some(d.date),
                    format!(
                        "{} {:.1} km takes {minutes:.0} min; a run under {min:.0} minutes is not worth the trip out",
                        s.kind.label(),
                        s.km()
                    ),
                );
            }
            // The long run is the week's longest run: a quality session
            // longer than it makes the midweek day the big one.
            if let Some(long) = long.filter(|l| s.kind.is_quality() && s.km() > l + SLACK_KM) {
                f.add(
                    "long_run_longest",
                    w,
                    Some(d.date),
                    format!(
                        "{} {:.1} km is longer than the week's {long:.1} km long run; the long run is the week's longest run",
                        s.kind.label(),
                        s.km()
                    ),
                );
            }
            if !matches!(s.kind, SessionKind::Easy | SessionKind::Recovery) {
                continue;
            }
            // Easy runs are written in 0.5 km steps: half a step of slack.
            if let Some(long) = long.filter(|l| s.km() > l * EASY_TO_LONG + 0.5) {
                f.add(
                    "easy_run_size",
                    w,
                    Some(d.date),
                    format!(
                        "easy {:.1} km is {:.0}% of the {long:.1} km long run; easy runs stay within {:.0}%",
                        s.km(),
                        s.km() / long * 100.0,
                        EASY_TO_LONG * 100.0
                    ),
                );
            }
            if minutes > MAX_EASY_MIN + 1.0 && minutes.is_finite() && s.duration_s.is_some() {
                f.add(
                    "easy_run_size",
                    w,
                    Some(d.date),
                    format!("easy run of {minutes:.0} min; easy runs stay under {MAX_EASY_MIN:.0}"),
                );
            }
        }
        for d in &w.days {
            let declared = run_days.contains(&d.date.weekday()) && d.date < plan.race.date;
            let ran = d.sessions.iter().any(|s| s.kind.is_run());
            if declared && !ran && d.sessions.iter().all(|s| s.why.trim().is_empty()) {
                f.add(
                    "run_days",
                    w,
                    Some(d.date),
                    "a run day without a run and without a why".into(),
                );
            }
        }
    }
}

/// Strength sessions of five or six movements whose minutes are not
/// optimistic, and heavy single-leg work never the day before a hard run.
fn strength_load(plan: &Plan, f: &mut Findings) {
    use crate::exercises::Load;
    use crate::plan::strength::{MOVEMENTS, minutes};
    let days: Vec<(&Week, &crate::plan::model::Day)> = plan
        .weeks
        .iter()
        .flat_map(|w| w.days.iter().map(move |d| (w, d)))
        .collect();
    for (i, (w, d)) in days.iter().enumerate() {
        for s in d
            .sessions
            .iter()
            .filter(|s| s.kind == SessionKind::Strength)
        {
            if !MOVEMENTS.contains(&s.exercises.len()) {
                f.add(
                    "strength_movements",
                    w,
                    Some(d.date),
                    format!(
                        "{} movements; a hip session has five or six",
                        s.exercises.len()
                    ),
                );
            }
            let needed = minutes(&s.exercises);
            if let Some(m) = s.minutes.filter(|m| *m + 1 < needed) {
                f.add(
                    "strength_minutes",
                    w,
                    Some(d.date),
                    format!("says {m} minutes but its sets take about {needed}"),
                );
            }
            let heavy = s
                .exercises
                .iter()
                .filter_map(|x| find(&x.id))
                .any(|e| e.load == Load::Heavy);
            let hard_next = days.get(i + 1).is_some_and(|(_, next)| {
                next.sessions
                    .iter()
                    .any(|x| x.kind.is_quality() || x.kind == SessionKind::Long)
            });
            if heavy && back_to_back(plan, w) == Some(d.date) {
                f.add(
                    "heavy_strength",
                    w,
                    Some(d.date),
                    "heavy single-leg work on a back-to-back long-run day; only a light session fits there"
                        .into(),
                );
            }
            if heavy && hard_next {
                f.add(
                    "heavy_strength",
                    w,
                    Some(d.date),
                    "heavy single-leg work the day before a hard run; it needs about 48 hours"
                        .into(),
                );
            }
        }
    }
}

/// Race week: every run shorter than the taper week's average run (a
/// shakeout of about 15 minutes always allowed) and at most one short
/// sharpening session.
fn race_week(plan: &Plan, f: &mut Findings) {
    let n = plan.weeks.len();
    let Some(last) = plan.weeks.last().filter(|w| w.phase == Phase::Race) else {
        return;
    };
    let runs = |w: &'_ Week| -> Vec<(Date, f64, u32)> {
        w.sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .map(|(d, s)| (d.date, s.km(), s.duration_s.unwrap_or(u32::MAX)))
            .collect()
    };
    if n >= 2 {
        let taper = runs(&plan.weeks[n - 2]);
        if !taper.is_empty() {
            let avg = taper.iter().map(|r| r.1).sum::<f64>() / taper.len() as f64;
            for (date, km, secs) in runs(last) {
                let shakeout = f64::from(secs) <= (MIN_SHAKEOUT_MIN + 1.5) * 60.0;
                if km > avg + 0.05 && !shakeout {
                    f.add(
                        "race_week_runs",
                        last,
                        Some(date),
                        format!(
                            "{km:.1} km is longer than the taper week's average run of {avg:.1} km; race-week runs get shorter"
                        ),
                    );
                }
            }
        }
    }
    let quality: Vec<_> = last
        .sessions()
        .filter(|(_, s)| s.kind.is_quality())
        .collect();
    if quality.len() > 1 || quality.iter().any(|(_, s)| s.hard_km() > 5.0) {
        f.add(
            "race_week_runs",
            last,
            Some(last.start),
            "race week holds one short sharpening session at most".into(),
        );
    }
}

/// A plan around a niggle leads with the pain rule and the advice to see a
/// physiotherapist, and changes the running and strength work it asks for.
fn niggles(plan: &Plan, f: &mut Findings) {
    use crate::plan::model::Niggle;
    use crate::plan::niggles::{banned_movements, instead};
    let Some(niggles) = plan
        .athlete
        .as_ref()
        .map(|a| &a.niggles)
        .filter(|n| !n.is_empty())
    else {
        return;
    };
    let Some(first) = plan.weeks.first() else {
        return;
    };
    let told = plan
        .warnings
        .iter()
        .any(|w| w.contains("3/10") && w.contains("physiotherapist"));
    if !told {
        f.add(
            "niggles",
            first,
            None,
            format!(
                "a plan around a {} niggle says the pain rule (3/10, not worse next morning) and when to see a physiotherapist",
                niggles.iter().map(|n| n.label()).collect::<Vec<_>>().join(" and ")
            ),
        );
    }
    let banned = banned_movements(niggles);
    for w in &plan.weeks {
        for (d, s) in w.sessions() {
            if let Some(x) = s.exercises.iter().find(|x| banned.contains(&x.id.as_str())) {
                f.add(
                    "niggles",
                    w,
                    Some(d.date),
                    format!(
                        "{} with a niggle that rules it out",
                        x.name.as_deref().unwrap_or(&x.id)
                    ),
                );
            }
            if s.kind.is_quality() && instead(s.kind, w.phase, niggles) != s.kind {
                f.add(
                    "niggles",
                    w,
                    Some(d.date),
                    format!(
                        "{} with a {} niggle; tempo running instead",
                        s.kind.label(),
                        niggles
                            .iter()
                            .find(|n| matches!(n, Niggle::Knee | Niggle::HipFlexor))
                            .map_or("", |n| n.label())
                    ),
                );
            }
        }
    }
}

/// A 10K-to-half plan whose longest run stays under three quarters of the
/// race says so, with options, in its warnings.
fn feasibility(plan: &Plan, f: &mut Findings) {
    let km = f64::from(plan.race.distance_m) / 1000.0;
    let longest = plan
        .weeks
        .iter()
        .flat_map(|w| w.sessions())
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max);
    let said = plan.warnings.iter().any(|w| w.contains("three quarters"));
    if (8.0..=25.0).contains(&km)
        && longest < 0.75 * km - SLACK_KM
        && !said
        && let Some(w) = plan.weeks.first()
    {
        f.add(
            "feasibility",
            w,
            None,
            format!(
                "the longest run is {longest:.1} km, under three quarters of the {km:.1} km race, and the plan does not say so"
            ),
        );
    }
}

/// Explanations a runner reads: no session repeats its week's focus, and
/// no citation or lab jargon in the runner's text.
fn explanations(plan: &Plan, f: &mut Findings) {
    const JARGON: [&str; 6] = ["Daniels", "Bosquet", "Ramskov", "VO2", "Foster", "Gabbett"];
    for w in &plan.weeks {
        for (d, s) in w.sessions() {
            let repeats = w.focus.len() > 20 && s.why.contains(&w.focus);
            if repeats {
                f.add(
                    "explanations",
                    w,
                    Some(d.date),
                    format!("{}'s why repeats the week's focus", s.kind.label()),
                );
            }
            if let Some(j) = JARGON.iter().find(|j| s.why.contains(*j)) {
                f.add(
                    "explanations",
                    w,
                    Some(d.date),
                    format!("'{j}' in the runner's text; sources belong in the docs"),
                );
            }
        }
    }
}

/// Workouts progress: no quality session the same three weeks running.
fn workout_variety(plan: &Plan, f: &mut Findings) {
    let titles: Vec<Vec<&str>> = plan
        .weeks
        .iter()
        .map(|w| {
            w.sessions()
                .filter(|(_, s)| s.kind.is_quality())
                .map(|(_, s)| s.title.as_str())
                .collect()
        })
        .collect();
    for i in 2..plan.weeks.len() {
        for t in &titles[i] {
            if titles[i - 1].contains(t) && titles[i - 2].contains(t) {
                f.add(
                    "workout_variety",
                    &plan.weeks[i],
                    Some(plan.weeks[i].start),
                    format!("'{t}' three weeks running; workouts should progress"),
                );
            }
        }
    }
}

/// The date of an ultra's back-to-back long run in week `w`: a long run the
/// day after the week's long run on the long-run day (none for shorter
/// races, or without that day).
fn back_to_back(plan: &Plan, w: &Week) -> Option<Date> {
    if plan.race.distance_m <= 42_300 {
        return None;
    }
    let long_day = plan.athlete.as_ref()?.long_run_day;
    let is_long =
        |d: &crate::plan::model::Day| d.sessions.iter().any(|s| s.kind == SessionKind::Long);
    w.days
        .windows(2)
        .find(|p| p[0].date.weekday() == long_day && is_long(&p[0]) && is_long(&p[1]))
        .map(|p| p[1].date)
}

/// An ultra is run well below marathon pace: no marathon-pace sessions, and
/// a race prediction, when there is one, marked as rough. Its back-to-back
/// long run stays a second, shorter long run: at most 60 % of the day
/// before's and two and a half hours.
fn ultra(plan: &Plan, f: &mut Findings) {
    if plan.race.distance_m <= 42_300 {
        return;
    }
    for w in &plan.weeks {
        let long_of = |date: Date| {
            w.days
                .iter()
                .filter(|d| d.date == date)
                .flat_map(|d| &d.sessions)
                .filter(|s| s.kind == SessionKind::Long)
                .map(|s| (s.km(), s.duration_s))
                .fold((0.0, None), |a, b| if b.0 > a.0 { b } else { a })
        };
        if let Some(date) = back_to_back(plan, w) {
            let (long, _) = long_of(date - jiff::ToSpan::days(1));
            let (km, secs) = long_of(date);
            if km > long * MAX_BACK_TO_BACK_SHARE + SLACK_KM {
                f.add(
                    "ultra",
                    w,
                    Some(date),
                    format!(
                        "back-to-back long run {km:.1} km is {:.0}% of the {long:.1} km long run before it; it stays within {:.0}%",
                        km / long * 100.0,
                        MAX_BACK_TO_BACK_SHARE * 100.0
                    ),
                );
            }
            if let Some(min) = secs
                .map(|s| f64::from(s) / 60.0)
                .filter(|m| *m > MAX_BACK_TO_BACK_MIN + 1.0)
            {
                f.add(
                    "ultra",
                    w,
                    Some(date),
                    format!("back-to-back long run of {min:.0} min; it stays within {MAX_BACK_TO_BACK_MIN:.0}"),
                );
            }
        }
        // One quality session a week: the back-to-back weekend is the
        // other hard day; a recovery week keeps no intervals.
        let quality = w.sessions().filter(|(_, s)| s.kind.is_quality()).count();
        if quality > 1 {
            f.add(
                "ultra",
                w,
                Some(w.start),
                format!(
                    "{quality} quality sessions; an ultra plan has one a week beside its long runs"
                ),
            );
        }
        let after_b2b = back_to_back(plan, w).and_then(|d| d.tomorrow().ok());
        for (d, s) in w.sessions() {
            if s.kind.is_quality() && Some(d.date) == after_b2b {
                f.add(
                    "ultra",
                    w,
                    Some(d.date),
                    format!(
                        "{} the day after a back-to-back long run; an easy day comes first",
                        s.kind.label()
                    ),
                );
            }
            if w.recovery && matches!(s.kind, SessionKind::Intervals | SessionKind::Repetition) {
                f.add(
                    "ultra",
                    w,
                    Some(d.date),
                    format!(
                        "{} in a recovery week of an ultra plan; strides at most",
                        s.kind.label()
                    ),
                );
            }
            if s.kind == SessionKind::MarathonPace {
                f.add(
                    "ultra",
                    w,
                    Some(d.date),
                    "marathon-pace session in an ultra plan; threshold and time on feet instead"
                        .into(),
                );
            }
            if s.kind == SessionKind::Race && s.duration_s.is_some() && !s.why.contains("rough") {
                f.add(
                    "ultra",
                    w,
                    Some(d.date),
                    "an ultra's predicted time should say it is a rough guide".into(),
                );
            }
        }
    }
}

/// The long run grows through the block and its peaks are spaced: a long
/// run of an hour or more (10 km) is not the same three building weeks
/// running (recovery weeks, which lower it, skipped); and no long run
/// reaches past the longest before it by more than the step rule
/// ([`long_run_step_cap`]: 10 % or 3 km, whichever is larger).
fn long_run_progression(plan: &Plan, f: &mut Findings) {
    for (i, w) in plan.weeks.iter().enumerate() {
        let longest = longest_long_before(&plan.weeks[..i]);
        let b2b = back_to_back(plan, w);
        let Some((d, km)) = w
            .sessions()
            .filter(|(d, s)| s.kind == SessionKind::Long && Some(d.date) != b2b)
            .map(|(d, s)| (d.date, s.km()))
            .reduce(|a, b| if b.1 > a.1 { b } else { a })
        else {
            continue;
        };
        if longest > 0.0 && km > long_run_step_cap(longest) + SLACK_KM {
            f.add(
                "long_run_progression",
                w,
                Some(d),
                format!(
                    "long run {km:.1} km jumps {:.1} km past the longest before it ({longest:.1} km); a long run grows by at most 10% or 3 km, whichever is larger",
                    km - longest
                ),
            );
        }
    }
    let building: Vec<(&Week, f64)> = plan
        .weeks
        .iter()
        .filter(|w| building(w) && !w.recovery)
        .filter_map(|w| {
            let b2b = back_to_back(plan, w);
            w.sessions()
                .find(|(d, s)| s.kind == SessionKind::Long && Some(d.date) != b2b)
                .map(|(_, s)| (w, s.km()))
        })
        .collect();
    for three in building.windows(3) {
        let km = three[2].1;
        if km >= 10.0 && three.iter().all(|(_, k)| (k - km).abs() < 0.05) {
            let w = three[2].0;
            f.add(
                "long_run_progression",
                w,
                Some(w.start),
                format!(
                    "long run {km:.1} km three building weeks running (weeks {}, {}, {}); it should grow, and peak long runs be spaced",
                    three[0].0.index, three[1].0.index, w.index
                ),
            );
        }
    }
}

/// The long run of a building week (base or build, not a recovery week)
/// never falls below the one of the building week before it: only a
/// recovery week, the peak's spacing or the taper lowers it. A step back
/// after two long runs of the same length is that spacing (see
/// `long_run_progression`), and so is one after a peak long run (within
/// [`PEAK_SPACING`] of the block's longest), and a week whose long-run share cannot
/// hold the last long run holds what it can.
fn long_run_growth(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    // A plan whose run days cannot carry its volume holds what they carry
    // each week, and says so with the choice (see `peak_timing`).
    if plan
        .warnings
        .iter()
        .any(|w| w.contains("do not carry the volume"))
    {
        return;
    }
    let peak = longest_long_before(&plan.weeks);
    let mut before: Vec<f64> = Vec::new();
    for (w, &week_km) in plan.weeks.iter().zip(volumes) {
        if !matches!(w.phase, Phase::Base | Phase::Build) || w.recovery {
            continue;
        }
        let b2b = back_to_back(plan, w);
        let Some((d, km)) = w
            .sessions()
            .find(|(d, s)| s.kind == SessionKind::Long && Some(d.date) != b2b)
            .map(|(d, s)| (d.date, s.km()))
        else {
            continue;
        };
        // A week the adaptation lowered (pain, a load spike) builds again
        // from what it holds.
        if adjusted(w) {
            before.push(km);
            continue;
        }
        // A peak long run: within the peak's spacing (15 %) of the block's
        // longest.
        let at_peak = |b: f64| b >= PEAK_SPACING * peak - SLACK_KM;
        let spacing = match before[..] {
            [.., a, b] => (a - b).abs() < 0.05 || at_peak(b),
            [b] => at_peak(b),
            [] => false,
        };
        // Long runs are planned in half kilometres: a week that cannot
        // lay out the last one may hold one step below it. The long-run
        // share wins: a week whose share (a bigger week's is
        // smaller past 40 or 60 km, three runs hold less than two) cannot
        // hold the last long run holds what it can.
        let runs = w
            .sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .count();
        let share_km = long_run_share_cap_for_runs((week_km * 10.0).round() / 10.0, runs) * week_km;
        if let Some(&last) = before
            .last()
            .filter(|&&l| km < l - 0.5 - SLACK_KM && !spacing && l <= share_km + SLACK_KM)
        {
            f.add(
                "long_run_growth",
                w,
                Some(d),
                format!(
                    "long run {km:.1} km is shorter than the {last:.1} km of the building week before it, in a {} week that is not a recovery week; only a recovery week, the peak's spacing or the taper lowers it",
                    w.phase.label()
                ),
            );
        }
        before.push(km);
    }
}

/// Whether the adaptation changed this week (its sessions' `why` say so).
fn adjusted(w: &Week) -> bool {
    w.sessions()
        .any(|(_, s)| s.why.starts_with(crate::adapt::why::ADJUSTED))
}

/// A first-timer's quality session, warm-up and cool-down included, is at
/// most [`FIRST_TIMER_QUALITY_SHARE`] of its week's running (race week's
/// short sharpener aside): more, and one hard day carries the week.
fn first_timer_quality(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    if !plan
        .athlete
        .as_ref()
        .is_some_and(|a| a.level == Level::FirstTimer)
    {
        return;
    }
    for (w, &week_km) in plan.weeks.iter().zip(volumes) {
        // Race week's sharpener aside; a week the adaptation resized keeps
        // its hard running to the adaptation's own share.
        if w.phase == Phase::Race || adjusted(w) {
            continue;
        }
        for (d, s) in w.sessions().filter(|(_, s)| s.kind.is_quality()) {
            let most = FIRST_TIMER_QUALITY_SHARE * week_km;
            if s.km() > most + SLACK_KM {
                f.add(
                    "first_timer_quality",
                    w,
                    Some(d.date),
                    format!(
                        "{} is {:.1} km, {:.0}% of the week's {week_km:.1} km; a first-timer's quality session is at most {:.0}% of the week ({most:.1} km)",
                        s.kind.label(),
                        s.km(),
                        s.km() / week_km.max(0.1) * 100.0,
                        FIRST_TIMER_QUALITY_SHARE * 100.0
                    ),
                );
            }
        }
    }
}

/// Leg speed starts in the base: strides (or other short fast pieces) on
/// an easy run in the base weeks (a first-timer's from week 4), so the
/// build's faster sessions do not come as a shock.
fn base_speed(plan: &Plan, f: &mut Findings) {
    let first_timer = plan
        .athlete
        .as_ref()
        .is_some_and(|a| a.level == Level::FirstTimer);
    let eligible: Vec<&Week> = plan
        .weeks
        .iter()
        .filter(|w| w.phase == Phase::Base && !w.recovery && (!first_timer || w.index >= 4))
        // A week of one run (a lone easy run) has no easy run beside it.
        .filter(|w| lone_run(w).is_none())
        .filter(|w| {
            w.sessions().any(|(_, s)| {
                s.kind == SessionKind::Easy && s.km() >= crate::plan::workouts::STRIDES_MIN_RUN_KM
            })
        })
        .collect();
    let quick = |w: &&Week| {
        w.sessions().any(|(_, s)| {
            s.kind == SessionKind::Easy
                && s.steps.iter().any(|st| {
                    st.kind == crate::plan::model::StepKind::Repeat
                        && st
                            .steps
                            .iter()
                            .any(|i| i.kind == crate::plan::model::StepKind::Work)
                })
        })
    };
    if eligible.len() >= 2 && !eligible.iter().any(quick) {
        let w = eligible[0];
        f.add(
            "base_speed",
            w,
            Some(w.start),
            format!(
                "{} base weeks with easy runs and no strides or other short fast pieces; leg speed starts in the base",
                eligible.len()
            ),
        );
    }
}

/// Race-specific work: an experienced runner's plan of eight weeks or more
/// for a 5K, 10K, half or marathon runs at the race's own pace in its last
/// building weeks before the taper (sessions named after the pace they are
/// run at: "10K-pace reps", "Half-marathon pace", "Marathon pace", a long
/// run "at marathon pace").
fn race_specific(plan: &Plan, f: &mut Findings) {
    let experienced = plan
        .athlete
        .as_ref()
        .is_some_and(|a| a.level == Level::Experienced);
    let m = f64::from(plan.race.distance_m);
    let has_pace = [5_000.0, 10_000.0, 21_097.5, 42_195.0]
        .iter()
        .any(|d| (m - d).abs() <= 0.01 * d);
    if !experienced || !has_pace || plan.weeks.len() < 8 {
        return;
    }
    let last: Vec<&Week> = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Build | Phase::Peak))
        .rev()
        .take(4)
        .collect();
    let hard = || {
        last.iter()
            .flat_map(|w| w.sessions())
            .filter(|(_, s)| s.is_hard())
    };
    // Weeks too small to hold any quality session have nothing to ask of.
    if hard().next().is_none() {
        return;
    }
    if !hard().any(|(_, s)| s.title.to_lowercase().contains("pace")) {
        let w = last[last.len() - 1];
        f.add(
            "race_specific",
            w,
            Some(w.start),
            format!(
                "no race-pace work in weeks {}–{}, the last building weeks before the taper; the race's own pace should be rehearsed there",
                w.index,
                last[0].index
            ),
        );
    }
}

/// The block peaks late: the biggest training week and the longest long
/// run fall in the last 2–5 weeks before race week, not early on (within a
/// tenth).
fn peak_timing(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    let Some(race) = plan.weeks.iter().position(|w| w.phase == Phase::Race) else {
        return;
    };
    // A block of under seven weeks before race week is all "late". A plan
    // whose run days cannot carry the volume holds what they can each week
    // (its early weeks may hold more), and says so with the choice. An
    // ultra on five or more run days climbs to its peak whatever they hold:
    // no exemption. On three or four, the long run is capped by what the
    // easy runs beside it carry, and random requests still find blocks
    // whose late weeks fall a few hundred metres short of the early ones
    // (e.g. a first-timer's 50K on three days from 37 km, kept in
    // plan_props' regressions).
    let overloaded = plan
        .warnings
        .iter()
        .any(|w| w.contains("do not carry the volume"));
    let run_days = plan.athlete.as_ref().map_or(7, |a| a.run_days.len());
    let ultra = plan.race.distance_m > 42_300;
    if race < 7 || (overloaded && (!ultra || run_days <= 4)) {
        return;
    }
    // An ultra's building weeks on three or four run days give two of them
    // to the back-to-back weekend: the long run shares the weekend with the
    // run the day after, and the one run left beside them caps it, so a
    // base week's lone long run (no back-to-back yet) may be the longest
    // single run of the block. Its peak is the weekend's, not one run's:
    // only the volume is asked to peak late.
    let long_run_peaks = !(ultra && run_days <= 4);
    // A week at the volume the runner already runs is not a peak the block
    // built.
    let start = plan.athlete.as_ref().map_or(0.0, |a| a.weekly_km);
    // Early: before the last five weeks ahead of race week. Late: those
    // weeks (the taper's week too, which is lower anyway).
    let split = race - 5;
    let long = |w: &Week| {
        w.sessions()
            .filter(|(_, s)| s.kind == SessionKind::Long)
            .map(|(_, s)| s.km())
            .fold(0.0, f64::max)
    };
    let volume = |i: usize| volumes[i];
    let long_km = |i: usize| long(&plan.weeks[i]);
    let measures = [
        ("biggest week", &volume as &dyn Fn(usize) -> f64, start),
        ("longest long run", &long_km, 0.0),
    ];
    let judged = if long_run_peaks { 2 } else { 1 };
    for &(what, x, built_above) in &measures[..judged] {
        let late = (split..race).map(x).fold(0.0, f64::max);
        let (at, top) = (0..split)
            .map(|i| (i, x(i)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        // Within 10% (1.5 km for the smallest plans): a late week
        // trimmed to fit the run days is still the peak.
        if late < top - (0.10 * top).max(1.5) && top > built_above + SLACK_KM {
            let w = &plan.weeks[at];
            f.add(
                "peak_timing",
                w,
                Some(w.start),
                format!(
                    "the {what} ({top:.1} km) is in week {}, but weeks {}–{} reach only {late:.1} km; the block should peak in the last 2–5 weeks before race week",
                    w.index,
                    plan.weeks[split].index,
                    plan.weeks[race - 1].index
                ),
            );
        }
    }
}

/// A recovery week cuts its quality with its volume: each quality session
/// holds at most three quarters of the work of the biggest of its kind
/// before it ([`recovery_quality_cap`]).
fn recovery_quality(plan: &Plan, f: &mut Findings) {
    for (i, w) in plan.weeks.iter().enumerate().filter(|(_, w)| w.recovery) {
        for (d, s) in w.sessions().filter(|(_, s)| s.kind.is_quality()) {
            let cap = recovery_quality_cap(&plan.weeks[..i], s.kind);
            if s.hard_km() > cap + SLACK_KM {
                f.add(
                    "recovery_quality",
                    w,
                    Some(d.date),
                    format!(
                        "{} holds {:.1} km of work in a recovery week; it is cut to at most {:.1} km ({:.0}% of the biggest before it)",
                        s.kind.label(),
                        s.hard_km(),
                        cap,
                        RECOVERY_QUALITY_SHARE * 100.0
                    ),
                );
            }
        }
    }
}

/// A block builds at most to 40 % above the starting volume (16 km for low
/// volumes).
fn block_growth(plan: &Plan, volumes: &[f64], f: &mut Findings) {
    let Some(start) = plan.athlete.as_ref().map(|a| a.weekly_km) else {
        return;
    };
    let cap = block_peak_cap(start);
    let peak = plan
        .weeks
        .iter()
        .zip(volumes)
        .max_by(|a, b| a.1.total_cmp(b.1));
    if let Some((w, &km)) = peak.filter(|(_, km)| **km > cap.max(start) + SLACK_KM) {
        f.add(
            "block_growth",
            w,
            Some(w.start),
            format!(
                "peak {km:.1} km from a start of {start:.1} km; a block builds to at most {cap:.1} km (+40%, or +16 km)"
            ),
        );
    }
}

fn strength(plan: &Plan, f: &mut Findings) {
    let athlete = plan.athlete.as_ref();
    let mut week_sets: Vec<u32> = Vec::new();
    for w in &plan.weeks {
        let strength: Vec<_> = w
            .sessions()
            .filter(|(_, s)| s.kind == SessionKind::Strength)
            .collect();
        for (d, s) in w.sessions() {
            for dose in s.exercises.iter().chain(&s.activation) {
                if find(&dose.id).is_none() {
                    f.add(
                        "exercise_ids",
                        w,
                        Some(d.date),
                        format!("unknown exercise '{}'", dose.id),
                    );
                }
            }
        }
        week_sets.push(
            strength
                .iter()
                .flat_map(|(_, s)| &s.exercises)
                .map(|d| u32::from(d.sets))
                .sum(),
        );
        let race_week = w.phase == Phase::Race;
        let wanted = athlete.map(|a| usize::from(a.strength_days));
        if !race_week && (strength.len() < 2 || strength.len() > 3) {
            f.add(
                "strength_count",
                w,
                Some(w.start),
                format!(
                    "{} strength sessions; the plan wants 2–3 a week",
                    strength.len()
                ),
            );
        } else if !race_week && wanted.is_some_and(|n| n != strength.len()) {
            f.add(
                "strength_count",
                w,
                Some(w.start),
                format!(
                    "{} strength sessions but the runner asked for {}",
                    strength.len(),
                    wanted.unwrap_or(0)
                ),
            );
        }
        // An ultra's back-to-back day may take strength (spaced sessions
        // come first).
        let b2b = back_to_back(plan, w);
        for (d, s) in &strength {
            if Some(d.date) != b2b && d.sessions.iter().any(|x| x.kind == SessionKind::Long) {
                f.add(
                    "strength_long_run_day",
                    w,
                    Some(d.date),
                    "strength on the long-run day".into(),
                );
            }
            if let Some(m) = s.minutes.filter(|m| *m > 25) {
                f.add(
                    "strength_minutes",
                    w,
                    Some(d.date),
                    format!("{m} minutes; hip sessions stay short (15–20)"),
                );
            }
        }
        for pair in strength.windows(2) {
            if (pair[1].0.date - pair[0].0.date).get_days() < 2 {
                f.add(
                    "strength_spacing",
                    w,
                    Some(pair[1].0.date),
                    "strength on two days in a row; keep 48 h between sessions".into(),
                );
            }
        }
        if strength.len() >= 2 {
            for family in [Family::Abductors, Family::Extensors, Family::SingleLeg] {
                let covered = strength
                    .iter()
                    .flat_map(|(_, s)| &s.exercises)
                    .filter_map(|d| find(&d.id))
                    .any(|e| e.covers(family));
                if !covered {
                    f.add(
                        "strength_coverage",
                        w,
                        Some(w.start),
                        format!("no {} work this week", family.label()),
                    );
                }
            }
        }
    }
    if athlete.is_some_and(|a| a.new_to_strength) && week_sets.len() >= 4 {
        let full = week_sets[2].max(week_sets[3]);
        if week_sets[0] * 10 > full * 7 {
            f.add("beginner_ramp", &plan.weeks[0], Some(plan.weeks[0].start), format!("week 1 has {} strength sets against {full} at full volume; a runner new to strength starts lower and builds over 2–3 weeks", week_sets[0]));
        }
    }
}
