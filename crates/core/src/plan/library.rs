//! The workout library (`data/workouts.toml`, embedded): quality sessions of
//! each kind, easiest first. A plan walks each list as the block goes on, so
//! sessions grow and change instead of repeating.

use std::sync::OnceLock;

use serde::Deserialize;

use super::model::SessionKind;

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
    pub recovery_s: u32,
}

impl Workout {
    /// One work piece in km, at `pace` (s/km) for a timed piece.
    pub fn piece_km(&self, pace: f64) -> f64 {
        match (self.work_m, self.work_min) {
            (Some(m), _) => f64::from(m) / 1000.0,
            (None, Some(min)) => f64::from(min) * 60.0 / pace,
            (None, None) => 0.0,
        }
    }

    /// All the work in km.
    pub fn work_km(&self, pace: f64) -> f64 {
        f64::from(self.reps) * self.piece_km(pace)
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

/// The sessions of `kind` for `step` that fit `max_work_km`, best first:
/// the step's own (past the top of the list the last two alternate), then
/// the smaller ones below it. The caller takes the first that is not a
/// repeat.
pub fn candidates(
    kind: SessionKind,
    step: usize,
    max_work_km: f64,
    pace: f64,
) -> Vec<&'static Workout> {
    let ladder: Vec<&Workout> = workouts().iter().filter(|w| w.kind == kind).collect();
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
    let ladder: Vec<&Workout> = workouts().iter().filter(|w| w.kind == kind).collect();
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
            let ladder: Vec<&Workout> = workouts().iter().filter(|w| w.kind == kind).collect();
            assert!(ladder.len() >= 4, "{kind:?}");
            let first = ladder[0].work_km(300.0);
            let last = ladder[ladder.len() - 1].work_km(300.0);
            assert!(last > first, "{kind:?} grows");
        }
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
