//! Invariants of the pace science that must hold for any plausible result.

use proptest::prelude::*;
use runcoach_core::science::{Model, TrainingPaces, Vdot, equivalent_time, predict, race_vdot};
use runcoach_core::units::{Distance, RaceTime, STANDARD_DISTANCES};

fn standard() -> impl Strategy<Value = Distance> {
    (0..STANDARD_DISTANCES.len()).prop_map(|i| Distance::standard(STANDARD_DISTANCES[i].0).unwrap())
}

fn metres() -> impl Strategy<Value = Distance> {
    (1500.0..100_000.0f64).prop_map(|m| Distance::from_metres(m).unwrap())
}

proptest! {
    #[test]
    fn faster_time_never_gives_lower_vdot(d in metres(), vdot in 30.0..85.0f64, cut in 0.0..0.3f64) {
        let t = equivalent_time(Vdot::new(vdot).unwrap(), &d).seconds();
        let slow = race_vdot(&d, RaceTime::from_seconds(t).unwrap()).unwrap();
        let fast = race_vdot(&d, RaceTime::from_seconds(t * (1.0 - cut)).unwrap()).unwrap();
        prop_assert!(fast >= slow, "{fast:?} < {slow:?}");
    }

    #[test]
    fn predicting_and_feeding_back_returns_the_same_vdot(
        from in metres(), to in metres(), vdot in 30.0..85.0f64,
    ) {
        let t = equivalent_time(Vdot::new(vdot).unwrap(), &from);
        let original = race_vdot(&from, t).unwrap().value();
        let predicted = predict(Model::Daniels, &from, t, &to).unwrap();
        let back = race_vdot(&to, predicted).unwrap().value();
        prop_assert!((back - original).abs() < 1e-6, "{original} → {back}");
    }

    #[test]
    fn equivalents_increase_with_distance(vdot in 25.0..90.0f64, a in standard(), b in standard()) {
        let v = Vdot::new(vdot).unwrap();
        let (ta, tb) = (equivalent_time(v, &a), equivalent_time(v, &b));
        if a.metres() < b.metres() {
            prop_assert!(ta < tb);
            // and the pace slows too: longer races are run slower
            prop_assert!(ta.seconds() / a.metres() < tb.seconds() / b.metres());
        }
    }

    #[test]
    fn training_paces_are_ordered(vdot in 25.0..90.0f64) {
        let p = TrainingPaces::from_vdot(Vdot::new(vdot).unwrap());
        let s = |x: runcoach_core::units::Pace| x.s_per_km();
        prop_assert!(s(p.repetition) < s(p.interval));
        prop_assert!(s(p.interval) < s(p.threshold));
        prop_assert!(s(p.threshold) < s(p.marathon));
        prop_assert!(s(p.marathon) < s(p.easy.fast));
        prop_assert!(s(p.easy.fast) < s(p.easy.slow));
    }

    #[test]
    fn riegel_and_cameron_are_monotone(t in 900.0..4000.0f64, from in metres(), to in metres()) {
        let time = RaceTime::from_seconds(t).unwrap();
        for model in [Model::Riegel, Model::Cameron] {
            let p = predict(model, &from, time, &to).unwrap().seconds();
            if to.metres() > from.metres() { prop_assert!(p > t) } else { prop_assert!(p <= t + 1e-9) }
        }
    }
}
