//! A lowered plan can leave the longest run under three quarters of a 10K
//! to half marathon; the plan then says so, as a generated plan would,
//! rather than let race day quietly become a step into the unknown.

use super::why;
use crate::plan::model::{Plan, SessionKind};

/// The share of the race the longest run should reach (the engine's rule).
const LONGEST_SHARE: f64 = 0.75;

/// Adds the warning when the adapted plan's longest run falls short and
/// the plan does not say so yet.
pub(super) fn warn_when_longest_run_falls_short(plan: &mut Plan) {
    let race_km = f64::from(plan.race.distance_m) / 1000.0;
    let longest = plan
        .weeks
        .iter()
        .flat_map(|w| w.sessions())
        .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max);
    let said = plan.warnings.iter().any(|w| w.contains("three quarters"));
    if (8.0..=25.0).contains(&race_km) && longest < LONGEST_SHARE * race_km && !said {
        let w = why::longest_run_falls_short(longest, race_km, plan.units());
        plan.warnings.insert(0, w);
    }
}
