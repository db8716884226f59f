//! Explainable adaptation (training-rules.md §4): what the runner logged
//! turns into *adjustments* over the original plan, never a silent rewrite.
//!
//! [`adapt`] reads the plan as generated, the log and today's date and
//! proposes adjustments; [`apply`] lays a set of them over the original plan.
//! Both are pure. Undoing an adjustment is applying the others without it.
//!
//! Every rule is judged *as of* the day before the week it changes, over
//! the plan week before that one, so an adjustment made last month is made
//! again identically today: adjustments are a function of the plan and the
//! log, stable as time passes.
//!
//! The rules, with their thresholds:
//! - `pain`: in the week before, a pain score ≥ 4 anywhere, or pain at one
//!   location on 2 or more days → the week's running −25 % (−30 % when a
//!   score reaches 7), quality sessions become easy runs of about the same
//!   time, strength shifts to hip-abductor work for knee or IT-band pain
//!   (Ramskov et al. 2015) and to hip-flexor work for hip-flexor pain, and
//!   the runner is told to see a physiotherapist or doctor if it persists.
//! - `pain_days`: pain ≥ 4 logged during a week also eases the rest of
//!   that week at once (the week rule above only reaches the next week):
//!   the next run becomes cross-training of the same time (every run, at
//!   7/10 or more), later runs are run easy and a quarter shorter, and the
//!   coming strength sessions leave out what the sore area cannot take, as
//!   a niggle does; days already logged stay as they were. The first of
//!   these that the checker passes is kept.
//! - `acwr_spike`: the rolling 7/28-day acute:chronic workload ratio above
//!   1.5 on any day of the week before (Gabbett 2016; see [`crate::load`])
//!   → running −20 %, quality swapped for easy running.
//! - `missed_long_run`: the week before's long run was not run (no run of
//!   at least half its distance that week) → the missed kilometres are not
//!   stacked: this week's long run is held at the missed one's distance.
//! - `missed_volume`: this week may not exceed 110 % of the larger of the
//!   two weeks before it counted as *run*, not as planned (§2 progression).
//! - `new_race_result`: a logged race whose VDOT differs by 0.5 or more
//!   from the plan's → paces, pace bands, durations and the race
//!   prediction follow the new result (Daniels–Gilbert).
//!
//! Lowering a week can make a later week look like a jump, break a
//! recovery week's 20–30 % cut or a taper's share of the peak; [`apply`]
//! then lowers those later weeks just enough (see `apply.rs`), and the
//! adjustment lists those sessions as touched too. The adapted plan passes
//! [`crate::guardrails::check`] whenever the original does.

mod apply;
mod feasibility;
mod race_week;
pub(crate) mod why;

/// What the runner reads right after logging `log` (see `why`).
pub use why::logged_reply;

pub use apply::apply;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::load::{ActivityKind, LogStatus, LoggedSession, PainLocation, report};
use crate::plan::model::{Niggle, Plan, Session, SessionKind, Week};
use crate::science::RaceResult;
use crate::units::{Distance, RaceTime};

/// Pain at or above this score lowers the next week.
pub const PAIN_THRESHOLD: u8 = 4;
/// Pain at one location on this many days lowers the next week.
pub const PAIN_DAYS: usize = 2;
/// Pain at or above this score cuts deeper.
pub const SEVERE_PAIN: u8 = 7;
pub const PAIN_CUT: f64 = 0.25;
pub const SEVERE_PAIN_CUT: f64 = 0.30;
/// Rolling ACWR above this lowers the next week (Gabbett 2016).
pub const ACWR_LIMIT: f64 = 1.5;
pub const ACWR_CUT: f64 = 0.20;
/// A long run counts as missed when no run that week reached this share
/// of it.
pub const LONG_RUN_DONE_SHARE: f64 = 0.5;
/// A race result moves paces when its VDOT differs by at least this.
pub const VDOT_CHANGE: f64 = 0.5;
/// §2: a week never exceeds 110 % of the larger of the two weeks before.
pub const PROGRESSION: f64 = 1.10;

/// Which rule made an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    NewRaceResult,
    Pain,
    PainDays,
    AcwrSpike,
    MissedLongRun,
    MissedVolume,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NewRaceResult => "new_race_result",
            Rule::Pain => "pain",
            Rule::PainDays => "pain_days",
            Rule::AcwrSpike => "acwr_spike",
            Rule::MissedLongRun => "missed_long_run",
            Rule::MissedVolume => "missed_volume",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which strength work a week shifts towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrengthShift {
    /// Knee or IT-band pain: more hip-abductor movements.
    Abductors,
    /// Hip-flexor pain: hip-flexor strength added.
    HipFlexors,
    /// Pain where a niggle would be: the movements that niggle leaves out
    /// are swapped for ones that suit it (knee: no lunges or split squats).
    LeaveOut(Niggle),
}

impl StrengthShift {
    /// The niggle whose movement rules a pain at `loc` follows.
    pub fn leave_out(loc: PainLocation) -> Option<StrengthShift> {
        let n = match loc {
            PainLocation::Knee => Niggle::Knee,
            PainLocation::LowerBack => Niggle::LowBack,
            _ => return None,
        };
        Some(StrengthShift::LeaveOut(n))
    }
}

/// What an adjustment does to the plan; [`apply`] reads only this (and the
/// adjustment's week and summary), so a stored adjustment re-applies the
/// same way forever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Lower the week's running by `cut` (0.25 = −25 %); optionally swap
    /// quality for easy running and shift strength work. Several eases of
    /// one week do not stack: the deepest cut applies.
    Ease {
        cut: f64,
        swap_quality: bool,
        #[serde(default)]
        strength: Vec<StrengthShift>,
    },
    /// The days `from`..=`to` of the week eased at once: the first
    /// `cross_training` runs become cross-training of the same time, the
    /// other runs are run easy and `cut` shorter; strength sessions on those
    /// days shift as `strength` says.
    EaseDays {
        from: Date,
        to: Date,
        cut: f64,
        cross_training: u8,
        #[serde(default)]
        strength: Vec<StrengthShift>,
        /// Days already logged: what the runner did is never rewritten.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keep: Vec<Date>,
    },
    /// The week's running (race excluded) at most `max_km`.
    CapVolume { max_km: f64 },
    /// The week's long run at most `max_km`.
    CapLongRun { max_km: f64 },
    /// Paces from a new VDOT for every session after `after`.
    Repace {
        after: Date,
        vdot: f64,
        source: String,
    },
}

/// A session an adjustment changed, as the runner saw it before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Touched {
    pub week: u32,
    pub date: Date,
    /// Position of the session within its day.
    pub session: usize,
    pub before: String,
    pub after: String,
}

/// One change over the original plan, with the rule and the numbers that
/// fired it and the sessions it touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Stable: the rule and the week, e.g. `pain-w4`.
    pub id: String,
    pub rule: Rule,
    /// Index (as in [`Week::index`]) of the week it changes first.
    pub week: u32,
    /// The last day of evidence the rule looked at.
    pub on: Date,
    /// Short form that prefixes every changed session's `why`.
    pub summary: String,
    /// The full explanation with the numbers that fired it.
    pub why: String,
    pub action: Action,
    pub touched: Vec<Touched>,
}

impl Adjustment {
    pub fn id_for(rule: Rule, week: u32) -> String {
        format!("{rule}-w{week}")
    }
}

/// A rule that fired, before its effect on the plan is measured.
struct Draft {
    rule: Rule,
    week: u32,
    on: Date,
    summary: String,
    evidence: String,
    advice: Option<&'static str>,
    action: Action,
}

/// The adjustments the log calls for, in order of week then rule, leaving
/// out those whose ids are in `undone`. `plan` is the plan as generated
/// (adjustments are always over the original), `today` the athlete's
/// local date: logs after it are ignored.
pub fn adapt(
    plan: &Plan,
    logs: &[LoggedSession],
    today: Date,
    undone: &[String],
) -> Vec<Adjustment> {
    let mut logs: Vec<&LoggedSession> = logs.iter().filter(|l| l.date <= today).collect();
    logs.sort_by_key(|l| l.date);
    let mut drafts = Vec::new();
    if let Some(d) = new_race_result(plan, &logs) {
        drafts.push(d);
    }
    let load = logs
        .first()
        .map(|first| report(logs.iter().copied(), first.date, today));
    for (k, week) in plan.weeks.iter().enumerate() {
        let Some(window_start) = week.start.checked_sub(7.days()).ok() else {
            continue;
        };
        if window_start > today {
            break;
        }
        let as_of = today.min(week.start.yesterday().unwrap_or(week.start));
        let window: Vec<&LoggedSession> = in_range(&logs, window_start, as_of).collect();
        let ctx = WeekContext {
            plan,
            k,
            week,
            window_start,
            as_of,
            window: &window,
            logs: &logs,
        };
        drafts.extend(pain(&ctx));
        if let Some(report) = &load {
            drafts.extend(acwr_spike(&ctx, report));
        }
        drafts.extend(missed_long_run(&ctx));
        drafts.extend(missed_volume(&ctx));
    }
    let mut out: Vec<Adjustment> = drafts
        .into_iter()
        .filter_map(|d| finish(plan, d))
        .filter(|a| !undone.contains(&a.id))
        .collect();
    let mut found = None;
    for k in 0..plan.weeks.len() {
        if plan.weeks[k].start > today {
            break;
        }
        let id = Adjustment::id_for(Rule::PainDays, plan.weeks[k].index);
        if undone.contains(&id) {
            continue;
        }
        out.extend(pain_days(plan, k, &logs, today, &mut found));
    }
    out.sort_by_key(|a| (a.week, a.rule));
    out
}

fn in_range<'a>(
    logs: &'a [&'a LoggedSession],
    from: Date,
    to: Date,
) -> impl Iterator<Item = &'a LoggedSession> + 'a {
    let start = logs.partition_point(|l| l.date < from);
    logs[start..]
        .iter()
        .copied()
        .take_while(move |l| l.date <= to)
}

struct WeekContext<'a> {
    plan: &'a Plan,
    /// Position of the week in the plan.
    k: usize,
    week: &'a Week,
    /// The seven days before the week, up to `as_of`.
    window_start: Date,
    as_of: Date,
    window: &'a [&'a LoggedSession],
    logs: &'a [&'a LoggedSession],
}

/// Pain ≥ 4, or the same location on two or more days.
fn pain(ctx: &WeekContext) -> Option<Draft> {
    let mut hits: Vec<(PainLocation, u8, Vec<Date>)> = Vec::new();
    for loc in PainLocation::ALL {
        let mut days: Vec<Date> = Vec::new();
        let mut worst = 0u8;
        for log in ctx.window {
            if let Some(score) = log.pain_at(loc).filter(|s| *s > 0) {
                worst = worst.max(score);
                if days.last() != Some(&log.date) {
                    days.push(log.date);
                }
            }
        }
        if worst >= PAIN_THRESHOLD || days.len() >= PAIN_DAYS {
            hits.push((loc, worst, days));
        }
    }
    if hits.is_empty() {
        return None;
    }
    hits.sort_by_key(|h| std::cmp::Reverse((h.1, h.2.len())));
    let worst = hits[0].1;
    let cut = if worst >= SEVERE_PAIN {
        SEVERE_PAIN_CUT
    } else {
        PAIN_CUT
    };
    let locs: Vec<PainLocation> = hits.iter().map(|h| h.0).collect();
    let mut strength = Vec::new();
    if locs.contains(&PainLocation::HipFlexor) {
        strength.push(StrengthShift::HipFlexors);
    }
    if locs
        .iter()
        .any(|l| matches!(l, PainLocation::Knee | PainLocation::ItBand))
    {
        strength.push(StrengthShift::Abductors);
    }
    strength.extend(locs.iter().copied().filter_map(StrengthShift::leave_out));
    let findings: Vec<(String, String)> = hits
        .iter()
        .map(|(loc, score, days)| why::pain_finding(*loc, *score, days))
        .collect();
    Some(Draft {
        rule: Rule::Pain,
        week: ctx.week.index,
        on: ctx.as_of,
        summary: why::pain_summary(&findings, cut, &strength),
        evidence: why::pain_evidence(&findings, ctx.window_start, ctx.as_of),
        advice: Some(why::SEE_A_PROFESSIONAL),
        action: Action::Ease {
            cut,
            swap_quality: true,
            strength,
        },
    })
}

/// Findings a lowered week can leave in the weeks after it, as every
/// easing can: a long run that now steps up more, a peak that comes early.
const KNOCK_ON_FINDINGS: [&str; 4] = [
    "long_run_progression",
    "peak_timing",
    "race_specific",
    "base_speed",
];

/// Pain ≥ 4 logged in week `k`: the days after it, to the week's end,
/// eased at once. The gentlest change is not enough: the first candidate
/// (most cross-training first) that leaves the checker no new finding is
/// kept, so the plan stays one the checker passes; `found` holds the
/// checker's findings on `plan`, computed once.
fn pain_days(
    plan: &Plan,
    k: usize,
    logs: &[&LoggedSession],
    today: Date,
    found: &mut Option<Vec<crate::guardrails::Violation>>,
) -> Option<Adjustment> {
    let week = &plan.weeks[k];
    let end = week.days.last()?.date;
    let as_of = today.min(end);
    let sore: Vec<&LoggedSession> = in_range(logs, week.start, as_of)
        .filter(|l| l.pain.iter().any(|p| p.score >= PAIN_THRESHOLD))
        .collect();
    let first = sore.first()?;
    let from = first.date.tomorrow().ok()?;
    if from > end {
        return None;
    }
    let mut hits: Vec<(PainLocation, u8, Vec<Date>)> = Vec::new();
    for loc in PainLocation::ALL {
        let days: Vec<(Date, u8)> = sore
            .iter()
            .filter_map(|l| {
                l.pain_at(loc)
                    .filter(|s| *s >= PAIN_THRESHOLD)
                    .map(|s| (l.date, s))
            })
            .collect();
        if let Some(worst) = days.iter().map(|d| d.1).max() {
            let mut dates: Vec<Date> = days.iter().map(|d| d.0).collect();
            dates.dedup();
            hits.push((loc, worst, dates));
        }
    }
    hits.sort_by_key(|h| std::cmp::Reverse((h.1, h.2.len())));
    let worst = hits.first()?.1;
    let locs: Vec<PainLocation> = hits.iter().map(|h| h.0).collect();
    let mut strength = Vec::new();
    if locs
        .iter()
        .any(|l| matches!(l, PainLocation::Knee | PainLocation::ItBand))
    {
        strength.push(StrengthShift::Abductors);
    }
    strength.extend(locs.iter().copied().filter_map(StrengthShift::leave_out));
    let findings: Vec<(String, String)> = hits
        .iter()
        .map(|(loc, score, days)| why::pain_finding(*loc, *score, days))
        .collect();
    let mut keep: Vec<Date> = in_range(logs, from, end).map(|l| l.date).collect();
    keep.dedup();
    let candidates: &[(u8, f64)] = if worst >= SEVERE_PAIN {
        &[
            (u8::MAX, 0.0),
            (1, SEVERE_PAIN_CUT),
            (1, 0.0),
            (0, SEVERE_PAIN_CUT),
            (0, 0.0),
        ]
    } else {
        &[(1, PAIN_CUT), (1, 0.0), (0, PAIN_CUT), (0, 0.0)]
    };
    let before = found
        .get_or_insert_with(|| crate::guardrails::check(plan))
        .clone();
    for &(cross_training, cut) in candidates {
        let draft = Draft {
            rule: Rule::PainDays,
            week: week.index,
            on: sore.last().map_or(as_of, |l| l.date),
            summary: why::pain_days_summary(&findings, cross_training, cut),
            evidence: why::pain_days_evidence(&findings, from, end),
            advice: Some(why::SEE_A_PROFESSIONAL),
            action: Action::EaseDays {
                from,
                to: end,
                cut,
                cross_training,
                strength: strength.clone(),
                keep: keep.clone(),
            },
        };
        let Some(adj) = finish(plan, draft) else {
            continue;
        };
        let after = apply(plan, std::slice::from_ref(&adj));
        let new = crate::plan::edit::introduced(&before, &crate::guardrails::check(&after));
        // The eased week itself breaks nothing new; later weeks may show
        // what lowering a week always can (see the adaptation tests).
        let knock_on = |v: &crate::guardrails::Violation| {
            v.week != week.index && KNOCK_ON_FINDINGS.contains(&v.rule)
        };
        if new.iter().all(knock_on) {
            return Some(adj);
        }
    }
    None
}

/// Rolling ACWR above 1.5 on a day of the week before.
fn acwr_spike(ctx: &WeekContext, load: &crate::load::LoadReport) -> Option<Draft> {
    let mut day = ctx.window_start;
    let mut peak: Option<&crate::load::DayLoad> = None;
    while day <= ctx.as_of {
        if let Some(d) = load.on(day)
            && d.acwr.is_some_and(|r| r > ACWR_LIMIT)
            && peak.is_none_or(|p| d.acwr > p.acwr)
        {
            peak = Some(d);
        }
        day = day.tomorrow().ok()?;
    }
    let d = peak?;
    let ratio = d.acwr?;
    Some(Draft {
        rule: Rule::AcwrSpike,
        week: ctx.week.index,
        on: ctx.as_of,
        summary: why::acwr_summary(ratio, ACWR_CUT),
        evidence: why::acwr_evidence(d),
        advice: None,
        action: Action::Ease {
            cut: ACWR_CUT,
            swap_quality: true,
            strength: Vec::new(),
        },
    })
}

fn long_run(week: &Week) -> Option<(Date, &Session)> {
    week.sessions()
        .find(|(_, s)| s.kind == SessionKind::Long)
        .map(|(d, s)| (d.date, s))
}

/// The week before's long run missed: this week's is not raised to make up.
fn missed_long_run(ctx: &WeekContext) -> Option<Draft> {
    let prev = ctx.plan.weeks.get(ctx.k.checked_sub(1)?)?;
    let (date, missed) = long_run(prev)?;
    if date > ctx.as_of {
        return None;
    }
    let in_week: Vec<&LoggedSession> = ctx
        .window
        .iter()
        .copied()
        .filter(|l| l.date >= prev.start)
        .collect();
    if in_week.is_empty() {
        // Nothing logged that week: the runner is not logging, not missing.
        return None;
    }
    let longest = in_week.iter().map(|l| l.run_km()).fold(0.0, f64::max);
    let planned = missed.km();
    if longest >= LONG_RUN_DONE_SHARE * planned {
        return None;
    }
    let (_, next) = long_run(ctx.week)?;
    if next.km() <= planned + 0.05 {
        return None;
    }
    let skipped = in_week
        .iter()
        .any(|l| l.date == date && l.kind.is_run() && l.status == LogStatus::Skipped);
    Some(Draft {
        rule: Rule::MissedLongRun,
        week: ctx.week.index,
        on: ctx.as_of,
        summary: why::missed_long_summary(prev.index, planned, ctx.plan.units()),
        evidence: why::missed_long_evidence(
            date,
            planned,
            longest,
            skipped,
            ctx.week.index,
            next.km(),
            ctx.plan.units(),
        ),
        advice: None,
        action: Action::CapLongRun { max_km: planned },
    })
}

/// Running km of a past week: logged up to `as_of`, planned after it; the
/// plan alone when nothing was logged that week.
fn done_km(week: &Week, logs: &[&LoggedSession], as_of: Date) -> (f64, bool) {
    let end = week.start.checked_add(6.days()).unwrap_or(week.start);
    let logged: Vec<&LoggedSession> = in_range(logs, week.start, end.min(as_of)).collect();
    if logged.is_empty() {
        return (week.measured_training_km(), false);
    }
    let ran: f64 = logged.iter().map(|l| l.run_km()).sum();
    let still_planned: f64 = week
        .sessions()
        .filter(|(d, s)| d.date > as_of && s.kind.is_run() && s.kind != SessionKind::Race)
        .map(|(_, s)| s.km())
        .sum();
    (ran + still_planned, true)
}

/// Missed volume never lets this week past 110 % of what was run.
fn missed_volume(ctx: &WeekContext) -> Option<Draft> {
    let k = ctx.k;
    if k == 0 {
        return None;
    }
    let mut before: Vec<(u32, f64, f64)> = Vec::new(); // (week, done, planned)
    let mut logged = false;
    for j in [k - 1].into_iter().chain(k.checked_sub(2)) {
        let w = &ctx.plan.weeks[j];
        let (done, any) = done_km(w, ctx.logs, ctx.as_of);
        logged |= any;
        before.push((w.index, done, w.measured_training_km()));
    }
    if !logged {
        return None;
    }
    let athlete = if k == 1 {
        ctx.plan.athlete.as_ref().map(|a| a.weekly_km)
    } else {
        None
    };
    let base = before
        .iter()
        .map(|b| b.1)
        .chain(athlete)
        .fold(0.0, f64::max);
    let cap = (base * PROGRESSION * 10.0).floor() / 10.0;
    let planned = ctx.week.measured_training_km();
    if planned <= cap + 0.15 || base <= 0.0 {
        return None;
    }
    Some(Draft {
        rule: Rule::MissedVolume,
        week: ctx.week.index,
        on: ctx.as_of,
        summary: why::missed_volume_summary(cap, ctx.plan.units()),
        evidence: why::missed_volume_evidence(
            &before,
            athlete,
            cap,
            ctx.week.index,
            planned,
            ctx.plan.units(),
        ),
        advice: None,
        action: Action::CapVolume { max_km: cap },
    })
}

/// The latest logged race, when it moves the runner's VDOT.
fn new_race_result(plan: &Plan, logs: &[&LoggedSession]) -> Option<Draft> {
    let race = logs.iter().rev().find(|l| {
        l.kind == ActivityKind::Race
            && l.status != LogStatus::Skipped
            && l.distance_m > 0
            && l.duration_s > 0
    })?;
    if race.date >= plan.race.date {
        return None;
    }
    let result = RaceResult::new(
        Distance::from_metres(f64::from(race.distance_m))?,
        RaceTime::from_seconds(f64::from(race.duration_s))?,
    )
    .ok()?;
    let vdot = (result.vdot().value() * 10.0).round() / 10.0;
    let old = plan.paces.as_ref().map(|p| p.vdot);
    if old.is_some_and(|v| (v - vdot).abs() < VDOT_CHANGE) {
        return None;
    }
    let week = plan
        .weeks
        .iter()
        .find(|w| w.days.iter().any(|d| d.date > race.date))?;
    let source = why::race_source(&result, race.date);
    Some(Draft {
        rule: Rule::NewRaceResult,
        week: week.index,
        on: race.date,
        summary: why::repace_summary(&result),
        evidence: why::repace_evidence(&result, race.date, vdot, plan.paces.as_ref(), plan.units()),
        advice: None,
        action: Action::Repace {
            after: race.date,
            vdot,
            source,
        },
    })
}

/// Measures what a draft does to the plan on its own and writes the why.
fn finish(plan: &Plan, d: Draft) -> Option<Adjustment> {
    let mut adj = Adjustment {
        id: Adjustment::id_for(d.rule, d.week),
        rule: d.rule,
        week: d.week,
        on: d.on,
        summary: d.summary,
        why: String::new(),
        action: d.action,
        touched: Vec::new(),
    };
    let mut after = apply(plan, std::slice::from_ref(&adj));
    if let Action::Ease { cut, .. } = adj.action {
        // The recovery and taper rules can hold a week above the cut the
        // rule asks for: say what was actually done.
        let i = plan.weeks.iter().position(|w| w.index == adj.week);
        if let Some(i) = i {
            let (vb, va) = (
                plan.weeks[i].measured_training_km(),
                after.weeks[i].measured_training_km(),
            );
            let actual = 1.0 - va / vb.max(0.1);
            if (actual - cut).abs() > 0.005 {
                adj.summary = why::actual_cut(&adj.summary, cut, actual);
                after = apply(plan, std::slice::from_ref(&adj));
            }
        }
    }
    adj.touched = touched(plan, &after);
    if adj.touched.is_empty() {
        return None;
    }
    let effect = if matches!(adj.action, Action::EaseDays { .. }) {
        why::days_effect(plan, &after, &adj.touched, adj.week)
    } else {
        why::effect(plan, &after, adj.week)
    };
    adj.why = [Some(d.evidence), Some(effect), d.advice.map(str::to_owned)]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some(adj)
}

/// Sessions that differ between two versions of a plan.
pub fn touched(before: &Plan, after: &Plan) -> Vec<Touched> {
    let mut out = Vec::new();
    for (wb, wa) in before.weeks.iter().zip(&after.weeks) {
        for (db, da) in wb.days.iter().zip(&wa.days) {
            for (i, (sb, sa)) in db.sessions.iter().zip(&da.sessions).enumerate() {
                if sb != sa {
                    out.push(Touched {
                        week: wb.index,
                        date: db.date,
                        session: i,
                        before: why::session_summary(sb, before.units()),
                        after: why::session_summary(sa, after.units()),
                    });
                }
            }
        }
    }
    out
}
