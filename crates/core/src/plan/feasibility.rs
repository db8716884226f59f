//! Honest feasibility: a goal that is a stretch is still planned, but the
//! plan leads with the problem and ready-to-use ways out (a later race, a
//! shorter one, run-walk). Races too close to plan at all are refused in
//! `request` (see `min_weeks`).

use jiff::ToSpan;
use serde::Serialize;

use super::model::Level;
use super::request::{PlanInput, PlanRequest};
use super::shape::race_label;

/// A way out of a stretch goal: what it is, the CLI command that plans
/// it, and the same as a ready request body for `POST /api/v1/plans`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StretchOption {
    pub label: String,
    pub command: String,
    pub request: PlanInput,
}

/// Which stretch a goal is, when it is one.
enum Stretch {
    /// A first marathon (or longer) from a low base or in too few weeks.
    FirstLong,
    /// The longest run cannot reach three quarters of the race.
    ShortLongest,
}

fn stretch_of(req: &PlanRequest, longest_planned: f64) -> Option<Stretch> {
    let km = req.race.km();
    if km >= 40.0 && req.level == Level::FirstTimer && (req.weekly_km < 25.0 || req.weeks() < 16) {
        Some(Stretch::FirstLong)
    } else if (8.0..=25.0).contains(&km) && longest_planned < 0.75 * km {
        Some(Stretch::ShortLongest)
    } else {
        None
    }
}

/// The race date `w` weeks out instead (never earlier than it is).
fn later(req: &PlanRequest, w: u32) -> String {
    (req.race_date + (7 * i64::from(w.saturating_sub(req.weeks()))).days()).to_string()
}

/// The stretch-goal warning, when there is one; `longest_planned` is the
/// plan's longest run.
pub fn stretch(req: &PlanRequest, longest_planned: f64) -> Option<String> {
    let km = req.race.km();
    let weeks = req.weeks();
    let label = race_label(&req.race);
    match stretch_of(req, longest_planned)? {
        Stretch::FirstLong => Some(format!(
            "A first {label} from {:.0} km a week in {weeks} weeks is a stretch: most first-timers start from about 25–30 km a week and train 16–20 weeks. Options: a later race (--race-date {}), a half marathon first (--race half), or run-walk this one (run 9 minutes, walk 1 from the start).",
            req.weekly_km,
            later(req, 18)
        )),
        Stretch::ShortLongest => Some(format!(
            "The longest run this plan can build to is {longest_planned:.1} km, short of the {:.1} km (three quarters of the {label}) a long run should reach before race day. Options: a later race (--race-date {}), a shorter race first (--race {}), or run-walk the race.",
            0.75 * km,
            later(req, weeks + 4),
            shorter(km)
        )),
    }
}

/// The shorter race a stretch suggests first.
fn shorter(km: f64) -> &'static str {
    if km > 12.0 { "10k" } else { "5k" }
}

/// The stretch warning's options as ready requests (empty when the goal is
/// no stretch): `input` is the request as asked, which each option changes
/// as little as it can.
pub fn options(input: &PlanInput, req: &PlanRequest, longest_planned: f64) -> Vec<StretchOption> {
    let Some(stretch) = stretch_of(req, longest_planned) else {
        return Vec::new();
    };
    let label = race_label(&req.race);
    let (later_date, shorter_race) = match stretch {
        Stretch::FirstLong => (later(req, 18), "half"),
        Stretch::ShortLongest => (later(req, req.weeks() + 4), shorter(req.race.km())),
    };
    // A later race keeps the start: the plan grows to fill the weeks.
    let later_input = PlanInput {
        race_date: later_date.clone(),
        weeks: None,
        start: input.start.clone().or_else(|| Some(req.start.to_string())),
        ..input.clone()
    };
    let shorter_input = PlanInput {
        race: shorter_race.to_owned(),
        ..input.clone()
    };
    let shorter_label = match shorter_race {
        "half" => "a half marathon",
        "10k" => "a 10K",
        _ => "a 5K",
    };
    [
        (format!("A later race, on {later_date}"), later_input),
        (
            format!("{} first", capitalise(shorter_label)),
            shorter_input,
        ),
        (
            format!("Run-walk this {label} (run 9 minutes, walk 1)"),
            input.clone(),
        ),
    ]
    .into_iter()
    .map(|(label, request)| StretchOption {
        label,
        command: command(&request),
        request,
    })
    .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The `runcoach plan` command for a request, flag by flag.
pub fn command(input: &PlanInput) -> String {
    let mut parts = vec![
        "runcoach plan".to_owned(),
        format!("--race {}", input.race),
        format!("--race-date {}", input.race_date),
    ];
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(v) = value {
            parts.push(format!("--{flag} {v}"));
        }
    };
    push("start", input.start.clone());
    push("weeks", input.weeks.map(|w| w.to_string()));
    push("run-days", Some(input.run_days.join(",")));
    push("long-run-day", Some(input.long_run_day.clone()));
    push("level", Some(input.level.clone()));
    push(
        "weekly-km",
        Some(format!("{}", (input.weekly_km * 10.0).round() / 10.0)),
    );
    push(
        "longest-run-km",
        input
            .longest_run_km
            .map(|k| format!("{}", (k * 10.0).round() / 10.0)),
    );
    push(
        "recent",
        input
            .recent
            .as_ref()
            .map(|r| format!("{}:{}", r.distance, r.time)),
    );
    push("strength-days", Some(input.strength_days.to_string()));
    if input.new_to_strength {
        parts.push("--new-to-strength".to_owned());
    }
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(v) = value {
            parts.push(format!("--{flag} {v}"));
        }
    };
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    push("equipment", list(&input.equipment));
    push("niggle", list(&input.niggles));
    push("units", input.units.clone());
    push("self-check", list(&input.self_check));
    push("week-start", input.week_start.clone());
    push("today", input.today.clone());
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_marathon() -> PlanInput {
        PlanInput {
            race: "marathon".into(),
            race_date: "2027-03-21".into(),
            weeks: Some(16),
            run_days: ["mon", "wed", "fri", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: 15.0,
            longest_run_km: Some(8.0),
            strength_days: 2,
            new_to_strength: true,
            today: Some("2026-11-28".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_stretch_goal_offers_ready_requests() {
        let input = first_marathon();
        let req = input.validate().unwrap();
        let options = options(&input, &req, 20.0);
        let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "A later race, on 2027-04-04",
                "A half marathon first",
                "Run-walk this marathon (run 9 minutes, walk 1)"
            ]
        );
        // The later race keeps the start, so the plan grows to 18 weeks.
        let later = options[0].request.validate().unwrap();
        assert_eq!(later.weeks(), 18);
        assert_eq!(later.start, req.start);
        assert_eq!(options[1].request.race, "half");
        assert_eq!(options[2].request, input);
        assert_eq!(
            options[1].command,
            "runcoach plan --race half --race-date 2027-03-21 --weeks 16 --run-days mon,wed,fri,sun --long-run-day sun --level first-timer --weekly-km 15 --longest-run-km 8 --strength-days 2 --new-to-strength --today 2026-11-28"
        );
        // Each one is a request the API takes as it is.
        for o in &options {
            assert!(o.request.validate().is_ok(), "{}", o.label);
        }
    }

    #[test]
    fn no_stretch_no_options() {
        let input = PlanInput {
            level: "experienced".into(),
            weekly_km: 50.0,
            ..first_marathon()
        };
        let req = input.validate().unwrap();
        assert!(options(&input, &req, 32.0).is_empty());
    }
}
