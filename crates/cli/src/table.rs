//! Human-readable output: aligned plain text that reads well in a terminal
//! and pastes cleanly into a message to a coach.

use std::fmt::Write;

use runcoach_core::science::{PaceReport, Prediction};
use runcoach_core::units::{Pace, Units, format_clock};

fn clock(seconds: f64) -> String {
    format_clock(seconds.round())
}

fn pace(s_per_km: f64, units: Units) -> String {
    Pace::from_s_per_km(s_per_km)
        .expect("reports hold positive paces")
        .display(units)
}

pub fn paces(report: &PaceReport, units: Units) -> String {
    let mut out = String::new();
    let race = &report.race;
    let _ = writeln!(
        out,
        "VDOT {:.1}  from {} in {}\n",
        report.vdot,
        race.name,
        clock(race.time_s)
    );
    let _ = writeln!(out, "Race equivalents");
    for e in &report.equivalents {
        let _ = writeln!(
            out,
            "  {:<10} {:>8}   {}",
            e.name,
            clock(e.time_s),
            pace(e.time_s / e.distance_m * 1000.0, units)
        );
    }
    let t = &report.training;
    let rows = [
        (
            "Easy",
            format!(
                "{}–{}",
                format_clock(t.easy.fast.seconds_per(units).round()),
                pace(t.easy.slow.s_per_km(), units)
            ),
            "most running: long runs, recovery, conversational",
        ),
        (
            "Marathon",
            pace(t.marathon.s_per_km(), units),
            "marathon race rhythm",
        ),
        (
            "Threshold",
            pace(t.threshold.s_per_km(), units),
            "comfortably hard; tempo runs and cruise intervals",
        ),
        (
            "Interval",
            pace(t.interval.s_per_km(), units),
            "hard 3–5 minute repeats",
        ),
        (
            "Repetition",
            pace(t.repetition.s_per_km(), units),
            "short fast repeats with full recovery",
        ),
    ];
    let _ = writeln!(out, "\nTraining paces");
    for (name, value, use_) in rows {
        let _ = writeln!(out, "  {name:<10} {value:<15} {use_}");
    }
    out
}

pub fn prediction(p: &Prediction) -> String {
    format!(
        "{} in {}  →  {} in {}  ({} model)\n",
        p.from.name,
        clock(p.from.time_s),
        p.target.name,
        clock(p.target.time_s),
        p.model.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use runcoach_core::science::{Model, RaceResult};

    fn result(s: &str) -> RaceResult {
        s.parse().unwrap()
    }

    #[test]
    fn paces_table_km() {
        insta::assert_snapshot!(paces(&PaceReport::new(&result("5k:19:57")), Units::Km));
    }

    #[test]
    fn paces_table_miles() {
        insta::assert_snapshot!(paces(&PaceReport::new(&result("half:1:45:00")), Units::Mi));
    }

    #[test]
    fn prediction_line() {
        let p = Prediction::new(
            Model::Riegel,
            &result("10k:41:21"),
            &"marathon".parse().unwrap(),
        );
        assert_eq!(
            prediction(&p),
            "10k in 41:21  →  marathon in 3:10:13  (riegel model)\n"
        );
    }
}
