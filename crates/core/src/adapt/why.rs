//! The wording of adjustments: what fired, with the numbers, and what it
//! changed. Kept apart from the rules so it reads as one voice (the plan's
//! own wording lives in `plan/why.rs`). The runner reads plain words in
//! their own units: no sources and no sports-science shorthand here (the
//! sources are in the module docs of `adapt`).

use jiff::civil::Date;

use crate::exercises::{Family, find};
use crate::load::{DayLoad, PainLocation};
use crate::plan::model::{Dose, Plan, PlanPaces, Session, SessionKind};
use crate::science::{RaceResult, TrainingPaces, Vdot};
use crate::units::{Pace, Units, format_clock};

use super::StrengthShift;

pub const SEE_A_PROFESSIONAL: &str = "If the pain persists or gets worse, see a physiotherapist or doctor before building up again, and stop a run that makes you limp or change your stride.";

/// What every changed session's `why` starts with.
pub const ADJUSTED: &str = "Adjusted: ";

pub fn prefix(summary: &str) -> String {
    format!("{ADJUSTED}{summary}.")
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn day(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

/// A pace in the runner's units: "5:05/km", "8:11/mi".
fn pace(s_per_km: u32, u: Units) -> String {
    Pace::from_s_per_km(f64::from(s_per_km))
        .map(|p| p.display(u))
        .unwrap_or_default()
}

/// A pace band in the runner's units: "5:22–6:00/km".
fn pace_band(fast: u32, slow: u32, u: Units) -> String {
    let clock = |s: u32| {
        Pace::from_s_per_km(f64::from(s))
            .map(|p| format_clock(p.seconds_per(u).round()))
            .unwrap_or_default()
    };
    format!("{}–{}/{u}", clock(fast), clock(slow))
}

/// A distance in the runner's units: "12.0 km", "7.5 mi".
fn dist(km: f64, u: Units) -> String {
    u.distance(km)
}

/// `(short, long)`: "knee pain 5/10 on 2 days" and the same with the days.
pub fn pain_finding(loc: PainLocation, score: u8, days: &[Date]) -> (String, String) {
    let short = if days.len() >= 2 {
        format!("{} pain {score}/10 on {} days", loc.label(), days.len())
    } else {
        format!("{} pain {score}/10", loc.label())
    };
    let list: Vec<String> = days.iter().map(|d| day(*d)).collect();
    let long = format!("{short} ({})", list.join(", "));
    (short, long)
}

pub fn pain_summary(findings: &[(String, String)], cut: f64, shifts: &[StrengthShift]) -> String {
    let what: Vec<&str> = findings.iter().map(|f| f.0.as_str()).collect();
    let mut changes = vec![
        format!("volume −{}", pct(cut)),
        "quality swapped for easy running".to_owned(),
    ];
    if shifts.contains(&StrengthShift::Abductors) {
        changes.push("more abductor work".to_owned());
    }
    if shifts.contains(&StrengthShift::HipFlexors) {
        changes.push("hip-flexor strength added".to_owned());
    }
    format!(
        "{} → {}; see a physio or doctor if it persists",
        what.join(", "),
        changes.join(", ")
    )
}

pub fn pain_evidence(findings: &[(String, String)], from: Date, to: Date) -> String {
    let what: Vec<&str> = findings.iter().map(|f| f.1.as_str()).collect();
    format!(
        "Pain logged {} to {}: {}. The rule: pain of 4/10 or more, or the same pain on two or more days, lowers the next week, swaps its fast sessions for easy running and shifts hip work towards the sore area (knee or IT band: abductors, which keep the knee tracking over the foot; hip flexor: flexor strength).",
        day(from),
        day(to),
        what.join("; ")
    )
}

/// "knee pain 5/10 → the rest of this week eased: the next run swapped for
/// cross-training, the other runs easy and 25% shorter, …".
pub fn pain_days_summary(findings: &[(String, String)], cross_training: u8, cut: f64) -> String {
    let what: Vec<&str> = findings.iter().map(|f| f.0.as_str()).collect();
    let mut changes = Vec::new();
    match cross_training {
        0 => {}
        1 => changes.push("the next run swapped for cross-training".to_owned()),
        u8::MAX => changes.push("every run swapped for cross-training".to_owned()),
        n => changes.push(format!("the next {n} runs swapped for cross-training")),
    }
    if cross_training != u8::MAX {
        if cut > 0.0 {
            changes.push(format!("the other runs easy and {} shorter", pct(cut)));
        } else {
            changes.push("the other runs easy".to_owned());
        }
    }
    format!(
        "{} → the rest of this week eased: {}; see a physio or doctor if it persists",
        what.join(", "),
        changes.join(", ")
    )
}

pub fn pain_days_evidence(findings: &[(String, String)], from: Date, to: Date) -> String {
    let what: Vec<&str> = findings.iter().map(|f| f.1.as_str()).collect();
    let days = if from == to {
        day(from)
    } else {
        format!("{} to {}", day(from), day(to))
    };
    format!(
        "Pain logged: {}. The rule: pain of 4/10 or more eases the days that follow straight away, not only next week, so the sore area is not loaded again before it settles; eased: {days}.",
        what.join("; ")
    )
}

/// What easing the coming days changed: the week's sessions one by one,
/// later weeks lowered to keep the rules between weeks by their totals.
pub fn days_effect(before: &Plan, after: &Plan, touched: &[super::Touched], week: u32) -> String {
    let u = before.units();
    let mut parts: Vec<String> = touched
        .iter()
        .filter(|t| t.week == week)
        .map(|t| format!("{}: {} → {}", day(t.date), t.before, t.after))
        .collect();
    let others: Vec<String> = before
        .weeks
        .iter()
        .zip(&after.weeks)
        .filter(|(b, _)| b.index != week)
        .filter_map(|(b, a)| {
            let (vb, va) = (b.measured_training_km(), a.measured_training_km());
            ((vb - va).abs() >= 0.05)
                .then(|| format!("week {}: {:.1} → {}", b.index, vb / u.km(), dist(va, u)))
        })
        .collect();
    if !others.is_empty() {
        parts.push(format!(
            "to keep the progression, recovery and taper rules: {}",
            others.join("; ")
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}.", parts.join("; "))
    }
}

pub fn cross_instead(before: &str) -> String {
    format!(
        "Cross-training in place of {before}: the same time on a bike, in the pool or on an elliptical keeps your fitness without impact on the sore area. If it hurts there too, rest instead."
    )
}

/// The summary with the cut the plan could actually take.
pub fn actual_cut(summary: &str, nominal: f64, actual: f64) -> String {
    summary.replacen(
        &format!("volume −{}", pct(nominal)),
        &format!(
            "volume −{} (the most the recovery-week and taper rules allow)",
            pct(actual.max(0.0))
        ),
        1,
    )
}

pub fn acwr_summary(ratio: f64, cut: f64) -> String {
    format!(
        "load spike (last 7 days {ratio:.2} times your usual week, above 1.5) → volume −{}, quality swapped for easy running",
        pct(cut)
    )
}

pub fn acwr_evidence(d: &DayLoad) -> String {
    format!(
        "On {} your last 7 days of training came to {:.2} times your usual week: {:.0} load points (minutes × how hard it felt, 1–10) against an average week of {:.0} over the last 4 weeks. Above 1.5 times the risk of injury climbs steeply, so the next week is lowered.",
        day(d.date),
        d.acwr.unwrap_or(0.0),
        d.acute_sum,
        d.chronic_sum / 4.0
    )
}

pub fn missed_long_summary(week: u32, km: f64, u: Units) -> String {
    let km = dist(km, u);
    format!("the {km} long run of week {week} was missed → not made up; long run held at {km}")
}

pub fn missed_long_evidence(
    date: Date,
    planned: f64,
    longest: f64,
    skipped: bool,
    next_week: u32,
    next_km: f64,
    u: Units,
) -> String {
    let planned = dist(planned, u);
    format!(
        "The {planned} long run on {} was {} (longest run that week: {}). Missed distance is not stacked onto the next long run: week {next_week}'s long run stays at {planned} instead of {}.",
        day(date),
        if skipped { "skipped" } else { "not run" },
        dist(longest, u),
        dist(next_km, u)
    )
}

pub fn missed_volume_summary(cap: f64, u: Units) -> String {
    format!(
        "missed volume → week held to {}, 110% of what you ran",
        dist(cap, u)
    )
}

pub fn missed_volume_evidence(
    before: &[(u32, f64, f64)],
    athlete: Option<f64>,
    cap: f64,
    week: u32,
    planned: f64,
    u: Units,
) -> String {
    let mut ran: Vec<String> = before
        .iter()
        .map(|(w, done, plan)| format!("week {w}: {:.1} of {}", done / u.km(), dist(*plan, u)))
        .collect();
    if let Some(a) = athlete {
        ran.push(format!("before the plan: {} a week", dist(a, u)));
    }
    format!(
        "Run as logged (the rest of the week as planned): {}. Missed distance is not made up: week {week} may not exceed 110% of the larger, {}, instead of the planned {}.",
        ran.join("; "),
        dist(cap, u),
        dist(planned, u)
    )
}

pub fn race_source(result: &RaceResult, date: Date) -> String {
    format!(
        "your {} race in {} on {}",
        result.distance(),
        result.time(),
        day(date)
    )
}

pub fn repace_summary(result: &RaceResult) -> String {
    format!(
        "new {} result {} → paces and race prediction updated",
        result.distance(),
        result.time()
    )
}

pub fn repace_evidence(
    result: &RaceResult,
    date: Date,
    vdot: f64,
    old: Option<&PlanPaces>,
    u: Units,
) -> String {
    let Some(new) = Vdot::new(vdot).map(TrainingPaces::from_vdot) else {
        return String::new();
    };
    let s = |p: Pace| p.s_per_km().round() as u32;
    let was = |x: Option<u32>| {
        x.map(|x| format!(" (was {})", pace(x, u)))
            .unwrap_or_default()
    };
    let basis = if old.is_some() {
        "; the plan's paces came from an earlier result, and this one shows a clear change in fitness"
    } else {
        "; the plan had no race result and set effort targets"
    };
    format!(
        "Race on {}: {} in {}{basis}. Training paces now follow this result: easy {}, threshold {}{}, interval {}{}, and the race prediction with them.",
        day(date),
        result.distance(),
        result.time(),
        pace_band(s(new.easy.fast), s(new.easy.slow), u),
        pace(s(new.threshold), u),
        was(old.map(|p| p.threshold)),
        pace(s(new.interval), u),
        was(old.map(|p| p.interval)),
    )
}

pub fn converted(before: &str) -> String {
    format!(
        "Easy running in place of {before}: about the same time on your feet, nothing fast this week."
    )
}

pub fn held_progression(base: f64, cap: f64, u: Units) -> String {
    format!(
        "held to {}, 110% of the larger of the two weeks before ({}), after an earlier week was lowered",
        dist(cap, u),
        dist(base, u)
    )
}

pub fn held_recovery(prev: f64, cap: f64, u: Units) -> String {
    format!(
        "recovery week kept 25% below the lowered week before ({:.1} → {})",
        prev / u.km(),
        dist(cap, u)
    )
}

pub fn held_taper(peak: f64, u: Units) -> String {
    format!(
        "taper kept at or below the lowered peak of {}",
        dist(peak, u)
    )
}

pub fn held_race_week(peak: f64, cap: f64, u: Units) -> String {
    format!(
        "race week kept near 60% of the lowered peak ({:.1} of {})",
        cap / u.km(),
        dist(peak, u)
    )
}

pub fn longest_run_falls_short(longest: f64, race_km: f64, u: Units) -> String {
    format!(
        "After the adjustments the longest run is {}, short of the {} (three quarters of the race) a long run should reach before race day. Options: a later race, a shorter race first, or run-walk the race.",
        dist(longest, u),
        dist(race_km * 0.75, u)
    )
}

pub fn race_week_runs(taper_avg: f64, u: Units) -> String {
    format!(
        "race week's runs kept shorter than the lowered taper week's average run of {}",
        dist(taper_avg, u)
    )
}

pub fn strength_shift(before: &[Dose], after: &[Dose]) -> String {
    let gone: Vec<&str> = before
        .iter()
        .filter(|d| !after.iter().any(|a| a.id == d.id))
        .map(|d| d.name.as_deref().unwrap_or(&d.id))
        .collect();
    let new: Vec<&str> = after
        .iter()
        .filter(|d| !before.iter().any(|b| b.id == d.id))
        .map(|d| d.name.as_deref().unwrap_or(&d.id))
        .collect();
    if gone.is_empty() {
        format!("Added: {}.", new.join(", "))
    } else {
        format!("{} in place of {}.", new.join(", "), gone.join(", "))
    }
}

/// How a session reads in a list of changes.
pub fn session_summary(s: &Session, u: Units) -> String {
    if s.kind.is_run() {
        let mut out = format!("{} {}", s.kind.label(), dist(s.km(), u));
        if s.kind.is_quality() && !s.title.is_empty() {
            out = format!("{} ({})", s.title, dist(s.km(), u));
        }
        if let Some(d) = s.duration_s {
            out.push_str(&format!(", {}", format_clock(f64::from(d))));
        }
        if let Some([fast, slow]) = s.pace_s_per_km {
            out.push_str(&format!(" at {}", pace_band(fast, slow, u)));
        }
        out
    } else if !s.exercises.is_empty() && s.kind == SessionKind::Strength {
        let ids: Vec<&str> = s.exercises.iter().map(|d| d.id.as_str()).collect();
        format!("{}: {}", s.title, ids.join(", "))
    } else {
        s.title.clone()
    }
}

fn abductor_count(plan: &Plan, week: usize) -> usize {
    plan.weeks[week]
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Strength)
        .flat_map(|(_, s)| &s.exercises)
        .filter(|d| find(&d.id).is_some_and(|e| e.covers(Family::Abductors)))
        .count()
}

/// What applying an adjustment on its own changed, in numbers.
pub fn effect(before: &Plan, after: &Plan, first_week: u32) -> String {
    let mut weeks = Vec::new();
    let mut others = Vec::new();
    let mut swapped = 0;
    let mut abductors = (0, 0);
    let mut retimed = 0;
    let u = before.units();
    for (i, (b, a)) in before.weeks.iter().zip(&after.weeks).enumerate() {
        let (vb, va) = (b.measured_training_km(), a.measured_training_km());
        if (vb - va).abs() >= 0.05 {
            let line = format!(
                "week {}: {:.1} → {} ({}{})",
                b.index,
                vb / u.km(),
                dist(va, u),
                if va < vb { "−" } else { "+" },
                pct((vb - va).abs() / vb.max(0.1))
            );
            if b.index == first_week {
                weeks.push(line);
            } else {
                others.push(line);
            }
        }
        for (sb, sa) in b.sessions().zip(a.sessions()) {
            if sb.1.kind.is_quality() && !sa.1.kind.is_quality() {
                swapped += 1;
            }
            if sb.1.kind == sa.1.kind
                && sb.1.kind.is_run()
                && sb.1.pace_s_per_km != sa.1.pace_s_per_km
            {
                retimed += 1;
            }
        }
        let (ab, aa) = (abductor_count(before, i), abductor_count(after, i));
        if ab != aa {
            abductors.0 += ab;
            abductors.1 += aa;
        }
    }
    let mut parts = Vec::new();
    if !weeks.is_empty() {
        parts.push(capitalise(&weeks.join("; ")));
    }
    if swapped > 0 {
        parts.push(format!(
            "{swapped} quality session{} swapped for easy running of about the same time",
            if swapped == 1 { "" } else { "s" }
        ));
    }
    if abductors != (0, 0) {
        parts.push(format!(
            "abductor movements in the strength sessions {} → {}",
            abductors.0, abductors.1
        ));
    }
    if retimed > 0 {
        parts.push(format!("{retimed} runs re-targeted to the new paces"));
    }
    if !others.is_empty() {
        parts.push(format!(
            "to keep the progression, recovery and taper rules: {}",
            others.join("; ")
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}.", capitalise(&parts.join("; ")))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What the runner reads right after logging: pain gets concern and the
/// next step (never "nice work"); the rest a short acknowledgement.
pub fn logged_reply(log: &crate::load::LoggedSession) -> String {
    use crate::load::LogStatus;
    let worst = log.pain.iter().max_by_key(|p| p.score);
    match worst {
        Some(p) if p.score >= super::SEVERE_PAIN => format!(
            "Logged. Sorry it hurt: {} pain {}/10 is a lot. Next: don't run on it for now; rest, ice or heat as feels right, and have it looked at if it is not clearly better in two or three days. The plan eases off for you.",
            p.location.label(),
            p.score
        ),
        Some(p) if p.score >= super::PAIN_THRESHOLD => format!(
            "Logged. Sorry it hurt: {} pain {}/10. Next: keep the coming days easy; the plan eases off for you. {SEE_A_PROFESSIONAL}",
            p.location.label(),
            p.score
        ),
        Some(p) => format!(
            "Logged, with {} pain {}/10: keep an eye on it. If it comes back on your next run or reaches 4/10, the plan eases off.",
            p.location.label(),
            p.score
        ),
        None => match log.status {
            LogStatus::Done => "Logged. Well done.".into(),
            LogStatus::Partial => {
                "Logged as partly done. Part of a session still counts; the plan takes it into account.".into()
            }
            LogStatus::Skipped => {
                "Logged as skipped. One missed session changes little; the plan carries on.".into()
            }
        },
    }
}
