//! runcoach plans as calendar feeds and watch workouts: the mapping from
//! [`runcoach_core::plan`] to [`crate::ics`] and [`crate::fit_workout`].
//!
//! ```
//! # use runcoach_core::plan::Plan;
//! # fn demo(plan: &Plan) {
//! use runcoach_formats::plan_export::{FeedOptions, plan_calendar, planned_sessions, session_workout};
//!
//! let feed = plan_calendar(plan, &FeedOptions::new("Spring marathon", "2026-03-01T00:00:00Z".parse().unwrap()));
//! for s in planned_sessions(plan).iter().filter(|s| s.session.kind.is_run()) {
//!     let fit = runcoach_formats::fit_workout::encode(&session_workout(s.session, s.date));
//! }
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use runcoach_core::plan::{Dose, Plan, Session, SessionKind, Step, StepKind};
use runcoach_core::units::{Pace, Units, format_clock};

use crate::fit_workout::{self, Duration, Intensity, Target, Workout, WorkoutSport, WorkoutStep};
use crate::ics::{self, Calendar, Event, When};

/// Appended to every session key to make a calendar `UID`.
pub const UID_DOMAIN: &str = "runcoach";

/// How a plan becomes a calendar feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedOptions {
    /// The calendar's name in the subscriber's app.
    pub name: String,
    /// Distances and paces in km or mi.
    pub units: Units,
    /// URL prefix for the link back; an event's link is this followed by the session
    /// id (sessions without an id get no link).
    pub link_base: Option<String>,
    /// For work calendars: every event is "Busy" with no details.
    pub busy_only: bool,
    /// Start time per weekday, Monday first. A day with a time gets timed events
    /// (its sessions back to back from that time); others are all-day events.
    pub start_times: [Option<(u8, u8)>; 7],
    /// IANA zone for timed events; `None`: floating local time.
    pub tz: Option<String>,
    /// `DTSTAMP`: when the feed was generated (the caller's clock, not ours).
    pub dtstamp: Timestamp,
    /// `SEQUENCE` per session key (the session id, or the derived key for sessions
    /// without one; see [`session_key`]); missing keys get 0.
    pub sequences: BTreeMap<String, u32>,
    /// Mixed into the derived keys of sessions without an id, so two athletes'
    /// unsaved plans never share UIDs (e.g. the athlete id). May be empty.
    pub uid_namespace: String,
    /// `REFRESH-INTERVAL` / `X-PUBLISHED-TTL`, minutes.
    pub refresh_minutes: u32,
}

impl FeedOptions {
    /// Defaults: km, no link, full details, all-day events, refresh every 6 hours.
    pub fn new(name: impl Into<String>, dtstamp: Timestamp) -> Self {
        Self {
            name: name.into(),
            units: Units::Km,
            link_base: None,
            busy_only: false,
            start_times: [None; 7],
            tz: None,
            dtstamp,
            sequences: BTreeMap::new(),
            uid_namespace: String::new(),
            refresh_minutes: 360,
        }
    }
}

/// A session with where it sits in the plan.
#[derive(Debug, Clone, Copy)]
pub struct PlannedSession<'a> {
    /// Week number (1-based, as in the plan).
    pub week: u32,
    /// The day.
    pub date: Date,
    /// 0 for the first session of this kind on this day, 1 for the second…
    pub ordinal: u32,
    /// The session.
    pub session: &'a Session,
}

/// Every session of the plan in order, rest days left out.
pub fn planned_sessions(plan: &Plan) -> Vec<PlannedSession<'_>> {
    let mut out = Vec::new();
    for w in &plan.weeks {
        for d in &w.days {
            let mut seen: Vec<SessionKind> = Vec::new();
            for s in &d.sessions {
                if s.kind == SessionKind::Rest {
                    continue;
                }
                let ordinal = seen.iter().filter(|k| **k == s.kind).count() as u32;
                seen.push(s.kind);
                out.push(PlannedSession {
                    week: w.index,
                    date: d.date,
                    ordinal,
                    session: s,
                });
            }
        }
    }
    out
}

/// The stable key of a session: its id when stored; otherwise a hash of
/// (namespace, date, kind, ordinal of that kind on the day), which survives
/// regenerating the plan and edits to the session's content.
pub fn session_key(namespace: &str, p: &PlannedSession<'_>) -> String {
    if let Some(id) = p.session.id.as_deref().filter(|id| !id.trim().is_empty()) {
        return id.to_owned();
    }
    let kind = kind_name(p.session.kind);
    let h = fnv1a(&format!(
        "{namespace}\u{1f}{}\u{1f}{kind}\u{1f}{}",
        p.date, p.ordinal
    ));
    format!("{}-{kind}-{h:016x}", p.date)
}

/// The `UID` of a session's event: `{key}@runcoach`.
pub fn session_uid(namespace: &str, p: &PlannedSession<'_>) -> String {
    format!("{}@{UID_DOMAIN}", session_key(namespace, p))
}

/// Sessions a watch can run as a workout.
pub fn exportable(kind: SessionKind) -> bool {
    kind.is_run() || matches!(kind, SessionKind::Strength | SessionKind::Mobility)
}

/// `marathon_pace` → `marathon-pace`: the kind as used in file names and keys.
pub fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Easy => "easy",
        SessionKind::Recovery => "recovery",
        SessionKind::Long => "long",
        SessionKind::Tempo => "tempo",
        SessionKind::Intervals => "intervals",
        SessionKind::Repetition => "repetition",
        SessionKind::MarathonPace => "marathon-pace",
        SessionKind::Race => "race",
        SessionKind::Strength => "strength",
        SessionKind::Mobility => "mobility",
        SessionKind::CrossTraining => "cross-training",
        SessionKind::Rest => "rest",
    }
}

/// The plan as an iCalendar feed (see [`ics::write`]).
pub fn plan_calendar(plan: &Plan, opts: &FeedOptions) -> String {
    ics::write(&calendar(plan, opts))
}

/// The plan as a [`Calendar`], before writing.
pub fn calendar(plan: &Plan, opts: &FeedOptions) -> Calendar {
    let sessions = planned_sessions(plan);
    let mut events = Vec::with_capacity(sessions.len());
    // Timed days: sessions back to back from the day's start time.
    let mut clock: Option<(Date, DateTime)> = None;
    for p in &sessions {
        let key = session_key(&opts.uid_namespace, p);
        let weekday = p.date.weekday().to_monday_zero_offset() as usize;
        let minutes = session_minutes(p.session);
        let when = match opts.start_times[weekday] {
            Some((h, m)) => {
                let start = match clock {
                    Some((day, next)) if day == p.date => next,
                    _ => p.date.at(h.min(23) as i8, m.min(59) as i8, 0, 0),
                };
                let next = start
                    .checked_add(jiff::Span::new().minutes(i64::from(minutes)))
                    .unwrap_or(start);
                clock = Some((p.date, next));
                When::Timed {
                    start,
                    minutes,
                    tz: opts.tz.clone(),
                }
            }
            None => When::AllDay(p.date),
        };
        let transparent = matches!(when, When::AllDay(_));
        let sequence = opts.sequences.get(&key).copied().unwrap_or(0);
        let event = if opts.busy_only {
            Event {
                uid: format!("busy-{key}@{UID_DOMAIN}"),
                sequence,
                summary: "Busy".to_owned(),
                description: String::new(),
                location: None,
                url: None,
                categories: Vec::new(),
                when,
                transparent,
            }
        } else {
            let url = match (&opts.link_base, p.session.id.as_deref()) {
                (Some(base), Some(id)) if !id.is_empty() => Some(format!("{base}{id}")),
                _ => None,
            };
            Event {
                uid: format!("{key}@{UID_DOMAIN}"),
                sequence,
                summary: p.session.name(opts.units),
                description: description(p.session, opts.units, url.as_deref()),
                location: None,
                url,
                categories: vec![p.session.kind.label().to_owned()],
                when,
                transparent,
            }
        };
        events.push(event);
    }
    Calendar {
        name: opts.name.clone(),
        prodid: format!("-//runcoach//runcoach {}//EN", env!("CARGO_PKG_VERSION")),
        refresh_minutes: opts.refresh_minutes,
        dtstamp: opts.dtstamp,
        events,
    }
}

/// Minutes a session takes on the calendar (runs: the estimate, rounded up to 5).
pub fn session_minutes(s: &Session) -> u32 {
    let m = match (s.duration_s, s.minutes) {
        (Some(secs), _) => secs.div_ceil(60),
        (None, Some(m)) => m,
        (None, None) if s.kind.is_run() => 60,
        (None, None) => 30,
    };
    m.max(5).div_ceil(5) * 5
}

/// The event description: title, structure, paces, exercises, why, link.
pub fn description(s: &Session, units: Units, link: Option<&str>) -> String {
    let mut out = String::new();
    // Steady runs' titles only repeat the summary (in km); quality and race titles
    // name the workout.
    let steady = matches!(
        s.kind,
        SessionKind::Easy | SessionKind::Recovery | SessionKind::Long
    );
    if !steady && !s.title.is_empty() && s.title != s.name(units) {
        let _ = writeln!(out, "{}", units.localise(&s.title));
    }
    if s.kind.is_run() {
        let mut facts = Vec::new();
        if s.distance_m.is_some() {
            facts.push(distance_in_units(s.km(), units));
        }
        if let Some(secs) = s.duration_s {
            facts.push(format!("about {}", rough_time(secs)));
        }
        if let Some(band) = s.pace_s_per_km {
            facts.push(pace_band(band, units));
        } else if let Some(rpe) = s.rpe {
            facts.push(rpe_text(rpe));
        }
        if !facts.is_empty() {
            let _ = writeln!(out, "{}", facts.join(" · "));
        }
        if !s.steps.is_empty() {
            out.push('\n');
            for step in &s.steps {
                let _ = writeln!(out, "{}", step_text(step, units));
            }
        }
        if !s.activation.is_empty() {
            let _ = writeln!(out, "\nActivation first: {}", doses(&s.activation));
        }
    } else if let Some(m) = s.minutes {
        let _ = writeln!(out, "About {m} min");
    }
    if !s.exercises.is_empty() {
        out.push('\n');
        for d in &s.exercises {
            let _ = writeln!(out, "- {}", dose_text(d));
        }
    }
    if !s.why.is_empty() {
        let _ = writeln!(out, "\nWhy: {}", units.localise(&s.why));
    }
    if let Some(link) = link {
        let _ = writeln!(out, "\n{link}");
    }
    out.trim().to_owned()
}

/// "Clamshells 3 × 15 per side", "Side Plank 2 × 30 s per side".
pub fn dose_text(d: &Dose) -> String {
    format!("{} {}", d.name.as_deref().unwrap_or(&d.id), dose_amount(d))
}

/// "3 × 15 per side", "2 × 30 s", "3 sets".
pub fn dose_amount(d: &Dose) -> String {
    let amount = match (d.reps, d.hold_s) {
        (Some(r), _) => format!("{} × {r}", d.sets),
        (None, Some(h)) => format!("{} × {h} s", d.sets),
        (None, None) => format!("{} sets", d.sets),
    };
    if d.per_side {
        format!("{amount} per side")
    } else {
        amount
    }
}

fn doses(list: &[Dose]) -> String {
    list.iter().map(dose_text).collect::<Vec<_>>().join(", ")
}

/// One line of a run's structure; repeats as "3 × (…, …)".
pub fn step_text(step: &Step, units: Units) -> String {
    let target = if let Some(band) = step.pace_s_per_km {
        format!(" @ {}", pace_band(band, units))
    } else if let Some(rpe) = step.rpe {
        format!(" @ {}", rpe_text(rpe))
    } else {
        String::new()
    };
    let amount = match step.kind {
        StepKind::Recovery => step
            .duration_s
            .map(clock_minutes)
            .or_else(|| step.distance_m.map(|m| metres_in_units(m, units))),
        _ => step
            .distance_m
            .map(|m| metres_in_units(m, units))
            .or_else(|| step.duration_s.map(clock_minutes)),
    }
    .unwrap_or_else(|| "until done".to_owned());
    match step.kind {
        StepKind::Warmup => format!("Warm-up {amount}{target}"),
        StepKind::Cooldown => format!("Cool-down {amount}{target}"),
        StepKind::Work => format!("{amount}{target}"),
        StepKind::Recovery => format!("{amount} recovery jog{target}"),
        StepKind::Repeat => {
            let inner: Vec<String> = step.steps.iter().map(|s| step_text(s, units)).collect();
            format!("{} × ({})", step.times.unwrap_or(1), inner.join(", "))
        }
    }
}

fn rpe_text([a, b]: [u8; 2]) -> String {
    if a == b {
        format!("RPE {a}")
    } else {
        format!("RPE {a}–{b}")
    }
}

/// "4:37–4:45/km" (fast–slow).
pub fn pace_band([fast, slow]: [u32; 2], units: Units) -> String {
    let p = |s: u32| Pace::from_s_per_km(f64::from(s.max(1))).expect("positive");
    if fast == slow {
        return p(fast).display(units);
    }
    format!(
        "{}–{}",
        format_clock(p(fast).seconds_per(units).round()),
        p(slow).display(units)
    )
}

fn distance_in_units(km: f64, units: Units) -> String {
    format!("{:.1} {}", km / units.km(), units.label())
}

/// Short reps in metres (track distances), longer ones in km or mi.
fn metres_in_units(m: u32, units: Units) -> String {
    let short = match units {
        Units::Km => 1000,
        Units::Mi => 1600,
    };
    if m < short {
        format!("{m} m")
    } else {
        distance_in_units(f64::from(m) / 1000.0, units)
    }
}

/// "34 min", "1 h 05 min": a session's estimated length.
fn rough_time(secs: u32) -> String {
    let m = (secs + 30) / 60;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

/// "45 s", "2 min", "4:30 min", "1:02:00".
fn clock_minutes(secs: u32) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s % 60 == 0 && s < 3600 => format!("{} min", s / 60),
        s if s < 3600 => format!("{} min", format_clock(f64::from(s))),
        s => format_clock(f64::from(s)),
    }
}

/// A session as a FIT workout: runs as structured steps with speed targets (from
/// pace bands) or open targets with the RPE in the notes; strength and mobility as
/// one named step per exercise, sets × reps in the notes.
pub fn session_workout(session: &Session, date: Date) -> Workout {
    let sport = match session.kind {
        SessionKind::Strength => WorkoutSport::Strength,
        SessionKind::Mobility => WorkoutSport::Mobility,
        _ => WorkoutSport::Running,
    };
    let steps = match sport {
        WorkoutSport::Running if !session.steps.is_empty() => session
            .steps
            .iter()
            .map(|s| fit_step(s, session.kind))
            .collect(),
        WorkoutSport::Running => {
            let duration = match (session.distance_m, session.duration_s) {
                (Some(m), _) if m > 0 => Duration::Distance { m },
                (_, Some(s)) if s > 0 => Duration::Time { s },
                _ => Duration::Open,
            };
            let (target, notes) = fit_target(session.pace_s_per_km, session.rpe);
            vec![WorkoutStep::Single(fit_workout::Step {
                name: watch_text(session.kind.label()),
                duration,
                target,
                intensity: Intensity::Active,
                notes,
            })]
        }
        _ => session
            .activation
            .iter()
            .chain(&session.exercises)
            .map(|d| {
                WorkoutStep::Single(
                    fit_workout::Step::new(
                        watch_text(d.name.as_deref().unwrap_or(&d.id)),
                        Duration::Open,
                        Intensity::Active,
                    )
                    .with_notes(watch_text(&dose_amount(d))),
                )
            })
            .collect(),
    };
    let description = (!session.activation.is_empty() && sport == WorkoutSport::Running)
        .then(|| watch_text(&format!("Activation first: {}", doses(&session.activation))));
    // A watch's workouts are metric; the name is the one every page uses.
    let name = session.name(Units::Km);
    let identity = format!(
        "{}|{date}|{}|{}|{:?}|{:?}",
        session.id.as_deref().unwrap_or(""),
        kind_name(session.kind),
        session.title,
        session.distance_m,
        session.minutes
    );
    let midnight = date
        .at(0, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(fit_workout::FIT_EPOCH_UNIX_S);
    Workout {
        name: watch_text(&name),
        sport,
        description,
        serial_number: (fnv1a(&identity) as u32).max(1),
        time_created: fit_workout::fit_time(midnight),
        steps,
    }
}

fn fit_step(step: &Step, run: SessionKind) -> WorkoutStep {
    if step.kind == StepKind::Repeat {
        return WorkoutStep::Repeat {
            times: u32::from(step.times.unwrap_or(1).max(1)),
            steps: step.steps.iter().map(|s| fit_step(s, run)).collect(),
        };
    }
    let by_time = step
        .duration_s
        .filter(|s| *s > 0)
        .map(|s| Duration::Time { s });
    let by_distance = step
        .distance_m
        .filter(|m| *m > 0)
        .map(|m| Duration::Distance { m });
    // Recoveries are timed (a jog between efforts); everything else by distance.
    let duration = match step.kind {
        StepKind::Recovery => by_time.or(by_distance),
        _ => by_distance.or(by_time),
    }
    .unwrap_or(Duration::Open);
    let (name, intensity) = match step.kind {
        StepKind::Warmup => ("Warm-up", Intensity::Warmup),
        StepKind::Cooldown => ("Cool-down", Intensity::Cooldown),
        StepKind::Recovery => ("Recovery", Intensity::Recovery),
        _ => (run.label(), Intensity::Active),
    };
    let (target, notes) = fit_target(step.pace_s_per_km, step.rpe);
    WorkoutStep::Single(fit_workout::Step {
        name: watch_text(name),
        duration,
        target,
        intensity,
        notes,
    })
}

/// A pace band (s/km, fast then slow) as a speed range; RPE as notes.
fn fit_target(pace: Option<[u32; 2]>, rpe: Option<[u8; 2]>) -> (Target, String) {
    match (pace, rpe) {
        (Some([fast, slow]), _) if fast > 0 && slow > 0 => (
            Target::Speed {
                low_mps: 1000.0 / f64::from(fast.max(slow)),
                high_mps: 1000.0 / f64::from(fast.min(slow)),
            },
            String::new(),
        ),
        (_, Some(r)) => (Target::Open, watch_text(&rpe_text(r))),
        _ => (Target::Open, String::new()),
    }
}

/// Text for small watch screens: typographic characters some older devices lack
/// become ASCII.
pub fn watch_text(s: &str) -> String {
    s.replace('×', "x")
        .replace(['–', '—'], "-")
        .replace('·', "-")
}

/// 64-bit FNV-1a: small, stable across Rust versions and platforms.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kind: StepKind, m: Option<u32>, s: Option<u32>, pace: Option<[u32; 2]>) -> Step {
        Step {
            kind,
            times: None,
            distance_m: m,
            duration_s: s,
            pace_s_per_km: pace,
            rpe: None,
            steps: vec![],
        }
    }

    #[test]
    fn step_lines_read_like_a_coach_writes_them() {
        let rep = Step {
            kind: StepKind::Repeat,
            times: Some(4),
            steps: vec![
                step(StepKind::Work, Some(1200), Some(337), Some([277, 285])),
                Step {
                    rpe: Some([2, 3]),
                    ..step(StepKind::Recovery, Some(664), Some(270), None)
                },
            ],
            ..step(StepKind::Repeat, None, None, None)
        };
        assert_eq!(
            step_text(&rep, Units::Km),
            "4 × (1.2 km @ 4:37–4:45/km, 4:30 min recovery jog @ RPE 2–3)"
        );
        assert_eq!(
            step_text(&rep, Units::Mi),
            "4 × (1200 m @ 7:26–7:39/mi, 4:30 min recovery jog @ RPE 2–3)"
        );
        assert_eq!(
            step_text(
                &step(StepKind::Warmup, Some(2000), Some(752), Some([355, 397])),
                Units::Km
            ),
            "Warm-up 2.0 km @ 5:55–6:37/km"
        );
        assert_eq!(
            step_text(&step(StepKind::Recovery, None, Some(60), None), Units::Km),
            "1 min recovery jog"
        );
    }

    #[test]
    fn doses_and_clock() {
        let d = Dose {
            id: "side_plank".into(),
            name: Some("Side Plank".into()),
            family: None,
            sets: 2,
            reps: None,
            hold_s: Some(30),
            per_side: true,
        };
        assert_eq!(dose_text(&d), "Side Plank 2 × 30 s per side");
        let d = Dose {
            name: None,
            reps: Some(15),
            hold_s: None,
            per_side: false,
            sets: 3,
            ..d
        };
        assert_eq!(dose_text(&d), "side_plank 3 × 15");
        assert_eq!(clock_minutes(45), "45 s");
        assert_eq!(clock_minutes(3744), "1:02:24");
        assert_eq!(rough_time(2035), "34 min");
        assert_eq!(rough_time(3744), "1 h 02 min");
        assert_eq!(watch_text("3 × 15 – RPE"), "3 x 15 - RPE");
    }

    #[test]
    fn speed_targets_come_from_pace_bands() {
        let (t, notes) = fit_target(Some([250, 260]), None);
        assert_eq!(
            t,
            Target::Speed {
                low_mps: 1000.0 / 260.0,
                high_mps: 4.0
            }
        );
        assert!(notes.is_empty());
        let (t, notes) = fit_target(None, Some([6, 7]));
        assert_eq!(t, Target::Open);
        assert_eq!(notes, "RPE 6-7");
    }
}
