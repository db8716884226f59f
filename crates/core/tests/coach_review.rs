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
    plan(marathon_input())
}

fn marathon_input() -> PlanInput {
    PlanInput {
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
    }
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
    let next = long_run(&plan.weeks[longs[at_peak].0 as usize]).unwrap();
    assert!(next.km() < peak, "{longs:?}");
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
            // A recovery week: fewer repeats.
            (4, "Hill repeats 4 × 60 s uphill".to_owned()),
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
            (8, "10K-pace reps 2 × 1600 m".to_owned()),
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

/// The long runs of the last three weeks before the taper, with their week.
fn peak_longs(plan: &Plan) -> Vec<(u32, f64, u32)> {
    let taper = plan.weeks.iter().filter(|w| !building_phase(w)).count();
    let pre = (plan.weeks.len() - taper) as u32;
    plan.weeks
        .iter()
        .filter(|w| w.index + 3 > pre && w.index <= pre && !w.recovery)
        .filter_map(|w| long_run(w).map(|s| (w.index, s.km(), s.duration_s.unwrap_or(0))))
        .collect()
}

fn building_phase(w: &Week) -> bool {
    matches!(w.phase, Phase::Base | Phase::Build | Phase::Peak)
}

#[test]
fn an_experienced_marathoners_peak_long_runs_pass_30_km_three_weeks_out() {
    let plan = marathon();
    let peaks = peak_longs(&plan);
    // Weeks 11 and 13 (12 is a recovery week): 29.5 and 31.5 km, the last
    // one three weeks before race week, under 32 km and three hours.
    assert_eq!(
        peaks.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
        [(11, 29.5), (13, 31.5)],
        "{peaks:?}"
    );
    assert!(peaks.iter().all(|p| p.2 <= 3 * 3600), "{peaks:?}");
    assert_eq!(plan.weeks.len() as u32 - 13, 3);
    // Past the 35 % share of an 80 km week, and its why says why.
    let w13 = &plan.weeks[12];
    assert_eq!(w13.training_km, 80.0);
    let why = &long_run(w13).unwrap().why;
    assert!(
        why.contains("at most 35% at this volume")
            && why.contains("A peak long run may go past that share")
            && why.contains("up to 32.0 km or 3 hours, whichever comes first"),
        "{why}"
    );
    // No plan-level warning about a short longest run.
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn the_peak_long_run_exception_needs_a_history_that_holds_it() {
    // The same runner with a longest run of 18 km: the share holds them to
    // 28 km at 80 km a week.
    let short = plan(PlanInput {
        longest_run_km: Some(18.0),
        ..marathon_input()
    });
    let top = peak_longs(&short).iter().map(|p| p.1).fold(0.0, f64::max);
    assert!(top <= 28.0 + 0.05, "{top}");
    // The checker reads the same rule: profile 1's plan with the runner's
    // longest run taken away has its peak long runs over the share.
    let mut plan = marathon();
    plan.athlete.as_mut().unwrap().longest_run_km = Some(18.0);
    let found: Vec<_> = check(&plan)
        .into_iter()
        .filter(|v| v.rule == "long_run")
        .map(|v| v.week)
        .collect();
    assert_eq!(found, [11, 13]);
    // And never past 32 km, even for a runner who qualifies.
    let mut plan = marathon();
    let s = plan.weeks[12]
        .days
        .iter_mut()
        .flat_map(|d| &mut d.sessions)
        .find(|s| s.kind == SessionKind::Long)
        .unwrap();
    s.distance_m = Some(32_600);
    let found: Vec<_> = check(&plan).into_iter().map(|v| v.rule).collect();
    assert!(found.contains(&"long_run"), "{found:?}");
}

#[test]
fn recovery_weeks_cut_their_quality_session_too() {
    let plan = marathon();
    let mut cut = Vec::new();
    for (i, w) in plan.weeks.iter().enumerate().filter(|(_, w)| w.recovery) {
        for (_, s) in w.sessions().filter(|(_, s)| s.kind.is_quality()) {
            let biggest = plan.weeks[..i]
                .iter()
                .flat_map(|w| w.sessions())
                .filter(|(_, x)| x.kind == s.kind)
                .map(|(_, x)| x.hard_km())
                .fold(0.0, f64::max);
            assert!(
                s.hard_km() <= 0.75 * biggest + 0.05,
                "week {}: {}",
                w.index,
                s.title
            );
            cut.push((w.index, s.title.clone()));
        }
    }
    // Weeks 8 and 12 keep a shorter marathon-pace run (10 km and 13 km
    // before them), not the full one.
    assert_eq!(
        cut.iter()
            .filter(|c| c.1.starts_with("Marathon pace"))
            .map(|c| c.0)
            .collect::<Vec<_>>(),
        [8, 12],
        "{cut:?}"
    );
    // The checker fails a recovery week holding the week before's session.
    let mut plan = marathon();
    let full = plan.weeks[6]
        .sessions()
        .find(|(_, s)| s.kind == SessionKind::MarathonPace)
        .map(|(_, s)| s.clone())
        .unwrap();
    let s = plan.weeks[7]
        .days
        .iter_mut()
        .flat_map(|d| &mut d.sessions)
        .find(|s| s.kind == SessionKind::MarathonPace)
        .unwrap();
    *s = full;
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "recovery_quality" && v.week == 8),
        "{found:?}"
    );
}

#[test]
fn an_ultra_has_one_quality_session_a_week_and_no_intervals_when_recovering() {
    let plan = ultra();
    for w in &plan.weeks {
        let quality: Vec<_> = w
            .sessions()
            .filter(|(_, s)| s.kind.is_quality())
            .map(|(_, s)| s.kind)
            .collect();
        assert!(quality.len() <= 1, "week {}: {quality:?}", w.index);
        if w.recovery {
            assert!(quality.is_empty(), "week {}: {quality:?}", w.index);
            // Strides keep the legs quick.
            assert!(
                w.sessions().any(|(_, s)| s.title.contains("strides")),
                "week {}",
                w.index
            );
        }
    }
    // Threshold most weeks of the build, never the day after the
    // back-to-back long run.
    let build: Vec<SessionKind> = plan
        .weeks
        .iter()
        .filter(|w| matches!(w.phase, Phase::Build | Phase::Peak) && !w.recovery)
        .flat_map(|w| {
            w.sessions()
                .filter(|(_, s)| s.kind.is_quality())
                .map(|(_, s)| s.kind)
        })
        .collect();
    let tempo = build.iter().filter(|k| **k == SessionKind::Tempo).count();
    assert!(tempo * 2 > build.len(), "{build:?}");
    // The checker fails a second quality session in an ultra's week.
    let mut plan = ultra();
    let w = &mut plan.weeks[8];
    let s = w
        .days
        .iter_mut()
        .flat_map(|d| &mut d.sessions)
        .find(|s| s.kind == SessionKind::Easy)
        .unwrap();
    s.kind = SessionKind::Intervals;
    let found = check(&plan);
    assert!(
        found
            .iter()
            .any(|v| v.rule == "ultra" && v.message.contains("2 quality sessions")),
        "{found:?}"
    );
}

#[test]
fn the_longest_run_warning_quotes_the_plan_as_laid_out() {
    // Issue #12's profile 13: a first marathon from 15 km a week.
    let plan = plan(PlanInput {
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
    });
    let longest = runcoach_core::plan::longest_run(&plan.weeks);
    let said = format!("the longest planned run is {longest:.1} km;");
    assert!(
        plan.warnings.iter().any(|w| w.starts_with(&said)),
        "{longest}: {:?}",
        plan.warnings
    );
}
