//! The workout library (`data/workouts.toml`, embedded): quality sessions of
//! each kind, easiest first. A plan walks each list as the block goes on, so
//! sessions grow and change instead of repeating.

use std::sync::OnceLock;

use serde::Deserialize;

use super::model::SessionKind;

/// Which ladder of its kind a session climbs: the plain one, or one of the
/// sessions run by feel in the base (hills, fartlek), or race-pace work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    #[default]
    Plain,
    Hills,
    Fartlek,
    RacePace,
}

/// What a quality slot asks for: a kind of effort and the ladder to climb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pick {
    pub kind: SessionKind,
    pub flavour: Flavour,
}

impl Pick {
    pub fn plain(kind: SessionKind) -> Self {
        Self {
            kind,
            flavour: Flavour::Plain,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workout {
    pub kind: SessionKind,
    pub name: String,
    pub reps: u16,
    #[serde(default)]
    pub work_m: Option<u32>,
    #[serde(default)]
    pub work_min: Option<u32>,
    #[serde(default)]
    pub work_s: Option<u32>,
    pub recovery_s: u32,
    #[serde(default)]
    pub flavour: Flavour,
    /// Race-pace work: the race distance (metres) whose pace it is run at.
    #[serde(default)]
    pub race_m: Option<u32>,
}

impl Workout {
    /// One work piece in km, at `pace` (s/km) for a timed piece.
    pub fn piece_km(&self, pace: f64) -> f64 {
        match (self.work_m, self.work_min, self.work_s) {
            (Some(m), ..) => f64::from(m) / 1000.0,
            (None, Some(min), _) => f64::from(min) * 60.0 / pace,
            (None, None, Some(s)) => f64::from(s) / pace,
            (None, None, None) => 0.0,
        }
    }

    /// All the work in km.
    pub fn work_km(&self, pace: f64) -> f64 {
        f64::from(self.reps) * self.piece_km(pace)
    }

    /// This session cut to at most `most_km` of work (a recovery week's):
    /// fewer reps while two or more remain, else shorter pieces (a
    /// continuous run in half kilometres or whole minutes). `None` when
    /// what is left is too little to be a session.
    pub fn cut_to(&self, most_km: f64, pace: f64) -> Option<Workout> {
        let piece = self.piece_km(pace);
        if piece <= 0.0 || most_km <= 0.0 {
            return None;
        }
        if self.work_km(pace) <= most_km + 1e-9 {
            return Some(self.clone());
        }
        let fewer = (most_km / piece + 1e-9).floor() as u16;
        if self.reps > 1 && fewer >= 2 {
            return Some(Workout {
                reps: fewer,
                ..self.clone()
            });
        }
        let per = most_km / f64::from(self.reps.max(1));
        let continuous = self.reps <= 1;
        let mut w = self.clone();
        match (self.work_m, self.work_min, self.work_s) {
            (Some(_), ..) => {
                let step = if continuous { 500.0 } else { 100.0 };
                let m = ((per * 1000.0 / step + 1e-9).floor() * step) as u32;
                let least = if continuous { 2_000 } else { 200 };
                w.work_m = (m >= least).then_some(m);
            }
            (None, Some(_), _) => {
                let min = (per * pace / 60.0 + 1e-9).floor() as u32;
                w.work_min = (min >= if continuous { 10 } else { 1 }).then_some(min);
            }
            (None, None, Some(_)) => {
                let s = ((per * pace / 10.0 + 1e-9).floor() * 10.0) as u32;
                w.work_s = (s >= 20).then_some(s);
            }
            (None, None, None) => return None,
        }
        (w.work_m.or(w.work_min).or(w.work_s).is_some()).then_some(w)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryFile {
    workout: Vec<Workout>,
}

/// The whole library, parsed once.
pub fn workouts() -> &'static [Workout] {
    static LIBRARY: OnceLock<Vec<Workout>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let file: LibraryFile = toml::from_str(include_str!("../../../../data/workouts.toml"))
            .expect("data/workouts.toml is checked by the library tests");
        file.workout
    })
}

/// The library's ladder for `pick` (race-pace work: the one for a race of
/// `race_m` metres), easiest first.
pub fn ladder(pick: Pick, race_m: f64) -> Vec<&'static Workout> {
    workouts()
        .iter()
        .filter(|w| w.kind == pick.kind && w.flavour == pick.flavour)
        .filter(|w| {
            w.race_m
                .is_none_or(|m| (f64::from(m) - race_m).abs() <= 0.01 * race_m)
        })
        .collect()
}

/// The ladder a session (by its title) climbs: the flavour of the library
/// session whose name starts it, plain otherwise.
pub fn flavour_of(title: &str) -> Flavour {
    workouts()
        .iter()
        .find(|w| w.flavour != Flavour::Plain && title.starts_with(&w.name))
        .map_or(Flavour::Plain, |w| w.flavour)
}

/// The kind of the race-pace work the library holds for a race of
/// `race_m` metres, if any.
pub fn race_pace_kind(race_m: f64) -> Option<SessionKind> {
    workouts()
        .iter()
        .filter(|w| w.flavour == Flavour::RacePace)
        .find(|w| {
            w.race_m
                .is_some_and(|m| (f64::from(m) - race_m).abs() <= 0.01 * race_m)
        })
        .map(|w| w.kind)
}

/// The sessions of `pick` for `step` that fit `max_work_km`, best first:
/// the step's own (past the top of the list the last two alternate), then
/// the smaller ones below it. The caller takes the first that is not a
/// repeat.
pub fn candidates(
    pick: Pick,
    race_m: f64,
    step: usize,
    max_work_km: f64,
    pace: f64,
) -> Vec<&'static Workout> {
    let ladder = ladder(pick, race_m);
    let n = ladder.len();
    if n == 0 {
        return Vec::new();
    }
    let want = if step < n {
        step
    } else {
        n - 1 - ((step - n) % 2).min(n - 1)
    };
    (0..=want)
        .rev()
        .map(|i| ladder[i])
        .filter(|w| w.work_km(pace) <= max_work_km + 1e-9)
        .collect()
}

/// The `step`-th session of `kind` whose work fits `max_work_km`: past the
/// top of the list the last two alternate, and when the week is too small
/// for the step, the biggest that fits alternates with the one below it.
pub fn pick(
    kind: SessionKind,
    step: usize,
    max_work_km: f64,
    pace: f64,
) -> Option<&'static Workout> {
    let ladder = ladder(Pick::plain(kind), 0.0);
    let n = ladder.len();
    if n == 0 {
        return None;
    }
    let want = if step < n {
        step
    } else {
        n - 1 - ((step - n) % 2).min(n - 1)
    };
    let fits = (0..=want)
        .rev()
        .find(|&i| ladder[i].work_km(pace) <= max_work_km + 1e-9)?;
    // Held back by the week's volume: alternate with the step below (none
    // below: the caller's smallest session).
    if fits < want && step % 2 == 1 {
        return fits.checked_sub(1).map(|i| ladder[i]);
    }
    Some(ladder[fits])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_parses_and_every_kind_grows() {
        for kind in [
            SessionKind::Tempo,
            SessionKind::Intervals,
            SessionKind::Repetition,
            SessionKind::MarathonPace,
        ] {
            let ladder = ladder(Pick::plain(kind), 0.0);
            assert!(ladder.len() >= 4, "{kind:?}");
            let first = ladder[0].work_km(300.0);
            let last = ladder[ladder.len() - 1].work_km(300.0);
            assert!(last > first, "{kind:?} grows");
        }
    }

    #[test]
    fn hills_fartlek_and_race_pace_ladders_grow() {
        let hills = Pick {
            kind: SessionKind::Repetition,
            flavour: Flavour::Hills,
        };
        let fartlek = Pick {
            kind: SessionKind::Intervals,
            flavour: Flavour::Fartlek,
        };
        for (pick, race_m) in [(hills, 0.0), (fartlek, 0.0)] {
            let ladder = ladder(pick, race_m);
            assert_eq!(ladder.len(), 6, "{pick:?}");
            assert!(ladder[5].work_km(300.0) > ladder[0].work_km(300.0));
        }
        for (race_m, kind, first, last) in [
            (5_000.0, SessionKind::Intervals, 3.2, 4.8),
            (10_000.0, SessionKind::Intervals, 4.0, 9.0),
            (21_097.5, SessionKind::Tempo, 6.0, 12.0),
        ] {
            assert_eq!(race_pace_kind(race_m), Some(kind));
            let ladder = ladder(
                Pick {
                    kind,
                    flavour: Flavour::RacePace,
                },
                race_m,
            );
            let km = |w: &Workout| (w.work_km(300.0) * 10.0).round() / 10.0;
            assert_eq!((km(ladder[0]), km(ladder[5])), (first, last), "{race_m}");
        }
        // No race-pace work for a 15K or an ultra: they keep their sessions.
        assert_eq!(race_pace_kind(15_000.0), None);
        assert_eq!(race_pace_kind(50_000.0), None);
        assert_eq!(flavour_of("Hill repeats 6 × 60 s uphill"), Flavour::Hills);
        assert_eq!(flavour_of("Tempo 20 min at threshold"), Flavour::Plain);
    }

    #[test]
    fn no_session_three_times_running() {
        for cap in [4.5, 8.0, 100.0] {
            let picks: Vec<String> = (0..20)
                .map(|s| match pick(SessionKind::Tempo, s, cap, 300.0) {
                    Some(w) => format!("{} {} {:?} {:?}", w.name, w.reps, w.work_m, w.work_min),
                    None => "the smallest session".to_owned(),
                })
                .collect();
            for three in picks.windows(3) {
                assert!(
                    !(three[0] == three[1] && three[1] == three[2]),
                    "{cap}: {picks:?}"
                );
            }
        }
    }
}
