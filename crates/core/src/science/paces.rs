//! Daniels' five training intensities from a VDOT.
//!
//! Each pace is the velocity whose oxygen cost equals a fraction of VDOT
//! (Daniels' Running Formula gives the intensity bands: easy ≈ 59–74 %
//! VO2max, threshold ≈ 88 %, interval ≈ 95–100 %, repetition faster than
//! VO2max). Marathon pace is the marathon race equivalent, except that
//! below about VDOT 42 Daniels' tables set it slower than the equivalent
//! (up to 12 s/km at VDOT 30); the floor `0.7 + 0.0026·VDOT` of VO2max
//! reproduces that. The exact
//! fractions below were fitted so the results match Daniels' published
//! pace tables (see `tests/daniels_tables.rs`).

use crate::science::vdot::{Vdot, equivalent_time, velocity_for};
use crate::units::{Distance, Pace};

const EASY_FAST: f64 = 0.729;
const EASY_SLOW: f64 = 0.633;
const THRESHOLD: f64 = 0.88;
const INTERVAL: f64 = 0.976;
const REPETITION: f64 = 1.081;

/// A band of paces, `fast` being the quicker (fewer seconds per km).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceRange {
    pub fast: Pace,
    pub slow: Pace,
}

impl PaceRange {
    /// A band of ± `seconds` per km around `pace`, for targets on a watch.
    pub fn around(pace: Pace, seconds: f64) -> Self {
        let at = |s: f64| Pace::from_s_per_km(s).expect("positive pace");
        Self {
            fast: at((pace.s_per_km() - seconds).max(1.0)),
            slow: at(pace.s_per_km() + seconds),
        }
    }
}

/// The paces a runner at a given VDOT trains at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingPaces {
    pub vdot: Vdot,
    pub easy: PaceRange,
    pub marathon: Pace,
    pub threshold: Pace,
    pub interval: Pace,
    pub repetition: Pace,
}

fn pace_at(vdot: Vdot, fraction: f64) -> Pace {
    let metres_per_minute = velocity_for(vdot.value() * fraction);
    Pace::from_s_per_km(60_000.0 / metres_per_minute).expect("positive velocity")
}

impl TrainingPaces {
    pub fn from_vdot(vdot: Vdot) -> Self {
        let marathon = Distance::standard("marathon").expect("standard distance");
        Self {
            vdot,
            easy: PaceRange {
                fast: pace_at(vdot, EASY_FAST),
                slow: pace_at(vdot, EASY_SLOW),
            },
            marathon: {
                let equivalent = Pace::of(
                    marathon.metres(),
                    equivalent_time(vdot, &marathon).seconds(),
                )
                .expect("positive pace");
                let floor = pace_at(vdot, 0.7 + 0.0026 * vdot.value());
                if floor > equivalent {
                    floor
                } else {
                    equivalent
                }
            },
            threshold: pace_at(vdot, THRESHOLD),
            interval: pace_at(vdot, INTERVAL),
            repetition: pace_at(vdot, REPETITION),
        }
    }
}
