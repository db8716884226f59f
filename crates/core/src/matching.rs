//! Which imported run counts for which planned run.
//!
//! A run belongs to the day the runner ran it: the calendar date of its
//! start in the runner's own time zone (a 22:30 run in Los Angeles is that
//! evening's, not the next UTC day's), matched against the plan as it
//! stands, so a session moved to another day is looked for on its new day.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::plan::Plan;

/// A planned run still waiting for a recorded one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRun {
    pub session_id: String,
    /// The session's current date (after edits and adjustments).
    pub date: Date,
}

/// A recorded run (a running sport) not yet matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRun {
    pub activity_id: String,
    pub start: Timestamp,
}

/// The planned runs of `plan` as it stands, in plan order, leaving out
/// sessions in `taken` (already matched) and sessions without an id.
pub fn planned_runs(plan: &Plan, taken: &dyn Fn(&str) -> bool) -> Vec<PlannedRun> {
    plan.weeks
        .iter()
        .flat_map(|w| &w.days)
        .flat_map(|d| d.sessions.iter().map(move |s| (d.date, s)))
        .filter(|(_, s)| s.kind.is_run())
        .filter_map(|(date, s)| {
            let id = s.id.as_deref().filter(|id| !taken(id))?;
            Some(PlannedRun {
                session_id: id.to_owned(),
                date,
            })
        })
        .collect()
}

/// The runner's local date of an instant.
pub fn local_date(start: Timestamp, zone: &TimeZone) -> Date {
    start.to_zoned(zone.clone()).date()
}

/// Pairs (activity id, session id): each planned run takes at most one
/// recorded run of its own local date; a day's recorded runs, in start
/// order, take that day's planned runs in plan order. Runs on days with no
/// planned run left stay unmatched (an extra run is not a planned one).
pub fn match_runs(
    planned: &[PlannedRun],
    recorded: &[RecordedRun],
    zone: &TimeZone,
) -> Vec<(String, String)> {
    let mut open: HashMap<Date, std::collections::VecDeque<&str>> = HashMap::new();
    for p in planned {
        open.entry(p.date).or_default().push_back(&p.session_id);
    }
    let mut runs: Vec<&RecordedRun> = recorded.iter().collect();
    runs.sort_by(|a, b| (a.start, &a.activity_id).cmp(&(b.start, &b.activity_id)));
    runs.into_iter()
        .filter_map(|r| {
            let session = open.get_mut(&local_date(r.start, zone))?.pop_front()?;
            Some((r.activity_id.clone(), session.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn planned(id: &str, date: &str) -> PlannedRun {
        PlannedRun {
            session_id: id.into(),
            date: date.parse().unwrap(),
        }
    }

    fn run(id: &str, start: &str) -> RecordedRun {
        RecordedRun {
            activity_id: id.into(),
            start: at(start),
        }
    }

    #[test]
    fn an_evening_run_in_los_angeles_counts_for_its_own_day() {
        // Los Angeles in early March (PST; core reads no tz database): 22:30
        // on Wednesday 4 March there is Thursday 06:30 UTC.
        let la = TimeZone::fixed(jiff::tz::offset(-8));
        let late = run("a1", "2026-03-05T06:30:00Z");
        let plan = [planned("wed", "2026-03-04"), planned("thu", "2026-03-05")];
        assert_eq!(
            match_runs(&plan, std::slice::from_ref(&late), &la),
            vec![("a1".to_owned(), "wed".to_owned())]
        );
        // The same instant read in UTC is Thursday's: the zone decides.
        assert_eq!(
            match_runs(&plan, &[late], &TimeZone::UTC),
            vec![("a1".to_owned(), "thu".to_owned())]
        );
    }

    #[test]
    fn a_days_runs_take_its_planned_runs_in_order_and_extras_stay_unmatched() {
        let plan = [
            planned("am", "2026-03-04"),
            planned("pm", "2026-03-04"),
            planned("fri", "2026-03-06"),
        ];
        // Given out of order: start order decides, not arrival.
        let runs = [
            run("evening", "2026-03-04T18:00:00Z"),
            run("morning", "2026-03-04T06:00:00Z"),
            run("third", "2026-03-04T20:00:00Z"),
            run("tuesday", "2026-03-03T06:00:00Z"),
        ];
        let got = match_runs(&plan, &runs, &TimeZone::UTC);
        let pairs: Vec<(&str, &str)> = got.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
        assert_eq!(pairs, [("morning", "am"), ("evening", "pm")]);
    }

    #[test]
    fn planned_runs_skip_strength_taken_sessions_and_follow_moves() {
        use crate::plan::edit::{Edit, Op, apply_edits};
        use crate::plan::{PlanInput, build_plan};
        let input = PlanInput {
            race: "half".into(),
            race_date: "2026-05-31".into(),
            start: Some("2026-03-02".into()),
            run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "experienced".into(),
            weekly_km: 30.0,
            strength_days: 2,
            ..Default::default()
        };
        let mut plan = build_plan(&input.validate().unwrap());
        // Stored plans give every session an id; these stand in for them.
        let mut n = 0;
        for s in plan
            .weeks
            .iter_mut()
            .flat_map(|w| &mut w.days)
            .flat_map(|d| &mut d.sessions)
        {
            n += 1;
            s.id = Some(format!("s{n}"));
        }
        let all = planned_runs(&plan, &|_| false);
        let runs = plan
            .weeks
            .iter()
            .flat_map(|w| &w.days)
            .flat_map(|d| &d.sessions)
            .filter(|s| s.kind.is_run())
            .count();
        assert_eq!(all.len(), runs);
        let tuesday = all[0].clone();
        assert_eq!(tuesday.date.to_string(), "2026-03-03");
        let taken = planned_runs(&plan, &|id| id == tuesday.session_id);
        assert_eq!(taken.len(), runs - 1);
        assert!(taken.iter().all(|p| p.session_id != tuesday.session_id));

        let moved = apply_edits(
            &plan,
            &[Edit {
                ops: vec![Op::Move {
                    session_id: tuesday.session_id.clone(),
                    to_date: "2026-03-04".parse().unwrap(),
                }],
                why: String::new(),
            }],
        );
        let after = planned_runs(&moved, &|_| false);
        let now = after
            .iter()
            .find(|p| p.session_id == tuesday.session_id)
            .unwrap();
        assert_eq!(now.date.to_string(), "2026-03-04");
    }
}
