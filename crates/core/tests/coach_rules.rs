//! The last coach's findings of issue #12: a building week's long run never
//! falls below the one before it (recovery weeks, the peak's spacing and the
//! taper aside), a first-timer's quality session keeps to its share of the
//! week, and an ultra on three or four run days is judged by the shape its
//! back-to-back weekends give it. Each is an engine rule and a checker rule.

use proptest::prelude::*;
use runcoach_core::guardrails::check;
use runcoach_core::plan::sizing::FIRST_TIMER_QUALITY_SHARE;
use runcoach_core::plan::{Phase, Plan, PlanInput, SessionKind, build_plan, with_totals};

fn days(list: &[&str]) -> Vec<String> {
    list.iter().map(|d| d.to_string()).collect()
}

/// Profile #4 of issue #12: a first-timer's half on three days from 15 km.
fn first_half() -> PlanInput {
    PlanInput {
        race: "half".into(),
        race_date: "2027-02-28".into(),
        weeks: Some(12),
        run_days: days(&["tue", "thu", "sun"]),
        long_run_day: "sun".into(),
        level: "first-timer".into(),
        weekly_km: 15.0,
        longest_run_km: Some(6.0),
        strength_days: 2,
        today: Some("2026-11-28".into()),
        ..Default::default()
    }
}

fn long_km(plan: &Plan, week: usize) -> f64 {
    plan.weeks[week]
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Long)
        .map(|(_, s)| s.km())
        .fold(0.0, f64::max)
}

/// Base and build weeks that are not recovery weeks, by position.
fn growing(plan: &Plan) -> Vec<usize> {
    (0..plan.weeks.len())
        .filter(|&i| {
            let w = &plan.weeks[i];
            matches!(w.phase, Phase::Base | Phase::Build) && !w.recovery
        })
        .collect()
}

/// Moves `km` from week `week`'s long run to its first easy run (the
/// week's volume unchanged).
fn shorten_long(plan: &mut Plan, week: usize, km: f64) {
    let metres = (km * 1000.0).round() as u32;
    let w = &mut plan.weeks[week];
    for kind in [SessionKind::Long, SessionKind::Easy] {
        let s = w
            .days
            .iter_mut()
            .flat_map(|d| d.sessions.iter_mut())
            .find(|s| s.kind == kind)
            .expect("a long run and an easy run");
        let m = s.distance_m.unwrap();
        s.distance_m = Some(if kind == SessionKind::Long {
            m - metres
        } else {
            m + metres
        });
    }
    plan.weeks[week] = with_totals(plan.weeks[week].clone());
}

#[test]
fn first_half_long_runs_grow_and_its_quality_keeps_to_its_share() {
    let plan = build_plan(&first_half().validate().unwrap());
    assert!(check(&plan).is_empty(), "{:?}", check(&plan));
    let mut last = 0.0;
    for i in growing(&plan) {
        let km = long_km(&plan, i);
        assert!(
            km >= last - 0.05,
            "week {}: long run {km} after {last}",
            i + 1
        );
        last = km;
    }
    // Week 5 once held a 7.1 km interval session in an 18 km week and a
    // long run down from 8.5 to 7.8 km.
    assert!(long_km(&plan, 4) >= long_km(&plan, 2) - 0.05);
    for w in plan.weeks.iter().filter(|w| w.phase != Phase::Race) {
        for (_, s) in w.sessions().filter(|(_, s)| s.kind.is_quality()) {
            assert!(
                s.km() <= FIRST_TIMER_QUALITY_SHARE * w.training_km + 0.15,
                "week {}: {} is {} km of {} km",
                w.index,
                s.title,
                s.km(),
                w.training_km
            );
        }
    }
}

#[test]
fn the_checker_finds_a_long_run_that_dips_in_a_build_week() {
    let mut plan = build_plan(&first_half().validate().unwrap());
    // Week 6 (build): its long run one and a half kilometres under week
    // 5's.
    let g = growing(&plan);
    let at = g
        .iter()
        .position(|&i| i == 5)
        .expect("week 6 is a build week");
    let before = long_km(&plan, g[at - 1]);
    let cut = long_km(&plan, 5) - (before - 1.5);
    shorten_long(&mut plan, 5, cut);
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "long_run_growth" && v.week == 6),
        "{found:?}"
    );
}

#[test]
fn the_checker_finds_a_first_timers_oversized_quality_session() {
    let mut plan = build_plan(&first_half().validate().unwrap());
    let (wi, week_km) = plan
        .weeks
        .iter()
        .enumerate()
        .find(|(_, w)| w.phase == Phase::Build && w.sessions().any(|(_, s)| s.kind.is_quality()))
        .map(|(i, w)| (i, w.training_km))
        .expect("a build week with a quality session");
    // The session grows to two fifths of the week, the easy run shrinks by
    // as much.
    let w = &mut plan.weeks[wi];
    let q = w
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
        .find(|s| s.kind.is_quality())
        .unwrap();
    let grow = (0.40 * week_km * 1000.0) as u32 - q.distance_m.unwrap();
    q.distance_m = Some(q.distance_m.unwrap() + grow);
    let e = w
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
        .find(|s| s.kind == SessionKind::Easy)
        .unwrap();
    e.distance_m = Some(e.distance_m.unwrap() - grow);
    plan.weeks[wi] = with_totals(plan.weeks[wi].clone());
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "first_timer_quality" && v.week == wi as u32 + 1),
        "{found:?}"
    );
}

/// Profile #10's runner on fewer days.
fn ultra_on(run_days: &[&str]) -> PlanInput {
    PlanInput {
        race: "50k".into(),
        race_date: "2027-04-18".into(),
        weeks: Some(20),
        run_days: days(run_days),
        long_run_day: "sat".into(),
        level: "experienced".into(),
        weekly_km: 40.0,
        strength_days: 2,
        today: Some("2026-11-28".into()),
        ..Default::default()
    }
}

/// A base week's lone long run made the longest single run of the block
/// (a kilometre from each easy run): on three or four run days the
/// back-to-back weekends that follow are the ultra's peak, so `peak_timing`
/// does not ask the late weeks' single long run to beat it; on six days it
/// does.
fn with_a_long_base_long_run(run_days: &[&str]) -> Vec<String> {
    let mut plan = build_plan(&ultra_on(run_days).validate().unwrap());
    assert!(check(&plan).is_empty(), "{:?}", check(&plan));
    let top = (0..plan.weeks.len())
        .map(|i| long_km(&plan, i))
        .fold(0.0, f64::max);
    let w = plan
        .weeks
        .iter()
        .position(|w| w.phase == Phase::Base && !w.recovery && w.index > 1)
        .unwrap();
    let add = (top * 1.3 - long_km(&plan, w)).max(0.0);
    let easy: Vec<(usize, usize)> = plan.weeks[w]
        .days
        .iter()
        .enumerate()
        .flat_map(|(d, day)| {
            day.sessions
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == SessionKind::Easy)
                .map(move |(k, _)| (d, k))
        })
        .collect();
    let each = (add * 1000.0 / easy.len() as f64) as u32;
    for &(d, k) in &easy {
        let s = &mut plan.weeks[w].days[d].sessions[k];
        s.distance_m = Some(s.distance_m.unwrap().saturating_sub(each));
    }
    let long = plan.weeks[w]
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
        .find(|s| s.kind == SessionKind::Long)
        .unwrap();
    long.distance_m = Some(long.distance_m.unwrap() + each * easy.len() as u32);
    plan.weeks[w] = with_totals(plan.weeks[w].clone());
    check(&plan)
        .into_iter()
        .filter(|v| v.rule == "peak_timing")
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn an_ultra_on_three_or_four_days_is_judged_by_its_weekends() {
    assert_eq!(
        with_a_long_base_long_run(&["tue", "sat", "sun"]),
        Vec::<String>::new()
    );
    assert_eq!(
        with_a_long_base_long_run(&["tue", "thu", "sat", "sun"]),
        Vec::<String>::new()
    );
    let six = with_a_long_base_long_run(&["mon", "tue", "wed", "thu", "sat", "sun"]);
    assert!(
        six.iter().any(|v| v.contains("longest long run")),
        "{six:?}"
    );
}

prop_compose! {
    /// A first-timer's valid request: any race, 3–5 run days, 8–40 km.
    fn first_timer()(
        race in prop::sample::select(vec!["5k", "10k", "half", "marathon", "30k"]),
        weeks in 8u32..=20,
        extra in prop::sample::subsequence(vec!["mon", "wed", "fri"], 0..=2),
        weekly_km in 8.0f64..40.0,
    ) -> PlanInput {
        let mut run_days = vec!["tue", "thu", "sun"];
        run_days.extend(extra);
        PlanInput {
            race: race.into(),
            race_date: "2027-05-02".into(),
            weeks: Some(weeks.max(if race == "5k" || race == "10k" { 8 } else { 12 })),
            run_days: days(&run_days),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km,
            strength_days: 2,
            today: Some("2026-11-28".into()),
            ..Default::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The engine keeps both rules for first-timers (the checker agrees),
    /// and the checker finds a building week's long run cut two kilometres
    /// under the one before it.
    #[test]
    fn first_timers_long_runs_grow_and_quality_keeps_its_share(input in first_timer()) {
        let mut plan = build_plan(&input.validate().unwrap());
        let found = check(&plan);
        prop_assert!(found.is_empty(), "{:?}", found);
        for w in plan.weeks.iter().filter(|w| w.phase != Phase::Race) {
            for (_, s) in w.sessions().filter(|(_, s)| s.kind.is_quality()) {
                prop_assert!(s.km() <= FIRST_TIMER_QUALITY_SHARE * w.training_km + 0.15);
            }
        }
        let g = growing(&plan);
        // A pair of building weeks in a row, the second with an easy run
        // and a long run over 4 km, whose first is not a peak long run.
        let top = (0..plan.weeks.len()).map(|i| long_km(&plan, i)).fold(0.0, f64::max);
        let pair = g.windows(2).find(|p| {
            let (a, b) = (long_km(&plan, p[0]), long_km(&plan, p[1]));
            a > 4.0 && b >= a - 0.05 && a < 0.85 * top - 0.2
                && plan.weeks[p[1]].sessions().any(|(_, s)| s.kind == SessionKind::Easy)
                && g.iter().position(|&i| i == p[0]).is_some_and(|k| k == 0 || (long_km(&plan, g[k - 1]) - a).abs() > 0.05)
        });
        // (A plan whose run days cannot carry its volume says so and holds
        // what they carry: the rule leaves it be.)
        let overloaded = plan.warnings.iter().any(|w| w.contains("do not carry the volume"));
        if let Some(p) = pair.filter(|_| !overloaded) {
            let cut = long_km(&plan, p[1]) - (long_km(&plan, p[0]) - 2.0);
            shorten_long(&mut plan, p[1], cut);
            let found = check(&plan);
            prop_assert!(
                found.iter().any(|v| v.rule == "long_run_growth" && v.week == p[1] as u32 + 1),
                "{:?}", found
            );
        }
    }
}

/// Profile #10 of issue #12: the 50K on six days. The taper's first week
/// once opened with a tempo the day after the last back-to-back weekend.
#[test]
fn no_quality_the_day_after_back_to_back_long_runs() {
    let mut input = ultra_on(&["mon", "tue", "wed", "thu", "sat", "sun"]);
    input.weekly_km = 90.0;
    input.longest_run_km = Some(30.0);
    input.recent = Some(runcoach_core::plan::RecentInput {
        distance: "marathon".into(),
        time: "3:10:00".into(),
    });
    let mut plan = build_plan(&input.validate().unwrap());
    assert!(check(&plan).is_empty(), "{:?}", check(&plan));
    let days: Vec<(usize, usize)> = (0..plan.weeks.len())
        .flat_map(|w| (0..plan.weeks[w].days.len()).map(move |d| (w, d)))
        .collect();
    let long = |plan: &Plan, (w, d): (usize, usize)| {
        plan.weeks[w].days[d]
            .sessions
            .iter()
            .any(|s| s.kind == SessionKind::Long)
    };
    let mut after_pairs = 0;
    for k in 2..days.len() {
        if long(&plan, days[k - 2]) && long(&plan, days[k - 1]) {
            after_pairs += 1;
            let (w, d) = days[k];
            assert!(
                !plan.weeks[w].days[d].sessions.iter().any(|s| s.is_hard()),
                "week {} day {d}",
                w + 1
            );
        }
    }
    assert!(after_pairs >= 8, "{after_pairs} back-to-back weekends");
    // The checker finds one made hard.
    let k = (2..days.len())
        .find(|&k| {
            long(&plan, days[k - 2])
                && long(&plan, days[k - 1])
                && plan.weeks[days[k].0].days[days[k].1]
                    .sessions
                    .iter()
                    .any(|s| s.kind == SessionKind::Easy)
        })
        .expect("an easy run after a back-to-back weekend");
    let (w, d) = days[k];
    let s = plan.weeks[w].days[d]
        .sessions
        .iter_mut()
        .find(|s| s.kind == SessionKind::Easy)
        .unwrap();
    s.kind = SessionKind::Tempo;
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "hard_days" && v.message.contains("back-to-back")),
        "{found:?}"
    );
}
