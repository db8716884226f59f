//! Small weeks still hold runs worth doing: a 5K first-timer on three run
//! days at 10 km a week gets two sensible runs in a recovery week, never one
//! run longer than any long run so far.

use runcoach_core::guardrails::check;
use runcoach_core::plan::{Phase, PlanInput, SessionKind, build_plan};

fn first_5k_on_10_km() -> PlanInput {
    PlanInput {
        race: "5k".into(),
        race_date: "2027-01-24".into(),
        weeks: Some(8),
        run_days: ["mon", "wed", "sat"].map(String::from).to_vec(),
        long_run_day: "sat".into(),
        level: "first-timer".into(),
        weekly_km: 10.0,
        strength_days: 2,
        new_to_strength: true,
        niggles: vec!["itb".into()],
        today: Some("2026-11-28".into()),
        ..Default::default()
    }
}

#[test]
fn recovery_week_keeps_two_runs_no_longer_than_the_long_runs_so_far() {
    let plan = build_plan(&first_5k_on_10_km().validate().unwrap());
    assert!(check(&plan).is_empty(), "{:?}", check(&plan));
    let mut longest_long = 0.0f64;
    for w in &plan.weeks {
        let runs: Vec<_> = w
            .sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .map(|(_, s)| (s.kind, s.km()))
            .collect();
        if w.phase != Phase::Race {
            assert!(runs.len() >= 2, "week {} has {runs:?}", w.index);
        }
        if w.recovery {
            // The long run and one easy run within three quarters of it.
            assert!(
                runs.iter().any(|r| r.0 == SessionKind::Long),
                "week {}: {runs:?}",
                w.index
            );
        }
        for &(kind, km) in &runs {
            if kind == SessionKind::Long {
                longest_long = longest_long.max(km);
            }
        }
        for &(kind, km) in &runs {
            let easy = matches!(kind, SessionKind::Easy | SessionKind::Recovery);
            if easy && longest_long > 0.0 {
                assert!(
                    km <= longest_long + 0.05,
                    "week {}: {km} km is longer than the longest long run so far ({longest_long})",
                    w.index
                );
            }
        }
    }
}
