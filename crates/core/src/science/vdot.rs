//! VDOT after Daniels J. & Gilbert J. (1979), *Oxygen Power: Performance
//! Tables for Distance Runners*, as used in Daniels' Running Formula.
//!
//! Two fitted curves: the oxygen cost of running at a velocity, and the
//! fraction of VO2max a runner can hold for a given duration. A race result
//! gives VDOT = cost / fraction; race equivalents solve the same equations
//! for the time at another distance.

use crate::units::{Distance, RaceTime};

/// Oxygen cost (ml·kg⁻¹·min⁻¹) of running at `v` metres per minute:
/// VO2 = −4.60 + 0.182258·v + 0.000104·v² (Daniels & Gilbert 1979).
pub(crate) fn oxygen_cost(v: f64) -> f64 {
    -4.60 + 0.182258 * v + 0.000104 * v * v
}

/// Inverse of [`oxygen_cost`]: the velocity (m/min) whose cost is `vo2`.
pub(crate) fn velocity_for(vo2: f64) -> f64 {
    let (a, b, c) = (0.000104, 0.182258, -4.60 - vo2);
    (-b + (b * b - 4.0 * a * c).sqrt()) / (2.0 * a)
}

/// Fraction of VO2max sustainable for `t` minutes:
/// 0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t).
fn sustainable_fraction(t: f64) -> f64 {
    0.8 + 0.189_439_3 * (-0.012_778 * t).exp() + 0.298_955_8 * (-0.193_260_5 * t).exp()
}

fn vdot_of(metres: f64, minutes: f64) -> f64 {
    oxygen_cost(metres / minutes) / sustainable_fraction(minutes)
}

/// A runner's VDOT: effective VO2max (ml·kg⁻¹·min⁻¹) implied by a race.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Vdot(f64);

/// The equations were fitted on runners between roughly VDOT 30 and 85.
const FITTED_RANGE: (f64, f64) = (30.0, 85.0);

/// A result that is still given but deserves a caveat.
#[derive(Debug, Clone, PartialEq)]
pub enum VdotWarning {
    /// VDOT outside the range the equations were fitted on.
    OutsideFittedRange(f64),
}

impl std::fmt::Display for VdotWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VdotWarning::OutsideFittedRange(v) => write!(
                f,
                "VDOT {v:.1} is outside {}–{}, the range the Daniels–Gilbert equations were fitted on; treat the numbers as rough",
                FITTED_RANGE.0, FITTED_RANGE.1
            ),
        }
    }
}

impl Vdot {
    pub fn value(self) -> f64 {
        self.0
    }

    /// `None` unless positive and finite.
    pub fn new(value: f64) -> Option<Self> {
        (value.is_finite() && value > 0.0).then_some(Self(value))
    }

    pub fn warning(self) -> Option<VdotWarning> {
        (self.0 < FITTED_RANGE.0 || self.0 > FITTED_RANGE.1)
            .then_some(VdotWarning::OutsideFittedRange(self.0))
    }
}

/// The VDOT a race result implies; `None` for results so slow that the
/// oxygen-cost curve goes non-positive (walking pace over a short distance).
pub fn race_vdot(distance: &Distance, time: RaceTime) -> Option<Vdot> {
    Vdot::new(vdot_of(distance.metres(), time.minutes()))
}

/// The time at `distance` that gives the same VDOT: solves the Daniels–Gilbert
/// equations for time by bisection (VDOT falls monotonically as time grows).
pub fn equivalent_time(vdot: Vdot, distance: &Distance) -> RaceTime {
    let d = distance.metres();
    // Between 72 km/h and 1.2 km/h; the answer always lies inside.
    let (mut lo, mut hi) = (d / 1200.0, d / 20.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if vdot_of(d, mid) > vdot.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    RaceTime::from_seconds(30.0 * (lo + hi)).expect("positive time")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Distance {
        s.parse().unwrap()
    }
    fn t(s: &str) -> RaceTime {
        s.parse().unwrap()
    }

    #[test]
    fn published_worked_example_10k_in_40_minutes() {
        // Daniels' Running Formula: a 40:00 10K is worth VDOT ≈ 51.9.
        let v = race_vdot(&d("10k"), t("40:00")).unwrap().value();
        assert!((v - 51.9).abs() < 0.05, "{v}");
    }

    #[test]
    fn vdot_50_anchor_row() {
        // Daniels' table, VDOT 50: 5K 19:57, 10K 41:21, half 1:31:35, marathon 3:10:49.
        let v = race_vdot(&d("5k"), t("19:57")).unwrap();
        assert!((v.value() - 50.0).abs() < 0.05, "{v:?}");
        let exact = Vdot::new(50.0).unwrap();
        for (dist, table) in [("10k", 2481.0), ("half", 5495.0), ("marathon", 11_449.0)] {
            let got = equivalent_time(exact, &d(dist)).seconds();
            assert!(
                (got - table).abs() / table < 0.002,
                "{dist}: {got} vs {table}"
            );
        }
    }

    #[test]
    fn velocity_inverts_cost() {
        for v in [150.0, 200.0, 268.3, 400.0] {
            assert!((velocity_for(oxygen_cost(v)) - v).abs() < 1e-9);
        }
    }

    #[test]
    fn warns_outside_fitted_range() {
        assert_eq!(Vdot::new(50.0).unwrap().warning(), None);
        assert!(Vdot::new(25.0).unwrap().warning().is_some());
        assert!(Vdot::new(90.0).unwrap().warning().is_some());
    }
}
