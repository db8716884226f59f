//! Honest feasibility: a goal that is a stretch is still planned, but the
//! plan leads with the problem and ready-to-use ways out (a later race, a
//! shorter one, run-walk). Races too close to plan at all are refused in
//! `request` (see `min_weeks`).

use jiff::ToSpan;

use super::model::Level;
use super::request::PlanRequest;
use super::shape::race_label;

/// The stretch-goal warning, when there is one; `longest_planned` is the
/// plan's longest run.
pub fn stretch(req: &PlanRequest, longest_planned: f64) -> Option<String> {
    let km = req.race.km();
    let weeks = req.weeks();
    let label = race_label(&req.race);
    let later =
        |w: u32| (req.race_date + (7 * i64::from(w.saturating_sub(weeks))).days()).to_string();
    if km >= 40.0 && req.level == Level::FirstTimer && (req.weekly_km < 25.0 || weeks < 16) {
        return Some(format!(
            "A first {label} from {:.0} km a week in {weeks} weeks is a stretch: most first-timers start from about 25–30 km a week and train 16–20 weeks. Options: a later race (--race-date {}), a half marathon first (--race half), or run-walk this one (run 9 minutes, walk 1 from the start).",
            req.weekly_km,
            later(18)
        ));
    }
    let longest = longest_planned;
    if (8.0..=25.0).contains(&km) && longest < 0.75 * km {
        return Some(format!(
            "The longest run this plan can build to ({longest:.1} km) is under three quarters of the {label} ({:.1} km), so race day will be a step into the unknown. Options: a later race (--race-date {}), a shorter race first (--race {}), or run-walk the race.",
            0.75 * km,
            later(weeks + 4),
            if km > 12.0 { "10k" } else { "5k" }
        ));
    }
    None
}
