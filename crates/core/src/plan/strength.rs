//! Stage 3: hip and core strength and mobility inside the running week
//! (training-rules.md §3, the business's weekly pattern).
//!
//! Placement is a search over the weekdays: never the long-run day, never a
//! quality day when another day will do, at least a day apart, heavier
//! single-leg work on the lightest running day. Each session draws 5–6
//! movements: its focus family twice, then the families the week still
//! lacks, rotating to the movements used least so far. Runners new to
//! strength start with one set and reach full sets by week 3; taper weeks
//! drop to the low end of each dose and race week keeps one short
//! activation session.

use std::collections::HashMap;

use super::model::{Dose, Niggle, Session, SessionKind};
use super::placement::{Layout, Slot};
use crate::exercises::{Equipment, Exercise, Family, Load, library, with_equipment};

/// What a strength session is mainly for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Abductors,
    Extensors,
    SingleLeg,
}

impl Focus {
    pub fn family(self) -> Family {
        match self {
            Focus::Abductors => Family::Abductors,
            Focus::Extensors => Family::Extensors,
            Focus::SingleLeg => Family::SingleLeg,
        }
    }
}

/// How much of each dose a week gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volume {
    /// First week of a runner new to strength: one set each.
    Intro,
    /// Second week: the low end of each dose.
    Ramp,
    Full,
    /// Taper: the low end of each dose.
    Taper,
    /// Race week: one short activation session.
    RaceWeek,
}

fn bits(mask: u8) -> impl Iterator<Item = usize> {
    (0..7).filter(move |d| mask & (1 << d) != 0)
}

fn adjacent(a: usize, b: usize) -> bool {
    let d = a.abs_diff(b);
    d == 1 || d == 6
}

/// Whether heavy single-leg work fits on day `d`: the next day (the week
/// repeats) holds no quality session and no long run, so the legs have about
/// 48 hours before the next hard running.
pub fn heavy_fits(layout: &Layout, d: usize) -> bool {
    let next = layout[(d + 1) % 7];
    layout[d] != Slot::Long && !matches!(next, Slot::Quality(_) | Slot::Long)
}

/// Days (0 = Monday) for `count` strength sessions, and the index among
/// them of the heavy single-leg session: the lightest running day that sits
/// two days clear of the next hard session (none: every session is light).
/// `last` is the week's last day: what follows it is next week's to decide,
/// so it never takes the heavy session.
pub fn strength_days(
    layout: &Layout,
    count: usize,
    km_by_day: &[f64; 7],
    last: usize,
) -> (Vec<usize>, Option<usize>) {
    let heavy_fits = |l: &Layout, d: usize| d != last && heavy_fits(l, d);
    let long = layout.iter().position(|s| *s == Slot::Long);
    let mut best: Option<(i32, u8)> = None;
    for mask in 0..=0x7fu8 {
        if mask.count_ones() as usize != count || long.is_some_and(|l| mask & (1 << l) != 0) {
            continue;
        }
        let days: Vec<usize> = bits(mask).collect();
        let mut s = 0;
        for (i, &a) in days.iter().enumerate() {
            for &b in &days[i + 1..] {
                if adjacent(a, b) {
                    s -= 10;
                }
            }
            s += match layout[a] {
                Slot::Off => 2,
                Slot::Easy => 2,
                Slot::Quality(_) => -6,
                Slot::Long => -100,
            };
            if long.is_some_and(|l| (a + 1) % 7 == l) {
                s -= 1;
            }
        }
        // A week with room for the heavy session uses it.
        if days.iter().any(|&d| heavy_fits(layout, d)) {
            s += 3;
        }
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, mask));
        }
    }
    let days: Vec<usize> = bits(best.expect("some mask fits").1).collect();
    let heavy = (0..days.len())
        .filter(|&i| heavy_fits(layout, days[i]))
        .min_by(|&a, &b| km_by_day[days[a]].total_cmp(&km_by_day[days[b]]));
    (days, heavy)
}

/// Focus of each session: the heavy one single-leg, the others abductors
/// then extensors (knee or IT-band niggles, or a self-check that showed a
/// wobble or knee drift: abductors for both).
pub fn focuses(count: usize, heavy_at: Option<usize>, abductor_bias: bool) -> Vec<Focus> {
    let mut light = [Focus::Abductors, Focus::Extensors].into_iter().cycle();
    (0..count)
        .map(|i| {
            if Some(i) == heavy_at {
                Focus::SingleLeg
            } else if abductor_bias {
                Focus::Abductors
            } else {
                light.next().expect("cycle")
            }
        })
        .collect()
}

/// Tracks how often each movement has been prescribed, so sessions rotate.
#[derive(Debug, Default)]
pub struct Rotation {
    used: HashMap<&'static str, u32>,
    /// Movements the runner's niggles leave out.
    banned: Vec<&'static str>,
}

impl Rotation {
    pub fn new(niggles: &[Niggle]) -> Self {
        Self {
            used: HashMap::new(),
            banned: super::niggles::banned_movements(niggles),
        }
    }
}

/// What a session is built from, as families in order: 5 movements (6 for
/// experienced runners), niggles and the self-check swapping in what they
/// need rather than adding, so a session never passes 6.
fn recipe(focus: Focus, niggles: &[Niggle], six: bool, stability: bool) -> Vec<Family> {
    use Family::*;
    let mut r = match focus {
        Focus::Abductors => vec![Abductors, Abductors, Extensors, Core, Adductors],
        Focus::Extensors => vec![Extensors, Extensors, Abductors, SingleLeg, Core],
        Focus::SingleLeg => vec![SingleLeg, SingleLeg, Extensors, Abductors, Adductors],
    };
    if six {
        r.push(Abductors);
    }
    // Replaces the last slot that is neither the focus nor already `want`.
    let swap_in = |r: &mut Vec<Family>, want: Family| {
        if let Some(i) = r
            .iter()
            .rposition(|f| *f != want && *f != focus.family() && *f != Abductors)
            .or_else(|| r.iter().rposition(|f| *f != want && *f != focus.family()))
        {
            r[i] = want;
        }
    };
    if niggles
        .iter()
        .any(|n| matches!(n, Niggle::Knee | Niggle::Itb))
    {
        // Raise the abductor share: weak abductors let the knee drift in.
        if let Some(i) = r
            .iter()
            .rposition(|f| *f != Abductors && *f != focus.family())
        {
            r[i] = Abductors;
        }
    }
    if stability && focus != Focus::SingleLeg && !r.contains(&SingleLeg) {
        swap_in(&mut r, SingleLeg);
    }
    if niggles.contains(&Niggle::HipFlexor) {
        swap_in(&mut r, HipFlexors);
    }
    if niggles.contains(&Niggle::LowBack) && !r.contains(&Core) {
        swap_in(&mut r, Core);
    }
    r
}

fn dose(e: &Exercise, volume: Volume) -> Dose {
    let (sets, pick_high) = match volume {
        Volume::Intro | Volume::RaceWeek => (1, false),
        Volume::Ramp | Volume::Taper => (e.sets[0], false),
        Volume::Full => (e.sets[1], true),
    };
    let pick = |r: [u16; 2]| if pick_high { r[1] } else { r[0] };
    Dose {
        id: e.id.clone(),
        name: Some(e.name.clone()),
        family: Some(e.family),
        sets,
        reps: e.reps.map(pick),
        hold_s: e.hold_s.map(pick),
        per_side: e.per_side,
    }
}

/// Seconds a dose takes: 2 s a rep (controlled, both ways), 10 s to switch
/// sides, 20 s rest after each set, 20 s to set up the movement.
pub fn dose_seconds(d: &Dose) -> u32 {
    let sides = if d.per_side { 2 } else { 1 };
    let work = d.reps.map_or(0, |r| u32::from(r) * 2) + u32::from(d.hold_s.unwrap_or(0));
    let switch = if d.per_side { 10 } else { 0 };
    u32::from(d.sets) * (sides * work + switch + 20) + 20
}

/// Minutes a session of these doses takes, rounded up.
pub fn minutes(doses: &[Dose]) -> u32 {
    doses.iter().map(dose_seconds).sum::<u32>().div_ceil(60)
}

/// Movements a strength session holds (the business's five or six).
pub const MOVEMENTS: std::ops::RangeInclusive<usize> = 5..=6;

impl Rotation {
    fn pick(
        &mut self,
        family: Family,
        allow_heavy: bool,
        have: &[Equipment],
        taken: &[Dose],
    ) -> Option<&'static Exercise> {
        let choice = library()
            .iter()
            .filter(|e| e.family == family || (e.also.contains(&family) && family != Family::Core))
            .filter_map(|e| with_equipment(e, have))
            .filter(|e| !self.banned.contains(&e.id.as_str()))
            .filter(|e| allow_heavy || e.load != Load::Heavy)
            .filter(|e| e.family != Family::Mobility)
            .filter(|e| !taken.iter().any(|d| d.id == e.id))
            .min_by_key(|e| self.used.get(e.id.as_str()).copied().unwrap_or(0))?;
        *self.used.entry(choice.id.as_str()).or_default() += 1;
        Some(choice)
    }

    /// One strength session's movements at the week's volume: 5–6 of
    /// them, trimmed to about 20 minutes by dropping sets (never below a
    /// dose's minimum), then the sixth movement.
    pub fn session(
        &mut self,
        focus: Focus,
        volume: Volume,
        niggles: &[Niggle],
        have: &[Equipment],
        (six, stability): (bool, bool),
    ) -> Vec<Dose> {
        let allow_heavy = focus == Focus::SingleLeg && volume != Volume::RaceWeek;
        let families = if volume == Volume::RaceWeek {
            use Family::*;
            vec![Abductors, Extensors, Abductors, Core, Adductors]
        } else {
            recipe(focus, niggles, six, stability)
        };
        let mut doses: Vec<Dose> = Vec::new();
        for f in &families {
            if let Some(e) = self.pick(*f, allow_heavy, have, &doses) {
                doses.push(dose(e, volume));
            }
        }
        // A family with nothing left to offer: fill from the hip families.
        for f in [
            Family::Abductors,
            Family::Extensors,
            Family::Core,
            Family::Adductors,
        ] {
            while doses.len() < families.len().min(*MOVEMENTS.end()) {
                match self.pick(f, allow_heavy, have, &doses) {
                    Some(e) => doses.push(dose(e, volume)),
                    None => break,
                }
            }
        }
        while minutes(&doses) > 20 {
            let Some(d) = doses
                .iter_mut()
                .filter(|d| crate::exercises::find(&d.id).is_some_and(|e| d.sets > e.sets[0]))
                .max_by_key(|d| d.sets)
            else {
                break;
            };
            d.sets -= 1;
        }
        if minutes(&doses) > 20 && doses.len() > *MOVEMENTS.start() {
            doses.pop();
        }
        doses
    }
}

/// The light drills offered as the warm-up before a hard session.
pub fn activation(have: &[Equipment]) -> Vec<Dose> {
    let ids: &[&str] = if have.contains(&Equipment::Band) {
        &[
            "monster_walk",
            "fire_hydrant",
            "clamshell",
            "marching_bridge",
        ]
    } else {
        &["clamshell", "fire_hydrant", "marching_bridge", "leg_swing"]
    };
    ids.iter()
        .filter_map(|id| crate::exercises::find(id))
        .map(|e| Dose {
            sets: 1,
            ..dose(e, Volume::Ramp)
        })
        .collect()
}

/// A mobility block: 10 minutes on a rest day, 5 before a long run.
pub fn mobility(minutes_: u32, niggles: &[Niggle]) -> Session {
    let mut ids = if minutes_ >= 10 {
        vec![
            "leg_swing",
            "hip_90_90",
            "half_kneeling_hip_flexor_stretch",
            "runners_lunge",
            "standing_march",
        ]
    } else {
        vec!["leg_swing", "standing_march", "hip_90_90"]
    };
    if niggles.contains(&Niggle::HipFlexor) && !ids.contains(&"half_kneeling_hip_flexor_stretch") {
        ids.push("half_kneeling_hip_flexor_stretch");
    }
    let exercises = ids
        .iter()
        .filter_map(|id| crate::exercises::find(id))
        .map(|e| Dose {
            sets: 1,
            ..dose(e, Volume::Ramp)
        })
        .collect();
    Session {
        id: None,
        kind: SessionKind::Mobility,
        title: format!("Hip mobility {minutes_} min"),
        distance_m: None,
        duration_s: None,
        minutes: Some(minutes_),
        pace_s_per_km: None,
        rpe: None,
        steps: Vec::new(),
        exercises,
        activation: Vec::new(),
        why: String::new(),
    }
}
