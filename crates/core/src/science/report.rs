//! The pace and prediction reports the CLI prints and the API serves.

use serde::Serialize;

use crate::science::paces::{PaceRange, TrainingPaces};
use crate::science::predict::{Model, predict};
use crate::science::race_result::RaceResult;
use crate::science::vdot::equivalent_time;
use crate::units::{Distance, Pace, RaceTime, STANDARD_DISTANCES, Units};

/// A distance and a time, as JSON shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedDistance {
    pub name: String,
    #[serde(serialize_with = "crate::units::serialize_number")]
    pub distance_m: f64,
    #[serde(serialize_with = "crate::units::serialize_number")]
    pub time_s: f64,
}

impl TimedDistance {
    fn new(distance: &Distance, time: RaceTime) -> Self {
        Self {
            name: distance.name().to_owned(),
            distance_m: round_to(distance.metres(), 1000.0),
            time_s: round_to(time.seconds(), 10.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EasyJson {
    pub fast_s_per_km: i64,
    pub slow_s_per_km: i64,
    pub fast_s_per_mi: i64,
    pub slow_s_per_mi: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaceJson {
    pub s_per_km: i64,
    pub s_per_mi: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PacesJson {
    pub easy: EasyJson,
    pub marathon: PaceJson,
    pub threshold: PaceJson,
    pub interval: PaceJson,
    pub repetition: PaceJson,
}

fn whole(p: Pace, units: Units) -> i64 {
    p.seconds_per(units).round() as i64
}

impl From<Pace> for PaceJson {
    fn from(p: Pace) -> Self {
        Self {
            s_per_km: whole(p, Units::Km),
            s_per_mi: whole(p, Units::Mi),
        }
    }
}

impl From<PaceRange> for EasyJson {
    fn from(r: PaceRange) -> Self {
        Self {
            fast_s_per_km: whole(r.fast, Units::Km),
            slow_s_per_km: whole(r.slow, Units::Km),
            fast_s_per_mi: whole(r.fast, Units::Mi),
            slow_s_per_mi: whole(r.slow, Units::Mi),
        }
    }
}

/// Everything one race result says: VDOT, equivalents, training paces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaceReport {
    pub vdot: f64,
    pub race: TimedDistance,
    pub equivalents: Vec<TimedDistance>,
    pub paces: PacesJson,
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub training: TrainingPaces,
}

impl PaceReport {
    pub fn new(result: &RaceResult) -> Self {
        let vdot = result.vdot();
        let training = TrainingPaces::from_vdot(vdot);
        let equivalents = STANDARD_DISTANCES
            .iter()
            .map(|(name, _)| {
                let d = Distance::standard(name).expect("standard distance");
                TimedDistance::new(&d, equivalent_time(vdot, &d))
            })
            .collect();
        Self {
            vdot: round_to(vdot.value(), 10.0),
            race: TimedDistance::new(result.distance(), result.time()),
            equivalents,
            paces: PacesJson {
                easy: training.easy.into(),
                marathon: training.marathon.into(),
                threshold: training.threshold.into(),
                interval: training.interval.into(),
                repetition: training.repetition.into(),
            },
            warnings: vdot.warning().map(|w| w.to_string()).into_iter().collect(),
            training,
        }
    }
}

/// One model's prediction for a target distance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub model: Model,
    pub from: TimedDistance,
    pub target: TimedDistance,
    pub warnings: Vec<String>,
}

impl Prediction {
    pub fn new(model: Model, result: &RaceResult, target: &Distance) -> Self {
        let time = predict(model, result.distance(), result.time(), target)
            .expect("a RaceResult always has a VDOT");
        Self {
            model,
            from: TimedDistance::new(result.distance(), result.time()),
            target: TimedDistance::new(target, time),
            warnings: result
                .vdot()
                .warning()
                .map(|w| w.to_string())
                .into_iter()
                .collect(),
        }
    }
}

fn round_to(x: f64, per_unit: f64) -> f64 {
    (x * per_unit).round() / per_unit
}
