//! Stage 5: every session says which rule put it there, with the numbers.
//! All of the plan's explanatory wording lives here.

use super::model::{Level, Phase, SessionKind};
use super::shape::{RaceCategory, WeekShape};
use super::strength::{Focus, Volume};
use crate::units::{Units, format_clock};

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A distance in the runner's units: "25.0 km" or "15.5 mi".
fn dist(km: f64, u: Units) -> String {
    u.distance(km)
}

/// The week-level rule, repeated in each run's why so it stands alone.
pub fn week(w: &WeekShape, total_weeks: u32, race: &str, u: Units) -> String {
    match w.phase {
        Phase::Race => format!(
            "Race week: running cut to {} of peak ({} of {}) so you start fresh; intensity stays, volume goes.",
            pct(w.km / w.peak_km.max(1.0)),
            dist(w.km, u),
            dist(w.peak_km, u)
        ),
        Phase::Taper => format!(
            "Taper week {} of {}: volume {}, {} of the {} peak, cut step by step before the {race} so that race week sits 40–60% below the peak.",
            w.index,
            total_weeks,
            dist(w.km, u),
            pct(w.km / w.peak_km.max(1.0)),
            dist(w.peak_km, u),
        ),
        _ if w.recovery => format!(
            "Recovery week: volume −{} ({} → {}) after {} building weeks; one easier week in every {} lets the work sink in.",
            pct(1.0 - w.km / w.prev_km.max(0.1)),
            dist(w.prev_km, u),
            dist(w.km, u),
            w.weeks_since_recovery,
            4
        ),
        _ if w.index == 1 => format!(
            "{} phase, week 1 of {}: {}, starting from the {} a week you run now (at most 110%: {}).",
            capitalise(w.phase.label()),
            total_weeks,
            dist(w.km, u),
            dist(w.prev_km, u),
            dist(w.limit_km, u)
        ),
        _ => {
            // The progression rule measures against the larger of the two
            // weeks before, so after a recovery week that is the week
            // before it, not the easy week itself.
            let base = w.limit_km / 1.10;
            let change = w.km / base.max(0.1) - 1.0;
            let trend = if change.abs() < 0.005 {
                format!("{}, level with", dist(w.km, u))
            } else if change > 0.0 {
                format!("{}, +{} on", dist(w.km, u), pct(change))
            } else {
                format!("{}, −{} on", dist(w.km, u), pct(-change))
            };
            format!(
                "{} phase, week {} of {}: {trend} the larger of the two weeks before ({}); the limit is 110%, {}.",
                capitalise(w.phase.label()),
                w.index,
                total_weeks,
                dist(base, u),
                dist(w.limit_km, u)
            )
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn easy(km: f64, easy_share: f64, u: Units) -> String {
    format!(
        "Easy {} at conversational effort: {} of this week's running is easy (the rule asks for at least 75–80%).",
        dist(km, u),
        pct(easy_share)
    )
}

pub fn recovery_run(km: f64, u: Units) -> String {
    format!(
        "Recovery {} the day after the long run: shorter and slower than your other easy runs so its load is absorbed.",
        dist(km, u)
    )
}

pub fn back_to_back(km: f64, long_km: f64, u: Units) -> String {
    format!(
        "Back-to-back long run: {} the day after the {} long run, on tired legs; it grows with the long run (about 55% of it, up to 2 h 30). An ultra is about time on your feet, and this teaches it without one very long run.",
        dist(km, u),
        dist(long_km, u)
    )
}

pub fn long_run(
    km: f64,
    week_km: f64,
    share_cap: f64,
    (cat, race): (&RaceCategory, &str),
    day: &str,
    u: Units,
) -> String {
    format!(
        "Long run {} on {day}, your long-run day: {} of this week's {} (at most {} at this volume; for a {race} at most {} or {}).",
        dist(km, u),
        pct(km / week_km.max(0.1)),
        dist(week_km, u),
        pct(share_cap),
        dist(cat.long_cap_km, u),
        format_clock(cat.long_cap_min * 60.0)
    )
}

/// A peak long run past the week's share (see `shape::PEAK_LONG_KM`).
pub fn peak_long_run(u: Units) -> String {
    format!(
        "A peak long run may go past that share: for an experienced marathoner whose weeks and long runs already hold it, the long runs of the last three weeks before the taper reach up to {} or 3 hours, whichever comes first: the marathon's last miles are not run on legs that never went that far.",
        dist(super::shape::PEAK_LONG_KM, u)
    )
}

pub fn strides() -> &'static str {
    "Then 6 strides: 20 seconds quick and relaxed on the flat, walking or jogging back until fully recovered. They keep your legs quick and your form tidy without tiring you."
}

/// The marathon-pace segments inside a long run.
pub fn long_run_mp(mp_km: f64, u: Units) -> String {
    format!(
        "In the middle, {} at marathon pace in segments with easy running between: the race's rhythm on tired legs, the marathon's most specific session. Start and finish easy.",
        dist(mp_km, u)
    )
}

pub fn quality(
    kind: SessionKind,
    hard_km: f64,
    week_km: f64,
    phase: Phase,
    pace_source: Option<&str>,
    u: Units,
) -> String {
    let (what, limit) = match kind {
        SessionKind::Tempo => ("threshold running (comfortably hard)", 0.10),
        SessionKind::Intervals => ("hard intervals of 3–5 minutes", 0.08),
        SessionKind::Repetition => ("short fast repetitions for economy", 0.05),
        _ => ("marathon-pace running", 0.20),
    };
    let targets = match pace_source {
        Some(src) => format!("Paces from {src}."),
        None => "No recent race: run it by effort.".to_owned(),
    };
    let share = hard_km / week_km.max(0.1);
    // The number quoted and the rule agree: over the share only when the
    // smallest session worth doing is bigger than it.
    let rule = if share > limit + 0.005 {
        format!(
            "above the usual {} because a low-volume week still gets the smallest session worth doing",
            pct(limit)
        )
    } else {
        format!("within the usual {} of the week", pct(limit))
    };
    format!(
        "{} in the {} phase: {} of {what}, {} of the week's {}, {rule}. An easy day or rest sits between hard days, and never a hard day before the long run. {targets}",
        kind.label(),
        phase.label(),
        dist(hard_km, u),
        pct(share),
        dist(week_km, u),
    )
}

/// Hill repeats in the base: what the climbs are for and how to run them.
pub fn hills(hard_km: f64, u: Units) -> String {
    format!(
        "Hill repeats: short climbs at a strong effort (8 of 10), about {} uphill in all, with a slow jog back down as the recovery. Climbing builds leg strength and a quick, springy stride with less pounding than fast running on the flat, so the build's faster sessions do not come as a shock. Pick a steady hill you can run up tall; there is no pace target on a hill, run it by feel.",
        dist(hard_km, u)
    )
}

/// Fartlek in the base: surges on an ordinary run.
pub fn fartlek(hard_km: f64, u: Units) -> String {
    format!(
        "Fartlek (\"speed play\"): surges on an ordinary route at a strong but controlled effort (7 of 10, about what you could race for half an hour), with easy running between, some {} of surges in all. A first taste of faster running without the pressure of a track or a stopwatch; there is no pace target, run it by feel and finish feeling you could do one more.",
        dist(hard_km, u)
    )
}

/// Race-pace work in the last building weeks before the taper.
pub fn race_pace(
    race: &str,
    hard_km: f64,
    week_km: f64,
    pace_source: Option<&str>,
    u: Units,
) -> String {
    let targets = match pace_source {
        Some(src) => format!("The pace is your predicted {race} pace from {src}."),
        None => {
            format!("No recent race: run it at the effort you could hold for the whole {race}.")
        }
    };
    format!(
        "Race-specific work: {} at the pace you aim to hold in the {race} ({} of the week's {}), in pieces that grow week by week until that pace feels familiar rather than frantic. Run the pieces even, not faster; the jogs between are easy. {targets}",
        dist(hard_km, u),
        pct(hard_km / week_km.max(0.1)),
        dist(week_km, u),
    )
}

pub fn race(name: &str, km: f64, predicted: Option<(u32, &str)>, u: Units) -> String {
    let d = dist(km, u);
    match predicted {
        Some((secs, src)) if km > 42.3 => format!(
            "Race day: {name}, {d}. A rough guide only: {} from {src}, but beyond the marathon, terrain, fuelling and time on your feet decide more than pace. Start slower than feels necessary and walk the steep climbs.",
            format_clock(f64::from(secs))
        ),
        Some((secs, src)) => format!(
            "Race day: {name}, {d}. Predicted {} from {src}; start no faster than the slow end of the pace band.",
            format_clock(f64::from(secs))
        ),
        None => format!(
            "Race day: {name}, {d}. Start at an effort you could hold for the whole distance and finish strong."
        ),
    }
}

pub fn sharpener(hard_km: f64, u: Units) -> String {
    format!(
        "Race week's one sharpener: {} in short pieces at race rhythm with easy jogs between, enough to feel quick on race day, too little to tire you. At least three days before the race.",
        dist(hard_km, u)
    )
}

pub fn race_eve() -> &'static str {
    "The days just before the race stay easy or rest so you arrive fresh."
}

/// Where a strength session sits in the week, for its why.
pub struct StrengthPlace<'a> {
    pub nth: usize,
    pub count: usize,
    /// "after your easy run" or "on a day without running".
    pub after: &'a str,
    /// What the next day holds: "an easy run", "a rest day", ...
    pub next: &'a str,
    /// No day this week sits clear of a hard run the next day.
    pub light_week: bool,
}

pub fn strength(
    focus: Focus,
    volume: Volume,
    at: &StrengthPlace,
    niggle_note: Option<String>,
) -> String {
    let what = match (volume, focus) {
        (Volume::RaceWeek, _) => {
            "light activation (single sets) to keep the hips switched on without tiring the legs"
                .to_owned()
        }
        (_, Focus::Abductors) => {
            "abductor focus (glute med keeps the knee tracking over the foot)".to_owned()
        }
        (_, Focus::Extensors) => {
            "extensor focus (glutes drive hip extension and push-off)".to_owned()
        }
        (_, Focus::SingleLeg) => format!(
            "the week's heavy single-leg session; tomorrow is {}, not a hard run, so the legs get a day to recover first",
            at.next
        ),
    };
    let dose = match volume {
        Volume::Intro => " New to strength: one set of each this week; full sets by week 3.",
        Volume::Ramp => {
            " New to strength: the low end of each dose this week; full sets next week."
        }
        Volume::Full => "",
        Volume::Taper => " Taper: the low end of each dose, so the legs stay fresh.",
        Volume::RaceWeek => " Race week: one short session, at least two days before the race.",
    };
    let light = if at.light_week {
        " No day this week is followed by an easy day or rest, so single-leg work stays light."
    } else {
        ""
    };
    let niggle = niggle_note.map(|n| format!(" {n}")).unwrap_or_default();
    format!(
        "Hip strength {} of {} this week, {what}; {}, never on the long-run day and at least a day from the next session.{dose}{light}{niggle}",
        at.nth, at.count, at.after
    )
}

pub fn mobility(minutes: u32) -> String {
    if minutes >= 10 {
        "10 minutes of hip mobility on a rest day: range of motion without running load.".to_owned()
    } else {
        "5 minutes of hip mobility before the long run loosens the hips for the distance."
            .to_owned()
    }
}

pub fn activation() -> &'static str {
    "Light hip activation in the warm-up (about 5 minutes) wakes the glutes before fast running."
}

pub fn level_note(level: Level, week_index: u32, phase: Phase) -> Option<String> {
    (level == Level::FirstTimer && phase == Phase::Base && week_index <= 3).then(|| {
        "First-timer base weeks: only easy running while your body adapts to the routine."
            .to_owned()
    })
}

pub fn lone_run(km: f64, u: Units) -> String {
    format!(
        "One easy run of {} carries this week: the volume is too small to split into runs of at least 20 minutes.",
        dist(km, u)
    )
}

pub fn race_eve_rest() -> String {
    "The day before the race: no running, just 10 minutes of easy mobility so you start fresh."
        .to_owned()
}

/// The week's focus when its long run would fall just before the race.
pub fn long_run_dropped_week() -> &'static str {
    "No long run this week: it would fall in the last two days before the race."
}

pub fn long_run_dropped() -> String {
    "No long run this close to the race: its distance is left out so your legs arrive fresh."
        .to_owned()
}

/// Why one of the runner's run days has no run this week.
pub fn spare_run_day(week_km: f64, runs: usize, first_timer_cap: bool, u: Units) -> String {
    if first_timer_cap {
        format!(
            "A rest day although you could run: a first plan keeps to {runs} runs a week so your legs get a day to absorb each run."
        )
    } else {
        let runs = match runs {
            1 => "one run".to_owned(),
            n => format!("{n} runs"),
        };
        format!(
            "A rest day although you could run: this week's {} fits {runs} of at least 20 minutes; more days would make each run too short to be worth it.",
            dist(week_km, u)
        )
    }
}

/// The plan-level warning when the run days carry less than the runner's
/// volume: the numbers and the two ways out.
pub fn volume_does_not_fit(
    trimmed: &[(u32, f64, f64)],
    req: &super::request::PlanRequest,
) -> Option<String> {
    let u = req.units;
    // Compared in the runner's units, as written (0.1): a shortfall that
    // rounds away is none ("wanted 34.2 mi but holds 34.2 mi").
    let shown = |km: f64| (km / u.km() * 10.0).round();
    let &(week, wanted, most) = trimmed
        .iter()
        .filter(|t| shown(t.1) > shown(t.2))
        .max_by(|a, b| (a.1 - a.2).total_cmp(&(b.1 - b.2)))?;
    let days = req.run_days.len();
    let more_days = if days < 7 {
        format!("run {} days a week, or ", days + 1)
    } else {
        String::new()
    };
    // The runner's own volume fits; only the build above it does not: the
    // plan already holds it there (planning from less would only cut
    // what they run now).
    let other = if most >= req.weekly_km - 0.05 {
        format!(
            "keep this plan, which builds to about {} a week instead",
            dist(most, u)
        )
    } else {
        // Less volume, in whole units of the runner's (at least 3 km), so
        // the block built from it stays within what the days carry.
        let less = ((req.weekly_km * most / wanted.max(0.1)) / u.km()).floor() * u.km();
        format!(
            "plan from less volume (about {} a week)",
            dist(less.max(3.0), u)
        )
    };
    Some(format!(
        "{days} run days do not carry the volume: week {week} wanted {} but holds {} with every easy run at most three quarters of the long run and under 90 minutes. Options: {more_days}{other}.",
        dist(wanted, u),
        dist(most, u),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanInput;

    fn request(units: &str, days: &[&str]) -> super::super::request::PlanRequest {
        PlanInput {
            race: "half".into(),
            race_date: "2027-03-14".into(),
            weeks: Some(12),
            run_days: days.iter().map(|d| d.to_string()).collect(),
            long_run_day: days[0].into(),
            level: "experienced".into(),
            weekly_km: 95.0,
            units: Some(units.into()),
            strength_days: 2,
            today: Some("2026-11-28".into()),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn a_shortfall_that_rounds_away_in_the_runners_units_is_no_warning() {
        let req = request("mi", &["mon", "wed", "fri"]);
        // 55.04 and 55.0 km are both 34.2 mi.
        assert_eq!(volume_does_not_fit(&[(5, 55.04, 55.0)], &req), None);
        let w = volume_does_not_fit(&[(5, 55.04, 55.0), (6, 60.0, 50.0)], &req).unwrap();
        assert_eq!(
            w,
            "3 run days do not carry the volume: week 6 wanted 37.3 mi but holds 31.1 mi with every easy run at most three quarters of the long run and under 90 minutes. Options: run 4 days a week, or plan from less volume (about 49.0 mi a week)."
        );
    }

    #[test]
    fn seven_run_days_are_not_offered_an_eighth() {
        let req = request("km", &["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
        let w = volume_does_not_fit(&[(3, 120.0, 80.0)], &req).unwrap();
        assert!(
            w.ends_with("Options: plan from less volume (about 63.0 km a week)."),
            "{w}"
        );
    }

    /// The 50K runner of issue #12 (90 km a week on 6 days): the block
    /// wanted 108 km in week 17 and the days carry 104.5. They already run
    /// 90, so "plan from less volume (about 87 km)" was no way out.
    #[test]
    fn a_runner_whose_own_volume_fits_is_not_told_to_plan_from_less() {
        let req = PlanInput {
            race: "50k".into(),
            race_date: "2027-04-18".into(),
            weeks: Some(20),
            run_days: ["mon", "tue", "wed", "thu", "sat", "sun"]
                .map(String::from)
                .to_vec(),
            long_run_day: "sat".into(),
            level: "experienced".into(),
            weekly_km: 90.0,
            longest_run_km: Some(30.0),
            strength_days: 2,
            today: Some("2026-11-28".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let w = volume_does_not_fit(&[(17, 108.0, 104.5)], &req).unwrap();
        assert_eq!(
            w,
            "6 run days do not carry the volume: week 17 wanted 108.0 km but holds 104.5 km with every easy run at most three quarters of the long run and under 90 minutes. Options: run 7 days a week, or keep this plan, which builds to about 104.5 km a week instead."
        );
        // Below what they run now, the way out is a smaller start.
        let w = volume_does_not_fit(&[(2, 95.0, 80.0)], &req).unwrap();
        assert!(
            w.ends_with("or plan from less volume (about 75.0 km a week)."),
            "{w}"
        );
    }
}
