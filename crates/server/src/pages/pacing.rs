//! The race page's pacing plan: the goal time as splits per kilometre or
//! mile, even or negative (the arithmetic is `core::pacing`). A plain GET
//! form changes the goal, the strategy and the units.

use std::collections::HashMap;

use runcoach_core::pacing::{Strategy, splits};
use runcoach_core::plan::Session;
use runcoach_core::units::{RaceTime, Units, format_clock};

use super::view;

pub struct SplitRow {
    /// "1 km", "21.1 km" (the finish).
    pub at: String,
    pub split: String,
    pub pace: String,
    pub elapsed: String,
}

pub struct Pacing {
    pub goal: String,
    pub negative: bool,
    pub miles: bool,
    /// What was wrong with the goal the runner typed, next to its field.
    pub error: String,
    /// One sentence: "Even pace: 5:41/km, 1:00:00 at 10 km."
    pub summary: String,
    pub rows: Vec<SplitRow>,
}

/// The pacing plan of a race session; `None` for any other session.
pub fn for_race(s: &Session, units: Units, q: &HashMap<String, String>) -> Option<Pacing> {
    if s.kind != runcoach_core::plan::SessionKind::Race {
        return None;
    }
    let distance_m = f64::from(s.distance_m?);
    let units = match q.get("per").map(String::as_str) {
        Some("mi") => Units::Mi,
        Some("km") => Units::Km,
        _ => units,
    };
    let strategy = match q.get("split").map(String::as_str) {
        Some("negative") => Strategy::Negative,
        _ => Strategy::Even,
    };
    let typed = q
        .get("goal")
        .map(|g| g.trim().to_owned())
        .unwrap_or_default();
    let predicted = s.duration_s.filter(|d| *d > 0);
    let (goal_s, error) = if typed.is_empty() {
        (predicted, String::new())
    } else {
        match typed.parse::<RaceTime>() {
            Ok(t) if t.seconds() >= 60.0 && t.seconds() < 24.0 * 3600.0 => {
                (Some(t.seconds().round() as u32), String::new())
            }
            _ => (
                None,
                format!(
                    "“{typed}” is not a finish time we can read: write hours, minutes and seconds, like 1:55:00 (or 48:30 for under an hour)."
                ),
            ),
        }
    };
    let mut pacing = Pacing {
        goal: if typed.is_empty() {
            predicted
                .map(|p| format_clock(f64::from(p)))
                .unwrap_or_default()
        } else {
            typed
        },
        negative: strategy == Strategy::Negative,
        miles: units == Units::Mi,
        error,
        summary: String::new(),
        rows: Vec::new(),
    };
    let Some(goal_s) = goal_s else {
        if pacing.error.is_empty() {
            pacing.summary =
                "Type the finish time you are aiming for and the splits appear here.".into();
        }
        return Some(pacing);
    };
    let label = units.label();
    let unit_m = 1000.0 * units.km();
    let lines = splits(distance_m, goal_s, units, strategy);
    pacing.rows = lines
        .iter()
        .map(|x| SplitRow {
            at: if (x.length_m - unit_m).abs() < 1e-6 {
                format!("{:.0} {label}", x.at_m / unit_m)
            } else {
                format!("{:.1} {label} (finish)", x.at_m / unit_m)
            },
            split: format_clock(f64::from(x.split_s)),
            pace: format!("{}/{label}", format_clock(x.pace_s(units).round())),
            elapsed: format_clock(f64::from(x.elapsed_s)),
        })
        .collect();
    let average = f64::from(goal_s) / (distance_m / unit_m);
    pacing.summary = match strategy {
        Strategy::Even => format!(
            "{} for {}: {}/{label} all the way.",
            format_clock(f64::from(goal_s)),
            view::distance(s.distance_m.unwrap_or_default(), units),
            format_clock(average.round()),
        ),
        Strategy::Negative => {
            let (first, last) = (
                lines.first(),
                lines
                    .iter()
                    .rev()
                    .find(|x| (x.length_m - unit_m).abs() < 1e-6),
            );
            format!(
                "{} for {}: start near {}/{label}, settle, and finish near {}/{label}; the second half a little faster than the first.",
                format_clock(f64::from(goal_s)),
                view::distance(s.distance_m.unwrap_or_default(), units),
                first.map_or(String::new(), |x| format_clock(x.pace_s(units).round())),
                last.map_or(String::new(), |x| format_clock(x.pace_s(units).round())),
            )
        }
    };
    Some(pacing)
}
