//! Runs sized to be worth doing: every run at least 20 minutes (a race-week
//! shakeout at least 15), and no easy run longer than three quarters of the
//! week's long run or 90 minutes. A week whose volume cannot be spread that
//! way over the run days is trimmed, and the plan says so.

use super::model::SessionKind;
use super::workouts::Targets;

pub const MIN_RUN_MIN: f64 = 20.0;
pub const MIN_SHAKEOUT_MIN: f64 = 15.0;
pub const MAX_EASY_MIN: f64 = 90.0;
/// An easy run stays within this share of the week's long run, so the long
/// run stays the week's one long effort.
pub const EASY_TO_LONG: f64 = 0.75;
/// A first-timer's quality session, warm-up and cool-down included, takes
/// at most this share of the week's running (race week's sharpener aside):
/// a low-volume week's smallest interval session would otherwise be two
/// fifths of it.
pub const FIRST_TIMER_QUALITY_SHARE: f64 = 0.30;

/// The longest first-timer's quality session the engine lays in a week
/// planned at `week_km`: a little under the share, so a week that ends a
/// little smaller than planned still keeps it.
pub fn first_timer_quality_km(week_km: f64) -> f64 {
    FIRST_TIMER_QUALITY_SHARE * week_km * 0.97
}
/// An ultra's back-to-back long run, the day after the long run: a second
/// long run on tired legs, about 55 % of the long run (coaches use
/// 50–60 %), so it grows with the block…
pub const BACK_TO_BACK_SHARE: f64 = 0.55;
/// …up to two and a half hours on feet.
pub const MAX_BACK_TO_BACK_MIN: f64 = 150.0;
/// The most a back-to-back long run may be of the long run before it (the
/// checker's bound; the engine aims at [`BACK_TO_BACK_SHARE`]).
pub const MAX_BACK_TO_BACK_SHARE: f64 = 0.60;

fn ceil_half(km: f64) -> f64 {
    (km * 2.0 - 1e-9).ceil() / 2.0
}

fn floor_half(km: f64) -> f64 {
    (km * 2.0 + 1e-9).floor() / 2.0
}

/// The shortest and longest runs for this runner, in km at their paces.
#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    pub min_km: f64,
    pub shakeout_km: f64,
    pub max_easy_km: f64,
    /// Longest back-to-back long run (an ultra's), at the slower pace.
    pub max_back_to_back_km: f64,
}

impl RunLimits {
    pub fn new(t: &Targets) -> Self {
        // Minimums at easy pace (slower runs take longer, so they pass too);
        // the maximum at the slower recovery pace, so no easy run of that
        // length goes over.
        let easy = t.seconds(SessionKind::Easy, 1.0);
        let slow = t.seconds(SessionKind::Recovery, 1.0);
        Self {
            min_km: ceil_half(MIN_RUN_MIN * 60.0 / easy),
            shakeout_km: ceil_half(MIN_SHAKEOUT_MIN * 60.0 / easy),
            max_easy_km: floor_half(MAX_EASY_MIN * 60.0 / slow),
            max_back_to_back_km: floor_half(MAX_BACK_TO_BACK_MIN * 60.0 / slow),
        }
    }

    /// Longest easy run in a week with this long run (none: 90 minutes).
    pub fn max_easy(&self, long_km: Option<f64>) -> f64 {
        long_km.map_or(self.max_easy_km, |l| {
            floor_half(l * EASY_TO_LONG).min(self.max_easy_km)
        })
    }

    /// The back-to-back long run the day after a long run of `long_km`.
    pub fn back_to_back(&self, long_km: f64) -> f64 {
        floor_half(long_km * BACK_TO_BACK_SHARE).min(self.max_back_to_back_km)
    }
}

/// The long run's cap in a layout of `easy_runs` easy runs and `quality`
/// quality sessions: in a small week of just the long run and one easy run
/// it rises to what the two runs need (see
/// [`super::shape::TWO_RUN_LONG_SHARE`]), no further, so a recovery week
/// keeps two runs instead of collapsing into one long easy run.
pub fn two_run_long_cap(cap: f64, week_km: f64, easy_runs: usize, quality: usize) -> f64 {
    let share = super::shape::long_run_share_cap_for_runs(week_km, easy_runs + quality + 1);
    if easy_runs == 1 && quality == 0 && share > super::shape::long_run_share_cap(week_km) {
        cap.max(share * week_km)
    } else {
        cap
    }
}

/// How a week's volume spreads over its runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// The long run and the total of the easy runs.
    Fits { long_km: f64, easy_km: f64 },
    /// The easy runs would be shorter than the minimum: use fewer runs.
    TooShort,
    /// More volume than the runs carry: the most they do.
    TooLong { week_km: f64 },
}

/// Spreads `week_km` over a long run of at most `long_cap` (none this week),
/// the quality sessions' `quality_km` and `easy_runs` easy runs of
/// `min`–`max` km, shortening the long run when that lets the easy runs
/// reach their minimum.
pub fn spread(
    week_km: f64,
    long_cap: Option<f64>,
    quality_km: f64,
    easy_runs: usize,
    min: f64,
    limits: &RunLimits,
) -> Spread {
    let rest = (week_km - quality_km).max(0.0);
    let n = easy_runs as f64;
    let Some(cap) = long_cap else {
        let max = limits.max_easy(None);
        return if rest < n * min - 1e-9 {
            Spread::TooShort
        } else if rest > n * max + 1e-9 {
            Spread::TooLong {
                week_km: n * max + quality_km,
            }
        } else {
            Spread::Fits {
                long_km: 0.0,
                easy_km: rest,
            }
        };
    };
    if easy_runs == 0 {
        // The long run keeps to its cap; a week too small to split is the
        // caller's last resort (one easy run).
        if rest > cap + 1e-9 {
            return Spread::TooLong {
                week_km: cap + quality_km,
            };
        }
        return Spread::Fits {
            long_km: rest,
            easy_km: 0.0,
        };
    }
    let hi = cap.min(rest - n * min);
    let lo = (rest / (1.0 + EASY_TO_LONG * n)).max(rest - n * limits.max_easy_km);
    if hi >= lo - 1e-9 && hi > 0.0 {
        let long_km = (hi * 10.0 + 1e-9).floor() / 10.0;
        let long_km = if long_km < lo { hi } else { long_km };
        return Spread::Fits {
            long_km,
            easy_km: rest - long_km,
        };
    }
    let most = cap + n * limits.max_easy(Some(cap));
    if rest > most + 1e-9 {
        Spread::TooLong {
            week_km: most + quality_km,
        }
    } else {
        Spread::TooShort
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: RunLimits = RunLimits {
        min_km: 2.5,
        shakeout_km: 2.0,
        max_easy_km: 14.0,
        max_back_to_back_km: 23.0,
    };

    #[test]
    fn ten_km_on_three_days_shortens_the_long_run_a_little() {
        let s = spread(10.0, Some(5.0), 0.0, 2, 2.6, &LIMITS);
        assert_eq!(
            s,
            Spread::Fits {
                long_km: 4.8,
                easy_km: 5.2
            }
        );
    }

    #[test]
    fn seventy_km_on_four_days_for_a_10k_is_too_much() {
        // Long run 16 km: easy runs up to 12 km, so two of them carry 24 km.
        let s = spread(70.0, Some(16.0), 10.0, 2, 2.5, &LIMITS);
        assert_eq!(s, Spread::TooLong { week_km: 50.0 });
    }

    #[test]
    fn a_small_recovery_week_keeps_a_long_and_an_easy_run() {
        // 8.5 km: a long run of half the week leaves an easy run longer than
        // three quarters of it; at 4/7 of the week both fit.
        let cap = two_run_long_cap(4.0, 8.5, 1, 0);
        assert!((cap - 8.5 * 4.0 / 7.0).abs() < 1e-9, "{cap}");
        let s = spread(8.5, Some(cap), 0.0, 1, 3.0, &LIMITS);
        let Spread::Fits { long_km, easy_km } = s else {
            panic!("{s:?}")
        };
        assert!(easy_km <= long_km * EASY_TO_LONG + 1e-9, "{s:?}");
        assert_eq!(two_run_long_cap(4.0, 8.5, 2, 0), 4.0);
    }

    #[test]
    fn too_little_for_the_runs_asks_for_fewer() {
        assert_eq!(
            spread(6.0, Some(3.0), 0.0, 2, 2.5, &LIMITS),
            Spread::TooShort
        );
    }
}
