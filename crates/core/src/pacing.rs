//! A race's pacing plan: the goal time split per kilometre or mile, run
//! evenly or with a negative split (a little slower early, faster late).
//!
//! Times are whole seconds. Each marker's elapsed time is rounded from one
//! smooth profile, and each split is the difference of two markers, so the
//! splits always add up to the goal exactly.

use crate::units::Units;

/// How the goal time is spread over the distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// The same pace from start to finish.
    #[default]
    Even,
    /// The pace eases from `NEGATIVE_SPREAD` slower than average at the
    /// start to as much faster at the finish.
    Negative,
}

/// The first kilometre of a negative split runs 2 % slower than the
/// average pace, the last 2 % faster: about a minute between the halves of
/// a two-hour half marathon, which coaches call a sensible negative split.
pub const NEGATIVE_SPREAD: f64 = 0.02;

/// One line of the plan: the split for the stretch ending at `at_m`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// Distance of this stretch in metres (a whole unit, or what is left at
    /// the end).
    pub length_m: f64,
    /// Distance from the start to the end of this stretch, in metres.
    pub at_m: f64,
    /// Seconds for this stretch.
    pub split_s: u32,
    /// Seconds from the start to the end of this stretch.
    pub elapsed_s: u32,
}

impl Split {
    /// The stretch's pace in seconds per kilometre or mile.
    pub fn pace_s(&self, units: Units) -> f64 {
        f64::from(self.split_s) / (self.length_m / 1000.0 / units.km())
    }
}

/// Elapsed seconds at `x` metres: the average pace, with the negative
/// split's pace falling in a straight line from (1+s) to (1−s) of it.
fn elapsed_at(x: f64, distance_m: f64, goal_s: f64, strategy: Strategy) -> f64 {
    let base = goal_s / distance_m;
    let s = match strategy {
        Strategy::Even => 0.0,
        Strategy::Negative => NEGATIVE_SPREAD,
    };
    base * (x + s * (x - x * x / distance_m))
}

/// The splits for running `distance_m` in `goal_s` seconds, one per whole
/// kilometre or mile (`units`) and one for what is left. Empty when the
/// distance or the goal is not positive.
pub fn splits(distance_m: f64, goal_s: u32, units: Units, strategy: Strategy) -> Vec<Split> {
    if !(distance_m.is_finite() && distance_m > 0.0) || goal_s == 0 {
        return Vec::new();
    }
    let unit_m = 1000.0 * units.km();
    // A last stretch under a metre is rounding in the distance, not a split.
    let whole = ((distance_m - 1.0) / unit_m).floor().max(0.0) as usize;
    let mut markers: Vec<f64> = (1..=whole).map(|i| i as f64 * unit_m).collect();
    markers.push(distance_m);
    let goal = f64::from(goal_s);
    let mut out = Vec::with_capacity(markers.len());
    let (mut prev_m, mut prev_s) = (0.0, 0u32);
    for (i, at) in markers.iter().enumerate() {
        let elapsed = if i + 1 == markers.len() {
            goal_s
        } else {
            elapsed_at(*at, distance_m, goal, strategy).round() as u32
        };
        out.push(Split {
            length_m: at - prev_m,
            at_m: *at,
            split_s: elapsed - prev_s,
            elapsed_s: elapsed,
        });
        (prev_m, prev_s) = (*at, elapsed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::{prop_assert, prop_assert_eq, proptest};

    #[test]
    fn an_even_10k_in_50_minutes_is_five_minutes_a_kilometre() {
        let s = splits(10_000.0, 3000, Units::Km, Strategy::Even);
        assert_eq!(s.len(), 10);
        assert!(s.iter().all(|x| x.split_s == 300));
        assert_eq!(s[4].elapsed_s, 1500);
        assert_eq!(s[9].at_m, 10_000.0);
    }

    #[test]
    fn a_negative_half_marathon_starts_slower_and_ends_faster() {
        let s = splits(21_097.5, 7200, Units::Km, Strategy::Negative);
        assert_eq!(s.len(), 22);
        let last = s.last().unwrap();
        assert!((last.length_m - 97.5).abs() < 1e-6);
        assert_eq!(last.elapsed_s, 7200);
        // 5:41/km on average: the first kilometre about 7 s slower, the
        // last whole one about 6 s faster (rounded to whole seconds).
        assert_eq!(s[0].split_s, 348);
        assert_eq!(s[20].split_s, 334);
        // 10 km in 57:29, 36 s behind even pace (56:53): made up later.
        assert_eq!(s[9].elapsed_s, 3449);
    }

    #[test]
    fn miles_for_a_runner_in_miles() {
        let s = splits(42_195.0, 4 * 3600, Units::Mi, Strategy::Even);
        assert_eq!(s.len(), 27);
        assert_eq!(s[0].split_s, 549); // 9:09 per mile
        assert!((s[0].pace_s(Units::Mi) - 549.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_to_split() {
        assert!(splits(0.0, 3000, Units::Km, Strategy::Even).is_empty());
        assert!(splits(5000.0, 0, Units::Km, Strategy::Even).is_empty());
        assert!(splits(f64::NAN, 3000, Units::Km, Strategy::Even).is_empty());
    }

    proptest! {
        #[test]
        fn splits_add_up_to_the_goal(
            distance in 400.0f64..100_000.0,
            goal in 60u32..(30 * 3600),
            miles: bool,
            negative: bool,
        ) {
            let units = if miles { Units::Mi } else { Units::Km };
            let strategy = if negative { Strategy::Negative } else { Strategy::Even };
            let s = splits(distance, goal, units, strategy);
            prop_assert!(!s.is_empty());
            prop_assert_eq!(s.iter().map(|x| x.split_s).sum::<u32>(), goal);
            prop_assert_eq!(s.last().unwrap().elapsed_s, goal);
            prop_assert!((s.last().unwrap().at_m - distance).abs() < 1e-6);
            let unit_m = 1000.0 * units.km();
            prop_assert!((s.iter().map(|x| x.length_m).sum::<f64>() - distance).abs() < 1e-6);
            for w in s.windows(2) {
                prop_assert!(w[0].elapsed_s <= w[1].elapsed_s);
            }
            // Whole units: even pace within a rounding second; a negative
            // split never speeds up by more than a second then slows down.
            let full: Vec<&Split> = s.iter().filter(|x| (x.length_m - unit_m).abs() < 1e-6).collect();
            for w in full.windows(2) {
                let (a, b) = (i64::from(w[0].split_s), i64::from(w[1].split_s));
                if negative {
                    prop_assert!(b <= a + 1, "{a} then {b}");
                } else {
                    prop_assert!((a - b).abs() <= 1, "{a} then {b}");
                }
            }
        }
    }
}
