//! Stage 4: what each run is — structure, distance, and targets.
//!
//! Quality volumes follow Daniels' Running Formula: threshold work ≤ 10 %
//! of weekly volume, interval work ≤ 8 % (and ≤ 10 km), repetition work
//! ≤ 5 %. Targets are pace bands from the runner's VDOT when a race result
//! is known, effort (RPE 1–10) otherwise.

use super::library::{Flavour, Pick};
use super::model::{Level, Phase, Session, SessionKind, Step, StepKind};
use super::shape::RaceCategory;
use crate::science::{PaceRange, TrainingPaces};
use crate::units::Pace;

/// The paces a plan prescribes (when known) and the paces it assumes to
/// estimate durations (always).
#[derive(Debug, Clone, Copy)]
pub struct Targets {
    pub known: Option<TrainingPaces>,
    pub assumed: TrainingPaces,
    /// The runner's units for titles (track reps stay in metres).
    pub units: crate::units::Units,
}

/// Band half-widths (s/km) around a single training pace.
const BAND: [(SessionKind, f64); 4] = [
    (SessionKind::Tempo, 3.0),
    (SessionKind::Intervals, 4.0),
    (SessionKind::Repetition, 3.0),
    (SessionKind::MarathonPace, 4.0),
];

/// The effort (RPE 1–10) a kind of run asks for.
pub fn rpe(kind: SessionKind) -> [u8; 2] {
    match kind {
        SessionKind::Recovery => [2, 3],
        SessionKind::Easy | SessionKind::Long => [3, 4],
        SessionKind::MarathonPace => [5, 6],
        SessionKind::Tempo => [6, 7],
        SessionKind::Intervals | SessionKind::Repetition => [8, 9],
        SessionKind::Race => [9, 10],
        _ => [1, 2],
    }
}

fn range_for(p: &TrainingPaces, kind: SessionKind) -> PaceRange {
    let easy = p.easy;
    let single = |pace: Pace| {
        let width = BAND
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(4.0, |(_, w)| *w);
        PaceRange::around(pace, width)
    };
    match kind {
        SessionKind::Tempo => single(p.threshold),
        SessionKind::Intervals => single(p.interval),
        SessionKind::Repetition => single(p.repetition),
        SessionKind::MarathonPace => single(p.marathon),
        SessionKind::Recovery => PaceRange {
            fast: easy.slow,
            slow: Pace::from_s_per_km(easy.slow.s_per_km() + 20.0).expect("positive"),
        },
        _ => easy,
    }
}

fn band(r: PaceRange) -> [u32; 2] {
    [
        r.fast.s_per_km().round() as u32,
        r.slow.s_per_km().round() as u32,
    ]
}

fn mid(r: PaceRange) -> f64 {
    0.5 * (r.fast.s_per_km() + r.slow.s_per_km())
}

impl Targets {
    /// A road distance in the runner's units: "5.0 km", "3.1 mi".
    pub fn dist(&self, km: f64) -> String {
        self.units.distance(km)
    }

    fn pace_band(&self, kind: SessionKind) -> Option<[u32; 2]> {
        self.known.map(|p| band(range_for(&p, kind)))
    }

    fn effort(&self, kind: SessionKind) -> Option<[u8; 2]> {
        self.known.is_none().then(|| rpe(kind))
    }

    /// Seconds to run `km` at this kind's assumed pace.
    pub fn seconds(&self, kind: SessionKind, km: f64) -> f64 {
        km * mid(range_for(&self.assumed, kind))
    }

    fn step(&self, kind: StepKind, run: SessionKind, km: f64) -> Step {
        Step {
            kind,
            times: None,
            distance_m: Some(metres(km)),
            duration_s: Some(self.seconds(run, km).round() as u32),
            pace_s_per_km: self.pace_band(run),
            rpe: self.effort(run),
            steps: Vec::new(),
        }
    }

    /// A steady run of one kind: easy, recovery, long.
    pub fn steady(&self, kind: SessionKind, km: f64) -> Session {
        Session {
            id: None,
            kind,
            title: format!("{} {}", kind.label(), self.dist(km)),
            distance_m: Some(metres(km)),
            duration_s: Some(self.seconds(kind, km).round() as u32),
            minutes: None,
            pace_s_per_km: self.pace_band(kind),
            rpe: self.effort(kind),
            steps: Vec::new(),
            exercises: Vec::new(),
            activation: Vec::new(),
            why: String::new(),
        }
    }
}

pub fn metres(km: f64) -> u32 {
    (km * 1000.0).round() as u32
}

/// Which quality session fills a slot, by race, phase and slot. The base
/// takes hills and fartlek by turns (`week` decides which comes first);
/// `race_specific` (the last building weeks before the taper) puts the
/// race's own pace first, for a race of `race_m` metres the library has
/// race-pace work for.
pub fn quality_kind(
    cat: &RaceCategory,
    phase: Phase,
    slot: u8,
    week: u32,
    race_specific: bool,
    race_m: f64,
) -> Pick {
    use SessionKind::*;
    // Marathon pace is the marathon's race pace; an ultra is run slower, so
    // it trains threshold and intervals instead.
    let long_race = cat.name == "marathon";
    let ultra = cat.name == "ultra";
    let short_race = cat.long_cap_km <= 16.0;
    let plain = Pick::plain;
    let hills = Pick {
        kind: Repetition,
        flavour: Flavour::Hills,
    };
    let fartlek = Pick {
        kind: Intervals,
        flavour: Flavour::Fartlek,
    };
    let mut pair = match phase {
        Phase::Base if week % 2 == 1 => [fartlek, hills],
        Phase::Base => [hills, fartlek],
        Phase::Build if long_race => [plain(MarathonPace), plain(Tempo)],
        // An ultra's one session a week: threshold, VO2 work every other
        // week.
        Phase::Build | Phase::Peak if ultra && week.is_multiple_of(2) => {
            [plain(Intervals), plain(Tempo)]
        }
        Phase::Build | Phase::Peak if ultra => [plain(Tempo), plain(Intervals)],
        Phase::Build => [plain(Intervals), plain(Tempo)],
        Phase::Peak if long_race => [plain(MarathonPace), plain(Intervals)],
        Phase::Peak if short_race => [plain(Intervals), plain(Repetition)],
        Phase::Peak => [plain(Tempo), plain(Intervals)],
        Phase::Taper | Phase::Race if long_race => [plain(MarathonPace), plain(Tempo)],
        Phase::Taper | Phase::Race if short_race => [plain(Intervals), plain(Tempo)],
        Phase::Taper | Phase::Race => [plain(Tempo), plain(Intervals)],
    };
    if race_specific
        && matches!(phase, Phase::Build | Phase::Peak)
        && let Some(kind) = super::library::race_pace_kind(race_m)
    {
        // Race pace replaces the session of its own kind; the other stays.
        let other = if pair[0].kind == kind {
            pair[1]
        } else {
            pair[0]
        };
        pair = [
            Pick {
                kind,
                flavour: Flavour::RacePace,
            },
            other,
        ];
    }
    pair[usize::from(slot.min(1))]
}

/// The pace (s/km) of a race of `metres` at the fitness of paces `p`.
pub fn race_pace(p: &TrainingPaces, metres: f64) -> f64 {
    let d = crate::units::Distance::from_metres(metres).expect("race distance");
    crate::science::equivalent_time(p.vdot, &d).seconds() / metres * 1000.0
}

/// The pace (s/km) a ladder's pieces are sized at: hills about the distance
/// threshold running covers on the flat (for the week's sums), race-pace
/// work the race's own (a race of `race_m` metres), the kind's otherwise.
pub fn ladder_pace(pick: Pick, race_m: f64, t: &Targets) -> f64 {
    match pick.flavour {
        Flavour::RacePace => race_pace(&t.assumed, race_m),
        Flavour::Hills => t.seconds(SessionKind::Tempo, 1.0),
        _ => t.seconds(pick.kind, 1.0),
    }
}

/// The effort (RPE) of the sessions run by feel.
fn by_feel(flavour: Flavour) -> Option<[u8; 2]> {
    match flavour {
        Flavour::Hills => Some([8, 9]),
        Flavour::Fartlek => Some([7, 8]),
        _ => None,
    }
}

/// "60 s", "2 min": a short time as a runner says it.
pub fn short_time(secs: u32) -> String {
    if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// A session from the workout library: its pieces between an easy warm-up
/// and cool-down, at the kind's pace band (or effort).
pub fn from_library(w: &super::library::Workout, week_km: f64, t: &Targets) -> Session {
    let kind = w.kind;
    let feel = by_feel(w.flavour);
    let race_m = w.race_m.map(f64::from);
    let pick = Pick {
        kind,
        flavour: w.flavour,
    };
    let pace = ladder_pace(pick, race_m.unwrap_or(0.0), t);
    let piece = w.piece_km(pace);
    let mut work = t.step(StepKind::Work, kind, piece);
    let timed = w.work_s.or(w.work_min.map(|m| m * 60));
    work.duration_s = Some(timed.unwrap_or((piece * pace).round() as u32));
    if let Some(m) = race_m {
        let width = BAND.iter().find(|(k, _)| *k == kind).map_or(4.0, |b| b.1);
        work.pace_s_per_km = t.known.map(|p| {
            let mid = race_pace(&p, m);
            [(mid - width).round() as u32, (mid + width).round() as u32]
        });
    }
    if feel.is_some() {
        work.pace_s_per_km = None;
        work.rpe = feel;
    }
    let (work_pace, work_rpe) = (work.pace_s_per_km, work.rpe);
    let main = if w.reps <= 1 {
        vec![work]
    } else {
        let jog = Step {
            kind: StepKind::Recovery,
            times: None,
            distance_m: Some(metres(
                f64::from(w.recovery_s) / t.seconds(SessionKind::Recovery, 1.0),
            )),
            duration_s: Some(w.recovery_s),
            pace_s_per_km: None,
            rpe: Some([2, 3]),
            steps: Vec::new(),
        };
        vec![repeat(w.reps, vec![work, jog])]
    };
    let what = match (kind, w.flavour) {
        (_, Flavour::Hills) => " uphill".to_owned(),
        (_, Flavour::Fartlek) => format!(" on, {} off", short_time(w.recovery_s)),
        (SessionKind::Tempo, Flavour::Plain) => " at threshold".to_owned(),
        _ => String::new(),
    };
    // Hill pieces in seconds ("60–90 s"), others in minutes.
    let time = match (w.work_s, w.work_min) {
        (Some(secs), _) => Some(format!("{secs} s")),
        (None, Some(min)) => Some(format!("{min} min")),
        _ => None,
    };
    let title = match (w.reps, w.work_m, time) {
        (1, None, Some(time)) => format!("{} {time}{what}", w.name),
        (n, None, Some(time)) => format!("{} {n} × {time}{what}", w.name),
        (1, _, _) => format!("{} {}{what}", w.name, t.dist(piece)),
        (n, Some(m), _) if m < 2000 => format!("{} {n} × {m} m{what}", w.name),
        (n, _, _) => format!("{} {n} × {}{what}", w.name, t.dist(piece)),
    };
    let mut s = structured(kind, main, title, week_km, t);
    if race_m.is_some() || feel.is_some() {
        s.pace_s_per_km = work_pace;
        s.rpe = work_rpe;
    }
    s
}

/// A long run of `long_km` with marathon-pace segments from the library:
/// easy running first, the segments with easy running between, and an easy
/// finish. `None` when the long run is too short to hold them with at least
/// 3 km before and 2 km after.
pub fn long_with_mp(w: &super::library::Workout, long_km: f64, t: &Targets) -> Option<Session> {
    const BEFORE_MIN: f64 = 3.0;
    const AFTER: f64 = 2.0;
    let piece = w.piece_km(t.seconds(SessionKind::MarathonPace, 1.0));
    let easy_s = t.seconds(SessionKind::Long, 1.0);
    let between = (f64::from(w.recovery_s) / easy_s * 10.0).round() / 10.0;
    let reps = f64::from(w.reps);
    let before = long_km - reps * (piece + between) - AFTER;
    if before < BEFORE_MIN - 1e-9 {
        return None;
    }
    let steps = vec![
        t.step(StepKind::Warmup, SessionKind::Long, before),
        repeat(
            w.reps,
            vec![
                t.step(StepKind::Work, SessionKind::MarathonPace, piece),
                t.step(StepKind::Recovery, SessionKind::Long, between),
            ],
        ),
        t.step(StepKind::Cooldown, SessionKind::Long, AFTER),
    ];
    let (m, secs) = totals(&steps);
    let mut s = t.steady(SessionKind::Long, long_km);
    s.title = format!(
        "Long {} with {} × {} at marathon pace",
        t.dist(long_km),
        w.reps,
        t.dist(piece)
    );
    s.distance_m = Some(m);
    s.duration_s = Some(secs);
    s.steps = steps;
    Some(s)
}

/// Strides after an easy run: six 20-second pieces, quick and relaxed,
/// with a walk or jog back. Leg speed and form without fatigue; the run's
/// distance stays the same (the strides are its last 1.2 km).
pub const STRIDES: u16 = 6;
/// The shortest easy run that carries them.
pub const STRIDES_MIN_RUN_KM: f64 = 2.5;

pub fn with_strides(mut s: Session, t: &Targets) -> Session {
    let piece = 0.1;
    let easy = s.km() - f64::from(STRIDES) * 2.0 * piece;
    if easy < 1.0 {
        return s;
    }
    let mut stride = t.step(StepKind::Work, SessionKind::Repetition, piece);
    stride.duration_s = Some(20);
    let steps = vec![
        t.step(StepKind::Warmup, s.kind, easy),
        repeat(
            STRIDES,
            vec![
                stride,
                t.step(StepKind::Recovery, SessionKind::Recovery, piece),
            ],
        ),
    ];
    let (m, _) = totals(&steps);
    // The time stays the easy run's: the walks back take what the quick
    // pieces save.
    s.title = format!("{} + {STRIDES} strides", s.title);
    s.distance_m = Some(m);
    s.steps = steps;
    s
}

/// The shortest session worth the trip out, with a little room.
const MIN_SESSION_S: f64 = 20.5 * 60.0;

fn round_half(km: f64) -> f64 {
    (km * 2.0).round() / 2.0
}

/// A structured quality session sized to the week's volume.
pub fn quality(
    kind: SessionKind,
    week_km: f64,
    cat: &RaceCategory,
    level: Level,
    phase: Phase,
    t: &Targets,
    alt: bool,
) -> Session {
    let first_timer = level == Level::FirstTimer;
    let taper = if matches!(phase, Phase::Taper | Phase::Race) {
        0.7
    } else {
        1.0
    };
    let (main, title): (Vec<Step>, String) = match kind {
        SessionKind::Tempo => {
            let work = round_half((0.10 * week_km * taper).clamp(2.0, 10.0));
            // `alt`: the same work split in two, so a small week's session
            // changes from one week to the next.
            if alt && work <= 5.0 {
                let half = work / 2.0;
                let recovery = Step {
                    kind: StepKind::Recovery,
                    times: None,
                    distance_m: None,
                    duration_s: Some(60),
                    pace_s_per_km: None,
                    rpe: Some([2, 3]),
                    steps: Vec::new(),
                };
                (
                    vec![repeat(
                        2,
                        vec![t.step(StepKind::Work, kind, half), recovery],
                    )],
                    format!("Cruise intervals 2 × {} at threshold", t.dist(half)),
                )
            } else if work <= 5.0 {
                (
                    vec![t.step(StepKind::Work, kind, work)],
                    format!("Tempo {} at threshold", t.dist(work)),
                )
            } else {
                let reps = (work / 2.0).round().max(2.0) as u16;
                let recovery = Step {
                    kind: StepKind::Recovery,
                    times: None,
                    distance_m: None,
                    duration_s: Some(60),
                    pace_s_per_km: None,
                    rpe: Some([2, 3]),
                    steps: Vec::new(),
                };
                (
                    vec![repeat(
                        reps,
                        vec![t.step(StepKind::Work, kind, 2.0), recovery],
                    )],
                    format!("Cruise intervals {reps} × {} at threshold", t.dist(2.0)),
                )
            }
        }
        SessionKind::Intervals => {
            let rep_m: u32 = match (cat.long_cap_km <= 16.0, first_timer) {
                (true, true) => 800,
                (true, false) | (false, true) => 1000,
                (false, false) => 1200,
            };
            let rep_m = match (alt, rep_m) {
                (false, m) => m,
                (true, 800) => 1000,
                (true, _) => 800,
            };
            let work = (0.08 * week_km * taper).clamp(2.4, 10.0);
            let reps = ((work * 1000.0 / f64::from(rep_m)).round() as u16).clamp(3, 8);
            let rep_km = f64::from(rep_m) / 1000.0;
            let jog_s = (t.seconds(kind, rep_km) * 0.8 / 15.0).round() * 15.0;
            let jog = Step {
                kind: StepKind::Recovery,
                times: None,
                distance_m: Some(metres(jog_s / t.seconds(SessionKind::Recovery, 1.0))),
                duration_s: Some(jog_s as u32),
                pace_s_per_km: None,
                rpe: Some([2, 3]),
                steps: Vec::new(),
            };
            (
                vec![repeat(
                    reps,
                    vec![t.step(StepKind::Work, kind, rep_km), jog],
                )],
                format!("Intervals {reps} × {rep_m} m"),
            )
        }
        SessionKind::Repetition => {
            let rep_m: u32 = if first_timer != alt { 200 } else { 400 };
            let work = (0.05 * week_km * taper).clamp(2.0, 5.0);
            let reps = ((work * 1000.0 / f64::from(rep_m)).round() as u16).clamp(4, 12);
            let rep_km = f64::from(rep_m) / 1000.0;
            (
                vec![repeat(
                    reps,
                    vec![
                        t.step(StepKind::Work, kind, rep_km),
                        t.step(StepKind::Recovery, SessionKind::Recovery, rep_km),
                    ],
                )],
                format!("Repetitions {reps} × {rep_m} m"),
            )
        }
        SessionKind::MarathonPace => {
            let cap = if first_timer { 12.0 } else { 16.0 };
            let work = round_half((0.20 * week_km * taper).clamp(4.0, cap));
            let work = if alt { (work - 1.0).max(3.0) } else { work };
            (
                vec![t.step(StepKind::Work, kind, work)],
                format!("Marathon pace {}", t.dist(work)),
            )
        }
        other => unreachable!("{other:?} is not a quality session"),
    };
    structured(kind, main, title, week_km, t)
}

/// A quality session from its main set: warm-up and cool-down around it.
fn structured(
    kind: SessionKind,
    main: Vec<Step>,
    title: String,
    week_km: f64,
    t: &Targets,
) -> Session {
    let warm = if week_km < 25.0 { 1.5 } else { 2.0 };
    let cool = if week_km < 25.0 { 1.0 } else { 1.5 };
    let easy = SessionKind::Easy;
    // A session under 20 minutes is not worth the trip out: a fast runner's
    // short session gets a longer warm-up and cool-down.
    let (_, main_s) = totals(&main);
    let easy_s = t.seconds(easy, 1.0);
    let short_by = (MIN_SESSION_S - f64::from(main_s) - (warm + cool) * easy_s).max(0.0);
    let extra = (short_by / easy_s * 2.0).ceil() / 4.0;
    let mut steps = vec![t.step(StepKind::Warmup, easy, warm + extra)];
    steps.extend(main);
    steps.push(t.step(StepKind::Cooldown, easy, cool + extra));
    let (m, s) = totals(&steps);
    Session {
        id: None,
        kind,
        title,
        distance_m: Some(m),
        duration_s: Some(s),
        minutes: None,
        pace_s_per_km: t.pace_band(kind),
        rpe: t.effort(kind),
        steps,
        exercises: Vec::new(),
        activation: Vec::new(),
        why: String::new(),
    }
}

fn repeat(times: u16, steps: Vec<Step>) -> Step {
    Step {
        kind: StepKind::Repeat,
        times: Some(times),
        distance_m: None,
        duration_s: None,
        pace_s_per_km: None,
        rpe: None,
        steps,
    }
}

/// Total metres and seconds of a list of steps, repeats expanded.
pub fn totals(steps: &[Step]) -> (u32, u32) {
    steps.iter().fold((0, 0), |(m, s), step| {
        if step.kind == StepKind::Repeat {
            let (im, is) = totals(&step.steps);
            let n = u32::from(step.times.unwrap_or(1));
            (m + n * im, s + n * is)
        } else {
            (
                m + step.distance_m.unwrap_or(0),
                s + step.duration_s.unwrap_or(0),
            )
        }
    })
}

/// Race week's one short sharpening session: a few touches of race rhythm
/// between an easy warm-up and cool-down, enough to feel sharp, too little
/// to tire.
/// `short`: fewer touches and a shorter warm-up and cool-down, for a runner
/// whose race-week runs are short.
pub fn sharpener(cat: &RaceCategory, t: &Targets, short: bool) -> Session {
    let (kind, reps, rep_m): (SessionKind, u16, u32) = match (cat.name, short) {
        ("5K" | "10K", false) => (SessionKind::Intervals, 5, 400),
        ("5K" | "10K", true) => (SessionKind::Intervals, 4, 200),
        ("marathon", false) => (SessionKind::MarathonPace, 2, 2000),
        ("marathon", true) => (SessionKind::MarathonPace, 2, 1000),
        (_, false) => (SessionKind::Tempo, 3, 1000),
        (_, true) => (SessionKind::Tempo, 3, 400),
    };
    let (warm, cool) = if short { (1.0, 1.0) } else { (2.0, 1.5) };
    let rep_km = f64::from(rep_m) / 1000.0;
    let jog = Step {
        kind: StepKind::Recovery,
        times: None,
        distance_m: Some(metres(90.0 / t.seconds(SessionKind::Recovery, 1.0))),
        duration_s: Some(90),
        pace_s_per_km: None,
        rpe: Some([2, 3]),
        steps: Vec::new(),
    };
    let easy = SessionKind::Easy;
    let steps = vec![
        t.step(StepKind::Warmup, easy, warm),
        repeat(reps, vec![t.step(StepKind::Work, kind, rep_km), jog]),
        t.step(StepKind::Cooldown, easy, cool),
    ];
    let (m, s) = totals(&steps);
    Session {
        id: None,
        kind,
        title: format!("Sharpener {reps} × {rep_m} m at race rhythm"),
        distance_m: Some(m),
        duration_s: Some(s),
        minutes: None,
        pace_s_per_km: t.pace_band(kind),
        rpe: t.effort(kind),
        steps,
        exercises: Vec::new(),
        activation: Vec::new(),
        why: String::new(),
    }
}

/// The race itself, with the predicted time when a result is known.
pub fn race(name: &str, metres_: f64, t: &Targets) -> Session {
    let marathon_like = metres_ >= 30_000.0;
    let mut s = t.steady(SessionKind::Race, metres_ / 1000.0);
    s.title = format!("Race: {name}");
    s.duration_s = t.known.map(|p| {
        let d = crate::units::Distance::from_metres(metres_).expect("race distance");
        crate::science::equivalent_time(p.vdot, &d)
            .seconds()
            .round() as u32
    });
    s.pace_s_per_km = s.duration_s.map(|secs| {
        let pace = (f64::from(secs) / metres_ * 1000.0).round() as u32;
        let spread = if marathon_like { 3 } else { 2 };
        [pace - spread, pace + spread]
    });
    // By effort: longer races start steadier (a first marathon at all-out
    // effort ends badly).
    let effort = match metres_ {
        m if m >= 30_000.0 => [6, 7],
        m if m >= 15_000.0 => [7, 8],
        _ => [8, 9],
    };
    s.rpe = t.known.is_none().then_some(effort);
    s
}
