//! What a coach reading issue #12's plans objected to, as tests: the long
//! run grows through the block to a peak before the taper, with peaks
//! spaced; experienced marathoners get two hard days in the build, one of
//! them marathon-pace segments inside the long run; an ultra's volume and
//! back-to-back weekends grow; no session is longer than the week's long
//! run. Each engine rule has a checker rule, tested on a plan broken by
//! hand.

use runcoach_core::guardrails::check;
use runcoach_core::plan::{Phase, Plan, PlanInput, RecentInput, SessionKind, Week, build_plan};

fn plan(input: PlanInput) -> Plan {
    let plan = build_plan(&input.validate().unwrap());
    let found = check(&plan);
    assert!(found.is_empty(), "{found:?}");
    plan
}

/// Issue #12's profile 1: an experienced marathoner on six days.
fn marathon() -> Plan {
    plan(PlanInput {
        race: "marathon".into(),
        race_date: "2027-04-18".into(),
        weeks: Some(16),
        run_days: ["mon", "tue", "wed", "thu", "sat", "sun"]
            .map(String::from)
            .to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 70.0,
        longest_run_km: Some(24.0),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "45:00".into(),
        }),
        strength_days: 2,
        today: Some("2026-11-28".into()),
        ..Default::default()
    })
}

/// Issue #12's profile 10: a 50K from 90 km a week.
fn ultra() -> Plan {
    plan(crate::long_runs::ultra_50k())
}

fn long_run(w: &Week) -> Option<&runcoach_core::plan::Session> {
    w.sessions()
        .map(|(_, s)| s)
        .find(|s| s.kind == SessionKind::Long)
}

fn building(w: &Week) -> bool {
    matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak) && !w.recovery
}

#[test]
fn the_marathon_long_run_grows_to_a_spaced_peak_before_the_taper() {
    let plan = marathon();
    let longs: Vec<(u32, f64)> = plan
        .weeks
        .iter()
        .filter(|w| building(w))
        .filter_map(|w| long_run(w).map(|s| (w.index, s.km())))
        .collect();
    let (first, peak) = (longs[0].1, longs.iter().map(|l| l.1).fold(0.0, f64::max));
    assert!(first <= peak * 0.8 + 0.5, "{longs:?}");
    // Growing week on week up to the peak (recovery weeks aside).
    let at_peak = longs.iter().position(|l| l.1 == peak).unwrap();
    for pair in longs[..=at_peak].windows(2) {
        assert!(pair[1].1 > pair[0].1, "{longs:?}");
    }
    // The peak 3–5 weeks before the race, and the next long run shorter.
    let weeks_out = plan.weeks.len() as u32 - longs[at_peak].0;
    assert!((3..=5).contains(&weeks_out), "{weeks_out}: {longs:?}");
    assert!(longs[at_peak + 1].1 < peak, "{longs:?}");
    // Recovery weeks lower it.
    for w in plan.weeks.iter().filter(|w| w.recovery) {
        let before = long_run(&plan.weeks[w.index as usize - 2]).unwrap().km();
        assert!(long_run(w).unwrap().km() < before);
    }
}

#[test]
fn experienced_marathoners_get_two_hard_days_and_marathon_pace_in_the_long_run() {
    let plan = marathon();
    let mut mp_in_long = Vec::new();
    for w in plan
        .weeks
        .iter()
        .filter(|w| building(w) && w.phase != Phase::Base)
    {
        let hard: Vec<_> = w.sessions().filter(|(_, s)| s.is_hard()).collect();
        assert_eq!(hard.len(), 2, "week {}", w.index);
        let long = long_run(w).unwrap();
        if long.is_hard() {
            // Marathon pace, with easy running before and after.
            assert!(long.title.contains("at marathon pace"), "{}", long.title);
            assert!(long.why.contains("at marathon pace"), "{}", long.why);
            mp_in_long.push(long.hard_km());
        }
    }
    assert!(mp_in_long.len() >= 3, "{mp_in_long:?}");
    assert!(mp_in_long[2] > mp_in_long[0], "growing: {mp_in_long:?}");
    // Threshold and VO2 work keep going after the base.
    let late = &plan.weeks[8..13];
    for kind in [SessionKind::Tempo, SessionKind::Intervals] {
        assert!(
            late.iter()
                .any(|w| w.sessions().any(|(_, s)| s.kind == kind)),
            "{kind:?}"
        );
    }
}

#[test]
fn an_ultra_builds_volume_and_back_to_back_weekends_then_tapers() {
    let plan = ultra();
    let volumes: Vec<f64> = plan.weeks.iter().map(|w| w.training_km).collect();
    let peak = volumes.iter().copied().fold(0.0, f64::max);
    assert!(peak > 90.0 + 5.0, "{volumes:?}");
    let longs: Vec<f64> = plan
        .weeks
        .iter()
        .filter(|w| building(w))
        .filter_map(|w| long_run(w).map(|s| s.km()))
        .collect();
    let top = longs.iter().copied().fold(0.0, f64::max);
    assert!(longs[0] + 4.0 <= top, "{longs:?}");
    // Back-to-back: the day after the long run, a run of its own size,
    // growing with it.
    let b2b: Vec<f64> = plan
        .weeks
        .iter()
        .filter(|w| building(w) && w.phase != Phase::Base)
        .filter_map(|w| {
            w.sessions()
                .find(|(_, s)| s.why.starts_with("Back-to-back"))
                .map(|(_, s)| s.km())
        })
        .collect();
    assert!(b2b.len() >= 4, "{b2b:?}");
    assert!(b2b.iter().all(|&k| k >= 12.0), "{b2b:?}");
    // The taper cuts the long run and the volume.
    let n = plan.weeks.len();
    assert!(volumes[n - 2] < peak * 0.8 && volumes[n - 3] < peak);
    assert!(long_run(&plan.weeks[n - 2]).unwrap().km() < top);
}

#[test]
fn the_checker_fails_a_session_longer_than_the_long_run() {
    let mut plan = marathon();
    let w = &mut plan.weeks[5];
    let long = long_run(w).unwrap().km();
    let q = w
        .days
        .iter_mut()
        .flat_map(|d| &mut d.sessions)
        .find(|s| s.kind.is_quality())
        .unwrap();
    q.distance_m = Some(((long + 1.0) * 1000.0) as u32);
    let rules: Vec<_> = check(&plan).into_iter().map(|v| v.rule).collect();
    assert!(rules.contains(&"long_run_longest"), "{rules:?}");
}

#[test]
fn the_checker_fails_a_long_run_flat_for_three_building_weeks() {
    let mut plan = marathon();
    // Weeks 9, 10 and 11 (building weeks in a row) at week 11's long run.
    let target = long_run(&plan.weeks[10]).unwrap().distance_m;
    for i in [8, 9] {
        let w = &mut plan.weeks[i];
        let s = w
            .days
            .iter_mut()
            .flat_map(|d| &mut d.sessions)
            .find(|s| s.kind == SessionKind::Long)
            .unwrap();
        s.distance_m = target;
    }
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "long_run_progression" && v.week == 11),
        "{found:?}"
    );
}

#[test]
fn a_marathon_pace_long_run_is_a_hard_day_for_the_checker() {
    let mut plan = marathon();
    // A third hard session in a week whose long run holds marathon pace.
    let i = plan
        .weeks
        .iter()
        .position(|w| long_run(w).is_some_and(|s| s.is_hard()))
        .unwrap();
    let w = &mut plan.weeks[i];
    let day = w
        .days
        .iter_mut()
        .find(|d| d.sessions.iter().any(|s| s.kind == SessionKind::Easy))
        .unwrap();
    let s = day
        .sessions
        .iter_mut()
        .find(|s| s.kind == SessionKind::Easy)
        .unwrap();
    s.kind = SessionKind::Tempo;
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "hard_days" && v.message.contains("3 quality sessions")),
        "{found:?}"
    );
}

/// Issue #12's profile 8: an experienced 10K runner on five days, with a
/// `niggle` (profile 8 has a sore lower back).
fn ten_k(niggle: &str) -> Plan {
    plan(PlanInput {
        race: "10k".into(),
        race_date: "2027-02-21".into(),
        weeks: Some(12),
        run_days: ["mon", "tue", "thu", "fri", "sat"]
            .map(String::from)
            .to_vec(),
        long_run_day: "sat".into(),
        level: "experienced".into(),
        weekly_km: 45.0,
        longest_run_km: Some(14.0),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "40:00".into(),
        }),
        strength_days: 3,
        equipment: vec!["band".into(), "bench".into()],
        niggles: vec![niggle.into()],
        today: Some("2026-11-28".into()),
        ..Default::default()
    })
}

fn titles(plan: &Plan, phases: &[Phase]) -> Vec<(u32, String)> {
    plan.weeks
        .iter()
        .filter(|w| phases.contains(&w.phase))
        .flat_map(|w| {
            w.sessions()
                .filter(|(_, s)| s.kind.is_quality())
                .map(move |(_, s)| (w.index, s.title.clone()))
        })
        .collect()
}

fn titled<'a>(w: &'a Week, prefix: &str) -> &'a runcoach_core::plan::Session {
    w.sessions()
        .map(|(_, s)| s)
        .find(|s| s.title.starts_with(prefix))
        .unwrap()
}

#[test]
fn the_base_climbs_hills_and_plays_fartlek_by_feel() {
    let plan = ten_k("low-back");
    let base = titles(&plan, &[Phase::Base]);
    assert_eq!(
        base,
        [
            (1, "Fartlek 8 × 1 min on, 1 min off".to_owned()),
            (2, "Hill repeats 6 × 60 s uphill".to_owned()),
            (3, "Fartlek 10 × 1 min on, 1 min off".to_owned()),
            (4, "Hill repeats 6 × 60 s uphill".to_owned()),
        ]
    );
    let hills = titled(&plan.weeks[1], "Hill repeats");
    // Run by feel: an effort, no pace, even though the runner's paces are known.
    assert_eq!(hills.pace_s_per_km, None);
    assert_eq!(hills.rpe, Some([8, 9]));
    assert!(hills.why.contains("jog back down"), "{}", hills.why);
    // A sore knee climbs no hills; a sore hip flexor sprints none in the base.
    for niggle in ["knee", "hip-flexor"] {
        let plan = ten_k(niggle);
        let hills: Vec<_> = titles(&plan, &[Phase::Base, Phase::Build, Phase::Peak])
            .into_iter()
            .filter(|(_, t)| t.contains("Hill"))
            .collect();
        assert_eq!(hills, [], "{niggle}");
    }
}

#[test]
fn the_last_building_weeks_rehearse_race_pace_and_the_checker_wants_it() {
    let mut plan = ten_k("low-back");
    let race_pace: Vec<_> = titles(&plan, &[Phase::Build, Phase::Peak])
        .into_iter()
        .filter(|(_, t)| t.starts_with("10K-pace reps"))
        .collect();
    assert_eq!(
        race_pace,
        [
            (6, "10K-pace reps 4 × 1000 m".to_owned()),
            (7, "10K-pace reps 3 × 1600 m".to_owned()),
            (8, "10K-pace reps 3 × 1600 m".to_owned()),
            (9, "10K-pace reps 4 × 1600 m".to_owned()),
            (10, "10K-pace reps 4 × 1600 m".to_owned()),
        ]
    );
    // 40:00 for 10K is 4:00/km: the band sits around it.
    let s = titled(&plan.weeks[8], "10K-pace");
    assert_eq!(s.pace_s_per_km, Some([236, 244]));
    assert!(s.why.contains("predicted 10K pace"), "{}", s.why);
    // Hand-broken: the race-pace sessions renamed to plain intervals.
    for w in &mut plan.weeks {
        for d in &mut w.days {
            for s in &mut d.sessions {
                if s.title.starts_with("10K-pace reps") {
                    s.title = s.title.replace("10K-pace reps", "Intervals");
                }
            }
        }
    }
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "race_specific" && v.week == 7),
        "{found:?}"
    );
}

#[test]
fn the_checker_fails_a_block_that_peaks_in_week_two() {
    let plan = marathon();
    let grown = |plan: &mut Plan, kind: SessionKind, km: f64| {
        let s = plan.weeks[1]
            .days
            .iter_mut()
            .flat_map(|d| &mut d.sessions)
            .find(|s| s.kind == kind)
            .unwrap();
        s.distance_m = Some(s.distance_m.unwrap() + (km * 1000.0) as u32);
    };
    // The longest long run in week 2.
    let mut long = plan.clone();
    grown(&mut long, SessionKind::Long, 12.0);
    let found = check(&long);
    assert!(
        found.iter().any(|v| v.rule == "peak_timing"
            && v.week == 2
            && v.message.contains("longest long run")),
        "{found:?}"
    );
    // The biggest week in week 2 (its long run unchanged).
    let mut big = plan.clone();
    for _ in 0..3 {
        grown(&mut big, SessionKind::Easy, 8.0);
    }
    let found = check(&big);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "peak_timing" && v.week == 2 && v.message.contains("biggest week")),
        "{found:?}"
    );
}

/// A week whose long run would fall two days before the race drops it; its
/// focus speaks of the week as laid out (its real volume, no long run), not
/// of the week the shape first drew.
#[test]
fn a_week_without_its_long_run_says_so_in_its_focus() {
    let plan = plan(PlanInput {
        race: "half".into(),
        // A Monday; weeks start on Mondays, so Sunday's long run falls in
        // the week before race week.
        race_date: "2027-03-01".into(),
        weeks: Some(12),
        run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 40.0,
        longest_run_km: Some(16.0),
        strength_days: 2,
        week_start: Some("mon".into()),
        today: Some("2026-11-28".into()),
        ..Default::default()
    });
    let w = plan
        .weeks
        .iter()
        .find(|w| {
            w.days
                .iter()
                .any(|d| d.date == jiff::civil::date(2027, 2, 28))
        })
        .unwrap();
    assert!(
        !w.sessions().any(|(_, s)| s.kind == SessionKind::Long),
        "{w:?}"
    );
    assert!(w.focus.contains("No long run this week"), "{}", w.focus);
    assert!(
        w.focus.contains(&format!("{:.1} km", w.training_km)),
        "{} / {}",
        w.focus,
        w.training_km
    );
    for w in &plan.weeks {
        assert!(
            w.focus.contains(&format!("{:.1} km", w.training_km)),
            "week {}: {} / {}",
            w.index,
            w.focus,
            w.training_km
        );
    }
}
