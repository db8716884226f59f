//! Templates: a coach's plan (or a few weeks of one) laid onto another
//! runner's race. Every date moves by the same number of days, so the
//! template keeps its distance from race day (a taper stays a taper), and
//! every pace target is carried from the template's pace ladder to the
//! runner's: a threshold band stays a threshold band at the new runner's
//! threshold pace, a pace between two zones keeps its place between them.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::plan::model::{Plan, PlanPaces, Session, Step};
use crate::science::{TrainingPaces, Vdot};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "the template sets paces; the runner needs a VDOT (a race result or a paced plan) to scale them to"
    )]
    NoPaces,
    #[error("the template has no weeks")]
    Empty,
    #[error("the template's dates would fall outside the calendar")]
    OutOfRange,
}

/// The paces a plan records for a runner at `vdot`, as plans store them.
pub fn plan_paces(vdot: Vdot, source: impl Into<String>) -> PlanPaces {
    let p = TrainingPaces::from_vdot(vdot);
    let s = |pace: crate::units::Pace| pace.s_per_km().round() as u32;
    PlanPaces {
        vdot: (vdot.value() * 10.0).round() / 10.0,
        source: source.into(),
        easy: [s(p.easy.fast), s(p.easy.slow)],
        marathon: s(p.marathon),
        threshold: s(p.threshold),
        interval: s(p.interval),
        repetition: s(p.repetition),
    }
}

/// `template` anchored on `race_date` with its paces carried to `paces`
/// (the runner's). Session ids are dropped: the result is a new plan.
pub fn apply(
    template: &Plan,
    race_date: Date,
    paces: Option<&PlanPaces>,
) -> Result<Plan, TemplateError> {
    if template.weeks.is_empty() {
        return Err(TemplateError::Empty);
    }
    let ladder = match (&template.paces, paces) {
        (Some(from), Some(to)) => Some(Ladder::new(from, to)),
        (Some(_), None) => return Err(TemplateError::NoPaces),
        (None, _) => None,
    };
    let days = i64::from(
        template
            .race
            .date
            .until(race_date)
            .map_err(|_| TemplateError::OutOfRange)?
            .get_days(),
    );
    let shift = |d: Date| -> Result<Date, TemplateError> {
        let moved = d
            .checked_add(days.days())
            .map_err(|_| TemplateError::OutOfRange)?;
        crate::dates::in_range(moved).map_err(|_| TemplateError::OutOfRange)
    };
    let mut plan = template.clone();
    plan.race.date = race_date;
    if let Some(a) = plan.athlete.as_mut() {
        a.long_run_day = weekday_after(a.long_run_day, days);
        for d in &mut a.run_days {
            *d = weekday_after(*d, days);
        }
    }
    plan.paces = match (&template.paces, paces) {
        (Some(_), Some(to)) => Some(to.clone()),
        _ => None,
    };
    for week in &mut plan.weeks {
        week.start = shift(week.start)?;
        for day in &mut week.days {
            day.date = shift(day.date)?;
            for s in &mut day.sessions {
                s.id = None;
                if let Some(l) = &ladder {
                    l.session(s);
                }
            }
        }
    }
    Ok(plan)
}

fn weekday_after(day: Weekday, days: i64) -> Weekday {
    day.wrapping_add(days)
}

/// A piecewise-linear map from one runner's paces (s/km) to another's,
/// through the five Daniels intensities: exact at each of them, linear in
/// between, proportional beyond the fastest and slowest. Non-decreasing,
/// so a faster target never becomes a slower one and bands stay ordered.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// (from, to), `from` strictly increasing, `to` non-decreasing.
    points: Vec<(f64, f64)>,
}

impl Ladder {
    pub fn new(from: &PlanPaces, to: &PlanPaces) -> Self {
        let mut pairs: Vec<(f64, f64)> = [
            (from.repetition, to.repetition),
            (from.interval, to.interval),
            (from.threshold, to.threshold),
            (from.marathon, to.marathon),
            (from.easy[0], to.easy[0]),
            (from.easy[1], to.easy[1]),
        ]
        .iter()
        .filter(|(f, t)| *f > 0 && *t > 0)
        .map(|&(f, t)| (f64::from(f), f64::from(t)))
        .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
        for (f, t) in pairs {
            match points.last() {
                Some(&(last_f, _)) if last_f == f => {}
                Some(&(_, last_t)) => points.push((f, t.max(last_t))),
                None => points.push((f, t)),
            }
        }
        Ladder { points }
    }

    /// The runner's pace for the template's `s_per_km`.
    pub fn map(&self, s_per_km: f64) -> f64 {
        let p = &self.points;
        let Some(&(f0, t0)) = p.first() else {
            return s_per_km;
        };
        let &(fl, tl) = p.last().expect("non-empty");
        if s_per_km <= f0 {
            return s_per_km * t0 / f0;
        }
        if s_per_km >= fl {
            return s_per_km * tl / fl;
        }
        let i = p.partition_point(|&(f, _)| f <= s_per_km);
        let (fa, ta) = p[i - 1];
        let (fb, tb) = p[i];
        ta + (tb - ta) * (s_per_km - fa) / (fb - fa)
    }

    fn band(&self, [fast, slow]: [u32; 2]) -> [u32; 2] {
        let m = |v: u32| {
            self.map(f64::from(v))
                .round()
                .clamp(1.0, f64::from(u32::MAX)) as u32
        };
        [m(fast), m(slow)]
    }

    fn session(&self, s: &mut Session) {
        if let Some(b) = s.pace_s_per_km {
            s.pace_s_per_km = Some(self.band(b));
        }
        self.steps(&mut s.steps);
    }

    fn steps(&self, steps: &mut [Step]) {
        for step in steps {
            if let Some(b) = step.pace_s_per_km {
                step.pace_s_per_km = Some(self.band(b));
            }
            self.steps(&mut step.steps);
        }
    }
}

/// Whole days from `a` to `b`.
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until(b)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanInput, RecentInput, build_plan};
    use jiff::civil::date;
    use proptest::prelude::*;

    fn paced_plan(race_date: &str, recent: &str) -> Plan {
        let input = PlanInput {
            race: "half".into(),
            race_date: race_date.into(),
            run_days: vec!["tue".into(), "thu".into(), "sat".into(), "sun".into()],
            long_run_day: "sun".into(),
            level: "experienced".into(),
            weekly_km: 35.0,
            strength_days: 2,
            weeks: Some(14),
            today: Some("2026-01-05".into()),
            recent: Some(RecentInput {
                distance: "10k".into(),
                time: recent.into(),
            }),
            ..PlanInput::default()
        };
        build_plan(&input.validate_on(date(2026, 1, 5)).expect("valid request"))
    }

    fn paces_at(vdot: f64) -> PlanPaces {
        plan_paces(Vdot::new(vdot).unwrap(), "test")
    }

    #[test]
    fn a_template_moves_onto_the_new_race_and_its_paces_onto_the_runner() {
        let template = paced_plan("2026-04-26", "45:00");
        let target = paces_at(55.0);
        let plan = apply(&template, date(2026, 10, 4), Some(&target)).unwrap();
        assert_eq!(plan.race.date, date(2026, 10, 4));
        let last = plan.weeks.last().unwrap().days.last().unwrap();
        assert_eq!(last.date, date(2026, 10, 4));
        assert_eq!(plan.paces.as_ref(), Some(&target));
        // Threshold work lands on the runner's threshold pace.
        let from = template.paces.as_ref().unwrap();
        let ladder = Ladder::new(from, &target);
        assert_eq!(
            ladder.map(f64::from(from.threshold)).round() as u32,
            target.threshold
        );
        assert_eq!(
            ladder.map(f64::from(from.easy[1])).round() as u32,
            target.easy[1]
        );
        assert!(
            plan.weeks
                .iter()
                .flat_map(|w| w.sessions())
                .all(|(_, s)| s.id.is_none())
        );
    }

    #[test]
    fn a_paced_template_needs_the_runners_paces() {
        let template = paced_plan("2026-04-26", "45:00");
        assert_eq!(
            apply(&template, date(2026, 10, 4), None),
            Err(TemplateError::NoPaces)
        );
    }

    #[test]
    fn a_race_on_another_weekday_moves_the_long_run_day_with_it() {
        let template = paced_plan("2026-04-26", "45:00"); // a Sunday
        let plan = apply(&template, date(2026, 10, 3), template.paces.as_ref()).unwrap(); // a Saturday
        assert_eq!(plan.athlete.unwrap().long_run_day, Weekday::Saturday);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_session_moves_by_the_same_days_and_keeps_its_size(
            shift in -200i64..400, vdot in 30.0f64..75.0,
        ) {
            let template = paced_plan("2026-04-26", "45:00");
            let race = date(2026, 4, 26).checked_add(shift.days()).unwrap();
            let plan = apply(&template, race, Some(&paces_at(vdot))).unwrap();
            prop_assert_eq!(plan.weeks.len(), template.weeks.len());
            for (w, tw) in plan.weeks.iter().zip(&template.weeks) {
                prop_assert_eq!(days_between(tw.start, w.start), shift);
                for (d, td) in w.days.iter().zip(&tw.days) {
                    prop_assert_eq!(days_between(td.date, d.date), shift);
                    prop_assert_eq!(d.sessions.len(), td.sessions.len());
                    for (s, ts) in d.sessions.iter().zip(&td.sessions) {
                        prop_assert_eq!(s.kind, ts.kind);
                        prop_assert_eq!(s.distance_m, ts.distance_m);
                        if let Some([fast, slow]) = s.pace_s_per_km {
                            prop_assert!(fast <= slow);
                        }
                    }
                }
            }
        }

        #[test]
        fn the_ladder_is_monotone_and_exact_at_each_intensity(
            a in 30.0f64..80.0, b in 30.0f64..80.0, x in 120.0f64..600.0, y in 120.0f64..600.0,
        ) {
            let (from, to) = (paces_at(a), paces_at(b));
            let l = Ladder::new(&from, &to);
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            prop_assert!(l.map(lo) <= l.map(hi) + 1e-9);
            for (f, t) in [(from.threshold, to.threshold), (from.interval, to.interval), (from.marathon, to.marathon)] {
                prop_assert!((l.map(f64::from(f)) - f64::from(t)).abs() < 1e-6);
            }
        }

        #[test]
        fn a_fitter_runner_never_gets_a_slower_target(a in 30.0f64..70.0, gain in 0.0f64..10.0, x in 150.0f64..500.0) {
            let from = paces_at(a);
            let same = Ladder::new(&from, &from);
            let fitter = Ladder::new(&from, &paces_at(a + gain));
            prop_assert!((same.map(x) - x).abs() < 1e-6);
            prop_assert!(fitter.map(x) <= same.map(x) + 1e-6);
        }
    }
}
